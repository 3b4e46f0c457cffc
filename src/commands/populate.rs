//! `populate`: reference data declared in `*.toml` files of the populate
//! folder (`[[rows]]` with `table`, `key`, `values`), checked against the
//! head schema and planned as idempotent upserts: rows are inserted when
//! their key is missing and updated when it is present; rows outside the
//! declared set are never touched. Steps are data; the templates
//! `upsert.sql` spell them per dialect.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics, Sources, Sp, Span};
use crate::dialect::Dialect;
use crate::language::load::Decoder;
use crate::plan::step::{Step, StepKind};
use crate::replay::model::{Schema, Value};
use crate::vocab::ops::Row;
use std::path::Path;

/// One `[[rows]]` entry.
pub struct Entry {
    pub table: Sp<String>,
    pub key: Sp<Vec<String>>,
    pub rows: Vec<Sp<Row>>,
    pub span: Span,
}

/// The top-level keys of a populate file, and of its `[[rows]]` entries.
pub const POPULATE_KEYS: &[&str] = &["rows"];
pub const ROWS_KEYS: &[&str] = &["table", "key", "values"];

/// Reads every `*.toml` directly in `dir`, in name order.
pub fn load_dir(dir: &Path, sources: &mut Sources) -> Result<Vec<Entry>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                codes::CANNOT_READ_POPULATE,
                format!("cannot read the populate directory `{}`: {e}", dir.display()),
            )
            .help("create it, or set `[migrations] populate` in schemac.toml"),
        )
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = vec![];
    let mut diags = vec![];
    for path in paths {
        let display = crate::base::diag::display_path(&path);
        let text = match crate::base::files::read_regular_text(&path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(codes::CANNOT_READ_POPULATE, format!("cannot read `{display}`: {e}")));
                continue;
            }
        };
        let file = sources.add(display, text);
        let text = sources.text(file).to_string();
        let Some(doc) = crate::language::load::parse_toml(file, &text, &mut diags) else {
            continue;
        };
        let mut d = Decoder {
            file,
            text: &text,
            diags: &mut diags,
        };
        let Some(root) = d.table(&doc, POPULATE_KEYS) else { continue };
        let Some(rows) = root.get("rows") else { continue };
        let crate::base::doc::Val::Array(items) = rows.get_ref() else {
            let span = d.span(rows);
            d.diags
                .push(Diagnostic::error(codes::WRONG_VALUE_KIND, "`rows` must be an array of tables ([[rows]])").at(span, "expected [[rows]] entries"));
            continue;
        };
        for item in items.iter() {
            let span = d.span(item);
            let Some(t) = d.sub_table(item, ROWS_KEYS, "a [[rows]] entry") else {
                continue;
            };
            let missing = |k: &str, d: &mut Decoder| {
                d.diags
                    .push(Diagnostic::error(codes::MISSING_KEY, format!("missing key `{k}`")).at(span, format!("this [[rows]] entry needs `{k}`")));
            };
            let table = match t.get("table") {
                Some(v) => d.name(v),
                None => {
                    missing("table", &mut d);
                    None
                }
            };
            let key = match t.get("key") {
                Some(v) => {
                    let s = d.span(v);
                    let list = d.string_list(v);
                    if list.is_empty() {
                        d.diags
                            .push(Diagnostic::error(codes::EMPTY_COLUMN_LIST, "`key` names at least one column").at(s, "empty list"));
                        None
                    } else {
                        Some(Sp::new(list.into_iter().map(|x| x.v).collect(), s))
                    }
                }
                None => {
                    missing("key", &mut d);
                    None
                }
            };
            let rows = match t.get("values") {
                Some(v) => d.rows(v),
                None => {
                    missing("values", &mut d);
                    None
                }
            };
            if let (Some(table), Some(key), Some(rows)) = (table, key, rows) {
                out.push(Entry { table, key, rows, span });
            }
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    Ok(out)
}

