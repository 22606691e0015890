// Strict, path-aware JSON reading for the model loader: every failure becomes a
// ModelError naming the file and the JSON Pointer of the offending value.
#pragma once

#include "core/errors.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>

namespace attnscope {

using Json = nlohmann::json;

// RFC 6901 escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string jsonPointerEscape(const std::string& token);

// Maximum nesting depth accepted in a model file (a valid file needs 4).
constexpr int kMaxJsonDepth = 32;

// Parses text; syntax errors, duplicate keys and excessive nesting throw ModelError
// (syntax errors carry line and column).
Json parseModelJson(const std::string& text, const std::string& file);

class JsonReader {
public:
    explicit JsonReader(std::string file) : m_file(std::move(file)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const;

    const Json& require(const Json& object, const std::string& path, const char* key) const;
    const Json& requireObject(const Json& object, const std::string& path, const char* key) const;
    const Json& requireArray(const Json& object, const std::string& path, const char* key) const;
    std::string requireString(const Json& object, const std::string& path, const char* key) const;
    long long requireInt(const Json& object, const std::string& path, const char* key, long long min, long long max) const;
    double requireNumber(const Json& object, const std::string& path, const char* key) const;
    bool requireBool(const Json& object, const std::string& path, const char* key) const;
    bool optionalBool(const Json& object, const std::string& path, const char* key, bool fallback) const;
    std::string requireEnum(const Json& object, const std::string& path, const char* key,
                            std::initializer_list<const char*> allowed) const;
    // Checks that value has the given type name ("object", "array", "string", ...).
    void expectType(const Json& value, const std::string& path, const char* type) const;

    const std::string& file() const { return m_file; }

private:
    std::string m_file;
};

std::string typeName(const Json& value); // "integer" for integral numbers, else nlohmann's names

} // namespace attnscope
