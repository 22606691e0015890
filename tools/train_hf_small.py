#!/usr/bin/python3
"""Train two small Hugging Face-layout models on the King James Bible and save them as HF folders.

    /usr/bin/python3 tools/train_hf_small.py gpt2     # -> models/hf/gpt2-kjv/  (causal LM, byte-level BPE)
    /usr/bin/python3 tools/train_hf_small.py bert     # -> models/hf/bert-kjv/  (masked LM, WordPiece)

Data and split: tools/kjv_corpus.py (Debian bible-kjv; chapter k held out when k % 20 == 7, the
project's split, so tests/data/kjv-heldout.txt stays unseen). Training uses batched modules
written here with Hugging Face's parameter names; the saved folder (F16 weights) is then loaded
back by tools/hf_reference.py, and every figure in the model card is measured with that
reference on the rounded weights. Seeded, one thread, a fixed number of steps.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import re
import shutil
import sys
import time
from typing import Dict, List, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import kjv_corpus  # noqa: E402
from hf_reference import gelu_new, load_folder, write_safetensors  # noqa: E402
from make_hf_goldens import (_PRETOKEN, BERT_SPECIALS, bert_config, bytes_to_unicode,  # noqa: E402
                             gpt2_config, write_bpe_files, write_json_file)

OUT = os.path.join(ROOT, "models", "hf")
LEGEND = """> Bible Retrieval System
> Chip Chapin, Hewlett Packard Company
> Initial release, September 5, 1989
> Last Updated: April 26, 1993
>
> This file is provided for unrestricted use provided that this
> legend is included on all tape media and as a part of the
> software program in whole or part.  Users may copy, modify or
> distribute this file at will.
>             -- Chip Chapin, September 4, 1989"""


# --------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------

def corpus() -> Tuple[List[str], List[str]]:
    """(training chapters, held-out chapters) as text, one verse per line."""
    train, held = kjv_corpus.load()
    return [kjv_corpus.chapter_text(c) for c in train], [kjv_corpus.chapter_text(c) for c in held]


# --------------------------------------------------------------------------
# Byte-level BPE (GPT-2 style) with incremental pair counts
# --------------------------------------------------------------------------

def train_bpe_fast(texts: Sequence[str], n_merges: int) -> List[Tuple[str, str]]:
    """BPE on GPT-2 pre-tokens; the most frequent pair wins, ties to the smallest pair.
    Same rule as make_hf_goldens.train_bpe, with pair counts kept up to date incrementally."""
    table = dict(bytes_to_unicode())
    counts = collections.Counter()
    for t in texts:
        counts.update(_PRETOKEN.findall(t))
    words = [list(table[b] for b in w.encode("utf-8")) for w in counts]
    freq = list(counts.values())
    pairs: Dict[Tuple[str, str], int] = collections.Counter()
    where: Dict[Tuple[str, str], set] = collections.defaultdict(set)
    for i, w in enumerate(words):
        for p in zip(w, w[1:]):
            pairs[p] += freq[i]
            where[p].add(i)
    merges = []
    for _ in range(n_merges):
        best = min((p for p in pairs if pairs[p] > 0), key=lambda p: (-pairs[p], p), default=None)
        if best is None:
            break
        merges.append(best)
        for i in list(where[best]):
            w = words[i]
            for p in zip(w, w[1:]):
                pairs[p] -= freq[i]
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and (w[j], w[j + 1]) == best:
                    out.append(w[j] + w[j + 1])
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for p in zip(out, out[1:]):
                pairs[p] += freq[i]
                where[p].add(i)
        del pairs[best]
    return merges


class BpeEncoder:
    def __init__(self, tokens: List[str], merges: List[Tuple[str, str]]):
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.rank = {m: r for r, m in enumerate(merges)}
        self.table = dict(bytes_to_unicode())
        self.cache: Dict[str, List[int]] = {}

    def word(self, w: str) -> List[int]:
        if w in self.cache:
            return self.cache[w]
        parts = [self.table[b] for b in w.encode("utf-8")]
        while len(parts) > 1:
            cand = [(self.rank.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            r, i = min(cand)
            if r == 1 << 30:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        out = [self.ids[p] for p in parts]
        self.cache[w] = out
        return out

    def encode(self, text: str) -> List[int]:
        return [i for w in _PRETOKEN.findall(text) for i in self.word(w)]


# --------------------------------------------------------------------------
# WordPiece (BERT style)
# --------------------------------------------------------------------------

_BASIC = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def basic_tokens(text: str) -> List[str]:
    """BERT's basic tokenizer for ASCII text: lower-case, split on white space and punctuation."""
    return _BASIC.findall(text.lower())


