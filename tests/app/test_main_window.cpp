// The desktop app driven offscreen: typing re-runs the engine and the colour map's cells
// equal core's weights; stack/layer/head/mean switching; overview clicks; PNG/SVG/PDF/CSV/JSON
// export; a bad model file leaves the previous model loaded; settings persist.
#include "test_fixtures.h"
#include "test_models.h"

#include "app/alignment_view.h"
#include "app/overview_view.h"
#include "app/text_contrast.h"
#include "app/truncation_banner.h"
#include "core/analysis/timeline.h"
#include "core/analysis/head_stats.h"
#include "core/inference.h"
#include "core/session.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"

#include <QtTest>

#include <algorithm>
#include <QtWidgets>

using namespace attnscope;

namespace {

// What the GUI must show, computed by calling core directly.
RunResult expectedRun(const QString& path, const std::string& text, std::optional<std::string> target = {},
                      bool generate = false)
{
    const Transformer t(loadModel(path.toStdString()));
    RunOptions o;
    o.text = text;
    o.target = std::move(target);
    o.generate = generate;
    o.topK = 10;
    return runModel(t, o);
}

} // namespace

class TestMainWindow : public test::WindowTest {
    Q_OBJECT
private slots:
    void initTestCase();
    void opensModelWithFirstExample();
    void typingUpdatesHeatmapToEngineWeights();
    void switchesStackLayerHeadAndMean_data();
    void switchesStackLayerHeadAndMean();
    void teacherForcingAndTokens();
    void decoderShowsTopK();
    void overviewClickOpensHead();
    void alignmentShowsSourceAndOutput();
    void exportsImages();
    void exportsDataAndGrid();
    void copiesImageAndData();
    void exportErrorIsReported();
    void badModelKeepsPrevious();
    void settingsPersist();
    void keystrokeKeepsLayoutAndReplotsOnce();
    void heatmapReplotsBeforeItsPaint();
    void opensHuggingFaceFolders();
    void sentencePairForBert();
    void truncationBannerUnderInput();
    void thinnedAxisLabelsCarryTheirIndex();
    void cellTextReadableOnItsFill_data();
    void cellTextReadableOnItsFill();
    void seq2seqOutputShowsEachTokensProbability();
    void overviewKeepsShapesAndMarksMaskedCells();
    void alignmentMeanOfHeadsDrawsTheMean();
    void exportOpensInPicturesAndRemembers();

private:
    void compareToEngine(const RunResult& expected, const HeadSelection& sel);

    QTemporaryDir m_dir;
    QString m_encdec, m_decoder, m_encoder, m_bad;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_encdec = test::writeFile(m_dir.filePath("encdec.json"), test::appModel("encoder-decoder").dump());
    m_decoder = test::writeFile(m_dir.filePath("decoder.json"), test::appModel("decoder").dump());
    m_encoder = test::writeFile(m_dir.filePath("encoder.json"), test::appModel("encoder").dump());
    nlohmann::json bad = test::appModel("encoder");
    bad["architecture"]["n_heads"] = 3;
    m_bad = test::writeFile(m_dir.filePath("bad.json"), bad.dump());
}

void TestMainWindow::compareToEngine(const RunResult& expected, const HeadSelection& sel)
{
    const std::vector<LayerTrace>& layers = expected.trace.stack(sel.stack);
    QVERIFY(sel.layer < static_cast<int>(layers.size()));
    const MatrixRM w = sel.head == kMeanOfHeads ? meanOfHeads(layers[size_t(sel.layer)])
                                                : layers[size_t(sel.layer)].heads[size_t(sel.head)].weights;
    QCPColorMap* map = m_window->headPlot()->colorMap();
    QCOMPARE(map->data()->keySize(), int(w.cols()));
    QCOMPARE(map->data()->valueSize(), int(w.rows()));
    for (Eigen::Index i = 0; i < w.rows(); ++i)
        for (Eigen::Index j = 0; j < w.cols(); ++j)
            QCOMPARE(map->data()->cell(int(j), int(i)), double(w(i, j))); // cell (key j, query i)
    QVERIFY(!map->interpolate());
    QVERIFY(m_window->headPlot()->yAxis->rangeReversed());
}

void TestMainWindow::opensModelWithFirstExample()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    QCOMPARE(input->text(), QStringLiteral("bad cafe"));
    QCOMPARE(QString::fromStdString(m_window->model()->name), QStringLiteral("app-encoder-decoder"));
    auto* info = m_window->findChild<QTextBrowser*>("modelInfo");
    QVERIFY(info->toPlainText().contains("app-encoder-decoder"));
    QVERIFY(info->toPlainText().contains("encoder-decoder"));
    QCOMPARE(m_window->findChild<QListWidget*>("examplesList")->count(), 2);
    const QString status = m_window->statusBar()->findChildren<QLabel*>().last()->text();
    QVERIFY2(status.contains("source token") && status.contains("forward") && status.contains("ms"), qPrintable(status));
    // The head view needs no census: no analysis time is claimed.
    QVERIFY2(!status.contains("analysis"), qPrintable(status));
}

void TestMainWindow::typingUpdatesHeatmapToEngineWeights()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    input->clear();
    QTest::keyClicks(input, "face bad");
    waitIdle();
    QCOMPARE(m_window->result()->sourceTokens.size(), size_t(9)); // 8 chars + </s>
    compareToEngine(expectedRun(m_encdec, "face bad"), {Stack::Encoder, 0, 0});
    QCOMPARE(m_window->headPlot()->slice().keyLabels.first(), QStringLiteral("f"));
    QCOMPARE(m_window->headPlot()->slice().keyLabels.at(4), QString(QChar(0x2423))); // visible space
    // One more keystroke: the view follows.
    QTest::keyClicks(input, "e");
    waitIdle();
    compareToEngine(expectedRun(m_encdec, "face bade"), {Stack::Encoder, 0, 0});
    const QString tip = m_window->headPlot()->cellText(0, 1);
    QVERIFY2(tip.startsWith(QStringLiteral("f \u2192 a: ")), qPrintable(tip));
}

