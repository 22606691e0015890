#!/usr/bin/python3
"""Llama / Mistral / Qwen2 / GPT-NeoX fixtures and goldens for the C++ engine.

    /usr/bin/python3 tools/make_llama_goldens.py

Writes seeded, random-initialised folders tests/data/hf/<name>/ the way Hugging Face writes
them (config.json, model.safetensors or shards, real tensor names incl. the buffers older
checkpoints carry) and goldens tests/data/golden/hf/<name>.expected.json in the format of
tools/make_hf_goldens.py (attention of every head, logits, greedy continuation), read by
core.test_hf_checkpoint.

The reference modules below are this project's own, written from the published semantics of
Hugging Face's modeling code (modeling_llama.py, modeling_qwen2.py, modeling_mistral.py,
modeling_gpt_neox.py): RMSNorm in float32 (x · rsqrt(mean(x²) + eps) · w), rotary embeddings
in the rotate-half convention (inv_freq = 1 / θ^(2i/dim) in float32, linear scaling dividing
the positions), grouped-query attention by repeating key/value heads (query head h reads
key/value head h // (H / H_kv)), SwiGLU (down(silu(gate(x)) · up(x))), and GPT-NeoX's fused
per-head query_key_value, partial rotary (rotary_ndims = int(d_head · rotary_pct)) and
parallel residual. They share no code with the engine. Goldens are computed on the folder as
read back from disk (F16/BF16 goldens use the rounded weights); the same model in float64 must
stay within half of each tolerance and greedy choices need margins ≥ 1e-3, or the script stops.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
import sys
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attnscope_format import F32, write_json  # noqa: E402
from hf_reference import folder_tensors  # noqa: E402
from make_hf_goldens import write_json_file, write_weights  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT_HF = os.path.join(ROOT, "tests", "data", "hf")
OUT_GOLDEN = os.path.join(ROOT, "tests", "data", "golden", "hf")
TOLERANCE = {"attention": 1e-5, "logits": 1e-4}
BUDGET = 0.5
MARGIN = 1e-3
GREEDY_STEPS = 8
_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Reference pieces
# --------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x32 = x.to(torch.float32) if dtype != torch.float64 else x
        var = x32.pow(2).mean(-1, keepdim=True)
        return self.weight * (x32 * torch.rsqrt(var + self.eps)).to(dtype)


def rope_cos_sin(dim: int, theta: float, positions: int, factor: float, dtype):
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    t = torch.arange(positions, dtype=torch.float32) / factor
    freqs = torch.outer(t, inv)                   # (T, dim/2), float32 as HF
    emb = torch.cat((freqs, freqs), dim=-1)       # (T, dim)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def apply_rope(x, cos, sin):
    """x (H, T, dim)"""
    return x * cos + rotate_half(x) * sin


def causal_softmax(scores):
    t = scores.shape[-1]
    mask = torch.ones(t, t, dtype=torch.bool).tril()
    scores = torch.where(mask, scores, torch.tensor(torch.finfo(scores.dtype).min, dtype=scores.dtype))
    return F.softmax(scores, dim=-1)


_ACT = {"silu": F.silu, "gelu": F.gelu,
        "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))}


class LlamaAttention(nn.Module):
    def __init__(self, c: Dict[str, Any], qkv_bias: bool):
        super().__init__()
        d, self.h = c["hidden_size"], c["num_attention_heads"]
        self.kv = c.get("num_key_value_heads", self.h)
        self.dk = d // self.h
        self.q_proj = nn.Linear(d, self.h * self.dk, bias=qkv_bias)
        self.k_proj = nn.Linear(d, self.kv * self.dk, bias=qkv_bias)
        self.v_proj = nn.Linear(d, self.kv * self.dk, bias=qkv_bias)
        self.o_proj = nn.Linear(self.h * self.dk, d, bias=False)
        self.theta = c.get("rope_theta", 10000.0)
        rs = c.get("rope_scaling") or {}
        self.factor = rs.get("factor", 1.0) if rs.get("rope_type", rs.get("type")) == "linear" else 1.0

    def forward(self, x):
        t = x.shape[0]
        q = self.q_proj(x).view(t, self.h, self.dk).transpose(0, 1)
        k = self.k_proj(x).view(t, self.kv, self.dk).transpose(0, 1)
        v = self.v_proj(x).view(t, self.kv, self.dk).transpose(0, 1)
        cos, sin = rope_cos_sin(self.dk, self.theta, t, self.factor, x.dtype)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        rep = self.h // self.kv
        k = k.repeat_interleave(rep, dim=0)   # HF repeat_kv: head h reads kv head h // rep
        v = v.repeat_interleave(rep, dim=0)
        a = causal_softmax(torch.matmul(q, k.transpose(-1, -2)) * self.dk ** -0.5)
        o = torch.matmul(a, v).transpose(0, 1).reshape(t, self.h * self.dk)
        return self.o_proj(o), a


class LlamaMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)
        self.act = _ACT[c.get("hidden_act", "silu")]

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self, c, qkv_bias):
        super().__init__()
        eps = c.get("rms_norm_eps", 1e-6)
        self.input_layernorm = RMSNorm(c["hidden_size"], eps)
        self.self_attn = LlamaAttention(c, qkv_bias)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], eps)
        self.mlp = LlamaMLP(c)

    def forward(self, x):
        a, w = self.self_attn(self.input_layernorm(x))
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), w


class LlamaBody(nn.Module):
    def __init__(self, c, qkv_bias):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(LlamaLayer(c, qkv_bias) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = LlamaBody(c, c["model_type"] == "qwen2")
        self.tied = c.get("tie_word_embeddings", False)
        if not self.tied:
            self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def forward(self, ids):
        x = self.model.embed_tokens(torch.as_tensor(ids))
        atts = []
        for layer in self.model.layers:
            x, a = layer(x)
            atts.append(a)
        x = self.model.norm(x)
        w = self.model.embed_tokens.weight if self.tied else self.lm_head.weight
        return atts, x @ w.t()


class NeoXAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h = c["hidden_size"], c["num_attention_heads"]
        self.dk = d // self.h
        self.rot = int(self.dk * c.get("rotary_pct", 1.0))
        self.theta = c.get("rotary_emb_base", c.get("rope_theta", 10000.0))
        self.query_key_value = nn.Linear(d, 3 * d)
        self.dense = nn.Linear(d, d)

    def forward(self, x):
        t = x.shape[0]
        qkv = self.query_key_value(x).view(t, self.h, 3 * self.dk).transpose(0, 1)   # (H, T, 3dk)
        q, k, v = qkv[..., :self.dk], qkv[..., self.dk:2 * self.dk], qkv[..., 2 * self.dk:]
        cos, sin = rope_cos_sin(self.rot, self.theta, t, 1.0, x.dtype)
        q = torch.cat((apply_rope(q[..., :self.rot], cos, sin), q[..., self.rot:]), dim=-1)
        k = torch.cat((apply_rope(k[..., :self.rot], cos, sin), k[..., self.rot:]), dim=-1)
        a = causal_softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk))
        o = torch.matmul(a, v).transpose(0, 1).reshape(t, self.h * self.dk)
        return self.dense(o), a


class NeoXMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.dense_4h_to_h = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.act = _ACT[c.get("hidden_act", "gelu")]

    def forward(self, x):
        return self.dense_4h_to_h(self.act(self.dense_h_to_4h(x)))


class NeoXLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("layer_norm_eps", 1e-5)
        self.parallel = c.get("use_parallel_residual", True)
        self.input_layernorm = nn.LayerNorm(c["hidden_size"], eps=eps)
        self.post_attention_layernorm = nn.LayerNorm(c["hidden_size"], eps=eps)
        self.attention = NeoXAttention(c)
        self.mlp = NeoXMLP(c)

    def forward(self, x):
        a, w = self.attention(self.input_layernorm(x))
        if self.parallel:
            return x + a + self.mlp(self.post_attention_layernorm(x)), w
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), w


class NeoXBody(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_in = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(NeoXLayer(c) for _ in range(c["num_hidden_layers"]))
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c.get("layer_norm_eps", 1e-5))


class GPTNeoXForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gpt_neox = NeoXBody(c)
        self.embed_out = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def forward(self, ids):
        x = self.gpt_neox.embed_in(torch.as_tensor(ids))
        atts = []
        for layer in self.gpt_neox.layers:
            x, a = layer(x)
            atts.append(a)
        return atts, self.gpt_neox.final_layer_norm(x) @ self.embed_out.weight.t()


def build(c):
    return GPTNeoXForCausalLM(c) if c["model_type"] == "gpt_neox" else LlamaForCausalLM(c)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

def llama_cfg(mt, arch, d, h, kv, layers, ff, vocab, pos, **extra):
    c = {"architectures": [arch], "model_type": mt, "hidden_size": d, "num_attention_heads": h,
         "num_key_value_heads": kv, "num_hidden_layers": layers, "intermediate_size": ff, "vocab_size": vocab,
         "max_position_embeddings": pos, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
         "rope_scaling": None, "tie_word_embeddings": False, "torch_dtype": "float32",
         "bos_token_id": 1, "eos_token_id": 2, "transformers_version": "4.46.3"}
    if mt == "llama":
        c.update({"attention_bias": False, "mlp_bias": False, "pretraining_tp": 1})
    c.update(extra)
    return c


def neox_cfg(d, h, layers, ff, vocab, pos, **extra):
    c = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": d,
         "num_attention_heads": h, "num_hidden_layers": layers, "intermediate_size": ff, "vocab_size": vocab,
         "max_position_embeddings": pos, "hidden_act": "gelu", "layer_norm_eps": 1e-5, "rotary_pct": 0.25,
         "rotary_emb_base": 10000, "use_parallel_residual": True, "tie_word_embeddings": False,
         "attention_bias": True, "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32",
         "transformers_version": "4.46.3"}
    c.update(extra)
    return c


def specs() -> List[Dict[str, Any]]:
    return [
        {"name": "llama-gqa", "seed": 71, "dtype": "F32", "lens": [1, 7, 23],
         "cfg": llama_cfg("llama", "LlamaForCausalLM", 32, 4, 2, 2, 40, 61, 64),
         "tests": "GQA 4 query / 2 kv heads, untied head, inv_freq buffers stored"},
        {"name": "llama-mqa-tied-f16", "seed": 72, "dtype": "F16", "lens": [5, 19],
         "cfg": llama_cfg("llama", "LlamaForCausalLM", 24, 3, 1, 3, 36, 47, 48, rope_theta=500000.0,
                          tie_word_embeddings=True, rope_scaling={"rope_type": "linear", "factor": 2.0}),
         "tests": "multi-query (1 kv head), tied, θ 500000, linear rope scaling ×2, F16"},
        {"name": "mistral-sharded", "seed": 73, "dtype": "F32", "lens": [3, 16], "shards": 2,
         "cfg": llama_cfg("mistral", "MistralForCausalLM", 32, 8, 2, 2, 48, 53, 40, sliding_window=4096),
         "tests": "Mistral, d_head 4, 8 heads / 2 kv, window ≥ max length, 2 shards"},
        {"name": "qwen2-bias-bf16", "seed": 74, "dtype": "BF16", "lens": [4, 21],
         "cfg": llama_cfg("qwen2", "Qwen2ForCausalLM", 32, 4, 2, 2, 44, 59, 64, tie_word_embeddings=True,
                          use_sliding_window=False, sliding_window=4096, rms_norm_eps=1e-5),
         "tests": "Qwen2: q/k/v biases, no o bias, tied, BF16"},
        {"name": "neox-pythia", "seed": 75, "dtype": "F32", "lens": [1, 9, 24],
         "cfg": neox_cfg(32, 4, 2, 128, 57, 64),
         "tests": "GPT-NeoX: fused per-head qkv, rotary_pct 0.25, parallel residual, buffers stored"},
        {"name": "neox-odd-serial-f16", "seed": 76, "dtype": "F16", "lens": [6, 17],
         "cfg": neox_cfg(36, 4, 2, 72, 43, 32, rotary_pct=0.5, use_parallel_residual=False,
                         hidden_act="gelu_new", rotary_emb_base=1000),
         "tests": "odd d_head 9 (4 rotated), serial residual, gelu_new, F16"},
    ]


def randomize(model: nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name.endswith("norm.weight") or name.endswith("final_layer_norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif "embed" in name:
                p.copy_(0.8 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]) * 1.3)


def checkpoint_tensors(spec, cfg, model) -> Dict[str, torch.Tensor]:
    dt = _DTYPE[spec["dtype"]]
    out = {n: t.detach().to(dt).contiguous() for n, t in model.state_dict().items()}
    mt = cfg["model_type"]
    dk = cfg["hidden_size"] // cfg["num_attention_heads"]
    if mt == "gpt_neox":
        # Buffers older Pythia checkpoints store beside the weights.
        rot = int(dk * cfg["rotary_pct"])
        for i in range(cfg["num_hidden_layers"]):
            p = f"gpt_neox.layers.{i}.attention."
            out[p + "rotary_emb.inv_freq"] = 1.0 / (cfg["rotary_emb_base"] ** (torch.arange(0, rot, 2).float() / rot))
            out[p + "bias"] = torch.ones(cfg["max_position_embeddings"], cfg["max_position_embeddings"],
                                         dtype=torch.bool).tril().view(1, 1, cfg["max_position_embeddings"], -1)
            out[p + "masked_bias"] = torch.tensor(-1e9)
    elif spec["name"] == "llama-gqa":
        for i in range(cfg["num_hidden_layers"]):
            out[f"model.layers.{i}.self_attn.rotary_emb.inv_freq"] = \
                1.0 / (10000.0 ** (torch.arange(0, dk, 2).float() / dk))
    if cfg.get("tie_word_embeddings") and spec["name"] == "qwen2-bias-bf16":
        out["lm_head.weight"] = out["model.embed_tokens.weight"].clone()   # a stored tied copy
    return out


def load_reference(folder: str):
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    model = build(cfg)
    raw = folder_tensors(folder)
    params = {}
    for n, (_, t) in raw.items():
        if n.endswith("inv_freq") or n.endswith("attention.bias") or n.endswith("masked_bias"):
            continue
        if n == "lm_head.weight" and cfg.get("tie_word_embeddings"):
            assert torch.equal(t, raw["model.embed_tokens.weight"][1])
            continue
        params[n] = t.to(torch.float32)
    model.load_state_dict(params, strict=True)
    model.eval()
    return cfg, model


def margin(v, k):
    top = torch.topk(v.double(), k + 1).values
    return float((top[:-1] - top[1:]).min())


def greedy(model, ids, steps, maxlen):
    seq, out = list(ids), []
    while len(out) < steps and len(seq) < maxlen:
        with torch.no_grad():
            last = model(seq)[1][-1]
        if margin(last, 1) < MARGIN:
            return None
        out.append(int(torch.argmax(last)))
        seq.append(out[-1])
    return out


def tensor_list(t):
    if t.dim() == 1:
        return [F32(x) for x in t.tolist()]
    return [tensor_list(x) for x in t]


def make(spec):
    cfg = spec["cfg"]
    model = build(cfg)
    randomize(model, spec["seed"])
    folder = os.path.join(OUT_HF, spec["name"])
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    write_json_file(os.path.join(folder, "config.json"), cfg)
    write_weights(folder, checkpoint_tensors(spec, cfg, model), spec.get("shards", 1))
    cfg, ref = load_reference(folder)
    ref64 = copy.deepcopy(ref).double()
    rng = torch.Generator().manual_seed(spec["seed"] + 1000)
    cases, diff = [], {"attention": 0.0, "logits": 0.0}
    for length in spec["lens"]:
        for _ in range(50):
            ids = torch.randint(0, cfg["vocab_size"], (length,), generator=rng).tolist()
            g = greedy(ref, ids, GREEDY_STEPS, cfg["max_position_embeddings"])
            if g is not None:
                break
        else:
            raise RuntimeError(f"{spec['name']}: no case of length {length} with margins >= {MARGIN}")
        with torch.no_grad():
            atts, logits = ref(ids)
            atts64, logits64 = ref64(ids)
        for a, b in zip(atts, atts64):
            diff["attention"] = max(diff["attention"], float((a.double() - b).abs().max()))
        diff["logits"] = max(diff["logits"], float((logits.double() - logits64).abs().max()))
        if greedy(ref64, ids, len(g), cfg["max_position_embeddings"]) != g:
            raise RuntimeError(f"{spec['name']}: float64 greedy differs")
        cases.append({"ids": ids, "attention": [tensor_list(a) for a in atts], "logits": tensor_list(logits),
                      "greedy": g})
    for k, tol in TOLERANCE.items():
        if diff[k] > BUDGET * tol:
            raise RuntimeError(f"{spec['name']}: float32 vs float64 {k} differ by {diff[k]:.3g}")
    write_json(os.path.join(OUT_GOLDEN, spec["name"] + ".expected.json"),
               {"model": spec["name"], "family": cfg["model_type"], "dtype": spec["dtype"],
                "tolerance": dict(TOLERANCE), "cases": cases})
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    return size, diff


def main():
    lines = []
    for spec in specs():
        size, diff = make(spec)
        print(f"{spec['name']:24} {size:7d} B  f64 Δattn {diff['attention']:.2e}  Δlogits {diff['logits']:.2e}")
        lines.append(f"| `{spec['name']}` | {spec['cfg']['model_type']} | {spec['dtype']} | {spec['tests']} | "
                     f"{diff['attention']:.1e} / {diff['logits']:.1e} |")
    with open(os.path.join(OUT_HF, "LLAMA-NEOX.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Llama / Mistral / Qwen2 / GPT-NeoX fixtures\n\n"
                "Random-initialised, seeded folders written by `tools/make_llama_goldens.py` (regenerate with "
                "`/usr/bin/python3 tools/make_llama_goldens.py`); goldens in `tests/data/golden/hf/` from that "
                "script's own reference modules (written from Hugging Face's modeling code semantics). "
                "Tolerances: attention 1e-5, logits 1e-4; greedy continuations exact. Last column: float32 vs "
                "float64 reference (attention / logits). No tokenizer files: the ids are the vocabulary.\n\n"
                "| folder | model_type | dtype | what it tests | f32 vs f64 |\n|---|---|---|---|---|\n"
                + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
