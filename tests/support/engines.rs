//! Applies SQL scripts to the real engines and reads their catalogs back.
//!
//! schemac never opens a connection: a person pipes its scripts to `sqlite3`,
//! `psql` or `mariadb`. The integration tests do exactly that, through
//! `std::process::Command`, so that what is tested is what a DBA runs:
//!
//! - SQLite: `sqlite3 -bail -init /dev/null -cmd "PRAGMA foreign_keys=ON" DB`;
//! - PostgreSQL: `psql -X -w -v ON_ERROR_STOP=1 -q -f -` on 127.0.0.1:5432 as
//!   `$PGUSER` (default `postgres`), with `PGCLIENTENCODING=UTF8`;
//! - MariaDB: `mariadb --no-defaults --default-character-set=utf8mb4` (or the
//!   `mysql` client) on 127.0.0.1:3306 as `root` with no password.
//!
//! Invariant: every `TestDb` owns a database that no other test touches (a
//! file in its own temporary directory, or a database whose name holds the
//! tag, the process id and a counter), and drops it when it goes out of
//! scope. Nothing here panics, except `require` when `CI` is set: in CI an
//! unreachable engine fails the test instead of skipping it.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;

pub use super::catalog::{Catalog, Column, ForeignKey, Index, PrimaryKey, Sequence, Table};
use super::sqlite_ddl::{find_constraint, has_autoincrement, sqlite_constraints, Constraint, Kind};

/// One row read back by `TestDb::query_rows`: each value as text, `None`
/// for SQL NULL.
pub type Row = Vec<Option<String>>;

/// The database engines the tests run scripts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    Sqlite,
    Postgres,
    Mariadb,
}

impl Engine {
    /// Every engine, in a fixed order.
    pub const ALL: [Engine; 3] = [Engine::Sqlite, Engine::Postgres, Engine::Mariadb];

    /// The name schemac's `--dialect` option takes for this engine.
    pub fn dialect(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
            Engine::Mariadb => "mariadb",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dialect())
    }
}

