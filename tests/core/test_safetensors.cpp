// Safetensors sidecars: a re-exported golden model loads bit-identical weights (mapped, not
// copied), and every malformed header is rejected with its path before any tensor is used.
#include "core/errors.h"
#include "core/model_loader.h"
#include "tiny_models.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <limits>

using namespace attnscope;
using Json = nlohmann::json;

Q_DECLARE_METATYPE(std::function<void(Json&, std::string&)>)

namespace {

const std::string kData = ATTNSCOPE_SOURCE_DIR "/tests/data";

// Tensors of the tiny encoder model, laid out back to back: header + data.
struct Sidecar {
    Json header = Json::object();
    std::string data;
};

Sidecar tinySidecar(size_t misalign = 0)
{
    const Json model = test::tinyModel("encoder");
    Sidecar s;
    s.data.assign(misalign, '\0');
    for (const auto& [name, t] : model["weights"].items()) {
        const std::vector<float> v = t.contains("data") ? t["data"].get<std::vector<float>>()
                                                        : decodeFloat32Base64(t["b64"].get<std::string>());
        const size_t begin = s.data.size();
        s.data.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
        s.header[name] = {{"dtype", "F32"}, {"shape", t["shape"]}, {"data_offsets", {begin, s.data.size()}}};
    }
    return s;
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string encode(const Sidecar& s)
{
    std::string h = s.header.dump();
    while ((8 + h.size()) % 8) h += ' ';
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((h.size() >> (8 * i)) & 0xFF);
    return out + h + s.data;
}

// Writes model JSON + sidecar into dir; returns the JSON path.
std::string writeModel(const QTemporaryDir& dir, const std::string& sidecarBytes)
{
    Json model = test::tinyModel("encoder");
    model.erase("weights");
    model["weights_file"] = "tiny.safetensors";
    const std::string json = dir.filePath("tiny.json").toStdString();
    writeFile(json, model.dump());
    writeFile(dir.filePath("tiny.safetensors").toStdString(), sidecarBytes);
    return json;
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private slots:
    void sampleMatchesGolden();
    void tinyRoundTrip();
    void misalignedDataIsCopied();
    void malformed_data();
    void malformed();
    void missingSidecarIsIoError();
    void weightsAndWeightsFileConflict();
};

void TestSafetensors::sampleMatchesGolden()
{
    const auto mapped = loadModel(kData + "/safetensors/decoder-pre-gelu-tied.json");
    const auto inline_ = loadModel(kData + "/golden/decoder-pre-gelu-tied.model.json");
    QVERIFY(mapped->weights.isMapped());
    QCOMPARE(mapped->parameterCount(), inline_->parameterCount());
    for (const auto& [name, e] : inline_->weights.entries()) {
        QVERIFY(mapped->weights.has(name));
        QCOMPARE(mapped->weights.entry(name).shape, e.shape);
        QVERIFY(std::memcmp(mapped->weights.data(name), inline_->weights.data(name), e.size() * 4) == 0);
    }
}

void TestSafetensors::tinyRoundTrip()
{
    QTemporaryDir dir;
    const auto m = loadModel(writeModel(dir, encode(tinySidecar())));
    const auto ref = parseModel(test::tinyModel("encoder").dump(), "ref.json");
    QVERIFY(m->weights.isMapped());
    for (const auto& [name, e] : ref->weights.entries())
        QVERIFY(std::memcmp(m->weights.data(name), ref->weights.data(name), e.size() * 4) == 0);
}

void TestSafetensors::misalignedDataIsCopied()
{
    QTemporaryDir dir;
    const auto m = loadModel(writeModel(dir, encode(tinySidecar(2))));
    QVERIFY(!m->weights.isMapped());
    const auto ref = parseModel(test::tinyModel("encoder").dump(), "ref.json");
    for (const auto& [name, e] : ref->weights.entries())
        QVERIFY(std::memcmp(m->weights.data(name), ref->weights.data(name), e.size() * 4) == 0);
}

void TestSafetensors::malformed_data()
{
    using F = std::function<void(Json&, std::string&)>;
    QTest::addColumn<F>("mutate");
    QTest::addColumn<bool>("raw"); // mutate the encoded bytes' data part only
    QTest::addColumn<QString>("expected");
    const std::string q = "encoder.layers.0.self_attn.q_proj.weight";
    QTest::newRow("wrong dtype") << F([q](Json& h, std::string&) { h[q]["dtype"] = "F16"; }) << false
                                 << QString::fromStdString("/" + q + "/dtype: expected \"F32\", got \"F16\"");
    QTest::newRow("wrong shape") << F([q](Json& h, std::string&) { h[q]["shape"] = {2, 8}; }) << false
                                 << QString::fromStdString("/" + q + ": expected shape [4, 4], got [2, 8]");
    QTest::newRow("offsets outside") << F([q](Json& h, std::string& d) { h[q]["data_offsets"] = {d.size(), d.size() + 64}; })
                                     << false << QString::fromStdString("/" + q + "/data_offsets: range [");
    QTest::newRow("offsets reversed") << F([q](Json& h, std::string&) { h[q]["data_offsets"] = {64, 0}; }) << false
                                      << QString::fromStdString("/" + q + "/data_offsets: range [64, 0)");
    QTest::newRow("size mismatch") << F([q](Json& h, std::string&) { h[q]["data_offsets"][1] = h[q]["data_offsets"][1].get<size_t>() - 4; })
                                   << false << QString::fromStdString("/" + q + "/data_offsets: range holds 60 bytes, shape needs 64");
    QTest::newRow("negative offset") << F([q](Json& h, std::string&) { h[q]["data_offsets"] = {-4, 60}; }) << false
                                     << QString::fromStdString("/" + q + "/data_offsets: expected two non-negative integers");
    QTest::newRow("overlap") << F([q](Json& h, std::string&) {
        const std::string k = "encoder.layers.0.self_attn.k_proj.weight";
        h[k]["data_offsets"] = h[q]["data_offsets"];
    }) << false << "/encoder.layers.0.self_attn.";
    QTest::newRow("missing tensor") << F([](Json& h, std::string&) { h.erase("lm_head.bias"); }) << false
                                    << "/lm_head.bias: missing tensor";
    QTest::newRow("extra tensor") << F([](Json& h, std::string&) { h["decoder.norm.weight"] = {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 16}}}; })
                                  << false << "/decoder.norm.weight: unexpected tensor (not used by this architecture)";
    QTest::newRow("nan value") << F([q](Json& h, std::string& d) {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(&d[h[q]["data_offsets"][0].get<size_t>() + 8], &nan, 4);
    }) << false << QString::fromStdString("/" + q + ": value 2 is not finite");
    QTest::newRow("header not json") << F([](Json&, std::string&) {}) << true << "/: invalid JSON at line 1";
}

