#!/usr/bin/python3
"""Malformed llama2.c checkpoints and tokenizer.bin files: tests/data/bad/llama2c/.

    /usr/bin/python3 tools/make_llama2c_bad_corpus.py   (after tools/make_llama2c_fixtures.py)

Each case is a folder holding model.bin (and tokenizer.bin beside it), copied from the good
fixtures of tests/data/llama2c/ with exactly one defect. manifest.json says which file the
loader's error must name and where (the header field, weight or token), read by
core.test_llama2c and cli.test_cli_corpus-style checks.
"""
import json
import math
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GOOD = os.path.join(ROOT, "tests", "data", "llama2c")
OUT = os.path.join(ROOT, "tests", "data", "bad", "llama2c")

LEGACY = open(os.path.join(GOOD, "legacy-tied.bin"), "rb").read()
V1 = open(os.path.join(GOOD, "v1-untied-gqa.bin"), "rb").read()
TOK = open(os.path.join(GOOD, "tokenizer.bin"), "rb").read()


def i32(b, at, v):
    return b[:at] + struct.pack("<i", v) + b[at + 4:]


def f32(b, at, v):
    return b[:at] + struct.pack("<f", v) + b[at + 4:]


def token_offsets(tok):
    """Byte offset of each token record (score, length, bytes)."""
    at, out = 4, []
    while at < len(tok):
        out.append(at)
        (n,) = struct.unpack_from("<I", tok, at + 4)
        at += 8 + n
    return out


OFF = token_offsets(TOK)


def tok_replace(index, text):
    at = OFF[index]
    (n,) = struct.unpack_from("<I", TOK, at + 4)
    score = TOK[at:at + 4]
    return TOK[:at] + score + struct.pack("<I", len(text)) + text + TOK[at + 8 + n:]


# legacy-tied: dim 48, 6 heads, 6 kv heads, 2 layers, vocab 512 (shared); header 28 bytes
WK0 = 28 + 4 * (512 * 48 + 2 * 48 + 2 * 48 * 48)           # layer 0's wk in the legacy order
# v1-untied-gqa: dim 32, 4 heads, 2 kv heads, 3 layers, hidden 96; the classifier is last
OUTPUT = len(V1) - 4 * 512 * 32

