// Image preprocessing for ViT models. The resize follows Pillow's Resample.c (precompute_coeffs,
// normalize_coeffs_8bpc, the horizontal-then-vertical passes) so that an 8-bit image gives the
// bytes PIL gives; the rescale and normalise steps follow Hugging Face's image_transforms
// (float64 rescale cast to float32, float32 normalise).
#include "core/image.h"

#include "core/json_util.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace attnscope {

namespace {

// Pillow's fixed-point precision for 8-bit resampling: 32 − 8 − 2 bits of fraction.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bilinearFilter(double x)
{
    x = std::abs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

// Keys' cubic with a = −0.5, as PIL.
double bicubicFilter(double x)
{
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

// One output sample's window into the input: first index, count and normalised weights.
struct Coefficients {
    int ksize = 0;
    std::vector<int> first, count; // per output index
    std::vector<double> weights;   // outSize × ksize
};

Coefficients precomputeCoefficients(int inSize, int outSize, Resample filter)
{
    const double support1 = filter == Resample::Bicubic ? 2.0 : 1.0;
    double (*f)(double) = filter == Resample::Bicubic ? bicubicFilter : bilinearFilter;
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = support1 * filterScale;
    Coefficients c;
    c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.first.resize(size_t(outSize));
    c.count.resize(size_t(outSize));
    c.weights.assign(size_t(outSize) * size_t(c.ksize), 0.0);
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterScale;
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), inSize) - xmin;
        double* k = &c.weights[size_t(xx) * size_t(c.ksize)];
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            k[x] = f((x + xmin - center + 0.5) * ss);
            ww += k[x];
        }
        if (ww != 0.0)
            for (int x = 0; x < xmax; ++x) k[x] /= ww;
        c.first[size_t(xx)] = xmin;
        c.count[size_t(xx)] = std::max(xmax, 0);
    }
    return c;
}

// PIL's 8-bit weights: rounded half away from zero to kPrecisionBits of fraction.
std::vector<std::int32_t> fixedPoint(const Coefficients& c)
{
    std::vector<std::int32_t> k(c.weights.size());
    for (size_t i = 0; i < k.size(); ++i) {
        const double v = c.weights[i] * double(1 << kPrecisionBits);
        k[i] = static_cast<std::int32_t>(v < 0 ? -0.5 + v : 0.5 + v);
    }
    return k;
}

float clip8(std::int32_t v)
{
    if (v >= (1 << kPrecisionBits << 8)) return 255.0f;
    if (v <= 0) return 0.0f;
    return static_cast<float>(v >> kPrecisionBits);
}

// One separable pass along x (horizontal) or y of every channel.
ImageTensor resamplePass(const ImageTensor& in, int outSize, bool horizontal, Resample filter)
{
    const int inSize = horizontal ? in.width : in.height;
    const Coefficients c = precomputeCoefficients(inSize, outSize, filter);
    const std::vector<std::int32_t> k8 = in.eightBit ? fixedPoint(c) : std::vector<std::int32_t>{};
    ImageTensor out(in.channels, horizontal ? in.height : outSize, horizontal ? outSize : in.width, in.eightBit);
    for (int ch = 0; ch < in.channels; ++ch)
        for (int y = 0; y < out.height; ++y)
            for (int x = 0; x < out.width; ++x) {
                const int o = horizontal ? x : y;
                const int first = c.first[size_t(o)], n = c.count[size_t(o)];
                auto sample = [&](int i) { return horizontal ? in.at(ch, y, first + i) : in.at(ch, first + i, x); };
                if (in.eightBit) {
                    const std::int32_t* k = &k8[size_t(o) * size_t(c.ksize)];
                    std::int32_t ss = 1 << (kPrecisionBits - 1);
                    for (int i = 0; i < n; ++i) ss += static_cast<std::int32_t>(sample(i)) * k[i];
                    out.at(ch, y, x) = clip8(ss);
                } else {
                    const double* k = &c.weights[size_t(o) * size_t(c.ksize)];
                    double ss = 0.0;
                    for (int i = 0; i < n; ++i) ss += double(sample(i)) * k[i];
                    out.at(ch, y, x) = static_cast<float>(ss);
                }
            }
    return out;
}

// PIL's NEAREST resize (an affine transform sampling at pixel centres): source index
// ⌊(x + ½) · in / out⌋.
ImageTensor resizeNearest(const ImageTensor& in, int height, int width)
{
    ImageTensor out(in.channels, height, width, in.eightBit);
    const double sx = double(in.width) / width, sy = double(in.height) / height;
    for (int ch = 0; ch < in.channels; ++ch)
        for (int y = 0; y < height; ++y) {
            const int yi = std::min(static_cast<int>((y + 0.5) * sy), in.height - 1);
            for (int x = 0; x < width; ++x)
                out.at(ch, y, x) = in.at(ch, yi, std::min(static_cast<int>((x + 0.5) * sx), in.width - 1));
        }
    return out;
}

