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

/// Rows read back, or the error where the table is missing.
type Read = Result<Vec<support::engines::Row>, String>;

/// The version table's rows, the counter and the schema: what a refused
/// script must leave as it was (an error where there is no such table).
fn guard_state(db: &TestDb) -> (Read, Read, String) {
    (
        db.query_rows("SELECT version_num FROM schemac_version ORDER BY version_num"),
        db.query_rows("SELECT n FROM counters WHERE id = 1"),
        format!("{:?}", db.catalog()),
    )
}

/// Applies a script that must fail at its version guard (SPEC 10.5) and
/// leave the version table, the rows and the schema as they were.
fn refused(db: &TestDb, script: &str, what: &str, by_guard: bool) {
    let before = guard_state(db);
    let err = db.apply(script).expect_err(&format!("{} on {}: must fail", what, db.engine()));
    if by_guard {
        assert!(
            err.contains("schemac: the version table must") || err.contains("Subquery returns more than 1 row"),
            "{what} on {}: not stopped by the guard: {err}",
            db.engine()
        );
    }
    assert_eq!(guard_state(db), before, "{what} on {}: a refused script changed the database", db.engine());
}

/// SPEC 10.5: a block applied twice, at another revision, or on a database
/// without the version table or without a row fails before it changes
/// anything. The revisions are a bare UPDATE and a CREATE TABLE of a new
/// table, which would run without error: only the guard can stop them.
fn version_guard(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/guard/counters");
    let d = dialect_arg(engine);
    let up = |range: &str| sql(&dir, &["--dialect", d, "upgrade", range]);
    let down = |range: &str| sql(&dir, &["--dialect", d, "downgrade", range]);
    let (r1, r2, r3) = ("9a0b1c2d3e01", "9a0b1c2d3e02", "9a0b1c2d3e03");
    let n = |db: &TestDb| db.query_rows("SELECT n FROM counters WHERE id = 1").unwrap()[0][0].clone();
    let versions = |db: &TestDb| -> Vec<String> {
        db.query_rows("SELECT version_num FROM schemac_version")
            .unwrap()
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect()
    };

    let db = TestDb::new(engine, "guard").unwrap();
    db.apply(&up(&format!("base:{r1}"))).unwrap();
    refused(&db, &up(&format!("base:{r1}")), "base:r1 twice", false);
    db.apply(&up(&format!("{r1}:{r2}"))).unwrap();
    assert_eq!(n(&db).as_deref(), Some("1"));
    refused(&db, &up(&format!("{r1}:{r2}")), "r1:r2 twice", true);
    db.apply(&down(&format!("{r2}:{r1}"))).unwrap();
    assert_eq!((n(&db).as_deref(), versions(&db)), (Some("0"), vec![r1.to_string()]));
    refused(&db, &down(&format!("{r2}:{r1}")), "downgrade r2:r1 twice", true);
    refused(&db, &up(&format!("{r2}:{r3}")), "r2:r3 at r1", true);
    refused(&db, &down(&format!("{r3}:{r2}")), "downgrade r3:r2 at r1", true);
    refused(&db, &down(&format!("{r3}:base")), "downgrade r3:base at r1", true);
    db.apply("DELETE FROM schemac_version").unwrap();
    refused(&db, &up(&format!("{r1}:{r2}")), "r1:r2 with no row", true);

    let empty = TestDb::new(engine, "guard_empty").unwrap();
    refused(&empty, &up(&format!("{r1}:{r2}")), "r1:r2 on an empty database", false);
    empty.is_empty().unwrap();
}

#[test]
fn version_guard_sqlite() {
    version_guard(Engine::Sqlite);
}

#[test]
fn version_guard_postgresql() {
    version_guard(Engine::Postgres);
}

#[test]
fn version_guard_mariadb() {
    version_guard(Engine::Mariadb);
}

/// The guard with branches and a merge (the `merge` project: billing and
/// audit from accounts, merged): a block checks every head the script has
/// recorded, not only its parents, and leaves other branches' rows alone.
fn version_guard_branches(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/merge");
    let d = dialect_arg(engine);
    let up = |range: &str| sql(&dir, &["--dialect", d, "upgrade", range]);
    let down = |range: &str| sql(&dir, &["--dialect", d, "downgrade", range]);
    let (billing, audit, merge) = ("7e3f5a9c1d02", "9d8c7b6a5f43", "c5e4d3b2a190");
    let versions = |db: &TestDb| -> Vec<String> {
        db.query_rows("SELECT version_num FROM schemac_version ORDER BY version_num")
            .unwrap()
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect()
    };
    let refused = |db: &TestDb, script: &str, what: &str| {
        let before = (versions(db), format!("{:?}", db.catalog()));
        let err = db.apply(script).expect_err(what);
        assert!(
            err.contains("schemac: the version table must") || err.contains("Subquery returns more than 1 row"),
            "{what} on {engine}: not stopped by the guard: {err}"
        );
        assert_eq!((versions(db), format!("{:?}", db.catalog())), before, "{what} on {engine}");
    };

    // At billing only, `audit:merge` would create billing's table again.
    let db = TestDb::new(engine, "guard_branch").unwrap();
    db.apply(&up(&format!("base:{billing}"))).unwrap();
    refused(&db, &up(&format!("{audit}:{merge}")), "audit:merge at billing");
    // From billing, the audit branch comes along, then the merge.
    let rest = up(&format!("{billing}:head"));
    db.apply(&rest).unwrap();
    assert_eq!(versions(&db), vec!["e1f2a3b4c5d6".to_string()]);
    refused(&db, &rest, "billing:head twice");
    // Down through the merge: both branch heads come back in one block, then audit goes.
    let back = down(&format!("head:{billing}"));
    db.apply(&back).unwrap();
    assert_eq!(versions(&db), vec![billing.to_string()]);
    refused(&db, &back, "head:billing twice");

    // From audit alone, the merge brings billing along.
    let db = TestDb::new(engine, "guard_merge").unwrap();
    db.apply(&up(&format!("base:{audit}"))).unwrap();
    let merge_up = up(&format!("{audit}:{merge}"));
    db.apply(&merge_up).unwrap();
    assert_eq!(versions(&db), vec![merge.to_string()]);
    refused(&db, &merge_up, "audit:merge twice");
    let merge_down = down(&format!("{merge}:{audit}"));
    db.apply(&merge_down).unwrap();
    assert_eq!(versions(&db), vec![audit.to_string()]);
    refused(&db, &merge_down, "merge:audit twice");
}

#[test]
fn version_guard_branches_sqlite() {
    version_guard_branches(Engine::Sqlite);
}

#[test]
fn version_guard_branches_postgresql() {
    version_guard_branches(Engine::Postgres);
}

#[test]
fn version_guard_branches_mariadb() {
    version_guard_branches(Engine::Mariadb);
}

/// The rows of the `client_settings` project at head, as its revisions give them.
fn client_settings_rows() -> Vec<Vec<Option<String>>> {
    let s = |v: &str| Some(v.to_string());
    let default = s("O'Reilly \\ \"x\"");
    vec![
        vec![
            s("1"),
            s("日本語テキスト ソ表能"),
            s("It's \"quoted\""),
            s("C:\\new\\table\\"),
            s("👍 ok"),
            s("`\"'"),
            s("\\"),
        ],
        vec![s("2"), s("\\' OR 1=1; -- "), default.clone(), s("\\\\"), s("€ £ ü"), None, s("\\")],
        vec![s("3"), s("許功蓋 縗 本\\"), default.clone(), s("\\"), s("🀄"), None, s("\\")],
        vec![
            s("4"),
            s("ソ\\'; 表\\\" 能\\\\"),
            default,
            s("%_\\%\\_"),
            s("\\n is two characters"),
            None,
            s("\\"),
        ],
    ]
}

