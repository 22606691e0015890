// Model file loader. Order matters for safety: structure and architecture are validated,
// every declared tensor is checked against the data actually present, and only then is the
// single weight block allocated and filled.
#include "core/model_loader.h"

#include "core/hf_tokenizer.h"

#include "core/hf_checkpoint.h"
#include "core/llama2c.h"
#include "core/json_util.h"
#include "core/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace attnscope {

namespace {

int base64Value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

std::string shapeString(const std::vector<int>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string quote(const std::string& s) { return "\"" + s + "\""; }

// Version 2's architecture keys (docs/model-format.md, "Version 2"): the options that describe
// Hugging Face families as data. A version 1 file that uses one is refused, so that a v1 reader
// never meets a file it would misread.
void readVersion2Options(const JsonReader& r, const Json& a, const std::string& p, int version, ModelConfig& c)
{
    for (const char* key : {"type_vocab_size", "position_offset", "embedding_norm", "head_bias", "head_transform",
                            "head_activation", "lm_head", "norm_kind", "n_kv_heads", "rope_theta", "rotary_fraction",
                            "rope_scale", "gated_ffn", "parallel_residual", "qkv_bias", "vocab_size"})
        if (version < 2 && a.find(key) != a.end())
            r.fail(p + "/" + key, std::string("\"") + key + "\" needs \"version\": 2");
    if (version < 2) return;
    if (a.find("type_vocab_size") != a.end())
        c.typeVocab = static_cast<int>(r.requireInt(a, p, "type_vocab_size", 0, 1024));
    if (a.find("position_offset") != a.end())
        c.positionOffset = static_cast<int>(r.requireInt(a, p, "position_offset", 0, 1024));
    c.embedNorm = r.optionalBool(a, p, "embedding_norm", false);
    if (a.find("head_bias") != a.end()) c.headBias = r.requireBool(a, p, "head_bias");
    c.headTransform = r.optionalBool(a, p, "head_transform", false);
    if (a.find("head_activation") != a.end()) {
        const std::string h = r.requireEnum(a, p, "head_activation", {"relu", "gelu", "gelu_tanh"});
        c.headActivation = h == "relu" ? Activation::Relu : h == "gelu" ? Activation::Gelu : Activation::GeluTanh;
    }
    c.lmHead = r.optionalBool(a, p, "lm_head", true);
    if (c.positionOffset > 0 && c.positional != Positional::Learned)
        r.fail(p + "/position_offset", "a position offset needs learned positions");

    // Llama / Qwen2 / GPT-NeoX options.
    if (a.find("norm_kind") != a.end())
        c.normKind = r.requireEnum(a, p, "norm_kind", {"layernorm", "rmsnorm"}) == "rmsnorm" ? NormKind::RmsNorm
                                                                                           : NormKind::LayerNorm;
    if (a.find("n_kv_heads") != a.end()) {
        c.nKvHeads = static_cast<int>(r.requireInt(a, p, "n_kv_heads", 1, kMaxHeads));
        if (c.nHeads % c.nKvHeads != 0)
            r.fail(p + "/n_kv_heads", std::to_string(c.nKvHeads) + " key/value heads do not divide n_heads " +
                                          std::to_string(c.nHeads));
    }
    auto number = [&](const char* key, double lo, double hi, float fallback) {
        if (a.find(key) == a.end()) return fallback;
        const double v = r.requireNumber(a, p, key);
        if (!(v >= lo && v <= hi)) {
            char range[96];
            std::snprintf(range, sizeof range, "expected a value in [%g, %g], got %g", lo, hi, v);
            r.fail(p + "/" + key, range);
        }
        return static_cast<float>(v);
    };
    c.ropeTheta = number("rope_theta", 1.0, 1e9, c.ropeTheta);
    c.rotaryFraction = number("rotary_fraction", 1e-6, 1.0, c.rotaryFraction);
    c.ropeScale = number("rope_scale", 1.0, 1e6, c.ropeScale);
    c.gatedFfn = r.optionalBool(a, p, "gated_ffn", false);
    c.parallelResidual = r.optionalBool(a, p, "parallel_residual", false);
    if (a.find("qkv_bias") != a.end()) c.qkvBias = r.requireBool(a, p, "qkv_bias");
    if (c.positional == Positional::Rotary && c.rotaryDims() == 0)
        r.fail(p + "/rotary_fraction", "rotary_fraction leaves no rotated dimension in a head of " +
                                           std::to_string(c.dModel / std::max(c.nHeads, 1)));
    if (c.parallelResidual && c.norm != NormPosition::Pre)
        r.fail(p + "/parallel_residual", "a parallel residual needs \"norm\": \"pre\"");
}

ModelConfig readArchitecture(const JsonReader& r, const Json& root, int version)
{
    const std::string p = "/architecture";
    const Json& a = r.requireObject(root, "", "architecture");
    ModelConfig c;
    const std::string type = r.requireEnum(a, p, "type", {"encoder", "decoder", "encoder-decoder"});
    c.type = type == "encoder" ? ArchType::Encoder : type == "decoder" ? ArchType::Decoder : ArchType::EncoderDecoder;
    c.dModel = static_cast<int>(r.requireInt(a, p, "d_model", 1, kMaxDModel));
    c.nHeads = static_cast<int>(r.requireInt(a, p, "n_heads", 1, kMaxHeads));
    c.dFf = static_cast<int>(r.requireInt(a, p, "d_ff", 1, kMaxDFf));
    c.encoderLayers = static_cast<int>(r.requireInt(a, p, "encoder_layers", 0, kMaxLayers));
    c.decoderLayers = static_cast<int>(r.requireInt(a, p, "decoder_layers", 0, kMaxLayers));
    const std::string activation = version >= 2 ? r.requireEnum(a, p, "activation", {"relu", "gelu", "gelu_tanh", "silu"})
                                                : r.requireEnum(a, p, "activation", {"relu", "gelu"});
    c.activation = activation == "relu"   ? Activation::Relu
                   : activation == "gelu" ? Activation::Gelu
                   : activation == "silu" ? Activation::Silu
                                          : Activation::GeluTanh;
    c.norm = r.requireEnum(a, p, "norm", {"pre", "post"}) == "pre" ? NormPosition::Pre : NormPosition::Post;
    const double eps = r.requireNumber(a, p, "layer_norm_eps");
    if (!(eps > 0.0) || eps > 1.0) r.fail(p + "/layer_norm_eps", "expected a value in (0, 1]");
    c.layerNormEps = static_cast<float>(eps);
    const std::string positional = version >= 2 ? r.requireEnum(a, p, "positional", {"sinusoidal", "learned", "rotary"})
                                                : r.requireEnum(a, p, "positional", {"sinusoidal", "learned"});
    c.positional = positional == "learned"  ? Positional::Learned
                   : positional == "rotary" ? Positional::Rotary
                                            : Positional::Sinusoidal;
    c.maxLen = static_cast<int>(r.requireInt(a, p, "max_len", 1, kMaxLen));
    c.bias = r.requireBool(a, p, "bias");
    c.tiedOutput = r.requireBool(a, p, "tied_output");
    c.scaleEmbeddings = r.optionalBool(a, p, "scale_embeddings", false);
    c.finalNorm = r.optionalBool(a, p, "final_norm", c.norm == NormPosition::Pre);
    readVersion2Options(r, a, p, version, c);

    if (c.dModel % c.nHeads != 0)
        r.fail(p + "/n_heads", "d_model " + std::to_string(c.dModel) + " is not divisible by n_heads " +
                                   std::to_string(c.nHeads));
    if (c.hasEncoder() && c.encoderLayers < 1)
        r.fail(p + "/encoder_layers", "a " + type + " model needs at least one encoder layer");
    if (!c.hasEncoder() && c.encoderLayers != 0)
        r.fail(p + "/encoder_layers", "a decoder-only model has no encoder layers (expected 0)");
    if (c.hasDecoder() && c.decoderLayers < 1)
        r.fail(p + "/decoder_layers", "a " + type + " model needs at least one decoder layer");
    if (!c.hasDecoder() && c.decoderLayers != 0)
        r.fail(p + "/decoder_layers", "an encoder-only model has no decoder layers (expected 0)");
    return c;
}

Vocabulary readVocab(const JsonReader& r, const Json& tok, const char* key)
{
    const std::string p = std::string("/tokenizer/") + key;
    const Json& v = r.requireArray(tok, "/tokenizer", key);
    if (v.empty()) r.fail(p, "vocabulary is empty");
    if (v.size() > static_cast<size_t>(kMaxVocab))
        r.fail(p, "vocabulary has " + std::to_string(v.size()) + " entries (limit " + std::to_string(kMaxVocab) + ")");
    std::vector<std::string> tokens;
    tokens.reserve(v.size());
    std::set<std::string> seen;
    for (size_t i = 0; i < v.size(); ++i) {
        const std::string ip = p + "/" + std::to_string(i);
        r.expectType(v[i], ip, "string");
        std::string t = v[i].get<std::string>();
        if (sanitizeUtf8(t) != t) r.fail(ip, "token is not valid UTF-8");
        if (!seen.insert(t).second) r.fail(ip, "duplicate token " + quote(t));
        tokens.push_back(std::move(t));
    }
    return Vocabulary(std::move(tokens));
}

std::vector<SpecialRole> readRoles(const JsonReader& r, const Json& tok, const char* key,
                                   const std::set<SpecialRole>& defined)
{
    std::vector<SpecialRole> roles;
    if (tok.find(key) == tok.end()) return roles;
    const std::string p = std::string("/tokenizer/") + key;
    const Json& a = r.requireArray(tok, "/tokenizer", key);
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string ip = p + "/" + std::to_string(i);
        r.expectType(a[i], ip, "string");
        SpecialRole role;
        if (!specialRoleFromString(a[i].get<std::string>(), role))
            r.fail(ip, "unknown special-token role " + quote(a[i].get<std::string>()));
        if (!defined.count(role))
            r.fail(ip, "role " + quote(a[i].get<std::string>()) + " is not defined in /tokenizer/special_tokens");
        roles.push_back(role);
    }
    return roles;
}

// Version 2's {"type": "huggingface", "folder": F}: a Hugging Face tokenizer (tokenizer.json, or
// vocab.json + merges.txt, or vocab.txt, with their configs) in folder F beside the file, as
// `attnscope-cli convert` writes it. Errors inside name those files.
void readHfTokenizerFolder(const JsonReader& r, const Json& tok, const std::string& p, Model& m)
{
    for (const auto& [key, value] : tok.items())
        if (key != "type" && key != "folder")
            r.fail(p + "/" + jsonPointerEscape(key), "unexpected key (a huggingface tokenizer has \"type\" and \"folder\")");
    const std::string folder = r.requireString(tok, p, "folder");
    if (folder.empty()) r.fail(p + "/folder", "empty folder name");
    if (m.config.type == ArchType::EncoderDecoder)
        r.fail(p + "/type", "a huggingface tokenizer is for encoder-only and decoder-only models");
    const std::filesystem::path dir = std::filesystem::path(folder).is_absolute()
                                          ? std::filesystem::path(folder)
                                          : std::filesystem::path(r.file()).parent_path() / folder;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) r.fail(p + "/folder", "no folder " + quote(dir.string()));
    HfTokenizer t = loadHfTokenizer(dir.string(), HfTokenizerHint::Auto);
    m.sourceTokenizer = t.tokenizer;
    m.targetTokenizer = std::move(t.tokenizer);
    m.sourcePrefix = std::move(t.prefix);
    m.sourceSuffix = std::move(t.suffix);
    m.tokenizerFile = t.file;
}

