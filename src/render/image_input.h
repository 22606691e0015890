// Image files into the core's (C, H, W) tensor for ViT models, as Hugging Face's pipelines load
// them with PIL (EXIF orientation applied, then convert("RGB")): shared by the app and the CLI.
// The size is read from the file's header and refused above kMaxImageSide before any pixel is
// decoded. See docs/vit.md for where decoding can differ from PIL.
#pragma once

#include "core/image.h"

#include <QImage>
#include <QString>

namespace attnscope {

// The decoded file as an 8-bit RGB tensor (3, H, W) and the QImage it came from (for drawing).
// Throws ImageError naming the file: missing or unreadable, empty, not an image, corrupt or
// truncated, or larger than kMaxImageSide on a side.
struct DecodedImage {
    ImageTensor tensor;
    QImage image; // Format_RGB888, the pixels of `tensor`
};
DecodedImage decodeImageFile(const QString& path);

// A QImage as the same 8-bit RGB tensor: alpha dropped (PIL's convert("RGB") does not
// composite), grey and palette images expanded, 16-bit samples reduced to 8 bits by Qt
// (rounded v / 257; PIL clips 16-bit grey to 255 instead, docs/vit.md).
DecodedImage decodeImage(const QImage& image, const QString& what);

} // namespace attnscope
