//! The command line: clap types stay here. `run` resolves settings once,
//! dispatches to a command, prints diagnostics, and maps the outcome to an
//! exit code (0 success, 1 bad input, 2 bad command line).

use crate::base::codes;
use crate::base::diag::{Diagnostics, Format, Sources};
use crate::dialect::{Dialect, DialectId};
use crate::language::config::{self, Settings};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "schemac",
    version,
    about = "A migration compiler: neutral TOML revisions to reviewed SQL scripts",
    propagate_version = true,
    after_help = "With no command, schemac prints the upgrade script base:head (as `schemac upgrade`); \
                  with no revisions folder it prints this help (exit 2). `schemac init` starts a project."
)]
pub struct Cli {
    /// A configuration file (TOML, alembic.ini, or an INI file with [database] connection); may repeat. Default: $SCHEMAC_CONFIG.
    #[arg(long = "config-file", global = true, value_name = "PATH")]
    pub config_file: Vec<PathBuf>,
    /// Every *.toml in DIR, in name order, after the --config-files.
    #[arg(long = "config-dir", global = true, value_name = "DIR")]
    pub config_dir: Vec<PathBuf>,
    /// Target dialect and optional server version: postgresql, mysql, mariadb, sqlite (e.g. mysql@5.7).
    #[arg(long, global = true, value_name = "NAME[@VERSION]", value_parser = parse_dialect)]
    pub dialect: Option<(DialectId, Option<String>)>,
    /// Print debugging output to stderr.
    #[arg(short, long, global = true)]
    pub debug: bool,
    /// How diagnostics are printed.
    #[arg(long = "message-format", global = true, value_enum, default_value = "human")]
    pub message_format: MessageFormat,
    /// With no command: the options of `upgrade`, which it means.
    #[command(flatten)]
    pub out: Output,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MessageFormat {
    Human,
    Short,
    Json,
}

fn parse_dialect(s: &str) -> Result<(DialectId, Option<String>), String> {
    let (name, version) = match s.split_once('@') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (s, None),
    };
    let id = DialectId::parse(name).ok_or_else(|| format!("unknown dialect `{name}` (expected postgresql, mysql, mariadb or sqlite)"))?;
    if let Some(v) = &version {
        Dialect::load(id, Some(v))?;
    }
    Ok((id, version))
}

#[derive(Args, Debug, Clone)]
pub struct Output {
    /// Accepted for compatibility: schemac always prints SQL.
    #[arg(long)]
    pub sql: bool,
    /// Write the script to FILE (only when the whole command succeeds).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The files `json-schema` describes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaFile {
    Revision,
    Model,
    Populate,
    Config,
}

/// How a listing is printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// Alembic's lines.
    #[default]
    Text,
    /// A JSON document, for scripts and CI.
    Json,
}

