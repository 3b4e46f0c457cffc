//! Runs one chain on one engine: compiles each step with the real binary,
//! applies it, and compares the catalog (and the rows) with the model after
//! every revision upward and then stepwise downward to base; then the
//! equivalences (`upgrade base:head` in one go, `create_schema`). A failing
//! chain is shrunk and saved as a fixture.

use super::expect::{actual, diff, expected, Norm};
use super::gen::{Chain, Segment};
use super::hostile::client_setting;
use super::model::{canon, Schema};
use crate::support::engines::{Engine, TestDb};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn dialect_arg(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgresql",
        Engine::Mariadb => "mariadb@10.11",
    }
}

/// Runs `schemac ARGS` in `dir`; the script, or the exit status and stderr.
pub fn compile(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|e| e.to_string())
    } else {
        Err(format!("schemac {args:?} exited {}: {}", out.status, String::from_utf8_lossy(&out.stderr)))
    }
}

/// Statements in a script: lines that end one, comments aside.
pub fn statements(script: &str) -> u64 {
    script
        .lines()
        .filter(|l| !l.trim_start().starts_with("--") && l.trim_end().ends_with(';'))
        .count() as u64
}

fn ident(engine: Engine, name: &str) -> String {
    match engine {
        Engine::Mariadb => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// A model table name (`ns<N>.t<M>` in a schema) as the test database
/// `prefix`es its schemas.
fn table_ident(engine: Engine, name: &str, prefix: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) => format!("{}.{}", ident(engine, &format!("{prefix}{schema}")), ident(engine, table)),
        None => ident(engine, name),
    }
}

/// The rows of every table with known values, compared with the model.
fn check_rows(db: &TestDb, engine: Engine, schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let queries: Vec<String> = schema
        .tables
        .iter()
        .map(|t| {
            let select: Vec<String> = t.cols.iter().map(|c| ident(engine, &c.name)).collect();
            format!(
                "SELECT {} FROM {} ORDER BY {}",
                select.join(", "),
                table_ident(engine, &t.name, &db.schema_prefix()),
                ident(engine, "id")
            )
        })
        .collect();
    // Issue 15: each view read by its own column names, its rows the table's.
    let mut queries = queries;
    for v in &schema.views {
        let select: Vec<String> = std::iter::once("id".to_owned()).chain(v.cols.iter().map(|(_, a)| a.clone())).collect();
        queries.push(format!("SELECT {} FROM {} ORDER BY id", select.join(", "), v.name));
    }
    let refs: Vec<&str> = queries.iter().map(String::as_str).collect();
    let results = match db.query_batches(&refs) {
        Ok(r) => r,
        Err(e) => return vec![format!("rows: {e}")],
    };
    let mut results = results;
    let view_results = results.split_off(schema.tables.len().min(results.len()));
    out.extend(check_view_rows(engine, schema, view_results));
    for (t, rows) in schema.tables.iter().zip(results) {
        let ids: Vec<String> = rows.iter().map(|r| r[0].clone().unwrap_or_default()).collect();
        let want_ids: Vec<String> = t.rows.keys().map(|k| k.to_string()).collect();
        if ids != want_ids {
            out.push(format!("rows of {:?}: ids want {want_ids:?} got {ids:?}", t.name));
            continue;
        }
        for (row, (id, want)) in rows.iter().zip(&t.rows) {
            for (i, c) in t.cols.iter().enumerate() {
                let Some(w) = want.get(&c.name) else { continue };
                let g = row[i].as_deref().map(canon);
                if *w != g {
                    out.push(format!("row {id} of {:?}, column {:?}: want {w:?} got {g:?}", t.name, c.name));
                }
            }
        }
    }
    out
}

/// The rows of each view (issue 15): the rows of its table, the view's
/// columns the table's columns they read.
fn check_view_rows(_engine: Engine, schema: &Schema, results: Vec<Vec<Vec<Option<String>>>>) -> Vec<String> {
    let mut out = Vec::new();
    if results.len() != schema.views.len() {
        return vec![format!("views: {} results for {} views", results.len(), schema.views.len())];
    }
    for (v, rows) in schema.views.iter().zip(results) {
        let Some(t) = schema.table(&v.table) else {
            out.push(format!("view {:?}: no table {:?} in the model", v.name, v.table));
            continue;
        };
        let ids: Vec<String> = rows.iter().map(|r| r[0].clone().unwrap_or_default()).collect();
        let want_ids: Vec<String> = t.rows.keys().map(|k| k.to_string()).collect();
        if ids != want_ids {
            out.push(format!("rows of view {:?}: ids want {want_ids:?} got {ids:?}", v.name));
            continue;
        }
        for (row, (id, want)) in rows.iter().zip(&t.rows) {
            for (i, (c, a)) in v.cols.iter().enumerate() {
                let Some(w) = want.get(c) else { continue };
                let g = row[i + 1].as_deref().map(canon);
                if *w != g {
                    out.push(format!("row {id} of view {:?}, column {a:?}: want {w:?} got {g:?}", v.name));
                }
            }
        }
    }
    out
}

