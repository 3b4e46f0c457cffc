//! Derived downgrades: the operations that undo a change, built from the
//! change itself (which carries the full definition of whatever it dropped
//! or altered), and a revision's whole derived downgrade from its changes.
//! The result replays into exactly the schema before the revision. The
//! driver only asks `revision_downgrade`; what a derived downgrade holds and
//! in which order is decided here.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Sp, Span};
use crate::replay::model::*;
use crate::replay::Change;
use crate::vocab::ops::*;

fn sp<T>(v: T, span: Span) -> Sp<T> {
    Sp::new(v, span)
}

/// The column as a spec with no inline constraints.
pub fn column_spec(c: &Column, span: Span) -> ColumnSpec {
    ColumnSpec {
        name: sp(c.name.clone(), span),
        ty: sp(c.ty.clone(), span),
        nullable: Some(c.nullable),
        default: c.default.clone().map(|d| Box::new(sp(d, span))),
        primary_key: false,
        autoincrement: c.autoincrement,
        unique: false,
        references: None,
        on_delete: None,
        on_update: None,
        comment: c.comment.clone(),
        generated: c.generated.as_ref().map(|g| Box::new(sp((**g).clone(), span))),
        collation: c.collation.as_ref().map(|g| Box::new(sp((**g).clone(), span))),
        span,
    }
}

pub fn constraint_spec(c: &Constraint, span: Span) -> ConstraintSpec {
    match c {
        Constraint::PrimaryKey { name, columns } => ConstraintSpec::PrimaryKey {
            name: Some(sp(name.clone(), span)),
            columns: sp(columns.clone(), span),
        },
        Constraint::Unique { name, columns } => ConstraintSpec::Unique {
            name: Some(sp(name.clone(), span)),
            columns: sp(columns.clone(), span),
        },
        Constraint::Check { name, expr, dialects } => ConstraintSpec::Check {
            name: Some(sp(name.clone(), span)),
            expr: sp(expr.clone(), span),
            dialects: dialects.clone(),
        },
        Constraint::ForeignKey(fk) => ConstraintSpec::ForeignKey(ForeignKeySpec {
            name: Some(sp(fk.name.clone(), span)),
            columns: sp(fk.columns.clone(), span),
            ref_table: sp(fk.ref_table.clone(), span),
            ref_columns: sp(fk.ref_columns.clone(), span),
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            span,
        }),
    }
}

pub fn index_spec(i: &Index, span: Span) -> IndexSpec {
    IndexSpec {
        name: Some(sp(i.name.clone(), span)),
        columns: sp(i.columns.clone(), span),
        unique: i.unique,
        where_: i.where_.clone().map(|w| sp(w, span)),
        concurrently: false,
        options: i.options.clone(),
        option_spans: vec![],
        span,
    }
}

/// The whole table as a create_table spec with every name explicit.
pub fn table_spec(t: &Table, span: Span) -> TableSpec {
    TableSpec {
        table: sp(t.name.clone(), span),
        columns: t.columns.values().map(|c| column_spec(c, span)).collect(),
        constraints: t.constraints.iter().map(|c| constraint_spec(c, span)).collect(),
        indexes: t.indexes.iter().map(|i| index_spec(i, span)).collect(),
        comment: t.comment.clone(),
        options: t.options.clone(),
    }
}

/// A sequence as the create_sequence that makes it again.
pub fn sequence_spec(q: &Sequence, span: Span) -> SequenceSpec {
    SequenceSpec {
        name: sp(q.name.clone(), span),
        start: q.start,
        increment: q.increment,
        min: q.min,
        max: q.max,
        cycle: q.cycle,
        owned_by: q.owned_by.clone().map(|o| sp(o, span)),
    }
}

fn node(op: Op, span: Span, warning: Option<String>) -> OpNode {
    OpNode {
        op,
        span,
        derived: Some(DerivedNote { warning, enum_check: None }),
    }
}

