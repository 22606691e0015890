// See gemm.h. Every product is row-major float32; strided views pass their outer stride as the
// BLAS leading dimension, so column blocks of packed Q|K|V are used in place.
#include "core/gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <vector>

#ifdef ATTNSCOPE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace attnscope {

namespace {

// Below this many multiply-adds a product is done by Eigen's lazy product, which needs no
// packing: for the teaching models' 32 × 16 heads the packing of a blocked GEMM (Eigen's or a
// BLAS's) and the call overhead cost more than the arithmetic (callgrind, docs/performance.md).
constexpr double kSmallProduct = 32.0 * 32.0 * 32.0;

// alpha · bᵀ of a small strided block b (rows, cols), as a row-major (cols, rows) map into a
// per-thread buffer: reused across calls, so the forward pass does not allocate here after its
// first head. With bᵀ row-major, the lazy product below vectorises along the output rows.
Eigen::Map<const MatrixRM> scaledTranspose(const Eigen::Ref<const MatrixRM>& b, float alpha)
{
    thread_local std::vector<float> buffer;
    const Eigen::Index rows = b.rows(), cols = b.cols();
    if (buffer.size() < size_t(rows * cols)) buffer.resize(size_t(rows * cols));
    float* out = buffer.data();
    for (Eigen::Index r = 0; r < rows; ++r) {
        const float* row = b.row(r).data();
        for (Eigen::Index c = 0; c < cols; ++c) out[c * rows + r] = alpha * row[c];
    }
    return Eigen::Map<const MatrixRM>(out, cols, rows);
}

std::atomic<int> g_threads{0}; // 0: not configured yet

int threadsFromEnvironment()
{
    const char* value = std::getenv("ATTNSCOPE_THREADS");
    if (!value) return 1;
    const int n = std::atoi(value);
    return std::clamp(n, 1, 64);
}

void applyThreads(int threads)
{
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    openblas_set_num_threads(threads);
#else
    (void)threads;
#endif
}

// The BLAS starts with as many threads as cores; bring it to ours before the first product.
void ensureConfigured()
{
    static std::once_flag once;
    std::call_once(once, [] {
        int expected = 0;
        g_threads.compare_exchange_strong(expected, threadsFromEnvironment());
        applyThreads(g_threads.load());
    });
}

#ifdef ATTNSCOPE_HAVE_OPENBLAS
// From this many multiply-adds on, products go to the BLAS (when built with it). Below it,
// OpenBLAS's Zen kernels (the ones it picks on this EPYC) are no faster than Eigen's blocked GEMM
// and its call overhead shows: the tiny model's 32 × 64 × 256 layers ran ~5 % slower through it.
constexpr double kBlasProduct = 1024.0 * 1024.0;

bool worthBlas(Eigen::Index m, Eigen::Index n, Eigen::Index k)
{
    return m > 0 && n > 0 && k > 0 && double(m) * double(n) * double(k) >= kBlasProduct;
}
#endif

bool small(Eigen::Index m, Eigen::Index n, Eigen::Index k)
{
    return double(m) * double(n) * double(k) < kSmallProduct;
}

} // namespace

void setEngineThreads(int threads)
{
    ensureConfigured();
    threads = std::clamp(threads, 1, 64);
    g_threads.store(threads);
    applyThreads(threads);
}

int engineThreads()
{
    ensureConfigured();
    return g_threads.load();
}

const char* gemmBackend()
{
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    return "openblas";
#else
    return "eigen";
#endif
}

void linearForward(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out)
{
    const Eigen::Index m = x.rows(), k = x.cols(), n = outDim;
    out.resize(m, n);
    // Seeding the output with the bias and accumulating the product saves both the zero-fill
    // before an assignment and a separate pass for the bias.
    if (b) out.rowwise() = ConstRowVectorMap(b, n);
    const ConstMatrixMap weight(w, n, k);
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    if (worthBlas(m, n, k)) {
        ensureConfigured();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, x.data(),
                    int(std::max(x.outerStride(), k)), w, int(k), b ? 1.0f : 0.0f, out.data(), int(n));
        return;
    }
#endif
    if (!b) out.setZero();
    out.noalias() += x * weight.transpose();
}

void gemmNT(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, float alpha,
            Eigen::Ref<MatrixRM> c)
{
    const Eigen::Index m = a.rows(), k = a.cols(), n = b.rows();
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    if (worthBlas(m, n, k)) {
        ensureConfigured();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), alpha, a.data(),
                    int(std::max(a.outerStride(), k)), b.data(), int(std::max(b.outerStride(), k)), 0.0f, c.data(),
                    int(std::max(c.outerStride(), n)));
        return;
    }
#endif
    // Small: Eigen's coefficient-based product, no packing; each output packet of 8 stays in a
    // register while the k loop accumulates into it.
    if (small(m, n, k))
        c.noalias() = a.lazyProduct(scaledTranspose(b, alpha));
    else
        c.noalias() = alpha * (a * b.transpose());
}

void gemmNN(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, Eigen::Ref<MatrixRM> c)
{
    const Eigen::Index m = a.rows(), k = a.cols(), n = b.cols();
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    if (worthBlas(m, n, k)) {
        ensureConfigured();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, a.data(),
                    int(std::max(a.outerStride(), k)), b.data(), int(std::max(b.outerStride(), n)), 0.0f, c.data(),
                    int(std::max(c.outerStride(), n)));
        return;
    }
#endif
    if (small(m, n, k))
        c.noalias() = a.lazyProduct(b);
    else
        c.noalias() = a * b;
}

} // namespace attnscope
