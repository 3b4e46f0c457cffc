//! The comparison: a model `Schema` and an engine `Catalog` are both brought
//! to a `Norm`, one line per column, key, foreign key and check, in each
//! engine's own spelling of types and default actions, so that a difference
//! is a readable line.
//!
//! What each engine adds by itself is removed from the catalog side only:
//! MariaDB's implicit foreign-key indexes (kept even after their key is
//! dropped) and the `json_valid` checks of its
//! JSON alias. Defaults are compared after `canon` (quotes and casts
//! stripped, booleans as 1/0, numbers as numbers). Columns are compared
//! as a set, not in order: a derived downgrade of `drop_column` re-adds the
//! column last (PostgreSQL cannot place a column), a known limitation.

use super::model::{canon, Schema, Ty};
use crate::support::engines::{Catalog, Engine};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NTable {
    pub columns: Vec<String>,
    pub keys: BTreeSet<String>,
    pub fks: BTreeSet<String>,
    pub checks: BTreeSet<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Norm {
    pub tables: BTreeMap<String, NTable>,
    pub enums: BTreeSet<String>,
    /// Schemas (SPEC 9), without the test's prefix.
    pub schemas: BTreeSet<String>,
    /// One line per sequence: its name and definition.
    pub sequences: BTreeSet<String>,
}

/// The engine's spelling of a neutral type, as its catalog reports it.
pub fn type_name(engine: Engine, ty: &Ty) -> String {
    match engine {
        Engine::Postgres => match ty {
            Ty::Boolean => "boolean".into(),
            Ty::SmallInt => "smallint".into(),
            Ty::Integer => "integer".into(),
            Ty::BigInt => "bigint".into(),
            Ty::Float => "double precision".into(),
            Ty::Decimal(p, s) => format!("numeric({p},{s})"),
            Ty::String(n) => format!("character varying({n})"),
            Ty::Char(n) => format!("character({n})"),
            Ty::Text => "text".into(),
            Ty::Binary => "bytea".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time without time zone".into(),
            Ty::DateTime => "timestamp without time zone".into(),
            Ty::TimestampTz => "timestamp with time zone".into(),
            Ty::Json => "json".into(),
            Ty::Jsonb => "jsonb".into(),
            Ty::Uuid => "uuid".into(),
            Ty::Enum(name, _) => name.to_lowercase(),
            Ty::Choice(_, values) => format!("character varying({})", longest(values)),
        },
        Engine::Mariadb => match ty {
            Ty::Boolean => "tinyint(1)".into(),
            Ty::SmallInt => "smallint(6)".into(),
            Ty::Integer => "int(11)".into(),
            Ty::BigInt => "bigint(20)".into(),
            Ty::Float => "double".into(),
            Ty::Decimal(p, s) => format!("decimal({p},{s})"),
            Ty::String(n) => format!("varchar({n})"),
            Ty::Char(n) => format!("char({n})"),
            Ty::Text => "text".into(),
            Ty::Binary => "longblob".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time".into(),
            Ty::DateTime => "datetime".into(),
            Ty::TimestampTz => "datetime(6)".into(),
            Ty::Json | Ty::Jsonb => "longtext".into(),
            Ty::Uuid => "char(36)".into(),
            Ty::Enum(_, values) => {
                let v: Vec<String> = values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
                format!("enum({})", v.join(","))
            }
            Ty::Choice(_, values) => format!("varchar({})", longest(values)),
        },
        Engine::Sqlite => match ty {
            Ty::Boolean => "boolean".into(),
            Ty::SmallInt => "smallint".into(),
            Ty::Integer => "integer".into(),
            Ty::BigInt => "bigint".into(),
            Ty::Float => "float".into(),
            Ty::Decimal(p, s) => format!("numeric({p},{s})"),
            Ty::String(n) => format!("varchar({n})"),
            Ty::Char(n) => format!("char({n})"),
            Ty::Text => "text".into(),
            Ty::Binary => "blob".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time".into(),
            Ty::DateTime => "datetime".into(),
            Ty::TimestampTz => "timestamptz".into(),
            Ty::Json | Ty::Jsonb => "json".into(),
            Ty::Uuid => "uuid".into(),
            Ty::Enum(..) => "varchar(255)".into(),
            Ty::Choice(_, values) => format!("varchar({})", longest(values)),
        },
    }
}

/// A non-native enum's VARCHAR length: its longest value, in characters.
fn longest(values: &[String]) -> usize {
    values.iter().map(|v| v.chars().count()).max().unwrap_or(1).max(1)
}

fn list(cols: &[String]) -> String {
    format!("({})", cols.join(", "))
}

fn action(engine: Engine, a: Option<&str>) -> String {
    let a = a.unwrap_or(if engine == Engine::Mariadb { "restrict" } else { "no action" }).to_lowercase();
    // InnoDB treats NO ACTION as RESTRICT and reports either.
    if engine == Engine::Mariadb && a == "no action" {
        "restrict".into()
    } else {
        a
    }
}

fn column_line(name: &str, ty: &str, nullable: bool, default: Option<String>) -> String {
    let mut s = format!("{name} {ty}");
    if !nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = default {
        s.push_str(" DEFAULT ");
        s.push_str(&d);
    }
    s
}

/// Reads a default as an engine reports it: outer parentheses, quotes and a
/// PostgreSQL cast removed, then `canon`.
pub fn canon_default(engine: Engine, raw: &str) -> String {
    // A sequence's next value: `nextval('ns.s1'::regclass)` (PostgreSQL),
    // `nextval(`db`.`s1`)` (MariaDB), as `nextval(s1)` (the generator's
    // sequence names are unique across schemas).
    if let Some(at) = raw.to_ascii_lowercase().find("nextval(") {
        let inner = &raw[at + "nextval(".len()..];
        let inner = inner.rsplit_once(')').map_or(inner, |(i, _)| i).replace("::regclass", "");
        let unquote = |s: &str| s.trim_matches(|c| c == '\'' || c == '"' || c == '`').to_owned();
        let inner = unquote(&inner);
        let name = inner.rsplit_once('.').map_or(inner.as_str(), |(_, n)| n);
        return format!("nextval({})", unquote(name));
    }
    let mut t = raw.trim();
    while t.starts_with('(') && t.ends_with(')') {
        t = &t[1..t.len() - 1];
    }
    if let Some(rest) = t.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    out.push('\'');
                }
                '\'' => break,
                '\\' if engine == Engine::Mariadb => {
                    if let Some(n) = chars.next() {
                        out.push(match n {
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            '0' => '\0',
                            other => other,
                        });
                    }
                }
                c => out.push(c),
            }
        }
        return canon(&out);
    }
    let t = t.split("::").next().unwrap_or(t);
    canon(t)
}

