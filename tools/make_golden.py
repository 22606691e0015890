#!/usr/bin/python3
"""Regenerate the golden test data in tests/data/golden/.

    /usr/bin/python3 tools/make_golden.py [--out DIR] [--check]

For each configuration below this builds a small transformer from torch's own
``nn`` modules (some straight from nn.Transformer / nn.TransformerEncoder, some via
attnscope_torch.AttnScopeTransformer), gives it seeded random weights (LayerNorm
and bias parameters included; q_proj/k_proj scaled up so attention is far from
uniform), exports it to ``NAME.model.json`` with export_torch, and records for a
few inputs what torch computes:

* the per-head post-softmax attention of every attention block, captured by
  wrapping each MultiheadAttention call with ``need_weights=True,
  average_attn_weights=False`` (checked: recomputing the block output from the
  captured weights reproduces what the layer returned, and the final logits are
  bit-identical with and without the wrapper);
* the logits of the top stack;
* greedy decoding (models with a decoder),

into ``NAME.expected.json``. The models from models/examples/ are copied here too
(``tiny-*.model.json``) and get expected files the same way.

Every golden is cross-checked before it is written: the exported file, loaded
back with attnscope_torch.load_model, reproduces torch's logits to 1e-6, and a
float64 numpy implementation of the spec (attnscope_reference.py) agrees with
torch's logits and attention to 1e-5; greedy steps whose top-two logits are
closer than 1e-3 are rejected (they would make the test flaky).

Deterministic: running it twice gives byte-identical files (single-threaded
torch, seeded generators, fixed JSON formatting).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import shutil
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from attnscope_format import F32, Tokenizer, read_document, write_json  # noqa: E402
from attnscope_reference import reference_forward, reference_greedy  # noqa: E402
from attnscope_torch import (AttnScopeTransformer, attention_modules, capture_attention,  # noqa: E402
                             causal_mask, load_model, sinusoidal_table)
from export_torch import export_model, export_parts  # noqa: E402

ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(ROOT, "tests", "data", "golden")
EXAMPLES = os.path.join(ROOT, "models", "examples")
TOLERANCE = 1e-5
GREEDY_MARGIN = 1e-3
# torch's float32 results may differ from the exact (float64) values by at most this much,
# leaving the rest of TOLERANCE for the float32 error of the engine under test.
ERROR_BUDGET = 5e-6

torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Random weights
# --------------------------------------------------------------------------

def randomize(root: nn.Module, seed: int, qk_scale: float = 2.0, embed_std: float = 1.0) -> None:
    """Seeded random values for every parameter (deterministic module order).

    LayerNorm weight 1 + 0.1·N, every bias 0.1·N, Linear / projection matrices
    N(0, 1/fan_in), embeddings N(0, embed_std²); then each attention block's
    q_proj and k_proj rows are multiplied by ``qk_scale``.
    """
    g = torch.Generator().manual_seed(seed)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    done = set()
    with torch.no_grad():
        for _, m in root.named_modules():
            params = []
            if isinstance(m, nn.LayerNorm):
                m.weight.copy_(1.0 + 0.1 * randn(*m.weight.shape))
                m.bias.copy_(0.1 * randn(*m.bias.shape))
                params = [m.weight, m.bias]
            elif isinstance(m, nn.MultiheadAttention):
                d = m.embed_dim
                w = randn(3 * d, d) / math.sqrt(d)
                w[: 2 * d] *= qk_scale
                m.in_proj_weight.copy_(w)
                params = [m.in_proj_weight]
                if m.in_proj_bias is not None:
                    m.in_proj_bias.copy_(0.1 * randn(3 * d))
                    params.append(m.in_proj_bias)
            elif isinstance(m, nn.Linear):
                if id(m.weight) not in done:       # out_proj is reached after its MHA: fine
                    m.weight.copy_(randn(*m.weight.shape) / math.sqrt(m.weight.shape[1]))
                params = [m.weight]
                if m.bias is not None:
                    m.bias.copy_(0.1 * randn(*m.bias.shape))
                    params.append(m.bias)
            elif isinstance(m, nn.Embedding):
                m.weight.copy_(embed_std * randn(*m.weight.shape))
                params = [m.weight]
            done.update(id(p) for p in params)
        leftover = [n for n, p in root.named_parameters() if id(p) not in done]
        if leftover:
            raise RuntimeError(f"parameters not randomized: {leftover}")


# --------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------

def arch(**kw: Any) -> Dict[str, Any]:
    base = {"type": None, "d_model": None, "n_heads": None, "d_ff": None, "encoder_layers": 0,
            "decoder_layers": 0, "activation": "relu", "norm": "post", "layer_norm_eps": 1e-5,
            "positional": "sinusoidal", "max_len": 16, "bias": True, "tied_output": False}
    base.update(kw)
    return base


LOWER = list("abcdefghijklmnopqrstuvwxyz")


class Golden:
    """A built model: forward(source_ids, target_ids) → logits [T, V] (torch, float32)
    plus the module tree whose MultiheadAttentions are captured."""

    def __init__(self, name: str, arch: Dict[str, Any], tokenizer: Dict[str, Any],
                 description: str, cases: List[Tuple[str, Optional[str]]], root: nn.Module,
                 forward: Callable[[List[int], Optional[List[int]]], torch.Tensor],
                 export: Callable[[str], None]):
        self.name, self.arch, self.tokenizer = name, arch, tokenizer
        self.description, self.cases, self.root = description, cases, root
        self.forward, self.export = forward, export


def _single(ids: Sequence[int]) -> torch.Tensor:
    return torch.tensor(list(ids), dtype=torch.long)


def wrapper_golden(name: str, a: Dict[str, Any], tok: Dict[str, Any], description: str,
                   cases: List[Tuple[str, Optional[str]]], seed: int, qk_scale: float = 2.0,
                   embed_std: float = 1.0, explicit_defaults: bool = True,
                   eos_stop_case: Optional[int] = None) -> Golden:
    model = AttnScopeTransformer.from_config(a, tok)
    randomize(model, seed, qk_scale, embed_std)
    model.tie_weights()
    model.eval()
    if eos_stop_case is not None:
        raise_eos_bias(lambda s, t: model(_single(s), None if t is None else _single(t)),
                       model.lm_head.bias, model.type, Tokenizer(tok), cases[eos_stop_case][0],
                       model.max_len)

    def fwd(src: List[int], tgt: Optional[List[int]]) -> torch.Tensor:
        return model(_single(src), None if tgt is None else _single(tgt))

    def export(path: str) -> None:
        export_model(model, tok, path, name=name, description=description,
                     examples=[{"text": t, **({"target": g} if g is not None else {})} for t, g in cases],
                     explicit_defaults=explicit_defaults)

    return Golden(name, a, tok, description, cases, model, fwd, export)


def raise_eos_bias(forward: Callable[[List[int], Optional[List[int]]], torch.Tensor],
                   bias: torch.Tensor, kind: str, tok: Tokenizer, text: str, max_len: int) -> None:
    """Raise the output bias of eos in steps of 0.05 until greedy decoding of ``text``
    stops at eos after a few tokens (so the goldens exercise the eos stopping rule)."""
    side = "target" if kind == "encoder-decoder" else "source"
    bos, eos = tok.special_id("bos", side), tok.special_id("eos", side)
    src = tok.encode_source(text)
    with torch.no_grad():
        base = float(bias[eos])
        for step in range(1, 400):
            bias[eos] = base + 0.05 * step
            ids, margin = _greedy_with_margin(forward, kind, src, bos, eos, max_len)
            if ids and ids[-1] == eos:
                if 3 <= len(ids) <= max_len - 4 and margin >= 10 * GREEDY_MARGIN:
                    return
                break
    raise RuntimeError("could not make greedy decoding stop at eos")


def golden_encdec_post_relu_sin() -> Golden:
    """nn.Transformer as is: post-norm, relu, final norms; sinusoidal, √d scaling."""
    name = "encdec-post-relu-sin"
    vocab = ["<pad>", "<unk>", "<s>", "</s>"] + LOWER + [" "]
    tok = {"type": "char", "vocab": vocab,
           "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
           "source_suffix": ["eos"]}
    d, L = 32, 20
    a = arch(type="encoder-decoder", d_model=d, n_heads=4, d_ff=64, encoder_layers=2,
             decoder_layers=2, activation="relu", norm="post", positional="sinusoidal", max_len=L,
             bias=True, tied_output=False, scale_embeddings=True, final_norm=True)
    tr = nn.Transformer(d_model=d, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
                        dim_feedforward=64, dropout=0.0, activation="relu", batch_first=False,
                        norm_first=False)
    root = nn.ModuleDict({"encoder": tr.encoder, "decoder": tr.decoder,
                          "src_embed": nn.Embedding(len(vocab), d),
                          "tgt_embed": nn.Embedding(len(vocab), d),
                          "head": nn.Linear(d, len(vocab))})
    randomize(root, seed=101, qk_scale=2.0, embed_std=d ** -0.5)
    tr.eval()
    root.eval()
    pe = sinusoidal_table(L, d)

    def fwd(src: List[int], tgt: Optional[List[int]]) -> torch.Tensor:
        s = root["src_embed"](_single(src)) * math.sqrt(d) + pe[:len(src)]
        t = root["tgt_embed"](_single(tgt)) * math.sqrt(d) + pe[:len(tgt)]
        out = tr(s.unsqueeze(1), t.unsqueeze(1),
                 tgt_mask=nn.Transformer.generate_square_subsequent_mask(len(tgt)))
        return root["head"](out[:, 0])

    cases = [("hello world", "dlrow olleh"), ("abc", "cba"),
             ("Hi there, quick fox", "xof kciuq ,ereht ih")]
    raise_eos_bias(fwd, root["head"].bias, "encoder-decoder", Tokenizer(tok), cases[1][0], L)
    desc = ("Golden: nn.Transformer (post-norm, relu, final norms), sinusoidal positions with "
            "embeddings scaled by sqrt(d_model), char tokenizer, random weights.")

    def export(path: str) -> None:
        export_parts(path, arch=a, tokenizer=tok, name=name, description=desc,
                     examples=[{"text": s, "target": t} for s, t in cases], transformer=tr,
                     encoder_embed=root["src_embed"], decoder_embed=root["tgt_embed"],
                     lm_head=root["head"])

    return Golden(name, a, tok, desc, cases, root, fwd, export)


def golden_encdec_pre_gelu_learned_word() -> Golden:
    name = "encdec-pre-gelu-learned-word"
    src_words = ["the", "a", "cat", "dog", "sat", "on", "mat", "saw", "big", "small", "red", "and",
                 "it", "s", "was", "very", "happy", "in", "house", "été", ".", ",", "!", "'"]
    tgt_words = ["le", "la", "chat", "chien", "assis", "sur", "tapis", "vu", "grand", "petit",
                 "rouge", "et", "il", "était", "très", "content", "dans", "maison", "été", ".", ",", "!"]
    specials = ["<pad>", "<unk>", "<s>", "</s>"]
    tok = {"type": "word", "lowercase": True, "split_punctuation": True,
           "vocab": specials + src_words, "target_vocab": specials + tgt_words,
           "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
           "source_suffix": ["eos"]}
    a = arch(type="encoder-decoder", d_model=24, n_heads=3, d_ff=40, encoder_layers=2,
             decoder_layers=1, activation="gelu", norm="pre", positional="learned", max_len=12,
             bias=True, tied_output=True)
    cases = [
        ("The cat sat on the mat.", "le chat assis sur le tapis ."),
        # 11 tokens + eos = 12 = max_len; ASCII-only lower-casing (ÉTÉ stays unknown);
        # "it's" splits into it ' s; tab and double space are white space.
        ("The BIG dog\tsaw ÉTÉ,  it's red!", "le grand chien vu <unk> , il"),
        ("Dog<unk>!", "chien !"),
    ]
    return wrapper_golden(name, a, tok, "Golden: encoder-decoder, pre-norm, gelu, learned "
                          "positions, word tokenizer (lowercase, punctuation split), separate "
                          "target vocabulary, tied output with its own bias, max_len 12.",
                          cases, seed=202, qk_scale=2.0)


def golden_encoder_post_relu_mlm() -> Golden:
    """Raw nn.TransformerEncoder without a final norm."""
    name = "encoder-post-relu-mlm"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list("abcdefgh .")
    tok = {"type": "char", "vocab": vocab,
           "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]",
                              "mask": "[MASK]"},
           "source_prefix": ["cls"], "source_suffix": ["sep"]}
    d, L = 16, 16
    a = arch(type="encoder", d_model=d, n_heads=2, d_ff=32, encoder_layers=2, activation="relu",
             norm="post", positional="sinusoidal", max_len=L, bias=True, tied_output=False)
    layer = nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, activation="relu", batch_first=False)
    enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    root = nn.ModuleDict({"encoder": enc, "embed": nn.Embedding(len(vocab), d),
                          "head": nn.Linear(d, len(vocab))})
    randomize(root, seed=303, qk_scale=2.0)
    root.eval()
    pe = sinusoidal_table(L, d)

    def fwd(src: List[int], tgt: Optional[List[int]]) -> torch.Tensor:
        x = root["embed"](_single(src)) + pe[:len(src)]
        return root["head"](enc(x.unsqueeze(1))[:, 0])

    cases = [("bad cafe", None), ("ab[MASK]d", None), ("fade Zed.", None)]
    desc = ("Golden: encoder-only masked LM from nn.TransformerEncoder (post-norm, relu, no final "
            "norm), sinusoidal positions, char tokenizer with [CLS]/[SEP]/[MASK]; optional "
            "architecture keys left at their defaults.")

    def export(path: str) -> None:
        export_parts(path, arch=a, tokenizer=tok, name=name, description=desc,
                     examples=[{"text": s} for s, _ in cases], encoder=enc,
                     encoder_embed=root["embed"], lm_head=root["head"], explicit_defaults=False)

    return Golden(name, a, tok, desc, cases, root, fwd, export)


def golden_encoder_pre_gelu_d48() -> Golden:
    name = "encoder-pre-gelu-d48"
    words = ["in", "the", "beginning", "God", "created", "heaven", "and", "earth", "said,",
             "let", "there", "be", "light", "of", "And", "was", "good", "don't", "it", "void"]
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = {"type": "word", "lowercase": False, "split_punctuation": False, "vocab": specials + words,
           "special_tokens": {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]",
                              "mask": "[MASK]"},
           "source_prefix": ["cls"], "source_suffix": ["sep"]}
    a = arch(type="encoder", d_model=48, n_heads=6, d_ff=70, encoder_layers=2, activation="gelu",
             norm="pre", positional="learned", max_len=20, bias=True, tied_output=True)
    cases = [("in the beginning God created the heaven and the earth", None),
             ("the [MASK] of God", None),
             ("And God said, let there be light: don't", None)]
    return wrapper_golden(name, a, tok, "Golden: encoder-only, pre-norm, gelu, d_model 48 with 6 "
                          "heads and d_ff 70, learned positions, word tokenizer without "
                          "punctuation splitting or lower-casing, tied output with bias.",
                          cases, seed=404, qk_scale=2.0, embed_std=0.3)


def golden_decoder_pre_gelu_tied() -> Golden:
    """Decoder-only from raw nn.TransformerEncoder + causal mask, tied head with own bias."""
    name = "decoder-pre-gelu-tied"
    vocab = ["<pad>", "<unk>", "<s>", "</s>"] + LOWER + [" ", ".", ","]
    tok = {"type": "char", "vocab": vocab,
           "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
           "source_prefix": ["bos"]}
    d, L = 32, 32
    a = arch(type="decoder", d_model=d, n_heads=4, d_ff=96, decoder_layers=2, activation="gelu",
             norm="pre", positional="learned", max_len=L, bias=True, tied_output=True)
    layer = nn.TransformerEncoderLayer(d, 4, 96, dropout=0.0, activation="gelu", batch_first=False,
                                       norm_first=True)
    dec = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(d), enable_nested_tensor=False)
    root = nn.ModuleDict({"decoder": dec, "embed": nn.Embedding(len(vocab), d),
                          "pos": nn.Embedding(L, d)})
    head_bias = nn.Parameter(torch.zeros(len(vocab)))
    randomize(root, seed=505, qk_scale=2.0, embed_std=0.25)
    with torch.no_grad():
        head_bias.copy_(0.1 * torch.randn(len(vocab), generator=torch.Generator().manual_seed(506)))
    root.eval()

    def fwd(src: List[int], tgt: Optional[List[int]]) -> torch.Tensor:
        t = len(src)
        x = root["embed"](_single(src)) + root["pos"].weight[:t]
        h = dec(x.unsqueeze(1), mask=causal_mask(t))[:, 0]
        return h @ root["embed"].weight.t() + head_bias

    cases = [("hello", None), ("the cat sat on the mat, then", None), ("a", None)]
    desc = ("Golden: decoder-only (nn.TransformerEncoder with a causal mask), pre-norm, gelu, "
            "learned positions, final norm, tied output with its own bias, char tokenizer.")

    def export(path: str) -> None:
        export_parts(path, arch=a, tokenizer=tok, name=name, description=desc,
                     examples=[{"text": s} for s, _ in cases], decoder=dec,
                     decoder_embed=root["embed"], decoder_pos=root["pos"], lm_head_bias=head_bias)

    return Golden(name, a, tok, desc, cases, root, fwd, export)


def golden_decoder_post_relu_nobias() -> Golden:
    name = "decoder-post-relu-nobias"
    vocab = ["<pad>", "<unk>", "<s>", "</s>"] + list("abcdehlorw !")
    tok = {"type": "char", "lowercase": True, "vocab": vocab,
           "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
           "source_prefix": ["bos"]}
    a = arch(type="decoder", d_model=24, n_heads=4, d_ff=48, decoder_layers=2, activation="relu",
             norm="post", positional="sinusoidal", max_len=20, bias=False, tied_output=False,
             scale_embeddings=True)
    # the second input is exactly max_len tokens long (bos + 19): greedy generates nothing
    cases = [("Hello", None), ("abc abc abc abc abc", None), ("HeLLo WoRLD!", None)]
    return wrapper_golden(name, a, tok, "Golden: decoder-only, post-norm, relu, no biases "
                          "anywhere, sinusoidal positions with sqrt(d_model) embedding scale, no "
                          "final norm (default), lower-casing char tokenizer.",
                          cases, seed=606, qk_scale=2.0, embed_std=24 ** -0.5,
                          explicit_defaults=False)


def golden_encdec_post_gelu_nobias_tied() -> Golden:
    name = "encdec-post-gelu-nobias-tied"
    vocab = ["<pad>", "<unk>", "<s>", "</s>"] + list("0123456789-/ nov")
    tok = {"type": "char", "lowercase": True, "vocab": vocab,
           "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
           "source_prefix": ["bos"], "source_suffix": ["eos"]}
    a = arch(type="encoder-decoder", d_model=16, n_heads=2, d_ff=24, encoder_layers=1,
             decoder_layers=2, activation="gelu", norm="post", positional="sinusoidal",
             max_len=16, bias=False, tied_output=True, final_norm=False)
    cases = [("25 Nov 2026", "2026-11-25"), ("1/2/3", "3-2-1"), ("NOVEMBER</s>", "11")]
    return wrapper_golden(name, a, tok, "Golden: encoder-decoder, post-norm, gelu, no biases, "
                          "tied output without any lm_head tensor, no final norms, sinusoidal "
                          "positions, special token typed inside the text.",
                          cases, seed=707, qk_scale=2.0)


def example_golden(file: str) -> Golden:
    """A hand-made model from models/examples, used as is."""
    path = os.path.join(EXAMPLES, file)
    model, tok, doc = load_model(path)
    cases = [(e["text"], e.get("target")) for e in doc.get("examples", [])]

    def fwd(src: List[int], tgt: Optional[List[int]]) -> torch.Tensor:
        return model(_single(src), None if tgt is None else _single(tgt))

    def export(out: str) -> None:
        shutil.copyfile(path, out)

    name = os.path.splitext(file)[0]
    return Golden(name, model.arch, doc["tokenizer"], doc["description"], cases, model, fwd, export)


CONFIGS = [golden_encdec_post_relu_sin, golden_encdec_pre_gelu_learned_word,
           golden_encoder_post_relu_mlm, golden_encoder_pre_gelu_d48, golden_decoder_pre_gelu_tied,
           golden_decoder_post_relu_nobias, golden_encdec_post_gelu_nobias_tied]
EXAMPLE_FILES = ["tiny-encoder.json", "tiny-seq2seq.json"]


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------

def _floats(a: np.ndarray) -> Any:
    """float32 values, written as the shortest decimal that reads back as the same float32."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 1:
        return [F32(x) for x in a.astype(np.float64)]
    return [_floats(row) for row in a]


