#!/usr/bin/env python3
"""`movierec pipeline` against the same stages in Python (pandas, xgboost, scikit-learn, implicit), same run.

    python3 Benchmarks/peers/pipeline_vs_python.py --movierec .build/release/movierec \
        --data ../shared/data/ml-latest-small [--folds 5] [--seed 42] [--threads 2] [--json]
        [--no-stage-detail] [--legacy]

Default: both sides do the same stages, each side in child processes measured from outside by
`/usr/bin/time -v` (wall, CPU of every thread, peak RSS). MovieRec runs `pipeline` (the whole-
pipeline row), then `train --verbose` and `evaluate --json` alone for the per-stage rows (skip them
with --no-stage-detail); Python runs Benchmarks/peers/pipeline_full.py (its doc lists the stages and
DIFFERENCES the few places where the Python stack lacks MovieRec's algorithm). Printed: one row per
stage with wall, CPU and RSS of both sides and the ratios MovieRec / Python, the quality of both
(CV AUC / RMSE, NDCG@10 per ranker), and what differs. Peers run with OMP_WAIT_POLICY=PASSIVE.

--legacy: the earlier comparison below, where the Python side does fewer stages than MovieRec.
Python side, on the ml-latest CSV layout, wall clock per stage:
  load      pandas reads ratings.csv, movies.csv, tags.csv;
  features  per outer fold: user/movie count, shrunk mean, std, like rate, year, genre one-hots and the
            user's genre affinity — test rows from the training folds, training rows out-of-fold over 5
            inner folds (the honest scheme MovieRec uses; MovieRec adds a factorisation and cluster
            features refitted per inner fold on top, so Python does less feature work here);
  cv        per fold an XGBoost classifier (like = rating >= 4) and regressor with MovieRec's
            hyper-parameters (hist, depth 6, eta 0.2, 60 rounds, max_bin 64, min_child_weight 5, 0.8/0.8);
  final     both models once more on all ratings (MovieRec's `train` stage);
  als       implicit ALS on all ratings (64 factors, 15 sweeps, lambda 30, alpha 1, CG), as `train` does;
  kmeans    KMeans (k=8, n_init 10; MiniBatchKMeans with n_init 3 above 50,000 users, as MovieRec) of
            users on genre averages and on the sparse mean-centred rating matrix (cluster quality);
  topn      MovieRec's per-user temporal split (last n // 5 ratings by time are test), popularity and
            implicit ALS refitted on the training period, NDCG@10 over users with a relevant test movie;
  tfidf     TfidfVectorizer over genres, title words and tags, top-50 cosine neighbours of every movie.
MovieRec side: `movierec pipeline --data D --out TMP --folds F --seed S --threads T --quiet --json`
(validate, train everything incl. ALS and the hybrids, 5-fold CV, cluster quality, top-N evaluation
of five rankers — the classifier ranker, the notebook hybrid and the two-stage hybrid have no Python
counterpart here —, bundle write): strictly more work than the Python stages.
Printed: both wall times, MovieRec's own per-stage seconds, and python / movierec.
The peers are comparison tools only, never MovieRec dependencies.
`python_pipeline` is also the Python side of the `pipeline` stage of scale_peers.py.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xgboost as xgb
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score, mean_squared_error


ROUNDS = 60  # MovieRec's EvaluationOptions.defaultClassifier: 60 rounds, eta 0.2, 64 bins
MINIBATCH_ABOVE = 50_000  # MovieRec's ClusterQualityOptions.miniBatchAbove
ALS_PARAMS = dict(factors=64, iterations=15, regularization=30.0, alpha=1.0)  # CG: implicit's default 3 steps


from peerutil import loadavg  # noqa: E402  (shared with the other peer scripts)


def params(objective, seed, threads):
    # MovieRec's EvaluationOptions.defaultClassifier / defaultRegressor: 60 rounds, eta 0.2, 64 bins.
    return {"objective": objective, "tree_method": "hist", "max_depth": 6, "eta": 0.2, "min_child_weight": 5,
            "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1.0, "max_bin": 64, "seed": seed, "nthread": threads}


def statistics(train, genre_matrix, users, movies, like_threshold=4.0):
    """Per-user / per-movie / per-(user, genre) sums of a set of ratings."""
    u, m, r = train["u"].to_numpy(), train["m"].to_numpy(), train["rating"].to_numpy()
    like = (r >= like_threshold).astype(np.float64)
    s = {}
    s["un"] = np.bincount(u, minlength=users).astype(np.float64)
    s["us"] = np.bincount(u, r, minlength=users)
    s["uq"] = np.bincount(u, r * r, minlength=users)
    s["ul"] = np.bincount(u, like, minlength=users)
    s["mn"] = np.bincount(m, minlength=movies).astype(np.float64)
    s["ms"] = np.bincount(m, r, minlength=movies)
    s["mq"] = np.bincount(m, r * r, minlength=movies)
    s["ml"] = np.bincount(m, like, minlength=movies)
    onehot = sp.csr_matrix((np.ones(len(u)), (u, m)), shape=(users, movies))
    rated = sp.csr_matrix((r, (u, m)), shape=(users, movies))
    s["ugn"] = np.asarray((onehot @ genre_matrix).todense())
    s["ugs"] = np.asarray((rated @ genre_matrix).todense())
    s["n"], s["sum"], s["likes"] = len(r), r.sum(), like.sum()
    return s


def subtract(a, b):
    return {k: a[k] - b[k] for k in a}


def features(stats, rows, genre_matrix, years):
    mu = stats["sum"] / max(stats["n"], 1)
    lam = stats["likes"] / max(stats["n"], 1)
    u, m = rows["u"].to_numpy(), rows["m"].to_numpy()
    un, mn = stats["un"][u], stats["mn"][m]
    cols = [un, (stats["us"][u] + 3 * mu) / (un + 3), np.sqrt(np.maximum(stats["uq"][u] / np.maximum(un, 1) - (stats["us"][u] / np.maximum(un, 1)) ** 2, 0)),
            (stats["ul"][u] + 3 * lam) / (un + 3), mn, (stats["ms"][m] + 10 * mu) / (mn + 10),
            np.sqrt(np.maximum(stats["mq"][m] / np.maximum(mn, 1) - (stats["ms"][m] / np.maximum(mn, 1)) ** 2, 0)),
            (stats["ml"][m] + 10 * lam) / (mn + 10), years[m]]
    g = np.asarray(genre_matrix[m].todense())
    umean = stats["us"][u] / np.maximum(un, 1)
    dev = (stats["ugs"][u] - stats["ugn"][u] * umean[:, None]) / (stats["ugn"][u] + 5)
    count = np.maximum(g.sum(axis=1), 1)
    cols.append((dev * g).sum(axis=1) / count)
    return np.column_stack(cols + [g]).astype(np.float32)


def fold_features(ratings, train_idx, test_idx, genre_matrix, years, users, movies, seed):
    train = ratings.iloc[train_idx]
    total = statistics(train, genre_matrix, users, movies)
    rng = np.random.default_rng(seed)
    inner = rng.permutation(len(train)) % 5
    x_train = np.zeros((len(train), 10 + genre_matrix.shape[1]), dtype=np.float32)
    for f in range(5):
        part = np.where(inner == f)[0]
        stats = subtract(total, statistics(train.iloc[part], genre_matrix, users, movies))
        stats["n"], stats["sum"], stats["likes"] = total["n"] - len(part), total["sum"] - train.iloc[part]["rating"].sum(), total["likes"] - (train.iloc[part]["rating"] >= 4).sum()
        x_train[part] = features(stats, train.iloc[part], genre_matrix, years)
    x_test = features(total, ratings.iloc[test_idx], genre_matrix, years)
    return x_train, x_test


def fit_als(binary, threads):
    """implicit ALS with MovieRec's objective: confidence 1 + alpha·r, r = 1 for every rating."""
    from threadpoolctl import threadpool_limits
    from implicit.cpu.als import AlternatingLeastSquares
    x = binary.tocsr().astype(np.float32)
    x.data[:] = 1 + ALS_PARAMS["alpha"]
    with threadpool_limits(1, "blas"):  # implicit's own threads do the work, like MovieRec's
        model = AlternatingLeastSquares(factors=ALS_PARAMS["factors"], regularization=ALS_PARAMS["regularization"], alpha=1.0,
                                        iterations=ALS_PARAMS["iterations"], use_cg=True,
                                        random_state=42, num_threads=threads, calculate_training_loss=False)
        model.fit(x, show_progress=False)
    return model


