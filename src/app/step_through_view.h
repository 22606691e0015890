// Step-through of one head, for teaching: Q, K, V, Q·Kᵀ, the scaled scores, the masked
// scores, the softmax weights and the output A·V as labelled heatmaps with their formulas, in
// order (core's stepThrough). Clicking a cell of a tokens × tokens step explains how its weight
// was made (core's explainCell). A softmax temperature τ rescales the scores of this head's
// step-through only; the model's forward pass and the other views keep τ = 1.
#pragma once

#include "core/analysis/teaching.h"
#include "render/attention_slice.h"

#include <QWidget>

#include <memory>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QTextBrowser;

namespace attnscope {

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
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
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
    explicit StepThroughView(QWidget* parent = nullptr);

    // The head of `selection` in `result` (which must have been run with Capture::Full).
    void setData(std::shared_ptr<const RunResult> result, const Model& model, const HeadSelection& selection);
    void setTemperature(double tau);
    double temperature() const;
    void selectCell(int query, int key);
    void setColormap(const QString& name) { m_canvas->setColormap(name); }

    StepCanvas* canvas() const { return m_canvas; }
    const StepThrough* steps() const { return m_steps.get(); }
    QString explanationHtml() const;
    std::pair<int, int> selectedCell() const { return {m_query, m_key}; }

private:
    void recompute();
    void updateExplanation();

    QDoubleSpinBox* m_tauSpin = nullptr;
    QSlider* m_tauSlider = nullptr;
    QPushButton* m_reset = nullptr;
    QLabel* m_note = nullptr;
    StepCanvas* m_canvas = nullptr;
    QTextBrowser* m_explain = nullptr;
    std::shared_ptr<const RunResult> m_result;
    const HeadTrace* m_head = nullptr;
    TeachingMask m_mask;
    std::shared_ptr<const StepThrough> m_steps;
    QStringList m_queryLabels, m_keyLabels;
    QString m_title;
    int m_query = -1, m_key = -1;
};

} // namespace attnscope
