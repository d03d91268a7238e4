#!/usr/bin/env python3
"""TF-IDF similar movies: movierec vs scikit-learn TfidfVectorizer + cosine similarity.

Both build the same documents from ml-latest-small with the SAME tokenisation (a custom
analyzer here, mirroring movierec's MovieDocuments / WordTokenizer):
  - genres: one token per genre, lower-cased, whitespace runs -> "_" ("Sci-Fi" -> "sci-fi");
    "(no genres listed)" gives none;
  - title words: the title without its trailing "(YYYY)", lower-cased, regex (?u)\\b\\w\\w+\\b;
  - tags: each tag application's text, same regex.
Then smooth idf, raw tf (or --sublinear-tf), L2 rows; top-k by cosine, positive scores only,
ties by movie id, a movie never its own neighbour. scikit-learn's cosine top-k runs in row
blocks (cosine_similarity of a block against all rows, dense), never the full n x n matrix.

Prints: lists identical, lists equal up to ties (scores within 1e-6), differing; timings
(documents -> top-k lists) of both backends and the speed ratio; /proc/loadavg.

Usage: python3 Benchmarks/peers/tfidf_vs_sklearn.py [--data ../shared/data/ml-latest-small]
       [--bin .build/release/movierec] [--top 10] [--sublinear-tf]
"""
import argparse, csv, json, os, re, subprocess, sys, tempfile, time
from collections import defaultdict

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

WORD = re.compile(r"(?u)\b\w\w+\b")
YEAR = re.compile(r"\s*\((\d{4})[-–\d]*\)\s*$")


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def read_movies_and_tags(data):
    """(movieId, title, genres) sorted by id, and each movie's raw tags (tags.csv when present)."""
    movies = []
    with open(os.path.join(data, "movies.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            movies.append((int(row["movieId"]), row["title"], row["genres"]))
    movies.sort()
    tags = defaultdict(list)
    path = os.path.join(data, "tags.csv")
    if os.path.exists(path):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                tags[int(row["movieId"])].append(row["tag"])
    return movies, tags


def tokenise(movies, tags):
    """MovieRec's documents: one token per genre, title words without the year, tag words."""
    ids, docs = [], []
    for mid, title, genres in movies:
        toks = []
        if genres != "(no genres listed)":
            for g in genres.split("|"):
                g = "_".join(g.lower().split())
                if g:
                    toks.append(g)
        toks += WORD.findall(YEAR.sub("", title.rstrip()).lower())
        for t in tags.get(mid, []):
            toks += WORD.findall(t.lower())
        ids.append(mid)
        docs.append(toks)
    return ids, docs


def documents(data):
    ids, docs = tokenise(*read_movies_and_tags(data))
    return np.array(ids), docs


def sklearn_topk(ids, docs, top, sublinear):
    vec = TfidfVectorizer(analyzer=lambda d: d, smooth_idf=True, sublinear_tf=sublinear)
    x = vec.fit_transform(docs)
    n = x.shape[0]
    lists = {}
    block = 1000
    for r0 in range(0, n, block):
        s = cosine_similarity(x[r0:r0 + block], x)
        for r in range(s.shape[0]):
            i = r0 + r
            row = s[r]
            row[i] = 0.0
            cand = np.nonzero(row > 1e-12)[0]
            if len(cand) > top:
                # keep everything scoring at least the top-th best (ties included), then sort
                kth = np.partition(row[cand], len(cand) - top)[len(cand) - top]
                cand = cand[row[cand] >= kth]
            order = sorted(cand, key=lambda j: (-row[j], ids[j]))[:top]
            lists[int(ids[i])] = [(int(ids[j]), float(row[j])) for j in order]
    return lists, len(vec.vocabulary_)


def ours_topk(binary, data, top, backend, sublinear, threads):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "all.jsonl")
        cmd = [binary, "similar", "--data", data, "--all-to", out, "--top", str(top), "--backend", backend, "--json"]
        if sublinear:
            cmd.append("--sublinear-tf")
        if threads:
            cmd += ["--threads", str(threads)]
        res = subprocess.run(cmd, check=True, capture_output=True, text=True)
        meta = json.loads(res.stdout)
        lists = {}
        with open(out) as f:
            for line in f:
                o = json.loads(line)
                lists[o["movieId"]] = [(int(a), float(b)) for a, b in o["neighbours"]]
    return lists, meta


def compare(ours, theirs):
    identical = ties = differ = 0
    examples = []
    for mid, sk in theirs.items():
        our = ours.get(mid)
        if our is None:
            differ += 1
            examples.append((mid, "missing in movierec"))
            continue
        if [a for a, _ in our] == [a for a, _ in sk]:
            identical += 1
            continue
        # Equal up to ties: same length, same scores position by position (within 1e-6), and
        # the ids differ only where scores tie with the boundary.
        if len(our) == len(sk) and all(abs(a[1] - b[1]) < 1e-6 for a, b in zip(our, sk)):
            ties += 1
        else:
            differ += 1
            if len(examples) < 5:
                examples.append((mid, f"ours {our[:4]} vs sklearn {sk[:4]}"))
    return identical, ties, differ, examples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("MOVIEREC_BIN", ".build/release/movierec"))
    ap.add_argument("--data", default="../shared/data/ml-latest-small")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--sublinear-tf", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    print(f"loadavg before: {loadavg()}")
    ids, docs = documents(args.data)
    t0, c0 = time.perf_counter(), time.process_time()
    theirs, vocab = sklearn_topk(ids, docs, args.top, args.sublinear_tf)
    sk_time, sk_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"scikit-learn: {len(ids)} movies, vocabulary {vocab}, TfidfVectorizer + blocked cosine top-{args.top}: "
          f"{sk_time:.3f} s (CPU {sk_cpu:.3f} s)")
    for backend in ("blas", "swift"):
        ours, meta = ours_topk(args.bin, args.data, args.top, backend, args.sublinear_tf, args.threads)
        same, ties, differ, ex = compare(ours, theirs)
        print(f"movierec ({backend}): {meta['movies']} movies, vocabulary {meta['vocabulary']}, {meta['seconds']:.3f} s "
              f"(CPU {meta.get('cpuSeconds', float('nan')):.3f} s) -> {sk_time / meta['seconds']:.1f}x faster (wall); "
              f"lists identical {same}/{len(theirs)}, "
              f"equal up to ties {ties}, different {differ}")
        for e in ex:
            print("   ", e)
    print(f"loadavg after: {loadavg()}")


if __name__ == "__main__":
    sys.exit(main())
