// Forward pass. Every Linear is y = x·Wᵀ + b with W stored [out, in] (PyTorch layout), so
// the weight block is used in place as a row-major map and transposed lazily inside GEMM.
#include "core/transformer.h"

#include "core/errors.h"
#include "core/gemm.h"
#include "core/row_ops.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace attnscope {

namespace {

// Weights with at most this many elements (256 KB: d_model 256, or 128 × 512) get a transposed
// copy at construction, so that their products run gemm.h's register kernel: the tiny model's
// Linear layers reach ~95 GFLOP/s there against ~75 for Eigen's GEMM with its packing. Larger
// weights (GPT-2's) go to the BLAS in place: no copy, a memory-mapped model stays zero-copy.
constexpr size_t kTransposeLimit = size_t(1) << 16;

// x row r += the sinusoidal position table's row first + r (computed in double, added as float).
void addSinusoidalPositions(Eigen::Ref<MatrixRM> x, Eigen::Index first = 0)
{
    const Eigen::Index t = x.rows();
    const int d = static_cast<int>(x.cols());
    for (Eigen::Index r = 0; r < t; ++r) {
        const double pos = static_cast<double>(first + r);
        for (int i = 0; i < d; i += 2) {
            const double angle = pos / std::pow(10000.0, static_cast<double>(i) / d);
            x(r, i) += static_cast<float>(std::sin(angle));
            if (i + 1 < d) x(r, i + 1) += static_cast<float>(std::cos(angle));
        }
    }
}

PostOp postOpFor(Activation a)
{
    switch (a) {
    case Activation::Relu: return PostOp::Relu;
    case Activation::Gelu: return PostOp::Gelu;
    case Activation::GeluTanh: return PostOp::GeluTanh;
    case Activation::Silu: return PostOp::None; // applied after the product (applySilu)
    }
    return PostOp::None;
}

// x ← x·σ(x), element-wise (SiLU, as torch: x / (1 + e^−x)).
void applySilu(Eigen::Ref<MatrixRM> x)
{
    x.array() = x.array() / (1.0f + (-x.array()).exp());
}

} // namespace

MatrixRM sinusoidalPositions(int t, int d)
{
    MatrixRM pe = MatrixRM::Zero(t, d);
    addSinusoidalPositions(pe);
    return pe;
}

