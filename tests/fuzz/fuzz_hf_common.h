// Shared checks of the Hugging Face tokenizer fuzz targets. Invariants: ids are valid (or -1
// for an unknown piece without unk), offsets lie in the input and never go backwards, a token's
// text is valid UTF-8, decode yields valid UTF-8; byte-level BPE covers every input byte in
// order and decodes the ids of valid UTF-8 text back to it.
#pragma once

#include "core/bpe_tokenizer.h"
#include "core/errors.h"
#include "core/hf_tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fuzzing {

// bytesCovered: tokens tile the input (byte-level BPE); roundTrip: valid UTF-8 decodes back to itself.
inline void checkTokens(const attnscope::Tokenizer& tok, const std::string& text, bool bytesCovered,
                        bool roundTrip = false)
{
    const std::vector<attnscope::Token> tokens = tok.tokenize(text);
    std::vector<int> ids;
    size_t prevBegin = 0, prevEnd = 0;
    for (const attnscope::Token& t : tokens) {
        if (t.id < -1 || t.id >= tok.vocab().size()) __builtin_trap();
        if (t.begin > t.end || t.end > text.size() || t.begin < prevBegin || t.end < prevEnd) __builtin_trap();
        if (attnscope::sanitizeUtf8(t.text) != t.text) __builtin_trap();
        prevBegin = t.begin;
        prevEnd = t.end;
        ids.push_back(t.id);
    }
    const std::string decoded = tok.decode(ids, true);
    if (attnscope::sanitizeUtf8(decoded) != decoded) __builtin_trap();
    if (!bytesCovered) return;
    size_t at = 0;
    for (const attnscope::Token& t : tokens) {
        if (t.begin != at) __builtin_trap();
        at = t.end;
    }
    if (at != text.size()) __builtin_trap();
    bool allKnown = true;
    for (const attnscope::Token& t : tokens) allKnown = allKnown && !t.unknown;
    if (roundTrip && allKnown && attnscope::sanitizeUtf8(text) == text && decoded != text) __builtin_trap();
}

inline void exercise(const attnscope::HfTokenizer& hf, const std::string& input)
{
    for (const attnscope::SpecialRole r : hf.prefix)
        if (hf.tokenizer.vocab().special(r) < 0) __builtin_trap();
    for (const attnscope::SpecialRole r : hf.suffix)
        if (hf.tokenizer.vocab().special(r) < 0) __builtin_trap();
    // Byte-level BPE tiles the input; it decodes back to it unless a prefix space is added or an
    // added token's rstrip swallows white space (lstrip keeps it inside the token's span but
    // decode writes the token's content).
    const auto* bpe = dynamic_cast<const attnscope::ByteLevelBpeBackend*>(&hf.tokenizer.backend());
    // A Split with behavior Removed drops what it matches: no tiling then. SentencePiece-style
    // BPE (offsets as Hugging Face's alignments) keeps only the general invariants.
    // A Unicode normaliser (NFC, NFKD, ...) changes the text: composed marks are covered by no
    // token and decoding gives the normalised text.
    bool tiles = bpe != nullptr && bpe->settings().normalForms.empty();
    if (bpe)
        for (const attnscope::BpeSplitStep& s : bpe->settings().splits)
            tiles = tiles && s.behavior != attnscope::SplitBehavior::Removed;
    bool roundTrip = tiles && !bpe->settings().addPrefixSpace;
    if (bpe)
        for (const attnscope::AddedToken& a : bpe->addedTokens()) // content read as byte symbols, as Hugging Face
            roundTrip = roundTrip && !a.lstrip && !a.rstrip && hf.tokenizer.decode({a.id}, true) == a.content;
    static const std::string kSample =
        "Hello world, café 中文 😀 [MASK] <|endoftext|> <mask>\t\n 's New York ▁x <0x41> I'M 12345";
    checkTokens(hf.tokenizer, kSample, tiles, roundTrip);
    checkTokens(hf.tokenizer, input.substr(0, 512), tiles, roundTrip);
}

} // namespace fuzzing
