// How the self-drawn (QPainter) views draw their titles, captions and labels: drawLabel() draws
// a text in its box, shortened with … when it is told to and it does not fit, and — while a test
// listens (TextProbe) — records what it drew, the whole text and the box, so a legibility test can
// measure every label against its rectangle the way it measures QLabels and plot axes.
#pragma once

#include <QFontMetrics>
#include <QPainter>
#include <QRect>
#include <QString>

#include <vector>

namespace attnscope {

struct DrawnText {
    QString shown;  // what was drawn
    QString full;   // the whole text (differs from `shown` when it was shortened)
    QRect box;      // the box it was drawn in (painter coordinates)
    QRect device;   // the same box in device (widget) coordinates
    QFont font;
    int flags = 0;  // Qt::Alignment | Qt::TextFlag
};

// While one exists (tests only), every drawLabel() on the GUI thread is recorded into it.
class TextProbe {
public:
    TextProbe() : m_previous(current()) { current() = this; }
    ~TextProbe() { current() = m_previous; }
    TextProbe(const TextProbe&) = delete;
    TextProbe& operator=(const TextProbe&) = delete;
    std::vector<DrawnText> texts;
    static TextProbe*& current()
    {
        static TextProbe* probe = nullptr;
        return probe;
    }

private:
    TextProbe* m_previous;
};

// Draws `full` in `box` with `flags`; with an elide mode, shortened to `elideWidth` (default:
// the box's width) when it is wider. Returns what was drawn.
inline QString drawLabel(QPainter& p, const QRect& box, int flags, const QString& full,
                         Qt::TextElideMode elide = Qt::ElideNone, int elideWidth = -1)
{
    const QString shown =
        elide == Qt::ElideNone ? full : p.fontMetrics().elidedText(full, elide, elideWidth >= 0 ? elideWidth : box.width());
    p.drawText(box, flags, shown);
    if (TextProbe* probe = TextProbe::current())
        probe->texts.push_back({shown, full, box, p.transform().mapRect(box), p.font(), flags});
    return shown;
}

} // namespace attnscope