Transformer::Transformer(std::shared_ptr<const Model> model) : m_model(std::move(model))
{
    const Model& m = *m_model;
    const ModelConfig& c = m.config;
    const Weights& w = m.weights;
    auto opt = [&w](const std::string& name) -> const float* { return w.has(name) ? w.data(name) : nullptr; };
    auto attn = [&](const std::string& p) {
        AttentionWeights a;
        a.wq = w.data(p + ".q_proj.weight"); a.bq = opt(p + ".q_proj.bias");
        a.wk = w.data(p + ".k_proj.weight"); a.bk = opt(p + ".k_proj.bias");
        a.wv = w.data(p + ".v_proj.weight"); a.bv = opt(p + ".v_proj.bias");
        a.wo = w.data(p + ".out_proj.weight"); a.bo = opt(p + ".out_proj.bias");
        a.kvHeads = c.kvHeads();
        a.rotaryDims = c.rotaryDims();
        a.ropeTheta = c.ropeTheta;
        a.ropeScale = c.ropeScale;
        // No packed Q|K|V copy: three GEMMs on the weights in place are as fast on the GPT-2 shape
        // (docs/performance.md, "Large models") and keep a memory-mapped model zero-copy.
        return a;
    };
    auto norm = [&](const std::string& p) {
        return Norm{w.data(p + ".weight"), c.normKind == NormKind::RmsNorm ? nullptr : w.data(p + ".bias")};
    };
    auto layer = [&](const std::string& p, bool cross) {
        Layer l;
        l.selfAttn = attn(p + ".self_attn");
        l.hasCross = cross;
        if (cross) l.crossAttn = attn(p + ".multihead_attn");
        l.linear1 = {w.data(p + ".linear1.weight"), opt(p + ".linear1.bias"), c.dFf, c.dModel};
        if (c.gatedFfn) l.gate = {w.data(p + ".gate_proj.weight"), opt(p + ".gate_proj.bias"), c.dFf, c.dModel};
        l.linear2 = {w.data(p + ".linear2.weight"), opt(p + ".linear2.bias"), c.dModel, c.dFf};
        l.norm1 = norm(p + ".norm1");
        l.norm2 = norm(p + ".norm2");
        if (cross) l.norm3 = norm(p + ".norm3");
        return l;
    };
    for (int i = 0; i < c.encoderLayers; ++i) m_encoderLayers.push_back(layer("encoder.layers." + std::to_string(i), false));
    for (int i = 0; i < c.decoderLayers; ++i)
        m_decoderLayers.push_back(layer("decoder.layers." + std::to_string(i), c.hasCrossAttention()));
    auto embeddings = [&](const std::string& stack) {
        Embeddings e;
        e.table = opt(stack + ".embed.weight");
        e.pos = opt(stack + ".pos.weight");
        e.types = opt(stack + ".type.weight");
        if (c.embedNorm && e.table) e.norm = norm(stack + ".embed_norm");
        return e;
    };
    m_encoderEmbed = embeddings("encoder");
    m_decoderEmbed = embeddings("decoder");
    if (c.finalNorm) {
        if (c.hasEncoder()) m_encoderNorm = norm("encoder.norm");
        if (c.hasDecoder()) m_decoderNorm = norm("decoder.norm");
    }
    if (c.lmHead && c.headTransform) {
        m_headTransform = {w.data("lm_head.transform.weight"), w.data("lm_head.transform.bias"), c.dModel, c.dModel};
        m_headTransformNorm = norm("lm_head.transform_norm");
    }
    if (c.lmHead)
        m_head = c.tiedOutput ? (c.hasDecoder() ? m_decoderEmbed.table : m_encoderEmbed.table) : w.data("lm_head.weight");
    m_headBias = opt("lm_head.bias");
    // The output size is the head's: a checkpoint's embedding may have more rows than its
    // tokenizer has tokens (padded vocabularies); topK() names such ids by number.
    m_outVocab = !c.lmHead ? 0
                 : c.tiedOutput
                     ? static_cast<int>(w.entry(c.hasDecoder() ? "decoder.embed.weight" : "encoder.embed.weight").shape[0])
                     : static_cast<int>(w.entry("lm_head.weight").shape[0]);

    // Wᵀ copies of the small weights (kTransposeLimit), all in one block, rows padded.
    struct Copy {
        const float** dst;
        Eigen::Index* stride;
        const float* src;
        int rows, cols; // of W
    };
    std::vector<Copy> copies;
    auto want = [&copies](const float*& dst, Eigen::Index& stride, const float* src, int rows, int cols) {
        if (src && size_t(rows) * size_t(cols) <= kTransposeLimit) copies.push_back({&dst, &stride, src, rows, cols});
    };
    auto wantAttention = [&](AttentionWeights& a) {
        if (c.kvDim() != c.dModel) return; // one stride serves the four copies: only for square K, V
        want(a.wqT, a.tStride, a.wq, c.dModel, c.dModel);
        want(a.wkT, a.tStride, a.wk, c.dModel, c.dModel);
        want(a.wvT, a.tStride, a.wv, c.dModel, c.dModel);
        want(a.woT, a.tStride, a.wo, c.dModel, c.dModel);
    };
    for (std::vector<Layer>* stack : {&m_encoderLayers, &m_decoderLayers})
        for (Layer& l : *stack) {
            wantAttention(l.selfAttn);
            if (l.hasCross) wantAttention(l.crossAttn);
            want(l.linear1.wt, l.linear1.wtStride, l.linear1.w, l.linear1.out, l.linear1.in);
            if (l.gate.w) want(l.gate.wt, l.gate.wtStride, l.gate.w, l.gate.out, l.gate.in);
            want(l.linear2.wt, l.linear2.wtStride, l.linear2.w, l.linear2.out, l.linear2.in);
        }
    if (c.lmHead && c.headTransform)
        want(m_headTransform.wt, m_headTransform.wtStride, m_headTransform.w, m_headTransform.out, m_headTransform.in);
    if (m_head) want(m_headT, m_headTStride, m_head, m_outVocab, c.dModel);
    size_t total = 0;
    for (const Copy& copy : copies) total += size_t(copy.cols) * size_t(paddedStride(copy.rows));
    std::shared_ptr<float> block(allocateAlignedFloats(total).release(), AlignedFloatsDeleter());
    size_t offset = 0;
    for (const Copy& copy : copies) {
        float* dst = block.get() + offset;
        const Eigen::Index stride = paddedStride(copy.rows);
        StridedMatrixMap(dst, copy.cols, copy.rows, Eigen::OuterStride<>(stride)) =
            ConstMatrixMap(copy.src, copy.rows, copy.cols).transpose();
        *copy.dst = dst;
        *copy.stride = stride;
        offset += size_t(copy.cols) * size_t(stride);
    }
    m_transposed = std::move(block);
}

