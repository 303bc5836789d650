#!/usr/bin/env python3
"""Writes basalt-nn/src/test/resources/ai/basalt/nn/torch-reference.bin: inputs, outputs and gradients of every
basalt-nn op, plus AdamW steps with clipping and nanoGPT's schedule, computed by PyTorch (1.13 from
Debian's python3-torch: `apt-get install python3-torch`, then `/usr/bin/python3 tools/nn/torch_reference.py`).

Format (little-endian): magic b"BNNT", int32 version 1, int32 record count, then per record: uint16 name
length, UTF-8 name, uint8 type (0 float32, 1 int32), int32 rank, int32 dims[rank], the values.
"""
import math
import os
import struct

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
records = []


def put(name, t):
    t = t.detach().clone().contiguous()
    records.append((name, t))


def rand(*shape, scale=1.0):
    return (torch.rand(*shape) * 2 - 1) * scale


def leaf(*shape, scale=1.0):
    return rand(*shape, scale=scale).requires_grad_(True)


def backward_with(name, y, *inputs):
    """Backpropagates a random upstream gradient; stores it, the output, and each input's gradient."""
    dy = rand(*y.shape)
    put(name + ".dy", dy)
    put(name + ".y", y)
    y.backward(dy)
    for i, x in enumerate(inputs):
        put(f"{name}.d{i}", x.grad)


# linear: x (2, 3, 8), W (5, 8), b (5)
x, w, b = leaf(2, 3, 8), leaf(5, 8), leaf(5)
put("linear.x", x); put("linear.w", w); put("linear.b", b)
backward_with("linear", F.linear(x, w, b), x, w, b)

# layer norm over C = 16
x, w, b = leaf(4, 16, scale=2.0), leaf(16), leaf(16)
put("layernorm.x", x); put("layernorm.w", w); put("layernorm.b", b)
backward_with("layernorm", F.layer_norm(x, (16,), w, b, 1e-5), x, w, b)

# RMSNorm as Meta's Llama writes it
x, w = leaf(4, 16, scale=2.0), leaf(16)
put("rmsnorm.x", x); put("rmsnorm.w", w)
backward_with("rmsnorm", x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w, x, w)

for approx in ("none", "tanh"):
    x = leaf(64, scale=5.0)
    put(f"gelu_{approx}.x", x)
    backward_with(f"gelu_{approx}", F.gelu(x, approximate=approx), x)

x = leaf(64, scale=6.0)
put("silu.x", x)
backward_with("silu", F.silu(x), x)

a, g = leaf(3, 20, scale=4.0), leaf(3, 20, scale=2.0)
put("swiglu.a", a); put("swiglu.b", g)
backward_with("swiglu", F.silu(a) * g, a, g)

