// Fuzzes the model loader with arbitrary bytes. Only ModelError may escape the loader; a
// model that loads is run once on a short input, so odd-but-valid configurations reach the
// engine too.
#include "core/errors.h"
#include "core/inference.h"
#include "core/model_loader.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::shared_ptr<const attnscope::Model> model;
    try {
        model = attnscope::parseModel(text, "fuzz.json");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    const attnscope::Transformer tf(model);
    attnscope::RunOptions options;
    options.text = model->examples.empty() ? std::string("ab") : model->examples.front().text;
    try {
        const attnscope::RunResult r = attnscope::runModel(tf, options);
        if (r.sourceTokens.size() > size_t(model->config.maxLen)) __builtin_trap();
    } catch (const attnscope::UsageError&) {
    }
    return 0;
}
