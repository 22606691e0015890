// Capture::Compact + recomputeHead (recompute.h): every head recomputed from a compact trace
// equals the full capture's head — weights, Q, K, V, scores and output — for encoder, decoder
// and encoder-decoder models (cross-attention too), pre- and post-norm, with padding and with
// ablated heads. Tolerance 1e-6 absolute (weights lie in [0, 1]); most cases are bit-identical.
// The helpers the app's long-input views use (weightsOf, meanAblationOf, alignStackOf) agree
// with their full-capture counterparts (meanOfHeads, meanAblation, alignStack).
#include "core/analysis/census.h"
#include "core/analysis/compare.h"
#include "core/analysis/head_stats.h"
#include "core/analysis/timeline.h"
#include "core/attention.h"
#include "core/inference.h"
#include "core/recompute.h"
#include "core/transformer.h"

#include <QtTest>

#include <memory>
#include <random>

using namespace attnscope;

namespace {

// Random weights, word vocabulary <pad> t1 … t15 (pad 0, bos t1, eos t2), 2 layers per stack,
// d 16, 4 heads.
std::shared_ptr<const Model> makeModel(ArchType type, NormPosition norm, Positional positional)
{
    auto m = std::make_shared<Model>();
    ModelConfig& c = m->config;
    c.type = type;
    c.dModel = 16;
    c.nHeads = 4;
    c.dFf = 32;
    c.encoderLayers = c.hasEncoder() ? 2 : 0;
    c.decoderLayers = c.hasDecoder() ? 2 : 0;
    c.norm = norm;
    c.activation = Activation::Gelu;
    c.positional = positional;
    c.maxLen = 64;
    c.finalNorm = true;
    std::vector<std::string> vocab{"<pad>"};
    for (int i = 1; i < 16; ++i)
        vocab.push_back("t" + std::to_string(i));
    Vocabulary v(vocab);
    v.setSpecial(SpecialRole::Pad, 0);
    v.setSpecial(SpecialRole::Bos, 1); // t1, t2: encoder-decoder runs start (and may stop) with them
    v.setSpecial(SpecialRole::Eos, 2);
    TokenizerOptions words;
    words.kind = TokenizerKind::Word;
    m->sourceTokenizer = Tokenizer(words, v);
    m->targetTokenizer = m->sourceTokenizer;
    const auto specs = requiredTensors(c, 16, 16);
    for (const auto& spec : specs)
        m->weights.declare(spec.name, spec.shape);
    m->weights.allocate();
    std::mt19937 rng(99);
    for (const auto& spec : specs) {
        float* p = m->weights.mutableData(spec.name);
        const size_t n = m->weights.entry(spec.name).size();
        std::normal_distribution<float> dist(0.0f,
                                             spec.shape.size() == 2 ? 1.0f / std::sqrt(float(spec.shape[1])) : 0.3f);
        for (size_t i = 0; i < n; ++i)
            p[i] = dist(rng);
    }
    return m;
}

double maxDiff(const MatrixRM& a, const MatrixRM& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e30;
    if (a.size() == 0) return 0.0;
    return double((a - b).cwiseAbs().maxCoeff());
}

} // namespace

class TestRecompute : public QObject {
    Q_OBJECT
  private slots:
    void everyHeadMatchesFullCapture_data();
    void everyHeadMatchesFullCapture();
    void compactTraceIsSmall();
    void runModelSwitchesAboveBudget_data();
    void runModelSwitchesAboveBudget();
    void meanOfHeadsAndThumbnails();
    void poolAttentionTable_data();
    void poolAttentionTable();
    void viewHelpersMatchFullCapture_data();
    void viewHelpersMatchFullCapture();
    void errors();
};

void TestRecompute::everyHeadMatchesFullCapture_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("norm");
    QTest::addColumn<bool>("padded");
    QTest::addColumn<bool>("ablate");
    for (const auto& [name, type] : {std::pair{"encoder", ArchType::Encoder}, std::pair{"decoder", ArchType::Decoder},
                                     std::pair{"encoder-decoder", ArchType::EncoderDecoder}})
        for (const NormPosition norm : {NormPosition::Pre, NormPosition::Post})
            for (const bool padded : {false, true})
                for (const bool ablate : {false, true})
                    QTest::newRow(QStringLiteral("%1 %2%3%4")
                                      .arg(QLatin1String(name), norm == NormPosition::Pre ? "pre" : "post",
                                           padded ? " padded" : "", ablate ? " ablated" : "")
                                      .toUtf8())
                        << int(type) << int(norm) << padded << ablate;
}

