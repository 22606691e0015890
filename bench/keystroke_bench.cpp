// Keystroke → repainted heatmap latency inside the real MainWindow, per shipped model: types N
// keys into the input line (QTest key clicks: press, textChanged, InferenceRunner, result,
// views) and times each from just before the key press to the end of the head heatmap's first
// paint event that shows the new result (RepaintProbe below says exactly when that is). Prints
// p50 / p95 / max per model, and the part up to MainWindow::resultShown (run, analysis and every
// view's setData) as "shown" (docs/performance.md).
//
//   attnscope-keystroke-bench [--keys 200] [--json] [--events] [models/a.json ...]   (default: every shipped model)
//
// --events also prints, per model, how many paint, resize, move, layout, polish and show events
// each widget got per key; unknown options are refused (exit 2), --help prints the usage.
// Runs offscreen unless QT_QPA_PLATFORM says otherwise (xvfb-run works too). Each key is typed
// once the previous one is on screen and the runner is idle, so a sample is one keystroke's own
// latency, not a queue's. The keys type the model's first example, a few characters at a time,
// with Backspace in between, so inputs stay at realistic lengths.
#include "app/main_window.h"
#include "render/heatmap_plot.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace attnscope;

namespace {

// Watches the head plot after arm(): the sample ends once, after MainWindow::resultShown, the
// plot has both replotted (QCustomPlot::afterReplot: its buffers now hold the new slice) and
// painted (its paintEvent has returned), at whichever of the two comes last. Both are needed:
// HeatmapPlot replots queued, and in this window the plot's paint often runs before that queued
// replot (the first paint after a key typically follows other widgets' updates), so "the first
// paint after the result" alone could end a sample on stale buffers.
class RepaintProbe : public QObject {
public:
    RepaintProbe(MainWindow* window, HeatmapPlot* plot) : m_plot(plot)
    {
        connect(window, &MainWindow::resultShown, this, [this] {
            m_shown = m_armed;
            if (m_shown) m_shownMs = double(m_clock.nsecsElapsed()) / 1e6;
        });
        connect(plot, &QCustomPlot::afterReplot, this, [this] {
            if (m_shown) m_replotted = true;
        });
        plot->installEventFilter(this);
    }

    void arm()
    {
        m_armed = true;
        m_shown = m_replotted = m_painted = false;
        m_clock.start();
    }
    double shownMs() const { return m_shownMs; } // key press → resultShown returned
    bool done() const { return m_shown && m_replotted && m_painted; }
    void disarm() { m_armed = false; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched != m_plot || event->type() != QEvent::Paint || !m_shown || m_painted) return false;
        // Let the plot paint now, inside this same paint event, so the mark is set after its
        // buffers are on the widget and not merely before the paint starts.
        static_cast<QObject*>(m_plot)->event(event);
        m_painted = true;
        return true;
    }

private:
    HeatmapPlot* m_plot;
    bool m_armed = false, m_shown = false, m_replotted = false, m_painted = false;
    QElapsedTimer m_clock;
    double m_shownMs = 0.0;
};

// Spins the event loop until `ready` or the timeout; returns whether ready.
template <typename Pred>
bool waitFor(Pred ready, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!ready()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

// --events: counts, while armed, the paint, resize, move and layout events each widget gets, so a
// slow keystroke can be traced to what it makes Qt redo (a window re-laid out, widgets created).
class EventCounter : public QObject {
public:
    void setArmed(bool on) { m_armed = on; }
    void print(int keys) const
    {
        std::vector<std::pair<int, QString>> rows;
        for (auto it = m_counts.begin(); it != m_counts.end(); ++it) rows.emplace_back(it.value(), it.key());
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (const auto& [n, what] : rows)
            if (double(n) / keys >= 0.05) std::printf("  %7.2f per key  %s\n", double(n) / keys, qPrintable(what));
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (!m_armed || !watched->isWidgetType()) return false;
        const char* kind = nullptr;
        switch (event->type()) {
        case QEvent::Paint: kind = "Paint"; break;
        case QEvent::Resize: kind = "Resize"; break;
        case QEvent::Move: kind = "Move"; break;
        case QEvent::LayoutRequest: kind = "LayoutRequest"; break;
        case QEvent::Polish: kind = "Polish"; break;
        case QEvent::Show: kind = "Show"; break;
        default: return false;
        }
        ++m_counts[QStringLiteral("%1 %2 %3").arg(QLatin1String(kind), QLatin1String(watched->metaObject()->className()),
                                                  watched->objectName())];
        return false;
    }

private:
    bool m_armed = false;
    QHash<QString, int> m_counts;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const double rank = p * double(v.size() - 1);
    const size_t lo = size_t(rank);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - double(lo));
}

struct ModelResult {
    QString name;
    std::vector<double> samples; // ms
    std::vector<double> shown;   // ms from the key to resultShown (engine run + analysis + views' setData)
    int timeouts = 0;
};