void Transformer::embed(const Embeddings& e, const int* ids, Eigen::Index n, Eigen::Index first, const int* types,
                        MatrixRM& x) const
{
    const ModelConfig& c = m_model->config;
    const int d = c.dModel;
    const float scale = c.scaleEmbeddings ? std::sqrt(static_cast<float>(d)) : 1.0f;
    x.resize(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        x.row(i) = ConstRowVectorMap(e.table + static_cast<size_t>(ids[i]) * size_t(d), d) * scale;
    if (e.pos)
        x += ConstMatrixMap(e.pos + size_t(first + c.positionOffset) * size_t(d), n, d);
    else if (c.positional == Positional::Sinusoidal)
        addSinusoidalPositions(x, first);
    // Rotary positions are applied to q and k inside attention, not to the embeddings.
    if (e.types)
        for (Eigen::Index i = 0; i < n; ++i)
            x.row(i) += ConstRowVectorMap(e.types + size_t(types ? types[i] : 0) * size_t(d), d);
    if (e.norm.gamma) layerNormInto(e.norm, x, x);
}

void Transformer::outputHead(const Eigen::Ref<const MatrixRM>& top, Eigen::Ref<MatrixRM> logits, MatrixRM& scratch) const
{
    if (!m_model->config.headTransform) {
        linearInto(top, m_head, m_headBias, logits, m_headT, m_headTStride);
        return;
    }
    const Linear& t = m_headTransform;
    scratch.resize(top.rows(), t.out);
    linearInto(top, t.w, t.b, scratch, t.wt, t.wtStride, false, postOpFor(m_model->config.transformActivation()));
    layerNormInto(m_headTransformNorm, scratch, scratch);
    linearInto(scratch, m_head, m_headBias, logits, m_headT, m_headTStride);
}

void Transformer::layerNorm(const Norm& n, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const
{
    out.resize(x.rows(), x.cols());
    layerNormInto(n, x, out);
}

void Transformer::layerNormInto(const Norm& n, const Eigen::Ref<const MatrixRM>& x, Eigen::Ref<MatrixRM> out) const
{
    if (!n.beta)
        rmsNormRows(x, n.gamma, m_model->config.layerNormEps, out); // RMSNorm: weight only
    else
        layerNormRows(x, n.gamma, n.beta, m_model->config.layerNormEps, out); // row_ops.h
}

void Transformer::linear(const Linear& l, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out)
{
    out.resize(x.rows(), l.out);
    linearInto(x, l.w, l.b, out, l.wt, l.wtStride); // gemm.h: register kernel, OpenBLAS or Eigen
}

void Transformer::feedForward(const Layer& l, const Eigen::Ref<const MatrixRM>& x, MatrixRM& out) const
{
    ScratchBuffer hidden, gate;
    out.resize(x.rows(), l.linear2.out);
    feedForwardInto(l, x, out, hidden, false, &gate);
}

void Transformer::feedForwardInto(const Layer& l, const Eigen::Ref<const MatrixRM>& x, Eigen::Ref<MatrixRM> out,
                                  ScratchBuffer& hiddenBuffer, bool accumulate, ScratchBuffer* gateBuffer) const
{
    StridedMatrixMap hidden = hiddenBuffer.matrix(x.rows(), l.linear1.out); // (T, d_ff)
    const Activation activation = m_model->config.activation;
    if (l.gate.w) {
        // SwiGLU: act(x·Gᵀ) ⊙ (x·Uᵀ), then the down projection.
        ScratchBuffer local;
        StridedMatrixMap gate = (gateBuffer ? *gateBuffer : local).matrix(x.rows(), l.gate.out);
        linearInto(x, l.gate.w, l.gate.b, gate, l.gate.wt, l.gate.wtStride, false, postOpFor(activation));
        if (activation == Activation::Silu) applySilu(gate);
        linearInto(x, l.linear1.w, l.linear1.b, hidden, l.linear1.wt, l.linear1.wtStride);
        hidden.array() *= gate.array();
        linearInto(hidden, l.linear2.w, l.linear2.b, out, l.linear2.wt, l.linear2.wtStride, accumulate);
        return;
    }
    // The activation (ReLU, or torch's exact GELU x·Φ(x)) is applied to each panel of the product
    // while it is in L1 (gemm.cpp).
    const PostOp act = postOpFor(activation);
    linearInto(x, l.linear1.w, l.linear1.b, hidden, l.linear1.wt, l.linear1.wtStride, false, act);
    if (activation == Activation::Silu) applySilu(hidden);
    linearInto(hidden, l.linear2.w, l.linear2.b, out, l.linear2.wt, l.linear2.wtStride, accumulate);
}

void Transformer::runLayer(const Layer& l, MatrixRM& x, const MatrixRM* memory, const AttentionMask& selfMask,
                           const AttentionMask& crossMask, Capture capture, LayerTrace* selfTrace,
                           LayerTrace* crossTrace, int& maskedRows, LayerOverrides ov, Workspace& ws,
                           LayerCache* cache) const
{
    KvCache* selfCache = cache ? &cache->self : nullptr;
    KvCache* crossCache = cache ? &cache->cross : nullptr;
    const ModelConfig& c = m_model->config;
    const int heads = c.nHeads;
    const Eigen::Index t = x.rows(), d = x.cols();
    AttentionScratch& as = ws.attention;
    const Norm& ffNorm = l.hasCross ? l.norm3 : l.norm2;
    if (c.parallelResidual) {
        // x += attn(LN1(x)) + FFN(LN2(x)) (GPT-NeoX): both norms read the same x. The observer's
        // SelfAttention event then shows x + attn, not a state the next sub-block reads.
        StridedMatrixMap normed = ws.normed.matrix(t, d);
        StridedMatrixMap normed2 = ws.sub.matrix(t, d);
        layerNormInto(l.norm1, x, normed);
        layerNormInto(l.norm2, x, normed2);
        maskedRows += multiHeadAttention(normed, normed, l.selfAttn, heads, selfMask, capture, selfTrace, x, ov.self,
                                         as, true, selfCache);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::SelfAttention, x);
        feedForwardInto(l, normed2, x, ws.hidden, true, &ws.gate);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::FeedForward, x);
    } else if (c.norm == NormPosition::Pre) {
        // x += f(LN(x)): each sub-block's last product adds its output into x (accumulate), so
        // the residual costs no pass of its own.
        StridedMatrixMap normed = ws.normed.matrix(t, d);
        layerNormInto(l.norm1, x, normed);
        maskedRows += multiHeadAttention(normed, normed, l.selfAttn, heads, selfMask, capture, selfTrace, x, ov.self,
                                         as, true, selfCache);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::SelfAttention, x);
        if (l.hasCross) {
            layerNormInto(l.norm2, x, normed);
            maskedRows += multiHeadAttention(normed, *memory, l.crossAttn, heads, crossMask, capture, crossTrace, x,
                                             ov.cross, as, true, crossCache);
            if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::CrossAttention, x);
        }
        layerNormInto(ffNorm, x, normed);
        feedForwardInto(l, normed, x, ws.hidden, true, &ws.gate);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::FeedForward, x);
    } else {
        // x = LN(x + f(x))
        StridedMatrixMap sub = ws.sub.matrix(t, d);
        maskedRows +=
            multiHeadAttention(x, x, l.selfAttn, heads, selfMask, capture, selfTrace, sub, ov.self, as, false, selfCache);
        sub += x;
        layerNormInto(l.norm1, sub, x);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::SelfAttention, x);
        if (l.hasCross) {
            maskedRows += multiHeadAttention(x, *memory, l.crossAttn, heads, crossMask, capture, crossTrace, sub,
                                             ov.cross, as, false, crossCache);
            sub += x;
            layerNormInto(l.norm2, sub, x);
            if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::CrossAttention, x);
        }
        feedForwardInto(l, x, sub, ws.hidden, false, &ws.gate);
        sub += x;
        layerNormInto(ffNorm, sub, x);
        if (ws.observer) ws.observer->residual(ws.stack, ws.layer, Sublayer::FeedForward, x);
    }
}