void TestRecompute::everyHeadMatchesFullCapture()
{
    QFETCH(int, type);
    QFETCH(int, norm);
    QFETCH(bool, padded);
    QFETCH(bool, ablate);
    const ArchType arch = ArchType(type);
    const Transformer t(makeModel(arch, NormPosition(norm), padded ? Positional::Sinusoidal : Positional::Learned));
    std::vector<int> source{3, 7, 1, 9, 12, 5, 2, 8, 14, 6, 11};
    std::vector<int> target;
    if (padded) source.insert(source.end(), {0, 0, 0});
    if (arch == ArchType::EncoderDecoder) target = {1, 4, 9, 2, 13, 7, 3};
    HeadAblation ablation;
    if (ablate) {
        ablation.zero(arch == ArchType::Decoder ? Stack::Decoder : Stack::Encoder, 0, 1, t.model().config.dHead());
        if (arch == ArchType::EncoderDecoder) {
            ablation.zero(Stack::Cross, 0, 2, t.model().config.dHead());
            ablation.set(Stack::Decoder, 0, 3, RowVector::Constant(t.model().config.dHead(), 0.25f));
        }
    }
    const HeadAblation* ab = ablate ? &ablation : nullptr;
    const ForwardResult full = t.forward(source, target, Capture::Full, ab);
    const ForwardResult compact = t.forward(source, target, Capture::Compact, ab);
    QVERIFY(compact.trace.compact);
    QVERIFY(!full.trace.compact);
    QCOMPARE(compact.logits, full.logits); // capture never changes the numbers
    QCOMPARE(compact.maskedRows, full.maskedRows);
    int heads = 0, identical = 0;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const auto& fl = full.trace.stack(s);
        QCOMPARE(compact.trace.stack(s).size(), fl.size());
        for (int l = 0; l < int(fl.size()); ++l) {
            QCOMPARE(compact.trace.stack(s)[size_t(l)].heads.size(), fl[size_t(l)].heads.size());
            for (int h = 0; h < int(fl[size_t(l)].heads.size()); ++h) {
                const HeadTrace& want = fl[size_t(l)].heads[size_t(h)];
                QVERIFY(compact.trace.stack(s)[size_t(l)].heads[size_t(h)].weights.size() == 0);
                const HeadTrace got = recomputeHead(t, compact.trace, s, l, h, Capture::Full);
                const QByteArray where = QStringLiteral("%1 layer %2 head %3").arg(toString(s)).arg(l).arg(h).toUtf8();
                QVERIFY2(maxDiff(got.weights, want.weights) <= 1e-6, where);
                QVERIFY2(maxDiff(got.scores, want.scores) <= 1e-5, where);
                QVERIFY2(maxDiff(got.q, want.q) <= 1e-5, where);
                QVERIFY2(maxDiff(got.k, want.k) <= 1e-5, where);
                QVERIFY2(maxDiff(got.v, want.v) <= 1e-5, where);
                QVERIFY2(maxDiff(got.output, want.output) <= 1e-5, where);
                // Attention-only recompute: same weights, no Q/K/V kept.
                const HeadTrace light = recomputeHead(t, compact.trace, s, l, h);
                QCOMPARE(light.weights, got.weights);
                QVERIFY(light.q.size() == 0);
                ++heads;
                identical += got.weights == want.weights ? 1 : 0;
            }
        }
    }
    QCOMPARE(heads, arch == ArchType::EncoderDecoder ? 24 : 8);
    qInfo("%d of %d heads bit-identical", identical, heads);
}

