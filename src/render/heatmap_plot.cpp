// See heatmap_plot.h.
#include "render/heatmap_plot.h"

#include "render/colormaps.h"

#include <QCoreApplication>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

// QCPColorMapData's cell array is protected and has no bulk setter; setCell() is an exported
// call per cell (4 M calls, ~130 ms, for 2048 tokens). A pointer to the protected members,
// formed through a derived class, writes the row-major block directly (~10 ms).
struct ColorMapCells : QCPColorMapData {
    static double* cells(QCPColorMapData& d) { return d.*(&ColorMapCells::mData); }
    static void markModified(QCPColorMapData& d) { d.*(&ColorMapCells::mDataModified) = true; }
};

// Grey with a darker diagonal hatch: reads as "no value here" in colour and in greyscale prints.
QBrush maskedBrush(const QPalette& pal)
{
    QPixmap tile(8, 8);
    const QColor grey = HeatmapPlot::maskedColor(pal);
    tile.fill(grey);
    QPainter p(&tile);
    p.setPen(QPen(grey.darker(135), 1));
    p.drawLine(0, 8, 8, 0);
    p.end();
    return QBrush(tile);
}

} // namespace

namespace {

// `text` in at most two lines of `width`: whole on one line when it fits, else broken after the
// last " · ", ": " or space that leaves a first line that fits (the break's space becomes a
// newline), the second line shortened with … only when even that does not fit.
QString wrapInTwo(const QFontMetrics& fm, const QString& text, int width)
{
    if (fm.horizontalAdvance(text) <= width) return text;
    int best = -1;
    for (int i = int(text.size()) - 1; i > 0; --i) {
        if (text[i] != QLatin1Char(' ')) continue;
        if (fm.horizontalAdvance(text.left(i)) > width) continue;
        const bool strong = (i >= 2 && text.mid(i - 2, 2) == QStringLiteral(" \u00B7")) || text[i - 1] == QLatin1Char(':');
        if (best < 0) best = i;
        if (strong) {
            best = i;
            break;
        }
    }
    if (best < 0) return fm.elidedText(text, Qt::ElideRight, width);
    return text.left(best) + QLatin1Char('\n') + fm.elidedText(text.mid(best + 1), Qt::ElideRight, width);
}

} // namespace

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
    double* cells = ColorMapCells::cells(*map->data()); // cell (key j, value i) at [i * keySize + j]
    if (cells && sk == nk && sq == nq) {
        for (int i = 0; i < nq; ++i) {
            const float* row = weights.row(i).data();
            double* out = cells + size_t(i) * size_t(nk);
            for (int j = 0; j < nk; ++j) out[j] = std::max(floor, double(row[j]));
        }
        ColorMapCells::markModified(*map->data());
    } else {
        for (int j = 0; j < sk; ++j)
            for (int i = 0; i < sq; ++i)
                map->data()->setCell(j, i, std::max(floor, double(weights(std::min(i, nq - 1), std::min(j, nk - 1)))));
    }
    map->setInterpolate(false);
    map->setTightBoundary(false);
}

void CellColorMap::draw(QCPPainter* painter)
{
    QCPColorMapData* d = data();
    const int nk = d->keySize(), nq = d->valueSize();
    if (!painter->modes().testFlag(QCPPainter::pmVectorized) || nk < 1 || nq < 1 ||
        qint64(nk) * nq > kMaxVectorCells || !mKeyAxis || !mValueAxis) {
        QCPColorMap::draw(painter);
        return;
    }
    // Cell centres are spread evenly over the data's key and value ranges (as QCPColorMap
    // places them); each cell spans half the distance to its neighbours.
    const QCPRange kr = d->keyRange(), vr = d->valueRange();
    const double cw = nk > 1 ? (kr.upper - kr.lower) / (nk - 1) : 1.0;
    const double ch = nq > 1 ? (vr.upper - vr.lower) / (nq - 1) : 1.0;
    const bool log = dataScaleType() == QCPAxis::stLogarithmic;
    painter->save();
    painter->setAntialiasing(false);
    painter->setPen(Qt::NoPen);
    for (int i = 0; i < nq; ++i) {
        const double v = vr.lower + i * ch;
        for (int j = 0; j < nk; ++j) {
            const double k = kr.lower + j * cw;
            // Each cell reaches half a pixel under its right and lower neighbours (drawn later),
            // so no hairline of background shows between cells in antialiasing viewers.
            const QRectF r = QRectF(coordsToPixels(k - cw / 2, v - ch / 2), coordsToPixels(k + cw / 2, v + ch / 2))
                                 .normalized()
                                 .adjusted(0, 0, 0.5, 0.5)
                                 .intersected(clipRect());
            if (r.isEmpty()) continue;
            const double value = d->cell(j, i);
            painter->fillRect(r, std::isnan(value) ? QColor(Qt::transparent) : QColor::fromRgba(mGradient.color(value, dataRange(), log)));
        }
    }
    painter->restore();
}

