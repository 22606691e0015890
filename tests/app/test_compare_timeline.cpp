// The compare and timeline tabs driven offscreen through MainWindow on the shipped models, each
// checked against the engine called directly: typing input B gives A − B cells equal to A's
// weights minus B's; unequal lengths show A and B side by side; B follows the ablated heads;
// scrubbing the timeline to step t shows exactly rows 0..t and the token chosen at t; an
// encoder-only model says there is no decoding.
#include "test_fixtures.h"

#include "app/compare_view.h"
#include "app/head_grid_view.h"
#include "app/timeline_view.h"
#include "core/analysis/compare.h"
#include "core/analysis/head_stats.h"
#include "core/analysis/timeline.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <QtTest>
#include <QtWidgets>

#include <cmath>

using namespace attnscope;
using test::sameMatrix;

namespace {

const QString kModels = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/");

struct Engine {
    std::shared_ptr<const Model> model;
    std::shared_ptr<const Transformer> transformer;
};

Engine engine(const QString& file)
{
    Engine e;
    e.model = loadModel((kModels + file).toStdString());
    e.transformer = std::make_shared<const Transformer>(e.model);
    return e;
}

// The run the window makes for this text (Capture::Full, top 10).
RunResult run(const Engine& e, const QString& text, bool generate = false,
              std::shared_ptr<const HeadAblation> ablation = {})
{
    RunOptions o;
    o.text = text.toStdString();
    o.generate = generate;
    o.topK = 10;
    o.capture = Capture::Full;
    o.ablation = std::move(ablation);
    return runModel(*e.transformer, o);
}

// The cell the plot draws for matrix entry (query i, key j) (placeCells: key on x, query on y).
double drawn(const HeatmapPlot* plot, int i, int j) { return plot->colorMap()->data()->cell(j, i); }

} // namespace

class TestCompareTimeline : public test::WindowTest {
    Q_OBJECT
public:
    TestCompareTimeline() : WindowTest(QSize(1400, 900)) {}

private slots:
    void compareStartsWithACopyOfA();
    void typedBGivesDifferenceOfEngineWeights();
    void clickingTheChangeMapSelectsTheHead();
    void unequalLengthsShowSideBySide();
    void secondInputFollowsAblation();
    void timelineDecoderOnlyScrubsRows();
    void timelineEncoderDecoderShowsCrossRows();
    void timelineEncoderOnlyHasNoDecoding();
    void timelineFramesTheRowsComputedSoFar();
    void timelineColourBarsAreDrawn();
    void bothTabsExport();
    void differenceBarDivergingAndLegible();

private:
    void waitIdle(bool compare);
    void typeB(const QString& text);
    void openCompare(const QString& b = {});
};

void TestCompareTimeline::waitIdle(bool compare)
{
    QTRY_VERIFY_WITH_TIMEOUT(m_window->runner()->isIdle() && (!compare || m_window->compareView()->isIdle()), 30000);
    QVERIFY(m_window->result());
    if (compare) QVERIFY(m_window->compareView()->resultB());
}

void TestCompareTimeline::typeB(const QString& text)
{
    QLineEdit* b = m_window->compareView()->inputB();
    b->setFocus();
    b->selectAll();
    QTest::keyClick(b, Qt::Key_Backspace);
    QTest::keyClicks(b, text);
    QCOMPARE(b->text(), text);
}

// The date normalizer on the compare tab with input A "25th of November 2026"; B typed over
// the copy of A unless `b` is empty.
void TestCompareTimeline::openCompare(const QString& b)
{
    QVERIFY(m_window->openModel(kModels + "date-normalizer.json"));
    m_window->setView(MainWindow::View::Compare);
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    waitIdle(true);
    if (!b.isEmpty()) typeB(b);
}

void TestCompareTimeline::compareStartsWithACopyOfA()
{
    openCompare();
    CompareView* v = m_window->compareView();
    QCOMPARE(v->textB(), QStringLiteral("25th of November 2026"));
    QVERIFY(v->aligned());
    QCOMPARE(v->difference().cwiseAbs().maxCoeff(), 0.0f);
    QVERIFY(v->statusText().contains(QStringLiteral("identically")));
    // B keeps following A until it is edited.
    m_window->setInputText(QStringLiteral("Nov 25, 2026"));
    waitIdle(true);
    QCOMPARE(v->textB(), QStringLiteral("Nov 25, 2026"));
}

