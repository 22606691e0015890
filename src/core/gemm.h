// The engine's matrix products in one place: Linear layers (x·Wᵀ + b) and attention's per-head
// products. Built with OpenBLAS (CMake ATTNSCOPE_BLAS, the default when libopenblas-dev is found)
// large products go to cblas_sgemm, ~2.5x Eigen's GEMM on GPT-2 shapes here; otherwise, and for
// products too small for a BLAS call to pay, Eigen computes them. docs/performance.md has figures.
#pragma once

#include "core/tensor.h"

namespace attnscope {

// out (M, N) = x (M, K) · Wᵀ + b, with W row-major (N, K) as torch stores a Linear weight and
// b (N) or nullptr. out is resized; x may be a strided view.
void linearForward(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out);

// c (M, N) = alpha · a (M, K) · bᵀ, with b (N, K): attention scores Q_h K_hᵀ / √d_k.
// All three may be strided views (column blocks of packed Q|K|V); c must already have its size.
void gemmNT(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, float alpha,
            Eigen::Ref<MatrixRM> c);

// c (M, N) = a (M, K) · b (K, N): a head's output A_h · V_h. Same rules as gemmNT.
void gemmNN(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, Eigen::Ref<MatrixRM> c);

// Threads the BLAS may use for one large product. 1 by default (the single-thread path is the
// reference, and BLAS workers waiting for work cost a busy machine CPU time); ATTNSCOPE_THREADS
// in the environment sets the start value. Products too small to split stay on one thread
// whatever this says. Without OpenBLAS this is recorded but has no effect.
void setEngineThreads(int threads);
int engineThreads();

// "openblas" or "eigen": what linearForward() uses for large products.
const char* gemmBackend();

} // namespace attnscope
