//! Stage 4, plan: turns resolved changes into the steps one dialect will
//! run, still as data (a template name and its context). Strategy is decided
//! here and only here: native ALTER or the SQLite table rebuild, explicit
//! drops a dialect needs first, statements that must run outside a
//! transaction. Templates only spell a step.

use crate::codes;
use crate::diag::{Diagnostic, Span};
use crate::dialect::Dialect;
use crate::model::*;
use crate::ops::Op;
use crate::render::ctx;
use crate::replay::Change;
use indexmap::IndexMap;
use minijinja::value::{Enumerator, Object};
use minijinja::Value as Ctx;
use std::sync::Arc;

/// Where a step may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    InTransaction,
    /// PostgreSQL's CONCURRENTLY: between transactions.
    OutsideTransaction,
}

/// One unit of SQL that a template spells.
#[derive(Clone, Debug)]
pub struct Step {
    pub template: &'static str,
    pub ctx: Ctx,
    pub warning: Option<String>,
    pub placement: Placement,
    /// SQLite: the transaction must run with `PRAGMA foreign_keys=OFF` around it.
    pub foreign_keys_off: bool,
    /// Where the step came from, for diagnostics.
    pub span: Span,
}

/// A column as the templates see it (`c`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColCtx {
    pub name: String,
    pub type_sql: String,
    pub nullable: bool,
    pub default_sql: Option<String>,
    pub autoincrement: bool,
    /// SQLite: the column is the rowid primary key, declared inline with this constraint name.
    pub inline_pk: Option<String>,
    pub check_sql: Option<String>,
    pub comment: Option<String>,
}

