#!/usr/bin/env python3
"""Hugging Face folders side by side with torch, in one run: load time of a GPT-2-small-shaped
folder (124 M parameters) in F32 and F16, and the forward pass of a BERT-base-shaped folder at
128 tokens, AttnScope (build/bin/attnscope-bench --hf) next to the torch reference of
tools/hf_reference.py (the modules the goldens come from) at the same thread counts.

Usage: /usr/bin/python3 bench/compare_hf.py [--bench build/bin/attnscope-bench] [--threads 1 2]
       [--cache build/bench-hf]
The folders are random-initialised (seeded) and written once into --cache (about 1.3 GB; not
committed). Load figures are from the page cache (the folder was just written or read): the
engine's own work, not the disk's. Needs Debian's python3-torch and libopenblas0-pthread.
Load averages are printed before and after: figures from a busy machine are not comparable.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import hf_reference as ref  # noqa: E402

GPT2_SMALL = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 768, "n_head": 12,
              "n_layer": 12, "n_positions": 1024, "n_ctx": 1024, "n_inner": None, "vocab_size": 50257,
              "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5}
BERT_BASE = {"model_type": "bert", "architectures": ["BertForMaskedLM"], "hidden_size": 768,
             "num_attention_heads": 12, "num_hidden_layers": 12, "intermediate_size": 3072,
             "hidden_act": "gelu", "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
             "type_vocab_size": 2, "vocab_size": 30522, "pad_token_id": 0, "position_embedding_type": "absolute"}


TOKENIZERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "tokenizers")


def add_tokenizer(path, cfg):
    # The real GPT-2 / BERT uncased tokenizers (tests/data/tokenizers, with their licences), so the
    # load time includes reading them as a user's folder would.
    files = ["tokenizer.json"] if cfg["model_type"] == "bert" else ["vocab.json", "merges.txt"]
    source = os.path.join(TOKENIZERS, "bert-base-uncased" if cfg["model_type"] == "bert" else "gpt2")
    for f in files:
        if not os.path.exists(os.path.join(path, f)):
            shutil.copy(os.path.join(source, f), os.path.join(path, f))


def write_folder(path, cfg, dtype):
    if os.path.exists(os.path.join(path, "model.safetensors")):
        add_tokenizer(path, cfg)
        return
    os.makedirs(path, exist_ok=True)
    torch.manual_seed(0)
    model = ref.build_model(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    state = {k: v.to(dtype) for k, v in model.state_dict().items() if not k.startswith("cls.predictions.decoder")}
    if cfg["model_type"] == "bert":
        state = {("bert." + k if not k.startswith("cls.") and not k.startswith("bert.") else k): v for k, v in state.items()}
    ref.write_safetensors(os.path.join(path, "model.safetensors"), state)
    with open(os.path.join(path, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
    add_tokenizer(path, cfg)


def ours(bench, folder, threads, tokens):
    env = dict(os.environ, ATTNSCOPE_THREADS=str(threads))
    out = subprocess.run([bench, "--hf=" + folder, "--loads=5", "--forwards=20", "--tokens=" + str(tokens)],
                         env=env, check=True, capture_output=True, text=True).stdout
    load = re.search(r"load_ms min ([\d.]+) median ([\d.]+)", out)
    fwd = {m.group(1): (float(m.group(2)), float(m.group(3)))
           for m in re.finditer(r"forward_ms (\w+) tokens \d+ threads \d+ min ([\d.]+) median ([\d.]+)", out)}
    return (float(load.group(1)), float(load.group(2))), fwd


def blas_threads(threads):
    # As bench/compare_torch.py: torch.set_num_threads does not reach Debian's OpenBLAS, which
    # would otherwise run every sgemm on all cores.
    torch.set_num_threads(threads)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(threads)
    except (OSError, AttributeError):
        pass


def torch_forward(folder, threads, tokens):
    blas_threads(threads)
    _, model, _ = ref.load_folder(folder)
    ids = torch.randint(0, 30522, (tokens,), generator=torch.Generator().manual_seed(7)).tolist()
    times = []
    with torch.no_grad():
        model(ids)
        for _ in range(10):
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
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--tokens", type=int, default=128)
    a = p.parse_args()
    print("load average before:", os.getloadavg())
    gpt2_f32 = os.path.join(a.cache, "gpt2-small-f32")
    gpt2_f16 = os.path.join(a.cache, "gpt2-small-f16")
    bert = os.path.join(a.cache, "bert-base-f32")
    write_folder(gpt2_f32, GPT2_SMALL, torch.float32)
    write_folder(gpt2_f16, GPT2_SMALL, torch.float16)
    write_folder(bert, BERT_BASE, torch.float32)
    for folder in (gpt2_f32, gpt2_f16):
        (lmin, lmed), _ = ours(a.bench, folder, 1, 8)
        print(f"load {os.path.basename(folder)}: min {lmin:.0f} ms, median {lmed:.0f} ms")
    for threads in a.threads:
        _, fwd = ours(a.bench, bert, threads, a.tokens)
        tmin, tmed = torch_forward(bert, threads, a.tokens)
        for capture, (omin, omed) in fwd.items():
            print(f"bert-base {a.tokens} tokens, {threads} thread(s), capture {capture}: ours min {omin:.1f} "
                  f"median {omed:.1f} ms; torch min {tmin:.1f} median {tmed:.1f} ms; ratio {omin / tmin:.2f}")
    print("load average after:", os.getloadavg())


if __name__ == "__main__":
    main()
