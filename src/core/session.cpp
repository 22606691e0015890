// See session.h. Reading reuses the model loader's strict JSON parser and typed getters
// (json_util.h) and turns their ModelError into a SessionError with the same file and path.
#include "core/session.h"

#include "core/analysis/teaching.h"
#include "core/errors.h"
#include "core/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// Rejects keys outside `allowed` at `path`.
void checkKeys(const JsonReader& r, const Json& object, const std::string& path,
               std::initializer_list<const char*> allowed)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        std::string list;
        for (const char* a : allowed) {
            known = known || it.key() == a;
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        if (!known) r.fail(path + "/" + jsonPointerEscape(it.key()), "unknown key (expected one of " + list + ")");
    }
}

bool has(const Json& object, const char* key) { return object.find(key) != object.end(); }

// An optional object member: null when absent, else it must be an object.
const Json* optionalObject(const JsonReader& r, const Json& object, const std::string& path, const char* key)
{
    if (!has(object, key)) return nullptr;
    return &r.requireObject(object, path, key);
}

std::string optionalString(const JsonReader& r, const Json& object, const std::string& path, const char* key,
                           const std::string& fallback)
{
    return has(object, key) ? r.requireString(object, path, key) : fallback;
}

// An optional index: absent or null = −1 (automatic).
int optionalIndex(const JsonReader& r, const Json& object, const std::string& path, const char* key, int max)
{
    if (!has(object, key) || object.at(key).is_null()) return -1;
    return int(r.requireInt(object, path, key, 0, max));
}

SessionHead readHead(const JsonReader& r, const Json& object, const std::string& path, bool requireAll)
{
    SessionHead h;
    if (requireAll || has(object, "stack")) {
        const std::string name = r.requireEnum(object, path, "stack", {"encoder", "decoder", "cross"});
        stackFromString(name, h.stack);
    }
    if (requireAll || has(object, "layer")) h.layer = int(r.requireInt(object, path, "layer", 0, kMaxLayers - 1));
    if (requireAll || has(object, "head")) h.head = int(r.requireInt(object, path, "head", 0, kMaxHeads - 1));
    return h;
}

