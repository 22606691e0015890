// Long inputs in the app: a 2048-token slice in HeatmapPlot (cells where placeCells puts them,
// token labels thinned to what fits and re-thinned on zoom, wheel zoom and drag pan kept inside
// the matrix), and a 2048-token run of a model whose full capture exceeds the budget: the trace
// is compact, the head view shows the recomputed head (equal to a full capture), the overview
// shows thumbnails, and the analyses that need every head say why they are off. The views that
// recompute what they show from the compact trace (step-through and neuron view, alignment,
// compare with its per-head map, timeline) and mean ablation with a long reference are checked
// against a full-capture engine run of the same input, to 1e-5. No timings here: those are bench/render_bench.cpp and
// bench/memory_bench.cpp.
#include "app/alignment_view.h"
#include "app/compare_view.h"
#include "app/main_window.h"
#include "app/neuron_view.h"
#include "app/step_through_view.h"
#include "app/timeline_view.h"
#include "core/analysis/census.h"
#include "core/analysis/compare.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/recompute.h"
#include "render/heatmap_plot.h"
#include "render/image_export.h"
#include "test_fixtures.h"

#include <nlohmann/json.hpp>

#include <QtTest>
#include <QtWidgets>

#include <functional>
#include <limits>
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

// Random letters and spaces (one token per character for the char-level model).
QString randomText(int length, unsigned seed)
{
    QString text;
    std::mt19937 rng(seed);
    while (text.size() < length)
        text += QChar(rng() % 5 == 0 ? ' ' : char('a' + rng() % 26));
    return text;
}

// max |a − b| over the cells (NaN in both counts as equal); infinity when the shapes differ.
double maxDiff(const Eigen::Ref<const MatrixRM>& a, const Eigen::Ref<const MatrixRM>& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.size() == 0) return std::numeric_limits<double>::infinity();
    double m = 0.0;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j) {
            const float x = a(i, j), y = b(i, j);
            if (std::isnan(x) || std::isnan(y)) {
                if (std::isnan(x) != std::isnan(y)) return std::numeric_limits<double>::infinity();
                continue;
            }
            m = std::max(m, double(std::abs(x - y)));
        }
    return m;
}

constexpr double kTolerance = 1e-5;

// The reference: the engine run of the same input with a full capture and no budget.
RunResult fullRun(std::shared_ptr<const Model> model, const QString& text, bool generate = false,
                  std::shared_ptr<const HeadAblation> ablation = nullptr)
{
    const Transformer transformer(std::move(model));
    RunOptions o;
    o.text = text.toStdString();
    o.capture = Capture::Full;
    o.generate = generate;
    o.topK = 10;
    o.ablation = std::move(ablation);
    return runModel(transformer, o);
}

// Opens the model in `window` and runs `text`; true once the (compact) result is shown.
bool showLong(MainWindow& window, const QString& model, const QString& text)
{
    window.resize(1280, 800);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window) || !window.openModel(model)) return false;
    window.setInputText(text);
    return QTest::qWaitFor([&] {
        return window.runner()->isIdle() && window.result() &&
               window.result()->sourceTokens.size() == size_t(text.size() + 1); // + <s>
    }, 60000);
}

