// Tokenizers behind one facade (docs/model-format.md "tokenizer", docs/tokenizers.md): the
// char / word tokenizers of AttnScope's own models and Hugging Face's byte-level BPE and
// WordPiece. All share one Vocabulary type and one Token result so views show chips without
// knowing the kind.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

enum class SpecialRole { Pad, Unk, Bos, Eos, Cls, Sep, Mask };
constexpr int kSpecialRoleCount = 7;
const char* toString(SpecialRole role);
bool specialRoleFromString(const std::string& name, SpecialRole& role);

class Vocabulary {
public:
    Vocabulary() = default;
    // Tokens must be unique; the caller (loader) checks that and reports the JSON path.
    explicit Vocabulary(std::vector<std::string> tokens);

    int size() const { return static_cast<int>(m_tokens.size()); }
    const std::string& token(int id) const { return m_tokens.at(static_cast<size_t>(id)); }
    int find(const std::string& token) const; // -1 when absent
    const std::vector<std::string>& tokens() const { return m_tokens; }

    // Id of a special role, -1 when the model defines none.
    int special(SpecialRole role) const { return m_special[static_cast<int>(role)]; }
    void setSpecial(SpecialRole role, int id) { m_special[static_cast<int>(role)] = id; }
    bool isSpecial(int id) const;

private:
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int> m_index;
    int m_special[kSpecialRoleCount] = {-1, -1, -1, -1, -1, -1, -1};
};

// One token of a tokenized text. begin/end are byte offsets into the original UTF-8 input
// (before any normalisation): a special token covers the typed special string, a byte-level
// BPE token exactly the input bytes it encodes (it may cut a multi-byte character), a WordPiece
// piece the original characters its normalised characters came from (as Hugging Face's offsets).
struct Token {
    int id = -1;          // -1 only for pieces dropped because the model has no unk token
    std::string text;     // what a chip shows. Char/word: the (lower-cased) piece, as it always
                          // was; BPE/WordPiece: the input bytes [begin, end) as valid UTF-8
    bool unknown = false; // not in the vocabulary (mapped to unk)
    bool special = false;
    size_t begin = 0; // byte span of the input this token covers
    size_t end = 0;
    std::string piece; // the vocabulary string ("Ġworld", "##ing"); the unk token's when unknown
};

// SentencePieceBpe: Llama-2 / Mistral / llama2.c style BPE over "▁"-marked text with byte fallback
// (core/sentencepiece_bpe.h); ByteLevelBpe: GPT-2 / RoBERTa / Llama-3 / Qwen2 byte-level BPE.
enum class TokenizerKind { Char, Word, ByteLevelBpe, WordPiece, SentencePieceBpe };
const char* toString(TokenizerKind kind); // "char", "word", "bpe", "wordpiece", "sentencepiece-bpe"

struct TokenizerOptions {
    TokenizerKind kind = TokenizerKind::Char;
    bool lowercase = false;
    bool splitPunctuation = true; // char / word only
};

// A token string matched verbatim in the input before ordinary splitting (Hugging Face's
// "added tokens"; the char/word tokenizers use their special tokens).
struct AddedToken {
    std::string content;
    int id = -1;
    bool special = true; // skipped by decode() unless keepSpecials
    bool lstrip = false; // the match swallows white space before it (RoBERTa's "<mask>")
    bool rstrip = false; // ... and after it
    bool singleWord = false; // matched only where no word character (\w) touches it
    bool normalized = false; // matched in the second pass, on the normalised text (Hugging Face's
                             // "normalized": true); the backend says what that text is
};

// One stretch of a text split at added tokens: [begin, end) bytes and the index of the added
// token matched there (-1 for plain text).
struct AddedSplit {
    size_t begin = 0;
    size_t end = 0;
    int added = -1;
};

// What a tokenizer kind implements. Immutable once built; safe to share between threads.
class TokenizerBackend {
public:
    TokenizerBackend(TokenizerOptions options, Vocabulary vocab);
    virtual ~TokenizerBackend() = default;
    TokenizerBackend(const TokenizerBackend&) = delete;
    TokenizerBackend& operator=(const TokenizerBackend&) = delete;

