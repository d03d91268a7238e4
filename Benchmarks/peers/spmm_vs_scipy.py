#!/usr/bin/env python3
"""SpMM peer comparison: scipy `csr @ dense` against movierec-bench's `spmm` kernels.

Runs, in the same invocation, scipy's CSR x dense product (and CSR^T x dense) on random rating
matrices with the MovieLens shapes movierec-bench uses (ml-latest-small 610x9742 ~100k nnz,
ml-1m 6040x3706 ~1M nnz, ml-25m 162541x62423 ~25M nnz; 64 dense columns), then our benchmark
(`--filter spmm --json`), and prints the times and the ratio scipy / ours (above 1: we are faster).

The data are generated with the same recipe as movierec-bench (row lengths 0.2x-1.8x the mean,
popularity-skewed columns movies*u^2, half-star values), so shapes, nnz and access patterns match
statistically; the exact random draws differ (numpy vs SplitMix64).

scipy's sparse x dense product is single-threaded, so by default our bench runs with --threads 1;
pass --threads N to see our multithreaded numbers as well.

Usage:
  python3 Benchmarks/peers/spmm_vs_scipy.py [--bench .build/release/movierec-bench] [--threads 1]
                                            [--repeat 3] [--no-large]
Without --bench it runs `swift run -c release movierec-bench`.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp

SHAPES = [
    ("ml-latest-small", 610, 9742, 100_836),
    ("ml-1m", 6040, 3706, 1_000_209),
    ("ml-25m", 162_541, 62_423, 25_000_095),
]


def rating_matrix(users, movies, ratings, seed):
    rng = np.random.default_rng(seed)
    mean = ratings / users
    counts = np.clip((mean * (0.2 + 1.6 * rng.random(users))).astype(np.int64), 1, movies)
    rows = np.repeat(np.arange(users, dtype=np.int64), counts)
    u = rng.random(rows.size)
    cols = np.minimum(movies - 1, (movies * u * u).astype(np.int64))
    vals = (1 + rng.integers(0, 10, rows.size)).astype(np.float32) * 0.5
    m = sp.csr_matrix((vals, (rows, cols)), shape=(users, movies), dtype=np.float32)
    m.sum_duplicates()
    m.data[:] = (1 + rng.integers(0, 10, m.nnz)).astype(np.float32) * 0.5
    return m


def timed(fn, repeat, warmup=True):
    """Median wall seconds and median CPU seconds of this process over `repeat` runs."""
    if warmup:
        fn()
    times, cpu = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(times)), float(np.median(cpu))


from peerutil import loadavg  # noqa: E402  (shared with the other peer scripts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", help="path to a built movierec-bench (default: swift run -c release movierec-bench)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-large", action="store_true", help="skip the ml-25m shape")
    args = ap.parse_args()

    print(f"load average at start: {loadavg()}")
    scipy_times = {}
    for name, users, movies, ratings in SHAPES:
        if args.no_large and ratings > 10_000_000:
            continue
        a = rating_matrix(users, movies, ratings, seed=10)
        at = a.T.tocsr()  # scipy's A.T @ B goes through CSC; time the product on the stored transpose too
        b = np.random.default_rng(11).random((movies, 64), dtype=np.float32)
        bt = np.random.default_rng(12).random((users, 64), dtype=np.float32)
        large = ratings > 10_000_000
        rep = 1 if large else args.repeat
        scipy_times[(name, "spmm")] = (*timed(lambda: a @ b, rep, warmup=not large), a.nnz)
        scipy_times[(name, "spmm-t")] = (*timed(lambda: a.T @ bt, rep, warmup=not large), a.nnz)
        print(f"  scipy {name}: nnz={a.nnz} csr@dense {scipy_times[(name, 'spmm')][0]:.4f} s, "
              f"csr.T@dense {scipy_times[(name, 'spmm-t')][0]:.4f} s", file=sys.stderr)

    cmd = ([args.bench] if args.bench else ["swift", "run", "-c", "release", "movierec-bench"])
    cmd += ["--filter", "spmm", "--json", "--threads", str(args.threads), "--repeat", str(args.repeat)]
    if args.no_large:
        cmd.append("--no-large")
    cwd = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"movierec-bench failed ({proc.returncode}): {proc.stderr.strip()}")
    report = json.loads(proc.stdout[proc.stdout.index("{"):])

    print(f"\nSpMM, 64 dense columns; scipy {sp.__name__.split('.')[0]} {__import__('scipy').__version__} single-threaded, "
          f"movierec threads={args.threads}")
    print(f"{'shape':<18}{'kernel':<8}{'nnz':>10}{'scipy s':>10}{'blas s':>10}{'swift s':>10}{'scipy/blas':>12}{'scipy/swift':>12}"
          f"{'cpu scipy/blas':>16}{'cpu scipy/swift':>17}")
    for (name, kernel), (st, sc, nnz) in scipy_times.items():
        rows = [r for r in report["results"] if r["kernel"] == kernel and r["shape"].startswith(name + " ")]
        ours = {r["backend"]: r["seconds"] for r in rows}
        ours_cpu = {r["backend"]: r.get("cpu_seconds") for r in rows}
        b, s = ours.get("blas"), ours.get("swift")
        fmt = lambda x: f"{x:.4f}" if x else "-"
        ratio = lambda num, x: f"{num / x:.2f}" if x else "-"
        print(f"{name:<18}{kernel:<8}{nnz:>10}{st:>10.4f}{fmt(b):>10}{fmt(s):>10}{ratio(st, b):>12}{ratio(st, s):>12}"
              f"{ratio(sc, ours_cpu.get('blas')):>16}{ratio(sc, ours_cpu.get('swift')):>17}")
    print("ratio above 1: movierec faster than scipy. cpu = the same ratio by CPU seconds of each process (both")
    print("single-threaded with --threads 1): the fairer comparison when other processes load the machine.")
    m = report.get("machine", {})
    print(f"load average at end: {loadavg()}; during movierec-bench: before {m.get('loadavg_before')}, "
          f"after {m.get('loadavg_after')}, other processes' CPU share {m.get('others_cpu_share')}")


if __name__ == "__main__":
    main()
