//! Stage 3, replay: applies operations to the schema model, checking each
//! against the schema before it, and returns a resolved `Change` that
//! carries everything later stages need (full definitions of what was
//! dropped or altered). `inverse` derives a downgrade from a change. All
//! semantic validation lives here; planning may assume a valid model.

pub mod inverse;
pub mod model;
pub mod rawsql;
pub mod sqltext;
pub mod uses;

use crate::base::codes::{self, Code};
use crate::base::diag::{Diagnostic, Sp, Span};
use crate::base::naming::{Naming, MAX_NAME};
use crate::replay::model::*;
use crate::vocab::ops::*;
use std::sync::Arc;

/// A resolved operation: what happened to the model, with full definitions.
// Changes live one at a time between replay and plan; boxing would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The table is in the schema (not copied here: a created table is
    /// often the largest thing a revision makes).
    CreateTable {
        name: String,
        new_enums: Vec<ColumnType>,
    },
    DropTable {
        table: Arc<Table>,
        dropped_enums: Vec<String>,
        /// The sequences its columns owned, dropped with it (SPEC 9).
        sequences: Vec<Sequence>,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
        constraints: Vec<Constraint>,
        new_enums: Vec<ColumnType>,
        /// Written into the existing rows before the column becomes NOT NULL.
        backfill: Option<Value>,
    },
    DropColumn {
        table: String,
        column: Column,
        constraints: Vec<Constraint>,
        indexes: Vec<Index>,
        dropped_enums: Vec<String>,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
        column: Column,
    },
    AlterColumn {
        table: String,
        old: Column,
        new: Column,
        backfill: Option<Value>,
        new_enums: Vec<ColumnType>,
        dropped_enums: Vec<String>,
        /// How the new value is computed from the old (SPEC 9): `using`, or
        /// the enum values an `alter_enum` rewrites.
        using: Option<Using>,
        /// The check of the non-native enum the column leaves (dropped
        /// first) and of the one it becomes (added last).
        drop_check: Option<Constraint>,
        add_check: Option<Constraint>,
    },
    /// `alter_enum` (SPEC 9): one enum type's values changed, with each
    /// column that uses it, before and after.
    AlterEnum {
        name: String,
        native: bool,
        old: Vec<String>,
        new: Vec<String>,
        /// Old value to new: the renames, then `map` (rows rewritten).
        renamed: Vec<(String, String)>,
        mapped: Vec<(String, String)>,
        uses: Vec<EnumUse>,
    },
    CreateIndex {
        table: String,
        index: Index,
        concurrently: bool,
    },
    DropIndex {
        table: String,
        index: Index,
        concurrently: bool,
    },
    AddConstraint {
        table: String,
        constraint: Constraint,
        /// The columns a new primary key made NOT NULL (they were nullable
        /// before it): its derived downgrade makes them nullable again.
        made_not_null: Vec<String>,
    },
    DropConstraint {
        table: String,
        constraint: Constraint,
        /// The columns of a dropped primary key that were autoincrement, as
        /// they were: they are no longer (MySQL has an AUTO_INCREMENT column
        /// only as a key, error 1075), and the derived downgrade makes them so again.
        autoincrement: Vec<Column>,
    },
    CreateView {
        view: View,
    },
    DropView {
        view: View,
    },
    Execute {
        sql: PerDialect,
    },
    Insert {
        table: String,
        columns: Vec<Column>,
        rows: Vec<Vec<Option<Value>>>,
        key: Option<Vec<String>>,
    },
    Delete {
        table: String,
        key: Vec<String>,
        rows: Vec<Vec<Value>>,
    },
    /// `index` is the index under its new name.
    RenameIndex {
        table: String,
        from: String,
        index: Index,
    },
    RenameConstraint {
        table: String,
        old: Constraint,
        new: Constraint,
    },
    /// A table's comment changed (`None`: no comment).
    AlterTable {
        table: String,
        old: Option<String>,
        new: Option<String>,
    },
    CreateNamespace {
        name: String,
    },
    DropNamespace {
        name: String,
    },
    CreateSequence {
        seq: Sequence,
    },
    DropSequence {
        seq: Sequence,
    },
    /// `old` is the sequence before; `restart` and `increment` what changed.
    AlterSequence {
        old: Sequence,
        restart: Option<i64>,
        increment: Option<i64>,
    },
}

/// A column that uses an enum `alter_enum` changes: the column before and
/// after, and (non-native) the check before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumUse {
    pub table: String,
    pub old: Column,
    pub new: Column,
    pub old_check: Option<Constraint>,
    pub new_check: Option<Constraint>,
}

impl Change {
    /// The table a change alters in place (not created, dropped or renamed).
    pub fn altered_table(&self) -> Option<&str> {
        match self {
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddConstraint { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::RenameIndex { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::AlterTable { table, .. } => Some(table),
            Change::CreateTable { .. }
            | Change::DropTable { .. }
            | Change::RenameTable { .. }
            | Change::CreateView { .. }
            | Change::DropView { .. }
            | Change::Execute { .. }
            | Change::Insert { .. }
            | Change::Delete { .. }
            | Change::AlterEnum { .. }
            | Change::CreateNamespace { .. }
            | Change::DropNamespace { .. }
            | Change::CreateSequence { .. }
            | Change::DropSequence { .. }
            | Change::AlterSequence { .. } => None,
        }
    }
}

type R<T> = Result<T, Diagnostic>;

/// A change with the model facts its planning needs about the moment it
/// was made, so that the planner is a function of a revision's changes and
/// never reads the schema in the middle of a revision.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub change: Change,
    /// The operation's place in its file.
    pub span: Span,
    /// Set on an operation of a derived downgrade that cannot restore everything.
    pub loses: Option<String>,
    /// Where the operation wrote each column's type, for diagnostics.
    pub type_spans: Vec<(String, Span)>,
    /// Where the operation wrote each index option (`method`, `length`, ...),
    /// for the planner's diagnostics at the key.
    pub key_spans: Vec<(&'static str, Span)>,
    /// The tables the change wrote, as it left them (shared, not copied):
    /// first the one it concerns, then any whose foreign keys it renamed.
    pub tables: Vec<Arc<Table>>,
    /// For a change to a table in place: what else in the schema depends on it.
    pub dependents: Dependents,
    /// Warnings of the operation (SQL text it could not read, SPEC 10.2).
    pub notes: Vec<Diagnostic>,
    /// For an `alter_enum`: the same, for each table it changes.
    pub enum_dependents: Vec<(String, Dependents)>,
}

/// What depends on one table: what a SQLite rebuild of it must carry.
#[derive(Clone, Debug, Default)]
pub struct Dependents {
    /// Views on the table, directly or through other views, in creation order.
    pub views: Vec<View>,
    /// Triggers on the table.
    pub triggers: Vec<Trigger>,
    /// Triggers on other tables whose text names the table (SPEC 10.6).
    pub naming_triggers: Vec<Trigger>,
    /// Unclassified DDL from `execute` that names the table.
    pub opaque: Vec<OpaqueDdl>,
    /// The other tables that hold a foreign key to it.
    pub referrers: Vec<String>,
    /// Those foreign keys, with the table that holds each.
    pub referring_keys: Vec<(String, ForeignKey)>,
}

impl Dependents {
    fn of(schema: &Schema, table: &str) -> Dependents {
        Dependents {
            views: schema.dependent_views(table).into_iter().cloned().collect(),
            triggers: schema.triggers.values().filter(|tr| tr.table == table).cloned().collect(),
            naming_triggers: schema
                .triggers
                .values()
                .filter(|tr| tr.table != table && tr.sql.iter().any(|(k, text)| sqltext::trigger_names_table(k, text, table)))
                .cloned()
                .collect(),
            opaque: schema.opaque.iter().filter(|o| o.tables.iter().any(|t| t == table)).cloned().collect(),
            referrers: schema.referrers(table).fold(vec![], |mut names, (holder, _)| {
                if holder.name != table && !names.contains(&holder.name) {
                    names.push(holder.name.clone());
                }
                names
            }),
            referring_keys: schema
                .referrers(table)
                .filter(|(holder, _)| holder.name != table)
                .map(|(holder, fk)| (holder.name.clone(), fk.clone()))
                .collect(),
        }
    }
}

/// `table` has no constraint `name`: the ones it has, and the operation to
/// use (`instead`) when `name` is one of its indexes.
fn no_constraint(t: &Table, table: &Sp<String>, name: &Sp<String>, instead: &str) -> Diagnostic {
    let names: Vec<&str> = t.constraints.iter().map(|c| c.name()).collect();
    let mut d = err(
        codes::NO_SUCH_CONSTRAINT,
        name.span,
        format!("table `{}` has no constraint `{}`", table.v, name.v),
        "no such constraint",
    );
    if !names.is_empty() {
        d = d.help(format!("`{}` has: {}", table.v, names.join(", ")));
    }
    if t.indexes.iter().any(|i| i.name == name.v) {
        d = d.help(format!("`{}` is an index: use {instead}", name.v));
    }
    d
}

fn err(code: Code, span: Span, msg: String, label: &str) -> Diagnostic {
    Diagnostic::error(code, msg).at(span, label.to_string())
}

fn table_mut<'a>(schema: &'a mut Schema, name: &Sp<String>) -> R<&'a mut Table> {
    let known: Vec<String> = if schema.tables.contains_key(&name.v) {
        vec![]
    } else {
        schema.tables.keys().cloned().collect()
    };
    schema.table_mut(&name.v).ok_or_else(|| no_table(name, &known))
}

fn no_table(name: &Sp<String>, known: &[String]) -> Diagnostic {
    let mut d = err(
        codes::NO_SUCH_TABLE,
        name.span,
        format!("table `{}` does not exist", name.v),
        "no such table at this revision",
    );
    let refs: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
    if let Some(s) = crate::base::suggest::closest(&name.v, &refs) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

/// The schema a qualified name is in must have been created (SPEC 9).
fn check_namespace(schema: &Schema, name: &Sp<String>) -> R<()> {
    match crate::base::naming::schema_of(&name.v) {
        Some(ns) if !schema.namespaces.contains_key(ns) => Err(err(
            codes::NO_SUCH_NAMESPACE,
            name.span,
            format!("schema `{ns}` does not exist"),
            "no such schema at this revision",
        )
        .help("create it first with create_namespace")),
        _ => Ok(()),
    }
}

/// A `{ next = "seq" }` default must name an existing sequence.
fn check_next(schema: &Schema, default: Option<&Sp<Value>>) -> R<()> {
    match default {
        Some(Sp { v: Value::Next(seq), span }) if !schema.sequences.contains_key(seq) => no_sequence(schema, &Sp::new(seq.clone(), *span)).map(|_| ()),
        _ => Ok(()),
    }
}

fn no_sequence<'a>(schema: &'a Schema, name: &Sp<String>) -> R<&'a Sequence> {
    schema.sequences.get(&name.v).ok_or_else(|| {
        let mut d = err(
            codes::NO_SUCH_SEQUENCE,
            name.span,
            format!("sequence `{}` does not exist", name.v),
            "no such sequence at this revision",
        );
        let known: Vec<&str> = schema.sequences.keys().map(|s| s.as_str()).collect();
        if let Some(s) = crate::base::suggest::closest(&name.v, &known) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        d
    })
}

fn check_column<'a>(table: &'a Table, name: &str, span: Span) -> R<&'a Column> {
    table.columns.get(name).ok_or_else(|| {
        let mut d = err(
            codes::NO_SUCH_COLUMN,
            span,
            format!("column `{name}` does not exist in table `{}`", table.name),
            "no such column",
        );
        let cols: Vec<&str> = table.columns.keys().map(|s| s.as_str()).collect();
        if let Some(s) = crate::base::suggest::closest(name, &cols) {
            d = d.help(format!("did you mean `{s}`?"));
        } else {
            d = d.help(format!("`{}` has: {}", table.name, cols.join(", ")));
        }
        d
    })
}

fn check_name_len(name: &Sp<String>) -> R<()> {
    if crate::base::naming::bare(&name.v).len() > MAX_NAME {
        return Err(err(
            codes::NAME_TOO_LONG,
            name.span,
            format!(
                "name `{}` is {} bytes; names are limited to {MAX_NAME} bytes on every dialect",
                name.v,
                name.v.len()
            ),
            "too long",
        ));
    }
    Ok(())
}

/// Replays operations into a schema.
pub struct Replayer<'a> {
    pub naming: &'a Naming,
    /// The configured version table (empty: none): no user object may take
    /// its name or its key's (SPEC 10.1).
    pub version_table: &'a str,
}

