// End-to-end tests of `attnscope-cli attribute`: its JSON equals torch's integrated gradients
// (tests/data/golden/grad/attribution.json), its defaults, and its errors (exit 2).
#include "cli_runner.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

#include <fstream>

using attnscope::test::runCli;

namespace {

QString dataPath(const QString& rel) { return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + rel; }

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

QString idList(const nlohmann::json& ids)
{
    QStringList s;
    for (const auto& v : ids) s << QString::number(v.get<int>());
    return s.join(',');
}

} // namespace

class TestCliAttribute : public QObject {
    Q_OBJECT

private slots:
    void integratedGradientsEqualTorch();
    void defaultsExplainThePrediction();
    void maskedPrediction();
    void errors_data();
    void errors();
};

// The decoder golden case through the CLI: --ids, --position, --target-token (the vocabulary's
// string for the golden's token id), 32 steps, pad baseline. Scores within 1e-4 of the largest.
void TestCliAttribute::integratedGradientsEqualTorch()
{
    const auto golden = readJson(dataPath("tests/data/golden/grad/attribution.json"));
    const nlohmann::json* c = nullptr;
    for (const auto& e : golden["cases"])
        if (e["model"] == "tests/data/golden/decoder-pre-gelu-tied.model.json") c = &e;
    QVERIFY(c);
    const QString model = dataPath("tests/data/golden/decoder-pre-gelu-tied.model.json");
    const auto doc = readJson(model);
    const std::string token = doc["tokenizer"]["vocab"][(*c)["token"].get<size_t>()].get<std::string>();
    for (const auto& ig : (*c)["ig"]) {
        const auto r = runCli({"attribute", model, "--ids", idList((*c)["source"]), "--position",
                               QString::number((*c)["position"].get<int>()), "--target-token",
                               QString::fromStdString(token), "--steps", QString::number(ig["steps"].get<int>()),
                               "--baseline", QString::fromStdString(ig["baseline"].get<std::string>()), "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["method"].get<std::string>(), std::string("ig"));
        QCOMPARE(j["rule"].get<std::string>(), std::string("midpoint"));
        QCOMPARE(j["token"]["id"].get<int>(), (*c)["token"].get<int>());
        double scale = 1, worst = 0;
        for (const auto& s : ig["scores"]) scale = std::max(scale, std::abs(s.get<double>()));
        QCOMPARE(j["tokens"].size(), ig["scores"].size());
        for (size_t i = 0; i < j["tokens"].size(); ++i)
            worst = std::max(worst, std::abs(j["tokens"][i]["score"].get<double>() - ig["scores"][i].get<double>()));
        QVERIFY2(worst <= 1e-4 * scale, qPrintable(QString("scores differ by %1").arg(worst)));
        QVERIFY(std::abs(j["completeness_error"].get<double>() - ig["completeness_error"].get<double>()) <= 1e-4);
    }
}

// Without --position and --target-token a decoder explains its next-token prediction at the last
// position; the text output names it and ends with the completeness line.
void TestCliAttribute::defaultsExplainThePrediction()
{
    const QString model = dataPath("models/tiny-lm.json");
    const auto run = runCli({"run", model, "--text", "And God sai", "--top-k", "1"});
    QCOMPARE(run.exitCode, 0);
    const auto rj = nlohmann::json::parse(run.out.toStdString());
    const int predicted = rj["predictions"]["top_k"][0]["id"].get<int>();
    const int last = int(rj["source_ids"].size()) - 1;
    const auto r = runCli({"attribute", model, "--text", "And God sai", "--json", "--steps", "8"});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["position"].get<int>(), last);
    QCOMPARE(j["token"]["id"].get<int>(), predicted);
    QCOMPARE(j["tokens"].size(), rj["source_ids"].size());
    QCOMPARE(j["steps"].get<int>(), 8);
    QVERIFY(std::abs(j["sum"].get<double>() - j["completeness_error"].get<double>() -
                     (j["f"].get<double>() - j["f_baseline"].get<double>())) <= 1e-9);
    const auto text = runCli({"attribute", model, "--text", "And God sai", "--method", "grad"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("gradient L2 norm"));
    QVERIFY(text.out.contains("\"G\""));
}

// An encoder explains its first [MASK] by default.
void TestCliAttribute::maskedPrediction()
{
    const auto r = runCli({"attribute", dataPath("models/tiny-mlm.json"), "--text", "in the [MASK] god", "--method",
                           "ixg", "--json"});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    const auto& tokens = j["tokens"];
    const int pos = j["position"].get<int>();
    QCOMPARE(tokens[size_t(pos)]["text"].get<std::string>(), std::string("[MASK]"));
    QCOMPARE(j["method"].get<std::string>(), std::string("ixg"));
}

void TestCliAttribute::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString lm = dataPath("models/tiny-lm.json");
    QTest::newRow("position out of range") << QStringList{"attribute", lm, "--text", "abc", "--position", "99"} << 2
                                           << "out of range";
    QTest::newRow("unknown token") << QStringList{"attribute", lm, "--text", "abc", "--target-token", "@@"} << 2
                                   << "unknown token";
    QTest::newRow("bad method") << QStringList{"attribute", lm, "--text", "abc", "--method", "shap"} << 2
                                << "grad, ixg or ig";
    QTest::newRow("bad steps") << QStringList{"attribute", lm, "--text", "abc", "--steps", "0"} << 2 << "--steps";
    QTest::newRow("pad baseline without pad") << QStringList{"attribute", lm, "--text", "abc", "--baseline", "pad"} << 2
                                              << "pad or mask";
    QTest::newRow("no text") << QStringList{"attribute", lm} << 2 << "--text or --ids";
    QTest::newRow("no mask") << QStringList{"attribute", dataPath("models/tiny-mlm.json"), "--text", "in the"} << 2
                             << "[MASK]";
    QTest::newRow("missing model") << QStringList{"attribute", "/nonexistent.json", "--text", "a"} << 4 << "";
}

void TestCliAttribute::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const auto r = runCli(args);
    QCOMPARE(r.exitCode, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCliAttribute)
#include "test_cli_attribute.moc"
