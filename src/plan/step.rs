//! The plan's vocabulary: what one dialect will run, as data. The planner
//! (and `populate`, and the script driver for the version table) produce
//! [`Step`]s whose payload is model values only (names, `ColumnType`,
//! `Value`, the columns and sources of a rebuild); the renderer spells each
//! kind with one template. No SQL text is made here: the only text a step
//! carries is SQL the user wrote (`execute`, views, triggers, checks).

use crate::base::diag::{Diagnostic, Span};
use crate::replay::model::{Column, ColumnType, Constraint, Index, Sequence, Value};
use std::sync::Arc;

/// Where a step may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    InTransaction,
    /// PostgreSQL's CONCURRENTLY: between transactions.
    OutsideTransaction,
    /// In a transaction that this step starts (`[safety] online`: a
    /// validation or a backfill must not run under the lock the revision's
    /// earlier DDL took); the steps after it join that transaction.
    OwnTransaction,
}

/// One statement (or, for a rebuild, one group of statements) of a script.
#[derive(Clone, Debug)]
pub struct Step {
    pub kind: StepKind,
    /// What the step risks, as warnings with codes; the script shows their
    /// messages in a `-- WARNING:` line above it.
    pub warnings: Vec<Diagnostic>,
    pub placement: Placement,
    /// SQLite: the transaction must run with `PRAGMA foreign_keys=OFF` around it.
    pub foreign_keys_off: bool,
    /// Where the step came from, for diagnostics.
    pub span: Span,
}

impl StepKind {
    /// Whether running the step a second time, as spelt in a split block
    /// (`guarded`: `IF [NOT] EXISTS` or a catalog check), finds it done and
    /// changes nothing: what makes a split revision safe to re-run.
    pub fn rerunnable(&self) -> bool {
        use StepKind as K;
        match self {
            K::CreateTable(_)
            | K::DropTable { .. }
            | K::CommentTable { .. }
            | K::CommentColumn { .. }
            | K::AddColumn { .. }
            | K::DropColumn { .. }
            | K::AlterColumn { .. }
            | K::Backfill { .. }
            | K::CreateIndex { .. }
            | K::DropIndex { .. }
            | K::AddConstraint { .. }
            | K::DropConstraint { .. }
            | K::AddConstraintNotValid { .. }
            | K::AddNotNullCheck { .. }
            | K::AddUniqueUsingIndex { .. }
            | K::ValidateConstraint { .. }
            | K::DropNotNullCheck { .. }
            | K::DropInvalidIndex { .. }
            | K::DropView { .. }
            | K::VersionGuard { .. } => true,
            K::AlterTable { items, .. } => items.iter().all(StepKind::rerunnable),
            _ => false,
        }
    }
}

impl StepKind {
    /// What the step does, in a few words, for the script's comments.
    pub fn name(&self) -> &'static str {
        use StepKind as K;
        match self {
            K::RenameTable { .. } => "a table rename",
            K::RenameColumn { .. } | K::ChangeColumn { .. } => "a column rename",
            K::RenameIndex { .. } => "an index rename",
            K::RenameConstraint { .. } => "a constraint rename",
            K::CreateEnum { .. } => "CREATE TYPE",
            K::DropEnum { .. } => "DROP TYPE",
            K::EnumAddValue { .. } => "ALTER TYPE ... ADD VALUE",
            K::CreateView { .. } => "CREATE VIEW",
            K::Execute { .. } => "an execute",
            K::Insert { .. } | K::Upsert { .. } => "INSERT",
            K::DeleteRows { .. } => "DELETE",
            K::Rebuild(_) => "a table rebuild",
            _ => "a statement",
        }
    }
}

impl Step {
    pub fn new(kind: StepKind, span: Span) -> Step {
        Step {
            kind,
            warnings: vec![],
            placement: Placement::InTransaction,
            foreign_keys_off: false,
            span,
        }
    }
}

/// A column as a dialect declares it. Shared (`Arc`): the renderer keeps
/// the text of each distinct definition it has spelled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnDef {
    pub column: Column,
    /// SQLite: the column is the rowid primary key, declared inline with
    /// this constraint name (and the dialect's integer type).
    pub rowid_pk: Option<String>,
}

/// A table as a dialect creates it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    pub name: String,
    pub columns: Vec<Arc<ColumnDef>>,
    /// The constraints declared in the body (a rowid key is declared on its column).
    pub constraints: Vec<Constraint>,
    pub comment: Option<String>,
    /// The dialect's table options (MySQL's `ENGINE=...`), as the user wrote them.
    pub options: Option<String>,
}