void TestCompareTimeline::typedBGivesDifferenceOfEngineWeights()
{
    const Engine e = engine("date-normalizer.json");
    openCompare(QStringLiteral("25th of December 2026"));
    m_window->setSelection({Stack::Cross, 1, 2});
    waitIdle(true);

    const RunResult a = run(e, QStringLiteral("25th of November 2026"));
    const RunResult b = run(e, QStringLiteral("25th of December 2026"));
    CompareView* v = m_window->compareView();
    QVERIFY(v->aligned());
    QVERIFY(v->plotDifference()->isVisible());
    // The source differs in the month's letters; the outputs 2026-11-25 / 2026-12-25 in the month digits.
    QCOMPARE(v->alignment().differingKeys, alignStack(a, b, e.model->config, Stack::Cross).differingKeys);
    QVERIFY(!v->alignment().differingKeys.empty());
    QVERIFY(!v->alignment().differingQueries.empty());

    const MatrixRM expected = a.trace.cross[1].heads[2].weights - b.trace.cross[1].heads[2].weights;
    QVERIFY(expected.cwiseAbs().maxCoeff() > 0.01f);
    QVERIFY(sameMatrix(v->difference(), expected));
    QVERIFY(sameMatrix(v->plotDifference()->slice().weights, expected));
    for (int i = 0; i < expected.rows(); ++i)
        for (int j = 0; j < expected.cols(); ++j)
            QVERIFY(std::abs(drawn(v->plotDifference(), i, j) - double(expected(i, j))) < 1e-6);
    // Symmetric range around 0, as wide as the largest difference.
    const QCPRange range = v->plotDifference()->colorScale()->dataRange();
    QVERIFY(std::abs(range.lower + range.upper) < 1e-9);
    QVERIFY(std::abs(range.upper - double(expected.cwiseAbs().maxCoeff())) < 1e-6);
    QVERIFY(sameMatrix(v->plotA()->slice().weights, a.trace.cross[1].heads[2].weights));
    QVERIFY(sameMatrix(v->plotB()->slice().weights, b.trace.cross[1].heads[2].weights));

    // The per-head map is core's headChanges of the engine's traces.
    const HeadChangeMap changes = headChanges(a.trace, b.trace, Stack::Cross);
    const auto& panels = v->changeMap()->panels();
    QCOMPARE(int(panels.size()), 2);
    QVERIFY(sameMatrix(panels[0].values, changes.meanAbs * 100.0f, 1e-4f)); // percentage points
    QVERIFY(sameMatrix(panels[1].values, changes.maxAbs * 100.0f, 1e-4f));
    QVERIFY(v->statusText().contains(QStringLiteral("layer %1, head %2").arg(changes.layer).arg(changes.head)));

    // Mean of heads.
    m_window->setSelection({Stack::Cross, 0, kMeanOfHeads});
    QVERIFY(sameMatrix(v->difference(), attentionDifference(a.trace, b.trace, Stack::Cross, 0, kCompareMeanOfHeads)));
}

void TestCompareTimeline::clickingTheChangeMapSelectsTheHead()
{
    openCompare(QStringLiteral("25th of December 2026"));
    m_window->setSelection({Stack::Encoder, 0, 0});
    waitIdle(true);
    HeadGridView* map = m_window->compareView()->changeMap();
    QCOMPARE(int(map->panels().size()), 2);
    const QRect cell = map->cellRect(0, 1, 3, map->size());
    QTest::mouseClick(map, Qt::LeftButton, {}, cell.center());
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Encoder, 1, 3}));
    QCOMPARE(m_window->view(), MainWindow::View::Compare);
    const Engine e = engine("date-normalizer.json");
    const RunResult a = run(e, QStringLiteral("25th of November 2026"));
    const RunResult b = run(e, QStringLiteral("25th of December 2026"));
    QVERIFY(sameMatrix(m_window->compareView()->difference(),
                       a.trace.encoder[1].heads[3].weights - b.trace.encoder[1].heads[3].weights));
}

