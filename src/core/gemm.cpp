// See gemm.h. Every product is row-major float32; strided views pass their outer stride as the
// BLAS leading dimension (or the kernel's row step), so column blocks of packed Q|K|V are used
// in place.
#include "core/gemm.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#ifdef ATTNSCOPE_HAVE_OPENBLAS
#include <cblas.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace attnscope {

namespace {

using Eigen::Index;

// From this many multiply-adds on, a product goes to the BLAS (when built with it) or to Eigen's
// blocked GEMM. Below it the operands fit the L1/L2 caches and the register kernel, which needs
// no packing, is faster: OpenBLAS's Zen kernels were no faster than Eigen's GEMM there, and
// Eigen's packing alone was 12 % of the tiny model's instructions (docs/performance.md).
constexpr double kLargeProduct = 1024.0 * 1024.0;

// ---- Register-blocked kernel --------------------------------------------------------------
// c = alpha · a · b (+ bias) (+ c), a (m, k), b (k, n), c (m, n), all row-major with the given
// row steps. A tile of kRows rows × NR packets of c stays in registers while k runs: per k, NR
// packets of b's row are loaded once and each of the tile's a values is broadcast against them
// (kRows·NR fused multiply-adds for kRows + NR loads). b is read in place, so nothing is packed;
// a panel of b (k × NR packets) is reused by every row tile while it sits in L1. Eigen's packet
// functions keep it portable: 8 floats with AVX2, 4 with SSE, 1 without vectorisation.
using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kPacket = Eigen::internal::packet_traits<float>::size;

struct Epilogue {
    float alpha = 1.0f;
    const float* bias = nullptr; // (n) or nullptr
    bool accumulate = false;     // add c's previous contents
    PostOp post = PostOp::None;  // applied last (not with accumulate)
};

// GELU(x) = x · ½(1 + erf(x/√2)), in the order Eigen evaluated the expression the FFN used
// before (so the golden results did not move), erf being Eigen's rational approximation.
inline Packet geluPacket(const Packet& x)
{
    namespace ei = Eigen::internal;
    const Packet e = ei::perf(ei::pmul(x, ei::pset1<Packet>(0.70710678118654752f)));
    return ei::pmul(x, ei::pmul(ei::pset1<Packet>(0.5f), ei::padd(ei::pset1<Packet>(1.0f), e)));
}

// GELU's tanh form, as GPT-2's gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), with Eigen's
// float tanh (a rational approximation within a few ulp, clamped for large |x|).
inline Packet geluTanhPacket(const Packet& x)
{
    namespace ei = Eigen::internal;
    const Packet x3 = ei::pmul(x, ei::pmul(x, x));
    const Packet inner = ei::pmul(ei::pset1<Packet>(0.7978845608028654f), ei::pmadd(ei::pset1<Packet>(0.044715f), x3, x));
    const Packet t = ei::ptanh(inner);
    return ei::pmul(ei::pmul(ei::pset1<Packet>(0.5f), x), ei::padd(ei::pset1<Packet>(1.0f), t));
}

inline Packet postPacket(const Packet& v, PostOp post)
{
    switch (post) {
    case PostOp::None: return v;
    case PostOp::Relu: return Eigen::internal::pmax(v, Eigen::internal::pset1<Packet>(0.0f));
    case PostOp::Gelu: return geluPacket(v);
    case PostOp::GeluTanh: return geluTanhPacket(v);
    }
    return v;
}

// What a tile does when it writes c, fixed at compile time so the store loop has no branches (and
// no reloads of the Epilogue: the compiler must assume c's stores may alias it).
// post is applied by kernelWith() to each panel once its tiles are stored (while it is in L1): in
// the tile's store itself GELU's constants competed with the accumulators for registers and the
// forward was ~1 µs slower.
template <bool Scale, bool Bias, bool Accumulate, PostOp Post = PostOp::None>
struct Store {
    static constexpr bool scale = Scale, bias = Bias, accumulate = Accumulate;
    static constexpr PostOp post = Post;
};

template <int MR, int NR, class S>
EIGEN_ALWAYS_INLINE void tile(const float* a, Index lda, const float* b, Index ldb, float* c, Index ldc, Index k, float alpha,
                 const float* bias)
{
    namespace ei = Eigen::internal;
    Packet acc[MR][NR];
    for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] = ei::pset1<Packet>(0.0f);
    for (Index kk = 0; kk < k; ++kk) {
        Packet bv[NR];
        for (int j = 0; j < NR; ++j) bv[j] = ei::ploadu<Packet>(b + kk * ldb + j * kPacket);
        for (int r = 0; r < MR; ++r) {
            const Packet av = ei::pset1<Packet>(a[r * lda + kk]);
            for (int j = 0; j < NR; ++j) acc[r][j] = ei::pmadd(av, bv[j], acc[r][j]);
        }
    }
    const Packet alphaPacket = ei::pset1<Packet>(alpha);
    Packet biasPacket[NR];
    if constexpr (S::bias)
        for (int j = 0; j < NR; ++j) biasPacket[j] = ei::ploadu<Packet>(bias + j * kPacket);
    for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) {
            float* out = c + r * ldc + j * kPacket;
            Packet v = acc[r][j];
            if constexpr (S::scale) v = ei::pmul(v, alphaPacket);
            if constexpr (S::bias) v = ei::padd(v, biasPacket[j]);
            if constexpr (S::accumulate) v = ei::padd(v, ei::ploadu<Packet>(out));
            ei::pstoreu(out, v);
        }
}