impl Object for ColCtx {
    fn get_value(self: &Arc<Self>, key: &Ctx) -> Option<Ctx> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Ctx> {
        Some(match key {
            "name" => Ctx::from(self.name.as_str()),
            "type_sql" => Ctx::from(self.type_sql.as_str()),
            "nullable" => Ctx::from(self.nullable),
            "default_sql" => Ctx::from(self.default_sql.as_deref()),
            "autoincrement" => Ctx::from(self.autoincrement),
            "inline_pk" => Ctx::from(self.inline_pk.as_deref()),
            "check_sql" => Ctx::from(self.check_sql.as_deref()),
            "comment" => Ctx::from(self.comment.as_deref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "name",
            "type_sql",
            "nullable",
            "default_sql",
            "autoincrement",
            "inline_pk",
            "check_sql",
            "comment",
        ])
    }
}

impl From<ColCtx> for Ctx {
    fn from(c: ColCtx) -> Ctx {
        Ctx::from_object(c)
    }
}

/// A table's definition as the templates see it (`t`).
#[derive(Clone, Debug)]
pub struct TableCtx {
    pub name: String,
    pub columns: Vec<Arc<ColCtx>>,
    /// Each made by `con_ctx`.
    pub constraints: Vec<Ctx>,
    pub comment: Option<String>,
    pub options: Option<String>,
}

impl Object for TableCtx {
    fn get_value(self: &Arc<Self>, key: &Ctx) -> Option<Ctx> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Ctx> {
        Some(match key {
            "name" => Ctx::from(self.name.as_str()),
            "columns" => Ctx::from(self.columns.iter().map(|c| Ctx::from_dyn_object(c.clone())).collect::<Vec<_>>()),
            "constraints" => Ctx::from(self.constraints.clone()),
            "comment" => Ctx::from(self.comment.as_deref()),
            "options" => Ctx::from(self.options.as_deref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["name", "columns", "constraints", "comment", "options"])
    }
}

impl From<TableCtx> for Ctx {
    fn from(t: TableCtx) -> Ctx {
        Ctx::from_object(t)
    }
}

struct Group {
    /// The table's column names before the group's first change (all a rebuild needs of it).
    before: Vec<String>,
    changes: Vec<(Change, Span)>,
}

/// Plans the changes of one compile for one dialect, step by step.
pub struct Planner<'d> {
    pub d: &'d Dialect,
    pub steps: Vec<Step>,
    pub diags: Vec<Diagnostic>,
    groups: IndexMap<String, Group>,
    /// The column names of the table the operation being planned changes, before it.
    snapshot: Option<Vec<String>>,
    pending_warnings: Vec<String>,
    /// Where the operation being planned wrote each column's type, for diagnostics.
    type_spans: Vec<(String, Span)>,
}

/// A constraint as the templates see it (`k`).
fn con_ctx(c: &Constraint) -> Ctx {
    let none: Option<&str> = None;
    let (columns, ref_table, ref_columns, on_delete, on_update, expr) = match c {
        Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => (columns.clone(), "", vec![], none, none, ""),
        Constraint::ForeignKey(fk) => (
            fk.columns.clone(),
            fk.ref_table.as_str(),
            fk.ref_columns.clone(),
            fk.on_delete.map(|a| a.sql()),
            fk.on_update.map(|a| a.sql()),
            "",
        ),
        Constraint::Check { expr, .. } => (vec![], "", vec![], none, none, expr.as_str()),
    };
    ctx! { kind => c.kind(), name => c.name(), columns, ref_table, ref_columns, on_delete, on_update, expr }
}

/// An index as the templates see it (`i`).
fn idx_ctx(table: &str, i: &Index, concurrently: bool) -> Ctx {
    ctx! {
        name => &i.name,
        table,
        columns => i.columns.clone(),
        unique => i.unique,
        where_ => i.where_.as_deref(),
        concurrently,
    }
}

fn column_names(t: &Table) -> Vec<String> {
    t.columns.keys().cloned().collect()
}

/// Whether a type change can lose data (anything but a widening).
fn narrows(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    let rank = |t: &T| match t {
        T::SmallInt => 1,
        T::Integer => 2,
        T::BigInt => 3,
        _ => 0,
    };
    match (old, new) {
        (T::String(Some(a)), T::String(Some(b))) | (T::Char(Some(a)), T::Char(Some(b))) => b < a,
        (T::String(_) | T::Char(_), T::Text) => false,
        (T::Decimal(Some((p1, s1))), T::Decimal(Some((p2, s2)))) => p2 < p1 || s2 < s1,
        (a, b) if a.is_integer() && b.is_integer() => rank(b) < rank(a),
        (a, b) if a.is_integer() && matches!(b, T::Decimal(_) | T::Float) => false,
        _ => old != new,
    }
}

impl<'d> Planner<'d> {
    pub fn new(d: &'d Dialect) -> Planner<'d> {
        Planner {
            d,
            steps: vec![],
            diags: vec![],
            groups: IndexMap::new(),
            snapshot: None,
            pending_warnings: vec![],
            type_spans: vec![],
        }
    }

    fn rebuilds(&self) -> bool {
        self.d.data.alter_column == "rebuild"
    }

    fn push(&mut self, template: &'static str, ctx: Ctx, span: Span) {
        self.steps.push(Step {
            template,
            ctx,
            warning: None,
            placement: Placement::InTransaction,
            foreign_keys_off: false,
            span,
        });
    }

    fn warn_last(&mut self, w: Option<String>) {
        if let (Some(w), Some(last)) = (w, self.steps.last_mut()) {
            last.warning = Some(match &last.warning {
                Some(prev) => format!("{prev}; {w}"),
                None => w,
            });
        }
    }

    fn fail(&mut self, span: Span, msg: String) {
        self.diags
            .push(Diagnostic::error(codes::UNSUPPORTED_BY_DIALECT, msg).at(span, format!("cannot be compiled for {}", self.d.key())));
    }

    pub fn col_ctx(&mut self, c: &Column, table: Option<&Table>, span: Span) -> ColCtx {
        let rowid_pk = self.d.data.autoincrement == "rowid"
            && table
                .and_then(|t| t.primary_key())
                .is_some_and(|(_, cols)| cols.len() == 1 && cols[0] == c.name)
            && (c.autoincrement || c.ty == ColumnType::Integer);
        let type_sql = if rowid_pk {
            "INTEGER".to_string()
        } else {
            match self.d.type_sql(&c.ty) {
                Ok(t) => t,
                Err(e) => {
                    let at = self.type_spans.iter().find(|(n, _)| *n == c.name).map(|(_, s)| *s).unwrap_or(span);
                    self.fail(at, format!("column `{}`: {e}", c.name));
                    String::new()
                }
            }
        };
        let default_sql = c.default.as_ref().and_then(|v| match self.d.value_sql(v, Some(&c.ty)) {
            Ok(s) => Some(s),
            Err(e) => {
                self.fail(span, format!("default of `{}`: {e}", c.name));
                None
            }
        });
        let check_sql = match &c.ty {
            ColumnType::Enum(e) if self.d.data.enum_style == "check" => Some(format!(
                "{} IN ({})",
                self.d.ident(&c.name),
                e.values.iter().map(|v| self.d.literal(v)).collect::<Vec<_>>().join(", ")
            )),
            _ => None,
        };
        ColCtx {
            name: c.name.clone(),
            type_sql,
            nullable: c.nullable,
            default_sql,
            autoincrement: c.autoincrement,
            inline_pk: if rowid_pk {
                table.and_then(|t| t.primary_key()).map(|(n, _)| n.to_string())
            } else {
                None
            },
            check_sql,
            comment: c.comment.clone(),
        }
    }

    /// The table's definition; `skip_fk_to` leaves out foreign keys to tables not yet created.
    pub fn table_ctx(&mut self, t: &Table, name: &str, span: Span, keep_fk: &dyn Fn(&ForeignKey) -> bool) -> TableCtx {
        let columns = t.columns.values().map(|c| Arc::new(self.col_ctx(c, Some(t), span))).collect::<Vec<_>>();
        let inline_pk = columns.iter().any(|c| c.inline_pk.is_some());
        let constraints = t
            .constraints
            .iter()
            .filter(|c| !(inline_pk && matches!(c, Constraint::PrimaryKey { .. })))
            .filter(|c| match c {
                Constraint::ForeignKey(fk) => keep_fk(fk),
                _ => true,
            })
            .map(con_ctx)
            .collect();
        let options = t.options.as_ref().and_then(|o| {
            o.0.get(self.d.key())
                .or_else(|| if self.d.key() == "mariadb" { o.0.get("mysql") } else { None })
                .cloned()
        });
        TableCtx {
            name: name.to_string(),
            columns,
            constraints,
            comment: t.comment.clone(),
            options,
        }
    }

    fn create_enums(&mut self, types: &[ColumnType], span: Span) {
        if self.d.data.enum_style != "type" {
            return;
        }
        for t in types {
            if let ColumnType::Enum(e) = t {
                self.push("create_enum.sql", ctx! { name => &e.name, values => e.values.clone() }, span);
            }
        }
    }

    fn drop_enums(&mut self, names: &[String], span: Span) {
        if self.d.data.enum_style != "type" {
            return;
        }
        for name in names {
            self.push("drop_enum.sql", ctx! { name }, span);
        }
    }

    fn column_comments(&mut self, table: &str, cols: &[&Column], span: Span) {
        if self.d.data.comments != "statement" {
            return;
        }
        for c in cols {
            if let Some(comment) = &c.comment {
                self.push("comment_column.sql", ctx! { table, column => &c.name, comment }, span);
            }
        }
    }

    /// Before an operation is applied: flush what it must follow, and keep
    /// the table's state in case the change needs a rebuild.
    pub fn pre(&mut self, op: &Op, schema: &Schema) {
        self.type_spans = match op {
            Op::CreateTable(t) => t.columns.iter().map(|c| (c.name.v.clone(), c.ty.span)).collect(),
            Op::AddColumn { column, .. } => vec![(column.name.v.clone(), column.ty.span)],
            Op::AlterColumn(a) => a.ty.iter().map(|t| (a.column.v.clone(), t.span)).collect(),
            _ => vec![],
        };
        if !self.rebuilds() {
            return;
        }
        self.snapshot = None;
        match op {
            Op::CreateTable(_) | Op::DropTable { .. } | Op::RenameTable { .. } | Op::BulkInsert { .. } | Op::DeleteRows { .. } => {
                if let Some(t) = op.table() {
                    self.flush(t, schema);
                }
                if let Op::RenameTable { new_name, .. } = op {
                    self.flush(&new_name.v, schema);
                }
            }
            Op::CreateView { .. } | Op::DropView { .. } | Op::Execute { .. } => self.flush_all(schema),
            Op::DropIndex { name, .. } => {
                self.snapshot = schema.index_table(&name.v).map(column_names);
            }
            _ => {
                if let Some(t) = op.table() {
                    if !self.groups.contains_key(t) {
                        self.snapshot = schema.tables.get(t).map(column_names);
                    }
                }
            }
        }
    }

    /// MySQL refuses a CHECK on a column that a foreign key with a
    /// referential action (CASCADE, SET NULL, SET DEFAULT) uses, and the
    /// other way round (error 3823, MariaDB 1901):
    /// https://dev.mysql.com/doc/refman/8.0/en/create-table-check-constraints.html
    fn check_against_fk_actions(&mut self, t: &Table, span: Span) {
        let acting: Vec<&String> = t
            .constraints
            .iter()
            .filter_map(|c| match c {
                Constraint::ForeignKey(fk)
                    if [fk.on_delete, fk.on_update]
                        .iter()
                        .any(|a| matches!(a, Some(FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault))) =>
                {
                    Some(&fk.columns)
                }
                _ => None,
            })
            .flatten()
            .collect();
        for c in &t.constraints {
            if let Constraint::Check { name, expr } = c {
                let words = crate::sqlwords::identifiers(expr);
                if let Some(col) = acting.iter().find(|col| words.iter().any(|w| w == **col)) {
                    self.fail(
                        span,
                        format!(
                            "check `{name}` of `{}` uses `{col}`, which a foreign key with a referential action uses; {} refuses that",
                            t.name,
                            self.d.key()
                        ),
                    );
                }
            }
        }
    }

    /// Whether SQLite's ALTER TABLE can make this change in place.
    fn native(&self, change: &Change, schema: &Schema) -> bool {
        match change {
            Change::AddColumn { column, constraints, .. } => {
                let constant_default = !matches!(column.default, Some(Value::Current(_)) | Some(Value::Sql(_)));
                let fk_ok = constraints.iter().all(|c| matches!(c, Constraint::ForeignKey(_)))
                    && column.default.as_ref().is_none_or(|v| *v == Value::Null || constraints.is_empty());
                constant_default && fk_ok && (column.nullable || column.default.as_ref().is_some_and(|v| *v != Value::Null))
            }
            Change::DropColumn {
                table, constraints, column, ..
            } => {
                self.d.can("drop_column")
                    && constraints.is_empty()
                    && !schema.views.values().any(|v| v.depends_on.contains(table))
                    && !schema.triggers.values().any(|t| &t.table == table)
                    && !schema.tables.get(table).is_some_and(|t| {
                        t.indexes
                            .iter()
                            .any(|i| i.where_.as_ref().is_some_and(|w| crate::sqlwords::identifiers(w).contains(&column.name)))
                    })
            }
            Change::RenameColumn { .. } => self.d.can("rename_column"),
            Change::AlterColumn { old, new, .. } => old.ty == new.ty && old.nullable == new.nullable && old.default == new.default,
            Change::AddConstraint { .. } | Change::DropConstraint { .. } => self.d.data.add_constraint,
            _ => true,
        }
    }

    /// After an operation is applied.
    pub fn post(&mut self, change: Change, span: Span, warning: Option<String>, schema: &Schema) {
        let grown = match &change {
            Change::CreateTable { name, .. } => Some(name.as_str()),
            Change::AddColumn { table, .. } => Some(table.as_str()),
            _ => None,
        };
        let constrained = match &change {
            Change::CreateTable { name, .. } => Some(name.as_str()),
            Change::AddColumn { table, .. } | Change::AddConstraint { table, .. } => Some(table.as_str()),
            _ => None,
        };
        if let Some(t) = constrained
            .and_then(|t| schema.tables.get(t))
            .filter(|_| self.d.data.check_excludes_fk_action_columns)
        {
            self.check_against_fk_actions(t, span);
        }
        if let (Some(max), Some(t)) = (self.d.data.max_columns, grown.and_then(|t| schema.tables.get(t))) {
            if t.columns.len() > max {
                self.fail(
                    span,
                    format!("table `{}` would have {} columns; {} allows {max}", t.name, t.columns.len(), self.d.key()),
                );
            }
        }
        if self.rebuilds() {
            if let Some(t) = change.altered_table().map(str::to_string) {
                if let Some(g) = self.groups.get_mut(&t) {
                    g.changes.push((change, span));
                    if let Some(w) = warning {
                        self.pending_warnings.push(w);
                    }
                    return;
                }
                if !self.native(&change, schema) {
                    let before = self.snapshot.take().unwrap_or_else(|| column_names(&schema.tables[&t]));
                    self.groups.insert(
                        t,
                        Group {
                            before,
                            changes: vec![(change, span)],
                        },
                    );
                    if let Some(w) = warning {
                        self.pending_warnings.push(w);
                    }
                    return;
                }
            }
        }
        let n = self.steps.len();
        self.emit(&change, span, schema);
        if self.steps.len() > n {
            self.warn_last_first(n, warning);
        }
    }

    fn warn_last_first(&mut self, first: usize, w: Option<String>) {
        if let Some(w) = w {
            let s = &mut self.steps[first];
            s.warning = Some(match &s.warning {
                Some(prev) => format!("{w}; {prev}"),
                None => w,
            });
        }
    }

    pub fn flush_all(&mut self, schema: &Schema) {
        let names: Vec<String> = self.groups.keys().cloned().collect();
        for n in names {
            self.flush(&n, schema);
        }
    }

    fn flush(&mut self, table: &str, schema: &Schema) {
        let Some(g) = self.groups.shift_remove(table) else { return };
        let Some(after) = schema.tables.get(table) else { return };
        self.rebuild(&g, after, schema);
    }
}

impl Planner<'_> {
    /// Emits a change with the dialect's native statements.
    fn emit(&mut self, change: &Change, span: Span, schema: &Schema) {
        let d = self.d;
        match change {
            Change::CreateTable { name, new_enums } => {
                // Emitted as soon as replayed: the schema holds it as created.
                let Some(table) = schema.tables.get(name) else { return };
                self.create_enums(new_enums, span);
                let t = self.table_ctx(table, &table.name, span, &|_| true);
                self.push("create_table.sql", ctx! { t }, span);
                self.column_comments(&table.name, &table.columns.values().collect::<Vec<_>>(), span);
                if let (Some(c), "statement") = (&table.comment, d.data.comments.as_str()) {
                    self.push("comment_table.sql", ctx! { table => &table.name, comment => c }, span);
                }
                for i in &table.indexes {
                    self.create_index(&table.name, i, false, span);
                }
            }
            Change::DropTable { table, dropped_enums } => {
                self.push("drop_table.sql", ctx! { table => &table.name }, span);
                self.warn_last(Some(format!("drops table `{}` and every row in it", table.name)));
                self.drop_enums(dropped_enums, span);
            }
            Change::RenameTable { from, to } => self.push("rename_table.sql", ctx! { from, to }, span),
            Change::AddColumn {
                table,
                column,
                constraints,
                new_enums,
            } => {
                self.create_enums(new_enums, span);
                let t = schema.tables.get(table);
                let c = self.col_ctx(column, t, span);
                // SQLite can only add a foreign key with the column, inline.
                let (inline, separate): (Vec<&Constraint>, Vec<&Constraint>) = constraints.iter().partition(|_| !d.data.add_constraint);
                let inline: Vec<Ctx> = inline.into_iter().map(con_ctx).collect();
                self.push("add_column.sql", ctx! { table, c, inline }, span);
                for k in separate {
                    self.push("add_constraint.sql", ctx! { table, k => con_ctx(k) }, span);
                }
                self.column_comments(table, &[column], span);
            }
            Change::DropColumn {
                table,
                column,
                constraints,
                indexes,
                dropped_enums,
            } => {
                // Foreign keys first: MySQL refuses to drop an index that one of
                // them still uses (error 1553).
                for k in constraints {
                    let generic_drop = d.can("drop_constraint");
                    self.push("drop_constraint.sql", ctx! { table, k => con_ctx(k), generic_drop }, span);
                }
                for i in indexes {
                    self.push("drop_index.sql", ctx! { i => idx_ctx(table, i, false) }, span);
                }
                self.push("drop_column.sql", ctx! { table, column => &column.name }, span);
                self.warn_last(Some(format!("drops column `{table}`.`{}` and its data", column.name)));
                self.drop_enums(dropped_enums, span);
            }
            Change::RenameColumn { table, from, to, column } => {
                if d.can("rename_column") {
                    self.push("rename_column.sql", ctx! { table, from, to }, span);
                } else {
                    // MySQL before 8.0 / MariaDB before 10.5: CHANGE with the full definition.
                    let c = self.col_ctx(column, schema.tables.get(table), span);
                    self.push("change_column.sql", ctx! { table, from, c }, span);
                }
            }
            Change::AlterColumn {
                table,
                old,
                new,
                backfill,
                new_enums,
                dropped_enums,
            } => {
                self.create_enums(new_enums, span);
                if let Some(b) = backfill {
                    match d.value_sql(b, Some(&new.ty)) {
                        Ok(value) => self.push("backfill.sql", ctx! { table, column => &new.name, value }, span),
                        Err(e) => self.fail(span, e),
                    }
                }
                let c = self.col_ctx(new, schema.tables.get(table), span);
                let mut type_changed = old.ty != new.ty;
                if let (ColumnType::Enum(e1), ColumnType::Enum(e2)) = (&old.ty, &new.ty) {
                    let (n1, v1, n2, v2) = (&e1.name, &e1.values, &e2.name, &e2.values);
                    if n1 == n2 && d.data.enum_style == "type" {
                        // The same named type with other values: ALTER TYPE, not ALTER COLUMN.
                        type_changed = false;
                        self.extend_enum(n1, v1, v2, span);
                    }
                }
                let using = type_changed.then(|| format!("{}::{}", d.ident(&new.name), c.type_sql));
                let ctx = ctx! {
                    table, c, type_changed, using,
                    nullable_changed => old.nullable != new.nullable,
                    default_changed => old.default != new.default,
                    comment_changed => old.comment != new.comment,
                };
                if type_changed || old.nullable != new.nullable || old.default != new.default || (old.comment != new.comment && d.data.comments == "inline") {
                    self.push("alter_column.sql", ctx, span);
                    if type_changed && narrows(&old.ty, &new.ty) {
                        self.warn_last(Some(format!(
                            "changes `{table}`.`{}` from {} to {}: values that do not fit are changed or refused",
                            new.name,
                            old.ty.neutral(),
                            new.ty.neutral()
                        )));
                    }
                }
                if old.comment != new.comment && d.data.comments == "statement" {
                    self.push(
                        "comment_column.sql",
                        ctx! { table, column => &new.name, comment => new.comment.as_deref() },
                        span,
                    );
                }
                self.drop_enums(dropped_enums, span);
            }
            Change::CreateIndex { table, index, concurrently } => self.create_index(table, index, *concurrently, span),
            Change::DropIndex { table, index, concurrently } => {
                self.keep_foreign_key_index(table, &index.columns, schema, span);
                let concurrently = *concurrently && self.d.data.concurrent_indexes;
                self.push("drop_index.sql", ctx! { i => idx_ctx(table, index, concurrently) }, span);
                if concurrently {
                    if let Some(s) = self.steps.last_mut() {
                        s.placement = Placement::OutsideTransaction;
                    }
                }
            }
            Change::AddConstraint { table, constraint } => {
                if matches!(constraint, Constraint::Check { .. }) && !d.can("check_constraints") {
                    self.push("add_constraint.sql", ctx! { table, k => con_ctx(constraint) }, span);
                    self.warn_last(Some(format!("{} {} parses CHECK constraints but does not enforce them", d.key(), d.version)));
                } else {
                    self.push("add_constraint.sql", ctx! { table, k => con_ctx(constraint) }, span);
                }
            }
            Change::DropConstraint { table, constraint } => {
                if let Constraint::Unique { columns, .. } | Constraint::PrimaryKey { columns, .. } = constraint {
                    self.keep_foreign_key_index(table, columns, schema, span);
                }
                let generic_drop = d.can("drop_constraint");
                self.push("drop_constraint.sql", ctx! { table, k => con_ctx(constraint), generic_drop }, span);
            }
            Change::CreateView { view } => match view.sql.get(d.key()) {
                Some(sql) => self.push("create_view.sql", ctx! { name => &view.name, sql => sql.trim().trim_end_matches(';') }, span),
                None => self.fail(span, format!("view `{}` has no SQL for {} and no `default`", view.name, d.key())),
            },
            Change::DropView { view } => self.push("drop_view.sql", ctx! { name => &view.name }, span),
            Change::Execute { sql } => match sql.get(d.key()) {
                Some("") => {}
                Some(text) => {
                    let compound = crate::sqlwords::identifiers(text).iter().any(|w| w.eq_ignore_ascii_case("BEGIN"));
                    self.push("execute.sql", ctx! { sql => text.trim().trim_end_matches(';'), compound }, span);
                    if self.rebuilds() && !schema.tables.is_empty() {
                        // Nothing is lost here, but a later rebuild cannot know what this did.
                    }
                }
                None => self.fail(
                    span,
                    format!("this execute has no SQL for {} and no `default` (use \"\" to skip a dialect)", d.key()),
                ),
            },
            Change::Insert { table, columns, rows, .. } => self.insert(table, columns, rows, schema, span),
            Change::Delete { table, key, rows } => {
                let cols = schema.tables.get(table);
                let mut conds = vec![];
                for r in rows {
                    let mut parts = vec![];
                    for (k, v) in key.iter().zip(r) {
                        let ty = cols.and_then(|t| t.columns.get(k)).map(|c| &c.ty);
                        match d.value_sql(v, ty) {
                            Ok(s) => parts.push(format!("{} = {s}", d.ident(k))),
                            Err(e) => self.fail(span, e),
                        }
                    }
                    conds.push(parts.join(" AND "));
                }
                self.push("delete_rows.sql", ctx! { table, conds }, span);
            }
        }
    }

