//! SPEC 13, scale and resources, through the real binary: only regular
//! files of at most 64 MiB are read, `-o FILE` keeps a file's mode and an
//! interrupt leaves no file, `revision` never races with itself, revision
//! text reaches the terminal and TOML comments escaped, passwords are not
//! echoed, long listings are capped. How the time grows with the input is
//! measured by `bench/scale`, not asserted here.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("revisions")).unwrap();
    tmp
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join("revisions").join(name), text).unwrap();
}

/// A chain of `n` revisions, each creating a table (so each derived downgrade drops one).
fn chain(dir: &Path, n: usize) {
    for i in 0..n {
        let down = if i > 0 { format!("down_revision = \"r{}\"\n", i - 1) } else { String::new() };
        write(
            dir,
            &format!("r{i}.toml"),
            &format!(
                "revision = \"r{i}\"\n{down}message = \"table {i}\"\n\n[[upgrade]]\nop = \"create_table\"\ntable = \"t{i}\"\ncolumns = [{{ name = \"id\", type = \"integer\", primary_key = true }}]\n"
            ),
        );
    }
}

/// Runs schemac in `dir`, killed after `limit` (a run that reads
/// `/dev/zero` must fail the test, not hang it).
fn run_limited(dir: &Path, args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("schemac {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn only_regular_files_of_at_most_64_mib_are_read() {
    let p = project();
    chain(p.path(), 1);
    let revs = p.path().join("revisions");
    std::os::unix::fs::symlink("/dev/zero", revs.join("zero.toml")).unwrap();
    std::fs::create_dir(revs.join("folder.toml")).unwrap();
    assert!(Command::new("mkfifo").arg(revs.join("fifo.toml")).status().unwrap().success());
    // Sparse: 64 MiB and one byte, of which nothing is on disk.
    std::fs::File::create(revs.join("big.toml")).unwrap().set_len((64 << 20) + 1).unwrap();
    let out = run_limited(p.path(), &["upgrade"], Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    for (file, why) in [
        ("zero.toml", "a character device"),
        ("folder.toml", "a folder"),
        ("fifo.toml", "a FIFO"),
        ("big.toml", "larger than 64 MiB"),
    ] {
        assert!(
            err.contains(&format!("error[E0003]: `revisions/{file}` was not read: it is")) && err.contains(why),
            "{file}: {err}"
        );
        assert!(err.contains(&format!("┌─ revisions/{file}:1:1")), "located at {file}: {err}");
    }
    assert!(err.contains("4 errors found"), "{err}");
    // A file of exactly 64 MiB is read (and is not TOML).
    std::fs::remove_file(revs.join("zero.toml")).unwrap();
    std::fs::remove_file(revs.join("fifo.toml")).unwrap();
    std::fs::remove_dir(revs.join("folder.toml")).unwrap();
    std::fs::File::create(revs.join("big.toml")).unwrap().set_len(64 << 20).unwrap();
    let out = run_limited(p.path(), &["upgrade"], Duration::from_secs(60));
    assert!(!stderr(&out).contains("E0003"), "{}", stderr(&out));
}

#[test]
fn many_diagnostics_in_one_file_point_at_their_lines() {
    let p = project();
    let mut text = String::from("revision = \"a0\"\n");
    for i in 0..400 {
        text += &format!("\n[[upgrade]]\nop = \"no_such_op_{i}\"\n");
    }
    write(p.path(), "a0.toml", &text);
    let out = schemac(p.path(), &["--message-format", "short", "upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("E0108")).collect();
    assert_eq!(lines.len(), 400, "{err}");
    // Entry i starts on line 3 + 3i; its `op` value is on the next line, column 6.
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with(&format!("revisions/a0.toml:{}:6: error[E0108]", 4 + 3 * i)), "{i}: {l}");
    }
    let json = schemac(p.path(), &["--message-format", "json", "upgrade"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(v[399]["labels"][0]["line"], 4 + 3 * 399);
    assert_eq!(v[399]["labels"][0]["column"], 6);
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Runs schemac under `umask 022` through the shell.
fn with_umask(dir: &Path, args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask 022 && exec '{}' {args}", env!("CARGO_BIN_EXE_schemac")))
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn output_keeps_an_existing_mode_and_a_new_file_gets_the_umasks() {
    let p = project();
    chain(p.path(), 2);
    for command in ["upgrade", "create_schema", "stamp head"] {
        let out = p.path().join("out.sql");
        let _ = std::fs::remove_file(&out);
        assert!(with_umask(p.path(), &format!("{command} -o out.sql")).status.success());
        assert_eq!(mode(&out), 0o644, "{command}: a new file");
        for m in [0o644, 0o640, 0o600] {
            std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(m)).unwrap();
            assert!(with_umask(p.path(), &format!("{command} -o out.sql")).status.success());
            assert_eq!(mode(&out), m, "{command}: an existing file of mode {m:o}");
        }
    }
    let out = with_umask(p.path(), "revision -m next --rev-id r9");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&p.path().join("revisions/r9_next.toml")), 0o644);
}

/// Files in a folder, but not those named in `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

#[test]
fn an_interrupt_leaves_no_file_behind() {
    let p = project();
    // Long enough to be caught while the script is being written.
    chain(p.path(), 6000);
    let tmpdir = tempfile::tempdir().unwrap();
    for (signal, args) in [("-INT", &["upgrade", "-o", "out.sql"][..]), ("-TERM", &["upgrade"][..])] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemac"))
            .args(args)
            .current_dir(p.path())
            .env("TMPDIR", tmpdir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary file (beside out.sql, or in TMPDIR for stdout).
        let start = Instant::now();
        let seen = loop {
            let here = others(p.path(), &["revisions"]);
            let there = others(tmpdir.path(), &[]);
            if !here.is_empty() || !there.is_empty() {
                break true;
            }
            if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(60) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        assert!(seen, "{args:?}: no temporary file was seen");
        assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
        let status = child.wait().unwrap();
        if status.success() {
            // Finished before the signal came: nothing to check this time.
            continue;
        }
        assert_eq!(status.code(), Some(130), "{args:?}");
        assert_eq!(others(p.path(), &["revisions"]), Vec::<String>::new(), "{args:?}: left beside -o");
        assert_eq!(others(tmpdir.path(), &[]), Vec::<String>::new(), "{args:?}: left in TMPDIR");
    }
}

#[test]
fn concurrent_revisions_with_one_id_write_one_file() {
    let p = project();
    chain(p.path(), 1);
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_schemac"))
                .args(["revision", "--rev-id", "x", "-m", &format!("message {i}")])
                .current_dir(p.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let ok = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(ok, 1, "exactly one run writes: {:?}", outs.iter().map(stderr).collect::<Vec<_>>());
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(o).contains("error[E0803]: revision `x` already exists"), "{}", stderr(o));
    }
    let with_x = others(&p.path().join("revisions"), &[]).into_iter().filter(|n| n.starts_with("x_")).count();
    assert_eq!(with_x, 1);
    assert!(schemac(p.path(), &["history"]).status.success());
}

#[test]
fn revision_text_reaches_the_terminal_and_toml_comments_escaped() {
    let p = project();
    chain(p.path(), 1);
    let out = schemac(p.path(), &["revision", "-m", "red \u{1b}[31malert\r\nsecond\u{7} line", "--rev-id", "e1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = String::from_utf8(out.stdout).unwrap();
    let text = std::fs::read_to_string(p.path().join(file.trim())).unwrap();
    assert!(text.starts_with("# red \\u{1b}[31malert\n# second\\u{7} line\n"), "{text}");
    for args in [&["history"][..], &["history", "-v"], &["show", "e1"], &["heads"], &["branches"]] {
        let out = schemac(p.path(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let shown = String::from_utf8(out.stdout).unwrap();
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{args:?}: {shown:?}");
    }
    let history = sql(p.path(), &["history"]);
    assert!(history.contains("e1 (head), red \\u{1b}[31malert\\u{d}\\u{a}second\\u{7} line"), "{history}");
    // A diagnostic quoting revision text, and the source line it shows.
    write(
        p.path(),
        "bad.toml",
        "revision = \"b1\"\ndown_revision = \"e1\"\n\n[[upgrade]]\nop = \"drop_table\"\ntable = \"gone\u{1b}]0;owned\u{7}\"\n",
    );
    let out = schemac(p.path(), &["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("gone\\u{1b}]0;owned\\u{7}"), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}

#[test]
fn a_connection_password_is_never_shown() {
    let p = project();
    chain(p.path(), 1);
    std::fs::write(p.path().join("schemac.toml"), "[database]\nconnection = \"oracle://scott:tiger@db/orcl\"\n").unwrap();
    std::fs::write(p.path().join("app.ini"), "[database]\nconnection = oracle://scott:tiger@db/orcl\n").unwrap();
    for args in [&["upgrade"][..], &["--config-file", "app.ini", "upgrade"]] {
        for format in ["human", "short", "json"] {
            let mut all = vec!["--message-format", format];
            all.extend_from_slice(args);
            let out = schemac(p.path(), &all);
            assert_eq!(out.status.code(), Some(1));
            let err = stderr(&out);
            assert!(err.contains("E0011") && err.contains("oracle://scott:***@db/orcl"), "{args:?} {format}: {err}");
            assert!(!err.contains("tiger"), "{args:?} {format}: {err}");
        }
    }
}

#[test]
fn long_listings_are_capped() {
    let p = project();
    chain(p.path(), 12);
    let report = sql(p.path(), &["check"]);
    let w0707: Vec<&str> = report.lines().filter(|l| l.starts_with("warning[W0707]")).collect();
    assert_eq!(
        w0707,
        ["warning[W0707]: the downgrades of r11, r10, r9, r8, r7 and 7 more lose data or narrow types (`-- WARNING:` in their scripts)"],
        "{report}"
    );
    // Twelve heads: `head` is ambiguous, and says so in one short line.
    for i in 0..12 {
        write(p.path(), &format!("s{i}.toml"), &format!("revision = \"s{i}\"\ndown_revision = \"r11\"\n"));
    }
    let out = schemac(p.path(), &["upgrade", "head"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there are 12 heads (s0, s1, s10, s11, s2 and 7 more)"),
        "{}",
        stderr(&out)
    );
}

/// `-o` to a FIFO (or a device such as `/dev/null`) writes through it: the
/// reader gets the script and the FIFO stays a FIFO (a rename would have
/// replaced it, and `-o /dev/null` would have turned /dev/null into a file).
#[test]
fn output_to_a_fifo_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("script.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = schemac(&root(), &["upgrade", "base:head", "--sql", "-o", fifo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = reader.join().unwrap();
    assert!(got.starts_with("-- Generated by schemac"), "{got}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file is left beside it: {left:?}");
}
