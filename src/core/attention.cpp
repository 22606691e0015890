// Multi-head attention. Projections are whole-matrix products (gemm.h); the per-head work
// operates on column blocks of Q, K, V without copying them, in scratch every head reuses.
#include "core/attention.h"

#include "core/gemm.h"
#include "core/row_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

const char* toString(Stack stack)
{
    switch (stack) {
    case Stack::Encoder: return "encoder";
    case Stack::Decoder: return "decoder";
    case Stack::Cross: return "cross";
    }
    return "";
}

bool stackFromString(const std::string& name, Stack& stack)
{
    if (name == "encoder") stack = Stack::Encoder;
    else if (name == "decoder") stack = Stack::Decoder;
    else if (name == "cross") stack = Stack::Cross;
    else return false;
    return true;
}

const std::vector<LayerTrace>& Trace::stack(Stack s) const
{
    return s == Stack::Encoder ? encoder : s == Stack::Decoder ? decoder : cross;
}

std::vector<LayerTrace>& Trace::stack(Stack s)
{
    return s == Stack::Encoder ? encoder : s == Stack::Decoder ? decoder : cross;
}

bool softmaxRowsInPlace(Eigen::Ref<MatrixRM> scores)
{
    bool allRowsValid = true;
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        auto row = scores.row(i);
        const float maxValue = row.maxCoeff();
        if (maxValue == -std::numeric_limits<float>::infinity()) {
            row.setZero();
            allRowsValid = false;
            continue;
        }
        row = (row.array() - maxValue).exp();
        row /= row.sum();
    }
    return allRowsValid;
}

