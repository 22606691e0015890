#!/usr/bin/python3
"""Regenerate tests/data/bad/hf/: Hugging Face folders with exactly one defect each.

    /usr/bin/python3 tools/make_hf_bad_corpus.py

Every case starts as a copy of a tiny good folder from tests/data/hf/ (run
tools/make_hf_goldens.py first) and changes one thing. The README written next to the cases
is a table: case, defect, and the file plus JSON Pointer (into config.json, the index, or the
safetensors header) or line that the loader's error must name. The message text is the
loader's business. Deterministic: rerunning gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
from typing import Any, Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from hf_reference import read_safetensors, read_safetensors_header, write_safetensors  # noqa: E402

ROOT = os.path.dirname(HERE)
GOOD = os.path.join(ROOT, "tests", "data", "hf")
OUT = os.path.join(ROOT, "tests", "data", "bad", "hf")
GPT2 = "gpt2-d4-h4-relu-f16"       # F16, tensor names with the `transformer.` prefix
BERT = "bert-d4-h4-relu-f16"       # F16, `bert.` prefix, vocab.txt
DISTIL = "distilbert-1head-f16"    # F16, `distilbert.` prefix
LLAMA = "llama-gqa"                # F32, 4 query / 2 key-value heads (tools/make_llama_goldens.py)
MISTRAL = "mistral-sharded"        # F32, two shards, max length 40
NEOX = "neox-pythia"               # F32, fused per-head query_key_value
ST = "model.safetensors"
INDEX = "model.safetensors.index.json"

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def jload(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def jsave(path: str, obj: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def edit_config(d: str, fn: Callable[[Dict[str, Any]], None]) -> None:
    cfg = jload(os.path.join(d, "config.json"))
    fn(cfg)
    jsave(os.path.join(d, "config.json"), cfg)


def set_key(key: str, value: Any) -> Callable[[str], None]:
    return lambda d: edit_config(d, lambda c: c.__setitem__(key, value))


def raw_header(path: str) -> Tuple[Dict[str, Any], bytes]:
    """(header as an ordered dict, data section bytes)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def write_raw(path: str, header_text: bytes, data: bytes, declared_len: int = -1) -> None:
    header_text += b" " * ((8 - len(header_text) % 8) % 8)
    n = len(header_text) if declared_len < 0 else declared_len
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", n) + header_text + data)


def header_bytes(header: Dict[str, Any]) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode("utf-8")


def edit_tensors(d: str, fn: Callable[[Dict[str, torch.Tensor]], None], file: str = ST) -> None:
    path = os.path.join(d, file)
    tensors = {k: t for k, (_, t) in read_safetensors(path).items()}
    fn(tensors)
    write_safetensors(path, tensors)


def tensor_names(d: str, file: str = ST) -> List[str]:
    h, _ = read_safetensors_header(os.path.join(d, file))
    return [k for k in h if k != "__metadata__"]


def shard(d: str) -> None:
    """Turn the folder's model.safetensors into two shards + index (the good sharded form)."""
    path = os.path.join(d, ST)
    tensors = {k: t for k, (_, t) in read_safetensors(path).items()}
    os.remove(path)
    names = sorted(tensors)
    half = len(names) // 2
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    wm = {}
    total = 0
    for f, grp in zip(files, (names[:half], names[half:])):
        write_safetensors(os.path.join(d, f), {n: tensors[n] for n in grp})
        wm.update({n: f for n in grp})
        total += sum(tensors[n].numel() * tensors[n].element_size() for n in grp)
    jsave(os.path.join(d, INDEX), {"metadata": {"total_size": total}, "weight_map": wm})


def first_line_of(path: str, pred: Callable[[str], bool]) -> int:
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if pred(line):
                return i
    raise ValueError(path)


# --------------------------------------------------------------------------
# The cases: (name, base folder, mutate(folder) -> None, defect, file, where)
# `where` may be a callable of the folder, for locations computed from the data.
# --------------------------------------------------------------------------

