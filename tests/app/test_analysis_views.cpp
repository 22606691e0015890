// The analysis views driven offscreen, each checked against core called directly: the head
// census (maps, click-to-open, CSV), live head ablation (importance map, toggling heads by
// clicking, zero and mean ablation reaching the output and the other views), the step-through
// (every step, the cell breakdown, the temperature) and rollout / flow.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/ablation_view.h"
#include "app/census_view.h"
#include "app/overview_view.h"
#include "app/alignment_view.h"
#include "app/rollout_view.h"
#include "app/step_through_view.h"
#include "core/analysis/census.h"
#include "core/analysis/rollout.h"
#include "core/analysis/teaching.h"
#include "core/analysis/timeline.h"
#include "core/inference.h"
#include "render/heatmap_plot.h"

#include <QtTest>
#include <QtWidgets>

#include <cmath>

using namespace attnscope;
using test::sameMatrix;

namespace {

struct Expected {
    std::shared_ptr<const Transformer> transformer;
    RunResult run;
};

Expected expectedRun(const QString& path, const std::string& text, std::shared_ptr<const HeadAblation> ablation = {})
{
    Expected e;
    e.transformer = std::make_shared<const Transformer>(loadModel(path.toStdString()));
    RunOptions o;
    o.text = text;
    o.topK = 10;
    o.capture = Capture::Full;
    o.ablation = std::move(ablation);
    e.run = runModel(*e.transformer, o);
    return e;
}

} // namespace

class TestAnalysisViews : public test::WindowTest {
    Q_OBJECT
private slots:
    void initTestCase();
    void censusShowsCoreStatistics();
    void censusClickOpensHeadAndExportsCsv();
    void censusSharedScaleAndDefinitions();
    void gridLabelsReadable();
    void importanceMapEqualsCore();
    void analysisRunsOnlyWhileItsTabIsShown();
    void togglingAHeadReRunsTheModel();
    void ablationIsMarkedEverywhere();
    void meanAblationUsesReference();
    void stepThroughShowsEveryStep();
    void clickingAWeightExplainsIt();
    void temperatureChangesWeightsAndOutput();
    void rolloutAndFlowEqualCore();
    void newViewsExport_data();
    void newViewsExport();

private:
    QTemporaryDir m_dir;
    QString m_encdec, m_decoder, m_encoder;
};

void TestAnalysisViews::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_encdec = test::writeFile(m_dir.filePath("encdec.json"), test::appModel("encoder-decoder").dump());
    m_decoder = test::writeFile(m_dir.filePath("decoder.json"), test::appModel("decoder").dump());
    m_encoder = test::writeFile(m_dir.filePath("encoder.json"), test::appModel("encoder").dump());
}

// Hand-picked values: cells keep 2 decimals below 10 and lose a meaningless minus; the legend
// gains decimals until its two ends differ.
void TestAnalysisViews::gridLabelsReadable()
{
    QCOMPARE(HeadGridView::cellText(0.834), QString("0.83"));
    QCOMPARE(HeadGridView::cellText(-0.0004), QString("0.00"));
    QCOMPARE(HeadGridView::cellText(-0.006), QString("-0.01"));
    QCOMPARE(HeadGridView::cellText(12.345), QString("12.3"));
    QCOMPARE(HeadGridView::cellText(250.7), QString("251"));
    QCOMPARE(HeadGridView::cellText(std::nan("")), QString("n/a"));
    // In a map spanning 0 … 0.0004 the cells carry the legend's decimals: cells of different
    // colours never both read "0.00" (issue 23, defect 9); wide maps keep their two decimals.
    QCOMPARE(HeadGridView::legendText(0.0, 0.0004), QString("colour: 0.0000 \u2026 0.0004"));
    QCOMPARE(HeadGridView::cellText(0.0004, 0.0, 0.0004), QString("0.0004"));
    QCOMPARE(HeadGridView::cellText(0.0, 0.0, 0.0004), QString("0.0000"));
    QCOMPARE(HeadGridView::cellText(0.0002, 0.0, 0.0004), QString("0.0002"));
    QCOMPARE(HeadGridView::cellText(0.00001, 0.0, 0.000001 * 3), QString("0.0000")); // at most 4
    QCOMPARE(HeadGridView::cellText(0.834, 0.02, 1.53), QString("0.83"));
    QCOMPARE(HeadGridView::cellText(12.345, 8.44, 10.63), QString("12.3"));
    QCOMPARE(HeadGridView::legendText(0.12, 0.95), QString("colour: 0.12 \u2026 0.95"));
    QCOMPARE(HeadGridView::legendText(-0.0031, 0.0042), QString("colour: -0.003 \u2026 0.004"));
    QCOMPARE(HeadGridView::legendText(0.0, 0.00002), QString("colour: 0.00000 \u2026 0.00002"));
    QCOMPARE(HeadGridView::legendText(0.5, 0.5), QString("colour: 0.50 \u2026 0.50"));
    QCOMPARE(HeadGridView::legendText(1.0, 1.0 + 1e-9), QString("colour: 1.000000 \u2026 1.000000"));
}

