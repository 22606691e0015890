// What a forward pass recorded: per stack, per layer, per head the post-softmax attention
// (T_q × T_k, rows are queries) and, on request, the head's Q, K, V and pre-softmax scores.
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
};

struct HeadTrace {
    MatrixRM weights; // (Tq, Tk)
    MatrixRM q;       // (Tq, dk)  Full capture only
    MatrixRM k;       // (Tk, dk)
    MatrixRM v;       // (Tk, dk)
    MatrixRM scores;  // (Tq, Tk)  QKᵀ/√d_k, before the mask
    MatrixRM output;  // (Tq, dk)  A·V, the head's output before the output projection
};

struct LayerTrace {
    std::vector<HeadTrace> heads;
};

struct Trace {
    std::vector<LayerTrace> encoder;
    std::vector<LayerTrace> decoder;
    std::vector<LayerTrace> cross;
    bool causalDecoder = false; // decoder self-attention was causally masked

    const std::vector<LayerTrace>& stack(Stack s) const;
    std::vector<LayerTrace>& stack(Stack s);
    bool empty() const { return encoder.empty() && decoder.empty() && cross.empty(); }
};

} // namespace attnscope
