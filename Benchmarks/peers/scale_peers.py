#!/usr/bin/env python3
"""The peers table at scale: every stage of MovieRec against the Python stack, same files, same run.

    python3 Benchmarks/peers/scale_peers.py --movierec /work/main/.build-lead-rel/release/movierec \
        --sizes 1m,10m [--threads 2] [--stages parse,gbdt,kmeans,tfidf,pipeline,als] [--json FILE]
    python3 Benchmarks/peers/scale_peers.py --quick          # ml-latest-small, minutes, for checking the script

Data: `1m` and `10m` are Benchmarks/out/ml-synthetic-1m / -10m (ml-1m and ml-10m shapes), made once with
`movierec data synth --ratings 1000000 --users 6040 --movies 3706 --seed 1` and
`--ratings 10000000 --users 69878 --movies 10677 --seed 1` when missing; `25m` is Benchmarks/out/synth-25m
(ml-25m shape, `--ratings 25000095 --users 162541 --movies 62423 --seed 42`; for the stages where the peers fit
in memory: parse, kmeans, tfidf, als); `--quick` uses ml-latest-small.

Every side of every stage runs as its own child process and is measured from outside with os.wait4:
process wall, CPU (user + sys, all threads) and peak RSS. Inside, each side also reports the time of
the stage alone (excluding process start and reading its input), which the ratios use:
  parse     `movierec data bench-parse DIR --cache` (median of 3 parses of ratings + movies + tags, and
            the binary-cache load) vs pandas.read_csv of ratings.csv, movies.csv and tags.csv (median of 3);
  gbdt      the pipeline's like-classifier (60 rounds, depth 6, eta 0.2, 0.8/0.8 sampling,
            min_child_weight 5, max_bin 64) on the feature matrix of `movierec features export --fold 1`
            (the `rating` column dropped): `movierec boost train` (train_seconds: sketch + binning +
            boosting, no CSV parsing) vs xgboost hist (DMatrix + train) and lightgbm (Dataset + train,
            num_leaves 63, max_depth 6); test AUC of each. Above --gbdt-max-rows training rows, every
            s-th row of the exported file is used by all three (documented sample; printed);
  kmeans    `movierec cluster --by ratings|genres --k 8` vs scikit-learn KMeans (Lloyd, n_init 10,
            max_iter 300, tol 1e-4) or, above 50,000 users as MovieRec switches, MiniBatchKMeans
            (batch 1024, n_init 3, max_iter 100, max_no_improvement 10) — float32 matrices built from the
            same CSVs (rated users × all movies, raw ratings; users × the 19 ml-latest genres with the
            user's mean for unrated genres); fit time, inertia;
  tfidf     `movierec similar --all-to F --top 10` (TF-IDF fit + top-10 of every movie) vs
            TfidfVectorizer on the same tokens (tfidf_vs_sklearn.py's documents) + blocked cosine top-10
            (sparse product, argpartition) — tokenising is timed on both sides;
  als       implicit ALS on all ratings (64 factors, 15 sweeps, lambda 30, alpha 1, CG 3 steps, r = 1):
            MovieRec's `training_seconds.als` of `movierec pipeline --json` (or of `movierec train --json`
            without the pipeline stage) — wall only: no CLI times ALS alone, so its CPU and RSS are the
            whole run's — vs implicit.cpu.als.AlternatingLeastSquares.fit;
  pipeline  `movierec pipeline --data D --json` vs pipeline_full.py's same stages in Python (both as child
            processes; the process totals are compared).
The table gives MovieRec / fastest peer for stage wall time and CPU time, and MovieRec / smallest peer
for peak RSS (the issue's goal: <= 0.5 on every stage). Machine, versions and /proc/loadavg at the start
and end of each data set (and around every child) are printed. CPU-second ratios are the robust ones on
a shared machine. Peers are comparison tools only, never MovieRec dependencies.
"""
import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# size -> (ratings, users, movies, directory under --out, synth seed)
SIZES = {"1m": (1_000_000, 6040, 3706, "ml-synthetic-1m", 1), "10m": (10_000_000, 69878, 10677, "ml-synthetic-10m", 1),
         "25m": (25_000_095, 162541, 62423, "synth-25m", 42)}
ALL_STAGES = ["parse", "gbdt", "kmeans", "tfidf", "pipeline", "als"]
# As EvaluationOptions / the pipeline's classifier.
GBDT = dict(rounds=60, depth=6, eta=0.2, subsample=0.8, colsample=0.8, min_child_weight=5.0, max_bin=64, seed=42)
ALS = dict(factors=64, iterations=15, regularization=30.0, alpha=1.0)  # implicit: CG with its default 3 steps
KMEANS = dict(k=8, n_init=10, max_iter=300, minibatch_above=50_000, mb_batch=1024, mb_n_init=3, mb_max_iter=100, seed=0)
# Genres.latest: the fixed genre vocabulary MovieRec uses for the ml-latest CSV layout (column order).
LATEST_GENRES = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
                 "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


