// Hugging Face tokenizer files (hf_tokenizer.h). Everything read is validated here, with the
// file and the JSON pointer (or "line N") of the first problem; the backends get only ids
// known to be valid.
#include "core/hf_tokenizer.h"

#include "core/bpe_tokenizer.h"
#include "core/errors.h"
#include "core/json_util.h"
#include "core/sentencepiece_bpe.h"
#include "core/wordpiece_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>

namespace attnscope {

namespace {

constexpr int kMaxVocabulary = 10'000'000; // far above any real model; bounds the id arrays

std::string quote(const std::string& s) { return "\"" + s + "\""; }
std::string child(const std::string& path, const std::string& key) { return path + "/" + jsonPointerEscape(key); }
std::string child(const std::string& path, size_t index) { return path + "/" + std::to_string(index); }
std::string lineRef(size_t line) { return "line " + std::to_string(line); }

bool fileExists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw IoError("cannot read " + path);
    return s.str();
}

// Lines as std::getline gives them, less a trailing '\r' (Hugging Face reads lines the same way);
// a final newline does not start another line.
std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

// The tokenizer_config.json / special_tokens_map.json pair, either possibly absent.
struct SideFiles {
    Json config = Json::object();
    std::string configFile;
    Json specialMap = Json::object();
    std::string specialMapFile;
};

Json parseSideJson(const std::string& text, const std::string& file)
{
    if (text.empty()) return Json::object();
    Json j = parseModelJson(text, file);
    if (!j.is_object()) throw ModelError(file, "/", "expected object, got " + typeName(j));
    return j;
}

struct SideToken {
    std::string content;
    bool lstrip = false;
    bool rstrip = false;
    std::string file;
    std::string path;
};

// "mask_token": "<mask>" or {"content": "<mask>", "lstrip": true, ...}; null means none.
bool sideToken(const SideFiles& side, const char* key, SideToken& out)
{
    bool found = false;
    for (const auto* src : {&side.config, &side.specialMap}) { // the map wins, as in transformers
        const std::string& file = src == &side.config ? side.configFile : side.specialMapFile;
        const auto it = src->find(key);
        if (it == src->end() || it->is_null()) continue;
        const JsonReader r(file);
        const std::string path = child("", key);
        SideToken t;
        t.file = file;
        t.path = path;
        if (it->is_string()) {
            t.content = it->get<std::string>();
        } else if (it->is_object()) {
            t.content = r.requireString(*it, path, "content");
            t.lstrip = r.optionalBool(*it, path, "lstrip", false);
            t.rstrip = r.optionalBool(*it, path, "rstrip", false);
        } else {
            r.fail(path, "expected string or object, got " + typeName(*it));
        }
        out = t;
        found = true;
    }
    return found;
}

bool sideBool(const SideFiles& side, const char* key, bool fallback)
{
    const auto it = side.config.find(key);
    if (it == side.config.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw ModelError(side.configFile, child("", key), "expected boolean, got " + typeName(*it));
    return it->get<bool>();
}

// An id as int; -1 for one outside [0, kMaxVocabulary] (the caller reports it).
int boundedId(const Json& id)
{
    if (id.is_number_unsigned()) return id.get<unsigned long long>() > unsigned(kMaxVocabulary) ? -1 : id.get<int>();
    const long long n = id.get<long long>();
    return n < 0 || n > kMaxVocabulary ? -1 : int(n);
}

// A token -> id object (vocab.json, model.vocab): ids must be exactly 0 .. N-1.
Vocabulary readVocabObject(const Json& vocab, const JsonReader& r, const std::string& path)
{
    r.expectType(vocab, path.empty() ? "/" : path, "object");
    if (vocab.size() > size_t(kMaxVocabulary)) r.fail(path, "more than " + std::to_string(kMaxVocabulary) + " tokens");
    std::vector<std::string> tokens(vocab.size());
    std::vector<bool> used(vocab.size(), false);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const std::string p = child(path, it.key());
        r.expectType(it.value(), p, "integer");
        const int id = boundedId(it.value());
        if (id < 0 || id >= static_cast<int>(tokens.size()))
            r.fail(p, "id " + it.value().dump() + " is outside 0.." + std::to_string(tokens.size() - 1) +
                          " (ids must number the " + std::to_string(tokens.size()) + " tokens without gaps)");
        if (used[size_t(id)]) r.fail(p, "id " + std::to_string(id) + " is also the id of " + quote(tokens[size_t(id)]));
        used[size_t(id)] = true;
        tokens[size_t(id)] = it.key();
    }
    return Vocabulary(std::move(tokens));
}

int requireToken(const Vocabulary& v, const std::string& token, const std::string& file, const std::string& path)
{
    const int id = v.find(token);
    if (id < 0) throw ModelError(file, path, "token " + quote(token) + " is not in the vocabulary");
    return id;
}

// Roles from the tokens' usual spellings (BERT's [CLS].., RoBERTa's <s>.., GPT-2's
// <|endoftext|>), then from tokenizer_config.json / special_tokens_map.json.
void assignRoles(Vocabulary& v, const SideFiles& side, std::vector<AddedToken>* added)
{
    struct Default {
        SpecialRole role;
        const char* tokens[3];
    };
    static const Default kDefaults[] = {
        {SpecialRole::Pad, {"[PAD]", "<pad>", nullptr}},        {SpecialRole::Unk, {"[UNK]", "<unk>", nullptr}},
        {SpecialRole::Cls, {"[CLS]", "<s>", nullptr}},          {SpecialRole::Sep, {"[SEP]", "</s>", nullptr}},
        {SpecialRole::Mask, {"[MASK]", "<mask>", nullptr}},     {SpecialRole::Bos, {"<s>", "<|endoftext|>", nullptr}},
        {SpecialRole::Eos, {"</s>", "<|endoftext|>", nullptr}},
    };
    for (const Default& d : kDefaults) {
        if (v.special(d.role) >= 0) continue;
        for (const char* t : d.tokens) {
            if (!t) break;
            const int id = v.find(t);
            if (id >= 0) {
                v.setSpecial(d.role, id);
                break;
            }
        }
    }
    static const std::pair<const char*, SpecialRole> kKeys[] = {
        {"pad_token", SpecialRole::Pad},  {"unk_token", SpecialRole::Unk}, {"bos_token", SpecialRole::Bos},
        {"eos_token", SpecialRole::Eos},  {"cls_token", SpecialRole::Cls}, {"sep_token", SpecialRole::Sep},
        {"mask_token", SpecialRole::Mask}};
    for (const auto& [key, role] : kKeys) {
        SideToken t;
        if (!sideToken(side, key, t)) continue;
        const int id = requireToken(v, t.content, t.file, t.path);
        v.setSpecial(role, id);
        if (!added) continue;
        auto it = std::find_if(added->begin(), added->end(), [id](const AddedToken& a) { return a.id == id; });
        if (it == added->end()) {
            AddedToken a;
            a.content = t.content;
            a.id = id;
            added->push_back(a);
            it = added->end() - 1;
        }
        it->lstrip = it->lstrip || t.lstrip;
        it->rstrip = it->rstrip || t.rstrip;
    }
    // GPT-2 has one special token for everything, unknown included.
    if (v.special(SpecialRole::Unk) < 0) {
        const int eot = v.find("<|endoftext|>");
        if (eot >= 0) v.setSpecial(SpecialRole::Unk, eot);
    }
}

// The role-carrying tokens as added tokens (older layouts: transformers adds them the same way).
std::vector<AddedToken> addedFromRoles(const Vocabulary& v)
{
    std::vector<AddedToken> added;
    for (int r = 0; r < kSpecialRoleCount; ++r) {
        const int id = v.special(static_cast<SpecialRole>(r));
        if (id < 0 || std::any_of(added.begin(), added.end(), [id](const AddedToken& a) { return a.id == id; }))
            continue;
        AddedToken a;
        a.content = v.token(id);
        a.id = id;
        a.lstrip = a.content == "<mask>"; // RobertaTokenizer's mask token: AddedToken(lstrip=True)
        added.push_back(a);
    }
    return added;
}

// tokenizer_config.json's "added_tokens_decoder" ({"50256": {"content": "<|endoftext|>", ...}}),
// which transformers writes for the older layouts: each must name its vocabulary token.
void addedFromConfig(const Vocabulary& v, const SideFiles& side, std::vector<AddedToken>& added)
{
    const auto it = side.config.find("added_tokens_decoder");
    if (it == side.config.end() || it->is_null()) return;
    const JsonReader r(side.configFile);
    r.expectType(*it, "/added_tokens_decoder", "object");
    for (auto e = it->begin(); e != it->end(); ++e) {
        const std::string p = child("/added_tokens_decoder", e.key());
        const std::string& key = e.key();
        if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos)
            r.fail(p, "expected a token id as the key, got " + quote(key));
        const int id = std::stoi(key);
        r.expectType(e.value(), p, "object");
        const std::string content = r.requireString(e.value(), p, "content");
        if (id >= v.size() || v.token(id) != content)
            r.fail(p, id >= v.size()
                          ? "id " + key + " is outside the vocabulary"
                          : "id " + key + " is " + quote(v.token(id)) + " in the vocabulary, not " + quote(content));
        auto a = std::find_if(added.begin(), added.end(), [id](const AddedToken& t) { return t.id == id; });
        if (a == added.end()) {
            added.push_back(AddedToken{content, id});
            a = added.end() - 1;
        }
        a->special = r.optionalBool(e.value(), p, "special", a->special);
        a->lstrip = r.optionalBool(e.value(), p, "lstrip", a->lstrip);
        a->rstrip = r.optionalBool(e.value(), p, "rstrip", a->rstrip);
    }
}

