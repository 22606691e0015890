#include "core/llama2c.h"

#include "core/errors.h"
#include "core/model_config.h"
#include "core/sentencepiece_bpe.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <unordered_set>

namespace attnscope {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMagic = 0x616B3432; // "ak42"
constexpr size_t kHeaderV1 = 256;
constexpr unsigned long long kMaxCheckpointBytes = 16ULL << 30;
constexpr size_t kMaxTokenizerBytes = size_t(64) << 20;

std::string readBinary(const std::string& path, unsigned long long limit)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot open file: " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw IoError(path + ": cannot read file");
    if (static_cast<unsigned long long>(size) > limit)
        throw ModelError(path, "/", "file is " + std::to_string(size) + " bytes (limit " + std::to_string(limit) + ")");
    in.seekg(0);
    std::string bytes(static_cast<size_t>(size), '\0');
    if (size > 0 && !in.read(bytes.data(), size)) throw IoError(path + ": read failed");
    return bytes;
}

int32_t readI32(const std::string& b, size_t at)
{
    int32_t v;
    std::memcpy(&v, b.data() + at, sizeof v); // llama2.c writes native (little-endian) ints
    return v;
}

// The seven header ints, named as llama2.c's Config.
struct Header {
    int dim, hidden, layers, heads, kvHeads, vocab, seqLen;
    bool shared;
    int version; // 0 = legacy
    size_t weightsAt;
};