def build_wordpiece(texts: Sequence[str], size: int) -> List[str]:
    counts = collections.Counter(w for t in texts for w in basic_tokens(t))
    chars = sorted({c for w in counts for c in w})
    cont = ["##" + c for c in chars if c.isalnum()]
    n_suffix = size // 8
    n_words = size - len(BERT_SPECIALS) - len(chars) - len(cont) - n_suffix
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if len(w) > 1][:n_words]
    known = set(words)
    suffixes = collections.Counter()
    for w, c in counts.items():
        if w not in known and len(w) > 3:
            for k in (2, 3, 4):
                suffixes["##" + w[-k:]] += c
    suf = [s for s, _ in sorted(suffixes.items(), key=lambda kv: (-kv[1], kv[0])) if s not in cont][:n_suffix]
    tokens = BERT_SPECIALS + chars + words + cont + suf
    assert len(tokens) == len(set(tokens)) == size, (len(tokens), size)
    return tokens


class WordPieceEncoder:
    def __init__(self, tokens: List[str]):
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.unk = self.ids["[UNK]"]
        self.cache: Dict[str, List[int]] = {}

    def word(self, w: str) -> List[int]:
        if w in self.cache:
            return self.cache[w]
        out, start = [], 0
        while start < len(w):
            end = len(w)
            while end > start:
                piece = w[start:end] if start == 0 else "##" + w[start:end]
                if piece in self.ids:
                    break
                end -= 1
            if end == start:
                out = [self.unk]
                break
            out.append(self.ids[piece])
            start = end
        self.cache[w] = out
        return out

    def encode(self, text: str) -> List[int]:
        return [i for w in basic_tokens(text) for i in self.word(w)]


# --------------------------------------------------------------------------
# Batched training modules with Hugging Face parameter names
# --------------------------------------------------------------------------

class Conv1D(nn.Module):
    def __init__(self, nx: int, nf: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)   # (in, out)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return x @ self.weight + self.bias


