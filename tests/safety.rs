//! `[safety]` (SPEC 11) on the real engines: with `lock_timeout`, a script
//! whose DDL meets a lock another session holds fails fast, changes
//! nothing, and the same script applied again once the lock is gone
//! completes. Without it, the same script would queue behind the lock.

mod common;
mod support;
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};
use support::engines::{require, Engine, TestDb};

/// A project: `things` created by r01, a column added by r02, and a
/// configuration with `lock_timeout = "1s"`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let revs = dir.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("r01.toml"),
        r#"revision = "r01"
message = "things"

[[upgrade]]
op = "create_table"
table = "things"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "v", type = "integer" }]
"#,
    )
    .unwrap();
    std::fs::write(
        revs.join("r02.toml"),
        r#"revision = "r02"
down_revision = "r01"
message = "a note on things"

[[upgrade]]
op = "add_column"
table = "things"
column = { name = "note", type = "string(20)" }
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("schemac.toml"), "[safety]\nlock_timeout = \"1s\"\n").unwrap();
    dir
}

/// The statements that make a second session hold a lock on `things` that
/// the ALTER TABLE of r02 must wait for, and a query true once it holds it.
fn locker(engine: Engine) -> (&'static str, &'static str) {
    match engine {
        Engine::Postgres => (
            "BEGIN;\nLOCK TABLE things IN ACCESS SHARE MODE;\n",
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'things' AND l.granted AND l.pid <> pg_backend_pid()",
        ),
        // A named lock taken after the table lock tells that the session got that far.
        Engine::Mariadb => (
            "LOCK TABLES things READ;\nSELECT GET_LOCK('schemac_safety_test', 10);\n",
            "SELECT COUNT(*) FROM (SELECT IS_USED_LOCK('schemac_safety_test') AS l) x WHERE l IS NOT NULL",
        ),
        Engine::Sqlite => ("BEGIN IMMEDIATE;\nINSERT INTO things (id, v) VALUES (2, 2);\n", ""),
    }
}

fn fails_fast_then_completes(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = project();
    let d = engine.dialect();
    let db = TestDb::new(engine, "safety").unwrap();
    db.apply(&sql(dir.path(), &["--dialect", d, "upgrade", "base:r01"])).unwrap();
    db.apply("INSERT INTO things (id, v) VALUES (1, 1)").unwrap();
    let script = sql(dir.path(), &["--dialect", d, "upgrade", "r01:r02"]);

    // A second session takes the lock and keeps it while its stdin is open.
    let (take, held) = locker(engine);
    let mut other = db.session().unwrap().spawn().unwrap();
    let mut stdin = other.stdin.take().unwrap();
    stdin.write_all(take.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    if held.is_empty() {
        std::thread::sleep(Duration::from_millis(500));
    } else {
        while db.query_rows(held).unwrap()[0][0].as_deref() == Some("0") {
            assert!(Instant::now() < deadline, "{engine}: the second session never took its lock");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    let start = Instant::now();
    let err = db.apply(&script).expect_err("the ALTER waits for the lock and times out");
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(10), "{engine}: failed only after {waited:?}: {err}");
    let said = err.to_lowercase();
    assert!(
        said.contains("lock timeout") || said.contains("lock wait timeout") || said.contains("database is locked"),
        "{engine}: {err}"
    );
    // Nothing changed: the version table still names r01.
    drop(stdin);
    other.wait().unwrap();
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r01".to_string())]]
    );

    // With the lock gone, the same script completes.
    db.apply(&script).unwrap_or_else(|e| panic!("{engine}: the second run: {e}"));
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r02".to_string())]]
    );
    db.apply("UPDATE things SET note = 'ok' WHERE id = 1").unwrap();
}

#[test]
fn postgresql_lock_timeout() {
    fails_fast_then_completes(Engine::Postgres);
}

#[test]
fn mariadb_lock_timeout() {
    fails_fast_then_completes(Engine::Mariadb);
}

#[test]
fn sqlite_busy_timeout() {
    fails_fast_then_completes(Engine::Sqlite);
}

/// The scripts with `[safety]` (both timeouts) for every dialect key, as
/// reviewed snapshots: PostgreSQL sets lock_timeout and statement_timeout,
/// MySQL and MariaDB lock_wait_timeout in whole seconds, SQLite busy_timeout.
#[test]
fn safety_settings_in_the_header() {
    let dir = project();
    std::fs::write(
        dir.path().join("schemac.toml"),
        "[safety]\nlock_timeout = \"1500ms\"\nstatement_timeout = \"2min\"\n",
    )
    .unwrap();
    for d in DIALECTS {
        let script = sql(dir.path(), &["--dialect", d, "upgrade", "r01:r02"]);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("safety__upgrade__{d}"), script);
        });
    }
}
