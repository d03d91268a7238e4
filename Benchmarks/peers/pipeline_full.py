#!/usr/bin/env python3
"""The stages of `movierec pipeline` in the Python stack, timed stage by stage (wall, CPU, peak RSS).

Imported by pipeline_vs_python.py (which runs it in a child process: `python3 pipeline_full.py DATA
--json OUT`). Mirrors MovieRec's `train` and `evaluate` with the same parameters wherever the Python
stack has the algorithm; every difference is listed in DIFFERENCES and printed with the results.

  load        pandas read_csv of ratings, movies, tags; dense ids; genre one-hots; release years.
  train       (all ratings, as `movierec train`)
    features    MovieRec's feature schema, training rows out-of-fold over 5 inner folds: per-user /
                per-movie counts, shrunk means (priors 3 / 10), std, like rates, year, age at rating,
                genre one-hots (≤ 32), genre affinity mean/min/max/exposure (prior 5), the biased-MF
                prediction and its parts (24 factors), genre and rating user clusters (KMeans k = 8,
                2 restarts, 50 iterations) with the cluster's shrunk mean and like rate of the movie
                (prior 5) — the MF and the clusters refitted on every inner complement;
    boosters    xgboost hist classifier (like = rating ≥ 4) and regressor, MovieRec's trees (60
                rounds, depth 6, η 0.2, 64 bins, min child weight 5, 0.8 / 0.8);
    als         implicit ALS, 64 factors, 15 sweeps, λ 30, α 1 (CG);
    similar     TfidfVectorizer over genres, title words and tags, top-50 cosine neighbours per movie;
    two-stage   stage 1 (implicit ALS 32 × 10, popularity, genre/rating clusters) on the earlier part
                of a per-user temporal split of the ratings, candidates 150 ALS + 50 + 50 per cluster
                + 50 popular, stage-2 xgboost (100 rounds, η 0.1, depth 6) on which candidates the
                user liked in the validation slice (negatives kept at rate 0.3), then stage 1 refitted
                on all ratings;
    notebook    the notebook hybrid: a classifier on the earlier part, weight and clustering tuned on
                300 seeded validation users (grid 0 … 16), paired with the classifier above.
  evaluate    (as `movierec evaluate`)
    cv          5 shuffled outer folds: the features above (test rows from the training folds) and
                both boosters, AUC and RMSE;
    clusters    KMeans (k = 8, 10 restarts; mini-batch above 50,000 users) of users by genre averages
                and by mean-centred sparse ratings;
    topn        the per-user temporal split (last n // 5 ratings are test); popularity, ALS, the
                classifier ranker (every unseen catalogue movie scored), the notebook hybrid and the
                two-stage hybrid fitted on the training period; NDCG@10 over users with a relevant
                test movie (classifier and notebook hybrid: a seeded sample of 50 of them, the
                weight tuned on 50 validation users, as MovieRec's evaluation does).
  scale       above 2,000,000 ratings MovieRec samples, and so does this side, by the same rules
              (seeded draws differ, sizes are the same): the boosters of `train` learn a uniform
              sample of 2,000,000 ratings described by one context fitted on all other ratings
              (`TrainingRows`); contexts of more than 2,000,000 ratings cluster with mini-batch
              KMeans (batch 4096, 3 restarts, 50 iterations, stop after 10 without improvement);
              the two-stage hybrid keeps negatives at 0.3 × 5,000,000 / ratings above 5,000,000;
              the notebook hybrid of `train` tunes on whole users holding ~1,000,000 ratings
              (`UserSubset`); `evaluate` runs on whole users holding ~1,000,000 ratings
              (`UserSample`, automatic above 2,000,000 ratings).
"""
import argparse
import json
import os
import re
import resource
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xgboost as xgb
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

LIKE = 4.0
ROUNDS = 60
MINIBATCH_ABOVE = 50_000
NOTEBOOK_GRID = [0, 0.25, 0.5, 1, 2, 4, 8, 16]
# MovieRec's scale rules (TrainingOptions, FeatureOptions, UserSample).
BOOST_ROW_LIMIT = 2_000_000
CONTEXT_MINIBATCH_ABOVE = 2_000_000
HYBRID_NEGATIVE_RATINGS = 5_000_000
NOTEBOOK_TUNING_RATINGS = 1_000_000
SAMPLE_ABOVE = 2_000_000
SAMPLE_TARGET = 1_000_000

