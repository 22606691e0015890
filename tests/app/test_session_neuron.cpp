// Session files and the query/key (neuron) view, driven offscreen. Sessions: a full state
// (model, inputs, selection, mean ablation with a reference, colour map, log scale, view,
// temperature, panel, selected cell) is saved, everything is changed, the session is opened
// and every piece is back, with the engine's result equal to core run directly; bad sessions
// (malformed, missing or broken model, out-of-range head, unknown names) change nothing.
// Neuron view: its numbers equal core's neuronView and the captured rows, the query follows the
// combo box and clicks on the weights, τ applies to its softmax, and it exports.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/ablation_view.h"
#include "app/neuron_view.h"
#include "app/step_through_view.h"
#include "core/analysis/census.h"
#include "core/analysis/teaching.h"
#include "core/inference.h"
#include "app/notes_panel.h"
#include "core/session.h"
#include "render/heatmap_plot.h"

#include <QtTest>
#include <QtWidgets>

#include <cmath>

using namespace attnscope;
using test::sameMatrix;

namespace {

RunResult run(const QString& model, const std::string& text, const std::string& target, bool generate,
              std::shared_ptr<const HeadAblation> ablation)
{
    const Transformer t(loadModel(model.toStdString()));
    RunOptions o;
    o.text = text;
    if (!target.empty()) o.target = target;
    o.generate = generate;
    o.topK = 10;
    o.capture = Capture::Full;
    o.ablation = std::move(ablation);
    return runModel(t, o);
}

} // namespace

class TestSessionNeuron : public test::WindowTest {
    Q_OBJECT
private slots:
    void initTestCase();
    void sessionRestoresEverything();
    void sessionMeanOfHeadsAndGenerate();
    void badSessionKeepsState_data();
    void badSessionKeepsState();
    void recognisesSessionFiles();
    void notesPanelEditsSavesReloads();
    void sessionDialogsOpenInDocumentsAndRemember();
    void neuronViewEqualsCore();
    void neuronQueryFollowsClicksAndTemperature();
    void neuronViewExports();
    void neuronMaskedNumbersReadable();

private:
    QComboBox* combo(const char* name) const { return m_window->findChild<QComboBox*>(name); }
    QCheckBox* check(const char* name) const { return m_window->findChild<QCheckBox*>(name); }
    QLineEdit* edit(const char* name) const { return m_window->findChild<QLineEdit*>(name); }

    QTemporaryDir m_dir;
    QString m_encdec, m_decoder;
};

void TestSessionNeuron::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir(m_dir.path()).mkpath("models"));
    QVERIFY(QDir(m_dir.path()).mkpath("lessons"));
    m_encdec = test::writeFile(m_dir.filePath("models/encdec.json"), test::appModel("encoder-decoder").dump());
    m_decoder = test::writeFile(m_dir.filePath("models/decoder.json"), test::appModel("decoder").dump());
}

