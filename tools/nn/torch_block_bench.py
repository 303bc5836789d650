#!/usr/bin/env python3
"""PyTorch's time for the block that ai.basalt.bench.TrainStepBenchmark measures: forward and backward of
one pre-norm transformer block at B=12, T=64, C=128, 4 heads, with a fixed upstream gradient.
Run: /usr/bin/python3 tools/torch_block_bench.py [threads]   (Debian's python3-torch, 1.13)."""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
B, T, C, H = 12, 64, 128, 4


class Block(nn.Module):
    def __init__(self, llama):
        super().__init__()
        self.llama, self.kvh = llama, 2 if llama else H
        hs, kvd = C // H, (2 if llama else H) * (C // H)
        self.n1 = nn.LayerNorm(C) if not llama else nn.Identity()
        self.n2 = nn.LayerNorm(C) if not llama else nn.Identity()
        self.w1, self.w2 = nn.Parameter(torch.ones(C)), nn.Parameter(torch.ones(C))
        self.qkv = nn.Linear(C, C + 2 * kvd, bias=not llama)
        self.proj = nn.Linear(C, C, bias=not llama)
        self.up = nn.Linear(C, 4 * C, bias=not llama)
        self.gate = nn.Linear(C, 4 * C, bias=False) if llama else None
        self.down = nn.Linear(4 * C, C, bias=not llama)
        freqs = 1.0 / (10000.0 ** (torch.arange(0, hs, 2).float() / hs))
        ang = torch.outer(torch.arange(T).float(), freqs)
        emb = torch.cat((ang, ang), -1)
        self.cos, self.sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
        self.mask = torch.tril(torch.ones(T, T)) == 0

    def norm(self, x, n, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w if self.llama else n(x)

    def rope(self, x):
        h = x.shape[-1] // 2
        return x * self.cos + torch.cat((-x[..., h:], x[..., :h]), -1) * self.sin

    def forward(self, x):
        hs, kvd = C // H, self.kvh * (C // H)
        q, k, v = self.qkv(self.norm(x, self.n1, self.w1)).split([C, kvd, kvd], dim=-1)
        q, k, v = q.view(B, T, H, hs), k.view(B, T, self.kvh, hs), v.view(B, T, self.kvh, hs)
        if self.llama:
            q, k = self.rope(q), self.rope(k)
            k, v = k.repeat_interleave(H // self.kvh, 2), v.repeat_interleave(H // self.kvh, 2)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = F.softmax(att.masked_fill(self.mask, float("-inf")), dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))
        h = self.norm(x, self.n2, self.w2)
        m = F.silu(self.gate(h)) * self.up(h) if self.llama else F.gelu(self.up(h), approximate="tanh")
        return x + self.down(m)


for llama in (False, True):
    block = Block(llama)
    x = torch.randn(B, T, C, requires_grad=True)
    dy = torch.randn(B, T, C) * 1e-3
    for _ in range(20):
        block(x).backward(dy)
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(20):
            block.zero_grad()
            block(x).backward(dy)
        times.append((time.perf_counter() - t0) / 20 * 1000)
    times.sort()
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} {'llama' if llama else 'gpt2'}: "
          f"median {times[3]:.2f} ms, best {times[0]:.2f} ms")
