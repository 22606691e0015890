// The forward pass for the three architectures (docs/model-format.md, "Layer equations"),
// plus greedy decoding. Stateless after construction, so one Transformer may be used from
// several threads at once: the scratch of a forward pass (Workspace) belongs to its thread (kept
// for that thread's next forward while small), so the per-layer and per-head loops allocate only
// what the capture records.
#pragma once

#include "core/attention.h"
#include "core/model.h"
#include "core/observer.h"
#include "core/trace.h"

#include <memory>
#include <vector>

namespace attnscope {

// Options of a forward pass beyond its inputs and capture.
struct ForwardOptions {
    const HeadAblation* ablation = nullptr;      // heads whose outputs are replaced (HeadAblation)
    int firstLogitRow = 0;                       // leave out the logits of earlier positions
    const std::vector<int>* sourceTypes = nullptr; // token types of the source (BERT sentence pairs)
    ForwardObserver* observer = nullptr;         // shown the residual stream (observer.h)
};

struct ForwardResult {
    MatrixRM logits;     // (T − firstLogitRow, V): one row per position of the top stack from firstLogitRow
    Trace trace;         // empty unless capture != None
    int maskedRows = 0;  // query rows whose keys were all masked (zero weights)
    MatrixRM hidden;     // (T − firstLogitRow, d): the top stack's output, only for models without an
                         // output head (config.lmHead false; logits then have no columns)
};

// The keys and values every decoder layer computed for the ids of the last forwardCached() of a
// decoder-only model, so the next run of an input that shares a prefix with it (typing at the
// end, an edit in the middle) recomputes only the positions from the first id that differs.
// Belongs to one Transformer and one ablation state; clear() it when either changes.
class DecoderCache {
public:
    const std::vector<int>& ids() const { return m_ids; }
    void clear()
    {
        m_ids.clear();
        m_layers.clear();
    }
    size_t bytes() const
    {
        size_t n = 0;
        for (const KvCache& c : m_layers) n += size_t(c.k.size() + c.v.size()) * sizeof(float);
        return n;
    }

private:
    friend class Transformer;
    std::vector<int> m_ids;
    std::vector<KvCache> m_layers; // one per decoder layer, m_ids.size() rows valid
};

class Transformer {
public:
    explicit Transformer(std::shared_ptr<const Model> model);

    const Model& model() const { return *m_model; }

    // encoder:         source = encoder input; target must be empty.
    // decoder:         source = the causal LM's input; target must be empty.
    // encoder-decoder: source = encoder input, target = decoder input (starts with bos).
    // Ids must be valid for their vocabularies and lengths within max_len (caller's job;
    // inference.h does the truncation and reports it).
    // `ablation`, when given, replaces the listed heads' outputs (see HeadAblation).
    // `firstLogitRow` > 0 leaves out the logits of the earlier positions: a causal LM's next
    // token needs only the last row, and T × V floats are 412 MB for GPT-2's vocabulary at 2048.
    // `sourceTypes`, for models with token-type embeddings (BERT's sentence pairs), gives each
    // source position its type (< config.typeVocab); nullptr or empty means type 0 everywhere.
    ForwardResult forward(const std::vector<int>& source, const std::vector<int>& target, Capture capture,
                          const HeadAblation* ablation = nullptr, int firstLogitRow = 0,
                          const std::vector<int>* sourceTypes = nullptr) const;
    // The same forward pass written into `result`, reusing its storage: every matrix whose size
    // is unchanged since the previous call (same model, same input lengths) is overwritten in
    // place, and what this capture does not record is freed, so nothing stale survives. A loop
    // of forwards on inputs of one length (the induction probe, the bench) then allocates a
    // block or two per pass (the hidden states) instead of one per captured matrix as well (48
    // more for the tiny model's full capture). Gives the same numbers as forward().
    void forwardInto(ForwardResult& result, const std::vector<int>& source, const std::vector<int>& target,
                     Capture capture, const HeadAblation* ablation = nullptr, int firstLogitRow = 0,
                     const std::vector<int>* sourceTypes = nullptr) const;

    // The input stack's embedding step alone: (T, d) token + position (+ type) embeddings, after
    // the embedding norm when the model has one. The start of forwardEmbedded().
    MatrixRM embedTokens(const std::vector<int>& ids, const std::vector<int>* types = nullptr) const;
    // The forward pass from given embeddings x0 (T, d) instead of token ids (attribution by input
    // gradients, image patches): single-stack models only, no padding mask. Throws UsageError for
    // an encoder-decoder model or a wrong shape.
    ForwardResult forwardEmbedded(const MatrixRM& x0, Capture capture, const ForwardOptions& options = {}) const;
    // The output head on residual-stream rows (T, d): the stack's final norm (when the model has
    // one and applyFinalNorm), BERT's transform, the projection. The logit lens's unembedding.
    MatrixRM unembed(const Eigen::Ref<const MatrixRM>& residual, bool applyFinalNorm = true) const;

