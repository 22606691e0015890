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
            ? tr("R = \u00C2_L \u00B7 \u2026 \u00B7 \u00C2_1 with \u00C2_l = 0.5\u00B7\u0100_l + 0.5\u00B7I (rows renormalised), "
                 "\u0100_l the mean of layer l's heads. Row i: how much each input token contributes to position i at the top.")
            : tr("F(i, j) = max-flow from input token j to position i at the top through the layers, edge capacities "
                 "\u00C2_l(i, j). Offered up to %1 tokens (cost grows fast).")
                  .arg(kMaxFlowTokens);
    m_note->setText(m_reason.isEmpty() ? formula : QStringLiteral("<b>%1</b> %2").arg(m_reason.toHtmlEscaped(), formula));
    if (slice.empty()) slice.title = m_reason;
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
            "<p><b>Attention rollout</b> (Abnar &amp; Zuidema 2020): per layer, Â = ½·Ā + ½·I with rows "
            "renormalised (Ā the mean of the heads); R = Â_L ⋯ Â_1. Row i says how much each input token "
            "contributes to position i at the top. <b>Flow</b> treats the layers as a graph with "
            "capacities Â and takes max-flow values. Self-attention stacks only.</p>");
    }

private:
    RolloutView* m_view = new RolloutView;
};

} // namespace

std::unique_ptr<ViewPage> makeRolloutPage() { return std::make_unique<RolloutPage>(); }

} // namespace attnscope