void TestAnalysisViews::censusShowsCoreStatistics()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setView(MainWindow::View::Census);
    waitIdle(); // opening the tab runs the analysis
    const Expected e = expectedRun(m_decoder, "bad cafe");
    const HeadCensus census = computeCensus(*e.transformer, e.run, Stack::Decoder);
    const auto& panels = m_window->censusView()->grid()->panels();
    QCOMPARE(int(panels.size()), kHeadStatisticCount); // decoder-only: induction is defined too
    // The status line keeps the run's own time apart from the analysis's (a forward per head).
    const QString status = m_window->statusBar()->findChildren<QLabel*>().last()->text();
    QVERIFY2(status.contains(" forward ") && status.contains("head analysis") &&
                 status.indexOf("forward") < status.indexOf("head analysis"),
             qPrintable(status));
    for (const HeadGridView::Panel& p : panels) {
        QCOMPARE(p.title, QString::fromLatin1(displayName(HeadStatistic(p.id))));
        QVERIFY2(sameMatrix(p.values, census.values[size_t(p.id)]), qPrintable(p.title));
        QCOMPARE(int(p.values.rows()), 2);
        QCOMPARE(int(p.values.cols()), 4);
    }
    // Encoder stack of an encoder-decoder model: no induction map.
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    for (const HeadGridView::Panel& p : m_window->censusView()->grid()->panels())
        QVERIFY(p.id != int(HeadStatistic::Induction));
    QCOMPARE(int(m_window->censusView()->grid()->panels().size()), kHeadStatisticCount - 1);
}

void TestAnalysisViews::censusClickOpensHeadAndExportsCsv()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setView(MainWindow::View::Census);
    waitIdle(); // opening the tab runs the analysis
    HeadGridView* grid = m_window->censusView()->grid();
    QVERIFY(QTest::qWaitForWindowExposed(grid));
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(2, 1, 3, grid->size()).center());
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Decoder, 1, 3}));
    QCOMPARE(m_window->view(), MainWindow::View::Head);

    const Expected e = expectedRun(m_decoder, "bad cafe");
    const QString csv = m_dir.filePath("census.csv");
    QCOMPARE(m_window->exportCensusCsv(csv), QString());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll().toStdString(), computeCensus(*e.transformer, e.run, Stack::Decoder).toCsv());
}

