// See recompute.h. Picks the recorded inputs and masks of one block and hands them to
// attentionHead(), which shares its per-head code with multiHeadAttention().
#include "core/recompute.h"

#include "core/attention.h"

#include <stdexcept>
#include <string>

namespace attnscope {

namespace {

const LayerTrace& layerOf(const Trace& trace, Stack stack, int layer)
{
    const std::vector<LayerTrace>& layers = trace.stack(stack);
    if (layer < 0 || layer >= static_cast<int>(layers.size()))
        throw std::out_of_range(std::string("recomputeHead: no layer ") + std::to_string(layer) + " in the " +
                                toString(stack) + " stack");
    return layers[size_t(layer)];
}

} // namespace

HeadTrace recomputeHead(const Transformer& transformer, const Trace& trace, Stack stack, int layer, int head,
                        Capture detail)
{
    if (!trace.compact) throw std::invalid_argument("recomputeHead: the trace was not made with Capture::Compact");
    const LayerTrace& lt = layerOf(trace, stack, layer);
    const ModelConfig& c = transformer.model().config;
    const AttentionWeights* w = transformer.attentionWeights(stack, layer);
    if (!w || head < 0 || head >= c.nHeads || lt.input.cols() != c.dModel)
        throw std::out_of_range("recomputeHead: no head " + std::to_string(head) + " in " + toString(stack) +
                                " layer " + std::to_string(layer));
    AttentionMask mask;
    const MatrixRM* keys = &lt.input; // self-attention: keys and values come from the same input
    switch (stack) {
    case Stack::Encoder:
        mask.keyPadding = trace.sourcePadding;
        break;
    case Stack::Decoder:
        mask.causal = trace.causalDecoder;
        break;
    case Stack::Cross:
        mask.keyPadding = trace.sourcePadding;
        keys = &trace.memory;
        if (keys->cols() != c.dModel) throw std::out_of_range("recomputeHead: the trace holds no encoder memory");
        break;
    }
    HeadTrace ht = attentionHead(lt.input, *keys, *w, c.nHeads, head, mask, detail);
    if (size_t(head) < lt.heads.size()) ht.thumbnail = lt.heads[size_t(head)].thumbnail;
    return ht;
}

MatrixRM recomputeMeanOfHeads(const Transformer& transformer, const Trace& trace, Stack stack, int layer)
{
    const int heads = transformer.model().config.nHeads;
    MatrixRM mean;
    for (int h = 0; h < heads; ++h) {
        const HeadTrace ht = recomputeHead(transformer, trace, stack, layer, h);
        if (h == 0)
            mean = ht.weights;
        else
            mean += ht.weights;
    }
    if (heads > 0) mean /= float(heads);
    return mean;
}

std::size_t captureBytes(const ModelConfig& c, int sourceLen, int targetLen, Capture capture)
{
    const double s = sourceLen, t = c.type == ArchType::Decoder ? sourceLen : targetLen;
    const double d = c.dModel, heads = c.nHeads;
    struct Block {
        double layers, tq, tk;
    };
    std::vector<Block> blocks;
    if (c.hasEncoder()) blocks.push_back({double(c.encoderLayers), s, s});
    if (c.hasDecoder()) blocks.push_back({double(c.decoderLayers), t, t});
    if (c.hasCrossAttention()) blocks.push_back({double(c.decoderLayers), t, s});
    double floats = 0.0;
    for (const Block& b : blocks) {
        switch (capture) {
        case Capture::None:
            break;
        case Capture::Attention:
            floats += b.layers * heads * b.tq * b.tk;
            break;
        case Capture::Full: // weights + scores, and Q, K, V, output of d_k columns each
            floats += b.layers * heads * (2.0 * b.tq * b.tk) + b.layers * (2.0 * b.tq + 2.0 * b.tk) * d;
            break;
        case Capture::Compact: {
            const double side = kThumbnailSide;
            floats += b.layers * (b.tq * d + heads * std::min(b.tq, side) * std::min(b.tk, side));
            break;
        }
        }
    }
    if (capture == Capture::Compact && c.hasCrossAttention()) floats += s * d;
    return static_cast<std::size_t>(floats * sizeof(float));
}

} // namespace attnscope
