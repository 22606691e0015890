#!/usr/bin/python3
"""Writes a GPT-2-small-shaped model with random weights (12 causal layers, d_model 768, 12 heads,
d_ff 3072, word vocabulary of 50257, learned positions up to 2048, tied output: 125 M
parameters) as OUT.json + OUT.safetensors through tools/export_torch.py's safetensors sidecar.
For the load-time and long-input memory figures in docs/performance.md; never committed (500 MB).
Usage: /usr/bin/python3 bench/make_large_model.py OUT.json [--max-len 2048]"""
import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import torch  # noqa: E402
from attnscope_torch import AttnScopeTransformer  # noqa: E402
from export_torch import export_model  # noqa: E402

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--max-len", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=50257)
    args = p.parse_args()
    torch.manual_seed(124)
    torch.set_num_threads(1)
    arch = {"type": "decoder", "d_model": 768, "n_heads": 12, "d_ff": 3072, "encoder_layers": 0,
            "decoder_layers": 12, "activation": "gelu", "norm": "pre", "layer_norm_eps": 1e-5,
            "positional": "learned", "max_len": args.max_len, "bias": True, "tied_output": True,
            "scale_embeddings": False, "final_norm": True}
    specials = ["<pad>", "<unk>", "<s>", "</s>"]
    vocab = specials + [f"w{i}" for i in range(args.vocab - len(specials))]
    tokenizer = {"type": "word", "vocab": vocab, "source_prefix": ["bos"],
                 "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"}}
    t0 = time.time()
    model = AttnScopeTransformer.from_config(arch, tokenizer)
    model.tie_weights()
    model.eval()
    export_model(model, tokenizer, args.out, name="gpt2-small-random",
                 description="GPT-2-small shape, random weights (bench/make_large_model.py)",
                 examples=[{"text": " ".join(f"w{i}" for i in range(8))}], encoding="safetensors")
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out} and its .safetensors: {n / 1e6:.1f} M parameters in {time.time() - t0:.1f} s")
