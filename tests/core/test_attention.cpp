// Attention numerics against hand-computed values: softmax stability, masks, row sums.
#include "core/attention.h"
#include "core/gemm.h"
#include "core/row_ops.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

using namespace attnscope;

class TestAttention : public QObject {
    Q_OBJECT
private slots:
    void softmaxHandComputed();
    void softmaxHugeLogits();
    void softmaxFullyMaskedRow();
    void singleHeadHandComputed();
    void causalMaskHasNoWeightAboveDiagonal();
    void paddingMaskZeroesKeys();
    void rowsSumToOne();
    void fullCaptureMatchesDefinition();
    void fullCaptureSameBitsAsOtherCaptures();
    void queryOffsetShiftsCausalMask();
    void productsMatchEigen_data();
    void productsMatchEigen();
    void threadsAgree_data();
    void threadsAgree();
    void expMatchesEigenBitForBit();
    void layerNormMatchesEigenBitForBit_data();
    void layerNormMatchesEigenBitForBit();
};

void TestAttention::softmaxHandComputed()
{
    MatrixRM s(1, 3);
    s << 0.0f, std::log(2.0f), std::log(5.0f); // exp: 1, 2, 5 -> /8
    QVERIFY(softmaxRowsInPlace(s));
    QVERIFY(std::abs(s(0, 0) - 0.125f) < 1e-6f);
    QVERIFY(std::abs(s(0, 1) - 0.25f) < 1e-6f);
    QVERIFY(std::abs(s(0, 2) - 0.625f) < 1e-6f);
}

void TestAttention::softmaxHugeLogits()
{
    // Without subtracting the row max, exp(1e30) overflows to inf and the row becomes NaN.
    MatrixRM s(2, 3);
    s << 1e30f, 1e30f, -1e30f, 88.0f, 89.0f, 1000.0f;
    QVERIFY(softmaxRowsInPlace(s));
    QVERIFY(s.allFinite());
    QCOMPARE(s(0, 0), 0.5f);
    QCOMPARE(s(0, 1), 0.5f);
    QCOMPARE(s(0, 2), 0.0f);
    QVERIFY(std::abs(s(1, 2) - 1.0f) < 1e-6f);
}

void TestAttention::softmaxFullyMaskedRow()
{
    const float inf = std::numeric_limits<float>::infinity();
    MatrixRM s(2, 2);
    s << -inf, -inf, 0.0f, -inf;
    QVERIFY(!softmaxRowsInPlace(s));
    QCOMPARE(s(0, 0), 0.0f);
    QCOMPARE(s(0, 1), 0.0f);
    QCOMPARE(s(1, 0), 1.0f);
    QCOMPARE(s(1, 1), 0.0f);
}

namespace {
struct IdentityBlock {
    explicit IdentityBlock(int d) : eye(MatrixRM::Identity(d, d))
    {
        w.wq = w.wk = w.wv = w.wo = eye.data();
    }
    MatrixRM eye;
    AttentionWeights w;
};
} // namespace

void TestAttention::singleHeadHandComputed()
{
    // d = 2, one head, identity projections: scores = X Xᵀ / √2.
    // X = [[1, 0], [1, 1]] -> XXᵀ = [[1, 1], [1, 2]] -> /√2.
    IdentityBlock b(2);
    MatrixRM x(2, 2);
    x << 1, 0, 1, 1;
    LayerTrace trace;
    MatrixRM out;
    multiHeadAttention(x, x, b.w, 1, {}, Capture::Attention, &trace, out);
    const double r = 1.0 / std::sqrt(2.0);
    // Row 0: scores (r, r) -> (0.5, 0.5). Row 1: (r, 2r) -> softmax.
    const double e = std::exp(r);
    const double a10 = 1.0 / (1.0 + e), a11 = e / (1.0 + e);
    const MatrixRM& a = trace.heads.at(0).weights;
    QVERIFY(std::abs(a(0, 0) - 0.5) < 1e-6);
    QVERIFY(std::abs(a(0, 1) - 0.5) < 1e-6);
    QVERIFY(std::abs(a(1, 0) - a10) < 1e-6);
    QVERIFY(std::abs(a(1, 1) - a11) < 1e-6);
    // out = A V, V = X: row 1 = a10*[1,0] + a11*[1,1] = [1, a11].
    QVERIFY(std::abs(out(1, 0) - 1.0) < 1e-6);
    QVERIFY(std::abs(out(1, 1) - a11) < 1e-6);
    QVERIFY(std::abs(out(0, 1) - 0.5) < 1e-6);
}

