#!/usr/bin/python3
"""Train AttnScope's corpus models on the King James Bible (see tools/kjv_corpus.py).

    /usr/bin/python3 tools/train_corpus.py lm      # -> models/tiny-lm.json  (char-level causal LM)
    /usr/bin/python3 tools/train_corpus.py mlm     # -> models/tiny-mlm.json (word-level masked LM)

Both runs are seeded and single-threaded by default (--threads 1): the same command on the
same machine gives the same file. Training length is a fixed number of steps (not a time
budget), chosen so each run takes well under 15 minutes on one CPU thread.

The evaluation helpers here (windowed perplexity, unigram baseline, previous-token and
induction scores, masked-token accuracy, the LCG used to draw random tokens and mask positions)
are mirrored one-to-one by tests/models/test_corpus_models.cpp, so the figures printed here and
the ones the C++ engine measures are computed the same way on the same inputs.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import sys
import time
from typing import Dict, List, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attnscope_format import Tokenizer  # noqa: E402
from attnscope_torch import AttnScopeTransformer, capture_attention  # noqa: E402
from export_torch import export_model  # noqa: E402
import kjv_corpus  # noqa: E402

LICENCE_NOTE = ("Trained on the King James Version of the Bible (1611; public domain in most of "
                "the world) as shipped in Debian's bible-kjv package (Bible Retrieval System, "
                "Chip Chapin); see models/README.md for the package legend.")
COUNTS_FILE = os.path.join(ROOT, "tests", "data", "kjv-train-counts.json")


# --------------------------------------------------------------------------
# Deterministic generator shared with the C++ test (64-bit LCG, Knuth's MMIX constants)
# --------------------------------------------------------------------------

class Lcg:
    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.x = (seed * 0x9E3779B97F4A7C15 + 1) & self.MASK

    def next(self, n: int) -> int:
        """Uniform-ish integer in [0, n)."""
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) & self.MASK
        return (self.x >> 33) % n


# --------------------------------------------------------------------------
# Shared evaluation
# --------------------------------------------------------------------------

def lm_windows(ids: Sequence[int], max_len: int, bos: int) -> List[Tuple[List[int], List[int]]]:
    """Consecutive chunks of max_len tokens; input = [bos] + chunk[:-1], target = chunk."""
    out = []
    for s in range(0, len(ids), max_len):
        chunk = list(ids[s:s + max_len])
        out.append(([bos] + chunk[:-1], chunk))
    return out


@torch.no_grad()
def lm_perplexity(model, ids: Sequence[int], max_len: int, bos: int) -> float:
    nll, n = 0.0, 0
    for inp, tgt in lm_windows(ids, max_len, bos):
        logits = model(torch.tensor(inp)).double()
        nll += float(F.cross_entropy(logits, torch.tensor(tgt), reduction="sum"))
        n += len(tgt)
    return math.exp(nll / n)


def unigram_perplexity(counts: Dict[str, int], vocab: Sequence[str], text_tokens: Sequence[str]) -> float:
    """Add-one smoothed unigram over the non-special vocabulary entries listed in counts' keys."""
    total = sum(counts.values()) + len(counts)
    nll = 0.0
    for t in text_tokens:
        nll -= math.log((counts.get(t, 0) + 1) / total)
    return math.exp(nll / len(text_tokens))


@torch.no_grad()
def attention_of(model, ids: Sequence[int], stack: str) -> List[np.ndarray]:
    """Per layer: [H, T, T] attention for one sequence."""
    with capture_attention(model) as rec:
        model(torch.tensor(ids))
    n_layers = model.arch["decoder_layers" if stack == "decoder" else "encoder_layers"]
    return [rec.last(stack, l)[0].numpy() for l in range(n_layers)]


def prev_token_scores(model, sequences: Sequence[Sequence[int]], stack: str = "decoder") -> np.ndarray:
    """[L, H]: mean over all sequences and i >= 1 of A[i, i-1]."""
    tot, n = None, 0
    for ids in sequences:
        att = np.stack(attention_of(model, ids, stack))          # [L, H, T, T]
        t = att.shape[-1]
        v = att[:, :, np.arange(1, t), np.arange(0, t - 1)].sum(-1)
        tot = v if tot is None else tot + v
        n += t - 1
    return tot / n


