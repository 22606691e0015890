#!/usr/bin/python3
"""Train the shipped ViT on scikit-learn's 8×8 handwritten digits and save it as a Hugging Face
folder (models/hf/vit-digits) plus the fixed split (tests/data/vit-digits/).

    /usr/bin/python3 tools/train_vit_digits.py        # needs python3-torch, python3-sklearn

Data: sklearn.datasets.load_digits (1,797 images, 8×8, values 0..16; the UCI "Optical
Recognition of Handwritten Digits" test set, shipped with scikit-learn under BSD-3-Clause).
Pixels are stored as 8-bit grey, round(v · 255 / 16), ink bright on a black background, and go
through exactly the preprocessing of the folder's preprocessor_config.json (8×8, no resize;
rescale 1/255; normalise mean 0.5, std 0.5), as the C++ engine applies it.

Split: sklearn's train_test_split(test_size=0.2, random_state=0, stratify=labels): 1,437 train,
360 held out, written with the held-out pixels to tests/data/vit-digits/heldout.json. The model
is the reference module of tools/vit_reference.py (Hugging Face's ViT semantics). Training:
AdamW, cosine schedule, random ±1 pixel shifts; seeded, one torch thread; about a minute.
"""

from __future__ import annotations

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from vit_reference import preprocessor_config, save_folder, vit_config, build  # noqa: E402

ROOT = os.path.dirname(HERE)
MODEL_DIR = os.path.join(ROOT, "models", "hf", "vit-digits")
DATA_DIR = os.path.join(ROOT, "tests", "data", "vit-digits")
SEED = 0
EPOCHS = int(os.environ.get("VIT_EPOCHS", "200"))
BATCH = 64
LR = 2e-3
WEIGHT_DECAY = 0.05

torch.set_num_threads(1)


def to_u8(images: np.ndarray) -> np.ndarray:
    return np.round(images.astype(np.float64) * 255.0 / 16.0).astype(np.uint8)


def pixel_values(u8: np.ndarray) -> torch.Tensor:
    """(B, 8, 8) uint8 -> (B, 1, 8, 8) float32 as ViTImageProcessor computes it."""
    x = (u8.astype(np.float64) * 0.00392156862745098).astype(np.float32)
    x = (x - np.float32(0.5)) / np.float32(0.5)
    return torch.from_numpy(x[:, None, :, :].copy())


def shift(batch: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random translation by -1..1 pixels per image, background (-1 after normalising) filled in."""
    out = torch.full_like(batch, -1.0)
    padded = F.pad(batch, (1, 1, 1, 1), value=-1.0)
    offsets = torch.randint(0, 3, (batch.shape[0], 2), generator=gen)
    for i in range(batch.shape[0]):
        dy, dx = int(offsets[i, 0]), int(offsets[i, 1])
        out[i] = padded[i, :, dy:dy + 8, dx:dx + 8]
    return out


def main() -> None:
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    digits = load_digits()
    images, labels = to_u8(digits.images), digits.target.astype(np.int64)
    idx = np.arange(len(labels))
    train_idx, test_idx = train_test_split(idx, test_size=0.2, random_state=0, stratify=labels)
    cfg = vit_config(hidden_size=64, heads=4, layers=4, intermediate=128, image_size=8, patch_size=2, channels=1,
                     labels=[str(i) for i in range(10)], eps=1e-6)
    model = build(cfg)
    xtr, ytr = pixel_values(images[train_idx]), torch.from_numpy(labels[train_idx])
    xte, yte = pixel_values(images[test_idx]), torch.from_numpy(labels[test_idx])
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = math.ceil(len(train_idx) / BATCH)
    total = EPOCHS * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 200) * 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(train_idx), generator=gen)
        for b in range(steps_per_epoch):
            sel = perm[b * BATCH:(b + 1) * BATCH]
            logits, _ = model(shift(xtr[sel], gen))
            loss = F.cross_entropy(logits, ytr[sel], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if epoch % 20 == 19 or epoch == EPOCHS - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(xte)[0].argmax(-1) == yte).float().mean().item()
            print(f"epoch {epoch + 1}: loss {loss.item():.3f} held-out accuracy {acc:.4f}", flush=True)
    model.eval()
    save_folder(MODEL_DIR, cfg, model, preprocessor_config((8, 8), resample=2, channels=1))
    os.makedirs(DATA_DIR, exist_ok=True)
    with open(os.path.join(DATA_DIR, "heldout.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "sklearn.datasets.load_digits (BSD-3-Clause), see README.md",
                   "split": "train_test_split(test_size=0.2, random_state=0, stratify=target)",
                   "pixels": "8x8 uint8 row-major, round(v * 255 / 16), ink bright",
                   "train_indices": [int(i) for i in train_idx],
                   "indices": [int(i) for i in test_idx],
                   "labels": [int(labels[i]) for i in test_idx],
                   "images": [[int(v) for v in images[i].reshape(-1)] for i in test_idx]}, f, separators=(",", ":"))
        f.write("\n")
    print("saved", MODEL_DIR)


if __name__ == "__main__":
    main()
