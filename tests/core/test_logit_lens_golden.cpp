// The logit lens against torch: tests/data/golden/lens/*.lens.json, written by
// tools/make_lens_goldens.py from independent torch references (torch's own transformer layers
// for AttnScope files, the project's Hugging Face-semantics GPT-2 / Llama / GPT-NeoX modules for
// folders) with forward hooks on the residual stream. Tolerances (stated in each golden):
// 1e-5 absolute on every probability (top-k by rank, p of the final top-1), 1e-4 absolute on
// KL(final ‖ point) in nats; top-k ids equal wherever the golden's neighbouring probabilities are
// further apart than the probability tolerance. Needs no Python.
#include "core/analysis/logit_lens.h"
#include "core/model_loader.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QtTest>

#include <fstream>

using namespace attnscope;

namespace {

const QString kGolden = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/golden/lens");

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

} // namespace

class TestLogitLensGolden : public QObject {
    Q_OBJECT
private slots:
    void matchesTorch_data();
    void matchesTorch();
};

void TestLogitLensGolden::matchesTorch_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(kGolden).entryList({"*.lens.json"}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 4);
    for (const QString& f : files) QTest::newRow(qPrintable(f.section('.', 0, 0))) << f;
}

void TestLogitLensGolden::matchesTorch()
{
    QFETCH(QString, file);
    const nlohmann::json g = readJson(kGolden + "/" + file);
    const double tolP = g["tolerance"]["probability"].get<double>();
    const double tolKl = g["tolerance"]["kl"].get<double>();
    QCOMPARE(tolP, 1e-5);
    QCOMPARE(tolKl, 1e-4);
    const auto model = loadModel(std::string(ATTNSCOPE_SOURCE_DIR) + "/" + g["model"].get<std::string>());
    const Transformer tf(model);
    const int k = g["top_k"].get<int>();
    LensOptions o;
    o.topK = k + 1; // one more than the golden, to see whether its last rank is a near tie
    double worstP = 0, worstKl = 0;
    int idsChecked = 0;
    for (const auto& c : g["cases"]) {
        const LogitLens lens = computeLogitLens(tf, c["ids"].get<std::vector<int>>(), o);
        QCOMPARE(lens.parallelResidual, g["parallel_residual"].get<bool>());
        QCOMPARE(lens.finalTop1, c["final_top1"].get<std::vector<int>>());
        QCOMPARE(lens.rows.size(), c["rows"].size());
        for (size_t r = 0; r < lens.rows.size(); ++r) {
            const LensRow& row = lens.rows[r];
            const auto& gr = c["rows"][r];
            QCOMPARE(std::string(toString(row.point)), gr["point"].get<std::string>());
            QCOMPARE(row.layer, gr["layer"].get<int>());
            for (size_t i = 0; i < row.cells.size(); ++i) {
                const LensCell& cell = row.cells[i];
                const std::vector<int> gIds = gr["top_ids"][i].get<std::vector<int>>();
                const std::vector<double> gP = gr["top_probs"][i].get<std::vector<double>>();
                for (int j = 0; j < k; ++j) {
                    worstP = std::max(worstP, std::abs(cell.topProbs[size_t(j)] - gP[size_t(j)]));
                    const bool apartAbove = j == 0 || gP[size_t(j - 1)] - gP[size_t(j)] > 2 * tolP;
                    const double below = j + 1 < k ? gP[size_t(j + 1)] : cell.topProbs[size_t(j + 1)];
                    if (apartAbove && gP[size_t(j)] - below > 2 * tolP) {
                        QVERIFY2(cell.topIds[size_t(j)] == gIds[size_t(j)],
                                 qPrintable(QString("row %1 position %2 rank %3: id %4, torch %5")
                                                .arg(r)
                                                .arg(i)
                                                .arg(j)
                                                .arg(cell.topIds[size_t(j)])
                                                .arg(gIds[size_t(j)])));
                        ++idsChecked;
                    }
                }
                worstP = std::max(worstP, std::abs(cell.finalTop1Prob - gr["final_top1_prob"][i].get<double>()));
                worstKl = std::max(worstKl, std::abs(cell.klFromFinal - gr["kl"][i].get<double>()));
            }
        }
    }
    qInfo("%s: max |Δp| %.2e, max |ΔKL| %.2e, %d top-k ids compared", qPrintable(file), worstP, worstKl, idsChecked);
    QVERIFY2(worstP <= tolP, qPrintable(QString("probabilities differ by %1").arg(worstP)));
    QVERIFY2(worstKl <= tolKl, qPrintable(QString("KL differs by %1").arg(worstKl)));
    QVERIFY(idsChecked > 0);
}

QTEST_GUILESS_MAIN(TestLogitLensGolden)
#include "test_logit_lens_golden.moc"
