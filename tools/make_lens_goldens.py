#!/usr/bin/python3
"""Logit-lens goldens for the C++ engine (core.test_logit_lens_golden).

    /usr/bin/python3 tools/make_lens_goldens.py

For each model below, runs its independent torch reference (torch's own nn.TransformerEncoderLayer
through attnscope_torch.py for AttnScope model files; hf_reference.py's GPT-2 and
make_llama_goldens.py's Llama / GPT-NeoX modules for Hugging Face folders, which share no code
with the engine) and reads the residual stream with forward hooks on those modules, so each
module's own forward is what runs:

* the embedding output: the input of the first layer;
* after layer l's attention sub-block: the input of the layer's second norm for serial pre-norm
  blocks (x + SA(norm1(x)), what the MLP's norm reads), the output of norm1 for post-norm torch
  layers (norm1(x + SA(x))); none for parallel-residual GPT-NeoX layers, where both sub-blocks
  read the layer's input (docs/logit-lens.md);
* after layer l: the layer's output.

Each point x (T, C) goes through the model's final norm applied afresh to x (none when the model
has none) and its output head; the lens is softmax of those logits, in float64 from the float32
logits. Per point and position the golden keeps the top-k ids and probabilities (k = TOP_K, ties
by lower id), the probability of the final point's top-1 token and KL(final ‖ point) in nats.
The script checks that the last point's logits are the module's own logits, and runs the same
lens on a float64 copy of each module: float32 vs float64 must stay within half of each
tolerance. Writes tests/data/golden/lens/<name>.lens.json.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from attnscope_format import F32, write_json  # noqa: E402
import attnscope_torch  # noqa: E402
import hf_reference  # noqa: E402
import make_llama_goldens  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "data", "golden", "lens")
TOP_K = 5
TOLERANCE = {"probability": 1e-5, "kl": 1e-4}
BUDGET = 0.5

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Reading the residual stream of each reference with hooks
# --------------------------------------------------------------------------

class Lens:
    """What a reference exposes to the lens: run(ids) → list of (point, layer, (T, C)) in stream
    order and the module's own logits (T, V); unembed(x) → logits (T, V)."""

    run: Callable[[List[int]], Tuple[List[Tuple[str, int, torch.Tensor]], torch.Tensor]]
    unembed: Callable[[torch.Tensor], torch.Tensor]
    parallel: bool = False


def _record(layers, attn_point: Optional[Callable[[Any], Tuple[Any, str]]], squeeze: Callable[[torch.Tensor], torch.Tensor]):
    """Hooks on `layers`: the first layer's input, each layer's attention point and output."""
    points: List[Tuple[str, int, torch.Tensor]] = []
    handles = []

    def first_input(_m, args, *rest):
        points.append(("embed", -1, squeeze(args[0]).detach().clone()))

    handles.append(layers[0].register_forward_pre_hook(first_input))
    for i, layer in enumerate(layers):
        if attn_point is not None:
            module, kind = attn_point(layer)
            if kind == "input":
                def pre(_m, args, i=i):
                    points.append(("attn", i, squeeze(args[0]).detach().clone()))
                handles.append(module.register_forward_pre_hook(pre))
            else:
                def post(_m, _args, out, i=i):
                    points.append(("attn", i, squeeze(out).detach().clone()))
                handles.append(module.register_forward_hook(post))

        def out_hook(_m, _args, out, i=i):
            y = out[0] if isinstance(out, tuple) else out
            points.append(("mlp", i, squeeze(y).detach().clone()))
        handles.append(layer.register_forward_hook(out_hook))
    return points, handles


def attnscope_lens(path: str) -> Tuple[Lens, Any]:
    """An AttnScope decoder model file through torch's own nn.TransformerEncoderLayer stack."""
    model, tok, doc = attnscope_torch.load_model(path)
    a = doc["architecture"]
    assert a["type"] == "decoder"
    pre = a["norm"] == "pre"
    layers = model.decoder.layers
    lens = Lens()

    def run(ids):
        # pre-norm torch layer: x = x + SA(norm1(x)); x = x + FF(norm2(x)) → norm2's input.
        # post-norm: x = norm1(x + SA(x)); x = norm2(x + FF(x)) → norm1's output.
        points, handles = _record(layers, lambda l: (l.norm2, "input") if pre else (l.norm1, "output"),
                                  lambda t: t[:, 0, :])
        try:
            with torch.no_grad():
                logits = model(ids)
        finally:
            for h in handles:
                h.remove()
        return points, logits

    def unembed(x):
        norm = model.decoder.norm
        return model.lm_head(norm(x) if norm is not None else x)

    lens.run, lens.unembed = run, unembed
    return lens, model


