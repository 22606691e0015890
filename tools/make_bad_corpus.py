#!/usr/bin/env python3
"""Writes tests/data/bad/: malformed model files, one per failure class, plus manifest.json
mapping each file to the exact one-line error the loader must give (docs/model-format.md,
"Errors") and the CLI exit code. The expected messages are written here by hand, from the
spec, never produced by running our loader.

Usage: python3 tools/make_bad_corpus.py   (deterministic; needs no torch)
"""
import base64
import copy
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "models", "examples", "tiny-encoder.json")
OUT = os.path.join(ROOT, "tests", "data", "bad")

Q = "encoder.layers.0.self_attn.q_proj.weight"
QP = "/weights/" + Q


def b64(values):
    return base64.b64encode(struct.pack("<%df" % len(values), *values)).decode()


def main():
    base = json.load(open(BASE, encoding="utf-8"))
    base_text = json.dumps(base, indent=1, ensure_ascii=False)
    cases = []  # (file name, text, expected message without the "FILE: " prefix)

    def mutated(name, fn, message):
        m = copy.deepcopy(base)
        fn(m)
        cases.append((name, json.dumps(m, indent=1, ensure_ascii=False), message))

    def raw(name, text, message):
        cases.append((name, text, message))

    # --- syntax and structure -------------------------------------------------------------
    raw("syntax-empty.json", "", "/: invalid JSON at line 1, column 1:")
    raw("syntax-trailing-comma.json", '{"format": "attnscope-model",}', "/: invalid JSON at line 1, column")
    raw("syntax-nan-literal.json", '{"format": NaN}', "/: invalid JSON at line 1, column 12:")
    raw("syntax-single-quotes.json", "{'format': 1}", "/: invalid JSON at line 1, column 2:")
    raw("syntax-comment.json", '// model\n{"format": "attnscope-model"}', "/: invalid JSON at line 1, column 1:")
    raw("truncated-half.json", base_text[: len(base_text) // 2], "/: invalid JSON at line")
    raw("truncated-in-string.json", base_text[: base_text.index('"tiny encoder') + 6], "/: invalid JSON at line")
    raw("root-array.json", "[1, 2, 3]", "/: expected object, got array")
    raw("root-string.json", '"attnscope-model"', "/: expected object, got string")
    raw("deep-nesting.json", '{"format": ' + "[" * 5000 + "]" * 5000 + "}", "/format/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nesting deeper than 32 levels")
    raw("duplicate-key-top.json", base_text.replace('"format": "attnscope-model",', '"format": "attnscope-model", "format": "attnscope-model",', 1),
        "/format: duplicate key \"format\"")
    dup = copy.deepcopy(base)
    dup_text = json.dumps(dup, indent=1).replace('"d_model": 4,', '"d_model": 4, "d_model": 8,', 1)
    raw("duplicate-key-arch.json", dup_text, "/architecture/d_model: duplicate key \"d_model\"")

    # --- header ------------------------------------------------------------------------------
    mutated("format-wrong.json", lambda m: m.update(format="onnx"), '/format: expected "attnscope-model", got "onnx"')
    mutated("format-missing.json", lambda m: m.pop("format"), "/format: missing required key")
    mutated("version-3.json", lambda m: m.update(version=3), "/version: unsupported version 3 (this build reads versions 1 and 2)")
    mutated("arch-v2-key-in-v1.json", lambda m: m["architecture"].update(embedding_norm=True),
            "/architecture/embedding_norm: \"embedding_norm\" needs \"version\": 2")
    mutated("arch-v2-activation-in-v1.json", lambda m: m["architecture"].update(activation="gelu_tanh"),
            '/architecture/activation: expected one of relu, gelu, got "gelu_tanh"')
    mutated("version-string.json", lambda m: m.update(version="1"), "/version: expected integer, got string")
    mutated("version-float.json", lambda m: m.update(version=1.5), "/version: expected integer, got number")
    mutated("name-number.json", lambda m: m.update(name=7), "/name: expected string, got integer")
    mutated("description-missing.json", lambda m: m.pop("description"), "/description: missing required key")

    # --- architecture ------------------------------------------------------------------------
    def arch(key, value):
        return lambda m: m["architecture"].__setitem__(key, value)

    mutated("arch-missing.json", lambda m: m.pop("architecture"), "/architecture: missing required key")
    mutated("arch-not-object.json", lambda m: m.update(architecture=[]), "/architecture: expected object, got array")
    mutated("arch-missing-heads.json", lambda m: m["architecture"].pop("n_heads"), "/architecture/n_heads: missing required key")
    mutated("arch-dmodel-string.json", arch("d_model", "4"), "/architecture/d_model: expected integer, got string")
    mutated("arch-dmodel-absurd.json", arch("d_model", 10 ** 12), "/architecture/d_model: value 1000000000000 is out of range [1, 4096]")
    mutated("arch-dmodel-zero.json", arch("d_model", 0), "/architecture/d_model: value 0 is out of range [1, 4096]")
    mutated("arch-layers-negative.json", arch("encoder_layers", -3), "/architecture/encoder_layers: value -3 is out of range [0, 64]")
    mutated("arch-layers-huge.json", arch("encoder_layers", 18446744073709551615), "/architecture/encoder_layers: value 18446744073709551615 is out of range [0, 64]")
    mutated("arch-maxlen-huge.json", arch("max_len", 100000), "/architecture/max_len: value 100000 is out of range [1, 8192]")
    mutated("arch-not-divisible.json", arch("n_heads", 3), "/architecture/n_heads: d_model 4 is not divisible by n_heads 3")
    mutated("arch-activation.json", arch("activation", "swish"), '/architecture/activation: expected one of relu, gelu, got "swish"')
    mutated("arch-type.json", arch("type", "rnn"), '/architecture/type: expected one of encoder, decoder, encoder-decoder, got "rnn"')
    mutated("arch-norm.json", arch("norm", "sandwich"), '/architecture/norm: expected one of pre, post, got "sandwich"')
    mutated("arch-eps-negative.json", arch("layer_norm_eps", -1e-5), "/architecture/layer_norm_eps: expected a value in (0, 1]")
    mutated("arch-bias-string.json", arch("bias", "yes"), "/architecture/bias: expected boolean, got string")
    mutated("arch-encoder-without-layers.json", arch("encoder_layers", 0), "/architecture/encoder_layers: a encoder model needs at least one encoder layer")
    mutated("arch-encoder-with-decoder.json", arch("decoder_layers", 1), "/architecture/decoder_layers: an encoder-only model has no decoder layers (expected 0)")

    # --- tokenizer -----------------------------------------------------------------------------
    def tok(fn):
        return lambda m: fn(m["tokenizer"])

    mutated("tok-type.json", tok(lambda t: t.update(type="bpe")), '/tokenizer/type: expected one of char, word, got "bpe"')
    mutated("tok-vocab-missing.json", tok(lambda t: t.pop("vocab")), "/tokenizer/vocab: missing required key")
    mutated("tok-vocab-empty.json", tok(lambda t: t.update(vocab=[])), "/tokenizer/vocab: vocabulary is empty")
    mutated("tok-vocab-duplicate.json", tok(lambda t: t["vocab"].__setitem__(7, "a")), '/tokenizer/vocab/7: duplicate token "a"')
    mutated("tok-vocab-number.json", tok(lambda t: t["vocab"].__setitem__(6, 6)), "/tokenizer/vocab/6: expected string, got integer")
    mutated("tok-special-not-in-vocab.json", tok(lambda t: t["special_tokens"].update(mask="<mask>")),
            '/tokenizer/special_tokens/mask: token "<mask>" is not in the vocabulary')
    mutated("tok-special-unknown-role.json", tok(lambda t: t["special_tokens"].update(start="[CLS]")),
            '/tokenizer/special_tokens/start: unknown special-token role "start" (expected pad, unk, bos, eos, cls, sep or mask)')
    mutated("tok-prefix-undefined-role.json", tok(lambda t: t.update(source_prefix=["bos"])),
            '/tokenizer/source_prefix/0: role "bos" is not defined in /tokenizer/special_tokens')
    mutated("tok-target-vocab-on-encoder.json", tok(lambda t: t.update(target_vocab=["a"])),
            "/tokenizer/target_vocab: only encoder-decoder models may have a separate target vocabulary")
    mutated("tok-vocab-grown.json", tok(lambda t: t["vocab"].append("d")),
            "/weights/encoder.embed.weight: expected shape [9, 4], got [8, 4]")

    # --- weights -------------------------------------------------------------------------------
    def w(fn):
        return lambda m: fn(m["weights"])

    mutated("weights-missing.json", lambda m: m.pop("weights"), "/weights: missing required key")
    mutated("tensor-missing.json", w(lambda ws: ws.pop("encoder.layers.0.linear1.weight")),
            "/weights/encoder.layers.0.linear1.weight: missing tensor")
    mutated("tensor-extra.json", w(lambda ws: ws.update({"decoder.layers.0.norm1.weight": {"shape": [4], "data": [1, 1, 1, 1]}})),
            "/weights/decoder.layers.0.norm1.weight: unexpected tensor (not used by this architecture)")
    mutated("tensor-untied-head.json", w(lambda ws: ws.update({"lm_head.weight": {"shape": [8, 4], "data": [0] * 32}})),
            "/weights/lm_head.weight: unexpected tensor (not used by this architecture)")
    mutated("tensor-wrong-shape.json", w(lambda ws: ws[Q].update(shape=[4, 2], data=ws[Q]["data"][:8])),
            QP + ": expected shape [4, 4], got [4, 2]")
    mutated("tensor-transposed-shape.json", w(lambda ws: ws["encoder.layers.0.linear1.weight"].update(shape=[4, 8])),
            "/weights/encoder.layers.0.linear1.weight: expected shape [8, 4], got [4, 8]")
    mutated("tensor-negative-dim.json", w(lambda ws: ws[Q].update(shape=[4, -4])),
            QP + "/shape/1: dimension must be a positive integer, got -4")
    mutated("tensor-huge-dim.json", w(lambda ws: ws[Q].update(shape=[4, 2 ** 40])),
            QP + "/shape/1: dimension must be a positive integer, got 1099511627776")
    mutated("tensor-short-data.json", w(lambda ws: ws["lm_head.bias"].update(data=[0.0] * 7)),
            "/weights/lm_head.bias/data: expected 8 values, got 7")
    mutated("tensor-long-data.json", w(lambda ws: ws["lm_head.bias"].update(data=[0.0] * 9)),
            "/weights/lm_head.bias/data: expected 8 values, got 9")
    mutated("tensor-string-value.json", w(lambda ws: ws["lm_head.bias"]["data"].__setitem__(3, "0.5")),
            "/weights/lm_head.bias/data/3: expected number, got string")
    mutated("tensor-null-value.json", w(lambda ws: ws["lm_head.bias"]["data"].__setitem__(0, None)),
            "/weights/lm_head.bias/data/0: expected number, got null")
    mutated("tensor-no-data.json", w(lambda ws: ws["lm_head.bias"].pop("data")),
            '/weights/lm_head.bias: a tensor needs exactly one of "data" or "b64"')
    mutated("tensor-extra-key.json", w(lambda ws: ws["lm_head.bias"].update(dtype="float16")),
            '/weights/lm_head.bias/dtype: unexpected key (a tensor has "shape" and "data" or "b64")')
    mutated("tensor-not-object.json", w(lambda ws: ws.update({"lm_head.bias": [0] * 8})),
            "/weights/lm_head.bias: expected object, got array")
    mutated("b64-bad-char.json", w(lambda ws: ws.update({Q: {"shape": [4, 4], "b64": "!" + b64([0.5] * 16)[1:]}})),
            QP + "/b64: invalid base64 at character 0")
    mutated("b64-wrong-length.json", w(lambda ws: ws.update({Q: {"shape": [4, 4], "b64": b64([0.5] * 15)}})),
            QP + "/b64: expected 88 base64 characters for 16 float32 values, got 80")
    mutated("b64-nan.json", w(lambda ws: ws.update({Q: {"shape": [4, 4], "b64": b64([0.5] * 5 + [float("nan")] + [0.5] * 10)}})),
            QP + "/b64: value 5 is not finite")
    mutated("b64-inf.json", w(lambda ws: ws.update({Q: {"shape": [4, 4], "b64": b64([float("inf")] + [0.5] * 15)}})),
            QP + "/b64: value 0 is not finite")
    cases_text = []
    for name, text, message in cases:
        cases_text.append((name, text, message))
    # Numbers too large for float32/float64 in plain data: written as text.
    marked = copy.deepcopy(base)
    marked["weights"]["lm_head.bias"]["data"][0] = "__BIG__"
    big = json.dumps(marked, indent=1).replace('"__BIG__"', "1e400")
    cases_text.append(("value-overflow-double.json", big, "/weights/lm_head.bias/data/0: value is not finite"))
    big32 = big.replace("1e400", "1e39", 1)
    cases_text.append(("value-overflow-float.json", big32, "/weights/lm_head.bias/data/0: value is not finite"))

    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, text, message in cases_text:
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        manifest.append({"file": name, "message": message, "exit_code": 3,
                         "match": "prefix" if message.endswith(":") or message.endswith("at line") or message.endswith("column") else "exact"})
    with open(os.path.join(OUT, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"description": "Malformed model files and the error each must give: "
                                  "'FILE: message' (exact) or starting with it (prefix). Made by tools/make_bad_corpus.py.",
                   "cases": manifest}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d files to %s" % (len(manifest), OUT))


if __name__ == "__main__":
    main()
