// Typed errors of the core library. Library code throws these; only the outermost layer
// (CLI main, GUI slots) turns them into messages or exit codes.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace attnscope {

// Something in a JSON document is invalid. Carries the file and the JSON Pointer (RFC 6901) of
// the problem; what() is the one-line message "FILE: /json/pointer: message". The concrete
// errors below say which kind of document it was, so callers catch the one they expect.
class JsonDocumentError : public std::runtime_error {
public:
    JsonDocumentError(std::string file, std::string jsonPath, std::string message)
        : std::runtime_error(file + ": " + (jsonPath.empty() ? "/" : jsonPath) + ": " + message),
          m_file(std::move(file)), m_jsonPath(jsonPath.empty() ? "/" : std::move(jsonPath)),
          m_message(std::move(message)) {}

    const std::string& file() const { return m_file; }
    const std::string& jsonPath() const { return m_jsonPath; }
    const std::string& message() const { return m_message; }

private:
    std::string m_file;
    std::string m_jsonPath;
    std::string m_message;
};

// A model file is invalid.
class ModelError : public JsonDocumentError {
public:
    using JsonDocumentError::JsonDocumentError;
};

// A session file is invalid (core/session.h).
class SessionError : public JsonDocumentError {
public:
    using JsonDocumentError::JsonDocumentError;
};

// A file could not be read or written (missing, permissions, disk full).
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The request is impossible for this model (e.g. --target for a decoder-only model).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace attnscope