HeatmapPlot::HeatmapPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(240, 200);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);

    m_map = new CellColorMap(xAxis, yAxis);
    m_masked = new QCPCurve(xAxis, yAxis);
    m_masked->setPen(Qt::NoPen);
    m_masked->setVisible(false);
    m_maskLegend = new QCPTextElement(this, QString(), font());
    plotLayout()->addElement(2, 0, m_maskLegend);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(QCoreApplication::translate("attnscope::HeatmapPlot", "attention weight"));
    m_scale->setBarWidth(14);
    m_map->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    xAxis->setLabel(QCoreApplication::translate("attnscope::HeatmapPlot", "key"));
    yAxis->setLabel(QCoreApplication::translate("attnscope::HeatmapPlot", "query"));
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
    // Zoom (wheel) and pan (drag) for long inputs. The colour-mapped image is cached by
    // QCPColorMap until the data changes, so a zoom or pan step only repaints it scaled.
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // QCustomPlot's default phImmediateRefresh makes every replot a synchronous repaint(), which
    // paints and flushes whatever else in the window is dirty at that moment and then again for
    // what changes after it (labels, the table): one window paint per result is enough.
    setPlottingHint(QCP::phImmediateRefresh, false);
    connect(this, &QCustomPlot::beforeReplot, this, [this] { m_replotPending = false; }); // any replot serves
    axisRect()->setRangeZoomFactor(0.8);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &HeatmapPlot::onRangeChanged);
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &HeatmapPlot::onRangeChanged);
}

void HeatmapPlot::setSlice(AttentionSlice slice)
{
    const bool sameShape = slice.weights.rows() == m_slice.weights.rows() &&
                           slice.weights.cols() == m_slice.weights.cols() && !slice.empty();
    m_slice = std::move(slice);
    m_keyLabelWidths.clear();
    m_queryLabelWidths.clear();
    rebuild(sameShape);
}

void HeatmapPlot::resetView()
{
    if (m_slice.empty()) return;
    m_clamping = true;
    xAxis->setRange(-0.5, double(m_slice.weights.cols()) - 0.5);
    yAxis->setRange(-0.5, double(m_slice.weights.rows()) - 0.5);
    m_clamping = false;
    placeVisible(false);
    applyTicks();
    scheduleReplot();
}

void HeatmapPlot::onRangeChanged()
{
    if (m_clamping || m_slice.empty()) return;
    // Keep the view inside the matrix and at least a few cells wide.
    m_clamping = true;
    auto clamp = [](QCPAxis* axis, Eigen::Index cells) {
        const double lo = -0.5, hi = double(cells) - 0.5;
        const double minSpan = std::min(4.0, hi - lo);
        QCPRange r = axis->range();
        double span = std::clamp(r.size(), minSpan, hi - lo);
        const double centre = std::clamp(r.center(), lo + span / 2, hi - span / 2);
        r = QCPRange(centre - span / 2, centre + span / 2);
        if (r != axis->range()) axis->setRange(r);
    };
    clamp(xAxis, m_slice.weights.cols());
    clamp(yAxis, m_slice.weights.rows());
    m_clamping = false;
    placeVisible(false);
    applyTicks();
}

void HeatmapPlot::setColormap(const QString& name)
{
    m_colormap = colormapNames().contains(name) ? name : colormapNames().front();
    m_map->setGradient(signedScale() ? divergingColormap() : colormap(m_colormap));
    scheduleReplot();
}