def c_truncate_config(d: str) -> None:
    p = os.path.join(d, "config.json")
    with open(p, encoding="utf-8") as f:
        text = f.read()
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write(text[:len(text) // 2])


def loc_truncated(d: str) -> str:
    with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
        n = f.read().count("\n")
    return f"line {n + 1} (end of file: unexpected end of JSON)"


def c_header_too_long(d: str) -> None:
    p = os.path.join(d, ST)
    size = os.path.getsize(p)
    with open(p, "r+b") as f:
        f.write(struct.pack("<Q", size + 1000))


def c_header_not_json(d: str) -> None:
    h, data = raw_header(os.path.join(d, ST))
    n = len(header_bytes(h))
    bad = (b'{"__metadata__":{"format":"pt"},' + b"transformer.wte.weight: F16" + b" " * n)[:n]
    write_raw(os.path.join(d, ST), bad, data)


def _edit_header(d: str, fn: Callable[[Dict[str, Any], bytes], bytes]) -> None:
    h, data = raw_header(os.path.join(d, ST))
    data = fn(h, data)
    write_raw(os.path.join(d, ST), header_bytes(h), data)


def _ordered(h: Dict[str, Any]) -> List[str]:
    return sorted((k for k in h if k != "__metadata__"), key=lambda k: h[k]["data_offsets"][0])


def c_overlap(d: str) -> None:
    def fn(h, data):
        a, b = _ordered(h)[3], _ordered(h)[4]
        lb = h[b]["data_offsets"][1] - h[b]["data_offsets"][0]
        start = h[a]["data_offsets"][0]
        h[b]["data_offsets"] = [start, start + lb]   # B now starts where A starts
        return data
    _edit_header(d, fn)


def loc_overlap(d: str) -> str:
    h, _ = raw_header(os.path.join(d, ST))
    names = sorted((k for k in h if k != "__metadata__"), key=lambda k: (h[k]["data_offsets"][0], k))
    starts = {}
    for k in names:
        starts.setdefault(h[k]["data_offsets"][0], []).append(k)
    a, b = next(v for v in starts.values() if len(v) > 1)
    return f"`/{b}/data_offsets` (overlaps `{a}`; either name)"


def c_past_end(d: str) -> None:
    def fn(h, data):
        last = _ordered(h)[-1]
        b, e = h[last]["data_offsets"]
        h[last]["data_offsets"] = [b + 8, e + 8]
        return data
    _edit_header(d, fn)


def c_gap(d: str) -> None:
    def fn(h, data):
        order = _ordered(h)
        cut = h[order[2]]["data_offsets"][0]
        for k in order[2:]:
            b, e = h[k]["data_offsets"]
            h[k]["data_offsets"] = [b + 8, e + 8]
        return data[:cut] + b"\0" * 8 + data[cut:]
    _edit_header(d, fn)


def loc_ordered(i: int, key: str) -> Callable[[str], str]:
    def loc(d: str) -> str:
        h, _ = raw_header(os.path.join(d, ST))
        names = sorted((k for k in h if k != "__metadata__"), key=lambda k: h[k]["data_offsets"][0])
        return f"`/{names[i]}/{key}`"
    return loc


def c_i64(d: str) -> None:
    edit_tensors(d, lambda t: t.__setitem__("transformer.h.0.mlp.c_fc.weight",
                                            torch.arange(t["transformer.h.0.mlp.c_fc.weight"].numel()).view(4, 12)))


def c_f16_length(d: str) -> None:
    def fn(h, data):
        name = "transformer.h.0.ln_1.weight"
        order = _ordered(h)
        b, e = h[name]["data_offsets"]
        h[name]["data_offsets"] = [b, e - 2]          # one element short
        for k in order[order.index(name) + 1:]:
            kb, ke = h[k]["data_offsets"]
            h[k]["data_offsets"] = [kb - 2, ke - 2]
        return data[:e - 2] + data[e:]
    _edit_header(d, fn)


def c_shape(d: str) -> None:
    def fn(t):
        w = t["transformer.wte.weight"]
        t["transformer.wte.weight"] = torch.cat([w, w[:, :1]], dim=1)   # [V, d + 1]
    edit_tensors(d, fn)


def c_positions_short(d: str) -> None:
    edit_tensors(d, lambda t: t.__setitem__("transformer.wpe.weight", t["transformer.wpe.weight"][:16].clone()))


def c_missing_tensor(d: str) -> None:
    edit_tensors(d, lambda t: t.pop("transformer.ln_f.weight"))


def c_extra_tensor(d: str) -> None:
    edit_tensors(d, lambda t: t.__setitem__("transformer.h.0.attn.c_extra.weight", torch.zeros(4, 4, dtype=torch.float16)))


def c_nan(d: str) -> None:
    def fn(t):
        w = t["transformer.h.0.attn.c_attn.weight"].clone()
        w[1, 2] = float("nan")
        t["transformer.h.0.attn.c_attn.weight"] = w
    edit_tensors(d, fn)


def c_inf(d: str) -> None:
    def fn(t):
        w = t["bert.embeddings.word_embeddings.weight"].clone()
        w[7, 0] = float("inf")
        t["bert.embeddings.word_embeddings.weight"] = w
    edit_tensors(d, fn)


def c_tied_differs(d: str) -> None:
    edit_tensors(d, lambda t: t.__setitem__("lm_head.weight", (t["transformer.wte.weight"].float() + 1).half()))


def c_duplicate_key(d: str) -> None:
    h, data = raw_header(os.path.join(d, ST))
    text = header_bytes(h).decode()
    name = "transformer.ln_f.bias"
    entry = json.dumps(h[name], separators=(",", ":"))
    text = text[:-1] + f',"{name}":{entry}' + "}"
    write_raw(os.path.join(d, ST), text.encode(), data)


def c_shard_missing(d: str) -> None:
    shard(d)
    os.remove(os.path.join(d, "model-00002-of-00002.safetensors"))


def loc_first_in_shard(file: str) -> Callable[[str], str]:
    def loc(d: str) -> str:
        wm = jload(os.path.join(d, INDEX))["weight_map"]
        return f"`{INDEX}` `/weight_map/{next(k for k in sorted(wm) if wm[k] == file)}` (file `{file}` absent)"
    return loc


def c_shard_wrong(d: str) -> None:
    shard(d)
    p = os.path.join(d, INDEX)
    idx = jload(p)
    idx["weight_map"]["transformer.wte.weight"] = "model-00001-of-00002.safetensors"   # it lives in 00002
    jsave(p, idx)


def c_index_not_json(d: str) -> None:
    shard(d)
    p = os.path.join(d, INDEX)
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert '": "' in lines[5], lines[5]
    lines[5] = lines[5].replace('": "', '" "', 1)   # drop a colon on line 6 (first weight_map entry)
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


def c_index_no_map(d: str) -> None:
    shard(d)
    p = os.path.join(d, INDEX)
    idx = jload(p)
    idx["tensors"] = idx.pop("weight_map")
    jsave(p, idx)


def c_vocab_array(d: str) -> None:
    p = os.path.join(d, "vocab.json")
    v = jload(p)
    jsave(p, sorted(v, key=v.get))


def c_vocab_dup_id(d: str) -> None:
    p = os.path.join(d, "vocab.json")
    v = jload(p)
    v["Ġzq"] = v["A"]       # "Ġzq" is no token of this vocabulary; it gets "A"'s id
    jsave(p, v)


def c_vocab_too_big(d: str) -> None:
    p = os.path.join(d, "vocab.json")
    v = jload(p)
    n = len(v)
    v["<extra_0>"] = n
    v["<extra_1>"] = n + 1
    jsave(p, v)


def c_merges_unknown(d: str) -> None:
    p = os.path.join(d, "merges.txt")
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")
    lines.insert(3, "\u03a9 \u0120t")   # 'Ω' is no byte symbol and not in vocab.json
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


def c_vocab_txt_dup(d: str) -> None:
    p = os.path.join(d, "vocab.txt")
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    lines[40] = lines[20]   # same length: the vocabulary size still matches the config
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(x + "\n" for x in lines))


def c_vocab_txt_empty(d: str) -> None:
    p = os.path.join(d, "vocab.txt")
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    lines[30] = ""
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(x + "\n" for x in lines))