AttentionMask Transformer::paddingMask(const std::vector<int>& ids, int padId) const
{
    AttentionMask mask;
    if (padId < 0) return mask;
    bool any = false;
    std::vector<bool> flags(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) any |= (flags[i] = ids[i] == padId);
    if (any) mask.keyPadding = std::move(flags);
    return mask;
}

const HeadOverrides* Transformer::overridesFor(const HeadAblation* ablation, Stack stack, int layer,
                                               HeadOverrides& storage) const
{
    if (!ablation || ablation->empty()) return nullptr;
    const int heads = m_model->config.nHeads;
    storage.assign(size_t(heads), nullptr);
    bool any = false;
    for (int h = 0; h < heads; ++h) {
        const RowVector* r = ablation->find(stack, layer, h);
        if (r && r->size() == m_model->config.dHead()) {
            storage[size_t(h)] = r;
            any = true;
        }
    }
    return any ? &storage : nullptr;
}

void Transformer::encode(const std::vector<int>& source, Capture capture, Trace* trace, MatrixRM& memory,
                         int& maskedRows, const HeadAblation* ablation, Workspace* ws,
                         const std::vector<int>* types, const MatrixRM* embedded) const
{
    Workspace local;
    if (!ws) ws = &local;
    const int* typeIds = types && types->size() == source.size() ? types->data() : nullptr;
    if (embedded)
        memory = *embedded;
    else
        embed(m_encoderEmbed, source.data(), Eigen::Index(source.size()), 0, typeIds, memory);
    ws->stack = Stack::Encoder;
    if (ws->observer) ws->observer->embedded(Stack::Encoder, memory);
    const AttentionMask mask = paddingMask(source, m_model->sourceTokenizer.vocab().special(SpecialRole::Pad));
    if (trace && capture != Capture::None) trace->encoder.resize(m_encoderLayers.size());
    if (trace && capture == Capture::Compact) {
        trace->compact = true;
        trace->sourcePadding = mask.keyPadding;
    }
    HeadOverrides storage; // reused by every layer
    for (size_t i = 0; i < m_encoderLayers.size(); ++i) {
        LayerTrace* lt = (trace && capture != Capture::None) ? &trace->encoder[i] : nullptr;
        const LayerOverrides ov{overridesFor(ablation, Stack::Encoder, int(i), storage), nullptr};
        ws->layer = int(i);
        runLayer(m_encoderLayers[i], memory, nullptr, mask, {}, capture, lt, nullptr, maskedRows, ov, *ws);
    }
    if (m_model->config.finalNorm) layerNormInto(m_encoderNorm, memory, memory);
    if (ws->observer) ws->observer->stackOutput(Stack::Encoder, memory);
}

