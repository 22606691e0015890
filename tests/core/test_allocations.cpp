// The forward pass's inner loops allocate nothing: a forward makes a fixed number of heap
// allocations (its scratch, the hidden states, the logits) whatever the sequence length, the
// number of layers or heads, plus exactly the matrices its capture records. Counted by
// interposing the C allocator (glibc: Eigen allocates with malloc, not operator new); elsewhere
// by replacing the global operator new, which sees the engine's scratch but not Eigen's matrices.
#include "core/gemm.h"
#include "core/transformer.h"

#include <QtTest>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

using namespace attnscope;

namespace {

// Only allocations made by the test's own thread while it counts (Qt or a BLAS may have others).
thread_local bool t_counting = false;
thread_local long long t_allocations = 0;

void countOne()
{
    if (t_counting) ++t_allocations;
}

} // namespace

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);

void* malloc(std::size_t size)
{
    countOne();
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size)
{
    countOne();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size)
{
    countOne();
    return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size)
{
    countOne();
    return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size)
{
    countOne();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** p, std::size_t alignment, std::size_t size)
{
    countOne();
    *p = __libc_memalign(alignment, size);
    return *p ? 0 : ENOMEM;
}
} // extern "C"
constexpr bool kCountsEigen = true;
#else
void* operator new(std::size_t size)
{
    countOne();
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t alignment)
{
    countOne();
    const std::size_t a = static_cast<std::size_t>(alignment);
    if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t alignment) { return operator new(size, alignment); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
constexpr bool kCountsEigen = false;
#endif

namespace {

struct Shape {
    ArchType type;
    int dModel, nHeads, dFf, layers;
    NormPosition norm;
    int maxLen = 64;
};

// A model with random weights, built in memory (as bench/bench_models.h does).
std::shared_ptr<const Model> randomModel(const Shape& s)
{
    constexpr int kVocab = 40;
    auto m = std::make_shared<Model>();
    ModelConfig& c = m->config;
    c.type = s.type;
    c.dModel = s.dModel;
    c.nHeads = s.nHeads;
    c.dFf = s.dFf;
    c.encoderLayers = c.hasEncoder() ? s.layers : 0;
    c.decoderLayers = c.hasDecoder() ? s.layers : 0;
    c.norm = s.norm;
    c.activation = Activation::Gelu;
    c.positional = Positional::Learned;
    c.maxLen = s.maxLen;
    c.finalNorm = true;
    std::vector<std::string> vocab;
    for (int i = 0; i < kVocab; ++i) vocab.push_back("t" + std::to_string(i));
    m->sourceTokenizer = Tokenizer({}, Vocabulary(vocab));
    m->targetTokenizer = m->sourceTokenizer;
    const auto specs = requiredTensors(c, kVocab, kVocab);
    for (const auto& spec : specs) m->weights.declare(spec.name, spec.shape);
    m->weights.allocate();
    std::mt19937 rng(42);
    for (const auto& spec : specs) {
        float* p = m->weights.mutableData(spec.name);
        const size_t n = m->weights.entry(spec.name).size();
        std::normal_distribution<float> dist(0.0f, spec.shape.size() == 2 ? 1.0f / std::sqrt(float(spec.shape[1])) : 0.02f);
        for (size_t i = 0; i < n; ++i) p[i] = dist(rng);
    }
    return m;
}

std::vector<int> ids(int count, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<int> out(static_cast<size_t>(count));
    for (int& id : out) id = int(rng() % 40u);
    return out;
}

// Heap allocations of one forward pass of `tokens` tokens (source and target alike), counted after
// a first forward of the same length: one-time buffers (the BLAS's, a thread's product scratch)
// are not the forward pass's.
long long allocationsOfForward(const Transformer& t, int tokens, Capture capture)
{
    const std::vector<int> source = ids(tokens, 1);
    const std::vector<int> target =
        t.model().config.type == ArchType::EncoderDecoder ? ids(tokens, 2) : std::vector<int>{};
    { const ForwardResult warm = t.forward(source, target, capture); }
    t_allocations = 0;
    t_counting = true;
    { const ForwardResult r = t.forward(source, target, capture); }
    t_counting = false;
    return t_allocations;
}

// What a capture itself records (trace.h): per attention stack its layer vector, per layer the
// head vector, per head the weights (Attention) or weights, Q, K, V, scores and output (Full).
long long captureAllocations(const Shape& s, Capture capture)
{
    if (capture == Capture::None) return 0;
    const long long perHead = capture == Capture::Full ? 6 : 1;
    const long long stacks = s.type == ArchType::EncoderDecoder ? 3 : 1; // encoder, decoder, cross
    return stacks * (1 + s.layers * (1 + s.nHeads * perHead));
}

// Upper bound on a forward's own allocations (no capture): the hidden states, logits and the
// scratch buffers (tensor.h, ScratchBuffer), a handful each, never per layer, head or row.
constexpr long long kMaxOwnAllocations = 16;
// A Full capture of a small model projects each head's Q, K, V straight into its trace
// (attention.cpp) and never needs the whole-layer Q and K|V scratch buffers; other shapes (d_k not
// a whole number of packets, products large enough for the BLAS) do. So Full-capture counts may
// differ by these two buffers between shapes and lengths — once per forward, not per layer or head.
constexpr long long kPathBuffers = 2;

} // namespace

class TestAllocations : public QObject {
    Q_OBJECT
private slots:
    void countingWorks();
    void forwardDoesNotAllocatePerTokenLayerOrHead_data();
    void forwardDoesNotAllocatePerTokenLayerOrHead();
    void scratchKeptOnlyWhenSmall();
    void reusedResultAllocatesNoCapture_data();
    void reusedResultAllocatesNoCapture();
    void reusedResultEqualsFreshForward_data();
    void reusedResultEqualsFreshForward();
};

// The counter itself: a vector of floats is one allocation, an Eigen matrix too (glibc).
void TestAllocations::countingWorks()
{
    t_allocations = 0;
    t_counting = true;
    { std::vector<float> v(100); }
    { MatrixRM m(7, 9); }
    t_counting = false;
    QCOMPARE(t_allocations, kCountsEigen ? 2LL : 1LL);
}

void TestAllocations::forwardDoesNotAllocatePerTokenLayerOrHead_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("norm");
    QTest::addColumn<int>("dModel");
    QTest::addColumn<int>("dFf");
    QTest::addColumn<int>("capture");
    QTest::addColumn<bool>("largeProducts"); // has products of ≥ 2²⁰ multiply-adds
    const std::pair<const char*, Capture> captures[] = {
        {"none", Capture::None}, {"attention", Capture::Attention}, {"full", Capture::Full}};
    for (const auto& [captureName, capture] : captures) {
        auto row = [&](const char* name, ArchType type, NormPosition norm, int d, int dff, bool large = false) {
            QTest::newRow(qPrintable(QString("%1, %2 capture").arg(name, captureName)))
                << int(type) << int(norm) << d << dff << int(capture) << large;
        };
        row("encoder pre-norm d64 (tiny)", ArchType::Encoder, NormPosition::Pre, 64, 256);
        row("encoder post-norm d32", ArchType::Encoder, NormPosition::Post, 32, 64);
        row("decoder pre-norm d64", ArchType::Decoder, NormPosition::Pre, 64, 128);
        row("encoder-decoder post-norm d32", ArchType::EncoderDecoder, NormPosition::Post, 32, 64);
        // Linear layers too large for the transposed copies: products through the BLAS or Eigen.
        row("decoder pre-norm d256 dff1024", ArchType::Decoder, NormPosition::Pre, 256, 1024, true);
    }
}

