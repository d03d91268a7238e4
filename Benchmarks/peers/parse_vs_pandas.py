#!/usr/bin/env python3
"""Parse speed: `pandas.read_csv` vs `movierec` on MovieLens ratings.

For ml-latest-small and a 25M-row synthetic ml-latest-style release (built once into
Benchmarks/out/ by make_big_ratings.py from ml-latest-small, user ids shifted per repetition),
like with like — the same file in, typed columns out:
  - pandas: `pandas.read_csv(DIR/ratings.csv)` (C engine, default dtype inference: int64, int64,
    float64, int64 columns), median of --runs;
  - movierec ratings: `movierec data bench-parse DIR --ratings-only --json` (release build):
    `MovieLensReader.loadRatings` — read ratings.csv, validate every row (each drop counted by
    reason and line), Int32/Int32/Float/Int64 columns, dense user and movie ids, duplicate
    (user, movie) pairs removed — median of --runs, with 1 thread (like pandas' single-threaded
    C parser) and with the default thread count (all cores);
  - movierec directory (context, and the base of the cache ratio): `MovieLensReader.load` of the
    whole directory — ratings, movies, tags, links, cross-file checks — default thread count;
  - with --cache, movierec's binary cache (default thread count): cached-load wall time of the
    whole directory and its ratio to the whole-directory parse of the same run (median, and the
    slowest cached run against the median parse).
Prints times, rows/s and the ratios, with /proc/loadavg before and after. pandas still does less
(no validation, no id mapping, no duplicate check), so the ratio is conservative for movierec.

Usage: parse_vs_pandas.py [--movierec PATH] [--threads N] [--rows N] [--cache] [--skip-big] [--json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import make_big_ratings  # noqa: E402


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "n/a"


def find_data(name: str) -> str:
    candidates = []
    if os.environ.get("MOVIEREC_TEST_DATA"):
        candidates.append(os.path.join(os.environ["MOVIEREC_TEST_DATA"], name))
    candidates += [os.path.join(ROOT, "data", name), os.path.join(os.path.dirname(ROOT), "shared", "data", name)]
    for c in candidates:
        if os.path.isfile(os.path.join(c, "ratings.csv")):
            return c
    sys.exit(f"{name} not found (looked in {', '.join(candidates)}); run `movierec data fetch {name}`")


def time_pandas(path: str, runs: int):
    import pandas as pd
    times, cpu, rows = [], [], 0
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        df = pd.read_csv(path)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        rows = len(df)
        del df
    return rows, times, cpu


def time_movierec(binary: str, directory: str, runs: int, threads, cache: bool, ratings_only: bool):
    cmd = [binary, "data", "bench-parse", directory, "--repeat", str(runs), "--json"]
    if threads:
        cmd += ["--threads", str(threads)]
    if cache:
        cmd.append("--cache")
    if ratings_only:
        cmd.append("--ratings-only")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--movierec", default=os.path.join(ROOT, ".build", "release", "movierec"),
                   help="release movierec binary (default: .build/release/movierec; build with `swift build -c release`)")
    p.add_argument("--threads", type=int, default=None,
                   help="movierec threads of the second run (default: all cores); the first run always uses 1")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rows", type=int, default=25_000_000, help="rows of the synthetic big file")
    p.add_argument("--cache", action="store_true", help="also time movierec's binary cache")
    p.add_argument("--skip-big", action="store_true", help="only ml-latest-small")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if not os.access(a.movierec, os.X_OK):
        sys.exit(f"{a.movierec} is not an executable; build it with `swift build -c release` or pass --movierec")

    small = find_data("ml-latest-small")
    sets = [("ml-latest-small", small)]
    if not a.skip_big:
        big = os.path.join(ROOT, "Benchmarks", "out", f"ml-synthetic-{a.rows // 1_000_000}m")
        make_big_ratings.build(small, big, a.rows)
        sets.append((f"synthetic {a.rows / 1e6:g}M", big))

    results = []
    before = loadavg()
    for label, directory in sets:
        rows_pd, pd_times, pd_cpu = time_pandas(os.path.join(directory, "ratings.csv"), a.runs)
        one = time_movierec(a.movierec, directory, a.runs, 1, False, True)
        mr = time_movierec(a.movierec, directory, a.runs, a.threads, False, True)
        full = time_movierec(a.movierec, directory, a.runs, a.threads, a.cache, False)
        pd_med = statistics.median(pd_times)
        mr_med = mr["parse_seconds"]
        r = {
            "dataset": label, "directory": directory, "rows_pandas": rows_pd, "rows_movierec": mr["rows"],
            "pandas_seconds": pd_med, "pandas_runs": pd_times, "pandas_rows_per_second": rows_pd / pd_med,
            "movierec_1t_seconds": one["parse_seconds"], "movierec_1t_runs": one["parse_runs"],
            "movierec_1t_cpu_seconds": one["parse_cpu_seconds"], "speedup_1t_vs_pandas": pd_med / one["parse_seconds"],
            "movierec_seconds": mr_med, "movierec_runs": mr["parse_runs"], "movierec_rows_per_second": mr["rows"] / mr_med,
            "movierec_threads": mr["threads"], "speedup_vs_pandas": pd_med / mr_med,
            "pandas_cpu_seconds": statistics.median(pd_cpu), "movierec_cpu_seconds": mr["parse_cpu_seconds"],
            "cpu_ratio_vs_pandas": statistics.median(pd_cpu) / mr["parse_cpu_seconds"],
            "directory_seconds": full["parse_seconds"], "directory_runs": full["parse_runs"],
            "directory_cpu_seconds": full["parse_cpu_seconds"],
            "loadavg_movierec": [one["loadavg_before"], full["loadavg_after"]],
        }
        if a.cache:
            r["movierec_cached_seconds"] = full["cached_seconds"]
            r["movierec_cached_cpu_seconds"] = full["cached_cpu_seconds"]
            r["cache_speedup_vs_parse"] = full["cache_speedup"]
            r["movierec_cached_runs"] = full["cached_runs"]
            # The slowest cached run against the median parse: "every run is at least this much faster".
            r["cache_speedup_worst_run"] = full["parse_seconds"] / max(full["cached_runs"])
            r["cache_identical"] = full["cache_identical"]
            r["cache_bytes"] = full["cache_bytes"]
        results.append(r)
    after = loadavg()

    if a.json:
        print(json.dumps({"loadavg_before": before, "loadavg_after": after, "results": results}, indent=2))
        return
    print(f"load average before: {before}")
    threads = results[0]["movierec_threads"]
    head = (f"{'dataset':<18} {'rows':>11} {'pandas s':>9} {'1 thread s':>11} {'× pandas':>9} "
            f"{f'{threads} threads s':>12} {'× pandas':>9} {'Mrows/s':>8} {'pandas CPU-s':>13} {'movierec CPU-s':>15} {'CPU ratio':>10}"
            f" {'directory s':>12}")
    if a.cache:
        head += f" {'cached s':>9} {'cached CPU-s':>13} {'cache ×':>8} {'worst ×':>8}"
    print(head)
    for r in results:
        line = (f"{r['dataset']:<18} {r['rows_movierec']:>11,} {r['pandas_seconds']:>9.3f} {r['movierec_1t_seconds']:>11.3f} "
                f"{r['speedup_1t_vs_pandas']:>8.2f}× {r['movierec_seconds']:>12.3f} {r['speedup_vs_pandas']:>8.2f}× "
                f"{r['movierec_rows_per_second'] / 1e6:>8.2f} {r['pandas_cpu_seconds']:>13.3f} {r['movierec_cpu_seconds']:>15.3f} "
                f"{r['cpu_ratio_vs_pandas']:>9.2f}× {r['directory_seconds']:>12.3f}")
        if a.cache:
            line += (f" {r['movierec_cached_seconds']:>9.3f} {r['movierec_cached_cpu_seconds']:>13.3f}"
                     f" {r['cache_speedup_vs_parse']:>7.1f}× {r['cache_speedup_worst_run']:>7.1f}×")
            if not r["cache_identical"]:
                line += "  CACHED LOAD DIFFERS FROM PARSE"
        print(line)
    print(f"load average after:  {after}")
    print(f"pandas: read_csv(ratings.csv), C engine (single-threaded). movierec 1 thread / {threads} threads: "
          "loadRatings — ratings.csv parsed, every row validated, dense ids, duplicates removed. "
          "× pandas = pandas wall / movierec wall (medians of the same run); CPU ratio = pandas CPU-s / movierec CPU-s "
          f"({threads} threads, all threads counted). directory s: load of the whole directory (ratings, movies, tags, "
          f"links, cross-file checks), {threads} threads; cache × = directory parse wall / cached-load wall of the same directory "
          "(medians); worst × = directory parse median / slowest cached run.")

if __name__ == "__main__":
    main()
