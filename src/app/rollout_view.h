// Aggregation across layers for one self-attention stack: attention rollout (Â = 0.5·Ā + 0.5·I
// multiplied through the layers) or attention flow (max-flow, offered up to kMaxFlowTokens
// tokens), computed by core (rollout.h) and drawn in the head view's heatmap.
#pragma once

#include "render/attention_slice.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;

namespace attnscope {

class HeatmapPlot;

class RolloutView : public QWidget {
    Q_OBJECT
public:
    explicit RolloutView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const RunResult> result, const ModelConfig& config, Stack stack);
    void setAggregate(Aggregate kind);
    Aggregate aggregate() const;
    HeatmapPlot* plot() const { return m_plot; }
    QString reason() const; // why nothing is shown (empty when a matrix is shown)

private:
    void rebuild();

    QComboBox* m_kind = nullptr;
    QLabel* m_note = nullptr;
    QLabel* m_empty = nullptr; // why there is nothing to show, in place of the plot
    HeatmapPlot* m_plot = nullptr;
    std::shared_ptr<const RunResult> m_result;
    const ModelConfig* m_config = nullptr;
    Stack m_stack = Stack::Encoder;
    QString m_reason;
};

} // namespace attnscope
