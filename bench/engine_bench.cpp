// Google Benchmark for the engine: forward passes of the shapes in bench_models.h with and
// without capture, and the GEMM on the GPT-2 projection shapes (Eigen's own, and the engine's
// linearForward: OpenBLAS when built with it). Counters report GFLOP/s. ATTNSCOPE_THREADS sets
// the BLAS threads (gemm.h). Run: scripts/bench.sh (also prints the PyTorch comparison).
//
// Profiling mode, for callgrind and the allocation count (a counting malloc below):
//   attnscope-bench --forwards=200 [--shape=tiny|gpt2-small] [--capture=full|attention|none]
// runs that many forwards in profiledForwards() and prints time, heap allocations and bytes per
// forward: valgrind --tool=callgrind --toggle-collect='*profiledForwards*' build/bin/attnscope-bench --forwards=200
// Hugging Face folders (bench/compare_hf.py):
//   attnscope-bench --hf=FOLDER [--loads=5] [--forwards=20] [--tokens=128]: a Hugging Face folder's load and forward times
#include "bench_models.h"
#include "core/gemm.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <benchmark/benchmark.h>

#ifdef __FMA__
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace attnscope;
using namespace attnscope::bench;

namespace {
std::atomic<long long> g_allocations{0};
std::atomic<long long> g_allocatedBytes{0};
} // namespace

// Counting allocator for the whole program (glibc): the profiling mode reports heap allocations
// per forward. Interposed at malloc, not operator new, because Eigen allocates with malloc; the
// aligned forms too, because aligned operator new (the engine's scratch, tensor.h) uses them.
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_memalign(std::size_t alignment, std::size_t size);
namespace {
void countAllocation(std::size_t size)
{
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    g_allocatedBytes.fetch_add(static_cast<long long>(size), std::memory_order_relaxed);
}
} // namespace
extern "C" void* malloc(std::size_t size)
{
    countAllocation(size);
    return __libc_malloc(size);
}
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t size)
{
    countAllocation(size);
    return __libc_memalign(alignment, size);
}
extern "C" int posix_memalign(void** p, std::size_t alignment, std::size_t size)
{
    countAllocation(size);
    *p = __libc_memalign(alignment, size);
    return *p ? 0 : ENOMEM;
}

