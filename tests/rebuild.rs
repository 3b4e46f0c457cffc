//! The SQLite table rebuild on real data: rows of every neutral type (NULLs,
//! unicode, a 1 MB blob) are byte-identical after every kind of rebuild and
//! after the derived downgrades back; children under ON DELETE CASCADE and
//! SET NULL are untouched; the trigger still fires and the view still selects.

#[macro_use]
mod common;
mod support;
use common::*;
use support::engines::{require, Engine, Row, TestDb};

const COLUMNS: &[&str] = &[
    "id", "b", "si", "i", "bi", "f", "d", "s", "c", "t", "bin", "dt", "tm", "ts", "tz", "j", "jb", "e",
];

const SEED: &str = "
INSERT INTO tags (name, weight) VALUES ('alpha', 1), ('beta', NULL);
INSERT INTO things (id, b, si, i, bi, f, d, s, c, t, bin, dt, tm, ts, tz, j, jb, u, e, kind, note) VALUES
  (1, 1, -32768, 2147483647, 9223372036854775807, 3.141592653589793, 12345678.1234, 'plain', 'abc', 'text', X'00FF10', '2024-02-29', '23:59:59', '2024-02-29 12:00:00', '2024-02-29 12:00:00+02:00', '{\"a\": [1, 2]}', '{\"b\": null}', '8c1f3b4e-0000-4000-8000-000000000001', 'red', 'alpha', 'first'),
  (2, 0, 0, 0, 0, 0.0, 0, 'naïve café 日本語 🚀', 'é日x', 'line one
line two ''quoted'' \\ backslash', randomblob(1000000), NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'green', 'beta', NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 1, 7, -1, -9223372036854775808, -1e-300, -0.0001, '', '', '', X'', '1970-01-01', '00:00:00', '1970-01-01 00:00:00', '1970-01-01 00:00:00Z', '[]', '{}', '8c1f3b4e-0000-4000-8000-000000000004', 'red', NULL, '');
INSERT INTO child_cascade (id, thing_id) VALUES (1, 1), (2, 2), (3, 2), (4, 4);
INSERT INTO child_set_null (id, thing_id) VALUES (1, 1), (2, 3), (3, NULL);
";

/// The revisions of the `rebuild` project; each after r01 alters a table in
/// a way SQLite's ALTER TABLE cannot, so each is a rebuild.
const REVISIONS: [&str; 11] = ["r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r09", "r10", "r11"];

/// The scripts of the steps the data test applies one at a time, as one
/// snapshot: each turns `PRAGMA foreign_keys=OFF`, copies the altered table
/// (`things`, or `tags` in r10) into a new one and checks the foreign keys, so
/// the data test exercises the rebuild at every step. Needs no engine.
#[test]
fn every_step_is_a_rebuild() {
    let dir = root().join("tests/fixtures/projects/rebuild");
    let steps: Vec<String> = REVISIONS
        .windows(2)
        .map(|pair| sql(&dir, &["upgrade", &format!("{}:{}", pair[0], pair[1])]))
        .collect();
    snap!("rebuild__upgrade_steps__sqlite", &steps.join("\n"));
}

/// Every value of every column as SQLite's own literal: types and bytes both count.
fn snapshot(db: &TestDb, columns: &[&str]) -> Vec<Row> {
    let cols: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
    db.query_rows(&format!("SELECT {} FROM things ORDER BY id", cols.join(", ")))
        .expect("things readable")
}

fn children(db: &TestDb) -> (Vec<Row>, Vec<Row>) {
    (
        db.query_rows("SELECT id, thing_id FROM child_cascade ORDER BY id").unwrap(),
        db.query_rows("SELECT id, quote(thing_id) FROM child_set_null ORDER BY id").unwrap(),
    )
}

#[test]
fn every_rebuild_keeps_every_byte() {
    if !require(Engine::Sqlite) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/rebuild");
    let db = TestDb::new(Engine::Sqlite, "rebuild_data").unwrap();
    db.apply(&sql(&dir, &["upgrade", "base:r01"])).unwrap();
    db.apply(SEED).unwrap();
    let before = snapshot(&db, COLUMNS);
    let kids = children(&db);
    assert_eq!(before[1][10].as_deref().map(str::len), Some(2_000_003), "the 1 MB blob is there");

    // Each step is a rebuild: see `every_step_is_a_rebuild` and its snapshot.
    for pair in REVISIONS.windows(2) {
        let script = sql(&dir, &["upgrade", &format!("{}:{}", pair[0], pair[1])]);
        db.apply(&script).unwrap_or_else(|e| panic!("upgrade to {}: {e}", pair[1]));
        // si changes type in r11: integer affinity keeps the same values.
        assert_eq!(snapshot(&db, COLUMNS), before, "rows changed by the rebuild of {}", pair[1]);
        assert_eq!(children(&db), kids, "children changed by the rebuild of {}", pair[1]);
    }
    // Backfill and rename did what they say.
    let remark = db.query_rows("SELECT quote(remark) FROM things ORDER BY id").unwrap();
    let q = |s: &str| Some(s.to_string());
    assert_eq!(remark, vec![vec![q("'first'")], vec![q("'none'")], vec![q("'none'")], vec![q("''")]]);
    // The trigger fires, the view selects, the cascade and set null still act.
    db.apply("UPDATE things SET s = 'changed' WHERE id = 1").unwrap();
    assert_eq!(db.query_rows("SELECT thing_id FROM audit").unwrap(), vec![vec![q("1")]]);
    assert_eq!(db.query_rows("SELECT s FROM thing_names WHERE id = 1").unwrap(), vec![vec![q("changed")]]);
    db.apply("DELETE FROM things WHERE id = 1").unwrap();
    assert_eq!(
        db.query_rows("SELECT count(*) FROM child_cascade WHERE thing_id = 1").unwrap(),
        vec![vec![q("0")]]
    );
    assert_eq!(
        db.query_rows("SELECT quote(thing_id) FROM child_set_null WHERE id = 1").unwrap(),
        vec![vec![q("NULL")]]
    );
}

#[test]
fn derived_downgrades_rebuild_back() {
    if !require(Engine::Sqlite) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/rebuild");
    let db = TestDb::new(Engine::Sqlite, "rebuild_down").unwrap();
    db.apply(&sql(&dir, &["upgrade", "base:r01"])).unwrap();
    db.apply(SEED).unwrap();
    let before = snapshot(&db, COLUMNS);
    let kids = children(&db);
    db.apply(&sql(&dir, &["upgrade", "r01:head"])).unwrap();
    db.apply(&sql(&dir, &["downgrade", "head:r01"])).unwrap();
    assert_eq!(snapshot(&db, COLUMNS), before);
    assert_eq!(children(&db), kids);
    // `u` was dropped in r08: it comes back, empty, with its unique constraint.
    assert_eq!(
        db.query_rows("SELECT count(*) FROM things WHERE u IS NOT NULL").unwrap(),
        vec![vec![Some("0".to_string())]]
    );
    let sql_text = db.query_rows("SELECT sql FROM sqlite_master WHERE name = 'things'").unwrap();
    assert!(sql_text[0][0].as_deref().unwrap_or("").contains("uq_things_u"), "{sql_text:?}");
}

/// A foreign key violated after a rebuild fails the script instead of only
/// printing, after a line that names the table and counts its rows.
#[test]
fn a_violated_foreign_key_fails_the_script() {
    if !require(Engine::Sqlite) {
        return;
    }
    let dir = root().join("tests/fixtures/projects/rebuild");
    let db = TestDb::new(Engine::Sqlite, "rebuild_fk").unwrap();
    db.apply(&sql(&dir, &["upgrade", "base:r10"])).unwrap();
    db.apply("INSERT INTO things (id, kind, note) VALUES (1, 'no-such-tag', 'x')").unwrap();
    let err = db
        .apply(&sql(&dir, &["upgrade", "r10:r11"]))
        .expect_err("r11 adds a foreign key that row 1 violates");
    assert!(err.contains("foreign_key_violation_after_rebuild"), "{err}");
    assert!(err.contains("foreign key violation: things has 1 row(s) with no match in tags"), "{err}");
    // The failed revision left the table as it was.
    assert_eq!(db.query_rows("SELECT kind FROM things").unwrap(), vec![vec![Some("no-such-tag".to_string())]]);
}

/// A project in a temporary folder: `projects` with a view on it, then a
/// revision that drops `description`.
fn drop_column_project(view_sql: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let revs = dir.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("r01_create.toml"),
        format!(
            r#"revision = "r01"
message = "projects and a view"

[[upgrade]]
op = "create_table"
table = "projects"
columns = [
  {{ name = "id", type = "integer", primary_key = true }},
  {{ name = "name", type = "string(50)" }},
  {{ name = "description", type = "text" }},
]

[[upgrade]]
op = "create_view"
name = "project_names"
sql = {{ default = "{view_sql}" }}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        revs.join("r02_drop.toml"),
        r#"revision = "r02"
down_revision = "r01"
message = "drop description"

[[upgrade]]
op = "drop_column"
table = "projects"
column = "description"
"#,
    )
    .unwrap();
    dir
}

/// SQLite 3.35+ drops a column in place when no view or trigger names it
/// (a view on other columns of the table is no obstacle), and the view
/// still reads; a view that names it refuses the drop (SPEC 10.2, E0305).
#[test]
fn drop_column_is_native_unless_a_view_names_the_column() {
    let other = drop_column_project("SELECT id, name FROM projects");
    let script = sql(other.path(), &["upgrade", "r01:r02"]);
    assert!(script.contains("ALTER TABLE projects DROP COLUMN description;"), "{script}");
    assert!(!script.contains("_schemac_new_projects"), "{script}");
    let named = drop_column_project("SELECT id, description FROM projects");
    let refused = schemac(named.path(), &["upgrade", "r01:r02", "--sql"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("E0305") && stderr.contains("project_names"), "{stderr}");
    if !require(Engine::Sqlite) {
        return;
    }
    let db = TestDb::new(Engine::Sqlite, "drop_column_native").unwrap();
    db.apply(&sql(other.path(), &["upgrade", "base:r01"])).unwrap();
    db.apply("INSERT INTO projects (id, name, description) VALUES (1, 'a', 'x')").unwrap();
    db.apply(&script).unwrap();
    let rows = db.query_rows("SELECT id, name FROM project_names").unwrap();
    assert_eq!(rows, vec![vec![Some("1".to_string()), Some("a".to_string())]]);
    let columns = db.query_rows("SELECT name FROM pragma_table_info('projects') ORDER BY cid").unwrap();
    assert_eq!(columns, vec![vec![Some("id".to_string())], vec![Some("name".to_string())]]);
}