void TestMainWindow::switchesStackLayerHeadAndMean_data()
{
    QTest::addColumn<int>("stack");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("head");
    QTest::newRow("encoder L1 H3") << int(Stack::Encoder) << 1 << 3;
    QTest::newRow("decoder L0 H2") << int(Stack::Decoder) << 0 << 2;
    QTest::newRow("cross L1 H1") << int(Stack::Cross) << 1 << 1;
    QTest::newRow("cross L0 mean") << int(Stack::Cross) << 0 << kMeanOfHeads;
}

void TestMainWindow::switchesStackLayerHeadAndMean()
{
    QFETCH(int, stack);
    QFETCH(int, layer);
    QFETCH(int, head);
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* stackCombo = m_window->findChild<QComboBox*>("stackCombo");
    QCOMPARE(stackCombo->count(), 3);
    stackCombo->setCurrentIndex(stackCombo->findData(stack));
    m_window->findChild<QSpinBox*>("layerSpin")->setValue(layer);
    auto* mean = m_window->findChild<QCheckBox*>("meanCheck");
    if (head == kMeanOfHeads) mean->setChecked(true);
    else m_window->findChild<QSpinBox*>("headSpin")->setValue(head);
    const HeadSelection sel{static_cast<Stack>(stack), layer, head};
    QVERIFY(m_window->selection() == sel);
    compareToEngine(expectedRun(m_encdec, "bad cafe"), sel);
    QVERIFY(m_window->headPlot()->slice().title.contains(QStringLiteral("layer %1").arg(layer)));
}

void TestMainWindow::teacherForcingAndTokens()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* target = m_window->findChild<QLineEdit*>("targetEdit");
    QVERIFY(target->isVisible());
    QTest::keyClicks(target, "dab");
    waitIdle();
    const RunResult expected = expectedRun(m_encdec, "bad cafe", std::string("dab"));
    QCOMPARE(m_window->result()->targetTokens.size(), size_t(4)); // <s> d a b
    m_window->setSelection({Stack::Cross, 1, 2});
    compareToEngine(expected, {Stack::Cross, 1, 2});
    // An unknown character is marked in the token chips.
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    input->setText(QStringLiteral("az\u00E9\u732B"));
    waitIdle();
    QVERIFY(m_window->result()->sourceTokens[1].unknown);
    QVERIFY(m_window->findChild<QLabel*>("tokensLabel")->text().contains("<u>z</u>"));
    // On the axes too: the unknown token keeps its text and carries the unknown mark.
    QCOMPARE(m_window->headPlot()->slice().keyLabels.mid(0, 4),
             QStringList({"a", QStringLiteral("z") + kUnknownMark, QStringLiteral("\u00E9"), QStringLiteral("\u732B")}));
}

void TestMainWindow::decoderShowsTopK()
{
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    QVERIFY(m_window->findChild<QCheckBox*>("generateCheck")->isVisible());
    QVERIFY(!m_window->findChild<QLineEdit*>("targetEdit")->isVisible());
    const RunResult expected = expectedRun(m_decoder, "bad cafe");
    auto* table = m_window->findChild<QTableWidget*>("predictionsTable");
    QCOMPARE(table->rowCount(), static_cast<int>(expected.predictions.size()));
    QCOMPARE(table->item(0, 0)->text(), QString::fromStdString(expected.predictions[0].token));
    QCOMPARE(table->item(0, 1)->text(), QString::number(double(expected.predictions[0].probability), 'f', 3));
    // The bar painted in the probability column is as long as the probability (in thousandths).
    for (int i = 0; i < table->rowCount(); ++i)
        QCOMPARE(table->item(i, 1)->data(Qt::UserRole).toInt(),
                 int(std::lround(double(expected.predictions[size_t(i)].probability) * 1000)));
    QVERIFY(!table->grab().isNull());
    QCOMPARE(m_window->findChild<QComboBox*>("stackCombo")->count(), 1);
    compareToEngine(expected, {Stack::Decoder, 0, 0});
    // Causal mask: query 0 sees only key 0.
    QCOMPARE(m_window->headPlot()->colorMap()->data()->cell(1, 0), 0.0);
    m_window->findChild<QCheckBox*>("generateCheck")->setChecked(true);
    waitIdle();
    compareToEngine(expectedRun(m_decoder, "bad cafe", {}, true), {Stack::Decoder, 0, 0});
}

void TestMainWindow::overviewClickOpensHead()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setView(MainWindow::View::Overview);
    OverviewView* overview = m_window->overviewView();
    QVERIFY(QTest::qWaitForWindowExposed(overview));
    QCOMPARE(overview->layerCount(), 2);
    QCOMPARE(overview->headCount(), 4);
    // The thumbnails keep their matrix's shape (square for encoder self-attention: a 3:2 stretch
    // distorted them, and drew a non-square cross map square), grow until the width or the
    // height is used (two rows, five columns), and what is left over is shared above and below.
    for (const QSize& size : {overview->size(), QSize(730, 620), QSize(1500, 420)}) {
        const QRect first = overview->thumbnailRect(0, 0, size);
        const QRect last = overview->thumbnailRect(1, kMeanOfHeads, size);
        const QString where = QStringLiteral("%1x%2").arg(size.width()).arg(size.height());
        QVERIFY2(std::abs(first.width() - first.height()) <= 1, qPrintable(where));
        const bool widthUsed = 5 * (first.width() * 1.05 + 10) > size.width() - 36 - 22;
        const bool heightUsed = 2 * (first.height() * 1.05 + 10) > size.height() - 28 - 20 - 34 - 8;
        QVERIFY2(widthUsed || heightUsed, qPrintable(where));
        QVERIFY2(std::abs(first.top() - (size.height() - last.bottom())) < 20, qPrintable(where));
    }
    QTest::mouseClick(overview, Qt::LeftButton, {}, overview->thumbnailRect(1, 2, overview->size()).center());
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Encoder, 1, 2}));
    QCOMPARE(m_window->view(), MainWindow::View::Head);
    compareToEngine(expectedRun(m_encdec, "bad cafe"), {Stack::Encoder, 1, 2});
    // The mean column.
    m_window->setView(MainWindow::View::Overview);
    QTest::mouseClick(overview, Qt::LeftButton, {}, overview->thumbnailRect(0, kMeanOfHeads, overview->size()).center());
    QVERIFY(m_window->selection() == (HeadSelection{Stack::Encoder, 0, kMeanOfHeads}));
    QVERIFY(m_window->findChild<QCheckBox*>("meanCheck")->isChecked());
}