    /// New values of a named enum type; PostgreSQL cannot remove one.
    /// https://www.postgresql.org/docs/current/sql-altertype.html
    fn extend_enum(&mut self, name: &str, old: &[String], new: &[String], span: Span) {
        if let Some(gone) = old.iter().find(|v| !new.contains(v)) {
            self.fail(
                span,
                format!(
                    "enum type `{name}` would lose the value `{gone}`, which {} cannot remove from a type",
                    self.d.key()
                ),
            );
            return;
        }
        for (i, v) in new.iter().enumerate().filter(|(_, v)| !old.contains(v)) {
            let after = i.checked_sub(1).map(|p| new[p].clone());
            let before = new.get(i + 1).cloned();
            self.push("enum_add_value.sql", ctx! { name, value => v, after, before }, span);
            if !self.d.can("enum_add_value_in_transaction") {
                if let Some(s) = self.steps.last_mut() {
                    s.placement = Placement::OutsideTransaction;
                }
            }
        }
    }

    /// MySQL needs an index on a foreign key's columns at every moment, and
    /// refuses to drop the last one (error 1553); the index it made for the key
    /// itself may be gone, replaced by the one being dropped. Before such a
    /// drop, an index named after the foreign key is created, as MySQL would.
    /// https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html
    fn keep_foreign_key_index(&mut self, table: &str, dropped: &[String], schema: &Schema, span: Span) {
        if !self.d.data.foreign_key_needs_index {
            return;
        }
        let Some(t) = schema.tables.get(table) else { return };
        let covers = |cols: &[String], fk: &ForeignKey| cols.len() >= fk.columns.len() && cols[..fk.columns.len()] == fk.columns[..];
        let kept = |fk: &ForeignKey| {
            t.indexes.iter().any(|i| covers(&i.columns, fk))
                || t.constraints.iter().any(|c| match c {
                    Constraint::Unique { columns, .. } | Constraint::PrimaryKey { columns, .. } => covers(columns, fk),
                    _ => false,
                })
        };
        let needed: Vec<ForeignKey> = t.foreign_keys().filter(|fk| covers(dropped, fk) && !kept(fk)).cloned().collect();
        for fk in needed {
            let index = Index {
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                unique: false,
                where_: None,
            };
            self.push("create_index.sql", ctx! { i => idx_ctx(table, &index, false) }, span);
        }
    }

