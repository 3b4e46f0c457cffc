//! The lint of `check` (SPEC 11): for one dialect and target version, the
//! changes of one revision that take a heavy lock on, or rewrite, a table
//! that existed before the revision. A function of the revision's changes
//! and the steps planned from them: a table the same revision creates is
//! empty and unseen, so it is never at risk. Each finding is a warning with
//! an `S1xx` code, at the operation that causes it.
//!
//! The rules, by engine:
//! - PostgreSQL (https://www.postgresql.org/docs/15/sql-altertable.html,
//!   https://www.postgresql.org/docs/15/sql-createindex.html,
//!   https://www.postgresql.org/docs/15/explicit-locking.html): CREATE INDEX
//!   without CONCURRENTLY blocks writes (SHARE); ADD FOREIGN KEY or CHECK
//!   without NOT VALID scans every row under the ALTER's lock; SET NOT NULL
//!   scans the table under ACCESS EXCLUSIVE; a type change rewrites the table
//!   unless the old type is binary-coercible to the new (a longer or unbounded
//!   VARCHAR, VARCHAR to TEXT, a NUMERIC of more precision and the same scale).
//! - MySQL 8.4 / MariaDB (MySQL 8.4 manual, 17.12.1 "Online DDL Operations",
//!   https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html;
//!   MariaDB "InnoDB Online DDL Operations with ALGORITHM=INPLACE"): changing a
//!   column's data type is ALGORITHM=COPY (the table is copied, writes blocked)
//!   except extending a VARCHAR within the same length-byte size (both at most
//!   255 bytes, or both above); ADD FOREIGN KEY with foreign_key_checks on is
//!   COPY; making a column NOT NULL rebuilds the table in place.
//! - SQLite: a table rebuild copies every row under the database's write lock.

use crate::base::codes::{self, Code};
use crate::base::diag::Diagnostic;
use crate::dialect::{AlterColumn, Dialect, Parser};
use crate::plan::step::{Placement, Step, StepKind};
use crate::replay::model::{ColumnType, Constraint};
use crate::replay::{Change, Resolved};

/// The lint findings of one revision's changes, and of the steps planned
/// from them, for one dialect.
pub fn revision(d: &Dialect, changes: &[Resolved], steps: &[Step]) -> Vec<Diagnostic> {
    let mut created: Vec<&str> = vec![];
    let mut out = vec![];
    let engine = Engine::of(d);
    for r in changes {
        match &r.change {
            Change::CreateTable { name, .. } => created.push(name),
            Change::RenameTable { from, to } => {
                if let Some(c) = created.iter_mut().find(|c| **c == from.as_str()) {
                    *c = to;
                }
            }
            _ => {}
        }
        let Some(table) = r.change.altered_table() else {
            if let Change::DropTable { table, .. } = &r.change {
                named_in_raw_sql(&mut out, r, &table.name, None);
            }
            continue;
        };
        if created.contains(&table) {
            continue;
        }
        // The online plan (`[safety] online`, SPEC 11) avoids what a finding
        // warns of: its steps say so, and the finding is not made.
        let planned = |f: &dyn Fn(&Step) -> bool| steps.iter().any(f);
        let online_index = |name: &str| planned(&|s| matches!(&s.kind, StepKind::CreateIndex { index, concurrently: true, .. } if index.name == name));
        let online_constraint = |name: &str| planned(&|s| matches!(&s.kind, StepKind::AddConstraintNotValid { constraint, .. } if constraint.name() == name));
        let online_not_null =
            |column: &str| planned(&|s| matches!(&s.kind, StepKind::AddNotNullCheck { table: t, column: c, .. } if t == table && c == column));
        let online_backfill = |column: &str| {
            planned(&|s| {
                s.placement == Placement::OwnTransaction && matches!(&s.kind, StepKind::Backfill { table: t, column: c, .. } if t == table && c == column)
            })
        };
        let mut find = |code: Code, message: String, label: &str| {
            out.push(Diagnostic::warning(code, message).at(r.span, label.to_string()));
        };
        match (&r.change, engine) {
            (Change::CreateIndex { index, concurrently: false, .. }, Engine::Postgres) if !online_index(&index.name) => find(
                codes::LINT_INDEX_LOCKS,
                format!("index `{}` is built on existing table `{table}` without `concurrently = true`: writes to the table wait for the whole build", index.name),
                "blocks writes while the index is built",
            ),
            (Change::AddConstraint { constraint: Constraint::ForeignKey(fk), .. }, Engine::Postgres) if !online_constraint(&fk.name) => find(
                codes::LINT_CONSTRAINT_VALIDATES,
                format!(
                    "foreign key `{}` is added to existing table `{table}` and validated at once: every row is checked while writes to `{table}` and `{}` wait",
                    fk.name, fk.ref_table
                ),
                "validates under the lock",
            ),
            (Change::AddConstraint { constraint: Constraint::Check { name, .. }, .. }, Engine::Postgres) if !online_constraint(name) => find(
                codes::LINT_CONSTRAINT_VALIDATES,
                format!("check `{name}` is added to existing table `{table}` and validated at once: every row is checked under ACCESS EXCLUSIVE"),
                "validates under the lock",
            ),
            (Change::AddConstraint { constraint: Constraint::ForeignKey(fk), .. }, Engine::MySql) => find(
                codes::LINT_COPIES_TABLE,
                format!("foreign key `{}` is added to existing table `{table}`: with foreign_key_checks on this is ALGORITHM=COPY, which copies the table and blocks writes", fk.name),
                "copies the table",
            ),
            (Change::AlterColumn { old, new, backfill, .. }, _) => {
                if old.nullable && !new.nullable && engine != Engine::Sqlite && !online_not_null(&new.name) {
                    let how = if engine == Engine::Postgres {
                        "scans every row under ACCESS EXCLUSIVE"
                    } else {
                        "rebuilds the table"
                    };
                    find(
                        codes::LINT_SET_NOT_NULL,
                        format!("`{table}`.`{}` becomes NOT NULL on an existing table: this {how}", new.name),
                        "SET NOT NULL",
                    );
                }
                if old.ty != new.ty && rewrites(engine, &old.ty, &new.ty) {
                    let how = if engine == Engine::Postgres {
                        "rewrites the table under ACCESS EXCLUSIVE"
                    } else {
                        "is ALGORITHM=COPY: the table is copied and writes wait"
                    };
                    let code = if engine == Engine::Postgres { codes::LINT_TYPE_REWRITES } else { codes::LINT_COPIES_TABLE };
                    find(
                        code,
                        format!("`{table}`.`{}` changes from {} to {}: this {how}", new.name, old.ty.neutral(), new.ty.neutral()),
                        "type change",
                    );
                }
                if backfill.is_some() && engine == Engine::Postgres && !online_backfill(&new.name) {
                    find(
                        codes::LINT_BACKFILL_UNDER_LOCK,
                        format!(
                            "the backfill of `{table}`.`{}` updates every NULL row in the revision's transaction, which holds the ALTER's ACCESS EXCLUSIVE lock until it commits",
                            new.name
                        ),
                        "UPDATE under a DDL lock",
                    );
                }
            }
            (Change::DropColumn { column, .. }, _) => named_in_raw_sql(&mut out, r, table, Some(&column.name)),
            _ => {}
        }
    }
    if engine == Engine::Sqlite {
        for s in steps {
            if let StepKind::Rebuild(rb) = &s.kind {
                if !created.contains(&rb.table.as_str()) {
                    out.push(
                        Diagnostic::warning(
                            codes::LINT_SQLITE_REBUILD,
                            format!(
                                "existing table `{}` is rebuilt: every row is copied while the database is locked for writing",
                                rb.table
                            ),
                        )
                        .at(s.span, "rebuilds the table"),
                    );
                }
            }
        }
    }
    out
}