def attend(q, k, v, heads: int, causal: bool):
    """q, k, v (B, T, C) -> (B, T, C)."""
    b, t, c = q.shape
    q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))   # (B, H, T, D)
    s = q @ k.transpose(-1, -2) / math.sqrt(c // heads)
    if causal:
        s = s.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
    return (F.softmax(s, -1) @ v).transpose(1, 2).reshape(b, t, c)


class GptBlock(nn.Module):
    def __init__(self, c: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.attn = nn.Module()
        self.attn.c_attn = Conv1D(c, 3 * c)
        self.attn.c_proj = Conv1D(c, c)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(c, 4 * c)
        self.mlp.c_proj = Conv1D(4 * c, c)

    def forward(self, x):
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(x.shape[-1], dim=-1)
        x = x + self.attn.c_proj(attend(q, k, v, self.heads, True))
        return x + self.mlp.c_proj(gelu_new(self.mlp.c_fc(self.ln_2(x))))


class GptTrain(nn.Module):
    def __init__(self, vocab: int, c: int, heads: int, layers: int, positions: int):
        super().__init__()
        self.wte = nn.Embedding(vocab, c)
        self.wpe = nn.Embedding(positions, c)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)
        self.h = nn.ModuleList(GptBlock(c, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(c, eps=1e-5)

    def forward(self, ids):   # (B, T) -> (B, T, V)
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for blk in self.h:
            x = blk(x)
        return self.ln_f(x) @ self.wte.weight.t()


def _lin(i: int, o: int) -> nn.Linear:
    m = nn.Linear(i, o)
    nn.init.normal_(m.weight, std=0.02)
    nn.init.zeros_(m.bias)
    return m


class BertLayerTrain(nn.Module):
    def __init__(self, c: int, heads: int, inter: int):
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query, self.attention.self.key, self.attention.self.value = _lin(c, c), _lin(c, c), _lin(c, c)
        self.attention.output = nn.Module()
        self.attention.output.dense = _lin(c, c)
        self.attention.output.LayerNorm = nn.LayerNorm(c, eps=1e-12)
        self.intermediate = nn.Module()
        self.intermediate.dense = _lin(c, inter)
        self.output = nn.Module()
        self.output.dense = _lin(inter, c)
        self.output.LayerNorm = nn.LayerNorm(c, eps=1e-12)

    def forward(self, x):
        s = self.attention.self
        ctx = attend(s.query(x), s.key(x), s.value(x), self.heads, False)
        x = self.attention.output.LayerNorm(self.attention.output.dense(ctx) + x)
        y = self.output.dense(F.gelu(self.intermediate.dense(x)))
        return self.output.LayerNorm(y + x)


class BertTrain(nn.Module):
    def __init__(self, vocab: int, c: int, heads: int, layers: int, inter: int, positions: int):
        super().__init__()
        self.bert = nn.Module()
        e = self.bert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(vocab, c)
        e.position_embeddings = nn.Embedding(positions, c)
        e.token_type_embeddings = nn.Embedding(2, c)
        for emb in (e.word_embeddings, e.position_embeddings, e.token_type_embeddings):
            nn.init.normal_(emb.weight, std=0.02)
        e.LayerNorm = nn.LayerNorm(c, eps=1e-12)
        self.bert.encoder = nn.Module()
        self.bert.encoder.layer = nn.ModuleList(BertLayerTrain(c, heads, inter) for _ in range(layers))
        self.cls = nn.Module()
        p = self.cls.predictions = nn.Module()
        p.transform = nn.Module()
        p.transform.dense = _lin(c, c)
        p.transform.LayerNorm = nn.LayerNorm(c, eps=1e-12)
        p.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, ids):
        e = self.bert.embeddings
        x = e.word_embeddings(ids) + e.position_embeddings(torch.arange(ids.shape[1])) + e.token_type_embeddings(torch.zeros_like(ids))
        x = e.LayerNorm(x)
        for layer in self.bert.encoder.layer:
            x = layer(x)
        p = self.cls.predictions
        y = p.transform.LayerNorm(F.gelu(p.transform.dense(x)))
        return y @ e.word_embeddings.weight.t() + p.bias


# --------------------------------------------------------------------------
# Training loop
# --------------------------------------------------------------------------

def lr_at(step: int, steps: int, lr: float, warm: int) -> float:
    if step < warm:
        return lr * (step + 1) / warm
    f = (step - warm) / max(1, steps - warm)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * f)))


def train_loop(model, batch_fn, loss_fn, steps: int, lr: float, log_every: int = 100, warm: int = 100) -> Dict[str, float]:
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    t0, cpu0 = time.time(), time.process_time()
    ema = None
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, warm)
        loss = loss_fn(model, *batch_fn(step))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        if step % log_every == 0 or step == steps - 1:
            print(f"step {step:5d} loss {float(loss):.3f} (ema {ema:.3f}) {time.time() - t0:6.0f}s", flush=True)
    return {"wall_s": time.time() - t0, "cpu_s": time.process_time() - cpu0, "final_loss_ema": ema}


def save_f16(folder: str, sd: Dict[str, torch.Tensor]) -> None:
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      {k: v.detach().to(torch.float16) for k, v in sd.items()})


# --------------------------------------------------------------------------
# GPT-2
# --------------------------------------------------------------------------

