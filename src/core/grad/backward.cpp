// See backward.h. The forward here restates docs/model-format.md's layer equations in plain Eigen
// (no register kernels, no scratch reuse) and keeps what backward reads: each norm's x̂ and 1/σ,
// each Linear's input, each attention block's Q, K, V (after RoPE), weights and context, each
// FFN's pre-activations. Shapes use T (positions), Tq/Tk (queries/keys), d (d_model), f (d_ff),
// H (heads), dk (head width), V (vocabulary).
#include "core/grad/backward.h"

#include "core/errors.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace attnscope::grad {

namespace {

template <class S>
using Mat = MatrixT<S>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
template <class S>
using CMap = Eigen::Map<const Mat<S>>;
template <class S>
using MMap = Eigen::Map<Mat<S>>;
template <class S>
using CRow = Eigen::Map<const Eigen::Matrix<S, 1, Eigen::Dynamic>>;
template <class S>
using MRow = Eigen::Map<Eigen::Matrix<S, 1, Eigen::Dynamic>>;

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;

// out = act(z) and grad = act'(z), element-wise on whole arrays (Eigen's vectorised erf, tanh and
// exp for float: the scalar calls took half of an integrated-gradients run).
template <class S>
void activateAll(Activation a, const Mat<S>& z, Mat<S>& out, Mat<S>& grad)
{
    using A = Eigen::Array<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const auto x = z.array();
    switch (a) {
    case Activation::Relu:
        out = x.max(S(0)).matrix();
        grad = (x > S(0)).template cast<S>().matrix();
        return;
    case Activation::Gelu: {
        const A e = (x * S(kInvSqrt2)).erf();
        out = (S(0.5) * x * (S(1) + e)).matrix();
        grad = (S(0.5) * (S(1) + e) + x * S(kInvSqrt2Pi) * (S(-0.5) * x.square()).exp()).matrix();
        return;
    }
    case Activation::GeluTanh: {
        const S k = S(kSqrt2OverPi);
        const A th = (k * (x + S(0.044715) * x.cube())).tanh();
        out = (S(0.5) * x * (S(1) + th)).matrix();
        grad = (S(0.5) * (S(1) + th) + S(0.5) * x * (S(1) - th.square()) * k * (S(1) + S(3 * 0.044715) * x.square()))
                   .matrix();
        return;
    }
    case Activation::Silu: {
        const A sg = S(1) / (S(1) + (-x).exp());
        out = (x * sg).matrix();
        grad = (sg * (S(1) + x * (S(1) - sg))).matrix();
        return;
    }
    }
}

} // namespace

template <class S>
GradientsT<S>::GradientsT(const Weights& weights)
{
    size_t offset = 0;
    for (const auto& [name, e] : weights.entries()) {
        Entry g;
        g.offset = offset;
        g.shape = e.shape;
        g.size = e.size();
        offset += g.size;
        m_entries.emplace(name, std::move(g));
    }
    m_data.assign(offset, S(0));
}

Loss languageModelLoss(const std::vector<int>& ids)
{
    Loss l;
    const int n = static_cast<int>(ids.size()) - 1;
    for (int i = 0; i < n; ++i) l.terms.push_back({i, ids[size_t(i) + 1], 1.0 / n});
    return l;
}

Loss seq2seqLoss(const std::vector<int>& labels)
{
    Loss l;
    const int n = static_cast<int>(labels.size());
    for (int i = 0; i < n; ++i) l.terms.push_back({i, labels[size_t(i)], 1.0 / n});
    return l;
}

Loss maskedLmLoss(const std::vector<int>& positions, const std::vector<int>& labels)
{
    if (positions.size() != labels.size()) throw UsageError("maskedLmLoss: one label per position");
    Loss l;
    const double w = positions.empty() ? 0.0 : 1.0 / double(positions.size());
    for (size_t k = 0; k < positions.size(); ++k) l.terms.push_back({positions[k], labels[k], w});
    return l;
}

Loss logitLoss(int position, int token)
{
    Loss l;
    l.kind = LossKind::Logit;
    l.terms.push_back({position, token, 1.0});
    return l;
}

template <class S>
struct Backprop<S>::Impl {
    using M = Mat<S>;
    using V = Vec<S>;

    struct Linear {
        const S* w = nullptr; // (out, in)
        const S* b = nullptr; // (out) or null
        std::string name;     // prefix: name.weight, name.bias
        int out = 0, in = 0;
    };
    struct Norm {
        const S* g = nullptr;
        const S* b = nullptr; // null for RMSNorm
        std::string name;
    };
    struct Attention {
        Linear q, k, v, o;
    };
    struct Layer {
        Attention self, cross;
        bool hasCross = false;
        Linear l1, l2, gate;
        Norm n1, n2, n3;
    };
    struct Embeddings {
        const S* table = nullptr; // (V, d)
        const S* pos = nullptr;   // learned (rows, d)
        const S* types = nullptr; // (typeVocab, d)
        Norm norm;
        std::string stack;
        int rows = 0;
    };