void TestAnalysisViews::censusSharedScaleAndDefinitions()
{
    // Issue 23, defect 9: "per map" colours each map over its own range; "shared" gives each
    // statistic one range for every stack (shares and scores 0 … 1), and the caption says which.
    // Every map defines its statistic on hover.
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setView(MainWindow::View::Census);
    waitIdle();
    CensusView* census = m_window->censusView();
    HeadGridView* grid = census->grid();
    QVERIFY(QTest::qWaitForWindowExposed(grid));
    QCOMPARE(census->scale(), CensusView::Scale::PerMap);
    QVERIFY2(census->note().contains("Per-map scale"), qPrintable(census->note()));
    auto ranges = [&] {
        std::map<int, std::pair<double, double>> r;
        for (int k = 0; k < int(grid->panels().size()); ++k) r[grid->panels()[size_t(k)].id] = grid->colourRange(k);
        return r;
    };
    auto ownRange = [](const MatrixRM& m) { return std::pair{double(m.minCoeff()), double(m.maxCoeff())}; };
    for (int k = 0; k < int(grid->panels().size()); ++k)
        QCOMPARE(grid->colourRange(k), ownRange(grid->panels()[size_t(k)].values));

    census->setScale(CensusView::Scale::Shared);
    QVERIFY2(census->note().contains("Shared scale"), qPrintable(census->note()));
    std::map<Stack, std::map<int, std::pair<double, double>>> byStack;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        m_window->setSelection({s, 0, 0});
        QCOMPARE(grid->title().contains(stackDisplayName(s)), true);
        byStack[s] = ranges();
    }
    const std::shared_ptr<const RunAnalysis> analysis = m_window->analysis();
    QVERIFY(analysis);
    for (const auto& [id, range] : byStack[Stack::Encoder]) {
        // One range per statistic: the encoder's, decoder's and cross maps agree.
        QCOMPARE(byStack[Stack::Decoder].at(id), range);
        QCOMPARE(byStack[Stack::Cross].at(id), range);
        QCOMPARE(range.first, 0.0);
        if (id == int(HeadStatistic::Entropy) || id == int(HeadStatistic::MeanDistance)) {
            double hi = 0.0; // the largest value of any stack
            for (const HeadCensus& c : analysis->census) hi = std::max(hi, double(c.values[size_t(id)].maxCoeff()));
            QCOMPARE(range.second, hi);
        } else {
            QCOMPARE(range.second, 1.0);
        }
    }
    census->setScale(CensusView::Scale::PerMap);
    QVERIFY2(census->note().contains("Per-map scale"), qPrintable(census->note()));

    // Definitions: on every map's title and cells, non-empty and naming the statistic's formula.
    for (int k = 0; k < int(grid->panels().size()); ++k) {
        const HeadGridView::Panel& p = grid->panels()[size_t(k)];
        QVERIFY2(!p.definition.isEmpty(), qPrintable(p.title));
        const QString cellTip = grid->toolTipAt(grid->cellRect(k, 0, 0, grid->size()).center());
        QVERIFY2(cellTip.contains(p.title) && cellTip.contains(p.definition), qPrintable(cellTip));
        const QRect first = grid->cellRect(k, 0, 0, grid->size());
        const QString titleTip = grid->toolTipAt(QPoint(first.center().x(), first.top() - 30));
        QVERIFY2(titleTip.contains(p.definition), qPrintable(p.title + " / " + titleTip));
    }
    QVERIFY(CensusView::definition(HeadStatistic::Entropy).contains("ln"));
    QVERIFY(CensusView::definition(HeadStatistic::PreviousToken).contains(QStringLiteral("A_i,i\u22121")));
    QVERIFY(!CensusView::definition(HeadStatistic::Induction).isEmpty());
    QVERIFY(!census->findChild<QComboBox*>("censusScaleCombo")->toolTip().isEmpty());
}

void TestAnalysisViews::importanceMapEqualsCore()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setView(MainWindow::View::Ablation);
    waitIdle(); // opening the tab runs the analysis
    const Expected e = expectedRun(m_encdec, "bad cafe");
    const auto& panels = m_window->ablationView()->grid()->panels();
    QCOMPARE(int(panels.size()), 3); // encoder, decoder, cross
    for (const HeadGridView::Panel& p : panels)
        QVERIFY2(sameMatrix(p.values, headImportance(*e.transformer, e.run, Stack(p.id)), 1e-5f), qPrintable(p.title));
}

