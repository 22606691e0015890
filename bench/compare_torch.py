#!/usr/bin/env python3
"""Side-by-side timing: AttnScope's engine (build/bin/attnscope-bench) and PyTorch on the same
shapes, in one run. Prints our time, torch's time, the ratio, GFLOP/s and the share of the
machine's SGEMM peak (measured here with torch.mm 2048^3 on one thread).

Usage: /usr/bin/python3 bench/compare_torch.py [--bench build/bin/attnscope-bench] [--threads 1 2]
Needs Debian's python3-torch and libopenblas0-pthread (without OpenBLAS torch is ~15x slower).
Shapes must match bench/bench_models.h. The engine's thread count goes in ATTNSCOPE_THREADS
(its BLAS threads, src/core/gemm.h); torch's through torch.set_num_threads and, because torch
leaves OpenBLAS alone, openblas_set_num_threads. The "linear" rows
time one Linear layer (x·Wᵀ + b) of the given M×K×N in both. Load averages are printed before
and after: wall-clock figures on a busy machine are not comparable with idle ones.
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from attnscope_torch import AttnScopeTransformer, capture_attention  # noqa: E402

SHAPES = {
    # name: (type, d_model, heads, d_ff, layers, tokens, vocab)
    "tiny": ("encoder", 64, 4, 256, 2, 32, 128),
    "gpt2-small": ("decoder", 768, 12, 3072, 12, 128, 256),
}


def flops(shape, tokens):
    _, d, _, f, layers, _, vocab = shape
    t = tokens
    return layers * 2.0 * (4 * t * d * d + 2 * t * d * f + 2 * t * t * d) + 2.0 * t * d * vocab


def blas_threads(threads):
    """torch.set_num_threads does not reach Debian's OpenBLAS (torch sees a "generic" BLAS), which
    otherwise runs every sgemm on all cores: set its threads directly so "1 thread" means one."""
    torch.set_num_threads(threads)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(threads)
    except (OSError, AttributeError):
        pass


def torch_model(shape):
    kind, d, h, f, layers, tokens, vocab = shape
    arch = {"type": kind, "d_model": d, "n_heads": h, "d_ff": f,
            "encoder_layers": layers if kind == "encoder" else 0,
            "decoder_layers": layers if kind == "decoder" else 0,
            "activation": "gelu", "norm": "pre", "layer_norm_eps": 1e-5,
            "positional": "learned", "max_len": max(tokens, 128), "bias": True,
            "tied_output": False, "final_norm": True}
    return AttnScopeTransformer(arch, vocab).eval()


def time_call(fn, min_time):
    fn()  # warm-up
    runs, start = 0, time.perf_counter()
    best = float("inf")
    while time.perf_counter() - start < min_time or runs < 5:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best


def torch_forward_time(name, threads, capture):
    blas_threads(threads)
    shape = SHAPES[name]
    model = torch_model(shape)
    ids = torch.randint(0, shape[6], (shape[5],))
    with torch.no_grad():
        if capture:
            def fn():
                with capture_attention(model):
                    model(ids)
        else:
            def fn():
                model(ids)
        return time_call(fn, 2.0 if name == "tiny" else 6.0)


def sgemm_peak():
    blas_threads(1)
    a = torch.randn(2048, 2048)
    b = torch.randn(2048, 2048)
    t = time_call(lambda: torch.mm(a, b), 3.0)
    return 2 * 2048 ** 3 / t / 1e9


# The GPT-2 projection shapes (M tokens, K in, N out) and the tiny model's, as in engine_bench's BM_Linear.
GEMMS = [(128, 768, 2304), (128, 768, 3072), (128, 3072, 768), (32, 64, 192), (32, 256, 64)]


def torch_linear_time(m, k, n, threads):
    blas_threads(threads)
    x, w, b = torch.randn(m, k), torch.randn(n, k), torch.randn(n)
    with torch.no_grad():
        return time_call(lambda: torch.nn.functional.linear(x, w, b), 1.0)


def ours(bench, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), ATTNSCOPE_THREADS=str(threads))
    out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_filter=BM_(Tiny|Gpt2|Linear)",
                          "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"],
                         env=env, check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        unit = {"us": 1e-6, "ms": 1e-3, "ns": 1e-9}[b["time_unit"]]
        name = b["run_name"]
        result[name if name.startswith("BM_Linear") else name.split("/")[0]] = b["real_time"] * unit
    return result


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=os.path.join(root, "build", "bin", "attnscope-bench"))
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    # Our runs first, before torch has run anything in this process: torch's and OpenBLAS's idle
    # worker threads can still hold a core while the engine's benchmark runs (the tiny forward
    # measured 156-183 us after the peak measurement, 121-130 us on its own).
    mine_by_threads = {threads: ours(args.bench, threads) for threads in args.threads}
    peak = sgemm_peak()
    print("torch %s, SGEMM 2048^3 on 1 thread: %.1f GFLOP/s (the practical peak below)" % (torch.__version__, peak))
    rows = [("tiny", "BM_TinyFull", True), ("tiny", "BM_TinyNoCapture", False),
            ("gpt2-small", "BM_Gpt2Attention", True), ("gpt2-small", "BM_Gpt2NoCapture", False)]
    print("%-11s %-8s %3s %12s %12s %7s %9s %7s" % ("shape", "capture", "thr", "attnscope", "torch",
                                                    "ratio", "GFLOP/s", "peak%"))
    for threads in args.threads:
        mine = mine_by_threads[threads]
        for name, bench_name, capture in rows:
            t_ours = mine[bench_name]
            t_torch = torch_forward_time(name, threads, capture)
            gf = flops(SHAPES[name], SHAPES[name][5]) / t_ours / 1e9
            fmt = (lambda s: "%9.1f us" % (s * 1e6)) if name == "tiny" else (lambda s: "%9.1f ms" % (s * 1e3))
            print("%-11s %-8s %3d %12s %12s %6.2fx %9.1f %6.0f%%" % (
                name, "weights" if capture else "none", threads, fmt(t_ours), fmt(t_torch),
                t_ours / t_torch, gf, 100 * gf / (peak * threads)))
        for m, k, n in GEMMS:
            key = "BM_Linear/%d/%d/%d" % (m, k, n)
            if key not in mine:
                continue
            t_ours, t_torch = mine[key], torch_linear_time(m, k, n, threads)
            gf = 2.0 * m * k * n / t_ours / 1e9
            print("%-20s %3d %9.1f us %9.1f us %6.2fx %9.1f %6.0f%%" % (
                "linear %dx%dx%d" % (m, k, n), threads, t_ours * 1e6, t_torch * 1e6, t_ours / t_torch, gf,
                100 * gf / (peak * threads)))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