namespace {

// out = x·Wᵀ + b (gemm.h: register kernel with Wᵀ, OpenBLAS or Eigen, bias seeded into the output).
void project(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out,
             const float* wt = nullptr, Eigen::Index wtStride = 0)
{
    out.resize(x.rows(), outDim);
    linearInto(x, w, b, out, wt, wtStride);
}

using HeadRef = Eigen::Ref<const MatrixRM, 0, Eigen::OuterStride<>>;

using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kPacket = Eigen::internal::packet_traits<float>::size;

// o[j] = exp(s[j] − shift) for j < n; returns their sum. Whole packets from the row's start, the
// last partial packet through a padded copy, so every element takes the same exp (Eigen's
// vectorised one) and the sum the same order wherever the row sits in memory. (Eigen's own
// expressions peel unaligned leading elements off to the scalar std::exp and group sums by
// alignment: the same head gave other last bits in a padded scratch buffer than in the trace's
// matrix, so Compact capture gave other logits than Full.)
float expRow(const float* s, float* o, Eigen::Index n, float shift)
{
    namespace ei = Eigen::internal;
    const Packet p = ei::pset1<Packet>(shift);
    Packet acc = ei::pset1<Packet>(0.0f);
    Eigen::Index j = 0;
    for (; j + kPacket <= n; j += kPacket) {
        const Packet e = expNonPositive(ei::psub(ei::ploadu<Packet>(s + j), p));
        ei::pstoreu(o + j, e);
        acc = ei::padd(acc, e);
    }
    float sum = ei::predux(acc);
    if (j < n) {
        float tail[kPacket];
        std::fill(tail, tail + kPacket, shift);
        std::copy(s + j, s + n, tail);
        ei::pstoreu(tail, expNonPositive(ei::psub(ei::ploadu<Packet>(tail), p)));
        for (Eigen::Index t = j; t < n; ++t) sum += (o[t] = tail[t - j]);
    }
    return sum;
}

// Sum of o[0, n) in an order fixed by n alone (packets from the start, then the rest).
float sumRow(const float* o, Eigen::Index n)
{
    namespace ei = Eigen::internal;
    Packet acc = ei::pset1<Packet>(0.0f);
    Eigen::Index j = 0;
    for (; j + kPacket <= n; j += kPacket) acc = ei::padd(acc, ei::ploadu<Packet>(o + j));
    float sum = ei::predux(acc);
    for (; j < n; ++j) sum += o[j];
    return sum;
}

// o[j] /= divisor for j < n. Divided (one rounding), not multiplied by the reciprocal: that moved
// a golden's logits by 4e-6 of its 1e-5 tolerance.
void divideRow(float* o, Eigen::Index n, float divisor)
{
    namespace ei = Eigen::internal;
    const Packet p = ei::pset1<Packet>(divisor);
    Eigen::Index j = 0;
    for (; j + kPacket <= n; j += kPacket) ei::pstoreu(o + j, ei::pdiv(ei::ploadu<Packet>(o + j), p));
    for (; j < n; ++j) o[j] /= divisor;
}

// Largest of s[0, n), n > 0.
float maxRow(const float* s, Eigen::Index n)
{
    namespace ei = Eigen::internal;
    Eigen::Index j = 0;
    float m = s[0];
    if (n >= kPacket) {
        Packet acc = ei::ploadu<Packet>(s);
        for (j = kPacket; j + kPacket <= n; j += kPacket) acc = ei::pmax(acc, ei::ploadu<Packet>(s + j));
        m = ei::predux_max(acc);
    }
    for (; j < n; ++j) m = std::max(m, s[j]);
    return m;
}

// Row-wise masked softmax from scores into weights (the same matrix, or a separate one when the
// scores are recorded too). The mask is applied here rather than written into the scores as −∞:
// a causal row only reads its first i + 1 keys, and the rest of the row is set to zero. The
// row maximum over the unmasked keys is subtracted before exp (no overflow). Returns the rows
// whose keys were all masked (all-zero weights).
int maskedSoftmax(const Eigen::Ref<const MatrixRM>& scores, Eigen::Ref<MatrixRM> weights, const AttentionMask& mask)
{
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    const Eigen::Index tq = scores.rows();
    const Eigen::Index tk = scores.cols();
    const bool padding = !mask.keyPadding.empty();
    int maskedRows = 0;
    // Rows in groups of four, each step for all four before the next: a row's steps are a chain
    // (maximum, exponentials and their sum, division), so row by row left the core waiting; four
    // independent chains overlap. Each row's arithmetic is unchanged (same bits).
    constexpr Eigen::Index kGroup = 4;
    for (Eigen::Index i0 = 0; i0 < tq; i0 += kGroup) {
        const Eigen::Index g = std::min(kGroup, tq - i0);
        Eigen::Index visible[kGroup];
        float maxValue[kGroup], sum[kGroup];
        for (Eigen::Index r = 0; r < g; ++r) {
            const Eigen::Index i = i0 + r;
            // Keys after query i's position are masked.
            visible[r] = mask.causal ? std::clamp<Eigen::Index>(mask.queryOffset + i + 1, 0, tk) : tk;
            const float* s = scores.row(i).data();
            maxValue[r] = kNegInf;
            if (!padding) {
                if (visible[r] > 0) maxValue[r] = maxRow(s, visible[r]);
            } else {
                for (Eigen::Index j = 0; j < visible[r]; ++j)
                    if (!mask.keyPadding[size_t(j)]) maxValue[r] = std::max(maxValue[r], s[j]);
            }
        }
        for (Eigen::Index r = 0; r < g; ++r) {
            if (maxValue[r] == kNegInf) continue;
            float* o = weights.row(i0 + r).data();
            sum[r] = expRow(scores.row(i0 + r).data(), o, visible[r], maxValue[r]);
            if (padding) {
                for (Eigen::Index j = 0; j < visible[r]; ++j)
                    if (mask.keyPadding[size_t(j)]) o[j] = 0.0f;
                sum[r] = sumRow(o, visible[r]);
            }
        }
        for (Eigen::Index r = 0; r < g; ++r) {
            float* o = weights.row(i0 + r).data();
            if (maxValue[r] == kNegInf) {
                std::fill(o, o + tk, 0.0f);
                ++maskedRows;
                continue;
            }
            divideRow(o, visible[r], sum[r]);
            std::fill(o + visible[r], o + tk, 0.0f);
        }
    }
    return maskedRows;
}

// One head from its Q, K, V column blocks: scores = Q_h K_hᵀ/√d_k, masked, softmaxed, recorded
// into ht as `capture` asks. Shared by the forward pass and attentionHead(), so a recomputed head
// is the same arithmetic on the same numbers. Returns the fully masked rows. Every matrix is
// written once where it ends up: the scores straight into ht->scores (Full), the weights into
// ht->weights when recorded, otherwise into scratch; headOut, when given, receives A_h·V_h (the
// forward pass's context block) and Full capture copies the head's output from it (or computes
// it when headOut is null).
int attendHead(const HeadRef& qh, const HeadRef& kh, const HeadRef& vh, float scale, const AttentionMask& mask,
               Capture capture, AttentionScratch& scratch, HeadTrace* ht, Eigen::Ref<MatrixRM>* headOut)
{
    const Eigen::Index tq = qh.rows();
    const Eigen::Index tk = kh.rows();
    const Eigen::Index dk = qh.cols();
    // K_hᵀ row-major: gemm.h's kernel reads its right operand by rows. 1/√d_k is the product's alpha.
    StridedMatrixMap keysT = scratch.keysT.matrix(dk, tk);
    transposeInto(kh.data(), kh.outerStride(), tk, dk, keysT.data(), keysT.outerStride());
    const bool recordWeights = ht && capture != Capture::Compact;
    if (recordWeights) ht->weights.resize(tq, tk);
    StridedMatrixMap a = recordWeights ? StridedMatrixMap(ht->weights.data(), tq, tk, Eigen::OuterStride<>(tk))
                                       : scratch.weights.matrix(tq, tk); // (Tq, Tk)
    int maskedRows = 0;
    if (ht && capture == Capture::Full) {
        // (Already there when the forward pass projected this head straight into its trace.)
        if (qh.data() != ht->q.data()) ht->q = qh;
        if (kh.data() != ht->k.data()) ht->k = kh;
        if (vh.data() != ht->v.data()) ht->v = vh;
        ht->scores.resize(tq, tk);
        gemmNN(qh, keysT, ht->scores, scale);
        maskedRows = maskedSoftmax(ht->scores, a, mask);
    } else {
        gemmNN(qh, keysT, a, scale);
        maskedRows = maskedSoftmax(a, a, mask);
    }
    if (ht && capture == Capture::Compact) ht->thumbnail = poolAttention(a, kThumbnailSide);
    if (headOut) gemmNN(a, vh, *headOut);
    if (ht && capture == Capture::Full) {
        if (headOut) {
            ht->output = *headOut;
        } else {
            ht->output.resize(tq, vh.cols());
            gemmNN(a, vh, ht->output);
        }
    }
    return maskedRows;
}

// The per-head loop of attendHeads(): headQ(h), headK(h), headV(h) give head h's (T, d_k) blocks.
template <class Q, class K, class V>
int attendHeadsOf(int nHeads, int dk, const AttentionMask& mask, Capture capture, LayerTrace* layer,
                  const HeadOverrides* overrides, AttentionScratch& scratch, Eigen::Ref<MatrixRM> context,
                  const Q& headQ, const K& headK, const V& headV)
{
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
    int maskedRows = 0;
    if (layer && capture != Capture::None) layer->heads.resize(static_cast<size_t>(nHeads));
    for (int h = 0; h < nHeads; ++h) {
        HeadTrace* ht = (layer && capture != Capture::None) ? &layer->heads[static_cast<size_t>(h)] : nullptr;
        const RowVector* replacement =
            overrides && size_t(h) < overrides->size() ? (*overrides)[size_t(h)] : nullptr;
        Eigen::Ref<MatrixRM> headOut = context.middleCols(h * dk, dk);
        const int masked = attendHead(headQ(h), headK(h), headV(h), scale, mask, capture, scratch, ht,
                                      replacement ? nullptr : &headOut);
        if (h == 0) maskedRows = masked;
        if (replacement) headOut.rowwise() = *replacement;
    }
    return maskedRows;
}

} // namespace

