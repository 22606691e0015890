// The corpus-trained models (models/tiny-lm.json, models/tiny-mlm.json; tools/train_corpus.py),
// measured through the C++ engine on held-out King James Bible text (tests/data/kjv-heldout.txt,
// chapters never seen in training) against honest baselines:
//   * tiny-lm: windowed per-character perplexity vs an add-one unigram model fit on the training
//     split (counts in tests/data/kjv-train-counts.json); per-head previous-token and induction
//     scores (definitions in /work/shared/DOMAIN.md) for the named heads;
//   * tiny-mlm: masked-token accuracy on held-out verses vs always guessing the training split's
//     most frequent token.
// Every random choice uses the 64-bit LCG that tools/train_corpus.py also uses, so the Python
// figures in the model card are computed on the same inputs.
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>

using namespace attnscope;
using Json = nlohmann::json;

namespace {

const std::string kSourceDir = ATTNSCOPE_SOURCE_DIR;

// Heads named in models/README.md (layer, head), and the asserted limits.
// tiny-lm: a previous-token head in layer 0 and an induction head in the later layer 1.
constexpr int kPrevLayer = 0, kPrevHead = 1;
constexpr int kInductionLayer = 1, kInductionHead = 0;
constexpr double kPrevMin = 0.5, kInductionMin = 0.3;
// tiny-lm perplexity must be below this fraction of the unigram baseline's.
constexpr double kPerplexityRatioMax = 0.5;

constexpr int kInductionN = 32;
const int kInductionSeeds[] = {1, 2, 3, 4, 5};
constexpr int kPrevWindows = 40;
constexpr int kMlmVerses = 400;
constexpr uint64_t kMlmSeed = 7;

// Same generator as tools/train_corpus.py (class Lcg).
struct Lcg {
    uint64_t x;
    explicit Lcg(uint64_t seed) : x(seed * 0x9E3779B97F4A7C15ull + 1) {}
    int next(int n)
    {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return int((x >> 33) % uint64_t(n));
    }
};

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<int> idsOf(const std::vector<Token>& tokens)
{
    std::vector<int> out;
    for (const Token& t : tokens) out.push_back(t.id);
    return out;
}

// Consecutive chunks of maxLen tokens; input = [bos] + chunk[:-1], target = chunk.
struct Window {
    std::vector<int> input, target;
};
std::vector<Window> lmWindows(const std::vector<int>& ids, int maxLen, int bos)
{
    std::vector<Window> out;
    for (size_t s = 0; s < ids.size(); s += size_t(maxLen)) {
        Window w;
        w.target.assign(ids.begin() + long(s), ids.begin() + long(std::min(ids.size(), s + size_t(maxLen))));
        w.input.push_back(bos);
        w.input.insert(w.input.end(), w.target.begin(), w.target.end() - 1);
        out.push_back(std::move(w));
    }
    return out;
}

double logSoftmaxAt(const MatrixRM& logits, int row, int col)
{
    double mx = -1e300;
    for (Eigen::Index j = 0; j < logits.cols(); ++j) mx = std::max(mx, double(logits(row, j)));
    double sum = 0.0;
    for (Eigen::Index j = 0; j < logits.cols(); ++j) sum += std::exp(double(logits(row, j)) - mx);
    return double(logits(row, col)) - mx - std::log(sum);
}

using HeadTable = std::vector<std::vector<double>>; // [layer][head]

// A causal LM over consecutive windows of T held-out ids: the summed negative log-likelihood of
// every token but each window's first, and the previous-token sums (A[i, i−1], i ≥ 1) of every
// head over the first 40 windows.
struct HeldOut {
    double nll = 0.0;
    size_t predicted = 0;
    HeadTable prev;
    size_t prevRows = 0;
};
HeldOut heldOutRun(const Transformer& tf, const std::vector<int>& ids, size_t T, int L, int H)
{
    HeldOut out;
    out.prev.assign(size_t(L), std::vector<double>(size_t(H), 0.0));
    for (size_t start = 0; start + 2 <= ids.size(); start += T) {
        const std::vector<int> window(ids.begin() + std::ptrdiff_t(start),
                                      ids.begin() + std::ptrdiff_t(std::min(ids.size(), start + T)));
        const ForwardResult f = tf.forward(window, {}, start / T < 40 ? Capture::Attention : Capture::None);
        for (size_t i = 0; i + 1 < window.size(); ++i) out.nll -= logSoftmaxAt(f.logits, int(i), window[i + 1]);
        out.predicted += window.size() - 1;
        if (f.trace.decoder.empty()) continue;
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                const MatrixRM& a = f.trace.decoder[size_t(l)].heads[size_t(h)].weights;
                for (Eigen::Index i = 1; i < a.rows(); ++i) out.prev[size_t(l)][size_t(h)] += a(i, i - 1);
            }
        out.prevRows += window.size() - 1;
    }
    return out;
}

} // namespace

class TestCorpusModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void lmPerplexityBeatsUnigram();
    void lmHeads();
    void mlmBeatsMostFrequent();
    void hfGpt2KjvThroughTheEngine();
    void hfLlamaKjvThroughTheEngine();
    void llamaKjvRevisionsShowThePreviousTokenHeadForming();

private:
    std::shared_ptr<const Model> m_lm, m_mlm;
    std::string m_heldout;
    Json m_counts;
};

void TestCorpusModels::initTestCase()
{
    m_lm = loadModel(kSourceDir + "/models/tiny-lm.json");
    m_mlm = loadModel(kSourceDir + "/models/tiny-mlm.json");
    m_heldout = readFile(kSourceDir + "/tests/data/kjv-heldout.txt");
    QVERIFY(!m_heldout.empty());
    std::ifstream in(kSourceDir + "/tests/data/kjv-train-counts.json");
    m_counts = Json::parse(in);
    QVERIFY(m_lm->config.type == ArchType::Decoder);
    QVERIFY(m_mlm->config.type == ArchType::Encoder);
    QVERIFY(m_lm->config.decoderLayers >= 4 && m_lm->config.nHeads >= 4);
}

void TestCorpusModels::lmPerplexityBeatsUnigram()
{
    const Tokenizer& tok = m_lm->sourceTokenizer;
    const int bos = tok.vocab().special(SpecialRole::Bos);
    QVERIFY(bos >= 0);
    const std::vector<int> ids = idsOf(tok.tokenize(m_heldout));
    for (int id : ids) QVERIFY(id >= 0);

    Transformer tf(m_lm);
    double nll = 0.0;
    size_t n = 0;
    for (const Window& w : lmWindows(ids, m_lm->config.maxLen, bos)) {
        ForwardResult f = tf.forward(w.input, {}, Capture::None);
        for (size_t i = 0; i < w.target.size(); ++i) nll -= logSoftmaxAt(f.logits, int(i), w.target[i]);
        n += w.target.size();
    }
    const double ppl = std::exp(nll / double(n));

    // Add-one unigram over the training split's characters.
    const Json& counts = m_counts.at("lm_char_counts");
    double total = double(counts.size());
    for (const auto& kv : counts.items()) total += kv.value().get<double>();
    double unll = 0.0;
    for (int id : ids) {
        const std::string& s = tok.vocab().token(id);
        const double c = counts.contains(s) ? counts.at(s).get<double>() : 0.0;
        unll -= std::log((c + 1.0) / total);
    }
    const double uppl = std::exp(unll / double(ids.size()));
    qInfo("tiny-lm held-out (%zu chars): perplexity %.4f, unigram baseline %.4f (ratio %.3f)", n, ppl, uppl,
          ppl / uppl);
    QVERIFY(ppl < kPerplexityRatioMax * uppl);
}

