// attnscope-cli: headless access to the engine. Thin: argument parsing and JSON printing
// over core. Exit codes (docs/cli.md): 0 ok, 2 usage, 3 invalid model, 4 I/O error.
// `export` (built with the GUI) renders a heatmap through the same Qt code as the app, or writes
// the interactive HTML page (--format html: core/html_export.h with the app's labels and colours).
#include "cli/attribute.h"
#include "cli/lens.h"
#include "cli/out_json.h"
#include "core/analysis/census.h"
#include "core/errors.h"
#include "core/gemm.h"
#include "core/inference.h"
#include "core/llama2c.h"
#include "core/model_loader.h"
#include "core/model_writer.h"

#ifdef ATTNSCOPE_WITH_EXPORT
#include "cli/vit_cli.h"
#include "render/attention_slice.h"
#include "render/colormaps.h"
#include "render/html_run.h"
#include "render/image_export.h"

#include <QApplication>
#endif

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace attnscope;


constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitModel = 3;
constexpr int kExitIo = 4;

const char* const kUsage =
    "usage: attnscope-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  info MODEL                      model metadata as JSON\n"
    "  run MODEL (--text TEXT | --ids 15496,995) [--target TEXT | --generate]\n"
    "            [--capture attention|full] [--top-k K] [--out FILE]\n"
    "                                  tokens, output and every head's attention as JSON\n"
    "                                  (--ids: token ids as the whole input, no tokenizer;\n"
    "                                  --pair TEXT: a second segment for BERT-style models)\n"
    "  run MODEL --image FILE [--capture attention|full] [--top-k K] [--out FILE]\n"
    "                                  a ViT folder on an image: class probabilities and\n"
    "                                  every head's attention over [CLS] and the patches\n"
    "\n"
    "MODEL is an AttnScope model file (.json), a Hugging Face folder (config.json +\n"
    "model.safetensors; GPT-2, BERT, RoBERTa, DistilBERT, Llama, Mistral, Qwen2, GPT-NeoX,\n"
    "ViT: docs/hf-checkpoints.md) or a llama2.c checkpoint (.bin, with tokenizer.bin beside it or\n"
    "--tokenizer FILE: docs/llama2c.md), or a folder of training snapshots step<N>/ (each a\n"
    "Hugging Face folder; every command takes --revision stepN, default the last).\n"
    "\n"
    "  summary MODEL [--text TEXT] [--target TEXT | --generate]\n"
    "                                  human-readable trace summary (default text: the\n"
    "                                  model's first example)\n"
    "  export MODEL [--text TEXT] [--target TEXT | --generate] [--stack encoder|decoder|cross]\n"
    "            [--layer L] [--head H|mean] --out FILE.(png|svg|pdf|jpg) [--size WxH]\n"
    "            [--scale S] [--colormap NAME] [--log]\n"
    "                                  one head's heatmap as an image, drawn as in the app\n"
    "                                  (default: first stack, layer 0, head 0, 900x800)\n"
    "  export MODEL --image FILE [--layer L] [--head H|mean] [--query cls|R,C]\n"
    "            --out FILE.(png|svg|pdf|jpg) [--size WxH] [--scale S] [--colormap NAME]\n"
    "                                  a ViT's image with the patch grid tinted by one\n"
    "                                  query's attention (default [CLS], 640x720)\n"
    "  export MODEL [--text TEXT] [--target TEXT | --generate] --format html --out FILE.html\n"
    "            [--stack S] [--layer L] [--head H|mean] [--colormap NAME] [--log]\n"
    "                                  one self-contained interactive page (head view,\n"
    "                                  layers x heads overview, alignment; no network)\n"
    "  census MODEL [--text TEXT] [--target TEXT | --generate] [--stack encoder|decoder|cross]\n"
    "            [--out FILE]\n"
    "                                  per-head statistics as CSV: entropy, mean distance,\n"
    "                                  previous-token, first-token and special-token share,\n"
    "                                  induction (decoder-only), importance (ablation)\n"
    "  convert DIR --out MODEL.json    a Hugging Face folder as an AttnScope model file\n"
    "                                  (format 2): MODEL.json, MODEL.safetensors (F32) and\n"
    "                                  MODEL.tokenizer/ beside it\n"
    "  attribute MODEL (--text TEXT | --ids IDS) [--target TEXT] [--target-token T] [--position P]\n"
    "            [--method grad|ixg|ig] [--steps N] [--baseline zero|pad] [--json]\n"
    "                                  gradient attribution of one output logit to the input\n"
    "                                  tokens (default: integrated gradients, 32 steps)\n"
    "  lens MODEL (--text TEXT | --ids IDS) [--top-k K] [--point attn|mlp|all] [--json]\n"
    "                                  logit lens of a decoder-only model: per position and\n"
    "                                  residual point the top-1 token, its probability and\n"
    "                                  KL(final || point) (docs/logit-lens.md)\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 ok, 2 usage error, 3 invalid model file, 4 I/O error\n";

