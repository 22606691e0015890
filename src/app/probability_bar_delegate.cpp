// See probability_bar_delegate.h. Painted by a delegate rather than a QProgressBar per cell: ten
// new widgets per result were created, polished, shown, laid out and painted on every keystroke.
#include "app/probability_bar_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QPixmapCache>
#include <QStyleOption>

namespace attnscope {

void ProbabilityBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                   const QModelIndex& index) const
{
    QStyleOptionProgressBar bar;
    bar.initFrom(option.widget); // palette, font, direction and enabled/active state, as a child widget would have
    bar.rect = option.rect;
    bar.state |= QStyle::State_Horizontal;
    bar.minimum = 0;
    bar.maximum = kBarSteps;
    bar.progress = index.data(Qt::UserRole).toInt();
    bar.text = index.data(Qt::DisplayRole).toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    const QStyle* style = option.widget ? option.widget->style() : QApplication::style();
    // CE_ProgressBar is its groove, contents and label, drawn in turn. The groove (an
    // antialiased frame, two thirds of the bar's time in Fusion) is the same for every row,
    // so it is drawn once into a cached pixmap; the rest is drawn as the style would.
    QStyleOptionProgressBar part = bar;
    part.rect = style->subElementRect(QStyle::SE_ProgressBarGroove, &bar, option.widget);
    const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const QString key = QStringLiteral("attnscope-probability-groove-%1x%2-%3-%4-%5")
                            .arg(part.rect.width())
                            .arg(part.rect.height())
                            .arg(bar.palette.cacheKey())
                            .arg(int(bar.state))
                            .arg(dpr);
    QPixmap groove;
    if (!QPixmapCache::find(key, &groove)) {
        groove = QPixmap(part.rect.size() * dpr);
        groove.setDevicePixelRatio(dpr);
        groove.fill(Qt::transparent);
        QPainter grooveP(&groove);
        QStyleOptionProgressBar at = part;
        at.rect.moveTo(0, 0);
        style->drawControl(QStyle::CE_ProgressBarGroove, &at, &grooveP, option.widget);
        grooveP.end();
        QPixmapCache::insert(key, groove);
    }
    painter->drawPixmap(part.rect.topLeft(), groove);
    part.rect = style->subElementRect(QStyle::SE_ProgressBarContents, &bar, option.widget);
    style->drawControl(QStyle::CE_ProgressBarContents, &part, painter, option.widget);
    part.rect = style->subElementRect(QStyle::SE_ProgressBarLabel, &bar, option.widget);
    style->drawControl(QStyle::CE_ProgressBarLabel, &part, painter, option.widget);
}

} // namespace attnscope