// The role whose id is id, in order of preference; an id with no role takes the first free one.
SpecialRole roleFor(Vocabulary& v, int id, std::initializer_list<SpecialRole> preferred, const JsonReader& r,
                    const std::string& path)
{
    for (const SpecialRole role : preferred)
        if (v.special(role) == id) return role;
    for (const SpecialRole role : preferred) {
        if (v.special(role) < 0) {
            v.setSpecial(role, id);
            return role;
        }
    }
    r.fail(path, "token " + quote(v.token(id)) + " has no special role AttnScope could give it");
}

// Side files of a folder (absent files stay empty objects).
SideFiles readSideFiles(const std::string& folder)
{
    SideFiles side;
    side.configFile = folder + "/tokenizer_config.json";
    side.specialMapFile = folder + "/special_tokens_map.json";
    if (fileExists(side.configFile)) side.config = parseSideJson(readFile(side.configFile), side.configFile);
    if (fileExists(side.specialMapFile))
        side.specialMap = parseSideJson(readFile(side.specialMapFile), side.specialMapFile);
    return side;
}

// ---- tokenizer.json ----------------------------------------------------------------------

[[noreturn]] void unsupported(const JsonReader& r, const std::string& path, const char* what, const std::string& type,
                              const char* supported)
{
    r.fail(path, "unsupported " + std::string(what) + " " + quote(type) + " (AttnScope supports " + supported + ")");
}