void HeatmapPlot::setSignedScale(double range, const QString& label)
{
    m_signedRange = std::max(range, std::numeric_limits<double>::min());
    m_map->setGradient(divergingColormap());
    m_scale->setDataScaleType(QCPAxis::stLinear);
    if (m_scale->axis()->ticker().dynamicCast<QCPAxisTickerLog>())
        m_scale->axis()->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_scale->setDataRange(QCPRange(-m_signedRange, m_signedRange));
    m_scale->axis()->setLabel(label);
    applyTicks(); // the colour bar's tick count
    scheduleReplot();
}

void HeatmapPlot::setLogScale(bool on)
{
    m_log = on;
    rebuild();
}

void HeatmapPlot::rebuild(bool keepView)
{
    fitTitle();
    yAxis->setLabel(m_slice.queryAxis);
    m_map->setVisible(!m_slice.empty());
    updateMask();
    if (m_slice.empty()) {
        m_map->data()->clear();
        scheduleReplot();
        return;
    }
    // One vectorised pass each (Eigen's hasNaN() is a slow element-wise test on 4 M cells): a NaN
    // anywhere makes the sum NaN (so would ±∞ of both signs; then the NaN-aware path is merely slower).
    m_hasNaN = std::isnan(m_slice.weights.sum());
    m_signedValues = m_slice.weights.size() > 0 && (m_hasNaN ? (m_slice.weights.array() < 0.0f).any()
                                                              : m_slice.weights.minCoeff() < 0.0f);
    const bool log = logApplied();
    m_scale->setDataScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    const bool logTicker = !m_scale->axis()->ticker().dynamicCast<QCPAxisTickerLog>().isNull();
    if (log && !logTicker) m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else if (!log && logTicker) m_scale->axis()->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_scale->setDataRange(signedScale() ? QCPRange(-m_signedRange, m_signedRange)
                          : log         ? QCPRange(kLogFloor, 1.0)
                                        : QCPRange(0.0, 1.0));
    m_clamping = true;
    if (!keepView) {
        xAxis->setRange(-0.5, double(m_slice.weights.cols()) - 0.5);
        yAxis->setRange(-0.5, double(m_slice.weights.rows()) - 0.5);
    }
    m_clamping = false;
    placeVisible(true);
    applyTicks();
    scheduleReplot();
}

QColor HeatmapPlot::maskedColor(const QPalette& pal)
{
    // Mid grey between the page and its text: no colour map uses a neutral grey at any weight.
    const QColor a = pal.color(QPalette::Base), b = pal.color(QPalette::Text);
    return QColor((a.red() + b.red()) / 2, (a.green() + b.green()) / 2, (a.blue() + b.blue()) / 2);
}

void HeatmapPlot::updateMask()
{
    // The staircase over keys j > i, in cell coordinates (cell (j, i) spans j ± 0.5, i ± 0.5).
    const int nq = int(m_slice.weights.rows()), nk = int(m_slice.weights.cols());
    const int last = std::min(nq - 1, nk - 2); // the last row with a masked key
    const bool show = m_slice.causal && last >= 0;
    m_masked->setVisible(show);
    m_maskText = show ? tr("\u25A8 hatched: masked (future key), not weight 0") : QString();
    m_maskLegend->setText(wrapInTwo(QFontMetrics(m_maskLegend->font()), m_maskText,
                                    std::max(40, width() - std::max(80, m_scale->outerRect().width()) - 12)));
    if (!show) {
        m_masked->data()->clear();
        return;
    }
    QVector<double> t, x, y;
    auto add = [&](double kx, double qy) {
        t << double(t.size());
        x << kx;
        y << qy;
    };
    add(0.5, -0.5);
    add(nk - 0.5, -0.5);
    add(nk - 0.5, last + 0.5);
    for (int i = last; i >= 0; --i) {
        add(i + 0.5, i + 0.5);
        add(i + 0.5, i - 0.5);
    }
    m_masked->setData(t, x, y, true);
    m_masked->setBrush(maskedBrush(palette()));
}

void HeatmapPlot::placeVisible(bool force)
{
    placeFor(size(), devicePixelRatioF(), force);
}