DIFFERENCES = [
    "MF features: TruncatedSVD (24 components) of the rating residuals after shrunk biases — the Python stack has "
    "no biased-MF SGD (MovieRec: SGD, 25 epochs); cheaper than MovieRec's fit",
    "two-stage hybrid: 19 of MovieRec's 26 stage-2 features (no recent-item ALS similarity, recency and "
    "release-year-gap columns)",
    "notebook hybrid: evaluated with the classifier ranker's scores (MovieRec scores the classifier again)",
    "sequential: Python runs train then evaluate; MovieRec runs them at the same time",
    "no bundle write, no train metrics / serving statistics, no data validation report on the Python side",
]


class Clock:
    """Per-stage wall, CPU (all threads of this process) and peak RSS so far."""

    def __init__(self):
        self.stages = []

    def __call__(self, name, fn, *args, **kw):
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kw)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stages.append({"stage": name, "wall": time.perf_counter() - w, "cpu": time.process_time() - c, "rss_mb": rss})
        print(f"  {name}: {self.stages[-1]['wall']:.1f} s, cpu {self.stages[-1]['cpu']:.1f} s, rss {rss:.0f} MB",
              file=sys.stderr, flush=True)
        return out


def booster_params(objective, seed, threads, rounds=ROUNDS, eta=0.2):
    return {"objective": objective, "tree_method": "hist", "max_depth": 6, "eta": eta, "min_child_weight": 5,
            "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1.0, "max_bin": 64, "seed": seed, "nthread": threads}, rounds


def train_booster(objective, x, y, seed, threads, rounds=ROUNDS, eta=0.2):
    p, r = booster_params(objective, seed, threads, rounds, eta)
    return xgb.train(p, xgb.DMatrix(x, label=y), r)


class Data:
    def __init__(self, directory, seed):
        ratings = pd.read_csv(os.path.join(directory, "ratings.csv"))
        movies = pd.read_csv(os.path.join(directory, "movies.csv"))
        tags_path = os.path.join(directory, "tags.csv")
        self.tags = pd.read_csv(tags_path) if os.path.exists(tags_path) else pd.DataFrame(columns=["movieId", "tag"])
        user_ids = np.sort(ratings["userId"].unique())
        self.movie_ids = np.sort(movies["movieId"].unique())
        ratings = ratings[ratings["movieId"].isin(self.movie_ids)].reset_index(drop=True)
        self.u = np.searchsorted(user_ids, ratings["userId"].to_numpy()).astype(np.int64)
        self.m = np.searchsorted(self.movie_ids, ratings["movieId"].to_numpy()).astype(np.int64)
        self.r = ratings["rating"].to_numpy().astype(np.float64)
        self.t = ratings["timestamp"].to_numpy().astype(np.int64)
        self.users, self.movies = len(user_ids), len(self.movie_ids)
        self.movies_frame = movies
        names = sorted({g for gs in movies["genres"] for g in gs.split("|") if g != "(no genres listed)"})[:32]
        gi = {g: i for i, g in enumerate(names)}
        mi = np.searchsorted(self.movie_ids, movies["movieId"].to_numpy())
        rows, cols = [], []
        for m, gs in zip(mi, movies["genres"]):
            for g in gs.split("|"):
                if g in gi:
                    rows.append(m)
                    cols.append(gi[g])
        self.genres = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.movies, len(names)))
        self.genre_dense = np.asarray(self.genres.todense(), dtype=np.float32)
        self.years = np.full(self.movies, np.nan)
        for m, title in zip(mi, movies["title"]):
            found = re.search(r"\((\d{4})\)\s*$", title)
            if found:
                self.years[m] = float(found.group(1))
        self.seed = seed

    def users_holding(self, target, seed):
        """Seeded whole users, drawn until their ratings reach `target` (MovieRec's UserSubset /
        UserSample rule); returns the rows of those users (ascending)."""
        counts = np.bincount(self.u, minlength=self.users)
        order = np.random.default_rng(seed).permutation(np.where(counts > 0)[0])
        take = int(np.searchsorted(np.cumsum(counts[order]), target)) + 1
        chosen = np.zeros(self.users, dtype=bool)
        chosen[order[:take]] = True
        return np.where(chosen[self.u])[0]

    def subset(self, rows):
        """The same data restricted to `rows`, users re-indexed densely (movies unchanged)."""
        out = object.__new__(Data)
        out.__dict__.update(self.__dict__)
        kept = np.unique(self.u[rows])
        out.u = np.searchsorted(kept, self.u[rows])
        out.m, out.r, out.t = self.m[rows], self.r[rows], self.t[rows]
        out.users = len(kept)
        return out