void TestCorpusModels::lmHeads()
{
    const Tokenizer& tok = m_lm->sourceTokenizer;
    const int bos = tok.vocab().special(SpecialRole::Bos);
    const int L = m_lm->config.decoderLayers, H = m_lm->config.nHeads;
    Transformer tf(m_lm);

    // Previous-token score: mean over i >= 1 of A[i, i-1] on held-out windows.
    HeadTable prev(size_t(L), std::vector<double>(size_t(H), 0.0));
    size_t rows = 0;
    const std::vector<Window> windows = lmWindows(idsOf(tok.tokenize(m_heldout)), m_lm->config.maxLen, bos);
    for (int w = 0; w < kPrevWindows && w < int(windows.size()); ++w) {
        ForwardResult f = tf.forward(windows[size_t(w)].input, {}, Capture::Attention);
        const int T = int(windows[size_t(w)].input.size());
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                const MatrixRM& A = f.trace.decoder[size_t(l)].heads[size_t(h)].weights;
                for (int i = 1; i < T; ++i) prev[size_t(l)][size_t(h)] += A(i, i - 1);
            }
        rows += size_t(T - 1);
    }

    // Induction score: [bos] + r + r, r = n random non-special tokens; token i of r+r sits at
    // position i+1, so the score is the mean over i in [n, 2n) of A[i+1, i-n+2].
    std::vector<int> plain;
    for (int id = 0; id < tok.vocab().size(); ++id)
        if (!tok.vocab().isSpecial(id)) plain.push_back(id);
    HeadTable ind(size_t(L), std::vector<double>(size_t(H), 0.0));
    size_t targets = 0;
    const int n = kInductionN;
    for (int seed : kInductionSeeds) {
        Lcg g{uint64_t(seed)};
        std::vector<int> r;
        for (int i = 0; i < n; ++i) r.push_back(plain[size_t(g.next(int(plain.size())))]);
        std::vector<int> seq{bos};
        seq.insert(seq.end(), r.begin(), r.end());
        seq.insert(seq.end(), r.begin(), r.end());
        ForwardResult f = tf.forward(seq, {}, Capture::Attention);
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                const MatrixRM& A = f.trace.decoder[size_t(l)].heads[size_t(h)].weights;
                for (int i = n; i < 2 * n; ++i) ind[size_t(l)][size_t(h)] += A(i + 1, i - n + 2);
            }
        targets += size_t(n);
    }

    qInfo("tiny-lm heads (layer head: previous-token, induction):");
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            prev[size_t(l)][size_t(h)] /= double(rows);
            ind[size_t(l)][size_t(h)] /= double(targets);
            qInfo("  L%d H%d  %.4f  %.4f", l, h, prev[size_t(l)][size_t(h)], ind[size_t(l)][size_t(h)]);
        }
    QVERIFY2(prev[kPrevLayer][kPrevHead] > kPrevMin, "named previous-token head");
    QVERIFY(kPrevLayer < kInductionLayer);
    QVERIFY2(ind[kInductionLayer][kInductionHead] > kInductionMin, "named induction head");
}

void TestCorpusModels::mlmBeatsMostFrequent()
{
    const Tokenizer& tok = m_mlm->sourceTokenizer;
    const Vocabulary& vocab = tok.vocab();
    const int cls = vocab.special(SpecialRole::Cls), sep = vocab.special(SpecialRole::Sep);
    const int mask = vocab.special(SpecialRole::Mask), unk = vocab.special(SpecialRole::Unk);
    QVERIFY(cls >= 0 && sep >= 0 && mask >= 0 && unk >= 0);
    const int top = vocab.find(m_counts.at("mlm_most_frequent").at("token").get<std::string>());
    QVERIFY(top >= 0);
    const int maxLen = m_mlm->config.maxLen;

    std::vector<std::string> verses;
    std::istringstream lines(m_heldout);
    for (std::string line; std::getline(lines, line) && int(verses.size()) < kMlmVerses;)
        if (line.find_first_not_of(" \t\r") != std::string::npos) verses.push_back(line);

    Transformer tf(m_mlm);
    Lcg g{kMlmSeed};
    int right = 0, baseline = 0, masked = 0;
    for (const std::string& v : verses) {
        std::vector<int> ids{cls};
        for (int id : idsOf(tok.tokenize(v))) ids.push_back(id);
        ids.push_back(sep);
        if (int(ids.size()) > maxLen) {
            ids.resize(size_t(maxLen - 1));
            ids.push_back(sep);
        }
        std::vector<int> cand, chosen;
        for (int i = 1; i + 1 < int(ids.size()); ++i)
            if (ids[size_t(i)] != unk) cand.push_back(i);
        for (int i : cand)
            if (g.next(100) < 15) chosen.push_back(i);
        if (chosen.empty() && !cand.empty()) chosen.push_back(cand[size_t(g.next(int(cand.size())))]);
        std::vector<int> input = ids;
        for (int p : chosen) input[size_t(p)] = mask;
        ForwardResult f = tf.forward(input, {}, Capture::None);
        for (int p : chosen) {
            Eigen::Index best = 0;
            f.logits.row(p).maxCoeff(&best);
            right += int(best) == ids[size_t(p)];
            baseline += ids[size_t(p)] == top;
            ++masked;
        }
    }
    const double acc = double(right) / masked, base = double(baseline) / masked;
    qInfo("tiny-mlm held-out: %d masked tokens in %zu verses, accuracy %.4f, most-frequent-token baseline "
          "(always \"%s\") %.4f",
          masked, verses.size(), acc, vocab.token(top).c_str(), base);
    QVERIFY(masked > 1000);
    QVERIFY(acc > base + 0.1);
}

