// Interactive HTML export: one self-contained .html page (inline script and style under a strict
// Content-Security-Policy, no network) with a run's head view, layers × heads overview and
// alignment lines. Qt-free, so the CLI and the app share it; render/html_run.h fills an
// HtmlExport from a run with the app's labels and colour map. Format and limits:
// docs/html-export.md.
#pragma once

#include "core/tensor.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// Weights are stored as integers q = round(w · 1000) (0 … 1000), so the page shows w / 1000 to 3
// decimals: the same digits as the app's hover (quantiseWeight).
constexpr int kHtmlWeightScale = 1000;

struct HtmlStack {
    std::string name;  // "encoder", "decoder", "cross" (trace.h's toString)
    std::string title; // "encoder self-attention", "cross-attention"
    std::string queryAxis = "query";
    std::vector<std::string> queryLabels; // Tq display labels (rows)
    std::vector<std::string> keyLabels;   // Tk display labels (columns)
    bool causal = false;                  // key j > query i is masked (Tq == Tk): stored as the lower triangle
    // [layer][head] (Tq, Tk); every layer has the same head count. The layer's mean of heads is
    // added by the exporter from `meanOfHeads` when given (one per layer), else not shown.
    std::vector<std::vector<MatrixRM>> heads;
    std::vector<MatrixRM> meanOfHeads; // empty or one per layer (Tq, Tk)
};

struct HtmlExport {
    std::string modelName;
    std::string modelDescription;
    std::string architecture;          // one line, e.g. "decoder · 2 layers · 4 heads · d_model 64"
    std::string input;                 // the text typed in
    std::string target;                // teacher-forced target (encoder-decoder), else empty
    std::string output;                // the model's output text
    std::string colormapName;          // e.g. "viridis"
    std::vector<std::uint32_t> colors; // the colour map's lookup table, 0xRRGGBB, weight 0 first (>= 2)
    double logFloor = 1e-3;            // the log scale shows [logFloor, 1], as the app's head view
    std::vector<std::string> warnings; // e.g. truncation
    std::vector<HtmlStack> stacks;     // display order
    // What the page shows first: index into stacks, layer, head (heads count: the mean), log scale.
    int initialStack = 0, initialLayer = 0, initialHead = 0;
    bool initialLog = false;
};

// The page as UTF-8 text. Throws UsageError when there is nothing to show or the shapes
// disagree (labels vs. matrices, heads per layer).
std::string interactiveHtml(const HtmlExport& doc);

// round(w · 1000) with w clamped to [0, 1] (NaN: 0); halves of the float's exact value round up,
// as the app's hover (QString::arg(w, 0, 'f', 3)) rounds, so q / 1000 to 3 decimals shows the
// app's digits (0.0625 → 63 → "0.063"; printf's "%.3f" would say 0.062).
int quantiseWeight(float w);

// Reads back what interactiveHtml wrote (tests, tools): its metadata block and, per stack, layer
// and head (the mean last, when stored), the weights as stored: q / 1000, masked cells 0.
// Throws IoError naming what is missing or malformed; never crashes on arbitrary text.
struct HtmlPayload {
    nlohmann::json meta;
    std::vector<std::vector<std::vector<MatrixRM>>> weights; // [stack][layer][head (+ mean)]
};
HtmlPayload decodeInteractiveHtml(const std::string& html);

// SHA-256 of bytes, base64 (the CSP hash source form "sha256-…").
std::string sha256Base64(const std::string& bytes);

} // namespace attnscope
