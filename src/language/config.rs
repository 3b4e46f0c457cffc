//! Configuration: `--config-file` (TOML, or an INI file: OpenStack-style for
//! its `[database] connection` line, Alembic's `alembic.ini` for
//! `[alembic] sqlalchemy.url` and `version_table`), the file named by
//! `SCHEMAC_CONFIG` when no `--config-file` is given, `--config-dir`,
//! `./schemac.toml`, defaults, and the command line on top, resolved once
//! into `Settings`. No message quotes a connection string: it may hold a
//! password.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics, Sources, Span};
use crate::base::naming::Naming;
use crate::base::text::{redact_passwords, redact_url};
use crate::dialect::DialectId;
use crate::language::load::Decoder;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionMode {
    PerRevision,
    Single,
}

/// The tables of a configuration file, and the keys of each.
pub const ROOT_KEYS: &[&str] = &["database", "migrations", "naming", "safety"];
pub const DATABASE_KEYS: &[&str] = &["connection", "dialect", "server_version"];
pub const MIGRATIONS_KEYS: &[&str] = &[
    "directory",
    "version_table",
    "version_table_schema",
    "transaction",
    "model",
    "populate",
    "dialects",
];
pub const NAMING_KEYS: &[&str] = &["index", "unique", "foreign_key", "check", "primary_key"];
pub const SAFETY_KEYS: &[&str] = &["lock_timeout", "statement_timeout", "online"];

/// Everything a command needs to know, resolved from files and flags.
#[derive(Clone, Debug)]
pub struct Settings {
    pub dialect: DialectId,
    pub server_version: Option<String>,
    pub directory: PathBuf,
    /// Qualified with `version_table_schema` when one is given
    /// (`base::naming::qualify`, SPEC 9).
    pub version_table: String,
    /// `[migrations] version_table_schema`, with where it was written: the
    /// schema the version table lives in (none: the default schema).
    pub version_table_schema: Option<(String, crate::base::diag::Span)>,
    pub transaction: TransactionMode,
    pub model: Option<PathBuf>,
    pub populate: Option<PathBuf>,
    /// The dialects the project's revisions are written for, which `check`
    /// compiles for (`[migrations] dialects`; every dialect by default).
    pub dialects: Vec<DialectId>,
    pub naming: Naming,
    pub safety: Safety,
}

/// `[safety]` (SPEC 11): how long a script waits for a lock, or lets a
/// statement run, before it fails; in milliseconds, 0 for no limit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Safety {
    pub lock_timeout_ms: Option<u64>,
    pub statement_timeout_ms: Option<u64>,
    /// `online = true`: plans for live tables (SPEC 11), for the tables that
    /// existed before each revision.
    pub online: bool,
}

/// A duration as `[safety]` takes it: `0`, or a whole number with `ms`,
/// `s`, `min` or `h` (PostgreSQL's units), in milliseconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    if t == "0" {
        return Some(0);
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = t[..digits].parse().ok()?;
    let unit = match t[digits..].trim() {
        "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(unit)
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            dialect: DialectId::Sqlite,
            server_version: None,
            directory: PathBuf::from("revisions"),
            version_table: "schemac_version".into(),
            version_table_schema: None,
            transaction: TransactionMode::PerRevision,
            model: None,
            populate: None,
            dialects: DialectId::CHECKED.to_vec(),
            naming: Naming::default(),
            safety: Safety::default(),
        }
    }
}

/// The dialect named by a connection URL's scheme (`postgresql+psycopg2://...`).
fn dialect_of_url(url: &str) -> Option<DialectId> {
    let scheme = url.split("://").next()?.split(':').next()?;
    let scheme = scheme.split('+').next()?;
    DialectId::parse(scheme)
}

/// The environment variable that names a configuration file, read when no
/// `--config-file` is given.
pub const CONFIG_VARIABLE: &str = "SCHEMAC_CONFIG";

