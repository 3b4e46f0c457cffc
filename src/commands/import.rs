//! `import` and `diff --against`: a schema-only dump (`pg_dump
//! --schema-only`, `mysqldump --no-data` / `mariadb-dump --no-data`, SQLite
//! `.schema`) read with sqlparser into the replay model's `Table`s, every
//! name kept as the database gave it. `import` writes it as a baseline
//! revision (or as the model file), built as `Op`s and spelled by
//! `vocab::ops::writer`; `diff` compares it with the head schema through
//! autogenerate's `diff`, after both sides are put in the form a dump can
//! show (types as the dialect spells them, checks by name, unique indexes
//! and unique constraints alike).
//!
//! Invariants: statements that do not change the schema (SET, SELECT,
//! LOCK, DROP, OWNER TO, GRANT, client comments) are ignored silently;
//! every schema statement that the language cannot say is kept, in order,
//! as an `execute`, and named in a warning with its line; the version table
//! is never imported (a managed database is stamped, not imported).

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics, FileId, Sources, Span};
use crate::base::naming::Naming;
use crate::dialect::Dialect;
use crate::replay::model::*;
use crate::vocab::ops::{ConstraintSpec, Op};
use indexmap::IndexMap;
use sqlparser::ast::{self as sq, Expr, Statement};
use std::path::Path;
use std::sync::Arc;

/// What a dump holds: tables in dump order, views, and the schema
/// statements kept as raw SQL, with the warnings that name them.
#[derive(Debug, Default)]
pub struct Dump {
    pub tables: IndexMap<String, Table>,
    pub views: Vec<(String, String)>,
    /// Raw SQL kept in dump order, each with whether it came before the
    /// dump's first table (an extension, a function, a domain): those run first.
    pub executes: Vec<(bool, String)>,
    pub warnings: Vec<Diagnostic>,
    /// Tables whose primary key the dump shows without a name (MySQL).
    pub unnamed_pk: Vec<String>,
    /// The schemas the dump creates (`CREATE SCHEMA`, `public` aside), SPEC 9.
    pub namespaces: Vec<String>,
    /// The sequences it creates (SPEC 9), with the column that owns each.
    pub sequences: Vec<Sequence>,
}

/// One statement of the dump: its text (conditional comments unwrapped)
/// and its byte range in the file.
struct Stmt {
    text: String,
    start: usize,
    end: usize,
}

/// Reads the dump file into `sources` and parses it for `dialect`.
pub fn read(path: &Path, dialect: &Dialect, version_table: &str, naming: &Naming, sources: &mut Sources) -> Result<(Dump, FileId), Diagnostics> {
    let display = crate::base::diag::display_path(path);
    let text = crate::base::files::read_regular_text(path)
        .map_err(|e| Diagnostics::from(Diagnostic::error(codes::CANNOT_READ_DUMP, format!("cannot read the dump `{display}`: {e}"))))?;
    let file = sources.add(display, text);
    let text = sources.text(file).to_string();
    Ok((parse(&text, file, dialect, version_table, naming), file))
}

/// Parses the text of a dump.
pub fn parse(text: &str, file: FileId, dialect: &Dialect, version_table: &str, naming: &Naming) -> Dump {
    let mut p = Importer {
        dump: Dump::default(),
        dialect,
        naming,
        version_table,
        enums: IndexMap::new(),
        sequences: vec![],
        file,
    };
    // MySQL reads a backslash in a string as an escape; PostgreSQL and SQLite do not.
    let backslash = dialect.literal("\\").len() > 3;
    for s in split(text, backslash) {
        p.statement(&s);
    }
    p.finish();
    p.dump
}

struct Importer<'a> {
    dump: Dump,
    dialect: &'a Dialect,
    naming: &'a Naming,
    version_table: &'a str,
    enums: IndexMap<String, Vec<String>>,
    /// `CREATE SEQUENCE` / `ALTER SEQUENCE` statements, kept until it is
    /// known whether a column owns the sequence (a serial column).
    sequences: Vec<(String, String, Span)>,
    file: FileId,
}

/// The first words of statements that never change the schema.
const IGNORED: &[&str] = &[
    "SET",
    "SELECT",
    "LOCK",
    "UNLOCK",
    "BEGIN",
    "COMMIT",
    "START",
    "USE",
    "PRAGMA",
    "GRANT",
    "REVOKE",
    "DROP",
    "ANALYZE",
    "INSERT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "DELETE",
    "UPDATE",
];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

/// A table's or view's name as the model keys it (SPEC 9): qualified with
/// its schema, unless that is PostgreSQL's `public` (the default schema,
/// which pg_dump names everywhere) or the name has no schema.
fn qualified(name: &sq::ObjectName) -> String {
    let part = |p: &sq::ObjectNamePart| match p.as_ident() {
        Some(i) => i.value.clone(),
        None => p.to_string(),
    };
    match name.0.as_slice() {
        [.., schema, _] if part(schema) != "public" => crate::base::naming::qualify(Some(&part(schema)), &last(name)),
        _ => last(name),
    }
}

fn last(name: &sq::ObjectName) -> String {
    name.0
        .last()
        .map(|p| match p.as_ident() {
            Some(i) => i.value.clone(),
            None => p.to_string(),
        })
        .unwrap_or_default()
}