def run_gpt2(a) -> None:
    train_txt, held_txt = corpus()
    n_merges = a.vocab - 257
    t0 = time.time()
    merges = train_bpe_fast(train_txt, n_merges)
    tokens = [c for _, c in bytes_to_unicode()] + [x + y for x, y in merges] + ["<|endoftext|>"]
    assert len(tokens) == len(set(tokens)) == a.vocab
    eot = a.vocab - 1
    enc = BpeEncoder(tokens, merges)
    train_ids = []
    for ch in train_txt:
        train_ids += enc.encode(ch) + [eot]
    held_ids = []
    for ch in held_txt:
        held_ids += enc.encode(ch) + [eot]
    print(f"BPE {a.vocab} in {time.time() - t0:.0f}s; train {len(train_ids)} tokens, held-out {len(held_ids)}", flush=True)
    stream = torch.tensor(train_ids)
    T = a.context
    torch.manual_seed(a.seed)
    model = GptTrain(a.vocab, a.d, a.heads, a.layers, T)
    g = torch.Generator().manual_seed(a.seed)

    def batch(step):
        starts = torch.randint(0, len(stream) - T - 1, (a.batch,), generator=g)
        rows = torch.stack([stream[s:s + T + 1] for s in starts.tolist()])
        # With p = --repeat, a row is a block of 8-32 random tokens repeated to fill the row: the
        # same layout as the induction test, so that copying heads have something to learn.
        rep = torch.rand(a.batch, generator=g) < a.repeat
        for r in rep.nonzero().view(-1).tolist():
            n = int(torch.randint(8, 33, (1,), generator=g))
            block = torch.randint(0, eot, (n,), generator=g)
            rows[r] = block.repeat(T // n + 2)[:T + 1]
        return rows[:, :-1], rows[:, 1:]

    def loss_fn(m, x, y):
        return F.cross_entropy(m(x).reshape(-1, a.vocab), y.reshape(-1))

    stats = train_loop(model, batch, loss_fn, a.steps, a.lr)
    folder = os.path.join(OUT, "gpt2-kjv")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    cfg = gpt2_config(a.vocab, a.d, a.heads, a.layers, T, "gelu_new", None, eot, "F16")
    write_json_file(os.path.join(folder, "config.json"), cfg)
    save_f16(folder, {"transformer." + k: v for k, v in model.state_dict().items()})
    write_bpe_files(folder, tokens, merges)
    write_json_file(os.path.join(folder, "tokenizer_config.json"),
                    {"add_prefix_space": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                     "unk_token": "<|endoftext|>", "model_max_length": T, "tokenizer_class": "GPT2Tokenizer"})
    ev = evaluate_gpt2(folder, held_ids, held_txt, model, T, eot)
    write_card_gpt2(folder, a, cfg, stats, ev, len(train_ids), len(held_ids))


def evaluate_gpt2(folder, held_ids, held_txt, train_model, T, eot) -> Dict:
    cfg, ref, _ = load_folder(folder)
    nll, n = 0.0, 0
    windows = [held_ids[i:i + T] for i in range(0, len(held_ids) - T + 1, T)]
    prev = None
    head_prev = np.zeros((cfg["n_layer"], cfg["n_head"]))
    with torch.no_grad():
        for wi, w in enumerate(windows):
            out = ref(w)
            lp = F.log_softmax(out.logits, -1)
            tgt = torch.tensor(w[1:])
            nll -= float(lp[:-1].gather(1, tgt.view(-1, 1)).sum())
            n += len(w) - 1
            if wi < 40:
                for li, a in enumerate(out.attentions):
                    head_prev[li] += a.diagonal(offset=-1, dim1=1, dim2=2).mean(-1).numpy()
        head_prev /= min(40, len(windows))
        # the training module and the reference on the saved (F16) folder agree
        w = torch.tensor(windows[0]).view(1, -1)
        diff = float((train_model(w)[0] - ref(windows[0]).logits).abs().max())
        # induction: n random non-special tokens repeated twice (DOMAIN.md)
        ind = np.zeros_like(head_prev)
        half = T // 2
        seeds = [1, 2, 3, 4, 5]
        for s in seeds:
            gg = torch.Generator().manual_seed(s)
            r = torch.randint(0, eot, (half,), generator=gg).tolist()
            out = ref(r + r)
            for li, a in enumerate(out.attentions):
                ind[li] += np.array([[float(a[h, i, i - half + 1]) for i in range(half, 2 * half)] for h in range(a.shape[0])]).mean(-1)
        ind /= len(seeds)
    chars = sum(len(t) for t in held_txt)
    ppl = math.exp(nll / n)
    # characters covered by the scored tokens (approximate: the windows cover the stream)
    covered = sum(len(bytes_of_tokens(folder_tokens(folder), w[1:])) for w in windows)
    print(f"held-out token perplexity {ppl:.2f} over {n} tokens; train-module vs reference max |Δlogit| {diff:.2e}")
    return {"ppl": ppl, "n_tokens": n, "nll": nll, "bytes": covered, "prev": head_prev, "ind": ind,
            "diff": diff, "windows": len(windows), "chars": chars}


_TOKS_CACHE: Dict[str, List[str]] = {}


def folder_tokens(folder: str) -> List[str]:
    if folder not in _TOKS_CACHE:
        with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
            v = json.load(f)
        toks = [""] * len(v)
        for t, i in v.items():
            toks[i] = t
        _TOKS_CACHE[folder] = toks
    return _TOKS_CACHE[folder]


def bytes_of_tokens(tokens: List[str], ids: Sequence[int]) -> bytes:
    inv = {c: b for b, c in bytes_to_unicode()}
    out = bytearray()
    for i in ids:
        t = tokens[i]
        if t == "<|endoftext|>":
            continue
        out += bytes(inv[c] for c in t)
    return bytes(out)


def head_table(rows: List[Tuple[str, np.ndarray]]) -> str:
    layers, heads = rows[0][1].shape
    head = "| layer | head | " + " | ".join(n for n, _ in rows) + " |\n|---|---|" + "---|" * len(rows) + "\n"
    lines = []
    for l_ in range(layers):
        for h in range(heads):
            lines.append(f"| {l_} | {h} | " + " | ".join(f"{m[l_, h]:.3f}" for _, m in rows) + " |")
    return head + "\n".join(lines)


def card_common(kind: str) -> str:
    return f"""## Data and licence

* Text: the King James Version of the Bible from Debian's `bible-kjv` package, read with
  `bible "gen1:1-rev22:21"` and parsed by `tools/kjv_corpus.py` (verse numbers and chapter
  headings stripped, one verse per line).
* Split, by chapter (the project's split, see models/README.md): chapters are numbered
  0…1188; chapter *k* is held out when `k % 20 == 7` (60 chapters spread over the whole book,
  including all of `tests/data/kjv-heldout.txt`); the other 1,129 chapters are training text.
* Licence: the KJV text (1611) is public domain in most of the world (in the UK it is under
  perpetual Crown patent). The Debian package's copyright file says: "The copyright for the King
  James Version text of the Bible is expired since the translation was done in 1611 under King
  James the first of Great Britain." It asks that this legend be kept with the data:

{LEGEND}

  The weights and the {kind} vocabulary are derived from the text only; no code of the package
  is included.
"""


def write_card_gpt2(folder, a, cfg, stats, ev, n_train, n_held) -> None:
    prev, ind = ev["prev"], ev["ind"]
    bp = np.unravel_index(np.argmax(prev), prev.shape)
    bi = np.unravel_index(np.argmax(ind), ind.shape)
    bpc = ev["nll"] / math.log(2) / ev["bytes"]
    n_params = sum(int(np.prod(v.shape)) for v in load_folder(folder)[1].state_dict().values())
    text = f"""# gpt2-kjv — a small GPT-2-layout causal LM trained on the King James Bible

A Hugging Face folder (`config.json`, `model.safetensors` in F16, `vocab.json`, `merges.txt`,
`tokenizer_config.json`) in exactly the layout `GPT2LMHeadModel.save_pretrained` writes
(`transformer.` prefix, tied `lm_head` omitted), trained from scratch by
`tools/train_hf_small.py gpt2`. For looking at attention in AttnScope; not a useful language model.

{card_common("BPE")}
## Model

| | |
|---|---|
| architecture | GPT-2: {cfg['n_layer']} layers × {cfg['n_head']} heads, d {cfg['n_embd']}, MLP {4 * cfg['n_embd']}, gelu_new, pre-norm, learned positions, n_positions {cfg['n_positions']}, lm_head tied to wte; {n_params:,} parameters |
| tokenizer | byte-level BPE, {cfg['vocab_size']} entries: the 256 bytes (GPT-2's bytes_to_unicode order), {cfg['vocab_size'] - 257} merges learned on the training split (GPT-2 pre-tokenisation restricted to ASCII letters/digits), `<|endoftext|>` = {cfg['vocab_size'] - 1} (also between chapters) |
| weights | F16 (`model.safetensors`, {os.path.getsize(os.path.join(folder, 'model.safetensors')):,} bytes) |
| training | {a.steps} steps × batch {a.batch} × {a.context} tokens = {a.steps * a.batch * a.context:,} tokens seen ({a.steps * a.batch * a.context * (1 - a.repeat) / n_train:.2f} epochs of {n_train:,} in expectation); AdamW lr {a.lr}, betas (0.9, 0.98), wd 0.01, 100 warm-up steps, cosine to 0.1×, grad clip 1.0, no dropout, seed {a.seed}, one thread; {stats['cpu_s'] / 60:.1f} min CPU, {stats['wall_s'] / 60:.1f} min wall (shared machine) |
| data mix | rows of {a.context + 1} tokens: random windows of the training stream; with p = {a.repeat} instead a block of 8–32 random tokens (ids 0…{cfg['vocab_size'] - 2}) repeated to fill the row (the induction-test layout) |
| command | `/usr/bin/python3 tools/train_hf_small.py gpt2 --steps {a.steps} --repeat {a.repeat}` |

## Figures (measured by `tools/hf_reference.py` on the saved F16 weights, float32)

* Held-out perplexity per BPE token: **{ev['ppl']:.2f}** over {ev['n_tokens']:,} predicted tokens
  (all 60 held-out chapters, {n_held:,} tokens, cut into {ev['windows']} consecutive windows of
  {a.context}; every token but each window's first is predicted once). That is
  {bpc:.3f} bits per byte of the predicted text (uniform over the vocabulary: {math.log2(cfg['vocab_size']):.2f} bits per token).
* The training module and the reference on the saved folder agree to {ev['diff']:.1e} in the
  logits (F16 rounding of the weights).

### Heads

Previous-token score = mean over i ≥ 1 of A[i, i−1] over the first 40 held-out windows.
Induction score = mean over i in [n, 2n) of A[i, i−n+1] on n = {a.context // 2} random tokens
(ids 0…{cfg['vocab_size'] - 2}, `torch.Generator` seeds 1–5) repeated twice.
Strongest previous-token head: **layer {bp[0]} head {bp[1]}, {prev[bp]:.3f}**. Strongest
induction head: **layer {bi[0]} head {bi[1]}, {ind[bi]:.3f}**.

{head_table([("previous-token", prev), ("induction", ind)])}
"""
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(text)


# --------------------------------------------------------------------------
# BERT
# --------------------------------------------------------------------------

def run_bert(a) -> None:
    train_txt, held_txt = corpus()
    tokens = build_wordpiece(train_txt, a.vocab)
    enc = WordPieceEncoder(tokens)
    CLS, SEP, MASK, UNK = 2, 3, 4, 1
    train_ids = [i for ch in train_txt for i in enc.encode(ch)]
    held_ids = [i for ch in held_txt for i in enc.encode(ch)]
    unk_rate = held_ids.count(UNK) / len(held_ids)
    print(f"WordPiece {a.vocab}; train {len(train_ids)} tokens, held-out {len(held_ids)} ([UNK] {unk_rate:.2%})", flush=True)
    stream = torch.tensor(train_ids)
    T = a.context
    body = T - 2
    torch.manual_seed(a.seed)
    inter = 4 * a.d
    model = BertTrain(a.vocab, a.d, a.heads, a.layers, inter, T)
    g = torch.Generator().manual_seed(a.seed)

    def batch(step):
        starts = torch.randint(0, len(stream) - body, (a.batch,), generator=g)
        rows = torch.stack([stream[s:s + body] for s in starts.tolist()])
        x = torch.cat([torch.full((a.batch, 1), CLS), rows, torch.full((a.batch, 1), SEP)], 1)
        y = torch.full_like(x, -100)
        pick = torch.rand(x.shape, generator=g) < 0.15
        pick[:, 0] = pick[:, -1] = False
        y[pick] = x[pick]
        r = torch.rand(x.shape, generator=g)
        x = x.clone()
        x[pick & (r < 0.8)] = MASK
        rnd = pick & (r >= 0.8) & (r < 0.9)
        x[rnd] = torch.randint(5, a.vocab, (int(rnd.sum()),), generator=g)
        return x, y

    def loss_fn(m, x, y):
        return F.cross_entropy(m(x).reshape(-1, a.vocab), y.reshape(-1), ignore_index=-100)

    stats = train_loop(model, batch, loss_fn, a.steps, a.lr, warm=a.warmup)
    folder = os.path.join(OUT, "bert-kjv")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    cfg = bert_config("BertForMaskedLM", a.vocab, a.d, a.heads, a.layers, inter, "gelu", T, "F16")
    write_json_file(os.path.join(folder, "config.json"), cfg)
    save_f16(folder, dict(model.state_dict()))
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(t + "\n" for t in tokens))
    write_json_file(os.path.join(folder, "tokenizer_config.json"),
                    {"cls_token": "[CLS]", "do_lower_case": True, "mask_token": "[MASK]", "model_max_length": T,
                     "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": None, "tokenize_chinese_chars": True,
                     "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]"})
    ev = evaluate_bert(folder, held_ids, model, T, train_ids)
    write_card_bert(folder, a, cfg, stats, ev, len(train_ids), len(held_ids), unk_rate)


