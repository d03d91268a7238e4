#!/usr/bin/env python3
"""Check that `movierec boost train --export-xgboost` writes JSON that XGBoost loads and that
XGBoost predicts the same values as `movierec boost predict` (max |diff| <= 1e-5).

Usage: python3 Benchmarks/peers/boost_export_check.py [--movierec .build/release/movierec] [--rows 20000]

Generates a synthetic table with missing values (numpy, seeded), writes train/test CSVs, trains
with several parameter sets (logistic and squared error, depth-wise and loss-guided, L1/L2,
subsampling), and compares predictions. Exits non-zero on any mismatch.
"""
import argparse, os, subprocess, sys, tempfile
import numpy as np
import xgboost as xgb


def make(rows, cols, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols)).astype(np.float32)
    X[:, 3] = np.round(X[:, 3] * 2)          # few distinct values
    X[rng.random((rows, cols)) < 0.05] = np.nan
    Z = np.nan_to_num(X, nan=0.3)
    s = 1.2 * Z[:, 0] - Z[:, 1] * Z[:, 2] + np.sin(2 * Z[:, 4]) + 0.5 * (Z[:, 3] > 0) + rng.normal(scale=0.8, size=rows)
    return X, s.astype(np.float32)


def write_csv(path, X, y):
    cols = X.shape[1]
    with open(path, "w") as f:
        f.write(",".join([f"x{j}" for j in range(cols)] + ["y"]) + "\n")
        for row, label in zip(X, y):
            f.write(",".join("" if np.isnan(v) else "%.9g" % v for v in row) + ",%.9g\n" % label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--rows", type=int, default=20000)
    args = ap.parse_args()
    cols = 8
    X, s = make(args.rows, cols, 1)
    Xt, st = make(args.rows // 4, cols, 2)
    cases = [
        ("binary:logistic", (s > 0.3).astype(np.float32), (st > 0.3).astype(np.float32), []),
        ("binary:logistic", (s > 0.3).astype(np.float32), (st > 0.3).astype(np.float32),
         ["--max-leaves", "15", "--max-depth", "0", "--alpha", "0.5", "--lambda", "3", "--subsample", "0.7", "--colsample", "0.6"]),
        ("reg:squarederror", s, st, ["--max-depth", "4", "--gamma", "0.5", "--min-child-weight", "5", "--max-bin", "32"]),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        for k, (obj, y, yt, extra) in enumerate(cases):
            tr, te = os.path.join(d, f"train{k}.csv"), os.path.join(d, f"test{k}.csv")
            write_csv(tr, X, y)
            write_csv(te, Xt, yt)
            model, js, preds = (os.path.join(d, n) for n in (f"m{k}.mrgb", f"m{k}.json", f"p{k}.txt"))
            cmd = [args.movierec, "boost", "train", "--data", tr, "--label", "y", "--objective", obj, "--rounds", "30",
                   "--out", model, "--export-xgboost", js, "--json", "--threads", "2"] + extra
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.movierec, "boost", "predict", "--model", model, "--data", te, "--out", preds],
                           check=True, stderr=subprocess.DEVNULL)
            ours = np.loadtxt(preds, dtype=np.float64)
            booster = xgb.Booster(model_file=js)
            test = np.genfromtxt(te, delimiter=",", skip_header=1, dtype=np.float32, missing_values="", filling_values=np.nan)
            theirs = booster.predict(xgb.DMatrix(test[:, :cols], missing=np.nan, feature_names=[f"x{j}" for j in range(cols)]))
            inplace = booster.inplace_predict(test[:, :cols], validate_features=False)
            diff = float(np.max(np.abs(ours - theirs)))
            diff2 = float(np.max(np.abs(ours - inplace)))
            ok = diff <= 1e-5 and diff2 <= 1e-5
            failures += 0 if ok else 1
            print(f"{'OK  ' if ok else 'FAIL'} {obj:18s} {' '.join(extra) or '(defaults)':80s} "
                  f"trees={booster.num_boosted_rounds()} max|ours-xgb|={diff:.2e} (inplace {diff2:.2e})")
    print(f"xgboost {xgb.__version__}; {len(cases) - failures}/{len(cases)} cases agree to 1e-5")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
