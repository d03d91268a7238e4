#!/usr/bin/env python3
"""MovieRec's implicit ALS against the `implicit` library (0.7.x) on the same temporal split.

For each data set the script
  1. reads the ratings (the seed set cleaned by MovieRec's documented rules; the script checks
     that it keeps exactly as many ratings as `movierec data validate` reports),
  2. builds MovieRec's temporal split: per user, ratings sorted by (timestamp, movieId); the last
     n // 5 are test, the rest train; relevant = test rating >= 4 of a movie seen in train
     (as Sources/Recommender/TopN/TopNEvaluation.swift); users without a relevant test
     item are skipped; candidates = movies seen in train minus the user's train movies,
  3. trains implicit's AlternatingLeastSquares on the train matrix with MovieRec's objective
     (implicit uses the stored value as the confidence c, so it is given c = 1 + alpha * r with
     its own alpha = 1; r = 1 per train rating for the default `--preference binary`), the same
     factors / regularization / iterations / solver (CG with 3 steps = implicit's default, or
     Cholesky) and thread count (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set before import),
  4. gets MovieRec's numbers in the same run, either from
       `movierec evaluate --data D --stages topn --json` (topn.als.* and its fit_seconds), or
       from a recommendation file written by our engine (`--ours-recs DIR`: DIR/<set>.csv with
       lines `userId,movieId,rank`, and DIR/<set>.seconds with the training time),
  5. prints NDCG@10, precision@10, recall@10, hit rate, coverage and training time for both, and
     the ratios.

`--write-train DIR` writes DIR/<set>.train.csv (`userIndex,movieIndex,value`, plus a header line
`# users,movies`) and DIR/<set>.ids.csv (index -> userId / movieId maps) so that the Swift engine
can be run on exactly the same matrix. `--tune` grid-searches regularization and alpha on the
validation slice of the training period (the same rule applied to train), never on the test part.

Usage:
  python3 Benchmarks/peers/als_vs_implicit.py [--sets ml-latest-small seed-ml1m-dirty]
      [--factors 64 --iterations 15 --regularization R --alpha A --solver cg|cholesky]
      [--threads 2] [--movierec .build/release/movierec | --ours-recs DIR]
"""
import argparse
import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time

# MovieRec's tuned defaults (ImplicitALSParameters): the same numbers on both sides.
DEFAULTS = dict(factors=64, iterations=15, regularization=30.0, alpha=1.0)


