// Long inputs in the app: a 2048-token slice in HeatmapPlot (cells where placeCells puts them,
// token labels thinned to what fits and re-thinned on zoom, wheel zoom and drag pan kept inside
// the matrix), and a 2048-token run of a model whose full capture exceeds the budget: the trace
// is compact, the head view shows the recomputed head (equal to a full capture), the overview
// shows thumbnails, and the analyses that need every head say why they are off. No timings
// here: those are bench/render_bench.cpp and bench/memory_bench.cpp.
#include "app/main_window.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/recompute.h"
#include "render/heatmap_plot.h"

#include <nlohmann/json.hpp>

#include <QtTest>
#include <QtWidgets>

#include <random>

using namespace attnscope;

namespace {

constexpr int kTokens = 2048;

AttentionSlice bigSlice(int n)
{
    AttentionSlice s;
    s.weights.resize(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            s.weights(i, j) = float((i * 131 + j * 17) % 1000) / 1000.0f;
    for (int i = 0; i < n; ++i) {
        s.queryLabels << QStringLiteral("q%1").arg(i);
        s.keyLabels << QStringLiteral("k%1").arg(i);
    }
    s.title = QStringLiteral("big");
    return s;
}

QMap<double, QString> ticks(QCPAxis* axis)
{
    return axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
}

// A char-level decoder, 2 layers × 4 heads, d_model 16, max_len 2048: its full capture of a
// 2048-token input is 2 × 4 × 2 × 2048² floats = 268 MB, over the app's 256 MiB budget.
std::string longModel()
{
    using nlohmann::json;
    ModelConfig c;
    c.type = ArchType::Decoder;
    c.dModel = 16;
    c.nHeads = 4;
    c.dFf = 32;
    c.decoderLayers = 2;
    c.positional = Positional::Learned;
    c.maxLen = kTokens;
    c.finalNorm = true;
    std::vector<std::string> vocab{"<pad>", "<unk>", "<s>", "</s>", " "};
    for (char ch = 'a'; ch <= 'z'; ++ch)
        vocab.push_back(std::string(1, ch));
    json m;
    m["format"] = "attnscope-model";
    m["version"] = 1;
    m["name"] = "long-decoder";
    m["description"] = "2048-token test model";
    m["architecture"] = {{"type", "decoder"},      {"d_model", 16},           {"n_heads", 4},         {"d_ff", 32},
                         {"encoder_layers", 0},    {"decoder_layers", 2},     {"activation", "gelu"}, {"norm", "pre"},
                         {"layer_norm_eps", 1e-5}, {"positional", "learned"}, {"max_len", kTokens},   {"bias", true},
                         {"tied_output", true},    {"final_norm", true}};
    m["tokenizer"] = {{"type", "char"},
                      {"vocab", vocab},
                      {"source_prefix", {"bos"}},
                      {"special_tokens", {{"pad", "<pad>"}, {"unk", "<unk>"}, {"bos", "<s>"}, {"eos", "</s>"}}}};
    c.tiedOutput = true;
    json w = json::object();
    std::mt19937 rng(5);
    for (const auto& s : requiredTensors(c, int(vocab.size()), int(vocab.size()))) {
        size_t n = 1;
        for (int d : s.shape)
            n *= size_t(d);
        std::normal_distribution<float> dist(0.0f, s.shape.size() == 2 ? 0.4f : 0.1f);
        std::vector<float> values(n);
        for (float& v : values)
            v = dist(rng);
        if (s.name.find("norm") != std::string::npos && s.name.find("weight") != std::string::npos)
            std::fill(values.begin(), values.end(), 1.0f);
        w[s.name] = {{"shape", s.shape}, {"b64", encodeFloat32Base64(values.data(), n)}};
    }
    m["weights"] = w;
    m["examples"] = json::array({{{"text", "abc"}}});
    return m.dump();
}

} // namespace

class TestLongInput : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void heatmapShows2048Tokens();
    void zoomAndPanStayInside();
    void longRunIsCompactAndRecomputed();

  private:
    QTemporaryDir m_dir;
    QString m_model;
};

void TestLongInput::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath(QStringLiteral("long.json"));
    QFile f(m_model);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const std::string text = longModel();
    QCOMPARE(f.write(text.c_str(), qint64(text.size())), qint64(text.size()));
}