/// A client set up otherwise: its extra options and environment.
type Client<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);

/// SPEC 10.4: the same script gives the same objects and values whatever
/// the client's character set and the session's sql_mode (MariaDB) or
/// standard_conforming_strings (PostgreSQL). Values are read back with the
/// tests' own UTF-8 client, byte for byte; then the downgrade, applied with
/// the same client, leaves nothing.
fn client_settings(engine: Engine, clients: &[Client]) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/client_settings");
    let d = dialect_arg(engine);
    let up = sql(&dir, &["--dialect", d, "upgrade", "base:head"]);
    let down = sql(&dir, &["--dialect", d, "downgrade", "head:base"]);
    let (select, probe, comment) = match engine {
        Engine::Mariadb => (
            "SELECT id, `本文`, `it's`, `back\\slash`, emoji, `tick``quote\"`, `備考` FROM `メモ` ORDER BY id",
            "INSERT INTO `メモ` (id) VALUES (9)",
            "SELECT COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'メモ' AND COLUMN_NAME = '本文'",
        ),
        _ => (
            "SELECT id, \"本文\", \"it's\", \"back\\slash\", emoji, \"tick`quote\"\"\", \"備考\" FROM \"メモ\" ORDER BY id",
            "INSERT INTO \"メモ\" (id) VALUES (9)",
            "SELECT col_description('\"メモ\"'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = '\"メモ\"'::regclass AND attname = '本文'))",
        ),
    };
    for (args, env) in clients {
        let what = format!("{engine} with {args:?} {env:?}");
        let db = TestDb::new(engine, "client").unwrap();
        db.apply_with(&up, args, env).unwrap_or_else(|e| panic!("{what}: upgrade: {e}"));
        assert_eq!(db.query_rows(select).unwrap(), client_settings_rows(), "{what}");
        assert_eq!(db.query_rows(comment).unwrap(), vec![vec![Some("it's C:\\dir\\ 日本".to_string())]], "{what}");
        db.apply(probe).unwrap();
        let row = &db.query_rows(select).unwrap()[4];
        assert_eq!(
            (row[2].as_deref(), row[6].as_deref()),
            (Some("O'Reilly \\ \"x\""), Some("\\")),
            "{what}: defaults"
        );
        db.apply_with(&down, args, env).unwrap_or_else(|e| panic!("{what}: downgrade: {e}"));
        db.is_empty().unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

#[test]
fn client_settings_mariadb() {
    let none: &[(&str, &str)] = &[];
    client_settings(
        Engine::Mariadb,
        &[
            (&["--default-character-set=gbk"], none),
            (&["--default-character-set=utf8"], none),
            (&["--default-character-set=latin1"], none),
            (&["--default-character-set=big5"], none),
            (&["--default-character-set=sjis"], none),
            (&["--init-command=SET sql_mode='NO_BACKSLASH_ESCAPES'"], none),
            (&["--init-command=SET sql_mode='ANSI_QUOTES,STRICT_TRANS_TABLES'"], none),
            (&["--init-command=SET sql_mode='ANSI'"], none),
            (
                &["--default-character-set=sjis", "--init-command=SET sql_mode='ORACLE,NO_BACKSLASH_ESCAPES'"],
                none,
            ),
        ],
    );
}

#[test]
fn client_settings_postgresql() {
    client_settings(
        Engine::Postgres,
        &[
            (&[], &[("PGOPTIONS", "-c standard_conforming_strings=off")]),
            (&[], &[("PGOPTIONS", "-c standard_conforming_strings=off"), ("PGCLIENTENCODING", "SJIS")]),
            (&[], &[("PGCLIENTENCODING", "LATIN1")]),
        ],
    );
}

/// SPEC 9 keys and renames (the `keys` project): upgrade, the derived
/// downgrade of the renames, and the upgrade again, on each engine; the
/// names are read back from the catalog after each step. MariaDB keeps no
/// primary key name (it is `PRIMARY`), SQLite keeps it in the table's SQL.
#[test]
fn renames_upgrade_downgrade_upgrade() {
    let dir = root().join("tests/fixtures/projects/keys");
    for engine in [Engine::Sqlite, Engine::Postgres, Engine::Mariadb] {
        if !require(engine) {
            continue;
        }
        let d = dialect_arg(engine);
        let db = TestDb::new(engine, "keys_renames").expect("fresh database");
        let names = |db: &TestDb| {
            let cat = db.catalog().expect("catalog");
            let accounts = cat.table("accounts").expect("accounts").clone();
            let metric = cat.table("metric").expect("metric").clone();
            let fks: Vec<Option<String>> = accounts.foreign_keys.iter().map(|f| f.name.clone()).collect();
            // MariaDB shows a unique constraint as a unique index: one list for both.
            let mut keys: Vec<String> = accounts.indexes.keys().chain(accounts.unique_constraints.keys()).cloned().collect();
            keys.sort();
            (
                keys,
                fks,
                accounts.checks.iter().cloned().collect::<Vec<_>>(),
                metric.indexes.keys().cloned().collect::<Vec<_>>(),
                metric.primary_key.and_then(|p| p.name),
            )
        };
        let pk = |n: &str| (engine != Engine::Mariadb).then(|| n.to_string());
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let fk = |n: &str| vec![Some(n.to_string())];
        let renamed = (
            s(&["ix_accounts_email_login", "ix_accounts_handle", "uq_accounts_email_addr"]),
            fk("fk_accounts_parent_account"),
            s(&["ck_accounts_login_set"]),
            s(&["ix_metric_recent"]),
            pk("pk_metric_samples"),
        );
        let before = (
            s(&["ix_accounts_login", "uq_accounts_email"]),
            fk("fk_accounts_parent"),
            s(&["ck_accounts_login"]),
            s(&["ix_metric_ts"]),
            pk("metric_pk"),
        );
        for step in 0..2 {
            let up = sql(&dir, &["--dialect", d, "upgrade", "base:head"]);
            db.apply(&up).unwrap_or_else(|e| panic!("{engine}: upgrade: {e}\n{up}"));
            // MariaDB lists the index a foreign key keeps as an index of its own.
            let mut got = names(&db);
            got.0.retain(|n| !n.starts_with("fk_"));
            assert_eq!(got, renamed, "{engine}: after upgrade (pass {step})");
            let down = sql(&dir, &["--dialect", d, "downgrade", "head:4b1c0a7e9d01"]);
            db.apply(&down).unwrap_or_else(|e| panic!("{engine}: derived downgrade: {e}\n{down}"));
            let mut got = names(&db);
            got.0.retain(|n| !n.starts_with("fk_"));
            assert_eq!(got, before, "{engine}: after the derived downgrade (pass {step})");
            let up = sql(&dir, &["--dialect", d, "upgrade", "4b1c0a7e9d01:head"]);
            db.apply(&up).unwrap_or_else(|e| panic!("{engine}: upgrade again: {e}\n{up}"));
            let mut got = names(&db);
            got.0.retain(|n| !n.starts_with("fk_"));
            assert_eq!(got, renamed, "{engine}: after the upgrade again (pass {step})");
            let down = sql(&dir, &["--dialect", d, "downgrade", "head:4b1c0a7e9d01"]);
            db.apply(&down).unwrap_or_else(|e| panic!("{engine}: derived downgrade: {e}"));
            db.apply(&sql(&dir, &["--dialect", d, "downgrade", "4b1c0a7e9d01:base"]))
                .unwrap_or_else(|e| panic!("{engine}: downgrade to base: {e}"));
            db.is_empty().unwrap_or_else(|e| panic!("{engine}: downgrade to base left {e}"));
        }
    }
}

/// SPEC 10.3 and 10.7 (the `rows_exist` project): NOT NULL columns added to
/// a table that holds rows. The rows take the backfill (or the default), a
/// backfilled column keeps no default of its own, a DATETIME(6) column takes
/// `CURRENT_TIMESTAMP(6)`; the derived
/// downgrade applies and leaves the table as it was.
fn rows_exist(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/rows_exist");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "rows_exist").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:5e1a0c2b3d01"])).unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "5e1a0c2b3d01:head"])).unwrap();
    let s = |v: &str| Some(v.to_string());
    let rows = db.query_rows("SELECT id, credits, plan FROM accounts ORDER BY id").unwrap();
    assert_eq!(rows, vec![vec![s("1"), s("100"), s("legacy")], vec![s("2"), s("100"), s("legacy")]]);
    assert!(
        db.apply("INSERT INTO accounts (id, email, tier) VALUES (3, 'c@example.com', 3)").is_err(),
        "`credits` keeps no default: a row without it is refused"
    );
    db.apply("INSERT INTO accounts (id, email, tier, credits) VALUES (4, 'd@example.com', 4, 5)")
        .unwrap();
    assert_eq!(db.query_rows("SELECT plan FROM accounts WHERE id = 4").unwrap(), vec![vec![s("free")]]);
    assert_eq!(
        db.query_rows("SELECT COUNT(*) FROM accounts WHERE joined_at IS NULL").unwrap(),
        vec![vec![s("0")]]
    );
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:5e1a0c2b3d01"])).unwrap();
    assert_eq!(db.query_rows("SELECT id, email, tier FROM accounts ORDER BY id").unwrap().len(), 3);
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "5e1a0c2b3d01:base"])).unwrap();
    db.is_empty().unwrap();
}