impl Replayer<'_> {
    /// Applies one operation: its checks against the schema before it, then
    /// its effect. One arm per operation, no wildcard, each calling the
    /// function below that holds that operation's checks and effect; on an
    /// error the schema is unchanged.
    pub fn apply(&self, schema: &mut Schema, node: &OpNode) -> R<Change> {
        match &node.op {
            Op::CreateTable(spec) => self.create_table(schema, spec),
            Op::DropTable { table } => self.drop_table(schema, table),
            Op::RenameTable { table, new_name } => self.rename_table(schema, table, new_name),
            Op::AddColumn { table, column, backfill } => self.add_column(schema, table, column, backfill.as_ref(), node.derived.as_ref()),
            Op::DropColumn { table, column } => self.drop_column(schema, table, column),
            Op::RenameColumn { table, column, new_name } => self.rename_column(schema, table, column, new_name),
            Op::AlterColumn(a) => self.alter_column(schema, a, node.derived.as_ref().and_then(|d| d.enum_check.as_deref())),
            Op::CreateIndex { table, index } => self.create_index(schema, table, index),
            Op::DropIndex { name, concurrently } => self.drop_index(schema, name, *concurrently),
            Op::AddConstraint { table, constraint } => self.create_constraint(schema, table, constraint),
            Op::DropConstraint { table, name } => self.drop_constraint(schema, table, name),
            Op::CreateView { name, sql } => self.create_view(schema, name, sql),
            Op::DropView { name } => self.drop_view(schema, name),
            Op::Execute { sql } => self.execute(schema, sql),
            Op::BulkInsert { table, rows } => self.bulk_insert(schema, table, rows),
            Op::DeleteRows { table, key, rows } => self.delete_rows(table, key, rows),
            Op::RenameIndex { name, new_name } => self.rename_index(schema, name, new_name),
            Op::RenameConstraint { table, name, new_name } => self.rename_constraint(schema, table, name, new_name),
            Op::AlterTable { table, comment } => self.alter_table(schema, table, comment),
            Op::AlterEnum(e) => self.alter_enum(schema, e),
            Op::CreateNamespace { name } => self.create_namespace(schema, name),
            Op::DropNamespace { name } => self.drop_namespace(schema, name),
            Op::CreateSequence(spec) => self.create_sequence(schema, spec),
            Op::DropSequence { name } => self.drop_sequence(schema, name),
            Op::AlterSequence { name, restart, increment } => self.alter_sequence(schema, name, *restart, *increment),
        }
    }

    /// Applies one operation (`apply`) and records what planning it needs:
    /// the tables it wrote as they now stand, and what depends on the table
    /// it changed in place.
    pub fn resolve(&self, schema: &mut Schema, node: &OpNode) -> R<Resolved> {
        schema.notes.0.clear();
        let change = self.apply(schema, node)?;
        let notes = std::mem::take(&mut schema.notes.0)
            .into_iter()
            .map(|n| Diagnostic::warning(codes::OPAQUE_SQL_TEXT, n))
            .collect();
        let concerned = match &change {
            Change::CreateTable { name, .. } => Some(name.as_str()),
            Change::RenameTable { to, .. } => Some(to.as_str()),
            Change::Insert { table, .. } | Change::Delete { table, .. } => Some(table.as_str()),
            c => c.altered_table(),
        };
        let mut tables: Vec<Arc<Table>> = concerned.and_then(|n| schema.tables.get(n)).cloned().into_iter().collect();
        // An enum's change writes every table that uses it.
        if let Change::AlterEnum { uses, .. } = &change {
            for u in uses {
                if !tables.iter().any(|t| t.name == u.table) {
                    tables.extend(schema.tables.get(&u.table).cloned());
                }
            }
        }
        // A rename rewrites the foreign keys that name the table or column.
        if let Change::RenameTable { to: t, .. } | Change::RenameColumn { table: t, .. } = &change {
            for (holder, _) in schema.referrers(t) {
                if !tables.iter().any(|h| h.name == holder.name) {
                    tables.extend(schema.tables.get(&holder.name).cloned());
                }
            }
        }
        let dependents = match &change {
            // A rename where the engine leaves views as they were re-creates them.
            Change::RenameTable { to, .. } => Dependents::of(schema, to),
            c => c.altered_table().map(|t| Dependents::of(schema, t)).unwrap_or_default(),
        };
        let enum_dependents = match &change {
            Change::AlterEnum { uses, .. } => tables
                .iter()
                .filter(|t| uses.iter().any(|u| u.table == t.name))
                .map(|t| (t.name.clone(), Dependents::of(schema, &t.name)))
                .collect(),
            _ => vec![],
        };
        let type_spans = match &node.op {
            Op::CreateTable(t) => t.columns.iter().map(|c| (c.name.v.clone(), c.ty.span)).collect(),
            Op::AddColumn { column, .. } => vec![(column.name.v.clone(), column.ty.span)],
            Op::AlterColumn(a) => a.ty.iter().map(|t| (a.column.v.clone(), t.span)).collect(),
            _ => vec![],
        };
        let column_keys = |c: &ColumnSpec| {
            let g = c.generated.as_ref().map(|g| ("generated", g.span));
            g.into_iter().chain(c.collation.as_ref().map(|x| ("collation", x.span)))
        };
        let key_spans = match &node.op {
            Op::CreateTable(t) => t
                .indexes
                .iter()
                .flat_map(|i| i.option_spans.iter().copied())
                .chain(t.columns.iter().flat_map(column_keys))
                .collect(),
            Op::CreateIndex { index, .. } => index.option_spans.clone(),
            Op::AddColumn { column, .. } => column_keys(column).collect(),
            Op::AlterColumn(a) => a
                .using
                .iter()
                .map(|u| ("using", u.span))
                .chain(a.collation.iter().flatten().map(|c| ("collation", c.span)))
                .chain(a.generated.iter().map(|g| ("generated", g.span)))
                .collect(),
            _ => vec![],
        };
        Ok(Resolved {
            change,
            span: node.span,
            loses: node.derived.as_ref().and_then(|d| d.warning.clone()),
            type_spans,
            key_spans,
            tables,
            dependents,
            notes,
            enum_dependents,
        })
    }

    /// Starts a revision: the tables it creates may hold no rows yet (SPEC 10.3).
    pub fn begin_revision(&self, schema: &mut Schema) {
        schema.fresh.0.clear();
    }

    /// A table no foreign key of another table and no view still uses.
    fn drop_table(&self, schema: &mut Schema, table: &Sp<String>) -> R<Change> {
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        if let Some((other, fk)) = schema.referrers(&table.v).find(|(o, _)| o.name != table.v) {
            return Err(err(
                codes::TABLE_STILL_REFERENCED,
                table.span,
                format!("table `{}` is referred to by foreign key `{}` of `{}`", table.v, fk.name, other.name),
                "still referred to",
            )
            .help("drop that foreign key (or its table) first"));
        }
        if let Some(v) = schema.dependent_views(&table.v).first() {
            return Err(err(
                codes::STILL_USED_BY_VIEW,
                table.span,
                format!("view `{}` depends on table `{}`", v.name, table.v),
                "still used by a view",
            )
            .help("drop the view first"));
        }
        let t = t.clone();
        forget_names(schema, &t);
        schema.global_names.remove(&fold(&table.v));
        schema.tables.shift_remove(&table.v);
        schema.triggers.retain(|_, tr| tr.table != table.v);
        let dropped_enums = dropped_enums(schema, t.columns.values());
        forget_enums(schema, &dropped_enums);
        // PostgreSQL drops the sequences a table's columns own with it (MariaDB: the planner does).
        let sequences = schema.owned_sequences(&table.v, None);
        for q in &sequences {
            schema.sequences.shift_remove(&q.name);
            schema.global_names.remove(&fold(&q.name));
        }
        Ok(Change::DropTable {
            table: t,
            dropped_enums,
            sequences,
        })
    }

    /// A table under a new name, with the foreign keys and triggers that name it.
    fn rename_table(&self, schema: &mut Schema, table: &Sp<String>, new_name: &Sp<String>) -> R<Change> {
        check_name_len(new_name)?;
        if !schema.tables.contains_key(&table.v) {
            return Err(no_table(table, &[]));
        }
        if !sqltext::simple(&new_name.v) {
            if let Err(holder) = uses::rename_table(&mut schema.clone(), &table.v, &new_name.v) {
                return Err(needs_quotes(new_name, &holder));
            }
        }
        let old_key = fold(&table.v);
        if fold(&new_name.v) != old_key {
            self.claim_global(schema, &new_name.v, new_name.span, &new_name.v, "table")?;
        }
        schema.global_names.remove(&old_key);
        schema.global_names.insert(fold(&new_name.v), owner(&new_name.v, "table", &new_name.v));
        if schema.fresh.0.remove(&table.v) {
            schema.fresh.0.insert(new_name.v.clone());
        }
        let mut t = schema.tables.shift_remove(&table.v).expect("checked above");
        Arc::make_mut(&mut t).name = new_name.v.clone();
        for q in schema.sequences.values_mut() {
            if let Some((owner, _)) = q.owned_by.as_mut().filter(|(o, _)| *o == table.v) {
                *owner = new_name.v.clone();
            }
        }
        for name in t
            .indexes
            .iter()
            .map(|i| i.name.as_str())
            .chain(t.constraints.iter().filter(|c| c.is_global_name()).map(|c| c.name()))
        {
            if let Some(o) = schema.global_names.get_mut(&fold(name)) {
                o.table = new_name.v.clone();
            }
        }
        // The renamed table's own keys, under its new name.
        let own: Vec<String> = t.foreign_keys().map(|fk| fk.ref_table.clone()).collect();
        schema.tables.insert(new_name.v.clone(), t);
        for r in own {
            schema.note_fk(&r, &new_name.v);
        }
        let mut now_referring = vec![];
        // Only the tables that hold such a key are written (and so copied).
        for other in schema.tables.values_mut().filter(|o| o.foreign_keys().any(|fk| fk.ref_table == table.v)) {
            let other = Arc::make_mut(other);
            for c in other.constraints.iter_mut() {
                if let Constraint::ForeignKey(fk) = c {
                    if fk.ref_table == table.v {
                        fk.ref_table = new_name.v.clone();
                        now_referring.push(other.name.clone());
                    }
                }
            }
        }
        for holder in now_referring {
            schema.note_fk(&new_name.v, &holder);
        }
        for tr in schema.triggers.values_mut() {
            if tr.table == table.v {
                tr.table = new_name.v.clone();
            }
        }
        // SPEC 10.2: views and triggers that name the table follow it.
        let notes = uses::rename_table(schema, &table.v, &new_name.v).expect("tried on a copy first");
        schema.notes.0.extend(notes);
        Ok(Change::RenameTable {
            from: table.v.clone(),
            to: new_name.v.clone(),
        })
    }

    /// A column and its inline constraints, on an existing table.
    fn add_column(
        &self,
        schema: &mut Schema,
        table: &Sp<String>,
        column: &ColumnSpec,
        backfill: Option<&Sp<Value>>,
        derived: Option<&DerivedNote>,
    ) -> R<Change> {
        check_next(schema, column.default.as_deref())?;
        let new_enums = new_enums(schema, std::slice::from_ref(&column.ty.v));
        let existed = !schema.fresh.0.contains(&table.v);
        self.check_enums(schema, &new_enums, column.ty.span)?;
        let t = table_mut(schema, table)?;
        if t.columns.contains_key(&column.name.v) {
            return Err(err(
                codes::DUPLICATE_COLUMN,
                column.name.span,
                format!("column `{}` already exists in `{}`", column.name.v, table.v),
                "duplicate column",
            ));
        }
        column_case_clash(t, &column.name, None)?;
        // A key column on a table that has none: the column and its key, as
        // every engine (and Alembic) allows; a second key is refused.
        if let Some((n, _)) = t.primary_key().filter(|_| column.primary_key) {
            return Err(err(
                codes::ADD_PRIMARY_KEY_COLUMN,
                column.span,
                format!("table `{}` already has a primary key `{n}`", table.v),
                "second primary key",
            )
            .help(format!("drop `{n}` first (drop_constraint), or add the column without `primary_key`")));
        }
        let col = self.column(column, false)?;
        if let Some(b) = backfill {
            check_value_type(&col.ty, b)?;
            if col.nullable {
                return Err(err(
                    codes::BACKFILL_WITHOUT_NOT_NULL,
                    b.span,
                    "`backfill` is only for a NOT NULL column".into(),
                    "no effect",
                )
                .help("add `nullable = false` to the column"));
            }
        }
        // SPEC 10.3: the table may hold rows, and the engines disagree on what
        // a NOT NULL column without a value does to them (PostgreSQL and
        // SQLite refuse, MySQL fills in an implicit default).
        // An autoincrement (identity) column numbers the rows already there.
        if existed && derived.is_none() && !col.nullable && col.default.is_none() && backfill.is_none() && !col.autoincrement {
            return Err(err(
                codes::NOT_NULL_WITHOUT_VALUE,
                column.name.span,
                format!(
                    "NOT NULL column `{}` has no default and no `backfill`, and `{}` existed before this revision (it may hold rows)",
                    column.name.v, table.v
                ),
                "NOT NULL without a value for existing rows",
            )
            .help("give the operation a `backfill = <value>` for the existing rows, or the column a `default` (a table created in the same revision needs neither)"));
        }
        let tname = t.name.clone();
        t.columns.insert(col.name.clone(), col.clone());
        let mut constraints = vec![];
        if column.primary_key {
            let columns = Sp::new(vec![column.name.v.clone()], column.name.span);
            constraints.push(self.add_constraint(schema, table, ConstraintSpec::PrimaryKey { name: None, columns })?);
        }
        let enum_check = derived.and_then(|d| d.enum_check.as_deref());
        for c in self.inline_constraints(&tname, column, &[], enum_check) {
            constraints.push(self.add_constraint(schema, table, c)?);
        }
        note_enums(schema, &new_enums);
        Ok(Change::AddColumn {
            table: tname,
            column: col,
            constraints,
            new_enums,
            backfill: backfill.map(|b| b.v.clone()),
        })
    }

    /// A column, with the single-column constraints and indexes that go with it.
    fn drop_column(&self, schema: &mut Schema, table: &Sp<String>, column: &Sp<String>) -> R<Change> {
        if let Some(q) = schema.owned_sequences(&table.v, Some(&column.v)).first() {
            return Err(err(
                codes::SEQUENCE_STILL_USED,
                column.span,
                format!("column `{}` owns sequence `{}`", column.v, q.name),
                "owns a sequence",
            )
            .help("drop the sequence first (drop_sequence)"));
        }
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        let col = check_column(t, &column.v, column.span)?.clone();
        if t.columns.len() == 1 {
            return Err(err(
                codes::DROP_LAST_COLUMN,
                column.span,
                format!("`{}` is the last column of `{}`", column.v, table.v),
                "cannot drop the last column",
            )
            .help("drop the table instead"));
        }
        generated_uses(t, &column.v, column.span)?;
        let mut constraints = vec![];
        for c in &t.constraints {
            let cols = c.columns(t);
            if cols.contains(&column.v.as_str()) {
                // A one-column primary key goes with its column (SPEC 3), unless
                // the column is autoincrement: its derived downgrade could not
                // add an AUTO_INCREMENT column back before its key (MySQL 1075).
                if cols.len() == 1 && !(matches!(c, Constraint::PrimaryKey { .. }) && col.autoincrement) {
                    constraints.push(c.clone());
                } else {
                    return Err(err(
                        codes::COLUMN_STILL_USED,
                        column.span,
                        format!("column `{}` is part of {} `{}`", column.v, c.kind().replace('_', " "), c.name()),
                        "still used",
                    )
                    .help(format!("drop `{}` first", c.name())));
                }
            }
        }
        let mut indexes = vec![];
        for i in &t.indexes {
            if i.column_names().any(|c| *c == column.v) || expression_uses(i, &column.v) {
                if i.columns.len() == 1 && i.columns[0] == column.v && i.options.as_ref().is_none_or(|o| o.include.is_empty() && !o.has_expr()) {
                    indexes.push(i.clone());
                } else {
                    return Err(err(
                        codes::COLUMN_STILL_USED,
                        column.span,
                        format!("column `{}` is part of index `{}`", column.v, i.name),
                        "still used",
                    )
                    .help(format!("drop `{}` first", i.name)));
                }
            }
        }
        // SPEC 10.2: a view or a partial index that names the column keeps
        // it, as PostgreSQL would (it refuses to drop a column a view uses).
        let mut notes = vec![];
        match uses::column_user(schema, &table.v, &column.v, &mut notes) {
            Some(("view", v)) => {
                return Err(err(
                    codes::STILL_USED_BY_VIEW,
                    column.span,
                    format!("view `{v}` uses column `{}` of `{}`", column.v, table.v),
                    "still used by a view",
                )
                .help(format!("drop view `{v}` first (and create it again without the column)")))
            }
            Some((_, i)) => {
                return Err(err(
                    codes::COLUMN_STILL_USED,
                    column.span,
                    format!("column `{}` is used by the predicate of index `{i}`", column.v),
                    "still used",
                )
                .help(format!("drop `{i}` first")))
            }
            None => {}
        }
        schema.notes.0.extend(notes);
        for (other, fk) in schema.referrers(&table.v) {
            if fk.ref_columns.contains(&column.v) {
                return Err(err(
                    codes::COLUMN_STILL_USED,
                    column.span,
                    format!("column `{}` is referred to by foreign key `{}` of `{}`", column.v, fk.name, other.name),
                    "still referred to",
                )
                .help(format!("drop `{}` first", fk.name)));
            }
        }
        let t = schema.table_mut(&table.v).expect("checked above");
        t.columns.shift_remove(&column.v);
        t.constraints.retain(|c| !constraints.contains(c));
        t.indexes.retain(|i| !indexes.contains(i));
        for n in indexes
            .iter()
            .map(|i| i.name.as_str())
            .chain(constraints.iter().filter(|c| c.is_global_name()).map(|c| c.name()))
        {
            schema.global_names.remove(&fold(n));
        }
        let dropped_enums = dropped_enums(schema, std::iter::once(&col));
        forget_enums(schema, &dropped_enums);
        Ok(Change::DropColumn {
            table: table.v.clone(),
            column: col,
            constraints,
            indexes,
            dropped_enums,
        })
    }

    /// A column under a new name, in every constraint and index that lists it.
    fn rename_column(&self, schema: &mut Schema, table: &Sp<String>, column: &Sp<String>, new_name: &Sp<String>) -> R<Change> {
        check_name_len(new_name)?;
        let referred = {
            let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
            check_column(t, &column.v, column.span)?;
            if t.columns.contains_key(&new_name.v) {
                return Err(err(
                    codes::DUPLICATE_COLUMN,
                    new_name.span,
                    format!("column `{}` already exists in `{}`", new_name.v, table.v),
                    "duplicate column",
                ));
            }
            // A generated column's expression is raw SQL: schemac cannot rewrite it.
            generated_uses(t, &column.v, column.span)?;
            column_case_clash(t, new_name, Some(&column.v))?;
            if !sqltext::simple(&new_name.v) {
                if let Err(holder) = uses::rename_column(&mut schema.clone(), &table.v, &column.v, &new_name.v) {
                    return Err(needs_quotes(new_name, &holder));
                }
            }
            schema.referrers(&table.v).any(|(_, fk)| fk.ref_columns.contains(&column.v))
        };
        for q in schema.sequences.values_mut() {
            if let Some((_, c)) = q.owned_by.as_mut().filter(|(o, c)| *o == table.v && *c == column.v) {
                *c = new_name.v.clone();
            }
        }
        let t = schema.table_mut(&table.v).expect("checked above");
        let idx = t.columns.get_index_of(&column.v).expect("checked above");
        let (_, mut col) = t.columns.shift_remove_index(idx).expect("checked above");
        col.name = new_name.v.clone();
        t.columns.shift_insert(idx, new_name.v.clone(), col.clone());
        let rename = |cols: &mut Vec<String>| cols.iter_mut().filter(|c| **c == column.v).for_each(|c| *c = new_name.v.clone());
        for c in t.constraints.iter_mut() {
            match c {
                Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => rename(columns),
                Constraint::ForeignKey(fk) => {
                    rename(&mut fk.columns);
                    if fk.ref_table == table.v {
                        rename(&mut fk.ref_columns);
                    }
                }
                Constraint::Check { .. } => {}
            }
        }
        // A non-native enum's check names its column (SPEC 9): the engines
        // rename it there, and the model follows.
        if let ColumnType::Enum(e) = &col.ty {
            if !e.native {
                let (old, new) = (enum_check_expr(&column.v, &e.values), enum_check_expr(&new_name.v, &e.values));
                for c in t.constraints.iter_mut() {
                    if let Constraint::Check { expr, dialects, .. } = c {
                        if *expr == old {
                            *expr = new.clone();
                            *dialects = enum_check_dialects(&new_name.v, &e.values);
                        }
                    }
                }
            }
        }
        for i in t.indexes.iter_mut() {
            let opts = i.options.as_deref_mut();
            match opts {
                None => rename(&mut i.columns),
                Some(o) => {
                    for (k, c) in i.columns.iter_mut().enumerate() {
                        if *c == column.v && !o.elements.get(k).is_some_and(|e| e.expr) {
                            *c = new_name.v.clone();
                        }
                    }
                    rename(&mut o.include);
                }
            }
        }
        // SPEC 10.2: checks, index predicates and expressions, views and
        // triggers that name the column follow it.
        let notes = uses::rename_column(schema, &table.v, &column.v, &new_name.v).expect("tried on a copy first");
        schema.notes.0.extend(notes);
        if referred {
            for other in schema.tables.values_mut().filter(|o| o.foreign_keys().any(|fk| fk.ref_table == table.v)) {
                let other = Arc::make_mut(other);
                for c in other.constraints.iter_mut() {
                    if let Constraint::ForeignKey(fk) = c {
                        if fk.ref_table == table.v {
                            rename(&mut fk.ref_columns);
                        }
                    }
                }
            }
        }
        Ok(Change::RenameColumn {
            table: table.v.clone(),
            from: column.v.clone(),
            to: new_name.v.clone(),
            column: col,
        })
    }

    /// An index on an existing table, under a name no other index or constraint holds.
    fn create_index(&self, schema: &mut Schema, table: &Sp<String>, index: &IndexSpec) -> R<Change> {
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        let idx = self.index(t, index)?;
        self.claim_global(schema, &idx.name, index.name.as_ref().map(|n| n.span).unwrap_or(index.span), &table.v, "index")?;
        let t = schema.table_mut(&table.v).expect("checked above");
        t.indexes.push(idx.clone());
        Ok(Change::CreateIndex {
            table: table.v.clone(),
            index: idx,
            concurrently: index.concurrently,
        })
    }

    /// An index, found by its name or by the full spelling of a shortened one.
    fn drop_index(&self, schema: &mut Schema, name: &Sp<String>, concurrently: bool) -> R<Change> {
        let full = schema.index_table(&name.v).map(|t| t.name.clone()).or_else(|| {
            // A shortened name may be referred to by its full spelling.
            let short = crate::base::naming::shorten(&name.v);
            schema.index_table(&short).map(|t| t.name.clone())
        });
        let Some(tname) = full else {
            return Err(err(
                codes::NO_SUCH_INDEX,
                name.span,
                format!("index `{}` does not exist", name.v),
                "no such index",
            ));
        };
        let iname = if schema.index_table(&name.v).is_some() {
            name.v.clone()
        } else {
            crate::base::naming::shorten(&name.v)
        };
        let t = schema.table_mut(&tname).expect("registered");
        let pos = t.indexes.iter().position(|i| i.name == iname).expect("registered");
        let index = t.indexes.remove(pos);
        schema.global_names.remove(&fold(&iname));
        Ok(Change::DropIndex {
            table: tname,
            index,
            concurrently,
        })
    }

    /// An index under a new name that no other index or constraint holds.
    fn rename_index(&self, schema: &mut Schema, name: &Sp<String>, new_name: &Sp<String>) -> R<Change> {
        let Some(tname) = schema.index_table(&name.v).map(|t| t.name.clone()) else {
            let mut d = err(codes::NO_SUCH_INDEX, name.span, format!("index `{}` does not exist", name.v), "no such index");
            if let Some(owner) = schema.global_names.get(&fold(&name.v)).filter(|o| o.kind == "constraint") {
                d = d.help(format!("`{}` is a constraint of `{}`: use rename_constraint", name.v, owner.table));
            }
            return Err(d);
        };
        check_name_len(new_name)?;
        self.claim_renamed(schema, &name.v, new_name, &tname, "index")?;
        let t = schema.table_mut(&tname).expect("registered");
        let index = t.indexes.iter_mut().find(|i| i.name == name.v).expect("registered");
        index.name = new_name.v.clone();
        Ok(Change::RenameIndex {
            table: tname,
            from: name.v.clone(),
            index: index.clone(),
        })
    }

    /// A constraint under a new name: free among the table's constraints,
    /// and for a primary key or unique constraint, among every index and
    /// constraint of the schema.
    fn rename_constraint(&self, schema: &mut Schema, table: &Sp<String>, name: &Sp<String>, new_name: &Sp<String>) -> R<Change> {
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        let Some(old) = t.constraint(&name.v).cloned() else {
            return Err(no_constraint(t, table, name, "rename_index"));
        };
        check_name_len(new_name)?;
        if let Some(other) = t.constraint(&new_name.v) {
            return Err(err(
                codes::NAME_COLLISION,
                new_name.span,
                format!("table `{}` already has a constraint named `{}`", t.name, other.name()),
                "name collision",
            ));
        }
        if old.is_global_name() {
            self.claim_renamed(schema, &name.v, new_name, &table.v, "constraint")?;
        }
        let mut new = old.clone();
        match &mut new {
            Constraint::PrimaryKey { name, .. } | Constraint::Unique { name, .. } | Constraint::Check { name, .. } => *name = new_name.v.clone(),
            Constraint::ForeignKey(fk) => fk.name = new_name.v.clone(),
        }
        let t = schema.table_mut(&table.v).expect("checked above");
        let slot = t.constraints.iter_mut().find(|c| c.name() == name.v).expect("checked above");
        *slot = new.clone();
        Ok(Change::RenameConstraint {
            table: table.v.clone(),
            old,
            new,
        })
    }

    /// A table's comment set or dropped.
    fn alter_table(&self, schema: &mut Schema, table: &Sp<String>, comment: &Option<String>) -> R<Change> {
        let t = table_mut(schema, table)?;
        let old = std::mem::replace(&mut t.comment, comment.clone());
        Ok(Change::AlterTable {
            table: table.v.clone(),
            old,
            new: comment.clone(),
        })
    }

    /// A table-level constraint (`create_primary_key`, `create_unique_constraint`, `create_foreign_key`, `create_check_constraint`).
    fn create_constraint(&self, schema: &mut Schema, table: &Sp<String>, constraint: &ConstraintSpec) -> R<Change> {
        let nullable_before: Vec<String> = match (constraint, schema.tables.get(&table.v)) {
            (ConstraintSpec::PrimaryKey { columns, .. }, Some(t)) => columns
                .iter()
                .filter(|c| t.columns.get(c.as_str()).is_some_and(|c| c.nullable))
                .cloned()
                .collect(),
            _ => vec![],
        };
        let c = self.add_constraint(schema, table, constraint.clone())?;
        Ok(Change::AddConstraint {
            table: table.v.clone(),
            constraint: c,
            made_not_null: nullable_before,
        })
    }

    /// A constraint no foreign key still needs.
    fn drop_constraint(&self, schema: &mut Schema, table: &Sp<String>, name: &Sp<String>) -> R<Change> {
        let t = table_mut(schema, table)?;
        let short = crate::base::naming::shorten(&name.v);
        let Some(pos) = t.constraints.iter().position(|c| c.name() == name.v || c.name() == short) else {
            return Err(no_constraint(t, table, name, "drop_index"));
        };
        // The check of a non-native enum is its type's (SPEC 9): the column's
        // type changes with `alter_column`, which drops the check with it.
        if let Some(col) = t
            .columns
            .values()
            .find(|col| t.enum_check(col).is_some_and(|k| k.name() == t.constraints[pos].name()))
        {
            return Err(err(
                codes::CONSTRAINT_STILL_NEEDED,
                name.span,
                format!("check `{}` is the type of column `{}` (a non-native enum)", name.v, col.name),
                "the enum's own check",
            )
            .help(format!(
                "change the type of `{}` with alter_column (to a string, say): its check goes with it",
                col.name
            )));
        }
        let c = t.constraints.remove(pos);
        let mut autoincrement = vec![];
        if let Constraint::PrimaryKey { columns, .. } = &c {
            for name in columns {
                if let Some(col) = t.columns.get_mut(name).filter(|col| col.autoincrement) {
                    autoincrement.push(col.clone());
                    col.autoincrement = false;
                }
            }
        }
        if c.is_global_name() {
            schema.global_names.remove(&fold(c.name()));
        }
        if let Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } = &c {
            if let Some((other, fk)) = schema
                .referrers(&table.v)
                .find(|(_, fk)| fk.ref_columns.len() == columns.len() && fk.ref_columns.iter().all(|x| columns.contains(x)))
            {
                let still = schema.tables.get(&table.v).is_some_and(|t| t.has_unique_key(&fk.ref_columns));
                if !still {
                    let (o, f) = (other.name.clone(), fk.name.clone());
                    return Err(err(
                        codes::CONSTRAINT_STILL_NEEDED,
                        name.span,
                        format!("foreign key `{f}` of `{o}` needs `{}`", name.v),
                        "still needed",
                    )
                    .help(format!("drop `{f}` first")));
                }
            }
        }
        Ok(Change::DropConstraint {
            table: table.v.clone(),
            constraint: c,
            autoincrement,
        })
    }

    /// A view, with the tables and views its text names.
    fn create_view(&self, schema: &mut Schema, name: &Sp<String>, sql: &PerDialect) -> R<Change> {
        check_name_len(name)?;
        check_namespace(schema, name)?;
        self.clash(schema, &name.v, name.span, "view")?;
        let mut deps = vec![];
        for text in sql.0.values() {
            let words = crate::base::sqlwords::identifiers(text);
            let known = |w: &String| schema.tables.contains_key(w) || schema.views.contains_key(w);
            let mut i = 0;
            while i < words.len() {
                // `schema.table` reads as two words: the pair names a table of that schema (SPEC 9).
                let pair = words.get(i + 1).map(|next| crate::base::naming::qualify(Some(&words[i]), next));
                let (w, step) = match pair.filter(|p| known(p)) {
                    Some(p) => (p, 2),
                    None => (words[i].clone(), 1),
                };
                if known(&w) && !deps.contains(&w) {
                    deps.push(w);
                }
                i += step;
            }
        }
        let view = View {
            name: name.v.clone(),
            sql: sql.clone(),
            depends_on: deps,
        };
        schema.views.insert(name.v.clone(), view.clone());
        schema.global_names.insert(fold(&name.v), owner(&name.v, "view", &name.v));
        Ok(Change::CreateView { view })
    }

    /// A view no other view depends on.
    fn drop_view(&self, schema: &mut Schema, name: &Sp<String>) -> R<Change> {
        if let Some(v) = schema.views.values().find(|v| v.depends_on.contains(&name.v)) {
            return Err(err(
                codes::STILL_USED_BY_VIEW,
                name.span,
                format!("view `{}` depends on view `{}`", v.name, name.v),
                "still used",
            )
            .help("drop that view first"));
        }
        let view = schema
            .views
            .shift_remove(&name.v)
            .ok_or_else(|| err(codes::NO_SUCH_VIEW, name.span, format!("view `{}` does not exist", name.v), "no such view"))?;
        schema.global_names.remove(&fold(&name.v));
        Ok(Change::DropView { view })
    }

    /// Raw SQL: only the triggers and views it creates are tracked.
    fn execute(&self, schema: &mut Schema, sql: &PerDialect) -> R<Change> {
        crate::replay::rawsql::track(schema, sql);
        Ok(Change::Execute { sql: sql.clone() })
    }

    /// The derived downgrade of a bulk_insert: no model effect.
    fn delete_rows(&self, table: &Sp<String>, key: &[String], rows: &[Vec<Value>]) -> R<Change> {
        Ok(Change::Delete {
            table: table.v.clone(),
            key: key.to_vec(),
            rows: rows.to_vec(),
        })
    }

    /// A schema (SPEC 9) of a name no other schema has.
    fn create_namespace(&self, schema: &mut Schema, name: &Sp<String>) -> R<Change> {
        check_name_len(name)?;
        if let Some(other) = schema.namespaces.keys().find(|n| fold(n) == fold(&name.v)) {
            return Err(err(
                codes::NO_SUCH_NAMESPACE,
                name.span,
                format!("schema `{other}` already exists"),
                "already exists",
            ));
        }
        schema.namespaces.insert(name.v.clone(), ());
        Ok(Change::CreateNamespace { name: name.v.clone() })
    }

    /// A schema that holds nothing any more.
    fn drop_namespace(&self, schema: &mut Schema, name: &Sp<String>) -> R<Change> {
        if !schema.namespaces.contains_key(&name.v) {
            return Err(err(
                codes::NO_SUCH_NAMESPACE,
                name.span,
                format!("schema `{}` does not exist", name.v),
                "no such schema",
            ));
        }
        let inside = |n: &String| crate::base::naming::schema_of(n) == Some(name.v.as_str());
        let held = schema
            .tables
            .keys()
            .find(|n| inside(n))
            .map(|n| ("table", n))
            .or_else(|| schema.views.keys().find(|n| inside(n)).map(|n| ("view", n)))
            .or_else(|| schema.sequences.keys().find(|n| inside(n)).map(|n| ("sequence", n)));
        if let Some((kind, n)) = held {
            return Err(err(
                codes::NAMESPACE_NOT_EMPTY,
                name.span,
                format!("schema `{}` still holds {kind} `{}`", name.v, crate::base::naming::bare(n)),
                "not empty",
            )
            .help(format!("drop the {kind} first")));
        }
        schema.namespaces.shift_remove(&name.v);
        Ok(Change::DropNamespace { name: name.v.clone() })
    }

    /// A sequence of a free name, owned by an existing column if it says so.
    fn create_sequence(&self, schema: &mut Schema, spec: &SequenceSpec) -> R<Change> {
        check_name_len(&spec.name)?;
        check_namespace(schema, &spec.name)?;
        self.clash(schema, &spec.name.v, spec.name.span, "sequence")?;
        if let Some(o) = &spec.owned_by {
            let (table, column) = &o.v;
            let t = schema.tables.get(table).ok_or_else(|| no_table(&Sp::new(table.clone(), o.span), &[]))?;
            check_column(t, column, o.span)?;
        }
        if spec.increment == Some(0) {
            return Err(err(
                codes::VALUE_DOES_NOT_FIT,
                spec.name.span,
                "a sequence's `increment` cannot be 0".into(),
                "zero increment",
            ));
        }
        if let (Some(lo), Some(hi)) = (spec.min, spec.max) {
            if lo >= hi {
                return Err(err(
                    codes::VALUE_DOES_NOT_FIT,
                    spec.name.span,
                    format!("`min` ({lo}) must be below `max` ({hi})"),
                    "empty range",
                ));
            }
        }
        let seq = Sequence {
            name: spec.name.v.clone(),
            start: spec.start,
            // An increment of 1 is the engines' default: the model keeps none.
            increment: spec.increment.filter(|&i| i != 1),
            min: spec.min,
            max: spec.max,
            cycle: spec.cycle,
            owned_by: spec.owned_by.as_ref().map(|o| o.v.clone()),
        };
        schema.global_names.insert(fold(&seq.name), owner(&seq.name, "sequence", &seq.name));
        schema.sequences.insert(seq.name.clone(), seq.clone());
        Ok(Change::CreateSequence { seq })
    }

    /// A sequence no column default draws from any more.
    fn drop_sequence(&self, schema: &mut Schema, name: &Sp<String>) -> R<Change> {
        let seq = no_sequence(schema, name)?.clone();
        if let Some((t, c)) = schema.sequence_user(&name.v) {
            return Err(err(
                codes::SEQUENCE_STILL_USED,
                name.span,
                format!("sequence `{}` is the default of `{t}.{c}`", name.v),
                "still used",
            )
            .help("change that column's default first (alter_column)"));
        }
        schema.sequences.shift_remove(&name.v);
        schema.global_names.remove(&fold(&name.v));
        Ok(Change::DropSequence { seq })
    }

    /// A sequence restarted or stepping by another increment.
    fn alter_sequence(&self, schema: &mut Schema, name: &Sp<String>, restart: Option<i64>, increment: Option<i64>) -> R<Change> {
        let old = no_sequence(schema, name)?.clone();
        let seq = schema.sequences.get_mut(&name.v).expect("checked above");
        if let Some(i) = increment {
            seq.increment = (i != 1).then_some(i);
        }
        Ok(Change::AlterSequence { old, restart, increment })
    }

    /// Checks that a new schema-wide name (SPEC 10.1) is free: not the
    /// version table's or its key's, not held by another object, not even
    /// in another letter case.
    fn clash(&self, schema: &Schema, name: &str, span: Span, kind: &'static str) -> R<()> {
        if !self.version_table.is_empty() {
            let key = Naming::make(&self.naming.primary_key, self.version_table, &[], "");
            let reserved = [self.version_table, key.as_str()].into_iter().find(|r| fold(r) == fold(name));
            if let Some(r) = reserved {
                return Err(err(
                    codes::RESERVED_NAME,
                    span,
                    format!("the {kind} name `{name}` is the name of the version table or its key (`{r}`)"),
                    "reserved for the version table",
                )
                .help("rename this object, or set another `version_table` in the configuration"));
            }
        }
        let Some(o) = schema.global_names.get(&fold(name)) else {
            return Ok(());
        };
        let of = if o.table.is_empty() || o.table == o.name {
            String::new()
        } else {
            format!(" of `{}`", o.table)
        };
        let held = format!("{} `{}`{of}", o.kind, o.name);
        if o.name != name {
            return Err(err(
                codes::NAMES_DIFFER_IN_CASE,
                span,
                format!("the {kind} name `{name}` differs only in letter case from {held}"),
                "same name without case",
            )
            .help("MySQL and SQLite compare names without case (MySQL table names follow the server's file system): choose another name"));
        }
        let table_like = |k: &str| k == "table" || k == "view" || k == "sequence";
        let index_like = |k: &str| k == "index" || k == "constraint";
        if table_like(kind) && table_like(o.kind) {
            return Err(err(codes::NAME_TAKEN, span, format!("{} `{name}` already exists", o.kind), "already exists"));
        }
        if index_like(kind) && index_like(o.kind) {
            return Err(err(
                codes::NAME_COLLISION,
                span,
                format!("the name `{name}` is already used by {held}"),
                "name collision",
            )
            .help("give this object an explicit `name`"));
        }
        Err(err(
            codes::SHARED_NAMESPACE,
            span,
            format!("the {kind} name `{name}` is already used by {held}"),
            "name taken in the shared namespace",
        )
        .help("PostgreSQL keeps tables, views, indexes and types in one namespace, SQLite tables, views and indexes, MySQL foreign key and check names per database: choose another name"))
    }

    /// Claims a schema-wide name for an object of `table` (`clash`).
    /// The schema-wide name `new` for an object that held `old`: `old` is
    /// freed first (so another case of the same name is allowed), and kept
    /// when `new` is taken.
    fn claim_renamed(&self, schema: &mut Schema, old: &str, new: &Sp<String>, table: &str, kind: &'static str) -> R<()> {
        let held = schema.global_names.remove(&fold(old));
        self.claim_global(schema, &new.v, new.span, table, kind).inspect_err(|_| {
            if let Some(o) = held {
                schema.global_names.insert(fold(old), o);
            }
        })
    }

    fn claim_global(&self, schema: &mut Schema, name: &str, span: Span, table: &str, kind: &'static str) -> R<()> {
        self.clash(schema, name, span, kind)?;
        schema.global_names.insert(fold(name), owner(name, kind, table));
        Ok(())
    }

    /// Checks that new enum types take free names, and labels the engines accept.
    fn check_enums(&self, schema: &Schema, enums: &[ColumnType], span: Span) -> R<()> {
        for e in enums {
            if let ColumnType::Enum(e) = e {
                self.clash(schema, &e.name, span, "enum type")?;
            }
        }
        Ok(())
    }

    fn column(&self, spec: &ColumnSpec, in_pk: bool) -> R<Column> {
        check_name_len(&spec.name)?;
        if spec.autoincrement && !spec.ty.is_integer() {
            return Err(err(
                codes::BAD_AUTOINCREMENT,
                spec.ty.span,
                "autoincrement needs an integer type".into(),
                "not an integer",
            ));
        }
        if spec.autoincrement && !(spec.primary_key || in_pk) {
            return Err(err(
                codes::BAD_AUTOINCREMENT,
                spec.span,
                "autoincrement is only for an integer primary key".into(),
                "not a primary key",
            ));
        }
        let pk = spec.primary_key || in_pk;
        if pk && spec.nullable == Some(true) {
            return Err(err(
                codes::NULLABLE_PRIMARY_KEY,
                spec.span,
                "a primary key column cannot be nullable".into(),
                "nullable primary key",
            ));
        }
        check_enum_labels(&spec.ty.v, spec.ty.span)?;
        if let Some(d) = &spec.default {
            check_value_type(&spec.ty.v, d)?;
        }
        if let Some(g) = &spec.generated {
            // The engine computes the value: no default, no identity, no key
            // (PostgreSQL refuses a generated column in a primary key, and
            // SQLite one that is the rowid: https://www.sqlite.org/gencol.html).
            let what = if spec.default.is_some() {
                Some("a default")
            } else if spec.autoincrement {
                Some("autoincrement")
            } else if pk {
                Some("a primary key")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(err(
                    codes::GENERATED_COLUMN_MISUSE,
                    g.span,
                    format!("generated column `{}` cannot have {what}: the engine computes its value", spec.name.v),
                    "generated",
                ));
            }
        }
        Ok(Column {
            name: spec.name.v.clone(),
            ty: spec.ty.v.clone(),
            // A generated column is nullable unless it says otherwise (SPEC 9).
            nullable: if pk { false } else { spec.nullable.unwrap_or(true) },
            default: spec.default.as_ref().map(|d| d.v.clone()),
            autoincrement: spec.autoincrement,
            comment: spec.comment.clone(),
            generated: spec.generated.as_ref().map(|g| Box::new(g.v.clone())),
            collation: spec.collation.as_ref().map(|c| Box::new(c.v.clone())),
        })
    }

    /// `enum_check`: the name of a non-native enum's check (a derived
    /// add_column's, `DerivedNote::enum_check`), else the convention's.
    fn inline_constraints(&self, table: &str, c: &ColumnSpec, declared: &[ConstraintSpec], enum_check: Option<&str>) -> Vec<ConstraintSpec> {
        let _ = table;
        let mut out = vec![];
        // A non-native enum is held by a check, named by the `check`
        // convention (its `{columns}` is the column; SPEC 9).
        if let ColumnType::Enum(e) = &c.ty.v {
            let expr = enum_check_expr(&c.name.v, &e.values);
            // Unless the table declares it itself (a derived or autogenerated create_table).
            let declared = declared.iter().any(|d| matches!(d, ConstraintSpec::Check { expr: x, .. } if x.v == expr));
            if !e.native && !declared {
                out.push(ConstraintSpec::Check {
                    name: enum_check.map(|n| Sp::new(n.to_string(), c.ty.span)),
                    dialects: enum_check_dialects(&c.name.v, &e.values),
                    expr: Sp::new(expr, c.ty.span),
                });
            }
        }
        if !c.unique && c.references.is_none() {
            return out;
        }
        let cols = Sp::new(vec![c.name.v.clone()], c.name.span);
        if c.unique {
            out.push(ConstraintSpec::Unique {
                name: None,
                columns: cols.clone(),
            });
        }
        if let Some(r) = &c.references {
            out.push(ConstraintSpec::ForeignKey(ForeignKeySpec {
                name: None,
                columns: cols,
                ref_table: Sp::new(r.v.0.clone(), r.span),
                ref_columns: Sp::new(vec![r.v.1.clone()], r.span.sub(r.v.0.len() + 2, r.v.1.len())),
                on_delete: c.on_delete,
                on_update: c.on_update,
                span: c.span,
            }));
        }
        out
    }

    /// A new table with its columns, constraints and indexes.
    fn create_table(&self, schema: &mut Schema, spec: &TableSpec) -> R<Change> {
        check_name_len(&spec.table)?;
        check_namespace(schema, &spec.table)?;
        for c in &spec.columns {
            check_next(schema, c.default.as_deref())?;
        }
        self.clash(schema, &spec.table.v, spec.table.span, "table")?;
        let pk_cols: Vec<&str> = spec
            .constraints
            .iter()
            .find_map(|c| match c {
                ConstraintSpec::PrimaryKey { columns, .. } => Some(columns.v.iter().map(|s| s.as_str()).collect()),
                _ => None,
            })
            .unwrap_or_default();
        let mut table = Table {
            name: spec.table.v.clone(),
            columns: NameMap::with_capacity_and_hasher(spec.columns.len(), Default::default()),
            constraints: vec![],
            indexes: vec![],
            comment: spec.comment.clone(),
            options: spec.options.clone(),
        };
        let mut constraints = vec![];
        let inline_pk: Vec<&ColumnSpec> = spec.columns.iter().filter(|c| c.primary_key).collect();
        if !inline_pk.is_empty() && !pk_cols.is_empty() {
            return Err(err(
                codes::PRIMARY_KEY_TWICE,
                inline_pk[0].span,
                "a primary key is declared both on a column and in `primary_key`".into(),
                "declared twice",
            ));
        }
        if inline_pk.len() > 1 {
            return Err(err(
                codes::PRIMARY_KEY_TWICE,
                inline_pk[1].span,
                "`primary_key = true` on several columns: use the table's `primary_key` array for a composite key".into(),
                "second primary key column",
            ));
        }
        for c in &spec.columns {
            if table.columns.contains_key(&c.name.v) {
                return Err(err(
                    codes::DUPLICATE_COLUMN,
                    c.name.span,
                    format!("column `{}` is declared twice", c.name.v),
                    "duplicate column",
                ));
            }
            column_case_clash(&table, &c.name, None)?;
            let col = self.column(c, pk_cols.contains(&c.name.v.as_str()))?;
            table.columns.insert(col.name.clone(), col);
        }
        if let Some(c) = inline_pk.first() {
            constraints.push(ConstraintSpec::PrimaryKey {
                name: None,
                columns: Sp::new(vec![c.name.v.clone()], c.name.span),
            });
        }
        for c in &spec.columns {
            constraints.extend(self.inline_constraints(&spec.table.v, c, &spec.constraints, None));
        }
        constraints.extend(spec.constraints.iter().cloned());
        let new_enums = new_enums(schema, &table.columns.values().map(|c| c.ty.clone()).collect::<Vec<_>>());
        self.check_enums(schema, &new_enums, spec.table.span)?;
        schema.global_names.insert(fold(&table.name), owner(&table.name, "table", &table.name));
        note_enums(schema, &new_enums);
        schema.tables.insert(table.name.clone(), Arc::new(table));
        let mut resolved = vec![];
        for c in constraints {
            match self.add_constraint(schema, &spec.table, c) {
                Ok(c) => resolved.push(c),
                Err(e) => {
                    let t = schema.tables.shift_remove(&spec.table.v).expect("inserted above");
                    forget_names(schema, &t);
                    forget_table(schema, &t.name, &new_enums);
                    return Err(e);
                }
            }
        }
        let _ = resolved;
        for i in &spec.indexes {
            let t = schema.tables.get(&spec.table.v).expect("inserted above");
            let r = self.index(t, i).and_then(|idx| {
                self.claim_global(schema, &idx.name, i.name.as_ref().map(|n| n.span).unwrap_or(i.span), &spec.table.v, "index")
                    .map(|_| idx)
            });
            match r {
                Ok(idx) => schema.table_mut(&spec.table.v).expect("inserted").indexes.push(idx),
                Err(e) => {
                    let t = schema.tables.shift_remove(&spec.table.v).expect("inserted above");
                    forget_names(schema, &t);
                    forget_table(schema, &t.name, &new_enums);
                    return Err(e);
                }
            }
        }
        schema.fresh.0.insert(spec.table.v.clone());
        Ok(Change::CreateTable {
            name: spec.table.v.clone(),
            new_enums,
        })
    }

    fn index(&self, t: &Table, spec: &IndexSpec) -> R<Index> {
        let opts = spec.options.as_deref();
        for (i, c) in spec.columns.iter().enumerate() {
            if !opts.and_then(|o| o.elements.get(i)).is_some_and(|e| e.expr) {
                check_column(t, c, spec.columns.span)?;
            }
        }
        let include_span = spec.option_spans.iter().find(|(k, _)| *k == "include").map(|(_, s)| *s).unwrap_or(spec.span);
        for c in opts.iter().flat_map(|o| o.include.iter()) {
            check_column(t, c, include_span)?;
        }
        let cols: Vec<&str> = spec.columns.iter().map(|s| s.as_str()).collect();
        let name = match &spec.name {
            Some(n) => {
                check_name_len(n)?;
                n.v.clone()
            }
            None => Naming::make(&self.naming.index, &t.name, &cols, ""),
        };
        Ok(Index {
            name,
            columns: spec.columns.v.clone(),
            unique: spec.unique,
            where_: spec.where_.as_ref().map(|w| w.v.clone()),
            options: spec.options.clone(),
        })
    }

    /// Resolves and adds a constraint to an existing table.
    fn add_constraint(&self, schema: &mut Schema, table: &Sp<String>, spec: ConstraintSpec) -> R<Constraint> {
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        let (c, span) = match spec {
            ConstraintSpec::PrimaryKey { name, columns } => {
                if let Some((n, _)) = t.primary_key() {
                    return Err(err(
                        codes::SECOND_PRIMARY_KEY,
                        columns.span,
                        format!("table `{}` already has a primary key `{n}`", t.name),
                        "second primary key",
                    ));
                }
                for c in columns.iter() {
                    let col = check_column(t, c, columns.span)?;
                    if col.nullable {
                        // Primary key columns become NOT NULL on every engine.
                    }
                }
                let span = name.as_ref().map(|n| n.span).unwrap_or(columns.span);
                let name = self.named(name, &self.naming.primary_key, t, &columns.v, "")?;
                (Constraint::PrimaryKey { name, columns: columns.v }, span)
            }
            ConstraintSpec::Unique { name, columns } => {
                for c in columns.iter() {
                    check_column(t, c, columns.span)?;
                }
                let span = name.as_ref().map(|n| n.span).unwrap_or(columns.span);
                let name = self.named(name, &self.naming.unique, t, &columns.v, "")?;
                (Constraint::Unique { name, columns: columns.v }, span)
            }
            ConstraintSpec::Check { name, expr, dialects } => {
                let span = name.as_ref().map(|n| n.span).unwrap_or(expr.span);
                let probe = Constraint::Check {
                    name: String::new(),
                    expr: expr.v.clone(),
                    dialects: None,
                };
                let cols: Vec<String> = probe.columns(t).into_iter().map(String::from).collect();
                if name.is_none() && cols.is_empty() {
                    return Err(err(
                        codes::UNNAMED_CHECK,
                        expr.span,
                        "this check mentions no column of the table, so the convention cannot name it".into(),
                        "needs a name",
                    )
                    .help("give it a `name`"));
                }
                let name = self.named(name, &self.naming.check, t, &cols, "")?;
                (Constraint::Check { name, expr: expr.v, dialects }, span)
            }
            ConstraintSpec::ForeignKey(fk) => {
                for c in fk.columns.iter() {
                    check_column(t, c, fk.columns.span)?;
                }
                let target = if fk.ref_table.v == t.name {
                    t
                } else {
                    schema
                        .tables
                        .get(&fk.ref_table.v)
                        .ok_or_else(|| no_table(&fk.ref_table, &schema.tables.keys().cloned().collect::<Vec<_>>()))?
                };
                for c in fk.ref_columns.iter() {
                    check_column(target, c, fk.ref_columns.span)?;
                }
                if fk.columns.len() != fk.ref_columns.len() {
                    return Err(err(
                        codes::FOREIGN_KEY_ARITY,
                        fk.ref_columns.span,
                        "a foreign key needs as many referred columns as columns".into(),
                        "count differs",
                    ));
                }
                if !target.has_unique_key(&fk.ref_columns) {
                    return Err(err(
                        codes::FOREIGN_KEY_NOT_A_KEY,
                        fk.ref_columns.span,
                        format!("`{}({})` carries no primary key or unique constraint", target.name, fk.ref_columns.join(", ")),
                        "not a key",
                    )
                    .help("a foreign key must refer to a primary key or unique columns"));
                }
                if fk.on_delete == Some(FkAction::SetNull) || fk.on_update == Some(FkAction::SetNull) {
                    if let Some(c) = fk.columns.iter().find(|c| !t.columns[c.as_str()].nullable) {
                        return Err(err(
                            codes::SET_NULL_ON_NOT_NULL,
                            fk.span,
                            format!("ON ... SET NULL on NOT NULL column `{c}`"),
                            "column is NOT NULL",
                        ));
                    }
                }
                let span = fk.name.as_ref().map(|n| n.span).unwrap_or(fk.columns.span);
                let name = self.named(fk.name, &self.naming.foreign_key, t, &fk.columns.v, &fk.ref_table.v)?;
                (
                    Constraint::ForeignKey(ForeignKey {
                        name,
                        columns: fk.columns.v,
                        ref_table: fk.ref_table.v,
                        ref_columns: fk.ref_columns.v,
                        on_delete: fk.on_delete,
                        on_update: fk.on_update,
                    }),
                    span,
                )
            }
        };
        if let Some(other) = t.constraint(c.name()) {
            return Err(err(
                codes::NAME_COLLISION,
                span,
                format!("table `{}` already has a constraint named `{}`", t.name, other.name()),
                "name collision",
            )
            .help("give this constraint an explicit `name`"));
        }
        if c.is_global_name() {
            self.claim_global(schema, c.name(), span, &table.v, "constraint")?;
        }
        let t = schema.table_mut(&table.v).expect("checked above");
        if let Constraint::PrimaryKey { columns, .. } = &c {
            for col in columns {
                if let Some(column) = t.columns.get_mut(col) {
                    column.nullable = false;
                }
            }
        }
        t.constraints.push(c.clone());
        if let Constraint::ForeignKey(fk) = &c {
            schema.note_fk(&fk.ref_table, &table.v);
        }
        Ok(c)
    }

    fn named(&self, name: Option<Sp<String>>, pattern: &str, t: &Table, cols: &[String], referred: &str) -> R<String> {
        match name {
            Some(n) => {
                check_name_len(&n)?;
                Ok(n.v)
            }
            None => Ok(Naming::make(pattern, &t.name, &cols.iter().map(|s| s.as_str()).collect::<Vec<_>>(), referred)),
        }
    }

    /// `alter_column`'s `generated` (SPEC 9): the column is a generated one
    /// (no operation makes a column generated or plain; drop and add it),
    /// given no default, and nothing else names it: PostgreSQL before 17
    /// has no `SET EXPRESSION`, so the column is dropped and added again,
    /// and what names it would go with it (the rule holds on every dialect,
    /// so that a project compiles for all).
    fn check_new_expression(&self, schema: &Schema, a: &AlterSpec, at: Span) -> R<()> {
        let t = schema.tables.get(&a.table.v).ok_or_else(|| no_table(&a.table, &[]))?;
        let col = check_column(t, &a.column.v, a.column.span)?;
        if col.generated.is_none() {
            return Err(err(
                codes::GENERATED_COLUMN_MISUSE,
                at,
                format!(
                    "`{}` is not a generated column: alter_column changes a generated column's expression",
                    a.column.v
                ),
                "not a generated column",
            )
            .help("drop the column and add it again to make it generated"));
        }
        if let Some(Some(d)) = &a.default {
            return Err(err(
                codes::GENERATED_COLUMN_MISUSE,
                d.span,
                format!("generated column `{}` cannot have a default: the engine computes its value", a.column.v),
                "generated",
            ));
        }
        let column = &a.column.v;
        let user = t
            .constraints
            .iter()
            .find(|c| c.columns(t).contains(&column.as_str()))
            .map(|c| format!("{} `{}`", c.kind().replace('_', " "), c.name()))
            .or_else(|| {
                t.indexes
                    .iter()
                    .find(|i| i.column_names().any(|c| c == column) || expression_uses(i, column))
                    .map(|i| format!("index `{}`", i.name))
            })
            .or_else(|| uses::column_user(schema, &a.table.v, column, &mut vec![]).map(|(kind, name)| format!("{kind} `{name}`")));
        if let Some(user) = user {
            return Err(err(
                codes::COLUMN_STILL_USED,
                at,
                format!("{user} uses `{column}`, whose expression changes: PostgreSQL before 17 drops and adds the column to change it"),
                "still used",
            )
            .help("drop it first, and make it again after"));
        }
        Ok(())
    }

    /// A column's type, nullability, default or comment, with its backfill.
    /// `enum_check`: the name for a non-native enum's check that the type
    /// change makes (a derived downgrade's, `DerivedNote::enum_check`).
    fn alter_column(&self, schema: &mut Schema, a: &AlterSpec, enum_check: Option<&str>) -> R<Change> {
        if let Some(Some(d)) = &a.default {
            check_next(schema, Some(d))?;
        }
        let new_enums = a.ty.as_ref().map(|t| new_enums(schema, std::slice::from_ref(&t.v))).unwrap_or_default();
        if let Some(ty) = &a.ty {
            check_enum_labels(&ty.v, ty.span)?;
            self.check_enums(schema, &new_enums, ty.span)?;
        }
        if let Some(g) = &a.generated {
            self.check_new_expression(schema, a, g.span)?;
        }
        let t = table_mut(schema, &a.table)?;
        let old = check_column(t, &a.column.v, a.column.span)?.clone();
        let mut new = old.clone();
        if let Some(g) = &a.generated {
            new.generated = Some(Box::new(g.v.clone()));
        }
        if let Some(ty) = &a.ty {
            if old.autoincrement && !ty.is_integer() {
                return Err(err(
                    codes::BAD_AUTOINCREMENT,
                    ty.span,
                    "an autoincrement column must stay an integer".into(),
                    "not an integer",
                ));
            }
            new.ty = ty.v.clone();
        }
        if let Some(n) = a.nullable {
            let in_pk = t.primary_key().is_some_and(|(_, cols)| cols.contains(&a.column.v));
            if n && in_pk {
                return Err(err(
                    codes::NULLABLE_PRIMARY_KEY,
                    a.column.span,
                    "a primary key column cannot be nullable".into(),
                    "in the primary key",
                ));
            }
            new.nullable = n;
        }
        if let Some(d) = &a.default {
            if let Some(d) = d {
                check_value_type(&new.ty, d)?;
            }
            new.default = d.as_ref().map(|d| d.v.clone());
        }
        if let Some(c) = &a.comment {
            new.comment = c.clone();
        }
        if let Some(on) = a.autoincrement {
            // Derived only (the downgrade of a dropped primary key): the column
            // is again the table's one integer key column, with no default.
            let in_key = t.primary_key().is_some_and(|(_, cols)| cols.contains(&a.column.v));
            let other = t.columns.values().any(|c| c.autoincrement && c.name != a.column.v);
            if on && (!in_key || !new.ty.is_integer() || new.default.is_some() || new.generated.is_some() || other) {
                return Err(err(
                    codes::BAD_AUTOINCREMENT,
                    a.column.span,
                    "autoincrement is only for an integer primary key".into(),
                    "not a primary key",
                ));
            }
            new.autoincrement = on;
        }
        if let Some(c) = &a.collation {
            new.collation = c.as_ref().map(|c| Box::new(c.v.clone()));
        }
        if let Some(b) = &a.backfill {
            check_value_type(&new.ty, b)?;
            if new.nullable {
                return Err(err(
                    codes::BACKFILL_WITHOUT_NOT_NULL,
                    b.span,
                    "`backfill` is only for a column that becomes NOT NULL".into(),
                    "no effect",
                )
                .help("add `nullable = false`"));
            }
        }
        // A non-native enum's check follows the column's type (SPEC 9).
        let drop_check = if old.ty != new.ty { t.enum_check(&old).cloned() } else { None };
        if let Some(c) = &drop_check {
            t.constraints.retain(|x| x.name() != c.name());
        }
        t.columns.insert(new.name.clone(), new.clone());
        let tname = t.name.clone();
        if let Some(c) = &drop_check {
            schema.global_names.remove(&fold(c.name()));
        }
        let using = a.using.as_ref().map(|u| Using::Sql(u.v.clone()));
        let add_check = match &new.ty {
            ColumnType::Enum(e) if !e.native && old.ty != new.ty => {
                let spec = ConstraintSpec::Check {
                    dialects: enum_check_dialects(&new.name, &e.values),
                    name: drop_check
                        .as_ref()
                        .map(|c| c.name())
                        .or(enum_check)
                        .map(|n| Sp::new(n.to_string(), a.column.span)),
                    expr: Sp::new(enum_check_expr(&new.name, &e.values), a.column.span),
                };
                Some(self.add_constraint(schema, &a.table, spec)?)
            }
            _ => None,
        };
        let dropped_enums = if a.ty.is_some() {
            dropped_enums(schema, std::iter::once(&old))
        } else {
            vec![]
        };
        forget_enums(schema, &dropped_enums);
        note_enums(schema, &new_enums);
        Ok(Change::AlterColumn {
            table: tname,
            old,
            new,
            backfill: a.backfill.as_ref().map(|b| b.v.clone()),
            new_enums,
            dropped_enums,
            using,
            drop_check,
            add_check,
        })
    }

    /// `alter_enum` (SPEC 9): renames, additions, rows mapped, removals, on
    /// every column that uses the enum; a non-native enum's check follows.
    fn alter_enum(&self, schema: &mut Schema, e: &EnumChange) -> R<Change> {
        let name = &e.name.v;
        let bad = |msg: String| err(codes::BAD_ENUM_CHANGE, e.name.span, msg, "in this alter_enum");
        // Every column that uses it, in table and column order. A non-native
        // enum takes no slot among types: one may share a native type's
        // name, and then the native type is meant.
        let mut uses_of: Vec<(String, String, &EnumType)> = vec![];
        for t in schema.tables.values() {
            for c in t.columns.values() {
                if let ColumnType::Enum(x) = &c.ty {
                    if x.name == *name {
                        uses_of.push((t.name.clone(), c.name.clone(), x));
                    }
                }
            }
        }
        if uses_of.iter().any(|(_, _, x)| x.native) {
            uses_of.retain(|(_, _, x)| x.native);
        }
        let current: Option<EnumType> = uses_of.first().map(|(_, _, x)| (*x).clone());
        let found: Vec<(String, String)> = uses_of.into_iter().map(|(t, c, _)| (t, c)).collect();
        let Some(cur) = current else {
            return Err(err(
                codes::NO_SUCH_ENUM,
                e.name.span,
                format!("no column uses an enum type `{name}` at this revision"),
                "no such enum",
            ));
        };
        let mut values = cur.values.clone();
        for (old, new) in &e.rename {
            let Some(i) = values.iter().position(|v| v == old) else {
                return Err(bad(format!("`rename`: `{old}` is not a value of `{name}` ({})", values.join(", "))));
            };
            if values.contains(new) {
                return Err(bad(format!("`rename`: `{name}` already has the value `{new}`")));
            }
            values[i] = new.clone();
        }
        let anchor = e.before.as_ref().or(e.after.as_ref());
        let at = match anchor {
            None => values.len(),
            Some(a) => match values.iter().position(|v| *v == a.v) {
                Some(i) if e.after.is_some() => i + 1,
                Some(i) => i,
                None => {
                    return Err(err(
                        codes::BAD_ENUM_CHANGE,
                        a.span,
                        format!("`{}` is not a value of `{name}`", a.v),
                        "no such value",
                    ))
                }
            },
        };
        for (i, v) in e.add.iter().enumerate() {
            if values.contains(v) {
                return Err(bad(format!("`add`: `{name}` already has the value `{v}`")));
            }
            values.insert(at + i, v.clone());
        }
        for v in &e.remove {
            if !values.contains(v) {
                return Err(bad(format!("`remove`: `{v}` is not a value of `{name}` ({})", values.join(", "))));
            }
        }
        values.retain(|v| !e.remove.contains(v));
        if values.is_empty() {
            return Err(bad(format!("`{name}` would have no value left")));
        }
        for (old, new) in &e.map {
            if !e.remove.contains(old) {
                return Err(bad(format!("`map`: `{old}` is not a value this alter_enum removes")));
            }
            if !values.contains(new) {
                return Err(bad(format!("`map`: `{new}` is not a value `{name}` keeps")));
            }
        }
        let new_ty = ColumnType::Enum(Box::new(EnumType {
            name: name.clone(),
            values: values.clone(),
            native: cur.native,
        }));
        check_enum_labels(&new_ty, e.name.span)?;
        let mut uses = vec![];
        for (tname, cname) in found {
            let t = schema.table_mut(&tname).expect("found above");
            let old = t.columns[&cname].clone();
            // A default that names a removed value takes its mapped one, or none.
            let mut new = Column {
                ty: new_ty.clone(),
                ..old.clone()
            };
            if let Some(Value::String(d)) = &old.default {
                let renamed = e.rename.iter().find(|(o, _)| o == d).map(|(_, n)| n.clone()).unwrap_or_else(|| d.clone());
                if e.remove.contains(&renamed) {
                    let mapped = e.map.iter().find(|(o, _)| *o == renamed).map(|(_, n)| n.clone());
                    match mapped {
                        Some(m) => new.default = Some(Value::String(m)),
                        None => {
                            return Err(bad(format!(
                                "`remove`: `{renamed}` is the default of `{tname}`.`{cname}`; `map` it to a value kept"
                            )))
                        }
                    }
                } else {
                    new.default = Some(Value::String(renamed));
                }
            }
            let old_check = t.enum_check(&old).cloned();
            let new_check = old_check.as_ref().map(|c| Constraint::Check {
                dialects: enum_check_dialects(&cname, &values),
                name: c.name().to_string(),
                expr: enum_check_expr(&cname, &values),
            });
            if let (Some(oc), Some(nc)) = (&old_check, &new_check) {
                for x in t.constraints.iter_mut() {
                    if x.name() == oc.name() {
                        *x = nc.clone();
                    }
                }
            }
            t.columns.insert(cname.clone(), new.clone());
            uses.push(EnumUse {
                table: tname,
                old,
                new,
                old_check,
                new_check,
            });
        }
        Ok(Change::AlterEnum {
            name: name.clone(),
            native: cur.native,
            old: cur.values.clone(),
            new: values,
            renamed: e.rename.clone(),
            mapped: e.map.clone(),
            uses,
        })
    }

    /// Rows checked against the columns' types; the model holds no rows.
    fn bulk_insert(&self, schema: &Schema, table: &Sp<String>, rows: &[Sp<Row>]) -> R<Change> {
        let t = schema.tables.get(&table.v).ok_or_else(|| no_table(table, &[]))?;
        // The columns named by any row, in table order.
        let mut names: Vec<&str> = vec![];
        for row in rows {
            for (k, v) in row.v.iter() {
                let col = check_column(t, &k.v, k.span)?;
                if col.generated.is_some() {
                    return Err(err(
                        codes::GENERATED_COLUMN_MISUSE,
                        k.span,
                        format!("`{}` is a generated column: the engine computes its value", k.v),
                        "generated column",
                    )
                    .help("leave the column out of the row"));
                }
                check_value_type(&col.ty, v)?;
            }
        }
        for c in t.columns.keys() {
            if rows.iter().any(|r| r.v.iter().any(|(k, _)| k.v == *c)) {
                names.push(c);
            }
        }
        let columns: Vec<Column> = names.iter().map(|n| t.columns[*n].clone()).collect();
        let mut out = vec![];
        for row in rows {
            let mut vals = vec![];
            for n in &names {
                vals.push(row.v.iter().find(|(k, _)| k.v == *n).map(|(_, v)| v.v.clone()));
            }
            out.push(vals);
        }
        let key = t
            .primary_key()
            .map(|(_, cols)| cols.to_vec())
            .filter(|cols| rows.iter().all(|r| cols.iter().all(|c| r.v.iter().any(|(k, v)| k.v == *c && is_plain(&v.v)))));
        Ok(Change::Insert {
            table: table.v.clone(),
            columns,
            rows: out,
            key,
        })
    }
}

