// See timeline_view.h.
#include "app/timeline_view.h"
#include "app/view_page.h"

#include "core/recompute.h"

#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

constexpr int kAlternatives = 10;
constexpr int kPlayIntervalMs = 700;

QString chip(const Token& t, const QColor& bg, const QColor& fg, bool bold = false)
{
    QString text = tokenLabel(t).toHtmlEscaped();
    if (t.special) text = QStringLiteral("<i>%1</i>").arg(text);
    if (bold) text = QStringLiteral("<b>%1</b>").arg(text);
    return QStringLiteral("<span style=\"background-color:%1;color:%2\">&nbsp;%3&nbsp;</span> ").arg(bg.name(), fg.name(), text);
}

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);

    auto* messageRow = new QHBoxLayout;
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("timelineMessage"));
    m_message->setWordWrap(true);
    m_generate = new QPushButton(tr("&Generate a continuation"), this);
    m_generate->setObjectName(QStringLiteral("timelineGenerateButton"));
    m_generate->setToolTip(tr("Tick Generate: the model continues the prompt greedily"));
    messageRow->addWidget(m_message, 1);
    messageRow->addWidget(m_generate);
    layout->addLayout(messageRow);

    m_body = new QWidget(this);
    auto* body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    auto button = [this](const QString& text, const QString& name, const QString& tip) {
        auto* b = new QPushButton(text, m_body);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    m_first = button(tr("First"), QStringLiteral("timelineFirstButton"), tr("First step (Home)"));
    m_back = button(tr("\u25C0 Back"), QStringLiteral("timelineBackButton"), tr("Previous step (Left)"));
    m_slider = new QSlider(Qt::Horizontal, m_body);
    m_slider->setObjectName(QStringLiteral("timelineSlider"));
    m_slider->setToolTip(tr("Drag to scrub through the decoding steps (Left / Right when focused)"));
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_next = button(tr("Next \u25B6"), QStringLiteral("timelineNextButton"), tr("Next step (Right)"));
    m_last = button(tr("Last"), QStringLiteral("timelineLastButton"), tr("Last step (End)"));
    m_play = button(tr("\u25B6 Play"), QStringLiteral("timelinePlayButton"), tr("Step through automatically (Space)"));
    m_play->setCheckable(true);
    m_stepLabel = new QLabel(m_body);
    m_stepLabel->setObjectName(QStringLiteral("timelineStepLabel"));
    m_stepLabel->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("Step 000 of 0\u2013000 \u00B7 row 000")));
    controls->addWidget(m_first);
    controls->addWidget(m_back);
    controls->addWidget(m_next);
    controls->addWidget(m_last);
    controls->addWidget(m_play);
    controls->addWidget(m_stepLabel, 1);
    body->addLayout(controls);
    // The slider has a row of its own: beside six controls it was ~60 px long at 1024 × 700.
    body->addWidget(m_slider);

    auto* info = new QHBoxLayout;
    auto* texts = new QVBoxLayout;
    m_tokens = new QLabel(m_body);
    m_tokens->setObjectName(QStringLiteral("timelineTokens"));
    m_tokens->setTextFormat(Qt::RichText);
    m_tokens->setWordWrap(true);
    m_chosen = new QLabel(m_body);
    m_chosen->setObjectName(QStringLiteral("timelineChosen"));
    m_chosen->setTextFormat(Qt::RichText);
    m_chosen->setWordWrap(true);
    m_note = new QLabel(m_body);
    m_note->setObjectName(QStringLiteral("timelineNote"));
    m_note->setWordWrap(true);
    texts->addWidget(m_tokens);
    texts->addWidget(m_chosen);
    texts->addWidget(m_note);
    texts->addStretch(1);
    m_topK = new QTableWidget(0, 2, m_body);
    m_topK->setObjectName(QStringLiteral("timelineAlternatives"));
    m_topK->setHorizontalHeaderLabels({tr("Next token"), tr("Probability")});
    m_topK->verticalHeader()->setVisible(false);
    m_topK->horizontalHeader()->setStretchLastSection(true);
    m_topK->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_topK->setSelectionMode(QAbstractItemView::NoSelection);
    m_topK->setFocusPolicy(Qt::NoFocus);
    m_topK->setToolTip(tr("The step's top-%1 next-token probabilities (softmax of the logits at the step's row)")
                           .arg(kAlternatives));
    m_topK->setFixedWidth(260);
    m_topK->setMaximumHeight(170);
    info->addLayout(texts, 1);
    info->addWidget(m_topK);
    body->addLayout(info);

    auto* plots = new QHBoxLayout;
    m_selfPlot = new HeatmapPlot(m_body);
    m_selfPlot->setObjectName(QStringLiteral("timelineSelfPlot"));
    m_crossPlot = new HeatmapPlot(m_body);
    m_crossPlot->setObjectName(QStringLiteral("timelineCrossPlot"));
    plots->addWidget(m_selfPlot, 1);
    plots->addWidget(m_crossPlot, 1);
    body->addLayout(plots, 1);
    layout->addWidget(m_body, 1);

    for (auto [plot, marker] : {std::pair{m_selfPlot, &m_selfMarker}, std::pair{m_crossPlot, &m_crossMarker}}) {
        *marker = new QCPItemRect(plot);
        (*marker)->setPen(QPen(QColor(255, 60, 60), 2.5));
        (*marker)->setBrush(Qt::NoBrush);
        (*marker)->setClipToAxisRect(true);
        (*marker)->setVisible(false);
    }

    m_timer = new QTimer(this);
    m_timer->setInterval(kPlayIntervalMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_step + 1 >= stepCount()) setPlaying(false);
        else setStep(m_step + 1);
    });
    connect(m_slider, &QSlider::valueChanged, this, &TimelineView::setStep);
    connect(m_first, &QPushButton::clicked, this, [this] { setStep(0); });
    connect(m_back, &QPushButton::clicked, this, [this] { setStep(m_step - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { setStep(m_step + 1); });
    connect(m_last, &QPushButton::clicked, this, [this] { setStep(stepCount() - 1); });
    connect(m_play, &QPushButton::toggled, this, &TimelineView::setPlaying);
    connect(m_generate, &QPushButton::clicked, this, &TimelineView::generateRequested);
    rebuild();
}

void TimelineView::setData(std::shared_ptr<const RunResult> result, std::shared_ptr<const Model> model,
                           HeadSelection selection, bool teacherForced)
{
    m_result = std::move(result);
    m_model = std::move(model);
    m_selection = selection;
    // (decodingTimelineOf: decodingTimeline, also for compact traces of long inputs.)
    m_timeline = m_result && m_model ? decodingTimelineOf(*m_result, *m_model, teacherForced, kAlternatives) : DecodingTimeline();
    if (!m_result || !m_model) m_timeline.reason = tr("Open a model to see its decoding steps.").toStdString();
    m_selfSlice = m_crossSlice = AttentionSlice();
    m_waiting = false;
    if (m_timeline.available) {
        if (m_result->trace.compact) {
            // Long input: the main window has the two matrices recomputed; until then the plots say so.
            m_waiting = true;
            for (AttentionSlice* s : {&m_selfSlice, &m_crossSlice})
                s->title = tr("long input: recomputing this head\u2026");
        } else {
            m_selfSlice = sliceOf(*m_result, m_model->config, frameSelection(*m_result, m_selection, Stack::Decoder));
            if (m_timeline.hasCross)
                m_crossSlice = sliceOf(*m_result, m_model->config, frameSelection(*m_result, m_selection, Stack::Cross));
        }
    }
    rebuild();
}

HeadSelection TimelineView::frameSelection(const RunResult& result, HeadSelection sel, Stack stack)
{
    // The stack selector does not apply: both decoder stacks are shown, at the selected layer and head.
    sel.layer = std::clamp(sel.layer, 0, std::max(0, static_cast<int>(result.trace.decoder.size()) - 1));
    sel.stack = stack;
    return sel;
}

void TimelineView::setRecomputedSlices(const std::shared_ptr<const RunResult>& result, const HeadSelection& selection,
                                       AttentionSlice self, AttentionSlice cross)
{
    if (!m_waiting || result != m_result || !(selection == m_selection)) return;
    m_waiting = false;
    m_selfSlice = std::move(self);
    m_crossSlice = std::move(cross);
    showStep();
}

void TimelineView::setColormap(const QString& name)
{
    m_colormap = name;
    showStep();
}

void TimelineView::setStep(int step)
{
    m_step = std::clamp(step, 0, std::max(0, stepCount() - 1));
    showStep();
}

void TimelineView::setPlaying(bool on)
{
    on = on && stepCount() > 1;
    if (on && m_step + 1 >= stepCount()) setStep(0); // play again from the start
    if (on) m_timer->start();
    else m_timer->stop();
    const QSignalBlocker block(m_play);
    m_play->setChecked(on);
    m_play->setText(on ? tr("Pause") : tr("\u25B6 Play"));
}

bool TimelineView::isPlaying() const { return m_timer->isActive(); }

QString TimelineView::message() const { return m_timeline.available ? QString() : m_message->text(); }
QString TimelineView::stepText() const { return m_chosen->text(); }

void TimelineView::rebuild()
{
    const bool on = m_timeline.available;
    m_body->setVisible(on);
    m_generate->setVisible(!on && m_model && m_model->config.type == ArchType::Decoder && m_result &&
                           !m_result->trace.empty());
    if (!on) {
        setPlaying(false);
        m_message->setText(QString::fromStdString(m_timeline.reason));
        m_selfFrame = MatrixRM();
        m_crossFrame = MatrixRM();
        return;
    }
    const bool decoderOnly = m_model->config.type == ArchType::Decoder;
    m_message->setText(decoderOnly
                           ? tr("<b>Generation timeline</b> of the continuation: %1 decoding steps (0\u2013%2), one per "
                                "generated token.")
                                 .arg(stepCount())
                                 .arg(stepCount() - 1)
                           : tr("<b>Generation timeline</b> of the decoder: %1 steps (0\u2013%2), one per output token%3.")
                                 .arg(stepCount())
                                 .arg(stepCount() - 1)
                                 .arg(m_timeline.teacherForced ? tr(" (teacher-forced: each step is fed the target token)")
                                                               : QString()));
    m_note->setText(
        tr("Attention is causal: appending a token never changes earlier rows, so row t of one forward pass over the "
           "whole output is exactly the row decoding step t computed. Each step shows the rows computed so far (the "
           "plots grow with them; double-click one for the whole matrix); the step's row is outlined.%1")
            .arg(decoderOnly ? tr(" The prompt's rows are all computed at the first step.") : QString()));
    m_crossPlot->setVisible(m_timeline.hasCross);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, std::max(0, stepCount() - 1));
    }
    m_step = std::clamp(m_step, 0, std::max(0, stepCount() - 1));
    showStep();
}