void TestMainWindow::alignmentShowsSourceAndOutput()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->setSelection({Stack::Cross, 0, 1});
    m_window->setView(MainWindow::View::Alignment); // hidden views are fed when shown
    AlignmentView* a = m_window->alignmentView();
    QCOMPARE(a->headCount(), 4);
    QVERIFY(a->headVisible(1));
    QVERIFY(!a->headVisible(0));
    const RunResult expected = expectedRun(m_encdec, "bad cafe");
    QCOMPARE(a->leftLabels().size(), static_cast<int>(expected.sourceTokens.size()));
    // Rows read the decoder input and produce the output: "<s>→x", one label per output token.
    QCOMPARE(a->rightLabels().size(), static_cast<int>(expected.outputTokens.size()));
    for (int i = 0; i < a->rightLabels().size(); ++i)
        QCOMPARE(a->rightLabels()[i], tokenLabel(expected.targetTokens[size_t(i)]) + QChar(0x2192) +
                                          tokenLabel(expected.outputTokens[size_t(i)]));
}

void TestMainWindow::exportsImages()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    const QString png = m_dir.filePath("head.png");
    QCOMPARE(m_window->exportCurrentView(png, 1.0), QString());
    QImage image(png);
    QCOMPARE(image.size(), m_window->headPlot()->size());
    QCOMPARE(m_window->exportCurrentView(png, 2.0), QString());
    QCOMPARE(QImage(png).size(), m_window->headPlot()->size() * 2);

    const QString svg = m_dir.filePath("head.svg");
    QCOMPARE(m_window->exportCurrentView(svg), QString());
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&f);
    QStringList texts;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    for (const QString& label : m_window->headPlot()->slice().keyLabels) QVERIFY2(texts.contains(label), qPrintable(label));
    QVERIFY(texts.contains(m_window->headPlot()->slice().title));

    // The cells are vector rectangles (CellColorMap), one per weight, row by row, each filled
    // with QCustomPlot's gradient colour for its weight; no bitmap of the cells.
    {
        QVERIFY(f.seek(0));
        QXmlStreamReader svgXml(&f);
        struct Cell { double x, y; QString fill; };
        std::vector<Cell> cells;
        QStringList fills{QString()};
        int images = 0;
        const QRect plot = m_window->headPlot()->axisRect()->rect();
        while (!svgXml.atEnd()) {
            const auto token = svgXml.readNext();
            if (token == QXmlStreamReader::StartElement && svgXml.name() == QLatin1String("g"))
                fills << (svgXml.attributes().hasAttribute("fill") ? svgXml.attributes().value("fill").toString() : fills.last());
            else if (token == QXmlStreamReader::EndElement && svgXml.name() == QLatin1String("g"))
                fills.removeLast();
            else if (token == QXmlStreamReader::StartElement && svgXml.name() == QLatin1String("image"))
                ++images;
            else if (token == QXmlStreamReader::StartElement && svgXml.name() == QLatin1String("rect")) {
                const QRectF r(svgXml.attributes().value("x").toDouble(), svgXml.attributes().value("y").toDouble(),
                               svgXml.attributes().value("width").toDouble(), svgXml.attributes().value("height").toDouble());
                if (plot.contains(r.center().toPoint()) && r.width() < plot.width()) cells.push_back({r.center().x(), r.center().y(), fills.last()});
            }
        }
        QVERIFY2(!svgXml.hasError(), qPrintable(svgXml.errorString()));
        const MatrixRM& w = m_window->headPlot()->slice().weights;
        QCOMPARE(int(cells.size()), int(w.size()));
        QCOMPARE(images, 1); // the colour scale's bar only
        std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
            return std::abs(a.y - b.y) > 0.5 ? a.y < b.y : a.x < b.x;
        });
        QCPColorMap* map = m_window->headPlot()->colorMap();
        for (int i = 0; i < int(w.rows()); ++i)
            for (int j = 0; j < int(w.cols()); ++j) {
                const QString expected = QColor(map->gradient().color(w(i, j), map->dataRange())).name();
                QCOMPARE(cells[size_t(i * w.cols() + j)].fill, expected);
            }
    }

    const QString pdf = m_dir.filePath("head.pdf");
    QCOMPARE(m_window->exportCurrentView(pdf), QString());
    QFile p(pdf);
    QVERIFY(p.open(QIODevice::ReadOnly));
    QCOMPARE(p.read(5), QByteArray("%PDF-"));

    const QString jpg = m_dir.filePath("align.jpg");
    m_window->setView(MainWindow::View::Alignment);
    QCOMPARE(m_window->exportCurrentView(jpg, 1.0), QString());
    QCOMPARE(QImage(jpg).size(), m_window->alignmentView()->size());
}

void TestMainWindow::copiesImageAndData()
{
    QClipboard* clipboard = QApplication::clipboard();
    clipboard->setText(QStringLiteral("before"));
    // Nothing shown yet: nothing copied, the clipboard keeps what it had.
    QVERIFY(!m_window->copyData());
    QCOMPARE(clipboard->text(), QString("before"));

    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    m_window->findChild<QAction*>("actionCopyImage")->trigger();
    const QImage image = clipboard->image();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), m_window->headPlot()->size() * m_window->devicePixelRatioF());

    const RunResult expected = expectedRun(m_encdec, "bad cafe");
    const MatrixRM& w = expected.trace.encoder[0].heads[0].weights;
    QAction* copyData = m_window->findChild<QAction*>("actionCopyData");
    QVERIFY(copyData);
    QCOMPARE(copyData->shortcut(), QKeySequence(QStringLiteral("Ctrl+Alt+C")));
    copyData->trigger();
    const QMimeData* mime = clipboard->mimeData();
    QVERIFY(mime);
    QCOMPARE(mime->data("text/csv"), mime->text().toUtf8());
    const QStringList lines = mime->text().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), int(w.rows()) + 1);
    QVERIFY(lines[0].startsWith(QStringLiteral("query\\key,")));
    for (int i = 0; i < int(w.rows()); ++i) {
        const QStringList cells = lines[i + 1].split(',');
        QCOMPARE(cells.size(), int(w.cols()) + 1);
        for (int j = 0; j < int(w.cols()); ++j) QCOMPARE(cells[j + 1].toFloat(), w(i, j));
    }
}

