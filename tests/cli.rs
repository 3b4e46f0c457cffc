//! The command line as a user meets it: exit codes, stdout, files written.
//! Emitted SQL is compared as whole scripts with `snapshots/` (`check!`),
//! never by fragments; diagnostics are still matched by their key parts.

#[macro_use]
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
    assert_eq!(sql(&dir, &["heads"]), "e1f2a3b4c5d6 (head)\n");
    // Upgrading one branch and then the rest brings the other branch along:
    // the snapshot creates `audit_log` (the other branch), not `invoices`
    // (7e3f5a9c1d02's own branch, already applied).
    check!("merge__upgrade_7e3f5a9c1d02_head__sqlite", &dir, &["upgrade", "7e3f5a9c1d02:head"]);
    // Downgrading from the merge to one branch undoes the other and keeps one
    // head: the snapshot drops `audit_log` and deletes the other branch's
    // row (`9d8c7b6a5f43`) from the version table.
    check!(
        "merge__downgrade_c5e4d3b2a190_7e3f5a9c1d02__sqlite",
        &dir,
        &["downgrade", "c5e4d3b2a190:7e3f5a9c1d02"]
    );
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
    // `downgrade -1` is `head:-1`: the last revision's downgrade, exit 0.
    check!("example__downgrade_minus_1__sqlite", &root(), &["downgrade", "-1"]);
}

#[test]
fn mysql_57_renames_with_change() {
    let dir = root().join("tests/fixtures/projects/quoting");
    // MySQL 5.7 has no RENAME COLUMN: the snapshot renames with
    // `CHANGE `full name` `display name` VARCHAR(100) NULL` (the full definition).
    check!("quoting__upgrade__mysql_5_7", &dir, &["--dialect", "mysql@5.7", "upgrade", "base:head"]);
    // From 8.0 on: `RENAME COLUMN `full name` TO `display name``.
    check!("quoting__upgrade__mysql_8_0", &dir, &["--dialect", "mysql@8.0", "upgrade", "base:head"]);
}

#[test]
fn configuration_files_choose_dialect_and_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let project = root().join("tests/fixtures/projects/merge/revisions");
    // A TOML file: its directory is relative to the file's folder.
    std::fs::write(
        tmp.path().join("schemac.toml"),
        format!(
            "[database]\nconnection = \"postgresql+psycopg2://app@db/app\"\n[migrations]\ndirectory = {:?}\nversion_table = \"alembic_version\"\n",
            project.display().to_string()
        ),
    )
    .unwrap();
    // An OpenStack-style INI file given with --config-file: only its connection line is read.
    std::fs::write(
        tmp.path().join("service.conf"),
        "[DEFAULT]\ndebug = true\n[database]\nconnection = mysql+pymysql://u:p@db/svc\n",
    )
    .unwrap();
    // --config-dir reads every *.toml in name order.
    let dir = tmp.path().join("conf.d");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("10-base.toml"),
        format!("[migrations]\ndirectory = {:?}\n", project.display().to_string()),
    )
    .unwrap();
    std::fs::write(dir.join("20-db.toml"), "[database]\ndialect = \"mariadb\"\nserver_version = \"10.4\"\n").unwrap();
    // Each snapshot is the merge project's whole script; its `-- Dialect:`
    // header and the version table it writes are what the case proves.
    for (name, args) in [
        // ./schemac.toml: postgresql 15 from the connection (`+psycopg2` ignored), `alembic_version`.
        ("config__toml__postgresql", &["upgrade", "base:head"][..]),
        // Later files override earlier ones: mysql (8.4) from service.conf, `alembic_version` from schemac.toml.
        (
            "config__toml_then_ini__mysql",
            &["--config-file", "schemac.toml", "--config-file", "service.conf", "upgrade", "base:head"],
        ),
        // --dialect wins over every file: sqlite.
        (
            "config__ini_then_toml_and_option__sqlite",
            &[
                "--config-file",
                "service.conf",
                "--config-file",
                "schemac.toml",
                "--dialect",
                "sqlite",
                "upgrade",
                "base:head",
            ],
        ),
        // conf.d: the folder from 10-base.toml, mariadb 10.4 from 20-db.toml, the default version table.
        ("config__dir__mariadb_10_4", &["--config-dir", "conf.d", "upgrade", "base:head"]),
    ] {
        check!(name, tmp.path(), args);
    }
}