#[test]
fn rows_exist_sqlite() {
    rows_exist(Engine::Sqlite);
}

#[test]
fn rows_exist_postgresql() {
    rows_exist(Engine::Postgres);
}

#[test]
fn rows_exist_mariadb() {
    rows_exist(Engine::Mariadb);
}

/// Class 7 of issue 15 (the `primary_key` project): `create_primary_key` on a
/// nullable column makes it NOT NULL, and its derived downgrade makes it
/// nullable again on every engine (dropping a key does not); `drop_column`
/// of a one-column primary key's column takes the key with it, and its
/// derived downgrade adds both back (on an empty table: the values are gone).
fn primary_key_downgrade(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/primary_key");
    let d = dialect_arg(engine);
    let (r1, r2) = ("6f2b1d3c4e01", "6f2b1d3c4e02");
    let db = TestDb::new(engine, "primary_key").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("base:{r1}")])).unwrap();
    db.apply("INSERT INTO tags (code, label) VALUES ('a', 'A'), ('b', 'B')").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("{r1}:{r2}")])).unwrap();
    assert!(
        db.apply("INSERT INTO tags (code, label) VALUES (NULL, 'n')").is_err(),
        "a primary key column is NOT NULL"
    );
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("{r2}:head")])).unwrap();
    assert_eq!(db.query_rows("SELECT label FROM tags ORDER BY label").unwrap().len(), 2);
    db.apply("DELETE FROM tags").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", &format!("head:{r2}")])).unwrap();
    db.apply("INSERT INTO tags (code, label) VALUES ('a', 'A')").unwrap();
    assert!(
        db.apply("INSERT INTO tags (code, label) VALUES ('a', 'again')").is_err(),
        "the primary key is back"
    );
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", &format!("{r2}:{r1}")])).unwrap();
    db.apply("INSERT INTO tags (code, label) VALUES (NULL, 'n')").unwrap();
    db.apply("INSERT INTO tags (code, label) VALUES ('a', 'again')").unwrap();
    assert_eq!(db.query_rows("SELECT COUNT(*) FROM tags").unwrap(), vec![vec![Some("3".to_string())]]);
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", &format!("{r1}:base")])).unwrap();
    db.is_empty().unwrap();
}

#[test]
fn primary_key_downgrade_sqlite() {
    primary_key_downgrade(Engine::Sqlite);
}

#[test]
fn primary_key_downgrade_postgresql() {
    primary_key_downgrade(Engine::Postgres);
}

#[test]
fn primary_key_downgrade_mariadb() {
    primary_key_downgrade(Engine::Mariadb);
}

