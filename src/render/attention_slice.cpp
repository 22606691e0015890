// See attention_slice.h. The only place that decides which tokens label a matrix.
#include "render/attention_slice.h"

#include "core/analysis/rollout.h"
#include "core/recompute.h"

#include <QCoreApplication>
#include <algorithm>

namespace attnscope {

QString tokenLabel(const Token& token, bool markUnknown)
{
    QString s = QString::fromStdString(token.text);
    // A WordPiece continuation ("##ing") keeps its marker, so pieces of one word read as such.
    if (token.piece.size() > 2 && token.piece.compare(0, 2, "##") == 0 && token.text.compare(0, 2, "##") != 0)
        s.prepend(QStringLiteral("##"));
    if (token.unknown && markUnknown) s += kUnknownMark;
    s.replace(QLatin1Char(' '), QChar(0x2423));
    s.replace(QLatin1Char('\t'), QChar(0x21E5));
    s.replace(QLatin1Char('\n'), QChar(0x23CE));
    s.replace(QLatin1Char('\r'), QChar(0x240D));
    return s;
}

QStringList tokenLabels(const std::vector<Token>& tokens)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(tokens.size()));
    for (const Token& t : tokens) out << tokenLabel(t);
    return out;
}

std::vector<Stack> availableStacks(const Trace& trace)
{
    std::vector<Stack> out;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross})
        if (!trace.stack(s).empty()) out.push_back(s);
    return out;
}

QString stackDisplayName(Stack stack)
{
    switch (stack) {
    case Stack::Encoder: return QCoreApplication::translate("AttentionSlice", "encoder self");
    case Stack::Decoder: return QCoreApplication::translate("AttentionSlice", "decoder self");
    case Stack::Cross: return QCoreApplication::translate("AttentionSlice", "cross");
    }
    return {};
}

namespace {

bool readsAndProduces(const ModelConfig& config, Stack stack)
{
    return config.type == ArchType::EncoderDecoder && stack != Stack::Encoder;
}

// Labels padded with indices when a trace and a token list disagree (never expected).
QStringList fitLabels(QStringList labels, Eigen::Index n)
{
    while (labels.size() < n) labels << QString::number(labels.size());
    while (labels.size() > n) labels.removeLast();
    return labels;
}

} // namespace

QStringList queryLabelsOf(const RunResult& result, const ModelConfig& config, Stack stack)
{
    QStringList labels = tokenLabels(queryTokens(result, config, stack));
    if (readsAndProduces(config, stack) && result.outputTokens.size() == size_t(labels.size()))
        for (qsizetype i = 0; i < labels.size(); ++i)
            labels[i] += QChar(0x2192) + tokenLabel(result.outputTokens[size_t(i)]);
    return labels;
}

QString queryAxisOf(const ModelConfig& config, Stack stack)
{
    return readsAndProduces(config, stack) ? QCoreApplication::translate("AttentionSlice", "query: reads → produces") : QCoreApplication::translate("AttentionSlice", "query");
}

AttentionSlice sliceOf(const RunResult& result, const ModelConfig& config, const HeadSelection& sel,
                       const Transformer* transformer)
{
    AttentionSlice out;
    const std::vector<LayerTrace>& layers = result.trace.stack(sel.stack);
    if (sel.layer < 0 || sel.layer >= static_cast<int>(layers.size())) return out;
    const LayerTrace& layer = layers[static_cast<size_t>(sel.layer)];
    const bool known = sel.head == kMeanOfHeads || (sel.head >= 0 && sel.head < static_cast<int>(layer.heads.size()));
    if (!known) return out;
    if (result.trace.compact) {
        if (!transformer) return out;
        try {
            out.weights = sel.head == kMeanOfHeads
                              ? recomputeMeanOfHeads(*transformer, result.trace, sel.stack, sel.layer)
                              : recomputeHead(*transformer, result.trace, sel.stack, sel.layer, sel.head).weights;
        } catch (const std::exception&) { // a transformer that does not match the trace, or out of memory
            return out;
        }
    } else if (sel.head == kMeanOfHeads) out.weights = meanOfHeads(layer);
    else out.weights = layer.heads[static_cast<size_t>(sel.head)].weights;
    out.queryLabels = fitLabels(queryLabelsOf(result, config, sel.stack), out.weights.rows());
    out.queryAxis = queryAxisOf(config, sel.stack);
    out.keyLabels = fitLabels(tokenLabels(keyTokens(result, config, sel.stack)), out.weights.cols());
    const QString what = sel.stack == Stack::Cross ? QCoreApplication::translate("AttentionSlice", "cross-attention")
                                                   : QCoreApplication::translate("AttentionSlice", "%1-attention").arg(stackDisplayName(sel.stack));
    const QString head = sel.head == kMeanOfHeads ? QCoreApplication::translate("AttentionSlice", "mean of heads")
                                                  : QCoreApplication::translate("AttentionSlice", "head %1").arg(sel.head);
    out.title = QCoreApplication::translate("AttentionSlice", "%1 · layer %2 · %3").arg(what).arg(sel.layer).arg(head);
    out.causal = sel.stack == Stack::Decoder && result.trace.causalDecoder;
    return out;
}

