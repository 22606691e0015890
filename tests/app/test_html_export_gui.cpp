// File › Export Interactive HTML… in the app: the menu item sits in the File menu after Export
// Data, and the page it writes holds the shown run (every head equal to the window's result to 3
// decimals), the window's colour map and log scale, and opens on the window's selection.
#include "test_fixtures.h"
#include "test_models.h"

#include "core/html_export.h"
#include "render/colormaps.h"

#include <QFile>

namespace attnscope {

class TestHtmlExportGui : public test::WindowTest {
    Q_OBJECT
private slots:
    void initTestCase();
    void menuItemAfterExportData();
    void pageHoldsTheShownRun();
    void nothingToExport();

private:
    QTemporaryDir m_dir;
    QString m_encdec;
};

void TestHtmlExportGui::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_encdec = test::writeFile(m_dir.filePath("encdec.json"), test::appModel("encoder-decoder").dump());
}

void TestHtmlExportGui::menuItemAfterExportData()
{
    auto* file = m_window->findChild<QMenu*>("menuFile");
    QVERIFY(file);
    const QList<QAction*> actions = file->actions();
    auto* html = m_window->findChild<QAction*>("actionExportInteractiveHtml");
    QVERIFY(html);
    const qsizetype data = actions.indexOf(m_window->findChild<QAction*>("actionExportData"));
    QVERIFY(data >= 0);
    QCOMPARE(actions.indexOf(html), data + 1);
    QCOMPARE(html->text(), QStringLiteral("Export Interactive &HTML\u2026"));
}

void TestHtmlExportGui::pageHoldsTheShownRun()
{
    QVERIFY(m_window->openModel(m_encdec));
    m_window->setTargetText("face");
    m_window->setInputText("bad cafe");
    waitIdle();
    m_window->setSelection({Stack::Cross, 1, 2});
    m_window->findChild<QComboBox*>("colormapCombo")->setCurrentText("cividis");
    m_window->findChild<QCheckBox*>("logCheck")->setChecked(true);
    const QString path = m_dir.filePath("page.html");
    QCOMPARE(m_window->exportInteractiveHtml(path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const HtmlPayload page = decodeInteractiveHtml(f.readAll().toStdString());
    QCOMPARE(page.meta["input"].get<std::string>(), std::string("bad cafe"));
    QCOMPARE(page.meta["target"].get<std::string>(), std::string("face"));
    QCOMPARE(page.meta["colormap"]["name"].get<std::string>(), std::string("cividis"));
    QCOMPARE(page.meta["colormap"]["colors"][0].get<std::string>(), std::string("#00204d")); // cividis' first stop
    QCOMPARE(page.meta["initial"]["stack"].get<int>(), 2);                                   // encoder, decoder, cross
    QCOMPARE(page.meta["initial"]["layer"].get<int>(), 1);
    QCOMPARE(page.meta["initial"]["head"].get<int>(), 2);
    QCOMPARE(page.meta["initial"]["log"].get<bool>(), true);
    const RunResult& run = *m_window->result();
    int stackIndex = 0;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const auto& layers = run.trace.stack(s);
        for (size_t l = 0; l < layers.size(); ++l)
            for (size_t h = 0; h < layers[l].heads.size(); ++h) {
                const MatrixRM& a = layers[l].heads[h].weights;
                const MatrixRM& b = page.weights[size_t(stackIndex)][l][h];
                QCOMPARE(b.rows(), a.rows());
                for (Eigen::Index i = 0; i < a.rows(); ++i)
                    for (Eigen::Index j = 0; j < a.cols(); ++j)
                        QCOMPARE(QStringLiteral("%1").arg(double(b(i, j)), 0, 'f', 3),
                                 QStringLiteral("%1").arg(double(a(i, j)), 0, 'f', 3));
            }
        ++stackIndex;
    }
}

void TestHtmlExportGui::nothingToExport()
{
    const QString path = m_dir.filePath("none.html");
    QVERIFY(!m_window->exportInteractiveHtml(path).isEmpty()); // no model open
    QVERIFY(!QFile::exists(path));
}

} // namespace attnscope

int main(int argc, char** argv) { return attnscope::test::runGuiTest<attnscope::TestHtmlExportGui>(argc, argv); }
#include "test_html_export_gui.moc"
