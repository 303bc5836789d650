"""Writes the fixtures that pin Basalt's TorchGenerator to PyTorch's CPU random stream.

basalt-nn/src/test/resources/ai/basalt/nn/torch-rng.json
    One stream per seed: a list of calls made one after the other on torch's global generator
    (randint below and above 2**32, rand, uniform_, normal_ of sizes that are and are not
    multiples of 16) with every value they returned, so both the values and the number of
    draws each call consumes are checked.
basalt-model/src/test/resources/fixtures/nanogpt-init.json
    tools/pytorch/models.py's GPT (nanoGPT's construction and _init_weights order) built right
    after torch.manual_seed(seed), tiny shapes, with and without biases: for every parameter its
    first and last 32 values, sum and sum of squares, then torch.randint(1000, (8,)) drawn
    after the build (so the draw count of the whole initialisation is checked too).

Deterministic: two runs write identical files.
Usage: /usr/bin/python3 tools/pytorch/make_rng_fixture.py
"""
from __future__ import annotations

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from models import GPT, GPTConfig  # noqa: E402


def floats(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def stream(seed):
    torch.manual_seed(seed)
    calls = []

    def record(kind, args, values):
        calls.append({"call": kind, "args": args, "values": values})

    record("randint", [100, 5], [int(v) for v in torch.randint(100, (5,)).tolist()])
    record("randint", [1003789, 12], [int(v) for v in torch.randint(1003789, (12,)).tolist()])
    record("randint", [2 ** 40 + 7, 4], [int(v) for v in torch.randint(2 ** 40 + 7, (4,)).tolist()])
    record("uniform", [20, 0.0, 1.0], floats(torch.rand(20)))
    record("uniform", [33, -0.25, 0.75], floats(torch.empty(33).uniform_(-0.25, 0.75)))
    for n, std in ((16, 1.0), (37, 0.02), (64, 0.5), (1000, 1.0)):
        record("normal", [n, 0.0, std], floats(torch.empty(n).normal_(0.0, std)))
    record("randint", [7, 9], [int(v) for v in torch.randint(7, (9,)).tolist()])
    return {"seed": seed, "calls": calls}


def gpt_init(seed, bias):
    cfg = GPTConfig(vocab_size=67, block_size=16, n_layer=2, n_head=4, n_embd=32, bias=bias)
    torch.manual_seed(seed)
    model = GPT(cfg)
    params = []
    for name, p in model.named_parameters():
        v = p.detach().reshape(-1).double()
        params.append({"name": name, "shape": list(p.shape), "head": floats(p.detach().reshape(-1)[:32]),
                       "tail": floats(p.detach().reshape(-1)[-32:]), "sum": float(v.sum()),
                       "sum_squares": float((v * v).sum())})
    after = [int(v) for v in torch.randint(1000, (8,)).tolist()]
    return {"seed": seed, "config": {"vocab": 67, "context": 16, "layers": 2, "heads": 4, "dim": 32, "bias": bias},
            "parameters": params, "randint_after": after}


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def main():
    torch.set_num_threads(1)
    write(os.path.join(ROOT, "basalt-nn/src/test/resources/ai/basalt/nn/torch-rng.json"),
          {"torch": torch.__version__, "streams": [stream(1337), stream(0), stream(2 ** 32 + 5)]})
    write(os.path.join(ROOT, "basalt-model/src/test/resources/fixtures/nanogpt-init.json"),
          {"torch": torch.__version__, "models": [gpt_init(1337, False), gpt_init(7, True)]})


if __name__ == "__main__":
    main()