    // The same with every option in one place.
    ForwardResult forward(const std::vector<int>& source, const std::vector<int>& target, Capture capture,
                          const ForwardOptions& options) const;
    void forwardInto(ForwardResult& result, const std::vector<int>& source, const std::vector<int>& target,
                     Capture capture, const ForwardOptions& options) const;

    // A decoder-only forward pass that reuses `cache`: when `previous` is the result of the last
    // forwardCached() with this cache (same capture), the positions before the first id that
    // differs keep previous' attention rows and logits (under a causal mask they depend on
    // those ids only) and only the rest run through the layers, against the cached keys and
    // values; the cache then holds `ids`. `reused` (optional) is set to the positions reused.
    // Capture None, Attention or Full; a model with an output head; no ablation or observer (the caller
    // runs forward() for those). If the pass fails (out of memory) the cache is cleared.
    // Equal to forward() to rounding: the new rows' products run over fewer rows (tests:
    // core.test_prefix_reuse, ≤ 1e-6 on random edit sequences). Throws UsageError for another
    // architecture or capture.
    ForwardResult forwardCached(const std::vector<int>& ids, Capture capture, DecoderCache& cache,
                                const ForwardResult* previous, int* reused = nullptr) const
    {
        return forwardCached(ids, capture, cache, previous ? &previous->trace : nullptr,
                             previous ? &previous->logits : nullptr, reused);
    }
    // The same with the previous run's trace and logits given apart (a RunResult's).
    ForwardResult forwardCached(const std::vector<int>& ids, Capture capture, DecoderCache& cache,
                                const Trace* previousTrace, const MatrixRM* previousLogits, int* reused = nullptr) const;

    // Greedy decoding until eos or maxLen total decoder positions.
    // encoder-decoder: returns the generated ids after bos (eos included when produced).
    // decoder: returns the ids appended to source.
    std::vector<int> greedy(const std::vector<int>& source, int maxLen, const HeadAblation* ablation = nullptr) const;

    // The weights of one attention block (stack, layer), or nullptr when there is no such block.
    // Used by recomputeHead() (recompute.h) to redo one head of a Compact capture.
    const AttentionWeights* attentionWeights(Stack stack, int layer) const;

private:
    // wt: Wᵀ, row-major (in, out) with rows wtStride apart, for small models (see the
    // constructor), else nullptr.
    struct Linear {
        const float* w = nullptr; const float* b = nullptr; int out = 0; int in = 0;
        const float* wt = nullptr; Eigen::Index wtStride = 0;
    };
    struct Norm { const float* gamma = nullptr; const float* beta = nullptr; };
    struct Layer {
        AttentionWeights selfAttn;
        AttentionWeights crossAttn; // encoder-decoder decoder layers only
        Linear linear1, linear2;
        Linear gate; // SwiGLU's gate projection (config.gatedFfn), else empty
        Norm norm1, norm2, norm3;
        bool hasCross = false;
    };
    // Scratch of one forward pass, reused by all its layers and heads (tensor.h's ScratchBuffer):
    // a fixed number of allocations per forward, whatever the length, layers or heads.
    struct Workspace {
        ScratchBuffer normed; // (T, d) normalised input of a sub-block (pre-norm)
        ScratchBuffer sub;    // (T, d) a sub-block's output before the residual add (post-norm)
        ScratchBuffer hidden; // (T, d_ff)
        ScratchBuffer gate;   // (T, d_ff) SwiGLU's gate
        AttentionScratch attention;
        // The pass's observer and where the layer loop is, for runLayer's events (not scratch).
        ForwardObserver* observer = nullptr;
        Stack stack = Stack::Encoder;
        int layer = 0;

        size_t bytes() const { return normed.bytes() + sub.bytes() + hidden.bytes() + gate.bytes() + attention.bytes(); }
        void release()
        {
            gate.release();
            normed.release();
            sub.release();
            hidden.release();
            attention.release();
        }
    };

