"""A plain-numpy, float64 implementation of the model format's *Layer equations*.

Independent of torch: it reads only the document and its tensors, and follows
docs/model-format.md line by line. make_golden.py uses it to check that torch's
numbers (the goldens) are what the spec says, so the goldens test the spec and
not merely torch.

    doc, weights = attnscope_format.read_document(path)
    out = reference_forward(doc["architecture"], weights, source_ids, target_ids)
    out["logits"]            # [T, V] float64
    out["attention"]         # {(stack, layer): [H, Tq, Tk]}
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from attnscope_format import normalize_arch

_erf = np.vectorize(math.erf, otypes=[np.float64])


def sinusoidal(max_len: int, d: int) -> np.ndarray:
    pe = np.zeros((max_len, d))
    for pos in range(max_len):
        for c in range(d):
            i2 = c - (c % 2)
            angle = pos / 10000.0 ** (i2 / d)
            pe[pos, c] = math.sin(angle) if c % 2 == 0 else math.cos(angle)
    return pe


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def softmax_rows(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


class _W:
    def __init__(self, weights: Dict[str, np.ndarray]):
        self.w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}

    def __call__(self, name: str) -> Optional[np.ndarray]:
        return self.w.get(name)

    def linear(self, x: np.ndarray, prefix: str) -> np.ndarray:
        y = x @ self.w[prefix + ".weight"].T
        b = self.w.get(prefix + ".bias")
        return y if b is None else y + b


def attention(W: _W, prefix: str, x: np.ndarray, y: np.ndarray, h: int, causal: bool
              ) -> Tuple[np.ndarray, np.ndarray]:
    tq, d = x.shape
    tk = y.shape[0]
    dk = d // h
    q = W.linear(x, prefix + ".q_proj")
    k = W.linear(y, prefix + ".k_proj")
    v = W.linear(y, prefix + ".v_proj")
    heads = []
    ctx = np.zeros((tq, d))
    for hh in range(h):
        cols = slice(hh * dk, (hh + 1) * dk)
        s = q[:, cols] @ k[:, cols].T / math.sqrt(dk)
        if causal:
            s = s + np.triu(np.full((tq, tk), -np.inf), k=1)
        a = softmax_rows(s)
        heads.append(a)
        ctx[:, cols] = a @ v[:, cols]
    return W.linear(ctx, prefix + ".out_proj"), np.stack(heads)


def feed_forward(W: _W, prefix: str, x: np.ndarray, act: str) -> np.ndarray:
    u = W.linear(x, prefix + ".linear1")
    u = np.maximum(u, 0.0) if act == "relu" else 0.5 * u * (1.0 + _erf(u / math.sqrt(2.0)))
    return W.linear(u, prefix + ".linear2")


def _embed(a: Dict[str, Any], W: _W, side: str, ids: Sequence[int]) -> np.ndarray:
    t = len(ids)
    if t > a["max_len"]:
        raise ValueError(f"{t} tokens > max_len {a['max_len']}")
    x = W(f"{side}.embed.weight")[list(ids)]
    if a["scale_embeddings"]:
        x = x * math.sqrt(a["d_model"])
    pe = W(f"{side}.pos.weight") if a["positional"] == "learned" else sinusoidal(a["max_len"], a["d_model"])
    return x + pe[:t]


def _run_stack(a: Dict[str, Any], W: _W, side: str, x: np.ndarray, n_layers: int, causal: bool,
               memory: Optional[np.ndarray], attn: Dict[Tuple[str, int], np.ndarray]) -> np.ndarray:
    h, eps, act, pre = a["n_heads"], a["layer_norm_eps"], a["activation"], a["norm"] == "pre"

    def ln(name: str, z: np.ndarray) -> np.ndarray:
        return layer_norm(z, W(name + ".weight"), W(name + ".bias"), eps)

    for i in range(n_layers):
        p = f"{side}.layers.{i}"
        cross = memory is not None
        ff_norm = f"{p}.norm3" if cross else f"{p}.norm2"
        if pre:
            o, attn[(side, i)] = attention(W, p + ".self_attn", ln(p + ".norm1", x), ln(p + ".norm1", x), h, causal)
            x = x + o
            if cross:
                o, attn[("cross", i)] = attention(W, p + ".multihead_attn", ln(p + ".norm2", x), memory, h, False)
                x = x + o
            x = x + feed_forward(W, p, ln(ff_norm, x), act)
        else:
            o, attn[(side, i)] = attention(W, p + ".self_attn", x, x, h, causal)
            x = ln(p + ".norm1", x + o)
            if cross:
                o, attn[("cross", i)] = attention(W, p + ".multihead_attn", x, memory, h, False)
                x = ln(p + ".norm2", x + o)
            x = ln(ff_norm, x + feed_forward(W, p, x, act))
    if a["final_norm"]:
        x = ln(f"{side}.norm", x)
    return x


def reference_forward(arch: Dict[str, Any], weights: Dict[str, np.ndarray],
                      source_ids: Sequence[int], target_ids: Optional[Sequence[int]] = None
                      ) -> Dict[str, Any]:
    """Logits of the top stack and every head's attention, float64."""
    a = normalize_arch(arch)
    W = _W(weights)
    attn: Dict[Tuple[str, int], np.ndarray] = {}
    t = a["type"]
    if t == "encoder":
        top = _run_stack(a, W, "encoder", _embed(a, W, "encoder", source_ids), a["encoder_layers"],
                         False, None, attn)
        emb = W("encoder.embed.weight")
    elif t == "decoder":
        top = _run_stack(a, W, "decoder", _embed(a, W, "decoder", source_ids), a["decoder_layers"],
                         True, None, attn)
        emb = W("decoder.embed.weight")
    else:
        mem = _run_stack(a, W, "encoder", _embed(a, W, "encoder", source_ids), a["encoder_layers"],
                         False, None, attn)
        top = _run_stack(a, W, "decoder", _embed(a, W, "decoder", target_ids), a["decoder_layers"],
                         True, mem, attn)
        emb = W("decoder.embed.weight")
    head_w = emb if a["tied_output"] else W("lm_head.weight")
    logits = top @ head_w.T
    if W("lm_head.bias") is not None:
        logits = logits + W("lm_head.bias")
    return {"logits": logits, "attention": attn}


def reference_greedy(arch: Dict[str, Any], weights: Dict[str, np.ndarray], source_ids: Sequence[int],
                     bos_id: Optional[int], eos_id: Optional[int], max_len: int) -> List[int]:
    """Greedy decoding with the same stopping rules as AttnScopeTransformer.greedy."""
    a = normalize_arch(arch)
    out: List[int] = []
    if a["type"] == "encoder-decoder":
        seq = [bos_id]
        while len(seq) < max_len:
            nxt = int(np.argmax(reference_forward(a, weights, source_ids, seq)["logits"][-1]))
            seq.append(nxt)
            out.append(nxt)
            if eos_id is not None and nxt == eos_id:
                break
    elif a["type"] == "decoder":
        seq = list(source_ids)
        while len(seq) < max_len:
            nxt = int(np.argmax(reference_forward(a, weights, seq)["logits"][-1]))
            seq.append(nxt)
            out.append(nxt)
            if eos_id is not None and nxt == eos_id:
                break
    else:
        raise ValueError("greedy decoding needs a decoder")
    return out
