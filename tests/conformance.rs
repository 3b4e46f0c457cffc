//! Differential conformance: seeded random revision chains compiled by the
//! real binary for each dialect, applied to SQLite, PostgreSQL and MariaDB,
//! and compared after every revision with the generator's own model; the
//! equivalences `create_schema` = `upgrade base:head` = the steps, and
//! every downgrade restoring its catalog. Size: `SCHEMAC_CONFORMANCE_CHAINS`
//! (default 5), first seed `SCHEMAC_CONFORMANCE_SEED` (default 1).
//!
//! A failing chain is shrunk and saved under `tests/fixtures/conformance/`.
//! The run ends with one line:
//! `conformance: N chains, M revisions, K statements, engines ..., F mismatches`.

mod support;

#[path = "conformance/determinism.rs"]
mod determinism;
#[path = "conformance/expect.rs"]
mod expect;
#[path = "conformance/fuzz.rs"]
mod fuzz;
#[path = "conformance/gen.rs"]
mod gen;
#[path = "conformance/hostile.rs"]
mod hostile;
#[path = "conformance/model.rs"]
mod model;
#[path = "conformance/offline.rs"]
mod offline;
#[path = "conformance/prng.rs"]
mod prng;
#[path = "conformance/run.rs"]
mod run;

use support::engines::{require, Engine};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

