//! `init [DIR]`: a new project (SPEC 12): `schemac.toml`, the `revisions/`
//! folder and a first revision whose skeleton is valid on an empty schema.
//! Nothing existing is overwritten: every obstacle is reported before
//! anything is written, and each file is created exclusively.

use crate::base::codes;
use crate::base::diag::{display_path, Diagnostic, Diagnostics};
use crate::dialect::DialectId;
use crate::language::config::Settings;
use std::io::Write;
use std::path::Path;

/// The message of the first revision, and so its file name.
pub const FIRST_MESSAGE: &str = "first revision";

/// The configuration `init` writes: the defaults spelled out, the optional
/// keys commented.
fn config_text(dialect: Option<DialectId>) -> String {
    let dialect = format!("dialect = \"{}\"", dialect.map_or("sqlite", DialectId::key));
    let lines: [(&str, &str); 9] = [
        ("[database]", ""),
        (&dialect, "postgresql, mysql, mariadb or sqlite"),
        ("# connection = \"postgresql://app@db/app\"", "or the dialect from a URL's scheme"),
        ("# server_version = \"15\"", "the target server version"),
        ("", ""),
        ("[migrations]", ""),
        ("directory = \"revisions\"", "relative to this file's folder"),
        (
            "version_table = \"schemac_version\"",
            "\"alembic_version\" lets an Alembic database switch over",
        ),
        ("# model = \"schema.toml\"", "the declared schema, for `revision --autogenerate` and `check`"),
    ];
    let mut out = String::from("# schemac configuration: see \"Configuration\" in schemac's README.\n\n");
    let populate = ("# populate = \"populate\"", "reference data, for `populate`");
    for (setting, note) in lines.iter().chain(std::iter::once(&populate)) {
        if note.is_empty() {
            out += &format!("{setting}\n");
        } else {
            out += &format!("{setting:<42}# {note}\n");
        }
    }
    out
}

/// Creates the project in `dir` (made when missing) and returns the paths
/// it created, as the user would write them.
pub fn init(dir: &Path, dialect: Option<DialectId>) -> Result<Vec<String>, Diagnostics> {
    let config = dir.join("schemac.toml");
    let revisions = dir.join("revisions");
    let mut diags = vec![];
    if config.exists() {
        diags.push(
            Diagnostic::error(
                codes::PROJECT_EXISTS,
                format!("`{}` already exists: init never overwrites a file", shown(&config)),
            )
            .help("this folder is a project already: `schemac revision -m MSG` adds a revision"),
        );
    }
    if revisions.exists() {
        let holds = std::fs::read_dir(&revisions).map(|mut entries| entries.next().is_some());
        if !revisions.is_dir() || !matches!(holds, Ok(false)) {
            diags.push(
                Diagnostic::error(codes::PROJECT_EXISTS, format!("`{}` exists and is not an empty folder", shown(&revisions)))
                    .help("init starts a project from nothing: an existing history stays as it is"),
            );
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    let settings = Settings {
        directory: revisions.clone(),
        ..Settings::default()
    };
    let graph = crate::graph::Graph::build(vec![])?;
    let req = crate::commands::revision::Request {
        message: FIRST_MESSAGE,
        rev_id: None,
        head: None,
        branch_label: None,
        autogenerate: false,
    };
    let first = crate::commands::revision::revision(&graph, &settings, &mut Default::default(), &req)?;
    let fail = |path: &Path, e: std::io::Error| Diagnostics::from(Diagnostic::error(codes::CANNOT_INIT, format!("cannot create `{}`: {e}", shown(path))));
    let create = |path: &Path, text: &str| -> Result<(), Diagnostics> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| fail(path, e))?;
        f.write_all(text.as_bytes()).map_err(|e| fail(path, e))
    };
    std::fs::create_dir_all(&revisions).map_err(|e| fail(&revisions, e))?;
    create(&config, &config_text(dialect))?;
    create(&first.path, &first.text)?;
    Ok(vec![shown(&config), format!("{}/", shown(&revisions)), shown(&first.path)])
}

/// A path as the user would write it, without a leading `./`.
fn shown(path: &Path) -> String {
    let p = display_path(path);
    p.strip_prefix("./").map(str::to_string).unwrap_or(p)
}