    fn create_index(&mut self, table: &str, i: &Index, concurrently: bool, span: Span) {
        if i.where_.is_some() && !self.d.data.partial_indexes {
            self.fail(
                span,
                format!("index `{}` is partial (`where`), which {} does not support", i.name, self.d.key()),
            );
            return;
        }
        let concurrently = concurrently && self.d.data.concurrent_indexes;
        self.push("create_index.sql", ctx! { i => idx_ctx(table, i, concurrently) }, span);
        if concurrently {
            if let Some(s) = self.steps.last_mut() {
                s.placement = Placement::OutsideTransaction;
            }
        }
    }

    fn insert(&mut self, table: &str, columns: &[Column], rows: &[Vec<Option<Value>>], schema: &Schema, span: Span) {
        let d = self.d;
        // Rows that name the same columns go in one INSERT; a column a row leaves out gets its default.
        let mut i = 0;
        while i < rows.len() {
            let shape: Vec<bool> = rows[i].iter().map(|v| v.is_some()).collect();
            let mut j = i;
            let mut values = vec![];
            while j < rows.len() && rows[j].iter().map(|v| v.is_some()).collect::<Vec<_>>() == shape {
                let mut vals = vec![];
                for (c, v) in columns.iter().zip(&rows[j]) {
                    if let Some(v) = v {
                        match d.value_sql(v, Some(&c.ty)) {
                            Ok(s) => vals.push(s),
                            Err(e) => self.fail(span, e),
                        }
                    }
                }
                values.push(vals);
                j += 1;
            }
            let cols: Vec<String> = columns.iter().zip(&shape).filter(|(_, s)| **s).map(|(c, _)| c.name.clone()).collect();
            let identity: Option<&str> = columns.iter().zip(&shape).find(|(c, s)| **s && c.autoincrement).map(|(c, _)| c.name.as_str());
            let _ = schema;
            self.push("insert.sql", ctx! { table, columns => cols, values, identity }, span);
            i = j;
        }
    }