def evaluate_bert(folder, held_ids, train_model, T, train_ids) -> Dict:
    cfg, ref, _ = load_folder(folder)
    CLS, SEP, MASK = 2, 3, 4
    body = T - 2
    g = torch.Generator().manual_seed(99)
    most = collections.Counter(train_ids).most_common(1)[0][0]
    correct = base = n = 0
    L, H = cfg["num_hidden_layers"], cfg["num_attention_heads"]
    prev, to_cls, to_sep = (np.zeros((L, H)) for _ in range(3))
    n_att = 0
    with torch.no_grad():
        windows = [held_ids[i:i + body] for i in range(0, len(held_ids) - body + 1, body)]
        for wi, w in enumerate(windows):
            ids = [CLS] + w + [SEP]
            pick = (torch.rand(len(ids), generator=g) < 0.15).tolist()
            pick[0] = pick[-1] = False
            x = [MASK if p else t for t, p in zip(ids, pick)]
            out = ref(x)
            pred = out.logits.argmax(-1).tolist()
            for i, p in enumerate(pick):
                if p:
                    n += 1
                    correct += pred[i] == ids[i]
                    base += most == ids[i]
            if wi < 40:   # heads on unmasked text
                out = ref(ids)
                n_att += 1
                for li, a in enumerate(out.attentions):
                    prev[li] += a.diagonal(offset=-1, dim1=1, dim2=2).mean(-1).numpy()
                    to_cls[li] += a[:, :, 0].mean(-1).numpy()
                    to_sep[li] += a[:, :, -1].mean(-1).numpy()
        x0 = torch.tensor([CLS] + windows[0] + [SEP]).view(1, -1)
        diff = float((train_model(x0)[0] - ref(x0[0].tolist()).logits).abs().max())
    prev, to_cls, to_sep = prev / n_att, to_cls / n_att, to_sep / n_att
    print(f"held-out MLM accuracy {correct / n:.3f} over {n} masked tokens (most-frequent baseline {base / n:.3f}); Δlogit {diff:.2e}")
    return {"acc": correct / n, "n": n, "base": base / n, "most": most, "prev": prev, "cls": to_cls,
            "sep": to_sep, "diff": diff, "windows": len(windows), "n_att": n_att}


