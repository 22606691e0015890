// End-to-end tests of `attnscope-cli lens`: its JSON equals torch's lens (the tiny-lm golden of
// tools/make_lens_goldens.py) and the model's own prediction at the last point, the table, the
// choice of points, and the errors (exit 2 for bad input, 4 for a missing file).
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

class TestCliLens : public QObject {
    Q_OBJECT

private slots:
    void jsonEqualsTorch();
    void lastPointIsTheModelsPrediction();
    void table();
    void points_data();
    void points();
    void errors_data();
    void errors();
};

// The first tiny-lm case through --ids: every probability within 1e-5, KL within 1e-4 (the
// JSON prints floats, enough for both).
void TestCliLens::jsonEqualsTorch()
{
    const auto golden = readJson(dataPath("tests/data/golden/lens/tiny-lm.lens.json"));
    const auto& c = golden["cases"][0];
    const auto r = runCli({"lens", dataPath("models/tiny-lm.json"), "--ids", idList(c["ids"]), "--top-k",
                           QString::number(golden["top_k"].get<int>()), "--json"});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["points"].size(), c["rows"].size());
    double worstP = 0, worstKl = 0;
    for (size_t p = 0; p < j["points"].size(); ++p) {
        const auto& point = j["points"][p];
        const auto& row = c["rows"][p];
        QCOMPARE(point["point"].get<std::string>(), row["point"].get<std::string>());
        QCOMPARE(point["layer"].get<int>(), row["layer"].get<int>());
        for (size_t i = 0; i < point["positions"].size(); ++i) {
            const auto& cell = point["positions"][i];
            for (size_t k = 0; k < cell["top_k"].size(); ++k)
                worstP = std::max(worstP, std::abs(cell["top_k"][k]["probability"].get<double>() -
                                                   row["top_probs"][i][k].get<double>()));
            worstP = std::max(worstP, std::abs(cell["final_top1_probability"].get<double>() -
                                               row["final_top1_prob"][i].get<double>()));
            worstKl = std::max(worstKl, std::abs(cell["kl"].get<double>() - row["kl"][i].get<double>()));
        }
    }
    QVERIFY2(worstP <= 1e-5, qPrintable(QString("probabilities differ by %1").arg(worstP)));
    QVERIFY2(worstKl <= 1e-4, qPrintable(QString("KL differs by %1").arg(worstKl)));
}

// --text tokenizes as `run` does; the last point's top-1 at the last position is `run`'s
// prediction with its probability, and its KL is 0.
void TestCliLens::lastPointIsTheModelsPrediction()
{
    const QString model = dataPath("models/tiny-lm.json");
    const auto run = runCli({"run", model, "--text", "And God sai", "--top-k", "3"});
    QCOMPARE(run.exitCode, 0);
    const auto rj = nlohmann::json::parse(run.out.toStdString());
    const auto r = runCli({"lens", model, "--text", "And God sai", "--top-k", "3", "--json"});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["tokens"].size(), rj["source_ids"].size());
    for (size_t i = 0; i < j["tokens"].size(); ++i) QCOMPARE(j["tokens"][i]["id"], rj["source_ids"][i]);
    const auto& last = j["points"].back();
    QCOMPARE(last["point"].get<std::string>(), std::string("mlp"));
    QCOMPARE(last["layer"].get<int>(), 3);
    const auto& cell = last["positions"].back();
    QCOMPARE(cell["kl"].get<double>(), 0.0);
    for (size_t k = 0; k < 3; ++k) {
        QCOMPARE(cell["top_k"][k]["id"], rj["predictions"]["top_k"][k]["id"]);
        QVERIFY(std::abs(cell["top_k"][k]["probability"].get<double>() -
                         rj["predictions"]["top_k"][k]["probability"].get<double>()) <= 1e-6);
    }
    QCOMPARE(j["final_top1"].back()["id"], rj["predictions"]["top_k"][0]["id"]);
    QCOMPARE(j["parallel_residual"].get<bool>(), false);
}

