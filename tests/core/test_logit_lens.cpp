// The logit lens (core/analysis/logit_lens.h): a hand-built 1-layer, d_model 2 model whose lens is
// worked out on paper below; invariants on the shipped and test models (probabilities sum to 1,
// the last point is the model's own output with KL 0, top-k sorted); the choice of points, the
// parallel-residual rule and the errors. The comparison with torch is test_logit_lens_golden.
#include "core/analysis/logit_lens.h"
#include "core/errors.h"
#include "core/inference.h"
#include "core/model_config.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <map>
#include <numeric>

using namespace attnscope;

namespace {

const std::string kRoot = ATTNSCOPE_SOURCE_DIR;
constexpr double kEps = 1e-6; // the hand model's RMSNorm epsilon

// A decoder with d_model 2, one head, one pre-norm layer, RMSNorm (weights 1) and a final norm,
// vocabulary <pad> <unk> a b (ids 0 … 3). Every weight is 0 except:
//   embeddings       E[a] = (1, 1), E[b] = (1, −1)
//   attention        out_proj.bias = (2, −4): with q, k, v = 0 the sub-block adds exactly that
//   MLP              linear2.bias = (−5, 5): linear1 = 0 and ReLU(0) = 0, so it adds exactly that
//   head             lm_head rows a = (1, 0), b = (0, 1); <pad>, <unk> rows 0; no bias
// so for an `a` the residual is (1, 1), then (3, −3), then (−2, 2): three different scales, which
// the final norm must measure on each point itself.
std::shared_ptr<const Model> handModel()
{
    using nlohmann::json;
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = 2;
    c.nHeads = 1;
    c.dFf = 2;
    c.decoderLayers = 1;
    c.norm = NormPosition::Pre;
    c.normKind = NormKind::RmsNorm;
    c.positional = Positional::Rotary;
    c.maxLen = 8;
    c.bias = true;
    c.finalNorm = true;
    c.headBias = false;
    // clang-format off
    const std::map<std::string, std::vector<float>> values = {
        {"decoder.embed.weight", {0, 0, 0, 0, 1, 1, 1, -1}},
        {"decoder.layers.0.self_attn.out_proj.bias", {2, -4}},
        {"decoder.layers.0.linear2.bias", {-5, 5}},
        {"decoder.layers.0.norm1.weight", {1, 1}},
        {"decoder.layers.0.norm2.weight", {1, 1}},
        {"decoder.norm.weight", {1, 1}},
        {"lm_head.weight", {0, 0, 0, 0, 1, 0, 0, 1}},
    };
    // clang-format on
    json w = json::object();
    for (const TensorSpec& s : requiredTensors(c, 4, 4)) {
        size_t n = 1;
        for (const int d : s.shape) n *= size_t(d);
        const auto it = values.find(s.name);
        std::vector<float> v = it == values.end() ? std::vector<float>(n, 0.0f) : it->second;
        if (v.size() != n) qFatal("hand model: %s has %zu values, expected %zu", s.name.c_str(), v.size(), n);
        w[s.name] = {{"shape", s.shape}, {"data", v}};
    }
    json m = {{"format", "attnscope-model"},
              {"version", 2},
              {"name", "hand-lens"},
              {"description", "1 layer, d_model 2, for the logit lens by hand"},
              {"architecture",
               {{"type", "decoder"},
                {"d_model", 2},
                {"n_heads", 1},
                {"d_ff", 2},
                {"encoder_layers", 0},
                {"decoder_layers", 1},
                {"activation", "relu"},
                {"norm", "pre"},
                {"layer_norm_eps", kEps},
                {"positional", "rotary"},
                {"max_len", 8},
                {"bias", true},
                {"tied_output", false},
                {"final_norm", true},
                {"norm_kind", "rmsnorm"},
                {"head_bias", false}}},
              {"tokenizer",
               {{"type", "char"},
                {"vocab", {"<pad>", "<unk>", "a", "b"}},
                {"special_tokens", {{"pad", "<pad>"}, {"unk", "<unk>"}}}}},
              {"weights", w},
              {"examples", json::array()}};
    return parseModel(m.dump(), "hand-lens.json");
}

// softmax of logits (0, 0, za, zb) — the hand model's head on a normalised residual (x, y) gives
// za = x, zb = y — in double.
std::vector<double> handDistribution(double x, double y)
{
    const std::vector<double> z = {0, 0, x, y};
    double sum = 0;
    for (const double v : z) sum += std::exp(v);
    std::vector<double> p;
    for (const double v : z) p.push_back(std::exp(v) / sum);
    return p;
}

// RMSNorm with weight 1: r / sqrt(mean(r²) + ε).
std::pair<double, double> rms(double a, double b)
{
    const double s = std::sqrt((a * a + b * b) / 2 + kEps);
    return {a / s, b / s};
}

double kl(const std::vector<double>& p, const std::vector<double>& q)
{
    double s = 0;
    for (size_t v = 0; v < p.size(); ++v) s += p[v] * std::log(p[v] / q[v]);
    return s;
}

std::shared_ptr<const Model> load(const std::string& rel) { return loadModel(kRoot + "/" + rel); }

std::vector<int> someIds(const Model& m, int n)
{
    std::vector<int> ids;
    for (int i = 0; i < n; ++i) ids.push_back((7 * i + 3) % m.inputVocabRows());
    return ids;
}

} // namespace

