// The backward pass (core/grad/backward.h) against torch autograd (tests/data/golden/grad/, made by
// tools/make_grad_goldens.py in float64) for every block kind and architecture type, plus central
// finite differences in double on small models.
//
// Relative error of a tensor: ‖g − g_ref‖₂ / max(‖g_ref‖₂, 1e-3 · G), G = the largest ‖g_ref‖₂ over
// the model's tensors. The floor only matters for tensors whose exact gradient vanishes (key
// biases: softmax ignores a constant added to every score of a row; torch's float64 value is
// ~1e-17, ours float32 rounding) and keeps those from dividing noise by noise.
#include "core/errors.h"
#include "core/grad/backward.h"
#include "core/model_loader.h"
#include "core/transformer.h"
#include "golden_util.h"

#include <QtTest/QtTest>

#include <random>

using namespace attnscope;
using namespace attnscope::grad;
using attnscope::testing::readJson;

namespace {

QString dataPath(const QString& rel) { return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + rel; }

constexpr double kTolerance = 1e-4;

Loss lossOf(const nlohmann::json& j)
{
    Loss l;
    l.kind = j["kind"] == "logit" ? LossKind::Logit : LossKind::CrossEntropy;
    for (const auto& t : j["terms"]) l.terms.push_back({t[0].get<int>(), t[1].get<int>(), t[2].get<double>()});
    return l;
}

GradInput inputOf(const nlohmann::json& c)
{
    GradInput in;
    in.source = c["source"].get<std::vector<int>>();
    in.target = c["target"].get<std::vector<int>>();
    in.sourceTypes = c["types"].get<std::vector<int>>();
    return in;
}

MatrixRM matrixOf(const nlohmann::json& j)
{
    MatrixRM m(Eigen::Index(j.size()), Eigen::Index(j[0].size()));
    for (size_t i = 0; i < j.size(); ++i)
        for (size_t k = 0; k < j[i].size(); ++k) m(Eigen::Index(i), Eigen::Index(k)) = j[i][k].get<float>();
    return m;
}

template <class S>
double relError(const S* got, const float* ref, size_t n, double floor)
{
    double diff = 0, norm = 0;
    for (size_t i = 0; i < n; ++i) {
        diff += (double(got[i]) - ref[i]) * (double(got[i]) - ref[i]);
        norm += double(ref[i]) * ref[i];
    }
    return std::sqrt(diff) / std::max(std::sqrt(norm), floor);
}

double norm(const float* v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += double(v[i]) * v[i];
    return std::sqrt(s);
}

// Worst relative error over every weight tensor (and its name); fails on a missing tensor.
template <class S>
double worstWeightError(const GradientsT<S>& got, const Weights& ref, std::string& worstName)
{
    double g = 0;
    for (const auto& [name, e] : ref.entries()) g = std::max(g, norm(ref.data(name), e.size()));
    double worst = 0;
    for (const auto& [name, e] : ref.entries()) {
        if (!got.has(name)) {
            worstName = "missing " + name;
            return 1e9;
        }
        const double err = relError(got.data(name), ref.data(name), e.size(), 1e-3 * g);
        if (err > worst) {
            worst = err;
            worstName = name;
        }
    }
    if (got.entries().size() != ref.entries().size()) worstName += " (tensor count differs)";
    return worst;
}

template <class S>
double inputError(const MatrixT<S>& got, const MatrixRM& ref)
{
    if (got.rows() != ref.rows() || got.cols() != ref.cols()) return 1e9;
    const MatrixRM g = got.template cast<float>();
    return relError(g.data(), ref.data(), size_t(ref.size()), 1e-30);
}

QStringList goldenNames()
{
    const QDir dir(dataPath("tests/data/golden/grad"));
    QStringList names;
    for (const QString& f : dir.entryList({QStringLiteral("*.expected.json")}, QDir::Files, QDir::Name))
        names << f.chopped(int(strlen(".expected.json")));
    return names;
}

} // namespace

