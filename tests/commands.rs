//! The commands of issue 4 driven through the real binary: revision, merge,
//! autogenerate, the JSON listings, current, check_migration, populate and
//! completions. Every project that a command writes into is a copy in a
//! temporary folder.

#[macro_use]
mod common;
mod support;
use common::*;
use std::path::Path;

/// A copy of a project folder (its `revisions/` and anything beside it).
fn copy_project(from: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(from, tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            if e.file_name() == "target" || e.file_name() == ".git" {
                continue;
            }
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("revisions")).unwrap();
    copy_dir(&root().join("revisions"), &tmp.path().join("revisions"));
    tmp
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("revisions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn revision_writes_a_file_on_the_head() {
    let p = example();
    let out = sql(p.path(), &["revision", "-m", "Add e-mail to users", "--rev-id", "abc123def456"]);
    assert_eq!(out, "revisions/abc123def456_add_e_mail_to_users.toml\n");
    // The whole file: its id, `down_revision` = the head (c3a95d0e7f12), the
    // message, and a commented skeleton of operations.
    snap!("revision__abc123def456", &std::fs::read_to_string(p.path().join(out.trim())).unwrap());
    // The new revision is the head, and the history still compiles.
    assert_eq!(sql(p.path(), &["heads"]), "abc123def456 (head)\n");
    sql(p.path(), &["upgrade", "base:head"]);
    // A random id is 12 hex digits.
    let out = sql(p.path(), &["revision", "-m", "next"]);
    let name = out.trim().strip_prefix("revisions/").unwrap();
    assert!(
        name.len() == "123456789abc_next.toml".len() && name[..12].bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}"
    );
    // Its file (not snapshotted: the id is random) is read as TOML data.
    let text = std::fs::read_to_string(p.path().join(out.trim())).unwrap();
    let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(doc["revision"].as_str(), Some(&name[..12]));
    assert_eq!(doc["down_revision"].as_str(), Some("abc123def456"), "{text}");
}

