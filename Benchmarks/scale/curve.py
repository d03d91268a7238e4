#!/usr/bin/env python3
"""The scale curve of `movierec train` (and `evaluate`): wall, CPU and peak RSS per size and stage.

Runs the release binary under `/usr/bin/time -v` on synthetic MovieLens-25M-shaped data sets of
1M, 5M, 10M and 25M ratings (generated with `movierec data synth`, users and movies scaled from
ml-25m's 162,541 / 62,423), and prints one table of whole-command numbers and one of the train
stages (`movierec train --verbose` logs each stage's wall, CPU and peak RSS so far).

    Benchmarks/scale/curve.py [--sizes 1m,5m] [--data-root Benchmarks/out] [--commands train,evaluate]
                              [--threads 2] [--generate] [--json out.json]

`--generate` writes missing data sets (`scale-1m`, `scale-5m`, `scale-10m`; 25M is
`ml-synthetic-25m`, generated the same way). Record `cat /proc/loadavg` with the numbers: the
machine is shared.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ML25M_USERS, ML25M_MOVIES, ML25M_RATINGS = 162_541, 62_423, 25_000_000
SIZES = {"1m": 1_000_000, "5m": 5_000_000, "10m": 10_000_000, "25m": 25_000_000}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def data_dir(root, size):
    return os.path.join(root, "ml-synthetic-25m" if size == "25m" else f"scale-{size}")


def shape(n):
    """Users and movies of an n-rating set with ml-25m's ratings per user and per movie."""
    return (round(ML25M_USERS * n / ML25M_RATINGS), round(ML25M_MOVIES * n / ML25M_RATINGS))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (stdout, stderr without the time report, stats)."""
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


STAGE = re.compile(r"stage (.+?): wall ([0-9.]+) s, cpu ([0-9.]+) s, peak rss ([0-9.]+) MB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1m,5m,10m,25m")
    ap.add_argument("--data-root", default=os.path.join(ROOT, "Benchmarks", "out"))
    ap.add_argument("--commands", default="train")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "movierec"))
    ap.add_argument("--generate", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    with open("/proc/loadavg") as f:
        print("load average before:", f.read().split()[:3])
    rows, stages = [], []
    for size in a.sizes.split(","):
        n = SIZES[size]
        d = data_dir(a.data_root, size)
        if not os.path.isdir(d):
            if not a.generate:
                raise SystemExit(f"{d} missing: run with --generate")
            users, movies = shape(n)
            _, _, st = timed([a.binary, "data", "synth", "--ratings", str(n), "--users", str(users), "--movies",
                              str(movies), "--seed", "1", "--out", d, "--threads", a.threads])
            rows.append((size, "data synth", st))
        for command in a.commands.split(","):
            out = tempfile.mkdtemp(prefix=f"movierec-scale-{size}-")
            if command == "train":
                cmd = [a.binary, "train", "--data", d, "--out", os.path.join(out, "models"), "--threads", a.threads,
                       "--verbose", "--quiet"]
            elif command == "evaluate":
                cmd = [a.binary, "evaluate", "--data", d, "--threads", a.threads, "--quiet", "--json"]
            elif command == "pipeline":
                cmd = [a.binary, "pipeline", "--data", d, "--threads", a.threads, "--quiet"]
            else:
                raise SystemExit(f"unknown command {command}")
            stdout, stderr, st = timed(cmd)
            rows.append((size, command, st))
            for m in STAGE.finditer(stderr):
                stages.append((size, m.group(1), float(m.group(2)), float(m.group(3)), float(m.group(4)) / 1024))
            subprocess.run(["rm", "-rf", out])
            print(f"{size} {command}: {st['wall']:.1f} s wall, {st['cpu']:.1f} s CPU, {st['rss_gb']:.2f} GB", flush=True)
    with open("/proc/loadavg") as f:
        print("load average after:", f.read().split()[:3])
    print()
    print(f"| size | command | wall s | CPU s | peak RSS GB |")
    print(f"|---|---|---:|---:|---:|")
    for size, command, st in rows:
        print(f"| {size} | {command} | {st['wall']:.1f} | {st['cpu']:.1f} | {st['rss_gb']:.2f} |")
    if stages:
        print()
        print("| size | train stage | wall s | CPU s | peak RSS so far GB |")
        print("|---|---|---:|---:|---:|")
        for size, name, wall, cpu, rss in stages:
            print(f"| {size} | {name} | {wall:.1f} | {cpu:.1f} | {rss:.2f} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"commands": [dict(size=s, command=c, **st) for s, c, st in rows],
                       "stages": [dict(size=s, stage=n, wall=w, cpu=c, rss_gb=r) for s, n, w, c, r in stages]}, f, indent=1)


if __name__ == "__main__":
    main()