def write_card_bert(folder, a, cfg, stats, ev, n_train, n_held, unk_rate) -> None:
    prev, cls_, sep = ev["prev"], ev["cls"], ev["sep"]
    best = lambda m: np.unravel_index(np.argmax(m), m.shape)  # noqa: E731
    bp, bc, bs = best(prev), best(cls_), best(sep)
    with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
        most_tok = f.read().split("\n")[ev["most"]]
    n_params = sum(int(np.prod(v.shape)) for v in load_folder(folder)[1].state_dict().values())
    text = f"""# bert-kjv — a small BERT-layout masked LM trained on the King James Bible

A Hugging Face folder (`config.json`, `model.safetensors` in F16, `vocab.txt`,
`tokenizer_config.json`) in the layout `BertForMaskedLM.save_pretrained` writes (`bert.` prefix,
`cls.predictions.*`, decoder tied to the word embeddings), trained from scratch by
`tools/train_hf_small.py bert`. For looking at attention in AttnScope.

{card_common("WordPiece")}
## Model

| | |
|---|---|
| architecture | BERT: {cfg['num_hidden_layers']} layers × {cfg['num_attention_heads']} heads, d {cfg['hidden_size']}, intermediate {cfg['intermediate_size']}, gelu, post-norm, max_position_embeddings {cfg['max_position_embeddings']}, type_vocab_size 2 (only type 0 trained); {n_params:,} parameters |
| tokenizer | WordPiece, {cfg['vocab_size']} entries: `[PAD]` 0, `[UNK]` 1, `[CLS]` 2, `[SEP]` 3, `[MASK]` 4, the corpus's characters, its most frequent words, `##` + each letter/digit and frequent word endings; lower-cased (`do_lower_case`), greedy longest-match; held-out `[UNK]` rate {unk_rate:.2%} |
| weights | F16 (`model.safetensors`, {os.path.getsize(os.path.join(folder, 'model.safetensors')):,} bytes) |
| training | sequences `[CLS]` + {a.context - 2} tokens of the running text + `[SEP]`; 15 % of the inner tokens predicted (80 % `[MASK]`, 10 % random, 10 % kept); {a.steps} steps × batch {a.batch} ({a.steps * a.batch * (a.context - 2) / n_train:.2f} epochs of {n_train:,} tokens); AdamW lr {a.lr}, betas (0.9, 0.98), wd 0.01, 100 warm-up steps, cosine to 0.1×, grad clip 1.0, no dropout, seed {a.seed}, one thread; {stats['cpu_s'] / 60:.1f} min CPU, {stats['wall_s'] / 60:.1f} min wall (shared machine) |
| command | `/usr/bin/python3 tools/train_hf_small.py bert --steps {a.steps}` |

## Figures (measured by `tools/hf_reference.py` on the saved F16 weights, float32)

* Held-out masked-token accuracy: **{ev['acc']:.3f}** over {ev['n']:,} masked positions (all 60
  held-out chapters, {n_held:,} tokens, in {ev['windows']} windows `[CLS]` + {a.context - 2} + `[SEP]`;
  each inner token masked with p = 0.15 by `torch.Generator` seed 99, every masked token replaced by
  `[MASK]`). Always predicting the most frequent training token (`{most_tok}`) scores {ev['base']:.3f}.
* The training module and the reference on the saved folder agree to {ev['diff']:.1e} in the
  logits (F16 rounding of the weights).

### Heads (Clark et al. 2019, "What does BERT look at?")

On the first {ev['n_att']} held-out windows, unmasked: previous-token score = mean over i ≥ 1 of
A[i, i−1]; `[CLS]` / `[SEP]` share = mean over all rows of the weight on key 0 / on the final
`[SEP]`. Strongest previous-token head: **layer {bp[0]} head {bp[1]}, {prev[bp]:.3f}**; most
`[CLS]`-attending: **layer {bc[0]} head {bc[1]}, {cls_[bc]:.3f}**; most `[SEP]`-attending:
**layer {bs[0]} head {bs[1]}, {sep[bs]:.3f}** (uniform would be 1/{a.context} = {1 / a.context:.3f}).

{head_table([("previous-token", prev), ("[CLS] share", cls_), ("[SEP] share", sep)])}
"""
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("which", choices=("gpt2", "bert"))
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--vocab", type=int, default=2000)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--warmup", type=int, default=100, help="linear warm-up steps (the BERT run uses more)")
    p.add_argument("--repeat", type=float, default=0.0,
                   help="gpt2: share of training rows that are a random token block repeated (default 0)")
    a = p.parse_args()
    torch.set_num_threads(1)
    (run_gpt2 if a.which == "gpt2" else run_bert)(a)


if __name__ == "__main__":
    main()