#[test]
fn revision_rejects_bad_input_and_writes_nothing() {
    let p = example();
    let before = files(p.path());
    for (args, needle) in [
        (&["revision", "-m", "x", "--rev-id", "no-dashes"][..], "E0803"),
        (&["revision", "-m", "x", "--rev-id", "c3a95d0e7f12"], "already exists"),
        (&["revision", "-m", "x", "--head", "4c1e7a2b9d30"], "not a head"),
        (&["revision", "-m", "x", "--head", "nosuch"], "no revision matches"),
        (&["revision", "-m", "x", "--branch-label", "reporting"], "E0804"),
        (&["revision", "-m", "x", "--autogenerate"], "E0807"),
        (&["merge", "c3a95d0e7f12", "-m", "x"], "E0806"),
        (&["merge", "c3a95d0e7f12", "4c1e7a2b9d30", "-m", "x"], "ancestor"),
    ] {
        let out = schemac(p.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    for args in [&["revision"][..], &["revision", "-m"], &["merge", "-m", "x"], &["completions", "tcsh"]] {
        assert_eq!(schemac(p.path(), args).status.code(), Some(2), "{args:?}");
    }
    assert_eq!(files(p.path()), before, "nothing was written");
}

#[test]
fn several_heads_need_head_or_merge() {
    let p = copy_project(&root().join("tests/fixtures/errors/two_heads"));
    let out = schemac(p.path(), &["revision", "-m", "more"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("2 heads (b2c3d4e5f6a7, f6e5d4c3b2a1)") && err.contains("--head"), "{err}");

    // On the head given by a prefix: `down_revision = "f6e5d4c3b2a1"`.
    let on_one = sql(p.path(), &["revision", "-m", "on locale", "--head", "f6e5", "--rev-id", "c1"]);
    snap!("revision__c1_on_head_f6e5", &std::fs::read_to_string(p.path().join(on_one.trim())).unwrap());

    let labelled = sql(
        p.path(),
        &[
            "revision",
            "-m",
            "side branch",
            "--head",
            "a1b2c3d4e5f6",
            "--branch-label",
            "side",
            "--rev-id",
            "d1",
        ],
    );
    // A labelled branch from a revision that is not a head: `down_revision =
    // "a1b2c3d4e5f6"` and `branch_labels = ["side"]`.
    snap!(
        "revision__d1_branch_label_side",
        &std::fs::read_to_string(p.path().join(labelled.trim())).unwrap()
    );
    assert_eq!(sql(p.path(), &["heads"]), "b2c3d4e5f6a7 (head)\nd1 (side) (head)\nc1 (head)\n");

    let merged = sql(p.path(), &["merge", "heads", "-m", "join them all", "--rev-id", "m1"]);
    assert_eq!(merged, "revisions/m1_join_them_all.toml\n");
    // `down_revision = ["b2c3d4e5f6a7", "d1", "c1"]`: every head, in the order `heads` lists them.
    snap!("revision__m1_merge_heads", &std::fs::read_to_string(p.path().join(merged.trim())).unwrap());
    assert_eq!(sql(p.path(), &["heads"]), "m1 (head)\n");
    let check = schemac(p.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn autogenerate_writes_the_model_difference() {
    let p = example();
    let project = p.path();
    std::fs::write(project.join("schemac.toml"), "[migrations]\nmodel = \"schema.toml\"\n").unwrap();
    std::fs::write(
        project.join("schema.toml"),
        "[[table]]\ntable = \"x\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }]\n",
    )
    .unwrap();
    // Drift: check fails and lists the differences.
    let check = schemac(project, &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let err = stderr(&check);
    assert!(
        err.contains("E0703") && err.contains("table `x` is in the model, not at head") && err.contains("table `users` is at head"),
        "{err}"
    );
    // The head has views on tables the model drops: the generated revision is refused, not written.
    let before = files(project);
    let out = schemac(project, &["revision", "--autogenerate", "-m", "to x"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("E0810") && stderr(&out).contains("view"), "{}", stderr(&out));
    assert_eq!(files(project), before);

    // A model with an error points at it.
    std::fs::write(
        project.join("schema.toml"),
        "[[table]]\ntable = \"x\"\ncolumns = [{ name = \"id\", type = \"nope\" }]\n",
    )
    .unwrap();
    let out = schemac(project, &["--message-format", "short", "revision", "--autogenerate", "-m", "bad"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("schema.toml:3:"), "{}", stderr(&out));
}

#[test]
fn listings_as_text_and_json() {
    let dir = root().join("tests/fixtures/projects/merge");
    for cmd in [
        &["heads"][..],
        &["branches"],
        &["history"],
        &["history", "-v"],
        &["history", "-r", "7e3f5a9c1d02:"],
        &["show", "c5e4"],
    ] {
        let text = sql(&dir, cmd);
        let mut json_args = cmd.to_vec();
        json_args.extend(["--format", "json"]);
        let json = sql(&dir, &json_args);
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{cmd:?}: {e}\n{json}"));
        let name = cmd.join("_").replace([':', '-'], "");
        if cmd[0] != "show" {
            snap!(format!("listing__{name}"), &text);
        }
        snap!(format!("listing__{name}__json"), &serde_json::to_string_pretty(&parsed).unwrap());
    }
    let heads: serde_json::Value = serde_json::from_str(&sql(&dir, &["heads", "--format", "json"])).unwrap();
    assert_eq!(heads[0]["revision"], "e1f2a3b4c5d6");
    let show: serde_json::Value = serde_json::from_str(&sql(&dir, &["--dialect", "postgresql", "show", "c5e4", "--format", "json"])).unwrap();
    assert_eq!(show["dialect"], "postgresql");
    assert_eq!(show["down_revisions"], serde_json::json!(["7e3f5a9c1d02", "9d8c7b6a5f43"]));
    // The merge revision's script for PostgreSQL: it only moves the version
    // table (a DELETE of one parent's row, an UPDATE of the other's).
    snap!("listing__show_c5e4__postgresql__sql", show["sql"].as_str().unwrap());
    assert_eq!(schemac(&dir, &["heads", "--format", "yaml"]).status.code(), Some(2));
}

#[test]
fn current_is_the_query_per_dialect() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("revisions")).unwrap();
    std::fs::write(tmp.path().join("schemac.toml"), "[migrations]\nversion_table = \"Version Log\"\n").unwrap();
    let mut all = String::new();
    for d in ["sqlite", "postgresql", "mysql", "mariadb"] {
        for cmd in ["current", "version"] {
            let out = sql(tmp.path(), &["--dialect", d, cmd]);
            if cmd == "current" {
                all += &format!("{d}: {out}");
            } else {
                assert_eq!(out, sql(tmp.path(), &["--dialect", d, "current"]));
            }
        }
    }
    snap!("current__quoted_version_table", &all);
    assert_eq!(sql(&root(), &["current"]), "SELECT version_num FROM schemac_version;\n");
}

#[test]
fn check_passes_fast_on_the_example() {
    let start = std::time::Instant::now();
    let out = sql(&root(), &["check"]);
    let took = start.elapsed();
    assert!(out.starts_with("ok: 8 revisions, 1 head, "), "{out}");
    assert!(out.lines().count() < 10, "short output: {out}");
    // Under a second for the release build; the debug build used by tests gets some slack.
    assert!(took.as_secs_f64() < 3.0, "check took {took:?}");
    let alias = sql(&root(), &["check_migration"]);
    assert_eq!(alias, out);
}

#[test]
fn check_finds_branches_stray_bases_and_irreversible_revisions() {
    let two = root().join("tests/fixtures/errors/two_heads");
    let out = schemac(&two, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("branches found; merge them: heads b2c3d4e5f6a7, f6e5d4c3b2a1"));

    let p = copy_project(&two);
    std::fs::write(
        p.path().join("revisions/stray.toml"),
        "revision = \"0badbase0001\"\nmessage = \"stray\"\n\n[[upgrade]]\nop = \"create_table\"\ntable = \"s\"\ncolumns = [{ name = \"id\", type = \"integer\" }]\n",
    )
    .unwrap();
    // The root cause first: the revision that lacks its down_revision, then the branches it does not explain.
    let err = stderr(&schemac(p.path(), &["check"]));
    let stray = err.find("error[E0704]: revision `0badbase0001` has no down_revision").expect(&err);
    assert!(err.find("error[E0701]").is_some_and(|b| b > stray), "{err}");
    sql(p.path(), &["merge", "heads", "-m", "merge", "--rev-id", "m1"]);
    let out = schemac(p.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("error[E0704]: revision `0badbase0001` has no down_revision: it starts a second history beside the one that starts at `a1b2c3d4e5f6`"),
        "{}",
        stderr(&out)
    );

    let p = copy_project(&two);
    std::fs::remove_file(p.path().join("revisions").join(files(p.path()).iter().find(|f| f.starts_with("f6e5")).unwrap())).unwrap();
    std::fs::write(
        p.path().join("revisions/x.toml"),
        "revision = \"e1\"\ndown_revision = \"b2c3d4e5f6a7\"\nmessage = \"raw\"\n\n[[upgrade]]\nop = \"execute\"\nsql = \"UPDATE users SET nickname = email\"\n",
    )
    .unwrap();
    let out = schemac(p.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning[W0705]: irreversible: revision `e1` has an `execute`"), "{text}");
}

#[test]
fn populate_scripts_and_diagnostics() {
    let dir = root().join("tests/fixtures/populate/basic");
    for d in ["sqlite", "postgresql", "mysql", "mariadb"] {
        let script = sql(&dir, &["--dialect", d, "populate", "--sql"]);
        snap!(format!("populate__basic__{d}"), &script);
        let dialect = schemac::dialect::Dialect::load(schemac::dialect::DialectId::parse(d).unwrap(), None).unwrap();
        let bad = schemac::render::verify::verify(&dialect, &script);
        assert!(bad.is_empty(), "{d}: sqlparser rejects {bad:#?}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("data.sql");
    let out = schemac(&dir, &["populate", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), sql(&dir, &["populate"]));

    let bad = root().join("tests/fixtures/populate/errors");
    let out = schemac(&bad, &["--message-format", "short", "populate", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        sql(&dir, &["populate"]),
        "-o is untouched on failure"
    );
    snap!("populate__errors", &stderr(&out));

    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir(empty.path().join("revisions")).unwrap();
    let out = schemac(empty.path(), &["populate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E1001"));
}

#[test]
fn completions_for_three_shells() {
    let nowhere = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = sql(nowhere.path(), &["completions", shell]);
        assert!(out.contains("schemac") && out.contains("autogenerate") && out.contains("populate"), "{shell}");
    }
}

/// A revision file's text with its random id as `<id>`, for a snapshot.
fn hide_id(text: &str, id: &str) -> String {
    text.replace(id, "<id>")
}

/// The id in a printed path `revisions/<id>_<slug>.toml`.
fn id_of(path: &str) -> String {
    path.trim().trim_start_matches("revisions/").split('_').next().unwrap().to_string()
}

/// The commented example of a skeleton, uncommented: from `# [[upgrade]]`
/// to the line before `# Operations:`.
fn uncomment_example(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line == "# [[upgrade]]" {
            inside = true;
        }
        if line.starts_with("# Operations:") {
            inside = false;
        }
        let line = if inside {
            line.strip_prefix("# ").unwrap_or(line.trim_start_matches('#'))
        } else {
            line
        };
        out += line;
        out += "\n";
    }
    out
}

#[test]
fn init_creates_a_project_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let printed = sql(tmp.path(), &["init"]);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(&lines[..2], &["schemac.toml", "revisions/"]);
    assert!(lines[2].starts_with("revisions/") && lines[2].ends_with("_first_revision.toml"), "{printed}");
    let first = std::fs::read_to_string(tmp.path().join(lines[2])).unwrap();
    snap!("init__first_revision", &hide_id(&first, &id_of(lines[2])));
    snap!("init__schemac_toml", &std::fs::read_to_string(tmp.path().join("schemac.toml")).unwrap());
    // A fresh project compiles: the first revision creates only the version table.
    sql(tmp.path(), &["upgrade"]);
    sql(tmp.path(), &["check"]);

    // Again: refused, exit 1, nothing changed.
    let before = files(tmp.path());
    let out = schemac(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("error[E0811]: `schemac.toml` already exists") && err.contains("error[E0811]: `revisions` exists"),
        "{err}"
    );
    assert_eq!(files(tmp.path()), before);
    assert_eq!(std::fs::read_to_string(tmp.path().join(lines[2])).unwrap(), first);

    // In a folder made for it, with the dialect given; an empty revisions folder is fine.
    std::fs::create_dir_all(tmp.path().join("pg/revisions")).unwrap();
    let printed = sql(tmp.path(), &["--dialect", "postgresql", "init", "pg"]);
    assert!(printed.starts_with("pg/schemac.toml\npg/revisions/\npg/revisions/"), "{printed}");
    let config = std::fs::read_to_string(tmp.path().join("pg/schemac.toml")).unwrap();
    assert!(config.contains("dialect = \"postgresql\""), "{config}");
    let script = sql(&tmp.path().join("pg"), &["upgrade"]);
    assert!(script.contains("-- Dialect: postgresql"), "{script}");
}

#[test]
fn revision_creates_the_revisions_folder_and_fits_its_skeleton_to_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    // An invalid request writes nothing, not even the folder.
    let out = schemac(tmp.path(), &["revision", "-m", "first", "--rev-id", "bad id"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!tmp.path().join("revisions").exists());
    let path = sql(tmp.path(), &["revision", "-m", "first", "--rev-id", "r1"]);
    assert_eq!(path, "revisions/r1_first.toml\n");
    let text = std::fs::read_to_string(tmp.path().join(path.trim())).unwrap();
    assert!(!text.contains("down_revision") && text.contains("# op = \"create_table\""), "{text}");
    // Uncommented, the example creates `users`; the next skeleton builds on it.
    std::fs::write(tmp.path().join(path.trim()), uncomment_example(&text)).unwrap();
    let next = sql(tmp.path(), &["revision", "-m", "second", "--rev-id", "r2"]);
    let text = std::fs::read_to_string(tmp.path().join(next.trim())).unwrap();
    assert!(text.contains("# op = \"add_column\"\n# table = \"users\""), "{text}");
}

/// A newcomer's first session, from an empty folder to a database: init,
/// the first revision's example, a revision built on it, upgrade, sqlite3.
#[test]
fn a_newcomer_goes_from_an_empty_folder_to_a_database() {
    use support::engines::{require, Engine, TestDb};
    if !require(Engine::Sqlite) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let printed = sql(tmp.path(), &["init"]);
    let first = tmp.path().join(printed.lines().last().unwrap());
    std::fs::write(&first, uncomment_example(&std::fs::read_to_string(&first).unwrap())).unwrap();
    let second = sql(tmp.path(), &["revision", "-m", "a note on users"]);
    let second_id = id_of(&second);
    let second = tmp.path().join(second.trim());
    std::fs::write(&second, uncomment_example(&std::fs::read_to_string(&second).unwrap())).unwrap();
    sql(tmp.path(), &["check"]);

    let db = TestDb::new(Engine::Sqlite, "newcomer").unwrap();
    // No command means `upgrade` to head.
    db.apply(&sql(tmp.path(), &[])).unwrap();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        db.query_rows("SELECT name FROM pragma_table_info('users') ORDER BY cid").unwrap(),
        vec![vec![s("id")], vec![s("email")], vec![s("created_at")], vec![s("note")]]
    );
    assert_eq!(db.query_rows("SELECT version_num FROM schemac_version").unwrap(), vec![vec![s(&second_id)]]);
    db.apply("INSERT INTO users (email, note) VALUES ('a@example.com', 'first user')").unwrap();
}

#[test]
fn check_reports_a_mistake_once_and_names_the_dialects_it_concerns() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("revisions")).unwrap();
    std::fs::write(
        tmp.path().join("revisions/a.toml"),
        "revision = \"a1\"\nmessage = \"m\"\n\n[[upgrade]]\nop = \"add_column\"\ntable = \"nope\"\ncolumn = { name = \"x\", type = \"int\" }\n",
    )
    .unwrap();
    let out = schemac(tmp.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.matches("error[E0301]").count(), 1, "{err}");
    assert!(
        err.contains("error[E0301]: upgrade base:heads: table `nope` does not exist") && err.contains("1 error found"),
        "{err}"
    );

    // A mistake of two dialects only: named with them.
    std::fs::write(
        tmp.path().join("revisions/a.toml"),
        "revision = \"a1\"\nmessage = \"m\"\n\n[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"code\", type = \"string\" }]\n",
    )
    .unwrap();
    let err = stderr(&schemac(tmp.path(), &["--message-format", "short", "check"]));
    snap!("check__shared_and_partial_mistakes", &err);
}

#[test]
fn a_misspelt_type_gets_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("revisions")).unwrap();
    std::fs::write(
        tmp.path().join("revisions/a.toml"),
        "revision = \"a1\"\nmessage = \"m\"\n\n[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [{ name = \"code\", type = \"varchr(20)\" }]\n",
    )
    .unwrap();
    let err = stderr(&schemac(tmp.path(), &["upgrade"]));
    assert!(err.contains("help: did you mean `varchar(20)` (the same as `string(20)`)?"), "{err}");
}

/// SPEC 9: what a dialect's version lacks is refused with a diagnostic at
/// the key (`generated`, `using`), never spelled as SQL the engine refuses.
#[test]
fn generated_columns_and_using_are_refused_where_the_dialect_lacks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    std::fs::write(
        revs.join("a.toml"),
        "revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"t\"\ncolumns = [\n  { name = \"id\", type = \"integer\", primary_key = true },\n  { name = \"n\", type = \"integer\" },\n  { name = \"twice\", type = \"integer\", generated = { expr = \"n * 2\", stored = false } },\n  { name = \"code\", type = \"string(10)\" },\n]\n",
    )
    .unwrap();
    std::fs::write(
        revs.join("b.toml"),
        "revision = \"b1\"\ndown_revision = \"a1\"\nmessage = \"u\"\n[[upgrade]]\nop = \"alter_column\"\ntable = \"t\"\ncolumn = \"code\"\ntype = \"integer\"\nusing = { mysql = \"\", default = \"CAST(code AS INTEGER)\" }\n",
    )
    .unwrap();
    let run = |dialect: &str| schemac(tmp.path(), &["--dialect", dialect, "upgrade", "base:head"]);
    for (dialect, wanted) in [
        ("sqlite@3.25", "which sqlite 3.25 does not support"),
        ("postgresql@17", "not stored (`stored = false`), which postgresql 17 does not support"),
        ("mysql", "`using` has no expression for mysql"),
        ("mariadb", "`using` has no expression for mariadb"),
    ] {
        let out = run(dialect);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{dialect}: {err}");
        assert!(out.stdout.is_empty(), "{dialect}");
        assert!(err.contains("E0501") && err.contains(wanted), "{dialect}: {err}");
        assert!(err.contains("a.toml:") || err.contains("b.toml:"), "{dialect}: located: {err}");
    }
    for dialect in ["sqlite", "postgresql@18"] {
        let out = run(dialect);
        assert_eq!(out.status.code(), Some(0), "{dialect}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("GENERATED ALWAYS AS (n * 2) VIRTUAL"),
            "{dialect}"
        );
    }
}

/// A revision that drops a unique key and then backfills a column of it:
/// the derived downgrade makes the key again over rows the backfill made
/// equal, which fails where more than one row was NULL (conformance seed
/// 299). Every dialect's downgrade script says so above that step.
#[test]
fn downgrade_warns_of_a_unique_key_over_a_backfilled_column() {
    let tmp = project_of(&[
        (
            "a1_create.toml",
            r#"revision = "a1"
message = "create"

[[upgrade]]
op = "create_table"
table = "t"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "code", type = "string(10)" },
]
unique_constraints = [{ name = "uq_t_code", columns = ["code"] }]
"#,
        ),
        (
            "b2_relax.toml",
            r#"revision = "b2"
down_revision = "a1"
message = "relax"

[[upgrade]]
op = "drop_constraint"
table = "t"
name = "uq_t_code"

[[upgrade]]
op = "alter_column"
table = "t"
column = "code"
nullable = false
backfill = "none"
"#,
        ),
    ]);
    for dialect in ["sqlite", "postgresql", "mysql"] {
        let out = schemac(tmp.path(), &["downgrade", "b2:a1", "--sql", "--dialect", dialect]);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{dialect}: {}", stderr(&out));
        assert!(
            script.contains("-- WARNING:")
                && script.contains("the upgrade backfills `t`.`code` with one value: making `uq_t_code` again fails if more than one row was NULL"),
            "{dialect}:\n{script}"
        );
    }
}

