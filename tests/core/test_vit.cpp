// ViT in the engine: the Hugging Face folders of tests/data/hf/vit-* against the torch reference
// of tools/vit_reference.py (every head within 1e-5, logits / hidden states within 1e-4), the
// preprocessing steps against hand-computed values and PIL's own resize results, and the
// refusals of bad configs (file and JSON pointer named).
#include "core/errors.h"
#include "core/hf_checkpoint.h"
#include "core/image.h"
#include "core/inference.h"
#include "core/vision.h"
#include "golden_util.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace attnscope;
using attnscope::testing::maxAbsDiff;
using attnscope::testing::readJson;

namespace {

const QString kHfDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf");
const QString kGoldenDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/vit");
const QString kVitData = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/vit");

ImageTensor tensorFrom(const nlohmann::json& chw)
{
    ImageTensor t(int(chw.size()), int(chw[0].size()), int(chw[0][0].size()));
    for (int c = 0; c < t.channels; ++c)
        for (int y = 0; y < t.height; ++y)
            for (int x = 0; x < t.width; ++x) t.at(c, y, x) = chw[size_t(c)][size_t(y)][size_t(x)].get<float>();
    return t;
}

ImageTensor row(std::vector<float> values, bool eightBit = false)
{
    ImageTensor t(1, 1, int(values.size()), eightBit);
    t.data = std::move(values);
    return t;
}

void writeFile(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A copy of a fixture folder with config.json / preprocessor_config.json edited.
std::string editedFolder(const QTemporaryDir& dir, const std::string& from, const nlohmann::json& configPatch,
                         const nlohmann::json& preprocessorPatch)
{
    namespace fs = std::filesystem;
    const fs::path src = (kHfDir + "/" + QString::fromStdString(from)).toStdString();
    const fs::path dst = fs::path(dir.path().toStdString()) / from;
    fs::create_directories(dst);
    fs::copy_file(src / "model.safetensors", dst / "model.safetensors", fs::copy_options::overwrite_existing);
    nlohmann::json config = readJson(QString::fromStdString((src / "config.json").string()));
    config.merge_patch(configPatch);
    writeFile((dst / "config.json").string(), config.dump(2));
    nlohmann::json pre = readJson(QString::fromStdString((src / "preprocessor_config.json").string()));
    pre.merge_patch(preprocessorPatch);
    writeFile((dst / "preprocessor_config.json").string(), pre.dump(2));
    return dst.string();
}

} // namespace

class TestVit : public QObject {
    Q_OBJECT

private slots:
    void goldens_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::newRow("non-square grid 3x5, RGB, classifier") << "vit-grid3x5";
        QTest::newRow("1 head, bare ViTModel, 4x2 patches, floor") << "vit-1head-bare";
        QTest::newRow("patch 1, 25 patches") << "vit-patch1";
    }
    void goldens()
    {
        QFETCH(QString, folder);
        const auto model = loadHfFolder((kHfDir + "/" + folder).toStdString());
        const Transformer tf(model);
        const nlohmann::json golden = readJson(kGoldenDir + "/" + folder + ".expected.json");
        const float attTol = golden["tolerance"]["attention"].get<float>();
        float worstAtt = 0.0f, worstOut = 0.0f;
        for (const nlohmann::json& c : golden["cases"]) {
            const ImageTensor x = tensorFrom(c["pixel_values"]);
            const ForwardResult r = tf.forwardEmbedded(embedImage(*model, x), Capture::Attention);
            const auto& layers = r.trace.encoder;
            QCOMPARE(layers.size(), c["attention"].size());
            for (size_t l = 0; l < layers.size(); ++l) {
                QCOMPARE(layers[l].heads.size(), c["attention"][l].size());
                for (size_t h = 0; h < layers[l].heads.size(); ++h) {
                    bool ok = false;
                    worstAtt = std::max(worstAtt, maxAbsDiff(layers[l].heads[h].weights, c["attention"][l][h], ok));
                    QVERIFY2(ok, "attention shape");
                }
            }
            if (c.contains("logits")) {
                const nlohmann::json& want = c["logits"];
                QCOMPARE(r.logits.cols(), Eigen::Index(want.size()));
                for (size_t k = 0; k < want.size(); ++k)
                    worstOut = std::max(worstOut, std::abs(r.logits(0, Eigen::Index(k)) - want[k].get<float>()));
            } else {
                QCOMPARE(r.logits.cols(), Eigen::Index(0));
                bool ok = false;
                worstOut = std::max(worstOut, maxAbsDiff(r.hidden, c["hidden"], ok));
                QVERIFY2(ok, "hidden shape");
            }
        }
        qInfo("%s: attention max |diff| %.2e, %s %.2e", qPrintable(folder), worstAtt,
              golden["cases"][0].contains("logits") ? "logits" : "hidden", worstOut);
        QVERIFY2(worstAtt <= attTol, qPrintable(QString::number(worstAtt)));
        QVERIFY2(worstOut <= 1e-4f, qPrintable(QString::number(worstOut)));
    }

