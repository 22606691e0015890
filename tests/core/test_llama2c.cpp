// llama2.c checkpoints against an independent reference: tests/data/llama2c/ was written by
// tools/make_llama2c_fixtures.py, whose reference model follows llama2.c's model.py (interleaved
// rotary pairs; the engine rotates halves and permutes q/k rows at load). Per case: every head of
// every layer within 1e-5, logits within 1e-4, the greedy continuation equal. The same weights in
// a Hugging Face folder (q/k rows permuted by the HF conversion) give the same logits. The
// tokenizer.bin ids equal SentencePiece's own encoder's. Malformed files name the field.
#include "core/errors.h"
#include "core/llama2c.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include "golden_util.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace attnscope;
using Json = nlohmann::json;
using attnscope::testing::maxAbsDiff;
using attnscope::testing::readJson;

namespace {

const std::string kDir = ATTNSCOPE_SOURCE_DIR "/tests/data/llama2c";
const QString kGoldenDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/llama2c");


std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}


// The ModelError a load raises, or an empty one when it loads.
QString loadError(const std::string& path)
{
    try {
        loadModel(path);
    } catch (const ModelError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void setI32(std::string& b, size_t at, int32_t v) { std::memcpy(b.data() + at, &v, 4); }

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private slots:
    void matchesReference_data();
    void matchesReference();
    void sameLogitsAsTheHfPermutedFolder();
    void tokenizerMatchesSentencePiece();
    void describesWhatItLoaded();
    void withoutTokenizerUsesIds();
    void chosenTokenizerFile();
    void malformedFilesNameTheField_data();
    void malformedFilesNameTheField();
    void malformedTokenizerNamesTheToken();
    void badCorpus_data();
    void badCorpus();
};

void TestLlama2c::matchesReference_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("caseIndex");
    const QStringList files = QDir(kGoldenDir).entryList({"*.expected.json"});
    QVERIFY(files.size() >= 2);
    for (const QString& f : files) {
        const Json e = readJson(kGoldenDir + "/" + f);
        const QString name = QString::fromStdString(e["model"].get<std::string>());
        for (size_t i = 0; i < e["cases"].size(); ++i)
            QTest::newRow(qPrintable(QString("%1#%2").arg(name).arg(i))) << name << int(i);
    }
}

void TestLlama2c::matchesReference()
{
    QFETCH(QString, name);
    QFETCH(int, caseIndex);
    const Json e = readJson(kGoldenDir + "/" + name + ".expected.json");
    QCOMPARE(e["tolerance"]["attention"].get<float>(), 1e-5f);
    QCOMPARE(e["tolerance"]["logits"].get<float>(), 1e-4f);
    const Json& c = e["cases"][size_t(caseIndex)];
    const auto model = loadModel(kDir + "/" + name.toStdString() + ".bin");
    QCOMPARE(model->format, std::string("llama2c"));
    const Transformer tf(model);
    const auto ids = c["ids"].get<std::vector<int>>();
    const ForwardResult f = tf.forward(ids, {}, Capture::Attention);
    bool shapeOk = false;
    const float logits = maxAbsDiff(f.logits, c["logits"], shapeOk);
    QVERIFY2(shapeOk, "logits shape differs");
    QVERIFY2(logits <= 1e-4f, qPrintable(QString("logits differ by %1").arg(logits)));
    const std::vector<LayerTrace>& layers = f.trace.stack(Stack::Decoder);
    QCOMPARE(layers.size(), c["attention"].size());
    for (size_t l = 0; l < layers.size(); ++l) {
        QCOMPARE(layers[l].heads.size(), c["attention"][l].size());
        for (size_t h = 0; h < layers[l].heads.size(); ++h) {
            const float diff = maxAbsDiff(layers[l].heads[h].weights, c["attention"][l][h], shapeOk);
            QVERIFY2(shapeOk && diff <= 1e-5f, qPrintable(QString("layer %1 head %2 differs by %3").arg(l).arg(h).arg(diff)));
        }
    }
    const auto expected = c["greedy"].get<std::vector<int>>();
    QCOMPARE(tf.greedy(ids, int(ids.size() + expected.size())), expected);
}

