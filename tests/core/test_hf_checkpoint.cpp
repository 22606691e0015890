// Hugging Face folders against an independent reference: every folder in tests/data/hf/ was
// written by tools/make_hf_goldens.py with torch modules built from Hugging Face's modeling code
// (tools/hf_reference.py), never from this engine. Per case: every head of every layer within
// 1e-5, logits (or a bare model's hidden states) within 1e-4, GPT-2's greedy continuation and
// the masked-LM top 5 equal. Also the naming tables and the F16/BF16 conversions by hand.
#include "core/errors.h"
#include "core/hf_checkpoint.h"
#include "core/model_loader.h"
#include "core/safetensors_file.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include "golden_util.h"

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

using namespace attnscope;
using Json = nlohmann::json;
using attnscope::testing::maxAbsDiff;
using attnscope::testing::readJson;

namespace {

const QString kHfDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/hf");
const QString kGoldenDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/hf");



std::vector<int> topIds(const Eigen::Ref<const RowVector>& row, int k)
{
    std::vector<int> order(size_t(row.size()));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&row](int a, int b) { return row[a] > row[b]; });
    order.resize(size_t(k));
    return order;
}

} // namespace

class TestHfCheckpoint : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void matchesReference_data();
    void matchesReference();
    void halfAndBfloat16ByHand();
    void namingTableCoversEveryTensor_data();
    void namingTableCoversEveryTensor();
    void folderWithoutTokenizerUsesIds();
    void f32InPlaceWhereTheLayoutAllows();
};

void TestHfCheckpoint::initTestCase()
{
    const QStringList files = QDir(kGoldenDir).entryList({"*.expected.json"});
    QVERIFY2(files.size() >= 12, qPrintable(QString("expected at least 12 golden files in %1, found %2")
                                               .arg(kGoldenDir).arg(files.size())));
}

void TestHfCheckpoint::matchesReference_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("caseIndex");
    for (const QString& f : QDir(kGoldenDir).entryList({"*.expected.json"})) {
        const Json e = readJson(kGoldenDir + "/" + f);
        const QString name = QString::fromStdString(e["model"].get<std::string>());
        for (size_t i = 0; i < e["cases"].size(); ++i)
            QTest::newRow(qPrintable(QString("%1#%2").arg(name).arg(i))) << name << int(i);
    }
}

void TestHfCheckpoint::matchesReference()
{
    QFETCH(QString, name);
    QFETCH(int, caseIndex);
    const Json e = readJson(kGoldenDir + "/" + name + ".expected.json");
    const float attentionTol = e["tolerance"]["attention"].get<float>();
    QCOMPARE(attentionTol, 1e-5f);
    const Json& c = e["cases"][size_t(caseIndex)];
    const auto model = loadModel((kHfDir + "/" + name).toStdString());
    QCOMPARE(model->format, std::string("huggingface"));
    QCOMPARE(model->family, e["family"].get<std::string>());
    QCOMPARE(model->dtype, e["dtype"].get<std::string>());
    const Transformer tf(model);

    const auto ids = c["ids"].get<std::vector<int>>();
    std::vector<int> types;
    if (c.contains("token_type_ids")) types = c["token_type_ids"].get<std::vector<int>>();
    const ForwardResult f = tf.forward(ids, {}, Capture::Attention, nullptr, 0, types.empty() ? nullptr : &types);

    bool shapeOk = false;
    if (c.contains("logits")) {
        const float tol = e["tolerance"]["logits"].get<float>();
        QCOMPARE(tol, 1e-4f);
        const float diff = maxAbsDiff(f.logits, c["logits"], shapeOk);
        QVERIFY2(shapeOk, "logits shape differs");
        QVERIFY2(diff <= tol, qPrintable(QString("logits differ by %1").arg(diff)));
    } else {
        const float tol = e["tolerance"]["hidden"].get<float>();
        QCOMPARE(f.logits.cols(), Eigen::Index(0));
        const float diff = maxAbsDiff(f.hidden, c["hidden"], shapeOk);
        QVERIFY2(shapeOk, "hidden-state shape differs");
        QVERIFY2(diff <= tol, qPrintable(QString("hidden states differ by %1").arg(diff)));
    }

    const Stack stack = model->config.type == ArchType::Decoder ? Stack::Decoder : Stack::Encoder;
    const std::vector<LayerTrace>& layers = f.trace.stack(stack);
    const Json& attention = c["attention"];
    QCOMPARE(layers.size(), attention.size());
    size_t checked = 0;
    for (size_t l = 0; l < layers.size(); ++l) {
        QCOMPARE(layers[l].heads.size(), attention[l].size());
        for (size_t h = 0; h < layers[l].heads.size(); ++h) {
            const float diff = maxAbsDiff(layers[l].heads[h].weights, attention[l][h], shapeOk);
            const QString where = QString("layer %1 head %2").arg(l).arg(h);
            QVERIFY2(shapeOk, qPrintable(where + ": shape differs"));
            QVERIFY2(diff <= attentionTol, qPrintable(where + QString(": differs by %1").arg(diff)));
            ++checked;
        }
    }
    QCOMPARE(checked, size_t(model->config.nHeads) * layers.size());

    if (c.contains("greedy")) {
        const auto expected = c["greedy"].get<std::vector<int>>();
        const int maxLen = static_cast<int>(ids.size() + expected.size());
        QCOMPARE(tf.greedy(ids, maxLen), expected);
    }
    if (c.contains("mlm")) {
        const size_t position = c["mlm"]["position"].get<size_t>();
        QCOMPARE(topIds(f.logits.row(Eigen::Index(position)), 5), c["mlm"]["top5"].get<std::vector<int>>());
    }
}