class Context:
    """Everything a feature row needs from a set of training ratings (MovieRec's FeatureContext)."""

    def __init__(self, d, idx, seed, clusters_k=8):
        u, m, r = d.u[idx], d.m[idx], d.r[idx]
        like = (r >= LIKE).astype(np.float64)
        self.mu = r.mean() if len(r) else 3.5
        self.lam = like.mean() if len(r) else 0.5
        self.un = np.bincount(u, minlength=d.users).astype(np.float64)
        us, uq, ul = (np.bincount(u, w, minlength=d.users) for w in (r, r * r, like))
        self.mn = np.bincount(m, minlength=d.movies).astype(np.float64)
        ms, mq, ml = (np.bincount(m, w, minlength=d.movies) for w in (r, r * r, like))
        self.user_mean = (us + 3 * self.mu) / (self.un + 3)
        self.user_like = (ul + 3 * self.lam) / (self.un + 3)
        self.user_std = np.sqrt(np.maximum(uq / np.maximum(self.un, 1) - (us / np.maximum(self.un, 1)) ** 2, 0))
        self.movie_mean = (ms + 10 * self.mu) / (self.mn + 10)
        self.movie_like = (ml + 10 * self.lam) / (self.mn + 10)
        self.movie_std = np.sqrt(np.maximum(mq / np.maximum(self.mn, 1) - (ms / np.maximum(self.mn, 1)) ** 2, 0))
        onehot = sp.csr_matrix((np.ones(len(u)), (u, m)), shape=(d.users, d.movies))
        rated = sp.csr_matrix((r, (u, m)), shape=(d.users, d.movies))
        ugn = np.asarray((onehot @ d.genres).todense())
        ugs = np.asarray((rated @ d.genres).todense())
        raw_mean = us / np.maximum(self.un, 1)
        self.genre_dev = (ugs - ugn * raw_mean[:, None]) / (ugn + 5)
        self.genre_share = ugn / np.maximum(self.un, 1)[:, None]
        # Biased MF: shrunk biases, then a rank-24 factorisation of the residuals.
        self.bu = self.user_mean - self.mu
        self.bi = self.movie_mean - self.mu
        resid = r - self.mu - self.bu[u] - self.bi[m]
        k = min(24, max(1, min(d.users, d.movies) - 1))
        svd = TruncatedSVD(n_components=k, random_state=seed, algorithm="randomized", n_iter=5)
        self.pu = svd.fit_transform(sp.csr_matrix((resid, (u, m)), shape=(d.users, d.movies))).astype(np.float32)
        self.qi = svd.components_.T.astype(np.float32)
        # Genre and rating user clusters with each cluster's shrunk mean / like rate of each movie.
        genre_avg = np.where(ugn > 0, ugs / np.maximum(ugn, 1), raw_mean[:, None]).astype(np.float32)
        centred = rated.astype(np.float32).tocsr()
        centred.data -= np.repeat(raw_mean, np.diff(centred.indptr)).astype(np.float32)
        self.labels, self.cmean, self.clike, self.craters = [], [], [], []
        for x, s in ((genre_avg, seed), (centred, seed + 1)):
            if len(idx) > CONTEXT_MINIBATCH_ABOVE:
                km = MiniBatchKMeans(n_clusters=min(clusters_k, d.users), batch_size=4096, n_init=3, max_iter=50,
                                     max_no_improvement=10, random_state=s).fit(x)
            else:
                km = KMeans(n_clusters=min(clusters_k, d.users), n_init=2, max_iter=50, random_state=s).fit(x)
            lab = km.labels_.astype(np.int64)
            key = lab[u] * d.movies + m
            size = clusters_k * d.movies
            n = np.bincount(key, minlength=size).astype(np.float64)
            sm = np.bincount(key, r, minlength=size)
            sl = np.bincount(key, like, minlength=size)
            self.labels.append(lab)
            self.cmean.append(((sm + 5 * self.mu) / (n + 5)).reshape(clusters_k, d.movies))
            self.clike.append(((sl + 5 * self.lam) / (n + 5)).reshape(clusters_k, d.movies))
            self.craters.append(n.reshape(clusters_k, d.movies))

    def features(self, d, u, m, t=None):
        """Feature matrix of (user, movie) pairs (MovieRec's schema, in its order)."""
        g = d.genre_dense[m]
        count = g.sum(axis=1)
        dev = self.genre_dev[u]
        with np.errstate(invalid="ignore"):
            masked = np.where(g > 0, dev, np.nan)
            aff_mean = np.where(count > 0, (dev * g).sum(axis=1) / np.maximum(count, 1), np.nan)
            aff_min = np.where(count > 0, np.nanmin(np.where(g > 0, masked, np.inf), axis=1), np.nan)
            aff_max = np.where(count > 0, np.nanmax(np.where(g > 0, masked, -np.inf), axis=1), np.nan)
        exposure = (self.genre_share[u] * g).sum(axis=1) / np.maximum(count, 1)
        year = d.years[m]
        age = (1970 + (t if t is not None else np.zeros(len(u))) / 31_556_952) - year
        inter = (self.pu[u] * self.qi[m]).sum(axis=1)
        cols = [self.un[u], self.user_mean[u], self.user_std[u], self.user_like[u],
                self.mn[m], self.movie_mean[m], self.movie_std[m], self.movie_like[m],
                year, age, count]
        tail = [aff_mean, aff_min, aff_max, exposure,
                self.mu + self.bu[u] + self.bi[m] + inter, self.bu[u], self.bi[m], inter]
        for i in range(2):
            lab = self.labels[i][u]
            tail += [lab, self.cmean[i][lab, m], self.clike[i][lab, m]]
        return np.column_stack(cols + [g] + tail).astype(np.float32)


