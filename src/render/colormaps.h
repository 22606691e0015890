// Colour maps for attention weights. QCustomPlot has no perceptually uniform presets, so
// viridis, magma and cividis are built here from explicit stops (matplotlib's tables).
#pragma once

#include <QString>
#include <QStringList>

#include <qcustomplot.h>

namespace attnscope {

QStringList colormapNames();                    // "viridis" first: the default
QCPColorGradient colormap(const QString& name); // unknown names give viridis

// For signed data centred on 0 (differences A − B), used with a symmetric range [−r, r]:
// ColorBrewer's RdBu, blue for negative, white at 0, red for positive. Not in colormapNames():
// it is not meant for weights.
QCPColorGradient divergingColormap();
// The same map as one colour: v in [−maxAbs, maxAbs] (clamped; white at 0 and when maxAbs is 0).
// The one diverging palette of the app: Compare's A − B and the step-through's signed cells.
QColor divergingColor(double v, double maxAbs);

} // namespace attnscope
