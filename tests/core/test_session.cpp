// Session files (core/session.h): a full round trip, every error path with its JSON Pointer
// and message, validation against a model's architecture, relative model paths (including a
// lesson folder that is moved), and the example lesson shipped in docs/lessons/.
#include "core/errors.h"
#include "core/model_loader.h"
#include "core/session.h"
#include "tiny_models.h"

#include <QtTest>

#include <fstream>

using namespace attnscope;

namespace {

const std::string kFile = "lesson.attnscope.json";

Session fullSession()
{
    Session s;
    s.notes = "Week 3: how the year's digits find the year.\nAsk the class first.";
    s.model = "../models/date-normalizer.json";
    s.text = "25th of November 2026 \xE2\x80\x94 caf\xC3\xA9 \"quoted\"";
    s.target = "2026-11-25";
    s.pair = "and the earth";
    s.generate = true;
    s.selection = {Stack::Cross, 1, 3};
    s.meanOfHeads = true;
    s.ablationMode = AblationMode::Mean;
    s.ablationReference = "1st of May 1999";
    s.ablated = {{Stack::Encoder, 0, 1}, {Stack::Cross, 1, 0}};
    s.tab = "step-through";
    s.colormap = "magma";
    s.logScale = true;
    s.temperature = 0.25;
    s.stepPanel = "neuron";
    s.stepQuery = 4;
    s.stepKey = 7;
    return s;
}

std::string write(const QString& path, const std::string& text)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
    return path.toStdString();
}

ModelConfig config(ArchType type, int encoderLayers, int decoderLayers, int heads)
{
    ModelConfig c;
    c.type = type;
    c.dModel = 8;
    c.nHeads = heads;
    c.encoderLayers = encoderLayers;
    c.decoderLayers = decoderLayers;
    return c;
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void defaultsWhenKeysAreAbsent();
    void writesEveryKeyInOrder();
    void errors_data();
    void errors();
    void validation_data();
    void validation();
    void storedPath_data();
    void storedPath();
    void resolvedPath_data();
    void resolvedPath();
    void movedLessonFolderStillFindsItsModel();
    void unreadableFile();
    void recognisesSessionFiles_data();
    void recognisesSessionFiles();
    void exampleLessonIsValid();
};

void TestSession::roundTrip()
{
    const Session s = fullSession();
    const std::string json = toJson(s);
    const Session back = parseSession(json, kFile);
    QVERIFY(back == s);
    QCOMPARE(back.text, s.text);
    QCOMPARE(back.ablated.size(), size_t(2));
    QCOMPARE(back.temperature, 0.25);
    QCOMPARE(toJson(back), json); // stable output
    // The defaults too (automatic query/key are written as null).
    Session d;
    d.model = "m.json";
    QVERIFY(parseSession(toJson(d), kFile) == d);
    QVERIFY(toJson(d).find("\"query\": null") != std::string::npos);
}

void TestSession::defaultsWhenKeysAreAbsent()
{
    const Session s = parseSession(R"({"format": "attnscope-session", "version": 1, "model": "m.json"})", kFile);
    Session want;
    want.model = "m.json";
    QVERIFY(s == want);
    QCOMPARE(s.tab, std::string("head"));
    QCOMPARE(s.colormap, std::string("viridis"));
    QCOMPARE(s.temperature, 1.0);
    QCOMPARE(s.stepQuery, -1);
    QCOMPARE(s.stepPanel, std::string("steps"));
    // Partial sections keep the defaults of the keys they leave out.
    const Session p = parseSession(R"({"format": "attnscope-session", "version": 1, "model": "m.json",
        "selection": {"layer": 2}, "view": {"step_through": {"query": null, "key": 3}}})",
                                   kFile);
    QCOMPARE(p.selection.layer, 2);
    QVERIFY(p.selection.stack == Stack::Encoder);
    QCOMPARE(p.selection.head, 0);
    QCOMPARE(p.stepQuery, -1);
    QCOMPARE(p.stepKey, 3);
}

void TestSession::writesEveryKeyInOrder()
{
    const std::string json = toJson(fullSession());
    size_t at = 0;
    for (const char* key : {"\"format\": \"attnscope-session\"", "\"version\": 1", "\"notes\"", "\"model\"", "\"input\"",
                            "\"text\"", "\"target\"", "\"pair\": \"and the earth\"", "\"generate\": true", "\"selection\"", "\"stack\": \"cross\"",
                            "\"layer\": 1", "\"head\": 3", "\"mean_of_heads\": true", "\"ablation\"",
                            "\"mode\": \"mean\"", "\"reference\"", "\"heads\"", "\"view\"", "\"tab\": \"step-through\"",
                            "\"colormap\": \"magma\"", "\"log_scale\": true", "\"step_through\"", "\"temperature\": 0.25",
                            "\"panel\": \"neuron\"", "\"query\": 4", "\"key\": 7"}) {
        const size_t next = json.find(key, at);
        QVERIFY2(next != std::string::npos, key);
        at = next;
    }
    QVERIFY(json.back() == '\n');
}

