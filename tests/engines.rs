//! Scripts applied to the real engines (sqlite3, PostgreSQL, MariaDB) and
//! the catalogs read back: `upgrade base:head` gives the snapshotted
//! catalog, `create_schema` gives the same one, and `downgrade head:base`
//! leaves nothing behind. With CI set, an unreachable engine fails the test.

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

fn check_engine(engine: Engine) {
    if !require(engine) {
        return;
    }
    for (name, dir) in projects() {
        let d = dialect_arg(engine);
        let db = TestDb::new(engine, &name).expect("fresh database");
        db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:head"]))
            .unwrap_or_else(|e| panic!("{name} on {engine}: upgrade: {e}"));
        let head = db.catalog().expect("catalog");
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_debug_snapshot!(format!("catalog__{name}__{engine}"), head);
        });
        db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:base"]))
            .unwrap_or_else(|e| panic!("{name} on {engine}: downgrade: {e}"));
        db.is_empty().unwrap_or_else(|e| panic!("{name} on {engine}: downgrade head:base left {e}"));

        let direct = TestDb::new(engine, &format!("{name}_cs")).expect("fresh database");
        direct
            .apply(&sql(&dir, &["--dialect", d, "create_schema"]))
            .unwrap_or_else(|e| panic!("{name} on {engine}: create_schema: {e}"));
        let mut created = direct.catalog().expect("catalog");
        let mut replayed = head.clone();
        // create_schema makes no triggers: they come from `execute`, which it does not replay.
        created.triggers.clear();
        replayed.triggers.clear();
        assert_eq!(created, replayed, "{name} on {engine}: create_schema differs from upgrade base:head");
    }
}

#[test]
fn sqlite() {
    check_engine(Engine::Sqlite);
}

#[test]
fn postgresql() {
    check_engine(Engine::Postgres);
}

#[test]
fn mariadb() {
    check_engine(Engine::Mariadb);
}

/// Rows survive the SQLite rebuild, and cascading children are untouched.
#[test]
fn sqlite_rebuild_keeps_rows() {
    if !require(Engine::Sqlite) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/sqlite_rebuild_data");
    let db = TestDb::new(Engine::Sqlite, "rebuild").unwrap();
    db.apply(&sql(&dir, &["upgrade", "base:4f5a6b7c8d92"])).unwrap();
    let before_stock = db.query_rows("SELECT id, part_id, bin, count FROM part_stock ORDER BY id").unwrap();
    db.apply(&sql(&dir, &["upgrade", "4f5a6b7c8d92:head"])).unwrap();
    assert_eq!(
        db.query_rows("SELECT id, part_id, bin, count FROM part_stock ORDER BY id").unwrap(),
        before_stock
    );
    let parts = db.query_rows("SELECT id, category, quantity, typeof(quantity) FROM parts ORDER BY id").unwrap();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(parts[0], vec![s("1"), s("fasteners"), s("120"), s("integer")]);
    assert_eq!(parts[1][1], s("uncategorized"));
    assert_eq!(parts[2][2], None);
    assert!(
        db.query_rows("SELECT * FROM part_audit").unwrap().is_empty(),
        "the trigger must not fire during the rebuild"
    );
    db.apply("INSERT INTO parts (id, sku, name, category) VALUES (9, 'X', 'x', 'c')").unwrap();
    assert_eq!(db.query_rows("SELECT part_id FROM part_audit").unwrap(), vec![vec![s("9")]]);
}

/// CREATE/DROP INDEX CONCURRENTLY is placed between transactions, where PostgreSQL accepts it.
#[test]
fn postgresql_concurrently_runs_between_transactions() {
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("a.toml"),
        "revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }, { name = \"s\", type = \"text\" }]\n",
    )
    .unwrap();
    std::fs::write(
        revs.join("b.toml"),
        "revision = \"b1\"\ndown_revision = \"a1\"\nmessage = \"i\"\n[[upgrade]]\nop = \"create_index\"\ntable = \"t\"\ncolumns = [\"s\"]\nconcurrently = true\n[[upgrade]]\nop = \"add_column\"\ntable = \"t\"\ncolumn = { name = \"n\", type = \"integer\" }\n",
    )
    .unwrap();
    // The snapshot runs `CREATE INDEX CONCURRENTLY` outside any transaction
    // (after a1's COMMIT) and opens b1's transaction after it for the rest.
    let up = check!(
        "concurrently__upgrade__postgresql",
        tmp.path(),
        &["--dialect", "postgresql", "upgrade", "base:head"]
    );
    if !require(Engine::Postgres) {
        return;
    }
    let db = TestDb::new(Engine::Postgres, "concurrently").unwrap();
    db.apply(&up).unwrap();
    assert!(db.catalog().unwrap().table("t").unwrap().indexes.contains_key("ix_t_s"));
    db.apply(&sql(tmp.path(), &["--dialect", "postgresql", "downgrade", "head:base"])).unwrap();
    db.is_empty().unwrap();
}

/// MariaDB refuses to drop the last index on a foreign key's columns; the one
/// it made for the key itself went away when a wider index arrived. Dropping
/// the wider index (here: the derived downgrade) keeps one for the key.
#[test]
fn mariadb_keeps_an_index_for_a_foreign_key() {
    if !require(Engine::Mariadb) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("a.toml"),
        "revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"parents\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }]\n[[upgrade]]\nop = \"create_table\"\ntable = \"children\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }, { name = \"parent_id\", type = \"integer\", references = \"parents.id\" }, { name = \"kind\", type = \"string(10)\" }]\n",
    )
    .unwrap();
    std::fs::write(
        revs.join("b.toml"),
        "revision = \"b1\"\ndown_revision = \"a1\"\nmessage = \"i\"\n[[upgrade]]\nop = \"create_index\"\ntable = \"children\"\ncolumns = [\"parent_id\", \"kind\"]\n",
    )
    .unwrap();
    let db = TestDb::new(Engine::Mariadb, "fk_index").unwrap();
    db.apply(&sql(tmp.path(), &["--dialect", "mariadb", "upgrade", "base:head"])).unwrap();
    let down = sql(tmp.path(), &["--dialect", "mariadb", "downgrade", "b1:a1"]);
    db.apply(&down).unwrap_or_else(|e| panic!("{e}\n{down}"));
    let cat = db.catalog().unwrap();
    let children = cat.table("children").unwrap();
    assert!(!children.indexes.contains_key("ix_children_parent_id_kind"));
    assert!(children.indexes.values().any(|i| i.columns == ["parent_id"]), "{children:?}");
    db.apply(&sql(tmp.path(), &["--dialect", "mariadb", "downgrade", "a1:base"])).unwrap();
    db.is_empty().unwrap();
}