void TestLlama2c::sameLogitsAsTheHfPermutedFolder()
{
    // llama2.c's interleaved pairs, permuted by the loader, against Hugging Face's rotate-half
    // layout as its conversion script stores it: the same model.
    const auto native = loadModel(kDir + "/v1-untied-gqa.bin");
    const auto hf = loadModel(kDir + "/hf-permuted");
    QCOMPARE(hf->format, std::string("huggingface"));
    QCOMPARE(native->config.kvHeads(), 2);
    const std::vector<int> ids = {1, 40, 7, 300, 511, 12, 12, 99, 3, 260, 45};
    const ForwardResult a = Transformer(native).forward(ids, {}, Capture::Attention);
    const ForwardResult b = Transformer(hf).forward(ids, {}, Capture::Attention);
    QCOMPARE(a.logits.rows(), b.logits.rows());
    const float logits = (a.logits - b.logits).cwiseAbs().maxCoeff();
    QVERIFY2(logits <= 1e-5f, qPrintable(QString("logits differ by %1").arg(logits)));
    QVERIFY(a.logits.cwiseAbs().maxCoeff() > 0.1f); // not two empty results
    for (size_t l = 0; l < a.trace.stack(Stack::Decoder).size(); ++l)
        for (size_t h = 0; h < 4; ++h) {
            const MatrixRM& wa = a.trace.stack(Stack::Decoder)[l].heads[h].weights;
            const MatrixRM& wb = b.trace.stack(Stack::Decoder)[l].heads[h].weights;
            QVERIFY((wa - wb).cwiseAbs().maxCoeff() <= 1e-6f);
        }
}

void TestLlama2c::tokenizerMatchesSentencePiece()
{
    const auto model = loadModel(kDir + "/legacy-tied.bin");
    QCOMPARE(model->tokenizerFile, kDir + "/tokenizer.bin");
    const Tokenizer& t = model->sourceTokenizer;
    QCOMPARE(t.vocab().size(), 512);
    QCOMPARE(t.vocab().token(1), std::string("<s>"));
    QCOMPARE(t.vocab().token(3 + 0x41), std::string("<0x41>"));
    const Json g = readJson(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/tokenizers/golden-llama2c-bin.json"));
    size_t tokens = 0, bytes = 0, fallback = 0;
    for (const Json& row : g["rows"]) {
        const std::string text = row["text"].get<std::string>();
        std::vector<int> ids;
        for (const Token& tok : t.tokenize(text)) ids.push_back(tok.id);
        const auto expected = row["ids"].get<std::vector<int>>();
        QVERIFY2(ids == expected, qPrintable(QString("ids differ for \"%1\"").arg(QString::fromStdString(text))));
        QCOMPARE(t.decode(ids), row["decoded"].get<std::string>());
        for (int id : ids) fallback += id >= 3 && id < 259;
        tokens += ids.size();
        bytes += text.size();
    }
    QVERIFY(g["rows"].size() > 300);
    QVERIFY(fallback > 10); // the CJK and emoji rows went through byte fallback
    qInfo("%zu texts, %zu bytes, %zu tokens equal to SentencePiece's (%zu byte-fallback tokens)", g["rows"].size(),
          bytes, tokens, fallback);
}

void TestLlama2c::describesWhatItLoaded()
{
    const auto legacy = loadModel(kDir + "/legacy-tied.bin");
    const ModelConfig& c = legacy->config;
    QCOMPARE(legacy->family, std::string("llama2c legacy"));
    QVERIFY(c.tiedOutput);
    QCOMPARE(c.dModel, 48);
    QCOMPARE(c.nHeads, 6);
    QCOMPARE(c.kvHeads(), 6);
    QCOMPARE(c.decoderLayers, 2);
    QCOMPARE(c.maxLen, 64);
    QVERIFY(c.normKind == NormKind::RmsNorm && c.gatedFfn && c.positional == Positional::Rotary);
    QCOMPARE(legacy->sourcePrefix, std::vector<SpecialRole>{SpecialRole::Bos});
    // its tokenizer.bin is SentencePiece-style BPE, and says so (not "bpe": that is byte-level)
    QVERIFY(legacy->sourceTokenizer.options().kind == TokenizerKind::SentencePieceBpe);
    QCOMPARE(std::string(toString(legacy->sourceTokenizer.options().kind)), std::string("sentencepiece-bpe"));
    const auto v1 = loadModel(kDir + "/v1-untied-gqa.bin");
    QCOMPARE(v1->family, std::string("llama2c v1"));
    QVERIFY(!v1->config.tiedOutput);
    QVERIFY(v1->weights.has("lm_head.weight"));
    QCOMPARE(v1->config.decoderLayers, 3);
}

void TestLlama2c::withoutTokenizerUsesIds()
{
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/model.bin";
    writeFile(path, readFile(kDir + "/legacy-tied.bin"));
    const auto m = loadModel(path);
    QVERIFY(m->tokenizerFile.empty());
    QCOMPARE(m->sourceTokenizer.vocab().token(15), std::string("#15"));
}

void TestLlama2c::chosenTokenizerFile()
{
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/model.bin";
    const std::string tok = dir.path().toStdString() + "/tok512.bin";
    writeFile(path, readFile(kDir + "/legacy-tied.bin"));
    writeFile(tok, readFile(kDir + "/tokenizer.bin"));
    const auto m = loadLlama2c(path, tok);
    QCOMPARE(m->tokenizerFile, tok);
    QCOMPARE(m->sourceTokenizer.vocab().token(2), std::string("</s>"));
}

void TestLlama2c::malformedFilesNameTheField_data()
{
    QTest::addColumn<int>("mutation");
    QTest::addColumn<QString>("expected");
    QTest::newRow("truncated") << 0 << "/weights: file is";
    QTest::newRow("kv heads do not divide") << 1 << "/header/n_kv_heads: 4 key/value heads do not divide 6 heads";
    QTest::newRow("zero layers") << 2 << "/header/n_layers: 0 is outside";
    QTest::newRow("version 2") << 3 << "/header/version: version 2 (int8 Q8_0 weights) is not supported";
    QTest::newRow("NaN weight") << 4 << "/weights/layers.0.wk: value 5";
    QTest::newRow("vocab 0") << 5 << "/header/vocab_size: 0 is outside";
    QTest::newRow("shared flag 7") << 6 << "/header/shared_classifier: must be 0 or 1, got 7";
    QTest::newRow("odd head size") << 7 << "/header/n_heads";
}

void TestLlama2c::malformedFilesNameTheField()
{
    QFETCH(int, mutation);
    QFETCH(QString, expected);
    std::string b = readFile(kDir + (mutation == 3 || mutation == 6 ? "/v1-untied-gqa.bin" : "/legacy-tied.bin"));
    switch (mutation) {
    case 0: b.resize(b.size() - 4); break;
    case 1: setI32(b, 16, 4); break;
    case 2: setI32(b, 8, 0); break;
    case 3: setI32(b, 4, 2); break;
    case 4: { // legacy: header, embedding, 2 rms_att rows, 2 wq, then layer 0's wk
        const size_t at = 28 + 4 * (512 * 48 + 2 * 48 + 2 * 48 * 48) + 4 * 5;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(b.data() + at, &nan, 4);
        break;
    }
    case 5: setI32(b, 20, 0); break;
    case 6: b[36] = 7; break;
    case 7: setI32(b, 12, 16); setI32(b, 16, 16); break; // 48 / 16 = 3
    }
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/bad.bin";
    writeFile(path, b);
    const QString error = loadError(path);
    QVERIFY2(error.startsWith(QString::fromStdString(path) + ": "), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestLlama2c::malformedTokenizerNamesTheToken()
{
    const std::string tok = readFile(kDir + "/tokenizer.bin");
    QVERIFY_THROWS_EXCEPTION(ModelError, parseLlama2cTokenizer(tok, 513, "t.bin"));
    try {
        parseLlama2cTokenizer(tok, 513, "t.bin");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.jsonPath()), QStringLiteral("/tokens/512"));
    }
    try {
        parseLlama2cTokenizer(tok, 400, "t.bin");
        QFAIL("a tokenizer with more tokens than the model's vocabulary loaded");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.jsonPath()), QStringLiteral("/tokens/400"));
        QVERIFY(QString::fromStdString(e.message()).contains("bytes after the 400 tokens"));
    }
    std::string bad = tok;
    setI32(bad, 8, 100000); // token 0's length
    try {
        parseLlama2cTokenizer(bad, 512, "t.bin");
        QFAIL("a token longer than max_token_length loaded");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.jsonPath()), QStringLiteral("/tokens/0/length"));
    }
}