void TestSession::errors_data()
{
    QTest::addColumn<QString>("document");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    const QString h = R"("format": "attnscope-session", "version": 1, "model": "m.json")";
    auto doc = [&h](const QString& rest) { return QStringLiteral("{%1%2}").arg(h, rest.isEmpty() ? QString() : ", " + rest); };
    QTest::newRow("syntax") << "{\"format\": " << "/" << "invalid JSON at line 1";
    QTest::newRow("not an object") << "[1, 2]" << "/" << "expected object, got array";
    QTest::newRow("no format") << R"({"version": 1, "model": "m.json"})" << "/format" << "missing required key";
    QTest::newRow("model file") << R"({"format": "attnscope-model", "version": 1})" << "/format"
                                << "got \"attnscope-model\" (this is a model file, not a session)";
    QTest::newRow("format type") << R"({"format": 1})" << "/format" << "expected string, got integer";
    QTest::newRow("no version") << R"({"format": "attnscope-session", "model": "m.json"})" << "/version"
                                << "missing required key";
    QTest::newRow("version 2") << R"({"format": "attnscope-session", "version": 2, "model": "m.json"})" << "/version"
                               << "unsupported session version 2 (this AttnScope reads version 1)";
    QTest::newRow("version string") << R"({"format": "attnscope-session", "version": "1"})" << "/version"
                                    << "expected integer, got string";
    QTest::newRow("unknown key") << doc(R"("colour": "red")") << "/colour" << "unknown key (expected one of format";
    QTest::newRow("duplicate key") << doc(R"("model": "n.json")") << "/model" << "duplicate key \"model\"";
    QTest::newRow("no model") << R"({"format": "attnscope-session", "version": 1})" << "/model" << "missing required key";
    QTest::newRow("empty model") << R"({"format": "attnscope-session", "version": 1, "model": ""})" << "/model"
                                 << "empty model path";
    QTest::newRow("model type") << R"({"format": "attnscope-session", "version": 1, "model": 3})" << "/model"
                                << "expected string, got integer";
    QTest::newRow("input type") << doc(R"("input": "abc")") << "/input" << "expected object, got string";
    QTest::newRow("text type") << doc(R"("input": {"text": 5})") << "/input/text" << "expected string, got integer";
    QTest::newRow("target type") << doc(R"("input": {"target": null})") << "/input/target" << "expected string, got null";
    QTest::newRow("pair type") << doc(R"("input": {"pair": 7})") << "/input/pair" << "expected string, got integer";
    QTest::newRow("generate type") << doc(R"("input": {"generate": "yes"})") << "/input/generate"
                                   << "expected boolean, got string";
    QTest::newRow("input unknown") << doc(R"("input": {"txt": "a"})") << "/input/txt" << "unknown key (expected one of text, target, pair, generate)";
    QTest::newRow("selection type") << doc(R"("selection": [])") << "/selection" << "expected object, got array";
    QTest::newRow("stack") << doc(R"("selection": {"stack": "middle"})") << "/selection/stack"
                           << "expected one of encoder, decoder, cross, got \"middle\"";
    QTest::newRow("layer negative") << doc(R"("selection": {"layer": -1})") << "/selection/layer"
                                    << "value -1 is out of range [0, 63]";
    QTest::newRow("head float") << doc(R"("selection": {"head": 1.5})") << "/selection/head"
                                << "expected integer, got number";
    QTest::newRow("head huge") << doc(R"("selection": {"head": 128})") << "/selection/head"
                               << "value 128 is out of range [0, 127]";
    QTest::newRow("mean type") << doc(R"("selection": {"mean_of_heads": 1})") << "/selection/mean_of_heads"
                               << "expected boolean, got integer";
    QTest::newRow("selection unknown") << doc(R"("selection": {"heads": 1})") << "/selection/heads" << "unknown key";
    QTest::newRow("ablation type") << doc(R"("ablation": true)") << "/ablation" << "expected object, got boolean";
    QTest::newRow("ablation mode") << doc(R"("ablation": {"mode": "half"})") << "/ablation/mode"
                                   << "expected one of zero, mean, got \"half\"";
    QTest::newRow("reference type") << doc(R"("ablation": {"reference": 0})") << "/ablation/reference"
                                    << "expected string, got integer";
    QTest::newRow("heads type") << doc(R"("ablation": {"heads": {}})") << "/ablation/heads" << "expected array, got object";
    QTest::newRow("head entry type") << doc(R"("ablation": {"heads": [{"stack": "encoder", "layer": 0, "head": 0}, 7]})")
                                     << "/ablation/heads/1" << "expected object, got integer";
    QTest::newRow("head entry missing") << doc(R"("ablation": {"heads": [{"stack": "encoder", "head": 0}]})")
                                        << "/ablation/heads/0/layer" << "missing required key";
    QTest::newRow("head entry stack") << doc(R"("ablation": {"heads": [{"stack": "x", "layer": 0, "head": 0}]})")
                                      << "/ablation/heads/0/stack" << "expected one of encoder, decoder, cross";
    QTest::newRow("head entry unknown") << doc(R"("ablation": {"heads": [{"stack": "encoder", "layer": 0, "head": 0, "on": true}]})")
                                        << "/ablation/heads/0/on" << "unknown key (expected one of stack, layer, head)";
    QTest::newRow("head twice") << doc(R"("ablation": {"heads": [{"stack": "cross", "layer": 1, "head": 2},
                                                                  {"stack": "cross", "layer": 1, "head": 2}]})")
                                << "/ablation/heads/1" << "head listed twice";
    QTest::newRow("view type") << doc(R"("view": "head")") << "/view" << "expected object, got string";
    QTest::newRow("tab name") << doc(R"("view": {"tab": "Head View"})") << "/view/tab"
                              << "expected a view name such as \"head\" or \"step-through\", got \"Head View\"";
    QTest::newRow("tab type") << doc(R"("view": {"tab": 0})") << "/view/tab" << "expected string, got integer";
    QTest::newRow("colormap empty") << doc(R"("view": {"colormap": ""})") << "/view/colormap" << "empty colour map name";
    QTest::newRow("log type") << doc(R"("view": {"log_scale": "no"})") << "/view/log_scale" << "expected boolean, got string";
    QTest::newRow("view unknown") << doc(R"("view": {"colourmap": "jet"})") << "/view/colourmap"
                                  << "unknown key (expected one of tab, colormap, log_scale, step_through)";
    QTest::newRow("step type") << doc(R"("view": {"step_through": 1})") << "/view/step_through" << "expected object, got integer";
    QTest::newRow("tau zero") << doc(R"("view": {"step_through": {"temperature": 0}})") << "/view/step_through/temperature"
                              << "temperature 0 is out of range [0.05, 20]";
    QTest::newRow("tau big") << doc(R"("view": {"step_through": {"temperature": 100.5}})")
                             << "/view/step_through/temperature" << "temperature 100.5 is out of range [0.05, 20]";
    QTest::newRow("tau type") << doc(R"("view": {"step_through": {"temperature": "hot"}})")
                              << "/view/step_through/temperature" << "expected number, got string";
    QTest::newRow("tau huge") << doc(R"("view": {"step_through": {"temperature": 1e400}})")
                              << "/view/step_through/temperature" << "value is not finite";
    QTest::newRow("panel") << doc(R"("view": {"step_through": {"panel": "graph"}})") << "/view/step_through/panel"
                           << "expected one of steps, neuron, got \"graph\"";
    QTest::newRow("query negative") << doc(R"("view": {"step_through": {"query": -2}})") << "/view/step_through/query"
                                    << "value -2 is out of range [0, 8191]";
    QTest::newRow("key type") << doc(R"("view": {"step_through": {"key": "x"}})") << "/view/step_through/key"
                              << "expected integer, got string";
    QTest::newRow("step unknown") << doc(R"("view": {"step_through": {"tau": 2}})") << "/view/step_through/tau"
                                  << "unknown key (expected one of temperature, panel, query, key)";
    QTest::newRow("notes type") << doc(R"("notes": ["a"])") << "/notes" << "expected string, got array";
}

