// attnscope: the desktop app. `attnscope [MODEL.json] [--text TEXT]` opens a model (default:
// the last one, else the bundled default) with the given input (default: its first example);
// `attnscope LESSON.attnscope.json` opens a saved session instead. `--list-models` and
// `--quit-after MS` let the packaging test (tests/packaging) check an installed copy headless.
#include "app/language.h"
#include "app/main_window.h"
#include "app/model_catalog.h"
#include "app/screenshots.h"
#include "core/gemm.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <memory>

int main(int argc, char** argv)
{
    attnscope::configureHeapForInference(); // core/gemm.h: keep freed heap for the next forward pass
    // Options that print and quit open no window: they work in a terminal without a display.
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--version" || a == "-v" || a == "--help" || a == "-h" || a == "--help-all" || a == "--list-models")
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("AttnScope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/attnscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral(ATTNSCOPE_APP_ID)); // packaging/: ATTNSCOPE_APP_ID.desktop

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Live attention heatmaps for small transformers."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("Model file (.json), Hugging Face model folder, or session file "
                                                "(.attnscope.json) to open."),
                                 QStringLiteral("[MODEL.json | FOLDER | SESSION.attnscope.json]"));
    const QCommandLineOption textOption(QStringLiteral("text"), QStringLiteral("Input text to show."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption pairOption(QStringLiteral("pair"),
                                        QStringLiteral("Second sentence (sentence-pair encoders such as BERT)."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
                                          QStringLiteral("Teacher-forced target (encoder-decoder models)."),
                                          QStringLiteral("TEXT"));
    const QCommandLineOption viewOption(QStringLiteral("view"), QStringLiteral("View to show: head, overview or alignment."),
                                        QStringLiteral("VIEW"));
    const QCommandLineOption stackOption(QStringLiteral("stack"), QStringLiteral("Stack: encoder, decoder or cross."),
                                         QStringLiteral("STACK"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshots"),
        QStringLiteral("Save main-window.png, head-view.png, overview.png, alignment.png, step-through.png, neuron-view.png, "
                       "census.png, ablation.png and rollout.png into DIR, then quit (used by scripts/screenshots.sh)."),
        QStringLiteral("DIR"));
    const QCommandLineOption listModelsOption(
        QStringLiteral("list-models"),
        QStringLiteral("Print the bundled models the Models menu offers (name, tab, path), then quit."));
    const QCommandLineOption quitAfterOption(
        QStringLiteral("quit-after"),
        QStringLiteral("Quit MS milliseconds after the first result is shown, printing the model shown and the "
                       "Models menu's entries; exit code 3 if the model or session could not be opened."),
        QStringLiteral("MS"));
    parser.addOption(textOption);
    parser.addOption(targetOption);
    parser.addOption(pairOption);
    parser.addOption(viewOption);
    parser.addOption(stackOption);
    parser.addOption(screenshotOption);
    parser.addOption(listModelsOption);
    parser.addOption(quitAfterOption);
    const QCommandLineOption languageOption(
        QStringLiteral("language"),
        QStringLiteral("Interface language for this run: en, zh_CN or system (default: the one chosen in View > Language)."),
        QStringLiteral("CODE"));
    parser.addOption(languageOption);
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        fprintf(stderr, "attnscope: expected at most one model file\n");
        return 2;
    }
    if (parser.isSet(listModelsOption)) {
        const QList<attnscope::BundledModel> models = attnscope::bundledModels();
        for (const attnscope::BundledModel& m : models)
            printf("%s\t%s\n", qPrintable(m.name), qPrintable(m.path));
        if (models.isEmpty()) fprintf(stderr, "attnscope: no bundled models found\n");
        return models.isEmpty() ? 1 : 0;
    }
    bool quitAfterOk = false;
    const int quitAfterMs = parser.value(quitAfterOption).toInt(&quitAfterOk);
    if (parser.isSet(quitAfterOption) && (!quitAfterOk || quitAfterMs < 0)) {
        fprintf(stderr, "attnscope: --quit-after expects milliseconds, got \"%s\"\n", qPrintable(parser.value(quitAfterOption)));
        return 2;
    }

    // The interface language (language.h): --language for this run, else the saved choice.
    const QString language = parser.isSet(languageOption) ? parser.value(languageOption) : attnscope::savedLanguageChoice();
    bool knownLanguage = language == QLatin1String("system");
    for (const attnscope::UiLanguage& l : attnscope::uiLanguages()) knownLanguage = knownLanguage || l.code == language;
    if (!knownLanguage || !attnscope::applyLanguage(attnscope::resolveLanguage(language))) {
        fprintf(stderr, "attnscope: unknown language \"%s\" (known: system, en, zh_CN)\n", qPrintable(language));
        return 2;
    }

    // On the heap: View › Language replaces the window by a new one (MainWindow::switchLanguage).
    auto* windowPtr = new attnscope::MainWindow;
    windowPtr->setAttribute(Qt::WA_DeleteOnClose);
    attnscope::MainWindow& window = *windowPtr;
    if (parser.isSet(quitAfterOption)) {
        // Any error the window reports (model or session not opened) is printed and ends the run with code 3.
        QObject::connect(&window, &attnscope::MainWindow::errorReported, &window, [](const QString& message) {
            fprintf(stderr, "attnscope: %s\n", qPrintable(message));
            QTimer::singleShot(0, qApp, [] { QApplication::exit(3); });
        });
    }
    QString model = parser.positionalArguments().value(0);
    if (model.isEmpty()) {
        const QString last = QSettings().value(QStringLiteral("lastModel")).toString();
        model = !last.isEmpty() && QFileInfo::exists(last) ? last : attnscope::defaultModelPath();
    }
    // A session file restores its model, inputs, head, ablations and view; --text etc. still override.
    const bool opened = !model.isEmpty() && (attnscope::MainWindow::isSessionFile(model) ? window.openSession(model)
                                                                                          : window.openModel(model));
    if (opened) {
        if (parser.isSet(targetOption)) window.setTargetText(parser.value(targetOption));
        if (parser.isSet(pairOption)) window.setPairText(parser.value(pairOption));
        if (parser.isSet(textOption)) window.setInputText(parser.value(textOption));
    }
    if (parser.isSet(stackOption)) {
        attnscope::HeadSelection s = window.selection();
        if (attnscope::stackFromString(parser.value(stackOption).toStdString(), s.stack)) window.setSelection(s);
    }
    const QString view = parser.value(viewOption);
    if (view == QLatin1String("overview")) window.setView(attnscope::MainWindow::View::Overview);
    else if (view == QLatin1String("alignment")) window.setView(attnscope::MainWindow::View::Alignment);
    else if (!view.isEmpty()) window.setView(attnscope::MainWindow::View::Head);
    window.show();
    if (parser.isSet(quitAfterOption)) {
        if (!opened) {
            if (model.isEmpty()) fprintf(stderr, "attnscope: no model to open: no bundled models found\n");
            return 3; // otherwise errorReported's handler printed why
        }
        auto started = std::make_shared<bool>(false);
        QObject::connect(&window, &attnscope::MainWindow::resultShown, &window, [&window, started, quitAfterMs] {
            if (*started || !window.runner()->isIdle()) return;
            *started = true;
            QTimer::singleShot(quitAfterMs, &window, [&window] {
                printf("model\t%s\n", window.model()->path.c_str());
                printf("result\t%zu source token(s), %zu target token(s)\n", window.result()->sourceTokens.size(),
                       window.result()->targetTokens.size());
                // The Models menu as the user sees it: one checkable entry per bundled model.
                if (const QMenu* menu = window.findChild<QMenu*>(QStringLiteral("menuModels")))
                    for (const QAction* a : menu->actions())
                        if (a->isCheckable()) printf("menu\t%s\t%s\n", qPrintable(a->text()), qPrintable(a->statusTip()));
                fflush(stdout);
                QApplication::exit(0);
            });
        }, Qt::QueuedConnection);
    }
    if (parser.isSet(screenshotOption)) {
        const QString dir = parser.value(screenshotOption);
        // Wait for the newest result, let the window settle, then save and quit.
        auto started = std::make_shared<bool>(false);
        QObject::connect(&window, &attnscope::MainWindow::resultShown, &window, [&window, dir, started, stackOption, &parser] {
            if (*started || !window.runner()->isIdle()) return;
            *started = true;
            if (parser.isSet(stackOption)) {
                attnscope::HeadSelection s = window.selection();
                if (attnscope::stackFromString(parser.value(stackOption).toStdString(), s.stack)) window.setSelection(s);
            }
            QTimer::singleShot(400, &window, [&window, dir] {
                const int code = attnscope::saveScreenshots(window, dir) ? 0 : 4;
                QApplication::exit(code);
            });
        }, Qt::QueuedConnection);
    }
    return app.exec();
}
