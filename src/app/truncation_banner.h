// The warning strip under the input that says the model did not see all of it: how many tokens
// were cut at the model's max_len and where the cut text starts (elided; whole on hover). The
// views and the prediction are those of the shortened input, so this must not hide in a dock.
#pragma once

#include "core/tokenizer.h"

#include <QLabel>

#include <string>

namespace attnscope {

// What truncation to max_len dropped from one text: `cut` of `total` tokens, and the text from
// the first dropped token on (the tokenizer's byte spans locate it). cut == 0: nothing dropped.
struct Truncation {
    int cut = 0;
    int total = 0;
    QString dropped;
};

// `kept`: the text's own tokens the run kept (its framing tokens, e.g. <s> </s>, not counted).
// Pieces the vocabulary cannot represent (id −1, dropped before framing) are not counted either.
Truncation findTruncation(const Tokenizer& tokenizer, const std::string& text, size_t kept);

class TruncationBanner : public QLabel {
    Q_OBJECT
public:
    explicit TruncationBanner(QWidget* parent = nullptr);

    // Shows the strip when either text was cut (`what` names it: "input", "target"), else hides it.
    void setTruncation(int maxLen, const Truncation& input, const Truncation& target = {});
    int cutTokens() const { return m_cut; } // input + target tokens cut, as shown

private:
    void applyStyle();
    int m_cut = 0;
};

} // namespace attnscope
