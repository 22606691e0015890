// Row-wise vector code of the forward pass that is not a matrix product: the softmax's
// exponential and LayerNorm. Both give the same bits as the Eigen code they replaced (the
// goldens' 1e-5 on logits of magnitude 8–17 is a few ulps, so the order of every operation
// matters) and are tested for that in core.test_attention.
#pragma once

#include "core/tensor.h"

namespace attnscope {

using FloatPacket = Eigen::internal::packet_traits<float>::type; // 8 floats with AVX2, 4 with SSE
constexpr int kFloatPacket = Eigen::internal::packet_traits<float>::size;

// exp(x) for x ≤ 0 (larger x are taken as 0: a softmax subtracts its row maximum first), equal
// bit for bit to Eigen's pexp there (checked on every float in [−90, 0] when written): the same
// clamp, Cody–Waite reduction and polynomial, but 2^m is built directly from m's bits in two
// normal factors, 2^(m+64)·2^−64, instead of pldexp's four multiplies for any exponent — the
// first product is exact and the last rounds once, as pldexp's does. About half of pexp's
// instructions.
inline FloatPacket expNonPositive(const FloatPacket& in)
{
    namespace ei = Eigen::internal;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes" // Packet's vector attributes, harmless here
    using PacketI = ei::unpacket_traits<FloatPacket>::integer_packet;
#pragma GCC diagnostic pop
    const FloatPacket x = ei::pmin(ei::pmax(in, ei::pset1<FloatPacket>(-88.723f)), ei::pset1<FloatPacket>(0.0f));
    const FloatPacket m = ei::pfloor(ei::pmadd(x, ei::pset1<FloatPacket>(1.44269504088896341f), ei::pset1<FloatPacket>(0.5f)));
    FloatPacket r = ei::pmadd(m, ei::pset1<FloatPacket>(-0.693359375f), x);
    r = ei::pmadd(m, ei::pset1<FloatPacket>(2.12194440e-4f), r);
    const FloatPacket r2 = ei::pmul(r, r);
    const FloatPacket r3 = ei::pmul(r2, r);
    FloatPacket y = ei::pmadd(ei::pset1<FloatPacket>(1.9875691500E-4f), r, ei::pset1<FloatPacket>(1.3981999507E-3f));
    FloatPacket y1 = ei::pmadd(ei::pset1<FloatPacket>(4.1665795894E-2f), r, ei::pset1<FloatPacket>(1.6666665459E-1f));
    const FloatPacket y2 = ei::padd(r, ei::pset1<FloatPacket>(1.0f));
    y = ei::pmadd(y, r, ei::pset1<FloatPacket>(8.3334519073E-3f));
    y1 = ei::pmadd(y1, r, ei::pset1<FloatPacket>(5.0000001201E-1f));
    y = ei::pmadd(y, r3, y1);
    y = ei::pmadd(y, r2, y2);
    const PacketI e = ei::padd(ei::pcast<FloatPacket, PacketI>(m), ei::pset1<PacketI>(127 + 64)); // m in [−128, 0]
    const FloatPacket scale = ei::preinterpret<FloatPacket>(ei::plogical_shift_left<23>(e));
    return ei::pmul(ei::pmul(y, scale), ei::pset1<FloatPacket>(5.421010862427522e-20f)); // 2^−64
}

// LayerNorm of every row of x into out (same size; out may be x): (x − mean)/√(var + eps)·γ + β
// with the biased variance, as torch. When d is a whole number of packets, rows whose start is
// packet-aligned in both x and out (every row of the engine's buffers) run packet loops that sum
// in the order Eigen's reductions use for aligned rows, four rows at a time so that their chains
// of reductions overlap; other rows run the Eigen expressions themselves.
void layerNormRows(const Eigen::Ref<const MatrixRM>& x, const float* gamma, const float* beta, float eps,
                   Eigen::Ref<MatrixRM> out);

// RMSNorm of every row of x into out (out may be x): x / √(mean(x²) + eps) · γ (Llama's, no bias).
void rmsNormRows(const Eigen::Ref<const MatrixRM>& x, const float* gamma, float eps, Eigen::Ref<MatrixRM> out);

// Rotary position embedding (RoPE) in Hugging Face's rotate-half convention, in place on the
// heads of x (T, heads · dHead): in each head the first `dims` values rotate as pairs (j, j + dims/2)
// by angle pos · θ^(−2j/dims), pos = (first + row) / scale; the rest are left alone.
void applyRotary(Eigen::Ref<MatrixRM> x, int heads, int dHead, int dims, float theta, float scale, Eigen::Index first);

} // namespace attnscope
