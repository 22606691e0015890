// See row_ops.h.
#include "core/row_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace attnscope {

namespace {

using Eigen::Index;
namespace ei = Eigen::internal;
using Packet = FloatPacket;
constexpr int kPacket = kFloatPacket;

bool packetAligned(const float* p)
{
    return reinterpret_cast<std::uintptr_t>(p) % (sizeof(float) * kPacket) == 0;
}

// Σ f(row[j]) for j < n of R rows at once, every row packet-aligned and n ≥ kPacket, each row in
// the order of Eigen 3.4's redux_impl<LinearVectorizedTraversal> for an aligned start: two packet
// accumulators over pairs of packets, then their sum, one more packet when the count is odd, the
// horizontal sum, and the elements after the last whole packet one by one. The rows' steps are
// interleaved so that their chains of additions overlap.
template <bool Square, int R>
inline void rowSums(const float* const* rows, Index n, float* res)
{
    auto f = [](const Packet& p) { return Square ? ei::pmul(p, p) : p; };
    const Index whole = n / kPacket * kPacket, pairs = n / (2 * kPacket) * (2 * kPacket);
    Packet r0[R], r1[R];
    for (int r = 0; r < R; ++r) r0[r] = f(ei::pload<Packet>(rows[r]));
    if (whole > kPacket) {
        for (int r = 0; r < R; ++r) r1[r] = f(ei::pload<Packet>(rows[r] + kPacket));
        for (Index j = 2 * kPacket; j < pairs; j += 2 * kPacket)
            for (int r = 0; r < R; ++r) {
                r0[r] = ei::padd(r0[r], f(ei::pload<Packet>(rows[r] + j)));
                r1[r] = ei::padd(r1[r], f(ei::pload<Packet>(rows[r] + j + kPacket)));
            }
        for (int r = 0; r < R; ++r) r0[r] = ei::padd(r0[r], r1[r]);
        if (whole > pairs)
            for (int r = 0; r < R; ++r) r0[r] = ei::padd(r0[r], f(ei::pload<Packet>(rows[r] + pairs)));
    }
    for (int r = 0; r < R; ++r) {
        float sum = ei::predux(r0[r]);
        for (Index j = whole; j < n; ++j) sum = sum + (Square ? rows[r][j] * rows[r][j] : rows[r][j]);
        res[r] = sum;
    }
}

// LayerNorm of R rows whose starts are all packet-aligned (layerNormRows' packet path), every
// step for all R rows before the next.
template <int R>
void layerNormGroup(const float* const* x, float* const* o, const float* gamma, const float* beta, float eps, Index d)
{
    const Index whole = d / kPacket * kPacket;
    float mean[R], sq[R];
    rowSums<false, R>(x, d, mean);
    Packet m[R];
    for (int r = 0; r < R; ++r) {
        mean[r] = mean[r] / static_cast<float>(d);
        m[r] = ei::pset1<Packet>(mean[r]);
    }
    // Centred in the output rows themselves; each row's mean is taken before it is written, so
    // out may be x.
    for (Index j = 0; j < whole; j += kPacket)
        for (int r = 0; r < R; ++r) ei::pstore(o[r] + j, ei::psub(ei::pload<Packet>(x[r] + j), m[r]));
    for (int r = 0; r < R; ++r)
        for (Index j = whole; j < d; ++j) o[r][j] = x[r][j] - mean[r];
    rowSums<true, R>(o, d, sq);
    float scale[R];
    Packet s[R];
    for (int r = 0; r < R; ++r) {
        const float var = sq[r] / static_cast<float>(d); // biased, as torch
        scale[r] = 1.0f / std::sqrt(var + eps);
        s[r] = ei::pset1<Packet>(scale[r]);
    }
    for (Index j = 0; j < whole; j += kPacket) {
        const Packet gj = ei::ploadu<Packet>(gamma + j), bj = ei::ploadu<Packet>(beta + j);
        for (int r = 0; r < R; ++r)
            ei::pstore(o[r] + j, ei::padd(ei::pmul(ei::pmul(ei::pload<Packet>(o[r] + j), s[r]), gj), bj));
    }
    for (int r = 0; r < R; ++r)
        for (Index j = whole; j < d; ++j) o[r][j] = o[r][j] * scale[r] * gamma[j] + beta[j];
}

} // namespace