def _greedy_with_margin(fwd: Callable[[List[int], Optional[List[int]]], torch.Tensor],
                        kind: str, src: List[int], bos: Optional[int], eos: Optional[int],
                        max_len: int) -> Tuple[List[int], float]:
    out: List[int] = []
    margin = math.inf
    with torch.no_grad():
        if kind == "encoder-decoder":
            seq = [bos]
            while len(seq) < max_len:
                last = fwd(src, seq)[-1]
                top2 = torch.topk(last, 2).values
                margin = min(margin, float(top2[0] - top2[1]))
                nxt = int(torch.argmax(last))
                seq.append(nxt)
                out.append(nxt)
                if eos is not None and nxt == eos:
                    break
        else:
            seq = list(src)
            while len(seq) < max_len:
                last = fwd(seq, None)[-1]
                top2 = torch.topk(last, 2).values
                margin = min(margin, float(top2[0] - top2[1]))
                nxt = int(torch.argmax(last))
                seq.append(nxt)
                out.append(nxt)
                if eos is not None and nxt == eos:
                    break
    return out, margin


def build(g: Golden, out_dir: str, log: Callable[[str], None]) -> Dict[str, Any]:
    model_file = f"{g.name}.model.json"
    model_path = os.path.join(out_dir, model_file)
    g.export(model_path)
    doc, file_weights = read_document(model_path)
    back, _, _ = load_model(model_path)
    tok = Tokenizer(doc["tokenizer"])
    a = back.arch
    kind = a["type"]
    mods = attention_modules(g.root, {"encoder": "encoder", "decoder": "decoder"})
    expected_slots = ([("encoder", i) for i in range(a["encoder_layers"])] +
                      [("decoder", i) for i in range(a["decoder_layers"])] +
                      ([("cross", i) for i in range(a["decoder_layers"])]
                       if kind == "encoder-decoder" else []))
    if sorted(mods) != sorted(expected_slots):
        raise RuntimeError(f"{g.name}: attention modules {sorted(mods)} != {sorted(expected_slots)}")

    stats = {"roundtrip": 0.0, "ref_logits": 0.0, "ref_attn": 0.0, "capture": 0.0,
             "max_attn": [], "margin": math.inf}
    cases = []
    for text, target in g.cases:
        src = tok.encode_source(text)
        tgt = [tok.special_id("bos", "target")] + tok.encode_target(target) \
            if kind == "encoder-decoder" else None
        if len(src) > a["max_len"] or (tgt is not None and len(tgt) > a["max_len"]):
            raise RuntimeError(f"{g.name}: case {text!r} is longer than max_len")
        with torch.no_grad():
            plain = g.forward(src, tgt)
            with capture_attention(mods, verify=True) as rec:
                logits = g.forward(src, tgt)
            if not torch.equal(plain, logits):
                raise RuntimeError(f"{g.name}: capturing attention changed the logits")
            stats["capture"] = max(stats["capture"], rec.max_output_error)
            rt = back(_single(src), None if tgt is None else _single(tgt))
        stats["roundtrip"] = max(stats["roundtrip"], float((rt - logits).abs().max()))
        ref = reference_forward(doc["architecture"], file_weights, src, tgt)
        stats["ref_logits"] = max(stats["ref_logits"], float(np.abs(ref["logits"] - logits.numpy()).max()))

        attention = []
        for stack in ("encoder", "decoder", "cross"):
            for layer in range(a["decoder_layers"] if stack != "encoder" else a["encoder_layers"]):
                if (stack, layer) not in mods:
                    continue
                calls = rec.calls.get((stack, layer), [])
                if len(calls) != 1:
                    raise RuntimeError(f"{g.name}: {stack} layer {layer} ran {len(calls)} times")
                w = calls[0][0].numpy()               # [H, Tq, Tk]
                stats["ref_attn"] = max(stats["ref_attn"],
                                        float(np.abs(ref["attention"][(stack, layer)] - w).max()))
                if not np.allclose(w.sum(-1), 1.0, atol=1e-5):
                    raise RuntimeError(f"{g.name}: attention rows do not sum to 1")
                stats["max_attn"].append(float(w.max(-1).mean()))
                for head in range(w.shape[0]):
                    attention.append({"stack": stack, "layer": layer, "head": head,
                                      "weights": _floats(w[head])})
        greedy = None
        if kind != "encoder":
            bos = tok.special_id("bos", "target" if kind == "encoder-decoder" else "source")
            eos = tok.special_id("eos", "target" if kind == "encoder-decoder" else "source")
            ids, margin = _greedy_with_margin(g.forward, kind, src, bos, eos, a["max_len"])
            if ids != back.greedy(_single(src), bos_id=bos, eos_id=eos):
                raise RuntimeError(f"{g.name}: greedy differs after the round trip")
            if ids != reference_greedy(doc["architecture"], file_weights, src, bos, eos, a["max_len"]):
                raise RuntimeError(f"{g.name}: greedy differs from the numpy reference")
            stats["margin"] = min(stats["margin"], margin)
            greedy = {"ids": ids, "max_len": a["max_len"]}
        cases.append({"text": text, "target": target, "source_ids": src, "target_ids": tgt,
                      "logits": _floats(logits.numpy()), "attention": attention,
                      "greedy": greedy})

    log(f"{g.name:32s} {kind:16s} roundtrip {stats['roundtrip']:.1e}  ref logits "
        f"{stats['ref_logits']:.1e}  ref attn {stats['ref_attn']:.1e}  capture {stats['capture']:.1e}  "
        f"mean row max {np.mean(stats['max_attn']):.2f}  greedy margin "
        f"{stats['margin'] if stats['margin'] != math.inf else float('nan'):.3g}")
    if stats["roundtrip"] > 1e-6:
        raise RuntimeError(f"{g.name}: reloaded model differs from torch by {stats['roundtrip']:.3g}")
    if stats["capture"] > 1e-5:
        raise RuntimeError(f"{g.name}: captured weights do not reproduce the attention output "
                           f"({stats['capture']:.3g})")
    if stats["ref_logits"] > ERROR_BUDGET or stats["ref_attn"] > ERROR_BUDGET:
        raise RuntimeError(f"{g.name}: numpy reference differs (logits {stats['ref_logits']:.3g}, "
                           f"attention {stats['ref_attn']:.3g})")
    if stats["margin"] < GREEDY_MARGIN:
        raise RuntimeError(f"{g.name}: greedy top-2 margin {stats['margin']:.3g} < {GREEDY_MARGIN}")
    expected = {"model": model_file, "tolerance": TOLERANCE, "cases": cases}
    write_json(os.path.join(out_dir, f"{g.name}.expected.json"), expected)
    return expected


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=DEFAULT_OUT, help="output folder (default tests/data/golden)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    log = (lambda s: None) if args.quiet else print
    goldens = [make() for make in CONFIGS]
    goldens += [example_golden(f) for f in EXAMPLE_FILES if os.path.exists(os.path.join(EXAMPLES, f))]
    for g in goldens:
        build(g, args.out, log)
    if not args.quiet:
        total = 0
        for f in sorted(os.listdir(args.out)):
            path = os.path.join(args.out, f)
            size = os.path.getsize(path)
            total += size
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()[:16]
            print(f"  {size:8d}  {digest}  {f}")
        print(f"  {total:8d}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
