"""Reference models that Basalt's Java training code must reproduce operation by operation.

Two architectures, each written out with plain tensor operations (no fused kernels, no
``scaled_dot_product_attention``) so every step has an obvious Java counterpart.

Shape letters used throughout:
    B  batch size          T  sequence length (positions 0..T-1)
    C  model width         V  vocabulary size
    nh query heads         nkv key/value heads (Llama only)
    hd head size = C / nh (GPT-2) or the configured head_dim (Llama, C / nh by default)
    F  SwiGLU hidden size (Llama)

Conventions shared by both models
---------------------------------
* Storage: ``nn.Linear(in, out)`` keeps its weight as an (out, in) row-major matrix and computes
  ``y = x @ W^T + b``. Embedding tables are (V, C): row ``t`` is the vector of token ``t``.
* Everything is float32. Reductions (means, softmax sums, matmul dot products) accumulate in
  float32 in PyTorch; a Java implementation that accumulates in float or double agrees to ~1e-6.
* Causal mask: query position i attends to key positions j <= i. Masked scores are set to
  -inf before the softmax (so they become exactly 0).
* Softmax is over the key axis, computed as exp(s - max) / sum.
* Loss: ``F.cross_entropy(logits.view(B*T, V), targets.view(B*T))``, i.e. the mean over all
  B*T positions of ``logsumexp(logits) - logits[target]``. No ignore index is used by the fixtures.
* ``forward(idx, targets)`` returns the full (B, T, V) logits (not only the last position, unlike
  nanoGPT's inference path) and the loss (None when targets is None).
* Dropout is not modelled (it is 0 everywhere Basalt compares against PyTorch).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------------
# GPT-2 (nanoGPT model.py semantics)
# --------------------------------------------------------------------------------------------

@dataclass
class GPTConfig:
    """Hyper-parameters of :class:`GPT`.

    bias: whether every Linear and LayerNorm has a bias (GPT-2: True; nanoGPT's train.py default
        and hence its shakespeare-char recipe: False, which also drops the LayerNorm bias).
    gelu_approximate: 'tanh' = GPT-2's / llama.cpp's gelu,
        0.5*x*(1 + tanh(sqrt(2/pi) * (x + 0.044715*x^3)));
        'none' = exact erf gelu, 0.5*x*(1 + erf(x/sqrt(2))), which is what nanoGPT's ``nn.GELU()``
        actually computes.
    """
    vocab_size: int = 67
    block_size: int = 16
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 32
    bias: bool = True
    gelu_approximate: str = "tanh"
    ln_eps: float = 1e-5

    def __post_init__(self):
        if self.n_embd % self.n_head != 0:
            raise ValueError(f"n_embd={self.n_embd} not divisible by n_head={self.n_head}")
        if self.gelu_approximate not in ("tanh", "none"):
            raise ValueError(f"gelu_approximate={self.gelu_approximate!r}, expected 'tanh' or 'none'")


class LayerNorm(nn.Module):
    """LayerNorm over the last axis with an optional bias (nanoGPT's own class).

    y = (x - mean) / sqrt(var + eps) * weight + bias, where mean and the *biased* variance
    var = mean((x - mean)^2) are taken over the C channels of one position; eps = 1e-5.
    """

    def __init__(self, ndim: int, bias: bool, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with one fused q,k,v projection.

    qkv = c_attn(x)                  (B, T, 3C); c_attn.weight is (3C, C), bias (3C)
    q, k, v = qkv.split(C, dim=2)    q = columns [0, C), k = [C, 2C), v = [2C, 3C)
    head h of q/k/v = channels [h*hd, (h+1)*hd) of that C-wide slice
    att = softmax(mask(q_h @ k_h^T * (1/sqrt(hd))))     (B, nh, T, T)
    y_h = att @ v_h; heads concatenated back in order h = 0..nh-1 -> (B, T, C)
    out = c_proj(y)                  c_proj.weight is (C, C), bias (C)
    """

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.n_head = cfg.n_head
        self.n_embd = cfg.n_embd
        self.register_buffer(
            "mask", torch.tril(torch.ones(cfg.block_size, cfg.block_size, dtype=torch.bool)),
            persistent=False)

    def forward(self, x):
        B, T, C = x.size()
        hd = C // self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, hd).transpose(1, 2)  # (B, nh, T, hd)
        k = k.view(B, T, self.n_head, hd).transpose(1, 2)  # (B, nh, T, hd)
        v = v.view(B, T, self.n_head, hd).transpose(1, 2)  # (B, nh, T, hd)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # (B, nh, T, T)
        att = att.masked_fill(~self.mask[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v  # (B, nh, T, hd)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    """c_fc Linear(C, 4C) -> GELU (tanh or exact, see GPTConfig) -> c_proj Linear(4C, C)."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.gelu = nn.GELU(approximate=cfg.gelu_approximate)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    """Pre-LN block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln_1 = LayerNorm(cfg.n_embd, cfg.bias, cfg.ln_eps)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg.n_embd, cfg.bias, cfg.ln_eps)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    """GPT-2 as in nanoGPT's model.py.

    Forward:
        x = wte[idx] + wpe[0..T-1]                (B, T, C)
        for each block: pre-LN attention and MLP with residuals (see Block)
        x = ln_f(x)
        logits = x @ wte^T                        (B, T, V)   lm_head tied to wte, no bias

    Parameter names (named_parameters order, which is also the optimizer order):
        transformer.wte.weight (V, C)   -- also the lm_head weight (tied; listed once)
        transformer.wpe.weight (T, C)
        transformer.h.{l}.ln_1.weight (C) [.bias (C)]
        transformer.h.{l}.attn.c_attn.weight (3C, C) [.bias (3C)]
        transformer.h.{l}.attn.c_proj.weight (C, C) [.bias (C)]
        transformer.h.{l}.ln_2.weight (C) [.bias (C)]
        transformer.h.{l}.mlp.c_fc.weight (4C, C) [.bias (4C)]
        transformer.h.{l}.mlp.c_proj.weight (C, 4C) [.bias (C)]
        transformer.ln_f.weight (C) [.bias (C)]
    state_dict() additionally contains lm_head.weight, the same tensor as transformer.wte.weight.

    Initialisation (nanoGPT, reproduces its random stream given the same seed): modules are built
    in the order above (default PyTorch init consumes the RNG), lm_head = Linear(C, V, bias=False)
    is built last and tied, then ``apply(_init_weights)`` visits modules depth-first children-first:
    every Linear weight ~ N(0, 0.02), Linear biases 0, every Embedding ~ N(0, 0.02) (wte is drawn
    as an embedding and then redrawn as lm_head); finally every ``*c_proj.weight`` is redrawn
    ~ N(0, 0.02/sqrt(2*n_layer)) (the GPT-2 paper's scaled residual init). LayerNorm weight 1, bias 0.
    """

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)]),
            ln_f=LayerNorm(cfg.n_embd, cfg.bias, cfg.ln_eps),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"sequence length {T} > block_size {self.config.block_size}")
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)  # (B, T, C)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


# --------------------------------------------------------------------------------------------
# Llama (Meta llama/model.py semantics, interleaved RoPE)
# --------------------------------------------------------------------------------------------

@dataclass
class LlamaConfig:
    """Hyper-parameters of :class:`Llama`. head_dim defaults to dim // n_heads."""
    vocab_size: int = 67
    max_seq_len: int = 16
    dim: int = 32
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: int = 2
    hidden_dim: int = 80
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_embeddings: bool = False
    head_dim: int = 0

    def __post_init__(self):
        if self.head_dim == 0:
            if self.dim % self.n_heads != 0:
                raise ValueError(f"dim={self.dim} not divisible by n_heads={self.n_heads}")
            self.head_dim = self.dim // self.n_heads
        if self.n_heads % self.n_kv_heads != 0:
            raise ValueError(f"n_heads={self.n_heads} not a multiple of n_kv_heads={self.n_kv_heads}")
        if self.head_dim % 2 != 0:
            raise ValueError(f"head_dim={self.head_dim} must be even for RoPE")


class RMSNorm(nn.Module):
    """y = x * rsqrt(mean(x^2 over C) + eps) * weight, in float32; weight only, eps = 1e-5."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim: int, seq_len: int, theta: float):
    """cos and sin tables, each (seq_len, head_dim/2), float32.

    angle[pos, i] = pos * theta^(-2i/head_dim) for i in [0, head_dim/2). The angle and its cos/sin
    are computed in float64 and rounded once to float32 (Java: Math.pow / Math.cos / Math.sin then
    (float)). Meta computes the same in float32; the two agree to ~1e-7 at these lengths.
    """
    i = torch.arange(0, head_dim // 2, dtype=torch.float64)
    inv_freq = theta ** (-2.0 * i / head_dim)
    pos = torch.arange(seq_len, dtype=torch.float64)
    ang = torch.outer(pos, inv_freq)
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    """Interleaved ("normal", Meta / llama.cpp LLAMA_ROPE_TYPE_NORM) rotary embedding.

    x: (B, T, n, hd). Within each head, the pair (x[2i], x[2i+1]) at position pos is rotated by
    angle[pos, i]:
        out[2i]   = x[2i] * cos - x[2i+1] * sin
        out[2i+1] = x[2i] * sin + x[2i+1] * cos
    (NOT the Hugging Face "rotate_half" layout that pairs i with i + hd/2.)
    """
    B, T, n, hd = x.shape
    xp = x.view(B, T, n, hd // 2, 2)
    x0, x1 = xp[..., 0], xp[..., 1]
    c = cos[:T].view(1, T, 1, hd // 2)
    s = sin[:T].view(1, T, 1, hd // 2)
    out = torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1)
    return out.view(B, T, n, hd)


class Attention(nn.Module):
    """Grouped-query causal attention, no biases.

    q = wq(x) (B,T,nh*hd), k = wk(x), v = wv(x) (B,T,nkv*hd); head h = channels [h*hd, (h+1)*hd).
    RoPE (interleaved) on q and k. Query head h uses key/value head h // (nh/nkv) (Meta's
    repeat_kv: each kv head repeated n_rep = nh/nkv times consecutively).
    att = softmax(mask(q_h @ k_g^T / sqrt(hd))); y_h = att @ v_g; heads concatenated in order;
    out = wo(y) with wo.weight (C, nh*hd).
    """

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * cfg.head_dim, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wo = nn.Linear(cfg.n_heads * cfg.head_dim, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        nh, nkv, hd = self.n_heads, self.n_kv_heads, self.head_dim
        q = self.wq(x).view(B, T, nh, hd)
        k = self.wk(x).view(B, T, nkv, hd)
        v = self.wv(x).view(B, T, nkv, hd)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        n_rep = nh // nkv
        k = k.repeat_interleave(n_rep, dim=2)  # (B, T, nh, hd): kv head g serves heads g*n_rep..
        v = v.repeat_interleave(n_rep, dim=2)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # (B, nh, T, hd)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # (B, nh, T, T)
        att = att.masked_fill(~mask[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, nh * hd)
        return self.wo(y)


class FeedForward(nn.Module):
    """SwiGLU: w2(silu(w1 x) * w3 x); w1, w3: (F, C), w2: (C, F); silu(z) = z * sigmoid(z)."""

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)
        self.w2 = nn.Linear(cfg.hidden_dim, cfg.dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class TransformerBlock(nn.Module):
    """x = x + attention(attention_norm(x)); x = x + feed_forward(ffn_norm(x))."""

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.feed_forward = FeedForward(cfg)

    def forward(self, x, cos, sin, mask):
        x = x + self.attention(self.attention_norm(x), cos, sin, mask)
        x = x + self.feed_forward(self.ffn_norm(x))
        return x


class Llama(nn.Module):
    """Llama: x = tok_embeddings[idx]; blocks; norm; logits = output(x) (no positional table).

    Parameter names (named_parameters order):
        tok_embeddings.weight (V, C)
        layers.{l}.attention_norm.weight (C)
        layers.{l}.attention.wq.weight (nh*hd, C)
        layers.{l}.attention.wk.weight (nkv*hd, C)
        layers.{l}.attention.wv.weight (nkv*hd, C)
        layers.{l}.attention.wo.weight (C, nh*hd)
        layers.{l}.ffn_norm.weight (C)
        layers.{l}.feed_forward.w1.weight (F, C)
        layers.{l}.feed_forward.w2.weight (C, F)
        layers.{l}.feed_forward.w3.weight (F, C)
        norm.weight (C)
        output.weight (V, C)   -- absent from named_parameters when tie_embeddings (then it is
                                  tok_embeddings.weight)

    Initialisation: after construction, every parameter in named_parameters order is redrawn:
    1-D (norm weights) = 1, otherwise ~ N(0, 0.02). (The fixtures store the initial weights, so
    Java never needs to reproduce the random stream.)
    """

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.config = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output.weight = self.tok_embeddings.weight
        cos, sin = rope_tables(cfg.head_dim, cfg.max_seq_len, cfg.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.register_buffer(
            "mask", torch.tril(torch.ones(cfg.max_seq_len, cfg.max_seq_len, dtype=torch.bool)),
            persistent=False)
        with torch.no_grad():
            for _, p in self.named_parameters():
                if p.dim() == 1:
                    p.fill_(1.0)
                else:
                    torch.nn.init.normal_(p, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.size()
        if T > self.config.max_seq_len:
            raise ValueError(f"sequence length {T} > max_seq_len {self.config.max_seq_len}")
        x = self.tok_embeddings(idx)  # (B, T, C)
        for layer in self.layers:
            x = layer(x, self.rope_cos, self.rope_sin, self.mask)
        x = self.norm(x)
        logits = self.output(x)  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


# --------------------------------------------------------------------------------------------
# Optimizer parameter groups
# --------------------------------------------------------------------------------------------

EMBEDDING_NAMES = ("transformer.wte.weight", "transformer.wpe.weight", "tok_embeddings.weight")


def fixture_param_groups(model: nn.Module, weight_decay: float):
    """Basalt's fixture grouping: decay = 2-D parameters that are not embedding tables.

    Iterates ``named_parameters()`` (tied tensors appear once, under the embedding name, so a tied
    lm_head/output is *not* decayed). No decay: every 1-D parameter (norm weights, biases) and the
    embedding tables wte, wpe, tok_embeddings. Returns (groups, decay_names, no_decay_names);
    within each group the order is named_parameters order.
    """
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 and n not in EMBEDDING_NAMES else no_decay).append((n, p))
    groups = [
        {"params": [p for _, p in decay], "weight_decay": weight_decay},
        {"params": [p for _, p in no_decay], "weight_decay": 0.0},
    ]
    return groups, [n for n, _ in decay], [n for n, _ in no_decay]


def nanogpt_param_groups(model: nn.Module, weight_decay: float):
    """nanoGPT's configure_optimizers grouping: decay every parameter with dim >= 2 (this *includes*
    the embeddings wte and wpe in current nanoGPT), no decay for dim < 2."""
    decay = [(n, p) for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [(n, p) for n, p in model.named_parameters() if p.dim() < 2]
    groups = [
        {"params": [p for _, p in decay], "weight_decay": weight_decay},
        {"params": [p for _, p in no_decay], "weight_decay": 0.0},
    ]
    return groups, [n for n, _ in decay], [n for n, _ in no_decay]


def config_dict(cfg) -> dict:
    return asdict(cfg)