    // Tapes.
    struct NormTape {
        M xhat; // (T, d) normalised input before γ (RMSNorm: x / rms)
        V rstd; // (T) 1/σ (RMSNorm: 1/rms)
    };
    struct AttnTape {
        M x, y;               // inputs (Tq, d), (Tk, d); y empty for self-attention (= x)
        M q, k, v;            // (Tq, d), (Tk, kvd), (Tk, kvd), after RoPE
        std::vector<M> a;     // H × (Tq, Tk)
        M ctx;                // (Tq, d)
    };
    struct FfnTape {
        M x;     // (T, d) input
        M z1;    // (T, f) linear1's output: the pre-activation (SwiGLU: the up projection)
        M act;   // (T, f) SwiGLU: act(gate pre-activation); else empty
        M grad;  // (T, f) act' at the pre-activation (gate's for SwiGLU)
        M h;     // (T, f) linear2's input
    };
    struct LayerTape {
        NormTape n1, n2, n3;
        AttnTape self, cross;
        FfnTape ffn;
    };
    struct StackTape {
        M e;                  // (T, d) summed embeddings (before embed_norm)
        NormTape embedNorm;
        std::vector<LayerTape> layers;
        NormTape finalNorm;
        M out;                // (T, d) the stack's output
        std::vector<int> ids, types;
        bool embedded = false; // x0 was given
        M x0;
    };
    struct Mask {
        bool causal = false;
        std::vector<bool> pad; // per key
    };

    std::shared_ptr<const Model> model;
    const ModelConfig& c;
    std::vector<S> copy; // double: the converted weights
    std::map<std::string, const S*> params;
    std::vector<Layer> encLayers, decLayers;
    Embeddings encEmbed, decEmbed;
    Norm encNorm, decNorm;
    Linear transform;
    Norm transformNorm;
    const S* head = nullptr;
    const S* headBias = nullptr;
    std::string headName;
    int outVocab = 0;

    explicit Impl(std::shared_ptr<const Model> m) : model(std::move(m)), c(model->config)
    {
        const Weights& w = model->weights;
        if constexpr (std::is_same_v<S, float>) {
            for (const auto& [name, e] : w.entries()) params[name] = w.data(name);
        } else {
            size_t total = 0;
            for (const auto& [name, e] : w.entries()) total += e.size();
            copy.resize(total);
            size_t off = 0;
            for (const auto& [name, e] : w.entries()) {
                const float* src = w.data(name);
                std::copy(src, src + e.size(), copy.begin() + std::ptrdiff_t(off));
                params[name] = copy.data() + off;
                off += e.size();
            }
        }
        if (!c.lmHead) throw UsageError("gradients need an output head; this model has none (lm_head false)");
        auto opt = [&](const std::string& n) -> const S* {
            auto it = params.find(n);
            return it == params.end() ? nullptr : it->second;
        };
        auto need = [&](const std::string& n) -> const S* {
            const S* p = opt(n);
            if (!p) throw UsageError("gradients: missing tensor " + n);
            return p;
        };
        auto linear = [&](const std::string& n, int out, int in) {
            return Linear{need(n + ".weight"), opt(n + ".bias"), n, out, in};
        };
        auto norm = [&](const std::string& n) {
            return Norm{need(n + ".weight"), c.normKind == NormKind::RmsNorm ? nullptr : need(n + ".bias"), n};
        };
        const int d = c.dModel, kvd = c.kvDim();
        auto attn = [&](const std::string& p) {
            return Attention{linear(p + ".q_proj", d, d), linear(p + ".k_proj", kvd, d), linear(p + ".v_proj", kvd, d),
                             linear(p + ".out_proj", d, d)};
        };
        auto layer = [&](const std::string& p, bool cross) {
            Layer l;
            l.self = attn(p + ".self_attn");
            l.hasCross = cross;
            if (cross) l.cross = attn(p + ".multihead_attn");
            l.l1 = linear(p + ".linear1", c.dFf, d);
            l.l2 = linear(p + ".linear2", d, c.dFf);
            if (c.gatedFfn) l.gate = linear(p + ".gate_proj", c.dFf, d);
            l.n1 = norm(p + ".norm1");
            l.n2 = norm(p + ".norm2");
            if (cross) l.n3 = norm(p + ".norm3");
            return l;
        };
        for (int i = 0; i < c.encoderLayers; ++i) encLayers.push_back(layer("encoder.layers." + std::to_string(i), false));
        for (int i = 0; i < c.decoderLayers; ++i)
            decLayers.push_back(layer("decoder.layers." + std::to_string(i), c.hasCrossAttention()));
        auto embeddings = [&](const std::string& s) {
            Embeddings e;
            e.stack = s;
            e.table = opt(s + ".embed.weight");
            if (!e.table) return e;
            e.rows = w.entry(s + ".embed.weight").shape[0];
            e.pos = opt(s + ".pos.weight");
            e.types = opt(s + ".type.weight");
            if (c.embedNorm) e.norm = norm(s + ".embed_norm");
            return e;
        };
        encEmbed = embeddings("encoder");
        decEmbed = embeddings("decoder");
        if (c.finalNorm) {
            if (c.hasEncoder()) encNorm = norm("encoder.norm");
            if (c.hasDecoder()) decNorm = norm("decoder.norm");
        }
        if (c.headTransform) {
            transform = linear("lm_head.transform", d, d);
            transformNorm = norm("lm_head.transform_norm");
        }
        headName = c.tiedOutput ? (c.hasDecoder() ? "decoder.embed.weight" : "encoder.embed.weight") : "lm_head.weight";
        head = need(headName);
        headBias = opt("lm_head.bias");
        outVocab = w.entry(headName).shape[0];
    }