/// Issue 15, primary keys (the `primary_key_autoincrement` project):
/// dropping the key of an autoincrement column makes it a plain column
/// (MySQL refuses a key-less AUTO_INCREMENT column, error 1075) and its
/// derived downgrade makes it the key and autoincrement again, numbering past
/// the rows there; a key dropped and then its column, in one revision, comes
/// back column first; a key column added to a table with no key numbers the
/// rows already there. Upgrade, downgrade and upgrade again, with the catalog
/// read back at each revision (columns by name: a column re-added by a
/// downgrade comes last).
fn primary_key_autoincrement(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/primary_key_autoincrement");
    let d = dialect_arg(engine);
    let revs = ["base", "7a3c2e1d5b01", "7a3c2e1d5b02", "7a3c2e1d5b03", "7a3c2e1d5b04"];
    let step = |cmd: &str, from: usize, to: usize| sql(&dir, &["--dialect", d, cmd, &format!("{}:{}", revs[from], revs[to])]);
    let db = TestDb::new(engine, "primary_key_autoincrement").unwrap();
    let catalog = || {
        let mut c = db.catalog().unwrap();
        for t in c.tables.values_mut() {
            t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        c
    };
    let rows = |q: &str| db.query_rows(q).unwrap();
    let one = |v: &str| vec![vec![Some(v.to_string())]];
    let mut seen = vec![];
    db.apply(&step("upgrade", 0, 1)).unwrap();
    seen.push(catalog());
    db.apply("INSERT INTO items (label) VALUES ('a'), ('b')").unwrap();
    db.apply("INSERT INTO tags (name) VALUES ('x'), ('y')").unwrap();
    db.apply(&step("upgrade", 1, 2))
        .unwrap_or_else(|e| panic!("{engine}: drop the key of an autoincrement column: {e}"));
    let items = catalog().table("items").unwrap().clone();
    assert!(
        items.primary_key.is_none() && !items.column("id").unwrap().autoincrement,
        "{engine}: {:?}",
        items.column("id")
    );
    assert!(
        db.apply("INSERT INTO items (label) VALUES ('no id')").is_err(),
        "{engine}: id is no longer numbered"
    );
    db.apply("INSERT INTO items (id, label) VALUES (3, 'c')").unwrap();
    seen.push(catalog());
    db.apply(&step("upgrade", 2, 3))
        .unwrap_or_else(|e| panic!("{engine}: drop a key and its column: {e}"));
    seen.push(catalog());
    db.apply(&step("upgrade", 3, 4)).unwrap_or_else(|e| panic!("{engine}: add a key column: {e}"));
    assert_eq!(
        rows("SELECT COUNT(DISTINCT tag_id) FROM tags"),
        one("2"),
        "{engine}: the rows there are numbered"
    );
    db.apply("INSERT INTO tags (name) VALUES ('z')").unwrap();
    assert!(
        db.apply("INSERT INTO tags (tag_id, name) VALUES (1, 'again')").is_err(),
        "{engine}: tag_id is the key"
    );
    let head = catalog();
    let tags = head.table("tags").unwrap();
    assert_eq!(
        tags.primary_key.as_ref().map(|k| k.columns.clone()),
        Some(vec!["tag_id".to_string()]),
        "{engine}"
    );
    seen.push(head);
    db.apply(&step("downgrade", 4, 3))
        .unwrap_or_else(|e| panic!("{engine}: downgrade of the added key column: {e}"));
    assert!(seen[2] == catalog(), "{engine}: downgrade to {} gives another catalog", revs[3]);
    // The dropped key column comes back empty: its values are gone.
    db.apply("DELETE FROM tags").unwrap();
    db.apply(&step("downgrade", 3, 2))
        .unwrap_or_else(|e| panic!("{engine}: downgrade of a key and its column dropped: {e}"));
    assert!(seen[1] == catalog(), "{engine}: downgrade to {} gives another catalog", revs[2]);
    db.apply(&step("downgrade", 2, 1))
        .unwrap_or_else(|e| panic!("{engine}: downgrade of the dropped key: {e}"));
    assert!(seen[0] == catalog(), "{engine}: downgrade to {} gives another catalog", revs[1]);
    db.apply("INSERT INTO items (label) VALUES ('d')").unwrap();
    assert_eq!(
        rows("SELECT id FROM items WHERE label = 'd'"),
        one("4"),
        "{engine}: numbered past the rows there"
    );
    assert!(
        db.apply("INSERT INTO items (id, label) VALUES (1, 'again')").is_err(),
        "{engine}: id is the key again"
    );
    db.apply("DELETE FROM items").unwrap();
    db.apply(&step("upgrade", 1, 4)).unwrap_or_else(|e| panic!("{engine}: upgrade again: {e}"));
    assert!(seen[3] == catalog(), "{engine}: upgrade again gives another catalog");
    db.apply(&step("downgrade", 4, 0)).unwrap();
    db.is_empty().unwrap();
}

#[test]
fn primary_key_autoincrement_sqlite() {
    primary_key_autoincrement(Engine::Sqlite);
}

#[test]
fn primary_key_autoincrement_postgresql() {
    primary_key_autoincrement(Engine::Postgres);
}

#[test]
fn primary_key_autoincrement_mariadb() {
    primary_key_autoincrement(Engine::Mariadb);
}

/// Upgrade one revision at a time, reading the catalog after each; downgrade
/// one at a time, each giving the catalog of the revision it reaches;
/// upgrade again to the same head.
fn step_by_step(engine: Engine, project: &str, revs: &[&str]) {
    step_by_step_in(engine, project, &root().join("tests/fixtures/projects").join(project), revs);
}

/// `step_by_step` on the project in `dir`.
fn step_by_step_in(engine: Engine, project: &str, dir: &std::path::Path, revs: &[&str]) {
    if !require(engine) {
        return;
    }
    let d = dialect_arg(engine);
    let script = |cmd: &str, from: &str, to: &str| sql(dir, &["--dialect", d, cmd, &format!("{from}:{to}")]);
    let db = TestDb::new(engine, project).unwrap();
    let mut seen = vec![db.catalog().unwrap()];
    for w in revs.windows(2) {
        db.apply(&script("upgrade", w[0], w[1]))
            .unwrap_or_else(|e| panic!("{project} on {engine}: upgrade to {}: {e}", w[1]));
        seen.push(db.catalog().unwrap());
    }
    for (i, w) in revs.windows(2).enumerate().rev() {
        db.apply(&script("downgrade", w[1], w[0]))
            .unwrap_or_else(|e| panic!("{project} on {engine}: downgrade to {}: {e}", w[0]));
        assert!(
            db.catalog().unwrap() == seen[i],
            "{project} on {engine}: downgrade to {} gives another catalog",
            w[0]
        );
    }
    db.is_empty().unwrap();
    db.apply(&script("upgrade", "base", "head"))
        .unwrap_or_else(|e| panic!("{project} on {engine}: upgrade again: {e}"));
    assert!(
        db.catalog().unwrap() == seen[seen.len() - 1],
        "{project} on {engine}: upgrade again gives another catalog"
    );
}

/// Issue 15, conformance fixture `duplicate_unique_keys_merged_by_create_table`
/// (the `equal_keys` project): every unique constraint over a key's columns
/// or another unique's keeps its name on every engine, made by create_table,
/// by create_unique_constraint, and by the derived downgrade of a drop_table.
fn equal_keys(engine: Engine) {
    step_by_step(engine, "equal_keys", &["base", "8b4d1f2a6c01", "8b4d1f2a6c02"]);
    // PostgreSQL, where the names were lost (SQLite keeps them in the
    // table's text over one index; MariaDB has them as unique indexes).
    if engine == Engine::Postgres && require(engine) {
        let dir = root().join("tests/fixtures/projects/equal_keys");
        let db = TestDb::new(engine, "equal_keys_names").unwrap();
        db.apply(&sql(&dir, &["--dialect", dialect_arg(engine), "upgrade", "base:8b4d1f2a6c01"]))
            .unwrap();
        let c = db.catalog().unwrap();
        let names = |t: &str| c.table(t).unwrap().unique_constraints.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names("old_codes"), ["uq_old_codes_code", "uq_old_codes_code_again"], "{engine}");
        assert_eq!(names("codes"), ["uq_codes_code", "uq_codes_id"], "{engine}");
    }
}

#[test]
fn equal_keys_sqlite() {
    equal_keys(Engine::Sqlite);
}

#[test]
fn equal_keys_postgresql() {
    equal_keys(Engine::Postgres);
}

#[test]
fn equal_keys_mariadb() {
    equal_keys(Engine::Mariadb);
}

/// Issue 15, conformance fixture `rename_of_checked_odd_column_whose_downgrade_is_refused`
/// (the `odd_enum_rename` project): a non-native enum column whose name needs
/// quotes renamed to a plain name, and back by the derived downgrade.
fn odd_enum_rename(engine: Engine) {
    step_by_step(engine, "odd_enum_rename", &["base", "9c5e2a3b7d01", "9c5e2a3b7d02"]);
}

#[test]
fn odd_enum_rename_sqlite() {
    odd_enum_rename(Engine::Sqlite);
}

#[test]
fn odd_enum_rename_postgresql() {
    odd_enum_rename(Engine::Postgres);
}

#[test]
fn odd_enum_rename_mariadb() {
    odd_enum_rename(Engine::Mariadb);
}

/// Conformance fixture `choice_check_renamed_then_dropped`: a non-native
/// enum column's check keeps its name when the column and its table are
/// renamed; the derived downgrade of the column's drop makes the check
/// again under that name, not the one the convention gives the new names;
/// so does the derived downgrade of a type change that dropped the check.
/// (The dropped column is the last: re-added, it comes back at the end.)
fn enum_check_renamed_then_dropped(engine: Engine) {
    let dir = project_of(&[
        (
            "e1_items.toml",
            r#"revision = "e1"
message = "a non-native enum"

[[upgrade]]
op = "create_table"
table = "items"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "note", type = "text" },
  { name = "grade", type = { enum = ["x", "y"], name = "grade", native = false } },
  { name = "kind", type = { enum = ["a", "b", "it's"], name = "kind", native = false } },
]
"#,
        ),
        (
            "e2_rename.toml",
            r#"revision = "e2"
down_revision = "e1"
message = "the columns and the table renamed: the checks keep ck_items_kind and ck_items_grade"

[[upgrade]]
op = "rename_column"
table = "items"
column = "kind"
new_name = "sort"

[[upgrade]]
op = "rename_column"
table = "items"
column = "grade"
new_name = "level"

[[upgrade]]
op = "rename_table"
table = "items"
new_name = "things"
"#,
        ),
        (
            "e3_drop.toml",
            r#"revision = "e3"
down_revision = "e2"
message = "the column dropped: its downgrade makes ck_items_kind again"

[[upgrade]]
op = "drop_column"
table = "things"
column = "sort"
"#,
        ),
        (
            "e4_type.toml",
            r#"revision = "e4"
down_revision = "e3"
message = "the other column's type changed: its downgrade makes ck_items_grade again"

[[upgrade]]
op = "alter_column"
table = "things"
column = "level"
type = "string(10)"
"#,
        ),
    ]);
    step_by_step_in(engine, "enum_check_renamed", dir.path(), &["base", "e1", "e2", "e3", "e4"]);
    if require(engine) {
        let down = |from: &str, to: &str| sql(dir.path(), &["--dialect", dialect_arg(engine), "downgrade", &format!("{from}:{to}")]);
        let (e3, e4) = (down("e3", "e2"), down("e4", "e3"));
        assert!(e3.contains("ck_items_kind") && !e3.contains("ck_things_sort"), "{engine}:\n{e3}");
        assert!(e4.contains("ck_items_grade") && !e4.contains("ck_things_level"), "{engine}:\n{e4}");
    }
}

