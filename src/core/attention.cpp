// Multi-head attention. Projections are whole-matrix GEMMs (Eigen's blocked kernels); the
// per-head work operates on column blocks of Q, K, V without copying them.
#include "core/attention.h"

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

// out = x·Wᵀ + b. Seeding the output with the bias and accumulating the product saves both
// the zero-fill Eigen's GEMM does before an assignment and a separate pass for the bias.
void project(const Eigen::Ref<const MatrixRM>& x, const float* w, const float* b, int outDim, MatrixRM& out)
{
    out.resize(x.rows(), outDim);
    if (b) out.rowwise() = ConstRowVectorMap(b, outDim);
    else out.setZero();
    out.noalias() += x * ConstMatrixMap(w, outDim, x.cols()).transpose();
}

} // namespace

int multiHeadAttention(const Eigen::Ref<const MatrixRM>& x, const Eigen::Ref<const MatrixRM>& y,
                       const AttentionWeights& w, int nHeads, const AttentionMask& mask, Capture capture,
                       LayerTrace* layer, MatrixRM& out, const HeadOverrides* overrides)
{
    const int d = static_cast<int>(x.cols());
    const int dk = d / nHeads;
    const Eigen::Index tq = x.rows();
    const Eigen::Index tk = y.rows();
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();

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
    MatrixRM scores(tq, tk);
    int maskedRows = 0;
    if (layer && capture != Capture::None) layer->heads.resize(static_cast<size_t>(nHeads));
    for (int h = 0; h < nHeads; ++h) {
        const auto qh = q.middleCols(h * dk, dk);
        const auto kh = k.middleCols(h * dk, dk);
        const auto vh = v.middleCols(h * dk, dk);
        scores.noalias() = (qh * kh.transpose()) * scale;
        HeadTrace* ht = (layer && capture != Capture::None) ? &layer->heads[static_cast<size_t>(h)] : nullptr;
        if (ht && capture == Capture::Full) {
            ht->q = qh;
            ht->k = kh;
            ht->v = vh;
            ht->scores = scores;
        }
        if (mask.causal)
            for (Eigen::Index i = 0; i < tq; ++i)
                for (Eigen::Index j = i + 1; j < tk; ++j) scores(i, j) = kNegInf;
        if (!mask.keyPadding.empty())
            for (Eigen::Index j = 0; j < tk; ++j)
                if (mask.keyPadding[static_cast<size_t>(j)]) scores.col(j).setConstant(kNegInf);
        if (!softmaxRowsInPlace(scores) && h == 0)
            for (Eigen::Index i = 0; i < tq; ++i) maskedRows += scores.row(i).sum() == 0.0f ? 1 : 0;
        const RowVector* replacement =
            overrides && size_t(h) < overrides->size() ? (*overrides)[size_t(h)] : nullptr;
        if (replacement)
            context.middleCols(h * dk, dk).rowwise() = *replacement;
        else
            context.middleCols(h * dk, dk).noalias() = scores * vh;
        if (ht) {
            ht->weights = scores;
            if (capture == Capture::Full) ht->output = scores * vh;
        }
    }
    project(context, w.wo, w.bo, d, out);
    return maskedRows;
}

} // namespace attnscope