void TestSessionNeuron::sessionRestoresEverything()
{
    // The state of a prepared lesson.
    QVERIFY(m_window->openModel(m_encdec));
    m_window->setTargetText("face");
    m_window->setInputText("bad cafe");
    waitIdle();
    m_window->setSelection({Stack::Cross, 1, 2});
    combo("ablationModeCombo")->setCurrentIndex(int(AblationView::Mode::Mean));
    edit("ablationReferenceEdit")->setText("fade");
    m_window->setHeadAblated(Stack::Encoder, 0, 1, true);
    m_window->setHeadAblated(Stack::Cross, 1, 3, true);
    combo("colormapCombo")->setCurrentText("magma");
    check("logCheck")->setChecked(true);
    m_window->setView(MainWindow::View::StepThrough);
    StepThroughView* step = m_window->stepThroughView();
    step->setTemperature(0.5);
    step->setPanel(StepThroughView::Panel::Neuron);
    waitIdle();
    step->selectCell(2, 1);
    const QString path = m_dir.filePath("lessons/week1.attnscope.json");
    QCOMPARE(m_window->saveSession(path), QString());
    const Session saved = loadSession(path.toStdString());
    QCOMPARE(saved.model, std::string("../models/encdec.json")); // relative to the session file
    QCOMPARE(saved.tab, std::string("step-through"));
    QCOMPARE(saved.ablated.size(), size_t(2));
    const auto resultBefore = m_window->result();

    // Change everything.
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setInputText("abc");
    waitIdle();
    m_window->setHeadAblated(Stack::Decoder, 0, 0, true);
    combo("ablationModeCombo")->setCurrentIndex(int(AblationView::Mode::Zero));
    edit("ablationReferenceEdit")->setText("");
    combo("colormapCombo")->setCurrentText("jet");
    check("logCheck")->setChecked(false);
    m_window->setView(MainWindow::View::Overview);
    step->setTemperature(1.0);
    step->setPanel(StepThroughView::Panel::Steps);
    waitIdle();
    QCOMPARE(m_window->model()->name, std::string("app-decoder"));

    // Open the lesson: every piece is back.
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QVERIFY(m_window->openSession(path));
    waitIdle();
    QCOMPARE(errors.count(), 0);
    QCOMPARE(m_window->model()->name, std::string("app-encoder-decoder"));
    QCOMPARE(QFileInfo(QString::fromStdString(m_window->model()->path)).canonicalFilePath(),
             QFileInfo(m_encdec).canonicalFilePath());
    QCOMPARE(edit("inputEdit")->text(), QStringLiteral("bad cafe"));
    QCOMPARE(edit("targetEdit")->text(), QStringLiteral("face"));
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Cross, 1, 2}));
    QVERIFY(m_window->ablatedHeads() == (std::set<HeadKey>{{Stack::Encoder, 0, 1}, {Stack::Cross, 1, 3}}));
    QVERIFY(m_window->ablationView()->mode() == AblationView::Mode::Mean);
    QCOMPARE(m_window->ablationView()->referenceText(), QStringLiteral("fade"));
    QCOMPARE(combo("colormapCombo")->currentText(), QStringLiteral("magma"));
    QCOMPARE(m_window->headPlot()->colormapName(), QStringLiteral("magma"));
    QVERIFY(check("logCheck")->isChecked());
    QVERIFY(m_window->headPlot()->logScale());
    QVERIFY(m_window->view() == MainWindow::View::StepThrough);
    QCOMPARE(m_window->viewName(), QStringLiteral("step-through"));
    QCOMPARE(step->temperature(), 0.5);
    QVERIFY(step->panel() == StepThroughView::Panel::Neuron);
    QCOMPARE(step->selectedCell(), std::make_pair(2, 1));
    QVERIFY(step->neuron());
    QCOMPARE(step->neuron()->query, 2);
    QCOMPARE(step->neuron()->temperature, 0.5f);
    // Saving again writes the same session.
    QVERIFY(m_window->currentSession(path) == saved);

    // The engine's result is that of core run directly with the same mean ablation.
    const std::vector<HeadKey> heads = {{Stack::Encoder, 0, 1}, {Stack::Cross, 1, 3}};
    const RunResult reference = run(m_encdec, "fade", "", false, nullptr);
    const auto ablation = std::make_shared<const HeadAblation>(meanAblation(reference.trace, heads));
    const RunResult want = run(m_encdec, "bad cafe", "face", false, ablation);
    const RunResult& got = *m_window->result();
    QCOMPARE(got.outputText, want.outputText);
    QCOMPARE(got.predictions.size(), want.predictions.size());
    for (size_t i = 0; i < want.predictions.size(); ++i) {
        QCOMPARE(got.predictions[i].token, want.predictions[i].token);
        QVERIFY(std::abs(got.predictions[i].probability - want.predictions[i].probability) < 1e-6f);
    }
    QVERIFY(sameMatrix(got.trace.cross[1].heads[2].weights, want.trace.cross[1].heads[2].weights));
    QVERIFY(sameMatrix(got.trace.decoder[1].heads[0].weights, want.trace.decoder[1].heads[0].weights));
    QVERIFY(sameMatrix(got.logits, want.logits, 1e-5f));
    // And it equals the result shown before the session was saved.
    QVERIFY(sameMatrix(got.logits, resultBefore->logits, 1e-6f));
    // The views show it: the neuron view's row is the displayed head's captured row at τ = 0.5.
    TeachingMask noMask;
    const NeuronView n = neuronView(got.trace.cross[1].heads[2], noMask, 2, 0.5f);
    QVERIFY(sameMatrix(step->neuron()->weights, n.weights));
}