void TestAllocations::forwardDoesNotAllocatePerTokenLayerOrHead()
{
    QFETCH(int, type);
    QFETCH(int, norm);
    QFETCH(int, dModel);
    QFETCH(int, dFf);
    QFETCH(int, capture);
    QFETCH(bool, largeProducts);
    if (largeProducts && std::string(gemmBackend()) == "eigen")
        QSKIP("without OpenBLAS (ATTNSCOPE_BLAS=off) Eigen's blocked GEMM allocates its packing buffers "
              "for each product of >= 2^20 multiply-adds once they exceed its stack limit");
    const Capture c = Capture(capture);
    // Same width, different depth and head count: 1 layer × 2 heads and 3 layers × 8 heads.
    const Shape shallow{ArchType(type), dModel, 2, dFf, 1, NormPosition(norm)};
    const Shape deep{ArchType(type), dModel, 8, dFf, 3, NormPosition(norm)};
    const Transformer a(randomModel(shallow)), b(randomModel(deep));

    const long long a8 = allocationsOfForward(a, 8, c), a32 = allocationsOfForward(a, 32, c);
    const long long b8 = allocationsOfForward(b, 8, c), b32 = allocationsOfForward(b, 32, c);
    qInfo("allocations per forward: 1 layer × 2 heads %lld (8 tokens) / %lld (32 tokens); "
          "3 layers × 8 heads %lld / %lld",
          a8, a32, b8, b32);

    // Not with the length...
    auto near = [](long long x, long long y) { return std::abs(x - y) <= kPathBuffers; };
    QVERIFY2(near(a32, a8), qPrintable(QString("%1 allocations at 32 tokens, %2 at 8").arg(a32).arg(a8)));
    QVERIFY2(near(b32, b8), qPrintable(QString("%1 allocations at 32 tokens, %2 at 8").arg(b32).arg(b8)));
    if (c != Capture::Full) {
        QCOMPARE(a32, a8);
        QCOMPARE(b32, b8);
    }
    // ...and, apart from what the capture records, not with the number of layers or heads.
    const long long ownA = a32 - captureAllocations(shallow, c);
    const long long ownB = b32 - captureAllocations(deep, c);
    QVERIFY2(near(ownB, ownA), qPrintable(QString("own allocations %1 (3 x 8) vs %2 (1 x 2)").arg(ownB).arg(ownA)));
    if (c != Capture::Full) QCOMPARE(ownB, ownA);
    QVERIFY2(ownA > 0 && ownA <= kMaxOwnAllocations,
             qPrintable(QString("%1 allocations of the forward's own, expected 1..%2").arg(ownA).arg(kMaxOwnAllocations)));
}

