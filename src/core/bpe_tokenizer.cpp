// Byte-level BPE (bpe_tokenizer.h). The pre-tokeniser regex runs in PCRE2 directly on the UTF-8
// bytes (invalid bytes never match, so they fall into gaps that are encoded byte by byte); the
// merge loop is Hugging Face's: a heap of candidate pairs by (rank, position), one merge at a time.
#include "core/bpe_tokenizer.h"

#include "core/errors.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <cassert>
#include <queue>
#include <stdexcept>

namespace attnscope {

namespace {

constexpr size_t kMaxCachedWordBytes = 256; // as Hugging Face: longer words are not cached
constexpr size_t kCacheCapacity = 10000;

bool isPrintableLatin1(unsigned b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174); }

struct ByteTables {
    char32_t symbol[256];
    ByteTables()
    {
        char32_t next = 256;
        for (unsigned b = 0; b < 256; ++b) symbol[b] = isPrintableLatin1(b) ? b : next++;
    }
};

const ByteTables& byteTables()
{
    static const ByteTables tables;
    return tables;
}

// GPT-2's pattern with \s spelt out as the White_Space property Oniguruma (Hugging Face's
// regex engine) uses: PCRE2's own \s under UCP leaves out U+0085.
const char* const kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\t-\\r\\x{85}\\p{Z}\\p{L}\\p{N}]+"
                                 "|[\\t-\\r\\x{85}\\p{Z}]+(?![^\\t-\\r\\x{85}\\p{Z}])|[\\t-\\r\\x{85}\\p{Z}]+";

struct CompiledRegex {
    pcre2_code* code = nullptr;
    CompiledRegex()
    {
        int error = 0;
        PCRE2_SIZE offset = 0;
        code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern), PCRE2_ZERO_TERMINATED,
                             PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
        if (!code) throw std::logic_error("GPT-2 pre-tokeniser regex does not compile");
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional: the interpreter is the fallback
    }
    ~CompiledRegex() { pcre2_code_free(code); }
};

const CompiledRegex& gpt2Regex()
{
    static const CompiledRegex regex;
    return regex;
}

// White_Space as Oniguruma's \s has it (PCRE2's own \s leaves out U+0085).
const char* const kSpaceClassBody = "\\t-\\r\\x{85}\\p{Z}";

