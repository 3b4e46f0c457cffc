//! The commands that read the graph and print text rather than a script:
//! heads, branches, history, show, check_migration.

use crate::compile::Compiler;
use crate::config::Settings;
use crate::diag::{Diagnostic, Diagnostics};
use crate::dialect::{Dialect, DialectId};
use crate::graph::Graph;

fn line(g: &Graph, r: usize) -> String {
    let rev = &g.revs[r];
    let down: Vec<&str> = g.parents[r].iter().map(|&p| g.id(p)).collect();
    let down = if down.is_empty() { "<base>".to_string() } else { down.join(", ") };
    let mut tags = vec![];
    if g.children[r].is_empty() {
        tags.push("head");
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
    format!("{down} -> {}{labels}{tags}, {}", rev.id.v, rev.message)
}

pub fn heads(g: &Graph) -> String {
    g.heads
        .iter()
        .map(|&h| {
            let labels: Vec<&str> = g.revs[h].branch_labels.iter().map(|l| l.v.as_str()).collect();
            if labels.is_empty() {
                format!("{} (head)", g.id(h))
            } else {
                format!("{} ({}) (head)", g.id(h), labels.join(", "))
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
                out.push(format!("    -> {}, {}", g.id(c), g.revs[c].message));
            }
        }
    }
    out.join("\n")
}

pub fn history(g: &Graph, range: Option<&str>, verbose: bool) -> Result<String, Diagnostics> {
    let set: Vec<usize> = match range {
        None => g.topo.clone(),
        Some(r) => {
            let (s, e) = r.split_once(':').unwrap_or(("base", r));
            let s = g
                .resolve(if s.is_empty() { "base" } else { s }, None)
                .map_err(|m| Diagnostics::from(Diagnostic::error("E0601", m)))?;
            let e = g
                .resolve(if e.is_empty() { "heads" } else { e }, Some(&s))
                .map_err(|m| Diagnostics::from(Diagnostic::error("E0601", m)))?;
            g.difference(&g.closure(&e), &g.closure(&s))
        }
    };
    let mut out = vec![];
    for &r in set.iter().rev() {
        out.push(line(g, r));
        if verbose {
            let rev = &g.revs[r];
            out.push(format!("    file: {}", rev.path));
            out.push(format!(
                "    operations: {}",
                rev.upgrade.iter().map(|o| o.op.name()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(out.join("\n"))
}

pub fn show(c: &Compiler, spec: &str) -> Result<String, Diagnostics> {
    let g = c.graph;
    let tips = g.resolve(spec, None).map_err(|m| Diagnostics::from(Diagnostic::error("E0601", m)))?;
    let [r] = tips.as_slice() else {
        return Err(Diagnostic::error("E0601", format!("`{spec}` names {} revisions; show takes one", tips.len())).into());
    };
    let rev = &g.revs[*r];
    let mut out = format!("Rev: {}\n", rev.id.v);
    let parents: Vec<&str> = g.parents[*r].iter().map(|&p| g.id(p)).collect();
    out += &format!("Parent: {}\n", if parents.is_empty() { "<base>".to_string() } else { parents.join(", ") });
    if !rev.branch_labels.is_empty() {
        out += &format!(
            "Branch names: {}\n",
            rev.branch_labels.iter().map(|l| l.v.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    out += &format!("Path: {}\n\n    {}\n\n", rev.path, rev.message);
    out += &format!("Operations: {}\n\n", rev.upgrade.iter().map(|o| o.op.name()).collect::<Vec<_>>().join(", "));
    let from = if parents.is_empty() { "base".to_string() } else { parents.join(",") };
    let _ = from;
    let range = format!(
        "{}:{}",
        if g.parents[*r].is_empty() {
            "base".to_string()
        } else {
            format!("{}-1", rev.id.v)
        },
        rev.id.v
    );
    out += &c.upgrade(&range)?;
    Ok(out)
}

/// Compiles every revision up and down for every dialect and parses the SQL back.
pub fn check(g: &Graph, settings: &Settings) -> Result<String, Diagnostics> {
    let mut diags = vec![];
    let mut report = vec![];
    if g.heads.len() > 1 {
        diags.push(
            Diagnostic::error(
                "E0701",
                format!(
                    "branches found; merge them: heads {}",
                    g.heads.iter().map(|&h| g.id(h)).collect::<Vec<_>>().join(", ")
                ),
            )
            .help("schemac merge HEAD HEAD -m \"merge\""),
        );
    }
    let mut statements = 0;
    for id in [DialectId::Sqlite, DialectId::Postgresql, DialectId::Mysql, DialectId::Mariadb] {
        let d = Dialect::load(id, None).map_err(|e| Diagnostics::from(Diagnostic::error("E0014", e)))?;
        let c = Compiler::new(g, settings, d.clone());
        for (what, result) in [
            ("upgrade base:heads", c.upgrade("base:heads")),
            ("downgrade heads:base", c.downgrade("heads:base")),
        ] {
            match result {
                Ok(sql) => {
                    let bad = crate::verify::verify(&d, &sql);
                    statements += crate::verify::statements(&sql).len();
                    for (stmt, err) in bad {
                        diags.push(Diagnostic::warning(
                            "W0702",
                            format!("{}: {what}: sqlparser cannot parse `{}`: {err}", id.key(), stmt.lines().next().unwrap_or("")),
                        ));
                    }
                }
                Err(mut e) => {
                    for d in e.0.iter_mut() {
                        d.message = format!("{}: {what}: {}", id.key(), d.message);
                    }
                    diags.extend(e.0);
                }
            }
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    report.push(format!(
        "ok: {} revisions, {} heads, {statements} statements checked on sqlite, postgresql, mysql, mariadb",
        g.revs.len(),
        g.heads.len()
    ));
    for d in &diags {
        report.push(format!("warning[{}]: {}", d.code, d.message));
    }
    Ok(report.join("\n"))
}
