//! `import` and `diff --against` on the real engines (SPEC 12): the round
//! trip of `support::roundtrip` for the example, every fixture project and
//! every acceptance project that applies (the conformance harness runs it
//! on random chains). `diff --against` finds nothing on the same schema and
//! finds a column added by hand, an index dropped, a type changed and a
//! constraint renamed. With CI set, an unreachable engine fails the test.

#[macro_use]
mod common;
mod support;
use common::*;
use support::engines::{require, Engine, TestDb};
use support::roundtrip::import_round_trip;

use support::roundtrip::dialect_arg;

/// `schemac diff --against DUMP` in `dir`: (exit code, stdout).
fn diff(dir: &std::path::Path, d: &str, dump: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("dump.sql");
    std::fs::write(&path, dump).unwrap();
    let out = schemac(dir, &["--dialect", d, "diff", "--against", path.to_str().unwrap()]);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn round_trip(engine: Engine) {
    if !require(engine) {
        return;
    }
    for (name, dir) in projects() {
        if let Err(e) = import_round_trip(&name, &dir, engine) {
            panic!("{e}");
        }
    }
}

/// Every project of the acceptance suite beside this folder (a case's
/// `revisions/`, and those of its sub-projects) that compiles and applies
/// on the engine; those that are refused by design are counted and skipped.
fn acceptance_round_trip(engine: Engine) {
    if !require(engine) {
        return;
    }
    let cases = root().join("../shared/acceptance/cases");
    if !cases.is_dir() {
        eprintln!("notice: no acceptance suite at {}: its projects are not round-tripped", cases.display());
        return;
    }
    let mut dirs = vec![];
    let mut stack = vec![cases.clone()];
    while let Some(d) = stack.pop() {
        if d.join("revisions").is_dir() {
            dirs.push(d.clone());
        }
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() && e.file_name() != "revisions" {
                stack.push(e.path());
            }
        }
    }
    dirs.sort();
    let (mut done, mut refused) = (0, vec![]);
    for dir in &dirs {
        let name = dir.strip_prefix(&cases).unwrap().to_string_lossy().replace('/', "_");
        // A project that makes a schema of a fixed name (on MariaDB, a database
        // of the server) cannot be isolated in a database of this test's own.
        let makes_schema = std::fs::read_dir(dir.join("revisions"))
            .unwrap()
            .flatten()
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("create_namespace")));
        if makes_schema {
            refused.push(format!("{name} (makes a schema)"));
            continue;
        }
        // A project that does not compile or apply on this engine is one
        // the suite expects to be refused.
        let applies = support::roundtrip::upgrade_script(dir, engine)
            .ok()
            .and_then(|sql| TestDb::new(engine, &format!("{name}_pre")).ok().map(|db| db.apply(&sql).is_ok()))
            .unwrap_or(false);
        if !applies {
            refused.push(name);
            continue;
        }
        if let Err(e) = import_round_trip(&name, dir, engine) {
            panic!("acceptance project {e}");
        }
        done += 1;
    }
    eprintln!("{engine}: {done} acceptance projects round-tripped; refused by design: {}", refused.join(", "));
    assert!(done >= 10, "{engine}: only {done} acceptance projects applied");
}

#[test]
fn sqlite_acceptance_round_trip() {
    acceptance_round_trip(Engine::Sqlite);
}

#[test]
fn postgresql_acceptance_round_trip() {
    acceptance_round_trip(Engine::Postgres);
}

#[test]
fn mariadb_acceptance_round_trip() {
    acceptance_round_trip(Engine::Mariadb);
}

#[test]
fn sqlite_round_trip() {
    round_trip(Engine::Sqlite);
}

#[test]
fn postgresql_round_trip() {
    round_trip(Engine::Postgres);
}

#[test]
fn mariadb_round_trip() {
    round_trip(Engine::Mariadb);
}