// A thread keeps its forward pass's scratch for the next one while it is small (transformer.cpp):
// a teaching model's second forward allocates only its results (hidden states and logits). A long
// input's scratch (here a 1100 × 1024 FFN buffer, 4.5 MB, and 1100² weights) is freed after each
// forward, so a thread does not hold tens of MB, and the next forward allocates it again.
void TestAllocations::scratchKeptOnlyWhenSmall()
{
    const Transformer small(randomModel({ArchType::Encoder, 64, 4, 256, 2, NormPosition::Pre}));
    QCOMPARE(allocationsOfForward(small, 32, Capture::None), kCountsEigen ? 2LL : 0LL);
    const Transformer large(randomModel({ArchType::Encoder, 64, 4, 1024, 1, NormPosition::Pre, 1100}));
    const long long again = allocationsOfForward(large, 1100, Capture::None);
    QVERIFY2(again >= (kCountsEigen ? 2 : 0) + 3,
             qPrintable(QString("%1 allocations: the long input's scratch was kept").arg(again)));
    // And a small forward after the long one is back to its results only.
    QCOMPARE(allocationsOfForward(small, 32, Capture::None), kCountsEigen ? 2LL : 0LL);
}

// forwardInto() on a result of the same model and lengths overwrites the captured matrices in
// place: whatever the capture, layers or heads, a pass allocates only the forward's own few blocks
// (hidden states, masks), none of the 6 per head a Full capture records.
void TestAllocations::reusedResultAllocatesNoCapture_data()
{
    QTest::addColumn<int>("type");
    QTest::newRow("encoder") << int(ArchType::Encoder);
    QTest::newRow("decoder") << int(ArchType::Decoder);
    QTest::newRow("encoder-decoder") << int(ArchType::EncoderDecoder);
}

void TestAllocations::reusedResultAllocatesNoCapture()
{
    QFETCH(int, type);
    const Shape shallow{ArchType(type), 64, 2, 256, 1, NormPosition::Pre};
    const Shape deep{ArchType(type), 64, 8, 256, 3, NormPosition::Pre};
    auto reused = [](const Transformer& t, Capture capture) {
        const std::vector<int> source = ids(24, 1);
        const std::vector<int> target =
            t.model().config.type == ArchType::EncoderDecoder ? ids(24, 2) : std::vector<int>{};
        ForwardResult r;
        t.forwardInto(r, source, target, capture);
        t_allocations = 0;
        t_counting = true;
        t.forwardInto(r, source, target, capture);
        t_counting = false;
        return t_allocations;
    };
    const Transformer a(randomModel(shallow)), b(randomModel(deep));
    const long long none = reused(b, Capture::None);
    const long long fullShallow = reused(a, Capture::Full), fullDeep = reused(b, Capture::Full);
    const long long attention = reused(b, Capture::Attention);
    qInfo("allocations of a reused forward: none %lld, attention %lld, full %lld (1 x 2) / %lld (3 x 8); "
          "a fresh full capture records %lld matrices",
          none, attention, fullShallow, fullDeep, captureAllocations(deep, Capture::Full));
    QVERIFY(none <= kMaxOwnAllocations);
    QCOMPARE(attention, none);
    QCOMPARE(fullDeep, fullShallow);
    QVERIFY2(std::abs(fullDeep - none) <= kPathBuffers,
             qPrintable(QString("full capture %1 allocations, none %2").arg(fullDeep).arg(none)));
}