impl Importer<'_> {
    fn span(&self, s: &Stmt) -> Span {
        Span::new(self.file, s.start..s.end)
    }

    fn keep(&mut self, s: &Stmt, why: &str) {
        let sql = s.text.trim().to_string();
        let first: String = sql.lines().next().unwrap_or("").chars().take(60).collect();
        self.dump.warnings.push(
            Diagnostic::warning(
                codes::IMPORTED_AS_EXECUTE,
                format!("`{}` is kept as an `execute`: {why}", crate::base::text::escape(&first)),
            )
            .at(self.span(s), "this statement"),
        );
        let early = self.dump.tables.is_empty();
        self.dump.executes.push((early, sql));
    }

    fn skipped_table(&self, name: &str) -> bool {
        name == self.version_table || name.starts_with("sqlite_")
    }

    fn statement(&mut self, s: &Stmt) {
        let w = words(&s.text);
        let Some(first) = w.first() else { return };
        if IGNORED.contains(&first.as_str()) || first.starts_with('\\') {
            return;
        }
        let upper = s.text.to_ascii_uppercase();
        if first == "ALTER" && (upper.contains(" OWNER TO ") || upper.contains(" DISABLE KEYS") || upper.contains(" ENABLE KEYS")) {
            return;
        }
        if first == "COMMENT" && (w.get(2).map(|x| x.as_str()) == Some("EXTENSION") || w.get(2).map(|x| x.as_str()) == Some("SCHEMA")) {
            return;
        }
        if first == "CREATE" && w.get(1).map(|x| x.as_str()) == Some("SCHEMA") && upper.contains("PUBLIC") {
            return;
        }
        // mariadb-dump's `DO SETVAL(seq, n, 0)` after a sequence puts it at its
        // position: data, not schema (the baseline makes the sequence afresh).
        if first == "DO" && upper.trim_start().starts_with("DO SETVAL(") {
            return;
        }
        if (first == "CREATE" || first == "ALTER") && w.get(1).map(|x| x.as_str()) == Some("SEQUENCE") {
            let name = w.get(2).map(|n| n.trim_matches('"').to_string()).unwrap_or_default();
            self.sequences.push((name, s.text.trim().to_string(), self.span(s)));
            return;
        }
        // `ALTER TABLE t ALTER COLUMN c ADD GENERATED ... AS IDENTITY (...)`:
        // pg_dump's spelling of an identity column.
        if first == "ALTER" && upper.contains(" ADD GENERATED ") && upper.contains(" AS IDENTITY") {
            if let Some((t, c)) = identity_target(&s.text) {
                if let Some(col) = self.dump.tables.get_mut(&t).and_then(|t| t.columns.get_mut(&c)) {
                    col.autoincrement = true;
                    return;
                }
                if self.skipped_table(&t) {
                    return;
                }
            }
        }
        let pd = crate::dialect::Parser::sqlparser(Some(self.dialect.data.sqlparser));
        let parsed = sqlparser::parser::Parser::parse_sql(&*pd, &s.text);
        let stmts = match parsed {
            Ok(v) => v,
            Err(e) => {
                return self.keep(s, &format!("sqlparser cannot read it ({e})"));
            }
        };
        for st in stmts {
            self.parsed(s, st);
        }
    }

    fn parsed(&mut self, s: &Stmt, st: Statement) {
        match st {
            Statement::CreateTable(ct) => {
                let name = qualified(&ct.name);
                if self.skipped_table(&name) {
                    return;
                }
                // A table the language cannot create as the dump does stays
                // raw SQL whole (its later ALTERs and indexes follow it).
                let opaque = if ct.partition_by.is_some() {
                    Some("a partitioned table")
                } else if ct.partition_of.is_some() {
                    Some("a partition of another table")
                } else if ct.inherits.is_some() {
                    Some("a table that inherits another")
                } else if ct.unlogged {
                    Some("an UNLOGGED table")
                } else if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
                    Some("a table made from another or from a query")
                } else {
                    None
                };
                if let Some(why) = opaque {
                    return self.keep(s, why);
                }
                let mut lost: Vec<String> = table_options_lost(&ct.table_options);
                let mut t = Table {
                    name: name.clone(),
                    columns: NameMap::default(),
                    constraints: vec![],
                    indexes: vec![],
                    comment: ct.comment.as_ref().map(comment_text).or_else(|| table_comment(&ct.table_options)),
                    options: None,
                };
                let mut inline = vec![];
                for c in &ct.columns {
                    let (col, cons) = self.column(c, &mut lost);
                    t.columns.insert(col.name.clone(), col);
                    inline.extend(cons);
                }
                let mut fk_names = vec![];
                for c in inline.into_iter().chain(ct.constraints.iter().cloned()) {
                    if let sq::TableConstraint::ForeignKey(fk) = &c {
                        if let Some(n) = fk.name.as_ref() {
                            fk_names.push(n.value.clone());
                        }
                    }
                    if let Err(why) = self.constraint(&mut t, &c) {
                        return self.keep(s, &why);
                    }
                }
                // MariaDB keeps JSON as LONGTEXT with a CHECK (json_valid(col)):
                // https://mariadb.com/kb/en/json-data-type/
                let json_checks: Vec<(String, String)> = t
                    .constraints
                    .iter()
                    .filter_map(|c| match c {
                        Constraint::Check { name, expr, .. } => {
                            let e = expr.to_ascii_lowercase().replace(['`', '"', ' '], "");
                            let col = e.strip_prefix("json_valid(")?.strip_suffix(')')?.to_string();
                            // The column's name as the expression shows it, quotes and spaces aside.
                            let column = t.columns.keys().find(|k| k.to_ascii_lowercase().replace(['`', '"', ' '], "") == col)?;
                            matches!(&t.columns[column].ty, ColumnType::Raw(r) if r.0.values().any(|v| v.eq_ignore_ascii_case("longtext")))
                                .then(|| (name.clone(), column.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                for (check, column) in json_checks {
                    if self.dialect.type_sql(&ColumnType::Json).is_ok_and(|s| s.eq_ignore_ascii_case("json")) {
                        t.constraints.retain(|c| c.name() != check);
                        if let Some(c) = t.columns.get_mut(&column) {
                            c.ty = ColumnType::Json;
                            // Its character set and binary collation are the JSON type's.
                            c.collation = None;
                        }
                        lost.retain(|l| !l.starts_with(&format!("{column} CHARACTER SET ")));
                    }
                }
                if !lost.is_empty() {
                    self.without(s, &format!("table `{name}`"), &lost);
                }
                // MySQL shows the index that backs a foreign key as a KEY of
                // the same name: it is the foreign key's, not the user's.
                t.indexes.retain(|i| i.unique || !fk_names.contains(&i.name));
                self.dump.tables.shift_remove(&name);
                self.dump.tables.insert(name, t);
            }
            Statement::AlterTable(at) => {
                let name = qualified(&at.name);
                if self.skipped_table(&name) {
                    return;
                }
                if !self.dump.tables.contains_key(&name) {
                    return self.keep(s, "it alters a table the dump does not create");
                }
                for op in &at.operations {
                    match op {
                        sq::AlterTableOperation::AddConstraint { constraint, .. } => {
                            // The tables are taken out for the call, keeping their order.
                            let mut tables = std::mem::take(&mut self.dump.tables);
                            let r = self.constraint(tables.get_mut(&name).expect("checked"), constraint);
                            self.dump.tables = tables;
                            if let Err(why) = r {
                                return self.keep(s, &why);
                            }
                        }
                        sq::AlterTableOperation::OwnerTo { .. } => {}
                        // pg_dump's spelling of a default drawn from a sequence (SPEC 9).
                        sq::AlterTableOperation::AlterColumn {
                            column_name,
                            op: sq::AlterColumnOperation::SetDefault { value },
                        } if nextval_target(&value.to_string()).is_some() => {
                            let seq = nextval_target(&value.to_string()).expect("checked");
                            let Some(c) = self.dump.tables.get_mut(&name).and_then(|t| t.columns.get_mut(&column_name.value)) else {
                                return self.keep(s, "it sets the default of a column the dump does not create");
                            };
                            c.default = Some(Value::Next(seq));
                        }
                        _ => return self.keep(s, "the language has no operation for this ALTER TABLE in a baseline"),
                    }
                }
            }
            Statement::CreateIndex(ci) => {
                let table = qualified(&ci.table_name);
                if self.skipped_table(&table) {
                    return;
                }
                let Some(name) = ci.name.as_ref().map(last) else {
                    return self.keep(s, "an index without a name");
                };
                if !self.dump.tables.contains_key(&table) {
                    return self.keep(s, "an index on a table the dump does not create");
                }
                let method = match &ci.using {
                    Some(sq::IndexType::BTree) | None => None,
                    Some(other) => Some(other.to_string().to_lowercase()),
                };
                let include = ci.include.iter().map(|i| i.value.clone()).collect();
                let mut lost: Vec<String> = ci.with.iter().map(|w| format!("WITH ({w})")).collect();
                if ci.nulls_distinct == Some(false) {
                    lost.push("NULLS NOT DISTINCT".into());
                }
                if !lost.is_empty() {
                    let what = format!("index `{name}`");
                    self.without(s, &what, &lost);
                }
                let Some(t) = self.dump.tables.get_mut(&table) else {
                    return self.keep(s, "an index on a table the dump does not create");
                };
                let (cols, elements) = index_elements(&ci.columns, t);
                t.indexes.push(Index {
                    name,
                    columns: cols,
                    unique: ci.unique,
                    where_: ci.predicate.as_ref().map(|p| p.to_string()),
                    options: element_options(elements, method, include),
                });
            }
            Statement::CreateView(v) => {
                if v.materialized {
                    return self.keep(s, "a materialized view");
                }
                let name = qualified(&v.name);
                // mysqldump first creates a stand-in of the view's name (a
                // table, or a view of constants), replaced later.
                self.dump.tables.shift_remove(&name);
                self.dump.views.retain(|(n, _)| *n != name);
                self.dump.views.push((name, v.query.to_string()));
            }
            Statement::CreateType {
                name,
                representation: Some(sq::UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                self.enums.insert(last(&name), labels.iter().map(|l| l.value.clone()).collect());
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => {
                let parts: Vec<String> = object_name
                    .0
                    .iter()
                    .map(|p| p.as_ident().map(|i| i.value.clone()).unwrap_or_default())
                    .collect();
                match object_type {
                    sq::CommentObject::Table => {
                        if let Some(t) = parts.last().and_then(|n| self.dump.tables.get_mut(n)) {
                            t.comment = comment;
                            return;
                        }
                    }
                    sq::CommentObject::Column if parts.len() >= 2 => {
                        let (t, c) = (&parts[parts.len() - 2], &parts[parts.len() - 1]);
                        if let Some(col) = self.dump.tables.get_mut(t).and_then(|t| t.columns.get_mut(c)) {
                            col.comment = comment;
                            return;
                        }
                    }
                    _ => {}
                }
                self.keep(s, "a comment on something the language does not describe")
            }
            Statement::CreateSchema {
                schema_name: sq::SchemaName::Simple(name) | sq::SchemaName::NamedAuthorization(name, _),
                ..
            } => {
                let name = last(&name);
                if !self.dump.namespaces.contains(&name) {
                    self.dump.namespaces.push(name);
                }
            }
            Statement::Set(_) | Statement::Query(_) | Statement::Drop { .. } | Statement::Grant { .. } | Statement::Revoke { .. } => {}
            _ => self.keep(s, "the language has no operation for it"),
        }
    }

    /// Warns that `s` is imported without the parts in `lost`.
    fn without(&mut self, s: &Stmt, what: &str, lost: &[String]) {
        let list: Vec<String> = lost.iter().map(|l| format!("`{}`", crate::base::text::escape(l))).collect();
        self.dump.warnings.push(
            Diagnostic::warning(
                codes::IMPORTED_WITHOUT,
                format!("{what} is imported without {}: the revision language cannot say it", list.join(", ")),
            )
            .at(self.span(s), "this statement")
            .help("add it to the baseline as an `execute` if the database needs it"),
        );
    }

    /// A column and the constraints written on it (as table constraints);
    /// what the language cannot say of it goes to `lost`.
    fn column(&self, c: &sq::ColumnDef, lost: &mut Vec<String>) -> (Column, Vec<sq::TableConstraint>) {
        let mut col = Column {
            name: c.name.value.clone(),
            ty: self.column_type(&c.data_type, &c.name.value),
            nullable: true,
            default: None,
            autoincrement: false,
            comment: None,
            generated: None,
            collation: None,
        };
        let mut cons = vec![];
        for o in &c.options {
            let named = o.name.clone();
            match &o.option {
                sq::ColumnOption::Null => col.nullable = true,
                sq::ColumnOption::NotNull => col.nullable = false,
                sq::ColumnOption::Default(e) => {
                    let text = e.to_string().to_ascii_lowercase();
                    let next = nextval_target(&e.to_string()).or_else(|| mariadb_nextval(&e.to_string(), &self.dump.namespaces));
                    if let Some(seq) = next {
                        col.default = Some(Value::Next(seq));
                    } else if text.starts_with("nextval(") {
                        col.autoincrement = true;
                    } else {
                        col.default = self.value(e);
                    }
                }
                sq::ColumnOption::PrimaryKey(pk) => {
                    let mut pk = pk.clone();
                    pk.name = pk.name.or(named);
                    if pk.columns.is_empty() {
                        pk.columns = vec![ident_column(&c.name)];
                    }
                    col.nullable = false;
                    cons.push(sq::TableConstraint::PrimaryKey(pk));
                }
                sq::ColumnOption::Unique(u) => {
                    let mut u = u.clone();
                    u.name = u.name.or(named);
                    if u.columns.is_empty() {
                        u.columns = vec![ident_column(&c.name)];
                    }
                    cons.push(sq::TableConstraint::Unique(u));
                }
                sq::ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.name = fk.name.or(named);
                    if fk.columns.is_empty() {
                        fk.columns = vec![c.name.clone()];
                    }
                    cons.push(sq::TableConstraint::ForeignKey(fk));
                }
                sq::ColumnOption::Check(ck) if ck.name.is_none() && named.is_none() && self.enum_check(&col, &ck.expr).is_some() => {
                    // The unnamed `CHECK (col IN (...))` that spells an enum
                    // where the dialect has no enum type (SQLite).
                    col.ty = self.enum_check(&col, &ck.expr).expect("checked");
                }
                sq::ColumnOption::Check(ck) => {
                    let mut ck = ck.clone();
                    ck.name = ck.name.or(named);
                    cons.push(sq::TableConstraint::Check(ck));
                }
                sq::ColumnOption::Comment(s) => col.comment = Some(s.clone()),
                // A generated column (SPEC 9): `AS (expr)` alone is VIRTUAL on MySQL.
                sq::ColumnOption::Generated {
                    generation_expr: Some(e),
                    generation_expr_mode,
                    ..
                } => {
                    col.generated = Some(Box::new(crate::vocab::types::Generated {
                        expr: PerDialect::single(e.to_string()),
                        stored: matches!(generation_expr_mode, Some(sq::GeneratedExpressionMode::Stored)),
                    }));
                }
                sq::ColumnOption::Generated { .. } => {
                    let t = o.option.to_string().to_ascii_uppercase();
                    if t.contains("IDENTITY") {
                        col.autoincrement = true;
                    } else {
                        lost.push(format!("{} {}", c.name.value, o.option));
                    }
                }
                sq::ColumnOption::Collation(n) => {
                    let name = n.to_string();
                    let last = name.rsplit('.').next().unwrap_or(&name).trim_matches(['"', '`']).to_string();
                    col.collation = Some(Box::new(PerDialect::single(last)));
                }
                sq::ColumnOption::OnUpdate(_) | sq::ColumnOption::CharacterSet(_) | sq::ColumnOption::Invisible => {
                    lost.push(format!("{} {}", c.name.value, o.option))
                }
                other => {
                    let t = other.to_string().to_ascii_uppercase();
                    if t.contains("AUTOINCREMENT") || t.contains("AUTO_INCREMENT") {
                        col.autoincrement = true;
                    } else {
                        lost.push(format!("{} {}", c.name.value, other));
                    }
                }
            }
        }
        (col, cons)
    }

    /// The enum type that `CHECK (expr)` on `col` spells, when the dialect
    /// writes enums as a check and the column has the type it gives them.
    fn enum_check(&self, col: &Column, expr: &Expr) -> Option<ColumnType> {
        if !matches!(self.dialect.data.enum_style, crate::dialect::EnumStyle::Check) {
            return None;
        }
        let Expr::In {
            expr,
            target: sq::InTarget::List(list),
            negated: false,
            ..
        } = expr
        else {
            return None;
        };
        let Expr::Identifier(i) = &**expr else { return None };
        if i.value != col.name {
            return None;
        }
        let values: Vec<String> = list
            .iter()
            .map(|v| match v {
                Expr::Value(v) => match &v.value {
                    sq::Value::SingleQuotedString(s) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<_>>()?;
        let ty = ColumnType::Enum(Box::new(EnumType {
            name: col.name.clone(),
            values,
            native: true,
        }));
        let ours = self.dialect.type_sql(&ty).ok()?;
        let theirs = match &col.ty {
            ColumnType::Raw(r) => r.0.values().next().cloned()?,
            other => self.dialect.type_sql(other).ok()?,
        };
        (canonical_type(&ours) == canonical_type(&theirs)).then_some(ty)
    }

    fn constraint(&self, t: &mut Table, c: &sq::TableConstraint) -> Result<(), String> {
        let idents = |cols: &[sq::IndexColumn]| -> Result<Vec<String>, String> {
            cols.iter()
                .map(|c| match &c.column.expr {
                    Expr::Identifier(i) => Ok(i.value.clone()),
                    _ => Err("a key on an expression".to_string()),
                })
                .collect()
        };
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(|s| s.as_str()).collect()
        }
        match c {
            sq::TableConstraint::PrimaryKey(pk) => {
                let cols = idents(&pk.columns)?;
                let name = match pk.name.as_ref().or(pk.index_name.as_ref()) {
                    Some(n) => n.value.clone(),
                    // MySQL's primary key is always `PRIMARY`; `finish` names it by the convention.
                    None => "PRIMARY".to_string(),
                };
                for c in &cols {
                    if let Some(col) = t.columns.get_mut(c) {
                        col.nullable = false;
                    }
                }
                t.constraints.retain(|c| !matches!(c, Constraint::PrimaryKey { .. }));
                t.constraints.insert(0, Constraint::PrimaryKey { name, columns: cols });
            }
            sq::TableConstraint::Unique(u) => {
                let cols = idents(&u.columns)?;
                let name = match u.name.as_ref().or(u.index_name.as_ref()) {
                    Some(n) => n.value.clone(),
                    None => Naming::make(&self.naming.unique, &t.name, &refs(&cols), ""),
                };
                t.constraints.push(Constraint::Unique { name, columns: cols });
            }
            sq::TableConstraint::ForeignKey(fk) => {
                let cols: Vec<String> = fk.columns.iter().map(|i| i.value.clone()).collect();
                let ref_table = qualified(&fk.foreign_table);
                let name = match fk.name.as_ref() {
                    Some(n) => n.value.clone(),
                    None => Naming::make(&self.naming.foreign_key, &t.name, &refs(&cols), &ref_table),
                };
                t.constraints.push(Constraint::ForeignKey(ForeignKey {
                    name,
                    columns: cols,
                    ref_table,
                    ref_columns: fk.referred_columns.iter().map(|i| i.value.clone()).collect(),
                    on_delete: fk.on_delete.map(action),
                    on_update: fk.on_update.map(action),
                }));
            }
            sq::TableConstraint::Check(ck) => {
                let expr = ck.expr.to_string();
                let name = match ck.name.as_ref() {
                    Some(n) => n.value.clone(),
                    None => {
                        let words = crate::base::sqlwords::identifiers(&expr);
                        let cols: Vec<&str> = t.columns.keys().filter(|c| words.iter().any(|w| w == *c)).map(|s| s.as_str()).collect();
                        Naming::make(&self.naming.check, &t.name, &cols, "")
                    }
                };
                t.constraints.push(Constraint::Check { name, expr, dialects: None });
            }
            sq::TableConstraint::Index(ix) => {
                let (cols, elements) = index_elements(&ix.columns, t);
                let name = match ix.name.as_ref() {
                    Some(n) => n.value.clone(),
                    None if elements.iter().any(|e| e.expr) => return Err("an unnamed key on an expression".into()),
                    None => Naming::make(&self.naming.index, &t.name, &refs(&cols), ""),
                };
                t.indexes.push(Index {
                    name,
                    columns: cols,
                    unique: false,
                    where_: None,
                    options: element_options(elements, None, vec![]),
                });
            }
            _ => return Err("a kind of constraint the language does not have".into()),
        }
        Ok(())
    }

    /// A column type: the neutral type the dialect spells this way, an
    /// enum, or the dump's own spelling as a raw type for this dialect.
    fn column_type(&self, dt: &sq::DataType, column: &str) -> ColumnType {
        if let sq::DataType::Enum(members, _) = dt {
            let values = members
                .iter()
                .map(|m| match m {
                    sq::EnumMember::Name(n) => n.clone(),
                    sq::EnumMember::NamedValue(n, _) => n.clone(),
                })
                .collect();
            return ColumnType::Enum(Box::new(EnumType {
                name: column.to_string(),
                values,
                native: true,
            }));
        }
        if let sq::DataType::Custom(name, args) = dt {
            if args.is_empty() {
                let n = last(name);
                if let Some(values) = self.enums.get(&n) {
                    return ColumnType::Enum(Box::new(EnumType {
                        name: n,
                        values: values.clone(),
                        native: true,
                    }));
                }
            }
        }
        let text = dt.to_string();
        neutral_for(self.dialect, &text).unwrap_or_else(|| {
            let mut m = IndexMap::new();
            m.insert(self.dialect.key().to_string(), text);
            ColumnType::Raw(Box::new(PerDialect(m)))
        })
    }

    /// A default value as the language writes it.
    fn value(&self, e: &Expr) -> Option<Value> {
        match e {
            Expr::Nested(inner) => self.value(inner),
            Expr::Cast { expr, .. } => match self.value(expr) {
                Some(Value::Sql(_)) | None => Some(self.raw(e)),
                v => v,
            },
            Expr::Value(v) => match &v.value {
                sq::Value::Null => None,
                sq::Value::Boolean(b) => Some(Value::Bool(*b)),
                sq::Value::Number(n, _) => Some(match n.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Float(n.to_string()),
                }),
                sq::Value::SingleQuotedString(s) => Some(Value::String(s.clone())),
                _ => Some(self.raw(e)),
            },
            Expr::UnaryOp {
                op: sq::UnaryOperator::Minus,
                expr,
            } => match self.value(expr) {
                Some(Value::Int(i)) => Some(Value::Int(-i)),
                Some(Value::Float(f)) => Some(Value::Float(format!("-{f}"))),
                _ => Some(self.raw(e)),
            },
            _ => {
                let t = e.to_string().to_ascii_lowercase();
                // `current_timestamp()`, `current_timestamp(6)` (MariaDB).
                let t = match t.find('(') {
                    Some(i) if t.ends_with(')') && t[i + 1..t.len() - 1].chars().all(|c| c.is_ascii_digit()) => &t[..i],
                    _ => t.as_str(),
                };
                match t {
                    "current_timestamp" | "now" | "localtimestamp" => Some(Value::Current("current_timestamp".into())),
                    "current_date" | "curdate" => Some(Value::Current("current_date".into())),
                    "current_time" | "curtime" => Some(Value::Current("current_time".into())),
                    _ => Some(self.raw(e)),
                }
            }
        }
    }

    fn raw(&self, e: &Expr) -> Value {
        let mut m = IndexMap::new();
        m.insert(self.dialect.key().to_string(), e.to_string());
        Value::Sql(Box::new(PerDialect(m)))
    }

    /// A `CREATE SEQUENCE` read into `Dump::sequences`, or an `ALTER
    /// SEQUENCE ... OWNED BY` of one read before; false for anything else.
    fn sequence(&mut self, sql: &str) -> bool {
        let upper = sql.trim_start().to_ascii_uppercase();
        if upper.starts_with("ALTER SEQUENCE ") {
            // `ALTER SEQUENCE [schema.]seq OWNED BY [schema.]table.column`: sqlparser 0.64 has no ALTER SEQUENCE.
            let Some(at) = upper.find(" OWNED BY ") else { return false };
            let unquote = |w: &str| w.trim().trim_end_matches(';').trim_matches('"').to_string();
            let seq_words: Vec<String> = sql.trim_start()["ALTER SEQUENCE ".len()..at].split('.').map(unquote).collect();
            let target: Vec<String> = sql[at + " OWNED BY ".len()..].trim().trim_end_matches(';').split('.').map(unquote).collect();
            let seq = qualify_parts(&seq_words);
            let (Some(column), true) = (target.last().cloned(), target.len() >= 2) else {
                return false;
            };
            let table = qualify_parts(&target[..target.len() - 1]);
            return match self.dump.sequences.iter_mut().find(|q| q.name == seq) {
                Some(q) if self.dump.tables.get(&table).is_some_and(|t| t.columns.contains_key(&column)) => {
                    q.owned_by = Some((table, column));
                    true
                }
                _ => false,
            };
        }
        let pd = crate::dialect::Parser::sqlparser(Some(self.dialect.data.sqlparser));
        let sql = mariadb_sequence_sql(sql);
        let Ok(mut stmts) = sqlparser::parser::Parser::parse_sql(&*pd, &sql) else {
            return false;
        };
        let Some(Statement::CreateSequence { name, sequence_options, .. }) = stmts.pop() else {
            return false;
        };
        let int = |e: &Expr| e.to_string().parse::<i64>().ok();
        let mut q = Sequence {
            name: qualified(&name),
            start: None,
            increment: None,
            min: None,
            max: None,
            cycle: false,
            owned_by: None,
        };
        for o in &sequence_options {
            match o {
                sq::SequenceOptions::StartWith(e, _) => q.start = int(e),
                sq::SequenceOptions::IncrementBy(e, _) => q.increment = int(e).filter(|&i| i != 1),
                sq::SequenceOptions::MinValue(e) => q.min = e.as_ref().and_then(int),
                sq::SequenceOptions::MaxValue(e) => q.max = e.as_ref().and_then(int),
                // sqlparser's flag says `NO CYCLE`.
                sq::SequenceOptions::Cycle(no) => q.cycle = !*no,
                sq::SequenceOptions::DataType(_) | sq::SequenceOptions::Cache(_) | sq::SequenceOptions::OwnedBy(_) => {}
            }
        }
        // pg_dump writes PostgreSQL's defaults: a start of 1 and the type's bounds say nothing.
        if q.start == Some(1) {
            q.start = None;
        }
        if q.min == Some(1) {
            q.min = None;
        }
        // MariaDB's default maximum is one below PostgreSQL's.
        if q.max.is_some_and(|m| m == i64::MAX || m == i64::MAX - 1 || m == i64::from(i32::MAX)) {
            q.max = None;
        }
        self.dump.sequences.retain(|o| o.name != q.name);
        self.dump.sequences.push(q);
        true
    }

    fn finish(&mut self) {
        let seqs = std::mem::take(&mut self.sequences);
        for (name, sql, span) in seqs {
            // SPEC 9: CREATE SEQUENCE, and pg_dump's ALTER SEQUENCE ... OWNED BY, as the model's sequences.
            if self.sequence(&sql) {
                continue;
            }
            // A sequence that a serial column owns is part of that column.
            let owned = sql.to_ascii_uppercase().contains(" OWNED BY ")
                || self.dump.tables.values().any(|t| t.columns.values().any(|c| c.autoincrement)) && name.to_ascii_lowercase().ends_with("_seq");
            if !owned {
                self.dump.warnings.push(
                    Diagnostic::warning(
                        codes::IMPORTED_AS_EXECUTE,
                        format!("sequence `{}` is kept as an `execute`", crate::base::text::escape(&name)),
                    )
                    .at(span, "this statement"),
                );
                let early = self.dump.tables.is_empty();
                self.dump.executes.push((early, sql));
            }
        }
        let unnamed: Vec<String> = self
            .dump
            .tables
            .values()
            .filter(|t| t.primary_key().map(|(n, _)| n == "PRIMARY").unwrap_or(false))
            .map(|t| t.name.clone())
            .collect();
        for name in &unnamed {
            let Some(t) = self.dump.tables.get_mut(name) else { continue };
            let cols: Vec<String> = t.primary_key().map(|(_, c)| c.to_vec()).unwrap_or_default();
            let refs: Vec<&str> = cols.iter().map(|s| s.as_str()).collect();
            let pk = Naming::make(&self.naming.primary_key, name, &refs, "");
            for c in t.constraints.iter_mut() {
                if let Constraint::PrimaryKey { name, .. } = c {
                    *name = pk.clone();
                }
            }
        }
        self.dump.unnamed_pk = unnamed;
    }
}

/// A model name from a dump's name parts: `public` (or no schema) is the default schema.
fn qualify_parts(parts: &[String]) -> String {
    match parts {
        [.., schema, name] if schema != "public" => crate::base::naming::qualify(Some(schema), name),
        [.., name] => name.clone(),
        [] => String::new(),
    }
}

/// mariadb-dump's `CREATE SEQUENCE s start with 5 minvalue 1 maxvalue 1000
/// increment by 3 cache 1000 nocycle ENGINE=InnoDB` in the words sqlparser
/// 0.64 reads (https://mariadb.com/kb/en/create-sequence/): the table
/// options go (a sequence is an InnoDB table there), `nocycle` is `NO
/// CYCLE` and `nocache` goes. Other text is returned as it is.
fn mariadb_sequence_sql(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find(" ENGINE=") else { return sql.to_string() };
    let mut out = Vec::new();
    for w in sql[..at].split_whitespace() {
        match w.to_ascii_lowercase().as_str() {
            "nocycle" => out.extend(["NO", "CYCLE"]),
            "nocache" => {}
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// The sequence a MariaDB default `nextval(`db`.`seq`)` draws from (SPEC 9):
/// the database is the dump's own (the default schema) unless the dump
/// creates it as a schema.
fn mariadb_nextval(text: &str, namespaces: &[String]) -> Option<String> {
    let rest = text.trim().strip_prefix("nextval(").or_else(|| text.trim().strip_prefix("NEXTVAL("))?;
    let inner = rest.strip_suffix(')')?;
    if !inner.starts_with('`') {
        return None;
    }
    let parts: Vec<String> = inner.split("`.`").map(|p| p.trim_matches('`').replace("``", "`")).collect();
    match parts.as_slice() {
        [schema, name] if namespaces.contains(schema) => Some(crate::base::naming::qualify(Some(schema), name)),
        [_, name] | [name] => Some(name.clone()),
        _ => None,
    }
}

/// The sequence a `nextval('[schema.]seq'::regclass)` default draws from (SPEC 9).
fn nextval_target(text: &str) -> Option<String> {
    let rest = text.trim().strip_prefix("nextval(").or_else(|| text.trim().strip_prefix("NEXTVAL("))?;
    let quoted = rest.strip_prefix('\'')?;
    let name = &quoted[..quoted.find('\'')?];
    let parts: Vec<String> = name.split('.').map(|p| p.trim_matches('"').to_string()).collect();
    Some(qualify_parts(&parts))
}

fn ident_column(i: &sq::Ident) -> sq::IndexColumn {
    sq::IndexColumn {
        column: sq::OrderByExpr {
            expr: Expr::Identifier(i.clone()),
            options: sq::OrderByOptions::default(),
            with_fill: None,
        },
        operator_class: None,
    }
}

/// A MySQL `COMMENT = '...'` among a table's options.
fn table_comment(options: &sq::CreateTableOptions) -> Option<String> {
    let list = match options {
        sq::CreateTableOptions::None => return None,
        sq::CreateTableOptions::With(l)
        | sq::CreateTableOptions::Options(l)
        | sq::CreateTableOptions::Plain(l)
        | sq::CreateTableOptions::TableProperties(l) => l,
    };
    list.iter().find_map(|o| match o {
        sq::SqlOption::Comment(c) => Some(comment_text(c)),
        _ => None,
    })
}

/// The table options the language cannot say: PostgreSQL's storage
/// parameters (`WITH (fillfactor=70)`), MySQL's other than the engine
/// InnoDB, the character set and collation the server spells by default,
/// the next AUTO_INCREMENT value and the comment.
fn table_options_lost(options: &sq::CreateTableOptions) -> Vec<String> {
    match options {
        sq::CreateTableOptions::None => vec![],
        sq::CreateTableOptions::With(l) => l.iter().map(|o| format!("WITH ({o})")).collect(),
        sq::CreateTableOptions::Options(l) | sq::CreateTableOptions::Plain(l) | sq::CreateTableOptions::TableProperties(l) => l
            .iter()
            .filter(|o| !matches!(o, sq::SqlOption::Comment(_)))
            .map(|o| o.to_string())
            .filter(|o| {
                let u = o.to_ascii_uppercase().replace(' ', "");
                !(u == "ENGINE=INNODB"
                    || u.starts_with("AUTO_INCREMENT=")
                    || u.starts_with("DEFAULTCHARSET=")
                    || u.starts_with("CHARSET=")
                    || u.starts_with("DEFAULTCHARACTERSET=")
                    || u.starts_with("CHARACTERSET=")
                    || u.starts_with("COLLATE=")
                    || u.starts_with("DEFAULTCOLLATE="))
            })
            .collect(),
    }
}

fn comment_text(c: &sq::CommentDef) -> String {
    match c {
        sq::CommentDef::WithEq(s) | sq::CommentDef::WithoutEq(s) => s.clone(),
    }
}

fn action(a: sq::ReferentialAction) -> FkAction {
    match a {
        sq::ReferentialAction::Restrict => FkAction::Restrict,
        sq::ReferentialAction::Cascade => FkAction::Cascade,
        sq::ReferentialAction::SetNull => FkAction::SetNull,
        sq::ReferentialAction::NoAction => FkAction::NoAction,
        sq::ReferentialAction::SetDefault => FkAction::SetDefault,
    }
}

/// `ALTER TABLE [ONLY] [s.]t ALTER COLUMN c ADD GENERATED ...`: `(t, c)`.
/// Names may be quoted, with spaces and doubled quotes in them
/// (`public."a""b"`: conformance seed 19).
fn identity_target(text: &str) -> Option<(String, String)> {
    let mut rest = text.trim_start();
    let word = |rest: &mut &str| -> Option<String> {
        *rest = rest.trim_start();
        let (name, used) = identifier(rest)?;
        *rest = &rest[used..];
        Some(name)
    };
    let keyword = |rest: &mut &str, k: &str| -> bool {
        let r = rest.trim_start();
        let ok = r.len() >= k.len() && r[..k.len()].eq_ignore_ascii_case(k) && !r[k.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if ok {
            *rest = &r[k.len()..];
        }
        ok
    };
    if !keyword(&mut rest, "ALTER") || !keyword(&mut rest, "TABLE") {
        return None;
    }
    keyword(&mut rest, "ONLY");
    let mut table = word(&mut rest)?;
    while rest.starts_with('.') {
        rest = &rest[1..];
        table = word(&mut rest)?;
    }
    if !keyword(&mut rest, "ALTER") {
        return None;
    }
    keyword(&mut rest, "COLUMN");
    let column = word(&mut rest)?;
    Some((table, column))
}

/// A bare or quoted (`"..."` with `""`, or `` `...` `` with ``` `` ```)
/// identifier at the start of `s`: the name and the bytes it takes.
fn identifier(s: &str) -> Option<(String, usize)> {
    let q = s.chars().next()?;
    if q == '"' || q == '`' {
        let mut name = String::new();
        let mut chars = s.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == q {
                if chars.peek().is_some_and(|(_, n)| *n == q) {
                    chars.next();
                    name.push(q);
                    continue;
                }
                return Some((name, i + 1));
            }
            name.push(c);
        }
        return None;
    }
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(s.len());
    (end > 0).then(|| (s[..end].to_string(), end))
}

/// A type's spelling put in one form: lower case, unquoted, the
/// engines' synonyms (`character varying`, `int(11)`, `tinyint(1)`) as
/// schemac's dialect files spell them.
pub fn canonical_type(s: &str) -> String {
    let s = s.to_ascii_lowercase().replace(['"', '`'], "");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (base, args) = match s.find('(') {
        Some(i) => (s[..i].trim().to_string(), s[i..].replace(' ', "")),
        None => (s.clone(), String::new()),
    };
    let base = match base.as_str() {
        "timestamp without time zone" => "timestamp".to_string(),
        "timestamp with time zone" => "timestamptz".to_string(),
        "time without time zone" => "time".to_string(),
        _ => base,
    };
    // `timestamp(6) without time zone`: the suffix comes after the arguments.
    let (args, base) = if let Some(i) = args.find(')') {
        let tail = args[i + 1..].to_string();
        let b = match (base.as_str(), tail.as_str()) {
            ("timestamp", "withouttimezone") => "timestamp".to_string(),
            ("timestamp", "withtimezone") => "timestamptz".to_string(),
            _ => base,
        };
        (args[..=i].to_string(), b)
    } else {
        (args, base)
    };
    let base = match base.as_str() {
        "character varying" => "varchar",
        "character" | "bpchar" => "char",
        "double precision" | "float8" => "double",
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "bool" => "boolean",
        "decimal" => "numeric",
        "tinyint" if args == "(1)" => return "boolean".into(),
        other => other,
    }
    .to_string();
    if matches!(base.as_str(), "integer" | "smallint" | "bigint" | "tinyint" | "mediumint") {
        return base;
    }
    format!("{base}{args}")
}

/// The neutral type that `dialect` spells as `text`, if one does.
pub fn neutral_for(dialect: &Dialect, text: &str) -> Option<ColumnType> {
    let want = canonical_type(text);
    let nums: Vec<u32> = match (text.find('('), text.find(')')) {
        (Some(a), Some(b)) if b > a => text[a + 1..b].split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        _ => vec![],
    };
    use ColumnType::*;
    let mut candidates = ColumnType::PLAIN.to_vec();
    match nums.as_slice() {
        [n] => {
            candidates.insert(0, String(Some(*n)));
            candidates.insert(1, Char(Some(*n)));
            candidates.insert(2, Decimal(Some((*n, 0))));
        }
        [p, s] => candidates.insert(0, Decimal(Some((*p, *s)))),
        _ => {
            candidates.insert(0, Decimal(None));
            candidates.push(String(None));
            candidates.push(Char(None));
        }
    }
    candidates
        .into_iter()
        .find(|c| dialect.check_type(c).is_ok() && dialect.type_sql(c).map(|s| canonical_type(&s) == want).unwrap_or(false))
}

/// Splits a dump into statements: comments and psql meta-commands dropped,
/// MySQL's `/*!NNNNN ... */` conditional comments unwrapped, `DELIMITER`
/// honoured, quotes and PostgreSQL dollar quotes respected.
fn split(text: &str, backslash: bool) -> Vec<Stmt> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut cur = String::new();
    let mut start: Option<usize> = None;
    let mut delim = ";".to_string();
    let mut i = 0;
    let mut at_line_start = true;
    while i < b.len() {
        let c = b[i];
        if at_line_start && cur.trim().is_empty() {
            let line_end = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
            let line = text[i..line_end].trim_start();
            if line.starts_with('\\') {
                i = line_end;
                continue;
            }
            if line.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("DELIMITER ")) {
                delim = line[10..].trim().to_string();
                i = line_end;
                continue;
            }
        }
        at_line_start = c == b'\n';
        if text[i..].starts_with(delim.as_str()) {
            if !cur.trim().is_empty() {
                out.push(Stmt {
                    text: std::mem::take(&mut cur),
                    start: start.unwrap_or(i),
                    end: i,
                });
            }
            cur.clear();
            start = None;
            i += delim.len();
            continue;
        }
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
                continue;
            }
            b'#' if cur.trim().is_empty() => {
                i = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map(|n| i + 2 + n).unwrap_or(b.len());
                if b.get(i + 2) == Some(&b'!') {
                    // `/*!40101 SET ... */`: the text is for MySQL; keep it.
                    let inner = &text[i + 3..end];
                    let inner = inner.trim_start_matches(|c: char| c.is_ascii_digit());
                    if start.is_none() && !inner.trim().is_empty() {
                        start = Some(i);
                    }
                    cur.push(' ');
                    cur.push_str(inner);
                    cur.push(' ');
                }
                i = (end + 2).min(b.len());
                continue;
            }
            b'\'' | b'"' | b'`' => {
                let q = c;
                let mut j = i + 1;
                while j < b.len() {
                    if backslash && b[j] == b'\\' && q == b'\'' {
                        j += 2;
                        continue;
                    }
                    if b[j] == q {
                        if b.get(j + 1) == Some(&q) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                let j = (j + 1).min(b.len());
                if start.is_none() {
                    start = Some(i);
                }
                cur.push_str(&text[i..j]);
                i = j;
                continue;
            }
            b'$' => {
                // A dollar quote: `$$` or `$tag$`.
                let rest = &text[i + 1..];
                if let Some(n) = rest.find('$') {
                    let tag = &rest[..n];
                    if tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !tag.starts_with(|c: char| c.is_ascii_digit()) {
                        let open = &text[i..i + n + 2];
                        if let Some(m) = text[i + open.len()..].find(open) {
                            let j = i + open.len() + m + open.len();
                            if start.is_none() {
                                start = Some(i);
                            }
                            cur.push_str(&text[i..j]);
                            i = j;
                            continue;
                        }
                    }
                }
            }
            _ => {}
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        if start.is_none() && !ch.is_whitespace() {
            start = Some(i);
        }
        cur.push(ch);
        i += ch.len_utf8();
    }
    if !cur.trim().is_empty() {
        out.push(Stmt {
            text: cur,
            start: start.unwrap_or(b.len()),
            end: b.len(),
        });
    }
    out
}

impl Dump {
    /// The dump as a schema (for `diff`); views are left out, as autogenerate does.
    pub fn schema(&self) -> Schema {
        let mut s = Schema::default();
        for n in &self.namespaces {
            s.namespaces.insert(n.clone(), ());
        }
        for q in &self.sequences {
            s.sequences.insert(q.name.clone(), q.clone());
        }
        for (name, t) in &self.tables {
            s.tables.insert(name.clone(), Arc::new(t.clone()));
        }
        s
    }

    /// The baseline's operations: tables in dependency order (a foreign key
    /// to a table created later is added after every table), every name
    /// explicit, then views, then what was kept as raw SQL.
    pub fn ops(&self, dialect: &Dialect, naming: &Naming) -> Vec<Op> {
        let raw = |sql: &str| {
            let mut m = IndexMap::new();
            m.insert(dialect.key().to_string(), sql.to_string());
            Op::Execute { sql: PerDialect(m) }
        };
        let mut out: Vec<Op> = self
            .namespaces
            .iter()
            .map(|n| Op::CreateNamespace {
                name: crate::base::diag::Sp::new(n.clone(), Span::default()),
            })
            .collect();
        out.extend(self.executes.iter().filter(|(early, _)| *early).map(|(_, sql)| raw(sql)));
        // Sequences before the tables that draw from them; one a table owns
        // just after it, with the defaults that draw from it (SPEC 9).
        let seq_op = |q: &Sequence| Op::CreateSequence(crate::replay::inverse::sequence_spec(q, Span::default()));
        out.extend(self.sequences.iter().filter(|q| q.owned_by.is_none()).map(seq_op));
        let mut later = vec![];
        let mut pending: Vec<&Table> = self.tables.values().collect();
        let mut created: Vec<&str> = vec![];
        while !pending.is_empty() {
            let ready = |t: &Table, created: &[&str]| {
                t.foreign_keys()
                    .all(|fk| fk.ref_table == t.name || created.contains(&fk.ref_table.as_str()) || !self.tables.contains_key(&fk.ref_table))
            };
            let pos = pending.iter().position(|t| ready(t, &created)).unwrap_or(0);
            let t = pending.remove(pos);
            let mut spec = crate::replay::inverse::table_spec(t, Span::default());
            let mut kept = vec![];
            for c in spec.constraints.drain(..) {
                match &c {
                    ConstraintSpec::ForeignKey(fk)
                        if !(fk.ref_table.v == t.name || created.contains(&fk.ref_table.v.as_str()) || !self.tables.contains_key(&fk.ref_table.v)) =>
                    {
                        later.push(Op::AddConstraint {
                            table: spec.table.clone(),
                            constraint: c.clone(),
                        })
                    }
                    _ => kept.push(c),
                }
            }
            spec.constraints = kept;
            // A primary key named as the convention would name it is written
            // by its columns alone.
            for c in spec.constraints.iter_mut() {
                if let ConstraintSpec::PrimaryKey { name, columns } = c {
                    let refs: Vec<&str> = columns.v.iter().map(|s| s.as_str()).collect();
                    if name.as_ref().is_some_and(|n| n.v == Naming::make(&naming.primary_key, &t.name, &refs, "")) {
                        *name = None;
                    }
                }
            }
            // `nullable` only where it says something: primary key columns
            // are NOT NULL by themselves.
            let pk: Vec<String> = t.primary_key().map(|(_, c)| c.to_vec()).unwrap_or_default();
            for c in spec.columns.iter_mut() {
                if c.nullable == Some(true) || pk.contains(&c.name.v) {
                    c.nullable = None;
                }
            }
            let owned: Vec<&Sequence> = self
                .sequences
                .iter()
                .filter(|q| q.owned_by.as_ref().is_some_and(|(o, _)| *o == t.name))
                .collect();
            let draws = |d: &Option<Value>| matches!(d, Some(Value::Next(q)) if owned.iter().any(|o| o.name == *q));
            for c in spec.columns.iter_mut() {
                if c.default.as_ref().is_some_and(|d| draws(&Some(d.v.clone()))) {
                    c.default = None;
                }
            }
            out.push(Op::CreateTable(spec));
            for q in &owned {
                out.push(seq_op(q));
            }
            for c in t.columns.values().filter(|c| draws(&c.default)) {
                let sp = |v: &str| crate::base::diag::Sp::new(v.to_string(), Span::default());
                out.push(Op::AlterColumn(crate::vocab::ops::AlterSpec {
                    default: Some(c.default.clone().map(|d| crate::base::diag::Sp::new(d, Span::default()))),
                    ..crate::vocab::ops::AlterSpec::of(sp(&t.name), sp(&c.name))
                }));
            }
            created.push(&t.name);
        }
        out.extend(later);
        for (name, sql) in &self.views {
            let mut m = IndexMap::new();
            m.insert(dialect.key().to_string(), sql.clone());
            out.push(Op::CreateView {
                name: crate::base::diag::Sp::new(name.clone(), Span::default()),
                sql: PerDialect(m),
            });
        }
        out.extend(self.executes.iter().filter(|(early, _)| !*early).map(|(_, sql)| raw(sql)));
        out
    }
}

/// Both schemas as a dump shows them, so that `diff` reports only what a
/// dump can tell: types as the dialect spells them, numbers by value,
/// checks and partial indexes by name, a unique index and a unique
/// constraint alike, no comments where the dialect keeps none, and a
/// primary key that the dump shows unnamed compared by its columns.
pub fn normalise(s: &Schema, dialect: &Dialect, unnamed_pk: &[String]) -> Schema {
    let mut out = Schema::default();
    let no_comments = matches!(dialect.data.comments, crate::dialect::Comments::None);
    for (name, t) in &s.tables {
        let mut t = (**t).clone();
        for c in t.columns.values_mut() {
            if let Ok(sql) = dialect.type_sql(&c.ty) {
                c.ty = ColumnType::Raw(Box::new(PerDialect::single(canonical_type(&sql))));
            }
            c.default = c.default.take().and_then(|d| norm_value(d, dialect));
            if no_comments {
                c.comment = None;
            }
            // A dump spells a generated column's expression its own way, and
            // shows collations where they are not the table's (or always).
            if let Some(g) = c.generated.as_mut() {
                g.expr = PerDialect::default();
            }
            c.collation = None;
        }
        // A check the dialect does not have (an entry "") is not in its dump.
        t.constraints
            .retain(|c| !matches!(c, Constraint::Check { dialects: Some(pd), .. } if pd.get(dialect.lookup()) == Some("")));
        if no_comments {
            t.comment = None;
        }
        t.options = None;
        // SQLite: an `INTEGER PRIMARY KEY` is the rowid, which numbers rows
        // by itself; AUTOINCREMENT only changes whether numbers are reused.
        if matches!(dialect.data.autoincrement, crate::dialect::Autoincrement::Rowid) {
            let pk: Vec<String> = t.primary_key().map(|(_, c)| c.to_vec()).unwrap_or_default();
            for c in t.columns.values_mut() {
                c.autoincrement = pk.len() == 1 && pk[0] == c.name && c.ty.is_integer();
            }
        }
        let mut uniques = vec![];
        t.indexes.retain(|i| {
            if i.unique && i.where_.is_none() && !i.options.as_ref().is_some_and(|o| o.has_expr()) {
                uniques.push(Constraint::Unique {
                    name: i.name.clone(),
                    columns: i.columns.clone(),
                });
                false
            } else {
                true
            }
        });
        for i in t.indexes.iter_mut() {
            if i.where_.is_some() {
                i.where_ = Some(String::new());
            }
            // An explicit ASC is the default order, which no dump shows.
            if let Some(o) = i.options.as_mut() {
                // An expression, like a check's, is compared by its place:
                // the engine rewrites its text (`lower((email)::text)`).
                for (entry, e) in i.columns.iter_mut().zip(&o.elements) {
                    if e.expr {
                        entry.clear();
                    }
                }
                for e in o.elements.iter_mut() {
                    if e.desc == Some(false) {
                        e.desc = None;
                    }
                }
                // Plain entries are no elements at all, however they were written.
                if o.elements.iter().all(|e| *e == IndexElement::default()) {
                    o.elements.clear();
                }
                if o.elements.is_empty() && o.method.is_none() && o.include.is_empty() && o.kind.is_none() {
                    i.options = None;
                }
            }
        }
        t.constraints.extend(uniques);
        for c in t.constraints.iter_mut() {
            match c {
                Constraint::Check { expr, dialects, .. } => {
                    expr.clear();
                    *dialects = None;
                }
                // NO ACTION is the default; RESTRICT differs from it only in
                // when it is checked, which no dump shows on MySQL.
                Constraint::ForeignKey(fk) => {
                    for a in [&mut fk.on_delete, &mut fk.on_update] {
                        if matches!(a, None | Some(FkAction::Restrict)) {
                            *a = Some(FkAction::NoAction);
                        }
                    }
                }
                Constraint::PrimaryKey { name: n, .. } if unnamed_pk.contains(name) => *n = "PRIMARY".into(),
                _ => {}
            }
        }
        out.tables.insert(name.clone(), Arc::new(t));
    }
    out
}

fn norm_value(v: Value, dialect: &Dialect) -> Option<Value> {
    let num = |s: &str| s.parse::<f64>().ok().map(|f| Value::Float(format!("{f}")));
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Value::Float(if b { "1" } else { "0" }.into())),
        Value::Int(i) => Some(Value::Float(format!("{}", i as f64))),
        Value::Float(f) => num(&f).or(Some(Value::Float(f))),
        Value::Temporal(t) => Some(Value::String(t.replace('T', " "))),
        Value::Sql(pd) => {
            let s = pd.get(dialect.lookup()).map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
            if s == "null" {
                return None;
            }
            match s.as_str() {
                "true" => Some(Value::Float("1".into())),
                "false" => Some(Value::Float("0".into())),
                _ => num(&s).or(Some(Value::String(s))),
            }
        }
        Value::String(s) => Some(Value::String(s)),
        Value::Current(c) => Some(Value::Current(c.to_ascii_lowercase())),
        Value::Next(q) => Some(Value::Next(q)),
    }
}

/// The text of a model file (`[[table]]` entries) for the dump's tables.
pub fn model_text(dump: &Dump) -> String {
    let mut out = String::new();
    for n in &dump.namespaces {
        out.push_str(&format!("[[namespace]]\nname = {}\n\n", crate::vocab::ops::writer::quote(n)));
    }
    for q in &dump.sequences {
        let mut body = String::new();
        let op = Op::CreateSequence(crate::replay::inverse::sequence_spec(q, Span::default()));
        crate::vocab::ops::writer::write_op(&op, &mut body).expect("create_sequence has a spelling");
        out.push_str("[[sequence]]\n");
        for line in body.lines().skip(1) {
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    for t in dump.tables.values() {
        let op = Op::CreateTable(crate::replay::inverse::table_spec(t, Span::default()));
        {
            let op = &op;
            let mut body = String::new();
            crate::vocab::ops::writer::write_op(op, &mut body).expect("create_table has a spelling");
            out.push_str("[[table]]\n");
            for line in body.lines().skip(1) {
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    out
}

/// The text of the baseline revision.
pub fn revision_text(id: &str, message: &str, ops: &[Op]) -> String {
    let mut out = crate::commands::revision::header("schemac import", id, &[], message, &[]);
    for op in ops {
        out.push_str("\n[[upgrade]]\n");
        crate::vocab::ops::writer::write_op(op, &mut out).expect("the baseline holds only operations a file can hold");
    }
    out
}

/// `import FILE [--model]`: writes the baseline revision (or the model
/// file) and returns the path written. Warnings are printed on stderr.
pub fn import(
    file: &Path,
    settings: &crate::language::config::Settings,
    dialect: &Dialect,
    model: bool,
    rev_id: Option<&str>,
    sources: &mut Sources,
    format: crate::base::diag::Format,
) -> Result<String, Diagnostics> {
    let (dump, _) = read(file, dialect, &settings.version_table, &settings.naming, sources)?;
    if !dump.warnings.is_empty() {
        eprint!("{}", sources.render(&dump.warnings, format));
    }
    let ops = dump.ops(dialect, &settings.naming);
    let fail = |path: &Path, e: std::io::Error| {
        let code = if e.kind() == std::io::ErrorKind::AlreadyExists {
            codes::REVISION_FILE_EXISTS
        } else {
            codes::CANNOT_WRITE_REVISION
        };
        Diagnostics::from(Diagnostic::error(
            code,
            format!("cannot write `{}`: {e}", crate::base::diag::display_path(path)),
        ))
    };
    let source = crate::base::diag::display_path(file);
    if model {
        let path = settings.model.clone().unwrap_or_else(|| std::path::PathBuf::from("schema.toml"));
        let mut text = format!("# The declared schema, imported from {}.\n\n", crate::base::text::escape(&source));
        text.push_str(&model_text(&dump));
        crate::output::write_new(&path, &text).map_err(|e| fail(&path, e))?;
        return Ok(crate::base::diag::display_path(&path));
    }
    let id = match rev_id {
        Some(id) => id.to_string(),
        None => crate::commands::revision::random_id(),
    };
    let message = format!("baseline imported from {source}");
    let text = revision_text(&id, &message, &ops);
    crate::commands::revision::validate(settings, Schema::default(), &text)?;
    let dir = &settings.directory;
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    }
    let path = dir.join(format!("{id}_baseline.toml"));
    let _lock = crate::output::DirLock::take(dir).map_err(|e| fail(dir, e))?;
    crate::output::write_new(&path, &text).map_err(|e| fail(&path, e))?;
    // Views and raw SQL come in the dump's dialect alone: `check`, which
    // compiles for every dialect the project names, needs to be told.
    let raw = ops.iter().filter(|op| matches!(op, Op::CreateView { .. } | Op::Execute { .. })).count();
    if raw > 0 && settings.dialects.iter().any(|&other| other != dialect.id) {
        eprintln!(
            "note: the baseline's views and raw SQL ({raw} operation{}) are written for {} alone; \
             `check` compiles for every dialect the project names: add `dialects = [\"{}\"]` under [migrations] in schemac.toml",
            if raw == 1 { "" } else { "s" },
            dialect.key(),
            dialect.key()
        );
    }
    Ok(crate::base::diag::display_path(&path))
}

/// `diff --against FILE`: the differences between the head schema and the
/// dump, as lines and as JSON; an error (exit 1) when there are any.
pub fn diff(
    file: &Path,
    g: &crate::graph::Graph,
    settings: &crate::language::config::Settings,
    dialect: &Dialect,
    sources: &mut Sources,
    format: crate::base::diag::Format,
) -> Result<(String, String, Option<Diagnostic>), Diagnostics> {
    let head = crate::commands::revision::schema_at(g, settings, &g.heads)?;
    let (dump, _) = read(file, dialect, &settings.version_table, &settings.naming, sources)?;
    if !dump.warnings.is_empty() {
        eprint!("{}", sources.render(&dump.warnings, format));
    }
    let mut shown = dump.schema();
    // The CHECK that spells an enum where the dialect has no enum type is
    // the column's, not a constraint of the model.
    if matches!(dialect.data.enum_style, crate::dialect::EnumStyle::Check) {
        for t in head.tables.values() {
            // A non-native enum's check is the model's own constraint on both sides.
            for c in t.columns.values().filter(|c| matches!(&c.ty, ColumnType::Enum(e) if e.native)) {
                let name = Naming::make(&settings.naming.check, &t.name, &[c.name.as_str()], "");
                if let Some(d) = shown.table_mut(&t.name) {
                    d.constraints.retain(|x| !matches!(x, Constraint::Check { name: n, .. } if *n == name));
                }
            }
        }
    }
    let a = normalise(&head, dialect, &dump.unnamed_pk);
    let b = normalise(&shown, dialect, &dump.unnamed_pk);
    let lines: Vec<String> = crate::commands::autogen::drift(&crate::commands::autogen::diff(&a, &b))
        .into_iter()
        .map(|l| l.replace("the model", "the dump"))
        .collect();
    let shown = crate::base::diag::display_path(file);
    if lines.is_empty() {
        let json = serde_json::json!({ "against": shown, "differences": [] });
        return Ok((
            format!("no difference between the head schema and `{shown}`"),
            serde_json::to_string_pretty(&json).unwrap_or_default(),
            None,
        ));
    }
    let text = lines.join("\n");
    let json = serde_json::json!({ "against": shown, "differences": lines });
    Ok((
        text,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
        Some(
            Diagnostic::error(
                codes::DUMP_DIFFERS,
                format!(
                    "{} difference{} between the head schema and `{shown}`",
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" }
                ),
            )
            .help("write a revision for a change the database should get, or fix the database"),
        ),
    ))
}

/// An index's element options as the model keeps them (SPEC 9): DESC,
/// NULLS FIRST/LAST and operator classes as the dump spells them (a dump
/// shows only what differs from the default), a method other than btree,
/// INCLUDE columns; None for a plain index.
/// An index's entries and their options from the dump's key parts: a
/// column; MySQL's prefix `col(20)` (sqlparser reads it as a call of a
/// function named like a column of the table) a column with `length`; any
/// other expression an `expr` entry, its text as sqlparser prints it.
fn index_elements(cols: &[sq::IndexColumn], table: &Table) -> (Vec<String>, Vec<IndexElement>) {
    cols.iter()
        .map(|c| {
            let mut e = IndexElement {
                desc: matches!(c.column.options.sort, Some(sq::OrderBySort::Desc)).then_some(true),
                nulls_first: c.column.options.nulls_first,
                opclass: c.operator_class.as_ref().map(|o| o.to_string()),
                ..IndexElement::default()
            };
            let entry = match &c.column.expr {
                Expr::Identifier(i) => i.value.clone(),
                expr => match prefix_of(expr, table) {
                    Some((column, length)) => {
                        e.length = Some(length);
                        column
                    }
                    None => {
                        e.expr = true;
                        let text = expr.to_string();
                        match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                            Some(inner) if matches!(expr, Expr::Nested(_)) => inner.to_string(),
                            _ => text,
                        }
                    }
                },
            };
            (entry, e)
        })
        .unzip()
}

/// MySQL's index prefix `col(N)`: the column and N.
fn prefix_of(expr: &Expr, table: &Table) -> Option<(String, u32)> {
    let Expr::Function(f) = expr else { return None };
    let name = last(&f.name);
    if !table.columns.contains_key(&name) {
        return None;
    }
    let sq::FunctionArguments::List(list) = &f.args else { return None };
    let [sq::FunctionArg::Unnamed(sq::FunctionArgExpr::Expr(Expr::Value(v)))] = list.args.as_slice() else {
        return None;
    };
    match &v.value {
        sq::Value::Number(n, _) => n.parse().ok().map(|n| (name, n)),
        _ => None,
    }
}

fn element_options(elements: Vec<IndexElement>, method: Option<String>, include: Vec<String>) -> Option<Box<IndexOptions>> {
    let plain = elements.iter().all(|e| *e == IndexElement::default()) && method.is_none() && include.is_empty();
    (!plain).then(|| {
        Box::new(IndexOptions {
            elements,
            method,
            include,
            kind: None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_targets_read_quoted_names() {
        let t = |s: &str| identity_target(s);
        assert_eq!(
            t("ALTER TABLE public.\"a\"\"b\" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (\n    SEQUENCE NAME x\n);"),
            Some(("a\"b".into(), "id".into()))
        );
        assert_eq!(
            t("ALTER TABLE ONLY \"user data\" ALTER COLUMN \"full name\" ADD GENERATED ALWAYS AS IDENTITY"),
            Some(("user data".into(), "full name".into()))
        );
        assert_eq!(t("alter table t alter c add generated by default as identity"), Some(("t".into(), "c".into())));
        assert_eq!(t("ALTER TABLE \"unterminated ALTER COLUMN c"), None);
    }

    #[test]
    fn types_are_put_in_one_form() {
        assert_eq!(canonical_type("character varying(100)"), "varchar(100)");
        assert_eq!(canonical_type("VARCHAR(100)"), "varchar(100)");
        assert_eq!(canonical_type("int(11)"), "integer");
        assert_eq!(canonical_type("tinyint(1)"), "boolean");
        assert_eq!(canonical_type("timestamp with time zone"), "timestamptz");
        assert_eq!(canonical_type("NUMERIC(10, 2)"), "numeric(10,2)");
        assert_eq!(canonical_type("decimal(10,2)"), "numeric(10,2)");
    }

    #[test]
    fn statements_are_split_as_the_client_would() {
        let text = "-- c\n/*!40101 SET NAMES utf8mb4 */;\n\\restrict abc\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT ';' ;\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END ;;\nDELIMITER ;\n";
        let got: Vec<String> = split(text, true).into_iter().map(|s| s.text.trim().to_string()).collect();
        assert_eq!(
            got,
            [
                "SET NAMES utf8mb4",
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                "SELECT ';'",
                "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END",
            ]
        );
    }
}
