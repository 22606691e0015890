// The engine's matrix products in one place: Linear layers (x·Wᵀ + b) and attention's per-head
// products. Three paths, by size (docs/performance.md has the figures):
//  - large products (≥ 2²⁰ multiply-adds) go to OpenBLAS's cblas_sgemm when built with it
//    (CMake ATTNSCOPE_BLAS), otherwise to Eigen's blocked GEMM;
//  - small ones whose right operand is row-major (K, N) — A·V, Q·Kᵀ with Kᵀ copied, and Linear
//    layers whose Wᵀ the Transformer keeps (small models) — run a register-blocked kernel here
//    that needs no packing: on the tiny model's 32 × 64 × 256 shapes it reaches ~95 GFLOP/s
//    where Eigen's GEMM, packing included, reaches ~75;
//  - the rest (a small Linear without a Wᵀ copy) stays with Eigen.
#pragma once

#include "core/tensor.h"

namespace attnscope {

// out (M, N) = x (M, K) · Wᵀ + b, with W row-major (N, K) as torch stores a Linear weight and
// b (N) or nullptr. out is resized; x may be a strided view. wt, when given, is the same weight
// transposed, row-major (K, N) with rows wtStride apart (N when 0; the Transformer keeps such
// copies for small models): small products then use the register kernel.
void linearForward(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out,
                   const float* wt = nullptr, Eigen::Index wtStride = 0);

// As linearForward into a view that already has its size (M, N = out.cols()), e.g. a column block
// of packed Q|K|V or a scratch buffer. wtStride also lets the columns of one head be used in
// place. accumulate: out += x·Wᵀ + b (a residual connection
// added without a separate pass).
void linearInto(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, Eigen::Ref<MatrixRM> out,
                const float* wt = nullptr, Eigen::Index wtStride = 0, bool accumulate = false);

// c (M, N) = alpha · a (M, K) · bᵀ, with b (N, K): attention scores Q_h K_hᵀ / √d_k.
// All three may be strided views (column blocks of packed Q|K|V); c must already have its size.
// Small products copy bᵀ into a per-thread buffer and use the register kernel.
void gemmNT(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, float alpha,
            Eigen::Ref<MatrixRM> c);

// c (M, N) = alpha · a (M, K) · b (K, N): a head's output A_h · V_h, or scores from a Kᵀ the
// caller transposed. Same rules as gemmNT.
void gemmNN(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, Eigen::Ref<MatrixRM> c,
            float alpha = 1.0f);

// Threads the BLAS may use for one large product. 1 by default (the single-thread path is the
// reference, and BLAS workers waiting for work cost a busy machine CPU time); ATTNSCOPE_THREADS
// in the environment sets the start value. Products too small to split stay on one thread
// whatever this says. Without OpenBLAS this is recorded but has no effect.
void setEngineThreads(int threads);
int engineThreads();

// "openblas" or "eigen": what linearForward() uses for large products.
const char* gemmBackend();

} // namespace attnscope