def ndcg_at_10(recs, relevant):
    """Mean NDCG@10 over the rows of `recs` (users × 10 movie indices, -1 = none); relevant: list of sets."""
    discounts = 1 / np.log2(np.arange(2, 12))
    total = 0.0
    for row, rel in zip(recs, relevant):
        hits = np.array([1.0 if m in rel else 0.0 for m in row[:10]])
        total += float((hits * discounts[:len(hits)]).sum()) / float(discounts[:min(len(rel), 10)].sum())
    return total / max(len(relevant), 1)


def topn(ratings, users, n_movies, threads):
    """MovieRec's temporal split and top-10 NDCG of implicit ALS and of popularity (like counts)."""
    frame = ratings[["u", "m", "rating", "timestamp"]].sort_values(["u", "timestamp", "m"], kind="stable")
    position = frame.groupby("u").cumcount().to_numpy()
    size = frame.groupby("u")["m"].transform("size").to_numpy()
    is_test = position >= size - size // 5
    train, test = frame[~is_test], frame[is_test]
    in_catalogue = np.zeros(n_movies, dtype=bool)
    in_catalogue[train["m"].to_numpy()] = True
    hits = test[(test["rating"] >= 4) & in_catalogue[test["m"].to_numpy()]]
    relevant = hits.groupby("u")["m"].apply(set)
    evaluated = relevant.index.to_numpy()
    seen = sp.csr_matrix((np.ones(len(train), dtype=np.float32), (train["u"].to_numpy(), train["m"].to_numpy())),
                         shape=(users, n_movies))
    seen.sum_duplicates()
    model = fit_als(seen, threads)
    ids, _ = model.recommend(evaluated, seen[evaluated], N=10, filter_already_liked_items=True)
    als = ndcg_at_10(ids, list(relevant))
    likes = np.bincount(train["m"].to_numpy()[train["rating"].to_numpy() >= 4], minlength=n_movies).astype(np.float64)
    likes[~in_catalogue] = -1
    order = np.argsort(-likes, kind="stable")
    popular = []
    for u in evaluated:
        mine = set(seen.indices[seen.indptr[u]:seen.indptr[u + 1]])
        popular.append([m for m in order[:10 + len(mine)] if m not in mine][:10])
    return als, ndcg_at_10(popular, list(relevant))


