"""AttnScope model file format v1: reading, writing, checking, tokenizing.

This module needs only numpy (no torch). It mirrors docs/model-format.md:

* :func:`normalize_arch` fills in the optional architecture keys;
* :func:`expected_weight_shapes` lists every tensor an architecture needs, in a
  canonical order, with its shape;
* :func:`validate_document` performs the loader's checks and raises
  :class:`FormatError` with a JSON Pointer (``FILE: POINTER: message``);
* :func:`read_document` loads a file and decodes its tensors to float32 arrays;
* :func:`encode_tensor` / :func:`decode_tensor` convert between numpy arrays and
  the ``{"shape", "b64"|"data"}`` objects;
* :func:`dumps` writes deterministic, human-friendly JSON (number arrays on one
  line), used for model files and golden files alike;
* :class:`Tokenizer` implements the tokenizer rules of the spec.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import string
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

FORMAT = "attnscope-model"
VERSION = 1
ROLES = ("pad", "unk", "bos", "eos", "cls", "sep", "mask")
ARCH_TYPES = ("encoder", "decoder", "encoder-decoder")
ACTIVATIONS = ("relu", "gelu")
NORMS = ("pre", "post")
POSITIONALS = ("sinusoidal", "learned")
TOKENIZER_TYPES = ("char", "word")

# Limits of the spec ("Limits").
MAX_D_MODEL = 4096
MAX_HEADS = 128
MAX_D_FF = 65536
MAX_LAYERS = 64
MAX_LEN = 8192
MAX_VOCAB = 1_000_000

# ASCII punctuation: exactly C's ispunct() in the "C" locale.
ASCII_PUNCTUATION = frozenset(string.punctuation)
# White space for word splitting: the ASCII white-space characters (C isspace()).
ASCII_WHITESPACE = frozenset(" \t\n\v\f\r")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class FormatError(ValueError):
    """A problem with a model document, located by a JSON Pointer."""

    def __init__(self, pointer: str, message: str, file: Optional[str] = None):
        self.pointer = pointer or "/"
        self.message = message
        self.file = file
        super().__init__(self._text())

    def _text(self) -> str:
        head = f"{self.file}: " if self.file else ""
        return f"{head}{self.pointer}: {self.message}"

    def with_file(self, file: str) -> "FormatError":
        return FormatError(self.pointer, self.message, file)


class TokenizeError(ValueError):
    """Input text that the tokenizer cannot encode (unknown token without unk)."""


def pointer(*parts: Any) -> str:
    """Build an RFC 6901 JSON Pointer from path components."""
    out = []
    for p in parts:
        s = str(p).replace("~", "~0").replace("/", "~1")
        out.append("/" + s)
    return "".join(out) or "/"


# --------------------------------------------------------------------------
# Architecture
# --------------------------------------------------------------------------

def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


_ARCH_REQUIRED = ("type", "d_model", "n_heads", "d_ff", "encoder_layers", "decoder_layers",
                  "activation", "norm", "layer_norm_eps", "positional", "max_len", "bias",
                  "tied_output")


def normalize_arch(arch: Dict[str, Any], base: str = "/architecture") -> Dict[str, Any]:
    """Check an architecture object and return a copy with every optional key filled in.

    Raises FormatError (pointer relative to the document) on any problem.
    """
    if not isinstance(arch, dict):
        raise FormatError(base, f"expected object, got {_type_name(arch)}")
    for key in _ARCH_REQUIRED:
        if key not in arch:
            raise FormatError(pointer("architecture", key), "missing required key")

    def p(key: str) -> str:
        return base + pointer(key)

    def need_enum(key: str, values: Sequence[str]) -> None:
        v = arch[key]
        if not isinstance(v, str):
            raise FormatError(p(key), f"expected string, got {_type_name(v)}")
        if v not in values:
            raise FormatError(p(key), f"expected one of {', '.join(values)}, got {json.dumps(v)}")

    def need_int(key: str, lo: int, hi: int) -> None:
        v = arch[key]
        if not _is_int(v):
            raise FormatError(p(key), f"expected integer, got {_type_name(v)}")
        if not lo <= v <= hi:
            raise FormatError(p(key), f"expected {lo} … {hi}, got {v}")

    def need_bool(key: str) -> None:
        v = arch[key]
        if not isinstance(v, bool):
            raise FormatError(p(key), f"expected boolean, got {_type_name(v)}")

    need_enum("type", ARCH_TYPES)
    need_int("d_model", 1, MAX_D_MODEL)
    need_int("n_heads", 1, MAX_HEADS)
    need_int("d_ff", 1, MAX_D_FF)
    need_int("encoder_layers", 0, MAX_LAYERS)
    need_int("decoder_layers", 0, MAX_LAYERS)
    need_enum("activation", ACTIVATIONS)
    need_enum("norm", NORMS)
    eps = arch["layer_norm_eps"]
    if not _is_number(eps):
        raise FormatError(p("layer_norm_eps"), f"expected number, got {_type_name(eps)}")
    if not (math.isfinite(eps) and eps > 0):
        raise FormatError(p("layer_norm_eps"), f"expected a number > 0, got {eps}")
    need_enum("positional", POSITIONALS)
    need_int("max_len", 1, MAX_LEN)
    need_bool("bias")
    need_bool("tied_output")
    out = dict(arch)
    out.setdefault("scale_embeddings", False)
    out.setdefault("final_norm", arch["norm"] == "pre")
    for key in ("scale_embeddings", "final_norm"):
        if not isinstance(out[key], bool):
            raise FormatError(p(key), f"expected boolean, got {_type_name(out[key])}")

    if arch["d_model"] % arch["n_heads"] != 0:
        raise FormatError(p("n_heads"), f"d_model {arch['d_model']} is not divisible by "
                                        f"n_heads {arch['n_heads']}")
    t = arch["type"]
    if t in ("encoder", "encoder-decoder") and arch["encoder_layers"] < 1:
        raise FormatError(p("encoder_layers"), f"must be ≥ 1 for type {t}")
    if t == "decoder" and arch["encoder_layers"] != 0:
        raise FormatError(p("encoder_layers"), "must be 0 for type decoder")
    if t in ("decoder", "encoder-decoder") and arch["decoder_layers"] < 1:
        raise FormatError(p("decoder_layers"), f"must be ≥ 1 for type {t}")
    if t == "encoder" and arch["decoder_layers"] != 0:
        raise FormatError(p("decoder_layers"), "must be 0 for type encoder")
    return out


def arch_for_file(arch: Dict[str, Any], explicit_defaults: bool = True) -> Dict[str, Any]:
    """Architecture object in the canonical key order, optionally dropping defaulted keys."""
    a = normalize_arch(arch)
    keys = list(_ARCH_REQUIRED) + ["scale_embeddings", "final_norm"]
    out = {k: a[k] for k in keys}
    if not explicit_defaults:
        if not out["scale_embeddings"]:
            del out["scale_embeddings"]
        if out["final_norm"] == (out["norm"] == "pre"):
            del out["final_norm"]
    # keep any extra keys the caller put there (ignored by readers), after ours
    for k, v in arch.items():
        if k not in out and k not in ("scale_embeddings", "final_norm"):
            out[k] = v
    return out


# --------------------------------------------------------------------------
# Tensor names and shapes
# --------------------------------------------------------------------------

ATTN_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def _attn_shapes(prefix: str, d: int, bias: bool) -> List[Tuple[str, Tuple[int, ...]]]:
    out = []
    for part in ATTN_PARTS:
        out.append((f"{prefix}.{part}.weight", (d, d)))
        if bias:
            out.append((f"{prefix}.{part}.bias", (d,)))
    return out


def vocab_sizes(tokenizer: Dict[str, Any]) -> Tuple[int, int]:
    """(Vs, Vt): source vocabulary size and target vocabulary size."""
    vs = len(tokenizer["vocab"])
    tv = tokenizer.get("target_vocab")
    return vs, (len(tv) if tv is not None else vs)


def expected_weight_shapes(arch: Dict[str, Any], tokenizer: Dict[str, Any]) -> Dict[str, Tuple[int, ...]]:
    """Every tensor the architecture requires, name → shape, in canonical order."""
    a = normalize_arch(arch)
    d, f, L, bias = a["d_model"], a["d_ff"], a["max_len"], a["bias"]
    vs, vt = vocab_sizes(tokenizer)
    t = a["type"]
    shapes: List[Tuple[str, Tuple[int, ...]]] = []

    def layer(prefix: str, cross: bool) -> None:
        shapes.extend(_attn_shapes(f"{prefix}.self_attn", d, bias))
        if cross:
            shapes.extend(_attn_shapes(f"{prefix}.multihead_attn", d, bias))
        shapes.append((f"{prefix}.linear1.weight", (f, d)))
        if bias:
            shapes.append((f"{prefix}.linear1.bias", (f,)))
        shapes.append((f"{prefix}.linear2.weight", (d, f)))
        if bias:
            shapes.append((f"{prefix}.linear2.bias", (d,)))
        for n in (1, 2, 3) if cross else (1, 2):
            shapes.append((f"{prefix}.norm{n}.weight", (d,)))
            shapes.append((f"{prefix}.norm{n}.bias", (d,)))

    if t in ("encoder", "encoder-decoder"):
        shapes.append(("encoder.embed.weight", (vs, d)))
        if a["positional"] == "learned":
            shapes.append(("encoder.pos.weight", (L, d)))
        for i in range(a["encoder_layers"]):
            layer(f"encoder.layers.{i}", cross=False)
        if a["final_norm"]:
            shapes.append(("encoder.norm.weight", (d,)))
            shapes.append(("encoder.norm.bias", (d,)))
    if t in ("decoder", "encoder-decoder"):
        shapes.append(("decoder.embed.weight", (vt if t == "encoder-decoder" else vs, d)))
        if a["positional"] == "learned":
            shapes.append(("decoder.pos.weight", (L, d)))
        for i in range(a["decoder_layers"]):
            layer(f"decoder.layers.{i}", cross=(t == "encoder-decoder"))
        if a["final_norm"]:
            shapes.append(("decoder.norm.weight", (d,)))
            shapes.append(("decoder.norm.bias", (d,)))
    v_out = vs if t == "encoder" else (vt if t == "encoder-decoder" else vs)
    if not a["tied_output"]:
        shapes.append(("lm_head.weight", (v_out, d)))
    if bias:
        shapes.append(("lm_head.bias", (v_out,)))
    return dict(shapes)


# --------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------

def encode_tensor(array: Any, encoding: str = "b64") -> Dict[str, Any]:
    """numpy-compatible array → {"shape": [...], "b64"|"data": ...} (float32 values)."""
    a = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
    if a.ndim not in (1, 2) or a.size == 0:
        raise ValueError(f"tensors must be 1-D or 2-D and non-empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("tensor has non-finite values")
    shape = [int(s) for s in a.shape]
    if encoding == "b64":
        raw = a.astype("<f4", copy=False).tobytes(order="C")
        return {"shape": shape, "b64": base64.b64encode(raw).decode("ascii")}
    if encoding == "data":
        # repr of the float64 that equals the float32 value: parsing it back
        # (to double, then float) is exact.
        return {"shape": shape, "data": [float(v) for v in a.ravel()]}
    raise ValueError(f"unknown encoding {encoding!r} (use 'b64' or 'data')")


def _b64_error_position(text: str) -> int:
    alphabet = set(string.ascii_letters + string.digits + "+/")
    n = len(text)
    body = n
    while body > 0 and text[body - 1] == "=":
        body -= 1
    for i, ch in enumerate(text[:body]):
        if ch not in alphabet:
            return i
    if n % 4 != 0 or n - body > 2:
        return min(n, body)
    return n


def decode_tensor(obj: Any, ptr: str) -> np.ndarray:
    """Tensor object → float32 array of its shape. Raises FormatError."""
    if not isinstance(obj, dict):
        raise FormatError(ptr, f"expected object, got {_type_name(obj)}")
    if "shape" not in obj:
        raise FormatError(ptr + "/shape", "missing required key")
    shape = obj["shape"]
    if not isinstance(shape, list) or not 1 <= len(shape) <= 2:
        raise FormatError(ptr + "/shape", "expected an array of 1 or 2 positive integers")
    for i, s in enumerate(shape):
        if not _is_int(s) or s < 1:
            raise FormatError(ptr + f"/shape/{i}", f"expected positive integer, got {json.dumps(s)}")
    count = int(np.prod(shape))
    has_data, has_b64 = "data" in obj, "b64" in obj
    if has_data == has_b64:
        raise FormatError(ptr, 'expected exactly one of "data" and "b64"')
    if has_b64:
        text = obj["b64"]
        if not isinstance(text, str):
            raise FormatError(ptr + "/b64", f"expected string, got {_type_name(text)}")
        try:
            raw = base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise FormatError(ptr + "/b64", f"invalid base64 at character {_b64_error_position(text)}")
        if len(raw) % 4 != 0:
            raise FormatError(ptr + "/b64", f"expected a multiple of 4 bytes, got {len(raw)}")
        values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        if values.size != count:
            raise FormatError(ptr + "/b64", f"expected {count} values, got {values.size}")
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise FormatError(ptr + "/b64", f"value {int(bad[0])} is not finite")
    else:
        data = obj["data"]
        if not isinstance(data, list):
            raise FormatError(ptr + "/data", f"expected array, got {_type_name(data)}")
        if len(data) != count:
            raise FormatError(ptr + "/data", f"expected {count} values, got {len(data)}")
        for i, v in enumerate(data):
            if not _is_number(v):
                raise FormatError(ptr + f"/data/{i}", f"expected number, got {_type_name(v)}")
        values64 = np.asarray(data, dtype=np.float64)
        with np.errstate(over="ignore"):
            values = values64.astype(np.float32)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise FormatError(ptr + f"/data/{int(bad[0])}", "value is not finite")
    return values.reshape(shape)


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------

def validate_tokenizer(tok: Any, arch_type: str) -> None:
    base = "/tokenizer"
    if not isinstance(tok, dict):
        raise FormatError(base, f"expected object, got {_type_name(tok)}")
    for key in ("type", "vocab", "special_tokens"):
        if key not in tok:
            raise FormatError(pointer("tokenizer", key), "missing required key")
    if tok["type"] not in TOKENIZER_TYPES:
        if not isinstance(tok["type"], str):
            raise FormatError(base + "/type", f"expected string, got {_type_name(tok['type'])}")
        raise FormatError(base + "/type", f"expected one of char, word, got {json.dumps(tok['type'])}")
    for key in ("lowercase", "split_punctuation"):
        if key in tok and not isinstance(tok[key], bool):
            raise FormatError(pointer("tokenizer", key), f"expected boolean, got {_type_name(tok[key])}")

    def check_vocab(key: str) -> None:
        v = tok[key]
        if not isinstance(v, list):
            raise FormatError(pointer("tokenizer", key), f"expected array, got {_type_name(v)}")
        if not 1 <= len(v) <= MAX_VOCAB:
            raise FormatError(pointer("tokenizer", key), f"expected 1 … {MAX_VOCAB} entries, got {len(v)}")
        seen: Dict[str, int] = {}
        for i, s in enumerate(v):
            if not isinstance(s, str):
                raise FormatError(pointer("tokenizer", key, i), f"expected string, got {_type_name(s)}")
            if s in seen:
                raise FormatError(pointer("tokenizer", key, i),
                                  f"duplicate token {json.dumps(s)} (also at index {seen[s]})")
            seen[s] = i

    check_vocab("vocab")
    if "target_vocab" in tok:
        if arch_type != "encoder-decoder":
            raise FormatError(base + "/target_vocab", "only allowed for encoder-decoder models")
        check_vocab("target_vocab")
    specials = tok["special_tokens"]
    if not isinstance(specials, dict):
        raise FormatError(base + "/special_tokens", f"expected object, got {_type_name(specials)}")
    vocab = set(tok["vocab"])
    tvocab = set(tok.get("target_vocab", tok["vocab"]))
    for role, s in specials.items():
        if role not in ROLES:
            raise FormatError(pointer("tokenizer", "special_tokens", role),
                              f"unknown role (expected one of {', '.join(ROLES)})")
        if not isinstance(s, str):
            raise FormatError(pointer("tokenizer", "special_tokens", role), f"expected string, got {_type_name(s)}")
        if s not in vocab:
            raise FormatError(pointer("tokenizer", "special_tokens", role),
                              f"token {json.dumps(s)} is not in the vocabulary")
    for key in ("source_prefix", "source_suffix"):
        if key in tok:
            roles = tok[key]
            if not isinstance(roles, list):
                raise FormatError(pointer("tokenizer", key), f"expected array, got {_type_name(roles)}")
            for i, r in enumerate(roles):
                if r not in specials:
                    raise FormatError(pointer("tokenizer", key, i),
                                      f"role {json.dumps(r)} is not in special_tokens")
    if arch_type == "encoder-decoder":
        for role in ("bos", "eos"):
            if role not in specials:
                raise FormatError(pointer("tokenizer", "special_tokens", role),
                                  f"missing: encoder-decoder models need a {role} token")
            if specials[role] not in tvocab:
                raise FormatError(pointer("tokenizer", "special_tokens", role),
                                  f"token {json.dumps(specials[role])} is not in the target vocabulary")


class Tokenizer:
    """The tokenizer of docs/model-format.md.

    Rules, in order, for one side (source or target) of the model:

    1. special-token strings (the values of ``special_tokens`` that exist in
       that side's vocabulary) are recognised verbatim (case-sensitive, before
       lower-casing) anywhere in the text; at a position where several match,
       the longest wins;
    2. the text between them is lower-cased (ASCII A–Z only) if ``lowercase``;
    3. ``char``: every Unicode code point is a token (white space included);
       ``word``: split on ASCII white space, and with ``split_punctuation``
       (default true) every ASCII punctuation character is its own token;
    4. tokens not in the vocabulary become ``unk``; without ``unk`` that is an error.

    :meth:`encode_source` adds ``source_prefix`` / ``source_suffix``;
    :meth:`encode_target` adds nothing (the decoder input is ``[bos] + it``).
    """

    def __init__(self, spec: Dict[str, Any]):
        self.spec = spec
        self.type = spec["type"]
        self.lowercase = bool(spec.get("lowercase", False))
        self.split_punctuation = bool(spec.get("split_punctuation", True))
        self.vocab: List[str] = list(spec["vocab"])
        self.target_vocab: List[str] = list(spec.get("target_vocab", spec["vocab"]))
        self.special_tokens: Dict[str, str] = dict(spec.get("special_tokens", {}))
        self.source_prefix: List[str] = list(spec.get("source_prefix", []))
        self.source_suffix: List[str] = list(spec.get("source_suffix", []))
        self._index = {"source": {s: i for i, s in enumerate(self.vocab)},
                       "target": {s: i for i, s in enumerate(self.target_vocab)}}
        self._specials = {}
        for side, index in self._index.items():
            strings = {s for s in self.special_tokens.values() if s in index}
            self._specials[side] = sorted(strings, key=lambda s: (-len(s), s))

    # -- lookups ----------------------------------------------------------
    def vocabulary(self, side: str = "source") -> List[str]:
        return self.vocab if side == "source" else self.target_vocab

    def special_id(self, role: str, side: str = "source") -> Optional[int]:
        s = self.special_tokens.get(role)
        if s is None:
            return None
        return self._index[side].get(s)

    # -- splitting --------------------------------------------------------
    def _split_plain(self, text: str) -> List[str]:
        if self.lowercase:
            text = text.translate(_ASCII_LOWER)
        if self.type == "char":
            return list(text)
        words: List[str] = []
        cur: List[str] = []
        for ch in text:
            if ch in ASCII_WHITESPACE:
                if cur:
                    words.append("".join(cur))
                    cur = []
            elif self.split_punctuation and ch in ASCII_PUNCTUATION:
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
        return words

    def tokenize(self, text: str, side: str = "source") -> List[str]:
        """Text → token strings (before vocabulary lookup; specials kept verbatim)."""
        specials = self._specials[side]
        out: List[str] = []
        start = 0
        i = 0
        n = len(text)
        while i < n:
            match = None
            for s in specials:
                if text.startswith(s, i):
                    match = s
                    break
            if match is None:
                i += 1
                continue
            out.extend(self._split_plain(text[start:i]))
            out.append(match)
            i += len(match)
            start = i
        out.extend(self._split_plain(text[start:]))
        return out

    def encode(self, text: str, side: str = "source") -> List[int]:
        """Text → ids, without prefix/suffix specials."""
        index = self._index[side]
        unk = self.special_id("unk", side)
        ids = []
        for tok in self.tokenize(text, side):
            i = index.get(tok)
            if i is None:
                if unk is None:
                    raise TokenizeError(f"token {tok!r} is not in the {side} vocabulary "
                                        f"and the tokenizer has no unk token")
                i = unk
            ids.append(i)
        return ids

    def encode_source(self, text: str) -> List[int]:
        """Full source (encoder input, or decoder-only input) with prefix/suffix specials."""
        pre = [self.special_id(r, "source") for r in self.source_prefix]
        suf = [self.special_id(r, "source") for r in self.source_suffix]
        return pre + self.encode(text, "source") + suf

    def encode_target(self, text: str) -> List[int]:
        return self.encode(text, "target")

    def decode(self, ids: Iterable[int], side: str = "source", skip_special: bool = False) -> str:
        vocab = self.vocabulary(side)
        specials = set(self.special_tokens.values())
        toks = [vocab[i] for i in ids if not (skip_special and vocab[i] in specials)]
        return "".join(toks) if self.type == "char" else " ".join(toks)


# --------------------------------------------------------------------------
# Whole documents
# --------------------------------------------------------------------------

def validate_document(doc: Any, file: Optional[str] = None) -> Dict[str, np.ndarray]:
    """Check a parsed document like the C++ loader does; return decoded weights.

    Raises FormatError (with ``file`` set) on the first problem found.
    """
    try:
        return _validate(doc)
    except FormatError as e:
        raise e.with_file(file) if file else e


def _validate(doc: Any) -> Dict[str, np.ndarray]:
    if not isinstance(doc, dict):
        raise FormatError("/", f"expected object, got {_type_name(doc)}")
    for key in ("format", "version", "name", "description", "architecture", "tokenizer", "weights"):
        if key not in doc:
            raise FormatError(pointer(key), "missing required key")
    if doc["format"] != FORMAT:
        raise FormatError("/format", f'expected "{FORMAT}"')
    if not _is_int(doc["version"]):
        raise FormatError("/version", f"expected integer, got {_type_name(doc['version'])}")
    if doc["version"] != VERSION:
        raise FormatError("/version", f"unsupported version {doc['version']} (this build reads version 1)")
    for key in ("name", "description"):
        if not isinstance(doc[key], str):
            raise FormatError(pointer(key), f"expected string, got {_type_name(doc[key])}")
    arch = normalize_arch(doc["architecture"])
    tok = doc["tokenizer"]
    validate_tokenizer(tok, arch["type"])
    if "examples" in doc:
        ex = doc["examples"]
        if not isinstance(ex, list):
            raise FormatError("/examples", f"expected array, got {_type_name(ex)}")
        for i, e in enumerate(ex):
            if not isinstance(e, dict) or "text" not in e or not isinstance(e["text"], str):
                raise FormatError(pointer("examples", i), 'expected {"text": string, "target"?: string}')
            if "target" in e and not isinstance(e["target"], str):
                raise FormatError(pointer("examples", i, "target"), "expected string")
    weights = doc["weights"]
    if not isinstance(weights, dict):
        raise FormatError("/weights", f"expected object, got {_type_name(weights)}")
    expected = expected_weight_shapes(arch, tok)
    for name in weights:
        if name not in expected:
            raise FormatError(pointer("weights", name), "unexpected tensor (not used by this architecture)")
    out: Dict[str, np.ndarray] = {}
    for name, shape in expected.items():
        ptr = pointer("weights", name)
        if name not in weights:
            raise FormatError(ptr, "missing tensor")
        obj = weights[name]
        if isinstance(obj, dict) and isinstance(obj.get("shape"), list) and \
                [s for s in obj["shape"]] != list(shape) and \
                all(_is_int(s) for s in obj["shape"]):
            raise FormatError(ptr, f"expected shape {list(shape)}, got {obj['shape']}")
        out[name] = decode_tensor(obj, ptr)
    return out


def read_document(path: str) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
    """Read and check a model file. Returns (document, {name: float32 array})."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError("/", f"invalid JSON: {e}", path)
    weights = validate_document(doc, path)
    return doc, weights


