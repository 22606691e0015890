// See step_through_view.h.
#include "app/step_through_view.h"

#include "app/text_probe.h"
#include "app/text_contrast.h"
#include "core/recompute.h"
#include "core/model.h"
#include "app/view_page.h"

#include "app/neuron_view.h"
#include "render/colormaps.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
constexpr int kTitleHeight = 26; // one line; a longer title wraps (titleHeight)
constexpr int kPanelTitle = 36; // two lines: step name, formula
constexpr int kColHeader = 16;
constexpr int kRowLabel = 44; // at least: as wide as the widest row label (rowLabelWidth), at most kMaxRowLabel
constexpr int kMaxRowLabel = 96;
constexpr int kLegend = 18;
constexpr int kGap = 14;
// The eight panels reflow: four columns while each gets kMinPanelWidth, else two; the canvas
// then grows taller than its scroll area instead of shrinking the maps to thumbnails.
constexpr int kMinPanelWidth = 190; // fits "5. Scaled (√d_k = √16)" and its range caption
constexpr int kMinPanelHeight = 210;
int columnsFor(int width) { return width >= 4 * kMinPanelWidth + 5 * kGap ? 4 : 2; }

bool tokensByTokens(StepCanvas::Step s)
{
    return s == StepCanvas::Dot || s == StepCanvas::Scaled || s == StepCanvas::Masked || s == StepCanvas::Weights;
}

// Window over n positions: all of them up to kStepWindowFrom, else kStepWindow from `start`.
int windowSize(Eigen::Index n) { return n <= kStepWindowFrom ? int(n) : kStepWindow; }
bool inWindow(int i, int start, Eigen::Index n) { return i >= start && i < start + windowSize(n); }
int windowAround(int i, Eigen::Index n)
{
    return n <= kStepWindowFrom ? 0 : std::clamp(i - kStepWindow / 2, 0, int(n) - kStepWindow);
}

// The steps of queries q0… and keys k0… (copies of blocks: the numbers of the whole head).
StepThrough cropSteps(const StepThrough& s, int q0, int nq, int k0, int nk)
{
    StepThrough c;
    c.temperature = s.temperature;
    c.scale = s.scale;
    c.q = s.q.middleRows(q0, nq);
    c.k = s.k.middleRows(k0, nk);
    c.v = s.v.middleRows(k0, nk);
    c.dot = s.dot.block(q0, k0, nq, nk);
    c.scaled = s.scaled.block(q0, k0, nq, nk);
    c.masked = s.masked.block(q0, k0, nq, nk);
    c.weights = s.weights.block(q0, k0, nq, nk);
    c.output = s.output.middleRows(q0, nq);
    return c;
}

// One query's view against keys k0… only.
NeuronView cropNeuron(const NeuronView& n, int k0, int nk)
{
    NeuronView c = n;
    c.k = n.k.middleRows(k0, nk);
    c.products = n.products.middleRows(k0, nk);
    c.dots = n.dots.segment(k0, nk);
    c.scaled = n.scaled.segment(k0, nk);
    c.logits = n.logits.segment(k0, nk);
    c.weights = n.weights.segment(k0, nk);
    c.masked.assign(n.masked.begin() + k0, n.masked.begin() + k0 + nk);
    return c;
}
} // namespace

QString teachingNumber(double v, int decimals)
{
    if (std::isinf(v)) return v < 0 ? QStringLiteral("\u2212\u221E") : QStringLiteral("\u221E");
    QString s = QString::number(v, 'f', decimals);
    if (s.startsWith(QLatin1Char('-'))) s.replace(0, 1, QChar(0x2212));
    return s;
}

// ---- StepCanvas ----

StepCanvas::StepCanvas(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(400, 300);
}

void StepCanvas::setSteps(std::shared_ptr<const StepThrough> steps, QStringList queryLabels, QStringList keyLabels,
                          QString title)
{
    m_steps = std::move(steps);
    m_queryLabels = std::move(queryLabels);
    m_keyLabels = std::move(keyLabels);
    m_title = std::move(title);
    setMinimumHeight(titleHeight(width()) + StepCount / columnsFor(width()) * (kMinPanelHeight + kGap));
    update();
}

void StepCanvas::setSelectedCell(int query, int key)
{
    m_query = query;
    m_key = key;
    update();
}

void StepCanvas::setColormap(const QString& name)
{
    m_colormap = name;
    update();
}

const MatrixRM* StepCanvas::matrix(Step step) const
{
    if (!m_steps) return nullptr;
    switch (step) {
    case Q: return &m_steps->q;
    case K: return &m_steps->k;
    case V: return &m_steps->v;
    case Dot: return &m_steps->dot;
    case Scaled: return &m_steps->scaled;
    case Masked: return &m_steps->masked;
    case Weights: return &m_steps->weights;
    case Output: return &m_steps->output;
    default: return nullptr;
    }
}