// The compare view's per-head map equals `want` (core on full captures) within kTolerance, names
// the same most changed head, and its two panels draw the values × 100.
void checkChangeMap(CompareView* c, const HeadChangeMap& want)
{
    const HeadChangeMap& got = c->headChanges();
    QCOMPARE(got.meanAbs.rows(), want.meanAbs.rows());
    QCOMPARE(got.meanAbs.cols(), want.meanAbs.cols());
    QVERIFY(maxDiff(got.meanAbs, want.meanAbs) <= kTolerance);
    QVERIFY(maxDiff(got.maxAbs, want.maxAbs) <= kTolerance);
    QVERIFY(want.maxAbs.maxCoeff() > 1e-4); // the change shows in the map
    QCOMPARE(got.layer, want.layer);
    QCOMPARE(got.head, want.head);
    const auto& panels = c->changeMap()->panels();
    QCOMPARE(panels.size(), size_t(2));
    // × 100 (percentage points), or the power of ten the title names when that would read 0.00.
    const int km = CompareView::changeMapExponent(got.meanAbs), kx = CompareView::changeMapExponent(got.maxAbs);
    QVERIFY(panels[0].values == got.meanAbs * CompareView::changeMapScale(km));
    QVERIFY(panels[1].values == got.maxAbs * CompareView::changeMapScale(kx));
    for (const auto& [panel, k] : {std::pair{&panels[0], km}, std::pair{&panels[1], kx}}) {
        QVERIFY(panel->values.maxCoeff() >= 0.005f); // legible with two decimals
        QCOMPARE(panel->title.endsWith(QStringLiteral("\u00D7 100")), k == 2); // else × 10ᵏ
    }
    QVERIFY(c->statusText().contains(QStringLiteral("layer %1, head %2").arg(want.layer).arg(want.head)));
}

bool waitRecomputed(MainWindow& window, const std::function<bool()>& ready)
{
    return QTest::qWaitFor([&] { return window.runner()->isIdle() && window.runner()->sliceIdle() && ready(); }, 60000);
}

} // namespace

class TestLongInput : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void heatmapShows2048Tokens();
    void longMatrixPooled();
    void exportPlacesForItsResolution();
    void zoomAndPanStayInside();
    void longRunIsCompactAndRecomputed();
    void stepThroughAndNeuronViewRecomputed();
    void alignmentRecomputed_data();
    void alignmentRecomputed();
    void compareRecomputed();
    void timelineRecomputed();
    void meanAblationWithLongReference();

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
    // The plot holds the whole matrix (hover, export, zoom read it) ...
    QVERIFY(plot.slice().weights == s.weights);
    // ... and gives QCustomPlot about one cell per pixel: blocks of cells (longMatrixPooled).
    QCPColorMapData* data = plot.colorMap()->data();
    const HeatmapPlot::Placement& p = plot.placement();
    QVERIFY(p.keyBlock > 1 && p.queryBlock > 1);
    QCOMPARE(data->keySize(), p.keyCells);
    QCOMPARE(data->valueSize(), p.queryCells);
    QVERIFY(p.keyCells <= 1000 && p.queryCells <= 900);
    QCOMPARE(p.firstKey, 0);
    QVERIFY((p.keyCells - 1) * p.keyBlock < kTokens && p.keyCells * p.keyBlock >= kTokens); // every key covered
    QVERIFY(!plot.colorMap()->interpolate());
    QVERIFY(plot.yAxis->rangeReversed());
    // Labels thinned: at most one per line of text, every k-th token, each naming its token.
    for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
        const QMap<double, QString> t = ticks(axis);
        QVERIFY2(t.size() >= 8 && t.size() <= 900 / QFontMetrics(axis->tickLabelFont()).height(),
                 qPrintable(QString::number(t.size())));
        const QStringList& labels = axis == plot.xAxis ? s.keyLabels : s.queryLabels;
        const int step = int((std::next(t.begin())).key() - t.begin().key());
        QVERIFY(step > 1);
        // Thinned: each label names its position too ("12:th"), so every k-th token is not read as a word.
        for (auto it = t.begin(); it != t.end(); ++it)
            QCOMPARE(it.value(), QStringLiteral("%1:%2").arg(int(it.key())).arg(labels[int(it.key())]));
    }
    // Hover text reads the matrix.
    QCOMPARE(plot.cellText(1000, 7), QStringLiteral("q1000 \u2192 k7: %1").arg(double(s.weights(1000, 7)), 0, 'f', 3));
}

