//! Dialects as data: each `dialects/<name>/dialect.toml` states quoting,
//! limits, capabilities with the first version that has them, and the type
//! map. Everything is embedded in the binary. The only `match` on a dialect
//! id is `DialectId::folder`; the planner asks capability questions.

use crate::model::{ColumnType, Value};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DialectId {
    Postgresql,
    Mysql,
    Mariadb,
    Sqlite,
}

impl DialectId {
    pub const ALL: [DialectId; 3] = [DialectId::Sqlite, DialectId::Postgresql, DialectId::Mysql];

    pub fn parse(s: &str) -> Option<DialectId> {
        match s.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Some(DialectId::Postgresql),
            "mysql" => Some(DialectId::Mysql),
            "mariadb" => Some(DialectId::Mariadb),
            "sqlite" | "sqlite3" => Some(DialectId::Sqlite),
            _ => None,
        }
    }

    /// The key of per-dialect tables in revisions.
    pub fn key(self) -> &'static str {
        match self {
            DialectId::Postgresql => "postgresql",
            DialectId::Mysql => "mysql",
            DialectId::Mariadb => "mariadb",
            DialectId::Sqlite => "sqlite",
        }
    }

    /// The folder under `dialects/` with its data and templates.
    pub fn folder(self) -> &'static str {
        match self {
            DialectId::Postgresql => "postgresql",
            DialectId::Mysql | DialectId::Mariadb => "mysql",
            DialectId::Sqlite => "sqlite",
        }
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct Flavor {
    default_version: String,
    min_version: String,
    since: HashMap<String, String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct Reserved {
    words: Vec<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct DialectData {
    pub name: String,
    pub sqlparser: String,
    pub default_version: String,
    pub min_version: String,
    pub quote: String,
    pub max_identifier: usize,
    pub transactional_ddl: bool,
    pub backslash_escapes: bool,
    pub true_literal: String,
    pub false_literal: String,
    pub enum_style: String,
    pub comments: String,
    pub partial_indexes: bool,
    pub concurrent_indexes: bool,
    pub foreign_key_needs_index: bool,
    pub alter_column: String,
    pub add_constraint: bool,
    /// How to write a carriage return where a literal one would not survive
    /// the client (SQLite's shell): a function call such as `char(13)`.
    #[serde(default)]
    pub carriage_return: Option<String>,
    /// Whether a CHECK may not use a column of a foreign key with a
    /// referential action (MySQL, MariaDB).
    #[serde(default)]
    pub check_excludes_fk_action_columns: bool,
    /// The most columns a table may have.
    #[serde(default)]
    pub max_columns: Option<usize>,
    pub autoincrement: String,
    pub apply: String,
    since: HashMap<String, String>,
    mariadb: Option<Flavor>,
    /// Looked up for every column planned: FxHash, not SipHash.
    types: HashMap<String, String, crate::fxhash::FastHash>,
    reserved: Reserved,
}

/// A version such as `8.0.16`, compared part by part.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<u32>);

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let parts: Option<Vec<u32>> = s.trim().split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty() && p.len() <= 4).map(Version)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let s: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        f.write_str(&s.join("."))
    }
}

/// A dialect at a target version.
#[derive(Debug, Clone)]
pub struct Dialect {
    pub id: DialectId,
    pub data: DialectData,
    pub version: Version,
    since: HashMap<String, String>,
    /// Looked up for every identifier a template quotes: FxHash, not SipHash.
    reserved: HashSet<String, crate::fxhash::FastHash>,
}

pub fn embedded_file(folder: &str, name: &str) -> Option<&'static str> {
    crate::render::EMBEDDED.iter().find(|(f, n, _)| *f == folder && *n == name).map(|(_, _, t)| *t)
}

impl Dialect {
    /// Loads the embedded data of a dialect; `version` defaults to the dialect's.
    pub fn load(id: DialectId, version: Option<&str>) -> Result<Dialect, String> {
        let text = embedded_file(id.folder(), "dialect.toml").ok_or("missing dialect data")?;
        let data: DialectData = toml::from_str(text).map_err(|e| format!("dialects/{}/dialect.toml: {e}", id.folder()))?;
        let (default_version, min_version, mut since) = (data.default_version.clone(), data.min_version.clone(), data.since.clone());
        let (default_version, min_version) = match (&data.mariadb, id) {
            (Some(f), DialectId::Mariadb) => {
                since.extend(f.since.clone());
                (f.default_version.clone(), f.min_version.clone())
            }
            _ => (default_version, min_version),
        };
        let v = version.unwrap_or(&default_version);
        let version = Version::parse(v).ok_or_else(|| format!("`{v}` is not a version (expected e.g. 8.0 or 3.35)"))?;
        let min = Version::parse(&min_version).ok_or("bad min_version")?;
        if version < min {
            return Err(format!("{} {version} is older than the oldest supported version, {min}", id.key()));
        }
        let reserved = data.reserved.words.iter().cloned().collect();
        Ok(Dialect {
            id,
            data,
            version,
            since,
            reserved,
        })
    }

