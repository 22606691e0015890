// Small, valid model documents built in code for loader and inference tests (the
// reference comparison against PyTorch uses the files in tests/data/golden/ instead), and the
// writeFile() the tests put them on disk with. tests/app/test_models.h builds larger ones.
#pragma once

#include "core/model_config.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QString>

#include <string>
#include <vector>

namespace attnscope::test {

// What tells the test models apart; modelDocument() builds the rest the same way for all.
struct ModelSpec {
    std::string type; // "encoder", "decoder" or "encoder-decoder"
    std::string name, description;
    int dModel = 4, nHeads = 2, dFf = 8;
    int layers = 1; // per stack
    int maxLen = 8;
    std::vector<std::string> vocab; // chars, led by <pad> <unk> <s> </s> [MASK]
    float (*weight)(int k, int i) = nullptr; // value i of the k-th required tensor (deterministic)
    bool mixedEncodings = false; // even tensors as JSON arrays, odd ones base64 (both readers)
    nlohmann::json examples = nlohmann::json::array();
};

// A valid model document: post-norm ReLU layers, learned positions, biases, a final norm.
inline nlohmann::json modelDocument(const ModelSpec& spec)
{
    using nlohmann::json;
    ModelConfig c;
    c.type = spec.type == "encoder" ? ArchType::Encoder
           : spec.type == "decoder" ? ArchType::Decoder
                                    : ArchType::EncoderDecoder;
    c.dModel = spec.dModel;
    c.nHeads = spec.nHeads;
    c.dFf = spec.dFf;
    c.encoderLayers = c.hasEncoder() ? spec.layers : 0;
    c.decoderLayers = c.hasDecoder() ? spec.layers : 0;
    c.positional = Positional::Learned;
    c.maxLen = spec.maxLen;
    c.bias = true;
    c.finalNorm = true;
    json m;
    m["format"] = "attnscope-model";
    m["version"] = 1;
    m["name"] = spec.name;
    m["description"] = spec.description;
    m["architecture"] = {{"type", spec.type},     {"d_model", c.dModel},          {"n_heads", c.nHeads},
                         {"d_ff", c.dFf},         {"encoder_layers", c.encoderLayers},
                         {"decoder_layers", c.decoderLayers},                     {"activation", "relu"},
                         {"norm", "post"},        {"layer_norm_eps", 1e-5},       {"positional", "learned"},
                         {"max_len", c.maxLen},   {"bias", true},                 {"tied_output", false},
                         {"final_norm", true}};
    m["tokenizer"] = {{"type", "char"},
                      {"vocab", spec.vocab},
                      {"special_tokens",
                       {{"pad", "<pad>"}, {"unk", "<unk>"}, {"bos", "<s>"}, {"eos", "</s>"}, {"mask", "[MASK]"}}}};
    if (spec.type == "encoder-decoder") m["tokenizer"]["source_suffix"] = {"eos"};
    if (spec.type == "decoder") m["tokenizer"]["source_prefix"] = {"bos"};
    json w = json::object();
    int k = 0;
    const int v = static_cast<int>(spec.vocab.size());
    for (const auto& s : requiredTensors(c, v, v)) {
        size_t n = 1;
        for (int d : s.shape) n *= size_t(d);
        std::vector<float> values(n);
        for (size_t i = 0; i < n; ++i) values[i] = spec.weight(k, int(i));
        if (spec.mixedEncodings && k % 2 == 0) w[s.name] = {{"shape", s.shape}, {"data", values}};
        else w[s.name] = {{"shape", s.shape}, {"b64", encodeFloat32Base64(values.data(), n)}};
        ++k;
    }
    m["weights"] = w;
    m["examples"] = spec.examples;
    return m;
}

// type: "encoder", "decoder" or "encoder-decoder". d_model 4, 2 heads, one layer per
// stack, char vocabulary <pad> <unk> <s> </s> [MASK] a b c d; deterministic weights.
inline nlohmann::json tinyModel(const std::string& type, int maxLen = 8)
{
    ModelSpec spec;
    spec.type = type;
    spec.name = "tiny-" + type;
    spec.description = "tiny";
    spec.maxLen = maxLen;
    spec.vocab = {"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", "d"};
    spec.weight = [](int k, int i) { return 0.1f * float((k * 7 + i * 3) % 13) - 0.6f; };
    spec.mixedEncodings = true;
    spec.examples = nlohmann::json::array({{{"text", "abc"}}});
    return modelDocument(spec);
}

// Writes `text` to `path` (test setup: any failure aborts the test binary); returns the path.
inline QString writeFile(const QString& path, const std::string& text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text.c_str(), qint64(text.size())) != qint64(text.size()))
        qFatal("cannot write test file %s", qPrintable(path));
    return path;
}

} // namespace attnscope::test
