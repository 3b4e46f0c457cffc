//! The schema of a test database, as the engine itself reports it.
//!
//! `engines` fills a `Catalog` from SQLite's `sqlite_master` and pragmas,
//! PostgreSQL's `pg_catalog` and MariaDB's `information_schema`. Type names
//! and defaults are kept as the engine spells them (lower-cased), so a
//! catalog is meant to be compared with another catalog of the same engine
//! (before and after an upgrade and its downgrade, say) or snapshotted.
//!
//! Invariant: a catalog is deterministic. Every collection is either a
//! `BTreeMap`/`BTreeSet` or a list in a defined order (columns in table
//! order, key columns in key order, foreign keys sorted), so two reads of
//! the same schema are equal and print the same.
//!
//! What each engine can report differs, and the catalog does not hide it:
//!
//! - SQLite keeps constraint names only in the `CREATE TABLE` text, which
//!   `engines` parses; an unnamed unique constraint is keyed
//!   `(unnamed) a, b` and an unnamed check `(unnamed) <expression>`.
//! - MariaDB has no unique constraint apart from its unique index: every
//!   unique key is listed in `indexes` (with `unique: true`) and
//!   `unique_constraints` stays empty. The primary key has no name of its
//!   own there (it is always `PRIMARY`), and InnoDB's implicit indexes for
//!   foreign keys are listed like any other index. A column-level check
//!   (the `json_valid(col)` of a JSON column) is keyed `(unnamed) <clause>`:
//!   the name information_schema shows for it is the column's when it was
//!   made, kept by a rename, and no statement can name it.
//! - Enum types exist on PostgreSQL only.
//! - Schemas (SPEC 9) and sequences exist on PostgreSQL and MariaDB. A test
//!   isolates its schemas by naming them after its database
//!   (`TestDb::schema_prefix`, a MariaDB schema being a database of the
//!   server): only those are read, shown without the prefix, and a table,
//!   sequence or enum in one is keyed `schema.name`. Sequences that an
//!   identity column makes are not listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

/// Everything a test database holds, by kind of object.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// Base tables, by name.
    pub tables: BTreeMap<String, Table>,
    /// View names (materialized views included on PostgreSQL).
    pub views: BTreeSet<String>,
    /// Trigger name to the table it is defined on.
    pub triggers: BTreeMap<String, String>,
    /// PostgreSQL enum type name to its labels, in their declared order.
    pub enums: BTreeMap<String, Vec<String>>,
    /// The test's own schemas, without its prefix.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub schemas: BTreeSet<String>,
    /// Sequences by name (`schema.name` in a schema).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
}

/// A sequence's definition (not its current value), as the engine reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub start: String,
    pub increment: String,
    pub min: String,
    pub max: String,
    pub cycle: bool,
}

/// As derived, with `schemas` and `sequences` shown only when there are
/// some (so the catalogs of projects without them print as before).
impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Catalog");
        s.field("tables", &self.tables)
            .field("views", &self.views)
            .field("triggers", &self.triggers)
            .field("enums", &self.enums);
        if !self.schemas.is_empty() {
            s.field("schemas", &self.schemas);
        }
        if !self.sequences.is_empty() {
            s.field("sequences", &self.sequences);
        }
        s.finish()
    }
}

impl Catalog {
    /// The table called `name`, if there is one.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

/// One base table.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Columns in the table's order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// Indexes that no primary key or unique constraint owns, by name.
    pub indexes: BTreeMap<String, Index>,
    /// Unique constraint name to its columns, in key order.
    pub unique_constraints: BTreeMap<String, Vec<String>>,
    /// Foreign keys, sorted by name and then by columns.
    pub foreign_keys: Vec<ForeignKey>,
    /// Names of the check constraints.
    pub checks: BTreeSet<String>,
}

impl Table {
    /// The column called `name`, if there is one.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The column names, in the table's order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|column| column.name.as_str()).collect()
    }
}

/// One column of a table.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// The type as the engine reports it, lower-cased: `integer` and
    /// `character varying(20)` on PostgreSQL, `int(11)` and `varchar(20)` on
    /// MariaDB, the declared text on SQLite.
    #[serde(rename = "type")]
    pub type_name: String,
    pub nullable: bool,
    /// The default expression as the engine reports it; `None` when the
    /// column has none (or, on MariaDB, when it is `NULL`).
    pub default: Option<String>,
    /// An identity or serial column (PostgreSQL), `auto_increment`
    /// (MariaDB), or the `AUTOINCREMENT` integer primary key (SQLite).
    pub autoincrement: bool,
}

/// A table's primary key.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrimaryKey {
    /// The constraint name, where the engine keeps one (never on MariaDB).
    pub name: Option<String>,
    pub columns: Vec<String>,
}

/// An index that is not the primary key's or a unique constraint's.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Key columns in key order; an expression appears as the engine
    /// prints it (PostgreSQL) or as `<expression>` (SQLite).
    pub columns: Vec<String>,
    pub unique: bool,
    /// Whether the index has a `WHERE` clause.
    pub partial: bool,
}

/// A foreign key constraint.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ForeignKey {
    /// The constraint name, where the engine keeps one (SQLite: only when
    /// the `CREATE TABLE` text gives one).
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    /// `no action`, `restrict`, `cascade`, `set null` or `set default`.
    pub on_delete: String,
    /// Same spellings as `on_delete`.
    pub on_update: String,
}

/// Writes a prepared string as it is, so that `{:#?}` shows compact entries
/// without quotes around them.
struct Raw(String);

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn column_list(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let primary_key = match &self.primary_key {
            Some(key) => Raw(format!("{key:?}")),
            None => Raw("none".to_owned()),
        };
        let uniques: BTreeMap<&String, Raw> = self
            .unique_constraints
            .iter()
            .map(|(name, columns)| (name, Raw(column_list(columns))))
            .collect();
        f.debug_struct("Table")
            .field("columns", &self.columns)
            .field("primary_key", &primary_key)
            .field("indexes", &self.indexes)
            .field("unique_constraints", &uniques)
            .field("foreign_keys", &self.foreign_keys)
            .field("checks", &self.checks)
            .finish()
    }
}

impl fmt::Debug for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.type_name)?;
        if !self.nullable {
            f.write_str(" NOT NULL")?;
        }
        if let Some(default) = &self.default {
            write!(f, " DEFAULT {default}")?;
        }
        if self.autoincrement {
            f.write_str(" AUTOINCREMENT")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PrimaryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name} ")?;
        }
        f.write_str(&column_list(&self.columns))
    }
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&column_list(&self.columns))?;
        if self.unique {
            f.write_str(" UNIQUE")?;
        }
        if self.partial {
            f.write_str(" PARTIAL")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name} ")?;
        }
        write!(
            f,
            "{} REFERENCES {} {} ON DELETE {} ON UPDATE {}",
            column_list(&self.columns),
            self.referred_table,
            column_list(&self.referred_columns),
            self.on_delete,
            self.on_update
        )
    }
}
