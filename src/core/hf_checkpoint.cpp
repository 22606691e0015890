// Hugging Face folder loader. Order matters, as in model_loader.cpp: config.json is read and
// validated into a ModelConfig (the family's preset), every tensor the engine needs is located in
// the safetensors file(s) through the family's naming table and its shape checked, and only then
// is the one weight block allocated and filled (transposes and splits of fused tensors are
// explicit copies here; the engine never sees a checkpoint's own layout).
#include "core/hf_checkpoint.h"

#include "core/errors.h"
#include "core/hf_tokenizer.h"
#include "core/image.h"
#include "core/json_util.h"
#include "core/safetensors_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxConfigBytes = size_t(16) << 20;

std::string readTextFile(const fs::path& path, size_t limit)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path.string() + ": cannot open file: " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw IoError(path.string() + ": cannot read file");
    if (static_cast<unsigned long long>(size) > limit)
        throw ModelError(path.string(), "/", "file is " + std::to_string(size) + " bytes (limit " + std::to_string(limit) + ")");
    in.seekg(0);
    std::string text(static_cast<size_t>(size), '\0');
    if (size > 0 && !in.read(text.data(), size)) throw IoError(path.string() + ": read failed");
    return text;
}

std::string quote(const std::string& s) { return "\"" + s + "\""; }

