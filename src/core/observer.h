// What leaves the engine during a forward pass besides the trace: the residual stream at every
// sub-block boundary, for the logit lens, activation patching and attribution. The engine calls
// an observer it is given and knows nothing of who listens (gemma.cpp's pattern); passing none
// costs one pointer test per sub-block.
#pragma once

#include "core/tensor.h"
#include "core/trace.h"

namespace attnscope {

// Where in a layer the residual stream is observed: after the self-attention sub-block, after the
// cross-attention sub-block (encoder-decoder decoders), after the feed-forward sub-block (the
// layer's output). Post-norm layers are observed after their LayerNorm.
enum class Sublayer { SelfAttention, CrossAttention, FeedForward };

class ForwardObserver {
public:
    virtual ~ForwardObserver() = default;
    // x (T, d): the stack's input after the embedding step (token + position + type, norm).
    virtual void embedded(Stack /*stack*/, const Eigen::Ref<const MatrixRM>& /*x*/) {}
    // x (T, d): the residual stream of `layer` after `where`.
    virtual void residual(Stack /*stack*/, int /*layer*/, Sublayer /*where*/, const Eigen::Ref<const MatrixRM>& /*x*/) {}
    // x (T, d): the stack's output, after its final norm when it has one.
    virtual void stackOutput(Stack /*stack*/, const Eigen::Ref<const MatrixRM>& /*x*/) {}
};

// An observer that keeps copies of everything it is shown (tests, the logit lens).
class ResidualRecorder : public ForwardObserver {
public:
    struct Layer {
        MatrixRM afterSelf, afterCross, afterFeedForward;
    };
    struct StackRecord {
        MatrixRM embedded;
        std::vector<Layer> layers;
        MatrixRM output;
    };
    void embedded(Stack s, const Eigen::Ref<const MatrixRM>& x) override { record(s).embedded = x; }
    void residual(Stack s, int layer, Sublayer where, const Eigen::Ref<const MatrixRM>& x) override
    {
        StackRecord& r = record(s);
        if (r.layers.size() <= size_t(layer)) r.layers.resize(size_t(layer) + 1);
        Layer& l = r.layers[size_t(layer)];
        (where == Sublayer::SelfAttention ? l.afterSelf : where == Sublayer::CrossAttention ? l.afterCross
                                                                                             : l.afterFeedForward) = x;
    }
    void stackOutput(Stack s, const Eigen::Ref<const MatrixRM>& x) override { record(s).output = x; }

    const StackRecord& stack(Stack s) const { return m_stacks[int(s)]; }

private:
    StackRecord& record(Stack s) { return m_stacks[int(s)]; }
    StackRecord m_stacks[3];
};

} // namespace attnscope
