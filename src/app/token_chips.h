// Token chips: a run's tokens as rich text, one tinted chip each (unknown tokens red and marked
// "?", special ones grey and italic, chosen positions highlighted). Shared by the input's chip
// row and Compare's token rows, so both read the same.
#pragma once

#include "core/tokenizer.h"

#include <QPalette>
#include <QString>

#include <set>
#include <vector>

namespace attnscope {

struct ChipOptions {
    size_t maxChips = 64; // more are counted ("… and n more tokens"), not drawn
    std::set<int> marked; // positions drawn highlighted (Compare: where A and B differ)
    // Token type of each position (sentence pairs: 0 for segment A, 1 for B); empty: none. Chips
    // of type 1 take a second tint and a "B" mark, so the two segments read apart.
    std::vector<int> types;
};

QString tokenChipsHtml(const std::vector<Token>& tokens, const QPalette& palette, const ChipOptions& options = {});

} // namespace attnscope
