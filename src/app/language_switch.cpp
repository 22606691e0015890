// View › Language in the main window (MainWindow members declared in main_window.h; the
// languages themselves in language.h). Switching builds a new window in the new language and
// hands it this one's state, rather than retranslating every widget in place: each view sets
// its texts where it builds them, so a window built after the translator changed is entirely in
// the new language, with nothing left over in the old one.
#include "app/main_window.h"

#include "ui_main_window.h"

#include "app/language.h"
#include "core/session.h"

#include <QActionGroup>
#include <QMenu>
#include <QStatusBar>

namespace attnscope {

void MainWindow::setupLanguageMenu()
{
    QMenu* menu = new QMenu(tr("&Language"), this);
    menu->setObjectName(QStringLiteral("menuLanguage"));
    auto* group = new QActionGroup(menu);
    const QString chosen = savedLanguageChoice();
    auto add = [&](const QString& choice, const QString& text) {
        QAction* a = menu->addAction(text);
        a->setObjectName(QStringLiteral("actionLanguage-") + choice);
        a->setCheckable(true);
        a->setChecked(choice == chosen);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, choice] { switchLanguage(choice); });
    };
    add(QStringLiteral("system"), tr("&System Language"));
    menu->addSeparator();
    // Each language in its own name, so it can be found by someone who cannot read the other.
    for (const UiLanguage& l : uiLanguages()) add(l.code, l.nativeName);
    m_ui->menuView->addSeparator();
    m_ui->menuView->addMenu(menu);
}

MainWindow* MainWindow::switchLanguage(const QString& choice)
{
    const QString code = resolveLanguage(choice);
    if (choice != QLatin1String("system") && code != choice) {
        reportError(tr("Unknown language \"%1\".").arg(choice));
        return nullptr;
    }
    const QString before = currentLanguage();
    if (!applyLanguage(code)) {
        reportError(tr("The %1 translation could not be loaded; the language stays as it was.").arg(code));
        return nullptr;
    }
    saveLanguageChoice(choice);
    if (code == before) {
        for (QAction* a : findChildren<QAction*>())
            if (a->objectName() == QStringLiteral("actionLanguage-") + choice) a->setChecked(true);
        return this;
    }
    // The new window reads the settings this one keeps (recent models, folders, colour map):
    // written first, so both agree.
    saveSettings();
    auto* next = new MainWindow;
    next->setAttribute(Qt::WA_DeleteOnClose);
    next->restoreGeometry(saveGeometry());
    next->restoreState(saveState());
    if (m_model) {
        const Session s = currentSession(QString());
        next->applySession(s, m_model, QString::fromStdString(m_model->path));
    }
    next->show();
    for (const UiLanguage& l : uiLanguages())
        if (l.code == code) next->statusBar()->showMessage(tr("Language: %1").arg(l.nativeName), 5000);
    if (testAttribute(Qt::WA_DeleteOnClose)) close();
    else hide();
    return next;
}

} // namespace attnscope