void TestSessionNeuron::sessionMeanOfHeadsAndGenerate()
{
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setInputText("bad");
    check("generateCheck")->setChecked(true);
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 3});
    m_window->setSelection({Stack::Decoder, 1, kMeanOfHeads});
    m_window->setHeadAblated(Stack::Decoder, 0, 2, true);
    combo("colormapCombo")->setCurrentText("cividis");
    m_window->setView(MainWindow::View::Overview);
    waitIdle();
    const QString path = m_dir.filePath("mean.attnscope.json");
    QCOMPARE(m_window->saveSession(path), QString());
    const Session saved = loadSession(path.toStdString());
    QVERIFY(saved.meanOfHeads);
    QCOMPARE(saved.selection.head, 3);
    QVERIFY(saved.generate);
    QCOMPARE(saved.model, std::string("models/decoder.json"));
    QCOMPARE(saved.tab, std::string("overview"));

    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    QVERIFY(m_window->openSession(path));
    waitIdle();
    QCOMPARE(m_window->selection().head, kMeanOfHeads);
    QVERIFY(check("meanCheck")->isChecked());
    QVERIFY(check("generateCheck")->isChecked());
    QVERIFY(m_window->view() == MainWindow::View::Overview);
    QCOMPARE(combo("colormapCombo")->currentText(), QStringLiteral("cividis"));
    const auto zero = std::make_shared<HeadAblation>();
    zero->zero(Stack::Decoder, 0, 2, m_window->model()->config.dHead());
    const RunResult want = run(m_decoder, "bad", "", true, zero);
    QCOMPARE(m_window->result()->outputText, want.outputText);
    QVERIFY(sameMatrix(m_window->result()->logits, want.logits, 1e-5f));
    // A session with only the query chosen ("key": null) gets the query's strongest key.
    Session only = saved;
    only.tab = "step-through";
    only.stepQuery = 2;
    only.stepKey = -1;
    only.meanOfHeads = false;
    test::writeFile(path, toJson(only));
    QVERIFY(m_window->openSession(path));
    waitIdle();
    const StepThrough* st = m_window->stepThroughView()->steps();
    QVERIFY(st);
    Eigen::Index strongest = 0;
    st->weights.row(2).maxCoeff(&strongest);
    QCOMPARE(m_window->stepThroughView()->selectedCell(), std::make_pair(2, int(strongest)));
    QVERIFY(m_window->currentSession(path).stepKey == int(strongest));
    m_window->setSelection({Stack::Decoder, 1, kMeanOfHeads});
    // Unticking the mean returns to the saved head.
    check("meanCheck")->setChecked(false);
    QCOMPARE(m_window->selection().head, 3);
}

void TestSessionNeuron::badSessionKeepsState_data()
{
    QTest::addColumn<QString>("document"); // %1: the encoder-decoder model's absolute path
    QTest::addColumn<QString>("expected"); // part of the reported message
    const QString ok = R"("format": "attnscope-session", "version": 1)";
    QTest::newRow("malformed") << R"({"format": "attnscope-session", "version": 1, "model": )" << ": /: invalid JSON at line 1";
    QTest::newRow("model file") << QString() << ": /format: expected \"attnscope-session\", got \"attnscope-model\"";
    QTest::newRow("unknown key") << "{" + ok + R"(, "model": "%1", "colour": 1})" << ": /colour: unknown key";
    QTest::newRow("missing model") << "{" + ok + R"(, "model": "no-such-model.json"})"
                                   << ": /model: the model \"no-such-model.json\"";
    QTest::newRow("broken model") << "{" + ok + R"(, "model": "broken.json"})" << "broken.json: /: invalid JSON";
    QTest::newRow("head out of range") << "{" + ok + R"(, "model": "%1", "selection": {"stack": "cross", "head": 4}})"
                                       << ": /selection/head: head 4 is out of range";
    QTest::newRow("no such stack") << "{" + ok + R"(, "model": "%1", "ablation": {"heads": [{"stack": "cross", "layer": 5, "head": 0}]}})"
                                   << ": /ablation/heads/0/layer: layer 5 is out of range";
    QTest::newRow("unknown view") << "{" + ok + R"(, "model": "%1", "view": {"tab": "sankey"}})"
                                  << ": /view/tab: unknown view \"sankey\" (this version has: head, overview, alignment, step-through";
    QTest::newRow("unknown colour map") << "{" + ok + R"(, "model": "%1", "view": {"colormap": "rainbow"}})"
                                        << ": /view/colormap: unknown colour map \"rainbow\" (known: viridis";
}

