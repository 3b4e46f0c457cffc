//! `json-schema`: a JSON Schema (draft 2020-12) of the revision, model,
//! populate and configuration files, for TOML editors (taplo, Even Better
//! TOML). Every object's property list is read from the key lists the
//! decoders check (`OpKind::keys`, `load::COLUMN_KEYS` and its siblings,
//! `config::*_KEYS`, `populate::*_KEYS`), so a key the decoder accepts is a
//! key the schema knows, and none else: `additionalProperties` is false.
//!
//! Invariant: no key name is listed here; only the shape of a value is
//! (`value_of`), and a key with no shape given accepts any value.

use crate::language::load::{
    CHECK_KEYS, COLUMN_KEYS, DIALECT_KEYS, ENUM_KEYS, FOREIGN_KEY_KEYS, GENERATED_KEYS, INDEX_ELEMENT_KEYS, INDEX_KEYS, REVISION_KEYS, UNIQUE_KEYS,
};
use crate::vocab::ops::OpKind;
use serde_json::{json, Map, Value};

/// Which file a schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    Revision,
    Model,
    Populate,
    Config,
}

const ID: &str = "https://schemac.dev/schema/";

/// The schema of one file, or (None) all four as `$defs` of one document
/// whose root accepts any of them.
pub fn schema(which: Option<File>) -> Value {
    let mut doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": defs(),
    });
    let (title, root) = match which {
        Some(File::Revision) => ("schemac revision file", json!({"$ref": "#/$defs/revision"})),
        Some(File::Model) => ("schemac model file", json!({"$ref": "#/$defs/model"})),
        Some(File::Populate) => ("schemac populate file", json!({"$ref": "#/$defs/populate"})),
        Some(File::Config) => ("schemac configuration file", json!({"$ref": "#/$defs/config"})),
        None => (
            "schemac files",
            json!({"anyOf": [
                {"$ref": "#/$defs/revision"}, {"$ref": "#/$defs/model"},
                {"$ref": "#/$defs/populate"}, {"$ref": "#/$defs/config"}
            ]}),
        ),
    };
    let m = doc.as_object_mut().expect("an object");
    m.insert("$id".into(), json!(format!("{ID}{}.json", title.replace(' ', "-"))));
    m.insert("title".into(), json!(title));
    for (k, v) in root.as_object().expect("an object") {
        m.insert(k.clone(), v.clone());
    }
    doc
}

/// An object with exactly `keys`, each value shaped by `value`.
fn object(keys: &[&str], value: impl Fn(&str) -> Value, required: &[&str]) -> Value {
    let mut props = Map::new();
    for k in keys {
        props.insert(k.to_string(), value(k));
    }
    json!({"type": "object", "properties": props, "additionalProperties": false, "required": required})
}

fn names() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn per_dialect() -> Value {
    let mut props = Map::new();
    for k in DIALECT_KEYS {
        props.insert(k.to_string(), json!({"type": "string"}));
    }
    json!({"anyOf": [{"type": "string"}, {"type": "object", "properties": props, "additionalProperties": false}]})
}

fn literal() -> Value {
    json!({"anyOf": [
        {"type": ["string", "integer", "number", "boolean"]},
        {"type": "object", "properties": {"expr": {"type": "string"}, "sql": per_dialect()}, "additionalProperties": false}
    ]})
}

/// A column's default: a literal, or `{ next = "seq" }` (SPEC 9).
fn default_value() -> Value {
    json!({"anyOf": [
        {"type": ["string", "integer", "number", "boolean"]},
        {"type": "object", "properties": {"expr": {"type": "string"}, "sql": per_dialect(), "next": {"type": "string"}}, "additionalProperties": false}
    ]})
}

/// An index's `columns`: names, or element tables (SPEC 9).
fn index_columns() -> Value {
    let element = object(
        INDEX_ELEMENT_KEYS,
        |k| match k {
            "length" => json!({"type": "integer", "minimum": 1}),
            "order" => json!({"enum": ["asc", "desc"]}),
            "nulls" => json!({"enum": ["first", "last"]}),
            _ => json!({"type": "string"}),
        },
        &[],
    );
    json!({"type": "array", "items": {"anyOf": [{"type": "string"}, element]}})
}

