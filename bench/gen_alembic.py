#!/usr/bin/env python3
"""Write the bench's synthetic project as an Alembic migration environment.

The revisions are the very ones gen_project.py writes as TOML (same seed,
same ids, same operations), re-generated through gen_project.generate(), as
`versions/<id>_x.py` scripts using the usual `op.*` calls:

    create_table              op.create_table(..., PrimaryKeyConstraint(name=))
    add_column                op.add_column(sa.Column(...))
    create_index / drop_index op.create_index(name, ...) / op.drop_index(...)
    alter_column              op.alter_column(..., existing_type=...,
                              existing_nullable=..., existing_server_default=)
                              (a NOT NULL change is preceded by the UPDATE
                              that backfills NULL rows, as schemac does)
    rename_column             op.alter_column(..., new_column_name=...)
    create_unique_constraint  op.create_unique_constraint(name, ...)
    drop_column               op.drop_column(...)

SQLite cannot ALTER a column or add a constraint, and Alembic's offline mode
cannot reflect, so on SQLite those two operations use what an Alembic user
must write there: `op.batch_alter_table(..., copy_from=sa.Table(...),
recreate="always")` with the table's full definition at that point. That is
the same copy-and-move rebuild schemac emits, so the SQLite comparison
compares like with like.

The environment: alembic.ini (script_location = migrations), migrations/env.py
(offline only; the URL comes from `-x url=...`, default sqlite://;
`literal_binds=True`), migrations/script.py.mako, migrations/versions/.

    python3 bench/gen_alembic.py 1000 target/bench/alembic/1000 [--seed S]
    cd target/bench/alembic/1000 && alembic -x url=postgresql:// upgrade base:head --sql
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_project  # noqa: E402

ALEMBIC_INI = """\
[alembic]
script_location = migrations
sqlalchemy.url = sqlite://