void TestSessionNeuron::badSessionKeepsState()
{
    QFETCH(QString, document);
    QFETCH(QString, expected);
    test::writeFile(m_dir.filePath("lessons/broken.json"), "{\"format\": \"attnscope-model\", ");
    const QString path = m_dir.filePath("lessons/bad.attnscope.json");
    test::writeFile(path, document.isEmpty() ? test::appModel("encoder-decoder").dump() : document.arg(m_encdec).toStdString());
    // A state worth keeping.
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setInputText("cafe");
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 1});
    m_window->setHeadAblated(Stack::Decoder, 0, 3, true);
    combo("colormapCombo")->setCurrentText("hot");
    m_window->setView(MainWindow::View::Census);
    m_window->stepThroughView()->setTemperature(2.0);
    waitIdle();
    const auto model = m_window->model();
    const auto result = m_window->result();
    const Session before = m_window->currentSession(path);

    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QVERIFY(!m_window->openSession(path));
    QCOMPARE(errors.count(), 1);
    const QString message = errors.front().front().toString();
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("bad.attnscope.json")), qPrintable(message)); // names the file
    QVERIFY(m_window->isVisible());
    // Nothing changed, and no run was started.
    QVERIFY(m_window->model() == model);
    QVERIFY(m_window->runner()->isIdle());
    QVERIFY(m_window->result() == result);
    QVERIFY(m_window->currentSession(path) == before);
    QCOMPARE(edit("inputEdit")->text(), QStringLiteral("cafe"));
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Decoder, 1, 1}));
    QCOMPARE(m_window->ablatedHeads().size(), size_t(1));
    QVERIFY(m_window->view() == MainWindow::View::Census);
}

void TestSessionNeuron::recognisesSessionFiles()
{
    const QString named = test::writeFile(m_dir.filePath("x.attnscope.json"), "{}");
    const QString sniffed = test::writeFile(m_dir.filePath("lesson.json"), toJson(Session{}));
    QVERIFY(MainWindow::isSessionFile(named));
    QVERIFY(MainWindow::isSessionFile(sniffed));
    QVERIFY(!MainWindow::isSessionFile(m_encdec));
    QVERIFY(!MainWindow::isSessionFile(m_dir.filePath("missing.json")));
}

void TestSessionNeuron::neuronViewEqualsCore()
{
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setInputText("bad cafe");
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 2});
    m_window->setView(MainWindow::View::StepThrough);
    StepThroughView* step = m_window->stepThroughView();
    step->setPanel(StepThroughView::Panel::Neuron);
    QComboBox* queries = combo("neuronQueryCombo");
    QVERIFY(queries);
    const HeadTrace& h = m_window->result()->trace.decoder[1].heads[2];
    QCOMPARE(queries->count(), int(h.q.rows()));
    QCOMPARE(queries->itemText(3), QStringLiteral("3: d"));
    queries->setCurrentIndex(3);
    QCOMPARE(step->selectedCell().first, 3);
    const NeuronView* shown = step->neuron();
    QVERIFY(shown);
    TeachingMask causal;
    causal.causal = true;
    const NeuronView want = neuronView(h, causal, 3, 1.0f);
    QCOMPARE(shown->query, 3);
    QVERIFY(sameMatrix(shown->q, want.q));
    QVERIFY(sameMatrix(shown->k, h.k));
    QVERIFY(sameMatrix(shown->products, want.products));
    QVERIFY(sameMatrix(shown->dots, want.dots));
    QVERIFY(sameMatrix(shown->weights, want.weights));
    QVERIFY(shown->masked == want.masked);
    // Against what the engine recorded: Σ products / √d_k is the scores row, the softmax the weights row.
    const RowVector sums = shown->products.rowwise().sum().transpose();
    QVERIFY(sameMatrix(sums * shown->scale, h.scores.row(3), 1e-5f));
    QVERIFY(sameMatrix(shown->weights, h.weights.row(3), 1e-5f));
    QVERIFY(sameMatrix(shown->weights, step->steps()->weights.row(3), 1e-6f));
    // Causal: keys after the query are masked, with weight 0.
    QVERIFY(shown->masked[4] && !shown->masked[3]);
    QCOMPARE(shown->weights(4), 0.0f);
    NeuronCanvas* canvas = step->neuronCanvas();
    QVERIFY(canvas->neuron() == shown);
    QVERIFY(canvas->columnTitle(NeuronCanvas::Products).contains(QStringLiteral("q_i \u2299 k_j")));
    QVERIFY(canvas->columnTitle(NeuronCanvas::Scaled).contains(QStringLiteral("\u221Ad_k")));
    QVERIFY(canvas->columnTitle(NeuronCanvas::Dot).contains(QStringLiteral("\u03A3")));
    QVERIFY(canvas->columnTitle(NeuronCanvas::Weight).contains(QStringLiteral("softmax")));
    // Mean of heads has no single q and k.
    m_window->setSelection({Stack::Decoder, 1, kMeanOfHeads});
    QVERIFY(!step->neuron());
}

