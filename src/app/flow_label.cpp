// See flow_label.h.
#include "app/flow_label.h"

#include <QEvent>

#include <algorithm>

namespace attnscope {

FlowLabel::FlowLabel(QWidget* parent) : QLabel(parent)
{
    setWordWrap(true);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void FlowLabel::setGrowOnly(bool on)
{
    m_growOnly = on;
    resetGrowth();
}

void FlowLabel::resetGrowth()
{
    m_tallest.clear();
    updateGeometry();
}

int FlowLabel::heightForWidth(int width) const
{
    // Layouts ask for more than one width per text (the label's own, the window's minimum), so
    // the heights of a text are kept per width.
    if (text() != m_measuredText || m_heights.size() > 16) {
        m_measuredText = text();
        m_heights.clear();
    }
    auto it = m_heights.constFind(width);
    if (it == m_heights.constEnd()) it = m_heights.insert(width, QLabel::heightForWidth(width));
    const int height = it.value();
    if (!m_growOnly) return height;
    // Layouts ask for several widths (the window's minimum and its current width), so the
    // tallest height is kept per width; a resized window starts over at its new widths.
    if (m_tallest.size() > 16) m_tallest.clear();
    int& tallest = m_tallest[width];
    tallest = std::max(tallest, height);
    return tallest;
}

void FlowLabel::changeEvent(QEvent* event)
{
    // The same text takes another height in another font or style.
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        m_heights.clear();
        m_tallest.clear();
    }
    QLabel::changeEvent(event);
}

QSize FlowLabel::minimumSizeHint() const
{
    // A few characters wide and one line high: the text wraps (or, a single word wider than
    // that, is clipped) rather than widening the window or its dock.
    const QMargins m = contentsMargins();
    return {fontMetrics().averageCharWidth() * 8 + m.left() + m.right(),
            fontMetrics().lineSpacing() + m.top() + m.bottom()};
}

QSize FlowLabel::sizeHint() const
{
    const int w = std::max(minimumSizeHint().width(), width());
    return {minimumSizeHint().width(), heightForWidth(w)};
}

} // namespace attnscope
