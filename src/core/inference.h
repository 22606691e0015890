// Text in, trace out: tokenization with the model's framing, truncation to max_len, the
// forward pass, greedy generation and top-k predictions. Shared by the CLI and the GUI so
// both show the same numbers.
#pragma once

#include "core/model.h"
#include "core/tokenizer.h"
#include "core/trace.h"
#include "core/transformer.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

struct RunResult;

struct RunOptions {
    std::string text;
    // Token ids as the whole input instead of text (no tokenizer, no framing added): for any
    // model, e.g. ids from another tool. Each must be below Model::inputVocabRows().
    std::optional<std::vector<int>> ids;
    std::optional<std::string> target; // teacher-forced target (encoder-decoder only)
    // A second segment for sentence-pair models (encoder only): BERT's [CLS] A [SEP] B [SEP] with
    // token types 0 then 1 (when the model has token types); RoBERTa's <s> A </s></s> B </s>.
    std::optional<std::string> pair;
    bool generate = false;             // greedy decoding (decoder, encoder-decoder)
    Capture capture = Capture::Attention;
    // Bytes the requested capture may take (captureBytes(), recompute.h); above it the run uses
    // Capture::Compact instead and says so in `warnings`. 0: no limit. The app sets
    // kDefaultCaptureBudget so long inputs stay within memory.
    std::size_t captureBudget = 0;
    int topK = 5;
    std::shared_ptr<const HeadAblation> ablation; // heads to ablate in every pass (may be null)
    // Prefix reuse (decoder-only models with an output head, Capture::Attention or Full within
    // the budget, no ablation, not generating): the K/V cache of the last run made with it and that
    // run's result. runModel then recomputes only the positions after the common prefix
    // (Transformer::forwardCached) and says how many it kept in RunResult::reusedPositions; any
    // other run clears the cache. The caller keeps the two together and runs one at a time.
    DecoderCache* decoderCache = nullptr;
    const RunResult* previousRun = nullptr;
};

// 256 MiB: the shipped models keep their full capture for any input they accept; a 12-layer ×
// 12-head model switches to the compact one from 423 tokens (Full) or 683 (Attention).
constexpr std::size_t kDefaultCaptureBudget = std::size_t(256) << 20;

struct Prediction {
    int id = 0;
    std::string token;
    float probability = 0.0f;
};

struct RunResult {
    std::vector<Token> sourceTokens; // encoder input, or the decoder-only model's prompt
    std::vector<int> sourceTypes;    // token type of each source token (sentence pairs), else empty
    std::vector<Token> targetTokens; // decoder input (bos + target) or generated continuation
    std::vector<Token> outputTokens; // model's argmax per position of the top stack (see docs/cli.md)
    std::string outputText;
    std::vector<Prediction> predictions; // top-k: next token (decoder) or first [MASK] (encoder)
    int predictionPosition = -1;         // position whose logits `predictions` describe
    MatrixRM logits;                     // (T − logitsOffset, V): row r is position logitsOffset + r
    int logitsOffset = 0;                // 0, except compact decoder runs: from the prompt's last position
    Trace trace;
    std::vector<std::string> warnings;
    int reusedPositions = -1; // prefix reuse: positions kept from the previous run (−1: a full forward)
};

// Throws UsageError for requests the architecture cannot serve (e.g. a target for an
// encoder-only model). Never throws for odd text: it is sanitised and truncated with warnings.
RunResult runModel(const Transformer& transformer, const RunOptions& options);

// The source tokens runModel runs for `text` (no pair, no ids): tokenized, framed with the model's
// prefix/suffix specials and truncated to max_len; what it drops or cuts is added to `warnings`.
// For commands that need the input but not runModel's forward pass (the logit lens).
std::vector<Token> sourceTokensOf(const Model& model, const std::string& text, std::vector<std::string>& warnings);

// The tokens that label a stack's attention matrix: rows (queries) and columns (keys).
// Decoder-only models attend over source + generated tokens; encoder-decoder decoder rows are
// the decoder input. The one place these framing rules live.
std::vector<Token> queryTokens(const RunResult& result, const ModelConfig& config, Stack stack);
std::vector<Token> keyTokens(const RunResult& result, const ModelConfig& config, Stack stack);

// The readable text of one vocabulary entry: a byte-level BPE piece decoded ("Ġworld" →
// " world"), other kinds' pieces as they are, ids past the vocabulary as "<id N>".
std::string tokenText(const Tokenizer& tokenizer, int id);

// Softmax of one logits row and its k most probable entries, named by tokenText().
std::vector<Prediction> topK(const Eigen::Ref<const RowVector>& logits, const Tokenizer& tokenizer, int k);
// The same named by the raw vocabulary strings.
std::vector<Prediction> topK(const Eigen::Ref<const RowVector>& logits, const Vocabulary& vocab, int k);

} // namespace attnscope