struct UsageFailure {
    std::string message;
};

struct Args {
    std::string command;
    std::string model;
    std::optional<std::string> text;
    std::optional<std::vector<int>> ids;
    std::optional<std::string> pair;
    std::optional<std::string> tokenizer; // a llama2.c tokenizer.bin other than the one beside the model
    std::string revision;                 // a snapshot of a training-checkpoint series (stepN)
    std::optional<std::string> target;
    bool generate = false;
    std::string capture = "attention";
    int topK = 5;
    std::optional<std::string> out;
    // export only
    std::optional<std::string> stack;
    int layer = 0;
    int head = 0; // -1: mean of heads
    int width = 900;
    int height = 800;
    double scale = 1.0;
    std::string colormap = "viridis";
    bool logScale = false;
    bool exportOptions = false;
    bool imageOptions = false;         // --size or --scale given (not for --format html)
    std::optional<std::string> format; // png, svg, pdf, jpg or html; default: by --out's extension
    bool html = false;                 // export writes the interactive HTML page
    std::optional<std::string> image;  // run / export on an image (ViT models, docs/vit.md)
    std::optional<std::string> query;  // export --image: "cls" or "R,C"
    bool sizeGiven = false;
};

[[maybe_unused]] bool endsWith(const std::string& s, const std::string& suffix) // case-insensitive suffix
{
    if (s.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

int parseInt(const std::string& v, const char* name, int lo, int hi)
{
    try {
        size_t used = 0;
        const int x = std::stoi(v, &used);
        if (used == v.size() && x >= lo && x <= hi) return x;
    } catch (const std::exception&) {
    }
    throw UsageFailure{std::string(name) + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                       "], got \"" + v + "\""};
}

Args parseArgs(int argc, char** argv)
{
    Args a;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](const char* name) {
            if (i + 1 >= argc) throw UsageFailure{std::string(name) + " needs a value"};
            return std::string(argv[++i]);
        };
        if (arg == "--text") a.text = value("--text");
        else if (arg == "--pair") a.pair = value("--pair");
        else if (arg == "--tokenizer") a.tokenizer = value("--tokenizer");
        else if (arg == "--revision") a.revision = value("--revision");
        else if (arg == "--image") a.image = value("--image");
        else if (arg == "--query") a.query = value("--query");
        else if (arg == "--ids") {
            const std::string v = value("--ids");
            std::vector<int> ids;
            std::stringstream list(v);
            std::string item;
            while (std::getline(list, item, ',')) ids.push_back(parseInt(item, "--ids", 0, 100000000));
            if (ids.empty()) throw UsageFailure{"--ids expects comma-separated token ids, e.g. 15496,995"};
            a.ids = std::move(ids);
        }
        else if (arg == "--target") a.target = value("--target");
        else if (arg == "--generate") a.generate = true;
        else if (arg == "--out") a.out = value("--out");
        else if (arg == "--capture") a.capture = value("--capture");
        else if (arg == "--stack") a.stack = value("--stack");
        else if (arg == "--layer") a.layer = parseInt(value("--layer"), "--layer", 0, 1000), a.exportOptions = true;
        else if (arg == "--head") {
            const std::string v = value("--head");
            a.head = v == "mean" ? -1 : parseInt(v, "--head", 0, 1000);
            a.exportOptions = true;
        } else if (arg == "--size") {
            const std::string v = value("--size");
            const size_t x = v.find('x');
            if (x == std::string::npos) throw UsageFailure{"--size expects WxH, e.g. 900x800, got \"" + v + "\""};
            a.width = parseInt(v.substr(0, x), "--size width", 16, 16384);
            a.height = parseInt(v.substr(x + 1), "--size height", 16, 16384);
            a.exportOptions = a.imageOptions = a.sizeGiven = true;
        } else if (arg == "--scale") {
            const std::string v = value("--scale");
            try {
                size_t used = 0;
                a.scale = std::stod(v, &used);
                if (used != v.size() || !(a.scale >= 0.25 && a.scale <= 8.0)) throw std::invalid_argument(v);
            } catch (const std::exception&) {
                throw UsageFailure{"--scale expects a number in [0.25, 8], got \"" + v + "\""};
            }
            a.exportOptions = a.imageOptions = true;
        } else if (arg == "--colormap") a.colormap = value("--colormap"), a.exportOptions = true;
        else if (arg == "--log") a.logScale = true, a.exportOptions = true;
        else if (arg == "--format") a.format = value("--format"), a.exportOptions = true;
        else if (arg == "--top-k") {
            const std::string v = value("--top-k");
            try {
                size_t used = 0;
                a.topK = std::stoi(v, &used);
                if (used != v.size() || a.topK < 0 || a.topK > 1000) throw std::invalid_argument(v);
            } catch (const std::exception&) {
                throw UsageFailure{"--top-k expects an integer in [0, 1000], got \"" + v + "\""};
            }
        } else if (arg.size() > 1 && arg[0] == '-') throw UsageFailure{"unknown option " + arg};
        else positional.push_back(arg);
    }
    if (positional.empty()) throw UsageFailure{"missing command"};
    a.command = positional[0];
    if (a.command != "info" && a.command != "run" && a.command != "summary" && a.command != "export" &&
        a.command != "census" && a.command != "convert")
        throw UsageFailure{"unknown command \"" + a.command + "\""};
    if (positional.size() < 2) throw UsageFailure{a.command + ": missing MODEL argument"};
    if (positional.size() > 2) throw UsageFailure{"unexpected argument \"" + positional[2] + "\""};
    a.model = positional[1];
    if (a.image) {
        if (a.command != "run" && a.command != "export") throw UsageFailure{"--image is a run and export option"};
        if (a.text || a.ids || a.pair || a.target || a.generate)
            throw UsageFailure{"--image replaces --text/--ids (and takes no --pair, --target or --generate)"};
        if (a.stack || a.logScale || a.format) throw UsageFailure{"--stack, --log and --format are not image options"};
    }
    if (a.query && !(a.image && a.command == "export")) throw UsageFailure{"--query is an export --image option"};
    if (a.command == "run" && !a.text && !a.ids && !a.image) throw UsageFailure{"run: --text or --ids is required (--image for a ViT model)"};
    if (a.text && a.ids) throw UsageFailure{"--text and --ids are mutually exclusive"};
    if (a.pair && !a.text) throw UsageFailure{"--pair needs --text (the first segment)"};
    if (a.target && a.generate) throw UsageFailure{"--target and --generate are mutually exclusive"};
    if (a.capture != "attention" && a.capture != "full")
        throw UsageFailure{"--capture expects attention or full, got \"" + a.capture + "\""};
    if (a.command == "info" && (a.text || a.ids || a.target || a.generate || a.out))
        throw UsageFailure{"info takes no run options"};
    if (a.command == "convert") {
        if (!a.out) throw UsageFailure{"convert: --out MODEL.json is required"};
        if (a.text || a.ids || a.pair || a.target || a.generate || a.exportOptions || a.stack)
            throw UsageFailure{"convert takes only --out (and --revision)"};
        if (!endsWith(*a.out, ".json")) throw UsageFailure{"convert: --out must end in .json, got \"" + *a.out + "\""};
    }
    if (a.command != "export" && a.exportOptions)
        throw UsageFailure{"--layer, --head, --size, --scale, --colormap, --log and --format are export options"};
    if (a.stack && a.command != "export" && a.command != "census")
        throw UsageFailure{"--stack is an export and census option"};
    if (a.command == "census" && a.stack) {
        Stack s;
        if (!stackFromString(*a.stack, s))
            throw UsageFailure{"--stack expects encoder, decoder or cross, got \"" + *a.stack + "\""};
    }
    if (a.image) {
#ifdef ATTNSCOPE_WITH_EXPORT
        if (a.command == "export" && !a.out) throw UsageFailure{"export: --out FILE is required"};
        if (a.command == "export" && !imageFormatForPath(QString::fromStdString(*a.out)))
            throw UsageFailure{"export: --out must end in .png, .svg, .pdf or .jpg"};
        if (!colormapNames().contains(QString::fromStdString(a.colormap))) throw UsageFailure{"export: unknown --colormap \"" + a.colormap + "\""};
        return a;
#else
        throw UsageFailure{"--image: this attnscope-cli was built without the GUI libraries (Qt decodes images)"};
#endif
    }
    if (a.command == "export") {
#ifdef ATTNSCOPE_WITH_EXPORT
        if (!a.out) throw UsageFailure{"export: --out FILE is required"};
        if (a.format && *a.format != "html" && *a.format != "png" && *a.format != "svg" && *a.format != "pdf" &&
            *a.format != "jpg")
            throw UsageFailure{"export: --format expects png, svg, pdf, jpg or html, got \"" + *a.format + "\""};
        a.html = a.format ? *a.format == "html" : endsWith(*a.out, ".html") || endsWith(*a.out, ".htm");
        if (a.html && a.imageOptions) throw UsageFailure{"export: --size and --scale are image options, not for html"};
        if (!a.html && !imageFormatForPath(QString::fromStdString(*a.out)))
            throw UsageFailure{"export: --out must end in .png, .svg, .pdf or .jpg (or give --format html)"};
        if (!a.html && a.format && !endsWith(*a.out, "." + *a.format))
            throw UsageFailure{"export: --format " + *a.format + " but --out \"" + *a.out + "\" ends otherwise"};
        if (!colormapNames().contains(QString::fromStdString(a.colormap))) throw UsageFailure{"export: unknown --colormap \"" + a.colormap + "\""};
        Stack s;
        if (a.stack && !stackFromString(*a.stack, s))
            throw UsageFailure{"--stack expects encoder, decoder or cross, got \"" + *a.stack + "\""};
#else
        throw UsageFailure{"export: this attnscope-cli was built without the GUI libraries"};
#endif
    }
    return a;
}

