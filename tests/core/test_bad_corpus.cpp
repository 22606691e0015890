// Data-driven: every malformed model in tests/data/bad/ gives exactly the one-line error its
// manifest documents (written by hand from docs/model-format.md, not by running the loader).
#include "core/errors.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <fstream>

using namespace attnscope;

namespace {
const QString kBadDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/bad");
}

class TestBadCorpus : public QObject {
    Q_OBJECT
private slots:
    void rejected_data();
    void rejected();
};

void TestBadCorpus::rejected_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("exact");
    std::ifstream in((kBadDir + "/manifest.json").toStdString());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    QVERIFY(manifest["cases"].size() >= 40);
    for (const auto& c : manifest["cases"]) {
        const QString file = QString::fromStdString(c["file"].get<std::string>());
        QTest::newRow(qPrintable(file)) << file << QString::fromStdString(c["message"].get<std::string>())
                                        << (c["match"].get<std::string>() == "exact");
    }
}

void TestBadCorpus::rejected()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    QFETCH(bool, exact);
    const QString path = kBadDir + "/" + file;
    const QString expected = path + ": " + message;
    try {
        loadModel(path.toStdString());
        QFAIL("the file loaded");
    } catch (const ModelError& e) {
        const QString what = QString::fromStdString(e.what());
        QVERIFY2(exact ? what == expected : what.startsWith(expected),
                 qPrintable("\n   got: " + what + "\nwanted: " + expected));
        QVERIFY(!what.contains('\n'));
    }
}

QTEST_APPLESS_MAIN(TestBadCorpus)
#include "test_bad_corpus.moc"
