// See alignment_view.h.
#include "app/alignment_view.h"
#include "core/recompute.h"
#include "core/model.h"
#include "app/text_probe.h"
#include "app/view_page.h"

#include <qcustomplot.h>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
constexpr int kTitleHeight = 26;
constexpr int kLegendHeight = 26;
constexpr float kMinWeight = 0.01f; // lines fainter than this are not drawn
} // namespace

AlignmentView::AlignmentView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(240, 200);
}

QColor AlignmentView::headColor(int head)
{
    // Tableau 10: distinct hues that stay distinct on light and dark backgrounds.
    static const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return QColor(QLatin1String(kColors[head % 10]));
}

void AlignmentView::setData(std::shared_ptr<const RunResult> result, const ModelConfig& config, Stack stack, int layer)
{
    m_weights.clear();
    m_heads.clear();
    m_left.clear();
    m_right.clear();
    m_title.clear();
    m_mean = MatrixRM();
    m_waiting = false;
    m_message = tr("No attention for this stack");
    if (result) {
        const auto& layers = result->trace.stack(stack);
        if (layer >= 0 && layer < static_cast<int>(layers.size())) {
            if (result->trace.compact) {
                m_waiting = true;
                m_message = tr("Long input: recomputing the selected head\u2026");
            } else {
                for (const HeadTrace& h : layers[size_t(layer)].heads) {
                    m_heads.push_back(static_cast<int>(m_weights.size()));
                    m_weights.push_back(h.weights);
                }
                m_mean = meanOfHeads(layers[size_t(layer)]);
                m_message.clear();
            }
            m_left = tokenLabels(keyTokens(*result, config, stack));
            m_right = queryLabelsOf(*result, config, stack);
            m_title = stack == Stack::Cross
                          ? tr("cross-attention \u00B7 layer %1: source (left) \u2190 decoder reads \u2192 produces (right)").arg(layer)
                          : tr("%1-attention \u00B7 layer %2: keys (left) \u2190 queries (right)")
                                .arg(stackDisplayName(stack))
                                .arg(layer);
        }
    }
    if (m_visible.size() != m_weights.size()) m_visible.assign(m_weights.size(), true);
    update();
}

void AlignmentView::setRecomputed(int head, MatrixRM weights)
{
    m_waiting = false;
    m_weights.clear();
    m_heads.clear();
    m_visible.clear();
    if (weights.size() == 0) {
        m_message = tr("The head could not be recomputed.");
    } else {
        m_weights.push_back(std::move(weights));
        m_heads.push_back(head);
        m_visible.assign(1, true);
        m_message.clear();
    }
    update();
}

void AlignmentView::setTitleNote(const QString& note)
{
    m_note = note;
    update();
}

void AlignmentView::setSelectedHead(int head)
{
    // Compact results hold only the selected line set (a head or the mean); it stays visible.
    for (size_t h = 0; h < m_visible.size(); ++h) m_visible[h] = m_heads[h] == head || m_heads[h] == kMeanOfHeads;
    m_meanVisible = head == kMeanOfHeads;
    update();
}

void AlignmentView::setHeadVisible(int head, bool visible)
{
    if (head >= 0 && head < static_cast<int>(m_visible.size())) m_visible[size_t(head)] = visible;
    else if (head == kMeanOfHeads) m_meanVisible = visible;
    update();
}

bool AlignmentView::headVisible(int head) const
{
    return head >= 0 && head < static_cast<int>(m_visible.size()) && m_visible[size_t(head)];
}

QSize AlignmentView::preferredExportSize() const
{
    // One line of text per token, up to a page's height; longer inputs are drawn with thin rows.
    const int rows = std::min<int>(120, static_cast<int>(std::max(m_left.size(), m_right.size())));
    return QSize(700, std::max(300, kTitleHeight + kLegendHeight + 30 + rows * 22));
}

AlignmentView::Layout AlignmentView::layout(const QSize& size) const
{
    Layout l;
    const int rows = std::max<int>(1, static_cast<int>(std::max(m_left.size(), m_right.size())));
    const int avail = std::max(1, size.height() - kTitleHeight - kLegendHeight - 16);
    l.font = font();
    if (avail / rows >= 6) {
        const int h = std::clamp(avail / rows, 6, 26);
        l.rowHeight = h;
        if (h < QFontMetrics(l.font).height() + 2) l.font.setPixelSize(std::max(5, h - 2));
        l.top = kTitleHeight + kLegendHeight + 8 + std::max(0, (avail - rows * h) / 2);
    } else {
        // Long inputs: every token gets a row thinner than text; every k-th is labelled.
        l.rowHeight = double(avail) / rows;
        l.font.setPixelSize(9);
        l.labelStep = int(std::ceil((QFontMetrics(l.font).height() + 1) / l.rowHeight));
        l.top = kTitleHeight + kLegendHeight + 8;
    }
    l.leftX = size.width() * 3 / 10;
    l.rightX = size.width() * 7 / 10;
    return l;
}