/// Whether `engine` can be used: its client runs and, for a server, the
/// server answers. The answer is probed once per process.
pub fn available(engine: Engine) -> Result<(), String> {
    static PROBES: [OnceLock<Result<(), String>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    PROBES[engine as usize].get_or_init(|| probe(engine)).clone()
}

/// Whether a test that needs `engine` should run.
///
/// Returns false, with a one-line notice on stderr, when the engine is
/// unreachable. When the environment variable `CI` is set (to anything but
/// `0`, `false` or nothing) it panics instead: in CI a missing engine is a
/// broken environment, and a skipped test would hide it.
pub fn require(engine: Engine) -> bool {
    match available(engine).map_err(|why| why.split_whitespace().collect::<Vec<_>>().join(" ")) {
        Ok(()) => true,
        Err(why) if in_ci() => {
            panic!("{engine} is unreachable and CI is set, so this test fails instead of skipping: {why}")
        }
        Err(why) => {
            eprintln!("skipping: {engine} unreachable: {why}");
            false
        }
    }
}

/// Whether the tests run in CI, read from the environment variable `CI`.
pub fn in_ci() -> bool {
    ci_value_means_ci(env::var("CI").ok().as_deref())
}

/// Whether a value of the `CI` variable (`None` when unset) means "in CI".
pub fn ci_value_means_ci(value: Option<&str>) -> bool {
    match value.map(|value| value.trim().to_ascii_lowercase()) {
        None => false,
        Some(value) => !matches!(value.as_str(), "" | "0" | "false"),
    }
}

/// A fresh database of its own on one engine, dropped on drop.
pub struct TestDb {
    engine: Engine,
    /// The database name (PostgreSQL, MariaDB) or the file stem (SQLite).
    name: String,
    /// SQLite only: the directory that holds the database file, removed on
    /// drop, and the file's path.
    sqlite: Option<(tempfile::TempDir, PathBuf)>,
}

impl TestDb {
    /// Creates an empty database for the test named by `tag`.
    pub fn new(engine: Engine, tag: &str) -> Result<TestDb, String> {
        let name = unique_name(tag);
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix(&format!("{name}_"))
                    .tempdir()
                    .map_err(|error| format!("cannot create a temporary directory: {error}"))?;
                let path = dir.path().join(format!("{name}.db"));
                let db = TestDb {
                    engine,
                    name,
                    sqlite: Some((dir, path)),
                };
                // Creating the file now makes a missing `sqlite3` an error
                // here rather than in the first `apply`.
                db.apply("PRAGMA user_version = 0;")?;
                Ok(db)
            }
            Engine::Postgres => {
                postgres_admin(&format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))?;
                Ok(TestDb { engine, name, sqlite: None })
            }
            Engine::Mariadb => {
                mariadb_admin(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))?;
                Ok(TestDb { engine, name, sqlite: None })
            }
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The database name; for SQLite, the stem of the database file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The prefix of this test's own schemas (SPEC 9): `<database name>_`.
    /// On MariaDB a schema is a database of the server, so a test that makes
    /// schemas names them with it; the catalog reads those schemas only
    /// (showing them without it), `is_empty` lists them, and dropping the
    /// `TestDb` drops them.
    pub fn schema_prefix(&self) -> String {
        format!("{}_", self.name)
    }

    /// SQLite only: the database file.
    pub fn path(&self) -> Option<&Path> {
        self.sqlite.as_ref().map(|(_, path)| path.as_path())
    }

    /// Pipes `script` to the engine's client as a DBA would, stopping at the
    /// first error. The error carries the client's stderr.
    pub fn apply(&self, script: &str) -> Result<(), String> {
        self.apply_with(script, &[], &[])
    }

    /// `apply` with a client set up otherwise: `args` go after the client's
    /// usual options (a later `--default-character-set` wins), `env` is added
    /// to its environment (`PGOPTIONS` for psql). How a DBA's client may differ.
    pub fn apply_with(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
        let mut command = match self.engine {
            Engine::Sqlite => {
                let mut command = Command::new("sqlite3");
                command
                    .args(["-bail", "-init", "/dev/null", "-cmd", "PRAGMA foreign_keys=ON"])
                    .args(args)
                    .arg(self.sqlite_path());
                command
            }
            Engine::Postgres => {
                let mut command = psql(&self.name);
                command.args(["-v", "ON_ERROR_STOP=1", "-q"]).args(args).args(["-f", "-"]);
                command
            }
            Engine::Mariadb => {
                let mut command = mariadb()?;
                command.args(args).arg(&self.name);
                command
            }
        };
        command.envs(env.iter().copied());
        run(command, Some(script)).map(drop)
    }

    /// The engine's command-line client on this database, not yet started,
    /// with piped stdin: a second session, for a test that needs one to hold
    /// a lock while a script runs (write the statements, keep stdin open;
    /// closing it ends the session and its locks).
    pub fn session(&self) -> Result<Command, String> {
        let mut command = match self.engine {
            Engine::Sqlite => {
                let mut command = Command::new("sqlite3");
                command.args(["-bail", "-init", "/dev/null"]).arg(self.sqlite_path());
                command
            }
            Engine::Postgres => {
                let mut command = psql(&self.name);
                command.args(["-v", "ON_ERROR_STOP=1", "-q"]);
                command
            }
            Engine::Mariadb => {
                let mut command = mariadb()?;
                command.arg(&self.name);
                command
            }
        };
        command.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        Ok(command)
    }

    /// Runs one query and returns its rows, each value as the client prints
    /// it and `None` for NULL. On SQLite the text may hold several
    /// statements (the rows of all of them are returned); on PostgreSQL it
    /// must be a single statement.
    pub fn query_rows(&self, sql: &str) -> Result<Vec<Row>, String> {
        match self.engine {
            Engine::Sqlite => {
                let mut command = Command::new("sqlite3");
                command
                    .args(["-bail", "-init", "/dev/null", "-batch", "-list", "-noheader"])
                    .args(["-separator", FIELD_SEP, "-newline", RECORD_SEP])
                    .args(["-nullvalue", NULL_MARK])
                    .arg(self.sqlite_path());
                let output = run(command, Some(sql))?;
                Ok(split_records(&output))
            }
            Engine::Postgres => {
                let mut command = psql(&self.name);
                command
                    .args(["-v", "ON_ERROR_STOP=1", "-q", "-A", "-t"])
                    .args(["-F", FIELD_SEP, "-R", RECORD_SEP])
                    .arg("-P")
                    .arg(format!("null={NULL_MARK}"))
                    .arg("-c")
                    .arg(sql);
                let output = run(command, None)?;
                // psql ends the last record with a newline instead of the
                // record separator, and prints nothing at all for no rows.
                match output.strip_suffix('\n') {
                    Some(records) => Ok(split_records(&format!("{records}{RECORD_SEP}"))),
                    None if output.is_empty() => Ok(Vec::new()),
                    None => Err(format!("unexpected psql output: {output:?}")),
                }
            }
            Engine::Mariadb => {
                let mut command = mariadb()?;
                command.args(["--xml", "-e", sql]).arg(&self.name);
                let output = run(command, None)?;
                parse_mariadb_xml(&output)
            }
        }
    }

    /// Runs several queries and returns the rows of each, in order. On
    /// PostgreSQL they share one `psql` process (one connection instead of
    /// one per query); elsewhere this is `query_rows` in a loop.
    pub fn query_batches(&self, sqls: &[&str]) -> Result<Vec<Vec<Row>>, String> {
        if self.engine != Engine::Postgres || sqls.len() < 2 {
            return sqls.iter().map(|sql| self.query_rows(sql)).collect();
        }
        let mut script = String::new();
        for sql in sqls {
            script.push_str(sql.trim_end().trim_end_matches(';'));
            script.push_str(";\n\\echo ");
            script.push_str(BATCH_MARK);
            script.push('\n');
        }
        let mut command = psql(&self.name);
        command
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-A", "-t"])
            .args(["-F", FIELD_SEP, "-R", RECORD_SEP])
            .arg("-P")
            .arg(format!("null={NULL_MARK}"))
            .args(["-f", "-"]);
        let output = run(command, Some(&script))?;
        let mut results = Vec::new();
        let mut rest = output.as_str();
        for _ in sqls {
            let end = rest.find(BATCH_MARK).ok_or_else(|| format!("unexpected psql output: {output:?}"))?;
            let piece = &rest[..end];
            rest = rest[end + BATCH_MARK.len()..].strip_prefix('\n').unwrap_or(&rest[end + BATCH_MARK.len()..]);
            match piece.strip_suffix('\n') {
                Some(records) => results.push(split_records(&format!("{records}{RECORD_SEP}"))),
                None if piece.is_empty() => results.push(Vec::new()),
                None => return Err(format!("unexpected psql output: {output:?}")),
            }
        }
        Ok(results)
    }

    /// Reads the schema back from the engine's catalog.
    pub fn catalog(&self) -> Result<Catalog, String> {
        match self.engine {
            Engine::Sqlite => sqlite_catalog(self),
            Engine::Postgres => postgres_catalog(self),
            Engine::Mariadb => mariadb_catalog(self),
        }
    }

    /// A schema-only dump made by the engine's own tool: `pg_dump
    /// --schema-only`, `mariadb-dump --no-data` (or `mysqldump`), `sqlite3 .schema`.
    pub fn dump(&self) -> Result<String, String> {
        match self.engine {
            Engine::Sqlite => {
                let mut command = Command::new("sqlite3");
                command.arg(self.path().expect("a SQLite file")).arg(".schema");
                run(command, None)
            }
            Engine::Postgres => {
                let mut command = Command::new("pg_dump");
                command
                    .args(["--schema-only", "-w", "-h", PG_HOST, "-p", PG_PORT, "-U"])
                    .arg(postgres_user())
                    .arg(&self.name)
                    .env("PGGSSENCMODE", "disable");
                run(command, None)
            }
            Engine::Mariadb => {
                let tool = ["mariadb-dump", "mysqldump"]
                    .into_iter()
                    .find(|t| {
                        let mut c = Command::new(t);
                        c.arg("--version");
                        run(c, None).is_ok()
                    })
                    .ok_or("neither `mariadb-dump` nor `mysqldump` can be run")?;
                let mut command = Command::new(tool);
                command
                    .args(["--no-defaults", "--no-data", "-h", MARIADB_HOST, "-P", MARIADB_PORT, "-u", "root"])
                    .arg(&self.name);
                run(command, None)
            }
        }
    }

    /// Ok when the database holds no table, view, trigger, index, sequence
    /// not owned by a column, type (PostgreSQL enums, domains, composite
    /// and range types) or routine; otherwise the error lists what is left.
    pub fn is_empty(&self) -> Result<(), String> {
        let sql = match self.engine {
            Engine::Sqlite => SQLITE_LEFTOVERS.to_owned(),
            Engine::Postgres => postgres_leftovers(&self.schema_prefix()),
            Engine::Mariadb => mariadb_leftovers(&self.schema_prefix()),
        };
        let left: Vec<String> = self
            .query_rows(&sql)?
            .into_iter()
            .map(|row| row.into_iter().map(Option::unwrap_or_default).collect::<Vec<_>>().join(" "))
            .collect();
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("{} {} still holds: {}", self.engine, self.name, left.join(", ")))
        }
    }

    fn sqlite_path(&self) -> &Path {
        // A SQLite `TestDb` always has a path; the fallback only keeps this
        // free of panics.
        self.path().unwrap_or_else(|| Path::new(":memory:"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Errors are ignored: a database left behind by a failed drop has a
        // unique name and harms no other test.
        let _ = match self.engine {
            Engine::Sqlite => Ok(String::new()),
            Engine::Postgres => postgres_admin(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)),
            Engine::Mariadb => {
                // The test's schemas are databases of the server too.
                let prefix = self.schema_prefix();
                let listed = mariadb_admin(&format!(
                    "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, {}) = '{prefix}'",
                    prefix.chars().count()
                ));
                for schema in listed.unwrap_or_default().lines().filter(|l| !l.is_empty()) {
                    let _ = mariadb_admin(&format!("DROP DATABASE IF EXISTS `{}`", schema.replace('`', "``")));
                }
                mariadb_admin(&format!("DROP DATABASE IF EXISTS `{}`", self.name))
            }
        };
    }
}

