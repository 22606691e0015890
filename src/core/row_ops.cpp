// See row_ops.h.
#include "core/row_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

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

// Σ f(row[j]) for j < n, row packet-aligned and n ≥ kPacket, in the order of Eigen 3.4's
// redux_impl<LinearVectorizedTraversal> for an aligned start: two packet accumulators over pairs
// of packets, then their sum, one more packet when the count is odd, the horizontal sum, and the
// elements after the last whole packet one by one.
template <bool Square>
inline float rowSum(const float* row, Index n)
{
    auto f = [](const Packet& p) { return Square ? ei::pmul(p, p) : p; };
    const Index whole = n / kPacket * kPacket, pairs = n / (2 * kPacket) * (2 * kPacket);
    Packet r0 = f(ei::pload<Packet>(row));
    if (whole > kPacket) {
        Packet r1 = f(ei::pload<Packet>(row + kPacket));
        for (Index j = 2 * kPacket; j < pairs; j += 2 * kPacket) {
            r0 = ei::padd(r0, f(ei::pload<Packet>(row + j)));
            r1 = ei::padd(r1, f(ei::pload<Packet>(row + j + kPacket)));
        }
        r0 = ei::padd(r0, r1);
        if (whole > pairs) r0 = ei::padd(r0, f(ei::pload<Packet>(row + pairs)));
    }
    float res = ei::predux(r0);
    for (Index j = whole; j < n; ++j) res = res + (Square ? row[j] * row[j] : row[j]);
    return res;
}

// rowSum() of R rows at once, each in its own order (the same as rowSum's), their steps
// interleaved so that the rows' chains of additions overlap.
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
    const ConstRowVectorMap g(gamma, d), b(beta, d);
    const Index whole = d / kPacket * kPacket;
    constexpr Index kGroup = 4;
    for (Index i0 = 0; i0 < x.rows(); i0 += kGroup) {
        const Index rows = std::min(kGroup, x.rows() - i0);
        if (kPacket > 1 && d >= kPacket && rows == kGroup) {
            const float* xs[kGroup];
            float* os[kGroup];
            bool aligned = true;
            for (Index r = 0; r < kGroup; ++r) {
                xs[r] = x.row(i0 + r).data();
                os[r] = out.row(i0 + r).data();
                aligned = aligned && packetAligned(xs[r]) && packetAligned(os[r]);
            }
            if (aligned) {
                layerNormGroup<int(kGroup)>(xs, os, gamma, beta, eps, d);
                continue;
            }
        }
        bool fast[kGroup];
        float scale[kGroup];
        // Centred in the output rows themselves: no temporary (and no allocation). Each row's mean
        // is taken before that row is written, so out may be x.
        for (Index r = 0; r < rows; ++r) {
            const float* xr = x.row(i0 + r).data();
            float* o = out.row(i0 + r).data();
            fast[r] = kPacket > 1 && d >= kPacket && packetAligned(xr) && packetAligned(o);
            if (!fast[r]) {
                const float mean = x.row(i0 + r).mean();
                out.row(i0 + r).array() = x.row(i0 + r).array() - mean;
                continue;
            }
            const float mean = rowSum<false>(xr, d) / static_cast<float>(d);
            const Packet m = ei::pset1<Packet>(mean);
            Index j = 0;
            for (; j < whole; j += kPacket) ei::pstore(o + j, ei::psub(ei::pload<Packet>(xr + j), m));
            for (; j < d; ++j) o[j] = xr[j] - mean;
        }
        for (Index r = 0; r < rows; ++r) {
            const float* o = out.row(i0 + r).data();
            const float sq = fast[r] ? rowSum<true>(o, d) : out.row(i0 + r).squaredNorm();
            const float var = sq / static_cast<float>(d); // biased, as torch
            scale[r] = 1.0f / std::sqrt(var + eps);
        }
        for (Index r = 0; r < rows; ++r) {
            if (!fast[r]) {
                auto o = out.row(i0 + r);
                o = (o * scale[r]).cwiseProduct(g) + b;
                continue;
            }
            float* o = out.row(i0 + r).data();
            const Packet s = ei::pset1<Packet>(scale[r]);
            Index j = 0;
            for (; j < whole; j += kPacket)
                ei::pstore(o + j, ei::padd(ei::pmul(ei::pmul(ei::pload<Packet>(o + j), s), ei::ploadu<Packet>(gamma + j)),
                                           ei::ploadu<Packet>(beta + j)));
            for (; j < d; ++j) o[j] = o[j] * scale[r] * gamma[j] + beta[j];
        }
    }
}

} // namespace attnscope
