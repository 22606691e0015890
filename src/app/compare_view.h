// Compare two inputs: the main input A and a second input B run through the same model with
// the same target, generation setting and ablated heads. Where the token sequences of the
// selected stack align, the selected head's A, B and A − B (core's attentionDifference, on a
// diverging scale symmetric around 0) and a layers × heads map of how much each head changed
// (core's headChanges); where they do not, A and B side by side. Long inputs (compact traces):
// the selected head of A and B is recomputed off the GUI thread while the tab is shown; the
// per-head map, which needs every head of both, is not computed.
#pragma once

#include "app/inference_runner.h"
#include "core/analysis/compare.h"
#include "render/attention_slice.h"

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;

namespace attnscope {

class HeatmapPlot;
class HeadGridView;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);

    // How A was run (its text is `textA`): B runs with the same model and options but its own
    // text. While B has not been edited it follows A, so editing one word of B is the natural
    // start; another model resets B to A.
    void setRunContext(std::shared_ptr<const Transformer> transformer, RunOptions options, const QString& textA,
                       std::optional<MeanAblationRequest> mean = std::nullopt);
    // A's newest result and the head to show.
    void setData(std::shared_ptr<const RunResult> a, std::shared_ptr<const Model> model, HeadSelection selection);
    // B runs only while the view is shown (the main window tells it), so hidden it costs nothing.
    void setActive(bool active);
    void setColormap(const QString& name);

    void setTextB(const QString& text); // as if typed
    QString textB() const;
    QLineEdit* inputB() const { return m_inputB; }
    InferenceRunner* runner() const { return m_runner; }
    bool isIdle() const; // no run of B pending or running, no head being recomputed
    bool isWaiting() const { return m_waiting; } // long input: the selected head is being recomputed
    std::shared_ptr<const RunResult> resultA() const { return m_a; }
    std::shared_ptr<const RunResult> resultB() const { return m_b; }

    // What is shown for the selected stack.
    bool aligned() const { return m_alignment.aligned; }
    const StackAlignment& alignment() const { return m_alignment; }
    const MatrixRM& difference() const { return m_difference; } // empty unless aligned
    const HeadChangeMap& headChanges() const { return m_changes; }
    HeatmapPlot* plotA() const { return m_plotA; }
    HeatmapPlot* plotB() const { return m_plotB; }
    HeatmapPlot* plotDifference() const { return m_plotDiff; }
    HeadGridView* changeMap() const { return m_changeMap; }
    QString statusText() const;  // the line above the plots (alignment, summary numbers)

signals:
    void headActivated(int layer, int head); // a cell of the change map was clicked
    void compared();                         // the view now shows B's newest result

private:
    void submitB();
    void onFinished(const RunOutcome& outcome);
    void rebuild();
    void requestRecomputed(const QString& what); // compact A or B: the selected head, off the GUI thread
    void showPair(AttentionSlice a, AttentionSlice b, const QString& what); // aligned: A, B and A − B

    InferenceRunner* m_runner = nullptr;
    QLineEdit* m_inputB = nullptr;
    QPushButton* m_copyA = nullptr;
    QLabel* m_tokens = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_mapNote = nullptr;
    HeatmapPlot* m_plotA = nullptr;
    HeatmapPlot* m_plotB = nullptr;
    HeatmapPlot* m_plotDiff = nullptr;
    HeadGridView* m_changeMap = nullptr;

    std::shared_ptr<const Transformer> m_transformer;
    RunOptions m_options;
    std::optional<MeanAblationRequest> m_mean;
    QString m_textA;
    bool m_followA = true; // B mirrors A until the user edits it
    bool m_active = false;
    bool m_stale = false;  // the context or B's text changed since B's last submission
    bool m_waiting = false; // compact: the shown head of A and B is being recomputed
    std::shared_ptr<const RunResult> m_a;
    std::shared_ptr<const RunResult> m_b;
    std::shared_ptr<const Model> m_model;
    HeadSelection m_selection;
    StackAlignment m_alignment;
    MatrixRM m_difference;
    HeadChangeMap m_changes;
    QString m_colormap = QStringLiteral("viridis");
};

} // namespace attnscope