class TestLogitLens : public QObject {
    Q_OBJECT
private slots:
    void handModelByHand();
    void invariants_data();
    void invariants();
    void choiceOfPoints();
    void parallelResidualHasNoAttentionPoint();
    void topKLargerThanTheVocabulary();
    void errors_data();
    void errors();
};

// Input "a b" (ids 2, 3). Residuals per position (the attention adds (2, −4), the MLP (−5, 5)):
//   position 0 (a): embed (1, 1)   attn (3, −3)   layer (−2, 2)
//   position 1 (b): embed (1, −1)  attn (3, −5)   layer (−2, 0)
// Each point's distribution is softmax(0, 0, x̂, ŷ) with (x̂, ŷ) = RMSNorm of that residual.
void TestLogitLens::handModelByHand()
{
    const Transformer tf(handModel());
    LensOptions o;
    o.topK = 4;
    const LogitLens lens = computeLogitLens(tf, {2, 3}, o);
    QCOMPARE(lens.rows.size(), size_t(3));
    QCOMPARE(lens.rows[0].point, LensPoint::Embedding);
    QCOMPARE(lens.rows[1].point, LensPoint::AfterAttention);
    QCOMPARE(lens.rows[2].point, LensPoint::AfterLayer);
    QCOMPARE(lens.rows[1].layer, 0);
    const double residual[2][3][2] = {{{1, 1}, {3, -3}, {-2, 2}}, {{1, -1}, {3, -5}, {-2, 0}}};
    // Final top-1: position 0's final logits (0, 0, −1, 1) → b (3); position 1's (0, 0, −√2, 0)
    // tie at 0 for <pad>, <unk> and b → the lowest id, <pad> (0).
    QCOMPARE(lens.finalTop1, (std::vector<int>{3, 0}));
    for (int pos = 0; pos < 2; ++pos) {
        const auto [fx, fy] = rms(residual[pos][2][0], residual[pos][2][1]);
        const std::vector<double> pFinal = handDistribution(fx, fy);
        for (int point = 0; point < 3; ++point) {
            const auto [x, y] = rms(residual[pos][point][0], residual[pos][point][1]);
            const std::vector<double> p = handDistribution(x, y);
            const LensCell& cell = lens.rows[size_t(point)].cells[size_t(pos)];
            std::vector<int> order = {0, 1, 2, 3};
            std::stable_sort(order.begin(), order.end(),
                             [&](int i, int j) { return p[size_t(i)] > p[size_t(j)] + 1e-12; });
            QCOMPARE(cell.topIds.size(), size_t(4));
            for (int k = 0; k < 4; ++k) {
                QVERIFY2(std::abs(cell.topProbs[size_t(k)] - p[size_t(order[size_t(k)])]) < 1e-6,
                         qPrintable(QString("pos %1 point %2 rank %3").arg(pos).arg(point).arg(k)));
                QCOMPARE(cell.topIds[size_t(k)], order[size_t(k)]);
            }
            QVERIFY(std::abs(cell.finalTop1Prob - p[size_t(lens.finalTop1[size_t(pos)])]) < 1e-6);
            QVERIFY2(std::abs(cell.klFromFinal - kl(pFinal, p)) < 1e-6,
                     qPrintable(QString("KL %1 vs %2").arg(cell.klFromFinal).arg(kl(pFinal, p))));
        }
    }
    // Spelled out for position 0: embed (1, 1) → (e, e)/(2 + 2e) on a, b; after attention
    // (3, −3) normalises to (1, −1): p(a) = e/(2 + e + 1/e). Had the final point's scale (1/2,
    // from rms (−2, 2) = 2) been reused, the embedding would read (0.5, 0.5) instead.
    const double e = std::exp(1.0);
    QVERIFY(std::abs(lens.rows[0].cells[0].topProbs[0] - e / (2 + 2 * e)) < 1e-5);
    QVERIFY(std::abs(lens.rows[1].cells[0].topProbs[0] - e / (2 + e + 1 / e)) < 1e-5);
    QCOMPARE(lens.rows[1].cells[0].topIds[0], 2);
    QCOMPARE(lens.rows[2].cells[0].klFromFinal, 0.0);
}

