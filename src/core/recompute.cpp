// See recompute.h. Picks the recorded inputs and masks of one block and hands them to
// attentionHead(), which shares its per-head code with multiHeadAttention().
#include "core/recompute.h"

#include "core/analysis/census.h"
#include "core/analysis/head_stats.h"
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

MatrixRM weightsOf(const Transformer& transformer, const Trace& trace, Stack stack, int layer, int head)
{
    if (trace.compact)
        return head == kRecomputeMean ? recomputeMeanOfHeads(transformer, trace, stack, layer)
                                      : recomputeHead(transformer, trace, stack, layer, head).weights;
    const LayerTrace& lt = layerOf(trace, stack, layer);
    if (head == kRecomputeMean && !lt.heads.empty()) return meanOfHeads(lt);
    if (head < 0 || head >= static_cast<int>(lt.heads.size()))
        throw std::out_of_range("weightsOf: no head " + std::to_string(head) + " in " + toString(stack) + " layer " +
                                std::to_string(layer));
    return lt.heads[size_t(head)].weights;
}

HeadAblation meanAblationOf(const Transformer& transformer, const Trace& reference,
                            const std::vector<std::tuple<Stack, int, int>>& heads)
{
    if (!reference.compact) return meanAblation(reference, heads);
    // As meanAblation: heads the reference does not hold are left out (not ablated).
    HeadAblation ablation;
    const int nHeads = transformer.model().config.nHeads;
    for (const auto& [stack, layer, head] : heads) {
        const auto& layers = reference.stack(stack);
        if (layer < 0 || size_t(layer) >= layers.size() || head < 0 || head >= nHeads) continue;
        const HeadTrace h = recomputeHead(transformer, reference, stack, layer, head, Capture::Full);
        if (h.output.rows() == 0) continue;
        ablation.set(stack, layer, head, h.output.colwise().mean());
    }
    return ablation;
}

StackAlignment alignStackOf(const RunResult& a, const RunResult& b, const ModelConfig& config, Stack stack)
{
    if (!a.trace.compact && !b.trace.compact) return alignStack(a, b, config, stack);
    StackAlignment s;
    s.stack = stack;
    const auto& la = a.trace.stack(stack);
    const auto& lb = b.trace.stack(stack);
    s.present = !la.empty() && la.size() == lb.size() && !la.front().heads.empty() &&
                la.front().heads.size() == lb.front().heads.size();
    if (!s.present) return s;
    // (queries, keys) of one side: a compact trace's block input has T_q rows; the keys of
    // self-attention are the same positions, those of cross-attention the encoder memory.
    auto shape = [stack](const RunResult& r, int& queries, int& keys) {
        const LayerTrace& l = r.trace.stack(stack).front();
        if (r.trace.compact) {
            queries = static_cast<int>(l.input.rows());
            keys = stack == Stack::Cross ? static_cast<int>(r.trace.memory.rows()) : queries;
        } else {
            queries = static_cast<int>(l.heads.front().weights.rows());
            keys = static_cast<int>(l.heads.front().weights.cols());
        }
    };
    shape(a, s.queriesA, s.keysA);
    shape(b, s.queriesB, s.keysB);
    s.aligned = s.queriesA == s.queriesB && s.keysA == s.keysB;
    if (s.aligned) {
        auto differing = [](const std::vector<Token>& x, const std::vector<Token>& y) {
            std::vector<int> out;
            for (size_t i = 0; i < x.size() && i < y.size(); ++i)
                if (x[i].id != y[i].id || x[i].text != y[i].text) out.push_back(static_cast<int>(i));
            return out;
        };
        s.differingQueries = differing(queryTokens(a, config, stack), queryTokens(b, config, stack));
        s.differingKeys = differing(keyTokens(a, config, stack), keyTokens(b, config, stack));
    }
    return s;
}

DifferenceSummary headChangeOf(const Transformer& transformer, const Trace& a, const Trace& b, Stack stack, int layer,
                               int head)
{
    MatrixRM d = weightsOf(transformer, a, stack, layer, head); // becomes A − B in place: no third matrix
    const MatrixRM wb = weightsOf(transformer, b, stack, layer, head);
    if (d.rows() != wb.rows() || d.cols() != wb.cols())
        throw std::invalid_argument(std::string("headChangeOf: ") + toString(stack) + " layer " +
                                    std::to_string(layer) + " head " + std::to_string(head) +
                                    ": A and B differ in shape");
    d -= wb;
    return summarizeDifference(d);
}

HeadChangeMap headChangesOf(const Transformer& transformer, const Trace& a, const Trace& b, Stack stack)
{
    if (!a.compact && !b.compact) return headChanges(a, b, stack);
    const auto& la = a.stack(stack);
    const auto& lb = b.stack(stack);
    if (la.empty() || la.size() != lb.size())
        throw std::invalid_argument(std::string("headChangesOf: ") + toString(stack) +
                                    ": the two traces do not hold the same layers");
    HeadChangeMap m;
    m.stack = stack;
    const int layers = static_cast<int>(la.size());
    const int heads = transformer.model().config.nHeads;
    m.meanAbs = MatrixRM::Zero(layers, heads);
    m.maxAbs = MatrixRM::Zero(layers, heads);
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) {
            const DifferenceSummary s = headChangeOf(transformer, a, b, stack, l, h);
            m.meanAbs(l, h) = s.meanAbs;
            m.maxAbs(l, h) = s.maxAbs;
        }
    markMostChanged(m);
    return m;
}

DecodingTimeline decodingTimelineOf(const RunResult& run, const Model& model, bool teacherForced, int k)
{
    if (!run.trace.compact) return decodingTimeline(run, model, teacherForced, k);
    // Tokens and logits only: decodingTimeline reads no attention, just which stacks exist.
    RunResult light;
    light.trace.decoder.resize(run.trace.decoder.size());
    light.trace.cross.resize(run.trace.cross.size());
    light.trace.causalDecoder = run.trace.causalDecoder;
    const int offset = model.config.type == ArchType::Decoder ? run.logitsOffset : 0;
    if (offset < 0 || offset > static_cast<int>(run.sourceTokens.size())) return decodingTimeline(light, model, teacherForced, k);
    light.sourceTokens.assign(run.sourceTokens.begin() + offset, run.sourceTokens.end());
    light.targetTokens = run.targetTokens;
    light.outputTokens = run.outputTokens;
    light.logits = run.logits;
    light.logitsOffset = 0;
    light.predictionPosition = run.predictionPosition - offset;
    DecodingTimeline t = decodingTimeline(light, model, teacherForced, k);
    if (offset > 0) {
        t.decoderTokens = queryTokens(run, model.config, Stack::Decoder);
        t.promptRows = static_cast<int>(run.sourceTokens.size());
        for (TimelineStep& s : t.steps) {
            s.row += offset;
            s.prefix.assign(t.decoderTokens.begin(), t.decoderTokens.begin() + s.row + 1);
        }
    }
    return t;
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
