// See teaching.h.
#include "core/analysis/teaching.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// softmax(row / τ) over the keys the mask allows for query i; all zeros when none is allowed.
// Subtracting the row maximum keeps exp() ≤ 1, so small τ cannot overflow.
void softmaxRow(const float* scaled, Eigen::Index keys, const TeachingMask& mask, Eigen::Index i, float temperature,
                float* out)
{
    float mx = kNegInf;
    for (Eigen::Index j = 0; j < keys; ++j) {
        out[j] = 0.0f;
        if (!mask.masked(i, j)) mx = std::max(mx, scaled[j] / temperature);
    }
    if (mx == kNegInf) return; // no allowed key: the row stays zero
    double sum = 0.0;
    for (Eigen::Index j = 0; j < keys; ++j) {
        if (mask.masked(i, j)) continue;
        out[j] = std::exp(scaled[j] / temperature - mx);
        sum += double(out[j]);
    }
    for (Eigen::Index j = 0; j < keys; ++j) out[j] = float(double(out[j]) / sum);
}

} // namespace

MatrixRM temperatureSoftmax(const Eigen::Ref<const MatrixRM>& scaled, const TeachingMask& mask, float temperature)
{
    assert(temperature > 0.0f);
    MatrixRM out = MatrixRM::Zero(scaled.rows(), scaled.cols());
    for (Eigen::Index i = 0; i < scaled.rows(); ++i) {
        const RowVector row = scaled.row(i);
        softmaxRow(row.data(), row.size(), mask, i, temperature, out.row(i).data());
    }
    return out;
}

StepThrough stepThrough(const HeadTrace& head, const TeachingMask& mask, float temperature)
{
    assert(head.q.rows() > 0 && head.k.rows() > 0 && head.q.cols() == head.k.cols());
    StepThrough s;
    s.temperature = temperature;
    s.scale = 1.0f / std::sqrt(float(head.q.cols()));
    s.q = head.q;
    s.k = head.k;
    s.v = head.v;
    s.dot.noalias() = s.q * s.k.transpose();
    s.scaled = s.dot * s.scale;
    s.masked = s.scaled;
    for (Eigen::Index i = 0; i < s.masked.rows(); ++i)
        for (Eigen::Index j = 0; j < s.masked.cols(); ++j)
            if (mask.masked(i, j)) s.masked(i, j) = kNegInf;
    s.weights = temperatureSoftmax(s.scaled, mask, temperature);
    s.output.noalias() = s.weights * s.v;
    return s;
}

CellBreakdown explainCell(const StepThrough& s, const TeachingMask& mask, int query, int key)
{
    assert(query >= 0 && query < s.weights.rows() && key >= 0 && key < s.weights.cols());
    CellBreakdown c;
    c.query = query;
    c.key = key;
    c.queryRow = s.q.row(query);
    c.keyRow = s.k.row(key);
    c.products = c.queryRow.cwiseProduct(c.keyRow);
    c.dot = s.dot(query, key);
    c.scale = s.scale;
    c.scaled = s.scaled(query, key);
    c.temperature = s.temperature;
    c.masked = mask.masked(query, key);
    const Eigen::Index tk = s.weights.cols();
    c.rowLogits.resize(tk);
    c.rowExp = RowVector::Zero(tk);
    c.rowMax = kNegInf;
    for (Eigen::Index j = 0; j < tk; ++j) {
        c.rowLogits(j) = mask.masked(query, j) ? kNegInf : s.scaled(query, j) / s.temperature;
        c.rowMax = std::max(c.rowMax, c.rowLogits(j));
    }
    for (Eigen::Index j = 0; j < tk; ++j)
        if (!mask.masked(query, j)) c.rowExp(j) = std::exp(c.rowLogits(j) - c.rowMax);
    c.rowSum = c.rowExp.sum();
    c.weight = s.weights(query, key);
    return c;
}

NeuronView neuronView(const HeadTrace& head, const TeachingMask& mask, int query, float temperature)
{
    assert(head.q.rows() > 0 && head.k.rows() > 0 && head.q.cols() == head.k.cols());
    assert(query >= 0 && query < head.q.rows() && temperature > 0.0f);
    NeuronView n;
    n.query = query;
    n.scale = 1.0f / std::sqrt(float(head.q.cols()));
    n.temperature = temperature;
    n.q = head.q.row(query);
    n.k = head.k;
    const Eigen::Index tk = n.k.rows();
    n.products = (n.k.array().rowwise() * n.q.array()).matrix();
    // q·kᵀ as one product, like stepThrough; each row of `products` sums to it up to rounding.
    n.dots.noalias() = n.q * n.k.transpose();
    n.scaled = n.dots * n.scale;
    n.masked.resize(size_t(tk));
    n.logits.resize(tk);
    for (Eigen::Index j = 0; j < tk; ++j) {
        n.masked[size_t(j)] = mask.masked(query, j);
        n.logits(j) = n.masked[size_t(j)] ? kNegInf : n.scaled(j) / temperature;
    }
    n.weights.resize(tk);
    softmaxRow(n.scaled.data(), tk, mask, query, temperature, n.weights.data());
    return n;
}

} // namespace attnscope