void TestCompareTimeline::unequalLengthsShowSideBySide()
{
    const Engine e = engine("date-normalizer.json");
    openCompare(QStringLiteral("Nov 25, 2026"));
    m_window->setSelection({Stack::Encoder, 0, 1});
    waitIdle(true);
    CompareView* v = m_window->compareView();
    QVERIFY(!v->aligned());
    QVERIFY(v->statusText().contains(QStringLiteral("token sequences differ in length: showing side by side"),
                                     Qt::CaseInsensitive));
    QVERIFY(!v->plotDifference()->isVisible());
    QVERIFY(v->plotA()->isVisible() && v->plotB()->isVisible());
    QCOMPARE(v->difference().size(), Eigen::Index(0));
    QVERIFY(v->changeMap()->panels().empty());
    const RunResult a = run(e, QStringLiteral("25th of November 2026"));
    const RunResult b = run(e, QStringLiteral("Nov 25, 2026"));
    QVERIFY(sameMatrix(v->plotA()->slice().weights, a.trace.encoder[0].heads[1].weights));
    QVERIFY(sameMatrix(v->plotB()->slice().weights, b.trace.encoder[0].heads[1].weights));
    QVERIFY(v->plotA()->slice().weights.rows() != v->plotB()->slice().weights.rows());
}

void TestCompareTimeline::secondInputFollowsAblation()
{
    const Engine e = engine("date-normalizer.json");
    openCompare(QStringLiteral("25th of December 2026"));
    m_window->setHeadAblated(Stack::Encoder, 0, 0, true); // changes the memory every cross head reads
    m_window->setSelection({Stack::Cross, 1, 1});
    waitIdle(true);
    auto ablation = std::make_shared<HeadAblation>();
    ablation->zero(Stack::Encoder, 0, 0, e.model->config.dHead());
    const RunResult b = run(e, QStringLiteral("25th of December 2026"), false, ablation);
    const RunResult intact = run(e, QStringLiteral("25th of December 2026"));
    const auto shownB = m_window->compareView()->resultB();
    QCOMPARE(shownB->outputText, b.outputText);
    QVERIFY(sameMatrix(m_window->compareView()->plotB()->slice().weights, b.trace.cross[1].heads[1].weights));
    // The ablation makes a difference here, so following it is visible.
    QVERIFY(!sameMatrix(b.trace.cross[1].heads[1].weights, intact.trace.cross[1].heads[1].weights));
}

void TestCompareTimeline::timelineDecoderOnlyScrubsRows()
{
    const Engine e = engine("tiny-lm.json");
    QVERIFY(m_window->openModel(kModels + "tiny-lm.json"));
    m_window->setView(MainWindow::View::Timeline);
    m_window->setInputText(QStringLiteral("And God said"));
    waitIdle(false);
    TimelineView* t = m_window->timelineView();
    QVERIFY(t->message().contains(QStringLiteral("Generate")));
    auto* generate = t->findChild<QPushButton*>(QStringLiteral("timelineGenerateButton"));
    QVERIFY(generate && generate->isVisible());
    QTest::mouseClick(generate, Qt::LeftButton);
    waitIdle(false);
    QVERIFY(t->message().isEmpty());

    const RunResult r = run(e, QStringLiteral("And God said"), true);
    QCOMPARE(m_window->result()->targetTokens.size(), r.targetTokens.size());
    QCOMPARE(t->stepCount(), int(r.targetTokens.size()));
    QVERIFY(t->stepCount() > 3);
    QVERIFY(!t->crossPlot()->isVisible());
    m_window->setSelection({Stack::Decoder, 1, 0});
    const MatrixRM& full = r.trace.decoder[1].heads[0].weights;
    const int prompt = int(r.sourceTokens.size());
    // Scrub: the slider to step 2, then the Right key and the Next button to step 4.
    t->slider()->setValue(2);
    QCOMPARE(t->step(), 2);
    t->setFocus();
    QTest::keyClick(t, Qt::Key_Right);
    QCOMPARE(t->step(), 3);
    QTest::mouseClick(t->findChild<QPushButton*>(QStringLiteral("timelineNextButton")), Qt::LeftButton);
    QCOMPARE(t->step(), 4);
    for (const int step : {0, 4, t->stepCount() - 1}) {
        t->setStep(step);
        const int row = prompt - 1 + step;
        const MatrixRM& f = t->selfFrame();
        QCOMPARE(int(f.rows()), int(full.rows()));
        for (int i = 0; i < f.rows(); ++i)
            for (int j = 0; j < f.cols(); ++j) {
                const bool shown = i <= row && j <= row;
                QCOMPARE(std::isnan(f(i, j)), !shown);
                QCOMPARE(std::isnan(drawn(t->selfPlot(), i, j)), !shown);
                if (shown) QVERIFY(std::abs(drawn(t->selfPlot(), i, j) - double(full(i, j))) < 1e-6);
            }
        // The chosen token: the generated token of this step, first among the alternatives.
        const Token& chosen = r.targetTokens[size_t(step)];
        QVERIFY2(t->stepText().contains(QStringLiteral("<b>%1</b>").arg(tokenLabel(chosen).toHtmlEscaped())),
                 qPrintable(t->stepText()));
        QCOMPARE(t->alternatives()->item(0, 0)->text(), tokenLabel(chosen));
        const auto expected = topK(r.logits.row(row), e.model->sourceTokenizer.vocab(), 10);
        QCOMPARE(t->alternatives()->item(0, 1)->text(), QString::number(double(expected[0].probability), 'f', 3));
    }
    // Play animates to the end and stops there.
    t->setStep(t->stepCount() - 2);
    t->setPlaying(true);
    QVERIFY(t->isPlaying());
    QTRY_VERIFY_WITH_TIMEOUT(!t->isPlaying(), 10000);
    QCOMPARE(t->step(), t->stepCount() - 1);
}

