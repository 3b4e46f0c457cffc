//! The TOML writer of operations: an `Op` as the keys of one `[[upgrade]]`
//! table, in the spelling `load` decodes back to the same operation. It is
//! the one place that writes operations as text (autogenerate uses it).
//!
//! Invariants: values are built as `Toml` values and written once, never
//! formatted and then taken apart again; every key written is one of the
//! kind's `OpKind::keys` (or of the nested table it is in); the layout is
//! fixed (`key = value` lines, inline tables `{ k = v, ... }`, long lists
//! one item a line), so the same operation always gives the same bytes.

use super::{AlterSpec, ColumnSpec, ConstraintSpec, EnumChange, ForeignKeySpec, IndexSpec, Op, OpKind, TableSpec};
use crate::base::naming;
use crate::vocab::types::{ColumnType, FkAction, IndexElement, PerDialect, Value};
use std::fmt::Write as _;

/// A TOML value as the writer lays it out.
enum Toml<'a> {
    Str(&'a str),
    /// A string made for the occasion.
    Text(String),
    /// Text written as it is: booleans, numbers, dates.
    Bare(String),
    /// `["a", "b"]`.
    Names(&'a [String]),
    /// `{ k = v, ... }` on one line.
    Inline(Vec<(&'a str, Toml<'a>)>),
    /// `[` then each item on its own line, indented, with a comma, then `]`.
    Lines(Vec<Toml<'a>>),
    /// `[a, b]` on one line.
    Array(Vec<Toml<'a>>),
}

/// Writes the keys of `op` (not the `[[upgrade]]` header), one line each.
/// A derived-only operation has no spelling: its kind is the error.
pub fn write_op(op: &Op, out: &mut String) -> Result<(), OpKind> {
    for (k, v) in &keys(op)? {
        write_key(k, out);
        out.push_str(" = ");
        write_value(v, out);
        out.push('\n');
    }
    Ok(())
}

/// The keys of `op` with their values, in the order they are written.
fn keys<'a>(op: &'a Op) -> Result<Vec<(&'static str, Toml<'a>)>, OpKind> {
    let kind = op.kind();
    let mut keys: Vec<(&'static str, Toml<'a>)> = vec![("op", Toml::Str(kind.name()))];
    let mut kv = |k: &'static str, v: Toml<'a>| {
        debug_assert!(kind.keys().contains(&k), "`{k}` is not a key of {}", kind.name());
        keys.push((k, v))
    };
    match op {
        Op::CreateTable(spec) => table_keys(spec, &mut kv),
        Op::DropTable { table } => qualified(&mut kv, "table", table),
        Op::RenameTable { table, new_name } => {
            qualified(&mut kv, "table", table);
            kv("new_name", Toml::Str(naming::bare(new_name)));
        }
        Op::AddColumn { table, column, backfill } => {
            qualified(&mut kv, "table", table);
            kv("column", column_toml(column));
            if let Some(b) = backfill {
                kv("backfill", value(&b.v));
            }
        }
        Op::DropColumn { table, column } => {
            qualified(&mut kv, "table", table);
            kv("column", Toml::Str(column));
        }
        Op::RenameColumn { table, column, new_name } => {
            qualified(&mut kv, "table", table);
            kv("column", Toml::Str(column));
            kv("new_name", Toml::Str(new_name));
        }
        Op::AlterColumn(a) => alter_keys(a, &mut kv),
        Op::CreateIndex { table, index } => {
            qualified(&mut kv, "table", table);
            for (k, v) in index_fields(index) {
                kv(k, v);
            }
        }
        Op::DropIndex { name, concurrently } => {
            kv("name", Toml::Str(name));
            if *concurrently {
                kv("concurrently", Toml::Bare("true".into()));
            }
        }
        Op::AddConstraint { table, constraint } => {
            qualified(&mut kv, "table", table);
            match constraint {
                ConstraintSpec::PrimaryKey { name, columns } | ConstraintSpec::Unique { name, columns } => {
                    kv("columns", Toml::Names(columns));
                    if let Some(n) = name {
                        kv("name", Toml::Str(n));
                    }
                }
                ConstraintSpec::Check { name, expr, dialects } => {
                    kv("expr", dialects.as_deref().map_or(Toml::Str(expr), per_dialect));
                    if let Some(n) = name {
                        kv("name", Toml::Str(n));
                    }
                }
                ConstraintSpec::ForeignKey(fk) => {
                    for (k, v) in fk_fields(fk) {
                        kv(k, v);
                    }
                }
            }
        }
        Op::DropConstraint { table, name } => {
            qualified(&mut kv, "table", table);
            kv("name", Toml::Str(name));
        }
        Op::CreateView { name, sql } => {
            qualified(&mut kv, "name", name);
            kv("sql", per_dialect(sql));
        }
        Op::DropView { name } => qualified(&mut kv, "name", name),
        Op::Execute { sql } => kv("sql", per_dialect(sql)),
        Op::BulkInsert { table, rows } => {
            qualified(&mut kv, "table", table);
            let rows = rows
                .iter()
                .map(|r| Toml::Inline(r.v.iter().map(|(k, v)| (k.v.as_str(), value(&v.v))).collect()));
            kv("rows", Toml::Lines(rows.collect()));
        }
        Op::RenameIndex { name, new_name } => {
            kv("name", Toml::Str(name));
            kv("new_name", Toml::Str(new_name));
        }
        Op::RenameConstraint { table, name, new_name } => {
            qualified(&mut kv, "table", table);
            kv("name", Toml::Str(name));
            kv("new_name", Toml::Str(new_name));
        }
        Op::AlterTable { table, comment } => {
            qualified(&mut kv, "table", table);
            match comment {
                Some(c) => kv("comment", Toml::Str(c)),
                None => kv("comment", bare(false)),
            }
        }
        Op::AlterEnum(e) => enum_keys(e, &mut kv),
        Op::CreateNamespace { name } | Op::DropNamespace { name } => kv("name", Toml::Str(name)),
        Op::CreateSequence(seq) => {
            qualified(&mut kv, "name", &seq.name);
            for (k, v) in [("start", seq.start), ("increment", seq.increment), ("min", seq.min), ("max", seq.max)] {
                if let Some(v) = v {
                    kv(k, Toml::Bare(v.to_string()));
                }
            }
            if seq.cycle {
                kv("cycle", bare(true));
            }
            if let Some(o) = &seq.owned_by {
                kv("owned_by", Toml::Text(format!("{}.{}", naming::bare(&o.v.0), o.v.1)));
            }
        }
        Op::DropSequence { name } => qualified(&mut kv, "name", name),
        Op::AlterSequence { name, restart, increment } => {
            qualified(&mut kv, "name", name);
            if let Some(r) = restart {
                kv("restart", Toml::Bare(r.to_string()));
            }
            if let Some(i) = increment {
                kv("increment", Toml::Bare(i.to_string()));
            }
        }
        Op::DeleteRows { .. } => return Err(kind),
    }
    Ok(keys)
}

/// A model name as `key = "name"` and, in a schema, `schema = "..."` (SPEC 9).
fn qualified<'a>(kv: &mut impl FnMut(&'static str, Toml<'a>), key: &'static str, name: &'a str) {
    let (schema, name) = naming::split_qualified(name);
    kv(key, Toml::Str(name));
    if let Some(s) = schema {
        kv("schema", Toml::Str(s));
    }
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(s, &mut out);
    out
}

fn write_str(s: &str, out: &mut String) {
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
}

/// A key, bare when TOML allows it (every fixed key, every dialect key),
/// else quoted (a column name in a row).
fn write_key(k: &str, out: &mut String) {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        out.push_str(k);
    } else {
        write_str(k, out);
    }
}

