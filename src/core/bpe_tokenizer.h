// Byte-level BPE as GPT-2 and RoBERTa use it, giving Hugging Face's ids exactly: the text is
// split by GPT-2's pre-tokeniser regex, each piece's bytes mapped to GPT-2's printable
// "byte symbols", and the symbols merged by merge rank. See docs/tokenizers.md.
#pragma once

#include "core/tokenizer.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

// One merge rule: symbols left + right become merged (all vocabulary ids). Rank = list index.
struct BpeMerge {
    int left = -1;
    int right = -1;
    int merged = -1;
};

// What Hugging Face's Split pre-tokenizer (and NormalizedString::split) does with a match.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
bool splitBehaviorFromString(const std::string& name, SplitBehavior& behavior);

// A stretch of a split text: [begin, end) and whether the pattern matched it.
struct SplitMatch {
    size_t begin = 0;
    size_t end = 0;
    bool match = false;
};

// The pieces NormalizedString::split keeps of the matches and gaps of a pattern, in order
// (empty ones left out).
std::vector<std::pair<size_t, size_t>> splitByBehavior(const std::vector<SplitMatch>& matches, SplitBehavior behavior);

// A Split pattern of tokenizer.json: an Oniguruma regex (Hugging Face's engine) translated to
// PCRE2 (UTF, UCP): \s / \S as Oniguruma's White_Space, \uHHHH, \v, Ruby's (?m) as dot-all,
// ^ / $ at lines. Constructs whose meaning differs between the two engines (\w, \b, \h, \R,
// \X, POSIX brackets, nested classes, {n,m}+ ...) are refused.
class SplitRegex {
public:
    // Throws std::invalid_argument with the reason when the pattern is not modelled or does not compile.
    static std::shared_ptr<const SplitRegex> compile(const std::string& onigPattern);
    static std::shared_ptr<const SplitRegex> literal(const std::string& text); // a String pattern
    ~SplitRegex();
    SplitRegex(const SplitRegex&) = delete;
    SplitRegex& operator=(const SplitRegex&) = delete;

    // Matches and gaps covering text[begin, end) (the pattern sees only that stretch), as
    // Hugging Face's find_matches over Oniguruma's find_iter; invert swaps match and gap.
    std::vector<SplitMatch> findMatches(const std::string& text, size_t begin, size_t end, bool invert = false) const;
    const std::string& pcrePattern() const { return m_pattern; }

private:
    SplitRegex() = default;
    void* m_code = nullptr; // pcre2_code
    std::string m_pattern;
};

// One Split pre-tokenizer run before ByteLevel (Llama 3, Qwen2).
struct BpeSplitStep {
    std::shared_ptr<const SplitRegex> regex;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
};

// A Unicode normal form, as tokenizer.json's NFC / NFD / NFKC / NFKD normalizers apply it.
enum class NormalForm { Nfc, Nfd, Nfkc, Nfkd };

// text[begin, end) normalised by `forms` in turn, with, for every output byte, the input span
// [first, second) it is aligned with, as Hugging Face's normalizers align them (see
// applyForm in bpe_tokenizer.cpp): a composed é from "e" + U+0301 is aligned with the "e". The
// Unicode data are utf8proc's (Debian's libutf8proc). Invalid UTF-8 bytes pass through unchanged.
struct NormalizedText {
    std::string text;
    std::vector<std::pair<size_t, size_t>> spans; // one per byte of text
};
NormalizedText normalizeUnicode(const std::string& text, size_t begin, size_t end,
                                const std::vector<NormalForm>& forms);

struct BpeSettings {
    std::vector<NormalForm> normalForms; // the normalizer (applied in order), before pre-tokenizing; empty: none
    bool addPrefixSpace = false; // a space is put before text that does not start with one
    bool ignoreMerges = false;   // a piece found whole in the vocabulary is one token (Llama 3)
    std::vector<BpeSplitStep> splits; // Split pre-tokenizers before ByteLevel, in order (no prefix space then)
    bool byteLevelRegex = true;       // ByteLevel's use_regex: GPT-2's regex splits each piece
    int modelVocabSize = -1; // ids the model itself has (not added tokens past them); -1: all
};

// GPT-2's table from bytes to printable code points: printable Latin-1 bytes map to themselves,
// the other 68 bytes to U+0100.. in byte order, so every byte has a visible vocabulary symbol.
char32_t byteToSymbol(unsigned char byte);
// The inverse; -1 for a code point that is no byte's symbol.
int symbolToByte(char32_t symbol);
// Bytes as byte symbols, UTF-8 encoded ("Hello world" -> "HelloĠworld").
std::string bytesToSymbols(const std::string& bytes);

// Splits text as GPT-2's regex does; returns [begin, end) byte spans covering text.
std::vector<std::pair<size_t, size_t>> gpt2PreTokenize(const std::string& text);

class ByteLevelBpeBackend final : public TokenizerBackend {
public:
    // merges must name valid ids of vocab; added tokens are matched verbatim before splitting.
    ByteLevelBpeBackend(Vocabulary vocab, const std::vector<BpeMerge>& merges, std::vector<AddedToken> added,
                        BpeSettings settings);

    std::vector<Token> tokenize(const std::string& text) const override;
    std::string decode(const std::vector<int>& ids, bool keepSpecials) const override;

    const BpeSettings& settings() const { return m_settings; }
    const std::vector<AddedToken>& addedTokens() const { return m_added; }
    int mergeCount() const { return static_cast<int>(m_merges.size()); }

private:
    struct Piece {
        int id;          // -1: a byte whose symbol is not in the vocabulary
        uint32_t length; // bytes of the word it covers
    };
    struct MergeRule {
        int rank;
        int merged;
    };

    void encodeSegment(const std::string& text, size_t begin, size_t end, std::vector<Token>& out) const;
    std::vector<Piece> encodeWord(const std::string& word) const; // cached
    std::vector<Piece> mergeWord(const std::string& word) const;

    BpeSettings m_settings;
    std::vector<AddedToken> m_added;
    std::unordered_map<int, size_t> m_addedById;      // id -> index in m_added
    std::unordered_map<uint64_t, MergeRule> m_merges; // (left << 32 | right) -> rule
    int m_byteIds[256];

    // Word -> pieces. Hugging Face caches the same way; words repeat a lot in text.
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<Piece>> m_cache;
};

} // namespace attnscope
