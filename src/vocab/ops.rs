//! Operations: what a revision asks for, dialect-neutral and free of SQL
//! text. Names keep their spans so that replay can point at them. The
//! derived downgrade of a revision is built from the same types, with the
//! spans of the upgrade operation it inverts.
//!
//! `OpKind` is the one definition of the vocabulary: each kind's name and
//! the keys a file may give it; the decoder, the writer (`writer`), the
//! fuzzer and `tests/operations.rs` all read it, and no other list of
//! operation names exists.

pub mod writer;

use crate::base::diag::{FileId, Sp, Span};
use crate::vocab::types::{ColumnType, FkAction, Generated, IndexOptions, PerDialect, Value};

/// A column as a revision declares it, with its inline constraints.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    pub name: Sp<String>,
    pub ty: Sp<ColumnType>,
    pub nullable: Option<bool>,
    /// Boxed: most columns have none, and a value is 48 bytes.
    pub default: Option<Box<Sp<Value>>>,
    pub primary_key: bool,
    pub autoincrement: bool,
    pub unique: bool,
    /// Boxed, like the other rare parts, to keep the spec small: a history's
    /// column specs are all in memory until planned.
    pub references: Option<Box<Sp<(String, String)>>>,
    pub on_delete: Option<FkAction>,
    pub on_update: Option<FkAction>,
    pub comment: Option<String>,
    /// `generated = { expr, stored }` (SPEC 9), where it was written.
    pub generated: Option<Box<Sp<Generated>>>,
    /// `collation`, per dialect (SPEC 9).
    pub collation: Option<Box<Sp<PerDialect>>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeySpec {
    pub name: Option<Sp<String>>,
    pub columns: Sp<Vec<String>>,
    pub ref_table: Sp<String>,
    pub ref_columns: Sp<Vec<String>>,
    pub on_delete: Option<FkAction>,
    pub on_update: Option<FkAction>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexSpec {
    pub name: Option<Sp<String>>,
    /// Column names; an expression element's entry is its SQL text.
    pub columns: Sp<Vec<String>>,
    pub unique: bool,
    pub where_: Option<Sp<String>>,
    pub concurrently: bool,
    /// Element options, method, include, kind (boxed: most indexes have none).
    pub options: Option<Box<IndexOptions>>,
    /// Where each option was written (`"method"`, `"include"`, `"kind"`,
    /// `"length"`, `"nulls"`, `"opclass"`, `"order"`, `"expr"`), for the
    /// planner's diagnostics at the key.
    pub option_spans: Vec<(&'static str, Span)>,
    pub span: Span,
}

/// A table-level constraint as declared; the name may be left to the convention.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintSpec {
    PrimaryKey {
        name: Option<Sp<String>>,
        columns: Sp<Vec<String>>,
    },
    Unique {
        name: Option<Sp<String>>,
        columns: Sp<Vec<String>>,
    },
    ForeignKey(ForeignKeySpec),
    /// `expr` is the SQL every dialect reads for the columns it names (the
    /// `default` entry, else the first non-empty one); `dialects` holds the
    /// per-dialect table when one was written (SPEC 9: `""` means no such check).
    Check {
        name: Option<Sp<String>>,
        expr: Sp<String>,
        dialects: Option<Box<PerDialect>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    pub table: Sp<String>,
    pub columns: Vec<ColumnSpec>,
    pub constraints: Vec<ConstraintSpec>,
    pub indexes: Vec<IndexSpec>,
    pub comment: Option<String>,
    pub options: Option<PerDialect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterSpec {
    pub table: Sp<String>,
    pub column: Sp<String>,
    pub ty: Option<Sp<ColumnType>>,
    pub nullable: Option<bool>,
    /// `Some(None)`: drop the default.
    pub default: Option<Option<Sp<Value>>>,
    /// `Some(None)`: drop the comment.
    pub comment: Option<Option<String>>,
    pub backfill: Option<Sp<Value>>,
    /// `using`: the SQL that computes the new value from the old (SPEC 9);
    /// an entry `""` says the dialect has none.
    pub using: Option<Sp<PerDialect>>,
    /// Derived only (no file writes it): the column made autoincrement again
    /// (`Some(true)`) by the downgrade of a dropped primary key, or not.
    pub autoincrement: Option<bool>,
    /// `collation` (SPEC 9): a name or per-dialect table; `Some(None)`
    /// (`false`) goes back to the type's default.
    pub collation: Option<Option<Sp<PerDialect>>>,
    /// `generated` (SPEC 9): a generated column's new expression (and
    /// whether it is stored), as `add_column` spells it.
    pub generated: Option<Box<Sp<Generated>>>,
}

impl AlterSpec {
    /// An `alter_column` of `column` that changes nothing yet: the base of
    /// the derived ones (`AlterSpec { nullable: Some(true), ..AlterSpec::of(t, c) }`).
    pub fn of(table: Sp<String>, column: Sp<String>) -> AlterSpec {
        AlterSpec {
            table,
            column,
            ty: None,
            nullable: None,
            default: None,
            comment: None,
            backfill: None,
            using: None,
            autoincrement: None,
            collation: None,
            generated: None,
        }
    }
}

/// `alter_enum` (SPEC 9): in this order, renames, additions (at `before`
/// or `after` a value, else at the end), rows rewritten by `map`, removals.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumChange {
    pub name: Sp<String>,
    pub add: Vec<String>,
    pub before: Option<Sp<String>>,
    pub after: Option<Sp<String>>,
    pub rename: Vec<(String, String)>,
    pub remove: Vec<String>,
    pub map: Vec<(String, String)>,
}

/// A sequence as `create_sequence` declares it (SPEC 9).
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceSpec {
    /// Qualified with its schema (`base::naming::qualify`).
    pub name: Sp<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cycle: bool,
    /// `owned_by = "table.column"`: the table (qualified with the
    /// sequence's schema) and the column.
    pub owned_by: Option<Sp<(String, String)>>,
}

/// The operation vocabulary: one kind per `op = "..."` name a revision file
/// may hold, and the derived-only `delete_rows`. Every stage that handles
/// operations matches on `Op` (or on this kind) without a wildcard arm, so
/// the compiler points at each stage a new kind must reach, and
/// `tests/operations.rs` checks every kind of `ALL` through the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    CreateTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    RenameColumn,
    AlterColumn,
    CreateIndex,
    DropIndex,
    CreateUniqueConstraint,
    CreateForeignKey,
    CreateCheckConstraint,
    CreatePrimaryKey,
    DropConstraint,
    CreateView,
    DropView,
    Execute,
    BulkInsert,
    RenameIndex,
    RenameConstraint,
    AlterTable,
    AlterEnum,
    CreateNamespace,
    DropNamespace,
    CreateSequence,
    DropSequence,
    AlterSequence,
    /// Derived only: the downgrade of a bulk_insert; no file can write it.
    DeleteRows,
}

impl OpKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [OpKind; 28] = [
        OpKind::CreateTable,
        OpKind::DropTable,
        OpKind::RenameTable,
        OpKind::AddColumn,
        OpKind::DropColumn,
        OpKind::RenameColumn,
        OpKind::AlterColumn,
        OpKind::CreateIndex,
        OpKind::DropIndex,
        OpKind::CreateUniqueConstraint,
        OpKind::CreateForeignKey,
        OpKind::CreateCheckConstraint,
        OpKind::CreatePrimaryKey,
        OpKind::DropConstraint,
        OpKind::CreateView,
        OpKind::DropView,
        OpKind::Execute,
        OpKind::BulkInsert,
        OpKind::RenameIndex,
        OpKind::RenameConstraint,
        OpKind::AlterTable,
        OpKind::AlterEnum,
        OpKind::CreateNamespace,
        OpKind::DropNamespace,
        OpKind::CreateSequence,
        OpKind::DropSequence,
        OpKind::AlterSequence,
        OpKind::DeleteRows,
    ];

    /// The `op = "..."` name.
    pub const fn name(self) -> &'static str {
        match self {
            OpKind::CreateTable => "create_table",
            OpKind::DropTable => "drop_table",
            OpKind::RenameTable => "rename_table",
            OpKind::AddColumn => "add_column",
            OpKind::DropColumn => "drop_column",
            OpKind::RenameColumn => "rename_column",
            OpKind::AlterColumn => "alter_column",
            OpKind::CreateIndex => "create_index",
            OpKind::DropIndex => "drop_index",
            OpKind::CreateUniqueConstraint => "create_unique_constraint",
            OpKind::CreateForeignKey => "create_foreign_key",
            OpKind::CreateCheckConstraint => "create_check_constraint",
            OpKind::CreatePrimaryKey => "create_primary_key",
            OpKind::DropConstraint => "drop_constraint",
            OpKind::CreateView => "create_view",
            OpKind::DropView => "drop_view",
            OpKind::Execute => "execute",
            OpKind::BulkInsert => "bulk_insert",
            OpKind::RenameIndex => "rename_index",
            OpKind::RenameConstraint => "rename_constraint",
            OpKind::AlterTable => "alter_table",
            OpKind::AlterEnum => "alter_enum",
            OpKind::CreateNamespace => "create_namespace",
            OpKind::DropNamespace => "drop_namespace",
            OpKind::CreateSequence => "create_sequence",
            OpKind::DropSequence => "drop_sequence",
            OpKind::AlterSequence => "alter_sequence",
            OpKind::DeleteRows => "delete_rows",
        }
    }

    /// The keys an `[[upgrade]]` or `[[downgrade]]` table of this kind may
    /// hold, `op` first (the order is the one "known keys" lists); empty
    /// for a derived-only kind.
    pub const fn keys(self) -> &'static [&'static str] {
        match self {
            OpKind::CreateTable => &[
                "op",
                "table",
                "schema",
                "columns",
                "primary_key",
                "foreign_keys",
                "unique_constraints",
                "check_constraints",
                "indexes",
                "comment",
                "options",
            ],
            OpKind::DropTable => &["op", "table", "schema"],
            OpKind::RenameTable => &["op", "table", "schema", "new_name"],
            OpKind::AddColumn => &["op", "table", "schema", "column", "backfill"],
            OpKind::DropColumn => &["op", "table", "schema", "column"],
            OpKind::RenameColumn => &["op", "table", "schema", "column", "new_name"],
            OpKind::AlterColumn => &[
                "op",
                "table",
                "schema",
                "column",
                "type",
                "nullable",
                "default",
                "comment",
                "collation",
                "generated",
                "backfill",
                "using",
            ],
            OpKind::CreateIndex => &[
                "op",
                "table",
                "schema",
                "columns",
                "name",
                "unique",
                "where",
                "concurrently",
                "method",
                "include",
                "kind",
            ],
            OpKind::DropIndex => &["op", "name", "schema", "table", "concurrently"],
            OpKind::CreateUniqueConstraint => &["op", "table", "schema", "columns", "name"],
            OpKind::CreateForeignKey => &[
                "op",
                "table",
                "schema",
                "columns",
                "referred_table",
                "referred_schema",
                "referred_columns",
                "name",
                "on_delete",
                "on_update",
            ],
            OpKind::CreateCheckConstraint => &["op", "table", "schema", "expr", "name"],
            OpKind::CreatePrimaryKey => &["op", "table", "schema", "columns", "name"],
            OpKind::DropConstraint => &["op", "table", "schema", "name"],
            OpKind::CreateView => &["op", "name", "schema", "sql"],
            OpKind::DropView => &["op", "name", "schema"],
            OpKind::Execute => &["op", "sql"],
            OpKind::BulkInsert => &["op", "table", "schema", "rows"],
            OpKind::RenameIndex => &["op", "name", "schema", "new_name"],
            OpKind::RenameConstraint => &["op", "table", "schema", "name", "new_name"],
            OpKind::AlterTable => &["op", "table", "schema", "comment"],
            OpKind::AlterEnum => &["op", "name", "add", "before", "after", "rename", "remove", "map"],
            OpKind::CreateNamespace | OpKind::DropNamespace => &["op", "name"],
            OpKind::CreateSequence => &["op", "name", "schema", "start", "increment", "min", "max", "cycle", "owned_by"],
            OpKind::DropSequence => &["op", "name", "schema"],
            OpKind::AlterSequence => &["op", "name", "schema", "restart", "increment"],
            OpKind::DeleteRows => &[],
        }
    }

    /// Whether only schemac makes operations of this kind (a file cannot).
    pub const fn is_derived_only(self) -> bool {
        match self {
            OpKind::DeleteRows => true,
            OpKind::CreateTable
            | OpKind::DropTable
            | OpKind::RenameTable
            | OpKind::AddColumn
            | OpKind::DropColumn
            | OpKind::RenameColumn
            | OpKind::AlterColumn
            | OpKind::CreateIndex
            | OpKind::DropIndex
            | OpKind::CreateUniqueConstraint
            | OpKind::CreateForeignKey
            | OpKind::CreateCheckConstraint
            | OpKind::CreatePrimaryKey
            | OpKind::DropConstraint
            | OpKind::CreateView
            | OpKind::DropView
            | OpKind::Execute
            | OpKind::BulkInsert
            | OpKind::RenameIndex
            | OpKind::RenameConstraint
            | OpKind::AlterTable
            | OpKind::AlterEnum
            | OpKind::CreateNamespace
            | OpKind::DropNamespace
            | OpKind::CreateSequence
            | OpKind::DropSequence
            | OpKind::AlterSequence => false,
        }
    }

    /// The kinds a revision file may write, in the order of `ALL`.
    pub fn written() -> impl Iterator<Item = OpKind> {
        OpKind::ALL.into_iter().filter(|k| !k.is_derived_only())
    }

    /// The kind a revision file names, if it is one a file may write.
    pub fn from_name(name: &str) -> Option<OpKind> {
        OpKind::written().find(|k| k.name() == name)
    }
}