// Separators for reading rows as text. They are control characters that
// no test puts in its data; NULL prints as a marker that no data holds.
const FIELD_SEP: &str = "\u{1f}";
const RECORD_SEP: &str = "\u{1e}";
const NULL_MARK: &str = "\u{1a}NULL\u{1a}";
// Ends each result set of `query_batches` on PostgreSQL.
const BATCH_MARK: &str = "\u{1c}END-OF-RESULT\u{1c}";
// Separates the items of a list that a catalog query aggregates into one
// value.
const LIST_SEP: char = '\u{1d}';

const PG_HOST: &str = "127.0.0.1";
const PG_PORT: &str = "5432";
const MARIADB_HOST: &str = "127.0.0.1";
const MARIADB_PORT: &str = "3306";

/// A database name unique to this process and call: `schemac_<tag>_<pid>_<n>`,
/// with the tag reduced to `[a-z0-9_]` and cut so the name fits in 63 bytes.
fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let suffix = format!("_{}_{count}", std::process::id());
    let mut tag: String = tag
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    tag.truncate(63 - "schemac_".len() - suffix.len());
    format!("schemac_{tag}{suffix}")
}

fn probe(engine: Engine) -> Result<(), String> {
    let output = match engine {
        Engine::Sqlite => {
            let mut command = Command::new("sqlite3");
            command.arg("-version");
            run(command, None)?
        }
        Engine::Postgres => postgres_admin("SELECT 1")?,
        Engine::Mariadb => mariadb_admin("SELECT 1")?,
    };
    if output.trim().is_empty() {
        Err(format!("{engine}'s client printed nothing"))
    } else {
        Ok(())
    }
}

/// Runs `command`, feeding it `stdin` (or nothing), and returns its stdout.
/// A failure to start or a non-zero exit status is an error that holds the
/// client's stderr, then what it printed on stdout before it stopped.
fn run(mut command: Command, stdin: Option<&str>) -> Result<String, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run `{program}`: {error}"))?;
    // The input is written from a second thread so that a client that
    // fills its output pipe before reading all of its input cannot block.
    let writer = child.stdin.take().map(|mut pipe| {
        let input = stdin.unwrap_or_default().to_owned();
        thread::spawn(move || pipe.write_all(input.as_bytes()))
    });
    let output = child.wait_with_output().map_err(|error| format!("cannot wait for `{program}`: {error}"))?;
    let write_result = writer.map(|handle| handle.join());
    let stderr = String::from_utf8_lossy(&output.stderr).trim_end().to_owned();
    if !output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let printed = if stdout.trim().is_empty() {
            String::new()
        } else {
            format!("\nit printed: {}", stdout.trim_end())
        };
        return Err(format!("`{program}` failed ({}): {stderr}{printed}", output.status));
    }
    if let Some(Ok(Err(error))) = write_result {
        return Err(format!("cannot write to `{program}`: {error}"));
    }
    String::from_utf8(output.stdout).map_err(|error| format!("`{program}` printed non-UTF-8: {error}"))
}

