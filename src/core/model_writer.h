// Writing a loaded model as an AttnScope model file (format version 2, docs/model-format.md):
// `attnscope-cli convert DIR --out model.json` turns a Hugging Face checkpoint folder into the
// JSON document, its tensors as an F32 safetensors sidecar beside it, and its tokenizer files
// in a folder beside it. Reopening the result gives the same model: the same architecture
// options, the same float32 weights bit for bit, the same tokenizer.
#pragma once

#include "core/model.h"

#include <nlohmann/json.hpp>

#include <string>

namespace attnscope {

// The architecture block that describes `config` (every key written; version 2's only where
// they differ from version 1's behaviour). `vocabRows`: the embedding rows, written as
// vocab_size when they differ from tokenizerVocab (−1: no tokenizer).
nlohmann::ordered_json architectureJson(const ModelConfig& config, int vocabRows, int tokenizerVocab);

struct WrittenModel {
    std::string json;            // the model file
    std::string sidecar;         // its safetensors file: STEM.safetensors beside it
    std::string tokenizerFolder; // STEM.tokenizer/ beside it; empty for a folder without tokenizer
                                 // files (the model file then says {"type": "ids"})
    size_t bytes = 0;            // of the three together
};

// Writes `model` (loaded from a Hugging Face folder) to jsonPath. Every file is
// written under a temporary name and renamed when all are complete, so a failure leaves what
// was there before. Throws UsageError for a model that cannot be converted (not from a Hugging
// Face folder, an encoder-decoder) and IoError when a file cannot be written.
WrittenModel writeModelFile(const Model& model, const std::string& jsonPath);

} // namespace attnscope
