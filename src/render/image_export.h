// Image and data export shared by the app and the CLI: PNG/JPG (with a scale factor for high
// DPI), SVG and PDF chosen by file extension, attention as CSV/JSON. Every write is atomic
// (rendered in memory, then committed through QSaveFile); functions return an error message,
// empty on success.
#pragma once

#include "render/attention_slice.h"

#include <QByteArray>
#include <QColor>
#include <QSize>
#include <QString>

#include <functional>
#include <optional>

class QCPPainter;
class QCustomPlot;

namespace attnscope {

enum class ImageFormat { Png, Jpg, Svg, Pdf };

std::optional<ImageFormat> imageFormatForPath(const QString& path); // by extension
QString imageFileFilter(); // for file dialogs: "PNG image (*.png);;SVG …"

// Paints a view of logical size `size` onto any device (raster, SVG, PDF).
using PaintFunction = std::function<void(QCPPainter& painter, const QSize& size)>;

struct ExportOptions {
    QSize size{900, 800}; // logical pixels
    double scale = 1.0;   // raster formats: output pixels per logical pixel
    int dpi = 96;         // logical dots per inch, so fonts keep their on-screen size
    QString title;        // SVG/PDF document title
    QColor background = Qt::white;
};

QByteArray renderImage(ImageFormat format, const PaintFunction& paint, const ExportOptions& options, QString* error);
QString exportImage(const QString& path, const PaintFunction& paint, const ExportOptions& options);
QString writeFileAtomically(const QString& path, const QByteArray& data);

// A QCustomPlot drawn at the requested size (its layout is recomputed for that size).
PaintFunction plotPaintFunction(QCustomPlot* plot);

// The attention slice as CSV (header row of key tokens, one row per query) and as JSON
// {"title", "query_tokens", "key_tokens", "weights": [[...]]}.
QByteArray sliceCsv(const AttentionSlice& slice);
QByteArray sliceJson(const AttentionSlice& slice);

// Headless heatmap export (attnscope-cli export; needs a QApplication): a HeatmapPlot of
// the given size, exported exactly as the app's Export Image does.
struct HeatmapExport {
    AttentionSlice slice;
    QString path;
    QSize size{900, 800};
    double scale = 1.0;
    QString colormap = QStringLiteral("viridis");
    bool logScale = false;
};
QString exportHeatmap(const HeatmapExport& request);

} // namespace attnscope