    virtual std::vector<Token> tokenize(const std::string& text) const = 0;
    virtual std::string decode(const std::vector<int>& ids, bool keepSpecials) const = 0;

    const Vocabulary& vocab() const { return m_vocab; }
    const TokenizerOptions& options() const { return m_options; }

protected:
    TokenizerOptions m_options;
    Vocabulary m_vocab;
};

// The value type the rest of the program holds; copies share one backend.
class Tokenizer {
public:
    Tokenizer(); // a char tokenizer with an empty vocabulary
    // A char or word tokenizer (options.kind must be Char or Word).
    Tokenizer(TokenizerOptions options, Vocabulary vocab);
    explicit Tokenizer(std::shared_ptr<const TokenizerBackend> backend);

    // Splits text into tokens. Exact special/added token strings (e.g. "[MASK]") are recognised
    // before ordinary splitting. Char/word: invalid UTF-8 bytes become U+FFFD; pieces not in the
    // vocabulary map to unk, and without an unk token they are returned with id -1 and the
    // caller drops them with a warning. Byte-level BPE encodes any bytes.
    std::vector<Token> tokenize(const std::string& text) const { return m_backend->tokenize(text); }

    // Ids back to text: char tokens are concatenated, word tokens joined by single spaces, BPE
    // bytes decoded (invalid UTF-8 -> U+FFFD), WordPiece joined as Hugging Face's decoder does.
    // Specials are skipped unless keepSpecials.
    std::string decode(const std::vector<int>& ids, bool keepSpecials = false) const
    {
        return m_backend->decode(ids, keepSpecials);
    }

    const Vocabulary& vocab() const { return m_backend->vocab(); }
    const TokenizerOptions& options() const { return m_backend->options(); }
    const TokenizerBackend& backend() const { return *m_backend; }

private:
    std::shared_ptr<const TokenizerBackend> m_backend;
};

// Hugging Face's AddedVocabulary::find_matches on the "sentence" text[begin, end) with the added
// tokens whose normalized flag is `normalized`: non-overlapping matches, leftmost then longest;
// a single_word match touching a word character (Unicode \w) inside the sentence is dropped;
// lstrip / rstrip widen a match over Unicode white space (never into the previous match). The
// splits cover [begin, end) in order; empty plain stretches are left out.
std::vector<AddedSplit> findAddedTokens(const std::string& text, size_t begin, size_t end,
                                        const std::vector<AddedToken>& added, bool normalized);

// Splits text at the added tokens as Hugging Face does when no normaliser changes the text:
// first the non-normalized tokens on the whole text, then the normalized ones on each stretch
// left between them. Appends a special Token for each match and calls plain(begin, end) for
// every non-empty stretch of text between them, in order.
void splitOnAddedTokens(const std::string& text, const std::vector<AddedToken>& added,
                        const std::function<void(size_t, size_t)>& plain, std::vector<Token>& out);

// The vocabulary of a checkpoint without tokenizer files: the ids themselves ("#15"), read back
// from text like "#15 #995" by a word tokenizer.
Tokenizer idsOnlyTokenizer(int vocabSize);

// Unicode character classes as Rust's regex crate has them (Hugging Face's \s and \w).
bool isUnicodeWhiteSpace(char32_t cp);
bool isUnicodeWordChar(char32_t cp);

// UTF-8 helpers, exposed for tests and the GUI.
std::vector<std::string> splitCodePoints(const std::string& text); // invalid bytes -> U+FFFD
std::string sanitizeUtf8(const std::string& text);
// Replaces invalid UTF-8 by U+FFFD, one per maximal invalid subpart (as Rust's
// String::from_utf8_lossy and the Unicode standard's recommended practice do; sanitizeUtf8
// above replaces every invalid byte, as the char / word tokenizers always have).
std::string lossyUtf8(const std::string& bytes);
// Length of the valid UTF-8 sequence at text[i] (1-4), 0 when the bytes there are invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid too). i < size.
size_t utf8SequenceLength(const std::string& text, size_t i);
// Decodes the valid sequence of length len at text[i].
char32_t utf8Decode(const std::string& text, size_t i, size_t len);
void appendUtf8(std::string& out, char32_t cp);

} // namespace attnscope
