//! Autogenerate: the declared model (a TOML file of `[[table]]` entries with
//! the keys of `create_table`) is loaded into a `Schema`, compared with the
//! head schema, and the difference is written as revision operations (TOML
//! text) in dependency order. The same difference, described in words, is
//! what `check_migration` reports as drift.
//!
//! Invariants: the diff is a pure function of two schemas; every walk is in
//! the schemas' own (IndexMap) order, so the output is deterministic; no
//! rename is ever guessed (a vanished and a new column are a drop and an add,
//! with a comment pointing at `rename_column`).

use crate::codes;
use crate::diag::{Diagnostic, Diagnostics, Sources, Sp, Span};
use crate::load::Decoder;
use crate::model::*;
use crate::naming::Naming;
use crate::ops::{ConstraintSpec, ForeignKeySpec, Op, OpNode};
use crate::replay::Replayer;
use std::fmt::Write as _;
use std::path::Path;

/// The keys a `[[table]]` entry of the model may hold: those of `create_table`.
const TABLE_KEYS: &[&str] = &[
    "table",
    "columns",
    "primary_key",
    "foreign_keys",
    "unique_constraints",
    "check_constraints",
    "indexes",
    "comment",
    "options",
];

/// Reads the declared model. Foreign keys are added after every table
/// exists, so that the order of `[[table]]` entries does not matter.
pub fn load_model(path: &Path, naming: &Naming, sources: &mut Sources) -> Result<Schema, Diagnostics> {
    let display = crate::load::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(codes::CANNOT_READ_MODEL, format!("cannot read the model file `{display}`: {e}"))
                .help("create it, or fix `[migrations] model` in schemac.toml"),
        )
    })?;
    let file = sources.add(display, text);
    let text = sources.text(file).to_string();
    let mut diags = vec![];
    let mut specs = vec![];
    if let Some(doc) = crate::load::parse_toml(file, &text, &mut diags) {
        let mut d = Decoder {
            file,
            text: &text,
            diags: &mut diags,
        };
        if let Some(root) = d.table(&doc, &["table"]) {
            if let Some(v) = root.get("table") {
                match v.get_ref() {
                    crate::doc::Val::Array(items) => {
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
    let r = Replayer { naming };
    let mut schema = Schema::default();
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
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    Ok(schema)
}

/// One operation that turns the head schema towards the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    DropConstraint {
        table: String,
        constraint: Constraint,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    DropTable {
        table: Table,
    },
    /// A new table with the foreign keys it can declare inline.
    CreateTable {
        table: Table,
        foreign_keys: Vec<ForeignKey>,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    AlterColumn {
        table: String,
        old: Column,
        new: Column,
    },
    AddConstraint {
        table: String,
        constraint: Constraint,
    },
    CreateIndex {
        table: String,
        index: Index,
    },
}

/// An edit with the comments written above it, and what it means as drift.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub edit: Option<Edit>,
    pub comments: Vec<String>,
    /// One line describing the difference, for `check_migration`; `None`
    /// for the second half of a change (the create after a drop).
    pub drift: Option<String>,
}

fn item(edit: Edit, drift: Option<String>) -> Item {
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
    let survivors: Vec<(&Table, &Table)> = from.tables.values().filter_map(|a| to.tables.get(&a.name).map(|b| (a, b))).collect();

    // 1. Foreign keys that vanish or change, on tables that stay.
    for (a, b) in &survivors {
        for fk in a.foreign_keys() {
            match b.constraint(&fk.name) {
                Some(Constraint::ForeignKey(new)) if new == fk => {}
                Some(_) => drops_fk.push(item(
                    Edit::DropConstraint {
                        table: a.name.clone(),
                        constraint: Constraint::ForeignKey(fk.clone()),
                    },
                    Some(format!("foreign key `{}` on `{}` differs from the model", fk.name, a.name)),
                )),
                None => drops_fk.push(item(
                    Edit::DropConstraint {
                        table: a.name.clone(),
                        constraint: Constraint::ForeignKey(fk.clone()),
                    },
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
                    Edit::DropIndex {
                        table: a.name.clone(),
                        index: i.clone(),
                    },
                    Some(if found.is_some() {
                        format!("index `{}` on `{}` differs from the model", i.name, a.name)
                    } else {
                        format!("index `{}` on `{}` is at head, not in the model", i.name, a.name)
                    }),
                )),
            }
        }
        for c in a.constraints.iter().filter(|c| !matches!(c, Constraint::ForeignKey(_))) {
            match b.constraint(c.name()) {
                Some(x) if x == c => {}
                found => drops.push(item(
                    Edit::DropConstraint {
                        table: a.name.clone(),
                        constraint: c.clone(),
                    },
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
    let new_tables: Vec<&Table> = to.tables.values().filter(|t| !from.tables.contains_key(&t.name)).collect();
    let mut gone: Vec<&Table> = from.tables.values().filter(|t| !to.tables.contains_key(&t.name)).collect();
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
                    Edit::DropTable { table: t.clone() },
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
                tables_dropped.push(item(
                    Edit::DropConstraint {
                        table: owner.name.clone(),
                        constraint: Constraint::ForeignKey(fk.clone()),
                    },
                    None,
                ));
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
                fks_later.push(item(
                    Edit::AddConstraint {
                        table: t.name.clone(),
                        constraint: Constraint::ForeignKey(fk.clone()),
                    },
                    None,
                ));
            }
        }
        creates.push(item(
            Edit::CreateTable {
                table: t.clone(),
                foreign_keys: inline,
            },
            Some(format!("table `{}` is in the model, not at head", t.name)),
        ));
        created.push(&t.name);
    }
    // 5. Columns of the tables that stay.
    for (a, b) in &survivors {
        let vanished: Vec<&Column> = a.columns.values().filter(|c| !b.columns.contains_key(&c.name)).collect();
        let appeared: Vec<&Column> = b.columns.values().filter(|c| !a.columns.contains_key(&c.name)).collect();
        for c in &vanished {
            let mut it = item(
                Edit::DropColumn {
                    table: a.name.clone(),
                    column: (*c).clone(),
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
                Edit::AddColumn {
                    table: a.name.clone(),
                    column: (*c).clone(),
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
                let mut it = item(
                    Edit::AlterColumn {
                        table: a.name.clone(),
                        old: old.clone(),
                        new: new.clone(),
                    },
                    drift,
                );
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
        if a.comment != b.comment || a.options != b.options {
            cols.push(Item {
                edit: None,
                comments: vec![format!(
                    "`{}`: the table's comment or options differ from the model; no operation changes them.",
                    a.name
                )],
                drift: Some(format!("table `{}`: comment or options differ", a.name)),
            });
        }
    }
    // 6. Indexes and constraints that are new or changed on tables that stay;
    // foreign keys last, once every table and key exists.
    for (a, b) in &survivors {
        for c in b.constraints.iter().filter(|c| !matches!(c, Constraint::ForeignKey(_))) {
            let old = a.constraint(c.name());
            if old != Some(c) {
                adds.push(item(
                    Edit::AddConstraint {
                        table: b.name.clone(),
                        constraint: c.clone(),
                    },
                    old.is_none()
                        .then(|| format!("{} `{}` on `{}` is in the model, not at head", c.kind().replace('_', " "), c.name(), b.name)),
                ));
            }
        }
        for i in &b.indexes {
            let old = a.indexes.iter().find(|x| x.name == i.name);
            if old != Some(i) {
                adds.push(item(
                    Edit::CreateIndex {
                        table: b.name.clone(),
                        index: i.clone(),
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
                    Edit::AddConstraint {
                        table: b.name.clone(),
                        constraint: Constraint::ForeignKey(fk.clone()),
                    },
                    old.is_none()
                        .then(|| format!("foreign key `{}` on `{}` is in the model, not at head", fk.name, b.name)),
                ));
            }
        }
    }
    let mut out = drops_fk;
    out.extend(drops);
    out.extend(tables_dropped);
    out.extend(creates);
    out.extend(cols);
    out.extend(adds);
    out.extend(fks_later);
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

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}

fn per_dialect(pd: &PerDialect) -> String {
    if pd.0.len() == 1 {
        if let Some(s) = pd.0.get("default") {
            return quote(s);
        }
    }
    format!(
        "{{ {} }}",
        pd.0.iter().map(|(k, v)| format!("{k} = {}", quote(v))).collect::<Vec<_>>().join(", ")
    )
}

fn type_toml(t: &ColumnType) -> String {
    match t {
        ColumnType::Enum(e) => format!("{{ enum = {}, name = {} }}", quote_list(&e.values), quote(&e.name)),
        ColumnType::Raw(pd) => format!(
            "{{ {} }}",
            pd.0.iter().map(|(k, v)| format!("{k} = {}", quote(v))).collect::<Vec<_>>().join(", ")
        ),
        other => quote(&other.neutral()),
    }
}

fn value_toml(v: &Value) -> String {
    match v {
        Value::Null => "{ sql = \"NULL\" }".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.clone(),
        Value::String(s) => quote(s),
        Value::Temporal(s) => s.clone(),
        Value::Current(e) => format!("{{ expr = {} }}", quote(e)),
        Value::Sql(pd) => format!("{{ sql = {} }}", per_dialect(pd)),
    }
}

/// A default as `alter_column` writes it: `false` would mean "drop it".
fn default_toml(v: &Value) -> String {
    match v {
        Value::Bool(false) => "{ sql = \"FALSE\" }".to_string(),
        other => value_toml(other),
    }
}

fn column_toml(c: &Column, in_pk: bool) -> String {
    let mut parts = vec![format!("name = {}", quote(&c.name)), format!("type = {}", type_toml(&c.ty))];
    if !c.nullable && !in_pk {
        parts.push("nullable = false".into());
    }
    if let Some(d) = &c.default {
        parts.push(format!("default = {}", value_toml(d)));
    }
    if c.autoincrement {
        parts.push("autoincrement = true".into());
    }
    if let Some(cm) = &c.comment {
        parts.push(format!("comment = {}", quote(cm)));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn fk_fields(fk: &ForeignKey) -> Vec<String> {
    let mut parts = vec![
        format!("name = {}", quote(&fk.name)),
        format!("columns = {}", quote_list(&fk.columns)),
        format!("referred_table = {}", quote(&fk.ref_table)),
        format!("referred_columns = {}", quote_list(&fk.ref_columns)),
    ];
    if let Some(a) = fk.on_delete {
        parts.push(format!("on_delete = {}", quote(a.keyword())));
    }
    if let Some(a) = fk.on_update {
        parts.push(format!("on_update = {}", quote(a.keyword())));
    }
    parts
}

fn index_fields(i: &Index) -> Vec<String> {
    let mut parts = vec![format!("name = {}", quote(&i.name)), format!("columns = {}", quote_list(&i.columns))];
    if i.unique {
        parts.push("unique = true".into());
    }
    if let Some(w) = &i.where_ {
        parts.push(format!("where = {}", quote(w)));
    }
    parts
}

/// The `[[upgrade]]` tables for the items, with their comments; empty when
/// there is nothing to do.
pub fn to_toml(items: &[Item]) -> String {
    let mut out = String::new();
    for it in items {
        for c in &it.comments {
            let _ = writeln!(out, "# {c}");
        }
        let Some(edit) = &it.edit else {
            out.push('\n');
            continue;
        };
        out.push_str("[[upgrade]]\n");
        let mut kv = |k: &str, v: String| {
            let _ = writeln!(out, "{k} = {v}");
        };
        match edit {
            Edit::DropConstraint { table, constraint } => {
                kv("op", quote("drop_constraint"));
                kv("table", quote(table));
                kv("name", quote(constraint.name()));
            }
            Edit::DropIndex { index, .. } => {
                kv("op", quote("drop_index"));
                kv("name", quote(&index.name));
            }
            Edit::DropTable { table } => {
                kv("op", quote("drop_table"));
                kv("table", quote(&table.name));
            }
            Edit::CreateTable { table, foreign_keys } => {
                kv("op", quote("create_table"));
                kv("table", quote(&table.name));
                let pk: Vec<String> = table.primary_key().map(|(_, c)| c.to_vec()).unwrap_or_default();
                let cols: Vec<String> = table
                    .columns
                    .values()
                    .map(|c| format!("    {},\n", column_toml(c, pk.contains(&c.name))))
                    .collect();
                kv("columns", format!("[\n{}]", cols.concat()));
                if !pk.is_empty() {
                    kv("primary_key", quote_list(&pk));
                }
                let list = |items: Vec<Vec<String>>| format!("[\n{}]", items.iter().map(|p| format!("    {{ {} }},\n", p.join(", "))).collect::<String>());
                if !foreign_keys.is_empty() {
                    kv("foreign_keys", list(foreign_keys.iter().map(fk_fields).collect()));
                }
                let uniques: Vec<Vec<String>> = table
                    .constraints
                    .iter()
                    .filter_map(|c| match c {
                        Constraint::Unique { name, columns } => Some(vec![format!("name = {}", quote(name)), format!("columns = {}", quote_list(columns))]),
                        _ => None,
                    })
                    .collect();
                if !uniques.is_empty() {
                    kv("unique_constraints", list(uniques));
                }
                let checks: Vec<Vec<String>> = table
                    .constraints
                    .iter()
                    .filter_map(|c| match c {
                        Constraint::Check { name, expr } => Some(vec![format!("name = {}", quote(name)), format!("expr = {}", quote(expr))]),
                        _ => None,
                    })
                    .collect();
                if !checks.is_empty() {
                    kv("check_constraints", list(checks));
                }
                if !table.indexes.is_empty() {
                    kv("indexes", list(table.indexes.iter().map(index_fields).collect()));
                }
                if let Some(c) = &table.comment {
                    kv("comment", quote(c));
                }
                if let Some(o) = &table.options {
                    kv("options", per_dialect(o));
                }
            }
            Edit::DropColumn { table, column } => {
                kv("op", quote("drop_column"));
                kv("table", quote(table));
                kv("column", quote(&column.name));
            }
            Edit::AddColumn { table, column } => {
                kv("op", quote("add_column"));
                kv("table", quote(table));
                kv("column", column_toml(column, false));
            }
            Edit::AlterColumn { table, old, new } => {
                kv("op", quote("alter_column"));
                kv("table", quote(table));
                kv("column", quote(&old.name));
                if old.ty != new.ty {
                    kv("type", type_toml(&new.ty));
                }
                if old.nullable != new.nullable {
                    kv("nullable", new.nullable.to_string());
                }
                if old.default != new.default {
                    kv("default", new.default.as_ref().map(default_toml).unwrap_or_else(|| "false".into()));
                }
                if old.comment != new.comment {
                    kv("comment", new.comment.as_deref().map(quote).unwrap_or_else(|| "false".into()));
                }
            }
            Edit::AddConstraint { table, constraint } => {
                let (op, fields) = match constraint {
                    Constraint::PrimaryKey { name, columns } => (
                        "create_primary_key",
                        vec![format!("columns = {}", quote_list(columns)), format!("name = {}", quote(name))],
                    ),
                    Constraint::Unique { name, columns } => (
                        "create_unique_constraint",
                        vec![format!("columns = {}", quote_list(columns)), format!("name = {}", quote(name))],
                    ),
                    Constraint::Check { name, expr } => (
                        "create_check_constraint",
                        vec![format!("expr = {}", quote(expr)), format!("name = {}", quote(name))],
                    ),
                    Constraint::ForeignKey(fk) => ("create_foreign_key", fk_fields(fk)),
                };
                kv("op", quote(op));
                kv("table", quote(table));
                for f in fields {
                    let (k, v) = f.split_once(" = ").expect("key = value");
                    kv(k, v.to_string());
                }
            }
            Edit::CreateIndex { table, index } => {
                kv("op", quote("create_index"));
                kv("table", quote(table));
                for f in index_fields(index) {
                    let (k, v) = f.split_once(" = ").expect("key = value");
                    kv(k, v.to_string());
                }
            }
        }
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
