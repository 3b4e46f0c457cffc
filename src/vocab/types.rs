//! The neutral vocabulary of values a revision writes: column types (and
//! their neutral spelling, `parse_type`), literal values, per-dialect text,
//! and referential actions. Below both the language (which decodes them)
//! and the replay stage (whose model holds them); it imports nothing of either.

use indexmap::IndexMap;

/// Text per dialect: the value of a per-dialect table in a revision.
/// Keys are `postgresql`, `mysql`, `mariadb`, `sqlite` and `default`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PerDialect(pub IndexMap<String, String>);

impl std::hash::Hash for PerDialect {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        for entry in &self.0 {
            entry.hash(state);
        }
    }
}

impl PerDialect {
    pub fn single(s: impl Into<String>) -> PerDialect {
        let mut m = IndexMap::new();
        m.insert("default".to_string(), s.into());
        PerDialect(m)
    }

    /// The first entry of a lookup chain (`Dialect::lookup`: the dialect's
    /// own key, then the keys it falls back to, usually ending in `default`).
    pub fn get(&self, chain: &[&str]) -> Option<&str> {
        chain.iter().find_map(|k| self.0.get(*k)).map(|s| s.as_str())
    }
}

/// A neutral column type, or raw SQL per dialect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Boolean,
    SmallInt,
    Integer,
    BigInt,
    Float,
    Decimal(Option<(u32, u32)>),
    String(Option<u32>),
    Char(Option<u32>),
    Text,
    Binary,
    Date,
    Time,
    DateTime,
    TimestampTz,
    Json,
    Jsonb,
    Uuid,
    /// Boxed: enums are rare, and every column carries a `ColumnType`
    /// (16 bytes this way, 48 with the enum inline).
    Enum(Box<EnumType>),
    Raw(Box<PerDialect>),
}

/// A named enumerated type and its values, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnumType {
    /// The type's name; a non-native enum may have none (empty).
    pub name: String,
    pub values: Vec<String>,
    /// `false` (`native = false`, SPEC 9): a VARCHAR as long as the longest
    /// value, held by a check constraint, on every dialect; it takes no
    /// slot among the schema's types.
    pub native: bool,
}

impl EnumType {
    /// The length of a non-native enum's VARCHAR: its longest value, in characters.
    pub fn longest(&self) -> u32 {
        self.values.iter().map(|v| v.chars().count() as u32).max().unwrap_or(1).max(1)
    }
}

/// A generated column's expression (SPEC 9): raw SQL per dialect, stored
/// or computed when read (virtual).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Generated {
    pub expr: PerDialect,
    pub stored: bool,
}

/// The expression an `alter_column` computes the new value with (`using`, SPEC 9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Using {
    /// Raw SQL per dialect, as the user wrote it.
    Sql(PerDialect),
    /// Values of an enum rewritten (`alter_enum`'s renames and `map`): old to new.
    Map(Vec<(String, String)>),
}

impl ColumnType {
    pub fn is_integer(&self) -> bool {
        matches!(self, ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt)
    }

    /// The neutral spelling, as a revision would write it.
    pub fn neutral(&self) -> String {
        use ColumnType::*;
        match self {
            Boolean => "boolean".into(),
            SmallInt => "smallint".into(),
            Integer => "integer".into(),
            BigInt => "bigint".into(),
            Float => "float".into(),
            Decimal(Some((p, s))) => format!("decimal({p},{s})"),
            Decimal(None) => "decimal".into(),
            String(Some(n)) => format!("string({n})"),
            String(None) => "string".into(),
            Char(Some(n)) => format!("char({n})"),
            Char(None) => "char".into(),
            Text => "text".into(),
            Binary => "binary".into(),
            Date => "date".into(),
            Time => "time".into(),
            DateTime => "datetime".into(),
            TimestampTz => "timestamptz".into(),
            Json => "json".into(),
            Jsonb => "jsonb".into(),
            Uuid => "uuid".into(),
            Enum(e) if !e.native && e.name.is_empty() => "enum (not native)".into(),
            Enum(e) if !e.native => format!("enum {} (not native)", e.name),
            Enum(e) => format!("enum {}", e.name),
            Raw(_) => "raw".into(),
        }
    }
}