void TestLongInput::longMatrixPooled()
{
    // Small values with a few single strong cells: a pixel covering several cells shows their
    // largest value, so each spike is drawn at 2048 tokens; zoomed in, cells are placed one by one.
    HeatmapPlot plot;
    plot.resize(1000, 900);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    AttentionSlice s = bigSlice(kTokens);
    s.weights *= 0.01f;
    const std::vector<std::pair<int, int>> spikes{{1000, 1500}, {0, 0}, {kTokens - 1, kTokens - 1}, {7, 2040}};
    for (const auto& [i, j] : spikes) s.weights(i, j) = 0.9f;
    plot.setSlice(s);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QCPColorMapData* data = plot.colorMap()->data();
    HeatmapPlot::Placement p = plot.placement();
    QVERIFY(p.keyBlock > 1 && p.queryBlock > 1);
    // Every placed cell is the largest value of its block, computed here independently.
    for (int r = 0; r < p.queryCells; ++r)
        for (int c = 0; c < p.keyCells; ++c) {
            const int i0 = p.firstQuery + r * p.queryBlock, j0 = p.firstKey + c * p.keyBlock;
            const int rows = std::min(p.queryBlock, kTokens - i0), cols = std::min(p.keyBlock, kTokens - j0);
            const double want = double(s.weights.block(i0, j0, rows, cols).maxCoeff());
            if (data->cell(c, r) != want) QFAIL(qPrintable(QString("placed cell (%1, %2)").arg(c).arg(r)));
        }
    for (const auto& [i, j] : spikes)
        QCOMPARE(data->cell((j - p.firstKey) / p.keyBlock, (i - p.firstQuery) / p.queryBlock), double(0.9f));
    // The placed cells sit on the matrix's coordinates: a block's centre is its cells' centre.
    double key = 0, query = 0;
    data->cellToCoord(1, 1, &key, &query);
    QCOMPARE(key, p.keyBlock + (p.keyBlock - 1) / 2.0);
    QCOMPARE(query, p.queryBlock + (p.queryBlock - 1) / 2.0);

    // Zoomed to 100 × 100 cells around the first spike: placed one by one, exactly.
    plot.xAxis->setRange(1449.5, 1549.5);
    plot.yAxis->setRange(949.5, 1049.5);
    p = plot.placement();
    QCOMPARE(p.keyBlock, 1);
    QCOMPARE(p.queryBlock, 1);
    QVERIFY(p.firstKey <= 1450 && p.firstQuery <= 950);
    for (int r = 0; r < p.queryCells; ++r)
        for (int c = 0; c < p.keyCells; ++c)
            QCOMPARE(data->cell(c, r), double(s.weights(p.firstQuery + r, p.firstKey + c)));
    QCOMPARE(data->cell(1500 - p.firstKey, 1000 - p.firstQuery), double(0.9f));
    data->cellToCoord(0, 0, &key, &query);
    QCOMPARE(key, double(p.firstKey));
    QCOMPARE(query, double(p.firstQuery));
    // Reset: blocks again.
    plot.resetView();
    QVERIFY(plot.placement().keyBlock > 1);

    // A signed map (A − B) keeps its sign and pools by the largest |value|.
    AttentionSlice d = bigSlice(kTokens);
    d.weights.setConstant(0.001f);
    d.weights(1000, 1500) = -0.5f;
    d.weights(1001, 1500) = 0.2f;
    plot.setSlice(d);
    p = plot.placement();
    QCOMPARE(data->cell((1500 - p.firstKey) / p.keyBlock, (1000 - p.firstQuery) / p.queryBlock), double(-0.5f));

    // Small matrices are placed whole, cell for cell, as before.
    plot.setSlice(bigSlice(300));
    QCOMPARE(plot.placement().keyBlock, 1);
    QCOMPARE(data->keySize(), 300);
    QCOMPARE(data->cell(17, 250), double(bigSlice(300).weights(250, 17)));
}