#[test]
fn enum_check_renamed_then_dropped_sqlite() {
    enum_check_renamed_then_dropped(Engine::Sqlite);
}

#[test]
fn enum_check_renamed_then_dropped_postgresql() {
    enum_check_renamed_then_dropped(Engine::Postgres);
}

#[test]
fn enum_check_renamed_then_dropped_mariadb() {
    enum_check_renamed_then_dropped(Engine::Mariadb);
}

/// Conformance fixture `downgrade_of_drop_column_readds_a_unique_column_with_one_default`:
/// a nullable column with a default and a unique key (a constraint and a
/// unique index) dropped from a table of two rows; the derived downgrade
/// re-adds it NULL, makes the keys again, then sets its default, so the
/// keys hold and the catalog is the one before the drop. (Dropped last
/// column first: re-added, each comes back at the end.) On SQLite the
/// second re-add joins the first one's rebuild, whose copy gives its rows
/// NULL, the default it was added with, not the one set after.
fn unique_column_with_a_default_dropped(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = project_of(&[
        (
            "u1_create.toml",
            r#"revision = "u1"
message = "a unique column with a default"

[[upgrade]]
op = "create_table"
table = "t"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "code", type = "string(10)", default = "none" },
  { name = "seen", type = "datetime", default = 2014-11-19T10:22:07 },
]
unique_constraints = [{ name = "uq_t_code", columns = ["code"] }]
indexes = [{ name = "ix_t_seen", columns = ["seen"], unique = true }]

[[upgrade]]
op = "bulk_insert"
table = "t"
rows = [{ id = 1, code = "a", seen = 2000-01-01T00:00:00 }, { id = 2, code = "b", seen = 2000-01-02T00:00:00 }]
"#,
        ),
        (
            "u2_drop.toml",
            r#"revision = "u2"
down_revision = "u1"
message = "both dropped"

[[upgrade]]
op = "drop_column"
table = "t"
column = "seen"

[[upgrade]]
op = "drop_column"
table = "t"
column = "code"
"#,
        ),
    ]);
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "unique_default").unwrap();
    db.apply(&sql(dir.path(), &["--dialect", d, "upgrade", "base:u1"])).unwrap();
    let before = db.catalog().unwrap();
    db.apply(&sql(dir.path(), &["--dialect", d, "upgrade", "u1:u2"])).unwrap();
    let down = sql(dir.path(), &["--dialect", d, "downgrade", "u2:u1"]);
    assert!(down.contains("NULL in every row"), "{engine}:\n{down}");
    db.apply(&down).unwrap_or_else(|e| panic!("{engine}: downgrade: {e}\n{down}"));
    assert_eq!(db.catalog().unwrap(), before, "{engine}: the downgrade gives another catalog");
    // The default is back: a new row takes it.
    db.apply("INSERT INTO t (id) VALUES (3)").unwrap();
    let rows = db.query_rows("SELECT code FROM t ORDER BY id").unwrap();
    assert_eq!(rows, vec![vec![None], vec![None], vec![Some("none".to_string())]], "{engine}");
}

#[test]
fn unique_column_with_a_default_dropped_sqlite() {
    unique_column_with_a_default_dropped(Engine::Sqlite);
}

#[test]
fn unique_column_with_a_default_dropped_postgresql() {
    unique_column_with_a_default_dropped(Engine::Postgres);
}

#[test]
fn unique_column_with_a_default_dropped_mariadb() {
    unique_column_with_a_default_dropped(Engine::Mariadb);
}

/// SPEC 10.7: a literal default on a TEXT column, written `DEFAULT ('...')`
/// for MySQL 8.0.13+ and MariaDB, applies on MariaDB (mysql@5.7 refuses to
/// compile it: `tests/cli.rs`).
#[test]
fn mariadb_takes_an_expression_default_on_text() {
    if !require(Engine::Mariadb) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("a.toml"),
        "revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"notes\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }, { name = \"body\", type = \"text\", nullable = false, default = \"none\" }]\n",
    )
    .unwrap();
    let up = sql(tmp.path(), &["--dialect", "mariadb", "upgrade", "base:head"]);
    assert!(up.contains("DEFAULT ('none')"), "{up}");
    let db = TestDb::new(Engine::Mariadb, "text_default").unwrap();
    db.apply(&up).unwrap();
    db.apply("INSERT INTO notes (id) VALUES (1)").unwrap();
    assert_eq!(db.query_rows("SELECT body FROM notes").unwrap(), vec![vec![Some("none".to_string())]]);
}