/// PostgreSQL's spelling of a generation expression brought to the model's:
/// casts (`::numeric`, `::numeric(8,2)`) and parentheses removed, so that
/// `((a)::numeric + b)` reads `a + b`.
pub fn generation_expr(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find("::") {
        out.push_str(&rest[..at]);
        let after = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
        rest = match after.strip_prefix('(') {
            Some(args) if args.starts_with(|c: char| c.is_ascii_digit()) => args.split_once(')').map(|(_, r)| r).unwrap_or(""),
            _ => after,
        };
    }
    out.push_str(rest);
    out.replace(['(', ')'], "")
}

/// The expected `Norm` of `schema` on `engine`.
pub fn expected(engine: Engine, schema: &Schema) -> Norm {
    let mut norm = Norm::default();
    for t in &schema.tables {
        let mut nt = NTable::default();
        for c in &t.cols {
            let default = c.default.as_ref().map(|d| d.canon());
            let mut line = column_line(&c.name, &type_name(engine, &c.ty), c.nullable, default);
            // SQLite's INTEGER PRIMARY KEY is the rowid: its catalog cannot tell.
            if c.name == "id" && t.autoinc && engine != Engine::Sqlite {
                line.push_str(" AUTOINCREMENT");
            }
            match (&c.generated, engine) {
                (None, _) | (Some(_), Engine::Mariadb) => nt.columns.push(line),
                (Some(g), Engine::Postgres) => nt.columns.push(format!("{line} GENERATED {}", g.sql())),
                (Some(_), Engine::Sqlite) => {}
            }
        }
        if t.has_pk {
            nt.keys.insert(match engine {
                Engine::Mariadb => "pk (id)".into(),
                _ => format!("pk {} (id)", t.pk_name),
            });
        }
        for u in &t.uniques {
            nt.keys.insert(match engine {
                Engine::Mariadb => format!("index {} {} unique", u.name, list(&u.cols)),
                _ => format!("unique {} {}", u.name, list(&u.cols)),
            });
        }
        for i in &t.indexes {
            // An expression element as the engine's catalog spells it.
            let mut cols = i.cols.clone();
            if i.special == Some(super::model::Special::Lower) {
                cols[0] = match engine {
                    Engine::Postgres => format!("lower({}::text)", cols[0]),
                    _ => "<expression>".to_owned(),
                };
            }
            nt.keys.insert(format!(
                "index {} {}{}{}",
                i.name,
                list(&cols),
                if i.unique { " unique" } else { "" },
                if i.partial { " partial" } else { "" }
            ));
        }
        for f in &t.fks {
            nt.fks.insert(format!(
                "fk {} {} -> {} {} on delete {} on update {}",
                f.name,
                list(&f.cols),
                f.ref_table,
                list(&f.ref_cols),
                action(engine, f.on_delete),
                action(engine, f.on_update)
            ));
        }
        for c in &t.checks {
            nt.checks.insert(c.name.clone());
        }
        nt.columns.sort();
        norm.tables.insert(t.name.clone(), nt);
    }
    if engine == Engine::Postgres {
        for (name, values) in schema.enums() {
            norm.enums.insert(format!("{} {}", name.to_lowercase(), values.join(",")));
        }
    }
    norm.schemas = schema.namespaces.clone();
    for (name, seq) in &schema.sequences {
        norm.sequences.insert(format!("{name} {}", seq.line()));
    }
    norm
}

