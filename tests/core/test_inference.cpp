// Text-level behaviour shared by the CLI and the GUI: framing, truncation, generation,
// top-k, and the rules for which requests each architecture accepts.
#include "core/errors.h"
#include "core/inference.h"
#include "tiny_models.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {
std::shared_ptr<const Model> tiny(const std::string& type, int maxLen = 8)
{
    return parseModel(test::tinyModel(type, maxLen).dump(), "tiny.json");
}
} // namespace

class TestInference : public QObject {
    Q_OBJECT
private slots:
    void truncatesLongInputWithWarning();
    void encoderDecoderGenerationIsTeacherForcedConsistent();
    void decoderGenerationExtendsInput();
    void decoderTopKIsADistribution();
    void encoderFillsMask();
    void rejectsImpossibleRequests();
    void emptyAndHostileInput();
    void captureNoneRecordsNothing();
};

void TestInference::truncatesLongInputWithWarning()
{
    const Transformer tf(tiny("encoder-decoder"));
    RunOptions o;
    o.text = "abcdabcdabcdabcd";
    const RunResult r = runModel(tf, o);
    QCOMPARE(r.sourceTokens.size(), size_t(8)); // max_len
    QCOMPARE(r.sourceTokens.back().text, std::string("</s>")); // suffix kept
    QVERIFY(!r.warnings.empty());
    QVERIFY(r.warnings.front().find("truncated to max_len 8") != std::string::npos);
    QCOMPARE(r.trace.encoder.at(0).heads.at(0).weights.rows(), Eigen::Index(8));
}

void TestInference::encoderDecoderGenerationIsTeacherForcedConsistent()
{
    const Transformer tf(tiny("encoder-decoder"));
    RunOptions o;
    o.text = "abca";
    const RunResult r = runModel(tf, o);
    QVERIFY(!r.targetTokens.empty());
    QCOMPARE(r.targetTokens.front().text, std::string("<s>"));
    // Row i of the teacher-forced pass predicts decoder input i+1.
    QCOMPARE(r.outputTokens.size(), r.targetTokens.size());
    for (size_t i = 0; i + 1 < r.targetTokens.size(); ++i) QCOMPARE(r.outputTokens[i].id, r.targetTokens[i + 1].id);
    const auto gen = tf.greedy({5, 6, 7, 5, 3}, 8);
    QCOMPARE(r.outputTokens.size(), gen.size());
    for (size_t i = 0; i < gen.size(); ++i) QCOMPARE(r.outputTokens[i].id, gen[i]);
    QCOMPARE(r.trace.cross.size(), size_t(1));
    QCOMPARE(r.trace.cross[0].heads[0].weights.rows(), Eigen::Index(r.targetTokens.size()));
    QCOMPARE(r.trace.cross[0].heads[0].weights.cols(), Eigen::Index(r.sourceTokens.size()));

    // Teacher forcing: decoder input is bos + target.
    o.target = "dd";
    const RunResult t = runModel(tf, o);
    QCOMPARE(t.targetTokens.size(), size_t(3));
    QCOMPARE(t.logits.rows(), Eigen::Index(3));
}

void TestInference::decoderGenerationExtendsInput()
{
    const Transformer tf(tiny("decoder"));
    RunOptions o;
    o.text = "ab";
    o.generate = true;
    const RunResult r = runModel(tf, o);
    QCOMPARE(r.sourceTokens.size(), size_t(3)); // <s> a b
    QVERIFY(r.sourceTokens.size() + r.targetTokens.size() <= 8);
    QVERIFY(!r.targetTokens.empty());
    const Eigen::Index total = Eigen::Index(r.sourceTokens.size() + r.targetTokens.size());
    QCOMPARE(r.trace.decoder[0].heads[0].weights.rows(), total);
    // Each generated token is the argmax of the previous position in the full pass.
    for (size_t i = 0; i < r.targetTokens.size(); ++i) {
        Eigen::Index best;
        r.logits.row(Eigen::Index(r.sourceTokens.size() + i) - 1).maxCoeff(&best);
        QCOMPARE(int(best), r.targetTokens[i].id);
    }
}

void TestInference::decoderTopKIsADistribution()
{
    const Transformer tf(tiny("decoder"));
    RunOptions o;
    o.text = "abc";
    o.topK = 9;
    const RunResult r = runModel(tf, o);
    QCOMPARE(r.predictions.size(), size_t(9));
    float sum = 0.0f;
    for (size_t i = 0; i < r.predictions.size(); ++i) {
        sum += r.predictions[i].probability;
        if (i) QVERIFY(r.predictions[i - 1].probability >= r.predictions[i].probability);
    }
    QVERIFY(std::abs(sum - 1.0f) < 1e-5f);
    QCOMPARE(r.outputTokens.size(), size_t(1));
    QCOMPARE(r.outputTokens[0].id, r.predictions[0].id);
}

void TestInference::encoderFillsMask()
{
    const Transformer tf(tiny("encoder"));
    RunOptions o;
    o.text = "a[MASK]c";
    const RunResult r = runModel(tf, o);
    QCOMPARE(r.sourceTokens.size(), size_t(3));
    QCOMPARE(r.predictionPosition, 1);
    QCOMPARE(r.outputText.size(), size_t(2) + r.outputTokens[1].text.size());
    QCOMPARE(r.predictions.front().id, r.outputTokens[1].id);
}

void TestInference::rejectsImpossibleRequests()
{
    const Transformer enc(tiny("encoder"));
    RunOptions o;
    o.text = "ab";
    o.target = "a";
    QVERIFY_THROWS_EXCEPTION(UsageError, runModel(enc, o));
    o.target.reset();
    o.generate = true;
    QVERIFY_THROWS_EXCEPTION(UsageError, runModel(enc, o));
    const Transformer dec(tiny("decoder"));
    o.generate = false;
    o.target = "a";
    QVERIFY_THROWS_EXCEPTION(UsageError, runModel(dec, o));
}

void TestInference::emptyAndHostileInput()
{
    for (const char* type : {"encoder", "decoder", "encoder-decoder"}) {
        const Transformer tf(tiny(type));
        for (const std::string& text : {std::string(), std::string("\xff\xfe\x01\x02"), std::string(100000, 'a'),
                                       std::string("\xF0\x9F\x98\x80 \xE6\x97\xA5")}) {
            RunOptions o;
            o.text = text;
            const RunResult r = runModel(tf, o);
            QVERIFY(r.sourceTokens.size() <= 8);
            QVERIFY(r.logits.allFinite());
        }
    }
}

void TestInference::captureNoneRecordsNothing()
{
    const Transformer tf(tiny("encoder-decoder"));
    const ForwardResult f = tf.forward({5, 6, 3}, {2, 5}, Capture::None);
    QVERIFY(f.trace.empty());
    const ForwardResult g = tf.forward({5, 6, 3}, {2, 5}, Capture::Attention);
    QCOMPARE(f.logits, g.logits);
}

QTEST_APPLESS_MAIN(TestInference)
#include "test_inference.moc"
