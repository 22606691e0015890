// The generation timeline of a decoder-only or encoder-decoder run: per decoding step the
// tokens the decoder has seen, the token chosen there, its probability and the top-k
// alternatives, and the attention rows computed so far. Because decoder self-attention is
// causal (and cross-attention keys are the fixed encoder output), row t of one forward pass
// over the whole sequence equals the last row of a forward pass over its first t+1 tokens:
// the rows of the full pass are exactly the rows each incremental step computed.
#pragma once

#include "core/inference.h"
#include "core/model.h"

#include <string>
#include <vector>

namespace attnscope {

struct TimelineStep {
    int row = 0;                   // decoder query row whose output chose the token
    std::vector<Token> prefix;     // decoder tokens 0..row: what the decoder has seen at this step
    Token chosen;                  // the token produced at this step (generated; teacher-forced: argmax)
    float probability = 0.0f;      // softmax probability of `chosen` at `row`
    std::vector<Prediction> topK;  // the k most probable next tokens at `row`, best first
    bool hasNextInput = false;     // teacher-forced runs: the target token fed at the next step
    Token nextInput;
};

struct DecodingTimeline {
    bool available = false;
    std::string reason;            // why there is no timeline (encoder-only, nothing generated, …)
    bool teacherForced = false;    // encoder-decoder with a typed target
    bool hasCross = false;         // encoder-decoder: cross-attention rows grow with the steps too
    int promptRows = 0;            // decoder-only: prompt positions (all computed by step 0)
    std::vector<Token> decoderTokens; // every row of the decoder stack
    std::vector<TimelineStep> steps;
};

// Steps of `run`. Decoder-only: one step per generated token (run with RunOptions::generate);
// step s is row promptRows − 1 + s and chose generated token s. Encoder-decoder: one step per
// decoder row t, which chose output token t (teacherForced: the model's argmax, while the
// target token is what the next step is fed). k alternatives per step.
DecodingTimeline decodingTimeline(const RunResult& run, const Model& model, bool teacherForced, int k = 5);

// What a step shows of one attention matrix (Tq, Tk) of the decoder stack: rows 0..row as
// computed, later rows NaN (not computed yet); with futureKeys (decoder self-attention) also
// the keys after `row` are NaN in every row, as those tokens do not exist yet at this step.
MatrixRM timelineFrame(const Eigen::Ref<const MatrixRM>& weights, int row, bool futureKeys);

} // namespace attnscope