/// The `Norm` of what the engine reports, with `model` used only to
/// recognise what the engine adds by itself.
pub fn actual(engine: Engine, catalog: &Catalog, model: &Schema) -> Norm {
    let mut norm = Norm::default();
    for (name, t) in &catalog.tables {
        if name == "schemac_version" {
            continue;
        }
        let mut nt = NTable::default();
        let mt = model.table(name);
        for c in &t.columns {
            // PostgreSQL keeps a generated column's expression where a
            // default would be; the model says which column is generated.
            if engine == Engine::Postgres && mt.is_some_and(|mt| mt.is_generated(&c.name)) {
                let line = column_line(&c.name, &c.type_name, c.nullable, None);
                nt.columns.push(match c.default.as_deref() {
                    Some(expr) => format!("{line} GENERATED {}", generation_expr(expr)),
                    None => line,
                });
                continue;
            }
            // An autoincrement column: PostgreSQL's identity or serial default,
            // MariaDB's AUTO_INCREMENT, SQLite's AUTOINCREMENT. schemac spells
            // it as an identity on PostgreSQL, so a `nextval` default is a
            // column default over a sequence of the chain's (SPEC 9).
            if c.autoincrement && c.default.is_none() {
                nt.columns
                    .push(format!("{} AUTOINCREMENT", column_line(&c.name, &c.type_name, c.nullable, None)));
                continue;
            }
            let default = c.default.as_deref().map(|d| canon_default(engine, d));
            nt.columns.push(column_line(&c.name, &c.type_name, c.nullable, default));
        }
        if let Some(pk) = &t.primary_key {
            nt.keys.insert(match (&pk.name, engine) {
                (_, Engine::Mariadb) | (None, _) => format!("pk {}", list(&pk.columns)),
                (Some(n), _) => format!("pk {n} {}", list(&pk.columns)),
            });
        }
        for (n, cols) in &t.unique_constraints {
            nt.keys.insert(format!("unique {n} {}", list(cols)));
        }
        let fk_names: BTreeSet<&str> = t.foreign_keys.iter().filter_map(|f| f.name.as_deref()).collect();
        for (n, i) in &t.indexes {
            let in_model = mt.is_some_and(|mt| mt.indexes.iter().chain(&mt.uniques).any(|x| x.name == *n));
            // InnoDB keeps the index it made for a foreign key after the key is
            // dropped (a known defect, tests/fixtures/conformance/known/); the
            // generator names nothing else `fk...`.
            if engine == Engine::Mariadb && !i.unique && !in_model && (fk_names.contains(n.as_str()) || n.starts_with("fk")) {
                continue;
            }
            nt.keys.insert(format!(
                "index {n} {}{}{}",
                list(&i.columns),
                if i.unique { " unique" } else { "" },
                if i.partial { " partial" } else { "" }
            ));
        }
        for f in &t.foreign_keys {
            nt.fks.insert(format!(
                "fk {} {} -> {} {} on delete {} on update {}",
                f.name.clone().unwrap_or_else(|| "(unnamed)".into()),
                list(&f.columns),
                f.referred_table,
                list(&f.referred_columns),
                action(engine, Some(&f.on_delete)),
                action(engine, Some(&f.on_update))
            ));
        }
        for c in &t.checks {
            // MariaDB's JSON is LONGTEXT with a CHECK (json_valid(col)) named
            // after the column, and kept under that name when the column is
            // renamed; the model's checks are all named `ck...`.
            let json_col = mt.and_then(|mt| mt.col(c)).is_some_and(|col| matches!(col.ty, Ty::Json | Ty::Jsonb));
            if engine == Engine::Mariadb && (json_col || !c.starts_with("ck")) {
                continue;
            }
            // SQLite spells an enum as a CHECK on the column.
            if engine == Engine::Sqlite && c.starts_with("(unnamed) ") && c.contains(" IN (") {
                continue;
            }
            nt.checks.insert(c.clone());
        }
        nt.columns.sort();
        norm.tables.insert(name.clone(), nt);
    }
    for (name, values) in &catalog.enums {
        norm.enums.insert(format!("{name} {}", values.join(",")));
    }
    norm.schemas = catalog.schemas.clone();
    for (name, s) in &catalog.sequences {
        norm.sequences.insert(format!(
            "{name} start {} increment {} min {} max {} cycle {}",
            s.start, s.increment, s.min, s.max, s.cycle
        ));
    }
    norm
}

