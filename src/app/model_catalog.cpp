// See model_catalog.h.
#include "app/model_catalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace attnscope {

QStringList modelDirectories()
{
    QStringList candidates;
#ifdef ATTNSCOPE_SOURCE_DIR
    candidates << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models");
#endif
    const QString appDir = QCoreApplication::applicationDirPath();
    candidates << appDir + QStringLiteral("/../models") << appDir + QStringLiteral("/../share/attnscope/models")
               << appDir + QStringLiteral("/../../models");
    QStringList out;
    for (const QString& c : candidates) {
        const QFileInfo fi(c);
        if (!fi.isDir()) continue;
        const QString canonical = fi.canonicalFilePath();
        if (!out.contains(canonical)) out << canonical;
    }
    return out;
}

QList<BundledModel> bundledModels()
{
    QList<BundledModel> out;
    for (const QString& dir : modelDirectories()) {
        for (const QString& sub : {QString(), QStringLiteral("examples")}) {
            const QDir d(sub.isEmpty() ? dir : dir + QLatin1Char('/') + sub);
            for (const QFileInfo& fi : d.entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                const QString name = sub.isEmpty() ? fi.completeBaseName() : sub + QLatin1Char('/') + fi.completeBaseName();
                bool seen = false;
                for (const BundledModel& m : out) seen = seen || m.name == name;
                if (!seen) out.append({name, fi.absoluteFilePath()});
            }
        }
    }
    return out;
}

QString defaultModelPath()
{
    const QList<BundledModel> models = bundledModels();
    for (const BundledModel& m : models)
        if (m.name == QLatin1String("date-normalizer")) return m.path;
    for (const BundledModel& m : models)
        if (m.name.startsWith(QLatin1String("examples/"))) return m.path;
    return models.isEmpty() ? QString() : models.front().path;
}

} // namespace attnscope