fn action() -> Value {
    json!({"type": "string", "enum": ["cascade", "set null", "set default", "restrict", "no action"]})
}

/// The shape of a value, by the key it is under (the same word means the
/// same thing in every operation; `column`, `columns` and `default` are
/// told apart by the operation).
fn value_of(op: Option<OpKind>, key: &str) -> Value {
    match (op, key) {
        (Some(OpKind::CreateTable), "columns") => json!({"type": "array", "items": {"$ref": "#/$defs/column"}}),
        (Some(OpKind::AddColumn), "column") => json!({"$ref": "#/$defs/column"}),
        (Some(OpKind::CreateTable), "primary_key") => json!({"anyOf": [names(), {"type": "object"}]}),
        (Some(OpKind::CreateTable), "foreign_keys") => json!({"type": "array", "items": {"$ref": "#/$defs/foreign_key"}}),
        (Some(OpKind::CreateTable), "unique_constraints") => json!({"type": "array", "items": {"$ref": "#/$defs/unique"}}),
        (Some(OpKind::CreateTable), "check_constraints") => json!({"type": "array", "items": {"$ref": "#/$defs/check"}}),
        (Some(OpKind::CreateIndex), "columns") => index_columns(),
        // A table's comment, or `false` to drop it.
        (Some(OpKind::AlterTable), "comment") => json!({"anyOf": [{"type": "string"}, {"const": false}]}),
        // alter_column's `collation = false`: back to the type's default.
        (Some(OpKind::AlterColumn), "collation") => json!({"anyOf": [per_dialect(), {"const": false}]}),
        (_, "include") => names(),
        (_, "method" | "kind") => json!({"type": "string"}),
        (Some(OpKind::CreateTable), "indexes") => json!({"type": "array", "items": {"$ref": "#/$defs/index"}}),
        (_, "op") => json!({"type": "string"}),
        // A check's SQL, or per dialect (SPEC 9: "" = no such check there).
        (_, "expr") => per_dialect(),
        (_, "table" | "name" | "new_name" | "referred_table" | "message" | "where" | "comment" | "revision") => json!({"type": "string"}),
        // SPEC 9: schemas and sequences.
        (_, "schema" | "referred_schema") => json!({"type": "string"}),
        (_, "owned_by") => json!({"type": "string", "pattern": "^[^.]+\\.[^.]+$"}),
        (_, "start" | "increment" | "min" | "max" | "restart") => json!({"type": "integer"}),
        (_, "cycle") => json!({"type": "boolean"}),
        (_, "column") => json!({"type": "string"}),
        (_, "columns" | "referred_columns" | "branch_labels" | "depends_on" | "key") => names(),
        (_, "down_revision") => json!({"anyOf": [{"type": "string"}, names()]}),
        (_, "unique" | "concurrently" | "nullable" | "transactional" | "autoincrement") => json!({"type": "boolean"}),
        (_, "primary_key") => json!({"type": "boolean"}),
        (_, "on_delete" | "on_update") => action(),
        (_, "sql" | "options" | "using" | "collation") => per_dialect(),
        // A generated column (SPEC 9).
        (_, "generated") => object(
            GENERATED_KEYS,
            |k| match k {
                "stored" => json!({"type": "boolean"}),
                _ => per_dialect(),
            },
            &["expr"],
        ),
        // alter_enum (SPEC 9).
        (Some(OpKind::AlterEnum), "add" | "remove") => names(),
        (Some(OpKind::AlterEnum), "before" | "after") => json!({"type": "string"}),
        (Some(OpKind::AlterEnum), "rename" | "map") => json!({"type": "object", "additionalProperties": {"type": "string"}}),
        (_, "type") => json!({"anyOf": [
            {"type": "string"},
            object(ENUM_KEYS, |k| match k {
                "enum" => names(),
                "native" => json!({"type": "boolean"}),
                _ => json!({"type": "string"}),
            }, &["enum"]),
            {"type": "object", "propertyNames": {"enum": DIALECT_KEYS}, "additionalProperties": {"type": "string"}}
        ]}),
        (_, "default") => default_value(),
        (_, "backfill") => literal(),
        (_, "references") => json!({"type": "string", "pattern": "^[^.]+\\.[^.]+(\\.[^.]+)?$"}),
        (_, "rows") => json!({"type": "array", "items": {"type": "object"}}),
        (_, "values") => json!({"type": "array"}),
        _ => json!({}),
    }
}

