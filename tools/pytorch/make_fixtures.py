"""Write Basalt's PyTorch training fixtures (gpt2_tiny.bin, llama_tiny.bin).

Each fixture holds, for one tiny model: its config, the seeded initial parameters, one batch of
input/target ids, the forward logits and mean cross-entropy loss, every parameter gradient after
loss.backward(), the loss before each of 10 AdamW steps on that same batch, the loss after the
10th step, and the parameters after the 10 steps. File format: see README.md ("Fixture format")
and write_fixture() below.

Usage (Debian's interpreter, which sees python3-torch):
    /usr/bin/python3 tools/pytorch/make_fixtures.py [--out basalt-model/src/test/resources/fixtures]
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import GPT, GPTConfig, Llama, LlamaConfig, config_dict, fixture_param_groups  # noqa: E402

MAGIC = b"BSLTFIX\0"
VERSION = 1
ALIGN = 64

BATCH = 3
STEPS = 10
ADAMW = dict(lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)


def write_fixture(path: str, header: dict, tensors: list[tuple[str, np.ndarray]]) -> int:
    """magic(8) | u32 version | u32 header_len | JSON (space-padded so data starts 64-aligned) | data.

    Tensor offsets in the JSON are relative to the data section start (= 16 + header_len) and are
    multiples of 64; gaps are zero bytes. All numbers little-endian; f32 = IEEE float32, i32 =
    two's-complement int32, row-major (last index fastest).
    """
    entries, blobs, offset = [], [], 0
    for name, arr in tensors:
        if arr.dtype == np.float32:
            dtype = "f32"
        elif arr.dtype == np.int32:
            dtype = "i32"
        else:
            raise TypeError(f"tensor {name}: dtype {arr.dtype}, expected float32 or int32")
        data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        pad = (-offset) % ALIGN
        blobs.append(b"\0" * pad)
        offset += pad
        entries.append({"name": name, "dtype": dtype, "shape": list(arr.shape),
                        "offset": offset, "nbytes": len(data)})
        blobs.append(data)
        offset += len(data)
    header = dict(header, tensors=entries, data_size=offset)
    js = json.dumps(header, indent=1, sort_keys=False).encode("utf-8")
    js += b" " * ((-(16 + len(js))) % ALIGN)
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<II", VERSION, len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    return 16 + len(js) + offset


def f32(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float32).cpu().numpy().copy()


def build(kind: str):
    if kind == "gpt2":
        cfg = GPTConfig(vocab_size=67, block_size=16, n_layer=2, n_head=4, n_embd=32, bias=True,
                        gelu_approximate="tanh")
        return cfg, GPT(cfg), cfg.vocab_size, cfg.block_size
    cfg = LlamaConfig(vocab_size=67, max_seq_len=16, dim=32, n_layers=2, n_heads=4, n_kv_heads=2,
                      hidden_dim=80, tie_embeddings=False)
    return cfg, Llama(cfg), cfg.vocab_size, cfg.max_seq_len


def make(kind: str, seed: int, out_dir: str) -> tuple[str, int]:
    torch.manual_seed(seed)
    cfg, model, V, T = build(kind)
    model.train()
    names = [n for n, _ in model.named_parameters()]
    init = [(f"init/{n}", f32(p)) for n, p in model.named_parameters()]

    g = torch.Generator().manual_seed(seed + 1)
    tokens = torch.randint(0, V, (BATCH, T), generator=g)
    targets = torch.randint(0, V, (BATCH, T), generator=g)

    groups, decay, no_decay = fixture_param_groups(model, ADAMW["weight_decay"])
    opt = torch.optim.AdamW(groups, lr=ADAMW["lr"], betas=ADAMW["betas"], eps=ADAMW["eps"],
                            foreach=False, maximize=False, amsgrad=False)

    losses, logits0, loss0, grads = [], None, None, None
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        logits, loss = model(tokens, targets)
        loss.backward()
        if step == 0:
            logits0, loss0 = f32(logits), f32(loss)
            grads = [(f"grad/{n}", f32(p.grad)) for n, p in model.named_parameters()]
        losses.append(loss.item())
        opt.step()
    with torch.no_grad():
        _, loss_after = model(tokens, targets)
    final = [(f"final/{n}", f32(p)) for n, p in model.named_parameters()]

    tensors = ([("input/tokens", tokens.to(torch.int32).numpy()),
                ("input/targets", targets.to(torch.int32).numpy()),
                ("output/logits", logits0),
                ("output/loss", loss0.reshape(())),
                ("train/losses", np.array(losses, dtype=np.float32)),
                ("train/loss_after", f32(loss_after).reshape(()))]
               + init + grads + final)
    header = {
        "format": "basalt-pytorch-fixture",
        "generator": "tools/pytorch/make_fixtures.py",
        "torch_version": torch.__version__,
        "model": kind,
        "seed": seed,
        "config": config_dict(cfg),
        "batch": BATCH,
        "seq_len": T,
        "params": names,
        "optimizer": {
            "type": "AdamW", "lr": ADAMW["lr"], "betas": list(ADAMW["betas"]), "eps": ADAMW["eps"],
            "weight_decay": ADAMW["weight_decay"], "steps": STEPS,
            "decay": decay, "no_decay": no_decay,
            "schedule": "constant lr, no warm-up, no gradient clipping, same batch every step",
        },
    }
    path = os.path.join(out_dir, f"{kind}_tiny.bin")
    size = write_fixture(path, header, tensors)
    print(f"{path}: {size} bytes, loss {loss0.item():.6f}, "
          f"losses {[round(x, 6) for x in losses]}, after {loss_after.item():.6f}")
    return path, size


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "basalt-model", "src", "test",
                                                "resources", "fixtures"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)
    os.makedirs(args.out, exist_ok=True)
    for kind in ("gpt2", "llama"):
        make(kind, args.seed, args.out)


if __name__ == "__main__":
    main()