void TestSessionNeuron::neuronQueryFollowsClicksAndTemperature()
{
    QVERIFY(m_window->openModel(m_encdec));
    m_window->setTargetText("face");
    m_window->setInputText("bad cafe");
    waitIdle();
    m_window->setSelection({Stack::Cross, 0, 1});
    m_window->setView(MainWindow::View::StepThrough);
    StepThroughView* step = m_window->stepThroughView();
    step->setPanel(StepThroughView::Panel::Steps);
    StepCanvas* steps = step->canvas();
    QVERIFY(QTest::qWaitForWindowExposed(steps));
    // Clicking a cell of row 3 of the weights picks query 3 for the neuron view.
    QTest::mouseClick(steps, Qt::LeftButton, {}, steps->cellRect(StepCanvas::Weights, 3, 5, steps->size()).center());
    QCOMPARE(step->selectedCell(), std::make_pair(3, 5));
    QCOMPARE(combo("neuronQueryCombo")->currentIndex(), 3);
    QCOMPARE(step->neuron()->query, 3);
    // Clicking a key's row in the neuron view explains that weight.
    step->setPanel(StepThroughView::Panel::Neuron);
    NeuronCanvas* canvas = step->neuronCanvas();
    QVERIFY(QTest::qWaitForWindowExposed(canvas));
    QVERIFY(!canvas->rowRect(2, canvas->size()).isEmpty());
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->rowRect(2, canvas->size()).center());
    QCOMPARE(step->selectedCell(), std::make_pair(3, 2));
    QVERIFY(step->explanationHtml().contains(QStringLiteral("A[3, 2]")));
    // τ applies to the neuron view's softmax exactly as to step 7.
    const HeadTrace& h = m_window->result()->trace.cross[0].heads[1];
    step->setTemperature(0.3);
    const StepThrough cold = stepThrough(h, {}, 0.3f);
    QVERIFY(sameMatrix(step->neuron()->weights, cold.weights.row(3), 1e-6f));
    QVERIFY(sameMatrix(step->neuron()->weights, step->steps()->weights.row(3), 1e-6f));
    QVERIFY(sameMatrix(step->neuron()->scaled, h.scores.row(3), 1e-5f)); // τ leaves the scores alone
    QVERIFY(!sameMatrix(step->neuron()->weights, h.weights.row(3), 1e-4f));
    QVERIFY(canvas->columnTitle(NeuronCanvas::Weight).contains(QStringLiteral("0.30")));
    QTest::mouseClick(m_window->findChild<QPushButton*>("temperatureResetButton"), Qt::LeftButton);
    QVERIFY(sameMatrix(step->neuron()->weights, h.weights.row(3), 1e-5f));
    // The model itself is untouched by the teaching views.
    QCOMPARE(m_window->result()->trace.cross[0].heads[1].weights.rows(), h.weights.rows());
}

void TestSessionNeuron::neuronViewExports()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    m_window->setSelection({Stack::Decoder, 0, 1});
    m_window->setView(MainWindow::View::StepThrough);
    m_window->stepThroughView()->setPanel(StepThroughView::Panel::Neuron);
    QApplication::processEvents();
    QVERIFY(m_window->stepThroughView()->activeCanvas() == m_window->stepThroughView()->neuronCanvas());
    const QString png = m_dir.filePath("neuron.png");
    QCOMPARE(m_window->exportCurrentView(png, 1.0), QString());
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), m_window->stepThroughView()->neuronCanvas()->size());
    QCOMPARE(m_window->exportCurrentView(m_dir.filePath("neuron.svg")), QString());
}

