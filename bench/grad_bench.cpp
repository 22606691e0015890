// Speed of the backward pass and of attribution (core/grad) on a model file, by wall clock
// (median of repeated runs; docs/performance.md, "Gradients"). Not a test: no assertion on time.
//   attnscope-grad-bench MODEL [--tokens 64] [--repeats 20]
// Prints one line per measurement: name and median milliseconds. bench/compare_grad_torch.py runs
// this and the same work in torch side by side.
#include "core/grad/attribution.h"
#include "core/model_loader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace attnscope;
using namespace attnscope::grad;

namespace {

double medianMs(int repeats, const std::function<void()>& work)
{
    work(); // warm-up
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        const auto a = std::chrono::steady_clock::now();
        work();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: attnscope-grad-bench MODEL [--tokens N] [--repeats R]\n");
        return 2;
    }
    int tokens = 64, repeats = 20;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--tokens")) tokens = std::stoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--repeats")) repeats = std::stoi(argv[i + 1]);
    }
    auto model = loadModel(argv[1]);
    const Backprop<float> bp(model);
    GradInput in;
    // Deterministic ids 1 … V−1 (the same formula as compare_grad_torch.py).
    const int vocab = model->inputVocabRows();
    for (int i = 0; i < tokens; ++i) in.source.push_back(1 + (i * 7 + 3) % (vocab - 1));
    const Loss lm = languageModelLoss(in.source);
    std::printf("model %s, %d tokens, median of %d\n", model->name.c_str(), tokens, repeats);
    std::printf("forward+backward (LM loss, all weight gradients): %.3f ms\n",
                medianMs(repeats, [&] { (void)bp.run(in, lm); }));
    std::printf("forward+backward (input gradient only): %.3f ms\n",
                medianMs(repeats, [&] { (void)bp.run(in, logitLoss(tokens - 1, 5), {false}); }));
    for (int threads : {1, 2}) {
        AttributionOptions opt;
        opt.steps = 32;
        opt.threads = threads;
        std::printf("integrated gradients, 32 steps, %d thread(s): %.3f ms\n", threads,
                    medianMs(repeats, [&] { (void)attribute(bp, in, tokens - 1, 5, opt); }));
    }
    return 0;
}
