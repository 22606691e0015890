// See language.h.
#include "app/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace attnscope {

namespace {

const QString kSettingsKey = QStringLiteral("language");

struct Installed {
    QString code = QStringLiteral("en");
    std::unique_ptr<QTranslator> app;
    std::unique_ptr<QTranslator> qt;
};

Installed& installed()
{
    static Installed i;
    return i;
}

} // namespace

QList<UiLanguage> uiLanguages()
{
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("zh_CN"), QStringLiteral("\u7B80\u4F53\u4E2D\u6587")}};
}

QString savedLanguageChoice()
{
    const QString v = QSettings().value(kSettingsKey, QStringLiteral("system")).toString();
    if (v == QLatin1String("system")) return v;
    for (const UiLanguage& l : uiLanguages())
        if (l.code == v) return v;
    return QStringLiteral("system");
}

void saveLanguageChoice(const QString& choice) { QSettings().setValue(kSettingsKey, choice); }

QString resolveLanguage(const QString& choice, const QLocale& locale)
{
    if (choice == QLatin1String("system"))
        return locale.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
    for (const UiLanguage& l : uiLanguages())
        if (l.code == choice) return choice;
    return QStringLiteral("en");
}

bool applyLanguage(const QString& code)
{
    Installed& i = installed();
    bool known = false;
    for (const UiLanguage& l : uiLanguages()) known = known || l.code == code;
    if (!known) return false;
    if (code == i.code) return true;
    std::unique_ptr<QTranslator> app, qt;
    if (code != QLatin1String("en")) {
        // Compiled from resources/translations by lrelease into the app's resources (:/i18n).
        app = std::make_unique<QTranslator>();
        if (!app->load(QStringLiteral(":/i18n/attnscope_%1.qm").arg(code))) return false;
        // Qt's own strings (dialog buttons, file dialogs), from Debian's qt6-translations-l10n.
        qt = std::make_unique<QTranslator>();
        if (!qt->load(QStringLiteral("qtbase_%1").arg(code), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            qt.reset();
    }
    if (i.app) QCoreApplication::removeTranslator(i.app.get());
    if (i.qt) QCoreApplication::removeTranslator(i.qt.get());
    i.app = std::move(app);
    i.qt = std::move(qt);
    if (i.qt) QCoreApplication::installTranslator(i.qt.get());
    if (i.app) QCoreApplication::installTranslator(i.app.get());
    i.code = code;
    return true;
}

QString currentLanguage() { return installed().code; }

} // namespace attnscope
