// The engine's public seams (transformer.h, observer.h): the embedding step and the forward pass
// from embeddings, the unembedding of residual rows, and the observer that is shown the residual
// stream. Each is checked against the ordinary forward pass, which the goldens check against
// torch, on a Hugging Face GPT-2 (pre-norm, final norm), a BERT MLM (post-norm, head transform,
// token types) and the bundled v1 tiny models.
#include "core/errors.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/observer.h"
#include "core/transformer.h"
#include "tiny_models.h"

#include <QtTest>

using namespace attnscope;

namespace {

const QString kHfDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf");

std::shared_ptr<const Model> hfModel(const char* name) { return loadModel((kHfDir + "/" + name).toStdString()); }

float maxDiff(const MatrixRM& a, const MatrixRM& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<float>::infinity();
    return a.size() == 0 ? 0.0f : (a - b).cwiseAbs().maxCoeff();
}

} // namespace

class TestEngineSeams : public QObject {
    Q_OBJECT
private slots:
    void forwardEmbeddedEqualsForward_data();
    void forwardEmbeddedEqualsForward();
    void observerSeesTheResidualStream_data();
    void observerSeesTheResidualStream();
    void forwardEmbeddedRefusesWhatItCannotRun();
    void tokenTypesChangeOnlyTheEmbedding();
    void sentencePairs();
};

void TestEngineSeams::forwardEmbeddedEqualsForward_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("gpt2") << "gpt2-tiny";
    QTest::newRow("bert") << "bert-mlm";
    QTest::newRow("roberta") << "roberta-mlm";
    QTest::newRow("bert bare") << "bert-model-bf16";
}

void TestEngineSeams::forwardEmbeddedEqualsForward()
{
    // The same arithmetic in the same order: equal bits, attention and logits (or hidden states).
    QFETCH(QString, model);
    const auto m = hfModel(model.toUtf8().constData());
    const Transformer tf(m);
    const std::vector<int> ids = {3, 17, 9, 42, 5, 11};
    const ForwardResult direct = tf.forward(ids, {}, Capture::Attention);
    const ForwardResult embedded = tf.forwardEmbedded(tf.embedTokens(ids), Capture::Attention);
    QCOMPARE(embedded.logits, direct.logits);
    QCOMPARE(embedded.hidden, direct.hidden);
    const Stack s = m->config.type == ArchType::Decoder ? Stack::Decoder : Stack::Encoder;
    QCOMPARE(embedded.trace.stack(s).size(), direct.trace.stack(s).size());
    for (size_t l = 0; l < direct.trace.stack(s).size(); ++l)
        for (size_t h = 0; h < direct.trace.stack(s)[l].heads.size(); ++h)
            QCOMPARE(embedded.trace.stack(s)[l].heads[h].weights, direct.trace.stack(s)[l].heads[h].weights);
}

void TestEngineSeams::observerSeesTheResidualStream_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("gpt2 (pre-norm, final norm)") << "gpt2-tiny";
    QTest::newRow("bert (post-norm, head transform)") << "bert-mlm";
    QTest::newRow("distilbert") << "distilbert-mlm";
}

void TestEngineSeams::observerSeesTheResidualStream()
{
    QFETCH(QString, model);
    const auto m = hfModel(model.toUtf8().constData());
    const Transformer tf(m);
    const std::vector<int> ids = {7, 2, 30, 4, 18};
    ResidualRecorder recorder;
    ForwardOptions options;
    options.observer = &recorder;
    const ForwardResult observed = tf.forward(ids, {}, Capture::Attention, options);
    const ForwardResult plain = tf.forward(ids, {}, Capture::Attention);
    QCOMPARE(observed.logits, plain.logits); // watching changes nothing

    const Stack s = m->config.type == ArchType::Decoder ? Stack::Decoder : Stack::Encoder;
    const ResidualRecorder::StackRecord& r = recorder.stack(s);
    const int layers = m->config.type == ArchType::Decoder ? m->config.decoderLayers : m->config.encoderLayers;
    QCOMPARE(r.embedded, tf.embedTokens(ids));
    QCOMPARE(int(r.layers.size()), layers);
    for (const ResidualRecorder::Layer& l : r.layers) {
        QCOMPARE(l.afterSelf.rows(), Eigen::Index(ids.size()));
        QCOMPARE(l.afterFeedForward.cols(), Eigen::Index(m->config.dModel));
        QCOMPARE(l.afterCross.size(), Eigen::Index(0)); // no cross-attention here
        QVERIFY(maxDiff(l.afterSelf, l.afterFeedForward) > 0.0f);
    }
    // The last layer's output through the final norm is the stack's output (no final norm:
    // they are the same rows), and unembedding it gives the forward pass's logits.
    if (!m->config.finalNorm) QCOMPARE(r.output, r.layers.back().afterFeedForward);
    QCOMPARE(tf.unembed(r.layers.back().afterFeedForward), plain.logits);
    QCOMPARE(tf.unembed(r.output, false), plain.logits);
    // The logit lens of an earlier layer is a different distribution.
    if (layers > 1) QVERIFY(maxDiff(tf.unembed(r.layers.front().afterFeedForward), plain.logits) > 1e-3f);
}

