// See census.h. Importance costs one forward pass per head; shipped models take a few ms.
#include "core/analysis/census.h"

#include "core/analysis/head_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace attnscope {

const char* toString(HeadStatistic s)
{
    static const char* const names[] = {"entropy", "mean_distance", "previous_token", "first_token",
                                        "special_tokens", "induction"};
    return names[int(s)];
}

const char* displayName(HeadStatistic s)
{
    static const char* const names[] = {"Entropy (nats)", "Mean distance (tokens)", "Previous-token score",
                                        "First-token share", "Special-token share", "Induction score"};
    return names[int(s)];
}

namespace {

void csvHeader(std::ostream& out, bool importance)
{
    out << "stack,layer,head";
    for (int s = 0; s < kHeadStatisticCount; ++s) out << ',' << toString(HeadStatistic(s));
    if (importance) out << ",importance";
    out << '\n';
}

// One row per head; `importance` (layers × heads) appended as a last column when given.
void csvRows(std::ostream& out, const HeadCensus& c, const MatrixRM* importance)
{
    for (int l = 0; l < c.layers; ++l)
        for (int h = 0; h < c.heads; ++h) {
            out << toString(c.stack) << ',' << l << ',' << h;
            for (int s = 0; s < kHeadStatisticCount; ++s) {
                const float v = c.values[size_t(s)](l, h);
                out << ',';
                if (std::isfinite(v)) out << v;
            }
            if (importance) out << ',' << (*importance)(l, h);
            out << '\n';
        }
}

} // namespace

std::string HeadCensus::toCsv() const
{
    std::ostringstream out;
    csvHeader(out, false);
    csvRows(out, *this, nullptr);
    return out.str();
}

const HeadCensus* RunAnalysis::censusOf(Stack stack) const
{
    for (const HeadCensus& c : census)
        if (c.stack == stack) return &c;
    return nullptr;
}

const MatrixRM* RunAnalysis::importanceOf(Stack stack) const
{
    for (const auto& [s, m] : importance)
        if (s == stack) return &m;
    return nullptr;
}

std::string RunAnalysis::toCsv() const
{
    std::ostringstream out;
    csvHeader(out, true);
    for (const HeadCensus& c : census) csvRows(out, c, importanceOf(c.stack));
    return out.str();
}

RunAnalysis analyseRun(const Transformer& transformer, const RunResult& run, const RunResult& intact,
                       const std::vector<Stack>& stacks)
{
    RunAnalysis out;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        if (run.trace.stack(s).empty()) continue;
        if (!stacks.empty() && std::find(stacks.begin(), stacks.end(), s) == stacks.end()) continue;
        out.census.push_back(computeCensus(transformer, run, s));
        out.importance.emplace_back(s, headImportance(transformer, intact, s));
    }
    return out;
}

namespace {

std::vector<int> ids(const std::vector<Token>& tokens)
{
    std::vector<int> out;
    for (const Token& t : tokens) out.push_back(t.id);
    return out;
}

} // namespace

MatrixRM inductionScores(const Transformer& tf, const InductionProbe& probe)
{
    const Model& m = tf.model();
    const ModelConfig& c = m.config;
    MatrixRM out = MatrixRM::Constant(c.decoderLayers, c.nHeads, std::numeric_limits<float>::quiet_NaN());
    if (c.type != ArchType::Decoder) return out;
    const Vocabulary& v = m.sourceTokenizer.vocab();
    std::vector<int> candidates;
    for (int id = 0; id < v.size(); ++id)
        if (!v.isSpecial(id)) candidates.push_back(id);
    std::vector<int> prefix;
    for (const SpecialRole r : m.sourcePrefix) prefix.push_back(v.special(r));
    const int offset = int(prefix.size());
    const int n = std::min(probe.length, (c.maxLen - offset) / 2);
    if (n < 2 || candidates.empty()) return out;
    out.setZero();
    ForwardResult f; // every probe has the same length: its storage is reused (forwardInto)
    for (int seed = 0; seed < probe.seeds; ++seed) {
        std::vector<int> seq = prefix;
        const std::vector<int> body = repeatedRandomTokens(candidates, n, std::uint64_t(seed + 1));
        seq.insert(seq.end(), body.begin(), body.end());
        tf.forwardInto(f, seq, {}, Capture::Attention);
        for (int l = 0; l < c.decoderLayers; ++l)
            for (int h = 0; h < c.nHeads; ++h)
                out(l, h) += float(inductionScore(f.trace.decoder[size_t(l)].heads[size_t(h)].weights, n, offset));
    }
    out /= float(probe.seeds);
    return out;
}