// The "type" of a component object, or "" for null / absent.
std::string componentType(const JsonReader& r, const Json& root, const char* key)
{
    const auto it = root.find(key);
    if (it == root.end() || it->is_null()) return {};
    const std::string path = child("", key);
    r.expectType(*it, path, "object");
    return r.requireString(*it, path, "type");
}

std::pair<std::string, int> specialPair(const JsonReader& r, const Json& proc, const std::string& path, const char* key)
{
    const Json& pair = r.requireArray(proc, path, key);
    const std::string p = child(path, key);
    if (pair.size() != 2) r.fail(p, "expected [token, id]");
    r.expectType(pair[0], child(p, 0), "string");
    r.expectType(pair[1], child(p, 1), "integer");
    return {pair[0].get<std::string>(), boundedId(pair[1])};
}

int checkedSpecialId(const Vocabulary& v, const JsonReader& r, const std::string& path, const std::string& token,
                     int id)
{
    if (id < 0 || id >= v.size() || v.token(id) != token)
        r.fail(path, "token " + quote(token) + " with id " + std::to_string(id) + " does not match the vocabulary");
    return id;
}

void readPostProcessor(const JsonReader& r, const Json& proc, const std::string& path, Vocabulary& v, HfTokenizer& out)
{
    r.expectType(proc, path, "object");
    const std::string type = r.requireString(proc, path, "type");
    using R = SpecialRole;
    if (type == "ByteLevel") return;
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        const bool roberta = type == "RobertaProcessing";
        const auto [cls, clsId] = specialPair(r, proc, path, "cls");
        const auto [sep, sepId] = specialPair(r, proc, path, "sep");
        checkedSpecialId(v, r, child(path, "cls"), cls, clsId);
        checkedSpecialId(v, r, child(path, "sep"), sep, sepId);
        out.prefix = {roberta ? roleFor(v, clsId, {R::Bos, R::Cls}, r, child(path, "cls"))
                              : roleFor(v, clsId, {R::Cls, R::Bos}, r, child(path, "cls"))};
        out.suffix = {roberta ? roleFor(v, sepId, {R::Eos, R::Sep}, r, child(path, "sep"))
                              : roleFor(v, sepId, {R::Sep, R::Eos}, r, child(path, "sep"))};
        return;
    }
    if (type == "TemplateProcessing") {
        // Only the single-sequence template matters here: specials before and after "A".
        const Json& single = r.requireArray(proc, path, "single");
        const Json& specials = r.requireObject(proc, path, "special_tokens");
        bool seenSequence = false;
        out.prefix.clear();
        out.suffix.clear();
        for (size_t i = 0; i < single.size(); ++i) {
            const std::string ip = child(child(path, "single"), i);
            r.expectType(single[i], ip, "object");
            if (single[i].contains("Sequence")) {
                if (seenSequence) r.fail(ip, "a single-sequence template with two sequences");
                seenSequence = true;
                continue;
            }
            const Json& st = r.requireObject(single[i], ip, "SpecialToken");
            const std::string name = r.requireString(st, child(ip, "SpecialToken"), "id");
            const auto it = specials.find(name);
            const std::string sp = child(child(path, "special_tokens"), name);
            if (it == specials.end())
                r.fail(child(child(ip, "SpecialToken"), "id"), "no special_tokens entry " + quote(name));
            r.expectType(*it, sp, "object");
            const Json& ids = r.requireArray(*it, sp, "ids");
            const Json& tokens = r.requireArray(*it, sp, "tokens");
            if (ids.size() != tokens.size()) r.fail(sp, "ids and tokens differ in length");
            for (size_t k = 0; k < ids.size(); ++k) {
                r.expectType(ids[k], child(child(sp, "ids"), k), "integer");
                r.expectType(tokens[k], child(child(sp, "tokens"), k), "string");
                const int checked =
                    checkedSpecialId(v, r, child(child(sp, "ids"), k), tokens[k].get<std::string>(), boundedId(ids[k]));
                if (!seenSequence) out.prefix.push_back(roleFor(v, checked, {R::Cls, R::Bos}, r, sp));
                else out.suffix.push_back(roleFor(v, checked, {R::Sep, R::Eos}, r, sp));
            }
        }
        if (!seenSequence) r.fail(child(path, "single"), "the template has no Sequence");
        return;
    }
    if (type == "Sequence") {
        const Json& list = r.requireArray(proc, path, "processors");
        for (size_t i = 0; i < list.size(); ++i)
            readPostProcessor(r, list[i], child(child(path, "processors"), i), v, out);
        return;
    }
    unsupported(r, child(path, "type"), "post-processor", type,
                "BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel, Sequence");
}

