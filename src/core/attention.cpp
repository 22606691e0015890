// Multi-head attention. Projections are whole-matrix GEMMs (Eigen's blocked kernels); the
// per-head work operates on column blocks of Q, K, V without copying them.
#include "core/attention.h"

#include "core/gemm.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

const char* toString(Stack stack)
{
    switch (stack) {
    case Stack::Encoder: return "encoder";
    case Stack::Decoder: return "decoder";
    case Stack::Cross: return "cross";
    }
    return "";
}

bool stackFromString(const std::string& name, Stack& stack)
{
    if (name == "encoder") stack = Stack::Encoder;
    else if (name == "decoder") stack = Stack::Decoder;
    else if (name == "cross") stack = Stack::Cross;
    else return false;
    return true;
}

const std::vector<LayerTrace>& Trace::stack(Stack s) const
{
    return s == Stack::Encoder ? encoder : s == Stack::Decoder ? decoder : cross;
}

std::vector<LayerTrace>& Trace::stack(Stack s)
{
    return s == Stack::Encoder ? encoder : s == Stack::Decoder ? decoder : cross;
}

bool softmaxRowsInPlace(Eigen::Ref<MatrixRM> scores)
{
    bool allRowsValid = true;
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        auto row = scores.row(i);
        const float maxValue = row.maxCoeff();
        if (maxValue == -std::numeric_limits<float>::infinity()) {
            row.setZero();
            allRowsValid = false;
            continue;
        }
        row = (row.array() - maxValue).exp();
        row /= row.sum();
    }
    return allRowsValid;
}

namespace {

// out = x·Wᵀ + b (gemm.h: OpenBLAS or Eigen, bias seeded into the output).
void project(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out)
{
    linearForward(x, w, b, outDim, out);
}

using HeadRef = Eigen::Ref<const MatrixRM, 0, Eigen::OuterStride<>>;

// One head from its Q, K, V column blocks: scores = Q_h K_hᵀ/√d_k, masked, softmaxed in place,
// recorded into ht as `capture` asks. Shared by the forward pass and attentionHead(), so a
// recomputed head is the same arithmetic on the same numbers. Returns the fully masked rows.
// When the weights are recorded they are computed in ht->weights itself (no copy), otherwise
// in `scratch`. headOut, when given, receives A_h·V_h (the forward pass's context block); Full
// capture records the head's output from it, or computes it when headOut is null.
int attendHead(const HeadRef& qh, const HeadRef& kh, const HeadRef& vh, float scale, const AttentionMask& mask,
               Capture capture, MatrixRM& scratch, HeadTrace* ht, Eigen::Ref<MatrixRM>* headOut)
{
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    const Eigen::Index tq = qh.rows();
    const Eigen::Index tk = kh.rows();
    MatrixRM& a = (ht && capture != Capture::Compact) ? ht->weights : scratch; // (Tq, Tk)
    a.resize(tq, tk);
    gemmNT(qh, kh, scale, a);
    if (ht && capture == Capture::Full) {
        ht->q = qh;
        ht->k = kh;
        ht->v = vh;
        ht->scores = a;
    }
    if (mask.causal)
        for (Eigen::Index i = 0; i < tq; ++i) {
            float* row = a.row(i).data();
            for (Eigen::Index j = i + 1; j < tk; ++j) row[j] = kNegInf;
        }
    if (!mask.keyPadding.empty())
        for (Eigen::Index j = 0; j < tk; ++j)
            if (mask.keyPadding[static_cast<size_t>(j)]) a.col(j).setConstant(kNegInf);
    int maskedRows = 0;
    if (!softmaxRowsInPlace(a))
        for (Eigen::Index i = 0; i < tq; ++i) maskedRows += a.row(i).sum() == 0.0f ? 1 : 0;
    if (ht && capture == Capture::Compact) ht->thumbnail = poolAttention(a, kThumbnailSide);
    if (headOut) gemmNN(a, vh, *headOut);
    if (ht && capture == Capture::Full) {
        if (headOut) {
            ht->output = *headOut;
        } else {
            ht->output.resize(tq, vh.cols());
            gemmNN(a, vh, ht->output);
        }
    }
    return maskedRows;
}

} // namespace

