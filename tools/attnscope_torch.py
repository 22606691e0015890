"""PyTorch side of AttnScope: a transformer module that matches the model format.

:class:`AttnScopeTransformer` owns the token embeddings, the position encoding,
torch's own ``nn.TransformerEncoder`` / ``nn.TransformerDecoder`` stacks and the
output head, and computes exactly the *Layer equations* of
docs/model-format.md. Training scripts build it from an architecture dict::

    from attnscope_torch import AttnScopeTransformer, Tokenizer
    arch = {"type": "decoder", "d_model": 64, "n_heads": 4, "d_ff": 256,
            "encoder_layers": 0, "decoder_layers": 2, "activation": "gelu",
            "norm": "pre", "layer_norm_eps": 1e-5, "positional": "learned",
            "max_len": 128, "bias": True, "tied_output": True}
    model = AttnScopeTransformer(arch, vocab_size=len(tokenizer_spec["vocab"]), dropout=0.1)
    logits = model(src_ids)                       # [B, T, V] (or [T, V] for 1-D ids)
    ...
    from export_torch import export_model
    export_model(model, tokenizer_spec, "model.json", name="My LM")

and :func:`load_model` reads a model file back into the module.

Inputs are token-id tensors, batch first (``[B, T]``) or a single sequence
(``[T]`` or a Python list). Internally the torch layers run sequence-first
(``batch_first=False``), which keeps torch 1.13's fused "fast path" off so that
every attention goes through ``MultiheadAttention.forward`` (hooks and
:func:`capture_attention` work, and the math is the documented one).
"""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from attnscope_format import (FormatError, Tokenizer, TokenizeError, expected_weight_shapes,
                              normalize_arch, read_document, vocab_sizes)

__all__ = ["AttnScopeTransformer", "Tokenizer", "TokenizeError", "FormatError",
           "sinusoidal_table", "causal_mask", "load_model", "save_checkpoint", "capture_attention",
           "attention_modules", "stack_weights", "load_stack_weights"]

IdsLike = Union[torch.Tensor, Sequence[int], np.ndarray]


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """The spec's sinusoidal table, computed in float64 and rounded once to float32.

    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)).
    """
    pos = np.arange(max_len, dtype=np.float64)[:, None]
    col = np.arange(d_model)
    two_i = (col - (col % 2)).astype(np.float64)           # 2i for both columns of a pair
    angle = pos / np.power(10000.0, two_i / d_model)[None, :]
    pe = np.where(col % 2 == 0, np.sin(angle), np.cos(angle))
    return torch.from_numpy(pe.astype(np.float32))


def causal_mask(size: int, device: Optional[torch.device] = None) -> torch.Tensor:
    """Float mask with −inf above the diagonal (torch's generate_square_subsequent_mask)."""
    return torch.triu(torch.full((size, size), float("-inf"), device=device), diagonal=1)


def _make_mha(d: int, h: int, dropout: float, bias: bool) -> nn.MultiheadAttention:
    return nn.MultiheadAttention(d, h, dropout=dropout, bias=bias, batch_first=False)


def _make_layer(arch: Dict[str, Any], dropout: float, cross: bool) -> nn.Module:
    d, h, f = arch["d_model"], arch["n_heads"], arch["d_ff"]
    cls = nn.TransformerDecoderLayer if cross else nn.TransformerEncoderLayer
    layer = cls(d, h, dim_feedforward=f, dropout=dropout, activation=arch["activation"],
                layer_norm_eps=arch["layer_norm_eps"], batch_first=False,
                norm_first=(arch["norm"] == "pre"))
    if not arch["bias"]:
        # torch 1.13 layers have no bias=False switch: swap in bias-free parts.
        layer.self_attn = _make_mha(d, h, dropout, bias=False)
        if cross:
            layer.multihead_attn = _make_mha(d, h, dropout, bias=False)
        layer.linear1 = nn.Linear(d, f, bias=False)
        layer.linear2 = nn.Linear(f, d, bias=False)
    return layer