/// SPEC 9, schemas and sequences (the `schemas_sequences` fixture, its
/// schema renamed to one of this run's own: on MariaDB a schema is a
/// database of the server). Upgrade, the derived downgrade, the upgrade
/// again and the downgrade to base, with the sequences drawn from, the
/// cross-schema foreign keys enforced and the schema gone at the end;
/// `create_schema` gives the same default schema.
fn schemas_and_sequences(engine: Engine) {
    if !require(engine) {
        return;
    }
    let ns = format!("nsseq_{}_{}", std::process::id(), engine.dialect());
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir_all(&revs).unwrap();
    let fixture = root().join("tests/fixtures/schemas_sequences/revisions");
    for e in std::fs::read_dir(&fixture).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap().replace("billing", &ns);
        std::fs::write(revs.join(p.file_name().unwrap()), text).unwrap();
    }
    let dir = tmp.path();
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "nsseq").expect("fresh database");
    // The schema goes even when an assertion fails (MariaDB: a database of the server).
    struct DropSchema<'a>(&'a TestDb, String);
    impl Drop for DropSchema<'_> {
        fn drop(&mut self) {
            let sql = match self.0.engine() {
                Engine::Mariadb => format!("DROP DATABASE IF EXISTS {}", self.1),
                _ => format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1),
            };
            let _ = self.0.apply(&sql);
        }
    }
    let _cleanup = DropSchema(&db, ns.clone());
    let tables_in = |db: &TestDb| -> Vec<String> {
        let q = format!("SELECT table_name FROM information_schema.tables WHERE table_schema = '{ns}' AND table_type = 'BASE TABLE' ORDER BY table_name");
        db.query_rows(&q)
            .expect("tables")
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect()
    };
    let schema_exists = |db: &TestDb| -> bool {
        let q = format!("SELECT schema_name FROM information_schema.schemata WHERE schema_name = '{ns}'");
        !db.query_rows(&q).expect("schemata").is_empty()
    };
    let mut head = None;
    for pass in 0..2 {
        db.apply(&sql(dir, &["--dialect", d, "upgrade", "base:head"]))
            .unwrap_or_else(|e| panic!("{engine}: upgrade (pass {pass}): {e}"));
        assert_eq!(tables_in(&db), vec!["clients".to_string()], "{engine}: the tables of {ns}");
        head.get_or_insert_with(|| db.catalog().expect("catalog"));
        db.apply("INSERT INTO invoices (account_id) VALUES (1); INSERT INTO invoices (account_id) VALUES (1);")
            .unwrap_or_else(|e| panic!("{engine}: insert: {e}"));
        let rows = db.query_rows("SELECT id, number FROM invoices ORDER BY id").expect("rows");
        let some = |a: &str, b: &str| vec![Some(a.to_string()), Some(b.to_string())];
        // The owned sequence numbers the ids; the other starts at 1000, by 5 since 5e02.
        assert_eq!(
            rows,
            vec![some("1", "1000"), some("2", "1005")],
            "{engine}: the sequences' values (pass {pass})"
        );
        let audit = db.query_rows(&format!("SELECT audit_no FROM {ns}.clients")).expect("audit_no");
        assert_eq!(
            audit,
            vec![vec![Some("7".to_string())]],
            "{engine}: the existing row took the audit sequence's start"
        );
        assert!(
            db.apply("INSERT INTO payments (id, client_id) VALUES (1, 999);").is_err(),
            "{engine}: the foreign key into {ns} is enforced"
        );
        db.apply("DELETE FROM invoices;").expect("delete");
        db.apply(&sql(dir, &["--dialect", d, "downgrade", "head:5e01"]))
            .unwrap_or_else(|e| panic!("{engine}: derived downgrade (pass {pass}): {e}"));
        assert_eq!(tables_in(&db), vec!["accounts".to_string()], "{engine}: after the derived downgrade");
        db.apply(&sql(dir, &["--dialect", d, "upgrade", "5e01:head"]))
            .unwrap_or_else(|e| panic!("{engine}: upgrade again (pass {pass}): {e}"));
        assert_eq!(tables_in(&db), vec!["clients".to_string()], "{engine}: after the upgrade again");
        db.apply(&sql(dir, &["--dialect", d, "downgrade", "head:base"]))
            .unwrap_or_else(|e| panic!("{engine}: downgrade to base (pass {pass}): {e}"));
        db.is_empty().unwrap_or_else(|e| panic!("{engine}: downgrade to base left {e}"));
        assert!(!schema_exists(&db), "{engine}: the downgrade drops {ns}");
    }
    let direct = TestDb::new(engine, "nsseq_cs").expect("fresh database");
    let _cleanup_direct = DropSchema(&direct, ns.clone());
    direct
        .apply(&sql(dir, &["--dialect", d, "create_schema"]))
        .unwrap_or_else(|e| panic!("{engine}: create_schema: {e}"));
    assert_eq!(tables_in(&direct), vec!["clients".to_string()], "{engine}: create_schema's tables of {ns}");
    // MariaDB spells a default's sequence with its database: each side's own name is left out.
    let shown = |db: &TestDb, c: support::catalog::Catalog| format!("{c:?}").replace(db.name(), "DB");
    let created = direct.catalog().expect("catalog");
    assert_eq!(
        shown(&direct, created),
        shown(&db, head.expect("read")),
        "{engine}: create_schema differs from upgrade base:head"
    );
    direct
        .apply(&format!(
            "INSERT INTO {ns}.clients (id, name) VALUES (1, 'a'); INSERT INTO invoices (account_id) VALUES (1);"
        ))
        .unwrap_or_else(|e| panic!("{engine}: create_schema's defaults: {e}"));
    let rows = direct.query_rows("SELECT id, number FROM invoices").expect("rows");
    assert_eq!(
        rows,
        vec![vec![Some("1".to_string()), Some("1000".to_string())]],
        "{engine}: create_schema's sequences"
    );
    direct
        .apply("INSERT INTO invoices (account_id) VALUES (2);")
        .expect_err("create_schema: the foreign key into the schema is enforced");
}

#[test]
fn schemas_and_sequences_postgresql() {
    schemas_and_sequences(Engine::Postgres);
}

#[test]
fn schemas_and_sequences_mariadb() {
    schemas_and_sequences(Engine::Mariadb);
}

/// SQLite has neither: the compile is refused at the operation, with nothing on stdout.
#[test]
fn schemas_and_sequences_sqlite_refused() {
    let dir = root().join("tests/fixtures/schemas_sequences");
    for d in ["sqlite", "mysql@8.0", "mysql"] {
        let out = schemac(&dir, &["--dialect", d, "upgrade", "base:head"]);
        assert_eq!(out.status.code(), Some(1), "{d}: refused");
        assert!(out.stdout.is_empty(), "{d}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("E0501") && (err.contains("has no schemas") || err.contains("has no sequences")),
            "{d}: {err}"
        );
    }
}

/// SPEC 10.2 and 10.6 (the `sql_text` project): views and a check over
/// columns and a table that are renamed still work under the new names (the
/// model's text follows: MariaDB's views are made again), and the SQLite
/// rebuild of `customers` drops and re-creates the trigger on `purchases`
/// whose body names it. Then the derived and written downgrades undo it all.
fn sql_text_follows_renames(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/sql_text");
    let d = dialect_arg(engine);
    let (r2, r3) = ("7d1e2f3a4b02", "7d1e2f3a4b03");
    let s = |v: &str| Some(v.to_string());
    let db = TestDb::new(engine, "sql_text").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("base:{r3}")])).unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("{r3}:head")])).unwrap();
    assert_eq!(
        db.query_rows("SELECT id, name FROM customer_names ORDER BY id").unwrap(),
        vec![vec![s("1"), s("Ann")], vec![s("2"), s("Bob")]]
    );
    assert_eq!(
        db.query_rows("SELECT customer_id, total FROM order_totals").unwrap(),
        vec![vec![s("1"), s("12")]]
    );
    db.apply("INSERT INTO purchases (id, customer_id, total_amount) VALUES (3, 2, 1)").unwrap();
    assert_eq!(
        db.query_rows("SELECT id, score, tier FROM customers ORDER BY id").unwrap(),
        vec![vec![s("1"), s("2"), s("basic")], vec![s("2"), s("1"), s("basic")]],
        "the trigger on purchases still fires after the rebuild of customers"
    );
    assert!(
        db.apply("INSERT INTO customers (id, display_name, tier, credit) VALUES (4, 'Di', 'x', -1)")
            .is_err(),
        "the check follows the renamed column"
    );
    db.apply("INSERT INTO customers (id, display_name, tier, credit) VALUES (4, 'Di', 'x', 1)")
        .unwrap();
    db.apply("DELETE FROM purchases WHERE id = 3").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", &format!("head:{r2}")])).unwrap();
    assert_eq!(
        db.query_rows("SELECT id, name FROM customer_names ORDER BY id").unwrap(),
        vec![vec![s("1"), s("Ann")], vec![s("2"), s("Bob")], vec![s("4"), s("Di")]]
    );
    assert_eq!(
        db.query_rows("SELECT customer_id, total FROM order_totals").unwrap(),
        vec![vec![s("1"), s("12")]]
    );
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", &format!("{r2}:base")])).unwrap();
    db.is_empty().unwrap();
}

#[test]
fn sql_text_follows_renames_sqlite() {
    sql_text_follows_renames(Engine::Sqlite);
}

#[test]
fn sql_text_follows_renames_postgresql() {
    sql_text_follows_renames(Engine::Postgres);
}

#[test]
fn sql_text_follows_renames_mariadb() {
    sql_text_follows_renames(Engine::Mariadb);
}