    void configAndLabels()
    {
        const auto m = loadHfFolder((kHfDir + "/vit-grid3x5").toStdString());
        const ModelConfig& c = m->config;
        QVERIFY(c.isVision());
        QCOMPARE(c.imageHeight, 6);
        QCOMPARE(c.imageWidth, 10);
        QCOMPARE(c.gridRows(), 3);
        QCOMPARE(c.gridCols(), 5);
        QCOMPARE(c.maxLen, 16);
        QVERIFY(c.norm == NormPosition::Pre);
        QVERIFY(c.finalNorm);
        QCOMPARE(m->sourceTokenizer.vocab().size(), 5);
        QCOMPARE(m->sourceTokenizer.vocab().token(2), std::string("bird"));
        const std::vector<std::string> labels = patchLabels(c);
        QCOMPARE(labels.size(), size_t(16));
        QCOMPARE(labels[0], std::string("[CLS]"));
        QCOMPARE(labels[1], std::string("(0, 0)"));
        QCOMPARE(labels[6], std::string("(1, 0)"));
        QCOMPARE(labels[15], std::string("(2, 4)"));
        const auto bare = loadHfFolder((kHfDir + "/vit-1head-bare").toStdString());
        QVERIFY(!bare->config.lmHead);
        QCOMPARE(bare->config.gridRows(), 2); // 9 / 4
        QCOMPARE(bare->config.gridCols(), 4); // 9 / 2
        QVERIFY(!bare->config.hasQkvBias());
        // Text input is refused by name.
        const Transformer tf(m);
        RunOptions text;
        text.text = "hello";
        QVERIFY_THROWS_EXCEPTION(UsageError, runModel(tf, text));
    }

    // runImage = toChannels + preprocess + embed + forward + [CLS] logits; the preprocessing of a
    // float image with do_resize to its own size is rescale and normalise only.
    void runImageMatchesGolden()
    {
        const auto model = loadHfFolder((kHfDir + "/vit-grid3x5").toStdString());
        const Transformer tf(model);
        const nlohmann::json golden = readJson(kGoldenDir + "/vit-grid3x5.expected.json");
        ImageTensor x = tensorFrom(golden["cases"][0]["pixel_values"]);
        // Undo normalise (mean 0.5, std 0.5) and rescale (1/255) so that preprocessing restores x.
        ImageTensor raw = x;
        for (float& v : raw.data) v = static_cast<float>((double(v) * 0.5 + 0.5) * 255.0);
        ImageRunOptions opt;
        opt.topK = 5;
        const ImageRunResult r = runImage(tf, raw, opt);
        QCOMPARE(r.labels.size(), size_t(16));
        QCOMPARE(r.predictions.size(), size_t(5));
        const nlohmann::json& want = golden["cases"][0]["logits"];
        for (int k = 0; k < 5; ++k) QVERIFY(std::abs(r.logits[k] - want[size_t(k)].get<float>()) < 1e-4f);
        float sum = 0.0f;
        for (const Prediction& p : r.predictions) sum += p.probability;
        QVERIFY(std::abs(sum - 1.0f) < 1e-5f);
        QCOMPARE(r.predictions[0].token, model->sourceTokenizer.vocab().token(r.predictions[0].id));
    }

