#!/usr/bin/python3
"""Regenerate the Hugging Face folder fixtures tests/data/hf/<name>/ and their goldens
tests/data/golden/hf/<name>.expected.json.

    /usr/bin/python3 tools/make_hf_goldens.py

Each folder is a small, seeded, random-initialised GPT-2 / BERT / RoBERTa / DistilBERT written
the way Hugging Face writes one (config.json keys as save_pretrained sorts them, tensor names of
real checkpoints, tokenizer files), with the variations real files show: base-model prefix or
not, legacy LayerNorm.gamma/beta names, buffers and tied copies to ignore, F16/BF16 weights, a
sharded checkpoint. The goldens are computed by tools/hf_reference.py on the folder as read
back from disk (so F16/BF16 goldens use the rounded weights), in float32; the same model in
float64 must stay within half of each tolerance, and greedy / top-5 choices must have margins
of at least 1e-3, or the script stops.

Deterministic: seeded generators, one torch thread, fixed JSON formatting.
"""

from __future__ import annotations

import collections
import copy
import json
import os
import re
import shutil
import sys
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from attnscope_format import F32, write_json  # noqa: E402
from hf_reference import (build_model, create_sinusoidal_embeddings, load_folder,  # noqa: E402
                          tensor_bytes, write_safetensors)

ROOT = os.path.dirname(HERE)
OUT_HF = os.path.join(ROOT, "tests", "data", "hf")
OUT_GOLDEN = os.path.join(ROOT, "tests", "data", "golden", "hf")
# Public-domain King James Bible text already shipped with the project (see models/README.md).
TEXT_FILE = os.path.join(ROOT, "tests", "data", "kjv-heldout.txt")
TEXT_CHARS = 6000

TOLERANCE = {"attention": 1e-5, "logits": 1e-4, "hidden": 1e-4}
# float32 torch may differ from float64 by at most this share of each tolerance.
BUDGET = 0.5
MARGIN = 1e-3
GREEDY_STEPS = 8
TRANSFORMERS_VERSION = "4.46.3"   # what save_pretrained would stamp; loaders ignore it
MAX_FOLDER_BYTES = 300_000

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Tokenizer files
# --------------------------------------------------------------------------

def bytes_to_unicode() -> List[Tuple[int, str]]:
    """GPT-2's byte -> printable character table, in GPT-2's order (printables first)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


_PRETOKEN = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def train_bpe(text: str, n_merges: int) -> List[Tuple[str, str]]:
    """Plain BPE on GPT-2 pre-tokens: repeatedly merge the most frequent adjacent pair
    (ties: the lexicographically smallest pair)."""
    table = dict(bytes_to_unicode())
    words = collections.Counter(tuple(table[b] for b in w.encode("utf-8")) for w in _PRETOKEN.findall(text))
    merges: List[Tuple[str, str]] = []
    for _ in range(n_merges):
        pairs: Dict[Tuple[str, str], int] = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        new: Dict[Tuple[str, ...], int] = collections.Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] += c
        words = new
    return merges


def bpe_vocab(merges: List[Tuple[str, str]], head: List[str], tail: List[str]) -> List[str]:
    tokens = head + [c for _, c in bytes_to_unicode()] + [a + b for a, b in merges] + tail
    assert len(set(tokens)) == len(tokens), "BPE vocabulary has duplicates"
    return tokens


def write_bpe_files(folder: str, tokens: List[str], merges: List[Tuple[str, str]]) -> None:
    vocab = {t: i for i, t in enumerate(tokens)}
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(vocab, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")


BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def wordpiece_vocab(text: str, size: int) -> List[str]:
    """[PAD] [UNK] [CLS] [SEP] [MASK], the characters of the text, frequent words, ## pieces."""
    low = text.lower()
    chars = sorted({c for c in low if not c.isspace()} | set("abcdefghijklmnopqrstuvwxyz0123456789"))
    pieces = ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"] + ["##s", "##ed", "##ing", "##eth", "##th", "##est", "##ly"]
    pieces = list(dict.fromkeys(pieces))
    counts = collections.Counter(re.findall(r"[a-z]{2,}", low))
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    n_words = size - len(BERT_SPECIALS) - len(chars) - len(pieces)
    assert 0 <= n_words <= len(words), (size, n_words)
    tokens = BERT_SPECIALS + chars + words[:n_words] + pieces
    assert len(set(tokens)) == len(tokens) == size
    return tokens


