#!/usr/bin/env python3
"""Check a generated schemac project independently of the generator.

Parses every revisions/*.toml with tomllib, orders the revisions along the
down_revision chain (which must be one linear chain from a single base), and
replays the operations into a small schema model of its own, checking the
rules the generator promises (section 3 of SPEC.md, as far as the bench uses
it): tables and columns exist or not as the operation needs, indexes name
existing indexable columns, index / unique / primary-key names are unique in
the whole schema and at most 63 bytes (explicit or from the default naming
convention), a dropped column has no index or constraint and is not the
last, a widened string only grows, only the portable types are used.

    python3 bench/validate_project.py target/bench/projects/1000

Exit 0 and a one-line summary when valid; exit 1 and the problems otherwise.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib

ID_RE = re.compile(r"^[0-9a-f]{12}$")
TYPE_RE = re.compile(r"^(string\(\d+\)|integer|bigint|boolean|text|"
                     r"decimal\(10,2\)|datetime)$")
MAX_NAME = 63


class Invalid(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Invalid(msg)


def load_chain(revdir: str) -> list:
    """(filename, document) pairs, base first."""
    docs, children = {}, {}
    for fname in sorted(os.listdir(revdir)):
        if not fname.endswith(".toml"):
            continue
        with open(os.path.join(revdir, fname), "rb") as f:
            doc = tomllib.load(f)
        rid = doc["revision"]
        check(ID_RE.match(rid), f"{fname}: bad id {rid!r}")
        check(rid not in docs, f"{fname}: duplicate id {rid}")
        docs[rid] = (fname, doc)
        down = doc.get("down_revision")
        check(down not in children, f"{fname}: {down} has two children")
        children[down] = rid
    check(None in children, "no base revision")
    chain, cur = [], children[None]
    while cur is not None:
        chain.append(docs[cur])
        cur = children.get(cur)
    check(len(chain) == len(docs),
          f"{len(docs) - len(chain)} revisions not on the chain from base")
    return chain


class Model:
    """Tables -> ordered column dicts; schema-wide object names."""

    def __init__(self):
        self.tables = {}     # table -> {column: column dict}
        self.objects = {}    # name -> (kind, table, [columns])
        self.by_table = {}   # table -> set of object names

    def table(self, name):
        check(name in self.tables, f"no table {name}")
        return self.tables[name]

    def column(self, table, name):
        cols = self.table(table)
        check(name in cols, f"no column {table}.{name}")
        return cols[name]

    def add_object(self, name, kind, table, columns):
        check(len(name.encode()) <= MAX_NAME, f"name too long: {name}")
        check(name not in self.objects, f"duplicate object name {name}")
        self.objects[name] = (kind, table, list(columns))
        self.by_table.setdefault(table, set()).add(name)

    def remove_object(self, name):
        kind, table, _ = self.objects.pop(name)
        self.by_table[table].discard(name)

    def used(self, table):
        return {c for name in self.by_table.get(table, ())
                for c in self.objects[name][2]}


def check_column_def(col: dict):
    check(TYPE_RE.match(col["type"]), f"type {col['type']!r}")
    if col["type"] == "text":
        check("default" not in col, f"text column {col['name']} has default")
    check(len(col["name"].encode()) <= MAX_NAME, f"long name {col['name']}")


def indexable(col: dict) -> bool:
    t = col["type"]
    if t == "text":
        return False
    return not t.startswith("string(") or int(t[7:-1]) <= 255


def apply(model: Model, op: dict):
    kind = op["op"]
    fn = APPLY.get(kind)
    check(fn is not None, f"unexpected op {kind}")
    fn(model, op)


def apply_create_table(model, op):
    t = op["table"]
    check(t not in model.tables, f"table {t} exists")
    cols = {}
    for col in op["columns"]:
        check_column_def(col)
        check(col["name"] not in cols, f"duplicate column {col['name']}")
        cols[col["name"]] = dict(col)
    pks = [c for c in cols.values() if c.get("primary_key")]
    check(len(pks) == 1, f"table {t}: {len(pks)} primary keys")
    check(5 <= len(cols) <= 30, f"table {t}: {len(cols)} columns")
    model.tables[t] = cols
    model.add_object(f"pk_{t}", "pk", t, [pks[0]["name"]])


def apply_add_column(model, op):
    cols = model.table(op["table"])
    col = op["column"]
    check_column_def(col)
    check(col["name"] not in cols, f"column {op['table']}.{col['name']} exists")
    if col.get("nullable") is False:
        check("default" in col, f"NOT NULL column {col['name']} lacks default")
    cols[col["name"]] = dict(col)


def apply_create_index(model, op):
    t = op["table"]
    for c in op["columns"]:
        check(indexable(model.column(t, c)), f"{t}.{c} is not indexable")
    name = op.get("name") or f"ix_{t}_{'_'.join(op['columns'])}"
    model.add_object(name, "index", t, op["columns"])


def apply_alter_column(model, op):
    col = model.column(op["table"], op["column"])
    check(not col.get("primary_key"), "altering the primary key")
    if "type" in op:
        old, new = col["type"], op["type"]
        check(old.startswith("string(") and new.startswith("string("),
              f"type change {old} -> {new}")
        check(int(new[7:-1]) > int(old[7:-1]), f"narrowing {old} -> {new}")
        if op["column"] in model.used(op["table"]):
            check(int(new[7:-1]) <= 255, "indexed column wider than 255")
        col["type"] = new
    if "nullable" in op:
        check(op["nullable"] is False and "backfill" in op, "nullable change")
        col["nullable"] = False
    if "default" in op:
        check(col["type"] not in ("text", "datetime"), "default on text")
        if op["default"] is False:
            check("default" in col, "dropping a missing default")
            col.pop("default")
        else:
            col["default"] = op["default"]


def apply_rename_column(model, op):
    t, old, new = op["table"], op["column"], op["new_name"]
    cols = model.table(t)
    check(old in cols and new not in cols, f"rename {t}.{old} -> {new}")
    model.tables[t] = {(new if k == old else k): v for k, v in cols.items()}
    model.tables[t][new]["name"] = new
    for name in model.by_table.get(t, ()):
        kind, table, ocols = model.objects[name]
        model.objects[name] = (kind, table,
                               [new if c == old else c for c in ocols])


def apply_drop_index(model, op):
    name = op["name"]
    check(name in model.objects and model.objects[name][0] == "index",
          f"no index {name}")
    model.remove_object(name)


def apply_create_unique_constraint(model, op):
    t = op["table"]
    check("name" in op, "unique constraint without a name")
    for c in op["columns"]:
        check(indexable(model.column(t, c)), f"{t}.{c} is not indexable")
    model.add_object(op["name"], "unique", t, op["columns"])


def apply_drop_column(model, op):
    t, c = op["table"], op["column"]
    col = model.column(t, c)
    check(not col.get("primary_key"), "dropping the primary key")
    check(c not in model.used(t), f"{t}.{c} has an index or constraint")
    check(len(model.tables[t]) > 1, "dropping the last column")
    del model.tables[t][c]


APPLY = {
    "create_table": apply_create_table,
    "add_column": apply_add_column,
    "create_index": apply_create_index,
    "alter_column": apply_alter_column,
    "rename_column": apply_rename_column,
    "drop_index": apply_drop_index,
    "create_unique_constraint": apply_create_unique_constraint,
    "drop_column": apply_drop_column,
}


def validate(project: str) -> str:
    """Raise Invalid on the first problem; return a summary line."""
    chain = load_chain(os.path.join(project, "revisions"))
    model, counts = Model(), {}
    for fname, doc in chain:
        for i, op in enumerate(doc.get("upgrade", [])):
            try:
                apply(model, op)
            except (Invalid, KeyError) as exc:
                raise Invalid(f"{fname}: upgrade[{i}] ({op.get('op')}): "
                              f"{exc}") from None
            counts[op["op"]] = counts.get(op["op"], 0) + 1
    total = sum(counts.values())
    mix = ", ".join(f"{k} {100 * v / total:.1f}%"
                    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    ncols = sum(len(c) for c in model.tables.values())
    return (f"{project}: {len(chain)} revisions, {total} operations valid; "
            f"head schema {len(model.tables)} tables, {ncols} columns, "
            f"{len(model.objects)} indexes/constraints; mix: {mix}")


def main(argv) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(validate(argv[1]))
    except Invalid as exc:
        print(f"INVALID: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