OutJson tokenTexts(const std::vector<Token>& tokens)
{
    OutJson a = OutJson::array();
    for (const Token& t : tokens) a.push_back(t.text);
    return a;
}

OutJson tokenIds(const std::vector<Token>& tokens)
{
    OutJson a = OutJson::array();
    for (const Token& t : tokens) a.push_back(t.id);
    return a;
}

OutJson infoJson(const Model& m)
{
    const ModelConfig& c = m.config;
    OutJson arch = {
        {"type", toString(c.type)},      {"d_model", c.dModel},
        {"n_heads", c.nHeads},           {"d_ff", c.dFf},
        {"encoder_layers", c.encoderLayers}, {"decoder_layers", c.decoderLayers},
        {"activation", toString(c.activation)}, {"norm", toString(c.norm)},
        {"layer_norm_eps", c.layerNormEps}, {"positional", toString(c.positional)},
        {"max_len", c.maxLen},           {"bias", c.bias},
        {"tied_output", c.tiedOutput},   {"scale_embeddings", c.scaleEmbeddings},
        {"final_norm", c.finalNorm},
        {"type_vocab_size", c.typeVocab}, {"position_offset", c.positionOffset},
        {"embedding_norm", c.embedNorm}, {"head_bias", c.hasHeadBias()},
        {"head_transform", c.headTransform}, {"lm_head", c.lmHead},
    };
    if (c.headTransform) arch["head_activation"] = toString(c.transformActivation());
    arch["norm_kind"] = toString(c.normKind);
    arch["gated_ffn"] = c.gatedFfn;
    arch["parallel_residual"] = c.parallelResidual;
    arch["qkv_bias"] = c.hasQkvBias();
    // Grouped-query attention: every query head keeps its own weights; its keys and values are
    // those of its group (query head h reads key/value head h / (n_heads / n_kv_heads)).
    arch["n_kv_heads"] = c.kvHeads();
    arch["attention"] = c.kvHeads() == c.nHeads ? "multi-head"
                        : c.kvHeads() == 1     ? "multi-query (one key/value head)"
                                               : "grouped-query (" + std::to_string(c.nHeads / c.kvHeads()) +
                                                     " query heads per key/value head)";
    if (c.kvHeads() != c.nHeads) {
        OutJson groups = OutJson::array();
        for (int h = 0; h < c.nHeads; ++h) groups.push_back(h / (c.nHeads / c.kvHeads()));
        arch["kv_group_of_head"] = groups;
    }
    if (c.positional == Positional::Rotary)
        arch["rotary"] = {{"theta", c.ropeTheta}, {"dims", c.rotaryDims()}, {"d_head", c.dHead()},
                          {"linear_scale", c.ropeScale}, {"convention", "rotate-half"}};
    OutJson vocab = {{"source", m.sourceTokenizer.vocab().size()}};
    if (c.type == ArchType::EncoderDecoder) vocab["target"] = m.targetTokenizer.vocab().size();
    OutJson examples = OutJson::array();
    for (const ModelExample& e : m.examples) {
        OutJson ex = {{"text", e.text}};
        if (!e.target.empty()) ex["target"] = e.target;
        examples.push_back(std::move(ex));
    }
    OutJson source = {{"format", m.format}, {"path", m.path}};
    if (m.format == "huggingface" || m.format == "llama2c") {
        source[m.format == "llama2c" ? "layout" : "model_type"] = m.family;
        source["dtype"] = m.dtype;
        source["tokenizer_file"] = m.tokenizerFile;
    }
    if (!m.revisions.empty()) {
        OutJson revisions = OutJson::array();
        for (const Revision& r : m.revisions) revisions.push_back({{"name", r.name}, {"step", r.step}, {"path", r.path}});
        source["series"] = {{"path", m.seriesPath},
                            {"revision", m.revisions[size_t(m.revisionIndex)].name},
                            {"revisions", revisions}};
    }
    return {{"name", m.name},
            {"description", m.description},
            {"source", source},
            {"architecture", arch},
            {"tokenizer", toString(m.sourceTokenizer.options().kind)},
            {"parameters", m.parameterCount()},
            {"vocab_size", vocab},
            {"examples", examples}};
}

