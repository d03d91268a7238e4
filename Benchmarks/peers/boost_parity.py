#!/usr/bin/env python3
"""Accuracy parity of MovieRec's boosted trees with XGBoost (tree_method=hist), over several seeds.

Usage:
  python3 Benchmarks/peers/boost_parity.py [--movierec .build/release/movierec]
      [--seeds 1,2,3,4,5] [--rows 250000] [--test-rows 200000] [--rounds 100] [--depth 6]
      [--eta 0.3] [--threads 2] [--work DIR] [--json]

For every seed s it draws the synthetic table of boost_vs_xgboost.py (`make`: train with seed s,
test with seed s + 1000), trains MovieRec (`movierec boost train`) and XGBoost 3.x with the same
parameters (eta, max_depth, max_bin 256, lambda 1, min_child_weight 1, rounds), for
binary:logistic (label s > 0.5) and reg:squarederror (label s), and prints test AUC and RMSE of
both and their difference (goal: |diff| <= 0.002). As a yardstick of how much two equally valid
histogram trainers differ it also trains XGBoost with max_bin 255: one bin less moves the test
RMSE by about as much as any implementation detail does, so a single seed proves little; the
mean difference over seeds shows a systematic gap, if any.
"""
import argparse, json, os, subprocess, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from boost_vs_xgboost import make, write_csv, auc, rmse, loadavg  # noqa: E402


def ours(args, train, test, obj, tag):
    model = os.path.join(args.work, f"parity-{tag}.mrgb")
    preds = os.path.join(args.work, f"parity-{tag}-preds.txt")
    subprocess.run([args.movierec, "boost", "train", "--data", train, "--label", "y", "--objective", obj,
                    "--rounds", str(args.rounds), "--max-depth", str(args.depth), "--eta", str(args.eta),
                    "--max-bin", "256", "--threads", str(args.threads), "--out", model, "--json"],
                   check=True, capture_output=True, text=True)
    subprocess.run([args.movierec, "boost", "predict", "--model", model, "--data", test, "--out", preds,
                    "--threads", str(args.threads)], check=True, capture_output=True, text=True)
    return np.loadtxt(preds, dtype=np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--rows", type=int, default=250_000)
    ap.add_argument("--test-rows", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default="/tmp/movierec-boost-parity")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import xgboost as xgb

    os.makedirs(args.work, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    base = {"eta": args.eta, "max_depth": args.depth, "lambda": 1, "min_child_weight": 1,
            "tree_method": "hist", "nthread": args.threads}
    results = []
    print(f"loadavg before: {loadavg()}", file=sys.stderr)
    for seed in seeds:
        X, s = make(args.rows, 30, seed)
        Xt, st = make(args.test_rows, 30, seed + 1000)
        row = {"seed": seed}
        for obj, y, yt, metric in (("binary:logistic", (s > 0.5).astype(np.float32), (st > 0.5).astype(np.float32), auc),
                                   ("reg:squarederror", s, st, rmse)):
            short = "auc" if obj.startswith("binary") else "rmse"
            tag = f"{short}-{seed}-{args.rows}"
            train, test = os.path.join(args.work, f"train-{tag}.csv"), os.path.join(args.work, f"test-{tag}.csv")
            if not os.path.exists(train):
                write_csv(train, X, y)
            if not os.path.exists(test):
                write_csv(test, Xt, yt)
            row[f"{short}_ours"] = metric(yt, ours(args, train, test, obj, tag))
            d = xgb.DMatrix(X, label=y, nthread=args.threads)
            for mb in (256, 255):
                b = xgb.train({**base, "objective": obj, "max_bin": mb}, d, args.rounds)
                row[f"{short}_xgb{mb}"] = metric(yt, b.inplace_predict(Xt))
            print(f"seed {seed} {short}: ours {row[f'{short}_ours']:.4f} xgboost {row[f'{short}_xgb256']:.4f} "
                  f"(max_bin 255: {row[f'{short}_xgb255']:.4f})", file=sys.stderr)
        results.append(row)
    print(f"loadavg after: {loadavg()}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"xgboost {xgb.__version__}; {args.rows} train / {args.test_rows} test rows x 30, {args.rounds} rounds, "
          f"depth {args.depth}, eta {args.eta}, max_bin 256")
    print("| seed | AUC ours | AUC xgboost | diff | RMSE ours | RMSE xgboost | diff | RMSE xgboost max_bin 255 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['seed']} | {r['auc_ours']:.4f} | {r['auc_xgb256']:.4f} | {r['auc_ours'] - r['auc_xgb256']:+.4f} | "
              f"{r['rmse_ours']:.4f} | {r['rmse_xgb256']:.4f} | {r['rmse_ours'] - r['rmse_xgb256']:+.4f} | "
              f"{r['rmse_xgb255']:.4f} |")
    da = np.array([r["auc_ours"] - r["auc_xgb256"] for r in results])
    dr = np.array([r["rmse_ours"] - r["rmse_xgb256"] for r in results])
    dr255 = np.array([r["rmse_xgb255"] - r["rmse_xgb256"] for r in results])
    print(f"| mean | | | {da.mean():+.4f} | | | {dr.mean():+.4f} | xgb255 - xgb256: {dr255.mean():+.4f} |")
    print(f"max |AUC diff| {np.abs(da).max():.4f}, max |RMSE diff| {np.abs(dr).max():.4f} (goal <= 0.002); "
          f"XGBoost's own max_bin 255 vs 256: max |RMSE diff| {np.abs(dr255).max():.4f}")


if __name__ == "__main__":
    main()