from peerutil import loadavg  # noqa: E402  (shared with the other peer scripts)


# ---------------------------------------------------------------------------------------------
# Measuring a child process from outside.

class Measured:
    """One child process: wall and CPU seconds (user + sys, all threads), peak RSS, its output."""

    def __init__(self, cmd, wall, cpu, rss_mb, rc, stdout, stderr, load_before, load_after):
        self.cmd, self.wall, self.cpu, self.rss_mb, self.rc = cmd, wall, cpu, rss_mb, rc
        self.stdout, self.stderr, self.load = stdout, stderr, (load_before, load_after)

    def json(self):
        """The last stdout line that parses as JSON (or the whole stdout)."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            for line in reversed(self.stdout.strip().splitlines()):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
        raise RuntimeError(f"no JSON in the output of {' '.join(self.cmd)}:\n{self.stdout[-2000:]}")


def run_measured(cmd, env=None, log=None):
    """Runs `cmd`, reaps it with os.wait4 (so the rusage is this child's alone), raises on failure."""
    before = loadavg()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    # ru_maxrss is in KiB on Linux.
    m = Measured(cmd, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr,
                 before, loadavg())
    if log:
        log(f"    {os.path.basename(cmd[0])} {' '.join(cmd[1:4])} …: {wall:.1f} s wall, {m.cpu:.1f} CPU-s, "
            f"{m.rss_mb:.0f} MB, load {m.load[0]} -> {m.load[1]}")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{stderr[-3000:]}")
    return m


def peer_cmd(stage, **kw):
    """This script as a child that runs one Python peer and prints one JSON line."""
    return [sys.executable, os.path.abspath(__file__), "--peer", stage, "--peer-args", json.dumps(kw)]


def peer_env(threads, blas_threads=None, omp_active=False):
    env = dict(os.environ)
    if not omp_active:
        # On a shared machine libgomp's default spin-waiting burns CPU and wall time while the peers'
        # threads wait for cores (xgboost on ml-latest-small features at load 13-16: 11-27 CPU-s
        # spinning vs 2.7-3.0 CPU-s passive, same AUC). Passive waiting is the fair setting here.
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    env["OMP_NUM_THREADS"] = str(threads)
    env["OPENBLAS_NUM_THREADS"] = str(blas_threads or threads)
    env["MKL_NUM_THREADS"] = str(blas_threads or threads)
    return env


# ---------------------------------------------------------------------------------------------
# Python peers (each runs in its own child process; heavy imports happen there).

def _cpu_wall():
    return time.perf_counter(), time.process_time()


def _since(t):
    return time.perf_counter() - t[0], time.process_time() - t[1]


def peer_parse(data, repeat):
    import statistics
    import pandas as pd
    walls, cpus, rows = [], [], 0
    for _ in range(repeat):
        t = _cpu_wall()
        ratings = pd.read_csv(os.path.join(data, "ratings.csv"))
        pd.read_csv(os.path.join(data, "movies.csv"))
        if os.path.exists(os.path.join(data, "tags.csv")):
            pd.read_csv(os.path.join(data, "tags.csv"))
        w, c = _since(t)
        walls.append(w)
        cpus.append(c)
        rows = len(ratings)
        del ratings
    return {"seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus), "rows": rows,
            "runs": walls, "tool": f"pandas {pd.__version__} read_csv (C engine)"}


def _load_features(path):
    import numpy as np
    import pandas as pd
    frame = pd.read_csv(path, dtype=np.float32)
    y = frame["like"].to_numpy()
    return frame.drop(columns=["like"]).to_numpy(np.float32), y


def peer_xgboost(train, test, threads):
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    x, y = _load_features(train)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": GBDT["depth"], "eta": GBDT["eta"],
              "min_child_weight": GBDT["min_child_weight"], "subsample": GBDT["subsample"],
              "colsample_bytree": GBDT["colsample"], "lambda": 1.0, "max_bin": GBDT["max_bin"], "seed": GBDT["seed"],
              "nthread": threads}
    t = _cpu_wall()
    booster = xgb.train(params, xgb.DMatrix(x, label=y, nthread=threads), GBDT["rounds"])
    w, c = _since(t)
    del x
    xt, yt = _load_features(test)
    return {"seconds": w, "cpu_seconds": c, "rows": int(len(y)), "auc": float(roc_auc_score(yt, booster.inplace_predict(xt))),
            "tool": f"xgboost {xgb.__version__} hist"}