fn postgres_user() -> String {
    env::var("PGUSER").ok().filter(|user| !user.is_empty()).unwrap_or_else(|| "postgres".to_owned())
}

/// `psql` connected to `database`, reading no `.psqlrc` and never asking for
/// a password.
fn psql(database: &str) -> Command {
    let mut command = Command::new("psql");
    command
        .args(["-X", "-w", "-h", PG_HOST, "-p", PG_PORT, "-U"])
        .arg(postgres_user())
        .args(["-d", database])
        .env("PGCONNECT_TIMEOUT", "10")
        // No GSSAPI encryption attempt before each local connection: it
        // doubles the cost of every psql run.
        .env("PGGSSENCMODE", "disable")
        .env("PGCLIENTENCODING", "UTF8");
    command
}

/// Runs one statement in the `postgres` maintenance database.
fn postgres_admin(sql: &str) -> Result<String, String> {
    let mut command = psql("postgres");
    command.args(["-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql]);
    run(command, None)
}

/// The MariaDB client (`mariadb`, else `mysql`) with the connection options,
/// not yet naming a database.
fn mariadb() -> Result<Command, String> {
    static CLIENT: OnceLock<Result<&'static str, String>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        ["mariadb", "mysql"]
            .into_iter()
            .find(|client| {
                let mut command = Command::new(client);
                command.arg("--version");
                run(command, None).is_ok()
            })
            .ok_or_else(|| "neither `mariadb` nor `mysql` can be run".to_owned())
    });
    let mut command = Command::new(client.clone()?);
    command
        .args(["--no-defaults", "-h", MARIADB_HOST, "-P", MARIADB_PORT, "-u", "root"])
        .args(["--default-character-set=utf8mb4", "--connect-timeout=10"]);
    Ok(command)
}

/// Runs one statement with no database selected.
fn mariadb_admin(sql: &str) -> Result<String, String> {
    let mut command = mariadb()?;
    command.args(["-B", "-N", "-e", sql]);
    run(command, None)
}

/// Splits client output in which every record, the last included, ends
/// with `RECORD_SEP`.
fn split_records(output: &str) -> Vec<Row> {
    let mut records: Vec<&str> = output.split(RECORD_SEP).collect();
    // The piece after the last separator is empty (or a stray newline).
    records.pop();
    records
        .into_iter()
        .map(|record| record.split(FIELD_SEP).map(|value| (value != NULL_MARK).then(|| value.to_owned())).collect())
        .collect()
}

/// Reads the rows of `mariadb --xml` output. Values and attribute values are
/// XML-escaped there, so every `<` in the text starts a tag.
fn parse_mariadb_xml(xml: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<row>") {
        let after = &rest[start + "<row>".len()..];
        let end = after.find("</row>").ok_or_else(|| format!("unterminated <row> in client output: {xml}"))?;
        rows.push(parse_xml_fields(&after[..end])?);
        rest = &after[end + "</row>".len()..];
    }
    Ok(rows)
}

fn parse_xml_fields(row: &str) -> Result<Row, String> {
    let mut values = Vec::new();
    let mut rest = row;
    while let Some(start) = rest.find("<field") {
        let tag_end = rest[start..]
            .find('>')
            .map(|offset| start + offset)
            .ok_or_else(|| format!("unterminated <field> tag: {row}"))?;
        let tag = &rest[start..=tag_end];
        if tag.ends_with("/>") {
            // `<field name="x" xsi:nil="true" />` is NULL; an empty element
            // written short would be an empty string.
            let value = if tag.contains("xsi:nil=\"true\"") { None } else { Some(String::new()) };
            values.push(value);
            rest = &rest[tag_end + 1..];
            continue;
        }
        let content = &rest[tag_end + 1..];
        let close = content.find("</field>").ok_or_else(|| format!("unterminated <field> element: {row}"))?;
        values.push(Some(xml_unescape(&content[..close])?));
        rest = &content[close + "</field>".len()..];
    }
    Ok(values)
}

fn xml_unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..]
            .find(';')
            .map(|offset| amp + offset)
            .ok_or_else(|| format!("bad XML entity in {text:?}"))?;
        let entity = &rest[amp + 1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        out.push(decoded.ok_or_else(|| format!("unknown XML entity &{entity}; in {text:?}"))?);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value at `index`, with NULL and a missing value as "".
fn text(row: &Row, index: usize) -> String {
    row.get(index).cloned().flatten().unwrap_or_default()
}

/// The value at `index` or None for NULL.
fn opt(row: &Row, index: usize) -> Option<String> {
    row.get(index).cloned().flatten()
}

/// A list aggregated with `LIST_SEP`; NULL and "" are the empty list.
fn list(row: &Row, index: usize) -> Vec<String> {
    let value = text(row, index);
    if value.is_empty() {
        Vec::new()
    } else {
        value.split(LIST_SEP).map(str::to_owned).collect()
    }
}

/// The table that a catalog row names; rows of objects that are not base
/// tables are skipped by the callers.
fn table_mut<'a>(catalog: &'a mut Catalog, name: &str) -> Option<&'a mut Table> {
    catalog.tables.get_mut(name)
}

fn sort_foreign_keys(catalog: &mut Catalog) {
    for table in catalog.tables.values_mut() {
        table.foreign_keys.sort();
    }
}

// ---------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------

const SQLITE_LEFTOVERS: &str = "SELECT type, name FROM sqlite_master \
     WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name";