void TestLongInput::heatmapShows2048Tokens()
{
    HeatmapPlot plot;
    plot.resize(1000, 900);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const AttentionSlice s = bigSlice(kTokens);
    plot.setSlice(s);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QCPColorMapData* data = plot.colorMap()->data();
    QCOMPARE(data->keySize(), kTokens);
    QCOMPARE(data->valueSize(), kTokens);
    // Spot checks: corners, diagonal and scattered cells (cell (key j, query i) = weights(i, j)).
    std::mt19937 rng(3);
    std::vector<std::pair<int, int>> cells{{0, 0}, {0, kTokens - 1}, {kTokens - 1, 0}, {kTokens - 1, kTokens - 1}};
    for (int k = 0; k < 300; ++k)
        cells.emplace_back(int(rng() % kTokens), int(rng() % kTokens));
    for (const auto& [i, j] : cells)
        QCOMPARE(data->cell(j, i), double(s.weights(i, j)));
    QVERIFY(!plot.colorMap()->interpolate());
    QVERIFY(plot.yAxis->rangeReversed());
    // Labels thinned: at most one per line of text, every k-th token, each naming its token.
    for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
        const QMap<double, QString> t = ticks(axis);
        QVERIFY2(t.size() >= 8 && t.size() <= 900 / QFontMetrics(axis->tickLabelFont()).height(),
                 qPrintable(QString::number(t.size())));
        const QStringList& labels = axis == plot.xAxis ? s.keyLabels : s.queryLabels;
        for (auto it = t.begin(); it != t.end(); ++it)
            QCOMPARE(it.value(), labels[int(it.key())]);
        const int step = int((std::next(t.begin())).key() - t.begin().key());
        QVERIFY(step > 1);
    }
    // Hover text reads the matrix.
    QCOMPARE(plot.cellText(1000, 7), QStringLiteral("q1000 \u2192 k7: %1").arg(double(s.weights(1000, 7)), 0, 'f', 3));
}

void TestLongInput::zoomAndPanStayInside()
{
    HeatmapPlot plot;
    plot.resize(1000, 900);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setSlice(bigSlice(kTokens));
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QVERIFY(plot.interactions().testFlag(QCP::iRangeZoom));
    QVERIFY(plot.interactions().testFlag(QCP::iRangeDrag));
    const QPointF centre = plot.axisRect()->rect().center();
    const int before = int(ticks(plot.xAxis).size());
    const double firstStep = ticks(plot.xAxis).keys().at(1) - ticks(plot.xAxis).keys().at(0);
    for (int k = 0; k < 25; ++k) { // zoom far in: ~3.8 % of the range per axis
        QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&plot, &wheel);
    }
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QVERIFY(plot.xAxis->range().size() < 20);
    QVERIFY(plot.xAxis->range().size() >= 4.0 - 1e-9); // never narrower than four cells
    // Zoomed in, every visible token is labelled again (consecutive ticks).
    const QList<double> keys = ticks(plot.xAxis).keys();
    QVERIFY(keys.size() >= 2);
    QVERIFY(keys.at(1) - keys.at(0) < firstStep);
    QVERIFY(before > 0);
    // Drag right and down: the view moves towards key 0 and query 0 ...
    const QCPRange beforeX = plot.xAxis->range(), beforeY = plot.yAxis->range();
    QTest::mousePress(&plot, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    for (int k = 1; k <= 20; ++k)
        QTest::mouseMove(&plot, (centre + QPointF(40.0 * k, 40.0 * k)).toPoint());
    QMouseEvent move(QEvent::MouseMove, centre + QPointF(900, 900), plot.mapToGlobal(centre + QPointF(900, 900)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&plot, &move);
    QTest::mouseRelease(&plot, Qt::LeftButton, Qt::NoModifier, (centre + QPointF(900, 900)).toPoint());
    QVERIFY(plot.xAxis->range().lower < beforeX.lower - 5);
    QVERIFY(std::abs(plot.xAxis->range().size() - beforeX.size()) < 1e-6);
    QVERIFY(plot.yAxis->range().lower != beforeY.lower);
    // ... and stops at the matrix's edge.
    plot.xAxis->setRange(-300, -280);
    plot.yAxis->setRange(5000, 5030);
    QCOMPARE(plot.xAxis->range().lower, -0.5);
    QCOMPARE(plot.xAxis->range().upper, 19.5);
    QCOMPARE(plot.yAxis->range().upper, kTokens - 0.5);
    QCOMPARE(plot.yAxis->range().size(), 30.0);
    // Zoom out as far as possible: the whole matrix, no further.
    for (int k = 0; k < 60; ++k) {
        QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&plot, &wheel);
    }
    QCOMPARE(plot.xAxis->range().lower, -0.5);
    QCOMPARE(plot.xAxis->range().upper, kTokens - 0.5);
    // Same-shape slices keep the zoom (switching heads); double-click resets it.
    for (int k = 0; k < 5; ++k) {
        QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&plot, &wheel);
    }
    const QCPRange zoomed = plot.xAxis->range();
    plot.setSlice(bigSlice(kTokens));
    QCOMPARE(plot.xAxis->range(), zoomed);
    QTest::mouseDClick(&plot, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    QCOMPARE(plot.xAxis->range().size(), double(kTokens));
    plot.setSlice(bigSlice(64)); // another shape: whole matrix
    QCOMPARE(plot.xAxis->range().upper, 63.5);
}