/// One `[[upgrade]]` / `[[downgrade]]` entry: one branch per operation,
/// chosen by `op`.
fn operation() -> Value {
    let kinds: Vec<OpKind> = OpKind::ALL.iter().copied().filter(|k| !k.is_derived_only()).collect();
    let branches: Vec<Value> = kinds
        .iter()
        .map(|k| {
            let mut o = object(k.keys(), |key| value_of(Some(*k), key), &["op"]);
            o["properties"]["op"] = json!({"const": k.name()});
            json!({"if": {"properties": {"op": {"const": k.name()}}, "required": ["op"]}, "then": o})
        })
        .collect();
    json!({
        "type": "object",
        "required": ["op"],
        "properties": {"op": {"enum": kinds.iter().map(|k| k.name()).collect::<Vec<_>>()}},
        "allOf": branches
    })
}

fn defs() -> Value {
    let cfg = crate::language::config::ROOT_KEYS;
    let config = object(
        cfg,
        |k| match k {
            "database" => object(crate::language::config::DATABASE_KEYS, |_| json!({"type": "string"}), &[]),
            "migrations" => object(
                crate::language::config::MIGRATIONS_KEYS,
                |k| match k {
                    "dialects" => json!({"type": "array", "items": {"enum": ["sqlite", "postgresql", "mysql", "mariadb"]}}),
                    "transaction" => json!({"enum": ["per_revision", "single"]}),
                    _ => json!({"type": "string"}),
                },
                &[],
            ),
            "naming" => object(crate::language::config::NAMING_KEYS, |_| json!({"type": "string"}), &[]),
            "safety" => object(
                crate::language::config::SAFETY_KEYS,
                |k| {
                    if k == "online" {
                        json!({"type": "boolean"})
                    } else {
                        json!({"type": "string"})
                    }
                },
                &[],
            ),
            _ => json!({}),
        },
        &[],
    );
    let revision = object(
        REVISION_KEYS,
        |k| match k {
            "upgrade" | "downgrade" => json!({"type": "array", "items": {"$ref": "#/$defs/operation"}}),
            _ => value_of(None, k),
        },
        &["revision"],
    );
    let table = object(crate::commands::autogen::TABLE_KEYS, |k| value_of(Some(OpKind::CreateTable), k), &["table"]);
    let entry = |kind: OpKind| object(kind.keys().split_at(1).1, |k| value_of(Some(kind), k), &["name"]);
    let model = object(
        crate::commands::autogen::MODEL_KEYS,
        |k| match k {
            "namespace" => json!({"type": "array", "items": entry(OpKind::CreateNamespace)}),
            "sequence" => json!({"type": "array", "items": entry(OpKind::CreateSequence)}),
            _ => json!({"type": "array", "items": {"$ref": "#/$defs/table"}}),
        },
        &[],
    );
    let rows = object(crate::commands::populate::ROWS_KEYS, |k| value_of(None, k), &["table"]);
    let populate = object(
        crate::commands::populate::POPULATE_KEYS,
        |_| json!({"type": "array", "items": rows.clone()}),
        &[],
    );
    json!({
        "revision": revision,
        "operation": operation(),
        "column": object(COLUMN_KEYS, |k| value_of(None, k), &["name", "type"]),
        "foreign_key": object(FOREIGN_KEY_KEYS, |k| value_of(None, k), &[]),
        "unique": object(UNIQUE_KEYS, |k| value_of(None, k), &[]),
        "check": object(CHECK_KEYS, |k| value_of(None, k), &[]),
        "index": object(INDEX_KEYS, |k| if k == "columns" { index_columns() } else { value_of(None, k) }, &[]),
        "table": table,
        "model": model,
        "populate": populate,
        "config": config,
    })
}
