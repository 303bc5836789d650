"""Independent check of the fixtures: a strict reader plus a float64 NumPy re-implementation.

* read_fixture() checks every invariant a Java reader should check (magic, version, header length
  inside the file, JSON, dtype, shape x itemsize = nbytes, offsets aligned and inside the data).
* The forward pass is recomputed in float64 NumPy from the stored initial weights, following the
  conventions documented in models.py but written separately (Llama RoPE via complex numbers, as
  in Meta's reference code), and compared with the stored logits and loss.
* The AdamW trajectory is recomputed in float64 with a hand-written AdamW (torch autograd only for
  the gradients, on a float64 copy of the model) and compared with the stored losses and final
  parameters.

Usage: /usr/bin/python3 tools/pytorch/check_fixtures.py [fixture.bin ...]
"""
from __future__ import annotations

import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import GPT, GPTConfig, Llama, LlamaConfig  # noqa: E402

MAGIC = b"BSLTFIX\0"


def read_fixture(path):
    buf = open(path, "rb").read()
    if len(buf) < 16 or buf[:8] != MAGIC:
        raise ValueError(f"{path}: bad magic {buf[:8]!r}, expected {MAGIC!r}")
    version, hlen = struct.unpack_from("<II", buf, 8)
    if version != 1:
        raise ValueError(f"{path}: version {version}, expected 1")
    if 16 + hlen > len(buf) or (16 + hlen) % 64:
        raise ValueError(f"{path}: header length {hlen} invalid for file of {len(buf)} bytes")
    header = json.loads(buf[16:16 + hlen].decode("utf-8"))
    base = 16 + hlen
    if base + header["data_size"] != len(buf):
        raise ValueError(f"{path}: data_size {header['data_size']} + {base} != {len(buf)}")
    tensors = {}
    for e in header["tensors"]:
        dt = {"f32": "<f4", "i32": "<i4"}[e["dtype"]]
        n = int(np.prod(e["shape"], dtype=np.int64))
        if n * 4 != e["nbytes"] or e["offset"] % 64 or e["offset"] + e["nbytes"] > header["data_size"]:
            raise ValueError(f"{path}: tensor {e['name']} has inconsistent size/offset")
        tensors[e["name"]] = np.frombuffer(buf, dt, n, base + e["offset"]).reshape(e["shape"])
    return header, tensors


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * w
    return y + b if b is not None else y


def softmax(s):
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)


def causal_attention(q, k, v):  # (B, nh, T, hd)
    T, hd = q.shape[2], q.shape[3]
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
    s = np.where(np.tril(np.ones((T, T), bool)), s, -np.inf)
    return softmax(s) @ v


def gpt2_forward(P, cfg, idx):
    B, T = idx.shape
    C, nh = cfg["n_embd"], cfg["n_head"]
    hd = C // nh
    g = lambda n: P.get(n)  # noqa: E731
    lin = lambda x, n: x @ P[n + ".weight"].T + (P[n + ".bias"] if n + ".bias" in P else 0)  # noqa
    x = P["transformer.wte.weight"][idx] + P["transformer.wpe.weight"][:T]
    for l in range(cfg["n_layer"]):
        p = f"transformer.h.{l}."
        h = layer_norm(x, g(p + "ln_1.weight"), g(p + "ln_1.bias"), cfg["ln_eps"])
        qkv = lin(h, p + "attn.c_attn")
        q, k, v = (qkv[..., i * C:(i + 1) * C].reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
                   for i in range(3))
        y = causal_attention(q, k, v).transpose(0, 2, 1, 3).reshape(B, T, C)
        x = x + lin(y, p + "attn.c_proj")
        h = layer_norm(x, g(p + "ln_2.weight"), g(p + "ln_2.bias"), cfg["ln_eps"])
        u = lin(h, p + "mlp.c_fc")
        if cfg["gelu_approximate"] == "tanh":
            u = 0.5 * u * (1 + np.tanh(math.sqrt(2 / math.pi) * (u + 0.044715 * u ** 3)))
        else:
            from scipy.special import erf
            u = 0.5 * u * (1 + erf(u / math.sqrt(2)))
        x = x + lin(u, p + "mlp.c_proj")
    x = layer_norm(x, g("transformer.ln_f.weight"), g("transformer.ln_f.bias"), cfg["ln_eps"])
    return x @ P["transformer.wte.weight"].T