void readTokenizer(const JsonReader& r, const Json& root, int version, Model& m)
{
    const std::string p = "/tokenizer";
    const Json& tok = r.requireObject(root, "", "tokenizer");
    const std::string type = version >= 2 ? r.requireEnum(tok, p, "type", {"char", "word", "huggingface", "ids"})
                                          : r.requireEnum(tok, p, "type", {"char", "word"});
    if (type == "huggingface") return readHfTokenizerFolder(r, tok, p, m);
    if (type == "ids") {
        // A checkpoint converted without tokenizer files: token ids are the input ("#15 #995",
        // or run --ids), one per embedding row.
        for (const auto& [key, value] : tok.items())
            if (key != "type") r.fail(p + "/" + jsonPointerEscape(key), "unexpected key (an ids tokenizer has only \"type\")");
        const Json& arch = root["architecture"];
        if (arch.find("vocab_size") == arch.end())
            r.fail("/architecture/vocab_size", "an ids tokenizer needs vocab_size (the embedding rows)");
        if (m.config.type == ArchType::EncoderDecoder) r.fail(p + "/type", "an ids tokenizer is for single-stack models");
        m.sourceTokenizer = idsOnlyTokenizer(static_cast<int>(r.requireInt(arch, "/architecture", "vocab_size", 1, kMaxVocab)));
        m.targetTokenizer = m.sourceTokenizer;
        return;
    }
    TokenizerOptions opt;
    opt.kind = type == "char" ? TokenizerKind::Char : TokenizerKind::Word;
    opt.lowercase = r.optionalBool(tok, p, "lowercase", false);
    opt.splitPunctuation = r.optionalBool(tok, p, "split_punctuation", true);

    Vocabulary source = readVocab(r, tok, "vocab");
    const bool separateTarget = tok.find("target_vocab") != tok.end();
    if (separateTarget && m.config.type != ArchType::EncoderDecoder)
        r.fail(p + "/target_vocab", "only encoder-decoder models may have a separate target vocabulary");
    Vocabulary target = separateTarget ? readVocab(r, tok, "target_vocab") : source;

    const Json& specials = r.requireObject(tok, p, "special_tokens");
    std::set<SpecialRole> defined;
    for (const auto& [name, value] : specials.items()) {
        const std::string sp = p + "/special_tokens/" + jsonPointerEscape(name);
        SpecialRole role;
        if (!specialRoleFromString(name, role))
            r.fail(sp, "unknown special-token role " + quote(name) + " (expected pad, unk, bos, eos, cls, sep or mask)");
        r.expectType(value, sp, "string");
        const std::string str = value.get<std::string>();
        const int sid = source.find(str);
        const int tid = target.find(str);
        if (sid < 0 && tid < 0) r.fail(sp, "token " + quote(str) + " is not in the vocabulary");
        if (sid >= 0) source.setSpecial(role, sid);
        if (tid >= 0) target.setSpecial(role, tid);
        defined.insert(role);
    }
    m.sourcePrefix = readRoles(r, tok, "source_prefix", defined);
    m.sourceSuffix = readRoles(r, tok, "source_suffix", defined);
    for (const SpecialRole role : m.sourcePrefix)
        if (source.special(role) < 0)
            r.fail(p + "/source_prefix", std::string("token for role ") + toString(role) + " is not in the source vocabulary");
    for (const SpecialRole role : m.sourceSuffix)
        if (source.special(role) < 0)
            r.fail(p + "/source_suffix", std::string("token for role ") + toString(role) + " is not in the source vocabulary");
    if (m.config.type == ArchType::EncoderDecoder) {
        const std::string where = separateTarget ? "target vocabulary" : "vocabulary";
        if (target.special(SpecialRole::Bos) < 0)
            r.fail(p + "/special_tokens/bos", "an encoder-decoder model needs a bos token in the " + where);
        if (target.special(SpecialRole::Eos) < 0)
            r.fail(p + "/special_tokens/eos", "an encoder-decoder model needs an eos token in the " + where);
    }
    m.sourceTokenizer = Tokenizer(opt, std::move(source));
    m.targetTokenizer = Tokenizer(opt, std::move(target));
}

