// See rollout_view.h.
#include "app/rollout_view.h"
#include "render/image_export.h"
#include "app/view_page.h"

#include "core/analysis/rollout.h"
#include "render/heatmap_plot.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace attnscope {

RolloutView::RolloutView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("aggregateCombo"));
    m_kind->addItem(tr("Attention rollout"));
    m_kind->addItem(tr("Attention flow (up to %1 tokens)").arg(kMaxFlowTokens));
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("aggregateNote"));
    m_note->setWordWrap(true);
    top->addWidget(m_kind);
    top->addWidget(m_note, 1);
    layout->addLayout(top);
    m_plot = new HeatmapPlot(this);
    m_plot->setObjectName(QStringLiteral("aggregatePlot"));
    m_plot->colorScale()->axis()->setLabel(tr("contribution of input token"));
    layout->addWidget(m_plot, 1);
    // When there is nothing to aggregate: why, once, in place of an empty plot.
    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("aggregateEmpty"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setVisible(false);
    layout->addWidget(m_empty, 1);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &RolloutView::rebuild);
}

void RolloutView::setData(std::shared_ptr<const RunResult> result, const ModelConfig& config, Stack stack)
{
    m_result = std::move(result);
    m_config = &config;
    m_stack = stack;
    rebuild();
}

void RolloutView::setAggregate(Aggregate kind) { m_kind->setCurrentIndex(int(kind)); }
Aggregate RolloutView::aggregate() const { return static_cast<Aggregate>(m_kind->currentIndex()); }
QString RolloutView::reason() const { return m_reason; }

void RolloutView::rebuild()
{
    if (!m_result || !m_config) return;
    AttentionSlice slice = aggregateSlice(*m_result, *m_config, m_stack, aggregate(), &m_reason);
    const QString formula =
        aggregate() == Aggregate::Rollout
            ? tr("R = A\u2032_L \u00B7 \u2026 \u00B7 A\u2032_1 with A\u2032_l = 0.5\u00B7mean(A_l) + 0.5\u00B7I (rows "
                 "renormalised), mean(A_l) the mean of layer l's heads. Row i: how much each input token contributes "
                 "to position i at the top.")
            : tr("F(i, j) = max-flow from input token j to position i at the top through the layers, edge capacities "
                 "A\u2032_l(i, j). Offered up to %1 tokens (cost grows fast).")
                  .arg(kMaxFlowTokens);
    m_note->setText(formula);
    const bool empty = slice.empty();
    if (empty) {
        QStringList works;
        for (const Stack s : availableStacks(m_result->trace))
            if (s != Stack::Cross) works << stackDisplayName(s) + QStringLiteral("-attention");
        QString text = QStringLiteral("<p><b>%1</b></p>").arg(m_reason.toHtmlEscaped());
        if (m_stack == Stack::Cross && !works.isEmpty())
            text += tr("<p>Choose one with the Stack selector above: %1.</p>").arg(works.join(tr(" or ")));
        m_empty->setText(text);
    }
    m_plot->setVisible(!empty);
    m_empty->setVisible(empty);
    m_plot->setSlice(std::move(slice));
}


// ---- rollout's page (view_page.h) ----

namespace {

class RolloutPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("rollout"); }
    QString title() const override { return RolloutView::tr("&Rollout"); }
    QString menuText() const override { return RolloutView::tr("&Rollout / Flow"); }
    QWidget* widget() const override { return m_view; }
    void show(const ViewContext& c) override { m_view->setData(c.result, c.model->config, c.selection.stack); }
    void setColormap(const QString& name) override { m_view->plot()->setColormap(name); }
    QSize exportSize() const override { return m_view->plot()->size(); }
    void paint(QCPPainter& p, const QSize& size) const override { plotPaintFunction(m_view->plot())(p, size); }
    QString guide() const override
    {
        return RolloutView::tr(
            "<p><b>Attention rollout</b> (Abnar &amp; Zuidema 2020): per layer, A′ = ½·mean(A) + ½·I with rows "
            "renormalised (mean(A) the mean of the layer's heads); R = A′_L ⋯ A′_1. Row i says how much each input token "
            "contributes to position i at the top. <b>Flow</b> treats the layers as a graph with "
            "capacities A′ and takes max-flow values. Self-attention stacks only.</p>");
    }

private:
    RolloutView* m_view = new RolloutView;
};

} // namespace

std::unique_ptr<ViewPage> makeRolloutPage() { return std::make_unique<RolloutPage>(); }

} // namespace attnscope