const SQLITE_OBJECTS: &str = "SELECT type, name, tbl_name, sql FROM sqlite_master \
     WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

const SQLITE_COLUMNS: &str = "SELECT m.name, p.name, lower(p.type), p.\"notnull\", p.dflt_value, p.pk \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY m.name, p.cid";

const SQLITE_INDEXES: &str = "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial, i.name \
     FROM sqlite_master m JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY m.name, l.name, i.seqno";

const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", \
     lower(f.on_delete), lower(f.on_update) \
     FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY m.name, f.id, f.seq";

fn sqlite_catalog(db: &TestDb) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let mut parsed: BTreeMap<String, (Vec<Constraint>, bool)> = BTreeMap::new();
    for row in db.query_rows(SQLITE_OBJECTS)? {
        let (kind, name, table) = (text(&row, 0), text(&row, 1), text(&row, 2));
        match kind.as_str() {
            "table" => {
                let sql = text(&row, 3);
                parsed.insert(name.clone(), (sqlite_constraints(&sql), has_autoincrement(&sql)));
                catalog.tables.insert(name, Table::default());
            }
            "view" => {
                catalog.views.insert(name);
            }
            "trigger" => {
                catalog.triggers.insert(name, table);
            }
            _ => {}
        }
    }

    let mut primary_keys: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for row in db.query_rows(SQLITE_COLUMNS)? {
        let (table_name, column) = (text(&row, 0), text(&row, 1));
        let Some(table) = table_mut(&mut catalog, &table_name) else {
            continue;
        };
        let key_position: usize = text(&row, 5).parse().unwrap_or(0);
        if key_position > 0 {
            primary_keys.entry(table_name).or_default().push((key_position, column.clone()));
        }
        table.columns.push(Column {
            name: column,
            type_name: text(&row, 2),
            nullable: text(&row, 3) == "0",
            default: opt(&row, 4),
            autoincrement: false,
        });
    }
    for (table_name, mut key) in primary_keys {
        key.sort();
        let columns: Vec<String> = key.into_iter().map(|(_, column)| column).collect();
        let (constraints, autoincrement) = parsed
            .get(&table_name)
            .map_or((&[][..], false), |(constraints, autoincrement)| (&constraints[..], *autoincrement));
        let name = constraints
            .iter()
            .find(|constraint| constraint.kind == Kind::PrimaryKey)
            .and_then(|constraint| constraint.name.clone());
        if let Some(table) = table_mut(&mut catalog, &table_name) {
            // AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY, which
            // is then the table's only key column.
            if autoincrement && columns.len() == 1 {
                for column in &mut table.columns {
                    column.autoincrement = column.name == columns[0];
                }
            }
            table.primary_key = Some(PrimaryKey { name, columns });
        }
    }

    // Index rows come one per key column; gather them per index first,
    // with the index's origin: `c` for CREATE INDEX, `u` for a unique
    // constraint, `pk` for a primary key that is not a rowid alias.
    let mut indexes: BTreeMap<(String, String), (String, Index)> = BTreeMap::new();
    for row in db.query_rows(SQLITE_INDEXES)? {
        let (_, index) = indexes.entry((text(&row, 0), text(&row, 1))).or_insert_with(|| {
            let index = Index {
                columns: Vec::new(),
                unique: text(&row, 2) == "1",
                partial: text(&row, 4) == "1",
            };
            (text(&row, 3), index)
        });
        index.columns.push(opt(&row, 5).unwrap_or_else(|| "<expression>".to_owned()));
    }
    let mut used: BTreeSet<(String, usize)> = BTreeSet::new();
    for ((table_name, index_name), (origin, index)) in indexes {
        let constraints = parsed.get(&table_name).map_or(&[][..], |(constraints, _)| &constraints[..]);
        let Some(table) = table_mut(&mut catalog, &table_name) else {
            continue;
        };
        match origin.as_str() {
            "c" => {
                table.indexes.insert(index_name, index);
            }
            "u" => {
                let found = find_constraint(constraints, Kind::Unique, &index.columns, None, &used, &table_name);
                let name = match found {
                    Some((position, name)) => {
                        used.insert((table_name.clone(), position));
                        name
                    }
                    None => None,
                };
                let key = name.unwrap_or_else(|| format!("(unnamed) {}", index.columns.join(", ")));
                table.unique_constraints.insert(key, index.columns);
            }
            _ => {}
        }
    }

    // Foreign key rows come one per column pair; gather them per key.
    let mut foreign_keys: BTreeMap<(String, usize), ForeignKey> = BTreeMap::new();
    for row in db.query_rows(SQLITE_FOREIGN_KEYS)? {
        let id: usize = text(&row, 1).parse().unwrap_or(0);
        let key = foreign_keys.entry((text(&row, 0), id)).or_insert_with(|| ForeignKey {
            name: None,
            columns: Vec::new(),
            referred_table: text(&row, 2),
            referred_columns: Vec::new(),
            on_delete: text(&row, 5),
            on_update: text(&row, 6),
        });
        key.columns.push(text(&row, 3));
        // `to` is NULL when the key refers to the parent's primary key
        // implicitly; it is filled in below.
        key.referred_columns.push(text(&row, 4));
    }
    for ((table_name, _), mut key) in foreign_keys {
        if key.referred_columns.iter().all(String::is_empty) {
            if let Some(PrimaryKey { columns, .. }) = catalog.tables.get(&key.referred_table).and_then(|parent| parent.primary_key.as_ref()) {
                key.referred_columns = columns.clone();
            }
        }
        let constraints = parsed.get(&table_name).map_or(&[][..], |(constraints, _)| &constraints[..]);
        let found = find_constraint(constraints, Kind::ForeignKey, &key.columns, Some(&key.referred_table), &used, &table_name);
        if let Some((position, name)) = found {
            used.insert((table_name.clone(), position));
            key.name = name;
        }
        if let Some(table) = table_mut(&mut catalog, &table_name) {
            table.foreign_keys.push(key);
        }
    }

    for (table_name, (constraints, _)) in &parsed {
        let Some(table) = table_mut(&mut catalog, table_name) else {
            continue;
        };
        for constraint in constraints.iter().filter(|c| c.kind == Kind::Check) {
            let name = match &constraint.name {
                Some(name) => name.clone(),
                None => format!("(unnamed) {}", constraint.expression),
            };
            table.checks.insert(name);
        }
    }
    sort_foreign_keys(&mut catalog);
    Ok(catalog)
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

