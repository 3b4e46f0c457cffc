//! The equivalences offline, on schemac's own model through the library:
//! after every revision of a generated chain, the schema schemac replays
//! is the generator's (columns, neutral types, nullability, defaults, keys,
//! foreign keys with actions, indexes, checks), and replaying `base:b` then
//! `b:head` gives the schema of replaying `base:head` at once.

use super::gen::{generate, Chain};
use super::model::{canon, Lit, Schema as Expected, Ty};
use schemac::base::diag::{Format, Sources};
use schemac::compile::Compiler;
use schemac::dialect::{Dialect, DialectId};
use schemac::graph::Graph;
use schemac::language::config::Settings;
use schemac::replay::model::{ColumnType, Constraint, FkAction, Schema, Value};
use std::collections::{BTreeMap, BTreeSet};

type Lines = BTreeMap<String, BTreeSet<String>>;

fn list(cols: &[String]) -> String {
    format!("({})", cols.join(", "))
}

fn action(a: &str) -> String {
    a.to_lowercase().replace([' ', '_'], "")
}

fn neutral(ty: &Ty) -> String {
    match ty {
        Ty::Enum(name, _) => format!("enum {name}"),
        Ty::Choice(name, _) => format!("enum {name} (not native)"),
        other => other.toml().trim_matches('"').to_owned(),
    }
}

fn of_schemac(schema: &Schema) -> Lines {
    let mut out = Lines::new();
    for (name, t) in &schema.tables {
        let mut lines = BTreeSet::new();
        for c in t.columns.values() {
            let default = match &c.default {
                None | Some(Value::Null) => "none".to_owned(),
                Some(Value::Bool(b)) => canon(&b.to_string()),
                Some(Value::Int(i)) => canon(&i.to_string()),
                Some(Value::Float(f)) => canon(f),
                Some(Value::String(s)) | Some(Value::Temporal(s)) => canon(s),
                Some(Value::Current(_)) => "CURRENT_TIMESTAMP".to_owned(),
                Some(Value::Sql(_)) => "sql".to_owned(),
                Some(Value::Next(q)) => format!("next {q}"),
            };
            let ty = match &c.ty {
                ColumnType::Enum(e) if e.native => format!("enum {}", e.name),
                other => other.neutral(),
            };
            let generated = c
                .generated
                .as_ref()
                .map(|g| g.expr.0.values().cloned().collect::<Vec<_>>().join("|"))
                .unwrap_or_default();
            lines.insert(format!(
                "column {} {ty} nullable {} default {default} generated {generated}",
                c.name, c.nullable
            ));
        }
        for k in &t.constraints {
            lines.insert(match k {
                Constraint::PrimaryKey { name, columns } => format!("pk {name} {}", list(columns)),
                Constraint::Unique { name, columns } => format!("unique {name} {}", list(columns)),
                Constraint::Check { name, .. } => format!("check {name}"),
                Constraint::ForeignKey(f) => {
                    let a = |x: Option<FkAction>| x.map(|x| action(&format!("{x:?}"))).unwrap_or_else(|| "none".into());
                    format!(
                        "fk {} {} -> {} {} {} {}",
                        f.name,
                        list(&f.columns),
                        f.ref_table,
                        list(&f.ref_columns),
                        a(f.on_delete),
                        a(f.on_update)
                    )
                }
            });
        }
        for i in &t.indexes {
            lines.insert(format!("index {} {} {}", i.name, list(&i.columns), i.unique));
        }
        // A qualified name is `schema\0name` in schemac's model, `schema.name` in the generator's.
        let lines = lines.into_iter().map(|l| l.replace('\0', ".")).collect();
        out.insert(name.replace('\0', "."), lines);
    }
    for name in schema.namespaces.keys() {
        out.entry("(schemas)".into()).or_default().insert(name.clone());
    }
    for (name, q) in schema.sequences.iter() {
        out.entry("(sequences)".into()).or_default().insert(format!(
            "{} start {:?} increment {} min {:?} max {:?} cycle {}",
            name.replace('\0', "."),
            q.start,
            // schemac keeps an increment of 1 as none given (the default).
            q.increment.unwrap_or(1),
            q.min,
            q.max,
            q.cycle
        ));
    }
    out
}