ModelResult measure(const QString& path, int keys, bool events, const QString& prefix)
{
    ModelResult out;
    out.name = QFileInfo(path).completeBaseName();
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    if (!window.openModel(path)) {
        std::fprintf(stderr, "%s: could not open\n", qPrintable(path));
        return out;
    }
    window.setView(MainWindow::View::Head);
    auto* input = window.findChild<QLineEdit*>(QStringLiteral("inputEdit"));
    if (!input) return out;
    input->setFocus();
    waitFor([&] { return window.runner()->isIdle(); }, 10000);

    QString text = input->text();
    if (text.size() < 8) text = QStringLiteral("the quick brown fox 25 november 2026");
    // --prefix: the keys are typed at the end of this text (a long input, as a large model sees it).
    auto reset = [&] {
        input->setText(prefix);
        input->end(false);
        waitFor([&] { return window.runner()->isIdle(); }, 60000);
        QCoreApplication::processEvents();
    };
    reset();

    RepaintProbe probe(&window, window.headPlot());
    EventCounter counter;
    if (events) qApp->installEventFilter(&counter);
    int next = 0; // position in `text` of the next character to type
    for (int k = 0; k < keys; ++k) {
        // 6 characters forward, 2 back: the input grows slowly, wraps when the text runs out.
        const bool back = (k % 8) >= 6 && input->text().size() > prefix.size();
        if (!back && next >= text.size()) {
            reset();
            next = 0;
        }
        probe.arm();
        counter.setArmed(true);
        QElapsedTimer timer;
        timer.start();
        if (back) {
            QTest::keyClick(input, Qt::Key_Backspace);
            next = std::max(0, next - 1);
        } else {
            const QChar c = text.at(next++);
            QTest::keyClick(input, char(c.toLatin1()));
        }
        if (waitFor([&] { return probe.done(); }, 5000)) {
            out.samples.push_back(double(timer.nsecsElapsed()) / 1e6);
            out.shown.push_back(probe.shownMs());
        }
        else
            ++out.timeouts;
        probe.disarm();
        counter.setArmed(false);
        // Let the rest of the window settle (other views, the status bar) before the next key.
        waitFor([&] { return window.runner()->isIdle(); }, 10000);
        QCoreApplication::processEvents();
    }
    if (events) {
        std::printf("%s: events from each key press to its repainted heatmap\n", qPrintable(out.name));
        counter.print(keys);
    }
    return out;
}

constexpr const char* kUsage =
    "usage: attnscope-keystroke-bench [--keys N] [--json] [--events] [--prefix FILE] [MODEL ...]\n"
    "  --keys N   keys typed per model (default 200)\n"
    "  --prefix FILE  type at the end of this file's text (one line) instead of an empty input\n"
    "  --json     one JSON line instead of the table\n"
    "  --events   also count the paint, resize, move and layout events per widget and key\n"
    "  MODEL      model files (default: every shipped model)\n";

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("attnscope-keystroke-bench"));
    QApplication::setOrganizationName(QStringLiteral("attnscope-bench")); // keep the user's settings untouched
    int keys = 200;
    bool json = false, events = false;
    QString prefix;
    QStringList models;
    const QStringList args = QCoreApplication::arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::printf("%s", kUsage);
            return 0;
        }
        if (a == QLatin1String("--keys")) {
            bool ok = false;
            keys = i + 1 < args.size() ? args[++i].toInt(&ok) : 0;
            if (!ok || keys < 1) {
                std::fprintf(stderr, "--keys needs a positive number\n%s", kUsage);
                return 2;
            }
        } else if (a == QLatin1String("--prefix")) {
            QFile f(i + 1 < args.size() ? args[++i] : QString());
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "--prefix needs a readable file\n%s", kUsage);
                return 2;
            }
            prefix = QString::fromUtf8(f.readAll()).simplified();
        } else if (a == QLatin1String("--json")) json = true;
        else if (a == QLatin1String("--events")) events = true;
        else if (a.startsWith(QLatin1Char('-'))) {
            std::fprintf(stderr, "unknown option %s\n%s", qPrintable(a), kUsage);
            return 2;
        } else models << a;
    }
    if (models.isEmpty()) {
        const QDir dir(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models"));
        for (const char* name : {"date-normalizer", "reverse-letters", "tiny-lm", "tiny-mlm"})
            models << dir.filePath(QString::fromLatin1(name) + QStringLiteral(".json"));
    }
    QJsonArray results;
    if (!json)
        std::printf("%-16s %5s %9s %9s %9s %9s %15s\n", "model", "keys", "p50 ms", "p95 ms", "max ms", "timeouts",
                    "shown p50/p95");
    int failures = 0;
    for (const QString& path : models) {
        const ModelResult r = measure(path, keys, events, prefix);
        if (int(r.samples.size()) != keys) ++failures;
        const double p50 = percentile(r.samples, 0.50), p95 = percentile(r.samples, 0.95);
        const double max = r.samples.empty() ? 0.0 : *std::max_element(r.samples.begin(), r.samples.end());
        if (json) {
            results.append(QJsonObject{{"model", r.name}, {"samples", int(r.samples.size())}, {"p50_ms", p50},
                                       {"p95_ms", p95}, {"max_ms", max}, {"timeouts", r.timeouts},
                                       {"shown_p50_ms", percentile(r.shown, 0.5)},
                                       {"shown_p95_ms", percentile(r.shown, 0.95)}});
        } else {
            std::printf("%-16s %5zu %9.2f %9.2f %9.2f %9d %7.2f/%7.2f\n", qPrintable(r.name), r.samples.size(), p50,
                        p95, max, r.timeouts, percentile(r.shown, 0.5), percentile(r.shown, 0.95));
        }
    }
    if (json) std::printf("%s\n", QJsonDocument(results).toJson(QJsonDocument::Compact).constData());
    return failures == 0 ? 0 : 1;
}