// Checks one tensor's declaration against the data present; returns nothing, throws on error.
void checkTensor(const JsonReader& r, const Json& t, const std::string& p, const TensorSpec& spec)
{
    r.expectType(t, p, "object");
    const Json& shape = r.requireArray(t, p, "shape");
    std::vector<int> got;
    for (size_t i = 0; i < shape.size(); ++i) {
        const std::string sp = p + "/shape/" + std::to_string(i);
        r.expectType(shape[i], sp, "integer");
        const long long n = shape[i].is_number_unsigned() && shape[i].get<unsigned long long>() > (1ULL << 40)
                                ? -1
                                : shape[i].get<long long>();
        if (n < 1 || n > (1LL << 30)) r.fail(sp, "dimension must be a positive integer, got " + shape[i].dump());
        got.push_back(static_cast<int>(n));
    }
    if (got != spec.shape)
        r.fail(p, "expected shape " + shapeString(spec.shape) + ", got " + shapeString(got));
    for (const auto& [key, value] : t.items())
        if (key != "shape" && key != "data" && key != "b64")
            r.fail(p + "/" + jsonPointerEscape(key), "unexpected key (a tensor has \"shape\" and \"data\" or \"b64\")");
    const bool hasData = t.find("data") != t.end();
    const bool hasB64 = t.find("b64") != t.end();
    if (hasData == hasB64) r.fail(p, "a tensor needs exactly one of \"data\" or \"b64\"");
    size_t count = 1;
    for (const int d : spec.shape) count *= static_cast<size_t>(d);
    if (hasData) {
        const Json& data = r.requireArray(t, p, "data");
        if (data.size() != count)
            r.fail(p + "/data", "expected " + std::to_string(count) + " values, got " + std::to_string(data.size()));
    } else {
        const std::string b64 = r.requireString(t, p, "b64");
        const size_t expected = (count * 4 + 2) / 3 * 4;
        if (b64.size() != expected)
            r.fail(p + "/b64", "expected " + std::to_string(expected) + " base64 characters for " +
                                   std::to_string(count) + " float32 values, got " + std::to_string(b64.size()));
    }
}

