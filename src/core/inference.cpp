// See inference.h. All architecture-specific framing rules live here, once.
#include "core/inference.h"

#include "core/errors.h"
#include "core/recompute.h"

#include <algorithm>
#include <numeric>

namespace attnscope {

namespace {

Token specialToken(const Vocabulary& vocab, SpecialRole role)
{
    Token t;
    t.id = vocab.special(role);
    t.text = vocab.token(t.id);
    t.special = true;
    return t;
}

Token tokenFromId(const Vocabulary& vocab, int id)
{
    Token t;
    t.id = id;
    // Ids past the tokenizer's vocabulary exist in checkpoints whose embedding was padded.
    t.text = id < vocab.size() ? vocab.token(id) : "<id " + std::to_string(id) + ">";
    t.special = id < vocab.size() && vocab.isSpecial(id);
    if (id < vocab.size()) t.piece = vocab.token(id);
    return t;
}

Token tokenFromId(const Tokenizer& tokenizer, int id)
{
    Token t = tokenFromId(tokenizer.vocab(), id);
    if (id < tokenizer.vocab().size()) t.text = tokenText(tokenizer, id);
    return t;
}

std::vector<int> idsOf(const std::vector<Token>& tokens)
{
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (const Token& t : tokens) ids.push_back(t.id);
    return ids;
}

// Tokenizes text; drops pieces the vocabulary cannot represent (no unk) with a warning.
std::vector<Token> tokenizeText(const Tokenizer& tok, const std::string& text, const char* what,
                                std::vector<std::string>& warnings)
{
    std::vector<Token> tokens = tok.tokenize(text);
    const auto dropped = std::count_if(tokens.begin(), tokens.end(), [](const Token& t) { return t.id < 0; });
    if (dropped > 0) {
        tokens.erase(std::remove_if(tokens.begin(), tokens.end(), [](const Token& t) { return t.id < 0; }), tokens.end());
        warnings.push_back(std::to_string(dropped) + " " + what + " piece(s) are not in the vocabulary and the model " +
                           "has no unknown token; they were dropped");
    }
    return tokens;
}

// prefix + body + suffix, with body shortened so the total fits in maxLen.
std::vector<Token> frame(const Vocabulary& vocab, const std::vector<SpecialRole>& prefix, std::vector<Token> body,
                         const std::vector<SpecialRole>& suffix, int maxLen, const char* what,
                         std::vector<std::string>& warnings)
{
    const int fixed = static_cast<int>(prefix.size() + suffix.size());
    const int room = std::max(0, maxLen - fixed);
    if (static_cast<int>(body.size()) > room) {
        warnings.push_back(std::string(what) + " has " + std::to_string(body.size() + fixed) +
                           " tokens; truncated to max_len " + std::to_string(maxLen));
        body.resize(static_cast<size_t>(room));
    }
    std::vector<Token> out;
    for (const SpecialRole r : prefix) out.push_back(specialToken(vocab, r));
    for (Token& t : body) out.push_back(std::move(t));
    for (const SpecialRole r : suffix) out.push_back(specialToken(vocab, r));
    if (static_cast<int>(out.size()) > maxLen) out.resize(static_cast<size_t>(maxLen));
    return out;
}

std::vector<Token> argmaxTokens(const MatrixRM& logits, const Tokenizer& vocab)
{
    std::vector<Token> out;
    if (logits.cols() == 0) return out; // no output head
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
        Eigen::Index best = 0;
        logits.row(i).maxCoeff(&best);
        out.push_back(tokenFromId(vocab, static_cast<int>(best)));
    }
    return out;
}

} // namespace

std::vector<Token> sourceTokensOf(const Model& m, const std::string& text, std::vector<std::string>& warnings)
{
    std::vector<Token> body = tokenizeText(m.sourceTokenizer, text, "input", warnings);
    return frame(m.sourceTokenizer.vocab(), m.sourcePrefix, std::move(body), m.sourceSuffix, m.config.maxLen, "input",
                 warnings);
}