OutJson runJson(const Model& m, const RunResult& r)
{
    OutJson out;
    out["model"] = m.name;
    out["source_tokens"] = tokenTexts(r.sourceTokens);
    out["source_ids"] = tokenIds(r.sourceTokens);
    if (!r.sourceTypes.empty()) out["source_types"] = r.sourceTypes;
    out["target_tokens"] = tokenTexts(r.targetTokens);
    out["target_ids"] = tokenIds(r.targetTokens);
    OutJson unknown = OutJson::array();
    for (size_t i = 0; i < r.sourceTokens.size(); ++i)
        if (r.sourceTokens[i].unknown) unknown.push_back(i);
    out["unknown_source_positions"] = unknown;
    out["output"] = {{"text", r.outputText}, {"tokens", tokenTexts(r.outputTokens)}};
    OutJson preds = OutJson::array();
    for (const Prediction& p : r.predictions) preds.push_back({{"token", p.token}, {"id", p.id}, {"probability", p.probability}});
    out["predictions"] = {{"position", r.predictionPosition}, {"top_k", preds}};
    OutJson attention = OutJson::array();
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const auto& layers = r.trace.stack(s);
        for (size_t l = 0; l < layers.size(); ++l) {
            for (size_t h = 0; h < layers[l].heads.size(); ++h) {
                const HeadTrace& ht = layers[l].heads[h];
                OutJson e = {{"stack", toString(s)}, {"layer", l}, {"head", h}, {"weights", matrixJson(ht.weights)}};
                if (ht.q.size() > 0) {
                    e["q"] = matrixJson(ht.q);
                    e["k"] = matrixJson(ht.k);
                    e["v"] = matrixJson(ht.v);
                    e["scores"] = matrixJson(ht.scores);
                }
                attention.push_back(std::move(e));
            }
        }
    }
    out["attention"] = std::move(attention);
    OutJson warnings = OutJson::array();
    for (const std::string& w : r.warnings) warnings.push_back(w);
    out["warnings"] = warnings;
    return out;
}

