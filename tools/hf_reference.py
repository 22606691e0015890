#!/usr/bin/python3
"""Independent torch reference for Hugging Face model folders (GPT-2, BERT, DistilBERT, RoBERTa).

The modules below are written from the published semantics of Hugging Face's modeling code
(GPT2LMHeadModel, BertModel / BertForMaskedLM, RobertaForMaskedLM, DistilBertForMaskedLM); the
``transformers`` package is not used. Parameter names equal the checkpoint names with the
base-model prefix stripped, so a folder's tensors load with ``load_state_dict(strict=True)``.
Every forward takes one sequence of ids (batch 1) and returns a :class:`RefOutput` with

* ``attentions``: per layer a tensor (H, T, T) of post-softmax probabilities, rows = queries;
* ``hidden_states``: the embedding output and every layer's output, each (T, C);
* ``logits``: (T, V), or None for a bare ``BertModel``.

It also holds the project's safetensors reader/writer (F32, F16, BF16, F64, I64, I32, I16, I8,
U8, BOOL), shared with bin_to_safetensors.py and make_hf_goldens.py, and :func:`load_folder`,
which opens an HF folder (single file or sharded index) the way the reference needs it.

Dimension letters: T sequence length, C model width, H heads, D head width (C / H), F MLP
width, V vocabulary, P positions.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["RefOutput", "GPT2LMHead", "BertModel", "BertForMaskedLM", "RobertaForMaskedLM",
           "DistilBertForMaskedLM", "build_model", "family_of", "load_folder", "canonical_state",
           "write_safetensors", "read_safetensors", "read_safetensors_header", "ST_DTYPES",
           "create_sinusoidal_embeddings", "activation"]


# --------------------------------------------------------------------------
# safetensors
# --------------------------------------------------------------------------

# safetensors dtype name -> (torch dtype, bytes per element)
ST_DTYPES: Dict[str, Tuple[torch.dtype, int]] = {
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4),
    "I16": (torch.int16, 2), "I8": (torch.int8, 1), "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1),
}
_TORCH_TO_ST = {v[0]: k for k, v in ST_DTYPES.items()}
# numpy has no bfloat16: such tensors travel through a same-width integer view.
_RAW_VIEW = {2: (torch.int16, "<i2"), 4: (torch.int32, "<i4"), 8: (torch.int64, "<i8"), 1: (torch.uint8, "u1")}


def tensor_bytes(t: torch.Tensor) -> bytes:
    """Little-endian raw bytes of a tensor (made contiguous first; any dtype of ST_DTYPES)."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    width = ST_DTYPES[_TORCH_TO_ST[t.dtype]][1]
    view_dtype, np_dtype = _RAW_VIEW[width]
    raw = t.reshape(-1).view(view_dtype).numpy() if t.numel() else np.zeros(0, np_dtype)
    return np.ascontiguousarray(raw, dtype=np_dtype).tobytes()


def write_safetensors(path: str, tensors: Dict[str, torch.Tensor],
                      metadata: Optional[Dict[str, str]] = None) -> int:
    """Write ``tensors`` (each in its own dtype) as a safetensors file; returns the data size.

    Layout: 8-byte little-endian header length N, N bytes of JSON header
    ``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`` padded
    with spaces to a multiple of 8, then the raw data; offsets count from the data start.
    Tensors are laid out in name order. Written to PATH.tmp and renamed, so a failed run
    leaves no half file.
    """
    header: Dict[str, Any] = {"__metadata__": dict(metadata or {"format": "pt"})}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": _TORCH_TO_ST[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)
    return offset


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"repeated key {k!r}")
        out[k] = v
    return out


