// Attention rollout and attention flow (Abnar & Zuidema 2020), DOMAIN.md "Aggregation".
// Input: the head-averaged attention Ā_l of each layer of one self-attention stack, bottom
// layer first, all T × T.
#pragma once

#include "core/tensor.h"

#include <vector>

namespace attnscope {

// Â = 0.5·Ā + 0.5·I with rows renormalised to sum to 1.
MatrixRM withResidual(const Eigen::Ref<const MatrixRM>& meanAttention);

// R = Â_L · … · Â_1. Row i: how much each input token contributes to position i at the top.
MatrixRM attentionRollout(const std::vector<MatrixRM>& layerMeans);

// Longest sequence for which attentionFlow is offered interactively (T² max-flow problems on
// a graph of (L+1)·T nodes); the GUI states this limit.
constexpr int kMaxFlowTokens = 32;

// F(i, j) = max-flow from input token j (layer-0 node) to position i at the top, with edge
// capacities Â_l(i, j) from node (l−1, j) to node (l, i). Throws std::invalid_argument when T
// exceeds kMaxFlowTokens.
MatrixRM attentionFlow(const std::vector<MatrixRM>& layerMeans);

} // namespace attnscope