void layerNormRows(const Eigen::Ref<const MatrixRM>& x, const float* gamma, const float* beta, float eps,
                   Eigen::Ref<MatrixRM> out)
{
    const Index d = x.cols();
    // Whole packets only: the scalar tail of a sum (x·x + s) may or may not be contracted into a
    // fused multiply-add, and the compiler decided differently for Eigen's reduction and for this
    // loop in an -O2 sanitizer build (d 12, 20, 100 differed in the last bit), so rows with a tail
    // run Eigen's expressions.
    const bool packets = kPacket > 1 && d >= kPacket && d % kPacket == 0;
    constexpr int kGroup = 4;
    for (Index i0 = 0; i0 < x.rows(); i0 += kGroup) {
        const int rows = int(std::min<Index>(kGroup, x.rows() - i0));
        const float* xs[kGroup];
        float* os[kGroup];
        bool aligned[kGroup];
        for (int r = 0; r < rows; ++r) {
            xs[r] = x.row(i0 + r).data();
            os[r] = out.row(i0 + r).data();
            aligned[r] = packets && packetAligned(xs[r]) && packetAligned(os[r]);
        }
        if (rows == kGroup && std::all_of(aligned, aligned + kGroup, [](bool a) { return a; })) {
            layerNormGroup<kGroup>(xs, os, gamma, beta, eps, d);
            continue;
        }
        for (int r = 0; r < rows; ++r) {
            if (aligned[r]) {
                layerNormGroup<1>(xs + r, os + r, gamma, beta, eps, d);
                continue;
            }
            // A row that does not start on a packet boundary: the Eigen expressions themselves
            // (their sums start at the first aligned element). Centred in the output row; the
            // mean is taken before the row is written, so out may be x.
            const float mean = x.row(i0 + r).mean();
            auto o = out.row(i0 + r);
            o.array() = x.row(i0 + r).array() - mean;
            const float var = o.squaredNorm() / static_cast<float>(d); // biased, as torch
            o = (o * (1.0f / std::sqrt(var + eps))).cwiseProduct(ConstRowVectorMap(gamma, d)) +
                ConstRowVectorMap(beta, d);
        }
    }
}

void rmsNormRows(const Eigen::Ref<const MatrixRM>& x, const float* gamma, float eps, Eigen::Ref<MatrixRM> out)
{
    const Index d = x.cols();
    const auto g = ConstRowVectorMap(gamma, d);
    for (Index i = 0; i < x.rows(); ++i) {
        const float ms = x.row(i).squaredNorm() / static_cast<float>(d);
        const float scale = 1.0f / std::sqrt(ms + eps);
        out.row(i) = (x.row(i) * scale).cwiseProduct(g);
    }
}

void applyRotary(Eigen::Ref<MatrixRM> x, int heads, int dHead, int dims, float theta, float scale, Eigen::Index first)
{
    if (dims <= 0) return;
    const int half = dims / 2;
    // Inverse frequencies as Hugging Face computes them (float32 of θ^(2j/dims)), angles in float
    // like its float32 cos/sin tables, then cos/sin of that float angle.
    std::vector<float> invFreq(static_cast<size_t>(half));
    for (int j = 0; j < half; ++j)
        invFreq[size_t(j)] = 1.0f / static_cast<float>(std::pow(static_cast<double>(theta), 2.0 * j / dims));
    std::vector<float> c(static_cast<size_t>(half)), s(static_cast<size_t>(half));
    for (Index r = 0; r < x.rows(); ++r) {
        const float pos = static_cast<float>(first + r) / scale;
        for (int j = 0; j < half; ++j) {
            const float angle = pos * invFreq[size_t(j)];
            c[size_t(j)] = std::cos(angle);
            s[size_t(j)] = std::sin(angle);
        }
        float* row = x.row(r).data();
        for (int h = 0; h < heads; ++h) {
            float* v = row + size_t(h) * size_t(dHead);
            for (int j = 0; j < half; ++j) {
                const float a = v[j], b = v[j + half];
                v[j] = a * c[size_t(j)] - b * s[size_t(j)];
                v[j + half] = b * c[size_t(j)] + a * s[size_t(j)];
            }
        }
    }
}

} // namespace attnscope