void TestCorpusModels::hfGpt2KjvThroughTheEngine()
{
    // models/hf/gpt2-kjv (a Hugging Face folder, F16) through the C++ engine and its BPE: the
    // held-out perplexity its card reports (32.9 per token over all 60 held-out chapters, by the
    // torch reference) within 20 % on tests/data/kjv-heldout.txt, and the previous-token head the
    // card names (layer 0 head 0, 0.249) the strongest one, above 0.2.
    const auto m = loadModel(kSourceDir + "/models/hf/gpt2-kjv");
    QCOMPARE(m->family, std::string("gpt2"));
    QCOMPARE(m->dtype, std::string("F16"));
    const std::vector<int> ids = idsOf(m->sourceTokenizer.tokenize(m_heldout));
    const size_t T = size_t(m->config.maxLen);
    Transformer tf(m);
    const int L = m->config.decoderLayers, H = m->config.nHeads;
    const HeldOut held = heldOutRun(tf, ids, T, L, H);
    const double nll = held.nll;
    const size_t n = held.predicted, prevRows = held.prevRows;
    const HeadTable& prev = held.prev;
    const double ppl = std::exp(nll / double(n));
    qInfo("gpt2-kjv held-out (%zu tokens): perplexity %.3f; previous-token L0H0 %.3f", n, ppl,
          prev[0][0] / double(prevRows));
    QVERIFY(ppl < 32.92 * 1.2);
    double best = 0.0;
    int bestL = -1, bestH = -1;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h)
            if (prev[size_t(l)][size_t(h)] > best) best = prev[size_t(l)][size_t(h)], bestL = l, bestH = h;
    QCOMPARE(bestL, 0);
    QCOMPARE(bestH, 0);
    QVERIFY(best / double(prevRows) > 0.2);
}

namespace {

// models/hf/llama-kjv's card (tools/train_llama_small.py, measured with the torch reference on
// the saved F16 weights): held-out perplexity, the previous-token head it names, and its
// strongest induction-probe head with that head's score (the model has no induction head: the
// card says so; the figure checks that engine and reference compute the same probe).
constexpr double kLlamaPerplexity = 20.53;
constexpr int kLlamaPrevLayer = 2, kLlamaPrevHead = 1;
constexpr int kLlamaInductionLayer = 0, kLlamaInductionHead = 1;
constexpr double kLlamaInduction = 0.030;

// The card's induction probe: n = 32 ids drawn by Lcg(seed) from 0 … vocab − 2 (all but
// <|endoftext|>), seeds 1–5, the sequence r + r with no <bos>; the score of a head is the mean
// over i in [n, 2n) of A[i, i − n + 1]. Returns [layer][head].
HeadTable llamaInduction(const Transformer& tf, int vocab, int L, int H)
{
    constexpr int n = 32;
    HeadTable ind(size_t(L), std::vector<double>(size_t(H), 0.0));
    for (int seed = 1; seed <= 5; ++seed) {
        Lcg g{uint64_t(seed)};
        std::vector<int> r;
        for (int i = 0; i < n; ++i) r.push_back(g.next(vocab - 1));
        std::vector<int> seq = r;
        seq.insert(seq.end(), r.begin(), r.end());
        const ForwardResult f = tf.forward(seq, {}, Capture::Attention);
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                const MatrixRM& A = f.trace.decoder[size_t(l)].heads[size_t(h)].weights;
                for (int i = n; i < 2 * n; ++i) ind[size_t(l)][size_t(h)] += A(i, i - n + 1) / (5.0 * n);
            }
    }
    return ind;
}

} // namespace

