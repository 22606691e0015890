// Long inputs: a Capture::Compact trace keeps, per attention block, only its input (T × d), and
// any head is recomputed from it on demand — the same arithmetic as the forward pass, so the
// weights agree with a full capture to rounding (bit for bit on the GPT-2 shape; ≤ 1e-6 in the
// tests). A 12-layer × 12-head model at 2048 tokens keeps 85 MB instead of 2.4 GB.
#pragma once

#include "core/analysis/compare.h"
#include "core/analysis/timeline.h"
#include "core/inference.h"
#include "core/trace.h"
#include "core/transformer.h"

#include <cstddef>
#include <tuple>
#include <vector>

namespace attnscope {

// One head of a Compact trace (weights for `detail` Attention; Q, K, V, scores, output too for
// Full), as the forward pass that made the trace computed it — ablations included, since the
// block inputs were recorded under them. Throws std::out_of_range for a head, layer or stack the
// trace does not hold, std::invalid_argument when the trace is not compact.
HeadTrace recomputeHead(const Transformer& transformer, const Trace& trace, Stack stack, int layer, int head,
                        Capture detail = Capture::Attention);

// Mean of a layer's heads (T_q × T_k), recomputing each head in turn (one T_q × T_k buffer live).
MatrixRM recomputeMeanOfHeads(const Transformer& transformer, const Trace& trace, Stack stack, int layer);

// One head's weights (head >= 0) or the mean of the layer's heads (head == kRecomputeMean) of a
// trace, full or compact: copied from a full trace, recomputed from a compact one. Throws
// std::out_of_range for a stack, layer or head the trace does not hold.
constexpr int kRecomputeMean = -1;
MatrixRM weightsOf(const Transformer& transformer, const Trace& trace, Stack stack, int layer, int head);

// Mean ablation (census.h meanAblation) from a reference run's trace, full or compact: each
// listed head's output A·V averaged over the reference positions. A compact reference recomputes
// only the listed heads, one at a time, so a long reference needs no full capture.
HeadAblation meanAblationOf(const Transformer& transformer, const Trace& reference,
                            const std::vector<std::tuple<Stack, int, int>>& heads);

// compare.h's alignStack for two runs of the same model of which one or both may be compact:
// the matrix shapes come from the recorded block inputs (and encoder memory) instead of the
// weights a compact trace does not keep. Same result as alignStack for full traces.
StackAlignment alignStackOf(const RunResult& a, const RunResult& b, const ModelConfig& config, Stack stack);

// compare.h's summary of one head's A − B (max and mean |A − B| over its cells, as
// summarizeDifference(attentionDifference(...)) computes them) for two runs of which one or both
// may be compact: each side's weights copied or recomputed (weightsOf), two T_q × T_k matrices
// live. Throws std::out_of_range for a missing head, std::invalid_argument when the two differ in shape.
DifferenceSummary headChangeOf(const Transformer& transformer, const Trace& a, const Trace& b, Stack stack, int layer,
                               int head);

// compare.h's headChanges for traces of which one or both may be compact: every head of the
// stack in turn through headChangeOf (about 2 × 70 ms per head of GPT-2 small at 2048 tokens), so
// no more than two whole heads are ever held. Same result as headChanges for full traces.
HeadChangeMap headChangesOf(const Transformer& transformer, const Trace& a, const Trace& b, Stack stack);

// timeline.h's decodingTimeline, for compact runs too (it refuses them, as their trace holds no
// weights; the app recomputes the two heads a timeline shows). A compact decoder-only run keeps
// the logits from the prompt's last position on (RunResult::logitsOffset): the steps are made over
// those rows by decodingTimeline itself and then numbered as rows of the whole sequence.
DecodingTimeline decodingTimelineOf(const RunResult& run, const Model& model, bool teacherForced, int k = 5);

// Bytes of attention weights a capture keeps for this model and input length (Attention:
// layers × heads × T_q × T_k floats per stack; Full about twice that plus Q, K, V; Compact the
// block inputs and thumbnails). targetLen is the decoder length of encoder-decoder models.
std::size_t captureBytes(const ModelConfig& config, int sourceLen, int targetLen, Capture capture);

} // namespace attnscope