void TestSession::errors()
{
    QFETCH(QString, document);
    QFETCH(QString, path);
    QFETCH(QString, message);
    try {
        parseSession(document.toStdString(), kFile);
        QFAIL("no error");
    } catch (const SessionError& e) {
        QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(kFile));
        QCOMPARE(QString::fromStdString(e.jsonPath()), path);
        QVERIFY2(QString::fromStdString(e.message()).contains(message), e.what());
        QCOMPARE(QString::fromUtf8(e.what()),
                 QString::fromStdString(kFile) + ": " + path + ": " + QString::fromStdString(e.message()));
    }
}

void TestSession::validation_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("document"); // the "selection" and "ablation" members
    QTest::addColumn<QString>("path");     // empty: valid
    QTest::addColumn<QString>("message");
    const int enc = int(ArchType::Encoder), dec = int(ArchType::Decoder), encdec = int(ArchType::EncoderDecoder);
    QTest::newRow("encoder ok") << enc << R"("selection": {"stack": "encoder", "layer": 1, "head": 3})" << "" << "";
    QTest::newRow("encdec cross ok")
        << encdec << R"("selection": {"stack": "cross", "layer": 1, "head": 0}, "ablation": {"heads": [{"stack": "decoder", "layer": 0, "head": 3}]})"
        << "" << "";
    QTest::newRow("no cross in encoder") << enc << R"("selection": {"stack": "cross"})" << "/selection/stack"
                                         << "stack \"cross\" does not exist in this encoder model (its stacks: encoder)";
    QTest::newRow("no encoder in decoder") << dec << R"("selection": {"stack": "encoder"})" << "/selection/stack"
                                           << "stack \"encoder\" does not exist in this decoder model (its stacks: decoder)";
    QTest::newRow("layer") << enc << R"("selection": {"stack": "encoder", "layer": 2})" << "/selection/layer"
                           << "layer 2 is out of range: the model's encoder stack has 2 layer(s), 0 to 1";
    QTest::newRow("cross layer") << encdec << R"("selection": {"stack": "cross", "layer": 3})" << "/selection/layer"
                                 << "the model's cross stack has 3 layer(s), 0 to 2";
    QTest::newRow("head") << dec << R"("selection": {"stack": "decoder", "head": 4})" << "/selection/head"
                          << "head 4 is out of range: the model has 4 head(s) per layer, 0 to 3";
    QTest::newRow("mean keeps head checked") << dec << R"("selection": {"stack": "decoder", "head": 9, "mean_of_heads": true})"
                                             << "/selection/head" << "head 9 is out of range";
    QTest::newRow("ablated stack")
        << enc << R"("ablation": {"heads": [{"stack": "encoder", "layer": 0, "head": 0}, {"stack": "decoder", "layer": 0, "head": 0}]})"
        << "/ablation/heads/1/stack" << "stack \"decoder\" does not exist";
    QTest::newRow("ablated head") << encdec << R"("selection": {"stack": "decoder"}, "ablation": {"heads": [{"stack": "cross", "layer": 0, "head": 4}]})"
                                  << "/ablation/heads/0/head" << "head 4 is out of range";
}

