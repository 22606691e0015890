#!/usr/bin/python3
"""Second opinion on the HF goldens: the four families once more, in float64 numpy, no torch.

    /usr/bin/python3 tools/hf_numpy_check.py [FOLDER ...]     # default: every tests/data/hf/*

Written separately from hf_reference.py (own safetensors reader, own name handling, plain
matrix formulas) so that a slip in one — a transposed Conv1D, a wrong position offset, a
missing prefix — shows up as a mismatch. For every folder it recomputes each golden case of
tests/data/golden/hf/NAME.expected.json and requires attention within 5e-6 and logits /
hidden within 5e-5 (half the goldens' tolerances: the goldens are float32), and the same
greedy ids and top-5 ids. Exit status 1 on any mismatch.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from typing import Any, Dict, List

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMITS = {"attention": 5e-6, "logits": 5e-5, "hidden": 5e-5}


def read_st(path: str) -> Dict[str, np.ndarray]:
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        b, end = e["data_offsets"]
        buf = raw[base + b:base + end]
        dt = e["dtype"]
        if dt == "BF16":   # the top half of a float32
            a = (np.frombuffer(buf, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(buf, {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8"}[dt])
        out[k] = a.reshape(e["shape"]).astype(np.float64)
    return out


def tensors_of(folder: str) -> Dict[str, np.ndarray]:
    idx = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    w: Dict[str, np.ndarray] = {}
    for fn in files:
        for k, v in read_st(os.path.join(folder, fn)).items():
            k = k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
            w[k] = v
    return w


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def softmax(s):
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)


def act(name, x):
    if name == "relu":
        return np.maximum(x, 0)
    if name == "gelu_new":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "gelu":
        return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    raise ValueError(name)


def mha(x, wq, bq, wk, bk, wv, bv, heads, causal):
    """x (T, C); w* as y = x @ w + b (C, C). Returns context (T, C), probs (H, T, T)."""
    t, c = x.shape
    d = c // heads
    q = (x @ wq + bq).reshape(t, heads, d).transpose(1, 0, 2)
    k = (x @ wk + bk).reshape(t, heads, d).transpose(1, 0, 2)
    v = (x @ wv + bv).reshape(t, heads, d).transpose(1, 0, 2)
    s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
    if causal:
        s = np.where(np.tril(np.ones((t, t), bool)), s, -np.inf)
    a = softmax(s)
    return (a @ v).transpose(1, 0, 2).reshape(t, c), a


def gpt2(cfg, w, ids):
    p = "transformer." if "transformer.wte.weight" in w else ""
    g = lambda n: w[p + n]  # noqa: E731
    c, h = cfg["n_embd"], cfg["n_head"]
    eps = cfg["layer_norm_epsilon"]
    x = g("wte.weight")[ids] + g("wpe.weight")[np.arange(len(ids))]
    atts = []
    for i in range(cfg["n_layer"]):
        L = f"h.{i}."
        y = layer_norm(x, g(L + "ln_1.weight"), g(L + "ln_1.bias"), eps)
        W, B = g(L + "attn.c_attn.weight"), g(L + "attn.c_attn.bias")
        ctx, a = mha(y, W[:, :c], B[:c], W[:, c:2 * c], B[c:2 * c], W[:, 2 * c:], B[2 * c:], h, True)
        atts.append(a)
        x = x + ctx @ g(L + "attn.c_proj.weight") + g(L + "attn.c_proj.bias")
        y = layer_norm(x, g(L + "ln_2.weight"), g(L + "ln_2.bias"), eps)
        y = act(cfg["activation_function"], y @ g(L + "mlp.c_fc.weight") + g(L + "mlp.c_fc.bias"))
        x = x + y @ g(L + "mlp.c_proj.weight") + g(L + "mlp.c_proj.bias")
    x = layer_norm(x, g("ln_f.weight"), g("ln_f.bias"), eps)
    return atts, x @ g("wte.weight").T, x


def bert_like(cfg, w, ids, types, roberta):
    bare = cfg["architectures"][0] == "BertModel"
    p = "roberta." if roberta else ("" if bare else "bert.")
    g = lambda n: w[p + n]  # noqa: E731
    eps = cfg["layer_norm_eps"]
    ids = np.asarray(ids)
    if roberta:
        pad = cfg["pad_token_id"]
        keep = (ids != pad).astype(int)
        pos = np.cumsum(keep) * keep + pad
    else:
        pos = np.arange(len(ids))
    types = np.zeros(len(ids), int) if types is None else np.asarray(types)
    E = "embeddings."
    x = g(E + "word_embeddings.weight")[ids] + g(E + "position_embeddings.weight")[pos] + g(E + "token_type_embeddings.weight")[types]
    x = layer_norm(x, g(E + "LayerNorm.weight"), g(E + "LayerNorm.bias"), eps)
    atts = []
    for i in range(cfg["num_hidden_layers"]):
        L = f"encoder.layer.{i}."
        lin = lambda n: (g(L + n + ".weight").T, g(L + n + ".bias"))  # noqa: E731
        ctx, a = mha(x, *lin("attention.self.query"), *lin("attention.self.key"), *lin("attention.self.value"),
                     cfg["num_attention_heads"], False)
        atts.append(a)
        wo, bo = lin("attention.output.dense")
        x = layer_norm(ctx @ wo + bo + x, g(L + "attention.output.LayerNorm.weight"), g(L + "attention.output.LayerNorm.bias"), eps)
        wi, bi = lin("intermediate.dense")
        wo2, bo2 = lin("output.dense")
        y = act(cfg["hidden_act"], x @ wi + bi) @ wo2 + bo2
        x = layer_norm(y + x, g(L + "output.LayerNorm.weight"), g(L + "output.LayerNorm.bias"), eps)
    if bare:
        return atts, None, x
    emb = g(E + "word_embeddings.weight")
    if roberta:
        y = act("gelu", x @ w["lm_head.dense.weight"].T + w["lm_head.dense.bias"])
        y = layer_norm(y, w["lm_head.layer_norm.weight"], w["lm_head.layer_norm.bias"], eps)
        return atts, y @ emb.T + w["lm_head.bias"], x
    T = "cls.predictions.transform."
    y = act(cfg["hidden_act"], x @ w[T + "dense.weight"].T + w[T + "dense.bias"])
    y = layer_norm(y, w[T + "LayerNorm.weight"], w[T + "LayerNorm.bias"], eps)
    return atts, y @ emb.T + w["cls.predictions.bias"], x


def distilbert(cfg, w, ids):
    g = lambda n: w["distilbert." + n]  # noqa: E731
    eps = 1e-12
    E = "embeddings."
    x = g(E + "word_embeddings.weight")[ids] + g(E + "position_embeddings.weight")[np.arange(len(ids))]
    x = layer_norm(x, g(E + "LayerNorm.weight"), g(E + "LayerNorm.bias"), eps)
    atts = []
    for i in range(cfg["n_layers"]):
        L = f"transformer.layer.{i}."
        lin = lambda n: (g(L + n + ".weight").T, g(L + n + ".bias"))  # noqa: E731
        ctx, a = mha(x, *lin("attention.q_lin"), *lin("attention.k_lin"), *lin("attention.v_lin"), cfg["n_heads"], False)
        atts.append(a)
        wo, bo = lin("attention.out_lin")
        x = layer_norm(ctx @ wo + bo + x, g(L + "sa_layer_norm.weight"), g(L + "sa_layer_norm.bias"), eps)
        w1, b1 = lin("ffn.lin1")
        w2, b2 = lin("ffn.lin2")
        y = act(cfg["activation"], x @ w1 + b1) @ w2 + b2
        x = layer_norm(y + x, g(L + "output_layer_norm.weight"), g(L + "output_layer_norm.bias"), eps)
    y = act(cfg["activation"], x @ w["vocab_transform.weight"].T + w["vocab_transform.bias"])
    y = layer_norm(y, w["vocab_layer_norm.weight"], w["vocab_layer_norm.bias"], eps)
    return atts, y @ g(E + "word_embeddings.weight").T + w["vocab_projector.bias"], x


def forward(cfg, w, ids, types=None):
    mt = cfg["model_type"]
    if mt == "gpt2":
        return gpt2(cfg, w, ids)
    if mt == "distilbert":
        return distilbert(cfg, w, ids)
    return bert_like(cfg, w, ids, types, mt == "roberta")


def check(folder: str) -> List[str]:
    name = os.path.basename(os.path.normpath(folder))
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(ROOT, "tests", "data", "golden", "hf", name + ".expected.json")) as f:
        gold = json.load(f)
    w = tensors_of(folder)
    errors, worst = [], {"attention": 0.0, "logits": 0.0, "hidden": 0.0}
    for ci, case in enumerate(gold["cases"]):
        atts, logits, hidden = forward(cfg, w, case["ids"], case.get("token_type_ids"))
        worst["attention"] = max(worst["attention"], max(float(np.abs(a - np.array(b)).max()) for a, b in zip(atts, case["attention"])))
        if "logits" in case:
            worst["logits"] = max(worst["logits"], float(np.abs(logits - np.array(case["logits"])).max()))
        if "hidden" in case:
            worst["hidden"] = max(worst["hidden"], float(np.abs(hidden - np.array(case["hidden"])).max()))
        if "greedy" in case:
            seq, out = list(case["ids"]), []
            for _ in range(len(case["greedy"])):
                nxt = int(np.argmax(forward(cfg, w, seq)[1][-1]))
                out.append(nxt)
                seq.append(nxt)
            if out != case["greedy"]:
                errors.append(f"{name} case {ci}: greedy {out} != {case['greedy']}")
        if "mlm" in case and "top5" in case["mlm"]:
            top = [int(i) for i in np.argsort(-logits[case["mlm"]["position"]], kind="stable")[:5]]
            if top != case["mlm"]["top5"]:
                errors.append(f"{name} case {ci}: top5 {top} != {case['mlm']['top5']}")
    for k, lim in LIMITS.items():
        if worst[k] > lim:
            errors.append(f"{name}: {k} differs by {worst[k]:.3g} > {lim:g}")
    print(f"{name:26} attention {worst['attention']:.2e}  logits {worst['logits']:.2e}  hidden {worst['hidden']:.2e}"
          f"  {'ok' if not errors else 'FAIL'}")
    return errors


def main(argv: List[str]) -> int:
    hf = os.path.join(ROOT, "tests", "data", "hf")
    # The ViT folders have their own reference and goldens (tools/make_vit_goldens.py).
    folders = argv or sorted(os.path.join(hf, d) for d in os.listdir(hf)
                             if os.path.isdir(os.path.join(hf, d)) and not d.startswith("vit-"))
    errors: List[str] = []
    for f in folders:
        errors += check(f)
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
