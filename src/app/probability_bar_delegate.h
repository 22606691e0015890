// The Output dock's probability column: the style's progress bar, as long as the probability,
// with the number on it. The item's text is the number (kept for copy and tests); the bar length
// is its Qt::UserRole, in kBarSteps (thousandths).
#pragma once

#include <QStyledItemDelegate>

namespace attnscope {

class ProbabilityBarDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    static constexpr int kBarSteps = 1000;
};

} // namespace attnscope
