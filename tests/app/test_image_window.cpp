// File › Open Image… on the shipped ViT (models/hf/vit-digits): the window's overlay shows
// exactly core's runImage() row for the chosen layer, head and query; a click on a patch selects
// it as the query; a bad image is reported in the window and the shown result kept; a text model
// gets a status message instead. Screenshots at 1024 × 700 and 1920 × 1080 (ATTNSCOPE_SCREENSHOTS).
#include "app/image_window.h"
#include "core/hf_checkpoint.h"
#include "test_fixtures.h"

using namespace attnscope;
using namespace attnscope::test;

namespace {

const QString kDigits = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/vit-digits");
const QString kImages = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/vit/images");

} // namespace

class TestImageWindow : public WindowTest {
    Q_OBJECT

private slots:
    void overlayEqualsCore()
    {
        QVERIFY(m_window->openModel(kDigits));
        ImageWindow* w = m_window->openImageFile(kImages + "/digit-3.png");
        QVERIFY(w);
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(w->run());
        // Core's own run of the same file.
        const auto model = loadHfFolder(kDigits.toStdString());
        const Transformer tf(model);
        const ImageRunResult want =
            runImage(tf, decodeImageFile(kImages + "/digit-3.png").tensor, {Capture::Attention, 10});
        QCOMPARE(w->run()->predictions[0].token, std::string("3"));
        QCOMPARE(w->run()->predictions[0].probability, want.predictions[0].probability);
        QVERIFY(w->predictionsLabel()->text().contains("3  "));
        struct Case {
            int layer, head, query;
        };
        for (const Case c : {Case{0, 3, 0}, Case{2, -1, 0}, Case{3, 1, 7}}) {
            w->setSelection(c.layer, c.head, c.query);
            const PatchOverlay& o = w->overlayView()->overlay();
            QCOMPARE(o.queryRow, c.query);
            RowVector row = RowVector::Zero(17);
            const auto& heads = want.trace.encoder[size_t(c.layer)].heads;
            if (c.head >= 0) row = heads[size_t(c.head)].weights.row(c.query);
            else {
                for (const HeadTrace& h : heads) row += h.weights.row(c.query);
                row /= float(heads.size());
            }
            QCOMPARE(o.clsWeight, row[0]);
            for (int k = 0; k < 16; ++k) QVERIFY(std::abs(o.weights[size_t(k)] - row[k + 1]) < 1e-7f);
        }
        // A click on patch (2, 1) makes it the query: row 1 + 2·4 + 1.
        const QRectF cell = patchOverlayCellRect(w->overlayView()->overlay(), w->overlayView()->size(), 2, 1);
        QTest::mouseClick(w->overlayView(), Qt::LeftButton, {}, cell.center().toPoint());
        QTRY_COMPARE(w->overlayView()->overlay().queryRow, 10);
        // A bad image: the message shows, the result stays.
        const float before = w->overlayView()->overlay().clsWeight;
        QVERIFY(!w->openImage(kImages + "/bad/truncated.png").isEmpty());
        QVERIFY(w->messageLabel()->isVisibleTo(w));
        QVERIFY(w->messageLabel()->text().contains("cannot decode"));
        QCOMPARE(w->overlayView()->overlay().clsWeight, before);
        QVERIFY(!w->openImage(kImages + "/bad/huge-20000x20000.png").isEmpty());
        QVERIFY(w->messageLabel()->text().contains("8192 × 8192"));
        QVERIFY(w->openImage(kImages + "/digit-7.png").isEmpty());
        QVERIFY(!w->messageLabel()->isVisibleTo(w));
        QCOMPARE(w->run()->predictions[0].token, std::string("7"));
    }

    void textModelSaysWhy()
    {
        QVERIFY(m_window->openModel(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/tiny-lm.json")));
        QVERIFY(!m_window->openImageFile(kImages + "/digit-3.png"));
        QVERIFY(m_window->statusBar()->currentMessage().contains("needs a ViT model"));
    }

    void screenshots()
    {
        QVERIFY(m_window->openModel(kDigits));
        ImageWindow* w = m_window->openImageFile(kImages + "/digit-3.png");
        QVERIFY(w);
        w->setSelection(0, 3, 0);
        const QString dir = qEnvironmentVariable("ATTNSCOPE_SCREENSHOTS");
        for (const QSize size : {QSize(1024, 700), QSize(1920, 1080)}) {
            w->resize(size);
            QVERIFY(QTest::qWaitForWindowExposed(w));
            QCoreApplication::processEvents();
            const QImage shot = w->grab().toImage();
            QCOMPARE(shot.size(), size);
            // The overlay fills most of the window: its image area is at least half the height.
            QVERIFY(patchOverlayImageRect(w->overlayView()->overlay(), w->overlayView()->size()).height() >
                    size.height() / 2);
            if (!dir.isEmpty())
                QVERIFY(shot.save(dir + QString("/vit-image-window-%1x%2.png").arg(size.width()).arg(size.height())));
        }
    }
};

int main(int argc, char** argv) { return runGuiTest<TestImageWindow>(argc, argv); }
#include "test_image_window.moc"