void TestMainWindow::exportsDataAndGrid()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    const RunResult expected = expectedRun(m_encdec, "bad cafe");
    const MatrixRM& w = expected.trace.encoder[0].heads[0].weights;
    const QString csv = m_dir.filePath("a.csv");
    QCOMPARE(m_window->exportData(csv), QString());
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), int(w.rows()) + 1);
    QCOMPARE(lines[1].split(',').size(), int(w.cols()) + 1);
    QCOMPARE(lines[1].split(',')[1].toFloat(), w(0, 0));

    const QString json = m_dir.filePath("a.json");
    QCOMPARE(m_window->exportData(json), QString());
    QFile j(json);
    QVERIFY(j.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(j.readAll()).object();
    QCOMPARE(o["weights"].toArray().size(), int(w.rows()));
    QCOMPARE(float(o["weights"].toArray()[2].toArray()[3].toDouble()), w(2, 3));

    const QString grid = m_dir.filePath("grid.png");
    QCOMPARE(m_window->exportAllHeadsGrid(grid, 1.0), QString());
    QCOMPARE(QImage(grid).size(), m_window->overviewView()->preferredExportSize());

    QCOMPARE(m_window->exportEachHead(m_dir.path()), QString());
    QVERIFY(QFileInfo::exists(m_dir.filePath("encoder-L1-H3.png")));
}

void TestMainWindow::exportErrorIsReported()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QVERIFY(!m_window->exportCurrentView(m_dir.filePath("missing-dir/x.png")).isEmpty());
    QVERIFY(!m_window->exportCurrentView(m_dir.filePath("x.bmp")).isEmpty());
    QCOMPARE(errors.count(), 2);
    QVERIFY(!QFileInfo::exists(m_dir.filePath("x.bmp")));
}

void TestMainWindow::badModelKeepsPrevious()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    const std::shared_ptr<const Model> before = m_window->model();
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QVERIFY(!m_window->openModel(m_bad));
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.first().first().toString().contains("bad.json"), qPrintable(errors.first().first().toString()));
    QVERIFY(m_window->model() == before);
    QVERIFY(!m_window->openModel(m_dir.filePath("does-not-exist.json")));
    QCOMPARE(errors.count(), 2);
    QVERIFY(m_window->model() == before);
    // The dialog is non-modal: it is there, and the window still works.
    bool found = false;
    for (QWidget* w : QApplication::topLevelWidgets())
        found = found || (qobject_cast<QMessageBox*>(w) && w->isVisible());
    QVERIFY(found);
    test::closeMessageBoxes();
    QTest::keyClicks(m_window->findChild<QLineEdit*>("inputEdit"), "d");
    waitIdle();
    compareToEngine(expectedRun(m_encdec, "bad cafed"), {Stack::Encoder, 0, 0});
}

void TestMainWindow::settingsPersist()
{
    QVERIFY(m_window->openModel(m_encoder));
    waitIdle();
    m_window->findChild<QComboBox*>("colormapCombo")->setCurrentText("magma");
    QCOMPARE(m_window->headPlot()->colormapName(), QStringLiteral("magma"));
    m_window->close();
    MainWindow second;
    QCOMPARE(second.findChild<QComboBox*>("colormapCombo")->currentText(), QStringLiteral("magma"));
    QCOMPARE(second.headPlot()->colormapName(), QStringLiteral("magma"));
    QCOMPARE(QSettings().value("lastModel").toString(), QFileInfo(m_encoder).absoluteFilePath());
    QVERIFY(QSettings().fileName().contains(QStringLiteral("AttnScopeTest")));
    // In the run's own settings directory (removed at exit), never ~/.qttest, which outlives it.
    QVERIFY2(QSettings().fileName().startsWith(qEnvironmentVariable("XDG_CONFIG_HOME") + QLatin1Char('/')),
             qPrintable(QSettings().fileName()));
}