def write_json_file(path: str, obj: Any) -> None:
    """JSON as transformers writes config / tokenizer configs: indent 2, sorted keys."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------
# Configs as save_pretrained writes them
# --------------------------------------------------------------------------

def gpt2_config(vocab_size: int, n_embd: int, n_head: int, n_layer: int, n_positions: int,
                act: str, n_inner: Optional[int], eos: int, dtype: str) -> Dict[str, Any]:
    return {
        "activation_function": act, "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": eos, "embd_pdrop": 0.1, "eos_token_id": eos, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": n_positions, "n_embd": n_embd,
        "n_head": n_head, "n_inner": n_inner, "n_layer": n_layer, "n_positions": n_positions,
        "reorder_and_upcast_attn": False, "resid_pdrop": 0.1, "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
        "torch_dtype": _TORCH_DTYPE[dtype], "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True, "vocab_size": vocab_size,
    }


def bert_config(arch: str, vocab_size: int, hidden: int, heads: int, layers: int, inter: int,
                act: str, positions: int, dtype: str, eps: float = 1e-12) -> Dict[str, Any]:
    return {
        "architectures": [arch], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
        "hidden_act": act, "hidden_dropout_prob": 0.1, "hidden_size": hidden, "initializer_range": 0.02,
        "intermediate_size": inter, "layer_norm_eps": eps, "max_position_embeddings": positions,
        "model_type": "bert", "num_attention_heads": heads, "num_hidden_layers": layers, "pad_token_id": 0,
        "position_embedding_type": "absolute", "torch_dtype": _TORCH_DTYPE[dtype],
        "transformers_version": TRANSFORMERS_VERSION, "type_vocab_size": 2, "use_cache": True,
        "vocab_size": vocab_size,
    }


def roberta_config(vocab_size: int, hidden: int, heads: int, layers: int, inter: int, act: str,
                   max_len: int, dtype: str) -> Dict[str, Any]:
    cfg = bert_config("RobertaForMaskedLM", vocab_size, hidden, heads, layers, inter, act, max_len + 2, dtype, 1e-05)
    cfg.update({"model_type": "roberta", "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
                "type_vocab_size": 1})
    return cfg


def distilbert_config(vocab_size: int, dim: int, heads: int, layers: int, hidden_dim: int, act: str,
                      positions: int, sinusoidal: bool, dtype: str) -> Dict[str, Any]:
    return {
        "activation": act, "architectures": ["DistilBertForMaskedLM"], "attention_dropout": 0.1,
        "dim": dim, "dropout": 0.1, "hidden_dim": hidden_dim, "initializer_range": 0.02,
        "max_position_embeddings": positions, "model_type": "distilbert", "n_heads": heads,
        "n_layers": layers, "pad_token_id": 0, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
        "sinusoidal_pos_embds": sinusoidal, "tie_weights_": True, "torch_dtype": _TORCH_DTYPE[dtype],
        "transformers_version": TRANSFORMERS_VERSION, "vocab_size": vocab_size,
    }


_TORCH_DTYPE = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}
_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


# --------------------------------------------------------------------------
# The fixtures
# --------------------------------------------------------------------------
# tokenizer: ("bpe", merges) for GPT-2 / RoBERTa, ("wordpiece", size) for BERT / DistilBERT.
# layout options: prefix (GPT-2 "transformer."), buffers, legacy, extras, shards.

def specs() -> List[Dict[str, Any]]:
    return [
        dict(name="gpt2-tiny", family="gpt2", seed=101, dtype="F32", tok=("bpe", 60),
             cfg=dict(n_embd=32, n_head=4, n_layer=2, n_positions=32, act="gelu_new", n_inner=None),
             lens=[1, 7, 12], tests="GPT2LMHeadModel.save_pretrained layout: `transformer.` prefix, no `lm_head.weight` (tied); gelu_new"),
        dict(name="gpt2-noprefix-buffers", family="gpt2", seed=102, dtype="F32", tok=("bpe", 43), pad_vocab=4,
             cfg=dict(n_embd=24, n_head=3, n_layer=3, n_positions=48, act="gelu", n_inner=40),
             lens=[1, 7], prefix="", buffers=True,
             tests="hub `gpt2` layout: no prefix, `h.N.attn.bias` [1,1,P,P] and `h.N.attn.masked_bias` [] buffers to ignore; n_inner 40 (not 4·d); activation gelu (erf); config vocab_size 4 larger than the tokenizer (padded rows)"),
        dict(name="gpt2-d4-h4-relu-f16", family="gpt2", seed=103, dtype="F16", tok=("bpe", 23),
             cfg=dict(n_embd=4, n_head=4, n_layer=1, n_positions=32, act="relu", n_inner=12),
             lens=[1, 7, 10], tests="F16 weights; d_head 1 (d 4, 4 heads); relu; n_inner 12"),
        dict(name="distilgpt2-1head-bf16", family="gpt2", seed=104, dtype="BF16", tok=("bpe", 63),
             cfg=dict(n_embd=16, n_head=1, n_layer=2, n_positions=64, act="gelu_new", n_inner=None),
             lens=[1, 7, 56], tests="BF16 weights; DistilGPT2-like (2 layers); 1 head; a 56-token case whose greedy run reaches n_positions (64)"),
        dict(name="gpt2-sharded", family="gpt2", seed=105, dtype="F32", tok=("bpe", 50), shards=2,
             cfg=dict(n_embd=48, n_head=6, n_layer=2, n_positions=32, act="gelu_new", n_inner=100),
             lens=[1, 7], tests="sharded: model-0000{1,2}-of-00002.safetensors + model.safetensors.index.json; n_inner 100"),
        dict(name="bert-mlm", family="bert", seed=201, dtype="F32", tok=("wordpiece", 160),
             cfg=dict(arch="BertForMaskedLM", hidden=32, heads=4, layers=2, inter=48, act="gelu", positions=40),
             lens=[1, 7, 12], types=True,
             tests="BertForMaskedLM.save_pretrained layout: `bert.` prefix, `cls.predictions.*` without the tied decoder weight; token_type_ids in one case; intermediate 48"),
        dict(name="bert-legacy-names", family="bert", seed=202, dtype="F32", tok=("wordpiece", 140),
             cfg=dict(arch="BertForMaskedLM", hidden=24, heads=1, layers=3, inter=40, act="gelu_new", positions=32),
             lens=[1, 7], legacy=True, extras=("decoder", "seq_relationship", "position_ids", "pooler"), types=True,
             tests="original-checkpoint layout: `LayerNorm.gamma`/`beta`, stored tied `cls.predictions.decoder.weight` and `decoder.bias`, `cls.seq_relationship.*`, `bert.pooler.*`, an I64 `bert.embeddings.position_ids` buffer; 1 head; hidden_act gelu_new"),
        dict(name="bert-d4-h4-relu-f16", family="bert", seed=203, dtype="F16", tok=("wordpiece", 120),
             cfg=dict(arch="BertForMaskedLM", hidden=4, heads=4, layers=1, inter=12, act="relu", positions=32, eps=1e-5),
             lens=[1, 7], tests="F16 weights; d_head 1; relu; layer_norm_eps 1e-5"),
        dict(name="bert-model-bf16", family="bert", seed=204, dtype="BF16", tok=("wordpiece", 130),
             cfg=dict(arch="BertModel", hidden=16, heads=2, layers=2, inter=64, act="gelu", positions=64),
             lens=[1, 7, 60], extras=("pooler",),
             tests="BertModel only: no prefix, no MLM head (golden has `hidden` = last hidden state instead of logits), `pooler.dense.*` to ignore; BF16; a 60-token case (max positions 64)"),
        dict(name="roberta-mlm", family="roberta", seed=301, dtype="F32", tok=("bpe", 40),
             cfg=dict(hidden=32, heads=4, layers=2, inter=64, act="gelu", max_len=32),
             lens=[1, 7, 12], tests="RobertaForMaskedLM.save_pretrained layout: `roberta.` prefix, `lm_head.{dense,layer_norm,bias}`; positions from padding_idx + 1; max_position_embeddings 34"),
        dict(name="roberta-sharded-pooler", family="roberta", seed=302, dtype="F32", tok=("bpe", 30), shards=2,
             cfg=dict(hidden=40, heads=5, layers=2, inter=72, act="gelu_new", max_len=64),
             lens=[1, 7, 12], extras=("decoder", "pooler"),
             tests="sharded; stored tied `lm_head.decoder.weight` + `lm_head.decoder.bias`, `roberta.pooler.*`; hidden_act gelu_new (the LM head still uses erf gelu); max_position_embeddings 66"),
        dict(name="roberta-d6-h3-relu", family="roberta", seed=303, dtype="F32", tok=("bpe", 10),
             cfg=dict(hidden=6, heads=3, layers=1, inter=10, act="relu", max_len=40),
             lens=[1, 7, 40], tests="d 6, 3 heads (d_head 2); intermediate 10; relu in the layers; a 40-token case using position ids 2..41, the last row of max_position_embeddings 42"),
        dict(name="distilbert-mlm", family="distilbert", seed=401, dtype="F32", tok=("wordpiece", 150),
             cfg=dict(dim=32, heads=4, layers=2, hidden_dim=64, act="gelu", positions=40, sinusoidal=False),
             lens=[1, 7, 12], tests="DistilBertForMaskedLM.save_pretrained layout: `distilbert.` prefix, no `vocab_projector.weight` (tied); hidden_dim 64"),
        dict(name="distilbert-sinusoidal", family="distilbert", seed=402, dtype="F32", tok=("wordpiece", 170),
             cfg=dict(dim=24, heads=3, layers=3, hidden_dim=37, act="relu", positions=48, sinusoidal=True),
             lens=[1, 7], extras=("decoder",),
             tests="sinusoidal_pos_embds true (the stored table is HF's create_sinusoidal_embeddings); stored tied `vocab_projector.weight`; hidden_dim 37; relu"),
        dict(name="distilbert-1head-f16", family="distilbert", seed=403, dtype="F16", tok=("wordpiece", 110),
             cfg=dict(dim=8, heads=1, layers=1, hidden_dim=20, act="gelu", positions=32, sinusoidal=False),
             lens=[1, 7], tests="F16 weights; 1 head; dim 8"),
    ]


def tokenizer_for(spec: Dict[str, Any], text: str) -> Dict[str, Any]:
    kind, n = spec["tok"]
    fam = spec["family"]
    if kind == "bpe":
        merges = train_bpe(text, n)
        if fam == "gpt2":
            tokens = bpe_vocab(merges, [], ["<|endoftext|>"])
            return {"kind": "bpe", "tokens": tokens, "merges": merges, "eos": len(tokens) - 1, "specials": [len(tokens) - 1]}
        tokens = bpe_vocab(merges, ["<s>", "<pad>", "</s>", "<unk>"], ["<mask>"])
        return {"kind": "bpe", "tokens": tokens, "merges": merges, "cls": 0, "pad": 1, "sep": 2,
                "mask": len(tokens) - 1, "specials": [0, 1, 2, 3, len(tokens) - 1]}
    tokens = wordpiece_vocab(text, n)
    return {"kind": "wordpiece", "tokens": tokens, "cls": 2, "sep": 3, "mask": 4, "pad": 0, "specials": [0, 1, 2, 3, 4]}


def config_for(spec: Dict[str, Any], tok: Dict[str, Any]) -> Dict[str, Any]:
    fam, c, dt = spec["family"], dict(spec["cfg"]), spec["dtype"]
    v = len(tok["tokens"]) + spec.get("pad_vocab", 0)
    if fam == "gpt2":
        return gpt2_config(v, c["n_embd"], c["n_head"], c["n_layer"], c["n_positions"], c["act"], c["n_inner"], tok["eos"], dt)
    if fam == "bert":
        return bert_config(c["arch"], v, c["hidden"], c["heads"], c["layers"], c["inter"], c["act"], c["positions"], dt, c.get("eps", 1e-12))
    if fam == "roberta":
        return roberta_config(v, c["hidden"], c["heads"], c["layers"], c["inter"], c["act"], c["max_len"], dt)
    return distilbert_config(v, c["dim"], c["heads"], c["layers"], c["hidden_dim"], c["act"], c["positions"], c["sinusoidal"], dt)


def max_len_of(cfg: Dict[str, Any]) -> int:
    if cfg["model_type"] == "gpt2":
        return cfg["n_positions"]
    if cfg["model_type"] == "roberta":
        return cfg["max_position_embeddings"] - 2
    return cfg["max_position_embeddings"]


# --------------------------------------------------------------------------
# Random weights
# --------------------------------------------------------------------------

_QK = re.compile(r"(\.query\.|\.key\.|\.q_lin\.|\.k_lin\.)weight$")


def randomize(model: torch.nn.Module, cfg: Dict[str, Any], seed: int) -> None:
    """LayerNorm weight 1 + 0.1·N and bias 0.1·N; every other bias 0.1·N; matrices N(0, 1/fan_in);
    embeddings N(0, 1); query/key matrices N(0, s²/fan_in) with s = 1.6 (GPT-2) or 2.2 (the
    post-norm encoders) so heads are far from uniform.
    DistilBERT's sinusoidal table is HF's, not random."""
    g = torch.Generator().manual_seed(seed)
    qk = 1.6 if cfg["model_type"] == "gpt2" else 2.2
    with torch.no_grad():
        for name, p in model.named_parameters():
            z = torch.randn(p.shape, generator=g)
            leaf = name.rsplit(".", 1)[-1]
            is_ln = "LayerNorm" in name or "ln_" in name or "layer_norm" in name
            if is_ln and leaf == "weight":
                p.copy_(1.0 + 0.1 * z)
            elif leaf == "bias":
                p.copy_(0.1 * z)
            elif "embeddings" in name or name in ("wte.weight", "wpe.weight"):
                p.copy_(z)
            elif name.endswith("c_attn.weight"):      # (C, 3C) = [Q | K | V]
                c = p.shape[0]
                s = torch.ones(3 * c)
                s[:2 * c] = qk
                p.copy_(z * s / c ** 0.5)
            elif name.endswith("c_fc.weight") or name.endswith("c_proj.weight"):   # Conv1D (in, out)
                p.copy_(z / p.shape[0] ** 0.5)
            else:                                      # nn.Linear (out, in)
                p.copy_(z * (qk if _QK.search(name) else 1.0) / p.shape[1] ** 0.5)
        if cfg["model_type"] == "distilbert" and cfg["sinusoidal_pos_embds"]:
            pe = model.distilbert.embeddings.position_embeddings.weight
            pe.copy_(create_sinusoidal_embeddings(pe.shape[0], pe.shape[1]))


# --------------------------------------------------------------------------
# Writing a folder
# --------------------------------------------------------------------------

def checkpoint_tensors(spec: Dict[str, Any], cfg: Dict[str, Any], model: torch.nn.Module) -> Dict[str, torch.Tensor]:
    """The model's parameters under the names a real checkpoint of this layout uses, in the
    folder's dtype, plus the layout's buffers and tied copies."""
    dt = _DTYPE[spec["dtype"]]
    fam = spec["family"]
    extras = spec.get("extras", ())
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    out: Dict[str, torch.Tensor] = {}
    prefix = spec.get("prefix", "transformer.") if fam == "gpt2" else ""
    for k, v in sd.items():
        name = prefix + k
        if spec.get("legacy") and "LayerNorm." in name:
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out[name] = v.to(dt)
    g = torch.Generator().manual_seed(spec["seed"] + 7)
    if fam == "gpt2" and spec.get("buffers"):
        p = cfg["n_positions"]
        for i in range(cfg["n_layer"]):
            out[f"h.{i}.attn.bias"] = torch.ones(p, p).tril().view(1, 1, p, p)
            out[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    if fam == "bert":
        base = "" if cfg["architectures"][0] == "BertModel" else "bert."
        c = cfg["hidden_size"]
        if "decoder" in extras:
            out["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"].to(dt)
            out["cls.predictions.decoder.bias"] = sd["cls.predictions.bias"].to(dt)
        if "seq_relationship" in extras:
            out["cls.seq_relationship.weight"] = (torch.randn(2, c, generator=g) / c ** 0.5).to(dt)
            out["cls.seq_relationship.bias"] = (0.1 * torch.randn(2, generator=g)).to(dt)
        if "position_ids" in extras:
            out[base + "embeddings.position_ids"] = torch.arange(cfg["max_position_embeddings"]).view(1, -1)
        if "pooler" in extras:
            out[base + "pooler.dense.weight"] = (torch.randn(c, c, generator=g) / c ** 0.5).to(dt)
            out[base + "pooler.dense.bias"] = (0.1 * torch.randn(c, generator=g)).to(dt)
    if fam == "roberta":
        c = cfg["hidden_size"]
        if "decoder" in extras:
            out["lm_head.decoder.weight"] = sd["roberta.embeddings.word_embeddings.weight"].to(dt)
            out["lm_head.decoder.bias"] = sd["lm_head.bias"].to(dt)
        if "pooler" in extras:
            out["roberta.pooler.dense.weight"] = (torch.randn(c, c, generator=g) / c ** 0.5).to(dt)
            out["roberta.pooler.dense.bias"] = (0.1 * torch.randn(c, generator=g)).to(dt)
    if fam == "distilbert" and "decoder" in extras:
        out["vocab_projector.weight"] = sd["distilbert.embeddings.word_embeddings.weight"].to(dt)
    return out


def write_weights(folder: str, tensors: Dict[str, torch.Tensor], shards: int) -> None:
    if shards <= 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
        return
    names = sorted(tensors)
    sizes = [len(tensor_bytes(tensors[n])) for n in names]
    total = sum(sizes)
    files = [f"model-{i + 1:05d}-of-{shards:05d}.safetensors" for i in range(shards)]
    groups: List[List[str]] = [[] for _ in range(shards)]
    acc = 0
    for n, s in zip(names, sizes):   # contiguous runs of names, about total/shards bytes each
        groups[min(shards - 1, acc * shards // total)].append(n)
        acc += s
    weight_map = {}
    for f, grp in zip(files, groups):
        assert grp, "empty shard"
        write_safetensors(os.path.join(folder, f), {n: tensors[n] for n in grp})
        weight_map.update({n: f for n in grp})
    write_json_file(os.path.join(folder, "model.safetensors.index.json"),
                    {"metadata": {"total_size": total}, "weight_map": weight_map})


def write_tokenizer(folder: str, spec: Dict[str, Any], cfg: Dict[str, Any], tok: Dict[str, Any]) -> None:
    fam = spec["family"]
    max_len = max_len_of(cfg)
    if tok["kind"] == "bpe":
        write_bpe_files(folder, tok["tokens"], tok["merges"])
        if fam == "gpt2":
            eot = "<|endoftext|>"
            tc = {"add_prefix_space": False, "bos_token": eot, "eos_token": eot, "unk_token": eot,
                  "model_max_length": max_len, "tokenizer_class": "GPT2Tokenizer"}
        else:
            tc = {"add_prefix_space": False, "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>",
                  "mask_token": "<mask>", "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>",
                  "errors": "replace", "model_max_length": max_len, "tokenizer_class": "RobertaTokenizer"}
    else:
        with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(t + "\n" for t in tok["tokens"]))
        tc = {"cls_token": "[CLS]", "do_lower_case": True, "mask_token": "[MASK]", "model_max_length": max_len,
              "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": None, "tokenize_chinese_chars": True,
              "tokenizer_class": "DistilBertTokenizer" if fam == "distilbert" else "BertTokenizer",
              "unk_token": "[UNK]"}
    write_json_file(os.path.join(folder, "tokenizer_config.json"), tc)


# --------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------

def run(model: torch.nn.Module, case: Dict[str, Any]):
    with torch.no_grad():
        return model(case["ids"], case.get("token_type_ids"))


def sorted_margin(values: torch.Tensor, k: int) -> float:
    """Smallest gap between consecutive entries of the k+1 largest values."""
    top = torch.topk(values.double(), k + 1).values
    return float((top[:-1] - top[1:]).min())


def make_case(spec, cfg, tok, model, length: int, rng: torch.Generator, variant: int) -> Optional[Dict[str, Any]]:
    fam = spec["family"]
    v_tok = len(tok["tokens"])
    lo = {"gpt2": 0, "roberta": 4}.get(fam, 5)                 # no specials in the random body
    hi = v_tok - 1 if fam in ("gpt2", "roberta") else v_tok   # exclusive: no <|endoftext|> / <mask>
    body = torch.randint(lo, hi, (length,), generator=rng).tolist()
    case: Dict[str, Any] = {}
    if fam == "gpt2":
        if variant == 1 and length > 1:
            body[0] = tok["eos"]   # a sequence that starts with <|endoftext|>, as GPT-2 prompts often do
        case["ids"] = body
    else:
        ids = body
        if length >= 3:
            ids = [tok["cls"]] + body[1:-1] + [tok["sep"]]
        p = 0 if length == 1 else int(torch.randint(1, length - 1, (1,), generator=rng))
        ids[p] = tok["mask"]
        case["ids"] = ids
        if spec.get("types") and length >= 4 and variant == 1:
            cut = length // 2
            case["token_type_ids"] = [0] * cut + [1] * (length - cut)
        case["mlm"] = {"position": p}
    out = run(model, case)
    if out.logits is not None and fam != "gpt2":
        if sorted_margin(out.logits[case["mlm"]["position"]], 5) < MARGIN:
            return None
        case["mlm"]["top5"] = torch.topk(out.logits[case["mlm"]["position"]], 5).indices.tolist()
    elif fam == "bert":
        case.pop("mlm")   # a bare BertModel has no MLM head: the golden holds hidden states
    if fam == "gpt2":
        seq = list(case["ids"])
        greedy = []
        while len(greedy) < GREEDY_STEPS and len(seq) < cfg["n_positions"]:
            last = run(model, {"ids": seq}).logits[-1]
            if sorted_margin(last, 1) < MARGIN:
                return None
            nxt = int(torch.argmax(last))
            greedy.append(nxt)
            seq.append(nxt)
        case["greedy"] = greedy
    case["_out"] = out
    return case


def tensor_list(t: torch.Tensor) -> Any:
    if t.dim() == 1:
        return [F32(x) for x in t.tolist()]
    return [tensor_list(x) for x in t]


def golden_for(spec, cfg, tok, model) -> Tuple[Dict[str, Any], Dict[str, float]]:
    rng = torch.Generator().manual_seed(spec["seed"] + 1000)
    model64 = copy.deepcopy(model).double()
    cases = []
    diff = {"attention": 0.0, "logits": 0.0, "hidden": 0.0}
    row_max = []
    for variant, length in enumerate(spec["lens"]):
        for _attempt in range(50):
            case = make_case(spec, cfg, tok, model, length, rng, variant)
            if case is not None:
                break
        else:
            raise RuntimeError(f"{spec['name']}: no case of length {length} with margins >= {MARGIN}")
        out = case.pop("_out")
        out64 = run(model64, case)
        for a, b in zip(out.attentions, out64.attentions):
            diff["attention"] = max(diff["attention"], float((a.double() - b).abs().max()))
            if a.shape[-1] > 1:
                row_max.append(float(a.max(-1).values[:, 1:].mean()))
        record: Dict[str, Any] = {"ids": case["ids"]}
        if "token_type_ids" in case:
            record["token_type_ids"] = case["token_type_ids"]
        record["attention"] = [tensor_list(a) for a in out.attentions]
        if out.logits is not None:
            diff["logits"] = max(diff["logits"], float((out.logits.double() - out64.logits).abs().max()))
            record["logits"] = tensor_list(out.logits)
        else:
            h, h64 = out.hidden_states[-1], out64.hidden_states[-1]
            diff["hidden"] = max(diff["hidden"], float((h.double() - h64).abs().max()))
            record["hidden"] = tensor_list(h)
        if "greedy" in case:
            record["greedy"] = case["greedy"]
            if _greedy(model64, case["ids"], cfg, len(case["greedy"])) != case["greedy"]:
                raise RuntimeError(f"{spec['name']}: float64 greedy run differs")
        if "mlm" in case:
            record["mlm"] = case["mlm"]
        cases.append(record)
    for k, tol in TOLERANCE.items():
        if diff[k] > BUDGET * tol:
            raise RuntimeError(f"{spec['name']}: float32 vs float64 {k} differ by {diff[k]:.3g} > {BUDGET * tol:.3g}")
    tolerance = {"attention": TOLERANCE["attention"]}
    tolerance["logits" if model_has_logits(cfg) else "hidden"] = TOLERANCE["logits" if model_has_logits(cfg) else "hidden"]
    golden = {"model": spec["name"], "family": spec["family"], "dtype": spec["dtype"],
              "tolerance": tolerance, "cases": cases}
    diff["row_max"] = sum(row_max) / max(1, len(row_max))
    return golden, diff


def model_has_logits(cfg: Dict[str, Any]) -> bool:
    return not (cfg["model_type"] == "bert" and cfg["architectures"][0] == "BertModel")


def _greedy(model, ids, cfg, steps) -> List[int]:
    seq, out = list(ids), []
    for _ in range(steps):
        with torch.no_grad():
            nxt = int(torch.argmax(model(seq).logits[-1]))
        out.append(nxt)
        seq.append(nxt)
    return out


# --------------------------------------------------------------------------

def folder_size(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def build(spec: Dict[str, Any], text: str) -> Dict[str, Any]:
    tok = tokenizer_for(spec, text)
    cfg = config_for(spec, tok)
    model = build_model(cfg)
    randomize(model, cfg, spec["seed"])
    folder = os.path.join(OUT_HF, spec["name"])
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    write_json_file(os.path.join(folder, "config.json"), cfg)
    tensors = checkpoint_tensors(spec, cfg, model)
    write_weights(folder, tensors, spec.get("shards", 1))
    write_tokenizer(folder, spec, cfg, tok)
    size = folder_size(folder)
    if size > MAX_FOLDER_BYTES:
        raise RuntimeError(f"{folder}: {size} bytes > {MAX_FOLDER_BYTES}")

    # The golden comes from the folder as read back, so it uses exactly the stored (rounded) weights.
    cfg2, loaded, dtype = load_folder(folder)
    assert dtype == spec["dtype"], (dtype, spec["dtype"])
    rounded = {k: v.to(_DTYPE[spec["dtype"]]).to(torch.float32) for k, v in model.state_dict().items()}
    for k, v in loaded.state_dict().items():
        if not torch.equal(v, rounded[k]):
            raise RuntimeError(f"{folder}: {k} did not survive the round trip")
    golden, diff = golden_for(spec, cfg2, tok, loaded)
    write_json(os.path.join(OUT_GOLDEN, spec["name"] + ".expected.json"), golden)
    return {"name": spec["name"], "family": spec["family"], "dtype": spec["dtype"], "tests": spec["tests"],
            "shape": shape_text(cfg), "size": size, "diff": diff, "vocab": cfg["vocab_size"],
            "tok": len(tok["tokens"]), "tensors": len(tensors)}


def main() -> None:
    with open(TEXT_FILE, encoding="utf-8") as f:
        text = f.read()[:TEXT_CHARS]
    os.makedirs(OUT_HF, exist_ok=True)
    os.makedirs(OUT_GOLDEN, exist_ok=True)
    total = 0
    results = []
    print(f"{'name':26} {'bytes':>7} {'V':>4} {'tensors':>7} {'row max':>7} {'f64 Δattn':>10} {'f64 Δlogits':>11} {'f64 Δhidden':>11}")
    for spec in specs():
        r = build(spec, text)
        results.append(r)
        total += r["size"]
        d = r["diff"]
        print(f"{r['name']:26} {r['size']:7d} {r['vocab']:4d} {r['tensors']:7d} {d['row_max']:7.3f} "
              f"{d['attention']:10.2e} {d['logits']:11.2e} {d['hidden']:11.2e}")
    print(f"total {total} bytes")
    if total > 4_000_000:
        raise RuntimeError("fixtures exceed 4 MB")
    write_readme(results, total)


def shape_text(cfg: Dict[str, Any]) -> str:
    mt = cfg["model_type"]
    if mt == "gpt2":
        return (f"L {cfg['n_layer']}, d {cfg['n_embd']}, H {cfg['n_head']}, ff {cfg['n_inner'] or 4 * cfg['n_embd']}, "
                f"P {cfg['n_positions']}, {cfg['activation_function']}")
    if mt == "distilbert":
        return (f"L {cfg['n_layers']}, d {cfg['dim']}, H {cfg['n_heads']}, ff {cfg['hidden_dim']}, "
                f"P {cfg['max_position_embeddings']}, {cfg['activation']}")
    return (f"L {cfg['num_hidden_layers']}, d {cfg['hidden_size']}, H {cfg['num_attention_heads']}, "
            f"ff {cfg['intermediate_size']}, P {cfg['max_position_embeddings']}, {cfg['hidden_act']}")


def write_readme(results: List[Dict[str, Any]], total: int) -> None:
    rows = "\n".join(
        f"| `{r['name']}` | {r['family']} | {r['dtype']} | {r['shape']} | V {r['vocab']} (tokenizer {r['tok']}) | "
        f"{r['tests']} | {r['diff']['attention']:.1e} / {max(r['diff']['logits'], r['diff']['hidden']):.1e} |"
        for r in results)
    text = README_TEMPLATE.format(rows=rows, total=total, chars=TEXT_CHARS,
                                  ta=TOLERANCE["attention"], tl=TOLERANCE["logits"], margin=MARGIN)
    with open(os.path.join(OUT_HF, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


README_TEMPLATE = """# tests/data/hf — Hugging Face model folders for the loader

