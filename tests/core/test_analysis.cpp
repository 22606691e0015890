// Analysis functions against hand-computed values (DOMAIN.md definitions), and head ablation
// against an independent construction: a model whose output projection ignores that head.
#include "core/analysis/census.h"
#include "core/analysis/head_stats.h"
#include "core/analysis/rollout.h"
#include "core/inference.h"
#include "tiny_models.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;
using Json = nlohmann::json;

namespace {

MatrixRM mat(int r, int c, std::initializer_list<float> v)
{
    MatrixRM m(r, c);
    auto it = v.begin();
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) m(i, j) = *it++;
    return m;
}

bool near(const MatrixRM& a, const MatrixRM& b, float tol = 1e-6f)
{
    return a.rows() == b.rows() && a.cols() == b.cols() && (a - b).cwiseAbs().maxCoeff() <= tol;
}

// The tiny model with head `head`'s columns of one out_proj zeroed: that head can no longer
// contribute, which is what zero ablation claims to compute.
std::shared_ptr<const Model> withHeadRemoved(const std::string& type, const std::string& block, int head)
{
    Json m = test::tinyModel(type);
    Json& t = m["weights"][block + ".out_proj.weight"];
    std::vector<float> w = t.contains("data") ? t["data"].get<std::vector<float>>()
                                              : decodeFloat32Base64(t["b64"].get<std::string>());
    const int d = 4, dk = 2;
    for (int row = 0; row < d; ++row)
        for (int col = head * dk; col < (head + 1) * dk; ++col) w[size_t(row * d + col)] = 0.0f;
    t = {{"shape", {d, d}}, {"data", w}};
    return parseModel(m.dump(), "edited.json");
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT
private slots:
    void entropyOfUniformRowIsLnN();
    void previousTokenOnShiftedDiagonal();
    void distanceAndShares();
    void inductionOnConstructedHead();
    void repeatedRandomTokensRepeat();
    void rolloutThreeTokensTwoLayers();
    void flowSmallGraph();
    void flowLimit();
    void zeroAblationEqualsRemovingTheHead_data();
    void zeroAblationEqualsRemovingTheHead();
    void meanAblationOfSingleTokenIsIdentity();
    void importanceOfDeadHeadIsZero();
    void censusShapesAndCsv();
};

void TestAnalysis::entropyOfUniformRowIsLnN()
{
    for (int n : {1, 2, 5, 17}) {
        const MatrixRM a = MatrixRM::Constant(3, n, 1.0f / float(n));
        QVERIFY(std::abs(meanEntropy(a) - std::log(double(n))) < 1e-6);
    }
    // Causal rows: row i is uniform over i+1 keys -> mean of ln1, ln2, ln3.
    const MatrixRM c = mat(3, 3, {1, 0, 0, 0.5f, 0.5f, 0, 1 / 3.f, 1 / 3.f, 1 / 3.f});
    QVERIFY(std::abs(meanEntropy(c) - (std::log(2.0) + std::log(3.0)) / 3.0) < 1e-6);
    // A fully masked (zero) row is skipped, not counted as 0.
    const MatrixRM z = mat(2, 2, {0, 0, 0.5f, 0.5f});
    QVERIFY(std::abs(meanEntropy(z) - std::log(2.0)) < 1e-6);
    // Per row: ln1, ln2, ln3 for the causal rows; NaN (no keys) for the zero row.
    const std::vector<double> rows = rowEntropies(c);
    QCOMPARE(rows.size(), size_t(3));
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(rows[size_t(i)] - std::log(double(i + 1))) < 1e-6);
    const std::vector<double> zero = rowEntropies(z);
    QVERIFY(std::isnan(zero[0]));
    QVERIFY(std::abs(zero[1] - std::log(2.0)) < 1e-6);
}

void TestAnalysis::previousTokenOnShiftedDiagonal()
{
    MatrixRM a = MatrixRM::Zero(5, 5);
    a(0, 0) = 1;
    for (int i = 1; i < 5; ++i) a(i, i - 1) = 1;
    QCOMPARE(previousTokenScore(a), 1.0);
    QCOMPARE(previousTokenScore(MatrixRM::Identity(5, 5)), 0.0);
    QCOMPARE(meanDistance(a), 0.8); // rows 1..4 at distance 1, row 0 at 0 -> 4/5
}

void TestAnalysis::distanceAndShares()
{
    const MatrixRM a = mat(2, 3, {0.5f, 0.25f, 0.25f, 0.2f, 0.3f, 0.5f});
    // Row 0: 0.25·1 + 0.25·2 = 0.75; row 1: 0.2·1 + 0.5·1 = 0.7 -> 0.725.
    QVERIFY(std::abs(meanDistance(a) - 0.725) < 1e-6);
    QVERIFY(std::abs(firstTokenShare(a) - 0.35) < 1e-6);
    QVERIFY(std::abs(specialTokenShare(a, {true, false, true}) - (0.75 + 0.7) / 2) < 1e-6);
}