// Rows of one panel of NR packets: tiles of MR rows, then the remaining rows in smaller tiles.
template <int MR, int NR, class S>
void panel(const float* a, Index lda, const float* b, Index ldb, float* c, Index ldc, Index m, Index k, float alpha,
           const float* bias)
{
    Index i = 0;
    for (; i + MR <= m; i += MR) tile<MR, NR, S>(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, bias);
    if constexpr (MR > 1) {
        // Remaining rows (fewer than MR): tiles of half the height, and so on down to one row.
        if (i < m) panel<MR / 2, NR, S>(a + i * lda, lda, b, ldb, c + i * ldc, ldc, m - i, k, alpha, bias);
    }
}

template <class S>
void kernelWith(const float* a, Index lda, const float* b, Index ldb, float* c, Index ldc, Index m, Index n, Index k,
                const Epilogue& e)
{
    // Tiles of 4 rows × 2 packets (8 accumulators: enough independent FMA chains to cover the
    // FMA latency on two pipes) on most of c, 8 rows × 1 packet on a last single packet column.
    const float alpha = e.alpha;
    const float* bias = e.bias;
    namespace ei = Eigen::internal;
    Index j = 0;
    for (; j + 2 * kPacket <= n; j += 2 * kPacket) {
        panel<4, 2, S>(a, lda, b + j, ldb, c + j, ldc, m, k, alpha, bias ? bias + j : nullptr);
        if constexpr (S::post != PostOp::None)
            for (Index i = 0; i < m; ++i) { // the panel's rows, still in L1
                float* row = c + i * ldc + j;
                const Packet v0 = postPacket(ei::ploadu<Packet>(row), S::post);
                const Packet v1 = postPacket(ei::ploadu<Packet>(row + kPacket), S::post);
                ei::pstoreu(row, v0);
                ei::pstoreu(row + kPacket, v1);
            }
    }
    for (; j + kPacket <= n; j += kPacket) {
        panel<8, 1, S>(a, lda, b + j, ldb, c + j, ldc, m, k, alpha, bias ? bias + j : nullptr);
        if constexpr (S::post != PostOp::None)
            for (Index i = 0; i < m; ++i) {
                float* row = c + i * ldc + j;
                ei::pstoreu(row, postPacket(ei::ploadu<Packet>(row), S::post));
            }
    }
    if (j == n) return;
    // Fewer than a packet's columns left: plain loops (k outermost per row, so b is read by row).
    for (Index i = 0; i < m; ++i) {
        float sums[kPacket > 1 ? kPacket : 1] = {};
        for (Index kk = 0; kk < k; ++kk) {
            const float ai = a[i * lda + kk];
            const float* brow = b + kk * ldb;
            for (Index jj = j; jj < n; ++jj) sums[jj - j] += ai * brow[jj];
        }
        for (Index jj = j; jj < n; ++jj) {
            float v = sums[jj - j];
            if (S::scale) v *= alpha;
            if (S::bias) v += bias[jj];
            if (S::accumulate) v += c[i * ldc + jj];
            c[i * ldc + jj] = v;
        }
        if constexpr (S::post != PostOp::None) applyPostOp(c + i * ldc + j, n - j, S::post);
    }
}