bool isAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Oniguruma (Ruby syntax, as Hugging Face compiles Split patterns) to PCRE2; throws
// std::invalid_argument naming what is not modelled.
std::string onigToPcre2(const std::string& p)
{
    auto refuse = [](const std::string& what) {
        throw std::invalid_argument(what + " is not supported in a Split pattern (Oniguruma and PCRE2 differ there)");
    };
    std::string out;
    bool inClass = false;
    size_t classStart = 0; // position after '[' or '[^' in p
    for (size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\') {
            if (i + 1 >= p.size()) throw std::invalid_argument("the pattern ends with a backslash");
            const char e = p[++i];
            switch (e) {
            case 's': out += inClass ? std::string(kSpaceClassBody) : "[" + std::string(kSpaceClassBody) + "]"; break;
            case 'S':
                if (inClass) refuse("\\S inside a character class");
                out += "[^" + std::string(kSpaceClassBody) + "]";
                break;
            case 'v': out += "\\x{0B}"; break;
            case 'u': {
                std::string hex = p.substr(i + 1, 4);
                if (hex.size() != 4 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                    throw std::invalid_argument("\\u needs four hex digits");
                out += "\\x{" + hex + "}";
                i += 4;
                break;
            }
            case 'p':
            case 'P':
            case 'd':
            case 'D':
            case 'r':
            case 'n':
            case 't':
            case 'f':
            case 'e':
            case 'a':
            case 'x':
            case 'A':
            case 'z':
            case 'Z':
                out += '\\';
                out += e;
                break;
            default:
                if (e >= '1' && e <= '9' && !inClass) {
                    out += '\\';
                    out += e;
                } else if (isAsciiAlnum(e) || e == '0') {
                    refuse(std::string("\\") + e);
                } else {
                    out += '\\';
                    out += e; // an escaped punctuation character or a literal byte
                }
            }
            continue;
        }
        if (inClass) {
            if (c == '[') refuse(i + 1 < p.size() && p[i + 1] == ':' ? "a POSIX bracket [:...:]" : "a nested character class");
            if (c == '&' && i + 1 < p.size() && p[i + 1] == '&') refuse("class intersection &&");
            if (c == ']' && i > classStart) inClass = false;
            out += c;
            continue;
        }
        if (c == '[') {
            inClass = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            classStart = i + 1;
            if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i]; // a leading ] is literal
            continue;
        }
        if (c == '^' || c == '$') {
            out += c == '^' ? "(?m:^)" : "(?m:$)"; // Ruby's anchors are at lines
            continue;
        }
        if (c == '}' && i + 1 < p.size() && (p[i + 1] == '+')) {
            // {n,m}+ is possessive in PCRE2, a repeated repetition in Ruby syntax
            const size_t open = p.rfind('{', i);
            if (open != std::string::npos && p.find_first_not_of("0123456789,", open + 1) == i)
                refuse("an interval followed by + ({n,m}+)");
        }
        if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
            // (?:  (?=  (?!  (?<=  (?<!  (?>  (?<name>  (?#  and flag groups (?imx-imx) / (?imx-imx:
            const size_t j = i + 2;
            if (j < p.size() && std::string(":=!>#").find(p[j]) != std::string::npos) {
                out += "(?";
                ++i;
                continue;
            }
            if (j < p.size() && p[j] == '<') {
                out += "(?";
                ++i;
                continue;
            }
            size_t k = j;
            std::string flags;
            while (k < p.size() && std::string("imx-").find(p[k]) != std::string::npos) flags += p[k++];
            if (k >= p.size() || (p[k] != ')' && p[k] != ':') || flags.empty())
                refuse("the group \"" + p.substr(i, std::min<size_t>(6, p.size() - i)) + "\"");
            for (char& f : flags)
                if (f == 'm') f = 's'; // Ruby's m is dot-all
            out += "(?" + flags;
            i = k - 1;
            continue;
        }
        out += c;
    }
    if (inClass) throw std::invalid_argument("an unterminated character class");
    return out;
}

} // namespace

bool splitBehaviorFromString(const std::string& name, SplitBehavior& behavior)
{
    static const std::pair<const char*, SplitBehavior> names[] = {
        {"Removed", SplitBehavior::Removed},
        {"Isolated", SplitBehavior::Isolated},
        {"MergedWithPrevious", SplitBehavior::MergedWithPrevious},
        {"MergedWithNext", SplitBehavior::MergedWithNext},
        {"Contiguous", SplitBehavior::Contiguous}};
    for (const auto& [n, b] : names)
        if (name == n) {
            behavior = b;
            return true;
        }
    return false;
}

std::vector<std::pair<size_t, size_t>> splitByBehavior(const std::vector<SplitMatch>& matches, SplitBehavior behavior)
{
    // NormalizedString::split, with (offsets, remove) per piece.
    struct Piece {
        size_t begin, end;
        bool remove;
    };
    std::vector<Piece> pieces;
    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const SplitMatch& m : matches) pieces.push_back({m.begin, m.end, false});
        break;
    case SplitBehavior::Removed:
        for (const SplitMatch& m : matches) pieces.push_back({m.begin, m.end, m.match});
        break;
    case SplitBehavior::Contiguous: {
        bool previous = false;
        for (const SplitMatch& m : matches) {
            if (m.match == previous && !pieces.empty()) pieces.back().end = m.end;
            else pieces.push_back({m.begin, m.end, false});
            previous = m.match;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool previous = false;
        for (const SplitMatch& m : matches) {
            if (m.match && !previous && !pieces.empty()) pieces.back().end = m.end;
            else pieces.push_back({m.begin, m.end, false});
            previous = m.match;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool previous = false;
        for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
            if (it->match && !previous && !pieces.empty()) pieces.back().begin = it->begin;
            else pieces.push_back({it->begin, it->end, false});
            previous = it->match;
        }
        std::reverse(pieces.begin(), pieces.end());
        break;
    }
    }
    std::vector<std::pair<size_t, size_t>> out;
    for (const Piece& p : pieces)
        if (!p.remove && p.end > p.begin) out.emplace_back(p.begin, p.end);
    return out;
}

