#!/usr/bin/python3
"""llama2.c checkpoints, tokenizer.bin and their goldens for the C++ engine.

    /usr/bin/python3 tools/make_llama2c_fixtures.py

Needs python3-torch and python3-sentencepiece (Debian), and the `bible` program (bible-kjv)
for the tokenizer's training text. Writes into tests/data/llama2c/:

  tokenizer.model   a small SentencePiece BPE model (vocabulary 512, byte fallback) trained on
                    the King James Bible's training chapters, with the options Llama 2's tokenizer
                    uses (identity normalisation, a dummy prefix, extra white space kept);
  tokenizer.bin     that model in llama2.c's tokenizer.bin layout (max_token_length, then per
                    token: float score, int length, bytes; '▁' written as ' ', BOS/EOS as
                    "\\n<s>\\n"/"\\n</s>\\n"), as llama2.c's tokenizer.py exports it;
  legacy-tied.bin   a random-initialised model in the legacy (version 0) layout: 7-int header,
                    a positive vocab_size meaning a shared classifier, then the weights in
                    legacy_export's order incl. the freq_cis tables;
  v1-untied-gqa.bin another model in the version-1 layout ("ak42" magic, version 1, 7 ints, the
                    shared-classifier byte, zero padding to 256 bytes, then version1_export's
                    order, the classifier last);
  hf-permuted/      v1-untied-gqa's weights as Hugging Face's Llama conversion stores them
                    (q/k rows permuted for the rotate-half convention), config.json and
                    model.safetensors: the engine must give the same logits from both.

and goldens tests/data/golden/llama2c/<name>.expected.json (attention of every head, logits,
greedy continuation; the format of tools/make_hf_goldens.py) computed by the reference below,
and tests/data/tokenizers/golden-llama2c-bin.json (ids from SentencePiece's own encoder for
held-out text and edge cases).

The reference model is this project's own, written from the published semantics of llama2.c's
model.py: RMSNorm (x · rsqrt(mean(x²) + eps) · w, eps 1e-5), rotary embeddings on interleaved
pairs (x[2i], x[2i+1]) rotated by position · θ^(−2i/d_head), θ = 10000, grouped-query attention
(query head h reads key/value head h // (H / H_kv)), SwiGLU w2(silu(w1 x) · w3 x). It shares no
code with the engine, which uses the rotate-half convention and so must permute q/k rows when
it loads a llama2.c file. Tolerances: attention 1e-5, logits 1e-4; the float32 reference must
stay within half of each against float64, and greedy choices need margins ≥ 1e-3.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import shutil
import struct
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import kjv_corpus  # noqa: E402
from attnscope_format import F32, write_json  # noqa: E402
from make_hf_goldens import write_json_file, write_weights  # noqa: E402
from make_llama_goldens import greedy, tensor_list  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "data", "llama2c")
OUT_GOLDEN = os.path.join(ROOT, "tests", "data", "golden", "llama2c")
OUT_TOKENIZER_GOLDEN = os.path.join(ROOT, "tests", "data", "tokenizers", "golden-llama2c-bin.json")
TOLERANCE = {"attention": 1e-5, "logits": 1e-4}
BUDGET = 0.5
MARGIN = 1e-3
GREEDY_STEPS = 8
VOCAB = 512
EPS = 1e-5
THETA = 10000.0

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------

def train_tokenizer() -> spm.SentencePieceProcessor:
    train, _ = kjv_corpus.load()
    text = "".join(kjv_corpus.chapter_text(ch) for ch in train[::3])
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text.split("\n")), model_writer=model, model_type="bpe",
        vocab_size=VOCAB, character_coverage=0.9995, byte_fallback=True, split_digits=True,
        allow_whitespace_only_pieces=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=True, unk_id=0, bos_id=1, eos_id=2,
        pad_id=-1, num_threads=1, self_test_sample_size=0, minloglevel=2)
    with open(os.path.join(OUT, "tokenizer.model"), "wb") as f:
        f.write(model.getvalue())
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


def write_tokenizer_bin(sp: spm.SentencePieceProcessor, path: str) -> None:
    tokens, scores = [], []
    for i in range(sp.get_piece_size()):
        t = sp.id_to_piece(i)
        if i == sp.bos_id():
            t = "\n<s>\n"
        elif i == sp.eos_id():
            t = "\n</s>\n"
        tokens.append(t.replace("\u2581", " ").encode("utf-8"))
        scores.append(sp.get_score(i))
    with open(path, "wb") as f:
        f.write(struct.pack("<I", max(len(t) for t in tokens)))
        for b, s in zip(tokens, scores):
            f.write(struct.pack("<fI", s, len(b)))
            f.write(b)


def tokenizer_texts() -> List[str]:
    with open(os.path.join(ROOT, "tests", "data", "kjv-heldout.txt"), encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n") if ln]
    edge = ["", " ", "  ", "a", " leading space", "trailing space ", "two  spaces\tand a tab",
            "line one\nline two\n", "Numbers 1234 and 3.14159", "naïve café — “quoted”",
            "中文的注意力头", "emoji 🙂 and 🚀!", "\u00e9 vs e\u0301", "ZERO\u200bWIDTH", "<s> not a special",
            "\u2581already a metaspace", "ALL CAPS AND lower", "jesus wept.", "x" * 40, "\x01\x7f control"]
    return edge + lines


def tokenizer_golden(sp: spm.SentencePieceProcessor) -> Dict[str, Any]:
    rows = [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in tokenizer_texts()]
    return {"source": "SentencePiece " + spm.__version__ + " (python3-sentencepiece) encode() of "
                      "tests/data/llama2c/tokenizer.model, no BOS/EOS",
            "tokenizer": "tests/data/llama2c/tokenizer.bin", "rows": rows}


# --------------------------------------------------------------------------
# Reference model (llama2.c model.py semantics: interleaved rotary pairs)
# --------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


def rotate_pairs(x, positions_first=0):
    """x (H, T, dk): pairs (2i, 2i+1) rotated by t · θ^(−2i/dk)."""
    dk = x.shape[-1]
    freqs = 1.0 / (THETA ** (torch.arange(0, dk, 2)[: dk // 2].to(x.dtype) / dk))
    t = torch.arange(positions_first, positions_first + x.shape[1], dtype=x.dtype)
    ang = torch.outer(t, freqs)
    cos, sin = ang.cos(), ang.sin()
    xr, xi = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = xr * cos - xi * sin
    out[..., 1::2] = xr * sin + xi * cos
    return out


class Attention(nn.Module):
    def __init__(self, d, h, kv):
        super().__init__()
        self.h, self.kv, self.dk = h, kv, d // h
        self.wq = nn.Linear(d, h * self.dk, bias=False)
        self.wk = nn.Linear(d, kv * self.dk, bias=False)
        self.wv = nn.Linear(d, kv * self.dk, bias=False)
        self.wo = nn.Linear(h * self.dk, d, bias=False)

    def forward(self, x):
        t = x.shape[0]
        q = rotate_pairs(self.wq(x).view(t, self.h, self.dk).transpose(0, 1))
        k = rotate_pairs(self.wk(x).view(t, self.kv, self.dk).transpose(0, 1))
        v = self.wv(x).view(t, self.kv, self.dk).transpose(0, 1)
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, dim=0), v.repeat_interleave(rep, dim=0)
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk)
        s = s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
        a = F.softmax(s, dim=-1)
        return self.wo(torch.matmul(a, v).transpose(0, 1).reshape(t, -1)), a


class Block(nn.Module):
    def __init__(self, d, h, kv, hidden):
        super().__init__()
        self.attention_norm = RMSNorm(d)
        self.attention = Attention(d, h, kv)
        self.ffn_norm = RMSNorm(d)
        self.w1 = nn.Linear(d, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d, bias=False)
        self.w3 = nn.Linear(d, hidden, bias=False)

    def forward(self, x):
        a, w = self.attention(self.attention_norm(x))
        x = x + a
        y = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(y)) * self.w3(y)), w


class Llama2c(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.tok_embeddings = nn.Embedding(p["vocab"], p["dim"])
        self.layers = nn.ModuleList(Block(p["dim"], p["heads"], p["kv_heads"], p["hidden"]) for _ in range(p["layers"]))
        self.norm = RMSNorm(p["dim"])
        self.output = nn.Linear(p["dim"], p["vocab"], bias=False)
        if p["shared"]:
            self.output.weight = self.tok_embeddings.weight

    def forward(self, ids):
        x = self.tok_embeddings(torch.as_tensor(ids))
        atts = []
        for layer in self.layers:
            x, a = layer(x)
            atts.append(a)
        return atts, self.output(self.norm(x))


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif "embeddings" in name:
                p.copy_(0.8 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]) * 1.3)


# --------------------------------------------------------------------------
# Writers (llama2.c's export.py layouts, from its documented order)
# --------------------------------------------------------------------------

def f32(t) -> bytes:
    return t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()


def header_ints(m, vocab_field):
    p = m.p
    return struct.pack("<7i", p["dim"], p["hidden"], p["layers"], p["heads"], p["kv_heads"], vocab_field, p["seq_len"])


def write_legacy(m, path):
    p = m.p
    L = m.layers
    out = [header_ints(m, p["vocab"] if p["shared"] else -p["vocab"]), f32(m.tok_embeddings.weight)]
    out += [f32(b.attention_norm.weight) for b in L]
    for attr in ("wq", "wk", "wv", "wo"):
        out += [f32(getattr(b.attention, attr).weight) for b in L]
    out += [f32(b.ffn_norm.weight) for b in L]
    for attr in ("w1", "w2", "w3"):
        out += [f32(getattr(b, attr).weight) for b in L]
    out.append(f32(m.norm.weight))
    dk = p["dim"] // p["heads"]
    freqs = 1.0 / (THETA ** (torch.arange(0, dk, 2)[: dk // 2].float() / dk))
    ang = torch.outer(torch.arange(p["seq_len"]).float(), freqs)
    out += [f32(ang.cos()), f32(ang.sin())]            # freq_cis tables (the reader skips them)
    if not p["shared"]:
        out.append(f32(m.output.weight))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def write_v1(m, path):
    p = m.p
    L = m.layers
    head = struct.pack("<Ii", 0x616B3432, 1) + header_ints(m, p["vocab"]) + struct.pack("<B", int(p["shared"]))
    head += b"\0" * (256 - len(head))
    out = [head]
    out += [f32(b.attention_norm.weight) for b in L]
    out += [f32(b.ffn_norm.weight) for b in L]
    out += [f32(m.norm.weight), f32(m.tok_embeddings.weight)]
    for attr in ("wq", "wk", "wv", "wo"):
        out += [f32(getattr(b.attention, attr).weight) for b in L]
    for attr in ("w1", "w2", "w3"):
        out += [f32(getattr(b, attr).weight) for b in L]
    if not p["shared"]:
        out.append(f32(m.output.weight))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def permute_for_hf(w, heads):
    """Interleaved pairs → rotate-half rows, as Hugging Face's Llama conversion permutes q/k."""
    rows, cols = w.shape
    return w.reshape(heads, rows // heads // 2, 2, cols).transpose(1, 2).reshape(rows, cols)


def write_hf(m, folder):
    p = m.p
    os.makedirs(folder)
    t = {"model.embed_tokens.weight": m.tok_embeddings.weight, "model.norm.weight": m.norm.weight}
    for i, b in enumerate(m.layers):
        q = f"model.layers.{i}."
        t[q + "input_layernorm.weight"] = b.attention_norm.weight
        t[q + "post_attention_layernorm.weight"] = b.ffn_norm.weight
        t[q + "self_attn.q_proj.weight"] = permute_for_hf(b.attention.wq.weight, p["heads"])
        t[q + "self_attn.k_proj.weight"] = permute_for_hf(b.attention.wk.weight, p["kv_heads"])
        t[q + "self_attn.v_proj.weight"] = b.attention.wv.weight
        t[q + "self_attn.o_proj.weight"] = b.attention.wo.weight
        t[q + "mlp.gate_proj.weight"] = b.w1.weight
        t[q + "mlp.down_proj.weight"] = b.w2.weight
        t[q + "mlp.up_proj.weight"] = b.w3.weight
    if not p["shared"]:
        t["lm_head.weight"] = m.output.weight
    write_weights(folder, {n: v.detach().to(torch.float32).contiguous() for n, v in t.items()}, 1)
    write_json_file(os.path.join(folder, "config.json"), {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": p["dim"],
        "intermediate_size": p["hidden"], "num_hidden_layers": p["layers"], "num_attention_heads": p["heads"],
        "num_key_value_heads": p["kv_heads"], "vocab_size": p["vocab"], "max_position_embeddings": p["seq_len"],
        "rms_norm_eps": EPS, "rope_theta": THETA, "hidden_act": "silu", "tie_word_embeddings": p["shared"],
        "attention_bias": False, "mlp_bias": False, "bos_token_id": 1, "eos_token_id": 2,
        "torch_dtype": "float32", "transformers_version": "4.46.3"})


# --------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------

def goldens(name, model, seed, lens, sp):
    ref64 = copy.deepcopy(model).double()
    rng = torch.Generator().manual_seed(seed + 1000)
    cases, diff = [], {"attention": 0.0, "logits": 0.0}
    texts = ["And God said, Let there be light", "In the beginning", "The LORD is my shepherd; I shall not want."]
    for k, length in enumerate(lens):
        ids = None
        if k < len(texts):   # real tokenizer ids with BOS first, as llama2.c's run.c starts a prompt
            ids = [1] + sp.encode(texts[k])
            g = greedy(model, ids, GREEDY_STEPS, model.p["seq_len"])
            if g is None:
                ids = None
        if ids is None:
            for _ in range(50):
                ids = torch.randint(0, model.p["vocab"], (length,), generator=rng).tolist()
                g = greedy(model, ids, GREEDY_STEPS, model.p["seq_len"])
                if g is not None:
                    break
            else:
                raise RuntimeError(f"{name}: no case of length {length} with margins >= {MARGIN}")
        with torch.no_grad():
            atts, logits = model(ids)
            atts64, logits64 = ref64(ids)
        for a, b in zip(atts, atts64):
            diff["attention"] = max(diff["attention"], float((a.double() - b).abs().max()))
        diff["logits"] = max(diff["logits"], float((logits.double() - logits64).abs().max()))
        if greedy(ref64, ids, len(g), model.p["seq_len"]) != g:
            raise RuntimeError(f"{name}: float64 greedy differs")
        cases.append({"ids": ids, "attention": [tensor_list(a) for a in atts], "logits": tensor_list(logits), "greedy": g})
    for k, tol in TOLERANCE.items():
        if diff[k] > BUDGET * tol:
            raise RuntimeError(f"{name}: float32 vs float64 {k} differ by {diff[k]:.3g}")
    write_json(os.path.join(OUT_GOLDEN, name + ".expected.json"),
               {"model": name, "family": "llama2c", "dtype": "F32", "tolerance": dict(TOLERANCE), "cases": cases})
    return diff


MODELS = [
    {"name": "legacy-tied", "seed": 81, "writer": write_legacy, "lens": [1, 9, 20],
     "p": {"dim": 48, "hidden": 128, "layers": 2, "heads": 6, "kv_heads": 6, "vocab": VOCAB, "seq_len": 64, "shared": True},
     "tests": "legacy (version 0) layout, shared classifier (positive vocab_size), 6 heads"},
    {"name": "v1-untied-gqa", "seed": 82, "writer": write_v1, "lens": [2, 11, 17],
     "p": {"dim": 32, "hidden": 96, "layers": 3, "heads": 4, "kv_heads": 2, "vocab": VOCAB, "seq_len": 48, "shared": False},
     "tests": "version 1 layout, own classifier, 4 query / 2 key-value heads"},
]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    os.makedirs(OUT_GOLDEN, exist_ok=True)
    sp = train_tokenizer()
    write_tokenizer_bin(sp, os.path.join(OUT, "tokenizer.bin"))
    write_json(OUT_TOKENIZER_GOLDEN, tokenizer_golden(sp))
    lines = []
    for spec in MODELS:
        model = Llama2c(spec["p"])
        randomize(model, spec["seed"])
        model.eval()
        spec["writer"](model, os.path.join(OUT, spec["name"] + ".bin"))
        if spec["name"] == "v1-untied-gqa":
            write_hf(model, os.path.join(OUT, "hf-permuted"))
        diff = goldens(spec["name"], model, spec["seed"], spec["lens"], sp)
        size = os.path.getsize(os.path.join(OUT, spec["name"] + ".bin"))
        print(f"{spec['name']:16} {size:7d} B  f64 Δattn {diff['attention']:.2e}  Δlogits {diff['logits']:.2e}")
        lines.append(f"| `{spec['name']}.bin` | {spec['tests']} | {diff['attention']:.1e} / {diff['logits']:.1e} |")
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# llama2.c fixtures\n\n"
                "Written by `tools/make_llama2c_fixtures.py` (regenerate with `/usr/bin/python3 "
                "tools/make_llama2c_fixtures.py`; needs python3-torch, python3-sentencepiece, bible-kjv). "
                "Random-initialised, seeded models in llama2.c's two float32 layouts, and `hf-permuted/`: "
                "`v1-untied-gqa`'s weights as a Hugging Face Llama folder (q/k rows permuted). Goldens in "
                "`tests/data/golden/llama2c/` from the script's own reference (llama2.c model.py semantics, "
                "interleaved rotary pairs); tolerances attention 1e-5, logits 1e-4, greedy exact. Last "
                "column: float32 vs float64 reference (attention / logits).\n\n"
                "`tokenizer.model` is a SentencePiece BPE model (512 pieces, byte fallback) trained on "
                "every third training chapter of the King James Bible (public domain; Debian's bible-kjv); "
                "`tokenizer.bin` is the same in llama2.c's layout. "
                "`tests/data/tokenizers/golden-llama2c-bin.json` holds SentencePiece's own ids.\n\n"
                "| file | what it tests | f32 vs f64 |\n|---|---|---|\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
