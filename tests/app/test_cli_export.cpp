// `attnscope-cli export` end to end: image sizes and formats, and the exit codes
// (0 ok, 2 usage, 3 invalid model, 4 I/O).
#include "test_models.h"
#include "../cli/cli_runner.h"

#include <QtTest>
#include <QImage>

using attnscope::test::runCli;
using Result = attnscope::test::CliResult;

class TestCliExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void pngSize();
    void scaledPngIsTheSameImageSharper();
    void formats();
    void exitCodes_data();
    void exitCodes();
    void fullDiskLeavesNoFile();

private:
    QTemporaryDir m_dir;
    QString m_model, m_bad;
};

void TestCliExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = attnscope::test::writeFile(m_dir.filePath("m.json"), attnscope::test::appModel("encoder-decoder").dump());
    m_bad = attnscope::test::writeFile(m_dir.filePath("bad.json"), "{\"format\": \"attnscope-model\"");
}

void TestCliExport::pngSize()
{
    const QString out = m_dir.filePath("h.png");
    Result r = runCli({"export", m_model, "--text", "bad cafe", "--stack", "cross", "--layer", "1", "--head", "2",
                       "--out", out, "--size", "640x480"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QImage(out).size(), QSize(640, 480));
    QCOMPARE(r.out.trimmed(), out.toUtf8());
    r = runCli({"export", m_model, "--head", "mean", "--out", out, "--size", "300x200", "--scale", "2"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QImage(out).size(), QSize(600, 400));
}

// --scale 2 draws the same picture with twice the pixels: scaled back down it matches the 1×
// export (text, margins and cells in the same places). When text was scaled twice (the image's
// resolution and the painter's scale), labels overlapped and the title was cut off: the
// downscaled image then differed from the 1× one on 3.5 times as many pixels.
void TestCliExport::scaledPngIsTheSameImageSharper()
{
    const QString one = m_dir.filePath("one.png"), two = m_dir.filePath("two.png");
    const QStringList args{"export", m_model, "--text", "bad cafe", "--size", "640x480"};
    QCOMPARE(runCli(args + QStringList{"--out", one}).exitCode, 0);
    QCOMPARE(runCli(args + QStringList{"--out", two, "--scale", "2"}).exitCode, 0);
    const QImage a = QImage(one).convertToFormat(QImage::Format_RGB32);
    const QImage b = QImage(two).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(b.size(), QSize(1280, 960));
    QCOMPARE(qRound(b.dotsPerMeterX() * 0.0254), 192); // the file says 2 × 96 dpi
    // Both at a quarter of the 1× size: anti-aliasing differences of single pixels average out,
    // text or cells in other places do not.
    const QSize small = a.size() / 4;
    const QImage sa = a.scaled(small, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const QImage sb = b.scaled(small, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    int differ = 0;
    for (int y = 0; y < small.height(); ++y)
        for (int x = 0; x < small.width(); ++x) {
            const QColor p = sa.pixelColor(x, y), q = sb.pixelColor(x, y);
            const int d = std::abs(p.red() - q.red()) + std::abs(p.green() - q.green()) + std::abs(p.blue() - q.blue());
            if (d > 48) ++differ;
        }
    const double share = double(differ) / double(small.width() * small.height());
    // Measured: 2.0 % (glyph edges and 1-pixel lines, hinted differently at each size); with the
    // text scaled twice 7.3 %.
    QVERIFY2(share < 0.04, qPrintable(QString("%1 % of the pixels differ").arg(share * 100, 0, 'f', 2)));
}

void TestCliExport::formats()
{
    for (const char* ext : {"svg", "pdf", "jpg"}) {
        const QString out = m_dir.filePath(QStringLiteral("h.%1").arg(QLatin1String(ext)));
        const Result r = runCli({"export", m_model, "--text", "face", "--stack", "decoder", "--out", out});
        QCOMPARE(r.exitCode, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.read(5);
        if (QLatin1String(ext) == QLatin1String("pdf")) QCOMPARE(head, QByteArray("%PDF-"));
        if (QLatin1String(ext) == QLatin1String("svg")) QVERIFY(head.startsWith("<?xml"));
        if (QLatin1String(ext) == QLatin1String("jpg")) QCOMPARE(QImage(out).size(), QSize(900, 800));
    }
}

void TestCliExport::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    const QString ok = m_dir.filePath("x.png");
    QTest::newRow("no out") << QStringList{"export", m_model} << 2;
    QTest::newRow("bad extension") << QStringList{"export", m_model, "--out", m_dir.filePath("x.bmp")} << 2;
    QTest::newRow("bad stack") << QStringList{"export", m_model, "--stack", "middle", "--out", ok} << 2;
    QTest::newRow("layer out of range") << QStringList{"export", m_model, "--layer", "2", "--out", ok} << 2;
    QTest::newRow("head out of range") << QStringList{"export", m_model, "--head", "4", "--out", ok} << 2;
    QTest::newRow("bad size") << QStringList{"export", m_model, "--size", "big", "--out", ok} << 2;
    QTest::newRow("export option on run") << QStringList{"run", m_model, "--text", "a", "--layer", "1"} << 2;
    QTest::newRow("invalid model") << QStringList{"export", m_bad, "--out", ok} << 3;
    QTest::newRow("missing model") << QStringList{"export", m_dir.filePath("none.json"), "--out", ok} << 4;
    QTest::newRow("unwritable") << QStringList{"export", m_model, "--out", m_dir.filePath("no/dir/x.png")} << 4;
}

void TestCliExport::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    const Result r = runCli(args);
    QVERIFY2(r.exitCode == code, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
}


// A full disk (runCliOnFullDisk): the export must fail with exit code 4, say why, and leave
// neither the target nor a temporary file behind.
void TestCliExport::fullDiskLeavesNoFile()
{
    QTemporaryDir dir;
    for (const QString& ext : {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
        const QString out = dir.filePath("full." + ext);
        const Result r = attnscope::test::runCliOnFullDisk(
            {"export", m_model, "--text", "bad cafe", "--size", "800x600", "--out", out});
        QCOMPARE(r.exitCode, 4); // finished normally, with 4
        QVERIFY2(!r.err.trimmed().isEmpty(), "no error message");
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }
}


QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
