// SentencePiece-style BPE as Llama 2, TinyLlama and Mistral ship it in tokenizer.json, giving
// Hugging Face's ids and offsets exactly: a normaliser (Prepend "▁", Replace " " -> "▁"), or the
// Metaspace pre-tokenizer, then BPE over characters with byte fallback (<0xNN> tokens) or an
// unknown token, and the decoder chain (Replace, ByteFallback, Fuse, Strip, Metaspace).
// See docs/tokenizers.md.
#pragma once

#include "core/bpe_tokenizer.h"
#include "core/tokenizer.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

// One step of the normaliser (a Sequence is flattened into these).
struct SpmNormalizerStep {
    enum class Kind { Prepend, Replace } kind = Kind::Prepend;
    std::string text;                        // Prepend: what is put in front; Replace: the String pattern
    std::shared_ptr<const SplitRegex> regex; // Replace with a Regex pattern (else text)
    std::string content;                     // Replace: the replacement
};

enum class PrependScheme { Always, First, Never };

struct MetaspaceSettings {
    bool enabled = false;
    std::string replacement = "\xE2\x96\x81"; // U+2581, one character
    PrependScheme scheme = PrependScheme::Always;
    bool split = true;
};

// One step of the decoder (a Sequence is flattened into these).
struct SpmDecoderStep {
    enum class Kind { Replace, ByteFallback, Fuse, Strip, Metaspace } kind = Kind::Fuse;
    std::string pattern;                     // Replace: String pattern
    std::shared_ptr<const SplitRegex> regex; // Replace with a Regex pattern
    std::string content;                     // Replace: replacement; Strip: the character
    size_t start = 0, stop = 0;              // Strip
    MetaspaceSettings metaspace;             // Metaspace
};

struct SpmBpeSettings {
    std::vector<SpmNormalizerStep> normalizer;
    MetaspaceSettings metaspace; // the pre-tokenizer; disabled: the whole normalised text is one word
    bool byteFallback = false;
    bool fuseUnk = false;
    bool ignoreMerges = false;
    int modelVocabSize = -1; // ids the model itself has (not added tokens past them); -1: all
    bool hasDecoder = false; // without one, Hugging Face joins the tokens with spaces
    std::vector<SpmDecoderStep> decoder;
};

// Text with, for each of its bytes, the byte span of the original input it came from
// (Hugging Face's NormalizedString alignments, in absolute input offsets).
struct AlignedText {
    std::string text;
    std::vector<std::pair<size_t, size_t>> align;

    static AlignedText original(const std::string& input, size_t begin, size_t end);
    AlignedText slice(size_t begin, size_t end) const;
    void prepend(const std::string& s);                                    // aligned with the first character
    void replace(const std::string& pattern, const std::string& content); // non-overlapping, left to right
    void replace(const SplitRegex& regex, const std::string& content);
    // Input span of text[begin, end) (begin < end).
    std::pair<size_t, size_t> originalSpan(size_t begin, size_t end) const
    {
        return {align[begin].first, align[end - 1].second};
    }
};

class SentencePieceBpeBackend final : public TokenizerBackend {
public:
    // merges must name valid ids of vocab; the loader checks byte tokens and the unk token.
    SentencePieceBpeBackend(Vocabulary vocab, const std::vector<BpeMerge>& merges, std::vector<AddedToken> added,
                            SpmBpeSettings settings);

    std::vector<Token> tokenize(const std::string& text) const override;
    std::string decode(const std::vector<int>& ids, bool keepSpecials) const override;

    const SpmBpeSettings& settings() const { return m_settings; }

    // The normaliser alone (tests).
    AlignedText normalize(const std::string& text, size_t begin, size_t end) const;

private:
    struct Piece {
        int id;          // -1: unknown and no unk token
        uint32_t length; // bytes of the word it covers
    };
    struct MergeRule {
        int rank;
        int merged;
    };

    void encodeWord(const std::string& input, const AlignedText& word, std::vector<Token>& out) const;
    std::vector<Piece> mergeWord(const std::string& word) const;
    std::vector<Piece> cachedMergeWord(const std::string& word) const;
    int modelFind(const std::string& token) const; // the model's own vocabulary only

    SpmBpeSettings m_settings;
    std::vector<AddedToken> m_added;      // content as in tokenizer.json
    std::vector<AddedToken> m_normalized; // the same with each normalized token's content normalised
    std::unordered_map<int, size_t> m_addedById;
    std::unordered_map<uint64_t, MergeRule> m_merges;
    int m_byteIds[256];

    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<Piece>> m_cache;
};

} // namespace attnscope