/// The `alter_enum`s that undo one: the renames undone, each removed value
/// added back where it was (rows `map` rewrote keep their new value), then
/// the added values removed.
fn enum_inverse(name: &str, old: &[String], new: &[String], renamed: &[(String, String)], mapped: &[(String, String)], span: Span) -> Vec<OpNode> {
    let change = |add: Vec<String>, before: Option<String>, after: Option<String>, rename: Vec<(String, String)>, remove: Vec<String>| {
        Op::AlterEnum(EnumChange {
            name: sp(name.to_string(), span),
            add,
            before: before.map(|b| sp(b, span)),
            after: after.map(|a| sp(a, span)),
            rename,
            remove,
            map: vec![],
        })
    };
    let renamed_to = |v: &String| renamed.iter().fold(v.clone(), |v, (o, n)| if v == *o { n.clone() } else { v });
    let mut out = vec![];
    let back: Vec<(String, String)> = renamed.iter().rev().map(|(o, n)| (n.clone(), o.clone())).collect();
    if !back.is_empty() {
        out.push(node(change(vec![], None, None, back, vec![]), span, None));
    }
    for (i, v) in old.iter().enumerate() {
        if new.contains(&renamed_to(v)) {
            continue;
        }
        let (before, after) = match i {
            // The first value: before the first one that stayed.
            0 => (old.iter().find(|o| new.contains(&renamed_to(o))).cloned(), None),
            _ => (None, Some(old[i - 1].clone())),
        };
        let lost: Vec<String> = mapped.iter().filter(|(o, _)| *o == renamed_to(v)).map(|(_, n)| format!("`{n}`")).collect();
        let warning = (!lost.is_empty()).then(|| format!("`{v}` is added back to `{name}`; the rows mapped to {} keep that value", lost.join(", ")));
        out.push(node(change(vec![v.clone()], before, after, vec![], vec![]), span, warning));
    }
    let kept: Vec<String> = old.iter().map(renamed_to).collect();
    let added: Vec<String> = new.iter().filter(|v| !kept.contains(v)).cloned().collect();
    if !added.is_empty() {
        out.push(node(change(vec![], None, None, vec![], added), span, None));
    }
    out
}

