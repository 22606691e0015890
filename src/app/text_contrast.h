// Black or white text on a coloured cell, chosen by the cell's relative luminance (WCAG 2.x),
// not by HSL lightness: lightness calls viridis's yellow and a pale veil over a dark cell
// "dark", and the white numbers drawn on them could not be read.
#pragma once

#include <QColor>

#include <cmath>

namespace attnscope {

// Relative luminance of an sRGB colour, 0 (black) … 1 (white).
inline double relativeLuminance(const QColor& c)
{
    auto linear = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF());
}

// The one of black and white with the higher contrast ratio on `fill` (they tie at L ≈ 0.179).
inline QColor textColorOn(const QColor& fill)
{
    const double l = relativeLuminance(fill);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? QColor(Qt::black) : QColor(Qt::white);
}

// `over` (with its alpha) painted on the opaque `under`: what a veiled cell really shows.
inline QColor composite(const QColor& over, const QColor& under)
{
    const double a = over.alphaF();
    return QColor::fromRgbF(float(over.redF() * a + under.redF() * (1 - a)), float(over.greenF() * a + under.greenF() * (1 - a)),
                            float(over.blueF() * a + under.blueF() * (1 - a)));
}

} // namespace attnscope