std::string joinTokens(const std::vector<Token>& tokens)
{
    std::string s;
    for (const Token& t : tokens) s += (s.empty() ? "" : " ") + std::string("[") + t.text + "]";
    return s;
}

void printSummary(const Model& m, const RunResult& r, const std::string& text)
{
    const ModelConfig& c = m.config;
    std::printf("model:   %s (%s, %d enc + %d dec layers, %d heads, d_model %d, %zu parameters)\n", m.name.c_str(),
                toString(c.type).c_str(), c.encoderLayers, c.decoderLayers, c.nHeads, c.dModel, m.parameterCount());
    std::printf("input:   %s\n", text.c_str());
    std::printf("source:  %s\n", joinTokens(r.sourceTokens).c_str());
    if (!r.targetTokens.empty()) std::printf("target:  %s\n", joinTokens(r.targetTokens).c_str());
    std::printf("output:  %s\n", r.outputText.c_str());
    for (const Prediction& p : r.predictions) std::printf("  top-k: %-12s %.3f\n", p.token.c_str(), p.probability);
    for (const std::string& w : r.warnings) std::printf("warning: %s\n", w.c_str());
    std::printf("\nper head: mean row entropy (nats) and the strongest query -> key link\n");
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
        const auto& layers = r.trace.stack(s);
        const std::vector<Token> rowsTokens = queryTokens(r, c, s);
        const std::vector<Token> keys = keyTokens(r, c, s);
        for (size_t l = 0; l < layers.size(); ++l) {
            for (size_t h = 0; h < layers[l].heads.size(); ++h) {
                const MatrixRM& a = layers[l].heads[h].weights;
                double entropy = 0.0;
                Eigen::Index bi = 0, bj = 0;
                float best = -1.0f;
                for (Eigen::Index i = 0; i < a.rows(); ++i) {
                    for (Eigen::Index j = 0; j < a.cols(); ++j) {
                        const float p = a(i, j);
                        if (p > 0.0f) entropy -= p * std::log(p);
                        if (p > best) { best = p; bi = i; bj = j; }
                    }
                }
                entropy /= std::max<Eigen::Index>(1, a.rows());
                const std::string qt = bi < static_cast<Eigen::Index>(rowsTokens.size()) ? rowsTokens[bi].text : "?";
                const std::string kt = bj < static_cast<Eigen::Index>(keys.size()) ? keys[bj].text : "?";
                std::printf("  %-7s L%zu H%zu  entropy %.3f  strongest %s(%ld) -> %s(%ld) %.3f\n", toString(s), l, h,
                            entropy, qt.c_str(), static_cast<long>(bi), kt.c_str(), static_cast<long>(bj), best);
            }
        }
    }
}

