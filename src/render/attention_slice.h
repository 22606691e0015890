// One attention matrix ready to draw: the weights of a head (or the mean of a layer's heads)
// with the query and key token labels that belong to its rows and columns. Pure functions over
// a core RunResult, so the GUI, the CLI export and the tests all pick tokens the same way.
#pragma once

#include "core/analysis/head_stats.h"
#include "core/inference.h"
#include "core/model.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace attnscope {

constexpr int kMeanOfHeads = -1; // HeadSelection::head value for the mean of a layer's heads

struct HeadSelection {
    Stack stack = Stack::Encoder;
    int layer = 0;
    int head = 0; // kMeanOfHeads for the mean
    bool operator==(const HeadSelection& o) const
    {
        return stack == o.stack && layer == o.layer && head == o.head;
    }
};

struct AttentionSlice {
    MatrixRM weights;         // (Tq, Tk): rows are queries, columns keys
    QStringList queryLabels;  // Tq entries
    QStringList keyLabels;    // Tk entries
    QString title;            // e.g. "encoder self-attention · layer 0 · head 1"
    QString queryAxis = QStringLiteral("query"); // the rows' axis name (queryAxisOf)
    bool causal = false;      // key j > query i is masked (future keys under a causal mask): not a weight of 0
    bool empty() const { return weights.size() == 0; }
};

// Display text of a token: spaces, tabs and newlines made visible (␣ ⇥ ⏎); an unknown token
// (mapped to the unknown id) keeps its text with kUnknownMark after it, unless markUnknown is false.
inline const QString kUnknownMark = QStringLiteral("\u2047");
QString tokenLabel(const Token& token, bool markUnknown = true);
QStringList tokenLabels(const std::vector<Token>& tokens);

// Row labels, one convention for every view: encoder rows and decoder-only rows are their own
// tokens; the decoder and cross-attention rows of an encoder-decoder model read one token (the
// decoder input, shifted right: ‹s› first) and produce the next, labelled "read→produced"
// (e.g. "<s>→2"), so row 0 of the date normaliser's cross map reads "<s>→2", not "<s>" or "2" alone.
QStringList queryLabelsOf(const RunResult& result, const ModelConfig& config, Stack stack);
// The y axis's name for those rows: "query", or "query: reads → produces".
QString queryAxisOf(const ModelConfig& config, Stack stack);

// Stacks the trace holds, in display order (encoder, decoder, cross).
std::vector<Stack> availableStacks(const Trace& trace);
QString stackDisplayName(Stack stack); // "encoder self", "decoder self", "cross"

// Row/column tokens (queryTokens, keyTokens) and meanOfHeads come from core.

// The matrix and labels for a selection; empty when the selection is out of range. A compact
// trace (long inputs, Capture::Compact) keeps no matrices: given the transformer that made it,
// the head (or every head, for the mean) is recomputed here, exactly (recompute.h); without
// one, the slice is empty. A 2048-token head takes tens of milliseconds.
AttentionSlice sliceOf(const RunResult& result, const ModelConfig& config, const HeadSelection& selection,
                       const Transformer* transformer = nullptr);

// Aggregation over the layers of a self-attention stack (core's rollout.h): attention rollout
// R = Â_L·…·Â_1, or attention flow (only up to kMaxFlowTokens tokens). Empty, with the reason
// in *why, for cross-attention or a flow request on a longer input.
enum class Aggregate { Rollout, Flow };
AttentionSlice aggregateSlice(const RunResult& result, const ModelConfig& config, Stack stack, Aggregate kind,
                              QString* why = nullptr);

// Grouped-query (and multi-query) attention: query head `head` reads key/value head `group`,
// which query heads firstHead … lastHead share (ModelConfig::kvHeads() < nHeads). Every query
// head keeps its own attention matrix; only K and V are shared.
struct KvGroup {
    int group = 0;
    int firstHead = 0;
    int lastHead = 0;
};
// Empty when every head has its own keys and values, or for kMeanOfHeads / an unknown head.
std::optional<KvGroup> kvGroupOf(const ModelConfig& config, int head);
// "kv group 2 (shared with heads 4–7)", or empty as kvGroupOf.
QString kvGroupText(const ModelConfig& config, int head);

// Clamps a selection into the trace's range (first available stack, layer 0, head 0 when needed).
HeadSelection clampSelection(const Trace& trace, HeadSelection selection);

} // namespace attnscope
