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

QTEST_GUILESS_MAIN(TestCliCorpus)
#include "test_cli_corpus.moc"
