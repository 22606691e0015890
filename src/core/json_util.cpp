// See json_util.h. The parse callback tracks the current JSON Pointer so duplicate keys and
// over-deep nesting are reported where they occur; nlohmann's own parser is iterative, so
// deep input cannot overflow the stack before the depth check fires.
#include "core/json_util.h"

#include <cmath>
#include <set>
#include <vector>

namespace attnscope {

std::string jsonPointerEscape(const std::string& token)
{
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string typeName(const Json& value)
{
    if (value.is_number_integer()) return "integer";
    if (value.is_number_float()) return "number";
    return value.type_name();
}

namespace {

struct Frame {
    bool isArray = false;
    long long index = -1; // arrays: index of the current element
    std::string key;      // objects: the current key
    std::set<std::string> keys;
};

std::string pointerOf(const std::vector<Frame>& stack, size_t depth)
{
    std::string path;
    for (size_t i = 0; i < depth && i < stack.size(); ++i) {
        const Frame& f = stack[i];
        path += "/" + (f.isArray ? std::to_string(f.index) : jsonPointerEscape(f.key));
    }
    return path;
}

void lineAndColumn(const std::string& text, size_t byte, size_t& line, size_t& column)
{
    line = 1;
    column = 1;
    const size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
    for (size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

} // namespace

Json parseModelJson(const std::string& text, const std::string& file)
{
    std::vector<Frame> stack;
    auto enterValue = [&stack] {
        if (!stack.empty() && stack.back().isArray) ++stack.back().index;
    };
    auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) -> bool {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start: {
            enterValue();
            if (stack.size() >= static_cast<size_t>(kMaxJsonDepth))
                throw ModelError(file, pointerOf(stack, stack.size()),
                                 "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
            Frame f;
            f.isArray = event == Json::parse_event_t::array_start;
            stack.push_back(std::move(f));
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            if (!stack.empty()) stack.pop_back();
            break;
        case Json::parse_event_t::key: {
            Frame& f = stack.back();
            f.key = parsed.get<std::string>();
            if (!f.keys.insert(f.key).second)
                throw ModelError(file, pointerOf(stack, stack.size()), "duplicate key \"" + f.key + "\"");
            break;
        }
        case Json::parse_event_t::value:
            enterValue();
            break;
        }
        return true;
    };
    try {
        return Json::parse(text, callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
    } catch (const Json::parse_error& e) {
        size_t line = 0, column = 0;
        lineAndColumn(text, e.byte, line, column);
        std::string what = e.what();
        // nlohmann's message is "[json.exception.parse_error.101] parse error at line L, column C: ..."
        const auto colon = what.find(": ", what.find("parse error"));
        const std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
        throw ModelError(file, "/", "invalid JSON at line " + std::to_string(line) + ", column " +
                                        std::to_string(column) + ": " + detail);
    } catch (const Json::out_of_range&) {
        // nlohmann reports a number beyond double's range (e.g. 1e400) before the callback
        // sees it: the value is the next element of the innermost open container.
        std::vector<Frame> at = stack;
        if (!at.empty() && at.back().isArray) ++at.back().index;
        throw ModelError(file, pointerOf(at, at.size()), "value is not finite");
    } catch (const Json::exception& e) {
        throw ModelError(file, pointerOf(stack, stack.size()), std::string("invalid JSON: ") + e.what());
    }
}

void JsonReader::fail(const std::string& path, const std::string& message) const
{
    throw ModelError(m_file, path, message);
}

void JsonReader::expectType(const Json& value, const std::string& path, const char* type) const
{
    const std::string actual = typeName(value);
    const std::string want = type;
    if (actual == want) return;
    if (want == "number" && actual == "integer") return;
    fail(path, "expected " + want + ", got " + actual);
}

const Json& JsonReader::require(const Json& object, const std::string& path, const char* key) const
{
    const auto it = object.find(key);
    if (it == object.end()) fail(path + "/" + jsonPointerEscape(key), "missing required key");
    return *it;
}

const Json& JsonReader::requireObject(const Json& object, const std::string& path, const char* key) const
{
    const Json& v = require(object, path, key);
    expectType(v, path + "/" + key, "object");
    return v;
}

const Json& JsonReader::requireArray(const Json& object, const std::string& path, const char* key) const
{
    const Json& v = require(object, path, key);
    expectType(v, path + "/" + key, "array");
    return v;
}

std::string JsonReader::requireString(const Json& object, const std::string& path, const char* key) const
{
    const Json& v = require(object, path, key);
    expectType(v, path + "/" + key, "string");
    return v.get<std::string>();
}

long long JsonReader::requireInt(const Json& object, const std::string& path, const char* key, long long min,
                                 long long max) const
{
    const Json& v = require(object, path, key);
    const std::string p = path + "/" + key;
    expectType(v, p, "integer");
    if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(max))
        fail(p, "value " + v.dump() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    const long long n = v.get<long long>();
    if (n < min || n > max)
        fail(p, "value " + std::to_string(n) + " is out of range [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]");
    return n;
}

double JsonReader::requireNumber(const Json& object, const std::string& path, const char* key) const
{
    const Json& v = require(object, path, key);
    expectType(v, path + "/" + key, "number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(path + "/" + key, "value is not finite");
    return d;
}

bool JsonReader::requireBool(const Json& object, const std::string& path, const char* key) const
{
    const Json& v = require(object, path, key);
    expectType(v, path + "/" + key, "boolean");
    return v.get<bool>();
}

bool JsonReader::optionalBool(const Json& object, const std::string& path, const char* key, bool fallback) const
{
    if (object.find(key) == object.end()) return fallback;
    return requireBool(object, path, key);
}

std::string JsonReader::requireEnum(const Json& object, const std::string& path, const char* key,
                                    std::initializer_list<const char*> allowed) const
{
    const std::string value = requireString(object, path, key);
    std::string list;
    for (const char* a : allowed) {
        if (value == a) return value;
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    fail(path + "/" + key, "expected one of " + list + ", got \"" + value + "\"");
}

} // namespace attnscope