void checkRange(const std::string& file, const char* field, long long v, long long lo, long long hi)
{
    if (v < lo || v > hi)
        throw ModelError(file, std::string("/header/") + field,
                         std::to_string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
}

Header readHeader(const std::string& b, const std::string& file)
{
    Header h{};
    size_t at = 0;
    if (b.size() >= 8 && uint32_t(readI32(b, 0)) == kMagic) {
        h.version = readI32(b, 4);
        if (h.version == 2)
            throw ModelError(file, "/header/version", "version 2 (int8 Q8_0 weights) is not supported; export the "
                                                      "model with llama2.c's export.py --version 1 (float32)");
        if (h.version != 1)
            throw ModelError(file, "/header/version", "unknown llama2.c version " + std::to_string(h.version) +
                                                          " (this build reads the legacy layout and version 1)");
        if (b.size() < kHeaderV1) throw ModelError(file, "/header", "file ends inside the 256-byte header");
        at = 8;
    } else if (b.size() < 28) {
        throw ModelError(file, "/header", "file is " + std::to_string(b.size()) +
                                              " bytes: too short for a llama2.c header (7 ints)");
    }
    h.dim = readI32(b, at);
    h.hidden = readI32(b, at + 4);
    h.layers = readI32(b, at + 8);
    h.heads = readI32(b, at + 12);
    h.kvHeads = readI32(b, at + 16);
    h.vocab = readI32(b, at + 20);
    h.seqLen = readI32(b, at + 24);
    checkRange(file, "dim", h.dim, 1, kMaxDModel);
    checkRange(file, "hidden_dim", h.hidden, 1, kMaxDFf);
    checkRange(file, "n_layers", h.layers, 1, kMaxLayers);
    checkRange(file, "n_heads", h.heads, 1, kMaxHeads);
    checkRange(file, "n_kv_heads", h.kvHeads, 1, h.heads);
    checkRange(file, "seq_len", h.seqLen, 1, 1 << 24);
    if (h.version == 0) {
        // Legacy: a positive vocab_size means the classifier is the token embedding.
        if (h.vocab == 0 || h.vocab < -kMaxVocab || h.vocab > kMaxVocab)
            throw ModelError(file, "/header/vocab_size", std::to_string(h.vocab) + " is outside ±1.." + std::to_string(kMaxVocab));
        h.shared = h.vocab > 0;
        h.vocab = std::abs(h.vocab);
        h.weightsAt = 28;
    } else {
        checkRange(file, "vocab_size", h.vocab, 1, kMaxVocab);
        const unsigned char flag = static_cast<unsigned char>(b[36]);
        if (flag > 1) throw ModelError(file, "/header/shared_classifier", "must be 0 or 1, got " + std::to_string(flag));
        h.shared = flag == 1;
        h.weightsAt = kHeaderV1;
    }
    if (h.dim % h.heads != 0)
        throw ModelError(file, "/header/n_heads", std::to_string(h.heads) + " heads do not divide dim " + std::to_string(h.dim));
    if ((h.dim / h.heads) % 2 != 0)
        throw ModelError(file, "/header/n_heads", "head size " + std::to_string(h.dim / h.heads) +
                                                      " is odd (rotary embeddings rotate pairs)");
    if (h.heads % h.kvHeads != 0)
        throw ModelError(file, "/header/n_kv_heads", std::to_string(h.kvHeads) + " key/value heads do not divide " +
                                                         std::to_string(h.heads) + " heads");
    return h;
}

// One stored tensor: where it starts (in floats after the header) and its engine name.
struct Stored {
    std::string label;   // "layers.1.wk", for messages
    std::string engine;  // engine tensor name, empty: skipped (legacy freq_cis tables)
    size_t count;
    int permuteHeads = 0; // > 0: interleaved rotary pairs, rows permuted to halves for this many heads
};

std::vector<Stored> layout(const Header& h)
{
    const size_t d = size_t(h.dim), f = size_t(h.hidden), v = size_t(h.vocab), L = size_t(h.layers);
    const size_t dk = d / size_t(h.heads), kv = size_t(h.kvHeads) * dk;
    auto layer = [](size_t i, const std::string& s) { return "decoder.layers." + std::to_string(i) + "." + s; };
    std::vector<Stored> out;
    auto perLayer = [&](const char* label, const char* engine, size_t count, int permute = 0) {
        for (size_t i = 0; i < L; ++i)
            out.push_back({"layers." + std::to_string(i) + "." + label, layer(i, engine), count, permute});
    };
    auto attention = [&] {
        perLayer("wq", "self_attn.q_proj.weight", d * d, h.heads);
        perLayer("wk", "self_attn.k_proj.weight", kv * d, h.kvHeads);
        perLayer("wv", "self_attn.v_proj.weight", kv * d);
        perLayer("wo", "self_attn.out_proj.weight", d * d);
    };
    auto ffn = [&] {
        perLayer("w1", "gate_proj.weight", f * d);
        perLayer("w2", "linear2.weight", d * f);
        perLayer("w3", "linear1.weight", f * d);
    };
    if (h.version == 0) { // legacy_export's order
        out.push_back({"token_embedding_table", "decoder.embed.weight", v * d});
        perLayer("rms_att_weight", "norm1.weight", d);
        attention();
        perLayer("rms_ffn_weight", "norm2.weight", d);
        ffn();
        out.push_back({"rms_final_weight", "decoder.norm.weight", d});
        out.push_back({"freq_cis_real", "", size_t(h.seqLen) * dk / 2});
        out.push_back({"freq_cis_imag", "", size_t(h.seqLen) * dk / 2});
    } else { // version1_export's order
        perLayer("attention_norm", "norm1.weight", d);
        perLayer("ffn_norm", "norm2.weight", d);
        out.push_back({"norm", "decoder.norm.weight", d});
        out.push_back({"tok_embeddings", "decoder.embed.weight", v * d});
        attention();
        ffn();
    }
    if (!h.shared) out.push_back({"output", "lm_head.weight", v * d});
    return out;
}

ModelConfig configOf(const Header& h)
{
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = h.dim;
    c.nHeads = h.heads;
    c.nKvHeads = h.kvHeads;
    c.decoderLayers = h.layers;
    c.dFf = h.hidden;
    c.activation = Activation::Silu;
    c.gatedFfn = true;
    c.norm = NormPosition::Pre;
    c.normKind = NormKind::RmsNorm;
    c.layerNormEps = 1e-5f; // llama2.c's rmsnorm
    c.positional = Positional::Rotary;
    c.ropeTheta = 10000.0f;
    c.rotaryFraction = 1.0f;
    c.maxLen = std::min(h.seqLen, kMaxLen);
    c.finalNorm = true;
    c.tiedOutput = h.shared;
    c.bias = false;
    c.qkvBias = false;
    c.headBias = false;
    c.lmHead = true;
    return c;
}

void idTokenizer(int vocab, Model& m)
{
    m.sourceTokenizer = idsOnlyTokenizer(vocab);
    m.targetTokenizer = m.sourceTokenizer;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to)
{
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

std::string byteName(unsigned b)
{
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    return name;
}

} // namespace

bool isLlama2cCheckpoint(const std::string& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    std::ifstream in(path, std::ios::binary);
    char head[4] = {};
    in.read(head, 4);
    uint32_t magic = 0;
    std::memcpy(&magic, head, 4);
    if (in.gcount() == 4 && magic == kMagic) return true;
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    return ext == ".bin";
}

Tokenizer parseLlama2cTokenizer(const std::string& b, int vocabSize, const std::string& file)
{
    if (b.size() < 4) throw ModelError(file, "/max_token_length", "file ends before the max_token_length field");
    const int32_t maxLength = readI32(b, 0);
    if (maxLength < 1 || maxLength > 1 << 16)
        throw ModelError(file, "/max_token_length", std::to_string(maxLength) + " is outside 1..65536");
    std::vector<std::string> tokens;
    std::vector<float> scores;
    tokens.reserve(size_t(vocabSize));
    size_t at = 4;
    for (int i = 0; i < vocabSize; ++i) {
        const std::string where = "/tokens/" + std::to_string(i);
        if (b.size() - at < 8)
            throw ModelError(file, where, "file ends after " + std::to_string(i) + " tokens; the checkpoint's vocab_size is " +
                                              std::to_string(vocabSize));
        float score;
        std::memcpy(&score, b.data() + at, 4);
        const int32_t len = readI32(b, at + 4);
        at += 8;
        if (!std::isfinite(score)) throw ModelError(file, where + "/score", "is not finite");
        if (len < 1 || len > maxLength)
            throw ModelError(file, where + "/length", std::to_string(len) + " is outside 1..max_token_length (" +
                                                          std::to_string(maxLength) + ")");
        if (b.size() - at < size_t(len)) throw ModelError(file, where, "file ends inside the token's bytes");
        tokens.push_back(b.substr(at, size_t(len)));
        scores.push_back(score);
        at += size_t(len);
    }
    if (at != b.size())
        throw ModelError(file, "/tokens/" + std::to_string(vocabSize),
                         std::to_string(b.size() - at) + " bytes after the " + std::to_string(vocabSize) +
                             " tokens the checkpoint's vocab_size names (a tokenizer of another model?)");

    // llama2.c's export writes SentencePiece's pieces with "▁" as " " and BOS/EOS as "\n<s>\n" /
    // "\n</s>\n"; the vocabulary shows them as SentencePiece does. Byte tokens are "<0xNN>", or in
    // early exports the byte itself.
    const std::string space = "\xE2\x96\x81";
    // Byte fallback needs all 256 byte tokens at ids 3..258 (run.c computes id = 3 + byte); a
    // file with some of them there and not others is refused at the first one missing.
    int byteTokens = 0, firstMissing = -1;
    for (unsigned v = 0; v < 256 && 3 + int(v) < vocabSize; ++v) {
        const std::string& t = tokens[3 + v];
        std::string single;
        appendUtf8(single, char32_t(v));
        if (t == byteName(v) || t == single) ++byteTokens;
        else if (firstMissing < 0) firstMissing = int(v);
    }
    const bool bytes = byteTokens == 256;
    if (byteTokens >= 16 && !bytes)
        throw ModelError(file, "/tokens/" + std::to_string(3 + firstMissing),
                         "byte-fallback token " + byteName(unsigned(firstMissing)) + " expected here: ids 3..258 hold " +
                             std::to_string(byteTokens) + " of the 256 byte tokens");
    std::vector<bool> plain(size_t(vocabSize), true); // may take part in merges
    for (int i = 0; i < vocabSize; ++i) {
        std::string& t = tokens[size_t(i)];
        if (i == 1 && t == "\n<s>\n") t = "<s>";
        else if (i == 2 && t == "\n</s>\n") t = "</s>";
        else if (bytes && i >= 3 && i < 259) t = byteName(unsigned(i - 3));
        else t = replaceAll(t, " ", space);
        if (i < 3 || (bytes && i < 259)) plain[size_t(i)] = false;
    }
    std::unordered_set<std::string> seen;
    for (int i = 0; i < vocabSize; ++i)
        if (!seen.insert(tokens[size_t(i)]).second)
            throw ModelError(file, "/tokens/" + std::to_string(i), "the token \"" + sanitizeUtf8(tokens[size_t(i)]) +
                                                                       "\" appears twice");
    Vocabulary vocab(tokens);
    vocab.setSpecial(SpecialRole::Unk, 0);
    if (vocabSize > 1) vocab.setSpecial(SpecialRole::Bos, 1);
    if (vocabSize > 2) vocab.setSpecial(SpecialRole::Eos, 2);

    // run.c merges the adjacent pair whose concatenation is a token with the highest score. As
    // ranked merges: every split of every token into two tokens, by the merged token's score.
    struct Candidate {
        float score;
        int merged;
        size_t split;
        int left, right;
    };
    std::vector<Candidate> candidates;
    for (int id = 0; id < vocabSize; ++id) {
        if (!plain[size_t(id)]) continue;
        const std::string& t = tokens[size_t(id)];
        for (size_t k = 1; k < t.size(); ++k) {
            if ((static_cast<unsigned char>(t[k]) & 0xC0) == 0x80) continue; // inside a character
            const int left = vocab.find(t.substr(0, k)), right = vocab.find(t.substr(k));
            if (left < 0 || right < 0 || !plain[size_t(left)] || !plain[size_t(right)]) continue;
            candidates.push_back({scores[size_t(id)], id, k, left, right});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(b.score, a.merged, a.split) < std::tie(a.score, b.merged, b.split);
    });
    std::vector<BpeMerge> merges;
    merges.reserve(candidates.size());
    for (const Candidate& c : candidates) merges.push_back({c.left, c.right, c.merged});

    SpmBpeSettings s;
    SpmNormalizerStep prepend;
    prepend.kind = SpmNormalizerStep::Kind::Prepend;
    prepend.text = space;
    SpmNormalizerStep replace;
    replace.kind = SpmNormalizerStep::Kind::Replace;
    replace.text = " ";
    replace.content = space;
    s.normalizer = {prepend, replace};
    s.byteFallback = bytes;
    s.fuseUnk = true;
    s.modelVocabSize = vocabSize;
    s.hasDecoder = true;
    SpmDecoderStep toSpace;
    toSpace.kind = SpmDecoderStep::Kind::Replace;
    toSpace.pattern = space;
    toSpace.content = " ";
    SpmDecoderStep byteFallback;
    byteFallback.kind = SpmDecoderStep::Kind::ByteFallback;
    SpmDecoderStep fuse;
    fuse.kind = SpmDecoderStep::Kind::Fuse;
    SpmDecoderStep strip;
    strip.kind = SpmDecoderStep::Kind::Strip;
    strip.content = " ";
    strip.start = 1;
    s.decoder = {toSpace, byteFallback, fuse, strip};
    return Tokenizer(std::make_shared<SentencePieceBpeBackend>(std::move(vocab), merges, std::vector<AddedToken>{}, std::move(s)));
}

std::shared_ptr<Model> parseLlama2cCheckpoint(const std::string& b, const std::string& path)
{
    const Header h = readHeader(b, path);
    const std::vector<Stored> stored = layout(h);
    unsigned long long floats = 0;
    for (const Stored& s : stored) floats += s.count;
    const unsigned long long want = h.weightsAt + floats * 4;
    if (b.size() != want)
        throw ModelError(path, "/weights", "file is " + std::to_string(b.size()) + " bytes; the header (dim " +
                                               std::to_string(h.dim) + ", " + std::to_string(h.layers) + " layers, vocab " +
                                               std::to_string(h.vocab) + (h.shared ? ", shared" : ", own") +
                                               " classifier) needs " + std::to_string(want) +
                                               (h.version == 0 ? " (legacy layout)" : " (version 1)"));
    auto m = std::make_shared<Model>();
    m->config = configOf(h);
    m->format = "llama2c";
    m->family = h.version == 0 ? "llama2c legacy" : "llama2c v1";
    m->dtype = "F32";
    m->path = path;
    m->name = fs::path(path).stem().string();
    m->description = "llama2.c checkpoint (" + std::string(h.version == 0 ? "legacy layout" : "version 1") + ")";

    const std::vector<TensorSpec> specs = requiredTensors(m->config, h.vocab, h.vocab);
    std::map<std::string, const Stored*> byName;
    for (const Stored& s : stored)
        if (!s.engine.empty()) byName[s.engine] = &s;
    for (const TensorSpec& spec : specs) {
        if (!byName.count(spec.name)) throw ModelError(path, "/weights", "internal: no stored tensor for " + spec.name);
        m->weights.declare(spec.name, spec.shape);
    }
    m->weights.allocate();
    size_t at = h.weightsAt;
    std::vector<float> values;
    const int dk = h.dim / h.heads;
    for (const Stored& s : stored) {
        const size_t bytes = s.count * 4;
        if (s.engine.empty()) {
            at += bytes;
            continue;
        }
        values.resize(s.count);
        std::memcpy(values.data(), b.data() + at, bytes);
        for (size_t k = 0; k < s.count; ++k)
            if (!std::isfinite(values[k]))
                throw ModelError(path, "/weights/" + s.label, "value " + std::to_string(k) + " (byte " +
                                                                  std::to_string(at + 4 * k) + ") is not finite");
        float* out = m->weights.mutableData(s.engine);
        if (s.permuteHeads > 0) {
            // Row 2i + c of a head (pair i, component c) becomes row c · dk/2 + i: halves, as
            // Hugging Face's conversion permutes Llama's q and k.
            const size_t cols = size_t(h.dim), half = size_t(dk / 2);
            for (int head = 0; head < s.permuteHeads; ++head)
                for (size_t i = 0; i < half; ++i)
                    for (size_t c = 0; c < 2; ++c) {
                        const size_t from = size_t(head) * size_t(dk) + 2 * i + c;
                        const size_t to = size_t(head) * size_t(dk) + c * half + i;
                        std::copy_n(values.data() + from * cols, cols, out + to * cols);
                    }
        } else {
            std::copy(values.begin(), values.end(), out);
        }
        at += bytes;
    }
    idTokenizer(h.vocab, *m);
    return m;
}

std::shared_ptr<const Model> loadLlama2c(const std::string& path, const std::string& tokenizerPath)
{
    const std::shared_ptr<Model> m = parseLlama2cCheckpoint(readBinary(path, kMaxCheckpointBytes), path);
    const int vocab = m->inputVocabRows();
    std::string tokenizerFile = tokenizerPath;
    std::error_code ec;
    if (tokenizerFile.empty()) {
        const fs::path beside = fs::path(path).parent_path() / "tokenizer.bin";
        if (fs::exists(beside, ec) && fs::path(path).filename() != "tokenizer.bin") tokenizerFile = beside.string();
    }
    if (!tokenizerFile.empty()) {
        const Tokenizer t = parseLlama2cTokenizer(readBinary(tokenizerFile, kMaxTokenizerBytes), vocab, tokenizerFile);
        m->sourceTokenizer = t;
        m->targetTokenizer = t;
        m->sourcePrefix = {SpecialRole::Bos}; // run.c starts every prompt with BOS
        m->tokenizerFile = tokenizerFile;
    }
    return m;
}

} // namespace attnscope