def read_safetensors_header(path: str) -> Tuple[Dict[str, Any], int]:
    """The parsed JSON header of a safetensors file and the byte offset of its data section."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if 8 + n > size:
            raise ValueError(f"{path}: header length {n} runs past the end of the file ({size} bytes)")
        return json.loads(f.read(n).decode("utf-8"), object_pairs_hook=_no_duplicates), 8 + n


def read_safetensors(path: str) -> Dict[str, Tuple[str, torch.Tensor]]:
    """All tensors of a safetensors file: name -> (dtype name, tensor in that dtype).

    Checks what the safetensors library checks: no repeated names, byte lengths that fit
    dtype × shape, and data_offsets that cover the data section exactly, in order, without
    gaps or overlap.
    """
    header, start = read_safetensors_header(path)
    with open(path, "rb") as f:
        raw = f.read()
    spans = sorted((tuple(e["data_offsets"]), k) for k, e in header.items() if k != "__metadata__")
    pos = 0
    for (b, end), k in spans:
        if b != pos or end < b:
            raise ValueError(f"{path}: {k}: data_offsets [{b}, {end}] leave a gap or overlap at byte {pos}")
        pos = end
    if pos != len(raw) - start:
        raise ValueError(f"{path}: tensors cover {pos} bytes of a {len(raw) - start}-byte data section")
    out: Dict[str, Tuple[str, torch.Tensor]] = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dtype, width = ST_DTYPES[e["dtype"]]
        b, end = e["data_offsets"]
        shape = list(e["shape"])
        if end - b != width * int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: {name}: byte length {end - b} does not fit {e['dtype']} {shape}")
        view_dtype, np_dtype = _RAW_VIEW[width]
        arr = np.frombuffer(raw[start + b:start + end], dtype=np_dtype).copy()
        t = torch.from_numpy(arr)
        t = t.to(torch.bool) if dtype == torch.bool else t.view(dtype)
        out[name] = (e["dtype"], t.reshape(shape))
    return out


# --------------------------------------------------------------------------
# Pieces shared by the families
# --------------------------------------------------------------------------

def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """HF's NewGELUActivation (tanh approximation), written exactly as HF computes it."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


_ACTIVATIONS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "gelu": F.gelu,            # erf form (HF GELUActivation)
    "gelu_new": gelu_new,      # tanh form (HF NewGELUActivation)
    "relu": F.relu,
}


def activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name not in _ACTIVATIONS:
        raise ValueError(f"unsupported activation {name!r} (have {sorted(_ACTIVATIONS)})")
    return _ACTIVATIONS[name]


