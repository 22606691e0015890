#!/usr/bin/python3
"""Train a small Llama-layout causal LM (grouped-query attention, RoPE, RMSNorm, SwiGLU) on the
King James Bible and save it, with a series of snapshots from its training, as HF folders.

    /usr/bin/python3 tools/train_llama_small.py            # -> models/hf/llama-kjv/
                                                           #    models/hf/llama-kjv-revisions/step<N>/

The tokenizer is gpt2-kjv's byte-level BPE (models/hf/gpt2-kjv: vocab.json + merges.txt, learned
on the same training split), as SmolLM ships a byte-level BPE with a Llama body. Data and split:
tools/kjv_corpus.py (chapter k held out when k % 20 == 7). Training uses a batched module written
here with Hugging Face's parameter names; every saved folder (F16) is then loaded back by the
independent reference in tools/make_llama_goldens.py (HF LlamaForCausalLM's semantics, one
sequence at a time) and every figure in the model card is measured with that reference on the
rounded weights. Seeded, one thread, a fixed number of steps.

Some training rows repeat a span (of the text, or of random tokens) so that the model has copying
to learn: that is how the induction head forms, and the revision series shows it forming.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from hf_reference import write_safetensors  # noqa: E402
from make_llama_goldens import llama_cfg, load_reference  # noqa: E402
from train_corpus import Lcg  # noqa: E402
from train_hf_small import (LEGEND, BpeEncoder, corpus, head_table, lr_at,  # noqa: E402
                            write_json_file)

OUT = os.path.join(ROOT, "models", "hf")
GPT2_KJV = os.path.join(OUT, "gpt2-kjv")


# --------------------------------------------------------------------------
# Tokenizer: gpt2-kjv's
# --------------------------------------------------------------------------

def load_bpe():
    with open(os.path.join(GPT2_KJV, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    tokens = [""] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    merges = []
    with open(os.path.join(GPT2_KJV, "merges.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#version") or not line.strip():
                continue
            a, b = line.rstrip("\n").split(" ")
            merges.append((a, b))
    return tokens, merges


# --------------------------------------------------------------------------
# Batched training module (HF parameter names)
# --------------------------------------------------------------------------

class RMSNormT(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope(dk, theta, t):
    inv = 1.0 / (theta ** (torch.arange(0, dk, 2).float() / dk))
    f = torch.outer(torch.arange(t).float(), inv)
    e = torch.cat((f, f), -1)
    return e.cos(), e.sin()


def rot_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


class AttnT(nn.Module):
    def __init__(self, d, h, kv):
        super().__init__()
        self.h, self.kv, self.dk = h, kv, d // h
        self.q_proj = nn.Linear(d, h * self.dk, bias=False)
        self.k_proj = nn.Linear(d, kv * self.dk, bias=False)
        self.v_proj = nn.Linear(d, kv * self.dk, bias=False)
        self.o_proj = nn.Linear(h * self.dk, d, bias=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.dk).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, self.dk).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.dk).transpose(1, 2)
        q, k = q * cos + rot_half(q) * sin, k * cos + rot_half(k) * sin
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        s = (q @ k.transpose(-1, -2)) * self.dk ** -0.5
        s = s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
        o = F.softmax(s, -1) @ v
        return self.o_proj(o.transpose(1, 2).reshape(b, t, -1))


class MlpT(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LayerT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden_size"], c["rms_norm_eps"]
        self.input_layernorm = RMSNormT(d, eps)
        self.self_attn = AttnT(d, c["num_attention_heads"], c["num_key_value_heads"])
        self.post_attention_layernorm = RMSNormT(d, eps)
        self.mlp = MlpT(d, c["intermediate_size"])

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class BodyT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(LayerT(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNormT(c["hidden_size"], c["rms_norm_eps"])


class LlamaTrain(nn.Module):
    """Tied embeddings: the output head is embed_tokens (saved without lm_head, as HF does)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = BodyT(c)
        dk = c["hidden_size"] // c["num_attention_heads"]
        self.dk = dk
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
        nn.init.normal_(self.model.embed_tokens.weight, std=0.02)

    def forward(self, ids):
        t = ids.shape[1]
        cos, sin = rope(self.dk, self.c["rope_theta"], t)
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        return self.model.norm(x) @ self.model.embed_tokens.weight.t()