// A size from "size": an int n (n × n) or {"height": H, "width": W}.
void readSize(const JsonReader& r, const Json& root, int& height, int& width)
{
    const Json& size = root["size"];
    if (size.is_number_integer()) {
        height = width = static_cast<int>(r.requireInt(root, "", "size", 1, kMaxImageSide));
        return;
    }
    r.expectType(size, "/size", "object");
    if (size.find("height") == size.end() || size.find("width") == size.end()) {
        const bool edge = size.find("shortest_edge") != size.end() || size.find("longest_edge") != size.end();
        r.fail("/size", edge ? "shortest_edge / longest_edge sizes are not supported for ViT (its processor needs "
                               "{\"height\", \"width\"})"
                             : "expected {\"height\": H, \"width\": W}");
    }
    height = static_cast<int>(r.requireInt(size, "/size", "height", 1, kMaxImageSide));
    width = static_cast<int>(r.requireInt(size, "/size", "width", 1, kMaxImageSide));
}

// image_mean / image_std: a number (every channel) or one number per channel.
std::vector<float> perChannel(const JsonReader& r, const Json& root, const char* key, int channels, float fallback,
                              bool positive)
{
    const std::string p = std::string("/") + key;
    if (root.find(key) == root.end() || root[key].is_null()) return std::vector<float>(size_t(channels), fallback);
    const Json& v = root[key];
    std::vector<float> out;
    if (v.is_number()) {
        out.assign(size_t(channels), static_cast<float>(v.get<double>()));
    } else {
        r.expectType(v, p, "array");
        if (static_cast<int>(v.size()) != channels)
            r.fail(p, "expected " + std::to_string(channels) + " values (config.json /num_channels), got " +
                          std::to_string(v.size()));
        for (size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_number()) r.fail(p + "/" + std::to_string(i), "expected a number, got " + typeName(v[i]));
            out.push_back(static_cast<float>(v[i].get<double>()));
        }
    }
    for (size_t i = 0; i < out.size(); ++i)
        if (!std::isfinite(out[i]) || (positive && !(out[i] > 0.0f)))
            r.fail(v.is_array() ? p + "/" + std::to_string(i) : p,
                   positive ? "expected a positive finite number" : "expected a finite number");
    return out;
}

} // namespace

std::string toString(Resample r)
{
    switch (r) {
    case Resample::Nearest: return "nearest";
    case Resample::Bilinear: return "bilinear";
    case Resample::Bicubic: return "bicubic";
    }
    return {};
}

ImageProcessor defaultImageProcessor(int channels, int height, int width)
{
    ImageProcessor p;
    p.height = height;
    p.width = width;
    p.mean.assign(size_t(channels), 0.5f);
    p.std.assign(size_t(channels), 0.5f);
    return p;
}

ImageProcessor parseImageProcessor(const std::string& text, const std::string& file, int channels, int height,
                                   int width)
{
    const JsonReader r(file);
    const Json root = parseModelJson(text, file);
    r.expectType(root, "/", "object");
    ImageProcessor p = defaultImageProcessor(channels, height, width);
    p.file = file;
    if (root.find("image_processor_type") != root.end() && root["image_processor_type"].is_string()) {
        const std::string type = root["image_processor_type"].get<std::string>();
        if (type != "ViTImageProcessor" && type != "ViTImageProcessorFast" && type != "ViTFeatureExtractor" &&
            type != "DeiTImageProcessor")
            r.fail("/image_processor_type",
                   "image processor \"" + type + "\" is not supported (AttnScope applies ViTImageProcessor's steps)");
    }
    if (root.find("do_center_crop") != root.end() && root["do_center_crop"].is_boolean() &&
        root["do_center_crop"].get<bool>())
        r.fail("/do_center_crop", "center cropping is not supported (ViTImageProcessor resizes only)");
    p.doResize = r.optionalBool(root, "", "do_resize", true);
    if (root.find("size") != root.end() && !root["size"].is_null()) readSize(r, root, p.height, p.width);
    if (!p.doResize) { // size is then unused, as in Hugging Face: the image must be the model's size
        p.height = height;
        p.width = width;
    }
    if (p.doResize && (p.height != height || p.width != width))
        r.fail("/size", "resizes to " + std::to_string(p.height) + " × " + std::to_string(p.width) +
                            " (height × width) but the model takes " + std::to_string(height) + " × " +
                            std::to_string(width) +
                            " (config.json /image_size); other sizes would need "
                            "interpolate_pos_encoding, which is not supported");
    if (root.find("resample") != root.end() && !root["resample"].is_null()) {
        const int code = static_cast<int>(r.requireInt(root, "", "resample", 0, 5));
        static const char* const names[] = {"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"};
        if (code != 0 && code != 2 && code != 3)
            r.fail("/resample", std::string("PIL filter ") + std::to_string(code) + " (" + names[code] +
                                    ") is not supported (AttnScope resizes with 0 nearest, 2 bilinear, 3 bicubic)");
        p.resample = static_cast<Resample>(code);
    }
    p.doRescale = r.optionalBool(root, "", "do_rescale", true);
    if (root.find("rescale_factor") != root.end() && !root["rescale_factor"].is_null()) {
        const double f = r.requireNumber(root, "", "rescale_factor");
        if (!(f > 0.0 && f <= 1.0)) r.fail("/rescale_factor", "expected a value in (0, 1]");
        p.rescaleFactor = f;
    }
    p.doNormalize = r.optionalBool(root, "", "do_normalize", true);
    p.mean = perChannel(r, root, "image_mean", channels, 0.5f, false);
    p.std = perChannel(r, root, "image_std", channels, 0.5f, true);
    return p;
}