void TestAnalysisViews::analysisRunsOnlyWhileItsTabIsShown()
{
    // Typing on the head view must not pay for the census and importance (one forward pass per
    // head); opening their tab computes them for the current input.
    m_window->setView(MainWindow::View::Head);
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    QVERIFY(!m_window->analysis());
    const auto before = m_window->result();
    m_window->setView(MainWindow::View::Census);
    waitIdle();
    QVERIFY(m_window->analysis());
    QVERIFY(m_window->result() != before); // re-run of the same input
    QCOMPARE(m_window->result()->outputText, before->outputText);
    const Expected e = expectedRun(m_decoder, "bad cafe");
    QVERIFY(sameMatrix(m_window->analysis()->importanceOf(Stack::Decoder) ? *m_window->analysis()->importanceOf(Stack::Decoder) : MatrixRM(),
                       headImportance(*e.transformer, e.run, Stack::Decoder), 1e-5f));
    // Back on the head view, typing runs without the analysis again.
    m_window->setView(MainWindow::View::Head);
    m_window->setInputText("bad cab");
    waitIdle();
    QVERIFY(!m_window->analysis());
}

void TestAnalysisViews::togglingAHeadReRunsTheModel()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setView(MainWindow::View::Ablation);
    waitIdle(); // opening the tab runs the analysis
    HeadGridView* grid = m_window->ablationView()->grid();
    QVERIFY(QTest::qWaitForWindowExposed(grid));
    // Panel 0 is the encoder: switch off encoder layer 0 head 1 and cross layer 1 head 2 by clicking.
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(0, 0, 1, grid->size()).center());
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(2, 1, 2, grid->size()).center());
    QCOMPARE(m_window->ablatedHeads().size(), size_t(2));
    waitIdle();
    auto ablation = std::make_shared<HeadAblation>();
    ablation->zero(Stack::Encoder, 0, 1, 2);
    ablation->zero(Stack::Cross, 1, 2, 2);
    const Expected e = expectedRun(m_encdec, "bad cafe", ablation);
    const RunResult& shown = *m_window->result();
    QCOMPARE(shown.outputText, e.run.outputText);
    QCOMPARE(shown.predictions.size(), e.run.predictions.size());
    // The Output dock: each generated token of the ablated model with its probability.
    const DecodingTimeline steps = decodingTimeline(e.run, e.transformer->model(), false, 1);
    auto* table = m_window->findChild<QTableWidget*>("predictionsTable");
    QCOMPARE(table->rowCount(), int(steps.steps.size()));
    for (size_t i = 0; i < steps.steps.size(); ++i)
        QCOMPARE(table->item(int(i), 1)->text(), QString::number(double(steps.steps[i].probability), 'f', 3));
    // The head view shows the ablated model's attention (layer 1 is downstream of the ablated head).
    m_window->setSelection({Stack::Encoder, 1, 0});
    const MatrixRM& w = e.run.trace.encoder[1].heads[0].weights;
    QCPColorMap* map = m_window->headPlot()->colorMap();
    for (Eigen::Index i = 0; i < w.rows(); ++i)
        for (Eigen::Index j = 0; j < w.cols(); ++j) QCOMPARE(map->data()->cell(int(j), int(i)), double(w(i, j)));
    const Expected intact = expectedRun(m_encdec, "bad cafe");
    QVERIFY(!sameMatrix(w, intact.run.trace.encoder[1].heads[0].weights));
    // The crossed-out heads are marked in the map; restoring brings the intact model back.
    QVERIFY(grid->panels()[0].marked.count({0, 1}));
    QTest::mouseClick(m_window->findChild<QPushButton*>("ablationClearButton"), Qt::LeftButton);
    QVERIFY(m_window->ablatedHeads().empty());
    waitIdle();
    QCOMPARE(m_window->result()->outputText, intact.run.outputText);
    QVERIFY(sameMatrix(m_window->result()->trace.encoder[1].heads[0].weights, intact.run.trace.encoder[1].heads[0].weights));
}