#[test]
fn conformance() {
    let chains = env_number("SCHEMAC_CONFORMANCE_CHAINS", 5);
    let first = env_number("SCHEMAC_CONFORMANCE_SEED", 1);
    let seeds: Vec<u64> = (first..first + chains).collect();
    let generated: Vec<gen::Chain> = seeds.iter().map(|s| gen::generate(*s, 20)).collect();
    for chain in &generated {
        assert!(chain.op_count() >= 20, "seed {}: only {} operations", chain.seed, chain.op_count());
        chain
            .checkpoints()
            .unwrap_or_else(|e| panic!("seed {}: the generator made an invalid chain: {e}", chain.seed));
    }
    // SPEC 9: some chains have generated columns (5 chains from seed 1 do).
    let with_generated = generated.iter().filter(|c| c.has_generated()).count();
    eprintln!("conformance: {with_generated} of {chains} chains have generated columns");
    let servers = generated.iter().filter(|c| c.servers_only()).count();
    let partial = generated.iter().filter(|c| c.has_partial()).count();
    eprintln!("conformance: {partial} of {chains} chains have partial indexes (PostgreSQL and SQLite only)");
    let postgres = generated.iter().filter(|c| c.postgres_only()).count();
    eprintln!("conformance: {postgres} of {chains} chains have index forms only PostgreSQL has (include, method, opclass)");
    eprintln!("conformance: {servers} of {chains} chains have schemas or sequences (PostgreSQL and MariaDB only)");
    assert!(chains < 5 || with_generated > 0, "no chain has a generated column");
    // Issue 15: how many chains exercise each class.
    let mut classes: std::collections::BTreeMap<&str, usize> = Default::default();
    for chain in &generated {
        for class in chain.classes() {
            *classes.entry(class).or_default() += 1;
        }
    }
    for engine in [Engine::Postgres, Engine::Mariadb] {
        let hostile = generated
            .iter()
            .filter(|c| hostile::client_setting(&c.seed.to_string(), engine) != (&[][..], &[][..]))
            .count();
        classes.insert(
            if engine == Engine::Postgres {
                "hostile client settings (postgresql)"
            } else {
                "hostile client settings (mariadb)"
            },
            hostile,
        );
    }
    for engine in Engine::ALL {
        let applied = generated.iter().filter(|c| run::runs_on(c, engine)).count();
        eprintln!(
            "conformance: {engine}: {applied} of {chains} chains applied, {} refused (each refusal checked)",
            chains as usize - applied
        );
    }
    for (class, n) in &classes {
        eprintln!("conformance: class {class}: {n} of {chains} chains");
    }
    // SCHEMAC_CONFORMANCE_DUMP=DIR writes the chains there and stops: the
    // inputs of `scripts/outputs`, which compares two binaries on them.
    if let Ok(dump) = std::env::var("SCHEMAC_CONFORMANCE_DUMP") {
        for chain in &generated {
            chain
                .write(&std::path::Path::new(&dump).join(format!("seed_{}", chain.seed)))
                .expect("dump the chain");
        }
        eprintln!("conformance: {} chains written to {dump}", generated.len());
        return;
    }
    let engines: Vec<Engine> = Engine::ALL.into_iter().filter(|e| require(*e)).collect();
    let revisions: usize = generated.iter().map(|c| c.revision_count()).sum();
    // Commits need not wait for the disk: these databases are thrown away.
    // PGOPTIONS reaches only the psql processes this test starts.
    std::env::set_var("PGOPTIONS", "-c synchronous_commit=off");
    let jobs = env_number("SCHEMAC_CONFORMANCE_JOBS", 3).max(1) as usize;
    let started = std::time::Instant::now();
    let results: Vec<(Engine, u64, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = engines
            .iter()
            .flat_map(|&engine| (0..jobs).map(move |job| (engine, job)))
            .map(|(engine, job)| {
                let generated = &generated;
                scope.spawn(move || {
                    let mut statements = 0;
                    let mut mismatches = Vec::new();
                    // Schemas and sequences: PostgreSQL and MariaDB only; partial
                    // indexes: PostgreSQL and SQLite only (SPEC 9). Elsewhere
                    // the chain must be refused with a located diagnostic.
                    for chain in generated.iter().filter(|c| !run::runs_on(c, engine)).skip(job).step_by(jobs) {
                        if let Some(m) = run::refusal_mismatch(chain, engine) {
                            eprintln!("MISMATCH seed {} on {engine}:\n{m}", chain.seed);
                            mismatches.push(format!("seed {}: {m}", chain.seed));
                        }
                    }
                    let runs = generated.iter().filter(|c| run::runs_on(c, engine));
                    for (n, chain) in runs.skip(job).step_by(jobs).enumerate() {
                        if n > 0 && n % 25 == 0 {
                            eprintln!("conformance: {engine} worker {job}: {n} chains after {:.1?}", started.elapsed());
                        }
                        let outcome = run::run_chain(chain, engine);
                        statements += outcome.statements;
                        if let Some(m) = outcome.mismatch {
                            let (small, m) = run::shrink(chain, engine, m, env_number("SCHEMAC_SHRINK_BUDGET", 150) as usize);
                            let dir = run::save(&small, engine, &m);
                            eprintln!(
                                "MISMATCH seed {} on {engine}, shrunk to {} operations, saved in {}:\n{m}",
                                chain.seed,
                                small.op_count(),
                                dir.display()
                            );
                            mismatches.push(format!("seed {}: {m}", chain.seed));
                        }
                    }
                    eprintln!("conformance: {engine} worker {job} done after {:.1?}", started.elapsed());
                    (engine, statements, mismatches)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("engine thread")).collect()
    });
    let statements: u64 = results.iter().map(|r| r.1).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    let names: Vec<String> = engines.iter().map(|e| e.to_string()).collect();
    println!(
        "conformance: {chains} chains, {revisions} revisions, {statements} statements, engines {}, {} mismatches",
        names.join(","),
        failures.len()
    );
    eprintln!("conformance: finished in {:.1?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// SPEC 12's import round trip (`support::roundtrip`) on random chains:
/// each chain's head applied, dumped with the engine's own tool, imported,
/// the baseline applied on a fresh database with the same catalog, and its
/// model equal to its head. `SCHEMAC_IMPORT_CHAINS` chains per engine
/// (default 5; `make conformance` runs 50), from seed 1.
#[test]
fn import_round_trips() {
    let chains = env_number("SCHEMAC_IMPORT_CHAINS", 5);
    // With generated columns (import reads them typed, SPEC 9); without
    // schemas and sequences, which a dump of the test's one database cannot hold.
    let generated: Vec<gen::Chain> = (1..=chains).map(|s| gen::generate_opts(s, 20, true, false)).collect();
    let engines: Vec<Engine> = Engine::ALL.into_iter().filter(|e| require(*e)).collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = engines
            .iter()
            .map(|&engine| {
                let generated = &generated;
                scope.spawn(move || {
                    let mut failures = vec![];
                    // A chain with a partial index or a form only PostgreSQL
                    // has runs where it compiles (`run::runs_on`).
                    for chain in generated.iter().filter(|c| run::runs_on(c, engine)) {
                        let dir = tempfile::tempdir().expect("temporary folder");
                        chain.write(dir.path()).expect("write the chain");
                        if let Err(e) = support::roundtrip::import_round_trip(&format!("seed_{}", chain.seed), dir.path(), engine) {
                            failures.push(e);
                        }
                    }
                    failures
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("engine thread")).collect()
    });
    println!("import round trips: {chains} chains on {} engines, {} failures", engines.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The regression fixtures the harness saved (shrunk chains, one folder
/// each, with `mismatch.txt` saying what went wrong): on every engine,
/// `upgrade base:head` and `downgrade head:base` apply and leave nothing,
/// and `create_schema` gives the catalog of `upgrade base:head`.
#[test]
fn regression_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("revisions").is_dir()).collect())
        .unwrap_or_default();
    dirs.sort();
    for engine in Engine::ALL {
        if !require(engine) {
            continue;
        }
        let d = run::dialect_arg(engine);
        for dir in &dirs {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let db = support::engines::TestDb::new(engine, &name).expect("fresh database");
            // A chain with schemas or sequences (SPEC 9) runs on the servers
            // only; its files name each schema after `run::FIXTURE_PREFIX`,
            // which becomes this database's own prefix.
            let texts: Vec<(std::ffi::OsString, String)> = std::fs::read_dir(dir.join("revisions"))
                .expect("revisions")
                .map(|e| e.expect("entry"))
                .map(|e| (e.file_name(), std::fs::read_to_string(e.path()).expect("revision")))
                .collect();
            let servers_only = texts
                .iter()
                .any(|(_, t)| t.contains("\"create_namespace\"") || t.contains("\"create_sequence\""));
            // A partial index: PostgreSQL and SQLite only.
            let partial = texts.iter().any(|(_, t)| t.contains("\nwhere = ") || t.contains("{ expr = "));
            // An index form only PostgreSQL has.
            let postgres_only = texts
                .iter()
                .any(|(_, t)| ["\ninclude = ", "\nmethod = ", "opclass = "].iter().any(|k| t.contains(k)));
            if (servers_only && engine == Engine::Sqlite) || (partial && engine == Engine::Mariadb) || (postgres_only && engine != Engine::Postgres) {
                continue;
            }
            let copy = tempfile::tempdir().expect("temporary folder");
            std::fs::create_dir_all(copy.path().join("revisions")).expect("revisions");
            for (file, text) in &texts {
                std::fs::write(copy.path().join("revisions").join(file), text.replace(run::FIXTURE_PREFIX, &db.schema_prefix())).expect("copy");
            }
            let dir = copy.path();
            let compile = |args: &[&str]| run::compile(dir, &[&["--dialect", d][..], args].concat()).unwrap_or_else(|e| panic!("{name}: {e}"));
            db.apply(&compile(&["upgrade", "base:head"]))
                .unwrap_or_else(|e| panic!("{name} on {engine}: upgrade: {e}"));
            let mut head = db.catalog().expect("catalog");
            // `create_schema` makes no trigger that an `execute` made (README).
            head.triggers.clear();
            db.apply(&compile(&["downgrade", "head:base"]))
                .unwrap_or_else(|e| panic!("{name} on {engine}: downgrade: {e}"));
            db.is_empty().unwrap_or_else(|e| panic!("{name} on {engine}: downgrade head:base left {e}"));
            db.apply(&compile(&["create_schema"]))
                .unwrap_or_else(|e| panic!("{name} on {engine}: create_schema: {e}"));
            let mut created = db.catalog().expect("catalog");
            created.triggers.clear();
            assert_eq!(created, head, "{name} on {engine}: create_schema differs from upgrade base:head");
        }
    }
}
