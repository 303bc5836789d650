"""Time float32 GEMM through NumPy's BLAS (OpenBLAS on Debian): the peer of Basalt's GemmBenchmark.

Same shapes, same transposes, same beta = 0, same statistic (the median of several timed batches) as
basalt-bench's GemmBenchmark, so that the two can be put side by side. A shape is written like the
benchmark's parameter: "NT:1024x1152x384" is C(1024, 1152) = A(1024, 384) . B(1152, 384)^T, the first
letter saying whether op(A) is transposed (A stored (K, M)), the second the same for B (stored (N, K)).
NumPy passes transposed views to sgemm as transpose flags, without copying.

Run with Debian's own interpreter, which has python3-numpy and libopenblas0-openmp, and the thread
count fixed by the environment; OPENBLAS_CORETYPE picks the kernel (unset: OpenBLAS detects the CPU):

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 tools/bench/sgemm_openblas.py

The first line printed names the BLAS library, its kernel ("architecture") and its thread count, as
threadpoolctl reports them. With --jmh FILE (GemmBenchmark's JSON result, `-rf json -rff FILE`) it times
the shapes found there at this thread count and prints one side-by-side row per shape: Basalt's median
GFLOP/s over the JMH measurement iterations, OpenBLAS's median over its batches, and their ratio.
tools/bench/sgemm_side_by_side.sh alternates the two, shape by shape, to share the machine's moods.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

# Kept equal to GemmBenchmark's @Param list (M = B*T = 1024, C = 384, vocab 65, attention T = 256 / 64).
SHAPES = [
    "NN:1024x1024x1024",  # square
    "NT:1024x1024x1024",
    "NT:1024x1152x384",   # forward: qkv = x . Wqkv^T
    "NT:1024x384x384",    # forward: attention projection
    "NT:1024x1536x384",   # forward: MLP up
    "NT:1024x384x1536",   # forward: MLP down
    "NT:1024x65x384",     # forward: logits over a 65-token vocabulary
    "NN:1024x1536x384",   # backward: dx of MLP down = dout . W
    "NN:1024x384x65",     # backward: dx of the logits
    "TN:1536x384x1024",   # backward: dW of MLP up = dout^T . x
    "TN:65x384x1024",     # backward: dW of the logits
    "NT:256x256x64",      # attention scores Q . K^T, T = 256, head 64
    "NN:256x64x256",      # attention P . V
    "NT:64x64x32",        # attention scores, T = 64, head 32
    "NN:64x32x64",        # attention P . V, T = 64
]


def parse(shape: str):
    trans, dims = shape.split(":")
    m, n, k = (int(d) for d in dims.split("x"))
    return trans[0] == "T", trans[1] == "T", m, n, k


def operands(shape: str, rng: np.random.Generator):
    trans_a, trans_b, m, n, k = parse(shape)
    a = rng.standard_normal((k, m) if trans_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n), dtype=np.float32)
    return (a.T if trans_a else a), (b.T if trans_b else b), np.empty((m, n), dtype=np.float32)


def gflops(shape: str, batches: int, batch_seconds: float, rng: np.random.Generator) -> float:
    """The median over batches of 2*m*n*k*calls / seconds, after one batch of warm-up."""
    _, _, m, n, k = parse(shape)
    a, b, c = operands(shape, rng)
    rates = []
    for batch in range(batches + 1):
        calls = 0
        start = time.perf_counter()
        while True:
            np.matmul(a, b, out=c)
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= batch_seconds:
                break
        if batch > 0:
            rates.append(2.0 * m * n * k * calls / elapsed / 1e9)
    return statistics.median(rates)


def blas_info() -> str:
    try:
        import threadpoolctl
    except ImportError:
        return "blas: " + str(np.show_config())
    for pool in threadpoolctl.threadpool_info():
        if pool.get("user_api") == "blas":
            return "blas: {} {} architecture={} threads={}".format(
                pool.get("internal_api"), pool.get("version"), pool.get("architecture"), pool.get("num_threads"))
    return "blas: none found by threadpoolctl"


def blas_threads() -> int:
    try:
        import threadpoolctl
    except ImportError:
        return int(os.environ.get("OPENBLAS_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "0")))
    return next((p["num_threads"] for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"), 0)


def jmh_medians(path: str, threads: int) -> dict[str, float]:
    """shape -> median GFLOP/s of GemmBenchmark's gemm:flop counter, over its iterations, at this thread count."""
    with open(path) as f:
        results = json.load(f)
    medians = {}
    for r in results:
        params = r.get("params", {})
        if not r["benchmark"].endswith("GemmBenchmark.gemm") or int(params.get("threads", -1)) != threads:
            continue
        raw = [x for fork in r["secondaryMetrics"]["flop"]["rawData"] for x in fork]
        medians[params["shape"]] = statistics.median(raw)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5, help="timed batches per shape (median taken)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each batch in seconds")
    parser.add_argument("--jmh", help="GemmBenchmark JSON result: print side-by-side rows for its shapes")
    parser.add_argument("shapes", nargs="*", help="shapes like NT:1024x1152x384 (default: all, or those in --jmh)")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    print(blas_info(), flush=True)
    if args.jmh:
        threads = blas_threads()
        basalt = jmh_medians(args.jmh, threads)
        for shape in args.shapes or basalt:
            peer = gflops(shape, args.batches, args.seconds, rng)
            print("| {:<18s} | {} | {:7.1f} | {:7.1f} | {:5.2f} |".format(
                shape, threads, basalt[shape], peer, basalt[shape] / peer), flush=True)
        return
    for shape in args.shapes or SHAPES:
        print("{:<20s} {:8.1f} GFLOP/s".format(shape, gflops(shape, args.batches, args.seconds, rng)), flush=True)


if __name__ == "__main__":
    main()
