#!/usr/bin/python3
"""Qwen3 reference decoder in plain PyTorch, for the families llama.cpp b4916 cannot run.

Reads Qwen3 models from GGUF files (its own minimal reader: F32, F16, Q8_0, Q4_0, Q4_K and Q6_K tensors, the
k-quants decoded as ggml's dequantize_row_* decode them), decodes greedily from the given prompt token ids and
prints, as one JSON object on stdout, each model's generated tokens; the raw float32 logits of every step are
written beside it (little-endian, steps x vocabulary, row-major) because 64 steps of a 151,936-token vocabulary
would be ~100 MB of JSON text.

The forward pass is Qwen3's (Hugging Face transformers' Qwen3ForCausalLM, as llama.cpp's llm_build_qwen3 mirrors it):
token embedding; per layer, RMSNorm -> Q, K, V projections -> per-head RMSNorm of Q and K (attn_q_norm/attn_k_norm)
-> rotary embedding rotating halves (GPT-NeoX layout, theta_i = pos * base^(-2i/d)) -> causal grouped-query attention
(scale 1/sqrt(head_dim)) -> output projection, residual; RMSNorm -> SwiGLU MLP (down(silu(gate(x)) * up(x))),
residual; final RMSNorm; output projection (output.weight, or the token embedding when tied). All in float32,
activations never rounded, weights dequantized once.

Usage (Debian's interpreter, which sees Debian's python3-torch and python3-numpy):
    /usr/bin/python3 tools/reference/qwen3_reference.py --prompt 785,3974,13876 --steps 64 --out DIR a.gguf b.gguf
Output: {"torch": "1.13.1", "models": [{"file": "a.gguf", "vocab": 151936, "tokens": [...],
         "logits": "DIR/a.gguf.logits"}, ...]}
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

# GGUF metadata value types (ggml docs/gguf.md)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# ggml types this reader decodes: id -> (name, elements per block, bytes per block)
_TYPES = {0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 8: ("Q8_0", 32, 34),
          12: ("Q4_K", 256, 144), 14: ("Q6_K", 256, 210)}


class Gguf:
    """A GGUF file: metadata dict and tensors dequantized to float32 numpy arrays of shape (rows, cols)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.pos = 0
        magic = self._take(4)
        if magic != b"GGUF":
            raise ValueError(f"{path}: magic {magic!r}, expected b'GGUF'")
        version, = self._unpack("<I")
        if version not in (2, 3):
            raise ValueError(f"{path}: GGUF version {version}, expected 2 or 3")
        n_tensors, n_kv = self._unpack("<QQ")
        self.meta = {}
        for _ in range(n_kv):
            key = self._string()
            value = self._value(self._unpack("<I")[0], keep=not key.startswith("tokenizer."))
            if not key.startswith("tokenizer."):  # the vocabulary is not needed here: skipped unparsed
                self.meta[key] = value
        infos = []
        for _ in range(n_tensors):
            name = self._string()
            n_dims, = self._unpack("<I")
            dims = self._unpack("<" + "Q" * n_dims)
            ggml_type, offset = self._unpack("<IQ")
            infos.append((name, dims, ggml_type, offset))
        alignment = self.meta.get("general.alignment", 32)
        start = (self.pos + alignment - 1) // alignment * alignment
        self.infos = {name: (dims, t, start + off) for name, dims, t, off in infos}

    def _take(self, n):
        out = self.data[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("truncated GGUF file")
        self.pos += n
        return out

    def _unpack(self, fmt):
        return struct.unpack(fmt, self._take(struct.calcsize(fmt)))

    def _string(self):
        n, = self._unpack("<Q")
        return self._take(n).decode("utf-8")

    def _value(self, t, keep=True):
        if t in _SCALARS:
            return self._unpack(_SCALARS[t])[0]
        if t == _STRING:
            return self._string() if keep else self._skip_string()
        if t == _ARRAY:
            item, n = self._unpack("<IQ")
            if item in _SCALARS:  # numbers: read in one go
                fmt = _SCALARS[item]
                size = struct.calcsize(fmt)
                return np.frombuffer(self._take(n * size), dtype=np.dtype(fmt))
            return [self._value(item, keep) for _ in range(n)]
        raise ValueError(f"unknown GGUF value type {t}")

    def _skip_string(self):
        n, = struct.unpack_from("<Q", self.data, self.pos)
        self.pos += 8 + n
        if self.pos > len(self.data):
            raise ValueError("truncated GGUF file")

    def has(self, name):
        return name in self.infos

    def tensor(self, name):
        dims, t, at = self.infos[name]
        if t not in _TYPES:
            raise ValueError(f"{name}: ggml type {t} is not one this reader decodes ({sorted(_TYPES)})")
        kind, block, nbytes = _TYPES[t]
        count = int(np.prod(dims))
        raw = np.frombuffer(self.data, dtype=np.uint8, count=count // block * nbytes, offset=at)
        values = _DECODERS[kind](raw, count)
        rows = count // dims[0]
        return values.reshape(rows, dims[0]) if len(dims) > 1 else values


def _f16(raw_pairs):
    return np.ascontiguousarray(raw_pairs).view(np.float16).astype(np.float32)


def _decode_q8_0(raw, n):
    b = raw.reshape(-1, 34)
    d = _f16(b[:, 0:2])
    q = b[:, 2:].view(np.int8).astype(np.float32)
    return (q * d).reshape(n)


def _decode_q4_0(raw, n):
    b = raw.reshape(-1, 18)
    d = _f16(b[:, 0:2])
    qs = b[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8  # low nibbles first, then high
    return (q * d).reshape(n)


def _scale_min_k4(s):
    """get_scale_min_k4 for the 8 sub-blocks of a Q4_K block: 6-bit scales and mins, shape (blocks, 8) each."""
    s = s.astype(np.int32)
    sc = np.empty((s.shape[0], 8), np.int32)
    mn = np.empty((s.shape[0], 8), np.int32)
    sc[:, :4] = s[:, 0:4] & 63
    mn[:, :4] = s[:, 4:8] & 63
    sc[:, 4:] = (s[:, 8:12] & 0x0F) | ((s[:, 0:4] >> 6) << 4)
    mn[:, 4:] = (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)
    return sc.astype(np.float32), mn.astype(np.float32)


def _decode_q4_k(raw, n):
    b = raw.reshape(-1, 144)
    d = _f16(b[:, 0:2])
    dmin = _f16(b[:, 2:4])
    sc, mn = _scale_min_k4(b[:, 4:16])
    qs = b[:, 16:].reshape(-1, 4, 32)  # 4 chunks of 64 values: low nibbles the first 32, high nibbles the next
    q = np.stack([qs & 0x0F, qs >> 4], axis=2).reshape(-1, 8, 32).astype(np.float32)
    scale = (d * sc)[:, :, None]  # float32 products, as ggml forms d1 = d * sc
    minimum = (dmin * mn)[:, :, None]
    return (scale * q - minimum).reshape(n)


def _decode_q6_k(raw, n):
    b = raw.reshape(-1, 210)
    ql = b[:, 0:128].reshape(-1, 2, 64).astype(np.int32)
    qh = b[:, 128:192].reshape(-1, 2, 32).astype(np.int32)
    sc = b[:, 192:208].view(np.int8).astype(np.float32).reshape(-1, 2, 8)
    d = _f16(b[:, 208:210]).reshape(-1, 1, 1)
    q1 = (ql[:, :, 0:32] & 0x0F) | (((qh >> 0) & 3) << 4)
    q2 = (ql[:, :, 32:64] & 0x0F) | (((qh >> 2) & 3) << 4)
    q3 = (ql[:, :, 0:32] >> 4) | (((qh >> 4) & 3) << 4)
    q4 = (ql[:, :, 32:64] >> 4) | (((qh >> 6) & 3) << 4)
    q = np.stack([q1, q2, q3, q4], axis=2).astype(np.float32) - 32  # (blocks, half, 4 quarters, 32)
    # value l of quarter k in a half uses scale 2k + l // 16
    s = sc.reshape(-1, 2, 4, 2)  # (blocks, half, quarter, l // 16)
    scale = (d[:, :, :, None] * s)  # (blocks, half, 4, 2) float32
    scale = np.repeat(scale, 16, axis=3)  # (blocks, half, 4, 32)
    return (scale * q).reshape(n)


_DECODERS = {
    "F32": lambda raw, n: np.ascontiguousarray(raw).view(np.float32).copy(),
    "F16": lambda raw, n: np.ascontiguousarray(raw).view(np.float16).astype(np.float32),
    "Q8_0": _decode_q8_0,
    "Q4_0": _decode_q4_0,
    "Q4_K": _decode_q4_k,
    "Q6_K": _decode_q6_k,
}


class Qwen3:
    """Qwen3's decoder over one GGUF file's weights, one token at a time against a KV cache."""

    def __init__(self, gguf):
        arch = gguf.meta["general.architecture"]
        if arch != "qwen3":
            raise ValueError(f"general.architecture is {arch!r}, expected 'qwen3'")
        m = gguf.meta
        self.dim = m["qwen3.embedding_length"]
        self.layers = m["qwen3.block_count"]
        self.heads = m["qwen3.attention.head_count"]
        self.kv_heads = m.get("qwen3.attention.head_count_kv", self.heads)
        self.head_dim = m.get("qwen3.attention.key_length", self.dim // self.heads)
        self.eps = m["qwen3.attention.layer_norm_rms_epsilon"]
        self.base = m.get("qwen3.rope.freq_base", 10000.0)
        t = lambda name: torch.from_numpy(gguf.tensor(name))
        self.embedding = t("token_embd.weight")
        self.output = t("output.weight") if gguf.has("output.weight") else self.embedding
        self.output_norm = t("output_norm.weight")
        self.w = [{k: t(f"blk.{i}.{k}.weight") for k in ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_q_norm",
                                                            "attn_k_norm", "attn_output", "ffn_norm", "ffn_gate",
                                                            "ffn_up", "ffn_down")} for i in range(self.layers)]
        half = self.head_dim // 2
        self.inv_freq = self.base ** (-torch.arange(0, half, dtype=torch.float64) * 2 / self.head_dim)
        self.keys = [[] for _ in range(self.layers)]
        self.values = [[] for _ in range(self.layers)]

    def _rmsnorm(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def _rope(self, x, pos):
        """Rotate halves: (x_i, x_{i+d/2}) by theta_i = pos * base^(-2i/d); x is (heads, head_dim)."""
        angles = (pos * self.inv_freq).to(torch.float32)
        cos, sin = torch.cos(angles), torch.sin(angles)
        a, b = x[:, :self.head_dim // 2], x[:, self.head_dim // 2:]
        return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)

    def forward(self, token, pos):
        x = self.embedding[token].clone()
        group = self.heads // self.kv_heads
        for i, w in enumerate(self.w):
            h = self._rmsnorm(x, w["attn_norm"])
            q = (w["attn_q"] @ h).view(self.heads, self.head_dim)
            k = (w["attn_k"] @ h).view(self.kv_heads, self.head_dim)
            v = (w["attn_v"] @ h).view(self.kv_heads, self.head_dim)
            q = self._rope(self._rmsnorm(q, w["attn_q_norm"]), pos)
            k = self._rope(self._rmsnorm(k, w["attn_k_norm"]), pos)
            self.keys[i].append(k)
            self.values[i].append(v)
            keys = torch.stack(self.keys[i], dim=1).repeat_interleave(group, dim=0)  # (heads, T, hd)
            values = torch.stack(self.values[i], dim=1).repeat_interleave(group, dim=0)
            scores = torch.einsum("hd,htd->ht", q, keys) / (self.head_dim ** 0.5)
            attended = torch.einsum("ht,htd->hd", torch.softmax(scores, dim=-1), values)
            x = x + w["attn_output"] @ attended.reshape(-1)
            h = self._rmsnorm(x, w["ffn_norm"])
            x = x + w["ffn_down"] @ (torch.nn.functional.silu(w["ffn_gate"] @ h) * (w["ffn_up"] @ h))
        return self.output @ self._rmsnorm(x, self.output_norm)


def greedy(model, prompt, steps):
    """Feeds the prompt one token at a time, then decodes greedily; returns the tokens and each step's logits."""
    logits = None
    for pos, token in enumerate(prompt):
        logits = model.forward(token, pos)
    tokens, rows = [], []
    for step in range(steps):
        row = logits.numpy().astype(np.float32)
        rows.append(row)
        tokens.append(int(np.argmax(row)))  # the first index on ties, as greedy samplers pick
        if step + 1 < steps:
            logits = model.forward(tokens[-1], len(prompt) + step)
    return tokens, np.stack(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompt", required=True, help="comma-separated prompt token ids")
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--out", required=True, help="folder for the logits files")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    prompt = [int(t) for t in args.prompt.split(",")]
    report = {"torch": torch.__version__, "models": []}
    with torch.no_grad():
        for path in args.models:
            model = Qwen3(Gguf(path))
            tokens, logits = greedy(model, prompt, args.steps)
            target = os.path.join(args.out, os.path.basename(path) + ".logits")
            logits.astype("<f4").tofile(target)
            report["models"].append({"file": path, "vocab": int(logits.shape[1]), "tokens": tokens, "logits": target})
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
