// Peak memory and latency of inspecting a long input: loads a model (a file, e.g. the
// GPT-2-small-shaped sidecar model scripts/bench.sh generates, or a random in-memory one),
// runs one forward pass at T tokens with the chosen capture, then recomputes a few heads as the
// app does when they are shown. Prints each stage's time and the process's peak RSS
// (getrusage ru_maxrss). Goal (docs/performance.md): ≤ 1 GB for 12 × 12 heads at 2048 tokens.
//
//   attnscope-memory-bench [--model FILE.json] [--tokens 2048] [--capture compact|attention|full]
//                          [--heads 6] [--vocab 50257] [--verify-tokens 512]
#include "bench_models.h"
#include "core/gemm.h"
#include "core/model_loader.h"
#include "core/recompute.h"
#include "core/transformer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using namespace attnscope;

namespace {

double peakMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0; // kilobytes on Linux
}

double currentMiB()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void stage(const char* what, double ms)
{
    std::printf("%-34s %10.1f ms   RSS %7.1f MiB   peak RSS %7.1f MiB\n", what, ms, currentMiB(), peakMiB());
    std::fflush(stdout);
}

int usage()
{
    std::fprintf(stderr, "usage: attnscope-memory-bench [--model FILE.json] [--tokens N] "
                         "[--capture compact|attention|full] [--heads K] [--vocab V] [--verify-tokens N]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    configureHeapForInference(); // as the app does (core/gemm.h)
    std::string modelPath, capture = "compact";
    int tokens = 2048, heads = 6, vocab = 50257, verifyTokens = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) return usage();
        const char* v = argv[++i];
        if (a == "--model")
            modelPath = v;
        else if (a == "--tokens")
            tokens = std::atoi(v);
        else if (a == "--capture")
            capture = v;
        else if (a == "--heads")
            heads = std::atoi(v);
        else if (a == "--vocab")
            vocab = std::atoi(v);
        else if (a == "--verify-tokens")
            verifyTokens = std::atoi(v);
        else
            return usage();
    }
    const Capture cap = capture == "compact"     ? Capture::Compact
                        : capture == "attention" ? Capture::Attention
                        : capture == "full"      ? Capture::Full
                                                 : Capture::None;
    try {
        stage("start", 0.0);
        auto t0 = std::chrono::steady_clock::now();
        bench::Shape shape = bench::kGpt2;
        shape.vocab = vocab;
        std::shared_ptr<const Model> model =
            modelPath.empty() ? bench::randomModel(shape, std::max(tokens, 2048)) : loadModel(modelPath);
        stage(modelPath.empty() ? "random model built" : "model loaded", msSince(t0));
        const ModelConfig& c = model->config;
        std::printf("model: %s, %d layers x %d heads, d_model %d, d_ff %d, max_len %d, %.1f M parameters%s\n",
                    model->name.c_str(), std::max(c.encoderLayers, c.decoderLayers), c.nHeads, c.dModel, c.dFf,
                    c.maxLen, double(model->weights.totalSize()) / 1e6,
                    model->weights.isMapped() ? " (memory-mapped)" : "");
        t0 = std::chrono::steady_clock::now();
        const Transformer tf(model);
        stage("transformer constructed", msSince(t0));
        if (tokens > c.maxLen) {
            std::fprintf(stderr, "--tokens %d exceeds the model's max_len %d\n", tokens, c.maxLen);
            return 2;
        }
        shape.vocab = model->sourceTokenizer.vocab().size();
        const std::vector<int> ids = bench::randomIds(shape, tokens);
        const Stack stack = c.type == ArchType::Encoder ? Stack::Encoder : Stack::Decoder;
        std::printf("capture: %s, %d tokens; full attention capture would be %.0f MiB\n", capture.c_str(), tokens,
                    double(captureBytes(c, tokens, 0, Capture::Attention)) / (1024.0 * 1024.0));
        t0 = std::chrono::steady_clock::now();
        // As runModel does for a long input of a causal LM: logits of the last position only.
        const int firstLogit = cap == Capture::Compact && c.type == ArchType::Decoder ? tokens - 1 : 0;
        ForwardResult f = tf.forward(ids, {}, cap, nullptr, firstLogit);
        stage("forward", msSince(t0));
        const int layers = int(f.trace.stack(stack).size());
        for (int k = 0; k < heads && layers > 0 && f.trace.compact; ++k) {
            // Spread over the model: (0,0), (L-1,H-1), then a diagonal walk.
            const int l = (k * 5) % layers, h = (k * 7 + (k == 1 ? c.nHeads - 2 : 0)) % c.nHeads;
            t0 = std::chrono::steady_clock::now();
            const HeadTrace ht = recomputeHead(tf, f.trace, stack, l, h);
            char what[64];
            std::snprintf(what, sizeof what, "recompute head L%d H%d", l, h);
            stage(what, msSince(t0));
            if (ht.weights.rows() != tokens) return 1;
        }
        if (f.trace.compact && layers > 0) {
            t0 = std::chrono::steady_clock::now();
            const MatrixRM mean = recomputeMeanOfHeads(tf, f.trace, stack, layers - 1);
            stage("recompute mean of heads (last layer)", msSince(t0));
            if (mean.rows() != tokens) return 1;
            t0 = std::chrono::steady_clock::now();
            const HeadTrace full = recomputeHead(tf, f.trace, stack, 0, 0, Capture::Full);
            stage("recompute head L0 H0 with Q, K, V", msSince(t0));
        }
        std::printf("PEAK RSS %.1f MiB (%.2f GB)\n", peakMiB(), peakMiB() * 1024.0 * 1024.0 / 1e9);
        if (verifyTokens > 0) {
            // Exactness on this model's shape: every head, recomputed vs full capture.
            const std::vector<int> vids = bench::randomIds(shape, std::min(verifyTokens, c.maxLen), 11);
            const ForwardResult full = tf.forward(vids, {}, Capture::Attention);
            const ForwardResult compact = tf.forward(vids, {}, Capture::Compact);
            int identical = 0, total = 0;
            double worst = 0.0;
            for (int l = 0; l < int(full.trace.stack(stack).size()); ++l)
                for (int h = 0; h < c.nHeads; ++h) {
                    const MatrixRM& want = full.trace.stack(stack)[size_t(l)].heads[size_t(h)].weights;
                    const MatrixRM got = recomputeHead(tf, compact.trace, stack, l, h).weights;
                    worst = std::max(worst, double((got - want).cwiseAbs().maxCoeff()));
                    identical += got == want ? 1 : 0;
                    ++total;
                }
            std::printf("verify at %d tokens: %d of %d heads bit-identical to the full capture, max |diff| %.3g\n",
                        int(vids.size()), identical, total, worst);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