    /// The SQLite table rebuild: one per table per group of changes (SPEC 5).
    fn rebuild(&mut self, g: &Group, after: &Table, schema: &Schema) {
        let span = g.changes.first().map(|c| c.1).unwrap_or_default();
        let d = self.d;
        let table = after.name.clone();
        // Where each new column's value comes from.
        let mut source: IndexMap<String, Option<String>> = g.before.iter().map(|c| (c.clone(), Some(c.clone()))).collect();
        let mut cast: Vec<String> = vec![];
        let mut backfill: IndexMap<String, Value> = IndexMap::new();
        let mut new_enums = vec![];
        let mut dropped_enums = vec![];
        for (c, _) in &g.changes {
            match c {
                Change::AddColumn { column, new_enums: e, .. } => {
                    source.insert(column.name.clone(), None);
                    cast.retain(|c| *c != column.name);
                    backfill.shift_remove(&column.name);
                    new_enums.extend(e.clone());
                }
                Change::DropColumn { column, dropped_enums: e, .. } => {
                    source.shift_remove(&column.name);
                    cast.retain(|c| *c != column.name);
                    backfill.shift_remove(&column.name);
                    dropped_enums.extend(e.clone());
                }
                Change::RenameColumn { from, to, .. } => {
                    if let Some(i) = source.get_index_of(from) {
                        let (_, src) = source.shift_remove_index(i).expect("index exists");
                        source.shift_insert(i, to.clone(), src);
                    }
                    // A cast or a backfill asked for before the rename follows the column.
                    cast.iter_mut().filter(|c| *c == from).for_each(|c| *c = to.clone());
                    if let Some(b) = backfill.shift_remove(from) {
                        backfill.insert(to.clone(), b);
                    }
                }
                Change::AlterColumn {
                    old,
                    new,
                    backfill: b,
                    new_enums: e,
                    dropped_enums: de,
                    ..
                } => {
                    if old.ty != new.ty {
                        cast.push(new.name.clone());
                    }
                    if let Some(b) = b {
                        backfill.insert(new.name.clone(), b.clone());
                    }
                    new_enums.extend(e.clone());
                    dropped_enums.extend(de.clone());
                }
                _ => {}
            }
        }
        let mut temp = format!("_schemac_new_{table}");
        let mut n = 2;
        while schema.tables.contains_key(&temp) || schema.views.contains_key(&temp) {
            temp = format!("_schemac_new_{table}_{n}");
            n += 1;
        }
        let temp = crate::naming::shorten(&temp);
        let t = self.table_ctx(after, &temp, span, &|_| true);
        let mut insert_cols = vec![];
        let mut select_exprs = vec![];
        for col in after.columns.values() {
            let Some(Some(src)) = source.get(&col.name) else { continue };
            let mut expr = d.ident(src);
            if cast.contains(&col.name) {
                let ty = t.columns.iter().find(|c| c.name == col.name).map(|c| c.type_sql.clone()).unwrap_or_default();
                expr = format!("CAST({expr} AS {ty})");
            }
            if let Some(b) = backfill.get(&col.name) {
                match d.value_sql(b, Some(&col.ty)) {
                    Ok(v) => expr = format!("COALESCE({expr}, {v})"),
                    Err(e) => self.fail(span, e),
                }
            }
            insert_cols.push(col.name.clone());
            select_exprs.push(expr);
        }
        let indexes: Vec<Ctx> = after.indexes.iter().map(|i| idx_ctx(&table, i, false)).collect();
        let triggers: Vec<String> = schema
            .triggers
            .values()
            .filter(|tr| tr.table == table)
            .filter_map(|tr| tr.sql.get(d.key()).or_else(|| tr.sql.get("default")).cloned())
            .collect();
        let views: Vec<Ctx> = schema
            .dependent_views(&table)
            .into_iter()
            .filter_map(|v| v.sql.get(d.key()).map(|sql| ctx! { name => &v.name, sql => sql.trim().trim_end_matches(';') }))
            .collect();
        let views_rev: Vec<Ctx> = views.iter().rev().cloned().collect();
        let ctx = ctx! {
            table => &table, temp, t, insert_cols, select_exprs, indexes, triggers, views, views_rev,
        };
        let mut warnings: Vec<String> = std::mem::take(&mut self.pending_warnings);
        warnings.insert(
            0,
            format!("rebuilds table `{table}` (SQLite cannot ALTER this in place): rows are copied, indexes, triggers and views re-created"),
        );
        for o in schema
            .opaque
            .iter()
            .filter(|o| o.tables.contains(&table) && (o.dialect == d.key() || o.dialect == "default"))
        {
            warnings.push(format!(
                "an execute (`{}`) touched `{table}` in a way schemac does not track; what it created on the table may be lost",
                o.sql
            ));
        }
        self.steps.push(Step {
            template: "rebuild.sql",
            ctx,
            warning: Some(warnings.join("; ")),
            placement: Placement::InTransaction,
            foreign_keys_off: true,
            span,
        });
        let _ = (new_enums, dropped_enums);
    }