/// Where a PostgreSQL catalog query looks: `public` and the test's own
/// schemas (`TestDb::schema_prefix`), for the namespace aliased `n`.
fn pg_schemas(n: &str, prefix: &str) -> String {
    format!("({n}.nspname = 'public' OR left({n}.nspname, {}) = '{prefix}')", prefix.chars().count())
}

/// The catalog's key of the object named `name` in the namespace aliased
/// `n`: the bare name in `public`, `schema.name` (prefix left out) elsewhere.
fn pg_key(n: &str, name: &str, prefix: &str) -> String {
    let len = prefix.chars().count();
    format!(
        "CASE WHEN {n}.nspname = 'public' THEN {name} \
         WHEN left({n}.nspname, {len}) = '{prefix}' THEN substr({n}.nspname, {}) || '.' || {name} \
         ELSE {n}.nspname || '.' || {name} END",
        len + 1
    )
}

fn postgres_leftovers(prefix: &str) -> String {
    let within = pg_schemas("n", prefix);
    format!(
        "\
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' \
       WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END, \
       {key} \
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE {within} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
  AND NOT (c.relkind = 'S' AND EXISTS ( \
      SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
        AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))) \
UNION ALL \
SELECT 'type', {tkey} FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
WHERE {within} AND (t.typtype IN ('e', 'd', 'r', 'm') \
  OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))) \
UNION ALL \
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, p.proname \
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {within} \
UNION ALL \
SELECT 'schema', n.nspname FROM pg_namespace n WHERE n.nspname <> 'public' AND {within} \
ORDER BY 1, 2",
        key = pg_key("n", "c.relname", prefix),
        tkey = pg_key("n", "t.typname", prefix),
    )
}

/// The catalog queries, in the order `postgres_catalog` reads them.
fn postgres_queries(prefix: &str) -> Vec<String> {
    let within = pg_schemas("n", prefix);
    let key = pg_key("n", "c.relname", prefix);
    vec![
        format!(
            "SELECT c.relkind, {key} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE {within} AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 2"
        ),
        format!(
            "\
SELECT {key}, a.attname, lower(format_type(a.atttypid, a.atttypmod)), a.attnotnull, \
       pg_get_expr(d.adbin, d.adrelid), \
       a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false) \
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
WHERE {within} AND c.relkind IN ('r', 'p') ORDER BY 1, a.attnum"
        ),
        format!(
            "\
SELECT {key}, co.conname, co.contype, \
       (SELECT string_agg(a.attname, chr(29) ORDER BY k.ord) \
          FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord) \
          JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum), \
       {fkey}, \
       (SELECT string_agg(a.attname, chr(29) ORDER BY k.ord) \
          FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord) \
          JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum), \
       co.confdeltype, co.confupdtype \
FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
JOIN pg_namespace n ON n.oid = c.relnamespace \
LEFT JOIN pg_class f ON f.oid = co.confrelid \
LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace \
WHERE {within} AND co.contype IN ('p', 'u', 'f', 'c') \
ORDER BY 1, co.conname",
            fkey = pg_key("fn", "f.relname", prefix)
        ),
        format!(
            "\
SELECT {tkey}, i.relname, x.indisunique, x.indpred IS NOT NULL, \
       (SELECT string_agg(CASE WHEN k.attnum <> 0 THEN a.attname \
                               ELSE pg_get_indexdef(x.indexrelid, k.ord::int, true) END, \
                          chr(29) ORDER BY k.ord) \
          FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
          LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum \
         WHERE k.ord <= x.indnkeyatts) \
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
WHERE {within} AND NOT EXISTS ( \
    SELECT 1 FROM pg_constraint co \
    WHERE co.conindid = x.indexrelid AND co.conrelid = x.indrelid AND co.contype IN ('p', 'u', 'x')) \
ORDER BY 1, i.relname",
            tkey = pg_key("n", "t.relname", prefix)
        ),
        format!(
            "\
SELECT tg.tgname, {key} FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE {within} AND NOT tg.tgisinternal ORDER BY 1"
        ),
        format!(
            "\
SELECT {tkey}, string_agg(e.enumlabel, chr(29) ORDER BY e.enumsortorder) \
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
LEFT JOIN pg_enum e ON e.enumtypid = t.oid \
WHERE {within} AND t.typtype = 'e' GROUP BY 1 ORDER BY 1",
            tkey = pg_key("n", "t.typname", prefix)
        ),
        format!(
            "SELECT substr(n.nspname, {}) FROM pg_namespace n WHERE n.nspname <> 'public' AND {within} ORDER BY 1",
            prefix.chars().count() + 1
        ),
        // An identity column's sequence is the column's, not listed.
        format!(
            "\
SELECT {key}, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle \
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
WHERE {within} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
  AND d.objid = c.oid AND d.deptype = 'i') ORDER BY 1"
        ),
    ]
}

/// PostgreSQL's one-letter foreign key action codes, spelled out.
fn postgres_action(code: &str) -> String {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => other,
    }
    .to_owned()
}