fn write_value(v: &Toml, out: &mut String) {
    match v {
        Toml::Str(s) => write_str(s, out),
        Toml::Text(s) => write_str(s, out),
        Toml::Bare(s) => out.push_str(s),
        Toml::Names(items) => {
            out.push('[');
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(s, out);
            }
            out.push(']');
        }
        Toml::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(v, out);
            }
            out.push(']');
        }
        Toml::Inline(fields) => {
            out.push_str("{ ");
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(k, out);
                out.push_str(" = ");
                write_value(v, out);
            }
            out.push_str(" }");
        }
        Toml::Lines(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str("    ");
                write_value(item, out);
                out.push_str(",\n");
            }
            out.push(']');
        }
    }
}

fn bare(b: bool) -> Toml<'static> {
    Toml::Bare(b.to_string())
}

/// `create_table`'s keys: the primary key by its columns (a table with its
/// `name` when one is given), the other constraints grouped by kind, in their order.
fn table_keys<'a>(spec: &'a TableSpec, kv: &mut impl FnMut(&'static str, Toml<'a>)) {
    qualified(kv, "table", &spec.table);
    kv("columns", Toml::Lines(spec.columns.iter().map(column_toml).collect()));
    let pk = spec.constraints.iter().find_map(|c| match c {
        ConstraintSpec::PrimaryKey { name, columns } => Some((name, columns)),
        _ => None,
    });
    match pk {
        Some((None, columns)) => kv("primary_key", Toml::Names(columns)),
        Some((Some(name), columns)) => kv("primary_key", Toml::Inline(vec![("name", Toml::Str(name)), ("columns", Toml::Names(columns))])),
        None => {}
    }
    // One key per kind of constraint, each an array of inline tables, left
    // out when the table has none of that kind.
    let mut section = |key: &'static str, entry: &dyn Fn(&'a ConstraintSpec) -> Option<Toml<'a>>| {
        let entries: Vec<Toml> = spec.constraints.iter().filter_map(entry).collect();
        if !entries.is_empty() {
            kv(key, Toml::Lines(entries));
        }
    };
    section("foreign_keys", &|c| match c {
        ConstraintSpec::ForeignKey(fk) => Some(Toml::Inline(fk_fields(fk))),
        _ => None,
    });
    section("unique_constraints", &|c| match c {
        ConstraintSpec::Unique { name, columns } => Some(Toml::Inline(named(name, vec![("columns", Toml::Names(columns))]))),
        _ => None,
    });
    section("check_constraints", &|c| match c {
        ConstraintSpec::Check { name, expr, dialects } => Some(Toml::Inline(named(
            name,
            vec![("expr", dialects.as_deref().map_or(Toml::Str(expr), per_dialect))],
        ))),
        _ => None,
    });
    if !spec.indexes.is_empty() {
        kv("indexes", Toml::Lines(spec.indexes.iter().map(|i| Toml::Inline(index_fields(i))).collect()));
    }
    if let Some(c) = &spec.comment {
        kv("comment", Toml::Str(c));
    }
    if let Some(o) = &spec.options {
        kv("options", per_dialect(o));
    }
}