def gpt2_lens(model) -> Lens:
    lens = Lens()

    def run(ids):
        points, handles = _record(model.h, lambda b: (b.ln_2, "input"), lambda t: t)
        try:
            with torch.no_grad():
                logits = model(ids).logits
        finally:
            for h in handles:
                h.remove()
        return points, logits

    lens.run = run
    lens.unembed = lambda x: torch.matmul(model.ln_f(x), model.wte.weight.t())
    return lens


def llama_lens(model, cfg) -> Lens:
    lens = Lens()
    if cfg["model_type"] == "gpt_neox":
        layers, final_norm = model.gpt_neox.layers, model.gpt_neox.final_layer_norm
        head = lambda: model.embed_out.weight  # noqa: E731
        lens.parallel = cfg.get("use_parallel_residual", True)
    else:
        layers, final_norm = model.model.layers, model.model.norm
        head = lambda: model.model.embed_tokens.weight if model.tied else model.lm_head.weight  # noqa: E731

    def run(ids):
        # Serial blocks: the post-attention norm reads x + SA(norm1(x)). GPT-NeoX's parallel
        # blocks read the layer's input there: no attention point.
        points, handles = _record(layers, None if lens.parallel else (lambda l: (l.post_attention_layernorm, "input")),
                                  lambda t: t)
        try:
            with torch.no_grad():
                logits = model(ids)[1]
        finally:
            for h in handles:
                h.remove()
        return points, logits

    lens.run = run
    lens.unembed = lambda x: final_norm(x) @ head().t()
    return lens


# --------------------------------------------------------------------------
# The lens
# --------------------------------------------------------------------------

def lens_case(lens: Lens, ids: List[int]) -> Dict[str, Any]:
    points, logits = lens.run(ids)
    with torch.no_grad():
        per_point = [(p, l, lens.unembed(x)) for p, l, x in points]
    last = per_point[-1][2]
    err = float((last - logits).abs().max())
    assert err <= 1e-6 * max(1.0, float(logits.abs().max())), f"last point differs from the logits by {err}"
    final = torch.log_softmax(last.double(), dim=-1)   # (T, V)
    pf = final.exp()
    final_top1 = [int(min(range(final.shape[1]), key=lambda v, r=r: (-float(last[r, v]), v))) for r in range(last.shape[0])]
    rows = []
    for point, layer, z in per_point:
        lp = torch.log_softmax(z.double(), dim=-1)
        kl = (torch.where(pf > 0, pf * (final - lp), torch.zeros_like(pf))).sum(-1)
        top_ids, top_probs, p_top1 = [], [], []
        for r in range(z.shape[0]):
            zr = z[r].tolist()
            order = sorted(range(len(zr)), key=lambda v: (-zr[v], v))[:TOP_K]
            top_ids.append(order)
            top_probs.append([float(lp[r, v].exp()) for v in order])
            p_top1.append(float(lp[r, final_top1[r]].exp()))
        rows.append({"point": point, "layer": layer, "top_ids": top_ids, "top_probs": top_probs,
                     "final_top1_prob": p_top1, "kl": [max(0.0, float(x)) for x in kl]})
    return {"ids": list(ids), "final_top1": final_top1, "rows": rows}


def difference(a: Dict[str, Any], b: Dict[str, Any]) -> Dict[str, float]:
    """Max |a − b| of probabilities (top-k by rank, final top-1) and KL between two cases."""
    d = {"probability": 0.0, "kl": 0.0}
    for ra, rb in zip(a["rows"], b["rows"]):
        for pa, pb in zip(ra["top_probs"], rb["top_probs"]):
            d["probability"] = max(d["probability"], max(abs(x - y) for x, y in zip(pa, pb)))
        d["probability"] = max(d["probability"], max(abs(x - y) for x, y in zip(ra["final_top1_prob"], rb["final_top1_prob"])))
        d["kl"] = max(d["kl"], max(abs(x - y) for x, y in zip(ra["kl"], rb["kl"])))
    return d


def rounded(case: Dict[str, Any]) -> Dict[str, Any]:
    out = {"ids": case["ids"], "final_top1": case["final_top1"], "rows": []}
    for r in case["rows"]:
        out["rows"].append({"point": r["point"], "layer": r["layer"], "top_ids": r["top_ids"],
                            "top_probs": [[F32(p) for p in row] for row in r["top_probs"]],
                            "final_top1_prob": [F32(p) for p in r["final_top1_prob"]],
                            "kl": [F32(x) for x in r["kl"]]})
    return out


