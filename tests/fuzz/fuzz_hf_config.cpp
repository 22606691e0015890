// Fuzzes config.json of a Hugging Face folder: parseHfConfig with arbitrary bytes. Only
// ModelError may escape; a configuration that parses must give a naming table that names every
// tensor the engine would ask for (requiredTensors), since the loader relies on that.
#include "core/errors.h"
#include "core/hf_checkpoint.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    attnscope::HfConfig hf;
    try {
        hf = attnscope::parseHfConfig(text, "config.json");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    const attnscope::ModelConfig& c = hf.config;
    if (c.dModel < 1 || c.nHeads < 1 || c.dModel % c.nHeads != 0 || c.maxLen < 1 || hf.vocabSize < 1) __builtin_trap();
    if (c.encoderLayers + c.decoderLayers > 2 * attnscope::kMaxLayers) __builtin_trap();
    // Bounded by the caps checked above, so listing the tensors is cheap.
    std::set<std::string> named;
    for (const attnscope::HfTensorSource& s : attnscope::hfNamingTable(hf.modelType, c)) named.insert(s.engineName);
    for (const attnscope::TensorSpec& s : attnscope::requiredTensors(c, hf.vocabSize, hf.vocabSize))
        if (!named.count(s.name)) __builtin_trap();
    return 0;
}