/// SPEC 10.6: a text column that becomes an integer while a row holds text
/// that is no integer fails the script on every engine (SQLite's CAST would
/// make it 0: the rebuild's guard stops it), and nothing changes.
fn lossy_cast_fails(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/sqltext/lossy");
    let d = dialect_arg(engine);
    let (r1, r2) = ("8e1f0a1b2c01", "8e1f0a1b2c02");
    let db = TestDb::new(engine, "lossy").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("base:{r1}")])).unwrap();
    let state = |db: &TestDb| {
        (
            db.query_rows("SELECT id, qty FROM items ORDER BY id"),
            db.query_rows("SELECT version_num FROM schemac_version"),
            format!("{:?}", db.catalog()),
        )
    };
    for bad in ["abc", "1x", "", "--2", "1.5"] {
        db.apply("DELETE FROM items").unwrap();
        db.apply(&format!("INSERT INTO items (id, qty) VALUES (1, ' 12 '), (2, '-3'), (3, NULL), (4, '{bad}')"))
            .unwrap();
        let before = state(&db);
        let script = sql(&dir, &["--dialect", d, "upgrade", &format!("{r1}:{r2}")]);
        assert!(db.apply(&script).is_err(), "{engine}: '{bad}' must stop the conversion");
        // MySQL commits DDL as it goes: the rename before the failing statement stays.
        if engine != Engine::Mariadb {
            assert_eq!(state(&db), before, "{engine}: a refused conversion changed the database");
        }
        if engine == Engine::Mariadb {
            db.apply("ALTER TABLE items RENAME COLUMN quantity TO qty").ok();
        }
    }
    db.apply("DELETE FROM items WHERE id = 4").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", &format!("{r1}:{r2}")])).unwrap();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        db.query_rows("SELECT id, quantity FROM items ORDER BY id").unwrap(),
        vec![vec![s("1"), s("12")], vec![s("2"), s("-3")], vec![s("3"), None]]
    );
}

#[test]
fn lossy_cast_fails_sqlite() {
    lossy_cast_fails(Engine::Sqlite);
}

#[test]
fn lossy_cast_fails_postgresql() {
    lossy_cast_fails(Engine::Postgres);
}

#[test]
fn lossy_cast_fails_mariadb() {
    lossy_cast_fails(Engine::Mariadb);
}

/// SPEC 10.2: a partial unique index's predicate and an expression index
/// follow the renamed columns, through a SQLite rebuild that re-creates
/// both from the model (PostgreSQL and SQLite, which have partial indexes).
fn partial_index_follows_renames(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/sqltext/partial");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "partial").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:head"])).unwrap();
    db.apply("INSERT INTO subscribers (id, address, is_active) VALUES (1, 'a@x', false), (2, 'A@x', true)")
        .unwrap();
    assert!(
        db.apply("INSERT INTO subscribers (id, address, is_active) VALUES (3, 'A@x', true)").is_err(),
        "the predicate holds under the new name"
    );
    db.apply("INSERT INTO subscribers (id, address, is_active) VALUES (3, 'A@x', false)").unwrap();
    let direct = TestDb::new(engine, "partial_cs").unwrap();
    direct.apply(&sql(&dir, &["--dialect", d, "create_schema"])).unwrap();
    assert_eq!(direct.catalog().unwrap(), db.catalog().unwrap(), "{engine}: create_schema differs");
    db.apply("DELETE FROM subscribers WHERE id = 3").unwrap();
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:base"])).unwrap();
    db.is_empty().unwrap();
}

/// SPEC 9 on each engine (the `generated_enums` project): the generated
/// column computed for every row, the enum values renamed, added (and used
/// in the same revision), removed with their rows mapped, the `using`
/// conversion; then the derived downgrade, which refuses the added values
/// again, and the upgrade once more, to the same catalog.
fn generated_and_enums(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/generated_enums");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "genenum").unwrap();
    let up = sql(&dir, &["--dialect", d, "upgrade", "base:head"]);
    db.apply(&up).unwrap_or_else(|e| panic!("{engine}: upgrade: {e}\n{up}"));
    let head = db.catalog().unwrap();
    let s = |v: &str| Some(v.to_string());
    let rows = |db: &TestDb, state: &str| db.query_rows(&format!("SELECT id, {state}, kind, code FROM items ORDER BY id")).unwrap();
    let row = |id: &str, state: &str, kind: &str, code: &str| vec![s(id), s(state), s(kind), s(code)];
    assert_eq!(
        rows(&db, "status"),
        vec![
            row("1", "live", "a", "40"),
            row("2", "draft", "bee", "50"),
            row("3", "draft", "a", "60"),
            row("4", "archived", "z", "70"),
        ],
        "{engine}"
    );
    // The engine computes the generated column, for a new row too.
    db.apply("INSERT INTO items (id, qty, price) VALUES (10, 3, 2.5)").unwrap();
    let computed = db.query_rows("SELECT count(*) FROM items WHERE total = qty * price").unwrap();
    assert_eq!(computed, vec![vec![s("5")]], "{engine}");
    assert!(
        db.apply("INSERT INTO items (id, qty, price, kind) VALUES (11, 1, 1, 'c')").is_err(),
        "{engine}: removed value"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, kind) VALUES (11, 1, 1, 'b')").is_err(),
        "{engine}: renamed value"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, flag) VALUES (11, 1, 1, 'maybe')").is_ok(),
        "{engine}: flag is a plain string"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, status) VALUES (13, 1, 1, 'nope')").is_err(),
        "{engine}: the renamed column's check"
    );
    db.apply("INSERT INTO items (id, qty, price, status) VALUES (12, 1, 1, 'gone')").unwrap();
    db.apply("DELETE FROM items WHERE id IN (10, 11, 12)").unwrap();

    let down = sql(&dir, &["--dialect", d, "downgrade", "head:e1a1"]);
    db.apply(&down).unwrap_or_else(|e| panic!("{engine}: derived downgrade: {e}\n{down}"));
    assert_eq!(
        rows(&db, "state"),
        vec![row("1", "live", "a", "40"), row("2", "draft", "b", "50"), row("3", "draft", "a", "60")],
        "{engine}: the mapped row keeps its new value"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, state) VALUES (12, 1, 1, 'archived')").is_err(),
        "{engine}: added value after the downgrade"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, kind) VALUES (12, 1, 1, 'z')").is_err(),
        "{engine}: added value after the downgrade"
    );
    assert!(
        db.apply("INSERT INTO items (id, qty, price, flag) VALUES (12, 1, 1, 'maybe')").is_err(),
        "{engine}: the non-native enum's check is back"
    );

    let again = sql(&dir, &["--dialect", d, "upgrade", "e1a1:head"]);
    db.apply(&again).unwrap_or_else(|e| panic!("{engine}: upgrade again: {e}\n{again}"));
    assert_eq!(db.catalog().unwrap(), head, "{engine}: upgrade, downgrade, upgrade again");
}

#[test]
fn generated_and_enums_sqlite() {
    generated_and_enums(Engine::Sqlite);
}

#[test]
fn generated_and_enums_postgresql() {
    generated_and_enums(Engine::Postgres);
}

#[test]
fn generated_and_enums_mariadb() {
    generated_and_enums(Engine::Mariadb);
}

/// `using` (SPEC 9) keeps what names the column: on MySQL/MariaDB the new
/// value is computed into a new column that takes the old one's place, so
/// its indexes, unique constraint and check are dropped first and made again.
fn using_keeps_dependents(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/using_swap");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "using_swap").unwrap();
    let up = sql(&dir, &["--dialect", d, "upgrade", "base:head"]);
    db.apply(&up).unwrap_or_else(|e| panic!("{engine}: {e}\n{up}"));
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        db.query_rows("SELECT id, code FROM t ORDER BY id").unwrap(),
        vec![vec![s("1"), s("5")], vec![s("2"), s("6")]],
        "{engine}"
    );
    let cat = db.catalog().unwrap();
    let t = cat.table("t").unwrap();
    assert!(t.indexes.contains_key("ix_t_code_other"), "{engine}: {t:?}");
    assert!(
        t.unique_constraints.contains_key("uq_t_code") || t.indexes.contains_key("uq_t_code"),
        "{engine}: {t:?}"
    );
    assert!(t.checks.contains("ck_t_code"), "{engine}: {t:?}");
    assert!(
        db.apply("INSERT INTO t (id, code, other) VALUES (3, 5, 1)").is_err(),
        "{engine}: the unique constraint"
    );
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:base"])).unwrap();
    db.is_empty().unwrap();
}

