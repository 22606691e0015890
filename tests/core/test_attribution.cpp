// Attribution (core/grad/attribution.h) against torch autograd (tests/data/golden/grad/attribution.json,
// tools/make_grad_goldens.py, float64, midpoint rule): gradient norm, input × gradient and
// integrated gradients per token, f(x), f(x') and the completeness error; and the completeness
// error shrinking as the steps grow.
#include "core/errors.h"
#include "core/grad/attribution.h"
#include "core/model_loader.h"
#include "golden_util.h"

#include <QtTest/QtTest>

using namespace attnscope;
using namespace attnscope::grad;
using attnscope::testing::readJson;

namespace {

QString dataPath(const QString& rel) { return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + rel; }

// Largest |a − b| over the tokens, relative to the largest |b| (at least 1).
double scoreError(const std::vector<double>& a, const nlohmann::json& b)
{
    double worst = 0, scale = 1;
    for (size_t i = 0; i < b.size(); ++i) scale = std::max(scale, std::abs(b[i].get<double>()));
    if (a.size() != b.size()) return 1e9;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i].get<double>()));
    return worst / scale;
}

GradInput inputOf(const nlohmann::json& c)
{
    GradInput in;
    in.source = c["source"].get<std::vector<int>>();
    in.target = c["target"].get<std::vector<int>>();
    return in;
}

} // namespace

class TestAttribution : public QObject {
    Q_OBJECT

private slots:
    void againstTorch_data();
    void againstTorch();
    void completenessShrinksWithSteps_data();
    void completenessShrinksWithSteps();
    void threadsGiveSameResult();
    void badInput();
};

void TestAttribution::againstTorch_data()
{
    QTest::addColumn<int>("index");
    const auto golden = readJson(dataPath("tests/data/golden/grad/attribution.json"));
    QCOMPARE(golden["rule"].get<std::string>(), std::string("midpoint"));
    for (size_t i = 0; i < golden["cases"].size(); ++i)
        QTest::newRow(golden["cases"][i]["model"].get<std::string>().c_str()) << int(i);
}

// Tolerance: 1e-4 of the largest score (at least 1) for every per-token score; f to 1e-4.
void TestAttribution::againstTorch()
{
    QFETCH(int, index);
    const auto c = readJson(dataPath("tests/data/golden/grad/attribution.json"))["cases"][size_t(index)];
    auto model = loadModel(dataPath(QString::fromStdString(c["model"].get<std::string>())).toStdString());
    const Backprop<float> bp(model);
    const GradInput in = inputOf(c);
    const int pos = c["position"].get<int>(), tok = c["token"].get<int>();
    AttributionOptions opt;
    opt.method = AttributionMethod::Gradient;
    const AttributionResult g = attribute(bp, in, pos, tok, opt);
    QVERIFY(std::abs(g.f - c["f"].get<double>()) <= 1e-4 * std::max(1.0, std::abs(c["f"].get<double>())));
    QVERIFY2(scoreError(g.scores, c["gradient_norm"]) <= 1e-4, "gradient norm");
    opt.method = AttributionMethod::InputXGradient;
    QVERIFY2(scoreError(attribute(bp, in, pos, tok, opt).scores, c["input_x_gradient"]) <= 1e-4, "input x gradient");
    opt.method = AttributionMethod::IntegratedGradients;
    for (const auto& ig : c["ig"]) {
        opt.steps = ig["steps"].get<int>();
        QVERIFY(attributionBaselineFromString(ig["baseline"].get<std::string>(), opt.baseline));
        const AttributionResult r = attribute(bp, in, pos, tok, opt);
        const double err = scoreError(r.scores, ig["scores"]);
        qInfo("%s %d steps: IG error %.2e, completeness error %.3g (torch %.3g)",
              ig["baseline"].get<std::string>().c_str(), r.steps, err, r.completenessError,
              ig["completeness_error"].get<double>());
        QVERIFY2(err <= 1e-4, qPrintable(QString("IG scores differ by %1").arg(err)));
        QVERIFY(std::abs(r.fBaseline - ig["f_baseline"].get<double>()) <=
                1e-4 * std::max(1.0, std::abs(ig["f_baseline"].get<double>())));
        QVERIFY(std::abs(r.completenessError - ig["completeness_error"].get<double>()) <= 1e-4 * std::max(1.0, std::abs(r.f)));
        QCOMPARE(r.steps, opt.steps);
    }
}

