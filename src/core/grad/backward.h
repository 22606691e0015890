// Gradients of a scalar loss with respect to every weight of a model and to the input stack's
// embeddings, llm.c style: a plain forward pass that keeps the activations backward needs (the
// tape), then one backward step per block in reverse. Separate from Transformer's inference path,
// which stays allocation-free; this one allocates its tape per call. Checked against torch
// autograd in core.test_backward (tests/data/golden/grad/, tools/make_grad_goldens.py).
#pragma once

#include "core/model.h"
#include "core/tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::grad {

// One term of a loss: at logit row `position`, token `token`, weighted by `weight`.
struct LossTerm {
    int position = 0;
    int token = 0;
    double weight = 1.0;
};

// CrossEntropy: Σ weight · (−log softmax(logits[position])[token]).
// Logit:        Σ weight · logits[position][token] (the pre-softmax score; attribution's f).
enum class LossKind { CrossEntropy, Logit };

struct Loss {
    LossKind kind = LossKind::CrossEntropy;
    std::vector<LossTerm> terms;
};

// Teacher-forced language modelling on ids (T): mean over positions i < T − 1 of the cross-entropy
// of predicting ids[i + 1] at position i. Also the seq2seq loss when given the decoder input
// (bos + target) and `next` its shifted labels: Σ over i of CE(next[i] at i) / n (next.size() == T).
Loss languageModelLoss(const std::vector<int>& ids);
Loss seq2seqLoss(const std::vector<int>& labels);
// Masked LM: mean cross-entropy of labels[k] at positions[k].
Loss maskedLmLoss(const std::vector<int>& positions, const std::vector<int>& labels);
// The logit of `token` at `position`.
Loss logitLoss(int position, int token);

// Which inputs a gradient run sees: as Transformer::forward (ids within their vocabularies,
// lengths within max_len). `embedded`, when given (T, d), replaces the input stack's embedding
// output x0 (the encoder's for encoder and encoder-decoder models, the decoder's for decoder
// models), as Transformer::forwardEmbedded; `source` then only gives the padding mask (it may be
// empty: no mask). `sourceTypes` as ForwardOptions::sourceTypes.
struct GradInput {
    std::vector<int> source;
    std::vector<int> target;
    std::vector<int> sourceTypes;
    const MatrixRM* embedded = nullptr;
    // The same in double, read instead of `embedded` when given (the finite-difference test of
    // ∂loss/∂x0 in Backprop<double>).
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>* embeddedDouble = nullptr;
};

struct GradOptions {
    bool weightGradients = true; // false: only the input gradient (attribution; ~1/3 less work)
};

template <class S>
using MatrixT = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Gradients of every weight tensor, named and shaped as the model's weights, in one block.
template <class S>
class GradientsT {
public:
    struct Entry {
        size_t offset = 0;
        std::vector<int> shape;
        size_t size = 0;
    };
    GradientsT() = default;
    explicit GradientsT(const Weights& weights);
    bool has(const std::string& name) const { return m_entries.count(name) != 0; }
    const std::map<std::string, Entry>& entries() const { return m_entries; }
    S* data(const std::string& name) { return m_data.data() + m_entries.at(name).offset; }
    const S* data(const std::string& name) const { return m_data.data() + m_entries.at(name).offset; }
    size_t size(const std::string& name) const { return m_entries.at(name).size; }
    void setZero() { std::fill(m_data.begin(), m_data.end(), S(0)); }
    bool empty() const { return m_data.empty(); }

private:
    std::vector<S> m_data;
    std::map<std::string, Entry> m_entries;
};

template <class S>
struct GradResultT {
    double loss = 0.0;
    std::vector<int> logitRows;   // the logit rows the loss reads, ascending
    MatrixT<S> logits;            // (logitRows.size(), V) those rows' logits
    MatrixT<S> inputEmbedding;    // (T, d) x0: the input stack's embedding output
    MatrixT<S> inputGradient;     // (T, d) ∂loss/∂x0
    GradientsT<S> weights;        // ∂loss/∂W for every tensor (empty unless weightGradients)
};

// The forward pass with a tape and its backward, for one model, in float (S = float: the weights
// are read in place) or double (S = double: a converted copy; the finite-difference test).
// Stateless after construction and const: one Backprop may be used from several threads.
// Throws UsageError for what it does not support (a model without an output head) or bad input
// (positions or tokens out of range, wrong shapes).
template <class S>
class Backprop {
public:
    explicit Backprop(std::shared_ptr<const Model> model);
    ~Backprop();
    Backprop(Backprop&&) noexcept;
    Backprop(const Backprop&) = delete;
    Backprop& operator=(const Backprop&) = delete;

    const Model& model() const;
    GradResultT<S> run(const GradInput& input, const Loss& loss, const GradOptions& options = {}) const;
    // The input stack's embedding output x0 (T, d) for ids (and types), as run() computes it.
    MatrixT<S> embed(const std::vector<int>& ids, const std::vector<int>& types = {}) const;
    // S = double only: the weight copy, for finite differences (nullptr for float models).
    S* mutableParameter(const std::string& name);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

using Gradients = GradientsT<float>;
using GradResult = GradResultT<float>;

extern template class GradientsT<float>;
extern template class GradientsT<double>;
extern template class Backprop<float>;
extern template class Backprop<double>;

} // namespace attnscope::grad