def oof_features(d, rows, seed, test_rows=None):
    """Training rows out-of-fold over 5 inner folds; test rows (if any) from all of `rows`."""
    inner = np.random.default_rng(seed).permutation(len(rows)) % 5
    x = None
    for f in range(5):
        part = np.where(inner == f)[0]
        ctx = Context(d, rows[inner != f], seed + f)
        xf = ctx.features(d, d.u[rows[part]], d.m[rows[part]], d.t[rows[part]])
        if x is None:
            x = np.empty((len(rows), xf.shape[1]), dtype=np.float32)
        x[part] = xf
    x_test = None
    if test_rows is not None:
        ctx = Context(d, rows, seed)
        x_test = ctx.features(d, d.u[test_rows], d.m[test_rows], d.t[test_rows])
    return x, x_test


def training_rows(d, seed):
    """`movierec train`'s booster rows: every rating out-of-fold, or above BOOST_ROW_LIMIT a seeded
    uniform sample of that many, described by one context fitted on all the other ratings."""
    n = len(d.r)
    if n <= BOOST_ROW_LIMIT:
        return oof_features(d, np.arange(n), seed)[0], np.arange(n)
    picked = np.zeros(n, dtype=bool)
    picked[np.random.default_rng(seed).choice(n, BOOST_ROW_LIMIT, replace=False)] = True
    sample, rest = np.where(picked)[0], np.where(~picked)[0]
    return Context(d, rest, seed).features(d, d.u[sample], d.m[sample], d.t[sample]), sample