def python_pipeline(data, folds, seed, threads):
    """Wall seconds per stage and {auc, rmse, als_ndcg, popularity_ndcg}."""
    t, quality = {}, {}
    start = time.perf_counter()
    ratings = pd.read_csv(os.path.join(data, "ratings.csv"))
    movies = pd.read_csv(os.path.join(data, "movies.csv"))
    tags_path = os.path.join(data, "tags.csv")
    tags = pd.read_csv(tags_path) if os.path.exists(tags_path) else pd.DataFrame(columns=["movieId", "tag"])
    t["load"] = time.perf_counter() - start

    start = time.perf_counter()
    user_ids = np.sort(ratings["userId"].unique())
    movie_ids = np.sort(movies["movieId"].unique())
    ratings = ratings[ratings["movieId"].isin(movie_ids)].reset_index(drop=True)
    ratings["u"] = np.searchsorted(user_ids, ratings["userId"].to_numpy())
    ratings["m"] = np.searchsorted(movie_ids, ratings["movieId"].to_numpy())
    genre_names = sorted({g for gs in movies["genres"] for g in gs.split("|") if g != "(no genres listed)"})
    gi = {g: i for i, g in enumerate(genre_names)}
    mi = np.searchsorted(movie_ids, movies["movieId"].to_numpy())
    rows, cols = [], []
    for m, gs in zip(mi, movies["genres"]):
        for g in gs.split("|"):
            if g in gi:
                rows.append(m); cols.append(gi[g])
    genre_matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(movie_ids), len(genre_names)))
    years = np.full(len(movie_ids), np.nan)
    for m, title in zip(mi, movies["title"]):
        found = re.search(r"\((\d{4})\)\s*$", title)
        if found:
            years[m] = float(found.group(1))
    users, n_movies = len(user_ids), len(movie_ids)
    order = np.random.default_rng(seed).permutation(len(ratings))
    fold_of = np.empty(len(ratings), dtype=np.int64)
    fold_of[order] = np.arange(len(ratings)) % folds
    t["prepare"] = time.perf_counter() - start

    like = (ratings["rating"].to_numpy() >= 4).astype(np.float32)
    rating = ratings["rating"].to_numpy().astype(np.float32)
    t["features"], t["cv"] = 0.0, 0.0
    aucs, rmses = [], []
    for f in range(folds):
        start = time.perf_counter()
        tr, te = np.where(fold_of != f)[0], np.where(fold_of == f)[0]
        x_tr, x_te = fold_features(ratings, tr, te, genre_matrix, years, users, n_movies, seed + f)
        t["features"] += time.perf_counter() - start
        start = time.perf_counter()
        c = xgb.train(params("binary:logistic", seed, threads), xgb.DMatrix(x_tr, label=like[tr]), ROUNDS)
        r = xgb.train(params("reg:squarederror", seed, threads), xgb.DMatrix(x_tr, label=rating[tr]), ROUNDS)
        dte = xgb.DMatrix(x_te)
        aucs.append(roc_auc_score(like[te], c.predict(dte)))
        rmses.append(float(np.sqrt(mean_squared_error(rating[te], np.clip(r.predict(dte), 0.5, 5)))))
        t["cv"] += time.perf_counter() - start

    start = time.perf_counter()
    everything = np.arange(len(ratings))
    x_all, _ = fold_features(ratings, everything, everything[:1], genre_matrix, years, users, n_movies, seed)
    xgb.train(params("binary:logistic", seed, threads), xgb.DMatrix(x_all, label=like), ROUNDS)
    xgb.train(params("reg:squarederror", seed, threads), xgb.DMatrix(x_all, label=rating), ROUNDS)
    t["final"] = time.perf_counter() - start

    start = time.perf_counter()
    fit_als(sp.csr_matrix((np.ones(len(ratings), dtype=np.float32), (ratings["u"].to_numpy(), ratings["m"].to_numpy())),
                          shape=(users, n_movies)), threads)
    t["als"] = time.perf_counter() - start

    start = time.perf_counter()
    u, m, r = ratings["u"].to_numpy(), ratings["m"].to_numpy(), ratings["rating"].to_numpy()
    rated = sp.csr_matrix((r, (u, m)), shape=(users, n_movies))
    onehot = sp.csr_matrix((np.ones(len(u)), (u, m)), shape=(users, n_movies))
    counts = np.asarray((onehot @ genre_matrix).todense())
    sums = np.asarray((rated @ genre_matrix).todense())
    user_mean = np.asarray(rated.sum(axis=1)).ravel() / np.maximum(np.asarray(onehot.sum(axis=1)).ravel(), 1)
    genre_avg = np.where(counts > 0, sums / np.maximum(counts, 1), user_mean[:, None])
    rated_users = np.diff(onehot.indptr) > 0
    centred = rated.copy().astype(np.float32)
    centred.data -= np.repeat(user_mean, np.diff(centred.indptr)).astype(np.float32)
    for x in (genre_avg[rated_users].astype(np.float32), centred[rated_users]):
        if x.shape[0] > MINIBATCH_ABOVE:
            MiniBatchKMeans(n_clusters=8, n_init=3, batch_size=1024, random_state=seed).fit(x)
        else:
            KMeans(n_clusters=8, n_init=10, random_state=seed).fit(x)
    t["kmeans"] = time.perf_counter() - start

    start = time.perf_counter()
    quality["als_ndcg"], quality["popularity_ndcg"] = topn(ratings, users, n_movies, threads)
    t["topn"] = time.perf_counter() - start

    start = time.perf_counter()
    docs = {mid: [] for mid in movie_ids}
    for mid, title, gs in zip(movies["movieId"], movies["title"], movies["genres"]):
        docs[mid] += [g.lower() for g in gs.split("|") if g != "(no genres listed)"]
        docs[mid] += re.findall(r"\w\w+", re.sub(r"\s*\(\d{4}\)\s*$", "", title).lower())
    for mid, tag in zip(tags["movieId"], tags["tag"]):
        if mid in docs:
            docs[mid] += re.findall(r"\w\w+", str(tag).lower())
    vec = TfidfVectorizer(analyzer=lambda d: d)
    x = vec.fit_transform([docs[mid] for mid in movie_ids]).tocsr()
    for block in range(0, x.shape[0], 2048):
        sims = (x[block:block + 2048] @ x.T).toarray()
        np.argpartition(-sims, min(50, sims.shape[1] - 1), axis=1)
    t["tfidf"] = time.perf_counter() - start
    quality["auc"], quality["rmse"] = float(np.mean(aucs)), float(np.mean(rmses))
    return t, quality