/// A column that a generated column's expression names (in any dialect's
/// entry) can be neither dropped (the engines refuse) nor renamed (schemac
/// does not rewrite raw SQL, and a SQLite rebuild would spell the old name).
fn generated_uses(t: &Table, column: &str, span: Span) -> R<()> {
    let user = t.columns.values().find(|c| {
        c.name != column
            && c.generated.as_ref().is_some_and(|g| {
                g.expr
                    .0
                    .values()
                    .any(|e| crate::base::sqlwords::identifiers(e).iter().any(|w| w.eq_ignore_ascii_case(column)))
            })
    });
    match user {
        Some(g) => Err(err(
            codes::COLUMN_STILL_USED,
            span,
            format!("column `{column}` is used by the expression of generated column `{}`", g.name),
            "still used",
        )
        .help(format!("drop `{}` first, or change it", g.name))),
        None => Ok(()),
    }
}

/// Whether an expression element of the index names the column.
fn expression_uses(i: &Index, column: &str) -> bool {
    let Some(o) = i.options.as_deref() else { return false };
    i.columns
        .iter()
        .zip(&o.elements)
        .any(|(c, e)| e.expr && crate::base::sqlwords::identifiers(c).iter().any(|w| w.eq_ignore_ascii_case(column)))
}

/// SPEC 10.2: a rename cannot rewrite text written for every dialect when
/// the new name needs quotes (none reads as a name on every engine).
fn needs_quotes(new_name: &Sp<String>, holder: &str) -> Diagnostic {
    err(
        codes::RENAME_NEEDS_QUOTES,
        new_name.span,
        format!(
            "{holder} names what is renamed, in SQL written for every dialect, and `{}` would need quotes there, which no spelling gives on every engine",
            new_name.v
        ),
        "needs quotes",
    )
    .help("choose a name of letters, digits and `_`, or write that SQL per dialect (`{ postgresql = \"...\", mysql = \"...\", sqlite = \"...\" }`)")
}

