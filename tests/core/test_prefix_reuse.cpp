// Prefix reuse (Transformer::forwardCached, issue 21): over random edit sequences (type at the
// end, delete at the end, insert and delete in the middle, paste, an unchanged input, replace all)
// on decoder-only models of every block kind the engine has (GPT-2 learned positions and tanh
// gelu, Llama RMSNorm + RoPE + SwiGLU + GQA, Qwen2 q/k/v biases, NeoX partial rotary + parallel
// residual, AttnScope's own decoder), every head's attention and the logits of the reusing run
// against a full forward() of the same ids: |Δ| ≤ 1e-6 for attention weights, ≤ 1e-5 for
// logits; and the number of reused positions is the common prefix of the two inputs (one less
// when the new input is a prefix of the old: its last position runs again).
#include "core/errors.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <QtTest>

#include <random>

using namespace attnscope;

namespace {

const std::string kSource = ATTNSCOPE_SOURCE_DIR;

struct Diff {
    double attention = 0, logits = 0;
    bool identical = true;
};

Diff compare(const ForwardResult& a, const ForwardResult& b)
{
    Diff d;
    d.logits = (a.logits - b.logits).cwiseAbs().maxCoeff();
    d.identical = a.logits == b.logits;
    for (size_t l = 0; l < a.trace.decoder.size(); ++l)
        for (size_t h = 0; h < a.trace.decoder[l].heads.size(); ++h) {
            const MatrixRM& x = a.trace.decoder[l].heads[h].weights;
            const MatrixRM& y = b.trace.decoder[l].heads[h].weights;
            if (x.rows() != y.rows() || x.cols() != y.cols()) return {1e9, 1e9, false};
            d.attention = std::max(d.attention, double((x - y).cwiseAbs().maxCoeff()));
            d.identical = d.identical && x == y;
        }
    return d;
}

size_t commonPrefix(const std::vector<int>& a, const std::vector<int>& b)
{
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return i;
}

} // namespace

class TestPrefixReuse : public QObject {
    Q_OBJECT
private slots:
    void randomEdits_data();
    void randomEdits();
    void refusesOtherModels();
};

void TestPrefixReuse::randomEdits_data()
{
    QTest::addColumn<QString>("model");
    for (const char* m : {"tests/data/hf/gpt2-tiny", "tests/data/hf/llama-gqa", "tests/data/hf/qwen2-bias-bf16",
                          "tests/data/hf/neox-pythia", "tests/data/hf/neox-odd-serial-f16", "models/tiny-lm.json"})
        QTest::newRow(m) << QString(m);
}

void TestPrefixReuse::randomEdits()
{
    QFETCH(QString, model);
    const auto m = loadModel(kSource + "/" + model.toStdString());
    const Transformer tf(m);
    const int vocab = m->inputVocabRows();
    const int maxLen = std::min(m->config.maxLen, 48);
    std::mt19937 rng(20261204);
    auto randomId = [&] { return int(rng() % unsigned(vocab)); };
    std::vector<int> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(randomId());
    DecoderCache cache;
    ForwardResult previous;
    bool have = false;
    Diff worst;
    int identical = 0, steps = 0, reusedTotal = 0;
    for (int step = 0; step < 40; ++step) {
        std::vector<int> next = ids;
        const int kind = step == 0 ? 0 : int(rng() % 7);
        const size_t at = next.empty() ? 0 : rng() % (next.size() + 1);
        switch (kind) {
        case 0: next.push_back(randomId()); break;                                       // type at the end
        case 1: if (next.size() > 1) next.pop_back(); break;                             // delete at the end
        case 2: next.insert(next.begin() + long(at), randomId()); break;                 // insert in the middle
        case 3: if (next.size() > 2 && at < next.size()) next.erase(next.begin() + long(at)); break; // delete inside
        case 4: for (int k = 0; k < 5; ++k) next.insert(next.begin() + long(at), randomId()); break; // paste
        case 5: break;                                                                   // unchanged
        case 6: for (int& id : next) id = randomId(); break;                             // replace all
        }
        if (int(next.size()) > maxLen) next.resize(size_t(maxLen));
        if (next.empty()) next.push_back(randomId());
        int reused = -1;
        ForwardResult r = tf.forwardCached(next, Capture::Attention, cache, have ? &previous : nullptr, &reused);
        const ForwardResult full = tf.forward(next, {}, Capture::Attention);
        const Diff d = compare(r, full);
        worst.attention = std::max(worst.attention, d.attention);
        worst.logits = std::max(worst.logits, d.logits);
        identical += d.identical;
        size_t expected = have ? commonPrefix(ids, next) : 0;
        if (expected == next.size()) expected = next.size() - 1;
        QCOMPARE(size_t(reused), expected);
        QCOMPARE(cache.ids(), next);
        reusedTotal += reused;
        ++steps;
        previous = std::move(r);
        ids = next;
        have = true;
    }
    qInfo("%s: %d edits, %d positions reused, %d bit-identical; max |dA| %.2e, max |dlogit| %.2e", qPrintable(model),
          steps, reusedTotal, identical, worst.attention, worst.logits);
    QVERIFY(reusedTotal > 0);
    QVERIFY(worst.attention <= 1e-6);
    QVERIFY(worst.logits <= 1e-5);
}

void TestPrefixReuse::refusesOtherModels()
{
    const Transformer encoder(loadModel(kSource + "/models/tiny-mlm.json"));
    DecoderCache cache;
    QVERIFY_THROWS_EXCEPTION(UsageError, encoder.forwardCached({5, 6}, Capture::Attention, cache, nullptr));
    const Transformer decoder(loadModel(kSource + "/models/tiny-lm.json"));
    QVERIFY_THROWS_EXCEPTION(UsageError, decoder.forwardCached({5, 6}, Capture::Full, cache, nullptr));
}

QTEST_APPLESS_MAIN(TestPrefixReuse)
#include "test_prefix_reuse.moc"