std::string shapeText(const std::vector<long long>& s)
{
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

// config.json values, with the JSON pointer of each in errors.
class ConfigReader {
public:
    ConfigReader(const JsonReader& r, const Json& root) : m_r(r), m_root(root) {}

    bool has(const char* key) const { return m_root.find(key) != m_root.end() && !m_root[key].is_null(); }
    int integer(const char* key, long long min, long long max) const
    {
        return static_cast<int>(m_r.requireInt(m_root, "", key, min, max));
    }
    int integer(const char* key, long long min, long long max, int fallback) const
    {
        return has(key) ? integer(key, min, max) : fallback;
    }
    float positive(const char* key, float fallback) const
    {
        if (!has(key)) return fallback;
        const double v = m_r.requireNumber(m_root, "", key);
        if (!(v > 0.0) || v > 1.0) m_r.fail(std::string("/") + key, "expected a value in (0, 1]");
        return static_cast<float>(v);
    }
    // A number in [min, max].
    float number(const char* key, double min, double max, float fallback) const
    {
        if (!has(key)) return fallback;
        const double v = m_r.requireNumber(m_root, "", key);
        if (!(v >= min && v <= max))
            m_r.fail(std::string("/") + key, "expected a value in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
        return static_cast<float>(v);
    }
    // An int n (n × n) or a pair [a, b] (Hugging Face's image_size / patch_size), each in [min, max].
    std::pair<int, int> intPair(const char* key, int min, int max, int fallback) const
    {
        if (!has(key)) return {fallback, fallback};
        const Json& v = m_root[key];
        if (!v.is_array()) {
            const int n = integer(key, min, max);
            return {n, n};
        }
        const std::string p = std::string("/") + key;
        if (v.size() != 2) m_r.fail(p, "expected an integer or [height, width], got " + std::to_string(v.size()) + " values");
        int out[2];
        for (size_t i = 0; i < 2; ++i) {
            const std::string pi = p + "/" + std::to_string(i);
            if (!v[i].is_number_integer()) m_r.fail(pi, "expected an integer, got " + typeName(v[i]));
            const long long x = v[i].get<long long>();
            if (x < min || x > max)
                m_r.fail(pi, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                                 std::to_string(x));
            out[i] = static_cast<int>(x);
        }
        return {out[0], out[1]};
    }
    const Json* object(const char* key) const
    {
        if (!has(key)) return nullptr;
        m_r.expectType(m_root[key], std::string("/") + key, "object");
        return &m_root[key];
    }
    const JsonReader& reader() const { return m_r; }
    bool boolean(const char* key, bool fallback) const { return has(key) ? m_r.requireBool(m_root, "", key) : fallback; }
    std::string string(const char* key, const std::string& fallback) const
    {
        return has(key) ? m_r.requireString(m_root, "", key) : fallback;
    }
    Activation activation(const char* key, const std::string& fallback) const
    {
        const std::string a = string(key, fallback);
        if (a == "gelu") return Activation::Gelu;
        if (a == "gelu_new" || a == "gelu_pytorch_tanh" || a == "gelu_fast") return Activation::GeluTanh;
        if (a == "relu") return Activation::Relu;
        if (a == "silu" || a == "swish") return Activation::Silu;
        fail(key, "unsupported activation " + quote(a) +
                      " (AttnScope supports gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu)");
    }
    // Refuses an option whose value the engine does not implement.
    void require(const char* key, bool ok, const std::string& why) const
    {
        if (!ok) fail(key, why);
    }
    [[noreturn]] void fail(const char* key, const std::string& message) const { m_r.fail(std::string("/") + key, message); }

private:
    const JsonReader& m_r;
    const Json& m_root;
};

void checkShape(const ConfigReader& cfg, const ModelConfig& c)
{
    if (c.dModel % c.nHeads != 0)
        cfg.fail("num_attention_heads", "the width " + std::to_string(c.dModel) + " is not divisible by " +
                                            std::to_string(c.nHeads) + " heads");
}

// --- family presets: config.json -> ModelConfig ---------------------------------------------

// The body as BERT, GPT-NeoX and ViT name it (Llama too, with its checks in between): hidden_size,
// num_attention_heads (dividing it), num_hidden_layers (of the encoder or the decoder),
// intermediate_size, hidden_act.
void bodyShape(const ConfigReader& cfg, ModelConfig& c, const char* activation)
{
    c.dModel = cfg.integer("hidden_size", 1, kMaxDModel);
    c.nHeads = cfg.integer("num_attention_heads", 1, kMaxHeads);
    checkShape(cfg, c);
    (c.type == ArchType::Decoder ? c.decoderLayers : c.encoderLayers) = cfg.integer("num_hidden_layers", 1, kMaxLayers);
    c.dFf = cfg.integer("intermediate_size", 1, kMaxDFf);
    c.activation = cfg.activation("hidden_act", activation);
}

ModelConfig gpt2Config(const ConfigReader& cfg)
{
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = cfg.integer("n_embd", 1, kMaxDModel);
    c.nHeads = cfg.integer("n_head", 1, kMaxHeads);
    if (c.dModel % c.nHeads != 0)
        cfg.fail("n_head", "n_embd " + std::to_string(c.dModel) + " is not divisible by n_head " + std::to_string(c.nHeads));
    c.decoderLayers = cfg.integer("n_layer", 1, kMaxLayers);
    c.dFf = cfg.integer("n_inner", 1, kMaxDFf, 4 * c.dModel);
    c.activation = cfg.activation("activation_function", "gelu_new");
    c.norm = NormPosition::Pre;
    c.layerNormEps = cfg.positive("layer_norm_epsilon", 1e-5f);
    c.positional = Positional::Learned;
    c.maxLen = cfg.integer("n_positions", 1, kMaxLen);
    c.bias = true;
    c.headBias = false;
    c.tiedOutput = true;
    c.finalNorm = true;
    cfg.require("scale_attn_weights", cfg.boolean("scale_attn_weights", true),
                "unscaled attention (scale_attn_weights false) is not supported");
    cfg.require("scale_attn_by_inverse_layer_idx", !cfg.boolean("scale_attn_by_inverse_layer_idx", false),
                "scale_attn_by_inverse_layer_idx is not supported");
    cfg.require("add_cross_attention", !cfg.boolean("add_cross_attention", false),
                "GPT-2 with cross-attention is not supported");
    cfg.require("tie_word_embeddings", cfg.boolean("tie_word_embeddings", true),
                "an untied GPT-2 head is not supported");
    return c;
}

// BERT and RoBERTa share the layout; RoBERTa's positions start at pad_token_id + 1.
ModelConfig bertConfig(const ConfigReader& cfg, bool roberta)
{
    ModelConfig c;
    c.type = ArchType::Encoder;
    bodyShape(cfg, c, "gelu");
    c.norm = NormPosition::Post;
    c.layerNormEps = cfg.positive("layer_norm_eps", 1e-12f);
    c.positional = Positional::Learned;
    const int positions = cfg.integer("max_position_embeddings", 1, kMaxLen + 1024);
    if (roberta) {
        const int pad = cfg.integer("pad_token_id", 0, 1000, 1);
        c.positionOffset = pad + 1;
        if (positions <= c.positionOffset)
            cfg.fail("max_position_embeddings", "RoBERTa's positions start at pad_token_id + 1 = " +
                                                    std::to_string(c.positionOffset) + "; " + std::to_string(positions) +
                                                    " rows leave none");
        c.maxLen = std::min(positions - c.positionOffset, kMaxLen);
        c.headActivation = Activation::Gelu; // RobertaLMHead applies erf gelu whatever hidden_act says
    } else {
        c.maxLen = std::min(positions, kMaxLen);
    }
    c.typeVocab = cfg.integer("type_vocab_size", 0, 1024, 2);
    c.embedNorm = true;
    c.bias = true;
    c.tiedOutput = true;
    c.headBias = true;
    c.headTransform = true;
    c.finalNorm = false;
    const std::string positionType = cfg.string("position_embedding_type", "absolute");
    cfg.require("position_embedding_type", positionType == "absolute",
                "position_embedding_type " + quote(positionType) + " is not supported (only \"absolute\")");
    cfg.require("is_decoder", !cfg.boolean("is_decoder", false), "BERT as a decoder is not supported");
    cfg.require("tie_word_embeddings", cfg.boolean("tie_word_embeddings", true), "an untied MLM head is not supported");
    return c;
}

ModelConfig distilbertConfig(const ConfigReader& cfg)
{
    ModelConfig c;
    c.type = ArchType::Encoder;
    c.dModel = cfg.integer("dim", 1, kMaxDModel);
    c.nHeads = cfg.integer("n_heads", 1, kMaxHeads);
    if (c.dModel % c.nHeads != 0)
        cfg.fail("n_heads", "dim " + std::to_string(c.dModel) + " is not divisible by n_heads " + std::to_string(c.nHeads));
    c.encoderLayers = cfg.integer("n_layers", 1, kMaxLayers);
    c.dFf = cfg.integer("hidden_dim", 1, kMaxDFf);
    c.activation = cfg.activation("activation", "gelu");
    c.norm = NormPosition::Post;
    c.layerNormEps = 1e-12f; // fixed in DistilBERT's code, not in its config
    c.positional = Positional::Learned; // also with sinusoidal_pos_embds: the table is stored
    c.maxLen = cfg.integer("max_position_embeddings", 1, kMaxLen);
    c.embedNorm = true;
    c.bias = true;
    c.tiedOutput = true;
    c.headBias = true;
    c.headTransform = true;
    cfg.require("tie_word_embeddings", cfg.boolean("tie_word_embeddings", true), "an untied MLM head is not supported");
    return c;
}

// Rotary options shared by Llama and GPT-NeoX: rope_theta (or NeoX's rotary_emb_base) and
// rope_scaling (none, or linear with its factor; every other kind refused by name).
void rotaryConfig(const ConfigReader& cfg, ModelConfig& c, const char* thetaKey)
{
    c.positional = Positional::Rotary;
    c.ropeTheta = cfg.number(thetaKey, 1.0, 1e9, cfg.number("rope_theta", 1.0, 1e9, 10000.0f));
    if (const Json* scaling = cfg.object("rope_scaling")) {
        const JsonReader& r = cfg.reader();
        const char* typeKey = scaling->find("rope_type") != scaling->end() ? "rope_type" : "type";
        const std::string type = r.requireString(*scaling, "/rope_scaling", typeKey);
        if (type == "linear") {
            const double factor = r.requireNumber(*scaling, "/rope_scaling", "factor");
            if (!(factor >= 1.0 && factor <= 1024.0)) r.fail("/rope_scaling/factor", "expected a factor in [1, 1024]");
            c.ropeScale = static_cast<float>(factor);
        } else if (type != "default") {
            r.fail(std::string("/rope_scaling/") + typeKey,
                   "rope_scaling type " + quote(type) + " is not supported (AttnScope supports none and \"linear\")");
        }
    }
}

// Llama, Mistral, Qwen2 (and SmolLM, TinyLlama: model_type llama): RMSNorm, rotary, SwiGLU,
// grouped-query attention.
ModelConfig llamaConfig(const ConfigReader& cfg, const std::string& kind)
{
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = cfg.integer("hidden_size", 1, kMaxDModel);
    c.nHeads = cfg.integer("num_attention_heads", 1, kMaxHeads);
    checkShape(cfg, c);
    c.nKvHeads = cfg.integer("num_key_value_heads", 1, kMaxHeads, c.nHeads);
    if (c.nHeads % c.nKvHeads != 0)
        cfg.fail("num_key_value_heads", std::to_string(c.nKvHeads) + " key/value heads do not divide " +
                                            std::to_string(c.nHeads) + " attention heads");
    if (cfg.has("head_dim") && cfg.integer("head_dim", 1, kMaxDModel) != c.dHead())
        cfg.fail("head_dim", "head_dim " + std::to_string(cfg.integer("head_dim", 1, kMaxDModel)) +
                                 " differs from hidden_size / num_attention_heads = " + std::to_string(c.dHead()) +
                                 " (not supported)");
    c.decoderLayers = cfg.integer("num_hidden_layers", 1, kMaxLayers);
    c.dFf = cfg.integer("intermediate_size", 1, kMaxDFf);
    c.activation = cfg.activation("hidden_act", "silu");
    c.gatedFfn = true;
    c.norm = NormPosition::Pre;
    c.normKind = NormKind::RmsNorm;
    c.layerNormEps = cfg.positive("rms_norm_eps", 1e-6f);
    const int positions = cfg.integer("max_position_embeddings", 1, 1 << 24, 2048);
    c.maxLen = std::min(positions, kMaxLen);
    rotaryConfig(cfg, c, "rope_theta");
    c.finalNorm = true;
    c.tiedOutput = cfg.boolean("tie_word_embeddings", false); // the default of all three configs
    c.headBias = false;
    if (kind == "qwen2") {
        c.bias = false;
        c.qkvBias = true; // Qwen2: q, k and v have biases, o and the MLP none
    } else {
        c.bias = false;
        const bool attentionBias = cfg.boolean("attention_bias", false);
        cfg.require("mlp_bias", !cfg.boolean("mlp_bias", false), "mlp_bias true is not supported");
        if (attentionBias) {
            // Llama's attention_bias puts biases on q, k, v and o; the MLP stays without.
            cfg.fail("attention_bias", "attention_bias true is not supported yet (q/k/v/o biases without MLP biases)");
        }
    }
    // Sliding-window attention changes the mask only beyond the window: refused when it could matter.
    const bool sliding = kind == "mistral" ? cfg.has("sliding_window")
                                           : kind == "qwen2" && cfg.boolean("use_sliding_window", false);
    if (sliding && cfg.has("sliding_window")) {
        const int window = cfg.integer("sliding_window", 1, 1 << 30);
        if (window < c.maxLen)
            cfg.fail("sliding_window", "sliding-window attention (window " + std::to_string(window) +
                                           " < max length " + std::to_string(c.maxLen) + ") is not supported");
    }
    return c;
}

// GPT-NeoX (Pythia): LayerNorm, partial rotary, parallel residual, fused per-head q|k|v.
ModelConfig neoxConfig(const ConfigReader& cfg)
{
    ModelConfig c;
    c.type = ArchType::Decoder;
    bodyShape(cfg, c, "gelu");
    c.norm = NormPosition::Pre;
    c.layerNormEps = cfg.positive("layer_norm_eps", 1e-5f);
    const int positions = cfg.integer("max_position_embeddings", 1, 1 << 24, 2048);
    c.maxLen = std::min(positions, kMaxLen);
    rotaryConfig(cfg, c, "rotary_emb_base");
    c.rotaryFraction = cfg.positive("rotary_pct", 1.0f);
    if (c.rotaryDims() == 0) cfg.fail("rotary_pct", "rotary_pct leaves no rotated dimension in a head");
    c.parallelResidual = cfg.boolean("use_parallel_residual", true);
    c.bias = cfg.boolean("attention_bias", true);
    cfg.require("attention_bias", c.bias, "GPT-NeoX without biases is not supported");
    c.headBias = false;
    c.finalNorm = true;
    c.tiedOutput = cfg.boolean("tie_word_embeddings", false);
    return c;
}

// ViT (ViTModel, ViTForImageClassification): a pre-norm encoder over image patches, final
// LayerNorm, classifier on [CLS] (docs/vit.md).
ModelConfig vitConfig(const ConfigReader& cfg)
{
    ModelConfig c;
    c.type = ArchType::Encoder;
    bodyShape(cfg, c, "gelu");
    c.norm = NormPosition::Pre; // layernorm_before / layernorm_after
    c.layerNormEps = cfg.positive("layer_norm_eps", 1e-12f);
    c.positional = Positional::Learned;
    c.bias = true;
    c.qkvBias = cfg.boolean("qkv_bias", true);
    c.headBias = true;
    c.tiedOutput = false;
    c.finalNorm = true;
    c.imageChannels = cfg.integer("num_channels", 1, kMaxImageChannels, 3);
    const auto [h, w] = cfg.intPair("image_size", 1, kMaxImageSide, 224);
    const auto [ph, pw] = cfg.intPair("patch_size", 1, kMaxImageSide, 16);
    if (ph > h || pw > w)
        cfg.fail("patch_size", "a patch of " + std::to_string(ph) + " × " + std::to_string(pw) +
                                   " does not fit the image_size " + std::to_string(h) + " × " + std::to_string(w));
    c.imageHeight = h;
    c.imageWidth = w;
    c.patchHeight = ph;
    c.patchWidth = pw;
    const long long patches = static_cast<long long>(h / ph) * (w / pw);
    if (patches + 1 > kMaxLen)
        cfg.fail("image_size", std::to_string(patches) + " patches (+ [CLS]) exceed the engine's " + std::to_string(kMaxLen) +
                                   " positions");
    c.maxLen = static_cast<int>(patches) + 1;
    cfg.require("use_mask_token", !cfg.boolean("use_mask_token", false), "ViT's mask token is not supported");
    return c;
}

// --- naming tables ---------------------------------------------------------------------------

// How a checkpoint stores one tensor (see HfTensorSource).
struct Layout {
    bool prefixed = true;
    bool transposed = false;
    int part = 0, parts = 1;
    int interleave = 0;
};

// A family's naming table: rows whose names hold "{i}" for the layer index, expanded per layer.
class NamingTable {
public:
    void one(const std::string& engine, const std::string& checkpoint, Layout l = {})
    {
        HfTensorSource row;
        row.engineName = engine;
        row.checkpointName = checkpoint;
        row.prefixed = l.prefixed;
        row.transposed = l.transposed;
        row.part = l.part;
        row.parts = l.parts;
        row.interleave = l.interleave;
        m_rows.push_back(std::move(row));
    }
    // A tensor stored under another shape with the engine's values in the same order.
    void reshaped(const std::string& engine, const std::string& checkpoint, std::vector<long long> storedShape)
    {
        one(engine, checkpoint);
        m_rows.back().storedShape = std::move(storedShape);
    }
    // A Linear's weight (in the given layout) and its bias (never transposed, split alike).
    void linear(const std::string& engine, const std::string& checkpoint, Layout l = {})
    {
        one(engine + ".weight", checkpoint + ".weight", l);
        one(engine + ".bias", checkpoint + ".bias", {l.prefixed, false, l.part, l.parts, l.interleave});
    }
    // A LayerNorm's weight and bias.
    void norm(const std::string& engine, const std::string& checkpoint, bool prefixed = true)
    {
        linear(engine, checkpoint, {prefixed});
    }
    std::vector<HfTensorSource> expand(int layers) const
    {
        std::vector<HfTensorSource> out;
        for (const HfTensorSource& r : m_rows) {
            const size_t at = r.engineName.find("{i}");
            if (at == std::string::npos) {
                out.push_back(r);
                continue;
            }
            for (int i = 0; i < layers; ++i) {
                HfTensorSource row = r;
                row.engineName.replace(at, 3, std::to_string(i));
                row.checkpointName.replace(row.checkpointName.find("{i}"), 3, std::to_string(i));
                out.push_back(std::move(row));
            }
        }
        return out;
    }

private:
    std::vector<HfTensorSource> m_rows;
};

std::vector<HfTensorSource> gpt2Table(const ModelConfig& c)
{
    NamingTable t;
    t.one("decoder.embed.weight", "wte.weight");
    t.one("decoder.pos.weight", "wpe.weight");
    t.norm("decoder.norm", "ln_f");
    const std::string l = "decoder.layers.{i}.", h = "h.{i}.";
    // Conv1D stores its weight [in, out]; c_attn's output is [Q | K | V].
    const Layout conv1d{true, true};
    t.norm(l + "norm1", h + "ln_1");
    t.linear(l + "self_attn.q_proj", h + "attn.c_attn", {true, true, 0, 3});
    t.linear(l + "self_attn.k_proj", h + "attn.c_attn", {true, true, 1, 3});
    t.linear(l + "self_attn.v_proj", h + "attn.c_attn", {true, true, 2, 3});
    t.linear(l + "self_attn.out_proj", h + "attn.c_proj", conv1d);
    t.norm(l + "norm2", h + "ln_2");
    t.linear(l + "linear1", h + "mlp.c_fc", conv1d);
    t.linear(l + "linear2", h + "mlp.c_proj", conv1d);
    return t.expand(c.decoderLayers);
}

std::vector<HfTensorSource> bertTable(const ModelConfig& c, bool roberta)
{
    NamingTable t;
    t.one("encoder.embed.weight", "embeddings.word_embeddings.weight");
    t.one("encoder.pos.weight", "embeddings.position_embeddings.weight");
    if (c.typeVocab > 0) t.one("encoder.type.weight", "embeddings.token_type_embeddings.weight");
    t.norm("encoder.embed_norm", "embeddings.LayerNorm");
    const std::string l = "encoder.layers.{i}.", h = "encoder.layer.{i}.";
    t.linear(l + "self_attn.q_proj", h + "attention.self.query");
    t.linear(l + "self_attn.k_proj", h + "attention.self.key");
    t.linear(l + "self_attn.v_proj", h + "attention.self.value");
    t.linear(l + "self_attn.out_proj", h + "attention.output.dense");
    t.norm(l + "norm1", h + "attention.output.LayerNorm");
    t.linear(l + "linear1", h + "intermediate.dense");
    t.linear(l + "linear2", h + "output.dense");
    t.norm(l + "norm2", h + "output.LayerNorm");
    if (roberta) {
        t.linear("lm_head.transform", "lm_head.dense", {false});
        t.norm("lm_head.transform_norm", "lm_head.layer_norm", false);
        t.one("lm_head.bias", "lm_head.bias", {false});
    } else {
        t.linear("lm_head.transform", "cls.predictions.transform.dense", {false});
        t.norm("lm_head.transform_norm", "cls.predictions.transform.LayerNorm", false);
        t.one("lm_head.bias", "cls.predictions.bias", {false});
    }
    return t.expand(c.encoderLayers);
}

std::vector<HfTensorSource> distilbertTable(const ModelConfig& c)
{
    NamingTable t;
    t.one("encoder.embed.weight", "embeddings.word_embeddings.weight");
    t.one("encoder.pos.weight", "embeddings.position_embeddings.weight");
    t.norm("encoder.embed_norm", "embeddings.LayerNorm");
    const std::string l = "encoder.layers.{i}.", h = "transformer.layer.{i}.";
    t.linear(l + "self_attn.q_proj", h + "attention.q_lin");
    t.linear(l + "self_attn.k_proj", h + "attention.k_lin");
    t.linear(l + "self_attn.v_proj", h + "attention.v_lin");
    t.linear(l + "self_attn.out_proj", h + "attention.out_lin");
    t.norm(l + "norm1", h + "sa_layer_norm");
    t.linear(l + "linear1", h + "ffn.lin1");
    t.linear(l + "linear2", h + "ffn.lin2");
    t.norm(l + "norm2", h + "output_layer_norm");
    t.linear("lm_head.transform", "vocab_transform", {false});
    t.norm("lm_head.transform_norm", "vocab_layer_norm", false);
    t.one("lm_head.bias", "vocab_projector.bias", {false});
    return t.expand(c.encoderLayers);
}

std::vector<HfTensorSource> llamaTable(const ModelConfig& c)
{
    NamingTable t;
    t.one("decoder.embed.weight", "embed_tokens.weight");
    t.one("decoder.norm.weight", "norm.weight");
    const std::string l = "decoder.layers.{i}.", h = "layers.{i}.";
    t.one(l + "norm1.weight", h + "input_layernorm.weight");
    t.linear(l + "self_attn.q_proj", h + "self_attn.q_proj");
    t.linear(l + "self_attn.k_proj", h + "self_attn.k_proj");
    t.linear(l + "self_attn.v_proj", h + "self_attn.v_proj");
    t.linear(l + "self_attn.out_proj", h + "self_attn.o_proj");
    t.one(l + "norm2.weight", h + "post_attention_layernorm.weight");
    t.linear(l + "gate_proj", h + "mlp.gate_proj");
    t.linear(l + "linear1", h + "mlp.up_proj");
    t.linear(l + "linear2", h + "mlp.down_proj");
    t.one("lm_head.weight", "lm_head.weight", {false});
    return t.expand(c.decoderLayers);
}

std::vector<HfTensorSource> vitTable(const ModelConfig& c)
{
    NamingTable t;
    const long long d = c.dModel, n = c.maxLen;
    // Stored with Conv2d's and nn.Parameter's own shapes; the values are the engine's, row-major.
    t.reshaped("encoder.patch.weight", "embeddings.patch_embeddings.projection.weight",
               {d, c.imageChannels, c.patchHeight, c.patchWidth});
    t.one("encoder.patch.bias", "embeddings.patch_embeddings.projection.bias");
    t.reshaped("encoder.cls.weight", "embeddings.cls_token", {1, 1, d});
    t.reshaped("encoder.pos.weight", "embeddings.position_embeddings", {1, n, d});
    const std::string l = "encoder.layers.{i}.", h = "encoder.layer.{i}.";
    t.norm(l + "norm1", h + "layernorm_before");
    t.linear(l + "self_attn.q_proj", h + "attention.attention.query");
    t.linear(l + "self_attn.k_proj", h + "attention.attention.key");
    t.linear(l + "self_attn.v_proj", h + "attention.attention.value");
    t.linear(l + "self_attn.out_proj", h + "attention.output.dense");
    t.norm(l + "norm2", h + "layernorm_after");
    t.linear(l + "linear1", h + "intermediate.dense");
    t.linear(l + "linear2", h + "output.dense");
    t.norm("encoder.norm", "layernorm");
    t.linear("lm_head", "classifier", {false});
    return t.expand(c.encoderLayers);
}

std::vector<HfTensorSource> neoxTable(const ModelConfig& c)
{
    NamingTable t;
    t.one("decoder.embed.weight", "embed_in.weight");
    t.norm("decoder.norm", "final_layer_norm");
    const std::string l = "decoder.layers.{i}.", h = "layers.{i}.";
    const int dk = c.dHead();
    t.norm(l + "norm1", h + "input_layernorm");
    t.linear(l + "self_attn.q_proj", h + "attention.query_key_value", {true, false, 0, 3, dk});
    t.linear(l + "self_attn.k_proj", h + "attention.query_key_value", {true, false, 1, 3, dk});
    t.linear(l + "self_attn.v_proj", h + "attention.query_key_value", {true, false, 2, 3, dk});
    t.linear(l + "self_attn.out_proj", h + "attention.dense");
    t.norm(l + "norm2", h + "post_attention_layernorm");
    t.linear(l + "linear1", h + "mlp.dense_h_to_4h");
    t.linear(l + "linear2", h + "mlp.dense_4h_to_h");
    t.one("lm_head.weight", "embed_out.weight", {false});
    return t.expand(c.decoderLayers);
}

// --- the family registry ---------------------------------------------------------------------

struct Family {
    const char* modelType;
    std::vector<std::string> architectures; // accepted config.json "architectures" entries
    std::vector<std::string> bare;          // those of them without an output head (BertModel)
    std::vector<std::string> prefixes;      // optional prefix of the body's tensor names
    HfTokenizerHint tokenizer;              // which kind of tokenizer files to read
    std::function<ModelConfig(const ConfigReader&)> config;
    std::function<std::vector<HfTensorSource>(const ModelConfig&)> table;
    // Tensors of the checkpoint that are not weights the engine uses (buffers, tied copies,
    // heads of other tasks); names without the prefix.
    std::function<bool(const std::string&)> ignored;
    // Copies of a tied weight that checkpoints may store (checkpoint name without prefix → the
    // engine tensor it must equal): checked, since a copy that differs means an untied head.
    std::vector<std::pair<std::string, std::string>> tiedCopies;
};

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const std::vector<Family>& families()
{
    static const std::vector<Family> all = {
        {"gpt2", {"GPT2LMHeadModel", "GPT2Model"}, {}, {"transformer."}, HfTokenizerHint::ByteLevelBpe, gpt2Config, gpt2Table,
         [](const std::string& n) {
             // The causal-mask buffers of older checkpoints, and the tied head when saved.
             return endsWith(n, ".attn.bias") || endsWith(n, ".attn.masked_bias") || n == "lm_head.weight";
         },
         {{"lm_head.weight", "decoder.embed.weight"}}},
        {"bert", {"BertForMaskedLM", "BertForPreTraining", "BertModel"}, {"BertModel"}, {"bert."}, HfTokenizerHint::WordPiece,
         [](const ConfigReader& c) { return bertConfig(c, false); },
         [](const ModelConfig& c) { return bertTable(c, false); },
         [](const std::string& n) {
             return startsWith(n, "pooler.") || n == "embeddings.position_ids" || startsWith(n, "cls.seq_relationship.") ||
                    n == "cls.predictions.decoder.weight" || n == "cls.predictions.decoder.bias";
         },
         {{"cls.predictions.decoder.weight", "encoder.embed.weight"}, {"cls.predictions.decoder.bias", "lm_head.bias"}}},
        {"roberta", {"RobertaForMaskedLM", "RobertaModel"}, {"RobertaModel"}, {"roberta."}, HfTokenizerHint::ByteLevelBpe,
         [](const ConfigReader& c) { return bertConfig(c, true); },
         [](const ModelConfig& c) { return bertTable(c, true); },
         [](const std::string& n) {
             return startsWith(n, "pooler.") || n == "embeddings.position_ids" || n == "lm_head.decoder.weight" ||
                    n == "lm_head.decoder.bias";
         },
         {{"lm_head.decoder.weight", "encoder.embed.weight"}, {"lm_head.decoder.bias", "lm_head.bias"}}},
        {"distilbert", {"DistilBertForMaskedLM", "DistilBertModel"}, {"DistilBertModel"}, {"distilbert."},
         HfTokenizerHint::WordPiece, distilbertConfig, distilbertTable,
         [](const std::string& n) { return n == "vocab_projector.weight" || n == "embeddings.position_ids"; },
         {{"vocab_projector.weight", "encoder.embed.weight"}}},
        {"llama", {"LlamaForCausalLM", "LlamaModel"}, {"LlamaModel"}, {"model."}, HfTokenizerHint::Auto,
         [](const ConfigReader& c) { return llamaConfig(c, "llama"); }, llamaTable,
         [](const std::string& n) { return endsWith(n, ".rotary_emb.inv_freq") || n == "lm_head.weight"; },
         {{"lm_head.weight", "decoder.embed.weight"}}},
        {"mistral", {"MistralForCausalLM", "MistralModel"}, {"MistralModel"}, {"model."}, HfTokenizerHint::Auto,
         [](const ConfigReader& c) { return llamaConfig(c, "mistral"); }, llamaTable,
         [](const std::string& n) { return endsWith(n, ".rotary_emb.inv_freq") || n == "lm_head.weight"; },
         {{"lm_head.weight", "decoder.embed.weight"}}},
        {"qwen2", {"Qwen2ForCausalLM", "Qwen2Model"}, {"Qwen2Model"}, {"model."}, HfTokenizerHint::Auto,
         [](const ConfigReader& c) { return llamaConfig(c, "qwen2"); }, llamaTable,
         [](const std::string& n) { return endsWith(n, ".rotary_emb.inv_freq") || n == "lm_head.weight"; },
         {{"lm_head.weight", "decoder.embed.weight"}}},
        {"gpt_neox", {"GPTNeoXForCausalLM", "GPTNeoXModel"}, {"GPTNeoXModel"}, {"gpt_neox."}, HfTokenizerHint::Auto,
         neoxConfig, neoxTable,
         [](const std::string& n) {
             return endsWith(n, ".attention.bias") || endsWith(n, ".attention.masked_bias") ||
                    endsWith(n, ".rotary_emb.inv_freq") || n == "embed_out.weight";
         },
         {{"embed_out.weight", "decoder.embed.weight"}}},
        {"vit", {"ViTForImageClassification", "ViTModel"}, {"ViTModel"}, {"vit."}, HfTokenizerHint::Auto, vitConfig,
         vitTable, [](const std::string& n) { return startsWith(n, "pooler."); }, {}},
    };
    return all;
}

const Family* findFamily(const std::string& modelType)
{
    for (const Family& f : families())
        if (modelType == f.modelType) return &f;
    return nullptr;
}

// --- weights ---------------------------------------------------------------------------------

// Every tensor of the checkpoint, whichever file holds it.
struct TensorIndex {
    std::vector<std::unique_ptr<SafetensorsFile>> files;
    std::map<std::string, std::pair<const SafetensorsFile*, const SafetensorsFile::Tensor*>> tensors;
};

TensorIndex openWeights(const fs::path& folder)
{
    TensorIndex index;
    const fs::path single = folder / "model.safetensors";
    const fs::path sharded = folder / "model.safetensors.index.json";
    std::error_code ec;
    if (fs::exists(single, ec)) {
        index.files.push_back(std::make_unique<SafetensorsFile>(single.string()));
    } else if (fs::exists(sharded, ec)) {
        const std::string file = sharded.string();
        const JsonReader r(file);
        const Json root = parseModelJson(readTextFile(sharded, kMaxConfigBytes), file);
        r.expectType(root, "/", "object");
        const Json& map = r.requireObject(root, "", "weight_map");
        std::map<std::string, const SafetensorsFile*> opened;
        for (const auto& [name, value] : map.items()) {
            const std::string p = "/weight_map/" + jsonPointerEscape(name);
            r.expectType(value, p, "string");
            const std::string shard = value.get<std::string>();
            if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..")
                r.fail(p, "shard " + quote(shard) + " is not a file name in the folder");
            if (!opened.count(shard)) {
                if (!fs::exists(folder / shard, ec)) r.fail(p, "names " + quote(shard) + ", which does not exist");
                index.files.push_back(std::make_unique<SafetensorsFile>((folder / shard).string()));
                opened[shard] = index.files.back().get();
            }
            if (!opened[shard]->find(name)) r.fail(p, "tensor is not in " + quote(shard));
        }
        if (index.files.empty()) r.fail("/weight_map", "names no shard");
    } else if (fs::exists(folder / "pytorch_model.bin", ec) || fs::exists(folder / "pytorch_model.bin.index.json", ec)) {
        const fs::path bin = fs::exists(folder / "pytorch_model.bin", ec) ? folder / "pytorch_model.bin"
                                                                          : folder / "pytorch_model.bin.index.json";
        throw ModelError(bin.string(), "/",
                         "PyTorch pickle checkpoints are not opened: unpickling can run arbitrary code. Convert it "
                         "once with `python3 tools/bin_to_safetensors.py " + folder.string() +
                             "` (torch.load with weights_only=True), then open the folder again");
    } else {
        throw IoError(folder.string() + ": no model.safetensors or model.safetensors.index.json in the folder");
    }
    for (const auto& file : index.files)
        for (const auto& [name, t] : file->tensors()) {
            const auto [it, fresh] = index.tensors.emplace(name, std::make_pair(file.get(), &t));
            if (!fresh)
                throw ModelError(file->path(), "/" + jsonPointerEscape(name), "tensor is also in " + it->second.first->path());
        }
    return index;
}

// The checkpoint names a row may have: with or without the family's prefix, and with the
// legacy LayerNorm names (gamma/beta) of TF-converted checkpoints.
std::vector<std::string> candidates(const HfTensorSource& s, const Family& f)
{
    std::vector<std::string> bases = {s.checkpointName};
    if (endsWith(s.checkpointName, "LayerNorm.weight"))
        bases.push_back(s.checkpointName.substr(0, s.checkpointName.size() - 6) + "gamma");
    if (endsWith(s.checkpointName, "LayerNorm.bias"))
        bases.push_back(s.checkpointName.substr(0, s.checkpointName.size() - 4) + "beta");
    std::vector<std::string> out;
    for (const std::string& b : bases) {
        if (s.prefixed)
            for (const std::string& p : f.prefixes) out.push_back(p + b);
        out.push_back(b);
    }
    return out;
}

HfTensorSource tiedRow(const std::string& engine, const std::string& checkpoint)
{
    HfTensorSource row;
    row.engineName = engine;
    row.checkpointName = checkpoint;
    return row;
}

std::string stripPrefix(const std::string& name, const Family& f)
{
    for (const std::string& p : f.prefixes)
        if (startsWith(name, p)) return name.substr(p.size());
    return name;
}

struct Placed {
    const TensorSpec* spec;
    const HfTensorSource* source;
    const SafetensorsFile* file;
    const SafetensorsFile::Tensor* tensor;
};

// The shape the checkpoint must have for this row to give the engine's tensor `spec`.
std::vector<long long> expectedShape(const TensorSpec& spec, const HfTensorSource& s)
{
    if (!s.storedShape.empty()) return s.storedShape;
    std::vector<long long> shape(spec.shape.begin(), spec.shape.end());
    if (!shape.empty()) shape[0] *= s.parts; // fused along the output dimension
    if (s.transposed && shape.size() == 2) std::swap(shape[0], shape[1]);
    return shape;
}

// The values of the checkpoint tensor a row reads: F32 data straight from the mapping, F16/BF16
// widened once into scratch (kept while consecutive rows read the same fused tensor, as Q, K and V
// of GPT-2's c_attn do).
struct SourceValues {
    const SafetensorsFile::Tensor* cached = nullptr;
    std::vector<float> scratch;

    const float* of(const Placed& p)
    {
        if (const float* mapped = p.file->mappedFloat(*p.tensor)) return mapped;
        if (cached != p.tensor) {
            scratch.resize(p.tensor->count());
            p.file->readFloat(*p.tensor, scratch.data());
            cached = p.tensor;
        }
        return scratch.data();
    }
};

// Copies the row's part of the checkpoint tensor into out (the engine's [out, in] layout), then
// checks every value copied is finite.
void fillFrom(const Placed& p, float* out, SourceValues& values)
{
    const HfTensorSource& s = *p.source;
    const float* src = values.of(p);
    const std::vector<int>& shape = p.spec->shape;
    const size_t rows = size_t(shape[0]), cols = shape.size() == 2 ? size_t(shape[1]) : 1; // engine: [out, in]
    if (s.interleave > 0) {
        // [out·parts, in] in blocks: block b holds rows b·interleave … of each part in turn.
        const size_t block = size_t(s.interleave), parts = size_t(s.parts);
        for (size_t o = 0; o < rows; ++o) {
            const size_t from = (o / block) * parts * block + size_t(s.part) * block + o % block;
            std::copy_n(src + from * cols, cols, out + o * cols);
        }
    } else if (shape.size() == 1) {
        std::copy_n(src + size_t(s.part) * rows, rows, out); // a bias, or a slice of a fused one
    } else if (s.transposed) {
        // checkpoint [in, out·parts]: engine(o, i) = ckpt(i, part·out + o), in 32 × 32 blocks so
        // that both sides stay in cache.
        constexpr size_t kBlock = 32;
        const size_t stride = rows * size_t(s.parts), first = size_t(s.part) * rows;
        for (size_t i0 = 0; i0 < cols; i0 += kBlock)
            for (size_t o0 = 0; o0 < rows; o0 += kBlock)
                for (size_t i = i0; i < std::min(cols, i0 + kBlock); ++i)
                    for (size_t o = o0; o < std::min(rows, o0 + kBlock); ++o) out[o * cols + i] = src[i * stride + first + o];
    } else {
        std::copy_n(src + size_t(s.part) * rows * cols, rows * cols, out); // [out·parts, in]: a block of rows
    }
    const size_t n = rows * cols;
    for (size_t k = 0; k < n; ++k)
        if (!std::isfinite(out[k]))
            throw ModelError(p.file->path(), "/" + jsonPointerEscape(p.tensor->name),
                             "a value is not finite (element " + std::to_string(k) + " of " + p.spec->name + ")");
}

void loadWeights(const fs::path& folder, const Family& family, const ModelConfig& c, int vocab, Model& m)
{
    TensorIndex index = openWeights(folder);
    const std::vector<TensorSpec> specs = requiredTensors(c, vocab, vocab);
    const std::vector<HfTensorSource> table = family.table(c);
    std::map<std::string, const HfTensorSource*> byEngineName;
    for (const HfTensorSource& s : table) byEngineName[s.engineName] = &s;

    std::set<std::string> used;
    std::vector<Placed> placed;
    std::set<std::string> dtypes;
    const std::string where = index.files.size() == 1 ? index.files[0]->path() : (folder / "model.safetensors.index.json").string();
    for (const TensorSpec& spec : specs) {
        const auto it = byEngineName.find(spec.name);
        if (it == byEngineName.end()) // a table that misses an engine tensor is a programming error
            throw ModelError(where, "/", "internal: no checkpoint name for " + spec.name);
        const HfTensorSource& s = *it->second;
        const std::vector<std::string> names = candidates(s, family);
        const std::pair<const SafetensorsFile*, const SafetensorsFile::Tensor*>* found = nullptr;
        for (const std::string& n : names) {
            const auto t = index.tensors.find(n);
            if (t != index.tensors.end()) {
                found = &t->second;
                used.insert(n);
                break;
            }
        }
        if (!found) throw ModelError(where, "/" + jsonPointerEscape(names.front()), "missing tensor (needed for " + spec.name + ")");
        const auto& [file, tensor] = *found;
        const std::string p = "/" + jsonPointerEscape(tensor->name);
        const std::vector<long long> want = expectedShape(spec, s);
        if (tensor->shape != want)
            throw ModelError(file->path(), p, "expected shape " + shapeText(want) + " from config.json, got " + shapeText(tensor->shape));
        if (tensor->dtype == TensorDtype::Other)
            throw ModelError(file->path(), p + "/dtype", "a weight must be F32, F16 or BF16, got \"" + tensor->dtypeName + "\"");
        dtypes.insert(tensor->dtypeName);
        placed.push_back({&spec, &s, file, tensor});
    }
    for (const auto& [name, entry] : index.tensors) {
        if (used.count(name) || family.ignored(stripPrefix(name, family))) continue;
        throw ModelError(entry.first->path(), "/" + jsonPointerEscape(name), "unexpected tensor (not part of a " +
                                                                                  std::string(family.modelType) + " model this build opens)");
    }
    // One F32 file whose tensors the engine can use as stored (BERT's Linear weights are [out, in]
    // already): the weights are views into the mapping, no copy; pages load on first use. Every
    // value is still checked. Otherwise (transposes, splits, F16/BF16, shards) one copy.
    const bool inPlace = index.files.size() == 1 && std::all_of(placed.begin(), placed.end(), [](const Placed& p) {
                             const float* v = p.file->mappedFloat(*p.tensor);
                             return v && !p.source->transposed && p.source->parts == 1 &&
                                    (reinterpret_cast<const unsigned char*>(v) - p.file->bytes()) % sizeof(float) == 0;
                         });
    if (inPlace) {
        const SafetensorsFile& file = *index.files.front();
        const auto* base = reinterpret_cast<const float*>(file.bytes());
        m.weights.adopt(base, file.byteCount() / sizeof(float), file.keepAlive());
        for (const Placed& p : placed) {
            const float* v = file.mappedFloat(*p.tensor);
            for (size_t k = 0, n = p.tensor->count(); k < n; ++k)
                if (!std::isfinite(v[k]))
                    throw ModelError(file.path(), "/" + jsonPointerEscape(p.tensor->name),
                                     "value " + std::to_string(k) + " is not finite");
            m.weights.declareAt(p.spec->name, p.spec->shape, size_t(v - base));
        }
    } else {
        for (const TensorSpec& spec : specs) m.weights.declare(spec.name, spec.shape);
        m.weights.allocate();
        SourceValues values;
        for (const Placed& p : placed) fillFrom(p, m.weights.mutableData(p.spec->name), values);
    }
    std::vector<float> scratch;
    for (const auto& [copyName, engineName] : family.tiedCopies) {
        if (!c.tiedOutput || !m.weights.has(engineName)) continue;
        for (const std::string& n : candidates(tiedRow(engineName, copyName), family)) {
            const auto t = index.tensors.find(n);
            if (t == index.tensors.end()) continue;
            const auto& [file, tensor] = t->second;
            const std::vector<int>& shape = m.weights.entry(engineName).shape;
            const std::string p = "/" + jsonPointerEscape(tensor->name);
            if (tensor->shape != std::vector<long long>(shape.begin(), shape.end()) || tensor->dtype == TensorDtype::Other)
                throw ModelError(file->path(), p, "a stored copy of the tied " + engineName + " with another shape or dtype");
            scratch.resize(tensor->count());
            file->readFloat(*tensor, scratch.data());
            if (!std::equal(scratch.begin(), scratch.end(), m.weights.data(engineName)))
                throw ModelError(file->path(), p, "differs from the tied weight it copies (an untied output head is not "
                                                  "supported for model_type " + std::string(family.modelType) + ")");
        }
    }
    std::string dtype;
    for (const std::string& d : dtypes) dtype += (dtype.empty() ? "" : "+") + d;
    m.dtype = dtype;
}

// A folder without tokenizer files still opens: its vocabulary is the ids themselves ("#15"),
// which a word tokenizer reads back from text like "#15 #995".
void idTokenizer(int vocab, Model& m)
{
    m.sourceTokenizer = idsOnlyTokenizer(vocab);
    m.targetTokenizer = m.sourceTokenizer;
}

// The folder's tokenizer, or the ids-only one when it has no tokenizer files. A tokenizer whose
// ids reach past the embedding is refused at the first such token's place in its file.
void attachTokenizer(const fs::path& folder, const Family& family, int vocab, Model& m)
{
    std::error_code ec;
    const bool any = fs::exists(folder / "tokenizer.json", ec) || fs::exists(folder / "vocab.json", ec) ||
                     fs::exists(folder / "vocab.txt", ec);
    if (!any) {
        idTokenizer(vocab, m);
        return;
    }
    HfTokenizer t = loadHfTokenizer(folder.string(), family.tokenizer);
    const Vocabulary& v = t.tokenizer.vocab();
    if (v.size() > vocab) {
        const std::string& token = v.token(vocab);
        const std::string where = endsWith(t.file, "vocab.txt")        ? "line " + std::to_string(vocab + 1)
                                  : endsWith(t.file, "tokenizer.json") ? "/model/vocab/" + jsonPointerEscape(token)
                                                                       : "/" + jsonPointerEscape(token);
        throw ModelError(t.file, where, "token id " + std::to_string(vocab) + " (\"" + token +
                                            "\") is past the model's vocabulary: config.json /vocab_size is " +
                                            std::to_string(vocab) + " but the tokenizer has " + std::to_string(v.size()) +
                                            " tokens");
    }
    m.sourceTokenizer = t.tokenizer;
    m.targetTokenizer = std::move(t.tokenizer);
    m.sourcePrefix = std::move(t.prefix);
    m.sourceSuffix = std::move(t.suffix);
    m.tokenizerFile = t.file;
}

} // namespace

bool isHfFolder(const std::string& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec) && fs::exists(fs::path(path) / "config.json", ec);
}