    // ---------------------------------------------------------------- pieces

    // y = x·Wᵀ + b.
    static void linearForward(const Linear& l, const M& x, M& y)
    {
        y.noalias() = x * CMap<S>(l.w, l.out, l.in).transpose();
        if (l.b) y.rowwise() += CRow<S>(l.b, l.out);
    }
    // dx (+)= dy·W; dW += dyᵀ·x; db += Σ_rows dy.
    static void linearBackward(const Linear& l, const M& x, const M& dy, M* dx, bool accumulateDx, GradientsT<S>* g)
    {
        if (dx) {
            if (accumulateDx)
                dx->noalias() += dy * CMap<S>(l.w, l.out, l.in);
            else
                dx->noalias() = dy * CMap<S>(l.w, l.out, l.in);
        }
        if (g) {
            MMap<S>(g->data(l.name + ".weight"), l.out, l.in).noalias() += dy.transpose() * x;
            if (l.b) MRow<S>(g->data(l.name + ".bias"), l.out) += dy.colwise().sum();
        }
    }

    void normForward(const Norm& n, const M& x, M& y, NormTape& t) const
    {
        const Eigen::Index rows = x.rows(), d = x.cols();
        t.xhat.resize(rows, d);
        t.rstd.resize(rows);
        const S eps = S(c.layerNormEps);
        for (Eigen::Index i = 0; i < rows; ++i) {
            if (n.b) {
                const S mean = x.row(i).mean();
                t.xhat.row(i) = x.row(i).array() - mean;
                const S var = t.xhat.row(i).squaredNorm() / S(d);
                t.rstd(i) = S(1) / std::sqrt(var + eps);
            } else {
                t.xhat.row(i) = x.row(i);
                t.rstd(i) = S(1) / std::sqrt(x.row(i).squaredNorm() / S(d) + eps);
            }
            t.xhat.row(i) *= t.rstd(i);
        }
        y = t.xhat.array().rowwise() * CRow<S>(n.g, d).array();
        if (n.b) y.rowwise() += CRow<S>(n.b, d);
    }
    // dx = 1/σ·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) for LayerNorm; RMSNorm drops the mean(dx̂) term.
    void normBackward(const Norm& n, const NormTape& t, const M& dy, M& dx, GradientsT<S>* g) const
    {
        const Eigen::Index rows = dy.rows(), d = dy.cols();
        if (g) {
            MRow<S>(g->data(n.name + ".weight"), d) += (dy.array() * t.xhat.array()).colwise().sum().matrix();
            if (n.b) MRow<S>(g->data(n.name + ".bias"), d) += dy.colwise().sum();
        }
        dx.resize(rows, d);
        const auto gamma = CRow<S>(n.g, d).array();
        for (Eigen::Index i = 0; i < rows; ++i) {
            const Eigen::Array<S, 1, Eigen::Dynamic> dxh = dy.row(i).array() * gamma;
            const S m2 = (dxh * t.xhat.row(i).array()).sum() / S(d);
            const S m1 = n.b ? dxh.sum() / S(d) : S(0);
            dx.row(i) = (t.rstd(i) * (dxh - m1 - t.xhat.row(i).array() * m2)).matrix();
        }
    }