void TimelineView::showStep()
{
    if (!m_timeline.available || m_step >= stepCount()) return;
    const TimelineStep& st = m_timeline.steps[size_t(m_step)];
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(m_step);
    }
    m_stepLabel->setText(tr("Step %1 of 0\u2013%2 \u00B7 row %3").arg(m_step).arg(stepCount() - 1).arg(st.row));
    m_first->setEnabled(m_step > 0);
    m_back->setEnabled(m_step > 0);
    m_next->setEnabled(m_step + 1 < stepCount());
    m_last->setEnabled(m_step + 1 < stepCount());

    // Tokens: what the decoder has seen (prompt greyed for decoder-only), then the choice.
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base), text = pal.color(QPalette::Text);
    const QColor seen = mix(base, pal.color(QPalette::Highlight), 0.25);
    const QColor prompt = mix(base, text, 0.12);
    const QColor chosen(255, 170, 60);
    QString html;
    if (m_model->config.type == ArchType::EncoderDecoder) {
        html += tr("<b>Source:</b> ");
        for (const Token& t : m_result->sourceTokens) html += chip(t, prompt, text);
        html += QStringLiteral("<br>");
        html += tr("<b>Decoder input so far:</b> ");
    } else {
        html += tr("<b>Seen so far</b> (prompt grey): ");
    }
    for (int i = 0; i < static_cast<int>(st.prefix.size()); ++i)
        html += chip(st.prefix[size_t(i)], i < m_timeline.promptRows ? prompt : seen, text);
    html += QStringLiteral("\u2192 ") + chip(st.chosen, chosen, Qt::black, true);
    m_tokens->setText(html);

    const QString token = tokenLabel(st.chosen).toHtmlEscaped();
    QString line = m_timeline.teacherForced
                       ? tr("Step %1: the model's choice is <b>%2</b> with p = %3")
                       : tr("Step %1 chose <b>%2</b> with p = %3");
    line = line.arg(m_step).arg(token).arg(double(st.probability), 0, 'f', 3);
    if (st.hasNextInput)
        line += tr("; teacher forcing feeds the target token <b>%1</b> to the next step").arg(tokenLabel(st.nextInput).toHtmlEscaped());
    m_chosen->setText(line);

    m_topK->setRowCount(static_cast<int>(st.topK.size()));
    for (int i = 0; i < static_cast<int>(st.topK.size()); ++i) {
        const Prediction& p = st.topK[size_t(i)];
        Token t;
        t.text = p.token;
        auto* tok = new QTableWidgetItem(tokenLabel(t));
        auto* prob = new QTableWidgetItem(QString::number(double(p.probability), 'f', 3));
        if (p.id == st.chosen.id) {
            QFont f = tok->font();
            f.setBold(true);
            tok->setFont(f);
            prob->setFont(f);
            tok->setBackground(chosen);
            tok->setForeground(Qt::black);
        }
        m_topK->setItem(i, 0, tok);
        m_topK->setItem(i, 1, prob);
    }

    // The selected layer and head of both decoder stacks (frameSelection).
    showFrame(m_selfPlot, m_selfMarker, m_selfSlice, true, m_selfFrame);
    if (m_timeline.hasCross) {
        showFrame(m_crossPlot, m_crossMarker, m_crossSlice, false, m_crossFrame);
    } else {
        m_crossFrame = MatrixRM();
    }
}