// The kernel with the store fixed at compile time (the engine uses: bias, bias + accumulate for
// Linear layers; scale for Q_hK_hᵀ; plain for A_h·V_h).
void kernel(const float* a, Index lda, const float* b, Index ldb, float* c, Index ldc, Index m, Index n, Index k,
            const Epilogue& e)
{
    if (e.post != PostOp::None) { // the FFN's first Linear: the activation on each panel just computed
        eigen_assert(e.alpha == 1.0f && !e.accumulate);
        const bool relu = e.post == PostOp::Relu;
        if (e.post == PostOp::GeluTanh) {
            if (e.bias) kernelWith<Store<false, true, false, PostOp::GeluTanh>>(a, lda, b, ldb, c, ldc, m, n, k, e);
            else kernelWith<Store<false, false, false, PostOp::GeluTanh>>(a, lda, b, ldb, c, ldc, m, n, k, e);
        } else if (e.bias && relu) kernelWith<Store<false, true, false, PostOp::Relu>>(a, lda, b, ldb, c, ldc, m, n, k, e);
        else if (e.bias) kernelWith<Store<false, true, false, PostOp::Gelu>>(a, lda, b, ldb, c, ldc, m, n, k, e);
        else if (relu) kernelWith<Store<false, false, false, PostOp::Relu>>(a, lda, b, ldb, c, ldc, m, n, k, e);
        else kernelWith<Store<false, false, false, PostOp::Gelu>>(a, lda, b, ldb, c, ldc, m, n, k, e);
        return;
    }
    const int which = (e.alpha != 1.0f ? 4 : 0) | (e.bias ? 2 : 0) | (e.accumulate ? 1 : 0);
    switch (which) {
    case 0: kernelWith<Store<false, false, false>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 1: kernelWith<Store<false, false, true>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 2: kernelWith<Store<false, true, false>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 3: kernelWith<Store<false, true, true>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 4: kernelWith<Store<true, false, false>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 5: kernelWith<Store<true, false, true>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    case 6: kernelWith<Store<true, true, false>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    default: kernelWith<Store<true, true, true>>(a, lda, b, ldb, c, ldc, m, n, k, e); break;
    }
}

Index rowStep(Index outerStride, Index cols)
{
    return std::max(outerStride, cols);
}

// bᵀ of a small strided block b (rows, cols), as a row-major (cols, rows) map with padded rows
// (tensor.h) into a per-thread buffer, reused across calls.
StridedMatrixMap transposed(const Eigen::Ref<const MatrixRM>& b)
{
    thread_local ScratchBuffer buffer;
    StridedMatrixMap out = buffer.matrix(b.cols(), b.rows());
    transposeInto(b.data(), rowStep(b.outerStride(), b.cols()), b.rows(), b.cols(), out.data(), out.outerStride());
    return out;
}

// ---- Threads ------------------------------------------------------------------------------

std::atomic<int> g_threads{0}; // 0: not configured yet

// The cores, up to kMaxDefaultThreads: large products split dynamically (ChunkPool), so a busy
// core costs them a chunk's wait rather than half the product.
constexpr int kMaxDefaultThreads = 4;
int defaultThreads()
{
    const unsigned cores = std::thread::hardware_concurrency();
    return std::clamp(int(cores), 1, kMaxDefaultThreads);
}

int threadsFromEnvironment()
{
    const char* value = std::getenv("ATTNSCOPE_THREADS");
    if (!value) return defaultThreads();
    const int n = std::atoi(value);
    return std::clamp(n, 1, 64);
}

// OpenBLAS runs every call on the calling thread: the engine splits large products itself
// (ChunkPool below), so that a descheduled thread holds up one chunk, not half the product.
void pinLibraryToOneThread()
{
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    openblas_set_num_threads(1);
#endif
}

// The BLAS starts with as many threads as cores; bring it to ours before the first product.
void ensureConfigured()
{
    static std::once_flag once;
    std::call_once(once, [] {
        int expected = 0;
        g_threads.compare_exchange_strong(expected, threadsFromEnvironment());
        pinLibraryToOneThread();
    });
}