void TestHfCheckpoint::halfAndBfloat16ByHand()
{
    // IEEE half: 1.0 = 0x3C00, −2.0 = 0xC000, 65504 (largest) = 0x7BFF, the smallest subnormal
    // 2^−24 = 0x0001, 0.333251953125 = 0x3555; bfloat16 is the top half of a float32.
    QCOMPARE(halfToFloat(0x3C00), 1.0f);
    QCOMPARE(halfToFloat(0xC000), -2.0f);
    QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
    QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
    QCOMPARE(halfToFloat(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
    QCOMPARE(halfToFloat(0x3555), 0.333251953125f);
    QVERIFY(std::isinf(halfToFloat(0x7C00)));
    QVERIFY(std::isnan(halfToFloat(0x7E00)));
    QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
    QCOMPARE(bfloat16ToFloat(0xC0A0), -5.0f);
    QCOMPARE(bfloat16ToFloat(0x3EAB), 0.333984375f);
}

void TestHfCheckpoint::namingTableCoversEveryTensor_data()
{
    QTest::addColumn<QString>("name");
    for (const QString& d : QDir(kHfDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) QTest::newRow(qPrintable(d)) << d;
}

void TestHfCheckpoint::namingTableCoversEveryTensor()
{
    // Every tensor the engine needs has exactly one row in the family's table, and the loaded
    // model holds exactly the engine's tensors: nothing of the checkpoint's own layout leaks in.
    QFETCH(QString, name);
    const auto model = loadModel((kHfDir + "/" + name).toStdString());
    const std::vector<HfTensorSource> table = hfNamingTable(model->family, model->config);
    const int vocab = model->config.isVision()     ? model->sourceTokenizer.vocab().size() // ViT: its classes
                      : model->config.hasDecoder() ? model->weights.entry("decoder.embed.weight").shape[0]
                                                   : model->weights.entry("encoder.embed.weight").shape[0];
    const std::vector<TensorSpec> specs = requiredTensors(model->config, vocab, vocab);
    for (const TensorSpec& s : specs) {
        const auto n = std::count_if(table.begin(), table.end(), [&s](const HfTensorSource& r) { return r.engineName == s.name; });
        QVERIFY2(n == 1, qPrintable(QString::fromStdString(s.name)));
        QVERIFY2(model->weights.has(s.name), qPrintable(QString::fromStdString(s.name)));
        QCOMPARE(model->weights.entry(s.name).shape, s.shape);
    }
    QCOMPARE(model->weights.entries().size(), specs.size());
}

void TestHfCheckpoint::folderWithoutTokenizerUsesIds()
{
    // Without tokenizer files the vocabulary is the ids: "#5 #7" is read back as [5, 7].
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char* file : {"config.json", "model.safetensors"})
        QVERIFY(QFile::copy(kHfDir + "/gpt2-tiny/" + file, dir.filePath(file)));
    const auto model = loadModel(dir.path().toStdString());
    QVERIFY(model->tokenizerFile.empty());
    const std::vector<Token> tokens = model->sourceTokenizer.tokenize("#5 #7");
    QCOMPARE(tokens.size(), size_t(2));
    QCOMPARE(tokens[0].id, 5);
    QCOMPARE(tokens[1].id, 7);
}

void TestHfCheckpoint::f32InPlaceWhereTheLayoutAllows()
{
    // One F32 file used as stored (BERT, DistilBERT): views into the mapping. Transposes (GPT-2's
    // Conv1D), F16 and shards: one copy. The goldens above pass either way.
    QVERIFY(loadModel((kHfDir + "/bert-mlm").toStdString())->weights.isMapped());
    QVERIFY(loadModel((kHfDir + "/distilbert-mlm").toStdString())->weights.isMapped());
    QVERIFY(!loadModel((kHfDir + "/gpt2-tiny").toStdString())->weights.isMapped());
    QVERIFY(!loadModel((kHfDir + "/bert-d4-h4-relu-f16").toStdString())->weights.isMapped());
    QVERIFY(!loadModel((kHfDir + "/roberta-sharded-pooler").toStdString())->weights.isMapped());

    // In place, every value is still checked: a NaN in the first data bytes of bert-mlm's file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const QString& f : QDir(kHfDir + "/bert-mlm").entryList(QDir::Files))
        QVERIFY(QFile::copy(kHfDir + "/bert-mlm/" + f, dir.filePath(f)));
    QFile st(dir.filePath("model.safetensors"));
    QVERIFY(st.open(QIODevice::ReadWrite));
    QByteArray bytes = st.readAll();
    quint64 header = 0;
    for (int i = 7; i >= 0; --i) header = (header << 8) | quint8(bytes[i]);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data() + 8 + header, &nan, sizeof nan);
    QVERIFY(st.seek(0));
    QCOMPARE(st.write(bytes), qint64(bytes.size()));
    st.close();
    try {
        loadModel(dir.path().toStdString());
        QFAIL("a NaN weight loaded");
    } catch (const ModelError& e) {
        QVERIFY2(QString::fromStdString(e.file()).endsWith("model.safetensors"), e.what());
        QVERIFY2(QString::fromStdString(e.message()).contains("not finite"), e.what());
    }
}

QTEST_APPLESS_MAIN(TestHfCheckpoint)
#include "test_hf_checkpoint.moc"