/// The drift cases on one small project: each change by hand is one line.
fn drift(engine: Engine) {
    if !require(engine) {
        return;
    }
    let d = dialect_arg(engine);
    let dir = root().join("tests/fixtures/import/drift");
    let changes: &[(&str, &str, &str)] = &[
        (
            "column",
            "ALTER TABLE books ADD COLUMN isbn VARCHAR(20);",
            "column `books.isbn` is in the dump, not at head",
        ),
        (
            "index",
            "DROP INDEX ix_books_title;",
            "index `ix_books_title` on `books` is at head, not in the dump",
        ),
        (
            "type",
            match engine {
                Engine::Postgres => "ALTER TABLE books ALTER COLUMN title TYPE VARCHAR(300);",
                Engine::Mariadb => "ALTER TABLE books MODIFY title VARCHAR(300) NOT NULL;",
                Engine::Sqlite => "",
            },
            "column `books.title` differs: type",
        ),
        (
            "constraint",
            match engine {
                Engine::Postgres => "ALTER TABLE books RENAME CONSTRAINT ck_books_price TO ck_price;",
                Engine::Mariadb => "ALTER TABLE books DROP CONSTRAINT ck_books_price, ADD CONSTRAINT ck_price CHECK (price >= 0);",
                Engine::Sqlite => "",
            },
            "check `ck_books_price` on `books` is at head, not in the dump",
        ),
    ];
    for (what, change, line) in changes {
        if change.is_empty() {
            continue; // SQLite's ALTER cannot make this change by hand.
        }
        let db = TestDb::new(engine, &format!("drift_{what}")).expect("fresh database");
        db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:head"])).unwrap();
        let change = if engine == Engine::Mariadb && *what == "index" {
            "DROP INDEX ix_books_title ON books;"
        } else {
            change
        };
        db.apply(&format!("DROP TABLE schemac_version; {change}")).unwrap();
        let (code, out) = diff(&dir, d, &db.dump().unwrap());
        assert_eq!(code, 1, "{what} on {engine}: diff should find the change:\n{out}");
        assert!(out.contains(line), "{what} on {engine}: expected `{line}` in:\n{out}");
    }
}

#[test]
fn sqlite_drift() {
    drift(Engine::Sqlite);
}

#[test]
fn postgresql_drift() {
    drift(Engine::Postgres);
}

#[test]
fn mariadb_drift() {
    drift(Engine::Mariadb);
}

/// SPEC 9 on PostgreSQL: a dump with a schema, sequences (one owned by a
/// column, its default set by pg_dump's ALTER TABLE) and cross-schema
/// foreign keys reads back as `create_namespace`, `create_sequence` and
/// `{ next = ... }` defaults: `diff --against` finds no difference, and the
/// baseline rebuilds the same catalog and draws the same numbers.
#[test]
fn postgresql_schemas_and_sequences_round_trip() {
    let engine = Engine::Postgres;
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/schemas_sequences");
    let db = TestDb::new(engine, "nsseq_im").expect("fresh database");
    db.apply(&sql(&dir, &["--dialect", "postgresql", "upgrade", "base:head"])).expect("upgrade");
    db.apply("DROP TABLE schemac_version;").unwrap();
    let dump = db.dump().expect("dump");
    let (code, out) = diff(&dir, "postgresql", &dump);
    assert_eq!(code, 0, "diff --against its own dump:\n{out}\n--- dump:\n{dump}");
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("dump.sql"), &dump).unwrap();
    std::fs::create_dir(folder.path().join("revisions")).unwrap();
    let out = schemac(folder.path(), &["--dialect", "postgresql", "import", "dump.sql"]);
    assert!(out.status.success(), "import:\n{}", String::from_utf8_lossy(&out.stderr));
    let baseline = std::fs::read_dir(folder.path().join("revisions")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(baseline).unwrap();
    for want in [
        "op = \"create_namespace\"",
        "owned_by = \"invoices.id\"",
        "default = { next = \"billing.audit_seq\" }",
        "cycle = true",
    ] {
        assert!(text.contains(want), "the baseline lacks {want}:\n{text}");
    }
    let copy = TestDb::new(engine, "nsseq_ib").expect("fresh database");
    copy.apply(&sql(folder.path(), &["--dialect", "postgresql", "upgrade", "base:head"]))
        .expect("the baseline's upgrade");
    copy.apply("DROP TABLE schemac_version;").unwrap();
    assert_eq!(copy.catalog().unwrap(), db.catalog().unwrap(), "the baseline's catalog");
    let insert = "INSERT INTO billing.clients (id, name) VALUES (5, 'e'); INSERT INTO invoices (account_id) VALUES (5);";
    let read = "SELECT id, number FROM invoices UNION ALL SELECT id, audit_no FROM billing.clients ORDER BY 1, 2";
    copy.apply(insert).unwrap();
    let some = |a: &str, b: &str| vec![Some(a.to_string()), Some(b.to_string())];
    // The sequences start where the dump's say: ids at 1, numbers at 1000, the audit at 7.
    assert_eq!(copy.query_rows(read).unwrap(), vec![some("1", "1000"), some("5", "7")], "the numbers drawn");
}

