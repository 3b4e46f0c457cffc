//! `import` and `diff --against` on the real engines (SPEC 12): every
//! project is applied, its version table dropped, the database dumped with
//! the engine's own tool and imported into a fresh folder; the baseline's
//! `upgrade base:head` on another fresh database gives the same catalog,
//! names included. `diff --against` finds nothing on the same schema and
//! finds a column added by hand, an index dropped, a type changed and a
//! constraint renamed. With CI set, an unreachable engine fails the test.

#[macro_use]
mod common;
mod support;
use common::*;
use support::engines::{require, Engine, TestDb};

fn dialect_arg(e: Engine) -> &'static str {
    match e {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgresql",
        Engine::Mariadb => "mariadb@10.11",
    }
}

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
    let d = dialect_arg(engine);
    for (name, dir) in projects() {
        let db = TestDb::new(engine, &format!("{name}_im")).expect("fresh database");
        db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:head"]))
            .unwrap_or_else(|e| panic!("{name} on {engine}: upgrade: {e}"));
        db.apply("DROP TABLE schemac_version;").unwrap();
        let dump = db.dump().unwrap_or_else(|e| panic!("{name} on {engine}: dump: {e}"));
        let (code, out) = diff(&dir, d, &dump);
        assert_eq!(code, 0, "{name} on {engine}: diff --against its own dump:\n{out}\n--- dump:\n{dump}");

        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("dump.sql"), &dump).unwrap();
        std::fs::create_dir(folder.path().join("revisions")).unwrap();
        let out = schemac(folder.path(), &["--dialect", d, "import", "dump.sql"]);
        assert!(out.status.success(), "{name} on {engine}: import:\n{}", String::from_utf8_lossy(&out.stderr));
        model_matches_baseline(&name, engine, folder.path());
        let copy = TestDb::new(engine, &format!("{name}_ib")).expect("fresh database");
        copy.apply(&sql(folder.path(), &["--dialect", d, "upgrade", "base:head"]))
            .unwrap_or_else(|e| panic!("{name} on {engine}: the baseline's upgrade: {e}"));
        copy.apply("DROP TABLE schemac_version;").unwrap();
        let (mut want, mut got) = (db.catalog().unwrap(), copy.catalog().unwrap());
        // Triggers come back as `execute`s, applied as written.
        want.triggers.clear();
        got.triggers.clear();
        assert_eq!(
            got, want,
            "{name} on {engine}: the baseline's catalog differs from the database it was imported from"
        );
    }
}

/// `import --model` in the folder that holds the baseline imported from
/// the same dump: the model file is the baseline's head, by `check`'s own
/// drift comparison (exit 0, "head matches the model"). A second import
/// refuses to overwrite the model file.
fn model_matches_baseline(name: &str, engine: Engine, folder: &std::path::Path) {
    let d = dialect_arg(engine);
    let key = d.split('@').next().unwrap();
    std::fs::write(
        folder.join("schemac.toml"),
        format!("[migrations]\nmodel = \"schema.toml\"\ndialects = [\"{key}\"]\n"),
    )
    .unwrap();
    let out = schemac(folder, &["--dialect", d, "import", "--model", "dump.sql"]);
    assert!(
        out.status.success(),
        "{name} on {engine}: import --model:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let model = std::fs::read_to_string(folder.join("schema.toml")).expect("import --model writes schema.toml");
    assert!(model.contains("[[table]]"), "{name} on {engine}: the model has no table:\n{model}");
    let out = schemac(folder, &["--dialect", d, "check"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && text.contains("head matches the model") && text.contains(&format!("checked on {key};")),
        "{name} on {engine}: check of the baseline against the imported model:\n{text}\n--- model:\n{model}"
    );
    let again = schemac(folder, &["--dialect", d, "import", "--model", "dump.sql"]);
    assert_eq!(again.status.code(), Some(1), "{name} on {engine}: a second import --model must not overwrite");
    assert_eq!(std::fs::read_to_string(folder.join("schema.toml")).unwrap(), model);
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
