// The two shipped teaching seq2seq models (models/date-normalizer.json, models/reverse-letters.json),
// proven through the C++ engine: exact-match accuracy on their held-out sets (written by
// tools/train_seq2seq.py with a seed different from training) and the cross-attention
// alignment that models/README.md claims for them.
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <QtTest>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

using namespace attnscope;

namespace {

const QString kRoot = QStringLiteral(ATTNSCOPE_SOURCE_DIR);

// Heads named in the model card (layer, head: 0-based, as the CLI and the app number them).
// date-normalizer: the cleanest head per field (argmax-in-field rates over 300 random dates:
// year L1H1 0.97, month L1H0 0.86, day L0H3 1.00; see models/README.md).
struct HeadRef { int layer, head; };
constexpr HeadRef kYearHead{1, 1}, kMonthHead{1, 0}, kDayHead{0, 3};
// reverse-letters: one named cross-attention head is a crisp permutation matrix, the
// anti-diagonal (see models/README-seq2seq.md): row i puts its largest weight on source
// position n-1-i, the letter it copies.
constexpr HeadRef kReverseHead{0, 0};

std::vector<std::pair<std::string, std::string>> readTsv(const QString& path)
{
    std::vector<std::pair<std::string, std::string>> rows;
    std::ifstream in(path.toStdString());
    std::string line;
    while (std::getline(in, line)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    return rows;
}

Eigen::Index argmaxOfRow(const MatrixRM& a, Eigen::Index row)
{
    Eigen::Index col = 0;
    a.row(row).maxCoeff(&col);
    return col;
}

} // namespace

class TestSeq2SeqModels : public QObject {
    Q_OBJECT
private slots:
    void heldOutAccuracy_data();
    void heldOutAccuracy();
    void dateAlignment();
    void reversePermutation();
};

void TestSeq2SeqModels::heldOutAccuracy_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("heldout");
    QTest::newRow("date-normalizer") << "models/date-normalizer.json" << "tests/data/date-normalizer-heldout.tsv";
    QTest::newRow("reverse-letters") << "models/reverse-letters.json" << "tests/data/reverse-letters-heldout.tsv";
}

void TestSeq2SeqModels::heldOutAccuracy()
{
    QFETCH(QString, model);
    QFETCH(QString, heldout);
    const auto rows = readTsv(kRoot + "/" + heldout);
    QVERIFY2(rows.size() >= 500, qPrintable(QString("%1: only %2 lines").arg(heldout).arg(rows.size())));
    const Transformer tf(loadModel((kRoot + "/" + model).toStdString()));
    size_t ok = 0;
    QStringList wrong;
    for (const auto& [input, expected] : rows) {
        RunOptions o;
        o.text = input;
        o.capture = Capture::None;
        const RunResult r = runModel(tf, o);
        if (r.outputText == expected)
            ++ok;
        else if (wrong.size() < 10)
            wrong << QString("%1 -> %2 (expected %3)").arg(QString::fromStdString(input),
                                                           QString::fromStdString(r.outputText),
                                                           QString::fromStdString(expected));
    }
    const double acc = double(ok) / double(rows.size());
    qInfo("%s: exact match %zu/%zu = %.4f on %s", qPrintable(model), ok, rows.size(), acc, qPrintable(heldout));
    for (const QString& w : wrong) qInfo("  wrong: %s", qPrintable(w));
    QVERIFY2(acc >= 0.99, qPrintable(QString("exact match %1 < 0.99").arg(acc)));
}

namespace {

struct DateCase {
    const char* text;
    const char* expected;
    int yearStart, yearLen, monthStart, monthLen, dayStart, dayLen; // character spans
};

// The model's tokenizer is character level without a source prefix: character index = key column.
const DateCase kDateCases[] = {
    {"25th of November 2026", "2026-11-25", 17, 4, 8, 8, 0, 2},
    {"Nov 25, 2026", "2026-11-25", 8, 4, 0, 3, 4, 2},
    {"25/11/2026", "2026-11-25", 6, 4, 3, 2, 0, 2},
    {"Wednesday, November 25, 2026", "2026-11-25", 24, 4, 11, 8, 20, 2},
    {"2026.11.25", "2026-11-25", 0, 4, 5, 2, 8, 2},
    {"the 4th of july 1976", "1976-07-04", 16, 4, 11, 4, 4, 1},
    {"tue 20 jun 2034", "2034-06-20", 11, 4, 7, 3, 4, 2},
    {"03.08.1951", "1951-08-03", 6, 4, 3, 2, 0, 2},
    {"1999-12-31", "1999-12-31", 0, 4, 5, 2, 8, 2},
    {"saturday, february 17, 1968", "1968-02-17", 23, 4, 10, 8, 19, 2},
};

const char* const kReverseCases[] = {"zebra", "sorting", "thunder", "xylophen", "qwertyuiop", "abcdefg", "zyxwvuts"};

} // namespace

