// Byte-level BPE (bpe_tokenizer.h). The pre-tokeniser regex runs in PCRE2 directly on the UTF-8
// bytes (invalid bytes never match, so they fall into gaps that are encoded byte by byte); the
// merge loop is Hugging Face's: a heap of candidate pairs by (rank, position), one merge at a time.
#include "core/bpe_tokenizer.h"

#include "core/errors.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

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

} // namespace

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
    }
}

std::vector<ByteLevelBpeBackend::Piece> ByteLevelBpeBackend::mergeWord(const std::string& word) const
{
    if (m_settings.ignoreMerges) {
        const int whole = m_vocab.find(bytesToSymbols(word));
        if (whole >= 0) return {Piece{whole, uint32_t(word.size())}};
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

void ByteLevelBpeBackend::encodeSegment(const std::string& text, size_t begin, size_t end,
                                        std::vector<Token>& out) const
{
    // With add_prefix_space the segment is encoded as " " + segment; the added space covers
    // no input byte, so its token's span starts at the segment.
    const bool prefix = m_settings.addPrefixSpace && text[begin] != ' ';
    const std::string segment = (prefix ? std::string(" ") : std::string()) + text.substr(begin, end - begin);
    const size_t shift = prefix ? 1 : 0;
    const int unk = m_vocab.special(SpecialRole::Unk);
    for (const auto& [wBegin, wEnd] : gpt2PreTokenize(segment)) {
        size_t at = wBegin;
        for (const Piece& p : encodeWord(segment.substr(wBegin, wEnd - wBegin))) {
            Token t;
            t.unknown = p.id < 0;
            t.id = t.unknown ? unk : p.id;
            t.begin = begin + (at > shift ? at - shift : 0);
            at += p.length;
            t.end = begin + (at - shift);
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
        if (added != m_addedById.end()) {
            if (keepSpecials || !m_added[added->second].special) bytes += m_added[added->second].content;
            continue;
        }
        if (!keepSpecials && m_vocab.isSpecial(id)) continue;
        // As Hugging Face's ByteLevel decoder: a token with a character that is no byte symbol
        // is taken as its own UTF-8 text.
        const std::string& token = m_vocab.token(id);
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