void Transformer::decode(const std::vector<int>& target, const MatrixRM* memory, const std::vector<int>* source,
                         Capture capture, Trace* trace, MatrixRM& hidden, int& maskedRows,
                         const HeadAblation* ablation, Workspace* ws, const std::vector<int>* types,
                         const MatrixRM* embedded) const
{
    Workspace local;
    if (!ws) ws = &local;
    const ModelConfig& c = m_model->config;
    const int* typeIds = types && types->size() == target.size() ? types->data() : nullptr;
    if (embedded)
        hidden = *embedded;
    else
        embed(m_decoderEmbed, target.data(), Eigen::Index(target.size()), 0, typeIds, hidden);
    ws->stack = Stack::Decoder;
    if (ws->observer) ws->observer->embedded(Stack::Decoder, hidden);
    AttentionMask selfMask;
    selfMask.causal = true;
    AttentionMask crossMask;
    if (memory && source)
        crossMask = paddingMask(*source, m_model->sourceTokenizer.vocab().special(SpecialRole::Pad));
    const bool record = trace && capture != Capture::None;
    if (record) {
        trace->causalDecoder = true;
        trace->compact = capture == Capture::Compact;
        trace->decoder.resize(m_decoderLayers.size());
        if (c.hasCrossAttention()) trace->cross.resize(m_decoderLayers.size());
    }
    HeadOverrides selfStorage, crossStorage; // reused by every layer
    for (size_t i = 0; i < m_decoderLayers.size(); ++i) {
        LayerTrace* st = record ? &trace->decoder[i] : nullptr;
        LayerTrace* ct = record && c.hasCrossAttention() ? &trace->cross[i] : nullptr;
        const LayerOverrides ov{overridesFor(ablation, Stack::Decoder, int(i), selfStorage),
                                overridesFor(ablation, Stack::Cross, int(i), crossStorage)};
        ws->layer = int(i);
        runLayer(m_decoderLayers[i], hidden, memory, selfMask, crossMask, capture, st, ct, maskedRows, ov, *ws);
    }
    if (c.finalNorm) layerNormInto(m_decoderNorm, hidden, hidden);
    if (ws->observer) ws->observer->stackOutput(Stack::Decoder, hidden);
}