std::vector<Token> queryTokens(const RunResult& result, const ModelConfig& config, Stack stack)
{
    if (config.type == ArchType::Decoder) {
        std::vector<Token> all = result.sourceTokens;
        all.insert(all.end(), result.targetTokens.begin(), result.targetTokens.end());
        return all;
    }
    return stack == Stack::Encoder ? result.sourceTokens : result.targetTokens;
}

std::vector<Token> keyTokens(const RunResult& result, const ModelConfig& config, Stack stack)
{
    if (config.type == ArchType::Decoder) return queryTokens(result, config, stack);
    return stack == Stack::Decoder ? result.targetTokens : result.sourceTokens;
}

std::string tokenText(const Tokenizer& tokenizer, int id)
{
    const Vocabulary& v = tokenizer.vocab();
    if (id < 0 || id >= v.size()) return "<id " + std::to_string(id) + ">";
    // Byte-level and SentencePiece pieces ("Ġworld", "▁world", "<0xE2>") read as the text they
    // stand for; other kinds' pieces ("##ing", a character, a word) are already readable.
    const TokenizerKind kind = tokenizer.options().kind;
    if ((kind == TokenizerKind::ByteLevelBpe || kind == TokenizerKind::SentencePieceBpe) && !v.isSpecial(id))
        return tokenizer.decode({id}, true);
    return v.token(id);
}

std::vector<Prediction> topK(const Eigen::Ref<const RowVector>& logits, const Tokenizer& tokenizer, int k)
{
    std::vector<Prediction> out = topK(logits, tokenizer.vocab(), k);
    for (Prediction& p : out)
        if (p.id < tokenizer.vocab().size()) p.token = tokenText(tokenizer, p.id);
    return out;
}

std::vector<Prediction> topK(const Eigen::Ref<const RowVector>& logits, const Vocabulary& vocab, int k)
{
    if (logits.size() == 0) return {}; // no output head
    // Stable softmax: shift by the maximum so exp never overflows.
    const RowVector p = (logits.array() - logits.maxCoeff()).exp().matrix();
    const float sum = p.sum();
    std::vector<int> order(static_cast<size_t>(logits.size()));
    std::iota(order.begin(), order.end(), 0);
    k = std::max(0, std::min<int>(k, static_cast<int>(order.size())));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&p](int a, int b) { return p[a] > p[b]; });
    std::vector<Prediction> out;
    for (int i = 0; i < k; ++i) out.push_back({order[i], tokenFromId(vocab, order[i]).text, p[order[i]] / sum});
    return out;
}

