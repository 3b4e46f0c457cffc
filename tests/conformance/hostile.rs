//! Hostile input: the corpus under `tests/fixtures/hostile/` (written by its
//! `generate.py`) and, made here at test time, 10 MB strings and very long
//! chains. For every project and dialect, `schemac upgrade -o out.sql`
//! either exits 1 with a located diagnostic (`file:line:col`), nothing on
//! stdout and no `out.sql` or temporary file left, or exits 0 and its
//! script applies on the engine, under a hostile client setting that the
//! project's name picks (a GBK, Big5, SJIS or Latin-1 client,
//! `NO_BACKSLASH_ESCAPES`, `ANSI_QUOTES`, `standard_conforming_strings` off),
//! with every name and string value read back exactly (and `downgrade head:base` leaves nothing). Nothing panics or
//! runs past the time limit.

use super::expect::canon_default;
use super::model::canon;
use super::run::dialect_arg;
use crate::support::engines::{require, Engine, TestDb};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of the binary did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub timed_out: bool,
}

/// Runs `schemac ARGS` in `dir`, killing it after `limit`.
pub fn run_limited(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("schemac starts");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
        timed_out,
    }
}

/// Whether some line of short-format diagnostics names `file:line:col`.
pub fn located(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        let parts: Vec<&str> = line.splitn(4, ':').collect();
        parts.len() == 4 && !parts[0].is_empty() && parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok()
    })
}

fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// The outcome of one project on one dialect.
pub enum Verdict {
    Rejected,
    Compiled(String),
    Broken(String),
}

/// Compiles the project in `dir` (a scratch copy) with `-o` and checks the
/// contract of the exit code, the streams and the output file.
pub fn judge(dir: &Path, dialect: &str, limit: Duration) -> Verdict {
    let before = listing(dir);
    let out = dir.join("out.sql");
    let run = run_limited(dir, &["--message-format", "short", "--dialect", dialect, "upgrade", "-o", "out.sql"], limit);
    if run.timed_out {
        return Verdict::Broken(format!("{dialect}: no answer within {limit:?}"));
    }
    if run.code == Some(101) || run.code.is_none() || run.stderr.contains("panicked") {
        return Verdict::Broken(format!("{dialect}: crashed ({:?}): {}", run.code, cut(&run.stderr)));
    }
    if !run.stdout.is_empty() {
        return Verdict::Broken(format!("{dialect}: wrote to stdout with -o"));
    }
    match run.code {
        Some(1) => {
            let after = listing(dir);
            if after != before {
                return Verdict::Broken(format!(
                    "{dialect}: a failed run left files: {:?}",
                    after.difference(&before).collect::<Vec<_>>()
                ));
            }
            if !located(&run.stderr) {
                return Verdict::Broken(format!("{dialect}: diagnostic names no file:line:col: {}", cut(&run.stderr)));
            }
            Verdict::Rejected
        }
        Some(0) => match std::fs::read_to_string(&out) {
            Ok(sql) => {
                let _ = std::fs::remove_file(&out);
                if listing(dir) != before {
                    return Verdict::Broken(format!("{dialect}: a run left temporary files"));
                }
                Verdict::Compiled(sql)
            }
            Err(e) => Verdict::Broken(format!("{dialect}: exit 0 but no out.sql: {e}")),
        },
        other => Verdict::Broken(format!("{dialect}: exit {other:?}: {}", cut(&run.stderr))),
    }
}

fn cut(s: &str) -> String {
    let mut t: String = s.chars().take(600).collect();
    if t.len() < s.len() {
        t.push_str("...");
    }
    t
}

/// Names and string values a project asks for, read from its TOML.
#[derive(Default, Debug)]
struct Expect {
    tables: Vec<(String, Vec<String>)>,
    names: Vec<(String, String)>,
    defaults: Vec<(String, String, String)>,
    values: Vec<(String, String, String)>,
    enums: Vec<String>,
}

