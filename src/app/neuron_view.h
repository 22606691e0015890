// The query/key vector view of the step-through (in the style of BertViz's neuron view): for
// one query token of the displayed head, its vector q_i, every key vector k_j, the elementwise
// products q_i ⊙ k_j (keys × d_k, blue–white–red around 0), their sums q_i·k_j, the scaled
// scores and the softmax weights at the step-through's temperature τ. The numbers are core's
// neuronView (core/analysis/teaching.h); this canvas only draws them.
#pragma once

#include "core/analysis/teaching.h"

#include <QStringList>
#include <QWidget>

#include <memory>

namespace attnscope {

class NeuronCanvas : public QWidget {
    Q_OBJECT
public:
    // The columns of the picture, left to right.
    enum Column { KeyVectors, Products, Dot, Scaled, Weight, ColumnCount };

    explicit NeuronCanvas(QWidget* parent = nullptr);
    void setData(std::shared_ptr<const NeuronView> neuron, QString queryLabel, QStringList keyLabels, QString title);
    void setSelectedKey(int key);
    void setColormap(const QString& name);
    const NeuronView* neuron() const { return m_neuron.get(); }
    QString columnTitle(Column column) const; // the formula shown above the column
    QRect rowRect(int key, const QSize& size) const; // the whole row of key j (for tests and clicks)
    QRect queryRect(const QSize& size) const;        // the q_i strip
    QRect numberRect(Column column, int key, const QSize& size) const; // key j's cell of Dot or Scaled
    void paint(QPainter& painter, const QSize& size) const;
    QSize sizeHint() const override { return {900, 520}; }

signals:
    void keyClicked(int key);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Layout {
        int cell = 0, rowH = 0;
        int labelW = 0, top = 0;
        int x[ColumnCount + 1] = {};
        int columnW[ColumnCount] = {};
        QRect q;
    };
    Layout layout(const QSize& size) const;
    int keyAt(const QPoint& pos) const;

    std::shared_ptr<const NeuronView> m_neuron;
    QString m_queryLabel;
    QStringList m_keyLabels;
    QString m_title;
    QString m_colormap = QStringLiteral("viridis");
    int m_key = -1;
};

} // namespace attnscope