void writeOutput(const std::string& text, const std::optional<std::string>& path)
{
    if (!path) {
        std::cout << text << '\n';
        if (!std::cout) throw IoError("cannot write to standard output");
        return;
    }
    // Write to a temporary file and rename, so a failed write never leaves a half file.
    const std::string tmp = *path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError(*path + ": cannot open for writing");
        out << text << '\n';
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw IoError(*path + ": write failed");
        }
    }
    if (std::rename(tmp.c_str(), path->c_str()) != 0) {
        std::remove(tmp.c_str());
        throw IoError(*path + ": cannot replace file");
    }
}

#ifdef ATTNSCOPE_WITH_EXPORT
// The QApplication that drawing needs, on the offscreen platform when there is no display.
std::unique_ptr<QApplication> drawingApplication(char* argv0)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int qtArgc = 1;
    static char* qtArgv[] = {argv0, nullptr};
    return std::make_unique<QApplication>(qtArgc, qtArgv);
}

// Renders the selected head with the app's HeatmapPlot; needs a QApplication, created here
// on the offscreen platform when there is no display.
int exportImageCommand(const Args& a, const Model& model, const RunResult& result, char* argv0)
{
    const std::vector<Stack> stacks = availableStacks(result.trace);
    if (stacks.empty()) throw UsageError("export: the run produced no attention (empty input?)");
    Stack stack = stacks.front();
    if (a.stack) {
        stackFromString(*a.stack, stack);
        if (result.trace.stack(stack).empty())
            throw UsageError("export: this " + toString(model.config.type) + " model has no " + *a.stack + " attention");
    }
    const auto& layers = result.trace.stack(stack);
    if (a.layer >= static_cast<int>(layers.size()))
        throw UsageError("export: --layer " + std::to_string(a.layer) + " out of range (the " + toString(stack) +
                         " stack has " + std::to_string(layers.size()) + " layers)");
    const int heads = static_cast<int>(layers[size_t(a.layer)].heads.size());
    if (a.head >= heads)
        throw UsageError("export: --head " + std::to_string(a.head) + " out of range (" + std::to_string(heads) +
                         " heads)");
    const std::unique_ptr<QApplication> app = drawingApplication(argv0);
    HeatmapExport request;
    request.slice = sliceOf(result, model.config, {stack, a.layer, a.head});
    request.path = QString::fromStdString(*a.out);
    request.size = QSize(a.width, a.height);
    request.scale = a.scale;
    request.colormap = QString::fromStdString(a.colormap);
    request.logScale = a.logScale;
    const QString error = exportHeatmap(request);
    if (!error.isEmpty()) throw IoError(error.toStdString());
    std::cout << *a.out << '\n';
    return kExitOk;
}