def temporal_split(d, rows):
    """MovieRec's per-user temporal split of `rows`: each user's last n // 5 ratings by time are test."""
    frame = pd.DataFrame({"row": rows, "u": d.u[rows], "t": d.t[rows], "m": d.m[rows]})
    frame = frame.sort_values(["u", "t", "m"], kind="stable")
    position = frame.groupby("u").cumcount().to_numpy()
    size = frame.groupby("u")["row"].transform("size").to_numpy()
    test = position >= size - size // 5
    return np.sort(frame["row"].to_numpy()[~test]), np.sort(frame["row"].to_numpy()[test])


def fit_als(d, rows, factors, iterations, threads):
    from threadpoolctl import threadpool_limits
    from implicit.cpu.als import AlternatingLeastSquares
    x = sp.csr_matrix((np.full(len(rows), 2.0, dtype=np.float32), (d.u[rows], d.m[rows])), shape=(d.users, d.movies))
    x.sum_duplicates()
    x.data[:] = 2.0  # confidence 1 + α·1, α = 1
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=factors, regularization=30.0, alpha=1.0, iterations=iterations, use_cg=True,
                                        random_state=42, num_threads=threads, calculate_training_loss=False)
        model.fit(x, show_progress=False)
    return model, x


def ndcg(lists, relevant):
    discounts = 1 / np.log2(np.arange(2, 12))
    total = 0.0
    for row, rel in zip(lists, relevant):
        hits = np.array([1.0 if m in rel else 0.0 for m in list(row)[:10]])
        total += float((hits * discounts[:len(hits)]).sum()) / float(discounts[:min(len(rel), 10)].sum())
    return total / max(len(relevant), 1)


def relevant_of(d, train_rows, test_rows):
    catalogue = np.zeros(d.movies, dtype=bool)
    catalogue[d.m[train_rows]] = True
    keep = test_rows[(d.r[test_rows] >= LIKE) & catalogue[d.m[test_rows]]]
    rel = pd.Series(d.m[keep]).groupby(d.u[keep]).apply(set)
    return rel.index.to_numpy(), list(rel), catalogue


def seen_lists(d, rows):
    x = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (d.u[rows], d.m[rows])), shape=(d.users, d.movies))
    x.sum_duplicates()
    return x