void TestAttention::causalMaskHasNoWeightAboveDiagonal()
{
    IdentityBlock b(4);
    MatrixRM x = MatrixRM::Random(6, 4) * 3.0f;
    AttentionMask mask;
    mask.causal = true;
    LayerTrace trace;
    MatrixRM out;
    multiHeadAttention(x, x, b.w, 2, mask, Capture::Attention, &trace, out);
    QCOMPARE(trace.heads.size(), size_t(2));
    for (const HeadTrace& h : trace.heads) {
        for (int i = 0; i < 6; ++i)
            for (int j = i + 1; j < 6; ++j) QCOMPARE(h.weights(i, j), 0.0f);
        QCOMPARE(h.weights(0, 0), 1.0f); // the first query can only see itself
    }
}

void TestAttention::paddingMaskZeroesKeys()
{
    IdentityBlock b(2);
    MatrixRM x(3, 2);
    x << 1, 0, 0, 1, 5, 5;
    AttentionMask mask;
    mask.keyPadding = {false, false, true};
    LayerTrace trace;
    MatrixRM out;
    const int masked = multiHeadAttention(x, x, b.w, 1, mask, Capture::Attention, &trace, out);
    QCOMPARE(masked, 0);
    const MatrixRM& a = trace.heads[0].weights;
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(a(i, 2), 0.0f);
        QVERIFY(std::abs(a.row(i).sum() - 1.0f) < 1e-6f);
    }
    // All keys padded: every row is defined as zeros and reported.
    mask.keyPadding = {true, true, true};
    QCOMPARE(multiHeadAttention(x, x, b.w, 1, mask, Capture::Attention, &trace, out), 3);
    QCOMPARE(trace.heads[0].weights.sum(), 0.0f);
}

void TestAttention::rowsSumToOne()
{
    IdentityBlock b(8);
    MatrixRM x = MatrixRM::Random(5, 8) * 10.0f;
    MatrixRM y = MatrixRM::Random(7, 8) * 10.0f;
    LayerTrace trace;
    MatrixRM out;
    multiHeadAttention(x, y, b.w, 4, {}, Capture::Attention, &trace, out);
    for (const HeadTrace& h : trace.heads) {
        QCOMPARE(h.weights.rows(), Eigen::Index(5));
        QCOMPARE(h.weights.cols(), Eigen::Index(7));
        for (int i = 0; i < 5; ++i) QVERIFY(std::abs(h.weights.row(i).sum() - 1.0f) < 1e-5f);
        QVERIFY((h.weights.array() >= 0.0f).all());
    }
}

void TestAttention::fullCaptureMatchesDefinition()
{
    IdentityBlock b(4);
    MatrixRM x = MatrixRM::Random(3, 4);
    LayerTrace trace;
    MatrixRM out;
    multiHeadAttention(x, x, b.w, 2, {}, Capture::Full, &trace, out);
    const HeadTrace& h1 = trace.heads[1];
    QCOMPARE(h1.q.cols(), Eigen::Index(2));
    QVERIFY(h1.q.isApprox(x.middleCols(2, 2)));
    const MatrixRM expectScores = x.middleCols(2, 2) * x.middleCols(2, 2).transpose() / std::sqrt(2.0f);
    QVERIFY(h1.scores.isApprox(expectScores, 1e-6f));
    MatrixRM soft = expectScores;
    softmaxRowsInPlace(soft);
    QVERIFY(h1.weights.isApprox(soft, 1e-6f));
    // Attention-only capture stores no Q/K/V.
    LayerTrace light;
    multiHeadAttention(x, x, b.w, 2, {}, Capture::Attention, &light, out);
    QCOMPARE(light.heads[0].q.size(), Eigen::Index(0));
}