    /// Whether the target version has a capability listed under `[since]`.
    pub fn can(&self, capability: &str) -> bool {
        match self.since.get(capability).and_then(|v| Version::parse(v)) {
            Some(v) => self.version >= v,
            None => true,
        }
    }

    pub fn key(&self) -> &'static str {
        self.id.key()
    }

    /// Quotes an identifier when it must be: a reserved word, or anything outside `[a-z0-9_]`, or a leading digit.
    pub fn ident(&self, name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 2);
        self.push_ident(name, &mut out);
        out
    }

    /// Whether `ident` leaves a name as it is.
    pub fn plain_ident(&self, name: &str) -> bool {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit()
            && !self.reserved.contains(name)
    }

    /// `ident`, appended to `out`.
    pub fn push_ident(&self, name: &str, out: &mut String) {
        if self.plain_ident(name) {
            out.push_str(name);
            return;
        }
        let q = self.data.quote.as_str();
        out.push_str(q);
        out.push_str(&name.replace(q, &format!("{q}{q}")));
        out.push_str(q);
    }

    /// A string literal, escaped for the dialect.
    pub fn literal(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        self.push_literal(s, &mut out);
        out
    }

    /// `literal`, appended to `out`.
    pub fn push_literal(&self, s: &str, out: &mut String) {
        // A carriage return before a line break does not survive the sqlite3
        // shell, which reads its input line by line: it is spelled as an
        // expression there (parenthesised, so that it is also a DEFAULT).
        if let Some(cr) = self.data.carriage_return.as_deref().filter(|_| s.contains('\r')) {
            out.push('(');
            for (i, p) in s.split('\r').enumerate() {
                if i > 0 {
                    out.push_str(" || ");
                    out.push_str(cr);
                    out.push_str(" || ");
                }
                self.push_literal(p, out);
            }
            out.push(')');
            return;
        }
        out.reserve(s.len() + 2);
        out.push('\'');
        for ch in s.chars() {
            match ch {
                '\'' => out.push_str("''"),
                '\\' if self.data.backslash_escapes => out.push_str("\\\\"),
                '\0' if self.data.backslash_escapes => out.push_str("\\0"),
                // The mysql client drops a carriage return before a line break.
                '\r' if self.data.backslash_escapes => out.push_str("\\r"),
                _ => out.push(ch),
            }
        }
        out.push('\'');
    }

    /// Text safe inside a `--` comment: one line.
    pub fn comment(&self, s: &str) -> String {
        // Every control character goes, not only line breaks: the mysql
        // client refuses a NUL anywhere in its input, comments included.
        s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
    }

    /// The SQL type for a column type, or why the dialect cannot express it.
    pub fn type_sql(&self, ty: &ColumnType) -> Result<String, String> {
        let t = |k: &str| self.data.types.get(k).cloned();
        let missing = |what: &str| format!("{what} cannot be expressed on {}", self.id.key());
        // The dialect's spelling with `{n}` (or `{p}` and `{s}`) filled in,
        // in one allocation: this runs for every column planned.
        let fill = |k: &str, what: &str, args: &[(&str, u32)]| -> Result<String, String> {
            let t = self.data.types.get(k).ok_or_else(|| missing(what))?;
            let mut out = String::with_capacity(t.len() + 8);
            crate::naming::fill(t, &mut out, |name, out| match args.iter().find(|(n, _)| *n == name) {
                Some(&(_, v)) => {
                    push_u32(out, v);
                    true
                }
                None => false,
            });
            Ok(out)
        };
        match ty {
            ColumnType::Raw(pd) => match pd.get(self.key()) {
                Some(raw) if pd.0.contains_key(self.key()) || (self.id == DialectId::Mariadb && pd.0.contains_key("mysql")) => Ok(raw.to_string()),
                _ => match pd.0.get("default") {
                    Some(neutral) => self.type_sql(&crate::load::parse_type(neutral).map_err(|e| e.to_string())?),
                    None => Err(format!("this raw type has no entry for {} and no `default`", self.key())),
                },
            },
            ColumnType::Boolean => t("boolean").ok_or_else(|| missing("boolean")),
            ColumnType::SmallInt => t("smallint").ok_or_else(|| missing("smallint")),
            ColumnType::Integer => t("integer").ok_or_else(|| missing("integer")),
            ColumnType::BigInt => t("bigint").ok_or_else(|| missing("bigint")),
            ColumnType::Float => t("float").ok_or_else(|| missing("float")),
            ColumnType::Decimal(Some((p, s))) => fill("decimal", "decimal", &[("p", *p), ("s", *s)]),
            ColumnType::Decimal(None) => t("decimal_bare").ok_or_else(|| missing("decimal with no precision")),
            ColumnType::String(Some(n)) => fill("string", "string", &[("n", *n)]),
            ColumnType::String(None) => t("string_bare").ok_or_else(|| format!("`string` needs a length on {}: write string(n), or use text", self.key())),
            ColumnType::Char(Some(n)) => fill("char", "char", &[("n", *n)]),
            ColumnType::Char(None) => t("char_bare").ok_or_else(|| format!("`char` needs a length on {}", self.key())),
            ColumnType::Text => t("text").ok_or_else(|| missing("text")),
            ColumnType::Binary => t("binary").ok_or_else(|| missing("binary")),
            ColumnType::Date => t("date").ok_or_else(|| missing("date")),
            ColumnType::Time => t("time").ok_or_else(|| missing("time")),
            ColumnType::DateTime => t("datetime").ok_or_else(|| missing("datetime")),
            ColumnType::TimestampTz => t("timestamptz").ok_or_else(|| missing("timestamptz")),
            ColumnType::Json => t("json").ok_or_else(|| missing("json")),
            ColumnType::Jsonb => t("jsonb").ok_or_else(|| missing("jsonb")),
            ColumnType::Uuid => t("uuid").ok_or_else(|| missing("uuid")),
            ColumnType::Enum(e) => match self.data.enum_style.as_str() {
                "type" => Ok(self.ident(&e.name)),
                "inline" => Ok(format!("ENUM({})", e.values.iter().map(|v| self.literal(v)).collect::<Vec<_>>().join(", "))),
                _ => Ok("VARCHAR(255)".to_string()),
            },
        }
    }

    /// A value as SQL: a literal, a current-time expression, or raw SQL.
    pub fn value_sql(&self, v: &Value, ty: Option<&ColumnType>) -> Result<String, String> {
        Ok(match v {
            Value::Null => "NULL".into(),
            Value::Bool(b) => {
                if *b {
                    self.data.true_literal.clone()
                } else {
                    self.data.false_literal.clone()
                }
            }
            Value::Int(i) => match ty {
                Some(ColumnType::Boolean) => {
                    if *i != 0 {
                        self.data.true_literal.clone()
                    } else {
                        self.data.false_literal.clone()
                    }
                }
                _ => i.to_string(),
            },
            Value::Float(f) => f.clone(),
            Value::String(s) => self.literal(s),
            Value::Temporal(s) => self.literal(&s.replace('T', " ")),
            Value::Current(e) => e.to_ascii_uppercase(),
            Value::Sql(pd) => pd
                .get(self.key())
                .ok_or_else(|| format!("this raw SQL value has no entry for {} and no `default`", self.key()))?
                .to_string(),
        })
    }

    pub fn apply_hint(&self) -> &str {
        &self.data.apply
    }
}

/// Appends a number in decimal, without the formatting machinery.
fn push_u32(out: &mut String, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sized types are spelled from the dialect's template with the numbers
    /// filled in; a brace that is no placeholder stays as written.
    #[test]
    fn sized_type_spellings() {
        let pg = Dialect::load(DialectId::Postgresql, None).unwrap();
        assert_eq!(pg.type_sql(&ColumnType::Decimal(Some((10, 2)))).unwrap(), "NUMERIC(10,2)");
        assert_eq!(pg.type_sql(&ColumnType::String(Some(255))).unwrap(), "VARCHAR(255)");
        assert_eq!(pg.type_sql(&ColumnType::Char(Some(1))).unwrap(), "CHAR(1)");
        assert_eq!(pg.type_sql(&ColumnType::String(Some(4_000_000_000))).unwrap(), "VARCHAR(4000000000)");
        assert_eq!(pg.type_sql(&ColumnType::String(Some(0))).unwrap(), "VARCHAR(0)");
        let mut odd = pg.clone();
        odd.data.types.insert("string".into(), "{x}TEXT{n}{".into());
        assert_eq!(odd.type_sql(&ColumnType::String(Some(7))).unwrap(), "{x}TEXT7{");
    }
}