namespace {

// Readies a trace that a previous forward pass filled for the next one (forwardInto): keeps the
// storage of what `capture` records and frees the rest, and drops the stacks this model does not
// produce, so the trace ends up as a fresh forward pass would leave it.
void resetTraceFor(Trace& trace, Capture capture, const ModelConfig& c)
{
    trace.causalDecoder = false;
    trace.compact = false;
    trace.memory.resize(0, 0);
    trace.sourcePadding.clear();
    if (capture == Capture::None) {
        trace.encoder.clear();
        trace.decoder.clear();
        trace.cross.clear();
        return;
    }
    if (c.type == ArchType::Decoder) trace.encoder.clear();
    if (c.type == ArchType::Encoder) trace.decoder.clear();
    if (!c.hasCrossAttention()) trace.cross.clear();
    const bool full = capture == Capture::Full;
    const bool compact = capture == Capture::Compact;
    for (std::vector<LayerTrace>* stack : {&trace.encoder, &trace.decoder, &trace.cross})
        for (LayerTrace& layer : *stack) {
            if (!compact) layer.input.resize(0, 0);
            for (HeadTrace& h : layer.heads) {
                if (compact) h.weights.resize(0, 0);
                if (!full) {
                    h.q.resize(0, 0);
                    h.k.resize(0, 0);
                    h.v.resize(0, 0);
                    h.scores.resize(0, 0);
                    h.output.resize(0, 0);
                }
                if (!compact) h.thumbnail.resize(0, 0);
            }
        }
}

} // namespace

ForwardResult Transformer::forward(const std::vector<int>& source, const std::vector<int>& target,
                                   Capture capture, const HeadAblation* ablation, int firstLogitRow,
                                   const std::vector<int>* sourceTypes) const
{
    ForwardResult r;
    forwardInto(r, source, target, capture, ablation, firstLogitRow, sourceTypes);
    return r;
}

ForwardResult Transformer::forward(const std::vector<int>& source, const std::vector<int>& target, Capture capture,
                                   const ForwardOptions& options) const
{
    ForwardResult r;
    forwardInto(r, source, target, capture, options);
    return r;
}

void Transformer::forwardInto(ForwardResult& r, const std::vector<int>& source, const std::vector<int>& target,
                              Capture capture, const HeadAblation* ablation, int firstLogitRow,
                              const std::vector<int>* sourceTypes) const
{
    ForwardOptions options;
    options.ablation = ablation;
    options.firstLogitRow = firstLogitRow;
    options.sourceTypes = sourceTypes;
    forwardInto(r, source, target, capture, options);
}

