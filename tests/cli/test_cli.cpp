// attnscope-cli end to end: the documented JSON contract and exit codes (docs/cli.md).
#include "cli_runner.h"
#include "../core/tiny_models.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using Json = nlohmann::json;

using attnscope::test::runCli;
using Result = attnscope::test::CliResult;

namespace {

// Every head of a `run` JSON within 1e-5 of a torch golden case's attention (tests/data/golden/hf).
void headsMatchGolden(const Json& run, const Json& goldenCase)
{
    for (const Json& head : run["attention"]) {
        const Json& expected = goldenCase["attention"][head["layer"].get<size_t>()][head["head"].get<size_t>()];
        QCOMPARE(head["weights"].size(), expected.size());
        for (size_t q = 0; q < expected.size(); ++q)
            for (size_t k = 0; k < expected[q].size(); ++k)
                QVERIFY(std::abs(head["weights"][q][k].get<float>() - expected[q][k].get<float>()) <= 1e-5f);
    }
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void info();
    void runEncoderDecoder();
    void runDecoderGenerate();
    void runToFile();
    void exitCodes_data();
    void exitCodes();
    void invalidModelNamesFileAndPath();
    void census();
    void fullDiskLeavesNoFile();
    void huggingFaceFolder();
    void revisionSeries();
    void convertHuggingFaceFolder_data();
    void convertHuggingFaceFolder();
    void convertRefusals();
    void convertOnFullDiskKeepsWhatWasThere();

private:
    QTemporaryDir m_dir;
    QString m_encdec, m_decoder, m_bad;
};

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto write = [this](const QString& name, const std::string& text) {
        return attnscope::test::writeFile(m_dir.filePath(name), text);
    };
    m_encdec = write("encdec.json", attnscope::test::tinyModel("encoder-decoder").dump());
    m_decoder = write("decoder.json", attnscope::test::tinyModel("decoder").dump());
    Json bad = attnscope::test::tinyModel("encoder");
    bad["weights"]["encoder.layers.0.self_attn.q_proj.weight"]["shape"] = {4, 2};
    m_bad = write("bad.json", bad.dump());
}

void TestCli::info()
{
    const Result r = runCli({"info", m_encdec});
    QCOMPARE(r.exitCode, 0);
    const Json j = Json::parse(r.out.toStdString());
    QCOMPARE(j["name"].get<std::string>(), std::string("tiny-encoder-decoder"));
    QCOMPARE(j["architecture"]["type"].get<std::string>(), std::string("encoder-decoder"));
    QCOMPARE(j["architecture"]["n_heads"].get<int>(), 2);
    QCOMPARE(j["vocab_size"]["source"].get<int>(), 9);
    // Parameters: 2 embeddings + 2 position tables (4·9·2 + 8·4·2 = 136), encoder layer
    // (4 projections 4·20 = 80, FF 4·8+8 + 8·4+4 = 76, 2 norms 16) = 172, decoder layer
    // (2 attention blocks 160, FF 76, 3 norms 24) = 260, final norms 16, head 9·4+9 = 45.
    QCOMPARE(j["parameters"].get<int>(), 136 + 172 + 260 + 16 + 45);
}

