// See neuron_view.h. One row per key: its vector, its products with the query's vector, their
// sum, the scaled score and the weight; q_i is drawn once above the key vectors so its columns
// line up with the dimensions it multiplies.
#include "app/neuron_view.h"
#include "app/text_contrast.h"
#include "app/text_probe.h"

#include "app/step_through_view.h"
#include "render/colormaps.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
constexpr int kMargin = 10;
constexpr int kTitle = 44;   // title and formula lines
constexpr int kHeader = 36;  // two-line column titles (drawn 4 px above the rows, for descenders)
constexpr int kLegend = 36; // two lines
constexpr int kGap = 14;
constexpr int kNumberW = 100;
constexpr int kWeightW = 150;

double maxAbsOf(const float* data, Eigen::Index n)
{
    double m = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
        if (std::isfinite(data[i])) m = std::max(m, double(std::abs(data[i])));
    return m;
}
} // namespace

NeuronCanvas::NeuronCanvas(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(500, 300);
}

void NeuronCanvas::setData(std::shared_ptr<const NeuronView> neuron, QString queryLabel, QStringList keyLabels,
                           QString title)
{
    m_neuron = std::move(neuron);
    m_queryLabel = std::move(queryLabel);
    m_keyLabels = std::move(keyLabels);
    m_title = std::move(title);
    update();
}

void NeuronCanvas::setSelectedKey(int key)
{
    m_key = key;
    update();
}

void NeuronCanvas::setColormap(const QString& name)
{
    m_colormap = name;
    update();
}

QString NeuronCanvas::columnTitle(Column column) const
{
    const int dk = m_neuron ? int(m_neuron->q.size()) : 0;
    const double tau = m_neuron ? double(m_neuron->temperature) : 1.0;
    switch (column) {
    case KeyVectors: return tr("k_j: keys\nd = 0 \u2026 %1").arg(dk - 1);
    case Products: return tr("q_i \u2299 k_j\nq_i[d] \u00B7 k_j[d]");
    case Dot: return tr("q_i \u00B7 k_j\n= \u03A3 of products");
    case Scaled: return tr("s_j = q_i·k_j / √d_k\n(÷ √%1)").arg(dk);
    case Weight: return tr("A_ij = softmax(s/\u03C4)_j\n\u03C4 = %1").arg(teachingNumber(tau, 2));
    default: return {};
    }
}

NeuronCanvas::Layout NeuronCanvas::layout(const QSize& size) const
{
    Layout l;
    if (!m_neuron) return l;
    const int dk = int(m_neuron->q.size()), tk = int(m_neuron->k.rows());
    // Row labels ("12 tok") as wide as the widest needs, within [56, max(110, width / 6)].
    {
        QFont smallBold = font();
        smallBold.setPointSizeF(font().pointSizeF() * 0.85);
        smallBold.setBold(true);
        const QFontMetrics fm(smallBold);
        int widest = fm.horizontalAdvance(tr("q_%1 \u201C%2\u201D").arg(m_neuron->query).arg(m_queryLabel));
        for (int j = 0; j < tk; ++j)
            widest = std::max(widest, fm.horizontalAdvance(QStringLiteral("%1 %2").arg(j).arg(m_keyLabels.value(j))));
        l.labelW = std::clamp(widest + 8, 56, std::max(110, size.width() / 6));
    }
    const int fixed = 2 * kMargin + l.labelW + 2 * kNumberW + kWeightW + 4 * kGap;
    // Wide heads in a narrow window: down to one pixel per dimension (hover shows the values),
    // so that the numbers' columns stay inside the canvas.
    const int perMatrix = std::max(dk, (size.width() - fixed) / 2);
    l.cell = std::clamp(perMatrix / std::max(1, dk), 1, 40);
    const int qStrip = std::clamp(l.cell, 14, 24);
    l.top = kMargin + kTitle + qStrip + 8 + kHeader + 4;
    l.rowH = std::clamp((size.height() - l.top - kLegend - kMargin) / std::max(1, tk), 2, 26);
    l.x[KeyVectors] = kMargin + l.labelW;
    l.columnW[KeyVectors] = l.cell * dk;
    l.columnW[Products] = l.cell * dk;
    l.columnW[Dot] = kNumberW;
    l.columnW[Scaled] = kNumberW;
    l.columnW[Weight] = kWeightW;
    for (int c = 1; c <= ColumnCount; ++c) l.x[c] = l.x[c - 1] + l.columnW[c - 1] + (c < ColumnCount ? kGap : 0);
    l.q = QRect(l.x[KeyVectors], kMargin + kTitle, l.cell * dk, qStrip);
    return l;
}

