// The interactive HTML export without a browser: `attnscope-cli export --format html` on shipped
// models, the page read back (core's decodeInteractiveHtml) and compared with the engine's own
// run cell by cell to 3 decimals (the app's hover formatting, QString::arg(w, 0, 'f', 3)); the
// page is self-contained (CSP hashes recomputed here with Qt's SHA-256, no URL, no external
// resource) and a 12 × 12 model at 128 tokens stays under 3 MB. The browser check is
// scripts/check_html_export.sh (headless Chromium, docs/html-export.md).
#include "../cli/cli_runner.h"
#include "test_models.h"

#include "core/analysis/head_stats.h"
#include "core/errors.h"
#include "core/html_export.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"
#include "render/attention_slice.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <array>
#include <cmath>
#include <random>

using attnscope::test::runCli;

namespace {

QString sourcePath(const char* relative) { return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + relative; }

std::string readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
    return f.readAll().toStdString();
}

QString threeDecimals(double w) { return QStringLiteral("%1").arg(w, 0, 'f', 3); }

// Weights of a random 12-layer, 12-head decoder (d_model 96) for the size figure: uniform in
// ±Milli/1000. The amplitude sets how peaked the attention is (±0.1: nearly uniform rows, which
// deflate best; ±1: peaked, irregular rows). worstCaseRowsUnder3MB bounds what a trained model can take.
template <int Milli> float randomWeight(int k, int i)
{
    std::uint32_t x = std::uint32_t(k) * 2654435761u ^ std::uint32_t(i) * 40503u ^ 0x9e3779b9u;
    x ^= x >> 15, x *= 0x2c1b3c6du, x ^= x >> 12, x *= 0x297a2d39u, x ^= x >> 15;
    return (float(x % 20001u) / 10000.0f - 1.0f) * float(Milli) / 1000.0f;
}

} // namespace

class TestHtmlExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void sha256KnownVectors();
    void quantiseRoundsLikeTheApp();
    void weightsEqualTheEngine_data();
    void weightsEqualTheEngine();
    void selfContained();
    void twelveByTwelveAt128TokensUnder3MB_data();
    void twelveByTwelveAt128TokensUnder3MB();
    void worstCaseRowsUnder3MB();
    void usageErrors();
    void decodeRefusesOtherText();

private:
    QTemporaryDir m_dir;
};

void TestHtmlExport::sha256KnownVectors()
{
    // FIPS 180-4 examples, and a multi-block message, against Qt's implementation.
    QCOMPARE(QString::fromStdString(attnscope::sha256Base64("abc")),
             QStringLiteral("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="));
    QCOMPARE(QString::fromStdString(attnscope::sha256Base64("")),
             QStringLiteral("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
    for (const int n : {55, 56, 63, 64, 65, 1000}) {
        std::string s;
        for (int i = 0; i < n; ++i) s += char('a' + i % 26);
        QCOMPARE(QString::fromStdString(attnscope::sha256Base64(s)),
                 QString::fromLatin1(
                     QCryptographicHash::hash(QByteArray::fromStdString(s), QCryptographicHash::Sha256).toBase64()));
    }
}

void TestHtmlExport::quantiseRoundsLikeTheApp()
{
    // Exact halves (0.0625 = 62.5 / 1000) round up as Qt's formatting does; printf would give 0.062.
    QCOMPARE(attnscope::quantiseWeight(0.0625f), 63);
    QCOMPARE(threeDecimals(0.0625), QStringLiteral("0.063"));
    QCOMPARE(attnscope::quantiseWeight(0.0f), 0);
    QCOMPARE(attnscope::quantiseWeight(1.0f), 1000);
    QCOMPARE(attnscope::quantiseWeight(1.5f), 1000);
    QCOMPARE(attnscope::quantiseWeight(-0.2f), 0);
    QCOMPARE(attnscope::quantiseWeight(std::nanf("")), 0);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int k = 0; k < 200000; ++k) {
        const float w = k < 1000 ? float(k) / 1000.0f + 0.0005f : u(rng); // near the halves, then anywhere
        const QString shown = threeDecimals(double(attnscope::quantiseWeight(w)) / 1000.0);
        if (shown != threeDecimals(double(w)))
            QFAIL(qPrintable(QStringLiteral("%1: %2").arg(double(w), 0, 'g', 9).arg(shown)));
    }
}

void TestHtmlExport::weightsEqualTheEngine_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("stacks");
    QTest::newRow("date-normalizer (encoder-decoder)")
        << sourcePath("models/date-normalizer.json") << QStringLiteral("25th of November 2026") << 3;
    QTest::newRow("tiny-lm (causal decoder)")
        << sourcePath("models/tiny-lm.json") << QStringLiteral("And God said unto Moses") << 1;
    QTest::newRow("tiny-mlm (encoder)") << sourcePath("models/tiny-mlm.json") << QStringLiteral("the lord is my [MASK]")
                                        << 1;
}

