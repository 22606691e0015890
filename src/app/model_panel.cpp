// See model_panel.h.
#include "app/model_panel.h"

#include "core/inference.h"
#include "render/attention_slice.h"

#include <filesystem>

#include <QCoreApplication>
#include <QLocale>

namespace attnscope {

namespace {
QString tr(const char* text) { return QCoreApplication::translate("ModelPanel", text); }
} // namespace

QString modelSummaryHtml(const Model& m)
{
    const ModelConfig& c = m.config;
    const QLocale locale;
    auto row = [](const QString& k, const QString& v) {
        // One line per fact, wrapping as text: a two-column table breaks words apart when the
        // dock is narrow (1024 × 700 leaves it about 100 px).
        return QStringLiteral("<p style=\"margin:0\"><b>%1:</b> %2</p>").arg(k, v);
    };
    QString html =
        QStringLiteral("<h3>%1</h3><p>%2</p>")
            .arg(QString::fromStdString(m.name).toHtmlEscaped(), QString::fromStdString(m.description).toHtmlEscaped());
    html += row(tr("Type"), QString::fromStdString(toString(c.type)));
    html += row(tr("Layers"), tr("%1 encoder, %2 decoder").arg(c.encoderLayers).arg(c.decoderLayers));
    html += row(tr("Heads"), tr("%1 (d_k = %2)").arg(c.nHeads).arg(c.dHead()));
    html += row(tr("d_model / d_ff"), QStringLiteral("%1 / %2").arg(c.dModel).arg(c.dFf));
    html += row(tr("Norm"),
                tr("%1-norm, %2")
                    .arg(QString::fromStdString(toString(c.norm)), QString::fromStdString(toString(c.activation))));
    html +=
        row(tr("Positions"), tr("%1, max_len %2").arg(QString::fromStdString(toString(c.positional))).arg(c.maxLen));
    html += row(tr("Parameters"), locale.toString(qulonglong(m.parameterCount())));
    if (m.format == "huggingface")
        html += row(tr("Checkpoint"), tr("Hugging Face %1, %2")
                                         .arg(QString::fromStdString(m.family), QString::fromStdString(m.dtype)));
    QString kind;
    switch (m.sourceTokenizer.options().kind) {
    case TokenizerKind::Char: kind = tr("characters"); break;
    case TokenizerKind::Word: kind = m.tokenizerFile.empty() && m.format == "huggingface" ? tr("token ids (#N)") : tr("words"); break;
    case TokenizerKind::ByteLevelBpe: kind = tr("byte-level BPE"); break;
    case TokenizerKind::WordPiece: kind = tr("WordPiece"); break;
    }
    if (!m.tokenizerFile.empty())
        kind += QStringLiteral(" (%1)").arg(QString::fromStdString(std::filesystem::path(m.tokenizerFile).filename().string()));
    html += row(tr("Tokenizer"), kind.toHtmlEscaped());
    QString vocab = QString::number(m.sourceTokenizer.vocab().size());
    if (c.type == ArchType::EncoderDecoder) vocab += tr(" source, %1 target").arg(m.targetTokenizer.vocab().size());
    html += row(tr("Vocabulary"), vocab);
    html += QStringLiteral("<br>");
    QStringList preview;
    const auto& tokens = m.sourceTokenizer.vocab().tokens();
    for (size_t i = 0; i < tokens.size() && i < 80; ++i) {
        Token t;
        t.text = tokenText(m.sourceTokenizer, int(i)); // byte-level pieces decoded
        t.piece = tokens[i];
        preview << tokenLabel(t).toHtmlEscaped();
    }
    html += QStringLiteral("<p><b>%1</b> %2%3</p>")
                .arg(tr("Tokens:"), preview.join(QStringLiteral(" ")),
                     tokens.size() > 80 ? QStringLiteral(" \u2026") : QString());
    html += QStringLiteral("<p style=\"color:gray\">%1</p>").arg(QString::fromStdString(m.path).toHtmlEscaped());
    return html;
}

} // namespace attnscope