// model.merges in either spelling: "a b" (tokenizers < 0.20) or ["a", "b"].
std::vector<BpeMerge> readJsonMerges(const JsonReader& r, const Json& model, const Vocabulary& v)
{
    const Json& merges = r.requireArray(model, "/model", "merges");
    std::vector<BpeMerge> out;
    out.reserve(merges.size());
    std::string left, right;
    for (size_t i = 0; i < merges.size(); ++i) {
        const std::string p = child("/model/merges", i);
        if (merges[i].is_string()) {
            const std::string s = merges[i].get<std::string>();
            const size_t space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                r.fail(p, "expected two symbols separated by one space, got " + quote(s));
            left = s.substr(0, space);
            right = s.substr(space + 1);
        } else if (merges[i].is_array()) {
            if (merges[i].size() != 2) r.fail(p, "expected a pair [left, right]");
            r.expectType(merges[i][0], child(p, 0), "string");
            r.expectType(merges[i][1], child(p, 1), "string");
            left = merges[i][0].get<std::string>();
            right = merges[i][1].get<std::string>();
        } else {
            r.fail(p, "expected string or array, got " + typeName(merges[i]));
        }
        BpeMerge m{v.find(left), v.find(right), v.find(left + right)};
        if (m.left < 0) r.fail(p, "unknown symbol " + quote(left) + " (not in /model/vocab)");
        if (m.right < 0) r.fail(p, "unknown symbol " + quote(right) + " (not in /model/vocab)");
        if (m.merged < 0) r.fail(p, "merged symbol " + quote(left + right) + " is not in /model/vocab");
        out.push_back(m);
    }
    return out;
}

// added_tokens: ids inside the vocabulary must name the same string; ids past it extend it.
// normalizedRefused: the backend cannot match tokens on its normalised text (WordPiece with a
// BertNormalizer), so "normalized": true is refused rather than matched differently.
std::vector<AddedToken> readAddedTokens(const JsonReader& r, const Json& root, Vocabulary& v, bool normalizedRefused)
{
    std::vector<AddedToken> added;
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null()) return added;
    r.expectType(*it, "/added_tokens", "array");
    std::map<long long, std::pair<std::string, std::string>> extra; // id -> token, path
    for (size_t i = 0; i < it->size(); ++i) {
        const std::string p = child("/added_tokens", i);
        const Json& a = (*it)[i];
        r.expectType(a, p, "object");
        AddedToken t;
        t.id = int(r.requireInt(a, p, "id", 0, kMaxVocabulary));
        t.content = r.requireString(a, p, "content");
        if (t.content.empty()) r.fail(child(p, "content"), "empty token");
        t.special = r.optionalBool(a, p, "special", false);
        t.lstrip = r.optionalBool(a, p, "lstrip", false);
        t.rstrip = r.optionalBool(a, p, "rstrip", false);
        t.singleWord = r.optionalBool(a, p, "single_word", false);
        t.normalized = r.optionalBool(a, p, "normalized", !t.special);
        if (normalizedRefused && t.normalized)
            r.fail(child(p, "normalized"),
                   "added tokens matched after the normalizer (normalized: true) are not supported with this normalizer");
        if (t.id < v.size()) {
            if (v.token(t.id) != t.content)
                r.fail(child(p, "id"), "id " + std::to_string(t.id) + " is " + quote(v.token(t.id)) +
                                           " in the vocabulary, not " + quote(t.content));
        } else if (!extra.emplace(t.id, std::make_pair(t.content, p)).second) {
            r.fail(child(p, "id"), "id " + std::to_string(t.id) + " is given twice");
        }
        added.push_back(std::move(t));
    }
    if (!extra.empty()) {
        std::vector<std::string> tokens = v.tokens();
        for (const auto& [id, tp] : extra) {
            if (id != static_cast<long long>(tokens.size()))
                r.fail(child(tp.second, "id"), "id " + std::to_string(id) + " leaves a gap after the vocabulary's " +
                                                   std::to_string(tokens.size()) + " tokens");
            if (v.find(tp.first) >= 0)
                r.fail(child(tp.second, "content"), quote(tp.first) + " is already in the vocabulary");
            tokens.push_back(tp.first);
        }
        v = Vocabulary(std::move(tokens));
    }
    return added;
}

// ---- BPE pipelines ---------------------------------------------------------------------------

// ByteLevel, or a Sequence whose last pre-tokenizer is ByteLevel: the byte-level backend.
bool isByteLevelPipeline(const Json& root)
{
    const auto it = root.find("pre_tokenizer");
    if (it == root.end() || !it->is_object()) return false;
    const auto type = it->find("type");
    if (type == it->end() || !type->is_string()) return false;
    if (*type == "ByteLevel") return true;
    if (*type != "Sequence") return false;
    const auto list = it->find("pretokenizers");
    if (list == it->end() || !list->is_array() || list->empty() || !list->back().is_object()) return false;
    const auto last = list->back().find("type");
    return last != list->back().end() && last->is_string() && *last == "ByteLevel";
}

// A Split / Replace "pattern": {"String": ...} or {"Regex": ...}, compiled.
std::shared_ptr<const SplitRegex> readPattern(const JsonReader& r, const Json& obj, const std::string& path,
                                              std::string* literal = nullptr)
{
    const Json& pattern = r.requireObject(obj, path, "pattern");
    const std::string pp = child(path, "pattern");
    if (pattern.size() != 1 || (!pattern.contains("String") && !pattern.contains("Regex")))
        r.fail(pp, "expected {\"String\": ...} or {\"Regex\": ...}");
    const bool regex = pattern.contains("Regex");
    const std::string text = r.requireString(pattern, pp, regex ? "Regex" : "String");
    const std::string tp = child(pp, regex ? "Regex" : "String");
    if (text.empty()) r.fail(tp, "empty pattern");
    if (!regex && literal) {
        *literal = text;
        return nullptr;
    }
    try {
        return regex ? SplitRegex::compile(text) : SplitRegex::literal(text);
    } catch (const std::invalid_argument& e) {
        r.fail(tp, e.what());
    }
}