void HeatmapPlot::paintForExport(QCPPainter& painter, const QSize& size)
{
    const QPaintEngine* engine = painter.paintEngine();
    const bool vector = engine && (engine->type() == QPaintEngine::SVG || engine->type() == QPaintEngine::Pdf);
    const double ratio = vector ? 4.0 : std::max(1.0, painter.transform().m11());
    placeFor(size, ratio, false); // nothing to do for a matrix placed whole
    toPainter(&painter, size.width(), size.height());
    placeVisible(false);
}

void HeatmapPlot::placeFor(const QSize& size, double ratio, bool force)
{
    const MatrixRM& w = m_slice.weights;
    const int nq = int(w.rows()), nk = int(w.cols());
    // Attention weights are raised to the log floor (log scale) or 0; signed maps keep their sign.
    const double floor = m_signedValues ? -std::numeric_limits<double>::infinity() : logApplied() ? kLogFloor : 0.0;
    if (nq <= kWholeLimit && nk <= kWholeLimit) {
        if (force) placeCells(m_map, w, floor);
        m_placement = Placement{0, 0, 1, 1, nk, nq};
        return;
    }
    // The visible cells, and the pixels they get (estimated as in applyTicks: the axis rect's
    // geometry is only updated at the next replot).
    auto visible = [](const QCPAxis* axis, int n) {
        const int lo = std::clamp(int(std::floor(axis->range().lower + 0.5)), 0, n - 1);
        const int hi = std::clamp(int(std::ceil(axis->range().upper - 0.5)), lo, n - 1);
        return std::pair{lo, hi};
    };
    const auto [k0, k1] = visible(xAxis, nk);
    const auto [q0, q1] = visible(yAxis, nq);
    const int wpx = std::max(64, int((size.width() - 170) * ratio)),
              hpx = std::max(64, int((size.height() - 130) * ratio));
    Placement p;
    p.keyBlock = std::max(1, (k1 - k0 + wpx) / wpx);   // ⌈visible / pixels⌉
    p.queryBlock = std::max(1, (q1 - q0 + hpx) / hpx);
    p.firstKey = k0 / p.keyBlock * p.keyBlock; // on the block grid, so blocks stay put while panning
    p.firstQuery = q0 / p.queryBlock * p.queryBlock;
    p.keyCells = std::max(2, (k1 - p.firstKey) / p.keyBlock + 1);
    p.queryCells = std::max(2, (q1 - p.firstQuery) / p.queryBlock + 1);
    if (!force && p == m_placement) return;
    m_placement = p;

    QCPColorMapData* data = m_map->data();
    data->setSize(p.keyCells, p.queryCells);
    auto centre = [](int first, int block, int index) { return first + index * block + (block - 1) / 2.0; };
    data->setRange(QCPRange(centre(p.firstKey, p.keyBlock, 0), centre(p.firstKey, p.keyBlock, p.keyCells - 1)),
                   QCPRange(centre(p.firstQuery, p.queryBlock, 0), centre(p.firstQuery, p.queryBlock, p.queryCells - 1)));
    double* cells = ColorMapCells::cells(*data); // placed cell (c, r) at [r * keyCells + c]
    if (!cells) return;
    // Block maxima row by row: each matrix row updates its block row's accumulators in one
    // sequential pass (branch-free max; NaN-aware only when the slice has NaN cells).
    const bool signedValues = m_signedValues, nan = m_hasNaN;
    constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> acc(size_t(p.keyCells));
    for (int r = 0; r < p.queryCells; ++r) {
        double* out = cells + size_t(r) * size_t(p.keyCells);
        const int iBegin = p.firstQuery + r * p.queryBlock, iEnd = std::min(nq, iBegin + p.queryBlock);
        std::fill(acc.begin(), acc.end(), nan ? kNaN : signedValues ? 0.0f : -std::numeric_limits<float>::infinity());
        for (int i = iBegin; i < iEnd; ++i) {
            const float* row = w.row(i).data();
            for (int c = 0; c < p.keyCells; ++c) {
                const int jBegin = p.firstKey + c * p.keyBlock, jEnd = std::min(nk, jBegin + p.keyBlock);
                float best = acc[size_t(c)];
                if (nan) { // NaN cells (not computed yet: the timeline) are skipped; a block of only NaN stays NaN
                    for (int j = jBegin; j < jEnd; ++j) {
                        const float v = row[j];
                        if (!std::isnan(v) && (std::isnan(best) || (signedValues ? std::abs(v) > std::abs(best) : v > best)))
                            best = v;
                    }
                } else if (signedValues) {
                    for (int j = jBegin; j < jEnd; ++j) best = std::abs(row[j]) > std::abs(best) ? row[j] : best;
                } else {
                    for (int j = jBegin; j < jEnd; ++j) best = row[j] > best ? row[j] : best;
                }
                acc[size_t(c)] = best;
            }
        }
        for (int c = 0; c < p.keyCells; ++c) {
            const float best = acc[size_t(c)];
            // Blocks past the matrix's last row or column (the grid's last partial block) stay at the floor.
            const bool inside = iBegin < iEnd && p.firstKey + c * p.keyBlock < nk;
            out[c] = !inside ? floor : std::isnan(best) ? double(best) : std::max(floor, double(best));
        }
    }
    ColorMapCells::markModified(*data);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
}

