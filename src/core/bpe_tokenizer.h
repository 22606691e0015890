// Byte-level BPE as GPT-2 and RoBERTa use it, giving Hugging Face's ids exactly: the text is
// split by GPT-2's pre-tokeniser regex, each piece's bytes mapped to GPT-2's printable
// "byte symbols", and the symbols merged by merge rank. See docs/tokenizers.md.
#pragma once

#include "core/tokenizer.h"

#include <cstdint>
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

struct BpeSettings {
    bool addPrefixSpace = false; // a space is put before text that does not start with one
    bool ignoreMerges = false;   // a piece found whole in the vocabulary is one token (Llama 3)
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
