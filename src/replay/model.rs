//! The schema model: tables with their columns, keys, constraints and
//! indexes, views, and triggers recognised in `execute`. Replay keeps it
//! valid; later stages assume so. Maps are `IndexMap`s so that every walk
//! over the model is in creation order, which keeps the output deterministic.

pub use crate::base::fxhash::FastHash;
pub use crate::vocab::types::{ColumnType, EnumType, FkAction, Generated, IndexElement, IndexOptions, PerDialect, Using, Value};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

/// A map in creation order, keyed by name.
pub type NameMap<V> = IndexMap<String, V, FastHash>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    pub default: Option<Value>,
    pub autoincrement: bool,
    pub comment: Option<String>,
    /// A generated column's expression (SPEC 9); boxed, as most columns have none.
    pub generated: Option<Box<Generated>>,
    /// The column's collation, per dialect (SPEC 9).
    pub collation: Option<Box<PerDialect>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: Option<FkAction>,
    pub on_update: Option<FkAction>,
}

/// A table-level constraint. Every constraint has a name in the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    PrimaryKey {
        name: String,
        columns: Vec<String>,
    },
    Unique {
        name: String,
        columns: Vec<String>,
    },
    ForeignKey(ForeignKey),
    /// `dialects`: the check's SQL per dialect when it was written as a
    /// table (SPEC 9), an entry `""` meaning the dialect has no such check;
    /// `expr` is then its `default` entry, else its first non-empty one.
    Check {
        name: String,
        expr: String,
        dialects: Option<Box<PerDialect>>,
    },
}

impl Constraint {
    pub fn name(&self) -> &str {
        match self {
            Constraint::PrimaryKey { name, .. } | Constraint::Unique { name, .. } | Constraint::Check { name, .. } => name,
            Constraint::ForeignKey(fk) => &fk.name,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Constraint::PrimaryKey { .. } => "primary_key",
            Constraint::Unique { .. } => "unique",
            Constraint::ForeignKey(_) => "foreign_key",
            Constraint::Check { .. } => "check",
        }
    }

    /// The columns of this table the constraint is on (for a check: those
    /// its expression mentions, given the table's columns).
    pub fn columns<'a>(&'a self, table: &'a Table) -> Vec<&'a str> {
        match self {
            Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => columns.iter().map(|s| s.as_str()).collect(),
            Constraint::ForeignKey(fk) => fk.columns.iter().map(|s| s.as_str()).collect(),
            Constraint::Check { expr, .. } => {
                let words = crate::base::sqlwords::identifiers(expr);
                table.columns.keys().filter(|c| words.iter().any(|w| w == *c)).map(|s| s.as_str()).collect()
            }
        }
    }

    /// Whether the constraint's name is schema-wide: every kind is, on some
    /// engine (primary key and unique constraints are indexes on PostgreSQL,
    /// foreign key and check names are unique per database on MySQL/MariaDB:
    /// https://dev.mysql.com/doc/refman/8.4/en/create-table-foreign-keys.html,
    /// https://dev.mysql.com/doc/refman/8.4/en/create-table-check-constraints.html).
    pub fn is_global_name(&self) -> bool {
        true
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub name: String,
    /// Column names; an expression element's entry is its SQL text
    /// (`options` says which).
    pub columns: Vec<String>,
    pub unique: bool,
    pub where_: Option<String>,
    /// Element options, method, include, kind (SPEC 9); `None` for a plain index.
    pub options: Option<Box<IndexOptions>>,
}

impl Index {
    /// The plain index MySQL/MariaDB make for a foreign key, under its name.
    pub fn of_foreign_key(fk: &ForeignKey) -> Index {
        Index {
            name: fk.name.clone(),
            columns: fk.columns.clone(),
            unique: false,
            where_: None,
            options: None,
        }
    }

    /// The entries of `columns` that are column names (not expressions),
    /// and the `include` columns.
    pub fn column_names(&self) -> impl Iterator<Item = &String> {
        let opts = self.options.as_deref();
        self.columns
            .iter()
            .enumerate()
            .filter(move |(i, _)| !opts.and_then(|o| o.elements.get(*i)).is_some_and(|e| e.expr))
            .map(|(_, c)| c)
            .chain(opts.into_iter().flat_map(|o| o.include.iter()))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: NameMap<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub comment: Option<String>,
    pub options: Option<PerDialect>,
}

/// Whether a column name is written bare in a non-native enum's check.
/// A name every dialect reads bare: lower case, digits and `_`, and no
/// dialect's reserved word (`default`, `order` need quotes).
fn plain_name(column: &str) -> bool {
    super::sqltext::simple(column)
}

/// The check a non-native enum column is held by (SPEC 9): its values, as
/// the SQL the check constraint holds. The column's name is written bare
/// when it is a plain lower-case identifier and no reserved word, double-quoted otherwise (and
/// then `enum_check_dialects` gives MySQL's spelling).
pub fn enum_check_expr(column: &str, values: &[String]) -> String {
    enum_check_quoted(column, values, '"')
}

/// The per-dialect text of a non-native enum's check, when its column's
/// name needs quoting: MySQL and MariaDB read `"x"` as a string.
pub fn enum_check_dialects(column: &str, values: &[String]) -> Option<Box<PerDialect>> {
    if plain_name(column) {
        return None;
    }
    let mut m = IndexMap::new();
    m.insert("mysql".to_string(), enum_check_quoted(column, values, '`'));
    m.insert("default".to_string(), enum_check_quoted(column, values, '"'));
    Some(Box::new(PerDialect(m)))
}

fn enum_check_quoted(column: &str, values: &[String], quote: char) -> String {
    let mut out = if plain_name(column) {
        column.to_string()
    } else {
        let doubled: String = [quote, quote].iter().collect();
        format!("{quote}{}{quote}", column.replace(quote, &doubled))
    };
    out.push_str(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('\'');
        out.push_str(&v.replace('\'', "''"));
        out.push('\'');
    }
    out.push(')');
    out
}

impl Table {
    /// The check constraint that holds a non-native enum column, if any.
    pub fn enum_check(&self, column: &Column) -> Option<&Constraint> {
        let ColumnType::Enum(e) = &column.ty else { return None };
        if e.native {
            return None;
        }
        let expr = enum_check_expr(&column.name, &e.values);
        self.constraints.iter().find(|c| matches!(c, Constraint::Check { expr: x, .. } if *x == expr))
    }