QRect NeuronCanvas::rowRect(int key, const QSize& size) const
{
    const Layout l = layout(size);
    if (!m_neuron || key < 0 || key >= m_neuron->k.rows()) return {};
    return QRect(kMargin, l.top + key * l.rowH, l.x[ColumnCount] - kMargin, l.rowH);
}

QRect NeuronCanvas::queryRect(const QSize& size) const { return layout(size).q; }

QRect NeuronCanvas::numberRect(Column column, int key, const QSize& size) const
{
    const QRect row = rowRect(key, size);
    if (row.isNull() || (column != Dot && column != Scaled)) return {};
    return QRect(layout(size).x[column], row.top(), kNumberW, row.height());
}

void NeuronCanvas::paint(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.brush(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    if (!m_neuron) {
        drawLabel(p, QRect(QPoint(0, 0), size), Qt::AlignCenter | Qt::TextWordWrap, m_title);
        return;
    }
    const NeuronView& n = *m_neuron;
    const Layout l = layout(size);
    const int dk = int(n.q.size()), tk = int(n.k.rows());
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    QFont smallBold = small;
    smallBold.setBold(true);
    const QFontMetrics fm(small);
    QCPColorGradient gradient = colormap(m_colormap); // color() is not const

    // Title and the formula the picture computes.
    p.setFont(bold);
    const QRect titleRect(kMargin, kMargin, size.width() - 2 * kMargin, kTitle / 2);
    drawLabel(p, titleRect, Qt::AlignLeft | Qt::AlignVCenter, m_title, Qt::ElideRight);
    p.setFont(font());
    drawLabel(p, QRect(kMargin, kMargin + kTitle / 2, size.width() - 2 * kMargin, kTitle / 2), Qt::AlignLeft | Qt::AlignVCenter,
              tr("A_ij = softmax_j(q_i·k_j / √d_k / τ) · the products q_i[d]·k_j[d] sum to "
                 "the score q_i\u00B7k_j"),
              Qt::ElideRight);

    // Colour scales: q and k share one (they are multiplied together), the products their own.
    const double vecMax = std::max(maxAbsOf(n.q.data(), n.q.size()), maxAbsOf(n.k.data(), n.k.size()));
    const double prodMax = maxAbsOf(n.products.data(), n.products.size());
    const double dotMax = maxAbsOf(n.dots.data(), n.dots.size());
    const double scaledMax = maxAbsOf(n.scaled.data(), n.scaled.size());
    const bool cellNumbers = l.cell >= fm.horizontalAdvance(QStringLiteral("\u22120.00")) + 2 && l.rowH >= fm.height();
    const bool rowNumbers = l.rowH >= fm.height() - 1;

    auto drawCell = [&](const QRect& c, const QColor& fill, const QString& text) {
        p.fillRect(c, fill);
        if (!text.isEmpty()) {
            p.setPen(textColorOn(fill));
            drawLabel(p, c, Qt::AlignCenter, text);
        }
    };

    // q_i above the key vectors.
    p.setFont(smallBold);
    p.setPen(pal.color(QPalette::Text));
    drawLabel(p, QRect(kMargin, l.q.top(), l.labelW - 4, l.q.height()), Qt::AlignRight | Qt::AlignVCenter,
              tr("q_%1 \u201C%2\u201D").arg(n.query).arg(m_queryLabel), Qt::ElideRight);
    p.setFont(small);
    for (int d = 0; d < dk; ++d) {
        const QRect c(l.q.left() + d * l.cell, l.q.top(), l.cell, l.q.height());
        drawCell(c, divergingColor(n.q(d), vecMax),
                 l.cell >= fm.horizontalAdvance(QStringLiteral("\u22120.00")) + 2 ? teachingNumber(n.q(d)) : QString());
    }
    p.setPen(QPen(pal.color(QPalette::Text), 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.q.adjusted(0, 0, -1, -1));

    // One row per key.
    const QColor maskedVeil = [&] {
        QColor c = pal.color(QPalette::Base);
        c.setAlpha(190);
        return c;
    }();
    const int rowStep = rowNumbers ? 1 : std::max(1, int(std::ceil(double(fm.height()) / std::max(1, l.rowH))));
    for (int j = 0; j < tk; ++j) {
        const int y = l.top + j * l.rowH;
        const bool masked = n.masked[size_t(j)];
        p.setPen(pal.color(QPalette::Text));
        // (each label's box at least a line tall, centred on its row: a thin row's own box would cut the glyphs)
        const int labelH = std::max(l.rowH, fm.height());
        if (j % rowStep == 0)
            drawLabel(p, QRect(kMargin, y + l.rowH / 2 - labelH / 2, l.labelW - 4, labelH), Qt::AlignRight | Qt::AlignVCenter,
                      QStringLiteral("%1 %2").arg(j).arg(m_keyLabels.value(j)), Qt::ElideRight);
        // Masked keys keep their products (the dot product is still computed) but are veiled:
        // the mask sets their score to −∞ before the softmax. The veil is blended into each
        // cell's colour before its number is drawn, so the number's colour suits what is seen.
        auto shade = [&](const QColor& fill) { return masked ? composite(maskedVeil, fill) : fill; };
        for (int d = 0; d < dk; ++d) {
            drawCell(QRect(l.x[KeyVectors] + d * l.cell, y, l.cell, l.rowH), shade(divergingColor(n.k(j, d), vecMax)),
                     cellNumbers ? teachingNumber(n.k(j, d)) : QString());
            drawCell(QRect(l.x[Products] + d * l.cell, y, l.cell, l.rowH), shade(divergingColor(n.products(j, d), prodMax)),
                     cellNumbers ? teachingNumber(n.products(j, d)) : QString());
        }
        drawCell(QRect(l.x[Dot], y, kNumberW, l.rowH), shade(divergingColor(n.dots(j), dotMax)),
                 rowNumbers ? teachingNumber(n.dots(j), 3) : QString());
        drawCell(QRect(l.x[Scaled], y, kNumberW, l.rowH), shade(divergingColor(n.scaled(j), scaledMax)),
                 !rowNumbers ? QString()
                 : masked    ? tr("%1 \u2192 \u2212\u221E").arg(teachingNumber(n.scaled(j), 3))
                             : teachingNumber(n.scaled(j), 3));
        // The weight: a bar as long as A_ij in the colour map's colour for it, the number beside.
        const QRect wr(l.x[Weight], y, kWeightW, l.rowH);
        const int textW = fm.horizontalAdvance(QStringLiteral("0.000 (masked)"));
        const int barMax = std::max(10, kWeightW - (rowNumbers ? std::min(textW, kWeightW / 2) : 0) - 4);
        const double w = n.weights(j);
        p.fillRect(QRect(wr.left(), y + 1, std::max(1, int(std::lround(w * barMax))), std::max(1, l.rowH - 2)),
                   QColor::fromRgb(gradient.color(w, QCPRange(0.0, 1.0))));
        if (rowNumbers) {
            p.setPen(pal.color(QPalette::Text));
            drawLabel(p, QRect(wr.left() + barMax + 4, y, kWeightW - barMax - 4, l.rowH), Qt::AlignLeft | Qt::AlignVCenter,
                      masked ? tr("0 (masked)") : teachingNumber(w, 3));
        }
    }
    // Column titles, after the rows so that no cell covers their descenders.
    p.setFont(smallBold);
    p.setPen(pal.color(QPalette::Text));
    for (int c = 0; c < ColumnCount; ++c)
        drawLabel(p, QRect(l.x[c] - kGap / 2, l.top - kHeader - 4, l.columnW[c] + kGap, kHeader), Qt::AlignHCenter | Qt::AlignBottom,
                  columnTitle(Column(c)));
    p.setFont(small);

    // The selected key's row.
    if (m_key >= 0 && m_key < tk) {
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(rowRect(m_key, size).adjusted(-1, -1, 0, 0));
    }
    // Legend.
    p.setPen(pal.color(QPalette::Text));
    const int ly = l.top + tk * l.rowH + 4;
    drawLabel(p, QRect(kMargin, ly, size.width() - 2 * kMargin, kLegend), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               tr("Colours: q and k blue \u2212%1 \u2026 white 0 \u2026 red %1 \u00B7 products blue \u2212%2 \u2026 "
                                "red %2 \u00B7 weights: colour map 0 \u2026 1%3 \u00B7 hover: a cell's value \u00B7 click a row: "
                                "how its weight is made")
                                 .arg(teachingNumber(vecMax, 2), teachingNumber(prodMax, 2),
                                      std::find(n.masked.begin(), n.masked.end(), true) != n.masked.end()
                                          ? tr(" \u00B7 veiled rows: masked keys")
                                          : QString()),
                             Qt::ElideNone);
}

void NeuronCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, size());
}