void readByteLevelPreTokenizer(const JsonReader& r, const Json& pre, BpeSettings& settings)
{
    auto byteLevel = [&](const Json& b, const std::string& path) {
        settings.addPrefixSpace = r.optionalBool(b, path, "add_prefix_space", false);
        settings.byteLevelRegex = r.optionalBool(b, path, "use_regex", true);
        if (settings.addPrefixSpace && !settings.splits.empty())
            r.fail(child(path, "add_prefix_space"), "ByteLevel with add_prefix_space after a Split is not supported");
    };
    if (pre["type"] == "ByteLevel") return byteLevel(pre, "/pre_tokenizer");
    const Json& list = r.requireArray(pre, "/pre_tokenizer", "pretokenizers");
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string ip = child("/pre_tokenizer/pretokenizers", i);
        r.expectType(list[i], ip, "object");
        const std::string type = r.requireString(list[i], ip, "type");
        if (i + 1 == list.size()) {
            byteLevel(list[i], ip);
            break;
        }
        if (type != "Split")
            unsupported(r, child(ip, "type"), "pre-tokenizer", type, "Split ..., then ByteLevel, in a Sequence");
        BpeSplitStep step;
        step.regex = readPattern(r, list[i], ip);
        const std::string behavior = r.requireString(list[i], ip, "behavior");
        if (!splitBehaviorFromString(behavior, step.behavior))
            r.fail(child(ip, "behavior"), "unknown behavior " + quote(behavior) +
                                              " (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
        step.invert = r.optionalBool(list[i], ip, "invert", false);
        settings.splits.push_back(std::move(step));
    }
}

// One character of a string field (Metaspace's replacement, Strip's content).
std::string requireChar(const JsonReader& r, const Json& obj, const std::string& path, const char* key)
{
    const std::string s = r.requireString(obj, path, key);
    if (s.empty() || utf8SequenceLength(s, 0) != s.size()) r.fail(child(path, key), "expected one character, got " + quote(s));
    return s;
}

// The normalizer of a ByteLevel pipeline: NFC, NFD, NFKC, NFKD, or a Sequence of them.
void readUnicodeNormalizer(const JsonReader& r, const Json& n, const std::string& path, std::vector<NormalForm>& forms)
{
    r.expectType(n, path, "object");
    const std::string type = r.requireString(n, path, "type");
    if (type == "Sequence") {
        const Json& list = r.requireArray(n, path, "normalizers");
        for (size_t i = 0; i < list.size(); ++i)
            readUnicodeNormalizer(r, list[i], child(child(path, "normalizers"), i), forms);
        return;
    }
    static const std::pair<const char*, NormalForm> kForms[] = {
        {"NFC", NormalForm::Nfc}, {"NFD", NormalForm::Nfd}, {"NFKC", NormalForm::Nfkc}, {"NFKD", NormalForm::Nfkd}};
    for (const auto& [name, form] : kForms)
        if (type == name) {
            forms.push_back(form);
            return;
        }
    unsupported(r, child(path, "type"), "normalizer", type,
                "NFC, NFD, NFKC, NFKD, a Sequence of these, or none, with a ByteLevel pre-tokenizer");
}

void readSpmNormalizer(const JsonReader& r, const Json& n, const std::string& path, std::vector<SpmNormalizerStep>& steps)
{
    r.expectType(n, path, "object");
    const std::string type = r.requireString(n, path, "type");
    if (type == "Sequence") {
        const Json& list = r.requireArray(n, path, "normalizers");
        for (size_t i = 0; i < list.size(); ++i) readSpmNormalizer(r, list[i], child(child(path, "normalizers"), i), steps);
        return;
    }
    SpmNormalizerStep step;
    if (type == "Prepend") {
        step.kind = SpmNormalizerStep::Kind::Prepend;
        step.text = r.requireString(n, path, "prepend");
    } else if (type == "Replace") {
        step.kind = SpmNormalizerStep::Kind::Replace;
        step.regex = readPattern(r, n, path, &step.text);
        step.content = r.requireString(n, path, "content");
    } else {
        unsupported(r, child(path, "type"), "normalizer", type,
                    "Prepend, Replace, Sequence of these, or none, with a BPE model without ByteLevel");
    }
    steps.push_back(std::move(step));
}

MetaspaceSettings readMetaspace(const JsonReader& r, const Json& m, const std::string& path)
{
    MetaspaceSettings ms;
    ms.enabled = true;
    ms.replacement = requireChar(r, m, path, "replacement");
    const auto scheme = m.find("prepend_scheme");
    if (scheme != m.end() && !scheme->is_null()) {
        const std::string s = r.requireEnum(m, path, "prepend_scheme", {"always", "first", "never"});
        ms.scheme = s == "always" ? PrependScheme::Always : s == "first" ? PrependScheme::First : PrependScheme::Never;
    }
    const auto aps = m.find("add_prefix_space");
    if (aps != m.end() && !aps->is_null() && !r.requireBool(m, path, "add_prefix_space")) {
        // As Hugging Face: the older spelling must agree with the scheme (which defaults to always).
        if (ms.scheme != PrependScheme::Never)
            r.fail(child(path, "add_prefix_space"), "add_prefix_space does not match declared prepend_scheme");
    }
    const auto split = m.find("split");
    if (split != m.end() && !split->is_null()) ms.split = r.requireBool(m, path, "split");
    return ms;
}

