// See census_view.h.
#include "app/census_view.h"
#include "app/view_page.h"

#include "render/attention_slice.h"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace attnscope {

CensusView::CensusView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("censusNote"));
    m_note->setWordWrap(true);
    m_export = new QPushButton(tr("Export CSV\u2026"), this);
    m_export->setObjectName(QStringLiteral("censusExportButton"));
    m_export->setToolTip(tr("Save every statistic of every head as CSV (one row per head)"));
    top->addWidget(m_note, 1);
    top->addWidget(m_export);
    layout->addLayout(top);
    m_grid = new HeadGridView(this);
    m_grid->setObjectName(QStringLiteral("censusGrid"));
    layout->addWidget(m_grid, 1);
    connect(m_grid, &HeadGridView::cellClicked, this, [this](int, int l, int h) { emit headActivated(l, h); });
    connect(m_export, &QPushButton::clicked, this, &CensusView::exportRequested);
}

const HeadCensus* CensusView::census() const
{
    return m_analysis ? m_analysis->censusOf(m_stack) : nullptr;
}

QByteArray CensusView::csv() const
{
    const HeadCensus* c = census();
    return c ? QByteArray::fromStdString(c->toCsv()) : QByteArray();
}

void CensusView::setData(std::shared_ptr<const RunAnalysis> analysis, Stack stack)
{
    m_analysis = std::move(analysis);
    m_stack = stack;
    std::vector<HeadGridView::Panel> panels;
    const HeadCensus* c = census();
    if (c) {
        for (int s = 0; s < kHeadStatisticCount; ++s) {
            const MatrixRM& v = c->values[size_t(s)];
            // Induction is defined for decoder-only self-attention only; other stacks skip it.
            bool any = false;
            for (Eigen::Index i = 0; i < v.size(); ++i) any = any || std::isfinite(v.data()[i]);
            if (!any) continue;
            panels.push_back({QString::fromLatin1(displayName(HeadStatistic(s))), v, s, {}});
        }
    }
    m_grid->setPanels(std::move(panels), c ? tr("Head census: %1-attention, every layer \u00D7 head").arg(stackDisplayName(stack))
                                           : tr("Head census"));
    m_export->setEnabled(c != nullptr);
    m_note->setText(c ? tr("Each map: rows are layers, columns heads; colours span each map's own range. Statistics "
                           "of this input's attention (induction: repeated random tokens). Click a head to open it.")
                      : tr("No census for this input."));
}


// ---- the census's page (view_page.h) ----

namespace {

class CensusPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("census"); }
    QString title() const override { return CensusView::tr("&Census"); }
    QString menuText() const override { return CensusView::tr("Head &Census"); }
    QWidget* widget() const override { return m_view; }
    bool feedsEveryResult() const override { return true; }
    bool needsAnalysis() const override { return true; }
    void show(const ViewContext& c) override
    {
        m_view->setData(c.analysis, c.selection.stack);
        m_view->setSelected(c.selection.layer, c.selection.head);
    }
    void setColormap(const QString& name) override { m_view->grid()->setColormap(name); }
    QSize exportSize() const override { return m_view->grid()->size(); }
    void paint(QCPPainter& p, const QSize& size) const override { m_view->grid()->paint(p, size); }
    QString guide() const override
    {
        return CensusView::tr(
            "<p>One statistic per head of the current input, as a layers × heads map per statistic. "
            "<b>Entropy</b>: mean over queries of −Σ A ln A, in "
            "nats (ln n for a uniform row over n keys). <b>Distance</b>: mean Σ A·|i − j|. "
            "<b>Previous token</b>: mean of A[i, i−1]. <b>First token</b>: mean weight on key 0. "
            "Click a head to open it.</p>");
    }

private:
    CensusView* m_view = new CensusView;
};

} // namespace

std::unique_ptr<ViewPage> makeCensusPage() { return std::make_unique<CensusPage>(); }

} // namespace attnscope
