// See heatmap_plot.h.
#include "render/heatmap_plot.h"

#include "render/colormaps.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope {

void placeCells(QCPColorMap* map, const MatrixRM& weights, double floor)
{
    const int nq = static_cast<int>(weights.rows());
    const int nk = static_cast<int>(weights.cols());
    // QCPColorMap draws nothing for a dimension of one cell (its cell width is derived from
    // the distance between first and last cell centre), so a single row or column is stored
    // as two identical half-width cells covering the same unit interval.
    const int sk = nk == 1 ? 2 : nk;
    const int sq = nq == 1 ? 2 : nq;
    const QCPRange keyRange = nk == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, nk - 1);
    const QCPRange queryRange = nq == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, nq - 1);
    map->data()->setSize(sk, sq);
    map->data()->setRange(keyRange, queryRange);
    for (int j = 0; j < sk; ++j)
        for (int i = 0; i < sq; ++i)
            map->data()->setCell(j, i, std::max(floor, double(weights(std::min(i, nq - 1), std::min(j, nk - 1)))));
    map->setInterpolate(false);
    map->setTightBoundary(false);
}

HeatmapPlot::HeatmapPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(240, 200);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);

    m_map = new QCPColorMap(xAxis, yAxis);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(QStringLiteral("attention weight"));
    m_scale->setBarWidth(14);
    m_map->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    xAxis->setLabel(QStringLiteral("key"));
    yAxis->setLabel(QStringLiteral("query"));
    yAxis->setRangeReversed(true);
    for (QCPAxis* a : {xAxis, yAxis}) {
        a->grid()->setVisible(false);
        a->setSubTicks(false);
        a->setTickLength(0, 3);
        a->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
    }
    applyPalette();
    setColormap(m_colormap);
    setMouseTracking(true);
}

void HeatmapPlot::setSlice(AttentionSlice slice)
{
    m_slice = std::move(slice);
    rebuild();
}

void HeatmapPlot::setColormap(const QString& name)
{
    m_colormap = colormapNames().contains(name) ? name : colormapNames().front();
    m_map->setGradient(colormap(m_colormap));
    replot(rpQueuedReplot);
}

void HeatmapPlot::setLogScale(bool on)
{
    m_log = on;
    rebuild();
}

void HeatmapPlot::rebuild()
{
    m_title->setText(m_slice.title);
    m_map->setVisible(!m_slice.empty());
    if (m_slice.empty()) {
        m_map->data()->clear();
        replot(rpQueuedReplot);
        return;
    }
    placeCells(m_map, m_slice.weights, m_log ? kLogFloor : 0.0);
    m_scale->setDataScaleType(m_log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (m_log) m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else m_scale->axis()->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_scale->setDataRange(m_log ? QCPRange(kLogFloor, 1.0) : QCPRange(0.0, 1.0));
    xAxis->setRange(-0.5, double(m_slice.weights.cols()) - 0.5);
    yAxis->setRange(-0.5, double(m_slice.weights.rows()) - 0.5);
    applyTicks();
    replot(rpQueuedReplot);
}

void HeatmapPlot::applyTicks()
{
    // Label every token while they fit (one line of text per label), else every k-th.
    const QFontMetrics fm(xAxis->tickLabelFont());
    auto fill = [&fm](QCPAxis* axis, const QStringList& labels, int pixels, bool rotated) {
        auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
        if (!ticker) return;
        ticker->clear();
        const int n = static_cast<int>(labels.size());
        if (n == 0) return;
        const int per = std::max(1, fm.height() + (rotated ? 0 : 2));
        const int step = std::max(1, int(std::ceil(double(n) * per / std::max(1, pixels))));
        for (int i = 0; i < n; i += step) ticker->addTick(i, labels[i]);
    };
    // Estimated from the widget size (label, tick and colour-bar margins), not from the axis
    // rect, whose geometry is only updated at the next replot and would be stale here.
    const int wpx = std::max(50, width() - 170);
    const int hpx = std::max(50, height() - 130);
    // Key labels stay upright while the widest fits its column, else they are turned by 60°.
    int widest = 0;
    for (const QString& s : m_slice.keyLabels) widest = std::max(widest, fm.horizontalAdvance(s) + 4);
    const int columns = std::max<int>(1, static_cast<int>(m_slice.keyLabels.size()));
    const bool rotate = widest > wpx / columns;
    xAxis->setTickLabelRotation(rotate ? 60 : 0);
    if (!rotate && widest > fm.height()) fill(xAxis, m_slice.keyLabels, wpx * fm.height() / widest, false);
    else fill(xAxis, m_slice.keyLabels, wpx, rotate);
    fill(yAxis, m_slice.queryLabels, hpx, false);
}

void HeatmapPlot::applyPalette()
{
    const QPalette pal = palette();
    setBackground(pal.brush(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    m_title->setTextColor(text);
    for (QCPAxis* a : {xAxis, yAxis, m_scale->axis()}) {
        a->setBasePen(QPen(text));
        a->setTickPen(QPen(text));
        a->setSubTickPen(QPen(text));
        a->setTickLabelColor(text);
        a->setLabelColor(text);
    }
    replot(rpQueuedReplot);
}

bool HeatmapPlot::cellAt(const QPointF& pos, int& query, int& key) const
{
    if (m_slice.empty() || !axisRect()->rect().contains(pos.toPoint())) return false;
    key = int(std::lround(xAxis->pixelToCoord(pos.x())));
    query = int(std::lround(yAxis->pixelToCoord(pos.y())));
    return key >= 0 && key < m_slice.weights.cols() && query >= 0 && query < m_slice.weights.rows();
}

QString HeatmapPlot::cellText(int query, int key) const
{
    if (query < 0 || key < 0 || query >= m_slice.weights.rows() || key >= m_slice.weights.cols()) return {};
    return QStringLiteral("%1 \u2192 %2: %3")
        .arg(m_slice.queryLabels.value(query), m_slice.keyLabels.value(key))
        .arg(double(m_slice.weights(query, key)), 0, 'f', 3);
}

void HeatmapPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    int q = -1, k = -1;
    if (!cellAt(event->position(), q, k)) q = k = -1;
    if (q != m_hoverQuery || k != m_hoverKey) {
        m_hoverQuery = q;
        m_hoverKey = k;
        emit cellHovered(q, k);
    }
    if (q >= 0) {
        const QString tip = cellText(q, k) + QStringLiteral("\nquery %1, key %2").arg(q).arg(k);
        QToolTip::showText(event->globalPosition().toPoint(), tip, this);
    } else QToolTip::hideText();
}

void HeatmapPlot::leaveEvent(QEvent* event)
{
    QCustomPlot::leaveEvent(event);
    if (m_hoverQuery >= 0) emit cellHovered(-1, -1);
    m_hoverQuery = m_hoverKey = -1;
}

void HeatmapPlot::resizeEvent(QResizeEvent* event)
{
    QCustomPlot::resizeEvent(event);
    applyTicks();
}

void HeatmapPlot::changeEvent(QEvent* event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) applyPalette();
}

} // namespace attnscope
