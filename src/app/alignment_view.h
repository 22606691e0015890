// Token alignment in the BertViz head-view style: keys in a left column, queries in a right
// column, one line per (query, key) whose opacity is the weight, each head in its own colour.
// Hovering a token isolates its lines; clicking a head's legend chip shows or hides it. For
// cross-attention the right column shows the output token each decoder position produced.
#pragma once

#include "render/attention_slice.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace attnscope {

class AlignmentView : public QWidget {
    Q_OBJECT
public:
    explicit AlignmentView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const RunResult> result, const ModelConfig& config, Stack stack, int layer);
    void setSelectedHead(int head); // kMeanOfHeads: all heads
    void setHeadVisible(int head, bool visible);
    bool headVisible(int head) const;
    int headCount() const { return static_cast<int>(m_weights.size()); }

    QStringList leftLabels() const { return m_left; }
    QStringList rightLabels() const { return m_right; }
    QSize preferredExportSize() const;
    void paint(QPainter& painter, const QSize& size) const;

    static QColor headColor(int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Layout {
        int rowHeight = 0, top = 0, leftX = 0, rightX = 0;
        QFont font;
    };
    Layout layout(const QSize& size) const;
    QRect legendChip(int head) const;

    std::vector<MatrixRM> m_weights; // per head, (Tq, Tk)
    std::vector<bool> m_visible;
    QStringList m_left;  // keys
    QStringList m_right; // queries (cross: predicted outputs)
    QString m_title;
    int m_hoverSide = 0; // 0 none, 1 left (key), 2 right (query)
    int m_hoverIndex = -1;
};

} // namespace attnscope
