// Peak memory of the whole app inspecting a long input: drives the real MainWindow (offscreen
// unless QT_QPA_PLATFORM says otherwise), opens a model, types a T-token input and, with
// --visit-all-tabs, shows every tab in turn — Compare with input B = A with one token changed —
// waiting on each until every recompute is done. Prints, per step, the process's RSS and its
// peak (VmRSS / VmHWM from /proc/self/status; pages of the memory-mapped model count).
// Goal (docs/performance.md): ≤ 1 GB for a 12-layer × 12-head model at 2048 tokens.
//
//   attnscope-app-memory-bench --model FILE.json [--tokens 2048] [--visit-all-tabs]
//                              [--screenshot DIR] [--timeout-s 600] [--mmap-threshold BYTES]
//
// The heap is set up as the app's main() does (configureHeapForInference, core/gemm.h: glibc's mmap
// threshold fixed at 128 KB, so T × T matrices are memory-mapped and go back to the system when
// freed, instead of being carved from per-thread heaps whose pages stay resident). --mmap-threshold
// overrides that threshold, for trying other values.
//
// The input is "w0 w1 … " (the word vocabulary of bench/make_large_model.py's model: one token
// per word after <s>); a Hugging Face folder without tokenizer files gets T ids "#k" (e.g. the
// SmolLM-135M-shaped folder of bench/compare_llama.py); other models get a repeated lowercase
// alphabet, one token per character.
#include "app/compare_view.h"
#include "app/main_window.h"
#include "core/gemm.h"
#include "render/heatmap_plot.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QThread>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

using namespace attnscope;

namespace {

// A field of /proc/self/status in MiB (VmRSS: now, VmHWM: peak).
double statusMiB(const char* field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return -1.0;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(key)) return line.mid(key.size()).trimmed().split(' ').front().toDouble() / 1024.0;
    return -1.0;
}

QElapsedTimer g_clock;

void report(const char* what)
{
    std::printf("%-40s %8.1f s   RSS %7.1f MiB   peak RSS (VmHWM) %7.1f MiB\n", what, g_clock.elapsed() / 1000.0,
                statusMiB("VmRSS"), statusMiB("VmHWM"));
    std::fflush(stdout);
}

// Runs the event loop until `done` holds (checked every 5 ms); false after `timeoutMs`.
bool waitFor(const std::function<bool()>& done, qint64 timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QApplication::processEvents();
    while (!done()) {
        if (t.elapsed() > timeoutMs) return false;
        QApplication::processEvents();
        QThread::msleep(5);
    }
    QApplication::processEvents();
    return true;
}

