// Gradient attribution of one output to the input tokens (docs/attribution.md): gradient L2 norm,
// input × gradient and integrated gradients over the input stack's embeddings x0, with the
// completeness check of integrated gradients. f is the logit of one token at one position (a
// next-token prediction, a forced continuation, a [MASK] prediction, a generated token).
// Pure functions of a const Backprop: safe to call from a worker thread.
#pragma once

#include "core/grad/backward.h"

#include <string>
#include <vector>

namespace attnscope::grad {

enum class AttributionMethod { Gradient, InputXGradient, IntegratedGradients };
enum class AttributionBaseline { Zero, Pad }; // Pad: the pad token's embedding (the mask token's when there is no pad)

const char* toString(AttributionMethod method);
const char* toString(AttributionBaseline baseline);
bool attributionMethodFromString(const std::string& name, AttributionMethod& method);   // grad, ixg, ig
bool attributionBaselineFromString(const std::string& name, AttributionBaseline& baseline); // zero, pad

struct AttributionOptions {
    AttributionMethod method = AttributionMethod::IntegratedGradients;
    int steps = 32;                       // integrated gradients: Riemann steps (midpoint rule), 1 … 4096
    AttributionBaseline baseline = AttributionBaseline::Zero;
    int threads = 0;                      // integrated gradients: worker threads (0: up to 2); results do not depend on it
};

struct AttributionResult {
    AttributionMethod method = AttributionMethod::Gradient;
    int position = 0;               // the logit row of f
    int token = 0;                  // the token whose logit is f
    double f = 0.0;                 // f(x)
    std::vector<double> scores;     // one per input token (position of the input stack)
    // Integrated gradients only.
    AttributionBaseline baseline = AttributionBaseline::Zero;
    int baselineToken = -1;         // the pad/mask id of a Pad baseline, else −1
    int steps = 0;
    double fBaseline = 0.0;         // f(x')
    double sum = 0.0;               // Σ scores
    double completenessError = 0.0; // Σ scores − (f(x) − f(x'))
};

// f = logits[position][token] of `input` (GradInput as for Backprop::run; `embedded` must be
// null: the input is given by ids). Throws UsageError for a position or token out of range, a
// Pad baseline on a model without pad and mask tokens, or steps out of range.
AttributionResult attribute(const Backprop<float>& backprop, const GradInput& input, int position, int token,
                            const AttributionOptions& options = {});

// The model's own prediction at `position` (argmax of its logits): the default token to explain.
int predictedToken(const Backprop<float>& backprop, const GradInput& input, int position);

} // namespace attnscope::grad
