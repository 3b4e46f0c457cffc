//! `populate` proved on the real engines: the reference data applied twice
//! gives the same rows, a declared row changed by hand is put back, and a
//! row outside the declared set is left alone.

mod common;
mod support;
use common::*;
use support::engines::{require, Engine, TestDb};

fn prove(engine: Engine) {
    if !require(engine) {
        return;
    }
    let d = if engine == Engine::Mariadb { "mariadb@10.11" } else { engine.dialect() };
    let dir = root().join("tests/fixtures/populate/basic");
    let db = TestDb::new(engine, "populate").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:head"])).unwrap();
    let script = sql(&dir, &["--dialect", d, "populate"]);
    let rows = |db: &TestDb| {
        (
            db.query_rows("SELECT code, name, eu FROM countries ORDER BY code").unwrap(),
            db.query_rows("SELECT id, name, description, enabled FROM actions ORDER BY name").unwrap(),
        )
    };
    db.apply(&script).unwrap_or_else(|e| panic!("populate on {engine}: {e}"));
    let (countries, actions) = rows(&db);
    assert_eq!(countries.len(), 3, "{engine}: {countries:?}");
    assert_eq!(actions.len(), 3, "{engine}: {actions:?}");

    db.apply("UPDATE countries SET name = 'Francia' WHERE code = 'FR';\nINSERT INTO countries (code, name, eu) VALUES ('DE', 'Germany', TRUE);\n")
        .unwrap();
    let germany = db.query_rows("SELECT code, name, eu FROM countries WHERE code = 'DE'").unwrap();
    db.apply(&script).unwrap_or_else(|e| panic!("populate again on {engine}: {e}"));
    db.apply(&script).unwrap_or_else(|e| panic!("populate a third time on {engine}: {e}"));
    let (countries2, actions2) = rows(&db);
    let mut expected = countries.clone();
    expected.extend(germany);
    expected.sort();
    assert_eq!(countries2, expected, "{engine}: the declared rows are restored, the others untouched");
    assert_eq!(actions2, actions, "{engine}: a second run changes nothing (ids included)");
}

#[test]
fn idempotent_on_sqlite() {
    prove(Engine::Sqlite);
}

#[test]
fn idempotent_on_postgresql() {
    prove(Engine::Postgres);
}

#[test]
fn idempotent_on_mariadb() {
    prove(Engine::Mariadb);
}
