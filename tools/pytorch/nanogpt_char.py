"""nanoGPT's CPU shakespeare-char recipe, self-contained (no nanoGPT checkout needed).

Reproduces ``python train.py config/train_shakespeare_char.py --device=cpu --compile=False
--eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4
--n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0`` (nanoGPT README), with
data/shakespeare_char/prepare.py folded in. Settings taken from nanoGPT:

  prepare.py       chars = sorted(set(text)) (65 for tinyshakespeare); first 90% train, rest val
  config file      eval_interval=250, learning_rate=1e-3, min_lr=1e-4, beta2=0.99, warmup_iters=100,
                   gradient_accumulation_steps=1 (eval_iters/batch/block/model/iters overridden as above)
  train.py         bias=False (no bias in any Linear or LayerNorm), weight_decay=0.1, beta1=0.9,
  defaults         grad_clip=1.0, decay_lr=True, seed 1337, float32 on CPU
  model.py         nn.GELU() = exact erf GELU (not GPT-2's tanh form); weights tied; nanoGPT init
  configure_       AdamW; decay every parameter with dim >= 2 (that includes wte and wpe),
  optimizers       no decay for dim < 2 (LayerNorm weights; there are no biases)
  get_lr           it < warmup: lr*(it+1)/(warmup+1); then cosine from lr to min_lr over
                   [warmup, lr_decay_iters]; min_lr after
  loop             one training batch drawn before the loop; at every iter_num % 250 == 0 evaluate
                   (eval_iters random batches of train, then of val, mean loss), then one optimizer
                   step; stop once iter_num > max_iters (so 2001 steps; the last eval is at 2000).
                   All batches come from torch.randint(len(data) - block_size, (batch_size,)) on the
                   global generator, so with the same seed the random stream matches nanoGPT's.

Prints one JSON line per evaluation, then one summary line. Training tokens/s counts
batch_size*block_size tokens per optimizer step over the wall time of the training steps only
(batch sampling, forward, backward, clipping, AdamW), excluding evaluation. The summary's
cpu_util = process CPU time / (training wall time * threads) and other_load_cores = CPU time used by
every other process / training wall time; other_load_cores above ~0.1 means the cores were shared
and the speed figure is not representative (the loss is unaffected).

Usage: /usr/bin/python3 tools/pytorch/nanogpt_char.py /work/shared/data/corpus/tinyshakespeare.txt
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import GPT, GPTConfig, fixture_param_groups, nanogpt_param_groups  # noqa: E402


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="nanoGPT shakespeare-char CPU recipe")
    ap.add_argument("data", nargs="?", default="/work/shared/data/corpus/tinyshakespeare.txt")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--max-iters", type=int, default=2000)
    ap.add_argument("--lr-decay-iters", type=int, default=2000)
    ap.add_argument("--eval-interval", type=int, default=250)
    ap.add_argument("--eval-iters", type=int, default=20)
    ap.add_argument("--warmup-iters", type=int, default=100)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--bias", choices=["false", "true"], default="false",
                    help="biases in Linear and LayerNorm (nanoGPT's recipe: false)")
    ap.add_argument("--groups", choices=["nanogpt", "basalt"], default="nanogpt",
                    help="weight-decay grouping: nanogpt decays every 2-D parameter, embeddings included; "
                         "basalt leaves embeddings undecayed")
    ap.add_argument("--gelu", choices=["none", "tanh"], default="none",
                    help="'none' = exact erf GELU as nanoGPT; 'tanh' = GPT-2/Basalt form")
    ap.add_argument("--record", metavar="FILE",
                    help="also write every evaluation, unrounded, as JSON to FILE (the fixture of Basalt's "
                         "NanoGptRecipeTest: basalt-train/src/test/resources/fixtures/nanogpt-char-1337.json)")
    return ap.parse_args(argv)


RECIPE = dict(n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=12, bias=False,
              weight_decay=0.1, beta1=0.9, beta2=0.99, grad_clip=1.0)


def load_char_data(path):
    text = open(path, "r", encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = np.array([stoi[c] for c in text], dtype=np.uint16)
    n = len(data)
    return data[:int(n * 0.9)], data[int(n * 0.9):], len(chars)


def make_get_batch(train, val, block_size, batch_size):
    def get_batch(split):
        data = train if split == "train" else val
        ix = torch.randint(len(data) - block_size, (batch_size,))
        x = torch.stack([torch.from_numpy(data[i:i + block_size].astype(np.int64)) for i in ix])
        y = torch.stack([torch.from_numpy(data[i + 1:i + 1 + block_size].astype(np.int64)) for i in ix])
        return x, y
    return get_batch


def busy_seconds():
    """(CPU seconds busy on the whole machine, CPU seconds of this process) so far.

    Machine-wide busy time minus our own, divided by wall time, is the number of cores other
    processes took; process CPU time alone cannot show contention, because OpenMP threads that
    spin at a barrier count as busy. Linux only; (nan, own) elsewhere.
    """
    own = time.process_time()
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = sum(v[:8]) - v[3] - v[4]  # user nice system (idle iowait) irq softirq steal
        return busy / os.sysconf("SC_CLK_TCK"), own
    except (OSError, ValueError, IndexError):
        return float("nan"), own


def get_lr(it, lr, min_lr, warmup, decay_iters):
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def build(vocab_size, gelu, recipe=RECIPE, groups="nanogpt"):
    cfg = GPTConfig(vocab_size=vocab_size, block_size=recipe["block_size"], n_layer=recipe["n_layer"],
                    n_head=recipe["n_head"], n_embd=recipe["n_embd"], bias=recipe["bias"],
                    gelu_approximate=gelu)
    model = GPT(cfg)
    grouping = nanogpt_param_groups if groups == "nanogpt" else fixture_param_groups
    groups, _, _ = grouping(model, recipe["weight_decay"])
    opt = torch.optim.AdamW(groups, lr=1e-3, betas=(recipe["beta1"], recipe["beta2"]))
    return model, opt


def train_step(model, opt, X, Y, get_batch, grad_clip):
    """One nanoGPT optimizer step; returns (loss, next X, next Y)."""
    _, loss = model(X, Y)
    X, Y = get_batch("train")  # nanoGPT prefetches the next batch between forward and backward
    loss.backward()
    if grad_clip != 0.0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss, X, Y


@torch.no_grad()
def estimate_loss(model, get_batch, eval_iters):
    out = {}
    model.eval()
    for split in ("train", "val"):
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split)
            _, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean().item()
    model.train()
    return out


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, val, vocab = load_char_data(a.data)
    r = dict(RECIPE, bias=a.bias == "true")
    get_batch = make_get_batch(train, val, r["block_size"], r["batch_size"])
    model, opt = build(vocab, a.gelu, r, a.groups)
    tokens_per_step = r["batch_size"] * r["block_size"]

    X, Y = get_batch("train")
    evaluations = []
    iter_num, train_time, train_cpu, other_cpu, steps = 0, 0.0, 0.0, 0.0, 0
    while True:
        lr = get_lr(iter_num, a.learning_rate, a.min_lr, a.warmup_iters, a.lr_decay_iters)
        for g in opt.param_groups:
            g["lr"] = lr
        if iter_num % a.eval_interval == 0:
            losses = estimate_loss(model, get_batch, a.eval_iters)
            print(json.dumps({
                "iter": iter_num, "train_loss": round(losses["train"], 4),
                "val_loss": round(losses["val"], 4), "lr": lr, "train_time_s": round(train_time, 2),
                "train_tokens_per_s": round(steps * tokens_per_step / train_time, 1) if steps else None,
            }), flush=True)
            last_val = losses["val"]
            evaluations.append({"iter": iter_num, "train_loss": losses["train"], "val_loss": losses["val"]})
        t0, (b0, c0) = time.perf_counter(), busy_seconds()
        loss, X, Y = train_step(model, opt, X, Y, get_batch, r["grad_clip"])
        train_time += time.perf_counter() - t0
        b1, c1 = busy_seconds()
        train_cpu += c1 - c0
        other_cpu += max(0.0, (b1 - b0) - (c1 - c0))
        steps += 1
        iter_num += 1
        if iter_num > a.max_iters:
            break
    if a.record:
        with open(a.record, "w") as f:
            json.dump({"torch": torch.__version__, "seed": a.seed, "bias": r["bias"], "groups": a.groups,
                       "gelu": a.gelu, "eval_interval": a.eval_interval, "eval_iters": a.eval_iters,
                       "max_iters": a.max_iters, "evaluations": evaluations}, f, indent=1)
            f.write("\n")
    print(json.dumps({
        "summary": True, "final_val_loss": round(last_val, 4), "steps": steps,
        "tokens_per_step": tokens_per_step, "train_time_s": round(train_time, 2),
        "train_tokens_per_s": round(steps * tokens_per_step / train_time, 1),
        "cpu_util": round(train_cpu / (train_time * torch.get_num_threads()), 2),
        "other_load_cores": round(other_cpu / train_time, 2),
        "params": sum(p.numel() for p in model.parameters()), "vocab_size": vocab, "gelu": a.gelu,
        "bias": r["bias"], "groups": a.groups,
        "threads": torch.get_num_threads(), "torch": torch.__version__,
    }), flush=True)


if __name__ == "__main__":
    main()
