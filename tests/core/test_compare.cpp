// Compare (A − B per head, alignment, per-head change map) against hand-computed values, and
// the generation timeline: its steps, its frames, and the causality that justifies it — row t
// of a full forward pass equals the last row of a forward pass over the first t+1 tokens.
#include "core/analysis/compare.h"
#include "core/analysis/timeline.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "tiny_models.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {

const std::string kModels = ATTNSCOPE_SOURCE_DIR "/models/";

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

Token tok(int id, const std::string& text)
{
    Token t;
    t.id = id;
    t.text = text;
    return t;
}

// An encoder-only run with one layer of the given head matrices, over the given tokens.
RunResult encoderRun(const std::vector<Token>& tokens, const std::vector<MatrixRM>& heads)
{
    RunResult r;
    r.sourceTokens = tokens;
    LayerTrace layer;
    for (const MatrixRM& w : heads) {
        HeadTrace h;
        h.weights = w;
        layer.heads.push_back(h);
    }
    r.trace.encoder.push_back(layer);
    return r;
}

ModelConfig encoderConfig()
{
    ModelConfig c;
    c.type = ArchType::Encoder;
    return c;
}

std::vector<int> idsOf(const std::vector<Token>& tokens)
{
    std::vector<int> ids;
    for (const Token& t : tokens) ids.push_back(t.id);
    return ids;
}

// Every head of `full`'s stack: row t (first t+1 keys for causal self-attention, all keys for
// cross) equals the last row of `prefix`'s, and causal rows put exactly 0 on later keys.
void checkRow(const Trace& full, const Trace& prefix, Stack stack, int t, bool causal)
{
    const auto& lf = full.stack(stack);
    const auto& lp = prefix.stack(stack);
    QCOMPARE(lf.size(), lp.size());
    for (size_t l = 0; l < lf.size(); ++l) {
        for (size_t h = 0; h < lf[l].heads.size(); ++h) {
            const MatrixRM& wf = lf[l].heads[h].weights;
            const MatrixRM& wp = lp[l].heads[h].weights;
            QCOMPARE(int(wp.rows()), t + 1);
            const Eigen::Index keys = causal ? t + 1 : wf.cols();
            QCOMPARE(wp.cols(), keys);
            const float diff = (wf.row(t).head(keys) - wp.row(t)).cwiseAbs().maxCoeff();
            QVERIFY2(diff <= 1e-5f, qPrintable(QStringLiteral("%1 L%2 H%3 row %4: %5")
                                                   .arg(toString(stack)).arg(l).arg(h).arg(t).arg(diff)));
            if (causal && keys < wf.cols()) QCOMPARE(wf.row(t).tail(wf.cols() - keys).cwiseAbs().maxCoeff(), 0.0f);
        }
    }
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT
private slots:
    void summaryHandComputed();
    void differenceAndHeadMapHandComputed();
    void meanOfHeadsDifference();
    void unalignedSequences();
    void missingHeadsThrow();
    void engineRunsAlignAndDiffer();
    void timelineFrameHidesLaterRows();
    void fullPassRowsEqualIncrementalSteps_data();
    void fullPassRowsEqualIncrementalSteps();
    void decoderTimelineSteps();
    void encoderDecoderTimelineSteps();
    void noTimelineWithoutDecoding();
};

void TestCompare::summaryHandComputed()
{
    // A − B = [[0.5, −0.5], [0, −0.25]]: max |·| 0.5 at (0, 0) (first of the ties), mean 1.25/4.
    const MatrixRM d = mat(2, 2, {0.5f, -0.5f, 0.0f, -0.25f});
    const DifferenceSummary s = summarizeDifference(d);
    QCOMPARE(s.maxAbs, 0.5f);
    QCOMPARE(s.meanAbs, 0.3125f);
    QCOMPARE(s.query, 0);
    QCOMPARE(s.key, 0);
    const DifferenceSummary e = summarizeDifference(MatrixRM());
    QCOMPARE(e.query, -1);
    QCOMPARE(e.maxAbs, 0.0f);
}