fn is_plain(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Sql(_) | Value::Current(_) | Value::Next(_))
}

/// Rejects a literal whose kind cannot be the column's type.
pub fn check_value_type(ty: &ColumnType, v: &Sp<Value>) -> R<()> {
    use ColumnType as T;
    let ok = match (&v.v, ty) {
        (Value::Null | Value::Sql(_), _) | (_, T::Raw(_)) => true,
        (Value::Next(_), t) => t.is_integer() || matches!(t, T::Decimal(_)),
        (Value::Current(e), T::DateTime | T::TimestampTz) => e == "current_timestamp",
        (Value::Current(e), T::Date) => e == "current_date",
        (Value::Current(e), T::Time) => e == "current_time",
        (Value::Current(_), _) => false,
        (Value::Bool(_), T::Boolean) => true,
        (Value::Int(_), t) => t.is_integer() || matches!(t, T::Decimal(_) | T::Float | T::Boolean),
        (Value::Float(_), T::Decimal(_) | T::Float) => true,
        (Value::String(s), T::Enum(e)) => {
            let values = &e.values;
            if !values.contains(s) {
                return Err(err(
                    codes::VALUE_DOES_NOT_FIT,
                    v.span,
                    format!("`{s}` is not a value of this enum ({})", values.join(", ")),
                    "not an enum value",
                ));
            }
            true
        }
        (Value::String(s), T::String(Some(n)) | T::Char(Some(n))) => {
            if s.chars().count() > *n as usize {
                return Err(err(
                    codes::VALUE_DOES_NOT_FIT,
                    v.span,
                    format!("this string is {} characters; the column holds {n}", s.chars().count()),
                    "too long",
                ));
            }
            true
        }
        (Value::String(_), T::Boolean | T::SmallInt | T::Integer | T::BigInt | T::Float | T::Decimal(_)) => false,
        (Value::String(_), _) => true,
        (Value::Temporal(_), T::Date | T::Time | T::DateTime | T::TimestampTz) => true,
        _ => false,
    };
    if !ok {
        return Err(err(
            codes::VALUE_DOES_NOT_FIT,
            v.span,
            format!("this value does not fit a `{}` column", ty.neutral()),
            "wrong kind of value",
        ));
    }
    if out_of_range(ty, &v.v) {
        return Err(err(
            codes::VALUE_DOES_NOT_FIT,
            v.span,
            format!("this value is out of the range of a `{}` column", ty.neutral()),
            "out of range",
        ));
    }
    if let Value::String(s) = &v.v {
        if s.contains('\0') {
            return Err(err(
                codes::NUL_IN_STRING,
                v.span,
                "a string value cannot hold a NUL character".into(),
                "NUL character",
            ));
        }
    }
    Ok(())
}