class TestBackward : public QObject {
    Q_OBJECT

private slots:
    void goldens_data();
    void goldens();
    void goldensInDouble_data() { goldens_data(); }
    void goldensInDouble();
    void tapeForwardEqualsEngine_data() { goldens_data(); }
    void tapeForwardEqualsEngine();
    void finiteDifferences_data();
    void finiteDifferences();
    void embeddedInputGivesSameGradient();
    void lossBuilders();
    void badInput();
};

void TestBackward::goldens_data()
{
    QTest::addColumn<QString>("name");
    const QStringList names = goldenNames();
    QVERIFY2(names.size() >= 13, "tests/data/golden/grad: goldens missing");
    for (const QString& n : names) QTest::newRow(qPrintable(n)) << n;
}

void TestBackward::goldens()
{
    QFETCH(QString, name);
    const auto golden = readJson(dataPath("tests/data/golden/grad/" + name + ".expected.json"));
    auto model = loadModel(dataPath(QString::fromStdString(golden["model"].get<std::string>())).toStdString());
    const Backprop<float> bp(model);
    for (const auto& c : golden["cases"]) {
        const bool weights = c.contains("weights");
        GradOptions opt;
        opt.weightGradients = weights;
        const GradResult r = bp.run(inputOf(c), lossOf(c["loss"]), opt);
        const double value = c["value"].get<double>();
        QVERIFY2(std::abs(r.loss - value) <= 1e-4 * std::max(1.0, std::abs(value)), // as the logits
                 qPrintable(QString("loss %1 vs torch %2").arg(r.loss).arg(value)));
        const double ein = inputError(r.inputGradient, matrixOf(c["input_gradient"]));
        QVERIFY2(ein <= kTolerance, qPrintable(QString("%1 input gradient: relative error %2").arg(name).arg(ein)));
        if (!weights) continue;
        QCOMPARE(r.logitRows, c["logit_rows"].get<std::vector<int>>());
        bool shapeOk = false;
        const float dl = attnscope::testing::maxAbsDiff(r.logits, c["logits"], shapeOk);
        QVERIFY(shapeOk);
        QVERIFY2(dl <= 1e-4f, qPrintable(QString("logits differ by %1").arg(dl)));
        auto ref = loadModel(dataPath(QString::fromStdString(c["weights"].get<std::string>())).toStdString());
        std::string worstName;
        const double worst = worstWeightError(r.weights, ref->weights, worstName);
        qInfo("%s: worst weight-gradient error %.2e (%s), input gradient %.2e", qPrintable(name), worst,
              worstName.c_str(), ein);
        QVERIFY2(worst <= kTolerance, qPrintable(QString("%1: %2 relative error %3").arg(name).arg(
                                                     QString::fromStdString(worstName)).arg(worst)));
    }
}

void TestBackward::goldensInDouble()
{
    QFETCH(QString, name);
    const auto golden = readJson(dataPath("tests/data/golden/grad/" + name + ".expected.json"));
    auto model = loadModel(dataPath(QString::fromStdString(golden["model"].get<std::string>())).toStdString());
    const Backprop<double> bp(model);
    const auto& c = golden["cases"][0];
    const GradResultT<double> r = bp.run(inputOf(c), lossOf(c["loss"]));
    auto ref = loadModel(dataPath(QString::fromStdString(c["weights"].get<std::string>())).toStdString());
    std::string worstName;
    const double worst = worstWeightError(r.weights, ref->weights, worstName);
    const double ein = inputError(r.inputGradient, matrixOf(c["input_gradient"]));
    QVERIFY(std::abs(r.loss - c["value"].get<double>()) <= 1e-6 * std::max(1.0, std::abs(c["value"].get<double>())));
    // float32 goldens: a few ulps of float.
    QVERIFY2(worst <= 1e-5, qPrintable(QString::fromStdString(worstName) + QString(" %1").arg(worst)));
    QVERIFY2(ein <= 1e-5, qPrintable(QString("input %1").arg(ein)));
}

