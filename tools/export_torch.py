#!/usr/bin/python3
"""Export PyTorch transformers to the AttnScope model format (docs/model-format.md).

As a module
-----------
``export_model(model, tokenizer, path, name=..., description=..., examples=...)``
    for an :class:`attnscope_torch.AttnScopeTransformer`.

``export_parts(path, arch=..., tokenizer=..., name=..., transformer=... | encoder=..., decoder=...,
encoder_embed=..., encoder_pos=..., decoder_embed=..., decoder_pos=..., lm_head=... | lm_head_bias=...)``
    for models assembled from torch's own modules: ``nn.Transformer``,
    ``nn.TransformerEncoder`` (encoder-only, or a decoder-only stack run with a causal
    mask: pass it as ``decoder``), ``nn.TransformerDecoder``, ``nn.Embedding`` token
    and (learned) position tables, and an ``nn.Linear`` head (omit it with
    ``tied_output``; a tied head's own bias goes in ``lm_head_bias``).

Both split ``in_proj_weight``/``in_proj_bias`` into ``q_proj``/``k_proj``/``v_proj``,
rename to the format's tensor names, check the modules against ``arch`` (layers,
heads, norm placement, activation, eps, biases, final norms), write float32 tensors
as base64 little-endian (bit exact; ``encoding="b64"``, the default) or as
``"data"`` number lists (``encoding="data"``; the float64 repr of each float32, also
exact), then re-read the file and check it like the loader does.

As a command
------------
::

    /usr/bin/python3 tools/export_torch.py CHECKPOINT.pt --out model.json
        [--encoding b64|data] [--name NAME] [--description TEXT]

CHECKPOINT.pt is ``torch.save`` of a dict (see ``attnscope_torch.save_checkpoint``)::

    {"arch": {...architecture...}, "tokenizer": {...tokenizer...},
     "state_dict": AttnScopeTransformer.state_dict(),
     "name": "...", "description": "...", "examples": [{"text": ..., "target": ...}],
     "metadata": {...}   # optional: extra top-level keys for the model file, e.g. {"training": {...}}
    }
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
from typing import Any, Dict, List, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from attnscope_format import (FORMAT, VERSION, FormatError, Tokenizer, arch_for_file,  # noqa: E402
                              encode_tensor, expected_weight_shapes, normalize_arch, read_document,
                              validate_tokenizer, vocab_sizes, write_json)
from attnscope_torch import AttnScopeTransformer, stack_weights  # noqa: E402

__all__ = ["export_model", "export_parts", "build_document", "export_checkpoint", "main"]

_TOKENIZER_KEYS = ("type", "lowercase", "split_punctuation", "special_tokens", "source_prefix",
                   "source_suffix", "vocab", "target_vocab")


def _tokenizer_for_file(tok: Dict[str, Any]) -> Dict[str, Any]:
    out = {k: tok[k] for k in _TOKENIZER_KEYS if k in tok}
    for k, v in tok.items():
        if k not in out:
            out[k] = v
    return out


def _check_examples(arch: Dict[str, Any], tok: Dict[str, Any],
                    examples: Optional[Sequence[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    if not examples:
        return []
    t = Tokenizer(tok)
    out = []
    for i, e in enumerate(examples):
        if isinstance(e, str):
            e = {"text": e}
        if "text" not in e:
            raise ValueError(f"examples[{i}] has no text")
        ids = t.encode_source(e["text"])
        if len(ids) > arch["max_len"]:
            raise ValueError(f"examples[{i}]: {len(ids)} tokens > max_len {arch['max_len']}")
        item = {"text": e["text"]}
        if e.get("target") is not None:
            if arch["type"] != "encoder-decoder":
                raise ValueError(f"examples[{i}]: target is only for encoder-decoder models")
            n = 1 + len(t.encode_target(e["target"]))
            if n > arch["max_len"]:
                raise ValueError(f"examples[{i}]: target of {n} tokens (with bos) > max_len")
            item["target"] = e["target"]
        out.append(item)
    return out


def build_document(arch: Dict[str, Any], tokenizer: Dict[str, Any], weights: Dict[str, Any],
                   name: str, description: str = "", examples: Optional[Sequence[Any]] = None,
                   encoding: str = "b64", metadata: Optional[Dict[str, Any]] = None,
                   explicit_defaults: bool = True, check_weights: bool = True) -> Dict[str, Any]:
    """Assemble a format-v1 document from format-named tensors (torch or numpy)."""
    a = normalize_arch(arch)
    try:
        validate_tokenizer(tokenizer, a["type"])
    except FormatError as e:
        raise ValueError(f"tokenizer: {e}") from None
    expected = expected_weight_shapes(a, tokenizer)
    arrays: Dict[str, np.ndarray] = {}
    for k, v in weights.items():
        if torch.is_tensor(v):
            v = v.detach().cpu().to(torch.float32).numpy()
        arrays[k] = np.asarray(v, dtype=np.float32)
    for k in arrays:
        if k not in expected:
            raise ValueError(f"{k}: unexpected tensor (not used by this architecture)")
    tensors = {}
    for k, shape in (expected.items() if check_weights else ()):
        if k not in arrays:
            raise ValueError(f"{k}: missing tensor")
        if arrays[k].shape != tuple(shape):
            raise ValueError(f"{k}: expected shape {list(shape)}, got {list(arrays[k].shape)}")
        try:
            tensors[k] = encode_tensor(arrays[k], encoding)
        except ValueError as e:
            raise ValueError(f"{k}: {e}") from None
    doc: Dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "description": description,
        "architecture": arch_for_file(a, explicit_defaults=explicit_defaults),
        "tokenizer": _tokenizer_for_file(tokenizer),
    }
    ex = _check_examples(a, tokenizer, examples)
    if ex:
        doc["examples"] = ex
    for k, v in (metadata or {}).items():
        if k in doc or k == "weights":
            raise ValueError(f"metadata key {k!r} clashes with a format key")
        doc[k] = v
    doc["weights"] = tensors
    return doc


def write_safetensors(path: str, arrays: Dict[str, np.ndarray]) -> None:
    """Write float32 tensors as a safetensors file (8-byte LE header length, JSON header,
    data; each tensor 4-byte aligned so AttnScope can map it without copying)."""
    header: Dict[str, Any] = {"__metadata__": {"format": "pt", "writer": "attnscope export_torch.py"}}
    offset = 0
    order = sorted(arrays)
    for k in order:
        n = int(np.asarray(arrays[k]).size) * 4
        header[k] = {"dtype": "F32", "shape": list(np.asarray(arrays[k]).shape), "data_offsets": [offset, offset + n]}
        offset += n
    blob = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    blob += b" " * ((8 - len(blob) % 8) % 8)  # keeps the data 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for k in order:
            f.write(np.ascontiguousarray(arrays[k], dtype="<f4").tobytes())
    os.replace(tmp, path)


def read_safetensors(path: str) -> Dict[str, np.ndarray]:
    """Read back a float32 safetensors file written by write_safetensors."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[k] = np.frombuffer(raw[8 + n + b:8 + n + end], dtype="<f4").reshape(e["shape"])
    return out


