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

/// A project for `[safety] online = true` (SPEC 11): `things` and `others`
/// with rows from r01; r02 changes both while they are live.
fn online_project(r02: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let revs = dir.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("r01.toml"),
        r#"revision = "r01"
message = "things and others"

[[upgrade]]
op = "create_table"
table = "things"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "v", type = "integer" }]

[[upgrade]]
op = "create_table"
table = "others"
columns = [{ name = "id", type = "integer", primary_key = true }, { name = "w", type = "integer" }]
"#,
    )
    .unwrap();
    std::fs::write(
        revs.join("r02.toml"),
        format!("revision = \"r02\"\ndown_revision = \"r01\"\nmessage = \"live\"\n{r02}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("schemac.toml"), "[safety]\nlock_timeout = \"1s\"\nonline = true\n").unwrap();
    dir
}

/// A second session that runs `take` and keeps its locks until the returned
/// stdin is dropped; `held` is a query true (a count above 0) once it holds them.
fn hold(db: &TestDb, take: &str, held: &str) -> (std::process::Child, std::process::ChildStdin) {
    let mut other = db.session().unwrap().spawn().unwrap();
    let mut stdin = other.stdin.take().unwrap();
    stdin.write_all(take.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.query_rows(held).unwrap()[0][0].as_deref() == Some("0") {
        assert!(Instant::now() < deadline, "the second session never took its lock");
        std::thread::sleep(Duration::from_millis(50));
    }
    (other, stdin)
}

/// PostgreSQL, online: r02 adds a NOT NULL column with a backfill to
/// `others` (committed in parts of its own) and builds an index on `things`
/// CONCURRENTLY. A session with an open write on `things` makes the build
/// wait for it: the build fails on lock_timeout after the earlier parts
/// committed, and leaves an INVALID index. The same script, run again once
/// the writer is gone, drops that index, finds the rest done and completes.
#[test]
fn postgresql_online_split_revision_fails_fast_then_completes() {
    if !require(Engine::Postgres) {
        return;
    }
    let dir = online_project(
        r#"
[[upgrade]]
op = "add_column"
table = "others"
column = { name = "note", type = "string(10)", nullable = false, default = "n" }
backfill = "old"

[[upgrade]]
op = "create_check_constraint"
table = "others"
name = "ck_others_w"
expr = "w >= 0"

[[upgrade]]
op = "create_index"
table = "things"
name = "ix_things_v"
columns = ["v"]
"#,
    );
    let db = TestDb::new(Engine::Postgres, "online").unwrap();
    db.apply(&sql(dir.path(), &["--dialect", "postgresql", "upgrade", "base:r01"])).unwrap();
    db.apply("INSERT INTO things (id, v) VALUES (1, 1), (2, 2); INSERT INTO others (id, w) VALUES (1, 1), (2, 2)")
        .unwrap();
    let script = sql(dir.path(), &["--dialect", "postgresql", "upgrade", "r01:r02"]);
    assert!(script.contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_things_v"), "{script}");
    assert!(script.contains("NOT VALID") && script.contains("VALIDATE CONSTRAINT ck_others_w"), "{script}");
    assert!(script.contains("-- Split: part 2 of this revision"), "{script}");

    let (other, stdin) = hold(
        &db,
        "BEGIN;\nUPDATE things SET v = v WHERE id = 1;\n",
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'things' AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()",
    );
    let start = Instant::now();
    let err = db.apply(&script).expect_err("the index build waits for the writer and times out");
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(10), "failed only after {waited:?}: {err}");
    assert!(err.to_lowercase().contains("lock timeout"), "{err}");
    // The earlier parts are committed, the build left an INVALID index, and
    // the version table still names r01.
    assert_eq!(
        db.query_rows("SELECT count(*) FROM others WHERE note = 'old'").unwrap(),
        vec![vec![Some("2".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_things_v'")
            .unwrap(),
        vec![vec![Some("f".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r01".to_string())]]
    );
    drop(stdin);
    let mut other = other;
    other.wait().unwrap();

    // The same script again: it completes, and the index is valid.
    db.apply(&script).unwrap_or_else(|e| panic!("the second run: {e}"));
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r02".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_things_v'")
            .unwrap(),
        vec![vec![Some("t".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'others' AND column_name = 'note'")
            .unwrap(),
        vec![vec![Some("NO".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'others'::regclass AND contype = 'c' ORDER BY 1")
            .unwrap(),
        vec![vec![Some("ck_others_w".to_string()), Some("t".to_string())]],
        "the NOT NULL check is dropped once the column is NOT NULL"
    );
    // A third run is refused by the version guard, before anything changes.
    assert!(db.apply(&script).is_err());
}

/// MariaDB, online: r02's changes to `things` are one ALTER TABLE with
/// ALGORITHM=INPLACE, LOCK=NONE. A session holding a table lock makes it
/// fail on lock_wait_timeout; the statement is atomic, so the table is as it
/// was and the same script completes once the lock is gone.
#[test]
fn mariadb_online_alter_fails_fast_then_completes() {
    if !require(Engine::Mariadb) {
        return;
    }
    let dir = online_project(
        r#"
[[upgrade]]
op = "add_column"
table = "things"
column = { name = "note", type = "string(10)" }

[[upgrade]]
op = "create_index"
table = "things"
name = "ix_things_v"
columns = ["v"]

[[upgrade]]
op = "alter_column"
table = "things"
column = "v"
nullable = false
"#,
    );
    let db = TestDb::new(Engine::Mariadb, "online").unwrap();
    db.apply(&sql(dir.path(), &["--dialect", "mariadb", "upgrade", "base:r01"])).unwrap();
    db.apply("INSERT INTO things (id, v) VALUES (1, 1), (2, 2)").unwrap();
    let script = sql(dir.path(), &["--dialect", "mariadb", "upgrade", "r01:r02"]);
    assert!(script.contains("ALGORITHM=INPLACE, LOCK=NONE;"), "{script}");
    assert_eq!(script.matches("ALTER TABLE things").count(), 1, "{script}");

    let (other, stdin) = hold(
        &db,
        "LOCK TABLES things READ;\nSELECT GET_LOCK('schemac_online_test', 10);\n",
        "SELECT COUNT(*) FROM (SELECT IS_USED_LOCK('schemac_online_test') AS l) x WHERE l IS NOT NULL",
    );
    let start = Instant::now();
    let err = db.apply(&script).expect_err("the ALTER waits for the lock and times out");
    assert!(start.elapsed() < Duration::from_secs(10), "{err}");
    assert!(err.to_lowercase().contains("lock wait timeout"), "{err}");
    drop(stdin);
    let mut other = other;
    other.wait().unwrap();
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r01".to_string())]]
    );
    assert_eq!(
        db.query_rows("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'things'")
            .unwrap(),
        vec![vec![Some("2".to_string())]],
        "the ALTER changed nothing"
    );
    db.apply(&script).unwrap_or_else(|e| panic!("the second run: {e}"));
    assert_eq!(
        db.query_rows("SELECT version_num FROM schemac_version").unwrap(),
        vec![vec![Some("r02".to_string())]]
    );
}

/// Every ALGORITHM/LOCK clause that online plans emit for MariaDB, on an
/// existing table with rows, is accepted by MariaDB 10.11 (a clause it
/// could not honour would fail the statement with ERROR 1845/1846), up and
/// down; the same project's scripts are snapshotted for every dialect key.
#[test]
fn mariadb_accepts_every_online_clause() {
    if !require(Engine::Mariadb) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/online");
    let db = TestDb::new(Engine::Mariadb, "online_clauses").unwrap();
    db.apply(&sql(&dir, &["--dialect", "mariadb", "upgrade", "base:o01"])).unwrap();
    db.apply("INSERT INTO customers (id, name) VALUES (1, 'a'); INSERT INTO orders (id, customer_id, amount, note) VALUES (1, 1, 5, NULL), (2, NULL, 3, 'n')")
        .unwrap();
    let mut clauses = 0;
    for range in ["o01:o02", "o02:o03"] {
        let script = sql(&dir, &["--dialect", "mariadb", "upgrade", range]);
        clauses += script.matches("ALGORITHM=").count();
        db.apply(&script).unwrap_or_else(|e| panic!("upgrade {range}: {e}"));
    }
    for range in ["o03:o02", "o02:o01"] {
        let script = sql(&dir, &["--dialect", "mariadb", "downgrade", range]);
        clauses += script.matches("ALGORITHM=").count();
        db.apply(&script).unwrap_or_else(|e| panic!("downgrade {range}: {e}"));
    }
    assert!(clauses >= 4, "{clauses} ALGORITHM clauses");
    assert_eq!(db.query_rows("SELECT COUNT(*) FROM orders").unwrap(), vec![vec![Some("2".to_string())]]);
}

/// squawk, the PostgreSQL migration linter (the pip package `squawk-cli`,
/// which `make test` and `.ci/run` install): on PATH or in ~/.local/bin.
fn squawk() -> Option<std::path::PathBuf> {
    let local = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/bin/squawk"));
    let on_path = std::process::Command::new("squawk").arg("--version").output().is_ok_and(|o| o.status.success());
    if on_path {
        return Some("squawk".into());
    }
    local.filter(|p| p.is_file())
}

/// The PostgreSQL online scripts pass squawk with no violation the plan
/// could have avoided. Left out: what the revision asks for and the plan
/// cannot change (a VARCHAR type, a column, constraint or NOT NULL dropped, a column
/// renamed: `prefer-text-field`, `ban-drop-column`, `ban-drop-constraint`,
/// `ban-drop-not-null`, `renaming-column`). Without `online`, the same script has violations
/// (the plan is what removes them).
#[test]
fn postgresql_online_scripts_pass_squawk() {
    let Some(squawk) = squawk() else {
        assert!(
            !support::engines::in_ci(),
            "squawk is missing (pip install squawk-cli; `make test` installs it)"
        );
        eprintln!("skipped: squawk is not installed (pip install --user squawk-cli)");
        return;
    };
    let src = root().join("tests/fixtures/projects/online");
    let dir = tempfile::tempdir().unwrap();
    let revs = dir.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    for e in std::fs::read_dir(src.join("revisions")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), revs.join(e.file_name())).unwrap();
    }
    let lint = |online: bool, range: &str, up: bool| -> String {
        let config = format!("[safety]\nlock_timeout = \"2s\"\nstatement_timeout = \"1min\"\nonline = {online}\n");
        std::fs::write(dir.path().join("schemac.toml"), config).unwrap();
        let command = if up { "upgrade" } else { "downgrade" };
        let script = sql(dir.path(), &["--dialect", "postgresql", command, range]);
        let file = dir.path().join("script.sql");
        std::fs::write(&file, script).unwrap();
        let out = std::process::Command::new(&squawk)
            .args([
                "--reporter",
                "gcc",
                "--pg-version",
                "15.0",
                "--exclude",
                "prefer-text-field,ban-drop-column,ban-drop-constraint,ban-drop-not-null,renaming-column",
            ])
            .arg(&file)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    for (range, up) in [("o01:o03", true), ("o03:o01", false)] {
        let found = lint(true, range, up);
        assert!(!found.contains("warning:") && !found.contains("error:"), "{range}:\n{found}");
    }
    let found = lint(false, "o01:o03", true);
    for rule in ["require-concurrent-index-creation", "constraint-missing-not-valid", "adding-not-nullable-field"] {
        assert!(found.contains(rule), "without online, squawk finds {rule}:\n{found}");
    }
}
