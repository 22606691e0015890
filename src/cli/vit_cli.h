// attnscope-cli for ViT models: `run MODEL --image FILE` (class probabilities and every head's
// attention over [CLS] and the patches, as JSON), `export MODEL --image FILE … --query cls|R,C`
// (the image with its patch grid tinted by one query's attention) and the `vision` block of
// `info`. Built with the GUI libraries only (images are decoded with Qt).
#pragma once

#include "core/model.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace attnscope {

struct VitCliRequest {
    std::string image;        // the image file
    bool fullCapture = false; // --capture full: per-head Q, K, V and scores too
    int topK = 5;
    // export
    int layer = 0;
    int head = 0;              // -1: mean of heads
    std::string query = "cls"; // "cls" or "R,C"
    std::string out;
    int width = 640, height = 720;
    double scale = 1.0;
    std::string colormap = "viridis";
};

// The run as one JSON document (text, with floats in their shortest round-trip form).
std::string vitRunJson(const Transformer& transformer, const VitCliRequest& request);

// Writes the overlay image (PNG, JPG, SVG or PDF by the extension of request.out). Needs a
// QGuiApplication. Throws UsageError, ImageError or IoError.
void vitExportOverlay(const Transformer& transformer, const VitCliRequest& request);

// `info`'s description of a vision model: image size, patch, grid, classes, preprocessing.
nlohmann::json vitInfoJson(const Model& model);

} // namespace attnscope
