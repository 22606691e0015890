#!/usr/bin/python3
"""Backward pass and integrated gradients: AttnScope's core/grad against torch autograd, same model,
same input, same threads, side by side in one run (docs/performance.md, "Gradients").

Usage: /usr/bin/python3 bench/compare_grad_torch.py [--model models/tiny-lm.json] [--tokens 64]
       [--bench build/bin/attnscope-grad-bench] [--repeats 20]

Torch runs the model file through tools/attnscope_torch.py (nn.Transformer modules, float32, one
thread: torch.set_num_threads(1) and OpenBLAS's own count, as bench/compare_torch.py). Rows:
forward + backward of the mean next-token cross-entropy with every weight's gradient; forward +
backward of one logit for the input embeddings only; integrated gradients with 32 midpoint steps
(torch: one forward + backward per step, as the engine; and, for reference, all 32 points as one
batch of 32). Medians of --repeats runs after one warm-up.
"""

import argparse
import ctypes
import os
import re
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
from attnscope_torch import load_model  # noqa: E402


def one_thread():
    torch.set_num_threads(1)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(1)
    except OSError:
        pass


def median_ms(repeats, fn):
    fn()
    t = []
    for _ in range(repeats):
        a = time.perf_counter()
        fn()
        t.append((time.perf_counter() - a) * 1e3)
    t.sort()
    return t[len(t) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "tiny-lm.json"))
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "attnscope-grad-bench"))
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    one_thread()
    model, _, doc = load_model(args.model)
    vocab = len(doc["tokenizer"]["vocab"])
    ids = [1 + (i * 7 + 3) % (vocab - 1) for i in range(args.tokens)]   # as grad_bench.cpp
    src = torch.tensor(ids)
    side = "encoder" if doc["architecture"]["type"] != "decoder" else "decoder"

    def train_step():
        model.zero_grad(set_to_none=True)
        logits = model(src)
        torch.nn.functional.cross_entropy(logits[:-1], src[1:]).backward()

    x0 = model.embed(src.unsqueeze(1), side)[:, 0, :].detach()
    orig = model.embed

    def logits_of(x):   # x (B, T, d) -> logits (B, T, V) with x replacing the embedding step
        model.embed = lambda ids_tb, s: x.transpose(0, 1)
        try:
            return model(src.unsqueeze(0).expand(x.shape[0], -1))
        finally:
            model.embed = orig

    def input_grad(x):
        x = x.clone().requires_grad_(True)
        logits_of(x.unsqueeze(0))[0, -1, 5].backward()
        return x.grad

    def ig_sequential():
        total = torch.zeros_like(x0)
        for k in range(32):
            total += input_grad((k + 0.5) / 32 * x0)
        return (x0 * total / 32).sum(dim=1)

    def ig_batched():
        alphas = ((torch.arange(32, dtype=x0.dtype) + 0.5) / 32).view(32, 1, 1)
        x = (alphas * x0).requires_grad_(True)
        logits_of(x)[:, -1, 5].sum().backward()
        return (x0 * x.grad.mean(dim=0)).sum(dim=1)

    rows = [("forward+backward, all weight gradients", median_ms(args.repeats, train_step)),
            ("forward+backward, input gradient only", median_ms(args.repeats, lambda: input_grad(x0))),
            ("integrated gradients, 32 steps", median_ms(args.repeats, ig_sequential))]
    batched = median_ms(args.repeats, ig_batched)
    ours = {}
    if os.path.exists(args.bench):
        out = subprocess.run([args.bench, args.model, "--tokens", str(args.tokens), "--repeats", str(args.repeats)],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"(.*): ([0-9.]+) ms$", line)
            if m:
                ours[m.group(1)] = float(m.group(2))
    keys = ["forward+backward (LM loss, all weight gradients)", "forward+backward (input gradient only)",
            "integrated gradients, 32 steps, 1 thread(s)"]
    print(f"{os.path.basename(args.model)}, {args.tokens} tokens, 1 thread, median of {args.repeats} (ms)")
    print(f"{'':42} {'AttnScope':>10} {'torch':>10} {'ratio':>7}")
    for (name, t), k in zip(rows, keys):
        a = ours.get(k)
        print(f"{name:42} {a if a is not None else float('nan'):10.3f} {t:10.3f} {t / a if a else float('nan'):6.1f}x")
    print(f"{'integrated gradients, torch batch of 32':42} {'':>10} {batched:10.3f}")
    if "integrated gradients, 32 steps, 2 thread(s)" in ours:
        print(f"{'integrated gradients, AttnScope 2 threads':42} {ours['integrated gradients, 32 steps, 2 thread(s)']:10.3f}")


if __name__ == "__main__":
    main()
