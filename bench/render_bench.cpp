// Heatmap redraw at 2048 tokens in the app's own HeatmapPlot, offscreen: new data + replot,
// repaint alone, a wheel zoom step and a drag pan step delivered as real mouse events (so the
// plot's interactions are what is timed). Prints median and p95 of each. Goal
// (docs/performance.md): redraw ≤ 50 ms, zoom/pan fluid.
//
//   QT_QPA_PLATFORM=offscreen attnscope-render-bench [--tokens 2048] [--repeat 30] [--size 1000x900]
#include "render/heatmap_plot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

using namespace attnscope;

namespace {

// A causal attention-like matrix: each row a softmax over its allowed keys with a few peaks.
AttentionSlice makeSlice(int n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    AttentionSlice s;
    s.weights = MatrixRM::Zero(n, n);
    for (int i = 0; i < n; ++i) {
        float sum = 0.0f;
        for (int j = 0; j <= i; ++j) {
            const float logit = noise(rng) + (j == i - 1 ? 4.0f : 0.0f) + (j == 0 ? 3.0f : 0.0f);
            sum += s.weights(i, j) = std::exp(logit);
        }
        s.weights.row(i) /= sum;
    }
    for (int i = 0; i < n; ++i) {
        s.queryLabels << QStringLiteral("tok%1").arg(i);
        s.keyLabels << QStringLiteral("tok%1").arg(i);
    }
    s.title = QStringLiteral("decoder self-attention \u00B7 layer 0 \u00B7 head %1").arg(seed);
    return s;
}

// CPU time of this (the GUI) thread: on a machine shared with other jobs it stays close to what an
// idle machine's wall time would be, while wall time grows with the load.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct Stats {
    double median, p95, max;
};

Stats stats(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const auto at = [&v](double q) { return v[std::min(v.size() - 1, size_t(std::ceil(q * double(v.size())) - 1))]; };
    return {at(0.5), at(0.95), v.back()};
}

void report(const char* what, const std::vector<double>& ms)
{
    const Stats s = stats(ms);
    std::printf("%-44s median %7.2f ms   p95 %7.2f ms   max %7.2f ms   (n=%zu)\n", what, s.median, s.p95, s.max,
                ms.size());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int n = 2048, repeat = 30, width = 1000, height = 900;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--tokens"))
            n = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--repeat"))
            repeat = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--size")) {
            const QStringList wh = args[i + 1].split(QLatin1Char('x'));
            if (wh.size() == 2) width = wh[0].toInt(), height = wh[1].toInt();
        }
    }
    std::printf("HeatmapPlot %dx%d px, %d x %d cells, %d repetitions, platform %s\n", width, height, n, n, repeat,
                qPrintable(QGuiApplication::platformName()));
    std::vector<AttentionSlice> slices{makeSlice(n, 1), makeSlice(n, 2)};
    HeatmapPlot plot;
    plot.resize(width, height);
    plot.show();
    plot.setSlice(slices[0]);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QApplication::processEvents();

    QElapsedTimer timer;
    std::vector<double> redraw, setData, repaint, zoom, pan, redrawCpu, zoomCpu, panCpu;
    for (int r = 0; r < repeat; ++r) {
        // A new head shown: data in, colour-mapped, axes and ticks rebuilt, painted.
        const double cpu0 = threadCpuMs();
        timer.start();
        plot.setSlice(slices[size_t(r % 2 == 0 ? 1 : 0)]);
        setData.push_back(double(timer.nsecsElapsed()) / 1e6);
        plot.replot(QCustomPlot::rpImmediateRefresh);
        redraw.push_back(double(timer.nsecsElapsed()) / 1e6);
        redrawCpu.push_back(threadCpuMs() - cpu0);
        timer.start();
        plot.replot(QCustomPlot::rpImmediateRefresh);
        repaint.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    const QPointF centre = plot.axisRect()->rect().center();
    for (int r = 0; r < repeat; ++r) {
        // One wheel notch in (even steps) or out, at the centre of the matrix.
        const int delta = r % 2 == 0 ? 120 : -120;
        QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        const double cpu0 = threadCpuMs();
        timer.start();
        QApplication::sendEvent(&plot, &wheel);
        plot.replot(QCustomPlot::rpImmediateRefresh); // what the queued replot does at the next frame
        zoom.push_back(double(timer.nsecsElapsed()) / 1e6);
        zoomCpu.push_back(threadCpuMs() - cpu0);
    }
    // Zoomed in 4× (the typical state while panning), then dragged 40 px at a time.
    for (int k = 0; k < 4; ++k) {
        QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&plot, &wheel);
    }
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QMouseEvent press(QEvent::MouseButtonPress, centre, plot.mapToGlobal(centre), Qt::LeftButton, Qt::LeftButton,
                      Qt::NoModifier);
    QApplication::sendEvent(&plot, &press);
    QPointF at = centre;
    for (int r = 0; r < repeat; ++r) {
        at += QPointF(r % 20 < 10 ? 8.0 : -8.0, r % 20 < 10 ? 6.0 : -6.0);
        QMouseEvent move(QEvent::MouseMove, at, plot.mapToGlobal(at), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        const double cpu0 = threadCpuMs();
        timer.start();
        QApplication::sendEvent(&plot, &move);
        plot.replot(QCustomPlot::rpImmediateRefresh);
        pan.push_back(double(timer.nsecsElapsed()) / 1e6);
        panCpu.push_back(threadCpuMs() - cpu0);
    }
    QMouseEvent release(QEvent::MouseButtonRelease, at, plot.mapToGlobal(at), Qt::LeftButton, Qt::NoButton,
                        Qt::NoModifier);
    QApplication::sendEvent(&plot, &release);
    report("set data (placeCells + ticks)", setData);
    report("redraw: new 2048-token head, data + replot", redraw);
    report("repaint: replot, same data", repaint);
    report("zoom: one wheel step + replot", zoom);
    report("pan: one drag step (zoomed 4x) + replot", pan);
    std::printf("GUI-thread CPU time (less sensitive to other jobs on the machine):\n");
    report("  redraw", redrawCpu);
    report("  zoom step", zoomCpu);
    report("  pan step", panCpu);
    std::printf("visible after pan: keys [%.1f, %.1f], queries [%.1f, %.1f]\n", plot.xAxis->range().lower,
                plot.xAxis->range().upper, plot.yAxis->range().lower, plot.yAxis->range().upper);
    return 0;
}