#[test]
fn partial_index_follows_renames_sqlite() {
    partial_index_follows_renames(Engine::Sqlite);
}

#[test]
fn partial_index_follows_renames_postgresql() {
    partial_index_follows_renames(Engine::Postgres);
}

#[test]
fn using_keeps_dependents_sqlite() {
    using_keeps_dependents(Engine::Sqlite);
}

#[test]
fn using_keeps_dependents_postgresql() {
    using_keeps_dependents(Engine::Postgres);
}

#[test]
fn using_keeps_dependents_mariadb() {
    using_keeps_dependents(Engine::Mariadb);
}

/// SPEC 9: `alter_column` changes a column's collation (the
/// `alter_collation` fixture): upgraded, downgraded by the derived
/// downgrade, upgraded again; the collations, catalog and rows read back.
fn alter_collation(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/alter_collation");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "alter_collation").expect("fresh database");
    let collations = |db: &TestDb| -> Vec<String> {
        match engine {
            Engine::Sqlite => {
                let sql = db.query_rows("SELECT sql FROM sqlite_master WHERE name = 'labels'").expect("table sql");
                let sql = sql[0][0].clone().unwrap_or_default();
                ["NOCASE", "BINARY", "RTRIM"]
                    .iter()
                    .filter(|c| sql.contains(&format!("COLLATE \"{c}\"")))
                    .map(|c| c.to_string())
                    .collect()
            }
            _ => {
                let schema = if engine == Engine::Postgres { "current_schema()" } else { "DATABASE()" };
                let q = format!(
                    "SELECT column_name, coalesce(collation_name, '-') FROM information_schema.columns \
                     WHERE table_schema = {schema} AND table_name = 'labels' AND column_name IN ('code', 'name') ORDER BY column_name"
                );
                db.query_rows(&q)
                    .expect("collations")
                    .into_iter()
                    .map(|r| format!("{} {}", r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default()))
                    .collect()
            }
        }
    };
    let rows = |db: &TestDb| db.query_rows("SELECT id, code, name FROM labels ORDER BY id").expect("rows");
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:c001"]))
        .unwrap_or_else(|e| panic!("{engine}: c001: {e}"));
    let (before, before_catalog, data) = (collations(&db), db.catalog().expect("catalog"), rows(&db));
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "c001:c002"]))
        .unwrap_or_else(|e| panic!("{engine}: upgrade: {e}"));
    let after = collations(&db);
    let want: Vec<String> = match engine {
        Engine::Sqlite => vec!["BINARY".into(), "RTRIM".into()],
        Engine::Postgres => vec!["code POSIX".into(), "name C".into()],
        Engine::Mariadb => vec!["code utf8mb4_bin".into(), "name utf8mb4_bin".into()],
    };
    assert_eq!(after, want, "{engine}: the new collations");
    assert_ne!(before, after, "{engine}: the collations changed");
    assert_eq!(rows(&db), data, "{engine}: the rows after the upgrade");
    let head = db.catalog().expect("catalog");
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "c002:c001"]))
        .unwrap_or_else(|e| panic!("{engine}: derived downgrade: {e}"));
    assert_eq!(collations(&db), before, "{engine}: the derived downgrade restores the collations");
    assert_eq!(db.catalog().expect("catalog"), before_catalog, "{engine}: the catalog after the downgrade");
    assert_eq!(rows(&db), data, "{engine}: the rows after the downgrade");
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "c001:c002"]))
        .unwrap_or_else(|e| panic!("{engine}: upgrade again: {e}"));
    assert_eq!(collations(&db), want, "{engine}: upgraded again");
    assert_eq!(db.catalog().expect("catalog"), head, "{engine}: the catalog upgraded again");
    assert_eq!(rows(&db), data, "{engine}: the rows upgraded again");
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:base"]))
        .unwrap_or_else(|e| panic!("{engine}: to base: {e}"));
    db.is_empty().unwrap_or_else(|e| panic!("{engine}: downgrade to base left {e}"));
}

#[test]
fn alter_collation_sqlite() {
    alter_collation(Engine::Sqlite);
}

#[test]
fn alter_collation_postgresql() {
    alter_collation(Engine::Postgres);
}

#[test]
fn alter_collation_mariadb() {
    alter_collation(Engine::Mariadb);
}

/// SPEC 9: `alter_column` changes a generated column's expression (the
/// `alter_generated` fixture): upgraded, downgraded by the derived
/// downgrade, upgraded again; the computed values, catalog and rows read
/// back. PostgreSQL drops and adds the column, which moves it last: the
/// catalogs are compared with their columns in name order.
fn alter_generated(engine: Engine) {
    if !require(engine) {
        return;
    }
    let dir = root().join("tests/fixtures/alter_generated");
    let d = dialect_arg(engine);
    let db = TestDb::new(engine, "alter_generated").expect("fresh database");
    let catalog = |db: &TestDb| {
        let mut c = db.catalog().expect("catalog");
        for t in c.tables.values_mut() {
            t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        c
    };
    let totals = |db: &TestDb| -> Vec<String> {
        db.query_rows("SELECT id, qty, total, note FROM orders ORDER BY id")
            .expect("rows")
            .into_iter()
            .map(|r| {
                let total: f64 = r[2].as_deref().unwrap_or("nan").parse().unwrap_or(f64::NAN);
                format!(
                    "{} {} {total} {}",
                    r[0].as_deref().unwrap_or(""),
                    r[1].as_deref().unwrap_or(""),
                    r[3].as_deref().unwrap_or("")
                )
            })
            .collect()
    };
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "base:g001"]))
        .unwrap_or_else(|e| panic!("{engine}: g001: {e}"));
    let before = (catalog(&db), totals(&db));
    assert_eq!(before.1, vec!["1 2 3 a", "2 3 30 b"], "{engine}: the first expression");
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "g001:g002"]))
        .unwrap_or_else(|e| panic!("{engine}: upgrade: {e}"));
    let after = (catalog(&db), totals(&db));
    assert_eq!(after.1, vec!["1 2 4 a", "2 3 31 b"], "{engine}: the new expression");
    db.apply("INSERT INTO orders (id, qty, price) VALUES (3, 1, 1);").expect("insert");
    db.apply("DELETE FROM orders WHERE id = 3;").expect("delete");
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "g002:g001"]))
        .unwrap_or_else(|e| panic!("{engine}: derived downgrade: {e}"));
    assert_eq!((catalog(&db), totals(&db)), before, "{engine}: the derived downgrade");
    db.apply(&sql(&dir, &["--dialect", d, "upgrade", "g001:g002"]))
        .unwrap_or_else(|e| panic!("{engine}: upgrade again: {e}"));
    assert_eq!((catalog(&db), totals(&db)), after, "{engine}: upgraded again");
    db.apply(&sql(&dir, &["--dialect", d, "downgrade", "head:base"]))
        .unwrap_or_else(|e| panic!("{engine}: to base: {e}"));
    db.is_empty().unwrap_or_else(|e| panic!("{engine}: downgrade to base left {e}"));
}

#[test]
fn alter_generated_sqlite() {
    alter_generated(Engine::Sqlite);
}

#[test]
fn alter_generated_postgresql() {
    alter_generated(Engine::Postgres);
}

#[test]
fn alter_generated_mariadb() {
    alter_generated(Engine::Mariadb);
}
