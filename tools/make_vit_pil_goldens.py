#!/usr/bin/python3
"""PIL's own resize results for AttnScope's preprocessing test (tests/data/vit/pil-resize.json).

    /usr/bin/python3 tools/make_vit_pil_goldens.py        # needs python3-pil

Seeded random 8-bit images (grey "L" and "RGB"; values spread over 0..255 with hard edges so
that bicubic overshoot is clipped) are resized by PIL's Image.resize (no box, no reducing_gap:
what Hugging Face's image processors call) with NEAREST, BILINEAR and BICUBIC, shrinking,
enlarging and mixed; and single-channel float ("F") images likewise. The 8-bit outputs are
bytes, the float ones float32. core.test_vit requires the 8-bit results to be equal and reports
the float path's largest difference. Also writes the source images as PNGs for the CLI tests.
"""

from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "vit")

FILTERS = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
# (name, mode, (width, height) in, (width, height) out)
SHAPES = [
    ("rgb-shrink", "RGB", (17, 13), (8, 8)),
    ("rgb-enlarge", "RGB", (5, 7), (12, 9)),
    ("grey-mixed", "L", (20, 6), (7, 10)),
    ("grey-big-shrink", "L", (64, 48), (8, 8)),
    ("rgb-same", "RGB", (6, 4), (6, 4)),
]


def image_u8(rng: np.random.Generator, mode: str, size) -> np.ndarray:
    w, h = size
    c = 3 if mode == "RGB" else 1
    base = rng.integers(0, 256, size=(h, w, c))
    base[rng.random((h, w)) < 0.3] = 255  # hard edges: bicubic overshoots and PIL clips
    base[rng.random((h, w)) < 0.2] = 0
    return base.astype(np.uint8)


def main() -> None:
    rng = np.random.default_rng(7)
    cases = []
    for name, mode, size_in, size_out in SHAPES:
        arr = image_u8(rng, mode, size_in)
        img = Image.fromarray(arr[:, :, 0] if mode == "L" else arr, mode)
        if name == "rgb-shrink":
            img.save(os.path.join(OUT, "rgb-17x13.png"))
        for fname, f in FILTERS.items():
            out = np.asarray(img.resize(size_out, resample=f))
            out = out[:, :, None] if out.ndim == 2 else out
            cases.append({"name": f"{name}-{fname}", "filter": fname, "eight_bit": True,
                          "input": arr.transpose(2, 0, 1).reshape(-1).tolist(),
                          "channels": int(arr.shape[2]), "in": [size_in[1], size_in[0]],
                          "out": [size_out[1], size_out[0]],
                          "expected": out.transpose(2, 0, 1).reshape(-1).tolist()})
    for name, size_in, size_out in [("float-shrink", (11, 9), (4, 5)), ("float-enlarge", (3, 4), (7, 6))]:
        arr = rng.standard_normal((size_in[1], size_in[0])).astype(np.float32)
        img = Image.fromarray(arr, "F")
        for fname in ("bilinear", "bicubic"):
            out = np.asarray(img.resize(size_out, resample=FILTERS[fname]), dtype=np.float32)
            cases.append({"name": f"{name}-{fname}", "filter": fname, "eight_bit": False,
                          "input": [float(v) for v in arr.reshape(-1)], "channels": 1,
                          "in": [size_in[1], size_in[0]], "out": [size_out[1], size_out[0]],
                          "expected": [float(v) for v in out.reshape(-1)]})
    with open(os.path.join(OUT, "pil-resize.json"), "w", encoding="utf-8") as fh:
        json.dump({"pillow": Image.__version__, "cases": cases}, fh)
        fh.write("\n")
    print(len(cases), "cases; Pillow", Image.__version__)


if __name__ == "__main__":
    main()