QMap<double, QString> HeatmapPlot::axisTicks(const QStringList& labels, int lo, int hi, int step)
{
    QMap<double, QString> ticks;
    step = std::max(1, step);
    lo = std::max(0, lo);
    hi = std::min(hi, int(labels.size()) - 1);
    for (int i = (lo + step - 1) / step * step; i <= hi; i += step)
        ticks.insert(i, step == 1 ? labels[i] : QStringLiteral("%1:%2").arg(i).arg(labels[i]));
    return ticks;
}

void HeatmapPlot::applyTicks()
{
    // Label every visible token while they fit (one line of text per label), else every k-th
    // (multiples of k, so labels stay put while panning): 2048 tokens never become a smear.
    const QFontMetrics fm(xAxis->tickLabelFont());
    auto visible = [](const QCPAxis* axis, int n) {
        const int lo = std::clamp(int(std::ceil(axis->range().lower)), 0, std::max(0, n - 1));
        const int hi = std::clamp(int(std::floor(axis->range().upper)), lo, std::max(0, n - 1));
        return std::pair{lo, hi};
    };
    auto fill = [&fm, &visible](QCPAxis* axis, const QStringList& labels, int pixels, bool rotated, int widest = 0) {
        auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
        if (!ticker) return;
        ticker->clear();
        const int n = static_cast<int>(labels.size());
        if (n == 0) return;
        const auto [lo, hi] = visible(axis, n);
        // Labels turned by 60° are parallel lines: two at a horizontal distance d are d·sin 60°
        // apart, so they need h / sin 60° (+ a gap) not to overprint.
        const int per = rotated ? int(std::ceil(fm.height() / std::sin(60.0 * M_PI / 180.0))) + 2 : fm.height() + 2;
        auto stepFor = [&](int px) { return std::max(1, int(std::ceil(double(hi - lo + 1) * per / std::max(1, px)))); };
        int step = stepFor(pixels);
        // Upright key labels are spaced by their width (pixels was scaled by height / widest):
        // thinned ones also carry their index, "2047:", so they need that much more room.
        if (step > 1 && widest > 0) {
            const int prefix = fm.horizontalAdvance(QStringLiteral("%1:").arg(hi));
            step = stepFor(pixels * widest / (widest + prefix));
        }
        ticker->setTicks(HeatmapPlot::axisTicks(labels, lo, hi, step));
    };
    // The matrix's pixels are estimated from the widget size and the margins the labels will
    // take, not read from the axis rect, whose geometry is only updated at the next replot and
    // would be stale here. Left: the widest visible query label (with its "123:" index when
    // thinned), the axis label and paddings; right: the colour bar (as laid out at the last
    // replot); top: the title; bottom: the key labels (turned ones take 0.87 × their width), the
    // axis label and the masked-cells legend.
    auto measure = [&fm](std::vector<int>& widths, const QStringList& labels) {
        if (widths.size() == size_t(labels.size())) return; // measured once per slice
        widths.clear();
        for (const QString& label : labels) widths.push_back(fm.horizontalAdvance(label) + 4);
    };
    measure(m_keyLabelWidths, m_slice.keyLabels);
    measure(m_queryLabelWidths, m_slice.queryLabels);
    auto widestOf = [](const std::vector<int>& widths, int lo, int hi) {
        int w = 0;
        for (int i = lo; i <= hi && i < int(widths.size()); ++i) w = std::max(w, widths[size_t(i)]);
        return w;
    };
    const auto [klo, khi] = visible(xAxis, static_cast<int>(m_slice.keyLabels.size()));
    const auto [qlo, qhi] = visible(yAxis, static_cast<int>(m_slice.queryLabels.size()));
    const int line = fm.height();
    const int roughRows = std::max(50, height() - 6 * line - 40);
    const bool rowsThinned = (qhi - qlo + 1) * (line + 2) > roughRows;
    const int queryLabels = widestOf(m_queryLabelWidths, qlo, qhi) +
                            (rowsThinned ? fm.horizontalAdvance(QStringLiteral("%1:").arg(qhi)) : 0);
    // The colour bar: its bar, its widest tick label (the ticker's own, for the count it will
    // get below), its axis label and paddings.
    const int scaleWidth = [&] {
        QCPAxis* axis = m_scale->axis();
        const QFontMetrics tfm(axis->tickLabelFont());
        QVector<double> ticks;
        QVector<QString> labels;
        const int count = axis->ticker()->tickCount();
        axis->ticker()->setTickCount(std::clamp((height() - 6 * line - 40) / (3 * tfm.height()), 3, 5));
        axis->ticker()->generate(m_scale->dataRange(), locale(), axis->numberFormat().at(0), axis->numberPrecision(),
                                 ticks, nullptr, &labels);
        axis->ticker()->setTickCount(count);
        int widestTick = 0;
        for (const QString& l : labels) widestTick = std::max(widestTick, tfm.horizontalAdvance(l));
        return m_scale->barWidth() + widestTick + (axis->label().isEmpty() ? 0 : line) + 24;
    }();
    // (Less 8 %: the estimate is a few pixels off either way, and a label too many overprints.)
    const int wpx = std::max(16, int(0.92 * (width() - queryLabels - 2 * line - 24 - scaleWidth)));
    // Key labels stay upright while the widest visible one fits its column, else they are
    // turned by 60°.
    const int widest = widestOf(m_keyLabelWidths, klo, khi);
    const int columns = std::max(1, khi - klo + 1);
    const bool rotate = widest > wpx / columns;
    const bool keysThinned = columns * (rotate ? line + 4 : widest) > wpx;
    const int turned = widest + (keysThinned ? fm.horizontalAdvance(QStringLiteral("%1:").arg(khi)) : 0);
    const int keyLabels = rotate ? int(std::ceil(0.87 * turned)) + line / 2 : line;
    // As QCustomPlot lays it out: the title row and its gap, the axis rect's top margin, the
    // key labels with the tick, paddings and axis label, the legend row (there even when empty).
    const int title = QFontMetrics(m_title->font()).height() * int(1 + m_title->text().count(QLatin1Char('\n'))) + 10;
    const int hpx = std::max(16, height() - title - 15 - (keyLabels + line + 16) - (line + 9));
    xAxis->setTickLabelRotation(rotate ? 60 : 0);
    if (!rotate && widest > fm.height()) fill(xAxis, m_slice.keyLabels, wpx * fm.height() / widest, false, widest);
    else fill(xAxis, m_slice.keyLabels, wpx, rotate);
    fill(yAxis, m_slice.queryLabels, hpx, false);
    // The query axis's name on two lines where the matrix is shorter than it ("query:" over
    // "reads → produces" on a timeline at 1024 × 700).
    if (!m_slice.queryAxis.isEmpty())
        yAxis->setLabel(wrapInTwo(QFontMetrics(yAxis->labelFont()), m_slice.queryAxis, std::max(40, hpx - 8)));
    // The colour bar: about one tick per three lines of text of its height (QCustomPlot's five
    // overprint on a short bar, e.g. Compare's at 1024 × 700), at most five.
    const QFontMetrics scaleFm(m_scale->axis()->tickLabelFont());
    const int ticks = std::clamp(hpx / (3 * scaleFm.height()), 3, 5); // 2 can leave one tick, "0", on a ±r bar
    if (m_scale->axis()->ticker()->tickCount() != ticks) m_scale->axis()->ticker()->setTickCount(ticks);
}