void TestCli::runEncoderDecoder()
{
    const Result r = runCli({"run", m_encdec, "--text", "abc", "--target", "ab"});
    QCOMPARE(r.exitCode, 0);
    const Json j = Json::parse(r.out.toStdString());
    QCOMPARE(j["source_tokens"], Json({"a", "b", "c", "</s>"}));
    QCOMPARE(j["target_tokens"], Json({"<s>", "a", "b"}));
    QVERIFY(j["output"].contains("text"));
    QCOMPARE(j["output"]["tokens"].size(), size_t(3));
    // 1 encoder layer + 1 decoder layer + 1 cross layer, 2 heads each.
    QCOMPARE(j["attention"].size(), size_t(6));
    for (const Json& a : j["attention"]) {
        const std::string s = a["stack"];
        const size_t rows = s == "encoder" ? 4 : 3, cols = s == "decoder" ? 3 : 4;
        QCOMPARE(a["weights"].size(), rows);
        for (const Json& row : a["weights"]) {
            QCOMPARE(row.size(), cols);
            double sum = 0;
            for (const Json& v : row) sum += v.get<double>();
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
        if (s == "decoder") QCOMPARE(a["weights"][0][1].get<double>(), 0.0); // causal
    }
}

void TestCli::runDecoderGenerate()
{
    const Result r = runCli({"run", m_decoder, "--text", "ab", "--generate", "--capture", "full"});
    QCOMPARE(r.exitCode, 0);
    const Json j = Json::parse(r.out.toStdString());
    QCOMPARE(j["source_tokens"], Json({"<s>", "a", "b"}));
    const size_t total = j["source_tokens"].size() + j["target_tokens"].size();
    QVERIFY(total > 3);
    QCOMPARE(j["attention"][0]["stack"].get<std::string>(), std::string("decoder"));
    QCOMPARE(j["attention"][0]["weights"].size(), total);
    QCOMPARE(j["attention"][0]["q"][0].size(), size_t(2)); // d_k
}

void TestCli::runToFile()
{
    const QString out = m_dir.filePath("trace.json");
    const Result r = runCli({"run", m_encdec, "--text", "ab", "--out", out});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.isEmpty());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const Json j = Json::parse(f.readAll().toStdString());
    QCOMPARE(j["model"].get<std::string>(), std::string("tiny-encoder-decoder"));
    QVERIFY(!QFile::exists(out + ".tmp"));
}

void TestCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("stderrContains");
    QTest::newRow("help") << QStringList{"--help"} << 0 << "";
    QTest::newRow("no args") << QStringList{} << 2 << "missing command";
    QTest::newRow("unknown command") << QStringList{"frobnicate", "x"} << 2 << "unknown command";
    QTest::newRow("run without text") << QStringList{"run", "@ENCDEC"} << 2 << "--text or --ids is required";
    QTest::newRow("text and ids") << QStringList{"run", "@ENCDEC", "--text", "a", "--ids", "1"} << 2 << "mutually exclusive";
    QTest::newRow("ids not numbers") << QStringList{"run", "@ENCDEC", "--ids", "1,x"} << 2 << "--ids expects an integer";
    QTest::newRow("id past the vocabulary") << QStringList{"run", "@DECODER", "--ids", "1,9"} << 2
                                            << "token id 9 is outside the model's vocabulary [0, 9)";
    QTest::newRow("directory without config") << QStringList{"info", "/usr/share"} << 4 << "without a config.json";
    QTest::newRow("unknown option") << QStringList{"run", "@ENCDEC", "--txt", "a"} << 2 << "unknown option --txt";
    QTest::newRow("target and generate") << QStringList{"run", "@ENCDEC", "--text", "a", "--target", "b", "--generate"}
                                         << 2 << "mutually exclusive";
    QTest::newRow("target on decoder") << QStringList{"run", "@DECODER", "--text", "a", "--target", "b"} << 2
                                       << "--target needs an encoder-decoder model";
    QTest::newRow("missing file") << QStringList{"info", "/nonexistent/m.json"} << 4 << "/nonexistent/m.json: cannot open";
    QTest::newRow("invalid model") << QStringList{"info", "@BAD"} << 3 << "expected shape [4, 4], got [4, 2]";
    QTest::newRow("unwritable out") << QStringList{"run", "@ENCDEC", "--text", "a", "--out", "/nonexistent/dir/x.json"}
                                    << 4 << "cannot open for writing";
}

void TestCli::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, stderrContains);
    for (QString& a : args) a.replace("@ENCDEC", m_encdec).replace("@DECODER", m_decoder).replace("@BAD", m_bad);
    const Result r = runCli(args);
    QCOMPARE(r.exitCode, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrContains), r.err.constData());
}

