// The Model dock's summary: name, description, architecture, sizes, tokenizer and a preview of
// the vocabulary, as rich text for a QTextBrowser.
#pragma once

#include "core/model.h"

#include <QString>

namespace attnscope {

QString modelSummaryHtml(const Model& model);

// What the model is, in one line: norm, positions, feed-forward block, residual and heads, e.g.
// "RMSNorm · rotary (θ 10000, 25 % of d_head) · SwiGLU · 8 query / 2 key-value heads (GQA)".
QString architectureSummary(const ModelConfig& config);

// A path that may wrap at its separators (a zero-width space after each '/'), so a narrow panel
// breaks it between folders rather than inside a name.
QString wrappablePath(const QString& path);

} // namespace attnscope
