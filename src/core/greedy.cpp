// Greedy decoding with a key/value cache (transformer.h). Every decoder layer keeps the keys and
// values of the positions decoded so far, so a new token runs one row through the stack instead
// of the whole prefix again; cross-attention keys and values are projected from the encoder
// output once. Each step is the forward pass's own layer step (Transformer::runLayer with a
// LayerCache): tests/core/test_greedy.cpp checks the result against full forwards.
// The app still captures attention with one full forward over the finished sequence.
#include "core/transformer.h"

#include "core/gemm.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

std::vector<int> Transformer::greedy(const std::vector<int>& source, int maxLen, const HeadAblation* ablation) const
{
    const ModelConfig& c = m_model->config;
    maxLen = std::min(maxLen, c.maxLen);
    const bool decoderOnly = c.type == ArchType::Decoder;
    if (c.type == ArchType::Encoder || !c.lmHead || (decoderOnly && source.empty())) return {};

    // The encoder output feeds every decoder layer's cross-attention; its keys and values are
    // projected into the layer's cross cache on the first step and reused after that.
    const size_t layers = m_decoderLayers.size();
    std::vector<LayerCache> caches(layers);
    MatrixRM memory;
    AttentionMask crossMask;
    if (c.type == ArchType::EncoderDecoder) {
        int masked = 0;
        encode(source, Capture::None, nullptr, memory, masked, ablation);
        crossMask = paddingMask(source, m_model->sourceTokenizer.vocab().special(SpecialRole::Pad));
    }
    for (LayerCache& cache : caches) {
        cache.self.k.resize(maxLen, c.kvDim()); // grouped-query heads: fewer key/value columns
        cache.self.v.resize(maxLen, c.kvDim());
        cache.cross.fixedKeys = true;
    }
    std::vector<HeadOverrides> selfOv(layers), crossOv(layers);
    std::vector<LayerOverrides> overrides(layers);
    for (size_t i = 0; i < layers; ++i)
        overrides[i] = {overridesFor(ablation, Stack::Decoder, int(i), selfOv[i]),
                        overridesFor(ablation, Stack::Cross, int(i), crossOv[i])};

    // Scratch reused by every step.
    MatrixRM x, normed, logits, transformed;
    Workspace ws;

    // Runs ids at positions first .. first + n − 1 through the decoder stack with the forward
    // pass's own layer step (the causal mask shifted to the rows' positions), then the final norm
    // and the output head on the last row; returns its next-token id.
    auto step = [&](const int* ids, Eigen::Index n, Eigen::Index first) {
        embed(m_decoderEmbed, ids, n, first, nullptr, x);
        AttentionMask selfMask;
        selfMask.causal = true;
        selfMask.queryOffset = first;
        int masked = 0;
        for (size_t i = 0; i < layers; ++i)
            runLayer(m_decoderLayers[i], x, c.hasCrossAttention() ? &memory : nullptr, selfMask, crossMask,
                     Capture::None, nullptr, nullptr, masked, overrides[i], ws, &caches[i]);
        const auto last = x.bottomRows(1);
        logits.resize(1, m_outVocab);
        if (c.finalNorm) {
            layerNorm(m_decoderNorm, last, normed);
            outputHead(normed, logits, transformed);
        } else {
            outputHead(last, logits, transformed);
        }
        Eigen::Index best = 0;
        logits.row(0).maxCoeff(&best);
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