def data_root(name):
    for base in (os.environ.get("MOVIEREC_TEST_DATA"), "data", "../shared/data",
                 os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")):
        if base and os.path.isdir(os.path.join(base, name)):
            return os.path.join(base, name)
    sys.exit(f"data set {name} not found in $MOVIEREC_TEST_DATA, data/ or ../shared/data")


def load_latest_small(path):
    """(user, movie, rating, timestamp) tuples of ml-latest-small (already clean)."""
    out = []
    with open(os.path.join(path, "ratings.csv"), newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        for u, m, v, t in r:
            out.append((int(u), int(m), float(v), int(t)))
    return out


def load_seed(path):
    """The seed set's ratings after MovieRec's cleaning rules (Sources/MovieLens/MovieLens.docc/Cleaning.md):
    drop empty / non-numeric / off-scale (whole stars 1-5) ratings, timestamps outside
    2000-01-01 ... 2003-12-31 UTC, unknown users / movies; duplicate (user, movie): keep the latest
    timestamp (ties: the later line)."""
    def ids(fname):
        s = set()
        with open(os.path.join(path, fname), encoding="utf-8", errors="replace") as f:
            for line in f:
                head = line.split("|", 1)[0].strip()
                try:
                    v = int(head)
                except ValueError:
                    continue
                if 1 <= v < 2 ** 31:
                    s.add(v)
        return s
    users, movies = ids("users.dat"), ids("movies.dat")
    lo = int(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    hi = int(dt.datetime(2004, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    best = {}
    with open(os.path.join(path, "ratings.dat"), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            parts = line.rstrip("\n").rstrip("\r").split("|")
            if len(parts) != 4:
                continue
            try:
                u, m = int(parts[0]), int(parts[1])
            except ValueError:
                continue
            if not (1 <= u < 2 ** 31 and 1 <= m < 2 ** 31):
                continue
            try:
                v = float(parts[2])
                t = int(parts[3])
            except ValueError:
                continue
            if not (1 <= v <= 5 and v == int(v)) or not (lo <= t < hi):
                continue
            if u not in users or m not in movies:
                continue
            key = (u, m)
            if key not in best or (t, n) >= (best[key][1], best[key][2]):
                best[key] = (v, t, n)
    return [(u, m, v, t) for (u, m), (v, t, _) in best.items()]


def temporal_split(ratings, denominator=5):
    """Per user: sort by (timestamp, movieId); the last n // denominator are test."""
    by_user = {}
    for u, m, v, t in ratings:
        by_user.setdefault(u, []).append((t, m, v))
    train, test = [], []
    for u, rows in by_user.items():
        rows.sort(key=lambda x: (x[0], x[1]))
        cut = len(rows) - len(rows) // denominator
        train += [(u, m, v, t) for t, m, v in rows[:cut]]
        test += [(u, m, v, t) for t, m, v in rows[cut:]]
    return train, test


def strength(v, preference):
    if preference == "binary":
        return 1.0
    if preference == "value":
        return v
    return 1.0 if v >= 4 else 0.0


def train_matrix(train, preference, alpha):
    """CSR of confidences 1 + alpha * r (r > 0 only) over train users x train movies, and the id maps."""
    import numpy as np
    import scipy.sparse as sp
    users = sorted({u for u, _, _, _ in train})
    movies = sorted({m for _, m, _, _ in train})
    ui = {u: i for i, u in enumerate(users)}
    mi = {m: i for i, m in enumerate(movies)}
    rows, cols, vals, raw = [], [], [], []
    for u, m, v, _ in train:
        r = strength(v, preference)
        raw.append((ui[u], mi[m], r))
        if r > 0:
            rows.append(ui[u]); cols.append(mi[m]); vals.append(1 + alpha * r)
    mat = sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(users), len(movies)))
    seen = sp.csr_matrix((np.ones(len(raw), dtype=np.float32), ([a for a, _, _ in raw], [b for _, b, _ in raw])),
                         shape=(len(users), len(movies)))
    return mat, seen, users, movies, raw


def evaluate(recs, train, test, k=10):
    """MovieRec's top-N metrics. recs: {userId: [movieId, ...] best first}."""
    train_movies = {m for _, m, _, _ in train}
    relevant = {}
    for u, m, v, _ in test:
        # As MovieRec's TopNEvaluation: only movies of the train catalogue can be relevant.
        if v >= 4 and m in train_movies:
            relevant.setdefault(u, set()).add(m)
    users = [u for u in relevant if relevant[u]]
    ndcg = prec = rec = hit = 0.0
    shown = set()
    for u in users:
        top = recs.get(u, [])[:k]
        shown.update(top)
        rel = relevant[u]
        hits = [1.0 if m in rel else 0.0 for m in top]
        dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
        idcg = sum(1 / math.log2(i + 2) for i in range(min(len(rel), k)))
        ndcg += dcg / idcg
        prec += sum(hits) / k
        rec += sum(hits) / len(rel)
        hit += 1.0 if sum(hits) > 0 else 0.0
    n = max(1, len(users))
    return dict(ndcg=ndcg / n, precision=prec / n, recall=rec / n, hit_rate=hit / n,
                coverage=len(shown) / max(1, len(train_movies)), users=len(users))


def run_implicit(mat, seen, users, movies, args, threads):
    from implicit.cpu.als import AlternatingLeastSquares
    model = AlternatingLeastSquares(factors=args.factors, regularization=args.regularization, alpha=1.0,
                                    iterations=args.iterations, use_cg=(args.solver == "cg"),
                                    random_state=42, num_threads=threads, calculate_training_loss=False)
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(mat, show_progress=False)
    seconds = time.perf_counter() - start
    print(f"  implicit fit: {seconds:.2f} s wall, {time.process_time() - cpu:.2f} s CPU (all threads)", flush=True)
    import numpy as np
    ids, _ = model.recommend(np.arange(len(users)), seen, N=10, filter_already_liked_items=True)
    recs = {users[i]: [movies[j] for j in ids[i] if j >= 0] for i in range(len(users))}
    return recs, seconds


def run_movierec(binary, path, args, threads):
    cmd = [binary, "evaluate", "--data", path, "--stages", "topn", "--json", "--threads", str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
    als = doc["topn"]["als"]
    # Training time: topn.als.fit_seconds; else the stage's timer (fit + recommend).
    seconds = als.get("fit_seconds")
    if seconds is None:
        seconds = doc.get("stage_seconds", {}).get("topn", {}).get("als", doc.get("seconds", {}).get("als"))
    metrics = {key: als[key] for key in ("ndcg", "precision", "recall", "hit_rate", "coverage")}
    metrics["users"] = als.get("users", doc["topn"].get("users"))
    return metrics, seconds, cmd


def read_ours(directory, name):
    recs = {}
    with open(os.path.join(directory, f"{name}.csv")) as f:
        for line in f:
            u, m, rank = line.strip().split(",")
            recs.setdefault(int(u), []).append((int(rank), int(m)))
    recs = {u: [m for _, m in sorted(v)] for u, v in recs.items()}
    with open(os.path.join(directory, f"{name}.seconds")) as f:
        seconds = float(f.read().strip())
    return recs, seconds


def tune(ratings, args, threads):
    """Grid over regularization x alpha on the validation slice of the training period."""
    train, _ = temporal_split(ratings)
    sub_train, valid = temporal_split(train)
    best = None
    for reg in args.grid_regularization:
        for alpha in args.grid_alpha:
            a = argparse.Namespace(**vars(args))
            a.regularization, a.alpha = reg, alpha
            mat, seen, users, movies, _ = train_matrix(sub_train, args.preference, alpha)
            recs, _ = run_implicit(mat, seen, users, movies, a, threads)
            m = evaluate(recs, sub_train, valid)
            print(f"  tune reg={reg:<6} alpha={alpha:<5} validation NDCG@10={m['ndcg']:.4f}", flush=True)
            if best is None or m["ndcg"] > best[0]:
                best = (m["ndcg"], reg, alpha)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sets", nargs="+", default=["ml-latest-small", "seed-ml1m-dirty"])
    p.add_argument("--factors", type=int, default=DEFAULTS["factors"])
    p.add_argument("--iterations", type=int, default=DEFAULTS["iterations"])
    p.add_argument("--regularization", type=float, default=DEFAULTS["regularization"])
    p.add_argument("--alpha", type=float, default=DEFAULTS["alpha"])
    p.add_argument("--preference", choices=["binary", "value", "atleast4"], default="binary")
    p.add_argument("--solver", choices=["cg", "cholesky"], default="cg")
    p.add_argument("--threads", type=int, default=int(os.environ.get("MOVIEREC_THREADS", os.cpu_count() or 1)))
    p.add_argument("--movierec", default=".build/release/movierec", help="movierec binary (evaluate --stages topn --json)")
    p.add_argument("--ours-recs", help="directory with <set>.csv / <set>.seconds from our engine instead of movierec")
    p.add_argument("--write-train", help="write the train matrix of each set to this directory and exit")
    p.add_argument("--tune", action="store_true", help="grid-search regularization and alpha on the validation slice")
    p.add_argument("--grid-regularization", type=float, nargs="+", default=[0.01, 0.1, 1, 10, 30, 100])
    p.add_argument("--grid-alpha", type=float, nargs="+", default=[0.5, 1, 2, 5, 10, 40])
    args = p.parse_args()
    threads = max(1, args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # implicit's own threads do the work, like ours
    os.environ["OMP_NUM_THREADS"] = str(threads)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"# factors={args.factors} iterations={args.iterations} regularization={args.regularization} "
          f"alpha={args.alpha} preference={args.preference} solver={args.solver} threads={threads} load={' '.join(load)}")
    rows = []
    for name in args.sets:
        path = data_root(name)
        ratings = load_seed(path) if name.startswith("seed") else load_latest_small(path)
        print(f"{name}: {len(ratings):,} ratings after cleaning", flush=True)
        if args.tune:
            best = tune(ratings, args, threads)
            print(f"{name}: best validation NDCG@10 {best[0]:.4f} at regularization={best[1]} alpha={best[2]}")
            continue
        train, test = temporal_split(ratings)
        mat, seen, users, movies, raw = train_matrix(train, args.preference, args.alpha)
        if args.write_train:
            os.makedirs(args.write_train, exist_ok=True)
            with open(os.path.join(args.write_train, f"{name}.train.csv"), "w") as f:
                f.write(f"# {len(users)},{len(movies)}\n")
                for a, b, r in raw:
                    f.write(f"{a},{b},{r}\n")
            with open(os.path.join(args.write_train, f"{name}.ids.csv"), "w") as f:
                f.write(",".join(map(str, users)) + "\n" + ",".join(map(str, movies)) + "\n")
            print(f"wrote {args.write_train}/{name}.train.csv ({len(raw):,} entries)")
            continue
        recs, secs = run_implicit(mat, seen, users, movies, args, threads)
        theirs = evaluate(recs, train, test)
        if args.ours_recs:
            our_recs, our_secs = read_ours(args.ours_recs, name)
            ours = evaluate(our_recs, train, test)
            source = f"engine recommendations in {args.ours_recs}"
        else:
            ours, our_secs, cmd = run_movierec(args.movierec, path, args, threads)
            source = " ".join(cmd)
        rows.append((name, theirs, secs, ours, our_secs, source))
    if not rows:
        return
    print()
    print("| set | library | NDCG@10 | precision@10 | recall@10 | hit rate | coverage | train s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, theirs, secs, ours, our_secs, _ in rows:
        for lib, m, s in (("implicit 0.7.3", theirs, secs), ("MovieRec", ours, our_secs)):
            print(f"| {name} | {lib} | {m['ndcg']:.4f} | {m['precision']:.4f} | {m['recall']:.4f} | "
                  f"{m['hit_rate']:.4f} | {m['coverage']:.4f} | {s:.2f} |")
    print()
    for name, theirs, secs, ours, our_secs, source in rows:
        print(f"{name}: users evaluated: implicit {theirs['users']}, MovieRec {ours.get('users')}")
        print(f"{name}: NDCG ratio MovieRec/implicit = {ours['ndcg'] / max(theirs['ndcg'], 1e-12):.3f}, "
              f"training time ratio implicit/MovieRec = {secs / max(our_secs, 1e-9):.2f}x  (ours: {source})")


if __name__ == "__main__":
    main()
