//! Shared helpers for the integration tests: run the real binary in a folder.
#![allow(dead_code)]

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

pub const DIALECTS: [&str; 3] = ["sqlite", "postgresql", "mysql"];
