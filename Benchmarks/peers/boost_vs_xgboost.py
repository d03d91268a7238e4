#!/usr/bin/env python3
"""MovieRec's boosted trees vs XGBoost (tree_method=hist) and LightGBM on the same data.

Usage:
  python3 Benchmarks/peers/boost_vs_xgboost.py [--movierec .build/release/movierec]
      [--rows 1000000] [--cols 30] [--rounds 100] [--depth 6] [--threads 2] [--work DIR]
      [--skip-lightgbm] [--skip-regression]

Generates a dense synthetic table with numpy (seeded; float32 written as %.9g so every tool sees
bit-identical values), writes CSVs for MovieRec, and then, with the same parameters
(eta 0.3, max_depth, max_bin 256, lambda 1, min_child_weight 1, rounds), measures:
  * training time with --threads (MovieRec: `train_seconds` = sketch + binning + boosting,
    without CSV parsing; XGBoost: xgb.train on a DMatrix, which also sketches and bins inside;
    LightGBM num_leaves 63: lgb.train incl. Dataset construction),
  * test AUC (binary:logistic) and test RMSE (reg:squarederror; on a quarter of the rows),
  * prediction throughput on the test set (MovieRec `boost predict`, prediction alone; XGBoost
    `inplace_predict` on a float32 numpy array; medians of 3), and at the serving shape: the
    first --serve-rows test rows (9,742 = one user's candidate movies in ml-latest-small) on one
    thread, median of 20 (MovieRec column-major and `--row-major`),
and prints ratios plus /proc/loadavg before and after (the box is shared: high load = noisy; the
CPU seconds of all threads are printed too, as they depend less on the load — OpenMP spin-waiting
inflates XGBoost's and LightGBM's under contention).
"""
import argparse, json, os, re, subprocess, time
import numpy as np


def loadavg():
    try:
        return open("/proc/loadavg").read().strip()
    except OSError:
        return "n/a"


def make(rows, cols, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols)).astype(np.float32)
    X[:, 5] = np.round(X[:, 5] * 3).astype(np.float32)
    s = (1.0 * X[:, 0] - 0.8 * X[:, 1] * X[:, 2] + np.sin(2 * X[:, 3]) + 0.6 * (X[:, 4] > 0.5)
         + 0.3 * X[:, 5] + 0.5 * np.abs(X[:, 6]) - 0.4 * X[:, 7] * (X[:, 8] > 0) + rng.normal(scale=1.0, size=rows))
    return X, s.astype(np.float32)


def write_csv(path, X, y):
    # Fast enough for 1M rows: format the whole block with numpy, one row per line.
    cols = X.shape[1]
    header = ",".join([f"x{j}" for j in range(cols)] + ["y"])
    data = np.column_stack([X, y]).astype(np.float32)
    np.savetxt(path, data, delimiter=",", fmt="%.9g", header=header, comments="")


def auc(y, p):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(y, p)


def rmse(y, p):
    return float(np.sqrt(np.mean((np.asarray(p, np.float64) - y) ** 2)))


def ours_train(args, train, valid_metric, obj, out):
    cmd = [args.movierec, "boost", "train", "--data", train, "--label", "y", "--objective", obj,
           "--rounds", str(args.rounds), "--max-depth", str(args.depth), "--max-bin", "256",
           "--threads", str(args.threads), "--out", out, "--json"]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def ours_predict(args, model, data, out, threads=None, repeat=3, row_major=False):
    cmd = [args.movierec, "boost", "predict", "--model", model, "--data", data, "--out", out,
           "--threads", str(threads or args.threads), "--repeat", str(repeat)]
    r = subprocess.run(cmd + (["--row-major"] if row_major else []), check=True, capture_output=True, text=True)
    secs = float(re.search(r"([0-9.]+) s\)", r.stderr).group(1))
    return np.loadtxt(out, dtype=np.float64), secs