// ---- Large products on several threads ------------------------------------------------------
// A large product with engineThreads() > 1 is cut into chunks of rows or columns of its output
// (kChunksPerThread per thread); the calling thread and the pool's helpers take chunks from a
// shared counter until none is left. OpenBLAS's own threads split a product statically in halves,
// so on a busy machine the half of a descheduled thread made the whole product wait: 3–5× slower
// than one thread (docs/performance.md, "Threads"). Here the others go on taking chunks, and the
// caller waits at most for the chunk a descheduled helper holds.
constexpr double kParallelProduct = 4.0 * 1024.0 * 1024.0; // multiply-adds; ~40 µs on one thread
constexpr int kChunksPerThread = 4;
constexpr Index kMinChunk = 32; // rows or columns

class ChunkPool {
public:
    static ChunkPool& instance()
    {
        static ChunkPool* pool = new ChunkPool; // never destroyed: helpers may still wait at exit
        return *pool;
    }

    // body(i) for every i in [0, count), on this thread and up to `helpers` helper threads. When
    // another product is using the helpers (two forward passes at once), this one runs alone.
    // A reference to a callable taking the chunk's index: no copy, no allocation (the engine's
    // inner loops allocate nothing, core.test_allocations).
    struct Body {
        void (*call)(const void*, int);
        const void* callable;
        void operator()(int i) const { call(callable, i); }
    };
    template <class F>
    static Body bodyOf(const F& f)
    {
        return {[](const void* c, int i) { (*static_cast<const F*>(c))(i); }, &f};
    }

    void run(int count, int helpers, Body body)
    {
        Job job;
        job.body = body;
        job.count = count;
        job.maxHelpers = helpers;
        bool posted = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_job && helpers > 0) {
                while (int(m_threads.size()) < helpers) m_threads.emplace_back([this] { helperLoop(); });
                m_job = &job;
                ++m_generation;
                posted = true;
            }
        }
        if (posted) m_wake.notify_all();
        job.drain();
        if (!posted) return;
        std::unique_lock<std::mutex> lock(m_mutex);
        m_job = nullptr; // no helper joins from now on; wait for those that did
        m_done.wait(lock, [&] { return job.active == 0; });
    }

private:
    struct Job {
        Body body{};
        int count = 0;
        int maxHelpers = 0;
        int joined = 0; // under m_mutex
        int active = 0; // under m_mutex
        std::atomic<int> next{0};

        // Takes chunks until none is left (the caller and every helper that joined).
        void drain()
        {
            for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) body(i);
        }
    };

    void helperLoop()
    {
        unsigned long long seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [&] { return m_job && m_generation != seen; });
            seen = m_generation;
            Job* job = m_job;
            if (job->joined >= job->maxHelpers) continue;
            ++job->joined;
            ++job->active;
            lock.unlock();
            job->drain();
            lock.lock();
            if (--job->active == 0) m_done.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    Job* m_job = nullptr;
    unsigned long long m_generation = 0;
    std::vector<std::thread> m_threads; // detached in spirit: the pool lives until the process ends
};

// c (m, n) = alpha · a · op(b) (+ c when accumulate), op(b) = bᵀ when b is stored (n, k), else b
// (k, n); all row-major with the given row steps. One call, on this thread: OpenBLAS (one thread)
// or Eigen's blocked GEMM.
void libraryProduct(bool bTransposed, Index m, Index n, Index k, float alpha, const float* a, Index lda,
                    const float* b, Index ldb, bool accumulate, float* c, Index ldc)
{
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, bTransposed ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha,
                a, int(lda), b, int(ldb), accumulate ? 1.0f : 0.0f, c, int(ldc));
#else
    using ConstStrided = Eigen::Map<const MatrixRM, 0, Eigen::OuterStride<>>;
    const ConstStrided am(a, m, k, Eigen::OuterStride<>(lda));
    StridedMatrixMap cm(c, m, n, Eigen::OuterStride<>(ldc));
    if (bTransposed) {
        const ConstStrided bm(b, n, k, Eigen::OuterStride<>(ldb));
        if (accumulate) cm.noalias() += alpha * (am * bm.transpose());
        else if (alpha == 1.0f) cm.noalias() = am * bm.transpose();
        else cm.noalias() = alpha * (am * bm.transpose());
    } else {
        const ConstStrided bm(b, k, n, Eigen::OuterStride<>(ldb));
        if (accumulate) cm.noalias() += alpha * (am * bm);
        else if (alpha == 1.0f) cm.noalias() = am * bm;
        else cm.noalias() = alpha * (am * bm);
    }
