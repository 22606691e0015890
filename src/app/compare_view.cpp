// See compare_view.h.
#include "app/compare_view.h"
#include "app/token_chips.h"
#include "app/view_page.h"

#include "app/head_grid_view.h"
#include "core/recompute.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QEvent>
#include <QGridLayout>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace attnscope {

namespace {

// The smallest half-range of the A − B colour scale: differences far below this are float
// noise and should stay white instead of being stretched over the whole scale.
constexpr double kMinDifferenceRange = 1e-3;

// Longer token rows are summarised instead of drawn as chips.
constexpr size_t kMaxTokenChips = 200;

// The per-head map of a long input is computed on the view's own runner, next to the selected
// head (kPairChannel), on a channel of its own: each keeps only its newest request, in ticket order.
const WorkChannel kPairChannel = QStringLiteral("compare");
const WorkChannel kChangeMapChannel = QStringLiteral("compare-change-map");

// The A − B colour bar's label: short, so that it fits a bar of 1024 × 700 (the status line says
// which colour is which).
QString differenceLabel() { return CompareView::tr("A \u2212 B"); }

// Shows a signed matrix on a heatmap (the plot places negative values as they are, and pools a
// long input's cells by their largest |value|), with the diverging map and [−r, r].
void showSigned(HeatmapPlot* plot, AttentionSlice slice, double range, const QString& label)
{
    plot->setSignedScale(range, label);
    plot->setSlice(std::move(slice));
}

// An attention difference with `decimals` decimals, or two significant digits when that would
// show it as 0 (long inputs spread attention thin: 1/2048 is 0.0005).
QString attentionNumber(float value, int decimals)
{
    const double v = value;
    return v == 0.0 || std::abs(v) >= 0.5 * std::pow(10.0, -decimals) ? QString::number(v, 'f', decimals)
                                                                      : QString::number(v, 'g', 2);
}

// Long inputs: after this view has dropped T × T matrices or a run's trace, and before it
// allocates new ones, hands the freed pages back to the system. Blocks below glibc's mmap
// threshold (fixed at 128 KB by configureHeapForInference in the app; otherwise it grows to the
// largest block freed, up to 32 MiB) stay in the heap of the thread that freed them — B's forward
// pass and the recomputes run on worker threads — where the GUI thread's plots cannot reuse them.
void releaseFreedMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent)
{
    m_runner = new InferenceRunner(this);
    connect(m_runner, &InferenceRunner::finished, this, &CompareView::onFinished);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    auto* label = new QLabel(tr("Input &B:"), this);
    m_inputB = new QLineEdit(this);
    m_inputB->setObjectName(QStringLiteral("compareInputEdit"));
    m_inputB->setPlaceholderText(tr("Second input to compare with the main input (A)\u2026"));
    m_inputB->setToolTip(tr("Run through the same model, target and ablated heads as A; edit a word and compare"));
    m_inputB->setClearButtonEnabled(true);
    label->setBuddy(m_inputB);
    m_copyA = new QPushButton(tr("B = A"), this);
    m_copyA->setObjectName(QStringLiteral("compareCopyButton"));
    m_copyA->setToolTip(tr("Copy the main input into B (B then follows A until you edit it)"));
    top->addWidget(label);
    top->addWidget(m_inputB, 1);
    top->addWidget(m_copyA);
    layout->addLayout(top);

    m_tokens = new QLabel(this);
    m_tokens->setObjectName(QStringLiteral("compareTokens"));
    m_tokens->setTextFormat(Qt::RichText);
    m_tokens->setWordWrap(true);
    m_tokens->setToolTip(tr("Rows of the selected stack for A and B; tokens that differ are marked"));
    layout->addWidget(m_tokens);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("compareStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    // Below the input and the status lines, one scrolling page: the three maps in a grid that
    // reflows with the width (three in a row when each can have kMinimumPlotSize, else two, else
    // one above the other), then the per-head change map. At 1024 × 700 the page scrolls instead
    // of squeezing each map to a few pixels between its labels and colour bar.
    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("compareScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setMinimumWidth(minimumPlotSize().width() + m_scroll->verticalScrollBar()->sizeHint().width() + 4);
    auto* page = new QWidget(m_scroll);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    m_plots = new QWidget(page);
    m_plotGrid = new QGridLayout(m_plots);
    m_plotGrid->setContentsMargins(0, 0, 0, 0);
    m_plotA = new HeatmapPlot(m_plots);
    m_plotA->setObjectName(QStringLiteral("comparePlotA"));
    m_plotB = new HeatmapPlot(m_plots);
    m_plotB->setObjectName(QStringLiteral("comparePlotB"));
    m_plotDiff = new HeatmapPlot(m_plots);
    m_plotDiff->setObjectName(QStringLiteral("comparePlotDifference"));
    for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) p->setMinimumSize(minimumPlotSize());
    // Diverging from the start: the bar is never the attention colour map, not even before B has run.
    m_plotDiff->setSignedScale(kMinDifferenceRange, differenceLabel());
    auto* mapBox = new QWidget(page);
    auto* mapLayout = new QVBoxLayout(mapBox);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    m_mapNote = new QLabel(mapBox);
    m_mapNote->setObjectName(QStringLiteral("compareMapNote"));
    m_mapNote->setWordWrap(true);
    m_changeMap = new HeadGridView(mapBox);
    m_changeMap->setObjectName(QStringLiteral("compareChangeMap"));
    m_changeMap->setMinimumHeight(180);
    mapLayout->addWidget(m_mapNote);
    mapLayout->addWidget(m_changeMap, 1);
    pageLayout->addWidget(m_plots, 3);
    pageLayout->addWidget(mapBox, 2);
    m_scroll->setWidget(page);
    m_scroll->viewport()->installEventFilter(this);
    m_tokens->installEventFilter(this);
    layout->addWidget(m_scroll, 1);
    reflowPlots();

    connect(m_inputB, &QLineEdit::textEdited, this, [this] { m_followA = false; });
    connect(m_inputB, &QLineEdit::textChanged, this, [this] {
        m_stale = true;
        submitB();
    });
    connect(m_copyA, &QPushButton::clicked, this, [this] {
        m_followA = true;
        m_inputB->setText(m_textA);
    });
    connect(m_changeMap, &HeadGridView::cellClicked, this, [this](int, int l, int h) { emit headActivated(l, h); });
    rebuild();
}

void CompareView::setRunContext(std::shared_ptr<const Transformer> transformer, RunOptions options, const QString& textA,
                                std::optional<MeanAblationRequest> mean)
{
    m_mean = std::move(mean);
    if (transformer != m_transformer) {
        m_followA = true; // another model: start again from a copy of A
        m_b.reset();
    }
    m_transformer = std::move(transformer);
    m_options = std::move(options);
    m_textA = textA;
    m_stale = true;
    if (m_followA && m_inputB->text() != textA) m_inputB->setText(textA); // submits
    else submitB();
}

QSize CompareView::minimumPlotSize() { return QSize(400, 280); }

void CompareView::setDifferenceShown(bool shown)
{
    if (m_plotDiff->isHidden() != shown) return;
    m_plotDiff->setVisible(shown);
    reflowPlots();
}

void CompareView::reflowPlots()
{
    // As many maps in a row as fit at their minimum size (at most the ones shown), the rest below;
    // the grid is then at least that many rows of kMinimumPlotSize tall, so the page scrolls.
    std::vector<HeatmapPlot*> shown{m_plotA, m_plotB};
    if (!m_plotDiff->isHidden()) shown.push_back(m_plotDiff);
    const int spacing = std::max(0, m_plotGrid->spacing());
    const int width = m_scroll->viewport()->width();
    const int columns =
        std::clamp((width + spacing) / (minimumPlotSize().width() + spacing), 1, int(shown.size()));
    if (columns == m_plotColumns && int(shown.size()) == m_plotsShown) return;
    m_plotColumns = columns;
    m_plotsShown = int(shown.size());
    for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) m_plotGrid->removeWidget(p);
    for (int c = 0; c < 3; ++c) m_plotGrid->setColumnStretch(c, 0);
    for (int i = 0; i < int(shown.size()); ++i) m_plotGrid->addWidget(shown[size_t(i)], i / columns, i % columns);
    for (int c = 0; c < columns; ++c) m_plotGrid->setColumnStretch(c, 1);
    const int rows = (int(shown.size()) + columns - 1) / columns;
    for (int r = 0; r < 3; ++r) m_plotGrid->setRowStretch(r, r < rows ? 1 : 0);
}