// A small model's Full capture projects each head's Q, K, V straight into its trace (with the
// head's columns of the Wᵀ copies); the other captures project whole matrices. Both must give
// the same bits: the block's output, every head's weights, and Q/K/V equal to the whole
// projections' columns.
void TestAttention::fullCaptureSameBitsAsOtherCaptures()
{
    const int d = 64, heads = 4;
    std::vector<MatrixRM> w;
    std::vector<RowVector> bias;
    std::vector<MatrixRM> wt;
    for (int i = 0; i < 4; ++i) {
        w.push_back(MatrixRM::Random(d, d) * 0.3f);
        bias.push_back(RowVector::Random(d));
        MatrixRM t = MatrixRM::Zero(d, paddedStride(d));
        t.leftCols(d) = w.back().transpose();
        wt.push_back(t);
    }
    AttentionWeights aw;
    aw.wq = w[0].data(); aw.bq = bias[0].data(); aw.wqT = wt[0].data();
    aw.wk = w[1].data(); aw.bk = bias[1].data(); aw.wkT = wt[1].data();
    aw.wv = w[2].data(); aw.bv = bias[2].data(); aw.wvT = wt[2].data();
    aw.wo = w[3].data(); aw.bo = bias[3].data(); aw.woT = wt[3].data();
    aw.tStride = paddedStride(d);
    const MatrixRM x = MatrixRM::Random(13, d), y = MatrixRM::Random(9, d);
    for (const bool self : {true, false}) {
        const MatrixRM& kv = self ? x : y;
        AttentionMask mask;
        mask.causal = self;
        LayerTrace full, attention;
        MatrixRM outFull, outAttention, outNone;
        multiHeadAttention(x, kv, aw, heads, mask, Capture::Full, &full, outFull);
        multiHeadAttention(x, kv, aw, heads, mask, Capture::Attention, &attention, outAttention);
        multiHeadAttention(x, kv, aw, heads, mask, Capture::None, nullptr, outNone);
        QVERIFY(outFull == outNone);
        QVERIFY(outAttention == outNone);
        MatrixRM q(x.rows(), d), k(kv.rows(), d), v(kv.rows(), d);
        linearInto(x, aw.wq, aw.bq, q, aw.wqT, aw.tStride);
        linearInto(kv, aw.wk, aw.bk, k, aw.wkT, aw.tStride);
        linearInto(kv, aw.wv, aw.bv, v, aw.wvT, aw.tStride);
        const int dk = d / heads;
        for (int h = 0; h < heads; ++h) {
            const HeadTrace& ht = full.heads[size_t(h)];
            QVERIFY(ht.q == q.middleCols(h * dk, dk));
            QVERIFY(ht.k == k.middleCols(h * dk, dk));
            QVERIFY(ht.v == v.middleCols(h * dk, dk));
            QVERIFY(ht.weights == attention.heads[size_t(h)].weights);
            QCOMPARE(ht.output.rows(), x.rows());
        }
    }
}

void TestAttention::queryOffsetShiftsCausalMask()
{
    // The KV-cached decoder attends its newest rows against every cached key: rows 4 and 5 of a
    // causal block, run on their own with queryOffset 4, must be exactly rows 4 and 5 of the
    // whole block (the same per-head code), and row 4 must not see key 5.
    IdentityBlock b(4);
    const MatrixRM x = MatrixRM::Random(6, 4) * 3.0f;
    AttentionMask mask;
    mask.causal = true;
    LayerTrace whole;
    AttentionScratch scratch;
    MatrixRM context(6, 4);
    attendHeads(x, x, x, 2, mask, Capture::Attention, &whole, nullptr, scratch, context);

    mask.queryOffset = 4;
    LayerTrace last;
    MatrixRM lastContext(2, 4);
    attendHeads(x.bottomRows(2), x, x, 2, mask, Capture::Attention, &last, nullptr, scratch, lastContext);
    QCOMPARE(last.heads.size(), size_t(2));
    for (size_t h = 0; h < 2; ++h) {
        QCOMPARE(last.heads[h].weights.rows(), Eigen::Index(2));
        QVERIFY(last.heads[h].weights == whole.heads[h].weights.bottomRows(2));
        QCOMPARE(last.heads[h].weights(0, 5), 0.0f);
        QVERIFY(last.heads[h].weights(1, 5) > 0.0f);
    }
    QVERIFY(lastContext == context.bottomRows(2));
}

void TestAttention::productsMatchEigen_data()
{
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("threads");
    // Below and above gemm.cpp's small-product threshold (32³ multiply-adds), odd sizes, and the
    // BLAS with two threads.
    QTest::newRow("head 32x16x32") << 32 << 16 << 32 << 1;
    QTest::newRow("tiny 3x5x7") << 3 << 5 << 7 << 1;
    QTest::newRow("one row") << 1 << 64 << 48 << 1;
    QTest::newRow("linear 33x64x130") << 33 << 64 << 130 << 1;
    QTest::newRow("gpt2 head 128x64x128") << 128 << 64 << 128 << 1;
    QTest::newRow("two threads 96x200x300") << 96 << 200 << 300 << 2;
}