void TestSession::validation()
{
    QFETCH(int, type);
    QFETCH(QString, document);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const ArchType t = ArchType(type);
    const ModelConfig c = config(t, t == ArchType::Decoder ? 0 : 2, t == ArchType::Encoder ? 0 : 3, 4);
    const Session s = parseSession(
        QStringLiteral(R"({"format": "attnscope-session", "version": 1, "model": "m.json", %1})").arg(document).toStdString(),
        kFile);
    try {
        validateSession(s, c, kFile);
        QVERIFY2(path.isEmpty(), "no error");
    } catch (const SessionError& e) {
        QVERIFY2(!path.isEmpty(), e.what());
        QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(kFile));
        QCOMPARE(QString::fromStdString(e.jsonPath()), path);
        QVERIFY2(QString::fromStdString(e.message()).contains(message), e.what());
    }
}

void TestSession::storedPath_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("stored");
    QTest::newRow("same folder") << "/lessons/week1/model.json" << "/lessons/week1/l.attnscope.json" << "model.json";
    QTest::newRow("below") << "/lessons/week1/models/m.json" << "/lessons/week1/l.attnscope.json" << "models/m.json";
    QTest::newRow("above") << "/repo/models/m.json" << "/repo/docs/lessons/l.attnscope.json" << "../../models/m.json";
    QTest::newRow("not normalised") << "/a/./b/../m.json" << "/a/x/../l.json" << "m.json";
    QTest::newRow("at the root") << "/m.json" << "/l.json" << "m.json";
    QTest::newRow("relative model: as is") << "models/m.json" << "/a/l.json" << "models/m.json";
}

void TestSession::storedPath()
{
    QFETCH(QString, model);
    QFETCH(QString, session);
    QFETCH(QString, stored);
    QCOMPARE(QString::fromStdString(storedModelPath(model.toStdString(), session.toStdString())), stored);
    if (model.startsWith('/')) {
        // Resolving what was stored gives the model back.
        const std::string back = resolveModelPath(stored.toStdString(), session.toStdString());
        QCOMPARE(QString::fromStdString(back), QDir::cleanPath(model));
    }
}