bool CompareView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize) reflowPlots();
    // The token rows' label is as tall as its text at its width: a tab page's layout does not
    // ask labels for their height for a width, and squeezed it to one line (B's row cut off).
    if (watched == m_tokens && (event->type() == QEvent::Resize || event->type() == QEvent::Polish)) {
        const int need = m_tokens->text().isEmpty() ? 0 : m_tokens->heightForWidth(m_tokens->width());
        if (need != m_tokens->minimumHeight()) m_tokens->setMinimumHeight(need);
    }
    return QWidget::eventFilter(watched, event);
}

void CompareView::setData(std::shared_ptr<const RunResult> a, std::shared_ptr<const Model> model, HeadSelection selection)
{
    m_a = std::move(a);
    m_model = std::move(model);
    m_selection = selection;
    rebuild();
}

void CompareView::setActive(bool active)
{
    const bool wasActive = m_active;
    m_active = active;
    submitB();
    if (m_active && m_waiting) rebuild(); // a long input's head is recomputed only while shown
    if (!m_active && ((m_a && m_a->trace.compact) || (m_b && m_b->trace.compact))) {
        // Long inputs: hidden, the view gives back its three T × T matrices (and the plots'
        // copies); shown again, it recomputes them.
        for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) p->setSlice({});
        m_waiting = true;
        if (wasActive) releaseFreedMemory();
    }
}