void TestAttention::productsMatchEigen()
{
    QFETCH(int, m);
    QFETCH(int, k);
    QFETCH(int, n);
    QFETCH(int, threads);
    setEngineThreads(threads);
    // Operands are column blocks of wider matrices, as the heads of packed Q|K|V are.
    const MatrixRM aWide = MatrixRM::Random(m, k + 5), bWide = MatrixRM::Random(n, k + 3);
    const MatrixRM vWide = MatrixRM::Random(k, n + 4);
    const auto a = aWide.middleCols(2, k);
    const auto b = bWide.middleCols(1, k);
    const auto v = vWide.leftCols(n);
    const float tol = 1e-5f * float(k);

    MatrixRM nt(m, n);
    gemmNT(a, b, 0.5f, nt);
    const MatrixRM ntRef = 0.5f * (MatrixRM(a) * MatrixRM(b).transpose());
    QVERIFY((nt - ntRef).cwiseAbs().maxCoeff() < tol);

    MatrixRM wideOut = MatrixRM::Zero(m, n + 6); // written into a strided block
    gemmNN(a, v, wideOut.middleCols(3, n));
    const MatrixRM nnRef = MatrixRM(a) * MatrixRM(v);
    QVERIFY((wideOut.middleCols(3, n) - nnRef).cwiseAbs().maxCoeff() < tol);
    QCOMPARE(wideOut.leftCols(3).cwiseAbs().maxCoeff(), 0.0f);

    const MatrixRM w = MatrixRM::Random(n, k);
    const RowVector bias = RowVector::Random(n);
    MatrixRM lin, linNoBias;
    linearForward(a, w.data(), bias.data(), n, lin);
    linearForward(a, w.data(), nullptr, n, linNoBias);
    const MatrixRM linRef = MatrixRM(a) * w.transpose();
    QVERIFY(((lin.rowwise() - bias) - linRef).cwiseAbs().maxCoeff() < tol);
    QVERIFY((linNoBias - linRef).cwiseAbs().maxCoeff() < tol);

    // The same through the register kernel with a padded Wᵀ copy, as small models run.
    MatrixRM wt = MatrixRM::Zero(k, paddedStride(n));
    transposeInto(w.data(), k, n, k, wt.data(), wt.cols());
    QVERIFY(wt.leftCols(n) == w.transpose()); // a transposed copy is exact
    MatrixRM linT(m, n);
    linearInto(a, w.data(), bias.data(), linT, wt.data(), wt.cols());
    QVERIFY(((linT.rowwise() - bias) - linRef).cwiseAbs().maxCoeff() < tol);

    // Activations applied as the output is written (the FFN's first Linear), on every path:
    // Eigen / BLAS without Wᵀ and the register kernel with it. Each is checked against std::erf
    // applied to the same path's own x·Wᵀ + b, so the tolerance is the activation's alone.
    auto activate = [](MatrixRM z, PostOp post) {
        for (Eigen::Index i = 0; i < z.size(); ++i) {
            const float v = z.data()[i];
            z.data()[i] = post == PostOp::Relu ? std::max(v, 0.0f) : 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f)));
        }
        return z;
    };
    for (const PostOp post : {PostOp::Relu, PostOp::Gelu}) {
        MatrixRM viaEigen(m, n), viaKernel(m, n);
        linearInto(a, w.data(), bias.data(), viaEigen, nullptr, 0, false, post);
        linearInto(a, w.data(), bias.data(), viaKernel, wt.data(), wt.cols(), false, post);
        const float actTol = 2e-6f * std::max(1.0f, lin.cwiseAbs().maxCoeff());
        QVERIFY((viaEigen - activate(lin, post)).cwiseAbs().maxCoeff() < actTol);
        QVERIFY((viaKernel - activate(linT, post)).cwiseAbs().maxCoeff() < actTol);
        // Applied inside the kernel's tile store or as a pass of its own: the same bits.
        MatrixRM separate = linT;
        for (Eigen::Index i = 0; i < m; ++i) applyPostOp(separate.row(i).data(), n, post);
        QVERIFY(separate == viaKernel);
    }
    setEngineThreads(1);
}

