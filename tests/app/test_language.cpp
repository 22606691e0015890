// The interface language (language.h, View › Language): which language a choice means, that the
// compiled zh_CN translation is found and used, and that switching rebuilds the window in the
// new language while keeping the loaded model (the same object, not reloaded), the input, the
// selected head, the tab and the saved choice.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/language.h"

#include <QtTest>
#include <QtWidgets>

namespace attnscope {

class TestLanguage : public test::WindowTest {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;

    // The text of the window's top-level menus, "&" removed.
    static QStringList menuTitles(QMainWindow* w)
    {
        QStringList out;
        for (QAction* a : w->menuBar()->actions()) out << a->text().remove(QLatin1Char('&'));
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = test::writeFile(m_dir.filePath("seq2seq.json"), test::appModel("encoder-decoder").dump());
    }

    void cleanupTestCase() { applyLanguage(QStringLiteral("en")); }

    void resolvesChoices()
    {
        QCOMPARE(resolveLanguage("en", QLocale(QLocale::Chinese, QLocale::China)), QString("en"));
        QCOMPARE(resolveLanguage("zh_CN", QLocale(QLocale::English, QLocale::UnitedStates)), QString("zh_CN"));
        QCOMPARE(resolveLanguage("system", QLocale(QLocale::Chinese, QLocale::China)), QString("zh_CN"));
        QCOMPARE(resolveLanguage("system", QLocale(QLocale::Chinese, QLocale::Taiwan)), QString("zh_CN"));
        QCOMPARE(resolveLanguage("system", QLocale(QLocale::German, QLocale::Germany)), QString("en"));
        QCOMPARE(resolveLanguage("klingon", QLocale(QLocale::Chinese, QLocale::China)), QString("en"));
        QCOMPARE(uiLanguages().size(), 2);
        QCOMPARE(uiLanguages().at(1).nativeName, QString::fromUtf8("简体中文"));
        QVERIFY(!applyLanguage(QStringLiteral("klingon")));
        QCOMPARE(currentLanguage(), QString("en"));
    }

    void translatesStringsOfEveryLayer()
    {
        QVERIFY(applyLanguage(QStringLiteral("zh_CN")));
        QCOMPARE(currentLanguage(), QString("zh_CN"));
        // A string of the .ui form, of a window class, of a view, and of the render layer.
        QCOMPARE(QCoreApplication::translate("MainWindow", "&File"), QString::fromUtf8("文件(&F)"));
        QCOMPARE(QCoreApplication::translate("attnscope::MainWindow", "Open Model"), QString::fromUtf8("打开模型"));
        QCOMPARE(QCoreApplication::translate("attnscope::CensusView", "Head census"), QString::fromUtf8("头普查"));
        QCOMPARE(QCoreApplication::translate("AttentionSlice", "%1-attention").arg(
                     QCoreApplication::translate("AttentionSlice", "cross")),
                 QString::fromUtf8("交叉注意力"));
        // Numerus forms are filled too.
        QCOMPARE(QCoreApplication::translate("attnscope::MainWindow", "%n source token(s)", nullptr, 3),
                 QString::fromUtf8("3 个源词元"));
        QVERIFY(applyLanguage(QStringLiteral("en")));
        QCOMPARE(QCoreApplication::translate("MainWindow", "&File"), QString("&File"));
    }

    void switchingKeepsModelInputAndSelection()
    {
        QVERIFY(m_window->openModel(m_model));
        waitIdle();
        m_window->setInputText(QStringLiteral("abc"));
        m_window->setSelection({Stack::Cross, 1, 2});
        m_window->setView(MainWindow::View::Census);
        waitIdle();
        const std::shared_ptr<const Model> model = m_window->model();
        QVERIFY(menuTitles(m_window.get()).contains(QStringLiteral("File")));

        // Through the menu, as a user does.
        QAction* zh = m_window->findChild<QAction*>(QStringLiteral("actionLanguage-zh_CN"));
        QVERIFY(zh);
        QPointer<MainWindow> next;
        {
            // The menu's action calls switchLanguage; the returned window is the new top level.
            next = m_window->switchLanguage(QStringLiteral("zh_CN"));
        }
        QVERIFY(next);
        QVERIFY(next.data() != m_window.get());
        QVERIFY(!m_window->isVisible());
        QVERIFY(QTest::qWaitForWindowExposed(next.data()));
        QCOMPARE(currentLanguage(), QString("zh_CN"));
        QCOMPARE(QSettings().value("language").toString(), QString("zh_CN"));

        QCOMPARE(next->model().get(), model.get()); // the same loaded model: not read again
        QCOMPARE(next->findChild<QLineEdit*>("inputEdit")->text(), QString("abc"));
        QCOMPARE(next->selection().stack, Stack::Cross);
        QCOMPARE(next->selection().layer, 1);
        QCOMPARE(next->selection().head, 2);
        QCOMPARE(next->view(), MainWindow::View::Census);
        QTRY_VERIFY(next->runner()->isIdle());
        QVERIFY(next->result());
        const QStringList zhMenus = menuTitles(next);
        QVERIFY2(zhMenus.contains(QString::fromUtf8("文件(F)")), qPrintable(zhMenus.join(", ")));
        QVERIFY(!zhMenus.contains(QStringLiteral("File")));
        auto* stack = next->findChild<QComboBox*>("stackCombo");
        QVERIFY(stack);
        QCOMPARE(stack->currentText(), QString::fromUtf8("交叉"));
        // The checked language is the new one.
        QAction* zhNext = next->findChild<QAction*>(QStringLiteral("actionLanguage-zh_CN"));
        QVERIFY(zhNext && zhNext->isChecked());

        // And back to English.
        QPointer<MainWindow> back = next->switchLanguage(QStringLiteral("en"));
        QVERIFY(back);
        QTRY_VERIFY(!next); // the Chinese window (WA_DeleteOnClose) is deleted
        QCOMPARE(back->model().get(), model.get());
        QCOMPARE(back->findChild<QLineEdit*>("inputEdit")->text(), QString("abc"));
        QVERIFY(menuTitles(back).contains(QStringLiteral("File")));
        QCOMPARE(QSettings().value("language").toString(), QString("en"));
        back->close();
        QTRY_VERIFY(!back);
    }

    void unknownLanguageKeepsWindow()
    {
        QVERIFY(m_window->openModel(m_model));
        waitIdle();
        QCOMPARE(m_window->switchLanguage(QStringLiteral("klingon")), nullptr);
        QVERIFY(m_window->isVisible());
        QCOMPARE(currentLanguage(), QString("en"));
        QVERIFY(!QSettings().contains("language"));
        QVERIFY(m_window->model());
    }
};

} // namespace attnscope

int main(int argc, char** argv) { return attnscope::test::runGuiTest<attnscope::TestLanguage>(argc, argv); }
#include "test_language.moc"
