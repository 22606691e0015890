// A loaded model: metadata, architecture, tokenizers and weights. Immutable after loading;
// share it as std::shared_ptr<const Model> between the GUI and worker threads.
#pragma once

#include "core/image.h"
#include "core/model_config.h"
#include "core/revisions.h"
#include "core/tokenizer.h"
#include "core/weights.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

struct ModelExample {
    std::string text;
    std::string target; // empty when none
};

struct Model {
    std::string path;
    std::string name;
    std::string description;
    ModelConfig config;
    Tokenizer sourceTokenizer;            // encoder input, or the decoder-only model's input
    Tokenizer targetTokenizer;            // decoder side of encoder-decoder models
    std::vector<SpecialRole> sourcePrefix;
    std::vector<SpecialRole> sourceSuffix;
    Weights weights;
    std::vector<ModelExample> examples;
    // Where the model came from, for the model panel and `info`: "attnscope" (a model file) or
    // "huggingface" (a checkpoint folder, family = its model_type, dtype = its tensors' dtype).
    std::string format = "attnscope";
    std::string family;
    std::string dtype = "F32";
    std::string tokenizerFile; // the tokenizer file of a checkpoint folder (empty: none, ids only)
    // Vision models (config.isVision()): how an image becomes pixel values (preprocessor_config.json
    // or ViTImageProcessor's defaults). Their source vocabulary is the class names (id2label).
    ImageProcessor imageProcessor;
    // A training-checkpoint series (core/revisions.h) this model is one snapshot of: the series
    // folder, its revisions by step and which one this is. Empty / -1 for a single model.
    std::string seriesPath;
    std::vector<Revision> revisions;
    int revisionIndex = -1;

    // Tokenizer whose vocabulary indexes the logits.
    const Tokenizer& outputTokenizer() const
    {
        return config.type == ArchType::EncoderDecoder ? targetTokenizer : sourceTokenizer;
    }
    size_t parameterCount() const { return weights.totalSize(); }
    // Rows of the input stack's token embedding: the ids the model accepts (a checkpoint's may
    // exceed its tokenizer's vocabulary).
    int inputVocabRows() const
    {
        const char* name = config.hasEncoder() ? "encoder.embed.weight" : "decoder.embed.weight";
        return weights.has(name) ? weights.entry(name).shape[0] : sourceTokenizer.vocab().size();
    }
};

} // namespace attnscope