# --------------------------------------------------------------------------
# Saving and measuring
# --------------------------------------------------------------------------

def save_folder(folder, cfg, model, tokens_dir) -> None:
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    write_json_file(os.path.join(folder, "config.json"), cfg)
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()})
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(os.path.join(tokens_dir, name), os.path.join(folder, name))
    write_json_file(os.path.join(folder, "tokenizer_config.json"),
                    {"add_prefix_space": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                     "unk_token": "<|endoftext|>", "model_max_length": cfg["max_position_embeddings"],
                     "tokenizer_class": "GPT2Tokenizer"})


def measure(folder, held_ids, T, eot, full: bool) -> Dict:
    """Previous-token and induction scores of every head (and, if full, held-out perplexity),
    with the independent reference on the saved F16 folder."""
    cfg, ref = load_reference(folder)
    L, H = cfg["num_hidden_layers"], cfg["num_attention_heads"]
    windows = [held_ids[i:i + T] for i in range(0, len(held_ids) - T + 1, T)]
    prev = np.zeros((L, H))
    nll, n = 0.0, 0
    with torch.no_grad():
        for wi, w in enumerate(windows if full else windows[:40]):
            atts, logits = ref(w)
            if wi < 40:
                for li, a in enumerate(atts):
                    prev[li] += a.diagonal(offset=-1, dim1=1, dim2=2).mean(-1).numpy()
            if full:
                lp = F.log_softmax(logits, -1)
                nll -= float(lp[:-1].gather(1, torch.tensor(w[1:]).view(-1, 1)).sum())
                n += len(w) - 1
        prev /= min(40, len(windows))
        ind = np.zeros((L, H))
        half = 32
        for s in (1, 2, 3, 4, 5):
            g = Lcg(s)   # the generator tests/models/test_corpus_models.cpp also uses
            r = [g.next(eot) for _ in range(half)]
            atts, _ = ref(r + r)
            for li, a in enumerate(atts):
                ind[li] += np.array([[float(a[h, i, i - half + 1]) for i in range(half, 2 * half)]
                                     for h in range(H)]).mean(-1)
        ind /= 5
    out = {"prev": prev, "ind": ind, "windows": len(windows)}
    if full:
        out.update({"ppl": math.exp(nll / n), "n_tokens": n, "nll": nll})
    return out


