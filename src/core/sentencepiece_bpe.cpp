// SentencePiece-style BPE (sentencepiece_bpe.h), step for step as Hugging Face's tokenizers:
// added tokens on the raw text, the normaliser on each stretch between them, the normalized
// added tokens on the normalised stretch, the Metaspace pre-tokenizer, then BPE over characters
// (byte fallback, fused unknowns, merges by rank with a heap). Offsets follow the alignments of
// every normalised byte back to the input, as Hugging Face's NormalizedString does.
#include "core/sentencepiece_bpe.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <stdexcept>

namespace attnscope {

namespace {

constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kCacheCapacity = 10000;

// Bytes of the character at s[i]: its UTF-8 length, or 1 for an invalid byte.
size_t charLength(const std::string& s, size_t i)
{
    const size_t len = utf8SequenceLength(s, i);
    return len ? len : 1;
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// Splits of a literal pattern (each occurrence one match) covering s, as find_matches gives them.
std::vector<SplitMatch> literalMatches(const std::string& s, const std::string& pattern)
{
    std::vector<SplitMatch> out;
    if (s.empty()) return {SplitMatch{0, 0, false}};
    size_t prev = 0;
    for (size_t at = s.find(pattern); !pattern.empty() && at != std::string::npos; at = s.find(pattern, at + pattern.size())) {
        if (at != prev) out.push_back(SplitMatch{prev, at, false});
        out.push_back(SplitMatch{at, at + pattern.size(), true});
        prev = at + pattern.size();
    }
    if (prev != s.size()) out.push_back(SplitMatch{prev, s.size(), false});
    return out;
}

std::string replaceAll(const std::string& token, const std::vector<SplitMatch>& matches, const std::string& content)
{
    std::string out;
    for (const SplitMatch& m : matches) out += m.match ? content : token.substr(m.begin, m.end - m.begin);
    return out;
}

} // namespace

AlignedText AlignedText::original(const std::string& input, size_t begin, size_t end)
{
    AlignedText t;
    t.text = input.substr(begin, end - begin);
    t.align.reserve(t.text.size());
    for (size_t i = begin; i < end;) {
        const size_t len = std::min(charLength(input, i), end - i);
        for (size_t k = 0; k < len; ++k) t.align.emplace_back(i, i + len);
        i += len;
    }
    return t;
}

AlignedText AlignedText::slice(size_t begin, size_t end) const
{
    AlignedText t;
    t.text = text.substr(begin, end - begin);
    t.align.assign(align.begin() + long(begin), align.begin() + long(end));
    return t;
}

void AlignedText::prepend(const std::string& s)
{
    if (text.empty()) return;
    text.insert(0, s);
    align.insert(align.begin(), s.size(), align.front());
}

namespace {

// Replaces the matches; the new bytes take the alignment of the last byte they replace (as
// NormalizedString::replace through transform_range).
void replaceMatches(AlignedText& t, const std::vector<SplitMatch>& matches, const std::string& content)
{
    AlignedText out;
    out.text.reserve(t.text.size());
    out.align.reserve(t.align.size());
    for (const SplitMatch& m : matches) {
        if (m.match && m.end > m.begin) {
            out.text += content;
            out.align.insert(out.align.end(), content.size(), t.align[m.end - 1]);
        } else {
            out.text.append(t.text, m.begin, m.end - m.begin);
            out.align.insert(out.align.end(), t.align.begin() + long(m.begin), t.align.begin() + long(m.end));
        }
    }
    t = std::move(out);
}

} // namespace

void AlignedText::replace(const std::string& pattern, const std::string& content)
{
    if (text.empty() || pattern.empty()) return;
    replaceMatches(*this, literalMatches(text, pattern), content);
}

void AlignedText::replace(const SplitRegex& regex, const std::string& content)
{
    if (text.empty()) return;
    replaceMatches(*this, regex.findMatches(text, 0, text.size()), content);
}

SentencePieceBpeBackend::SentencePieceBpeBackend(Vocabulary vocab, const std::vector<BpeMerge>& merges,
                                                 std::vector<AddedToken> added, SpmBpeSettings settings)
    : TokenizerBackend(TokenizerOptions{TokenizerKind::SentencePieceBpe, false, false}, std::move(vocab)),
      m_settings(std::move(settings)), m_added(std::move(added))
{
    const int n = m_vocab.size();
    m_merges.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const BpeMerge& m = merges[rank];
        if (m.left < 0 || m.left >= n || m.right < 0 || m.right >= n || m.merged < 0 || m.merged >= n)
            throw std::invalid_argument("BPE merge with an id outside the vocabulary"); // loader checks
        m_merges[(uint64_t(uint32_t(m.left)) << 32) | uint32_t(m.right)] = MergeRule{int(rank), m.merged};
    }
    for (size_t i = 0; i < m_added.size(); ++i) m_addedById.emplace(m_added[i].id, i);
    // Normalized added tokens are looked for as the normaliser writes them ("New York" -> "▁New▁York").
    m_normalized = m_added;
    for (AddedToken& a : m_normalized)
        if (a.normalized) a.content = normalize(a.content, 0, a.content.size()).text;
    char name[8];
    for (unsigned b = 0; b < 256; ++b) {
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        m_byteIds[b] = modelFind(name);
    }
}

int SentencePieceBpeBackend::modelFind(const std::string& token) const
{
    const int id = m_vocab.find(token);
    return m_settings.modelVocabSize >= 0 && id >= m_settings.modelVocabSize ? -1 : id;
}

AlignedText SentencePieceBpeBackend::normalize(const std::string& text, size_t begin, size_t end) const
{
    AlignedText t = AlignedText::original(text, begin, end);
    for (const SpmNormalizerStep& step : m_settings.normalizer) {
        if (step.kind == SpmNormalizerStep::Kind::Prepend) t.prepend(step.text);
        else if (step.regex) t.replace(*step.regex, step.content);
        else t.replace(step.text, step.content);
    }
    return t;
}

std::vector<SentencePieceBpeBackend::Piece> SentencePieceBpeBackend::mergeWord(const std::string& word) const
{
    if (m_settings.ignoreMerges) {
        const int whole = modelFind(word);
        if (whole >= 0) return {Piece{whole, uint32_t(word.size())}};
    }
    // The initial symbols: characters of the vocabulary, else their bytes' <0xNN> tokens, else
    // the unknown token (consecutive ones fused with fuse_unk). As BPE::merge_word.
    std::vector<Piece> start;
    start.reserve(word.size());
    const int unkId = m_vocab.special(SpecialRole::Unk);
    bool pendingUnk = false;
    uint32_t unkLength = 0;
    auto flushUnk = [&]() {
        if (pendingUnk) start.push_back(Piece{unkId, unkLength});
        pendingUnk = false;
        unkLength = 0;
    };
    std::string ch;
    for (size_t i = 0; i < word.size();) {
        const size_t len = std::min(charLength(word, i), word.size() - i);
        ch.assign(word, i, len);
        const int id = modelFind(ch);
        if (id >= 0) {
            flushUnk();
            start.push_back(Piece{id, uint32_t(len)});
        } else {
            bool bytes = m_settings.byteFallback;
            for (size_t k = 0; bytes && k < len; ++k) bytes = m_byteIds[static_cast<unsigned char>(word[i + k])] >= 0;
            if (bytes) {
                // The pending unknown run is not closed here: Hugging Face adds it after the bytes.
                for (size_t k = 0; k < len; ++k) start.push_back(Piece{m_byteIds[static_cast<unsigned char>(word[i + k])], 1});
            } else if (unkId >= 0) {
                if (pendingUnk && !m_settings.fuseUnk) flushUnk();
                pendingUnk = true;
                unkLength += uint32_t(len);
            } else {
                flushUnk();
                start.push_back(Piece{-1, uint32_t(len)}); // Hugging Face drops it: no unk token
            }
        }
        i += len;
    }
    flushUnk();

    struct Symbol {
        int id;
        int prev;
        int next;
        uint32_t length;
    };
    std::vector<Symbol> sym(start.size());
    for (size_t i = 0; i < start.size(); ++i)
        sym[i] = Symbol{start[i].id, int(i) - 1, i + 1 < start.size() ? int(i) + 1 : -1, start[i].length};
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
    for (size_t i = 0; i + 1 < sym.size(); ++i) push(int(i));
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol& s = sym[size_t(c.pos)];
        if (s.length == 0) continue;
        const MergeRule* r = rule(c.pos);
        if (!r || r->rank != c.rank) continue;
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
    for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[size_t(i)].next) pieces.push_back(Piece{sym[size_t(i)].id, sym[size_t(i)].length});
    return pieces;
}