/// The shells `completions` writes a script for.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Creates schemac.toml, revisions/ and a first revision in DIR (default: here).
    Init {
        /// The project folder (created when missing).
        dir: Option<PathBuf>,
    },
    /// SQL that upgrades over RANGE (default: head).
    Upgrade {
        range: Option<String>,
        /// The same as RANGE (the spelling of Alembic-based tools).
        #[arg(long = "revision", value_name = "RANGE", conflicts_with = "range", allow_hyphen_values = true)]
        revision: Option<String>,
        /// Upgrade N revisions from the start.
        #[arg(long, allow_hyphen_values = true)]
        delta: Option<u32>,
        #[command(flatten)]
        out: Output,
    },
    /// SQL that downgrades over RANGE (START:END, or -N from head).
    Downgrade {
        #[arg(allow_hyphen_values = true)]
        range: Option<String>,
        /// Downgrade N revisions from the start.
        #[arg(long)]
        delta: Option<u32>,
        #[command(flatten)]
        out: Output,
    },
    /// SQL that records REVISION as current, running no migration.
    Stamp {
        #[arg(required_unless_present = "revision_option")]
        revision: Option<String>,
        /// The same as REVISION (the spelling of Alembic-based tools).
        #[arg(long = "revision", id = "revision_option", value_name = "REVISION", conflicts_with = "revision")]
        revision_option: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// SQL that creates the head schema directly and stamps head.
    #[command(name = "create_schema", alias = "create-schema")]
    CreateSchema {
        #[command(flatten)]
        out: Output,
    },
    /// The SQL query that reads the current revision(s).
    #[command(alias = "version")]
    Current,
    /// The head revisions.
    Heads {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Branch points and their children.
    Branches {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// The revisions, newest first.
    History {
        /// A range START:END (either side may be empty).
        #[arg(short = 'r', long = "rev-range", allow_hyphen_values = true)]
        rev_range: Option<String>,
        /// Also the file and the operations of each revision.
        #[arg(short, long)]
        verbose: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// One revision: its metadata and its SQL for the dialect.
    Show {
        revision: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Validates the whole chain for every dialect, and head against the model.
    #[command(name = "check_migration", alias = "check", alias = "check-migration")]
    CheckMigration {
        /// Exit 1 when there is any warning or lint finding.
        #[arg(long = "deny-warnings")]
        deny_warnings: bool,
        /// `json`: the report and the lint findings as one JSON object on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Writes a new revision file whose down_revision is the head; prints its path.
    Revision {
        /// The revision's message (also its file name).
        #[arg(short = 'm', long = "message")]
        message: String,
        /// The revision id (default: 12 random hex digits).
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
        /// The revision to build on (default: the single head; `base` starts a new base).
        #[arg(long)]
        head: Option<String>,
        /// A branch label for the new revision (starts a labelled branch).
        #[arg(long = "branch-label")]
        branch_label: Option<String>,
        /// Write the operations that turn the head schema into the declared model.
        #[arg(long)]
        autogenerate: bool,
    },
    /// Writes a merge revision whose down_revision lists the given revisions; prints its path.
    Merge {
        /// The revisions to merge (`heads` for all heads).
        #[arg(required = true, num_args = 1..)]
        revisions: Vec<String>,
        #[arg(short = 'm', long = "message")]
        message: String,
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
    },
    /// SQL that loads the reference data of the populate files, idempotently.
    Populate {
        #[command(flatten)]
        out: Output,
    },
    /// A shell completion script on stdout.
    Completions {
        #[arg(value_enum)]
        shell: ShellName,
    },
    /// Reads a schema-only dump and writes it as a baseline revision (or, with --model, as the model file).
    Import {
        /// The dump: `pg_dump --schema-only`, `mysqldump --no-data`, `mariadb-dump --no-data` or SQLite `.schema` output.
        file: PathBuf,
        /// Write the model file (`[migrations] model`, default `schema.toml`) instead of a revision.
        #[arg(long)]
        model: bool,
        /// The baseline's revision id (default: 12 random hex digits).
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
    },
    /// Compares the head schema with a schema-only dump; exit 1 on any difference.
    Diff {
        /// The dump to compare the head schema with.
        #[arg(long = "against")]
        against: PathBuf,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Prints a JSON Schema of the revision, model, populate or configuration files.
    #[command(name = "json-schema", alias = "json_schema")]
    JsonSchema {
        /// Which file's schema (default: all of them, as `$defs` of one document).
        #[arg(long, value_enum)]
        file: Option<SchemaFile>,
    },
    /// What a diagnostic code means (every code, without one).
    Explain {
        /// A code as diagnostics print it (a letter and four digits), or its name (unknown-key).
        code: Option<String>,
    },
}

/// Runs the command line and returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    if cli.command.is_some() && cli.out.output.is_some() {
        // `-o` before a command would be ignored silently: it is the option of `upgrade` meant by no command.
        let e = <Cli as clap::CommandFactory>::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            "`-o FILE` before a command: write it after the command (`schemac upgrade -o FILE`)",
        );
        let _ = e.print();
        return 2;
    }
    let format = message_format(&cli);
    let mut sources = Sources::default();
    if cli.command.is_none() {
        // No command means `upgrade` (to head), where there is a project to upgrade.
        let directory = config::load(&cli.config_file, &cli.config_dir, &mut Sources::default())
            .ok()
            .map(|s| s.directory);
        if let Some(dir) = directory.filter(|d| !d.is_dir()) {
            let mut help = <Cli as clap::CommandFactory>::command();
            eprintln!("{}", help.render_help());
            eprintln!(
                "schemac: no command, and no revisions folder `{}` to upgrade: `schemac init` starts a project",
                crate::base::diag::display_path(&dir)
            );
            return 2;
        }
    }
    match dispatch(&cli, &mut sources) {
        Ok(()) => 0,
        Err(diags) => {
            eprint!("{}", sources.render(&diags.0, format));
            let n = diags.0.iter().filter(|d| d.is_error()).count();
            if format == Format::Human {
                eprintln!("error: {n} error{} found; nothing was written", if n == 1 { "" } else { "s" });
            }
            1
        }
    }
}

fn settings(cli: &Cli, sources: &mut Sources) -> Result<(Settings, Dialect), Diagnostics> {
    let mut s = config::load(&cli.config_file, &cli.config_dir, sources)?;
    if let Some((id, v)) = &cli.dialect {
        s.dialect = *id;
        if v.is_some() {
            s.server_version = v.clone();
        }
    }
    let d = Dialect::load(s.dialect, s.server_version.as_deref())
        .map_err(|e| Diagnostics::from(crate::base::diag::Diagnostic::error(codes::BAD_SERVER_VERSION, e)))?;
    if cli.debug {
        eprintln!("schemac: dialect {} {}, revisions in {}", d.key(), d.version, s.directory.display());
    }
    if let Some((schema, at)) = &s.version_table_schema {
        if !d.can(crate::dialect::Capability::Schemas) {
            return Err(Diagnostics::from(
                crate::base::diag::Diagnostic::error(
                    codes::UNSUPPORTED_BY_DIALECT,
                    format!("`version_table_schema = \"{schema}\"`: {} {} has no schemas", d.key(), d.version),
                )
                .at(*at, "cannot be compiled for this dialect"),
            ));
        }
    }
    Ok((s, d))
}

fn dispatch(cli: &Cli, sources: &mut Sources) -> Result<(), Diagnostics> {
    // No command: `upgrade` to head, with the options given before it.
    let upgrade;
    let command = match &cli.command {
        Some(c) => c,
        None => {
            upgrade = Command::Upgrade {
                range: None,
                revision: None,
                delta: None,
                out: cli.out.clone(),
            };
            &upgrade
        }
    };
    if let Command::Init { dir } = command {
        let dialect = cli.dialect.as_ref().map(|(id, _)| *id);
        let created = crate::commands::init::init(dir.as_deref().unwrap_or(std::path::Path::new(".")), dialect)?;
        return print(&created.join("\n"));
    }
    if let Command::Completions { shell } = command {
        let shell = match shell {
            ShellName::Bash => clap_complete::Shell::Bash,
            ShellName::Zsh => clap_complete::Shell::Zsh,
            ShellName::Fish => clap_complete::Shell::Fish,
        };
        let mut buf = vec![];
        clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "schemac", &mut buf);
        return print(&String::from_utf8_lossy(&buf));
    }
    if let Command::Explain { code } = command {
        return print(&explain(code.as_deref())?);
    }
    if let Command::JsonSchema { file } = command {
        let which = file.map(|f| match f {
            SchemaFile::Revision => crate::commands::jsonschema::File::Revision,
            SchemaFile::Model => crate::commands::jsonschema::File::Model,
            SchemaFile::Populate => crate::commands::jsonschema::File::Populate,
            SchemaFile::Config => crate::commands::jsonschema::File::Config,
        });
        return print(&serde_json::to_string_pretty(&crate::commands::jsonschema::schema(which)).unwrap_or_default());
    }
    let (settings, dialect) = settings(cli, sources)?;
    if let Command::Import { file, model, rev_id } = command {
        let written = crate::commands::import::import(file, &settings, &dialect, *model, rev_id.as_deref(), sources, message_format(cli))?;
        return print(&written);
    }
    let phase = Phases::new(cli.debug);
    // `revision` in a project with no revisions folder yet writes the first
    // revision, and creates the folder then (only when it succeeds).
    let revs = if matches!(command, Command::Revision { .. }) && !settings.directory.exists() {
        vec![]
    } else {
        crate::language::load::load_dir(&settings.directory, sources)?
    };
    phase.done(&format!("read and decoded {} revision files", revs.len()));
    let mut graph = crate::graph::Graph::build(revs)?;
    phase.done("built the revision graph");
    // `upgrade` reads each revision's operations once: it takes them, and
    // drops each list once planned (the peak memory of a long history).
    let compiler = if matches!(command, Command::Upgrade { .. }) {
        let ops = graph.take_upgrades();
        crate::compile::Compiler::upgrade_once(&graph, &settings, dialect, ops)
    } else {
        crate::compile::Compiler::new(&graph, &settings, dialect)
    };
    let result = run_command(cli, command, sources, &settings, &graph, &compiler);
    phase.done("ran the command");
    result
}

/// With `--debug`, the time each phase took, on stderr.
struct Phases {
    on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Phases {
    fn new(on: bool) -> Phases {
        Phases {
            on,
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    fn done(&self, what: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!("schemac: {what} in {:.1} ms", (now - self.last.get()).as_secs_f64() * 1000.0);
            self.last.set(now);
        }
    }
}

fn run_command(
    cli: &Cli,
    command: &Command,
    sources: &mut Sources,
    settings: &Settings,
    graph: &crate::graph::Graph,
    compiler: &crate::compile::Compiler,
) -> Result<(), Diagnostics> {
    match command {
        Command::Upgrade { range, revision, delta, out } => {
            let range = match (range.as_ref().or(revision.as_ref()), delta) {
                (Some(r), Some(n)) if !r.contains(':') => format!("{r}:+{n}"),
                (None, Some(n)) => format!("base:+{n}"),
                (Some(r), _) => r.clone(),
                (None, None) => "head".to_string(),
            };
            emit(out, |w| compiler.upgrade_into(&range, w))
        }
        Command::Downgrade { range, delta, out } => {
            let range = match (range, delta) {
                (Some(r), Some(n)) if !r.contains(':') => format!("{r}:-{n}"),
                (None, Some(n)) => format!("head:-{n}"),
                (Some(r), _) => r.clone(),
                (None, None) => {
                    return Err(crate::base::diag::Diagnostic::error(codes::BAD_RANGE, "downgrade needs a range: START:END, or -N from head").into());
                }
            };
            emit(out, |w| compiler.downgrade_into(&range, w))
        }
        Command::Stamp {
            revision,
            revision_option,
            out,
        } => {
            let revision = revision.as_deref().or(revision_option.as_deref()).unwrap_or("head");
            write(out, &compiler.stamp(revision)?)
        }
        Command::CreateSchema { out } => write(out, &compiler.create_schema()?),
        Command::Current => print(&compiler.current()?),
        Command::Heads { format } => match format {
            ListFormat::Text => print(&crate::commands::heads(graph)),
            ListFormat::Json => print(&crate::commands::heads_json(graph)),
        },
        Command::Branches { format } => match format {
            ListFormat::Text => print(&crate::commands::branches(graph)),
            ListFormat::Json => print(&crate::commands::branches_json(graph)),
        },
        Command::History { rev_range, verbose, format } => match format {
            ListFormat::Text => print(&crate::commands::history(graph, rev_range.as_deref(), *verbose)?),
            ListFormat::Json => print(&crate::commands::history_json(graph, rev_range.as_deref(), *verbose)?),
        },
        Command::Show { revision, format } => match format {
            ListFormat::Text => print(&crate::commands::show(compiler, revision)?),
            ListFormat::Json => print(&crate::commands::show_json(compiler, revision)?),
        },
        Command::CheckMigration { deny_warnings, format } => {
            let report = crate::commands::check(graph, settings, sources)?;
            match format {
                ListFormat::Text => {
                    eprint!("{}", sources.render(&report.findings, message_format(cli)));
                    print(&report.lines.join("\n"))?;
                }
                ListFormat::Json => {
                    let json = serde_json::json!({
                        "report": report.lines,
                        "findings": sources.json_items(&report.findings),
                    });
                    print(&serde_json::to_string_pretty(&json).unwrap_or_default())?;
                }
            }
            let n = report.warnings + report.findings.len();
            if *deny_warnings && n > 0 {
                return Err(Diagnostics::from(crate::base::diag::Diagnostic::error(
                    codes::WARNINGS_DENIED,
                    format!(
                        "{n} warning{} or lint finding{} with --deny-warnings",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "" } else { "s" }
                    ),
                )));
            }
            Ok(())
        }
        Command::Revision {
            message,
            rev_id,
            head,
            branch_label,
            autogenerate,
        } => {
            let req = crate::commands::revision::Request {
                message,
                rev_id: rev_id.as_deref(),
                head: head.as_deref(),
                branch_label: branch_label.as_deref(),
                autogenerate: *autogenerate,
            };
            write_new(graph, &crate::commands::revision::revision(graph, settings, sources, &req)?)
        }
        Command::Merge { revisions, message, rev_id } => write_new(
            graph,
            &crate::commands::revision::merge(graph, settings, revisions, message, rev_id.as_deref())?,
        ),
        Command::Populate { out } => {
            let dir = settings.populate.clone().unwrap_or_else(|| PathBuf::from("populate"));
            let entries = crate::commands::populate::load_dir(&dir, sources)?;
            let head = crate::commands::revision::schema_at(graph, settings, &graph.heads)?;
            let steps = crate::commands::populate::plan(&entries, &head, &compiler.dialect)?;
            let files = entries.iter().map(|e| e.span.file).collect::<std::collections::BTreeSet<_>>().len();
            write(out, &compiler.populate(steps, files)?)
        }
        Command::Diff { against, format } => {
            let (lines, json, differs) = crate::commands::import::diff(against, graph, settings, &compiler.dialect, sources, message_format(cli))?;
            match format {
                ListFormat::Text => print(&lines)?,
                ListFormat::Json => print(&json)?,
            }
            match differs {
                Some(d) => Err(d.into()),
                None => Ok(()),
            }
        }
        Command::Init { .. } | Command::Completions { .. } | Command::Explain { .. } | Command::Import { .. } | Command::JsonSchema { .. } => Ok(()),
    }
}

/// `explain CODE`: the code, its name and its explanation; without a code,
/// one such line for every code. It needs no project.
fn explain(word: Option<&str>) -> Result<String, Diagnostics> {
    let line = |c: codes::Code| format!("{c} {}: {}", c.name(), c.explain());
    let Some(word) = word else {
        return Ok(codes::ALL.iter().map(|&c| line(c)).collect::<Vec<_>>().join("\n"));
    };
    if let Some(c) = codes::find(word) {
        return Ok(line(c));
    }
    let upper = word.to_ascii_uppercase();
    let ids: Vec<&str> = codes::ALL.iter().map(|c| c.id()).collect();
    let names: Vec<String> = codes::ALL.iter().map(|c| c.name()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let kebab = word.to_ascii_lowercase().replace('_', "-");
    let near = crate::base::suggest::closest(&upper, &ids)
        .or_else(|| crate::base::suggest::closest(&kebab, &names))
        .and_then(codes::find);
    let d = crate::base::diag::Diagnostic::error(codes::UNKNOWN_CODE, format!("no diagnostic code `{word}`"));
    Err(match near {
        Some(c) => d.help(format!("did you mean `{c}` ({})?", c.name())),
        None => d.help("`schemac explain` lists every code"),
    }
    .into())
}

/// Writes a new revision file, never over an existing one, and prints its
/// path. Under a lock on the revisions folder, the id is checked again
/// against files written since the history was read (by another run), and
/// the file appears whole or not at all.
fn write_new(graph: &crate::graph::Graph, file: &crate::commands::revision::NewFile) -> Result<(), Diagnostics> {
    let shown = crate::base::diag::display_path(&file.path);
    let fail = |e: std::io::Error| {
        let code = if e.kind() == std::io::ErrorKind::AlreadyExists {
            codes::REVISION_FILE_EXISTS
        } else {
            codes::CANNOT_WRITE_REVISION
        };
        Diagnostics::from(crate::base::diag::Diagnostic::error(code, format!("cannot write `{shown}`: {e}")))
    };
    let dir = file.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !dir.exists() {
        // `revision` in a project without its revisions folder yet.
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let _lock = crate::output::DirLock::take(dir).map_err(fail)?;
    crate::commands::revision::recheck_id(graph, dir, &file.id)?;
    crate::output::write_new(&file.path, &file.text).map_err(fail)?;
    print(&shown)
}

fn print(text: &str) -> Result<(), Diagnostics> {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    Ok(())
}

/// Writes a script that is produced as it is compiled: into a temporary
/// file, which becomes FILE (renamed into place) or is copied to stdout only
/// when the whole command succeeded. The temporary file goes on an error
/// and on SIGINT or SIGTERM (`output::Pending`).
fn emit(out: &Output, produce: impl FnOnce(&mut dyn Write) -> Result<(), Diagnostics>) -> Result<(), Diagnostics> {
    let fail = |e: std::io::Error| {
        let what = match &out.output {
            Some(path) => format!("`{}`", path.display()),
            None => "the script".to_string(),
        };
        Diagnostics::from(crate::base::diag::Diagnostic::error(
            codes::CANNOT_WRITE_SCRIPT,
            format!("cannot write {what}: {e}"),
        ))
    };
    let pending = match &out.output {
        Some(path) => crate::output::Pending::for_target(path),
        None => crate::output::Pending::new_in(&std::env::temp_dir()),
    };
    let tmp = match pending {
        Ok(t) => t,
        // No writable temporary folder: hold the script in memory instead.
        Err(_) if out.output.is_none() => {
            let mut buf = Vec::new();
            produce(&mut buf)?;
            return std::io::stdout().lock().write_all(&buf).map_err(fail);
        }
        Err(e) => return Err(fail(e)),
    };
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.file());
        produce(&mut w)?;
        w.flush().map_err(fail)?;
    }
    match &out.output {
        Some(path) => tmp.persist(path).map_err(fail)?,
        None => {
            let mut f = tmp.reopen().map_err(fail)?;
            std::io::copy(&mut f, &mut std::io::stdout().lock()).map_err(fail)?;
        }
    }
    Ok(())
}

/// Writes the script to stdout, or to FILE through a temporary file renamed into place.
fn write(out: &Output, text: &str) -> Result<(), Diagnostics> {
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &out.output {
        None => print(&text),
        Some(path) => {
            let fail = |e: std::io::Error| {
                Diagnostics::from(crate::base::diag::Diagnostic::error(
                    codes::CANNOT_WRITE_SCRIPT,
                    format!("cannot write `{}`: {e}", path.display()),
                ))
            };
            let tmp = crate::output::Pending::for_target(path).map_err(fail)?;
            tmp.file().write_all(text.as_bytes()).map_err(fail)?;
            tmp.persist(path).map_err(fail)
        }
    }
}

/// How diagnostics are rendered (`--message-format`).
fn message_format(cli: &Cli) -> Format {
    match cli.message_format {
        MessageFormat::Human => Format::Human,
        MessageFormat::Short => Format::Short,
        MessageFormat::Json => Format::Json,
    }
}
