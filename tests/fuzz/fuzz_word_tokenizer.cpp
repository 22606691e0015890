// Fuzzes the word tokenizer (white space, punctuation splitting, specials) with arbitrary bytes.
#include "fuzz_tokenizer_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const attnscope::Tokenizer word = fuzzing::makeTokenizer(attnscope::TokenizerKind::Word, true);
    fuzzing::check(word, data, size, false);
    return 0;
}
