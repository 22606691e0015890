// Model loader: a valid file loads; each class of invalid file gives its documented message,
// naming the file and the JSON Pointer of the problem (docs/model-format.md, "Errors").
#include "core/errors.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace attnscope;
using Json = nlohmann::json;

Q_DECLARE_METATYPE(std::function<void(Json&)>)

namespace {

const char* kQ = "encoder.layers.0.self_attn.q_proj.weight";

// A small, valid encoder-decoder model: d_model 4, 2 heads, one layer per stack.
Json validModel()
{
    Json m;
    m["format"] = "attnscope-model";
    m["version"] = 1;
    m["name"] = "loader-test";
    m["description"] = "tiny";
    m["architecture"] = {{"type", "encoder-decoder"}, {"d_model", 4},         {"n_heads", 2},
                         {"d_ff", 8},                 {"encoder_layers", 1},  {"decoder_layers", 1},
                         {"activation", "relu"},      {"norm", "post"},       {"layer_norm_eps", 1e-5},
                         {"positional", "learned"},   {"max_len", 8},         {"bias", true},
                         {"tied_output", false},      {"final_norm", true}};
    m["tokenizer"] = {{"type", "char"},
                      {"vocab", {"<pad>", "<unk>", "<s>", "</s>", "a", "b"}},
                      {"special_tokens", {{"pad", "<pad>"}, {"unk", "<unk>"}, {"bos", "<s>"}, {"eos", "</s>"}}},
                      {"source_suffix", {"eos"}}};
    Json w = Json::object();
    const auto specs = requiredTensors(
        [] {
            ModelConfig c;
            c.type = ArchType::EncoderDecoder;
            c.dModel = 4; c.nHeads = 2; c.dFf = 8; c.encoderLayers = 1; c.decoderLayers = 1;
            c.positional = Positional::Learned; c.maxLen = 8; c.bias = true; c.finalNorm = true;
            return c;
        }(),
        6, 6);
    int k = 0;
    for (const auto& s : specs) {
        size_t n = 1;
        for (int d : s.shape) n *= size_t(d);
        std::vector<float> values(n);
        for (size_t i = 0; i < n; ++i) values[i] = 0.01f * float((k * 7 + int(i)) % 13) - 0.05f;
        // Half the tensors as base64, half as plain numbers: both paths are exercised.
        if (k++ % 2 || s.name == kQ) w[s.name] = {{"shape", s.shape}, {"b64", encodeFloat32Base64(values.data(), n)}};
        else w[s.name] = {{"shape", s.shape}, {"data", values}};
    }
    m["weights"] = w;
    m["examples"] = Json::array({{{"text", "ab"}}});
    return m;
}

} // namespace

class TestModelLoader : public QObject {
    Q_OBJECT
private slots:
    void validModelLoads();
    void base64RoundTrip();
    void invalid_data();
    void invalid();
    void malformedText_data();
    void malformedText();
    void missingFileIsIoError();
};

void TestModelLoader::validModelLoads()
{
    const auto m = parseModel(validModel().dump(), "ok.json");
    QCOMPARE(m->name, std::string("loader-test"));
    QCOMPARE(m->config.nHeads, 2);
    QCOMPARE(m->sourceTokenizer.vocab().special(SpecialRole::Eos), 3);
    QCOMPARE(m->examples.size(), size_t(1));
    // Values survive both encodings exactly.
    const Json j = validModel();
    for (const auto& [name, t] : j["weights"].items()) {
        const float* p = m->weights.data(name);
        std::vector<float> expect = t.contains("data") ? t["data"].get<std::vector<float>>()
                                                       : decodeFloat32Base64(t["b64"].get<std::string>());
        for (size_t i = 0; i < expect.size(); ++i) QCOMPARE(p[i], expect[i]);
    }
}

