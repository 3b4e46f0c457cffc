#!/usr/bin/env python3
"""The SQLite rebuild benchmark (issue 3): one revision with five alterations of
a 1,000,000-row table, applied with the sqlite3 command-line client, beside one
bare `INSERT INTO ... SELECT` copy of the same table (the physical floor: the
rows have to be copied once). The goal is a ratio of at most 1.3.

Usage: bench/rebuild.py [--rows N] [--schemac PATH] [--runs K]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CREATE = """revision = "b1"
message = "a big table"

[[upgrade]]
op = "create_table"
table = "big"
columns = [
  { name = "id", type = "integer", primary_key = true, autoincrement = true },
  { name = "a", type = "string(40)" },
  { name = "b", type = "integer" },
  { name = "c", type = "text" },
  { name = "d", type = "decimal(10,2)" },
  { name = "e", type = "datetime" },
  { name = "f", type = "string(20)" },
]
"""

FIVE = """revision = "b2"
down_revision = "b1"
message = "five alterations, one rebuild"

[[upgrade]]
op = "alter_column"
table = "big"
column = "a"
type = "string(80)"

[[upgrade]]
op = "alter_column"
table = "big"
column = "b"
nullable = false
backfill = 0

[[upgrade]]
op = "alter_column"
table = "big"
column = "f"
default = "none"

[[upgrade]]
op = "create_check_constraint"
table = "big"
name = "ck_big_b"
expr = "b >= 0"

[[upgrade]]
op = "drop_column"
table = "big"
column = "c"
"""

FILL = """
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rows})
INSERT INTO big (a, b, c, d, e, f)
SELECT printf('name %d', x), CASE WHEN x % 10 = 0 THEN NULL ELSE x END, printf('text of row %d', x),
       (x % 1000) / 100.0, '2024-01-01 00:00:00', printf('f%d', x % 97) FROM n;
"""

FLOOR = """
BEGIN;
CREATE TABLE copy (id INTEGER PRIMARY KEY, a VARCHAR(80), b INTEGER NOT NULL, d NUMERIC(10,2), e DATETIME, f VARCHAR(20));
INSERT INTO copy (id, a, b, d, e, f) SELECT id, a, b, d, e, f FROM big WHERE b IS NOT NULL;
COMMIT;
"""


def run(cmd, stdin_text=None, cwd=None):
    r = subprocess.run(cmd, input=stdin_text, text=True, capture_output=True, cwd=cwd)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def timed_sqlite(db, script):
    start = time.perf_counter()
    run(["sqlite3", "-bail", "-init", "/dev/null", db], script)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--schemac", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "schemac"))
    args = ap.parse_args()
    schemac = os.path.abspath(args.schemac)
    work = tempfile.mkdtemp(prefix="schemac-rebuild-bench-")
    try:
        os.makedirs(os.path.join(work, "revisions"))
        with open(os.path.join(work, "revisions", "b1.toml"), "w") as f:
            f.write(CREATE)
        with open(os.path.join(work, "revisions", "b2.toml"), "w") as f:
            f.write(FIVE)
        create = run([schemac, "upgrade", "base:b1"], cwd=work)
        five = run([schemac, "upgrade", "b1:b2"], cwd=work)
        assert five.count("CREATE TABLE _schemac_new_big") == 1, "five alterations must be one rebuild"
        seed = os.path.join(work, "seed.db")
        run(["sqlite3", "-bail", "-init", "/dev/null", seed], create + FILL.format(rows=args.rows))
        rebuild, floor = [], []
        for _ in range(args.runs):
            for kind, script, out in (("rebuild", five, rebuild), ("floor", FLOOR, floor)):
                db = os.path.join(work, f"{kind}.db")
                shutil.copyfile(seed, db)
                run(["sqlite3", db, "SELECT count(*) FROM big"])  # warm the page cache
                out.append(timed_sqlite(db, script))
        r, fl = statistics.median(rebuild), statistics.median(floor)
        print(f"sqlite rebuild, {args.rows:,} rows, five alterations in one revision: {r:.2f} s (median of {args.runs})")
        print(f"floor, one bare INSERT INTO ... SELECT copy of the table:          {fl:.2f} s")
        print(f"ratio: {r / fl:.2f} (goal: at most 1.30)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