std::vector<std::string> hfSupportedModelTypes()
{
    std::vector<std::string> out;
    for (const Family& f : families()) out.push_back(f.modelType);
    return out;
}

std::vector<HfTensorSource> hfNamingTable(const std::string& modelType, const ModelConfig& config)
{
    const Family* f = findFamily(modelType);
    return f ? f->table(config) : std::vector<HfTensorSource>{};
}

HfConfig parseHfConfig(const std::string& text, const std::string& configFile)
{
    const JsonReader r(configFile);
    const Json root = parseModelJson(text, configFile);
    r.expectType(root, "/", "object");
    const std::string modelType = r.requireString(root, "", "model_type");
    const Family* family = findFamily(modelType);
    if (!family) {
        std::string known;
        for (const std::string& t : hfSupportedModelTypes()) known += (known.empty() ? "" : ", ") + t;
        r.fail("/model_type", "unsupported model_type " + quote(modelType) + " (this build opens " + known + ")");
    }
    if (root.find("architectures") != root.end() && !root["architectures"].is_null()) {
        const Json& arch = r.requireArray(root, "", "architectures");
        for (size_t i = 0; i < arch.size(); ++i) {
            const std::string p = "/architectures/" + std::to_string(i);
            r.expectType(arch[i], p, "string");
            const std::string a = arch[i].get<std::string>();
            if (std::find(family->architectures.begin(), family->architectures.end(), a) == family->architectures.end()) {
                std::string known;
                for (const std::string& k : family->architectures) known += (known.empty() ? "" : ", ") + k;
                r.fail(p, "architecture " + quote(a) + " is not supported for model_type " + quote(modelType) +
                              " (this build opens " + known + ")");
            }
        }
    }
    const ConfigReader cfg(r, root);
    HfConfig out;
    out.modelType = modelType;
    out.config = family->config(cfg);
    if (root.find("architectures") != root.end() && root["architectures"].is_array())
        for (const Json& a : root["architectures"])
            if (std::find(family->bare.begin(), family->bare.end(), a.get<std::string>()) != family->bare.end())
                out.config.lmHead = false;
    if (out.config.isVision()) {
        // The classifier's rows are the classes of id2label ("0": "cat", …), ids 0 … K − 1; without
        // one, Hugging Face's default of two labels LABEL_0, LABEL_1.
        if (const Json* labels = cfg.object("id2label")) {
            out.classNames.assign(labels->size(), std::string());
            if (labels->empty() && out.config.lmHead) r.fail("/id2label", "a classifier needs at least one label");
            for (const auto& [key, value] : labels->items()) {
                const std::string p = "/id2label/" + jsonPointerEscape(key);
                size_t used = 0;
                long long id = -1;
                try {
                    id = std::stoll(key, &used);
                } catch (const std::exception&) {
                }
                if (used != key.size() || id < 0 || id >= static_cast<long long>(labels->size()))
                    r.fail(p, "expected ids 0 … " + std::to_string(labels->size() - 1) + " as keys");
                r.expectType(value, p, "string");
                out.classNames[size_t(id)] = value.get<std::string>();
            }
        } else {
            out.classNames = {"LABEL_0", "LABEL_1"};
        }
        if (out.classNames.size() > size_t(kMaxVocab)) r.fail("/id2label", "too many labels");
        out.vocabSize = out.config.lmHead ? static_cast<int>(out.classNames.size()) : 1;
    } else {
        out.vocabSize = cfg.integer("vocab_size", 1, kMaxVocab);
    }
    if (root.find("architectures") != root.end() && root["architectures"].is_array() && !root["architectures"].empty())
        out.architecture = root["architectures"][0].get<std::string>();
    return out;
}