TIME_FIELDS = {"wall": "Elapsed (wall clock) time (h:mm:ss or m:ss)", "user": "User time (seconds)",
               "sys": "System time (seconds)", "rss": "Maximum resident set size (kbytes)"}
# MovieRec's `train --verbose` stages summed into the Python side's train stages.
TRAIN_STAGES = [
    ("train: features", ["features"]),
    ("train: classifier + regressor", ["binning", "classifier + regressor"]),
    ("train: similar movies (TF-IDF)", ["similar movies"]),
    ("train: ALS", ["ALS"]),
    ("train: two-stage hybrid", ["hybrid: training candidates", "hybrid: stage-2 booster"]),
    ("train: notebook hybrid", ["notebook hybrid"]),
]
EVALUATE_STAGES = [("evaluate: cv", "cv"), ("evaluate: clusters", "clusters"), ("evaluate: topn", "topn")]
STAGE_LOG = re.compile(r"stage (.+?): wall ([0-9.]+) s, cpu ([0-9.]+) s, peak rss ([0-9.]+) MB")


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v: (stdout, stderr, {wall, cpu, rss_mb})."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name] + cmd, capture_output=True, text=True, env=env)
        report = t.read()
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    f = {k: (re.search(re.escape(v) + r":\s*(\S+)", report) or [None, "0"])[1] for k, v in TIME_FIELDS.items()}
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(f["wall"].split(":"))))
    return p.stdout, p.stderr, {"wall": wall, "cpu": float(f["user"]) + float(f["sys"]), "rss_mb": int(f["rss"]) / 1024}


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def num(x, spec=".1f"):
    return "–" if x is None else format(x, spec)