    pub fn primary_key(&self) -> Option<(&str, &[String])> {
        self.constraints.iter().find_map(|c| match c {
            Constraint::PrimaryKey { name, columns } => Some((name.as_str(), columns.as_slice())),
            _ => None,
        })
    }

    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.name() == name)
    }

    pub fn foreign_keys(&self) -> impl Iterator<Item = &ForeignKey> {
        self.constraints.iter().filter_map(|c| match c {
            Constraint::ForeignKey(fk) => Some(fk),
            _ => None,
        })
    }

    /// Whether `columns` carry a primary key, a unique constraint or a unique
    /// index (what a foreign key may refer to).
    pub fn has_unique_key(&self, columns: &[String]) -> bool {
        let same = |cols: &[String]| cols.len() == columns.len() && cols.iter().all(|c| columns.contains(c));
        self.constraints.iter().any(|c| match c {
            Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => same(columns),
            _ => false,
        }) || self.indexes.iter().any(|i| i.unique && i.where_.is_none() && same(&i.columns))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub name: String,
    pub sql: PerDialect,
    /// Tables and views the query names.
    pub depends_on: Vec<String>,
}

/// A trigger created by an `execute`, recognised by parsing its SQL.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub name: String,
    pub table: String,
    /// The statement that created it, per dialect key.
    pub sql: IndexMap<String, String>,
}

/// DDL from an `execute` that schemac could not classify, with the tables it names.
#[derive(Clone, Debug, PartialEq)]
pub struct OpaqueDdl {
    pub dialect: String,
    pub sql: String,
    pub tables: Vec<String>,
}

/// A sequence (SPEC 9). Its name is qualified with its schema
/// (`base::naming::qualify`), as is `owned_by`'s table.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub name: String,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cycle: bool,
    /// The column that owns it: dropping the column or its table drops it.
    pub owned_by: Option<(String, String)>,
}

/// The whole schema at one point of the chain.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Shared, copied on write (`Schema::table_mut`): a change carries the
    /// table as it left it for the planner at the cost of a reference.
    pub tables: NameMap<Arc<Table>>,
    pub views: NameMap<View>,
    pub triggers: NameMap<Trigger>,
    /// The schemas created by `create_namespace` (SPEC 9); the default
    /// schema is not among them.
    pub namespaces: NameMap<()>,
    /// Sequences, by qualified name (SPEC 9).
    pub sequences: NameMap<Sequence>,
    /// The names that share one namespace on some engine (SPEC 10.1), each
    /// folded to lower case (`fold`): tables, views, indexes, constraints of
    /// every kind and enum types. PostgreSQL keeps tables, views, indexes
    /// (so primary key and unique constraints) and types in one namespace,
    /// SQLite tables, views and indexes; MySQL/MariaDB keep foreign key and
    /// check names unique per database and compare names without case. The
    /// union of those rules holds on every dialect, so that a project that
    /// compiles for one applies on all.
    pub global_names: HashMap<String, NameOwner, FastHash>,
    /// The tables created by the revision being replayed: a table not in
    /// it existed before the revision and may hold rows (SPEC 10.3). An
    /// index of one revision, not content: two schemas compare equal whatever it holds.
    pub fresh: Fresh,
    /// Unclassified DDL from `execute`, for the warnings of a SQLite rebuild.
    pub opaque: Vec<OpaqueDdl>,
    /// Which tables may hold a foreign key to each table, for `referrers`.
    pub fk_holders: FkHolders,
    /// Notes of the operation being replayed (SQL text it could not read,
    /// SPEC 10.2), taken by `Replayer::resolve` as warnings.
    pub notes: Notes,
}

/// Messages an operation leaves for its warnings: not content, two schemas
/// compare equal whatever they hold.
#[derive(Clone, Debug, Default)]
pub struct Notes(pub Vec<String>);

