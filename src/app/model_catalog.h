// Finds the models that ship with AttnScope at run time. Installed (PREFIX/bin/attnscope with
// PREFIX/share/attnscope/models beside it, docs/install.md): that folder only. In a build tree:
// the source tree's models/ (compiled in) and models/ next to the executable (../models,
// ../../models), so a freshly trained model appears in the Models menu without rebuilding.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace attnscope {

// The file-name suffix registered as the AttnScope model MIME type (packaging/attnscope-mime.xml,
// docs/install.md): a model saved as NAME.attnscope-model.json opens in AttnScope on a
// double-click. Any other name (NAME.json) loads just the same.
constexpr const char* kModelFileSuffix = ".attnscope-model.json";

struct BundledModel {
    QString name; // file name without .attnscope-model.json or .json; examples are prefixed "examples/",
                  // Hugging Face folders and snapshot series in models/hf/ "hf/"
    QString path; // absolute
};

QStringList modelDirectories();
// "tiny-lm.json" -> "tiny-lm", "dates.attnscope-model.json" -> "dates".
QString bundledModelName(const QString& fileName);
QList<BundledModel> bundledModels();
// models/date-normalizer.json when present, else the first example, else the first bundled
// model; empty when none is found.
QString defaultModelPath();

} // namespace attnscope
