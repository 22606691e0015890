// Model documents for the app tests, built like tests/core/tiny_models.h's (modelDocument) but
// with two layers per stack and four heads, so stack/layer/head switching has somewhere to go,
// and a vocabulary with a space, an accented letter and a CJK character.
#pragma once

#include "../core/tiny_models.h"

#include <string>

namespace attnscope::test {

inline nlohmann::json appModel(const std::string& type)
{
    ModelSpec spec;
    spec.type = type;
    spec.name = "app-" + type;
    spec.description = "App test model";
    spec.dModel = 8;
    spec.nHeads = 4;
    spec.dFf = 16;
    spec.layers = 2;
    spec.maxLen = 24;
    spec.vocab = {"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", "d", "e", "f",
                  " ",     "\xC3\xA9", "\xE7\x8C\xAB"}; // é 猫
    spec.weight = [](int k, int i) { return 0.15f * float((k * 7 + i * 5) % 17) - 1.2f; };
    spec.examples = nlohmann::json::array({{{"text", "bad cafe"}, {"target", "face"}}, {{"text", "abc"}}});
    return modelDocument(spec);
}

} // namespace attnscope::test
