//! The import round trip (SPEC 12), shared by `tests/import.rs` (the
//! example, the fixture projects and the acceptance projects) and the
//! conformance harness (random chains): the project's `upgrade base:head`
//! is applied to a fresh database, its version table dropped and the
//! database dumped with the engine's own tool; `diff --against` the dump
//! finds nothing; the dump imported into an empty folder gives a baseline
//! whose `upgrade base:head` on another fresh database has the same catalog,
//! names included (triggers aside: they come back as `execute`s, applied as
//! written); and `import --model` beside that baseline writes a model that
//! `check` finds equal to the baseline's head.

use super::engines::{Engine, TestDb};
use std::path::Path;
use std::process::{Command, Output};

pub fn dialect_arg(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgresql",
        Engine::Mariadb => "mariadb@10.11",
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<Output, String> {
    Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCHEMAC_CONFIG")
        .output()
        .map_err(|e| format!("schemac {args:?}: {e}"))
}

fn script(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = run(dir, args)?;
    if !out.status.success() {
        return Err(format!("schemac {args:?} exited {}: {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The script of `upgrade base:head` of the project in `dir` for `engine`,
/// or why there is none (a project that does not compile for the dialect).
pub fn upgrade_script(dir: &Path, engine: Engine) -> Result<String, String> {
    script(dir, &["--dialect", dialect_arg(engine), "upgrade", "base:head", "--sql"])
}

/// The whole round trip of one project (its folder holds `revisions/`);
/// `Err` says what differed.
pub fn import_round_trip(name: &str, dir: &Path, engine: Engine) -> Result<(), String> {
    let d = dialect_arg(engine);
    let at = |what: &str, e: String| format!("{name} on {engine}: {what}: {e}");
    let db = TestDb::new(engine, &format!("{name}_im")).map_err(|e| at("fresh database", e))?;
    db.apply(&upgrade_script(dir, engine).map_err(|e| at("compile", e))?)
        .map_err(|e| at("upgrade", e))?;
    db.apply("DROP TABLE schemac_version;").map_err(|e| at("drop the version table", e))?;
    let dump = db.dump().map_err(|e| at("dump", e))?;

    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dump_path = work.path().join("dump.sql");
    std::fs::write(&dump_path, &dump).map_err(|e| e.to_string())?;
    let out = run(dir, &["--dialect", d, "diff", "--against", dump_path.to_str().unwrap()])?;
    if out.status.code() != Some(0) {
        return Err(at("diff --against its own dump", format!("{}\n--- dump:\n{dump}", text(&out))));
    }

    let folder = work.path().join("imported");
    std::fs::create_dir_all(folder.join("revisions")).map_err(|e| e.to_string())?;
    std::fs::write(folder.join("dump.sql"), &dump).map_err(|e| e.to_string())?;
    let out = run(&folder, &["--dialect", d, "import", "dump.sql"])?;
    if !out.status.success() {
        return Err(at("import", text(&out)));
    }
    let copy = TestDb::new(engine, &format!("{name}_ib")).map_err(|e| at("fresh database", e))?;
    copy.apply(&upgrade_script(&folder, engine).map_err(|e| at("the baseline's compile", e))?)
        .map_err(|e| at("the baseline's upgrade", e))?;
    copy.apply("DROP TABLE schemac_version;").map_err(|e| at("drop the version table", e))?;
    let (mut want, mut got) = (db.catalog()?, copy.catalog()?);
    want.triggers.clear();
    got.triggers.clear();
    forget_json_checks(&db, &mut want)?;
    forget_json_checks(&copy, &mut got)?;
    // SQLite's RENAME COLUMN rewrites an unnamed check's text with the new
    // name in double quotes; a fresh table spells it as written: quoting aside.
    for c in [&mut want, &mut got] {
        for t in c.tables.values_mut() {
            t.checks = std::mem::take(&mut t.checks).into_iter().map(|k| k.replace('"', "")).collect();
        }
    }
    if got != want {
        return Err(at(
            "the baseline's catalog differs from the database it was imported from",
            format!("\n--- database:\n{want:#?}\n--- baseline:\n{got:#?}"),
        ));
    }
    model_matches_baseline(&folder, engine).map_err(|e| at("import --model", e))
}

/// `import --model` in the folder that holds the baseline imported from the
/// same dump: the model is the baseline's head by `check`'s own drift
/// comparison (exit 0, "head matches the model"), checked for the dump's
/// dialect alone (`[migrations] dialects`: the baseline's views and raw SQL
/// are that dialect's); a second import refuses to overwrite the model.
fn model_matches_baseline(folder: &Path, engine: Engine) -> Result<(), String> {
    let d = dialect_arg(engine);
    let key = d.split('@').next().unwrap();
    std::fs::write(
        folder.join("schemac.toml"),
        format!("[migrations]\nmodel = \"schema.toml\"\ndialects = [\"{key}\"]\n"),
    )
    .map_err(|e| e.to_string())?;
    let out = run(folder, &["--dialect", d, "import", "--model", "dump.sql"])?;
    if !out.status.success() {
        return Err(text(&out));
    }
    let model = std::fs::read_to_string(folder.join("schema.toml")).map_err(|e| format!("no schema.toml: {e}"))?;
    let out = run(folder, &["--dialect", d, "check"])?;
    let report = text(&out);
    if !(out.status.success() && report.contains("head matches the model") && report.contains(&format!("checked on {key};"))) {
        return Err(format!("check of the baseline against the imported model:\n{report}\n--- model:\n{model}"));
    }
    let again = run(folder, &["--dialect", d, "import", "--model", "dump.sql"])?;
    if again.status.code() != Some(1) || std::fs::read_to_string(folder.join("schema.toml")).ok().as_deref() != Some(model.as_str()) {
        return Err("a second import --model must refuse to overwrite the model".into());
    }
    Ok(())
}

/// MariaDB keeps a JSON column as LONGTEXT with a column check
/// `json_valid(col)` named after the column when it was made; a rename
/// keeps the old name, which the dump (the check inline in the column)
/// cannot show. Those checks are the type's, not the user's: left out of
/// the comparison.
fn forget_json_checks(db: &TestDb, catalog: &mut super::catalog::Catalog) -> Result<(), String> {
    if db.engine() != Engine::Mariadb {
        return Ok(());
    }
    // The catalog keys a column-level check by its clause (`support::catalog`).
    let rows = db.query_rows(
        "SELECT table_name, check_clause FROM information_schema.check_constraints \
         WHERE constraint_schema = DATABASE() AND level = 'Column' AND check_clause LIKE 'json_valid(%'",
    )?;
    for row in rows {
        if let [Some(table), Some(clause)] = row.as_slice() {
            if let Some(t) = catalog.tables.get_mut(table) {
                t.checks.remove(&format!("(unnamed) {clause}"));
            }
        }
    }
    Ok(())
}
