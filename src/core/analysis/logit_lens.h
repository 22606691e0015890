// The logit lens (nostalgebraist 2020): the next-token distribution a causal LM would give if its
// residual stream stopped at an earlier point, softmax(unembed(finalNorm(x))) with the final norm
// recomputed on x itself. Exact definition and the parallel-residual rule: docs/logit-lens.md.
// Reads the residual stream through the engine's observer (core/observer.h); a pure function.
#pragma once

#include "core/transformer.h"

#include <vector>

namespace attnscope {

// A residual-stream point of a decoder stack: the embedding output, after a layer's attention
// sub-block (x + SA(norm1(x))), after the whole layer (its MLP added).
enum class LensPoint { Embedding, AfterAttention, AfterLayer };
const char* toString(LensPoint point); // "embed", "attn", "mlp"

struct LensOptions {
    int topK = 5;               // tokens kept per point and position (0 … vocabulary size)
    bool afterAttention = true; // rows for the after-attention points (never for parallel-residual models)
    bool afterLayer = true;     // rows for the after-layer points
};

// One position at one point.
struct LensCell {
    std::vector<int> topIds;      // (k) most probable tokens, by falling probability (ties: lower id first)
    std::vector<double> topProbs; // (k) their probabilities
    double finalTop1Prob = 0.0;   // probability here of the final layer's top-1 token at this position
    double klFromFinal = 0.0;     // KL(final ‖ here) = Σ_v p_final(v) · (ln p_final(v) − ln p_here(v)), nats
};

// One residual point: a cell per position.
struct LensRow {
    LensPoint point = LensPoint::Embedding;
    int layer = -1;              // the layer the point follows; −1 for the embedding
    std::vector<LensCell> cells; // (T)
};

struct LogitLens {
    std::vector<int> ids;          // (T) the input
    std::vector<int> finalTop1;    // (T) the final layer's (the model's own) top-1 token per position
    bool parallelResidual = false; // the model adds attention and MLP to the same x: no AfterAttention rows
    std::vector<LensRow> rows;     // in stream order: embedding, then per layer l its attention point
                                   // (when asked for and defined) and its after-layer point (when asked for)

    // The row of (point, layer), or nullptr (layer is ignored for the embedding).
    const LensRow* find(LensPoint point, int layer) const;
};

// The lens of a decoder-only model with an output head on `ids` (1 ≤ T ≤ max_len, each id below
// Model::inputVocabRows()): one forward pass with an observer, then each point's residual
// through Transformer::unembed (final norm recomputed on that residual). The embedding row is
// always there; the last after-layer row equals the model's own output (KL 0). Softmax, top-k and
// KL run in double on the float logits. Throws UsageError for another architecture, a model
// without output head, an empty or too long input, an id out of range, or topK < 0.
LogitLens computeLogitLens(const Transformer& transformer, const std::vector<int>& ids,
                           const LensOptions& options = {});

} // namespace attnscope
