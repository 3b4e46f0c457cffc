//! Determinism: the same project gives the same bytes on every run, and
//! again when its revision files are renamed and written in another order
//! (file names and directory order mean nothing; `history -v`, which names
//! the files, is left out).

use super::gen::generate;
use super::prng::Rng;
use super::run::compile;
use std::path::{Path, PathBuf};

/// The dialects that refuse a chain with schemas or sequences (all but the
/// servers), or with a partial index (MySQL and MariaDB).
type Refusing = &'static [&'static str];
const ANYWHERE: Refusing = &[];
const OFF_THE_SERVERS: Refusing = &["sqlite", "mysql"];
const OFF_PARTIAL: Refusing = &["mysql", "mariadb@10.11"];
const OFF_POSTGRES: Refusing = &["sqlite", "mysql", "mariadb@10.11"];

/// The projects: name, folder, the temporary folder to keep, and the
/// dialects that refuse it.
fn projects() -> Vec<(String, PathBuf, Option<tempfile::TempDir>, Refusing)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![("example".to_owned(), root.clone(), None, ANYWHERE)];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/projects"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        out.push((d.file_name().unwrap().to_string_lossy().into_owned(), d, None, ANYWHERE));
    }
    for seed in [21, 22, 23] {
        let dir = tempfile::tempdir().unwrap();
        let chain = generate(seed, 20);
        chain.write(dir.path()).unwrap();
        let refusing = if chain.servers_only() {
            OFF_THE_SERVERS
        } else if chain.postgres_only() {
            OFF_POSTGRES
        } else if chain.has_partial() {
            OFF_PARTIAL
        } else {
            ANYWHERE
        };
        out.push((format!("chain {seed}"), dir.path().to_path_buf(), Some(dir), refusing));
    }
    out
}

/// A copy of `from/revisions` under new random names, written in a shuffled
/// order, with the project's `schemac.toml` (its settings are not what varies).
fn shuffled_copy(from: &Path, rng: &mut Rng) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if from.join("schemac.toml").is_file() {
        std::fs::copy(from.join("schemac.toml"), dir.path().join("schemac.toml")).unwrap();
    }
    let revs = dir.path().join("revisions");
    std::fs::create_dir_all(&revs).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(from.join("revisions"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for i in (1..files.len()).rev() {
        files.swap(i, rng.below(i + 1));
    }
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(f, revs.join(format!("{:08x}_{i}.toml", rng.next_u64() as u32))).unwrap();
    }
    dir
}

#[test]
fn determinism() {
    let mut rng = Rng::new(5);
    let commands: [&[&str]; 5] = [
        &["upgrade", "base:heads"],
        &["downgrade", "heads:base"],
        &["create_schema"],
        &["history"],
        &["heads"],
    ];
    let mut compared = 0;
    for (name, dir, _keep, refusing) in projects() {
        let copies = [shuffled_copy(&dir, &mut rng), shuffled_copy(&dir, &mut rng)];
        for dialect in ["sqlite", "postgresql", "mysql", "mariadb@10.11", "mysql@5.7"] {
            for command in commands {
                let args = [&["--dialect", dialect][..], command].concat();
                // A generated chain may give a JSON or TEXT column a literal
                // default, which MySQL 5.7 refuses (SPEC 10.7), and a chain
                // with schemas and sequences is refused off PostgreSQL and
                // MariaDB, one with a partial index on MySQL and MariaDB:
                // schemac must refuse it on every run, and the refusal is
                // all there is to compare.
                let refused_here = dialect == "mysql@5.7" || refusing.contains(&dialect);
                let old_refusal = |e: &str| refused_here && e.contains("E0501");
                let first = match compile(&dir, &args) {
                    Err(e) if old_refusal(&e) => {
                        assert!(compile(&dir, &args).is_err_and(|e| old_refusal(&e)), "{name} {args:?}: a second run differs");
                        for copy in &copies {
                            assert!(compile(copy.path(), &args).is_err_and(|e| old_refusal(&e)), "{name} {args:?}: a copy differs");
                        }
                        continue;
                    }
                    r => r.unwrap_or_else(|e| panic!("{name}: {e}")),
                };
                assert_eq!(compile(&dir, &args).unwrap(), first, "{name} {args:?}: a second run differs");
                for copy in &copies {
                    let again = compile(copy.path(), &args).unwrap_or_else(|e| panic!("{name} (renamed, shuffled): {e}"));
                    assert_eq!(again, first, "{name} {args:?}: renamed and shuffled revision files give other bytes");
                }
                compared += 3;
            }
        }
    }
    eprintln!("determinism: {compared} outputs compared byte for byte");
}