void TestAllocations::reusedResultEqualsFreshForward_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("norm");
    QTest::newRow("encoder pre-norm") << int(ArchType::Encoder) << int(NormPosition::Pre);
    QTest::newRow("decoder post-norm") << int(ArchType::Decoder) << int(NormPosition::Post);
    QTest::newRow("encoder-decoder pre-norm") << int(ArchType::EncoderDecoder) << int(NormPosition::Pre);
}

// One result reused across changes of capture and length ends up exactly as a fresh forward pass
// leaves it: the same bits where both record, and nothing left over from an earlier capture.
void TestAllocations::reusedResultEqualsFreshForward()
{
    QFETCH(int, type);
    QFETCH(int, norm);
    const Transformer t(randomModel({ArchType(type), 64, 4, 128, 2, NormPosition(norm)}));
    const bool twoInputs = ArchType(type) == ArchType::EncoderDecoder;
    auto same = [](const MatrixRM& x, const MatrixRM& y) {
        return x.rows() == y.rows() && x.cols() == y.cols() && (x.size() == 0 || x == y);
    };
    const std::pair<Capture, int> steps[] = {{Capture::Full, 20},      {Capture::Full, 20}, {Capture::Attention, 20},
                                             {Capture::Full, 12},      {Capture::Compact, 12},
                                             {Capture::Attention, 12}, {Capture::None, 12}, {Capture::Full, 20}};
    ForwardResult reused;
    int step = 0;
    for (const auto& [capture, tokens] : steps) {
        const std::vector<int> source = ids(tokens, unsigned(step) + 1);
        const std::vector<int> target = twoInputs ? ids(tokens - 3, unsigned(step) + 7) : std::vector<int>{};
        const ForwardResult fresh = t.forward(source, target, capture);
        t.forwardInto(reused, source, target, capture);
        const QString where = QString("step %1").arg(step);
        QVERIFY2(same(reused.logits, fresh.logits), qPrintable(where + ": logits"));
        QCOMPARE(reused.maskedRows, fresh.maskedRows);
        const Trace &r = reused.trace, &f = fresh.trace;
        QCOMPARE(r.causalDecoder, f.causalDecoder);
        QCOMPARE(r.compact, f.compact);
        QVERIFY2(same(r.memory, f.memory), qPrintable(where + ": memory"));
        QCOMPARE(r.sourcePadding, f.sourcePadding);
        for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
            QCOMPARE(r.stack(s).size(), f.stack(s).size());
            for (size_t l = 0; l < f.stack(s).size(); ++l) {
                const LayerTrace &rl = r.stack(s)[l], &fl = f.stack(s)[l];
                QVERIFY2(same(rl.input, fl.input), qPrintable(where + ": layer input"));
                QCOMPARE(rl.heads.size(), fl.heads.size());
                for (size_t h = 0; h < fl.heads.size(); ++h) {
                    const HeadTrace &rh = rl.heads[h], &fh = fl.heads[h];
                    const QString head = where + QString(", %1 layer %2 head %3: ").arg(toString(s)).arg(l).arg(h);
                    QVERIFY2(same(rh.weights, fh.weights), qPrintable(head + "weights"));
                    QVERIFY2(same(rh.q, fh.q), qPrintable(head + "q"));
                    QVERIFY2(same(rh.k, fh.k), qPrintable(head + "k"));
                    QVERIFY2(same(rh.v, fh.v), qPrintable(head + "v"));
                    QVERIFY2(same(rh.scores, fh.scores), qPrintable(head + "scores"));
                    QVERIFY2(same(rh.output, fh.output), qPrintable(head + "output"));
                    QVERIFY2(same(rh.thumbnail, fh.thumbnail), qPrintable(head + "thumbnail"));
                }
            }
        }
        ++step;
    }
}

QTEST_APPLESS_MAIN(TestAllocations)
#include "test_allocations.moc"
