#include "app/revision_slider.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

namespace attnscope {

RevisionSlider::RevisionSlider(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("revisionSlider"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel(this);
    m_label->setObjectName(QStringLiteral("revisionLabel"));
    m_label->setWordWrap(true);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("revisionSliderControl"));
    m_slider->setTracking(false); // a drag loads one snapshot, where it is let go
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(1);
    m_slider->setPageStep(1);
    m_slider->setToolTip(tr("Training checkpoints of this model, in order of training step: move to load "
                            "another one. The input, the view and the selected head stay."));
    m_label->setBuddy(m_slider);
    layout->addWidget(m_label);
    layout->addWidget(m_slider);
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (v >= 0 && size_t(v) < m_revisions.size()) {
            m_label->setText(caption());
            emit revisionChosen(v);
        }
    });
    // While dragging, the caption follows the handle (the snapshot loads on release).
    connect(m_slider, &QSlider::sliderMoved, this, [this](int v) {
        if (v >= 0 && size_t(v) < m_revisions.size())
            m_label->setText(tr("Training &step %1 (%2 of %3) \u2014 release to load")
                                 .arg(m_revisions[size_t(v)].step)
                                 .arg(v + 1)
                                 .arg(m_revisions.size()));
    });
    setVisible(false);
}

void RevisionSlider::setModel(const Model* model)
{
    if (!model || model->revisions.empty() || model->revisionIndex < 0) {
        m_revisions.clear();
        setVisible(false);
        return;
    }
    m_revisions = model->revisions;
    const QSignalBlocker block(m_slider);
    m_slider->setRange(0, int(m_revisions.size()) - 1);
    m_slider->setValue(model->revisionIndex);
    m_label->setText(caption());
    setVisible(true);
}

QString RevisionSlider::caption() const
{
    const int v = m_slider->value();
    if (v < 0 || size_t(v) >= m_revisions.size()) return {};
    return tr("Training &step %1 (%2 of %3)").arg(m_revisions[size_t(v)].step).arg(v + 1).arg(m_revisions.size());
}

} // namespace attnscope
