#!/usr/bin/env python3
"""`movierec pipeline` against the same stages in Python (pandas, xgboost, scikit-learn, implicit), same run.

    python3 Benchmarks/peers/pipeline_vs_python.py --movierec .build/release/movierec \
        --data ../shared/data/ml-latest-small [--folds 5] [--seed 42] [--threads 2] [--json]

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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--data", default="data/ml-latest-small")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "ratings.csv")):
        sys.exit(f"pipeline_vs_python.py: {a.data} has no ratings.csv (the Python side reads the ml-latest CSV layout)")
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


if __name__ == "__main__":
    main()
