// The forward pass for the three architectures (docs/model-format.md, "Layer equations"),
// plus greedy decoding. Stateless after construction, so one Transformer may be used from
// several threads at once.
#pragma once

#include "core/attention.h"
#include "core/model.h"
#include "core/trace.h"

#include <memory>
#include <vector>

namespace attnscope {

struct ForwardResult {
    MatrixRM logits;     // (T − firstLogitRow, V): one row per position of the top stack from firstLogitRow
    Trace trace;         // empty unless capture != None
    int maskedRows = 0;  // query rows whose keys were all masked (zero weights)
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
    ForwardResult forward(const std::vector<int>& source, const std::vector<int>& target, Capture capture,
                          const HeadAblation* ablation = nullptr, int firstLogitRow = 0) const;

    // Greedy decoding until eos or maxLen total decoder positions.
    // encoder-decoder: returns the generated ids after bos (eos included when produced).
    // decoder: returns the ids appended to source.
    std::vector<int> greedy(const std::vector<int>& source, int maxLen, const HeadAblation* ablation = nullptr) const;

    // The weights of one attention block (stack, layer), or nullptr when there is no such block.
    // Used by recomputeHead() (recompute.h) to redo one head of a Compact capture.
    const AttentionWeights* attentionWeights(Stack stack, int layer) const;

private:
    struct Linear { const float* w = nullptr; const float* b = nullptr; int out = 0; int in = 0; };
    struct Norm { const float* gamma = nullptr; const float* beta = nullptr; };
    struct Layer {
        AttentionWeights selfAttn;
        AttentionWeights crossAttn; // encoder-decoder decoder layers only
        Linear linear1, linear2;
        Norm norm1, norm2, norm3;
        bool hasCross = false;
    };

    void embed(const std::vector<int>& ids, const float* table, const float* pos, MatrixRM& x) const;
    struct LayerOverrides {
        const HeadOverrides* self = nullptr;
        const HeadOverrides* cross = nullptr;
    };
    void runLayer(const Layer& layer, MatrixRM& x, const MatrixRM* memory, const AttentionMask& selfMask,
                  const AttentionMask& crossMask, Capture capture, LayerTrace* selfTrace, LayerTrace* crossTrace,
                  int& maskedRows, LayerOverrides overrides) const;
    // Per-head overrides of one layer, or nullptr when no head of it is ablated.
    const HeadOverrides* overridesFor(const HeadAblation* ablation, Stack stack, int layer,
                                      HeadOverrides& storage) const;
    void layerNorm(const Norm& n, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const;
    static void linear(const Linear& l, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out);
    void feedForward(const Layer& layer, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const;
    void encode(const std::vector<int>& source, Capture capture, Trace* trace, MatrixRM& memory, int& maskedRows,
                const HeadAblation* ablation) const;
    void decode(const std::vector<int>& target, const MatrixRM* memory, const std::vector<int>* source,
                Capture capture, Trace* trace, MatrixRM& hidden, int& maskedRows,
                const HeadAblation* ablation) const;
    AttentionMask paddingMask(const std::vector<int>& ids, int padId) const;

    std::shared_ptr<const Model> m_model;
    std::vector<Layer> m_encoderLayers;
    std::vector<Layer> m_decoderLayers;
    const float* m_encoderEmbed = nullptr; // (Vs, d)
    const float* m_decoderEmbed = nullptr; // (Vt, d)
    const float* m_encoderPos = nullptr;   // (max_len, d), learned positions only
    const float* m_decoderPos = nullptr;
    Norm m_encoderNorm, m_decoderNorm;     // final norms, when present
    const float* m_head = nullptr;         // (V, d)
    const float* m_headBias = nullptr;     // (V)
    int m_outVocab = 0;
};

// Sinusoidal position table rows [0, T) of width d (computed in double, stored as float).
MatrixRM sinusoidalPositions(int t, int d);

} // namespace attnscope