/// `name` first when there is one, then `fields`.
fn named<'a>(name: &'a Option<crate::base::diag::Sp<String>>, fields: Vec<(&'static str, Toml<'a>)>) -> Vec<(&'static str, Toml<'a>)> {
    name.iter().map(|n| ("name", Toml::Str(n))).chain(fields).collect()
}

/// `alter_column`'s keys: `false` drops a default or a comment, so a
/// default of the boolean false is written as raw SQL.
fn alter_keys<'a>(a: &'a AlterSpec, kv: &mut impl FnMut(&'static str, Toml<'a>)) {
    kv("table", Toml::Str(&a.table));
    kv("column", Toml::Str(&a.column));
    if let Some(ty) = &a.ty {
        kv("type", type_toml(ty));
    }
    if let Some(n) = a.nullable {
        kv("nullable", bare(n));
    }
    match &a.default {
        None => {}
        Some(None) => kv("default", bare(false)),
        Some(Some(d)) if d.v == Value::Bool(false) => kv("default", Toml::Inline(vec![("sql", Toml::Str("FALSE"))])),
        Some(Some(d)) => kv("default", value(&d.v)),
    }
    match &a.comment {
        None => {}
        Some(None) => kv("comment", bare(false)),
        Some(Some(c)) => kv("comment", Toml::Str(c)),
    }
    match &a.collation {
        None => {}
        Some(None) => kv("collation", bare(false)),
        Some(Some(c)) => kv("collation", per_dialect(c)),
    }
    if let Some(g) = &a.generated {
        let stored = if g.v.stored { None } else { Some(("stored", bare(false))) };
        kv(
            "generated",
            Toml::Inline([("expr", per_dialect(&g.v.expr))].into_iter().chain(stored).collect()),
        );
    }
    if let Some(b) = &a.backfill {
        kv("backfill", value(&b.v));
    }
    if let Some(u) = &a.using {
        kv("using", per_dialect(u));
    }
}

