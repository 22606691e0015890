#!/usr/bin/python3
"""Gradient and attribution goldens from torch autograd for the C++ backward (core.test_backward).

    /usr/bin/python3 tools/make_grad_goldens.py

For each model of CASES (the seeded random fixtures that the forward goldens already use, one per
block kind and architecture type) it runs the project's independent torch references in float64
(tools/attnscope_torch.py: nn.Transformer modules for model files; tools/hf_reference.py and
tools/make_llama_goldens.py: the GPT-2 / BERT / RoBERTa / Llama / GPT-NeoX modules written from
Hugging Face's published semantics; none shares code with the engine), takes a loss, and writes
to tests/data/golden/grad/:

* NAME.grad.json or NAME.grad/ (HF folder): ∂loss/∂W of every weight, stored as a model of the
  same format and names (float32) so that the engine's own loader maps the names and shapes;
* NAME.expected.json: per case the inputs, the loss (kind, terms), its value, ∂loss/∂x0 (T, d)
  with x0 the input stack's embedding output (after the embedding norm), and the logits read.

Losses: decoders the teacher-forced LM cross-entropy (mean over positions 0 … T−2 predicting
the next id); encoders the masked-LM cross-entropy at chosen positions; encoder-decoders the
seq2seq cross-entropy of labels = target[1:] + [eos]; and for every model the logit of one
token at one position (attribution's f), input gradient only.

attribution.json: gradient L2 norm, input × gradient (Σ_d x0·g) and integrated gradients per
input token for a few models, with the midpoint Riemann rule
IG_i = Σ_d (x − x')_id · (1/m) Σ_{k=0}^{m−1} ∂f/∂x_id (x' + (k + ½)/m · (x − x')),
for baselines x' = 0 and x' = the embedding of the pad (or mask) token at every position.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attnscope_format import F32, encode_tensor, write_json  # noqa: E402
from attnscope_torch import load_model  # noqa: E402
from hf_reference import load_folder, write_safetensors  # noqa: E402
import make_llama_goldens as llama  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "data", "golden", "grad")
torch.set_num_threads(1)

# name, kind, path (relative to the repository), what it covers
CASES = [
    ("encoder-post-relu-mlm", "attnscope", "tests/data/golden/encoder-post-relu-mlm.model.json",
     "encoder, post-norm, relu, sinusoidal, untied, padding mask"),
    ("tiny-encoder", "attnscope", "tests/data/golden/tiny-encoder.model.json",
     "encoder, post-norm, learned positions, tied, scaled embeddings"),
    ("decoder-post-relu-nobias", "attnscope", "tests/data/golden/decoder-post-relu-nobias.model.json",
     "decoder, post-norm, no biases, sinusoidal, final norm"),
    ("decoder-pre-gelu-tied", "attnscope", "tests/data/golden/decoder-pre-gelu-tied.model.json",
     "decoder, pre-norm, erf GELU, learned, tied"),
    ("encdec-post-gelu-nobias-tied", "attnscope", "tests/data/golden/encdec-post-gelu-nobias-tied.model.json",
     "encoder-decoder, post-norm, cross-attention with padding, tied"),
    ("tiny-seq2seq", "attnscope", "tests/data/golden/tiny-seq2seq.model.json",
     "encoder-decoder, pre-norm, relu, learned, tied, final norms"),
    ("gpt2-d4-h4-relu-f16", "hf", "tests/data/hf/gpt2-d4-h4-relu-f16", "GPT-2: Conv1D names, relu, tied"),
    ("bert-d4-h4-relu-f16", "hf", "tests/data/hf/bert-d4-h4-relu-f16",
     "BERT: token types, embedding norm, head transform, post-norm"),
    ("roberta-d6-h3-relu", "hf", "tests/data/hf/roberta-d6-h3-relu", "RoBERTa: position offset 2, erf-GELU head"),
    ("llama-gqa", "hf", "tests/data/hf/llama-gqa", "Llama: RMSNorm, RoPE, GQA 4/2, SwiGLU, untied"),
    ("llama-mqa-tied-f16", "hf", "tests/data/hf/llama-mqa-tied-f16", "Llama: MQA, tied, rope scaling ×2"),
    ("neox-pythia", "hf", "tests/data/hf/neox-pythia", "GPT-NeoX: partial rotary 0.25, parallel residual"),
    ("neox-odd-serial-f16", "hf", "tests/data/hf/neox-odd-serial-f16",
     "GPT-NeoX: odd head width, partial rotary, serial residual, tanh GELU"),
]

ATTRIBUTION = ["decoder-pre-gelu-tied", "encoder-post-relu-mlm", "tiny-seq2seq", "llama-gqa"]
IG_STEPS = [8, 32]


def tensor_list(t: torch.Tensor):
    if t.dim() == 1:
        return [F32(float(x)) for x in t.tolist()]
    return [tensor_list(x) for x in t]


class Ref:
    """One reference model in float64: arch type, vocab sizes, and f(x0) → logits."""

    def __init__(self, name: str, kind: str, path: str):
        self.name, self.kind, self.path = name, kind, os.path.join(ROOT, path)
        self.types = None
        if kind == "attnscope":
            model, tok, doc = load_model(self.path)
            self.model, self.tok, self.doc = model.double(), tok, doc
            self.arch = doc["architecture"]["type"]
            self.pad = tok.special_id("pad")
            self.mask = tok.special_id("mask")
            self.bos = tok.special_id("bos", "target") if self.arch == "encoder-decoder" else tok.special_id("bos")
            self.eos = tok.special_id("eos", "target") if self.arch == "encoder-decoder" else None
            spec = doc["tokenizer"]
            self.vs = len(spec["vocab"])
            self.vt = len(spec.get("target_vocab") or spec["vocab"])
        else:
            with open(os.path.join(self.path, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            self.cfg = cfg
            if cfg["model_type"] in ("llama", "gpt_neox", "qwen2", "mistral"):
                _, model = llama.load_reference(self.path)
            else:
                _, model, _ = load_folder(self.path)
            self.model = model.double()
            mt = cfg["model_type"]
            self.arch = "decoder" if mt in ("gpt2", "llama", "gpt_neox", "qwen2", "mistral") else "encoder"
            self.pad = cfg.get("pad_token_id")
            self.mask = None
            self.bos = None
            self.eos = None
            self.vs = self.vt = cfg["vocab_size"]
            if mt == "bert":
                self.types = True
        self.model.eval()

    # x0 of ids on the input stack, as a leaf the caller may differentiate.
    def embed(self, ids: List[int]) -> torch.Tensor:
        m = self.model
        with torch.no_grad():
            if self.kind == "attnscope":
                side = "encoder" if self.arch != "decoder" else "decoder"
                return m.embed(torch.tensor(ids).unsqueeze(1), side)[:, 0, :].clone()
            return self._hf_embed(ids, None).clone()

    def _hf_embed(self, ids, types):
        m, mt = self.model, self.cfg["model_type"]
        t = torch.tensor(ids)
        if mt == "gpt2":
            return m.wte(t) + m.wpe(torch.arange(len(ids)))
        if mt == "bert":
            ty = torch.zeros_like(t) if types is None else torch.tensor(types)
            return m.bert.embeddings(t, ty)
        if mt == "roberta":
            return m.roberta.embeddings(t, torch.zeros_like(t))
        if mt == "llama":
            return m.model.embed_tokens(t)
        if mt == "gpt_neox":
            return m.gpt_neox.embed_in(t)
        raise ValueError(mt)

    # logits (T, V) from x0 of the input stack (x0 replaces the embedding step's output).
    def logits(self, x0: torch.Tensor, source: List[int], target: Optional[List[int]], types=None) -> torch.Tensor:
        m = self.model
        if self.kind == "attnscope":
            side = "encoder" if self.arch != "decoder" else "decoder"
            orig = m.embed

            def embed(ids_tb, s):
                return x0.unsqueeze(1) if s == side else orig(ids_tb, s)

            m.embed = embed
            try:
                src = torch.tensor(source)
                pad = (src == self.pad).unsqueeze(0) if (self.pad is not None and self.arch != "decoder") else None
                if pad is not None and not bool(pad.any()):
                    pad = None
                if self.arch == "encoder-decoder":
                    return m(src, torch.tensor(target), src_key_padding_mask=pad)
                return m(src, src_key_padding_mask=pad)
            finally:
                m.embed = orig
        mt = self.cfg["model_type"]
        if mt == "gpt2":
            x = x0
            for block in m.h:
                x, _ = block(x)
            return torch.matmul(m.ln_f(x), m.wte.weight.t())
        if mt in ("bert", "roberta"):
            body = m.bert if mt == "bert" else m.roberta
            x = x0
            ext = torch.zeros(1, 1, len(source), dtype=x.dtype)
            for layer in body.encoder.layer:
                x, _ = layer(x, ext)
            if mt == "bert":
                p = m.cls.predictions
                y = p.transform.LayerNorm(m.act(p.transform.dense(x)))
                return torch.matmul(y, body.embeddings.word_embeddings.weight.t()) + p.bias
            h = m.lm_head
            y = h.layer_norm(F.gelu(h.dense(x)))
            return torch.matmul(y, body.embeddings.word_embeddings.weight.t()) + h.bias
        if mt == "llama":
            x = x0
            for layer in m.model.layers:
                x, _ = layer(x)
            x = m.model.norm(x)
            w = m.model.embed_tokens.weight if m.tied else m.lm_head.weight
            return x @ w.t()
        if mt == "gpt_neox":
            x = x0
            for layer in m.gpt_neox.layers:
                x, _ = layer(x)
            return m.gpt_neox.final_layer_norm(x) @ m.embed_out.weight.t()
        raise ValueError(mt)

    def forward_ids(self, source, target, types=None) -> torch.Tensor:
        """Logits from ids with gradients flowing into the embeddings (x0 kept as non-leaf)."""
        if self.kind == "attnscope":
            side = "encoder" if self.arch != "decoder" else "decoder"
            x0 = self.model.embed(torch.tensor(source).unsqueeze(1), side)[:, 0, :]
        else:
            x0 = self._hf_embed(source, types)
        x0.retain_grad()
        return x0, self.logits(x0, source, target, types)


def loss_value(kind: str, logits: torch.Tensor, terms) -> torch.Tensor:
    total = logits.new_zeros(())
    for pos, tok, w in terms:
        if kind == "logit":
            total = total + w * logits[pos, tok]
        else:
            total = total - w * F.log_softmax(logits[pos], dim=-1)[tok]
    return total


def random_ids(g, n, vocab, avoid):
    out = []
    while len(out) < n:
        v = int(torch.randint(0, vocab, (1,), generator=g))
        if v not in avoid:
            out.append(v)
    return out


def make_inputs(ref: Ref, seed: int):
    g = torch.Generator().manual_seed(seed)
    avoid = {x for x in (ref.pad, ref.mask, ref.bos, ref.eos) if x is not None}
    if ref.kind == "hf":
        avoid |= {0, 1, 2, 3}
    case = {"source": [], "target": [], "types": []}
    if ref.arch == "decoder":
        case["source"] = random_ids(g, 9, ref.vs, avoid)
        n = len(case["source"])
        ce = [(i, case["source"][i + 1], 1.0 / (n - 1)) for i in range(n - 1)]
        logit = [(n - 1, random_ids(g, 1, ref.vs, set())[0], 1.0)]
    elif ref.arch == "encoder":
        src = random_ids(g, 8, ref.vs, avoid)
        if ref.pad is not None and ref.kind == "attnscope":
            src[-1] = ref.pad   # a padded key
        labels = random_ids(g, 2, ref.vs, set())
        positions = [1, 4]
        if ref.mask is not None:
            for p in positions:
                src[p] = ref.mask
        case["source"] = src
        if ref.types:
            case["types"] = [0, 0, 0, 0, 1, 1, 1, 1]
        ce = [(p, l, 0.5) for p, l in zip(positions, labels)]
        logit = [(positions[0], random_ids(g, 1, ref.vs, set())[0], 1.0)]
    else:
        src = random_ids(g, 7, ref.vs, avoid)
        src[-1] = ref.pad
        y = random_ids(g, 5, ref.vt, avoid)
        case["source"], case["target"] = src, [ref.bos] + y
        labels = y + [ref.eos]
        ce = [(i, labels[i], 1.0 / len(labels)) for i in range(len(labels))]
        logit = [(len(labels) - 1, random_ids(g, 1, ref.vt, set())[0], 1.0)]
    return case, ce, logit


def weight_gradients_file(ref: Ref, name: str) -> str:
    """Write ∂loss/∂W (held in the params' .grad) as a model of the same format; returns its path."""
    if ref.kind == "attnscope":
        m = copy.deepcopy(ref.model)
        with torch.no_grad():
            for p, q in zip(ref.model.parameters(), m.parameters()):
                q.copy_(p.grad)
        weights = m.format_weights()
        doc = copy.deepcopy(ref.doc)
        doc["name"] = name + " gradients"
        doc["description"] = "d loss / d W of " + name + " (tools/make_grad_goldens.py), not a model"
        doc.pop("examples", None)
        doc["weights"] = {n: encode_tensor(t.detach().to(torch.float32).numpy()) for n, t in weights.items()}
        path = os.path.join(OUT, name + ".grad.json")
        write_json(path, doc)
        return os.path.relpath(path, ROOT)
    folder = os.path.join(OUT, name + ".grad")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    for f in os.listdir(ref.path):
        if not f.endswith(".safetensors") and not f.endswith(".index.json"):
            shutil.copy(os.path.join(ref.path, f), folder)
    cfg = dict(ref.cfg)
    cfg["torch_dtype"] = "float32"
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    grads = {n: p.grad.detach().to(torch.float32).contiguous() for n, p in ref.model.named_parameters()}
    write_safetensors(os.path.join(folder, "model.safetensors"), grads)
    return os.path.relpath(folder, ROOT)


def make(name, kind, path, what):
    ref = Ref(name, kind, path)
    case, ce, logit = make_inputs(ref, sum(map(ord, name)))
    cases = []
    # Case 0: the training loss, every weight's gradient.
    ref.model.zero_grad(set_to_none=True)
    x0, logits = ref.forward_ids(case["source"], case["target"] or None, case["types"] or None)
    loss = loss_value("ce", logits, ce)
    loss.backward()
    grads_path = weight_gradients_file(ref, name)
    rows = sorted({p for p, _, _ in ce})
    cases.append({**case, "loss": {"kind": "cross-entropy", "terms": [[p, t, w] for p, t, w in ce]},
                  "value": float(loss), "input_gradient": tensor_list(x0.grad), "weights": grads_path,
                  "logit_rows": rows, "logits": tensor_list(logits.detach()[rows])})
    # Case 1: a logit (attribution's f), input gradient only.
    ref.model.zero_grad(set_to_none=True)
    x0, logits = ref.forward_ids(case["source"], case["target"] or None, case["types"] or None)
    loss = loss_value("logit", logits, logit)
    loss.backward()
    cases.append({**case, "loss": {"kind": "logit", "terms": [[p, t, w] for p, t, w in logit]},
                  "value": float(loss), "input_gradient": tensor_list(x0.grad)})
    model_path = os.path.relpath(ref.path, ROOT)
    write_json(os.path.join(OUT, name + ".expected.json"),
               {"model": model_path, "kind": kind, "covers": what, "cases": cases})
    return ref, case, logit


def attribution(ref: Ref, case, logit):
    (pos, tok, _), = logit
    src, tgt = case["source"], case["target"] or None

    def f_and_grad(x0):
        x = x0.clone().requires_grad_(True)
        v = ref.logits(x, src, tgt)[pos, tok]
        v.backward()
        return float(v), x.grad

    x = ref.embed(src)
    fx, g = f_and_grad(x)
    out = {"source": src, "target": case["target"], "position": pos, "token": tok, "f": fx,
           "gradient_norm": tensor_list(g.norm(dim=1)), "input_x_gradient": tensor_list((x * g).sum(dim=1)),
           "ig": []}
    baselines = {"zero": torch.zeros_like(x)}
    fill = ref.pad if ref.pad is not None else ref.mask
    if fill is not None:
        baselines["pad"] = ref.embed([fill] * len(src))
    for bname, xb in baselines.items():
        fb, _ = f_and_grad(xb)
        for m in IG_STEPS:
            total = torch.zeros_like(x)
            for k in range(m):
                alpha = (k + 0.5) / m   # midpoint rule
                _, gk = f_and_grad(xb + alpha * (x - xb))
                total += gk
            ig = ((x - xb) * total / m).sum(dim=1)
            out["ig"].append({"baseline": bname, "steps": m, "f_baseline": fb, "scores": tensor_list(ig),
                              "sum": float(ig.sum()), "completeness_error": float(ig.sum()) - (fx - fb)})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    attr = []
    for name, kind, path, what in CASES:
        ref, case, logit = make(name, kind, path, what)
        if name in ATTRIBUTION:
            a = attribution(ref, case, logit)
            a["model"] = os.path.relpath(ref.path, ROOT)
            attr.append(a)
            print(name, "IG completeness errors:", [f"{r['baseline']}/{r['steps']}: {r['completeness_error']:.2e}"
                                                    for r in a["ig"]])
        print(f"{name:30} done")
    write_json(os.path.join(OUT, "attribution.json"), {"rule": "midpoint", "cases": attr})
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Gradient goldens\n\nWritten by `/usr/bin/python3 tools/make_grad_goldens.py` from torch autograd "
                "(float64) on the seeded random fixtures named in each `NAME.expected.json` (`model`). "
                "`NAME.grad.json` / `NAME.grad/` hold ∂loss/∂W as a model file of the same format (float32); "
                "`attribution.json` holds gradient norm, input × gradient and integrated gradients (midpoint rule). "
                "No trained or downloaded weights.\n\n| name | covers |\n|---|---|\n" +
                "".join(f"| `{n}` | {w} |\n" for n, _, _, w in CASES))


if __name__ == "__main__":
    main()