void TestHtmlExport::weightsEqualTheEngine()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(int, stacks);
    const QString out = m_dir.filePath(QStringLiteral("page.html"));
    const attnscope::test::CliResult r = runCli({"export", model, "--text", text, "--format", "html", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), out.toUtf8());
    const std::string html = readAll(out);
    qInfo("%s: %lld bytes", qPrintable(QFileInfo(model).fileName()), qlonglong(html.size()));

    // The reference: the engine's own run, as the CLI's `run` makes it.
    using namespace attnscope;
    const std::shared_ptr<const Model> m = loadModel(model.toStdString());
    const Transformer transformer(m);
    RunOptions options;
    options.text = text.toStdString();
    const RunResult run = runModel(transformer, options);
    const std::vector<Stack> expected = availableStacks(run.trace);
    QCOMPARE(int(expected.size()), stacks);

    const HtmlPayload page = decodeInteractiveHtml(html);
    QCOMPARE(page.meta["model"].get<std::string>(), m->name);
    QCOMPARE(page.meta["input"].get<std::string>(), options.text);
    QCOMPARE(page.meta["output"].get<std::string>(), run.outputText);
    QCOMPARE(page.meta["colormap"]["name"].get<std::string>(), std::string("viridis"));
    QCOMPARE(page.meta["colormap"]["colors"].size(), size_t(256));
    QCOMPARE(page.meta["colormap"]["colors"][0].get<std::string>(), std::string("#440154"));   // viridis' first stop
    QCOMPARE(page.meta["colormap"]["colors"][255].get<std::string>(), std::string("#fde725")); // and its last
    QCOMPARE(page.weights.size(), expected.size());
    long cells = 0;
    for (size_t s = 0; s < expected.size(); ++s) {
        const nlohmann::json& ms = page.meta["stacks"][s];
        QCOMPARE(ms["name"].get<std::string>(), std::string(toString(expected[s])));
        const auto& layers = run.trace.stack(expected[s]);
        const bool causal = expected[s] == Stack::Decoder && run.trace.causalDecoder;
        QCOMPARE(ms["causal"].get<bool>(), causal);
        QCOMPARE(ms["packing"].get<std::string>(), std::string(causal ? "lower" : "full"));
        // The app's labels (read→produced rows for encoder-decoder decoder and cross stacks).
        const QStringList queries = queryLabelsOf(run, m->config, expected[s]);
        QCOMPARE(ms["query_labels"].size(), size_t(queries.size()));
        for (qsizetype i = 0; i < queries.size(); ++i)
            QCOMPARE(QString::fromStdString(ms["query_labels"][size_t(i)].get<std::string>()), queries[i]);
        QCOMPARE(page.weights[s].size(), layers.size());
        for (size_t l = 0; l < layers.size(); ++l) {
            const size_t heads = layers[l].heads.size();
            QCOMPARE(page.weights[s][l].size(), heads + 1); // + the mean of heads
            for (size_t h = 0; h <= heads; ++h) {
                const MatrixRM reference = h < heads ? layers[l].heads[h].weights : meanOfHeads(layers[l]);
                const MatrixRM& stored = page.weights[s][l][h];
                QCOMPARE(stored.rows(), reference.rows());
                QCOMPARE(stored.cols(), reference.cols());
                for (Eigen::Index i = 0; i < reference.rows(); ++i)
                    for (Eigen::Index j = 0; j < reference.cols(); ++j, ++cells) {
                        if (causal && j > i) {
                            QCOMPARE(reference(i, j), 0.0f); // masked: not stored, shown hatched
                            continue;
                        }
                        if (threeDecimals(stored(i, j)) != threeDecimals(reference(i, j)))
                            QFAIL(qPrintable(QStringLiteral("%1 L%2 H%3 (%4, %5): page %6, engine %7")
                                                 .arg(toString(expected[s]))
                                                 .arg(l)
                                                 .arg(h)
                                                 .arg(i)
                                                 .arg(j)
                                                 .arg(threeDecimals(stored(i, j)), threeDecimals(reference(i, j)))));
                    }
            }
        }
    }
    QVERIFY(cells > 100);
}

