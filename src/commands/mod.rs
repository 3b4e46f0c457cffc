//! The commands that read the graph and print text rather than a script:
//! heads, branches, history, show, check_migration. Each listing also has a
//! JSON form (`--format json`) built from the same walk, for scripts and CI.

pub mod autogen;
pub mod import;
pub mod init;
pub mod jsonschema;
pub mod populate;
pub mod revision;

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::text::{escape, list};
use crate::compile::Compiler;
use crate::dialect::Dialect;
use crate::graph::Graph;
use crate::language::config::Settings;

fn line(g: &Graph, r: usize) -> String {
    let rev = &g.revs[r];
    let down: Vec<&str> = g.parents[r].iter().map(|&p| g.id(p)).collect();
    let mut down = if down.is_empty() { "<base>".to_string() } else { down.join(", ") };
    if !g.deps[r].is_empty() {
        // Alembic's spelling: the dependencies in parentheses after the down_revisions.
        down = format!("{down} ({})", g.deps[r].iter().map(|&d| g.id(d)).collect::<Vec<_>>().join(", "));
    }
    let mut tags = vec![];
    if g.children[r].is_empty() {
        tags.push(head_tag(g, r));
    }
    if g.children[r].len() > 1 {
        tags.push("branchpoint");
    }
    if g.parents[r].len() > 1 {
        tags.push("mergepoint");
    }
    let tags = if tags.is_empty() { String::new() } else { format!(" ({})", tags.join(", ")) };
    let labels: Vec<&str> = rev.branch_labels.iter().map(|l| l.v.as_str()).collect();
    let labels = if labels.is_empty() {
        String::new()
    } else {
        format!(" ({})", labels.join(", "))
    };
    format!("{down} -> {}{labels}{tags}, {}", rev.id.v, escape(&rev.message))
}

/// `head`, or `effective head` for a head that another revision depends on
/// (the version table never names it once that revision is applied).
fn head_tag(g: &Graph, h: usize) -> &'static str {
    if g.dependents[h].is_empty() {
        "head"
    } else {
        "effective head"
    }
}

