// Token alignment in the BertViz head-view style: keys in a left column, queries in a right
// column, one line per (query, key) whose opacity is the weight, each head in its own colour.
// Hovering a token isolates its lines; clicking a head's legend chip shows or hides it. For
// cross-attention the right column shows the output token each decoder position produced.
// Long inputs (compact traces) show one line set: the selected head, or the layer's mean, once
// the main window has had it recomputed (setRecomputed); more tokens than rows of text fit are
// drawn as thin rows with every k-th label.
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

    // A compact result keeps no weights: the view shows its tokens and "recomputing" until setRecomputed.
    void setData(std::shared_ptr<const RunResult> result, const ModelConfig& config, Stack stack, int layer);
    // Shows that head's lines only; kMeanOfHeads: the layer's mean Ā = (1/H) Σ A_h as one neutral
    // set (its own chip; the heads' chips add heads to compare).
    void setSelectedHead(int head);
    void setHeadVisible(int head, bool visible);
    bool headVisible(int head) const;
    int headCount() const { return static_cast<int>(m_weights.size()); }
    // Compact results: the one matrix to draw, head `head` or the layer's mean (kMeanOfHeads).
    void setRecomputed(int head, MatrixRM weights);
    // A note after the title (the ablation mark, view_page.h ablationMark); empty for none.
    void setTitleNote(const QString& note);
    QString title() const { return m_title + m_note; }
    bool isWaiting() const { return m_waiting; }
    const MatrixRM& lineWeights(int index) const { return m_weights[size_t(index)]; } // index < headCount()
    int headOf(int index) const { return m_heads[size_t(index)]; }                     // kMeanOfHeads for the mean
    QString message() const { return m_message; } // shown instead of lines (empty when lines are shown)
    // Full traces: the layer's mean of heads, drawn while meanVisible() (its chip, or the selection).
    const MatrixRM& meanWeights() const { return m_mean; }
    bool meanVisible() const { return m_meanVisible && m_mean.size() > 0; }

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
        double rowHeight = 0; // below 6 px (long inputs) rows are thinner than text ...
        int labelStep = 1;    // ... and only every labelStep-th token is labelled
        int top = 0, leftX = 0, rightX = 0;
        QFont font;
    };
    Layout layout(const QSize& size) const;
    QRect legendChip(int index) const; // index headCount(): the mean's chip (full traces)
    int chipCount() const { return headCount() + (m_mean.size() > 0 ? 1 : 0); }

    std::vector<MatrixRM> m_weights; // per line set, (Tq, Tk)
    std::vector<int> m_heads;        // per line set: its head (kMeanOfHeads: the layer's mean)
    std::vector<bool> m_visible;
    MatrixRM m_mean;                 // full traces: the layer's mean of heads (Tq, Tk)
    bool m_meanVisible = false;
    bool m_waiting = false;          // compact result: the matrix is being recomputed
    QString m_message;
    QStringList m_left;  // keys
    QStringList m_right; // queries (cross: predicted outputs)
    QString m_title;
    QString m_note;
    int m_hoverSide = 0; // 0 none, 1 left (key), 2 right (query)
    int m_hoverIndex = -1;
};

} // namespace attnscope