/// SPEC 9 on MariaDB: mariadb-dump's `CREATE SEQUENCE ... ENGINE=InnoDB`
/// (with its `DO SETVAL`) and a default `nextval(`db`.`seq`)` read back as
/// `create_sequence` and `{ next = ... }`, not `execute`: `diff --against`
/// finds no difference, and the baseline rebuilds the same catalog (each
/// side's database name left out of the defaults) and draws the same numbers.
#[test]
fn mariadb_sequences_round_trip() {
    let engine = Engine::Mariadb;
    if !require(engine) {
        return;
    }
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join("revisions")).unwrap();
    std::fs::write(
        project.path().join("revisions/a1_sequences.toml"),
        r#"revision = "a1"
message = "sequences"

[[upgrade]]
op = "create_sequence"
name = "invoice_no_seq"
start = 1000
increment = 5
min = 1
max = 999999
cycle = true

[[upgrade]]
op = "create_sequence"
name = "plain_seq"

[[upgrade]]
op = "create_table"
table = "invoices"
columns = [
    { name = "id", type = "integer", primary_key = true },
    { name = "number", type = "bigint", nullable = false, default = { next = "invoice_no_seq" } },
    { name = "batch", type = "bigint", default = { next = "plain_seq" } },
]
"#,
    )
    .unwrap();
    let dir = project.path();
    let db = TestDb::new(engine, "seq_im").expect("fresh database");
    db.apply(&sql(dir, &["--dialect", "mariadb@10.11", "upgrade", "base:head"])).expect("upgrade");
    db.apply("DROP TABLE schemac_version;").unwrap();
    let dump = db.dump().expect("dump");
    let (code, out) = diff(dir, "mariadb@10.11", &dump);
    assert_eq!(code, 0, "diff --against its own dump:\n{out}\n--- dump:\n{dump}");
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("dump.sql"), &dump).unwrap();
    std::fs::create_dir(folder.path().join("revisions")).unwrap();
    let out = schemac(folder.path(), &["--dialect", "mariadb@10.11", "import", "dump.sql"]);
    assert!(out.status.success(), "import:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("W0814"),
        "nothing kept as execute:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline = std::fs::read_dir(folder.path().join("revisions")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(baseline).unwrap();
    for want in [
        "name = \"invoice_no_seq\"",
        "name = \"plain_seq\"",
        "default = { next = \"invoice_no_seq\" }",
        "cycle = true",
        "start = 1000",
    ] {
        assert!(text.contains(want), "the baseline lacks {want}:\n{text}");
    }
    assert!(!text.contains("op = \"execute\""), "no execute in the baseline:\n{text}");
    let copy = TestDb::new(engine, "seq_ib").expect("fresh database");
    copy.apply(&sql(folder.path(), &["--dialect", "mariadb@10.11", "upgrade", "base:head"]))
        .expect("the baseline's upgrade");
    copy.apply("DROP TABLE schemac_version;").unwrap();
    let shown = |db: &TestDb| format!("{:?}", db.catalog().unwrap()).replace(db.name(), "DB");
    assert_eq!(shown(&copy), shown(&db), "the baseline's catalog");
    copy.apply("INSERT INTO invoices (id) VALUES (1); INSERT INTO invoices (id) VALUES (2);")
        .unwrap();
    let some = |a: &str, b: &str, c: &str| vec![Some(a.to_string()), Some(b.to_string()), Some(c.to_string())];
    assert_eq!(
        copy.query_rows("SELECT id, number, batch FROM invoices ORDER BY id").unwrap(),
        vec![some("1", "1000", "1"), some("2", "1005", "2")],
        "the numbers drawn"
    );
}