def peer_lightgbm(train, test, threads):
    import lightgbm as lgb
    from sklearn.metrics import roc_auc_score
    x, y = _load_features(train)
    params = {"objective": "binary", "learning_rate": GBDT["eta"], "max_depth": GBDT["depth"],
              "num_leaves": 2 ** GBDT["depth"] - 1, "max_bin": GBDT["max_bin"] - 1,
              "min_sum_hessian_in_leaf": GBDT["min_child_weight"], "min_data_in_leaf": 1, "lambda_l2": 1.0,
              "bagging_fraction": GBDT["subsample"], "bagging_freq": 1, "feature_fraction": GBDT["colsample"],
              "seed": GBDT["seed"], "num_threads": threads, "verbose": -1, "force_col_wise": True}
    t = _cpu_wall()
    booster = lgb.train(params, lgb.Dataset(x, label=y, params={"max_bin": GBDT["max_bin"] - 1, "verbose": -1}),
                        GBDT["rounds"])
    w, c = _since(t)
    del x
    xt, yt = _load_features(test)
    return {"seconds": w, "cpu_seconds": c, "rows": int(len(y)),
            "auc": float(roc_auc_score(yt, booster.predict(xt, num_threads=threads))),
            "tool": f"lightgbm {lgb.__version__} (num_leaves 63, max_depth 6)"}


def _ratings_matrix(data):
    """Rated users × all movies CSR of raw ratings (float32), and the movies frame."""
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp
    ratings = pd.read_csv(os.path.join(data, "ratings.csv"), usecols=["userId", "movieId", "rating"],
                          dtype={"userId": np.int64, "movieId": np.int64, "rating": np.float32})
    movies = pd.read_csv(os.path.join(data, "movies.csv"))
    movie_ids = np.sort(movies["movieId"].unique())
    ratings = ratings[ratings["movieId"].isin(movie_ids)]
    user_ids, u = np.unique(ratings["userId"].to_numpy(), return_inverse=True)
    m = np.searchsorted(movie_ids, ratings["movieId"].to_numpy())
    x = sp.csr_matrix((ratings["rating"].to_numpy(np.float32), (u, m)), shape=(len(user_ids), len(movie_ids)),
                      dtype=np.float32)
    x.sum_duplicates()
    return x, movies, movie_ids


def _genre_matrix(x, movies, movie_ids):
    """Users × LATEST_GENRES average rating (a rating counts once per genre of its movie), unrated genre =
    the user's mean rating — UserGenreMatrix."""
    import numpy as np
    import scipy.sparse as sp
    rows, cols = [], []
    index = {g: i for i, g in enumerate(LATEST_GENRES)}
    positions = np.searchsorted(movie_ids, movies["movieId"].to_numpy())
    for m, genres in zip(positions, movies["genres"].astype(str)):
        for g in set(genres.split("|")):
            if g in index:
                rows.append(m)
                cols.append(index[g])
    g = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(movie_ids), len(LATEST_GENRES)))
    x64 = x.astype(np.float64)
    seen = x64.copy()
    seen.data[:] = 1
    sums = np.asarray((x64 @ g).todense())
    counts = np.asarray((seen @ g).todense())
    mean = np.asarray(x64.sum(axis=1)).ravel() / np.maximum(np.diff(x.indptr), 1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), mean[:, None]).astype(np.float32)


def peer_kmeans(data, by, threads):
    from sklearn.cluster import KMeans, MiniBatchKMeans
    import sklearn
    x, movies, movie_ids = _ratings_matrix(data)
    if by == "genres":
        x = _genre_matrix(x, movies, movie_ids)
    users = x.shape[0]
    minibatch = users > KMEANS["minibatch_above"]
    if minibatch:
        model = MiniBatchKMeans(n_clusters=KMEANS["k"], batch_size=KMEANS["mb_batch"], n_init=KMEANS["mb_n_init"],
                                max_iter=KMEANS["mb_max_iter"], max_no_improvement=10, random_state=KMEANS["seed"])
    else:
        model = KMeans(n_clusters=KMEANS["k"], n_init=KMEANS["n_init"], max_iter=KMEANS["max_iter"], tol=1e-4,
                       algorithm="lloyd", random_state=KMEANS["seed"])
    t = _cpu_wall()
    model.fit(x)
    w, c = _since(t)
    return {"seconds": w, "cpu_seconds": c, "users": users, "columns": int(x.shape[1]), "inertia": float(model.inertia_),
            "algorithm": "minibatch" if minibatch else "lloyd", "iterations": int(model.n_iter_),
            "tool": f"scikit-learn {sklearn.__version__} {'MiniBatchKMeans' if minibatch else 'KMeans'}"}