int NeuronCanvas::keyAt(const QPoint& pos) const
{
    if (!m_neuron) return -1;
    for (int j = 0; j < m_neuron->k.rows(); ++j)
        if (rowRect(j, size()).contains(pos)) return j;
    return -1;
}

void NeuronCanvas::mousePressEvent(QMouseEvent* event)
{
    const int key = keyAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && key >= 0) emit keyClicked(key);
}

void NeuronCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (!m_neuron) return;
    const NeuronView& n = *m_neuron;
    const Layout l = layout(size());
    const int dk = int(n.q.size());
    QString tip;
    if (l.q.contains(pos)) {
        const int d = std::min(dk - 1, (pos.x() - l.q.left()) / std::max(1, l.cell));
        tip = tr("q_%1[%2] = %3").arg(n.query).arg(d).arg(teachingNumber(n.q(d), 4));
    } else if (const int j = keyAt(pos); j >= 0) {
        const QString key = tr("key %1 \u201C%2\u201D").arg(j).arg(m_keyLabels.value(j));
        if (pos.x() >= l.x[KeyVectors] && pos.x() < l.x[KeyVectors] + l.columnW[KeyVectors]) {
            const int d = std::min(dk - 1, (pos.x() - l.x[KeyVectors]) / std::max(1, l.cell));
            tip = tr("%1\nk_%2[%3] = %4").arg(key).arg(j).arg(d).arg(teachingNumber(n.k(j, d), 4));
        } else if (pos.x() >= l.x[Products] && pos.x() < l.x[Products] + l.columnW[Products]) {
            const int d = std::min(dk - 1, (pos.x() - l.x[Products]) / std::max(1, l.cell));
            tip = tr("%1\nq_%2[%3] \u00B7 k_%4[%3] = %5 \u00D7 %6 = %7")
                      .arg(key)
                      .arg(n.query)
                      .arg(d)
                      .arg(j)
                      .arg(teachingNumber(n.q(d), 4), teachingNumber(n.k(j, d), 4), teachingNumber(n.products(j, d), 4));
        } else {
            tip = tr("%1\nq\u00B7k = %2, s = %2 / \u221A%3 = %4, A = %5%6")
                      .arg(key, teachingNumber(n.dots(j), 4))
                      .arg(dk)
                      .arg(teachingNumber(n.scaled(j), 4), teachingNumber(n.weights(j), 4),
                           n.masked[size_t(j)] ? tr(" (masked)") : QString());
        }
        setCursor(Qt::PointingHandCursor);
    } else {
        unsetCursor();
    }
    if (tip.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), tip, this);
}

} // namespace attnscope