void TestLlama2c::badCorpus_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("where");
    const std::string dir = ATTNSCOPE_SOURCE_DIR "/tests/data/bad/llama2c";
    const Json m = readJson(QString::fromStdString(dir + "/manifest.json"));
    QVERIFY(m["cases"].size() >= 25);
    for (const Json& c : m["cases"]) {
        const std::string name = c["case"].get<std::string>();
        QTest::newRow(name.c_str()) << QString::fromStdString(dir + "/" + name)
                                    << QString::fromStdString(c.value("model", std::string()))
                                    << QString::fromStdString(c["file"].get<std::string>())
                                    << QString::fromStdString(c["where"].get<std::string>());
    }
}

void TestLlama2c::badCorpus()
{
    QFETCH(QString, folder);
    QFETCH(QString, model);
    QFETCH(QString, file);
    QFETCH(QString, where);
    const std::string tokenizer = (folder + "/tokenizer.bin").toStdString();
    try {
        if (model.isEmpty()) loadModel((folder + "/model.bin").toStdString());
        else loadLlama2c(ATTNSCOPE_SOURCE_DIR "/" + model.toStdString(), tokenizer);
        QFAIL("a malformed file loaded");
    } catch (const ModelError& e) {
        QVERIFY2(QString::fromStdString(e.file()).endsWith(folder + "/" + file), e.what());
        QVERIFY2(QString::fromStdString(e.jsonPath()).startsWith(where), e.what());
        QVERIFY2(!e.message().empty(), e.what());
    }
}

QTEST_GUILESS_MAIN(TestLlama2c)
#include "test_llama2c.moc"