def classifier_scores(d, ctx, model, users, catalogue, seen, threads, batch_rows=500_000):
    """Like-probability of every unseen catalogue movie of each user (users × movies, -inf elsewhere)."""
    cat = np.where(catalogue)[0]
    per = max(1, batch_rows // max(len(cat), 1))
    out = np.full((len(users), d.movies), -np.inf, dtype=np.float32)
    for s in range(0, len(users), per):
        us = users[s:s + per]
        uu = np.repeat(us, len(cat))
        mm = np.tile(cat, len(us))
        p = model.predict(xgb.DMatrix(ctx.features(d, uu, mm, np.full(len(uu), d.t.max()))))
        block = out[s:s + len(us)]
        block[:, cat] = p.reshape(len(us), len(cat))
        for i, u in enumerate(us):
            block[i, seen.indices[seen.indptr[u]:seen.indptr[u + 1]]] = -np.inf
    return out


def top10(scores):
    idx = np.argpartition(-scores, 10, axis=1)[:, :10]
    order = np.take_along_axis(scores, idx, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(idx, order, axis=1)


def fit_classifier(d, rows, seed, threads):
    x, _ = oof_features(d, rows, seed)
    model = train_booster("binary:logistic", x, (d.r[rows] >= LIKE).astype(np.float32), seed, threads)
    return model, Context(d, rows, seed)


def notebook_hybrid(d, rows, seed, threads, tuning_users=300):
    """Tunes (clustering, weight) on the validation slice of `rows` over `tuning_users` seeded users
    with a liked validation movie (MovieRec's default 300); returns (NDCG, clustering, weight)."""
    early, late = temporal_split(d, rows)
    users, rel, catalogue = relevant_of(d, early, late)
    if len(users) > tuning_users:
        pick = np.sort(np.random.default_rng(seed).choice(len(users), tuning_users, replace=False))
        users, rel = users[pick], [rel[i] for i in pick]
    model, ctx = fit_classifier(d, early, seed, threads)
    scores = classifier_scores(d, ctx, model, users, catalogue, seen_lists(d, early), threads)
    best = (-1.0, 0, 0.0)
    for c in range(2):
        affinity = ctx.clike[c][ctx.labels[c][users]]
        for w in NOTEBOOK_GRID:
            v = ndcg(top10(scores + w * affinity), rel)
            if v > best[0]:
                best = (v, c, w)
    return best


class StageOne:
    """Stage 1 of the two-stage hybrid on a set of ratings."""

    def __init__(self, d, rows, seed, threads):
        self.ctx = Context(d, rows, seed)
        self.als, self.seen = fit_als(d, rows, 32, 10, threads)
        likes = np.bincount(d.m[rows][d.r[rows] >= LIKE], minlength=d.movies).astype(np.float64)
        catalogue = np.zeros(d.movies, dtype=bool)
        catalogue[d.m[rows]] = True
        likes[~catalogue] = -1
        self.likes = likes
        self.popular = np.argsort(-likes, kind="stable")
        self.pop_rank = np.empty(d.movies, dtype=np.int64)
        self.pop_rank[self.popular] = np.arange(d.movies)
        self.cluster_order = [np.argsort(-self.ctx.clike[c], axis=1, kind="stable")[:, :400] for c in range(2)]

    def candidates(self, d, users):
        ids, scores = self.als.recommend(users, self.seen[users], N=min(150, d.movies), filter_already_liked_items=True)
        rows = []
        for i, u in enumerate(users):
            seen = set(self.seen.indices[self.seen.indptr[u]:self.seen.indptr[u + 1]])
            cand = {}
            for rank, (m, s) in enumerate(zip(ids[i], scores[i])):
                if m >= 0 and np.isfinite(s):
                    cand[int(m)] = [s, rank, 1]
            for c in range(2):
                added = 0
                for m in self.cluster_order[c][self.ctx.labels[c][u]]:
                    if added == 50:
                        break
                    if m in seen:
                        continue
                    added += 1
                    cand.setdefault(int(m), [0.0, -1, 0])[2] |= 2 << c
            added = 0
            for m in self.popular:
                if added == 50 or self.likes[m] < 0:
                    break
                if m in seen:
                    continue
                added += 1
                cand.setdefault(int(m), [0.0, -1, 0])[2] |= 8
            for m, (s, rank, flags) in cand.items():
                rows.append((u, m, s, rank, flags))
        return np.array(rows, dtype=np.float64).reshape(-1, 5)

    def features(self, d, cand):
        u, m = cand[:, 0].astype(np.int64), cand[:, 1].astype(np.int64)
        c = self.ctx
        cols = [cand[:, 2], cand[:, 3], np.log1p(np.maximum(self.likes[m], 0)), self.pop_rank[m]]
        for i in range(2):
            lab = c.labels[i][u]
            cols += [c.clike[i][lab, m], c.cmean[i][lab, m], c.craters[i][lab, m]]
        g = d.genre_dense[m]
        count = np.maximum(g.sum(axis=1), 1)
        best = np.where(g > 0, c.genre_dev[u], -np.inf).max(axis=1)
        best[~np.isfinite(best)] = np.nan  # movies without a genre: missing, as in MovieRec
        cols += [c.mn[m], c.movie_mean[m], c.movie_like[m], c.un[u], c.user_mean[u], c.user_like[u], d.years[m],
                 (c.genre_dev[u] * g).sum(axis=1) / count, best, (c.genre_share[u] * g).sum(axis=1) / count, cand[:, 4]]
        return np.column_stack(cols).astype(np.float32)


def two_stage(d, rows, seed, threads, evaluate_users=None, relevant=None, negative_rate=0.3):
    """Fits the two-stage hybrid on `rows`; with `evaluate_users`, returns its NDCG@10 for them."""
    early, late = temporal_split(d, rows)
    s1 = StageOne(d, early, seed, threads)
    vusers, vrel, _ = relevant_of(d, early, late)
    cand = s1.candidates(d, vusers)
    positive = {(u, m) for u, rel in zip(vusers, vrel) for m in rel}
    label = np.array([(int(u), int(m)) in positive for u, m in cand[:, :2]], dtype=np.float32)
    keep = (label == 1) | (np.random.default_rng(seed).random(len(label)) < negative_rate)
    model = train_booster("binary:logistic", s1.features(d, cand[keep]), label[keep], seed, threads, rounds=100, eta=0.1)
    final = StageOne(d, rows, seed, threads)
    if evaluate_users is None:
        return None
    cand = final.candidates(d, evaluate_users)
    margin = model.predict(xgb.DMatrix(final.features(d, cand)), output_margin=True)
    margin -= 0.25 * np.log1p(np.maximum(final.likes[cand[:, 1].astype(np.int64)], 0))
    frame = pd.DataFrame({"u": cand[:, 0].astype(np.int64), "m": cand[:, 1].astype(np.int64), "s": margin})
    frame = frame.sort_values(["u", "s"], ascending=[True, False], kind="stable")
    lists = frame.groupby("u")["m"].apply(lambda s: list(s[:10]))
    return ndcg([lists.get(u, []) for u in evaluate_users], relevant)


def tfidf_neighbours(d):
    docs = {mid: [] for mid in d.movie_ids}
    for mid, title, gs in zip(d.movies_frame["movieId"], d.movies_frame["title"], d.movies_frame["genres"]):
        docs[mid] += [g.lower() for g in gs.split("|") if g != "(no genres listed)"]
        docs[mid] += re.findall(r"\w\w+", re.sub(r"\s*\(\d{4}\)\s*$", "", title).lower())
    for mid, tag in zip(d.tags["movieId"], d.tags["tag"]):
        if mid in docs:
            docs[mid] += re.findall(r"\w\w+", str(tag).lower())
    x = TfidfVectorizer(analyzer=lambda doc: doc).fit_transform([docs[mid] for mid in d.movie_ids]).tocsr()
    for block in range(0, x.shape[0], 2048):
        sims = (x[block:block + 2048] @ x.T).toarray()
        np.argpartition(-sims, min(50, sims.shape[1] - 1), axis=1)


def cluster_quality(d, seed):
    ctx_rows = np.arange(len(d.r))
    u, m, r = d.u, d.m, d.r
    rated = sp.csr_matrix((r, (u, m)), shape=(d.users, d.movies))
    onehot = sp.csr_matrix((np.ones(len(u)), (u, m)), shape=(d.users, d.movies))
    counts = np.asarray((onehot @ d.genres).todense())
    sums = np.asarray((rated @ d.genres).todense())
    mean = np.asarray(rated.sum(axis=1)).ravel() / np.maximum(np.asarray(onehot.sum(axis=1)).ravel(), 1)
    genre_avg = np.where(counts > 0, sums / np.maximum(counts, 1), mean[:, None])
    centred = rated.astype(np.float32).tocsr()
    centred.data -= np.repeat(mean, np.diff(centred.indptr)).astype(np.float32)
    for x in (genre_avg.astype(np.float32), centred):
        if x.shape[0] > MINIBATCH_ABOVE:
            MiniBatchKMeans(n_clusters=8, n_init=3, batch_size=1024, random_state=seed).fit(x)
        else:
            KMeans(n_clusters=8, n_init=10, random_state=seed).fit(x)
    return len(ctx_rows)


def cross_validation(d, folds, seed, threads):
    order = np.random.default_rng(seed).permutation(len(d.r))
    fold_of = np.empty(len(d.r), dtype=np.int64)
    fold_of[order] = np.arange(len(d.r)) % folds
    like = (d.r >= LIKE).astype(np.float32)
    aucs, rmses = [], []
    for f in range(folds):
        tr, te = np.where(fold_of != f)[0], np.where(fold_of == f)[0]
        x_tr, x_te = oof_features(d, tr, seed + f, te)
        c = train_booster("binary:logistic", x_tr, like[tr], seed, threads)
        r = train_booster("reg:squarederror", x_tr, d.r[tr].astype(np.float32), seed, threads)
        dte = xgb.DMatrix(x_te)
        aucs.append(roc_auc_score(like[te], c.predict(dte)))
        rmses.append(float(np.sqrt(np.mean((d.r[te] - np.clip(r.predict(dte), 0.5, 5)) ** 2))))
    return float(np.mean(aucs)), float(np.mean(rmses))


def topn(d, seed, threads):
    train, test = temporal_split(d, np.arange(len(d.r)))
    users, rel, catalogue = relevant_of(d, train, test)
    seen = seen_lists(d, train)
    out = {}
    likes = np.bincount(d.m[train][d.r[train] >= LIKE], minlength=d.movies).astype(np.float64)
    likes[~catalogue] = -1
    pop = np.tile(likes, (len(users), 1))
    for i, u in enumerate(users):
        pop[i, seen.indices[seen.indptr[u]:seen.indptr[u + 1]]] = -np.inf
    out["popularity"] = ndcg(top10(pop), rel)
    del pop
    als, x = fit_als(d, train, 64, 15, threads)
    ids, _ = als.recommend(users, x[users], N=10, filter_already_liked_items=True)
    out["als"] = ndcg(ids, rel)
    # As MovieRec's TopNOptions.classifierUsers: the classifier and the notebook hybrid (which score
    # every catalogue movie) on a seeded sample of 50 evaluated users, the weight tuned on 50.
    model, ctx = fit_classifier(d, train, seed, threads)
    pick = np.sort(np.random.default_rng(seed).choice(len(users), min(50, len(users)), replace=False))
    cu, crel = users[pick], [rel[i] for i in pick]
    scores = classifier_scores(d, ctx, model, cu, catalogue, seen, threads)
    out["classifier"] = ndcg(top10(scores), crel)
    _, c, w = notebook_hybrid(d, train, seed, threads, tuning_users=50)
    out["notebook_hybrid"] = ndcg(top10(scores + w * ctx.clike[c][ctx.labels[c][cu]]), crel)
    del scores
    out["hybrid"] = two_stage(d, train, seed, threads, users, rel)
    return out


def run(directory, folds, seed, threads):
    clock = Clock()
    d = clock("load", Data, directory, seed)
    everything = np.arange(len(d.r))
    n = len(d.r)
    # train (as `movierec train`)
    x, rows = clock("train: features", training_rows, d, seed)
    clock("train: classifier + regressor", lambda: (
        train_booster("binary:logistic", x, (d.r[rows] >= LIKE).astype(np.float32), seed, threads),
        train_booster("reg:squarederror", x, d.r[rows].astype(np.float32), seed, threads)))
    del x, rows
    clock("train: similar movies (TF-IDF)", tfidf_neighbours, d)
    clock("train: ALS", fit_als, d, everything, 64, 15, threads)
    rate = 0.3 * min(1.0, HYBRID_NEGATIVE_RATINGS / n)
    clock("train: two-stage hybrid", two_stage, d, everything, seed, threads, negative_rate=rate)
    # The notebook hybrid pairs the tuned weight with the classifier trained above (as MovieRec's `train`),
    # tuned on whole users holding ~1M ratings above that size.
    def notebook():
        t = d if n <= NOTEBOOK_TUNING_RATINGS else d.subset(d.users_holding(NOTEBOOK_TUNING_RATINGS, seed))
        return notebook_hybrid(t, np.arange(len(t.r)), seed, threads)
    clock("train: notebook hybrid", notebook)
    # evaluate (as `movierec evaluate`): on whole users holding ~1M ratings above 2M ratings.
    e = clock("evaluate: user sample", lambda: d if n <= SAMPLE_ABOVE else d.subset(d.users_holding(SAMPLE_TARGET, seed)))
    auc, rmse = clock("evaluate: cv", cross_validation, e, folds, seed, threads)
    clock("evaluate: clusters", cluster_quality, e, seed)
    ndcgs = clock("evaluate: topn", topn, e, seed, threads)
    return {"stages": clock.stages, "quality": {"auc": auc, "rmse": rmse, **{f"ndcg_{k}": v for k, v in ndcgs.items()}},
            "differences": DIFFERENCES, "ratings": int(n), "users": d.users, "movies": d.movies,
            "evaluated_ratings": int(len(e.r))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the result here (default: stdout)")
    a = ap.parse_args()
    result = run(a.data, a.folds, a.seed, a.threads)
    text = json.dumps(result, indent=1)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