void TimelineView::showFrame(HeatmapPlot* plot, QCPItemRect* marker, AttentionSlice slice, bool futureKeys, MatrixRM& frame)
{
    if (slice.empty()) {
        frame = MatrixRM();
        plot->setSlice(std::move(slice)); // its title says why (recomputing), or nothing
        marker->setVisible(false);
        return;
    }
    const int row = m_timeline.steps[size_t(m_step)].row;
    frame = timelineFrame(slice.weights, row, futureKeys);
    slice.weights = frame;
    // Rows (and, for self-attention, keys) not decoded yet keep their place but not their token:
    // the labels would give the answer away.
    const QString hidden = QStringLiteral("\u00B7");
    for (qsizetype i = row + 1; i < slice.queryLabels.size(); ++i) slice.queryLabels[i] = hidden;
    if (futureKeys)
        for (qsizetype j = row + 1; j < slice.keyLabels.size(); ++j) slice.keyLabels[j] = hidden;
    slice.title = tr("%1 \u00B7 step %2: rows 0\u2013%3").arg(slice.title).arg(m_step).arg(row);
    const Eigen::Index nq = frame.rows(), nk = frame.cols();
    plot->setSlice(std::move(slice));
    // A whole placement (placeCells) put NaN as 0; mark cells not computed yet as NaN again so
    // they draw grey. (A single row or column is stored twice by placeCells: both copies are
    // written.) A long input's pooled placement keeps NaN blocks itself (HeatmapPlot::kWholeLimit).
    QCPColorMapData* data = plot->colorMap()->data();
    const bool whole = nq <= HeatmapPlot::kWholeLimit && nk <= HeatmapPlot::kWholeLimit;
    for (Eigen::Index i = 0; i < nq && whole; ++i)
        for (Eigen::Index j = 0; j < nk; ++j)
            if (std::isnan(frame(i, j)))
                for (int ci = 0; ci < (nq == 1 ? 2 : 1); ++ci)
                    for (int cj = 0; cj < (nk == 1 ? 2 : 1); ++cj)
                        data->setCell(int(j) + cj, int(i) + ci, std::numeric_limits<double>::quiet_NaN());
    QCPColorGradient gradient = colormap(m_colormap);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.12));
    plot->colorMap()->setGradient(gradient);
    marker->topLeft->setCoords(-0.5, double(row) - 0.5);
    marker->bottomRight->setCoords(double(nk) - 0.5, double(row) + 0.5);
    marker->setVisible(true);
    // Framed to the data: the rows computed so far (and, for self-attention, the keys that exist),
    // so a 128-token output does not draw a whole frame of grey with a corner filled. The plot
    // keeps its own minimum of four cells per axis.
    const double last = double(row) + 0.5;
    plot->yAxis->setRange(-0.5, last);
    plot->xAxis->setRange(-0.5, futureKeys ? last : double(nk) - 0.5);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Left: setStep(m_step - 1); break;
    case Qt::Key_Right: setStep(m_step + 1); break;
    case Qt::Key_Home: setStep(0); break;
    case Qt::Key_End: setStep(stepCount() - 1); break;
    case Qt::Key_Space: setPlaying(!isPlaying()); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}