fn postgres_catalog(db: &TestDb) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let queries = postgres_queries(&db.schema_prefix());
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    let mut batches = db.query_batches(&queries)?.into_iter();
    let mut next = || batches.next().unwrap_or_default();
    for row in next() {
        match text(&row, 0).as_str() {
            "r" | "p" => {
                catalog.tables.insert(text(&row, 1), Table::default());
            }
            _ => {
                catalog.views.insert(text(&row, 1));
            }
        }
    }
    for row in next() {
        if let Some(table) = table_mut(&mut catalog, &text(&row, 0)) {
            table.columns.push(Column {
                name: text(&row, 1),
                type_name: text(&row, 2),
                nullable: text(&row, 3) == "f",
                default: opt(&row, 4),
                autoincrement: text(&row, 5) == "t",
            });
        }
    }
    for row in next() {
        let Some(table) = table_mut(&mut catalog, &text(&row, 0)) else {
            continue;
        };
        let (name, columns) = (text(&row, 1), list(&row, 3));
        match text(&row, 2).as_str() {
            "p" => {
                table.primary_key = Some(PrimaryKey { name: Some(name), columns });
            }
            "u" => {
                table.unique_constraints.insert(name, columns);
            }
            "f" => table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns,
                referred_table: text(&row, 4),
                referred_columns: list(&row, 5),
                on_delete: postgres_action(&text(&row, 6)),
                on_update: postgres_action(&text(&row, 7)),
            }),
            _ => {
                table.checks.insert(name);
            }
        }
    }
    for row in next() {
        if let Some(table) = table_mut(&mut catalog, &text(&row, 0)) {
            table.indexes.insert(
                text(&row, 1),
                Index {
                    columns: list(&row, 4),
                    unique: text(&row, 2) == "t",
                    partial: text(&row, 3) == "t",
                },
            );
        }
    }
    for row in next() {
        catalog.triggers.insert(text(&row, 0), text(&row, 1));
    }
    for row in next() {
        catalog.enums.insert(text(&row, 0), list(&row, 1));
    }
    for row in next() {
        catalog.schemas.insert(text(&row, 0));
    }
    for row in next() {
        catalog.sequences.insert(
            text(&row, 0),
            Sequence {
                start: text(&row, 1),
                increment: text(&row, 2),
                min: text(&row, 3),
                max: text(&row, 4),
                cycle: text(&row, 5) == "t",
            },
        );
    }
    sort_foreign_keys(&mut catalog);
    Ok(catalog)
}

// ---------------------------------------------------------------------------
// MariaDB
// ---------------------------------------------------------------------------

/// Where a MariaDB catalog query looks: the test's database and its own
/// schemas (databases named with `TestDb::schema_prefix`), for the column `col`.
fn my_schemas(col: &str, prefix: &str) -> String {
    format!("({col} = DATABASE() OR LEFT({col}, {}) = '{prefix}')", prefix.chars().count())
}

/// The catalog's key of `name` in the database `col`: the bare name in the
/// test's database, `schema.name` (prefix left out) in one of its schemas.
fn my_key(col: &str, name: &str, prefix: &str) -> String {
    let len = prefix.chars().count();
    format!(
        "IF({col} = DATABASE(), {name}, IF(LEFT({col}, {len}) = '{prefix}', \
         CONCAT(SUBSTRING({col}, {}), '.', {name}), CONCAT({col}, '.', {name})))",
        len + 1
    )
}

fn mariadb_leftovers(prefix: &str) -> String {
    format!(
        "\
SELECT lower(TABLE_TYPE), {tkey} FROM information_schema.TABLES WHERE {tables} \
UNION ALL SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS \
  WHERE TRIGGER_SCHEMA = DATABASE() \
UNION ALL SELECT lower(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES \
  WHERE ROUTINE_SCHEMA = DATABASE() \
UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() \
UNION ALL SELECT 'schema', SCHEMA_NAME FROM information_schema.SCHEMATA \
  WHERE LEFT(SCHEMA_NAME, {len}) = '{prefix}' \
ORDER BY 1, 2",
        tkey = my_key("TABLE_SCHEMA", "TABLE_NAME", prefix),
        tables = my_schemas("TABLE_SCHEMA", prefix),
        len = prefix.chars().count(),
    )
}