void fillTensor(const JsonReader& r, const Json& t, const std::string& p, float* out, size_t count)
{
    if (t.find("data") != t.end()) {
        const Json& data = t["data"];
        for (size_t i = 0; i < count; ++i) {
            const Json& v = data[i];
            const std::string ip = p + "/data/" + std::to_string(i);
            if (!v.is_number()) r.fail(ip, "expected number, got " + typeName(v));
            const double d = v.get<double>();
            const float f = static_cast<float>(d);
            if (!std::isfinite(d) || !std::isfinite(f)) r.fail(ip, "value is not finite");
            out[i] = f;
        }
        return;
    }
    std::vector<float> values;
    try {
        values = decodeFloat32Base64(t["b64"].get<std::string>());
    } catch (const std::invalid_argument& e) {
        r.fail(p + "/b64", e.what());
    }
    if (values.size() != count)
        r.fail(p + "/b64", "expected " + std::to_string(count) + " values, got " + std::to_string(values.size()));
    for (size_t i = 0; i < count; ++i) {
        if (!std::isfinite(values[i])) r.fail(p + "/b64", "value " + std::to_string(i) + " is not finite");
        out[i] = values[i];
    }
}

void readWeights(const JsonReader& r, const Json& root, Model& m)
{
    int sourceVocab = m.sourceTokenizer.vocab().size(), targetVocab = m.targetTokenizer.vocab().size();
    // Version 2's vocab_size: the rows of the embedding and the logits when they exceed the
    // tokenizer's vocabulary (checkpoints pad it, e.g. Pythia's 50,304 rows for 50,277 tokens).
    const Json& arch = root["architecture"];
    if (arch.find("vocab_size") != arch.end()) {
        const int rows = static_cast<int>(r.requireInt(arch, "/architecture", "vocab_size", 1, kMaxVocab));
        if (m.config.type == ArchType::EncoderDecoder)
            r.fail("/architecture/vocab_size", "vocab_size is for encoder-only and decoder-only models");
        if (rows < sourceVocab)
            r.fail("/architecture/vocab_size", "vocab_size " + std::to_string(rows) + " is smaller than the tokenizer's " +
                                                   std::to_string(sourceVocab) + " tokens");
        sourceVocab = targetVocab = rows;
    }
    const auto specs = requiredTensors(m.config, sourceVocab, targetVocab);
    if (root.find("weights_file") != root.end()) {
        const std::string file = r.requireString(root, "", "weights_file");
        if (file.empty()) r.fail("/weights_file", "empty file name");
        if (root.find("weights") != root.end() && !(root["weights"].is_object() && root["weights"].empty()))
            r.fail("/weights", "a model with \"weights_file\" keeps its tensors there; \"weights\" must be absent or {}");
        const std::filesystem::path sidecar = std::filesystem::path(file).is_absolute()
                                                  ? std::filesystem::path(file)
                                                  : std::filesystem::path(r.file()).parent_path() / file;
        loadSafetensors(sidecar.string(), specs, m.weights);
        return;
    }
    const Json& w = r.requireObject(root, "", "weights");
    std::set<std::string> expected;
    for (const TensorSpec& spec : specs) {
        const std::string p = "/weights/" + jsonPointerEscape(spec.name);
        const auto it = w.find(spec.name);
        if (it == w.end()) r.fail(p, "missing tensor");
        checkTensor(r, *it, p, spec);
        expected.insert(spec.name);
    }
    for (const auto& [name, value] : w.items())
        if (!expected.count(name))
            r.fail("/weights/" + jsonPointerEscape(name), "unexpected tensor (not used by this architecture)");

    for (const TensorSpec& spec : specs) m.weights.declare(spec.name, spec.shape);
    m.weights.allocate();
    for (const TensorSpec& spec : specs)
        fillTensor(r, w[spec.name], "/weights/" + jsonPointerEscape(spec.name), m.weights.mutableData(spec.name),
                   m.weights.entry(spec.name).size());
}

