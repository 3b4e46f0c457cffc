//! `revision` and `merge`: the text of a new revision file and where it
//! goes. Nothing is written here: the caller writes the returned text only
//! when everything succeeded, and never over an existing file. Every file
//! produced is decoded and replayed on the schema before it, so a bug here
//! is caught before the file reaches the user's history.

use crate::base::codes::{self, Code};
use crate::base::diag::{Diagnostic, Diagnostics, Sources};
use crate::graph::{Graph, RevIx};
use crate::language::config::Settings;
use crate::replay::model::Schema;
use crate::replay::Replayer;
use std::io::Read;
use std::path::PathBuf;

/// What `revision` was asked for.
pub struct Request<'a> {
    pub message: &'a str,
    pub rev_id: Option<&'a str>,
    pub head: Option<&'a str>,
    pub branch_label: Option<&'a str>,
    pub autogenerate: bool,
}

/// A revision file to write.
pub struct NewFile {
    pub id: String,
    pub path: PathBuf,
    pub text: String,
}

fn fail(code: Code, msg: impl Into<String>) -> Diagnostics {
    Diagnostic::error(code, msg).into()
}

/// A fresh 12-hex-digit id from the system's random source.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 6];
    let ok = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).is_ok();
    if !ok {
        // No /dev/urandom (not a Unix system): hash the time and the process id.
        use sha2::Digest;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let h = sha2::Sha256::digest(format!("{now}:{}", std::process::id()));
        bytes.copy_from_slice(&h[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file-name part made from a message: lower case, `_` between words.
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    for ch in message.chars().flat_map(|c| c.to_lowercase()) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "revision".into()
    } else {
        out
    }
}

fn valid_word(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn new_id(g: &Graph, rev_id: Option<&str>) -> Result<String, Diagnostics> {
    match rev_id {
        Some(id) => {
            if !valid_word(id) {
                return Err(fail(
                    codes::BAD_REV_ID,
                    format!("`--rev-id {id}`: a revision id must match [A-Za-z0-9_]{{1,32}}"),
                ));
            }
            if let Some(&r) = g.by_id.get(id) {
                return Err(Diagnostic::error(codes::BAD_REV_ID, format!("revision `{id}` already exists"))
                    .at(g.revs[r].id.span, "this revision has that id")
                    .into());
            }
            Ok(id.to_string())
        }
        None => loop {
            let id = random_id();
            if !g.by_id.contains_key(&id) {
                return Ok(id);
            }
        },
    }
}

/// The schema after the revisions in the closure of `tips`.
pub fn schema_at(g: &Graph, settings: &Settings, tips: &[RevIx]) -> Result<Schema, Diagnostics> {
    let r = Replayer {
        naming: &settings.naming,
        version_table: &settings.version_table,
    };
    let mut schema = Schema::default();
    let mut diags = vec![];
    for &pos in &g.closure(tips) {
        r.begin_revision(&mut schema);
        for node in &g.revs[g.topo[pos]].upgrade {
            if let Err(d) = r.apply(&mut schema, node) {
                diags.push(d);
            }
        }
    }
    if diags.is_empty() {
        Ok(schema)
    } else {
        Err(Diagnostics(diags))
    }
}

fn toml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| crate::commands::autogen::quote(s)).collect::<Vec<_>>().join(", "))
}

/// The first lines of a new revision file; `by` is the command that wrote
/// it (`schemac revision`, `schemac merge`, `schemac import`).
pub(crate) fn header(by: &str, id: &str, down: &[String], message: &str, labels: &[String]) -> String {
    let mut out = String::new();
    // The message as comment lines, each escaped (a carriage return or an
    // escape sequence is no valid TOML in a comment).
    for line in message.lines() {
        out += &format!("# {}\n", crate::base::text::escape(line));
    }
    out += &format!("#\n# Created by `{by}`.\n\n");
    out += &format!("revision = {}\n", crate::commands::autogen::quote(id));
    match down {
        [] => {}
        [one] => out += &format!("down_revision = {}\n", crate::commands::autogen::quote(one)),
        many => out += &format!("down_revision = {}\n", toml_list(many)),
    }
    out += &format!("message = {}\n", crate::commands::autogen::quote(message));
    if !labels.is_empty() {
        out += &format!("branch_labels = {}\n", toml_list(labels));
    }
    out
}

