// Greedy decoding with the key/value cache (greedy.cpp) against the plain definition: at every
// step run the whole forward pass over the tokens so far and take the argmax of the last row.
// Shipped models (trained: clear argmaxes), the PyTorch golden models (post-norm, sinusoidal
// positions, no bias, tied output) and the tiny random models, with and without ablated heads,
// and at the max_len boundaries.
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"
#include "tiny_models.h"

#include <QtTest>

#include <memory>

using namespace attnscope;

namespace {

const QString kSource = QStringLiteral(ATTNSCOPE_SOURCE_DIR);

std::shared_ptr<const Model> tiny(const std::string& type)
{
    return parseModel(test::tinyModel(type, 8).dump(), "tiny.json");
}

// The definition, one full forward per generated token.
std::vector<int> referenceGreedy(const Transformer& tf, const std::vector<int>& source, int maxLen,
                                 const HeadAblation* ablation)
{
    const ModelConfig& c = tf.model().config;
    maxLen = std::min(maxLen, c.maxLen);
    auto argmaxLast = [](const ForwardResult& f) {
        Eigen::Index best = 0;
        f.logits.row(f.logits.rows() - 1).maxCoeff(&best);
        return static_cast<int>(best);
    };
    std::vector<int> generated;
    if (c.type == ArchType::EncoderDecoder) {
        const Vocabulary& tv = tf.model().targetTokenizer.vocab();
        std::vector<int> target{tv.special(SpecialRole::Bos)};
        while (static_cast<int>(target.size()) < maxLen) {
            const int next = argmaxLast(tf.forward(source, target, Capture::None, ablation));
            target.push_back(next);
            generated.push_back(next);
            if (next == tv.special(SpecialRole::Eos)) break;
        }
    } else if (c.type == ArchType::Decoder) {
        std::vector<int> ids = source;
        while (static_cast<int>(ids.size()) < maxLen && !ids.empty()) {
            const int next = argmaxLast(tf.forward(ids, {}, Capture::None, ablation));
            ids.push_back(next);
            generated.push_back(next);
            if (next == tf.model().sourceTokenizer.vocab().special(SpecialRole::Eos)) break;
        }
    }
    return generated;
}

std::vector<int> sourceIds(const Transformer& tf, const std::string& text)
{
    RunOptions o;
    o.text = text;
    o.capture = Capture::None;
    std::vector<int> ids;
    for (const Token& t : runModel(tf, o).sourceTokens) ids.push_back(t.id);
    return ids;
}

// Ablations that reach every stack the decoder reads: one zeroed self-attention head, one
// cross head replaced by a fixed vector, one encoder head zeroed.
std::shared_ptr<HeadAblation> someAblation(const ModelConfig& c)
{
    auto a = std::make_shared<HeadAblation>();
    const int dk = c.dHead();
    if (c.hasDecoder()) a->zero(Stack::Decoder, c.decoderLayers - 1, 0, dk);
    if (c.hasCrossAttention()) {
        RowVector r(dk);
        for (int i = 0; i < dk; ++i) r[i] = 0.05f * float((i % 7) - 3);
        a->set(Stack::Cross, 0, c.nHeads - 1, r);
    }
    if (c.hasEncoder()) a->zero(Stack::Encoder, 0, 1 % c.nHeads, dk);
    return a;
}

} // namespace

class TestGreedy : public QObject {
    Q_OBJECT
private slots:
    void matchesFullForward_data();
    void matchesFullForward();
    void tinyModelsAndBoundaries();
};

void TestGreedy::matchesFullForward_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ablate");
    const QStringList dates = {"25th of November 2026", "Nov 25, 2026", "1/2/1999", "the 3rd of march 1901", "x"};
    const QStringList words = {"hello", "abcdefghij", "zyx", "a"};
    const QStringList prompts = {"In the beginning God", "And he said", "a", "And it came to pass, when the"};
    for (bool ablate : {false, true}) {
        const char* tag = ablate ? " ablated" : "";
        for (const QString& t : dates)
            QTest::newRow(qPrintable("date-normalizer " + t + tag)) << "models/date-normalizer.json" << t << ablate;
        for (const QString& t : words)
            QTest::newRow(qPrintable("reverse-letters " + t + tag)) << "models/reverse-letters.json" << t << ablate;
        for (const QString& t : prompts)
            QTest::newRow(qPrintable("tiny-lm " + t + tag)) << "models/tiny-lm.json" << t << ablate;
        for (const char* g : {"decoder-post-relu-nobias", "decoder-pre-gelu-tied", "encdec-post-gelu-nobias-tied",
                              "encdec-post-relu-sin", "encdec-pre-gelu-learned-word"})
            QTest::newRow(qPrintable(QString(g) + tag))
                << QString("tests/data/golden/%1.model.json").arg(g) << QString() << ablate;
    }
}

void TestGreedy::matchesFullForward()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(bool, ablate);
    const Transformer tf(loadModel((kSource + "/" + model).toStdString()));
    const ModelConfig& c = tf.model().config;
    // Golden models: their first example, or a short source of valid ids.
    std::string input = text.toStdString();
    if (input.empty()) input = tf.model().examples.empty() ? "a b c" : tf.model().examples.front().text;
    const std::vector<int> source = sourceIds(tf, input);
    QVERIFY(!source.empty());
    const auto ablation = ablate ? someAblation(c) : nullptr;
    const std::vector<int> expected = referenceGreedy(tf, source, c.maxLen, ablation.get());
    const std::vector<int> got = tf.greedy(source, c.maxLen, ablation.get());
    QVERIFY(!expected.empty() || static_cast<int>(source.size()) >= c.maxLen);
    QCOMPARE(got, expected);
}

void TestGreedy::tinyModelsAndBoundaries()
{
    for (const char* type : {"decoder", "encoder-decoder"}) {
        const Transformer tf(tiny(type));
        const int maxLen = tf.model().config.maxLen;
        const std::vector<int> source{1, 2, 3};
        for (int limit = 0; limit <= maxLen + 1; ++limit) {
            const std::vector<int> expected = referenceGreedy(tf, source, limit, nullptr);
            QCOMPARE(tf.greedy(source, limit, nullptr), expected);
        }
        // A prompt that already fills max_len generates nothing (decoder); a full-length
        // encoder input still decodes (encoder-decoder).
        const std::vector<int> full(size_t(maxLen), 2);
        QCOMPARE(tf.greedy(full, maxLen, nullptr), referenceGreedy(tf, full, maxLen, nullptr));
    }
    const Transformer enc(tiny("encoder"));
    QVERIFY(enc.greedy({1, 2, 3}, 8, nullptr).empty());
}

QTEST_APPLESS_MAIN(TestGreedy)
#include "test_greedy.moc"