void TestLogitLens::invariants_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("tiny-lm") << "models/tiny-lm.json";
    QTest::newRow("post-norm, no final norm") << "tests/data/golden/decoder-post-relu-nobias.model.json";
    QTest::newRow("gpt2") << "tests/data/hf/gpt2-tiny";
    QTest::newRow("llama") << "tests/data/hf/llama-gqa";
    QTest::newRow("neox parallel") << "tests/data/hf/neox-pythia";
    QTest::newRow("gpt2-kjv (F16)") << "models/hf/gpt2-kjv";
}

// With k = V the top-k is the whole distribution: it sums to 1 and falls; KL ≥ 0; the last row
// is the forward pass's own output (KL exactly 0, top-1 = the model's argmax, p = its softmax).
void TestLogitLens::invariants()
{
    QFETCH(QString, model);
    const auto m = load(model.toStdString());
    const Transformer tf(m);
    const std::vector<int> ids = someIds(*m, 9);
    LensOptions o;
    o.topK = 100000;
    const LogitLens lens = computeLogitLens(tf, ids, o);
    const int layers = m->config.decoderLayers;
    QCOMPARE(int(lens.rows.size()), 1 + layers * (m->config.parallelResidual ? 1 : 2));
    const ForwardResult plain = tf.forward(ids, {}, Capture::None);
    for (const LensRow& r : lens.rows) {
        QCOMPARE(r.cells.size(), ids.size());
        for (const LensCell& c : r.cells) {
            QCOMPARE(int(c.topIds.size()), int(plain.logits.cols()));
            const double sum = std::accumulate(c.topProbs.begin(), c.topProbs.end(), 0.0);
            QVERIFY2(std::abs(sum - 1.0) < 1e-9, qPrintable(QString("sum %1").arg(sum, 0, 'g', 17)));
            for (size_t k = 1; k < c.topProbs.size(); ++k) QVERIFY(c.topProbs[k] <= c.topProbs[k - 1]);
            QVERIFY(c.klFromFinal >= 0.0);
            QVERIFY(c.finalTop1Prob >= 0.0 && c.finalTop1Prob <= 1.0);
        }
    }
    const LensRow& last = lens.rows.back();
    QCOMPARE(last.point, LensPoint::AfterLayer);
    QCOMPARE(last.layer, layers - 1);
    for (size_t i = 0; i < ids.size(); ++i) {
        const LensCell& c = last.cells[i];
        QCOMPARE(c.klFromFinal, 0.0);
        QCOMPARE(c.topIds.front(), lens.finalTop1[i]);
        QCOMPARE(c.finalTop1Prob, c.topProbs.front());
        const std::vector<Prediction> model = topK(plain.logits.row(Eigen::Index(i)), m->outputTokenizer(), 3);
        QCOMPARE(model.front().id, lens.finalTop1[i]);
        for (size_t k = 0; k < model.size(); ++k) QVERIFY(std::abs(model[k].probability - c.topProbs[k]) < 1e-6);
    }
    // Earlier points differ from the final one somewhere (or the lens would show nothing).
    double largest = 0;
    for (const LensCell& c : lens.rows.front().cells) largest = std::max(largest, c.klFromFinal);
    QVERIFY(largest > 1e-3);
}