RunResult runModel(const Transformer& transformer, const RunOptions& options)
{
    const Model& m = transformer.model();
    const ModelConfig& c = m.config;
    const Vocabulary& sv = m.sourceTokenizer.vocab();
    RunResult r;

    if (c.isVision())
        throw UsageError(m.name + " is an image model (ViT): it takes an image, not text (attnscope-cli run MODEL --image FILE)");
    if (options.target && c.type != ArchType::EncoderDecoder)
        throw UsageError("--target needs an encoder-decoder model; this model is " + toString(c.type));
    if (options.generate && c.type == ArchType::Encoder)
        throw UsageError("--generate needs a decoder or encoder-decoder model; this model is encoder-only");

    if (options.ids) {
        const int rows = m.inputVocabRows();
        for (const int id : *options.ids) {
            if (id < 0 || id >= rows)
                throw UsageError("token id " + std::to_string(id) + " is outside the model's vocabulary [0, " +
                                 std::to_string(rows) + ")");
            r.sourceTokens.push_back(tokenFromId(m.sourceTokenizer, id));
        }
        if (static_cast<int>(r.sourceTokens.size()) > c.maxLen) {
            r.warnings.push_back("input has " + std::to_string(r.sourceTokens.size()) + " tokens; truncated to max_len " +
                                 std::to_string(c.maxLen));
            r.sourceTokens.resize(size_t(c.maxLen));
        }
    } else if (options.pair) {
        if (c.type != ArchType::Encoder)
            throw UsageError("a sentence pair needs an encoder model; this model is " + toString(c.type));
        if (m.sourceSuffix.empty())
            throw UsageError("this model has no separator token to join a sentence pair with");
        std::vector<Token> a = tokenizeText(m.sourceTokenizer, options.text, "input", r.warnings);
        std::vector<Token> b = tokenizeText(m.sourceTokenizer, *options.pair, "second input", r.warnings);
        // BERT: [CLS] A [SEP] B [SEP]; a model that opens with bos (RoBERTa) repeats its closing
        // token between the segments: <s> A </s></s> B </s>.
        const bool roberta = !m.sourcePrefix.empty() && m.sourcePrefix.front() == SpecialRole::Bos;
        std::vector<SpecialRole> middle = m.sourceSuffix;
        if (roberta) middle.insert(middle.end(), m.sourceSuffix.begin(), m.sourceSuffix.end());
        const size_t fixed = m.sourcePrefix.size() + middle.size() + m.sourceSuffix.size();
        const size_t room = size_t(std::max(0, c.maxLen - int(fixed)));
        if (a.size() + b.size() > room) {
            r.warnings.push_back("the pair has " + std::to_string(a.size() + b.size() + fixed) +
                                 " tokens; the longer segment was shortened to fit max_len " + std::to_string(c.maxLen));
            while (a.size() + b.size() > room) (a.size() >= b.size() ? a : b).pop_back(); // longest first
        }
        for (const SpecialRole role : m.sourcePrefix) r.sourceTokens.push_back(specialToken(sv, role));
        for (Token& t : a) r.sourceTokens.push_back(std::move(t));
        for (const SpecialRole role : middle) r.sourceTokens.push_back(specialToken(sv, role));
        const size_t firstB = r.sourceTokens.size();
        for (Token& t : b) r.sourceTokens.push_back(std::move(t));
        for (const SpecialRole role : m.sourceSuffix) r.sourceTokens.push_back(specialToken(sv, role));
        if (c.typeVocab >= 2) {
            r.sourceTypes.assign(r.sourceTokens.size(), 0);
            std::fill(r.sourceTypes.begin() + std::ptrdiff_t(firstB), r.sourceTypes.end(), 1);
        }
    } else {
        r.sourceTokens = sourceTokensOf(m, options.text, r.warnings);
    }
    const std::vector<int> sourceIds = idsOf(r.sourceTokens);
    if (sourceIds.empty()) {
        r.warnings.push_back("empty input: nothing to run");
        return r;
    }

    // The capture this run can afford; the decoder length is known once generation is done.
    auto captureFor = [&](int sourceLen, int targetLen) {
        if (options.captureBudget == 0 || options.capture == Capture::None || options.capture == Capture::Compact)
            return options.capture;
        if (captureBytes(c, sourceLen, targetLen, options.capture) <= options.captureBudget) return options.capture;
        r.warnings.push_back("long input: attention is kept compactly and each head is recomputed when shown (" +
                             std::to_string(captureBytes(c, sourceLen, targetLen, options.capture) >> 20) +
                             " MiB would exceed the " + std::to_string(options.captureBudget >> 20) + " MiB budget)");
        return Capture::Compact;
    };

    switch (c.type) {
    case ArchType::Encoder: {
        const Capture capture = captureFor(static_cast<int>(sourceIds.size()), 0);
        ForwardOptions fo;
        fo.ablation = options.ablation.get();
        fo.sourceTypes = r.sourceTypes.empty() ? nullptr : &r.sourceTypes;
        ForwardResult f = transformer.forward(sourceIds, {}, capture, fo);
        r.logits = std::move(f.logits);
        r.trace = std::move(f.trace);
        r.outputTokens = argmaxTokens(r.logits, m.sourceTokenizer);
        // Output text: the input with every [MASK] replaced by the model's prediction.
        const int maskId = sv.special(SpecialRole::Mask);
        std::vector<int> filled = sourceIds;
        for (size_t i = 0; i < filled.size() && !r.outputTokens.empty(); ++i) {
            if (filled[i] == maskId) {
                filled[i] = r.outputTokens[i].id;
                if (r.predictionPosition < 0) r.predictionPosition = static_cast<int>(i);
            }
        }
        r.outputText = m.sourceTokenizer.decode(filled);
        break;
    }
    case ArchType::Decoder: {
        std::vector<int> ids = sourceIds;
        if (options.generate) {
            const std::vector<int> gen = transformer.greedy(sourceIds, c.maxLen, options.ablation.get());
            for (const int id : gen) r.targetTokens.push_back(tokenFromId(m.sourceTokenizer, id));
            ids.insert(ids.end(), gen.begin(), gen.end());
            r.outputTokens = r.targetTokens;
            r.outputText = m.sourceTokenizer.decode(gen);
        }
        const Capture capture = captureFor(static_cast<int>(ids.size()), 0);
        // Long inputs: only the logits from the prompt's last position on (the rest are T × V floats).
        r.logitsOffset = capture == Capture::Compact ? static_cast<int>(sourceIds.size()) - 1 : 0;
        const bool reuse = options.decoderCache && !options.generate &&
                           (capture == Capture::Attention || capture == Capture::Full) &&
                           !options.ablation && c.lmHead && r.logitsOffset == 0;
        ForwardResult f;
        if (reuse) {
            const RunResult* prev = options.previousRun;
            const bool prevFits = prev && prev->logitsOffset == 0 && !prev->trace.compact;
            f = transformer.forwardCached(ids, capture, *options.decoderCache, prevFits ? &prev->trace : nullptr,
                                          prevFits ? &prev->logits : nullptr, &r.reusedPositions);
        } else {
            if (options.decoderCache) options.decoderCache->clear(); // no longer in step with any result
            f = transformer.forward(ids, {}, capture, options.ablation.get(), r.logitsOffset);
        }
        r.logits = std::move(f.logits);
        r.trace = std::move(f.trace);
        if (!options.generate) {
            r.outputTokens = argmaxTokens(r.logits.bottomRows(1), m.sourceTokenizer);
            r.outputText = m.sourceTokenizer.decode({r.outputTokens.front().id}, true);
        }
        r.predictionPosition = static_cast<int>(sourceIds.size()) - 1;
        break;
    }
    case ArchType::EncoderDecoder: {
        const Vocabulary& tv = m.targetTokenizer.vocab();
        std::vector<int> targetIds;
        if (options.target) {
            std::vector<Token> tbody = tokenizeText(m.targetTokenizer, *options.target, "target", r.warnings);
            r.targetTokens = frame(tv, {SpecialRole::Bos}, std::move(tbody), {}, c.maxLen, "target", r.warnings);
            targetIds = idsOf(r.targetTokens);
        } else {
            // Generation is the default: an encoder-decoder model's point is its output.
            const std::vector<int> gen = transformer.greedy(sourceIds, c.maxLen, options.ablation.get());
            targetIds.push_back(tv.special(SpecialRole::Bos));
            // Decoder input = bos + generated without its last token: row i predicts token i+1.
            targetIds.insert(targetIds.end(), gen.begin(), gen.empty() ? gen.end() : gen.end() - 1);
            for (const int id : targetIds) r.targetTokens.push_back(tokenFromId(m.targetTokenizer, id));
        }
        const Capture capture =
            captureFor(static_cast<int>(sourceIds.size()), static_cast<int>(targetIds.size()));
        ForwardResult f = transformer.forward(sourceIds, targetIds, capture, options.ablation.get());
        r.logits = std::move(f.logits);
        r.trace = std::move(f.trace);
        r.outputTokens = argmaxTokens(r.logits, m.targetTokenizer);
        std::vector<int> outIds;
        for (const Token& t : r.outputTokens) {
            if (t.id == tv.special(SpecialRole::Eos)) break;
            outIds.push_back(t.id);
        }
        r.outputText = m.targetTokenizer.decode(outIds);
        r.predictionPosition = static_cast<int>(targetIds.size()) - 1;
        break;
    }
    }
    const int predictionRow = r.predictionPosition - r.logitsOffset;
    if (predictionRow >= 0 && predictionRow < r.logits.rows())
        r.predictions = topK(r.logits.row(predictionRow), m.outputTokenizer(), options.topK);
    return r;
}

} // namespace attnscope
