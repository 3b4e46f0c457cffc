//! The mutation fuzzer: random byte and field mutations of the valid
//! projects (the fixtures, the example, and generated chains), compiled
//! in-process through the library (load, graph, every dialect: upgrade,
//! downgrade, create_schema, every fifth case `check`, and the rendering of
//! every diagnostic).
//! Nothing may panic or hang; every 250th case also runs the binary with
//! `-o` and checks the exit code and that no partial file is left.
//! Size: `SCHEMAC_FUZZ_CASES` (default 300), seed `SCHEMAC_FUZZ_SEED`.
//! A crashing input is saved under `tests/fixtures/fuzz/`.

use super::gen::generate;
use super::hostile::run_limited;
use super::prng::Rng;
use schemac::base::diag::{Format, Sources};
use schemac::compile::Compiler;
use schemac::dialect::{Dialect, DialectId};
use schemac::graph::Graph;
use schemac::language::config::Settings;
use schemac::vocab::ops::OpKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Project = Vec<(String, Vec<u8>)>;

fn read_project(dir: &Path) -> Project {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// The valid projects the mutations start from.
fn seeds() -> Vec<Project> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![read_project(&root.join("revisions"))];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/projects"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        out.push(read_project(&d.join("revisions")));
    }
    for seed in [11, 12, 13] {
        let dir = tempfile::tempdir().unwrap();
        generate(seed, 20).write(dir.path()).unwrap();
        out.push(read_project(&dir.path().join("revisions")));
    }
    out
}

const VALUES: [&str; 34] = [
    "\"\"",
    "\"x\"",
    "0",
    "-1",
    "99999999999999999999",
    "9223372036854775807",
    "true",
    "false",
    "[]",
    "{}",
    "[\"id\", \"id\"]",
    "\"string(0)\"",
    "\"decimal(1,5)\"",
    "\"a'b\\\\c\"",
    "\"\\u0000\"",
    "1e400",
    "nan",
    "-inf",
    "\"integer\"",
    "\"text\"",
    "\"t\"",
    "\"id\"",
    "{ sql = \"1\" }",
    "{ expr = \"current_timestamp\" }",
    "{ enum = [], name = \"k\" }",
    "[{ id = 1 }]",
    "2024-13-45",
    "12:61:00",
    "\"users.id\"",
    "\"cascade\"",
    "[[[]]]",
    "{ a = { b = { c = 1 } } }",
    "\"x\\u0001y\"",
    "\"🙂\"",
];
const BYTES: [u8; 16] = [0, b'"', b'\'', b'\\', b'\n', b'[', b']', b'{', b'}', b'=', b',', b'#', 0xff, 0xc3, b' ', b'.'];

/// One random mutation of one file.
fn mutate(rng: &mut Rng, project: &mut Project) {
    if project.is_empty() {
        return;
    }
    let i = rng.below(project.len());
    let bytes = &mut project[i].1;
    match rng.below(10) {
        0 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
        }
        1 => {
            let at = rng.below(bytes.len() + 1);
            bytes.insert(at, *rng.pick(&BYTES));
        }
        2 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            let len = rng.range(1, 40).min(bytes.len() - at);
            bytes.drain(at..at + len);
        }
        3 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            bytes.truncate(at);
        }
        4 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            let len = rng.range(1, 200).min(bytes.len() - at);
            let piece: Vec<u8> = bytes[at..at + len].to_vec();
            let to = rng.below(bytes.len() + 1);
            bytes.splice(to..to, piece);
        }
        _ => {
            // Field mutations, line by line.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                return;
            }
            let l = rng.below(lines.len());
            match rng.below(6) {
                0 | 1 => {
                    if let Some(eq) = lines[l].find(" = ") {
                        lines[l] = format!("{} = {}", &lines[l][..eq], rng.pick(&VALUES));
                    }
                }
                2 => {
                    if lines[l].starts_with("op = ") {
                        // Any kind, the derived-only ones too (a file must not name them).
                        lines[l] = format!("op = \"{}\"", rng.pick(&OpKind::ALL).name());
                    } else {
                        let line = lines.remove(l);
                        let to = rng.below(lines.len() + 1);
                        lines.insert(to, line);
                    }
                }
                3 => {
                    lines.remove(l);
                }
                4 => {
                    let line = lines[l].clone();
                    lines.insert(l, line);
                }
                _ => {
                    // A quoted word swapped for another one of the project.
                    let words: Vec<String> = text.split('"').skip(1).step_by(2).map(str::to_owned).filter(|w| !w.is_empty()).collect();
                    if let (Some(from), false) = (lines[l].split('"').nth(1).map(str::to_owned), words.is_empty()) {
                        let to = rng.pick(&words).clone();
                        if !from.is_empty() {
                            lines[l] = lines[l].replacen(&from, &to, 1);
                        }
                    }
                }
            }
            *bytes = (lines.join("\n") + "\n").into_bytes();
        }
    }
}

