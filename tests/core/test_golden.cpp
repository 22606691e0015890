// Reference comparison: every model in tests/data/golden/ was built from PyTorch's own
// nn.Transformer* modules by tools/make_golden.py, which recorded torch's per-head attention,
// logits and greedy output. The engine must reproduce them within the file's tolerance (1e-5).
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include "golden_util.h"

#include <QtTest>

#include <fstream>

using namespace attnscope;
using Json = nlohmann::json;
using attnscope::testing::maxAbsDiff;
using attnscope::testing::readJson;

namespace {

const QString kGoldenDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden");



std::vector<int> ids(const std::vector<Token>& tokens)
{
    std::vector<int> out;
    for (const Token& t : tokens) out.push_back(t.id);
    return out;
}

} // namespace

class TestGolden : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void matchesTorch_data();
    void matchesTorch();
};

void TestGolden::initTestCase()
{
    const QStringList files = QDir(kGoldenDir).entryList({"*.expected.json"});
    QVERIFY2(files.size() >= 6, qPrintable(QString("expected at least 6 golden files in %1, found %2")
                                              .arg(kGoldenDir).arg(files.size())));
}

void TestGolden::matchesTorch_data()
{
    QTest::addColumn<QString>("expectedFile");
    QTest::addColumn<int>("caseIndex");
    for (const QString& f : QDir(kGoldenDir).entryList({"*.expected.json"})) {
        const Json e = readJson(kGoldenDir + "/" + f);
        for (size_t i = 0; i < e["cases"].size(); ++i)
            QTest::newRow(qPrintable(QString("%1#%2").arg(f).arg(i))) << f << int(i);
    }
}

void TestGolden::matchesTorch()
{
    QFETCH(QString, expectedFile);
    QFETCH(int, caseIndex);
    const Json e = readJson(kGoldenDir + "/" + expectedFile);
    const float tol = e.value("tolerance", 1e-5f);
    const Json& c = e["cases"][size_t(caseIndex)];
    const auto model = loadModel((kGoldenDir + "/" + QString::fromStdString(e["model"].get<std::string>())).toStdString());
    const Transformer tf(model);

    // Our tokenizer must produce the ids the Python twin produced.
    RunOptions opt;
    opt.text = c["text"].get<std::string>();
    if (!c["target"].is_null()) opt.target = c["target"].get<std::string>();
    if (model->config.type == ArchType::EncoderDecoder && !opt.target) opt.target = std::string();
    const RunResult run = runModel(tf, opt);
    const auto sourceIds = c["source_ids"].get<std::vector<int>>();
    QCOMPARE(ids(run.sourceTokens), sourceIds);
    std::vector<int> targetIds;
    if (!c["target_ids"].is_null()) {
        targetIds = c["target_ids"].get<std::vector<int>>();
        if (opt.target) QCOMPARE(ids(run.targetTokens), targetIds);
    }

    const ForwardResult f = tf.forward(sourceIds, targetIds, Capture::Attention);
    bool shapeOk = false;
    const float logitDiff = maxAbsDiff(f.logits, c["logits"], shapeOk);
    QVERIFY2(shapeOk, "logits shape differs");
    QVERIFY2(logitDiff <= tol, qPrintable(QString("logits differ by %1").arg(logitDiff)));

    size_t checked = 0;
    for (const Json& a : c["attention"]) {
        Stack s;
        QVERIFY(stackFromString(a["stack"].get<std::string>(), s));
        const auto& layers = f.trace.stack(s);
        const size_t l = a["layer"], h = a["head"];
        QVERIFY2(l < layers.size() && h < layers[l].heads.size(), "missing head in trace");
        const float diff = maxAbsDiff(layers[l].heads[h].weights, a["weights"], shapeOk);
        const QString where = QString("%1 L%2 H%3").arg(QString::fromStdString(a["stack"])).arg(l).arg(h);
        QVERIFY2(shapeOk, qPrintable(where + ": shape differs"));
        QVERIFY2(diff <= tol, qPrintable(where + QString(": differs by %1").arg(diff)));
        ++checked;
    }
    size_t total = 0;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross})
        for (const LayerTrace& lt : f.trace.stack(s)) total += lt.heads.size();
    QCOMPARE(checked, total); // every head we produce was checked against torch

    if (c.contains("greedy") && !c["greedy"].is_null()) {
        const auto expectIds = c["greedy"]["ids"].get<std::vector<int>>();
        const int maxLen = c["greedy"]["max_len"].get<int>();
        QCOMPARE(tf.greedy(sourceIds, maxLen), expectIds);
    }
}

QTEST_APPLESS_MAIN(TestGolden)
#include "test_golden.moc"
