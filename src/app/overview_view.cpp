// See overview_view.h.
#include "app/overview_view.h"
#include "app/text_probe.h"
#include "app/view_page.h"

#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <qcustomplot.h>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <vector>

namespace attnscope {

namespace {
constexpr int kTitleHeight = 28;
constexpr int kHeaderHeight = 20;
constexpr int kRowLabelWidth = 36;
constexpr int kLegendHeight = 34;
// Thumbnails keep their matrix's shape (keys : queries), within these bounds for extreme ones
// (a single decoder row over 40 source tokens would be a line).
constexpr double kMaxAspect = 4.0;
} // namespace

QImage colorizeMatrix(const MatrixRM& w, const QString& name, bool logScale, const QColor& masked)
{
    if (w.size() == 0) return {};
    QCPColorGradient gradient = colormap(name); // colorize() is non-const (it caches its lookup table)
    const QCPRange range = logScale ? QCPRange(HeatmapPlot::kLogFloor, 1.0) : QCPRange(0.0, 1.0);
    QImage image(int(w.cols()), int(w.rows()), QImage::Format_RGB32);
    std::vector<double> row(static_cast<size_t>(w.cols()));
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
        for (Eigen::Index j = 0; j < w.cols(); ++j)
            row[size_t(j)] = logScale ? std::max(HeatmapPlot::kLogFloor, double(w(i, j))) : double(w(i, j));
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(int(i)));
        gradient.colorize(row.data(), range, line, int(w.cols()), 1, logScale);
        if (masked.isValid())
            for (Eigen::Index j = i + 1; j < w.cols(); ++j) line[j] = masked.rgb(); // future keys: not weight 0
    }
    return image;
}

OverviewView::OverviewView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(200, 160);
}

void OverviewView::setData(std::shared_ptr<const RunResult> result, Stack stack)
{
    m_result = std::move(result);
    m_stack = stack;
    rebuild();
}

void OverviewView::setSelection(const HeadSelection& selection)
{
    m_selection = selection;
    update();
}

void OverviewView::setAblated(std::set<std::pair<int, int>> heads, QString mark)
{
    m_ablated = std::move(heads);
    m_ablationMark = std::move(mark);
    update();
}

void OverviewView::setColormap(const QString& name)
{
    m_colormap = name;
    rebuild();
}

void OverviewView::setLogScale(bool on)
{
    m_log = on;
    rebuild();
}

void OverviewView::rebuild()
{
    m_thumbs.clear();
    m_heads = 0;
    if (m_result) {
        for (const LayerTrace& layer : m_result->trace.stack(m_stack)) {
            std::vector<QImage> row;
            // Long inputs (compact trace): each head's block-mean thumbnail, ≤ 128 cells a side.
            std::vector<const MatrixRM*> shown;
            for (const HeadTrace& h : layer.heads) shown.push_back(m_result->trace.compact ? &h.thumbnail : &h.weights);
            // Masked cells (future keys of a causal decoder) in the head view's masked grey. A
            // compact trace's block means straddle the diagonal, so they are shown as they are.
            const QColor masked = causal() ? HeatmapPlot::maskedColor(palette()) : QColor();
            for (const MatrixRM* w : shown) row.push_back(colorizeMatrix(*w, m_colormap, m_log, masked));
            row.push_back(colorizeMatrix(meanOfHeads(shown), m_colormap, m_log, masked));
            m_heads = std::max(m_heads, static_cast<int>(layer.heads.size()));
            m_thumbs.push_back(std::move(row));
        }
    }
    update();
}

OverviewView::Geometry OverviewView::geometry(const QSize& size) const
{
    Geometry g;
    g.gap = 10;
    const int cols = m_heads + 1;
    const int rows = std::max(1, layerCount());
    const int availW = size.width() - kRowLabelWidth - 12 - g.gap; // one extra gap before the mean column
    const int availH = size.height() - kTitleHeight - kHeaderHeight - kLegendHeight - 8;
    const int fitW = (availW - g.gap * cols) / cols;
    const int fitH = (availH - g.gap * rows) / rows;
    // The largest thumbnail of the matrix's shape that fits (a cross-attention map of 11 output
    // rows over 21 source keys is twice as wide as tall, not square).
    const double aspect = this->aspect();
    g.cellH = std::max(8, std::min(fitH, int(fitW / aspect)));
    g.cellW = std::max(8, int(std::lround(g.cellH * aspect)));
    const int gridW = cols * (g.cellW + g.gap);
    const int gridH = rows * (g.cellH + g.gap);
    g.left = kRowLabelWidth + std::max(0, (availW - gridW) / 2);
    g.titleTop = std::max(0, (availH - gridH) / 2);
    g.top = g.titleTop + kTitleHeight + kHeaderHeight;
    return g;
}