void HeatmapPlot::applyPalette()
{
    const QPalette pal = palette();
    setBackground(pal.brush(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    m_title->setTextColor(text);
    m_maskLegend->setTextColor(text);
    if (m_masked) m_masked->setBrush(maskedBrush(pal));
    for (QCPAxis* a : {xAxis, yAxis, m_scale->axis()}) {
        a->setBasePen(QPen(text));
        a->setTickPen(QPen(text));
        a->setSubTickPen(QPen(text));
        a->setTickLabelColor(text);
        a->setLabelColor(text);
    }
    scheduleReplot();
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
    if (m_slice.causal && key > query)
        return tr("%1 \u2192 %2: masked (future key)").arg(m_slice.queryLabels.value(query), m_slice.keyLabels.value(key));
    return QStringLiteral("%1 \u2192 %2: %3")
        .arg(m_slice.queryLabels.value(query), m_slice.keyLabels.value(key))
        .arg(double(m_slice.weights(query, key)), 0, 'f', 3);
}

void HeatmapPlot::scheduleReplot()
{
    // Replotted once, just before the window's next paint pass, whatever changed in between
    // (slice, ticks, colour map): the window's UpdateRequest is filtered for it (eventFilter), so
    // the new buffers are painted in the same pass as the rest of the window — a queued replot
    // (QCustomPlot::rpQueuedReplot) came after that pass and cost a second one.
    m_replotPending = true;
    QWidget* window = this->window();
    if (window != m_filteredWindow) { // the form reparents the plot into its window after construction
        if (m_filteredWindow) m_filteredWindow->removeEventFilter(this);
        m_filteredWindow = window;
        if (window != this) window->installEventFilter(this);
    }
    update();
}

bool HeatmapPlot::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::UpdateRequest && watched == m_filteredWindow && m_replotPending && isVisible())
        replot(rpRefreshHint); // no phImmediateRefresh: update() joins the pass about to start
    return QCustomPlot::eventFilter(watched, event);
}