def llama_forward(P, cfg, idx):
    B, T = idx.shape
    nh, nkv, hd, eps = cfg["n_heads"], cfg["n_kv_heads"], cfg["head_dim"], cfg["norm_eps"]
    rms = lambda x, w: x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * w  # noqa: E731
    freqs = 1.0 / (cfg["rope_theta"] ** (np.arange(0, hd, 2) / hd))
    cis = np.exp(1j * np.outer(np.arange(T), freqs))  # (T, hd/2), Meta's freqs_cis

    def rope(x):  # (B, T, n, hd): view consecutive pairs as complex numbers, multiply by cis
        xc = x.reshape(*x.shape[:-1], hd // 2, 2)
        xc = (xc[..., 0] + 1j * xc[..., 1]) * cis[None, :, None, :]
        return np.stack([xc.real, xc.imag], -1).reshape(x.shape)

    x = P["tok_embeddings.weight"][idx]
    for l in range(cfg["n_layers"]):
        p = f"layers.{l}."
        h = rms(x, P[p + "attention_norm.weight"])
        q = rope((h @ P[p + "attention.wq.weight"].T).reshape(B, T, nh, hd))
        k = rope((h @ P[p + "attention.wk.weight"].T).reshape(B, T, nkv, hd))
        v = (h @ P[p + "attention.wv.weight"].T).reshape(B, T, nkv, hd)
        kv_of = [hh // (nh // nkv) for hh in range(nh)]
        k, v = k[:, :, kv_of], v[:, :, kv_of]
        y = causal_attention(*(t.transpose(0, 2, 1, 3) for t in (q, k, v)))
        x = x + y.transpose(0, 2, 1, 3).reshape(B, T, nh * hd) @ P[p + "attention.wo.weight"].T
        h = rms(x, P[p + "ffn_norm.weight"])
        a = h @ P[p + "feed_forward.w1.weight"].T
        u = a / (1 + np.exp(-a)) * (h @ P[p + "feed_forward.w3.weight"].T)
        x = x + u @ P[p + "feed_forward.w2.weight"].T
    x = rms(x, P["norm.weight"])
    out = P["tok_embeddings.weight"] if cfg["tie_embeddings"] else P["output.weight"]
    return x @ out.T


def cross_entropy(logits, targets):
    z = logits.reshape(-1, logits.shape[-1])
    m = z.max(-1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(-1, keepdims=True)))[:, 0]
    return float((lse - z[np.arange(len(z)), targets.reshape(-1)]).mean())


def adamw_replay(header, t):
    """Float64 replay of the 10 AdamW steps with a hand-written update (PyTorch 1.13 formula)."""
    cfg, kind, opt = header["config"], header["model"], header["optimizer"]
    model = GPT(GPTConfig(**cfg)) if kind == "gpt2" else Llama(LlamaConfig(**cfg))
    model = model.double()
    params = dict(model.named_parameters())
    with torch.no_grad():
        for n, p in params.items():
            p.copy_(torch.from_numpy(t["init/" + n].astype(np.float64)))
    tok = torch.from_numpy(t["input/tokens"].astype(np.int64))
    tgt = torch.from_numpy(t["input/targets"].astype(np.int64))
    b1, b2 = opt["betas"]
    lr, eps = opt["lr"], opt["eps"]
    wd = {n: (opt["weight_decay"] if n in opt["decay"] else 0.0) for n in params}
    m = {n: torch.zeros_like(p) for n, p in params.items()}
    v = {n: torch.zeros_like(p) for n, p in params.items()}
    losses = []
    for step in range(1, opt["steps"] + 1):
        model.zero_grad(set_to_none=True)
        _, loss = model(tok, tgt)
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            for n, p in params.items():
                gr = p.grad
                p.mul_(1 - lr * wd[n])                       # decoupled weight decay first
                m[n].mul_(b1).add_(gr, alpha=1 - b1)
                v[n].mul_(b2).addcmul_(gr, gr, value=1 - b2)
                bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
                denom = v[n].sqrt() / math.sqrt(bc2) + eps   # eps added after bias correction
                p.addcdiv_(m[n], denom, value=-lr / bc1)
    return losses, {n: p.detach().numpy() for n, p in params.items()}


def check(path):
    header, t = read_fixture(path)
    cfg, kind = header["config"], header["model"]
    P = {n[5:]: t[n].astype(np.float64) for n in t if n.startswith("init/")}
    fwd = gpt2_forward if kind == "gpt2" else llama_forward
    logits = fwd(P, cfg, t["input/tokens"])
    loss = cross_entropy(logits, t["input/targets"])
    dl = np.abs(logits - t["output/logits"]).max()
    print(f"{os.path.basename(path)}: {len(header['tensors'])} tensors; numpy f64 forward: "
          f"max|dlogits| {dl:.2e}, loss {loss:.7f} vs {float(t['output/loss']):.7f}")
    assert dl < 1e-5 and abs(loss - float(t["output/loss"])) < 1e-5
    losses, final = adamw_replay(header, t)
    dloss = np.abs(np.array(losses) - t["train/losses"]).max()
    dfinal = max(np.abs(final[n] - t["final/" + n]).max() for n in final)
    print(f"  f64 AdamW replay: max|dloss| {dloss:.2e}, max|dparam| {dfinal:.2e}")
    assert dloss < 1e-5 and dfinal < 1e-5


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    fx = os.path.normpath(os.path.join(here, "..", "..", "basalt-model/src/test/resources/fixtures"))
    for p in sys.argv[1:] or [os.path.join(fx, "gpt2_tiny.bin"), os.path.join(fx, "llama_tiny.bin")]:
        check(p)
