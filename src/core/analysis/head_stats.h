// Per-head statistics of one attention matrix A (T_q × T_k, rows are queries), exactly as
// defined in DOMAIN.md "Head statistics". Pure functions; every value is a plain mean.
#pragma once

#include "core/tensor.h"
#include "core/trace.h"

#include <cstdint>
#include <vector>

namespace attnscope {

// Mean over rows of −Σ_j A_ij ln A_ij, in nats (0 ln 0 = 0). Rows that are all zero (fully
// masked) are skipped. A uniform row over n keys has entropy ln n.
double meanEntropy(const Eigen::Ref<const MatrixRM>& a);
// Each row's −Σ_j A_ij ln A_ij, in nats; NaN for an all-zero (fully masked) row.
std::vector<double> rowEntropies(const Eigen::Ref<const MatrixRM>& a);

// Mean over rows of Σ_j A_ij |i − j|.
double meanDistance(const Eigen::Ref<const MatrixRM>& a);

// Mean over i ≥ 1 of A(i, i−1); 0 when there are fewer than two rows.
double previousTokenScore(const Eigen::Ref<const MatrixRM>& a);

// Mean over rows of the weight on key 0.
double firstTokenShare(const Eigen::Ref<const MatrixRM>& a);

// Mean over rows of the total weight on keys flagged special.
double specialTokenShare(const Eigen::Ref<const MatrixRM>& a, const std::vector<bool>& specialKeys);

// Induction score on a sequence of `offset` prefix tokens followed by n random tokens repeated
// twice: mean over i in [offset + n, offset + 2n) of A(i, i − n + 1).
double inductionScore(const Eigen::Ref<const MatrixRM>& a, int n, int offset);

// n token ids drawn uniformly (deterministic xorshift with `seed`) from `candidates`, then
// the same n again: the body of an induction probe.
std::vector<int> repeatedRandomTokens(const std::vector<int>& candidates, int n, std::uint64_t seed);

// Mean of the heads' matrices: (1/H) Σ_h A_h.
MatrixRM meanOfHeads(const std::vector<const MatrixRM*>& heads);
MatrixRM meanOfHeads(const LayerTrace& layer);

} // namespace attnscope
