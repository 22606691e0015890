// The design pass of issue #23 driven offscreen: the view registry (every view a tab with its
// action, name and guide; the entropy strip equal to core's row entropies), masked cells drawn
// as masked rather than as weight 0, and what the views say about their rows and scales.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/alignment_view.h"
#include "app/compare_view.h"
#include "app/model_panel.h"
#include "app/overview_view.h"
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
    void groupedQueryHeadsShowTheirKvGroup();
    void modelPanelBreaksNoWord_data();
    void modelPanelBreaksNoWord();
    void compareMapsKeepTheirSize_data();
    void compareMapsKeepTheirSize();

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
            // (wrapped onto a second line where one is too short: each line fits)
            for (const QString& line : plot->shownTitle().split(QLatin1Char('\n')))
                QVERIFY2(QFontMetrics(QFont(plot->font().family(), plot->font().pointSize() + 1, QFont::Bold))
                                 .horizontalAdvance(line) <= plot->width() - plot->colorScale()->outerRect().width(),
                         qPrintable(plot->shownTitle()));
            QString joined = plot->shownTitle();
            joined.replace(QLatin1Char('\n'), QLatin1Char(' '));
            QVERIFY(plot->slice().title.startsWith(joined.chopped(1)) || joined == plot->slice().title);
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
    QCOMPARE(empty->text().count(QStringLiteral("hoose"), Qt::CaseInsensitive), 1); // said once (it was twice)
    QVERIFY(!note->text().contains(QStringLiteral("choose the encoder")));
    // The formula uses A′, which no font renders like a bar.
    QVERIFY(note->text().contains(QStringLiteral("A\u2032_l")));
    QVERIFY(!note->text().contains(QChar(0x00C2)));
    m_window->setSelection({Stack::Encoder, 0, 0});
    QVERIFY(plot->isVisible());
    QVERIFY(!empty->isVisible());
    QVERIFY(!plot->slice().empty());
}

void TestDesign::groupedQueryHeadsShowTheirKvGroup()
{
    // Llama-layout fixture: 4 query heads over 2 key-value heads (issue 17). Every query head
    // keeps its own map; its title and the overview's tooltips name the group it shares.
    const QString llama = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/llama-gqa");
    QVERIFY(m_window->openModel(llama));
    const ModelConfig c = m_window->model()->config; // a copy: the model is replaced below
    QCOMPARE(c.nHeads, 4);
    QCOMPARE(c.kvHeads(), 2);
    m_window->setInputText(QStringLiteral("#1 #5 #7 #9 #11"));
    m_window->setView(MainWindow::View::Head);
    waitIdle();
    const QString panel = m_window->findChild<QTextBrowser*>("modelInfo")->toPlainText();
    QVERIFY2(panel.contains(QStringLiteral("pre-RMSNorm \u00B7 rotary (\u03B8 10,000) \u00B7 SwiGLU \u00B7 "
                                           "4 query / 2 key-value heads (GQA)")),
             qPrintable(panel));
    QVERIFY(panel.contains(QStringLiteral("2 query heads per key-value head")));
    const QString dash = QStringLiteral("\u2013");
    const struct {
        int head;
        QString group;
    } cases[] = {{0, "kv group 0 (shared with heads 0" + dash + "1)"},
                 {1, "kv group 0 (shared with heads 0" + dash + "1)"},
                 {2, "kv group 1 (shared with heads 2" + dash + "3)"},
                 {3, "kv group 1 (shared with heads 2" + dash + "3)"}};
    for (const auto& k : cases) {
        m_window->setSelection({Stack::Decoder, 1, k.head});
        const QString title = m_window->headPlot()->slice().title;
        QVERIFY2(title.endsWith(QStringLiteral("head %1 \u00B7 ").arg(k.head) + k.group), qPrintable(title));
        // Its own matrix: the head's weights, not its group's.
        QVERIFY(test::sameMatrix(m_window->headPlot()->slice().weights,
                                 m_window->result()->trace.decoder[1].heads[size_t(k.head)].weights));
        QCOMPARE(m_window->headPlot()->shownTitle(), title); // fits at 1280 × 800
    }
    m_window->setSelection({Stack::Decoder, 1, kMeanOfHeads});
    QVERIFY(!m_window->headPlot()->slice().title.contains(QStringLiteral("kv group")));
    m_window->setView(MainWindow::View::Overview);
    QApplication::processEvents();
    OverviewView* overview = m_window->overviewView();
    for (const auto& k : cases) {
        const QString thumb = overview->toolTipAt(overview->thumbnailRect(1, k.head, overview->size()).center());
        QVERIFY2(thumb.contains(QStringLiteral("head %1").arg(k.head)) && thumb.contains(k.group), qPrintable(thumb));
        const QString name = overview->toolTipAt(overview->headNameRect(k.head, overview->size()).center());
        QVERIFY2(name.startsWith(QStringLiteral("head %1").arg(k.head)) && name.contains(k.group), qPrintable(name));
    }
    QVERIFY(!overview->toolTipAt(overview->thumbnailRect(0, kMeanOfHeads, overview->size()).center())
                 .contains(QStringLiteral("kv group")));

    // GPT-NeoX (Pythia): every head has its own keys and values; partial rotary, parallel residual.
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/neox-pythia")));
    m_window->setInputText(QStringLiteral("#1 #5 #7"));
    m_window->setView(MainWindow::View::Head);
    waitIdle();
    const QString neox = m_window->findChild<QTextBrowser*>("modelInfo")->toPlainText();
    QVERIFY2(neox.contains(QStringLiteral("pre-LayerNorm \u00B7 rotary (\u03B8 10,000, 25 % of d_head) \u00B7 "
                                          "GELU MLP \u00B7 parallel residual \u00B7 4 heads")),
             qPrintable(neox));
    QVERIFY(!neox.contains(QStringLiteral("GQA")));
    m_window->setSelection({Stack::Decoder, 0, 2});
    QVERIFY(!m_window->headPlot()->slice().title.contains(QStringLiteral("kv group")));
    m_window->setView(MainWindow::View::Overview);
    QApplication::processEvents();
    QVERIFY(!overview->toolTipAt(overview->thumbnailRect(0, 2, overview->size()).center()).contains(QStringLiteral("kv")));
    // Multi-query: one key-value head for all.
    ModelConfig mqa = c;
    mqa.nKvHeads = 1;
    QVERIFY(architectureSummary(mqa).endsWith(QStringLiteral("4 query / 1 key-value head (MQA)")));
    QCOMPARE(kvGroupText(mqa, 3), "kv group 0 (shared with heads 0" + dash + "3)");
}