void TestCompare::differenceAndHeadMapHandComputed()
{
    // Head 0 is unchanged; head 1 moves row 1 from key 0 to key 1.
    const MatrixRM h0 = mat(2, 2, {1, 0, 0.5f, 0.5f});
    const MatrixRM a1 = mat(2, 2, {1, 0, 0.8f, 0.2f});
    const MatrixRM b1 = mat(2, 2, {1, 0, 0.2f, 0.8f});
    const RunResult a = encoderRun({tok(5, "h"), tok(6, "e")}, {h0, a1});
    const RunResult b = encoderRun({tok(7, "s"), tok(6, "e")}, {h0, b1});
    const StackAlignment al = alignStack(a, b, encoderConfig(), Stack::Encoder);
    QVERIFY(al.present);
    QVERIFY(al.aligned);
    QCOMPARE(al.queriesA, 2);
    QCOMPARE(al.keysB, 2);
    QCOMPARE(al.differingQueries, std::vector<int>{0});
    QCOMPARE(al.differingKeys, std::vector<int>{0});

    QVERIFY(near(attentionDifference(a.trace, b.trace, Stack::Encoder, 0, 1), mat(2, 2, {0, 0, 0.6f, -0.6f})));
    QVERIFY(near(attentionDifference(a.trace, b.trace, Stack::Encoder, 0, 0), MatrixRM::Zero(2, 2)));

    const HeadChangeMap m = headChanges(a.trace, b.trace, Stack::Encoder);
    QCOMPARE(int(m.meanAbs.rows()), 1);
    QCOMPARE(int(m.meanAbs.cols()), 2);
    QCOMPARE(m.meanAbs(0, 0), 0.0f);
    QVERIFY(std::abs(m.meanAbs(0, 1) - 0.3f) < 1e-6f); // (0.6 + 0.6) / 4
    QVERIFY(std::abs(m.maxAbs(0, 1) - 0.6f) < 1e-6f);
    QCOMPARE(m.layer, 0);
    QCOMPARE(m.head, 1);

    const std::vector<StackAlignment> all = alignStacks(a, b, encoderConfig());
    QCOMPARE(int(all.size()), 1);
    QCOMPARE(all.front().stack, Stack::Encoder);
}

void TestCompare::meanOfHeadsDifference()
{
    const MatrixRM a0 = mat(1, 2, {1, 0}), a1 = mat(1, 2, {0, 1});
    const MatrixRM b0 = mat(1, 2, {0.5f, 0.5f}), b1 = mat(1, 2, {0.5f, 0.5f});
    const RunResult a = encoderRun({tok(1, "x"), tok(2, "y")}, {a0, a1});
    const RunResult b = encoderRun({tok(1, "x"), tok(2, "y")}, {b0, b1});
    // Ā_A = [0.5, 0.5] = Ā_B: the mean hides what the heads did.
    QVERIFY(near(attentionDifference(a.trace, b.trace, Stack::Encoder, 0, kCompareMeanOfHeads), MatrixRM::Zero(1, 2)));
    QVERIFY(near(headWeights(a.trace, Stack::Encoder, 0, kCompareMeanOfHeads), mat(1, 2, {0.5f, 0.5f})));
    const HeadChangeMap m = headChanges(a.trace, b.trace, Stack::Encoder);
    QVERIFY(near(m.meanAbs, mat(1, 2, {0.5f, 0.5f})));
    QCOMPARE(m.head, 0); // first of the ties
    const StackAlignment al = alignStack(a, b, encoderConfig(), Stack::Encoder);
    QVERIFY(al.differingQueries.empty());
}