void TestCompareTimeline::timelineEncoderDecoderShowsCrossRows()
{
    const Engine e = engine("date-normalizer.json");
    QVERIFY(m_window->openModel(kModels + "date-normalizer.json"));
    m_window->setView(MainWindow::View::Timeline);
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    m_window->setSelection({Stack::Cross, 1, kMeanOfHeads});
    waitIdle(false);
    TimelineView* t = m_window->timelineView();
    const RunResult r = run(e, QStringLiteral("25th of November 2026"));
    QCOMPARE(t->stepCount(), int(r.targetTokens.size()));
    QVERIFY(t->crossPlot()->isVisible());
    const int step = 5; // "2026-" chosen so far; this step chooses the first month digit
    t->setStep(step);
    QCOMPARE(t->timeline().steps[size_t(step)].row, step);
    QVERIFY(t->stepText().contains(QStringLiteral("<b>%1</b>").arg(tokenLabel(r.outputTokens[size_t(step)]))));
    const MatrixRM cross = meanOfHeads(r.trace.cross[1]);
    const MatrixRM& f = t->crossFrame();
    QCOMPARE(f.rows(), cross.rows());
    for (int i = 0; i < f.rows(); ++i)
        for (int j = 0; j < f.cols(); ++j) {
            QCOMPARE(std::isnan(f(i, j)), i > step); // cross keys (the source) all exist
            if (i <= step) QVERIFY(std::abs(f(i, j) - cross(i, j)) < 1e-6f);
        }
    const MatrixRM& s = t->selfFrame();
    QVERIFY(!std::isnan(s(step, step)) && std::isnan(s(step, step + 1)) && std::isnan(s(step + 1, 0)));
}

void TestCompareTimeline::timelineEncoderOnlyHasNoDecoding()
{
    QVERIFY(m_window->openModel(kModels + "tiny-mlm.json"));
    m_window->setView(MainWindow::View::Timeline);
    waitIdle(false);
    TimelineView* t = m_window->timelineView();
    QVERIFY(t->message().contains(QStringLiteral("encoder-only")));
    QCOMPARE(t->stepCount(), 0);
    QVERIFY(!t->selfPlot()->isVisible());
    QVERIFY(!t->findChild<QPushButton*>(QStringLiteral("timelineGenerateButton"))->isVisible());
    auto* message = t->findChild<QLabel*>(QStringLiteral("timelineMessage"));
    QVERIFY(message && message->isVisible());
}