MatrixRM poolAttention(const Eigen::Ref<const MatrixRM>& weights, int maxSide)
{
    const Eigen::Index rows = weights.rows(), cols = weights.cols();
    const Eigen::Index longest = std::max(rows, cols);
    const Eigen::Index side = std::max<Eigen::Index>(1, maxSide);
    const Eigen::Index s = std::max<Eigen::Index>(1, (longest + side - 1) / side);
    if (s == 1) return weights;
    const Eigen::Index pr = (rows + s - 1) / s, pc = (cols + s - 1) / s;
    MatrixRM pooled = MatrixRM::Zero(pr, pc);
    for (Eigen::Index i = 0; i < rows; ++i) {
        const float* row = weights.row(i).data();
        float* out = pooled.row(i / s).data();
        for (Eigen::Index j = 0; j < cols; ++j) out[j / s] += row[j];
    }
    // Divide by the cell count of each block (edge blocks may be smaller).
    for (Eigen::Index bi = 0; bi < pr; ++bi)
        for (Eigen::Index bj = 0; bj < pc; ++bj) {
            const Eigen::Index h = std::min(s, rows - bi * s), w = std::min(s, cols - bj * s);
            pooled(bi, bj) /= float(h * w);
        }
    return pooled;
}

HeadTrace attentionHead(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                        const AttentionWeights& w, int nHeads, int head, const AttentionMask& mask, Capture capture)
{
    const int d = static_cast<int>(x.cols());
    const int dk = d / nHeads;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
    const size_t rows = size_t(head) * size_t(dk); // first row of this head in each (d, d) weight
    const int kvHeads = w.kvHeads > 0 ? w.kvHeads : nHeads;
    const size_t kvRows = size_t(head / (nHeads / kvHeads)) * size_t(dk); // its key/value group's
    // The head's d_k columns of each Wᵀ copy, when there is one (rows tStride apart).
    auto columns = [](const float* wt, size_t first) { return wt ? wt + first : nullptr; };
    const Eigen::Index stride = w.tStride;
    MatrixRM qh, kh, vh;                           // (Tq, dk), (Tk, dk), (Tk, dk)
    project(x, w.wq + rows * size_t(d), w.bq ? w.bq + rows : nullptr, dk, qh, columns(w.wqT, rows), stride);
    project(y, w.wk + kvRows * size_t(d), w.bk ? w.bk + kvRows : nullptr, dk, kh, columns(w.wkT, kvRows), stride);
    project(y, w.wv + kvRows * size_t(d), w.bv ? w.bv + kvRows : nullptr, dk, vh, columns(w.wvT, kvRows), stride);
    applyRotary(qh, 1, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, mask.queryOffset);
    applyRotary(kh, 1, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, 0);
    HeadTrace ht;
    AttentionScratch scratch;
    attendHead(qh, kh, vh, scale, mask, capture == Capture::Full ? Capture::Full : Capture::Attention, scratch, &ht,
               nullptr);
    return ht;
}