void checkImage(const ImageTensor& image, const std::string& what)
{
    if (image.channels < 1 || image.channels > kMaxImageChannels)
        throw ImageError(what + ": " + std::to_string(image.channels) + " channels (expected 1 to " +
                         std::to_string(kMaxImageChannels) + ")");
    if (image.height < 1 || image.width < 1)
        throw ImageError(what + ": the image is empty (" + std::to_string(image.width) + " × " +
                         std::to_string(image.height) + " pixels)");
    if (image.height > kMaxImageSide || image.width > kMaxImageSide)
        throw ImageError(what + ": the image is " + std::to_string(image.width) + " × " + std::to_string(image.height) +
                         " pixels; the limit is " + std::to_string(kMaxImageSide) + " × " +
                         std::to_string(kMaxImageSide));
    if (image.data.size() != size_t(image.channels) * size_t(image.height) * size_t(image.width))
        throw ImageError(what + ": the pixel data does not match the image's shape");
    for (float v : image.data)
        if (!std::isfinite(v)) throw ImageError(what + ": a pixel value is not finite");
}

ImageTensor resizeImage(const ImageTensor& image, int height, int width, Resample filter)
{
    checkImage(image, "resize");
    if (height < 1 || width < 1 || height > kMaxImageSide || width > kMaxImageSide)
        throw ImageError("resize: target " + std::to_string(width) + " × " + std::to_string(height) +
                         " is outside 1 … " + std::to_string(kMaxImageSide));
    if (image.height == height && image.width == width) return image; // PIL returns a copy
    if (filter == Resample::Nearest) return resizeNearest(image, height, width);
    ImageTensor out = image;
    if (out.width != width) out = resamplePass(out, width, true, filter);
    if (out.height != height) out = resamplePass(out, height, false, filter);
    return out;
}

ImageTensor toChannels(const ImageTensor& image, int channels)
{
    if (image.channels == channels) return image;
    const int h = image.height, w = image.width;
    const bool alpha = image.channels == 2 || image.channels == 4;
    const int colour = alpha ? image.channels - 1 : image.channels; // 1 (grey) or 3 (RGB)
    ImageTensor out(channels, h, w, image.eightBit);
    if (channels == 3 && (colour == 1 || colour == 3)) {
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) out.at(c, y, x) = image.at(colour == 1 ? 0 : c, y, x);
        return out;
    }
    if (channels == 1 && colour == 1) {
        std::copy_n(image.data.begin(), size_t(h) * size_t(w), out.data.begin());
        return out;
    }
    if (channels == 1 && colour == 3) {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const float r = image.at(0, y, x), g = image.at(1, y, x), b = image.at(2, y, x);
                if (image.eightBit) {
                    const auto l =
                        (std::uint32_t(r) * 19595u + std::uint32_t(g) * 38470u + std::uint32_t(b) * 7471u + 0x8000u) >>
                        16;
                    out.at(0, y, x) = static_cast<float>(l);
                } else {
                    out.at(0, y, x) = 0.299f * r + 0.587f * g + 0.114f * b;
                }
            }
        return out;
    }
    throw ImageError("an image of " + std::to_string(image.channels) + " channels cannot be given to a model of " +
                     std::to_string(channels) + " (images convert between grey, RGB and their alpha forms only)");
}

ImageTensor preprocessImage(const ImageTensor& image, const ImageProcessor& p, const std::string& what)
{
    checkImage(image, what);
    const int channels = static_cast<int>(p.mean.size());
    if (image.channels != channels)
        throw ImageError(what + ": " + std::to_string(image.channels) + " channels, the model takes " +
                         std::to_string(channels));
    ImageTensor x = p.doResize ? resizeImage(image, p.height, p.width, p.resample) : image;
    if (x.height != p.height || x.width != p.width)
        throw ImageError(what + ": the image is " + std::to_string(x.width) + " × " + std::to_string(x.height) +
                         " pixels and do_resize is false; the model takes " + std::to_string(p.width) + " × " +
                         std::to_string(p.height));
    x.eightBit = false;
    const size_t plane = size_t(x.height) * size_t(x.width);
    for (int c = 0; c < channels; ++c) {
        float* v = x.data.data() + size_t(c) * plane;
        for (size_t i = 0; i < plane; ++i) {
            float f = v[i];
            if (p.doRescale) f = static_cast<float>(static_cast<double>(f) * p.rescaleFactor);
            if (p.doNormalize) f = (f - p.mean[size_t(c)]) / p.std[size_t(c)];
            v[i] = f;
        }
    }
    return x;
}

} // namespace attnscope
