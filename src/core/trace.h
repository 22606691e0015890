// What a forward pass recorded: per stack, per layer, per head the post-softmax attention
// (T_q × T_k, rows are queries) and, on request, the head's Q, K, V and pre-softmax scores.
// The engine fills it through plain data only; it knows nothing about who reads it.
#pragma once

#include "core/tensor.h"

#include <string>
#include <vector>

namespace attnscope {

enum class Stack { Encoder, Decoder, Cross };
const char* toString(Stack stack);
bool stackFromString(const std::string& name, Stack& stack);

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