void TestRecompute::compactTraceIsSmall()
{
    // 2048-token shapes without running them: the estimate the app uses to pick Compact.
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = 768;
    c.nHeads = 12;
    c.decoderLayers = 12;
    const double gb = 1024.0 * 1024.0 * 1024.0;
    QVERIFY(double(captureBytes(c, 2048, 0, Capture::Attention)) / gb > 2.2); // 2.4e9 bytes
    QVERIFY(double(captureBytes(c, 2048, 0, Capture::Compact)) < 120e6);      // 75 MB of inputs + 9 MB of thumbnails
    QCOMPARE(captureBytes(c, 2048, 0, Capture::None), size_t(0));
    // And the real thing on a small model: the compact trace holds T × d per block.
    const Transformer t(makeModel(ArchType::EncoderDecoder, NormPosition::Pre, Positional::Learned));
    const ForwardResult f = t.forward({3, 4, 5, 6, 7}, {1, 2, 3}, Capture::Compact);
    QCOMPARE(f.trace.encoder[0].input.rows(), Eigen::Index(5));
    QCOMPARE(f.trace.cross[1].input.rows(), Eigen::Index(3));
    QCOMPARE(f.trace.memory.rows(), Eigen::Index(5));
    QCOMPARE(f.trace.memory.cols(), Eigen::Index(16));
}

void TestRecompute::runModelSwitchesAboveBudget_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<bool>("generate");
    QTest::newRow("encoder") << int(ArchType::Encoder) << false;
    QTest::newRow("decoder") << int(ArchType::Decoder) << false;
    QTest::newRow("decoder generating") << int(ArchType::Decoder) << true;
    QTest::newRow("encoder-decoder") << int(ArchType::EncoderDecoder) << false;
}

void TestRecompute::runModelSwitchesAboveBudget()
{
    QFETCH(int, type);
    QFETCH(bool, generate);
    const ArchType arch = ArchType(type);
    const Transformer t(makeModel(arch, NormPosition::Pre, Positional::Learned));
    RunOptions o;
    for (int i = 0; i < 30; ++i) o.text += "t" + std::to_string(1 + (i * 7) % 15) + " ";
    if (arch == ArchType::EncoderDecoder) o.target = "t3 t4 t5";
    o.generate = generate;
    o.capture = Capture::Full;
    const RunResult full = runModel(t, o);
    o.captureBudget = 1024; // bytes: far below this input's full capture
    const RunResult compact = runModel(t, o);
    QVERIFY(!full.trace.compact);
    QVERIFY(compact.trace.compact);
    QCOMPARE(compact.warnings.size(), full.warnings.size() + 1);
    QVERIFY(QString::fromStdString(compact.warnings.back()).startsWith(QStringLiteral("long input")));
    QCOMPARE(compact.outputText, full.outputText);
    QCOMPARE(compact.predictionPosition, full.predictionPosition);
    QCOMPARE(compact.predictions.size(), full.predictions.size());
    for (size_t i = 0; i < full.predictions.size(); ++i) {
        QCOMPARE(compact.predictions[i].id, full.predictions[i].id);
        QCOMPARE(compact.predictions[i].probability, full.predictions[i].probability);
    }
    // A causal LM keeps only the logits from the prompt's last position on.
    QCOMPARE(compact.logitsOffset, arch == ArchType::Decoder ? int(compact.sourceTokens.size()) - 1 : 0);
    QVERIFY(maxDiff(compact.logits, full.logits.bottomRows(full.logits.rows() - compact.logitsOffset)) <= 1e-5);
    // A budget the full capture fits in changes nothing.
    o.captureBudget = captureBytes(t.model().config, 64, 64, Capture::Full);
    QVERIFY(!runModel(t, o).trace.compact);
}

void TestRecompute::meanOfHeadsAndThumbnails()
{
    const Transformer t(makeModel(ArchType::Decoder, NormPosition::Pre, Positional::Learned));
    std::vector<int> ids;
    for (int i = 0; i < 40; ++i)
        ids.push_back(1 + i % 15);
    const ForwardResult full = t.forward(ids, {}, Capture::Attention);
    const ForwardResult compact = t.forward(ids, {}, Capture::Compact);
    for (int l = 0; l < 2; ++l) {
        MatrixRM mean = MatrixRM::Zero(40, 40);
        for (const HeadTrace& h : full.trace.decoder[size_t(l)].heads)
            mean += h.weights;
        mean /= 4.0f;
        QVERIFY(maxDiff(recomputeMeanOfHeads(t, compact.trace, Stack::Decoder, l), mean) <= 1e-6);
        for (int h = 0; h < 4; ++h) {
            // 40 tokens fit in a 128-cell thumbnail: it is the matrix itself.
            QVERIFY(maxDiff(compact.trace.decoder[size_t(l)].heads[size_t(h)].thumbnail,
                            full.trace.decoder[size_t(l)].heads[size_t(h)].weights) <= 1e-6);
        }
    }
}