// An export at 4× draws a long matrix at its own resolution, not the screen's pooled placement:
// two key columns three apart share one band of placed cells on screen (blocks of 3 at 730 px
// for 2048 keys) but come out as two separate bands in a 4× PNG (blocks of 1 at 2920 px). The
// on-screen placement is the same before and after.
void TestLongInput::exportPlacesForItsResolution()
{
    HeatmapPlot plot;
    plot.resize(900, 800);
    AttentionSlice s = bigSlice(kTokens);
    s.weights.setZero();
    s.weights.col(1000).setOnes();
    s.weights.col(1003).setOnes();
    plot.setSlice(s);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    const HeatmapPlot::Placement before = plot.placement();
    QCOMPARE(before.keyBlock, 3);
    QCOMPARE(plot.colorMap()->data()->cell((1000 - before.firstKey) / 3, 10), 1.0);
    QCOMPARE(plot.colorMap()->data()->cell((1003 - before.firstKey) / 3, 10), 1.0); // the neighbouring block

    // Bright (viridis' top: yellow) runs along the PNG's middle row, in the plot area.
    auto brightRuns = [](const QImage& image) {
        int runs = 0;
        bool inRun = false;
        const int y = image.height() / 2;
        for (int x = 0; x < image.width() * 3 / 4; ++x) { // left of the colour scale
            const QColor c = image.pixelColor(x, y);
            const bool bright = c.red() > 180 && c.green() > 180 && c.blue() < 120;
            if (bright && !inRun) ++runs;
            inRun = bright;
        }
        return runs;
    };
    for (const double scale : {1.0, 4.0}) {
        ExportOptions o;
        o.size = QSize(900, 800);
        o.scale = scale;
        QString error;
        const QByteArray png = renderImage(ImageFormat::Png, plotPaintFunction(&plot), o, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QImage image = QImage::fromData(png, "PNG");
        QCOMPARE(image.width(), int(900 * scale));
        QCOMPARE(brightRuns(image), scale == 1.0 ? 1 : 2);
        QVERIFY(plot.placement() == before);
    }
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
        // The plot's matrix (what it places, block by block: longMatrixPooled) is the engine's.
        const MatrixRM& shown = window.headPlot()->slice().weights;
        for (int k = 0; k < 400; ++k) {
            const int i = int(pick() % kTokens), j = int(pick() % (i + 1)); // causal: keys ≤ query
            QVERIFY(std::abs(shown(i, j) - want(i, j)) <= 1e-6f);
        }
        QCOMPARE(shown(0, kTokens - 1), 0.0f); // masked key
        QVERIFY(data->keySize() <= kTokens);
        QVERIFY(window.headPlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks().size() < 200);
    }
    // Rollout needs every head: the reason is shown instead.
    QString why;
    QVERIFY(aggregateSlice(r, window.model()->config, Stack::Decoder, Aggregate::Rollout, &why).empty());
    QVERIFY(why.contains(QStringLiteral("2048 tokens")));
    // Every view renders without the full matrices.
    for (const MainWindow::View v :
         {MainWindow::View::Overview, MainWindow::View::Alignment, MainWindow::View::StepThrough,
          MainWindow::View::Census, MainWindow::View::Ablation, MainWindow::View::Rollout,
          MainWindow::View::Compare, MainWindow::View::Timeline}) {
        window.setView(v);
        QVERIFY(waitRecomputed(window, [] { return true; }));
        const QString png = m_dir.filePath(QStringLiteral("view%1.png").arg(int(v)));
        QCOMPARE(window.exportCurrentView(png, 1.0), QString());
        QVERIFY(!QImage(png).isNull());
    }
}

