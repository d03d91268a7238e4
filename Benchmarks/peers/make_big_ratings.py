#!/usr/bin/env python3
"""Builds a large ml-latest-style release by repeating ml-latest-small's ratings.

Each repetition k shifts user ids by k * (max user id), so the result looks like a bigger
population rating the same catalogue: ids stay unique per (user, movie), ratings stay sorted by
user, and movies.csv / tags.csv / links.csv are copied so the directory is a complete release.

Usage: make_big_ratings.py SOURCE_DIR OUT_DIR [--rows N]   (default 25,000,000 rows)
Writes OUT_DIR/ratings.csv atomically (temporary file + rename); skips when it already exists
with the requested row count recorded in OUT_DIR/.rows.
"""
import argparse
import os
import shutil
import sys
import time


def build(source: str, out: str, rows: int) -> None:
    marker = os.path.join(out, ".rows")
    target = os.path.join(out, "ratings.csv")
    if os.path.exists(target) and os.path.exists(marker) and open(marker).read().strip() == str(rows):
        print(f"{target}: exists with {rows:,} rows, reusing", file=sys.stderr)
        return
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(source, "ratings.csv"), "rb") as f:
        header = f.readline()
        body = [line for line in f.read().split(b"\n") if line]
    users, rests = [], []
    for line in body:
        comma = line.index(b",")
        users.append(int(line[:comma]))
        rests.append(line[comma:] + b"\n")
    max_user = max(users)
    started = time.time()
    tmp = target + f".tmp-{os.getpid()}"
    written = 0
    with open(tmp, "wb", buffering=1 << 24) as f:
        f.write(header)
        k = 0
        while written < rows:
            shift = k * max_user
            take = min(len(body), rows - written)
            f.write(b"".join(b"%d%s" % (users[i] + shift, rests[i]) for i in range(take)))
            written += take
            k += 1
    os.replace(tmp, target)
    for name in ("movies.csv", "tags.csv", "links.csv"):
        if os.path.exists(os.path.join(source, name)):
            shutil.copyfile(os.path.join(source, name), os.path.join(out, name))
    with open(marker, "w") as m:
        m.write(str(rows))
    print(f"{target}: wrote {written:,} rows ({k} repetitions, user ids shifted by {max_user}) "
          f"in {time.time() - started:.1f} s", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source")
    p.add_argument("out")
    p.add_argument("--rows", type=int, default=25_000_000)
    a = p.parse_args()
    build(a.source, a.out, a.rows)


if __name__ == "__main__":
    main()