fn write(dir: &Path, project: &Project) {
    let revs = dir.join("revisions");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(&revs).unwrap();
    for (name, bytes) in project {
        std::fs::write(revs.join(name), bytes).unwrap();
    }
}

/// Everything the library does with a project, in-process.
fn compile_everything(dir: &Path, check: bool) {
    let mut sources = Sources::default();
    let render = |sources: &Sources, d: &schemac::base::diag::Diagnostics| {
        let _ = sources.render(&d.0, Format::Short);
        let _ = sources.render(&d.0, Format::Human);
    };
    let revs = match schemac::language::load::load_dir(&dir.join("revisions"), &mut sources) {
        Ok(r) => r,
        Err(d) => return render(&sources, &d),
    };
    let graph = match Graph::build(revs) {
        Ok(g) => g,
        Err(d) => return render(&sources, &d),
    };
    let settings = Settings {
        directory: dir.join("revisions"),
        ..Settings::default()
    };
    for id in [DialectId::Sqlite, DialectId::Postgresql, DialectId::Mysql, DialectId::Mariadb] {
        let compiler = Compiler::new(&graph, &settings, Dialect::load(id, None).expect("dialect"));
        for result in [compiler.upgrade("base:heads"), compiler.downgrade("heads:base"), compiler.create_schema()] {
            if let Err(d) = result {
                render(&sources, &d);
            }
        }
    }
    if check {
        if let Err(d) = schemac::commands::check(&graph, &settings, &mut sources) {
            render(&sources, &d);
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

#[test]
fn mutation_fuzzer() {
    let cases = env_number("SCHEMAC_FUZZ_CASES", 300);
    let seed = env_number("SCHEMAC_FUZZ_SEED", 1);
    let seeds = seeds();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("p");
    // A watchdog: a case that runs for more than a minute is a hang.
    let started = Arc::new(AtomicU64::new(0));
    let current = Arc::new(Mutex::new(String::new()));
    let epoch = Instant::now();
    {
        let (started, current) = (started.clone(), current.clone());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let at = started.load(Ordering::Relaxed);
            if at > 0 && epoch.elapsed().as_millis() as u64 - at > 60_000 {
                eprintln!("fuzz: a case has run for over a minute (a hang): {}", current.lock().unwrap());
                std::process::abort();
            }
        });
    }
    let panics: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let hook = std::panic::take_hook();
    {
        let panics = panics.clone();
        std::panic::set_hook(Box::new(move |info| panics.lock().unwrap().push(info.to_string())));
    }
    let mut failures = Vec::new();
    let mut rejected = 0;
    for case in 0..cases {
        let mut rng = Rng::new(seed.wrapping_mul(1_000_003) ^ case);
        let mut project = seeds[rng.below(seeds.len())].clone();
        for _ in 0..rng.range(1, 3) {
            mutate(&mut rng, &mut project);
        }
        write(&dir, &project);
        *current.lock().unwrap() = format!("seed {seed} case {case}");
        started.store(epoch.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        let outcome = std::panic::catch_unwind(|| compile_everything(&dir, case % 5 == 0));
        started.store(0, Ordering::Relaxed);
        let mut problem = outcome
            .err()
            .map(|_| format!("panicked: {}", panics.lock().unwrap().last().cloned().unwrap_or_default()));
        if problem.is_none() && case % 250 == 0 {
            let run = run_limited(
                &dir,
                &["--message-format", "short", "upgrade", "heads", "-o", "out.sql"],
                Duration::from_secs(60),
            );
            let left = dir.join("out.sql").exists();
            problem = match run.code {
                _ if run.timed_out => Some("the binary hung".into()),
                Some(0) if left => None,
                Some(1) if !left && run.stdout.is_empty() => {
                    rejected += 1;
                    None
                }
                code => Some(format!(
                    "the binary: exit {code:?}, out.sql left: {left}: {}",
                    run.stderr.chars().take(400).collect::<String>()
                )),
            };
        }
        if let Some(p) = problem {
            let keep = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/fuzz/crash_{seed}_{case}"));
            write(&keep, &project);
            failures.push(format!("seed {seed} case {case} (saved in {}): {p}", keep.display()));
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz: {cases} cases in {:.1?}, {} failures ({rejected} of the binary runs rejected with exit 1)",
        epoch.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
