// The step-through of one head, for teaching: every intermediate of scaled dot-product
// attention (DOMAIN.md "Attention") recomputed from a Capture::Full head trace, with a softmax
// temperature τ applied to the scaled scores, and the breakdown of a single weight cell.
// Pure functions; τ = 1 reproduces the engine's weights and output.
#pragma once

#include "core/tensor.h"
#include "core/trace.h"

#include <vector>

namespace attnscope {

// Which keys a query may not see, as the engine masks them (attention.h AttentionMask).
struct TeachingMask {
    bool causal = false;            // key j > query i is masked
    std::vector<bool> paddedKeys;   // empty, or one flag per key: true = masked (padding)
    bool masked(Eigen::Index i, Eigen::Index j) const
    {
        return (causal && j > i) || (!paddedKeys.empty() && paddedKeys[size_t(j)]);
    }
};

// The softmax temperatures the app offers (and session files may hold).
constexpr float kMinTemperature = 0.05f;
constexpr float kMaxTemperature = 20.0f;

// softmax over each row of (scaled / τ) with masked entries excluded. Stable: the row maximum
// is subtracted before exp. A row with no allowed key is all zeros. τ must be > 0.
MatrixRM temperatureSoftmax(const Eigen::Ref<const MatrixRM>& scaled, const TeachingMask& mask, float temperature);

struct StepThrough {
    float temperature = 1.0f;
    float scale = 1.0f;  // 1/√d_k
    MatrixRM q;          // (Tq, dk)
    MatrixRM k;          // (Tk, dk)
    MatrixRM v;          // (Tk, dk)
    MatrixRM dot;        // (Tq, Tk) Q·Kᵀ
    MatrixRM scaled;     // (Tq, Tk) Q·Kᵀ/√d_k
    MatrixRM masked;     // (Tq, Tk) scaled, −∞ where masked
    MatrixRM weights;    // (Tq, Tk) softmax(masked / τ)
    MatrixRM output;     // (Tq, dk) weights · V
};

// All steps for one head. `head` must hold q, k, v (Capture::Full); `mask` is the mask the
// engine applied to this head.
StepThrough stepThrough(const HeadTrace& head, const TeachingMask& mask, float temperature = 1.0f);

// How weight (i, j) of a step-through was made.
struct CellBreakdown {
    int query = 0, key = 0;
    RowVector queryRow;        // q_i (dk)
    RowVector keyRow;          // k_j (dk)
    RowVector products;        // q_i ⊙ k_j (dk), summing to `dot`
    float dot = 0.0f;          // q_i · k_j
    float scale = 1.0f;        // 1/√d_k
    float scaled = 0.0f;       // dot · scale
    float temperature = 1.0f;
    bool masked = false;       // key j is masked for query i
    RowVector rowLogits;       // scaled row / τ, −∞ where masked (Tk)
    float rowMax = 0.0f;       // max of the allowed logits
    RowVector rowExp;          // exp(logit − max), 0 where masked (Tk)
    float rowSum = 0.0f;       // Σ rowExp
    float weight = 0.0f;       // rowExp(j) / rowSum
};

CellBreakdown explainCell(const StepThrough& steps, const TeachingMask& mask, int query, int key);

// The query/key vector view of one query (in the style of BertViz's neuron view): how the
// query's vector meets every key's vector, dimension by dimension, and how the sums become the
// query's row of attention weights.
struct NeuronView {
    int query = 0;
    float scale = 1.0f;        // 1/√d_k
    float temperature = 1.0f;  // τ
    RowVector q;               // (dk)      q_i
    MatrixRM k;                // (Tk, dk)  every key vector k_j
    MatrixRM products;         // (Tk, dk)  q_i ⊙ k_j per key: row j sums to dots(j)
    RowVector dots;            // (Tk)      q_i · k_j
    RowVector scaled;          // (Tk)      q_i · k_j / √d_k (the captured scores row)
    std::vector<bool> masked;  // (Tk)      key j is masked for this query
    RowVector logits;          // (Tk)      scaled / τ, −∞ where masked
    RowVector weights;         // (Tk)      softmax(logits): the row A_i (0 where masked)
};

// `head` must hold q and k (Capture::Full); 0 ≤ query < T_q; τ > 0. At τ = 1 `scaled` equals
// the engine's scores row and `weights` its attention row.
NeuronView neuronView(const HeadTrace& head, const TeachingMask& mask, int query, float temperature = 1.0f);

} // namespace attnscope
