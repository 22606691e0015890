// The step-through functions (core/analysis/teaching.h) against hand-computed values, and at
// τ = 1 against what the engine itself recorded (weights, scaled scores, A·V).
#include "core/analysis/teaching.h"
#include "core/inference.h"
#include "tiny_models.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {

MatrixRM mat(int r, int c, std::initializer_list<float> v)
{
    MatrixRM m(r, c);
    auto it = v.begin();
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) m(i, j) = *it++;
    return m;
}

bool near(const MatrixRM& a, const MatrixRM& b, float tol = 1e-5f)
{
    return a.rows() == b.rows() && a.cols() == b.cols() && (a - b).cwiseAbs().maxCoeff() <= tol;
}

// d_k = 4, so 1/√d_k = 0.5. Q·Kᵀ = [[2, 0], [2, 2]], scaled = [[1, 0], [1, 1]].
HeadTrace handHead()
{
    HeadTrace h;
    h.q = mat(2, 4, {1, 0, 1, 0, 0, 2, 0, 0});
    h.k = mat(2, 4, {1, 1, 1, 1, 0, 1, 0, -1});
    h.v = mat(2, 4, {2, 0, 0, 0, 0, 4, 0, 0});
    return h;
}

const float kE = std::exp(1.0f);

} // namespace

class TestTeaching : public QObject {
    Q_OBJECT
private slots:
    void temperatureSoftmax_data();
    void temperatureSoftmax();
    void smallTemperatureDoesNotOverflow();
    void stepsByHand();
    void causalStepsByHand();
    void explainsOneCell();
    void explainsMaskedCell();
    void unitTemperatureReproducesEngine_data();
    void unitTemperatureReproducesEngine();
    void neuronViewByHand();
    void neuronViewMaskedAndHot();
    void neuronViewMatchesEngineAndSteps_data();
    void neuronViewMatchesEngineAndSteps();
};

void TestTeaching::temperatureSoftmax_data()
{
    QTest::addColumn<float>("tau");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<bool>("padLast");
    QTest::addColumn<QVector<float>>("expected"); // 2 × 2, row-major
    const float ln3 = std::log(3.0f);
    const float r3 = std::sqrt(3.0f);
    Q_UNUSED(ln3);
    // scaled = [[0, ln 3], [ln 3, 0]]
    QTest::newRow("tau 1") << 1.0f << false << false << QVector<float>{0.25f, 0.75f, 0.75f, 0.25f};
    // exp(ln3 / 2) = √3: [1, √3] / (1 + √3)
    QTest::newRow("tau 2") << 2.0f << false << false
                           << QVector<float>{1 / (1 + r3), r3 / (1 + r3), r3 / (1 + r3), 1 / (1 + r3)};
    // exp(2 ln 3) = 9: [1, 9] / 10
    QTest::newRow("tau 0.5") << 0.5f << false << false << QVector<float>{0.1f, 0.9f, 0.9f, 0.1f};
    QTest::newRow("causal") << 1.0f << true << false << QVector<float>{1.0f, 0.0f, 0.75f, 0.25f};
    QTest::newRow("padded key 1") << 2.0f << false << true << QVector<float>{1.0f, 0.0f, 1.0f, 0.0f};
}

void TestTeaching::temperatureSoftmax()
{
    QFETCH(float, tau);
    QFETCH(bool, causal);
    QFETCH(bool, padLast);
    QFETCH(QVector<float>, expected);
    const float ln3 = std::log(3.0f);
    TeachingMask mask;
    mask.causal = causal;
    if (padLast) mask.paddedKeys = {false, true};
    const MatrixRM w = attnscope::temperatureSoftmax(mat(2, 2, {0, ln3, ln3, 0}), mask, tau);
    QVERIFY2(near(w, mat(2, 2, {expected[0], expected[1], expected[2], expected[3]})),
             qPrintable(QStringLiteral("%1 %2 %3 %4").arg(w(0, 0)).arg(w(0, 1)).arg(w(1, 0)).arg(w(1, 1))));
}

void TestTeaching::smallTemperatureDoesNotOverflow()
{
    // 200 / 0.01 = 20000 would overflow exp() without subtracting the row maximum.
    const MatrixRM w = attnscope::temperatureSoftmax(mat(1, 3, {100, 200, 0}), {}, 0.01f);
    QVERIFY(w.allFinite());
    QVERIFY(near(w, mat(1, 3, {0, 1, 0})));
    // A row with every key masked stays zero.
    TeachingMask all;
    all.paddedKeys = {true, true, true};
    QVERIFY(near(attnscope::temperatureSoftmax(mat(1, 3, {1, 2, 3}), all, 1.0f), MatrixRM::Zero(1, 3)));
}

