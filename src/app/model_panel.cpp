// See model_panel.h.
#include "app/model_panel.h"

#include "core/inference.h"
#include "render/attention_slice.h"

#include <filesystem>

#include <QCoreApplication>
#include <QLocale>

namespace attnscope {

QString architectureSummary(const ModelConfig& c)
{
    QStringList parts;
    const QString norm = c.normKind == NormKind::RmsNorm ? QCoreApplication::translate("ModelPanel", "RMSNorm") : QCoreApplication::translate("ModelPanel", "LayerNorm");
    parts << (c.norm == NormPosition::Pre ? QCoreApplication::translate("ModelPanel", "pre-%1") : QCoreApplication::translate("ModelPanel", "post-%1")).arg(norm);
    const QLocale locale;
    switch (c.positional) {
    case Positional::Sinusoidal: parts << QCoreApplication::translate("ModelPanel", "sinusoidal positions"); break;
    case Positional::Learned: parts << QCoreApplication::translate("ModelPanel", "learned positions"); break;
    case Positional::Rotary: {
        QStringList rope{QCoreApplication::translate("ModelPanel", "\u03B8 %1").arg(locale.toString(double(c.ropeTheta), 'g', 7))};
        if (c.rotaryDims() < c.dHead())
            rope << QCoreApplication::translate("ModelPanel", "%1 % of d_head").arg(locale.toString(100.0 * c.rotaryDims() / c.dHead(), 'g', 3));
        if (c.ropeScale != 1.0f) rope << QCoreApplication::translate("ModelPanel", "linear scaling \u00D7%1").arg(locale.toString(double(c.ropeScale), 'g', 4));
        parts << QCoreApplication::translate("ModelPanel", "rotary (%1)").arg(rope.join(QStringLiteral(", ")));
        break;
    }
    }
    const QString act = [&] {
        switch (c.activation) {
        case Activation::Relu: return QStringLiteral("ReLU");
        case Activation::Gelu: return QStringLiteral("GELU");
        case Activation::GeluTanh: return QStringLiteral("GELU (tanh)");
        case Activation::Silu: return QStringLiteral("SiLU");
        }
        return QString();
    }();
    if (c.gatedFfn) parts << (c.activation == Activation::Silu ? QCoreApplication::translate("ModelPanel", "SwiGLU") : QCoreApplication::translate("ModelPanel", "gated %1").arg(act));
    else parts << QCoreApplication::translate("ModelPanel", "%1 MLP").arg(act);
    if (c.parallelResidual) parts << QCoreApplication::translate("ModelPanel", "parallel residual");
    const int kv = c.kvHeads();
    if (kv < c.nHeads)
        parts << (kv == 1 ? QCoreApplication::translate("ModelPanel", "%1 query / 1 key-value head (MQA)").arg(c.nHeads)
                          : QCoreApplication::translate("ModelPanel", "%1 query / %2 key-value heads (GQA)").arg(c.nHeads).arg(kv));
    else parts << (c.nHeads == 1 ? QCoreApplication::translate("ModelPanel", "1 head") : QCoreApplication::translate("ModelPanel", "%1 heads").arg(c.nHeads));
    return parts.join(QStringLiteral(" \u00B7 "));
}

QString wrappablePath(const QString& path)
{
    QString out = path;
    return out.replace(QLatin1Char('/'), QStringLiteral("/\u200B"));
}

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
    html += row(QCoreApplication::translate("ModelPanel", "Type"), QString::fromStdString(toString(c.type)));
    html += row(QCoreApplication::translate("ModelPanel", "Architecture"), architectureSummary(c).toHtmlEscaped());
    html += row(QCoreApplication::translate("ModelPanel", "Layers"), QCoreApplication::translate("ModelPanel", "%1 encoder, %2 decoder").arg(c.encoderLayers).arg(c.decoderLayers));
    if (c.kvHeads() < c.nHeads)
        html += row(QCoreApplication::translate("ModelPanel", "Heads"), QCoreApplication::translate("ModelPanel", "%1 query, %2 key-value (d_k = %3): %4 query heads per key-value head")
                                     .arg(c.nHeads)
                                     .arg(c.kvHeads())
                                     .arg(c.dHead())
                                     .arg(c.nHeads / c.kvHeads()));
    else html += row(QCoreApplication::translate("ModelPanel", "Heads"), QCoreApplication::translate("ModelPanel", "%1 (d_k = %2)").arg(c.nHeads).arg(c.dHead()));
    html += row(QCoreApplication::translate("ModelPanel", "d_model / d_ff"), QStringLiteral("%1 / %2").arg(c.dModel).arg(c.dFf));
    html += row(QCoreApplication::translate("ModelPanel", "Positions"), QCoreApplication::translate("ModelPanel", "max_len %1").arg(c.maxLen));
    html += row(QCoreApplication::translate("ModelPanel", "Parameters"), locale.toString(qulonglong(m.parameterCount())));
    if (m.format == "huggingface")
        html += row(QCoreApplication::translate("ModelPanel", "Checkpoint"), QCoreApplication::translate("ModelPanel", "Hugging Face %1, %2")
                                         .arg(QString::fromStdString(m.family), QString::fromStdString(m.dtype)));
    QString kind;
    switch (m.sourceTokenizer.options().kind) {
    case TokenizerKind::Char: kind = QCoreApplication::translate("ModelPanel", "characters"); break;
    case TokenizerKind::Word: kind = m.tokenizerFile.empty() && m.format == "huggingface" ? QCoreApplication::translate("ModelPanel", "token ids (#N)") : QCoreApplication::translate("ModelPanel", "words"); break;
    case TokenizerKind::ByteLevelBpe: kind = QCoreApplication::translate("ModelPanel", "byte-level BPE"); break;
    case TokenizerKind::SentencePieceBpe: kind = QCoreApplication::translate("ModelPanel", "SentencePiece BPE (\u2581 for spaces, byte fallback)"); break;
    case TokenizerKind::WordPiece: kind = QCoreApplication::translate("ModelPanel", "WordPiece"); break;
    }
    if (!m.tokenizerFile.empty())
        kind += QStringLiteral(" (%1)").arg(QString::fromStdString(std::filesystem::path(m.tokenizerFile).filename().string()));
    html += row(QCoreApplication::translate("ModelPanel", "Tokenizer"), kind.toHtmlEscaped());
    QString vocab = QString::number(m.sourceTokenizer.vocab().size());
    if (c.type == ArchType::EncoderDecoder) vocab += QCoreApplication::translate("ModelPanel", " source, %1 target").arg(m.targetTokenizer.vocab().size());
    html += row(QCoreApplication::translate("ModelPanel", "Vocabulary"), vocab);
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
                .arg(QCoreApplication::translate("ModelPanel", "Tokens:"), preview.join(QStringLiteral(" ")),
                     tokens.size() > 80 ? QStringLiteral(" \u2026") : QString());
    html += QStringLiteral("<p style=\"color:gray\">%1</p>")
                .arg(wrappablePath(QString::fromStdString(m.path).toHtmlEscaped()));
    return html;
}

} // namespace attnscope