std::shared_ptr<Model> loadHfFolder(const std::string& folderName)
{
    const fs::path folder(folderName);
    const fs::path configPath = folder / "config.json";
    std::error_code ec;
    if (!fs::exists(configPath, ec)) throw IoError(folderName + ": no config.json in the folder");
    const HfConfig hf = parseHfConfig(readTextFile(configPath, kMaxConfigBytes), configPath.string());
    const Family* family = findFamily(hf.modelType);
    const std::string& modelType = hf.modelType;
    const int vocab = hf.vocabSize;
    auto m = std::make_shared<Model>();
    m->config = hf.config;
    m->format = "huggingface";
    m->family = modelType;
    m->path = folderName;
    m->name = folder.filename().empty() ? folder.parent_path().filename().string() : folder.filename().string();
    loadWeights(folder, *family, m->config, vocab, *m);
    if (m->config.isVision()) {
        // Outputs are named by class; the image processor comes from preprocessor_config.json,
        // checked against the model's image size, or is ViTImageProcessor's default.
        TokenizerOptions names;
        names.kind = TokenizerKind::Word;
        names.splitPunctuation = false;
        m->sourceTokenizer = Tokenizer(names, Vocabulary(hf.classNames));
        m->targetTokenizer = m->sourceTokenizer;
        const ModelConfig& c = m->config;
        const fs::path pre = folder / "preprocessor_config.json";
        m->imageProcessor = fs::exists(pre, ec) ? parseImageProcessor(readTextFile(pre, kMaxConfigBytes), pre.string(),
                                                                      c.imageChannels, c.imageHeight, c.imageWidth)
                                                : defaultImageProcessor(c.imageChannels, c.imageHeight, c.imageWidth);
    } else {
        attachTokenizer(folder, *family, vocab, *m);
    }
    m->description = (hf.architecture.empty() ? modelType : hf.architecture) + " from a Hugging Face folder" +
                     (m->config.lmHead ? "" : " (no output head: attention and hidden states only)");
    return m;
}

} // namespace attnscope
