// Fuzzes llama2.c files: the first byte picks the checkpoint parser (header, layout, weights) or
// the tokenizer.bin parser (with a vocabulary size from the next two bytes). Only ModelError may
// escape; a checkpoint that parses must hold every tensor the engine asks for, and a tokenizer
// that parses must tokenize and decode a fixed text without leaving its vocabulary.
#include "core/errors.h"
#include "core/llama2c.h"
#include "core/model_config.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3) return 0;
    const std::string bytes(reinterpret_cast<const char*>(data) + 3, size - 3);
    try {
        if (data[0] & 1) {
            const auto m = attnscope::parseLlama2cCheckpoint(bytes, "model.bin");
            const int vocab = m->inputVocabRows();
            for (const attnscope::TensorSpec& s : attnscope::requiredTensors(m->config, vocab, vocab))
                if (!m->weights.has(s.name)) __builtin_trap();
        } else {
            const int vocab = 1 + (int(data[1]) | int(data[2]) << 8) % 1024;
            const attnscope::Tokenizer t = attnscope::parseLlama2cTokenizer(bytes, vocab, "tokenizer.bin");
            if (t.vocab().size() != vocab) __builtin_trap();
            std::vector<int> ids;
            for (const attnscope::Token& tok : t.tokenize(" Hello  wörld 中文 \xF0\x9F\x99\x82\n")) {
                if (tok.id < -1 || tok.id >= vocab) __builtin_trap();
                if (tok.id >= 0) ids.push_back(tok.id);
            }
            (void)t.decode(ids, true);
        }
    } catch (const attnscope::ModelError&) {
    }
    return 0;
}