#endif
}

// A large product with its Linear extras: c = alpha · a · op(b) + bias (+ c), then post. Split
// into chunks of output rows or columns when threads allow (ChunkPool), each chunk one library
// call on a block. OpenBLAS blocks a smaller call's sums differently, so two threads agree with
// one to float rounding, not bit for bit (core.test_attention threadsAgree); the teaching models'
// products are all below the threshold and never split.
void runLarge(bool bTransposed, Index m, Index n, Index k, float alpha, const float* a, Index lda, const float* b,
              Index ldb, const float* bias, bool accumulate, PostOp post, float* c, Index ldc)
{
    ensureConfigured();
    auto block = [&](Index r0, Index r1, Index c0, Index c1) {
        const Index rows = r1 - r0, cols = c1 - c0;
        float* cb = c + r0 * ldc + c0;
        // The bias seeds the output (or is added to what is accumulated) and the product is
        // accumulated onto it: no zero-fill before the product, no pass for the bias after.
        if (bias) {
            StridedMatrixMap out(cb, rows, cols, Eigen::OuterStride<>(ldc));
            if (accumulate)
                out.rowwise() += ConstRowVectorMap(bias + c0, cols);
            else
                out.rowwise() = ConstRowVectorMap(bias + c0, cols);
        }
        libraryProduct(bTransposed, rows, cols, k, alpha, a + r0 * lda, lda, bTransposed ? b + c0 * ldb : b + c0,
                       ldb, accumulate || bias, cb, ldc);
        if (post != PostOp::None)
            for (Index i = 0; i < rows; ++i) applyPostOp(cb + i * ldc, cols, post);
    };
    const int threads = g_threads.load();
    const bool byColumns = n >= m;
    const Index extent = byColumns ? n : m;
    const int chunks = int(std::min<Index>(Index(kChunksPerThread) * threads, extent / kMinChunk));
    if (threads < 2 || chunks < 2 || double(m) * double(n) * double(k) < kParallelProduct) {
        block(0, m, 0, n);
        return;
    }
    // Column boundaries on whole packets, so chunks start where a packet-aligned row would.
    const Index align = byColumns ? kPacket : 1;
    auto edge = [&](int i) { return i == chunks ? extent : extent * i / chunks / align * align; };
    const auto chunk = [&](int i) {
        if (byColumns) block(0, m, edge(i), edge(i + 1));
        else block(edge(i), edge(i + 1), 0, n);
    };
    ChunkPool::instance().run(chunks, threads - 1, ChunkPool::bodyOf(chunk));
}

} // namespace

bool largeProduct(Eigen::Index m, Eigen::Index n, Eigen::Index k)
{
    return double(m) * double(n) * double(k) >= kLargeProduct;
}

void transposeInto(const float* src, Index srcStride, Index rows, Index cols, float* dst, Index dstStride)
{
    namespace ei = Eigen::internal;
    Index i = 0;
    if constexpr (kPacket > 1) {
        for (; i + kPacket <= rows; i += kPacket) {
            Index j = 0;
            for (; j + kPacket <= cols; j += kPacket) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes" // Packet's vector attributes, harmless here
                ei::PacketBlock<Packet, kPacket> block;
#pragma GCC diagnostic pop
                for (int r = 0; r < kPacket; ++r) block.packet[r] = ei::ploadu<Packet>(src + (i + r) * srcStride + j);
                ei::ptranspose(block);
                for (int r = 0; r < kPacket; ++r) ei::pstoreu(dst + (j + r) * dstStride + i, block.packet[r]);
            }
            for (; j < cols; ++j)
                for (Index r = i; r < i + kPacket; ++r) dst[j * dstStride + r] = src[r * srcStride + j];
        }
    }
    for (; i < rows; ++i)
        for (Index j = 0; j < cols; ++j) dst[j * dstStride + i] = src[i * srcStride + j];
}