/// The operations a revision file may hold, as the skeleton's last comment
/// lines: from `OpKind::written`, so that a new operation is listed.
fn operations() -> String {
    let names: Vec<&str> = crate::vocab::ops::OpKind::written().map(|k| k.name()).collect();
    let mut out = String::new();
    let mut line = String::from("# Operations:");
    for (i, name) in names.iter().enumerate() {
        let word = format!(" {name}{}", if i + 1 == names.len() { "." } else { "," });
        if line.len() + word.len() > 76 {
            out += &line;
            out.push('\n');
            line = String::from("#");
        }
        line += &word;
    }
    out += &line;
    out.push('\n');
    out
}

/// The commented example of a new revision, valid once uncommented on the
/// schema it builds on: `create_table` on an empty schema, else
/// `add_column` and `create_index` on a table the schema has (its first).
pub fn skeleton(schema: &Schema) -> String {
    let mut out = String::from(
        "
# Operations, in order, as [[upgrade]] tables. The downgrade is derived from
# them unless [[downgrade]] tables are given (an `execute` needs one).
#
",
    );
    match schema.tables.keys().next() {
        None => {
            out += "# The schema is empty here: a first revision usually creates tables.
#
# [[upgrade]]
# op = \"create_table\"
# table = \"users\"
# columns = [
#     { name = \"id\", type = \"integer\", primary_key = true, autoincrement = true },
#     { name = \"email\", type = \"string(255)\", nullable = false, unique = true },
#     { name = \"created_at\", type = \"datetime\", nullable = false, default = { expr = \"current_timestamp\" } },
# ]
#
";
        }
        Some(table) => {
            let table = crate::commands::autogen::quote(table);
            out += &format!(
                "# [[upgrade]]
# op = \"add_column\"
# table = {table}
# column = {{ name = \"note\", type = \"string(255)\", nullable = true }}
#
# [[upgrade]]
# op = \"create_index\"
# table = {table}
# columns = [\"note\"]
#
"
            );
        }
    }
    out.push_str(&operations());
    out
}

fn file_for(settings: &Settings, id: &str, message: &str, text: String) -> Result<NewFile, Diagnostics> {
    let path = settings.directory.join(format!("{id}_{}.toml", slug(message)));
    if path.exists() {
        return Err(fail(
            codes::REVISION_FILE_EXISTS,
            format!("`{}` already exists", crate::base::diag::display_path(&path)),
        ));
    }
    Ok(NewFile {
        id: id.to_string(),
        path,
        text,
    })
}

/// Checks again, just before the new file is written (under the folder's
/// lock), that no revision file written since the history was read (by
/// another run of `revision` or `merge`, say) took the id.
pub fn recheck_id(g: &Graph, dir: &std::path::Path, id: &str) -> Result<(), Diagnostics> {
    let known: std::collections::HashSet<&std::ffi::OsStr> = g.revs.iter().filter_map(|r| std::path::Path::new(&r.path).file_name()).collect();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        fail(
            codes::CANNOT_WRITE_REVISION,
            format!("cannot read `{}` again: {e}", crate::base::diag::display_path(dir)),
        )
    })?;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        let path = e.path();
        if known.contains(name.as_os_str()) || path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        // A file that cannot be read or decoded is left to the next command to report.
        let Ok(text) = crate::base::files::read_regular_text(&path) else { continue };
        let mut diags = vec![];
        let shown = crate::base::diag::display_path(&path);
        let Some(rev) = crate::language::load::decode_revision(crate::base::diag::FileId(0), shown.clone(), &text, &mut diags) else {
            continue;
        };
        if rev.id.v == id {
            return Err(Diagnostic::error(
                codes::BAD_REV_ID,
                format!("revision `{id}` already exists: `{shown}` was written since this command read the history"),
            )
            .help("run the command again (without --rev-id, a new id is drawn)")
            .into());
        }
    }
    Ok(())
}

