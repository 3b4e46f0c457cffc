//! The command line as a user meets it: exit codes, stdout, files written.

mod common;
use common::*;

#[test]
fn bad_command_lines_exit_2() {
    for args in [
        &["upgrade", "--no-such-option"][..],
        &["no-such-command"],
        &["--dialect", "oracle", "upgrade"],
        &["--dialect", "mysql@4.0", "upgrade"],
    ] {
        let out = schemac(&root(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn output_file_is_written_only_on_success() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out.sql");
    let ok = schemac(&root(), &["upgrade", "base:head", "-o", target.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(ok.stdout.is_empty(), "stdout stays empty with -o");
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written, sql(&root(), &["upgrade", "base:head"]));

    std::fs::write(&target, "keep me").unwrap();
    let bad = root().join("tests/fixtures/errors/missing_table");
    let fail = schemac(&bad, &["upgrade", "base:head", "-o", target.to_str().unwrap()]);
    assert_eq!(fail.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[test]
fn heads_and_ranges_follow_branches() {
    let dir = root().join("tests/fixtures/projects/merge");
    let heads = sql(&dir, &["heads"]);
    assert!(heads.contains("e1f2a3b4c5d6") && !heads.contains("7e3f5a9c1d02"), "{heads}");
    // Upgrading one branch and then the rest brings the other branch along.
    let rest = sql(&dir, &["upgrade", "7e3f5a9c1d02:head"]);
    assert!(rest.contains("CREATE TABLE audit_log"), "{rest}");
    assert!(!rest.contains("CREATE TABLE invoices"), "{rest}");
    // Downgrading from the merge to one branch undoes the other and keeps one head.
    let down = sql(&dir, &["downgrade", "c5e4d3b2a190:7e3f5a9c1d02"]);
    assert!(down.contains("DROP TABLE audit_log"), "{down}");
    assert!(down.contains("DELETE FROM schemac_version WHERE version_num = '9d8c7b6a5f43'"), "{down}");
    let two = root().join("tests/fixtures/errors/two_heads");
    let out = schemac(&two, &["upgrade", "head"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("b2c3d4e5f6a7") && err.contains("f6e5d4c3b2a1"), "{err}");
}

#[test]
fn downgrade_needs_a_start() {
    let out = schemac(&root(), &["downgrade", "base"]);
    assert_eq!(out.status.code(), Some(1));
    let out = schemac(&root(), &["downgrade", "-1"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("Running downgrade"));
}

#[test]
fn mysql_57_renames_with_change() {
    let dir = root().join("tests/fixtures/projects/quoting");
    let old = sql(&dir, &["--dialect", "mysql@5.7", "upgrade", "base:head"]);
    assert!(
        !old.contains("RENAME COLUMN") && old.contains("CHANGE `full name` `display name` VARCHAR(100) NULL"),
        "{old}"
    );
    let new = sql(&dir, &["--dialect", "mysql@8.0", "upgrade", "base:head"]);
    assert!(new.contains("RENAME COLUMN `full name` TO `display name`"));
}