Generated by `tools/make_hf_goldens.py`; do not edit by hand. Regenerate with

```sh
/usr/bin/python3 tools/make_hf_goldens.py     # rewrites tests/data/hf/* and tests/data/golden/hf/*
```

The run is deterministic (seeded, one torch thread): running it twice gives byte-identical files.

Every folder is **random-initialised** by that script (seeded `torch.randn`, no trained or
downloaded weights), so there are no licence concerns for the weights. The tokenizer files were
learned by the script from the first {chars} characters of `tests/data/kjv-heldout.txt` (King
James Bible, public domain; see models/README.md).

Each folder is laid out as Hugging Face writes it: `config.json` with the keys and values
`save_pretrained` writes (sorted, indent 2, including `torch_dtype` and `transformers_version`,
which a loader should not trust over the safetensors header), `model.safetensors` (or shards +
`model.safetensors.index.json`) with the tensor names real checkpoints use, and the tokenizer
files (`vocab.json` + `merges.txt` + `tokenizer_config.json` for byte-level BPE,
`vocab.txt` + `tokenizer_config.json` for WordPiece).

The goldens `tests/data/golden/hf/NAME.expected.json` hold, per case, `ids`, optional
`token_type_ids`, `attention` [layer][head][Tq][Tk], `logits` [T][V] (or `hidden` [T][d], the last
hidden state, for the bare BertModel), `greedy` (GPT-2: 8 argmax ids appended one at a time, fewer
when `n_positions` is reached) and `mlm` (`position` of the mask id in `ids`, `top5` ids by logit,
highest first). They are computed by `tools/hf_reference.py` in float32 on the weights as read
back from the folder (F16/BF16 weights widened exactly to float32). Tolerances: attention
{ta:g}, logits / hidden {tl:g} (absolute). The last column below is the largest difference between
these float32 values and the same reference run in float64 (attention / logits-or-hidden); the
script refuses to write a golden where it exceeds half the tolerance. Greedy steps and the top-5
ranks all have margins of at least {margin:g} between neighbouring logits.