/// Whether a number cannot be stored exactly in the column: PostgreSQL and
/// MySQL in strict mode refuse it (or round it), SQLite would keep it.
fn out_of_range(ty: &ColumnType, v: &Value) -> bool {
    use ColumnType as T;
    // Digits before and after the point of a plain decimal literal.
    let digits = |text: &str| -> Option<(usize, usize)> {
        let t = text.trim_start_matches(['-', '+']);
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let plain = |p: &str| p.bytes().all(|b| b.is_ascii_digit() || b == b'_');
        (plain(int) && plain(frac)).then(|| {
            let int = int.trim_start_matches(['0', '_']).replace('_', "").len();
            let frac = frac.trim_end_matches(['0', '_']).replace('_', "").len();
            (int, frac)
        })
    };
    match (v, ty) {
        (Value::Int(i), T::SmallInt) => i16::try_from(*i).is_err(),
        (Value::Int(i), T::Integer) => i32::try_from(*i).is_err(),
        (Value::Int(i), T::Decimal(Some((p, s)))) => digits(&i.to_string()).is_some_and(|(int, _)| int + *s as usize > *p as usize),
        (Value::Float(f), T::Decimal(Some((p, s)))) => digits(f).is_some_and(|(int, frac)| int + *s as usize > *p as usize || frac > *s as usize),
        _ => false,
    }
}

