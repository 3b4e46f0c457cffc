//! Whole scripts and rendered diagnostics as insta snapshots under
//! `snapshots/`, one per project, command and dialect key
//! (`PROJECT__COMMAND__KEY.snap`). Every emitted statement is also parsed
//! back with sqlparser in its dialect.

#[macro_use]
mod common;
use common::*;

/// The commands every project is compiled with; the first word names the snapshot.
const COMMANDS: [&[&str]; 3] = [&["upgrade", "base:head"], &["downgrade", "head:base"], &["create_schema"]];

#[test]
fn scripts_for_every_project_and_dialect() {
    for (name, dir) in projects() {
        for d in DIALECTS {
            for args in COMMANDS {
                check!(format!("{name}__{}__{d}", args[0]), &dir, &[&["--dialect", d][..], args].concat());
            }
        }
    }
}

#[test]
fn every_statement_parses_back() {
    for (name, dir) in projects() {
        for d in DIALECTS {
            let dialect = schemac::dialect::Dialect::load(schemac::dialect::DialectId::parse(d).unwrap(), None).unwrap();
            for args in COMMANDS {
                let script = sql(&dir, &[&["--dialect", d][..], args].concat());
                let bad = schemac::render::verify::verify(&dialect, &script);
                // Raw SQL the user wrote (execute) may use syntax sqlparser lacks; everything else must parse.
                let bad: Vec<_> = bad
                    .into_iter()
                    .filter(|(s, _)| !s.contains("CREATE FUNCTION") && !s.contains("CREATE TRIGGER"))
                    .collect();
                assert!(bad.is_empty(), "{name} {d} {args:?}: sqlparser rejects {bad:#?}");
                assert!(schemac::render::verify::statements(&script).len() > 2, "{name} {d}: too few statements");
            }
        }
    }
}

#[test]
fn output_is_deterministic() {
    for (name, dir) in projects() {
        let a = sql(&dir, &["--dialect", "postgresql", "upgrade", "base:head"]);
        let b = sql(&dir, &["--dialect", "postgresql", "upgrade", "base:head"]);
        assert_eq!(a, b, "{name}: two runs differ");
    }
}

#[test]
fn diagnostics_are_rendered_with_places() {
    let dir = root().join("tests/fixtures/errors");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let dialect = if name == "string_no_length" { "mysql" } else { "sqlite" };
        let out = schemac(&p, &["--dialect", dialect, "upgrade", "base:head"]);
        assert_eq!(out.status.code(), Some(1), "{name}: exit code");
        assert!(out.stdout.is_empty(), "{name}: stdout must be empty");
        let stderr = String::from_utf8(out.stderr).unwrap();
        snap!(format!("diagnostics__{name}"), &stderr);
        let short = schemac(&p, &["--dialect", dialect, "--message-format", "short", "upgrade", "base:head"]);
        snap!(format!("diagnostics_short__{name}"), &String::from_utf8(short.stderr).unwrap());
    }
}

/// SPEC 9, schemas and sequences (`tests/fixtures/schemas_sequences`):
/// the scripts where the dialect has them (PostgreSQL, MariaDB), the
/// refusals at the operation where it does not (SQLite, MySQL 8.4, which
/// has schemas as databases but no sequences).
#[test]
fn schemas_and_sequences_per_dialect() {
    let dir = root().join("tests/fixtures/schemas_sequences");
    for d in DIALECTS {
        let dialect = schemac::dialect::Dialect::load(schemac::dialect::DialectId::parse(d).unwrap(), None).unwrap();
        for args in COMMANDS {
            let out = schemac(&dir, &[&["--dialect", d][..], args].concat());
            let name = format!("schemas_sequences__{}__{d}", args[0]);
            if out.status.success() {
                let script = String::from_utf8(out.stdout).expect("utf-8");
                let bad = schemac::render::verify::verify(&dialect, &script);
                assert!(bad.is_empty(), "{d} {args:?}: sqlparser rejects {bad:#?}");
                snap!(name, &script);
            } else {
                assert!(out.stdout.is_empty(), "{d} {args:?}: a refusal writes nothing");
                let text = format!("exit: {:?}\n--- stderr\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
                snap!(name, &text);
            }
        }
    }
}

/// SPEC 9, a column's collation changed by `alter_column`
/// (`tests/fixtures/alter_collation`): PostgreSQL `TYPE ... COLLATE`,
/// MySQL/MariaDB `MODIFY`, SQLite the rebuild; each way and its derived downgrade.
#[test]
fn alter_collation_per_dialect() {
    let dir = root().join("tests/fixtures/alter_collation");
    for d in DIALECTS {
        let dialect = schemac::dialect::Dialect::load(schemac::dialect::DialectId::parse(d).unwrap(), None).unwrap();
        for args in [&["upgrade", "c001:c002"][..], &["downgrade", "c002:c001"][..]] {
            let out = schemac(&dir, &[&["--dialect", d][..], args].concat());
            assert!(out.status.success(), "{d} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            let script = String::from_utf8(out.stdout).expect("utf-8");
            let bad = schemac::render::verify::verify(&dialect, &script);
            assert!(bad.is_empty(), "{d} {args:?}: sqlparser rejects {bad:#?}");
            snap!(format!("alter_collation__{}__{d}", args[0]), &script);
        }
    }
}

/// SPEC 9, a generated column's expression changed by `alter_column`
/// (`tests/fixtures/alter_generated`): PostgreSQL 15 drops and adds the
/// column (no SET EXPRESSION before 17), MySQL/MariaDB `MODIFY`, SQLite the
/// rebuild; each way and its derived downgrade.
#[test]
fn alter_generated_per_dialect() {
    let dir = root().join("tests/fixtures/alter_generated");
    for d in DIALECTS {
        let dialect = schemac::dialect::Dialect::load(schemac::dialect::DialectId::parse(d).unwrap(), None).unwrap();
        for args in [&["upgrade", "g001:g002"][..], &["downgrade", "g002:g001"][..]] {
            let out = schemac(&dir, &[&["--dialect", d][..], args].concat());
            assert!(out.status.success(), "{d} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            let script = String::from_utf8(out.stdout).expect("utf-8");
            let bad = schemac::render::verify::verify(&dialect, &script);
            assert!(bad.is_empty(), "{d} {args:?}: sqlparser rejects {bad:#?}");
            snap!(format!("alter_generated__{}__{d}", args[0]), &script);
        }
    }
}