namespace {

void runForward(benchmark::State& state, const Shape& shape, Capture capture)
{
    const int tokens = int(state.range(0));
    const auto model = randomModel(shape, std::max(tokens, 128));
    const Transformer tf(model);
    const std::vector<int> ids = randomIds(shape, tokens);
    for (auto _ : state) {
        ForwardResult r = tf.forward(ids, {}, capture);
        benchmark::DoNotOptimize(r.logits.data());
    }
    const double flops = forwardFlops(shape, tokens);
    state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["tokens"] = tokens;
}

void BM_TinyFull(benchmark::State& s) { runForward(s, kTiny, Capture::Full); }
void BM_TinyAttention(benchmark::State& s) { runForward(s, kTiny, Capture::Attention); }
void BM_TinyNoCapture(benchmark::State& s) { runForward(s, kTiny, Capture::None); }
void BM_Gpt2Attention(benchmark::State& s) { runForward(s, kGpt2, Capture::Attention); }
void BM_Gpt2NoCapture(benchmark::State& s) { runForward(s, kGpt2, Capture::None); }

// The engine's own Linear product (gemm.h), bias included: what the forward pass runs.
void BM_Linear(benchmark::State& state)
{
    const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
    const MatrixRM a = MatrixRM::Random(m, k);
    const MatrixRM w = MatrixRM::Random(n, k);
    const RowVector b = RowVector::Random(n);
    MatrixRM c(m, n);
    for (auto _ : state) {
        linearForward(a, w.data(), b.data(), int(n), c);
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * double(m * k * n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["threads"] = engineThreads();
}

// A small model's Linear as the forward pass runs it: through gemm.h's register kernel with the
// transposed, padded weight copy the Transformer keeps (tensor.h, paddedStride).
void BM_SmallLinear(benchmark::State& state)
{
    const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
    const MatrixRM a = MatrixRM::Random(m, k);
    const MatrixRM w = MatrixRM::Random(n, k);
    const RowVector b = RowVector::Random(n);
    const Eigen::Index stride = paddedStride(n);
    MatrixRM wt = MatrixRM::Zero(k, stride);
    wt.leftCols(n) = w.transpose();
    MatrixRM c(m, n);
    for (auto _ : state) {
        linearInto(a, w.data(), b.data(), c, wt.data(), stride);
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * double(m * k * n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

#ifdef __FMA__
// The core's fused multiply-add peak, and how many independent chains reach it: Chains
// accumulators, each updated once per step (a dependency chain as long as the FMA latency). With
// too few chains the loop is latency-bound; the register kernel's 4 × 2 tile has 8
// (docs/performance.md, "Fourth round").
template <int Chains>
void BM_FmaChains(benchmark::State& state)
{
    const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    __m256 acc[Chains];
    for (__m256& a : acc) a = _mm256_set1_ps(1.0f);
    constexpr int kSteps = 4096;
    for (auto _ : state) {
        for (int s = 0; s < kSteps; ++s)
            for (int i = 0; i < Chains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, c);
        for (__m256& a : acc) benchmark::DoNotOptimize(a);
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(16.0 * Chains * kSteps * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
#endif

void BM_Gemm(benchmark::State& state)
{
    const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
    const MatrixRM a = MatrixRM::Random(m, k);
    const MatrixRM b = MatrixRM::Random(n, k); // [out, in] like a Linear weight
    MatrixRM c(m, n);
    for (auto _ : state) {
        c.noalias() = a * b.transpose();
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * double(m * k * n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

} // namespace

BENCHMARK(BM_TinyFull)->Arg(32)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TinyAttention)->Arg(32)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TinyNoCapture)->Arg(32)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpt2Attention)->Arg(128)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Gpt2NoCapture)->Arg(128)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Gemm)
    ->Args({128, 768, 2304})
    ->Args({128, 768, 3072})
    ->Args({128, 3072, 768})
    ->Args({32, 64, 192})
    ->Args({32, 64, 256})
    ->Args({32, 256, 64})
    ->Unit(benchmark::kMicrosecond);
#ifdef __FMA__
BENCHMARK_TEMPLATE(BM_FmaChains, 8);
BENCHMARK_TEMPLATE(BM_FmaChains, 10);
BENCHMARK_TEMPLATE(BM_FmaChains, 12);
#endif
BENCHMARK(BM_SmallLinear)
    ->Args({32, 64, 64})
    ->Args({32, 64, 128})
    ->Args({32, 64, 256})
    ->Args({32, 256, 64})
    ->Args({32, 16, 32})
    ->Args({32, 32, 16})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Linear)
    ->Args({128, 768, 2304})
    ->Args({128, 768, 3072})
    ->Args({128, 3072, 768})
    ->Args({32, 64, 192})
    ->Args({32, 64, 256})
    ->Args({32, 256, 64})
    ->Unit(benchmark::kMicrosecond);

namespace {

// Kept out of line so callgrind can collect exactly these forwards (--toggle-collect).
__attribute__((noinline)) void profiledForwards(const Transformer& tf, const std::vector<int>& ids, Capture capture,
                                                int count)
{
    for (int i = 0; i < count; ++i) {
        ForwardResult r = tf.forward(ids, {}, capture);
        benchmark::DoNotOptimize(r.logits.data());
    }
}

struct Percentiles {
    double min, p10, p25, median, p90, p99, mean;
};

Percentiles percentiles(std::vector<double> times)
{
    std::sort(times.begin(), times.end());
    double total = 0.0;
    for (const double t : times) total += t;
    const size_t n = times.size();
    return {times.front(), times[n / 10], times[n / 4], times[n / 2], times[n * 9 / 10], times[n * 99 / 100],
            total / double(n)};
}

void printPercentiles(const char* label, const Percentiles& p)
{
    std::printf("  %s: min %.1f us, 10%% %.1f, 25%% %.1f, median %.1f, 90%% %.1f, 99%% %.1f, mean %.1f\n", label, p.min,
                p.p10, p.p25, p.median, p.p90, p.p99, p.mean);
}

// The same forwards into one result whose storage each pass reuses (Transformer::forwardInto):
// the captured matrices are overwritten in place instead of allocated and freed.
__attribute__((noinline)) void profiledForwardsInto(const Transformer& tf, const std::vector<int>& ids,
                                                    Capture capture, int count, ForwardResult& r)
{
    for (int i = 0; i < count; ++i) {
        tf.forwardInto(r, ids, {}, capture);
        benchmark::DoNotOptimize(r.logits.data());
    }
}

// Wall time of one call of f, in microseconds.
template <class F>
double microseconds(F&& f)
{
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e6;
}

int profileMode(int count, const std::string& shapeName, const std::string& captureName)
{
    const Shape& shape = shapeName == "gpt2-small" ? kGpt2 : kTiny;
    const Capture capture = captureName == "none" ? Capture::None
                            : captureName == "attention" ? Capture::Attention
                                                         : Capture::Full;
    const auto model = randomModel(shape, std::max(shape.tokens, 128));
    const Transformer tf(model);
    const std::vector<int> ids = randomIds(shape, shape.tokens);
    profiledForwards(tf, ids, capture, 1); // warm-up: the BLAS's buffers, the allocator's arenas
    const long long allocations = g_allocations.load(), bytes = g_allocatedBytes.load();
    const auto start = std::chrono::steady_clock::now();
    profiledForwards(tf, ids, capture, count);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s, capture %s, %d forwards (gemm: %s, %d thread(s)): %.1f us per forward, "
                "%.1f heap allocations (%.1f KB) per forward\n",
                shape.name, captureName.c_str(), count, gemmBackend(), engineThreads(), seconds / count * 1e6,
                double(g_allocations.load() - allocations) / count,
                double(g_allocatedBytes.load() - bytes) / count / 1024.0);
    // Each forward timed on its own: on a shared machine the fastest runs are the undisturbed ones,
    // so the minimum and the lower quartile compare builds better than the mean.
    std::vector<double> times(static_cast<size_t>(count));
    for (double& t : times) t = microseconds([&] { profiledForwards(tf, ids, capture, 1); });
    printPercentiles("single forwards", percentiles(times));
    // Into one reused result (forwardInto), as a loop over inputs of one length would run them.
    ForwardResult reused;
    profiledForwardsInto(tf, ids, capture, 1, reused);
    const long long allocationsInto = g_allocations.load();
    profiledForwardsInto(tf, ids, capture, 1, reused);
    std::printf("  into a reused result: %lld heap allocations per forward\n", g_allocations.load() - allocationsInto);
    for (double& t : times) t = microseconds([&] { profiledForwardsInto(tf, ids, capture, 1, reused); });
    printPercentiles("single forwards into a reused result", percentiles(times));
    return 0;
}

// A Hugging Face folder: its load time (loadModel, `loads` times: min and median) and the
// forward pass at `tokens` random ids with per-head weights and without capture.
int hfMode(const std::string& folder, int loads, int forwards, int tokens)
{
    std::vector<double> loadTimes;
    std::shared_ptr<const Model> model;
    for (int i = 0; i < loads; ++i) {
        model.reset();
        loadTimes.push_back(microseconds([&] { model = loadModel(folder); }) / 1000.0);
    }
    std::sort(loadTimes.begin(), loadTimes.end());
    std::printf("hf %s: %s %s, %zu parameters\n", folder.c_str(), model->family.c_str(), model->dtype.c_str(),
                model->parameterCount());
    std::printf("load_ms min %.1f median %.1f max %.1f\n", loadTimes.front(), loadTimes[loadTimes.size() / 2],
                loadTimes.back());
    const Transformer tf(model);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pick(0, model->inputVocabRows() - 1);
    std::vector<int> ids(size_t(std::min(tokens, model->config.maxLen)));
    for (int& id : ids) id = pick(rng);
    for (const Capture capture : {Capture::Attention, Capture::None}) {
        tf.forward(ids, {}, capture); // warm-up
        std::vector<double> times;
        for (int i = 0; i < forwards; ++i) times.push_back(microseconds([&] { tf.forward(ids, {}, capture); }) / 1000.0);
        std::sort(times.begin(), times.end());
        std::printf("forward_ms %s tokens %zu threads %d min %.2f median %.2f\n",
                    capture == Capture::None ? "none" : "attention", ids.size(), engineThreads(), times.front(),
                    times[times.size() / 2]);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    configureHeapForInference(); // as the app and the CLI do (core/gemm.h)
    int forwards = 0, loads = 5, tokens = 128;
    std::string shape = "tiny", capture = "full", hf;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--forwards=", 11) == 0) forwards = std::atoi(argv[i] + 11);
        else if (std::strncmp(argv[i], "--hf=", 5) == 0) hf = argv[i] + 5;
        else if (std::strncmp(argv[i], "--loads=", 8) == 0) loads = std::max(1, std::atoi(argv[i] + 8));
        else if (std::strncmp(argv[i], "--tokens=", 9) == 0) tokens = std::max(1, std::atoi(argv[i] + 9));
        else if (std::strncmp(argv[i], "--shape=", 8) == 0) shape = argv[i] + 8;
        else if (std::strncmp(argv[i], "--capture=", 10) == 0) capture = argv[i] + 10;
    }
    if (!hf.empty()) return hfMode(hf, loads, std::max(forwards, 5), tokens);
    if (forwards > 0) return profileMode(forwards, shape, capture);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
