// See attribution.h and docs/attribution.md for the definitions.
#include "core/grad/attribution.h"

#include "core/errors.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace attnscope::grad {

const char* toString(AttributionMethod method)
{
    switch (method) {
    case AttributionMethod::Gradient: return "grad";
    case AttributionMethod::InputXGradient: return "ixg";
    case AttributionMethod::IntegratedGradients: return "ig";
    }
    return "";
}

const char* toString(AttributionBaseline baseline)
{
    return baseline == AttributionBaseline::Zero ? "zero" : "pad";
}

bool attributionMethodFromString(const std::string& name, AttributionMethod& method)
{
    for (AttributionMethod m :
         {AttributionMethod::Gradient, AttributionMethod::InputXGradient, AttributionMethod::IntegratedGradients})
        if (name == toString(m)) {
            method = m;
            return true;
        }
    return false;
}

bool attributionBaselineFromString(const std::string& name, AttributionBaseline& baseline)
{
    if (name == "zero") baseline = AttributionBaseline::Zero;
    else if (name == "pad") baseline = AttributionBaseline::Pad;
    else return false;
    return true;
}

int predictedToken(const Backprop<float>& backprop, const GradInput& input, int position)
{
    GradOptions opt;
    opt.weightGradients = false;
    const GradResult r = backprop.run(input, logitLoss(position, 0), opt);
    Eigen::Index best = 0;
    r.logits.row(0).maxCoeff(&best);
    return static_cast<int>(best);
}

AttributionResult attribute(const Backprop<float>& backprop, const GradInput& input, int position, int token,
                            const AttributionOptions& options)
{
    if (input.embedded) throw UsageError("attribute: give the input as ids, not embeddings");
    const Loss f = logitLoss(position, token);
    GradOptions opt;
    opt.weightGradients = false;
    const GradResult at = backprop.run(input, f, opt); // validates ids, position and token
    const MatrixRM& x = at.inputEmbedding;             // (T, d)
    const MatrixRM& g = at.inputGradient;              // (T, d) ∂f/∂x0
    AttributionResult r;
    r.method = options.method;
    r.position = position;
    r.token = token;
    r.f = at.loss;
    const Eigen::Index t = x.rows();
    r.scores.assign(size_t(t), 0.0);
    if (options.method == AttributionMethod::Gradient) {
        for (Eigen::Index i = 0; i < t; ++i) r.scores[size_t(i)] = g.row(i).template cast<double>().norm();
        return r;
    }
    if (options.method == AttributionMethod::InputXGradient) {
        for (Eigen::Index i = 0; i < t; ++i)
            r.scores[size_t(i)] = (x.row(i).template cast<double>().array() * g.row(i).template cast<double>().array()).sum();
        return r;
    }
    if (options.steps < 1 || options.steps > 4096)
        throw UsageError("attribute: steps must be in 1 … 4096, got " + std::to_string(options.steps));
    // Baseline x'.
    MatrixRM base = MatrixRM::Zero(t, x.cols());
    r.baseline = options.baseline;
    if (options.baseline == AttributionBaseline::Pad) {
        const Vocabulary& v = backprop.model().sourceTokenizer.vocab();
        int fill = v.special(SpecialRole::Pad);
        if (fill < 0) fill = v.special(SpecialRole::Mask);
        if (fill < 0) throw UsageError("attribute: the pad baseline needs a pad or mask token; this model has neither");
        r.baselineToken = fill;
        base = backprop.embed(std::vector<int>(size_t(t), fill), input.sourceTypes);
    }
    GradInput at0 = input;
    at0.embedded = &base;
    r.fBaseline = backprop.run(at0, f, opt).loss;
    // Σ_k ∂f/∂x0 at x' + α_k (x − x'), α_k = (k + ½)/m: the midpoint rule. Steps are split over
    // workers in fixed blocks and summed in step order, so the result does not depend on threads.
    const int m = options.steps;
    const MatrixRM delta = x - base;
    std::vector<MatrixRM> grads(static_cast<size_t>(m), MatrixRM());
    auto work = [&](int first, int last) {
        MatrixRM point;
        GradInput in = input;
        in.embedded = &point;
        for (int k = first; k < last; ++k) {
            const float alpha = (static_cast<float>(k) + 0.5f) / static_cast<float>(m);
            point = base + alpha * delta;
            grads[size_t(k)] = backprop.run(in, f, opt).inputGradient;
        }
    };
    const int threads = std::clamp(options.threads > 0 ? options.threads : 2, 1, std::max(1, m));
    if (threads == 1) {
        work(0, m);
    } else {
        std::vector<std::thread> pool;
        std::exception_ptr failure;
        std::mutex failureLock;
        for (int w = 0; w < threads; ++w) {
            const int first = m * w / threads, last = m * (w + 1) / threads;
            pool.emplace_back([&, first, last] {
                try {
                    work(first, last);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(failureLock);
                    failure = std::current_exception();
                }
            });
        }
        for (std::thread& th : pool) th.join();
        if (failure) std::rethrow_exception(failure);
    }
    Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(t, x.cols());
    for (const MatrixRM& gk : grads) mean += gk.template cast<double>();
    mean /= double(m);
    r.steps = m;
    r.sum = 0.0;
    for (Eigen::Index i = 0; i < t; ++i) {
        r.scores[size_t(i)] = (delta.row(i).template cast<double>().array() * mean.row(i).array()).sum();
        r.sum += r.scores[size_t(i)];
    }
    r.completenessError = r.sum - (r.f - r.fBaseline);
    return r;
}

} // namespace attnscope::grad
