//! What the SQL text in the model names (SPEC 10.2): the checks, index
//! predicates and expressions, views and tracked triggers that use a table or
//! a column, and their text rewritten when the table or column is renamed.
//! Text that sqlparser cannot parse is left as written, and each rename or
//! drop that it might concern gives a note (a warning that names the object).

use crate::replay::model::{Constraint, Schema, Table};
use crate::replay::sqltext::{self, ColumnRef, Found, Kind};

/// Text written for every dialect that a rename would have to quote: the
/// object that holds it.
pub type Unspellable = String;

/// A note for text that schemac cannot read.
fn opaque(kind: &str, name: &str, what: &str) -> String {
    format!("sqlparser cannot parse the SQL of {kind} `{name}`: if it names {what}, schemac has left it as written")
}

/// Whether a bare column name in a view's text may be `column` of `table`:
/// no other table the view reads has a column so named.
fn bare_is_ours(schema: &Schema, deps: &[String], table: &str, column: &str) -> bool {
    !deps
        .iter()
        .filter(|d| *d != table)
        .filter_map(|d| schema.tables.get(d))
        .any(|t| t.columns.keys().any(|c| c.eq_ignore_ascii_case(column)))
}

/// The text of a table's own objects with column `from` renamed to `to`.
fn rename_in_table(t: &mut Table, from: &str, to: &str, notes: &mut Vec<String>) -> Result<(), Unspellable> {
    let table = t.name.clone();
    let others = |_: &str| false;
    let c = ColumnRef {
        table: &table,
        column: from,
        unqualified: true,
        other: &others,
    };
    // A non-native enum's check is its type's, spelled per dialect from the
    // enum's values: the rename makes it again (`Replayer::rename_column`).
    let own = t.columns.get(from).and_then(|col| t.enum_check(col)).map(|k| k.name().to_string());
    for k in t.constraints.iter_mut() {
        if let Constraint::Check { name, expr, .. } = k {
            if own.as_deref() == Some(name.as_str()) {
                continue;
            }
            match sqltext::rename_column("default", Kind::Expr, expr, &c, to) {
                Found::Text(new) => *expr = new,
                Found::Opaque => notes.push(opaque("check", name, &format!("`{from}`"))),
                Found::Unspellable => return Err(format!("check `{name}`")),
            }
        }
    }
    for i in t.indexes.iter_mut() {
        if let Some(w) = i.where_.as_mut() {
            match sqltext::rename_column("default", Kind::Expr, w, &c, to) {
                Found::Text(new) => *w = new,
                Found::Opaque => notes.push(opaque("the predicate of index", &i.name, &format!("`{from}`"))),
                Found::Unspellable => return Err(format!("the predicate of index `{}`", i.name)),
            }
        }
        if let Some(o) = i.options.as_deref() {
            for (k, e) in i.columns.iter_mut().enumerate() {
                if o.elements.get(k).is_some_and(|e| e.expr) {
                    match sqltext::rename_column("default", Kind::Expr, e, &c, to) {
                        Found::Text(new) => *e = new,
                        Found::Opaque => notes.push(opaque("an expression of index", &i.name, &format!("`{from}`"))),
                        Found::Unspellable => return Err(format!("an expression of index `{}`", i.name)),
                    }
                }
            }
        }
    }
    Ok(())
}

