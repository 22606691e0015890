// See head_grid_view.h.
#include "app/head_grid_view.h"
#include "app/text_contrast.h"
#include "app/text_probe.h"

#include "render/colormaps.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {
constexpr int kTitleHeight = 30;
constexpr int kPanelTitle = 22;
constexpr int kHeader = 18;   // "H0 H1 …" above the cells
constexpr int kRowLabel = 30; // "L0" left of the cells
constexpr int kLegend = 22;   // range line under the cells
constexpr int kGap = 18;

// Finite min and max of a panel; {0, 1} when nothing is finite.
std::pair<double, double> finiteRange(const MatrixRM& m)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (std::isfinite(m.data()[i])) {
            lo = std::min(lo, double(m.data()[i]));
            hi = std::max(hi, double(m.data()[i]));
        }
    if (lo > hi) return {0.0, 1.0};
    return {lo, hi};
}

int defaultDecimals(double v) { return std::abs(v) >= 100 ? 0 : std::abs(v) >= 10 ? 1 : 2; }

QString fixed(double v, int decimals)
{
    if (!std::isfinite(v)) return QStringLiteral("n/a");
    QString s = QString::number(v, 'f', decimals);
    // A small negative value rounds to "-0.00": the sign says nothing there.
    const bool zero = std::none_of(s.begin(), s.end(), [](QChar c) { return c >= QLatin1Char('1') && c <= QLatin1Char('9'); });
    if (zero && s.startsWith(QLatin1Char('-'))) s.remove(0, 1);
    return s;
}
} // namespace

QString HeadGridView::cellText(double value) { return fixed(value, defaultDecimals(value)); }

namespace {
// As many decimals (up to 6) as it takes for lo and hi to read differently.
int legendDecimals(double lo, double hi)
{
    int decimals = std::max(defaultDecimals(lo), defaultDecimals(hi));
    if (std::isfinite(lo) && std::isfinite(hi) && lo != hi)
        while (decimals < 6 && fixed(lo, decimals) == fixed(hi, decimals)) ++decimals;
    return decimals;
}
} // namespace

QString HeadGridView::cellText(double value, double lo, double hi)
{
    // (Only maps narrower than two decimals can tell apart get more: the rest keep the default.)
    const int map = legendDecimals(lo, hi);
    return fixed(value, map > 2 ? std::max(defaultDecimals(value), std::min(4, map)) : defaultDecimals(value));
}

QString HeadGridView::legendText(double lo, double hi)
{
    const int decimals = legendDecimals(lo, hi);
    return tr("colour: %1 \u2026 %2").arg(fixed(lo, decimals), fixed(hi, decimals));
}

HeadGridView::HeadGridView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(240, 200);
}

void HeadGridView::setPanels(std::vector<Panel> panels, const QString& title)
{
    m_panels = std::move(panels);
    m_title = title;
    update();
}

void HeadGridView::setSelected(int layer, int head)
{
    m_selectedLayer = layer;
    m_selectedHead = head;
    update();
}

void HeadGridView::setColormap(const QString& name)
{
    m_colormap = name;
    update();
}

HeadGridView::Geometry HeadGridView::geometry(const QSize& size) const
{
    Geometry g;
    const int n = std::max<int>(1, int(m_panels.size()));
    const int layers = m_panels.empty() ? 1 : std::max<int>(1, int(m_panels.front().values.rows()));
    const int heads = m_panels.empty() ? 1 : std::max<int>(1, int(m_panels.front().values.cols()));
    // The column count that gives the largest cells.
    int best = 0;
    for (int cols = 1; cols <= n; ++cols) {
        const int rows = (n + cols - 1) / cols;
        const int pw = (size.width() - kGap * (cols + 1)) / cols;
        const int ph = (size.height() - kTitleHeight - kGap * rows) / rows;
        const int cell = std::min((pw - kRowLabel) / heads, (ph - kPanelTitle - kHeader - kLegend) * 3 / 2 / layers);
        if (cell > best) {
            best = cell;
            g.columns = cols;
            g.panelW = pw;
            g.panelH = ph;
        }
    }
    g.cell = std::clamp(best, 12, 90);
    g.cellH = std::max(12, g.cell * 2 / 3);
    return g;
}

QRect HeadGridView::panelRect(int index, const QSize& size) const
{
    const Geometry g = geometry(size);
    const int col = index % g.columns, row = index / g.columns;
    return QRect(kGap + col * (g.panelW + kGap), kTitleHeight + row * (g.panelH + kGap), g.panelW, g.panelH);
}

QRect HeadGridView::cellRect(int index, int layer, int head, const QSize& size) const
{
    const Geometry g = geometry(size);
    const QRect p = panelRect(index, size);
    const int heads = int(m_panels[size_t(index)].values.cols());
    const int left = p.left() + kRowLabel + std::max(0, (p.width() - kRowLabel - heads * g.cell) / 2);
    return QRect(left + head * g.cell, p.top() + kPanelTitle + kHeader + layer * g.cellH, g.cell, g.cellH);
}

QSize HeadGridView::preferredExportSize() const
{
    return size().expandedTo(QSize(900, 600));
}

