// Fuzzes the character tokenizer (and UTF-8 sanitising) with arbitrary bytes.
#include "fuzz_tokenizer_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const attnscope::Tokenizer plain = fuzzing::makeTokenizer(attnscope::TokenizerKind::Char, false);
    static const attnscope::Tokenizer lower = fuzzing::makeTokenizer(attnscope::TokenizerKind::Char, true);
    fuzzing::check(plain, data, size, true);
    fuzzing::check(lower, data, size, false);
    return 0;
}
