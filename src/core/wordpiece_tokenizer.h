// WordPiece as BERT and DistilBERT use it, giving Hugging Face's ids exactly: BertNormalizer
// (clean text, CJK spacing, accent stripping, lower-casing), BertPreTokenizer (white space and
// punctuation), then greedy longest-match-first pieces with "##" continuations.
#pragma once

#include "core/tokenizer.h"

#include <string>
#include <vector>

namespace attnscope {

struct BertNormalizerOptions {
    bool cleanText = true;          // drop NUL, U+FFFD and control characters; white space -> ' '
    bool handleChineseChars = true; // spaces around CJK ideographs
    bool stripAccents = true;       // NFD, then drop non-spacing marks (Mn)
    bool lowercase = true;
};

struct WordPieceSettings {
    BertNormalizerOptions normalizer;
    std::string continuingPrefix = "##";
    int maxInputCharsPerWord = 100; // a longer word is one unk token
    bool decodeCleanup = true;      // the decoder's " ." -> "." and the like
};

// One code point of normalised text and the byte span of the input character it came from.
struct NormalizedChar {
    char32_t cp;
    size_t begin;
    size_t end;
};

// BertNormalizer on text[begin, end) (invalid UTF-8 bytes read as U+FFFD).
std::vector<NormalizedChar> bertNormalize(const std::string& text, size_t begin, size_t end,
                                          const BertNormalizerOptions& options);

class WordPieceBackend final : public TokenizerBackend {
public:
    // vocab's Unk role is the unknown piece; added tokens are matched verbatim before splitting.
    WordPieceBackend(Vocabulary vocab, std::vector<AddedToken> added, WordPieceSettings settings);

    std::vector<Token> tokenize(const std::string& text) const override;
    std::string decode(const std::vector<int>& ids, bool keepSpecials) const override;

    const WordPieceSettings& settings() const { return m_settings; }
    const std::vector<AddedToken>& addedTokens() const { return m_added; }

private:
    void encodeSegment(const std::string& text, size_t begin, size_t end, std::vector<Token>& out) const;
    void encodeWord(const std::string& text, const std::vector<NormalizedChar>& word, std::vector<Token>& out) const;

    WordPieceSettings m_settings;
    std::vector<AddedToken> m_added;
};

} // namespace attnscope
