// A ViT attention row drawn over the image: the patch grid tinted by one query's attention to
// each patch (one head or the mean of heads), the query's own cell outlined, a colour scale.
// Used by `attnscope-cli export --image` and the app; every number drawn comes from core.
#pragma once

#include "core/vision.h"
#include "render/image_export.h"

#include <QImage>
#include <QRectF>
#include <QString>

#include <vector>

namespace attnscope {

struct PatchOverlay {
    QImage image; // the input image, drawn stretched to the model's aspect (as resized)
    int gridRows = 0, gridCols = 0;
    int imageHeight = 0, imageWidth = 0; // the model's input size (pixels), for the aspect
    int patchHeight = 0, patchWidth = 0; // model pixels per patch
    std::vector<float> weights;          // gridRows × gridCols: the query's weight on each patch key
    float clsWeight = 0.0f;              // its weight on the [CLS] key
    int queryRow = 0;                    // 0: [CLS]; 1 + r · gridCols + c: patch (r, c)
    QString title;
    QString colormap = QStringLiteral("viridis");
    double opacity = 0.55; // of the tint over the image
};

// The overlay of row `queryRow` of head `head` (-1: mean of heads) in `layer` of the run's
// encoder. Throws UsageError for a layer, head or query the run does not have.
PatchOverlay patchOverlayOf(const ImageRunResult& run, const ModelConfig& config, const QImage& image, int layer,
                            int head, int queryRow);

// Row of a query given as "cls" or "R,C" (0-based grid cell). Throws UsageError otherwise.
int queryRowOf(const std::string& query, const ModelConfig& config);

PaintFunction patchOverlayPaintFunction(const PatchOverlay& overlay);

// Where that paint function draws on a canvas of `size`: the image, and patch (row, col)'s cell.
QRectF patchOverlayImageRect(const PatchOverlay& overlay, const QSize& size);
QRectF patchOverlayCellRect(const PatchOverlay& overlay, const QSize& size, int row, int col);
// The colour scale's colour for a weight (0 … the largest patch weight), before the opacity.
QColor patchOverlayColor(const PatchOverlay& overlay, float weight);

} // namespace attnscope