void readExamples(const JsonReader& r, const Json& root, Model& m)
{
    if (root.find("examples") == root.end()) return;
    const Json& ex = r.requireArray(root, "", "examples");
    for (size_t i = 0; i < ex.size(); ++i) {
        const std::string p = "/examples/" + std::to_string(i);
        r.expectType(ex[i], p, "object");
        ModelExample e;
        e.text = r.requireString(ex[i], p, "text");
        if (ex[i].find("target") != ex[i].end() && !ex[i]["target"].is_null())
            e.target = r.requireString(ex[i], p, "target");
        m.examples.push_back(std::move(e));
    }
}

} // namespace

std::vector<float> decodeFloat32Base64(const std::string& b64)
{
    if (b64.size() % 4 != 0)
        throw std::invalid_argument("invalid base64: length " + std::to_string(b64.size()) + " is not a multiple of 4");
    std::vector<unsigned char> bytes;
    bytes.reserve(b64.size() / 4 * 3);
    for (size_t i = 0; i < b64.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const auto c = static_cast<unsigned char>(b64[i + k]);
            if (c == '=' && i + 4 == b64.size() && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0 || (v[k] = base64Value(c)) < 0)
                throw std::invalid_argument("invalid base64 at character " + std::to_string(i + k));
        }
        const unsigned triple = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
        bytes.push_back(static_cast<unsigned char>(triple >> 16));
        if (pad < 2) bytes.push_back(static_cast<unsigned char>(triple >> 8));
        if (pad < 1) bytes.push_back(static_cast<unsigned char>(triple));
    }
    if (bytes.size() % 4 != 0)
        throw std::invalid_argument("invalid base64: " + std::to_string(bytes.size()) +
                                    " bytes is not a whole number of float32 values");
    std::vector<float> out(bytes.size() / 4);
    for (size_t i = 0; i < out.size(); ++i) {
        const uint32_t u = uint32_t(bytes[4 * i]) | (uint32_t(bytes[4 * i + 1]) << 8) |
                           (uint32_t(bytes[4 * i + 2]) << 16) | (uint32_t(bytes[4 * i + 3]) << 24);
        std::memcpy(&out[i], &u, 4);
    }
    return out;
}

