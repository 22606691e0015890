// The app on every malformed model of tests/data/bad/: Open Model reports the loader's
// one-line message (file and JSON path) and the previously loaded model stays loaded and
// usable. Runs offscreen; the error box is non-modal and closed between files.
#include "test_fixtures.h"

#include "app/main_window.h"
#include "app/truncation_banner.h"

#include <QtTest>
#include <QtWidgets>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace attnscope;

namespace {
const QString kRoot = QStringLiteral(ATTNSCOPE_SOURCE_DIR);
}

class TestGuiBadCorpus : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void rejectedAndPreviousKept_data();
    void rejectedAndPreviousKept();
    void hostileInput_data();
    void hostileInput();
    void cleanupTestCase();

private:
    std::unique_ptr<MainWindow> m_window;
};

void TestGuiBadCorpus::initTestCase()
{
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(m_window->openModel(kRoot + "/models/examples/tiny-encoder.json"));
}

void TestGuiBadCorpus::rejectedAndPreviousKept_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    std::ifstream in((kRoot + "/tests/data/bad/manifest.json").toStdString());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    for (const auto& c : manifest["cases"])
        QTest::newRow(c["file"].get<std::string>().c_str())
            << QString::fromStdString(c["file"]) << QString::fromStdString(c["message"]);
}

void TestGuiBadCorpus::rejectedAndPreviousKept()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::shared_ptr<const Model> before = m_window->model();
    QVERIFY(before);
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    const QString path = kRoot + "/tests/data/bad/" + file;
    QVERIFY(!m_window->openModel(path));
    QCOMPARE(errors.count(), 1);
    const QString shown = errors.first().first().toString();
    QVERIFY2(shown.contains(path + ": " + message), qPrintable(shown));
    QVERIFY(m_window->model() == before);
    for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(w)) box->close();
}

void TestGuiBadCorpus::hostileInput_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("truncated");
    QTest::newRow("1 MB paste") << QString(1 << 20, QLatin1Char('a')) << true;
    QTest::newRow("invalid UTF-8") << QString::fromUtf8("ab\xff\xfe\xc3" "c") << false;
    QTest::newRow("control characters") << QString::fromUtf8("a\x01\x02\x1b[31mb\t\r\n") << true;
    QTest::newRow("emoji and CJK") << QString::fromUtf8("😀日本語") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestGuiBadCorpus::hostileInput()
{
    QFETCH(QString, text);
    QFETCH(bool, truncated);
    QVERIFY(m_window->openModel(kRoot + "/models/examples/tiny-encoder.json"));
    m_window->setInputText(text);
    QTRY_VERIFY(m_window->runner()->isIdle());
    QVERIFY(m_window->result());
    QVERIFY(m_window->result()->sourceTokens.size() <= size_t(m_window->model()->config.maxLen));
    QVERIFY(m_window->result()->logits.allFinite());
    const auto* warnings = m_window->findChild<QLabel*>(QStringLiteral("warningsLabel"));
    QVERIFY(warnings);
    // A truncated paste is said once, in the banner under the input, not again under the output.
    QCOMPARE(m_window->truncationBanner()->isVisible(), truncated);
    if (truncated) QVERIFY2(m_window->truncationBanner()->cutTokens() > 0, qPrintable(m_window->truncationBanner()->text()));
    QVERIFY2(!warnings->text().contains(QStringLiteral("truncated")), qPrintable(warnings->text()));
    // Still responsive: a keystroke after the paste is processed.
    QTest::keyClicks(m_window->findChild<QLineEdit*>(QStringLiteral("inputEdit")), "b");
    QTRY_VERIFY(m_window->runner()->isIdle());
}

void TestGuiBadCorpus::cleanupTestCase()
{
    // After all the failures the original model still runs.
    QCOMPARE(QString::fromStdString(m_window->model()->name), QString("tiny encoder (hand-made)"));
    m_window.reset();
}

int main(int argc, char** argv) { return test::runGuiTest<TestGuiBadCorpus>(argc, argv); }
#include "test_gui_bad_corpus.moc"
