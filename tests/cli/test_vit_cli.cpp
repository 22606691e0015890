// ViT images end to end: decoding (render/image_input) against PIL's conversions and Hugging
// Face's preprocessing of the same files (tests/data/vit/images/pil-convert.json), then
// attnscope-cli run / export / info --image on the shipped digits model and the test folders,
// and every kind of bad input (a clear one-line message and a non-zero exit).
#include "cli_runner.h"
#include "core/hf_checkpoint.h"
#include "core/vision.h"
#include "render/image_input.h"
#include "render/patch_overlay.h"

#include <nlohmann/json.hpp>

#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace attnscope;
using attnscope::test::runCli;

namespace {

const QString kImages = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/vit/images");
const QString kDigits = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/models/hf/vit-digits");
const QString kHf = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf");

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

} // namespace

class TestVitCli : public QObject {
    Q_OBJECT

private slots:
    // Decoded RGB and PIL's convert("RGB"); our toChannels(…, 1) and PIL's convert("L").
    void decodingMatchesPil_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* f : {"rgb.png", "rgba.png", "palette.png", "grey.png", "grey-alpha.png"})
            QTest::newRow(f) << f;
    }
    void decodingMatchesPil()
    {
        QFETCH(QString, file);
        const nlohmann::json want = readJson(kImages + "/pil-convert.json")["images"][file.toStdString()];
        const DecodedImage d = decodeImageFile(kImages + "/" + file);
        QCOMPARE(d.tensor.channels, 3);
        QCOMPARE(d.tensor.height, want["size"][0].get<int>());
        QCOMPARE(d.tensor.width, want["size"][1].get<int>());
        QVERIFY(d.tensor.eightBit);
        QCOMPARE(d.tensor.data.size(), want["rgb"].size());
        for (size_t i = 0; i < d.tensor.data.size(); ++i) QCOMPARE(d.tensor.data[i], want["rgb"][i].get<float>());
        const ImageTensor grey = toChannels(d.tensor, 1);
        for (size_t i = 0; i < grey.data.size(); ++i) QCOMPARE(grey.data[i], want["l"][i].get<float>());
    }

    // 16-bit grey: Qt reduces to 8 bits (≈ v / 257); PIL opens it as mode "I" and clips to 255
    // (docs/vit.md says so). Checked: ours within one level of v / 257.
    void sixteenBit()
    {
        const nlohmann::json want = readJson(kImages + "/pil-convert.json")["images"]["grey16.png"];
        QCOMPARE(want["mode"].get<std::string>(), std::string("I"));
        const DecodedImage d = decodeImageFile(kImages + "/grey16.png");
        int pilSaturated = 0;
        for (size_t i = 0; i < want["values16"].size(); ++i) {
            const double v16 = want["values16"][i].get<double>();
            QVERIFY(std::abs(d.tensor.data[i] - v16 / 257.0) <= 1.0);
            pilSaturated += want["rgb"][i].get<int>() == 255;
        }
        QVERIFY(pilSaturated > int(want["values16"].size()) / 2);
    }

    // The whole preprocessing of a file equals Hugging Face's ViTImageProcessor steps with PIL.
    void pipelineMatchesHfWithPil_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("channels");
        QTest::newRow("digit ×8 shrunk to 8×8, grey") << "digit-3-x8.png" << 1;
        QTest::newRow("RGBA to RGB 6×10") << "rgba.png" << 3;
        QTest::newRow("RGB to grey 8×8") << "rgb.png" << 1;
    }
    void pipelineMatchesHfWithPil()
    {
        QFETCH(QString, file);
        QFETCH(int, channels);
        const nlohmann::json want = readJson(kImages + "/pil-convert.json")["pipeline"][file.toStdString()];
        const int h = want["size"][0].get<int>(), w = want["size"][1].get<int>();
        const ImageProcessor p = defaultImageProcessor(channels, h, w);
        const ImageTensor x =
            preprocessImage(toChannels(decodeImageFile(kImages + "/" + file).tensor, channels), p, "t");
        QCOMPARE(x.data.size(), want["pixel_values"].size());
        for (size_t i = 0; i < x.data.size(); ++i) QCOMPARE(x.data[i], want["pixel_values"][i].get<float>());
    }

    void runDigits_data()
    {
        QTest::addColumn<int>("digit");
        for (int d = 0; d < 10; ++d) QTest::newRow(qPrintable(QString::number(d))) << d;
    }
    void runDigits()
    {
        QFETCH(int, digit);
        const auto r =
            runCli({"run", kDigits, "--image", kImages + QString("/digit-%1.png").arg(digit), "--top-k", "10"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["predictions"]["top_k"][0]["label"].get<std::string>(), std::to_string(digit));
        double sum = 0.0;
        for (const auto& p : j["predictions"]["top_k"]) sum += p["probability"].get<double>();
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
        QCOMPARE(j["positions"].size(), size_t(17));
        QCOMPARE(j["positions"][0].get<std::string>(), std::string("[CLS]"));
        QCOMPARE(j["positions"][16].get<std::string>(), std::string("(3, 3)"));
        QCOMPARE(j["attention"].size(), size_t(16)); // 4 layers × 4 heads
        for (const auto& a : j["attention"]) {
            QCOMPARE(a["weights"].size(), size_t(17));
            double row0 = 0.0;
            for (const auto& v : a["weights"][0]) row0 += v.get<double>();
            QVERIFY(std::abs(row0 - 1.0) < 1e-5);
        }
    }

    void runFullCaptureAndOtherShapes()
    {
        auto r = runCli({"run", kDigits, "--image", kImages + "/digit-5.png", "--capture", "full"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["attention"][0]["q"].size(), size_t(17));
        QCOMPARE(j["attention"][0]["q"][0].size(), size_t(16)); // d_head 64 / 4
        // An RGB model on RGBA, palette, grey, grey+alpha and 16-bit files (converted as HF does).
        for (const char* f :
             {"rgba.png", "palette.png", "grey.png", "grey-alpha.png", "grey16.png", "digit-3-x8.png"}) {
            r = runCli({"run", kHf + "/vit-grid3x5", "--image", kImages + "/" + f});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            j = nlohmann::json::parse(r.out.toStdString());
            QCOMPARE(j["positions"].size(), size_t(16));
            QCOMPARE(j["positions"][15].get<std::string>(), std::string("(2, 4)"));
            QCOMPARE(j["pixel_values_shape"], nlohmann::json({3, 6, 10}));
        }
        // A bare ViTModel prints hidden states and no predictions.
        r = runCli({"run", kHf + "/vit-1head-bare", "--image", kImages + "/rgb.png"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["predictions"]["top_k"].size(), size_t(0));
        QCOMPARE(j["hidden"].size(), size_t(9));
    }

    void info()
    {
        const auto r = runCli({"info", kDigits});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["vision"]["grid"], nlohmann::json({4, 4}));
        QCOMPARE(j["vision"]["patch_size"], nlohmann::json({2, 2}));
        QCOMPARE(j["vision"]["classes"].size(), size_t(10));
        QCOMPARE(j["vision"]["preprocessor"]["resample"].get<std::string>(), std::string("bilinear"));
        QCOMPARE(j["architecture"]["norm"].get<std::string>(), std::string("pre"));
    }

    // The overlay as drawn: every patch cell's colour is the colour scale's colour for the
    // query's weight (from `run`'s JSON, i.e. core), blended at the overlay's opacity over the
    // image pixel under it.
    void exportOverlayShowsTheWeights()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("overlay.png");
        const QString image = kImages + "/digit-3.png";
        auto r = runCli({"export", kDigits, "--image", image, "--layer", "0", "--head", "3", "--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QImage drawn(out);
        QCOMPARE(drawn.size(), QSize(640, 720));
        r = runCli({"run", kDigits, "--image", image});
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        const nlohmann::json& row = j["attention"][3]["weights"][0]; // layer 0 head 3, [CLS] query
        QCOMPARE(j["attention"][3]["head"].get<int>(), 3);
        const auto model = loadHfFolder(kDigits.toStdString());
        PatchOverlay o;
        o.gridRows = o.gridCols = 4;
        o.imageHeight = o.imageWidth = 8;
        o.patchHeight = o.patchWidth = 2;
        for (int k = 1; k < 17; ++k) o.weights.push_back(row[size_t(k)].get<float>());
        const QImage source(image);
        int checked = 0;
        for (int rr = 0; rr < 4; ++rr)
            for (int c = 0; c < 4; ++c) {
                const QRectF cell = patchOverlayCellRect(o, drawn.size(), rr, c);
                const QPoint at = (cell.topLeft() + QPointF(6, 6)).toPoint();
                const QColor tint = patchOverlayColor(o, o.weights[size_t(rr * 4 + c)]);
                const int under = qGray(source.pixel(c * 2, rr * 2));
                const double a = std::round(o.opacity * 255.0) / 255.0;
                const QColor got = drawn.pixelColor(at);
                const int want[3] = {int(std::lround(tint.red() * a + under * (1 - a))),
                                     int(std::lround(tint.green() * a + under * (1 - a))),
                                     int(std::lround(tint.blue() * a + under * (1 - a)))};
                QVERIFY2(std::abs(got.red() - want[0]) <= 2 && std::abs(got.green() - want[1]) <= 2 &&
                             std::abs(got.blue() - want[2]) <= 2,
                         qPrintable(QString("cell (%1, %2): drawn %3, expected rgb(%4, %5, %6)")
                                        .arg(rr)
                                        .arg(c)
                                        .arg(got.name())
                                        .arg(want[0])
                                        .arg(want[1])
                                        .arg(want[2])));
                ++checked;
            }
        QCOMPARE(checked, 16);
        // A patch query, the mean of heads, SVG.
        r = runCli(
            {"export", kDigits, "--image", image, "--head", "mean", "--query", "1,2", "--out", dir.filePath("q.svg")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo(dir.filePath("q.svg")).size() > 1000);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString bad = kImages + "/bad/";
        QTest::newRow("empty file") << QStringList{"run", kDigits, "--image", bad + "empty.png"} << 4
                                    << "empty (0 bytes)";
        QTest::newRow("corrupt") << QStringList{"run", kDigits, "--image", bad + "corrupt.png"} << 4 << "not an image";
        QTest::newRow("truncated") << QStringList{"run", kDigits, "--image", bad + "truncated.png"} << 4
                                   << "cannot decode the image";
        QTest::newRow("20000 x 20000") << QStringList{"run", kDigits, "--image", bad + "huge-20000x20000.png"} << 4
                                       << "20000 × 20000 pixels; the limit is 8192 × 8192";
        QTest::newRow("missing file") << QStringList{"run", kDigits, "--image", bad + "nope.png"} << 4
                                      << "no such file";
        QTest::newRow("export of a bad image")
            << QStringList{"export", kDigits, "--image", bad + "truncated.png", "--out", "/tmp/attnscope-vit-never.png"}
            << 4 << "cannot decode";
        QTest::newRow("query outside the grid")
            << QStringList{"export",  kDigits, "--image", kImages + "/digit-3.png",
                           "--query", "4,0",   "--out",   "/tmp/attnscope-vit-never.png"}
            << 2 << "0 <= R < 4";
        QTest::newRow("query not R,C") << QStringList{"export",  kDigits,  "--image", kImages + "/digit-3.png",
                                                      "--query", "middle", "--out",   "/tmp/attnscope-vit-never.png"}
                                       << 2 << "--query expects cls or R,C";
        QTest::newRow("layer out of range")
            << QStringList{"export",  kDigits, "--image", kImages + "/digit-3.png",
                           "--layer", "4",     "--out",   "/tmp/attnscope-vit-never.png"}
            << 2 << "--layer 4 out of range";
        QTest::newRow("text for an image model")
            << QStringList{"run", kDigits, "--text", "three"} << 2 << "is an image model";
        QTest::newRow("image for a text model")
            << QStringList{"run", kHf + "/gpt2-tiny", "--image", kImages + "/digit-3.png"} << 2 << "not an image model";
        QTest::newRow("image and text") << QStringList{"run",    kDigits, "--image", kImages + "/digit-3.png",
                                                       "--text", "x"}
                                        << 2 << "--image replaces --text";
        QTest::newRow("query without export")
            << QStringList{"run", kDigits, "--image", kImages + "/digit-3.png", "--query", "cls"} << 2
            << "--query is an export --image option";
    }
    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const auto r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFileInfo::exists("/tmp/attnscope-vit-never.png"));
    }

    // A preprocessor_config.json whose size is not the model's: refused at load, naming the
    // file and the JSON pointer (exit 3).
    void wrongPreprocessorSize()
    {
        namespace fs = std::filesystem;
        QTemporaryDir dir;
        const fs::path folder = fs::path(dir.path().toStdString()) / "vit-digits";
        fs::create_directories(folder);
        for (const char* f : {"config.json", "model.safetensors"})
            fs::copy_file(fs::path(kDigits.toStdString()) / f, folder / f);
        nlohmann::json pre = readJson(kDigits + "/preprocessor_config.json");
        pre["size"] = {{"height", 28}, {"width", 28}};
        std::ofstream((folder / "preprocessor_config.json").string()) << pre.dump(2);
        const auto r = runCli({"run", QString::fromStdString(folder.string()), "--image", kImages + "/digit-3.png"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("preprocessor_config.json: /size: resizes to 28 × 28"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestVitCli)
#include "test_vit_cli.moc"