void HeatmapPlot::paintEvent(QPaintEvent* event)
{
    // A paint without the window's UpdateRequest first (grab(), render(), a top-level plot).
    if (m_replotPending) replot(rpRefreshHint);
    QCustomPlot::paintEvent(event);
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
        const QString tip = cellText(q, k) + QCoreApplication::translate("attnscope::HeatmapPlot", "\nquery %1, key %2").arg(q).arg(k);
        QToolTip::showText(event->globalPosition().toPoint(), tip, this);
    } else if (m_title->text() != m_slice.title && m_title->outerRect().contains(event->position().toPoint())) {
        QToolTip::showText(event->globalPosition().toPoint(), m_slice.title, this); // the shortened title in full
    } else QToolTip::hideText();
}

void HeatmapPlot::leaveEvent(QEvent* event)
{
    QCustomPlot::leaveEvent(event);
    if (m_hoverQuery >= 0) emit cellHovered(-1, -1);
    m_hoverQuery = m_hoverKey = -1;
}

void HeatmapPlot::mouseDoubleClickEvent(QMouseEvent* event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
}

void HeatmapPlot::fitTitle()
{
    // A title wider than the plot would overflow both edges (QCPTextElement centres it): it is
    // wrapped onto a second line instead (shortened at the end only if that is not enough), and
    // the whole title is the plot's tooltip over the title. The mask legend likewise.
    const QFontMetrics fm(m_title->font());
    // The title sits over the matrix's column of the layout; the colour scale takes the rest.
    const int scale = std::max(80, m_scale->outerRect().width());
    const int room = std::max(40, width() - scale - 12);
    m_title->setText(wrapInTwo(fm, m_slice.title, room));
    m_maskLegend->setText(wrapInTwo(QFontMetrics(m_maskLegend->font()), m_maskText, room));
}

void HeatmapPlot::resizeEvent(QResizeEvent* event)
{
    // Title, placement and ticks for the new size before the base class's replot, which draws
    // them (ticks set after it stayed those of the old size until the next replot: a timeline
    // resized while its tab was hidden kept its keys turned at 1920 × 1080).
    fitTitle();
    if (!m_slice.empty()) placeVisible(false);
    applyTicks();
    QCustomPlot::resizeEvent(event);
}

void HeatmapPlot::changeEvent(QEvent* event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) applyPalette();
}

} // namespace attnscope
