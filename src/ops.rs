//! Operations: what a revision asks for, dialect-neutral and free of SQL
//! text. Names keep their spans so that replay can point at them. The
//! derived downgrade of a revision is built from the same types, with the
//! spans of the upgrade operation it inverts.

use crate::diag::{FileId, Sp, Span};
use crate::model::{ColumnType, FkAction, PerDialect, Value};

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
    pub columns: Sp<Vec<String>>,
    pub unique: bool,
    pub where_: Option<Sp<String>>,
    pub concurrently: bool,
    pub span: Span,
}

/// A table-level constraint as declared; the name may be left to the convention.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintSpec {
    PrimaryKey { name: Option<Sp<String>>, columns: Sp<Vec<String>> },
    Unique { name: Option<Sp<String>>, columns: Sp<Vec<String>> },
    ForeignKey(ForeignKeySpec),
    Check { name: Option<Sp<String>>, expr: Sp<String> },
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
            | Op::DeleteRows { table, .. } => Some(table),
            Op::AlterColumn(a) => Some(&a.table),
            Op::DropIndex { .. } | Op::CreateView { .. } | Op::DropView { .. } | Op::Execute { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateTable(_) => "create_table",
            Op::DropTable { .. } => "drop_table",
            Op::RenameTable { .. } => "rename_table",
            Op::AddColumn { .. } => "add_column",
            Op::DropColumn { .. } => "drop_column",
            Op::RenameColumn { .. } => "rename_column",
            Op::AlterColumn(_) => "alter_column",
            Op::CreateIndex { .. } => "create_index",
            Op::DropIndex { .. } => "drop_index",
            Op::AddConstraint { constraint, .. } => match constraint {
                ConstraintSpec::PrimaryKey { .. } => "create_primary_key",
                ConstraintSpec::Unique { .. } => "create_unique_constraint",
                ConstraintSpec::ForeignKey(_) => "create_foreign_key",
                ConstraintSpec::Check { .. } => "create_check_constraint",
            },
            Op::DropConstraint { .. } => "drop_constraint",
            Op::CreateView { .. } => "create_view",
            Op::DropView { .. } => "drop_view",
            Op::Execute { .. } => "execute",
            Op::BulkInsert { .. } => "bulk_insert",
            Op::DeleteRows { .. } => "delete_rows",
        }
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

/// Why a derived operation deserves a warning in the script.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedNote {
    pub warning: Option<String>,
}

/// One revision file.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub file: FileId,
    pub path: String,
    pub id: Sp<String>,
    pub down: Vec<Sp<String>>,
    pub message: String,
    pub branch_labels: Vec<Sp<String>>,
    pub transactional: bool,
    pub upgrade: Vec<OpNode>,
    pub downgrade: Option<Vec<OpNode>>,
}
