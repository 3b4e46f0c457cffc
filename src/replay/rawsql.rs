//! Raw SQL from `execute`: the triggers and views it creates or drops are
//! recognised (with sqlparser, and a keyword scan where sqlparser does not
//! know the dialect's trigger syntax) and tracked in the model with the
//! tables they depend on, so that a SQLite rebuild can re-create them.

use crate::replay::model::{PerDialect, Schema, Trigger, View};
use sqlparser::ast::{ObjectName, ObjectType, Statement};
use sqlparser::parser::Parser;

fn last_part(n: &ObjectName) -> String {
    n.0.last()
        .map(|p| p.to_string().trim_matches(['"', '`', '[', ']']).to_string())
        .unwrap_or_default()
}

/// What one statement of an `execute` does to the tracked objects.
#[derive(Debug, PartialEq)]
pub enum Effect {
    CreateTrigger {
        name: String,
        table: String,
        sql: String,
    },
    DropTrigger {
        name: String,
    },
    CreateView {
        name: String,
        sql: String,
    },
    DropView {
        name: String,
    },
    /// Anything else; the text, to judge whether it defines objects.
    Opaque(String),
}

/// The effects of an `execute` entry written for one dialect.
pub fn effects(key: &str, sql: &str) -> Vec<Effect> {
    let dialect = crate::dialect::Parser::sqlparser(crate::dialect::Parser::for_key(key));
    match Parser::parse_sql(dialect.as_ref(), sql) {
        Ok(stmts) => {
            let single = stmts.len() == 1;
            stmts
                .iter()
                .map(|s| {
                    let text = if single {
                        sql.trim().trim_end_matches(';').to_string()
                    } else {
                        s.to_string()
                    };
                    match s {
                        Statement::CreateTrigger(t) => Effect::CreateTrigger {
                            name: last_part(&t.name),
                            table: last_part(&t.table_name),
                            sql: text,
                        },
                        Statement::DropTrigger(t) => Effect::DropTrigger {
                            name: last_part(&t.trigger_name),
                        },
                        Statement::CreateView(v) => Effect::CreateView {
                            name: last_part(&v.name),
                            sql: v.query.to_string(),
                        },
                        Statement::Drop {
                            object_type: ObjectType::View,
                            names,
                            ..
                        } => names
                            .first()
                            .map(|n| Effect::DropView { name: last_part(n) })
                            .unwrap_or_else(|| Effect::Opaque(text)),
                        _ => Effect::Opaque(text),
                    }
                })
                .collect()
        }
        Err(_) => vec![scan(sql)],
    }
}

/// A keyword scan for a statement sqlparser could not parse (SQLite's
/// `CREATE TRIGGER ... BEGIN ... END`, say).
fn scan(sql: &str) -> Effect {
    let words = crate::base::sqlwords::identifiers(sql);
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let at = |i: usize, w: &str| upper.get(i).is_some_and(|u| u == w);
    if at(0, "CREATE") {
        let mut i = 1;
        if at(i, "TEMP") || at(i, "TEMPORARY") {
            i += 1;
        }
        if at(i, "TRIGGER") {
            i += 1;
            if at(i, "IF") && at(i + 1, "NOT") && at(i + 2, "EXISTS") {
                i += 3;
            }
            let name = words.get(i).cloned().unwrap_or_default();
            if let Some(on) = upper.iter().skip(i + 1).position(|u| u == "ON") {
                if let Some(table) = words.get(i + 2 + on) {
                    return Effect::CreateTrigger {
                        name,
                        table: table.clone(),
                        sql: sql.trim().trim_end_matches(';').to_string(),
                    };
                }
            }
        }
    } else if at(0, "DROP") && at(1, "TRIGGER") {
        let mut i = 2;
        if at(i, "IF") && at(i + 1, "EXISTS") {
            i += 2;
        }
        if let Some(name) = words.get(i) {
            return Effect::DropTrigger { name: name.clone() };
        }
    }
    Effect::Opaque(sql.trim().to_string())
}

/// Applies the recognised effects of an `execute` to the model.
pub fn track(schema: &mut Schema, sql: &PerDialect) {
    for (key, text) in &sql.0 {
        for e in effects(key, text) {
            match e {
                Effect::CreateTrigger { name, table, sql } => {
                    let t = schema.triggers.entry(name.clone()).or_insert_with(|| Trigger {
                        name,
                        table,
                        sql: Default::default(),
                    });
                    t.sql.insert(key.clone(), sql);
                }
                Effect::DropTrigger { name } => {
                    schema.triggers.shift_remove(&name);
                }
                Effect::CreateView { name, sql } => {
                    let deps = crate::base::sqlwords::identifiers(&sql)
                        .into_iter()
                        .filter(|w| schema.tables.contains_key(w))
                        .collect();
                    let v = schema.views.entry(name.clone()).or_insert_with(|| View {
                        name,
                        sql: PerDialect::default(),
                        depends_on: deps,
                    });
                    v.sql.0.insert(key.clone(), sql);
                }
                Effect::DropView { name } => {
                    schema.views.shift_remove(&name);
                }
                Effect::Opaque(text) => {
                    // DDL schemac does not model (a raw CREATE INDEX, say) would not survive a rebuild.
                    let words = crate::base::sqlwords::identifiers(&text);
                    let ddl = words.first().is_some_and(|w| ["CREATE", "ALTER"].contains(&w.to_ascii_uppercase().as_str()));
                    if ddl {
                        let tables: Vec<String> = words.into_iter().filter(|w| schema.tables.contains_key(w)).collect();
                        if !tables.is_empty() {
                            let head: String = text.lines().next().unwrap_or("").chars().take(60).collect();
                            schema.opaque.push(crate::replay::model::OpaqueDdl {
                                dialect: key.clone(),
                                sql: head,
                                tables,
                            });
                        }
                    }
                }
            }
        }
    }
}

/// Whether an `execute` may touch `table` without schemac knowing how.
pub fn may_touch(sql: &str, table: &str) -> bool {
    crate::base::sqlwords::identifiers(sql).iter().any(|w| w == table)
}
