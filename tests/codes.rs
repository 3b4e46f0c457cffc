//! The registry of diagnostic codes (`src/base/codes.rs`) against the fixtures
//! and the source. Every registered code has a folder
//! `tests/fixtures/codes/<CODE>/`: a small project and an `args` file (one
//! line, the command line split at spaces) that, run through the real binary
//! in a copy of the folder, produces that code; what it prints is the insta
//! snapshot `snapshots/codes__<CODE>.snap`. Codes no input can produce are
//! in `EXEMPT`, each with its reason. The source may spell a code only in
//! the registry, and every registered code is used.

mod common;
use common::*;
use schemac::base::codes::{self, Code};
use std::path::{Path, PathBuf};

/// Codes that no fixture can produce, and why. Keep this list short: a code
/// that user input can reach belongs in a fixture.
const EXEMPT: &[(&str, &str)] = &[
    // A bug in schemac by definition: a template that fails to render, a
    // loading or rendering thread that panics, a generated revision that
    // does not decode. Input that produces it is a bug to fix, not a fixture.
    ("E0901", "internal errors: reaching one is a bug in schemac"),
    // A derived delete only appears in a derived downgrade (the inverse of a
    // bulk_insert), and a derived downgrade is never inverted again; no
    // revision file can write a delete.
    ("E0403", "a derived delete is never asked for its own inverse"),
];

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/codes")
}

fn snap(name: &str, value: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name.to_string(), value);
    });
}

/// Copies a fixture folder (files, folders and symbolic links as they are).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if t.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Runs a code's fixture in a copy of its folder (so that a command which
/// writes files leaves the repository alone) and returns what it printed.
fn run_fixture(code: Code) -> String {
    let dir = fixtures().join(code.id());
    let args = std::fs::read_to_string(dir.join("args")).unwrap_or_else(|_| panic!("{code}: no {}/args", dir.display()));
    let args: Vec<&str> = args.split_whitespace().collect();
    let work = tempfile::tempdir().unwrap();
    copy_tree(&dir, work.path());
    std::fs::remove_file(work.path().join("args")).unwrap();
    let out = schemac(work.path(), &args);
    let mut shown = format!("$ schemac {}\nexit: {}\n", args.join(" "), out.status.code().unwrap_or(-1));
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if !bytes.is_empty() {
            shown += &format!("--- {name}\n{}", String::from_utf8_lossy(bytes));
        }
    }
    hide_temporary_names(&shown, work.path())
}

/// The copy's folder and the random names of temporary files (which an I/O
/// error quotes) as fixed words, so that a snapshot is the same on every run.
fn hide_temporary_names(text: &str, work: &Path) -> String {
    let text = text.replace(&work.display().to_string(), "[fixture]");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(".tmp") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let n = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if n == 6 {
            out.push_str("[random]");
            rest = &rest[n..];
        }
    }
    out + rest
}

#[test]
fn every_code_has_a_fixture_that_produces_it() {
    let mut missing = vec![];
    for &code in codes::ALL {
        let dir = fixtures().join(code.id());
        if let Some((_, why)) = EXEMPT.iter().find(|(id, _)| *id == code.id()) {
            assert!(!dir.exists(), "{code} is exempt ({why}) but has a fixture: drop one or the other");
            continue;
        }
        if !dir.is_dir() {
            missing.push(code.id());
            continue;
        }
        let shown = run_fixture(code);
        let level = if code.is_warning() { "warning" } else { "error" };
        // A diagnostic, or a warning the plan attached to a step (`show --format json`).
        let produced = shown.contains(&format!("{level}[{}]", code.id())) || shown.contains(&format!("\"code\": \"{}\"", code.id()));
        assert!(produced, "{code}: the fixture does not produce it:\n{shown}");
        snap(&format!("codes__{}", code.id()), &shown);
    }
    assert!(missing.is_empty(), "codes without a fixture under tests/fixtures/codes/: {missing:?}");
}

#[test]
fn every_fixture_and_exemption_names_a_registered_code() {
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(codes::ALL.iter().any(|c| c.id() == name), "tests/fixtures/codes/{name} is no registered code");
    }
    for (id, _) in EXEMPT {
        assert!(codes::ALL.iter().any(|c| c.id() == *id), "exempt {id} is no registered code");
    }
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The code-like words of a text: `E` or `W` and four digits, standing alone.
fn code_words(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let word = |i: usize| i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_');
    (0..b.len().saturating_sub(4))
        .filter(|&i| (b[i] == b'E' || b[i] == b'W') && b[i + 1..i + 5].iter().all(u8::is_ascii_digit))
        .filter(|&i| (i == 0 || !word(i - 1)) && !word(i + 5))
        .map(|i| &text[i..i + 5])
        .collect()
}

#[test]
fn the_source_spells_codes_only_in_the_registry_and_uses_them_all() {
    let mut files = vec![];
    sources(&root().join("src"), &mut files);
    let registry = root().join("src/base/codes.rs");
    let mut stray = vec![];
    for (path, text) in &files {
        if *path == registry {
            continue;
        }
        for w in code_words(text) {
            stray.push(format!("{}: {w}", path.strip_prefix(root()).unwrap().display()));
        }
    }
    assert!(stray.is_empty(), "codes spelled outside src/base/codes.rs (use the constant): {stray:#?}");
    let unused: Vec<&str> = codes::ALL
        .iter()
        .filter(|c| {
            let used = format!("codes::{}", c.ident());
            !files.iter().any(|(p, text)| *p != registry && text.contains(&used))
        })
        .map(|c| c.id())
        .collect();
    assert!(unused.is_empty(), "registered codes that nothing in src/ emits: {unused:?}");
}

#[test]
fn explain_prints_a_code_and_refuses_an_unknown_one() {
    let out = schemac(&root(), &["explain", "e0102"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("E0102 unknown-key: {}\n", codes::UNKNOWN_KEY.explain())
    );
    let out = schemac(&root(), &["explain", "unknown-key"]);
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("E0102 unknown-key: "));
    let all = schemac(&root(), &["explain"]);
    assert_eq!(String::from_utf8(all.stdout).unwrap().lines().count(), codes::ALL.len());
    let bad = schemac(&root(), &["explain", "unknown-kye"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(
        stderr.contains("error[E0602]") && stderr.contains("did you mean `E0102` (unknown-key)?"),
        "{stderr}"
    );
}