std::shared_ptr<const SplitRegex> SplitRegex::compile(const std::string& onigPattern)
{
    std::shared_ptr<SplitRegex> re(new SplitRegex);
    re->m_pattern = onigToPcre2(onigPattern);
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re->m_pattern.data()), re->m_pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        throw std::invalid_argument("the pattern does not compile (PCRE2: " +
                                    std::string(reinterpret_cast<const char*>(message)) + ")");
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    re->m_code = code;
    return re;
}

std::shared_ptr<const SplitRegex> SplitRegex::literal(const std::string& text)
{
    std::string escaped;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x80 && !isAsciiAlnum(c)) escaped += '\\';
        escaped += c;
    }
    return compile(escaped);
}

SplitRegex::~SplitRegex() { pcre2_code_free(static_cast<pcre2_code*>(m_code)); }

std::vector<SplitMatch> SplitRegex::findMatches(const std::string& text, size_t begin, size_t end, bool invert) const
{
    std::vector<SplitMatch> out;
    if (begin >= end) return {SplitMatch{begin, begin, false}};
    auto* code = static_cast<pcre2_code*>(m_code);
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
    if (!md) throw std::bad_alloc();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + begin);
    const size_t n = end - begin;
    size_t prev = 0;        // end of the last piece pushed
    size_t searchFrom = 0;  // Oniguruma's find_iter: where the next search starts
    bool haveLast = false;  // ... and the end of the last match, to skip an empty match right after it
    size_t lastMatchEnd = 0;
    while (searchFrom <= n) {
        const int rc = pcre2_match(code, subject, n, searchFrom, 0, md, nullptr);
        if (rc < 0) break;
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        const size_t s = ov[0], e = ov[1];
        if (s == e && haveLast && lastMatchEnd == e) {
            const size_t len = searchFrom < n ? std::max<size_t>(1, utf8SequenceLength(text, begin + searchFrom)) : 1;
            searchFrom += len;
            continue;
        }
        searchFrom = e;
        haveLast = true;
        lastMatchEnd = e;
        if (prev != s) out.push_back(SplitMatch{begin + prev, begin + s, invert});
        out.push_back(SplitMatch{begin + s, begin + e, !invert});
        prev = e;
    }
    pcre2_match_data_free(md);
    if (prev != n) out.push_back(SplitMatch{begin + prev, end, invert});
    return out;
}

char32_t byteToSymbol(unsigned char byte) { return byteTables().symbol[byte]; }

int symbolToByte(char32_t symbol)
{
    if (symbol < 256) return isPrintableLatin1(symbol) ? static_cast<int>(symbol) : -1;
    if (symbol >= 256 + 68) return -1;
    for (unsigned b = 0; b < 256; ++b)
        if (byteTables().symbol[b] == symbol) return static_cast<int>(b);
    return -1;
}