Session parse(const std::string& text, const JsonReader& r)
{
    const Json root = parseModelJson(text, r.file());
    r.expectType(root, "", "object");
    // The format first, so that a model file opened as a session says what it is.
    const std::string format = r.requireString(root, "", "format");
    if (format != kSessionFormat)
        r.fail("/format", "expected \"" + std::string(kSessionFormat) + "\", got \"" + format + "\"" +
                              (format == "attnscope-model" ? " (this is a model file, not a session)" : ""));
    const Json& version = r.require(root, "", "version");
    r.expectType(version, "/version", "integer");
    if (!version.is_number_integer() || version.get<long long>() != kSessionVersion)
        r.fail("/version", "unsupported session version " + version.dump() + " (this AttnScope reads version " +
                               std::to_string(kSessionVersion) + ")");
    checkKeys(r, root, "", {"format", "version", "notes", "model", "input", "selection", "ablation", "view"});

    Session s;
    s.notes = optionalString(r, root, "", "notes", "");
    s.model = r.requireString(root, "", "model");
    if (s.model.empty()) r.fail("/model", "empty model path");

    if (const Json* in = optionalObject(r, root, "", "input")) {
        checkKeys(r, *in, "/input", {"text", "target", "pair", "generate"});
        s.text = optionalString(r, *in, "/input", "text", "");
        s.target = optionalString(r, *in, "/input", "target", "");
        s.pair = optionalString(r, *in, "/input", "pair", "");
        s.generate = r.optionalBool(*in, "/input", "generate", false);
    }
    if (const Json* sel = optionalObject(r, root, "", "selection")) {
        checkKeys(r, *sel, "/selection", {"stack", "layer", "head", "mean_of_heads"});
        s.selection = readHead(r, *sel, "/selection", false);
        s.meanOfHeads = r.optionalBool(*sel, "/selection", "mean_of_heads", false);
    }
    if (const Json* ab = optionalObject(r, root, "", "ablation")) {
        checkKeys(r, *ab, "/ablation", {"mode", "reference", "heads"});
        if (has(*ab, "mode"))
            s.ablationMode = r.requireEnum(*ab, "/ablation", "mode", {"zero", "mean"}) == "mean" ? AblationMode::Mean
                                                                                               : AblationMode::Zero;
        s.ablationReference = optionalString(r, *ab, "/ablation", "reference", "");
        if (has(*ab, "heads")) {
            const Json& heads = r.requireArray(*ab, "/ablation", "heads");
            std::set<SessionHead> seen;
            for (size_t i = 0; i < heads.size(); ++i) {
                const std::string p = "/ablation/heads/" + std::to_string(i);
                r.expectType(heads[i], p, "object");
                checkKeys(r, heads[i], p, {"stack", "layer", "head"});
                const SessionHead h = readHead(r, heads[i], p, true);
                if (!seen.insert(h).second) r.fail(p, "head listed twice");
                s.ablated.push_back(h);
            }
        }
    }
    if (const Json* view = optionalObject(r, root, "", "view")) {
        checkKeys(r, *view, "/view", {"tab", "colormap", "log_scale", "step_through"});
        if (has(*view, "tab")) {
            s.tab = r.requireString(*view, "/view", "tab");
            const bool ok = !s.tab.empty() && std::all_of(s.tab.begin(), s.tab.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
            if (!ok) r.fail("/view/tab", "expected a view name such as \"head\" or \"step-through\", got \"" + s.tab + "\"");
        }
        if (has(*view, "colormap")) {
            s.colormap = r.requireString(*view, "/view", "colormap");
            if (s.colormap.empty()) r.fail("/view/colormap", "empty colour map name");
        }
        s.logScale = r.optionalBool(*view, "/view", "log_scale", false);
        if (const Json* st = optionalObject(r, *view, "/view", "step_through")) {
            const std::string p = "/view/step_through";
            checkKeys(r, *st, p, {"temperature", "panel", "query", "key"});
            if (has(*st, "temperature")) {
                s.temperature = r.requireNumber(*st, p, "temperature");
                // The same bounds as the app's spin box; checked with a little slack for decimals.
                if (s.temperature < double(kMinTemperature) - 1e-9 || s.temperature > double(kMaxTemperature) + 1e-9) {
                    std::ostringstream m;
                    m << "temperature " << s.temperature << " is out of range [" << kMinTemperature << ", "
                      << kMaxTemperature << "]";
                    r.fail(p + "/temperature", m.str());
                }
            }
            if (has(*st, "panel")) s.stepPanel = r.requireEnum(*st, p, "panel", {"steps", "neuron"});
            s.stepQuery = optionalIndex(r, *st, p, "query", kMaxLen - 1);
            s.stepKey = optionalIndex(r, *st, p, "key", kMaxLen - 1);
        }
    }
    return s;
}

std::string stackName(Stack s) { return toString(s); }

int layersOf(const ModelConfig& c, Stack s) { return s == Stack::Encoder ? c.encoderLayers : c.decoderLayers; }

bool stackExists(const ModelConfig& c, Stack s)
{
    switch (s) {
    case Stack::Encoder: return c.hasEncoder();
    case Stack::Decoder: return c.hasDecoder();
    case Stack::Cross: return c.hasCrossAttention();
    }
    return false;
}

std::string stacksOf(const ModelConfig& c)
{
    std::string out;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross})
        if (stackExists(c, s)) out += (out.empty() ? "" : ", ") + stackName(s);
    return out;
}

void validateHead(const SessionHead& h, const ModelConfig& c, const std::string& path,
                  const std::string& file)
{
    if (!stackExists(c, h.stack))
        throw SessionError(file, path + "/stack",
                           "stack \"" + stackName(h.stack) + "\" does not exist in this " + toString(c.type) +
                               " model (its stacks: " + stacksOf(c) + ")");
    const int layers = layersOf(c, h.stack);
    if (h.layer >= layers)
        throw SessionError(file, path + "/layer",
                           "layer " + std::to_string(h.layer) + " is out of range: the model's " + stackName(h.stack) +
                               " stack has " + std::to_string(layers) + " layer(s), 0 to " + std::to_string(layers - 1));
    if (h.head >= c.nHeads)
        throw SessionError(file, path + "/head",
                           "head " + std::to_string(h.head) + " is out of range: the model has " +
                               std::to_string(c.nHeads) + " head(s) per layer, 0 to " + std::to_string(c.nHeads - 1));
}

} // namespace