QString StepCanvas::stepTitle(Step step) const
{
    const int dk = m_steps ? int(m_steps->q.cols()) : 0;
    const double tau = m_steps ? double(m_steps->temperature) : 1.0;
    switch (step) {
    case Q: return tr("1. Queries\nQ = X\u00B7W_Q");
    case K: return tr("2. Keys\nK = X\u00B7W_K");
    case V: return tr("3. Values\nV = X\u00B7W_V");
    case Dot: return tr("4. Scores\nQ\u00B7K\u1D40");
    case Scaled: return tr("5. Scaled (√d_k = √%1)\nS = Q·Kᵀ / √d_k").arg(dk);
    case Masked: return tr("6. Masked\nS + M, M = \u2212\u221E");
    case Weights: return tr("7. Weights (\u03C4 = %1)\nA = softmax((S+M)/\u03C4)").arg(teachingNumber(tau, 2));
    case Output: return tr("8. Output\nO = A\u00B7V");
    default: return {};
    }
}

void StepCanvas::resizeEvent(QResizeEvent* event)
{
    // Two columns need four rows of readable maps: taller than the tab, scrolled.
    const int rows = StepCount / columnsFor(event->size().width());
    setMinimumHeight(titleHeight(event->size().width()) + rows * (kMinPanelHeight + kGap));
    QWidget::resizeEvent(event);
}

int StepCanvas::titleHeight(int width) const
{
    QFont bold = font();
    bold.setBold(true);
    const QRect need = QFontMetrics(bold).boundingRect(QRect(0, 0, std::max(1, width - 8), 1000),
                                                       Qt::AlignCenter | Qt::TextWordWrap, m_title);
    return std::max(kTitleHeight, need.height() + 8);
}

int StepCanvas::rowLabelWidth() const
{
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.8);
    const QFontMetrics fm(small);
    int widest = 0;
    for (const QStringList* labels : {&m_queryLabels, &m_keyLabels})
        for (const QString& l : *labels) widest = std::max(widest, fm.horizontalAdvance(l));
    return std::clamp(widest + 8, kRowLabel, kMaxRowLabel);
}

QRect StepCanvas::panelRect(Step step, const QSize& size) const
{
    const int columns = columnsFor(size.width());
    const int rows = (StepCount + columns - 1) / columns;
    const int pw = (size.width() - kGap * (columns + 1)) / columns;
    const int top = titleHeight(size.width());
    const int ph = (size.height() - top - kGap * rows) / rows;
    const int col = int(step) % columns, row = int(step) / columns;
    return QRect(kGap + col * (pw + kGap), top + row * (ph + kGap), pw, ph);
}

QRect StepCanvas::matrixRect(Step step, const QSize& size) const
{
    const MatrixRM* m = matrix(step);
    const QRect p = panelRect(step, size);
    if (!m || m->size() == 0) return {};
    const int rowLabel = rowLabelWidth();
    const int availW = p.width() - rowLabel, availH = p.height() - kPanelTitle - kColHeader - kLegend;
    const int cw = std::max(2, availW / int(m->cols()));
    const int ch = std::max(2, std::min(availH / int(m->rows()), std::max(cw, 18)));
    const int w = cw * int(m->cols()), h = ch * int(m->rows());
    return QRect(p.left() + rowLabel + (availW - w) / 2, p.top() + kPanelTitle + kColHeader, w, h);
}

QRect StepCanvas::cellRect(Step step, int row, int col, const QSize& size) const
{
    const MatrixRM* m = matrix(step);
    const QRect r = matrixRect(step, size);
    if (!m || r.isEmpty()) return {};
    const int cw = r.width() / int(m->cols()), ch = r.height() / int(m->rows());
    return QRect(r.left() + col * cw, r.top() + row * ch, cw, ch);
}