    // Hand-computed PIL resampling (see docs/vit.md for the formulas): one row, so only the
    // horizontal pass runs.
    void resizeHandComputed_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<bool>("eightBit");
        QTest::addColumn<QVector<float>>("in");
        QTest::addColumn<QVector<float>>("expected");
        // Shrinking 4 → 2: support widened to 2; weights (3, 3, 1)/7 and (1, 3, 3)/7.
        QTest::newRow("bilinear shrink float")
            << "bilinear" << false << QVector<float>{0, 10, 20, 30} << QVector<float>{50.0f / 7, 160.0f / 7};
        QTest::newRow("bilinear shrink 8-bit rounds")
            << "bilinear" << true << QVector<float>{0, 100, 200, 255} << QVector<float>{71, 209}; // 71.43, 209.29
        // Enlarging 2 → 4: centres 0.25, 0.75, 1.25, 1.75; edge windows renormalised.
        QTest::newRow("bilinear enlarge")
            << "bilinear" << false << QVector<float>{0, 100} << QVector<float>{0, 25, 75, 100};
        // Bicubic (a = −0.5) 2 → 4: w(0.25) = 0.8671875, w(1.25) = −0.0703125, w(0.75) = 0.2265625.
        QTest::newRow("bicubic enlarge float overshoots")
            << "bicubic" << false << QVector<float>{0, 100}
            << QVector<float>{float(-7.03125 / 0.796875), float(22.65625 / 1.09375), float(100 - 22.65625 / 1.09375),
                              float(100 + 7.03125 / 0.796875)};
        // 8-bit: each pass rounded and clipped to 0 … 255 (−8.8 → 0, 108.8 → 109).
        QTest::newRow("bicubic enlarge 8-bit clips")
            << "bicubic" << true << QVector<float>{0, 100} << QVector<float>{0, 21, 79, 109};
        QTest::newRow("nearest shrink") << "nearest" << false << QVector<float>{0, 10, 20, 30}
                                        << QVector<float>{10, 30};
        QTest::newRow("nearest enlarge") << "nearest" << true << QVector<float>{5, 9} << QVector<float>{5, 5, 9, 9};
    }
    void resizeHandComputed()
    {
        QFETCH(QString, filter);
        QFETCH(bool, eightBit);
        QFETCH(QVector<float>, in);
        QFETCH(QVector<float>, expected);
        const Resample f = filter == "bicubic"   ? Resample::Bicubic
                           : filter == "nearest" ? Resample::Nearest
                                                 : Resample::Bilinear;
        const ImageTensor out =
            resizeImage(row(std::vector<float>(in.begin(), in.end()), eightBit), 1, int(expected.size()), f);
        QCOMPARE(out.width, int(expected.size()));
        for (int i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(out.data[size_t(i)] - expected[i]) < 1e-4f,
                     qPrintable(QString("%1: got %2, expected %3").arg(i).arg(out.data[size_t(i)]).arg(expected[i])));
    }

    // PIL's own results (tools/make_vit_pil_goldens.py, Pillow 9.4): 8-bit images equal byte
    // for byte; float images within 1e-5 relative (PIL accumulates in double as we do).
    void resizeMatchesPil()
    {
        const nlohmann::json doc = readJson(kVitData + "/pil-resize.json");
        float worstFloat = 0.0f;
        int cases = 0;
        for (const nlohmann::json& c : doc["cases"]) {
            ImageTensor in(c["channels"].get<int>(), c["in"][0].get<int>(), c["in"][1].get<int>(),
                           c["eight_bit"].get<bool>());
            for (size_t i = 0; i < in.data.size(); ++i) in.data[i] = c["input"][i].get<float>();
            const std::string f = c["filter"].get<std::string>();
            const Resample filter = f == "bicubic"   ? Resample::Bicubic
                                    : f == "nearest" ? Resample::Nearest
                                                     : Resample::Bilinear;
            const ImageTensor out = resizeImage(in, c["out"][0].get<int>(), c["out"][1].get<int>(), filter);
            QCOMPARE(out.data.size(), c["expected"].size());
            for (size_t i = 0; i < out.data.size(); ++i) {
                const float want = c["expected"][i].get<float>();
                if (in.eightBit)
                    QVERIFY2(out.data[i] == want,
                             qPrintable(QString::fromStdString(c["name"].get<std::string>()) +
                                        QString(" at %1: %2 vs PIL %3").arg(i).arg(out.data[i]).arg(want)));
                else worstFloat = std::max(worstFloat, std::abs(out.data[i] - want));
            }
            ++cases;
        }
        qInfo("%d PIL cases; 8-bit equal, float largest |diff| %.2e", cases, worstFloat);
        QVERIFY(cases >= 15);
        QVERIFY(worstFloat < 1e-5f);
    }

    void rescaleNormaliseAndChannels()
    {
        ImageProcessor p = defaultImageProcessor(1, 1, 3);
        const ImageTensor out = preprocessImage(row({0, 128, 255}, true), p, "t");
        QCOMPARE(out.data[0], -1.0f);
        QVERIFY(std::abs(out.data[1] - float((128.0 / 255.0 - 0.5) / 0.5)) < 1e-7f);
        QCOMPARE(out.data[2], 1.0f);
        QVERIFY(!out.eightBit);
        // PIL's convert("L"): pure red 76, green 150, blue 29; grey to RGB copies.
        ImageTensor rgb(3, 1, 3, true);
        const float px[3][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
        for (int x = 0; x < 3; ++x)
            for (int c = 0; c < 3; ++c) rgb.at(c, 0, x) = px[x][c];
        const ImageTensor grey = toChannels(rgb, 1);
        QCOMPARE(grey.data, (std::vector<float>{76, 150, 29}));
        const ImageTensor back = toChannels(grey, 3);
        QCOMPARE(back.at(2, 0, 1), 150.0f);
        // RGBA → RGB drops alpha (PIL's convert("RGB") does not composite).
        ImageTensor rgba(4, 1, 1, true);
        rgba.data = {200, 100, 50, 10};
        QCOMPARE(toChannels(rgba, 3).data, (std::vector<float>{200, 100, 50}));
        // Wrong channel count for the processor, too large, empty, non-finite.
        QVERIFY_THROWS_EXCEPTION(ImageError, preprocessImage(rgb, p, "t"));
        ImageTensor huge;
        huge.channels = 1;
        huge.height = 20000;
        huge.width = 20000; // no data: refused on the shape before anything is read
        try {
            checkImage(huge, "big.png");
            QFAIL("accepted");
        } catch (const ImageError& e) {
            QVERIFY2(QString(e.what()).contains("8192 × 8192"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ImageError, checkImage(ImageTensor(1, 0, 4), "empty"));
        ImageTensor nan = row({1.0f, std::nanf("")});
        QVERIFY_THROWS_EXCEPTION(ImageError, checkImage(nan, "nan"));
        // do_resize false with another size.
        ImageProcessor fixed = defaultImageProcessor(1, 1, 4);
        fixed.doResize = false;
        QVERIFY_THROWS_EXCEPTION(ImageError, preprocessImage(row({1, 2, 3}), fixed, "t"));
    }

    void badConfigs_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("preprocessor");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("pointer");
        QTest::newRow("preprocessor size differs") << "{}"
                                                   << R"({"size": {"height": 12, "width": 10}})"
                                                   << "preprocessor_config.json"
                                                   << "/size";
        QTest::newRow("shortest_edge") << "{}"
                                       << R"({"size": {"height": null, "width": null, "shortest_edge": 6}})"
                                       << "preprocessor_config.json"
                                       << "/size";
        QTest::newRow("lanczos") << "{}"
                                 << R"({"resample": 1})"
                                 << "preprocessor_config.json"
                                 << "/resample";
        QTest::newRow("mean of two channels") << "{}"
                                              << R"({"image_mean": [0.5, 0.5]})"
                                              << "preprocessor_config.json"
                                              << "/image_mean";
        QTest::newRow("std zero") << "{}"
                                  << R"({"image_std": [0.5, 0, 0.5]})"
                                  << "preprocessor_config.json"
                                  << "/image_std/1";
        QTest::newRow("center crop") << "{}"
                                     << R"({"do_center_crop": true})"
                                     << "preprocessor_config.json"
                                     << "/do_center_crop";
        QTest::newRow("other processor") << "{}"
                                         << R"({"image_processor_type": "CLIPImageProcessor"})"
                                         << "preprocessor_config.json"
                                         << "/image_processor_type";
        QTest::newRow("image_size three values") << R"({"image_size": [6, 10, 3]})"
                                                 << "{}"
                                                 << "config.json"
                                                 << "/image_size";
        QTest::newRow("patch larger than image") << R"({"patch_size": 7})"
                                                 << "{}"
                                                 << "config.json"
                                                 << "/patch_size";
        QTest::newRow("patch_size not integer") << R"({"patch_size": [2, 2.5]})"
                                                << "{}"
                                                << "config.json"
                                                << "/patch_size/1";
        QTest::newRow("id2label gap") << R"({"id2label": {"0": "a", "7": "b"}})"
                                      << "{}"
                                      << "config.json"
                                      << "/id2label/7";
        QTest::newRow("mask token") << R"({"use_mask_token": true})"
                                    << "{}"
                                    << "config.json"
                                    << "/use_mask_token";
        QTest::newRow("masked image modeling") << R"({"architectures": ["ViTForMaskedImageModeling"]})"
                                               << "{}"
                                               << "config.json"
                                               << "/architectures/0";
        // A different image size changes the position table: the checkpoint's shape is refused.
        QTest::newRow("image_size vs positions") << R"({"image_size": [8, 10]})"
                                                 << R"({"size": {"height": 8, "width": 10}})"
                                                 << "model.safetensors"
                                                 << "/vit.embeddings.position_embeddings";
        QTest::newRow("channels vs conv weight") << R"({"num_channels": 1})"
                                                 << R"({"image_mean": 0.5, "image_std": 0.5})"
                                                 << "model.safetensors"
                                                 << "/vit.embeddings.patch_embeddings.projection.weight";
    }
    void badConfigs()
    {
        QFETCH(QString, config);
        QFETCH(QString, preprocessor);
        QFETCH(QString, file);
        QFETCH(QString, pointer);
        QTemporaryDir dir;
        const std::string folder = editedFolder(dir, "vit-grid3x5", nlohmann::json::parse(config.toStdString()),
                                                nlohmann::json::parse(preprocessor.toStdString()));
        try {
            loadHfFolder(folder);
            QFAIL("loaded");
        } catch (const ModelError& e) {
            QVERIFY2(QString::fromStdString(e.file()).endsWith(file), e.what());
            QCOMPARE(QString::fromStdString(e.jsonPath()), pointer);
            QVERIFY(!e.message().empty());
        }
    }

    void defaultsWithoutPreprocessor()
    {
        QTemporaryDir dir;
        const std::string folder = editedFolder(dir, "vit-patch1", nlohmann::json::object(), nlohmann::json::object());
        std::filesystem::remove(std::filesystem::path(folder) / "preprocessor_config.json");
        const auto m = loadHfFolder(folder);
        QVERIFY(m->imageProcessor.file.empty());
        QCOMPARE(m->imageProcessor.height, 5);
        QVERIFY(m->imageProcessor.resample == Resample::Bilinear);
        QCOMPARE(m->imageProcessor.mean, (std::vector<float>{0.5f, 0.5f, 0.5f}));
        // do_resize false: `size` is unused; the image must have the model's size.
        const ImageProcessor p =
            parseImageProcessor(R"({"do_resize": false, "size": {"height": 3, "width": 4}})", "pre.json", 3, 5, 5);
        QVERIFY(!p.doResize);
        QCOMPARE(p.height, 5);
        QCOMPARE(p.width, 5);
    }
};

QTEST_GUILESS_MAIN(TestVit)
#include "test_vit.moc"