# --------------------------------------------------------------------------
# Deterministic JSON output
# --------------------------------------------------------------------------

class F32(float):
    """A float written as the shortest decimal that reads back as the same float32
    (e.g. 0.1 instead of 0.10000000149011612). Used for golden values, not weights."""

    __slots__ = ()

    def json(self) -> str:
        text = str(np.float32(self))
        if text in ("inf", "-inf", "nan"):
            raise ValueError("non-finite number cannot be written as JSON")
        return text


def _number_list(v: List[Any]) -> str:
    parts = []
    for x in v:
        if isinstance(x, F32):
            parts.append(x.json())
        else:
            _check_finite(x)
            parts.append(json.dumps(x, ensure_ascii=False, allow_nan=False))
    return "[" + ", ".join(parts) + "]"


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def _check_finite(v: Any) -> None:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("non-finite number cannot be written as JSON")


def _inline(v: Any) -> bool:
    if _is_scalar(v):
        return True
    if isinstance(v, list):
        return all(_is_scalar(x) for x in v)
    if isinstance(v, dict):
        if "shape" in v and ("b64" in v or "data" in v):
            return True  # a tensor: one line
        return all(_is_scalar(x) for x in v.values()) and len(json.dumps(v, ensure_ascii=False)) <= 100
    return False