void TestHtmlExport::selfContained()
{
    const QString out = m_dir.filePath(QStringLiteral("self.html"));
    const attnscope::test::CliResult r =
        runCli({"export", sourcePath("models/date-normalizer.json"), "--out", out, "--colormap", "magma"});
    QVERIFY2(r.exitCode == 0, r.err.constData()); // .html picks the format by itself
    const QString html = QString::fromStdString(readAll(out));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));

    // The policy: nothing but the page's own script and style sheet, by hash; no fetch of any kind.
    const QRegularExpression cspRe(
        QStringLiteral("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">"));
    const QRegularExpressionMatch csp = cspRe.match(html);
    QVERIFY(csp.hasMatch());
    QVERIFY(csp.capturedStart() < html.indexOf(QStringLiteral("<script"))); // before anything runs
    const QString policy = csp.captured(1);
    QVERIFY(policy.startsWith(QStringLiteral("default-src 'none';")));
    QVERIFY(policy.contains(QStringLiteral("connect-src 'none'")));
    QVERIFY(!policy.contains(QStringLiteral("unsafe")));
    auto hashOf = [](const QString& s) {
        return QString::fromLatin1(QCryptographicHash::hash(s.toUtf8(), QCryptographicHash::Sha256).toBase64());
    };
    const QRegularExpression scriptRe(QStringLiteral("<script>(.*?)</script>"),
                                      QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpression styleRe(QStringLiteral("<style>(.*?)</style>"),
                                     QRegularExpression::DotMatchesEverythingOption);
    int scripts = 0;
    for (auto it = scriptRe.globalMatch(html); it.hasNext(); ++scripts)
        QVERIFY(policy.contains(QStringLiteral("script-src 'sha256-%1'").arg(hashOf(it.next().captured(1)))));
    QCOMPARE(scripts, 1); // one executable script; the data blocks have non-script types
    const QRegularExpressionMatch style = styleRe.match(html);
    QVERIFY(style.hasMatch());
    QVERIFY(policy.contains(QStringLiteral("style-src 'sha256-%1'").arg(hashOf(style.captured(1)))));

    // No address the browser could be sent to, no external resource.
    for (const char* forbidden : {"http://", "https://", "//cdn", "<link", "<img", "<iframe", "src=", "@import", "url(",
                                  "fetch(", "XMLHttpRequest", "WebSocket", "import("})
        QVERIFY2(!html.contains(QLatin1String(forbidden), Qt::CaseInsensitive), forbidden);
    // The colour map asked for (magma's stops), and the app's three views.
    const attnscope::HtmlPayload page = attnscope::decodeInteractiveHtml(html.toStdString());
    QCOMPARE(page.meta["colormap"]["name"].get<std::string>(), std::string("magma"));
    QCOMPARE(page.meta["colormap"]["colors"][0].get<std::string>(), std::string("#000004"));
    for (const char* id : {"id=\"overview\"", "id=\"head\"", "id=\"align\"", "id=\"stack\"", "id=\"tooltip\""})
        QVERIFY2(html.contains(QLatin1String(id)), id);
}

void TestHtmlExport::twelveByTwelveAt128TokensUnder3MB_data()
{
    QTest::addColumn<void*>("weight");
    QTest::newRow("weights ±1") << reinterpret_cast<void*>(&randomWeight<1000>);
    QTest::newRow("weights ±0.1") << reinterpret_cast<void*>(&randomWeight<100>);
    QTest::newRow("weights ±0.3") << reinterpret_cast<void*>(&randomWeight<300>);
}

void TestHtmlExport::twelveByTwelveAt128TokensUnder3MB()
{
    QFETCH(void*, weight);
    attnscope::test::ModelSpec spec;
    spec.type = "decoder";
    spec.name = "random-12x12";
    spec.description = "12 layers x 12 heads, random weights (size test)";
    spec.dModel = 96;
    spec.nHeads = 12;
    spec.dFf = 192;
    spec.layers = 12;
    spec.maxLen = 160;
    spec.vocab = {"<pad>", "<unk>", "<s>", "</s>", "[MASK]"};
    for (char c = 'a'; c <= 'z'; ++c) spec.vocab.push_back(std::string(1, c));
    spec.vocab.push_back(" ");
    spec.weight = reinterpret_cast<float (*)(int, int)>(weight);
    const QString model =
        attnscope::test::writeFile(m_dir.filePath("random-12x12.json"), attnscope::test::modelDocument(spec).dump());
    const QString phrase = QStringLiteral("in the beginning god created the heaven and the earth ");
    QString text;
    while (text.size() < 127) text += phrase;
    text.truncate(127);
    const QString out = m_dir.filePath(QStringLiteral("big.html"));
    const attnscope::test::CliResult r = runCli({"export", model, "--text", text, "--format", "html", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const std::string html = readAll(out);
    const attnscope::HtmlPayload page = attnscope::decodeInteractiveHtml(html);
    QCOMPARE(page.meta["stacks"][0]["tq"].get<int>(), 128); // <s> + 127 characters
    QCOMPARE(page.meta["stacks"][0]["layers"].get<int>(), 12);
    QCOMPARE(page.meta["stacks"][0]["heads"].get<int>(), 12);
    qInfo("12 x 12 heads at 128 tokens: %lld bytes (%.2f MB), %lld stored values", qlonglong(html.size()),
          double(html.size()) / 1e6, qlonglong(page.meta["values"].get<long long>()));
    QVERIFY2(html.size() <= 3'000'000, qPrintable(QString::number(html.size())));
    // ATTNSCOPE_KEEP_HTML=DIR keeps the pages, e.g. to open them in a browser.
    const QString keep = qEnvironmentVariable("ATTNSCOPE_KEEP_HTML");
    if (!keep.isEmpty())
        QFile::copy(out, QDir(keep).filePath(
                             QStringLiteral("12x12-128-%1.html")
                                 .arg(QString::fromUtf8(QTest::currentDataTag()).section(QLatin1Char(' '), 1))));
}

// Rows of independent random weights (each row: uniform random numbers, normalised): far less
// regular than any model's attention, so the bound on the file size for 12 × 12 heads at 128 tokens.
void TestHtmlExport::worstCaseRowsUnder3MB()
{
    using namespace attnscope;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    HtmlExport doc;
    doc.modelName = "worst case";
    doc.colors = {0x000000, 0xffffff};
    HtmlStack s;
    s.name = "decoder";
    s.title = "decoder self-attention";
    s.causal = true;
    for (int t = 0; t < 128; ++t) s.queryLabels.push_back("t" + std::to_string(t));
    s.keyLabels = s.queryLabels;
    for (int l = 0; l < 12; ++l) {
        std::vector<MatrixRM> heads;
        for (int h = 0; h < 12; ++h) {
            MatrixRM a = MatrixRM::Zero(128, 128);
            for (int i = 0; i < 128; ++i) {
                for (int j = 0; j <= i; ++j) a(i, j) = u(rng);
                a.row(i) /= a.row(i).sum();
            }
            heads.push_back(std::move(a));
        }
        MatrixRM mean = MatrixRM::Zero(128, 128);
        for (const MatrixRM& a : heads) mean += a / 12.0f;
        s.meanOfHeads.push_back(std::move(mean));
        s.heads.push_back(std::move(heads));
    }
    doc.stacks.push_back(std::move(s));
    const std::string html = interactiveHtml(doc);
    qInfo("worst case, 12 x 12 heads at 128 tokens of random rows: %lld bytes (%.2f MB)", qlonglong(html.size()),
          double(html.size()) / 1e6);
    QVERIFY2(html.size() <= 3'000'000, qPrintable(QString::number(html.size())));
    // and it reads back: spot checks against the rows put in.
    const HtmlPayload page = decodeInteractiveHtml(html);
    for (const auto& [l, h, i, j] : std::vector<std::array<int, 4>>{{0, 0, 0, 0}, {11, 11, 127, 5}, {5, 7, 64, 64}})
        QCOMPARE(threeDecimals(page.weights[0][size_t(l)][size_t(h)](i, j)),
                 threeDecimals(doc.stacks[0].heads[size_t(l)][size_t(h)](i, j)));
}

void TestHtmlExport::usageErrors()
{
    const QString model = sourcePath("models/tiny-lm.json");
    const QString out = m_dir.filePath(QStringLiteral("u.html"));
    QCOMPARE(runCli({"export", model, "--format", "html", "--out", out, "--size", "300x200"}).exitCode, 2);
    QCOMPARE(runCli({"export", model, "--format", "gif", "--out", out}).exitCode, 2);
    QCOMPARE(runCli({"export", model, "--format", "png", "--out", out}).exitCode, 2); // extension disagrees
    QCOMPARE(runCli({"export", model, "--format", "html"}).exitCode, 2);              // no --out
    QCOMPARE(runCli({"export", model, "--format", "html", "--out", out, "--stack", "cross"}).exitCode, 2);
    QCOMPARE(runCli({"export", model, "--format", "html", "--out", out, "--layer", "9"}).exitCode, 2);
    QCOMPARE(runCli({"run", model, "--text", "a", "--format", "html"}).exitCode, 2);
    QVERIFY(!QFile::exists(out));
    QCOMPARE(runCli({"export", model, "--format", "html", "--out", m_dir.filePath("no/such/dir/x.html")}).exitCode, 4);
    // --stack, --layer, --head and --log choose what the page opens on.
    QCOMPARE(
        runCli({"export", model, "--format", "html", "--out", out, "--layer", "1", "--head", "mean", "--log"}).exitCode,
        0);
    const attnscope::HtmlPayload page = attnscope::decodeInteractiveHtml(readAll(out));
    QCOMPARE(page.meta["initial"]["layer"].get<int>(), 1);
    QCOMPARE(page.meta["initial"]["head"].get<int>(), page.meta["stacks"][0]["heads"].get<int>()); // the mean
    QCOMPARE(page.meta["initial"]["log"].get<bool>(), true);
}

void TestHtmlExport::decodeRefusesOtherText()
{
    for (const char* text :
         {"", "<html></html>", "<script type=\"application/json\" id=\"attnscope-meta\">{}</script>",
          "<script id=\"attnscope-meta\">{\"format\":\"attnscope-html\",\"values\":4,\"stacks\":[]}</script>"
          "<script id=\"attnscope-weights\">AAAA</script>",
          "<script id=\"attnscope-meta\">[1,</script><script id=\"attnscope-weights\"></script>"}) {
        bool refused = false;
        try {
            attnscope::decodeInteractiveHtml(text);
        } catch (const attnscope::IoError&) {
            refused = true;
        }
        QVERIFY2(refused, text);
    }
}

QTEST_GUILESS_MAIN(TestHtmlExport)
#include "test_html_export.moc"
