//! Autogenerate: the declared model (a TOML file of `[[table]]` entries with
//! the keys of `create_table`) is loaded into a `Schema`, compared with the
//! head schema, and the difference is a list of operations (`Op`, the same
//! values a revision file decodes to) in dependency order, written as TOML
//! by `ops::writer`. The same difference, described in words, is what
//! `check_migration` reports as drift.
//!
//! Invariants: the diff is a pure function of two schemas; every walk is in
//! the schemas' own (IndexMap) order, so the output is deterministic; no
//! rename is ever guessed (a vanished and a new column are a drop and an add,
//! with a comment pointing at `rename_column`).

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics, Sources, Sp, Span};
use crate::base::naming::Naming;
use crate::language::load::Decoder;
use crate::replay::model::*;
use crate::replay::Replayer;
use crate::vocab::ops::writer::write_op;
use crate::vocab::ops::{AlterSpec, ColumnSpec, ConstraintSpec, ForeignKeySpec, Op, OpKind, OpNode, TableSpec};
use std::path::Path;

/// The keys a `[[table]]` entry of the model may hold: those of `create_table` but `op`.
pub const TABLE_KEYS: &[&str] = OpKind::CreateTable.keys().split_at(1).1;

/// Reads the declared model. Foreign keys are added after every table
/// exists, so that the order of `[[table]]` entries does not matter.
pub fn load_model(path: &Path, naming: &Naming, sources: &mut Sources) -> Result<Schema, Diagnostics> {
    let display = crate::base::diag::display_path(path);
    let text = crate::base::files::read_regular_text(path).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(codes::CANNOT_READ_MODEL, format!("cannot read the model file `{display}`: {e}"))
                .help("create it, or fix `[migrations] model` in schemac.toml"),
        )
    })?;
    let file = sources.add(display, text);
    let text = sources.text(file).to_string();
    let mut diags = vec![];
    let mut specs = vec![];
    // `[[namespace]]` and `[[sequence]]` entries (SPEC 9), as their operations say them.
    let mut others: Vec<(Op, Span)> = vec![];
    if let Some(doc) = crate::language::load::parse_toml(file, &text, &mut diags) {
        let mut d = Decoder {
            file,
            text: &text,
            diags: &mut diags,
        };
        if let Some(root) = d.table(&doc, MODEL_KEYS) {
            for (key, kind) in [("namespace", OpKind::CreateNamespace), ("sequence", OpKind::CreateSequence)] {
                let Some(v) = root.get(key) else { continue };
                let crate::base::doc::Val::Array(items) = v.get_ref() else {
                    let span = d.span(v);
                    d.diags.push(
                        Diagnostic::error(codes::WRONG_VALUE_KIND, format!("`{key}` must be an array of tables ([[{key}]])"))
                            .at(span, format!("expected [[{key}]] entries")),
                    );
                    continue;
                };
                for item in items.iter() {
                    let span = d.span(item);
                    if let Some(t) = d.sub_table(item, kind.keys().split_at(1).1, &format!("a [[{key}]] entry")) {
                        if let Some(op) = d.model_op(kind, t, span) {
                            others.push((op, span));
                        }
                    }
                }
            }
            if let Some(v) = root.get("table") {
                match v.get_ref() {
                    crate::base::doc::Val::Array(items) => {
                        for item in items.iter() {
                            let span = d.span(item);
                            if let Some(t) = d.sub_table(item, TABLE_KEYS, "a [[table]] entry") {
                                if let Some(spec) = d.table_spec(t, span) {
                                    specs.push((spec, span));
                                }
                            }
                        }
                    }
                    _ => {
                        let span = d.span(v);
                        d.diags.push(
                            Diagnostic::error(codes::WRONG_VALUE_KIND, "`table` must be an array of tables ([[table]])").at(span, "expected [[table]] entries"),
                        );
                    }
                }
            }
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    let r = Replayer { naming, version_table: "" };
    let mut schema = Schema::default();
    // Namespaces, then sequences (their owners once the tables exist).
    let mut owners = vec![];
    for (mut op, span) in others {
        if let Op::CreateSequence(seq) = &mut op {
            if let Some(o) = seq.owned_by.take() {
                owners.push((seq.name.v.clone(), o));
            }
        }
        let node = OpNode { op, span, derived: None };
        if let Err(d) = r.apply(&mut schema, &node) {
            diags.push(d);
        }
    }
    let mut fks: Vec<(Sp<String>, ForeignKeySpec, Span)> = vec![];
    for (mut spec, span) in specs {
        let mut kept = vec![];
        for c in spec.constraints.drain(..) {
            match c {
                ConstraintSpec::ForeignKey(fk) => fks.push((spec.table.clone(), fk, span)),
                other => kept.push(other),
            }
        }
        spec.constraints = kept;
        for c in spec.columns.iter_mut() {
            if let Some(r) = c.references.take() {
                fks.push((
                    spec.table.clone(),
                    ForeignKeySpec {
                        name: None,
                        columns: Sp::new(vec![c.name.v.clone()], c.name.span),
                        ref_table: Sp::new(r.v.0.clone(), r.span),
                        ref_columns: Sp::new(vec![r.v.1.clone()], r.span.sub(r.v.0.len() + 1, r.v.1.len())),
                        on_delete: c.on_delete,
                        on_update: c.on_update,
                        span: c.span,
                    },
                    span,
                ));
            }
        }
        let node = OpNode {
            op: Op::CreateTable(spec),
            span,
            derived: None,
        };
        if let Err(d) = r.apply(&mut schema, &node) {
            diags.push(d);
        }
    }
    for (table, fk, span) in fks {
        if !schema.tables.contains_key(&table.v) {
            continue;
        }
        let node = OpNode {
            op: Op::AddConstraint {
                table,
                constraint: ConstraintSpec::ForeignKey(fk),
            },
            span,
            derived: None,
        };
        if let Err(d) = r.apply(&mut schema, &node) {
            diags.push(d);
        }
    }
    for (seq, o) in owners {
        let (table, column) = &o.v;
        if !schema.tables.get(table).is_some_and(|t| t.columns.contains_key(column)) {
            diags.push(
                Diagnostic::error(codes::NO_SUCH_COLUMN, format!("`owned_by`: column `{table}.{column}` is not in the model")).at(o.span, "no such column"),
            );
        } else if let Some(q) = schema.sequences.get_mut(&seq) {
            q.owned_by = Some(o.v.clone());
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    Ok(schema)
}

/// The top-level keys of the model file: `[[table]]`, `[[namespace]]`, `[[sequence]]`.
pub const MODEL_KEYS: &[&str] = &["table", "namespace", "sequence"];

/// One operation that turns the head schema towards the model, with the
/// comments written above it, and what it means as drift.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// `None` for a difference no operation changes (only comments).
    pub edit: Option<Op>,
    pub comments: Vec<String>,
    /// One line describing the difference, for `check_migration`; `None`
    /// for the second half of a change (the create after a drop).
    pub drift: Option<String>,
}

fn item(edit: Op, drift: Option<String>) -> Item {
    Item {
        edit: Some(edit),
        comments: vec![],
        drift,
    }
}

/// The operations that turn `from` (the head) into `to` (the model), in
/// dependency order. Views and triggers are not part of the model and are
/// left alone.
pub fn diff(from: &Schema, to: &Schema) -> Vec<Item> {
    let mut drops_fk = vec![];
    let mut drops = vec![];
    let mut tables_dropped = vec![];
    let mut creates = vec![];
    let mut cols = vec![];
    let mut adds = vec![];
    let mut fks_later = vec![];
    let survivors: Vec<(&Table, &Table)> = from.tables.values().filter_map(|a| to.tables.get(&a.name).map(|b| (&**a, &**b))).collect();
    // SPEC 9: new schemas first, new sequences before the tables (those a
    // new table owns just after it), sequences and schemas that go last.
    let mut namespaces_new = vec![];
    let mut namespaces_gone = vec![];
    for n in to.namespaces.keys().filter(|n| !from.namespaces.contains_key(*n)) {
        namespaces_new.push(item(
            Op::CreateNamespace { name: sp(n) },
            Some(format!("schema `{n}` is in the model, not at head")),
        ));
    }
    for n in from.namespaces.keys().filter(|n| !to.namespaces.contains_key(*n)) {
        namespaces_gone.push(item(
            Op::DropNamespace { name: sp(n) },
            Some(format!("schema `{n}` is at head, not in the model")),
        ));
    }
    let new_table = |t: &str| to.tables.contains_key(t) && !from.tables.contains_key(t);
    let owned_by_new = |q: &Sequence| q.owned_by.as_ref().is_some_and(|(t, _)| new_table(t));
    let mut sequences_new = vec![];
    let mut sequences_gone = vec![];
    for q in to.sequences.values() {
        let shown = crate::base::naming::shown(&q.name);
        match from.sequences.get(&q.name) {
            None if owned_by_new(q) => {}
            None => sequences_new.push(item(
                Op::CreateSequence(crate::replay::inverse::sequence_spec(q, Span::default())),
                Some(format!("sequence `{shown}` is in the model, not at head")),
            )),
            Some(old) if old == q => {}
            Some(old)
                if Sequence {
                    increment: q.increment,
                    ..old.clone()
                } == *q =>
            {
                sequences_new.push(item(
                    Op::AlterSequence {
                        name: sp(&q.name),
                        restart: None,
                        increment: Some(q.increment.unwrap_or(1)),
                    },
                    Some(format!("sequence `{shown}` differs: increment")),
                ))
            }
            Some(_) => sequences_new.push(Item {
                edit: None,
                comments: vec![format!(
                    "sequence `{shown}` differs from the model beyond its increment; no operation changes it (drop and create it by hand)."
                )],
                drift: Some(format!("sequence `{shown}` differs from the model")),
            }),
        }
    }
    for q in from.sequences.values().filter(|q| !to.sequences.contains_key(&q.name)) {
        // One a dropped table owns goes with it.
        if q.owned_by.as_ref().is_some_and(|(t, _)| !to.tables.contains_key(t)) {
            continue;
        }
        sequences_gone.push(item(
            Op::DropSequence { name: sp(&q.name) },
            Some(format!("sequence `{}` is at head, not in the model", crate::base::naming::shown(&q.name))),
        ));
    }

    // 1. Foreign keys that vanish or change, on tables that stay.
    for (a, b) in &survivors {
        for fk in a.foreign_keys() {
            match b.constraint(&fk.name) {
                Some(Constraint::ForeignKey(new)) if new == fk => {}
                Some(_) => drops_fk.push(item(
                    drop_constraint(&a.name, &fk.name),
                    Some(format!("foreign key `{}` on `{}` differs from the model", fk.name, a.name)),
                )),
                None => drops_fk.push(item(
                    drop_constraint(&a.name, &fk.name),
                    Some(format!("foreign key `{}` on `{}` is at head, not in the model", fk.name, a.name)),
                )),
            }
        }
    }
    // 2. Indexes and other constraints that vanish or change.
    for (a, b) in &survivors {
        for i in &a.indexes {
            match b.indexes.iter().find(|x| x.name == i.name) {
                Some(x) if x == i => {}
                found => drops.push(item(
                    Op::DropIndex {
                        name: sp(&i.name),
                        concurrently: false,
                    },
                    Some(if found.is_some() {
                        format!("index `{}` on `{}` differs from the model", i.name, a.name)
                    } else {
                        format!("index `{}` on `{}` is at head, not in the model", i.name, a.name)
                    }),
                )),
            }
        }
        // A non-native enum's check follows its column (add_column, alter_column, alter_enum).
        for c in a.constraints.iter().filter(|c| !matches!(c, Constraint::ForeignKey(_)) && !is_enum_check(a, c)) {
            match b.constraint(c.name()) {
                Some(x) if x == c => {}
                found => drops.push(item(
                    drop_constraint(&a.name, c.name()),
                    Some(if found.is_some() {
                        format!("{} `{}` on `{}` differs from the model", c.kind().replace('_', " "), c.name(), a.name)
                    } else {
                        format!("{} `{}` on `{}` is at head, not in the model", c.kind().replace('_', " "), c.name(), a.name)
                    }),
                )),
            }
        }
    }
    // 3. Tables that vanish: those no remaining table refers to first; a
    // cycle among them is broken by dropping one of its foreign keys.
    let new_tables: Vec<&Table> = to.tables.values().filter(|t| !from.tables.contains_key(&t.name)).map(|t| &**t).collect();
    let mut gone: Vec<&Table> = from.tables.values().filter(|t| !to.tables.contains_key(&t.name)).map(|t| &**t).collect();
    let mut dropped_fks: Vec<String> = vec![];
    while !gone.is_empty() {
        let referred = |t: &Table, gone: &[&Table], dropped: &[String]| {
            gone.iter()
                .any(|o| o.name != t.name && o.foreign_keys().any(|fk| fk.ref_table == t.name && !dropped.contains(&fk.name)))
        };
        match gone.iter().position(|t| !referred(t, &gone, &dropped_fks)) {
            Some(pos) => {
                let t = gone.remove(pos);
                let mut it = item(
                    Op::DropTable { table: sp(&t.name) },
                    Some(format!("table `{}` is at head, not in the model", t.name)),
                );
                if !new_tables.is_empty() {
                    it.comments.push(format!(
                        "`{}` is not in the model. If it was renamed to one of the new tables ({}), use rename_table instead: drop_table loses its rows.",
                        t.name,
                        new_tables.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
                tables_dropped.push(it);
            }
            None => {
                // Every table left is referred to: drop one foreign key of the cycle.
                let (owner, fk) = gone
                    .iter()
                    .flat_map(|t| t.foreign_keys().map(move |fk| (*t, fk)))
                    .find(|(t, fk)| fk.ref_table != t.name && gone.iter().any(|g| g.name == fk.ref_table) && !dropped_fks.contains(&fk.name))
                    .expect("a cycle has a foreign key");
                dropped_fks.push(fk.name.clone());
                tables_dropped.push(item(drop_constraint(&owner.name, &fk.name), None));
            }
        }
    }
    // 4. New tables, those they refer to first; foreign keys to a table not
    // created yet (a cycle) are added after every table exists.
    let mut pending: Vec<&Table> = new_tables.clone();
    let mut created: Vec<&str> = vec![];
    while !pending.is_empty() {
        let ready = |t: &Table, created: &[&str]| {
            t.foreign_keys()
                .all(|fk| fk.ref_table == t.name || from.tables.contains_key(&fk.ref_table) || created.contains(&fk.ref_table.as_str()))
        };
        let pos = pending.iter().position(|t| ready(t, &created)).unwrap_or(0);
        let t = pending.remove(pos);
        let mut inline = vec![];
        for fk in t.foreign_keys() {
            if fk.ref_table == t.name || from.tables.contains_key(&fk.ref_table) || created.contains(&fk.ref_table.as_str()) {
                inline.push(fk.clone());
            } else {
                fks_later.push(item(add_constraint(&t.name, &Constraint::ForeignKey(fk.clone())), None));
            }
        }
        // Sequences the new table owns: the table first, without the
        // defaults that draw from them, then each sequence, then the defaults.
        let owned: Vec<&Sequence> = to
            .sequences
            .values()
            .filter(|q| !from.sequences.contains_key(&q.name) && q.owned_by.as_ref().is_some_and(|(o, _)| *o == t.name))
            .collect();
        let draws = |c: &Column| matches!(&c.default, Some(Value::Next(q)) if owned.iter().any(|o| o.name == *q));
        let mut spec = create_table(t, &inline);
        for c in spec.columns.iter_mut() {
            if c.default
                .as_ref()
                .is_some_and(|d| matches!(&d.v, Value::Next(q) if owned.iter().any(|o| o.name == *q)))
            {
                c.default = None;
            }
        }
        creates.push(item(Op::CreateTable(spec), Some(format!("table `{}` is in the model, not at head", t.name))));
        for q in &owned {
            creates.push(item(Op::CreateSequence(crate::replay::inverse::sequence_spec(q, Span::default())), None));
        }
        for c in t.columns.values().filter(|c| draws(c)) {
            let without = Column { default: None, ..c.clone() };
            creates.push(item(alter_column(&t.name, &without, c), None));
        }
        created.push(&t.name);
    }
    // 5. Columns of the tables that stay.
    for (a, b) in &survivors {
        let vanished: Vec<&Column> = a.columns.values().filter(|c| !b.columns.contains_key(&c.name)).collect();
        let appeared: Vec<&Column> = b.columns.values().filter(|c| !a.columns.contains_key(&c.name)).collect();
        for c in &vanished {
            let mut it = item(
                Op::DropColumn {
                    table: sp(&a.name),
                    column: sp(&c.name),
                },
                Some(format!("column `{}.{}` is at head, not in the model", a.name, c.name)),
            );
            if !appeared.is_empty() {
                it.comments.push(format!(
                    "`{}.{}` is not in the model and {} {} new. If it was renamed, replace this drop_column and the add_column with one rename_column: drop_column loses its data.",
                    a.name,
                    c.name,
                    appeared.iter().map(|n| format!("`{}`", n.name)).collect::<Vec<_>>().join(", "),
                    if appeared.len() == 1 { "is" } else { "are" }
                ));
            }
            cols.push(it);
        }
        for c in &appeared {
            cols.push(item(
                Op::AddColumn {
                    table: sp(&a.name),
                    column: column_spec(c, false),
                    backfill: None,
                },
                Some(format!("column `{}.{}` is in the model, not at head", a.name, c.name)),
            ));
        }
        for old in a.columns.values() {
            let Some(new) = b.columns.get(&old.name) else { continue };
            if old == new {
                continue;
            }
            let mut what = vec![];
            if old.ty != new.ty {
                what.push(format!("type {} -> {}", type_words(&old.ty), type_words(&new.ty)));
            }
            if old.nullable != new.nullable {
                what.push(format!(
                    "{} -> {}",
                    if old.nullable { "NULL" } else { "NOT NULL" },
                    if new.nullable { "NULL" } else { "NOT NULL" }
                ));
            }
            if old.default != new.default {
                what.push("default".to_string());
            }
            if old.comment != new.comment {
                what.push("comment".to_string());
            }
            if old.collation != new.collation {
                what.push("collation".to_string());
            }
            let drift = Some(format!("column `{}.{}` differs: {}", a.name, old.name, {
                let mut w = what.clone();
                if old.autoincrement != new.autoincrement {
                    w.push("autoincrement".into());
                }
                w.join(", ")
            }));
            if what.is_empty() {
                cols.push(Item {
                    edit: None,
                    comments: vec![format!(
                        "`{}.{}`: autoincrement differs from the model; no operation changes it (re-create the table by hand).",
                        a.name, old.name
                    )],
                    drift,
                });
            } else {
                let mut it = item(alter_column(&a.name, old, new), drift);
                if old.autoincrement != new.autoincrement {
                    it.comments.push(format!(
                        "`{}.{}`: autoincrement differs from the model; no operation changes it.",
                        a.name, old.name
                    ));
                }
                if new.default == Some(Value::Bool(false)) {
                    it.comments
                        .push("`default = false` would drop the default: the boolean false is written as raw SQL.".to_string());
                }
                cols.push(it);
            }
        }
        if a.comment != b.comment {
            cols.push(item(
                Op::AlterTable {
                    table: sp(&a.name),
                    comment: b.comment.clone(),
                },
                Some(format!("table `{}`: comment differs", a.name)),
            ));
        }
        if a.options != b.options {
            cols.push(Item {
                edit: None,
                comments: vec![format!("`{}`: the table's options differ from the model; no operation changes them.", a.name)],
                drift: Some(format!("table `{}`: options differ", a.name)),
            });
        }
    }
    // 6. Indexes and constraints that are new or changed on tables that stay;
    // foreign keys last, once every table and key exists.
    for (a, b) in &survivors {
        for c in b.constraints.iter().filter(|c| !matches!(c, Constraint::ForeignKey(_)) && !is_enum_check(b, c)) {
            let old = a.constraint(c.name());
            if old != Some(c) {
                adds.push(item(
                    add_constraint(&b.name, c),
                    old.is_none()
                        .then(|| format!("{} `{}` on `{}` is in the model, not at head", c.kind().replace('_', " "), c.name(), b.name)),
                ));
            }
        }
        for i in &b.indexes {
            let old = a.indexes.iter().find(|x| x.name == i.name);
            if old != Some(i) {
                adds.push(item(
                    Op::CreateIndex {
                        table: sp(&b.name),
                        index: crate::replay::inverse::index_spec(i, Span::default()),
                    },
                    old.is_none()
                        .then(|| format!("index `{}` on `{}` is in the model, not at head", i.name, b.name)),
                ));
            }
        }
    }
    for (a, b) in &survivors {
        for fk in b.foreign_keys() {
            let old = a.constraint(&fk.name);
            if old != Some(&Constraint::ForeignKey(fk.clone())) {
                fks_later.push(item(
                    add_constraint(&b.name, &Constraint::ForeignKey(fk.clone())),
                    old.is_none()
                        .then(|| format!("foreign key `{}` on `{}` is in the model, not at head", fk.name, b.name)),
                ));
            }
        }
    }
    let mut out = namespaces_new;
    out.extend(drops_fk);
    out.extend(drops);
    out.extend(tables_dropped);
    out.extend(sequences_new);
    out.extend(creates);
    out.extend(cols);
    out.extend(adds);
    out.extend(fks_later);
    out.extend(sequences_gone);
    out.extend(namespaces_gone);
    out
}

/// The differences as lines, for `check_migration`.
pub fn drift(items: &[Item]) -> Vec<String> {
    items.iter().filter_map(|i| i.drift.clone()).collect()
}

fn type_words(t: &ColumnType) -> String {
    match t {
        ColumnType::Enum(e) => format!("enum {}({})", e.name, e.values.join(", ")),
        ColumnType::Raw(pd) => format!("raw({})", pd.0.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")),
        other => other.neutral(),
    }
}

/// A TOML basic string (revision headers are written with it too).
pub use crate::vocab::ops::writer::quote;

fn sp(s: &str) -> Sp<String> {
    Sp::new(s.to_string(), Span::default())
}

fn drop_constraint(table: &str, name: &str) -> Op {
    Op::DropConstraint {
        table: sp(table),
        name: sp(name),
    }
}

fn add_constraint(table: &str, c: &Constraint) -> Op {
    Op::AddConstraint {
        table: sp(table),
        constraint: crate::replay::inverse::constraint_spec(c, Span::default()),
    }
}

/// Whether a constraint is the check of one of the table's non-native enum columns.
fn is_enum_check(t: &Table, c: &Constraint) -> bool {
    t.columns.values().any(|col| t.enum_check(col).is_some_and(|k| k.name() == c.name()))
}

/// A column as autogenerate declares it: `nullable` only when NOT NULL
/// and not implied by the primary key; no inline constraints.
fn column_spec(c: &Column, in_pk: bool) -> ColumnSpec {
    ColumnSpec {
        nullable: (!c.nullable && !in_pk).then_some(false),
        ..crate::replay::inverse::column_spec(c, Span::default())
    }
}

/// A new table with the foreign keys it can declare inline; its primary
/// key by its columns, with its name when the default convention would not give it.
fn create_table(t: &Table, foreign_keys: &[ForeignKey]) -> TableSpec {
    let pk: Vec<String> = t.primary_key().map(|(_, c)| c.to_vec()).unwrap_or_default();
    let mut constraints = vec![];
    if !pk.is_empty() {
        // The name is written only where it is not the default convention's.
        let conventional = Naming::make(&Naming::default().primary_key, &t.name, &[], "");
        let name = t.primary_key().map(|(n, _)| n).filter(|n| *n != conventional);
        constraints.push(ConstraintSpec::PrimaryKey {
            name: name.map(sp),
            columns: Sp::new(pk.clone(), Span::default()),
        });
    }
    let others = t
        .constraints
        .iter()
        .filter(|c| matches!(c, Constraint::Unique { .. } | Constraint::Check { .. }));
    for c in foreign_keys.iter().map(|fk| Constraint::ForeignKey(fk.clone())).chain(others.cloned()) {
        constraints.push(crate::replay::inverse::constraint_spec(&c, Span::default()));
    }
    TableSpec {
        table: sp(&t.name),
        columns: t.columns.values().map(|c| column_spec(c, pk.contains(&c.name))).collect(),
        constraints,
        indexes: t.indexes.iter().map(|i| crate::replay::inverse::index_spec(i, Span::default())).collect(),
        comment: t.comment.clone(),
        options: t.options.clone(),
    }
}

/// What differs between two definitions of a column, as `alter_column`
/// says it (a default of the boolean false is written as raw SQL).
fn alter_column(table: &str, old: &Column, new: &Column) -> Op {
    Op::AlterColumn(AlterSpec {
        table: sp(table),
        column: sp(&old.name),
        ty: (old.ty != new.ty).then(|| Sp::new(new.ty.clone(), Span::default())),
        nullable: (old.nullable != new.nullable).then_some(new.nullable),
        default: (old.default != new.default).then(|| new.default.clone().map(|d| Sp::new(d, Span::default()))),
        comment: (old.comment != new.comment).then(|| new.comment.clone()),
        backfill: None,
        using: None,
        autoincrement: None,
        collation: (old.collation != new.collation).then(|| new.collation.as_ref().map(|c| Sp::new((**c).clone(), Span::default()))),
        generated: (old.generated != new.generated && old.generated.is_some())
            .then(|| new.generated.as_ref().map(|g| Box::new(Sp::new((**g).clone(), Span::default()))))
            .flatten(),
    })
}

/// The `[[upgrade]]` tables for the items, with their comments; empty when
/// there is nothing to do.
pub fn to_toml(items: &[Item]) -> String {
    let mut out = String::new();
    for it in items {
        for c in &it.comments {
            // Names in a comment may hold line breaks or other controls:
            // escaped, a comment stays one line of valid TOML.
            out.push_str("# ");
            out.push_str(&crate::base::text::escape(c));
            out.push('\n');
        }
        let Some(op) = &it.edit else {
            out.push('\n');
            continue;
        };
        out.push_str("[[upgrade]]\n");
        write_op(op, &mut out).expect("autogenerate makes only operations a file can hold");
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    #[test]
    fn identical_schemas_have_no_diff() {
        let s = Schema::default();
        assert!(diff(&s, &s).is_empty());
    }
}