void TestCompareTimeline::timelineFramesTheRowsComputedSoFar()
{
    // Issue 23, defect 6: a long generation (tiny-lm generates up to its max_len, 128) drew every
    // step as the whole 128 × 128 frame, grey but for a corner. Each step frames the rows computed
    // so far (and in self-attention the keys that exist), never fewer than four cells per axis,
    // and labels them.
    QVERIFY(m_window->openModel(kModels + "tiny-lm.json"));
    m_window->setView(MainWindow::View::Timeline);
    m_window->findChild<QCheckBox*>(QStringLiteral("generateCheck"))->setChecked(true);
    m_window->setInputText(QStringLiteral("And God said"));
    waitIdle(false);
    m_window->setSelection({Stack::Decoder, 0, 0});
    TimelineView* t = m_window->timelineView();
    const int n = int(m_window->result()->trace.decoder[0].heads[0].weights.rows());
    QVERIFY2(n >= 64, qPrintable(QString::number(n))); // a long frame
    HeatmapPlot* plot = t->selfPlot();
    for (const int step : {0, 3, 40, t->stepCount() - 1}) {
        t->setStep(step);
        const int row = t->timeline().steps[size_t(step)].row;
        const double upper = std::max(double(row) + 0.5, 3.5);
        QCOMPARE(plot->yAxis->range().lower, -0.5);
        QCOMPARE(plot->yAxis->range().upper, upper);
        QCOMPARE(plot->xAxis->range().lower, -0.5);
        QCOMPARE(plot->xAxis->range().upper, upper);
        QCOMPARE(int(plot->slice().weights.rows()), n); // the whole matrix stays placed: zoom out to see it
        // Every tick is a row or key that exists at this step (no labels of the future).
        for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
            const auto ticks = axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
            QVERIFY(!ticks.isEmpty());
            QVERIFY2(ticks.lastKey() <= std::max(row, 3), qPrintable(QString::number(ticks.lastKey())));
        }
    }
    // What is drawn follows the size the plot has, also when the window was resized while the
    // tab was hidden (scripts/screenshots.sh's order: every tab at 1024 × 700, then every tab at
    // 1920 × 1080): the labels of the last replot are the ticker's, upright and every key.
    m_window->setInputText(QStringLiteral("And"));
    waitIdle(false);
    t->setStep(2);
    for (const QSize size : {QSize(1024, 700), QSize(1920, 1080)}) {
        m_window->resize(size);
        for (size_t i = 0; i < m_window->pages().size(); ++i) {
            m_window->setView(MainWindow::View(i));
            waitIdle(false);
            (void)m_window->grab();
            if (MainWindow::View(i) != MainWindow::View::Timeline || size.width() < 1920) continue;
            QCOMPARE(plot->xAxis->tickLabelRotation(), 0.0); // six short keys fit upright
            const QList<QString> set = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks().values();
            QCOMPARE(plot->xAxis->tickVectorLabels(), set);
            QCOMPARE(plot->xAxis->tickVector().size(), int(plot->xAxis->range().upper + 0.5)); // every key
        }
    }
    m_window->setView(MainWindow::View::Timeline);
    // The whole matrix is a double-click away.
    QTest::mouseDClick(plot, Qt::LeftButton, {}, plot->axisRect()->rect().center());
    QCOMPARE(plot->yAxis->range().upper, double(n) - 0.5);
}

namespace {

// Whether a plot's colour bar shows its gradient: the bar's top and bottom pixels are the
// gradient's colours at the top and bottom of its data range (viridis: yellow over purple).
bool colourBarDrawn(HeatmapPlot* plot, QString& why)
{
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const QImage image = plot->grab().toImage();
    QCPColorScale* scale = plot->colorScale();
    const QRect bar = scale->axis()->axisRect()->rect();
    if (bar.width() < 4 || bar.height() < 40) {
        why = QStringLiteral("bar %1×%2").arg(bar.width()).arg(bar.height());
        return false;
    }
    const QCPRange range = scale->dataRange();
    auto expected = [&](double v) { return QColor(scale->gradient().color(v, range)); };
    const QColor top = image.pixelColor(bar.center().x(), bar.top() + 2);
    const QColor bottom = image.pixelColor(bar.center().x(), bar.bottom() - 2);
    auto near = [](const QColor& a, const QColor& b) {
        return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()) < 60;
    };
    why = QStringLiteral("top %1 (want %2), bottom %3 (want %4)")
              .arg(top.name(), expected(range.upper).name(), bottom.name(), expected(range.lower).name());
    return near(top, expected(range.upper)) && near(bottom, expected(range.lower));
}