void TestAnalysisViews::ablationIsMarkedEverywhere()
{
    // The shipped date normaliser, and a head whose removal alone changes what it generates (found
    // with core), so the intact and the ablated runs have different tokens.
    const QString path = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QVERIFY(m_window->openModel(path));
    m_window->setView(MainWindow::View::Ablation);
    waitIdle();
    const std::string text = m_window->findChild<QLineEdit*>("inputEdit")->text().toStdString();
    const Expected intact = expectedRun(path, text);
    const ModelConfig& config = intact.transformer->model().config;
    std::optional<HeadKey> changing;
    for (const Stack s : {Stack::Cross, Stack::Encoder, Stack::Decoder})
        for (int l = 0; l < config.decoderLayers && !changing; ++l)
            for (int h = 0; h < config.nHeads && !changing; ++h) {
                auto a = std::make_shared<HeadAblation>();
                a->zero(s, l, h, config.dHead());
                if (expectedRun(path, text, a).run.outputText != intact.run.outputText) changing = HeadKey{s, l, h};
            }
    QVERIFY(changing);
    const auto [cs, cl, ch] = *changing;
    m_window->setHeadAblated(cs, cl, ch, true);
    waitIdle();
    QVERIFY(m_window->result()->outputText != intact.run.outputText);
    // ...yet the importance map stays that of the intact model, as its caption says.
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const MatrixRM* shown = m_window->analysis()->importanceOf(s);
        QVERIFY(shown);
        QVERIFY2(sameMatrix(*shown, headImportance(*intact.transformer, intact.run, s), 1e-5f), toString(s));
    }
    // The head view's title: the head itself, another head, a layer's mean.
    m_window->setView(MainWindow::View::Head);
    m_window->setSelection({cs, cl, ch});
    QVERIFY2(m_window->headPlot()->slice().title.contains(QStringLiteral("\u2298 switched off")),
             qPrintable(m_window->headPlot()->slice().title));
    m_window->setSelection({cs, cl, ch == 0 ? 1 : 0});
    QVERIFY(m_window->headPlot()->slice().title.contains(QStringLiteral("ablated model (1 head off)")));
    m_window->setSelection({cs, cl, kMeanOfHeads});
    QVERIFY(m_window->headPlot()->slice().title.contains(QStringLiteral("1 of its heads switched off")));
    // The overview crosses the head out; the alignment's title and the status line say so.
    m_window->setSelection({cs, cl, ch});
    m_window->setView(MainWindow::View::Overview);
    const std::set<std::pair<int, int>> crossed{{cl, ch}};
    QCOMPARE(m_window->overviewView()->ablated(), crossed);
    m_window->setView(MainWindow::View::Alignment);
    QVERIFY(m_window->alignmentView()->title().contains(QStringLiteral("\u2298")));
    const QString status = m_window->statusBar()->findChildren<QLabel*>().last()->text();
    QVERIFY2(status.contains(QStringLiteral("1 head switched off (zero ablation)")), qPrintable(status));
    // Restored: no marks anywhere.
    m_window->clearAblation();
    waitIdle();
    QVERIFY(!m_window->alignmentView()->title().contains(QStringLiteral("\u2298")));
    QVERIFY(!m_window->statusBar()->findChildren<QLabel*>().last()->text().contains(QStringLiteral("\u2298")));
}