std::string encodeFloat32Base64(const float* data, size_t count)
{
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::vector<unsigned char> bytes(count * 4);
    for (size_t i = 0; i < count; ++i) {
        uint32_t u;
        std::memcpy(&u, &data[i], 4);
        for (int k = 0; k < 4; ++k) bytes[4 * i + k] = static_cast<unsigned char>(u >> (8 * k));
    }
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t n = std::min<size_t>(3, bytes.size() - i);
        unsigned triple = unsigned(bytes[i]) << 16;
        if (n > 1) triple |= unsigned(bytes[i + 1]) << 8;
        if (n > 2) triple |= unsigned(bytes[i + 2]);
        out += kAlphabet[(triple >> 18) & 63];
        out += kAlphabet[(triple >> 12) & 63];
        out += n > 1 ? kAlphabet[(triple >> 6) & 63] : '=';
        out += n > 2 ? kAlphabet[triple & 63] : '=';
    }
    return out;
}

std::shared_ptr<const Model> parseModel(const std::string& text, const std::string& file)
{
    const JsonReader r(file);
    const Json root = parseModelJson(text, file);
    r.expectType(root, "/", "object");

    const std::string format = r.requireString(root, "", "format");
    if (format != "attnscope-model") r.fail("/format", "expected \"attnscope-model\", got " + quote(format));
    const Json& version = r.require(root, "", "version");
    r.expectType(version, "/version", "integer");
    const bool known = version.is_number_unsigned() ? version.get<unsigned long long>() - 1 < 2
                                                    : version.get<long long>() - 1 < 2 && version.get<long long>() >= 1;
    if (!known) r.fail("/version", "unsupported version " + version.dump() + " (this build reads versions 1 and 2)");
    const int formatVersion = static_cast<int>(version.get<long long>());

    auto m = std::make_shared<Model>();
    m->path = file;
    m->name = r.requireString(root, "", "name");
    m->description = r.requireString(root, "", "description");
    m->config = readArchitecture(r, root, formatVersion);
    readTokenizer(r, root, formatVersion, *m);
    readWeights(r, root, *m);
    readExamples(r, root, *m);
    return m;
}