void Transformer::forwardInto(ForwardResult& r, const std::vector<int>& source, const std::vector<int>& target,
                              Capture capture, const ForwardOptions& options) const
{
    const HeadAblation* ablation = options.ablation;
    const int firstLogitRow = options.firstLogitRow;
    const std::vector<int>* sourceTypes = options.sourceTypes;
    const ModelConfig& c = m_model->config;
    r.maskedRows = 0;
    resetTraceFor(r.trace, capture, c);
    // This thread's scratch, kept for its next forward pass while it is small (a teaching model's
    // is a few hundred KB): a tiny forward then allocates only what it returns, ~1 µs of its
    // ~100. A long input's scratch (tens of MB for GPT-2 sizes at 2048 tokens) is freed at the
    // end as before. Per thread, so concurrent forwards on other threads are unaffected; a
    // forward pass never runs another on the same thread.
    constexpr size_t kKeepScratch = size_t(4) << 20;
    thread_local Workspace ws;
    struct Release {
        Workspace& ws;
        ~Release()
        {
            ws.observer = nullptr;
            if (ws.bytes() > kKeepScratch) ws.release();
        }
    } release{ws};
    ws.observer = options.observer;
    MatrixRM top; // (T, d) hidden states that feed the output head
    switch (c.type) {
    case ArchType::Encoder:
        encode(source, capture, &r.trace, top, r.maskedRows, ablation, &ws, sourceTypes);
        break;
    case ArchType::Decoder:
        decode(source, nullptr, nullptr, capture, &r.trace, top, r.maskedRows, ablation, &ws, sourceTypes);
        break;
    case ArchType::EncoderDecoder: {
        MatrixRM memory;
        encode(source, capture, &r.trace, memory, r.maskedRows, ablation, &ws, sourceTypes);
        decode(target, &memory, &source, capture, &r.trace, top, r.maskedRows, ablation, &ws);
        if (capture == Capture::Compact) r.trace.memory.swap(memory); // cross-attention keys/values
        break;
    }
    }
    const Eigen::Index skip = std::clamp<Eigen::Index>(firstLogitRow, 0, top.rows());
    r.logits.resize(top.rows() - skip, m_outVocab);
    if (!c.lmHead) {
        r.hidden = top.bottomRows(top.rows() - skip);
        return;
    }
    r.hidden.resize(0, 0);
    MatrixRM transformed;
    outputHead(top.bottomRows(top.rows() - skip), r.logits, transformed);
}

ForwardResult Transformer::forwardEmbedded(const MatrixRM& x0, Capture capture, const ForwardOptions& options) const
{
    const HeadAblation* ablation = options.ablation;
    const ModelConfig& c = m_model->config;
    if (c.type == ArchType::EncoderDecoder)
        throw UsageError("forwardEmbedded needs a single-stack model (encoder or decoder); this one is encoder-decoder");
    if (x0.cols() != c.dModel || x0.rows() < 1 || x0.rows() > c.maxLen)
        throw UsageError("forwardEmbedded: expected (T, " + std::to_string(c.dModel) + ") with 1 <= T <= " +
                         std::to_string(c.maxLen) + ", got (" + std::to_string(x0.rows()) + ", " +
                         std::to_string(x0.cols()) + ")");
    ForwardResult r;
    resetTraceFor(r.trace, capture, c);
    Workspace ws;
    ws.observer = options.observer;
    MatrixRM top;
    const std::vector<int> none;
    if (c.type == ArchType::Encoder)
        encode(none, capture, &r.trace, top, r.maskedRows, ablation, &ws, nullptr, &x0);
    else
        decode(none, nullptr, nullptr, capture, &r.trace, top, r.maskedRows, ablation, &ws, nullptr, &x0);
    r.logits.resize(top.rows(), m_outVocab);
    if (!c.lmHead) {
        r.hidden = std::move(top);
        return r;
    }
    MatrixRM transformed;
    outputHead(top, r.logits, transformed);
    return r;
}

MatrixRM Transformer::embedTokens(const std::vector<int>& ids, const std::vector<int>* types) const
{
    const ModelConfig& c = m_model->config;
    const Embeddings& e = c.hasEncoder() ? m_encoderEmbed : m_decoderEmbed;
    const int* typeIds = types && types->size() == ids.size() ? types->data() : nullptr;
    MatrixRM x;
    embed(e, ids.data(), Eigen::Index(ids.size()), 0, typeIds, x);
    return x;
}

MatrixRM Transformer::unembed(const Eigen::Ref<const MatrixRM>& residual, bool applyFinalNorm) const
{
    const ModelConfig& c = m_model->config;
    if (!c.lmHead) throw UsageError("this model has no output head");
    MatrixRM normed = residual;
    if (applyFinalNorm && c.finalNorm) layerNormInto(c.hasDecoder() ? m_decoderNorm : m_encoderNorm, normed, normed);
    MatrixRM logits(residual.rows(), m_outVocab), transformed;
    outputHead(normed, logits, transformed);
    return logits;
}

const AttentionWeights* Transformer::attentionWeights(Stack stack, int layer) const
{
    const std::vector<Layer>& layers = stack == Stack::Encoder ? m_encoderLayers : m_decoderLayers;
    if (layer < 0 || layer >= static_cast<int>(layers.size())) return nullptr;
    const Layer& l = layers[size_t(layer)];
    if (stack == Stack::Cross) return l.hasCross ? &l.crossAttn : nullptr;
    return &l.selfAttn;
}

} // namespace attnscope
