#!/usr/bin/env python3
"""Writes tests/data/safetensors/: a golden model re-exported with its tensors in a safetensors
sidecar (export_torch.py --encoding safetensors), for the loader's sidecar tests.
Usage: /usr/bin/python3 tools/make_safetensors_sample.py"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from attnscope_torch import load_model  # noqa: E402
from export_torch import export_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    torch.set_num_threads(1)
    src = os.path.join(ROOT, "tests", "data", "golden", "decoder-pre-gelu-tied.model.json")
    out = os.path.join(ROOT, "tests", "data", "safetensors", "decoder-pre-gelu-tied.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    model, tok, doc = load_model(src)
    export_model(model, doc["tokenizer"], out, name=doc["name"], description=doc["description"],
                 examples=doc.get("examples"), encoding="safetensors")
    print("wrote", out)