void TestModelLoader::base64RoundTrip()
{
    const float values[] = {1.0f, -2.5f, 3.14159274f, 1e-30f, std::numeric_limits<float>::denorm_min()};
    for (size_t n = 0; n <= 5; ++n) {
        const std::string b64 = encodeFloat32Base64(values, n);
        const std::vector<float> back = decodeFloat32Base64(b64);
        QCOMPARE(back.size(), n);
        for (size_t i = 0; i < n; ++i) QCOMPARE(back[i], values[i]);
    }
    QCOMPARE(encodeFloat32Base64(values, 2), std::string("AACAPwAAIMA="));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, decodeFloat32Base64("AAC*PwAA"));
}

void TestModelLoader::invalid_data()
{
    QTest::addColumn<std::function<void(Json&)>>("mutate");
    QTest::addColumn<QString>("expected"); // the full one-line message

    using F = std::function<void(Json&)>;
    const std::string q = std::string("/weights/") + kQ;
    auto row = [](const char* name, F f, const std::string& msg) {
        QTest::newRow(name) << f << QString::fromStdString("m.json: " + msg);
    };
    row("root not object", [](Json& m) { m = Json::array(); }, "/: expected object, got array");
    row("wrong format", [](Json& m) { m["format"] = "onnx"; }, "/format: expected \"attnscope-model\", got \"onnx\"");
    row("wrong version", [](Json& m) { m["version"] = 3; }, "/version: unsupported version 3 (this build reads versions 1 and 2)");
    row("version as string", [](Json& m) { m["version"] = "1"; }, "/version: expected integer, got string");
    row("missing name", [](Json& m) { m.erase("name"); }, "/name: missing required key");
    row("missing architecture key", [](Json& m) { m["architecture"].erase("d_model"); },
        "/architecture/d_model: missing required key");
    row("d_model wrong type", [](Json& m) { m["architecture"]["d_model"] = "64"; },
        "/architecture/d_model: expected integer, got string");
    row("d_model float", [](Json& m) { m["architecture"]["d_model"] = 4.5; },
        "/architecture/d_model: expected integer, got number");
    row("bad activation", [](Json& m) { m["architecture"]["activation"] = "swish"; },
        "/architecture/activation: expected one of relu, gelu, got \"swish\"");
    row("bad type", [](Json& m) { m["architecture"]["type"] = "rnn"; },
        "/architecture/type: expected one of encoder, decoder, encoder-decoder, got \"rnn\"");
    row("not divisible", [](Json& m) { m["architecture"]["n_heads"] = 3; },
        "/architecture/n_heads: d_model 4 is not divisible by n_heads 3");
    row("absurd d_model", [](Json& m) { m["architecture"]["d_model"] = 1000000000; },
        "/architecture/d_model: value 1000000000 is out of range [1, 4096]");
    row("negative layers", [](Json& m) { m["architecture"]["encoder_layers"] = -1; },
        "/architecture/encoder_layers: value -1 is out of range [0, 64]");
    row("huge unsigned", [](Json& m) { m["architecture"]["max_len"] = 18446744073709551615ULL; },
        "/architecture/max_len: value 18446744073709551615 is out of range [1, 8192]");
    row("zero eps", [](Json& m) { m["architecture"]["layer_norm_eps"] = 0; },
        "/architecture/layer_norm_eps: expected a value in (0, 1]");
    row("missing tensor", [](Json& m) { m["weights"].erase("encoder.layers.0.linear1.weight"); },
        "/weights/encoder.layers.0.linear1.weight: missing tensor");
    row("unknown tensor", [](Json& m) { m["weights"]["encoder.layers.9.norm1.weight"] = {{"shape", {4}}, {"data", {1, 2, 3, 4}}}; },
        "/weights/encoder.layers.9.norm1.weight: unexpected tensor (not used by this architecture)");
    row("wrong shape", [](Json& m) { m["weights"][kQ]["shape"] = {4, 2}; },
        q + ": expected shape [4, 4], got [4, 2]");
    row("negative dim", [](Json& m) { m["weights"][kQ]["shape"] = {4, -4}; },
        q + "/shape/1: dimension must be a positive integer, got -4");
    row("short data", [](Json& m) { m["weights"]["encoder.norm.weight"]["data"] = {1, 2, 3}; },
        "/weights/encoder.norm.weight/data: expected 4 values, got 3");
    row("string in data", [](Json& m) { m["weights"]["encoder.norm.weight"]["data"][2] = "x"; },
        "/weights/encoder.norm.weight/data/2: expected number, got string");
    row("overflowing value", [](Json& m) { m["weights"]["encoder.norm.weight"]["data"][1] = 1e300; },
        "/weights/encoder.norm.weight/data/1: value is not finite");
    row("bad base64 char", [](Json& m) {
            std::string s = m["weights"][kQ]["b64"];
            s[5] = '*';
            m["weights"][kQ]["b64"] = s;
        }, q + "/b64: invalid base64 at character 5");
    row("base64 wrong length", [](Json& m) { m["weights"][kQ]["b64"] = "AACAPw=="; },
        q + "/b64: expected 88 base64 characters for 16 float32 values, got 8");
    row("base64 NaN", [](Json& m) {
            std::vector<float> v(16, 0.0f);
            v[3] = std::numeric_limits<float>::quiet_NaN();
            m["weights"][kQ]["b64"] = encodeFloat32Base64(v.data(), v.size());
        }, q + "/b64: value 3 is not finite");
    row("both data and b64", [](Json& m) { m["weights"][kQ]["data"] = std::vector<float>(16, 0.0f); },
        q + ": a tensor needs exactly one of \"data\" or \"b64\"");
    row("tensor not object", [](Json& m) { m["weights"][kQ] = 5; }, q + ": expected object, got integer");
    row("special not in vocab", [](Json& m) { m["tokenizer"]["special_tokens"]["eos"] = "<eos>"; },
        "/tokenizer/special_tokens/eos: token \"<eos>\" is not in the vocabulary");
    row("unknown role", [](Json& m) { m["tokenizer"]["special_tokens"]["start"] = "<s>"; },
        "/tokenizer/special_tokens/start: unknown special-token role \"start\" (expected pad, unk, bos, eos, cls, sep or mask)");
    row("duplicate vocab", [](Json& m) { m["tokenizer"]["vocab"][5] = "a"; }, "/tokenizer/vocab/5: duplicate token \"a\"");
    row("empty vocab", [](Json& m) { m["tokenizer"]["vocab"] = Json::array(); }, "/tokenizer/vocab: vocabulary is empty");
    row("missing bos", [](Json& m) { m["tokenizer"]["special_tokens"].erase("bos"); },
        "/tokenizer/special_tokens/bos: an encoder-decoder model needs a bos token in the vocabulary");
    row("prefix role undefined", [](Json& m) { m["tokenizer"]["source_prefix"] = {"cls"}; },
        "/tokenizer/source_prefix/0: role \"cls\" is not defined in /tokenizer/special_tokens");
    row("vocab size vs embedding", [](Json& m) { m["tokenizer"]["vocab"].push_back("c"); },
        "/weights/encoder.embed.weight: expected shape [7, 4], got [6, 4]");
    row("example without text", [](Json& m) { m["examples"][0] = {{"target", "x"}}; },
        "/examples/0/text: missing required key");
    // Version 2's Llama / NeoX options and the tokenizers `convert` writes.
    auto v2 = [](Json& m) { m["version"] = 2; };
    row("rotary in v1", [](Json& m) { m["architecture"]["positional"] = "rotary"; },
        "/architecture/positional: expected one of sinusoidal, learned, got \"rotary\"");
    row("n_kv_heads in v1", [](Json& m) { m["architecture"]["n_kv_heads"] = 1; },
        "/architecture/n_kv_heads: \"n_kv_heads\" needs \"version\": 2");
    row("n_kv_heads not dividing", [v2](Json& m) { v2(m); m["architecture"]["n_kv_heads"] = 3; },
        "/architecture/n_kv_heads: 3 key/value heads do not divide n_heads 2");
    row("bad norm kind", [v2](Json& m) { v2(m); m["architecture"]["norm_kind"] = "batchnorm"; },
        "/architecture/norm_kind: expected one of layernorm, rmsnorm, got \"batchnorm\"");
    row("rope theta zero", [v2](Json& m) { v2(m); m["architecture"]["rope_theta"] = 0; },
        "/architecture/rope_theta: expected a value in [1, 1e+09], got 0");
    row("parallel residual post-norm", [v2](Json& m) { v2(m); m["architecture"]["parallel_residual"] = true; },
        "/architecture/parallel_residual: a parallel residual needs \"norm\": \"pre\"");
    row("ids tokenizer in v1", [](Json& m) { m["tokenizer"] = {{"type", "ids"}}; },
        "/tokenizer/type: expected one of char, word, got \"ids\"");
    row("ids tokenizer without vocab_size", [v2](Json& m) { v2(m); m["tokenizer"] = {{"type", "ids"}}; },
        "/architecture/vocab_size: an ids tokenizer needs vocab_size (the embedding rows)");
    row("huggingface tokenizer extra key", [v2](Json& m) { v2(m); m["tokenizer"] = {{"type", "huggingface"}, {"vocab", 1}}; },
        "/tokenizer/vocab: unexpected key (a huggingface tokenizer has \"type\" and \"folder\")");
    row("huggingface tokenizer for encoder-decoder", [v2](Json& m) {
            v2(m);
            m["tokenizer"] = {{"type", "huggingface"}, {"folder", "t"}};
        }, "/tokenizer/type: a huggingface tokenizer is for encoder-only and decoder-only models");
    row("vocab_size for encoder-decoder", [v2](Json& m) { v2(m); m["architecture"]["vocab_size"] = 6; },
        "/architecture/vocab_size: vocab_size is for encoder-only and decoder-only models");
}