void TestLongInput::longRunIsCompactAndRecomputed()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openModel(m_model));
    QTRY_VERIFY(window.runner()->isIdle() && window.result());
    QVERIFY(!window.result()->trace.compact); // a short input keeps the full capture

    QString text;
    std::mt19937 rng(9);
    while (text.size() < kTokens - 1)
        text += QChar(rng() % 5 == 0 ? ' ' : char('a' + rng() % 26));
    window.setInputText(text);
    QTRY_VERIFY_WITH_TIMEOUT(
        window.runner()->isIdle() && window.result() && window.result()->sourceTokens.size() == size_t(kTokens), 60000);
    const RunResult& r = *window.result();
    QVERIFY(r.trace.compact);
    QVERIFY(r.trace.decoder.size() == 2 && r.trace.decoder[0].heads.size() == 4);
    QVERIFY(r.trace.decoder[0].heads[0].weights.size() == 0);
    QCOMPARE(r.trace.decoder[1].heads[3].thumbnail.rows(), Eigen::Index(128));
    bool warned = false;
    for (const std::string& w : r.warnings)
        warned |= w.find("long input") != std::string::npos;
    QVERIFY(warned);
    QVERIFY(!window.analysis()); // census and importance need every head: off for long inputs
    QVERIFY(!r.predictions.empty());

    // The reference: the same run with the full attention capture, no budget.
    const Transformer reference(window.model());
    RunOptions options;
    options.text = text.toStdString();
    options.capture = Capture::Attention;
    const RunResult full = runModel(reference, options);
    QCOMPARE(full.predictions.front().id, r.predictions.front().id);
    QVERIFY(std::abs(full.predictions.front().probability - r.predictions.front().probability) < 1e-6f);

    for (const HeadSelection sel : {HeadSelection{Stack::Decoder, 0, 0}, HeadSelection{Stack::Decoder, 1, 3},
                                    HeadSelection{Stack::Decoder, 1, kMeanOfHeads}}) {
        window.setSelection(sel);
        QCPColorMapData* data = window.headPlot()->colorMap()->data();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.runner()->sliceIdle() && window.headPlot()->slice().weights.rows() == kTokens &&
                window.headPlot()->slice().title.contains(
                    sel.head == kMeanOfHeads ? QStringLiteral("mean") : QStringLiteral("head %1").arg(sel.head)) &&
                window.headPlot()->slice().title.contains(QStringLiteral("layer %1").arg(sel.layer)),
            20000);
        const LayerTrace& layer = full.trace.decoder[size_t(sel.layer)];
        const MatrixRM want = sel.head == kMeanOfHeads ? meanOfHeads(layer) : layer.heads[size_t(sel.head)].weights;
        std::mt19937 pick(sel.layer * 10 + sel.head);
        for (int k = 0; k < 400; ++k) {
            const int i = int(pick() % kTokens), j = int(pick() % (i + 1)); // causal: keys ≤ query
            QVERIFY(std::abs(data->cell(j, i) - double(want(i, j))) <= 1e-6);
        }
        QCOMPARE(data->cell(kTokens - 1, 0), 0.0); // masked key
        QVERIFY(window.headPlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks().size() < 200);
    }
    // Rollout needs every head: the reason is shown instead.
    QString why;
    QVERIFY(aggregateSlice(r, window.model()->config, Stack::Decoder, Aggregate::Rollout, &why).empty());
    QVERIFY(why.contains(QStringLiteral("2048 tokens")));
    // Every view renders without the full matrices.
    for (const MainWindow::View v :
         {MainWindow::View::Overview, MainWindow::View::Alignment, MainWindow::View::StepThrough,
          MainWindow::View::Census, MainWindow::View::Ablation, MainWindow::View::Rollout}) {
        window.setView(v);
        const QString png = m_dir.filePath(QStringLiteral("view%1.png").arg(int(v)));
        QCOMPARE(window.exportCurrentView(png, 1.0), QString());
        QVERIFY(!QImage(png).isNull());
    }
}

int main(int argc, char** argv)
{
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
    QApplication::setApplicationName(QStringLiteral("AttnScopeTest"));
    TestLongInput test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_long_input.moc"