pub fn heads(g: &Graph) -> String {
    g.heads
        .iter()
        .map(|&h| {
            let labels: Vec<&str> = g.revs[h].branch_labels.iter().map(|l| l.v.as_str()).collect();
            if labels.is_empty() {
                format!("{} ({})", g.id(h), head_tag(g, h))
            } else {
                format!("{} ({}) ({})", g.id(h), labels.join(", "), head_tag(g, h))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn branches(g: &Graph) -> String {
    let mut out = vec![];
    for &r in &g.topo {
        if g.children[r].len() > 1 {
            out.push(line(g, r));
            for &c in &g.children[r] {
                out.push(format!("    -> {}, {}", g.id(c), escape(&g.revs[c].message)));
            }
        }
    }
    out.join("\n")
}

fn history_set(g: &Graph, range: Option<&str>) -> Result<Vec<usize>, Diagnostics> {
    Ok(match range {
        None => g.topo.clone(),
        Some(r) => {
            let (s, e) = r.split_once(':').unwrap_or(("base", r));
            let s = g
                .resolve(if s.is_empty() { "base" } else { s }, None)
                .map_err(|m| Diagnostics::from(Diagnostic::error(codes::BAD_RANGE, m)))?;
            let e = g
                .resolve(if e.is_empty() { "heads" } else { e }, Some(&s))
                .map_err(|m| Diagnostics::from(Diagnostic::error(codes::BAD_RANGE, m)))?;
            g.difference(&g.closure(&e), &g.closure(&s))
        }
    })
}

pub fn history(g: &Graph, range: Option<&str>, verbose: bool) -> Result<String, Diagnostics> {
    let set = history_set(g, range)?;
    let mut out = vec![];
    for &r in set.iter().rev() {
        out.push(line(g, r));
        if verbose {
            let rev = &g.revs[r];
            out.push(format!("    file: {}", escape(&rev.path)));
            out.push(format!(
                "    operations: {}",
                rev.upgrade.iter().map(|o| o.op.name()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(out.join("\n"))
}

fn show_one(g: &Graph, spec: &str) -> Result<usize, Diagnostics> {
    let tips = g.resolve(spec, None).map_err(|m| Diagnostics::from(Diagnostic::error(codes::BAD_RANGE, m)))?;
    let [r] = tips.as_slice() else {
        return Err(Diagnostic::error(codes::BAD_RANGE, format!("`{spec}` names {} revisions; show takes one", tips.len())).into());
    };
    Ok(*r)
}

/// The range that applies exactly one revision.
fn show_range(g: &Graph, r: usize) -> String {
    let rev = &g.revs[r];
    format!(
        "{}:{}",
        if g.parents[r].is_empty() {
            "base".to_string()
        } else {
            format!("{}-1", rev.id.v)
        },
        rev.id.v
    )
}

pub fn show(c: &Compiler, spec: &str) -> Result<String, Diagnostics> {
    let g = c.graph;
    let r = &show_one(g, spec)?;
    let rev = &g.revs[*r];
    let mut out = format!("Rev: {}\n", rev.id.v);
    let parents: Vec<&str> = g.parents[*r].iter().map(|&p| g.id(p)).collect();
    out += &format!("Parent: {}\n", if parents.is_empty() { "<base>".to_string() } else { parents.join(", ") });
    if !g.deps[*r].is_empty() {
        out += &format!("Depends on: {}\n", g.deps[*r].iter().map(|&d| g.id(d)).collect::<Vec<_>>().join(", "));
    }
    if !rev.branch_labels.is_empty() {
        out += &format!(
            "Branch names: {}\n",
            rev.branch_labels.iter().map(|l| l.v.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    out += &format!("Path: {}\n\n    {}\n\n", escape(&rev.path), escape(&rev.message));
    out += &format!("Operations: {}\n\n", rev.upgrade.iter().map(|o| o.op.name()).collect::<Vec<_>>().join(", "));
    out += &c.upgrade(&show_range(g, *r))?;
    Ok(out)
}

/// Compiles every revision up and down for every dialect, parses the SQL
/// back, and checks the graph (one head, one unlabelled base) and the
/// declared model against head.
/// What `check` found when the chain is valid: the report's lines, and the
/// lint findings (SPEC 11), each located at its operation and naming the
/// dialects it concerns.
pub struct CheckReport {
    pub lines: Vec<String>,
    pub findings: Vec<Diagnostic>,
    /// How many of the report's lines are warnings.
    pub warnings: usize,
}

pub fn check(g: &Graph, settings: &Settings, sources: &mut crate::base::diag::Sources) -> Result<CheckReport, Diagnostics> {
    let mut diags = vec![];
    // Lint findings, once per revision, code, place and text, with their dialects.
    type FindingKey = (crate::graph::RevIx, &'static str, String, Option<(u32, u32, u32)>);
    let mut findings: indexmap::IndexMap<FindingKey, (Diagnostic, Vec<&'static str>)> = indexmap::IndexMap::new();
    let mut report = vec![];
    // The root cause first: a revision that lacks its down_revision makes
    // a second base and a second head at once.
    let strays = g.stray_bases();
    if let Some(st) = &strays {
        let ids: Vec<&str> = st.strays.iter().map(|&b| g.id(b)).collect();
        let mut d = match st.main {
            Some(main) => Diagnostic::error(
                codes::STRAY_BASE,
                format!(
                    "{} no down_revision: {} a second history beside the one that starts at `{}`",
                    if ids.len() == 1 {
                        format!("revision `{}` has", ids[0])
                    } else {
                        format!("revisions `{}` have", ids.join("`, `"))
                    },
                    if ids.len() == 1 { "it starts" } else { "each starts" },
                    g.id(main)
                ),
            )
            .help(match st.follow.as_slice() {
                [head] => format!(
                    "if it follows `{}`, add `down_revision = \"{}\"` to its file; if it starts an independent branch, give it a branch label",
                    g.id(*head),
                    g.id(*head)
                ),
                _ if ids.len() == 1 => {
                    "set its down_revision to the revision it follows, or give it a branch label if it starts an independent branch".to_string()
                }
                _ => "set the down_revision of each, or give an independent base a branch label".to_string(),
            }),
            None => Diagnostic::error(
                codes::STRAY_BASE,
                format!(
                    "several revisions have no down_revision and no branch label ({}): all but one are unreachable from the base of the history",
                    list(ids.iter().copied())
                ),
            )
            .help("set the down_revision of the stray one, or give an independent base a branch label"),
        };
        for &b in &st.strays {
            d = d.also(g.revs[b].id.span, "no down_revision");
        }
        diags.push(d);
    }
    // Several heads, unless the bases without down_revision explain them
    // all; an effective head (one another revision depends on) needs no merge.
    let explained = strays.as_ref().map_or(0, |st| st.strays.len() - usize::from(st.main.is_none()));
    if g.real_heads.len() > 1 && g.real_heads.len() > explained + 1 {
        diags.push(
            Diagnostic::error(
                codes::MULTIPLE_HEADS,
                format!("branches found; merge them: heads {}", list(g.real_heads.iter().map(|&h| g.id(h)))),
            )
            .help("schemac merge heads -m \"merge\""),
        );
    }
    if let Some(model) = &settings.model {
        match crate::commands::autogen::load_model(model, &settings.naming, sources) {
            Err(e) => diags.extend(e.0),
            Ok(declared) => match crate::commands::revision::schema_at(g, settings, &g.heads) {
                Err(e) => diags.extend(e.0),
                Ok(head) => {
                    let lines = crate::commands::autogen::drift(&crate::commands::autogen::diff(&head, &declared));
                    let n = lines.len();
                    for (i, l) in lines.into_iter().enumerate() {
                        let mut d = Diagnostic::error(codes::MODEL_DRIFT, format!("drift from the model: {l}"));
                        if i + 1 == n {
                            d = d.help("`schemac revision --autogenerate -m MSG` writes the operations that remove the drift");
                        }
                        diags.push(d);
                    }
                }
            },
        }
    }
    let mut statements = 0;
    let mut irreversible: Vec<String> = vec![];
    let mut warnings: indexmap::IndexMap<(String, &'static str, String), Vec<&'static str>> = indexmap::IndexMap::new();
    // Compile errors, once each, with the run that found it first and the dialects it concerns.
    type ErrorKey = (&'static str, String, Vec<(u32, u32, u32, String)>, Option<String>);
    let mut errors: indexmap::IndexMap<ErrorKey, (Diagnostic, String, Vec<&'static str>)> = indexmap::IndexMap::new();
    for &id in &settings.dialects {
        let d = Dialect::load(id, None).map_err(|e| Diagnostics::from(Diagnostic::error(codes::BAD_SERVER_VERSION, e)))?;
        let c = Compiler::new(g, settings, d.clone());
        if let Ok(found) = c.lint() {
            for (rev, f) in found {
                let at = f.labels.first().map(|l| (l.span.file.0, l.span.start, l.span.end));
                let (_, on) = findings.entry((rev, f.code.id(), f.message.clone(), at)).or_insert_with(|| (f, vec![]));
                if !on.contains(&id.key()) {
                    on.push(id.key());
                }
            }
        }
        let mut runs = vec![("upgrade base:heads".to_string(), c.upgrade_units("base:heads"))];
        match c.downgrade_units("heads:base") {
            Err(e) if e.0.iter().all(|d| matches!(d.code, codes::IRREVERSIBLE_EXECUTE | codes::IRREVERSIBLE_INSERT)) => {
                // Irreversible revisions: warn, and check the downgrade of every other revision alone.
                for d in &e.0 {
                    if !irreversible.contains(&d.message) {
                        irreversible.push(d.message.clone());
                    }
                }
                for &r in &g.topo {
                    let range = show_range(g, r);
                    let result = c.downgrade_units(&format!("{}:{}", g.id(r), range.split_once(':').map(|x| x.0).unwrap_or("base")));
                    match result {
                        Err(e) if e.0.iter().all(|d| matches!(d.code, codes::IRREVERSIBLE_EXECUTE | codes::IRREVERSIBLE_INSERT)) => {}
                        other => runs.push((format!("downgrade {}", g.id(r)), other)),
                    }
                }
            }
            other => runs.push(("downgrade heads:base".to_string(), other)),
        }
        for (what, result) in runs {
            match result {
                Ok(units) => {
                    for unit in &units {
                        let checked = crate::render::verify::verify_unit(&d, &unit.text);
                        statements += checked.statements;
                        for (stmt, err) in checked.rejected {
                            let mut w = Diagnostic::warning(
                                codes::UNPARSABLE_STATEMENT,
                                format!("{}: {what}: sqlparser cannot parse `{}`: {err}", id.key(), stmt.lines().next().unwrap_or("")),
                            );
                            if let Some(step) = &unit.step {
                                w = w.at(step.span, "this operation's SQL");
                            }
                            diags.push(w);
                        }
                        // The warnings a step carries, once per revision, direction and text.
                        let Some(step) = unit.step.as_ref().filter(|s| !s.warnings.is_empty()) else {
                            continue;
                        };
                        let Some((rev, upgrade)) = step.revision else { continue };
                        let text: Vec<&str> = step.warnings.iter().map(|w| w.message.as_str()).collect();
                        let key = (
                            g.id(rev).to_string(),
                            if upgrade { "upgrade" } else { "downgrade" },
                            d.comment(&text.join("; ")),
                        );
                        let e = warnings.entry(key).or_default();
                        if !e.contains(&id.key()) {
                            e.push(id.key());
                        }
                    }
                }
                Err(e) => {
                    // Once per mistake: a replay error is the same for every
                    // dialect, and for the upgrade and the downgrade that replays it.
                    for mut d in e.0 {
                        // The dialect's name in the text ("needs a length on mysql") stands for the dialects it concerns.
                        d.message = mark_dialect(&d.message, id.key());
                        for l in &mut d.labels {
                            l.message = mark_dialect(&l.message, id.key());
                        }
                        d.help = d.help.map(|h| mark_dialect(&h, id.key()));
                        let labels: Vec<(u32, u32, u32, String)> =
                            d.labels.iter().map(|l| (l.span.file.0, l.span.start, l.span.end, l.message.clone())).collect();
                        let key = (d.code.id(), d.message.clone(), labels, d.help.clone());
                        let (_, _, on) = errors.entry(key).or_insert_with(|| (d, what.clone(), vec![]));
                        if !on.contains(&id.key()) {
                            on.push(id.key());
                        }
                    }
                }
            }
        }
    }
    for (_, (mut d, what, on)) in errors {
        let names = on.join(", ");
        d.message = d.message.replace(DIALECT_MARK, &names);
        for l in &mut d.labels {
            l.message = l.message.replace(DIALECT_MARK, &names);
        }
        d.help = d.help.map(|h| h.replace(DIALECT_MARK, &names));
        d.message = if on.len() == settings.dialects.len() {
            format!("{what}: {}", d.message)
        } else {
            format!("{}: {what}: {}", on.join(", "), d.message)
        };
        diags.push(d);
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    report.push(format!(
        "ok: {} revisions, {} head{}, {statements} statements checked on {}{}",
        g.revs.len(),
        g.heads.len(),
        if g.heads.len() == 1 { "" } else { "s" },
        settings.dialects.iter().map(|id| id.key()).collect::<Vec<_>>().join(", "),
        if settings.model.is_some() { "; head matches the model" } else { "" }
    ));
    for m in &irreversible {
        report.push(format!("warning[{}]: irreversible: {m}", codes::IRREVERSIBLE_REVISION));
    }
    // In order of first appearance; a set, so that a long history stays linear.
    let mut downgrades: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
    for ((rev, dir, text), dialects) in &warnings {
        if *dir == "downgrade" {
            downgrades.insert(rev.as_str());
            continue;
        }
        let on = if dialects.len() == 4 {
            String::new()
        } else {
            format!(" ({})", dialects.join(", "))
        };
        report.push(format!("warning[{}]: {rev}: {text}{on}", codes::LOSSY_UPGRADE));
    }
    if !downgrades.is_empty() {
        report.push(format!(
            "warning[{}]: the downgrades of {} lose data or narrow types (`-- WARNING:` in their scripts)",
            codes::LOSSY_DOWNGRADE,
            list(&downgrades)
        ));
    }
    for d in &diags {
        report.push(format!("warning[{}]: {}", d.code, escape(&d.message)));
    }
    let warnings = report.len() - 1;
    let findings: Vec<Diagnostic> = findings
        .into_iter()
        .map(|((rev, ..), (mut f, on))| {
            f.message = format!("{}: {} ({})", g.id(rev), f.message, on.join(", "));
            f
        })
        .collect();
    if !findings.is_empty() {
        report.push(format!(
            "lint: {} finding{} (`schemac explain CODE` says what each code means)",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        ));
    }
    // Messages and SQL quoted from revisions, for a terminal.
    let lines = report.iter().map(|l| crate::base::text::escape_lines(l).into_owned()).collect();
    Ok(CheckReport { lines, findings, warnings })
}

/// Stands for the dialect's name in a diagnostic while `check` gathers the
/// dialects that share it (a character no message holds).
const DIALECT_MARK: &str = "\u{1}";

/// `text` with each whole-word `key` (a dialect's name) as `DIALECT_MARK`.
fn mark_dialect(text: &str, key: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        let (before, after) = (rest[..i].chars().next_back(), rest[i + key.len()..].chars().next());
        out += &rest[..i];
        out += if word(before) || word(after) { key } else { DIALECT_MARK };
        rest = &rest[i + key.len()..];
    }
    out + rest
}

fn rev_json(g: &Graph, r: usize, verbose: bool) -> serde_json::Value {
    let rev = &g.revs[r];
    let mut v = serde_json::json!({
        "revision": rev.id.v,
        "down_revisions": g.parents[r].iter().map(|&p| g.id(p)).collect::<Vec<_>>(),
        "depends_on": g.deps[r].iter().map(|&p| g.id(p)).collect::<Vec<_>>(),
        "message": rev.message,
        "branch_labels": rev.branch_labels.iter().map(|l| l.v.as_str()).collect::<Vec<_>>(),
        "is_head": g.children[r].is_empty(),
        "is_effective_head": g.children[r].is_empty() && !g.dependents[r].is_empty(),
        "is_branch_point": g.children[r].len() > 1,
        "is_merge_point": g.parents[r].len() > 1,
    });
    if verbose {
        v["path"] = serde_json::json!(rev.path);
        v["operations"] = serde_json::json!(rev.upgrade.iter().map(|o| o.op.name()).collect::<Vec<_>>());
        v["derived_downgrade"] = serde_json::json!(rev.downgrade.is_none());
    }
    v
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `heads --format json`: an array of revisions.
pub fn heads_json(g: &Graph) -> String {
    pretty(&serde_json::Value::Array(g.heads.iter().map(|&h| rev_json(g, h, false)).collect()))
}

/// `branches --format json`: each branch point with its children.
pub fn branches_json(g: &Graph) -> String {
    let items: Vec<serde_json::Value> = g
        .topo
        .iter()
        .filter(|&&r| g.children[r].len() > 1)
        .map(|&r| {
            let mut v = rev_json(g, r, false);
            v["children"] = serde_json::Value::Array(g.children[r].iter().map(|&c| rev_json(g, c, false)).collect());
            v
        })
        .collect();
    pretty(&serde_json::Value::Array(items))
}

/// `history --format json`: the revisions of the range, newest first.
pub fn history_json(g: &Graph, range: Option<&str>, verbose: bool) -> Result<String, Diagnostics> {
    let set = history_set(g, range)?;
    Ok(pretty(&serde_json::Value::Array(set.iter().rev().map(|&r| rev_json(g, r, verbose)).collect())))
}

/// `show REV --format json`: the metadata, the operations and the SQL.
pub fn show_json(c: &Compiler, spec: &str) -> Result<String, Diagnostics> {
    let g = c.graph;
    let r = show_one(g, spec)?;
    let mut v = rev_json(g, r, true);
    v["dialect"] = serde_json::json!(c.dialect.key());
    let range = show_range(g, r);
    v["sql"] = serde_json::json!(c.upgrade(&range)?);
    // The warnings the plan attached to the steps of this revision's upgrade
    // and of its downgrade (none when it has none, or cannot be derived), with their codes.
    let warnings = |units: Vec<crate::compile::Unit>| -> serde_json::Value {
        let list = units.iter().filter_map(|u| u.step.as_ref()).flat_map(|s| &s.warnings);
        list.map(|w| serde_json::json!({ "code": w.code.id(), "message": w.message })).collect()
    };
    v["warnings"] = warnings(c.upgrade_units(&range)?);
    let (start, end) = range.split_once(':').unwrap_or(("base", ""));
    v["downgrade_warnings"] = warnings(c.downgrade_units(&format!("{end}:{start}")).unwrap_or_default());
    Ok(pretty(&v))
}