class AttnScopeTransformer(nn.Module):
    """Embeddings + torch transformer stack(s) + output head, per the AttnScope format.

    Submodules (names used by :meth:`format_weights`):

    ``encoder_embed``, ``encoder_pos`` (learned only), ``encoder`` (nn.TransformerEncoder)
        for ``encoder`` and ``encoder-decoder`` models;
    ``decoder_embed``, ``decoder_pos`` (learned only), ``decoder``
        (nn.TransformerDecoder for ``encoder-decoder``; nn.TransformerEncoder run
        with a causal mask for ``decoder``);
    ``lm_head`` (nn.Linear; with ``tied_output`` its weight *is* the embedding).
    """

    def __init__(self, arch: Dict[str, Any], vocab_size: int,
                 target_vocab_size: Optional[int] = None, dropout: float = 0.0):
        super().__init__()
        self.arch = normalize_arch(arch)
        a = self.arch
        self.type = a["type"]
        self.d_model = a["d_model"]
        self.max_len = a["max_len"]
        self.has_encoder = self.type in ("encoder", "encoder-decoder")
        self.has_decoder = self.type in ("decoder", "encoder-decoder")
        if target_vocab_size is not None and self.type != "encoder-decoder":
            raise ValueError("target_vocab_size is only meaningful for encoder-decoder models")
        self.vocab_size = vocab_size
        self.target_vocab_size = target_vocab_size if target_vocab_size is not None else vocab_size
        d, eps = a["d_model"], a["layer_norm_eps"]
        learned = a["positional"] == "learned"

        self.encoder_embed = self.encoder_pos = self.encoder = None
        self.decoder_embed = self.decoder_pos = self.decoder = None
        if self.has_encoder:
            self.encoder_embed = nn.Embedding(vocab_size, d)
            self.encoder_pos = nn.Embedding(a["max_len"], d) if learned else None
            self.encoder = nn.TransformerEncoder(
                _make_layer(a, dropout, cross=False), a["encoder_layers"],
                norm=nn.LayerNorm(d, eps=eps) if a["final_norm"] else None,
                enable_nested_tensor=False)
        if self.has_decoder:
            dec_vocab = self.target_vocab_size if self.type == "encoder-decoder" else vocab_size
            self.decoder_embed = nn.Embedding(dec_vocab, d)
            self.decoder_pos = nn.Embedding(a["max_len"], d) if learned else None
            norm = nn.LayerNorm(d, eps=eps) if a["final_norm"] else None
            if self.type == "encoder-decoder":
                self.decoder = nn.TransformerDecoder(_make_layer(a, dropout, cross=True),
                                                     a["decoder_layers"], norm=norm)
            else:
                self.decoder = nn.TransformerEncoder(_make_layer(a, dropout, cross=False),
                                                     a["decoder_layers"], norm=norm,
                                                     enable_nested_tensor=False)
        if not learned:
            self.register_buffer("pe", sinusoidal_table(a["max_len"], d), persistent=False)
        else:
            self.pe = None
        out_vocab = self.target_vocab_size if self.type == "encoder-decoder" else vocab_size
        self.lm_head = nn.Linear(d, out_vocab, bias=a["bias"])
        self.reset_parameters()

    @classmethod
    def from_config(cls, arch: Dict[str, Any], tokenizer: Union[Dict[str, Any], Tokenizer],
                    dropout: float = 0.0) -> "AttnScopeTransformer":
        """Build from an architecture dict and a tokenizer dict (or Tokenizer)."""
        spec = tokenizer.spec if isinstance(tokenizer, Tokenizer) else tokenizer
        vs, vt = vocab_sizes(spec)
        tv = vt if normalize_arch(arch)["type"] == "encoder-decoder" else None
        return cls(arch, vs, tv, dropout=dropout)

    # -- parameters -------------------------------------------------------
    def output_embedding(self) -> nn.Embedding:
        """The embedding a tied head reuses (decoder's if there is a decoder)."""
        return self.decoder_embed if self.has_decoder else self.encoder_embed

    def tie_weights(self) -> None:
        if self.arch["tied_output"]:
            self.lm_head.weight = self.output_embedding().weight

    def reset_parameters(self) -> None:
        """nn.Transformer-style init: xavier-uniform matrices, fresh per layer; zero biases."""
        for module in self.modules():
            if isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif not name.endswith(("norm.weight", "norm1.weight", "norm2.weight", "norm3.weight",
                                    "norm.bias", "norm1.bias", "norm2.bias", "norm3.bias")):
                nn.init.zeros_(p)
        self.tie_weights()

    # -- helpers ----------------------------------------------------------
    def _as_ids(self, ids: IdsLike) -> Tuple[torch.Tensor, bool]:
        """→ ([T, B] long tensor on the model's device, was_single)."""
        if not torch.is_tensor(ids):
            ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
        ids = ids.to(device=self.lm_head.weight.device, dtype=torch.long)
        if ids.dim() == 1:
            return ids.unsqueeze(1), True
        if ids.dim() != 2:
            raise ValueError(f"ids must be [T] or [B, T], got shape {tuple(ids.shape)}")
        return ids.t(), False

    def embed(self, ids_tb: torch.Tensor, side: str) -> torch.Tensor:
        """x_t = E[token_t]·(√d if scale_embeddings) + PE[t]; ids [T, B] → [T, B, d]."""
        emb = self.encoder_embed if side == "encoder" else self.decoder_embed
        pos = self.encoder_pos if side == "encoder" else self.decoder_pos
        t = ids_tb.shape[0]
        if t > self.max_len:
            raise ValueError(f"sequence of {t} tokens is longer than max_len {self.max_len}")
        x = emb(ids_tb)
        if self.arch["scale_embeddings"]:
            x = x * math.sqrt(self.d_model)
        pe = pos.weight[:t] if pos is not None else self.pe[:t]
        return x + pe.unsqueeze(1)

    def encode(self, src_tb: torch.Tensor,
               src_key_padding_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Encoder stack output (memory), [T, B, d], after encoder.norm if any."""
        return self.encoder(self.embed(src_tb, "encoder"),
                            src_key_padding_mask=src_key_padding_mask)

    def decode(self, tgt_tb: torch.Tensor, memory: Optional[torch.Tensor] = None,
               tgt_key_padding_mask: Optional[torch.Tensor] = None,
               memory_key_padding_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Decoder stack output, [T, B, d], after decoder.norm if any (causal self-attention)."""
        x = self.embed(tgt_tb, "decoder")
        mask = causal_mask(tgt_tb.shape[0], device=x.device)
        if self.type == "decoder":
            return self.decoder(x, mask=mask, src_key_padding_mask=tgt_key_padding_mask)
        return self.decoder(x, memory, tgt_mask=mask, tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask)

    def head(self, h: torch.Tensor) -> torch.Tensor:
        return self.lm_head(h)

    # -- forward ----------------------------------------------------------
    def forward(self, src_ids: IdsLike, tgt_ids: Optional[IdsLike] = None,
                src_key_padding_mask: Optional[torch.Tensor] = None,
                tgt_key_padding_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Logits at every position of the top stack.

        * ``encoder``: ``src_ids`` → logits per source position;
        * ``decoder``: ``src_ids`` is the (causal) sequence → next-token logits per position;
        * ``encoder-decoder``: ``src_ids`` feed the encoder, ``tgt_ids`` (starting with bos,
          teacher forcing) the decoder → logits per target position.

        ids are ``[B, T]`` (→ logits ``[B, T, V]``) or ``[T]`` (→ ``[T, V]``). Padding masks
        are ``[B, T]`` bool, True at padding (torch convention).
        """
        src, single = self._as_ids(src_ids)
        if self.type == "encoder":
            if tgt_ids is not None:
                raise ValueError("encoder-only models take no tgt_ids")
            h = self.encode(src, src_key_padding_mask)
        elif self.type == "decoder":
            if tgt_ids is not None:
                raise ValueError("decoder-only models take the whole sequence as src_ids")
            h = self.decode(src, tgt_key_padding_mask=src_key_padding_mask)
        else:
            if tgt_ids is None:
                raise ValueError("encoder-decoder models need tgt_ids (starting with bos)")
            tgt, single_t = self._as_ids(tgt_ids)
            if single_t != single:
                raise ValueError("src_ids and tgt_ids must both be batched or both single")
            memory = self.encode(src, src_key_padding_mask)
            h = self.decode(tgt, memory, tgt_key_padding_mask, src_key_padding_mask)
        logits = self.head(h).transpose(0, 1)   # [B, T, V]
        return logits[0] if single else logits

    @torch.no_grad()
    def greedy(self, src_ids: IdsLike, bos_id: Optional[int] = None, eos_id: Optional[int] = None,
               max_len: Optional[int] = None) -> List[int]:
        """Greedy decoding of one sequence; returns the generated ids.

        * ``encoder-decoder``: the decoder starts from ``[bos_id]`` and appends the argmax
          until it produces ``eos_id`` or the decoder sequence (bos included) reaches
          ``max_len`` tokens. Returned: the ids after bos (eos included if produced).
        * ``decoder``: appends the argmax to ``src_ids`` until ``eos_id`` or a total
          length of ``max_len``. Returned: the appended ids.

        ``max_len`` defaults to (and may not exceed) the architecture's ``max_len``.
        """
        if self.type == "encoder":
            raise ValueError("greedy decoding needs a decoder")
        limit = self.max_len if max_len is None else min(max_len, self.max_len)
        src, single = self._as_ids(src_ids)
        if not single:
            raise ValueError("greedy() decodes one sequence; pass 1-D ids")
        out: List[int] = []
        if self.type == "encoder-decoder":
            if bos_id is None:
                raise ValueError("encoder-decoder decoding needs bos_id")
            memory = self.encode(src)
            seq = [int(bos_id)]
            while len(seq) < limit:
                tgt = torch.tensor(seq, dtype=torch.long, device=src.device).unsqueeze(1)
                nxt = int(torch.argmax(self.head(self.decode(tgt, memory))[-1, 0]))
                seq.append(nxt)
                out.append(nxt)
                if eos_id is not None and nxt == eos_id:
                    break
        else:
            seq = [int(i) for i in src[:, 0].tolist()]
            while len(seq) < limit:
                tgt = torch.tensor(seq, dtype=torch.long, device=src.device).unsqueeze(1)
                nxt = int(torch.argmax(self.head(self.decode(tgt))[-1, 0]))
                seq.append(nxt)
                out.append(nxt)
                if eos_id is not None and nxt == eos_id:
                    break
        return out

    # -- format weights ---------------------------------------------------
    def format_weights(self) -> Dict[str, torch.Tensor]:
        """Tensors under their model-format names (q/k/v split), canonical order."""
        return stack_weights(
            self.arch, encoder=self.encoder, decoder=self.decoder,
            encoder_embed=self.encoder_embed, encoder_pos=self.encoder_pos,
            decoder_embed=self.decoder_embed, decoder_pos=self.decoder_pos,
            lm_head=self.lm_head, vocab_sizes=(self.vocab_size, self.target_vocab_size))

    @torch.no_grad()
    def load_format_weights(self, weights: Dict[str, Any]) -> None:
        """Inverse of :meth:`format_weights`: copy named tensors into the module."""
        load_stack_weights(self, weights)


# --------------------------------------------------------------------------
# torch modules ↔ format names
# --------------------------------------------------------------------------

def _activation_name(layer: nn.Module) -> str:
    act = getattr(layer, "activation", None)
    if act is F.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is F.gelu or (isinstance(act, nn.GELU) and getattr(act, "approximate", "none") == "none"):
        return "gelu"
    raise ValueError(f"unsupported activation {act!r} (the format knows relu and exact gelu)")


def _attn_weights(prefix: str, mha: nn.MultiheadAttention, d: int, bias: bool,
                  out: Dict[str, torch.Tensor]) -> None:
    if mha.bias_k is not None or mha.bias_v is not None or mha.add_zero_attn:
        raise ValueError(f"{prefix}: add_bias_kv / add_zero_attn are not supported by the format")
    if mha.embed_dim != d:
        raise ValueError(f"{prefix}: embed_dim {mha.embed_dim} != d_model {d}")
    if mha._qkv_same_embed_dim:
        w = mha.in_proj_weight
        q, k, v = w[0:d], w[d:2 * d], w[2 * d:3 * d]
    else:
        q, k, v = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight
        if k.shape[1] != d or v.shape[1] != d:
            raise ValueError(f"{prefix}: kdim/vdim must equal d_model")
    has_bias = mha.in_proj_bias is not None
    if has_bias != bias or (mha.out_proj.bias is not None) != bias:
        raise ValueError(f"{prefix}: bias presence does not match architecture bias={bias}")
    for name, t in (("q_proj", q), ("k_proj", k), ("v_proj", v)):
        out[f"{prefix}.{name}.weight"] = t
        if bias:
            i = ("q_proj", "k_proj", "v_proj").index(name)
            out[f"{prefix}.{name}.bias"] = mha.in_proj_bias[i * d:(i + 1) * d]
    out[f"{prefix}.out_proj.weight"] = mha.out_proj.weight
    if bias:
        out[f"{prefix}.out_proj.bias"] = mha.out_proj.bias


def _layer_weights(prefix: str, layer: nn.Module, arch: Dict[str, Any], cross: bool,
                   out: Dict[str, torch.Tensor]) -> None:
    d, bias = arch["d_model"], arch["bias"]
    want_cls = nn.TransformerDecoderLayer if cross else nn.TransformerEncoderLayer
    if not isinstance(layer, want_cls):
        raise ValueError(f"{prefix}: expected {want_cls.__name__}, got {type(layer).__name__}")
    if bool(layer.norm_first) != (arch["norm"] == "pre"):
        raise ValueError(f"{prefix}: norm_first={layer.norm_first} but architecture norm={arch['norm']!r}")
    act = _activation_name(layer)
    if act != arch["activation"]:
        raise ValueError(f"{prefix}: activation {act} but architecture says {arch['activation']}")
    if layer.self_attn.num_heads != arch["n_heads"]:
        raise ValueError(f"{prefix}: {layer.self_attn.num_heads} heads but architecture n_heads="
                         f"{arch['n_heads']}")
    norms = ("norm1", "norm2", "norm3") if cross else ("norm1", "norm2")
    for n in norms:
        ln = getattr(layer, n)
        if abs(ln.eps - arch["layer_norm_eps"]) > 1e-12 * max(1.0, arch["layer_norm_eps"]):
            raise ValueError(f"{prefix}.{n}: eps {ln.eps} but architecture layer_norm_eps="
                             f"{arch['layer_norm_eps']}")
        if not ln.elementwise_affine:
            raise ValueError(f"{prefix}.{n}: LayerNorm without affine parameters is not supported")
    _attn_weights(f"{prefix}.self_attn", layer.self_attn, d, bias, out)
    if cross:
        _attn_weights(f"{prefix}.multihead_attn", layer.multihead_attn, d, bias, out)
    for lin in ("linear1", "linear2"):
        m = getattr(layer, lin)
        if (m.bias is not None) != bias:
            raise ValueError(f"{prefix}.{lin}: bias presence does not match architecture bias={bias}")
        out[f"{prefix}.{lin}.weight"] = m.weight
        if bias:
            out[f"{prefix}.{lin}.bias"] = m.bias
    for n in norms:
        out[f"{prefix}.{n}.weight"] = getattr(layer, n).weight
        out[f"{prefix}.{n}.bias"] = getattr(layer, n).bias


def _stack_weights(name: str, stack: nn.Module, n_layers: int, arch: Dict[str, Any],
                   cross: bool, out: Dict[str, torch.Tensor]) -> None:
    if len(stack.layers) != n_layers:
        raise ValueError(f"{name}: {len(stack.layers)} layers but architecture says {n_layers}")
    for i, layer in enumerate(stack.layers):
        _layer_weights(f"{name}.layers.{i}", layer, arch, cross, out)
    if stack.norm is not None:
        if not arch["final_norm"]:
            raise ValueError(f"{name} has a final norm but architecture final_norm is false")
        out[f"{name}.norm.weight"] = stack.norm.weight
        out[f"{name}.norm.bias"] = stack.norm.bias
    elif arch["final_norm"]:
        raise ValueError(f"{name} has no final norm but architecture final_norm is true")


def stack_weights(arch: Dict[str, Any], *, transformer: Optional[nn.Transformer] = None,
                  encoder: Optional[nn.Module] = None, decoder: Optional[nn.Module] = None,
                  encoder_embed: Optional[nn.Embedding] = None,
                  encoder_pos: Optional[nn.Embedding] = None,
                  decoder_embed: Optional[nn.Embedding] = None,
                  decoder_pos: Optional[nn.Embedding] = None,
                  lm_head: Optional[nn.Linear] = None,
                  lm_head_bias: Optional[torch.Tensor] = None,
                  vocab_sizes: Optional[Tuple[int, int]] = None) -> Dict[str, torch.Tensor]:
    """Collect format-named tensors from torch modules (no copies; detach before use).

    ``transformer`` (nn.Transformer) stands for ``encoder=transformer.encoder,
    decoder=transformer.decoder``. For ``decoder`` models pass the causal stack as
    ``decoder`` (an nn.TransformerEncoder) with ``decoder_embed``/``decoder_pos``.
    With ``tied_output`` give either no ``lm_head`` (then ``lm_head_bias`` if the
    architecture has biases) or an ``lm_head`` whose weight is the output embedding.
    Checks that the modules agree with ``arch`` (layers, heads, norm placement,
    activation, eps, biases, final norms, learned positions).
    """
    a = normalize_arch(arch)
    t = a["type"]
    if transformer is not None:
        if encoder is not None or decoder is not None:
            raise ValueError("give either transformer or encoder/decoder, not both")
        encoder, decoder = transformer.encoder, transformer.decoder
    out: Dict[str, torch.Tensor] = {}
    learned = a["positional"] == "learned"

    def embeddings(side: str, emb: Optional[nn.Embedding], pos: Optional[nn.Embedding]) -> None:
        if emb is None:
            raise ValueError(f"{side}_embed is required for a {t} model")
        out[f"{side}.embed.weight"] = emb.weight
        if learned:
            if pos is None:
                raise ValueError(f"{side}_pos (nn.Embedding(max_len, d)) is required with learned positions")
            out[f"{side}.pos.weight"] = pos.weight
        elif pos is not None:
            raise ValueError(f"{side}_pos given but architecture positional is sinusoidal")

    if t in ("encoder", "encoder-decoder"):
        if encoder is None:
            raise ValueError(f"encoder stack is required for a {t} model")
        embeddings("encoder", encoder_embed, encoder_pos)
        _stack_weights("encoder", encoder, a["encoder_layers"], a, cross=False, out=out)
    elif encoder is not None or encoder_embed is not None:
        raise ValueError("decoder-only models have no encoder parts")
    if t in ("decoder", "encoder-decoder"):
        if decoder is None:
            raise ValueError(f"decoder stack is required for a {t} model")
        embeddings("decoder", decoder_embed, decoder_pos)
        _stack_weights("decoder", decoder, a["decoder_layers"], a,
                       cross=(t == "encoder-decoder"), out=out)
    elif decoder is not None or decoder_embed is not None:
        raise ValueError("encoder-only models have no decoder parts")

    out_emb = out["decoder.embed.weight" if t != "encoder" else "encoder.embed.weight"]
    head_bias = lm_head_bias
    if lm_head is not None:
        if lm_head.bias is not None and head_bias is not None:
            raise ValueError("give lm_head_bias or an lm_head with a bias, not both")
        if lm_head.bias is not None:
            head_bias = lm_head.bias
        if a["tied_output"]:
            if not (lm_head.weight is out_emb or (lm_head.weight.shape == out_emb.shape and
                                                   torch.equal(lm_head.weight, out_emb))):
                raise ValueError("tied_output is true but lm_head.weight differs from the embedding")
        else:
            out["lm_head.weight"] = lm_head.weight
    elif not a["tied_output"]:
        raise ValueError("lm_head is required unless tied_output is true")
    if a["bias"]:
        if head_bias is None:
            raise ValueError("architecture bias=true needs an output bias (lm_head.bias)")
        out["lm_head.bias"] = head_bias
    elif head_bias is not None:
        raise ValueError("architecture bias=false but the output head has a bias")

    if vocab_sizes is not None:
        vs, vt = vocab_sizes
        tok = {"vocab": [""] * vs}
        if t == "encoder-decoder":
            tok["target_vocab"] = [""] * vt
        _check_shapes(out, expected_weight_shapes(a, tok))
    return out


def _check_shapes(weights: Dict[str, Any], expected: Dict[str, Tuple[int, ...]]) -> None:
    for name in weights:
        if name not in expected:
            raise ValueError(f"{name}: unexpected tensor (not used by this architecture)")
    for name, shape in expected.items():
        if name not in weights:
            raise ValueError(f"{name}: missing tensor")
        got = tuple(weights[name].shape)
        if got != tuple(shape):
            raise ValueError(f"{name}: expected shape {list(shape)}, got {list(got)}")


def _module_param_for(model: AttnScopeTransformer, name: str) -> Tuple[torch.Tensor, slice]:
    """Format name → (torch parameter, row slice) inside an AttnScopeTransformer."""
    m = re.fullmatch(r"(.*)\.(self_attn|multihead_attn)\.(q_proj|k_proj|v_proj)\.(weight|bias)", name)
    d = model.d_model
    if m:
        mha = model.get_submodule(f"{m.group(1)}.{m.group(2)}")
        i = ("q_proj", "k_proj", "v_proj").index(m.group(3))
        p = mha.in_proj_weight if m.group(4) == "weight" else mha.in_proj_bias
        return p, slice(i * d, (i + 1) * d)
    for fmt, attr in (("encoder.embed.", "encoder_embed."), ("encoder.pos.", "encoder_pos."),
                      ("decoder.embed.", "decoder_embed."), ("decoder.pos.", "decoder_pos.")):
        if name.startswith(fmt):
            name = attr + name[len(fmt):]
            break
    return model.get_parameter(name), slice(None)


@torch.no_grad()
def load_stack_weights(model: AttnScopeTransformer, weights: Dict[str, Any]) -> None:
    tok = {"vocab": [""] * model.vocab_size}
    if model.type == "encoder-decoder":
        tok["target_vocab"] = [""] * model.target_vocab_size
    expected = expected_weight_shapes(model.arch, tok)
    _check_shapes(weights, expected)
    for name, value in weights.items():
        p, rows = _module_param_for(model, name)
        p[rows].copy_(torch.as_tensor(np.asarray(value, dtype=np.float32)))
    model.tie_weights()


def save_checkpoint(model: AttnScopeTransformer, tokenizer: Union[Dict[str, Any], Tokenizer], path: str,
                    *, name: str, description: str = "", examples: Optional[Sequence[Any]] = None,
                    metadata: Optional[Dict[str, Any]] = None, **extra: Any) -> None:
    """torch.save a checkpoint dict that ``export_torch.py CHECKPOINT --out model.json`` reads.

    ``extra`` keys (optimizer state, step, ...) are stored too and ignored by the exporter.
    """
    spec = tokenizer.spec if isinstance(tokenizer, Tokenizer) else tokenizer
    ck = {"arch": dict(model.arch), "tokenizer": spec, "state_dict": model.state_dict(),
          "name": name, "description": description, "examples": list(examples or [])}
    if metadata:
        ck["metadata"] = metadata
    ck.update(extra)
    torch.save(ck, path)


def load_model(path: str, dropout: float = 0.0) -> Tuple[AttnScopeTransformer, Tokenizer, Dict[str, Any]]:
    """Read a model file → (module in eval mode, Tokenizer, document)."""
    doc, weights = read_document(path)
    tok = Tokenizer(doc["tokenizer"])
    model = AttnScopeTransformer.from_config(doc["architecture"], doc["tokenizer"], dropout=dropout)
    model.load_format_weights(weights)
    model.eval()
    return model, tok, doc


# --------------------------------------------------------------------------
# Attention capture
# --------------------------------------------------------------------------

def attention_modules(model: nn.Module, stacks: Optional[Dict[str, str]] = None
                      ) -> Dict[Tuple[str, int], nn.MultiheadAttention]:
    """Map (stack, layer) → MultiheadAttention, stack ∈ {"encoder", "decoder", "cross"}.

    ``stacks`` maps a module-path prefix to a stack name; by default
    ``{"encoder": "encoder", "decoder": "decoder"}`` (AttnScopeTransformer and
    nn.Transformer). ``multihead_attn`` modules are reported as "cross".
    """
    stacks = stacks or {"encoder": "encoder", "decoder": "decoder"}
    found: Dict[Tuple[str, int], nn.MultiheadAttention] = {}
    for name, mod in model.named_modules():
        if not isinstance(mod, nn.MultiheadAttention):
            continue
        m = re.fullmatch(r"(.*)\.layers\.(\d+)\.(self_attn|multihead_attn)", name)
        if not m or m.group(1) not in stacks:
            continue
        stack = "cross" if m.group(3) == "multihead_attn" else stacks[m.group(1)]
        found[(stack, int(m.group(2)))] = mod
    return found


class AttentionRecord:
    """Per-call records of captured attention: ``calls[(stack, layer)]`` is a list of
    ``[B, H, Tq, Tk]`` float tensors (one per forward call, in call order)."""

    def __init__(self) -> None:
        self.calls: Dict[Tuple[str, int], List[torch.Tensor]] = {}
        self.max_output_error = 0.0

    def last(self, stack: str, layer: int) -> torch.Tensor:
        return self.calls[(stack, layer)][-1]

    def clear(self) -> None:
        self.calls.clear()


@contextlib.contextmanager
def capture_attention(modules: Union[nn.Module, Dict[Tuple[str, int], nn.MultiheadAttention]],
                      verify: bool = False) -> Iterator[AttentionRecord]:
    """Record every per-head post-softmax attention matrix while the block runs.

    Each MultiheadAttention's ``forward`` is wrapped to call the original with
    ``need_weights=True, average_attn_weights=False`` (in torch 1.13 this is the same
    computation the layers run with ``need_weights=False``); the caller still gets the
    output it asked for. With ``verify=True`` each call's output is recomputed from
    the captured weights, ``concat_h(A_h V_h)·Woᵀ + bo``, and the largest deviation is
    kept in ``record.max_output_error`` — proof that the captured matrices are the
    ones the layer used.
    """
    if isinstance(modules, nn.Module):
        modules = attention_modules(modules)
    record = AttentionRecord()
    originals = {}
    for slot, mha in modules.items():
        orig = mha.forward
        originals[slot] = (mha, "forward" in mha.__dict__, mha.__dict__.get("forward"))

        def wrapped(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                    average_attn_weights=True, _orig=orig, _slot=slot, _mha=mha, **kwargs):
            out, w = _orig(query, key, value, key_padding_mask=key_padding_mask, need_weights=True,
                           attn_mask=attn_mask, average_attn_weights=False, **kwargs)
            batched = w.dim() == 4
            w4 = w if batched else w.unsqueeze(0)
            record.calls.setdefault(_slot, []).append(w4.detach().clone())
            if verify:
                err = _recompute_error(_mha, value, w4, out, batched)
                record.max_output_error = max(record.max_output_error, err)
            if not need_weights:
                return out, None
            if average_attn_weights:
                return out, w.sum(dim=-3) / _mha.num_heads
            return out, w

        mha.forward = wrapped
    try:
        yield record
    finally:
        for mha, had, prev in originals.values():
            if had:
                mha.forward = prev
            else:
                del mha.forward


def _recompute_error(mha: nn.MultiheadAttention, value: torch.Tensor, w4: torch.Tensor,
                     out: torch.Tensor, batched: bool) -> float:
    with torch.no_grad():
        d, h = mha.embed_dim, mha.num_heads
        dk = d // h
        v_in = value if batched else value.unsqueeze(1)
        if mha.batch_first:
            v_in = v_in.transpose(0, 1)
        if mha._qkv_same_embed_dim:
            wv = mha.in_proj_weight[2 * d:3 * d]
        else:
            wv = mha.v_proj_weight
        bv = mha.in_proj_bias[2 * d:3 * d] if mha.in_proj_bias is not None else None
        v = F.linear(v_in.double(), wv.double(), None if bv is None else bv.double())  # [Tk, B, d]
        tk, b = v.shape[0], v.shape[1]
        v = v.reshape(tk, b, h, dk).permute(1, 2, 0, 3)        # [B, H, Tk, dk]
        ctx = torch.matmul(w4.double(), v)                     # [B, H, Tq, dk]
        ctx = ctx.permute(2, 0, 1, 3).reshape(-1, b, d)        # [Tq, B, d]
        ob = mha.out_proj.bias
        y = F.linear(ctx, mha.out_proj.weight.double(), None if ob is None else ob.double())
        o = out if batched else out.unsqueeze(1)
        if mha.batch_first:
            o = o.transpose(0, 1)
        return float((y - o.double()).abs().max())
