// The head view's plot: one attention matrix as a QCPColorMap with token labels on both axes,
// a colour scale, crisp (non-interpolated) cells, linear or log colour scale and a hover
// tooltip "query → key: 0.734". Wheel zooms and drag pans (within the matrix; double-click
// resets), token labels thin out to what fits the visible range. Used live by the app and
// offscreen by `attnscope-cli export`.
#pragma once

#include "render/attention_slice.h"

#include <QPointer>
#include <qcustomplot.h>

namespace attnscope {

// The one function that decides orientation: cell (key j, query i) holds weights(i, j); key
// range (0, Tk−1) on x, query range (0, Tq−1) on y, and the y axis is reversed (by the caller,
// HeatmapPlot) so query 0 is on top. Values below `floor` are raised to it (log scale only).
void placeCells(QCPColorMap* map, const MatrixRM& weights, double floor = 0.0);

// The colour map of every AttnScope heatmap. On screen and in PNG/JPG it is QCPColorMap's cached
// image. When painted for a vector format (SVG and PDF export: QCPPainter::pmVectorized), each
// cell becomes its own filled rectangle with the gradient's colour for its value, so the cells
// stay sharp at any zoom and can be edited. Above kMaxVectorCells cells (e.g. 256 × 256) the
// file would grow by roughly 100 bytes a cell, so it falls back to the embedded image.
class CellColorMap : public QCPColorMap {
public:
    static constexpr int kMaxVectorCells = 256 * 256;
    using QCPColorMap::QCPColorMap;

protected:
    void draw(QCPPainter* painter) override;
};

class HeatmapPlot : public QCustomPlot {
    Q_OBJECT
public:
    static constexpr double kLogFloor = 1e-3; // log scale shows [1e-3, 1]; smaller weights clamp
    // Matrices with at most this many rows and columns are placed whole, cell for cell. Larger
    // ones (long inputs) are placed for the visible range only, at about one cell per pixel:
    // where more cells than pixels are visible, each placed cell is a block of them showing its
    // largest value (largest |value|, sign kept, for signed maps such as A − B), so a single
    // strong weight stays visible at 2048 tokens instead of falling between sampled pixels, and
    // QCustomPlot holds ~0.5 M doubles and an image of that size instead of 4 M per 2048² map.
    // Zoom and pan place the visible range again (down to single cells).
    static constexpr int kWholeLimit = 1024;

    explicit HeatmapPlot(QWidget* parent = nullptr);

    // Shows a new matrix. The zoom is kept when the new matrix has the same shape (switching
    // heads of one input), otherwise the whole matrix is shown.
    void setSlice(AttentionSlice slice);
    // Shows the whole matrix (undoes zoom and pan).
    void resetView();
    const AttentionSlice& slice() const { return m_slice; }
    // What is placed in colorMap(): key cells [firstKey, firstKey + keyBlock · keyCells) and the
    // same for queries, keyBlock × queryBlock matrix cells per placed cell (1 × 1 when whole).
    struct Placement {
        int firstKey = 0, firstQuery = 0, keyBlock = 1, queryBlock = 1, keyCells = 0, queryCells = 0;
        bool operator==(const Placement& o) const
        {
            return firstKey == o.firstKey && firstQuery == o.firstQuery && keyBlock == o.keyBlock &&
                   queryBlock == o.queryBlock && keyCells == o.keyCells && queryCells == o.queryCells;
        }
    };
    const Placement& placement() const { return m_placement; }
    void setColormap(const QString& name);
    const QString& colormapName() const { return m_colormap; }
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    // A signed map (Compare's A − B): the diverging palette on [−range, range] with `label` on the
    // colour bar, whatever the colour map or log scale chosen for the other plots, from the
    // moment this is called — also while the plot waits for its first matrix, so its colour bar
    // never shows viridis on [0, 1].
    void setSignedScale(double range, const QString& label);
    bool signedScale() const { return m_signedRange > 0.0; }

    QCPColorMap* colorMap() const { return m_map; }
    // Masked cells (AttentionSlice::causal): one hatched grey region over the future keys, so they
    // never read as weight 0, and the legend line under the plot that names it.
    QCPCurve* maskedRegion() const { return m_masked; }
    QString maskLegend() const { return m_maskText; } // whole (drawn wrapped to the plot's width)
    QString shownTitle() const { return m_title->text(); } // the title as drawn (wrapped onto two lines, shortened, to fit)
    static QColor maskedColor(const QPalette& palette);
    QCPColorScale* colorScale() const { return m_scale; }

    // Draws the plot at logical `size` onto an export painter (image_export.h's paint function
    // for heatmaps). A matrix placed pooled (kWholeLimit) is placed again for the export's
    // resolution — the painter's scale for raster images, 4 device pixels per logical pixel for
    // SVG and PDF — so an export at 2× or 4× shows detail the screen's placement pooled away;
    // the on-screen placement is restored afterwards.
    void paintForExport(QCPPainter& painter, const QSize& size);

    // Cell under a widget position; false outside the matrix.
    bool cellAt(const QPointF& pos, int& query, int& key) const;
    // "query → key: 0.734" for a cell (token labels, weight to 3 decimals).
    QString cellText(int query, int key) const;

    // The ticks an axis shows of `labels` in [lo, hi]: every token at step 1; else every
    // step-th (multiples of step), each label prefixed with its position, "12:th", so that
    // thinned character labels do not read as a word of their own.
    static QMap<double, QString> axisTicks(const QStringList& labels, int lo, int hi, int step);

signals:
    void cellHovered(int query, int key); // (-1, -1) when the pointer leaves the matrix

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void scheduleReplot(); // replot before the next paint (see the .cpp)
    void rebuild(bool keepView = false);
    void placeVisible(bool force); // see kWholeLimit; for the widget's size and pixel ratio
    // The same for a plot of logical size `size` drawn at `ratio` device pixels per logical pixel.
    void placeFor(const QSize& size, double ratio, bool force);
    void applyTicks();
    void onRangeChanged();
    void applyPalette();
    void updateMask();
    void fitTitle(); // the slice's title, shortened to the plot's width

    AttentionSlice m_slice;
    Placement m_placement;
    bool m_signedValues = false; // the slice has negative values (pooled by largest |value|)
    bool m_hasNaN = false;       // the slice has NaN cells (not computed yet; drawn grey)
    QString m_colormap = QStringLiteral("viridis");
    bool m_log = false;
    QString m_maskText; // the mask legend's whole text (empty: none)
    double m_signedRange = 0.0; // > 0: setSignedScale's half-range
    bool logApplied() const { return m_log && !signedScale(); }
    QCPTextElement* m_title = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPCurve* m_masked = nullptr;
    QCPTextElement* m_maskLegend = nullptr;
    QCPColorScale* m_scale = nullptr;
    int m_hoverQuery = -1;
    int m_hoverKey = -1;
    bool m_clamping = false; // re-entrancy guard while onRangeChanged() adjusts the ranges
    std::vector<int> m_keyLabelWidths;   // pixels per key label, measured once per slice
    std::vector<int> m_queryLabelWidths; // the same for the query labels
    bool m_replotPending = false;
    QPointer<QWidget> m_filteredWindow; // whose UpdateRequest triggers the pending replot
};

} // namespace attnscope