void TestLongInput::stepThroughAndNeuronViewRecomputed()
{
    MainWindow window;
    const QString text = randomText(kTokens - 1, 9);
    QVERIFY(showLong(window, m_model, text));
    QVERIFY(window.result()->trace.compact);
    const RunResult full = fullRun(window.model(), text);
    const HeadSelection sel{Stack::Decoder, 1, 2};
    window.setSelection(sel);
    window.setView(MainWindow::View::StepThrough);
    StepThroughView* step = window.stepThroughView();
    QVERIFY(waitRecomputed(window, [&] { return !step->isWaiting() && step->steps(); }));
    // Every step of the whole head equals the full capture's head.
    const HeadTrace& h = full.trace.decoder[1].heads[2];
    const StepThrough& s = *step->steps();
    QCOMPARE(s.weights.rows(), Eigen::Index(kTokens));
    QVERIFY(maxDiff(s.q, h.q) <= kTolerance);
    QVERIFY(maxDiff(s.k, h.k) <= kTolerance);
    QVERIFY(maxDiff(s.v, h.v) <= kTolerance);
    QVERIFY(maxDiff(s.scaled, h.scores) <= kTolerance);
    QVERIFY2(maxDiff(s.weights, h.weights) <= kTolerance, qPrintable(QString::number(maxDiff(s.weights, h.weights))));
    QVERIFY(maxDiff(s.output, h.output) <= kTolerance);
    QCOMPARE(s.masked(0, kTokens - 1), -std::numeric_limits<float>::infinity()); // causal
    // The canvas shows a window of kStepWindow queries and keys around the selected cell (the
    // last query and its strongest key), with the whole head's numbers.
    const auto [q, k] = step->selectedCell();
    QCOMPARE(q, kTokens - 1);
    const auto [q0, k0] = step->windowOrigin();
    QVERIFY(q >= q0 && q < q0 + kStepWindow && k >= k0 && k < k0 + kStepWindow);
    const MatrixRM* shown = step->canvas()->matrix(StepCanvas::Weights);
    QVERIFY(shown);
    QCOMPARE(shown->rows(), Eigen::Index(kStepWindow));
    QVERIFY(maxDiff(*shown, h.weights.block(q0, k0, kStepWindow, kStepWindow)) <= kTolerance);
    QVERIFY(maxDiff(*step->canvas()->matrix(StepCanvas::Q), h.q.middleRows(q0, kStepWindow)) <= kTolerance);
    QVERIFY(step->explanationHtml().contains(QStringLiteral("not listed")));
    // Another cell far away: the window follows, and the neuron view shows that query's row.
    step->setPanel(StepThroughView::Panel::Neuron);
    step->selectCell(1500, 700);
    QCOMPARE(step->windowOrigin().first, 1500 - kStepWindow / 2);
    QCOMPARE(step->windowOrigin().second, 700 - kStepWindow / 2);
    QVERIFY(step->neuron());
    QCOMPARE(step->neuron()->query, 1500);
    QVERIFY(maxDiff(step->neuron()->weights, h.weights.row(1500)) <= kTolerance);
    QVERIFY(maxDiff(step->neuron()->scaled, h.scores.row(1500)) <= kTolerance);
    const NeuronView* drawn = step->neuronCanvas()->neuron();
    QCOMPARE(drawn->k.rows(), Eigen::Index(kStepWindow));
    QVERIFY(maxDiff(drawn->weights, h.weights.row(1500).segment(700 - kStepWindow / 2, kStepWindow)) <= kTolerance);
    // A click on the canvas selects by window position.
    step->setPanel(StepThroughView::Panel::Steps);
    QApplication::processEvents();
    const QRect cell = step->canvas()->cellRect(StepCanvas::Weights, 3, 5, step->canvas()->size());
    QVERIFY(!cell.isEmpty());
    QTest::mouseClick(step->canvas(), Qt::LeftButton, Qt::NoModifier, cell.center());
    QCOMPARE(step->selectedCell(), std::make_pair(1500 - kStepWindow / 2 + 3, 700 - kStepWindow / 2 + 5));
    // τ ≠ 1 recomputes the steps of the recomputed head; τ = 1 gives the engine's weights again.
    step->setTemperature(0.5);
    QVERIFY(maxDiff(step->steps()->weights, h.weights) > 1e-3);
    step->setTemperature(1.0);
    QVERIFY(maxDiff(step->steps()->weights, h.weights) <= kTolerance);
    // The mean of heads has no single step-through: the view says so and asks for nothing.
    window.setSelection({Stack::Decoder, 1, kMeanOfHeads});
    QVERIFY(!step->isWaiting() && !step->steps());
    const QString png = m_dir.filePath(QStringLiteral("step.png"));
    window.setSelection(sel);
    QVERIFY(waitRecomputed(window, [&] { return !step->isWaiting() && step->steps(); }));
    QCOMPARE(window.exportCurrentView(png, 1.0), QString());
    QVERIFY(!QImage(png).isNull());
}