void StepCanvas::paint(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.brush(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    if (!m_steps) {
        p.setFont(font());
        drawLabel(p, QRect(QPoint(0, 0), size), Qt::AlignCenter | Qt::TextWordWrap, m_title);
        return;
    }
    drawLabel(p, QRect(4, 2, size.width() - 8, titleHeight(size.width()) - 2), Qt::AlignCenter | Qt::TextWordWrap, m_title);
    QCPColorGradient gradient = colormap(m_colormap);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.8);
    QFont titleFont = bold;
    titleFont.setPointSizeF(font().pointSizeF() * 0.9);
    const QFontMetrics fm(small);
    for (int s = 0; s < StepCount; ++s) {
        const Step step = Step(s);
        const MatrixRM& m = *matrix(step);
        const QRect pr = panelRect(step, size);
        const QRect mr = matrixRect(step, size);
        p.setPen(pal.color(QPalette::Text));
        p.setFont(bold);
        p.setFont(titleFont);
        drawLabel(p, QRect(pr.left() - kGap / 2, pr.top(), pr.width() + kGap, kPanelTitle), Qt::AlignHCenter | Qt::AlignTop,
                  stepTitle(step));
        p.setFont(small);
        double maxAbs = 0.0;
        for (Eigen::Index i = 0; i < m.size(); ++i)
            if (std::isfinite(m.data()[i])) maxAbs = std::max(maxAbs, double(std::abs(m.data()[i])));
        const bool rowsAreKeys = step == K || step == V;
        const QStringList& rowLabels = rowsAreKeys ? m_keyLabels : m_queryLabels;
        const int cw = mr.width() / std::max<int>(1, int(m.cols())), ch = mr.height() / std::max<int>(1, int(m.rows()));
        // Row labels (tokens), every k-th when rows are thinner than the text.
        const int rowStep = std::max(1, int(std::ceil(double(fm.height()) / std::max(1, ch))));
        // Each label's box is at least a text line tall, centred on its row (drawText clips to
        // the box: a 5 px row's own box would cut the glyphs).
        const int labelHeight = std::max(ch, fm.height());
        for (int i = 0; i < m.rows(); i += rowStep)
            drawLabel(p, QRect(pr.left(), mr.top() + i * ch + ch / 2 - labelHeight / 2, mr.left() - pr.left() - 3, labelHeight),
                      Qt::AlignRight | Qt::AlignVCenter, rowLabels.value(i), Qt::ElideRight, rowLabelWidth() - 4);
        // Column labels: key tokens for tokens × tokens steps, dimension indices otherwise.
        int widest = fm.horizontalAdvance(QStringLiteral("00"));
        if (tokensByTokens(step))
            for (const QString& k : m_keyLabels) widest = std::max(widest, fm.horizontalAdvance(k));
        const int colStep = std::max(1, int(std::ceil(double(widest + 2) / std::max(1, cw))));
        for (int j = 0; j < m.cols(); j += colStep)
            drawLabel(p, QRect(mr.left() + j * cw - 20, mr.top() - kColHeader, cw + 40, kColHeader), Qt::AlignCenter,
                      tokensByTokens(step) ? m_keyLabels.value(j) : QString::number(j));
        const bool showNumbers = cw >= fm.horizontalAdvance(QStringLiteral("\u22120.00")) + 2 && ch >= fm.height();
        for (int i = 0; i < m.rows(); ++i)
            for (int j = 0; j < m.cols(); ++j) {
                const QRect c(mr.left() + j * cw, mr.top() + i * ch, cw, ch);
                const double v = m(i, j);
                QColor fill;
                if (std::isinf(v)) fill = pal.color(QPalette::Mid);
                else if (step == Weights) fill = QColor::fromRgb(gradient.color(v, QCPRange(0.0, 1.0)));
                else fill = divergingColor(v, maxAbs);
                p.fillRect(c, fill);
                if (showNumbers || (std::isinf(v) && cw >= fm.horizontalAdvance(QStringLiteral("\u2212\u221E")))) {
                    p.setPen(textColorOn(fill));
                    drawLabel(p, c, Qt::AlignCenter, teachingNumber(v));
                }
            }
        // The selected cell and the rows that made it.
        if (m_query >= 0 && m_key >= 0) {
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.setBrush(Qt::NoBrush);
            if (tokensByTokens(step) && m_query < m.rows() && m_key < m.cols())
                p.drawRect(QRect(mr.left() + m_key * cw, mr.top() + m_query * ch, cw, ch).adjusted(-1, -1, 0, 0));
            else if ((step == Q || step == Output) && m_query < m.rows())
                p.drawRect(QRect(mr.left(), mr.top() + m_query * ch, mr.width(), ch).adjusted(-1, -1, 0, 0));
            else if ((step == K || step == V) && m_key < m.rows())
                p.drawRect(QRect(mr.left(), mr.top() + m_key * ch, mr.width(), ch).adjusted(-1, -1, 0, 0));
        }
        p.setPen(pal.color(QPalette::Text));
        const QString legend = step == Weights ? tr("colour 0 \u2026 1") : tr("blue \u2212%1 \u2026 red %1").arg(teachingNumber(maxAbs, 1));
        drawLabel(p, QRect(pr.left(), mr.bottom() + 2, pr.width(), kLegend), Qt::AlignCenter, legend);
    }
}

void StepCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, size());
}

bool StepCanvas::hit(const QPoint& pos, Step& step, int& row, int& col) const
{
    if (!m_steps) return false;
    for (int s = 0; s < StepCount; ++s) {
        const QRect r = matrixRect(Step(s), size());
        if (!r.contains(pos)) continue;
        const MatrixRM& m = *matrix(Step(s));
        step = Step(s);
        col = std::min(int(m.cols()) - 1, (pos.x() - r.left()) / std::max(1, r.width() / int(m.cols())));
        row = std::min(int(m.rows()) - 1, (pos.y() - r.top()) / std::max(1, r.height() / int(m.rows())));
        return true;
    }
    return false;
}