void TestAnalysisViews::meanAblationUsesReference()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->findChild<QComboBox*>("ablationModeCombo")->setCurrentIndex(int(AblationView::Mode::Mean));
    auto* ref = m_window->findChild<QLineEdit*>("ablationReferenceEdit");
    QVERIFY(ref->isEnabled());
    ref->setText("face");
    m_window->setHeadAblated(Stack::Decoder, 0, 3, true);
    waitIdle();
    const Expected reference = expectedRun(m_decoder, "face");
    auto ablation = std::make_shared<HeadAblation>(meanAblation(reference.run.trace, {{Stack::Decoder, 0, 3}}));
    const Expected e = expectedRun(m_decoder, "bad cafe", ablation);
    QCOMPARE(m_window->result()->predictions.front().probability, e.run.predictions.front().probability);
    QVERIFY(sameMatrix(m_window->result()->logits, e.run.logits));
    const Expected zero = expectedRun(m_decoder, "bad cafe", [] {
        auto a = std::make_shared<HeadAblation>();
        a->zero(Stack::Decoder, 0, 3, 2);
        return a;
    }());
    QVERIFY(!sameMatrix(m_window->result()->logits, zero.run.logits));
}

void TestAnalysisViews::stepThroughShowsEveryStep()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 2});
    m_window->setView(MainWindow::View::StepThrough);
    const StepThrough* s = m_window->stepThroughView()->steps();
    QVERIFY(s);
    const Expected e = expectedRun(m_decoder, "bad cafe");
    const HeadTrace& h = e.run.trace.decoder[1].heads[2];
    QVERIFY(sameMatrix(s->q, h.q));
    QVERIFY(sameMatrix(s->k, h.k));
    QVERIFY(sameMatrix(s->v, h.v));
    QVERIFY(sameMatrix(s->scaled, h.scores, 1e-5f));
    QVERIFY(sameMatrix(s->weights, h.weights, 1e-5f)); // τ = 1: the engine's weights
    QVERIFY(sameMatrix(s->output, h.output, 1e-5f));
    QVERIFY(std::isinf(s->masked(0, 1)));              // causal mask shown as −∞
    StepCanvas* canvas = m_window->stepThroughView()->canvas();
    QVERIFY(canvas->stepTitle(StepCanvas::Scaled).contains(QStringLiteral("\u221Ad_k")));
    QVERIFY(canvas->stepTitle(StepCanvas::Weights).contains(QStringLiteral("softmax")));
    QVERIFY(canvas->stepTitle(StepCanvas::Output).contains(QStringLiteral("A\u00B7V")));
    // Mean of heads has no single Q, K, V.
    m_window->setSelection({Stack::Decoder, 1, kMeanOfHeads});
    QVERIFY(!m_window->stepThroughView()->steps());
}

void TestAnalysisViews::clickingAWeightExplainsIt()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setSelection({Stack::Decoder, 0, 1});
    m_window->setView(MainWindow::View::StepThrough);
    StepCanvas* canvas = m_window->stepThroughView()->canvas();
    QVERIFY(QTest::qWaitForWindowExposed(canvas));
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->cellRect(StepCanvas::Weights, 5, 2, canvas->size()).center());
    QCOMPARE(m_window->stepThroughView()->selectedCell(), std::make_pair(5, 2));
    const Expected e = expectedRun(m_decoder, "bad cafe");
    TeachingMask mask;
    mask.causal = true;
    const CellBreakdown c = explainCell(stepThrough(e.run.trace.decoder[0].heads[1], mask), mask, 5, 2);
    const QString html = m_window->stepThroughView()->explanationHtml();
    auto shown = [](double v) {
        QString s = QString::number(v, 'f', 4);
        return s.replace(QLatin1Char('-'), QChar(0x2212));
    };
    for (const double v : {double(c.dot), double(c.scaled), double(c.rowSum), double(c.weight), double(c.products(0))})
        QVERIFY2(html.contains(shown(v)), qPrintable(shown(v)));
    QVERIFY(html.contains(QStringLiteral("A[5, 2]")));
}

