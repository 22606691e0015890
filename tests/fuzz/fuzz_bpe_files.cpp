// Fuzzes the vocab.json + merges.txt (+ tokenizer_config.json) layout: the input is split at
// "\n---\n" into the files (vocab.json, then merges.txt, then the config; missing parts are
// empty). Only ModelError may escape; a tokenizer that loads is exercised as in fuzz_hf_common.h.
#include "fuzz_hf_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    std::string parts[3];
    size_t start = 0;
    for (int i = 0; i < 3 && start <= input.size(); ++i) {
        const size_t sep = i < 2 ? input.find("\n---\n", start) : std::string::npos;
        parts[i] = input.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
        start = sep == std::string::npos ? input.size() + 1 : sep + 5;
    }
    attnscope::HfTokenizer hf;
    try {
        hf =
            attnscope::parseBpeFiles(parts[0], "vocab.json", parts[1], "merges.txt", parts[2], "tokenizer_config.json");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    fuzzing::exercise(hf, input);
    return 0;
}