void StepCanvas::mousePressEvent(QMouseEvent* event)
{
    Step s = Q;
    int i = 0, j = 0;
    if (event->button() == Qt::LeftButton && hit(event->position().toPoint(), s, i, j) && tokensByTokens(s))
        emit cellClicked(i, j);
}

void StepCanvas::mouseMoveEvent(QMouseEvent* event)
{
    Step s = Q;
    int i = 0, j = 0;
    if (hit(event->position().toPoint(), s, i, j)) {
        const bool tt = tokensByTokens(s);
        if (tt) setCursor(Qt::PointingHandCursor);
        else unsetCursor();
        const QString rowText = (s == K || s == V) ? m_keyLabels.value(i) : m_queryLabels.value(i);
        const QString colText = tt ? m_keyLabels.value(j) : tr("dim %1").arg(j);
        QToolTip::showText(event->globalPosition().toPoint(),
                           tr("%1\n%2 (row %3), %4: %5%6")
                               .arg(stepTitle(s).section(QLatin1Char('\n'), 1), rowText)
                               .arg(i)
                               .arg(colText, teachingNumber((*matrix(s))(i, j), 4),
                                    tt ? tr("\nclick to see how this weight is made") : QString()),
                           this);
    } else {
        unsetCursor();
        QToolTip::hideText();
    }
}

// ---- StepThroughView ----

StepThroughView::StepThroughView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    auto* label = new QLabel(tr("Softmax temperature \u03C4:"), this);
    m_tauSpin = new QDoubleSpinBox(this);
    m_tauSpin->setObjectName(QStringLiteral("temperatureSpin"));
    m_tauSpin->setRange(double(kMinTemperature), double(kMaxTemperature));
    m_tauSpin->setDecimals(2);
    m_tauSpin->setSingleStep(0.05);
    m_tauSpin->setValue(1.0);
    label->setBuddy(m_tauSpin);
    // The slider is logarithmic: 0..200 ↦ τ = 10^((v − 100)/100), i.e. 0.1 … 10.
    m_tauSlider = new QSlider(Qt::Horizontal, this);
    m_tauSlider->setObjectName(QStringLiteral("temperatureSlider"));
    m_tauSlider->setRange(0, 200);
    m_tauSlider->setValue(100);
    m_tauSlider->setMinimumWidth(160);
    m_tauSlider->setMaximumWidth(260);
    m_reset = new QPushButton(tr("Reset (\u03C4 = 1)"), this);
    m_reset->setObjectName(QStringLiteral("temperatureResetButton"));
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("temperatureNote"));
    m_note->setWordWrap(true);
    m_note->setText(tr("\u03C4 divides this head's scaled scores before its softmax, so steps 7 (A) and 8 (O = A\u00B7V) "
                       "and the weights of the query/key view change; the model's forward pass, the other views and "
                       "the predictions keep \u03C4 = 1."));
    top->addWidget(label);
    top->addWidget(m_tauSpin);
    top->addWidget(m_tauSlider);
    top->addWidget(m_reset);
    top->addStretch(1);
    layout->addLayout(top);
    layout->addWidget(m_note); // under the controls: beside them it was squeezed to a tall column
    m_panels = new QTabWidget(this);
    m_panels->setObjectName(QStringLiteral("stepPanels"));
    m_panels->setDocumentMode(true);
    auto* split = new QSplitter(Qt::Horizontal, m_panels);
    auto* scroll = new QScrollArea(split);
    scroll->setObjectName(QStringLiteral("stepScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_canvas = new StepCanvas;
    m_canvas->setObjectName(QStringLiteral("stepCanvas"));
    scroll->setWidget(m_canvas);
    m_explain = new QTextBrowser(split);
    m_explain->setObjectName(QStringLiteral("stepExplanation"));
    m_explain->setMinimumWidth(220);
    split->addWidget(scroll);
    split->addWidget(m_explain);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    m_panels->addTab(split, tr("Steps 1–8: Q, K, V → A·V"));
    // The query/key vector view (BertViz's "neuron view"): pick the query here or by clicking a
    // row of the weights in the steps panel.
    auto* neuronPage = new QWidget(m_panels);
    auto* neuronLayout = new QVBoxLayout(neuronPage);
    neuronLayout->setContentsMargins(0, 4, 0, 0);
    auto* queryBar = new QHBoxLayout;
    auto* queryLabel = new QLabel(tr("&Query token:"), neuronPage);
    m_queryCombo = new QComboBox(neuronPage);
    m_queryCombo->setObjectName(QStringLiteral("neuronQueryCombo"));
    m_queryCombo->setToolTip(tr("The query whose vector q_i is compared with every key vector k_j"));
    m_queryCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    queryLabel->setBuddy(m_queryCombo);
    auto* queryHint = new QLabel(tr("or click a row of step 7 (A) in the steps panel; click a key's row here to "
                                    "explain that weight there."),
                                 neuronPage);
    queryHint->setWordWrap(true);
    queryBar->addWidget(queryLabel);
    queryBar->addWidget(m_queryCombo);
    queryBar->addWidget(queryHint, 1);
    neuronLayout->addLayout(queryBar);
    m_neuronCanvas = new NeuronCanvas(neuronPage);
    m_neuronCanvas->setObjectName(QStringLiteral("neuronCanvas"));
    neuronLayout->addWidget(m_neuronCanvas, 1);
    m_panels->addTab(neuronPage, tr("Query \u00B7 key vectors (neuron view)"));
    layout->addWidget(m_panels, 1);

    connect(m_tauSpin, &QDoubleSpinBox::valueChanged, this, [this](double tau) {
        const QSignalBlocker block(m_tauSlider);
        m_tauSlider->setValue(int(std::lround(100.0 + 100.0 * std::log10(tau))));
        recompute();
    });
    connect(m_tauSlider, &QSlider::valueChanged, this,
            [this](int v) { m_tauSpin->setValue(std::pow(10.0, (v - 100) / 100.0)); });
    connect(m_reset, &QPushButton::clicked, this, [this] { setTemperature(1.0); });
    // The canvases number the cells of their window.
    connect(m_canvas, &StepCanvas::cellClicked, this, [this](int q, int k) { selectCell(m_q0 + q, m_k0 + k); });
    connect(m_queryCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && i != m_query) selectCell(i, m_key);
    });
    connect(m_neuronCanvas, &NeuronCanvas::keyClicked, this, [this](int key) { selectCell(m_query, m_k0 + key); });
}