/// The table comments (`alter_table`) of the default schema's tables are
/// the model's (SQLite keeps none).
fn check_comments(db: &TestDb, engine: Engine, schema: &Schema) -> Vec<String> {
    let sql = match engine {
        Engine::Postgres => {
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
        }
        _ => "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
    };
    let rows = match db.query_rows(sql) {
        Ok(rows) => rows,
        Err(e) => return vec![format!("table comments: {e}")],
    };
    let got: std::collections::BTreeMap<String, String> = rows
        .into_iter()
        .map(|r| (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default()))
        .collect();
    schema
        .tables
        .iter()
        .filter(|t| !t.name.contains('.'))
        .filter_map(|t| {
            let want = t.comment.clone().unwrap_or_default();
            let have = got.get(&t.name).cloned().unwrap_or_default();
            (want != have).then(|| format!("table {:?} comment: want {want:?} got {have:?}", t.name))
        })
        .collect()
}

/// SQLite's triggers are the model's, each on its table and updating its
/// target as they are named now (after renames and rebuilds).
fn check_triggers(db: &TestDb, schema: &Schema) -> Vec<String> {
    let rows = match db.query_rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") {
        Ok(rows) => rows,
        Err(e) => return vec![format!("triggers: {e}")],
    };
    let got: std::collections::BTreeMap<String, String> = rows
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default().replace(['"', '`', '[', ']'], ""),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for t in &schema.triggers {
        match got.get(&t.name) {
            None => problems.push(format!("trigger {} missing", t.name)),
            Some(sql) if !sql.contains(&format!(" ON {} ", t.table)) || !sql.contains(&format!("UPDATE {} ", t.target)) => {
                problems.push(format!("trigger {} is not on {} updating {}: {sql}", t.name, t.table, t.target))
            }
            Some(_) => {}
        }
    }
    for name in got.keys().filter(|n| !schema.triggers.iter().any(|t| t.name == **n)) {
        problems.push(format!("trigger {name} unexpected"));
    }
    problems
}

fn heads(db: &TestDb) -> Result<Vec<String>, String> {
    let rows = db.query_rows("SELECT version_num FROM schemac_version ORDER BY version_num")?;
    Ok(rows.into_iter().map(|r| r[0].clone().unwrap_or_default()).collect())
}

/// Whether `chain` is applied on `engine`: a chain with schemas or
/// sequences runs on PostgreSQL and MariaDB, one with a partial index on
/// PostgreSQL and SQLite, one with an index form only PostgreSQL has there
/// alone (SPEC 9; the generator keeps schemas apart from the others).
pub fn runs_on(chain: &Chain, engine: Engine) -> bool {
    match engine {
        Engine::Sqlite => !chain.servers_only() && !chain.postgres_only(),
        Engine::Mariadb => !chain.has_partial() && !chain.postgres_only(),
        Engine::Postgres => true,
    }
}

/// The other half of the property for a chain an engine cannot run: schemac
/// refuses it for that dialect with a located diagnostic, exit 1 and no
/// script. `None` when it does.
pub fn refusal_mismatch(chain: &Chain, engine: Engine) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    if let Err(e) = chain.write_in(dir.path(), FIXTURE_PREFIX) {
        return Some(e.to_string());
    }
    let args = ["--message-format", "short", "--dialect", dialect_arg(engine), "upgrade", "base:head", "--sql"];
    let run = super::hostile::run_limited(dir.path(), &args, std::time::Duration::from_secs(60));
    (run.code != Some(1) || !run.stdout.is_empty() || !super::hostile::located(&run.stderr)).then(|| {
        format!(
            "{engine}: expected a located refusal of {args:?}, got exit {:?}, {} bytes of script, stderr: {}",
            run.code,
            run.stdout.len(),
            run.stderr
        )
    })
}

/// What one run found: statements applied, and the first mismatch.
pub struct Outcome {
    pub statements: u64,
    pub mismatch: Option<String>,
}

