// WordPiece (wordpiece_tokenizer.h). Unicode data (categories, NFD, lower case) comes from
// utf8proc; every step keeps, per normalised code point, the input span it came from, so
// pieces get Hugging Face's offsets.
#include "core/wordpiece_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <unordered_map>

namespace attnscope {

namespace {

// Rust's char::is_whitespace (the White_Space property), which Hugging Face uses.
bool isWhiteSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

utf8proc_category_t category(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }

// Hugging Face's is_control: categories Cc, Cf, Co (Cs cannot occur in UTF-8) except tab,
// newline and carriage return. Unassigned code points (Cn) are kept, as there: the golden
// "unassigned\u0378cp" is one [UNK].
bool isControl(char32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r') return false;
    const auto cat = category(c);
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CO;
}

bool isPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    const auto cat = category(c);
    return cat == UTF8PROC_CATEGORY_PC || cat == UTF8PROC_CATEGORY_PD || cat == UTF8PROC_CATEGORY_PS ||
           cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_PI || cat == UTF8PROC_CATEGORY_PF ||
           cat == UTF8PROC_CATEGORY_PO;
}

// The CJK Unified Ideograph blocks BERT's original code lists.
bool isChineseChar(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

} // namespace

std::vector<NormalizedChar> bertNormalize(const std::string& text, size_t begin, size_t end,
                                          const BertNormalizerOptions& o)
{
    std::vector<NormalizedChar> out;
    out.reserve(end - begin);
    utf8proc_int32_t decomposed[32];
    for (size_t i = begin; i < end;) {
        size_t len = utf8SequenceLength(text, i);
        const char32_t cp = len ? utf8Decode(text, i, len) : 0xFFFD;
        if (!len) len = 1;
        const size_t cBegin = i, cEnd = i + len;
        i += len;
        char32_t c = cp;
        if (o.cleanText) {
            if (c == 0 || c == 0xFFFD || isControl(c)) continue;
            if (isWhiteSpace(c)) c = ' ';
        }
        if (o.handleChineseChars && isChineseChar(c)) {
            out.push_back({' ', cBegin, cEnd});
            out.push_back({c, cBegin, cEnd});
            out.push_back({' ', cBegin, cEnd});
            continue;
        }
        // Accents before case, as Hugging Face orders them.
        char32_t parts[32];
        int count = 1;
        parts[0] = c;
        if (o.stripAccents) {
            int last = 0;
            const auto n =
                utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), decomposed, 32, UTF8PROC_DECOMPOSE, &last);
            count = 0;
            if (n < 0 || n > 32) {
                parts[count++] = c;
            } else {
                for (int k = 0; k < n; ++k)
                    if (category(char32_t(decomposed[k])) != UTF8PROC_CATEGORY_MN)
                        parts[count++] = char32_t(decomposed[k]);
            }
        }
        for (int k = 0; k < count; ++k) {
            char32_t p = parts[k];
            if (o.lowercase) {
                if (p == 0x130) { // Rust's to_lowercase: U+0130 -> "i" + U+0307 (SpecialCasing)
                    out.push_back({'i', cBegin, cEnd});
                    p = 0x307;
                } else {
                    p = char32_t(utf8proc_tolower(static_cast<utf8proc_int32_t>(p)));
                }
            }
            out.push_back({p, cBegin, cEnd});
        }
    }
    return out;
}

WordPieceBackend::WordPieceBackend(Vocabulary vocab, std::vector<AddedToken> added, WordPieceSettings settings)
    : TokenizerBackend(TokenizerOptions{TokenizerKind::WordPiece, settings.normalizer.lowercase, true},
                       std::move(vocab)),
      m_settings(std::move(settings)), m_added(std::move(added))
{
}