void StepThroughView::setTemperature(double tau) { m_tauSpin->setValue(tau); }
double StepThroughView::temperature() const { return m_tauSpin->value(); }

void StepThroughView::setData(std::shared_ptr<const RunResult> result, const Model& model,
                              const HeadSelection& selection)
{
    const ModelConfig& config = model.config;
    m_result = std::move(result);
    m_selection = selection;
    m_waiting = false;
    m_ownedHead.reset();
    m_head = nullptr;
    m_mask = {};
    m_title.clear();
    if (m_result) {
        const auto& layers = m_result->trace.stack(selection.stack);
        m_headName = tr("%1-attention \u00B7 layer %2 \u00B7 head %3")
                         .arg(stackDisplayName(selection.stack))
                         .arg(selection.layer)
                         .arg(selection.head);
        if (selection.head == kMeanOfHeads) m_title = tr("The step-through shows one head: untick \u201CMean of heads\u201D.");
        else if (size_t(selection.layer) < layers.size() &&
                 size_t(selection.head) < layers[size_t(selection.layer)].heads.size()) {
            const HeadTrace& h = layers[size_t(selection.layer)].heads[size_t(selection.head)];
            if (h.q.rows() > 0) m_head = &h;
            else if (m_result->trace.compact) {
                m_waiting = true;
                m_title = tr("%1: long input, recomputing this head\u2019s Q, K, V and scores\u2026").arg(m_headName);
            } else m_title = tr("This result has no Q, K, V (it was not run with full capture).");
        }
        m_queryLabels = queryLabelsOf(*m_result, config, selection.stack);
        m_keyLabels = tokenLabels(keyTokens(*m_result, config, selection.stack));
        // The engine's masks: causal decoder self-attention; padding keys (attention.h).
        m_mask.causal = selection.stack == Stack::Decoder && m_result->trace.causalDecoder;
        const std::vector<Token> keys = keyTokens(*m_result, config, selection.stack);
        const int padId = model.sourceTokenizer.vocab().special(SpecialRole::Pad);
        bool anyPad = false;
        std::vector<bool> padded;
        for (const Token& t : keys) {
            const bool pad = selection.stack != Stack::Decoder && padId >= 0 && t.id == padId;
            padded.push_back(pad);
            anyPad = anyPad || pad;
        }
        if (anyPad) m_mask.paddedKeys = padded;
        if (m_head) m_title = tr("%1: scaled dot-product attention, step by step").arg(m_headName);
    }
    recompute();
}

void StepThroughView::setRecomputedHead(const std::shared_ptr<const RunResult>& result, const HeadSelection& selection,
                                        std::shared_ptr<const HeadTrace> head, std::shared_ptr<const StepThrough> steps)
{
    if (!m_waiting || result != m_result || !(selection == m_selection)) return;
    m_waiting = false;
    if (!head || head->q.rows() == 0) {
        m_title = tr("%1: the head could not be recomputed.").arg(m_headName);
        recompute();
        return;
    }
    m_ownedHead = std::move(head);
    m_head = m_ownedHead.get();
    m_title = tr("%1: scaled dot-product attention, step by step").arg(m_headName);
    // Steps made on the worker at another τ than the one now set are made again here.
    recompute(steps && steps->temperature == float(temperature()) ? std::move(steps) : nullptr);
}

