// See census_view.h.
#include "app/census_view.h"
#include "app/view_page.h"

#include "render/attention_slice.h"

#include <qcustomplot.h>
#include <QComboBox>
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
    auto* scaleLabel = new QLabel(tr("&Scale:"), this);
    m_scale = new QComboBox(this);
    m_scale->setObjectName(QStringLiteral("censusScaleCombo"));
    m_scale->addItem(tr("per map"), int(Scale::PerMap));
    m_scale->addItem(tr("shared"), int(Scale::Shared));
    m_scale->setToolTip(tr("per map: each map's colours span its own min \u2026 max (the largest value is always "
                           "the brightest, even if it is small).\nshared: one range per statistic for every "
                           "stack (shares and scores 0 \u2026 1, entropy and distance 0 \u2026 their largest "
                           "value), so colours can be compared."));
    scaleLabel->setBuddy(m_scale);
    top->addWidget(m_note, 1);
    top->addWidget(scaleLabel);
    top->addWidget(m_scale);
    top->addWidget(m_export);
    layout->addLayout(top);
    m_grid = new HeadGridView(this);
    m_grid->setObjectName(QStringLiteral("censusGrid"));
    layout->addWidget(m_grid, 1);
    connect(m_grid, &HeadGridView::cellClicked, this, [this](int, int l, int h) { emit headActivated(l, h); });
    connect(m_export, &QPushButton::clicked, this, &CensusView::exportRequested);
    connect(m_scale, &QComboBox::currentIndexChanged, this, [this] { setData(m_analysis, m_stack); });
}

void CensusView::setScale(Scale scale) { m_scale->setCurrentIndex(m_scale->findData(int(scale))); }

CensusView::Scale CensusView::scale() const { return Scale(m_scale->currentData().toInt()); }

QString CensusView::note() const { return m_note->text(); }

QString CensusView::definition(HeadStatistic statistic)
{
    switch (statistic) {
    case HeadStatistic::Entropy:
        return tr("Entropy: H_i = \u2212\u03A3_j A_ij ln A_ij of each query's row, averaged over the queries, in nats. "
                  "0: all weight on one key; ln n: spread evenly over n keys.");
    case HeadStatistic::MeanDistance:
        return tr("Mean distance: \u03A3_j A_ij \u00B7 |i \u2212 j| averaged over the queries: how many tokens away "
                  "a query looks on average (0: at itself).");
    case HeadStatistic::PreviousToken:
        return tr("Previous-token score: mean over queries i ≥ 1 of A_i,i−1, the weight on the token just "
                  "before. 1: always attends to the previous token.");
    case HeadStatistic::FirstToken:
        return tr("First-token share: mean over the queries of the weight on key 0 (often a 'resting place' for "
                  "heads with nothing to do).");
    case HeadStatistic::SpecialTokens:
        return tr("Special-token share: mean over the queries of the total weight on special tokens (<s>, </s>, "
                  "[CLS], [SEP], \u2026).");
    case HeadStatistic::Induction:
        return tr("Induction score: n random tokens repeated twice; for each query i in the second copy, the weight "
                  "on key i \u2212 n + 1, the token that followed the earlier occurrence of the current one; "
                  "averaged. 1: a perfect induction head; a previous-token head scores about 0.");
    }
    return QString();
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
    const bool shared = scale() == Scale::Shared;
    if (c) {
        for (int s = 0; s < kHeadStatisticCount; ++s) {
            const MatrixRM& v = c->values[size_t(s)];
            // Induction is defined for decoder-only self-attention only; other stacks skip it.
            bool any = false;
            for (Eigen::Index i = 0; i < v.size(); ++i) any = any || std::isfinite(v.data()[i]);
            if (!any) continue;
            HeadGridView::Panel panel{QString::fromLatin1(displayName(HeadStatistic(s))), v, s, {}, {},
                                      definition(HeadStatistic(s))};
            if (shared) {
                // Shares and scores are fractions of a row's weight: 0 … 1. Entropy and distance
                // have no fixed top: 0 … the largest value of any stack's map of this statistic.
                double hi = 1.0;
                if (s == int(HeadStatistic::Entropy) || s == int(HeadStatistic::MeanDistance)) {
                    hi = 0.0;
                    for (const HeadCensus& other : m_analysis->census) {
                        const MatrixRM& o = other.values[size_t(s)];
                        for (Eigen::Index i = 0; i < o.size(); ++i)
                            if (std::isfinite(o.data()[i])) hi = std::max(hi, double(o.data()[i]));
                    }
                }
                panel.range = std::pair{0.0, hi};
            }
            panels.push_back(std::move(panel));
        }
    }
    m_grid->setPanels(std::move(panels), c ? tr("Head census: %1-attention, every layer \u00D7 head").arg(stackDisplayName(stack))
                                           : tr("Head census"));
    m_export->setEnabled(c != nullptr);
    const QString scaleNote =
        shared ? tr("<b>Shared scale</b>: shares and scores on 0 \u2026 1, entropy and distance on 0 \u2026 their "
                    "largest value in any stack, so colours compare between maps and stacks.")
               : tr("<b>Per-map scale</b>: each map's colours span its own range (under the map), so colours do "
                    "not compare between maps.");
    m_note->setText(c ? tr("Rows are layers, columns heads. %1 Statistics of this input's attention (induction: "
                           "repeated random tokens); hover a map for its definition, click a head to open it.")
                            .arg(scaleNote)
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
            "<b>Special tokens</b>: mean weight on special tokens. <b>Induction</b> (decoder models): on "
            "random tokens repeated twice, mean weight on the token after the earlier occurrence. "
            "<b>Scale</b>: <i>per map</i> colours each map over its own range; <i>shared</i> gives each "
            "statistic one range for every stack (shares 0 … 1), so colours compare. "
            "Hover a map for its definition; click a head to open it.</p>");
    }

private:
    CensusView* m_view = new CensusView;
};

} // namespace

std::unique_ptr<ViewPage> makeCensusPage() { return std::make_unique<CensusPage>(); }

} // namespace attnscope