    // RoPE in Hugging Face's rotate-half convention on every head of x (T, heads·dk): pairs
    // (j, j + dims/2) rotate by pos·θ^(−2j/dims), pos = row / scale. inverse: rotate by −angle
    // (the transpose, for backward).
    void rotary(M& x, int heads, bool inverse) const
    {
        const int dims = c.rotaryDims(), dk = c.dHead();
        if (dims <= 0) return;
        const int half = dims / 2;
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            for (int j = 0; j < half; ++j) {
                S cs, sn;
                if constexpr (std::is_same_v<S, float>) {
                    // As the engine: float inverse frequencies and angles.
                    const float inv = 1.0f / static_cast<float>(std::pow(double(c.ropeTheta), 2.0 * j / dims));
                    const float angle = (static_cast<float>(r) / c.ropeScale) * inv;
                    cs = std::cos(angle);
                    sn = std::sin(angle);
                } else {
                    const double inv = 1.0 / std::pow(double(c.ropeTheta), 2.0 * j / dims);
                    const double angle = (double(r) / double(c.ropeScale)) * inv;
                    cs = std::cos(angle);
                    sn = std::sin(angle);
                }
                if (inverse) sn = -sn;
                for (int h = 0; h < heads; ++h) {
                    S* v = x.row(r).data() + size_t(h) * size_t(dk);
                    const S a = v[j], b = v[j + half];
                    v[j] = a * cs - b * sn;
                    v[j + half] = b * cs + a * sn;
                }
            }
        }
    }

    // out (Tq, d) = MHA(x, y); y null: self-attention.
    void attentionForward(const Attention& w, const M& x, const M* y, const Mask& mask, M& out, AttnTape& t) const
    {
        const int H = c.nHeads, dk = c.dHead(), group = H / c.kvHeads();
        const M& keys = y ? *y : x;
        t.x = x;
        if (y) t.y = *y;
        linearForward(w.q, x, t.q);
        linearForward(w.k, keys, t.k);
        linearForward(w.v, keys, t.v);
        if (!y) {
            rotary(t.q, H, false);
            rotary(t.k, c.kvHeads(), false);
        }
        const Eigen::Index tq = x.rows(), tk = keys.rows();
        const S scale = S(1) / std::sqrt(S(dk));
        t.a.resize(size_t(H));
        t.ctx.resize(tq, c.dModel);
        for (int h = 0; h < H; ++h) {
            const int kh = h / group;
            M& a = t.a[size_t(h)];
            a.noalias() = (t.q.middleCols(h * dk, dk) * t.k.middleCols(kh * dk, dk).transpose()) * scale;
            // Masked keys are set to −∞ (exp gives 0); the row maximum of the rest is subtracted
            // before exp.
            constexpr S kNegInf = -std::numeric_limits<S>::infinity();
            for (Eigen::Index i = 0; i < tq; ++i) {
                auto row = a.row(i);
                if (mask.causal && i + 1 < tk) row.tail(tk - i - 1).setConstant(kNegInf);
                for (size_t j = 0; j < mask.pad.size(); ++j)
                    if (mask.pad[j]) row(Eigen::Index(j)) = kNegInf;
                const S mx = row.maxCoeff();
                if (mx == kNegInf) { // every key masked: zeros (DOMAIN.md)
                    row.setZero();
                    continue;
                }
                row = (row.array() - mx).exp().matrix();
                row /= row.sum();
            }
            t.ctx.middleCols(h * dk, dk).noalias() = a * t.v.middleCols(kh * dk, dk);
        }
        linearForward(w.o, t.ctx, out);
    }

    // dx (+)= ∂/∂x; dy (+)= ∂/∂y for cross-attention (self-attention: both go to dx).
    void attentionBackward(const Attention& w, const AttnTape& t, const M& dout, M& dx, M* dy,
                           GradientsT<S>* g) const
    {
        const int H = c.nHeads, dk = c.dHead(), group = H / c.kvHeads();
        const bool self = t.y.size() == 0;
        const M& keys = self ? t.x : t.y;
        M dctx;
        linearBackward(w.o, t.ctx, dout, &dctx, false, g);
        const S scale = S(1) / std::sqrt(S(dk));
        M dq = M::Zero(t.q.rows(), t.q.cols()), dk_ = M::Zero(t.k.rows(), t.k.cols()),
          dv = M::Zero(t.v.rows(), t.v.cols());
        M da, ds;
        for (int h = 0; h < H; ++h) {
            const int kh = h / group;
            const M& a = t.a[size_t(h)];
            const auto dO = dctx.middleCols(h * dk, dk);
            da.noalias() = dO * t.v.middleCols(kh * dk, dk).transpose();             // (Tq, Tk)
            dv.middleCols(kh * dk, dk).noalias() += a.transpose() * dO;
            // softmax: ds = a ⊙ (da − rowsum(da ⊙ a)); masked entries have a = 0.
            const V rowDot = (da.array() * a.array()).rowwise().sum().matrix();
            ds = (a.array() * (da.colwise() - rowDot).array()) * scale;
            dq.middleCols(h * dk, dk).noalias() += ds * t.k.middleCols(kh * dk, dk);
            dk_.middleCols(kh * dk, dk).noalias() += ds.transpose() * t.q.middleCols(h * dk, dk);
        }
        if (self) {
            rotary(dq, H, true);
            rotary(dk_, c.kvHeads(), true);
        }
        linearBackward(w.q, t.x, dq, &dx, true, g);
        M* dkeys = self ? &dx : dy;
        linearBackward(w.k, keys, dk_, dkeys, true, g);
        linearBackward(w.v, keys, dv, dkeys, true, g);
    }

    void ffnForward(const Layer& l, const M& x, M& out, FfnTape& t) const
    {
        t.x = x;
        linearForward(l.l1, x, t.z1);
        if (c.gatedFfn) {
            M zg;
            linearForward(l.gate, x, zg);
            activateAll(c.activation, zg, t.act, t.grad);
            t.h = t.act.cwiseProduct(t.z1);
        } else {
            activateAll(c.activation, t.z1, t.h, t.grad);
        }
        linearForward(l.l2, t.h, out);
    }

    void ffnBackward(const Layer& l, const FfnTape& t, const M& dout, M& dx, GradientsT<S>* g) const
    {
        M dh;
        linearBackward(l.l2, t.h, dout, &dh, false, g);
        if (c.gatedFfn) {
            const M dz1 = dh.cwiseProduct(t.act);
            const M dzg = dh.cwiseProduct(t.z1).cwiseProduct(t.grad);
            linearBackward(l.l1, t.x, dz1, &dx, true, g);
            linearBackward(l.gate, t.x, dzg, &dx, true, g);
        } else {
            linearBackward(l.l1, t.x, dh.cwiseProduct(t.grad), &dx, true, g);
        }
    }

    // x (T, d) through one layer in place (docs/model-format.md, "Layer equations").
    void layerForward(const Layer& l, M& x, const M* memory, const Mask& selfMask, const Mask& crossMask,
                      LayerTape& t) const
    {
        const Norm& ffNorm = l.hasCross ? l.n3 : l.n2;
        M n, sub;
        if (c.parallelResidual) {
            M n2, sub2;
            normForward(l.n1, x, n, t.n1);
            normForward(l.n2, x, n2, t.n2);
            attentionForward(l.self, n, nullptr, selfMask, sub, t.self);
            ffnForward(l, n2, sub2, t.ffn);
            x += sub + sub2;
        } else if (c.norm == NormPosition::Pre) {
            normForward(l.n1, x, n, t.n1);
            attentionForward(l.self, n, nullptr, selfMask, sub, t.self);
            x += sub;
            if (l.hasCross) {
                normForward(l.n2, x, n, t.n2);
                attentionForward(l.cross, n, memory, crossMask, sub, t.cross);
                x += sub;
            }
            normForward(ffNorm, x, n, l.hasCross ? t.n3 : t.n2);
            ffnForward(l, n, sub, t.ffn);
            x += sub;
        } else {
            attentionForward(l.self, x, nullptr, selfMask, sub, t.self);
            sub += x;
            normForward(l.n1, sub, x, t.n1);
            if (l.hasCross) {
                attentionForward(l.cross, x, memory, crossMask, sub, t.cross);
                sub += x;
                normForward(l.n2, sub, x, t.n2);
            }
            ffnForward(l, x, sub, t.ffn);
            sub += x;
            normForward(ffNorm, sub, x, l.hasCross ? t.n3 : t.n2);
        }
    }

    // dx: ∂/∂(layer output) in, ∂/∂(layer input) out; dMemory += the cross-attention's share.
    void layerBackward(const Layer& l, const LayerTape& t, M& dx, M* dMemory, GradientsT<S>* g) const
    {
        const Norm& ffNorm = l.hasCross ? l.n3 : l.n2;
        const NormTape& ffTape = l.hasCross ? t.n3 : t.n2;
        M dn, dsub;
        if (c.parallelResidual) {
            M dn2;
            dn = M::Zero(dx.rows(), dx.cols());
            dn2 = M::Zero(dx.rows(), dx.cols());
            attentionBackward(l.self, t.self, dx, dn, nullptr, g);
            ffnBackward(l, t.ffn, dx, dn2, g);
            normBackward(l.n1, t.n1, dn, dsub, g);
            dx += dsub;
            normBackward(l.n2, t.n2, dn2, dsub, g);
            dx += dsub;
        } else if (c.norm == NormPosition::Pre) {
            dn = M::Zero(dx.rows(), dx.cols());
            ffnBackward(l, t.ffn, dx, dn, g);
            normBackward(ffNorm, ffTape, dn, dsub, g);
            dx += dsub;
            if (l.hasCross) {
                dn.setZero();
                attentionBackward(l.cross, t.cross, dx, dn, dMemory, g);
                normBackward(l.n2, t.n2, dn, dsub, g);
                dx += dsub;
            }
            dn.setZero();
            attentionBackward(l.self, t.self, dx, dn, nullptr, g);
            normBackward(l.n1, t.n1, dn, dsub, g);
            dx += dsub;
        } else {
            // x3 = LN(x2 + FF(x2)): ds = LN'(dx3); dx2 = ds + FF'(ds).
            M ds;
            normBackward(ffNorm, ffTape, dx, ds, g);
            dx = ds;
            ffnBackward(l, t.ffn, ds, dx, g);
            if (l.hasCross) {
                normBackward(l.n2, t.n2, dx, ds, g);
                dx = ds;
                attentionBackward(l.cross, t.cross, ds, dx, dMemory, g);
            }
            normBackward(l.n1, t.n1, dx, ds, g);
            dx = ds;
            attentionBackward(l.self, t.self, ds, dx, nullptr, g);
        }
    }

    void checkIds(const std::vector<int>& ids, int rows, const char* what) const
    {
        if (ids.empty()) throw UsageError(std::string("gradients: the ") + what + " is empty");
        if (int(ids.size()) > c.maxLen)
            throw UsageError(std::string("gradients: the ") + what + " has " + std::to_string(ids.size()) +
                             " tokens, more than max_len " + std::to_string(c.maxLen));
        for (int id : ids)
            if (id < 0 || id >= rows)
                throw UsageError(std::string("gradients: token id ") + std::to_string(id) + " in the " + what +
                                 " is outside the vocabulary (0 … " + std::to_string(rows - 1) + ")");
    }

    // x0 (T, d) of ids on stack e.
    void embedForward(const Embeddings& e, const std::vector<int>& ids, const std::vector<int>& types, bool input,
                      M& x0, StackTape* t) const
    {
        const int d = c.dModel;
        const S scale = c.scaleEmbeddings ? std::sqrt(S(d)) : S(1);
        const Eigen::Index n = Eigen::Index(ids.size());
        M ex(n, d);
        for (Eigen::Index i = 0; i < n; ++i) ex.row(i) = CRow<S>(e.table + size_t(ids[size_t(i)]) * size_t(d), d) * scale;
        if (e.pos) {
            ex += CMap<S>(e.pos + size_t(c.positionOffset) * size_t(d), n, d);
        } else if (c.positional == Positional::Sinusoidal) {
            for (Eigen::Index r = 0; r < n; ++r)
                for (int i = 0; i < d; i += 2) {
                    const double angle = double(r) / std::pow(10000.0, double(i) / d);
                    // As the engine: computed in double, added at the working precision.
                    ex(r, i) += std::is_same_v<S, float> ? S(float(std::sin(angle))) : S(std::sin(angle));
                    if (i + 1 < d) ex(r, i + 1) += std::is_same_v<S, float> ? S(float(std::cos(angle))) : S(std::cos(angle));
                }
        }
        if (e.types && input)
            for (Eigen::Index i = 0; i < n; ++i) {
                const int ty = size_t(i) < types.size() ? types[size_t(i)] : 0;
                ex.row(i) += CRow<S>(e.types + size_t(ty) * size_t(d), d);
            }
        NormTape scratch;
        if (e.norm.g)
            normForward(e.norm, ex, x0, t ? t->embedNorm : scratch);
        else
            x0 = ex;
        if (t) t->e = std::move(ex);
    }

    void embedBackward(const Embeddings& e, const StackTape& t, const M& dx0, bool input, GradientsT<S>* g) const
    {
        if (!g) return;
        const int d = c.dModel;
        M de;
        if (e.norm.g)
            normBackward(e.norm, t.embedNorm, dx0, de, g);
        else
            de = dx0;
        const S scale = c.scaleEmbeddings ? std::sqrt(S(d)) : S(1);
        S* table = g->data(e.stack + ".embed.weight");
        for (size_t i = 0; i < t.ids.size(); ++i)
            MRow<S>(table + size_t(t.ids[i]) * size_t(d), d) += de.row(Eigen::Index(i)) * scale;
        if (e.pos)
            MMap<S>(g->data(e.stack + ".pos.weight") + size_t(c.positionOffset) * size_t(d), de.rows(), d) += de;
        if (e.types && input) {
            S* types = g->data(e.stack + ".type.weight");
            for (size_t i = 0; i < t.ids.size(); ++i) {
                const int ty = i < t.types.size() ? t.types[i] : 0;
                MRow<S>(types + size_t(ty) * size_t(d), d) += de.row(Eigen::Index(i));
            }
        }
    }

    Mask paddingMask(const std::vector<int>& ids) const
    {
        Mask m;
        const int pad = model->sourceTokenizer.vocab().special(SpecialRole::Pad);
        if (pad < 0) return m;
        bool any = false;
        m.pad.resize(ids.size());
        for (size_t i = 0; i < ids.size(); ++i) any |= (m.pad[i] = ids[i] == pad);
        if (!any) m.pad.clear();
        return m;
    }

    void stackForward(const std::vector<Layer>& layers, const Norm& finalNorm, M& x, const M* memory,
                      const Mask& selfMask, const Mask& crossMask, StackTape& t) const
    {
        t.layers.resize(layers.size());
        for (size_t i = 0; i < layers.size(); ++i) layerForward(layers[i], x, memory, selfMask, crossMask, t.layers[i]);
        if (c.finalNorm) {
            M y;
            normForward(finalNorm, x, y, t.finalNorm);
            x = std::move(y);
        }
    }

    void stackBackward(const std::vector<Layer>& layers, const Norm& finalNorm, const StackTape& t, M& dx,
                       M* dMemory, GradientsT<S>* g) const
    {
        if (c.finalNorm) {
            M d0;
            normBackward(finalNorm, t.finalNorm, dx, d0, g);
            dx = std::move(d0);
        }
        for (size_t i = layers.size(); i-- > 0;) layerBackward(layers[i], t.layers[i], dx, dMemory, g);
    }

    GradResultT<S> run(const GradInput& in, const Loss& loss, const GradOptions& opt) const
    {
        const int d = c.dModel;
        GradResultT<S> r;
        GradientsT<S>* g = nullptr;
        if (opt.weightGradients) {
            r.weights = GradientsT<S>(model->weights);
            g = &r.weights;
        }
        const bool encdec = c.type == ArchType::EncoderDecoder;
        const Embeddings& inputEmbed = c.hasEncoder() ? encEmbed : decEmbed;
        StackTape encTape, decTape;
        StackTape& inTape = c.hasEncoder() ? encTape : decTape;
        // The input stack's x0.
        if (in.embedded || in.embeddedDouble) {
            const Eigen::Index rows = in.embeddedDouble ? in.embeddedDouble->rows() : in.embedded->rows();
            const Eigen::Index cols = in.embeddedDouble ? in.embeddedDouble->cols() : in.embedded->cols();
            if (cols != d || rows < 1 || rows > c.maxLen)
                throw UsageError("gradients: embeddings must be (T, " + std::to_string(d) + ") with 1 <= T <= " +
                                 std::to_string(c.maxLen));
            if (in.embeddedDouble)
                inTape.x0 = in.embeddedDouble->template cast<S>();
            else
                inTape.x0 = in.embedded->template cast<S>();
            inTape.embedded = true;
            if (!in.source.empty() && in.source.size() != size_t(rows))
                throw UsageError("gradients: the source ids and the embeddings differ in length");
        } else {
            checkIds(in.source, inputEmbed.rows, encdec ? "source" : "input");
            if (!in.sourceTypes.empty()) {
                if (in.sourceTypes.size() != in.source.size())
                    throw UsageError("gradients: one token type per source token");
                for (int ty : in.sourceTypes)
                    if (ty < 0 || ty >= std::max(1, c.typeVocab)) throw UsageError("gradients: token type out of range");
            }
            inTape.ids = in.source;
            inTape.types = in.sourceTypes;
            embedForward(inputEmbed, in.source, in.sourceTypes, true, inTape.x0, &inTape);
        }
        r.inputEmbedding = inTape.x0;
        const Mask sourceMask = in.source.empty() ? Mask{} : paddingMask(in.source);
        M top, memory;
        if (c.type == ArchType::Encoder) {
            top = inTape.x0;
            stackForward(encLayers, encNorm, top, nullptr, sourceMask, {}, encTape);
        } else if (c.type == ArchType::Decoder) {
            top = inTape.x0;
            Mask causal;
            causal.causal = true;
            stackForward(decLayers, decNorm, top, nullptr, causal, {}, decTape);
        } else {
            memory = encTape.x0;
            stackForward(encLayers, encNorm, memory, nullptr, sourceMask, {}, encTape);
            checkIds(in.target, decEmbed.rows, "target");
            decTape.ids = in.target;
            embedForward(decEmbed, in.target, {}, false, top, &decTape);
            Mask causal;
            causal.causal = true;
            stackForward(decLayers, decNorm, top, &memory, causal, sourceMask, decTape);
        }
        const Eigen::Index T = top.rows();
        if (!in.target.empty() && !encdec) throw UsageError("gradients: a target is only for encoder-decoder models");
        if (loss.terms.empty()) throw UsageError("gradients: the loss has no terms");
        // Only the rows the loss reads go through the output head.
        for (const LossTerm& term : loss.terms) {
            if (term.position < 0 || term.position >= T)
                throw UsageError("gradients: position " + std::to_string(term.position) + " is outside the sequence (0 … " +
                                 std::to_string(T - 1) + ")");
            if (term.token < 0 || term.token >= outVocab)
                throw UsageError("gradients: token " + std::to_string(term.token) + " is outside the output vocabulary (0 … " +
                                 std::to_string(outVocab - 1) + ")");
            r.logitRows.push_back(term.position);
        }
        std::sort(r.logitRows.begin(), r.logitRows.end());
        r.logitRows.erase(std::unique(r.logitRows.begin(), r.logitRows.end()), r.logitRows.end());
        const Eigen::Index R = Eigen::Index(r.logitRows.size());
        M rowsIn(R, d);
        for (Eigen::Index i = 0; i < R; ++i) rowsIn.row(i) = top.row(r.logitRows[size_t(i)]);
        // BERT's head transform: z = x·Wtᵀ + bt, a = act(z), n = LN(a).
        M z, act, actGrad, headIn;
        NormTape tnTape;
        if (c.headTransform) {
            linearForward(transform, rowsIn, z);
            activateAll(c.transformActivation(), z, act, actGrad);
            normForward(transformNorm, act, headIn, tnTape);
        } else {
            headIn = rowsIn;
        }
        const Linear headLinear{head, headBias, "", outVocab, d};
        linearForward(headLinear, headIn, r.logits);
        // The loss and ∂loss/∂logits.
        M dlogits = M::Zero(R, outVocab);
        double total = 0.0;
        for (const LossTerm& term : loss.terms) {
            const Eigen::Index row = Eigen::Index(std::lower_bound(r.logitRows.begin(), r.logitRows.end(), term.position) -
                                                  r.logitRows.begin());
            if (loss.kind == LossKind::Logit) {
                total += term.weight * double(r.logits(row, term.token));
                dlogits(row, term.token) += S(term.weight);
            } else {
                // Stable log-softmax: subtract the row maximum before exp.
                // (In double: a loss near 0 is a difference of nearly equal terms.)
                const Eigen::Array<double, 1, Eigen::Dynamic> lr = r.logits.row(row).array().template cast<double>();
                const double mx = lr.maxCoeff();
                const Eigen::Array<double, 1, Eigen::Dynamic> ex = (lr - mx).exp();
                const double sum = ex.sum();
                total += term.weight * (std::log(sum) + mx - lr(term.token));
                dlogits.row(row).array() += (term.weight * ex / sum).template cast<S>();
                dlogits(row, term.token) -= S(term.weight);
            }
        }
        r.loss = total;
        // Backward through the head.
        M dHeadIn;
        dHeadIn.noalias() = dlogits * CMap<S>(head, outVocab, d);
        if (g) {
            MMap<S>(g->data(headName), outVocab, d).noalias() += dlogits.transpose() * headIn;
            if (headBias) MRow<S>(g->data("lm_head.bias"), outVocab) += dlogits.colwise().sum();
        }
        M dRows;
        if (c.headTransform) {
            M dact;
            normBackward(transformNorm, tnTape, dHeadIn, dact, g);
            const M dz = dact.cwiseProduct(actGrad);
            linearBackward(transform, rowsIn, dz, &dRows, false, g);
        } else {
            dRows = std::move(dHeadIn);
        }
        M dtop = M::Zero(T, d);
        for (Eigen::Index i = 0; i < R; ++i) dtop.row(r.logitRows[size_t(i)]) += dRows.row(i);
        // Backward through the stacks.
        if (c.type == ArchType::Encoder) {
            stackBackward(encLayers, encNorm, encTape, dtop, nullptr, g);
            r.inputGradient = std::move(dtop);
        } else if (c.type == ArchType::Decoder) {
            stackBackward(decLayers, decNorm, decTape, dtop, nullptr, g);
            r.inputGradient = std::move(dtop);
        } else {
            M dMemory = M::Zero(memory.rows(), d);
            stackBackward(decLayers, decNorm, decTape, dtop, &dMemory, g);
            embedBackward(decEmbed, decTape, dtop, false, g);
            stackBackward(encLayers, encNorm, encTape, dMemory, nullptr, g);
            r.inputGradient = std::move(dMemory);
        }
        if (!inTape.embedded) embedBackward(inputEmbed, inTape, r.inputGradient, true, g);
        return r;
    }
};