std::string bytesToSymbols(const std::string& bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) appendUtf8(out, byteToSymbol(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::pair<size_t, size_t>> gpt2PreTokenize(const std::string& text)
{
    std::vector<std::pair<size_t, size_t>> spans;
    const CompiledRegex& re = gpt2Regex();
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(re.code, nullptr);
    if (!md) throw std::bad_alloc();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos < text.size()) {
        const int rc = pcre2_match(re.code, subject, text.size(), pos, 0, md, nullptr);
        if (rc < 0) break; // no further match (or a matcher limit): the rest is one gap
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        const size_t mBegin = ov[0], mEnd = ov[1];
        if (mBegin > pos) spans.emplace_back(pos, mBegin); // invalid bytes the regex skipped
        if (mEnd <= mBegin) {                              // no alternative matches empty; guard anyway
            pos = mBegin + 1;
            spans.emplace_back(mBegin, pos);
            continue;
        }
        spans.emplace_back(mBegin, mEnd);
        pos = mEnd;
    }
    if (pos < text.size()) spans.emplace_back(pos, text.size());
    pcre2_match_data_free(md);
    return spans;
}

ByteLevelBpeBackend::ByteLevelBpeBackend(Vocabulary vocab, const std::vector<BpeMerge>& merges,
                                         std::vector<AddedToken> added, BpeSettings settings)
    : TokenizerBackend(TokenizerOptions{TokenizerKind::ByteLevelBpe, false, false}, std::move(vocab)),
      m_settings(settings), m_added(std::move(added))
{
    const int n = m_vocab.size();
    m_merges.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const BpeMerge& m = merges[rank];
        if (m.left < 0 || m.left >= n || m.right < 0 || m.right >= n || m.merged < 0 || m.merged >= n)
            throw std::invalid_argument("BPE merge with an id outside the vocabulary"); // loader checks
        // A repeated pair keeps its last rank, as Hugging Face's map does.
        m_merges[(uint64_t(uint32_t(m.left)) << 32) | uint32_t(m.right)] = MergeRule{int(rank), m.merged};
    }
    for (size_t i = 0; i < m_added.size(); ++i) m_addedById.emplace(m_added[i].id, i);
    std::string symbol;
    for (unsigned b = 0; b < 256; ++b) {
        symbol.clear();
        appendUtf8(symbol, byteToSymbol(static_cast<unsigned char>(b)));
        m_byteIds[b] = m_vocab.find(symbol);
        if (m_settings.modelVocabSize >= 0 && m_byteIds[b] >= m_settings.modelVocabSize) m_byteIds[b] = -1;
    }
}

std::vector<ByteLevelBpeBackend::Piece> ByteLevelBpeBackend::mergeWord(const std::string& word) const
{
    if (m_settings.ignoreMerges) {
        const int whole = m_vocab.find(bytesToSymbols(word));
        if (whole >= 0 && (m_settings.modelVocabSize < 0 || whole < m_settings.modelVocabSize)) return {Piece{whole, uint32_t(word.size())}};
    }
    // A doubly linked list of symbols; merged-away symbols get length 0.
    struct Symbol {
        int id;
        int prev;
        int next;
        uint32_t length;
    };
    std::vector<Symbol> sym(word.size());
    for (size_t i = 0; i < word.size(); ++i)
        sym[i] = Symbol{m_byteIds[static_cast<unsigned char>(word[i])], int(i) - 1,
                        i + 1 < word.size() ? int(i) + 1 : -1, 1};
    struct Candidate {
        int rank;
        int pos;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    auto rule = [&](int pos) -> const MergeRule* {
        const int next = sym[size_t(pos)].next;
        if (next < 0 || sym[size_t(pos)].id < 0 || sym[size_t(next)].id < 0) return nullptr;
        const auto it = m_merges.find((uint64_t(uint32_t(sym[size_t(pos)].id)) << 32) | uint32_t(sym[size_t(next)].id));
        return it == m_merges.end() ? nullptr : &it->second;
    };
    auto push = [&](int pos) {
        if (const MergeRule* r = rule(pos)) heap.push(Candidate{r->rank, pos});
    };
    for (size_t i = 0; i + 1 < word.size(); ++i) push(int(i));
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol& s = sym[size_t(c.pos)];
        if (s.length == 0) continue;
        const MergeRule* r = rule(c.pos);
        if (!r || r->rank != c.rank) continue; // stale: a neighbour changed since it was pushed
        Symbol& right = sym[size_t(s.next)];
        s.id = r->merged;
        s.length += right.length;
        right.length = 0;
        s.next = right.next;
        if (s.next >= 0) sym[size_t(s.next)].prev = c.pos;
        if (s.prev >= 0) push(s.prev);
        push(c.pos);
    }
    std::vector<Piece> pieces;
    for (int i = word.empty() ? -1 : 0; i >= 0; i = sym[size_t(i)].next)
        pieces.push_back(Piece{sym[size_t(i)].id, sym[size_t(i)].length});
    return pieces;
}

