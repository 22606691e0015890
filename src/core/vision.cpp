// ViT embedding and the image run (see vision.h). The forward pass itself is the engine's
// encoder (pre-norm layers, final LayerNorm, output head), reached through forwardEmbedded().
#include "core/vision.h"

#include "core/errors.h"

namespace attnscope {

MatrixRM embedImage(const Model& model, const ImageTensor& x)
{
    const ModelConfig& c = model.config;
    if (!c.isVision()) throw UsageError("this model does not take images");
    if (x.channels != c.imageChannels || x.height != c.imageHeight || x.width != c.imageWidth ||
        x.data.size() != size_t(x.channels) * size_t(x.height) * size_t(x.width))
        throw ImageError("pixel values of shape (" + std::to_string(x.channels) + ", " + std::to_string(x.height) +
                         ", " + std::to_string(x.width) + "); the model takes (" + std::to_string(c.imageChannels) +
                         ", " + std::to_string(c.imageHeight) + ", " + std::to_string(c.imageWidth) + ")");
    const int rows = c.gridRows(), cols = c.gridCols(), ph = c.patchHeight, pw = c.patchWidth;
    const int n = rows * cols, k = c.patchDim(), d = c.dModel;
    // Unfold: row p = r·cols + q holds patch (r, q) as (channel, ky, kx), the Conv2d weight's order.
    MatrixRM patches(n, k);
    for (int r = 0; r < rows; ++r)
        for (int q = 0; q < cols; ++q) {
            float* out = patches.row(r * cols + q).data();
            for (int ch = 0; ch < c.imageChannels; ++ch)
                for (int ky = 0; ky < ph; ++ky)
                    for (int kx = 0; kx < pw; ++kx) *out++ = x.at(ch, r * ph + ky, q * pw + kx);
        }
    const Weights& w = model.weights;
    const ConstMatrixMap proj(w.data("encoder.patch.weight"), d, k); // [d, C·ph·pw]
    const ConstRowVectorMap bias(w.data("encoder.patch.bias"), d);
    MatrixRM x0(n + 1, d);
    x0.row(0) = ConstRowVectorMap(w.data("encoder.cls.weight"), d);
    x0.bottomRows(n).noalias() = patches * proj.transpose();
    x0.bottomRows(n).rowwise() += bias;
    x0 += ConstMatrixMap(w.data("encoder.pos.weight"), n + 1, d);
    return x0;
}

std::vector<std::string> patchLabels(const ModelConfig& c)
{
    std::vector<std::string> labels;
    if (!c.isVision()) return labels;
    labels.reserve(size_t(c.gridRows() * c.gridCols() + 1));
    labels.push_back("[CLS]");
    for (int r = 0; r < c.gridRows(); ++r)
        for (int q = 0; q < c.gridCols(); ++q)
            labels.push_back("(" + std::to_string(r) + ", " + std::to_string(q) + ")");
    return labels;
}

ImageRunResult runImage(const Transformer& transformer, const ImageTensor& image, const ImageRunOptions& options,
                        const std::string& what)
{
    const Model& m = transformer.model();
    const ModelConfig& c = m.config;
    if (!c.isVision()) throw UsageError(m.name + " is not an image model (--image is for ViT folders)");
    checkImage(image, what);
    ImageRunResult r;
    r.pixelValues = preprocessImage(toChannels(image, c.imageChannels), m.imageProcessor, what);
    r.labels = patchLabels(c);
    ForwardOptions fo;
    fo.ablation = options.ablation;
    ForwardResult f = transformer.forwardEmbedded(embedImage(m, r.pixelValues), options.capture, fo);
    r.trace = std::move(f.trace);
    if (c.lmHead) {
        r.logits = f.logits.row(0); // the classifier reads [CLS]
        r.predictions = topK(r.logits, m.sourceTokenizer.vocab(), options.topK);
    } else {
        r.hidden = std::move(f.hidden);
    }
    return r;
}

} // namespace attnscope