QRect AlignmentView::legendChip(int index) const
{
    const int w = 64;
    const int total = chipCount() * (w + 6);
    return QRect((width() - total) / 2 + index * (w + 6), kTitleHeight, w, kLegendHeight - 6);
}

void AlignmentView::paint(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.brush(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    if (m_weights.empty()) {
        drawLabel(p, QRect(QPoint(0, 0), size), Qt::AlignCenter | Qt::TextWordWrap,
                   m_title.isEmpty() ? m_message : title() + QStringLiteral("\n\n") + m_message);
        return;
    }
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    drawLabel(p, QRect(0, 4, size.width(), kTitleHeight - 4), Qt::AlignCenter, title());
    p.setFont(font());
    // Legend chips (positions relative to this canvas width).
    const int chipW = 64;
    const int total = chipCount() * (chipW + 6);
    for (int h = 0; h < chipCount(); ++h) {
        const QRect chip((size.width() - total) / 2 + h * (chipW + 6), kTitleHeight, chipW, kLegendHeight - 6);
        const bool meanChip = h == headCount();
        const int head = meanChip ? kMeanOfHeads : m_heads[size_t(h)];
        const bool on = meanChip ? m_meanVisible : bool(m_visible[size_t(h)]);
        QColor c = head == kMeanOfHeads ? pal.color(QPalette::Text) : headColor(head);
        if (!on) c.setAlpha(50);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawRoundedRect(chip, 4, 4);
        p.setPen(!on ? pal.color(QPalette::Text)
                 : head == kMeanOfHeads ? pal.color(QPalette::Base)
                                        : QColor(Qt::white));
        drawLabel(p, chip, Qt::AlignCenter, head == kMeanOfHeads ? tr("mean") : tr("head %1").arg(head));
    }
    const Layout l = layout(size);
    p.setFont(l.font);
    const QFontMetrics fm(l.font);
    const int pad = 6;
    auto leftY = [&](int j) { return l.top + (j + 0.5) * l.rowHeight; };
    // Thin rows (long inputs) carry up to ~100 lines per query: plain 1 px lines keep painting fast.
    const bool dense = l.labelStep > 1;
    p.setRenderHint(QPainter::Antialiasing, !dense);
    const double lineWidth = std::clamp(l.rowHeight / 8.0, 1.0, 2.5);
    // The heads shown, then the mean (full traces) over them in the text colour.
    for (size_t h = 0; h <= m_weights.size(); ++h) {
        const bool meanSet = h == m_weights.size();
        if (meanSet ? !meanVisible() : !m_visible[h]) continue;
        const MatrixRM& w = meanSet ? m_mean : m_weights[h];
        const QColor base = meanSet || m_heads[h] == kMeanOfHeads ? pal.color(QPalette::Text) : headColor(m_heads[h]);
        for (Eigen::Index i = 0; i < w.rows(); ++i) {
            if (m_hoverSide == 2 && i != m_hoverIndex) continue;
            for (Eigen::Index j = 0; j < w.cols(); ++j) {
                if (m_hoverSide == 1 && j != m_hoverIndex) continue;
                const float a = w(i, j);
                if (a < kMinWeight) continue;
                QColor c = base;
                c.setAlphaF(std::min(1.0f, a));
                p.setPen(QPen(c, lineWidth));
                p.drawLine(QPointF(l.leftX + pad, leftY(int(j))), QPointF(l.rightX - pad, leftY(int(i))));
            }
        }
    }
    auto drawTokenLabel = [&](const QString& text, int index, bool left, bool hovered) {
        if (!hovered && index % l.labelStep != 0) return;
        // A label row is at least one line of text high, centred on its token's row.
        const int h = std::max(int(l.rowHeight), dense ? fm.height() : 0);
        const int y = int(std::lround(leftY(index) - h / 2.0));
        const QRect r = left ? QRect(0, y, l.leftX - 2, h) : QRect(l.rightX + 2, y, size.width() - l.rightX, h);
        if (hovered) {
            const int tw = fm.horizontalAdvance(text) + 8;
            const QRect box = left ? QRect(l.leftX - 2 - tw, y, tw, h) : QRect(l.rightX + 2, y, tw, h);
            p.fillRect(box, pal.color(QPalette::Highlight));
            p.setPen(pal.color(QPalette::HighlightedText));
        } else p.setPen(pal.color(QPalette::Text));
        drawLabel(p, r.adjusted(left ? 0 : 4, 0, left ? -4 : 0, 0), (left ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter,
                   text);
    };
    for (int j = 0; j < m_left.size(); ++j) drawTokenLabel(m_left[j], j, true, m_hoverSide == 1 && m_hoverIndex == j);
    for (int i = 0; i < m_right.size(); ++i) drawTokenLabel(m_right[i], i, false, m_hoverSide == 2 && m_hoverIndex == i);
}

void AlignmentView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, size());
}