/// The operations that undo `change`, in the order they must run.
pub fn inverse(change: &Change, span: Span, revision: &str) -> Result<Vec<OpNode>, Diagnostic> {
    let s = |v: &str| sp(v.to_string(), span);
    let one = |op: Op| Ok(vec![node(op, span, None)]);
    match change {
        Change::CreateTable { name, .. } => one(Op::DropTable { table: s(name) }),
        Change::DropTable { table, sequences, .. } => {
            // The sequences its columns owned come back after it, owned again,
            // and the defaults that drew from them after those.
            let owned = |c: &Column| matches!(&c.default, Some(Value::Next(q)) if sequences.iter().any(|o| o.name == *q));
            let mut spec = table_spec(table, span);
            for c in spec.columns.iter_mut() {
                if c.default
                    .as_ref()
                    .is_some_and(|d| matches!(&d.v, Value::Next(q) if sequences.iter().any(|o| o.name == *q)))
                {
                    c.default = None;
                }
            }
            let mut out = vec![node(
                Op::CreateTable(spec),
                span,
                Some(format!("table `{}` is re-created empty: the rows it held are not restored", table.name)),
            )];
            for q in sequences {
                out.push(node(Op::CreateSequence(sequence_spec(q, span)), span, None));
            }
            for c in table.columns.values().filter(|c| owned(c)) {
                out.push(node(
                    Op::AlterColumn(AlterSpec {
                        default: Some(c.default.clone().map(|d| sp(d, span))),
                        ..AlterSpec::of(s(&table.name), s(&c.name))
                    }),
                    span,
                    None,
                ));
            }
            Ok(out)
        }
        Change::RenameTable { from, to } => one(Op::RenameTable {
            table: s(to),
            new_name: s(from),
        }),
        Change::AddColumn {
            table, column, constraints, ..
        } => {
            let mut out = vec![];
            // An autoincrement key column loses its key first (which makes it
            // a plain column): drop_column keeps an autoincrement key's column.
            if let Some(k) = constraints
                .iter()
                .find(|c| matches!(c, Constraint::PrimaryKey { .. }))
                .filter(|_| column.autoincrement)
            {
                out.push(node(
                    Op::DropConstraint {
                        table: s(table),
                        name: s(k.name()),
                    },
                    span,
                    None,
                ));
            }
            out.push(node(
                Op::DropColumn {
                    table: s(table),
                    column: s(&column.name),
                },
                span,
                None,
            ));
            Ok(out)
        }
        Change::DropColumn {
            table,
            column,
            constraints,
            indexes,
            ..
        } => {
            // A non-native enum's check comes back with the column, under
            // the name it had (a rename of the column or table kept it).
            let enum_check = |c: &Constraint| match (&column.ty, c) {
                (ColumnType::Enum(e), Constraint::Check { expr, .. }) => !e.native && *expr == enum_check_expr(&column.name, &e.values),
                _ => false,
            };
            // A unique key over the column: its default in every row would
            // make rows equal (conformance seed 153). A nullable column comes
            // back NULL, which a unique key allows in any number of rows, and
            // gets its default once the keys are made; a NOT NULL one cannot,
            // and its keys' steps say so.
            let unique: Vec<&str> = constraints
                .iter()
                .filter_map(|c| match c {
                    Constraint::Unique { name, columns } if columns.contains(&column.name) => Some(name.as_str()),
                    _ => None,
                })
                .chain(indexes.iter().filter(|i| i.unique && i.columns.contains(&column.name)).map(|i| i.name.as_str()))
                .collect();
            let default_later = !unique.is_empty() && column.default.is_some() && column.nullable;
            let key_warning = |name: &str| {
                (!unique.is_empty() && column.default.is_some() && !column.nullable && unique.contains(&name)).then(|| {
                    format!(
                        "column `{table}`.`{}` is re-added NOT NULL with its default in every row: making `{name}` again fails if the table holds more than one row",
                        column.name
                    )
                })
            };
            let mut spec = column_spec(column, span);
            let mut warning = format!(
                "column `{table}`.`{}` is re-added with its definition; its former values are not restored",
                column.name
            );
            if default_later {
                spec.default = None;
                warning = format!(
                    "column `{table}`.`{}` is re-added with its definition, NULL in every row (its default, set after `{}` is made again, would make the rows equal); its former values are not restored",
                    column.name,
                    unique.join("`, `")
                );
            }
            let mut add = node(
                Op::AddColumn {
                    table: s(table),
                    column: spec,
                    backfill: None,
                },
                span,
                Some(warning),
            );
            if let Some(d) = add.derived.as_mut() {
                d.enum_check = constraints.iter().find(|c| enum_check(c)).map(|c| c.name().to_string());
            }
            let mut out = vec![add];
            for c in constraints.iter().filter(|c| !enum_check(c)) {
                out.push(node(
                    Op::AddConstraint {
                        table: s(table),
                        constraint: constraint_spec(c, span),
                    },
                    span,
                    key_warning(c.name()),
                ));
            }
            for i in indexes {
                out.push(node(
                    Op::CreateIndex {
                        table: s(table),
                        index: index_spec(i, span),
                    },
                    span,
                    key_warning(&i.name),
                ));
            }
            if default_later {
                out.push(node(
                    Op::AlterColumn(AlterSpec {
                        default: Some(column.default.clone().map(|d| sp(d, span))),
                        ..AlterSpec::of(s(table), s(&column.name))
                    }),
                    span,
                    None,
                ));
            }
            Ok(out)
        }
        Change::AlterEnum {
            name,
            old,
            new,
            renamed,
            mapped,
            uses,
            ..
        } => {
            let mut ops = enum_inverse(name, old, new, renamed, mapped, span);
            // A default that named a removed value took its mapped one: once
            // the value is back, so is the default (conformance seed 402).
            let kept = |v: &String| new.contains(v) || renamed.iter().any(|(o, _)| o == v);
            for u in uses {
                if let Some(Value::String(d)) = &u.old.default {
                    if !kept(d) && u.old.default != u.new.default {
                        let mut spec = AlterSpec::of(s(&u.table), s(&u.new.name));
                        spec.default = Some(Some(sp(Value::String(d.clone()), span)));
                        ops.push(node(Op::AlterColumn(spec), span, None));
                    }
                }
            }
            Ok(ops)
        }
        Change::RenameColumn { table, from, to, .. } => one(Op::RenameColumn {
            table: s(table),
            column: s(to),
            new_name: s(from),
        }),
        Change::AlterColumn {
            table, old, new, drop_check, ..
        } => enum_check_named(
            one(Op::AlterColumn(AlterSpec {
                table: s(table),
                column: s(&new.name),
                ty: (old.ty != new.ty).then(|| sp(old.ty.clone(), span)),
                nullable: (old.nullable != new.nullable).then_some(old.nullable),
                default: (old.default != new.default).then(|| old.default.clone().map(|d| sp(d, span))),
                comment: (old.comment != new.comment).then(|| old.comment.clone()),
                backfill: None,
                using: None,
                autoincrement: (old.autoincrement != new.autoincrement).then_some(old.autoincrement),
                collation: (old.collation != new.collation).then(|| old.collation.as_ref().map(|c| sp((**c).clone(), span))),
                // The former expression (alter_column changes only a generated column's).
                generated: (old.generated != new.generated)
                    .then(|| old.generated.as_ref().map(|g| Box::new(sp((**g).clone(), span))))
                    .flatten(),
            })),
            // A non-native enum's check the type change dropped comes back under its name.
            drop_check.as_ref().map(|c| c.name()),
        ),
        Change::CreateIndex { index, concurrently, .. } => one(Op::DropIndex {
            name: s(&index.name),
            concurrently: *concurrently,
        }),
        Change::DropIndex { table, index, concurrently } => one(Op::CreateIndex {
            table: s(table),
            index: IndexSpec {
                concurrently: *concurrently,
                ..index_spec(index, span)
            },
        }),
        Change::AddConstraint {
            table,
            constraint,
            made_not_null,
        } => {
            let mut out = vec![node(
                Op::DropConstraint {
                    table: s(table),
                    name: s(constraint.name()),
                },
                span,
                None,
            )];
            // A primary key made its columns NOT NULL; dropping it does not
            // make them nullable again on any engine.
            for c in made_not_null {
                out.push(node(
                    Op::AlterColumn(AlterSpec {
                        nullable: Some(true),
                        ..AlterSpec::of(s(table), s(c))
                    }),
                    span,
                    None,
                ));
            }
            Ok(out)
        }
        Change::DropConstraint {
            table,
            constraint,
            autoincrement,
        } => {
            let mut out = vec![node(
                Op::AddConstraint {
                    table: s(table),
                    constraint: constraint_spec(constraint, span),
                },
                span,
                None,
            )];
            // The key first: MySQL has an AUTO_INCREMENT column only as a key (1075).
            for c in autoincrement {
                out.push(node(
                    Op::AlterColumn(AlterSpec {
                        autoincrement: Some(true),
                        ..AlterSpec::of(s(table), s(&c.name))
                    }),
                    span,
                    None,
                ));
            }
            Ok(out)
        }
        Change::CreateView { view } => one(Op::DropView { name: s(&view.name) }),
        Change::DropView { view } => one(Op::CreateView {
            name: s(&view.name),
            sql: view.sql.clone(),
        }),
        Change::Execute { .. } => Err(Diagnostic::error(
            codes::IRREVERSIBLE_EXECUTE,
            format!("revision `{revision}` has an `execute` and no [[downgrade]]: schemac cannot derive its downgrade"),
        )
        .at(span, "this execute cannot be undone automatically")
        .help("write the revision's [[downgrade]] operations")),
        Change::Insert { table, columns, rows, key } => {
            let Some(key) = key else {
                return Err(Diagnostic::error(
                    codes::IRREVERSIBLE_INSERT,
                    format!("revision `{revision}` inserts rows without their primary key: schemac cannot derive its downgrade"),
                )
                .at(span, "give every row its primary key, or write a [[downgrade]]"));
            };
            let pos: Vec<usize> = key.iter().map(|k| columns.iter().position(|c| &c.name == k).unwrap_or(0)).collect();
            let keys = rows
                .iter()
                .map(|r| pos.iter().map(|&p| r[p].clone().unwrap_or(Value::Null)).collect())
                .collect();
            one(Op::DeleteRows {
                table: s(table),
                key: key.clone(),
                rows: keys,
            })
        }
        Change::RenameIndex { from, index, .. } => one(Op::RenameIndex {
            name: s(&index.name),
            new_name: s(from),
        }),
        Change::RenameConstraint { table, old, new } => one(Op::RenameConstraint {
            table: s(table),
            name: s(new.name()),
            new_name: s(old.name()),
        }),
        Change::AlterTable { table, old, .. } => one(Op::AlterTable {
            table: s(table),
            comment: old.clone(),
        }),
        Change::CreateNamespace { name } => one(Op::DropNamespace { name: s(name) }),
        Change::DropNamespace { name } => one(Op::CreateNamespace { name: s(name) }),
        Change::CreateSequence { seq } => one(Op::DropSequence { name: s(&seq.name) }),
        Change::DropSequence { seq } => one(Op::CreateSequence(sequence_spec(seq, span))),
        Change::AlterSequence { old, restart, increment } => {
            if restart.is_some() {
                return Err(Diagnostic::error(
                    codes::IRREVERSIBLE_SEQUENCE_RESTART,
                    format!(
                        "revision `{revision}` restarts sequence `{}` and has no [[downgrade]]: the position it had is not in the model",
                        old.name
                    ),
                )
                .at(span, "this restart cannot be undone automatically")
                .help("write the revision's [[downgrade]] operations (an alter_sequence with the `restart` to go back to)"));
            }
            one(Op::AlterSequence {
                name: s(&old.name),
                restart: None,
                increment: increment.map(|_| old.increment.unwrap_or(1)),
            })
        }
        Change::Delete { .. } => Err(Diagnostic::error(codes::IRREVERSIBLE_DELETE, "a derived delete cannot be inverted").at(span, "here")),
    }
}