void CompareView::setColormap(const QString& name)
{
    m_colormap = name;
    m_plotA->setColormap(name);
    m_plotB->setColormap(name);
    m_changeMap->setColormap(name);
}

void CompareView::setTextB(const QString& text)
{
    m_followA = false;
    m_inputB->setText(text);
}

QString CompareView::textB() const { return m_inputB->text(); }

bool CompareView::isIdle() const { return !m_stale && m_runner->isIdle() && m_runner->sliceIdle(); }

QString CompareView::statusText() const { return m_status->text(); }

int CompareView::changeMapExponent(const MatrixRM& values)
{
    float largest = 0.0f;
    for (Eigen::Index i = 0; i < values.size(); ++i)
        if (std::isfinite(values.data()[i])) largest = std::max(largest, std::abs(values.data()[i]));
    // × 100 unless the largest value would read 0.00 there: then the power of ten that makes it ≥ 1.
    int k = 2;
    if (largest > 0.0f && largest * 100.0f < 0.005f)
        while (k < 12 && largest * changeMapScale(k) < 1.0f) ++k;
    return k;
}

float CompareView::changeMapScale(int exponent) { return float(std::pow(10.0, exponent)); }

const MatrixRM& CompareView::difference() const { return m_plotDiff->slice().weights; }

std::pair<int, int> CompareView::changeMapProgress() const
{
    const bool shown =
        m_a && m_longMap.a.lock() == m_a && m_longMap.b.lock() == m_b && m_longMap.stack == m_selection.stack;
    return shown ? std::pair{m_longMap.done, int(m_longMap.map.meanAbs.size())} : std::pair{0, 0};
}

void CompareView::submitB()
{
    if (!m_active || !m_stale || !m_transformer) return;
    m_stale = false;
    if (m_b && m_b->trace.compact) {
        // Long inputs: B's new run takes seconds and the shown comparison is stale meanwhile; its
        // trace and three T × T plots are given back first instead of living next to the new run.
        m_b.reset();
        rebuild();
        releaseFreedMemory();
    }
    RunOptions o = m_options;
    o.text = m_inputB->text().toStdString();
    m_runner->submit(m_transformer, std::move(o), false, m_mean);
}

