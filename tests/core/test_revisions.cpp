// Training-checkpoint series (core/revisions.h): a folder of step<N>/ model folders opens as one
// model. Series are built in a temporary folder from copies of a small Hugging Face fixture
// (tests/data/hf/llama-gqa) with each snapshot's weights made different, so which snapshot loaded
// is seen in the weights, not only in the name.
#include "core/errors.h"
#include "core/model_loader.h"
#include "core/revisions.h"

#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const fs::path kFixture = fs::path(ATTNSCOPE_SOURCE_DIR) / "tests/data/hf/llama-gqa";

void copyFixture(const fs::path& to) { fs::copy(kFixture, to, fs::copy_options::recursive); }

void touch(const fs::path& p) { std::ofstream(p) << "{}"; }

} // namespace

class TestRevisions : public QObject {
    Q_OBJECT
private slots:
    void findsStepFoldersInStepOrder();
    void notASeries();
    void findRevisionByNameOrStep();
    void seriesLoadsLastByDefault();
    void seriesLoadsTheRevisionAsked();
    void snapshotOpenedDirectlyKnowsItsSeries();
    void unknownRevisionIsAUsageError();
    void revisionOfASingleModelIsAUsageError();
    void brokenSnapshotNamesItsFile();
};

void TestRevisions::findsStepFoldersInStepOrder()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    for (const char* name : {"step100", "step2", "step10", "step010x", "stepX", "final", "step", "step7"})
        fs::create_directory(root / name);
    for (const char* name : {"step100", "step2", "step10", "step010x", "stepX", "final", "step"})
        touch(root / name / "config.json");
    // step7 has no config.json (not a model folder); a file named like a snapshot is no folder
    touch(root / "step5");
    const std::vector<Revision> r = findRevisions(root.string());
    QCOMPARE(r.size(), size_t(3));
    QCOMPARE(r[0].name, std::string("step2"));
    QCOMPARE(r[1].name, std::string("step10"));
    QCOMPARE(r[2].name, std::string("step100"));
    QCOMPARE(r[0].step, 2LL);
    QCOMPARE(r[2].step, 100LL);
    QCOMPARE(r[1].path, (root / "step10").string());
}

void TestRevisions::notASeries()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    QVERIFY(findRevisions(root.string()).empty());                  // empty folder
    QVERIFY(findRevisions((root / "missing").string()).empty());    // no folder
    fs::create_directory(root / "step1");
    touch(root / "step1" / "config.json");
    touch(root / "config.json"); // a model folder of its own is not a series, whatever it holds
    QVERIFY(findRevisions(root.string()).empty());
    QVERIFY(findRevisions(kFixture.string()).empty());
}

void TestRevisions::findRevisionByNameOrStep()
{
    const std::vector<Revision> r = {{"step0", 0, "a"}, {"step512", 512, "b"}, {"step01000", 1000, "c"}};
    QCOMPARE(findRevision(r, "step512"), 1);
    QCOMPARE(findRevision(r, "512"), 1);
    QCOMPARE(findRevision(r, "step1000"), 2); // same step, other spelling
    QCOMPARE(findRevision(r, "1000"), 2);
    QCOMPARE(findRevision(r, "0"), 0);
    QCOMPARE(findRevision(r, "step3"), -1);
    QCOMPARE(findRevision(r, "latest"), -1);
    QCOMPARE(findRevision(r, ""), -1);
}

void TestRevisions::seriesLoadsLastByDefault()
{
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()) / "my-run";
    fs::create_directory(root);
    for (const char* name : {"step1000", "step250", "step50"}) copyFixture(root / name);
    const auto m = loadModel(root.string());
    QCOMPARE(m->revisions.size(), size_t(3));
    QCOMPARE(m->revisionIndex, 2);
    QCOMPARE(m->revisions[2].name, std::string("step1000"));
    QCOMPARE(m->seriesPath, root.string());
    QCOMPARE(m->name, std::string("my-run @ step1000"));
    QCOMPARE(m->path, (root / "step1000").string());
    QCOMPARE(m->format, std::string("huggingface"));
}

void TestRevisions::seriesLoadsTheRevisionAsked()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    copyFixture(root / "step1");
    copyFixture(root / "step2");
    // step2 gets other weights: the lowest mantissa byte of the file's last float changes (F32
    // fixture), so one weight of its last tensor differs by a few ulps and stays finite.
    {
        std::fstream f(root / "step2" / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(-4, std::ios::end);
        char c = 0;
        f.read(&c, 1);
        c = char(c ^ 0x5a);
        f.seekp(-4, std::ios::end);
        f.write(&c, 1);
    }
    const auto first = loadModel(root.string(), "step1");
    const auto second = loadModel(root.string(), "2");
    QCOMPARE(first->revisionIndex, 0);
    QCOMPARE(second->revisionIndex, 1);
    QCOMPARE(first->path, (root / "step1").string());
    QCOMPARE(second->path, (root / "step2").string());
    int differing = 0;
    for (const auto& [name, entry] : first->weights.entries()) {
        const float* a = first->weights.data(name);
        const float* b = second->weights.data(name);
        for (size_t i = 0; i < entry.size(); ++i) differing += a[i] != b[i];
    }
    QCOMPARE(differing, 1); // each snapshot's own weights
    QVERIFY(second->name.find("@ step2") != std::string::npos);
}

void TestRevisions::snapshotOpenedDirectlyKnowsItsSeries()
{
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()) / "pythia-like";
    fs::create_directory(root);
    copyFixture(root / "step3000");
    copyFixture(root / "step143000");
    const auto m = loadModel((root / "step3000").string());
    QCOMPARE(m->revisions.size(), size_t(2));
    QCOMPARE(m->revisionIndex, 0);
    QCOMPARE(m->seriesPath, root.string());
    QCOMPARE(m->name, std::string("pythia-like @ step3000"));
    // a model folder not named step<N> beside them stays a single model
    copyFixture(root / "other");
    const auto single = loadModel((root / "other").string());
    QVERIFY(single->revisions.empty());
    QCOMPARE(single->revisionIndex, -1);
    QCOMPARE(single->name, std::string("other"));
}

void TestRevisions::unknownRevisionIsAUsageError()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    copyFixture(root / "step10");
    copyFixture(root / "step20");
    try {
        loadModel(root.string(), "step15");
        QFAIL("no error");
    } catch (const UsageError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find("step15") != std::string::npos, e.what());
        QVERIFY2(what.find("step10, step20") != std::string::npos, e.what());
    }
}

void TestRevisions::revisionOfASingleModelIsAUsageError()
{
    QVERIFY_THROWS_EXCEPTION(UsageError, loadModel(kFixture.string(), "step1"));
}

void TestRevisions::brokenSnapshotNamesItsFile()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    copyFixture(root / "step1");
    copyFixture(root / "step2");
    {
        std::ofstream(root / "step2" / "config.json") << "{\"model_type\": \"llama\", \"hidden_size\": ";
    }
    try {
        loadModel(root.string()); // the last, broken one
        QFAIL("no error");
    } catch (const ModelError& e) {
        QCOMPARE(e.file(), (root / "step2" / "config.json").string());
    }
    // the good snapshot still opens
    QCOMPARE(loadModel(root.string(), "step1")->revisionIndex, 0);
}

QTEST_GUILESS_MAIN(TestRevisions)
#include "test_revisions.moc"
