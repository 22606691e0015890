// Head census view: for every layer × head of the selected stack, each statistic of core's
// computeCensus (DOMAIN.md "Head statistics") as its own layers × heads map. Clicking a cell
// opens that head; the census exports as core's CSV.
#pragma once

#include "app/head_grid_view.h"
#include "app/inference_runner.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace attnscope {

class CensusView : public QWidget {
    Q_OBJECT
public:
    explicit CensusView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const RunAnalysis> analysis, Stack stack);
    void setSelected(int layer, int head) { m_grid->setSelected(layer, head); }
    HeadGridView* grid() const { return m_grid; }
    const HeadCensus* census() const; // null when there is none
    QByteArray csv() const;            // core's HeadCensus::toCsv()

    // Colours: each map over its own min … max, or one range per statistic shared by every
    // stack's map (weight shares and scores on 0 … 1, entropy and distance on 0 … the largest
    // value of any stack), so colours compare between maps.
    enum class Scale { PerMap = 0, Shared = 1 };
    void setScale(Scale scale);
    Scale scale() const;
    QString note() const; // the caption above the maps (says which scale is shown)
    // What each statistic means (DOMAIN.md "Head statistics"), shown on hover.
    static QString definition(HeadStatistic statistic);

signals:
    void headActivated(int layer, int head);
    void exportRequested();

private:
    HeadGridView* m_grid = nullptr;
    QLabel* m_note = nullptr;
    QPushButton* m_export = nullptr;
    QComboBox* m_scale = nullptr;
    std::shared_ptr<const RunAnalysis> m_analysis;
    Stack m_stack = Stack::Encoder;
};

} // namespace attnscope
