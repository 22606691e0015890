// The training-step slider of a checkpoint series (core/revisions.h): shown above the model's
// summary when the open model is one snapshot of a series, hidden otherwise. Moving it asks for
// another snapshot; MainWindow loads it and keeps the input, the view and the selected head, so
// the views and the census follow the slider through training.
#pragma once

#include "core/model.h"

#include <QWidget>

class QLabel;
class QSlider;

namespace attnscope {

class RevisionSlider : public QWidget {
    Q_OBJECT
public:
    explicit RevisionSlider(QWidget* parent = nullptr);

    // Shows the series of `model` with its snapshot selected, or hides the slider (nullptr, or a
    // model outside a series). Emits nothing.
    void setModel(const Model* model);

    QSlider* slider() const { return m_slider; }
    QString caption() const; // e.g. "Training step 1000 (4 of 6)"

signals:
    // The user chose snapshot `index` of the series (on release, or at once from the keyboard).
    void revisionChosen(int index);

private:
    QSlider* m_slider = nullptr;
    QLabel* m_label = nullptr;
    std::vector<Revision> m_revisions;
};

} // namespace attnscope
