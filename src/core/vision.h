// Vision transformers (ViT) on the engine: an image's pixel values (C, H, W) become the (T, d)
// rows Transformer::forwardEmbedded() runs on — patches through the patch projection, the
// [CLS] row first, learned positions added — and the class logits are read at position 0.
// docs/vit.md describes what is supported.
#pragma once

#include "core/image.h"
#include "core/inference.h"
#include "core/transformer.h"

#include <string>
#include <vector>

namespace attnscope {

// (T, d) = [cls; patches · Wᵀ + b] + positions for pixel values of exactly the model's image
// size (after preprocessing). The patches are unfolded row by row of the grid (patch n is cell
// (n / gridCols, n % gridCols)), each as its (c, ky, kx) values, so the projection is one GEMM
// (N, C·ph·pw) × (C·ph·pw, d): Conv2d with kernel = stride = patch. Pixels past the last full
// patch are not read (as the convolution). Throws UsageError for a model without images and
// ImageError for pixel values of another shape.
MatrixRM embedImage(const Model& model, const ImageTensor& pixelValues);

// The labels of the model's positions, for views and the CLI: "[CLS]", then "(r, c)" per patch.
std::vector<std::string> patchLabels(const ModelConfig& config);

struct ImageRunOptions {
    Capture capture = Capture::Attention;
    int topK = 5;
    const HeadAblation* ablation = nullptr;
};

struct ImageRunResult {
    ImageTensor pixelValues;             // (C, H, W) what the model read, after preprocessing
    std::vector<std::string> labels;     // T position labels (patchLabels)
    RowVector logits;                    // (K) class logits at [CLS]; empty for a bare ViTModel
    std::vector<Prediction> predictions; // top-k classes (id2label names) by probability
    MatrixRM hidden;                     // (T, d) last hidden states, bare ViTModel only
    Trace trace;                         // encoder attention, (T, T) per head
};

// Preprocesses `image` with the model's image processor (after converting its channels as
// toChannels does) and runs it. `what` names the image in errors.
ImageRunResult runImage(const Transformer& transformer, const ImageTensor& image, const ImageRunOptions& options,
                        const std::string& what = "image");

} // namespace attnscope