std::vector<SentencePieceBpeBackend::Piece> SentencePieceBpeBackend::cachedMergeWord(const std::string& word) const
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

void SentencePieceBpeBackend::encodeWord(const std::string& input, const AlignedText& word, std::vector<Token>& out) const
{
    size_t at = 0;
    for (const Piece& p : cachedMergeWord(word.text)) {
        Token t;
        const auto [b, e] = word.originalSpan(at, at + p.length);
        t.unknown = p.id < 0 || p.id == m_vocab.special(SpecialRole::Unk);
        t.id = p.id;
        t.begin = b;
        t.end = e;
        t.text = lossyUtf8(input.substr(b, e - b));
        t.piece = p.id >= 0 ? m_vocab.token(p.id) : word.text.substr(at, p.length);
        at += p.length;
        out.push_back(std::move(t));
    }
}

std::vector<Token> SentencePieceBpeBackend::tokenize(const std::string& text) const
{
    std::vector<Token> out;
    auto emitAdded = [&](const AddedToken& a, size_t begin, size_t end) {
        Token t;
        t.id = a.id;
        t.text = m_added[m_addedById.at(a.id)].content;
        t.piece = m_normalized[m_addedById.at(a.id)].content; // as Hugging Face names it ("▁New▁York")
        t.special = a.special;
        t.begin = begin;
        t.end = end;
        out.push_back(std::move(t));
    };
    const MetaspaceSettings& ms = m_settings.metaspace;
    for (const AddedSplit& s : findAddedTokens(text, 0, text.size(), m_added, false)) {
        if (s.added >= 0) {
            emitAdded(m_added[size_t(s.added)], s.begin, s.end);
            continue;
        }
        const AlignedText norm = normalize(text, s.begin, s.end);
        for (const AddedSplit& n : findAddedTokens(norm.text, 0, norm.text.size(), m_normalized, true)) {
            if (n.end <= n.begin) continue;
            if (n.added >= 0) {
                const auto [b, e] = norm.originalSpan(n.begin, n.end);
                emitAdded(m_normalized[size_t(n.added)], b, e);
                continue;
            }
            AlignedText piece = norm.slice(n.begin, n.end);
            if (!ms.enabled) {
                encodeWord(text, piece, out);
                continue;
            }
            // Metaspace: spaces become the replacement, which is put in front by the scheme,
            // and each replacement starts a word (split) or the piece stays whole.
            const size_t originalStart = piece.align.front().first;
            piece.replace(" ", ms.replacement);
            if (!startsWith(piece.text, ms.replacement) &&
                (ms.scheme == PrependScheme::Always || (ms.scheme == PrependScheme::First && originalStart == 0)))
                piece.prepend(ms.replacement);
            if (!ms.split) {
                encodeWord(text, piece, out);
                continue;
            }
            for (const auto& [wb, we] : splitByBehavior(literalMatches(piece.text, ms.replacement), SplitBehavior::MergedWithNext))
                encodeWord(text, piece.slice(wb, we), out);
        }
    }
    return out;
}