void TestAttention::threadsAgree_data()
{
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("n");
    // Wider than tall: chunks of columns (GPT-2's projections); taller than wide: chunks of rows
    // (a long input's Q_h K_hᵀ is square, A_h V_h tall); odd sizes leave uneven last chunks.
    QTest::newRow("columns 128x768x2304") << 128 << 768 << 2304;
    QTest::newRow("columns 37x300x1000") << 37 << 300 << 1000;
    QTest::newRow("rows 1500x64x100") << 1500 << 64 << 100;
}

// A large product split between two threads (gemm.cpp, ChunkPool), chunks of columns or of rows,
// gives the one-thread result for every product kind and Linear extra (bias, accumulate, GELU).
void TestAttention::threadsAgree()
{
    QFETCH(int, m);
    QFETCH(int, k);
    QFETCH(int, n);
    QVERIFY(largeProduct(m, n, k));
    const MatrixRM a = MatrixRM::Random(m, k), bT = MatrixRM::Random(n, k), b = MatrixRM::Random(k, n);
    const RowVector bias = RowVector::Random(n);
    const MatrixRM start = MatrixRM::Random(m, n);
    struct Results {
        MatrixRM nt, nn, linear, accumulated, gelu;
    };
    auto compute = [&](int threads) {
        setEngineThreads(threads);
        Results r;
        r.nt.resize(m, n);
        gemmNT(a, bT, 0.125f, r.nt);
        r.nn.resize(m, n);
        gemmNN(a, b, r.nn, 0.5f);
        linearForward(a, bT.data(), bias.data(), n, r.linear);
        r.accumulated = start;
        linearInto(a, bT.data(), bias.data(), r.accumulated, nullptr, 0, true);
        r.gelu.resize(m, n);
        linearInto(a, bT.data(), bias.data(), r.gelu, nullptr, 0, false, PostOp::Gelu);
        return r;
    };
    const Results one = compute(1), two = compute(2);
    setEngineThreads(1);
    // Each chunk is the library's product on a block; OpenBLAS blocks a smaller product otherwise,
    // so the sums are rounded in another order: equal to float rounding, not bit for bit
    // (differences of 4e-7 to 2e-5 here, on sums of k products of magnitude ≤ 1).
    const float tol = 1e-5f * float(k);
    auto close = [tol](const MatrixRM& x, const MatrixRM& y) { return (x - y).cwiseAbs().maxCoeff() < tol; };
    QVERIFY(close(one.nt, two.nt));
    QVERIFY(close(one.nn, two.nn));
    QVERIFY(close(one.linear, two.linear));
    QVERIFY(close(one.accumulated, two.accumulated));
    QVERIFY(close(one.gelu, two.gelu));
    // And both are the products.
    QVERIFY(close(two.nt, 0.125f * (a * bT.transpose())));
    QVERIFY(close(two.nn, 0.5f * (a * b)));
    QVERIFY(close(two.linear.rowwise() - bias, a * bT.transpose()));
    QVERIFY(close((two.accumulated - start).rowwise() - bias, a * bT.transpose()));
    MatrixRM activated = two.linear;
    for (Eigen::Index i = 0; i < activated.size(); ++i) {
        const float v = activated.data()[i];
        activated.data()[i] = 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f)));
    }
    QVERIFY((two.gelu - activated).cwiseAbs().maxCoeff() < 1e-5f);
}

// row_ops.h's exp for x ≤ 0 is Eigen's pexp with a shorter 2^m: the same bits on a dense sample of
// [−90, 0] (every 997th float, ~1.1 M values, plus the ends and the underflow range).
void TestAttention::expMatchesEigenBitForBit()
{
    namespace ei = Eigen::internal;
    std::vector<float> xs = {0.0f, -0.0f, -1e-30f, -88.0f, -88.72f, -88.723f, -88.73f, -89.0f, -90.0f, -87.33f,
                             -std::numeric_limits<float>::infinity()};
    const float lowest = -90.0f;
    std::uint32_t end;
    std::memcpy(&end, &lowest, sizeof end);
    for (std::uint64_t bits = 0x80000000u; bits <= end; bits += 997) {
        const std::uint32_t b = std::uint32_t(bits);
        float x;
        std::memcpy(&x, &b, sizeof x);
        xs.push_back(x);
    }
    while (xs.size() % kFloatPacket) xs.push_back(0.0f);
    std::vector<float> ours(xs.size()), eigen(xs.size());
    for (size_t i = 0; i < xs.size(); i += kFloatPacket) {
        const FloatPacket p = ei::ploadu<FloatPacket>(xs.data() + i);
        ei::pstoreu(ours.data() + i, expNonPositive(p));
        ei::pstoreu(eigen.data() + i, ei::pexp(p));
    }
    int differ = 0;
    for (size_t i = 0; i < xs.size(); ++i)
        if (std::memcmp(&ours[i], &eigen[i], sizeof(float)) != 0 && differ++ < 5)
            qWarning("exp(%.9g): ours %.9g, Eigen %.9g", double(xs[i]), double(ours[i]), double(eigen[i]));
    QCOMPARE(differ, 0);
    QVERIFY(xs.size() > 1000000);
    // And it is exp: relative error against std::exp where the result is a normal float.
    for (size_t i = 0; i < xs.size(); ++i)
        if (xs[i] > -87.0f) QVERIFY(std::abs(ours[i] - std::exp(xs[i])) <= 2e-7f * std::exp(xs[i]));
}