MatrixRM poolAttention(const Eigen::Ref<const MatrixRM>& weights, int maxSide)
{
    const Eigen::Index rows = weights.rows(), cols = weights.cols();
    const Eigen::Index longest = std::max(rows, cols);
    const Eigen::Index side = std::max<Eigen::Index>(1, maxSide);
    const Eigen::Index s = std::max<Eigen::Index>(1, (longest + side - 1) / side);
    if (s == 1) return weights;
    const Eigen::Index pr = (rows + s - 1) / s, pc = (cols + s - 1) / s;
    MatrixRM pooled = MatrixRM::Zero(pr, pc);
    for (Eigen::Index i = 0; i < rows; ++i) {
        const float* row = weights.row(i).data();
        float* out = pooled.row(i / s).data();
        for (Eigen::Index j = 0; j < cols; ++j) out[j / s] += row[j];
    }
    // Divide by the cell count of each block (edge blocks may be smaller).
    for (Eigen::Index bi = 0; bi < pr; ++bi)
        for (Eigen::Index bj = 0; bj < pc; ++bj) {
            const Eigen::Index h = std::min(s, rows - bi * s), w = std::min(s, cols - bj * s);
            pooled(bi, bj) /= float(h * w);
        }
    return pooled;
}

HeadTrace attentionHead(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                        const AttentionWeights& w, int nHeads, int head, const AttentionMask& mask, Capture capture)
{
    const int d = static_cast<int>(x.cols());
    const int dk = d / nHeads;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
    const size_t rows = size_t(head) * size_t(dk); // first row of this head in each [d, d] weight
    MatrixRM qh, kh, vh;                           // (Tq, dk), (Tk, dk), (Tk, dk)
    project(x, w.wq + rows * size_t(d), w.bq ? w.bq + rows : nullptr, dk, qh);
    project(y, w.wk + rows * size_t(d), w.bk ? w.bk + rows : nullptr, dk, kh);
    project(y, w.wv + rows * size_t(d), w.bv ? w.bv + rows : nullptr, dk, vh);
    HeadTrace ht;
    MatrixRM scratch;
    attendHead(qh, kh, vh, scale, mask, capture == Capture::Full ? Capture::Full : Capture::Attention, scratch, &ht,
               nullptr);
    return ht;
}

int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, MatrixRM& out, const HeadOverrides* overrides)
{
    const int d = static_cast<int>(x.cols());
    const int dk = d / nHeads;
    const Eigen::Index tq = x.rows();
    const Eigen::Index tk = y.rows();
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));

    MatrixRM qBuf, kvBuf; // (Tq, d) or (T, 3d) packed; (Tk, 2d) packed or (Tk, d) each
    MatrixRM vBuf;
    const bool selfAttention = x.data() == y.data() && x.rows() == y.rows();
    const float* qData;
    const float* kData;
    const float* vData;
    Eigen::Index qStride, kvStride;
    if (selfAttention && w.wqkv) {
        project(x, w.wqkv, w.bqkv, 3 * d, qBuf);
        qData = qBuf.data();
        kData = qData + d;
        vData = qData + 2 * d;
        qStride = kvStride = 3 * d;
    } else {
        project(x, w.wq, w.bq, d, qBuf);
        qData = qBuf.data();
        qStride = d;
        if (w.wkv) {
            project(y, w.wkv, w.bkv, 2 * d, kvBuf);
            kData = kvBuf.data();
            vData = kData + d;
            kvStride = 2 * d;
        } else {
            project(y, w.wk, w.bk, d, kvBuf);
            project(y, w.wv, w.bv, d, vBuf);
            kData = kvBuf.data();
            vData = vBuf.data();
            kvStride = d;
        }
    }
    using StridedMap = Eigen::Map<const MatrixRM, 0, Eigen::OuterStride<>>;
    const StridedMap q(qData, tq, d, Eigen::OuterStride<>(qStride));
    const StridedMap k(kData, tk, d, Eigen::OuterStride<>(kvStride));
    const StridedMap v(vData, tk, d, Eigen::OuterStride<>(kvStride));

    MatrixRM context(tq, d); // concatenated head outputs
    MatrixRM scratch; // (Tq, Tk) weights of a head that is not recorded
    int maskedRows = 0;
    if (layer && capture != Capture::None) layer->heads.resize(static_cast<size_t>(nHeads));
    if (layer && capture == Capture::Compact) layer->input = x;
    for (int h = 0; h < nHeads; ++h) {
        const auto qh = q.middleCols(h * dk, dk);
        const auto kh = k.middleCols(h * dk, dk);
        const auto vh = v.middleCols(h * dk, dk);
        HeadTrace* ht = (layer && capture != Capture::None) ? &layer->heads[static_cast<size_t>(h)] : nullptr;
        const RowVector* replacement =
            overrides && size_t(h) < overrides->size() ? (*overrides)[size_t(h)] : nullptr;
        Eigen::Ref<MatrixRM> headOut = context.middleCols(h * dk, dk);
        const int masked = attendHead(qh, kh, vh, scale, mask, capture, scratch, ht, replacement ? nullptr : &headOut);
        if (h == 0) maskedRows = masked;
        if (replacement) headOut.rowwise() = *replacement;
    }
    project(context, w.wo, w.bo, d, out);
    return maskedRows;
}

} // namespace attnscope