/// One row of a bulk_insert: column name to value.
pub type Row = Vec<(Sp<String>, Sp<Value>)>;

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    CreateTable(TableSpec),
    DropTable {
        table: Sp<String>,
    },
    RenameTable {
        table: Sp<String>,
        new_name: Sp<String>,
    },
    AddColumn {
        table: Sp<String>,
        column: ColumnSpec,
        /// A literal written into the rows the table already holds (SPEC 10.3).
        backfill: Option<Sp<Value>>,
    },
    DropColumn {
        table: Sp<String>,
        column: Sp<String>,
    },
    RenameColumn {
        table: Sp<String>,
        column: Sp<String>,
        new_name: Sp<String>,
    },
    AlterColumn(AlterSpec),
    CreateIndex {
        table: Sp<String>,
        index: IndexSpec,
    },
    DropIndex {
        name: Sp<String>,
        /// PostgreSQL: `DROP INDEX CONCURRENTLY`, between transactions.
        concurrently: bool,
    },
    AddConstraint {
        table: Sp<String>,
        constraint: ConstraintSpec,
    },
    DropConstraint {
        table: Sp<String>,
        name: Sp<String>,
    },
    CreateView {
        name: Sp<String>,
        sql: PerDialect,
    },
    DropView {
        name: Sp<String>,
    },
    Execute {
        sql: PerDialect,
    },
    BulkInsert {
        table: Sp<String>,
        rows: Vec<Sp<Row>>,
    },
    RenameIndex {
        name: Sp<String>,
        new_name: Sp<String>,
    },
    RenameConstraint {
        table: Sp<String>,
        name: Sp<String>,
        new_name: Sp<String>,
    },
    /// A table's own properties; `comment: None` drops the comment.
    AlterTable {
        table: Sp<String>,
        comment: Option<String>,
    },
    AlterEnum(EnumChange),
    /// A schema (SPEC 9): PostgreSQL's `CREATE SCHEMA`, a MySQL/MariaDB database.
    CreateNamespace {
        name: Sp<String>,
    },
    DropNamespace {
        name: Sp<String>,
    },
    CreateSequence(SequenceSpec),
    /// The name is qualified with its schema (`base::naming::qualify`).
    DropSequence {
        name: Sp<String>,
    },
    /// `restart` cannot be undone from the model (a derived downgrade refuses it).
    AlterSequence {
        name: Sp<String>,
        restart: Option<i64>,
        increment: Option<i64>,
    },
    /// Derived only: the downgrade of a bulk_insert, rows by their key.
    DeleteRows {
        table: Sp<String>,
        key: Vec<String>,
        rows: Vec<Vec<Value>>,
    },
}