void TestAnalysis::inductionOnConstructedHead()
{
    // bos + 3 random tokens + the same 3: length 7. Perfect induction: row i looks at i-n+1.
    const int n = 3, offset = 1;
    MatrixRM ind = MatrixRM::Zero(7, 7);
    for (int i = 0; i < 7; ++i) ind(i, i >= offset + n ? i - n + 1 : 0) = 1;
    QCOMPARE(inductionScore(ind, n, offset), 1.0);
    MatrixRM prev = MatrixRM::Zero(7, 7);
    prev(0, 0) = 1;
    for (int i = 1; i < 7; ++i) prev(i, i - 1) = 1;
    QCOMPARE(inductionScore(prev, n, offset), 0.0);
    // Half the weight on the target in every second-copy row -> 0.5.
    MatrixRM half = ind * 0.5f;
    QCOMPARE(inductionScore(half, n, offset), 0.5);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, inductionScore(ind, 4, offset));
}

void TestAnalysis::repeatedRandomTokensRepeat()
{
    const auto s = repeatedRandomTokens({5, 6, 7, 8}, 10, 42);
    QCOMPARE(s.size(), size_t(20));
    for (int i = 0; i < 10; ++i) QCOMPARE(s[size_t(i)], s[size_t(i + 10)]);
    QCOMPARE(repeatedRandomTokens({5, 6, 7, 8}, 10, 42), s);   // deterministic
    QVERIFY(repeatedRandomTokens({5, 6, 7, 8}, 10, 43) != s);  // seed matters
}

void TestAnalysis::rolloutThreeTokensTwoLayers()
{
    const MatrixRM a1 = mat(3, 3, {1, 0, 0, 1, 0, 0, 0, 1, 0});
    const MatrixRM a2 = mat(3, 3, {1, 0, 0, 0, 1, 0, 0, 1, 0});
    // Â1 = [[1,0,0],[.5,.5,0],[0,.5,.5]], Â2 = [[1,0,0],[0,1,0],[0,.5,.5]], R = Â2·Â1.
    QVERIFY(near(withResidual(a1), mat(3, 3, {1, 0, 0, .5f, .5f, 0, 0, .5f, .5f})));
    const MatrixRM expected = mat(3, 3, {1, 0, 0, .5f, .5f, 0, .25f, .5f, .25f});
    QVERIFY(near(attentionRollout({a1, a2}), expected));
    // Rows of a rollout still sum to one.
    const MatrixRM r = attentionRollout({a1, a2, a1});
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(r.row(i).sum() - 1.0f) < 1e-6f);
}

void TestAnalysis::flowSmallGraph()
{
    // One layer: flow equals the capacities Â.
    const MatrixRM a = mat(2, 2, {1, 0, 1, 0});
    QVERIFY(near(attentionFlow({a}), mat(2, 2, {1, 0, 0.5f, 0.5f})));
    // Two layers, Â1 = Â2 = [[1,0],[.5,.5]]: input 0 reaches top 1 along two paths of
    // bottleneck .5 each (flow 1.0, where rollout gives .75); input 1 only along one (.5).
    const MatrixRM f = attentionFlow({a, a});
    QVERIFY(near(f, mat(2, 2, {1, 0, 1, 0.5f}), 1e-9f));
    QVERIFY(std::abs(attentionRollout({a, a})(1, 0) - 0.75f) < 1e-6f);
}

void TestAnalysis::flowLimit()
{
    const MatrixRM big = MatrixRM::Identity(kMaxFlowTokens + 1, kMaxFlowTokens + 1);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, attentionFlow({big}));
}

void TestAnalysis::zeroAblationEqualsRemovingTheHead_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("block");
    QTest::addColumn<int>("stack");
    QTest::addColumn<int>("head");
    QTest::newRow("encoder h1") << "encoder" << "encoder.layers.0.self_attn" << int(Stack::Encoder) << 1;
    QTest::newRow("decoder-only h0") << "decoder" << "decoder.layers.0.self_attn" << int(Stack::Decoder) << 0;
    QTest::newRow("enc-dec cross h1") << "encoder-decoder" << "decoder.layers.0.multihead_attn" << int(Stack::Cross) << 1;
    QTest::newRow("enc-dec dec self h0") << "encoder-decoder" << "decoder.layers.0.self_attn" << int(Stack::Decoder) << 0;
    QTest::newRow("enc-dec encoder h0") << "encoder-decoder" << "encoder.layers.0.self_attn" << int(Stack::Encoder) << 0;
}

