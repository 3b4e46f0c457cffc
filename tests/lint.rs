//! The lint of `check` (SPEC 11), beside the positive fixture each `S1xx`
//! code has under `tests/fixtures/codes/` (see `tests/codes.rs`): negative
//! fixtures under `tests/fixtures/lint/` where the same change takes no
//! heavy lock (a table created in the same revision, `concurrently`, a
//! VARCHAR widening, a default only, a dropped column no raw SQL names), and
//! the JSON form of the findings.

#[macro_use]
mod common;
use common::*;

/// What `check` printed, stdout and stderr, with its exit code.
fn check_output(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = schemac(dir, args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Each negative fixture, with the codes it must not produce (a SQLite
/// rebuild, say, is real for a VARCHAR widening, and reported).
const NEGATIVE: &[(&str, &[&str])] = &[
    ("index_new_table", &["S101"]),
    ("index_concurrently", &["S101"]),
    ("fk_new_table", &["S102", "S107", "S108"]),
    ("notnull_new_table", &["S103", "S108"]),
    ("retype_new_table", &["S104", "S107", "S108"]),
    ("varchar_widening", &["S104", "S107"]),
    ("default_only", &["S103", "S104", "S107"]),
    ("drop_unnamed_column", &["S105"]),
    ("backfill_new_table", &["S103", "S106"]),
    ("add_nullable_column", &["S101", "S102", "S103", "S104", "S105", "S106", "S107", "S108"]),
];

#[test]
fn no_finding_where_no_heavy_lock_is_taken() {
    let dir = root().join("tests/fixtures/lint");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut listed: Vec<String> = NEGATIVE.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed, "every fixture under tests/fixtures/lint/ is in NEGATIVE");
    for (name, codes) in NEGATIVE {
        let (code, stdout, stderr) = check_output(&dir.join(name), &["check"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        for c in *codes {
            assert!(!stderr.contains(&format!("warning[{c}]")), "{name} has a finding {c}:\n{stderr}");
        }
        snap!(format!("lint__{name}"), &format!("--- stdout\n{stdout}--- stderr\n{stderr}"));
    }
}

#[test]
fn findings_as_json_name_the_revision_code_and_place() {
    let dir = root().join("tests/fixtures/codes/S101");
    let (code, stdout, _) = check_output(&dir, &["check", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("check --format json prints JSON");
    let findings = v["findings"].as_array().expect("a findings array");
    assert_eq!(findings.len(), 1, "{stdout}");
    let f = &findings[0];
    assert_eq!(f["code"], "S101");
    assert_eq!(f["level"], "warning");
    assert!(f["message"].as_str().unwrap().starts_with("b1: index `ix_orders_code`"), "{f}");
    let label = &f["labels"][0];
    assert_eq!(label["file"], "revisions/b1_change.toml");
    assert_eq!((label["line"].as_u64(), label["column"].as_u64()), (Some(5), Some(1)));
    snap!("lint__S101_json", &stdout);
    // --deny-warnings turns the same findings into exit 1.
    let (code, _, stderr) = check_output(&dir, &["check", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0708]"), "{stderr}");
}