void CompareView::onFinished(const RunOutcome& outcome)
{
    if (outcome.transformer != m_transformer) return; // B of a model no longer shown
    if (!outcome.result) {
        m_b.reset();
        m_status->setText(tr("<b>B could not be run:</b> %1").arg(outcome.error.toHtmlEscaped()));
        return;
    }
    const bool compact = outcome.result->trace.compact;
    m_b.reset();
    if (compact) releaseFreedMemory(); // what B's forward pass freed on the worker, before the plots
    m_b = outcome.result;
    rebuild();
    emit compared();
}

void CompareView::rebuild()
{
    m_alignment = StackAlignment();
    m_changes = HeadChangeMap();
    m_pairStatus.clear();
    m_waiting = false;
    const bool ready = m_a && m_b && m_model && !m_a->trace.empty() && !m_b->trace.empty();
    if (!ready) {
        for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) p->setSlice({});
        setDifferenceShown(true);
        m_changeMap->setPanels({}, tr("How much each head changed"));
        m_mapNote->clear();
        m_tokens->clear();
        m_status->setText(!m_a || !m_model ? tr("Open a model and type an input (A) above.")
                          : m_b && m_b->trace.empty()
                              ? tr("B is empty: type a second input to compare with A.")
                              : tr("Type a second input B to compare with A (running\u2026)."));
        return;
    }
    const ModelConfig& config = m_model->config;
    const Stack stack = m_selection.stack;
    // (alignStackOf: alignStack, also for compact traces, whose shapes come from their block inputs.)
    m_alignment = alignStackOf(*m_a, *m_b, config, stack);
    const bool compact = m_a->trace.compact || m_b->trace.compact;

    // A compact trace's slice is recomputed below, off the GUI thread: here only its title.
    AttentionSlice a = compact ? AttentionSlice() : sliceOf(*m_a, config, m_selection);
    AttentionSlice b = compact ? AttentionSlice() : sliceOf(*m_b, config, m_selection);
    const QString what =
        m_selection.head == kMeanOfHeads
            ? tr("%1-attention \u00B7 layer %2 \u00B7 mean of heads").arg(stackDisplayName(stack)).arg(m_selection.layer)
            : tr("%1-attention \u00B7 layer %2 \u00B7 head %3")
                  .arg(stack == Stack::Cross ? QStringLiteral("cross") : stackDisplayName(stack))
                  .arg(m_selection.layer)
                  .arg(m_selection.head);
    // Plot titles leave out the stack (shown by the selectors and the map's title) unless it is
    // cross-attention: three plots side by side have room for about 25 characters each.
    const QString head = m_selection.head == kMeanOfHeads ? tr("mean of heads") : tr("head %1").arg(m_selection.head);
    const QString shortWhat = (stack == Stack::Cross ? tr("cross \u00B7 ") : QString()) +
                              tr("layer %1 \u00B7 %2").arg(m_selection.layer).arg(head);
    a.title = tr("A: %1").arg(shortWhat);
    b.title = tr("B: %1").arg(shortWhat);

    // Token rows of both inputs with the differing positions marked (only meaningful when aligned).
    const std::set<int> rowsDiffer(m_alignment.differingQueries.begin(), m_alignment.differingQueries.end());
    const std::set<int> keysDiffer(m_alignment.differingKeys.begin(), m_alignment.differingKeys.end());
    const QPalette pal = palette();
    const std::vector<Token> qa = queryTokens(*m_a, config, stack), qb = queryTokens(*m_b, config, stack);
    QString tokens = tr("<b>A</b> (%1 rows): ").arg(qa.size()) + tokenChipsHtml(qa, pal, {kMaxTokenChips, rowsDiffer}) + QStringLiteral("<br>") +
                     tr("<b>B</b> (%1 rows): ").arg(qb.size()) + tokenChipsHtml(qb, pal, {kMaxTokenChips, rowsDiffer});
    if (std::max(qa.size(), qb.size()) > kMaxTokenChips) {
        // Long inputs: thousands of chips would fill the tab; the positions that differ are what matters.
        QStringList where;
        for (const int i : m_alignment.differingQueries) {
            if (where.size() == 20) {
                where << QStringLiteral("\u2026");
                break;
            }
            where << QStringLiteral("%1 (%2/%3)").arg(i).arg(tokenLabel(qa[size_t(i)]).toHtmlEscaped(),
                                                          tokenLabel(qb[size_t(i)]).toHtmlEscaped());
        }
        tokens = tr("<b>A</b>: %1 rows, <b>B</b>: %2 rows").arg(qa.size()).arg(qb.size());
        if (m_alignment.aligned)
            tokens += where.isEmpty() ? tr("; no row differs") : tr("; rows that differ: %1").arg(where.join(QStringLiteral(", ")));
        m_tokens->setText(tokens);
    } else if (stack == Stack::Cross) {
        const std::vector<Token> ka = keyTokens(*m_a, config, stack), kb = keyTokens(*m_b, config, stack);
        tokens += QStringLiteral("<br>") + tr("<b>A</b> keys: ") + tokenChipsHtml(ka, pal, {kMaxTokenChips, keysDiffer}) + QStringLiteral("<br>") +
                  tr("<b>B</b> keys: ") + tokenChipsHtml(kb, pal, {kMaxTokenChips, keysDiffer});
    }
    if (std::max(qa.size(), qb.size()) <= kMaxTokenChips) m_tokens->setText(tokens);
    m_tokens->setMinimumHeight(m_tokens->text().isEmpty() ? 0 : m_tokens->heightForWidth(m_tokens->width()));

    if (!m_alignment.present) {
        m_plotA->setSlice(std::move(a));
        m_plotB->setSlice(std::move(b));
        m_plotDiff->setSlice({});
        setDifferenceShown(false);
        m_status->setText(tr("<b>Nothing to compare for this stack:</b> A and B do not both hold its full attention "
                             "weights."));
        m_changeMap->setPanels({}, tr("How much each head changed"));
        m_mapNote->clear();
        return;
    }
    if (compact) {
        requestRecomputed(what, shortWhat);
        return;
    }
    if (!m_alignment.aligned) {
        m_plotA->setSlice(std::move(a));
        m_plotB->setSlice(std::move(b));
        m_plotDiff->setSlice({});
        setDifferenceShown(false);
        m_status->setText(
            tr("<b>Token sequences differ in length: showing side by side.</b> A is %1 \u00D7 %2, B is %3 \u00D7 %4 "
               "(queries \u00D7 keys); A \u2212 B needs the same positions. Change a word for one with as many tokens "
               "to see the difference.")
                .arg(m_alignment.queriesA)
                .arg(m_alignment.keysA)
                .arg(m_alignment.queriesB)
                .arg(m_alignment.keysB));
        m_changeMap->setPanels({}, tr("How much each head changed: needs aligned token sequences"));
        m_mapNote->setText(tr("The per-head map compares A and B cell by cell, so it too needs sequences of equal length."));
        return;
    }

    // Aligned: A − B for the selected head (or the mean of heads), computed by core.
    MatrixRM difference;
    try {
        difference = attentionDifference(m_a->trace, m_b->trace, stack, m_selection.layer,
                                         m_selection.head == kMeanOfHeads ? kCompareMeanOfHeads : m_selection.head);
        m_changes = attnscope::headChanges(m_a->trace, m_b->trace, stack);
    } catch (const std::exception& e) {
        m_status->setText(tr("<b>Cannot compare:</b> %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        return;
    }
    showPair(std::move(a), std::move(b), std::move(difference), shortWhat);
    showChangeMap(m_changes, tr("Each cell: one head's |A \u2212 B| averaged (left) or maximal (right) over its cells, "
                                "in percentage points of attention (\u00D7 100). Click a head to show it above."));
}

void CompareView::requestRecomputed(const QString& what, const QString& shortWhat)
{
    m_waiting = true;
    const bool aligned = m_alignment.aligned;
    m_plotA->setSlice({{}, {}, {}, tr("A: %1 (recomputing\u2026)").arg(shortWhat)});
    m_plotB->setSlice({{}, {}, {}, tr("B: %1 (recomputing\u2026)").arg(shortWhat)});
    m_plotDiff->setSlice({});
    setDifferenceShown(aligned);
    m_status->setText(tr("<b>Long input:</b> recomputing %1 for A and B\u2026").arg(what.toHtmlEscaped()));
    if (m_active && m_transformer && m_model) { // else recomputed when the tab is shown
        const std::shared_ptr<const Transformer> transformer = m_transformer;
        const ModelConfig config = m_model->config;
        const HeadSelection sel = m_selection;
        // The work holds the results weakly: a request still waiting when B is run again does not
        // keep the old B's trace alive, and is skipped.
        const std::weak_ptr<const RunResult> wa = m_a, wb = m_b;
        m_runner->requestWork(kPairChannel, [this, wa, wb, transformer, config, sel, aligned,
                                                     shortWhat]() -> std::function<void()> {
            const std::shared_ptr<const RunResult> a = wa.lock(), b = wb.lock();
            if (!a || !b) return {};
            // sliceOf recomputes a compact trace's head (or layer mean) and copies a full one's.
            auto sa = std::make_shared<AttentionSlice>(sliceOf(*a, config, sel, transformer.get()));
            auto sb = std::make_shared<AttentionSlice>(sliceOf(*b, config, sel, transformer.get()));
            // A − B of the recomputed matrices (attentionDifference's definition, cell by cell),
            // here rather than on the GUI thread.
            auto d = std::make_shared<MatrixRM>();
            const bool same = aligned && !sa->empty() && sa->weights.rows() == sb->weights.rows() &&
                              sa->weights.cols() == sb->weights.cols();
            if (same) *d = sa->weights - sb->weights;
            return [this, a, b, sel, sa, sb, d, same, shortWhat] {
                if (a != m_a || b != m_b || !(sel == m_selection) || !m_waiting) return;
                m_waiting = false;
                if (sa->empty() || sb->empty()) {
                    m_status->setText(tr("<b>Cannot compare:</b> the head could not be recomputed."));
                    return;
                }
                sa->title = tr("A: %1").arg(shortWhat);
                sb->title = tr("B: %1").arg(shortWhat);
                if (!same) {
                    m_plotA->setSlice(std::move(*sa));
                    m_plotB->setSlice(std::move(*sb));
                    m_status->setText(tr("<b>Token sequences differ in length: showing side by side.</b> A is %1 "
                                         "\u00D7 %2, B is %3 \u00D7 %4 (queries \u00D7 keys); A \u2212 B needs the "
                                         "same positions.")
                                          .arg(m_alignment.queriesA)
                                          .arg(m_alignment.keysA)
                                          .arg(m_alignment.queriesB)
                                          .arg(m_alignment.keysB));
                    return;
                }
                showPair(std::move(*sa), std::move(*sb), std::move(*d), shortWhat);
                emit compared();
            };
        });
    }
    continueLongMap();
}

void CompareView::continueLongMap()
{
    const Stack stack = m_selection.stack;
    if (!m_alignment.aligned) {
        m_changeMap->setPanels({}, tr("How much each head changed: needs aligned token sequences"));
        m_mapNote->setText(
            tr("The per-head map compares A and B cell by cell, so it too needs sequences of equal length."));
        return;
    }
    LongMap& lm = m_longMap;
    const int heads = m_model->config.nHeads;
    if (lm.a.lock() != m_a || lm.b.lock() != m_b || lm.stack != stack) { // another pair: start again
        lm = LongMap{m_a, m_b, stack, {}, 0, false, {}};
        const auto layers = Eigen::Index(m_a->trace.stack(stack).size());
        lm.map.stack = stack;
        lm.map.meanAbs = MatrixRM::Constant(layers, heads, std::numeric_limits<float>::quiet_NaN());
        lm.map.maxAbs = lm.map.meanAbs;
    }
    const int total = int(lm.map.meanAbs.size());
    const QString cells = tr("Each cell: one head's |A \u2212 B| averaged (left) or maximal (right) over its cells, in "
                             "percentage points of attention (\u00D7 100) unless the panel's title says otherwise. "
                             "Click a head to show it above.");
    if (!lm.error.isEmpty()) {
        showChangeMap({}, tr("<b>The per-head map could not be computed:</b> %1").arg(lm.error.toHtmlEscaped()));
        return;
    }
    if (lm.done == total) {
        m_changes = lm.map;
        showChangeMap(m_changes, tr("Long input: every head of A and B recomputed from the compact traces. ") + cells);
        return;
    }
    showChangeMap(lm.map, tr("<b>Long input: computing the per-head map, %1 of %2 heads\u2026</b> Each head of A and "
                             "B is recomputed from the compact trace in turn (n/a: not yet), while this tab is shown. ")
                                  .arg(lm.done)
                                  .arg(total) +
                              cells);
    // B's newer run would make this pair stale: its result starts the map again.
    if (!m_active || lm.requested || m_stale || !m_runner->isIdle() || !m_transformer) return;
    lm.requested = true;
    const int layer = lm.done / heads, head = lm.done % heads;
    const std::weak_ptr<const RunResult> wa = m_a, wb = m_b; // as for the selected head
    const std::shared_ptr<const Transformer> transformer = m_transformer;
    m_runner->requestWork(kChangeMapChannel, [this, wa, wb, transformer, stack, layer,
                                              head]() -> std::function<void()> {
        const std::shared_ptr<const RunResult> a = wa.lock(), b = wb.lock();
        if (!a || !b) return {};
        auto summary = std::make_shared<DifferenceSummary>();
        auto error = std::make_shared<QString>();
        try {
            *summary = headChangeOf(*transformer, a->trace, b->trace, stack, layer, head);
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
        return [this, a, b, stack, layer, head, summary, error] {
            LongMap& lm = m_longMap;
            if (a != lm.a.lock() || b != lm.b.lock() || stack != lm.stack) return; // a stale pair's head
            lm.requested = false;
            const int heads = int(lm.map.meanAbs.cols());
            if (lm.done != layer * heads + head) return;
            if (!error->isEmpty()) {
                lm.error = *error;
            } else {
                lm.map.meanAbs(layer, head) = summary->meanAbs;
                lm.map.maxAbs(layer, head) = summary->maxAbs;
                ++lm.done;
                if (lm.done == int(lm.map.meanAbs.size())) markMostChanged(lm.map);
            }
            if (a != m_a || b != m_b || stack != m_selection.stack) return; // not shown now: kept for later
            continueLongMap();
            if (m_changes.layer >= 0 && !m_waiting) updateStatus();
        };
    });
}

void CompareView::showPair(AttentionSlice a, AttentionSlice b, MatrixRM difference, const QString& what)
{
    const DifferenceSummary sum = summarizeDifference(difference);
    AttentionSlice d;
    // Rows and columns whose token differs are labelled "a/b".
    auto labels = [](const QStringList& la, const QStringList& lb) {
        QStringList out;
        for (int i = 0; i < la.size(); ++i)
            out << (i < lb.size() && la[i] != lb[i] ? la[i] + QLatin1Char('/') + lb[i] : la[i]);
        return out;
    };
    d.queryLabels = labels(a.queryLabels, b.queryLabels);
    d.keyLabels = labels(a.keyLabels, b.keyLabels);
    d.title = tr("A \u2212 B: %1").arg(what);
    d.queryAxis = a.queryAxis; // "query: reads → produces" as on A and B
    d.causal = a.causal;       // masked cells are masked in both: hatched, not a difference of 0
    if (sum.maxAbs == 0.0f)
        m_pairStatus = tr("<b>A and B attend identically here</b> (A \u2212 B = 0). Edit a word of B to compare.");
    else
        m_pairStatus =
            tr("<b>A \u2212 B</b> (red: A attends more, blue: B more): max |A \u2212 B| = %1 at %2 \u2192 %3, mean "
               "|A \u2212 B| = %4 over %5 cells.")
                .arg(attentionNumber(sum.maxAbs, 3))
                .arg(d.queryLabels.value(sum.query).toHtmlEscaped(), d.keyLabels.value(sum.key).toHtmlEscaped())
                .arg(attentionNumber(sum.meanAbs, 4))
                .arg(difference.size());
    d.weights = std::move(difference); // the plot keeps the one copy (difference() reads it)
    const double range = std::max(double(sum.maxAbs), kMinDifferenceRange);
    m_plotA->setSlice(std::move(a));
    m_plotB->setSlice(std::move(b));
    setDifferenceShown(true);
    showSigned(m_plotDiff, std::move(d), range, differenceLabel());
    updateStatus();
}

void CompareView::updateStatus()
{
    QString status = m_pairStatus;
    if (m_changes.layer >= 0 && m_changes.meanAbs.size() > 0 && m_changes.meanAbs.maxCoeff() > 0.0f)
        status += tr(" Most changed head of this stack: <b>layer %1, head %2</b> (mean |A \u2212 B| = %3).")
                      .arg(m_changes.layer)
                      .arg(m_changes.head)
                      .arg(attentionNumber(m_changes.meanAbs(m_changes.layer, m_changes.head), 4));
    m_status->setText(status);
}

void CompareView::showChangeMap(const HeadChangeMap& map, const QString& note)
{
    m_mapNote->setText(note);
    if (map.meanAbs.size() == 0) {
        m_changeMap->setPanels({}, tr("How much each head changed"));
        return;
    }
    std::vector<HeadGridView::Panel> panels;
    // In percentage points of attention (×100): the grid labels cells with two decimals, and
    // mean differences are typically around 0.01. Scaled further when that would read 0.00.
    auto panel = [](const QString& what, const MatrixRM& values, int id) {
        const int k = changeMapExponent(values);
        QString unit = QStringLiteral("100");
        if (k != 2) {
            static const QString superscript = QStringLiteral("\u2070\u00B9\u00B2\u00B3\u2074\u2075\u2076\u2077\u2078\u2079");
            unit = QStringLiteral("10");
            for (const QChar digit : QString::number(k)) unit += superscript[digit.digitValue()];
        }
        return HeadGridView::Panel{tr("%1 \u00D7 %2").arg(what, unit), values * changeMapScale(k), id, {}, {}, {}};
    };
    panels.push_back(panel(tr("mean |A \u2212 B|"), map.meanAbs, 0));
    panels.push_back(panel(tr("max |A \u2212 B|"), map.maxAbs, 1));
    m_changeMap->setPanels(std::move(panels),
                           tr("How much each head changed from A to B: %1-attention, every layer \u00D7 head")
                               .arg(stackDisplayName(map.stack)));
    m_changeMap->setSelected(m_selection.layer, m_selection.head == kMeanOfHeads ? -1 : m_selection.head);
}


// ---- Compare's page (view_page.h) ----

namespace {

class ComparePage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("compare"); }
    QString title() const override { return CompareView::tr("Co&mpare"); }
    QString menuText() const override { return CompareView::tr("Co&mpare Inputs"); }
    QWidget* widget() const override { return m_view; }
    bool feedsEveryResult() const override { return true; } // keeps input B in step
    void show(const ViewContext& c) override { m_view->setData(c.result, c.model, c.selection); }
    void setActive(bool active) override { m_view->setActive(active); }
    void setColormap(const QString& name) override { m_view->setColormap(name); }
    void paint(QCPPainter& p, const QSize&) const override { m_view->render(&p); }
    QString guide() const override
    {
        return CompareView::tr(
            "<p>Input A (the main input) against input B, typed here. Where their tokens align, the "
            "selected head's A, B and A − B (blue: less attention in A, red: more) and a layers × heads "
            "map of the mean |A − B| per head; otherwise A and B side by side.</p>");
    }

private:
    CompareView* m_view = new CompareView;
};

} // namespace

std::unique_ptr<ViewPage> makeComparePage() { return std::make_unique<ComparePage>(); }

} // namespace attnscope
