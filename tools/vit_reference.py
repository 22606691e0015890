#!/usr/bin/python3
"""Independent torch reference for Hugging Face ViT folders (ViTModel, ViTForImageClassification).

Written from the published semantics of Hugging Face's modeling_vit (the ``transformers``
package is not used, nor anything of AttnScope's engine):

* ViTPatchEmbeddings: Conv2d(C, d, kernel = stride = patch), flatten(2).transpose(1, 2), so patch
  n is grid cell (n // grid_w, n % grid_w); image_size and patch_size are an int or [H, W];
  the input must be exactly image_size (no interpolate_pos_encoding).
* ViTEmbeddings: cat([cls_token, patches]) + position_embeddings (1, N + 1, d).
* ViTLayer (pre-norm): h = h + attn(layernorm_before(h)); h = h + output(intermediate(layernorm_after(h))).
* ViTSelfAttention: softmax(q kᵀ / √d_head) v, q/k/v biases when qkv_bias.
* final ``layernorm``; ViTForImageClassification: classifier on token 0.

Parameter names are the checkpoint names (``vit.`` prefix for the classifier model), so a folder
loads with load_state_dict(strict=True). Dimension letters: B batch, C channels, T tokens (N + 1),
N patches, d width, H heads, D head width, F MLP width, K classes.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from hf_reference import read_safetensors, write_safetensors  # noqa: E402

TRANSFORMERS_VERSION = "4.46.3"  # what save_pretrained would stamp; loaders ignore it


def pair(v: Any) -> Tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (list, tuple)) else (int(v), int(v))


class PatchEmbeddings(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.image_size = pair(cfg["image_size"])
        self.patch_size = pair(cfg["patch_size"])
        self.grid = (self.image_size[0] // self.patch_size[0], self.image_size[1] // self.patch_size[1])
        self.projection = nn.Conv2d(cfg["num_channels"], cfg["hidden_size"], kernel_size=self.patch_size,
                                    stride=self.patch_size)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, N, d)
        _, _, h, w = pixel_values.shape
        if (h, w) != self.image_size:
            raise ValueError(f"Input image size ({h}*{w}) doesn't match model ({self.image_size})")
        return self.projection(pixel_values).flatten(2).transpose(1, 2)


class Embeddings(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        d = cfg["hidden_size"]
        self.patch_embeddings = PatchEmbeddings(cfg)
        n = self.patch_embeddings.grid[0] * self.patch_embeddings.grid[1]
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.position_embeddings = nn.Parameter(torch.zeros(1, n + 1, d))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:  # (B, T, d)
        x = self.patch_embeddings(pixel_values)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        return torch.cat([cls, x], dim=1) + self.position_embeddings


class SelfAttention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        d, self.h = cfg["hidden_size"], cfg["num_attention_heads"]
        bias = cfg.get("qkv_bias", True)
        self.query = nn.Linear(d, d, bias=bias)
        self.key = nn.Linear(d, d, bias=bias)
        self.value = nn.Linear(d, d, bias=bias)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, t, d = x.shape
        dh = d // self.h

        def split(y: torch.Tensor) -> torch.Tensor:  # (B, T, d) -> (B, H, T, D)
            return y.view(b, t, self.h, dh).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)  # (B, H, T, T)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, d)
        return ctx, probs


class _Dense(nn.Module):
    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)


class Attention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.attention = SelfAttention(cfg)
        self.output = _Dense(cfg["hidden_size"], cfg["hidden_size"])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        ctx, probs = self.attention(x)
        return self.output.dense(ctx), probs


def act(name: str):
    if name == "gelu":
        return lambda x: F.gelu(x)  # exact erf form
    if name == "relu":
        return F.relu
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: F.gelu(x, approximate="tanh")
    raise ValueError(name)


class Layer(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        d, f, eps = cfg["hidden_size"], cfg["intermediate_size"], cfg["layer_norm_eps"]
        self.layernorm_before = nn.LayerNorm(d, eps=eps)
        self.attention = Attention(cfg)
        self.layernorm_after = nn.LayerNorm(d, eps=eps)
        self.intermediate = _Dense(d, f)
        self.output = _Dense(f, d)
        self.act = act(cfg["hidden_act"])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        a, probs = self.attention(self.layernorm_before(x))
        x = x + a
        return x + self.output.dense(self.act(self.intermediate.dense(self.layernorm_after(x)))), probs


class _Encoder(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(cfg["num_hidden_layers"])])


class _Pooler(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.dense = nn.Linear(d, d)


class ViTModel(nn.Module):
    """The bare model: returns the final LayerNorm's hidden states (B, T, d) and attentions."""

    def __init__(self, cfg: Dict[str, Any], pooler: bool = True):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = _Encoder(cfg)
        self.layernorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])
        if pooler:
            self.pooler = _Pooler(cfg["hidden_size"])  # stored by ViTModel; not part of the hidden states

    def forward(self, pixel_values: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        x = self.embeddings(pixel_values)
        attentions = []
        for layer in self.encoder.layer:
            x, probs = layer(x)
            attentions.append(probs)
        return self.layernorm(x), attentions


class ViTForImageClassification(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        self.vit = ViTModel(cfg, pooler=False)
        self.classifier = nn.Linear(cfg["hidden_size"], len(cfg["id2label"]))

    def forward(self, pixel_values: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        hidden, attentions = self.vit(pixel_values)
        return self.classifier(hidden[:, 0, :]), attentions  # (B, K)


def vit_config(*, hidden_size: int, heads: int, layers: int, intermediate: int, image_size: Any, patch_size: Any,
               channels: int, labels: Optional[List[str]], eps: float = 1e-12, act_name: str = "gelu",
               qkv_bias: bool = True) -> Dict[str, Any]:
    """config.json as ViTConfig.save_pretrained writes it (sorted keys)."""
    cfg: Dict[str, Any] = {
        "architectures": ["ViTForImageClassification" if labels else "ViTModel"],
        "attention_probs_dropout_prob": 0.0,
        "encoder_stride": 16,
        "hidden_act": act_name,
        "hidden_dropout_prob": 0.0,
        "hidden_size": hidden_size,
        "image_size": image_size,
        "initializer_range": 0.02,
        "intermediate_size": intermediate,
        "layer_norm_eps": eps,
        "model_type": "vit",
        "num_attention_heads": heads,
        "num_channels": channels,
        "num_hidden_layers": layers,
        "patch_size": patch_size,
        "qkv_bias": qkv_bias,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
    }
    if labels:
        cfg["id2label"] = {str(i): name for i, name in enumerate(labels)}
        cfg["label2id"] = {name: i for i, name in enumerate(labels)}
    return dict(sorted(cfg.items()))


def build(cfg: Dict[str, Any]) -> nn.Module:
    return ViTForImageClassification(cfg) if cfg.get("id2label") else ViTModel(cfg)


def save_folder(folder: str, cfg: Dict[str, Any], model: nn.Module, preprocessor: Dict[str, Any]) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(folder, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        json.dump(preprocessor, f, indent=2, sort_keys=True)
        f.write("\n")
    state = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(folder, "model.safetensors"), state)


def load_folder(folder: str) -> Tuple[Dict[str, Any], nn.Module]:
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    model = build(cfg)
    raw = read_safetensors(os.path.join(folder, "model.safetensors"))
    model.load_state_dict({n: t.to(torch.float32) for n, (_, t) in raw.items()}, strict=True)
    model.eval()
    return cfg, model


def preprocessor_config(size: Tuple[int, int], *, resample: int = 2, mean: float = 0.5, std: float = 0.5,
                        channels: int = 3, do_resize: bool = True) -> Dict[str, Any]:
    """preprocessor_config.json as ViTImageProcessor.save_pretrained writes it."""
    return {
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": do_resize,
        "image_mean": [mean] * channels,
        "image_processor_type": "ViTImageProcessor",
        "image_std": [std] * channels,
        "resample": resample,
        "rescale_factor": 0.00392156862745098,
        "size": {"height": size[0], "width": size[1]},
    }