namespace {

std::string revisionNames(const std::vector<Revision>& revisions)
{
    std::string out;
    for (const Revision& r : revisions) out += (out.empty() ? "" : ", ") + r.name;
    return out;
}

// Snapshot `index` of the series at `series`, knowing its place in it.
std::shared_ptr<const Model> loadRevision(const std::string& series, std::vector<Revision> revisions, int index)
{
    std::shared_ptr<Model> m = loadHfFolder(revisions[size_t(index)].path);
    const std::filesystem::path sp(series);
    const std::string seriesName = sp.filename().empty() ? sp.parent_path().filename().string() : sp.filename().string();
    m->name = seriesName + " @ " + revisions[size_t(index)].name;
    m->seriesPath = series;
    m->revisions = std::move(revisions);
    m->revisionIndex = index;
    return m;
}

} // namespace

std::shared_ptr<const Model> loadModel(const std::string& path, const std::string& revision)
{
    std::error_code ec;
    if (const std::vector<Revision> revs = findRevisions(path); !revs.empty()) {
        int index = int(revs.size()) - 1;
        if (!revision.empty()) {
            index = findRevision(revs, revision);
            if (index < 0)
                throw UsageError(path + ": no revision \"" + revision + "\" in the series (it has " +
                                 revisionNames(revs) + ")");
        }
        return loadRevision(path, revs, index);
    }
    if (!revision.empty())
        throw UsageError(path + ": revision \"" + revision + "\" asked for, but this is a single model, not a "
                                "folder of training snapshots (subfolders step<N>)");
    if (isHfFolder(path)) {
        // A snapshot opened directly still knows its series, so the slider can move from it.
        const std::filesystem::path p = std::filesystem::absolute(path, ec);
        const std::filesystem::path folder = p.filename().empty() ? p.parent_path() : p;
        std::vector<Revision> siblings;
        try {
            siblings = findRevisions(folder.parent_path().string());
        } catch (const IoError&) {
            // an unlistable parent: the folder still opens, as a single model
        }
        // by its exact name: a folder "step01000" beside "step1000" is not that snapshot
        const auto it = std::find_if(siblings.begin(), siblings.end(),
                                     [&](const Revision& r) { return r.name == folder.filename().string(); });
        if (it != siblings.end())
            return loadRevision(folder.parent_path().string(), siblings, int(it - siblings.begin()));
        return loadHfFolder(path);
    }
    if (isLlama2cCheckpoint(path)) return loadLlama2c(path);
    if (std::filesystem::is_directory(path, ec))
        throw IoError(path + ": is a directory without a config.json (neither a model file nor a Hugging Face folder)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot open file: " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw IoError(path + ": cannot read file");
    if (static_cast<unsigned long long>(size) > kMaxModelFileBytes)
        throw ModelError(path, "/", "file is " + std::to_string(size) + " bytes (limit " +
                                        std::to_string(kMaxModelFileBytes) + ")");
    in.seekg(0);
    std::string text(static_cast<size_t>(size), '\0');
    if (!in.read(text.data(), size)) throw IoError(path + ": read failed");
    return parseModel(text, path);
}

} // namespace attnscope
