// See timeline.h.
#include "core/analysis/timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

// Softmax probability of `id` in one logits row (stable: the row maximum is subtracted first).
float probabilityOf(const Eigen::Ref<const RowVector>& logits, int id)
{
    if (id < 0 || id >= logits.size()) return 0.0f;
    const float max = logits.maxCoeff();
    const float sum = (logits.array() - max).exp().sum();
    return std::exp(logits[id] - max) / sum;
}

} // namespace

DecodingTimeline decodingTimeline(const RunResult& run, const Model& model, bool teacherForced, int k)
{
    DecodingTimeline t;
    const ArchType type = model.config.type;
    if (type == ArchType::Encoder) {
        t.reason = "This is an encoder-only model: it reads the whole input at once and generates nothing, so there "
                   "are no decoding steps.";
        return t;
    }
    if (run.trace.compact) {
        t.reason = "This run kept a compact trace (long input); the timeline needs every attention weight.";
        return t;
    }
    if (run.trace.decoder.empty() || run.logits.rows() == 0) {
        t.reason = "No decoder attention recorded for this input (empty input?).";
        return t;
    }
    const Tokenizer& vocab = model.outputTokenizer();
    t.decoderTokens = queryTokens(run, model.config, Stack::Decoder);
    const int rows = static_cast<int>(std::min<Eigen::Index>(Eigen::Index(t.decoderTokens.size()), run.logits.rows()));
    auto makeStep = [&](int row, const Token& chosen) {
        TimelineStep s;
        s.row = row;
        s.prefix.assign(t.decoderTokens.begin(), t.decoderTokens.begin() + row + 1);
        s.chosen = chosen;
        s.probability = probabilityOf(run.logits.row(row), chosen.id);
        s.topK = topK(run.logits.row(row), vocab, k);
        return s;
    };
    if (type == ArchType::Decoder) {
        if (run.targetTokens.empty()) {
            t.reason = "Nothing was generated: tick Generate to let the model continue the prompt, then scrub "
                       "through its decoding steps.";
            return t;
        }
        t.promptRows = static_cast<int>(run.sourceTokens.size());
        for (size_t s = 0; s < run.targetTokens.size(); ++s) {
            const int row = t.promptRows - 1 + static_cast<int>(s);
            if (row < 0 || row >= rows) break;
            t.steps.push_back(makeStep(row, run.targetTokens[s]));
        }
    } else {
        t.teacherForced = teacherForced;
        t.hasCross = !run.trace.cross.empty();
        for (int row = 0; row < rows && row < static_cast<int>(run.outputTokens.size()); ++row) {
            TimelineStep s = makeStep(row, run.outputTokens[size_t(row)]);
            if (teacherForced && row + 1 < static_cast<int>(t.decoderTokens.size())) {
                s.hasNextInput = true;
                s.nextInput = t.decoderTokens[size_t(row) + 1];
            }
            t.steps.push_back(std::move(s));
        }
    }
    t.available = !t.steps.empty();
    if (!t.available) t.reason = "No decoding steps in this run.";
    return t;
}

MatrixRM timelineFrame(const Eigen::Ref<const MatrixRM>& weights, int row, bool futureKeys)
{
    MatrixRM out = weights;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const Eigen::Index first = std::clamp<Eigen::Index>(Eigen::Index(row) + 1, 0, out.rows());
    if (first < out.rows()) out.bottomRows(out.rows() - first).setConstant(nan);
    if (futureKeys) {
        const Eigen::Index firstKey = std::clamp<Eigen::Index>(Eigen::Index(row) + 1, 0, out.cols());
        if (firstKey < out.cols()) out.rightCols(out.cols() - firstKey).setConstant(nan);
    }
    return out;
}

} // namespace attnscope