/// `alter_enum`'s keys, in the order they apply.
fn enum_keys<'a>(e: &'a EnumChange, kv: &mut impl FnMut(&'static str, Toml<'a>)) {
    let pairs = |p: &'a [(String, String)]| Toml::Inline(p.iter().map(|(k, v)| (k.as_str(), Toml::Str(v))).collect());
    kv("name", Toml::Str(&e.name));
    if !e.rename.is_empty() {
        kv("rename", pairs(&e.rename));
    }
    if !e.add.is_empty() {
        kv("add", Toml::Names(&e.add));
    }
    if let Some(b) = &e.before {
        kv("before", Toml::Str(b));
    }
    if let Some(a) = &e.after {
        kv("after", Toml::Str(a));
    }
    if !e.remove.is_empty() {
        kv("remove", Toml::Names(&e.remove));
    }
    if !e.map.is_empty() {
        kv("map", pairs(&e.map));
    }
}

/// A column as an inline table, keys in the order of the decoder's list.
fn column_toml(c: &ColumnSpec) -> Toml<'_> {
    let mut f: Vec<(&str, Toml)> = vec![("name", Toml::Str(&c.name)), ("type", type_toml(&c.ty))];
    if let Some(n) = c.nullable {
        f.push(("nullable", bare(n)));
    }
    if let Some(d) = &c.default {
        f.push(("default", value(&d.v)));
    }
    if c.primary_key {
        f.push(("primary_key", bare(true)));
    }
    if c.autoincrement {
        f.push(("autoincrement", bare(true)));
    }
    if c.unique {
        f.push(("unique", bare(true)));
    }
    if let Some(r) = &c.references {
        f.push(("references", Toml::Text(format!("{}.{}", naming::shown(&r.v.0), r.v.1))));
    }
    if let Some(a) = c.on_delete {
        f.push(("on_delete", action(a)));
    }
    if let Some(a) = c.on_update {
        f.push(("on_update", action(a)));
    }
    if let Some(cm) = &c.comment {
        f.push(("comment", Toml::Str(cm)));
    }
    if let Some(g) = &c.generated {
        let stored = if g.v.stored { None } else { Some(("stored", bare(false))) };
        f.push((
            "generated",
            Toml::Inline([("expr", per_dialect(&g.v.expr))].into_iter().chain(stored).collect()),
        ));
    }
    if let Some(cl) = &c.collation {
        f.push(("collation", per_dialect(&cl.v)));
    }
    Toml::Inline(f)
}

fn action(a: FkAction) -> Toml<'static> {
    Toml::Str(a.keyword())
}

fn fk_fields(fk: &ForeignKeySpec) -> Vec<(&'static str, Toml<'_>)> {
    let mut f = named(
        &fk.name,
        vec![
            ("columns", Toml::Names(&fk.columns)),
            ("referred_table", Toml::Str(naming::bare(&fk.ref_table))),
            ("referred_columns", Toml::Names(&fk.ref_columns)),
        ],
    );
    if let Some(s) = naming::schema_of(&fk.ref_table) {
        f.push(("referred_schema", Toml::Str(s)));
    }
    if let Some(a) = fk.on_delete {
        f.push(("on_delete", action(a)));
    }
    if let Some(a) = fk.on_update {
        f.push(("on_update", action(a)));
    }
    f
}