void TestAttribution::completenessShrinksWithSteps_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("baseline");
    QTest::newRow("encoder-post-relu-mlm zero") << "tests/data/golden/encoder-post-relu-mlm.model.json" << "zero";
    QTest::newRow("decoder-pre-gelu-tied pad") << "tests/data/golden/decoder-pre-gelu-tied.model.json" << "pad";
    QTest::newRow("tiny-seq2seq pad") << "tests/data/golden/tiny-seq2seq.model.json" << "pad";
}

// |Σ IG − (f(x) − f(x'))| at 8, 32 and 256 steps: each smaller than the one before, the last
// below 1e-2 · max(1, |f(x) − f(x')|).
void TestAttribution::completenessShrinksWithSteps()
{
    QFETCH(QString, model);
    QFETCH(QString, baseline);
    auto m = loadModel(dataPath(model).toStdString());
    const Backprop<float> bp(m);
    GradInput in;
    const bool encdec = m->config.type == ArchType::EncoderDecoder;
    in.source = {5, 9, 14, 7, 22, 11, 3, 17, 8, 12};
    for (int& id : in.source) id %= m->inputVocabRows();
    if (encdec) {
        in.source.resize(6);
        in.target = {m->targetTokenizer.vocab().special(SpecialRole::Bos), 4 % m->targetTokenizer.vocab().size(),
                     6 % m->targetTokenizer.vocab().size()};
    }
    const int pos = encdec ? 2 : int(in.source.size()) - 1;
    const int tok = predictedToken(bp, in, pos);
    AttributionOptions opt;
    QVERIFY(attributionBaselineFromString(baseline.toStdString(), opt.baseline));
    double previous = 1e9, last = 0, span = 0;
    for (int steps : {8, 32, 256}) {
        opt.steps = steps;
        const AttributionResult r = attribute(bp, in, pos, tok, opt);
        last = std::abs(r.completenessError);
        span = std::abs(r.f - r.fBaseline);
        qInfo("%d steps: completeness error %.3g of f(x) - f(x') = %.3g", steps, r.completenessError, r.f - r.fBaseline);
        QVERIFY2(last < previous, "the completeness error did not shrink");
        previous = last;
    }
    QVERIFY(last <= 1e-2 * std::max(1.0, span));
}

// The steps split over threads in fixed blocks and summed in step order: identical results.
void TestAttribution::threadsGiveSameResult()
{
    auto m = loadModel(dataPath("models/tiny-lm.json").toStdString());
    const Backprop<float> bp(m);
    GradInput in;
    in.source = {0, 5, 9, 14, 7, 22, 11};
    AttributionOptions one, two;
    one.threads = 1;
    two.threads = 2;
    one.steps = two.steps = 12;
    const AttributionResult a = attribute(bp, in, 6, 9, one), b = attribute(bp, in, 6, 9, two);
    QCOMPARE(a.scores, b.scores);
    QCOMPARE(a.completenessError, b.completenessError);
}

void TestAttribution::badInput()
{
    auto m = loadModel(dataPath("models/tiny-lm.json").toStdString());
    const Backprop<float> bp(m);
    GradInput in;
    in.source = {0, 5, 9};
    QVERIFY_THROWS_EXCEPTION(UsageError, attribute(bp, in, 3, 1));  // position past the end
    QVERIFY_THROWS_EXCEPTION(UsageError, attribute(bp, in, -1, 1));
    QVERIFY_THROWS_EXCEPTION(UsageError, attribute(bp, in, 0, 1 << 20)); // token outside the vocabulary
    AttributionOptions opt;
    opt.steps = 0;
    QVERIFY_THROWS_EXCEPTION(UsageError, attribute(bp, in, 0, 1, opt));
    opt.steps = 8;
    opt.baseline = AttributionBaseline::Pad; // tiny-lm has neither pad nor mask
    QVERIFY_THROWS_EXCEPTION(UsageError, attribute(bp, in, 0, 1, opt));
}

QTEST_APPLESS_MAIN(TestAttribution)
#include "test_attribution.moc"
