// attnscope-cli on every malformed model of tests/data/bad/: exit code 3 and the manifest's
// one-line message on standard error, nothing on standard output.
#include "cli_runner.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

namespace {
const QString kBadDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/bad");
}

class TestCliCorpus : public QObject {
    Q_OBJECT
private slots:
    void rejected_data();
    void rejected();
    void hfFolderRejected_data();
    void hfFolderRejected();
};

void TestCliCorpus::rejected_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("exact");
    QTest::addColumn<int>("exitCode");
    std::ifstream in((kBadDir + "/manifest.json").toStdString());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    for (const auto& c : manifest["cases"])
        QTest::newRow(c["file"].get<std::string>().c_str())
            << QString::fromStdString(c["file"]) << QString::fromStdString(c["message"])
            << (c["match"].get<std::string>() == "exact") << c["exit_code"].get<int>();
}

void TestCliCorpus::rejected()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    QFETCH(bool, exact);
    QFETCH(int, exitCode);
    const QString path = kBadDir + "/" + file;
    const attnscope::test::CliResult r = attnscope::test::runCli({"run", path, "--text", "abc"});
    QCOMPARE(r.exitCode, exitCode); // finished normally, with this code
    QVERIFY(r.out.isEmpty());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY(err.endsWith('\n') && err.count('\n') == 1);
    const QString expected = path + ": " + message;
    QVERIFY2(exact ? err.trimmed() == expected : err.startsWith(expected), qPrintable(err));
}

void TestCliCorpus::hfFolderRejected_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("file");
    std::ifstream in((kBadDir + "/hf/manifest.json").toStdString());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    for (const auto& c : manifest["cases"])
        QTest::newRow(c["case"].get<std::string>().c_str())
            << QString::fromStdString(c["case"]) << (c["error"] == "model" ? 3 : 4) << QString::fromStdString(c["file"]);
}

void TestCliCorpus::hfFolderRejected()
{
    // Every malformed Hugging Face folder: exit 3 (invalid model) or 4 (a file missing), one
    // line on standard error naming the file, nothing on standard output.
    QFETCH(QString, folder);
    QFETCH(int, exitCode);
    QFETCH(QString, file);
    const attnscope::test::CliResult r = attnscope::test::runCli({"info", kBadDir + "/hf/" + folder});
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY(r.out.isEmpty());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.endsWith('\n') && err.count('\n') == 1, qPrintable(err));
    QVERIFY2(err.contains("/" + file + ": ") || file.isEmpty(), qPrintable(err));
}

QTEST_GUILESS_MAIN(TestCliCorpus)
#include "test_cli_corpus.moc"