impl PartialEq for Notes {
    fn eq(&self, _: &Notes) -> bool {
        true
    }
}

/// The object that holds a schema-wide name.
#[derive(Clone, Debug, PartialEq)]
pub struct NameOwner {
    /// The name as spelled.
    pub name: String,
    /// `table`, `view`, `index`, `constraint` or `enum type`.
    pub kind: &'static str,
    /// The table an index or constraint belongs to (the object itself for a
    /// table or view, empty for an enum type).
    pub table: String,
}

/// The key of a name in `Schema::global_names`: names that differ only in
/// letter case collide on every dialect (SPEC 10.1).
pub fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// The tables created in the revision being replayed (`Schema::fresh`).
#[derive(Clone, Debug, Default)]
pub struct Fresh(pub std::collections::HashSet<String, FastHash>);

impl PartialEq for Fresh {
    fn eq(&self, _: &Fresh) -> bool {
        true
    }
}

/// For each table name, the tables that hold or once held a foreign key to
/// it: a superset, so that `Schema::referrers` reads those tables only and
/// not the whole schema (which made dropping or renaming columns cost the
/// size of the schema, quadratic over a long history). Replay notes every
/// foreign key it adds (`Schema::note_fk`), and every table name a rename
/// gives one; entries are never removed. An index, not content: two schemas
/// compare equal whatever it holds.
#[derive(Clone, Debug, Default)]
pub struct FkHolders(HashMap<String, Vec<String>, FastHash>);

impl PartialEq for FkHolders {
    fn eq(&self, _: &FkHolders) -> bool {
        true
    }
}

impl Schema {
    /// A table to change in place; copied first when a change still holds it.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.get_mut(name).map(Arc::make_mut)
    }

    /// Records that `holder` has a foreign key to `ref_table`.
    pub fn note_fk(&mut self, ref_table: &str, holder: &str) {
        let list = self.fk_holders.0.entry(ref_table.to_string()).or_default();
        if !list.iter().any(|h| h == holder) {
            list.push(holder.to_string());
        }
    }

    /// The table that owns an index of this name.
    pub fn index_table(&self, name: &str) -> Option<&Table> {
        let o = self.global_names.get(&fold(name))?;
        if o.kind != "index" || o.name != name {
            return None;
        }
        let table = self.tables.get(&o.table)?;
        table.indexes.iter().any(|i| i.name == name).then_some(table)
    }

    /// Foreign keys of other tables (or the same) that refer to `table`.
    /// In the tables' order (the first is the one a diagnostic names).
    pub fn referrers<'a>(&'a self, table: &'a str) -> impl Iterator<Item = (&'a Table, &'a ForeignKey)> + 'a {
        let keys_to = |tables: &mut dyn Iterator<Item = &'a Table>| -> Vec<(&'a Table, &'a ForeignKey)> {
            tables
                .flat_map(|t| t.foreign_keys().map(move |fk| (t, fk)))
                .filter(|(_, fk)| fk.ref_table == table)
                .collect()
        };
        let mut at: Vec<usize> = self
            .fk_holders
            .0
            .get(table)
            .into_iter()
            .flatten()
            .filter_map(|h| self.tables.get_index_of(h))
            .collect();
        at.sort_unstable();
        at.dedup();
        let found = keys_to(&mut at.into_iter().map(|i| &*self.tables[i]));
        debug_assert!(
            {
                let all = keys_to(&mut self.tables.values().map(|t| &**t));
                all.len() == found.len() && all.iter().zip(&found).all(|(a, b)| std::ptr::eq(a.1, b.1))
            },
            "the foreign key index missed a referrer of `{table}`"
        );
        found.into_iter()
    }

    /// The first column (table, column) whose default draws from the sequence `name`.
    pub fn sequence_user(&self, name: &str) -> Option<(&str, &str)> {
        self.tables.values().find_map(|t| {
            t.columns
                .values()
                .find(|c| matches!(&c.default, Some(Value::Next(s)) if s == name))
                .map(|c| (t.name.as_str(), c.name.as_str()))
        })
    }

    /// The sequences owned by a column of `table` (`column`: that one only), in creation order.
    pub fn owned_sequences(&self, table: &str, column: Option<&str>) -> Vec<Sequence> {
        self.sequences
            .values()
            .filter(|s| s.owned_by.as_ref().is_some_and(|(t, c)| t == table && column.is_none_or(|col| col == c)))
            .cloned()
            .collect()
    }

    /// Whether any column of any table uses the (native) enum type `name`.
    pub fn enum_in_use(&self, name: &str) -> bool {
        self.tables
            .values()
            .any(|t| t.columns.values().any(|c| matches!(&c.ty, ColumnType::Enum(e) if e.native && e.name == name)))
    }

    /// Views that depend on `table`, directly or through other views, in creation order.
    pub fn dependent_views(&self, table: &str) -> Vec<&View> {
        let mut names: Vec<&str> = vec![table];
        let mut out: Vec<&View> = vec![];
        for v in self.views.values() {
            if v.depends_on.iter().any(|d| names.contains(&d.as_str())) {
                names.push(&v.name);
                out.push(v);
            }
        }
        out
    }
}