void TestLongInput::alignmentRecomputed_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("head");
    QTest::newRow("layer 0 head 1") << 0 << 1;
    QTest::newRow("layer 1 head 3") << 1 << 3;
    QTest::newRow("layer 1 mean of heads") << 1 << kMeanOfHeads;
}

void TestLongInput::alignmentRecomputed()
{
    QFETCH(int, layer);
    QFETCH(int, head);
    MainWindow window;
    const QString text = randomText(kTokens - 1, 11);
    QVERIFY(showLong(window, m_model, text));
    const RunResult full = fullRun(window.model(), text);
    window.setView(MainWindow::View::Alignment);
    window.setSelection({Stack::Decoder, layer, head});
    AlignmentView* a = window.alignmentView();
    QVERIFY(waitRecomputed(window, [&] { return !a->isWaiting() && a->headCount() == 1; }));
    // One line set: the selected head, or the layer's mean, as the full capture has it.
    const LayerTrace& l = full.trace.decoder[size_t(layer)];
    const MatrixRM want = head == kMeanOfHeads ? meanOfHeads(l) : l.heads[size_t(head)].weights;
    QCOMPARE(a->headOf(0), head);
    QVERIFY(a->headVisible(0));
    QVERIFY(maxDiff(a->lineWeights(0), want) <= kTolerance);
    QCOMPARE(a->leftLabels().size(), kTokens);
    QVERIFY(a->message().isEmpty());
    const QString png = m_dir.filePath(QStringLiteral("alignment.png"));
    QCOMPARE(window.exportCurrentView(png, 1.0), QString());
    const QImage image(png);
    QVERIFY(!image.isNull() && image.height() < 2000); // thin rows: the view's own size, not a row per token
}