void TestTeaching::stepsByHand()
{
    const StepThrough s = stepThrough(handHead(), {}, 1.0f);
    QCOMPARE(s.scale, 0.5f);
    QVERIFY(near(s.dot, mat(2, 2, {2, 0, 2, 2})));
    QVERIFY(near(s.scaled, mat(2, 2, {1, 0, 1, 1})));
    QVERIFY(near(s.masked, s.scaled));
    // softmax([1, 0]) = [e, 1] / (e + 1); softmax([1, 1]) = [½, ½].
    const float a = kE / (kE + 1), b = 1 / (kE + 1);
    QVERIFY(near(s.weights, mat(2, 2, {a, b, 0.5f, 0.5f})));
    // A·V with v0 = (2,0,0,0), v1 = (0,4,0,0).
    QVERIFY(near(s.output, mat(2, 4, {2 * a, 4 * b, 0, 0, 1, 2, 0, 0})));
    // τ = 2: softmax([0.5, 0]) = [e^½, 1] / (e^½ + 1); row 1 unchanged.
    const StepThrough hot = stepThrough(handHead(), {}, 2.0f);
    const float c = std::sqrt(kE) / (std::sqrt(kE) + 1);
    QVERIFY(near(hot.weights, mat(2, 2, {c, 1 - c, 0.5f, 0.5f})));
    QVERIFY(near(hot.output, mat(2, 4, {2 * c, 4 * (1 - c), 0, 0, 1, 2, 0, 0})));
    QVERIFY(near(hot.scaled, s.scaled)); // τ acts after scaling, only on the softmax
}

void TestTeaching::causalStepsByHand()
{
    TeachingMask mask;
    mask.causal = true;
    const StepThrough s = stepThrough(handHead(), mask, 1.0f);
    QVERIFY(std::isinf(s.masked(0, 1)) && s.masked(0, 1) < 0);
    QCOMPARE(s.masked(0, 0), 1.0f);
    QVERIFY(near(s.weights, mat(2, 2, {1, 0, 0.5f, 0.5f})));
    QVERIFY(near(s.output, mat(2, 4, {2, 0, 0, 0, 1, 2, 0, 0})));
}

void TestTeaching::explainsOneCell()
{
    const StepThrough s = stepThrough(handHead(), {}, 1.0f);
    const CellBreakdown c = explainCell(s, {}, 0, 0);
    QVERIFY(near(c.queryRow, mat(1, 4, {1, 0, 1, 0})));
    QVERIFY(near(c.keyRow, mat(1, 4, {1, 1, 1, 1})));
    QVERIFY(near(c.products, mat(1, 4, {1, 0, 1, 0})));
    QCOMPARE(c.dot, 2.0f);
    QCOMPARE(c.scale, 0.5f);
    QCOMPARE(c.scaled, 1.0f);
    QVERIFY(!c.masked);
    QCOMPARE(c.rowMax, 1.0f);
    QVERIFY(near(c.rowLogits, mat(1, 2, {1, 0})));
    QVERIFY(near(c.rowExp, mat(1, 2, {1, 1 / kE})));
    QVERIFY(std::abs(c.rowSum - (1 + 1 / kE)) < 1e-6f);
    QVERIFY(std::abs(c.weight - kE / (kE + 1)) < 1e-6f);
    QVERIFY(std::abs(c.weight - c.rowExp(0) / c.rowSum) < 1e-6f);
}

void TestTeaching::explainsMaskedCell()
{
    TeachingMask mask;
    mask.causal = true;
    const StepThrough s = stepThrough(handHead(), mask, 3.0f);
    const CellBreakdown c = explainCell(s, mask, 0, 1);
    QVERIFY(c.masked);
    QCOMPARE(c.dot, 0.0f);           // q0 · k1 = 0 is still computed; the mask removes it
    QVERIFY(std::isinf(c.rowLogits(1)));
    QCOMPARE(c.rowExp(1), 0.0f);
    QCOMPARE(c.rowSum, 1.0f);        // only key 0: exp(1/3 − 1/3)
    QCOMPARE(c.weight, 0.0f);
    QCOMPARE(c.temperature, 3.0f);
}

void TestTeaching::unitTemperatureReproducesEngine_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("stack");
    QTest::newRow("encoder") << "encoder" << int(Stack::Encoder);
    QTest::newRow("decoder causal") << "decoder" << int(Stack::Decoder);
    QTest::newRow("encdec decoder") << "encoder-decoder" << int(Stack::Decoder);
    QTest::newRow("encdec cross") << "encoder-decoder" << int(Stack::Cross);
}

void TestTeaching::unitTemperatureReproducesEngine()
{
    QFETCH(QString, type);
    QFETCH(int, stack);
    const Transformer t(parseModel(test::tinyModel(type.toStdString()).dump(), "tiny.json"));
    RunOptions o;
    o.text = "abcd";
    if (type == "encoder-decoder") o.target = "dab";
    o.capture = Capture::Full;
    const RunResult r = runModel(t, o);
    TeachingMask mask;
    mask.causal = Stack(stack) == Stack::Decoder && r.trace.causalDecoder;
    for (const HeadTrace& h : r.trace.stack(Stack(stack)).at(0).heads) {
        const StepThrough s = stepThrough(h, mask, 1.0f);
        QVERIFY(near(s.scaled, h.scores));
        QVERIFY(near(s.weights, h.weights));
        QVERIFY(near(s.output, h.output));
    }
}

