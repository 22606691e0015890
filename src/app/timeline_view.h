// Generation timeline: scrub through the decoding steps of the current output (decoder-only
// with Generate on, or encoder-decoder). At step t: the tokens the decoder has seen, the token
// chosen with its probability and the top-k alternatives (core's decodingTimeline), and the
// selected layer/head's decoder self-attention (and cross-attention) with only the rows
// computed so far (core's timelineFrame; later rows grey) and the step's row outlined.
// Long inputs (compact traces): the two matrices arrive recomputed (setRecomputedSlices).
#pragma once

#include "core/analysis/timeline.h"
#include "render/attention_slice.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QSlider;
class QTableWidget;
class QTimer;
class QCPItemRect;

namespace attnscope {

class HeatmapPlot;

class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);

    // teacherForced: the encoder-decoder run was given a target (see decodingTimeline).
    void setData(std::shared_ptr<const RunResult> result, std::shared_ptr<const Model> model, HeadSelection selection,
                 bool teacherForced);
    void setColormap(const QString& name);
    // A compact result's matrices: the decoder self- and cross-attention of frameSelection(),
    // recomputed off the GUI thread; ignored unless result and selection are the ones shown.
    void setRecomputedSlices(const std::shared_ptr<const RunResult>& result, const HeadSelection& selection,
                             AttentionSlice self, AttentionSlice cross);
    bool isWaiting() const { return m_waiting; }
    // The head a plot shows for `selection`: the same layer (clamped) and head of `stack`.
    static HeadSelection frameSelection(const RunResult& result, HeadSelection selection, Stack stack);

    void setStep(int step); // clamped to [0, stepCount − 1]
    int step() const { return m_step; }
    int stepCount() const { return static_cast<int>(m_timeline.steps.size()); }
    const DecodingTimeline& timeline() const { return m_timeline; }
    void setPlaying(bool on);
    bool isPlaying() const;

    HeatmapPlot* selfPlot() const { return m_selfPlot; }
    HeatmapPlot* crossPlot() const { return m_crossPlot; }
    QSlider* slider() const { return m_slider; }
    QString message() const;     // why there is no timeline (empty when there is one)
    QString stepText() const;    // the chosen-token line of the current step
    QTableWidget* alternatives() const { return m_topK; }
    // The matrix a plot shows at the current step (NaN = not computed yet).
    const MatrixRM& selfFrame() const { return m_selfFrame; }
    const MatrixRM& crossFrame() const { return m_crossFrame; }

signals:
    void generateRequested(); // decoder-only model without a generated continuation

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void rebuild();
    void showStep();
    void showFrame(HeatmapPlot* plot, QCPItemRect* marker, AttentionSlice slice, bool futureKeys, MatrixRM& frame);

    QLabel* m_message = nullptr;
    QPushButton* m_generate = nullptr;
    QWidget* m_body = nullptr;
    QPushButton* m_first = nullptr;
    QPushButton* m_back = nullptr;
    QSlider* m_slider = nullptr;
    QPushButton* m_next = nullptr;
    QPushButton* m_last = nullptr;
    QPushButton* m_play = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_tokens = nullptr;
    QLabel* m_chosen = nullptr;
    QTableWidget* m_topK = nullptr;
    QLabel* m_note = nullptr;
    HeatmapPlot* m_selfPlot = nullptr;
    HeatmapPlot* m_crossPlot = nullptr;
    QCPItemRect* m_selfMarker = nullptr;
    QCPItemRect* m_crossMarker = nullptr;
    QTimer* m_timer = nullptr;

    std::shared_ptr<const RunResult> m_result;
    std::shared_ptr<const Model> m_model;
    HeadSelection m_selection;
    DecodingTimeline m_timeline;
    AttentionSlice m_selfSlice, m_crossSlice; // the selected head's whole matrices
    bool m_waiting = false;                   // compact result: they are being recomputed
    int m_step = 0;
    QString m_colormap = QStringLiteral("viridis");
    MatrixRM m_selfFrame, m_crossFrame;
};

} // namespace attnscope
