// Prefix reuse (Transformer::forwardCached, issue 21): over random edit sequences (type at the
// end, delete at the end, insert and delete in the middle, paste, an unchanged input, replace all)
// on decoder-only models of every block kind the engine has (GPT-2 learned positions and tanh
// gelu, Llama RMSNorm + RoPE + SwiGLU + GQA, Qwen2 q/k/v biases, NeoX partial rotary + parallel
// residual, AttnScope's own decoder), every head's attention (and with a full capture its Q, K, V,
// scores and output) and the logits of the reusing run against a plain forward() of the same ids:
// |Δ| ≤ 1e-6 for attention weights, and for Q, K, V, scores and outputs relative to
// max(1, their largest magnitude); ≤ 1e-5 for logits; and the number of reused positions is the common prefix of the two inputs (one less
// when the new input is a prefix of the old: its last position runs again).
#include "core/errors.h"
#include "core/inference.h"
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

// Attention weights, and with a full capture Q, K, V, the scores and the head outputs too.
Diff compare(const ForwardResult& a, const ForwardResult& b, bool full)
{
    Diff d;
    d.logits = (a.logits - b.logits).cwiseAbs().maxCoeff();
    d.identical = a.logits == b.logits;
    if (a.trace.decoder.size() != b.trace.decoder.size()) return {1e9, 1e9, false};
    for (size_t l = 0; l < a.trace.decoder.size(); ++l)
        for (size_t h = 0; h < a.trace.decoder[l].heads.size(); ++h) {
            const HeadTrace& x = a.trace.decoder[l].heads[h];
            const HeadTrace& y = b.trace.decoder[l].heads[h];
            std::vector<std::pair<const MatrixRM*, const MatrixRM*>> parts{{&x.weights, &y.weights}};
            if (full)
                parts.insert(parts.end(), {{&x.q, &y.q}, {&x.k, &y.k}, {&x.v, &y.v}, {&x.scores, &y.scores},
                                           {&x.output, &y.output}});
            for (const auto& [u, v] : parts) {
                if (u->rows() != v->rows() || u->cols() != v->cols() || u->size() == 0) return {1e9, 1e9, false};
                // Q, K, V, scores and outputs reach |5–10| here: each compared relative to
                // max(1, its largest magnitude) (weights are ≤ 1, so absolutely).
                const double scale = std::max(1.0, double(v->cwiseAbs().maxCoeff()));
                d.attention = std::max(d.attention, double((*u - *v).cwiseAbs().maxCoeff()) / scale);
                d.identical = d.identical && *u == *v;
            }
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
    void typingThroughRunModel();
};

void TestPrefixReuse::randomEdits_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("full");
    for (const char* m : {"tests/data/hf/gpt2-tiny", "tests/data/hf/llama-gqa", "tests/data/hf/qwen2-bias-bf16",
                          "tests/data/hf/neox-pythia", "tests/data/hf/neox-odd-serial-f16", "models/tiny-lm.json"})
        for (const bool full : {false, true})
            QTest::newRow(qPrintable(QString(m) + (full ? " full" : " attention"))) << QString(m) << full;
}

void TestPrefixReuse::randomEdits()
{
    QFETCH(QString, model);
    QFETCH(bool, full);
    const Capture capture = full ? Capture::Full : Capture::Attention;
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
        ForwardResult r = tf.forwardCached(next, capture, cache, have ? &previous : nullptr, &reused);
        const ForwardResult plain = tf.forward(next, {}, capture);
        const Diff d = compare(r, plain, full);
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
    QVERIFY_THROWS_EXCEPTION(UsageError, decoder.forwardCached({5, 6}, Capture::Compact, cache, nullptr));
}

void TestPrefixReuse::typingThroughRunModel()
{
    // Typing a verse character by character into the shipped GPT-2-layout model (byte-level BPE:
    // a keystroke can change the last token or two), as the app's runner does: each run reuses
    // the previous one's cache; tokens, predictions and every head equal a plain runModel to
    // 1e-6, and after the first run most positions are reused.
    const Transformer tf(loadModel(kSource + "/models/hf/gpt2-kjv"));
    const std::string verse = "In the beginning God created the heaven and the earth. And the earth was";
    DecoderCache cache;
    std::shared_ptr<const RunResult> previous;
    int reusedTotal = 0, recomputed = 0;
    for (size_t n = 1; n <= verse.size(); ++n) {
        RunOptions o;
        o.text = verse.substr(0, n);
        o.capture = Capture::Full; // as the app asks
        const RunResult plain = runModel(tf, o);
        o.decoderCache = &cache;
        o.previousRun = previous.get();
        auto r = std::make_shared<const RunResult>(runModel(tf, o));
        QCOMPARE(r->sourceTokens.size(), plain.sourceTokens.size());
        for (size_t i = 0; i < plain.sourceTokens.size(); ++i) QCOMPARE(r->sourceTokens[i].id, plain.sourceTokens[i].id);
        QCOMPARE(r->predictions.size(), plain.predictions.size());
        for (size_t i = 0; i < plain.predictions.size(); ++i) QCOMPARE(r->predictions[i].id, plain.predictions[i].id);
        for (size_t l = 0; l < plain.trace.decoder.size(); ++l)
            for (size_t h = 0; h < plain.trace.decoder[l].heads.size(); ++h)
                QVERIFY((r->trace.decoder[l].heads[h].weights - plain.trace.decoder[l].heads[h].weights).cwiseAbs().maxCoeff() <=
                        1e-6f);
        QVERIFY(r->reusedPositions >= 0);
        reusedTotal += r->reusedPositions;
        recomputed += int(r->sourceTokens.size()) - r->reusedPositions;
        previous = r;
    }
    qInfo("%zu keystrokes: %d positions reused, %d recomputed", verse.size(), reusedTotal, recomputed);
    QVERIFY(reusedTotal > 4 * recomputed);
    // An ablated run does not reuse, and leaves the cache empty.
    RunOptions o;
    o.text = verse;
    o.decoderCache = &cache;
    o.previousRun = previous.get();
    auto ablation = std::make_shared<HeadAblation>();
    ablation->zero(Stack::Decoder, 0, 0, tf.model().config.dHead());
    o.ablation = ablation;
    QCOMPARE(runModel(tf, o).reusedPositions, -1);
    QVERIFY(cache.ids().empty());
}

QTEST_APPLESS_MAIN(TestPrefixReuse)
#include "test_prefix_reuse.moc"