double OverviewView::aspect() const
{
    if (m_thumbs.empty() || m_thumbs.front().empty() || m_thumbs.front().front().isNull()) return 1.0;
    const QImage& first = m_thumbs.front().front(); // every head of a stack has the same shape
    return std::clamp(double(first.width()) / first.height(), 1.0 / kMaxAspect, kMaxAspect);
}

bool OverviewView::causal() const
{
    return m_result && m_stack == Stack::Decoder && m_result->trace.causalDecoder && !m_result->trace.compact;
}

QRect OverviewView::thumbnailRect(int layer, int head, const QSize& size) const
{
    const Geometry g = geometry(size);
    const int col = head == kMeanOfHeads ? m_heads : head;
    // The mean column sits one extra gap to the right of the heads.
    const int extra = head == kMeanOfHeads ? g.gap : 0;
    return QRect(g.left + col * (g.cellW + g.gap) + extra, g.top + layer * (g.cellH + g.gap), g.cellW, g.cellH);
}

QSize OverviewView::preferredExportSize() const
{
    const int cell = 150;
    return QSize(kRowLabelWidth + 24 + (m_heads + 1) * (cell + 10) + 10,
                 kTitleHeight + kHeaderHeight + kLegendHeight + 16 + std::max(1, layerCount()) * (cell + 10));
}

void OverviewView::paint(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.brush(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    if (!m_result || m_thumbs.empty()) {
        drawLabel(p, QRect(QPoint(0, 0), size), Qt::AlignCenter, tr("No attention for this stack"));
        return;
    }
    const Geometry g = geometry(size);
    p.setFont(bold);
    drawLabel(p, QRect(0, g.titleTop + 4, size.width(), kTitleHeight - 4), Qt::AlignHCenter | Qt::AlignVCenter,
               tr("%1-attention: every layer \u00D7 head (rows are queries, columns keys)")
                       .arg(stackDisplayName(m_stack)) +
                   m_ablationMark);
    p.setFont(font());
    for (int h = 0; h <= m_heads; ++h)
        drawLabel(p, headNameRect(h == m_heads ? kMeanOfHeads : h, size), Qt::AlignCenter,
                   h == m_heads ? tr("mean") : tr("head %1").arg(h));
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    for (int l = 0; l < layerCount(); ++l) {
        const QRect first = thumbnailRect(l, 0, size);
        drawLabel(p, QRect(0, first.top(), g.left - 6, first.height()), Qt::AlignRight | Qt::AlignVCenter,
                   tr("L%1").arg(l));
        const auto& row = m_thumbs[size_t(l)];
        for (size_t h = 0; h < row.size(); ++h) {
            const bool mean = h + 1 == row.size();
            const QRect r = thumbnailRect(l, mean ? kMeanOfHeads : int(h), size);
            p.drawImage(r, row[h]);
            const bool selected = m_selection.stack == m_stack && m_selection.layer == l &&
                                  m_selection.head == (mean ? kMeanOfHeads : int(h));
            if (!mean && m_ablated.count({l, int(h)})) {
                // Switched off: crossed out, as in the ablation map, with the sign in a corner.
                p.setPen(QPen(QColor(220, 40, 40), 2));
                p.drawLine(r.topLeft(), r.bottomRight());
                p.drawLine(r.topRight(), r.bottomLeft());
                p.fillRect(QRect(r.topLeft(), QSize(18, 18)), pal.brush(QPalette::Base));
                drawLabel(p, QRect(r.topLeft(), QSize(18, 18)), Qt::AlignCenter, QStringLiteral("\u2298"));
            }
            if (selected) {
                p.setPen(QPen(pal.color(QPalette::Highlight), 4));
                p.drawRect(r.adjusted(-3, -3, 3, 3));
            } else {
                p.setPen(QPen(pal.color(QPalette::Mid), 1));
                p.drawRect(r.adjusted(0, 0, -1, -1));
            }
        }
        p.setPen(pal.color(QPalette::Text));
    }
    // Colour legend: the gradient from 0 to 1 (or 1e-3 to 1 on the log scale).
    const int legendW = std::min(320, size.width() - 80);
    // Just under the grid, or at the bottom edge when the grid fills the canvas.
    const int gridBottom = thumbnailRect(layerCount() - 1, 0, size).bottom() + 16;
    const int legendTop = std::min(size.height() - kLegendHeight + 4, gridBottom);
    const QRect bar((size.width() - legendW) / 2, legendTop, legendW, 10);
    MatrixRM ramp(1, 256);
    for (int i = 0; i < 256; ++i)
        ramp(0, i) = m_log ? float(std::pow(10.0, -3.0 + 3.0 * i / 255.0)) : float(i / 255.0);
    p.drawImage(bar, colorizeMatrix(ramp, m_colormap, m_log));
    p.setPen(pal.color(QPalette::Text));
    const int th = kLegendHeight - 16;
    drawLabel(p, QRect(bar.left() - 60, bar.top() - 4, 56, 18), Qt::AlignRight | Qt::AlignVCenter,
               m_log ? QStringLiteral("0.001") : QStringLiteral("0"));
    drawLabel(p, QRect(bar.right() + 4, bar.top() - 4, 40, 18), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("1"));
    drawLabel(p, QRect(bar.left(), bar.bottom() + 1, bar.width(), th), Qt::AlignHCenter | Qt::AlignTop,
               m_log ? tr("attention weight (log scale)") : tr("attention weight"));
    if (causal()) {
        // The masked cells' legend entry, right of the "1".
        const QRect swatch(bar.right() + 24, bar.top(), 10, 10);
        p.fillRect(swatch, HeatmapPlot::maskedColor(pal));
        drawLabel(p, QRect(swatch.right() + 4, bar.top() - 4, std::max(0, size.width() - swatch.right() - 6), 18),
                   Qt::AlignLeft | Qt::AlignVCenter, maskLegend());
    }
}

QString OverviewView::maskLegend() const { return causal() ? tr("masked (future key)") : QString(); }

void OverviewView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, size());
}