int usage()
{
    std::fprintf(stderr, "usage: attnscope-app-memory-bench --model FILE.json [--tokens N] [--visit-all-tabs] "
                         "[--screenshot DIR] [--timeout-s S] [--mmap-threshold BYTES]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    configureHeapForInference(); // as the app's main() does
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QString model, screenshots;
    int tokens = 2048;
    bool allTabs = false;
    qint64 timeoutMs = 600000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool more = i + 1 < argc;
        if (a == "--model" && more) model = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--tokens" && more) tokens = std::atoi(argv[++i]);
        else if (a == "--visit-all-tabs") allTabs = true;
        else if (a == "--screenshot" && more) screenshots = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--timeout-s" && more) timeoutMs = qint64(std::atof(argv[++i]) * 1000.0);
        else if (a == "--mmap-threshold" && more) mallopt(M_MMAP_THRESHOLD, std::atoi(argv[++i]));
        else return usage();
    }
    if (model.isEmpty() || tokens < 2) return usage();

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("attnscope-app-memory-bench"));
    g_clock.start();
    report("start");
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    if (!window.openModel(model)) {
        std::fprintf(stderr, "cannot open %s\n", qPrintable(model));
        return 1;
    }
    auto idle = [&] { return window.runner()->isIdle() && window.runner()->sliceIdle(); };
    if (!waitFor(idle, timeoutMs)) return 1;
    report("model open (its example run)");

    // T − 1 tokens after <s>: words w0 w1 … for a word tokenizer, letters for a char one.
    const bool words = window.model()->sourceTokenizer.options().kind == TokenizerKind::Word;
    // A checkpoint folder without tokenizer files (bench/compare_llama.py's SmolLM-shaped one) reads
    // ids typed as "#15 #995": T of them, as it adds no <s>.
    const bool idsOnly = window.model()->format == "huggingface" && window.model()->tokenizerFile.empty();
    QStringList parts;
    QString text;
    if (idsOnly) {
        for (int i = 0; i < tokens; ++i)
            parts << QStringLiteral("#%1").arg((i * 7919) % window.model()->sourceTokenizer.vocab().size());
        text = parts.join(QLatin1Char(' '));
    } else if (words) {
        for (int i = 0; i < tokens - 1; ++i)
            parts << QStringLiteral("w%1").arg(i % 1000);
        text = parts.join(QLatin1Char(' '));
    } else {
        for (int i = 0; i < tokens - 1; ++i)
            text += QChar('a' + i % 26);
    }
    window.setInputText(text);
    const auto ran = [&] {
        return idle() && window.result() && window.result()->sourceTokens.size() >= size_t(tokens - 1);
    };
    if (!waitFor(ran, timeoutMs)) {
        std::fprintf(stderr, "the run did not finish\n");
        return 1;
    }
    std::printf("input: %zu tokens, %s trace\n", window.result()->sourceTokens.size(),
                window.result()->trace.compact ? "compact" : "full");
    report("input run, head view");

    // B = A with one token changed in the middle (same length: A − B and the per-head map apply).
    QString textB;
    if (words) {
        QStringList b = parts;
        b[b.size() / 2] = QStringLiteral("w%1").arg((b.size() / 2 + 500) % 1000);
        textB = b.join(QLatin1Char(' '));
    } else {
        textB = text;
        textB[textB.size() / 2] = textB[textB.size() / 2] == QLatin1Char('q') ? QLatin1Char('z') : QLatin1Char('q');
    }

    struct Tab {
        MainWindow::View view;
        const char* name;
    };
    // Then B is edited once more (another token), as a user trying a second word does.
    QString textB2 = textB;
    if (words) {
        QStringList b = textB.split(QLatin1Char(' '));
        b[b.size() / 4] = QStringLiteral("w%1").arg((b.size() / 4 + 500) % 1000);
        textB2 = b.join(QLatin1Char(' '));
    } else {
        textB2[textB2.size() / 4] = textB2[textB2.size() / 4] == QLatin1Char('q') ? QLatin1Char('z') : QLatin1Char('q');
    }
    const Tab all[] = {{MainWindow::View::Head, "head"},           {MainWindow::View::Overview, "overview"},
                       {MainWindow::View::Alignment, "alignment"}, {MainWindow::View::StepThrough, "step-through"},
                       {MainWindow::View::Census, "census"},       {MainWindow::View::Ablation, "ablation"},
                       {MainWindow::View::Rollout, "rollout"},     {MainWindow::View::Compare, "compare"},
                       {MainWindow::View::Compare, "compare, B edited again"},
                       {MainWindow::View::Timeline, "timeline"},   {MainWindow::View::Head, "head again"}};
    CompareView* compare = window.compareView();
    bool failed = false;
    for (const Tab& tab : all) {
        if (!allTabs && tab.view != MainWindow::View::Compare) continue;
        window.setView(tab.view);
        if (tab.view == MainWindow::View::Compare)
            compare->setTextB(compare->resultB() && compare->textB() == textB ? textB2 : textB);
        // Compare: when B's head is shown, and when the per-head map (long inputs: every head of
        // A and B recomputed) is complete.
        qint64 headShown = -1;
        const bool ok = waitFor(
            [&] {
                if (tab.view != MainWindow::View::Compare) return idle();
                if (headShown < 0 && compare->resultB() && !compare->isWaiting()) headShown = g_clock.elapsed();
                return idle() && compare->isIdle() && !compare->isWaiting() && compare->resultB();
            },
            timeoutMs);
        if (!ok) std::fprintf(stderr, "%s: timed out\n", tab.name);
        failed |= !ok;
        if (headShown >= 0)
            std::printf("compare: head shown at %.1f s, per-head map complete %.1f s later\n", headShown / 1000.0,
                        (g_clock.elapsed() - headShown) / 1000.0);
        const std::string line = std::string("tab ") + tab.name;
        report(line.c_str());
        if (tab.view == MainWindow::View::Compare && compare->textB() == textB) {
            failed |= !compare->aligned() || compare->headChanges().meanAbs.size() == 0;
            std::printf("compare: %s, A - B %lld x %lld, per-head map %lld x %lld\n",
                        compare->aligned() ? "aligned" : "not aligned", (long long)compare->difference().rows(),
                        (long long)compare->difference().cols(), (long long)compare->headChanges().meanAbs.rows(),
                        (long long)compare->headChanges().meanAbs.cols());
            if (!screenshots.isEmpty()) {
                QDir().mkpath(screenshots);
                window.repaint();
                QApplication::processEvents();
                const QString png = QDir(screenshots).filePath(QStringLiteral("compare-long.png"));
                const QString pngWin = QDir(screenshots).filePath(QStringLiteral("compare-long-window.png"));
                compare->grab().toImage().save(png);
                window.grab().toImage().save(pngWin);
                std::printf("wrote %s, %s\n", qPrintable(png), qPrintable(pngWin));
            }
        }
    }
    report("end");
    std::printf("peak RSS: %.1f MiB\n", statusMiB("VmHWM"));
    return failed ? 1 : 0;
}