void AlignmentView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    const Layout l = layout(size());
    int side = 0, index = -1;
    const int row = pos.y() >= l.top ? int((pos.y() - l.top) / l.rowHeight) : -1;
    if (pos.x() < l.leftX && row >= 0 && row < m_left.size()) side = 1, index = row;
    else if (pos.x() > l.rightX && row >= 0 && row < m_right.size()) side = 2, index = row;
    if (side != m_hoverSide || index != m_hoverIndex) {
        m_hoverSide = side;
        m_hoverIndex = index;
        update();
    }
}

void AlignmentView::mousePressEvent(QMouseEvent* event)
{
    for (int h = 0; h < chipCount(); ++h) {
        if (!legendChip(h).contains(event->position().toPoint())) continue;
        if (h == headCount()) setHeadVisible(kMeanOfHeads, !m_meanVisible);
        else setHeadVisible(h, !headVisible(h));
    }
}

void AlignmentView::leaveEvent(QEvent*)
{
    m_hoverSide = 0;
    m_hoverIndex = -1;
    update();
}


// ---- the alignment's page (view_page.h) ----

namespace {

class AlignmentPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("alignment"); }
    QString title() const override { return AlignmentView::tr("&Alignment"); }
    QWidget* widget() const override { return m_view; }
    void show(const ViewContext& c) override
    {
        m_view->setData(c.result, c.model->config, c.selection.stack, c.selection.layer);
        m_view->setSelectedHead(c.selection.head);
        m_view->setTitleNote(ablationMark(c.ablated, c.selection));
    }
    InferenceRunner::Work recompute(const ViewContext& c) override
    {
        if (!m_view->isWaiting()) return {};
        // One line set: the selected head, or the layer's mean (every head of a long layer
        // would be heads × T² floats, and as many lines as fit no screen).
        return [view = m_view, result = c.result, transformer = c.transformer, sel = c.selection]() -> std::function<void()> {
            auto w = std::make_shared<MatrixRM>();
            try {
                *w = weightsOf(*transformer, result->trace, sel.stack, sel.layer,
                               sel.head == kMeanOfHeads ? kRecomputeMean : sel.head);
            } catch (const std::exception&) { // out of memory: an empty matrix, which the view reports
                w->resize(0, 0);
            }
            return [view, head = sel.head, w] { view->setRecomputed(head, std::move(*w)); };
        };
    }
    bool release(const ViewContext& c) override
    {
        m_view->setData(nullptr, c.model->config, c.selection.stack, c.selection.layer);
        return true;
    }
    void paint(QCPPainter& p, const QSize& size) const override { m_view->paint(p, size); }
    QString guide() const override
    {
        return AlignmentView::tr(
            "<p>Token-to-token lines: keys on the left, queries on the right, each line as thick and dark "
            "as the weight. Decoder and cross-attention queries are labelled <i>reads→produces</i>, as in "
            "the head view: the decoder input at that position (row 0 reads &lt;s&gt;) and the token it "
            "produces. <b>Mean of heads</b> draws the layer's mean (1/H) Σ A<sub>h</sub> as one grey set; "
            "click a head's chip to add its lines in its colour, the mean's chip to hide or show the mean.</p>");
    }

private:
    AlignmentView* m_view = new AlignmentView;
};

} // namespace

std::unique_ptr<ViewPage> makeAlignmentPage() { return std::make_unique<AlignmentPage>(); }

} // namespace attnscope