/// Checks the entries against the head schema and plans one upsert per
/// group of rows that name the same columns.
pub fn plan(entries: &[Entry], schema: &Schema, d: &Dialect) -> Result<Vec<Step>, Diagnostics> {
    let mut diags = vec![];
    let mut steps = vec![];
    for e in entries {
        let Some(t) = schema.tables.get(&e.table.v) else {
            let names: Vec<&str> = schema.tables.keys().map(|s| s.as_str()).collect();
            let mut diag =
                Diagnostic::error(codes::POPULATE_NO_SUCH_TABLE, format!("table `{}` does not exist at head", e.table.v)).at(e.table.span, "no such table");
            if let Some(s) = crate::base::suggest::closest(&e.table.v, &names) {
                diag = diag.help(format!("did you mean `{s}`?"));
            }
            diags.push(diag);
            continue;
        };
        let column_error = |name: &str, span: Span| {
            let cols: Vec<&str> = t.columns.keys().map(|s| s.as_str()).collect();
            let mut diag = Diagnostic::error(
                codes::POPULATE_NO_SUCH_COLUMN,
                format!("column `{name}` does not exist in table `{}` at head", t.name),
            )
            .at(span, "no such column");
            diag = match crate::base::suggest::closest(name, &cols) {
                Some(s) => diag.help(format!("did you mean `{s}`?")),
                None => diag.help(format!("`{}` has: {}", t.name, cols.join(", "))),
            };
            diag
        };
        let mut ok = true;
        for k in e.key.iter() {
            if !t.columns.contains_key(k) {
                diags.push(column_error(k, e.key.span));
                ok = false;
            }
        }
        if ok && !t.has_unique_key(&e.key.v) {
            diags.push(
                Diagnostic::error(
                    codes::POPULATE_KEY_NOT_UNIQUE,
                    format!("`{}({})` carries no primary key or unique constraint at head", t.name, e.key.join(", ")),
                )
                .at(e.key.span, "not a key")
                .help("the key columns must be a primary key, a unique constraint or a unique index, so that a second run updates instead of inserting"),
            );
            ok = false;
        }
        let mut seen: Vec<(Vec<String>, Span)> = vec![];
        for row in &e.rows {
            for (k, v) in row.v.iter() {
                match t.columns.get(&k.v) {
                    None => {
                        diags.push(column_error(&k.v, k.span));
                        ok = false;
                    }
                    // The engine computes a generated column (SPEC 9): no row writes it.
                    Some(col) if col.generated.is_some() => {
                        diags.push(
                            Diagnostic::error(
                                codes::GENERATED_COLUMN_MISUSE,
                                format!("`{}` is a generated column: the engine computes its value", k.v),
                            )
                            .at(k.span, "generated column")
                            .help("leave the column out of the rows"),
                        );
                        ok = false;
                    }
                    Some(col) => {
                        if let Err(diag) = crate::replay::check_value_type(&col.ty, v) {
                            diags.push(diag);
                            ok = false;
                        }
                    }
                }
            }
            let mut key_vals = vec![];
            for k in e.key.iter() {
                match row.v.iter().find(|(c, _)| c.v == *k) {
                    Some((_, v)) if !matches!(v.v, Value::Null | Value::Sql(_) | Value::Current(_)) => key_vals.push(format!("{:?}", v.v)),
                    Some((_, v)) => {
                        diags.push(Diagnostic::error(codes::POPULATE_KEY_VALUE, format!("key column `{k}` needs a literal value")).at(v.span, "not a literal"));
                        ok = false;
                    }
                    None => {
                        diags.push(
                            Diagnostic::error(codes::POPULATE_KEY_VALUE, format!("this row gives no value for key column `{k}`"))
                                .at(row.span, format!("add `{k} = ...`")),
                        );
                        ok = false;
                    }
                }
            }
            if key_vals.len() == e.key.len() {
                if let Some((_, first)) = seen.iter().find(|(v, _)| *v == key_vals) {
                    diags.push(
                        Diagnostic::error(codes::POPULATE_DUPLICATE_KEY, format!("two rows of `{}` have the same key", t.name))
                            .at(row.span, "this row")
                            .also(*first, "has the key of this one"),
                    );
                    ok = false;
                } else {
                    seen.push((key_vals, row.span));
                }
            }
            for c in t.columns.values() {
                if !c.nullable && c.default.is_none() && !c.autoincrement && !row.v.iter().any(|(k, _)| k.v == c.name) {
                    diags.push(
                        Diagnostic::error(
                            codes::POPULATE_MISSING_VALUE,
                            format!("column `{}.{}` is NOT NULL and has no default", t.name, c.name),
                        )
                        .at(row.span, format!("this row needs `{} = ...`", c.name)),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        // Rows that name the same columns (in table order) go in one statement.
        let mut groups: Vec<(Vec<&str>, Vec<&Sp<Row>>)> = vec![];
        for row in &e.rows {
            let cols: Vec<&str> = t.columns.keys().map(|s| s.as_str()).filter(|c| row.v.iter().any(|(k, _)| k.v == *c)).collect();
            match groups.iter_mut().find(|(g, _)| *g == cols) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((cols, vec![row])),
            }
        }
        for (cols, rows) in groups {
            let mut values = vec![];
            for row in rows {
                let mut vals = vec![];
                for c in &cols {
                    let (_, v) = row.v.iter().find(|(k, _)| k.v == *c).expect("grouped by its columns");
                    match d.check_value(&v.v) {
                        Ok(()) => vals.push(v.v.clone()),
                        Err(m) => diags.push(Diagnostic::error(codes::UNSUPPORTED_BY_DIALECT, m).at(v.span, format!("cannot be compiled for {}", d.key()))),
                    }
                }
                values.push(vals);
            }
            let update = cols.iter().filter(|c| !e.key.contains(&c.to_string())).map(|c| c.to_string()).collect();
            let identity = cols.iter().find(|c| t.columns[**c].autoincrement).map(|c| c.to_string());
            let kind = StepKind::Upsert {
                table: t.name.clone(),
                columns: cols.iter().map(|c| (c.to_string(), t.columns[*c].ty.clone())).collect(),
                key: e.key.v.clone(),
                update,
                rows: values,
                identity,
            };
            steps.push(Step::new(kind, e.span));
        }
    }
    if diags.is_empty() {
        Ok(steps)
    } else {
        Err(Diagnostics(diags))
    }
}