[loggers]
keys = root,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_alembic]
level = WARNING
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''\
"""Offline-only Alembic environment for the schemac benchmark."""
from logging.config import fileConfig

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def run_migrations_offline():
    """Emit SQL for the dialect of `-x url=...` (default sqlite://)."""
    url = context.get_x_argument(as_dictionary=True).get(
        "url", config.get_main_option("sqlalchemy.url"))
    context.configure(url=url, target_metadata=None, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    raise SystemExit("this benchmark environment is offline only (--sql)")
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


# --------------------------------------------------------------------------
# Python expressions for types, defaults and columns


def sa_type(neutral: str) -> str:
    if neutral.startswith("string("):
        return f"sa.String({neutral[7:-1]})"
    return {"integer": "sa.Integer()", "bigint": "sa.BigInteger()",
            "boolean": "sa.Boolean()", "text": "sa.Text()",
            "decimal(10,2)": "sa.Numeric(10, 2)",
            "datetime": "sa.DateTime()"}[neutral]


def server_default(value) -> str:
    """A server_default argument for a TOML default value (None: none)."""
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return "sa.func.current_timestamp()"
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    if isinstance(value, (int, float)):
        return f"sa.text({str(value)!r})"
    return repr(value)


def sa_column(col) -> str:
    args = [repr(col.name), sa_type(col.type)]
    if col.primary_key:
        args.append("autoincrement=True")
    args.append(f"nullable={col.nullable and not col.primary_key}")
    if col.default is not None:
        args.append(f"server_default={server_default(col.default)}")
    return f"sa.Column({', '.join(args)})"


def existing_kwargs(col) -> str:
    return (f"existing_type={sa_type(col.type)}, "
            f"existing_nullable={col.nullable}, "
            f"existing_server_default={server_default(col.default)}")


def table_def(name: str, snapshot: dict) -> str:
    """sa.Table(...) with the full definition, for a batch copy_from."""
    parts = [repr(name), "sa.MetaData()"]
    parts += [sa_column(c) for c in snapshot["columns"]]
    for obj in snapshot["objects"]:
        cols = ", ".join(repr(c) for c in obj.columns)
        if obj.kind == "pk":
            parts.append(f"sa.PrimaryKeyConstraint({cols}, name={obj.name!r})")
        elif obj.kind == "unique":
            parts.append(f"sa.UniqueConstraint({cols}, name={obj.name!r})")
        else:
            parts.append(f"sa.Index({obj.name!r}, {cols}"
                         f"{', unique=True' if obj.unique else ''})")
    return "sa.Table(\n            " + ",\n            ".join(parts) + ")"


# --------------------------------------------------------------------------
# Operations


def alter_calls(op: dict, target: str, with_table: bool) -> list:
    """The statements for one alter_column op, on `op` or a batch op."""
    before = op["_before"]
    tbl = f"{op['table']!r}, " if with_table else ""
    col = op["column"]
    variant = op["_variant"]
    if variant == "widen":
        return [f"{target}.alter_column({tbl}{col!r}, "
                f"type_={sa_type(op['type'])}, {existing_kwargs(before)})"]
    if variant == "not_null":
        return [backfill_call(op), f"{target}.alter_column({tbl}{col!r}, "
                f"nullable=False, {existing_kwargs(before)})"]
    return [f"{target}.alter_column({tbl}{col!r}, "
            f"server_default={server_default(None if op['default'] is False else op['default'])}, "
            f"{existing_kwargs(before)})"]


def backfill_call(op: dict) -> str:
    before, col = op["_before"], op["column"]
    value = op["backfill"]
    return (f"op.execute(sa.table({op['table']!r}, sa.column({col!r}, "
            f"{sa_type(before.type)})).update()"
            f".where(sa.column({col!r}).is_(None)).values({{{col!r}: {value!r}}}))")


def batch_block(op: dict, calls_fn) -> list:
    """`if sqlite: batch rebuild else: plain op` lines for one operation."""
    table = op["table"]
    lines = ["if sqlite:"]
    body = calls_fn("batch_op", False)
    pre = [c for c in body if c.startswith("op.execute")]
    post = [c for c in body if not c.startswith("op.execute")]
    lines += ["    " + c for c in pre]
    lines.append(f"    with op.batch_alter_table({table!r}, copy_from="
                 f"{table_def(table, op['_table'])}, "
                 f"recreate='always') as batch_op:")
    lines += ["        " + c for c in post]
    lines.append("else:")
    lines += ["    " + c for c in calls_fn("op", True)]
    return lines


def op_lines(op: dict) -> list:
    kind = op["op"]
    t = op["table"] if "table" in op else None
    if kind == "create_table":
        cols = ",\n        ".join(sa_column(c) for c in op["_columns"])
        return [f"op.create_table(\n        {t!r},\n        {cols},\n"
                f"        sa.PrimaryKeyConstraint('id', name={'pk_' + t!r}))"]
    if kind == "add_column":
        return [f"op.add_column({t!r}, {sa_column(op['_column'])})"]
    if kind == "create_index":
        unique = ", unique=True" if op.get("unique") else ""
        return [f"op.create_index({op['_name']!r}, {t!r}, "
                f"{op['columns']!r}{unique})"]
    if kind == "drop_index":
        return [f"op.drop_index({op['name']!r}, "
                f"table_name={op['_table_name']!r})"]
    if kind == "drop_column":
        return [f"op.drop_column({t!r}, {op['column']!r})"]
    if kind == "rename_column":
        return [f"op.alter_column({t!r}, {op['column']!r}, "
                f"new_column_name={op['new_name']!r}, "
                f"{existing_kwargs(op['_before'])})"]
    if kind == "alter_column":
        return batch_block(op, lambda target, with_table:
                           alter_calls(op, target, with_table))
    if kind == "create_unique_constraint":
        def calls(target, with_table):
            tbl = f"{t!r}, " if with_table else ""
            return [f"{target}.create_unique_constraint({op['name']!r}, "
                    f"{tbl}{op['columns']!r})"]
        return batch_block(op, calls)
    raise ValueError(f"unknown op {kind}")


def revision_py(rev: dict) -> str:
    body = []
    needs_sqlite = any(op["op"] in ("alter_column", "create_unique_constraint")
                       for op in rev["upgrade"])
    if needs_sqlite:
        body.append('sqlite = op.get_context().dialect.name == "sqlite"')
    for op in rev["upgrade"]:
        body += op_lines(op)
    upgrade = "\n".join("    " + line for line in "\n".join(body).split("\n"))
    return (f'"""{rev["message"]}\n\nRevision ID: {rev["revision"]}\n'
            f'Revises: {rev["down_revision"] or ""}\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {rev['revision']!r}\n"
            f"down_revision = {rev['down_revision']!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{upgrade}\n\n\n"
            "def downgrade():\n    pass\n")


def write_env(revisions, outdir: str):
    """Write the environment atomically (via a temporary folder)."""
    tmp = outdir.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    versions = os.path.join(tmp, "migrations", "versions")
    os.makedirs(versions)
    files = {"alembic.ini": ALEMBIC_INI, "migrations/env.py": ENV_PY,
             "migrations/script.py.mako": SCRIPT_MAKO}
    for rel, text in files.items():
        with open(os.path.join(tmp, rel), "w") as f:
            f.write(text)
    for rev in revisions:
        with open(os.path.join(versions, f"{rev['revision']}_x.py"), "w") as f:
            f.write(revision_py(rev))
    shutil.rmtree(outdir, ignore_errors=True)
    os.rename(tmp, outdir)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of revisions")
    ap.add_argument("outdir", help="Alembic environment folder to (re)create")
    ap.add_argument("--seed", type=int, default=gen_project.DEFAULT_SEED)
    args = ap.parse_args(argv)
    write_env(gen_project.generate(args.n, args.seed, snapshots=True),
              args.outdir)
    print(f"wrote {args.n} Alembic revisions to {args.outdir}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