void TestCompare::unalignedSequences()
{
    const RunResult a = encoderRun({tok(1, "x"), tok(2, "y")}, {mat(2, 2, {1, 0, 0, 1})});
    const RunResult b = encoderRun({tok(1, "x"), tok(2, "y"), tok(3, "z")}, {MatrixRM::Constant(3, 3, 1 / 3.f)});
    const StackAlignment al = alignStack(a, b, encoderConfig(), Stack::Encoder);
    QVERIFY(al.present);
    QVERIFY(!al.aligned);
    QCOMPARE(al.queriesA, 2);
    QCOMPARE(al.queriesB, 3);
    QCOMPARE(al.keysB, 3);
    QVERIFY(al.differingQueries.empty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, attentionDifference(a.trace, b.trace, Stack::Encoder, 0, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, headChanges(a.trace, b.trace, Stack::Encoder));
}

void TestCompare::missingHeadsThrow()
{
    const RunResult a = encoderRun({tok(1, "x")}, {mat(1, 1, {1})});
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, headWeights(a.trace, Stack::Encoder, 1, 0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, headWeights(a.trace, Stack::Encoder, 0, 1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, headWeights(a.trace, Stack::Decoder, 0, 0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, attentionDifference(a.trace, a.trace, Stack::Encoder, 0, -2));
    // A stack the traces do not share is not present (and not aligned).
    const RunResult empty;
    const StackAlignment al = alignStack(a, empty, encoderConfig(), Stack::Encoder);
    QVERIFY(!al.present);
    QVERIFY(!al.aligned);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, headChanges(a.trace, empty.trace, Stack::Encoder));
}

void TestCompare::engineRunsAlignAndDiffer()
{
    const Transformer tf(parseModel(test::tinyModel("encoder-decoder").dump(), "tiny.json"));
    const ModelConfig& c = tf.model().config;
    RunOptions o;
    o.target = "ab";
    o.text = "abca";
    const RunResult a = runModel(tf, o);
    o.text = "abda";
    const RunResult b = runModel(tf, o);
    o.text = "abc";
    const RunResult shorter = runModel(tf, o);

    const std::vector<StackAlignment> all = alignStacks(a, b, c);
    QCOMPARE(int(all.size()), 3);
    for (const StackAlignment& s : all) QVERIFY(s.aligned);
    // Source "abca</s>" vs "abda</s>": position 2 differs; the decoder input is the same target.
    QCOMPARE(all[0].differingQueries, std::vector<int>{2});
    QVERIFY(all[1].differingQueries.empty());
    QCOMPARE(all[2].differingKeys, std::vector<int>{2});
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const MatrixRM d = attentionDifference(a.trace, b.trace, s, 0, 1);
        QVERIFY(near(d, a.trace.stack(s)[0].heads[1].weights - b.trace.stack(s)[0].heads[1].weights, 0.0f));
    }
    // The same input changes nothing.
    const HeadChangeMap same = headChanges(a.trace, a.trace, Stack::Cross);
    QCOMPARE(same.meanAbs.maxCoeff(), 0.0f);
    QVERIFY(headChanges(a.trace, b.trace, Stack::Encoder).meanAbs.maxCoeff() > 0.0f);
    // One character less: encoder and cross no longer align, the decoder (same target) does.
    QVERIFY(!alignStack(a, shorter, c, Stack::Encoder).aligned);
    QVERIFY(!alignStack(a, shorter, c, Stack::Cross).aligned);
    QVERIFY(alignStack(a, shorter, c, Stack::Decoder).aligned);
}

void TestCompare::timelineFrameHidesLaterRows()
{
    const MatrixRM w = mat(3, 3, {1, 0, 0, 0.4f, 0.6f, 0, 0.2f, 0.3f, 0.5f});
    const MatrixRM f = timelineFrame(w, 1, true);
    QCOMPARE(f(0, 0), 1.0f);
    QCOMPARE(f(1, 0), 0.4f);
    QCOMPARE(f(1, 1), 0.6f);
    for (int j = 0; j < 3; ++j) QVERIFY(std::isnan(f(2, j)));
    QVERIFY(std::isnan(f(0, 2)) && std::isnan(f(1, 2)));
    // Cross-attention keys all exist: only the rows after the step are hidden.
    const MatrixRM g = timelineFrame(w, 0, false);
    QCOMPARE(g(0, 2), 0.0f);
    QVERIFY(std::isnan(g(1, 0)) && std::isnan(g(2, 2)));
    // The last step shows everything.
    QVERIFY(near(timelineFrame(w, 2, true), w));
}

void TestCompare::fullPassRowsEqualIncrementalSteps_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::newRow("decoder-only tiny-lm") << "tiny-lm.json" << "And God said";
    QTest::newRow("encoder-decoder date-normalizer") << "date-normalizer.json" << "25th of November 2026";
}

void TestCompare::fullPassRowsEqualIncrementalSteps()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    const Transformer tf(loadModel(kModels + model.toStdString()));
    RunOptions o;
    o.text = text.toStdString();
    o.generate = tf.model().config.type == ArchType::Decoder;
    const RunResult run = runModel(tf, o);
    QVERIFY(!run.targetTokens.empty());
    const std::vector<int> source = idsOf(run.sourceTokens);
    if (tf.model().config.type == ArchType::Decoder) {
        std::vector<int> ids = source;
        for (const Token& t : run.targetTokens) ids.push_back(t.id);
        const ForwardResult full = tf.forward(ids, {}, Capture::Attention);
        for (int t = 0; t < static_cast<int>(ids.size()); ++t) {
            const std::vector<int> prefix(ids.begin(), ids.begin() + t + 1);
            const ForwardResult step = tf.forward(prefix, {}, Capture::Attention);
            checkRow(full.trace, step.trace, Stack::Decoder, t, true);
            QVERIFY((full.logits.row(t) - step.logits.row(t)).cwiseAbs().maxCoeff() <= 1e-4f);
        }
    } else {
        const std::vector<int> target = idsOf(run.targetTokens);
        const ForwardResult full = tf.forward(source, target, Capture::Attention);
        for (int t = 0; t < static_cast<int>(target.size()); ++t) {
            const std::vector<int> prefix(target.begin(), target.begin() + t + 1);
            const ForwardResult step = tf.forward(source, prefix, Capture::Attention);
            checkRow(full.trace, step.trace, Stack::Decoder, t, true);
            checkRow(full.trace, step.trace, Stack::Cross, t, false);
            QVERIFY((full.logits.row(t) - step.logits.row(t)).cwiseAbs().maxCoeff() <= 1e-4f);
        }
    }
}