/// Decodes the new file and replays it on the schema before it; a failure
/// is a bug in schemac, reported instead of writing the file.
pub(crate) fn validate(settings: &Settings, mut schema: Schema, text: &str) -> Result<(), Diagnostics> {
    let mut sources = Sources::default();
    let file = sources.add("(new revision)".into(), text.to_string());
    let mut diags = vec![];
    let rev = crate::language::load::decode_revision(file, "(new revision)".into(), text, &mut diags);
    let bug = |why: String| {
        Diagnostics::from(
            Diagnostic::error(codes::INTERNAL_ERROR, format!("internal error: the generated revision is invalid: {why}"))
                .help("this is a bug in schemac; please report it"),
        )
    };
    let Some(rev) = rev else {
        return Err(bug(diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ")));
    };
    let r = Replayer {
        naming: &settings.naming,
        version_table: &settings.version_table,
    };
    r.begin_revision(&mut schema);
    for node in &rev.upgrade {
        r.apply(&mut schema, node).map_err(|d| {
            Diagnostics::from(
                Diagnostic::error(
                    codes::AUTOGENERATE_CANNOT_APPLY,
                    format!("the new revision cannot apply on its head: {}", d.message),
                )
                .help("views and triggers are not in the model: drop what still uses these tables in a revision first"),
            )
        })?;
    }
    Ok(())
}

/// `revision -m MSG [--head REV] [--branch-label L] [--rev-id ID] [--autogenerate]`.
pub fn revision(g: &Graph, settings: &Settings, sources: &mut Sources, req: &Request) -> Result<NewFile, Diagnostics> {
    let id = new_id(g, req.rev_id)?;
    if let Some(l) = req.branch_label {
        if !valid_word(l) {
            return Err(fail(
                codes::BAD_BRANCH_LABEL,
                format!("`--branch-label {l}`: a branch label must match [A-Za-z0-9_]{{1,32}}"),
            ));
        }
        if g.by_id.contains_key(l) || g.revs.iter().any(|r| r.branch_labels.iter().any(|x| x.v == l)) {
            return Err(fail(codes::BAD_BRANCH_LABEL, format!("`{l}` is already a branch label or a revision id")));
        }
    }
    let parents: Vec<RevIx> = match req.head {
        None => match g.heads.as_slice() {
            [] => vec![],
            [h] => vec![*h],
            many => {
                return Err(Diagnostic::error(
                    codes::AMBIGUOUS_HEAD,
                    format!(
                        "there are {} heads ({}); name the one to build on",
                        many.len(),
                        crate::base::text::list(many.iter().map(|&h| g.id(h)))
                    ),
                )
                .help("pass --head REV, or merge the heads first with `schemac merge heads -m MSG`")
                .into())
            }
        },
        Some(spec) => {
            let tips = g.resolve(spec, None).map_err(|m| fail(codes::BAD_RANGE, m))?;
            match tips.as_slice() {
                [] if !g.revs.is_empty() && req.branch_label.is_none() => {
                    return Err(
                        Diagnostic::error(codes::BAD_HEAD, "a new base beside the existing history needs a branch label")
                            .help("pass --branch-label NAME")
                            .into(),
                    )
                }
                [] => vec![],
                [t] => {
                    if !g.children[*t].is_empty() && req.branch_label.is_none() {
                        return Err(
                            Diagnostic::error(codes::BAD_HEAD, format!("`{}` is not a head: a revision on it starts a new branch", g.id(*t)))
                                .help("pass --branch-label NAME to start a labelled branch there")
                                .into(),
                        );
                    }
                    vec![*t]
                }
                many => {
                    return Err(
                        Diagnostic::error(codes::BAD_HEAD, format!("`{spec}` names {} revisions; --head takes one", many.len()))
                            .help("to join heads, use `schemac merge`")
                            .into(),
                    )
                }
            }
        }
    };
    let down: Vec<String> = parents.iter().map(|&p| g.id(p).to_string()).collect();
    let labels: Vec<String> = req.branch_label.map(|l| vec![l.to_string()]).unwrap_or_default();
    let mut text = header("schemac revision", &id, &down, req.message, &labels);
    let before = schema_at(g, settings, &parents)?;
    if req.autogenerate {
        let Some(model_path) = &settings.model else {
            return Err(Diagnostic::error(codes::NO_MODEL, "--autogenerate needs a declared model")
                .help("set `[migrations] model = \"schema.toml\"` in schemac.toml")
                .into());
        };
        let model = crate::commands::autogen::load_model(model_path, &settings.naming, sources)?;
        let items = crate::commands::autogen::diff(&before, &model);
        let ops = crate::commands::autogen::to_toml(&items);
        if items.iter().all(|i| i.edit.is_none()) {
            text += "\n# Autogenerated: the head schema already matches the model.\n";
            if !ops.is_empty() {
                text += "\n";
            }
        } else {
            text += "\n# Autogenerated from the model; review before applying. No rename is guessed.\n\n";
        }
        text += &ops;
        while text.ends_with("\n\n") {
            text.pop();
        }
    } else {
        text += &skeleton(&before);
    }
    validate(settings, before, &text)?;
    file_for(settings, &id, req.message, text)
}

/// `merge REV REV... -m MSG [--rev-id ID]`.
pub fn merge(g: &Graph, settings: &Settings, revs: &[String], message: &str, rev_id: Option<&str>) -> Result<NewFile, Diagnostics> {
    let mut tips: Vec<RevIx> = vec![];
    for spec in revs {
        for t in g.resolve(spec, None).map_err(|m| fail(codes::BAD_RANGE, m))? {
            if !tips.contains(&t) {
                tips.push(t);
            }
        }
    }
    if tips.len() < 2 {
        return Err(
            Diagnostic::error(codes::NOTHING_TO_MERGE, format!("a merge needs two revisions or more; {} given", tips.len()))
                .help("name the heads to merge, or use `heads`")
                .into(),
        );
    }
    // One walk over the ancestry of every tip's parents finds a tip that
    // is an ancestor of another; only then is the other one looked for.
    let below = g.closure(&tips.iter().flat_map(|&t| g.parents[t].iter().copied()).collect::<Vec<_>>());
    if let Some(&a) = tips.iter().find(|&&a| below.contains(&g.topo_pos[a])) {
        let b = tips.iter().copied().find(|&b| b != a && g.closure(&[b]).contains(&g.topo_pos[a])).unwrap_or(a);
        return Err(fail(
            codes::NOTHING_TO_MERGE,
            format!("`{}` is an ancestor of `{}`: there is nothing to merge", g.id(a), g.id(b)),
        ));
    }
    tips.sort_by_key(|&t| g.topo_pos[t]);
    let id = new_id(g, rev_id)?;
    let down: Vec<String> = tips.iter().map(|&t| g.id(t).to_string()).collect();
    let mut text = header("schemac merge", &id, &down, message, &[]);
    text += "\n# A merge revision: it usually holds no operation.\n";
    validate(settings, schema_at(g, settings, &tips)?, &text)?;
    file_for(settings, &id, message, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Add e-mail to Users!"), "add_e_mail_to_users");
        assert_eq!(slug("  ??  "), "revision");
        assert!(slug(&"x".repeat(100)).len() <= 40);
    }

    #[test]
    fn random_ids_are_12_hex_digits() {
        let id = random_id();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