std::vector<ByteLevelBpeBackend::Piece> ByteLevelBpeBackend::encodeWord(const std::string& word) const
{
    if (word.size() > kMaxCachedWordBytes) return mergeWord(word);
    {
        const std::lock_guard<std::mutex> lock(m_cacheMutex);
        const auto it = m_cache.find(word);
        if (it != m_cache.end()) return it->second;
    }
    std::vector<Piece> pieces = mergeWord(word);
    const std::lock_guard<std::mutex> lock(m_cacheMutex);
    if (m_cache.size() >= kCacheCapacity) m_cache.clear();
    m_cache.emplace(word, pieces);
    return pieces;
}

namespace {

// A code point of the text being normalised and the input span it is aligned with.
struct Aligned {
    char32_t cp;
    std::pair<size_t, size_t> span;
};

int combiningClass(char32_t c) { return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class; }

// The primary composite of a + b, or 0 when they do not compose (NFC of the pair, by utf8proc).
char32_t composePair(char32_t a, char32_t b)
{
    utf8proc_int32_t buffer[2] = {static_cast<utf8proc_int32_t>(a), static_cast<utf8proc_int32_t>(b)};
    const utf8proc_ssize_t n = utf8proc_normalize_utf32(buffer, 2, utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    return n == 1 ? char32_t(buffer[0]) : 0;
}

// One normal form applied to aligned code points, aligned as Hugging Face's normalizers align
// them (its unicode-normalization-alignments crate and NormalizedString::transform): every
// output code point carries a change, 0 when it stands for one input code point, +1 when
// inserted (the later parts of a decomposition), and each composition adds the absorbed code
// point's change less one to the starter's. Reordering moves code points with their changes.
// The output is then aligned in order: a code point of change c ≤ 0 takes the span of the next
// input code point and consumes 1 − c of them; an inserted one takes the span of the input
// code point before. So "e" + U+0301 composes to é aligned with the "e", and E + U+0301 + U+0323
// to Ẹ (aligned with E) + U+0301 aligned with the U+0323.
void applyForm(std::vector<Aligned>& text, NormalForm form)
{
    struct Changed {
        char32_t cp;
        int change;
    };
    const bool compat = form == NormalForm::Nfkc || form == NormalForm::Nfkd;
    const bool compose = form == NormalForm::Nfc || form == NormalForm::Nfkc;
    std::vector<Changed> out;
    out.reserve(text.size());
    utf8proc_int32_t parts[32];
    for (const Aligned& a : text) {
        if (a.cp < 0x80) {
            out.push_back({a.cp, 0});
            continue;
        }
        int last = 0;
        const utf8proc_ssize_t n = utf8proc_decompose_char(
            static_cast<utf8proc_int32_t>(a.cp), parts, 32,
            utf8proc_option_t(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0)), &last);
        if (n <= 0 || n > 32) out.push_back({a.cp, 0}); // cannot happen for a valid code point; keep it
        else
            for (utf8proc_ssize_t k = 0; k < n; ++k) out.push_back({char32_t(parts[k]), k == 0 ? 0 : 1});
    }
    // Canonical ordering: each run of non-starters stably sorted by combining class.
    for (size_t i = 0; i < out.size();) {
        if (combiningClass(out[i].cp) == 0) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < out.size() && combiningClass(out[j].cp) != 0) ++j;
        std::stable_sort(out.begin() + long(i), out.begin() + long(j), [](const Changed& x, const Changed& y) {
            return combiningClass(x.cp) < combiningClass(y.cp);
        });
        i = j;
    }
    if (compose) {
        std::vector<Changed> composed;
        composed.reserve(out.size());
        long starter = -1; // index in composed of the last starter
        int lastClass = 0;  // class of the last code point appended after it
        for (const Changed& a : out) {
            const int cc = combiningClass(a.cp);
            if (starter >= 0) {
                Changed& st = composed[size_t(starter)];
                const bool adjacent = size_t(starter) + 1 == composed.size();
                const bool blocked = !adjacent && (lastClass == 0 || lastClass >= cc);
                // ASCII never composes with a following ASCII starter; skip the lookup.
                if (!blocked && !(st.cp < 0x80 && a.cp < 0x80)) {
                    if (const char32_t c = composePair(st.cp, a.cp)) {
                        st.cp = c;
                        st.change += a.change - 1;
                        continue;
                    }
                }
            }
            if (cc == 0) {
                starter = long(composed.size());
                lastClass = 0;
            } else {
                lastClass = cc;
            }
            composed.push_back(a);
        }
        out.swap(composed);
    }
    std::vector<Aligned> aligned;
    aligned.reserve(out.size());
    size_t next = 0; // the next input code point to consume
    for (const Changed& c : out) {
        if (text.empty()) break;
        if (c.change > 0) {
            aligned.push_back({c.cp, text[next > 0 ? next - 1 : 0].span});
        } else {
            aligned.push_back({c.cp, text[std::min(next, text.size() - 1)].span});
            next += size_t(1 - c.change);
        }
    }
    text.swap(aligned);
}

} // namespace