def induction_sequences(n: int, seeds: Sequence[int], token_ids: Sequence[int]) -> List[List[int]]:
    out = []
    for seed in seeds:
        g = Lcg(seed)
        r = [token_ids[g.next(len(token_ids))] for _ in range(n)]
        out.append(r + r)
    return out


def induction_scores(model, n: int, seeds: Sequence[int], token_ids: Sequence[int], bos: int) -> np.ndarray:
    """[L, H]: the sequence [bos] + r + r (r: n random non-special tokens); position p = i + 1
    holds token i of r+r, so the score is the mean over i in [n, 2n) of A[i+1, i-n+2]."""
    tot, cnt = None, 0
    for seq in induction_sequences(n, seeds, token_ids):
        att = np.stack(attention_of(model, [bos] + seq, "decoder"))
        i = np.arange(n, 2 * n)
        v = att[:, :, i + 1, i - n + 2].sum(-1)
        tot = v if tot is None else tot + v
        cnt += n
    return tot / cnt


def mask_positions(ids: Sequence[int], maskable: Sequence[bool], g: Lcg, rate_pct: int = 15) -> List[int]:
    """Positions chosen for masking: each maskable position with probability rate_pct/100
    (g.next(100) < rate_pct); if none was chosen, the first maskable one chosen by g.next(count)."""
    cand = [i for i, m in enumerate(maskable) if m]
    chosen = [i for i in cand if g.next(100) < rate_pct]
    if not chosen and cand:
        chosen = [cand[g.next(len(cand))]]
    return chosen


# --------------------------------------------------------------------------
# LM
# --------------------------------------------------------------------------

LM_ARCH = {"type": "decoder", "d_model": 64, "n_heads": 4, "d_ff": 256, "encoder_layers": 0,
           "decoder_layers": 4, "activation": "gelu", "norm": "pre", "layer_norm_eps": 1e-5,
           "positional": "learned", "max_len": 128, "bias": True, "tied_output": True}
LM_INDUCTION_N, LM_INDUCTION_SEEDS = 32, (1, 2, 3, 4, 5)
LM_PREV_WINDOWS = 40          # held-out windows (from tests/data/kjv-heldout.txt) for previous-token scores


def lm_tokenizer(chars: Sequence[str]) -> Dict:
    vocab = ["<bos>", "<unk>"] + sorted(chars)
    return {"type": "char", "vocab": vocab, "special_tokens": {"bos": "<bos>", "unk": "<unk>"},
            "source_prefix": ["bos"]}


