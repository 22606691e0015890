// Scaled dot-product multi-head attention: A = softmax(Q Kᵀ / √d_k + M), out = A V.
#pragma once

#include "core/tensor.h"
#include "core/trace.h"

#include <vector>

namespace attnscope {

// Row-wise softmax in place. The row maximum is subtracted before exp so huge logits cannot
// overflow (exp of a non-positive number is at most 1). Entries equal to -inf get weight 0;
// a row whose entries are all -inf becomes all zeros and the function returns false.
bool softmaxRowsInPlace(Eigen::Ref<MatrixRM> scores);

struct AttentionMask {
    bool causal = false;            // key j > queryOffset + i is masked (query i sits at that position)
    std::vector<bool> keyPadding;   // empty, or one flag per key: true = masked
    Eigen::Index queryOffset = 0;   // position of the first query row: > 0 when the queries are the
                                    // newest rows of a longer sequence (the KV-cached decoder)
};

// Weights of one attention block (views into the model's weight block).
struct AttentionWeights {
    const float* wq = nullptr; const float* bq = nullptr; // (d, d), (d)
    const float* wk = nullptr; const float* bk = nullptr;
    const float* wv = nullptr; const float* bv = nullptr;
    const float* wo = nullptr; const float* bo = nullptr;
    // Wᵀ, row-major (d, d) with rows tStride apart (tensor.h, paddedStride): copies the
    // Transformer makes for small models, so that their projections run gemm.h's register
    // kernel (it reads its right operand by rows); or nullptr.
    const float* wqT = nullptr; const float* wkT = nullptr;
    const float* wvT = nullptr; const float* woT = nullptr;
    Eigen::Index tStride = 0;
    // Grouped-query attention: wk, wv are (kvHeads · d_k, d) and query head h reads key/value
    // head h / (nHeads / kvHeads). 0: as many as query heads.
    int kvHeads = 0;
    // Rotary positions (row_ops.h, applyRotary) on q and k after their projections; dims 0: none.
    int rotaryDims = 0;
    float ropeTheta = 10000.0f;
    float ropeScale = 1.0f;
};

// Per-head replacement of the head's output A_h·V_h (before the output projection): nullptr
// entries leave the head alone; a (d_k) row replaces every position's output (zeros for zero
// ablation, the head's mean output on a reference input for mean ablation).
using HeadOverrides = std::vector<const RowVector*>;

// Scratch of multiHeadAttention (tensor.h), reused by every block and head of a forward pass so
// that the per-head loop allocates nothing. Not shared between threads.
struct AttentionScratch {
    ScratchBuffer q;       // (Tq, d)
    ScratchBuffer kv;      // (Tk, 2d) K | V
    ScratchBuffer context; // (Tq, d) concatenated head outputs A_h·V_h
    ScratchBuffer keysT;   // (d_k, Tk) one head's K_hᵀ
    ScratchBuffer weights; // (Tq, Tk) weights of a head that is not recorded

    size_t bytes() const { return q.bytes() + kv.bytes() + context.bytes() + keysT.bytes() + weights.bytes(); }
    void release()
    {
        for (ScratchBuffer* b : {&q, &kv, &context, &keysT, &weights}) b->release();
    }
};

// Keys and values of one attention block kept from call to call: the decoder's K/V cache, so
// that a new position runs one row through the block instead of the whole prefix again.
// Rows [0, length) are valid.
struct KvCache {
    MatrixRM k, v;           // (capacity, d); grown when a call needs more rows
    Eigen::Index length = 0;
    bool fixedKeys = false;  // cross-attention: projected once from the encoder output, then reused
};

// Multi-head attention with queries from x (Tq, d) and keys/values from y (Tk, d).
// Writes (Tq, d) into out (resized). Records per-head data into `layer` when capture != None.
// Returns the number of fully masked query rows (they produce zero weights).
int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, MatrixRM& out, const HeadOverrides* overrides = nullptr);

// The same with the caller's scratch, into out (Tq, d) already sized; accumulate adds the block's
// output to out (a pre-norm residual connection) instead of overwriting it. Allocates only what
// the capture records.
// With a cache: self-attention appends y's keys and values at rows [length, length + Tk) and
// attends over rows [0, length + Tk) (mask.queryOffset is then the old length); a fixedKeys cache
// is filled from y on its first use and reused as it is afterwards (y is then not read).
int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, Eigen::Ref<MatrixRM> out, const HeadOverrides* overrides,
                       AttentionScratch& scratch, bool accumulate = false, KvCache* cache = nullptr);

// The per-head part of multi-head attention on projections already made: q (Tq, d), k and v
// (Tk, d), all possibly strided views, into context (Tq, d) (the concatenated head outputs,
// before the output projection). multiHeadAttention() runs this between its projections; the
// KV-cached greedy decoder runs it on cached keys and values. Returns the fully masked rows.
int attendHeads(const Eigen::Ref<const MatrixRM>& q, const Eigen::Ref<const MatrixRM>& k,
                const Eigen::Ref<const MatrixRM>& v, int nHeads, const AttentionMask& mask, Capture capture,
                LayerTrace* layer, const HeadOverrides* overrides, AttentionScratch& scratch,
                Eigen::Ref<MatrixRM> context);

// One head of a block recomputed from the block's inputs x (Tq, d) and y (Tk, d): projects only
// that head's d_k columns of Q, K and V, then runs the forward pass's own per-head code. Records
// weights (capture Attention or Compact) or everything (Full). See recompute.h.
HeadTrace attentionHead(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                        const AttentionWeights& w, int nHeads, int head, const AttentionMask& mask, Capture capture);

// Block means of an attention matrix: s × s cells (s = ⌈max(Tq, Tk) / maxSide⌉) become one, so
// the result is at most maxSide on its longer side; a copy when it already fits.
MatrixRM poolAttention(const Eigen::Ref<const MatrixRM>& weights, int maxSide);

} // namespace attnscope
