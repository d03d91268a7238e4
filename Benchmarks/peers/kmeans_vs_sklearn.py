#!/usr/bin/env python3
"""KMeans: movierec vs scikit-learn on the same matrices, same run.

For each data set and each matrix (users x genres averages; sparse users x movies ratings),
`movierec cluster ... --json --dump-matrix F` clusters the matrix and writes it (Matrix Market);
scikit-learn's KMeans(init="k-means++", algorithm="lloyd") then clusters exactly that matrix with
the same k, n_init, max_iter and tol. Prints inertias, their relative difference, fit times and
speed ratios for both movierec backends, and /proc/loadavg before and after.

Usage (from the package root, after `swift build -c release`):
    python3 Benchmarks/peers/kmeans_vs_sklearn.py [--k 20] [--n-init 10] [--max-iter 300]
        [--bin .build/release/movierec] [--data ../shared/data/seed-ml1m-dirty ../shared/data/ml-latest-small]
"""
import argparse, json, os, subprocess, sys, tempfile, time

import numpy as np
import scipy.io
import scipy.sparse
from sklearn.cluster import KMeans


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def run_ours(binary, data, by, args, backend, dump=None, seed=0):
    cmd = [binary, "cluster", "--data", data, "--by", by, "--k", str(args.k), "--n-init", str(args.n_init),
           "--max-iter", str(args.max_iter), "--seed", str(seed), "--backend", backend, "--algorithm", "lloyd",
           "--silhouette-sample", "0", "--json"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if dump:
        cmd += ["--dump-matrix", dump]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("MOVIEREC_BIN", ".build/release/movierec"))
    ap.add_argument("--data", nargs="+", default=["../shared/data/seed-ml1m-dirty", "../shared/data/ml-latest-small"])
    ap.add_argument("--by", nargs="+", default=["genres", "ratings"])
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--n-init", type=int, default=10)
    ap.add_argument("--max-iter", type=int, default=300)
    ap.add_argument("--threads", type=int, default=0, help="movierec --threads (0 = its default: all cores)")
    ap.add_argument("--repeat", type=int, default=1, help="time each fit this many times, keep the best")
    ap.add_argument("--seeds", type=int, default=1,
                    help="also fit with seeds / random_state 0..N-1 and compare the mean inertia (run-to-run spread)")
    args = ap.parse_args()

    print(f"loadavg before: {loadavg()}")
    print(f"k={args.k} n_init={args.n_init} max_iter={args.max_iter} tol=1e-4 init=k-means++ algorithm=lloyd")
    rows = []
    seed_rows = []
    worst = 0.0  # largest |ours - sklearn| / sklearn
    with tempfile.TemporaryDirectory() as tmp:
        for data in args.data:
            name = os.path.basename(os.path.normpath(data))
            for by in args.by:
                mtx = os.path.join(tmp, f"{name}-{by}.mtx")
                ours = {}
                for backend in ("blas", "swift"):
                    best = None
                    for r in range(args.repeat):
                        res = run_ours(args.bin, data, by, args, backend, dump=mtx if (backend == "blas" and r == 0) else None)
                        if best is None or res["seconds"] < best["seconds"]:
                            best = res
                    ours[backend] = best
                x = scipy.io.mmread(mtx)
                x = x.tocsr() if scipy.sparse.issparse(x) else np.asarray(x)
                sk_time, sk = None, None
                for r in range(args.repeat):
                    t0 = time.perf_counter()
                    c0 = time.process_time()
                    km = KMeans(n_clusters=args.k, init="k-means++", n_init=args.n_init, max_iter=args.max_iter,
                                tol=1e-4, algorithm="lloyd", random_state=0).fit(x)
                    dt = time.perf_counter() - t0
                    if sk_time is None or dt < sk_time:
                        sk_time, sk, sk_cpu = dt, km, time.process_time() - c0
                shape = f"{x.shape[0]}x{x.shape[1]}" + (f" nnz={x.nnz}" if scipy.sparse.issparse(x) else " dense")
                for backend in ("blas", "swift"):
                    o = ours[backend]
                    rel = o["inertia"] / sk.inertia_ - 1
                    worst = max(worst, abs(rel))
                    rows.append((name, by, shape, backend, o["inertia"], sk.inertia_, rel, o["iterations"], sk.n_iter_,
                                 o["seconds"], sk_time, sk_time / o["seconds"] if o["seconds"] > 0 else float("inf"),
                                 o.get("cpuSeconds", float("nan")), sk_cpu))
                if args.seeds > 1:
                    ours_i = [run_ours(args.bin, data, by, args, "swift", seed=s)["inertia"] for s in range(args.seeds)]
                    sk_i = [KMeans(n_clusters=args.k, init="k-means++", n_init=args.n_init, max_iter=args.max_iter, tol=1e-4,
                                   algorithm="lloyd", random_state=s).fit(x).inertia_ for s in range(args.seeds)]
                    seed_rows.append((name, by, np.mean(ours_i), min(ours_i), max(ours_i), np.mean(sk_i), min(sk_i), max(sk_i)))
    hdr = ("data", "by", "matrix", "backend", "inertia ours", "inertia sklearn", "ours/sk-1", "it ours", "it sk",
           "fit s ours", "fit s sklearn", "speed-up (wall)", "cpu s ours", "cpu s sklearn")
    print(" | ".join(hdr))
    for r in rows:
        print(f"{r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.6g} | {r[5]:.6g} | {r[6]:+.3%} | {r[7]} | {r[8]} | "
              f"{r[9]:.3f} | {r[10]:.3f} | {r[11]:.2f}x | {r[12]:.3f} | {r[13]:.3f}")
    if seed_rows:
        print(f"inertia over seeds 0..{args.seeds - 1} (movierec swift vs scikit-learn random_state): mean [min, max]")
        for n, b, om, omin, omax, sm, smin, smax in seed_rows:
            print(f"{n} | {b} | ours {om:.6g} [{omin:.6g}, {omax:.6g}] | sklearn {sm:.6g} [{smin:.6g}, {smax:.6g}] | "
                  f"mean ours/sk-1 {om / sm - 1:+.3%}")
    print(f"largest |ours - sklearn| / sklearn inertia: {worst:.3%} (per row: negative = ours lower)")
    print(f"loadavg after: {loadavg()}")


if __name__ == "__main__":
    sys.exit(main())
