// Drawing of PatchOverlay (see patch_overlay.h): title, image with tinted grid, colour scale.
#include "render/patch_overlay.h"

#include "render/colormaps.h"

#include <qcustomplot.h>

#include <QPainter>

#include <algorithm>

namespace attnscope {

PatchOverlay patchOverlayOf(const ImageRunResult& run, const ModelConfig& c, const QImage& image, int layer, int head,
                            int queryRow)
{
    const auto& layers = run.trace.encoder;
    if (layer < 0 || layer >= static_cast<int>(layers.size()))
        throw UsageError("--layer " + std::to_string(layer) + " out of range (the model has " +
                         std::to_string(layers.size()) + " layers)");
    const auto& heads = layers[size_t(layer)].heads;
    if (head < -1 || head >= static_cast<int>(heads.size()))
        throw UsageError("--head " + std::to_string(head) + " out of range (" + std::to_string(heads.size()) +
                         " heads)");
    const int t = c.gridRows() * c.gridCols() + 1;
    if (queryRow < 0 || queryRow >= t) throw UsageError("query row out of range");
    RowVector row = RowVector::Zero(t);
    if (head >= 0) {
        row = heads[size_t(head)].weights.row(queryRow);
    } else {
        for (const HeadTrace& h : heads) row += h.weights.row(queryRow);
        row /= static_cast<float>(heads.size());
    }
    PatchOverlay o;
    o.image = image;
    o.gridRows = c.gridRows();
    o.gridCols = c.gridCols();
    o.imageHeight = c.imageHeight;
    o.imageWidth = c.imageWidth;
    o.patchHeight = c.patchHeight;
    o.patchWidth = c.patchWidth;
    o.clsWeight = row[0];
    o.weights.assign(row.data() + 1, row.data() + t);
    o.queryRow = queryRow;
    const QString query = QString::fromStdString(run.labels.at(size_t(queryRow)));
    o.title = QString("layer %1 · %2 · query %3")
                  .arg(layer)
                  .arg(head < 0 ? QString("mean of heads") : QString("head %1").arg(head))
                  .arg(query);
    return o;
}

int queryRowOf(const std::string& query, const ModelConfig& c)
{
    if (query == "cls" || query == "CLS" || query == "[CLS]") return 0;
    const size_t comma = query.find(',');
    int r = -1, col = -1;
    try {
        size_t a = 0, b = 0;
        if (comma != std::string::npos) {
            r = std::stoi(query.substr(0, comma), &a);
            col = std::stoi(query.substr(comma + 1), &b);
            if (a != comma || b != query.size() - comma - 1) r = -1;
        }
    } catch (const std::exception&) {
        r = -1;
    }
    if (r < 0 || col < 0 || r >= c.gridRows() || col >= c.gridCols())
        throw UsageError("--query expects cls or R,C with 0 <= R < " + std::to_string(c.gridRows()) + " and 0 <= C < " +
                         std::to_string(c.gridCols()) + ", got \"" + query + "\"");
    return 1 + r * c.gridCols() + col;
}

namespace {
constexpr double kTop = 40, kBottom = 64, kSide = 16; // title band, colour-scale band, margins
} // namespace

QRectF patchOverlayImageRect(const PatchOverlay& o, const QSize& size)
{
    // The image area keeps the model's aspect (the resize to image_size stretches it so).
    const double availW = size.width() - 2 * kSide, availH = size.height() - kTop - kBottom;
    const double aspect = double(o.imageWidth) / double(o.imageHeight);
    double w = availW, h = availW / aspect;
    if (h > availH) {
        h = availH;
        w = h * aspect;
    }
    return QRectF((size.width() - w) / 2, kTop, w, h);
}

QRectF patchOverlayCellRect(const PatchOverlay& o, const QSize& size, int row, int col)
{
    // Cells cover whole patches only (the convolution reads no remainder past the last one), in
    // model pixels scaled to the drawn area.
    const QRectF area = patchOverlayImageRect(o, size);
    const double cw = double(o.patchWidth) * area.width() / o.imageWidth;
    const double ch = double(o.patchHeight) * area.height() / o.imageHeight;
    return QRectF(area.left() + col * cw, area.top() + row * ch, cw, ch);
}

QColor patchOverlayColor(const PatchOverlay& o, float weight)
{
    QCPColorGradient gradient = colormap(o.colormap); // color() is not const
    const float maxWeight = o.weights.empty() ? 0.0f : *std::max_element(o.weights.begin(), o.weights.end());
    return QColor::fromRgb(gradient.color(weight, QCPRange(0.0, std::max(1e-9f, maxWeight))));
}

PaintFunction patchOverlayPaintFunction(const PatchOverlay& o)
{
    return [o](QCPPainter& p, const QSize& size) {
        QCPColorGradient gradient = colormap(o.colormap); // color() is not const
        const float maxWeight = o.weights.empty() ? 0.0f : *std::max_element(o.weights.begin(), o.weights.end());
        const double side = kSide;
        // Title and the [CLS] key's share (not a patch, so not in the grid).
        QFont font = p.font();
        font.setPixelSize(15);
        p.setFont(font);
        p.setPen(Qt::black);
        p.drawText(QRectF(side, 8, size.width() - 2 * side, 24), Qt::AlignLeft | Qt::AlignVCenter,
                   o.title + QString("   ([CLS] key %1)").arg(double(o.clsWeight), 0, 'f', 3));
        const QRectF area = patchOverlayImageRect(o, size);
        const double w = area.width(), h = area.height();
        const bool enlarge = o.image.width() < w || o.image.height() < h;
        p.setRenderHint(QPainter::SmoothPixmapTransform, !enlarge); // small images keep their pixels
        p.drawImage(area, o.image);
        const double cellPw = patchOverlayCellRect(o, size, 0, 0).width();
        const double cellPh = patchOverlayCellRect(o, size, 0, 0).height();
        font.setPixelSize(std::clamp(int(std::min(cellPw, cellPh) / 3.2), 8, 14));
        p.setFont(font);
        for (int r = 0; r < o.gridRows; ++r)
            for (int c = 0; c < o.gridCols; ++c) {
                const float v = o.weights[size_t(r * o.gridCols + c)];
                const QRectF cell = patchOverlayCellRect(o, size, r, c);
                QColor tint = patchOverlayColor(o, v);
                tint.setAlphaF(o.opacity);
                p.fillRect(cell, tint);
                p.setPen(QPen(QColor(255, 255, 255, 160), 1));
                p.drawRect(cell);
                if (std::min(cellPw, cellPh) >= 30) {
                    // White on a dark label box: legible whatever the tint and the image under it.
                    const QString label = QString::number(double(v), 'f', 2);
                    const QFontMetricsF fm(p.font());
                    const QRectF box = QRectF(0, 0, fm.horizontalAdvance(label) + 8, fm.height() + 2)
                                           .translated(cell.center() - QPointF((fm.horizontalAdvance(label) + 8) / 2,
                                                                               (fm.height() + 2) / 2));
                    p.fillRect(box, QColor(0, 0, 0, 150));
                    p.setPen(Qt::white);
                    p.drawText(box, Qt::AlignCenter, label);
                }
            }
        if (o.queryRow > 0) {
            const int q = o.queryRow - 1, r = q / o.gridCols, c = q % o.gridCols;
            p.setPen(QPen(QColor(230, 30, 30), 3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(patchOverlayCellRect(o, size, r, c).adjusted(1.5, 1.5, -1.5, -1.5));
        }
        // Colour scale 0 … max under the image.
        const QRectF bar(area.left(), area.bottom() + 14, area.width(), 14);
        for (int i = 0; i < int(bar.width()); ++i) {
            const double v = maxWeight * i / std::max(1.0, bar.width() - 1);
            p.fillRect(QRectF(bar.left() + i, bar.top(), 1.0, bar.height()),
                       QColor::fromRgb(gradient.color(v, QCPRange(0.0, std::max(1e-9f, maxWeight)))));
        }
        font.setPixelSize(13);
        p.setFont(font);
        p.setPen(Qt::black);
        p.drawText(QRectF(bar.left(), bar.bottom() + 2, 120, 20), Qt::AlignLeft | Qt::AlignTop, "0");
        p.drawText(QRectF(bar.right() - 200, bar.bottom() + 2, 200, 20), Qt::AlignRight | Qt::AlignTop,
                   QString("%1 (max over patches)").arg(double(maxWeight), 0, 'f', 3));
    };
}

} // namespace attnscope
