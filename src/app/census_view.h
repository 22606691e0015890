// Head census view: for every layer × head of the selected stack, each statistic of core's
// computeCensus (DOMAIN.md "Head statistics") as its own layers × heads map. Clicking a cell
// opens that head; the census exports as core's CSV.
#pragma once

#include "app/head_grid_view.h"
#include "app/inference_runner.h"

#include <QWidget>

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

signals:
    void headActivated(int layer, int head);
    void exportRequested();

private:
    HeadGridView* m_grid = nullptr;
    QLabel* m_note = nullptr;
    QPushButton* m_export = nullptr;
    std::shared_ptr<const RunAnalysis> m_analysis;
    Stack m_stack = Stack::Encoder;
};

} // namespace attnscope