/// The configuration file named by `SCHEMAC_CONFIG`, if it is set and not empty.
pub fn from_environment() -> Option<PathBuf> {
    std::env::var_os(CONFIG_VARIABLE).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// Reads the configuration files in order; later files override earlier ones.
/// With no `--config-file`, the file named by `SCHEMAC_CONFIG` comes first.
pub fn load(files: &[PathBuf], dirs: &[PathBuf], sources: &mut Sources) -> Result<Settings, Diagnostics> {
    let mut paths: Vec<PathBuf> = files.to_vec();
    let mut from_env = None;
    if paths.is_empty() {
        if let Some(p) = from_environment() {
            paths.push(p.clone());
            from_env = Some(p);
        }
    }
    for dir in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Diagnostics::from(Diagnostic::error(codes::CANNOT_READ_CONFIG, format!("cannot read `{}`: {e}", dir.display()))))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        found.sort();
        paths.extend(found);
    }
    if paths.is_empty() && Path::new("schemac.toml").is_file() {
        paths.push(PathBuf::from("schemac.toml"));
    }
    let mut s = Settings::default();
    let mut diags = vec![];
    for p in &paths {
        let text = match crate::base::files::read_regular_text(p) {
            Ok(t) => t,
            Err(e) => {
                let d = Diagnostic::error(codes::CANNOT_READ_CONFIG, format!("cannot read configuration file `{}`: {e}", p.display()));
                diags.push(match &from_env {
                    Some(env) if env == p => d.help(format!("the environment variable {CONFIG_VARIABLE} names this file")),
                    _ => d,
                });
                continue;
            }
        };
        let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
        // Diagnostics show the file with the passwords of connection strings
        // hidden (as many `*` as bytes, so that spans stay in place).
        let file = sources.add(crate::base::diag::display_path(p), redact_passwords(&text).into_owned());
        if p.extension().is_some_and(|x| x == "toml") {
            apply_toml(&mut s, &base, file, &text, &mut diags);
        } else {
            apply_ini(&mut s, file, &text, &mut diags);
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    if let Some((schema, _)) = &s.version_table_schema {
        s.version_table = crate::base::naming::qualify(Some(schema), crate::base::naming::bare(&s.version_table));
    }
    Ok(s)
}

fn apply_ini(s: &mut Settings, file: crate::base::diag::FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    let mut section = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if l.starts_with('[') && l.ends_with(']') {
            section = l[1..l.len() - 1].trim().to_string();
            if section == "alembic" {
                // Alembic's own default: a database it manages keeps its versions there.
                s.version_table = "alembic_version".into();
            }
        } else if section == "alembic" {
            if let Some((k, v)) = l.split_once('=').or_else(|| l.split_once(':')) {
                let at = Span::new(file, offset..offset + line.trim_end().len());
                apply_alembic(s, k.trim(), v.trim(), at, diags);
            }
        } else if section == "database" {
            if let Some((k, v)) = l.split_once('=') {
                if k.trim() == "connection" {
                    let url = v.trim();
                    match dialect_of_url(url) {
                        Some(d) => s.dialect = d,
                        None => diags.push(
                            Diagnostic::error(codes::UNKNOWN_DATABASE, format!("unknown database in connection `{}`", redact_url(url))).at(
                                Span::new(file, offset..offset + line.trim_end().len()),
                                "expected sqlite, postgresql, mysql or mariadb",
                            ),
                        ),
                    }
                }
            }
        }
        offset += line.len();
    }
}