// The interactive page: every head of every stack, opening on --stack/--layer/--head.
int exportHtmlCommand(const Args& a, const Model& model, const Transformer& transformer, const RunResult& result,
                      const RunOptions& options)
{
    HtmlRunRequest request;
    request.input = QString::fromStdString(options.text);
    request.target = QString::fromStdString(options.target.value_or(std::string()));
    request.colormap = QString::fromStdString(a.colormap);
    request.logScale = a.logScale;
    request.initial = {availableStacks(result.trace).empty() ? Stack::Encoder : availableStacks(result.trace).front(),
                       a.layer, a.head};
    if (a.stack) stackFromString(*a.stack, request.initial.stack);
    const auto& layers = result.trace.stack(request.initial.stack);
    if (a.stack && layers.empty())
        throw UsageError("export: this " + toString(model.config.type) + " model has no " + *a.stack + " attention");
    if (!layers.empty() && (a.layer >= static_cast<int>(layers.size()) ||
                            a.head >= static_cast<int>(layers.front().heads.size())))
        throw UsageError("export: --layer/--head out of range (the " + std::string(toString(request.initial.stack)) +
                         " stack has " + std::to_string(layers.size()) + " layers of " +
                         std::to_string(layers.front().heads.size()) + " heads)");
    HtmlExport doc = htmlExportOf(result, model, &transformer, request); // UsageError for an empty run
    const std::string html = interactiveHtml(doc);
    const QString error = writeFileAtomically(QString::fromStdString(*a.out), QByteArray::fromStdString(html));
    if (!error.isEmpty()) throw IoError(error.toStdString());
    std::cout << *a.out << '\n';
    return kExitOk;
}
#endif

#ifdef ATTNSCOPE_WITH_EXPORT
// run / export --image on a ViT model (cli/vit_cli.h).
int imageCommand(const Args& a, const Transformer& transformer, char* argv0)
{
    VitCliRequest r;
    r.image = *a.image;
    r.fullCapture = a.capture == "full";
    r.topK = a.topK;
    if (a.command == "run") {
        writeOutput(vitRunJson(transformer, r), a.out);
        return kExitOk;
    }
    r.layer = a.layer;
    r.head = a.head;
    r.query = a.query.value_or("cls");
    r.out = *a.out;
    if (a.sizeGiven) {
        r.width = a.width;
        r.height = a.height;
    }
    r.scale = a.scale;
    r.colormap = a.colormap;
    const std::unique_ptr<QApplication> app = drawingApplication(argv0);
    vitExportOverlay(transformer, r);
    std::cout << r.out << '\n';
    return kExitOk;
}
#endif