fn of_model(schema: &Expected) -> Lines {
    let mut out = Lines::new();
    for t in &schema.tables {
        let mut lines = BTreeSet::new();
        for c in &t.cols {
            let default = match &c.default {
                Some(Lit::Next(seq)) => format!("next {seq}"),
                d => d.as_ref().map(|d| d.canon()).unwrap_or_else(|| "none".into()),
            };
            let generated = c.generated.as_ref().map(|g| g.sql()).unwrap_or_default();
            lines.insert(format!(
                "column {} {} nullable {} default {default} generated {generated}",
                c.name,
                neutral(&c.ty),
                c.nullable
            ));
        }
        if t.has_pk {
            lines.insert(format!("pk {} (id)", t.pk_name));
        }
        for u in &t.uniques {
            lines.insert(format!("unique {} {}", u.name, list(&u.cols)));
        }
        for c in &t.checks {
            lines.insert(format!("check {}", c.name));
        }
        for f in &t.fks {
            let a = |x: Option<&str>| x.map(action).unwrap_or_else(|| "none".into());
            lines.insert(format!(
                "fk {} {} -> {} {} {} {}",
                f.name,
                list(&f.cols),
                f.ref_table,
                list(&f.ref_cols),
                a(f.on_delete),
                a(f.on_update)
            ));
        }
        for i in &t.indexes {
            // schemac's model holds an expression element's text.
            let mut cols = i.cols.clone();
            if i.special == Some(super::model::Special::Lower) {
                cols[0] = format!("lower({})", cols[0]);
            }
            lines.insert(format!("index {} {} {}", i.name, list(&cols), i.unique));
        }
        out.insert(t.name.clone(), lines);
    }
    for name in &schema.namespaces {
        out.entry("(schemas)".into()).or_default().insert(name.clone());
    }
    for (name, q) in &schema.sequences {
        out.entry("(sequences)".into()).or_default().insert(format!(
            "{name} start {:?} increment {} min {:?} max {:?} cycle {}",
            q.start,
            q.increment.unwrap_or(1),
            Some(q.min),
            Some(q.max),
            q.cycle.unwrap_or(false)
        ));
    }
    out
}

fn diff(want: &Lines, got: &Lines) -> Vec<String> {
    let mut out = Vec::new();
    let empty = BTreeSet::new();
    for name in want.keys().chain(got.keys()).collect::<BTreeSet<_>>() {
        let (w, g) = (want.get(name).unwrap_or(&empty), got.get(name).unwrap_or(&empty));
        out.extend(w.difference(g).map(|x| format!("{name:?}: missing {x}")));
        out.extend(g.difference(w).map(|x| format!("{name:?}: unexpected {x}")));
    }
    out
}

/// The mismatches of one chain, offline.
pub fn check_chain(chain: &Chain) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    chain.write(dir.path()).unwrap();
    let mut sources = Sources::default();
    let revs = match schemac::language::load::load_dir(&dir.path().join("revisions"), &mut sources) {
        Ok(r) => r,
        Err(d) => return vec![sources.render(&d.0, Format::Short)],
    };
    let graph = match Graph::build(revs) {
        Ok(g) => g,
        Err(d) => return vec![sources.render(&d.0, Format::Short)],
    };
    let settings = Settings::default();
    let compiler = Compiler::new(&graph, &settings, Dialect::load(DialectId::Postgresql, None).unwrap());
    let replay = |set: &schemac::graph::RevSet, schema: &mut Schema| {
        let mut diags = Vec::new();
        compiler.replay_set(set, schema, &mut diags);
        diags.iter().filter(|d| d.is_error()).map(|d| format!("{d:?}")).collect::<Vec<_>>()
    };
    let closure = |id: &str| graph.closure(&[graph.by_id[id]]);
    let checkpoints = chain.checkpoints().expect("a valid chain");
    let mut out = Vec::new();
    let head = &checkpoints.last().unwrap().rev;
    let mut whole = Schema::default();
    out.extend(replay(&closure(head), &mut whole));
    for cp in &checkpoints[1..] {
        let mut schema = Schema::default();
        let before = closure(&cp.rev);
        out.extend(replay(&before, &mut schema));
        out.extend(
            diff(&of_model(&cp.schema), &of_schemac(&schema))
                .into_iter()
                .map(|d| format!("after {}: {d}", cp.rev)),
        );
        // base:b then b:head is base:head.
        let rest: schemac::graph::RevSet = closure(head).difference(&before).copied().collect();
        out.extend(replay(&rest, &mut schema));
        if schema != whole {
            out.push(format!(
                "replaying base:{} then {}:head differs from base:head: {:?}",
                cp.rev,
                cp.rev,
                diff(&of_schemac(&whole), &of_schemac(&schema))
            ));
        }
    }
    out
}

#[test]
fn offline_equivalences() {
    let chains = std::env::var("SCHEMAC_CONFORMANCE_CHAINS").ok().and_then(|v| v.parse().ok()).unwrap_or(20u64);
    let mut failures = Vec::new();
    for seed in 1..=chains {
        let problems = check_chain(&generate(seed, 20));
        if !problems.is_empty() {
            failures.push(format!("seed {seed}:\n  {}", problems.join("\n  ")));
        }
    }
    eprintln!("offline: {chains} chains, {} with mismatches", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
