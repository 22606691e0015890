// The language of the user interface (docs/translations.md): English, the source strings, or
// Simplified Chinese (resources/translations/attnscope_zh_CN.ts, compiled into the app). The
// choice is "system" (follow the locale: any Chinese locale gives zh_CN), "en" or "zh_CN",
// kept in QSettings under "language". The CLI never installs a translator: its messages stay
// English.
#pragma once

#include <QList>
#include <QLocale>
#include <QString>

namespace attnscope {

struct UiLanguage {
    QString code;       // "en", "zh_CN"
    QString nativeName; // in its own language: "English", "简体中文"
};

// The languages the app ships, English first.
QList<UiLanguage> uiLanguages();

// The saved choice: "system" (the default), or a code of uiLanguages().
QString savedLanguageChoice();
void saveLanguageChoice(const QString& choice);

// The language a choice means on a machine with `locale` ("system" → zh_CN for a Chinese
// locale, else en); an unknown choice means en.
QString resolveLanguage(const QString& choice, const QLocale& locale = QLocale::system());

// Installs the translators for `code` (the app's, and Qt's own for its standard dialogs when
// the system has it), replacing those of the previous language; "en" removes them. Returns false
// (and leaves English) for an unknown code or a translation that cannot be loaded.
bool applyLanguage(const QString& code);

// The code applied last ("en" before any).
QString currentLanguage();

} // namespace attnscope
