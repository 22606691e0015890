// Small, valid model documents built in code for loader and inference tests (the
// reference comparison against PyTorch uses the files in tests/data/golden/ instead).
#pragma once

#include "core/model_config.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace attnscope::test {

// type: "encoder", "decoder" or "encoder-decoder". d_model 4, 2 heads, one layer per
// stack, char vocabulary <pad> <unk> <s> </s> [MASK] a b c d; deterministic weights.
inline nlohmann::json tinyModel(const std::string& type, int maxLen = 8)
{
    using nlohmann::json;
    ModelConfig c;
    c.type = type == "encoder" ? ArchType::Encoder : type == "decoder" ? ArchType::Decoder : ArchType::EncoderDecoder;
    c.dModel = 4;
    c.nHeads = 2;
    c.dFf = 8;
    c.encoderLayers = c.hasEncoder() ? 1 : 0;
    c.decoderLayers = c.hasDecoder() ? 1 : 0;
    c.positional = Positional::Learned;
    c.maxLen = maxLen;
    c.bias = true;
    c.finalNorm = true;
    json m;
    m["format"] = "attnscope-model";
    m["version"] = 1;
    m["name"] = "tiny-" + type;
    m["description"] = "tiny";
    m["architecture"] = {{"type", type},          {"d_model", 4},        {"n_heads", 2},
                         {"d_ff", 8},             {"encoder_layers", c.encoderLayers},
                         {"decoder_layers", c.decoderLayers},            {"activation", "relu"},
                         {"norm", "post"},        {"layer_norm_eps", 1e-5}, {"positional", "learned"},
                         {"max_len", maxLen},     {"bias", true},        {"tied_output", false},
                         {"final_norm", true}};
    json specials = {{"pad", "<pad>"}, {"unk", "<unk>"}, {"bos", "<s>"}, {"eos", "</s>"}, {"mask", "[MASK]"}};
    m["tokenizer"] = {{"type", "char"},
                      {"vocab", {"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", "d"}},
                      {"special_tokens", specials}};
    if (type == "encoder-decoder") m["tokenizer"]["source_suffix"] = {"eos"};
    if (type == "decoder") m["tokenizer"]["source_prefix"] = {"bos"};
    json w = json::object();
    int k = 0;
    for (const auto& s : requiredTensors(c, 9, 9)) {
        size_t n = 1;
        for (int d : s.shape) n *= size_t(d);
        std::vector<float> values(n);
        for (size_t i = 0; i < n; ++i) values[i] = 0.1f * float((k * 7 + int(i) * 3) % 13) - 0.6f;
        if (k++ % 2) w[s.name] = {{"shape", s.shape}, {"b64", encodeFloat32Base64(values.data(), n)}};
        else w[s.name] = {{"shape", s.shape}, {"data", values}};
    }
    m["weights"] = w;
    m["examples"] = json::array({{{"text", "abc"}}});
    return m;
}

} // namespace attnscope::test