def _to_array(v: Any) -> np.ndarray:
    return v.detach().cpu().to(torch.float32).numpy() if torch.is_tensor(v) else np.asarray(v, np.float32)


def _save(doc: Dict[str, Any], weights: Dict[str, Any], path: str, sidecar: bool = False) -> Dict[str, Any]:
    if sidecar:
        # Large models: tensors in a safetensors file next to the JSON (docs/model-format.md).
        st_path = os.path.splitext(path)[0] + ".safetensors"
        write_safetensors(st_path, {k: _to_array(v) for k, v in weights.items()})
        doc = dict(doc)
        doc.pop("weights", None)
        doc["weights_file"] = os.path.basename(st_path)
        write_json(path, doc)
        back = read_safetensors(st_path)
        for k, v in weights.items():
            if not np.array_equal(back[k].view(np.uint32), np.ascontiguousarray(_to_array(v)).view(np.uint32)):
                raise RuntimeError(f"{st_path}: {k} did not survive the round trip bit-exactly")
        return doc
    write_json(path, doc)
    _, back = read_document(path)
    for k, v in weights.items():
        want = v.detach().cpu().to(torch.float32).numpy() if torch.is_tensor(v) else np.asarray(v, np.float32)
        if not np.array_equal(back[k].view(np.uint32), np.ascontiguousarray(want).view(np.uint32)):
            raise RuntimeError(f"{path}: {k} did not survive the round trip bit-exactly")
    return doc