HeadCensus computeCensus(const Transformer& tf, const RunResult& run, Stack stack, const InductionProbe& probe)
{
    const Model& m = tf.model();
    HeadCensus census;
    census.stack = stack;
    const auto& layers = run.trace.stack(stack);
    census.layers = int(layers.size());
    census.heads = m.config.nHeads;
    census.values.assign(kHeadStatisticCount, MatrixRM::Constant(census.layers, census.heads,
                                                                 std::numeric_limits<float>::quiet_NaN()));
    const std::vector<Token> keys = keyTokens(run, m.config, stack);
    std::vector<bool> special;
    for (const Token& t : keys) special.push_back(t.special);
    for (int l = 0; l < census.layers; ++l) {
        for (int h = 0; h < census.heads && size_t(h) < layers[size_t(l)].heads.size(); ++h) {
            const MatrixRM& a = layers[size_t(l)].heads[size_t(h)].weights;
            census.values[int(HeadStatistic::Entropy)](l, h) = float(meanEntropy(a));
            census.values[int(HeadStatistic::MeanDistance)](l, h) = float(meanDistance(a));
            census.values[int(HeadStatistic::PreviousToken)](l, h) = float(previousTokenScore(a));
            census.values[int(HeadStatistic::FirstToken)](l, h) = float(firstTokenShare(a));
            census.values[int(HeadStatistic::SpecialTokens)](l, h) = float(specialTokenShare(a, special));
        }
    }
    if (m.config.type == ArchType::Decoder && stack == Stack::Decoder)
        census.values[int(HeadStatistic::Induction)] = inductionScores(tf, probe);
    return census;
}

MatrixRM headImportance(const Transformer& tf, const RunResult& run, Stack stack)
{
    const Model& m = tf.model();
    const ModelConfig& c = m.config;
    const int layers = stack == Stack::Encoder ? c.encoderLayers : c.decoderLayers;
    MatrixRM out = MatrixRM::Zero(layers, c.nHeads);
    if (run.sourceTokens.empty() || (stack == Stack::Cross && !c.hasCrossAttention()) ||
        (stack == Stack::Encoder && !c.hasEncoder()) || (stack == Stack::Decoder && !c.hasDecoder()) || !c.lmHead)
        return out; // (a model without an output head has no prediction to lose)
    std::vector<int> source = ids(run.sourceTokens);
    std::vector<int> target;
    if (c.type == ArchType::Decoder) {
        const std::vector<int> gen = ids(run.targetTokens);
        source.insert(source.end(), gen.begin(), gen.end());
    } else if (c.type == ArchType::EncoderDecoder) {
        target = ids(run.targetTokens);
    }
    const ForwardResult base = tf.forward(source, target, Capture::None);
    std::vector<Eigen::Index> rows;
    if (c.type == ArchType::Encoder) {
        const int mask = m.sourceTokenizer.vocab().special(SpecialRole::Mask);
        for (size_t i = 0; i < source.size(); ++i)
            if (source[i] == mask) rows.push_back(Eigen::Index(i));
        if (rows.empty())
            for (Eigen::Index i = 0; i < base.logits.rows(); ++i) rows.push_back(i);
    } else if (c.type == ArchType::Decoder) {
        rows.push_back(Eigen::Index(std::max(0, run.predictionPosition)));
    } else {
        for (Eigen::Index i = 0; i < base.logits.rows(); ++i) rows.push_back(i);
    }
    auto logSoftmaxAt = [](const MatrixRM& logits, Eigen::Index row, Eigen::Index col) {
        const float mx = logits.row(row).maxCoeff();
        return double(logits(row, col) - mx) - std::log(double((logits.row(row).array() - mx).exp().sum()));
    };
    std::vector<Eigen::Index> predicted;
    for (const Eigen::Index r : rows) {
        Eigen::Index best = 0;
        base.logits.row(r).maxCoeff(&best);
        predicted.push_back(best);
    }
    ForwardResult f; // one forward per head, all of the same input: the logits' storage is reused
    for (int l = 0; l < layers; ++l) {
        for (int h = 0; h < c.nHeads; ++h) {
            HeadAblation ablation;
            ablation.zero(stack, l, h, c.dHead());
            tf.forwardInto(f, source, target, Capture::None, &ablation);
            double drop = 0.0;
            for (size_t k = 0; k < rows.size(); ++k)
                drop += logSoftmaxAt(base.logits, rows[k], predicted[k]) - logSoftmaxAt(f.logits, rows[k], predicted[k]);
            out(l, h) = float(drop / double(rows.size()));
        }
    }
    return out;
}

HeadAblation meanAblation(const Trace& referenceFull, const std::vector<std::tuple<Stack, int, int>>& heads)
{
    HeadAblation ablation;
    for (const auto& [stack, layer, head] : heads) {
        const auto& layers = referenceFull.stack(stack);
        if (size_t(layer) >= layers.size() || size_t(head) >= layers[size_t(layer)].heads.size()) continue;
        const MatrixRM& o = layers[size_t(layer)].heads[size_t(head)].output;
        if (o.rows() == 0) continue;
        ablation.set(stack, layer, head, o.colwise().mean());
    }
    return ablation;
}

} // namespace attnscope