bool Session::operator==(const Session& o) const
{
    return notes == o.notes && model == o.model && text == o.text && target == o.target && pair == o.pair && generate == o.generate &&
           selection == o.selection && meanOfHeads == o.meanOfHeads && ablationMode == o.ablationMode &&
           ablationReference == o.ablationReference && ablated == o.ablated && tab == o.tab &&
           colormap == o.colormap && logScale == o.logScale && temperature == o.temperature &&
           stepPanel == o.stepPanel && stepQuery == o.stepQuery && stepKey == o.stepKey;
}

const char* toString(AblationMode mode) { return mode == AblationMode::Mean ? "mean" : "zero"; }

Session parseSession(const std::string& text, const std::string& file)
{
    const JsonReader r(file);
    try {
        return parse(text, r);
    } catch (const ModelError& e) {
        throw SessionError(e.file(), e.jsonPath(), e.message());
    }
}

Session loadSession(const std::string& path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw IoError(path + ": is a directory, not a session file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot open file: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw IoError(path + ": read failed");
    return parseSession(text.str(), path);
}

std::string toJson(const Session& s)
{
    using OJson = nlohmann::ordered_json;
    auto head = [](const SessionHead& h) {
        return OJson{{"stack", stackName(h.stack)}, {"layer", h.layer}, {"head", h.head}};
    };
    OJson j;
    j["format"] = kSessionFormat;
    j["version"] = kSessionVersion;
    j["notes"] = s.notes;
    j["model"] = s.model;
    j["input"] = {{"text", s.text}, {"target", s.target}, {"pair", s.pair}, {"generate", s.generate}};
    OJson sel = head(s.selection);
    sel["mean_of_heads"] = s.meanOfHeads;
    j["selection"] = sel;
    OJson heads = OJson::array();
    for (const SessionHead& h : s.ablated) heads.push_back(head(h));
    j["ablation"] = {{"mode", toString(s.ablationMode)}, {"reference", s.ablationReference}, {"heads", heads}};
    OJson st = {{"temperature", s.temperature}, {"panel", s.stepPanel}};
    st["query"] = s.stepQuery >= 0 ? OJson(s.stepQuery) : OJson(nullptr);
    st["key"] = s.stepKey >= 0 ? OJson(s.stepKey) : OJson(nullptr);
    j["view"] = {{"tab", s.tab}, {"colormap", s.colormap}, {"log_scale", s.logScale}, {"step_through", st}};
    return j.dump(2) + "\n";
}

void validateSession(const Session& s, const ModelConfig& config, const std::string& file)
{
    validateHead(s.selection, config, "/selection", file);
    for (size_t i = 0; i < s.ablated.size(); ++i)
        validateHead(s.ablated[i], config, "/ablation/heads/" + std::to_string(i), file);
}

std::string storedModelPath(const std::string& modelPath, const std::string& sessionPath)
{
    const fs::path model = fs::path(modelPath).lexically_normal();
    const fs::path dir = fs::path(sessionPath).lexically_normal().parent_path();
    if (!model.is_absolute() || !dir.is_absolute() || model.root_name() != dir.root_name()) return model.generic_string();
    const fs::path rel = model.lexically_relative(dir);
    return rel.empty() ? model.generic_string() : rel.generic_string();
}

std::string resolveModelPath(const std::string& stored, const std::string& sessionPath)
{
    const fs::path p(stored);
    if (p.is_absolute()) return p.lexically_normal().string();
    return (fs::path(sessionPath).parent_path() / p).lexically_normal().string();
}

bool looksLikeSession(const std::string& head)
{
    // "format" <ws> : <ws> "attnscope-session", anywhere in the first bytes.
    const std::string key = "\"format\"";
    const std::string value = std::string("\"") + kSessionFormat + "\"";
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    for (size_t at = head.find(key); at != std::string::npos; at = head.find(key, at + 1)) {
        size_t i = at + key.size();
        while (i < head.size() && space(head[i])) ++i;
        if (i >= head.size() || head[i] != ':') continue;
        ++i;
        while (i < head.size() && space(head[i])) ++i;
        if (head.compare(i, value.size(), value) == 0) return true;
    }
    return false;
}

} // namespace attnscope