def median_seconds(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--movierec", default=".build/release/movierec")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default="/tmp/movierec-boost-bench")
    ap.add_argument("--skip-lightgbm", action="store_true")
    ap.add_argument("--skip-regression", action="store_true")
    ap.add_argument("--serve-rows", type=int, default=9742, help="rows of the one-thread serving-shape prediction")
    args = ap.parse_args()
    import xgboost as xgb

    os.makedirs(args.work, exist_ok=True)
    tag = f"{args.rows}x{args.cols}"
    X, s = make(args.rows, args.cols, 1)
    Xt, st = make(max(1000, args.rows // 5), args.cols, 2)
    yb, ytb = (s > 0.5).astype(np.float32), (st > 0.5).astype(np.float32)
    paths = {k: os.path.join(args.work, f"{k}-{tag}.csv") for k in ("train-bin", "test-bin", "train-reg", "test-reg")}
    nreg = args.rows // 4
    t0 = time.time()
    for key, (A, b) in {"train-bin": (X, yb), "test-bin": (Xt, ytb), "train-reg": (X[:nreg], s[:nreg]), "test-reg": (Xt, st)}.items():
        if not os.path.exists(paths[key]):
            write_csv(paths[key], A, b)
    print(f"data: train {args.rows}x{args.cols}, test {len(Xt)}x{args.cols} (CSV ready in {time.time() - t0:.1f} s)")
    print(f"loadavg before: {loadavg()}")

    params = {"eta": 0.3, "max_depth": args.depth, "max_bin": 256, "lambda": 1, "min_child_weight": 1,
              "tree_method": "hist", "nthread": args.threads}
    rows = []

    # --- binary:logistic ---
    model = os.path.join(args.work, "ours-bin.mrgb")
    o = ours_train(args, paths["train-bin"], "auc", "binary:logistic", model)
    po, o_pred_s = ours_predict(args, model, paths["test-bin"], os.path.join(args.work, "ours-bin-preds.txt"))
    d = xgb.DMatrix(X, label=yb, nthread=args.threads)
    t, c = time.time(), time.process_time()
    b = xgb.train({**params, "objective": "binary:logistic"}, d, args.rounds)
    x_train_s, x_train_cpu = time.time() - t, time.process_time() - c
    b.inplace_predict(Xt[:1000])  # warm-up
    px = b.inplace_predict(Xt)
    x_pred_s = median_seconds(lambda: b.inplace_predict(Xt), 3)
    # Serving shape: one user's ~9.7k candidate movies (ml-latest-small), one thread, median of 20.
    serve_rows = min(args.serve_rows, len(Xt))
    serve_csv = os.path.join(args.work, f"serve-{serve_rows}x{args.cols}.csv")
    if not os.path.exists(serve_csv):
        write_csv(serve_csv, Xt[:serve_rows], ytb[:serve_rows])
    serve_out = os.path.join(args.work, "ours-serve-preds.txt")
    _, o_serve_col = ours_predict(args, model, serve_csv, serve_out, threads=1, repeat=20)
    ps, o_serve_row = ours_predict(args, model, serve_csv, serve_out, threads=1, repeat=20, row_major=True)
    b.set_param({"nthread": 1})
    Xs = np.ascontiguousarray(Xt[:serve_rows])
    x_serve = median_seconds(lambda: b.inplace_predict(Xs), 20)
    serve_same = bool(np.allclose(ps, po[:serve_rows], rtol=0, atol=1e-6))  # row-major path = batch path
    b.set_param({"nthread": args.threads})
    auc_o, auc_x = auc(ytb, po), auc(ytb, px)
    rows.append(("logistic train s (wall)", o["train_seconds"], x_train_s))
    rows.append(("logistic train CPU s (all threads)", o["train_cpu_seconds"], x_train_cpu))
    rows.append(("logistic test AUC", auc_o, auc_x))
    rows.append((f"predict s ({len(Xt)} rows, {args.threads} thr)", o_pred_s, x_pred_s))
    rows.append((f"predict ms ({serve_rows} rows, 1 thr, col-major)", o_serve_col * 1e3, x_serve * 1e3))
    rows.append((f"predict ms ({serve_rows} rows, 1 thr, row-major)", o_serve_row * 1e3, x_serve * 1e3))
    lgb_line = None
    if not args.skip_lightgbm:
        import lightgbm as lgb
        t, c = time.time(), time.process_time()
        ld = lgb.Dataset(X, label=yb, params={"max_bin": 255, "verbose": -1})
        lb = lgb.train({"objective": "binary", "learning_rate": 0.3, "num_leaves": 63, "max_bin": 255,
                        "lambda_l2": 1.0, "min_sum_hessian_in_leaf": 1.0, "min_data_in_leaf": 1,
                        "num_threads": args.threads, "verbose": -1, "deterministic": True}, ld, args.rounds)
        l_train_s, l_cpu = time.time() - t, time.process_time() - c
        lgb_line = (l_train_s, auc(ytb, lb.predict(Xt, num_threads=args.threads)), l_cpu)

    # --- reg:squarederror (a quarter of the rows) ---
    if not args.skip_regression:
        model = os.path.join(args.work, "ours-reg.mrgb")
        o2 = ours_train(args, paths["train-reg"], "rmse", "reg:squarederror", model)
        po2, _ = ours_predict(args, model, paths["test-reg"], os.path.join(args.work, "ours-reg-preds.txt"))
        t, c = time.time(), time.process_time()
        b2 = xgb.train({**params, "objective": "reg:squarederror"}, xgb.DMatrix(X[:nreg], label=s[:nreg], nthread=args.threads), args.rounds)
        x2, x2c = time.time() - t, time.process_time() - c
        px2 = b2.inplace_predict(Xt)
        rows.append((f"regression train s ({nreg} rows)", o2["train_seconds"], x2))
        rows.append(("regression train CPU s", o2["train_cpu_seconds"], x2c))
        rows.append(("regression test RMSE", rmse(st, po2), rmse(st, px2)))

    print(f"loadavg after:  {loadavg()}")
    print(f"xgboost {xgb.__version__}, threads {args.threads}, rounds {args.rounds}, depth {args.depth}, max_bin 256")
    print(f"{'measure':34s} {'movierec':>12s} {'xgboost':>12s} {'ratio':>8s}")
    for name, a, bb in rows:
        print(f"{name:34s} {a:12.4f} {bb:12.4f} {a / bb if bb else float('nan'):8.3f}")
    print(f"prediction throughput: movierec {len(Xt) / o_pred_s / 1e6:.2f} M rows/s, xgboost inplace {len(Xt) / x_pred_s / 1e6:.2f} M rows/s")
    print(f"serving shape ({serve_rows} rows, 1 thread): movierec row-major {o_serve_row * 1e3:.2f} ms, column-major "
          f"{o_serve_col * 1e3:.2f} ms, xgboost inplace_predict {x_serve * 1e3:.2f} ms; row-major predictions = batch: {serve_same}")
    print(f"|AUC diff| = {abs(auc_o - auc_x):.5f} (goal <= 0.002)")
    if not args.skip_regression:
        print(f"|RMSE diff| = {abs(rows[-1][1] - rows[-1][2]):.5f} (goal <= 0.002)")
    if lgb_line:
        print(f"lightgbm (num_leaves 63, max_bin 255): train {lgb_line[0]:.3f} s wall, {lgb_line[2]:.3f} s CPU, "
              f"test AUC {lgb_line[1]:.4f}; movierec/lightgbm wall ratio {o['train_seconds'] / lgb_line[0]:.3f}, "
              f"CPU ratio {o['train_cpu_seconds'] / lgb_line[2]:.3f}")


if __name__ == "__main__":
    main()