def peer_tfidf(data, top):
    import numpy as np
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    sys.path.insert(0, HERE)
    from tfidf_vs_sklearn import read_movies_and_tags, tokenise  # the list-by-list comparison's documents
    movies, raw_tags = read_movies_and_tags(data)
    t = _cpu_wall()
    _, docs = tokenise(movies, raw_tags)
    vec = TfidfVectorizer(analyzer=lambda d: d, smooth_idf=True, dtype=np.float32)
    x = vec.fit_transform(docs).tocsr()
    xt = x.T.tocsc()
    n, kept = x.shape[0], 0
    for r0 in range(0, n, 1024):
        sims = (x[r0:r0 + 1024] @ xt).toarray()
        rows = np.arange(sims.shape[0])
        sims[rows, r0 + rows] = -1  # never its own neighbour
        k = min(top, n - 1)
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        scores = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")
        kept += int((np.take_along_axis(scores, order, axis=1) > 0).sum())
    w, c = _since(t)
    return {"seconds": w, "cpu_seconds": c, "movies": n, "vocabulary": len(vec.vocabulary_), "neighbours": kept,
            "tool": f"scikit-learn {sklearn.__version__} TfidfVectorizer + sparse cosine top-{top}"}


def peer_als(data, threads):
    import numpy as np
    import implicit
    from implicit.cpu.als import AlternatingLeastSquares
    x, _, _ = _ratings_matrix(data)
    x.data[:] = 1 + ALS["alpha"] * 1.0  # binary preference r = 1: confidence 1 + alpha·r
    model = AlternatingLeastSquares(factors=ALS["factors"], regularization=ALS["regularization"], alpha=1.0,
                                    iterations=ALS["iterations"], use_cg=True,
                                    random_state=42, num_threads=threads, calculate_training_loss=False, dtype=np.float32)
    t = _cpu_wall()
    model.fit(x, show_progress=False)
    w, c = _since(t)
    return {"seconds": w, "cpu_seconds": c, "users": int(x.shape[0]), "nnz": int(x.nnz),
            "tool": f"implicit {implicit.__version__} ALS (CG)"}


def peer_pipeline(data, folds, seed, threads):
    sys.path.insert(0, HERE)
    import pipeline_full
    t = _cpu_wall()
    result = pipeline_full.run(data, folds, seed, threads)
    w, c = _since(t)
    stages = {s["stage"]: s["wall"] for s in result["stages"]}
    quality = dict(result["quality"], als_ndcg=result["quality"].get("ndcg_als"))
    return {"seconds": w, "cpu_seconds": c, "stages": stages, "quality": quality,
            "tool": "pipeline_full.py: the same stages in pandas, xgboost, scikit-learn, implicit"}


PEERS = {"parse": peer_parse, "xgboost": peer_xgboost, "lightgbm": peer_lightgbm, "kmeans": peer_kmeans,
         "tfidf": peer_tfidf, "als": peer_als, "pipeline": peer_pipeline}


# ---------------------------------------------------------------------------------------------
# The stages (parent side).

class Row:
    """One side of one stage."""

    def __init__(self, stage, side, tool, seconds, cpu, measured, quality="", note=""):
        self.stage, self.side, self.tool = stage, side, tool
        self.seconds, self.cpu, self.m = seconds, cpu, measured
        self.quality, self.note = quality, note

    def json(self):
        return {"stage": self.stage, "side": self.side, "tool": self.tool, "stage_seconds": self.seconds,
                "stage_cpu_seconds": self.cpu, "process_seconds": self.m.wall, "process_cpu_seconds": self.m.cpu,
                "peak_rss_mb": self.m.rss_mb, "quality": self.quality, "note": self.note,
                "loadavg": list(self.m.load)}