// Typing must not re-lay out the window: the token chips only grow (reset per model), so an input
// that wraps to fewer lines leaves the head view's size alone, and each result replots the head
// view once.
void TestMainWindow::keystrokeKeepsLayoutAndReplotsOnce()
{
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    auto* chips = m_window->findChild<QLabel*>("tokensLabel");
    QFont large = chips->font(); // chips as wide as this test's short inputs need to wrap
    large.setPixelSize(40);
    chips->setFont(large);
    HeatmapPlot* plot = m_window->headPlot();
    QTRY_VERIFY(chips->height() > 40);
    const int shortHeight = chips->height();
    input->setText(QStringLiteral("bad cafe bad cafe fade")); // wraps to more lines of chips
    waitIdle();
    QTRY_VERIFY(chips->height() > shortHeight);
    const int tallHeight = chips->height();
    const QSize plotSize = plot->size();

    int replots = 0;
    connect(plot, &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
    input->setText(QStringLiteral("bad"));
    waitIdle();
    QTRY_COMPARE(replots, 1);
    QTest::qWait(50);
    QCOMPARE(replots, 1);
    QCOMPARE(chips->height(), tallHeight);
    QCOMPARE(plot->size(), plotSize);
    compareToEngine(expectedRun(m_encdec, "bad"), {Stack::Encoder, 0, 0});
    QVERIFY(chips->text().contains(QStringLiteral("&nbsp;b&nbsp;")));

    // A model (re)load starts the chips over at their own height.
    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    QTRY_COMPARE(chips->height(), shortHeight);
}

// HeatmapPlot replots once for any number of changes before the window's next paint, and a
// paint that comes without it (grab, render) still shows the newest data.
void TestMainWindow::heatmapReplotsBeforeItsPaint()
{
    m_window->setView(MainWindow::View::Head);
    HeatmapPlot* plot = m_window->headPlot();
    QVERIFY(QTest::qWaitForWindowExposed(plot));
    int replots = 0;
    connect(plot, &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
    AttentionSlice a;
    a.weights = MatrixRM::Constant(3, 4, 0.25f);
    a.queryLabels = QStringList{"x", "y", "z"};
    a.keyLabels = QStringList{"a", "b", "c", "d"};
    a.title = QStringLiteral("A");
    AttentionSlice b = a;
    b.weights(1, 2) = 0.9f;
    b.title = QStringLiteral("B");
    plot->setSlice(a);
    plot->setColormap(QStringLiteral("magma"));
    plot->setSlice(b);
    QCOMPARE(replots, 0); // nothing drawn yet: the replot waits for the window's paint
    QTRY_COMPARE(replots, 1);
    QTest::qWait(50);
    QCOMPARE(replots, 1);
    QCOMPARE(plot->colorMap()->data()->cell(2, 1), double(0.9f));

    plot->setSlice(a);
    const QImage shown = plot->grab().toImage(); // paints at once, before any event loop
    QCOMPARE(replots, 2);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(shown, plot->grab().toImage());
}

void TestMainWindow::opensHuggingFaceFolders()
{
    // A GPT-2 folder with its byte-level BPE: the panel says what it is, the chips mark spaces,
    // the heatmap equals core's weights; a BERT folder fills [MASK] as core does; a malformed
    // folder is refused with its file named and the model kept; a folder can be dropped.
    const QString hf = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/");
    const QString gpt2 = hf + "gpt2-tiny";
    QVERIFY(m_window->openModel(gpt2));
    m_window->setInputText(QStringLiteral("In the beginning God"));
    waitIdle();
    const QString info = m_window->findChild<QTextBrowser*>("modelInfo")->toPlainText();
    QVERIFY2(info.contains("Hugging Face gpt2, F32") && info.contains("byte-level BPE"), qPrintable(info));
    const QString chips = m_window->findChild<QLabel*>("tokensLabel")->text();
    QVERIFY2(chips.contains(QString(QChar(0x2423)) + "the"), qPrintable(chips));
    m_window->setSelection({Stack::Decoder, 1, 3});
    waitIdle();
    compareToEngine(expectedRun(gpt2, "In the beginning God"), {Stack::Decoder, 1, 3});

    const QString bert = hf + "bert-mlm";
    QVERIFY(m_window->openModel(bert));
    m_window->setInputText(QStringLiteral("in the [MASK] god created"));
    waitIdle();
    const RunResult expected = expectedRun(bert, "in the [MASK] god created");
    QVERIFY(!expected.predictions.empty());
    auto* table = m_window->findChild<QTableWidget*>("predictionsTable");
    QCOMPARE(table->item(0, 0)->text(), QString::fromStdString(expected.predictions[0].token));
    m_window->setSelection({Stack::Encoder, 0, 1});
    waitIdle();
    compareToEngine(expected, {Stack::Encoder, 0, 1});

    const std::shared_ptr<const Model> before = m_window->model();
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QVERIFY(!m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/bad/hf/st-shape-mismatch")));
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.first().first().toString().contains("st-shape-mismatch/model.safetensors: /transformer.wte.weight"),
             qPrintable(errors.first().first().toString()));
    QVERIFY(m_window->model() == before);
    test::closeMessageBoxes();

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(gpt2)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &drop);
    waitIdle();
    QCOMPARE(QString::fromStdString(m_window->model()->family), QStringLiteral("gpt2"));
    QVERIFY(m_window->findChild<QAction*>("actionOpenModelFolder"));
}

void TestMainWindow::truncationBannerUnderInput()
{
    // Issue 23, defect 4: an input longer than max_len is cut, and the views and the prediction
    // are for the cut text. A strip right under the input says how many tokens were dropped and
    // what they were; it is hidden while the input fits.
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/reverse-letters.json")));
    waitIdle();
    TruncationBanner* banner = m_window->truncationBanner();
    QVERIFY(banner);
    QVERIFY(!banner->isVisible()); // the example fits

    const Model& m = *m_window->model();
    const int room = m.config.maxLen - int(m.sourcePrefix.size() + m.sourceSuffix.size()); // one char per token
    const QString kept = QStringLiteral("abcdefghijklmnopqrstuvwxyz").left(room);
    const QString dropped = QStringLiteral("thequickbrownfoxjumpsoverthelazydogagainandagain");
    const int cut = int(dropped.size());
    m_window->setInputText(kept + dropped);
    waitIdle();
    QCOMPARE(int(m_window->result()->sourceTokens.size()), m.config.maxLen);
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->cutTokens(), cut);
    const QString text = banner->text();
    QVERIFY2(text.contains(QStringLiteral("%1 tokens dropped").arg(cut)), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("max_len %1").arg(m.config.maxLen)), qPrintable(text));
    QVERIFY2(text.contains(dropped.left(20)), qPrintable(text)); // the start of what was cut
    QVERIFY2(!text.contains(dropped), qPrintable(text));          // elided...
    QVERIFY2(banner->toolTip().contains(dropped), qPrintable(banner->toolTip())); // ...whole on hover
    // On the input, not in a dock: directly under the input line, above the token chips.
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    auto* chips = m_window->findChild<QLabel*>("tokensLabel");
    const int bannerTop = banner->mapTo(m_window.get(), QPoint(0, 0)).y();
    QVERIFY(bannerTop >= input->mapTo(m_window.get(), QPoint(0, input->height())).y());
    QVERIFY(bannerTop < chips->mapTo(m_window.get(), QPoint(0, 0)).y());
    QVERIFY(banner->height() >= banner->fontMetrics().height());
    // ...and only there: the Output dock's warnings line does not repeat it.
    auto* warnings = m_window->findChild<QLabel*>("warningsLabel");
    QVERIFY2(!warnings->text().contains(QStringLiteral("max_len")), qPrintable(warnings->text()));
    QVERIFY(!warnings->text().contains(QStringLiteral("truncated")));

    // A teacher-forced target longer than max_len is named too.
    m_window->setTargetText(QString(m.config.maxLen + 3, QLatin1Char('a')));
    waitIdle();
    QVERIFY2(banner->text().contains(QStringLiteral("target")), qPrintable(banner->text()));
    QVERIFY2(!warnings->text().contains(QStringLiteral("max_len")), qPrintable(warnings->text()));
    QCOMPARE(banner->cutTokens(), cut + 4); // <s> + target: maxLen − 1 target tokens kept
    m_window->setTargetText(QString());

    m_window->setInputText(kept);
    waitIdle();
    QVERIFY(!banner->isVisible());
    QCOMPARE(banner->cutTokens(), 0);
}

