// Head census (every layer × head of a stack: entropy, distance, previous-token, first-token,
// special-token share, induction) and head importance by single-head ablation (Michel et al.
// 2019). Definitions: DOMAIN.md "Head statistics". Pure functions over core results.
#pragma once

#include "core/inference.h"
#include "core/trace.h"
#include "core/transformer.h"

#include <string>
#include <utility>
#include <vector>

namespace attnscope {

enum class HeadStatistic { Entropy, MeanDistance, PreviousToken, FirstToken, SpecialTokens, Induction };
constexpr int kHeadStatisticCount = 6;
const char* toString(HeadStatistic s);       // "entropy", "mean_distance", ...
const char* displayName(HeadStatistic s);    // "Entropy (nats)", ...

struct HeadCensus {
    Stack stack = Stack::Encoder;
    int layers = 0;
    int heads = 0;
    // One (layers × heads) matrix per statistic, indexed by int(HeadStatistic). Induction is
    // NaN where it is not defined (anything but the self-attention of a decoder-only model).
    std::vector<MatrixRM> values;

    float value(HeadStatistic s, int layer, int head) const { return values[size_t(s)](layer, head); }
    std::string toCsv() const; // stack,layer,head,entropy,mean_distance,... one row per head
};

struct InductionProbe {
    int length = 25;   // n: random tokens, repeated once (clamped to fit max_len)
    int seeds = 5;     // sequences averaged
};

// Statistics of `run`'s trace for one stack, plus the induction probe for decoder-only models.
HeadCensus computeCensus(const Transformer& transformer, const RunResult& run, Stack stack,
                         const InductionProbe& probe = {});

// Induction scores (layers × heads) of a decoder-only model on repeated random tokens.
MatrixRM inductionScores(const Transformer& transformer, const InductionProbe& probe);

// Importance of every head of `stack`: the mean drop in log-probability of the unablated
// model's own argmax predictions when that head alone is zero-ablated. Rows scored:
// encoder-only: [MASK] positions (all positions when there is none); decoder-only: the
// prediction position; encoder-decoder: every decoder row. Returns (layers × heads).
MatrixRM headImportance(const Transformer& transformer, const RunResult& run, Stack stack);

// Mean ablation values: each head's output A·V averaged over the positions of a reference
// run (run with Capture::Full). Returns an ablation that replaces the listed heads with them.
HeadAblation meanAblation(const Trace& referenceFull, const std::vector<std::tuple<Stack, int, int>>& heads);

// Per-stack analysis of one run: the census and the head importance of every stack asked for.
struct RunAnalysis {
    std::vector<HeadCensus> census;                     // one per stack, in display order
    std::vector<std::pair<Stack, MatrixRM>> importance; // (layers × heads) log-prob drop per stack
    const HeadCensus* censusOf(Stack stack) const;
    const MatrixRM* importanceOf(Stack stack) const;
    // stack,layer,head,<statistics>,importance: one row per head of every stack, in order.
    std::string toCsv() const;
};

// The analysis the app shows and the CLI prints, in one place. The census is of `run` (what is
// drawn, ablated or not); the importance is of `intact`, the same input run without ablation
// (pass `run` again when there is none), so a switched-off head does not change the map that
// is meant to say which heads matter. `stacks` empty: every stack of the trace.
RunAnalysis analyseRun(const Transformer& transformer, const RunResult& run, const RunResult& intact,
                       const std::vector<Stack>& stacks = {});

} // namespace attnscope