void TestCorpusModels::hfLlamaKjvThroughTheEngine()
{
    // models/hf/llama-kjv (Llama layout: GQA 4/2, RoPE, RMSNorm, SwiGLU; F16) through the C++
    // engine and its BPE: held-out perplexity within 20 % of its card's on tests/data/kjv-heldout.txt;
    // the previous-token head the card names above 0.35 and within 0.1 of the strongest head here
    // (another text than the card's 40 windows: L1 H0 is a close second there); the card's
    // induction-probe figure reproduced within 1e-3 (same ids, same F16 weights, 3 decimals).
    const auto m = loadModel(kSourceDir + "/models/hf/llama-kjv");
    QCOMPARE(m->family, std::string("llama"));
    QCOMPARE(m->dtype, std::string("F16"));
    QCOMPARE(m->config.kvHeads(), 2);
    QCOMPARE(m->config.nHeads, 4);
    QVERIFY(m->config.positional == Positional::Rotary);
    const std::vector<int> ids = idsOf(m->sourceTokenizer.tokenize(m_heldout));
    constexpr size_t T = 128; // the context it was trained on
    Transformer tf(m);
    const int L = m->config.decoderLayers, H = m->config.nHeads;
    const HeldOut held = heldOutRun(tf, ids, T, L, H);
    const double nll = held.nll;
    const size_t n = held.predicted, prevRows = held.prevRows;
    const HeadTable& prev = held.prev;
    const double ppl = std::exp(nll / double(n));
    const HeadTable ind = llamaInduction(tf, m->inputVocabRows(), L, H);
    qInfo("llama-kjv held-out (%zu tokens): perplexity %.3f (card %.2f)", n, ppl, kLlamaPerplexity);
    double best = 0.0;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            const double p = prev[size_t(l)][size_t(h)] / double(prevRows);
            qInfo("  L%d H%d  previous-token %.4f  induction %.4f", l, h, p, ind[size_t(l)][size_t(h)]);
            best = std::max(best, p);
        }
    const double named = prev[kLlamaPrevLayer][kLlamaPrevHead] / double(prevRows);
    QVERIFY(ppl < kLlamaPerplexity * 1.2);
    QVERIFY(named > 0.35);
    QVERIFY(named > best - 0.1);
    QVERIFY(std::abs(ind[kLlamaInductionLayer][kLlamaInductionHead] - kLlamaInduction) < 1e-3);
}

void TestCorpusModels::llamaKjvRevisionsShowThePreviousTokenHeadForming()
{
    // The revision series of llama-kjv (6 snapshots of one run): the named previous-token head
    // scores below 0.25 at the first snapshot and above 0.4 at the last, measured here on the
    // first 40 windows of tests/data/kjv-heldout.txt; the last snapshot is llama-kjv itself.
    const std::string series = kSourceDir + "/models/hf/llama-kjv-revisions";
    const auto last = loadModel(series);
    QVERIFY(last->revisions.size() >= 6);
    const std::vector<int> ids = idsOf(last->sourceTokenizer.tokenize(m_heldout));
    constexpr size_t T = 128;
    std::vector<double> score;
    for (const Revision& r : last->revisions) {
        const Transformer tf(loadModel(series, r.name));
        double sum = 0.0;
        size_t rows = 0;
        for (size_t start = 0; start + 2 <= ids.size() && start / T < 40; start += T) {
            const std::vector<int> window(ids.begin() + std::ptrdiff_t(start),
                                          ids.begin() + std::ptrdiff_t(std::min(ids.size(), start + T)));
            const MatrixRM& a =
                tf.forward(window, {}, Capture::Attention).trace.decoder[kLlamaPrevLayer].heads[kLlamaPrevHead].weights;
            for (Eigen::Index i = 1; i < a.rows(); ++i) sum += a(i, i - 1);
            rows += window.size() - 1;
        }
        score.push_back(sum / double(rows));
        qInfo("  %s: previous-token L%d H%d %.4f", r.name.c_str(), kLlamaPrevLayer, kLlamaPrevHead, score.back());
    }
    QVERIFY(score.front() < 0.25);
    QVERIFY(score.back() > 0.4);
    const std::vector<int> probe = idsOf(last->sourceTokenizer.tokenize("And God said, Let there be light"));
    const MatrixRM a = Transformer(last).forward(probe, {}, Capture::None).logits;
    const MatrixRM b = Transformer(loadModel(kSourceDir + "/models/hf/llama-kjv")).forward(probe, {}, Capture::None).logits;
    QCOMPARE(a.rows(), b.rows());
    QVERIFY(a == b);
}

QTEST_GUILESS_MAIN(TestCorpusModels)
#include "test_corpus_models.moc"
