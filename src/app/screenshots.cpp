// See screenshots.h.
#include "app/screenshots.h"

#include "app/alignment_view.h"
#include "app/census_view.h"
#include "app/compare_view.h"
#include "app/rollout_view.h"
#include "app/step_through_view.h"
#include "app/timeline_view.h"
#include "app/main_window.h"
#include "render/image_export.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QStatusBar>
#include <QDockWidget>
#include <QImage>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <limits>

namespace attnscope {

namespace {

bool savePng(const QImage& image, const QString& path)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    const QString error = image.isNull() ? QStringLiteral("%1: empty image").arg(path) : writeFileAtomically(path, bytes);
    if (!error.isEmpty()) std::fprintf(stderr, "attnscope: %s\n", qPrintable(error));
    else std::printf("%s\n", qPrintable(QDir::toNativeSeparators(path)));
    return error.isEmpty();
}

// Lets the runner deliver the newest result (runs after an ablation change) and, for long
// inputs, the heads the shown view has recomputed.
void waitForRun(MainWindow& window)
{
    QApplication::processEvents();
    while (!window.runner()->isIdle() || !window.runner()->sliceIdle()) {
        QApplication::processEvents();
        QThread::msleep(5);
    }
    QApplication::processEvents();
}

} // namespace

bool saveScreenshots(MainWindow& window, const QString& directory)
{
    QDir().mkpath(directory);
    const QDir dir(directory);
    const MainWindow::View original = window.view();
    bool ok = true;
    struct Shot {
        MainWindow::View view;
        const char* file;
    };
    for (const Shot& shot : {Shot{MainWindow::View::Head, "head-view.png"}, Shot{MainWindow::View::Overview, "overview.png"},
                             Shot{MainWindow::View::Alignment, "alignment.png"}}) {
        window.setView(shot.view);
        // The alignment shot shows every head of the layer, each in its colour (its chips all on).
        if (shot.view == MainWindow::View::Alignment) {
            AlignmentView* a = window.alignmentView();
            for (int h = 0; h < a->headCount(); ++h) a->setHeadVisible(h, true);
        }
        waitForRun(window);
        ok = window.exportCurrentView(dir.filePath(QString::fromLatin1(shot.file)), 1.0).isEmpty() && ok;
        if (ok) std::printf("%s\n", qPrintable(QDir::toNativeSeparators(dir.filePath(QString::fromLatin1(shot.file)))));
    }
    window.setView(original);
    waitForRun(window);
    window.statusBar()->clearMessage(); // not "Saved /path/alignment.png" from the exports above
    window.repaint();
    ok = savePng(window.grab().toImage(), dir.filePath(QStringLiteral("main-window.png"))) && ok;

    // Teaching and analysis views: whole tabs (controls and explanation included).
    const HeadSelection selection = window.selection();
    HeadSelection one = selection;
    if (one.head == kMeanOfHeads) one.head = 0;
    window.setSelection(one);
    // The docks make room for the teaching views, which need the width.
    QList<QDockWidget*> docks = window.findChildren<QDockWidget*>();
    // Shown again with the Model dock in front of the Notes tabbed with it (showing a tabbed dock
    // brings it to the front).
    auto showDocks = [&] {
        for (QDockWidget* d : docks) d->show();
        if (auto* model = window.findChild<QDockWidget*>(QStringLiteral("modelDock"))) model->raise();
        QApplication::processEvents();
    };
    for (QDockWidget* d : docks) d->hide();
    window.setView(MainWindow::View::StepThrough);
    waitForRun(window);
    ok = savePng(window.stepThroughView()->grab().toImage(), dir.filePath(QStringLiteral("step-through.png"))) && ok;
    {
        // The query/key vector view of the same head, for its first query (for the date normalizer's
        // cross-attention: the step that writes the year's first digit), its strongest key outlined.
        StepThroughView* step = window.stepThroughView();
        const auto cell = step->selectedCell();
        step->setPanel(StepThroughView::Panel::Neuron);
        if (const StepThrough* s = step->steps(); s && s->weights.rows() > 0) {
            Eigen::Index best = 0;
            s->weights.row(0).maxCoeff(&best);
            step->selectCell(0, int(best));
        }
        QApplication::processEvents();
        ok = savePng(step->grab().toImage(), dir.filePath(QStringLiteral("neuron-view.png"))) && ok;
        step->setPanel(StepThroughView::Panel::Steps);
        step->selectCell(cell.first, cell.second);
    }
    window.setView(MainWindow::View::Census);
    waitForRun(window); // the census is computed when its tab opens
    ok = savePng(window.censusView()->grab().toImage(), dir.filePath(QStringLiteral("census.png"))) && ok;
    showDocks();
    // Ablation: switch off the two most important heads of the stack; the whole window shows
    // the map with them crossed out next to the changed output.
    if (const auto analysis = window.analysis()) {
        if (const MatrixRM* imp = analysis->importanceOf(one.stack)) {
            MatrixRM left = *imp;
            for (int k = 0; k < 2 && left.size() > 0; ++k) {
                Eigen::Index l = 0, h = 0;
                left.maxCoeff(&l, &h);
                left(l, h) = -std::numeric_limits<float>::infinity();
                window.setHeadAblated(one.stack, int(l), int(h), true);
            }
        }
    }
    window.setView(MainWindow::View::Ablation);
    waitForRun(window);
    window.repaint();
    ok = savePng(window.grab().toImage(), dir.filePath(QStringLiteral("ablation.png"))) && ok;
    window.clearAblation();
    waitForRun(window);
    // Rollout follows a self-attention stack: the first one (encoder, or a decoder-only model's).
    if (window.result() && !availableStacks(window.result()->trace).empty())
        window.setSelection({availableStacks(window.result()->trace).front(), 0, one.head});
    window.setView(MainWindow::View::Rollout);
    waitForRun(window);
    ok = savePng(window.rolloutView()->grab().toImage(), dir.filePath(QStringLiteral("rollout.png"))) && ok;

    // Compare and timeline, without the docks for width. Compare: B changes one word of A (the
    // month, for the date normalizer's example) and shows the head that changed most.
    for (QDockWidget* d : docks) d->hide();
    window.setSelection(one);
    window.setView(MainWindow::View::Compare);
    QApplication::processEvents();
    CompareView* compare = window.compareView();
    QString b = compare->textB();
    if (b.contains(QLatin1String("November"))) b.replace(QLatin1String("November"), QLatin1String("December"));
    compare->setTextB(b);
    waitForRun(window);
    while (!compare->isIdle()) {
        QApplication::processEvents();
        QThread::msleep(5);
    }
    QApplication::processEvents();
    if (compare->aligned() && compare->headChanges().layer >= 0)
        window.setSelection({one.stack, compare->headChanges().layer, compare->headChanges().head});
    QApplication::processEvents();
    ok = savePng(compare->grab().toImage(), dir.filePath(QStringLiteral("compare.png"))) && ok;
    window.setSelection(one);
    window.setView(MainWindow::View::Timeline);
    waitForRun(window);
    window.timelineView()->setStep(std::min(5, std::max(0, window.timelineView()->stepCount() - 1)));
    QApplication::processEvents();
    ok = savePng(window.timelineView()->grab().toImage(), dir.filePath(QStringLiteral("timeline.png"))) && ok;
    showDocks();

    // Every registered view at the smallest and a large window size, the whole window each time
    // (docs/images/views/<view>-<width>x<height>.png): what a class sees, docks included.
    const QSize windowSize = window.size();
    QDir().mkpath(dir.filePath(QStringLiteral("views")));
    for (const QSize size : {QSize(1024, 700), QSize(1920, 1080)}) {
        window.resize(size);
        for (size_t i = 0; i < window.pages().size(); ++i) {
            window.setView(MainWindow::View(i));
            waitForRun(window);
            window.statusBar()->clearMessage();
            window.repaint();
            const QString file = QStringLiteral("views/%1-%2x%3.png")
                                     .arg(window.pages()[i]->name())
                                     .arg(size.width())
                                     .arg(size.height());
            ok = savePng(window.grab().toImage(), dir.filePath(file)) && ok;
        }
    }
    window.resize(windowSize);
    window.setSelection(selection);
    window.setView(original);
    return ok;
}

} // namespace attnscope