void TestSessionNeuron::neuronMaskedNumbersReadable()
{
    // Issue 23, defect 8: masked keys' rows are veiled pale, and their numbers were drawn white
    // (chosen for the colour under the veil): unreadable. Every number cell of a masked and an
    // unmasked row shows text whose darkest or lightest pixel contrasts with the cell's
    // background by at least 4.5 : 1 (WCAG AA).
    QVERIFY(m_window->openModel(m_decoder));
    m_window->setInputText("bad cafe");
    waitIdle();
    m_window->setSelection({Stack::Decoder, 1, 2});
    m_window->setView(MainWindow::View::StepThrough);
    StepThroughView* step = m_window->stepThroughView();
    step->setPanel(StepThroughView::Panel::Neuron);
    combo("neuronQueryCombo")->setCurrentIndex(2);
    NeuronCanvas* canvas = step->neuronCanvas();
    QVERIFY(canvas->neuron() && canvas->neuron()->masked[5] && !canvas->neuron()->masked[1]);
    const QSize size(1400, 700);
    QImage image(size, QImage::Format_RGB32);
    QPainter p(&image);
    canvas->paint(p, size);
    p.end();
    auto luminance = [](const QColor& c) {
        auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
    };
    for (const int key : {1, 5}) {
        for (const NeuronCanvas::Column column : {NeuronCanvas::Dot, NeuronCanvas::Scaled}) {
            const QRect r = canvas->numberRect(column, key, size).adjusted(1, 1, -1, -1);
            QVERIFY(!r.isEmpty());
            const QColor background = image.pixelColor(r.left() + 1, r.top() + 1); // a corner: no text
            const double lb = luminance(background);
            double best = 1.0;
            for (int y = r.top(); y <= r.bottom(); ++y)
                for (int x = r.left(); x <= r.right(); ++x) {
                    const double l = luminance(image.pixelColor(x, y));
                    best = std::max(best, (std::max(l, lb) + 0.05) / (std::min(l, lb) + 0.05));
                }
            QVERIFY2(best >= 4.5, qPrintable(QStringLiteral("key %1 column %2 on %3: contrast %4")
                                                 .arg(key).arg(int(column)).arg(background.name()).arg(best)));
        }
    }
}

// Shown and not behind another dock of its tab group (Qt keeps both of them "visible").
static bool inFront(const QWidget* w) { return w->isVisible() && !w->visibleRegion().isEmpty(); }

void TestSessionNeuron::notesPanelEditsSavesReloads()
{
    // Issue 23, defect 10: a lesson's note was only a clipped status-bar message. It has its own
    // dock, "Notes": typed there, saved in the session file, shown whole when the session is opened.
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* dock = m_window->findChild<QDockWidget*>("notesDock");
    QVERIFY(dock);
    QCOMPARE(dock->windowTitle(), QStringLiteral("Notes"));
    QCOMPARE(static_cast<QDockWidget*>(m_window->notesPanel()), dock);
    auto* editor = dock->findChild<QPlainTextEdit*>("notesEdit");
    QVERIFY(editor);
    QVERIFY(editor->toPlainText().isEmpty());
    QVERIFY(!editor->isReadOnly());
    // A first start: the Model dock in front, the Notes a tab behind it.
    QTRY_VERIFY(inFront(m_window->findChild<QWidget*>("modelInfo")));
    QVERIFY(!inFront(editor));
    QCOMPARE(m_window->tabifiedDockWidgets(dock).size(), 1);
    // Typed as a user would, two lines and a non-ASCII character.
    dock->show();
    dock->raise();
    QTRY_VERIFY(inFront(editor));
    editor->setFocus();
    QTest::keyClicks(editor, QStringLiteral("Week 3: the year's digits"));
    QTest::keyClick(editor, Qt::Key_Return);
    QTest::keyClicks(editor, QStringLiteral("Ask: why "));
    {
        // (QTest::keyClicks types ASCII only: the root sign comes as a key event with its text)
        QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QStringLiteral("\u221A"));
        QApplication::sendEvent(editor, &press);
    }
    QTest::keyClicks(editor, QStringLiteral("d_k?"));
    const QString typed = QStringLiteral("Week 3: the year's digits\nAsk: why \u221Ad_k?");
    QCOMPARE(editor->toPlainText(), typed);

    const QString path = m_dir.filePath("lessons/notes.attnscope.json");
    QCOMPARE(m_window->saveSession(path), QString());
    QCOMPARE(QString::fromStdString(loadSession(path.toStdString()).notes), typed); // in the file, whole

    // Another model keeps what the teacher wrote; the Model dock comes back to the front.
    editor->setPlainText(QStringLiteral("scratch"));
    QVERIFY(m_window->openModel(m_decoder));
    QCOMPARE(editor->toPlainText(), QStringLiteral("scratch"));
    m_window->findChild<QDockWidget*>("modelDock")->raise();
    QTRY_VERIFY(!inFront(editor)); // tabified behind the Model dock

    // Opening the session puts its notes back and brings the panel to the front.
    QVERIFY(m_window->openSession(path));
    QCOMPARE(editor->toPlainText(), typed);
    QTRY_VERIFY(inFront(editor));
    QVERIFY(editor->width() >= 150 && editor->height() >= 3 * editor->fontMetrics().height());
    waitIdle();

    // Edited again and saved: a new window opening the file shows the edit.
    editor->moveCursor(QTextCursor::End);
    editor->setFocus();
    QTest::keyClick(editor, Qt::Key_Return);
    QTest::keyClicks(editor, QStringLiteral("Then switch head 2 off."));
    const QString edited = typed + QStringLiteral("\nThen switch head 2 off.");
    QCOMPARE(editor->toPlainText(), edited);
    QCOMPARE(m_window->saveSession(path), QString());
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1280, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(m_window->notesPanel()->text().isEmpty());
    QVERIFY(m_window->openSession(path));
    QCOMPARE(m_window->notesPanel()->text(), edited);
    QTRY_VERIFY(inFront(m_window->notesPanel()->editor()));
    QCOMPARE(QString::fromStdString(m_window->currentSession(path).notes), edited);
    // A session without notes leaves the Model dock in front.
    Session plain = loadSession(path.toStdString());
    plain.notes.clear();
    const QString plainPath = test::writeFile(m_dir.filePath("lessons/plain.attnscope.json"), toJson(plain));
    m_window->findChild<QDockWidget*>("modelDock")->raise();
    QVERIFY(m_window->openSession(plainPath));
    QVERIFY(m_window->notesPanel()->text().isEmpty());
    QTRY_VERIFY(inFront(m_window->findChild<QWidget*>("modelInfo")));
    waitIdle();
}

