// What a forward pass recorded: per stack, per layer, per head the post-softmax attention
// (T_q × T_k, rows are queries) and, on request, the head's Q, K, V and pre-softmax scores —
// or, for long inputs, only what recomputes any head exactly (Capture::Compact, recompute.h).
// The engine fills it through plain data only; it knows nothing about who reads it.
#pragma once

#include "core/tensor.h"

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace attnscope {

enum class Stack { Encoder, Decoder, Cross };
const char* toString(Stack stack);
bool stackFromString(const std::string& name, Stack& stack);

// Heads to ablate: (stack, layer, head) -> replacement for the head's output (d_k).
class HeadAblation {
public:
    void zero(Stack stack, int layer, int head, int dHead) { set(stack, layer, head, RowVector::Zero(dHead)); }
    void set(Stack stack, int layer, int head, RowVector replacement)
    {
        m_heads[{int(stack), layer, head}] = std::move(replacement);
    }
    void clear(Stack stack, int layer, int head) { m_heads.erase({int(stack), layer, head}); }
    const RowVector* find(Stack stack, int layer, int head) const
    {
        const auto it = m_heads.find({int(stack), layer, head});
        return it == m_heads.end() ? nullptr : &it->second;
    }
    bool empty() const { return m_heads.empty(); }
    size_t size() const { return m_heads.size(); }

private:
    std::map<std::tuple<int, int, int>, RowVector> m_heads;
};

enum class Capture {
    None,      // logits only
    Attention, // post-softmax weights of every head
    Full,      // + per-head Q, K, V (T × d_k) and scaled scores QKᵀ/√d_k before masking
    Compact,   // per block only its input (T × d) and per-head thumbnails; any head is recomputed
               // on demand, exactly, by recomputeHead() (recompute.h). For long inputs: a 12 × 12
               // model at 2048 tokens keeps 85 MB instead of 2.4 GB of weights.
};

// Longest side of a Compact capture's per-head thumbnail (block means of the weights).
constexpr int kThumbnailSide = 128;

struct HeadTrace {
    MatrixRM weights; // (Tq, Tk)
    MatrixRM q;       // (Tq, dk)  Full capture only
    MatrixRM k;       // (Tk, dk)
    MatrixRM v;       // (Tk, dk)
    MatrixRM scores;  // (Tq, Tk)  QKᵀ/√d_k, before the mask
    MatrixRM output;  // (Tq, dk)  A·V, the head's output before the output projection
    MatrixRM thumbnail; // (⌈Tq/s⌉, ⌈Tk/s⌉) Compact only: weights averaged over s × s blocks
};

struct LayerTrace {
    std::vector<HeadTrace> heads; // Compact: thumbnails only, weights etc. empty
    MatrixRM input;               // (Tq, d) Compact only: the block's query-side input (the
                                  // normalised x for pre-norm layers); keys/values too for self-attention
};

struct Trace {
    std::vector<LayerTrace> encoder;
    std::vector<LayerTrace> decoder;
    std::vector<LayerTrace> cross;
    bool causalDecoder = false; // decoder self-attention was causally masked
    bool compact = false;       // Capture::Compact: heads hold thumbnails; see recompute.h
    MatrixRM memory;            // (Ts, d) Compact, encoder-decoder: keys/values of every cross block
    std::vector<bool> sourcePadding; // Compact: encoder keys that were padding (empty: none)

    const std::vector<LayerTrace>& stack(Stack s) const;
    std::vector<LayerTrace>& stack(Stack s);
    bool empty() const { return encoder.empty() && decoder.empty() && cross.empty(); }
};

} // namespace attnscope
