// llama2.c checkpoints (Karpathy's llama2.c: the TinyStories models people learn with) and their
// tokenizer.bin, opened as ordinary decoder-only models: RMSNorm, rotary embeddings, SwiGLU,
// grouped-query attention. Both float32 layouts are read: the legacy one (a 7-int header, a
// negative vocab_size meaning an own classifier) and version 1 ("ak42" magic, a 256-byte header).
// llama2.c rotates interleaved pairs (x[2i], x[2i+1]); the engine rotates halves as Hugging Face
// does, so q/k rows are permuted per head at load. See docs/llama2c.md.
#pragma once

#include "core/model.h"
#include "core/tokenizer.h"

#include <memory>
#include <string>

namespace attnscope {

// True when the file starts with llama2.c's version magic, or is named *.bin (the legacy layout
// has no magic; its header is then checked against the file size).
bool isLlama2cCheckpoint(const std::string& path);

// Loads a checkpoint. tokenizerPath empty: tokenizer.bin beside the checkpoint when there is one,
// else an ids-only vocabulary ("#15"). Throws IoError when a file cannot be read, ModelError
// naming the file and the header field or weight (e.g. "/header/n_kv_heads",
// "/weights/layers.1.wk") of the first problem; nothing is half-loaded.
std::shared_ptr<const Model> loadLlama2c(const std::string& path, const std::string& tokenizerPath = {});

// The checkpoint's bytes (as read from `file`) into a model with an ids-only vocabulary; the
// loader above adds the tokenizer. Same errors as loadLlama2c.
std::shared_ptr<Model> parseLlama2cCheckpoint(const std::string& bytes, const std::string& file);

// tokenizer.bin with `vocabSize` tokens (the checkpoint's): SentencePiece-style BPE by score,
// with byte fallback when the 256 byte tokens sit at ids 3..258 (llama2.c's run.c semantics:
// a dummy-prefix space, no white-space normalisation, the highest-scoring adjacent pair merged
// first). Throws ModelError(file, "/tokens/N" or "/max_token_length", …).
Tokenizer parseLlama2cTokenizer(const std::string& bytes, int vocabSize, const std::string& file);

} // namespace attnscope