| folder | family | dtype | shape | vocab | what it tests | float64 Δ |
|---|---|---|---|---|---|---|
{rows}

Tensors a loader must **ignore** (they appear in real files): GPT-2 `h.N.attn.bias` (causal mask
buffer) and `h.N.attn.masked_bias`; `*.embeddings.position_ids` (I64 buffer); `*pooler.*`;
`cls.seq_relationship.*`. Tied copies that may be present and must equal the word embeddings:
GPT-2 `lm_head.weight`, BERT `cls.predictions.decoder.weight` (its `decoder.bias` equals
`cls.predictions.bias`), RoBERTa `lm_head.decoder.weight` (+ `decoder.bias` = `lm_head.bias`),
DistilBERT `vocab_projector.weight`.

Semantics worth knowing (all in the reference): GPT-2's Conv1D weights are [in, out]
(`y = x @ W + b`) and `c_attn` splits into Q | K | V along its last dim; RoBERTa's position ids
start at `pad_token_id + 1` = 2 (`create_position_ids_from_input_ids`), so a sequence can have at
most `max_position_embeddings - 2` tokens; RoBERTa's LM head applies erf GELU whatever
`hidden_act` is, BERT's prediction transform applies `hidden_act`; DistilBERT's LayerNorms use
eps 1e-12 (not from config) and it scales q by 1/sqrt(d_head) before QKᵀ.

Total size of the folders: {total} bytes.
"""


if __name__ == "__main__":
    main()