void readSpmDecoder(const JsonReader& r, const Json& d, const std::string& path, std::vector<SpmDecoderStep>& steps)
{
    r.expectType(d, path, "object");
    const std::string type = r.requireString(d, path, "type");
    if (type == "Sequence") {
        const Json& list = r.requireArray(d, path, "decoders");
        for (size_t i = 0; i < list.size(); ++i) readSpmDecoder(r, list[i], child(child(path, "decoders"), i), steps);
        return;
    }
    SpmDecoderStep step;
    if (type == "Replace") {
        step.kind = SpmDecoderStep::Kind::Replace;
        step.regex = readPattern(r, d, path, &step.pattern);
        step.content = r.requireString(d, path, "content");
    } else if (type == "ByteFallback") {
        step.kind = SpmDecoderStep::Kind::ByteFallback;
    } else if (type == "Fuse") {
        step.kind = SpmDecoderStep::Kind::Fuse;
    } else if (type == "Strip") {
        step.kind = SpmDecoderStep::Kind::Strip;
        step.content = requireChar(r, d, path, "content");
        step.start = size_t(r.requireInt(d, path, "start", 0, 1'000'000));
        step.stop = size_t(r.requireInt(d, path, "stop", 0, 1'000'000));
    } else if (type == "Metaspace") {
        step.kind = SpmDecoderStep::Kind::Metaspace;
        step.metaspace = readMetaspace(r, d, path);
    } else {
        unsupported(r, child(path, "type"), "decoder", type,
                    "Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence of these, or none, with a BPE model "
                    "without ByteLevel");
    }
    steps.push_back(std::move(step));
}