CASES = [
    # (case, model bytes, tokenizer bytes, file, where, defect)
    ("legacy-truncated", LEGACY[:-4], TOK, "model.bin", "/weights", "the last float cut off"),
    ("legacy-extra-bytes", LEGACY + b"\0" * 8, TOK, "model.bin", "/weights", "8 bytes after the classifier"),
    ("header-short", LEGACY[:20], TOK, "model.bin", "/header", "20 bytes: less than the 7 header ints"),
    ("v1-header-short", V1[:100], TOK, "model.bin", "/header", "version-1 magic, then 100 bytes of a 256-byte header"),
    ("kv-heads-not-divisor", i32(LEGACY, 16, 4), TOK, "model.bin", "/header/n_kv_heads", "6 heads, 4 key/value heads"),
    ("kv-heads-above-heads", i32(LEGACY, 16, 12), TOK, "model.bin", "/header/n_kv_heads", "12 key/value heads for 6 heads"),
    ("heads-not-divisor", i32(i32(LEGACY, 12, 5), 16, 5), TOK, "model.bin", "/header/n_heads", "dim 48 with 5 heads"),
    ("head-size-odd", i32(i32(LEGACY, 12, 16), 16, 16), TOK, "model.bin", "/header/n_heads", "head size 3 (rotary needs pairs)"),
    ("layers-zero", i32(LEGACY, 8, 0), TOK, "model.bin", "/header/n_layers", "n_layers 0"),
    ("layers-huge", i32(LEGACY, 8, 1 << 30), TOK, "model.bin", "/header/n_layers", "n_layers 2^30 (refused before allocating)"),
    ("dim-negative", i32(LEGACY, 0, -48), TOK, "model.bin", "/header/dim", "dim −48"),
    ("seq-len-zero", i32(LEGACY, 24, 0), TOK, "model.bin", "/header/seq_len", "seq_len 0"),
    ("vocab-zero", i32(LEGACY, 20, 0), TOK, "model.bin", "/header/vocab_size", "vocab_size 0 (neither shared nor own classifier)"),
    ("vocab-sign-flipped", i32(LEGACY, 20, -512), TOK, "model.bin", "/weights", "negative vocab_size (own classifier) on a file without one: sizes disagree"),
    ("v1-vocab-negative", i32(V1, 28, -512), TOK, "model.bin", "/header/vocab_size", "version 1 with vocab_size −512"),
    ("v1-version-2", i32(V1, 4, 2), TOK, "model.bin", "/header/version", "version 2 (int8 Q8_0)"),
    ("v1-version-9", i32(V1, 4, 9), TOK, "model.bin", "/header/version", "unknown version 9"),
    ("v1-shared-flag-7", V1[:36] + b"\x07" + V1[37:], TOK, "model.bin", "/header/shared_classifier", "shared-classifier byte 7"),
    ("nan-weight", f32(LEGACY, WK0 + 20, math.nan), TOK, "model.bin", "/weights/layers.0.wk", "NaN at value 5 of layer 0's wk"),
    ("inf-classifier", f32(V1, OUTPUT + 4 * 100, math.inf), TOK, "model.bin", "/weights/output", "+inf in the classifier"),
    ("tok-truncated", LEGACY, TOK[:OFF[300] + 6], "tokenizer.bin", "/tokens/300", "tokenizer.bin cut inside token 300's record"),
    ("tok-too-many", LEGACY, TOK + TOK[OFF[400]:OFF[401]], "tokenizer.bin", "/tokens/512", "a 513th token after the 512 the model has"),
    ("tok-length-zero", LEGACY, tok_replace(350, b""), "tokenizer.bin", "/tokens/350/length", "token 350 of length 0"),
    ("tok-length-over-max", LEGACY, struct.pack("<I", 3) + TOK[4:], "tokenizer.bin", "/tokens/", "max_token_length 3, shorter than the tokens"),
    ("tok-max-length-zero", LEGACY, struct.pack("<I", 0) + TOK[4:], "tokenizer.bin", "/max_token_length", "max_token_length 0"),
    ("tok-duplicate", LEGACY, tok_replace(420, b" the"), "tokenizer.bin", "/tokens/", "two tokens spell \" the\""),
    ("tok-score-nan", LEGACY, f32(TOK, OFF[333], math.nan), "tokenizer.bin", "/tokens/333/score", "token 333's score is NaN"),
    ("tok-byte-token-missing", LEGACY, tok_replace(3 + 0x41, b"A?"), "tokenizer.bin", "/tokens/68", "id 68 should be the byte token <0x41>"),
]


# Cases whose defect is in the header are refused before the weights are looked at: their
# files keep only the header (28 bytes legacy, 256 version 1), which keeps the corpus small.
WEIGHTS_NEEDED = {"legacy-truncated", "legacy-extra-bytes", "vocab-sign-flipped", "nan-weight", "inf-classifier"}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    manifest, rows = [], []
    for case, model, tok, file, where, defect in CASES:
        d = os.path.join(OUT, case)
        os.makedirs(d)
        entry = {"case": case, "file": file, "where": where}
        if file == "tokenizer.bin":       # the good model, this tokenizer
            entry["model"] = "tests/data/llama2c/legacy-tied.bin"
            with open(os.path.join(d, "tokenizer.bin"), "wb") as f:
                f.write(tok)
        else:
            if case not in WEIGHTS_NEEDED and not case.endswith("-short"):
                model = model[:256] if model[:4] == struct.pack("<I", 0x616B3432) else model[:28]
            with open(os.path.join(d, "model.bin"), "wb") as f:
                f.write(model)
        manifest.append(entry)
        rows.append(f"| `{case}` | {defect} | `{file}` | `{where}` |")
    with open(os.path.join(OUT, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"note": "Each case: loading CASE/model.bin, or the good `model` with --tokenizer CASE/tokenizer.bin, "
                           "must raise ModelError whose file ends with `file` and whose path starts with `where`; "
                           "the CLI exits 3.",
                   "cases": manifest}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# tests/data/bad/llama2c — malformed llama2.c files\n\nGenerated by `/usr/bin/python3 "
                "tools/make_llama2c_bad_corpus.py` from the fixtures of `tests/data/llama2c/`; each folder has "
                "exactly one defect (header cases keep only the header: they are refused before the weights are "
                "read; tokenizer cases hold only tokenizer.bin, loaded with the good `legacy-tied.bin`). Paths: `/header/FIELD` (llama2.c's Config names), `/weights/NAME` (export.py's "
                "tensor names), `/tokens/N` (token N of tokenizer.bin).\n\n| case | defect | file | where |\n"
                "|---|---|---|---|\n" + "\n".join(rows) + "\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