std::string SentencePieceBpeBackend::decode(const std::vector<int>& ids, bool keepSpecials) const
{
    std::vector<std::string> tokens;
    for (const int id : ids) {
        if (id < 0 || id >= m_vocab.size()) continue;
        const auto added = m_addedById.find(id);
        if (added != m_addedById.end()) {
            // A normalized token reads as its normalised content ("▁New▁York"), as Hugging Face's id_to_token.
            if (keepSpecials || !m_added[added->second].special) tokens.push_back(m_normalized[added->second].content);
            continue;
        }
        if (!keepSpecials && m_vocab.isSpecial(id)) continue;
        tokens.push_back(m_vocab.token(id));
    }
    if (!m_settings.hasDecoder) {
        std::string out;
        for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
        return lossyUtf8(out);
    }
    for (const SpmDecoderStep& step : m_settings.decoder) {
        switch (step.kind) {
        case SpmDecoderStep::Kind::Replace:
            for (std::string& t : tokens)
                t = replaceAll(t, step.regex ? step.regex->findMatches(t, 0, t.size()) : literalMatches(t, step.pattern),
                               step.content);
            break;
        case SpmDecoderStep::Kind::ByteFallback: {
            std::vector<std::string> next;
            std::string bytes;
            size_t count = 0;
            auto flush = [&]() {
                if (count == 0) return;
                if (lossyUtf8(bytes) == bytes) next.push_back(bytes);
                else
                    for (size_t k = 0; k < count; ++k) next.emplace_back("\xEF\xBF\xBD");
                bytes.clear();
                count = 0;
            };
            for (std::string& t : tokens) {
                auto hex = [](char c) {
                    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                };
                if (t.size() == 6 && startsWith(t, "<0x") && t[5] == '>' && hex(t[3]) >= 0 && hex(t[4]) >= 0) {
                    bytes += static_cast<char>(hex(t[3]) * 16 + hex(t[4]));
                    ++count;
                } else {
                    flush();
                    next.push_back(std::move(t));
                }
            }
            flush();
            tokens.swap(next);
            break;
        }
        case SpmDecoderStep::Kind::Fuse: {
            std::string all;
            for (const std::string& t : tokens) all += t;
            tokens.assign(1, all);
            break;
        }
        case SpmDecoderStep::Kind::Strip:
            for (std::string& t : tokens) {
                const std::vector<std::string> chars = splitCodePoints(t);
                size_t startCut = 0;
                for (size_t i = 0; i < chars.size() && i < step.start && chars[i] == step.content; ++i) startCut = i + 1;
                size_t stopCut = chars.size();
                for (size_t i = 0; i < std::min(step.stop, chars.size() - startCut); ++i) {
                    const size_t index = chars.size() - i - 1;
                    if (chars[index] != step.content) break;
                    stopCut = index;
                }
                std::string s;
                for (size_t i = startCut; i < stopCut; ++i) s += chars[i];
                t = s;
            }
            break;
        case SpmDecoderStep::Kind::Metaspace:
            for (size_t i = 0; i < tokens.size(); ++i) {
                std::string s;
                for (const std::string& c : splitCodePoints(tokens[i])) {
                    if (c != step.metaspace.replacement) s += c;
                    else if (i != 0 || step.metaspace.scheme == PrependScheme::Never) s += ' ';
                }
                tokens[i] = s;
            }
            break;
        }
    }
    std::string out;
    for (const std::string& t : tokens) out += t;
    return lossyUtf8(out);
}

} // namespace attnscope