/// Column `from` of `table` is now `to`: every text that names it follows.
/// Err names the first text written for every dialect that would need the
/// new name quoted (the schema is then half rewritten: callers try a copy first).
pub fn rename_column(schema: &mut Schema, table: &str, from: &str, to: &str) -> Result<Vec<String>, Unspellable> {
    let mut notes = vec![];
    if let Some(t) = schema.table_mut(table) {
        rename_in_table(t, from, to, &mut notes)?;
    }
    // Asked only for a qualifier the text holds: no copy of every table name per rename.
    let tables = &schema.tables;
    let other = |q: &str| tables.keys().any(|t| t != table && t.eq_ignore_ascii_case(q));
    let views: Vec<String> = schema
        .views
        .values()
        .filter(|v| v.depends_on.iter().any(|d| d == table))
        .map(|v| v.name.clone())
        .collect();
    for name in views {
        let bare = bare_is_ours(schema, &schema.views[&name].depends_on, table, from);
        let c = ColumnRef {
            table,
            column: from,
            unqualified: bare,
            other: &other,
        };
        let v = schema.views.get_mut(&name).expect("listed above");
        for (key, text) in v.sql.0.iter_mut() {
            match sqltext::rename_column(key, Kind::Statements, text, &c, to) {
                Found::Text(new) => *text = new,
                Found::Opaque => notes.push(opaque("view", &name, &format!("`{from}`"))),
                Found::Unspellable => return Err(format!("view `{name}`")),
            }
        }
    }
    for tr in schema.triggers.values_mut().filter(|tr| tr.table == table) {
        for (key, text) in tr.sql.iter_mut() {
            *text = sqltext::rename_column_in_trigger(key, text, table, from, to);
        }
    }
    notes.sort();
    notes.dedup();
    Ok(notes)
}

/// Table `from` is now `to`: the views and triggers that name it follow
/// (Err as for `rename_column`).
pub fn rename_table(schema: &mut Schema, from: &str, to: &str) -> Result<Vec<String>, Unspellable> {
    let mut notes = vec![];
    for v in schema.views.values_mut() {
        let mut named = v.depends_on.iter().any(|d| d == from);
        for (key, text) in v.sql.0.iter_mut() {
            match sqltext::rename_table(key, Kind::Statements, text, from, to) {
                Found::Text(new) => {
                    named |= new != *text;
                    *text = new;
                }
                Found::Opaque if named => notes.push(opaque("view", &v.name, &format!("`{from}`"))),
                Found::Opaque => {}
                Found::Unspellable => return Err(format!("view `{}`", v.name)),
            }
        }
        for d in v.depends_on.iter_mut().filter(|d| *d == from) {
            *d = to.to_string();
        }
    }
    for tr in schema.triggers.values_mut() {
        for (key, text) in tr.sql.iter_mut() {
            *text = sqltext::rename_table_in_trigger(key, text, from, to);
        }
    }
    notes.sort();
    notes.dedup();
    Ok(notes)
}

/// What uses column `column` of `table` and goes neither with it nor
/// without it: a view (`"view"`) or a partial index (`"index"`), by name.
/// Opaque text that may name it gives a note.
pub fn column_user(schema: &Schema, table: &str, column: &str, notes: &mut Vec<String>) -> Option<(&'static str, String)> {
    let other_tables: Vec<&String> = schema.tables.keys().filter(|k| *k != table).collect();
    let other = |q: &str| other_tables.iter().any(|t| t.eq_ignore_ascii_case(q));
    let none = |_: &str| false;
    for v in schema.views.values().filter(|v| v.depends_on.iter().any(|d| d == table)) {
        let c = ColumnRef {
            table,
            column,
            unqualified: bare_is_ours(schema, &v.depends_on, table, column),
            other: &other,
        };
        for (key, text) in &v.sql.0 {
            match sqltext::uses_column(key, Kind::Statements, text, &c) {
                Some(true) => return Some(("view", v.name.clone())),
                Some(false) => {}
                None => notes.push(opaque("view", &v.name, &format!("`{column}`"))),
            }
        }
    }
    if let Some(t) = schema.tables.get(table) {
        // An index on the column alone goes with it, predicate and all.
        for i in t.indexes.iter().filter(|i| !(i.columns.len() == 1 && i.columns[0] == column)) {
            if let Some(w) = &i.where_ {
                let c = ColumnRef {
                    table,
                    column,
                    unqualified: true,
                    other: &none,
                };
                match sqltext::uses_column("default", Kind::Expr, w, &c) {
                    Some(true) => return Some(("index", i.name.clone())),
                    Some(false) => {}
                    None => notes.push(opaque("the predicate of index", &i.name, &format!("`{column}`"))),
                }
            }
        }
    }
    notes.sort();
    notes.dedup();
    None
}
