// QImageReader-based decoding (see image_input.h).
#include "render/image_input.h"

#include <QFileInfo>
#include <QImageReader>

namespace attnscope {

namespace {

std::string sizeText(const QSize& s) { return std::to_string(s.width()) + " × " + std::to_string(s.height()); }

} // namespace

DecodedImage decodeImage(const QImage& source, const QString& what)
{
    const std::string name = what.toStdString();
    if (source.isNull() || source.width() < 1 || source.height() < 1) throw ImageError(name + ": the image is empty");
    if (source.width() > kMaxImageSide || source.height() > kMaxImageSide)
        throw ImageError(name + ": the image is " + sizeText(source.size()) + " pixels; the limit is " +
                         std::to_string(kMaxImageSide) + " × " + std::to_string(kMaxImageSide));
    // RGBA8888 first (non-premultiplied: a premultiplied source is un-premultiplied), then the
    // alpha byte is ignored, as PIL's convert("RGB") ignores it.
    const QImage rgba = source.convertToFormat(QImage::Format_RGBA8888);
    if (rgba.isNull()) throw ImageError(name + ": out of memory converting the image");
    DecodedImage out;
    out.tensor = ImageTensor(3, rgba.height(), rgba.width(), true);
    out.image = QImage(rgba.width(), rgba.height(), QImage::Format_RGB888);
    if (out.image.isNull()) throw ImageError(name + ": out of memory converting the image");
    for (int y = 0; y < rgba.height(); ++y) {
        const uchar* in = rgba.constScanLine(y);
        uchar* line = out.image.scanLine(y);
        for (int x = 0; x < rgba.width(); ++x)
            for (int c = 0; c < 3; ++c) {
                line[3 * x + c] = in[4 * x + c];
                out.tensor.at(c, y, x) = float(in[4 * x + c]);
            }
    }
    return out;
}

DecodedImage decodeImageFile(const QString& path)
{
    const std::string name = path.toStdString();
    const QFileInfo info(path);
    if (!info.exists()) throw ImageError(name + ": no such file");
    if (!info.isFile()) throw ImageError(name + ": not a file");
    if (info.size() == 0) throw ImageError(name + ": the file is empty (0 bytes)");
    QImageReader reader(path);
    reader.setAutoTransform(true); // EXIF orientation, as transformers' load_image (exif_transpose)
    reader.setDecideFormatFromContent(true);
    if (!reader.canRead())
        throw ImageError(name + ": not an image this build can read (" + reader.errorString().toStdString() + ")");
    // The header's size, before a pixel is decoded: a 20000 × 20000 PNG is a few bytes on disk
    // and 1.6 GB in memory.
    const QSize declared = reader.size();
    if (declared.isValid() && (declared.width() > kMaxImageSide || declared.height() > kMaxImageSide))
        throw ImageError(name + ": the image is " + sizeText(declared) + " pixels; the limit is " +
                         std::to_string(kMaxImageSide) + " × " + std::to_string(kMaxImageSide) + " (kMaxImageSide)");
    if (declared.isValid() && (declared.width() < 1 || declared.height() < 1))
        throw ImageError(name + ": the image is empty (" + sizeText(declared) + " pixels)");
    QImage image;
    if (!reader.read(&image) || image.isNull())
        throw ImageError(name +
                         ": cannot decode the image (corrupt or truncated?): " + reader.errorString().toStdString());
    return decodeImage(image, path);
}

} // namespace attnscope
