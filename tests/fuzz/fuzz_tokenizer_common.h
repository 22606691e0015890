// Shared body of the tokenizer fuzz targets: tokenize arbitrary bytes, check invariants,
// decode. Invariants: every id is valid or -1 (unknown without unk); the char tokenizer
// without lowercasing reproduces the sanitised input exactly when its pieces are joined.
#pragma once

#include "core/tokenizer.h"

#include <cstdint>
#include <string>

namespace fuzzing {

inline attnscope::Tokenizer makeTokenizer(attnscope::TokenizerKind kind, bool lowercase)
{
    using namespace attnscope;
    Vocabulary v({"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "the", ",", ".", "é", "日", "ab", "[", "<"});
    v.setSpecial(SpecialRole::Pad, 0);
    v.setSpecial(SpecialRole::Unk, 1);
    v.setSpecial(SpecialRole::Bos, 2);
    v.setSpecial(SpecialRole::Eos, 3);
    v.setSpecial(SpecialRole::Mask, 4);
    TokenizerOptions o;
    o.kind = kind;
    o.lowercase = lowercase;
    return Tokenizer(o, v);
}

inline void check(const attnscope::Tokenizer& tok, const uint8_t* data, size_t size, bool joinInvariant)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto tokens = tok.tokenize(text);
    std::string joined;
    std::vector<int> ids;
    for (const auto& t : tokens) {
        if (t.id < -1 || t.id >= tok.vocab().size()) __builtin_trap();
        if (t.text.empty()) __builtin_trap();
        joined += t.text;
        ids.push_back(t.id);
    }
    if (joinInvariant && joined != attnscope::sanitizeUtf8(text)) __builtin_trap();
    const std::string decoded = tok.decode(ids, true);
    if (attnscope::sanitizeUtf8(decoded) != decoded) __builtin_trap(); // decode yields valid UTF-8
}

} // namespace fuzzing