AttentionSlice aggregateSlice(const RunResult& result, const ModelConfig& config, Stack stack, Aggregate kind,
                              QString* why)
{
    AttentionSlice out;
    auto fail = [&](const QString& reason) {
        if (why) *why = reason;
        return AttentionSlice();
    };
    if (stack == Stack::Cross)
        return fail(QCoreApplication::translate("AttentionSlice", "Rollout and flow follow one self-attention stack through its layers, not "
                                   "cross-attention."));
    const std::vector<LayerTrace>& layers = result.trace.stack(stack);
    if (layers.empty()) return fail(QCoreApplication::translate("AttentionSlice", "This model has no %1 stack.").arg(stackDisplayName(stack)));
    if (result.trace.compact)
        return fail(QCoreApplication::translate("AttentionSlice", "Rollout and flow need every head of every layer; this input is long enough that "
                                   "heads are kept compactly and recomputed one at a time (%1 tokens).")
                        .arg(queryTokens(result, config, stack).size()));
    std::vector<MatrixRM> means;
    for (const LayerTrace& l : layers) means.push_back(meanOfHeads(l));
    const int t = static_cast<int>(means.front().rows());
    if (kind == Aggregate::Flow && t > kMaxFlowTokens)
        return fail(QCoreApplication::translate("AttentionSlice", "Attention flow is offered up to %1 tokens; this input has %2.").arg(kMaxFlowTokens).arg(t));
    out.weights = kind == Aggregate::Rollout ? attentionRollout(means) : attentionFlow(means);
    out.queryLabels = fitLabels(queryLabelsOf(result, config, stack), out.weights.rows());
    out.queryAxis = queryAxisOf(config, stack);
    out.causal = stack == Stack::Decoder && result.trace.causalDecoder;
    out.keyLabels = fitLabels(tokenLabels(keyTokens(result, config, stack)), out.weights.cols());
    out.title = QCoreApplication::translate("AttentionSlice", "%1-attention · %2 over %3 layers")
                    .arg(stackDisplayName(stack), kind == Aggregate::Rollout ? QCoreApplication::translate("AttentionSlice", "attention rollout")
                                                                             : QCoreApplication::translate("AttentionSlice", "attention flow"))
                    .arg(layers.size());
    if (why) why->clear();
    return out;
}

std::optional<KvGroup> kvGroupOf(const ModelConfig& config, int head)
{
    const int kv = config.kvHeads();
    if (kv <= 0 || kv >= config.nHeads || head < 0 || head >= config.nHeads) return std::nullopt;
    const int perGroup = config.nHeads / kv; // validated at load: kv divides nHeads
    const int group = head / perGroup;
    return KvGroup{group, group * perGroup, group * perGroup + perGroup - 1};
}

QString kvGroupText(const ModelConfig& config, int head)
{
    const std::optional<KvGroup> g = kvGroupOf(config, head);
    if (!g) return {};
    return QCoreApplication::translate("AttentionSlice", "kv group %1 (shared with heads %2–%3)").arg(g->group).arg(g->firstHead).arg(g->lastHead);
}

HeadSelection clampSelection(const Trace& trace, HeadSelection sel)
{
    const std::vector<Stack> stacks = availableStacks(trace);
    if (stacks.empty()) return sel;
    if (std::find(stacks.begin(), stacks.end(), sel.stack) == stacks.end()) sel.stack = stacks.front();
    const auto& layers = trace.stack(sel.stack);
    sel.layer = std::clamp(sel.layer, 0, static_cast<int>(layers.size()) - 1);
    const int heads = static_cast<int>(layers[static_cast<size_t>(sel.layer)].heads.size());
    if (sel.head != kMeanOfHeads) sel.head = std::clamp(sel.head, 0, std::max(0, heads - 1));
    return sel;
}

} // namespace attnscope
