// See vit_cli.h. Thin: decoding (render/image_input), the run (core/vision), drawing
// (render/patch_overlay) and JSON printing.
#include "cli/vit_cli.h"

#include "cli/out_json.h"
#include "core/errors.h"
#include "core/vision.h"
#include "render/image_export.h"
#include "render/image_input.h"
#include "render/patch_overlay.h"

namespace attnscope {

namespace {

ImageRunResult runOn(const Transformer& tf, const DecodedImage& image, const VitCliRequest& r, Capture capture)
{
    ImageRunOptions opt;
    opt.capture = capture;
    opt.topK = r.topK;
    return runImage(tf, image.tensor, opt, r.image);
}

} // namespace

std::string vitRunJson(const Transformer& tf, const VitCliRequest& request)
{
    const Model& m = tf.model();
    const DecodedImage image = decodeImageFile(QString::fromStdString(request.image));
    const ImageRunResult run = runOn(tf, image, request, request.fullCapture ? Capture::Full : Capture::Attention);
    OutJson out;
    out["model"] = m.name;
    out["image"] = {{"path", request.image}, {"width", image.tensor.width}, {"height", image.tensor.height}};
    out["pixel_values_shape"] = {run.pixelValues.channels, run.pixelValues.height, run.pixelValues.width};
    out["grid"] = {m.config.gridRows(), m.config.gridCols()};
    out["positions"] = run.labels;
    OutJson preds = OutJson::array();
    for (const Prediction& p : run.predictions)
        preds.push_back({{"label", p.token}, {"id", p.id}, {"probability", p.probability}});
    out["predictions"] = {{"position", 0}, {"top_k", preds}};
    if (!m.config.lmHead) out["hidden"] = matrixJson(run.hidden);
    OutJson attention = OutJson::array();
    const auto& layers = run.trace.encoder;
    for (size_t l = 0; l < layers.size(); ++l)
        for (size_t h = 0; h < layers[l].heads.size(); ++h) {
            const HeadTrace& ht = layers[l].heads[h];
            OutJson e = {{"stack", "encoder"}, {"layer", l}, {"head", h}, {"weights", matrixJson(ht.weights)}};
            if (ht.q.size() > 0) {
                e["q"] = matrixJson(ht.q);
                e["k"] = matrixJson(ht.k);
                e["v"] = matrixJson(ht.v);
                e["scores"] = matrixJson(ht.scores);
            }
            attention.push_back(std::move(e));
        }
    out["attention"] = std::move(attention);
    out["warnings"] = OutJson::array();
    return out.dump();
}

void vitExportOverlay(const Transformer& tf, const VitCliRequest& request)
{
    const Model& m = tf.model();
    const QString path = QString::fromStdString(request.out);
    const std::optional<ImageFormat> format = imageFormatForPath(path);
    if (!format) throw UsageError("export: --out must end in .png, .svg, .pdf or .jpg");
    const int queryRow = queryRowOf(request.query, m.config); // usage errors before any work
    const DecodedImage image = decodeImageFile(QString::fromStdString(request.image));
    const ImageRunResult run = runOn(tf, image, request, Capture::Attention);
    PatchOverlay overlay = patchOverlayOf(run, m.config, image.image, request.layer, request.head, queryRow);
    overlay.colormap = QString::fromStdString(request.colormap);
    if (!run.predictions.empty())
        overlay.title += QString(" · predicted %1 (%2)")
                             .arg(QString::fromStdString(run.predictions[0].token))
                             .arg(double(run.predictions[0].probability), 0, 'f', 3);
    ExportOptions options;
    options.size = QSize(request.width, request.height);
    options.scale = request.scale;
    options.title = overlay.title;
    const QString error = exportImage(path, patchOverlayPaintFunction(overlay), options);
    if (!error.isEmpty()) throw IoError(error.toStdString());
}

nlohmann::json vitInfoJson(const Model& m)
{
    const ModelConfig& c = m.config;
    const ImageProcessor& p = m.imageProcessor;
    nlohmann::json classes = nlohmann::json::array();
    if (c.lmHead)
        for (const std::string& name : m.sourceTokenizer.vocab().tokens()) classes.push_back(name);
    return {{"channels", c.imageChannels},
            {"image_size", {c.imageHeight, c.imageWidth}},
            {"patch_size", {c.patchHeight, c.patchWidth}},
            {"grid", {c.gridRows(), c.gridCols()}},
            {"positions", c.maxLen},
            {"classes", classes},
            {"preprocessor",
             {{"file", p.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.file)},
              {"do_resize", p.doResize},
              {"size", {p.height, p.width}},
              {"resample", toString(p.resample)},
              {"do_rescale", p.doRescale},
              {"rescale_factor", p.rescaleFactor},
              {"do_normalize", p.doNormalize},
              {"image_mean", p.mean},
              {"image_std", p.std}}}};
}

} // namespace attnscope