void TestSeq2SeqModels::dateAlignment()
{
    // The model card's claim, per field, over the fixed examples: the named head puts its
    // largest weight inside the field for most rows and most of its mass there on average.
    const Transformer tf(loadModel((kRoot + "/models/date-normalizer.json").toStdString()));
    struct Tally { const char* field; HeadRef h; std::vector<int> rows; int hits = 0, n = 0; double mass = 0; };
    // Rows of "YYYY-MM-DD": 0-3 year digits, 5-6 month digits, 8-9 day digits.
    Tally tallies[] = {{"year", kYearHead, {0, 1, 2, 3}}, {"month", kMonthHead, {5, 6}}, {"day", kDayHead, {8, 9}}};
    for (const DateCase& c : kDateCases) {
        RunOptions o;
        o.text = c.text;
        const RunResult r = runModel(tf, o);
        QCOMPARE(QString::fromStdString(r.outputText), QString(c.expected));
        const auto& cross = r.trace.stack(Stack::Cross);
        const int spans[3][2] = {{c.yearStart, c.yearLen}, {c.monthStart, c.monthLen}, {c.dayStart, c.dayLen}};
        for (int f = 0; f < 3; ++f) {
            Tally& t = tallies[f];
            QVERIFY(t.h.layer < int(cross.size()) && t.h.head < int(cross[t.h.layer].heads.size()));
            const MatrixRM& a = cross[t.h.layer].heads[t.h.head].weights;
            QCOMPARE(a.cols(), Eigen::Index(std::string(c.text).size()));
            const int start = spans[f][0], len = spans[f][1];
            for (const int row : t.rows) {
                const Eigen::Index col = argmaxOfRow(a, row);
                t.hits += col >= start && col < start + len;
                t.mass += a.row(row).segment(start, len).sum();
                ++t.n;
            }
        }
    }
    for (const Tally& t : tallies) {
        const double rate = double(t.hits) / t.n, mass = t.mass / t.n;
        qInfo("%s digits, cross L%d H%d: argmax inside the %s's characters for %d/%d rows (%.2f), mean mass there %.2f",
              t.field, t.h.layer, t.h.head, t.field, t.hits, t.n, rate, mass);
        QVERIFY2(rate >= 0.8, qPrintable(QString("%1: argmax-in-field rate %2 < 0.8").arg(t.field).arg(rate)));
        QVERIFY2(mass >= 0.6, qPrintable(QString("%1: mean mass in field %2 < 0.6").arg(t.field).arg(mass)));
    }
}

void TestSeq2SeqModels::reversePermutation()
{
    // Row i of the decoder produced source letter n-1-i (the eos row is not counted): the named
    // cross-attention head alone must put its argmax there for >= 95% of rows, with mean weight
    // >= 0.8 there, over the fixed examples and the first 100 held-out inputs.
    const Transformer tf(loadModel((kRoot + "/models/reverse-letters.json").toStdString()));
    std::vector<std::string> inputs(std::begin(kReverseCases), std::end(kReverseCases));
    const auto held = readTsv(kRoot + "/tests/data/reverse-letters-heldout.tsv");
    QVERIFY(held.size() >= 100);
    for (size_t k = 0; k < 100; ++k) inputs.push_back(held[k].first);
    int hits = 0, n = 0;
    double mass = 0;
    for (const std::string& src : inputs) {
        const std::string reversed(src.rbegin(), src.rend());
        RunOptions o;
        o.text = src;
        const RunResult r = runModel(tf, o);
        QCOMPARE(QString::fromStdString(r.outputText), QString::fromStdString(reversed));
        const auto& cross = r.trace.stack(Stack::Cross);
        QVERIFY(kReverseHead.layer < int(cross.size()) && kReverseHead.head < int(cross[kReverseHead.layer].heads.size()));
        const MatrixRM& a = cross[kReverseHead.layer].heads[kReverseHead.head].weights;
        QCOMPARE(a.cols(), Eigen::Index(src.size()));
        QVERIFY(a.rows() >= Eigen::Index(src.size()));
        const Eigen::Index len = Eigen::Index(src.size());
        for (Eigen::Index i = 0; i < len; ++i) {
            const Eigen::Index want = len - 1 - i;
            hits += argmaxOfRow(a, i) == want;
            mass += a(i, want);
            ++n;
        }
    }
    const double rate = double(hits) / n, weight = mass / n;
    qInfo("reverse: cross L%d H%d has its argmax on the copied letter for %d/%d rows (%.4f) over %zu inputs, mean weight %.4f",
          kReverseHead.layer, kReverseHead.head, hits, n, rate, inputs.size(), weight);
    QVERIFY2(rate >= 0.95, qPrintable(QString("anti-diagonal argmax rate %1 < 0.95").arg(rate)));
    QVERIFY2(weight >= 0.8, qPrintable(QString("mean weight on the copied letter %1 < 0.8").arg(weight)));
}

QTEST_APPLESS_MAIN(TestSeq2SeqModels)
#include "test_seq2seq_models.moc"
