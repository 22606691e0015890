// Prefix reuse for decoder-only models (transformer.h forwardCached): the live view's answer to
// "the user typed one more character". Under a causal mask position i depends on ids 0 … i only,
// so after an edit every position before the first changed id keeps its attention rows, its
// residual stream and its logits, and its keys and values are still right for the positions
// after it. Those run through the forward pass's own layer step (runLayer with a KV cache, as
// greedy decoding does), their attention rows joined under the reused ones.
#include "core/transformer.h"

#include "core/errors.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

ForwardResult Transformer::forwardCached(const std::vector<int>& ids, Capture capture, DecoderCache& cache,
                                         const Trace* previousTrace, const MatrixRM* previousLogits, int* reused) const
{
    const ModelConfig& c = m_model->config;
    if (c.type != ArchType::Decoder || !c.lmHead)
        throw UsageError("forwardCached: decoder-only models with an output head only");
    if (capture == Capture::Compact) throw UsageError("forwardCached: capture None, Attention or Full only");
    try {
        return forwardCachedPass(ids, capture, cache, previousTrace, previousLogits, reused);
    } catch (...) {
        cache.clear(); // rows past the prefix may hold a half-finished pass
        throw;
    }
}

ForwardResult Transformer::forwardCachedPass(const std::vector<int>& ids, Capture capture, DecoderCache& cache,
                                             const Trace* previousTrace, const MatrixRM* previousLogits,
                                             int* reused) const
{
    const ModelConfig& c = m_model->config;
    const Eigen::Index T = Eigen::Index(ids.size());
    const size_t layers = m_decoderLayers.size();

    // How much of the previous run is still valid: the common prefix of the ids, if the cache
    // and the previous result belong together and recorded what this capture needs.
    Eigen::Index p = 0;
    const bool usable = previousTrace && previousLogits && cache.m_layers.size() == layers && !cache.m_ids.empty() &&
                        previousLogits->rows() == Eigen::Index(cache.m_ids.size()) &&
                        (capture == Capture::None || (previousTrace->decoder.size() == layers && !previousTrace->compact &&
                                                      !previousTrace->decoder[0].heads.empty() &&
                                                      previousTrace->decoder[0].heads[0].weights.rows() ==
                                                          Eigen::Index(cache.m_ids.size()) &&
                                                      (capture != Capture::Full ||
                                                       previousTrace->decoder[0].heads[0].q.rows() ==
                                                           Eigen::Index(cache.m_ids.size()))));
    if (usable) {
        const size_t common = size_t(std::mismatch(ids.begin(), ids.end(), cache.m_ids.begin(), cache.m_ids.end()).first -
                                     ids.begin());
        p = Eigen::Index(common);
        // At least the last position runs again when nothing changed but the length, so that
        // every path below has new rows (and an unchanged input costs one row).
        if (p == T && T > 0) --p;
    }
    if (p == 0 || cache.m_layers.size() != layers) {
        cache.m_layers.assign(layers, KvCache{});
        p = 0;
    }
    for (KvCache& kv : cache.m_layers) {
        kv.length = p;
        if (kv.k.rows() < T) {
            kv.k.conservativeResize(std::max<Eigen::Index>(T, 2 * kv.k.rows()), c.kvDim());
            kv.v.conservativeResize(kv.k.rows(), c.kvDim());
        }
    }
    if (reused) *reused = int(p);

    ForwardResult out;
    const Eigen::Index n = T - p;
    MatrixRM x;
    embed(m_decoderEmbed, ids.data() + p, n, p, nullptr, x);
    AttentionMask selfMask;
    selfMask.causal = true;
    selfMask.queryOffset = p;
    const bool record = capture != Capture::None;
    std::vector<LayerTrace> fresh(record ? layers : 0);
    Workspace ws;
    ws.stack = Stack::Decoder;
    for (size_t i = 0; i < layers; ++i) {
        LayerCache lc;
        lc.self = std::move(cache.m_layers[i]);
        ws.layer = int(i);
        runLayer(m_decoderLayers[i], x, nullptr, selfMask, AttentionMask{}, capture, record ? &fresh[i] : nullptr,
                 nullptr, out.maskedRows, LayerOverrides{}, ws, &lc);
        cache.m_layers[i] = std::move(lc.self);
    }
    if (c.finalNorm) layerNormInto(m_decoderNorm, x, x);
    out.logits.resize(T, m_outVocab);
    if (p > 0) out.logits.topRows(p) = previousLogits->topRows(p);
    MatrixRM transformed;
    outputHead(x, out.logits.bottomRows(n), transformed);
    if (record) {
        out.trace.causalDecoder = true;
        out.trace.decoder.resize(layers);
        for (size_t i = 0; i < layers; ++i) {
            std::vector<HeadTrace>& heads = fresh[i].heads;
            out.trace.decoder[i].heads.resize(heads.size());
            for (size_t h = 0; h < heads.size(); ++h) {
                HeadTrace& ht = out.trace.decoder[i].heads[h];
                const HeadTrace* old = p > 0 ? &previousTrace->decoder[i].heads[h] : nullptr;
                MatrixRM& w = ht.weights;
                w.setZero(T, T);
                if (old) w.topLeftCorner(p, p) = old->weights.topLeftCorner(p, p);
                w.bottomRows(n) = heads[h].weights; // (n, T): the new queries over every key
                if (capture != Capture::Full) continue;
                // Q and the head output are per query row; K and V came whole from the cache;
                // the scores (before the mask) of the reused rows gain the new keys' columns.
                const Eigen::Index dk = heads[h].q.cols();
                ht.q.resize(T, dk);
                ht.output.resize(T, dk);
                if (old) {
                    ht.q.topRows(p) = old->q.topRows(p);
                    ht.output.topRows(p) = old->output.topRows(p);
                }
                ht.q.bottomRows(n) = heads[h].q;
                ht.output.bottomRows(n) = heads[h].output;
                ht.k = std::move(heads[h].k);
                ht.v = std::move(heads[h].v);
                ht.scores.resize(T, T);
                if (old) {
                    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
                    ht.scores.topLeftCorner(p, p) = old->scores.topLeftCorner(p, p);
                    ht.scores.topRightCorner(p, n).noalias() = (ht.q.topRows(p) * ht.k.bottomRows(n).transpose()) * scale;
                }
                ht.scores.bottomRows(n) = heads[h].scores;
            }
        }
    }
    cache.m_ids = ids;
    return out;
}

} // namespace attnscope