/// One column of the rebuilt table filled from the old one.
#[derive(Clone, Debug, PartialEq)]
pub struct CopiedColumn {
    /// The column of the new table.
    pub name: String,
    /// The column of the old table its values come from; none for a column
    /// the revision adds, whose rows all take the backfill.
    pub source: Option<String>,
    /// The type changed: the value is converted to the new column's type.
    pub cast: bool,
    /// The conversion could lose a value (text to an integer, which CAST
    /// turns into 0 where PostgreSQL and MySQL refuse): the script first
    /// fails unless every value survives it (SPEC 10.6).
    pub guard: bool,
    /// NULLs become this value (`alter_column` with `backfill`).
    pub backfill: Option<Value>,
    /// The new column's type, for the backfill's spelling.
    pub ty: ColumnType,
    /// The user's expression that computes the value (`alter_column`'s `using`).
    pub using: Option<String>,
    /// Enum values rewritten on the way (`alter_enum`): old to new.
    pub map: Vec<(String, String)>,
}

/// SQLite's table rebuild (SPEC 5): a new table, the rows copied, the old
/// one dropped, the new one renamed, and what hung on it re-created.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebuild {
    pub table: String,
    /// The new table, named `temp` until it is renamed.
    pub def: Arc<TableDef>,
    pub copied: Vec<CopiedColumn>,
    pub indexes: Vec<Index>,
    /// `CREATE TRIGGER` statements as the user wrote them.
    pub triggers: Vec<String>,
    /// Triggers on other tables whose text names this one, as (name,
    /// statement): dropped before the old table is, re-created after the
    /// rename (SQLite's RENAME checks every trigger's text).
    pub naming_triggers: Vec<(String, String)>,
    /// Views that depend on the table, as (name, the user's SQL), in creation order.
    pub views: Vec<(String, String)>,
    /// The tables whose foreign keys are checked after the copy: the table
    /// and those that refer to it (no other can have gained a violation).
    pub fk_checked: Vec<String>,
}

/// The `ALGORITHM=` of a MySQL/MariaDB `ALTER TABLE` (`[safety] online`):
/// the server refuses the statement rather than fall back to a slower one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    /// Metadata only (MySQL accepts no `LOCK=` but `DEFAULT` with it).
    Instant,
    /// In place, with `LOCK=NONE`: reads and writes go on.
    Inplace,
}

/// A row's values for the columns a statement names.
pub type Row = Vec<Value>;