namespace {

template <PostOp Post>
void applyPost(float* row, Index n)
{
    namespace ei = Eigen::internal;
    Index j = 0;
    for (; j + kPacket <= n; j += kPacket) ei::pstoreu(row + j, postPacket(ei::ploadu<Packet>(row + j), Post));
    if (j < n) { // the last partial packet through a padded copy: the same code for every element
        float tail[kPacket] = {};
        std::copy(row + j, row + n, tail);
        ei::pstoreu(tail, postPacket(ei::ploadu<Packet>(tail), Post));
        std::copy(tail, tail + (n - j), row + j);
    }
}

} // namespace

void applyPostOp(float* row, Eigen::Index n, PostOp post)
{
    switch (post) { // once per row, not per packet
    case PostOp::None: return;
    case PostOp::Relu: applyPost<PostOp::Relu>(row, n); return;
    case PostOp::Gelu: applyPost<PostOp::Gelu>(row, n); return;
    case PostOp::GeluTanh: applyPost<PostOp::GeluTanh>(row, n); return;
    }
}

void setEngineThreads(int threads)
{
    ensureConfigured();
    threads = std::clamp(threads, 1, 64);
    g_threads.store(threads);
}

int engineThreads()
{
    ensureConfigured();
    return g_threads.load();
}

void configureHeapForInference()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 128 * 1024); // glibc's default; setting the trim threshold fixes it there
    mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
#endif
}

const char* gemmBackend()
{
#ifdef ATTNSCOPE_HAVE_OPENBLAS
    return "openblas";
#else
    return "eigen";
#endif
}

void linearForward(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out,
                   const float* wt, Eigen::Index wtStride)
{
    out.resize(x.rows(), outDim);
    linearInto(x, w, b, out, wt, wtStride);
}

void linearInto(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, Eigen::Ref<MatrixRM> out,
                const float* wt, Eigen::Index wtStride, bool accumulate, PostOp post)
{
    const Index m = x.rows(), k = x.cols(), n = out.cols();
    eigen_assert(out.rows() == m);
    eigen_assert(!(accumulate && post != PostOp::None));
    if (wt && !largeProduct(m, n, k)) {
        Epilogue e;
        e.bias = b;
        e.accumulate = accumulate;
        e.post = post;
        kernel(x.data(), rowStep(x.outerStride(), k), wt, wtStride > 0 ? wtStride : n, out.data(),
               rowStep(out.outerStride(), n), m, n, k, e);
        return;
    }
    if (largeProduct(m, n, k)) {
        runLarge(true, m, n, k, 1.0f, x.data(), rowStep(x.outerStride(), k), w, k, b, accumulate, post, out.data(),
                 rowStep(out.outerStride(), n));
        return;
    }
    // A small Linear without a Wᵀ copy: Eigen, the bias seeding the output as above.
    if (b) {
        if (accumulate)
            out.rowwise() += ConstRowVectorMap(b, n);
        else
            out.rowwise() = ConstRowVectorMap(b, n);
    }
    const ConstMatrixMap weight(w, n, k);
    if (accumulate || b)
        out.noalias() += x * weight.transpose();
    else
        out.noalias() = x * weight.transpose();
    if (post != PostOp::None)
        for (Index i = 0; i < m; ++i) applyPostOp(out.row(i).data(), n, post);
}

void gemmNT(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, float alpha,
            Eigen::Ref<MatrixRM> c)
{
    const Index m = a.rows(), k = a.cols(), n = b.rows();
    if (!largeProduct(m, n, k)) {
        gemmNN(a, transposed(b), c, alpha);
        return;
    }
    runLarge(true, m, n, k, alpha, a.data(), rowStep(a.outerStride(), k), b.data(), rowStep(b.outerStride(), k),
             nullptr, false, PostOp::None, c.data(), rowStep(c.outerStride(), n));
}

void gemmNN(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b, Eigen::Ref<MatrixRM> c,
            float alpha)
{
    const Index m = a.rows(), k = a.cols(), n = b.cols();
    if (!largeProduct(m, n, k)) {
        Epilogue e;
        e.alpha = alpha;
        kernel(a.data(), rowStep(a.outerStride(), k), b.data(), rowStep(b.outerStride(), n), c.data(),
               rowStep(c.outerStride(), n), m, n, k, e);
        return;
    }
    runLarge(false, m, n, k, alpha, a.data(), rowStep(a.outerStride(), k), b.data(), rowStep(b.outerStride(), n),
             nullptr, false, PostOp::None, c.data(), rowStep(c.outerStride(), n));
}

} // namespace attnscope