void TestTeaching::neuronViewByHand()
{
    // Query 0: q0 = (1,0,1,0); k0 = (1,1,1,1), k1 = (0,1,0,−1).
    const NeuronView n = neuronView(handHead(), {}, 0, 1.0f);
    QCOMPARE(n.query, 0);
    QCOMPARE(n.scale, 0.5f);
    QVERIFY(near(n.q, mat(1, 4, {1, 0, 1, 0})));
    QVERIFY(near(n.k, handHead().k));
    QVERIFY(near(n.products, mat(2, 4, {1, 0, 1, 0, 0, 0, 0, 0})));
    QVERIFY(near(n.dots, mat(1, 2, {2, 0})));
    QVERIFY(near(n.scaled, mat(1, 2, {1, 0})));
    QVERIFY(near(n.logits, mat(1, 2, {1, 0})));
    QVERIFY(near(n.weights, mat(1, 2, {kE / (kE + 1), 1 / (kE + 1)})));
    QCOMPARE(n.masked, std::vector<bool>({false, false}));
    // Query 1: q1 = (0,2,0,0) meets both keys in dimension 1 only.
    const NeuronView m = neuronView(handHead(), {}, 1, 1.0f);
    QVERIFY(near(m.products, mat(2, 4, {0, 2, 0, 0, 0, 2, 0, 0})));
    QVERIFY(near(m.dots, mat(1, 2, {2, 2})));
    QVERIFY(near(m.weights, mat(1, 2, {0.5f, 0.5f})));
}

void TestTeaching::neuronViewMaskedAndHot()
{
    TeachingMask causal;
    causal.causal = true;
    // Query 0 may only see key 0: the product is still shown, the weight is 0.
    const NeuronView n = neuronView(handHead(), causal, 0, 1.0f);
    QCOMPARE(n.masked, std::vector<bool>({false, true}));
    QVERIFY(near(n.dots, mat(1, 2, {2, 0})));
    QVERIFY(std::isinf(n.logits(1)) && n.logits(1) < 0);
    QVERIFY(near(n.weights, mat(1, 2, {1, 0})));
    // τ = 2 divides the scaled scores before the softmax: [½, 0] → [√e, 1] / (√e + 1).
    const NeuronView hot = neuronView(handHead(), {}, 0, 2.0f);
    QCOMPARE(hot.temperature, 2.0f);
    QVERIFY(near(hot.scaled, mat(1, 2, {1, 0}))); // τ does not change the scores
    QVERIFY(near(hot.logits, mat(1, 2, {0.5f, 0})));
    const float c = std::sqrt(kE) / (std::sqrt(kE) + 1);
    QVERIFY(near(hot.weights, mat(1, 2, {c, 1 - c})));
    // A padded key is masked for every query.
    TeachingMask pad;
    pad.paddedKeys = {true, false};
    QVERIFY(near(neuronView(handHead(), pad, 0, 1.0f).weights, mat(1, 2, {0, 1})));
}

void TestTeaching::neuronViewMatchesEngineAndSteps_data() { unitTemperatureReproducesEngine_data(); }

void TestTeaching::neuronViewMatchesEngineAndSteps()
{
    QFETCH(QString, type);
    QFETCH(int, stack);
    const Transformer t(parseModel(test::tinyModel(type.toStdString()).dump(), "tiny.json"));
    RunOptions o;
    o.text = "abcd";
    if (type == "encoder-decoder") o.target = "dab";
    o.capture = Capture::Full;
    const RunResult r = runModel(t, o);
    TeachingMask mask;
    mask.causal = Stack(stack) == Stack::Decoder && r.trace.causalDecoder;
    int checked = 0;
    for (const HeadTrace& h : r.trace.stack(Stack(stack)).at(0).heads) {
        const StepThrough cold = stepThrough(h, mask, 0.5f);
        for (int i = 0; i < int(h.q.rows()); ++i) {
            const NeuronView n = neuronView(h, mask, i, 1.0f);
            // Σ_d q[d]·k_j[d] / √d_k is the engine's scaled score; its softmax the engine's weights.
            const RowVector sums = n.products.rowwise().sum().transpose();
            QVERIFY(near(sums, n.dots));
            QVERIFY(near(sums * n.scale, h.scores.row(i)));
            QVERIFY(near(n.scaled, h.scores.row(i)));
            QVERIFY(near(n.weights, h.weights.row(i)));
            QVERIFY(std::abs(n.weights.sum() - 1.0f) < 1e-5f);
            // At another τ the row is the step-through's row at that τ.
            QVERIFY(near(neuronView(h, mask, i, 0.5f).weights, cold.weights.row(i)));
            ++checked;
        }
    }
    QCOMPARE(checked, int(r.trace.stack(Stack(stack)).at(0).heads.size() * size_t(r.trace.stack(Stack(stack)).at(0).heads[0].q.rows())));
}

QTEST_APPLESS_MAIN(TestTeaching)
#include "test_teaching.moc"