/// A literal value from a revision (a default, a backfill, a bulk_insert value).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// A float kept as written, so that it round-trips exactly.
    Float(String),
    String(String),
    /// A TOML date, time or datetime, in its RFC 3339 spelling.
    Temporal(String),
    /// `current_timestamp`, `current_date` or `current_time`.
    Current(String),
    /// Raw SQL, per dialect.
    Sql(Box<PerDialect>),
    /// `{ next = "seq" }`: the next value of a sequence (SPEC 9), its name
    /// qualified with its schema (`base::naming::qualify`).
    Next(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkAction {
    Cascade,
    SetNull,
    SetDefault,
    Restrict,
    NoAction,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
            FkAction::Restrict => "RESTRICT",
            FkAction::NoAction => "NO ACTION",
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set null",
            FkAction::SetDefault => "set default",
            FkAction::Restrict => "restrict",
            FkAction::NoAction => "no action",
        }
    }
}

/// Every type name `parse_type` accepts, with the neutral name it stands
/// for (an alias such as `int` or `varchar`, the spellings of SQLAlchemy and SQL).
impl ColumnType {
    /// Every neutral type that takes no argument.
    pub const PLAIN: [ColumnType; 14] = [
        ColumnType::Boolean,
        ColumnType::SmallInt,
        ColumnType::Integer,
        ColumnType::BigInt,
        ColumnType::Float,
        ColumnType::Text,
        ColumnType::Binary,
        ColumnType::Date,
        ColumnType::Time,
        ColumnType::DateTime,
        ColumnType::TimestampTz,
        ColumnType::Json,
        ColumnType::Jsonb,
        ColumnType::Uuid,
    ];
}

pub const TYPE_NAMES: &[(&str, &str)] = &[
    ("boolean", "boolean"),
    ("bool", "boolean"),
    ("smallint", "smallint"),
    ("integer", "integer"),
    ("int", "integer"),
    ("bigint", "bigint"),
    ("float", "float"),
    ("double", "float"),
    ("decimal", "decimal"),
    ("numeric", "decimal"),
    ("string", "string"),
    ("varchar", "string"),
    ("char", "char"),
    ("text", "text"),
    ("binary", "binary"),
    ("blob", "binary"),
    ("date", "date"),
    ("time", "time"),
    ("datetime", "datetime"),
    ("timestamp", "datetime"),
    ("timestamptz", "timestamptz"),
    ("json", "json"),
    ("jsonb", "jsonb"),
    ("uuid", "uuid"),
];

/// Did-you-mean for a type spelling that names no type (`varchr(20)`):
/// the closest type name with the arguments as written, and the neutral
/// name when the closest is an alias (`varchar(20)`, the same as `string(20)`).
pub fn suggest_type(s: &str) -> Option<String> {
    let s = s.trim();
    let (name, args) = s.find('(').map_or((s, ""), |i| (s[..i].trim(), &s[i..]));
    let lower = name.to_ascii_lowercase();
    let names: Vec<&str> = TYPE_NAMES.iter().map(|(n, _)| *n).collect();
    let near = crate::base::suggest::closest(&lower, &names)?;
    if near == lower {
        return None;
    }
    let neutral = TYPE_NAMES.iter().find(|(n, _)| *n == near).map_or(near, |(_, t)| *t);
    Some(if neutral == near {
        format!("did you mean `{near}{args}`?")
    } else {
        format!("did you mean `{near}{args}` (the same as `{neutral}{args}`)?")
    })
}

