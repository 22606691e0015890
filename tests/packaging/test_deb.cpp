// The Debian package end to end (packaging/, docs/install.md): cpack builds the .deb from this
// build tree, `dpkg-deb -x` unpacks it into a temporary root, and everything is checked there as
// installed: the binaries run (CLI on an installed model, the GUI offscreen on the bundled models
// it must find without the source tree), the files, icons, MIME types, desktop entry and metainfo
// are what the desktop needs, and lintian and appstreamcli accept the package.
#include <QtTest>

#include <QDirIterator>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeDatabase>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace {

struct Run {
    int exitCode = -1; // -1: crashed or still running after the time-out
    QByteArray out;
    QByteArray err;
};

// A safety net only: no check depends on how long anything takes.
constexpr int kProcessTimeoutMs = 300000;

Run run(const QString& program, const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(kProcessTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

QByteArray describe(const Run& r) { return "exit " + QByteArray::number(r.exitCode) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err; }

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The Models menu's names for the source tree's models (src/app/model_catalog.cpp's rule).
QStringList sourceModelNames()
{
    QStringList names;
    for (const QString& sub : {QString(), QStringLiteral("examples/")})
        for (const QString& f : QDir(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/") + sub).entryList({"*.json"}, QDir::Files))
            names << sub + f.chopped(5);
    // Hugging Face folders and folders of training snapshots (step<N>/) in models/hf/
    const QDir hf(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf"));
    for (const QString& d : hf.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QDir folder(hf.filePath(d));
        if (folder.exists(QStringLiteral("config.json")) || !folder.entryList({QStringLiteral("step*")}, QDir::Dirs).isEmpty())
            names << QStringLiteral("hf/") + d;
    }
    names.sort();
    return names;
}

// "key\tvalue..." lines of `attnscope --list-models` / `--quit-after`.
QList<QStringList> fields(const QByteArray& out)
{
    QList<QStringList> rows;
    for (const QString& line : QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) rows << line.split(QLatin1Char('\t'));
    return rows;
}

} // namespace

class TestDeb : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void packageFields();
    void mimeTypes(); // first: QMimeDatabase reads XDG_DATA_DIRS once
    void installedFiles_data();
    void installedFiles();
    void modelsAreTheSourceModels();
    void lessonFindsInstalledModel();
    void icons();
    void cliVersion();
    void cliOnInstalledModels();
    void cliAcceptsModelSuffix();
    void guiVersion();
    void guiListsInstalledModels();
    void guiRunsInstalledDefaultModel();
    void guiOpensInstalledLesson();
    void guiOpensModelSuffix();
    void guiReportsMissingModel();
    void modelsMenuNamesModelSuffix();
    void desktopEntry();
    void appstream();
    void lintian();

private:
    QString installed(const QString& relative) const { return m_root + QLatin1Char('/') + relative; }
    QString modelsDir() const { return installed(QStringLiteral("usr/share/attnscope/models")); }
    Run gui(const QStringList& args) const { return run(installed("usr/bin/attnscope"), args, m_guiEnv); }
    // As in a terminal without a display (no QT_QPA_PLATFORM, DISPLAY or WAYLAND_DISPLAY).
    Run guiWithoutDisplay(const QStringList& args) const
    {
        QProcessEnvironment env = m_guiEnv;
        for (const char* v : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) env.remove(QString::fromLatin1(v));
        return run(installed("usr/bin/attnscope"), args, env);
    }
    Run cli(const QStringList& args) const { return run(installed("usr/bin/attnscope-cli"), args); }

    QTemporaryDir m_tmp;
    QString m_deb;
    QString m_arch; // dpkg --print-architecture
    QString m_root; // canonical: the app reports canonical paths
    QString m_renamedModel;
    QProcessEnvironment m_guiEnv;
};

void TestDeb::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    for (const char* tool : {"dpkg-deb", "dpkg-shlibdeps", "lintian", "appstreamcli", "desktop-file-validate", "update-mime-database"})
        QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(),
                 qPrintable(QStringLiteral("%1 not found: scripts/setup.sh installs it").arg(tool)));

    const Run arch = run("dpkg", {"--print-architecture"});
    QCOMPARE(arch.exitCode, 0);
    m_arch = QString::fromLatin1(arch.out.trimmed());

    const QString pkgDir = m_tmp.filePath("pkg");
    const Run cpack = run(QStringLiteral(ATTNSCOPE_CPACK),
                          {"--config", ATTNSCOPE_BINARY_DIR "/CPackConfig.cmake", "-G", "DEB", "-B", pkgDir});
    QVERIFY2(cpack.exitCode == 0, describe(cpack).constData());
    const QStringList debs = QDir(pkgDir).entryList({"*.deb"}, QDir::Files);
    QCOMPARE(debs.size(), 1);
    m_deb = pkgDir + QLatin1Char('/') + debs.front();
    QCOMPARE(debs.front(), QStringLiteral("attnscope_" ATTNSCOPE_VERSION "_%1.deb").arg(m_arch));

    QVERIFY(QDir().mkpath(m_tmp.filePath("root")));
    const Run extract = run("dpkg-deb", {"-x", m_deb, m_tmp.filePath("root")});
    QVERIFY2(extract.exitCode == 0, describe(extract).constData());
    m_root = QFileInfo(m_tmp.filePath("root")).canonicalFilePath();

    // The GUI runs offscreen with settings of its own (no last model from the user's config).
    m_guiEnv = QProcessEnvironment::systemEnvironment();
    const QString home = m_tmp.filePath("home");
    QVERIFY(QDir().mkpath(home + "/.config"));
    m_guiEnv.insert("HOME", home);
    m_guiEnv.insert("XDG_CONFIG_HOME", home + "/.config");
    m_guiEnv.insert("XDG_DATA_HOME", home + "/.local/share");
    m_guiEnv.insert("XDG_CACHE_HOME", home + "/.cache");
    m_guiEnv.insert("QT_QPA_PLATFORM", "offscreen");

    m_renamedModel = m_tmp.filePath("reverser.attnscope-model.json");
    QVERIFY(QFile::copy(modelsDir() + "/examples/tiny-seq2seq.json", m_renamedModel));
}

void TestDeb::packageFields()
{
    const Run r = run("dpkg-deb", {"-f", m_deb, "Package", "Version", "Architecture", "Section", "Depends"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    const QString f = QString::fromUtf8(r.out);
    QVERIFY2(f.contains("Package: attnscope\n"), qPrintable(f));
    QVERIFY2(f.contains("Version: " ATTNSCOPE_VERSION "\n"), qPrintable(f));
    QVERIFY2(f.contains("Architecture: " + m_arch + "\n"), qPrintable(f));
    QVERIFY2(f.contains("Section: science\n"), qPrintable(f));
    // dpkg-shlibdeps found the libraries the binaries link.
    for (const char* lib : {"libc6", "libqt6widgets6", "libqt6svg6", "libqcustomplot2.1-qt6", "libpcre2-8-0", "libutf8proc2"})
        QVERIFY2(f.contains(QLatin1String(lib)), qPrintable(QStringLiteral("Depends lacks %1:\n%2").arg(lib, f)));
    // The Chinese interface wants a CJK font and Qt's own translations (docs/translations.md).
    const Run rec = run("dpkg-deb", {"-f", m_deb, "Recommends"});
    QVERIFY2(rec.exitCode == 0, describe(rec).constData());
    const QString recommends = QString::fromUtf8(rec.out);
    QVERIFY2(recommends.contains("fonts-noto-cjk | fonts-wqy-microhei") && recommends.contains("qt6-translations-l10n"),
             qPrintable(recommends));
}

void TestDeb::mimeTypes()
{
    const QByteArray dataDirs = (installed("usr/share") + ":/usr/share").toLocal8Bit();
    qputenv("XDG_DATA_DIRS", dataDirs);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_DIRS", QString::fromLocal8Bit(dataDirs));
    const Run update = run("update-mime-database", {installed("usr/share/mime")}, env);
    QVERIFY2(update.exitCode == 0 && update.err.isEmpty(), describe(update).constData()); // also: the XML parsed
    const QMimeDatabase db;
    const QMimeType session = db.mimeTypeForFile("/x/lesson.attnscope.json", QMimeDatabase::MatchExtension);
    QCOMPARE(session.name(), QStringLiteral("application/x-attnscope-session+json"));
    QVERIFY(session.inherits("application/json"));
    const QMimeType model = db.mimeTypeForFile("/x/dates.attnscope-model.json", QMimeDatabase::MatchExtension);
    QCOMPARE(model.name(), QStringLiteral("application/x-attnscope-model+json"));
    QVERIFY(model.inherits("application/json"));
    // Other JSON files stay JSON: the bundled models' own names are not claimed.
    QCOMPARE(db.mimeTypeForFile("/x/tiny-lm.json", QMimeDatabase::MatchExtension).name(), QStringLiteral("application/json"));
    QCOMPARE(db.mimeTypeForFile("/x/x.attnscope-model.json.bak", QMimeDatabase::MatchExtension).name() ==
                 QStringLiteral("application/x-attnscope-model+json"),
             false);
}

void TestDeb::installedFiles_data()
{
    QTest::addColumn<QString>("path");
    for (const char* p : {"usr/bin/attnscope", "usr/bin/attnscope-cli", "usr/share/applications/" ATTNSCOPE_APP_ID ".desktop",
                          "usr/share/metainfo/" ATTNSCOPE_APP_ID ".metainfo.xml", "usr/share/mime/packages/attnscope.xml",
                          "usr/share/icons/hicolor/scalable/apps/attnscope.svg", "usr/share/man/man1/attnscope.1.gz",
                          "usr/share/man/man1/attnscope-cli.1.gz", "usr/share/doc/attnscope/copyright",
                          "usr/share/doc/attnscope/changelog.gz", "usr/share/attnscope/lessons/date-normalizer.attnscope.json",
                          "usr/share/attnscope/models/README.md", "usr/share/attnscope/models/hf/gpt2-kjv/model.safetensors"})
        QTest::newRow(p) << QString::fromLatin1(p);
}

void TestDeb::installedFiles()
{
    QFETCH(QString, path);
    const QFileInfo fi(installed(path));
    QVERIFY2(fi.isFile() && fi.size() > 0, qPrintable(fi.filePath()));
    if (path.startsWith("usr/bin/")) QVERIFY(fi.isExecutable());
}

void TestDeb::modelsAreTheSourceModels()
{
    int files = 0;
    QDirIterator it(ATTNSCOPE_SOURCE_DIR "/models", QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString src = it.next();
        const QString rel = QDir(ATTNSCOPE_SOURCE_DIR "/models").relativeFilePath(src);
        QVERIFY2(readAll(modelsDir() + QLatin1Char('/') + rel) == readAll(src), qPrintable(rel));
        ++files;
    }
    QVERIFY(files >= 10);
}

void TestDeb::lessonFindsInstalledModel()
{
    // The lesson's relative model path is rewritten for the installed layout (lessons/ beside models/).
    const QString lesson = installed("usr/share/attnscope/lessons/date-normalizer.attnscope.json");
    const QJsonObject o = QJsonDocument::fromJson(readAll(lesson)).object();
    QCOMPARE(o.value("format").toString(), QStringLiteral("attnscope-session"));
    const QString model = QFileInfo(lesson).dir().filePath(o.value("model").toString());
    QCOMPARE(QFileInfo(model).canonicalFilePath(), modelsDir() + "/date-normalizer.json");
}

void TestDeb::icons()
{
    QCOMPARE(readAll(installed("usr/share/icons/hicolor/scalable/apps/attnscope.svg")),
             readAll(ATTNSCOPE_SOURCE_DIR "/resources/icons/attnscope.svg"));
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256, 512}) {
        const QString path = installed(QStringLiteral("usr/share/icons/hicolor/%1x%1/apps/attnscope.png").arg(size));
        const QImage img(path);
        QVERIFY2(!img.isNull(), qPrintable(path));
        QCOMPARE(img.size(), QSize(size, size));
        QVERIFY(img.hasAlphaChannel());
        // The rounded dark tile: opaque inside, transparent outside its corners; the heatmap's
        // top-left cell (yellow #fde725) sits at (10..21)/64 of the width.
        QCOMPARE(qAlpha(img.pixel(0, 0)), 0);
        QCOMPARE(qAlpha(img.pixel(size / 2, size / 2)), 255);
        if (size >= 32) {
            const QColor c = img.pixelColor(size * 15 / 64, size * 15 / 64);
            QVERIFY2(c.red() > 200 && c.green() > 200 && c.blue() < 100, qPrintable(c.name()));
        }
    }
}

void TestDeb::cliVersion()
{
    const Run r = cli({"--version"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("attnscope-cli " ATTNSCOPE_VERSION "\n"));
}

void TestDeb::cliOnInstalledModels()
{
    const QString lm = modelsDir() + "/tiny-lm.json";
    Run r = cli({"info", lm});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QJsonObject info = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(info.value("name").toString(), QStringLiteral("Tiny KJV LM (char)"));
    QCOMPARE(info.value("source").toObject().value("path").toString(), lm);

    // The date normalizer's model card example (models/README.md), through the installed copy.
    r = cli({"run", modelsDir() + "/date-normalizer.json", "--text", "25th of November 2026"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    const QJsonObject trace = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(trace.value("output").toObject().value("text").toString(), QStringLiteral("2026-11-25"));
    QCOMPARE(trace.value("source_tokens").toArray().size(), QStringLiteral("25th of November 2026").size()); // characters
    QVERIFY(!trace.value("attention").toArray().isEmpty());
}

void TestDeb::cliAcceptsModelSuffix()
{
    const Run original = cli({"info", modelsDir() + "/examples/tiny-seq2seq.json"});
    const Run renamed = cli({"info", m_renamedModel});
    QVERIFY2(renamed.exitCode == 0, describe(renamed).constData());
    QJsonObject a = QJsonDocument::fromJson(original.out).object(), b = QJsonDocument::fromJson(renamed.out).object();
    QVERIFY(!a.isEmpty());
    a.remove("source");
    b.remove("source");
    QCOMPARE(b, a);
}

void TestDeb::guiVersion()
{
    const Run r = guiWithoutDisplay({"--version"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("AttnScope " ATTNSCOPE_VERSION "\n"));
}

void TestDeb::guiListsInstalledModels()
{
    const Run r = guiWithoutDisplay({"--list-models"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QStringList names;
    for (const QStringList& row : fields(r.out)) {
        QCOMPARE(row.size(), 2);
        names << row[0];
        // Found in the package's share/attnscope/models, not in the source tree it was built from.
        QVERIFY2(row[1].startsWith(modelsDir() + QLatin1Char('/')), qPrintable(row[1]));
        // a model file, or a Hugging Face folder / snapshot series under hf/
        QVERIFY(row[0].startsWith(QLatin1String("hf/")) ? QFileInfo(row[1]).isDir() : QFileInfo(row[1]).isFile());
    }
    names.sort();
    QCOMPARE(names, sourceModelNames());
}

void TestDeb::guiRunsInstalledDefaultModel()
{
    // A few seconds of the real window offscreen after its first result, with no model named:
    // the default model must come from the package.
    const Run r = gui({"--quit-after", "3000"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QStringList menu;
    bool sawModel = false, sawResult = false;
    for (const QStringList& row : fields(r.out)) {
        if (row[0] == QLatin1String("model")) {
            QCOMPARE(row.value(1), modelsDir() + "/date-normalizer.json");
            sawModel = true;
        } else if (row[0] == QLatin1String("result")) {
            // "N source token(s), M target token(s)": the default input ran.
            QVERIFY2(row.value(1).section(QLatin1Char(' '), 0, 0).toInt() > 0, qPrintable(row.value(1)));
            sawResult = true;
        } else if (row[0] == QLatin1String("menu")) {
            QCOMPARE(row.size(), 3);
            QVERIFY2(row[2].startsWith(modelsDir() + QLatin1Char('/')), qPrintable(row[2]));
            menu << row[1];
        }
    }
    QVERIFY2(sawModel && sawResult, describe(r).constData());
    menu.sort();
    QCOMPARE(menu, sourceModelNames()); // the Models menu works after installation
}

void TestDeb::guiOpensInstalledLesson()
{
    const Run r = gui({installed("usr/share/attnscope/lessons/date-normalizer.attnscope.json"), "--quit-after", "500"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    const QList<QStringList> rows = fields(r.out);
    QVERIFY(!rows.isEmpty() && rows.front().value(0) == QLatin1String("model"));
    QCOMPARE(QFileInfo(rows.front().value(1)).canonicalFilePath(), modelsDir() + "/date-normalizer.json");
}

void TestDeb::guiOpensModelSuffix()
{
    // What a double-click on NAME.attnscope-model.json runs (Exec=attnscope %f).
    const Run r = gui({m_renamedModel, "--quit-after", "200"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    const QList<QStringList> rows = fields(r.out);
    QVERIFY(!rows.isEmpty());
    QCOMPARE(rows.front(), (QStringList{"model", m_renamedModel}));
}

void TestDeb::guiReportsMissingModel()
{
    const QString missing = m_tmp.filePath("no-such-model.json");
    const Run r = gui({missing, "--quit-after", "200"});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("no-such-model.json") && r.err.contains("cannot open"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestDeb::modelsMenuNamesModelSuffix()
{
    // A model dropped into the installed models folder as NAME.attnscope-model.json is listed as NAME.
    const QString added = modelsDir() + "/examples/renamed.attnscope-model.json";
    QVERIFY(QFile::copy(m_renamedModel, added));
    const Run r = gui({"--list-models"});
    QFile::remove(added);
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QVERIFY2(fields(r.out).contains(QStringList{"examples/renamed", added}), r.out.constData());
}

void TestDeb::desktopEntry()
{
    const QString path = installed("usr/share/applications/" ATTNSCOPE_APP_ID ".desktop");
    const Run v = run("desktop-file-validate", {path});
    QVERIFY2(v.exitCode == 0 && v.out.isEmpty() && v.err.isEmpty(), describe(v).constData());
    const QString text = QString::fromUtf8(readAll(path));
    QVERIFY(text.contains("\nExec=attnscope %f\n"));
    QVERIFY(text.contains("\nIcon=attnscope\n"));
    QVERIFY(text.contains("application/x-attnscope-session+json;"));
    QVERIFY(text.contains("application/x-attnscope-model+json;"));
}

void TestDeb::appstream()
{
    const QString path = installed("usr/share/metainfo/" ATTNSCOPE_APP_ID ".metainfo.xml");
    const Run v = run("appstreamcli", {"validate", "--no-net", "--pedantic", path});
    qInfo().noquote() << "appstreamcli validate:" << v.out.trimmed();
    QVERIFY2(v.exitCode == 0, describe(v).constData());
    const QString text = QString::fromUtf8(readAll(path));
    QVERIFY(text.contains("<id>" ATTNSCOPE_APP_ID "</id>"));
    QVERIFY(text.contains("<launchable type=\"desktop-id\">" ATTNSCOPE_APP_ID ".desktop</launchable>"));
    QVERIFY(text.contains("<release version=\"" ATTNSCOPE_VERSION "\""));
}

void TestDeb::lintian()
{
    const Run r = run("lintian", {"--tag-display-limit", "0", m_deb});
    qInfo().noquote() << "lintian:" << (r.out.trimmed().isEmpty() ? QByteArray("(no tags)") : "\n" + r.out.trimmed());
    QStringList errors;
    for (const QString& line : QString::fromUtf8(r.out).split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("E: "))) errors << line;
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QVERIFY2(r.exitCode == 0, describe(r).constData());
}

QTEST_GUILESS_MAIN(TestDeb)
#include "test_deb.moc"
