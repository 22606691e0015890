// The Model dock's summary: name, description, architecture, sizes, tokenizer and a preview of
// the vocabulary, as rich text for a QTextBrowser.
#pragma once

#include "core/model.h"

#include <QString>

namespace attnscope {

QString modelSummaryHtml(const Model& model);

} // namespace attnscope