/// Runs `chain` on `engine` in a fresh database.
pub fn run_chain(chain: &Chain, engine: Engine) -> Outcome {
    let mut statements_applied = 0;
    let result = run_inner(chain, engine, &mut statements_applied);
    Outcome {
        statements: statements_applied,
        mismatch: result.err(),
    }
}

fn run_inner(chain: &Chain, engine: Engine, applied: &mut u64) -> Result<(), String> {
    let checkpoints = chain.checkpoints().map_err(|e| format!("invalid chain: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, &format!("conf_{}", chain.seed))?;
    // Its schemas are named after its database (MariaDB: databases of the server).
    chain.write_in(dir.path(), &db.schema_prefix()).map_err(|e| e.to_string())?;
    // Issue 15: each chain's scripts are applied under a client setting its
    // seed picks (a GBK, Big5, SJIS or Latin-1 client, NO_BACKSLASH_ESCAPES,
    // ANSI_QUOTES, standard_conforming_strings off, or none): SPEC 10.4 says
    // the same bytes do the same whatever the client's settings.
    let (client_args, client_env) = client_setting(&chain.seed.to_string(), engine);
    let step = |args: &[&str], applied: &mut u64| -> Result<(), String> {
        let mut full = vec!["--dialect", d];
        full.extend_from_slice(args);
        let script = compile(dir.path(), &full)?;
        *applied += statements(&script);
        db.apply_with(&script, client_args, client_env)
            .map_err(|e| format!("{engine}: {args:?} failed to apply (client {client_args:?} {client_env:?}): {e}"))
    };
    let compare = |i: usize, rows: bool, what: &str| -> Result<Norm, String> {
        let cp = &checkpoints[i];
        let catalog = db.catalog()?;
        let got = actual(engine, &catalog, &cp.schema);
        let mut problems = diff(&expected(engine, &cp.schema), &got);
        // Issue 15: the views the model has, by name.
        let want_views: std::collections::BTreeSet<String> = cp.schema.views.iter().map(|v| v.name.clone()).collect();
        if catalog.views != want_views {
            problems.push(format!("views: want {want_views:?} got {:?}", catalog.views));
        }
        if rows {
            problems.extend(check_rows(&db, engine, &cp.schema));
        }
        // `create_schema` makes no trigger that an `execute` made (README).
        if engine == Engine::Sqlite && what != "create_schema" {
            problems.extend(check_triggers(&db, &cp.schema));
        }
        if engine != Engine::Sqlite {
            problems.extend(check_comments(&db, engine, &cp.schema));
        }
        let want_heads = vec![cp.rev.clone()];
        match heads(&db) {
            Ok(h) if h == want_heads => {}
            Ok(h) => problems.push(format!("version table holds {h:?}, want {want_heads:?}")),
            Err(e) => problems.push(format!("version table: {e}")),
        }
        if problems.is_empty() {
            Ok(got)
        } else {
            Err(format!("{engine}: after {what} (revision {}):\n  {}", cp.rev, problems.join("\n  ")))
        }
    };
    let mut up = vec![Norm::default()];
    for i in 1..checkpoints.len() {
        let range = format!("{}:{}", checkpoints[i - 1].rev, checkpoints[i].rev);
        step(&["upgrade", &range], applied)?;
        up.push(compare(i, true, &format!("upgrade {range}"))?);
    }
    for i in (1..checkpoints.len()).rev() {
        let range = format!("{}:{}", checkpoints[i].rev, checkpoints[i - 1].rev);
        step(&["downgrade", &range], applied)?;
        if i == 1 {
            db.is_empty().map_err(|e| format!("{engine}: downgrade {range} left {e}"))?;
        } else {
            let got = compare(i - 1, false, &format!("downgrade {range}"))?;
            if got != up[i - 1] {
                return Err(format!(
                    "{engine}: downgrade {range} did not restore the catalog:\n  {}",
                    diff(&up[i - 1], &got).join("\n  ")
                ));
            }
        }
    }
    // upgrade a:c == upgrade a:b then b:c, here with a = base, c = head.
    let last = checkpoints.len() - 1;
    step(&["upgrade", "base:head"], applied)?;
    let whole = compare(last, true, "upgrade base:head")?;
    if whole != up[last] {
        return Err(format!(
            "{engine}: upgrade base:head differs from the steps:\n  {}",
            diff(&up[last], &whole).join("\n  ")
        ));
    }
    step(&["downgrade", "head:base"], applied)?;
    db.is_empty().map_err(|e| format!("{engine}: downgrade head:base left {e}"))?;
    step(&["create_schema"], applied)?;
    let created = compare(last, false, "create_schema")?;
    if created != up[last] {
        return Err(format!(
            "{engine}: create_schema differs from upgrade base:head:\n  {}",
            diff(&up[last], &created).join("\n  ")
        ));
    }
    Ok(())
}

/// Smaller variants of `chain`: a segment dropped, a fork flattened, an
/// operation dropped, a row dropped.
fn variants(chain: &Chain) -> Vec<Chain> {
    let mut out = Vec::new();
    let with = |segments: Vec<Segment>| Chain { seed: chain.seed, segments };
    for i in (0..chain.segments.len()).rev() {
        let mut s = chain.segments.clone();
        s.remove(i);
        out.push(with(s));
        if let Segment::Fork { a, b, merge } = &chain.segments[i] {
            let mut s = chain.segments.clone();
            s[i] = Segment::Linear(a.iter().chain(b).chain(merge).cloned().collect());
            out.push(with(s));
        }
    }
    for i in (0..chain.segments.len()).rev() {
        let lists: Vec<usize> = match &chain.segments[i] {
            Segment::Linear(_) => vec![0],
            Segment::Fork { .. } => vec![0, 1, 2],
        };
        for which in lists {
            let len = match &chain.segments[i] {
                Segment::Linear(ops) => ops.len(),
                Segment::Fork { a, b, merge } => [a, b, merge][which].len(),
            };
            for j in (0..len).rev() {
                let mut s = chain.segments.clone();
                let ops = match &mut s[i] {
                    Segment::Linear(ops) => ops,
                    Segment::Fork { a, b, merge } => [a, b, merge].into_iter().nth(which).unwrap(),
                };
                let op = ops.remove(j);
                out.push(with(s.clone()));
                // A create_table with one column or one table-level extra fewer.
                if let super::model::Op::CreateTable { table, cols, extras, autoinc } = &op {
                    let mut smaller = Vec::new();
                    for k in 0..cols.len() {
                        let mut cols = cols.clone();
                        cols.remove(k);
                        smaller.push(super::model::Op::CreateTable {
                            table: table.clone(),
                            cols,
                            extras: extras.clone(),
                            autoinc: *autoinc,
                        });
                    }
                    for k in 0..extras.len() {
                        let mut extras = extras.clone();
                        extras.remove(k);
                        smaller.push(super::model::Op::CreateTable {
                            table: table.clone(),
                            cols: cols.clone(),
                            extras,
                            autoinc: *autoinc,
                        });
                    }
                    for op2 in smaller {
                        let mut s2 = s.clone();
                        let ops2 = match &mut s2[i] {
                            Segment::Linear(ops) => ops,
                            Segment::Fork { a, b, merge } => [a, b, merge].into_iter().nth(which).unwrap(),
                        };
                        ops2.insert(j, op2);
                        out.push(with(s2));
                    }
                }
                if let super::model::Op::BulkInsert { table, rows } = op {
                    for k in 0..rows.len() {
                        if rows.len() > 1 {
                            let mut s2 = s.clone();
                            let mut rows = rows.clone();
                            rows.remove(k);
                            let ops2 = match &mut s2[i] {
                                Segment::Linear(ops) => ops,
                                Segment::Fork { a, b, merge } => [a, b, merge].into_iter().nth(which).unwrap(),
                            };
                            ops2.insert(j, super::model::Op::BulkInsert { table: table.clone(), rows });
                            out.push(with(s2));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Shrinks a chain that fails on `engine` to one where no smaller variant
/// fails; returns it with its mismatch.
pub fn shrink(chain: &Chain, engine: Engine, mismatch: String, budget: usize) -> (Chain, String) {
    let mut best = (chain.clone(), mismatch);
    let mut tries = 0;
    'outer: loop {
        for candidate in variants(&best.0) {
            if tries >= budget {
                break 'outer;
            }
            if candidate.checkpoints().is_err() || candidate.segments.is_empty() {
                continue;
            }
            tries += 1;
            if let Some(m) = run_chain(&candidate, engine).mismatch {
                best = (candidate, m);
                continue 'outer;
            }
        }
        break;
    }
    best
}

/// What a saved fixture's schema names start with; `regression_fixtures`
/// puts the test database's own prefix in its place.
pub const FIXTURE_PREFIX: &str = "fixture_";

/// Saves a shrunk chain as `tests/fixtures/conformance/<engine>_<seed>/`.
pub fn save(chain: &Chain, engine: Engine, mismatch: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/conformance/{}_{}", engine, chain.seed));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = chain.write_in(&dir, FIXTURE_PREFIX);
    let _ = std::fs::write(dir.join("mismatch.txt"), format!("seed {} on {engine}\n{mismatch}\n", chain.seed));
    dir
}
