// See logit_lens.h. One forward pass shows the residual stream to a ResidualRecorder; every point
// is then unembedded on its own (T, d) rows, one point at a time, so only one (T, V) logits matrix
// besides the final one is alive at once.
#include "core/analysis/logit_lens.h"

#include "core/errors.h"
#include "core/observer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace attnscope {

const char* toString(LensPoint point)
{
    switch (point) {
    case LensPoint::Embedding: return "embed";
    case LensPoint::AfterAttention: return "attn";
    case LensPoint::AfterLayer: return "mlp";
    }
    return "";
}

const LensRow* LogitLens::find(LensPoint point, int layer) const
{
    for (const LensRow& r : rows)
        if (r.point == point && (point == LensPoint::Embedding || r.layer == layer)) return &r;
    return nullptr;
}

namespace {

// max and ln Σ exp(z − max) of one logits row, in double: ln p(v) = z_v − max − lse. The max
// is subtracted before exp so that no term overflows.
struct LogNormalizer {
    double max = 0.0;
    double lse = 0.0;
    double logProb(float z) const { return double(z) - max - lse; }
};

LogNormalizer normalizerOf(const Eigen::Ref<const RowVector>& z)
{
    LogNormalizer n;
    n.max = double(z.maxCoeff());
    double sum = 0.0;
    for (Eigen::Index v = 0; v < z.size(); ++v) sum += std::exp(double(z[v]) - n.max);
    n.lse = std::log(sum);
    return n;
}

// The cells of one point from its logits (T, V) against the final logits.
std::vector<LensCell> cellsOf(const MatrixRM& logits, const MatrixRM& finalLogits,
                              const std::vector<LogNormalizer>& finalNorms, const std::vector<int>& finalTop1, int k)
{
    const Eigen::Index t = logits.rows(), vocab = logits.cols();
    std::vector<LensCell> cells(static_cast<size_t>(t));
    std::vector<int> order(static_cast<size_t>(vocab));
    for (Eigen::Index i = 0; i < t; ++i) {
        const Eigen::Ref<const RowVector> z = logits.row(i);
        const Eigen::Ref<const RowVector> zf = finalLogits.row(i);
        const LogNormalizer here = normalizerOf(z);
        const LogNormalizer& fin = finalNorms[size_t(i)];
        LensCell& c = cells[size_t(i)];
        // KL(final ‖ here): terms with p_final(v) = 0 (underflow) contribute 0 (0 ln 0 = 0).
        double kl = 0.0;
        for (Eigen::Index v = 0; v < vocab; ++v) {
            const double lp = fin.logProb(zf[v]);
            const double p = std::exp(lp);
            if (p > 0.0) kl += p * (lp - here.logProb(z[v]));
        }
        // Rounding can leave a KL of two equal distributions a hair below 0; it is ≥ 0 exactly.
        c.klFromFinal = std::max(0.0, kl);
        c.finalTop1Prob = std::exp(here.logProb(z[finalTop1[size_t(i)]]));
        std::iota(order.begin(), order.end(), 0);
        const auto byProbability = [&](int a, int b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), byProbability);
        c.topIds.assign(order.begin(), order.begin() + k);
        c.topProbs.resize(size_t(k));
        for (int j = 0; j < k; ++j) c.topProbs[size_t(j)] = std::exp(here.logProb(z[order[size_t(j)]]));
    }
    return cells;
}

} // namespace

LogitLens computeLogitLens(const Transformer& transformer, const std::vector<int>& ids, const LensOptions& options)
{
    const Model& m = transformer.model();
    const ModelConfig& c = m.config;
    if (c.type != ArchType::Decoder)
        throw UsageError("the logit lens needs a decoder-only (causal LM) model; this model is " + toString(c.type));
    if (!c.lmHead) throw UsageError("the logit lens needs an output head; this model has none (lm_head false)");
    if (ids.empty()) throw UsageError("the logit lens needs at least one token; the input is empty");
    if (int(ids.size()) > c.maxLen)
        throw UsageError("the input has " + std::to_string(ids.size()) + " tokens; the model takes at most max_len " +
                         std::to_string(c.maxLen));
    const int rows = m.inputVocabRows();
    for (const int id : ids)
        if (id < 0 || id >= rows)
            throw UsageError("token id " + std::to_string(id) + " is outside the model's vocabulary [0, " +
                             std::to_string(rows) + ")");
    if (options.topK < 0) throw UsageError("top-k must be ≥ 0, got " + std::to_string(options.topK));

    // The pass computes no logits of its own (firstLogitRow = T): the final point's unembedding
    // gives the same numbers (the observer's last after-layer rows are the top stack's input to
    // its final norm; core.test_engine_seams).
    ResidualRecorder recorder;
    ForwardOptions fo;
    fo.observer = &recorder;
    fo.firstLogitRow = int(ids.size());
    transformer.forward(ids, {}, Capture::None, fo);
    const ResidualRecorder::StackRecord& stream = recorder.stack(Stack::Decoder);

    LogitLens lens;
    lens.ids = ids;
    lens.parallelResidual = c.parallelResidual;
    const MatrixRM finalLogits =
        transformer.unembed(stream.layers.empty() ? stream.embedded : stream.layers.back().afterFeedForward);
    const Eigen::Index t = finalLogits.rows();
    const int k = std::min<int>(options.topK, int(finalLogits.cols()));
    std::vector<LogNormalizer> finalNorms(static_cast<size_t>(t));
    lens.finalTop1.resize(size_t(t));
    for (Eigen::Index i = 0; i < t; ++i) {
        finalNorms[size_t(i)] = normalizerOf(finalLogits.row(i));
        Eigen::Index best = 0; // the first maximum: the lower id on ties, as in the top-k
        for (Eigen::Index v = 1; v < finalLogits.cols(); ++v)
            if (finalLogits(i, v) > finalLogits(i, best)) best = v;
        lens.finalTop1[size_t(i)] = int(best);
    }
    auto addRow = [&](LensPoint point, int layer, const MatrixRM& residual) {
        LensRow r;
        r.point = point;
        r.layer = layer;
        r.cells = cellsOf(transformer.unembed(residual), finalLogits, finalNorms, lens.finalTop1, k);
        lens.rows.push_back(std::move(r));
    };
    addRow(LensPoint::Embedding, -1, stream.embedded);
    for (size_t l = 0; l < stream.layers.size(); ++l) {
        // Parallel residual (GPT-NeoX): attention and MLP both read the layer's input, so x + SA is
        // no state of the network (docs/logit-lens.md); the observer's event there is not a point.
        if (options.afterAttention && !c.parallelResidual)
            addRow(LensPoint::AfterAttention, int(l), stream.layers[l].afterSelf);
        if (options.afterLayer) {
            if (l + 1 == stream.layers.size()) {
                LensRow r;
                r.point = LensPoint::AfterLayer;
                r.layer = int(l);
                r.cells = cellsOf(finalLogits, finalLogits, finalNorms, lens.finalTop1, k);
                lens.rows.push_back(std::move(r));
            } else {
                addRow(LensPoint::AfterLayer, int(l), stream.layers[l].afterFeedForward);
            }
        }
    }
    return lens;
}

} // namespace attnscope