// Where two neighbouring labels of an axis overprint: upright labels closer than half their
// widths, labels turned by 60° (parallel lines) closer than their height / sin 60°, labels of
// a vertical axis closer than their height. Empty: none.
QString overprint(HeatmapPlot* plot, QCPAxis* axis)
{
    const QFontMetrics fm(axis->tickLabelFont());
    const QVector<double> ticks = axis->tickVector();
    const QVector<QString> labels = axis->tickVectorLabels();
    for (int k = 1; k < ticks.size(); ++k) {
        const double d = std::abs(axis->coordToPixel(ticks[k]) - axis->coordToPixel(ticks[k - 1]));
        const bool vertical = axis->orientation() == Qt::Vertical;
        const double need = vertical ? fm.height()
                            : axis->tickLabelRotation() != 0
                                ? fm.height() / std::sin(std::abs(axis->tickLabelRotation()) * M_PI / 180.0)
                                : (fm.horizontalAdvance(labels[k]) + fm.horizontalAdvance(labels[k - 1])) / 2.0;
        if (d < need)
            return QStringLiteral("%1: \"%2\" and \"%3\" %4 px apart, need %5")
                .arg(plot->objectName(), labels[k - 1], labels[k])
                .arg(d)
                .arg(need);
    }
    return QString();
}

} // namespace

void TestCompareTimeline::timelineColourBarsAreDrawn()
{
    // Issue 23, defect 6: the cross-attention colour bar was blank. Both bars show the gradient,
    // also when the cross plot first appears after a decoder-only model (which hides it).
    QVERIFY(m_window->openModel(kModels + "tiny-lm.json"));
    m_window->setView(MainWindow::View::Timeline);
    m_window->findChild<QCheckBox*>(QStringLiteral("generateCheck"))->setChecked(true);
    m_window->setInputText(QStringLiteral("And God said"));
    waitIdle(false);
    TimelineView* t = m_window->timelineView();
    QVERIFY(!t->crossPlot()->isVisible());
    QString why;
    QVERIFY2(colourBarDrawn(t->selfPlot(), why), qPrintable(why));

    QVERIFY(m_window->openModel(kModels + "date-normalizer.json"));
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    waitIdle(false);
    QVERIFY(t->crossPlot()->isVisible());
    QTRY_VERIFY(t->crossPlot()->colorScale()->axis()->axisRect()->rect().height() > 40);
    for (const int step : {0, 5}) {
        t->setStep(step);
        QVERIFY2(colourBarDrawn(t->selfPlot(), why), qPrintable(QStringLiteral("self, step %1: ").arg(step) + why));
        QVERIFY2(colourBarDrawn(t->crossPlot(), why), qPrintable(QStringLiteral("cross, step %1: ").arg(step) + why));
    }
    m_window->findChild<QComboBox*>(QStringLiteral("colormapCombo"))->setCurrentText(QStringLiteral("magma"));
    QVERIFY2(colourBarDrawn(t->crossPlot(), why), qPrintable(QStringLiteral("cross, magma: ") + why));
    // (The colour map is a saved setting: the next tests start from viridis again.)
    m_window->findChild<QComboBox*>(QStringLiteral("colormapCombo"))->setCurrentText(QStringLiteral("viridis"));
    // A tab opened after the run (hidden views are fed when shown), on another model.
    m_window->setView(MainWindow::View::Head);
    QVERIFY(m_window->openModel(kModels + "reverse-letters.json"));
    m_window->setInputText(QStringLiteral("hello"));
    waitIdle(false);
    m_window->setView(MainWindow::View::Timeline);
    QTRY_VERIFY(t->crossPlot()->isVisible() && t->crossPlot()->colorScale()->axis()->axisRect()->rect().height() > 40);
    QVERIFY2(colourBarDrawn(t->crossPlot(), why), qPrintable(QStringLiteral("cross, shown later: ") + why));
}