void TestSessionNeuron::sessionDialogsOpenInDocumentsAndRemember()
{
    // The session dialogs open in the user's Documents folder (home where there is none), then in
    // the folder of the session last saved or opened, also after a restart; not the models folder.
    const QString documentsPath = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString documents = !documentsPath.isEmpty() && QFileInfo(documentsPath).isDir()
                                  ? QDir(documentsPath).absolutePath()
                                  : QDir::homePath();
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* save = m_window->findChild<QAction*>("actionSaveSession");
    auto* open = m_window->findChild<QAction*>("actionOpenSession");
    QVERIFY(save && open);
    QCOMPARE(test::answerFileDialog(open, {}), documents);
    QVERIFY(documents != QFileInfo(m_encdec).absolutePath());
    QCOMPARE(test::answerFileDialog(save, {}), documents);

    QTemporaryDir lessons, other;
    const QString first = lessons.filePath("first.attnscope.json");
    QCOMPARE(test::answerFileDialog(save, first), documents);
    QVERIFY(QFileInfo(first).size() > 0);
    QCOMPARE(test::answerFileDialog(open, {}), QDir(lessons.path()).absolutePath()); // remembered
    QCOMPARE(test::answerFileDialog(save, {}), QDir(lessons.path()).absolutePath());
    // Opening a model elsewhere does not move it; opening a session does.
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    QCOMPARE(m_window->sessionDirectory(), QDir(lessons.path()).absolutePath());
    QVERIFY(QFile::copy(first, other.filePath("copy.attnscope.json")));
    QCOMPARE(test::answerFileDialog(open, other.filePath("copy.attnscope.json")), QDir(lessons.path()).absolutePath());
    QCOMPARE(QFileInfo(QString::fromStdString(m_window->model()->path)).canonicalFilePath(),
             QFileInfo(m_encdec).canonicalFilePath()); // it was opened
    QCOMPARE(m_window->sessionDirectory(), QDir(other.path()).absolutePath());
    waitIdle();

    // Remembered across runs (saved on close), Documents again once the folder is gone.
    m_window->close();
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->sessionDirectory(), QDir(other.path()).absolutePath());
    other.remove();
    QCOMPARE(m_window->sessionDirectory(), documents);
    m_window->resize(1280, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

int main(int argc, char** argv) { return test::runGuiTest<TestSessionNeuron>(argc, argv); }

#include "test_session_neuron.moc"
