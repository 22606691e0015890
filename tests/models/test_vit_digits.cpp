// The shipped ViT (models/hf/vit-digits, tools/train_vit_digits.py) through the C++ engine on
// the 360 held-out sklearn digits of tests/data/vit-digits/heldout.json: accuracy ≥ 97 %, the
// confusion table, and the per-head note of its model card (which heads' [CLS] row reads the
// strokes and which the background), checked on fixed images.
#include "core/hf_checkpoint.h"
#include "core/vision.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <fstream>

using namespace attnscope;

namespace {

const std::string kModel = ATTNSCOPE_SOURCE_DIR "/models/hf/vit-digits";
const std::string kHeldOut = ATTNSCOPE_SOURCE_DIR "/tests/data/vit-digits/heldout.json";

nlohmann::json readJson(const std::string& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

ImageTensor digitImage(const nlohmann::json& pixels)
{
    ImageTensor t(1, 8, 8, true); // 8-bit grey, as a decoded PNG of the digit would be
    for (size_t i = 0; i < 64; ++i) t.data[i] = pixels[i].get<float>();
    return t;
}

// Share of a head's [CLS] attention over patches that falls on ink patches (mean value ≥ 64 of
// 255), divided by the share of patches that are ink: > 1 reads strokes, < 1 background.
double inkRatio(const MatrixRM& weights, const ImageTensor& image, int gridRows, int gridCols, int patch)
{
    double onInk = 0.0, onPatches = 0.0;
    int inkPatches = 0;
    for (int r = 0; r < gridRows; ++r)
        for (int c = 0; c < gridCols; ++c) {
            double mean = 0.0;
            for (int y = 0; y < patch; ++y)
                for (int x = 0; x < patch; ++x) mean += image.at(0, r * patch + y, c * patch + x);
            mean /= patch * patch;
            const double w = weights(0, 1 + r * gridCols + c);
            onPatches += w;
            if (mean >= 64.0) {
                onInk += w;
                ++inkPatches;
            }
        }
    const double patches = gridRows * gridCols;
    return (onInk / onPatches) / (inkPatches / patches);
}

} // namespace

class TestVitDigits : public QObject {
    Q_OBJECT

private slots:
    void heldOutAccuracy()
    {
        const auto model = loadHfFolder(kModel);
        const Transformer tf(model);
        const nlohmann::json data = readJson(kHeldOut);
        const size_t n = data["labels"].size();
        QCOMPARE(n, size_t(360));
        int correct = 0;
        int confusion[10][10] = {};
        for (size_t i = 0; i < n; ++i) {
            const ImageRunResult r = runImage(tf, digitImage(data["images"][i]), {Capture::None, 1});
            const int want = data["labels"][i].get<int>();
            const int got = std::stoi(r.predictions.at(0).token); // id2label names are the digits
            QCOMPARE(r.predictions[0].id, got);
            correct += got == want;
            ++confusion[want][got];
        }
        QString table = "true\\pred  0   1   2   3   4   5   6   7   8   9\n";
        for (int t = 0; t < 10; ++t) {
            table += QString("%1        ").arg(t);
            for (int p = 0; p < 10; ++p) table += QString("%1").arg(confusion[t][p], 4);
            table += "\n";
        }
        const double accuracy = double(correct) / double(n);
        qInfo("held-out accuracy %d / %zu = %.2f %%\n%s", correct, n, 100.0 * accuracy, qPrintable(table));
        QVERIFY2(accuracy >= 0.97, qPrintable(QString::number(accuracy)));
    }

    // The model card's per-head note: in the last layer, heads whose [CLS] row concentrates on
    // ink patches and heads that spread over the background, on the first 40 held-out images.
    void perHeadNote()
    {
        const auto model = loadHfFolder(kModel);
        const Transformer tf(model);
        const ModelConfig& c = model->config;
        const nlohmann::json data = readJson(kHeldOut);
        const int images = 40;
        std::vector<std::vector<double>> ratio(size_t(c.encoderLayers), std::vector<double>(size_t(c.nHeads), 0.0));
        for (int i = 0; i < images; ++i) {
            const ImageTensor img = digitImage(data["images"][size_t(i)]);
            const ImageRunResult r = runImage(tf, img, {Capture::Attention, 1});
            for (int l = 0; l < c.encoderLayers; ++l)
                for (int h = 0; h < c.nHeads; ++h)
                    ratio[size_t(l)][size_t(h)] += inkRatio(r.trace.encoder[size_t(l)].heads[size_t(h)].weights, img,
                                                            c.gridRows(), c.gridCols(), c.patchHeight) /
                                                   images;
        }
        QString text;
        for (int l = 0; l < c.encoderLayers; ++l) {
            text += QString("L%1:").arg(l);
            for (int h = 0; h < c.nHeads; ++h)
                text += QString(" H%1 %2").arg(h).arg(ratio[size_t(l)][size_t(h)], 0, 'f', 2);
            text += "\n";
        }
        qInfo("[CLS] ink ratio (1 = uniform over patches; > 1 strokes, < 1 background):\n%s", qPrintable(text));
        // First layer: heads 0 and 3 read the strokes (about twice their uniform share), head 2 leans
        // to the background; last layer: head 3 reads strokes, head 1 spreads evenly.
        QVERIFY2(ratio[0][0] > 1.8 && ratio[0][3] > 1.8, qPrintable(text));
        QVERIFY2(ratio[0][2] < 1.0, qPrintable(text));
        QVERIFY2(ratio[3][3] > 1.6, qPrintable(text));
        QVERIFY2(ratio[3][1] > 0.9 && ratio[3][1] < 1.1, qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestVitDigits)
#include "test_vit_digits.moc"