    // The embedding tables of one stack (views into the weights; nullptr where absent).
    struct Embeddings {
        const float* table = nullptr; // (V, d)
        const float* pos = nullptr;   // (max_len + position_offset, d), learned positions only
        const float* types = nullptr; // (typeVocab, d), the input stack of v2 models with token types
        Norm norm;                    // embed_norm, when config.embedNorm
    };
    // x (n, d) = the embeddings of ids[0, n) at positions first … first + n − 1: token (scaled when
    // configured) + position + token type (types[i], or type 0 when types is null), then the
    // embedding norm. The one embedding step of the forward pass and the KV-cached decoder.
    void embed(const Embeddings& e, const int* ids, Eigen::Index n, Eigen::Index first, const int* types,
               MatrixRM& x) const;
    // logits (T, V) from the top stack's hidden states (T, d): BERT's transform (Linear,
    // activation, LayerNorm) when configured, then the output projection. scratch holds the
    // transformed rows.
    void outputHead(const Eigen::Ref<const MatrixRM>& top, Eigen::Ref<MatrixRM> logits, MatrixRM& scratch) const;
    struct LayerOverrides {
        const HeadOverrides* self = nullptr;
        const HeadOverrides* cross = nullptr;
    };
    // The K/V caches of one decoder layer (greedy decoding).
    struct LayerCache {
        KvCache self;
        KvCache cross;
    };
    // The one layer step: x (T, d) through one layer in place (docs/model-format.md, "Layer
    // equations"). The full forward pass runs it over the whole sequence; the KV-cached decoder
    // runs it on the newest rows with `cache` (selfMask.queryOffset = their first position).
    void runLayer(const Layer& layer, MatrixRM& x, const MatrixRM* memory, const AttentionMask& selfMask,
                  const AttentionMask& crossMask, Capture capture, LayerTrace* selfTrace, LayerTrace* crossTrace,
                  int& maskedRows, LayerOverrides overrides, Workspace& ws, LayerCache* cache = nullptr) const;
    // forwardCached() without the argument checks and the clean-up on failure.
    ForwardResult forwardCachedPass(const std::vector<int>& ids, Capture capture, DecoderCache& cache,
                                    const Trace* previousTrace, const MatrixRM* previousLogits, int* reused) const;
    // Per-head overrides of one layer, or nullptr when no head of it is ablated.
    const HeadOverrides* overridesFor(const HeadAblation* ablation, Stack stack, int layer,
                                      HeadOverrides& storage) const;
    // out is resized. The *Into forms write a view of the right size (x itself is allowed for
    // layerNormInto: rows are normalised in place).
    void layerNorm(const Norm& n, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const;
    void layerNormInto(const Norm& n, const Eigen::Ref<const MatrixRM>& x, Eigen::Ref<MatrixRM> out) const;
    static void linear(const Linear& l, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out);
    void feedForward(const Layer& layer, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const;
    // accumulate: out += FFN(x) (the pre-norm residual). hidden holds the (T, d_ff) activations.
    void feedForwardInto(const Layer& layer, const Eigen::Ref<const MatrixRM>& x, Eigen::Ref<MatrixRM> out,
                         ScratchBuffer& hidden, bool accumulate, ScratchBuffer* gate = nullptr) const;
    // ws: the forward pass's scratch; nullptr makes a local one.
    // embedded, when given, replaces the embedding step (forwardEmbedded).
    void encode(const std::vector<int>& source, Capture capture, Trace* trace, MatrixRM& memory, int& maskedRows,
                const HeadAblation* ablation, Workspace* ws = nullptr, const std::vector<int>* types = nullptr,
                const MatrixRM* embedded = nullptr) const;
    void decode(const std::vector<int>& target, const MatrixRM* memory, const std::vector<int>* source,
                Capture capture, Trace* trace, MatrixRM& hidden, int& maskedRows,
                const HeadAblation* ablation, Workspace* ws = nullptr, const std::vector<int>* types = nullptr,
                const MatrixRM* embedded = nullptr) const;
    AttentionMask paddingMask(const std::vector<int>& ids, int padId) const;

    std::shared_ptr<const Model> m_model;
    std::vector<Layer> m_encoderLayers;
    std::vector<Layer> m_decoderLayers;
    Embeddings m_encoderEmbed;             // token table (Vs, d)
    Embeddings m_decoderEmbed;             // token table (Vt, d)
    Norm m_encoderNorm, m_decoderNorm;     // final norms, when present
    Linear m_headTransform;                // (d, d), config.headTransform only
    Norm m_headTransformNorm;
    const float* m_head = nullptr;         // (V, d)
    const float* m_headBias = nullptr;     // (V)
    const float* m_headT = nullptr;        // (d, V) Wᵀ copy, small models only
    Eigen::Index m_headTStride = 0;
    int m_outVocab = 0;
    // Owns every Wᵀ copy above (shared, so copies of a Transformer stay valid on their own).
    std::shared_ptr<const float> m_transposed;
};

// Sinusoidal position table rows [0, T) of width d (computed in double, stored as float).
MatrixRM sinusoidalPositions(int t, int d);

} // namespace attnscope