def specs() -> List[Dict[str, Any]]:
    """name, model path (relative to the repository), how to build the reference, inputs."""
    g = torch.Generator().manual_seed(2020)

    def rand(n, vocab):
        return torch.randint(0, vocab, (n,), generator=g).tolist()

    tiny = attnscope_torch.load_model(os.path.join(ROOT, "models", "tiny-lm.json"))[1]
    post_tok = attnscope_torch.load_model(os.path.join(ROOT, "tests", "data", "golden",
                                                       "decoder-post-relu-nobias.model.json"))[1]
    return [
        {"name": "tiny-lm", "model": "models/tiny-lm.json", "kind": "attnscope",
         "what": "bundled char LM: pre-norm LayerNorm, final norm, tied head, sinusoidal",
         "inputs": [tiny.encode_source("And God said, Let there be light"), tiny.encode_source("In the beginning")]},
        {"name": "decoder-post-relu-nobias", "model": "tests/data/golden/decoder-post-relu-nobias.model.json",
         "kind": "attnscope", "what": "post-norm torch layers, no final norm, no biases",
         "inputs": [post_tok.encode_source("abcabcab")[:12]]},
        {"name": "gpt2-tiny", "model": "tests/data/hf/gpt2-tiny", "kind": "gpt2",
         "what": "GPT-2 layout: pre-norm LayerNorm, ln_f, tied head", "inputs": [rand(12, 317), rand(5, 317)]},
        {"name": "llama-gqa", "model": "tests/data/hf/llama-gqa", "kind": "llama",
         "what": "Llama: RMSNorm, GQA 4/2, RoPE, SwiGLU, untied head", "inputs": [rand(10, 61), rand(3, 61)]},
        {"name": "neox-pythia", "model": "tests/data/hf/neox-pythia", "kind": "llama",
         "what": "GPT-NeoX parallel residual: no attention point", "inputs": None},
        {"name": "neox-odd-serial-f16", "model": "tests/data/hf/neox-odd-serial-f16", "kind": "llama",
         "what": "GPT-NeoX serial residual, F16 weights", "inputs": None},
    ]


def build(spec) -> Tuple[Lens, Lens, Dict[str, Any]]:
    """(float32 lens, float64 lens, facts) of one spec."""
    path = os.path.join(ROOT, spec["model"])
    if spec["kind"] == "attnscope":
        lens, model = attnscope_lens(path)
        lens64, model64 = attnscope_lens(path)
        model64.double()
        return lens, lens64, {"vocab": model.lm_head.weight.shape[0]}
    if spec["kind"] == "gpt2":
        cfg, model, _ = hf_reference.load_folder(path)
        return gpt2_lens(model), gpt2_lens(copy.deepcopy(model).double()), {"vocab": cfg["vocab_size"]}
    cfg, model = make_llama_goldens.load_reference(path)
    return (llama_lens(model, cfg), llama_lens(copy.deepcopy(model).double(), cfg),
            {"vocab": cfg["vocab_size"], "parallel": cfg.get("use_parallel_residual", True)
             if cfg["model_type"] == "gpt_neox" else False})


def make(spec) -> Dict[str, float]:
    lens, lens64, facts = build(spec)
    inputs = spec["inputs"]
    if inputs is None:
        g = torch.Generator().manual_seed(7)
        inputs = [torch.randint(0, facts["vocab"], (n,), generator=g).tolist() for n in (9, 4)]
    cases, worst = [], {"probability": 0.0, "kl": 0.0}
    for ids in inputs:
        c = lens_case(lens, ids)
        try:
            c64 = lens_case(lens64, ids)
        except RuntimeError as e:  # a float64 module whose own code insists on float32 masks
            raise RuntimeError(f"{spec['name']}: float64 run failed: {e}")
        for k, v in difference(c, c64).items():
            worst[k] = max(worst[k], v)
        cases.append(rounded(c))
    for k, tol in TOLERANCE.items():
        if worst[k] > BUDGET * tol:
            raise RuntimeError(f"{spec['name']}: float32 vs float64 {k} differ by {worst[k]:.3g}")
    write_json(os.path.join(OUT, spec["name"] + ".lens.json"),
               {"model": spec["model"], "what": spec["what"], "top_k": TOP_K, "tolerance": dict(TOLERANCE),
                "parallel_residual": bool(lens.parallel), "f32_vs_f64": {k: F32(v) for k, v in worst.items()},
                "cases": cases})
    return worst


def main():
    os.makedirs(OUT, exist_ok=True)
    for spec in specs():
        worst = make(spec)
        print(f"{spec['name']:26} f32 vs f64: probability {worst['probability']:.2e}  KL {worst['kl']:.2e}")


if __name__ == "__main__":
    main()
