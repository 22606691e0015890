// Fuzzes the ViT preprocessing path: preprocessor_config.json (parseImageProcessor) and the steps
// it drives (toChannels, resize with PIL's filters, rescale, normalise) on an arbitrary image.
// Input: 5 header bytes (model channels 1..4, model height and width 1..64, image channels 1..4,
// flags: bit 0 8-bit image), the JSON text up to a NUL byte, then pixel bytes (image height and
// width 1..64 from the first two of them). Only ModelError / ImageError may escape; a result
// must have the processor's shape, and 8-bit resizing must stay within 0 … 255.
#include "core/errors.h"
#include "core/image.h"

#include <cstdint>
#include <cstring>
#include <string>

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 5) return 0;
    const int modelChannels = 1 + data[0] % 4, modelH = 1 + data[1] % 64, modelW = 1 + data[2] % 64;
    const int channels = 1 + data[3] % 4;
    const bool eightBit = data[4] & 1;
    data += 5;
    size -= 5;
    const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
    const size_t textSize = nul ? size_t(nul - data) : size;
    const std::string text(reinterpret_cast<const char*>(data), textSize);
    const uint8_t* pixels = nul ? nul + 1 : data + size;
    const size_t pixelBytes = size - textSize - (nul ? 1 : 0);
    ImageProcessor p;
    try {
        p = parseImageProcessor(text, "preprocessor_config.json", modelChannels, modelH, modelW);
    } catch (const ModelError&) {
        return 0;
    }
    if (int(p.mean.size()) != modelChannels || int(p.std.size()) != modelChannels) __builtin_trap();
    if (p.doResize && (p.height != modelH || p.width != modelW)) __builtin_trap();
    if (pixelBytes < 2) return 0;
    const int h = 1 + pixels[0] % 64, w = 1 + pixels[1] % 64;
    ImageTensor image(channels, h, w, eightBit);
    for (size_t i = 0; i < image.data.size(); ++i) {
        const uint8_t b = 2 + i < pixelBytes ? pixels[2 + i] : uint8_t(i * 37);
        image.data[i] = eightBit ? float(b) : (float(b) - 128.0f) / 16.0f;
    }
    try {
        const ImageTensor converted = toChannels(image, modelChannels);
        if (converted.channels != modelChannels || converted.height != h || converted.width != w) __builtin_trap();
        const ImageTensor resized = resizeImage(converted, modelH, modelW, p.resample);
        if (resized.height != modelH || resized.width != modelW) __builtin_trap();
        if (eightBit)
            for (float v : resized.data)
                if (!(v >= 0.0f && v <= 255.0f) || v != float(int(v))) __builtin_trap();
        const ImageTensor x = preprocessImage(converted, p, "fuzz");
        if (x.channels != modelChannels || x.height != p.height || x.width != p.width || x.eightBit) __builtin_trap();
    } catch (const ImageError&) {
        return 0;
    }
    return 0;
}