fn forget_names(schema: &mut Schema, t: &Table) {
    for n in t
        .indexes
        .iter()
        .map(|i| i.name.as_str())
        .chain(t.constraints.iter().filter(|c| c.is_global_name()).map(|c| c.name()))
    {
        schema.global_names.remove(&fold(n));
    }
}

/// The owner record of a schema-wide name.
fn owner(name: &str, kind: &'static str, table: &str) -> NameOwner {
    NameOwner {
        name: name.to_string(),
        kind,
        table: table.to_string(),
    }
}

/// Forgets a table's own name and the enum types it introduced, after a failed `create_table`.
fn forget_table(schema: &mut Schema, name: &str, enums: &[ColumnType]) {
    schema.global_names.remove(&fold(name));
    for e in enums {
        if let ColumnType::Enum(e) = e {
            schema.global_names.remove(&fold(&e.name));
        }
    }
}

/// Records new enum types' names (checked by `check_enums`).
fn note_enums(schema: &mut Schema, enums: &[ColumnType]) {
    for e in enums {
        if let ColumnType::Enum(e) = e {
            schema.global_names.insert(fold(&e.name), owner(&e.name, "enum type", ""));
        }
    }
}

/// Forgets the names of enum types no column uses any more.
fn forget_enums(schema: &mut Schema, names: &[String]) {
    for n in names {
        schema.global_names.remove(&fold(n));
    }
}

