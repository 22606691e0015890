// `attnscope-cli attribute`: gradient attribution of one output to the input tokens (core/grad/
// attribution.h; docs/cli.md, docs/attribution.md). Own argument parsing, so that main.cpp only
// dispatches here; errors are UsageError (exit 2) as everywhere else in the CLI.
#include "cli/attribute.h"

#include "core/errors.h"
#include "core/grad/attribution.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace attnscope {

namespace {

using grad::AttributionBaseline;
using grad::AttributionMethod;
using grad::AttributionOptions;
using grad::AttributionResult;

struct AttributeArgs {
    std::string model;
    std::optional<std::string> text;
    std::optional<std::vector<int>> ids;
    std::optional<std::string> target;      // encoder-decoder: the decoder's teacher-forced input
    std::optional<std::string> targetToken; // the token whose logit is explained
    std::optional<int> position;
    AttributionOptions options;
    bool json = false;
};

int parseInteger(const std::string& v, const char* name, int lo, int hi)
{
    try {
        size_t used = 0;
        const int x = std::stoi(v, &used);
        if (used == v.size() && x >= lo && x <= hi) return x;
    } catch (const std::exception&) {
    }
    throw UsageError(std::string(name) + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got \"" + v + "\"");
}

AttributeArgs parse(int argc, char** argv)
{
    AttributeArgs a;
    std::vector<std::string> positional;
    for (int i = 2; i < argc; ++i) { // argv[1] is "attribute"
        const std::string arg = argv[i];
        auto value = [&](const char* name) {
            if (i + 1 >= argc) throw UsageError(std::string("attribute: ") + name + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--text") a.text = value("--text");
        else if (arg == "--ids") {
            std::vector<int> ids;
            std::stringstream list(value("--ids"));
            std::string item;
            while (std::getline(list, item, ',')) ids.push_back(parseInteger(item, "--ids", 0, 100000000));
            if (ids.empty()) throw UsageError("attribute: --ids expects comma-separated token ids");
            a.ids = std::move(ids);
        } else if (arg == "--target") a.target = value("--target");
        else if (arg == "--target-token") a.targetToken = value("--target-token");
        else if (arg == "--position") a.position = parseInteger(value("--position"), "--position", 0, kMaxLen);
        else if (arg == "--method") {
            const std::string v = value("--method");
            if (!grad::attributionMethodFromString(v, a.options.method))
                throw UsageError("attribute: --method expects grad, ixg or ig, got \"" + v + "\"");
        } else if (arg == "--steps") a.options.steps = parseInteger(value("--steps"), "--steps", 1, 4096);
        else if (arg == "--baseline") {
            const std::string v = value("--baseline");
            if (!grad::attributionBaselineFromString(v, a.options.baseline))
                throw UsageError("attribute: --baseline expects zero or pad, got \"" + v + "\"");
        } else if (arg == "--json") a.json = true;
        else if (arg.size() > 1 && arg[0] == '-') throw UsageError("attribute: unknown option " + arg);
        else positional.push_back(arg);
    }
    if (positional.empty()) throw UsageError("attribute: missing MODEL argument");
    if (positional.size() > 1) throw UsageError("attribute: unexpected argument \"" + positional[1] + "\"");
    a.model = positional[0];
    if (!a.text && !a.ids) throw UsageError("attribute: --text or --ids is required");
    if (a.text && a.ids) throw UsageError("attribute: --text and --ids are mutually exclusive");
    return a;
}

std::string methodName(const AttributionResult& r)
{
    switch (r.method) {
    case AttributionMethod::Gradient: return "gradient L2 norm";
    case AttributionMethod::InputXGradient: return "input x gradient";
    case AttributionMethod::IntegratedGradients:
        return "integrated gradients, " + std::to_string(r.steps) + " steps (midpoint rule), baseline " +
               grad::toString(r.baseline);
    }
    return "";
}

} // namespace

int attributeCommand(int argc, char** argv)
{
    const AttributeArgs a = parse(argc, argv);
    const std::shared_ptr<const Model> model = loadModel(a.model);
    const ModelConfig& c = model->config;
    if (!c.lmHead) throw UsageError("attribute: this model has no output head (lm_head false): nothing to explain");
    if (a.target && c.type != ArchType::EncoderDecoder)
        throw UsageError("attribute: --target is for encoder-decoder models (a decoder's continuation is --target-token)");
    const Transformer transformer(model);
    RunOptions ro;
    ro.text = a.text.value_or(std::string());
    ro.ids = a.ids;
    ro.target = a.target;
    ro.topK = 0;
    const RunResult run = runModel(transformer, ro); // tokenization, specials, truncation as `run`
    grad::GradInput in;
    for (const Token& t : run.sourceTokens) in.source.push_back(t.id);
    in.sourceTypes = run.sourceTypes;
    if (c.type == ArchType::EncoderDecoder)
        for (const Token& t : run.targetTokens) in.target.push_back(t.id);
    const int rows = static_cast<int>(c.type == ArchType::EncoderDecoder ? in.target.size() : in.source.size());
    int position = run.predictionPosition;
    if (a.position) {
        if (*a.position >= rows)
            throw UsageError("attribute: --position " + std::to_string(*a.position) + " is out of range (the " +
                             std::string(c.type == ArchType::EncoderDecoder ? "decoder input" : "input") + " has " +
                             std::to_string(rows) + " positions, 0 … " + std::to_string(rows - 1) + ")");
        position = *a.position;
    }
    if (position < 0)
        throw UsageError("attribute: the input has no [MASK] token; give --position P (the output position to explain)");
    const grad::Backprop<float> backprop(model);
    const Tokenizer& out = model->outputTokenizer();
    int token = -1;
    if (a.targetToken) {
        token = out.vocab().find(*a.targetToken);
        if (token < 0) throw UsageError("attribute: unknown token \"" + *a.targetToken + "\" (not in the output vocabulary)");
    } else {
        token = grad::predictedToken(backprop, in, position);
    }
    const AttributionResult r = grad::attribute(backprop, in, position, token, a.options);
    const std::string tokenString = tokenText(out, token);
    if (a.json) {
        nlohmann::json j;
        j["model"] = model->name;
        j["method"] = grad::toString(r.method);
        j["position"] = r.position;
        j["token"] = {{"id", r.token}, {"text", tokenString}};
        j["f"] = r.f;
        nlohmann::json tokens = nlohmann::json::array();
        for (size_t i = 0; i < run.sourceTokens.size(); ++i)
            tokens.push_back({{"position", i},
                              {"id", run.sourceTokens[i].id},
                              {"text", run.sourceTokens[i].text},
                              {"score", r.scores[i]}});
        j["tokens"] = tokens;
        if (r.method == AttributionMethod::IntegratedGradients) {
            j["steps"] = r.steps;
            j["rule"] = "midpoint";
            j["baseline"] = grad::toString(r.baseline);
            if (r.baselineToken >= 0) j["baseline_token"] = r.baselineToken;
            j["f_baseline"] = r.fBaseline;
            j["sum"] = r.sum;
            j["completeness_error"] = r.completenessError;
        }
        j["warnings"] = run.warnings;
        std::cout << j.dump() << '\n';
        return 0;
    }
    std::printf("model:    %s\n", model->name.c_str());
    std::printf("explains: logit of \"%s\" (id %d) at %s position %d, f(x) = %.6g\n", tokenString.c_str(), token,
                c.type == ArchType::EncoderDecoder ? "decoder" : "output", position, r.f);
    std::printf("method:   %s\n", methodName(r).c_str());
    double largest = 0;
    for (double s : r.scores) largest = std::max(largest, std::abs(s));
    for (size_t i = 0; i < run.sourceTokens.size(); ++i) {
        const double s = r.scores[i];
        const int bar = largest > 0 ? static_cast<int>(std::lround(20.0 * std::abs(s) / largest)) : 0;
        std::printf("  %4zu  %-14s %12.6g  %s%s\n", i, ("\"" + run.sourceTokens[i].text + "\"").c_str(), s,
                    s < 0 ? "-" : "+", std::string(size_t(bar), '#').c_str());
    }
    if (r.method == AttributionMethod::IntegratedGradients)
        std::printf("completeness: sum %.6g, f(x) - f(x') = %.6g - %.6g = %.6g, error %.3g\n", r.sum, r.f, r.fBaseline,
                    r.f - r.fBaseline, r.completenessError);
    for (const std::string& w : run.warnings) std::printf("warning: %s\n", w.c_str());
    return 0;
}

} // namespace attnscope