void TestMainWindow::thinnedAxisLabelsCarryTheirIndex()
{
    // Issue 23, defect 8: "In the beginning" labelled every third character reads "I h e i n"
    // as if it were a word; thinned labels carry their position.
    const QStringList labels = {"I", "n", "\u2423", "t", "h", "e", "\u2423", "b", "e", "g", "i", "n"};
    const QMap<double, QString> all = HeatmapPlot::axisTicks(labels, 0, 11, 1);
    QCOMPARE(all.size(), 12);
    QCOMPARE(all.value(3), QStringLiteral("t")); // every token labelled: the token alone
    const QMap<double, QString> third = HeatmapPlot::axisTicks(labels, 0, 11, 3);
    QCOMPARE(third.keys(), (QList<double>{0, 3, 6, 9}));
    QCOMPARE(third.values(), (QStringList{"0:I", "3:t", "6:\u2423", "9:g"}));
    // A visible range that starts mid-way keeps multiples of the step (labels stay put when panning).
    QCOMPARE(HeatmapPlot::axisTicks(labels, 4, 11, 4).values(), (QStringList{"4:h", "8:e"}));
    QVERIFY(HeatmapPlot::axisTicks({}, 0, -1, 2).isEmpty());

    // A long input on the head view: the drawn ticks are thinned and each carries its index.
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/tiny-lm.json")));
    m_window->resize(1024, 700);
    m_window->setInputText(QString("and god said let there be light and there was light ").repeated(3).left(120));
    waitIdle();
    m_window->setSelection({Stack::Decoder, 0, 0});
    HeatmapPlot* plot = m_window->headPlot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const auto ticks = plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    QVERIFY(ticks.size() >= 2 && ticks.size() < plot->slice().queryLabels.size());
    for (auto it = ticks.begin(); it != ticks.end(); ++it)
        QCOMPARE(it.value(), QStringLiteral("%1:%2").arg(int(it.key())).arg(plot->slice().queryLabels[int(it.key())]));
}

void TestMainWindow::cellTextReadableOnItsFill_data()
{
    QTest::addColumn<QColor>("fill");
    QTest::addColumn<QColor>("text");
    QTest::newRow("viridis yellow") << QColor(253, 231, 37) << QColor(Qt::black); // HSL lightness 0.57 but bright
    QTest::newRow("pure yellow") << QColor(255, 255, 0) << QColor(Qt::black);     // lightness 0.5: was white
    QTest::newRow("pale blue") << QColor(200, 215, 240) << QColor(Qt::black);
    QTest::newRow("viridis purple") << QColor(68, 1, 84) << QColor(Qt::white);
    QTest::newRow("deep blue") << QColor(33, 102, 172) << QColor(Qt::white);
    QTest::newRow("deep red") << QColor(178, 24, 43) << QColor(Qt::white);
    // The query·key view's masked rows: a white veil (alpha 190) over a deep blue cell is pale,
    // so its number is black (it was white on the cell before the veil was laid over it).
    QTest::newRow("veiled deep blue") << composite(QColor(255, 255, 255, 190), QColor(33, 102, 172)) << QColor(Qt::black);
    QTest::newRow("veiled on dark base") << composite(QColor(30, 30, 30, 190), QColor(253, 231, 37)) << QColor(Qt::white);
}

void TestMainWindow::cellTextReadableOnItsFill()
{
    QFETCH(QColor, fill);
    QFETCH(QColor, text);
    QCOMPARE(textColorOn(fill), text);
    // And the choice is the one with the better WCAG contrast, at least 4.5:1 for these fills.
    const double lf = relativeLuminance(fill), lt = relativeLuminance(text);
    const double ratio = (std::max(lf, lt) + 0.05) / (std::min(lf, lt) + 0.05);
    QVERIFY2(ratio >= 4.5, qPrintable(QString::number(ratio)));
}

void TestMainWindow::seq2seqOutputShowsEachTokensProbability()
{
    // Issue 23, defect 10: an encoder-decoder's Output dock showed the next token after the whole
    // decoder input, always "</s> 1.000". It shows each generated token with its probability
    // (core's decoding timeline), and for a teacher-forced target the model's own choice.
    const QString path = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json");
    QVERIFY(m_window->openModel(path));
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    waitIdle();
    const std::shared_ptr<const Model> model = loadModel(path.toStdString());
    auto* table = m_window->findChild<QTableWidget*>("predictionsTable");
    QCOMPARE(table->horizontalHeaderItem(0)->toolTip(), QStringLiteral("Each output token, in order"));
    QVERIFY(m_window->findChild<QLabel*>("outputLabel")->text().contains(QStringLiteral("Each generated token")));
    for (const bool forced : {false, true}) {
        if (forced) {
            m_window->setTargetText(QStringLiteral("2026-12-25"));
            waitIdle();
            QVERIFY(m_window->findChild<QLabel*>("outputLabel")->text().contains(QStringLiteral("choice at each position")));
        }
        const DecodingTimeline expected = decodingTimeline(*m_window->result(), *model, forced, 1);
        QVERIFY(expected.steps.size() >= 10); // "2026-11-25" and </s>
        QCOMPARE(table->rowCount(), int(expected.steps.size()));
        QString text;
        for (int i = 0; i < table->rowCount(); ++i) {
            const TimelineStep& st = expected.steps[size_t(i)];
            QCOMPARE(table->item(i, 0)->text(), tokenLabel(st.chosen));
            QCOMPARE(table->item(i, 1)->text(), QString::number(double(st.probability), 'f', 3));
            QCOMPARE(table->item(i, 1)->data(Qt::UserRole).toInt(), int(std::lround(double(st.probability) * 1000)));
            QVERIFY(table->item(i, 0)->toolTip().contains(QStringLiteral("Step %1").arg(i)));
            text += table->item(i, 0)->text();
        }
        QCOMPARE(table->item(table->rowCount() - 1, 0)->text(), QStringLiteral("</s>"));
        if (!forced) QCOMPARE(text, QStringLiteral("2026-11-25</s>")); // the generated output, token by token
    }
    m_window->setTargetText(QString());
    // Other architectures keep their next-token table.
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    QCOMPARE(table->horizontalHeaderItem(0)->toolTip(), QStringLiteral("The most probable next tokens"));
}