fn index_fields(i: &IndexSpec) -> Vec<(&'static str, Toml<'_>)> {
    let opts = i.options.as_deref();
    let columns = match opts.filter(|o| !o.elements.is_empty()) {
        None => Toml::Names(&i.columns),
        Some(o) => Toml::Array(i.columns.iter().zip(&o.elements).map(|(c, e)| index_element(c, e)).collect()),
    };
    let mut f = named(&i.name, vec![("columns", columns)]);
    if i.unique {
        f.push(("unique", bare(true)));
    }
    if let Some(w) = &i.where_ {
        f.push(("where", Toml::Str(w)));
    }
    if i.concurrently {
        f.push(("concurrently", bare(true)));
    }
    if let Some(o) = opts {
        if let Some(m) = &o.method {
            f.push(("method", Toml::Str(m)));
        }
        if !o.include.is_empty() {
            f.push(("include", Toml::Names(&o.include)));
        }
        if let Some(k) = &o.kind {
            f.push(("kind", Toml::Str(k)));
        }
    }
    f
}

/// One entry of an index's `columns`: the bare name when it has no options.
fn index_element<'a>(entry: &'a str, e: &'a IndexElement) -> Toml<'a> {
    if *e == IndexElement::default() {
        return Toml::Str(entry);
    }
    let mut f = vec![(if e.expr { "expr" } else { "name" }, Toml::Str(entry))];
    if let Some(desc) = e.desc {
        f.push(("order", Toml::Str(if desc { "desc" } else { "asc" })));
    }
    if let Some(first) = e.nulls_first {
        f.push(("nulls", Toml::Str(if first { "first" } else { "last" })));
    }
    if let Some(o) = &e.opclass {
        f.push(("opclass", Toml::Str(o)));
    }
    if let Some(n) = e.length {
        f.push(("length", Toml::Bare(n.to_string())));
    }
    Toml::Inline(f)
}

/// A per-dialect text: a plain string when it has only a `default`.
fn per_dialect(pd: &PerDialect) -> Toml<'_> {
    match pd.0.get("default") {
        Some(s) if pd.0.len() == 1 => Toml::Str(s),
        _ => dialect_table(pd),
    }
}

fn dialect_table(pd: &PerDialect) -> Toml<'_> {
    Toml::Inline(pd.0.iter().map(|(k, v)| (k.as_str(), Toml::Str(v))).collect())
}

fn type_toml(t: &ColumnType) -> Toml<'_> {
    match t {
        ColumnType::Enum(e) if !e.native => {
            let name = (!e.name.is_empty()).then(|| ("name", Toml::Str(&e.name)));
            Toml::Inline(
                [("enum", Toml::Names(&e.values))]
                    .into_iter()
                    .chain(name)
                    .chain([("native", bare(false))])
                    .collect(),
            )
        }
        ColumnType::Enum(e) => Toml::Inline(vec![("enum", Toml::Names(&e.values)), ("name", Toml::Str(&e.name))]),
        ColumnType::Raw(pd) => dialect_table(pd),
        other => Toml::Text(other.neutral()),
    }
}

fn value(v: &Value) -> Toml<'_> {
    match v {
        Value::Null => Toml::Inline(vec![("sql", Toml::Str("NULL"))]),
        Value::Bool(b) => bare(*b),
        Value::Int(i) => Toml::Bare(i.to_string()),
        Value::Float(f) => Toml::Bare(f.clone()),
        Value::String(s) => Toml::Str(s),
        Value::Temporal(s) => Toml::Bare(s.clone()),
        Value::Current(e) => Toml::Inline(vec![("expr", Toml::Str(e))]),
        Value::Sql(pd) => Toml::Inline(vec![("sql", per_dialect(pd))]),
        Value::Next(seq) => Toml::Inline(vec![("next", Toml::Text(naming::shown(seq).into_owned()))]),
    }
}