void TestLongInput::compareRecomputed()
{
    MainWindow window;
    const QString textA = randomText(kTokens - 1, 13);
    QVERIFY(showLong(window, m_model, textA));
    QString textB = textA;
    textB[1000] = textA[1000] == QLatin1Char('q') ? QLatin1Char('z') : QLatin1Char('q'); // one token, same length
    const HeadSelection sel{Stack::Decoder, 1, 0};
    window.setSelection(sel);
    window.setView(MainWindow::View::Compare);
    CompareView* c = window.compareView();
    c->setTextB(textB);
    // isIdle: B's run, the selected head and every head of the per-head map are done.
    QVERIFY(QTest::qWaitFor([&] {
        return c->isIdle() && !c->isWaiting() && c->resultB() && c->resultB()->trace.compact &&
               c->difference().rows() == kTokens;
    }, 120000));
    const RunResult fullA = fullRun(window.model(), textA), fullB = fullRun(window.model(), textB);
    QVERIFY(c->aligned());
    QCOMPARE(c->alignment().differingQueries, std::vector<int>{1001}); // after <s>
    const MatrixRM& wantA = fullA.trace.decoder[1].heads[0].weights;
    const MatrixRM& wantB = fullB.trace.decoder[1].heads[0].weights;
    QVERIFY(maxDiff(c->plotA()->slice().weights, wantA) <= kTolerance);
    QVERIFY(maxDiff(c->plotB()->slice().weights, wantB) <= kTolerance);
    const MatrixRM wantDiff = attentionDifference(fullA.trace, fullB.trace, Stack::Decoder, 1, 0);
    QVERIFY(maxDiff(c->difference(), wantDiff) <= kTolerance);
    QVERIFY(wantDiff.cwiseAbs().maxCoeff() > 1e-4); // the change shows
    QVERIFY(c->statusText().contains(QStringLiteral("max |A")));
    // The per-head map, every head of A and B recomputed on the worker: core's headChanges of the
    // full captures, and drawn as such (× 100).
    checkChangeMap(c, headChanges(fullA.trace, fullB.trace, Stack::Decoder));
    // The mean of heads, recomputed for both.
    window.setSelection({Stack::Decoder, 0, kMeanOfHeads});
    QVERIFY(QTest::qWaitFor([&] { return c->isIdle() && !c->isWaiting() && c->difference().rows() == kTokens; }, 60000));
    QVERIFY(maxDiff(c->difference(), attentionDifference(fullA.trace, fullB.trace, Stack::Decoder, 0, kCompareMeanOfHeads)) <=
            kTolerance);
    QVERIFY(maxDiff(c->plotA()->slice().weights, meanOfHeads(fullA.trace.decoder[0])) <= kTolerance);
    QCOMPARE(c->changeMapProgress(), std::make_pair(8, 8)); // kept: same pair, another head selected

    // B changed again while the map is being filled, and the head switched meanwhile: the map
    // starts again for the new pair and ends as core's for it (no head of the old pair kept).
    QString textB2 = textB;
    textB2[300] = textB[300] == QLatin1Char('e') ? QLatin1Char('x') : QLatin1Char('e');
    c->setTextB(textB2);
    QVERIFY(QTest::qWaitFor([&] {
        return c->resultB() && c->resultB()->sourceTokens[301].text != c->resultA()->sourceTokens[301].text;
    }, 60000));
    QVERIFY(QTest::qWaitFor([&] { return c->changeMapProgress().first >= 1; }, 60000));
    window.setSelection({Stack::Decoder, 1, 2});
    QVERIFY(QTest::qWaitFor(
        [&] { return c->isIdle() && !c->isWaiting() && c->headChanges().meanAbs.size() == 8; }, 120000));
    const RunResult fullB2 = fullRun(window.model(), textB2);
    QVERIFY(maxDiff(c->difference(), attentionDifference(fullA.trace, fullB2.trace, Stack::Decoder, 1, 2)) <=
            kTolerance);
    checkChangeMap(c, headChanges(fullA.trace, fullB2.trace, Stack::Decoder));
    // The same numbers as core's own long-input function on the two compact traces.
    const HeadChangeMap core = headChangesOf(Transformer(window.model()), c->resultA()->trace, c->resultB()->trace,
                                             Stack::Decoder);
    QVERIFY(c->headChanges().meanAbs == core.meanAbs);
    QVERIFY(c->headChanges().maxAbs == core.maxAbs);
}

void TestLongInput::timelineRecomputed()
{
    // Decoder self-attention rows of a generated continuation: the prompt (2044 characters and
    // <s>) plus what greedy decoding adds up to max_len is over the budget, so compact.
    MainWindow window;
    const QString text = randomText(kTokens - 4, 17);
    QVERIFY(showLong(window, m_model, text));
    window.setSelection({Stack::Decoder, 1, 1});
    window.setView(MainWindow::View::Timeline);
    TimelineView* t = window.timelineView();
    emit t->generateRequested(); // the tab's own "turn Generate on" button
    QVERIFY(QTest::qWaitFor([&] { return window.runner()->isIdle() && window.result() && !window.result()->targetTokens.empty(); },
                            60000));
    QVERIFY(window.result()->trace.compact);
    QVERIFY(waitRecomputed(window, [&] { return !t->isWaiting() && t->selfFrame().rows() > 0; }));
    const RunResult full = fullRun(window.model(), text, true);
    QCOMPARE(full.targetTokens.size(), window.result()->targetTokens.size());
    QVERIFY(t->stepCount() >= 1);
    // The steps (rows, chosen tokens, probabilities) are the full run's timeline.
    const DecodingTimeline want = decodingTimeline(full, *window.model(), false, 10);
    QCOMPARE(t->stepCount(), int(want.steps.size()));
    QCOMPARE(t->timeline().promptRows, want.promptRows);
    const MatrixRM& w = full.trace.decoder[1].heads[1].weights;
    for (int s = 0; s < t->stepCount(); ++s) {
        t->setStep(s);
        const TimelineStep& got = t->timeline().steps[size_t(s)];
        QCOMPARE(got.row, want.steps[size_t(s)].row);
        QCOMPARE(got.chosen.id, want.steps[size_t(s)].chosen.id);
        QCOMPARE(got.prefix.size(), want.steps[size_t(s)].prefix.size());
        QVERIFY(std::abs(got.probability - want.steps[size_t(s)].probability) <= kTolerance);
        QCOMPARE(got.topK.front().id, want.steps[size_t(s)].topK.front().id);
        const int row = got.row;
        QVERIFY(maxDiff(t->selfFrame(), timelineFrame(w, row, true)) <= kTolerance);
        QCOMPARE(t->selfPlot()->slice().weights.rows(), Eigen::Index(w.rows()));
    }
}