impl Op {
    /// The table an operation changes, if it changes exactly one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Op::CreateTable(t) => Some(&t.table),
            Op::DropTable { table }
            | Op::RenameTable { table, .. }
            | Op::AddColumn { table, .. }
            | Op::DropColumn { table, .. }
            | Op::RenameColumn { table, .. }
            | Op::CreateIndex { table, .. }
            | Op::AddConstraint { table, .. }
            | Op::DropConstraint { table, .. }
            | Op::BulkInsert { table, .. }
            | Op::RenameConstraint { table, .. }
            | Op::AlterTable { table, .. }
            | Op::DeleteRows { table, .. } => Some(table),
            Op::AlterColumn(a) => Some(&a.table),
            Op::DropIndex { .. }
            | Op::RenameIndex { .. }
            | Op::CreateView { .. }
            | Op::DropView { .. }
            | Op::Execute { .. }
            | Op::AlterEnum(_)
            | Op::CreateNamespace { .. }
            | Op::DropNamespace { .. }
            | Op::CreateSequence(_)
            | Op::DropSequence { .. }
            | Op::AlterSequence { .. } => None,
        }
    }

    /// The operation's kind: the one place an `Op` variant meets its name.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::CreateTable(_) => OpKind::CreateTable,
            Op::DropTable { .. } => OpKind::DropTable,
            Op::RenameTable { .. } => OpKind::RenameTable,
            Op::AddColumn { .. } => OpKind::AddColumn,
            Op::DropColumn { .. } => OpKind::DropColumn,
            Op::RenameColumn { .. } => OpKind::RenameColumn,
            Op::AlterColumn(_) => OpKind::AlterColumn,
            Op::CreateIndex { .. } => OpKind::CreateIndex,
            Op::DropIndex { .. } => OpKind::DropIndex,
            Op::AddConstraint { constraint, .. } => match constraint {
                ConstraintSpec::PrimaryKey { .. } => OpKind::CreatePrimaryKey,
                ConstraintSpec::Unique { .. } => OpKind::CreateUniqueConstraint,
                ConstraintSpec::ForeignKey(_) => OpKind::CreateForeignKey,
                ConstraintSpec::Check { .. } => OpKind::CreateCheckConstraint,
            },
            Op::DropConstraint { .. } => OpKind::DropConstraint,
            Op::CreateView { .. } => OpKind::CreateView,
            Op::DropView { .. } => OpKind::DropView,
            Op::Execute { .. } => OpKind::Execute,
            Op::BulkInsert { .. } => OpKind::BulkInsert,
            Op::RenameIndex { .. } => OpKind::RenameIndex,
            Op::RenameConstraint { .. } => OpKind::RenameConstraint,
            Op::AlterTable { .. } => OpKind::AlterTable,
            Op::AlterEnum(_) => OpKind::AlterEnum,
            Op::CreateNamespace { .. } => OpKind::CreateNamespace,
            Op::DropNamespace { .. } => OpKind::DropNamespace,
            Op::CreateSequence(_) => OpKind::CreateSequence,
            Op::DropSequence { .. } => OpKind::DropSequence,
            Op::AlterSequence { .. } => OpKind::AlterSequence,
            Op::DeleteRows { .. } => OpKind::DeleteRows,
        }
    }

    /// The `op = "..."` name.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// An operation with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct OpNode {
    pub op: Op,
    pub span: Span,
    /// Set on operations of a derived downgrade.
    pub derived: Option<DerivedNote>,
}

/// Why a derived operation deserves a warning in the script, and what it
/// carries that no file can say.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedNote {
    pub warning: Option<String>,
    /// A derived `add_column` of a non-native enum: the name its check had.
    /// The check keeps its name when the column or table is renamed, so the
    /// naming convention would no longer give it (known/choice_check_renamed_then_dropped).
    pub enum_check: Option<String>,
}

/// One revision file.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub file: FileId,
    pub path: String,
    pub id: Sp<String>,
    pub down: Vec<Sp<String>>,
    /// `depends_on`: revisions (ids, labels, `label@head`) applied before
    /// this one without being its `down_revision` (SPEC 9).
    pub depends_on: Vec<Sp<String>>,
    pub message: String,
    pub branch_labels: Vec<Sp<String>>,
    pub transactional: bool,
    pub upgrade: Vec<OpNode>,
    pub downgrade: Option<Vec<OpNode>>,
}