template <class S>
Backprop<S>::Backprop(std::shared_ptr<const Model> model) : m_impl(std::make_unique<Impl>(std::move(model)))
{
}

template <class S>
Backprop<S>::~Backprop() = default;

template <class S>
Backprop<S>::Backprop(Backprop&&) noexcept = default;

template <class S>
const Model& Backprop<S>::model() const
{
    return *m_impl->model;
}

template <class S>
GradResultT<S> Backprop<S>::run(const GradInput& input, const Loss& loss, const GradOptions& options) const
{
    return m_impl->run(input, loss, options);
}

template <class S>
MatrixT<S> Backprop<S>::embed(const std::vector<int>& ids, const std::vector<int>& types) const
{
    const Impl& m = *m_impl;
    const auto& e = m.c.hasEncoder() ? m.encEmbed : m.decEmbed;
    m.checkIds(ids, e.rows, "input");
    MatrixT<S> x0;
    m.embedForward(e, ids, types, true, x0, nullptr);
    return x0;
}

template <class S>
S* Backprop<S>::mutableParameter(const std::string& name)
{
    if constexpr (std::is_same_v<S, float>) {
        (void)name;
        return nullptr;
    } else {
        auto it = m_impl->params.find(name);
        return it == m_impl->params.end() ? nullptr : const_cast<S*>(it->second);
    }
}

template class GradientsT<float>;
template class GradientsT<double>;
template class Backprop<float>;
template class Backprop<double>;

} // namespace attnscope::grad