/// The catalog queries, in the order `mariadb_catalog` reads them.
fn mariadb_queries(prefix: &str) -> Vec<String> {
    let tkey = my_key("TABLE_SCHEMA", "TABLE_NAME", prefix);
    let tables = my_schemas("TABLE_SCHEMA", prefix);
    vec![
        format!(
            "SELECT TABLE_TYPE, {tkey}, TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES \
WHERE {tables} ORDER BY 2"
        ),
        format!(
            "\
SELECT {tkey}, COLUMN_NAME, lower(COLUMN_TYPE), IS_NULLABLE, COLUMN_DEFAULT, \
       EXTRA LIKE '%auto_increment%' \
FROM information_schema.COLUMNS WHERE {tables} \
ORDER BY 1, ORDINAL_POSITION"
        ),
        format!(
            "\
SELECT {tkey}, INDEX_NAME, NON_UNIQUE, COLUMN_NAME \
FROM information_schema.STATISTICS WHERE {tables} \
ORDER BY 1, INDEX_NAME, SEQ_IN_INDEX"
        ),
        format!(
            "\
SELECT {kkey}, k.CONSTRAINT_NAME, k.COLUMN_NAME, {rkey}, \
       k.REFERENCED_COLUMN_NAME, lower(r.DELETE_RULE), lower(r.UPDATE_RULE) \
FROM information_schema.KEY_COLUMN_USAGE k \
JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
 AND r.TABLE_NAME = k.TABLE_NAME \
WHERE {ktables} AND k.REFERENCED_TABLE_NAME IS NOT NULL \
ORDER BY 1, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            kkey = my_key("k.TABLE_SCHEMA", "k.TABLE_NAME", prefix),
            rkey = my_key("k.REFERENCED_TABLE_SCHEMA", "k.REFERENCED_TABLE_NAME", prefix),
            ktables = my_schemas("k.TABLE_SCHEMA", prefix),
        ),
        format!(
            "SELECT {ckey}, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
WHERE {ctables} ORDER BY 1, 2",
            ckey = my_key("CONSTRAINT_SCHEMA", "TABLE_NAME", prefix),
            ctables = my_schemas("CONSTRAINT_SCHEMA", prefix),
        ),
        format!(
            "SELECT TRIGGER_NAME, {gkey} FROM information_schema.TRIGGERS \
WHERE {gtables} ORDER BY 1",
            gkey = my_key("TRIGGER_SCHEMA", "EVENT_OBJECT_TABLE", prefix),
            gtables = my_schemas("TRIGGER_SCHEMA", prefix),
        ),
        format!(
            "SELECT SUBSTRING(SCHEMA_NAME, {}) FROM information_schema.SCHEMATA \
WHERE LEFT(SCHEMA_NAME, {}) = '{prefix}' ORDER BY 1",
            prefix.chars().count() + 1,
            prefix.chars().count()
        ),
    ]
}

fn mariadb_catalog(db: &TestDb) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let queries = mariadb_queries(&db.schema_prefix());
    let mut sequences = Vec::new();
    for row in db.query_rows(&queries[0])? {
        match text(&row, 0).as_str() {
            "BASE TABLE" | "SYSTEM VERSIONED" => {
                catalog.tables.insert(text(&row, 1), Table::default());
            }
            "VIEW" => {
                catalog.views.insert(text(&row, 1));
            }
            "SEQUENCE" => sequences.push((text(&row, 1), text(&row, 2), text(&row, 3))),
            _ => {}
        }
    }
    for row in db.query_rows(&queries[1])? {
        if let Some(table) = table_mut(&mut catalog, &text(&row, 0)) {
            // Since MariaDB 10.2.7 an unquoted NULL here is the NULL
            // default; a string default is shown quoted.
            // https://mariadb.com/kb/en/information-schema-columns-table/
            let default = opt(&row, 4).filter(|default| default != "NULL");
            table.columns.push(Column {
                name: text(&row, 1),
                type_name: text(&row, 2),
                nullable: text(&row, 3) == "YES",
                default,
                autoincrement: text(&row, 5) == "1",
            });
        }
    }
    for row in db.query_rows(&queries[2])? {
        let Some(table) = table_mut(&mut catalog, &text(&row, 0)) else {
            continue;
        };
        let (name, column) = (text(&row, 1), text(&row, 3));
        if name == "PRIMARY" {
            table.primary_key.get_or_insert_with(PrimaryKey::default).columns.push(column);
        } else {
            table
                .indexes
                .entry(name)
                .or_insert_with(|| Index {
                    columns: Vec::new(),
                    unique: text(&row, 2) == "0",
                    partial: false,
                })
                .columns
                .push(column);
        }
    }
    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in db.query_rows(&queries[3])? {
        let key = foreign_keys.entry((text(&row, 0), text(&row, 1))).or_insert_with(|| ForeignKey {
            name: Some(text(&row, 1)),
            columns: Vec::new(),
            referred_table: text(&row, 3),
            referred_columns: Vec::new(),
            on_delete: text(&row, 5),
            on_update: text(&row, 6),
        });
        key.columns.push(text(&row, 2));
        key.referred_columns.push(text(&row, 4));
    }
    for ((table_name, _), key) in foreign_keys {
        if let Some(table) = table_mut(&mut catalog, &table_name) {
            table.foreign_keys.push(key);
        }
    }
    for row in db.query_rows(&queries[4])? {
        if let Some(table) = table_mut(&mut catalog, &text(&row, 0)) {
            // A column-level check (JSON's `json_valid(col)`) has no name SQL
            // can address: information_schema shows the column's name when
            // the check was made, which RENAME COLUMN keeps, SHOW CREATE
            // TABLE shows none and DROP CONSTRAINT does not find it
            // (MariaDB 10.11). Keyed by its clause, as an unnamed check.
            // https://mariadb.com/kb/en/information-schema-check_constraints-table/
            if text(&row, 2) == "Column" {
                table.checks.insert(format!("(unnamed) {}", text(&row, 3)));
            } else {
                table.checks.insert(text(&row, 1));
            }
        }
    }
    for row in db.query_rows(&queries[5])? {
        catalog.triggers.insert(text(&row, 0), text(&row, 1));
    }
    for row in db.query_rows(&queries[6])? {
        catalog.schemas.insert(text(&row, 0));
    }
    // A sequence is a one-row table of its definition.
    // https://mariadb.com/kb/en/create-sequence/
    let quote = |name: &str| format!("`{}`", name.replace('`', "``"));
    for (key, schema, name) in sequences {
        let sql = format!(
            "SELECT start_value, increment, minimum_value, maximum_value, cycle_option FROM {}.{}",
            quote(&schema),
            quote(&name)
        );
        if let Some(row) = db.query_rows(&sql)?.first() {
            catalog.sequences.insert(
                key,
                Sequence {
                    start: text(row, 0),
                    increment: text(row, 1),
                    min: text(row, 2),
                    max: text(row, 3),
                    cycle: text(row, 4) == "1",
                },
            );
        }
    }
    sort_foreign_keys(&mut catalog);
    Ok(catalog)
}
