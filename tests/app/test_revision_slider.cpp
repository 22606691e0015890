// The training-step slider (app/revision_slider.h) on the shipped checkpoint series
// models/hf/llama-kjv-revisions: it appears only for a series, moving it loads that snapshot
// while the input, the view and the selected head stay, and the heatmap then equals core's
// weights for that snapshot; a snapshot that cannot be loaded is reported and the model kept.
#include "app/revision_slider.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"
#include "test_fixtures.h"

#include "render/heatmap_plot.h"

#include <qcustomplot.h>

#include <filesystem>
#include <fstream>

using namespace attnscope;

namespace {

const QString kSeries = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/llama-kjv-revisions");
const std::string kText = "And the LORD said unto Moses, And the LORD said unto Moses";

MatrixRM engineWeights(const std::string& series, const std::string& revision, const HeadSelection& sel)
{
    const Transformer t(loadModel(series, revision));
    RunOptions o;
    o.text = kText;
    return runModel(t, o).trace.stack(sel.stack)[size_t(sel.layer)].heads[size_t(sel.head)].weights;
}

} // namespace

class TestRevisionSlider : public test::WindowTest {
    Q_OBJECT
private slots:
    void hiddenForASingleModel();
    void followsTheSnapshots();
    void brokenSnapshotKeepsTheModel();

private:
    void compareHeatmap(const MatrixRM& w);
};

void TestRevisionSlider::compareHeatmap(const MatrixRM& w)
{
    QCPColorMap* map = m_window->headPlot()->colorMap();
    QCOMPARE(map->data()->keySize(), int(w.cols()));
    QCOMPARE(map->data()->valueSize(), int(w.rows()));
    for (Eigen::Index i = 0; i < w.rows(); ++i)
        for (Eigen::Index j = 0; j < w.cols(); ++j) QCOMPARE(map->data()->cell(int(j), int(i)), double(w(i, j)));
}

void TestRevisionSlider::hiddenForASingleModel()
{
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/llama-kjv")));
    waitIdle();
    QVERIFY(!m_window->revisionSlider()->isVisible());
    QVERIFY(m_window->openModel(kSeries));
    waitIdle();
    QVERIFY(m_window->revisionSlider()->isVisible());
    QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/tiny-lm.json")));
    waitIdle();
    QVERIFY(!m_window->revisionSlider()->isVisible());
}

void TestRevisionSlider::followsTheSnapshots()
{
    QVERIFY(m_window->openModel(kSeries));
    m_window->setInputText(QString::fromStdString(kText));
    waitIdle();
    const auto model = m_window->model();
    const int n = int(model->revisions.size());
    QVERIFY(n >= 6);
    QSlider* slider = m_window->revisionSlider()->slider();
    QCOMPARE(slider->minimum(), 0);
    QCOMPARE(slider->maximum(), n - 1);
    QCOMPARE(slider->value(), n - 1); // the last snapshot by default
    QVERIFY(m_window->revisionSlider()->caption().contains(QString::number(model->revisions.back().step)));

    const HeadSelection sel{Stack::Decoder, 2, 3};
    m_window->setSelection(sel);
    waitIdle();
    const std::string series = kSeries.toStdString();
    compareHeatmap(engineWeights(series, model->revisions.back().name, sel));

    // The keyboard moves it one snapshot at a time; each loads at once.
    slider->setFocus();
    QTest::keyClick(slider, Qt::Key_Home);
    waitIdle();
    QCOMPARE(m_window->model()->revisionIndex, 0);
    QCOMPARE(QString::fromStdString(m_window->model()->name),
             QStringLiteral("llama-kjv-revisions @ ") + QString::fromStdString(model->revisions[0].name));
    QCOMPARE(m_window->findChild<QLineEdit*>("inputEdit")->text(), QString::fromStdString(kText));
    QVERIFY(m_window->selection() == sel);
    compareHeatmap(engineWeights(series, model->revisions[0].name, sel));
    QVERIFY(m_window->revisionSlider()->caption().contains(QString::number(model->revisions[0].step)));

    QTest::keyClick(slider, Qt::Key_Right);
    waitIdle();
    QCOMPARE(m_window->model()->revisionIndex, 1);
    compareHeatmap(engineWeights(series, model->revisions[1].name, sel));
    QVERIFY(m_window->selection() == sel);
    // the series, not its snapshot folders, is what Recent remembers
    QCOMPARE(QSettings().value(QStringLiteral("lastModel")).toString(), QFileInfo(kSeries).absoluteFilePath());
}

void TestRevisionSlider::brokenSnapshotKeepsTheModel()
{
    namespace fs = std::filesystem;
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    const fs::path fixture = fs::path(ATTNSCOPE_SOURCE_DIR) / "tests/data/hf/llama-gqa";
    fs::copy(fixture, root / "step1", fs::copy_options::recursive);
    fs::copy(fixture, root / "step2", fs::copy_options::recursive);
    QVERIFY(m_window->openModel(QString::fromStdString(root.string())));
    waitIdle();
    QCOMPARE(m_window->model()->revisionIndex, 1);
    std::ofstream(root / "step1" / "config.json") << "{\"model_type\": \"llama\"";
    const auto before = m_window->model();
    QSignalSpy errors(m_window.get(), &MainWindow::errorReported);
    QSlider* slider = m_window->revisionSlider()->slider();
    slider->setFocus();
    QTest::keyClick(slider, Qt::Key_Home);
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.first().first().toString().contains("step1/config.json"), qPrintable(errors.first().first().toString()));
    QVERIFY(m_window->model() == before);
    QCOMPARE(slider->value(), 1); // back on the snapshot still open
    test::closeMessageBoxes();
}

int main(int argc, char** argv) { return test::runGuiTest<TestRevisionSlider>(argc, argv); }

#include "test_revision_slider.moc"