def best(m):
    i = np.unravel_index(np.argmax(m), m.shape)
    return int(i[0]), int(i[1]), float(m[i])


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def run(a) -> None:
    tokens, merges = load_bpe()
    enc = BpeEncoder(tokens, merges)
    eot = len(tokens) - 1
    assert tokens[eot] == "<|endoftext|>"
    train_txt, held_txt = corpus()
    train_ids, held_ids = [], []
    for ch in train_txt:
        train_ids += enc.encode(ch) + [eot]
    for ch in held_txt:
        held_ids += enc.encode(ch) + [eot]
    print(f"train {len(train_ids)} tokens, held-out {len(held_ids)}", flush=True)
    stream = torch.tensor(train_ids)
    T = a.context
    cfg = llama_cfg("llama", "LlamaForCausalLM", a.d, a.heads, a.kv_heads, a.layers, a.ff, len(tokens), a.positions,
                    tie_word_embeddings=True, bos_token_id=eot, eos_token_id=eot, torch_dtype="float16")
    torch.manual_seed(a.seed)
    model = LlamaTrain(cfg)
    g = torch.Generator().manual_seed(a.seed)

    def batch():
        starts = torch.randint(0, len(stream) - T - 1, (a.batch,), generator=g)
        rows = torch.stack([stream[s:s + T + 1] for s in starts.tolist()])
        u = torch.rand(a.batch, generator=g)
        for r in range(a.batch):
            if u[r] < a.repeat_text + a.repeat_random:
                # a span of n tokens (text or random ids) followed by itself: copying pays
                n = int(torch.randint(12, T // 2 + 1, (1,), generator=g))
                if u[r] < a.repeat_text:
                    s = int(torch.randint(0, len(stream) - n, (1,), generator=g))
                    span = stream[s:s + n]
                else:
                    span = torch.randint(0, eot, (n,), generator=g)
                head = rows[r, :T + 1 - 2 * n] if T + 1 > 2 * n else rows[r, :0]
                rows[r] = torch.cat([head, span, span])[:T + 1]
        return rows[:, :-1], rows[:, 1:]

    snaps = sorted(int(s) for s in a.snapshots.split(","))
    assert snaps[-1] == a.steps
    series = os.path.join(OUT, a.name + "-revisions")
    if os.path.isdir(series):
        shutil.rmtree(series)
    os.makedirs(series)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.98), weight_decay=0.01)
    t0, cpu0 = time.time(), time.process_time()
    ema = None
    revisions = []
    for step in range(1, a.steps + 1):
        for gr in opt.param_groups:
            gr["lr"] = lr_at(step - 1, a.steps, a.lr, 100)
        x, y = batch()
        loss = F.cross_entropy(model(x).reshape(-1, len(tokens)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        if step % 100 == 0:
            print(f"step {step:5d} loss {float(loss):.3f} (ema {ema:.3f}) {time.time() - t0:6.0f}s", flush=True)
        if step in snaps:
            folder = os.path.join(series, f"step{step}")
            save_folder(folder, cfg, model, GPT2_KJV)
            m = measure(folder, held_ids, T, eot, full=False)
            bp, bi = best(m["prev"]), best(m["ind"])
            revisions.append({"step": step, "loss_ema": ema, "prev": bp, "ind": bi})
            print(f"  snapshot step {step}: previous-token L{bp[0]}H{bp[1]} {bp[2]:.3f}, "
                  f"induction L{bi[0]}H{bi[1]} {bi[2]:.3f}", flush=True)
    stats = {"wall_s": time.time() - t0, "cpu_s": time.process_time() - cpu0, "loss_ema": ema}
    final = os.path.join(OUT, a.name)
    save_folder(final, cfg, model, GPT2_KJV)
    ev = measure(final, held_ids, T, eot, full=True)
    # the training module and the reference on the saved folder agree (F16 rounding)
    _, ref = load_reference(final)
    w = held_ids[:T]
    with torch.no_grad():
        diff = float((model(torch.tensor([w]))[0] - ref(w)[1]).abs().max())
    write_cards(final, series, a, cfg, stats, ev, revisions, diff, len(train_ids), len(held_ids))


def write_cards(folder, series, a, cfg, stats, ev, revisions, diff, n_train, n_held) -> None:
    bp, bi = best(ev["prev"]), best(ev["ind"])
    n_params = sum(p.numel() for p in load_reference(folder)[1].parameters())
    size = os.path.getsize(os.path.join(folder, "model.safetensors"))
    rev_rows = "\n".join(f"| step{r['step']} | {r['loss_ema']:.3f} | L{r['prev'][0]} H{r['prev'][1]}: {r['prev'][2]:.3f} "
                         f"| L{r['ind'][0]} H{r['ind'][1]}: {r['ind'][2]:.3f} |" for r in revisions)
    cmd = ("/usr/bin/python3 tools/train_llama_small.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items() if k != "name"))
    text = f"""# llama-kjv — a small Llama-layout causal LM trained on the King James Bible

A Hugging Face folder (`config.json` with `model_type` llama, `model.safetensors` in F16,
`vocab.json`, `merges.txt`, `tokenizer_config.json`) in the layout `LlamaForCausalLM.save_pretrained`
writes (`model.` prefix, tied `lm_head` omitted), trained from scratch by
`tools/train_llama_small.py`. It has grouped-query attention ({cfg['num_attention_heads']} query heads
sharing {cfg['num_key_value_heads']} key/value heads) and rotary positions. For looking at attention
in AttnScope; not a useful language model.

Its training snapshots are in `../llama-kjv-revisions/step<N>/`, each a complete folder of the
same shape: open that folder in AttnScope and the training-step slider moves through them.

## Data and licence

* Text: the King James Version of the Bible from Debian's `bible-kjv` package, read with
  `bible "gen1:1-rev22:21"` and parsed by `tools/kjv_corpus.py` (one verse per line).
* Split, by chapter (the project's split, see models/README.md): chapter *k* of 0…1188 is held
  out when `k % 20 == 7`; the other 1,129 chapters are training text.
* Licence: the KJV text (1611) is public domain in most of the world (in the UK it is under
  perpetual Crown patent). The Debian package's copyright file says: "The copyright for the King
  James Version text of the Bible is expired since the translation was done in 1611 under King
  James the first of Great Britain." It asks that this legend be kept with the data:

{LEGEND}

  The weights are derived from the text only; the vocabulary is gpt2-kjv's (see its card).

## Model

| | |
|---|---|
| architecture | Llama: {cfg['num_hidden_layers']} layers, d {cfg['hidden_size']}, {cfg['num_attention_heads']} query heads × d_head {cfg['hidden_size'] // cfg['num_attention_heads']}, {cfg['num_key_value_heads']} key/value heads (GQA: heads 2k and 2k+1 share kv head k), SwiGLU MLP {cfg['intermediate_size']}, RMSNorm eps {cfg['rms_norm_eps']}, RoPE θ {cfg['rope_theta']:.0f} (rotate-half), no biases, lm_head tied to embed_tokens; {n_params:,} parameters |
| context | trained on {a.context} tokens; `max_position_embeddings` {cfg['max_position_embeddings']} |
| tokenizer | gpt2-kjv's byte-level BPE, {cfg['vocab_size']} entries, `<|endoftext|>` = {cfg['vocab_size'] - 1} (between chapters) |
| weights | F16 (`model.safetensors`, {size:,} bytes) |
| training | {a.steps} steps × batch {a.batch} × {a.context} tokens; AdamW lr {a.lr}, betas (0.9, 0.98), wd 0.01, 100 warm-up steps, cosine to 0.1×, grad clip 1.0, no dropout, seed {a.seed}, one thread; {stats['cpu_s'] / 60:.1f} min CPU, {stats['wall_s'] / 60:.1f} min wall (shared machine) |
| data mix | rows of {a.context + 1} tokens from random places in the training stream; with p = {a.repeat_text} the row ends with a span of 12–{a.context // 2} tokens of the text followed by the same span again, with p = {a.repeat_random} the same with random ids instead of text |
| command | `{cmd}` |

## Figures (measured by tools/make_llama_goldens.py's reference on the saved F16 weights, float32)

* Held-out perplexity per BPE token: **{ev['ppl']:.2f}** over {ev['n_tokens']:,} predicted tokens
  (all 60 held-out chapters, {n_held:,} tokens, cut into {ev['windows']} consecutive windows of
  {a.context}; every token but each window's first is predicted once).
* The training module and the reference on the saved folder agree to {diff:.1e} in the logits
  (F16 rounding of the weights).

### Heads

Previous-token score = mean over i ≥ 1 of A[i, i−1] over the first 40 held-out windows.
Induction score = mean over i in [n, 2n) of A[i, i−n+1] on n = 32 random tokens
(ids 0…{cfg['vocab_size'] - 2} drawn by tools/train_corpus.py's `Lcg` with seeds 1–5, as
tests/models/test_corpus_models.cpp draws them) repeated twice.
Strongest previous-token head: **layer {bp[0]} head {bp[1]}, {bp[2]:.3f}**. Strongest
induction head: **layer {bi[0]} head {bi[1]}, {bi[2]:.3f}**.

{head_table([("previous-token", ev['prev']), ("induction", ev['ind'])])}

### Revisions (`../llama-kjv-revisions/`)

Each snapshot was saved during the same run and measured the same way (previous-token on 40
held-out windows, induction on the 5 probes); loss is the training loss's moving average.

| revision | loss | best previous-token head | best induction head |
|---|---|---|---|
{rev_rows}
"""
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    with open(os.path.join(series, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(f"""# llama-kjv-revisions — training snapshots of llama-kjv

{len(revisions)} snapshots saved during the run that trained `../llama-kjv` (its model card has the
data, licence and training details), in the layout of Pythia's revision series: one complete
Hugging Face folder per training step, named `step<N>`. Open this folder in AttnScope (or pass it
to `attnscope-cli`) and it opens as one model with a training-step slider; `--revision stepN`
picks one in the CLI. The last snapshot is the same weights as `../llama-kjv`.

| revision | loss | best previous-token head | best induction head |
|---|---|---|---|
{rev_rows}

Written by `{cmd}`.
""")
    print(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", default="llama-kjv", help="output folder models/hf/NAME (and NAME-revisions)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--snapshots", default="100,300,600,1000,1800,3000")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--positions", type=int, default=256)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--ff", type=int, default=320)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--repeat-text", type=float, default=0.25)
    p.add_argument("--repeat-random", type=float, default=0.1)
    a = p.parse_args()
    torch.set_num_threads(1)
    run(a)


if __name__ == "__main__":
    main()