void TestRecompute::poolAttentionTable_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("side");
    QTest::addColumn<int>("wantRows");
    QTest::addColumn<int>("wantCols");
    QTest::newRow("fits") << 5 << 7 << 8 << 5 << 7;
    QTest::newRow("halves") << 8 << 8 << 4 << 4 << 4;
    QTest::newRow("ragged edge") << 10 << 7 << 4 << 4 << 3; // s = 3
    QTest::newRow("2048 to 128") << 2048 << 2048 << 128 << 128 << 128;
    QTest::newRow("cross 30x2048") << 30 << 2048 << 128 << 2 << 128;
}

void TestRecompute::poolAttentionTable()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, side);
    QFETCH(int, wantRows);
    QFETCH(int, wantCols);
    MatrixRM w(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            w(i, j) = float((i * 31 + j * 7) % 11);
    const MatrixRM p = poolAttention(w, side);
    QCOMPARE(int(p.rows()), wantRows);
    QCOMPARE(int(p.cols()), wantCols);
    // Block means: the total weight is kept when every block is weighted by its cell count.
    const int s = std::max(1, (std::max(rows, cols) + side - 1) / side);
    double total = 0.0;
    for (int bi = 0; bi < p.rows(); ++bi)
        for (int bj = 0; bj < p.cols(); ++bj)
            total += double(p(bi, bj)) * std::min(s, rows - bi * s) * std::min(s, cols - bj * s);
    QVERIFY(std::abs(total - double(w.cast<double>().sum())) < 1e-3 * std::max(1.0, double(w.sum())));
    QCOMPARE(p(0, 0), float(w.topLeftCorner(std::min(s, rows), std::min(s, cols)).mean()));
}

void TestRecompute::viewHelpersMatchFullCapture_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("textB");
    QTest::addColumn<bool>("aligned");
    QTest::newRow("decoder, one word changed") << int(ArchType::Decoder) << "t3 t7 t9 t12 t5 t8 t6" << true;
    QTest::newRow("decoder, B longer") << int(ArchType::Decoder) << "t3 t7 t4 t12 t5 t8 t14 t6" << false;
    QTest::newRow("encoder-decoder, one word changed") << int(ArchType::EncoderDecoder) << "t3 t7 t9 t12 t5 t8 t6" << true;
    QTest::newRow("encoder, one word changed") << int(ArchType::Encoder) << "t3 t7 t9 t12 t5 t8 t6" << true;
}