/// A column name that differs only in letter case from another column of
/// the table (`except`: the column being renamed): MySQL and SQLite
/// compare column names without case (SPEC 10.1).
fn column_case_clash(t: &Table, name: &Sp<String>, except: Option<&str>) -> R<()> {
    let folded = fold(&name.v);
    if let Some(other) = t.columns.keys().find(|c| Some(c.as_str()) != except && **c != name.v && fold(c) == folded) {
        return Err(err(
            codes::NAMES_DIFFER_IN_CASE,
            name.span,
            format!("column `{}` differs only in letter case from column `{other}` of `{}`", name.v, t.name),
            "same name without case",
        )
        .help("MySQL and SQLite compare column names without case: choose another name"));
    }
    Ok(())
}

/// Enum labels the engines accept: at most 63 bytes (PostgreSQL's
/// NAMEDATALEN - 1, https://www.postgresql.org/docs/15/datatype-enum.html)
/// and distinct without case (MySQL and MariaDB compare ENUM members by the
/// column's collation, case-insensitive by default, and refuse duplicates:
/// https://dev.mysql.com/doc/refman/8.4/en/enum.html).
fn check_enum_labels(ty: &ColumnType, span: Span) -> R<()> {
    let ColumnType::Enum(e) = ty else {
        return Ok(());
    };
    let mut seen: Vec<String> = vec![];
    for v in e.values.iter() {
        if v.len() > MAX_NAME {
            return Err(err(
                codes::BAD_ENUM_LABEL,
                span,
                format!("enum label `{v}` of `{}` is {} bytes; PostgreSQL allows {MAX_NAME}", e.name, v.len()),
                "label too long",
            ));
        }
        let f = fold(v);
        if let Some(i) = seen.iter().position(|s| *s == f) {
            return Err(err(
                codes::BAD_ENUM_LABEL,
                span,
                format!(
                    "enum labels `{}` and `{v}` of `{}` are equal without case, which MySQL and MariaDB refuse",
                    e.values[i], e.name
                ),
                "labels equal without case",
            ));
        }
        seen.push(f);
    }
    Ok(())
}

/// Enum types among `types` that no column of the schema uses yet.
fn new_enums(schema: &Schema, types: &[ColumnType]) -> Vec<ColumnType> {
    let mut out: Vec<ColumnType> = vec![];
    for t in types {
        if let ColumnType::Enum(e) = t {
            if !e.native {
                continue;
            }
            let name = &e.name;
            if !schema.enum_in_use(name) && !out.iter().any(|o| matches!(o, ColumnType::Enum(o) if o.name == *name)) {
                out.push(t.clone());
            }
        }
    }
    out
}

