// Hugging Face model folders opened directly (config.json, model.safetensors or a sharded
// index, tokenizer files): each supported family is a preset (config.json → ModelConfig) plus
// one naming table (engine tensor ← checkpoint tensor, with its transpose or split), so adding a
// family touches only the table in hf_checkpoint.cpp. See docs/hf-checkpoints.md.
#pragma once

#include "core/model.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

// True when `path` is a directory holding a config.json (a Hugging Face folder).
bool isHfFolder(const std::string& path);

// Loads a Hugging Face folder. Throws IoError when a file cannot be read and ModelError naming
// the file (config.json, a .safetensors file, the shard index, a tokenizer file) and the JSON
// pointer or line of the first problem; nothing is half-loaded.
std::shared_ptr<Model> loadHfFolder(const std::string& folder);

// config.json read into the engine's architecture: the family's preset with the file's values,
// every value range-checked. Throws ModelError(file, JSON pointer, …).
struct HfConfig {
    std::string modelType;
    ModelConfig config;
    int vocabSize = 0; // rows of the token embedding
    std::string architecture; // the first "architectures" entry, e.g. "GPT2LMHeadModel" (may be empty)
    std::vector<std::string> classNames; // vision models with a classifier: id2label in id order
};
HfConfig parseHfConfig(const std::string& text, const std::string& file);

// One row of a family's naming table: the engine's tensor (docs/model-format.md names) and
// where it comes from in the checkpoint.
struct HfTensorSource {
    std::string engineName;    // e.g. "decoder.layers.0.self_attn.q_proj.weight"
    std::string checkpointName; // without the family's optional prefix, e.g. "h.0.attn.c_attn.weight"
    bool prefixed = true;      // the checkpoint name may carry the family prefix ("transformer.", "bert.")
    bool transposed = false;   // stored [in, out] (GPT-2's Conv1D) rather than torch Linear's [out, in]
    int part = 0;              // a fused tensor (GPT-2's c_attn = [Q | K | V]) split along its
    int parts = 1;             //   output dimension: this is part `part` of `parts`
    int interleave = 0;        // > 0: the parts alternate in blocks of this many rows (GPT-NeoX's
                               //   query_key_value is, per head, [q | k | v] of d_head rows each)
    std::vector<long long> storedShape; // non-empty: the checkpoint's shape when it holds the engine's
                               //   values in the same row-major order under another shape (ViT's Conv2d
                               //   [d, C, ph, pw] for [d, C·ph·pw], cls_token [1, 1, d] for [1, d])
};

// The naming table of a supported model_type for this configuration (tests and docs use it).
// Empty for an unknown model_type.
std::vector<HfTensorSource> hfNamingTable(const std::string& modelType, const ModelConfig& config);

// The model_type values this build opens, e.g. {"gpt2", "bert", "roberta", "distilbert"}.
std::vector<std::string> hfSupportedModelTypes();

} // namespace attnscope
