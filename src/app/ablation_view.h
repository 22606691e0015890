// Live head ablation: the head-importance map of every stack (core's headImportance: the drop
// in log-probability of the intact model's own predictions when that head alone is zeroed);
// clicking a head toggles it off or on, and the main window re-runs the model with every
// ablated head removed (zero ablation, or mean ablation over a reference input).
#pragma once

#include "app/head_grid_view.h"
#include "app/inference_runner.h"
#include "app/view_page.h"

#include <QWidget>

#include <set>
#include <tuple>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace attnscope {

class AblationView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Zero = 0, Mean = 1 };

    explicit AblationView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const RunAnalysis> analysis, const std::set<HeadKey>& ablated);
    Mode mode() const;
    QString referenceText() const;
    void setMode(Mode mode);                 // as if chosen
    void setReferenceText(const QString& text); // as if typed
    HeadGridView* grid() const { return m_grid; }

signals:
    void headToggled(attnscope::Stack stack, int layer, int head);
    void settingsChanged(); // mode or reference text
    void clearRequested();

private:
    QComboBox* m_mode = nullptr;
    QLineEdit* m_reference = nullptr;
    QPushButton* m_clear = nullptr;
    QLabel* m_summary = nullptr;
    HeadGridView* m_grid = nullptr;
};

} // namespace attnscope