void StepThroughView::recompute(std::shared_ptr<const StepThrough> precomputed)
{
    m_steps = precomputed ? std::move(precomputed)
              : m_head    ? std::make_shared<const StepThrough>(stepThrough(*m_head, m_mask, float(temperature())))
                          : nullptr;
    if (m_steps && (m_query >= m_steps->weights.rows() || m_key >= m_steps->weights.cols())) m_query = m_key = -1;
    // Automatic choices, so the explanation panel is never empty: the last query, and the
    // query's strongest key (also when only the query was chosen, e.g. by a session file).
    if (m_steps && m_query < 0) m_query = int(m_steps->weights.rows()) - 1;
    if (m_steps && m_key < 0) {
        Eigen::Index best = 0;
        m_steps->weights.row(m_query).maxCoeff(&best);
        m_key = int(best);
    }
    placeWindow();
    showSteps();
    {
        // One entry per query token; rebuilt only when the tokens change.
        QStringList items;
        if (m_steps)
            for (int i = 0; i < int(m_steps->q.rows()); ++i)
                items << QStringLiteral("%1: %2").arg(i).arg(m_queryLabels.value(i));
        QStringList current;
        for (int i = 0; i < m_queryCombo->count(); ++i) current << m_queryCombo->itemText(i);
        const QSignalBlocker block(m_queryCombo);
        if (items != current) {
            m_queryCombo->clear();
            m_queryCombo->addItems(items);
        }
        m_queryCombo->setCurrentIndex(m_steps ? m_query : -1);
    }
    updateNeuron();
    updateExplanation();
}

bool StepThroughView::placeWindow()
{
    if (!m_steps || m_query < 0 || m_key < 0) {
        m_q0 = m_k0 = 0;
        return false;
    }
    const Eigen::Index tq = m_steps->weights.rows(), tk = m_steps->weights.cols();
    // The window stays put while the selected cell is inside it (clicking never moves it).
    const int q0 = inWindow(m_query, m_q0, tq) && m_q0 + windowSize(tq) <= tq ? m_q0 : windowAround(m_query, tq);
    const int k0 = inWindow(m_key, m_k0, tk) && m_k0 + windowSize(tk) <= tk ? m_k0 : windowAround(m_key, tk);
    const bool moved = q0 != m_q0 || k0 != m_k0;
    m_q0 = q0;
    m_k0 = k0;
    return moved;
}

void StepThroughView::showSteps()
{
    if (!m_steps) {
        m_canvas->setSteps(nullptr, m_queryLabels, m_keyLabels, m_title);
        m_canvas->setSelectedCell(-1, -1);
        return;
    }
    const Eigen::Index tq = m_steps->weights.rows(), tk = m_steps->weights.cols();
    const int nq = windowSize(tq), nk = windowSize(tk);
    if (nq == tq && nk == tk) {
        m_canvas->setSteps(m_steps, m_queryLabels, m_keyLabels, m_title);
    } else {
        const QString title = tr("%1 \u2014 queries %2\u2013%3, keys %4\u2013%5 of %6 \u00D7 %7")
                                  .arg(m_title)
                                  .arg(m_q0)
                                  .arg(m_q0 + nq - 1)
                                  .arg(m_k0)
                                  .arg(m_k0 + nk - 1)
                                  .arg(tq)
                                  .arg(tk);
        m_canvas->setSteps(std::make_shared<const StepThrough>(cropSteps(*m_steps, m_q0, nq, m_k0, nk)),
                           m_queryLabels.mid(m_q0, nq), m_keyLabels.mid(m_k0, nk), title);
    }
    m_canvas->setSelectedCell(m_query - m_q0, m_key - m_k0);
}

void StepThroughView::updateNeuron()
{
    // The same head, mask and τ as the steps, so its weights are step 7's row.
    const bool ok = m_head && m_steps && m_query >= 0 && m_query < m_steps->q.rows();
    m_neuron = ok ? std::make_shared<const NeuronView>(neuronView(*m_head, m_mask, m_query, float(temperature()))) : nullptr;
    QString title =
        ok ? tr("%1 \u00B7 query %2 \u201C%3\u201D against every key").arg(m_headName).arg(m_query).arg(m_queryLabels.value(m_query))
           : m_title;
    const Eigen::Index tk = m_neuron ? m_neuron->k.rows() : 0;
    const int nk = windowSize(tk);
    if (m_neuron && nk < tk) {
        // Long heads: the keys of the steps' window; the weights are still softmax over every key.
        title = tr("%1 \u00B7 query %2 \u201C%3\u201D \u00B7 keys %4\u2013%5 of %6")
                    .arg(m_headName)
                    .arg(m_query)
                    .arg(m_queryLabels.value(m_query))
                    .arg(m_k0)
                    .arg(m_k0 + nk - 1)
                    .arg(tk);
        m_neuronCanvas->setData(std::make_shared<const NeuronView>(cropNeuron(*m_neuron, m_k0, nk)),
                                m_queryLabels.value(m_query), m_keyLabels.mid(m_k0, nk), title);
        m_neuronCanvas->setSelectedKey(m_key - m_k0);
        return;
    }
    m_neuronCanvas->setData(m_neuron, m_queryLabels.value(m_query), m_keyLabels, title);
    m_neuronCanvas->setSelectedKey(m_key);
}

