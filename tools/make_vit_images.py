#!/usr/bin/python3
"""Image files for the ViT tests (tests/data/vit/images/) and PIL's conversions of them.

    /usr/bin/python3 tools/make_vit_images.py      # needs python3-pil; reads tests/data/vit-digits/heldout.json

* digit-N.png: the first held-out sklearn digit of each class as 8 × 8 grey (ink bright);
  digit-3-x8.png: the same "3" enlarged ×8 (nearest), which `run` shrinks back with the folder's
  bilinear filter.
* rgb.png, rgba.png (varied alpha), palette.png (mode P), grey.png (L), grey-alpha.png (LA),
  grey16.png (16-bit grey): decoding and channel conversion; pil-convert.json holds what
  PIL's convert("RGB") and convert("L") give for each (as Hugging Face's load_image converts),
  and ("pipeline") ViTImageProcessor's pixel values for three of them (resize with PIL).
* bad/: empty.png (0 bytes), corrupt.png (not an image), truncated.png (a valid PNG cut in
  half), huge-20000x20000.png (a header claiming 20000 × 20000 pixels; no pixel data).
"""

from __future__ import annotations

import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "vit", "images")
BAD = os.path.join(OUT, "bad")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main() -> None:
    os.makedirs(BAD, exist_ok=True)
    with open(os.path.join(ROOT, "tests", "data", "vit-digits", "heldout.json"), encoding="utf-8") as f:
        held = json.load(f)
    for digit in range(10):
        i = held["labels"].index(digit)
        arr = np.array(held["images"][i], dtype=np.uint8).reshape(8, 8)
        Image.fromarray(arr, "L").save(os.path.join(OUT, f"digit-{digit}.png"))
        if digit == 3:
            Image.fromarray(arr, "L").resize((64, 64), Image.NEAREST).save(os.path.join(OUT, "digit-3-x8.png"))
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    images = {
        "rgb.png": Image.fromarray(rgb, "RGB"),
        "rgba.png": Image.fromarray(np.concatenate([rgb, rng.integers(0, 256, (10, 12, 1), dtype=np.uint8)], 2), "RGBA"),
        "palette.png": Image.fromarray(rgb, "RGB").quantize(colors=16),
        "grey.png": Image.fromarray(rgb[:, :, 0], "L"),
        "grey-alpha.png": Image.fromarray(np.stack([rgb[:, :, 0], rgb[:, :, 1]], 2), "LA"),
    }
    expected = {}
    for name, img in images.items():
        img.save(os.path.join(OUT, name))
        back = Image.open(os.path.join(OUT, name))
        expected[name] = {"mode": back.mode, "size": [back.height, back.width],
                          "rgb": np.asarray(back.convert("RGB")).transpose(2, 0, 1).reshape(-1).tolist(),
                          "l": np.asarray(back.convert("L")).reshape(-1).tolist()}
    g16 = (rng.integers(0, 65536, (6, 7))).astype(np.uint16)
    Image.fromarray(g16.astype(np.int32), "I").convert("I;16").save(os.path.join(OUT, "grey16.png"))
    back = Image.open(os.path.join(OUT, "grey16.png"))
    expected["grey16.png"] = {"mode": back.mode, "size": [back.height, back.width], "values16": g16.reshape(-1).tolist(),
                              "rgb": np.asarray(back.convert("RGB")).transpose(2, 0, 1).reshape(-1).tolist()}
    # Hugging Face's ViTImageProcessor steps on PIL images: convert, resize (PIL, bilinear), rescale
    # in float64 cast to float32, normalise in float32 (mean 0.5, std 0.5); (C, H, W) flattened.
    pipeline = {}
    for name, mode, size in [("digit-3-x8.png", "L", (8, 8)), ("rgba.png", "RGB", (10, 6)), ("rgb.png", "L", (8, 8))]:
        img = Image.open(os.path.join(OUT, name)).convert(mode).resize(size, resample=Image.BILINEAR)
        arr = np.asarray(img)
        arr = arr[:, :, None] if arr.ndim == 2 else arr
        x = (arr.astype(np.float64) * 0.00392156862745098).astype(np.float32)
        x = (x - np.float32(0.5)) / np.float32(0.5)
        pipeline[name] = {"mode": mode, "size": [size[1], size[0]],
                          "pixel_values": [float(v) for v in x.transpose(2, 0, 1).reshape(-1)]}
    with open(os.path.join(OUT, "pil-convert.json"), "w", encoding="utf-8") as f:
        json.dump({"pillow": Image.__version__, "images": expected, "pipeline": pipeline}, f)
        f.write("\n")
    # Bad files.
    open(os.path.join(BAD, "empty.png"), "wb").close()
    with open(os.path.join(BAD, "corrupt.png"), "wb") as f:
        f.write(b"this is not a PNG file, only text with a .png name\n" * 4)
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), "RGB").save(os.path.join(BAD, "full.png"))
    with open(os.path.join(BAD, "full.png"), "rb") as f:
        data = f.read()
    os.remove(os.path.join(BAD, "full.png"))
    with open(os.path.join(BAD, "truncated.png"), "wb") as f:
        f.write(data[: len(data) // 2])
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    with open(os.path.join(BAD, "huge-20000x20000.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) +
                chunk(b"IEND", b""))
    print("written", OUT)


if __name__ == "__main__":
    main()
