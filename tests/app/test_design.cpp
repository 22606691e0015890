// The design pass of issue #23 driven offscreen: the view registry (every view a tab with its
// action, name and guide; the entropy strip equal to core's row entropies), masked cells drawn
// as masked rather than as weight 0, and what the views say about their rows and scales.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/alignment_view.h"
#include "app/step_through_view.h"
#include "app/timeline_view.h"
#include "app/view_page.h"
#include "core/analysis/head_stats.h"
#include "core/inference.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <QtTest>
#include <QtWidgets>

#include <cmath>

using namespace attnscope;

namespace {

RunResult expectedRun(const QString& path, const std::string& text, bool generate = false)
{
    const Transformer t(loadModel(path.toStdString()));
    RunOptions o;
    o.text = text;
    o.generate = generate;
    o.topK = 10;
    return runModel(t, o);
}

// The colour the plot shows at cell (key, query), from a rendering of the whole widget.
QColor pixelAt(HeatmapPlot* plot, int key, int query)
{
    const QImage image = plot->toPixmap(plot->width(), plot->height(), 1.0).toImage();
    const QPoint p(int(plot->xAxis->coordToPixel(key)), int(plot->yAxis->coordToPixel(query)));
    return image.pixelColor(p);
}

int distance(const QColor& a, const QColor& b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

} // namespace

class TestDesign : public test::WindowTest {
    Q_OBJECT
private slots:
    void initTestCase();
    void everyRegisteredViewIsATabWithItsAction();
    void entropyStripEqualsCore();
    void maskedCellsAreNotWeightZero();
    void decoderRowsReadAndProduceEverywhere();
    void timelineHidesWhatIsNotDecodedYet();
    void guideFollowsTheTab();
    void opensSizedToItsScreenAndMarksItsModel();
    void fitsIn1024By700();
    void rolloutSaysOnceWhyNotCross();

private:
    QTemporaryDir m_dir;
    QString m_encdec, m_decoder, m_encoder;
};

void TestDesign::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_encdec = test::writeFile(m_dir.filePath("encdec.json"), test::appModel("encoder-decoder").dump());
    m_decoder = test::writeFile(m_dir.filePath("decoder.json"), test::appModel("decoder").dump());
    m_encoder = test::writeFile(m_dir.filePath("encoder.json"), test::appModel("encoder").dump());
}