// The tape's own forward computes the engine's model: its logits equal Transformer::forward's.
void TestBackward::tapeForwardEqualsEngine()
{
    QFETCH(QString, name);
    const auto golden = readJson(dataPath("tests/data/golden/grad/" + name + ".expected.json"));
    auto model = loadModel(dataPath(QString::fromStdString(golden["model"].get<std::string>())).toStdString());
    const auto& c = golden["cases"][0];
    const GradInput in = inputOf(c);
    const GradResult r = Backprop<float>(model).run(in, lossOf(c["loss"]), {false});
    const Transformer engine(model);
    const ForwardResult f = engine.forward(in.source, in.target, Capture::None, nullptr, 0,
                                           in.sourceTypes.empty() ? nullptr : &in.sourceTypes);
    float worst = 0;
    for (size_t i = 0; i < r.logitRows.size(); ++i)
        worst = std::max(worst, (r.logits.row(Eigen::Index(i)) - f.logits.row(r.logitRows[i])).cwiseAbs().maxCoeff());
    QVERIFY2(worst <= 2e-5f, qPrintable(QString("tape vs engine logits: %1").arg(worst)));
    // x0 equals the engine's embedding step.
    const MatrixRM x0 = engine.embedTokens(in.source, in.sourceTypes.empty() ? nullptr : &in.sourceTypes);
    QVERIFY((r.inputEmbedding - x0).cwiseAbs().maxCoeff() <= 1e-6f);
}

void TestBackward::finiteDifferences_data()
{
    QTest::addColumn<QString>("name");
    for (const char* n : {"tiny-encoder", "tiny-seq2seq", "llama-gqa", "bert-d4-h4-relu-f16", "neox-pythia",
                          "decoder-pre-gelu-tied"})
        QTest::newRow(n) << QString(n);
}

// Central differences in double, h = 1e-5: (L(w + h) − L(w − h)) / 2h against the analytic
// gradient, on 4 random entries of every weight tensor and 16 of the input embeddings x0;
// |fd − g| ≤ 1e-6 · max(1, |g|) (the truncation error h²·L‴ and the rounding error ε·L/h are
// both ~1e-10 here).
void TestBackward::finiteDifferences()
{
    QFETCH(QString, name);
    const auto golden = readJson(dataPath("tests/data/golden/grad/" + name + ".expected.json"));
    auto model = loadModel(dataPath(QString::fromStdString(golden["model"].get<std::string>())).toStdString());
    Backprop<double> bp(model);
    const auto& c = golden["cases"][0];
    const GradInput in = inputOf(c);
    const Loss loss = lossOf(c["loss"]);
    const GradResultT<double> r = bp.run(in, loss);
    constexpr double h = 1e-5;
    std::mt19937 rng(7);
    double worst = 0;
    int checked = 0;
    for (const auto& [tensor, e] : model->weights.entries()) {
        double* w = bp.mutableParameter(tensor);
        QVERIFY(w);
        for (int k = 0; k < 4; ++k) {
            const size_t i = std::uniform_int_distribution<size_t>(0, e.size() - 1)(rng);
            const double keep = w[i];
            w[i] = keep + h;
            const double up = bp.run(in, loss, {false}).loss;
            w[i] = keep - h;
            const double down = bp.run(in, loss, {false}).loss;
            w[i] = keep;
            const double fd = (up - down) / (2 * h), g = r.weights.data(tensor)[i];
            worst = std::max(worst, std::abs(fd - g) / std::max(1.0, std::abs(g)));
            ++checked;
        }
    }
    // x0 (the input embeddings), through the embedded-input path in double: 16 random entries.
    const MatrixT<double> x0 = r.inputEmbedding;
    GradInput e = in;
    MatrixT<double> x = x0;
    e.embeddedDouble = &x;
    for (int k = 0; k < 16; ++k) {
        const Eigen::Index i = std::uniform_int_distribution<Eigen::Index>(0, x.rows() - 1)(rng);
        const Eigen::Index j = std::uniform_int_distribution<Eigen::Index>(0, x.cols() - 1)(rng);
        x(i, j) = x0(i, j) + h;
        const double up = bp.run(e, loss, {false}).loss;
        x(i, j) = x0(i, j) - h;
        const double down = bp.run(e, loss, {false}).loss;
        x(i, j) = x0(i, j);
        const double fd = (up - down) / (2 * h), g = r.inputGradient(i, j);
        worst = std::max(worst, std::abs(fd - g) / std::max(1.0, std::abs(g)));
        ++checked;
    }
    qInfo("%s: %d finite differences, worst error %.2e", qPrintable(name), checked, worst);
    QVERIFY2(worst <= 1e-6, qPrintable(QString("worst %1").arg(worst)));
}

