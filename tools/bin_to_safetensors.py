#!/usr/bin/python3
"""Convert a PyTorch checkpoint (``pytorch_model.bin``) to ``model.safetensors``.

    /usr/bin/python3 tools/bin_to_safetensors.py FOLDER_OR_BIN [OUT.safetensors] [--force]

AttnScope reads only safetensors. A ``.bin`` is a Python pickle, and unpickling can run
arbitrary code chosen by whoever made the file. This tool therefore loads it with
``torch.load(path, map_location="cpu", weights_only=True)``: the restricted unpickler accepts
only tensors, plain containers and numbers and refuses anything that would import or call
other code, so a hostile file fails to load instead of running.

What it does with the state dict:

* tensors sharing storage are grouped; views that are *identical* (same offset, shape, stride,
  dtype) are tied copies and written once. The name kept is the base one: known tied heads
  (``lm_head.weight``, ``cls.predictions.decoder.weight``, ``lm_head.decoder.weight``,
  ``vocab_projector.weight``, ``*.decoder.bias``) are dropped in favour of their partner, else the
  first name in sorted order is kept. Different views of one storage (safetensors cannot share
  bytes) are each written as their own contiguous copy;
* non-contiguous tensors are written in row-major order (made contiguous first);
* every tensor keeps its dtype; the file is read back and compared bit for bit.

The safetensors writer is the one in hf_reference.py.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from typing import Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from hf_reference import ST_DTYPES, read_safetensors, write_safetensors  # noqa: E402

TIED_HEADS = ("lm_head.weight", "cls.predictions.decoder.weight", "lm_head.decoder.weight",
              "vocab_projector.weight", "cls.predictions.decoder.bias", "lm_head.decoder.bias")


def _storage_key(t: torch.Tensor) -> Tuple[int, int]:
    s = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
    return (s.data_ptr(), s.nbytes() if hasattr(s, "nbytes") else s.size() * t.element_size())


def _view_key(t: torch.Tensor) -> Tuple:
    return (t.storage_offset(), tuple(t.shape), tuple(t.stride()), t.dtype)


def _prefer(names: List[str]) -> str:
    """The name kept for a set of tied copies."""
    base = [n for n in sorted(names) if not any(n == h or n.endswith("." + h) for h in TIED_HEADS)]
    return base[0] if base else sorted(names)[0]


def load_bin(path: str) -> Dict[str, torch.Tensor]:
    obj = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(k, str) and torch.is_tensor(v) for k, v in obj.items()):
        raise ValueError(f"{path}: not a state dict (a mapping of names to tensors)")
    return dict(obj)


def dedupe(sd: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """(tensors to write, {dropped alias: kept name})."""
    groups: Dict[Tuple, Dict[Tuple, List[str]]] = {}
    for name, t in sd.items():
        if t.dtype not in {v[0] for v in ST_DTYPES.values()}:
            raise ValueError(f"{name}: dtype {t.dtype} has no safetensors equivalent here")
        if t.numel() == 0:
            groups.setdefault(("empty", name), {}).setdefault(("empty",), []).append(name)
            continue
        groups.setdefault(_storage_key(t), {}).setdefault(_view_key(t), []).append(name)
    out: Dict[str, torch.Tensor] = {}
    dropped: Dict[str, str] = {}
    for views in groups.values():
        for names in views.values():
            keep = _prefer(names)
            out[keep] = sd[keep].contiguous().clone()   # clone: own bytes, even for partial views
            for n in names:
                if n != keep:
                    dropped[n] = keep
    return out, dropped


def convert(src: str, dst: str) -> Tuple[int, Dict[str, str]]:
    sd = load_bin(src)
    tensors, dropped = dedupe(sd)
    write_safetensors(dst, tensors, {"format": "pt"})
    back = read_safetensors(dst)
    for name, t in tensors.items():
        dt, b = back[name]
        if b.dtype != t.dtype or b.shape != t.shape or not torch.equal(b, t):
            raise RuntimeError(f"{dst}: {name} did not survive the round trip")
    for alias, keep in dropped.items():
        if not torch.equal(sd[alias], back[keep][1]):
            raise RuntimeError(f"{alias} was taken for a copy of {keep} but differs")
    return len(tensors), dropped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", help="pytorch_model.bin, or a folder holding one")
    ap.add_argument("dst", nargs="?", help="output (default: model.safetensors next to the .bin)")
    ap.add_argument("--force", action="store_true", help="overwrite an existing output")
    a = ap.parse_args()
    src = os.path.join(a.src, "pytorch_model.bin") if os.path.isdir(a.src) else a.src
    dst = a.dst or os.path.join(os.path.dirname(os.path.abspath(src)), "model.safetensors")
    if os.path.exists(dst) and not a.force:
        sys.exit(f"{dst} exists (use --force to overwrite)")
    torch.set_num_threads(1)
    try:
        n, dropped = convert(src, dst)
    except pickle.UnpicklingError as e:
        sys.exit(f"{src}: refused by the weights-only unpickler (the pickle asks for more than "
                 f"tensors, which could run code): {e}")
    print(f"wrote {dst}: {n} tensors")
    for alias, keep in sorted(dropped.items()):
        print(f"  {alias}: tied to {keep}, not written")


if __name__ == "__main__":
    main()