void HeadGridView::paint(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.brush(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    drawLabel(p, QRect(0, 4, size.width(), kTitleHeight - 4), Qt::AlignCenter, m_title);
    if (m_panels.empty()) {
        p.setFont(font());
        drawLabel(p, QRect(QPoint(0, 0), size), Qt::AlignCenter, tr("Nothing to show"));
        return;
    }
    QCPColorGradient gradient = colormap(m_colormap);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    for (int k = 0; k < int(m_panels.size()); ++k) {
        const Panel& panel = m_panels[size_t(k)];
        const QRect pr = panelRect(k, size);
        const int layers = int(panel.values.rows()), heads = int(panel.values.cols());
        p.setFont(bold);
        p.setPen(pal.color(QPalette::Text));
        drawLabel(p, QRect(pr.left(), pr.top(), pr.width(), kPanelTitle), Qt::AlignCenter, panel.title);
        p.setFont(small);
        const auto [lo, hi] = colourRange(k);
        // A minimum span of 1e-3, so maps whose values are all about equal (an importance map
        // of heads that do not matter) stay in one colour instead of stretching noise over it.
        const QCPRange range(lo, std::max(hi, lo + 1e-3));
        for (int h = 0; h < heads; ++h) {
            const QRect c = cellRect(k, 0, h, size);
            drawLabel(p, QRect(c.left(), c.top() - kHeader, c.width(), kHeader), Qt::AlignCenter,
                       c.width() >= 26 ? tr("H%1").arg(h) : QString::number(h));
        }
        for (int l = 0; l < layers; ++l) {
            const QRect first = cellRect(k, l, 0, size);
            p.setPen(pal.color(QPalette::Text));
            drawLabel(p, QRect(pr.left(), first.top(), first.left() - pr.left() - 4, first.height()),
                       Qt::AlignRight | Qt::AlignVCenter, tr("L%1").arg(l));
            for (int h = 0; h < heads; ++h) {
                const QRect c = cellRect(k, l, h, size);
                const double v = panel.values(l, h);
                QColor fill = pal.color(QPalette::Mid);
                if (std::isfinite(v)) fill = QColor::fromRgb(gradient.color(v, range));
                p.fillRect(c, fill);
                p.setPen(QPen(pal.color(QPalette::Base), 1));
                p.drawRect(c.adjusted(0, 0, -1, -1));
                if (panel.marked.count({l, h})) {
                    p.setPen(QPen(QColor(220, 40, 40), 2));
                    p.drawLine(c.topLeft() + QPoint(3, 3), c.bottomRight() - QPoint(3, 3));
                    p.drawLine(c.topRight() + QPoint(-3, 3), c.bottomLeft() + QPoint(3, -3));
                }
                if (c.width() >= 30 && c.height() >= 14) {
                    p.setPen(textColorOn(fill));
                    drawLabel(p, c, Qt::AlignCenter, cellText(v, lo, hi));
                }
                if (l == m_selectedLayer && h == m_selectedHead) {
                    p.setPen(QPen(pal.color(QPalette::Highlight), 3));
                    p.drawRect(c.adjusted(-1, -1, 0, 0));
                }
            }
        }
        const QRect last = cellRect(k, std::max(0, layers - 1), 0, size);
        p.setPen(pal.color(QPalette::Text));
        drawLabel(p, QRect(pr.left(), last.bottom() + 3, pr.width(), kLegend), Qt::AlignCenter, legendText(lo, hi));
    }
}

std::pair<double, double> HeadGridView::colourRange(int index) const
{
    const Panel& panel = m_panels[size_t(index)];
    return panel.range ? *panel.range : finiteRange(panel.values);
}

QString HeadGridView::toolTipAt(const QPoint& pos) const
{
    int k = 0, l = 0, h = 0;
    if (hit(pos, k, l, h)) {
        const Panel& panel = m_panels[size_t(k)];
        QString tip = tr("%1\nlayer %2, head %3: %4").arg(panel.title).arg(l).arg(h).arg(double(panel.values(l, h)));
        if (!panel.definition.isEmpty()) tip += QStringLiteral("\n\n") + panel.definition;
        return tip;
    }
    for (int i = 0; i < int(m_panels.size()); ++i) {
        const QRect pr = panelRect(i, size());
        if (QRect(pr.left(), pr.top(), pr.width(), kPanelTitle).contains(pos) && !m_panels[size_t(i)].definition.isEmpty())
            return m_panels[size_t(i)].title + QStringLiteral("\n\n") + m_panels[size_t(i)].definition;
    }
    return QString();
}

void HeadGridView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, size());
}

bool HeadGridView::hit(const QPoint& pos, int& index, int& layer, int& head) const
{
    for (int k = 0; k < int(m_panels.size()); ++k)
        for (int l = 0; l < int(m_panels[size_t(k)].values.rows()); ++l)
            for (int h = 0; h < int(m_panels[size_t(k)].values.cols()); ++h)
                if (cellRect(k, l, h, size()).contains(pos)) {
                    index = k;
                    layer = l;
                    head = h;
                    return true;
                }
    return false;
}

void HeadGridView::mousePressEvent(QMouseEvent* event)
{
    int k = 0, l = 0, h = 0;
    if (event->button() == Qt::LeftButton && hit(event->position().toPoint(), k, l, h))
        emit cellClicked(m_panels[size_t(k)].id, l, h);
}

void HeadGridView::mouseMoveEvent(QMouseEvent* event)
{
    int k = 0, l = 0, h = 0;
    const QPoint pos = event->position().toPoint();
    if (hit(pos, k, l, h)) setCursor(Qt::PointingHandCursor);
    else unsetCursor();
    const QString tip = toolTipAt(pos);
    if (tip.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), tip, this);
}

} // namespace attnscope
