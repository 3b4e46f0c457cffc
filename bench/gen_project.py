#!/usr/bin/env python3
"""Generate a synthetic schemac project: N revisions in a linear chain.

The generator keeps a model of the schema as it builds the chain, so every
operation it writes is valid against the schema at that point: it never adds
an existing column, never indexes a missing one, keeps index and constraint
names unique across the whole schema and at most 63 bytes long.

Operation mix (weights; an operation that is impossible at that point, e.g.
an index before any table exists, is drawn again):

    40  add_column
    20  create_index
    15  create_table            (5 to 30 columns, an `id` primary key)
    15  alter_column            (widen a string, set NOT NULL with a backfill,
                                 or change / drop a default)
    10  other                   (rename_column, drop_index,
                                 create_unique_constraint with a name,
                                 drop_column of a column with no index)

Each revision carries 1 to 3 operations (65% / 25% / 10%). Only portable
neutral types are used: string(n), integer, bigint, boolean, text,
decimal(10,2), datetime. Text columns are never indexed nor given a default
(MySQL cannot), indexed strings stay at most 255 characters (MySQL's key
length with utf8mb4), and `alter_column` never sets a boolean default to
false (in `alter_column`, `default = false` means "drop the default").

Revision ids are the first 12 hex digits of sha256("<seed>:<index>").

Used as a module by gen_alembic.py (`generate()` returns the revisions with
the extra, underscore-prefixed details Alembic needs) and as a script:

    python3 bench/gen_project.py 1000 target/bench/projects/1000 [--seed S]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import shutil
import sys
from dataclasses import dataclass, field

DEFAULT_SEED = 20240601
MAX_NAME = 63

# Weighted operation kinds; "other" is split evenly among four kinds.
OP_WEIGHTS = [
    ("add_column", 40.0),
    ("create_index", 20.0),
    ("create_table", 15.0),
    ("alter_column", 15.0),
    ("rename_column", 2.5),
    ("drop_index", 2.5),
    ("create_unique_constraint", 2.5),
    ("drop_column", 2.5),
]
OPS_PER_REVISION = [(1, 65), (2, 25), (3, 10)]

TABLE_WORDS = [
    "users", "accounts", "orders", "order_items", "invoices", "invoice_lines",
    "payments", "products", "categories", "customers", "suppliers",
    "shipments", "addresses", "audit_events", "sessions", "api_keys",
    "subscriptions", "plans", "coupons", "reviews", "comments", "tags",
    "projects", "tasks", "workflows", "workflow_steps", "notifications",
    "messages", "attachments", "settings", "warehouses", "stock_moves",
]

# (column name, neutral type family)
COLUMN_POOL = [
    ("name", "string"), ("title", "string"), ("email", "string"),
    ("status", "string"), ("code", "string"), ("slug", "string"),
    ("phone", "string"), ("city", "string"), ("country_code", "string"),
    ("currency", "string"), ("external_ref", "string"), ("label", "string"),
    ("kind", "string"), ("locale", "string"),
    ("description", "text"), ("notes", "text"), ("body", "text"),
    ("quantity", "integer"), ("sort_order", "integer"),
    ("revision_no", "integer"), ("retry_count", "integer"),
    ("priority", "integer"),
    ("owner_id", "bigint"), ("parent_id", "bigint"), ("account_id", "bigint"),
    ("tenant_id", "bigint"), ("size_bytes", "bigint"),
    ("is_active", "boolean"), ("is_deleted", "boolean"),
    ("enabled", "boolean"), ("verified", "boolean"), ("archived", "boolean"),
    ("amount", "decimal"), ("price", "decimal"), ("total", "decimal"),
    ("tax", "decimal"), ("balance", "decimal"),
    ("created_at", "datetime"), ("updated_at", "datetime"),
    ("deleted_at", "datetime"), ("expires_at", "datetime"),
    ("published_at", "datetime"),
]
COLUMN_PREFIXES = ["billing", "shipping", "primary", "legacy", "last",
                   "default", "origin", "target", "internal", "public"]

STRING_LENGTHS = [20, 32, 50, 64, 100, 128, 200, 255]
WIDEN_LADDER = STRING_LENGTHS + [500, 1000]
INDEXABLE_MAX_LENGTH = 255
STRING_DEFAULTS = ["", "active", "pending", "n/a", "none", "draft"]
INTEGER_DEFAULTS = [0, 1, 10]
DECIMAL_DEFAULTS = [0.0, 1.0]
CURRENT_TIMESTAMP = ("expr", "current_timestamp")
DEFAULTABLE = ("string", "integer", "bigint", "boolean", "decimal")
BACKFILLABLE = ("string", "text", "integer", "bigint", "boolean", "decimal")


# --------------------------------------------------------------------------
# Schema model


@dataclass
class Column:
    """One column: neutral type, nullability, default (None = no default)."""

    name: str
    type: str
    nullable: bool = True
    default: object = None
    primary_key: bool = False

    @property
    def family(self) -> str:
        return self.type.split("(", 1)[0]

    @property
    def length(self) -> int | None:
        if self.type.startswith("string("):
            return int(self.type[7:-1])
        return None

    @property
    def indexable(self) -> bool:
        if self.family == "text":
            return False
        length = self.length
        return length is None or length <= INDEXABLE_MAX_LENGTH


@dataclass
class Index:
    """An index or a unique constraint (kind "index", "unique" or "pk")."""

    name: str
    table: str
    columns: list
    kind: str = "index"
    unique: bool = False


@dataclass
class Table:
    name: str
    columns: dict = field(default_factory=dict)   # name -> Column, ordered
    objects: list = field(default_factory=list)   # names of Index objects


class NameList:
    """A list with O(1) random choice, membership test and removal."""

    def __init__(self):
        self.items: list = []
        self.pos: dict = {}

    def add(self, item):
        self.pos[item] = len(self.items)
        self.items.append(item)

    def remove(self, item):
        i = self.pos.pop(item)
        last = self.items.pop()
        if last != item:
            self.items[i] = last
            self.pos[last] = i

    def __contains__(self, item):
        return item in self.pos

    def __len__(self):
        return len(self.items)

    def choice(self, rng):
        return rng.choice(self.items)


class Schema:
    """Tables, plus the schema-wide namespace of index/constraint names."""

    def __init__(self):
        self.tables: dict = {}
        self.table_order: list = []
        self.objects: dict = {}        # name -> Index
        self.plain_indexes = NameList()  # names of kind "index"
        self.counter = 0

    def next_counter(self) -> int:
        self.counter += 1
        return self.counter

    def add_object(self, obj: Index):
        assert obj.name not in self.objects, obj.name
        assert len(obj.name.encode()) <= MAX_NAME, obj.name
        self.objects[obj.name] = obj
        self.tables[obj.table].objects.append(obj.name)
        if obj.kind == "index":
            self.plain_indexes.add(obj.name)

    def remove_object(self, name: str):
        obj = self.objects.pop(name)
        self.tables[obj.table].objects.remove(name)
        if obj.kind == "index":
            self.plain_indexes.remove(name)

    def table_objects(self, table: Table):
        return [self.objects[n] for n in table.objects]

    def used_columns(self, table: Table) -> set:
        used = set()
        for obj in self.table_objects(table):
            used.update(obj.columns)
        return used


# --------------------------------------------------------------------------
# Name helpers


def revision_ids(n: int, seed: int) -> list:
    """N distinct 12-hex-digit ids derived from the seed."""
    ids, seen = [], set()
    for i in range(n):
        salt = 0
        while True:
            text = f"{seed}:{i}" if salt == 0 else f"{seed}:{i}:{salt}"
            rid = hashlib.sha256(text.encode()).hexdigest()[:12]
            if rid not in seen:
                break
            salt += 1
        seen.add(rid)
        ids.append(rid)
    return ids


def fresh_table_name(rng, schema: Schema) -> str:
    word = rng.choice(TABLE_WORDS)
    if word not in schema.tables:
        return word
    return f"{word}_{schema.next_counter()}"


def fresh_column_name(rng, table: Table, family: str | None = None):
    """A column name not in the table; returns (name, family)."""
    for _ in range(50):
        base, fam = rng.choice(COLUMN_POOL)
        if family is not None and fam != family:
            continue
        if base not in table.columns:
            return base, fam
        name = f"{rng.choice(COLUMN_PREFIXES)}_{base}"
        if name not in table.columns:
            return name, fam
    k = 2
    base, fam = rng.choice([c for c in COLUMN_POOL
                            if family is None or c[1] == family])
    while f"{base}_{k}" in table.columns:
        k += 1
    return f"{base}_{k}", fam


def free_name(schema: Schema, preferred: str, prefix: str, table: str) -> str:
    """`preferred` if it fits and is unused, else a counter-based name."""
    if len(preferred.encode()) <= MAX_NAME and preferred not in schema.objects:
        return preferred
    while True:
        name = f"{prefix}_{table[:40]}_{schema.next_counter()}"
        if name not in schema.objects:
            return name


# --------------------------------------------------------------------------
# Column construction


def neutral_type(rng, family: str) -> str:
    if family == "string":
        return f"string({rng.choice(STRING_LENGTHS)})"
    if family == "decimal":
        return "decimal(10,2)"
    return family


def default_for(rng, family: str):
    if family == "string":
        return rng.choice(STRING_DEFAULTS)
    if family in ("integer", "bigint"):
        return rng.choice(INTEGER_DEFAULTS)
    if family == "boolean":
        return rng.random() < 0.5
    if family == "decimal":
        return rng.choice(DECIMAL_DEFAULTS)
    return None


def backfill_for(family: str):
    return {"string": "unknown", "text": "", "integer": 0, "bigint": 0,
            "boolean": False, "decimal": 0.0}[family]


def new_column(rng, name: str, family: str, in_create: bool) -> Column:
    """A column for create_table or add_column (NOT NULL only with a default
    when added to an existing table)."""
    col = Column(name=name, type=neutral_type(rng, family))
    if family == "datetime":
        if in_create and name in ("created_at", "updated_at"):
            col.nullable, col.default = False, CURRENT_TIMESTAMP
        return col
    if family == "text":
        col.nullable = not (in_create and rng.random() < 0.2)
        return col
    roll = rng.random()
    if roll < 0.25:
        col.nullable, col.default = False, default_for(rng, family)
    elif roll < 0.35 and in_create:
        col.nullable = False
    elif roll < 0.45:
        col.default = default_for(rng, family)
    return col


def column_toml_dict(col: Column) -> dict:
    d = {"name": col.name, "type": col.type}
    if col.primary_key:
        d["primary_key"] = True
        d["autoincrement"] = True
        return d
    if not col.nullable:
        d["nullable"] = False
    if col.default is not None:
        d["default"] = col.default
    return d


# --------------------------------------------------------------------------
# Operation generators: each returns an op dict, or None if impossible now.


def pick_table(rng, schema: Schema):
    """Half the time one of the 25 newest tables, else any table."""
    if not schema.table_order:
        return None
    if rng.random() < 0.5:
        name = rng.choice(schema.table_order[-25:])
    else:
        name = rng.choice(schema.table_order)
    return schema.tables[name]


def non_pk_columns(table: Table):
    return [c for c in table.columns.values() if not c.primary_key]


def op_create_table(rng, schema: Schema, ctx):
    name = fresh_table_name(rng, schema)
    table = Table(name=name)
    table.columns["id"] = Column("id", "integer", nullable=False,
                                 primary_key=True)
    for base, fam in rng.sample(COLUMN_POOL, rng.randint(4, 29)):
        table.columns[base] = new_column(rng, base, fam, in_create=True)
    schema.tables[name] = table
    schema.table_order.append(name)
    schema.add_object(Index(name=f"pk_{name}", table=name, columns=["id"],
                            kind="pk"))
    return {"op": "create_table", "table": name,
            "columns": [column_toml_dict(c) for c in table.columns.values()],
            "_columns": [copy.copy(c) for c in table.columns.values()]}


def op_add_column(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    cname, fam = fresh_column_name(rng, table)
    col = new_column(rng, cname, fam, in_create=False)
    table.columns[cname] = col
    return {"op": "add_column", "table": table.name,
            "column": column_toml_dict(col), "_column": copy.copy(col)}


def choose_index_columns(rng, schema: Schema, table: Table, max_cols: int):
    cands = [c.name for c in non_pk_columns(table) if c.indexable]
    if not cands:
        return None
    roll = rng.random()
    k = 1 if roll < 0.7 else (2 if roll < 0.95 else 3)
    cols = rng.sample(cands, min(k, max_cols, len(cands)))
    existing = {tuple(o.columns) for o in schema.table_objects(table)}
    if tuple(cols) in existing:
        return None
    return cols


def op_create_index(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    cols = choose_index_columns(rng, schema, table, 3)
    if cols is None:
        return None
    unique = rng.random() < 0.1
    convention = f"ix_{table.name}_{'_'.join(cols)}"
    op = {"op": "create_index", "table": table.name, "columns": cols}
    if (rng.random() < 0.6 and len(convention.encode()) <= MAX_NAME
            and convention not in schema.objects):
        name = convention
    else:
        name = free_name(schema, f"idx_{table.name}_{cols[0]}", "ix",
                         table.name)
        op["name"] = name
    if unique:
        op["unique"] = True
    schema.add_object(Index(name=name, table=table.name, columns=list(cols),
                            unique=unique))
    op["_name"] = name
    return op


def table_snapshot(schema: Schema, table: Table, ctx):
    """What gen_alembic needs for a SQLite batch rebuild (only on request)."""
    if not ctx.get("snapshots"):
        return None
    return {"columns": [copy.copy(c) for c in table.columns.values()],
            "objects": [copy.deepcopy(o) for o in schema.table_objects(table)]}


def alter_widen(rng, schema, table, ctx):
    used = schema.used_columns(table)
    cands = []
    for c in non_pk_columns(table):
        length = c.length
        cap = INDEXABLE_MAX_LENGTH if c.name in used else WIDEN_LADDER[-1]
        if length is not None and length < cap:
            cands.append((c, [n for n in WIDEN_LADDER if length < n <= cap]))
    if not cands:
        return None
    col, choices = rng.choice(cands)
    before = copy.copy(col)
    col.type = f"string({rng.choice(choices)})"
    return {"op": "alter_column", "table": table.name, "column": col.name,
            "type": col.type, "_variant": "widen", "_before": before}


def alter_not_null(rng, schema, table, ctx):
    cands = [c for c in non_pk_columns(table)
             if c.nullable and c.family in BACKFILLABLE]
    if not cands:
        return None
    col = rng.choice(cands)
    before = copy.copy(col)
    col.nullable = False
    return {"op": "alter_column", "table": table.name, "column": col.name,
            "nullable": False, "backfill": backfill_for(col.family),
            "_variant": "not_null", "_before": before}


def alter_default(rng, schema, table, ctx):
    cands = [c for c in non_pk_columns(table) if c.family in DEFAULTABLE]
    if not cands:
        return None
    col = rng.choice(cands)
    before = copy.copy(col)
    if col.default is not None and rng.random() < 0.25:
        new = None
    else:
        new = default_for(rng, col.family)
        if col.family == "boolean":
            new = True   # `default = false` would mean "drop the default"
        if new == col.default:
            return None
    col.default = new
    return {"op": "alter_column", "table": table.name, "column": col.name,
            "default": False if new is None else new,
            "_variant": "default", "_before": before}


def op_alter_column(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    snapshot = table_snapshot(schema, table, ctx)
    variant = rng.choice([alter_widen, alter_not_null, alter_default])
    op = variant(rng, schema, table, ctx)
    if op is not None:
        op["_table"] = snapshot
    return op


def op_rename_column(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    cands = non_pk_columns(table)
    if not cands:
        return None
    col = rng.choice(cands)
    new_name, _ = fresh_column_name(rng, table, col.family)
    before = copy.copy(col)
    col.name = new_name
    table.columns = {(new_name if k == before.name else k): v
                     for k, v in table.columns.items()}
    for obj in schema.table_objects(table):
        obj.columns = [new_name if c == before.name else c
                       for c in obj.columns]
    return {"op": "rename_column", "table": table.name,
            "column": before.name, "new_name": new_name, "_before": before}


def op_drop_index(rng, schema: Schema, ctx):
    if not len(schema.plain_indexes):
        return None
    name = schema.plain_indexes.choice(rng)
    table = schema.objects[name].table
    schema.remove_object(name)
    return {"op": "drop_index", "name": name, "_table_name": table}


def op_create_unique_constraint(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    snapshot = table_snapshot(schema, table, ctx)
    cols = choose_index_columns(rng, schema, table, 2)
    if cols is None:
        return None
    name = free_name(schema, f"uq_{table.name}_{'_'.join(cols)}", "uq",
                     table.name)
    schema.add_object(Index(name=name, table=table.name, columns=list(cols),
                            kind="unique", unique=True))
    return {"op": "create_unique_constraint", "table": table.name,
            "columns": cols, "name": name, "_table": snapshot}


def op_drop_column(rng, schema: Schema, ctx):
    table = pick_table(rng, schema)
    if table is None:
        return None
    used = schema.used_columns(table)
    cands = [c for c in non_pk_columns(table) if c.name not in used]
    if not cands or len(table.columns) <= 2:
        return None
    col = rng.choice(cands)
    del table.columns[col.name]
    return {"op": "drop_column", "table": table.name, "column": col.name,
            "_before": copy.copy(col)}


OP_FUNCS = {
    "add_column": op_add_column,
    "create_index": op_create_index,
    "create_table": op_create_table,
    "alter_column": op_alter_column,
    "rename_column": op_rename_column,
    "drop_index": op_drop_index,
    "create_unique_constraint": op_create_unique_constraint,
    "drop_column": op_drop_column,
}


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def next_operation(rng, schema: Schema, ctx) -> dict:
    for _ in range(20):
        kind = weighted(rng, OP_WEIGHTS)
        op = OP_FUNCS[kind](rng, schema, ctx)
        if op is not None:
            return op
    return op_create_table(rng, schema, ctx)


def message_for(op: dict) -> str:
    kind = op["op"]
    if kind == "create_table":
        return f"create table {op['table']}"
    if kind == "add_column":
        return f"add {op['column']['name']} to {op['table']}"
    if kind == "create_index":
        return f"index {op['table']} on {', '.join(op['columns'])}"
    if kind == "alter_column":
        return f"alter {op['table']}.{op['column']}"
    if kind == "rename_column":
        return f"rename {op['table']}.{op['column']} to {op['new_name']}"
    if kind == "drop_index":
        return f"drop index {op['name']}"
    if kind == "create_unique_constraint":
        return f"unique {op['table']} on {', '.join(op['columns'])}"
    return f"drop {op['table']}.{op['column']}"


def generate(n: int, seed: int = DEFAULT_SEED, snapshots: bool = False):
    """The revisions, oldest first: dicts with revision, down_revision,
    message and upgrade (a list of op dicts)."""
    rng = random.Random(seed)
    schema = Schema()
    ctx = {"snapshots": snapshots}
    ids = revision_ids(n, seed)
    revisions = []
    for i, rid in enumerate(ids):
        count = weighted(rng, OPS_PER_REVISION)
        ops = [next_operation(rng, schema, ctx) for _ in range(count)]
        revisions.append({"revision": rid,
                          "down_revision": ids[i - 1] if i else None,
                          "message": message_for(ops[0]),
                          "upgrade": ops})
    return revisions


# --------------------------------------------------------------------------
# TOML output


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)   # a valid TOML basic string for our text
    if isinstance(value, tuple):   # ("expr", "current_timestamp")
        return "{ %s = %s }" % (value[0], json.dumps(value[1]))
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def op_toml(op: dict) -> str:
    lines = ["", "[[upgrade]]"]
    for key, value in op.items():
        if key.startswith("_"):
            continue
        if key == "columns" and op["op"] == "create_table":
            lines.append("columns = [")
            lines.extend(f"  {toml_value(c)}," for c in value)
            lines.append("]")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines)


def revision_toml(rev: dict) -> str:
    head = [f'revision = "{rev["revision"]}"']
    if rev["down_revision"]:
        head.append(f'down_revision = "{rev["down_revision"]}"')
    head.append(f"message = {toml_value(rev['message'])}")
    body = "".join(op_toml(op) + "\n" for op in rev["upgrade"])
    return "\n".join(head) + "\n" + body


def slug(message: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in message.lower())
    return "_".join(p for p in out.split("_") if p)[:40]


def op_mix(revisions) -> dict:
    mix: dict = {}
    for rev in revisions:
        for op in rev["upgrade"]:
            key = op["op"] + (f":{op['_variant']}" if "_variant" in op else "")
            mix[key] = mix.get(key, 0) + 1
    return dict(sorted(mix.items()))


def write_project(revisions, outdir: str):
    """Write outdir/revisions/<id>_<slug>.toml atomically (via a temp dir)."""
    tmp = outdir.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "revisions"))
    for rev in revisions:
        fname = f"{rev['revision']}_{slug(rev['message'])}.toml"
        with open(os.path.join(tmp, "revisions", fname), "w") as f:
            f.write(revision_toml(rev))
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump({"revisions": len(revisions),
                   "head": revisions[-1]["revision"] if revisions else None,
                   "operations": op_mix(revisions)}, f, indent=2)
        f.write("\n")
    shutil.rmtree(outdir, ignore_errors=True)
    os.rename(tmp, outdir)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of revisions")
    ap.add_argument("outdir", help="project folder to (re)create")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    revisions = generate(args.n, args.seed)
    write_project(revisions, args.outdir)
    print(f"wrote {args.n} revisions to {args.outdir}/revisions",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