def c_vocab_txt_too_big(d: str) -> None:
    with open(os.path.join(d, "vocab.txt"), "a", encoding="utf-8", newline="\n") as f:
        f.write("[unused0]\n[unused1]\n")


def c_no_tokenizer(d: str) -> None:
    for f in ("vocab.json", "merges.txt", "tokenizer_config.json"):
        os.remove(os.path.join(d, f))


def _to_bin(d: str, keep_rest: bool) -> None:
    tensors = {k: t for k, (_, t) in read_safetensors(os.path.join(d, ST)).items()}
    if not keep_rest:
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
    else:
        os.remove(os.path.join(d, ST))
    torch.save(tensors, os.path.join(d, "pytorch_model.bin"))


def c_bin_sharded(d: str) -> None:
    tensors = {k: t for k, (_, t) in read_safetensors(os.path.join(d, ST)).items()}
    os.remove(os.path.join(d, ST))
    names = sorted(tensors)
    files = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    wm = {}
    for f, grp in zip(files, (names[:len(names) // 2], names[len(names) // 2:])):
        torch.save({n: tensors[n] for n in grp}, os.path.join(d, f))
        wm.update({n: f for n in grp})
    jsave(os.path.join(d, "pytorch_model.bin.index.json"), {"metadata": {"total_size": 0}, "weight_map": wm})


def c_arch_mismatch(d: str) -> None:
    edit_config(d, lambda c: c.__setitem__("architectures", ["BertForMaskedLM"]))


def c_no_model_type(d: str) -> None:
    edit_config(d, lambda c: c.pop("model_type"))


def c_config_array(d: str) -> None:
    cfg = jload(os.path.join(d, "config.json"))
    jsave(os.path.join(d, "config.json"), [cfg])


def c_llama_k_square(d: str) -> None:
    def fn(t):
        k = t["model.layers.0.self_attn.k_proj.weight"]
        t["model.layers.0.self_attn.k_proj.weight"] = torch.cat((k, k), dim=0)   # [d, d], not [kv·dk, d]
    edit_tensors(d, fn)


def c_neox_qkv_short(d: str) -> None:
    def fn(t):
        name = "gpt_neox.layers.1.attention.query_key_value.weight"
        t[name] = t[name][:-1].contiguous()   # one row short of 3·d
    edit_tensors(d, fn)


def rm(*files: str) -> Callable[[str], None]:
    return lambda d: [os.remove(os.path.join(d, f)) for f in files]


CASES: List[Tuple[str, str, Callable[[str], None], str, str, Any]] = [
    # config.json
    ("config-missing", GPT2, rm("config.json"), "no config.json", "config.json", "the file (missing)"),
    ("config-truncated", GPT2, c_truncate_config, "config.json cut in half (not JSON)", "config.json", loc_truncated),
    ("config-not-object", GPT2, c_config_array, "config.json is a JSON array holding the config", "config.json", "`/` (root must be an object)"),
    ("config-no-model-type", GPT2, c_no_model_type, "model_type removed", "config.json", "`/model_type` (missing)"),
    ("config-model-type-unknown", GPT2, set_key("model_type", "mamba"), "model_type \"mamba\"", "config.json", "`/model_type`"),
    ("config-arch-mismatch", GPT2, c_arch_mismatch, "model_type gpt2 with architectures [\"BertForMaskedLM\"]", "config.json", "`/architectures/0`"),
    ("config-heads-not-divisor", BERT, set_key("num_attention_heads", 3), "hidden_size 4 with num_attention_heads 3", "config.json", "`/num_attention_heads` (or `/hidden_size`)"),
    ("config-distil-heads-not-divisor", DISTIL, set_key("n_heads", 3), "DistilBERT dim 8 with n_heads 3", "config.json", "`/n_heads` (or `/dim`)"),
    ("config-layers-zero", BERT, set_key("num_hidden_layers", 0), "num_hidden_layers 0", "config.json", "`/num_hidden_layers`"),
    ("config-layers-negative", GPT2, set_key("n_layer", -1), "n_layer -1", "config.json", "`/n_layer`"),
    ("config-layers-huge", GPT2, set_key("n_layer", 100000), "n_layer 100000 (must be refused before allocating)", "config.json", "`/n_layer`"),
    ("config-vocab-string", GPT2, set_key("vocab_size", "280"), "vocab_size is the string \"280\"", "config.json", "`/vocab_size`"),
    ("config-eps-negative", BERT, set_key("layer_norm_eps", -1e-12), "layer_norm_eps -1e-12", "config.json", "`/layer_norm_eps`"),
    ("config-activation-unknown", GPT2, set_key("activation_function", "swish2"), "activation_function \"swish2\"", "config.json", "`/activation_function`"),
    ("config-bert-act-unknown", BERT, set_key("hidden_act", "swish2"), "hidden_act \"swish2\"", "config.json", "`/hidden_act`"),
    ("config-n-inner-zero", GPT2, set_key("n_inner", 0), "n_inner 0 (null means 4·n_embd; 0 is no MLP)", "config.json", "`/n_inner`"),
    ("config-position-type-relative", BERT, set_key("position_embedding_type", "relative_key"), "position_embedding_type \"relative_key\" (unsupported)", "config.json", "`/position_embedding_type`"),
    ("config-kv-heads-not-divisor", LLAMA, set_key("num_key_value_heads", 3), "Llama with 4 attention heads and 3 key/value heads", "config.json", "`/num_key_value_heads`"),
    ("config-rope-scaling-yarn", LLAMA, set_key("rope_scaling", {"rope_type": "yarn", "factor": 4.0}), "rope_scaling type \"yarn\" (not implemented)", "config.json", "`/rope_scaling/rope_type`"),
    ("config-llama-attention-bias", LLAMA, set_key("attention_bias", True), "Llama attention_bias true (q/k/v/o biases, not implemented)", "config.json", "`/attention_bias`"),
    ("config-sliding-window-small", MISTRAL, set_key("sliding_window", 8), "Mistral sliding_window 8 < max length 40 (changes the mask)", "config.json", "`/sliding_window`"),
    # safetensors
    ("st-missing", GPT2, rm(ST), "no model.safetensors (and no index)", ST, "the file (missing)"),
    ("st-header-too-long", GPT2, c_header_too_long, "header length field (bytes 0-7) larger than the file", ST, "bytes 0-7 (header length)"),
    ("st-header-not-json", GPT2, c_header_not_json, "header bytes are not JSON", ST, "the header (bytes 8 …)"),
    ("st-duplicate-name", GPT2, c_duplicate_key, "header names transformer.ln_f.bias twice", ST, "`/transformer.ln_f.bias` (repeated key)"),
    ("st-offsets-overlap", GPT2, c_overlap, "two tensors' data_offsets overlap", ST, loc_overlap),
    ("st-offsets-past-end", GPT2, c_past_end, "last tensor's data_offsets end 8 bytes past the data", ST, loc_ordered(-1, "data_offsets")),
    ("st-offsets-gap", GPT2, c_gap, "8 unused bytes between two tensors (the data is not covered exactly)", ST, loc_ordered(2, "data_offsets")),
    ("st-dtype-i64", GPT2, c_i64, "transformer.h.0.mlp.c_fc.weight stored as I64", ST, "`/transformer.h.0.mlp.c_fc.weight/dtype`"),
    ("st-f16-length-wrong", GPT2, c_f16_length, "F16 tensor whose byte length is one element short of its shape", ST, "`/transformer.h.0.ln_1.weight/data_offsets` (with its `/shape`)"),
    ("st-shape-mismatch", GPT2, c_shape, "transformer.wte.weight is [V, d+1] = [280, 5]", ST, "`/transformer.wte.weight/shape` (vs config.json `/n_embd`)"),
    ("st-positions-short", GPT2, c_positions_short, "transformer.wpe.weight has 16 rows, config n_positions 32", ST, "`/transformer.wpe.weight/shape` (vs config.json `/n_positions`)"),
    ("st-missing-tensor", GPT2, c_missing_tensor, "transformer.ln_f.weight absent", ST, "tensor `transformer.ln_f.weight` (missing)"),
    ("st-extra-tensor", GPT2, c_extra_tensor, "unexpected tensor transformer.h.0.attn.c_extra.weight", ST, "`/transformer.h.0.attn.c_extra.weight`"),
    ("st-nan", GPT2, c_nan, "NaN at [1, 2] of transformer.h.0.attn.c_attn.weight", ST, "`/transformer.h.0.attn.c_attn.weight` (element [1, 2], flat index 14)"),
    ("st-inf", BERT, c_inf, "+inf at [7, 0] of bert.embeddings.word_embeddings.weight", ST, "`/bert.embeddings.word_embeddings.weight` (element [7, 0], flat index 28)"),
    ("st-tied-copy-differs", GPT2, c_tied_differs, "lm_head.weight stored but not equal to transformer.wte.weight", ST, "`/lm_head.weight`"),
    ("st-llama-k-proj-square", LLAMA, c_llama_k_square, "layer 0 k_proj is [32, 32]; 2 key/value heads of 8 dims need [16, 32]", ST, "`/model.layers.0.self_attn.k_proj.weight` (vs config.json `/num_key_value_heads`)"),
    ("st-neox-qkv-short", NEOX, c_neox_qkv_short, "layer 1 query_key_value.weight is [95, 32], not 3·d = 96 rows", ST, "`/gpt_neox.layers.1.attention.query_key_value.weight`"),
    # shards
    ("shard-file-missing", GPT2, c_shard_missing, "the index maps tensors to model-00002-of-00002.safetensors, which is absent", INDEX, loc_first_in_shard("model-00002-of-00002.safetensors")),
    ("shard-wrong-file", GPT2, c_shard_wrong, "weight_map sends transformer.wte.weight to shard 1; it is in shard 2", INDEX, f"`{INDEX}` `/weight_map/transformer.wte.weight`"),
    ("shard-index-not-json", GPT2, c_index_not_json, "index with a colon missing on line 6", INDEX, "line 6"),
    ("shard-index-no-weight-map", GPT2, c_index_no_map, "index without weight_map (renamed to tensors)", INDEX, "`/weight_map` (missing)"),
    # tokenizer
    ("tok-vocab-json-array", GPT2, c_vocab_array, "vocab.json is an array of tokens, not an object", "vocab.json", "`/` (root must be an object)"),
    ("tok-vocab-json-dup-id", GPT2, c_vocab_dup_id, "two tokens (\"A\" and \"Ġzq\") share one id", "vocab.json", "`/Ġzq` (or `/A`)"),
    ("tok-vocab-json-too-big", GPT2, c_vocab_too_big, "vocab.json has 282 tokens, config vocab_size 280", "vocab.json", "`/<extra_1>` (id 281 ≥ config.json `/vocab_size`)"),
    ("tok-merges-unknown", GPT2, c_merges_unknown, "merges.txt line 4 merges 'Ω', a symbol not in vocab.json", "merges.txt", "line 4"),
    ("tok-vocab-txt-duplicate", BERT, c_vocab_txt_dup, "vocab.txt line 41 repeats line 21", "vocab.txt", "line 41"),
    ("tok-vocab-txt-empty-line", BERT, c_vocab_txt_empty, "vocab.txt line 31 is empty", "vocab.txt", "line 31"),
    ("tok-vocab-txt-too-big", BERT, c_vocab_txt_too_big, "vocab.txt has 122 lines, config vocab_size 120", "vocab.txt", "line 121 (id 120 ≥ config.json `/vocab_size`)"),
    ("tok-missing", GPT2, c_no_tokenizer, "no vocab.json / merges.txt / tokenizer_config.json", "vocab.json", "the file (missing); unless the loader allows a weights-only folder"),
    # .bin only
    ("bin-only", GPT2, lambda d: _to_bin(d, True), "pytorch_model.bin instead of model.safetensors", "pytorch_model.bin", "the file: refused, with the hint `tools/bin_to_safetensors.py`"),
    ("bin-alone", GPT2, lambda d: _to_bin(d, False), "a folder holding nothing but pytorch_model.bin", "pytorch_model.bin", "config.json missing, or the .bin refused with the conversion hint"),
    ("bin-sharded-only", GPT2, c_bin_sharded, "pytorch_model-0000N-of-00002.bin + pytorch_model.bin.index.json only", "pytorch_model.bin.index.json", "the file: refused, with the conversion hint"),
]


def main() -> None:
    if os.path.isdir(OUT):
        for f in os.listdir(OUT):
            p = os.path.join(OUT, f)
            if os.path.isdir(p):
                shutil.rmtree(p)
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name, base, fn, defect, file, where in CASES:
        d = os.path.join(OUT, name)
        shutil.copytree(os.path.join(GOOD, base), d)
        fn(d)
        loc = where(d) if callable(where) else where
        rows.append(f"| `{name}` | `{base}` | {defect} | `{file}` | {loc} |")
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(README.format(n=len(rows), rows="\n".join(rows)))
    print(f"wrote {len(rows)} cases to {OUT}")


README = """# tests/data/bad/hf — malformed Hugging Face folders

Generated by `/usr/bin/python3 tools/make_hf_bad_corpus.py` (after `tools/make_hf_goldens.py`);
do not edit by hand. Each of the {n} folders is a copy of a tiny good folder from `tests/data/hf/`
(random-initialised, see its README) with exactly **one** defect. Loading must fail with an error
that names the file and the location below; the wording of the message is the loader's.
Locations are JSON Pointers into the named JSON file — for `model.safetensors` into its JSON
header, so `/NAME/data_offsets` is tensor NAME's offsets — or line numbers (1-based).

| case | copied from | defect | file | where |
|---|---|---|---|---|
{rows}

Notes
* The `.bin` cases are real `torch.save` pickles of tensors only; the loader must not open
  them at all (a pickle can run code), only say how to convert:
  `/usr/bin/python3 tools/bin_to_safetensors.py FOLDER`.
* `st-offsets-overlap`, `-past-end` and `-gap` keep every byte length equal to its shape, so the
  check that fails is the layout one (the data section must be covered exactly, in order, without
  overlap — what the reference `safetensors` library checks).
* `tok-vocab-json-too-big` / `tok-vocab-txt-too-big`: a tokenizer smaller than `vocab_size` is
  fine (see `tests/data/hf/gpt2-noprefix-buffers`, padded rows); larger is not.
"""


if __name__ == "__main__":
    main()