void TestLongInput::meanAblationWithLongReference()
{
    // A short input mean-ablated over a 2048-token reference: the reference run is compact (on
    // the runner's worker) and the ablation equals meanAblation over a full capture of it.
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openModel(m_model));
    window.setInputText(QStringLiteral("the quick brown fox"));
    QTRY_VERIFY(window.runner()->isIdle() && window.result());
    const QString reference = randomText(kTokens - 1, 21);
    window.findChild<QComboBox*>(QStringLiteral("ablationModeCombo"))->setCurrentIndex(int(AblationView::Mode::Mean));
    window.findChild<QLineEdit*>(QStringLiteral("ablationReferenceEdit"))->setText(reference);
    const std::vector<std::tuple<Stack, int, int>> heads{{Stack::Decoder, 0, 1}, {Stack::Decoder, 1, 3}};
    window.setHeadAblated(Stack::Decoder, 0, 1, true);
    window.setHeadAblated(Stack::Decoder, 1, 3, true);
    QVERIFY(QTest::qWaitFor([&] { return window.runner()->isIdle() && window.appliedAblation() &&
                                         window.appliedAblation()->size() == 2; }, 120000));
    const RunResult fullReference = fullRun(window.model(), reference);
    const HeadAblation want = meanAblation(fullReference.trace, heads);
    for (const auto& [s, l, h] : heads) {
        const RowVector* got = window.appliedAblation()->find(s, l, h);
        QVERIFY(got && want.find(s, l, h));
        QVERIFY((*got - *want.find(s, l, h)).cwiseAbs().maxCoeff() <= kTolerance);
    }
    // The shown run is the engine's run with that ablation.
    const RunResult expected =
        fullRun(window.model(), QStringLiteral("the quick brown fox"), false, std::make_shared<HeadAblation>(want));
    QCOMPARE(window.result()->predictions.front().id, expected.predictions.front().id);
    QVERIFY(std::abs(window.result()->predictions.front().probability - expected.predictions.front().probability) <=
            kTolerance);
    QVERIFY(maxDiff(window.result()->trace.decoder[1].heads[0].weights, expected.trace.decoder[1].heads[0].weights) <=
            kTolerance);
    // The main input itself long (the reference is then that input, also compact).
    window.findChild<QLineEdit*>(QStringLiteral("ablationReferenceEdit"))->setText(QString());
    const QString text = randomText(kTokens - 1, 23);
    window.setInputText(text);
    QVERIFY(QTest::qWaitFor([&] {
        return window.runner()->isIdle() && window.result() && window.result()->sourceTokens.size() == size_t(kTokens);
    }, 120000));
    QVERIFY(window.result()->trace.compact);
    const HeadAblation wantSelf = meanAblation(fullRun(window.model(), text).trace, heads);
    for (const auto& [s, l, h] : heads)
        QVERIFY((*window.appliedAblation()->find(s, l, h) - *wantSelf.find(s, l, h)).cwiseAbs().maxCoeff() <= kTolerance);
    const RunResult expectedSelf = fullRun(window.model(), text, false, std::make_shared<HeadAblation>(wantSelf));
    QCOMPARE(window.result()->predictions.front().id, expectedSelf.predictions.front().id);
}

int main(int argc, char** argv)
{
    return attnscope::test::runGuiTest<TestLongInput>(argc, argv);
}

#include "test_long_input.moc"