def full_comparison(a):
    """Same stages on both sides, each side a child process measured from outside; per-stage rows."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        common = ["--data", a.data, "--threads", str(a.threads), "--quiet"]
        out, _, ours = timed([a.movierec, "pipeline", *common, "--out", os.path.join(tmp, "p"), "--folds", str(a.folds),
                              "--seed", str(a.seed), "--json"])
        pipeline = json.loads(out)
        print(f"movierec pipeline: {ours['wall']:.1f} s wall, {ours['cpu']:.1f} CPU-s, {ours['rss_mb']:.0f} MB", file=sys.stderr)
        detail = {}
        if not a.no_stage_detail:
            _, err, train = timed([a.movierec, "train", *common, "--out", os.path.join(tmp, "t"), "--seed", str(a.seed), "--verbose"])
            for m in STAGE_LOG.finditer(err):
                detail[m.group(1)] = {"wall": float(m.group(2)), "cpu": float(m.group(3)), "rss_mb": float(m.group(4))}
            out, _, evaluate = timed([a.movierec, "evaluate", *common, "--folds", str(a.folds), "--seed", str(a.seed), "--json"])
            ev_seconds = json.loads(out).get("seconds", {})
            print(f"movierec train: {train['wall']:.1f} s, {train['cpu']:.1f} CPU-s; evaluate: {evaluate['wall']:.1f} s, "
                  f"{evaluate['cpu']:.1f} CPU-s", file=sys.stderr)
        py_json = os.path.join(tmp, "python.json")
        _, _, theirs = timed([sys.executable, os.path.join(here, "pipeline_full.py"), a.data, "--folds", str(a.folds),
                              "--seed", str(a.seed), "--threads", str(a.threads), "--json", py_json], env=env)
        with open(py_json) as f:
            py = json.load(f)
    after = loadavg()
    stages = {s["stage"]: s for s in py["stages"]}
    rows = [("load + validate", {"wall": pipeline.get("seconds", {}).get("validate")}, stages.get("load"))]
    if detail:
        for name, parts in TRAIN_STAGES:
            got = [detail[p] for p in parts if p in detail]
            mine = {"wall": sum(g["wall"] for g in got), "cpu": sum(g["cpu"] for g in got)} if got else {}
            rows.append((name, mine, stages.get(name)))
        py_train = [s for s in py["stages"] if s["stage"].startswith("train: ")]
        rows.append(("train (whole command)", train, {"wall": sum(s["wall"] for s in py_train), "cpu": sum(s["cpu"] for s in py_train)}))
        for name, key in EVALUATE_STAGES:
            rows.append((name, {"wall": ev_seconds.get(key)}, stages.get(name)))
        py_ev = [s for s in py["stages"] if s["stage"].startswith("evaluate: ")]
        rows.append(("evaluate (whole command)", evaluate, {"wall": sum(s["wall"] for s in py_ev), "cpu": sum(s["cpu"] for s in py_ev)}))
    rows.append(("whole pipeline", ours, theirs))
    ev = pipeline.get("evaluation", {})
    topn = {m: v.get("ndcg") for m, v in ev.get("topn", {}).items() if isinstance(v, dict)}
    result = {"data": a.data, "folds": a.folds, "threads": a.threads, "loadavg_before": before, "loadavg_after": after,
              "ratings": py["ratings"], "rows": [{"stage": n, "movierec": m, "python": p} for n, m, p in rows],
              "movierec_quality": {"auc": ev.get("classifier", {}).get("auc", {}).get("mean"),
                                   "rmse": ev.get("regressor", {}).get("rmse", {}).get("mean"), "ndcg": topn},
              "python_quality": py["quality"], "differences": py["differences"]}
    if a.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data {a.data} ({py['ratings']:,} ratings, {py['users']:,} users, {py['movies']:,} movies), {a.folds} folds, "
          f"{a.threads} threads each side; load average {before} -> {after}")
    print("Same stages on both sides (MovieRec: pipeline, and train / evaluate alone for the stage rows; "
          "Python: Benchmarks/peers/pipeline_full.py). Ratios are MovieRec / Python (< 1: MovieRec cheaper).")
    print()
    print("| stage | MovieRec wall s | Python wall s | wall ratio | MovieRec CPU s | Python CPU s | CPU ratio | RSS MB (MovieRec / Python) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, m, p in rows:
        m, p = m or {}, p or {}
        rss = f"{m['rss_mb']:.0f} / {p['rss_mb']:.0f}" if "rss_mb" in m and "rss_mb" in p and name.endswith(("command)", "pipeline")) else ""
        print(f"| {name} | {num(m.get('wall'))} | {num(p.get('wall'))} | {ratio(m.get('wall'), p.get('wall'))} | "
              f"{num(m.get('cpu'))} | {num(p.get('cpu'))} | {ratio(m.get('cpu'), p.get('cpu'))} | {rss} |")
    q, pq = result["movierec_quality"], py["quality"]
    print()
    print(f"quality: CV AUC {num(q['auc'], '.4f')} / {num(pq['auc'], '.4f')}, RMSE {num(q['rmse'], '.4f')} / {num(pq['rmse'], '.4f')}; NDCG@10 "
          + ", ".join(f"{k} {num(q['ndcg'].get(k), '.4f')} / {num(pq.get('ndcg_' + k), '.4f')}"
                      for k in ("popularity", "als", "classifier", "notebook_hybrid", "hybrid")) + " (MovieRec / Python)")
    print("differences (what is not the same work):")
    for line in py["differences"]:
        print(f"  - {line}")
    print("  - MovieRec's stage rows come from separate `train --verbose` and `evaluate --json` runs (in the pipeline they "
          "overlap); evaluate reports wall seconds per stage only; Python's stage CPU is its process CPU over the stage")


def legacy(a):
    """The earlier comparison: fewer Python stages than MovieRec's pipeline (see the module doc)."""
    before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run = subprocess.run([a.movierec, "pipeline", "--data", a.data, "--out", os.path.join(tmp, "models"), "--folds", str(a.folds),
                              "--seed", str(a.seed), "--threads", str(a.threads), "--quiet", "--json"],
                             capture_output=True, text=True)
        ours = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"movierec pipeline failed: {run.stderr}")
        report = json.loads(run.stdout)
    py_stages, quality = python_pipeline(a.data, a.folds, a.seed, a.threads)
    py_auc, py_rmse = quality["auc"], quality["rmse"]
    theirs = sum(py_stages.values())
    ev = report.get("evaluation", {})
    result = {
        "data": a.data, "folds": a.folds, "threads": a.threads, "loadavg_before": before, "loadavg_after": loadavg(),
        "movierec_seconds": ours, "movierec_stages": report.get("seconds", {}),
        "movierec_auc": ev.get("classifier", {}).get("auc", {}).get("mean"),
        "movierec_rmse": ev.get("regressor", {}).get("rmse", {}).get("mean"),
        "python_seconds": theirs, "python_stages": py_stages, "python_auc": py_auc, "python_rmse": py_rmse,
        "python_als_ndcg": quality["als_ndcg"], "python_popularity_ndcg": quality["popularity_ndcg"],
        "movierec_als_ndcg": ev.get("topn", {}).get("als", {}).get("ndcg"),
        "ratio_python_over_movierec": theirs / ours,
    }
    if a.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data {a.data}, {a.folds} folds, {a.threads} threads; load average {before} -> {result['loadavg_after']}")
    print(f"movierec pipeline  {ours:7.2f} s  (AUC {result['movierec_auc']}, RMSE {result['movierec_rmse']})")
    print("   " + ", ".join(f"{k} {v:.2f}" for k, v in report.get("seconds", {}).items()))
    print(f"python stages      {theirs:7.2f} s  (AUC {py_auc:.4f}, RMSE {py_rmse:.4f}, ALS NDCG@10 {quality['als_ndcg']:.4f}, "
          f"popularity NDCG@10 {quality['popularity_ndcg']:.4f}; MovieRec ALS NDCG@10 {result['movierec_als_ndcg']})")
    print("   " + ", ".join(f"{k} {v:.2f}" for k, v in py_stages.items()))
    print(f"python / movierec  {theirs / ours:7.2f}x")



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--data", default="data/ml-latest-small")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--legacy", action="store_true",
                    help="the earlier comparison: Python does fewer stages (no MF/cluster features, classifier rankers, hybrids)")
    ap.add_argument("--no-stage-detail", action="store_true",
                    help="skip MovieRec's separate train/evaluate runs (only the whole-pipeline row)")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "ratings.csv")):
        sys.exit(f"pipeline_vs_python.py: {a.data} has no ratings.csv (the Python side reads the ml-latest CSV layout)")
    if a.legacy:
        legacy(a)
    else:
        full_comparison(a)


if __name__ == "__main__":
    main()
