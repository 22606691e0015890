// Reads a Hugging Face tokenizer from a model folder: tokenizer.json, or the older layouts
// vocab.json + merges.txt (GPT-2, RoBERTa) and vocab.txt (BERT), into a Tokenizer plus the
// special tokens the model expects around a sequence. See docs/tokenizers.md.
#pragma once

#include "core/tokenizer.h"

#include <string>
#include <vector>

namespace attnscope {

struct HfTokenizer {
    Tokenizer tokenizer; // vocab specials set: Pad, Unk, Bos, Eos, Cls, Sep, Mask where the model has them
    std::vector<SpecialRole> prefix, suffix; // e.g. BERT {Cls} / {Sep}; RoBERTa {Bos} / {Eos}; GPT-2 {} / {}
    std::string file;                        // the file it was read from, for the model panel
};

enum class HfTokenizerHint { Auto, ByteLevelBpe, WordPiece };

// Reads folder/tokenizer.json if present, else vocab.json + merges.txt, else vocab.txt (each with
// tokenizer_config.json and special_tokens_map.json when present). A hint other than Auto skips
// the other kind's files and refuses a tokenizer.json of the other kind.
// Throws ModelError(file, JSON pointer or "line N", message) for any problem in a file and
// IoError when no tokenizer file is found or one cannot be read.
HfTokenizer loadHfTokenizer(const std::string& folder, HfTokenizerHint hint);

// The same from file contents (fuzzers, tests). Each *File names the file in errors;
// configJson is tokenizer_config.json's text or empty.
HfTokenizer parseHfTokenizerJson(const std::string& text, const std::string& file,
                                 HfTokenizerHint hint = HfTokenizerHint::Auto);
HfTokenizer parseBpeFiles(const std::string& vocabJson, const std::string& vocabFile, const std::string& merges,
                          const std::string& mergesFile, const std::string& configJson = {},
                          const std::string& configFile = {});
HfTokenizer parseWordPieceVocab(const std::string& vocabTxt, const std::string& vocabFile,
                                const std::string& configJson = {}, const std::string& configFile = {});

} // namespace attnscope
