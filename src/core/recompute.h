// Long inputs: a Capture::Compact trace keeps, per attention block, only its input (T × d), and
// any head is recomputed from it on demand — the same arithmetic as the forward pass, so the
// weights agree with a full capture to rounding (bit for bit on the GPT-2 shape; ≤ 1e-6 in the
// tests). A 12-layer × 12-head model at 2048 tokens keeps 85 MB instead of 2.4 GB.
#pragma once

#include "core/trace.h"
#include "core/transformer.h"

#include <cstddef>

namespace attnscope {

// One head of a Compact trace (weights for `detail` Attention; Q, K, V, scores, output too for
// Full), as the forward pass that made the trace computed it — ablations included, since the
// block inputs were recorded under them. Throws std::out_of_range for a head, layer or stack the
// trace does not hold, std::invalid_argument when the trace is not compact.
HeadTrace recomputeHead(const Transformer& transformer, const Trace& trace, Stack stack, int layer, int head,
                        Capture detail = Capture::Attention);

// Mean of a layer's heads (T_q × T_k), recomputing each head in turn (one T_q × T_k buffer live).
MatrixRM recomputeMeanOfHeads(const Transformer& transformer, const Trace& trace, Stack stack, int layer);

// Bytes of attention weights a capture keeps for this model and input length (Attention:
// layers × heads × T_q × T_k floats per stack; Full about twice that plus Q, K, V; Compact the
// block inputs and thumbnails). targetLen is the decoder length of encoder-decoder models.
std::size_t captureBytes(const ModelConfig& config, int sourceLen, int targetLen, Capture capture);

} // namespace attnscope