/// A dropped column with a default and a unique key (conformance fixture
/// `downgrade_of_drop_column_readds_a_unique_column_with_one_default`): the
/// derived downgrade re-adds a nullable one NULL and sets its default after
/// the key is made; a NOT NULL one can only come back with its default in
/// every row, and the step that makes its key again says so.
#[test]
fn downgrade_of_a_dropped_unique_column_with_a_default() {
    let tmp = project_of(&[
        (
            "a1_create.toml",
            r#"revision = "a1"
message = "create"

[[upgrade]]
op = "create_table"
table = "t"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "code", type = "string(10)", nullable = false, default = "none" },
  { name = "tag", type = "string(10)", default = "none" },
]
unique_constraints = [{ name = "uq_t_code", columns = ["code"] }, { name = "uq_t_tag", columns = ["tag"] }]
"#,
        ),
        (
            "b2_drop.toml",
            r#"revision = "b2"
down_revision = "a1"
message = "drop"

[[upgrade]]
op = "drop_column"
table = "t"
column = "tag"

[[upgrade]]
op = "drop_column"
table = "t"
column = "code"
"#,
        ),
    ]);
    for dialect in ["sqlite", "postgresql", "mysql", "mariadb"] {
        let out = schemac(tmp.path(), &["downgrade", "b2:a1", "--sql", "--dialect", dialect]);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{dialect}: {}", stderr(&out));
        assert!(
            script.contains("-- WARNING:")
                && script.contains(
                    "column `t`.`code` is re-added NOT NULL with its default in every row: making `uq_t_code` again fails if the table holds more than one row"
                ),
            "{dialect}:\n{script}"
        );
        assert!(
            script.contains("column `t`.`tag` is re-added with its definition, NULL in every row (its default, set after `uq_t_tag` is made again, would make the rows equal)"),
            "{dialect}:\n{script}"
        );
    }
}