void TestModelLoader::invalid()
{
    QFETCH(std::function<void(Json&)>, mutate);
    QFETCH(QString, expected);
    Json m = validModel();
    mutate(m);
    try {
        parseModel(m.dump(), "m.json");
        QFAIL("expected a ModelError");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.what()), expected);
        QCOMPARE(QString::fromStdString(e.file()), QString("m.json"));
    }
}

void TestModelLoader::malformedText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expectedPrefix");
    QTest::newRow("empty") << QByteArray("") << "m.json: /: invalid JSON at line 1, column 1";
    QTest::newRow("truncated") << QByteArray("{\n  \"format\": \"attnscope-model\",\n  \"version\": 1,\n  \"name\": \"x")
                               << "m.json: /: invalid JSON at line 4";
    QTest::newRow("trailing comma") << QByteArray("{\"a\": 1,}") << "m.json: /: invalid JSON at line 1, column";
    QTest::newRow("duplicate key") << QByteArray("{\"format\": \"attnscope-model\", \"format\": \"x\"}")
                                   << "m.json: /format: duplicate key \"format\"";
    QTest::newRow("duplicate nested") << QByteArray("{\"weights\": {\"a\": {}, \"b\": [1, {\"k\": 1, \"k\": 2}]}}")
                                      << "m.json: /weights/b/1/k: duplicate key \"k\"";
    QTest::newRow("deep nesting") << QByteArray(100000, '[') << "m.json: /0/0/0/0";
}

void TestModelLoader::malformedText()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expectedPrefix);
    try {
        parseModel(text.toStdString(), "m.json");
        QFAIL("expected a ModelError");
    } catch (const ModelError& e) {
        const QString what = QString::fromStdString(e.what());
        if (!what.startsWith(expectedPrefix)) qWarning() << what;
        QVERIFY(what.startsWith(expectedPrefix));
    }
}

void TestModelLoader::missingFileIsIoError()
{
    QVERIFY_THROWS_EXCEPTION(IoError, loadModel("/nonexistent/model.json"));
    QVERIFY_THROWS_EXCEPTION(IoError, loadModel(ATTNSCOPE_SOURCE_DIR "/tests"));
}

QTEST_APPLESS_MAIN(TestModelLoader)
#include "test_model_loader.moc"