using test::answerFileDialog;

void TestMainWindow::exportOpensInPicturesAndRemembers()
{
    // Issue 23, defect 10: Export opened in the models/ folder of the source tree (the folder of
    // the model opened last). It opens in the user's Pictures folder (data: Documents), falling
    // back to Documents and home where those do not exist, and then where the last export went,
    // also after a restart.
    auto standard = [](QStandardPaths::StandardLocation l) {
        const QString d = QStandardPaths::writableLocation(l);
        return !d.isEmpty() && QFileInfo(d).isDir() ? QDir(d).absolutePath() : QString();
    };
    const QString pictures = standard(QStandardPaths::PicturesLocation);
    const QString documents = standard(QStandardPaths::DocumentsLocation);
    const QString home = QDir::homePath();
    const QString imageDefault = !pictures.isEmpty() ? pictures : !documents.isEmpty() ? documents : home;
    const QString dataDefault = !documents.isEmpty() ? documents : home;

    QVERIFY(m_window->openModel(m_encdec));
    waitIdle();
    auto* exportImage = m_window->findChild<QAction*>("actionExportImage");
    auto* exportData = m_window->findChild<QAction*>("actionExportData");
    QCOMPARE(answerFileDialog(exportImage, {}), imageDefault);
    QVERIFY(imageDefault != QFileInfo(m_encdec).absolutePath()); // not the model's folder
    QCOMPARE(answerFileDialog(exportData, {}), dataDefault);

    QTemporaryDir images, data;
    const QString png = images.filePath("head.png");
    QCOMPARE(answerFileDialog(exportImage, png), imageDefault);
    QVERIFY(QFileInfo(png).size() > 0);
    QCOMPARE(answerFileDialog(exportImage, {}), QDir(images.path()).absolutePath()); // remembered
    QCOMPARE(answerFileDialog(exportData, data.filePath("attention.csv")), dataDefault); // its own folder
    QVERIFY(QFileInfo(data.filePath("attention.csv")).size() > 0);
    QCOMPARE(answerFileDialog(exportData, {}), QDir(data.path()).absolutePath());
    // Opening a model does not move the export folder.
    QVERIFY(m_window->openModel(m_decoder));
    waitIdle();
    QCOMPARE(m_window->exportDirectory(MainWindow::ExportKind::Image), QDir(images.path()).absolutePath());

    // A new session remembers both (saved on close)...
    m_window->close();
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->exportDirectory(MainWindow::ExportKind::Image), QDir(images.path()).absolutePath());
    QCOMPARE(m_window->exportDirectory(MainWindow::ExportKind::Data), QDir(data.path()).absolutePath());
    // ...and falls back to the defaults when the folder is gone.
    images.remove();
    QCOMPARE(m_window->exportDirectory(MainWindow::ExportKind::Image), imageDefault);
    // (Settings are shared by the tests: later windows start from the defaults again.)
    data.remove();
    m_window->close();
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1280, 800);
    m_window->show();
}

void TestMainWindow::overviewKeepsShapesAndMarksMaskedCells()
{
    // Issue 23, defect 10: cross-attention thumbnails (output rows × source keys) were drawn
    // square, and masked cells (future keys) as weight 0. Each thumbnail has its matrix's shape;
    // masked cells are the head view's masked grey, with a legend entry.
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json")));
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    waitIdle();
    m_window->setView(MainWindow::View::Overview);
    OverviewView* overview = m_window->overviewView();
    QVERIFY(QTest::qWaitForWindowExposed(overview));
    const Trace& trace = m_window->result()->trace;
    auto pixel = [&](const QImage& canvas, const QRect& r, const MatrixRM& w, int i, int j) {
        return canvas.pixelColor(r.left() + int((j + 0.5) * r.width() / w.cols()), r.top() + int((i + 0.5) * r.height() / w.rows()));
    };
    // (The colour map is a saved setting: whichever an earlier test left.)
    QCPColorGradient gradient = colormap(m_window->findChild<QComboBox*>("colormapCombo")->currentText());
    for (const Stack stack : {Stack::Cross, Stack::Decoder, Stack::Encoder}) {
        m_window->setSelection({stack, 0, 0});
        const MatrixRM& w = trace.stack(stack)[0].heads[0].weights;
        const double aspect = double(w.cols()) / double(w.rows());
        const QRect r = overview->thumbnailRect(0, 0, overview->size());
        const QString where = stackDisplayName(stack) + QStringLiteral(": %1x%2 for %3x%4").arg(r.width()).arg(r.height()).arg(w.rows()).arg(w.cols());
        QVERIFY2(std::abs(r.width() - r.height() * aspect) <= 1.5, qPrintable(where));
        if (stack == Stack::Cross) QVERIFY2(r.width() > r.height() * 1.5, qPrintable(where)); // 11 rows, 21 keys
        // What is drawn: the matrix's cells; masked ones grey, only in the causal decoder stack.
        QImage canvas(overview->size(), QImage::Format_RGB32);
        QPainter p(&canvas);
        overview->paint(p, overview->size());
        p.end();
        const bool causal = stack == Stack::Decoder;
        QCOMPARE(overview->maskLegend().isEmpty(), !causal);
        const QColor masked = HeatmapPlot::maskedColor(overview->palette());
        for (const auto& [i, j] : {std::pair{0, 1}, std::pair{2, 5}, std::pair{3, 3}, std::pair{5, 0}}) {
            const QColor drawn = pixel(canvas, r, w, i, j);
            const QColor want = causal && j > i ? masked : QColor(gradient.color(double(w(i, j)), QCPRange(0, 1)));
            QVERIFY2(drawn == want, qPrintable(QStringLiteral("%1 (%2, %3): %4, want %5").arg(where).arg(i).arg(j).arg(drawn.name(), want.name())));
        }
    }
}