// Census of every head (or one stack's), with importance appended as a last column (core's analyseRun).
std::string censusCsv(const Transformer& tf, const RunResult& result, const std::optional<std::string>& only)
{
    std::vector<Stack> stacks;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross})
        if (!result.trace.stack(s).empty() && (!only || *only == toString(s))) stacks.push_back(s);
    if (stacks.empty()) throw UsageError("census: the trace has no stack " + (only ? *only : std::string("at all")));
    std::string out = analyseRun(tf, result, result, stacks).toCsv();
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

int run(int argc, char** argv)
{
    if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    if (argc >= 2 && std::string(argv[1]) == "--version") {
        std::cout << "attnscope-cli " << ATTNSCOPE_VERSION << '\n';
        return kExitOk;
    }
    if (argc >= 2 && std::string(argv[1]) == "attribute") return attributeCommand(argc, argv); // attribute.cpp
    if (argc >= 2 && std::string(argv[1]) == "lens") return lensCommand(argc, argv);           // lens.cpp
    const Args args = parseArgs(argc, argv);
    if (args.tokenizer && !isLlama2cCheckpoint(args.model))
        throw UsageFailure{"--tokenizer is for llama2.c checkpoints (.bin); other models carry their tokenizer"};
    const std::shared_ptr<const Model> model =
        args.tokenizer ? loadLlama2c(args.model, *args.tokenizer) : loadModel(args.model, args.revision);
    if (args.command == "info") {
        OutJson info = infoJson(*model);
#ifdef ATTNSCOPE_WITH_EXPORT
        if (model->config.isVision()) info["vision"] = OutJson::parse(vitInfoJson(*model).dump());
#endif
        writeOutput(info.dump(2), args.out);
        return kExitOk;
    }
    if (args.command == "convert") {
        const WrittenModel w = writeModelFile(*model, *args.out);
        if (w.tokenizerFolder.empty())
            std::printf("wrote %s and %s (%.1f MB; no tokenizer files: the model takes token ids)\n", w.json.c_str(),
                        w.sidecar.c_str(), double(w.bytes) / 1e6);
        else
            std::printf("wrote %s, %s and %s/ (%.1f MB)\n", w.json.c_str(), w.sidecar.c_str(),
                        w.tokenizerFolder.c_str(), double(w.bytes) / 1e6);
        return kExitOk;
    }
    const Transformer transformer(model);
#ifdef ATTNSCOPE_WITH_EXPORT
    if (args.image) return imageCommand(args, transformer, argv[0]);
#endif
    RunOptions opt;
    opt.text = args.text ? *args.text : (model->examples.empty() ? std::string() : model->examples.front().text);
    opt.ids = args.ids;
    opt.pair = args.pair;
    opt.target = args.target;
    opt.generate = args.generate;
    opt.capture = args.capture == "full" ? Capture::Full : Capture::Attention;
    opt.topK = args.topK;
    const RunResult result = runModel(transformer, opt);
#ifdef ATTNSCOPE_WITH_EXPORT
    if (args.command == "export" && args.html) return exportHtmlCommand(args, *model, transformer, result, opt);
    if (args.command == "export") return exportImageCommand(args, *model, result, argv[0]);
#endif
    if (args.command == "summary") {
        printSummary(*model, result, opt.text);
        return kExitOk;
    }
    if (args.command == "census") {
        writeOutput(censusCsv(transformer, result, args.stack), args.out);
        return kExitOk;
    }
    writeOutput(runJson(*model, result).dump(), args.out);
    return kExitOk;
}

} // namespace

int main(int argc, char** argv)
{
    configureHeapForInference(); // core/gemm.h
    try {
        return run(argc, argv);
    } catch (const UsageFailure& e) {
        std::cerr << "attnscope-cli: " << e.message << "\n\n" << kUsage;
        return kExitUsage;
    } catch (const UsageError& e) {
        std::cerr << "attnscope-cli: " << e.what() << '\n';
        return kExitUsage;
    } catch (const ModelError& e) {
        std::cerr << e.what() << '\n';
        return kExitModel;
    } catch (const IoError& e) {
        std::cerr << e.what() << '\n';
        return kExitIo;
    } catch (const std::bad_alloc&) {
        std::cerr << "attnscope-cli: out of memory\n";
        return kExitIo;
    } catch (const std::exception& e) {
        std::cerr << "attnscope-cli: internal error: " << e.what() << '\n';
        return 1;
    }
}