void StepThroughView::selectCell(int query, int key)
{
    const bool queryChanged = query != m_query;
    m_query = query;
    m_key = key;
    const bool moved = placeWindow();
    if (moved) showSteps();
    else m_canvas->setSelectedCell(query - m_q0, key - m_k0);
    if (queryChanged || moved) {
        const QSignalBlocker block(m_queryCombo);
        m_queryCombo->setCurrentIndex(query < m_queryCombo->count() ? query : -1);
        updateNeuron();
    } else {
        m_neuronCanvas->setSelectedKey(key - m_k0);
    }
    updateExplanation();
}

void StepThroughView::setColormap(const QString& name)
{
    m_canvas->setColormap(name);
    m_neuronCanvas->setColormap(name);
}

void StepThroughView::setPanel(Panel panel) { m_panels->setCurrentIndex(int(panel)); }
StepThroughView::Panel StepThroughView::panel() const { return Panel(m_panels->currentIndex()); }

QWidget* StepThroughView::activeCanvas() const
{
    return panel() == Panel::Neuron ? static_cast<QWidget*>(m_neuronCanvas) : m_canvas;
}

void StepThroughView::paintActive(QPainter& painter, const QSize& size) const
{
    if (panel() == Panel::Neuron) m_neuronCanvas->paint(painter, size);
    else m_canvas->paint(painter, size);
}

QString StepThroughView::explanationHtml() const
{
    if (!m_steps || m_query < 0 || m_key < 0) return tr("<p>Click a cell of steps 4–7 to see how its weight is made.</p>");
    const CellBreakdown c = explainCell(*m_steps, m_mask, m_query, m_key);
    const QString qTok = m_queryLabels.value(c.query).toHtmlEscaped(), kTok = m_keyLabels.value(c.key).toHtmlEscaped();
    QString html = tr("<h3>A[%1, %2]: query %1 \u201C%3\u201D \u2192 key %2 \u201C%4\u201D</h3>")
                       .arg(c.query)
                       .arg(c.key)
                       .arg(qTok, kTok);
    html += tr("<p><b>1. Dot product</b> q<sub>%1</sub> \u00B7 k<sub>%2</sub> = \u03A3<sub>d</sub> q[d]\u00B7k[d]</p>")
                .arg(c.query)
                .arg(c.key);
    html += QStringLiteral("<table cellspacing=0 cellpadding=2 border=1><tr><th>d</th><th>q</th><th>k</th><th>q\u00B7k</th></tr>");
    for (Eigen::Index d = 0; d < c.products.size(); ++d)
        html += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td align=right>%4</td></tr>")
                    .arg(d)
                    .arg(teachingNumber(c.queryRow(d), 3), teachingNumber(c.keyRow(d), 3), teachingNumber(c.products(d), 4));
    html += tr("<tr><td colspan=3><b>sum</b></td><td align=right><b>%1</b></td></tr></table>").arg(teachingNumber(c.dot, 4));
    html += tr("<p><b>2. Scale</b> s = %1 × 1/√d_k = %1 × %2 = <b>%3</b></p>")
                .arg(teachingNumber(c.dot, 4), teachingNumber(c.scale, 4), teachingNumber(c.scaled, 4));
    html += c.masked ? tr("<p><b>3. Mask</b> key %1 is <b>masked</b> for query %2: s + M = \u2212\u221E, weight 0.</p>")
                           .arg(c.key)
                           .arg(c.query)
                     : tr("<p><b>3. Mask</b> key %1 is allowed for query %2: M = 0.</p>").arg(c.key).arg(c.query);
    html += tr("<p><b>4. Softmax of row %1</b> at \u03C4 = %2: \u2113 = s/\u03C4, m = max \u2113 = %3, "
               "e = exp(ℓ − m), A = e / Σe</p>")
                .arg(c.query)
                .arg(teachingNumber(c.temperature, 2), teachingNumber(c.rowMax, 4));
    html += QStringLiteral("<table cellspacing=0 cellpadding=2 border=1><tr><th>key</th><th>\u2113</th><th>e</th><th>A</th></tr>");
    // Long rows: the keys of the window are listed; Σe is over every key.
    const Eigen::Index tk = c.rowExp.size();
    const int j0 = windowSize(tk) < tk ? m_k0 : 0, j1 = j0 + windowSize(tk);
    if (j0 > 0)
        html += tr("<tr><td colspan=4><i>keys 0\u2013%1 not listed</i></td></tr>").arg(j0 - 1);
    for (Eigen::Index j = j0; j < j1; ++j) {
        const QString style = j == c.key ? QStringLiteral(" style=\"font-weight:bold; background-color:%1\"")
                                               .arg(palette().color(QPalette::Highlight).lighter(170).name())
                                         : QString();
        html += QStringLiteral("<tr%1><td>%2 %3</td><td align=right>%4</td><td align=right>%5</td><td align=right>%6</td></tr>")
                    .arg(style)
                    .arg(j)
                    .arg(m_keyLabels.value(int(j)).toHtmlEscaped(), teachingNumber(c.rowLogits(j), 4), teachingNumber(c.rowExp(j), 4),
                         teachingNumber(m_steps->weights(c.query, j), 4));
    }
    if (j1 < tk) html += tr("<tr><td colspan=4><i>keys %1\u2013%2 not listed</i></td></tr>").arg(j1).arg(tk - 1);
    html += tr("<tr><td colspan=2><b>Σe</b></td><td align=right><b>%1</b></td><td></td></tr></table>").arg(teachingNumber(c.rowSum, 4));
    html += tr("<p>A[%1, %2] = %3 / %4 = <b>%5</b></p>")
                .arg(c.query)
                .arg(c.key)
                .arg(teachingNumber(c.rowExp(c.key), 4), teachingNumber(c.rowSum, 4), teachingNumber(c.weight, 4));
    return html;
}