void TestMainWindow::alignmentMeanOfHeadsDrawsTheMean()
{
    // Issue 23, defect 10: with "Mean of heads" the alignment drew every head in its colour
    // (head 3 over the others). It draws the layer's mean (core's meanOfHeads) as one neutral set;
    // a head's chip adds that head's coloured lines.
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/date-normalizer.json")));
    m_window->setInputText(QStringLiteral("25th of November 2026"));
    waitIdle();
    m_window->setView(MainWindow::View::Alignment);
    m_window->setSelection({Stack::Cross, 1, kMeanOfHeads});
    AlignmentView* a = m_window->alignmentView();
    QVERIFY(QTest::qWaitForWindowExposed(a));
    QVERIFY(a->meanVisible());
    for (int h = 0; h < a->headCount(); ++h) QVERIFY(!a->headVisible(h));
    QVERIFY(test::sameMatrix(a->meanWeights(), meanOfHeads(m_window->result()->trace.cross[1])));
    // Pixels of a head's hue below the legend: none while only the mean is drawn.
    auto headPixels = [&](int head) {
        QImage canvas(a->size(), QImage::Format_RGB32);
        QPainter p(&canvas);
        a->paint(p, a->size());
        p.end();
        const QColor want = AlignmentView::headColor(head);
        int n = 0;
        for (int y = 70; y < canvas.height(); ++y)
            for (int x = 0; x < canvas.width(); ++x) {
                const QColor c = canvas.pixelColor(x, y);
                if (c.hsvSaturationF() > 0.25 && std::abs(c.hsvHue() - want.hsvHue()) < 8) ++n;
            }
        return n;
    };
    for (int h = 0; h < a->headCount(); ++h) QCOMPARE(headPixels(h), 0);
    // A head's chip adds it; the mean's chip hides the mean.
    const int chipY = 26 + 10, chipW = 64 + 6; // alignment_view.cpp: title 26 px, chips 64 px + 6
    const int left = (a->width() - (a->headCount() + 1) * chipW) / 2;
    QTest::mouseClick(a, Qt::LeftButton, {}, QPoint(left + 3 * chipW + 30, chipY));
    QVERIFY(a->headVisible(3));
    QVERIFY(headPixels(3) > 50);
    QCOMPARE(headPixels(0), 0);
    QTest::mouseClick(a, Qt::LeftButton, {}, QPoint(left + a->headCount() * chipW + 30, chipY));
    QVERIFY(!a->meanVisible());
    // Selecting a head shows that head alone.
    m_window->setSelection({Stack::Cross, 1, 2});
    QVERIFY(a->headVisible(2) && !a->headVisible(3) && !a->meanVisible());
}

void TestMainWindow::sentencePairForBert()
{
    // A BERT folder takes a second segment: [CLS] A [SEP] B [SEP] with token types 0 then 1, the
    // heatmap equal to core's run of the same pair, B's chips tinted; decoder models have no
    // such field, and opening one clears it.
    const QString bert = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf/bert-mlm");
    QVERIFY(m_window->openModel(bert));
    auto* pair = m_window->findChild<QLineEdit*>("pairEdit");
    QVERIFY(pair->isVisible());
    m_window->setInputText(QStringLiteral("in the beginning"));
    m_window->setPairText(QStringLiteral("god created the [MASK]"));
    waitIdle();
    const Transformer t(loadModel(bert.toStdString()));
    RunOptions o;
    o.text = "in the beginning";
    o.pair = "god created the [MASK]";
    o.topK = 10;
    const RunResult expected = runModel(t, o);
    QCOMPARE(m_window->result()->sourceTypes, expected.sourceTypes);
    QVERIFY(std::count(expected.sourceTypes.begin(), expected.sourceTypes.end(), 1) >= 5); // B and its [SEP]
    QCOMPARE(m_window->result()->sourceTokens.size(), expected.sourceTokens.size());
    m_window->setSelection({Stack::Encoder, 1, 0});
    waitIdle();
    compareToEngine(expected, {Stack::Encoder, 1, 0});
    const QString chips = m_window->findChild<QLabel*>("tokensLabel")->text();
    const QColor base = m_window->palette().color(QPalette::Base);
    QVERIFY2(chips.count(QStringLiteral("background-color:")) == int(expected.sourceTokens.size()), qPrintable(chips));
    QVERIFY(!chips.isEmpty() && base.isValid());
    // B's chips use another tint than A's: the chip of "god" (type 1) differs from "in" (type 0)
    auto chipColour = [&](const QString& word) {
        const int at = chips.indexOf(QStringLiteral("&nbsp;") + word + QStringLiteral("&nbsp;"));
        const int bg = chips.lastIndexOf(QStringLiteral("background-color:"), at);
        return chips.mid(bg + 17, 7);
    };
    QVERIFY2(chipColour("god") != chipColour("in"), qPrintable(chips));
    QCOMPARE(chipColour("the"), chipColour("in")); // the first "the" is A's
    // A session keeps the pair: saved, cleared, reopened, the same two segments run again.
    const QString lesson = m_dir.filePath("pair.attnscope.json");
    QCOMPARE(m_window->saveSession(lesson), QString());
    QCOMPARE(loadSession(lesson.toStdString()).pair, std::string("god created the [MASK]"));
    m_window->setPairText(QString());
    waitIdle();
    QVERIFY(m_window->openSession(lesson));
    waitIdle();
    QCOMPARE(pair->text(), QStringLiteral("god created the [MASK]"));
    QCOMPARE(m_window->result()->sourceTypes, expected.sourceTypes);
    // An empty pair is a single segment again.
    m_window->setPairText(QString());
    waitIdle();
    QVERIFY(m_window->result()->sourceTypes.empty() ||
            std::count(m_window->result()->sourceTypes.begin(), m_window->result()->sourceTypes.end(), 1) == 0);
    m_window->setPairText(QStringLiteral("and the earth"));
    QVERIFY(m_window->openModel(m_decoder));
    QVERIFY(!pair->isVisible());
    QVERIFY(pair->text().isEmpty());
}

int main(int argc, char** argv) { return test::runGuiTest<TestMainWindow>(argc, argv); }

#include "test_main_window.moc"