NormalizedText normalizeUnicode(const std::string& text, size_t begin, size_t end, const std::vector<NormalForm>& forms)
{
    std::vector<Aligned> cps;
    std::vector<size_t> invalid; // indices in cps of invalid bytes (kept as they are)
    cps.reserve(end - begin);
    for (size_t i = begin; i < end;) {
        const size_t len = std::min(utf8SequenceLength(text, i), end - i);
        if (len == 0) {
            // An invalid byte is kept as is; normalisation runs on each valid stretch between.
            invalid.push_back(cps.size());
            cps.push_back({char32_t(static_cast<unsigned char>(text[i])), {i, i + 1}});
            ++i;
            continue;
        }
        cps.push_back({utf8Decode(text, i, len), {i, i + len}});
        i += len;
    }
    NormalizedText out;
    out.text.reserve(end - begin);
    out.spans.reserve(end - begin);
    size_t from = 0;
    auto emitValid = [&](size_t to) {
        std::vector<Aligned> stretch(cps.begin() + long(from), cps.begin() + long(to));
        for (const NormalForm form : forms) applyForm(stretch, form);
        for (const Aligned& a : stretch) {
            const size_t before = out.text.size();
            appendUtf8(out.text, a.cp);
            out.spans.insert(out.spans.end(), out.text.size() - before, a.span);
        }
    };
    for (const size_t bad : invalid) {
        emitValid(bad);
        out.text += text[cps[bad].span.first];
        out.spans.push_back(cps[bad].span);
        from = bad + 1;
    }
    emitValid(cps.size());
    return out;
}