def _dump(v: Any, level: int, out: List[str]) -> None:
    if _inline(v):
        if isinstance(v, list):
            out.append(_number_list(v))
        elif isinstance(v, F32):
            out.append(v.json())
        else:
            out.append(json.dumps(v, ensure_ascii=False, allow_nan=False, separators=(", ", ": ")))
        return
    pad = "  " * (level + 1)
    end = "  " * level
    if isinstance(v, list):
        if not v:
            out.append("[]")
            return
        out.append("[\n")
        for i, x in enumerate(v):
            out.append(pad)
            _dump(x, level + 1, out)
            out.append(",\n" if i + 1 < len(v) else "\n")
        out.append(end + "]")
    elif isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        out.append("{\n")
        items = list(v.items())
        for i, (k, x) in enumerate(items):
            out.append(pad + json.dumps(str(k), ensure_ascii=False) + ": ")
            _dump(x, level + 1, out)
            out.append(",\n" if i + 1 < len(items) else "\n")
        out.append(end + "}")
    else:
        raise TypeError(f"cannot write {type(v).__name__} as JSON")


def dumps(obj: Any) -> str:
    """Deterministic JSON: 2-space indent, arrays of numbers and tensors on one line."""
    out: List[str] = []
    _dump(obj, 0, out)
    out.append("\n")
    return "".join(out)


def write_json(path: str, obj: Any) -> None:
    text = dumps(obj)
    json.loads(text)  # self-check
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