void TestCli::invalidModelNamesFileAndPath()
{
    const Result r = runCli({"run", m_bad, "--text", "a"});
    QCOMPARE(r.exitCode, 3);
    const QString err = QString::fromUtf8(r.err).trimmed();
    QCOMPARE(err, m_bad + ": /weights/encoder.layers.0.self_attn.q_proj.weight: expected shape [4, 4], got [4, 2]");
    QVERIFY(!err.contains('\n')); // one line
}

void TestCli::census()
{
    const Result r = runCli({"census", m_decoder, "--text", "abab"});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = QString::fromUtf8(r.out).trimmed().split('\n');
    QCOMPARE(lines.size(), 3); // header + 1 layer x 2 heads
    QCOMPARE(lines[0], QString("stack,layer,head,entropy,mean_distance,previous_token,first_token,"
                               "special_tokens,induction,importance"));
    for (int i = 1; i < 3; ++i) {
        const QStringList f = lines[i].split(',');
        QCOMPARE(f.size(), 10);
        QCOMPARE(f[0], QString("decoder"));
        QCOMPARE(f[2].toInt(), i - 1);
        for (int c = 3; c < 10; ++c) {
            bool ok = false;
            const double v = f[c].toDouble(&ok);
            QVERIFY2(ok && std::isfinite(v), qPrintable(lines[i]));
        }
    }
    // Encoder-decoder: three stacks; --stack picks one; induction is empty there.
    const Result all = runCli({"census", m_encdec, "--text", "abc"});
    QCOMPARE(QString::fromUtf8(all.out).trimmed().split('\n').size(), 1 + 3 * 2);
    const Result cross = runCli({"census", m_encdec, "--text", "abc", "--stack", "cross"});
    const QStringList cl = QString::fromUtf8(cross.out).trimmed().split('\n');
    QCOMPARE(cl.size(), 3);
    QVERIFY(cl[1].startsWith("cross,0,0,"));
    QCOMPARE(cl[1].split(',')[8], QString());
    QCOMPARE(runCli({"census", m_encdec, "--stack", "sideways"}).exitCode, 2);
}

// A full disk (runCliOnFullDisk): run --out must exit 4 with a message and leave neither the file nor its temporary.
void TestCli::fullDiskLeavesNoFile()
{
    QTemporaryDir dir;
    const QString out = dir.filePath("trace.json");
    const Result r =
        attnscope::test::runCliOnFullDisk({"run", m_encdec, "--text", "abcdabcd", "--capture", "full", "--out", out});
    QCOMPARE(r.exitCode, 4); // finished normally, with 4
    QVERIFY(QString::fromUtf8(r.err).contains("write failed"));
    QVERIFY(!QFileInfo::exists(out));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
}

