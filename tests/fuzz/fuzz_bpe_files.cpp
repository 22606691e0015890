// Fuzzes the vocab.json + merges.txt layout: the input is split at the first "\n---\n" into the
// two files (no separator: all of it is vocab.json, merges empty). Only ModelError may escape;
// a tokenizer that loads is exercised as in fuzz_hf_common.h.
#include "fuzz_hf_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t sep = input.find("\n---\n");
    const std::string vocab = input.substr(0, sep);
    const std::string merges = sep == std::string::npos ? std::string() : input.substr(sep + 5);
    attnscope::HfTokenizer hf;
    try {
        hf = attnscope::parseBpeFiles(vocab, "vocab.json", merges, "merges.txt");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    fuzzing::exercise(hf, input);
    return 0;
}