HfTokenizer parseTokenizerJson(const std::string& text, const std::string& file, HfTokenizerHint hint,
                               const SideFiles& side)
{
    const JsonReader r(file);
    const Json root = parseModelJson(text, file);
    r.expectType(root, "/", "object");
    const Json& model = r.requireObject(root, "", "model");
    const std::string modelType = r.requireString(model, "/model", "type");
    if (modelType != "BPE" && modelType != "WordPiece")
        unsupported(r, "/model/type", "model", modelType, "BPE, WordPiece");
    const bool bpe = modelType == "BPE";
    if ((hint == HfTokenizerHint::ByteLevelBpe && !bpe) || (hint == HfTokenizerHint::WordPiece && bpe))
        r.fail("/model/type",
               "expected a " + std::string(bpe ? "WordPiece" : "BPE") + " model, got " + quote(modelType));

    Vocabulary vocab = readVocabObject(r.require(model, "/model", "vocab"), r, "/model/vocab");
    if (vocab.size() == 0) r.fail("/model/vocab", "empty vocabulary");
    const int modelVocabSize = vocab.size(); // before added tokens extend it

    const std::string norm = componentType(r, root, "normalizer");
    const std::string pre = componentType(r, root, "pre_tokenizer");
    const std::string dec = componentType(r, root, "decoder");
    const bool byteLevel = bpe && isByteLevelPipeline(root);
    std::vector<NormalForm> byteLevelForms; // a ByteLevel pipeline's normalizer (Qwen2's NFC)
    if (!bpe) {
        if (!norm.empty() && norm != "BertNormalizer")
            unsupported(r, "/normalizer/type", "normalizer", norm, "BertNormalizer, or none, with a WordPiece model");
        if (pre != "BertPreTokenizer")
            unsupported(r, pre.empty() ? "/pre_tokenizer" : "/pre_tokenizer/type", "pre-tokenizer",
                        pre.empty() ? "null" : pre, "BertPreTokenizer with a WordPiece model");
        if (!dec.empty() && dec != "WordPiece")
            unsupported(r, "/decoder/type", "decoder", dec, "WordPiece, or none, with a WordPiece model");
    } else if (byteLevel) {
        if (!norm.empty()) readUnicodeNormalizer(r, root["normalizer"], "/normalizer", byteLevelForms);
        if (!dec.empty() && dec != "ByteLevel")
            unsupported(r, "/decoder/type", "decoder", dec, "ByteLevel, or none, with a ByteLevel pre-tokenizer");
    }

    std::vector<AddedToken> added = readAddedTokens(r, root, vocab, (!bpe || byteLevel) && !norm.empty());

    HfTokenizer out;
    out.file = file;
    if (bpe) {
        for (const char* key : {"dropout", "continuing_subword_prefix", "end_of_word_suffix"}) {
            const auto it = model.find(key);
            if (it != model.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty()))
                r.fail(child("/model", key), std::string("BPE with ") + key + " is not supported");
        }
        const bool byteFallback = r.optionalBool(model, "/model", "byte_fallback", false);
        if (byteFallback && byteLevel)
            r.fail("/model/byte_fallback", "byte_fallback with a ByteLevel pre-tokenizer is not supported");
        const auto unk = model.find("unk_token");
        if (unk != model.end() && !unk->is_null()) {
            r.expectType(*unk, "/model/unk_token", "string");
            vocab.setSpecial(SpecialRole::Unk, requireToken(vocab, unk->get<std::string>(), file, "/model/unk_token"));
        }
        if (byteFallback) {
            char name[8];
            for (unsigned b = 0; b < 256; ++b) {
                std::snprintf(name, sizeof name, "<0x%02X>", b);
                if (vocab.find(name) < 0 || vocab.find(name) >= modelVocabSize)
                    r.fail("/model/byte_fallback", std::string("byte_fallback needs the 256 byte tokens <0x00> ... <0xFF> in "
                                                               "the vocabulary; ") + name + " is missing");
            }
        }
        const std::vector<BpeMerge> merges = readJsonMerges(r, model, vocab);
        const bool ignoreMerges = r.optionalBool(model, "/model", "ignore_merges", false);
        const bool fuseUnk = r.optionalBool(model, "/model", "fuse_unk", false);
        if (byteLevel) {
            BpeSettings settings;
            readByteLevelPreTokenizer(r, root["pre_tokenizer"], settings);
            settings.ignoreMerges = ignoreMerges;
            settings.modelVocabSize = modelVocabSize;
            settings.normalForms = byteLevelForms;
            assignRoles(vocab, side, &added);
            const auto proc = root.find("post_processor");
            if (proc != root.end() && !proc->is_null()) readPostProcessor(r, *proc, "/post_processor", vocab, out);
            out.tokenizer =
                Tokenizer(std::make_shared<ByteLevelBpeBackend>(std::move(vocab), merges, std::move(added), settings));
            return out;
        }
        SpmBpeSettings settings;
        settings.byteFallback = byteFallback;
        settings.fuseUnk = fuseUnk;
        settings.ignoreMerges = ignoreMerges;
        settings.modelVocabSize = modelVocabSize;
        if (!norm.empty()) readSpmNormalizer(r, root["normalizer"], "/normalizer", settings.normalizer);
        if (!pre.empty()) {
            if (pre != "Metaspace")
                unsupported(r, "/pre_tokenizer/type", "pre-tokenizer", pre,
                            "ByteLevel, Sequence[Split ..., ByteLevel], Metaspace, or none, with a BPE model");
            settings.metaspace = readMetaspace(r, root["pre_tokenizer"], "/pre_tokenizer");
        }
        settings.hasDecoder = !dec.empty();
        if (!dec.empty()) readSpmDecoder(r, root["decoder"], "/decoder", settings.decoder);
        assignRoles(vocab, side, &added);
        const auto proc = root.find("post_processor");
        if (proc != root.end() && !proc->is_null()) readPostProcessor(r, *proc, "/post_processor", vocab, out);
        out.tokenizer = Tokenizer(
            std::make_shared<SentencePieceBpeBackend>(std::move(vocab), merges, std::move(added), std::move(settings)));
        return out;
    }

    WordPieceSettings settings;
    vocab.setSpecial(SpecialRole::Unk,
                     requireToken(vocab, r.requireString(model, "/model", "unk_token"), file, "/model/unk_token"));
    if (model.contains("continuing_subword_prefix"))
        settings.continuingPrefix = r.requireString(model, "/model", "continuing_subword_prefix");
    if (model.contains("max_input_chars_per_word"))
        settings.maxInputCharsPerWord = int(r.requireInt(model, "/model", "max_input_chars_per_word", 0, 1'000'000));
    if (!norm.empty()) {
        const Json& n = root["normalizer"];
        BertNormalizerOptions& o = settings.normalizer;
        o.cleanText = r.optionalBool(n, "/normalizer", "clean_text", true);
        o.handleChineseChars = r.optionalBool(n, "/normalizer", "handle_chinese_chars", true);
        o.lowercase = r.optionalBool(n, "/normalizer", "lowercase", true);
        const auto sa = n.find("strip_accents");
        o.stripAccents =
            (sa == n.end() || sa->is_null()) ? o.lowercase : r.requireBool(n, "/normalizer", "strip_accents");
    } else {
        settings.normalizer = BertNormalizerOptions{false, false, false, false};
    }
    if (!dec.empty()) {
        const Json& d = root["decoder"];
        if (d.contains("prefix")) settings.continuingPrefix = r.requireString(d, "/decoder", "prefix");
        settings.decodeCleanup = r.optionalBool(d, "/decoder", "cleanup", true);
    }
    assignRoles(vocab, side, &added);
    const auto proc = root.find("post_processor");
    if (proc != root.end() && !proc->is_null()) readPostProcessor(r, *proc, "/post_processor", vocab, out);
    out.tokenizer = Tokenizer(std::make_shared<WordPieceBackend>(std::move(vocab), std::move(added), settings));
    return out;
}

// ---- vocab.json + merges.txt -----------------------------------------------------------

HfTokenizer parseBpe(const std::string& vocabJson, const std::string& vocabFile, const std::string& mergesText,
                     const std::string& mergesFile, const SideFiles& side)
{
    const JsonReader r(vocabFile);
    Vocabulary vocab = readVocabObject(parseModelJson(vocabJson, vocabFile), r, "");
    if (vocab.size() == 0) r.fail("/", "empty vocabulary");
    const std::vector<std::string> lines = splitLines(mergesText);
    std::vector<BpeMerge> merges;
    merges.reserve(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.compare(0, 8, "#version") == 0) continue;
        const size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
            line.find(' ', space + 1) != std::string::npos)
            throw ModelError(mergesFile, lineRef(i + 1),
                             "expected two symbols separated by one space, got " + quote(line));
        const std::string left = line.substr(0, space), right = line.substr(space + 1);
        BpeMerge m{vocab.find(left), vocab.find(right), vocab.find(left + right)};
        if (m.left < 0)
            throw ModelError(mergesFile, lineRef(i + 1), "unknown symbol " + quote(left) + " (not in vocab.json)");
        if (m.right < 0)
            throw ModelError(mergesFile, lineRef(i + 1), "unknown symbol " + quote(right) + " (not in vocab.json)");
        if (m.merged < 0)
            throw ModelError(mergesFile, lineRef(i + 1),
                             "merged symbol " + quote(left + right) + " is not in vocab.json");
        merges.push_back(m);
    }
    assignRoles(vocab, side, nullptr);
    std::vector<AddedToken> added = addedFromRoles(vocab);
    addedFromConfig(vocab, side, added);
    assignRoles(vocab, side, &added); // the config's lstrip / rstrip flags
    BpeSettings settings;
    settings.addPrefixSpace = sideBool(side, "add_prefix_space", false);
    HfTokenizer out;
    out.file = vocabFile;
    // RoBERTa's vocabulary has <s> ... </s> around a sequence; GPT-2's nothing.
    const int bos = vocab.find("<s>"), eos = vocab.find("</s>");
    if (bos >= 0 && eos >= 0 && vocab.special(SpecialRole::Bos) == bos && vocab.special(SpecialRole::Eos) == eos) {
        out.prefix = {SpecialRole::Bos};
        out.suffix = {SpecialRole::Eos};
    }
    out.tokenizer =
        Tokenizer(std::make_shared<ByteLevelBpeBackend>(std::move(vocab), merges, std::move(added), settings));
    return out;
}

