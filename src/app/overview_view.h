// All heads of one stack at a glance: a layer × head grid of thumbnails (plus a column for the
// mean of each layer's heads), coloured with the head view's colour map. Clicking a thumbnail
// selects that head; the selected one is outlined. paint() serves both the screen and export.
// The thumbnails grow to fill the canvas with their matrix's shape (keys : queries); what is
// left over is shared around them. Masked cells (future keys) are the head view's masked grey,
// with a legend entry.
#pragma once

#include "render/attention_slice.h"

#include <QImage>
#include <QWidget>

#include <memory>
#include <set>
#include <utility>
#include <vector>

namespace attnscope {

class OverviewView : public QWidget {
    Q_OBJECT
public:
    explicit OverviewView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const RunResult> result, Stack stack);
    void setSelection(const HeadSelection& selection);
    // Switched-off heads of the shown stack (layer, head): crossed out and marked ⊘.
    void setAblated(std::set<std::pair<int, int>> heads, QString mark);
    const std::set<std::pair<int, int>>& ablated() const { return m_ablated; }
    void setColormap(const QString& name);
    void setLogScale(bool on);
    // A line per head added to its tooltips (thumbnails and the head names above them), e.g. its
    // key/value group under grouped-query attention; empty strings for none.
    void setHeadNotes(QStringList notes) { m_headNotes = std::move(notes); }
    // The tooltip at a widget position: a thumbnail's or a head name's; empty elsewhere.
    QString toolTipAt(const QPoint& pos) const;
    // Where the name of head `head` (or "mean") is drawn above the grid for a canvas of `size`.
    QRect headNameRect(int head, const QSize& size) const;

    int layerCount() const { return static_cast<int>(m_thumbs.size()); }
    int headCount() const { return m_heads; }
    // Where the thumbnail of (layer, head) is drawn for a canvas of `size`; head may be
    // kMeanOfHeads for the mean column.
    QRect thumbnailRect(int layer, int head, const QSize& size) const;
    QSize preferredExportSize() const;
    QString maskLegend() const; // the masked cells' legend entry; empty when nothing is masked
    void paint(QPainter& painter, const QSize& size) const;

signals:
    void headActivated(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    struct Geometry {
        int titleTop = 0;            // the block (title, head names, grid, legend) starts here
        int left = 0, top = 0;       // the first thumbnail
        int cellW = 0, cellH = 0, gap = 0;
    };
    Geometry geometry(const QSize& size) const;
    bool hit(const QPoint& pos, int& layer, int& head) const;
    double aspect() const; // a thumbnail's width : height, the matrices' keys : queries (bounded)
    bool causal() const;   // the shown stack has masked future keys
    void rebuild();

    std::shared_ptr<const RunResult> m_result;
    Stack m_stack = Stack::Encoder;
    HeadSelection m_selection;
    QString m_colormap = QStringLiteral("viridis");
    bool m_log = false;
    int m_heads = 0;
    std::set<std::pair<int, int>> m_ablated;
    QString m_ablationMark; // the title's note while any head is switched off
    QStringList m_headNotes; // per head, for its tooltips
    std::vector<std::vector<QImage>> m_thumbs; // [layer][head], last entry the mean
};

// A matrix coloured cell by cell (one pixel per cell, row = query) with a colour map; with a
// valid `masked` colour, cells above the diagonal (key j > query i: masked future keys) in it.
QImage colorizeMatrix(const MatrixRM& weights, const QString& colormap, bool logScale, const QColor& masked = QColor());

} // namespace attnscope
