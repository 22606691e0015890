// Names and shapes of the tensors each architecture needs; the single source of truth
// that the loader checks files against (mirrors the tables in docs/model-format.md).
#include "core/model_config.h"

namespace attnscope {

std::string toString(ArchType type)
{
    switch (type) {
    case ArchType::Encoder: return "encoder";
    case ArchType::Decoder: return "decoder";
    case ArchType::EncoderDecoder: return "encoder-decoder";
    }
    return {};
}

std::string toString(Activation activation)
{
    switch (activation) {
    case Activation::Relu: return "relu";
    case Activation::Gelu: return "gelu";
    case Activation::GeluTanh: return "gelu_tanh";
    case Activation::Silu: return "silu";
    }
    return {};
}
std::string toString(NormPosition norm) { return norm == NormPosition::Pre ? "pre" : "post"; }
std::string toString(Positional positional)
{
    switch (positional) {
    case Positional::Sinusoidal: return "sinusoidal";
    case Positional::Learned: return "learned";
    case Positional::Rotary: return "rotary";
    }
    return {};
}
std::string toString(NormKind kind) { return kind == NormKind::RmsNorm ? "rmsnorm" : "layernorm"; }

namespace {

void addLinear(std::vector<TensorSpec>& out, const std::string& prefix, int outDim, int inDim, bool bias)
{
    out.push_back({prefix + ".weight", {outDim, inDim}});
    if (bias)
        out.push_back({prefix + ".bias", {outDim}});
}

void addNorm(std::vector<TensorSpec>& out, const std::string& prefix, int d, NormKind kind)
{
    out.push_back({prefix + ".weight", {d}});
    if (kind == NormKind::LayerNorm) out.push_back({prefix + ".bias", {d}});
}

void addAttention(std::vector<TensorSpec>& out, const std::string& prefix, const ModelConfig& c)
{
    const int d = c.dModel, kv = c.kvDim();
    addLinear(out, prefix + ".q_proj", d, d, c.hasQkvBias());
    addLinear(out, prefix + ".k_proj", kv, d, c.hasQkvBias());
    addLinear(out, prefix + ".v_proj", kv, d, c.hasQkvBias());
    addLinear(out, prefix + ".out_proj", d, d, c.bias);
}

void addLayer(std::vector<TensorSpec>& out, const ModelConfig& c, const std::string& prefix, bool cross)
{
    auto addNorm = [&](std::vector<TensorSpec>& o, const std::string& p, int d) { ::attnscope::addNorm(o, p, d, c.normKind); };
    addAttention(out, prefix + ".self_attn", c);
    if (cross)
        addAttention(out, prefix + ".multihead_attn", c);
    if (c.gatedFfn) addLinear(out, prefix + ".gate_proj", c.dFf, c.dModel, c.bias);
    addLinear(out, prefix + ".linear1", c.dFf, c.dModel, c.bias);
    addLinear(out, prefix + ".linear2", c.dModel, c.dFf, c.bias);
    addNorm(out, prefix + ".norm1", c.dModel);
    addNorm(out, prefix + ".norm2", c.dModel);
    if (cross)
        addNorm(out, prefix + ".norm3", c.dModel);
}

} // namespace

std::vector<TensorSpec> requiredTensors(const ModelConfig& c, int sourceVocab, int targetVocab)
{
    std::vector<TensorSpec> out;
    const int d = c.dModel;
    auto addNorm = [&](std::vector<TensorSpec>& o, const std::string& p, int width) {
        ::attnscope::addNorm(o, p, width, c.normKind);
    };
    const bool learned = c.positional == Positional::Learned;
    // Token embeddings, positions, then the v2 extras: token types (on the input stack) and the
    // embedding norm (on each stack).
    auto addEmbeddings = [&](const std::string& stack, int vocab, bool input) {
        if (c.isVision()) { // patch projection, [CLS] row and positions instead of a token table
            out.push_back({stack + ".patch.weight", {d, c.patchDim()}});
            out.push_back({stack + ".patch.bias", {d}});
            out.push_back({stack + ".cls.weight", {1, d}});
            out.push_back({stack + ".pos.weight", {c.positionRows(), d}});
            return;
        }
        out.push_back({stack + ".embed.weight", {vocab, d}});
        if (learned) out.push_back({stack + ".pos.weight", {c.positionRows(), d}});
        if (input && c.typeVocab > 0) out.push_back({stack + ".type.weight", {c.typeVocab, d}});
        if (c.embedNorm) addNorm(out, stack + ".embed_norm", d);
    };
    if (c.hasEncoder()) addEmbeddings("encoder", sourceVocab, true);
    if (c.hasDecoder())
        addEmbeddings("decoder", c.type == ArchType::Decoder ? sourceVocab : targetVocab, c.type == ArchType::Decoder);
    for (int i = 0; i < c.encoderLayers; ++i)
        addLayer(out, c, "encoder.layers." + std::to_string(i), false);
    for (int i = 0; i < c.decoderLayers; ++i)
        addLayer(out, c, "decoder.layers." + std::to_string(i), c.hasCrossAttention());
    if (c.finalNorm) {
        if (c.hasEncoder())
            addNorm(out, "encoder.norm", d);
        if (c.hasDecoder())
            addNorm(out, "decoder.norm", d);
    }
    const int outVocab = c.type == ArchType::EncoderDecoder ? targetVocab : sourceVocab;
    if (!c.lmHead) return out;
    if (c.headTransform) {
        addLinear(out, "lm_head.transform", d, d, true);
        addNorm(out, "lm_head.transform_norm", d);
    }
    if (!c.tiedOutput)
        out.push_back({"lm_head.weight", {outVocab, d}});
    if (c.hasHeadBias())
        out.push_back({"lm_head.bias", {outVocab}});
    return out;
}

} // namespace attnscope
