// `attnscope-cli lens`: the logit lens of a decoder-only model (core/analysis/logit_lens.h;
// docs/cli.md, docs/logit-lens.md) as a position × point table or as JSON. Own argument parsing,
// as attribute.cpp; errors are UsageError (exit 2) as everywhere else in the CLI.
#include "cli/lens.h"

#include "cli/out_json.h"
#include "core/analysis/logit_lens.h"
#include "core/errors.h"
#include "core/inference.h"
#include "core/model_loader.h"
#include "core/transformer.h"

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace attnscope {

namespace {

struct LensArgs {
    std::string model;
    std::string revision;
    std::optional<std::string> text;
    std::optional<std::vector<int>> ids;
    int topK = 5;
    std::string point = "all"; // attn, mlp or all
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
    throw UsageError(std::string("lens: ") + name + " expects an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got \"" + v + "\"");
}

LensArgs parse(int argc, char** argv)
{
    LensArgs a;
    std::vector<std::string> positional;
    for (int i = 2; i < argc; ++i) { // argv[1] is "lens"
        const std::string arg = argv[i];
        auto value = [&](const char* name) {
            if (i + 1 >= argc) throw UsageError(std::string("lens: ") + name + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--text") a.text = value("--text");
        else if (arg == "--ids") {
            std::vector<int> ids;
            std::stringstream list(value("--ids"));
            std::string item;
            while (std::getline(list, item, ',')) ids.push_back(parseInteger(item, "--ids", 0, 100000000));
            if (ids.empty()) throw UsageError("lens: --ids expects comma-separated token ids");
            a.ids = std::move(ids);
        } else if (arg == "--top-k") a.topK = parseInteger(value("--top-k"), "--top-k", 1, 1000);
        else if (arg == "--point") {
            a.point = value("--point");
            if (a.point != "attn" && a.point != "mlp" && a.point != "all")
                throw UsageError("lens: --point expects attn, mlp or all, got \"" + a.point + "\"");
        } else if (arg == "--revision") a.revision = value("--revision");
        else if (arg == "--json") a.json = true;
        else if (arg.size() > 1 && arg[0] == '-') throw UsageError("lens: unknown option " + arg);
        else positional.push_back(arg);
    }
    if (positional.empty()) throw UsageError("lens: missing MODEL argument");
    if (positional.size() > 1) throw UsageError("lens: unexpected argument \"" + positional[1] + "\"");
    a.model = positional[0];
    if (!a.text && !a.ids) throw UsageError("lens: --text or --ids is required");
    if (a.text && a.ids) throw UsageError("lens: --text and --ids are mutually exclusive");
    if (a.text && a.text->empty()) throw UsageError("lens: --text is empty: give the text to read the lens on");
    return a;
}

// Number of code points (a terminal column each, near enough for the table).
size_t columns(const std::string& s)
{
    size_t n = 0;
    for (const unsigned char ch : s) n += (ch & 0xC0) != 0x80;
    return n;
}

// A token as one table cell: white space made visible, at most `width` columns.
std::string cellText(const std::string& text, size_t width)
{
    std::string out;
    for (const char ch : text) {
        if (ch == ' ') out += "\u2423"; // ␣
        else if (ch == '\n') out += "\\n";
        else if (ch == '\t') out += "\\t";
        else out += ch;
    }
    if (columns(out) <= width) return out + std::string(width - columns(out), ' ');
    std::string cut;
    size_t n = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        const bool start = (static_cast<unsigned char>(out[i]) & 0xC0) != 0x80;
        if (start && ++n > width - 1) break;
        cut += out[i];
    }
    return cut + "~" + std::string(width - columns(cut) - 1, ' ');
}

std::string rowName(const LensRow& r)
{
    return r.point == LensPoint::Embedding ? std::string("embed") : toString(r.point) + std::to_string(r.layer);
}

} // namespace

int lensCommand(int argc, char** argv)
{
    const LensArgs a = parse(argc, argv);
    const std::shared_ptr<const Model> model = loadModel(a.model, a.revision);
    const ModelConfig& c = model->config;
    if (c.type != ArchType::Decoder)
        throw UsageError("lens: the logit lens needs a decoder-only (causal LM) model; " + model->name + " is " +
                         toString(c.type));
    if (a.point == "attn" && c.parallelResidual)
        throw UsageError("lens: " + model->name +
                         " has a parallel residual (attention and MLP read the same x): "
                         "there is no after-attention point; use --point mlp or all (docs/logit-lens.md)");
    std::vector<std::string> warnings;
    std::vector<int> ids;
    if (a.ids) {
        ids = *a.ids;
    } else {
        for (const Token& t : sourceTokensOf(*model, *a.text, warnings)) ids.push_back(t.id);
    }
    const Transformer transformer(model);
    LensOptions options;
    options.topK = a.topK;
    options.afterAttention = a.point != "mlp";
    options.afterLayer = a.point != "attn";
    const LogitLens lens = computeLogitLens(transformer, ids, options);
    const Tokenizer& out = model->outputTokenizer();
    const Tokenizer& in = model->sourceTokenizer;
    auto inputText = [&](int id) {
        return id < in.vocab().size() ? tokenText(in, id) : "<id " + std::to_string(id) + ">";
    };

    if (a.json) {
        OutJson j;
        j["model"] = model->name;
        j["top_k"] = a.topK;
        j["parallel_residual"] = lens.parallelResidual;
        OutJson tokens = OutJson::array();
        for (size_t i = 0; i < ids.size(); ++i)
            tokens.push_back({{"position", i}, {"id", ids[i]}, {"text", inputText(ids[i])}});
        j["tokens"] = tokens;
        OutJson finalTop = OutJson::array();
        for (const int id : lens.finalTop1) finalTop.push_back({{"id", id}, {"text", tokenText(out, id)}});
        j["final_top1"] = finalTop;
        OutJson points = OutJson::array();
        for (const LensRow& r : lens.rows) {
            OutJson cells = OutJson::array();
            for (size_t i = 0; i < r.cells.size(); ++i) {
                const LensCell& cell = r.cells[i];
                OutJson top = OutJson::array();
                for (size_t k = 0; k < cell.topIds.size(); ++k)
                    top.push_back({{"id", cell.topIds[k]},
                                   {"text", tokenText(out, cell.topIds[k])},
                                   {"probability", float(cell.topProbs[k])}});
                cells.push_back({{"position", i},
                                 {"top_k", top},
                                 {"final_top1_probability", float(cell.finalTop1Prob)},
                                 {"kl", float(cell.klFromFinal)}});
            }
            points.push_back({{"point", toString(r.point)}, {"layer", r.layer}, {"positions", cells}});
        }
        j["points"] = points;
        j["warnings"] = warnings;
        std::cout << j.dump() << '\n';
        return 0;
    }

    std::printf("model:  %s (%d layers, final norm %s, recomputed at every point)\n", model->name.c_str(),
                c.decoderLayers, c.finalNorm ? toString(c.normKind).c_str() : "none");
    std::printf("lens:   top-1 token, its probability and KL(final || point) in nats, per position and point\n");
    if (lens.parallelResidual && a.point != "mlp")
        std::printf("note:   parallel residual: no after-attention points (docs/logit-lens.md)\n");
    constexpr size_t kTokenWidth = 6;
    std::printf("\n%4s %-*s", "pos", int(kTokenWidth), "input");
    for (const LensRow& r : lens.rows) std::printf(" | %-*s", int(kTokenWidth + 11), rowName(r).c_str());
    std::printf("\n");
    for (size_t i = 0; i < ids.size(); ++i) {
        std::printf("%4zu %s", i, cellText(inputText(ids[i]), kTokenWidth).c_str());
        for (const LensRow& r : lens.rows) {
            const LensCell& cell = r.cells[i];
            std::printf(" | %s %4.2f %5.2f", cellText(tokenText(out, cell.topIds.front()), kTokenWidth).c_str(),
                        cell.topProbs.front(), cell.klFromFinal);
        }
        std::printf("\n");
    }
    for (const std::string& w : warnings) std::printf("warning: %s\n", w.c_str());
    return 0;
}

} // namespace attnscope
