// See compare_view.h.
#include "app/compare_view.h"

#include "app/head_grid_view.h"
#include "core/recompute.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

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

// Shows a signed matrix on a heatmap: labels and orientation from the plot's own setSlice
// (placeCells), then the cells again without the floor at 0, the diverging map and [−r, r].
void showSigned(HeatmapPlot* plot, AttentionSlice slice, double range, const QString& label)
{
    const MatrixRM values = slice.weights;
    plot->setSlice(std::move(slice));
    if (values.size() == 0) return;
    placeCells(plot->colorMap(), values, -std::numeric_limits<double>::infinity());
    plot->colorMap()->setGradient(divergingColormap());
    plot->colorScale()->setDataRange(QCPRange(-range, range));
    plot->colorScale()->axis()->setLabel(label);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

QString tokenChips(const std::vector<Token>& tokens, const std::set<int>& marked, const QPalette& pal)
{
    QString html;
    const QColor mark(255, 170, 60);
    for (int i = 0; i < static_cast<int>(tokens.size()); ++i) {
        QString text = tokenLabel(tokens[size_t(i)]).toHtmlEscaped();
        if (tokens[size_t(i)].special) text = QStringLiteral("<i>%1</i>").arg(text);
        if (marked.count(i))
            html += QStringLiteral("<span style=\"background-color:%1;color:black\"><b>&nbsp;%2&nbsp;</b></span> ")
                        .arg(mark.name(), text);
        else
            html += QStringLiteral("<span style=\"color:%1\">%2</span> ").arg(pal.color(QPalette::Text).name(), text);
    }
    return html;
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

    auto* split = new QSplitter(Qt::Vertical, this);
    auto* plots = new QWidget(split);
    auto* row = new QHBoxLayout(plots);
    row->setContentsMargins(0, 0, 0, 0);
    m_plotA = new HeatmapPlot(plots);
    m_plotA->setObjectName(QStringLiteral("comparePlotA"));
    m_plotB = new HeatmapPlot(plots);
    m_plotB->setObjectName(QStringLiteral("comparePlotB"));
    m_plotDiff = new HeatmapPlot(plots);
    m_plotDiff->setObjectName(QStringLiteral("comparePlotDifference"));
    for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) row->addWidget(p, 1);
    auto* mapBox = new QWidget(split);
    auto* mapLayout = new QVBoxLayout(mapBox);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    m_mapNote = new QLabel(mapBox);
    m_mapNote->setObjectName(QStringLiteral("compareMapNote"));
    m_mapNote->setWordWrap(true);
    m_changeMap = new HeadGridView(mapBox);
    m_changeMap->setObjectName(QStringLiteral("compareChangeMap"));
    m_changeMap->setMinimumHeight(150);
    mapLayout->addWidget(m_mapNote);
    mapLayout->addWidget(m_changeMap, 1);
    split->addWidget(plots);
    split->addWidget(mapBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

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

void CompareView::setData(std::shared_ptr<const RunResult> a, std::shared_ptr<const Model> model, HeadSelection selection)
{
    m_a = std::move(a);
    m_model = std::move(model);
    m_selection = selection;
    rebuild();
}

void CompareView::setActive(bool active)
{
    m_active = active;
    submitB();
    if (m_active && m_waiting) rebuild(); // a long input's head is recomputed only while shown
    if (!m_active && ((m_a && m_a->trace.compact) || (m_b && m_b->trace.compact))) {
        // Long inputs: hidden, the view gives back its three T × T matrices (and the plots'
        // copies); shown again, it recomputes them.
        for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) p->setSlice({});
        m_difference = MatrixRM();
        m_waiting = true;
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

void CompareView::submitB()
{
    if (!m_active || !m_stale || !m_transformer) return;
    m_stale = false;
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
    m_b = outcome.result;
    rebuild();
    emit compared();
}

void CompareView::rebuild()
{
    m_alignment = StackAlignment();
    m_difference = MatrixRM();
    m_changes = HeadChangeMap();
    m_waiting = false;
    const bool ready = m_a && m_b && m_model && !m_a->trace.empty() && !m_b->trace.empty();
    if (!ready) {
        for (HeatmapPlot* p : {m_plotA, m_plotB, m_plotDiff}) p->setSlice({});
        m_plotDiff->setVisible(true);
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
    a.title = tr("A: %1").arg(what);
    b.title = tr("B: %1").arg(what);

    // Token rows of both inputs with the differing positions marked (only meaningful when aligned).
    const std::set<int> rowsDiffer(m_alignment.differingQueries.begin(), m_alignment.differingQueries.end());
    const std::set<int> keysDiffer(m_alignment.differingKeys.begin(), m_alignment.differingKeys.end());
    const QPalette pal = palette();
    const std::vector<Token> qa = queryTokens(*m_a, config, stack), qb = queryTokens(*m_b, config, stack);
    QString tokens = tr("<b>A</b> (%1 rows): ").arg(qa.size()) + tokenChips(qa, rowsDiffer, pal) + QStringLiteral("<br>") +
                     tr("<b>B</b> (%1 rows): ").arg(qb.size()) + tokenChips(qb, rowsDiffer, pal);
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
        tokens += QStringLiteral("<br>") + tr("<b>A</b> keys: ") + tokenChips(ka, keysDiffer, pal) + QStringLiteral("<br>") +
                  tr("<b>B</b> keys: ") + tokenChips(kb, keysDiffer, pal);
    }
    if (std::max(qa.size(), qb.size()) <= kMaxTokenChips) m_tokens->setText(tokens);

    if (!m_alignment.present) {
        m_plotA->setSlice(std::move(a));
        m_plotB->setSlice(std::move(b));
        m_plotDiff->setSlice({});
        m_plotDiff->setVisible(false);
        m_status->setText(tr("<b>Nothing to compare for this stack:</b> A and B do not both hold its full attention "
                             "weights."));
        m_changeMap->setPanels({}, tr("How much each head changed"));
        m_mapNote->clear();
        return;
    }
    if (compact) {
        requestRecomputed(what);
        return;
    }
    if (!m_alignment.aligned) {
        m_plotA->setSlice(std::move(a));
        m_plotB->setSlice(std::move(b));
        m_plotDiff->setSlice({});
        m_plotDiff->setVisible(false);
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
    try {
        m_difference = attentionDifference(m_a->trace, m_b->trace, stack, m_selection.layer,
                                           m_selection.head == kMeanOfHeads ? kCompareMeanOfHeads : m_selection.head);
        m_changes = attnscope::headChanges(m_a->trace, m_b->trace, stack);
    } catch (const std::exception& e) {
        m_status->setText(tr("<b>Cannot compare:</b> %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        return;
    }
    showPair(std::move(a), std::move(b), what);
}

void CompareView::requestRecomputed(const QString& what)
{
    m_waiting = true;
    const bool aligned = m_alignment.aligned;
    m_plotA->setSlice({{}, {}, {}, tr("A: %1 (recomputing\u2026)").arg(what)});
    m_plotB->setSlice({{}, {}, {}, tr("B: %1 (recomputing\u2026)").arg(what)});
    m_plotDiff->setSlice({});
    m_plotDiff->setVisible(aligned);
    m_status->setText(tr("<b>Long input:</b> recomputing %1 for A and B\u2026").arg(what.toHtmlEscaped()));
    m_changeMap->setPanels({}, tr("How much each head changed: not computed for long inputs"));
    m_mapNote->setText(tr("The per-head map needs every head of A and of B, each recomputed from the compact trace "
                          "(2 \u00D7 layers \u00D7 heads whole matrices: about 20 s for a 12 \u00D7 12 model at 2048 "
                          "tokens), so it is offered only while the full attention fits the memory budget. The "
                          "selected head is compared above; choose another with the selectors."));
    if (!m_active || !m_transformer || !m_model) return; // recomputed when the tab is shown
    const std::shared_ptr<const RunResult> a = m_a, b = m_b;
    const std::shared_ptr<const Transformer> transformer = m_transformer;
    const ModelConfig config = m_model->config;
    const HeadSelection sel = m_selection;
    m_runner->requestWork(WorkChannel::Compare, [this, a, b, transformer, config, sel, aligned,
                                                 what]() -> std::function<void()> {
        // sliceOf recomputes a compact trace's head (or layer mean) and copies a full one's.
        auto sa = std::make_shared<AttentionSlice>(sliceOf(*a, config, sel, transformer.get()));
        auto sb = std::make_shared<AttentionSlice>(sliceOf(*b, config, sel, transformer.get()));
        return [this, a, b, sel, sa, sb, aligned, what] {
            if (a != m_a || b != m_b || !(sel == m_selection) || !m_waiting) return;
            m_waiting = false;
            if (sa->empty() || sb->empty()) {
                m_status->setText(tr("<b>Cannot compare:</b> the head could not be recomputed."));
                return;
            }
            sa->title = tr("A: %1").arg(what);
            sb->title = tr("B: %1").arg(what);
            if (!aligned || sa->weights.rows() != sb->weights.rows() || sa->weights.cols() != sb->weights.cols()) {
                m_plotA->setSlice(std::move(*sa));
                m_plotB->setSlice(std::move(*sb));
                m_status->setText(tr("<b>Token sequences differ in length: showing side by side.</b> A is %1 \u00D7 %2, "
                                     "B is %3 \u00D7 %4 (queries \u00D7 keys); A \u2212 B needs the same positions.")
                                      .arg(m_alignment.queriesA)
                                      .arg(m_alignment.keysA)
                                      .arg(m_alignment.queriesB)
                                      .arg(m_alignment.keysB));
                return;
            }
            // A − B of the recomputed matrices: attentionDifference's definition, cell by cell.
            m_difference = sa->weights - sb->weights;
            showPair(std::move(*sa), std::move(*sb), what);
            emit compared();
        };
    });
}

void CompareView::showPair(AttentionSlice a, AttentionSlice b, const QString& what)
{
    const DifferenceSummary sum = summarizeDifference(m_difference);
    AttentionSlice d;
    d.weights = m_difference;
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
    const double range = std::max(double(sum.maxAbs), kMinDifferenceRange);
    m_plotA->setSlice(std::move(a));
    m_plotB->setSlice(std::move(b));
    m_plotDiff->setVisible(true);
    showSigned(m_plotDiff, d, range, tr("A \u2212 B (red: A attends more, blue: B more)"));

    QString status;
    if (sum.maxAbs == 0.0f)
        status = tr("<b>A and B attend identically here</b> (A \u2212 B = 0). Edit a word of B to compare.");
    else
        status = tr("<b>A \u2212 B</b>: max |A \u2212 B| = %1 at %2 \u2192 %3, mean |A \u2212 B| = %4 over %5 cells.")
                     .arg(double(sum.maxAbs), 0, 'f', 3)
                     .arg(d.queryLabels.value(sum.query).toHtmlEscaped(), d.keyLabels.value(sum.key).toHtmlEscaped())
                     .arg(double(sum.meanAbs), 0, 'f', 4)
                     .arg(m_difference.size());
    if (m_changes.layer >= 0 && m_changes.meanAbs.size() > 0 && m_changes.meanAbs.maxCoeff() > 0.0f)
        status += tr(" Most changed head of this stack: <b>layer %1, head %2</b> (mean |A \u2212 B| = %3).")
                      .arg(m_changes.layer)
                      .arg(m_changes.head)
                      .arg(double(m_changes.meanAbs(m_changes.layer, m_changes.head)), 0, 'f', 4);
    m_status->setText(status);
    if (m_changes.meanAbs.size() == 0) return; // long inputs: no per-head map (requestRecomputed says why)

    std::vector<HeadGridView::Panel> panels;
    // In percentage points of attention (×100): the grid labels cells with two decimals, and
    // mean differences are typically around 0.01.
    panels.push_back({tr("mean |A \u2212 B| \u00D7 100"), m_changes.meanAbs * 100.0f, 0, {}});
    panels.push_back({tr("max |A \u2212 B| \u00D7 100"), m_changes.maxAbs * 100.0f, 1, {}});
    m_changeMap->setPanels(std::move(panels),
                           tr("How much each head changed from A to B: %1-attention, every layer \u00D7 head")
                               .arg(stackDisplayName(m_selection.stack)));
    m_changeMap->setSelected(m_selection.layer, m_selection.head == kMeanOfHeads ? -1 : m_selection.head);
    m_mapNote->setText(tr("Each cell: one head's |A \u2212 B| averaged (left) or maximal (right) over its cells, in "
                          "percentage points of attention (\u00D7 100). Click a head to show it above."));
}

} // namespace attnscope