void StepThroughView::updateExplanation() { m_explain->setHtml(explanationHtml()); }


// ---- the step-through's page (view_page.h) ----

namespace {

class StepThroughPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("step-through"); }
    QString title() const override { return StepThroughView::tr("&Step-through"); }
    QWidget* widget() const override { return m_view; }
    void show(const ViewContext& c) override { m_view->setData(c.result, *c.model, c.selection); }
    InferenceRunner::Work recompute(const ViewContext& c) override
    {
        if (!m_view->isWaiting()) return {};
        return [view = m_view, result = c.result, transformer = c.transformer, sel = c.selection,
                mask = m_view->mask(), tau = float(m_view->temperature())]() -> std::function<void()> {
            std::shared_ptr<HeadTrace> head;
            std::shared_ptr<const StepThrough> steps;
            try {
                // One head with Q, K, V (Capture::Full), and its steps at the current τ.
                head = std::make_shared<HeadTrace>(
                    recomputeHead(*transformer, result->trace, sel.stack, sel.layer, sel.head, Capture::Full));
                steps = std::make_shared<const StepThrough>(stepThrough(*head, mask, tau));
                // The step-through recomputes weights and scores itself (stepThrough): no need to keep them.
                head->weights = MatrixRM();
                head->scores = MatrixRM();
            } catch (const std::exception&) {
                head.reset();
                steps.reset();
            }
            return [view, result, sel, head, steps] { view->setRecomputedHead(result, sel, head, steps); };
        };
    }
    bool release(const ViewContext& c) override
    {
        m_view->setData(nullptr, *c.model, c.selection);
        return true;
    }
    void setColormap(const QString& name) override { m_view->setColormap(name); }
    QSize exportSize() const override { return m_view->activeCanvas()->size(); }
    void paint(QCPPainter& p, const QSize& size) const override { m_view->paintActive(p, size); }
    void saveState(Session& s) const override
    {
        s.temperature = m_view->temperature();
        s.stepPanel = m_view->panel() == StepThroughView::Panel::Neuron ? "neuron" : "steps";
        s.stepQuery = m_view->selectedCell().first;
        s.stepKey = m_view->selectedCell().second;
    }
    void restoreState(const Session& s) override
    {
        m_view->setTemperature(s.temperature);
        m_view->setPanel(s.stepPanel == "neuron" ? StepThroughView::Panel::Neuron : StepThroughView::Panel::Steps);
        m_view->selectCell(s.stepQuery, s.stepKey); // kept until the result arrives (automatic if out of range)
    }
    QString guide() const override
    {
        return StepThroughView::tr(
            "<p>softmax(QKᵀ/√d_k + M)·V for the selected head, one step per map: Q, K, the scores QKᵀ, "
            "scaled by √d_k, masked (future keys under a causal mask), the weights at temperature τ, "
            "V and the output. Click a weight to see its numbers explained; the Query · key tab shows "
            "one query's dot products with every key.</p>");
    }

private:
    StepThroughView* m_view = new StepThroughView;
};

} // namespace

std::unique_ptr<ViewPage> makeStepThroughPage() { return std::make_unique<StepThroughPage>(); }

} // namespace attnscope