/// MySQL and MariaDB look for a foreign key's unqualified referred table in
/// the database of the table that holds the key, so a key from a table in
/// a schema to a table of the default schema (whose database has no name
/// in the script) is refused there with a located diagnostic; PostgreSQL
/// resolves it through the search path and compiles it (conformance
/// fixture known/mariadb_125).
#[test]
fn a_foreign_key_from_a_schema_to_the_default_one_is_refused_on_mysql() {
    let tmp = project_of(&[(
        "a1_schemas.toml",
        r#"revision = "a1"
message = "schemas"

[[upgrade]]
op = "create_table"
table = "parents"
columns = [{ name = "id", type = "integer", primary_key = true }]

[[upgrade]]
op = "create_namespace"
name = "billing"

[[upgrade]]
op = "create_table"
schema = "billing"
table = "children"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "parent_id", type = "integer" },
]
foreign_keys = [{ columns = ["parent_id"], referred_table = "parents", referred_columns = ["id"] }]
"#,
    )]);
    for dialect in ["mysql", "mariadb"] {
        let out = schemac(tmp.path(), &["upgrade", "base:head", "--sql", "--dialect", dialect]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{dialect}: {err}");
        assert!(out.stdout.is_empty(), "{dialect}: wrote a script");
        assert!(err.contains("error[E0501]") && err.contains("revisions/a1_schemas.toml:"), "{dialect}: {err}");
        assert!(err.contains("foreign key") && err.contains("billing.children"), "{dialect}: {err}");
    }
    let out = schemac(tmp.path(), &["upgrade", "base:head", "--sql", "--dialect", "postgresql"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// An index a dialect cannot make is refused even when a SQLite rebuild of
/// its table in the same revision would make it (conformance seed 17: an
/// `include` after a unique constraint was written into the rebuild).
#[test]
fn index_features_are_refused_inside_a_rebuild() {
    let tmp = project_of(&[
        (
            "a1_create.toml",
            r#"revision = "a1"
message = "create"

[[upgrade]]
op = "create_table"
table = "t"
columns = [
  { name = "id", type = "integer", primary_key = true },
  { name = "a", type = "integer" },
  { name = "b", type = "integer" },
]

[[upgrade]]
op = "bulk_insert"
table = "t"
rows = [{ id = 1, a = 1, b = 2 }]
"#,
        ),
        (
            "b2_index.toml",
            r#"revision = "b2"
down_revision = "a1"
message = "index"

[[upgrade]]
op = "create_unique_constraint"
table = "t"
columns = ["b"]
name = "uq_t_b"

[[upgrade]]
op = "create_index"
table = "t"
name = "ix_t_a"
columns = ["a"]
include = ["b"]
"#,
        ),
    ]);
    let out = schemac(tmp.path(), &["upgrade", "a1:b2", "--sql", "--dialect", "sqlite"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("E0501") && err.contains("covering columns") && err.contains("b2_index.toml:"),
        "{err}"
    );
    let out = schemac(tmp.path(), &["upgrade", "a1:b2", "--sql", "--dialect", "postgresql"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("INCLUDE (b)"));
}
