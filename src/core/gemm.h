// The engine's matrix products in one place: Linear layers (x·Wᵀ + b) and attention's per-head
// products. Three paths, by size (docs/performance.md has the figures):
//  - large products (≥ 2²⁰ multiply-adds) go to OpenBLAS's cblas_sgemm when built with it
//    (CMake ATTNSCOPE_BLAS), otherwise to Eigen's blocked GEMM, split between threads from 2²²
//    on (setEngineThreads below);
//  - small ones whose right operand is row-major (K, N) — A·V, Q·Kᵀ with Kᵀ copied, and Linear
//    layers whose Wᵀ the Transformer keeps (small models) — run a register-blocked kernel here
//    that needs no packing: on the tiny model's 32 × 64 × 256 shapes it reaches ~95 GFLOP/s
//    where Eigen's GEMM, packing included, reaches ~75;
//  - the rest (a small Linear without a Wᵀ copy) stays with Eigen.
#pragma once

#include "core/tensor.h"

namespace attnscope {

// An element-wise function applied to a Linear's output after the bias, while the output tile is
// still in registers (the FFN's first Linear): none, ReLU, exact GELU x·Φ(x) as torch's default, or
// the tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (GPT-2's "gelu_new").
// Every path (register kernel, BLAS, Eigen) evaluates it with the same packet code, so results do
// not depend on which one ran.
enum class PostOp { None, Relu, Gelu, GeluTanh };

// Whether a product of m × k by k × n goes to the BLAS (or Eigen's blocked GEMM): from 2²⁰
// multiply-adds on. Smaller ones with a row-major right operand run the register kernel, which
// computes each output element the same way whatever the product's width.
bool largeProduct(Eigen::Index m, Eigen::Index n, Eigen::Index k);

// out (M, N) = x (M, K) · Wᵀ + b, with W row-major (N, K) as torch stores a Linear weight and
// b (N) or nullptr. out is resized; x may be a strided view. wt, when given, is the same weight
// transposed, row-major (K, N) with rows wtStride apart (N when 0; the Transformer keeps such
// copies for small models): small products then use the register kernel.
void linearForward(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out,
                   const float* wt = nullptr, Eigen::Index wtStride = 0);

// As linearForward into a view that already has its size (M, N = out.cols()), e.g. a column block
// of packed Q|K|V or a scratch buffer. wtStride also lets the columns of one head be used in
// place. accumulate: out += x·Wᵀ + b (a residual connection
// added without a separate pass). post: applied to x·Wᵀ + b (not with accumulate).
void linearInto(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, Eigen::Ref<MatrixRM> out,
                const float* wt = nullptr, Eigen::Index wtStride = 0, bool accumulate = false,
                PostOp post = PostOp::None);

// dst (cols, rows) = src (rows, cols)ᵀ, both row-major with the given row steps: K_hᵀ for the
// register kernel, and the Wᵀ copies. Whole packet × packet blocks are transposed in registers.
void transposeInto(const float* src, Eigen::Index srcStride, Eigen::Index rows, Eigen::Index cols, float* dst,
                   Eigen::Index dstStride);

// post applied in place to row[0, n) (the packet code linearInto uses).
void applyPostOp(float* row, Eigen::Index n, PostOp post);

// c (M, N) = alpha · a (M, K) · bᵀ, with b (N, K): attention scores Q_h K_hᵀ / √d_k.
// All three may be strided views (column blocks of packed Q|K|V); c must already have its size.
// Small products copy bᵀ into a per-thread buffer and use the register kernel.
void gemmNT(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, float alpha,
            Eigen::Ref<MatrixRM> c);

// c (M, N) = alpha · a (M, K) · b (K, N): a head's output A_h · V_h, or scores from a Kᵀ the
// caller transposed. Same rules as gemmNT.
void gemmNN(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, Eigen::Ref<MatrixRM> c,
            float alpha = 1.0f);

// Threads for one large product (≥ 2²² multiply-adds: GPT-2-sized projections and long inputs'
// attention, never a teaching model's products, which stay on the calling thread). By default the
// machine's cores, at most 4; ATTNSCOPE_THREADS in the environment sets the start value, 1 keeps
// every product on the calling thread. A product is cut into chunks of output rows or columns that
// the calling thread and helper threads take in turn, so a descheduled thread delays one chunk, not
// half the product (docs/performance.md, "Threads"). Helpers sleep while there is no such product.
void setEngineThreads(int threads);
int engineThreads();

// Process-wide heap setting for programs that run many forward passes (the app, the CLI, the
// benchmarks call it first thing in main; library code never does). A Full-capture forward of a
// small model allocates ~60 blocks (what the trace records) and frees them when the result goes;
// glibc then returns the freed top of the heap to the system (trim threshold 128 KB) and the next
// forward faults the same pages back in: 10-20 µs of a ~115 µs tiny forward. This keeps up to
// 16 MB of freed heap for reuse; blocks of 128 KB and more are still memory-mapped and returned
// at once, so long inputs' peak memory is unchanged. Without glibc it does nothing.
void configureHeapForInference();

// "openblas" or "eigen": what linearForward() uses for large products.
const char* gemmBackend();

} // namespace attnscope