void TestEngineSeams::forwardEmbeddedRefusesWhatItCannotRun()
{
    const auto encdec = parseModel(test::tinyModel("encoder-decoder").dump(), "encdec.json");
    const Transformer tf(encdec);
    QVERIFY_THROWS_EXCEPTION(UsageError, tf.forwardEmbedded(MatrixRM::Zero(2, encdec->config.dModel), Capture::None));
    const auto gpt2 = hfModel("gpt2-tiny");
    const Transformer g(gpt2);
    QVERIFY_THROWS_EXCEPTION(UsageError, g.forwardEmbedded(MatrixRM::Zero(2, gpt2->config.dModel + 1), Capture::None));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             g.forwardEmbedded(MatrixRM::Zero(gpt2->config.maxLen + 1, gpt2->config.dModel), Capture::None));
    const auto bare = hfModel("bert-model-bf16");
    QVERIFY_THROWS_EXCEPTION(UsageError, Transformer(bare).unembed(MatrixRM::Zero(1, bare->config.dModel)));
}

void TestEngineSeams::tokenTypesChangeOnlyTheEmbedding()
{
    // BERT's segment embedding: type 1 on the second half adds that row of the type table there.
    const auto m = hfModel("bert-mlm");
    const Transformer tf(m);
    const std::vector<int> ids = {2, 8, 9, 3, 10, 11, 3};
    const std::vector<int> zeros(ids.size(), 0), pair = {0, 0, 0, 0, 1, 1, 1};
    QCOMPARE(tf.embedTokens(ids, &zeros), tf.embedTokens(ids));
    QVERIFY(maxDiff(tf.embedTokens(ids, &pair), tf.embedTokens(ids)) > 1e-3f);
    ForwardOptions options;
    options.sourceTypes = &pair;
    const ForwardResult withTypes = tf.forward(ids, {}, Capture::None, options);
    QCOMPARE(tf.forwardEmbedded(tf.embedTokens(ids, &pair), Capture::None).logits, withTypes.logits);
}

void TestEngineSeams::sentencePairs()
{
    // BERT: [CLS] A [SEP] B [SEP], types 0 … 0 then 1 … 1 from B on; the run's logits are the
    // forward pass's with those types. RoBERTa (no types): <s> A </s></s> B </s>.
    const auto bert = hfModel("bert-mlm");
    const Transformer tf(bert);
    RunOptions opt;
    opt.text = "in the beginning";
    opt.pair = "and the earth";
    const RunResult r = runModel(tf, opt);
    const Vocabulary& v = bert->sourceTokenizer.vocab();
    std::vector<int> a, b;
    for (const Token& t : bert->sourceTokenizer.tokenize(opt.text)) a.push_back(t.id);
    for (const Token& t : bert->sourceTokenizer.tokenize(*opt.pair)) b.push_back(t.id);
    std::vector<int> expected = {v.special(SpecialRole::Cls)};
    expected.insert(expected.end(), a.begin(), a.end());
    expected.push_back(v.special(SpecialRole::Sep));
    expected.insert(expected.end(), b.begin(), b.end());
    expected.push_back(v.special(SpecialRole::Sep));
    std::vector<int> ids;
    for (const Token& t : r.sourceTokens) ids.push_back(t.id);
    QCOMPARE(ids, expected);
    std::vector<int> types(expected.size(), 0);
    std::fill(types.begin() + std::ptrdiff_t(a.size() + 2), types.end(), 1);
    QCOMPARE(r.sourceTypes, types);
    ForwardOptions options;
    options.sourceTypes = &types;
    QCOMPARE(r.logits, tf.forward(expected, {}, Capture::None, options).logits);

    const auto roberta = hfModel("roberta-mlm");
    const RunResult rr = runModel(Transformer(roberta), opt);
    const Vocabulary& rv = roberta->sourceTokenizer.vocab();
    QVERIFY(rr.sourceTypes.empty()); // type_vocab_size 1
    QCOMPARE(rr.sourceTokens.front().id, rv.special(SpecialRole::Bos));
    QCOMPARE(rr.sourceTokens.back().id, rv.special(SpecialRole::Eos));
    const auto eosCount = std::count_if(rr.sourceTokens.begin(), rr.sourceTokens.end(),
                                        [&rv](const Token& t) { return t.id == rv.special(SpecialRole::Eos); });
    QCOMPARE(eosCount, 3);

    // Too long: the longer segment is shortened first, the framing kept, and it is said.
    opt.text.clear();
    for (int i = 0; i < 60; ++i) opt.text += "in the ";
    opt.pair = "and";
    const RunResult cut = runModel(tf, opt);
    QCOMPARE(int(cut.sourceTokens.size()), bert->config.maxLen);
    QCOMPARE(cut.sourceTokens.back().id, v.special(SpecialRole::Sep));
    QVERIFY(!cut.warnings.empty());
    // Not for decoders.
    RunOptions onGpt2;
    onGpt2.text = "a";
    onGpt2.pair = "b";
    QVERIFY_THROWS_EXCEPTION(UsageError, runModel(Transformer(hfModel("gpt2-tiny")), onGpt2));
}

QTEST_APPLESS_MAIN(TestEngineSeams)
#include "test_engine_seams.moc"