// Header with every point, one line per position naming its input token.
void TestCliLens::table()
{
    const auto r = runCli({"lens", dataPath("models/tiny-lm.json"), "--text", "And God"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.isEmpty());
    const QStringList lines = QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts);
    QVERIFY(lines[0].startsWith("model:  Tiny KJV LM"));
    QVERIFY(lines[0].contains("final norm layernorm"));
    int header = -1;
    for (int i = 0; i < lines.size(); ++i)
        if (lines[i].trimmed().startsWith("pos")) header = i;
    QVERIFY(header > 0);
    for (const char* p : {"embed", "attn0", "mlp0", "attn3", "mlp3"}) QVERIFY2(lines[header].contains(p), p);
    const QStringList rows = lines.mid(header + 1);
    QCOMPARE(rows.size(), 8); // <bos> A n d ␣ G o d
    QVERIFY(rows[0].trimmed().startsWith("0 <bos>"));
    QVERIFY(rows[4].contains(QString::fromUtf8("\u2423")));
    QCOMPARE(rows[0].count('|'), 9);
    QVERIFY(rows[7].endsWith("0.00")); // the last point's KL
}

void TestCliLens::points_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("point");
    QTest::addColumn<QStringList>("expected");
    const QString lm = dataPath("models/tiny-lm.json");
    QTest::newRow("mlp") << lm << "mlp" << QStringList{"embed", "mlp", "mlp", "mlp", "mlp"};
    QTest::newRow("attn") << lm << "attn" << QStringList{"embed", "attn", "attn", "attn", "attn"};
    QTest::newRow("llama all") << dataPath("tests/data/hf/llama-gqa") << "all"
                               << QStringList{"embed", "attn", "mlp", "attn", "mlp"};
    QTest::newRow("neox parallel all") << dataPath("tests/data/hf/neox-pythia") << "all"
                                       << QStringList{"embed", "mlp", "mlp"};
}

void TestCliLens::points()
{
    QFETCH(QString, model);
    QFETCH(QString, point);
    QFETCH(QStringList, expected);
    const auto r = runCli({"lens", model, "--ids", "1,2,3", "--point", point, "--json"});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QStringList got;
    for (const auto& p : j["points"]) got << QString::fromStdString(p["point"].get<std::string>());
    QCOMPARE(got, expected);
    QCOMPARE(j["points"][0]["positions"].size(), size_t(3));
    QCOMPARE(j["points"][0]["positions"][0]["top_k"].size(), size_t(5));
}

void TestCliLens::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString lm = dataPath("models/tiny-lm.json");
    QTest::newRow("encoder-only") << QStringList{"lens", dataPath("models/tiny-mlm.json"), "--text", "the lord"} << 2
                                  << "decoder-only";
    QTest::newRow("encoder-decoder") << QStringList{"lens", dataPath("models/date-normalizer.json"), "--text", "1 May"}
                                     << 2 << "decoder-only";
    QTest::newRow("empty text") << QStringList{"lens", lm, "--text", ""} << 2 << "--text is empty";
    QTest::newRow("no text") << QStringList{"lens", lm} << 2 << "--text or --ids";
    QTest::newRow("unknown option") << QStringList{"lens", lm, "--text", "a", "--layer", "2"} << 2
                                    << "unknown option --layer";
    QTest::newRow("bad point") << QStringList{"lens", lm, "--text", "a", "--point", "ffn"} << 2 << "attn, mlp or all";
    QTest::newRow("bad top-k") << QStringList{"lens", lm, "--text", "a", "--top-k", "0"} << 2 << "--top-k";
    QTest::newRow("id out of range") << QStringList{"lens", lm, "--ids", "3,999"} << 2 << "outside";
    QTest::newRow("attn of a parallel model")
        << QStringList{"lens", dataPath("tests/data/hf/neox-pythia"), "--ids", "1,2", "--point", "attn"} << 2
        << "parallel residual";
    QTest::newRow("missing model") << QStringList{"lens", "/nonexistent.json", "--text", "a"} << 4 << "";
}

void TestCliLens::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const auto r = runCli(args);
    QCOMPARE(r.exitCode, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCliLens)
#include "test_cli_lens.moc"
