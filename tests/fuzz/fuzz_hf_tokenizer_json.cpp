// Fuzzes tokenizer.json parsing: only ModelError may escape the loader; a tokenizer that loads
// encodes a fixed text and the input's own bytes, and decodes the result (fuzz_hf_common.h).
#include "fuzz_hf_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    attnscope::HfTokenizer hf;
    try {
        hf = attnscope::parseHfTokenizerJson(text, "tokenizer.json");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    fuzzing::exercise(hf, text);
    return 0;
}
