// Greedy decoding with a key/value cache (transformer.h). Every decoder layer keeps the keys and
// values of the positions decoded so far, so a new token runs one row through the stack instead
// of the whole prefix again; cross-attention keys and values are projected from the encoder
// output once. The arithmetic per row is the forward pass's (docs/model-format.md, "Layer
// equations"): tests/core/test_greedy.cpp checks every step's logits against a full forward.
// The app still captures attention with one full forward over the finished sequence.
#include "core/transformer.h"

#include "core/gemm.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// Keys and values of one attention block: rows [0, n) are valid.
struct KvCache {
    MatrixRM k, v; // (capacity, d)
};

} // namespace

std::vector<int> Transformer::greedy(const std::vector<int>& source, int maxLen, const HeadAblation* ablation) const
{
    const ModelConfig& c = m_model->config;
    maxLen = std::min(maxLen, c.maxLen);
    const int d = c.dModel;
    const bool decoderOnly = c.type == ArchType::Decoder;
    if (c.type == ArchType::Encoder || !c.lmHead || (decoderOnly && source.empty())) return {};

    // Encoder output and the cross-attention keys/values it gives every decoder layer.
    const size_t layers = m_decoderLayers.size();
    std::vector<KvCache> self(layers), cross(layers);
    std::vector<bool> sourcePadding;
    if (c.type == ArchType::EncoderDecoder) {
        MatrixRM memory;
        int masked = 0;
        encode(source, Capture::None, nullptr, memory, masked, ablation);
        sourcePadding = paddingMask(source, m_model->sourceTokenizer.vocab().special(SpecialRole::Pad)).keyPadding;
        for (size_t i = 0; i < layers; ++i) {
            const AttentionWeights& w = m_decoderLayers[i].crossAttn;
            linearForward(memory, w.wk, w.bk, d, cross[i].k, w.wkT, w.tStride);
            linearForward(memory, w.wv, w.bv, d, cross[i].v, w.wvT, w.tStride);
        }
    }
    for (KvCache& kv : self) {
        kv.k.resize(maxLen, d);
        kv.v.resize(maxLen, d);
    }
    std::vector<HeadOverrides> selfOv(layers), crossOv(layers);
    std::vector<const HeadOverrides*> selfOvPtr(layers), crossOvPtr(layers);
    for (size_t i = 0; i < layers; ++i) {
        selfOvPtr[i] = overridesFor(ablation, Stack::Decoder, int(i), selfOv[i]);
        crossOvPtr[i] = overridesFor(ablation, Stack::Cross, int(i), crossOv[i]);
    }
    AttentionMask crossMask;
    crossMask.keyPadding = sourcePadding;

    // Scratch reused by every step.
    MatrixRM x, normed, q, context, sub;
    AttentionScratch scratch;

    // One attention sub-block for rows [first, first + x.rows()): self-attention appends the rows'
    // keys and values to the cache, then attends over everything up to the last of them. The
    // per-head arithmetic is the forward pass's own (attention.h, attendHeads), the causal mask
    // shifted to the rows' positions.
    auto attention = [&](const Eigen::Ref<const MatrixRM>& in, size_t layer, bool isCross, Eigen::Index first,
                         MatrixRM& out) {
        const Layer& l = m_decoderLayers[layer];
        const AttentionWeights& w = isCross ? l.crossAttn : l.selfAttn;
        const Eigen::Index rows = in.rows();
        linearForward(in, w.wq, w.bq, d, q, w.wqT, w.tStride);
        context.resize(rows, d);
        if (isCross) {
            attendHeads(q, cross[layer].k, cross[layer].v, c.nHeads, crossMask, Capture::None, nullptr,
                        crossOvPtr[layer], scratch, context);
        } else {
            KvCache& kv = self[layer];
            linearInto(in, w.wk, w.bk, kv.k.middleRows(first, rows), w.wkT, w.tStride);
            linearInto(in, w.wv, w.bv, kv.v.middleRows(first, rows), w.wvT, w.tStride);
            AttentionMask mask;
            mask.causal = true;
            mask.queryOffset = first;
            attendHeads(q, kv.k.topRows(first + rows), kv.v.topRows(first + rows), c.nHeads, mask, Capture::None,
                        nullptr, selfOvPtr[layer], scratch, context);
        }
        linearForward(context, w.wo, w.bo, d, out, w.woT, w.tStride);
    };

    // Runs ids at positions first .. first + n − 1 through the decoder stack (and final norm);
    // returns the last row's next-token id.
    auto step = [&](const int* ids, Eigen::Index n, Eigen::Index first) {
        embed(m_decoderEmbed, ids, n, first, nullptr, x);
        for (size_t i = 0; i < layers; ++i) {
            const Layer& l = m_decoderLayers[i];
            const Norm& ffNorm = l.hasCross ? l.norm3 : l.norm2;
            if (c.norm == NormPosition::Pre) {
                layerNorm(l.norm1, x, normed);
                attention(normed, i, false, first, sub);
                x += sub;
                if (l.hasCross) {
                    layerNorm(l.norm2, x, normed);
                    attention(normed, i, true, first, sub);
                    x += sub;
                }
                layerNorm(ffNorm, x, normed);
                feedForward(l, normed, sub);
                x += sub;
            } else {
                attention(x, i, false, first, sub);
                sub += x;
                layerNorm(l.norm1, sub, x);
                if (l.hasCross) {
                    attention(x, i, true, first, sub);
                    sub += x;
                    layerNorm(l.norm2, sub, x);
                }
                feedForward(l, x, sub);
                sub += x;
                layerNorm(ffNorm, sub, x);
            }
        }
        const auto last = x.bottomRows(1);
        sub.resize(1, m_outVocab);
        if (c.finalNorm) {
            layerNorm(m_decoderNorm, last, normed);
            outputHead(normed, sub, context);
        } else {
            outputHead(last, sub, context);
        }
        Eigen::Index best = 0;
        sub.row(0).maxCoeff(&best);
        return static_cast<int>(best);
    };

    std::vector<int> generated;
    if (decoderOnly) {
        const int eos = m_model->sourceTokenizer.vocab().special(SpecialRole::Eos);
        const Eigen::Index prompt = static_cast<Eigen::Index>(source.size());
        if (prompt >= maxLen) return generated;
        int next = step(source.data(), prompt, 0); // the prompt in one block
        for (Eigen::Index pos = prompt;; ++pos) {
            generated.push_back(next);
            if (next == eos || pos + 1 >= maxLen) break;
            next = step(&generated.back(), 1, pos);
        }
    } else {
        const Vocabulary& tv = m_model->targetTokenizer.vocab();
        const int eos = tv.special(SpecialRole::Eos);
        const int bos = tv.special(SpecialRole::Bos);
        if (maxLen <= 1) return generated; // bos alone fills the decoder
        int next = step(&bos, 1, 0);
        for (Eigen::Index pos = 1;; ++pos) {
            generated.push_back(next);
            if (next == eos || pos + 1 > maxLen - 1) break;
            next = step(&generated.back(), 1, pos);
        }
    }
    return generated;
}

} // namespace attnscope
