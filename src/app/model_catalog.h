// Finds the models that ship with AttnScope at run time: the source tree's models/ (compiled
// in) and models/ next to the executable (../models, ../share/attnscope/models), so a freshly
// trained model appears in the Models menu without rebuilding.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace attnscope {

struct BundledModel {
    QString name; // file name without .json; examples are prefixed "examples/"
    QString path; // absolute
};

QStringList modelDirectories();
QList<BundledModel> bundledModels();
// models/date-normalizer.json when present, else the first example, else the first bundled
// model; empty when none is found.
QString defaultModelPath();

} // namespace attnscope