class Bench:
    def __init__(self, a, name, data, log):
        self.a, self.name, self.data, self.log = a, name, data, log
        self.rows = []
        self.notes = []
        self.work = os.path.join(a.work, name)
        os.makedirs(self.work, exist_ok=True)
        self.pipeline_run = None  # (Measured, JSON) of `movierec pipeline`, reused by the als stage

    def mr(self, *args):
        return run_measured([self.a.movierec, *args], log=self.log)

    def peer(self, stage, env=None, **kw):
        return run_measured(peer_cmd(stage, **kw), env=env or peer_env(self.a.threads, omp_active=self.a.omp_active), log=self.log)

    def add(self, *args, **kw):
        self.rows.append(Row(*args, **kw))

    # parse ---------------------------------------------------------------------------------
    def parse(self):
        t = str(self.a.threads)
        m = self.mr("data", "bench-parse", self.data, "--repeat", "3", "--cache", "--json", "--threads", t)
        j = m.json()
        self.add("parse", "movierec", f"bench-parse, {j['threads']} threads", j["parse_seconds"], j["parse_cpu_seconds"], m,
                 f"{j['rows']:,} rows")
        self.add("cached load", "movierec", "binary cache (.movierec-cache-v1.bin)", j["cached_seconds"],
                 j["cached_cpu_seconds"], m, f"identical: {j['cache_identical']}",
                 note="same process as parse; no peer (compare with parse)")
        p = self.peer("parse", data=self.data, repeat=3)
        j = p.json()
        self.add("parse", "pandas", j["tool"], j["seconds"], j["cpu_seconds"], p, f"{j['rows']:,} rows")

    # gbdt ----------------------------------------------------------------------------------
    def features(self):
        """Exports fold 1 once per data set (reused by later runs) and writes the classifier tables."""
        out = os.path.join(self.work, "features-fold1")
        train, test = os.path.join(out, "train.csv"), os.path.join(out, "test.csv")
        if not (os.path.exists(train) and os.path.exists(test)):
            m = self.mr("features", "export", "--data", self.data, "--fold", "1", "--out", out,
                        "--threads", str(self.a.threads))
            self.add("features export", "movierec", "features export --fold 1 (44 features, CSV)", m.wall, m.cpu, m,
                     note="no peer; process totals (includes writing the CSVs)")
        else:
            self.notes.append(f"features: reused {out} (delete it to re-time `features export`)")
        tables = {}
        for part, path in (("train", train), ("test", test)):
            rows = int(subprocess.run(["wc", "-l", path], check=True, capture_output=True, text=True).stdout.split()[0]) - 1
            limit = self.a.gbdt_max_rows if part == "train" else self.a.gbdt_max_rows // 4
            stride = max(1, math.ceil(rows / limit)) if limit > 0 else 1
            dest = os.path.join(self.work, f"like-{part}-s{stride}.csv")
            if not os.path.exists(dest):
                # Drop column 2 (`rating`: the regressor's label); keep the header and every stride-th row.
                awk = f"NR == 1 || (NR - 2) % {stride} == 0"
                with open(dest + ".tmp", "w") as f:
                    cut = subprocess.Popen(["cut", "-d,", "--complement", "-f2", path], stdout=subprocess.PIPE)
                    subprocess.run(["awk", awk], stdin=cut.stdout, stdout=f, check=True)
                    cut.wait()
                os.replace(dest + ".tmp", dest)
            tables[part] = (dest, rows, stride)
        return tables

    def gbdt(self):
        tables = self.features()
        train, rows, stride = tables["train"]
        test, _, tstride = tables["test"]
        if stride > 1:
            self.notes.append(f"gbdt: {rows:,} exported training rows; every {stride}th row used "
                              f"(--gbdt-max-rows {self.a.gbdt_max_rows:,}), test every {tstride}th row")
        model, preds = os.path.join(self.work, "like.mrgb"), os.path.join(self.work, "like-preds.txt")
        m = self.mr("boost", "train", "--data", train, "--label", "like", "--objective", "binary:logistic",
                    "--rounds", str(GBDT["rounds"]), "--max-depth", str(GBDT["depth"]), "--eta", str(GBDT["eta"]),
                    "--subsample", str(GBDT["subsample"]), "--colsample", str(GBDT["colsample"]),
                    "--min-child-weight", str(GBDT["min_child_weight"]), "--max-bin", str(GBDT["max_bin"]),
                    "--seed", str(GBDT["seed"]), "--threads", str(self.a.threads), "--out", model, "--json")
        j = m.json()
        auc = self._movierec_auc(model, test, preds)
        self.add("gbdt", "movierec", "boost train (sketch + bin + boost)", j["train_seconds"], j["train_cpu_seconds"], m,
                 f"AUC {auc:.4f}", note=f"{rows // stride:,} rows")
        for peer in ("xgboost", "lightgbm"):
            p = self.peer(peer, train=train, test=test, threads=self.a.threads)
            j = p.json()
            self.add("gbdt", peer, j["tool"], j["seconds"], j["cpu_seconds"], p, f"AUC {j['auc']:.4f}",
                     note=f"{j['rows']:,} rows")

    def _movierec_auc(self, model, test, preds):
        import numpy as np
        from sklearn.metrics import roc_auc_score
        subprocess.run([self.a.movierec, "boost", "predict", "--model", model, "--data", test, "--out", preds,
                        "--threads", str(self.a.threads)], check=True, capture_output=True)
        with open(test) as f:
            header = f.readline().strip().split(",")
        labels = np.loadtxt(test, delimiter=",", skiprows=1, usecols=[header.index("like")], dtype=np.float32)
        return float(roc_auc_score(labels, np.loadtxt(preds, dtype=np.float64)))

    # kmeans --------------------------------------------------------------------------------
    def kmeans(self):
        for by in ("ratings", "genres"):
            p = self.peer("kmeans", data=self.data, by=by, threads=self.a.threads)
            pj = p.json()
            minibatch = pj["algorithm"] == "minibatch"
            m = self.mr("cluster", "--data", self.data, "--by", by, "--k", str(KMEANS["k"]),
                        "--algorithm", pj["algorithm"],
                        "--n-init", str(KMEANS["mb_n_init"] if minibatch else KMEANS["n_init"]),
                        "--max-iter", str(KMEANS["mb_max_iter"] if minibatch else KMEANS["max_iter"]),
                        "--seed", str(KMEANS["seed"]), "--silhouette-sample", "0", "--json",
                        "--threads", str(self.a.threads))
            j = m.json()
            if j["users"] != pj["users"] or j["features"] != pj["columns"]:
                self.notes.append(f"kmeans {by}: MATRIX SHAPES DIFFER: movierec {j['users']}×{j['features']}, "
                                  f"python {pj['users']}×{pj['columns']}")
            stage = f"kmeans {by} ({pj['algorithm']})"
            self.add(stage, "movierec", f"cluster --by {by}", j["seconds"], j["cpuSeconds"], m,
                     f"inertia {j['inertia']:.6g}", note=f"{j['users']:,}×{j['features']:,}, {j['iterations']} it")
            self.add(stage, "scikit-learn", pj["tool"], pj["seconds"], pj["cpu_seconds"], p,
                     f"inertia {pj['inertia']:.6g}", note=f"{pj['iterations']} it")

    # tfidf ---------------------------------------------------------------------------------
    def tfidf(self):
        out = os.path.join(self.work, "similar-all.jsonl")
        m = self.mr("similar", "--data", self.data, "--all-to", out, "--top", "10", "--json", "--threads", str(self.a.threads))
        j = m.json()
        self.add("tfidf top-10", "movierec", "similar --all-to (fit + top-k of every movie)", j["seconds"], j["cpuSeconds"],
                 m, f"vocabulary {j['vocabulary']:,}", note=f"{j['movies']:,} movies")
        p = self.peer("tfidf", data=self.data, top=10)
        pj = p.json()
        self.add("tfidf top-10", "scikit-learn", pj["tool"], pj["seconds"], pj["cpu_seconds"], p,
                 f"vocabulary {pj['vocabulary']:,}", note=f"{pj['movies']:,} movies")

    # pipeline and als ----------------------------------------------------------------------
    def pipeline(self):
        out = os.path.join(self.work, "models-pipeline")
        m = self.mr("pipeline", "--data", self.data, "--out", out, "--json", "--quiet", "--threads", str(self.a.threads),
                    "--seed", "42")
        j = m.json()
        self.pipeline_run = (m, j)
        ev = j.get("evaluation", {})
        auc = ev.get("classifier", {}).get("auc", {}).get("mean")
        ndcg = ev.get("topn", {}).get("als", {}).get("ndcg")
        secs = ", ".join(f"{k} {v:.0f}" for k, v in j.get("seconds", {}).items() if k != "total")
        self.add("pipeline", "movierec", "pipeline (validate, train, 5-fold CV, clusters, top-N, save)", m.wall, m.cpu, m,
                 f"CV AUC {auc:.4f}" + (f", ALS NDCG {ndcg:.4f}" if ndcg is not None else "") if auc else "",
                 note=f"process totals; stages s: {secs}")
        p = self.peer("pipeline", data=self.data, folds=5, seed=42, threads=self.a.threads)
        pj = p.json()
        q = pj["quality"]
        secs = ", ".join(f"{k} {v:.0f}" for k, v in pj["stages"].items())
        self.add("pipeline", "python", pj["tool"], p.wall, p.cpu, p,
                 f"CV AUC {q['auc']:.4f}" + (f", ALS NDCG {q['als_ndcg']:.4f}" if q.get("als_ndcg") is not None else ""),
                 note=f"process totals; stages s: {secs}")

    def als(self):
        if self.pipeline_run is not None:
            m, j, source = self.pipeline_run[0], self.pipeline_run[1].get("bundle", {}), "pipeline --json"
        else:
            m = self.mr("train", "--data", self.data, "--out", os.path.join(self.work, "models-train"), "--json", "--quiet",
                        "--threads", str(self.a.threads))
            j, source = m.json(), "train --json"
            if isinstance(j.get("bundle"), dict):  # `pipeline --json` nests it; `train --json` names the path
                j = j["bundle"]
        seconds = j.get("training_seconds", {}).get("als")
        if seconds is None:
            self.notes.append(f"als: `movierec {source}` has no training_seconds.als; ALS not compared")
            return
        self.add("als", "movierec", f"training_seconds.als of `{source}`", seconds, None, m,
                 note="wall only; CPU and RSS are the whole run's (no CLI times ALS alone)")
        p = self.peer("als", env=peer_env(self.a.threads, blas_threads=1, omp_active=self.a.omp_active), data=self.data, threads=self.a.threads)
        pj = p.json()
        self.add("als", "implicit", pj["tool"], pj["seconds"], pj["cpu_seconds"], p, note=f"{pj['nnz']:,} ratings")


