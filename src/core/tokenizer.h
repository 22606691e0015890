// Character- and word-level tokenizers (docs/model-format.md, "tokenizer"). Both share one
// Vocabulary type and one Token result so views can show chips without knowing the kind.
#pragma once

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

struct Token {
    int id = -1;          // -1 only for pieces dropped because the model has no unk token
    std::string text;     // the piece of input text (or the special token's string)
    bool unknown = false; // not in the vocabulary (mapped to unk)
    bool special = false;
};

enum class TokenizerKind { Char, Word };

struct TokenizerOptions {
    TokenizerKind kind = TokenizerKind::Char;
    bool lowercase = false;
    bool splitPunctuation = true;
};

class Tokenizer {
public:
    Tokenizer() = default;
    Tokenizer(TokenizerOptions options, Vocabulary vocab);

    // Splits text into tokens. Invalid UTF-8 bytes become U+FFFD; exact special-token
    // strings (e.g. "[MASK]") are recognised before ordinary splitting. Pieces not in the
    // vocabulary map to unk; without an unk token they are returned with id -1 and the
    // caller drops them with a warning.
    std::vector<Token> tokenize(const std::string& text) const;

    // Ids back to text: char tokens are concatenated, word tokens joined by single spaces.
    // Specials are skipped unless keepSpecials.
    std::string decode(const std::vector<int>& ids, bool keepSpecials = false) const;

    const Vocabulary& vocab() const { return m_vocab; }
    const TokenizerOptions& options() const { return m_options; }

private:
    void splitPlain(const std::string& text, std::vector<Token>& out) const;
    Token lookup(std::string piece) const;

    TokenizerOptions m_options;
    Vocabulary m_vocab;
    std::vector<std::pair<std::string, int>> m_specialStrings; // longest first
};

// UTF-8 helpers, exposed for tests and the GUI.
std::vector<std::string> splitCodePoints(const std::string& text); // invalid bytes -> U+FFFD
std::string sanitizeUtf8(const std::string& text);

} // namespace attnscope