void TestDesign::modelPanelBreaksNoWord_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("date-normalizer") << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QTest::newRow("tiny-lm") << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/tiny-lm.json");
    QTest::newRow("llama-gqa") << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/llama-gqa");
    QTest::newRow("gpt2-kjv") << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/gpt2-kjv");
}

void TestDesign::modelPanelBreaksNoWord()
{
    // At 1024 × 700 the Model dock wraps its text between words only: no line of the summary ends
    // inside a word ("Wednesda|y", "Parameter|s"), nothing is wider than the panel, and the
    // examples (one line each) are shown whole on hover.
    QFETCH(QString, model);
    if (!QFileInfo::exists(model)) QSKIP("model not shipped in this tree");
    m_window->resize(1024, 700);
    QVERIFY(m_window->openModel(model));
    waitIdle();
    QApplication::processEvents();
    auto* info = m_window->findChild<QTextBrowser*>("modelInfo");
    QVERIFY(info->isVisible());
    QTextDocument* doc = info->document();
    const int width = info->viewport()->width();
    QVERIFY2(doc->idealWidth() <= width + 1, qPrintable(QStringLiteral("%1 > %2").arg(doc->idealWidth()).arg(width)));
    // A break inside a word: the line ends on a letter or digit and the next starts with one.
    auto wordChar = [](QChar ch) { return ch.isLetterOrNumber() || ch == QLatin1Char('_'); };
    int lines = 0;
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        const QTextLayout* layout = b.layout();
        const QString text = b.text();
        for (int i = 0; i + 1 < layout->lineCount(); ++i) {
            ++lines;
            const int end = layout->lineAt(i).textStart() + layout->lineAt(i).textLength();
            QVERIFY2(end <= 0 || end >= text.size() || !(wordChar(text[end - 1]) && wordChar(text[end])),
                     qPrintable(QStringLiteral("\"%1|%2\"").arg(text.left(end).right(12), text.mid(end, 12))));
        }
    }
    QVERIFY(lines > 3); // it did wrap: the test measured something
    auto* examples = m_window->findChild<QListWidget*>("examplesList");
    for (int i = 0; i < examples->count(); ++i)
        QVERIFY(examples->item(i)->toolTip().startsWith(examples->item(i)->text()));
}

void TestDesign::compareMapsKeepTheirSize_data()
{
    QTest::addColumn<QSize>("window");
    QTest::addColumn<int>("columns"); // maps side by side at that size
    QTest::newRow("1024x700") << QSize(1024, 700) << 1;
    QTest::newRow("1280x800") << QSize(1280, 800) << 1;
    QTest::newRow("1920x1080") << QSize(1920, 1080) << 3;
}

void TestDesign::compareMapsKeepTheirSize()
{
    // Compare's A, B and A − B never shrink below CompareView::minimumPlotSize(): they reflow
    // (three, two or one in a row) and the page scrolls; each map's cells keep at least
    // 200 × 120 px between its labels and colour bar (they were about 40 px wide at 1024 × 700).
    QFETCH(QSize, window);
    QFETCH(int, columns);
    m_window->resize(window);
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json")));
    m_window->setSelection({Stack::Cross, 0, 0});
    m_window->setView(MainWindow::View::Compare);
    CompareView* compare = m_window->compareView();
    compare->setTextB(compare->textB().replace(QStringLiteral("November"), QStringLiteral("December")));
    waitIdle();
    QTRY_VERIFY(compare->isIdle() && compare->aligned() && compare->difference().size() > 0);
    QApplication::processEvents();
    QCOMPARE(m_window->size(), window);
    QCOMPARE(compare->plotColumns(), columns);
    for (HeatmapPlot* plot : {compare->plotA(), compare->plotB(), compare->plotDifference()}) {
        QVERIFY(plot->isVisible());
        QVERIFY2(plot->width() >= CompareView::minimumPlotSize().width() &&
                     plot->height() >= CompareView::minimumPlotSize().height(),
                 qPrintable(QStringLiteral("%1: %2x%3").arg(plot->objectName()).arg(plot->width()).arg(plot->height())));
        const QRect cells = plot->axisRect()->rect();
        QVERIFY2(cells.width() >= 200 && cells.height() >= 120,
                 qPrintable(QStringLiteral("%1: cells %2x%3").arg(plot->objectName()).arg(cells.width()).arg(cells.height())));
        // Nothing is cut at the page's right edge: the page scrolls vertically only.
        const QPoint right = plot->mapTo(compare, QPoint(plot->width(), 0));
        QVERIFY(right.x() <= compare->width());
    }
}

int main(int argc, char** argv) { return test::runGuiTest<TestDesign>(argc, argv); }

#include "test_design.moc"
