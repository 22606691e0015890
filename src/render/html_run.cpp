// See html_run.h.
#include "render/html_run.h"

#include "core/errors.h"
#include "render/colormaps.h"
#include "render/image_export.h"

#include <algorithm>

namespace attnscope {

namespace {

std::vector<std::string> toStd(const QStringList& labels)
{
    std::vector<std::string> out;
    out.reserve(size_t(labels.size()));
    for (const QString& l : labels) out.push_back(l.toStdString());
    return out;
}

// The colour map's lookup table exactly as QCustomPlot colours cells: level k covers weights
// [k, k + 1) / (levels − 1); sampling each level's middle reads back level k itself.
std::vector<std::uint32_t> colorTable(const QString& name)
{
    QCPColorGradient gradient = colormap(name);
    const int levels = std::max(2, gradient.levelCount());
    std::vector<std::uint32_t> out;
    out.reserve(size_t(levels));
    for (int k = 0; k < levels; ++k) {
        const double position = std::min(1.0, (k + 0.5) / double(levels - 1));
        out.push_back(std::uint32_t(gradient.color(position, QCPRange(0.0, 1.0)) & 0xffffff));
    }
    return out;
}

} // namespace

HtmlExport htmlExportOf(const RunResult& result, const Model& model, const Transformer* transformer,
                        const HtmlRunRequest& request)
{
    const std::vector<Stack> stacks = availableStacks(result.trace);
    if (stacks.empty()) throw UsageError("interactive HTML: the run produced no attention (empty input?)");
    if (result.trace.compact && !transformer)
        throw UsageError("interactive HTML: a compact (long-input) trace needs its model to recompute the heads");
    const ModelConfig& config = model.config;
    HtmlExport doc;
    doc.modelName = model.name;
    doc.modelDescription = model.description;
    doc.architecture = toString(config.type) + " \u00b7 " +
                       (config.type == ArchType::EncoderDecoder
                            ? std::to_string(config.encoderLayers) + " + " + std::to_string(config.decoderLayers)
                            : std::to_string(std::max(config.encoderLayers, config.decoderLayers))) +
                       " layers \u00b7 " + std::to_string(config.nHeads) + " heads \u00b7 d_model " +
                       std::to_string(config.dModel);
    doc.input = request.input.toStdString();
    doc.target = request.target.toStdString();
    doc.output = result.outputText;
    doc.warnings = result.warnings;
    doc.colormapName = request.colormap.toStdString();
    doc.colors = colorTable(request.colormap);
    doc.initialLog = request.logScale;
    for (const Stack stack : stacks) {
        const auto& layers = result.trace.stack(stack);
        HtmlStack s;
        s.name = toString(stack);
        for (int l = 0; l < static_cast<int>(layers.size()); ++l) {
            std::vector<MatrixRM> heads;
            for (int h = 0; h < static_cast<int>(layers[size_t(l)].heads.size()); ++h) {
                AttentionSlice slice = sliceOf(result, config, {stack, l, h}, transformer);
                if (slice.empty())
                    throw UsageError("interactive HTML: cannot compute " + s.name + " layer " + std::to_string(l) +
                                     " head " + std::to_string(h));
                if (s.queryLabels.empty()) {
                    if (slice.weights.rows() > kHtmlMaxTokens || slice.weights.cols() > kHtmlMaxTokens)
                        throw UsageError("interactive HTML: the input has " +
                                         std::to_string(std::max(slice.weights.rows(), slice.weights.cols())) +
                                         " tokens; the export takes at most " + std::to_string(kHtmlMaxTokens));
                    s.queryLabels = toStd(slice.queryLabels);
                    s.keyLabels = toStd(slice.keyLabels);
                    s.queryAxis = slice.queryAxis.toStdString();
                    s.causal = slice.causal;
                    s.title = slice.title.section(QStringLiteral(" \u00b7 "), 0, 0).toStdString();
                }
                heads.push_back(std::move(slice.weights));
            }
            s.heads.push_back(std::move(heads));
            s.meanOfHeads.push_back(sliceOf(result, config, {stack, l, kMeanOfHeads}, transformer).weights);
        }
        if (stack == request.initial.stack) {
            doc.initialStack = static_cast<int>(doc.stacks.size());
            doc.initialLayer = request.initial.layer;
            doc.initialHead =
                request.initial.head == kMeanOfHeads ? static_cast<int>(s.heads.front().size()) : request.initial.head;
        }
        doc.stacks.push_back(std::move(s));
    }
    return doc;
}

QString writeInteractiveHtml(const QString& path, const RunResult& result, const Model& model,
                             const Transformer* transformer, const HtmlRunRequest& request)
{
    try {
        const std::string html = interactiveHtml(htmlExportOf(result, model, transformer, request));
        return writeFileAtomically(path, QByteArray::fromStdString(html));
    } catch (const std::exception& e) { // UsageError, IoError, bad_alloc
        return QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
    }
}

} // namespace attnscope