# ---------------------------------------------------------------------------------------------
# Output.

def fmt(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}"


def ratio_table(rows):
    """Per stage: MovieRec / fastest peer (wall, CPU) and / smallest peer (RSS)."""
    out = []
    stages = []
    for r in rows:
        if r.stage not in stages:
            stages.append(r.stage)
    for s in stages:
        ours = [r for r in rows if r.stage == s and r.side == "movierec"]
        peers = [r for r in rows if r.stage == s and r.side != "movierec"]
        if not ours or not peers:
            continue
        o = ours[0]
        fw = min(peers, key=lambda r: r.seconds)
        cpu_peers = [r for r in peers if r.cpu is not None]
        fc = min(cpu_peers, key=lambda r: r.cpu) if cpu_peers and o.cpu is not None else None
        fm = min(peers, key=lambda r: r.m.rss_mb)
        out.append({"stage": s, "wall": o.seconds / fw.seconds if fw.seconds > 0 else None, "wall_peer": fw.side,
                    "cpu": o.cpu / fc.cpu if fc and fc.cpu > 0 else None, "cpu_peer": fc.side if fc else None,
                    "rss": o.m.rss_mb / fm.m.rss_mb, "rss_peer": fm.side,
                    "rss_note": "whole run" if "whole run" in o.note else ""})
    return out