void TestAnalysis::zeroAblationEqualsRemovingTheHead()
{
    QFETCH(QString, type);
    QFETCH(QString, block);
    QFETCH(int, stack);
    QFETCH(int, head);
    const Transformer original(parseModel(test::tinyModel(type.toStdString()).dump(), "tiny.json"));
    const Transformer edited(withHeadRemoved(type.toStdString(), block.toStdString(), head));
    const std::vector<int> src = type == "decoder" ? std::vector<int>{2, 5, 6, 7, 5} : std::vector<int>{5, 6, 7, 5, 3};
    const std::vector<int> tgt = type == "encoder-decoder" ? std::vector<int>{2, 6, 5} : std::vector<int>{};
    HeadAblation ablation;
    ablation.zero(Stack(stack), 0, head, 2);
    const ForwardResult ablated = original.forward(src, tgt, Capture::None, &ablation);
    const ForwardResult removed = edited.forward(src, tgt, Capture::None);
    const ForwardResult plain = original.forward(src, tgt, Capture::None);
    QVERIFY(near(ablated.logits, removed.logits, 1e-5f));
    // The head mattered (an unchanged pass is bit-identical, so any change is the head's).
    QVERIFY((ablated.logits - plain.logits).cwiseAbs().maxCoeff() > 1e-7f);
    if (type != "encoder") {
        QCOMPARE(original.greedy(src, 8, &ablation), edited.greedy(src, 8));
    }
}

void TestAnalysis::meanAblationOfSingleTokenIsIdentity()
{
    const Transformer tf(parseModel(test::tinyModel("encoder").dump(), "tiny.json"));
    const ForwardResult ref = tf.forward({6}, {}, Capture::Full);
    const HeadAblation mean = meanAblation(ref.trace, {{Stack::Encoder, 0, 0}, {Stack::Encoder, 0, 1}});
    QCOMPARE(mean.size(), size_t(2));
    QVERIFY(near(tf.forward({6}, {}, Capture::None, &mean).logits, ref.logits, 1e-6f));
    // On another input the same replacement changes the output.
    QVERIFY(!near(tf.forward({5, 7}, {}, Capture::None, &mean).logits, tf.forward({5, 7}, {}, Capture::None).logits, 1e-4f));
}

void TestAnalysis::importanceOfDeadHeadIsZero()
{
    const Transformer edited(withHeadRemoved("encoder-decoder", "decoder.layers.0.multihead_attn", 1));
    RunOptions o;
    o.text = "abcd";
    const RunResult run = runModel(edited, o);
    const MatrixRM imp = headImportance(edited, run, Stack::Cross);
    QCOMPARE(imp.rows(), Eigen::Index(1));
    QCOMPARE(imp.cols(), Eigen::Index(2));
    QVERIFY(std::abs(imp(0, 1)) < 1e-6f);
    QVERIFY(std::abs(imp(0, 0)) > 1e-6f);
}

void TestAnalysis::censusShapesAndCsv()
{
    const Transformer tf(parseModel(test::tinyModel("decoder", 16).dump(), "tiny.json"));
    RunOptions o;
    o.text = "abcabc";
    const RunResult run = runModel(tf, o);
    const HeadCensus c = computeCensus(tf, run, Stack::Decoder);
    QCOMPARE(c.layers, 1);
    QCOMPARE(c.heads, 2);
    const MatrixRM& a = run.trace.decoder[0].heads[1].weights;
    QCOMPARE(c.value(HeadStatistic::PreviousToken, 0, 1), float(previousTokenScore(a)));
    QCOMPARE(c.value(HeadStatistic::FirstToken, 0, 1), float(firstTokenShare(a)));
    // The first key is <s>, the only special: both shares agree.
    QCOMPARE(c.value(HeadStatistic::SpecialTokens, 0, 1), c.value(HeadStatistic::FirstToken, 0, 1));
    const float ind = c.value(HeadStatistic::Induction, 0, 0);
    QVERIFY(std::isfinite(ind) && ind >= 0.0f && ind <= 1.0f);
    const std::string csv = c.toCsv();
    QVERIFY(csv.rfind("stack,layer,head,entropy,mean_distance,previous_token,first_token,special_tokens,induction\n", 0) == 0);
    QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 3L);
    // Induction is undefined for encoders: an empty CSV field.
    const Transformer enc(parseModel(test::tinyModel("encoder").dump(), "tiny.json"));
    const RunResult er = runModel(enc, o);
    QVERIFY(std::isnan(computeCensus(enc, er, Stack::Encoder).value(HeadStatistic::Induction, 0, 0)));
}

QTEST_APPLESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
