// The interactive HTML export of a run (core/html_export.h) with the app's own token labels,
// titles, causal marks and colour map, so the page reads like the app. Shared by
// File › Export Interactive HTML… and `attnscope-cli export --format html`.
#pragma once

#include "core/html_export.h"
#include "render/attention_slice.h"

#include <QString>

namespace attnscope {

// Longest input (tokens of any stack) the export takes: at 1024 tokens a 12 × 12 model's page is
// already tens of MB (docs/html-export.md).
constexpr int kHtmlMaxTokens = 1024;

struct HtmlRunRequest {
    QString input;  // the text typed in
    QString target; // teacher-forced target, empty for none
    QString colormap = QStringLiteral("viridis");
    HeadSelection initial; // what the page shows first (kMeanOfHeads: the mean)
    bool logScale = false;
};

// Every head of every stack of `result` (compact traces: recomputed with `transformer`, which
// must then be given). Throws UsageError for an empty run, a compact one without a transformer
// or an input longer than kHtmlMaxTokens.
HtmlExport htmlExportOf(const RunResult& result, const Model& model, const Transformer* transformer,
                        const HtmlRunRequest& request);

// interactiveHtml(htmlExportOf(…)) written atomically to `path`; the error text, empty on success.
QString writeInteractiveHtml(const QString& path, const RunResult& result, const Model& model,
                             const Transformer* transformer, const HtmlRunRequest& request);

} // namespace attnscope
