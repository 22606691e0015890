// Google Benchmark for the engine: forward passes of the shapes in bench_models.h with and
// without capture, and Eigen's GEMM on the GPT-2 projection shapes. Counters report GFLOP/s.
// Run: scripts/bench.sh (also prints the PyTorch comparison).
#include "bench_models.h"
#include "core/transformer.h"

#include <benchmark/benchmark.h>

using namespace attnscope;
using namespace attnscope::bench;

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
BENCHMARK(BM_Gemm)->Args({128, 768, 2304})->Args({128, 768, 3072})->Args({128, 3072, 768})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
