//! The README's sample sessions, run as written. A block between
//! `<!-- readme-test: PROJECT -->` and `<!-- readme-test: end -->` holds
//! indented lines `$ COMMAND` (a heredoc `<<'EOF'` takes the lines up to
//! `EOF`), each followed by what it prints. Each block runs in a fresh
//! temporary folder, empty (`empty`) or holding a copy of the example
//! project (`example`: `revisions/`, `populate/`, `schema.toml`,
//! `schemac.toml`), every command through `bash -c` with this build's
//! `schemac` first on the PATH. A command's stdout must be the text shown
//! (where `<id>` stands for 12 hex digits, a random revision id) and its
//! stderr empty: the README shows everything a command prints, and
//! redirects stderr where it means to show or hide it. A block that runs
//! `sqlite3` is skipped when sqlite3 is missing, and fails instead in CI.
//!
//! `SCHEMAC_README=overwrite` writes what the commands printed into the
//! README instead of comparing (put the `<id>` placeholders back by hand).

mod common;
mod support;
use common::*;
use std::path::Path;

struct Step {
    command: String,
    /// The lines of the README's expected output: their index range.
    expected: std::ops::Range<usize>,
}

struct Block {
    project: String,
    steps: Vec<Step>,
}

const INDENT: &str = "    ";

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = vec![];
    let mut i = 0;
    while i < lines.len() {
        let Some(project) = lines[i].strip_prefix("<!-- readme-test: ").and_then(|l| l.strip_suffix(" -->")) else {
            i += 1;
            continue;
        };
        assert_ne!(project, "end", "README line {}: an end marker with no start", i + 1);
        let mut block = Block {
            project: project.to_string(),
            steps: vec![],
        };
        i += 1;
        while i < lines.len() && lines[i] != "<!-- readme-test: end -->" {
            let Some(command) = lines[i].strip_prefix(INDENT).and_then(|l| l.strip_prefix("$ ")) else {
                i += 1;
                continue;
            };
            let mut command = command.to_string();
            i += 1;
            if command.trim_end().ends_with("<<'EOF'") {
                while i < lines.len() && lines[i].trim() != "EOF" {
                    command += "\n";
                    command += lines[i].strip_prefix(INDENT).unwrap_or(lines[i].trim_start());
                    i += 1;
                }
                command += "\nEOF";
                i += 1;
            }
            let start = i;
            while i < lines.len() && !lines[i].starts_with(&format!("{INDENT}$ ")) && (lines[i].starts_with(INDENT) || lines[i].trim().is_empty()) {
                i += 1;
            }
            let mut end = i;
            while end > start && lines[end - 1].trim().is_empty() {
                end -= 1;
            }
            block.steps.push(Step { command, expected: start..end });
        }
        assert!(i < lines.len(), "README: block `{project}` has no end marker");
        out.push(block);
        i += 1;
    }
    out
}

/// Whether `actual` is `expected`, where `<id>` in `expected` stands for 12 hex digits.
fn matches(expected: &str, actual: &str) -> bool {
    match expected.split_once("<id>") {
        None => expected == actual,
        Some((before, after)) => {
            let Some(rest) = actual.strip_prefix(before) else { return false };
            rest.len() >= 12 && rest.as_bytes()[..12].iter().all(|b| b.is_ascii_hexdigit()) && matches(after, &rest[12..])
        }
    }
}

fn copy_example(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                copy(&e.path(), &to.join(e.file_name()));
            }
        } else {
            std::fs::copy(from, to).unwrap();
        }
    }
    for name in ["revisions", "populate", "schema.toml", "schemac.toml"] {
        copy(&root().join(name), &to.join(name));
    }
}

#[test]
fn readme_sessions_print_what_the_readme_shows() {
    let path = root().join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let blocks = blocks(&lines);
    assert!(blocks.len() >= 2, "the README has its sessions");
    let overwrite = std::env::var("SCHEMAC_README").is_ok_and(|v| v == "overwrite");
    let bin = Path::new(env!("CARGO_BIN_EXE_schemac")).parent().unwrap().to_path_buf();
    let path_var = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut replaced: Vec<(std::ops::Range<usize>, String)> = vec![];
    let mut failures = vec![];
    for block in &blocks {
        if block.steps.iter().any(|s| s.command.contains("sqlite3")) && !support::engines::require(support::engines::Engine::Sqlite) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        match block.project.as_str() {
            "empty" => {}
            "example" => copy_example(dir.path()),
            other => panic!("README: unknown project `{other}` (empty or example)"),
        }
        for step in &block.steps {
            let out = std::process::Command::new("bash")
                .args(["-c", &step.command])
                .current_dir(dir.path())
                .env("PATH", &path_var)
                .env_remove("SCHEMAC_CONFIG")
                .output()
                .expect("bash runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let actual = stdout.trim_end();
            let expected: Vec<String> = lines[step.expected.clone()]
                .iter()
                .map(|l| l.strip_prefix(INDENT).unwrap_or("").to_string())
                .collect();
            let expected = expected.join("\n");
            let actual_lines: Vec<&str> = actual.lines().map(str::trim_end).collect();
            let actual = actual_lines.join("\n");
            if !out.stderr.is_empty() {
                failures.push(format!(
                    "`{}` printed on stderr (the README must show or redirect it):\n{}",
                    step.command,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            if overwrite && !matches(&expected, &actual) {
                // What still matches (`<id>` for a random id) stays as written.
                let shown: String = actual_lines
                    .iter()
                    .map(|l| if l.is_empty() { "\n".to_string() } else { format!("{INDENT}{l}\n") })
                    .collect();
                replaced.push((step.expected.clone(), shown));
            } else if !matches(&expected, &actual) {
                failures.push(format!("`{}` printed:\n{actual}\n--- the README shows:\n{expected}", step.command));
            }
        }
    }
    if overwrite {
        let mut out: Vec<String> = vec![];
        let mut i = 0;
        for (range, shown) in replaced {
            out.extend(lines[i..range.start].iter().map(|l| format!("{l}\n")));
            out.push(shown);
            i = range.end;
        }
        out.extend(lines[i..].iter().map(|l| format!("{l}\n")));
        std::fs::write(&path, out.concat()).unwrap();
    }
    assert!(failures.is_empty(), "README sessions differ:\n\n{}", failures.join("\n\n"));
}

#[test]
fn placeholders_match_ids_only() {
    assert!(matches("revisions/<id>_x.toml", "revisions/0123456789ab_x.toml"));
    assert!(!matches("revisions/<id>_x.toml", "revisions/0123456789_x.toml"));
    assert!(!matches("revisions/<id>_x.toml", "revisions/0123456789ab_y.toml"));
    assert!(matches("a", "a"));
}
