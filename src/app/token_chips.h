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
};

QString tokenChipsHtml(const std::vector<Token>& tokens, const QPalette& palette, const ChipOptions& options = {});

} // namespace attnscope
