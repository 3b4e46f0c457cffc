//! Shared helpers for the integration tests: run the real binary in a folder,
//! and compare whole outputs with the reviewed snapshots under `snapshots/`.
#![allow(dead_code, unused_macros)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `schemac ARGS` with `dir` as the current folder.
pub fn schemac(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("schemac runs")
}

/// Runs schemac and returns stdout, failing the test on a non-zero exit.
pub fn sql(dir: &Path, args: &[&str]) -> String {
    let out = schemac(dir, args);
    assert!(
        out.status.success(),
        "schemac {args:?} in {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Writes a project of revision files into a temporary folder.
pub fn project_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    for (name, text) in files {
        std::fs::write(revs.join(name), text).unwrap();
    }
    tmp
}

/// The example project and the fixture projects: (name, folder holding `revisions/`).
pub fn projects() -> Vec<(String, PathBuf)> {
    let mut out = vec![("example".to_string(), root())];
    let dir = root().join("tests/fixtures/projects");
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("fixtures").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    for p in names {
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), p));
    }
    out
}

/// The dialect keys every project is compiled for, at their default versions
/// (SQLite 3.45, PostgreSQL 15, MySQL 8.4, MariaDB 10.11). A script snapshot
/// is named after the key it was compiled with: `__mysql` holds MySQL output,
/// `__mariadb` MariaDB output.
pub const DIALECTS: [&str; 4] = ["sqlite", "postgresql", "mysql", "mariadb"];

/// Asserts that `value` (a `&str`) is the reviewed `snapshots/NAME.snap`.
/// A macro rather than a function so that insta records the calling test
/// file as the snapshot's `source`. With `CI` set, insta writes nothing and a
/// missing or different snapshot fails the test.
macro_rules! snap {
    ($name:expr, $value:expr) => {{
        let name: String = $name.into();
        let value: &str = $value;
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, value);
        });
    }};
}

/// Runs `schemac ARGS` in `dir`, which must succeed, and asserts that its
/// whole stdout is the reviewed `snapshots/NAME.snap`; returns the output.
/// The one way tests look at emitted SQL: whole scripts, never fragments.
macro_rules! check {
    ($name:expr, $dir:expr, $args:expr) => {{
        let out = sql($dir, $args);
        snap!($name, &out);
        out
    }};
}
