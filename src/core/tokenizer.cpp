// Tokenizer implementation. Decoding is done by hand (no locale, no ICU) so results are the
// same on every machine; the Python twin in tools/ follows the same rules.
#include "core/tokenizer.h"

#include <algorithm>

namespace attnscope {

namespace {
const char* const kRoleNames[kSpecialRoleCount] = {"pad", "unk", "bos", "eos", "cls", "sep", "mask"};
const char* const kReplacement = "\xEF\xBF\xBD"; // U+FFFD

bool isAsciiSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isAsciiPunct(unsigned char c) { return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126); }

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid too).
size_t utf8Length(const std::string& s, size_t i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    size_t len;
    unsigned cp;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
    else return 0;
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}
} // namespace

const char* toString(SpecialRole role) { return kRoleNames[static_cast<int>(role)]; }

bool specialRoleFromString(const std::string& name, SpecialRole& role)
{
    for (int r = 0; r < kSpecialRoleCount; ++r) {
        if (name == kRoleNames[r]) {
            role = static_cast<SpecialRole>(r);
            return true;
        }
    }
    return false;
}

std::vector<std::string> splitCodePoints(const std::string& text)
{
    std::vector<std::string> out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const size_t len = utf8Length(text, i);
        if (len == 0) {
            out.emplace_back(kReplacement);
            ++i;
        } else {
            out.emplace_back(text, i, len);
            i += len;
        }
    }
    return out;
}

std::string sanitizeUtf8(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (const auto& cp : splitCodePoints(text))
        out += cp;
    return out;
}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : m_tokens(std::move(tokens))
{
    m_index.reserve(m_tokens.size());
    for (size_t i = 0; i < m_tokens.size(); ++i)
        m_index.emplace(m_tokens[i], static_cast<int>(i));
}

int Vocabulary::find(const std::string& token) const
{
    const auto it = m_index.find(token);
    return it == m_index.end() ? -1 : it->second;
}

bool Vocabulary::isSpecial(int id) const
{
    return id >= 0 && std::find(std::begin(m_special), std::end(m_special), id) != std::end(m_special);
}

Tokenizer::Tokenizer(TokenizerOptions options, Vocabulary vocab) : m_options(options), m_vocab(std::move(vocab))
{
    for (int r = 0; r < kSpecialRoleCount; ++r) {
        const int id = m_vocab.special(static_cast<SpecialRole>(r));
        if (id >= 0 && !m_vocab.token(id).empty())
            m_specialStrings.emplace_back(m_vocab.token(id), id);
    }
    std::sort(m_specialStrings.begin(), m_specialStrings.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

Token Tokenizer::lookup(std::string piece) const
{
    if (m_options.lowercase)
        for (char& c : piece)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    Token t;
    t.text = piece;
    t.id = m_vocab.find(piece);
    if (t.id < 0) {
        t.unknown = true;
        t.id = m_vocab.special(SpecialRole::Unk);
    }
    return t;
}

void Tokenizer::splitPlain(const std::string& text, std::vector<Token>& out) const
{
    if (m_options.kind == TokenizerKind::Char) {
        for (auto& cp : splitCodePoints(text))
            out.push_back(lookup(std::move(cp)));
        return;
    }
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(lookup(std::move(word)));
        word.clear();
    };
    for (const auto& cp : splitCodePoints(text)) {
        const auto c = static_cast<unsigned char>(cp[0]);
        if (cp.size() == 1 && isAsciiSpace(c)) {
            flush();
        } else if (cp.size() == 1 && m_options.splitPunctuation && isAsciiPunct(c)) {
            flush();
            out.push_back(lookup(cp));
        } else {
            word += cp;
        }
    }
    flush();
}

std::vector<Token> Tokenizer::tokenize(const std::string& text) const
{
    std::vector<Token> out;
    size_t start = 0;
    size_t i = 0;
    // Scan for verbatim special-token strings; text between them is split normally.
    while (i < text.size()) {
        bool matched = false;
        for (const auto& [str, id] : m_specialStrings) {
            if (text.compare(i, str.size(), str) == 0) {
                splitPlain(text.substr(start, i - start), out);
                Token t;
                t.id = id;
                t.text = str;
                t.special = true;
                out.push_back(std::move(t));
                i += str.size();
                start = i;
                matched = true;
                break;
            }
        }
        if (!matched) ++i;
    }
    splitPlain(text.substr(start), out);
    return out;
}

std::string Tokenizer::decode(const std::vector<int>& ids, bool keepSpecials) const
{
    std::string out;
    for (const int id : ids) {
        if (id < 0 || id >= m_vocab.size()) continue;
        if (!keepSpecials && m_vocab.isSpecial(id)) continue;
        if (m_options.kind == TokenizerKind::Word && !out.empty()) out += ' ';
        out += m_vocab.token(id);
    }
    return out;
}

} // namespace attnscope
