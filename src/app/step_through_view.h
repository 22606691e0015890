// Step-through of one head, for teaching: Q, K, V, Q·Kᵀ, the scaled scores, the masked
// scores, the softmax weights and the output A·V as labelled heatmaps with their formulas, in
// order (core's stepThrough). Clicking a cell of a tokens × tokens step explains how its weight
// was made (core's explainCell). A second panel shows the selected query's vectors against every
// key's (core's neuronView, neuron_view.h). A softmax temperature τ rescales the scores of this
// head's step-through and query/key view only; the model's forward pass and the other views keep τ = 1.
// Long inputs: a compact result's head arrives recomputed (setRecomputedHead), and beyond
// kStepWindowFrom tokens the canvases show a window of kStepWindow queries and keys around the
// selected cell; the numbers are always those of the whole head (softmax over every key).
#pragma once

#include "core/analysis/teaching.h"
#include "render/attention_slice.h"
#include "render/colormaps.h"

#include <QColor>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTextBrowser;

namespace attnscope {

class NeuronCanvas;

constexpr int kStepWindowFrom = 64; // more queries (keys) than this: the canvases show a window ...
constexpr int kStepWindow = 32;     // ... of this many queries (keys) around the selected cell

// Shared by the step-through and the query/key view: numbers with a true minus sign (their
// signed cells are coloured by render/colormaps.h divergingColor).
QString teachingNumber(double v, int decimals = 2);

// The eight steps drawn side by side; paint() serves the screen and image export.
class StepCanvas : public QWidget {
    Q_OBJECT
public:
    enum Step { Q, K, V, Dot, Scaled, Masked, Weights, Output, StepCount };

    explicit StepCanvas(QWidget* parent = nullptr);
    void setSteps(std::shared_ptr<const StepThrough> steps, QStringList queryLabels, QStringList keyLabels,
                  QString title);
    void setSelectedCell(int query, int key);
    void setColormap(const QString& name);
    QRect cellRect(Step step, int row, int col, const QSize& size) const;
    QString stepTitle(Step step) const; // the formula shown above the step
    const MatrixRM* matrix(Step step) const;
    void paint(QPainter& painter, const QSize& size) const;

signals:
    void cellClicked(int query, int key);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    int titleHeight(int width) const; // the title's row: one line, more when it wraps
    int rowLabelWidth() const;        // the row labels' column: the widest label, within limits
    QRect panelRect(Step step, const QSize& size) const;
    QRect matrixRect(Step step, const QSize& size) const;
    bool hit(const QPoint& pos, Step& step, int& row, int& col) const;

    std::shared_ptr<const StepThrough> m_steps;
    QStringList m_queryLabels, m_keyLabels;
    QString m_title;
    QString m_colormap = QStringLiteral("viridis");
    int m_query = -1, m_key = -1;
};

class StepThroughView : public QWidget {
    Q_OBJECT
public:
    // The two panels: the eight steps, and the query/key vectors of the selected query.
    enum class Panel { Steps = 0, Neuron = 1 };

    explicit StepThroughView(QWidget* parent = nullptr);

    // The head of `selection` in `result` (run with Capture::Full, or compact: then the view
    // says it is recomputing until setRecomputedHead brings the head).
    void setData(std::shared_ptr<const RunResult> result, const Model& model, const HeadSelection& selection);
    // A compact result's head with Q, K, V (recomputeHead, Capture::Full) and, optionally, its
    // steps at τ = steps->temperature; ignored unless result and selection are the ones shown.
    void setRecomputedHead(const std::shared_ptr<const RunResult>& result, const HeadSelection& selection,
                           std::shared_ptr<const HeadTrace> head, std::shared_ptr<const StepThrough> steps);
    bool isWaiting() const { return m_waiting; } // a compact head is being recomputed
    TeachingMask mask() const { return m_mask; }  // the engine's mask for the shown head
    void setTemperature(double tau);
    double temperature() const;
    // The selected weight (query row, key column); both panels follow it. (−1, −1): automatic
    // (the last query and its strongest key), also kept when set before data arrives.
    void selectCell(int query, int key);
    void setColormap(const QString& name);
    void setPanel(Panel panel);
    Panel panel() const;

    StepCanvas* canvas() const { return m_canvas; }
    NeuronCanvas* neuronCanvas() const { return m_neuronCanvas; }
    const StepThrough* steps() const { return m_steps.get(); }   // every query and key
    const NeuronView* neuron() const { return m_neuron.get(); }  // every key
    // First query and key the canvases show (0 unless the head is longer than kStepWindowFrom).
    std::pair<int, int> windowOrigin() const { return {m_q0, m_k0}; }
    QString explanationHtml() const;
    std::pair<int, int> selectedCell() const { return {m_query, m_key}; }
    const QStringList& queryLabels() const { return m_queryLabels; } // every row's, as in the head view
    // The canvas of the panel shown, for image export.
    QWidget* activeCanvas() const;
    void paintActive(QPainter& painter, const QSize& size) const;

private:
    void recompute(std::shared_ptr<const StepThrough> precomputed = nullptr);
    void updateNeuron();
    void updateExplanation();
    bool placeWindow(); // moves the window to the selected cell if it left it; true when it moved
    void showSteps();   // the steps (or their window) and the selected cell on the canvas

    QDoubleSpinBox* m_tauSpin = nullptr;
    QSlider* m_tauSlider = nullptr;
    QPushButton* m_reset = nullptr;
    QLabel* m_note = nullptr;
    QTabWidget* m_panels = nullptr;
    StepCanvas* m_canvas = nullptr;
    QTextBrowser* m_explain = nullptr;
    QComboBox* m_queryCombo = nullptr;
    NeuronCanvas* m_neuronCanvas = nullptr;
    std::shared_ptr<const NeuronView> m_neuron;
    QString m_headName; // "cross-attention · layer 1 · head 0"

    std::shared_ptr<const RunResult> m_result;
    HeadSelection m_selection;
    bool m_waiting = false;
    std::shared_ptr<const HeadTrace> m_ownedHead; // a compact result's recomputed head
    const HeadTrace* m_head = nullptr;
    TeachingMask m_mask;
    std::shared_ptr<const StepThrough> m_steps;
    QStringList m_queryLabels, m_keyLabels;
    QString m_title;
    int m_query = -1, m_key = -1;
    int m_q0 = 0, m_k0 = 0; // window origin (long heads)
};

} // namespace attnscope