void TestCompareTimeline::differenceBarDivergingAndLegible()
{
    // Issue 23, defect 10: the A − B colour bar was viridis on first open and its ticks
    // overprinted. It is blue–white–red on ±range from the start (before B has run, whatever the
    // colour map and log scale), and no axis of the three plots overprints at 1024 × 700.
    CompareView* v = m_window->compareView();
    HeatmapPlot* diff = v->plotDifference();
    QVERIFY(diff->colorScale()->gradient() == divergingColormap()); // a fresh window, nothing run
    QVERIFY(diff->signedScale());
    m_window->resize(1024, 700);
    openCompare();
    QTRY_VERIFY(diff->isVisible() && diff->colorScale()->axis()->axisRect()->rect().height() > 40);
    QVERIFY(diff->colorScale()->gradient() == divergingColormap());
    QCOMPARE(diff->colorScale()->dataRange().lower, -diff->colorScale()->dataRange().upper);
    QString why;
    QVERIFY2(colourBarDrawn(diff, why), qPrintable(why));
    const QRect bar = diff->colorScale()->axis()->axisRect()->rect();
    const QColor top = diff->grab().toImage().pixelColor(bar.center().x(), bar.top() + 2);
    QVERIFY2(top.red() > top.blue() + 60, qPrintable(top.name())); // red at +range
    // The app's colour map and log scale are for attention weights, not for A − B.
    auto* colourMap = m_window->findChild<QComboBox*>(QStringLiteral("colormapCombo"));
    auto* log = m_window->findChild<QCheckBox*>(QStringLiteral("logCheck"));
    colourMap->setCurrentText(QStringLiteral("magma"));
    log->setChecked(true);
    typeB(QStringLiteral("25th of December 2026"));
    waitIdle(true);
    QVERIFY(diff->colorScale()->gradient() == divergingColormap());
    QCOMPARE(diff->colorScale()->dataScaleType(), QCPAxis::stLinear);
    QVERIFY(diff->colorScale()->dataRange().lower < 0.0);
    QVERIFY(v->plotA()->colorScale()->gradient() == colormap(QStringLiteral("magma")));
    log->setChecked(false);
    colourMap->setCurrentText(QStringLiteral("viridis")); // (a saved setting: later tests start from viridis)
    QVERIFY(diff->colorScale()->gradient() == divergingColormap());
    QVERIFY2(colourBarDrawn(diff, why), qPrintable(why));
    // No overprint, in every stack's plots, also after the window is resized (as the
    // screenshots do: 1920 × 1080 then 1024 × 700 again), and no colour bar with one tick.
    for (const QSize size : {QSize(1024, 700), QSize(1920, 1080), QSize(1024, 700)}) {
        m_window->resize(size);
        QTRY_COMPARE(v->plotA()->window()->size(), size);
        for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
            m_window->setSelection({s, 0, 0});
            waitIdle(true);
            (void)m_window->grab(); // lays the window out and paints it, as a screenshot does
            for (HeatmapPlot* p : {v->plotA(), v->plotB(), diff}) {
                for (QCPAxis* axis : {p->xAxis, p->yAxis, p->colorScale()->axis()}) {
                    const QString o = overprint(p, axis);
                    QVERIFY2(o.isEmpty(), qPrintable(QStringLiteral("%1x%2 ").arg(size.width()).arg(size.height()) +
                                                     stackDisplayName(s) + ": " + o));
                }
                QVERIFY2(p->colorScale()->axis()->tickVector().size() >= 2, qPrintable(p->objectName()));
            }
        }
    }
}

void TestCompareTimeline::bothTabsExport()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(m_window->openModel(kModels + "date-normalizer.json"));
    m_window->setView(MainWindow::View::Compare);
    waitIdle(true);
    for (const auto view : {MainWindow::View::Compare, MainWindow::View::Timeline}) {
        m_window->setView(view);
        const QString path = dir.filePath(QStringLiteral("view%1.png").arg(int(view)));
        QCOMPARE(m_window->exportCurrentView(path, 1.0), QString());
        QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), view == MainWindow::View::Compare ? m_window->compareView()->size()
                                                                 : m_window->timelineView()->size());
    }
}

int main(int argc, char** argv) { return test::runGuiTest<TestCompareTimeline>(argc, argv); }
#include "test_compare_timeline.moc"
