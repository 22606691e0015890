// Compare two inputs: the main input A and a second input B run through the same model with
// the same target, generation setting and ablated heads. Where the token sequences of the
// selected stack align, the selected head's A, B and A − B (core's attentionDifference, on a
// diverging scale symmetric around 0) and a layers × heads map of how much each head changed
// (core's headChanges); where they do not, A and B side by side. Long inputs (compact traces):
// while the tab is shown, the selected head of A and B is recomputed off the GUI thread, and the
// per-head map is filled one head at a time on the same worker (core's headChangeOf), so a newly
// selected head waits for at most one map head.
#pragma once

#include "app/inference_runner.h"
#include "core/analysis/compare.h"
#include "render/attention_slice.h"

#include <QWidget>

#include <memory>
#include <utility>

class QGridLayout;
class QLabel;
class QScrollArea;
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
    // A − B as drawn (the difference plot's own matrix: no second copy); empty unless aligned.
    const MatrixRM& difference() const;
    // Empty until every head is compared (long inputs: heads computed so far are drawn meanwhile).
    const HeadChangeMap& headChanges() const { return m_changes; }
    // Long inputs: heads of the per-head map computed so far for the shown pair, of how many.
    std::pair<int, int> changeMapProgress() const;
    // The per-head map's panels show values × changeMapScale(k), k = changeMapExponent(values):
    // 2 (percentage points of attention) unless the largest would read 0.00, as the mean
    // |A − B| of a long input does (one token changed among millions of cells); the title says k.
    static int changeMapExponent(const MatrixRM& values);
    static float changeMapScale(int exponent);
    // The smallest size of each of the three maps: below it the page scrolls (and the maps stack).
    static QSize minimumPlotSize();
    int plotColumns() const { return m_plotColumns; } // maps side by side in the grid now
    HeatmapPlot* plotA() const { return m_plotA; }
    HeatmapPlot* plotB() const { return m_plotB; }
    HeatmapPlot* plotDifference() const { return m_plotDiff; }
    HeadGridView* changeMap() const { return m_changeMap; }
    QString statusText() const;  // the line above the plots (alignment, summary numbers)

signals:
    void headActivated(int layer, int head); // a cell of the change map was clicked
    void compared();                         // the view now shows B's newest result

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void setDifferenceShown(bool shown); // A − B shown (aligned) or not; the grid reflows
    void reflowPlots();
    void submitB();
    void onFinished(const RunOutcome& outcome);
    void rebuild();
    // Compact A or B: the selected head, off the GUI thread (`what` for the status line, `shortWhat`
    // for plot titles), then the next head of the per-head map.
    void requestRecomputed(const QString& what, const QString& shortWhat);
    // Aligned: A, B and A − B (`difference`, moved into its plot).
    void showPair(AttentionSlice a, AttentionSlice b, MatrixRM difference, const QString& what);
    void updateStatus(); // m_pairStatus and, once the map is complete, its most changed head
    void showChangeMap(const HeadChangeMap& map, const QString& note);
    void continueLongMap(); // long inputs: the next head of the per-head map, on the worker

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
    QScrollArea* m_scroll = nullptr;
    QWidget* m_plots = nullptr;
    QGridLayout* m_plotGrid = nullptr;
    int m_plotColumns = 0;
    int m_plotsShown = 0;

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
    HeadChangeMap m_changes;
    QString m_pairStatus; // the status line about the shown A − B

    // Long inputs: the per-head map of one pair of results and stack, filled in layer, head order
    // one head per request (NaN where not computed yet). Kept while the pair is shown, hidden too;
    // it does not keep the pair's traces alive.
    struct LongMap {
        std::weak_ptr<const RunResult> a, b;
        Stack stack = Stack::Encoder;
        HeadChangeMap map;
        int done = 0;           // heads computed
        bool requested = false; // a head is being computed for this pair
        QString error;          // a head could not be computed: the map stops
    } m_longMap;
    QString m_colormap = QStringLiteral("viridis");
};

} // namespace attnscope
