// Fuzzes WordPiece: arbitrary bytes tokenized by BERT-like vocabularies (every normaliser step
// on, and all off), then the input itself read as a vocab.txt. Invariants in fuzz_hf_common.h.
#include "fuzz_hf_common.h"

#include "core/wordpiece_tokenizer.h"

namespace {

attnscope::Tokenizer makeWordPiece(bool normalize)
{
    using namespace attnscope;
    Vocabulary v({"[PAD]", "[UNK]", "[CLS]", "[SEP]",    "[MASK]",     "a",    "b",   "ab",
                  "##a",   "##b",   "##ab",  "the",      "##s",        ",",    ".",   "e",
                  "##e",   "日",    "i",     "\xCC\x87", "##\xCC\x87", "cafe", "caf", "##\xC3\xA9"});
    v.setSpecial(SpecialRole::Pad, 0);
    v.setSpecial(SpecialRole::Unk, 1);
    v.setSpecial(SpecialRole::Cls, 2);
    v.setSpecial(SpecialRole::Sep, 3);
    v.setSpecial(SpecialRole::Mask, 4);
    std::vector<AddedToken> added;
    for (int id = 0; id < 5; ++id) added.push_back(AddedToken{v.token(id), id, true, false, false});
    WordPieceSettings s;
    s.maxInputCharsPerWord = 8;
    if (!normalize) s.normalizer = BertNormalizerOptions{false, false, false, false};
    return Tokenizer(std::make_shared<WordPieceBackend>(std::move(v), std::move(added), s));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const attnscope::Tokenizer normalized = makeWordPiece(true);
    static const attnscope::Tokenizer raw = makeWordPiece(false);
    const std::string text(reinterpret_cast<const char*>(data), size);
    fuzzing::checkTokens(normalized, text, false);
    fuzzing::checkTokens(raw, text, false);
    attnscope::HfTokenizer hf;
    try {
        hf = attnscope::parseWordPieceVocab(text, "vocab.txt");
    } catch (const attnscope::ModelError&) {
        return 0;
    }
    fuzzing::exercise(hf, text);
    return 0;
}