void TestCli::huggingFaceFolder()
{
    // A Hugging Face folder through the CLI, checked against the torch reference's golden
    // (tools/make_hf_goldens.py): the second case's ids, every head within 1e-5.
    const QString folder = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/gpt2-tiny");
    Result r = runCli({"info", folder});
    QCOMPARE(r.exitCode, 0);
    Json j = Json::parse(r.out.toStdString());
    QCOMPARE(j["source"]["format"].get<std::string>(), std::string("huggingface"));
    QCOMPARE(j["source"]["model_type"].get<std::string>(), std::string("gpt2"));
    QCOMPARE(j["architecture"]["activation"].get<std::string>(), std::string("gelu_tanh"));
    QCOMPARE(j["architecture"]["decoder_layers"].get<int>(), 2);

    std::ifstream in(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/hf/gpt2-tiny.expected.json");
    const Json golden = Json::parse(in);
    const Json& c = golden["cases"][1];
    QStringList ids;
    for (const Json& id : c["ids"]) ids << QString::number(id.get<int>());
    r = runCli({"run", folder, "--ids", ids.join(',')});
    QCOMPARE(r.exitCode, 0);
    j = Json::parse(r.out.toStdString());
    QCOMPARE(j["source_ids"], c["ids"]);
    QCOMPARE(j["attention"].size(), size_t(2 * 4));
    headsMatchGolden(j, c);
}

void TestCli::revisionSeries()
{
    // The shipped checkpoint series (models/hf/llama-kjv-revisions: step<N>/ HF folders) opens
    // as one model at its last snapshot; --revision picks another; the attention differs between
    // snapshots and the last one equals models/hf/llama-kjv, its final weights.
    const QString series = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/llama-kjv-revisions");
    Result r = runCli({"info", series});
    QCOMPARE(r.exitCode, 0);
    Json j = Json::parse(r.out.toStdString());
    const Json& s = j["source"]["series"];
    QVERIFY(s["revisions"].size() >= 6);
    const std::string last = s["revisions"].back()["name"].get<std::string>();
    const std::string first = s["revisions"].front()["name"].get<std::string>();
    QCOMPARE(s["revision"].get<std::string>(), last);
    long long prevStep = -1;
    for (const Json& rev : s["revisions"]) {
        QVERIFY(rev["step"].get<long long>() > prevStep);
        prevStep = rev["step"].get<long long>();
    }
    QCOMPARE(j["architecture"]["attention"].get<std::string>().substr(0, 13), std::string("grouped-query"));

    auto attentionOf = [](const Result& res) { return Json::parse(res.out.toStdString())["attention"]; };
    const Result atFirst = runCli({"run", series, "--revision", QString::fromStdString(first), "--text", "And God said"});
    const Result atLast = runCli({"run", series, "--text", "And God said"});
    const Result final = runCli({"run", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/llama-kjv"), "--text", "And God said"});
    QCOMPARE(atFirst.exitCode, 0);
    QCOMPARE(atLast.exitCode, 0);
    QCOMPARE(final.exitCode, 0);
    QVERIFY(attentionOf(atFirst) != attentionOf(atLast));
    QCOMPARE(attentionOf(atLast), attentionOf(final));
    QCOMPARE(Json::parse(atFirst.out.toStdString())["model"].get<std::string>(), "llama-kjv-revisions @ " + first);

    r = runCli({"info", series, "--revision", "step7"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("step7") && r.err.contains(first.c_str()), r.err.constData());
    r = runCli({"info", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/llama-kjv"), "--revision", "step7"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("single model"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
void TestCli::convertHuggingFaceFolder_data()
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"gpt2-tiny", "bert-mlm", "roberta-mlm", "distilbert-mlm", "llama-gqa", "llama-mqa-tied-f16",
                             "qwen2-bias-bf16", "neox-pythia", "neox-odd-serial-f16"})
        QTest::newRow(name) << name;
}

void TestCli::convertHuggingFaceFolder()
{
    // convert DIR --out M.json, then M.json run on the torch reference's golden ids
    // (tools/make_hf_goldens.py, make_llama_goldens.py): every head within 1e-5 of the golden and
    // the whole run output byte-identical to the folder's own; the architecture block says what
    // config.json says.
    QFETCH(QString, name);
    const QString folder = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/") + name;
    QTemporaryDir dir;
    const QString out = dir.filePath(name + ".json");
    Result r = runCli({"convert", folder, "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QFileInfo::exists(dir.filePath(name + ".safetensors")));
    std::ifstream cfgIn((folder + "/config.json").toStdString());
    const Json config = Json::parse(cfgIn);
    std::ifstream modelIn(out.toStdString());
    const Json converted = Json::parse(modelIn);
    QCOMPARE(converted["version"].get<int>(), 2);
    const std::string type = config["model_type"].get<std::string>();
    const Json& a = converted["architecture"];
    const bool llama = type == "llama" || type == "qwen2" || type == "mistral";
    QCOMPARE(a["norm_kind"].get<std::string>(), std::string(llama ? "rmsnorm" : "layernorm"));
    QCOMPARE(a["positional"].get<std::string>(), std::string(llama || type == "gpt_neox" ? "rotary" : "learned"));
    if (config.contains("num_key_value_heads"))
        QCOMPARE(a["n_kv_heads"].get<int>(), config["num_key_value_heads"].get<int>());
    if (type == "gpt_neox")
        QCOMPARE(a["parallel_residual"].get<bool>(), config.value("use_parallel_residual", true));
    const bool hasTokenizer = QFileInfo::exists(folder + "/tokenizer.json") || QFileInfo::exists(folder + "/vocab.json") ||
                              QFileInfo::exists(folder + "/vocab.txt");
    QCOMPARE(converted["tokenizer"]["type"].get<std::string>(), std::string(hasTokenizer ? "huggingface" : "ids"));
    QCOMPARE(QFileInfo::exists(dir.filePath(name + ".tokenizer")), hasTokenizer);

    std::ifstream goldenIn((QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/hf/") + name + ".expected.json").toStdString());
    const Json golden = Json::parse(goldenIn);
    // The first case of more than one token without token types (run --ids gives type 0).
    const Json* pick = nullptr;
    for (const Json& k : golden["cases"])
        if (!pick && k["ids"].size() > 1 && !k.contains("token_type_ids")) pick = &k;
    QVERIFY(pick);
    const Json& c = *pick;
    QStringList ids;
    for (const Json& id : c["ids"]) ids << QString::number(id.get<int>());
    const Result fromFile = runCli({"run", out, "--ids", ids.join(',')});
    const Result fromFolder = runCli({"run", folder, "--ids", ids.join(',')});
    QVERIFY2(fromFile.exitCode == 0, fromFile.err.constData());
    QCOMPARE(fromFolder.exitCode, 0);
    QVERIFY(fromFile.out == fromFolder.out);
    const Json j = Json::parse(fromFile.out.toStdString());
    QVERIFY(!j["attention"].empty());
    headsMatchGolden(j, c);
}

void TestCli::convertRefusals()
{
    QTemporaryDir dir;
    const QString folder = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/gpt2-tiny");
    Result r = runCli({"convert", folder});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(QString::fromUtf8(r.err).contains("convert: --out MODEL.json is required"));
    r = runCli({"convert", folder, "--out", dir.filePath("m.bin")});
    QCOMPARE(r.exitCode, 2);
    r = runCli({"convert", folder, "--out", dir.filePath("m.json"), "--text", "x"});
    QCOMPARE(r.exitCode, 2);
    r = runCli({"convert", m_decoder, "--out", dir.filePath("m.json")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains("already an AttnScope model file"), r.err.constData());
    r = runCli({"convert", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/vit-digits"), "--out", dir.filePath("v.json")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains("vision models"), r.err.constData());
    r = runCli({"convert", folder, "--out", dir.filePath("no/such/folder/m.json")});
    QCOMPARE(r.exitCode, 4);
    QVERIFY2(QString::fromUtf8(r.err).contains("no such folder"), r.err.constData());
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
}

void TestCli::convertOnFullDiskKeepsWhatWasThere()
{
    // A convert that cannot finish (a one-block file-size limit: the sidecar does not fit)
    // exits 4, leaves the model file that was there untouched and no temporary behind.
    QTemporaryDir dir;
    const QString out = dir.filePath("m.json");
    {
        QFile f(out);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("previous model");
    }
    const Result r = attnscope::test::runCliOnFullDisk(
        {"convert", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/gpt2-tiny"), "--out", out});
    QCOMPARE(r.exitCode, 4);
    QVERIFY2(QString::fromUtf8(r.err).contains("written"), r.err.constData());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("previous model"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList{"m.json"});
}

#include "test_cli.moc"