void TestCompare::decoderTimelineSteps()
{
    const auto model = loadModel(kModels + "tiny-lm.json");
    const Transformer tf(model);
    RunOptions o;
    o.text = "And God said";
    o.generate = true;
    const RunResult run = runModel(tf, o);
    const DecodingTimeline t = decodingTimeline(run, *model, false, 5);
    QVERIFY(t.available);
    QVERIFY(!t.hasCross);
    const int prompt = static_cast<int>(run.sourceTokens.size());
    QCOMPARE(t.promptRows, prompt);
    QCOMPARE(t.steps.size(), run.targetTokens.size());
    QCOMPARE(t.decoderTokens.size(), run.sourceTokens.size() + run.targetTokens.size());
    for (size_t s = 0; s < t.steps.size(); ++s) {
        const TimelineStep& st = t.steps[s];
        QCOMPARE(st.row, prompt - 1 + int(s));
        QCOMPARE(int(st.prefix.size()), st.row + 1);
        QCOMPARE(st.prefix.back().id, t.decoderTokens[size_t(st.row)].id);
        QCOMPARE(st.chosen.id, run.targetTokens[s].id);
        QCOMPARE(int(st.topK.size()), 5);
        // Greedy decoding chose the most probable token; its probability is the softmax entry.
        QCOMPARE(st.topK.front().id, st.chosen.id);
        const RowVector l = run.logits.row(st.row);
        const double p = std::exp(double(l[st.chosen.id] - l.maxCoeff())) /
                         (l.array() - l.maxCoeff()).cast<double>().exp().sum();
        QVERIFY(std::abs(st.probability - p) < 1e-5);
        QVERIFY(std::abs(st.probability - st.topK.front().probability) < 1e-6f);
        QVERIFY(!st.hasNextInput);
    }
}

void TestCompare::encoderDecoderTimelineSteps()
{
    const auto model = loadModel(kModels + "date-normalizer.json");
    const Transformer tf(model);
    RunOptions o;
    o.text = "25th of November 2026";
    const RunResult gen = runModel(tf, o);
    const DecodingTimeline t = decodingTimeline(gen, *model, false, 3);
    QVERIFY(t.available);
    QVERIFY(t.hasCross);
    QCOMPARE(t.promptRows, 0);
    QCOMPARE(t.steps.size(), gen.targetTokens.size());
    QString out;
    for (size_t s = 0; s < t.steps.size(); ++s) {
        QCOMPARE(t.steps[s].row, int(s));
        QCOMPARE(t.steps[s].prefix.size(), s + 1);
        QCOMPARE(t.steps[s].chosen.id, gen.outputTokens[s].id);
        QCOMPARE(t.steps[s].topK.front().id, t.steps[s].chosen.id);
        // Generated: what step s chose is what step s + 1 is fed.
        if (s + 1 < t.steps.size()) QCOMPARE(gen.targetTokens[s + 1].id, t.steps[s].chosen.id);
        if (!t.steps[s].chosen.special) out += QString::fromStdString(t.steps[s].chosen.text);
    }
    QCOMPARE(out, QStringLiteral("2026-11-25"));

    o.target = "2026-12-25"; // teacher-forced: the next input is the target, whatever the model chose
    const RunResult forced = runModel(tf, o);
    const DecodingTimeline f = decodingTimeline(forced, *model, true, 3);
    QVERIFY(f.teacherForced);
    QCOMPARE(f.steps.size(), forced.targetTokens.size());
    QVERIFY(f.steps.front().hasNextInput);
    QCOMPARE(QString::fromStdString(f.steps.front().nextInput.text), QStringLiteral("2"));
    QVERIFY(!f.steps.back().hasNextInput);
}

void TestCompare::noTimelineWithoutDecoding()
{
    const auto mlm = loadModel(kModels + "tiny-mlm.json");
    RunOptions o;
    o.text = "and god said unto [MASK]";
    const RunResult r = runModel(Transformer(mlm), o);
    const DecodingTimeline t = decodingTimeline(r, *mlm, false);
    QVERIFY(!t.available);
    QVERIFY(QString::fromStdString(t.reason).contains(QStringLiteral("encoder-only")));

    const auto lm = loadModel(kModels + "tiny-lm.json");
    o.text = "And God said";
    const DecodingTimeline n = decodingTimeline(runModel(Transformer(lm), o), *lm, false);
    QVERIFY(!n.available);
    QVERIFY(QString::fromStdString(n.reason).contains(QStringLiteral("Generate")));

    o.text = "";
    const DecodingTimeline e = decodingTimeline(runModel(Transformer(lm), o), *lm, false);
    QVERIFY(!e.available);
    QVERIFY(!e.reason.empty());
}

QTEST_APPLESS_MAIN(TestCompare)
#include "test_compare.moc"