/// One `key = value` line of Alembic's `[alembic]` section: `sqlalchemy.url`
/// gives the dialect (its scheme, `+driver` ignored) and `version_table`
/// the version table. `script_location` names Alembic's Python scripts,
/// which schemac cannot read: its revisions folder stays its own setting.
fn apply_alembic(s: &mut Settings, key: &str, value: &str, at: Span, diags: &mut Vec<Diagnostic>) {
    match key {
        "sqlalchemy.url" if !value.is_empty() => match dialect_of_url(value) {
            Some(d) => s.dialect = d,
            None => {
                // Only a plain scheme is quoted: the rest may hold a password.
                let scheme = value
                    .split_once("://")
                    .map(|(scheme, _)| scheme.split('+').next().unwrap_or_default())
                    .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
                let expected = "expected a URL starting sqlite://, postgresql://, mysql:// or mariadb://";
                diags.push(match scheme {
                    Some(w) => Diagnostic::error(codes::UNKNOWN_DATABASE, format!("unknown database `{w}` in `sqlalchemy.url`")).at(at, expected),
                    // Not a URL, so nothing to mask in it: no code frame quotes the line.
                    None => Diagnostic::error(codes::UNKNOWN_DATABASE, "`sqlalchemy.url` in the [alembic] section is not a URL").help(expected),
                })
            }
        },
        "version_table" => {
            if value.is_empty() || value.contains('\0') {
                diags.push(Diagnostic::error(codes::INVALID_NAME, "`version_table` must be a non-empty name").at(at, "invalid name"));
            } else {
                s.version_table = value.to_string();
            }
        }
        _ => {}
    }
}