def split_heads(x: torch.Tensor, h: int) -> torch.Tensor:
    """(T, C) -> (H, T, D)."""
    t, c = x.shape
    return x.view(t, h, c // h).permute(1, 0, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(H, T, D) -> (T, C)."""
    h, t, d = x.shape
    return x.permute(1, 0, 2).contiguous().view(t, h * d)


@dataclass
class RefOutput:
    attentions: List[torch.Tensor]      # per layer (H, T, T)
    hidden_states: List[torch.Tensor]   # embeddings + per layer, (T, C)
    logits: Optional[torch.Tensor]      # (T, V) or None


def _ids(ids: Sequence[int]) -> torch.Tensor:
    t = torch.as_tensor(list(ids) if not torch.is_tensor(ids) else ids, dtype=torch.long)
    assert t.dim() == 1, "batch 1: one sequence of ids"
    return t


# --------------------------------------------------------------------------
# GPT-2 (GPT2LMHeadModel)
# --------------------------------------------------------------------------

class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer with weight stored (in, out); y = x @ W + b."""

    def __init__(self, nf: int, nx: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf))   # (in, out)
        self.bias = nn.Parameter(torch.zeros(nf))          # (out,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x, self.weight)


class GPT2Attention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["n_embd"]
        self.n_head = cfg["n_head"]
        self.scale = cfg.get("scale_attn_weights", True)
        self.c_attn = Conv1D(3 * c, c)   # weight (C, 3C): columns [Q | K | V]
        self.c_proj = Conv1D(c, c)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        c = x.shape[-1]
        q, k, v = self.c_attn(x).split(c, dim=-1)                  # (T, C) each
        q, k, v = (split_heads(z, self.n_head) for z in (q, k, v))  # (H, T, D)
        w = torch.matmul(q, k.transpose(-1, -2))                    # (H, T, T)
        if self.scale:
            w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
        t = x.shape[0]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        a = F.softmax(w, dim=-1)                                    # (H, T, T)
        return self.c_proj(merge_heads(torch.matmul(a, v))), a


class GPT2MLP(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["n_embd"]
        f = cfg["n_inner"] if cfg.get("n_inner") is not None else 4 * c   # HF: None means 4·C
        self.c_fc = Conv1D(f, c)      # weight (C, F)
        self.c_proj = Conv1D(c, f)    # weight (F, C)
        self.act = activation(cfg.get("activation_function", "gelu_new"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(self.act(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c, eps = cfg["n_embd"], cfg.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(c, eps=eps)
        self.attn = GPT2Attention(cfg)
        self.ln_2 = nn.LayerNorm(c, eps=eps)
        self.mlp = GPT2MLP(cfg)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        a, probs = self.attn(self.ln_1(x))   # pre-norm
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, probs


class GPT2LMHead(nn.Module):
    """GPT2LMHeadModel with names of the bare GPT2Model (wte, wpe, h.N.*, ln_f); lm_head = wteᵀ."""

    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["n_embd"]
        self.wte = nn.Embedding(cfg["vocab_size"], c)     # (V, C)
        self.wpe = nn.Embedding(cfg["n_positions"], c)    # (P, C)
        self.h = nn.ModuleList(GPT2Block(cfg) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(c, eps=cfg.get("layer_norm_epsilon", 1e-5))

    def forward(self, ids: Sequence[int], token_type_ids: None = None) -> RefOutput:
        assert token_type_ids is None, "GPT-2 has no token types"
        ids = _ids(ids)
        x = self.wte(ids) + self.wpe(torch.arange(ids.numel()))
        hidden, atts = [x], []
        for block in self.h:
            x, a = block(x)
            atts.append(a)
            hidden.append(x)
        x = self.ln_f(x)
        hidden[-1] = x   # HF: the last hidden state is the one after ln_f
        return RefOutput(atts, hidden, torch.matmul(x, self.wte.weight.t()))


# --------------------------------------------------------------------------
# BERT / RoBERTa encoder (post-norm)
# --------------------------------------------------------------------------

class _Linear(nn.Linear):
    """nn.Linear (weight (out, in), y = x Wᵀ + b); named for readability only."""


class BertEmbeddings(nn.Module):
    def __init__(self, cfg: Dict[str, Any], roberta: bool):
        super().__init__()
        c = cfg["hidden_size"]
        self.roberta = roberta
        self.pad = cfg.get("pad_token_id", 1 if roberta else 0)
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], c)                      # (V, C)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], c)     # (P, C)
        self.token_type_embeddings = nn.Embedding(cfg.get("type_vocab_size", 2), c)    # (types, C)
        self.LayerNorm = nn.LayerNorm(c, eps=cfg.get("layer_norm_eps", 1e-12))

    def position_ids(self, ids: torch.Tensor) -> torch.Tensor:
        if not self.roberta:
            return torch.arange(ids.numel())
        # create_position_ids_from_input_ids: pads keep padding_idx, others count up from it + 1.
        mask = (ids != self.pad).long()
        return torch.cumsum(mask, dim=0) * mask + self.pad

    def forward(self, ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(ids) + self.token_type_embeddings(types)
        x = x + self.position_embeddings(self.position_ids(ids))
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["hidden_size"]
        self.n_head = cfg["num_attention_heads"]
        self.query, self.key, self.value = _Linear(c, c), _Linear(c, c), _Linear(c, c)

    def forward(self, x: torch.Tensor, ext_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        q, k, v = (split_heads(m(x), self.n_head) for m in (self.query, self.key, self.value))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])   # (H, T, T)
        a = F.softmax(s + ext_mask, dim=-1)
        return merge_heads(torch.matmul(a, v)), a


class BertSelfOutput(nn.Module):
    def __init__(self, cfg: Dict[str, Any], width_in: int):
        super().__init__()
        c = cfg["hidden_size"]
        self.dense = _Linear(width_in, c)
        self.LayerNorm = nn.LayerNorm(c, eps=cfg.get("layer_norm_eps", 1e-12))

    def forward(self, h: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(h) + residual)   # post-norm


class BertAttention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = BertSelfOutput(cfg, cfg["hidden_size"])


class BertIntermediate(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.dense = _Linear(cfg["hidden_size"], cfg["intermediate_size"])   # weight (F, C)
        self.act = activation(cfg.get("hidden_act", "gelu"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertSelfOutput(cfg, cfg["intermediate_size"])   # HF's BertOutput: same shape

    def forward(self, x: torch.Tensor, ext_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        ctx, a = self.attention.self(x, ext_mask)
        x = self.attention.output(ctx, x)
        return self.output(self.intermediate(x), x), a


class BertEncoder(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(cfg) for _ in range(cfg["num_hidden_layers"]))


def extended_mask(attention_mask: Optional[Sequence[int]], t: int, dtype: torch.dtype) -> torch.Tensor:
    """HF's extended attention mask: 0 for keys kept, finfo.min for padding keys; shape (1, 1, T)."""
    if attention_mask is None:
        return torch.zeros(1, 1, t, dtype=dtype)
    m = torch.as_tensor(list(attention_mask), dtype=dtype).view(1, 1, t)
    return (1.0 - m) * torch.finfo(dtype).min


class BertModel(nn.Module):
    """BertModel (also RoBERTa's encoder with ``roberta=True``). The pooler is not computed."""

    def __init__(self, cfg: Dict[str, Any], roberta: bool = False):
        super().__init__()
        self.embeddings = BertEmbeddings(cfg, roberta)
        self.encoder = BertEncoder(cfg)

    def encode(self, ids: Sequence[int], token_type_ids: Optional[Sequence[int]] = None,
               attention_mask: Optional[Sequence[int]] = None) -> RefOutput:
        ids = _ids(ids)
        types = torch.zeros_like(ids) if token_type_ids is None else _ids(token_type_ids)
        x = self.embeddings(ids, types)
        ext = extended_mask(attention_mask, ids.numel(), x.dtype)
        hidden, atts = [x], []
        for layer in self.encoder.layer:
            x, a = layer(x, ext)
            atts.append(a)
            hidden.append(x)
        return RefOutput(atts, hidden, None)

    def forward(self, ids: Sequence[int], token_type_ids: Optional[Sequence[int]] = None,
                attention_mask: Optional[Sequence[int]] = None) -> RefOutput:
        return self.encode(ids, token_type_ids, attention_mask)


class _Transform(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["hidden_size"]
        self.dense = _Linear(c, c)
        self.LayerNorm = nn.LayerNorm(c, eps=cfg.get("layer_norm_eps", 1e-12))


class _Predictions(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.transform = _Transform(cfg)
        self.bias = nn.Parameter(torch.zeros(cfg["vocab_size"]))   # (V,): the decoder's bias


class _Cls(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.predictions = _Predictions(cfg)


class BertForMaskedLM(nn.Module):
    """bert.* + cls.predictions.{transform.dense, transform.LayerNorm, bias}; decoder = word embeddingsᵀ."""

    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.bert = BertModel(cfg)
        self.cls = _Cls(cfg)
        self.act = activation(cfg.get("hidden_act", "gelu"))   # the transform uses hidden_act

    def forward(self, ids, token_type_ids=None, attention_mask=None) -> RefOutput:
        out = self.bert.encode(ids, token_type_ids, attention_mask)
        p = self.cls.predictions
        x = p.transform.LayerNorm(self.act(p.transform.dense(out.hidden_states[-1])))
        out.logits = torch.matmul(x, self.bert.embeddings.word_embeddings.weight.t()) + p.bias
        return out


class _RobertaLMHead(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["hidden_size"]
        self.dense = _Linear(c, c)
        self.layer_norm = nn.LayerNorm(c, eps=cfg.get("layer_norm_eps", 1e-5))
        self.bias = nn.Parameter(torch.zeros(cfg["vocab_size"]))


class RobertaForMaskedLM(nn.Module):
    """roberta.* + lm_head.{dense, layer_norm, bias}; decoder = word embeddingsᵀ.

    HF's RobertaLMHead applies the erf GELU whatever ``hidden_act`` says.
    """

    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.roberta = BertModel(cfg, roberta=True)
        self.lm_head = _RobertaLMHead(cfg)

    def forward(self, ids, token_type_ids=None, attention_mask=None) -> RefOutput:
        out = self.roberta.encode(ids, token_type_ids, attention_mask)
        h = self.lm_head
        x = h.layer_norm(F.gelu(h.dense(out.hidden_states[-1])))
        out.logits = torch.matmul(x, self.roberta.embeddings.word_embeddings.weight.t()) + h.bias
        return out


# --------------------------------------------------------------------------
# DistilBERT (DistilBertForMaskedLM)
# --------------------------------------------------------------------------

def create_sinusoidal_embeddings(n_pos: int, dim: int) -> torch.Tensor:
    """HF's create_sinusoidal_embeddings: float64 numpy table, rounded once to float32 (P, C)."""
    position_enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)]
                             for pos in range(n_pos)])
    out = torch.empty(n_pos, dim)
    out[:, 0::2] = torch.FloatTensor(np.sin(position_enc[:, 0::2]))
    out[:, 1::2] = torch.FloatTensor(np.cos(position_enc[:, 1::2]))
    return out


class DistilEmbeddings(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["dim"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], c)                    # (V, C)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], c)   # (P, C)
        self.LayerNorm = nn.LayerNorm(c, eps=1e-12)   # hard-coded in HF

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(ids) + self.position_embeddings(torch.arange(ids.numel()))
        return self.LayerNorm(x)


class DistilAttention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["dim"]
        self.n_heads = cfg["n_heads"]
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (_Linear(c, c) for _ in range(4))

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        q, k, v = (split_heads(m(x), self.n_heads) for m in (self.q_lin, self.k_lin, self.v_lin))
        q = q / math.sqrt(q.shape[-1])   # DistilBERT scales q before the product
        s = torch.matmul(q, k.transpose(-1, -2))                                  # (H, T, T)
        s = s.masked_fill(~keep.view(1, 1, -1), torch.finfo(s.dtype).min)
        a = F.softmax(s, dim=-1)
        return self.out_lin(merge_heads(torch.matmul(a, v))), a


class DistilFFN(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.lin1 = _Linear(cfg["dim"], cfg["hidden_dim"])
        self.lin2 = _Linear(cfg["hidden_dim"], cfg["dim"])
        self.act = activation(cfg.get("activation", "gelu"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin2(self.act(self.lin1(x)))


class DistilBlock(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.attention = DistilAttention(cfg)
        self.sa_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)
        self.ffn = DistilFFN(cfg)
        self.output_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        sa, a = self.attention(x, keep)
        x = self.sa_layer_norm(sa + x)
        return self.output_layer_norm(self.ffn(x) + x), a


class _DistilTransformer(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.layer = nn.ModuleList(DistilBlock(cfg) for _ in range(cfg["n_layers"]))


class _DistilBody(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.embeddings = DistilEmbeddings(cfg)
        self.transformer = _DistilTransformer(cfg)


class _BiasOnly(nn.Module):
    def __init__(self, n: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n))


class DistilBertForMaskedLM(nn.Module):
    """distilbert.* + vocab_transform, vocab_layer_norm, vocab_projector.bias (weight = word embeddings)."""

    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        c = cfg["dim"]
        self.distilbert = _DistilBody(cfg)
        self.vocab_transform = _Linear(c, c)
        self.vocab_layer_norm = nn.LayerNorm(c, eps=1e-12)
        self.vocab_projector = _BiasOnly(cfg["vocab_size"])
        self.act = activation(cfg.get("activation", "gelu"))

    def forward(self, ids, token_type_ids=None, attention_mask=None) -> RefOutput:
        ids = _ids(ids)
        keep = (torch.ones(ids.numel(), dtype=torch.bool) if attention_mask is None
                else torch.as_tensor(list(attention_mask)).bool())
        x = self.distilbert.embeddings(ids)
        hidden, atts = [x], []
        for block in self.distilbert.transformer.layer:
            x, a = block(x, keep)
            atts.append(a)
            hidden.append(x)
        y = self.vocab_layer_norm(self.act(self.vocab_transform(x)))
        logits = torch.matmul(y, self.distilbert.embeddings.word_embeddings.weight.t()) + self.vocab_projector.bias
        return RefOutput(atts, hidden, logits)


# --------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------

_ARCH_FAMILY = {
    "GPT2LMHeadModel": "gpt2", "GPT2Model": "gpt2",
    "BertForMaskedLM": "bert", "BertModel": "bert", "BertForPreTraining": "bert",
    "RobertaForMaskedLM": "roberta", "DistilBertForMaskedLM": "distilbert",
}


def family_of(cfg: Dict[str, Any]) -> str:
    mt = cfg.get("model_type")
    if mt not in ("gpt2", "bert", "roberta", "distilbert"):
        raise ValueError(f"unsupported model_type {mt!r}")
    for a in cfg.get("architectures") or []:
        if _ARCH_FAMILY.get(a, mt) != mt:
            raise ValueError(f"architecture {a!r} does not belong to model_type {mt!r}")
    return mt


def _is_bare_bert(cfg: Dict[str, Any]) -> bool:
    return cfg.get("model_type") == "bert" and (cfg.get("architectures") or ["BertForMaskedLM"])[0] == "BertModel"


def build_model(cfg: Dict[str, Any]) -> nn.Module:
    fam = family_of(cfg)
    if fam == "gpt2":
        return GPT2LMHead(cfg)
    if fam == "bert":
        return BertModel(cfg) if _is_bare_bert(cfg) else BertForMaskedLM(cfg)
    if fam == "roberta":
        return RobertaForMaskedLM(cfg)
    return DistilBertForMaskedLM(cfg)


# Checkpoint tensors that are not parameters of the reference: buffers, tied copies, unused heads.
def _ignored(fam: str, name: str) -> bool:
    if name.endswith("embeddings.position_ids") or ".pooler." in name or name.startswith("pooler."):
        return True
    if fam == "gpt2":
        return name.endswith(".attn.bias") or name.endswith(".attn.masked_bias") or name == "lm_head.weight"
    if fam == "bert":
        return name.startswith("cls.predictions.decoder.") or name.startswith("cls.seq_relationship.")
    if fam == "roberta":
        return name.startswith("lm_head.decoder.")
    return name == "vocab_projector.weight"


def canonical_state(cfg: Dict[str, Any], tensors: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
    """Checkpoint names -> the reference's parameter names (float32).

    Legacy LayerNorm names (``.gamma``/``.beta``) become ``.weight``/``.bias``; GPT-2's optional
    ``transformer.`` prefix is dropped. Returns (parameters, ignored tensors).
    """
    fam = family_of(cfg)
    params, ignored = {}, {}
    for name, t in tensors.items():
        n = name
        if n.endswith(".gamma"):
            n = n[:-6] + ".weight"
        elif n.endswith(".beta"):
            n = n[:-5] + ".bias"
        if fam == "gpt2" and n.startswith("transformer."):
            n = n[len("transformer."):]
        if _ignored(fam, n):
            ignored[n] = t
        elif not t.is_floating_point():
            raise ValueError(f"{name}: a weight must be floating point, not {t.dtype}")
        else:
            params[n] = t.to(torch.float32)
    return params, ignored


def folder_tensors(folder: str) -> Dict[str, Tuple[str, torch.Tensor]]:
    """Every tensor of a folder: model.safetensors, or the shards named by model.safetensors.index.json."""
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            wm = json.load(f)["weight_map"]
        out: Dict[str, Tuple[str, torch.Tensor]] = {}
        for shard in sorted(set(wm.values())):
            part = read_safetensors(os.path.join(folder, shard))
            for name, v in part.items():
                if wm.get(name) != shard:
                    raise ValueError(f"{shard}: {name} is not mapped to this shard by the index")
                out[name] = v
        missing = set(wm) - set(out)
        if missing:
            raise ValueError(f"index names tensors no shard holds: {sorted(missing)}")
        return out
    return read_safetensors(os.path.join(folder, "model.safetensors"))


def load_folder(folder: str) -> Tuple[Dict[str, Any], nn.Module, str]:
    """(config, float32 reference module in eval mode, dtype of the weights) for an HF folder.

    Low-precision weights (F16 / BF16) are widened to float32 exactly, so the reference runs
    on the rounded values the file holds.
    """
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    raw = folder_tensors(folder)
    dtypes = sorted({d for n, (d, _) in raw.items() if d in ("F32", "F16", "BF16")})
    params, ignored = canonical_state(cfg, {n: t for n, (_, t) in raw.items()})
    for n, t in params.items():
        if not torch.isfinite(t).all():
            bad = int((~torch.isfinite(t)).reshape(-1).nonzero()[0])
            raise ValueError(f"{n}: non-finite value at flat index {bad}")
    model = build_model(cfg)
    model.load_state_dict(params, strict=True)
    _check_ties(cfg, model, ignored)
    model.eval()
    return cfg, model, "+".join(dtypes)


def _check_ties(cfg: Dict[str, Any], model: nn.Module, ignored: Dict[str, torch.Tensor]) -> None:
    """A stored copy of a tied matrix must equal the embeddings it is tied to."""
    fam = family_of(cfg)
    tied = {"gpt2": "lm_head.weight", "bert": "cls.predictions.decoder.weight",
            "roberta": "lm_head.decoder.weight", "distilbert": "vocab_projector.weight"}[fam]
    if tied in ignored:
        sd = model.state_dict()
        emb = next(v for k, v in sd.items() if k.endswith("word_embeddings.weight") or k == "wte.weight")
        if not torch.equal(ignored[tied].to(torch.float32), emb):
            raise ValueError(f"{tied} is stored but differs from the embeddings it is tied to")
