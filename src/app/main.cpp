// attnscope: the desktop app. `attnscope [MODEL.json] [--text TEXT]` opens a model (default:
// the last one, else the bundled default) with the given input (default: its first example);
// `attnscope LESSON.attnscope.json` opens a saved session instead.
#include "app/main_window.h"
#include "app/model_catalog.h"
#include "app/screenshots.h"
#include "core/gemm.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <memory>

int main(int argc, char** argv)
{
    attnscope::configureHeapForInference(); // core/gemm.h: keep freed heap for the next forward pass
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("AttnScope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/attnscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral("attnscope"));

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
    parser.addOption(textOption);
    parser.addOption(targetOption);
    parser.addOption(viewOption);
    parser.addOption(stackOption);
    parser.addOption(screenshotOption);
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        fprintf(stderr, "attnscope: expected at most one model file\n");
        return 2;
    }

    attnscope::MainWindow window;
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