/// What a step does, with the model values a template needs to spell it.
/// Each kind has one template (`Renderer::context`).
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    CreateTable(Arc<TableDef>),
    DropTable {
        table: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    /// `comment: None` removes the table's comment.
    CommentTable {
        table: String,
        comment: Option<String>,
    },
    CommentColumn {
        table: String,
        column: String,
        comment: Option<String>,
    },
    AddColumn {
        table: String,
        column: Arc<ColumnDef>,
        inline: Vec<Constraint>,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// A rename that restates the column (MySQL before 8.0, MariaDB before 10.5.2).
    ChangeColumn {
        table: String,
        from: String,
        column: Arc<ColumnDef>,
    },
    AlterColumn {
        table: String,
        column: Arc<ColumnDef>,
        type_changed: bool,
        nullable_changed: bool,
        default_changed: bool,
        comment_changed: bool,
        /// The column stops or starts being autoincrement (a primary key
        /// dropped, or its derived downgrade).
        autoincrement_changed: bool,
        /// The user's expression for the new value (`using`, SPEC 9).
        using: Option<String>,
    },
    /// Rows of a column rewritten from one enum value to another (`alter_enum`).
    MapValues {
        table: String,
        column: String,
        map: Vec<(String, String)>,
    },
    /// NULLs of a column set to a value before it becomes NOT NULL.
    Backfill {
        table: String,
        column: String,
        ty: ColumnType,
        value: Value,
    },
    CreateEnum {
        name: String,
        values: Vec<String>,
    },
    DropEnum {
        name: String,
    },
    EnumAddValue {
        name: String,
        value: String,
        after: Option<String>,
        before: Option<String>,
    },
    EnumRenameValue {
        name: String,
        from: String,
        to: String,
    },
    /// A named enum type replaced by one with `values` (a removal): the old
    /// type renamed to `temp`, the new one created, each column converted
    /// (its rows rewritten by `map`) with its default set again, the old type dropped.
    EnumSwap {
        name: String,
        temp: String,
        values: Vec<String>,
        columns: Vec<(String, Arc<ColumnDef>)>,
        map: Vec<(String, String)>,
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
    },
    /// An index (or MySQL's index of a unique constraint) renamed in place.
    RenameIndex {
        table: String,
        from: String,
        to: String,
    },
    /// A foreign key or a check added without checking the rows already
    /// there (`NOT VALID`), if the table has no constraint of that name yet;
    /// `ValidateConstraint` checks them later (`[safety] online`).
    AddConstraintNotValid {
        table: String,
        constraint: Constraint,
    },
    /// `CHECK (column IS NOT NULL) NOT VALID` named `name`, if the table has
    /// no constraint of that name yet: the way to `SET NOT NULL` without a
    /// scan under ACCESS EXCLUSIVE (PostgreSQL 12+ uses the validated check).
    AddNotNullCheck {
        table: String,
        column: String,
        name: String,
    },
    /// A unique constraint made of the unique index of the same name, built
    /// `CONCURRENTLY` before it (`[safety] online`), if the table has no
    /// constraint of that name yet.
    AddUniqueUsingIndex {
        table: String,
        name: String,
    },
    /// `ALTER TABLE ... VALIDATE CONSTRAINT`: the rows checked under a lock
    /// that lets reads and writes go on.
    ValidateConstraint {
        table: String,
        name: String,
    },
    /// The check of `AddNotNullCheck` dropped (if it is there) once the column is NOT NULL.
    DropNotNullCheck {
        table: String,
        name: String,
    },
    /// An index of this name that a failed `CREATE INDEX CONCURRENTLY` left
    /// INVALID is dropped, so that the build can be run again.
    DropInvalidIndex {
        table: String,
        name: String,
    },
    /// Several changes to one table in one `ALTER TABLE` (MySQL, MariaDB),
    /// with the algorithm the server must use or refuse the statement.
    /// Each item is a step of one clause: `AddColumn`, `DropColumn`,
    /// `AlterColumn`, `RenameColumn`, `CreateIndex`, `DropIndex`,
    /// `RenameIndex`, `AddConstraint`, `DropConstraint`.
    AlterTable {
        table: String,
        items: Vec<StepKind>,
        algorithm: Option<Algorithm>,
    },
    /// `ALTER TABLE ... RENAME CONSTRAINT`.
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    /// `generic_drop`: the dialect's version has `DROP CONSTRAINT` for every kind.
    DropConstraint {
        table: String,
        constraint: Constraint,
        generic_drop: bool,
    },
    CreateView {
        name: String,
        sql: String,
    },
    DropView {
        name: String,
    },
    /// The user's SQL; `compound` when it has a `BEGIN ... END` body.
    Execute {
        sql: String,
        compound: bool,
    },
    /// Rows inserted; `columns` are those the rows name, with their types.
    Insert {
        table: String,
        columns: Vec<(String, ColumnType)>,
        rows: Vec<Row>,
        identity: Option<String>,
    },
    /// Rows deleted by key: `key` columns with their types, one value each per row.
    DeleteRows {
        table: String,
        key: Vec<(String, Option<ColumnType>)>,
        rows: Vec<Row>,
    },
    /// Rows inserted or updated by key (`populate`).
    Upsert {
        table: String,
        columns: Vec<(String, ColumnType)>,
        key: Vec<String>,
        update: Vec<String>,
        rows: Vec<Row>,
        identity: Option<String>,
    },
    Rebuild(Box<Rebuild>),
    /// A schema (SPEC 9): `CREATE SCHEMA`, or a database on MySQL/MariaDB.
    CreateNamespace {
        name: String,
    },
    DropNamespace {
        name: String,
    },
    /// `owned_by` is dropped by the planner where the dialect has no OWNED BY.
    CreateSequence {
        seq: Sequence,
    },
    DropSequence {
        name: String,
    },
    AlterSequence {
        name: String,
        restart: Option<i64>,
        increment: Option<i64>,
        owned_by: Option<(String, String)>,
    },
    /// The version table and its rows.
    VersionCreate {
        table: String,
        pk: String,
        if_not_exists: bool,
    },
    VersionInsert {
        table: String,
        rev: String,
    },
    VersionUpdate {
        table: String,
        rev: String,
        old: String,
    },
    VersionDelete {
        table: String,
        rev: String,
    },
    VersionDrop {
        table: String,
    },
    VersionClear {
        table: String,
    },
    /// The check a revision's block starts with (SPEC 10.5): the script
    /// fails here, before anything changes, unless the version table holds
    /// every revision of `holds` and none of `lacks`; with `only`, it holds
    /// nothing but `holds` (at base: no row at all).
    VersionGuard {
        table: String,
        holds: Vec<String>,
        lacks: Vec<String>,
        only: bool,
    },
}