void TestLogitLens::choiceOfPoints()
{
    const auto m = load("models/tiny-lm.json");
    const Transformer tf(m);
    const std::vector<int> ids = someIds(*m, 5);
    LensOptions o;
    o.afterAttention = false;
    LogitLens lens = computeLogitLens(tf, ids, o);
    QCOMPARE(lens.rows.size(), size_t(5));
    for (size_t r = 1; r < lens.rows.size(); ++r) {
        QCOMPARE(lens.rows[r].point, LensPoint::AfterLayer);
        QCOMPARE(lens.rows[r].layer, int(r) - 1);
    }
    o.afterAttention = true;
    o.afterLayer = false;
    lens = computeLogitLens(tf, ids, o);
    QCOMPARE(lens.rows.size(), size_t(5));
    for (size_t r = 1; r < lens.rows.size(); ++r) QCOMPARE(lens.rows[r].point, LensPoint::AfterAttention);
    // The KL is still against the final layer, which is not a row now.
    const LogitLens all = computeLogitLens(tf, ids);
    QCOMPARE(all.rows.size(), size_t(9));
    QCOMPARE(all.find(LensPoint::AfterAttention, 2)->cells[3].klFromFinal, lens.rows[3].cells[3].klFromFinal);
    QCOMPARE(all.find(LensPoint::Embedding, 7), &all.rows.front());
    QVERIFY(!all.find(LensPoint::AfterLayer, 4));
    QCOMPARE(all.finalTop1, lens.finalTop1);
}

void TestLogitLens::parallelResidualHasNoAttentionPoint()
{
    const auto neox = load("tests/data/hf/neox-pythia");
    QVERIFY(neox->config.parallelResidual);
    const LogitLens lens = computeLogitLens(Transformer(neox), {1, 2, 3, 4});
    QVERIFY(lens.parallelResidual);
    QCOMPARE(int(lens.rows.size()), 1 + neox->config.decoderLayers);
    QVERIFY(!lens.find(LensPoint::AfterAttention, 0));
    const auto serial = load("tests/data/hf/neox-odd-serial-f16");
    QVERIFY(!serial->config.parallelResidual);
    const LogitLens s = computeLogitLens(Transformer(serial), {1, 2, 3, 4});
    QVERIFY(!s.parallelResidual);
    QVERIFY(s.find(LensPoint::AfterAttention, 0));
}

void TestLogitLens::topKLargerThanTheVocabulary()
{
    const Transformer tf(handModel());
    LensOptions o;
    o.topK = 50;
    const LogitLens lens = computeLogitLens(tf, {2}, o);
    QCOMPARE(lens.rows.front().cells.front().topIds.size(), size_t(4));
    o.topK = 0;
    const LogitLens none = computeLogitLens(tf, {2}, o);
    QVERIFY(none.rows.front().cells.front().topIds.empty());
    QVERIFY(none.rows.front().cells.front().klFromFinal > 0.0);
}

void TestLogitLens::errors_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QList<int>>("ids");
    QTest::addColumn<int>("topK");
    QTest::addColumn<QString>("message");
    QTest::newRow("encoder-only") << "models/tiny-mlm.json" << QList<int>{5, 6} << 5 << "decoder-only";
    QTest::newRow("encoder-decoder") << "models/date-normalizer.json" << QList<int>{5, 6} << 5 << "decoder-only";
    QTest::newRow("no output head") << "tests/data/hf/bert-model-bf16" << QList<int>{5, 6} << 5 << "decoder-only";
    QTest::newRow("empty") << "models/tiny-lm.json" << QList<int>{} << 5 << "empty";
    QTest::newRow("id out of range") << "models/tiny-lm.json" << QList<int>{3, 65} << 5 << "outside";
    QTest::newRow("negative id") << "models/tiny-lm.json" << QList<int>{-1} << 5 << "outside";
    QTest::newRow("negative top-k") << "models/tiny-lm.json" << QList<int>{3} << -1 << "top-k";
    QList<int> longInput;
    for (int i = 0; i < 129; ++i) longInput << 3;
    QTest::newRow("too long") << "models/tiny-lm.json" << longInput << 5 << "max_len";
}

void TestLogitLens::errors()
{
    QFETCH(QString, model);
    QFETCH(QList<int>, ids);
    QFETCH(int, topK);
    QFETCH(QString, message);
    const Transformer tf(load(model.toStdString()));
    LensOptions o;
    o.topK = topK;
    try {
        computeLogitLens(tf, std::vector<int>(ids.begin(), ids.end()), o);
        QFAIL("no UsageError");
    } catch (const UsageError& e) {
        QVERIFY2(QString(e.what()).contains(message), e.what());
    }
}

QTEST_GUILESS_MAIN(TestLogitLens)
#include "test_logit_lens.moc"
