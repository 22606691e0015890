#!/usr/bin/env python3
"""A SmolLM-135M-shaped Llama folder side by side with torch, in one run: the forward pass at 512
tokens, AttnScope (build/bin/attnscope-bench --hf) next to the torch reference modules of
tools/make_llama_goldens.py (the ones the Llama goldens come from) at the same thread counts.

Usage: /usr/bin/python3 bench/compare_llama.py [--bench build/bin/attnscope-bench] [--threads 2]
       [--tokens 512] [--cache build/bench-hf]
Shape (SmolLM-135M): 30 layers, d 576, 9 heads, 3 key/value heads, d_ff 1536, vocab 49152, tied
embeddings, RMSNorm, RoPE θ 10000, SwiGLU. The folder is random-initialised (seeded) and written
once into --cache (about 540 MB, F32; not committed). Needs Debian's python3-torch and
libopenblas0-pthread. Load averages are printed before and after: figures from a busy machine
are not comparable.
"""
import argparse
import ctypes
import json
import os
import re
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import make_llama_goldens as ref  # noqa: E402
from make_hf_goldens import write_weights  # noqa: E402

SMOLLM_135M = ref.llama_cfg("llama", "LlamaForCausalLM", 576, 9, 3, 30, 1536, 49152, 2048,
                            tie_word_embeddings=True, rms_norm_eps=1e-5)


def write_folder(path):
    if os.path.exists(os.path.join(path, "model.safetensors")):
        return
    os.makedirs(path, exist_ok=True)
    torch.manual_seed(0)
    model = ref.build(SMOLLM_135M)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("norm.weight"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02)
    write_weights(path, {k: v.contiguous() for k, v in model.state_dict().items()}, 1)
    with open(os.path.join(path, "config.json"), "w", encoding="utf-8") as f:
        json.dump(SMOLLM_135M, f, indent=2)


def ours(bench, folder, threads, tokens, forwards):
    env = dict(os.environ, ATTNSCOPE_THREADS=str(threads))
    out = subprocess.run([bench, "--hf=" + folder, "--loads=1", f"--forwards={forwards}", f"--tokens={tokens}"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"forward_ms (\w+) tokens \d+ threads \d+ min ([\d.]+) median ([\d.]+)", out)}


def blas_threads(threads):
    torch.set_num_threads(threads)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(threads)
    except (OSError, AttributeError):
        pass


def torch_forward(folder, threads, tokens, forwards):
    blas_threads(threads)
    _, model = ref.load_reference(folder)
    ids = torch.randint(0, SMOLLM_135M["vocab_size"], (tokens,), generator=torch.Generator().manual_seed(7)).tolist()
    times = []
    with torch.no_grad():
        model(ids)
        for _ in range(forwards):
            t0 = time.perf_counter()
            model(ids)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[0], times[len(times) // 2]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=os.path.join(root, "build", "bin", "attnscope-bench"))
    p.add_argument("--cache", default=os.path.join(root, "build", "bench-hf"))
    p.add_argument("--threads", type=int, nargs="+", default=[2])
    p.add_argument("--tokens", type=int, default=512)
    p.add_argument("--forwards", type=int, default=5)
    a = p.parse_args()
    print("load average before:", os.getloadavg())
    folder = os.path.join(a.cache, "smollm-135m-f32")
    write_folder(folder)
    for threads in a.threads:
        fwd = ours(a.bench, folder, threads, a.tokens, a.forwards)
        tmin, tmed = torch_forward(folder, threads, a.tokens, a.forwards)
        for capture, (omin, omed) in fwd.items():
            print(f"smollm-135m {a.tokens} tokens, {threads} thread(s), capture {capture}: ours min {omin:.1f} "
                  f"median {omed:.1f} ms; torch min {tmin:.1f} median {tmed:.1f} ms; ratio {omin / tmin:.2f}")
    print("load average after:", os.getloadavg())


if __name__ == "__main__":
    main()