void ByteLevelBpeBackend::encodeSegment(const std::string& text, size_t begin, size_t end,
                                        std::vector<Token>& out) const
{
    // The normalizer first (Qwen2's NFC): the pieces below are found in the normalised text, and
    // each token's span is mapped back to the input bytes it came from.
    const bool normalised = !m_settings.normalForms.empty();
    NormalizedText normal;
    if (normalised) normal = normalizeUnicode(text, begin, end, m_settings.normalForms);
    const std::string body = normalised ? std::move(normal.text) : text.substr(begin, end - begin);
    if (body.empty()) return;
    // With add_prefix_space the segment is encoded as " " + segment; the added space covers
    // no input byte, so its token's span starts at the segment.
    const bool prefix = m_settings.addPrefixSpace && body[0] != ' ';
    const std::string segment = (prefix ? std::string(" ") : std::string()) + body;
    const size_t shift = prefix ? 1 : 0;
    // Input byte of body offset `at` (a token's first byte) and after body offset `at` (its end).
    auto inputBegin = [&](size_t at) {
        return !normalised ? begin + at : at < normal.spans.size() ? normal.spans[at].first : end;
    };
    auto inputEnd = [&](size_t at) { return !normalised ? begin + at : at > 0 ? normal.spans[at - 1].second : begin; };
    const int unk = m_vocab.special(SpecialRole::Unk);
    // The Split pre-tokenizers, then ByteLevel's own regex, each on every piece of the one before.
    std::vector<std::pair<size_t, size_t>> words{{0, segment.size()}};
    for (const BpeSplitStep& step : m_settings.splits) {
        std::vector<std::pair<size_t, size_t>> next;
        for (const auto& [b, e] : words)
            for (const auto& piece : splitByBehavior(step.regex->findMatches(segment, b, e, step.invert), step.behavior))
                next.push_back(piece);
        words.swap(next);
    }
    if (m_settings.byteLevelRegex) {
        std::vector<std::pair<size_t, size_t>> next;
        for (const auto& [b, e] : words)
            for (const auto& [sb, se] : gpt2PreTokenize(segment.substr(b, e - b))) next.emplace_back(b + sb, b + se);
        words.swap(next);
    }
    for (const auto& [wBegin, wEnd] : words) {
        size_t at = wBegin;
        for (const Piece& p : encodeWord(segment.substr(wBegin, wEnd - wBegin))) {
            Token t;
            t.unknown = p.id < 0;
            t.id = t.unknown ? unk : p.id;
            t.begin = inputBegin(at > shift ? at - shift : 0);
            at += p.length;
            t.end = std::max(t.begin, inputEnd(at - shift));
            t.text = lossyUtf8(text.substr(t.begin, t.end - t.begin));
            t.piece = t.id >= 0 ? m_vocab.token(t.id) : bytesToSymbols(segment.substr(at - p.length, p.length));
            out.push_back(std::move(t));
        }
    }
}

std::vector<Token> ByteLevelBpeBackend::tokenize(const std::string& text) const
{
    std::vector<Token> out;
    splitOnAddedTokens(
        text, m_added, [&](size_t begin, size_t end) { encodeSegment(text, begin, end, out); }, out);
    for (Token& t : out)
        if (t.special) t.special = m_added[m_addedById.at(t.id)].special;
    return out;
}

std::string ByteLevelBpeBackend::decode(const std::vector<int>& ids, bool keepSpecials) const
{
    std::string bytes;
    for (const int id : ids) {
        if (id < 0 || id >= m_vocab.size()) continue;
        const auto added = m_addedById.find(id);
        if (added != m_addedById.end() && !keepSpecials && m_added[added->second].special) continue;
        if (added == m_addedById.end() && !keepSpecials && m_vocab.isSpecial(id)) continue;
        // As Hugging Face's ByteLevel decoder, added tokens included: a token with a character
        // that is no byte symbol is taken as its own UTF-8 text.
        const std::string& token = added != m_addedById.end() ? m_added[added->second].content : m_vocab.token(id);
        std::string decoded;
        bool allSymbols = true;
        for (size_t i = 0; i < token.size() && allSymbols;) {
            const size_t len = utf8SequenceLength(token, i);
            const int b = len ? symbolToByte(utf8Decode(token, i, len)) : -1;
            if (b < 0) allSymbols = false;
            else decoded += static_cast<char>(b);
            i += len ? len : 1;
        }
        bytes += allSymbols ? decoded : token;
    }
    return lossyUtf8(bytes);
}

} // namespace attnscope
