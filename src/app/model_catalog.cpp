// See model_catalog.h.
#include "app/model_catalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace attnscope {

QStringList modelDirectories()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    // An installed AttnScope (PREFIX/bin/attnscope, docs/install.md) uses PREFIX/share/attnscope/models
    // only: a package must not read the tree it was built from, whose path is compiled in below.
    const QFileInfo installed(appDir + QStringLiteral("/../share/attnscope/models"));
    if (installed.isDir()) return {installed.canonicalFilePath()};

    QStringList candidates;
#ifdef ATTNSCOPE_SOURCE_DIR
    candidates << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models");
#endif
    candidates << appDir + QStringLiteral("/../models") << appDir + QStringLiteral("/../../models");
    QStringList out;
    for (const QString& c : candidates) {
        const QFileInfo fi(c);
        if (!fi.isDir()) continue;
        const QString canonical = fi.canonicalFilePath();
        if (!out.contains(canonical)) out << canonical;
    }
    return out;
}

QString bundledModelName(const QString& fileName)
{
    for (const QLatin1String suffix : {QLatin1String(kModelFileSuffix), QLatin1String(".json")})
        if (fileName.endsWith(suffix, Qt::CaseInsensitive)) return fileName.chopped(suffix.size());
    return fileName;
}

QList<BundledModel> bundledModels()
{
    QList<BundledModel> out;
    for (const QString& dir : modelDirectories()) {
        for (const QString& sub : {QString(), QStringLiteral("examples")}) {
            const QDir d(sub.isEmpty() ? dir : dir + QLatin1Char('/') + sub);
            for (const QFileInfo& fi : d.entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                const QString base = bundledModelName(fi.fileName());
                const QString name = sub.isEmpty() ? base : sub + QLatin1Char('/') + base;
                bool seen = false;
                for (const BundledModel& m : out) seen = seen || m.name == name;
                if (!seen) out.append({name, fi.absoluteFilePath()});
            }
        }
        // Hugging Face folders (config.json) and folders of training snapshots (step<N>/) in hf/.
        const QDir hf(dir + QStringLiteral("/hf"));
        for (const QFileInfo& fi : hf.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QDir folder(fi.absoluteFilePath());
            const bool model = folder.exists(QStringLiteral("config.json"));
            const bool series = !model && !folder.entryList({QStringLiteral("step*")}, QDir::Dirs).isEmpty();
            if (!model && !series) continue;
            const QString name = QStringLiteral("hf/") + fi.fileName();
            bool seen = false;
            for (const BundledModel& m : out) seen = seen || m.name == name;
            if (!seen) out.append({name, fi.absoluteFilePath()});
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
