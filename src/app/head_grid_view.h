// Layers × heads maps side by side: one panel per quantity (a census statistic, a head
// importance), each cell coloured within its panel's range and labelled with its value.
// Heads can be marked (ablated: crossed out) and one outlined (selected). Clicking a cell emits
// cellClicked. The numbers are given (from core); this widget only draws them.
#pragma once

#include "core/tensor.h"

#include <QString>
#include <QWidget>

#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace attnscope {

class HeadGridView : public QWidget {
    Q_OBJECT
public:
    struct Panel {
        QString title;      // e.g. "Entropy (nats)"
        MatrixRM values;    // (layers, heads); NaN = not defined
        int id = 0;         // caller's tag, passed back in cellClicked
        std::set<std::pair<int, int>> marked; // (layer, head) drawn crossed out
        // The colour range; unset: the panel's own finite min … max. A range shared by several
        // maps (the census's "shared" scale) makes their colours comparable.
        std::optional<std::pair<double, double>> range;
        QString definition; // what the quantity is, shown on hover (title and cells)
    };

    explicit HeadGridView(QWidget* parent = nullptr);

    void setPanels(std::vector<Panel> panels, const QString& title);
    void setSelected(int layer, int head); // outlined in every panel; −1: none
    void setColormap(const QString& name);
    const std::vector<Panel>& panels() const { return m_panels; }
    const QString& title() const { return m_title; }

    // Where cell (layer, head) of panel `index` is drawn on a canvas of `size`.
    QRect cellRect(int index, int layer, int head, const QSize& size) const;
    QSize preferredExportSize() const;
    // The range panel `index` is coloured over (its own, or the one it was given).
    std::pair<double, double> colourRange(int index) const;
    // What hovering shows: over a cell its title, layer, head, value and the definition; over
    // the panel's title the definition. Empty elsewhere.
    QString toolTipAt(const QPoint& pos) const;
    void paint(QPainter& painter, const QSize& size) const;

    // A cell's label: 2 decimals below 10, 1 below 100, none above; never "-0.00".
    static QString cellText(double value);
    // The same in a map spanning lo … hi: at least the legend's decimals (up to 4), so that cells
    // of different colours never read the same ("0.00" teal beside "0.00" purple on 0 … 0.0004).
    static QString cellText(double value, double lo, double hi);
    // The colour legend "colour: lo … hi", with as many decimals (up to 6) as it takes for lo and
    // hi to read differently: a map spanning −0.0031 … 0.0042 does not read "-0.00 … 0.00".
    static QString legendText(double lo, double hi);

signals:
    void cellClicked(int panelId, int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        int columns = 1, panelW = 0, panelH = 0, cell = 0, cellH = 0;
    };
    Geometry geometry(const QSize& size) const;
    QRect panelRect(int index, const QSize& size) const;
    bool hit(const QPoint& pos, int& index, int& layer, int& head) const;

    std::vector<Panel> m_panels;
    QString m_title;
    QString m_colormap = QStringLiteral("viridis");
    int m_selectedLayer = -1, m_selectedHead = -1;
};

} // namespace attnscope
