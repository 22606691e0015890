// Reads a model file (docs/model-format.md) into a Model. Validates everything once, here:
// the engine assumes a loaded model is consistent.
#pragma once

#include "core/model.h"

#include <memory>
#include <string>

namespace attnscope {

constexpr size_t kMaxModelFileBytes = size_t(2) << 30; // 2 GiB

// Throws IoError when the file cannot be read, ModelError when it is invalid.
// A training-checkpoint series folder (core/revisions.h) loads its revision `revision` ("step1000"
// or "1000"), by default the last; a snapshot folder inside a series also knows its series. A
// revision given for anything else, or naming no snapshot, is a UsageError.
std::shared_ptr<const Model> loadModel(const std::string& path, const std::string& revision = {});

// Parses a model from text; `file` names it in error messages.
std::shared_ptr<const Model> parseModel(const std::string& text, const std::string& file);

// Base64 (RFC 4648, padded) of little-endian float32 values. Throws std::invalid_argument
// naming the character offset on malformed input.
std::vector<float> decodeFloat32Base64(const std::string& b64);
std::string encodeFloat32Base64(const float* data, size_t count);

} // namespace attnscope
