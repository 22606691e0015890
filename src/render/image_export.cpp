// See image_export.h.
#include "render/image_export.h"

#include "render/heatmap_plot.h"

#include <QCoreApplication>
#include <QBuffer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <qcustomplot.h>

namespace attnscope {

std::optional<ImageFormat> imageFormatForPath(const QString& path)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QLatin1String("png")) return ImageFormat::Png;
    if (ext == QLatin1String("jpg") || ext == QLatin1String("jpeg")) return ImageFormat::Jpg;
    if (ext == QLatin1String("svg")) return ImageFormat::Svg;
    if (ext == QLatin1String("pdf")) return ImageFormat::Pdf;
    return std::nullopt;
}

QString imageFileFilter()
{
    return QCoreApplication::translate("ImageExport", "PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf);;JPEG image (*.jpg *.jpeg)");
}

QByteArray renderImage(ImageFormat format, const PaintFunction& paint, const ExportOptions& o, QString* error)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QSize size = o.size.expandedTo(QSize(1, 1));
    auto fail = [error](const QString& message) {
        if (error) *error = message;
        return QByteArray();
    };
    switch (format) {
    case ImageFormat::Png:
    case ImageFormat::Jpg: {
        const double scale = std::clamp(o.scale, 0.1, 8.0);
        QImage image(QSize(int(size.width() * scale + 0.5), int(size.height() * scale + 0.5)), QImage::Format_ARGB32);
        if (image.isNull()) return fail(QStringLiteral("image too large"));
        image.fill(o.background);
        {
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::TextAntialiasing);
            painter.setMode(QCPPainter::pmNoCaching);
            if (scale > 1.0) painter.setMode(QCPPainter::pmNonCosmetic);
            painter.scale(scale, scale);
            paint(painter, size);
        }
        // The resolution goes into the file only now: painted on an image that already said
        // dpi × scale, text (sized in points) came out scale times too large a second time,
        // on top of the painter's scale, and overflowed the layout computed for the plot.
        const int dpm = int(o.dpi * scale / 0.0254 + 0.5);
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        const bool ok = format == ImageFormat::Png
                            ? image.save(&buffer, "PNG")
                            : image.convertToFormat(QImage::Format_RGB32).save(&buffer, "JPG", 95);
        if (!ok) return fail(QStringLiteral("cannot encode the image"));
        break;
    }
    case ImageFormat::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(o.dpi);
        svg.setTitle(o.title);
        svg.setDescription(QStringLiteral("AttnScope attention view"));
        QCPPainter painter;
        if (!painter.begin(&svg)) return fail(QStringLiteral("cannot start the SVG writer"));
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.fillRect(QRect(QPoint(0, 0), size), o.background);
        paint(painter, size);
        painter.end();
        break;
    }
    case ImageFormat::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setResolution(o.dpi);
        pdf.setCreator(QStringLiteral("AttnScope"));
        pdf.setTitle(o.title);
        const QSizeF points(size.width() * 72.0 / o.dpi, size.height() * 72.0 / o.dpi);
        pdf.setPageSize(QPageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        if (!painter.begin(&pdf)) return fail(QStringLiteral("cannot start the PDF writer"));
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.setMode(QCPPainter::pmNonCosmetic);
        painter.setWindow(QRect(QPoint(0, 0), size));
        painter.setViewport(QRect(QPoint(0, 0), QSize(pdf.width(), pdf.height())));
        painter.fillRect(QRect(QPoint(0, 0), size), o.background);
        paint(painter, size);
        painter.end();
        break;
    }
    }
    return bytes;
}

QString writeFileAtomically(const QString& path, const QByteArray& data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
    if (file.write(data) != data.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return QStringLiteral("%1: write failed: %2").arg(path, reason);
    }
    if (!file.commit()) return QStringLiteral("%1: cannot save: %2").arg(path, file.errorString());
    return {};
}

QString exportImage(const QString& path, const PaintFunction& paint, const ExportOptions& options)
{
    const std::optional<ImageFormat> format = imageFormatForPath(path);
    if (!format)
        return QStringLiteral("%1: unknown image format (use .png, .svg, .pdf or .jpg)").arg(path);
    QString error;
    const QByteArray bytes = renderImage(*format, paint, options, &error);
    if (bytes.isEmpty()) return QStringLiteral("%1: %2").arg(path, error.isEmpty() ? QStringLiteral("empty image") : error);
    return writeFileAtomically(path, bytes);
}

PaintFunction plotPaintFunction(QCustomPlot* plot)
{
    if (auto* heatmap = qobject_cast<HeatmapPlot*>(plot))
        return [heatmap](QCPPainter& painter, const QSize& size) { heatmap->paintForExport(painter, size); };
    return [plot](QCPPainter& painter, const QSize& size) { plot->toPainter(&painter, size.width(), size.height()); };
}

QByteArray sliceCsv(const AttentionSlice& slice)
{
    auto quote = [](QString s) {
        s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + s + QLatin1Char('"');
    };
    QString out = QStringLiteral("query\\key");
    for (const QString& k : slice.keyLabels) out += QLatin1Char(',') + quote(k);
    out += QLatin1Char('\n');
    for (Eigen::Index i = 0; i < slice.weights.rows(); ++i) {
        out += quote(slice.queryLabels.value(int(i)));
        for (Eigen::Index j = 0; j < slice.weights.cols(); ++j)
            out += QLatin1Char(',') + QString::number(double(slice.weights(i, j)), 'g', 9);
        out += QLatin1Char('\n');
    }
    return out.toUtf8();
}

QByteArray sliceJson(const AttentionSlice& slice)
{
    QJsonArray rows;
    for (Eigen::Index i = 0; i < slice.weights.rows(); ++i) {
        QJsonArray row;
        for (Eigen::Index j = 0; j < slice.weights.cols(); ++j) row.append(double(slice.weights(i, j)));
        rows.append(row);
    }
    QJsonObject o;
    o[QStringLiteral("title")] = slice.title;
    o[QStringLiteral("query_tokens")] = QJsonArray::fromStringList(slice.queryLabels);
    o[QStringLiteral("key_tokens")] = QJsonArray::fromStringList(slice.keyLabels);
    o[QStringLiteral("weights")] = rows;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QString exportHeatmap(const HeatmapExport& request)
{
    HeatmapPlot plot;
    plot.resize(request.size);
    plot.setColormap(request.colormap);
    plot.setLogScale(request.logScale);
    plot.setSlice(request.slice);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    ExportOptions options;
    options.size = request.size;
    options.scale = request.scale;
    options.title = request.slice.title;
    return exportImage(request.path, plotPaintFunction(&plot), options);
}

} // namespace attnscope