void TestDesign::everyRegisteredViewIsATabWithItsAction()
{
    auto* tabs = m_window->findChild<QTabWidget*>("viewTabs");
    QCOMPARE(tabs->count(), int(viewRegistry().size()));
    QCOMPARE(int(m_window->pages().size()), tabs->count());
    QSet<QString> names;
    for (int i = 0; i < tabs->count(); ++i) {
        const ViewPage& page = *m_window->pages()[size_t(i)];
        QCOMPARE(tabs->widget(i), page.widget());
        QCOMPARE(tabs->tabText(i), page.title());
        QVERIFY2(!names.contains(page.name()), qPrintable(page.name()));
        names.insert(page.name());
        QVERIFY(!page.guide().isEmpty());
        auto* action = m_window->findChild<QAction*>(QStringLiteral("view-") + page.name());
        QVERIFY2(action, qPrintable(page.name()));
        action->trigger();
        QCOMPARE(tabs->currentIndex(), i);
        QCOMPARE(m_window->viewName(), page.name());
        if (i < 9) QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    // The names session files use stay what they were.
    for (const char* n : {"head", "overview", "alignment", "step-through", "census", "ablation", "rollout", "compare",
                          "timeline", "entropy"})
        QVERIFY2(names.contains(QString::fromLatin1(n)), n);
}

void TestDesign::entropyStripEqualsCore()
{
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setView(MainWindow::View::Entropy);
    waitIdle();
    const RunResult expected = expectedRun(m_decoder, "bad cafe");
    auto* strip = m_window->findChild<QWidget*>("entropyStrip");
    QVERIFY(strip);
    for (const HeadSelection sel : {HeadSelection{Stack::Decoder, 0, 0}, HeadSelection{Stack::Decoder, 1, 3},
                                    HeadSelection{Stack::Decoder, 1, kMeanOfHeads}}) {
        m_window->setSelection(sel);
        const LayerTrace& layer = expected.trace.decoder[size_t(sel.layer)];
        const MatrixRM w = sel.head == kMeanOfHeads ? meanOfHeads(layer) : layer.heads[size_t(sel.head)].weights;
        const std::vector<double> want = rowEntropies(w);
        const QVariantList drawn = strip->property("rowEntropies").toList();
        QCOMPARE(drawn.size(), int(want.size()));
        for (int i = 0; i < drawn.size(); ++i) QCOMPARE(drawn[i].toDouble(), want[size_t(i)]);
        // Causal row 0 sees one key: entropy 0.
        QCOMPARE(drawn[0].toDouble(), 0.0);
    }
    // It exports like any view.
    const QString path = m_dir.filePath("entropy.png");
    QCOMPARE(m_window->exportCurrentView(path), QString());
    QVERIFY(!QImage(path).isNull());
}

void TestDesign::maskedCellsAreNotWeightZero()
{
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setView(MainWindow::View::Head);
    waitIdle();
    HeatmapPlot* plot = m_window->headPlot();
    QVERIFY(plot->slice().causal);
    QVERIFY(plot->maskedRegion()->visible());
    QVERIFY(plot->maskLegend().contains(QStringLiteral("masked")));
    QVERIFY(plot->cellText(0, 1).contains(QStringLiteral("masked")));
    QVERIFY(!plot->cellText(1, 0).contains(QStringLiteral("masked")));
    // Drawn: a masked cell is grey, far from the colour map's colour for 0; an allowed cell keeps
    // the colour of its weight.
    QCPColorGradient gradient = colormap(plot->colormapName());
    const QColor zero = QColor::fromRgb(gradient.color(0.0, QCPRange(0.0, 1.0)));
    const QColor masked = pixelAt(plot, 1, 0);
    QVERIFY2(distance(masked, zero) > 120, qPrintable(masked.name() + " vs " + zero.name()));
    QVERIFY(distance(masked, HeatmapPlot::maskedColor(plot->palette())) < 90);
    const double w = plot->colorMap()->data()->cell(0, 1); // query 1, key 0
    const QColor allowed = QColor::fromRgb(gradient.color(w, QCPRange(0.0, 1.0)));
    QVERIFY(distance(pixelAt(plot, 0, 1), allowed) < 12);
    // An encoder has no causal mask: nothing is hatched, no legend line.
    QVERIFY(m_window->openModel(m_encoder));
    waitIdle();
    QVERIFY(!plot->slice().causal);
    QVERIFY(!plot->maskedRegion()->visible());
    QVERIFY(plot->maskLegend().isEmpty());
}

void TestDesign::decoderRowsReadAndProduceEverywhere()
{
    // The shipped date normaliser: row 0 of the cross map reads <s> and produces the first
    // output character; every view that labels those rows says so, the same way.
    const QString path = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QVERIFY(m_window->openModel(path));
    waitIdle();
    const RunResult& r = *m_window->result();
    QVERIFY(r.outputTokens.size() == r.targetTokens.size() && !r.outputTokens.empty());
    QStringList want;
    for (size_t i = 0; i < r.outputTokens.size(); ++i)
        want << tokenLabel(r.targetTokens[i]) + QChar(0x2192) + tokenLabel(r.outputTokens[i]);
    QVERIFY(want[0].startsWith(QStringLiteral("<s>\u2192")));
    for (const Stack s : {Stack::Cross, Stack::Decoder}) {
        m_window->setSelection({s, 0, 0});
        m_window->setView(MainWindow::View::Head);
        QCOMPARE(m_window->headPlot()->slice().queryLabels, want);
        QVERIFY(m_window->headPlot()->yAxis->label().contains(QStringLiteral("reads \u2192 produces")));
        m_window->setView(MainWindow::View::StepThrough);
        QCOMPARE(m_window->stepThroughView()->queryLabels(), want);
        m_window->setView(MainWindow::View::Alignment);
        QCOMPARE(m_window->alignmentView()->rightLabels(), want);
    }
    // Encoder rows are their own tokens.
    m_window->setSelection({Stack::Encoder, 0, 0});
    m_window->setView(MainWindow::View::Head);
    QCOMPARE(m_window->headPlot()->slice().queryLabels, tokenLabels(r.sourceTokens));
    QCOMPARE(m_window->headPlot()->yAxis->label(), QStringLiteral("query"));
}

void TestDesign::timelineHidesWhatIsNotDecodedYet()
{
    QVERIFY(m_window->openModel(m_decoder));
    m_window->findChild<QCheckBox*>("generateCheck")->setChecked(true);
    m_window->setView(MainWindow::View::Timeline);
    waitIdle();
    TimelineView* t = m_window->timelineView();
    QVERIFY(t->stepCount() > 1);
    // At step 0 and at the last step: rows (and keys) after the step's row carry no token.
    for (const int step : {0, t->stepCount() - 1}) {
        t->setStep(step);
        const int row = t->timeline().steps[size_t(step)].row;
        const AttentionSlice& s = t->selfPlot()->slice();
        QVERIFY(row + 1 < s.queryLabels.size() || step > 0);
        for (int i = 0; i < s.queryLabels.size(); ++i) {
            const bool future = i > row;
            QVERIFY2((s.queryLabels[i] == QStringLiteral("\u00B7")) == future, qPrintable(s.queryLabels[i]));
            QVERIFY((s.keyLabels[i] == QStringLiteral("\u00B7")) == future);
        }
    }
}

void TestDesign::guideFollowsTheTab()
{
    auto* guide = m_window->findChild<QAction*>(QStringLiteral("actionGuide"));
    QVERIFY(guide);
    QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
    for (const MainWindow::View v : {MainWindow::View::Census, MainWindow::View::StepThrough}) {
        m_window->setView(v);
        guide->trigger();
        auto* box = m_window->findChild<QMessageBox*>(QStringLiteral("guideBox"));
        QVERIFY(box && box->isVisible());
        QVERIFY(box->text().contains(m_window->page(v)->guide()));
    }
    // The census guide defines its statistics (DOMAIN.md's definitions).
    QVERIFY(m_window->page(MainWindow::View::Census)->guide().contains(QStringLiteral("\u2212\u03A3 A ln A")));
}

void TestDesign::opensSizedToItsScreenAndMarksItsModel()
{
    // A first start (no saved geometry): as large as the screen allows, never below 1024 × 700.
    QSettings().remove(QStringLiteral("window/geometry"));
    MainWindow fresh;
    const QSize avail = fresh.screen()->availableGeometry().size();
    QVERIFY(fresh.width() >= 1024 && fresh.height() >= 700);
    QVERIFY2(fresh.width() <= std::max(avail.width(), 1024) && fresh.height() <= std::max(avail.height(), 700),
             qPrintable(QStringLiteral("%1x%2 on %3x%4, minimum %5x%6")
                            .arg(fresh.width())
                            .arg(fresh.height())
                            .arg(avail.width())
                            .arg(avail.height())
                            .arg(fresh.minimumSizeHint().width())
                            .arg(fresh.minimumSizeHint().height())));
    QVERIFY(fresh.width() >= std::min(avail.width(), int(avail.width() * 0.9)) || fresh.width() == 1024);
    // The Models menu ticks the model shown, and only it.
    const QString path = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QVERIFY(m_window->openModel(path));
    auto* menu = m_window->findChild<QMenu*>(QStringLiteral("menuModels"));
    int checked = 0, checkable = 0;
    for (QAction* a : menu->actions()) {
        checkable += a->isCheckable();
        if (a->isChecked()) {
            ++checked;
            QCOMPARE(QFileInfo(a->statusTip()).canonicalFilePath(), QFileInfo(path).canonicalFilePath());
        }
    }
    QVERIFY(checkable > 1);
    QCOMPARE(checked, 1);
    QVERIFY(m_window->openModel(m_decoder)); // not a bundled model: nothing ticked
    for (QAction* a : menu->actions()) QVERIFY(!a->isChecked());
}

void TestDesign::fitsIn1024By700()
{
    // The smallest window the layouts are made for: nothing forces it wider or taller, and the
    // Output dock keeps both columns of its predictions (token and probability) readable.
    const QString path = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QVERIFY(m_window->openModel(path));
    waitIdle();
    m_window->resize(1024, 700);
    int titled = 0;
    for (size_t i = 0; i < m_window->pages().size(); ++i) {
        m_window->setView(MainWindow::View(i));
        QApplication::processEvents();
        QVERIFY2(m_window->minimumSizeHint().width() <= 1024 && m_window->minimumSizeHint().height() <= 700,
                 qPrintable(QStringLiteral("%1: minimum %2x%3 (central %4, model %5, output %6)")
                                .arg(m_window->pages()[i]->name())
                                .arg(m_window->minimumSizeHint().width())
                                .arg(m_window->minimumSizeHint().height())
                                .arg(m_window->centralWidget()->minimumSizeHint().width())
                                .arg(m_window->findChild<QDockWidget*>("modelDock")->minimumSizeHint().width())
                                .arg(m_window->findChild<QDockWidget*>("outputDock")->minimumSizeHint().width())));
        QCOMPARE(m_window->size(), QSize(1024, 700));
        // Heatmap titles fit their plots (shortened, whole on hover) instead of overflowing both edges.
        for (HeatmapPlot* plot : m_window->findChildren<HeatmapPlot*>()) {
            if (!plot->isVisible() || plot->slice().empty()) continue;
            ++titled;
            QVERIFY2(QFontMetrics(QFont(plot->font().family(), plot->font().pointSize() + 1, QFont::Bold))
                             .horizontalAdvance(plot->shownTitle()) <=
                         plot->width() - plot->colorScale()->outerRect().width(),
                     qPrintable(plot->shownTitle()));
            QVERIFY(plot->slice().title.startsWith(plot->shownTitle().chopped(1)) ||
                    plot->shownTitle() == plot->slice().title);
        }
    }
    QVERIFY(titled >= 4); // head, rollout, compare's and the timeline's plots were measured
    auto* table = m_window->findChild<QTableWidget*>("predictionsTable");
    QVERIFY(table->isVisible());
    QVERIFY(table->height() >= 5 * table->verticalHeader()->defaultSectionSize());
    const QFontMetrics fm(table->font());
    QVERIFY2(table->columnWidth(1) >= fm.horizontalAdvance(QStringLiteral("0.000")) + 8,
             qPrintable(QString::number(table->columnWidth(1))));
    QTRY_VERIFY2(table->columnWidth(0) + table->columnWidth(1) <= table->viewport()->width() + 1,
                 qPrintable(QStringLiteral("%1 + %2 > %3")
                                .arg(table->columnWidth(0))
                                .arg(table->columnWidth(1))
                                .arg(table->viewport()->width())));
}

void TestDesign::rolloutSaysOnceWhyNotCross()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setSelection({Stack::Cross, 0, 0});
    m_window->setView(MainWindow::View::Rollout);
    auto* plot = m_window->findChild<HeatmapPlot*>("aggregatePlot");
    auto* empty = m_window->findChild<QLabel*>("aggregateEmpty");
    auto* note = m_window->findChild<QLabel*>("aggregateNote");
    // No empty plot with stale axes: one message, naming the stacks that work.
    QVERIFY(!plot->isVisible());
    QVERIFY(empty->isVisible());
    QVERIFY(empty->text().contains(QStringLiteral("encoder self-attention")));
    QVERIFY(empty->text().contains(QStringLiteral("decoder self-attention")));
    QVERIFY(!note->text().contains(QStringLiteral("choose the encoder")));
    // The formula uses A′, which no font renders like a bar.
    QVERIFY(note->text().contains(QStringLiteral("A\u2032_l")));
    QVERIFY(!note->text().contains(QChar(0x00C2)));
    m_window->setSelection({Stack::Encoder, 0, 0});
    QVERIFY(plot->isVisible());
    QVERIFY(!empty->isVisible());
    QVERIFY(!plot->slice().empty());
}

int main(int argc, char** argv) { return test::runGuiTest<TestDesign>(argc, argv); }

#include "test_design.moc"