/// The differences, one line each; empty when equal.
pub fn diff(want: &Norm, got: &Norm) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = want.tables.keys().chain(got.tables.keys()).collect();
    for name in names {
        match (want.tables.get(name), got.tables.get(name)) {
            (Some(_), None) => out.push(format!("table {name:?} missing")),
            (None, Some(_)) => out.push(format!("table {name:?} unexpected")),
            (Some(w), Some(g)) => {
                if w.columns != g.columns {
                    out.push(format!("table {name:?} columns: want {:?} got {:?}", w.columns, g.columns));
                }
                for (what, w, g) in [("key", &w.keys, &g.keys), ("foreign key", &w.fks, &g.fks), ("check", &w.checks, &g.checks)] {
                    for x in w.difference(g) {
                        out.push(format!("table {name:?}: {what} missing: {x}"));
                    }
                    for x in g.difference(w) {
                        out.push(format!("table {name:?}: {what} unexpected: {x}"));
                    }
                }
            }
            (None, None) => {}
        }
    }
    if want.enums != got.enums {
        out.push(format!("enums: want {:?} got {:?}", want.enums, got.enums));
    }
    if want.schemas != got.schemas {
        out.push(format!("schemas: want {:?} got {:?}", want.schemas, got.schemas));
    }
    for x in want.sequences.difference(&got.sequences) {
        out.push(format!("sequence missing: {x}"));
    }
    for x in got.sequences.difference(&want.sequences) {
        out.push(format!("sequence unexpected: {x}"));
    }
    out
}
