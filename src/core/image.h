// Images for vision transformers, Qt-free: the float (C, H, W) tensor the core takes, the image
// processor of a Hugging Face folder (preprocessor_config.json) and its steps in Hugging Face's
// order — resize with PIL's filters, rescale, normalise. Decoding image files is the app's and
// the CLI's job (QImage); see docs/vit.md for where results can differ from PIL.
#pragma once

#include "core/errors.h"

#include <string>
#include <vector>

namespace attnscope {

// Largest image side the app and CLI decode (checked from the file header before any pixel is
// read) and the core accepts: 8192 × 8192 × 4 floats is 1 GiB.
constexpr int kMaxImageSide = 8192;
constexpr int kMaxImageChannels = 4;

// An image that cannot be used: unreadable, corrupt, too large, or of the wrong shape for the
// model. what() is one line naming the file when there is one. An I/O error for the CLI (exit 4).
class ImageError : public IoError {
public:
    using IoError::IoError;
};

// (C, H, W) float32, row-major: value (c, y, x) at data[(c·H + y)·W + x].
struct ImageTensor {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> data;
    // The values are 8-bit samples 0..255 (a decoded image file): resizing then follows PIL on
    // 8-bit images (fixed-point weights, each pass rounded and clipped to 0..255), as Hugging
    // Face's image processors resize uint8 arrays through PIL. Otherwise PIL's float ("F") path.
    bool eightBit = false;

    ImageTensor() = default;
    ImageTensor(int c, int h, int w, bool eight = false)
        : channels(c), height(h), width(w), data(size_t(c) * size_t(h) * size_t(w), 0.0f), eightBit(eight) {}
    float& at(int c, int y, int x) { return data[(size_t(c) * size_t(height) + size_t(y)) * size_t(width) + size_t(x)]; }
    float at(int c, int y, int x) const
    {
        return data[(size_t(c) * size_t(height) + size_t(y)) * size_t(width) + size_t(x)];
    }
};

// PIL's resampling filters that Hugging Face's `resample` codes name (0, 2, 3).
enum class Resample { Nearest = 0, Bilinear = 2, Bicubic = 3 };
std::string toString(Resample r);

// preprocessor_config.json of a ViTImageProcessor (or its defaults), checked against the model.
struct ImageProcessor {
    std::string file;         // where it was read from; empty: the defaults below were used
    bool doResize = true;
    int height = 0, width = 0; // size: {"height", "width"} (or a single int); the model's image_size
    Resample resample = Resample::Bilinear;
    bool doRescale = true;
    double rescaleFactor = 1.0 / 255.0;
    bool doNormalize = true;
    std::vector<float> mean;  // one per channel
    std::vector<float> std;
};

// ViTImageProcessor's defaults for a model taking `channels` × height × width images: resize to
// that size with bilinear, rescale 1/255, normalise with mean 0.5 and std 0.5.
ImageProcessor defaultImageProcessor(int channels, int height, int width);

// Reads preprocessor_config.json. The resize target must equal the model's image_size
// (channels, height, width): Hugging Face's ViT refuses any other size unless it interpolates
// its position embeddings, which AttnScope does not. Throws ModelError(file, JSON pointer, …).
ImageProcessor parseImageProcessor(const std::string& text, const std::string& file, int channels, int height,
                                   int width);

// Throws ImageError when the tensor is empty, larger than kMaxImageSide, has 0 or more than
// kMaxImageChannels channels, or data does not match its shape. `what` names the image.
void checkImage(const ImageTensor& image, const std::string& what);

// PIL's Image.resize(size, filter) with no box and no reducing_gap: separable, horizontal pass
// first, filter support widened by the scale when shrinking (antialiasing); the same size is a
// copy. 8-bit tensors use PIL's fixed-point arithmetic (results equal PIL's), others double.
ImageTensor resizeImage(const ImageTensor& image, int height, int width, Resample filter);

// The image with the model's channel count, as Hugging Face's pipelines convert with PIL:
// 3 → 1 by PIL's convert("L") (L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16 on 8-bit samples,
// 0.299 R + 0.587 G + 0.114 B otherwise), 1 → 3 by copying, 4 → 3 by dropping alpha
// (convert("RGB") does not composite), 2 (grey + alpha) → 1 or 3 likewise. Throws ImageError
// for anything else.
ImageTensor toChannels(const ImageTensor& image, int channels);

// The processor's steps in ViTImageProcessor's order: resize (when doResize), rescale
// (float(double(v) · factor)), normalise ((v − mean) / std in float32). The result is not 8-bit.
// Throws ImageError when the channels differ from the processor's or the result is not
// `height` × `width` (do_resize false and another size).
ImageTensor preprocessImage(const ImageTensor& image, const ImageProcessor& processor, const std::string& what);

} // namespace attnscope
