// Random-weight models of the shapes in docs/performance.md, built in memory (no file), so the
// benchmark measures the engine alone. Shapes are shared with bench/compare_torch.py.
#pragma once

#include "core/model.h"

#include <memory>
#include <random>

namespace attnscope::bench {

struct Shape {
    const char* name;
    ArchType type;
    int dModel, nHeads, dFf, layers, tokens, vocab;
    NormPosition norm;
    Activation activation;
};

// tiny: 2-layer encoder d 64, 4 heads, d_ff 256, 32 tokens, pre-norm gelu.
constexpr Shape kTiny{"tiny", ArchType::Encoder, 64, 4, 256, 2, 32, 128, NormPosition::Pre, Activation::Gelu};
// GPT-2-small shape: 12 causal layers, d 768, 12 heads, d_ff 3072, 128 tokens.
constexpr Shape kGpt2{"gpt2-small", ArchType::Decoder, 768, 12, 3072, 12, 128, 256, NormPosition::Pre,
                      Activation::Gelu};

inline std::shared_ptr<const Model> randomModel(const Shape& s, int maxLen = 2048)
{
    auto m = std::make_shared<Model>();
    m->name = s.name;
    ModelConfig& c = m->config;
    c.type = s.type;
    c.dModel = s.dModel;
    c.nHeads = s.nHeads;
    c.dFf = s.dFf;
    c.encoderLayers = s.type == ArchType::Encoder ? s.layers : 0;
    c.decoderLayers = s.type == ArchType::Decoder ? s.layers : 0;
    c.norm = s.norm;
    c.activation = s.activation;
    c.positional = Positional::Learned;
    c.maxLen = maxLen;
    c.finalNorm = true;
    std::vector<std::string> vocab;
    for (int i = 0; i < s.vocab; ++i) vocab.push_back("t" + std::to_string(i));
    m->sourceTokenizer = Tokenizer({}, Vocabulary(vocab));
    m->targetTokenizer = m->sourceTokenizer;
    const auto specs = requiredTensors(c, s.vocab, s.vocab);
    for (const auto& spec : specs) m->weights.declare(spec.name, spec.shape);
    m->weights.allocate();
    std::mt19937 rng(1234);
    for (const auto& spec : specs) {
        float* p = m->weights.mutableData(spec.name);
        const size_t n = m->weights.entry(spec.name).size();
        const bool isNormWeight = spec.name.find("norm") != std::string::npos && spec.name.find(".weight") != std::string::npos;
        const float scale = spec.shape.size() == 2 ? 1.0f / std::sqrt(float(spec.shape[1])) : 0.02f;
        std::normal_distribution<float> dist(0.0f, scale);
        for (size_t i = 0; i < n; ++i) p[i] = isNormWeight ? 1.0f : dist(rng);
    }
    return m;
}

inline std::vector<int> randomIds(const Shape& s, int count, unsigned seed = 7)
{
    std::mt19937 rng(seed);
    std::vector<int> ids(static_cast<size_t>(count), 0);
    for (int& id : ids) id = int(rng() % unsigned(s.vocab));
    return ids;
}

// Multiply-add FLOPs of the matrix products of one forward pass (2 per multiply-add).
inline double forwardFlops(const Shape& s, int tokens)
{
    const double t = tokens, d = s.dModel, f = s.dFf;
    const double perLayer = 2.0 * (4 * t * d * d + 2 * t * d * f + 2 * t * t * d);
    return s.layers * perLayer + 2.0 * t * d * s.vocab;
}

} // namespace attnscope::bench