fn expect_of(dir: &Path) -> Expect {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("revisions")).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut e = Expect::default();
    let s = |v: &toml::Value| v.as_str().map(str::to_owned);
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        let Ok(doc) = text.parse::<toml::Table>() else { continue };
        let Some(ops) = doc.get("upgrade").and_then(|u| u.as_array()) else { continue };
        for op in ops {
            let Some(op) = op.as_table() else { continue };
            let table = op.get("table").and_then(s).unwrap_or_default();
            match op.get("op").and_then(|o| o.as_str()) {
                Some("create_table") => {
                    let mut cols = Vec::new();
                    for c in op.get("columns").and_then(|c| c.as_array()).into_iter().flatten() {
                        let Some(name) = c.get("name").and_then(s) else { continue };
                        if let Some(d) = c.get("default").and_then(s) {
                            e.defaults.push((table.clone(), name.clone(), d));
                        }
                        if let Some(values) = c.get("type").and_then(|t| t.get("enum")).and_then(|v| v.as_array()) {
                            e.enums.extend(values.iter().filter_map(s));
                        }
                        cols.push(name);
                    }
                    e.tables.push((table.clone(), cols));
                    for key in ["indexes", "unique_constraints", "check_constraints", "foreign_keys"] {
                        for x in op.get(key).and_then(|c| c.as_array()).into_iter().flatten() {
                            if let Some(n) = x.get("name").and_then(s) {
                                e.names.push((table.clone(), n));
                            }
                        }
                    }
                }
                // SPEC 10.2 cases (`deps_*`): the names after the renames.
                Some("rename_table") => {
                    let Some(new) = op.get("new_name").and_then(s) else { continue };
                    for (t, _) in e.tables.iter_mut().filter(|(t, _)| *t == table) {
                        *t = new.clone();
                    }
                    for (t, _) in e.names.iter_mut().filter(|(t, _)| *t == table) {
                        *t = new.clone();
                    }
                }
                Some("rename_column") => {
                    let (Some(old), Some(new)) = (op.get("column").and_then(s), op.get("new_name").and_then(s)) else {
                        continue;
                    };
                    for (_, cols) in e.tables.iter_mut().filter(|(t, _)| *t == table) {
                        cols.iter_mut().filter(|c| **c == old).for_each(|c| *c = new.clone());
                    }
                }
                Some("bulk_insert") => {
                    for row in op.get("rows").and_then(|r| r.as_array()).into_iter().flatten() {
                        for (c, v) in row.as_table().into_iter().flatten() {
                            if let Some(v) = v.as_str() {
                                e.values.push((table.clone(), c.clone(), v.to_owned()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    e
}

fn ident(engine: Engine, name: &str) -> String {
    match engine {
        Engine::Mariadb => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// The client settings a script is applied under (SPEC 10.4: the same
/// bytes give the same objects and values whatever they are): the client's
/// arguments and environment. Each project takes one, by its name, so that
/// the corpus crosses every setting without running twice.
pub type ClientSetting = (&'static [&'static str], &'static [(&'static str, &'static str)]);

const MARIADB_SETTINGS: &[ClientSetting] = &[
    (&[], &[]),
    (&["--default-character-set=gbk"], &[]),
    (&["--default-character-set=big5"], &[]),
    (&["--default-character-set=latin1"], &[]),
    (&["--init-command=SET sql_mode='NO_BACKSLASH_ESCAPES'"], &[]),
    (
        &["--default-character-set=sjis", "--init-command=SET sql_mode='ANSI_QUOTES,NO_BACKSLASH_ESCAPES'"],
        &[],
    ),
];

const POSTGRES_SETTINGS: &[ClientSetting] = &[
    (&[], &[]),
    (&[], &[("PGOPTIONS", "-c standard_conforming_strings=off")]),
    (&[], &[("PGOPTIONS", "-c standard_conforming_strings=off"), ("PGCLIENTENCODING", "SJIS")]),
    (&[], &[("PGCLIENTENCODING", "LATIN1")]),
];

pub fn client_setting(case: &str, engine: Engine) -> ClientSetting {
    let all = match engine {
        Engine::Mariadb => MARIADB_SETTINGS,
        Engine::Postgres => POSTGRES_SETTINGS,
        Engine::Sqlite => return (&[], &[]),
    };
    // FNV-1a of the name: stable across runs and platforms.
    let hash = case
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    all[(hash % all.len() as u64) as usize]
}

/// Applies `sql` on `engine` under the project's client setting, and reads
/// every expected name and value back (with the default settings).
fn round_trip(case: &str, dir: &Path, engine: Engine, sql: &str) -> Result<(), String> {
    let db = TestDb::new(engine, &format!("hostile_{case}"))?;
    let (args, env) = client_setting(case, engine);
    db.apply_with(sql, args, env)
        .map_err(|e| format!("the engine refused the script (client settings {args:?} {env:?}): {}", cut(&e)))?;
    let catalog = db.catalog()?;
    let e = expect_of(dir);
    for (t, cols) in &e.tables {
        let table = catalog
            .table(t)
            .ok_or_else(|| format!("table {t:?} not found; tables: {:?}", catalog.tables.keys().collect::<Vec<_>>()))?;
        for c in cols {
            if table.column(c).is_none() {
                return Err(format!("column {c:?} of {t:?} not found; columns: {:?}", table.column_names()));
            }
        }
    }
    for (t, n) in &e.names {
        let table = catalog.table(t).ok_or("table gone")?;
        let found = table.indexes.contains_key(n)
            || table.unique_constraints.contains_key(n)
            || table.checks.contains(n)
            || table.foreign_keys.iter().any(|f| f.name.as_deref() == Some(n));
        if !found {
            return Err(format!("name {n:?} on {t:?} not found in {table:?}"));
        }
    }
    for (t, c, d) in &e.defaults {
        let raw = catalog.table(t).and_then(|t| t.column(c)).and_then(|c| c.default.clone());
        let mut got = raw.as_deref().map(|g| canon_default(engine, g));
        if engine == Engine::Sqlite && got.as_deref() != Some(canon(d).as_str()) {
            // A default that is an expression (a carriage return is one) is
            // evaluated by the engine.
            if let Some(raw) = &raw {
                got = db.query_rows(&format!("SELECT {raw};"))?.first().and_then(|r| r[0].clone()).map(|v| canon(&v));
            }
        }
        if got.as_deref() != Some(canon(d).as_str()) {
            return Err(format!("default of {t:?}.{c:?}: want {d:?} got {got:?}"));
        }
    }
    for (t, c, v) in &e.values {
        let rows = db.query_rows(&format!("SELECT {} FROM {}", ident(engine, c), ident(engine, t)))?;
        if !rows.iter().any(|r| r[0].as_deref() == Some(v.as_str())) {
            return Err(format!("value {v:?} of {t:?}.{c:?} not read back: {rows:?}"));
        }
    }
    if engine == Engine::Postgres {
        let labels: BTreeSet<&String> = catalog.enums.values().flatten().collect();
        for v in &e.enums {
            if !labels.contains(v) {
                return Err(format!("enum label {v:?} not found in {:?}", catalog.enums));
            }
        }
    }
    let down = super::run::compile(dir, &["--dialect", dialect_arg(engine), "downgrade", "head:base"])?;
    db.apply_with(&down, args, env)
        .map_err(|e| format!("downgrade head:base refused (client settings {args:?} {env:?}): {}", cut(&e)))?;
    db.is_empty()
}

/// Judges one project on every dialect; the problems found.
pub fn check_project(case: &str, src: &Path, engines: &[Engine], limit: Duration, apply: bool) -> (usize, usize, Vec<String>) {
    let (mut rejected, mut compiled, mut problems) = (0, 0, Vec::new());
    for engine in Engine::ALL {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("p");
        copy_dir(src, &dir);
        match judge(&dir, dialect_arg(engine), limit) {
            Verdict::Rejected => rejected += 1,
            Verdict::Broken(why) => problems.push(format!("{case}: {why}")),
            Verdict::Compiled(sql) => {
                compiled += 1;
                if apply && engines.contains(&engine) {
                    if let Err(why) = round_trip(case, &dir, engine, &sql) {
                        problems.push(format!("{case}: {engine}: compiled, but {why}"));
                    }
                }
            }
        }
    }
    (rejected, compiled, problems)
}

fn hostile_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

#[test]
fn hostile_corpus() {
    let engines: Vec<Engine> = Engine::ALL.into_iter().filter(|e| require(*e)).collect();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(hostile_root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("revisions").is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 100,
        "the corpus holds {} projects; run tests/fixtures/hostile/generate.py",
        cases.len()
    );
    let (mut rejected, mut compiled, mut problems) = (0, 0, Vec::new());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (r, c, p) = check_project(&name, case, &engines, Duration::from_secs(30), true);
        rejected += r;
        compiled += c;
        problems.extend(p);
    }
    eprintln!(
        "hostile: {} projects, {rejected} rejected with a location, {compiled} compiled and round-tripped (per dialect), {} problems",
        cases.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

fn write_project(dir: &Path, files: &[(&str, String)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// 10 MB strings everywhere a string goes, and a long chain: no crash, no
/// hang, the exit-code contract. These are not applied to the engines.
#[test]
fn hostile_huge_inputs() {
    let big: String = "x'\\\"-- ".repeat(10 * 1024 * 1024 / 8);
    let escaped = super::model::q(&big);
    let head = "revision = \"a00000000001\"\n";
    let table = |col: &str, extra: &str| {
        format!("{head}\n[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{{ name = \"id\", type = \"integer\", primary_key = true }}, {col}]\n{extra}")
    };
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("message", vec![("revisions/a.toml", format!("{head}message = {escaped}\n"))]),
        (
            "table_name",
            vec![(
                "revisions/a.toml",
                format!("{head}\n[[upgrade]]\nop = \"create_table\"\ntable = {escaped}\ncolumns = [{{ name = \"id\", type = \"integer\" }}]\n"),
            )],
        ),
        (
            "default",
            vec![(
                "revisions/a.toml",
                table(&format!("{{ name = \"v\", type = \"text\", default = {escaped} }}"), ""),
            )],
        ),
        (
            "comment",
            vec![(
                "revisions/a.toml",
                table(&format!("{{ name = \"v\", type = \"text\", comment = {escaped} }}"), ""),
            )],
        ),
        (
            "check_expr",
            vec![(
                "revisions/a.toml",
                table(
                    "{ name = \"v\", type = \"integer\" }",
                    &format!("check_constraints = [{{ name = \"ck\", expr = {escaped} }}]\n"),
                ),
            )],
        ),
        ("revision_id", vec![("revisions/a.toml", format!("revision = {escaped}\n"))]),
        (
            "bulk_value",
            vec![(
                "revisions/a.toml",
                format!(
                    "{}\n[[upgrade]]\nop = \"bulk_insert\"\ntable = \"t\"\nrows = [{{ id = 1, v = {escaped} }}]\n",
                    table("{ name = \"v\", type = \"text\" }", "")
                ),
            )],
        ),
        (
            "unterminated",
            vec![(
                "revisions/a.toml",
                format!("{head}message = \"{}", &big[..big.len() / 2].replace(['"', '\\', '\''], "")),
            )],
        ),
    ];
    let mut problems = Vec::new();
    let mut chain = Vec::new();
    let n = std::env::var("SCHEMAC_HOSTILE_CHAIN").ok().and_then(|v| v.parse().ok()).unwrap_or(3000usize);
    for i in 0..n {
        let down = if i == 0 {
            String::new()
        } else {
            format!("down_revision = \"r{:06}\"\n", i - 1)
        };
        let op = if i == 0 {
            "[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }]\n".to_owned()
        } else if i % 2 == 1 {
            format!("[[upgrade]]\nop = \"add_column\"\ntable = \"t\"\ncolumn = {{ name = \"c{i}\", type = \"integer\" }}\n")
        } else {
            // Columns come and go: the table stays under every column limit.
            format!("[[upgrade]]\nop = \"drop_column\"\ntable = \"t\"\ncolumn = \"c{}\"\n", i - 1)
        };
        chain.push((format!("revisions/r{i:06}.toml"), format!("revision = \"r{i:06}\"\n{down}\n{op}")));
    }
    let chain_refs: Vec<(&str, String)> = chain.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let mut all = cases;
    all.push(("long_chain", chain_refs));
    for (name, files) in &all {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("p");
        write_project(&dir, files);
        for engine in Engine::ALL {
            let started = Instant::now();
            match judge(&dir, dialect_arg(engine), Duration::from_secs(120)) {
                Verdict::Broken(why) => problems.push(format!("{name}: {why}")),
                Verdict::Rejected => eprintln!("hostile huge {name} on {engine}: rejected in {:.1?}", started.elapsed()),
                Verdict::Compiled(sql) => eprintln!("hostile huge {name} on {engine}: compiled ({} bytes) in {:.1?}", sql.len(), started.elapsed()),
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
