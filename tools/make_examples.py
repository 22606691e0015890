#!/usr/bin/python3
"""Write the hand-readable example models in models/examples/.

    /usr/bin/python3 tools/make_examples.py [--only tiny-encoder|tiny-seq2seq]

tiny-encoder.json
    1 encoder layer, d_model 4, 2 heads, d_ff 8, 8 character tokens; every weight is
    chosen by hand (two decimals) and written as a plain "data" list. Dimensions 0–1
    of the residual stream hold the position (a point on a circle, one step = 45°),
    dimensions 2–3 the token. Head 0's query is the position rotated back by one
    step, so it attends to the previous token; head 1 has a constant query and
    keys that read the "a"-ness of a token, so it looks for the letter a.

tiny-seq2seq.json
    1+1 layer encoder-decoder (d_model 16, 2 heads, d_ff 32) trained here in a few
    seconds to reverse strings of a–h; weights rounded to two decimals and written
    as "data" lists. Its cross-attention is close to an anti-diagonal permutation
    (mean weight on the mirrored source position ≈ 0.9 for the best head).

Deterministic on a given machine (seeded, single-threaded torch). Both files are
also golden models: tools/make_golden.py copies them to tests/data/golden/.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attnscope_format import Tokenizer, read_document, write_json  # noqa: E402
from attnscope_torch import AttnScopeTransformer, capture_attention, load_model  # noqa: E402
from export_torch import build_document  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "models", "examples")


def _t(rows: Any) -> np.ndarray:
    return np.asarray(rows, dtype=np.float64)


# --------------------------------------------------------------------------
# tiny-encoder: every number chosen by hand
# --------------------------------------------------------------------------

def tiny_encoder() -> Dict[str, Any]:
    vocab = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]
    tokenizer = {"type": "char", "lowercase": True,
                 "special_tokens": {"pad": "<pad>", "unk": "<unk>", "cls": "[CLS]", "sep": "[SEP]",
                                    "mask": "[MASK]"},
                 "source_prefix": ["cls"], "source_suffix": ["sep"], "vocab": vocab}
    arch = {"type": "encoder", "d_model": 4, "n_heads": 2, "d_ff": 8, "encoder_layers": 1,
            "decoder_layers": 0, "activation": "relu", "norm": "post", "layer_norm_eps": 1e-5,
            "positional": "learned", "max_len": 8, "bias": True, "tied_output": True,
            "scale_embeddings": False, "final_norm": False}
    c = 0.71  # cos 45° = sin 45°, rounded
    w: Dict[str, np.ndarray] = {}
    # token embeddings live in dims 2-3
    w["encoder.embed.weight"] = _t([
        [0, 0, 0, 0],           # <pad>
        [0, 0, -c, -c],         # <unk>
        [0, 0, 0, 1],           # [CLS]
        [0, 0, 0, -1],          # [SEP]
        [0, 0, -1, 0],          # [MASK]
        [0, 0, 1, 0],           # a
        [0, 0, -0.5, 0.87],     # b
        [0, 0, -0.5, -0.87],    # c
    ])
    # positions live in dims 0-1: (cos 45°·p, sin 45°·p)
    w["encoder.pos.weight"] = _t([[1, 0, 0, 0], [c, c, 0, 0], [0, 1, 0, 0], [-c, c, 0, 0],
                                  [-1, 0, 0, 0], [-c, -c, 0, 0], [0, -1, 0, 0], [c, -c, 0, 0]])
    p = "encoder.layers.0"
    s = 7.07  # 10 · cos 45°: head 0's query = 10 × (position rotated back by 45°)
    w[f"{p}.self_attn.q_proj.weight"] = _t([[s, s, 0, 0], [-s, s, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    w[f"{p}.self_attn.q_proj.bias"] = _t([0, 0, 6, 0])          # head 1: constant query (6, 0)
    w[f"{p}.self_attn.k_proj.weight"] = _t([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]])
    w[f"{p}.self_attn.k_proj.bias"] = _t([0, 0, 0, 0])
    w[f"{p}.self_attn.v_proj.weight"] = _t([[0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1]])
    w[f"{p}.self_attn.v_proj.bias"] = _t([0, 0, 0, 0])
    w[f"{p}.self_attn.out_proj.weight"] = _t(np.eye(4))
    w[f"{p}.self_attn.out_proj.bias"] = _t([0, 0, 0, 0])
    lin1 = _t([[0, 0, 1, 0], [0, 0, -1, 0], [0, 0, 0, 1], [0, 0, 0, -1],
               [1, 0, 0, 0], [0, 1, 0, 0], [-1, 0, 0, 0], [0, -1, 0, 0]])
    w[f"{p}.linear1.weight"] = lin1
    w[f"{p}.linear1.bias"] = _t([0] * 8)
    w[f"{p}.linear2.weight"] = 0.5 * lin1.T                        # FF(x) = x / 2
    w[f"{p}.linear2.bias"] = _t([0, 0, 0, 0])
    for n in ("norm1", "norm2"):
        w[f"{p}.{n}.weight"] = _t([1, 1, 1, 1])
        w[f"{p}.{n}.bias"] = _t([0, 0, 0, 0])
    w["lm_head.bias"] = _t([-1, -1, 0, 0, -1, 0, 0, 0])
    examples = [{"text": "abcab"}, {"text": "ba[MASK]c"}, {"text": "CAB"}, {"text": "abcabc"}]
    doc = _document(arch, tokenizer, w,
                    name="tiny encoder (hand-made)",
                    description=("A 1-layer encoder small enough to read: d_model 4, 2 heads, "
                                 "8 character tokens, every weight chosen by hand. Dimensions 0-1 "
                                 "hold the position as a point on a circle (45° per step), "
                                 "dimensions 2-3 the token. Head 0 rotates its query back by one "
                                 "step, so it attends to the previous token; head 1 has a "
                                 "constant query and keys that read the letter a, so it looks "
                                 "for the a's. The feed-forward block adds half of its input."),
                    examples=examples)
    return doc


def _document(arch: Dict[str, Any], tok: Dict[str, Any], weights: Dict[str, np.ndarray], *, name: str,
              description: str, examples: List[Dict[str, str]]) -> Dict[str, Any]:
    doc = build_document(arch, tok, {k: v.astype(np.float32) for k, v in weights.items()},
                         name, description, examples, encoding="data")
    # write the hand-chosen decimals as typed (0.71, not 0.7099999785423279)
    for k, obj in doc["weights"].items():
        obj["data"] = [_short(v) for v in np.asarray(weights[k], dtype=np.float64).ravel()]
    return doc


def _short(v: float) -> Any:
    r = round(float(v), 6)
    if r == int(r):
        return int(r)
    return r


# --------------------------------------------------------------------------
# tiny-seq2seq: trained reverser, rounded to two decimals
# --------------------------------------------------------------------------

def tiny_seq2seq(steps: int = 3000) -> Dict[str, Any]:
    letters = list("abcdefgh")
    vocab = ["<pad>", "<s>", "</s>"] + letters
    tokenizer = {"type": "char", "lowercase": True,
                 "special_tokens": {"pad": "<pad>", "bos": "<s>", "eos": "</s>"},
                 "source_suffix": ["eos"], "vocab": vocab}
    arch = {"type": "encoder-decoder", "d_model": 16, "n_heads": 2, "d_ff": 32, "encoder_layers": 1,
            "decoder_layers": 1, "activation": "relu", "norm": "pre", "layer_norm_eps": 1e-5,
            "positional": "learned", "max_len": 8, "bias": True, "tied_output": True,
            "scale_embeddings": False, "final_norm": True}
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(4321)
    model = AttnScopeTransformer.from_config(arch, tokenizer)
    tok = Tokenizer(tokenizer)
    pad, bos, eos = (tok.special_id(r) for r in ("pad", "bos", "eos"))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 200) * max(0.05, 1 - s / steps))

    def batch(n: int):
        lens = torch.randint(1, 7, (n,), generator=gen)
        src = torch.full((n, 7), pad, dtype=torch.long)
        tin = torch.full((n, 7), pad, dtype=torch.long)
        tout = torch.full((n, 7), pad, dtype=torch.long)
        for i in range(n):
            L = int(lens[i])
            s = torch.randint(3, 3 + len(letters), (L,), generator=gen)
            src[i, :L] = s
            src[i, L] = eos
            r = s.flip(0)
            tin[i, 0] = bos
            tin[i, 1:L + 1] = r
            tout[i, :L] = r
            tout[i, L] = eos
        return src, tin, tout, src == pad, tin == pad

    model.train()
    for step in range(steps):
        src, tin, tout, spad, tpad = batch(64)
        logits = model(src, tin, src_key_padding_mask=spad, tgt_key_padding_mask=tpad)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=pad)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    weights = {k: np.round(v.detach().numpy().astype(np.float64), 2)
               for k, v in model.format_weights().items()}
    examples = [{"text": "abcdef", "target": "fedcba"}, {"text": "bad", "target": "dab"},
                {"text": "HEAD", "target": "daeh"}]
    doc = _document(arch, tokenizer, weights, name="tiny reverser (seq2seq)",
                    description=("A 1+1-layer encoder-decoder (d_model 16, 2 heads) trained to "
                                 "reverse strings of the letters a-h (up to 6 of them), weights "
                                 "rounded to two decimals. Its cross-attention is close to an "
                                 "anti-diagonal: output position i reads source position n-1-i."),
                    examples=examples)
    return doc


def _check_seq2seq(path: str) -> float:
    """Accuracy of the rounded model on every string of length 1-3 plus samples of 4-6."""
    model, tok, _ = load_model(path)
    import itertools
    rng = np.random.default_rng(7)
    words = ["".join(p) for n in range(1, 4) for p in itertools.product("abcdefgh", repeat=n)]
    words += ["".join(rng.choice(list("abcdefgh"), n)) for n in (4, 5, 6) for _ in range(200)]
    ok = 0
    for w in words:
        ids = model.greedy(tok.encode_source(w), bos_id=tok.special_id("bos", "target"),
                           eos_id=tok.special_id("eos", "target"))
        ok += tok.decode(ids, "target", skip_special=True) == w[::-1] and ids[-1] == 2
    return ok / len(words)


def _anti_diagonal(path: str) -> float:
    """Mean over outputs i < n of the best head's cross-attention on source n-1-i."""
    model, tok, _ = load_model(path)
    rng = np.random.default_rng(8)
    bos = tok.special_id("bos", "target")
    scores = []
    for n in range(1, 7):
        for _ in range(50):
            w = "".join(rng.choice(list("abcdefgh"), n))
            with capture_attention(model) as rec:
                model(tok.encode_source(w), [bos] + tok.encode_target(w[::-1]))
            a = rec.last("cross", 0)[0].numpy()
            scores.append(np.mean([a[:, i, n - 1 - i].max() for i in range(n)]))
    return float(np.mean(scores))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=("tiny-encoder", "tiny-seq2seq"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    if args.only in (None, "tiny-encoder"):
        path = os.path.join(OUT, "tiny-encoder.json")
        write_json(path, tiny_encoder())
        read_document(path)
        model, tok, _ = load_model(path)
        with capture_attention(model) as rec:
            model(tok.encode_source("abcabc"))
        a = rec.last("encoder", 0)[0].numpy()
        prev = np.mean([a[0, i, i - 1] for i in range(1, a.shape[1])])
        print(f"wrote {path}: head 0 previous-token score {prev:.2f}; head 1 weight on a's "
              f"{a[1][:, [1, 4]].sum(-1).mean():.2f}")
    if args.only in (None, "tiny-seq2seq"):
        path = os.path.join(OUT, "tiny-seq2seq.json")
        write_json(path, tiny_seq2seq())
        read_document(path)
        print(f"wrote {path}: reversal accuracy after rounding {_check_seq2seq(path):.3f}, "
              f"anti-diagonal cross-attention {_anti_diagonal(path):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