def export_parts(path: str, *, arch: Dict[str, Any], tokenizer: Dict[str, Any], name: str,
                 description: str = "", examples: Optional[Sequence[Any]] = None,
                 encoding: str = "b64", metadata: Optional[Dict[str, Any]] = None,
                 explicit_defaults: bool = True, **modules: Any) -> Dict[str, Any]:
    """Export torch modules (see module docstring / ``attnscope_torch.stack_weights``)."""
    a = normalize_arch(arch)
    vs, vt = vocab_sizes(tokenizer)
    weights = stack_weights(a, vocab_sizes=(vs, vt), **modules)
    doc = build_document(a, tokenizer, weights, name, description, examples, encoding, metadata,
                         explicit_defaults)
    return _save(doc, weights, path)


def export_model(model: AttnScopeTransformer, tokenizer: Dict[str, Any], path: str, *, name: str,
                 description: str = "", examples: Optional[Sequence[Any]] = None,
                 encoding: str = "b64", metadata: Optional[Dict[str, Any]] = None,
                 explicit_defaults: bool = True) -> Dict[str, Any]:
    """Export an AttnScopeTransformer with its tokenizer dict. Returns the document."""
    if hasattr(tokenizer, "spec"):
        tokenizer = tokenizer.spec
    vs, vt = vocab_sizes(tokenizer)
    if vs != model.vocab_size or (model.type == "encoder-decoder" and vt != model.target_vocab_size):
        raise ValueError(f"tokenizer vocabulary sizes ({vs}, {vt}) do not match the model "
                         f"({model.vocab_size}, {model.target_vocab_size})")
    weights = model.format_weights()
    sidecar = encoding == "safetensors"
    doc = build_document(model.arch, tokenizer, {} if sidecar else weights, name, description, examples,
                         "b64" if sidecar else encoding, metadata, explicit_defaults, check_weights=not sidecar)
    return _save(doc, weights, path, sidecar)


def export_checkpoint(checkpoint: str, out: str, encoding: str = "b64", name: Optional[str] = None,
                      description: Optional[str] = None) -> Dict[str, Any]:
    ck = torch.load(checkpoint, map_location="cpu")
    for key in ("arch", "tokenizer", "state_dict"):
        if key not in ck:
            raise ValueError(f"{checkpoint}: checkpoint dict has no {key!r}")
    model = AttnScopeTransformer.from_config(ck["arch"], ck["tokenizer"])
    model.load_state_dict(ck["state_dict"], strict=True)
    model.tie_weights()
    model.eval()
    return export_model(model, ck["tokenizer"], out,
                        name=name if name is not None else ck.get("name", os.path.basename(checkpoint)),
                        description=description if description is not None else ck.get("description", ""),
                        examples=ck.get("examples"), encoding=encoding, metadata=ck.get("metadata"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Convert an AttnScope torch checkpoint to a model JSON file.")
    p.add_argument("checkpoint", help="torch.save'd dict with arch, tokenizer, state_dict, name, "
                                      "description, examples")
    p.add_argument("--out", "-o", required=True, help="output model JSON path")
    p.add_argument("--encoding", choices=("b64", "data", "safetensors"), default="b64",
                   help="tensor encoding (default b64: compact and bit exact; safetensors: a "
                        "memory-mapped sidecar file next to the JSON, for large models)")
    p.add_argument("--name", help="override the display name")
    p.add_argument("--description", help="override the description")
    args = p.parse_args(argv)
    try:
        doc = export_checkpoint(args.checkpoint, args.out, args.encoding, args.name, args.description)
    except (ValueError, FormatError, RuntimeError, OSError) as e:
        print(f"export_torch: {e}", file=sys.stderr)
        return 1
    if "weights_file" in doc:
        print(f"wrote {args.out} and {doc['weights_file']}")
        return 0
    n = sum(int(np.prod(t["shape"])) for t in doc["weights"].values())
    print(f"wrote {args.out}: {doc['architecture']['type']}, {len(doc['weights'])} tensors, "
          f"{n} parameters, {os.path.getsize(args.out)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