// ---- vocab.txt -----------------------------------------------------------------------------

HfTokenizer parseWordPiece(const std::string& vocabTxt, const std::string& vocabFile, const SideFiles& side)
{
    const std::vector<std::string> lines = splitLines(vocabTxt);
    if (lines.size() > size_t(kMaxVocabulary))
        throw ModelError(vocabFile, lineRef(lines.size()), "more than " + std::to_string(kMaxVocabulary) + " tokens");
    std::vector<std::string> tokens;
    tokens.reserve(lines.size());
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string t = lines[i];
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
        if (t.empty()) throw ModelError(vocabFile, lineRef(i + 1), "empty token (id " + std::to_string(i) + ")");
        const auto [it, fresh] = seen.emplace(t, i + 1);
        if (!fresh)
            throw ModelError(vocabFile, lineRef(i + 1),
                             "duplicate token " + quote(t) + " (also line " + std::to_string(it->second) + ")");
        tokens.push_back(std::move(t));
    }
    if (tokens.empty()) throw ModelError(vocabFile, "line 1", "empty vocabulary");
    Vocabulary vocab(std::move(tokens));
    assignRoles(vocab, side, nullptr);
    if (vocab.special(SpecialRole::Unk) < 0)
        throw ModelError(vocabFile, "/", "no unknown token ([UNK]) in the vocabulary");
    std::vector<AddedToken> added = addedFromRoles(vocab);
    addedFromConfig(vocab, side, added);
    assignRoles(vocab, side, &added);
    WordPieceSettings settings;
    settings.normalizer.lowercase = sideBool(side, "do_lower_case", true);
    const auto sa = side.config.find("strip_accents");
    settings.normalizer.stripAccents = sa == side.config.end() || sa->is_null() ? settings.normalizer.lowercase
                                                                                : sideBool(side, "strip_accents", true);
    settings.normalizer.handleChineseChars = sideBool(side, "tokenize_chinese_chars", true);
    HfTokenizer out;
    out.file = vocabFile;
    if (vocab.special(SpecialRole::Cls) >= 0 && vocab.special(SpecialRole::Sep) >= 0) {
        out.prefix = {SpecialRole::Cls};
        out.suffix = {SpecialRole::Sep};
    }
    out.tokenizer = Tokenizer(std::make_shared<WordPieceBackend>(std::move(vocab), std::move(added), settings));
    return out;
}

SideFiles sideFromConfig(const std::string& configJson, const std::string& configFile)
{
    SideFiles side;
    side.configFile = configFile.empty() ? std::string("tokenizer_config.json") : configFile;
    side.config = parseSideJson(configJson, side.configFile);
    return side;
}

} // namespace

HfTokenizer parseHfTokenizerJson(const std::string& text, const std::string& file, HfTokenizerHint hint)
{
    return parseTokenizerJson(text, file, hint, SideFiles{});
}

HfTokenizer parseBpeFiles(const std::string& vocabJson, const std::string& vocabFile, const std::string& merges,
                          const std::string& mergesFile, const std::string& configJson, const std::string& configFile)
{
    return parseBpe(vocabJson, vocabFile, merges, mergesFile, sideFromConfig(configJson, configFile));
}

HfTokenizer parseWordPieceVocab(const std::string& vocabTxt, const std::string& vocabFile,
                                const std::string& configJson, const std::string& configFile)
{
    return parseWordPiece(vocabTxt, vocabFile, sideFromConfig(configJson, configFile));
}

HfTokenizer loadHfTokenizer(const std::string& folder, HfTokenizerHint hint)
{
    const std::string json = folder + "/tokenizer.json";
    const std::string vocabJson = folder + "/vocab.json", merges = folder + "/merges.txt";
    const std::string vocabTxt = folder + "/vocab.txt";
    if (fileExists(json)) return parseTokenizerJson(readFile(json), json, hint, readSideFiles(folder));
    if (hint != HfTokenizerHint::WordPiece && fileExists(vocabJson) && fileExists(merges))
        return parseBpe(readFile(vocabJson), vocabJson, readFile(merges), merges, readSideFiles(folder));
    if (hint != HfTokenizerHint::ByteLevelBpe && fileExists(vocabTxt))
        return parseWordPiece(readFile(vocabTxt), vocabTxt, readSideFiles(folder));
    throw IoError(folder + ": no tokenizer found (looked for tokenizer.json, vocab.json + merges.txt, vocab.txt)");
}

} // namespace attnscope
