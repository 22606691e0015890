// A word-wrapped rich-text label that is cheap to re-lay out on every keystroke: its size hints
// do not depend on the text's width (so a new text never changes the window's or a dock's
// minimum width) and its height for a width is measured once per text. QLabel computes three
// size hints from scratch after each setText (about eight text layouts of the whole rich text);
// for the token chips and the output that was a quarter of the GUI thread's time per keystroke.
#pragma once

#include <QHash>
#include <QLabel>

namespace attnscope {

class FlowLabel : public QLabel {
    Q_OBJECT
public:
    explicit FlowLabel(QWidget* parent = nullptr);

    // Grow-only: the label keeps the height of its tallest text since the last reset (at each
    // width), so a text that wraps to fewer lines does not move everything below it.
    void setGrowOnly(bool on);
    void resetGrowth();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    int heightForWidth(int width) const override;

protected:
    void changeEvent(QEvent* event) override;

private:
    bool m_growOnly = false;
    // The text last measured, and its height at each width asked for.
    mutable QString m_measuredText;
    mutable QHash<int, int> m_heights;
    // Grow-only: the tallest height measured at each width.
    mutable QHash<int, int> m_tallest;
};

} // namespace attnscope