// ---- the timeline's page (view_page.h) ----

namespace {

class TimelinePage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("timeline"); }
    QString title() const override { return TimelineView::tr("&Timeline"); }
    QString menuText() const override { return TimelineView::tr("Generation &Timeline"); }
    QWidget* widget() const override { return m_view; }
    void show(const ViewContext& c) override { m_view->setData(c.result, c.model, c.selection, c.teacherForced); }
    InferenceRunner::Work recompute(const ViewContext& c) override
    {
        if (!m_view->isWaiting()) return {};
        return [view = m_view, result = c.result, transformer = c.transformer, config = c.model->config,
                sel = c.selection]() -> std::function<void()> {
            auto self = std::make_shared<AttentionSlice>(sliceOf(
                *result, config, TimelineView::frameSelection(*result, sel, Stack::Decoder), transformer.get()));
            auto cross = std::make_shared<AttentionSlice>();
            if (!result->trace.cross.empty())
                *cross = sliceOf(*result, config, TimelineView::frameSelection(*result, sel, Stack::Cross),
                                 transformer.get());
            return [view, result, sel, self, cross] {
                view->setRecomputedSlices(result, sel, std::move(*self), std::move(*cross));
            };
        };
    }
    bool release(const ViewContext& c) override
    {
        m_view->setData(nullptr, c.model, c.selection, false);
        return true;
    }
    void setColormap(const QString& name) override { m_view->setColormap(name); }
    void paint(QCPPainter& p, const QSize&) const override { m_view->render(&p); }
    QString guide() const override
    {
        return TimelineView::tr(
            "<p>Scrub through the decoding steps: at step t the token chosen, its probability and the "
            "alternatives, and the selected head's attention with only the rows computed so far "
            "(later rows grey, their labels hidden so the answer is not given away).</p>");
    }

private:
    TimelineView* m_view = new TimelineView;
};

} // namespace

std::unique_ptr<ViewPage> makeTimelinePage() { return std::make_unique<TimelinePage>(); }

} // namespace attnscope
