// Reads model weights from a safetensors sidecar ("weights_file", docs/model-format.md):
// memory-mapped, every header entry bounds-checked against the file before use.
#pragma once

#include "core/model_config.h"
#include "core/weights.h"

#include <string>
#include <vector>

namespace attnscope {

constexpr unsigned long long kMaxSafetensorsHeader = 100ull << 20; // 100 MiB

// Maps `path` and fills `out` with exactly the tensors in `specs` (float32 only). Throws
// IoError when the file cannot be opened and ModelError(path, pointer into the header, …)
// for any inconsistency: header beyond the file, wrong dtype or shape, offsets outside the
// data or overlapping, missing or unexpected tensors, non-finite values.
void loadSafetensors(const std::string& path, const std::vector<TensorSpec>& specs, Weights& out);

} // namespace attnscope