    /// The whole schema created directly, for create_schema.
    pub fn create_schema(&mut self, schema: &Schema, span: Span) {
        let mut created: Vec<&str> = vec![];
        let mut later: Vec<(String, Constraint)> = vec![];
        let mut enums: Vec<ColumnType> = vec![];
        for t in schema.tables.values() {
            for c in t.columns.values() {
                if let ColumnType::Enum(this) = &c.ty {
                    if !enums.iter().any(|e| matches!(e, ColumnType::Enum(e) if e.name == this.name)) {
                        enums.push(c.ty.clone());
                    }
                }
            }
        }
        self.create_enums(&enums, span);
        for t in schema.tables.values() {
            let inline_all = !self.d.data.add_constraint;
            let known: Vec<String> = created.iter().map(|s| s.to_string()).collect();
            let name = t.name.clone();
            let ctx = self.table_ctx(t, &t.name, span, &|fk| inline_all || fk.ref_table == name || known.contains(&fk.ref_table));
            for fk in t.foreign_keys() {
                if !(inline_all || fk.ref_table == t.name || created.contains(&fk.ref_table.as_str())) {
                    later.push((t.name.clone(), Constraint::ForeignKey(fk.clone())));
                }
            }
            self.push("create_table.sql", ctx! { t => ctx }, span);
            self.column_comments(&t.name, &t.columns.values().collect::<Vec<_>>(), span);
            for i in &t.indexes {
                self.create_index(&t.name, i, false, span);
            }
            created.push(&t.name);
        }
        for (table, k) in later {
            self.push("add_constraint.sql", ctx! { table, k => con_ctx(&k) }, span);
        }
        for v in schema.views.values() {
            self.emit(&Change::CreateView { view: v.clone() }, span, schema);
        }
    }
}