void TestAttention::layerNormMatchesEigenBitForBit_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("offset"); // 1: x starts at column 1 of a wider matrix (rows not aligned)
    QTest::addColumn<bool>("inPlace");
    for (const int d : {1, 3, 5, 8, 12, 16, 20, 24, 40, 64, 100, 768})
        for (const int offset : {0, 1})
            for (const bool inPlace : {false, true})
                QTest::addRow("d%d-offset%d%s", d, offset, inPlace ? "-inplace" : "") << 7 << d << offset << inPlace;
}

// layerNormRows against the Eigen expressions the engine used before (the goldens were made
// with those): the same bits for aligned rows (its packet loops) and unaligned ones (which run
// the expressions), in place or not; and LayerNorm's definition in double to 1e-5.
void TestAttention::layerNormMatchesEigenBitForBit()
{
    QFETCH(int, rows);
    QFETCH(int, d);
    QFETCH(int, offset);
    QFETCH(bool, inPlace);
    const float eps = 1e-5f;
    MatrixRM wide = MatrixRM::Random(rows, offset == 0 ? d : d + 2) * 3.0f; // offset 0: rows as the engine's
    wide.col(0).array() += 2.0f; // a non-zero mean
    const RowVector gamma = RowVector::Random(d), beta = RowVector::Random(d);
    const MatrixRM x = wide.middleCols(offset, d);

    // The former Transformer::layerNormInto, on the same memory layout (Eigen's sums depend on
    // where a row starts).
    auto reference = [&](const Eigen::Ref<const MatrixRM>& in, Eigen::Ref<MatrixRM> o) {
        for (Eigen::Index i = 0; i < rows; ++i) {
            const float mean = in.row(i).mean();
            auto r = o.row(i);
            r.array() = in.row(i).array() - mean;
            const float var = r.squaredNorm() / static_cast<float>(d);
            r = (r * (1.0f / std::sqrt(var + eps))).cwiseProduct(gamma) + beta;
        }
    };
    MatrixRM out(rows, d), expected(rows, d);
    if (inPlace) {
        MatrixRM wideRef = wide;
        reference(wideRef.middleCols(offset, d), wideRef.middleCols(offset, d));
        expected = wideRef.middleCols(offset, d);
        layerNormRows(wide.middleCols(offset, d), gamma.data(), beta.data(), eps, wide.middleCols(offset, d));
        out = wide.middleCols(offset, d);
    } else {
        reference(wide.middleCols(offset, d), expected);
        layerNormRows(wide.middleCols(offset, d), gamma.data(), beta.data(), eps, out);
    }
    QVERIFY2(std::memcmp(out.data(), expected.data(), sizeof(float) * size_t(out.size())) == 0,
             qPrintable(QString("differs by up to %1").arg((out - expected).cwiseAbs().maxCoeff())));
    for (Eigen::Index i = 0; i < rows; ++i) {
        const Eigen::RowVectorXd xr = x.row(i).cast<double>();
        const Eigen::RowVectorXd c = xr.array() - xr.mean();
        const double sd = std::sqrt(c.squaredNorm() / d + eps);
        const Eigen::RowVectorXd ref = (c / sd).cwiseProduct(gamma.cast<double>()) + beta.cast<double>();
        QVERIFY((out.row(i).cast<double>() - ref).cwiseAbs().maxCoeff() < 1e-5);
    }
}

QTEST_APPLESS_MAIN(TestAttention)
#include "test_attention.moc"