# RoPE, theta 10000, B=1, T=200, H=2, hs=16 (long enough that float32 angle rounding matters)
B, T, H, HS = 1, 200, 2, 16
freqs = 1.0 / (10000.0 ** (torch.arange(0, HS, 2)[: (HS // 2)].float() / HS))
angles = torch.outer(torch.arange(T).float(), freqs)  # (T, hs/2)
x = leaf(B, T, H * HS)
put("rope.x", x)
# NORMAL: Meta's complex multiply of adjacent pairs
xc = torch.view_as_complex(x.view(B, T, H, HS // 2, 2))
y = torch.view_as_real(xc * torch.polar(torch.ones_like(angles), angles).view(1, T, 1, HS // 2)).reshape(B, T, H * HS)
backward_with("rope_normal", y, x)
x.grad = None
# NEOX: Hugging Face's rotate_half
emb = torch.cat((angles, angles), dim=-1)
cos, sin = emb.cos().view(1, T, 1, HS), emb.sin().view(1, T, 1, HS)
xh = x.view(B, T, H, HS)
rot = torch.cat((-xh[..., HS // 2:], xh[..., : HS // 2]), dim=-1)
backward_with("rope_neox", (xh * cos + rot * sin).reshape(B, T, H * HS), x)

# causal attention with grouped-query heads: B=2, T=6, H=4, KVH=2, hs=8 (nanoGPT + Llama repeat_kv)
B, T, H, KVH, HS = 2, 6, 4, 2, 8
q, k, v = leaf(B, T, H * HS, scale=1.5), leaf(B, T, KVH * HS, scale=1.5), leaf(B, T, KVH * HS)
put("attention.q", q); put("attention.k", k); put("attention.v", v)
qh = q.view(B, T, H, HS).transpose(1, 2)
kh = k.view(B, T, KVH, HS).repeat_interleave(H // KVH, dim=2).transpose(1, 2)
vh = v.view(B, T, KVH, HS).repeat_interleave(H // KVH, dim=2).transpose(1, 2)
att = (qh @ kh.transpose(-2, -1)) * (1.0 / math.sqrt(HS))
att = att.masked_fill(torch.tril(torch.ones(T, T)) == 0, float("-inf"))
att = F.softmax(att, dim=-1)
backward_with("attention", (att @ vh).transpose(1, 2).contiguous().view(B, T, H * HS), q, k, v)

# cross-entropy over V = 11 with ignored positions
logits = leaf(2, 5, 11, scale=3.0)
targets = torch.tensor([[3, 10, -100, 0, 3], [5, -100, 7, 7, 1]], dtype=torch.int32)
put("crossentropy.logits", logits); put("crossentropy.targets", targets)
loss = F.cross_entropy(logits.view(-1, 11), targets.view(-1).long(), ignore_index=-100)
put("crossentropy.loss", loss.view(1))
loss.backward()
put("crossentropy.d0", logits.grad)

# embedding with repeated ids
table = leaf(7, 5)
ids = torch.tensor([[6, 0, 6], [2, 6, 1]], dtype=torch.int32)
put("embedding.table", table); put("embedding.ids", ids)
backward_with("embedding", F.embedding(ids.long(), table), table)


# AdamW on two groups, with clip_grad_norm_ and nanoGPT's get_lr, 6 steps
def get_lr(it, lr=1e-2, min_lr=1e-3, warmup=2, decay=4):
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay:
        return min_lr
    ratio = (it - warmup) / (decay - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


w = rand(4, 6).requires_grad_(True)
b = rand(6).requires_grad_(True)
put("adamw.w0", w); put("adamw.b0", b)
opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                        lr=1e-2, betas=(0.9, 0.95), eps=1e-8)
lrs, norms = [], []
for it in range(6):
    gw, gb = rand(4, 6, scale=0.6), rand(6, scale=0.6)
    put(f"adamw.gw{it}", gw); put(f"adamw.gb{it}", gb)
    w.grad, b.grad = gw.clone(), gb.clone()
    norms.append(float(torch.nn.utils.clip_grad_norm_([w, b], 1.0)))
    lr = get_lr(it)
    lrs.append(lr)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
put("adamw.norms", torch.tensor(norms))
put("adamw.lrs", torch.tensor(lrs, dtype=torch.float64).float())
put("adamw.w", w); put("adamw.b", b)
put("adamw.w_exp_avg", opt.state[w]["exp_avg"]); put("adamw.w_exp_avg_sq", opt.state[w]["exp_avg_sq"])
put("adamw.b_exp_avg", opt.state[b]["exp_avg"]); put("adamw.b_exp_avg_sq", opt.state[b]["exp_avg_sq"])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "basalt-nn", "src", "test", "resources", "ai", "basalt", "nn",
                   "torch-reference.bin")
with open(out, "wb") as f:
    f.write(b"BNNT")
    f.write(struct.pack("<ii", 1, len(records)))
    for name, t in records:
        raw = name.encode()
        is_int = t.dtype in (torch.int32, torch.int64)
        f.write(struct.pack("<H", len(raw)) + raw + struct.pack("<Bi", 1 if is_int else 0, t.dim()))
        f.write(struct.pack(f"<{t.dim()}i", *t.shape))
        if is_int:
            f.write(struct.pack(f"<{t.numel()}i", *t.int().flatten().tolist()))
        else:
            f.write(struct.pack(f"<{t.numel()}f", *t.float().flatten().tolist()))
print(f"wrote {len(records)} records to {os.path.normpath(out)} (torch {torch.__version__})")