void TestRecompute::viewHelpersMatchFullCapture()
{
    QFETCH(int, type);
    QFETCH(QString, textB);
    QFETCH(bool, aligned);
    const Transformer t(makeModel(ArchType(type), NormPosition::Pre, Positional::Learned));
    auto run = [&](const std::string& text, Capture capture) {
        RunOptions o;
        o.text = text;
        o.capture = capture;
        if (ArchType(type) == ArchType::EncoderDecoder) o.target = "t4 t9 t13 t7";
        return runModel(t, o);
    };
    const std::string textA = "t3 t7 t4 t12 t5 t8 t6";
    const RunResult fullA = run(textA, Capture::Full), compactA = run(textA, Capture::Compact);
    const RunResult fullB = run(textB.toStdString(), Capture::Full), compactB = run(textB.toStdString(), Capture::Compact);
    QVERIFY(compactA.trace.compact && !fullA.trace.compact);
    std::vector<std::tuple<Stack, int, int>> heads;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const auto& layers = fullA.trace.stack(s);
        for (int l = 0; l < int(layers.size()); ++l) {
            // weightsOf: a head or the layer's mean, recomputed from a compact trace, copied from a full one.
            for (int h = 0; h < 4; ++h) {
                const MatrixRM& want = layers[size_t(l)].heads[size_t(h)].weights;
                QVERIFY(maxDiff(weightsOf(t, compactA.trace, s, l, h), want) <= 1e-6);
                QCOMPARE(weightsOf(t, fullA.trace, s, l, h), want);
            }
            QVERIFY(maxDiff(weightsOf(t, compactA.trace, s, l, kRecomputeMean), meanOfHeads(layers[size_t(l)])) <= 1e-6);
            QCOMPARE(weightsOf(t, fullA.trace, s, l, kRecomputeMean), meanOfHeads(layers[size_t(l)]));
            heads.emplace_back(s, l, (l + 1) % 4);
        }
        // alignStackOf: the same answer as alignStack on full traces, for compact and mixed pairs.
        const StackAlignment want = alignStack(fullA, fullB, t.model().config, s);
        for (const auto& [a, b] : {std::pair{&compactA, &compactB}, std::pair{&compactA, &fullB}, std::pair{&fullA, &compactB},
                                   std::pair{&fullA, &fullB}}) {
            const StackAlignment got = alignStackOf(*a, *b, t.model().config, s);
            QCOMPARE(got.present, want.present);
            QCOMPARE(got.aligned, want.aligned);
            QCOMPARE(got.queriesA, want.queriesA);
            QCOMPARE(got.keysA, want.keysA);
            QCOMPARE(got.queriesB, want.queriesB);
            QCOMPARE(got.keysB, want.keysB);
            QCOMPARE(got.differingQueries, want.differingQueries);
            QCOMPARE(got.differingKeys, want.differingKeys);
        }
        if (!layers.empty()) QCOMPARE(want.aligned, aligned);
    }
    QVERIFY(heads.size() >= 2);
    // meanAblationOf: a compact reference gives meanAblation's values over the full capture.
    const HeadAblation want = meanAblation(fullA.trace, heads);
    const HeadAblation got = meanAblationOf(t, compactA.trace, heads);
    QCOMPARE(got.size(), want.size());
    for (const auto& [s, l, h] : heads) {
        QVERIFY(got.find(s, l, h) && want.find(s, l, h));
        QVERIFY(maxDiff(*got.find(s, l, h), *want.find(s, l, h)) <= 1e-6);
    }
    const HeadAblation same = meanAblationOf(t, fullA.trace, heads); // a full reference: meanAblation itself
    for (const auto& [s, l, h] : heads)
        QCOMPARE(*same.find(s, l, h), *want.find(s, l, h));
    // decodingTimelineOf: a compact run's timeline is the full run's (decoder-only: generated).
    if (ArchType(type) == ArchType::Encoder) return;
    RunOptions g;
    g.text = textA;
    g.generate = ArchType(type) == ArchType::Decoder;
    if (ArchType(type) == ArchType::EncoderDecoder) g.target = "t4 t9 t13 t7";
    g.capture = Capture::Full;
    const RunResult fullG = runModel(t, g);
    g.capture = Capture::Compact;
    const RunResult compactG = runModel(t, g);
    const DecodingTimeline wantT = decodingTimeline(fullG, t.model(), true, 5);
    const DecodingTimeline gotT = decodingTimelineOf(compactG, t.model(), true, 5);
    QVERIFY(wantT.available);
    QCOMPARE(gotT.available, true);
    QCOMPARE(gotT.steps.size(), wantT.steps.size());
    QCOMPARE(gotT.promptRows, wantT.promptRows);
    QCOMPARE(gotT.hasCross, wantT.hasCross);
    for (size_t i = 0; i < wantT.steps.size(); ++i) {
        QCOMPARE(gotT.steps[i].row, wantT.steps[i].row);
        QCOMPARE(gotT.steps[i].chosen.id, wantT.steps[i].chosen.id);
        QCOMPARE(gotT.steps[i].prefix.size(), wantT.steps[i].prefix.size());
        QVERIFY(std::abs(gotT.steps[i].probability - wantT.steps[i].probability) <= 1e-6f);
        QCOMPARE(gotT.steps[i].topK.size(), wantT.steps[i].topK.size());
    }
}

void TestRecompute::errors()
{
    const Transformer t(makeModel(ArchType::Encoder, NormPosition::Post, Positional::Learned));
    const ForwardResult full = t.forward({1, 2, 3}, {}, Capture::Attention);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, recomputeHead(t, full.trace, Stack::Encoder, 0, 0));
    const ForwardResult compact = t.forward({1, 2, 3}, {}, Capture::Compact);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, recomputeHead(t, compact.trace, Stack::Encoder, 2, 0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, recomputeHead(t, compact.trace, Stack::Encoder, 0, 4));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, recomputeHead(t, compact.trace, Stack::Cross, 0, 0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, recomputeHead(t, compact.trace, Stack::Decoder, 0, 0));
}

QTEST_GUILESS_MAIN(TestRecompute)
#include "test_recompute.moc"
