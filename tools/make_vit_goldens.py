#!/usr/bin/python3
"""Regenerate the ViT folder fixtures tests/data/hf/vit-*/ and their goldens
tests/data/golden/vit/vit-*.expected.json.

    /usr/bin/python3 tools/make_vit_goldens.py

Three random-initialised (seeded) ViTs written as Hugging Face writes them (config.json,
model.safetensors with the checkpoint names, preprocessor_config.json):

* vit-grid3x5: ViTForImageClassification, RGB 6 × 10 images, patch 2: a non-square 3 × 5 grid.
* vit-1head-bare: a bare ViTModel (pooler weights stored, to be ignored), 1 head, grey 9 × 9
  images with 4 × 2 patches: a 2 × 4 grid that leaves the last row and column unread (the
  convolution floors), qkv_bias false.
* vit-patch1: patch 1 on 5 × 5 RGB images (25 patches + [CLS]), layer_norm_eps 1e-6.

The goldens hold fixed float pixel values (seeded randn, shape [C][H][W]) and what the
reference (tools/vit_reference.py, Hugging Face's ViT semantics, never the engine) computes on
them in float32: ``attention`` [layer][head][T][T] and ``logits`` [K] (classifier models) or
``hidden`` [T][d] (bare model). The same run in float64 must stay within half of each tolerance.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from vit_reference import build, load_folder, preprocessor_config, save_folder, vit_config  # noqa: E402

ROOT = os.path.dirname(HERE)
OUT_HF = os.path.join(ROOT, "tests", "data", "hf")
OUT_GOLDEN = os.path.join(ROOT, "tests", "data", "golden", "vit")
TOLERANCE = {"attention": 1e-5, "logits": 1e-4, "hidden": 1e-4}
BUDGET = 0.5

torch.set_num_threads(1)

CASES = [
    dict(name="vit-grid3x5", seed=11, hidden_size=24, heads=4, layers=2, intermediate=48, image_size=[6, 10],
         patch_size=2, channels=3, labels=["cat", "dog", "bird", "fish", "frog"], eps=1e-12, qkv_bias=True),
    dict(name="vit-1head-bare", seed=12, hidden_size=8, heads=1, layers=2, intermediate=20, image_size=9,
         patch_size=[4, 2], channels=1, labels=None, eps=1e-12, qkv_bias=False),
    dict(name="vit-patch1", seed=13, hidden_size=12, heads=3, layers=1, intermediate=24, image_size=5,
         patch_size=1, channels=3, labels=["a", "b", "c"], eps=1e-6, qkv_bias=True),
]


def randomise(model: torch.nn.Module, gen: torch.Generator) -> None:
    """Seeded normal weights (std 0.3, LayerNorm weights around 1) so attention is far from uniform."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "layernorm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * noise)
            else:
                p.copy_(0.3 * noise if "position" not in name and "cls" not in name else noise)


def run(model: torch.nn.Module, x: torch.Tensor):
    out, attentions = model(x[None])
    return out[0], [a[0] for a in attentions]


def main() -> None:
    os.makedirs(OUT_GOLDEN, exist_ok=True)
    for case in CASES:
        gen = torch.Generator().manual_seed(case["seed"])
        cfg = vit_config(hidden_size=case["hidden_size"], heads=case["heads"], layers=case["layers"],
                         intermediate=case["intermediate"], image_size=case["image_size"],
                         patch_size=case["patch_size"], channels=case["channels"], labels=case["labels"],
                         eps=case["eps"], qkv_bias=case["qkv_bias"])
        model = build(cfg)
        randomise(model, gen)
        folder = os.path.join(OUT_HF, case["name"])
        shutil.rmtree(folder, ignore_errors=True)
        size = case["image_size"] if isinstance(case["image_size"], list) else [case["image_size"]] * 2
        save_folder(folder, cfg, model, preprocessor_config((size[0], size[1]), channels=case["channels"]))
        cfg, ref = load_folder(folder)
        c, h, w = case["channels"], size[0], size[1]
        cases = []
        for k in range(2):
            x = torch.randn((c, h, w), generator=gen, dtype=torch.float32)
            with torch.no_grad():
                out32, att32 = run(ref, x)
                ref64 = load_folder(folder)[1].double()
                out64, att64 = run(ref64, x.double())
            d_att = max((a - b).abs().max().item() for a, b in zip(att32, att64))
            d_out = (out32.double() - out64).abs().max().item()
            key = "logits" if cfg.get("id2label") else "hidden"
            if d_att > BUDGET * TOLERANCE["attention"] or d_out > BUDGET * TOLERANCE[key]:
                raise SystemExit(f"{case['name']}: float32 vs float64 {d_att:.2e} / {d_out:.2e} exceeds the budget")
            entry = {"pixel_values": x.tolist(), "attention": [a.tolist() for a in att32], key: out32.tolist(),
                     "float64_delta": {"attention": d_att, key: d_out}}
            cases.append(entry)
            print(f"{case['name']} case {k}: float64 delta attention {d_att:.1e}, {key} {d_out:.1e}")
        with open(os.path.join(OUT_GOLDEN, case["name"] + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump({"folder": case["name"], "tolerance": TOLERANCE, "cases": cases}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
