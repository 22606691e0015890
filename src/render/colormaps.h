// Colour maps for attention weights. QCustomPlot has no perceptually uniform presets, so
// viridis, magma and cividis are built here from explicit stops (matplotlib's tables).
#pragma once

#include <QString>
#include <QStringList>

#include <qcustomplot.h>

namespace attnscope {

QStringList colormapNames();                    // "viridis" first: the default
QCPColorGradient colormap(const QString& name); // unknown names give viridis

} // namespace attnscope