/// The derived downgrade of one revision: the operations that undo its
/// `changes` (each with the span of the operation that made it), in the
/// order they must run, given `after`, the schema once the revision has
/// run. Every change that cannot be undone is reported.
///
/// A table the revision creates is dropped with all it holds, so the
/// inverses of the revision's other changes to it (and of the rows it
/// inserts there) are left out: MySQL may even refuse them, e.g. dropping
/// an index a foreign key uses. The created tables are dropped in the
/// reverse order of their creation; a foreign key (made by
/// create_foreign_key or add_column) from one of them to one created after
/// it is dropped first, or the table it refers to would go while it still
/// refers to it.
pub fn revision_downgrade(changes: &[(Change, Span)], after: &Schema, revision: &Sp<String>) -> Result<Vec<OpNode>, Vec<Diagnostic>> {
    let created: Vec<String> = changes
        .iter()
        .filter_map(|(c, _)| match c {
            Change::CreateTable { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut ops = vec![];
    for (i, name) in created.iter().enumerate() {
        let Some(t) = after.tables.get(name) else { continue };
        let span = changes
            .iter()
            .find(|(c, _)| matches!(c, Change::CreateTable { name: n, .. } if n == name))
            .map(|(_, span)| *span)
            .unwrap_or(revision.span);
        for k in &t.constraints {
            if let Constraint::ForeignKey(fk) = k {
                if created[i + 1..].contains(&fk.ref_table) {
                    ops.push(node(
                        Op::DropConstraint {
                            table: sp(name.clone(), span),
                            name: sp(fk.name.clone(), span),
                        },
                        span,
                        None,
                    ));
                }
            }
        }
    }
    // An enum's change is undone before the created tables go, over every
    // table that uses the enum: the rows inserted into a created table must
    // be gone by then (a removed value still in a row fails the swap).
    let enum_changed = changes.iter().any(|(c, _)| matches!(c, Change::AlterEnum { .. }));
    // A sequence the revision creates and a column draws its default from
    // goes last: a created table's column is not dropped on its own
    // (conformance seed 40: create_table, create_sequence, add_column with
    // its default, even with the table renamed after), and every other
    // column that took it in this revision has given it up by then.
    let feeds_created = |seq: &str| after.sequence_user(seq).is_some();
    let mut last = vec![];
    let mut diags = vec![];
    // A view the revision creates and drops again is undone by nothing: its
    // text, made again at the drop, may name what the skipped inverses on a
    // created table leave renamed (conformance seed 119).
    let transient = |i: usize| match &changes[i].0 {
        Change::CreateView { view } => changes[i + 1..]
            .iter()
            .any(|(c, _)| matches!(c, Change::DropView { view: v } if v.name == view.name)),
        Change::DropView { view } => changes[..i]
            .iter()
            .any(|(c, _)| matches!(c, Change::CreateView { view: v } if v.name == view.name)),
        _ => false,
    };
    for (i, (c, span)) in changes.iter().enumerate().rev() {
        if on_created_table(c, &created) && !(enum_changed && matches!(c, Change::Insert { .. })) {
            continue;
        }
        if transient(i) {
            continue;
        }
        if let Change::CreateSequence { seq } = c {
            if feeds_created(&seq.name) {
                match inverse(c, *span, &revision.v) {
                    Ok(mut inv) => last.append(&mut inv),
                    Err(d) => diags.push(d),
                }
                continue;
            }
        }
        match inverse(c, *span, &revision.v) {
            Ok(mut inv) => {
                if let Some(w) = unique_over_backfill(c, &changes[i + 1..]) {
                    for n in &mut inv {
                        if let Some(d) = n.derived.as_mut().filter(|d| d.warning.is_none()) {
                            d.warning = Some(w.clone());
                        }
                    }
                }
                ops.append(&mut inv)
            }
            Err(d) => diags.push(d),
        }
    }
    ops.append(&mut last);
    if diags.is_empty() {
        Ok(ops)
    } else {
        Err(diags)
    }
}

/// The derived operations with `enum_check` noted: the name a non-native
/// enum's check they make again had.
fn enum_check_named(ops: Result<Vec<OpNode>, Diagnostic>, enum_check: Option<&str>) -> Result<Vec<OpNode>, Diagnostic> {
    let mut ops = ops?;
    for d in ops.iter_mut().filter_map(|n| n.derived.as_mut()) {
        d.enum_check = enum_check.map(str::to_string);
    }
    Ok(ops)
}

/// A unique key or index that a revision drops and then backfills a
/// column of (`nullable = false` with `backfill`): the backfill gives every
/// NULL row one value, so the derived downgrade that makes the key again
/// fails where more than one row was NULL (conformance seed 299). The
/// warning to put on that downgrade.
fn unique_over_backfill(change: &Change, later: &[(Change, Span)]) -> Option<String> {
    let (table, name, columns) = match change {
        Change::DropConstraint {
            table,
            constraint: Constraint::Unique { name, columns },
            ..
        } => (table, name, columns),
        Change::DropIndex { table, index, .. } if index.unique => (table, &index.name, &index.columns),
        _ => return None,
    };
    let column = later.iter().find_map(|(c, _)| match c {
        Change::AlterColumn {
            table: t,
            new,
            backfill: Some(_),
            ..
        } if t == table && columns.contains(&new.name) => Some(&new.name),
        _ => None,
    })?;
    Some(format!(
        "the upgrade backfills `{table}`.`{column}` with one value: making `{name}` again fails if more than one row was NULL"
    ))
}

/// Whether `change` only touches a table of `created` (other than by
/// creating it): the table's drop undoes it.
fn on_created_table(change: &Change, created: &[String]) -> bool {
    match change {
        Change::CreateTable { .. } => false,
        Change::Insert { table, .. } => created.contains(table),
        // A sequence owned by a created table goes with the table.
        Change::CreateSequence { seq } => seq.owned_by.as_ref().is_some_and(|(t, _)| created.contains(t)),
        other => other.altered_table().is_some_and(|t| created.iter().any(|c| c == t)),
    }
}
