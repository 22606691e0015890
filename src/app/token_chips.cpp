// See token_chips.h.
#include "app/token_chips.h"

#include "render/attention_slice.h"

#include <QCoreApplication>

namespace attnscope {

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

QString tokenChipsHtml(const std::vector<Token>& tokens, const QPalette& pal, const ChipOptions& options)
{
    // Colours are mixed from the palette so chips read on light and dark themes alike.
    const QColor base = pal.color(QPalette::Base);
    const QColor normal = mix(base, pal.color(QPalette::Highlight), 0.25);
    const QColor special = mix(base, pal.color(QPalette::Text), 0.18);
    const QColor unknown = mix(base, QColor(220, 40, 40), 0.45);
    const QColor marked(255, 170, 60);
    const QColor second = mix(base, QColor(40, 170, 120), 0.30); // segment B of a sentence pair
    QString html;
    for (size_t i = 0; i < tokens.size() && i < options.maxChips; ++i) {
        const Token& t = tokens[i];
        const bool mark = options.marked.count(int(i)) > 0;
        const bool typeB = i < options.types.size() && options.types[i] == 1 && !t.special;
        const QColor bg = mark ? marked : t.unknown ? unknown : t.special ? special : typeB ? second : normal;
        QString text = tokenLabel(t, false).toHtmlEscaped(); // unknown: underlined and "?" instead
        if (t.special) text = QStringLiteral("<i>%1</i>").arg(text);
        if (t.unknown) text = QStringLiteral("<u>%1</u>?").arg(text);
        if (mark) text = QStringLiteral("<b>%1</b>").arg(text);
        html += QStringLiteral("<span style=\"background-color:%1%2\">&nbsp;%3&nbsp;</span> ")
                    .arg(bg.name(), mark ? QStringLiteral(";color:black") : QString(), text);
    }
    if (tokens.size() > options.maxChips)
        html += QCoreApplication::translate("MainWindow", "<i>\u2026 and %n more token(s)</i>", nullptr,
                                            int(tokens.size() - options.maxChips));
    return html;
}

} // namespace attnscope