void WordPieceBackend::encodeWord(const std::string& text, const std::vector<NormalizedChar>& word,
                                  std::vector<Token>& out) const
{
    const size_t n = word.size();
    const int unk = m_vocab.special(SpecialRole::Unk);
    auto emit = [&](int id, bool unknown, size_t from, size_t to) {
        Token t;
        t.id = id;
        t.unknown = unknown;
        t.begin = word[from].begin;
        t.end = word[to - 1].end;
        t.text = lossyUtf8(text.substr(t.begin, t.end - t.begin));
        t.piece = id >= 0 ? m_vocab.token(id) : std::string();
        out.push_back(std::move(t));
    };
    if (n > size_t(m_settings.maxInputCharsPerWord)) {
        emit(unk, true, 0, n);
        return;
    }
    // Byte offsets of each code point in the word's UTF-8.
    std::string utf8;
    std::vector<size_t> at(n + 1);
    for (size_t k = 0; k < n; ++k) {
        at[k] = utf8.size();
        appendUtf8(utf8, word[k].cp);
    }
    at[n] = utf8.size();
    std::vector<std::pair<int, std::pair<size_t, size_t>>> pieces;
    std::string candidate;
    for (size_t start = 0; start < n;) {
        int found = -1;
        size_t stop = n;
        for (; stop > start; --stop) {
            candidate.assign(start > 0 ? m_settings.continuingPrefix : std::string());
            candidate.append(utf8, at[start], at[stop] - at[start]);
            found = m_vocab.find(candidate);
            if (found >= 0) break;
        }
        if (found < 0) { // one unmatched position makes the whole word unknown
            emit(unk, true, 0, n);
            return;
        }
        pieces.push_back({found, {start, stop}});
        start = stop;
    }
    for (const auto& [id, span] : pieces) emit(id, false, span.first, span.second);
}

void WordPieceBackend::encodeSegment(const std::string& text, size_t begin, size_t end, std::vector<Token>& out) const
{
    const std::vector<NormalizedChar> norm = bertNormalize(text, begin, end, m_settings.normalizer);
    std::vector<NormalizedChar> word;
    for (const NormalizedChar& c : norm) {
        if (isWhiteSpace(c.cp) || isPunctuation(c.cp)) {
            if (!word.empty()) encodeWord(text, word, out);
            word.clear();
            if (!isWhiteSpace(c.cp)) encodeWord(text, {c}, out);
        } else {
            word.push_back(c);
        }
    }
    if (!word.empty()) encodeWord(text, word, out);
}

std::vector<Token> WordPieceBackend::tokenize(const std::string& text) const
{
    std::vector<Token> out;
    splitOnAddedTokens(
        text, m_added, [&](size_t begin, size_t end) { encodeSegment(text, begin, end, out); }, out);
    return out;
}

std::string WordPieceBackend::decode(const std::vector<int>& ids, bool keepSpecials) const
{
    // Hugging Face's WordPiece decoder: a continuation loses its prefix, any other token after
    // the first gets a leading space, and each token is cleaned up on its own.
    static const std::pair<const char*, const char*> kCleanup[] = {
        {" .", "."},   {" ?", "?"},           {" !", "!"},   {" ,", ","},     {" ' ", "'"},   {" n't", "n't"},
        {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    std::string out;
    bool first = true;
    const std::string& prefix = m_settings.continuingPrefix;
    for (const int id : ids) {
        if (id < 0 || id >= m_vocab.size()) continue;
        const bool special =
            m_vocab.isSpecial(id) ||
            std::any_of(m_added.begin(), m_added.end(), [id](const AddedToken& a) { return a.id == id && a.special; });
        if (!keepSpecials && special) continue;
        std::string token = m_vocab.token(id);
        if (!first) {
            if (!prefix.empty() && token.compare(0, prefix.size(), prefix) == 0) token.erase(0, prefix.size());
            else token.insert(0, " ");
        }
        first = false;
        if (m_settings.decodeCleanup) {
            for (const auto& [from, to] : kCleanup) {
                const std::string f(from), t(to);
                for (size_t pos = token.find(f); pos != std::string::npos; pos = token.find(f, pos + t.size()))
                    token.replace(pos, f.size(), t);
            }
        }
        out += token;
    }
    return out;
}

} // namespace attnscope
