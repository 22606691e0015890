// Comparing the attention of two inputs A and B run through the same model: per stack, whether
// the matrices align (equal query and key counts) and which tokens differ; per head the
// difference A − B and how much each head changed (mean and max |A − B|). Pure functions.
#pragma once

#include "core/inference.h"
#include "core/model_config.h"
#include "core/trace.h"

#include <vector>

namespace attnscope {

// head value that asks for the mean of a layer's heads (Ā = (1/H) Σ_h A_h) instead of one head.
constexpr int kCompareMeanOfHeads = -1;

// How the matrices of one stack line up between A and B.
struct StackAlignment {
    Stack stack = Stack::Encoder;
    bool present = false;       // both traces hold the stack with the same layers and heads
    bool aligned = false;       // present, and equal query and key counts: A − B is defined
    int queriesA = 0, keysA = 0; // (Tq, Tk) of A
    int queriesB = 0, keysB = 0; // (Tq, Tk) of B
    std::vector<int> differingQueries; // aligned only: row positions whose token id differs
    std::vector<int> differingKeys;    // aligned only: column positions whose token id differs
};

// Alignment of `stack` between runs a and b of the same model (query/key tokens as
// queryTokens/keyTokens frame them).
StackAlignment alignStack(const RunResult& a, const RunResult& b, const ModelConfig& config, Stack stack);

// The same for every stack either trace holds, in display order (encoder, decoder, cross).
std::vector<StackAlignment> alignStacks(const RunResult& a, const RunResult& b, const ModelConfig& config);

// One head's weights (head ≥ 0) or the mean of the layer's heads (kCompareMeanOfHeads).
// Throws std::out_of_range when the stack, layer or head does not exist in the trace.
MatrixRM headWeights(const Trace& trace, Stack stack, int layer, int head);

// A − B for one head or the mean of heads: (Tq, Tk). Throws std::out_of_range for a missing
// stack/layer/head and std::invalid_argument when the two matrices differ in shape.
MatrixRM attentionDifference(const Trace& a, const Trace& b, Stack stack, int layer, int head);

struct DifferenceSummary {
    float maxAbs = 0.0f;  // max over cells of |A − B|
    float meanAbs = 0.0f; // mean over cells of |A − B|
    int query = -1;       // cell of the max (−1 for an empty matrix)
    int key = -1;
};
DifferenceSummary summarizeDifference(const Eigen::Ref<const MatrixRM>& difference);

// How much every head of a stack changed between A and B (stack must be aligned).
struct HeadChangeMap {
    Stack stack = Stack::Encoder;
    MatrixRM meanAbs; // (layers, heads): mean over cells of |A_h − B_h|
    MatrixRM maxAbs;  // (layers, heads): max over cells of |A_h − B_h|
    int layer = -1;   // the head with the largest mean |A − B| (first one on ties); −1 if none
    int head = -1;
};
// Throws std::invalid_argument when the stack's matrices do not align (see alignStack).
HeadChangeMap headChanges(const Trace& a, const Trace& b, Stack stack);

// Sets map.layer / map.head to the head with the largest meanAbs (the first in layer, head
// order on ties; −1 when there is none): headChanges' choice, for maps filled head by head.
void markMostChanged(HeadChangeMap& map);

} // namespace attnscope