def make_lm_batch(stream: np.ndarray, rng: np.random.Generator, batch: int, T: int, bos: int,
                  plain_ids: np.ndarray, p_repeat: float, rep_min: int, rep_max: int,
                  p_copy: float, p_random: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Targets [B, T] and inputs [bos] + targets[:-1]. Each row is, with probability p_repeat,
    a block of rep_min..rep_max random non-special characters written again and again until
    the row is full (the same layout as the induction test, with 2+ copies); otherwise a KJV
    window, in which (p_copy) an earlier span of 8-40 characters is copied over a later part,
    or (p_random) a span of 8-40 random characters is written and repeated later."""
    starts = rng.integers(0, len(stream) - T, size=batch)
    chunks = np.stack([stream[s:s + T] for s in starts]).copy()       # [B, T] targets
    for b in range(batch):
        if rng.random() < p_repeat:
            n = int(rng.integers(rep_min, rep_max + 1))
            r = plain_ids[rng.integers(0, len(plain_ids), size=n)]
            chunks[b] = np.tile(r, T // n + 1)[:T]
            continue
        u = rng.random()
        if u < p_copy + p_random:
            L = int(rng.integers(8, 41))
            s = int(rng.integers(0, T - 2 * L + 1))
            d = int(rng.integers(s + L, T - L + 1))
            if u >= p_copy:       # a random-character span, written twice
                chunks[b, s:s + L] = plain_ids[rng.integers(0, len(plain_ids), size=L)]
            chunks[b, d:d + L] = chunks[b, s:s + L]
    tgt = torch.from_numpy(chunks).long()
    inp = torch.cat([torch.full((batch, 1), bos, dtype=torch.long), tgt[:, :-1]], dim=1)
    return inp, tgt


def train_lm(args) -> None:
    train, held = kjv_corpus.load()
    train_text = "\n".join(kjv_corpus.chapter_text(c) for c in train)
    held_text = "\n".join(kjv_corpus.chapter_text(c) for c in held)
    chars = sorted(set(train_text) | set(held_text))
    tok_spec = lm_tokenizer(chars)
    tok = Tokenizer(tok_spec)
    bos = tok.special_id("bos")
    stream = np.array(tok.encode(train_text), dtype=np.int64)
    held_ids = tok.encode(held_text)
    plain_ids = np.arange(2, len(tok_spec["vocab"]))
    T = LM_ARCH["max_len"]

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    arch = dict(LM_ARCH, positional=args.positional)
    model = AttnScopeTransformer.from_config(arch, tok_spec, dropout=0.0)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"lm: vocab {len(tok_spec['vocab'])}, {n_params} parameters, train {len(stream)} chars, "
          f"held-out {len(held_ids)} chars", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    warm = max(1, args.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))))
    t0, c0 = time.time(), time.process_time()
    model.train()
    for step in range(1, args.steps + 1):
        if args.eval_every and step % args.eval_every == 0:
            model.eval()
            ind = induction_scores(model, LM_INDUCTION_N, (1, 2), list(plain_ids), bos)
            model.train()
            l, h = np.unravel_index(int(ind.argmax()), ind.shape)
            print(f"  step {step}: best induction L{l}H{h} {ind[l, h]:.3f}", flush=True)
        inp, tgt = make_lm_batch(stream, rng, args.batch, T, bos, plain_ids, args.p_repeat, args.rep_min,
                                 args.rep_max, args.p_copy, args.p_random)
        logits = model(inp)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.log_every == 0 or step == args.steps:
            print(f"step {step}/{args.steps} loss {loss.item():.4f} ({time.time() - t0:.0f} s)", flush=True)
    train_seconds = time.time() - t0
    cpu_seconds = time.process_time() - c0
    print(f"training: {train_seconds:.0f} s wall, {cpu_seconds:.0f} s CPU", flush=True)
    model.eval()
    results = evaluate_lm(model, tok, tok_spec, train_text, held_ids)
    results["train_seconds"] = round(train_seconds, 1)
    results["train_cpu_seconds"] = round(cpu_seconds, 1)
    print(json.dumps(results, indent=1), flush=True)
    save_counts(lm_char_counts=collections.Counter(train_text))
    write_lm(model, tok_spec, args, results, n_params, T, warm,
             " ".join(["/usr/bin/python3", "tools/train_corpus.py"] + sys.argv[1:]))


def write_lm(model, tok_spec, args, results, n_params, T, warm, command) -> None:
    """Export tiny-lm with its card fields (description naming the heads, training metadata)."""
    examples = [{"text": t} for t in ("And God said", "In the beginning", "And Jesus answered and said unto them,",
                                      "The LORD is my shepherd;", "Blessed are the",
                                      "abcdefghij abcdefghij abcdefghij", "qzwxp jvkrm qzwxp jvkrm")]
    meta = {"training": {
        "command": command,
        "corpus": "King James Bible (Debian bible-kjv 4.38, `bible \"gen1:1-rev22:21\"`), verses one per line",
        "split": f"chapters numbered 0..1188 in canonical order; chapter k held out when k % {kjv_corpus.HELDOUT_MOD} == {kjv_corpus.HELDOUT_REM} (60 chapters)",
        "seed": args.seed, "steps": args.steps, "batch": args.batch, "sequence_length": T,
        "positional": args.positional,
        "optimizer": f"AdamW lr {args.lr}, betas (0.9, 0.98), weight decay 0.01, {warm} warm-up steps, cosine to 0.1x, grad clip 1.0",
        "data_mix": (f"per training row (128 targets, input <bos> + targets[:-1]): with p={args.p_repeat} a block of "
                     f"{args.rep_min}-{args.rep_max} uniformly random non-special characters repeated until the row is "
                     f"full (2-12 copies; teaches copying, so induction heads emerge); otherwise a random KJV window, "
                     f"in which with p={args.p_copy} an earlier span of 8-40 characters is copied over a later part "
                     f"and with p={args.p_random} a span of 8-40 random characters is written and repeated later"),
        "threads": args.threads, "train_seconds": results["train_seconds"],
        "train_cpu_seconds": results["train_cpu_seconds"], "parameters": n_params,
        "results_torch": results}}
    prev, ind = np.array(results["prev_token"]), np.array(results["induction"])
    il, ih = np.unravel_index(int(ind.argmax()), ind.shape)
    pl, ph = np.unravel_index(int(prev[:il].argmax()), prev[:il].shape) if il > 0 else (0, 0)
    n_ind = int((ind > 0.3).sum())
    desc = ("Character-level causal language model (4 layers x 4 heads, d_model 64, sinusoidal positions) "
            f"trained from scratch on the King James Bible. Layer {pl} head {ph} is a previous-token head "
            f"(score {prev[pl, ph]:.2f} on held-out text); layer {il} head {ih} is an induction head "
            f"(score {ind[il, ih]:.2f} on repeated random characters; {n_ind} heads score above 0.3) - "
            "type a random string twice to watch it copy. " + LICENCE_NOTE)
    export_model(model, tok_spec, args.out, name="Tiny KJV LM (char)", description=desc,
                 examples=examples, metadata=meta)
    print(f"wrote {args.out}: {os.path.getsize(args.out)} bytes", flush=True)


def evaluate_lm(model, tok, tok_spec, train_text, held_ids) -> Dict:
    bos = tok.special_id("bos")
    T = model.max_len
    counts = collections.Counter(train_text)
    vocab = tok_spec["vocab"]
    held_tokens = [vocab[i] for i in held_ids]
    res = {"val_perplexity_full_heldout": lm_perplexity(model, held_ids, T, bos),
           "unigram_perplexity_full_heldout": unigram_perplexity(counts, vocab, held_tokens)}
    with open(kjv_corpus.HELDOUT_FILE, encoding="utf-8") as f:
        small = f.read()
    small_ids = tok.encode(small)
    res["val_perplexity_test_file"] = lm_perplexity(model, small_ids, T, bos)
    res["unigram_perplexity_test_file"] = unigram_perplexity(counts, vocab, [vocab[i] for i in small_ids])
    wins = [inp for inp, _ in lm_windows(small_ids, T, bos)][:LM_PREV_WINDOWS]
    prev = prev_token_scores(model, wins)
    ind = induction_scores(model, LM_INDUCTION_N, LM_INDUCTION_SEEDS, list(range(2, len(vocab))), bos)
    res["prev_token"] = [[round(float(x), 4) for x in row] for row in prev]
    res["induction"] = [[round(float(x), 4) for x in row] for row in ind]
    for k in list(res):
        if isinstance(res[k], float):
            res[k] = round(res[k], 4)
    print("layer head prev-token induction")
    for l in range(prev.shape[0]):
        for h in range(prev.shape[1]):
            print(f"  {l} {h}  {prev[l, h]:.3f}  {ind[l, h]:.3f}")
    return res


def save_counts(**kv) -> None:
    data = {}
    if os.path.exists(COUNTS_FILE):
        with open(COUNTS_FILE, encoding="utf-8") as f:
            data = json.load(f)
    for k, v in kv.items():
        data[k] = dict(sorted(v.items())) if isinstance(v, dict) else v
    data["_about"] = ("Token counts over the training split of tools/kjv_corpus.py (written by "
                      "tools/train_corpus.py); used by tests/models/test_corpus_models.cpp for the baselines.")
    with open(COUNTS_FILE, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, ensure_ascii=False, indent=0, sort_keys=True)
        f.write("\n")


# --------------------------------------------------------------------------
# MLM
# --------------------------------------------------------------------------

MLM_ARCH = {"type": "encoder", "d_model": 128, "n_heads": 4, "d_ff": 256, "encoder_layers": 4,
            "decoder_layers": 0, "activation": "gelu", "norm": "pre", "layer_norm_eps": 1e-5,
            "positional": "learned", "max_len": 64, "bias": True, "tied_output": True}
MLM_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MLM_EVAL_SEED = 7
MLM_EVAL_VERSES = 400          # first N verses (lines) of tests/data/kjv-heldout.txt


def mlm_tokenizer(words: Sequence[str]) -> Dict:
    return {"type": "word", "lowercase": True, "split_punctuation": True,
            "vocab": MLM_SPECIALS + list(words),
            "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"},
            "source_prefix": ["cls"], "source_suffix": ["sep"]}


def mlm_encode(tok: Tokenizer, verse: str, max_len: int) -> List[int]:
    ids = tok.encode_source(verse)
    if len(ids) > max_len:
        ids = ids[:max_len - 1] + [ids[-1]]
    return ids


def mlm_eval_set(tok: Tokenizer, verses: Sequence[str], max_len: int, seed: int):
    """[(ids with [MASK] at chosen positions, [(pos, original id)])]: positions drawn by
    mask_positions over the non-special, non-[UNK] tokens; the LCG runs on across verses."""
    g = Lcg(seed)
    mask_id, unk = tok.special_id("mask"), tok.special_id("unk")
    out = []
    for v in verses:
        ids = mlm_encode(tok, v, max_len)
        maskable = [0 < i < len(ids) - 1 and ids[i] != unk for i in range(len(ids))]
        pos = mask_positions(ids, maskable, g)
        masked = list(ids)
        for p in pos:
            masked[p] = mask_id
        out.append((masked, [(p, ids[p]) for p in pos]))
    return out


@torch.no_grad()
def mlm_accuracy(model, eval_set) -> Tuple[float, int]:
    right = n = 0
    for masked, targets in eval_set:
        logits = model(torch.tensor(masked))
        for p, t in targets:
            right += int(int(torch.argmax(logits[p])) == t)
            n += 1
    return right / n, n


def train_mlm(args) -> None:
    train, held = kjv_corpus.load()
    train_verses = [v for _, vs in train for v in vs]
    held_verses = [v for _, vs in held for v in vs]
    base = Tokenizer({"type": "word", "lowercase": True, "split_punctuation": True, "vocab": ["x"],
                      "special_tokens": {}})
    counts = collections.Counter(t for v in train_verses for t in base.tokenize(v))
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:args.vocab]]
    tok_spec = mlm_tokenizer(words)
    tok = Tokenizer(tok_spec)
    covered = sum(counts[w] for w in words) / sum(counts.values())
    T = MLM_ARCH["max_len"]
    data = [mlm_encode(tok, v, T) for v in train_verses]
    pad, mask_id = tok.special_id("pad"), tok.special_id("mask")
    n_special = len(MLM_SPECIALS)
    V = len(tok_spec["vocab"])

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = AttnScopeTransformer.from_config(MLM_ARCH, tok_spec, dropout=0.0)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"mlm: vocab {V} (covers {covered:.3%} of training tokens), {n_params} parameters, "
          f"{len(data)} training verses", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    warm = max(1, args.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))))
    t0, c0 = time.time(), time.process_time()
    model.train()
    for step in range(1, args.steps + 1):
        idx = rng.integers(0, len(data), size=args.batch)
        L = max(len(data[i]) for i in idx)
        ids = torch.full((args.batch, L), pad, dtype=torch.long)
        for b, i in enumerate(idx):
            ids[b, :len(data[i])] = torch.tensor(data[i])
        padmask = ids == pad
        special = ids < n_special
        sel = torch.from_numpy(rng.random((args.batch, L)) < 0.15) & ~special
        r = torch.from_numpy(rng.random((args.batch, L)))
        inp = ids.clone()
        inp[sel & (r < 0.8)] = mask_id
        rnd = sel & (r >= 0.8) & (r < 0.9)
        inp[rnd] = torch.from_numpy(rng.integers(n_special, V, size=int(rnd.sum())))
        h = model.encode(inp.t(), src_key_padding_mask=padmask).transpose(0, 1)   # [B, L, d]
        loss = F.cross_entropy(model.head(h[sel]), ids[sel])      # output head only where needed
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.log_every == 0 or step == args.steps:
            print(f"step {step}/{args.steps} loss {loss.item():.4f} ({time.time() - t0:.0f} s)", flush=True)
    train_seconds = time.time() - t0
    cpu_seconds = time.process_time() - c0
    print(f"training: {train_seconds:.0f} s wall, {cpu_seconds:.0f} s CPU", flush=True)
    model.eval()

    top = words[0]
    top_id = tok_spec["vocab"].index(top)
    res = {}
    with open(kjv_corpus.HELDOUT_FILE, encoding="utf-8") as f:
        file_verses = [l for l in f.read().split("\n") if l.strip()][:MLM_EVAL_VERSES]
    for name, verses in (("full_heldout", held_verses), ("test_file", file_verses)):
        ev = mlm_eval_set(tok, verses, T, MLM_EVAL_SEED)
        acc, n = mlm_accuracy(model, ev)
        base_acc = sum(t == top_id for _, ts in ev for _, t in ts) / n
        res[f"masked_accuracy_{name}"] = round(acc, 4)
        res[f"most_frequent_baseline_{name}"] = round(base_acc, 4)
        res[f"masked_tokens_{name}"] = n
    res["most_frequent_token"] = top
    res["vocab_coverage_train"] = round(covered, 4)
    res["train_seconds"] = round(train_seconds, 1)
    res["train_cpu_seconds"] = round(cpu_seconds, 1)
    print(json.dumps(res, indent=1), flush=True)
    save_counts(mlm_most_frequent={"token": top, "count": counts[top]})

    examples = [{"text": t} for t in ("and god said unto [MASK]", "in the beginning god created the [MASK] and the earth.",
                                      "the lord is my [MASK]; i shall not want.", "and jesus [MASK] unto them,",
                                      "blessed are the [MASK] in spirit: for theirs is the kingdom of heaven.",
                                      "thou shalt love thy [MASK] as thyself.")]
    meta = {"training": {
        "command": "/usr/bin/python3 tools/train_corpus.py mlm",
        "corpus": "King James Bible (Debian bible-kjv 4.38), one verse per training example",
        "split": f"chapters numbered 0..1188; chapter k held out when k % {kjv_corpus.HELDOUT_MOD} == {kjv_corpus.HELDOUT_REM}",
        "vocabulary": f"the {args.vocab} most frequent lower-cased words/punctuation of the training split (ties by string) + 5 specials; covers {covered:.2%} of training tokens",
        "masking": "BERT style: 15% of non-special tokens selected; 80% -> [MASK], 10% random word, 10% unchanged; loss on selected",
        "seed": args.seed, "steps": args.steps, "batch": args.batch,
        "optimizer": f"AdamW lr {args.lr}, betas (0.9, 0.98), weight decay 0.01, {warm} warm-up steps, cosine to 0.1x, grad clip 1.0",
        "threads": 1, "train_seconds": res["train_seconds"], "parameters": n_params, "results_torch": res}}
    desc = ("Word-level BERT-style masked language model (encoder, 4 layers x 4 heads, d_model 128; "
            "lower-cased, punctuation split, %d-word vocabulary + [UNK]) trained from scratch on the "
            "King James Bible. Type [MASK] where a word is missing. " % args.vocab + LICENCE_NOTE)
    export_model(model, tok_spec, args.out, name="Tiny KJV MLM (word)", description=desc,
                 examples=examples, metadata=meta)
    print(f"wrote {args.out}: {os.path.getsize(args.out)} bytes", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description="Train tiny-lm / tiny-mlm on the KJV.")
    p.add_argument("task", choices=("lm", "mlm"))
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--p-repeat", type=float, default=0.5, help="lm: share of pure repeated-random rows")
    p.add_argument("--rep-min", type=int, default=10, help="lm: shortest repeated random block")
    p.add_argument("--rep-max", type=int, default=60, help="lm: longest repeated random block")
    p.add_argument("--p-copy", type=float, default=0.2, help="lm: share of KJV rows with a copied span")
    p.add_argument("--p-random", type=float, default=0.2, help="lm: share of KJV rows with a repeated random span")
    p.add_argument("--warmup", type=int, default=100, help="lm: warm-up steps")
    p.add_argument("--eval-every", type=int, default=0, help="lm: print the best induction score every N steps")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--vocab", type=int, default=3000)
    p.add_argument("--positional", choices=("learned", "sinusoidal"), default="sinusoidal", help="lm only")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    if a.task == "lm":
        a.steps = a.steps or 5500
        a.batch = a.batch or 16
        a.lr = a.lr or 3e-3
        a.out = a.out or os.path.join(ROOT, "models", "tiny-lm.json")
        train_lm(a)
    else:
        a.steps = a.steps or 1500
        a.batch = a.batch or 64
        a.lr = a.lr or 1e-3
        a.out = a.out or os.path.join(ROOT, "models", "tiny-mlm.json")
        train_mlm(a)


if __name__ == "__main__":
    main()