/// A dropped table or column that raw SQL of an earlier revision (an
/// `execute`, a trigger, a view) still names.
fn named_in_raw_sql(out: &mut Vec<Diagnostic>, r: &Resolved, table: &str, column: Option<&str>) {
    let name = column.unwrap_or(table);
    let names = |sql: &str| crate::base::sqlwords::identifiers(sql).iter().any(|w| w.eq_ignore_ascii_case(name));
    let deps = &r.dependents;
    let texts = deps
        .opaque
        .iter()
        .map(|o| o.sql.as_str())
        .chain(deps.triggers.iter().flat_map(|t| t.sql.values().map(String::as_str)))
        .chain(deps.views.iter().flat_map(|v| v.sql.0.values().map(String::as_str)));
    if texts.into_iter().any(names) {
        let what = match column {
            Some(c) => format!("column `{table}`.`{c}`"),
            None => format!("table `{table}`"),
        };
        out.push(
            Diagnostic::warning(
                codes::LINT_DROPPED_BUT_NAMED,
                format!("{what} is dropped, but raw SQL of an earlier revision (an execute, a trigger or a view) still names it"),
            )
            .at(r.span, "still named in raw SQL"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Postgres,
    MySql,
    Sqlite,
}

impl Engine {
    fn of(d: &Dialect) -> Engine {
        match (d.data.alter_column, d.data.sqlparser) {
            (AlterColumn::Rebuild, _) => Engine::Sqlite,
            (_, Parser::Mysql) => Engine::MySql,
            _ => Engine::Postgres,
        }
    }
}

/// Whether changing a column's type rewrites (PostgreSQL) or copies (MySQL) the table.
fn rewrites(engine: Engine, old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    match engine {
        Engine::Sqlite => false,
        Engine::Postgres => {
            !matches!(
                (old, new),
                (T::String(Some(a)), T::String(Some(b))) if b >= a
            ) && !matches!((old, new), (T::String(_), T::String(None) | T::Text))
                && !matches!((old, new), (T::Decimal(Some((p1, s1))), T::Decimal(Some((p2, s2)))) if p2 >= p1 && s2 == s1)
        }
        // utf8mb4: up to 4 bytes a character; a VARCHAR of at most 255 bytes
        // keeps a 1-byte length prefix, a longer one a 2-byte prefix.
        Engine::MySql => !matches!(
            (old, new),
            (T::String(Some(a)), T::String(Some(b))) if b >= a && ((*a as u64) * 4 > 255) == ((*b as u64) * 4 > 255)
        ),
    }
}