void TestSession::resolvedPath_data()
{
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("resolved");
    QTest::newRow("same folder") << "model.json" << "/lessons/week1/l.json" << "/lessons/week1/model.json";
    QTest::newRow("above") << "../../models/m.json" << "/repo/docs/lessons/l.json" << "/repo/models/m.json";
    QTest::newRow("dot") << "./sub/../m.json" << "/a/l.json" << "/a/m.json";
    QTest::newRow("absolute") << "/abs/models/m.json" << "/lessons/l.json" << "/abs/models/m.json";
    QTest::newRow("relative session") << "m.json" << "lessons/l.json" << "lessons/m.json";
    QTest::newRow("bare session") << "m.json" << "l.json" << "m.json";
}

void TestSession::resolvedPath()
{
    QFETCH(QString, stored);
    QFETCH(QString, session);
    QFETCH(QString, resolved);
    QCOMPARE(QString::fromStdString(resolveModelPath(stored.toStdString(), session.toStdString())), resolved);
}

void TestSession::movedLessonFolderStillFindsItsModel()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkpath("lesson/models"));
    const std::string modelPath = write(dir.filePath("lesson/models/tiny.json"), test::tinyModel("encoder").dump());
    const std::string sessionPath = dir.filePath("lesson/week1.attnscope.json").toStdString();
    Session s;
    s.model = storedModelPath(modelPath, sessionPath);
    QCOMPARE(s.model, std::string("models/tiny.json"));
    write(QString::fromStdString(sessionPath), toJson(s));
    // Move the whole lesson folder: the relative path still finds the model.
    QVERIFY(QDir(dir.path()).rename("lesson", "moved-lesson"));
    const std::string moved = dir.filePath("moved-lesson/week1.attnscope.json").toStdString();
    const Session back = loadSession(moved);
    const std::string resolved = resolveModelPath(back.model, moved);
    QCOMPARE(QString::fromStdString(resolved), dir.filePath("moved-lesson/models/tiny.json"));
    const auto model = loadModel(resolved);
    QCOMPARE(model->name, std::string("tiny-encoder"));
    validateSession(back, model->config, moved);
}

void TestSession::unreadableFile()
{
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(IoError, loadSession(dir.filePath("missing.attnscope.json").toStdString()));
    QVERIFY_THROWS_EXCEPTION(IoError, loadSession(dir.path().toStdString()));
    // A malformed file names the path it was opened with.
    const std::string bad = write(dir.filePath("bad.attnscope.json"), "{\"format\": \"attnscope-session\",");
    try {
        loadSession(bad);
        QFAIL("no error");
    } catch (const SessionError& e) {
        QCOMPARE(e.file(), bad);
        QCOMPARE(e.jsonPath(), std::string("/"));
    }
}

void TestSession::recognisesSessionFiles_data()
{
    QTest::addColumn<QString>("head");
    QTest::addColumn<bool>("session");
    QTest::newRow("compact") << R"({"format":"attnscope-session","version":1})" << true;
    QTest::newRow("pretty") << "{\n  \"format\" :\n\t\"attnscope-session\",\n" << true;
    QTest::newRow("written") << QString::fromStdString(toJson(fullSession()).substr(0, 60)) << true;
    QTest::newRow("model") << R"({"format": "attnscope-model", "version": 1})" << false;
    QTest::newRow("mentioned only") << R"({"format": "attnscope-model", "description": "see attnscope-session"})" << false;
    QTest::newRow("other key") << R"({"kind": "attnscope-session"})" << false;
    QTest::newRow("empty") << "" << false;
}

void TestSession::recognisesSessionFiles()
{
    QFETCH(QString, head);
    QFETCH(bool, session);
    QCOMPARE(looksLikeSession(head.toStdString()), session);
}

void TestSession::exampleLessonIsValid()
{
    const std::string path = ATTNSCOPE_SOURCE_DIR "/docs/lessons/date-normalizer.attnscope.json";
    const Session s = loadSession(path);
    const std::string model = resolveModelPath(s.model, path);
    QVERIFY2(QFileInfo::exists(QString::fromStdString(model)), model.c_str());
    const auto m = loadModel(model);
    validateSession(s, m->config, path);
    QVERIFY(!s.notes.empty());
}

QTEST_APPLESS_MAIN(TestSession)
#include "test_session.moc"
