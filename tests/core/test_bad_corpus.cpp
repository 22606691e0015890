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
    void hfFolderRejected_data();
    void hfFolderRejected();
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

void TestBadCorpus::hfFolderRejected_data()
{
    // tests/data/bad/hf/: malformed Hugging Face folders (tools/make_hf_bad_corpus.py); the
    // manifest gives the file and the JSON pointer (or line) each error must name.
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("where");
    std::ifstream in((kBadDir + "/hf/manifest.json").toStdString());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    QVERIFY(manifest["cases"].size() >= 30);
    for (const auto& c : manifest["cases"])
        QTest::newRow(c["case"].get<std::string>().c_str())
            << QString::fromStdString(c["case"]) << QString::fromStdString(c["error"])
            << QString::fromStdString(c["file"]) << QString::fromStdString(c["where"]);
}

void TestBadCorpus::hfFolderRejected()
{
    QFETCH(QString, folder);
    QFETCH(QString, error);
    QFETCH(QString, file);
    QFETCH(QString, where);
    const QString path = kBadDir + "/hf/" + folder;
    try {
        loadModel(path.toStdString());
        QFAIL("the folder loaded");
    } catch (const ModelError& e) {
        QVERIFY2(error == "model", e.what());
        const QString got = QString::fromStdString(e.file());
        QVERIFY2(got.endsWith("/" + file), qPrintable("file " + got + ", wanted " + file + ": " + e.what()));
        QVERIFY2(QString::fromStdString(e.jsonPath()).startsWith(where),
                 qPrintable("at " + QString::fromStdString(e.jsonPath()) + ", wanted " + where + ": " + e.what()));
        QVERIFY(!QString::fromStdString(e.what()).contains('\n'));
    } catch (const IoError& e) {
        QVERIFY2(error == "io", e.what());
        QVERIFY(QString::fromStdString(e.what()).startsWith(path));
    }
}

QTEST_APPLESS_MAIN(TestBadCorpus)
#include "test_bad_corpus.moc"