def print_size(name, data, rows, ratios, notes, load):
    print(f"\n## {name}: {data}  (load average {load[0]} at start, {load[1]} at end)\n")
    print("| stage | side | tool | stage wall s | stage CPU s | process wall s | process CPU s | peak RSS MB | quality | note |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r.stage} | {r.side} | {r.tool} | {fmt(r.seconds)} | {fmt(r.cpu)} | {r.m.wall:.2f} | {r.m.cpu:.2f} | "
              f"{r.m.rss_mb:.0f} | {r.quality} | {r.note} |")
    print("\nMovieRec / fastest peer (wall, CPU) and / smallest peer (peak RSS); goal <= 0.5:\n")
    print("| stage | wall ratio | CPU ratio | RSS ratio |")
    print("|---|---:|---:|---:|")
    for q in ratios:
        print(f"| {q['stage']} | {fmt(q['wall'])} (vs {q['wall_peer']}) | "
              f"{fmt(q['cpu'])}{'' if q['cpu_peer'] is None else ' (vs ' + q['cpu_peer'] + ')'} | "
              f"{fmt(q['rss'])} (vs {q['rss_peer']}){' whole run' if q['rss_note'] else ''} |")
    for n in notes:
        print(f"- {n}")


def machine():
    info = {"python": platform.python_version(), "kernel": platform.release(), "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
        with open("/proc/meminfo") as f:
            info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    from importlib import metadata
    versions = {}
    for dist in ("pandas", "numpy", "scipy", "scikit-learn", "xgboost", "lightgbm", "implicit"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # a missing peer is reported, not fatal
            versions[dist] = "missing"
    info["versions"] = versions
    try:
        ps = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True).stdout
        info["busiest_processes"] = [" ".join(l.split()) for l in ps.splitlines()[:6]]
    except OSError:
        pass
    return info


def dataset_dir(a, size):
    if size == "quick":
        for base in (os.environ.get("MOVIEREC_TEST_DATA"), os.path.join(ROOT, "data"), os.path.join(ROOT, "..", "shared", "data"),
                     "/work/shared/data"):
            if base and os.path.exists(os.path.join(base, "ml-latest-small", "ratings.csv")):
                return os.path.realpath(os.path.join(base, "ml-latest-small"))
        sys.exit("scale_peers.py: ml-latest-small not found (movierec data fetch ml-latest-small)")
    if size not in SIZES:
        sys.exit(f"scale_peers.py: unknown size {size!r}; known: {', '.join(SIZES)}")
    ratings, users, movies, name, seed = SIZES[size]
    path = os.path.join(a.out, name)
    if not os.path.exists(os.path.join(path, "ratings.csv")):
        print(f"synthesising {path} …", flush=True)
        subprocess.run([a.movierec, "data", "synth", "--ratings", str(ratings), "--users", str(users), "--movies", str(movies),
                        "--seed", str(seed), "--out", path, "--quiet"], check=True)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movierec", default=os.path.join(ROOT, ".build", "release", "movierec"))
    ap.add_argument("--sizes", default="1m", help="comma-separated: 1m, 10m, 25m (default 1m)")
    ap.add_argument("--quick", action="store_true", help="ml-latest-small only (checks the script in minutes)")
    ap.add_argument("--stages", default=",".join(ALL_STAGES), help=f"comma-separated subset of {','.join(ALL_STAGES)}")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gbdt-max-rows", type=int, default=4_000_000,
                    help="training rows of the GBDT stage; above it every s-th exported row is used (0 = all)")
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "out"), help="where ml-synthetic-<size> live")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "movierec-scale-peers"),
                    help="exported features, models and outputs (kept for reuse)")
    ap.add_argument("--omp-active", action="store_true",
                    help="leave OpenMP's default (spinning) wait policy for the peers (default: OMP_WAIT_POLICY=PASSIVE)")
    ap.add_argument("--json", help="also write every row as JSON to this file")
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--peer-args", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer:
        print(json.dumps(PEERS[a.peer](**json.loads(a.peer_args))), flush=True)
        return
    if not os.access(a.movierec, os.X_OK):
        sys.exit(f"scale_peers.py: {a.movierec} is not an executable (swift build -c release, or pass --movierec)")
    stages = [s.strip() for s in a.stages.split(",") if s.strip()]
    unknown = set(stages) - set(ALL_STAGES)
    if unknown:
        sys.exit(f"scale_peers.py: unknown stages {', '.join(sorted(unknown))}; known: {', '.join(ALL_STAGES)}")
    stages = [s for s in ALL_STAGES if s in stages]  # pipeline before als: als reuses the pipeline's JSON
    sizes = ["quick"] if a.quick else [s.strip() for s in a.sizes.split(",") if s.strip()]

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    info = machine()
    info["movierec"] = subprocess.run([a.movierec, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# MovieRec vs the Python stack, {a.threads} threads each side")
    print(f"machine: {info.get('cpu', '?')}, {info['cores']} cores, {info.get('memory_gb', '?')} GB, Linux {info['kernel']}, "
          f"Python {info['python']}; movierec {info['movierec']} ({a.movierec})")
    print("peers: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print("busiest processes at start (%CPU command): " + "; ".join(info.get("busiest_processes", [])))
    print(f"command: {' '.join([os.path.basename(sys.executable)] + sys.argv)}")
    print(f"peers' OpenMP wait policy: {'default (active spinning)' if a.omp_active else 'PASSIVE'}")
    report = {"machine": info, "threads": a.threads, "sizes": {}}
    for size in sizes:
        data = dataset_dir(a, size)
        bench = Bench(a, size, data, log)
        start_load = loadavg()
        started = time.perf_counter()
        for stage in stages:
            log(f"[{size}] {stage} (load {loadavg()})")
            try:
                getattr(bench, stage)()
            except Exception as e:  # one failing stage must not lose the others' numbers
                bench.notes.append(f"{stage}: FAILED: {str(e)[:600]}")
                log(f"[{size}] {stage} FAILED: {e}")
        load = (start_load, loadavg())
        ratios = ratio_table(bench.rows)
        print_size(size, data, bench.rows, ratios, bench.notes + [f"{size}: {time.perf_counter() - started:.0f} s in all"], load)
        report["sizes"][size] = {"data": data, "loadavg": list(load), "rows": [r.json() for r in bench.rows],
                                 "ratios": ratios, "notes": bench.notes}
        if a.json:
            with open(a.json + ".tmp", "w") as f:
                json.dump(report, f, indent=2)
            os.replace(a.json + ".tmp", a.json)
    print(f"\nbusiest processes at end: " + "; ".join(machine().get("busiest_processes", [])))


if __name__ == "__main__":
    main()