void TestSafetensors::malformed()
{
    QFETCH(std::function<void(Json&, std::string&)>, mutate);
    QFETCH(bool, raw);
    QFETCH(QString, expected);
    Sidecar s = tinySidecar();
    mutate(s.header, s.data);
    std::string bytes = encode(s);
    if (raw) bytes[8] = '['; // break the header's opening brace
    QTemporaryDir dir;
    const std::string path = writeModel(dir, bytes);
    const QString sidecar = dir.filePath("tiny.safetensors");
    try {
        loadModel(path);
        QFAIL("loaded");
    } catch (const ModelError& e) {
        const QString what = QString::fromStdString(e.what());
        QVERIFY2(what.startsWith(sidecar + ": " + expected), qPrintable(what));
    }
}

void TestSafetensors::missingSidecarIsIoError()
{
    QTemporaryDir dir;
    const std::string path = writeModel(dir, encode(tinySidecar()));
    QFile::remove(dir.filePath("tiny.safetensors"));
    QVERIFY_THROWS_EXCEPTION(IoError, loadModel(path));
    // A truncated header length field and a header longer than the file.
    writeFile(dir.filePath("tiny.safetensors").toStdString(), "abc");
    try {
        loadModel(path);
        QFAIL("loaded");
    } catch (const ModelError& e) {
        QVERIFY(std::string(e.what()).find("too short for a safetensors header") != std::string::npos);
    }
    std::string huge(16, '\0');
    huge[0] = char(0xFF);
    huge[1] = char(0xFF);
    writeFile(dir.filePath("tiny.safetensors").toStdString(), huge);
    try {
        loadModel(path);
        QFAIL("loaded");
    } catch (const ModelError& e) {
        QVERIFY2(std::string(e.what()).find("header length 65535 exceeds the file (16 bytes)") != std::string::npos, e.what());
    }
}

void TestSafetensors::weightsAndWeightsFileConflict()
{
    Json model = test::tinyModel("encoder");
    model["weights_file"] = "tiny.safetensors";
    try {
        parseModel(model.dump(), "m.json");
        QFAIL("loaded");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.jsonPath()), QString("/weights"));
    }
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