// The embedded-input path (x0 given) gives the ids path's input gradient.
void TestBackward::embeddedInputGivesSameGradient()
{
    auto model = loadModel(dataPath("tests/data/golden/decoder-pre-gelu-tied.model.json").toStdString());
    const Backprop<float> bp(model);
    GradInput in;
    in.source = {3, 5, 7, 9, 4};
    const Loss loss = logitLoss(4, 6);
    const GradResult a = bp.run(in, loss, {false});
    const MatrixRM x0 = a.inputEmbedding;
    GradInput e;
    e.embedded = &x0;
    const GradResult b = bp.run(e, loss, {false});
    QCOMPARE(a.loss, b.loss);
    QVERIFY((a.inputGradient - b.inputGradient).cwiseAbs().maxCoeff() == 0.0f);
}

// The loss builders give the terms the torch goldens used (mean next-token CE for decoders).
void TestBackward::lossBuilders()
{
    const auto golden = readJson(dataPath("tests/data/golden/grad/decoder-pre-gelu-tied.expected.json"));
    const auto& c = golden["cases"][0];
    const Loss expected = lossOf(c["loss"]);
    const Loss lm = languageModelLoss(c["source"].get<std::vector<int>>());
    QCOMPARE(lm.terms.size(), expected.terms.size());
    for (size_t i = 0; i < lm.terms.size(); ++i) {
        QCOMPARE(lm.terms[i].position, expected.terms[i].position);
        QCOMPARE(lm.terms[i].token, expected.terms[i].token);
        QVERIFY(std::abs(lm.terms[i].weight - expected.terms[i].weight) < 1e-12);
    }
    const Loss mlm = maskedLmLoss({1, 4}, {7, 9});
    QCOMPARE(mlm.terms.size(), size_t(2));
    QCOMPARE(mlm.terms[1].position, 4);
    QCOMPARE(mlm.terms[1].weight, 0.5);
    const Loss s2s = seq2seqLoss({3, 4, 2});
    QCOMPARE(s2s.terms[2].token, 2);
    QVERIFY(std::abs(s2s.terms[0].weight - 1.0 / 3) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(UsageError, maskedLmLoss({1}, {}));
}

void TestBackward::badInput()
{
    auto model = loadModel(dataPath("tests/data/golden/decoder-pre-gelu-tied.model.json").toStdString());
    const Backprop<float> bp(model);
    GradInput in;
    in.source = {3, 5, 7};
    QVERIFY_THROWS_EXCEPTION(UsageError, bp.run(in, logitLoss(3, 1)));     // position past the end
    QVERIFY_THROWS_EXCEPTION(UsageError, bp.run(in, logitLoss(0, 100000))); // token outside the vocabulary
    in.source = {3, 100000};
    QVERIFY_THROWS_EXCEPTION(UsageError, bp.run(in, logitLoss(0, 1)));     // id outside the vocabulary
    in.source = {};
    QVERIFY_THROWS_EXCEPTION(UsageError, bp.run(in, logitLoss(0, 1)));
    in.source = {3};
    QVERIFY_THROWS_EXCEPTION(UsageError, bp.run(in, Loss{}));
}

QTEST_APPLESS_MAIN(TestBackward)
#include "test_backward.moc"