bool OverviewView::hit(const QPoint& pos, int& layer, int& head) const
{
    for (int l = 0; l < layerCount(); ++l)
        for (int h = 0; h <= m_heads; ++h) {
            const int hh = h == m_heads ? kMeanOfHeads : h;
            if (thumbnailRect(l, hh, size()).contains(pos)) {
                layer = l;
                head = hh;
                return true;
            }
        }
    return false;
}

void OverviewView::mousePressEvent(QMouseEvent* event)
{
    int l = 0, h = 0;
    if (event->button() == Qt::LeftButton && hit(event->position().toPoint(), l, h)) emit headActivated(l, h);
}

QRect OverviewView::headNameRect(int head, const QSize& size) const
{
    const QRect r = thumbnailRect(0, head, size);
    return QRect(r.left(), geometry(size).titleTop + kTitleHeight, r.width(), kHeaderHeight);
}

QString OverviewView::toolTipAt(const QPoint& pos) const
{
    if (!m_result || m_thumbs.empty()) return {};
    auto note = [this](int h) {
        const QString n = h >= 0 ? m_headNotes.value(h) : QString();
        return n.isEmpty() ? QString() : QStringLiteral("\n") + n;
    };
    int l = 0, h = 0;
    if (hit(pos, l, h)) {
        const QString what = h == kMeanOfHeads ? tr("mean of heads") : tr("head %1").arg(h);
        return tr("layer %1, %2 \u2014 click to open").arg(l).arg(what) + note(h);
    }
    for (int head = 0; head < m_heads; ++head)
        if (headNameRect(head, size()).contains(pos)) return tr("head %1").arg(head) + note(head);
    return {};
}

void OverviewView::mouseMoveEvent(QMouseEvent* event)
{
    int l = 0, h = 0;
    if (hit(event->position().toPoint(), l, h)) setCursor(Qt::PointingHandCursor);
    else unsetCursor();
    const QString tip = toolTipAt(event->position().toPoint());
    if (!tip.isEmpty()) QToolTip::showText(event->globalPosition().toPoint(), tip, this);
    else QToolTip::hideText();
}


// ---- the overview's page (view_page.h) ----

namespace {

class OverviewPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("overview"); }
    QString title() const override { return OverviewView::tr("&Overview"); }
    QWidget* widget() const override { return m_view; }
    void show(const ViewContext& c) override
    {
        QStringList notes;
        for (int h = 0; h < c.model->config.nHeads; ++h) notes << kvGroupText(c.model->config, h);
        m_view->setHeadNotes(notes);
        m_view->setData(c.result, c.selection.stack);
        m_view->setSelection(c.selection);
        m_view->setAblated(ablatedIn(c.ablated, c.selection.stack),
                           ablationMark(c.ablated, {c.selection.stack, -1, kMeanOfHeads}));
    }
    void setColormap(const QString& name) override { m_view->setColormap(name); }
    void setLogScale(bool on) override { m_view->setLogScale(on); }
    void paint(QCPPainter& p, const QSize& size) const override { m_view->paint(p, size); }
    QString guide() const override
    {
        return OverviewView::tr(
            "<p>Every layer (rows) and head (columns) of the chosen stack as a thumbnail, and the "
            "layer's mean last. Click one to open it in the head view. Switched-off heads are crossed "
            "out.</p>");
    }

private:
    OverviewView* m_view = new OverviewView;
};

} // namespace

std::unique_ptr<ViewPage> makeOverviewPage() { return std::make_unique<OverviewPage>(); }

} // namespace attnscope
