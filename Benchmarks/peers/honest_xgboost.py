#!/usr/bin/env python3
"""Train XGBoost on exactly the features MovieRec trains on, fold by fold.

    python3 Benchmarks/peers/honest_xgboost.py --movierec .build/release/movierec \
        --data ../shared/data/ml-latest-small [--folds 5] [--seed 42] [--threads 2] [--json]

For each fold K it runs `movierec features export --data D --fold K --folds F --seed S --out DIR`
(leak-free features: training rows' statistics are out-of-fold, test rows' come from the
training folds only), then fits an XGBoost classifier (like = rating >= 4) and regressor with
the same hyper-parameters as `movierec evaluate` (hist trees, depth 6, eta 0.2, 60 rounds, max_bin 64,
min_child_weight 5, 80% row and column sampling), and prints AUC / logloss / accuracy and
RMSE / MAE per fold and their mean, so the two engines are compared on identical inputs.
Pass --features-dir to reuse already exported folds (DIR/fold<K>/{train,test}.csv).

Unless --xgboost-only, it also runs `movierec evaluate --data D --stages cv --folds F --seed S
--json` (the same folds and features; MovieRec's own CV, whose GBDT uses the same parameters)
and prints a per-fold table of AUC and RMSE of both engines and their differences (goal:
|mean diff| <= 0.002). Row and column sampling draw different rows/columns in the two engines
(different generators), so part of any per-fold difference is sampling noise: --xgb-seeds N
trains XGBoost with N seeds per fold and prints the spread of its own means as a yardstick.
XGBoost is a comparison peer only, never a MovieRec dependency.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, mean_squared_error, roc_auc_score


ETA = 0.2  # as EvaluationOptions.defaultClassifier (60 rounds, eta 0.2, 64 bins)
MAX_BIN = 64


def params(objective, seed, threads):
    return {
        "objective": objective, "tree_method": "hist", "max_depth": 6, "eta": ETA, "min_child_weight": 5,
        "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1.0, "max_bin": MAX_BIN, "seed": seed, "nthread": threads,
    }


def load(path):
    frame = pd.read_csv(path)
    return frame.drop(columns=["like", "rating"]).to_numpy(np.float32), frame["like"].to_numpy(), frame["rating"].to_numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--data", required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--features-dir", help="reuse/keep exported folds here (default: a temporary directory)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--xgboost-only", action="store_true", help="skip MovieRec's own CV")
    ap.add_argument("--xgb-seeds", type=int, default=1, help="XGBoost seeds per fold (spread = sampling noise)")
    args = ap.parse_args()

    base = args.features_dir or tempfile.mkdtemp(prefix="movierec-features-")
    rows = []
    per_seed = {}
    timing = {"export": 0.0, "classifier": 0.0, "regressor": 0.0}
    for k in range(1, args.folds + 1):
        out = os.path.join(base, f"fold{k}")
        if not (os.path.exists(os.path.join(out, "train.csv")) and os.path.exists(os.path.join(out, "test.csv"))):
            t = time.time()
            subprocess.run([args.movierec, "features", "export", "--data", args.data, "--fold", str(k),
                            "--folds", str(args.folds), "--seed", str(args.seed), "--threads", str(args.threads),
                            "--out", out], check=True, stdout=subprocess.DEVNULL)
            timing["export"] += time.time() - t
        xtr, ltr, rtr = load(os.path.join(out, "train.csv"))
        xte, lte, rte = load(os.path.join(out, "test.csv"))
        dtr_like, dtr_rating, dte = xgb.DMatrix(xtr, label=ltr), xgb.DMatrix(xtr, label=rtr), xgb.DMatrix(xte)
        for j in range(args.xgb_seeds):
            seed = args.seed + k - 1 + 1000 * j
            t = time.time()
            clf = xgb.train(params("binary:logistic", seed, args.threads), dtr_like, args.rounds)
            p = clf.predict(dte)
            timing["classifier"] += time.time() - t
            t = time.time()
            reg = xgb.train(params("reg:squarederror", seed, args.threads), dtr_rating, args.rounds)
            r = np.clip(reg.predict(dte), rtr.min(), rtr.max())
            timing["regressor"] += time.time() - t
            one = {"auc": roc_auc_score(lte, p), "logloss": log_loss(lte, np.clip(p, 1e-15, 1 - 1e-15)),
                   "accuracy": accuracy_score(lte, p >= 0.5), "rmse": float(np.sqrt(mean_squared_error(rte, r))),
                   "mae": mean_absolute_error(rte, r)}
            per_seed.setdefault(j, []).append(one)
            if j == 0:
                row = one
        rows.append(row)
        if not args.json:
            print(f"fold {k}: " + "  ".join(f"{m} {v:.4f}" for m, v in row.items()), file=sys.stderr)
    summary = {m: {"mean": float(np.mean([r[m] for r in rows])), "std": float(np.std([r[m] for r in rows], ddof=1)),
                   "folds": [float(r[m]) for r in rows]} for m in rows[0]}
    seed_means = {m: [float(np.mean([r[m] for r in rs])) for rs in per_seed.values()] for m in ("auc", "rmse")}
    ours = None
    if not args.xgboost_only:
        t = time.time()
        run = subprocess.run([args.movierec, "evaluate", "--data", args.data, "--stages", "cv", "--folds", str(args.folds),
                              "--seed", str(args.seed), "--threads", str(args.threads), "--json", "--quiet"],
                             check=True, capture_output=True, text=True)
        timing["movierec_cv"] = time.time() - t
        doc = json.loads(run.stdout)
        ours = {"auc": doc["classifier"]["auc"]["folds"], "rmse": doc["regressor"]["rmse"]["folds"]}
    if args.json:
        out = {"xgboost": summary, "xgboost_seed_means": seed_means, "seconds": timing}
        if ours:
            out["movierec"] = ours
        print(json.dumps(out, indent=2))
        return
    print("xgboost on MovieRec features: " + "  ".join(f"{m} {s['mean']:.4f}±{s['std']:.4f}" for m, s in summary.items()))
    if args.xgb_seeds > 1:
        print(f"xgboost mean over folds for {args.xgb_seeds} seeds: AUC " + ", ".join(f"{x:.4f}" for x in seed_means["auc"])
              + "; RMSE " + ", ".join(f"{x:.4f}" for x in seed_means["rmse"]))
    print("seconds: " + "  ".join(f"{k} {v:.2f}" for k, v in timing.items()))
    if ours:
        print(f"\n{args.data}, {args.folds} folds, seed {args.seed}, xgboost {xgb.__version__}")
        print("| fold | AUC movierec | AUC xgboost | diff | RMSE movierec | RMSE xgboost | diff |")
        print("|---|---|---|---|---|---|---|")
        for k, r in enumerate(rows):
            print(f"| {k + 1} | {ours['auc'][k]:.4f} | {r['auc']:.4f} | {ours['auc'][k] - r['auc']:+.4f} | "
                  f"{ours['rmse'][k]:.4f} | {r['rmse']:.4f} | {ours['rmse'][k] - r['rmse']:+.4f} |")
        ma, xa = float(np.mean(ours["auc"])), summary["auc"]["mean"]
        mr, xr = float(np.mean(ours["rmse"])), summary["rmse"]["mean"]
        print(f"| mean | {ma:.4f} | {xa:.4f} | {ma - xa:+.4f} | {mr:.4f} | {xr:.4f} | {mr - xr:+.4f} |")


if __name__ == "__main__":
    main()