int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, MatrixRM& out, const HeadOverrides* overrides)
{
    AttentionScratch scratch;
    out.resize(x.rows(), x.cols());
    return multiHeadAttention(x, y, w, nHeads, mask, capture, layer, out, overrides, scratch);
}

int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, Eigen::Ref<MatrixRM> out, const HeadOverrides* overrides,
                       AttentionScratch& scratch, bool accumulate, KvCache* cache)
{
    const int d = static_cast<int>(x.cols());
    const Eigen::Index tq = x.rows();
    const Eigen::Index tk = y.rows();

    const int dk = d / nHeads;
    const int kvDim = (w.kvHeads > 0 ? w.kvHeads : nHeads) * dk;
    if (cache) {
        // The cached path: keys and values live in the cache, the per-head work is the same.
        if (!cache->fixedKeys || cache->length == 0) {
            const Eigen::Index need = cache->length + tk;
            if (cache->k.rows() < need) {
                cache->k.conservativeResize(need, kvDim);
                cache->v.conservativeResize(need, kvDim);
            }
            auto newKeys = cache->k.middleRows(cache->length, tk);
            linearInto(y, w.wk, w.bk, newKeys, w.wkT, w.tStride);
            applyRotary(newKeys, kvDim / dk, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, cache->length);
            linearInto(y, w.wv, w.bv, cache->v.middleRows(cache->length, tk), w.wvT, w.tStride);
            cache->length = need;
        }
        StridedMatrixMap q = scratch.q.matrix(tq, d);
        linearInto(x, w.wq, w.bq, q, w.wqT, w.tStride);
        applyRotary(q, nHeads, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, mask.queryOffset);
        StridedMatrixMap context = scratch.context.matrix(tq, d);
        if (layer && capture == Capture::Compact) layer->input = x;
        const int maskedRows = attendHeads(q, cache->k.topRows(cache->length), cache->v.topRows(cache->length), nHeads,
                                           mask, capture, layer, overrides, scratch, context);
        linearInto(context, w.wo, w.bo, out, w.woT, w.tStride, accumulate);
        return maskedRows;
    }
    const bool direct = layer && capture == Capture::Full && w.wqT && w.wkT && w.wvT && dk % kPacket == 0 &&
                        kvDim == d && w.rotaryDims == 0 &&
                        !largeProduct(tq, d, d) && !largeProduct(tk, d, d);
    if (direct) {
        // Full capture of a small model: each head's Q, K and V are projected straight into its
        // trace (the head's d_k columns of each Wᵀ copy) instead of into whole matrices that
        // are then copied head by head. The register kernel computes every output element the
        // same way whatever the width of the product, so these are the same bits.
        layer->heads.resize(static_cast<size_t>(nHeads));
        for (int h = 0; h < nHeads; ++h) {
            HeadTrace& ht = layer->heads[static_cast<size_t>(h)];
            const size_t col = size_t(h) * size_t(dk);
            ht.q.resize(tq, dk);
            ht.k.resize(tk, dk);
            ht.v.resize(tk, dk);
            linearInto(x, w.wq, w.bq ? w.bq + col : nullptr, ht.q, w.wqT + col, w.tStride);
            linearInto(y, w.wk, w.bk ? w.bk + col : nullptr, ht.k, w.wkT + col, w.tStride);
            linearInto(y, w.wv, w.bv ? w.bv + col : nullptr, ht.v, w.wvT + col, w.tStride);
        }
        StridedMatrixMap context = scratch.context.matrix(tq, d);
        const int maskedRows = attendHeadsOf(
            nHeads, dk, mask, capture, layer, overrides, scratch, context,
            [layer](int h) -> const MatrixRM& { return layer->heads[size_t(h)].q; },
            [layer](int h) -> const MatrixRM& { return layer->heads[size_t(h)].k; },
            [layer](int h) -> const MatrixRM& { return layer->heads[size_t(h)].v; });
        linearInto(context, w.wo, w.bo, out, w.woT, w.tStride, accumulate);
        return maskedRows;
    }

    // Q, and K | V side by side; each head works on column blocks of them in place.
    StridedMatrixMap q = scratch.q.matrix(tq, d);
    StridedMatrixMap kv = scratch.kv.matrix(tk, 2 * kvDim);
    linearInto(x, w.wq, w.bq, q, w.wqT, w.tStride);
    linearInto(y, w.wk, w.bk, kv.leftCols(kvDim), w.wkT, w.tStride);
    linearInto(y, w.wv, w.bv, kv.rightCols(kvDim), w.wvT, w.tStride);
    if (w.rotaryDims > 0) {
        applyRotary(q, nHeads, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, mask.queryOffset);
        applyRotary(kv.leftCols(kvDim), kvDim / dk, dk, w.rotaryDims, w.ropeTheta, w.ropeScale, 0);
    }

    StridedMatrixMap context = scratch.context.matrix(tq, d); // concatenated head outputs
    if (layer && capture == Capture::Compact) layer->input = x;
    const int maskedRows = attendHeads(q, kv.leftCols(kvDim), kv.rightCols(kvDim), nHeads, mask, capture, layer,
                                       overrides, scratch, context);
    linearInto(context, w.wo, w.bo, out, w.woT, w.tStride, accumulate);
    return maskedRows;
}

int attendHeads(const Eigen::Ref<const MatrixRM>& q, const Eigen::Ref<const MatrixRM>& k,
                const Eigen::Ref<const MatrixRM>& v, int nHeads, const AttentionMask& mask, Capture capture,
                LayerTrace* layer, const HeadOverrides* overrides, AttentionScratch& scratch,
                Eigen::Ref<MatrixRM> context)
{
    const int dk = static_cast<int>(q.cols()) / nHeads;
    // Grouped-query attention: k and v hold fewer heads; each serves `group` query heads.
    const int group = std::max(1, nHeads / std::max(1, static_cast<int>(k.cols()) / dk));
    return attendHeadsOf(
        nHeads, dk, mask, capture, layer, overrides, scratch, context,
        [&q, dk](int h) { return q.middleCols(h * dk, dk); },
        [&k, dk, group](int h) { return k.middleCols((h / group) * dk, dk); },
        [&v, dk, group](int h) { return v.middleCols((h / group) * dk, dk); });
}

} // namespace attnscope