void TestAnalysisViews::temperatureChangesWeightsAndOutput()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 0});
    m_window->setView(MainWindow::View::StepThrough);
    const Expected e = expectedRun(m_decoder, "bad cafe");
    const HeadTrace& h = e.run.trace.decoder[1].heads[0];
    TeachingMask mask;
    mask.causal = true;
    const auto predictionsBefore = m_window->result()->predictions.front().probability;
    m_window->findChild<QDoubleSpinBox*>("temperatureSpin")->setValue(0.25);
    const StepThrough* s = m_window->stepThroughView()->steps();
    const StepThrough cold = stepThrough(h, mask, 0.25f);
    QVERIFY(sameMatrix(s->weights, cold.weights, 1e-5f));
    QVERIFY(sameMatrix(s->output, cold.output, 1e-5f));
    QVERIFY(!sameMatrix(s->output, h.output, 1e-4f)); // the output row changes with τ
    QVERIFY(m_window->stepThroughView()->canvas()->stepTitle(StepCanvas::Weights).contains(QStringLiteral("0.25")));
    // The slider follows (log scale: τ = 0.25 ↦ 100 + 100·log10(0.25) ≈ 40).
    QCOMPARE(m_window->findChild<QSlider*>("temperatureSlider")->value(), 40);
    // The model itself is untouched by τ.
    QCOMPARE(m_window->result()->predictions.front().probability, predictionsBefore);
    QTest::mouseClick(m_window->findChild<QPushButton*>("temperatureResetButton"), Qt::LeftButton);
    QCOMPARE(m_window->stepThroughView()->temperature(), 1.0);
    QVERIFY(sameMatrix(m_window->stepThroughView()->steps()->weights, h.weights, 1e-5f));
}

void TestAnalysisViews::rolloutAndFlowEqualCore()
{
    QVERIFY(m_window->openModel(m_encoder));
    waitIdle();
    m_window->setView(MainWindow::View::Rollout);
    const Expected e = expectedRun(m_encoder, "bad cafe");
    std::vector<MatrixRM> means;
    for (const LayerTrace& l : e.run.trace.encoder) means.push_back(meanOfHeads(l));
    RolloutView* view = m_window->rolloutView();
    auto check = [&](const MatrixRM& want) {
        QCPColorMap* map = view->plot()->colorMap();
        QCOMPARE(map->data()->keySize(), int(want.cols()));
        for (Eigen::Index i = 0; i < want.rows(); ++i)
            for (Eigen::Index j = 0; j < want.cols(); ++j)
                QVERIFY(std::abs(map->data()->cell(int(j), int(i)) - double(want(i, j))) < 1e-6);
    };
    check(attentionRollout(means));
    QVERIFY(view->reason().isEmpty());
    m_window->findChild<QComboBox*>("aggregateCombo")->setCurrentIndex(int(Aggregate::Flow));
    check(attentionFlow(means));
    QVERIFY(m_window->findChild<QLabel*>("aggregateNote")->text().contains(QString::number(kMaxFlowTokens)));
    // Cross-attention has no rollout; the view says why.
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setSelection({Stack::Cross, 0, 0});
    QVERIFY(!view->reason().isEmpty());
    QVERIFY(view->plot()->slice().empty());
}

void TestAnalysisViews::newViewsExport_data()
{
    QTest::addColumn<int>("view");
    QTest::newRow("step-through") << int(MainWindow::View::StepThrough);
    QTest::newRow("census") << int(MainWindow::View::Census);
    QTest::newRow("ablation") << int(MainWindow::View::Ablation);
    QTest::newRow("rollout") << int(MainWindow::View::Rollout);
}

void TestAnalysisViews::newViewsExport()
{
    QFETCH(int, view);
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setView(MainWindow::View(view));
    QApplication::processEvents();
    const QString png = m_dir.filePath(QStringLiteral("view%1.png").arg(view));
    QCOMPARE(m_window->exportCurrentView(png, 1.0), QString());
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 200 && image.height() > 150);
    const QString svg = m_dir.filePath(QStringLiteral("view%1.svg").arg(view));
    QCOMPARE(m_window->exportCurrentView(svg), QString());
}

int main(int argc, char** argv) { return test::runGuiTest<TestAnalysisViews>(argc, argv); }

#include "test_analysis_views.moc"