/// Enum types of `columns` that no column of the schema (after the change) uses.
fn dropped_enums<'a>(schema: &Schema, columns: impl Iterator<Item = &'a Column>) -> Vec<String> {
    let mut out = vec![];
    for c in columns {
        if let ColumnType::Enum(e) = &c.ty {
            if !e.native {
                continue;
            }
            let name = &e.name;
            if !schema.enum_in_use(name) && !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::naming::Naming;

    fn replay(schema: &mut Schema, ops: &str) -> Result<(), Diagnostic> {
        let text = format!("revision = \"r\"\n{ops}");
        let mut diags = vec![];
        let rev = crate::language::load::decode_revision(crate::base::diag::FileId(0), "r.toml".into(), &text, &mut diags).expect("decodes");
        assert!(diags.is_empty(), "{diags:?}");
        let naming = Naming::default();
        let r = Replayer {
            naming: &naming,
            version_table: "schemac_version",
        };
        for node in &rev.upgrade {
            r.apply(schema, node)?;
        }
        Ok(())
    }

    /// `referrers` reads only the tables its index names: foreign keys made
    /// by create_table, create_foreign_key and add_column, and renames of
    /// both ends, must all be found, in the tables' order.
    #[test]
    fn referrers_follow_foreign_keys_through_renames() {
        let mut s = Schema::default();
        replay(
            &mut s,
            r#"
[[upgrade]]
op = "create_table"
table = "parents"
columns = [{ name = "id", type = "integer", primary_key = true }]
[[upgrade]]
op = "create_table"
table = "children"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "parent_id", type = "integer", references = "parents.id" }]
[[upgrade]]
op = "create_table"
table = "others"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "p", type = "integer" }]
[[upgrade]]
op = "create_foreign_key"
table = "others"
columns = ["p"]
referred_table = "parents"
referred_columns = ["id"]
[[upgrade]]
op = "add_column"
table = "parents"
column = { name = "boss", type = "integer", references = "parents.id" }
[[upgrade]]
op = "rename_table"
table = "parents"
new_name = "folks"
[[upgrade]]
op = "rename_table"
table = "children"
new_name = "kids"
"#,
        )
        .expect("replays");
        let names = |t: &str| s.referrers(t).map(|(h, fk)| format!("{}.{}", h.name, fk.columns.join(","))).collect::<Vec<_>>();
        assert_eq!(names("folks"), ["others.p", "folks.boss", "kids.parent_id"]);
        assert!(names("parents").is_empty());
        let e = replay(&mut s.clone(), "[[upgrade]]\nop = \"drop_table\"\ntable = \"folks\"\n").unwrap_err();
        assert_eq!(e.code, codes::TABLE_STILL_REFERENCED);
        assert!(e.message.contains("of `others`"), "{}", e.message);
        let e = replay(&mut s, "[[upgrade]]\nop = \"drop_column\"\ntable = \"folks\"\ncolumn = \"id\"\n").unwrap_err();
        assert_eq!(e.code, codes::COLUMN_STILL_USED);
    }

    /// Replays `ops` as one new revision on top of `schema`.
    fn revision(schema: &Schema, ops: &str) -> Result<Schema, Diagnostic> {
        let mut s = schema.clone();
        s.fresh.0.clear();
        replay(&mut s, ops).map(|_| s)
    }

    fn base() -> Schema {
        let mut s = Schema::default();
        replay(
            &mut s,
            r#"
[[upgrade]]
op = "create_table"
table = "users"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "email", type = "text" }]
[[upgrade]]
op = "create_table"
table = "orders"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "user_id", type = "integer" }]
foreign_keys = [{ name = "fk_owner", columns = ["user_id"], referred_table = "users", referred_columns = ["id"] }]
check_constraints = [{ name = "ck_positive", expr = "id > 0" }]
"#,
        )
        .expect("replays");
        s
    }

    #[track_caller]
    fn refused(ops: &str, code: Code) {
        match revision(&base(), ops) {
            Ok(_) => panic!("expected {code} for {ops}"),
            Err(e) => assert_eq!(e.code, code, "{ops}: {}", e.message),
        }
    }

    /// SPEC 9: a table name is unique per schema; a schema goes only once
    /// empty (a view naming `schema.table` holds the table); a dropped table
    /// takes the sequences its columns own with it; a renamed owner is followed.
    #[test]
    fn schemas_and_sequences_in_the_model() {
        let mut s = Schema::default();
        let ops = r#"
[[upgrade]]
op = "create_namespace"
name = "billing"
[[upgrade]]
op = "create_table"
table = "accounts"
columns = [{ name = "id", type = "integer", primary_key = true, default = { next = "ids" } }]
primary_key = []
[[upgrade]]
op = "create_table"
schema = "billing"
table = "accounts"
columns = [{ name = "id", type = "integer" }]
[[upgrade]]
op = "create_sequence"
schema = "billing"
name = "acc_seq"
owned_by = "accounts.id"
[[upgrade]]
op = "create_view"
name = "v"
sql = "SELECT id FROM billing.accounts"
"#;
        let with_seq = format!(
            "[[upgrade]]\nop = \"create_sequence\"\nname = \"ids\"\n{}",
            ops.replace("primary_key = []\n", "")
        );
        replay(&mut s, &with_seq).expect("two tables `accounts`, one per schema");
        let qualified = crate::base::naming::qualify(Some("billing"), "accounts");
        assert!(s.tables.contains_key("accounts") && s.tables.contains_key(&qualified));
        assert_eq!(s.views["v"].depends_on, vec![qualified.clone()]);
        let e = replay(&mut s.clone(), "[[upgrade]]\nop = \"drop_table\"\nschema = \"billing\"\ntable = \"accounts\"\n").unwrap_err();
        assert_eq!(e.code, codes::STILL_USED_BY_VIEW);
        replay(&mut s, "[[upgrade]]\nop = \"drop_view\"\nname = \"v\"\n[[upgrade]]\nop = \"rename_table\"\nschema = \"billing\"\ntable = \"accounts\"\nnew_name = \"clients\"\n").expect("renamed");
        let clients = crate::base::naming::qualify(Some("billing"), "clients");
        let seq = crate::base::naming::qualify(Some("billing"), "acc_seq");
        assert_eq!(s.sequences[&seq].owned_by, Some((clients.clone(), "id".to_string())));
        let e = replay(&mut s.clone(), "[[upgrade]]\nop = \"drop_namespace\"\nname = \"billing\"\n").unwrap_err();
        assert_eq!(e.code, codes::NAMESPACE_NOT_EMPTY);
        let e = replay(&mut s.clone(), "[[upgrade]]\nop = \"drop_sequence\"\nname = \"ids\"\n").unwrap_err();
        assert_eq!(e.code, codes::SEQUENCE_STILL_USED);
        replay(
            &mut s,
            "[[upgrade]]\nop = \"drop_table\"\nschema = \"billing\"\ntable = \"clients\"\n[[upgrade]]\nop = \"drop_namespace\"\nname = \"billing\"\n",
        )
        .expect("the owned sequence went with its table");
        assert!(!s.sequences.contains_key(&seq) && s.namespaces.is_empty());
    }

    /// SPEC 10.2: the SQL text in the model follows renames, and a drop of
    /// what a view or a partial index uses is refused, naming it.
    #[test]
    fn sql_text_follows_renames_and_keeps_what_it_uses() {
        let s = revision(
            &base(),
            r#"
[[upgrade]]
op = "create_view"
name = "user_orders"
sql = "SELECT u.email AS mail, orders.id FROM users u JOIN orders ON orders.user_id = u.id"
[[upgrade]]
op = "create_index"
table = "users"
name = "ix_users_email_live"
columns = ["email"]
where = "email <> 'id'"
[[upgrade]]
op = "create_index"
table = "orders"
name = "ix_orders_user_live"
columns = ["id"]
where = "user_id IS NOT NULL"
[[upgrade]]
op = "rename_column"
table = "orders"
column = "id"
new_name = "order_id"
[[upgrade]]
op = "rename_table"
table = "orders"
new_name = "purchases"
[[upgrade]]
op = "rename_column"
table = "users"
column = "email"
new_name = "address"
"#,
        )
        .expect("replays");
        assert_eq!(
            s.views["user_orders"].sql.0["default"],
            "SELECT u.address AS mail, purchases.order_id FROM users u JOIN purchases ON purchases.user_id = u.id"
        );
        assert_eq!(s.views["user_orders"].depends_on, ["purchases", "users"]);
        let p = &s.tables["purchases"];
        assert!(p
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::Check { expr, .. } if expr == "order_id > 0")));
        assert_eq!(s.tables["users"].indexes[0].where_.as_deref(), Some("address <> 'id'"));
        // A drop of what the view or a predicate uses is refused; the renamed table too.
        let drop_col = |t: &str, c: &str| format!("[[upgrade]]\nop = \"drop_column\"\ntable = \"{t}\"\ncolumn = \"{c}\"\n");
        assert_eq!(revision(&s, &drop_col("users", "address")).unwrap_err().code, codes::STILL_USED_BY_VIEW);
        assert_eq!(revision(&s, &drop_col("purchases", "user_id")).unwrap_err().code, codes::STILL_USED_BY_VIEW);
        let e = revision(&s, "[[upgrade]]\nop = \"drop_table\"\ntable = \"purchases\"\n").unwrap_err();
        assert_eq!(e.code, codes::STILL_USED_BY_VIEW);
        assert!(e.message.contains("user_orders"), "{}", e.message);
        let without_view = revision(&s, "[[upgrade]]\nop = \"drop_view\"\nname = \"user_orders\"\n").unwrap();
        let e = revision(&without_view, &drop_col("purchases", "user_id")).unwrap_err();
        assert_eq!(e.code, codes::COLUMN_STILL_USED);
        assert!(e.message.contains("ix_orders_user_live"), "{}", e.message);
        // The index on the column alone goes with it, predicate and all.
        revision(&without_view, &drop_col("users", "address")).expect("goes with its index");
    }

    #[test]
    fn one_namespace_for_tables_views_indexes_constraints_and_types() {
        refused(
            "[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"users\"\ncolumns = [\"user_id\"]\n",
            codes::SHARED_NAMESPACE,
        );
        refused(
            "[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"k\", type = { enum = [\"a\"], name = \"users\" } }]\n",
            codes::SHARED_NAMESPACE,
        );
        refused(
            "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"k\", type = { enum = [\"a\"], name = \"orders\" } }\n",
            codes::SHARED_NAMESPACE,
        );
        refused(
            "[[upgrade]]\nop = \"create_view\"\nname = \"fk_owner\"\nsql = \"SELECT 1\"\n",
            codes::SHARED_NAMESPACE,
        );
        // Foreign key and check names are unique per database on MySQL/MariaDB.
        refused(
            "[[upgrade]]\nop = \"create_foreign_key\"\ntable = \"users\"\nname = \"fk_owner\"\ncolumns = [\"id\"]\nreferred_table = \"users\"\nreferred_columns = [\"id\"]\n",
            codes::NAME_COLLISION,
        );
        refused(
            "[[upgrade]]\nop = \"create_check_constraint\"\ntable = \"users\"\nname = \"ck_positive\"\nexpr = \"id > 0\"\n",
            codes::NAME_COLLISION,
        );
        // A table created later may not take an enum type's name either.
        let s = revision(
            &base(),
            "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"k\", type = { enum = [\"a\"], name = \"kind\" } }\n",
        )
        .expect("replays");
        let e = revision(
            &s,
            "[[upgrade]]\nop = \"create_table\"\ntable = \"kind\"\ncolumns = [{ name = \"id\", type = \"integer\" }]\n",
        )
        .unwrap_err();
        assert_eq!(e.code, codes::SHARED_NAMESPACE);
        // A dropped object frees its name.
        let s = revision(&base(), "[[upgrade]]\nop = \"drop_constraint\"\ntable = \"orders\"\nname = \"fk_owner\"\n").expect("replays");
        revision(
            &s,
            "[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"fk_owner\"\ncolumns = [\"user_id\"]\n",
        )
        .expect("name is free");
        let s = revision(&base(), "[[upgrade]]\nop = \"rename_table\"\ntable = \"users\"\nnew_name = \"people\"\n").expect("replays");
        revision(
            &s,
            "[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"users\"\ncolumns = [\"user_id\"]\n",
        )
        .expect("name is free");
        let e = revision(
            &s,
            "[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"people\"\ncolumns = [\"user_id\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.code, codes::SHARED_NAMESPACE);
    }

    #[test]
    fn names_that_differ_only_in_case_collide() {
        refused(
            "[[upgrade]]\nop = \"create_table\"\ntable = \"Users\"\ncolumns = [{ name = \"id\", type = \"integer\" }]\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        refused(
            "[[upgrade]]\nop = \"rename_table\"\ntable = \"orders\"\nnew_name = \"USERS\"\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        refused(
            "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"Email\", type = \"text\" }\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        refused(
            "[[upgrade]]\nop = \"rename_column\"\ntable = \"orders\"\ncolumn = \"id\"\nnew_name = \"User_Id\"\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        refused(
            "[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"a\", type = \"integer\" }, { name = \"A\", type = \"integer\" }]\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        refused(
            "[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"FK_OWNER\"\ncolumns = [\"user_id\"]\n",
            codes::NAMES_DIFFER_IN_CASE,
        );
        // A column or table renamed to another case of its own name is fine.
        revision(
            &base(),
            "[[upgrade]]\nop = \"rename_column\"\ntable = \"orders\"\ncolumn = \"user_id\"\nnew_name = \"User_Id\"\n",
        )
        .expect("replays");
        revision(&base(), "[[upgrade]]\nop = \"rename_table\"\ntable = \"orders\"\nnew_name = \"Orders\"\n").expect("replays");
    }

    #[test]
    fn generated_columns_and_enum_changes_are_checked() {
        let gen =
            "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"domain\", type = \"text\", generated = { expr = \"lower(email)\" } }\n";
        let s = revision(&base(), gen).expect("a generated column");
        assert!(s.tables["users"].columns["domain"].nullable, "a generated column is nullable");
        for then in [
            "[[upgrade]]\nop = \"drop_column\"\ntable = \"users\"\ncolumn = \"email\"\n",
            "[[upgrade]]\nop = \"rename_column\"\ntable = \"users\"\ncolumn = \"email\"\nnew_name = \"mail\"\n",
        ] {
            let e = revision(&s, then).expect_err("used by the generated column");
            assert_eq!(e.code, codes::COLUMN_STILL_USED, "{then}");
        }
        let e = revision(
            &s,
            "[[upgrade]]\nop = \"bulk_insert\"\ntable = \"users\"\nrows = [{ id = 1, domain = \"x\" }]\n",
        )
        .expect_err("a value for it");
        assert_eq!(e.code, codes::GENERATED_COLUMN_MISUSE);
        // alter_column's `generated`: a new expression for a generated column only,
        // with no default, and nothing naming the column.
        let alter = |column: &str, more: &str| {
            format!("[[upgrade]]\nop = \"alter_column\"\ntable = \"users\"\ncolumn = \"{column}\"\ngenerated = {{ expr = \"upper(email)\" }}\n{more}")
        };
        let changed = revision(&s, &alter("domain", "")).expect("a new expression");
        let g = changed.tables["users"].columns["domain"].generated.as_ref().expect("still generated");
        assert_eq!(g.expr.get(&["default"]), Some("upper(email)"));
        for (then, code) in [
            (alter("email", ""), codes::GENERATED_COLUMN_MISUSE),
            (alter("domain", "default = \"x\"\n"), codes::GENERATED_COLUMN_MISUSE),
        ] {
            assert_eq!(revision(&s, &then).expect_err("refused").code, code, "{then}");
        }
        let indexed = revision(&s, "[[upgrade]]\nop = \"create_index\"\ntable = \"users\"\ncolumns = [\"domain\"]\n").expect("an index");
        let e = revision(&indexed, &alter("domain", "")).expect_err("the index names it");
        assert_eq!(e.code, codes::COLUMN_STILL_USED);
        let kind = "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"k\", type = { enum = [\"a\", \"b\"], name = \"kind\" }, default = \"b\" }\n";
        let s = revision(&base(), kind).expect("an enum");
        for (change, code) in [
            ("name = \"nope\"\nadd = [\"c\"]", codes::NO_SUCH_ENUM),
            ("name = \"kind\"\nadd = [\"a\"]", codes::BAD_ENUM_CHANGE),
            ("name = \"kind\"\nremove = [\"z\"]", codes::BAD_ENUM_CHANGE),
            ("name = \"kind\"\nremove = [\"b\"]", codes::BAD_ENUM_CHANGE),
            ("name = \"kind\"\nremove = [\"a\"]\nmap = { a = \"z\" }", codes::BAD_ENUM_CHANGE),
            ("name = \"kind\"\nrename = { a = \"b\" }", codes::BAD_ENUM_CHANGE),
        ] {
            let e = revision(&s, &format!("[[upgrade]]\nop = \"alter_enum\"\n{change}\n")).expect_err(change);
            assert_eq!(e.code, code, "{change}: {}", e.message);
        }
        let s = revision(
            &s,
            "[[upgrade]]\nop = \"alter_enum\"\nname = \"kind\"\nrename = { b = \"bee\" }\nadd = [\"z\"]\nbefore = \"a\"\n",
        )
        .expect("valid");
        let c = &s.tables["users"].columns["k"];
        assert!(matches!(&c.ty, ColumnType::Enum(e) if e.values == ["z", "a", "bee"]), "{:?}", c.ty);
        assert_eq!(c.default, Some(Value::String("bee".into())), "the default follows the rename");
        // A non-native enum of the same name is another thing: the native type is meant.
        let other =
            "[[upgrade]]\nop = \"add_column\"\ntable = \"orders\"\ncolumn = { name = \"k\", type = { enum = [\"x\"], name = \"kind\", native = false } }\n";
        let s = revision(&s, other).expect("a non-native enum of the same name");
        let s = revision(&s, "[[upgrade]]\nop = \"alter_enum\"\nname = \"kind\"\nadd = [\"c\"]\n").expect("valid");
        assert!(matches!(&s.tables["orders"].columns["k"].ty, ColumnType::Enum(e) if e.values == ["x"] && !e.native));
        assert!(matches!(&s.tables["users"].columns["k"].ty, ColumnType::Enum(e) if e.values == ["z", "a", "bee", "c"] && e.native));
    }

    #[test]
    fn enum_labels_fit_every_engine() {
        let long = "x".repeat(64);
        refused(
            &format!("[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = {{ name = \"k\", type = {{ enum = [\"{long}\"], name = \"k\" }} }}\n"),
            codes::BAD_ENUM_LABEL,
        );
        refused(
            "[[upgrade]]\nop = \"alter_column\"\ntable = \"users\"\ncolumn = \"email\"\ntype = { enum = [\"A\", \"a\"], name = \"k\" }\n",
            codes::BAD_ENUM_LABEL,
        );
        let ok = "x".repeat(63);
        revision(
            &base(),
            &format!("[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = {{ name = \"k\", type = {{ enum = [\"{ok}\", \"A\", \"b\"], name = \"k\" }} }}\n"),
        )
        .expect("replays");
    }

    #[test]
    fn the_version_table_and_its_key_are_reserved() {
        refused(
            "[[upgrade]]\nop = \"create_table\"\ntable = \"schemac_version\"\ncolumns = [{ name = \"id\", type = \"integer\" }]\n",
            codes::RESERVED_NAME,
        );
        refused(
            "[[upgrade]]\nop = \"rename_table\"\ntable = \"users\"\nnew_name = \"SCHEMAC_VERSION\"\n",
            codes::RESERVED_NAME,
        );
        let key = Naming::make(&Naming::default().primary_key, "schemac_version", &[], "");
        refused(
            &format!("[[upgrade]]\nop = \"create_index\"\ntable = \"orders\"\nname = \"{key}\"\ncolumns = [\"user_id\"]\n"),
            codes::RESERVED_NAME,
        );
    }

    #[test]
    fn a_not_null_column_of_an_existing_table_needs_a_value() {
        let add = |extra: &str| {
            format!("[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = {{ name = \"n\", type = \"integer\", nullable = false{extra} }}\n")
        };
        refused(&add(""), codes::NOT_NULL_WITHOUT_VALUE);
        revision(&base(), &add(", default = 0")).expect("a default fills the rows");
        revision(&base(), &format!("{}backfill = 0\n", add(""))).expect("a backfill fills the rows");
        refused(
            "[[upgrade]]\nop = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"n\", type = \"integer\" }\nbackfill = 0\n",
            codes::BACKFILL_WITHOUT_NOT_NULL,
        );
        refused(&format!("{}backfill = \"x\"\n", add("")), codes::VALUE_DOES_NOT_FIT);
        // A table created in the same revision holds no rows yet, even renamed.
        revision(
            &base(),
            &format!(
                "[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{{ name = \"id\", type = \"integer\" }}]\n[[upgrade]]\nop = \"rename_table\"\ntable = \"t\"\nnew_name = \"users2\"\n{}",
                add("").replace("\"users\"", "\"users2\"")
            ),
        )
        .expect("a new table has no rows");
    }
}