/// Parses a neutral type spelling such as `string(255)` or `decimal(10,2)`.
/// This runs for every column of every revision, so it allocates nothing
/// on success.
pub fn parse_type(s: &str) -> Result<ColumnType, String> {
    let s = s.trim();
    // Only one or two arguments are ever valid: a third stands for "more".
    let mut argv = [0u32; 3];
    let (base, args) = match s.find('(') {
        Some(i) if s.ends_with(')') => {
            let inner = &s[i + 1..s.len() - 1];
            let mut n = 0;
            for a in inner.split(',') {
                argv[n.min(2)] = a.trim().parse::<u32>().map_err(|_| format!("bad arguments `({inner})`"))?;
                n += 1;
            }
            let n = n.min(3);
            (s[..i].trim(), Some(&argv[..n]))
        }
        Some(_) => return Err("unbalanced parenthesis".into()),
        None => (s, None),
    };
    let no_args = |t: ColumnType| match args {
        None => Ok(t),
        Some(_) => Err(format!("`{}` takes no arguments", base.to_ascii_lowercase())),
    };
    let one = |f: fn(Option<u32>) -> ColumnType| match args {
        None => Ok(f(None)),
        Some([n]) if *n > 0 && *n <= 1_000_000 => Ok(f(Some(*n))),
        _ => Err(format!("`{}` takes one length between 1 and 1000000", base.to_ascii_lowercase())),
    };
    // Lowercased on the stack: no neutral type name is longer than 11 bytes.
    let mut lower = [0u8; 12];
    let Some(slot) = lower.get_mut(..base.len()) else {
        return Err("not a neutral type".into());
    };
    slot.copy_from_slice(base.as_bytes());
    slot.make_ascii_lowercase();
    match &*slot {
        b"boolean" | b"bool" => no_args(ColumnType::Boolean),
        b"smallint" => no_args(ColumnType::SmallInt),
        b"integer" | b"int" => no_args(ColumnType::Integer),
        b"bigint" => no_args(ColumnType::BigInt),
        b"float" | b"double" => no_args(ColumnType::Float),
        b"decimal" | b"numeric" => match args {
            None => Ok(ColumnType::Decimal(None)),
            Some([p]) if (1..=65).contains(p) => Ok(ColumnType::Decimal(Some((*p, 0)))),
            Some([p, sc]) if (1..=65).contains(p) && sc <= p => Ok(ColumnType::Decimal(Some((*p, *sc)))),
            _ => Err("decimal takes (precision, scale) with 1 <= precision <= 65 and scale <= precision".into()),
        },
        b"string" | b"varchar" => one(ColumnType::String),
        b"char" => one(ColumnType::Char),
        b"text" => no_args(ColumnType::Text),
        b"binary" | b"blob" => no_args(ColumnType::Binary),
        b"date" => no_args(ColumnType::Date),
        b"time" => no_args(ColumnType::Time),
        b"datetime" | b"timestamp" => no_args(ColumnType::DateTime),
        b"timestamptz" => no_args(ColumnType::TimestampTz),
        b"json" => no_args(ColumnType::Json),
        b"jsonb" => no_args(ColumnType::Jsonb),
        b"uuid" => no_args(ColumnType::Uuid),
        _ => Err("not a neutral type".into()),
    }
}

/// What an index says beyond its plain columns (SPEC 9, index elements):
/// options per element, the access method, covering columns, and MySQL's
/// kind of index. An index with none of these carries no `IndexOptions`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexOptions {
    /// One per entry of the index's `columns`, in order.
    pub elements: Vec<IndexElement>,
    /// PostgreSQL's access method (`btree`, `hash`, `gin`, `gist`, `brin`, `spgist`).
    pub method: Option<String>,
    /// PostgreSQL 11+: columns carried in the index but not part of its key.
    pub include: Vec<String>,
    /// MySQL/MariaDB: `fulltext` or `spatial`.
    pub kind: Option<String>,
}

/// The options of one index element; the element itself (a column name,
/// or the expression's text when `expr`) is the index's `columns` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexElement {
    /// The entry is raw SQL (`{ expr = "lower(email)" }`), not a column.
    pub expr: bool,
    /// `Some(true)`: descending.
    pub desc: Option<bool>,
    /// `Some(true)`: NULLS FIRST, `Some(false)`: NULLS LAST.
    pub nulls_first: Option<bool>,
    pub opclass: Option<String>,
    /// MySQL/MariaDB: an index on the first `length` characters (bytes for binary).
    pub length: Option<u32>,
}

impl IndexOptions {
    /// Whether any element is an expression.
    pub fn has_expr(&self) -> bool {
        self.elements.iter().any(|e| e.expr)
    }
}

/// The access methods `create_index`'s `method` may name (PostgreSQL).
pub const INDEX_METHODS: [&str; 6] = ["btree", "hash", "gin", "gist", "brin", "spgist"];
/// The kinds `create_index`'s `kind` may name (MySQL/MariaDB).
pub const INDEX_KINDS: [&str; 2] = ["fulltext", "spatial"];
