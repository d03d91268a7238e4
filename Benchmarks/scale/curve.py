#!/usr/bin/env python3
"""The scale curve of `movierec pipeline` (train ∥ evaluate), and of `train` / `evaluate` alone.

Runs the release binary under `/usr/bin/time -v` on synthetic MovieLens-25M-shaped data sets of
1M, 5M, 10M and 25M ratings (`movierec data synth`, users and movies scaled from ml-25m's
162,541 / 62,423 so that ratings per user and per movie stay ml-25m's) and prints:

- one row per size and command: wall, CPU (user + system of every thread) and peak RSS;
- the per-stage table: `pipeline --json` reports each stage's wall seconds (validate, train,
  evaluate — the two run at the same time —, save); `train --verbose` logs each stage's wall,
  CPU and peak RSS so far;
- the near-linearity check: seconds per million ratings at each size, and the exponent b of a
  least-squares fit time ∝ ratings^b over the sizes (b = 1 is linear; "near-linear" here means
  b ≤ 1.15 and the largest size's CPU per million ratings at most 1.5× the smallest's).

    Benchmarks/scale/curve.py [--sizes 1m,5m,10m,25m] [--commands pipeline[,train,evaluate]]
                              [--data-root Benchmarks/out] [--binary .build/release/movierec]
                              [--threads 2] [--generate] [--json curve.json] [--html curve.html]

`--generate` writes missing data sets into DATA_ROOT/scale-{1m,5m,10m,25m} (seed 1; at 25M the
shape is ml-25m's own, 162,541 users × 62,423 movies). `--json` keeps every number (the input of
`movierec evaluate --report R --scale-curve curve.json`); `--html` writes that report, with the
curve's charts, from an evaluation of data/ml-latest-small's cheapest stage. Record the load: the
machine is shared — the script prints `/proc/loadavg` before and after each run.
"""
import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

ML25M_USERS, ML25M_MOVIES, ML25M_RATINGS = 162_541, 62_423, 25_000_095
SIZES = {"1m": 1_000_000, "5m": 5_000_000, "10m": 10_000_000, "25m": 25_000_095}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGE = re.compile(r"stage (.+?): wall ([0-9.]+) s, cpu ([0-9.]+) s, peak rss ([0-9.]+) MB")
NEAR_LINEAR_EXPONENT = 1.15
NEAR_LINEAR_PER_MILLION = 1.5


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def data_dir(root, size):
    return os.path.join(root, f"scale-{size}")


def shape(n):
    """Users and movies of an n-rating set with ml-25m's ratings per user and per movie."""
    return (round(ML25M_USERS * n / ML25M_RATINGS), round(ML25M_MOVIES * n / ML25M_RATINGS))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (stdout, stderr, {wall, cpu, rss_gb})."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name] + cmd, capture_output=True, text=True)
        report = t.read()
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")

    def field(name):
        m = re.search(re.escape(name) + r":\s*(\S+)", report)
        return m.group(1) if m else "0"

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    stats = {"wall": seconds, "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
             "rss_gb": int(field("Maximum resident set size (kbytes)")) / 1048576}
    return p.stdout, p.stderr, stats


def command_line(binary, command, d, out, threads):
    if command == "pipeline":
        return [binary, "pipeline", "--data", d, "--out", os.path.join(out, "models"), "--threads", threads,
                "--quiet", "--json"]
    if command == "train":
        return [binary, "train", "--data", d, "--out", os.path.join(out, "models"), "--threads", threads,
                "--verbose", "--quiet"]
    if command == "evaluate":
        return [binary, "evaluate", "--data", d, "--threads", threads, "--quiet", "--json"]
    raise SystemExit(f"unknown command {command} (pipeline, train, evaluate)")


def stages_of(command, stdout, stderr):
    """Per-stage numbers: [{stage, wall, cpu?, rss_gb?}]."""
    if command == "train":
        return [{"stage": m.group(1), "wall": float(m.group(2)), "cpu": float(m.group(3)),
                 "rss_gb": float(m.group(4)) / 1024} for m in STAGE.finditer(stderr)]
    if command == "pipeline":
        try:
            seconds = json.loads(stdout).get("seconds", {})
        except json.JSONDecodeError:
            return []
        return [{"stage": k, "wall": v} for k, v in seconds.items() if k != "total"]
    return []


def fit_exponent(points):
    """Least-squares slope of log(time) against log(ratings): time ∝ ratings^b."""
    pts = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx > 0 else None


def linearity(runs):
    """Per command: seconds per million ratings per size, the fitted exponents, and the verdict."""
    result = []
    for command in dict.fromkeys(r["command"] for r in runs):
        rows = sorted((r for r in runs if r["command"] == command), key=lambda r: r["ratings"])
        if not rows:
            continue
        per = [{"size": r["size"], "ratings": r["ratings"], "wall_per_m": r["wall"] / (r["ratings"] / 1e6),
                "cpu_per_m": r["cpu"] / (r["ratings"] / 1e6)} for r in rows]
        b_wall = fit_exponent([(r["ratings"], r["wall"]) for r in rows])
        b_cpu = fit_exponent([(r["ratings"], r["cpu"]) for r in rows])
        growth = per[-1]["cpu_per_m"] / per[0]["cpu_per_m"] if per[0]["cpu_per_m"] > 0 else None
        near = (None if b_cpu is None or growth is None
                else b_cpu <= NEAR_LINEAR_EXPONENT and growth <= NEAR_LINEAR_PER_MILLION)
        result.append({"command": command, "per_million": per, "exponent_wall": b_wall, "exponent_cpu": b_cpu,
                       "cpu_per_m_growth": growth, "near_linear": near})
    return result


def fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def print_tables(runs, lin):
    print()
    print("| size | ratings | command | wall s | CPU s | cores busy | peak RSS GB | load before → after |")
    print("|---|---:|---|---:|---:|---:|---:|---|")
    for r in runs:
        busy = r["cpu"] / r["wall"] if r["wall"] > 0 else 0
        print(f"| {r['size']} | {r['ratings']:,} | {r['command']} | {r['wall']:.1f} | {r['cpu']:.1f} | {busy:.2f} | "
              f"{r['rss_gb']:.2f} | {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} |")
    staged = [(r, s) for r in runs for s in r["stages"]]
    if staged:
        print()
        print("| size | command | stage | wall s | CPU s | peak RSS so far GB |")
        print("|---|---|---|---:|---:|---:|")
        for r, s in staged:
            print(f"| {r['size']} | {r['command']} | {s['stage']} | {s['wall']:.1f} | {fmt(s.get('cpu'), '.1f')} | "
                  f"{fmt(s.get('rss_gb'))} |")
    if lin:
        print()
        print("| command | size | wall s per M ratings | CPU s per M ratings |")
        print("|---|---|---:|---:|")
        for c in lin:
            for p in c["per_million"]:
                print(f"| {c['command']} | {p['size']} | {p['wall_per_m']:.1f} | {p['cpu_per_m']:.1f} |")
        print()
        for c in lin:
            verdict = {True: "near-linear", False: "NOT near-linear", None: "one size only: no verdict"}[c["near_linear"]]
            print(f"{c['command']}: time ∝ ratings^b with b = {fmt(c['exponent_cpu'])} (CPU), {fmt(c['exponent_wall'])} "
                  f"(wall); CPU per M ratings ×{fmt(c['cpu_per_m_growth'])} from smallest to largest → {verdict} "
                  f"(criterion: b ≤ {NEAR_LINEAR_EXPONENT} and ×≤ {NEAR_LINEAR_PER_MILLION})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1m,5m,10m,25m")
    ap.add_argument("--data-root", default=os.path.join(ROOT, "Benchmarks", "out"))
    ap.add_argument("--commands", default="pipeline", help="comma-separated: pipeline, train, evaluate")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "movierec"))
    ap.add_argument("--generate", action="store_true", help="write missing data sets (seed 1)")
    ap.add_argument("--json", help="write every number to this file")
    ap.add_argument("--html", help="write an HTML report with the curve's charts (needs data/ml-latest-small)")
    ap.add_argument("--from-json", help="skip the runs: print the tables (and --html) of an earlier --json")
    a = ap.parse_args()
    for size in a.sizes.split(","):
        if size not in SIZES:
            raise SystemExit(f"unknown size {size} (one of {', '.join(SIZES)})")
    if a.from_json:
        with open(a.from_json) as f:
            doc = json.load(f)
        runs = doc["runs"]
    else:
        runs = []
        for size in a.sizes.split(","):
            n = SIZES[size]
            d = data_dir(a.data_root, size)
            if not os.path.isdir(d):
                if not a.generate:
                    raise SystemExit(f"{d} missing: run with --generate")
                users, movies = shape(n)
                before = loadavg()
                _, _, st = timed([a.binary, "data", "synth", "--ratings", str(n), "--users", str(users), "--movies",
                                  str(movies), "--seed", "1", "--out", d, "--threads", a.threads, "--quiet"])
                print(f"{size} data synth: {st['wall']:.1f} s wall, {st['cpu']:.1f} s CPU, {st['rss_gb']:.2f} GB", flush=True)
                runs.append(dict(size=size, ratings=n, command="data synth", stages=[], load_before=before,
                                 load_after=loadavg(), **st))
            for command in a.commands.split(","):
                out = tempfile.mkdtemp(prefix=f"movierec-scale-{size}-")
                before = loadavg()
                stdout, stderr, st = timed(command_line(a.binary, command, d, out, a.threads))
                after = loadavg()
                subprocess.run(["rm", "-rf", out])
                runs.append(dict(size=size, ratings=n, command=command, stages=stages_of(command, stdout, stderr),
                                 load_before=before, load_after=after, **st))
                print(f"{size} {command}: {st['wall']:.1f} s wall, {st['cpu']:.1f} s CPU, {st['rss_gb']:.2f} GB "
                      f"(load {before[0]:.2f} → {after[0]:.2f})", flush=True)
        doc = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "binary": a.binary,
                           "threads": int(a.threads), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
               "runs": runs}
    # The data synth rows time the generator, not the curve: keep them out of the linearity check.
    lin = linearity([r for r in runs if r["command"] != "data synth"])
    doc["linearity"] = lin
    print_tables(runs, lin)
    if a.json and not a.from_json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"\nwrote {a.json}")
    if a.html:
        source = a.json or a.from_json
        if not source:
            source = tempfile.mktemp(suffix=".json")
            with open(source, "w") as f:
                json.dump(doc, f)
        small = os.path.join(ROOT, "data", "ml-latest-small")
        _, _, st = timed([a.binary, "evaluate", "--data", small, "--stages", "clusters", "--threads", a.threads,
                          "--quiet", "--report", a.html, "--scale-curve", source])
        print(f"wrote {a.html} ({st['wall']:.1f} s)")


if __name__ == "__main__":
    main()
