// See truncation_banner.h.
#include "app/truncation_banner.h"

#include <algorithm>

namespace attnscope {

namespace {

constexpr int kShownChars = 40; // of the dropped text, before "…"

QString shortened(const QString& text)
{
    QString s = text.simplified();
    if (s.size() > kShownChars) s = s.left(kShownChars).trimmed() + QChar(0x2026);
    return s;
}

} // namespace

Truncation findTruncation(const Tokenizer& tokenizer, const std::string& text, size_t kept)
{
    std::vector<Token> tokens = tokenizer.tokenize(text);
    tokens.erase(std::remove_if(tokens.begin(), tokens.end(), [](const Token& t) { return t.id < 0; }), tokens.end());
    Truncation t;
    t.total = static_cast<int>(tokens.size());
    if (tokens.size() <= kept) return t;
    t.cut = static_cast<int>(tokens.size() - kept);
    const size_t begin = std::min(tokens[kept].begin, text.size());
    t.dropped = QString::fromStdString(text.substr(begin));
    return t;
}

TruncationBanner::TruncationBanner(QWidget* parent) : QLabel(parent)
{
    setObjectName(QStringLiteral("truncationBanner"));
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setTextInteractionFlags(Qt::NoTextInteraction);
    setMargin(4);
    applyStyle();
    hide();
}

void TruncationBanner::applyStyle()
{
    // A warning strip that reads in light and dark palettes alike: amber background, dark text.
    setStyleSheet(QStringLiteral("QLabel#truncationBanner { background: #fff3cd; color: #5c4400;"
                                 " border: 1px solid #e0b030; border-radius: 3px; }"));
}

void TruncationBanner::setTruncation(int maxLen, const Truncation& input, const Truncation& target)
{
    m_cut = input.cut + target.cut;
    if (m_cut == 0) {
        hide();
        clear();
        setToolTip(QString());
        return;
    }
    QStringList parts, tips;
    auto describe = [&](const Truncation& t, const QString& what) {
        if (t.cut == 0) return;
        const QString count = t.cut == 1 ? tr("1 token dropped") : tr("%1 tokens dropped").arg(t.cut);
        parts << tr("<b>\u26A0 The %1 is cut at max_len %2: %3</b> (of %4) \u2014 every view and the "
                    "prediction are for the shortened %1. Not seen: \u201C%5\u201D")
                     .arg(what)
                     .arg(maxLen)
                     .arg(count)
                     .arg(t.total)
                     .arg(shortened(t.dropped).toHtmlEscaped());
        tips << tr("Dropped from the %1 (%2 tokens):\n%3").arg(what).arg(t.cut).arg(t.dropped);
    };
    describe(input, tr("input"));
    describe(target, tr("target"));
    setText(parts.join(QStringLiteral("<br>")));
    setToolTip(tips.join(QStringLiteral("\n\n")));
    show();
}

} // namespace attnscope