fn apply_toml(s: &mut Settings, base: &Path, file: crate::base::diag::FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    let Some(doc) = crate::language::load::parse_toml(file, text, diags) else {
        return;
    };
    let mut d = Decoder { file, text, diags };
    let Some(root) = d.table(&doc, ROOT_KEYS) else {
        return;
    };
    if let Some(db) = root.get("database").and_then(|v| d.sub_table(v, DATABASE_KEYS, "[database]")) {
        if let Some(c) = db.get("connection").and_then(|v| d.string(v)) {
            match dialect_of_url(&c.v) {
                Some(id) => s.dialect = id,
                None => d.diags.push(
                    Diagnostic::error(codes::UNKNOWN_DATABASE, format!("unknown database in connection `{}`", redact_url(&c.v)))
                        .at(c.span, "expected sqlite, postgresql, mysql or mariadb"),
                ),
            }
        }
        if let Some(c) = db.get("dialect").and_then(|v| d.string(v)) {
            match DialectId::parse(&c.v) {
                Some(id) => s.dialect = id,
                None => d.diags.push(
                    Diagnostic::error(codes::UNKNOWN_DIALECT, format!("unknown dialect `{}`", c.v)).at(c.span, "expected postgresql, mysql, mariadb or sqlite"),
                ),
            }
        }
        if let Some(v) = db.get("server_version").and_then(|v| d.string(v)) {
            if crate::dialect::Version::parse(&v.v).is_none() {
                d.diags.push(
                    Diagnostic::error(codes::BAD_SERVER_VERSION, format!("`{}` is not a version (expected e.g. 8.0 or 3.35)", v.v)).at(v.span, "not a version"),
                );
            }
            s.server_version = Some(v.v);
        }
    }
    if let Some(m) = root.get("migrations").and_then(|v| d.sub_table(v, MIGRATIONS_KEYS, "[migrations]")) {
        if let Some(v) = m.get("directory").and_then(|v| d.string(v)) {
            s.directory = base.join(v.v);
        }
        if let Some(v) = m.get("version_table").and_then(|v| d.name(v)) {
            s.version_table = v.v;
        }
        if let Some(v) = m.get("version_table_schema").and_then(|v| d.name(v)) {
            s.version_table_schema = Some((v.v, v.span));
        }
        if let Some(v) = m.get("transaction").and_then(|v| d.string(v)) {
            match v.v.as_str() {
                "per_revision" => s.transaction = TransactionMode::PerRevision,
                "single" => s.transaction = TransactionMode::Single,
                other => d.diags.push(
                    Diagnostic::error(codes::UNKNOWN_TRANSACTION_MODE, format!("unknown transaction mode `{other}`"))
                        .at(v.span, "expected per_revision or single"),
                ),
            }
        }
        if let Some(v) = m.get("model").and_then(|v| d.string(v)) {
            s.model = Some(base.join(v.v));
        }
        if let Some(v) = m.get("populate").and_then(|v| d.string(v)) {
            s.populate = Some(base.join(v.v));
        }
        if let Some(v) = m.get("dialects") {
            let span = d.span(v);
            let mut ids = vec![];
            for name in d.string_list(v) {
                match DialectId::parse(&name.v) {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => d.diags.push(
                        Diagnostic::error(codes::UNKNOWN_DIALECT, format!("unknown dialect `{}`", name.v))
                            .at(name.span, "expected postgresql, mysql, mariadb or sqlite"),
                    ),
                }
            }
            if ids.is_empty() {
                d.diags
                    .push(Diagnostic::error(codes::UNKNOWN_DIALECT, "`dialects` names no dialect").at(span, "expected e.g. [\"postgresql\"]"));
            } else {
                // In the order `check` reports them, whatever the file's order.
                ids.sort_by_key(|id| DialectId::CHECKED.iter().position(|c| c == id));
                s.dialects = ids;
            }
        }
    }
    if let Some(t) = root.get("safety").and_then(|v| d.sub_table(v, SAFETY_KEYS, "[safety]")) {
        for (key, slot) in [
            ("lock_timeout", &mut s.safety.lock_timeout_ms),
            ("statement_timeout", &mut s.safety.statement_timeout_ms),
        ] {
            if let Some(v) = t.get(key).and_then(|v| d.string(v)) {
                match parse_duration(&v.v) {
                    Some(ms) => *slot = Some(ms),
                    None => d.diags.push(
                        Diagnostic::error(codes::BAD_DURATION, format!("`{key}` = \"{}\" is not a duration", v.v))
                            .at(v.span, "expected 0, or a number with ms, s, min or h (\"5s\")"),
                    ),
                }
            }
        }
        if let Some(v) = t.get("online").and_then(|v| d.boolean(v)) {
            s.safety.online = v;
        }
    }
    if let Some(n) = root.get("naming").and_then(|v| d.sub_table(v, NAMING_KEYS, "[naming]")) {
        for (key, slot) in [
            ("index", &mut s.naming.index),
            ("unique", &mut s.naming.unique),
            ("foreign_key", &mut s.naming.foreign_key),
            ("check", &mut s.naming.check),
            ("primary_key", &mut s.naming.primary_key),
        ] {
            if let Some(v) = n.get(key).and_then(|v| d.string(v)) {
                *slot = v.v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_postgresql_units() {
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("5s"), Some(5_000));
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("2min"), Some(120_000));
        assert_eq!(parse_duration("1h"), Some(3_600_000));
        for bad in ["", "5", "s", "5 sec", "-1s", "1.5s", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn passwords_are_masked_in_place() {
        let text = "url = postgresql+psycopg2://app:s3cr€t@db:5432/app\nother = mysql://u@h/d\n";
        let masked = crate::base::text::redact_passwords(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("postgresql+psycopg2://app:********@db:5432/app"), "{masked}");
        assert!(masked.contains("mysql://u@h/d"));
        assert_eq!(crate::base::text::redact_passwords("sqlite:///app.db"), "sqlite:///app.db");
    }

    #[test]
    fn the_dialect_comes_from_the_url_scheme() {
        assert_eq!(dialect_of_url("postgresql+psycopg2://a:b@h/d"), Some(DialectId::Postgresql));
        assert_eq!(dialect_of_url("mysql+pymysql://a@h/d"), Some(DialectId::Mysql));
        assert_eq!(dialect_of_url("sqlite:///app.db"), Some(DialectId::Sqlite));
        assert_eq!(dialect_of_url("driver://user:pass@localhost/dbname"), None);
    }
}