#[test]
fn configuration_errors_point_at_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("schemac.toml"), "[migrations]\ndirectry = \"revisions\"\n").unwrap();
    let out = schemac(tmp.path(), &["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("schemac.toml:2:1") && err.contains("directry") && err.contains("directory"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn long_convention_names_are_shortened_and_found_by_their_full_name() {
    let tmp = tempfile::tempdir().unwrap();
    let revs = tmp.path().join("revisions");
    std::fs::create_dir(&revs).unwrap();
    let table = "a_table_with_a_rather_long_name_for_reports";
    let column = "and_an_even_longer_column_name_here";
    std::fs::write(revs.join("a.toml"), format!("revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"{table}\"\ncolumns = [{{ name = \"id\", type = \"integer\", primary_key = true }}, {{ name = \"{column}\", type = \"integer\" }}]\n[[upgrade]]\nop = \"create_index\"\ntable = \"{table}\"\ncolumns = [\"{column}\"]\n")).unwrap();
    std::fs::write(
        revs.join("b.toml"),
        format!("revision = \"b1\"\ndown_revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"drop_index\"\nname = \"ix_{table}_{column}\"\n"),
    )
    .unwrap();
    let full = format!("ix_{table}_{column}");
    let short = schemac::base::naming::shorten(&full);
    assert_eq!(short.len(), 63);
    // The snapshot creates the index under its 63-byte name (the first 54
    // bytes, `_`, 8 hex digits of the SHA-256) and drops it by that name
    // although b.toml names it in full.
    check!(
        "long_names__upgrade__postgresql",
        tmp.path(),
        &["--dialect", "postgresql", "upgrade", "base:head"]
    );
    // A name the user gives over 63 bytes is an error at that name.
    std::fs::write(revs.join("b.toml"), format!("revision = \"b1\"\ndown_revision = \"a1\"\nmessage = \"t\"\n[[upgrade]]\nop = \"create_index\"\ntable = \"{table}\"\nname = \"{full}\"\ncolumns = [\"id\"]\n")).unwrap();
    let bad = schemac(tmp.path(), &["upgrade", "base:head"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("b.toml:7:8") && err.contains("63 bytes"), "{err}");
}

/// The first lines of a script: its header, which names the dialect.
fn dialect_line(script: &str) -> &str {
    script.lines().find(|l| l.starts_with("-- Dialect:")).unwrap_or("")
}

#[test]
fn alembic_ini_gives_the_dialect_and_the_version_table() {
    let tmp = tempfile::tempdir().unwrap();
    let project = root().join("tests/fixtures/projects/merge/revisions");
    std::fs::write(
        tmp.path().join("schemac.toml"),
        format!("[migrations]\ndirectory = {:?}\n", project.display().to_string()),
    )
    .unwrap();
    let ini = |url: &str, extra: &str| {
        std::fs::write(
            tmp.path().join("alembic.ini"),
            format!("[alembic]\nscript_location = migrations\n{extra}sqlalchemy.url = {url}\n\n[loggers]\nkeys = root\n"),
        )
        .unwrap();
    };
    let upgrade = ["--config-file", "alembic.ini", "--config-file", "schemac.toml", "upgrade", "base:head"];
    for (url, dialect) in [
        ("postgresql+psycopg2://app:hunter2@db/app", "-- Dialect: postgresql 15"),
        ("mysql+pymysql://app:hunter2@db/app", "-- Dialect: mysql 8.4"),
        ("mariadb+mariadbconnector://app@db/app", "-- Dialect: mariadb 10.11"),
        ("sqlite:///%(here)s/app.db", "-- Dialect: sqlite 3.45"),
    ] {
        ini(url, "");
        let script = sql(tmp.path(), &upgrade);
        assert_eq!(dialect_line(&script), dialect, "{url}");
        // Alembic's default version table, which the database already has.
        assert!(script.contains("CREATE TABLE alembic_version"), "{url}");
    }
    ini("postgresql://app@db/app", "version_table = app_versions\n");
    let script = sql(tmp.path(), &upgrade);
    assert!(script.contains("CREATE TABLE app_versions"), "{script}");
    // --dialect still wins.
    let script = sql(tmp.path(), &[&["--dialect", "sqlite"][..], &upgrade].concat());
    assert_eq!(dialect_line(&script), "-- Dialect: sqlite 3.45");

    // An unknown scheme is an error that quotes no password, not even in the code frame.
    ini("driver://user:hunter2@localhost/dbname", "");
    let out = schemac(tmp.path(), &upgrade);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[E0011]: unknown database `driver` in `sqlalchemy.url`"), "{err}");
    assert!(!err.contains("hunter2") && err.contains("alembic.ini:3:1"), "{err}");
    ini("hunter2", "");
    let err = String::from_utf8(schemac(tmp.path(), &upgrade).stderr).unwrap();
    assert!(err.contains("is not a URL") && !err.contains("hunter2"), "{err}");
}

#[test]
fn schemac_config_names_the_configuration_file() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    let project = root().join("tests/fixtures/projects/merge");
    std::fs::write(
        conf.join("service.toml"),
        format!(
            "[database]\ndialect = \"postgresql\"\n[migrations]\ndirectory = {:?}\n",
            project.join("revisions").display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(tmp.path().join("other.toml"), "[database]\ndialect = \"mysql\"\n").unwrap();
    let run = |args: &[&str], config: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_schemac"))
            .args(args)
            .current_dir(tmp.path())
            .env("SCHEMAC_CONFIG", config)
            .output()
            .unwrap()
    };
    let out = run(&["upgrade"], "conf/service.toml");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).unwrap();
    assert_eq!(dialect_line(&script), "-- Dialect: postgresql 15");
    assert_eq!(script, sql(&project, &["--dialect", "postgresql", "upgrade"]));
    // --config-file wins over the variable (which is then not read at all).
    let out = run(
        &["--config-file", "other.toml", "--config-file", "conf/service.toml", "upgrade"],
        "missing.toml",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // A file that the variable names and that cannot be read is an error saying so.
    let out = run(&["upgrade"], "missing.toml");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[E0010]") && err.contains("SCHEMAC_CONFIG names this file"), "{err}");
}

#[test]
fn no_command_means_upgrade_to_head() {
    let example = root();
    let upgrade = sql(&example, &["upgrade"]);
    assert_eq!(sql(&example, &[]), upgrade);
    assert_eq!(sql(&example, &["--sql"]), upgrade);
    assert_eq!(
        sql(&example, &["--dialect", "postgresql"]),
        sql(&example, &["--dialect", "postgresql", "upgrade"])
    );
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("up.sql");
    let out = schemac(&example, &["-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), upgrade);
    // `-o` before a command would be ignored: refused.
    let out = schemac(&example, &["-o", target.to_str().unwrap(), "heads"]);
    assert_eq!(out.status.code(), Some(2));

    // No project here: the help, on stderr only, exit 2.
    let out = schemac(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("Usage: schemac") && err.contains("`schemac init` starts a project"), "{err}");
}

#[test]
fn revision_options_as_alembic_based_tools_spell_them() {
    let example = root();
    for args in [["upgrade", "7b4f0e2d9a61"], ["upgrade", "7b4f0e2d9a61:head"], ["stamp", "e5a17b3c08f4"]] {
        assert_eq!(sql(&example, &[args[0], "--revision", args[1]]), sql(&example, &args), "{args:?}");
    }
    assert_eq!(sql(&example, &["stamp", "--revision=head"]), sql(&example, &["stamp", "head"]));
    for args in [
        &["upgrade", "head", "--revision", "head"][..],
        &["stamp", "head", "--revision", "head"],
        &["stamp"],
    ] {
        assert_eq!(schemac(&example, args).status.code(), Some(2), "{args:?}");
    }
}

/// SPEC 10.1: MySQL's version table compares its key without case, so
/// revision ids that differ only in case are one id.
#[test]
fn revision_ids_are_unique_without_case() {
    let tmp = project_of(&[
        ("a.toml", "revision = \"abc\"\nmessage = \"a\"\n"),
        ("b.toml", "revision = \"ABC\"\ndown_revision = \"abc\"\nmessage = \"b\"\n"),
    ]);
    let out = schemac(tmp.path(), &["upgrade", "base:head"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E0201") && err.contains("differ only in letter case"), "{err}");
}

/// SPEC 10.7, from the MySQL 8.4 manual (13.6, 13.2.5, 15.2.7.2): a literal
/// default on TEXT is `DEFAULT ('...')` from 8.0.13 and an error before;
/// CURRENT_TIMESTAMP takes the column's precision.
#[test]
fn mysql_text_defaults_by_version() {
    let tmp = project_of(&[(
        "a.toml",
        "revision = \"a1\"\nmessage = \"a\"\n[[upgrade]]\nop = \"create_table\"\ntable = \"notes\"\ncolumns = [{ name = \"id\", type = \"integer\", primary_key = true }, { name = \"body\", type = \"text\", default = \"\" }, { name = \"at\", type = \"timestamptz\", default = { expr = \"current_timestamp\" } }]\n",
    )]);
    let new = sql(tmp.path(), &["--dialect", "mysql@8.0.13", "upgrade", "base:head"]);
    assert!(new.contains("body TEXT NULL DEFAULT ('')"), "{new}");
    assert!(new.contains("at DATETIME(6) NULL DEFAULT CURRENT_TIMESTAMP(6)"), "{new}");
    let maria = sql(tmp.path(), &["--dialect", "mariadb", "upgrade", "base:head"]);
    assert!(maria.contains("body TEXT NULL DEFAULT ('')"), "{maria}");
    for old in ["mysql@5.7", "mysql@8.0.12"] {
        let out = schemac(tmp.path(), &["--dialect", old, "upgrade", "base:head"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{old}: {err}");
        assert!(err.contains("E0501") && err.contains("cannot give a TEXT column a default"), "{old}: {err}");
        assert!(err.contains("a.toml:"), "{old}: located: {err}");
    }
}
