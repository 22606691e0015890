// The Tokenizer facade, the shared added-token splitter and the char / word backend. UTF-8 is
// decoded by hand (no locale, no ICU) so results are the same on every machine; the Python
// twin in tools/ follows the same rules for char / word.
#include "core/tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cassert>

namespace attnscope {

namespace {
const char* const kRoleNames[kSpecialRoleCount] = {"pad", "unk", "bos", "eos", "cls", "sep", "mask"};
const char* const kReplacement = "\xEF\xBF\xBD"; // U+FFFD

bool isAsciiSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isAsciiPunct(unsigned char c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

} // namespace

size_t utf8SequenceLength(const std::string& s, size_t i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    size_t len;
    unsigned cp;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
    } else return 0;
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

char32_t utf8Decode(const std::string& s, size_t i, size_t len)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (len == 1) return b0;
    char32_t cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return cp;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

const char* toString(SpecialRole role) { return kRoleNames[static_cast<int>(role)]; }

const char* toString(TokenizerKind kind)
{
    switch (kind) {
    case TokenizerKind::Char: return "char";
    case TokenizerKind::Word: return "word";
    case TokenizerKind::ByteLevelBpe: return "bpe";
    case TokenizerKind::SentencePieceBpe: return "sentencepiece-bpe";
    case TokenizerKind::WordPiece: return "wordpiece";
    }
    return "?";
}

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
        const size_t len = utf8SequenceLength(text, i);
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
    for (const auto& cp : splitCodePoints(text)) out += cp;
    return out;
}

std::string lossyUtf8(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const size_t len = utf8SequenceLength(s, i);
        if (len > 0) {
            out.append(s, i, len);
            i += len;
            continue;
        }
        // The maximal subpart: the lead byte plus the continuation bytes that could still have
        // completed a valid sequence.
        const auto b0 = static_cast<unsigned char>(s[i]);
        size_t need = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) need = 1;
        else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            if (b0 == 0xE0) lo = 0xA0;
            if (b0 == 0xED) hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            if (b0 == 0xF0) lo = 0x90;
            if (b0 == 0xF4) hi = 0x8F;
        }
        size_t j = i + 1;
        for (size_t k = 0; k < need && j < s.size(); ++k, ++j) {
            const auto b = static_cast<unsigned char>(s[j]);
            if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) break;
        }
        out += "\xEF\xBF\xBD";
        i = j;
    }
    return out;
}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : m_tokens(std::move(tokens))
{
    m_index.reserve(m_tokens.size());
    for (size_t i = 0; i < m_tokens.size(); ++i) m_index.emplace(m_tokens[i], static_cast<int>(i));
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

TokenizerBackend::TokenizerBackend(TokenizerOptions options, Vocabulary vocab)
    : m_options(options), m_vocab(std::move(vocab))
{
}

bool isUnicodeWhiteSpace(char32_t c)
{
    return (c >= 9 && c <= 13) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isUnicodeWordChar(char32_t c)
{
    // Rust's \w: Alphabetic (letters, Nl, Other_Alphabetic), marks, Nd, Pc, Join_Control.
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (c == 0x200C || c == 0x200D) return true;
    if ((c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
        (c >= 0x1F170 && c <= 0x1F189))
        return true; // Other_Alphabetic symbols (circled / squared letters)
    switch (utf8proc_category(utf8proc_int32_t(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC: return true;
    default: return false;
    }
}

namespace {

// The code point ending at text[end) (not before begin); invalid bytes count as no character.
bool lastChar(const std::string& text, size_t begin, size_t end, char32_t& cp, size_t& start)
{
    if (end <= begin) return false;
    size_t i = end - 1;
    while (i > begin && end - i < 4 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
    const size_t len = utf8SequenceLength(text, i);
    if (len == 0 || i + len != end) {
        cp = 0xFFFD;
        start = end - 1;
        return true;
    }
    cp = utf8Decode(text, i, len);
    start = i;
    return true;
}

bool firstChar(const std::string& text, size_t begin, size_t end, char32_t& cp, size_t& len)
{
    if (begin >= end) return false;
    len = utf8SequenceLength(text, begin);
    if (len == 0 || begin + len > end) {
        cp = 0xFFFD;
        len = 1;
        return true;
    }
    cp = utf8Decode(text, begin, len);
    return true;
}

} // namespace

std::vector<AddedSplit> findAddedTokens(const std::string& text, size_t begin, size_t end,
                                        const std::vector<AddedToken>& added, bool normalized)
{
    std::vector<AddedSplit> splits;
    size_t startOffset = begin; // end of the previous match
    size_t pos = begin;         // where the matcher goes on: the raw end of the previous match
    while (pos < end) {
        // Leftmost, then longest (Aho-Corasick LeftmostLongest).
        int match = -1;
        size_t at = pos;
        for (; at < end && match < 0; ++at) {
            size_t best = 0;
            for (size_t k = 0; k < added.size(); ++k) {
                const AddedToken& a = added[k];
                if (a.normalized != normalized || a.content.empty() || a.content.size() <= best ||
                    a.content.size() > end - at || text.compare(at, a.content.size(), a.content) != 0)
                    continue;
                best = a.content.size();
                match = int(k);
            }
            if (match >= 0) break;
        }
        if (match < 0) break;
        const AddedToken& a = added[size_t(match)];
        size_t mBegin = at, mEnd = at + a.content.size();
        pos = mEnd;
        char32_t cp;
        size_t other;
        if (a.singleWord) {
            const bool wordBefore = lastChar(text, begin, mBegin, cp, other) && isUnicodeWordChar(cp);
            const bool wordAfter = firstChar(text, mEnd, end, cp, other) && isUnicodeWordChar(cp);
            if (wordBefore || wordAfter) continue;
        }
        if (a.lstrip) {
            size_t s = mBegin;
            while (lastChar(text, begin, s, cp, other) && isUnicodeWhiteSpace(cp)) s = other;
            mBegin = std::max(s, startOffset);
        }
        if (a.rstrip) {
            size_t len;
            while (firstChar(text, mEnd, end, cp, len) && isUnicodeWhiteSpace(cp)) mEnd += len;
        }
        if (mBegin < startOffset) continue; // only an added token starting with white space after an rstrip one
        if (startOffset < mBegin) splits.push_back(AddedSplit{startOffset, mBegin, -1});
        splits.push_back(AddedSplit{mBegin, mEnd, match});
        startOffset = mEnd;
    }
    if (startOffset < end) splits.push_back(AddedSplit{startOffset, end, -1});
    return splits;
}

void splitOnAddedTokens(const std::string& text, const std::vector<AddedToken>& added,
                        const std::function<void(size_t, size_t)>& plain, std::vector<Token>& out)
{
    auto emit = [&](const AddedSplit& s) {
        const AddedToken& a = added[size_t(s.added)];
        Token t;
        t.id = a.id;
        t.text = a.content;
        t.piece = a.content;
        t.special = true;
        t.begin = s.begin;
        t.end = s.end;
        out.push_back(std::move(t));
    };
    for (const AddedSplit& s : findAddedTokens(text, 0, text.size(), added, false)) {
        if (s.added >= 0) {
            emit(s);
            continue;
        }
        for (const AddedSplit& n : findAddedTokens(text, s.begin, s.end, added, true)) {
            if (n.added >= 0) emit(n);
            else plain(n.begin, n.end);
        }
    }
}

namespace {

// Char and word tokenizers of AttnScope's own model files.
class CharWordBackend final : public TokenizerBackend {
public:
    CharWordBackend(TokenizerOptions options, Vocabulary vocab) : TokenizerBackend(options, std::move(vocab))
    {
        assert(options.kind == TokenizerKind::Char || options.kind == TokenizerKind::Word);
        for (int r = 0; r < kSpecialRoleCount; ++r) {
            const int id = m_vocab.special(static_cast<SpecialRole>(r));
            if (id >= 0 && !m_vocab.token(id).empty()) {
                AddedToken a;
                a.content = m_vocab.token(id);
                a.id = id;
                m_specials.push_back(std::move(a));
            }
        }
    }

    std::vector<Token> tokenize(const std::string& text) const override
    {
        std::vector<Token> out;
        splitOnAddedTokens(
            text, m_specials, [&](size_t begin, size_t end) { splitPlain(text, begin, end, out); }, out);
        return out;
    }

    std::string decode(const std::vector<int>& ids, bool keepSpecials) const override
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

private:
    Token lookup(std::string piece, size_t begin, size_t end) const
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
        t.piece = t.id >= 0 ? m_vocab.token(t.id) : piece;
        t.begin = begin;
        t.end = end;
        return t;
    }

    // Text [begin, end) of the input: code points (char) or runs split at ASCII white space
    // and, optionally, at ASCII punctuation (word).
    void splitPlain(const std::string& text, size_t begin, size_t end, std::vector<Token>& out) const
    {
        // Specials are matched at any byte, so a stretch may start or end inside a sequence;
        // decode only within it, as the substring it is.
        const std::string part = text.substr(begin, end - begin);
        std::string word;
        size_t wordBegin = 0;
        auto flush = [&](size_t at) {
            if (!word.empty()) out.push_back(lookup(std::move(word), begin + wordBegin, begin + at));
            word.clear();
        };
        for (size_t i = 0; i < part.size();) {
            size_t len = utf8SequenceLength(part, i);
            const std::string cp = len == 0 ? std::string(kReplacement) : part.substr(i, len);
            if (len == 0) len = 1;
            const auto c = static_cast<unsigned char>(cp[0]);
            if (m_options.kind == TokenizerKind::Char) {
                out.push_back(lookup(cp, begin + i, begin + i + len));
            } else if (cp.size() == 1 && isAsciiSpace(c)) {
                flush(i);
            } else if (cp.size() == 1 && m_options.splitPunctuation && isAsciiPunct(c)) {
                flush(i);
                out.push_back(lookup(cp, begin + i, begin + i + 1));
            } else {
                if (word.empty()) wordBegin = i;
                word += cp;
            }
            i += len;
        }
        flush(part.size());
    }

    std::vector<AddedToken> m_specials;
};

} // namespace

Tokenizer::Tokenizer() : Tokenizer(TokenizerOptions{}, Vocabulary{}) {}

Tokenizer::Tokenizer(TokenizerOptions options, Vocabulary vocab)
    : m_backend(std::make_shared<CharWordBackend>(options, std::move(vocab)))
{
}

Tokenizer::Tokenizer(std::shared_ptr<const TokenizerBackend> backend) : m_backend(std::move(backend))
{
    assert(m_backend);
}

Tokenizer idsOnlyTokenizer(int vocabSize)
{
    std::vector<std::string> tokens;
    tokens.reserve(size_t(std::max(0, vocabSize)));
    for (int i = 0; i < vocabSize; ++i) tokens.push_back("#" + std::to_string(i));
    TokenizerOptions opt;
    opt.kind = TokenizerKind::Word;
    opt.splitPunctuation = false;
    return Tokenizer(opt, Vocabulary(std::move(tokens)));
}

} // namespace attnscope
