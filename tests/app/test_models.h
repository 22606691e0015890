// Model documents for the app tests, built in code: like tests/core/tiny_models.h but with
// two layers per stack and four heads, so stack/layer/head switching has somewhere to go,
// and a vocabulary with a space, an accented letter and a CJK character.
#pragma once

#include "core/model_config.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QString>

#include <string>
#include <vector>

namespace attnscope::test {

inline nlohmann::json appModel(const std::string& type)
{
    using nlohmann::json;
    ModelConfig c;
    c.type = type == "encoder" ? ArchType::Encoder : type == "decoder" ? ArchType::Decoder : ArchType::EncoderDecoder;
    c.dModel = 8;
    c.nHeads = 4;
    c.dFf = 16;
    c.encoderLayers = c.hasEncoder() ? 2 : 0;
    c.decoderLayers = c.hasDecoder() ? 2 : 0;
    c.positional = Positional::Learned;
    c.maxLen = 24;
    c.finalNorm = true;
    const std::vector<std::string> vocab = {"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", "d", "e", "f",
                                            " ",     "\xC3\xA9", "\xE7\x8C\xAB"}; // é 猫
    json m;
    m["format"] = "attnscope-model";
    m["version"] = 1;
    m["name"] = "app-" + type;
    m["description"] = "App test model";
    m["architecture"] = {{"type", type},      {"d_model", 8},       {"n_heads", 4},       {"d_ff", 16},
                         {"encoder_layers", c.encoderLayers},        {"decoder_layers", c.decoderLayers},
                         {"activation", "relu"}, {"norm", "post"},  {"layer_norm_eps", 1e-5},
                         {"positional", "learned"}, {"max_len", 24}, {"bias", true},       {"tied_output", false},
                         {"final_norm", true}};
    m["tokenizer"] = {{"type", "char"},
                      {"vocab", vocab},
                      {"special_tokens",
                       {{"pad", "<pad>"}, {"unk", "<unk>"}, {"bos", "<s>"}, {"eos", "</s>"}, {"mask", "[MASK]"}}}};
    if (type == "encoder-decoder") m["tokenizer"]["source_suffix"] = {"eos"};
    if (type == "decoder") m["tokenizer"]["source_prefix"] = {"bos"};
    json w = json::object();
    int k = 0;
    const int v = static_cast<int>(vocab.size());
    for (const auto& s : requiredTensors(c, v, v)) {
        size_t n = 1;
        for (int d : s.shape) n *= size_t(d);
        std::vector<float> values(n);
        for (size_t i = 0; i < n; ++i) values[i] = 0.15f * float((k * 7 + int(i) * 5) % 17) - 1.2f;
        w[s.name] = {{"shape", s.shape}, {"b64", encodeFloat32Base64(values.data(), n)}};
        ++k;
    }
    m["weights"] = w;
    m["examples"] = json::array({{{"text", "bad cafe"}, {"target", "face"}}, {{"text", "abc"}}});
    return m;
}

inline QString writeFile(const QString& path, const std::string& text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text.c_str(), qint64(text.size())) != qint64(text.size()))
        qFatal("cannot write test file %s", qPrintable(path));
    return path;
}

} // namespace attnscope::test
