//! The pipeline driver for the SQL-producing commands: resolves a range on
//! the graph, replays revisions into the model, plans each revision for the
//! dialect, renders steps, and assembles the script (header, version table,
//! per-revision comments, transactions, version bookkeeping). Nothing is
//! written here: the caller writes the returned text only on success.

use crate::codes;
use crate::config::{Settings, TransactionMode};
use crate::diag::{Diagnostic, Diagnostics, Sp, Span};
use crate::dialect::Dialect;
use crate::graph::{Graph, RevIx, RevSet};
use crate::inverse::inverse;
use crate::model::{Constraint, Schema};
use crate::ops::{DerivedNote, Op, OpNode};
use crate::plan::{Placement, Planner, Step};
use crate::render::{ctx, Renderer};
use crate::replay::{Change, Replayer};
use minijinja::context;
use std::io::Write;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One revision's planned SQL.
pub(crate) struct Block {
    comment: String,
    steps: Vec<Step>,
    version: Vec<(&'static str, minijinja::Value)>,
    transactional: bool,
}

pub struct Compiler<'a> {
    pub graph: &'a Graph,
    pub settings: &'a Settings,
    pub dialect: Dialect,
    renderer: Renderer,
    /// The version table's name, for the version statements' contexts.
    vt: minijinja::Value,
    /// Each revision's upgrade operations, moved out of the graph by
    /// `upgrade_once`: `upgrade` then drops each list once it is planned, so
    /// that the decoded history and the model at its end are never both in memory.
    owned: Option<std::sync::Mutex<Vec<Vec<OpNode>>>>,
}

fn range_error(msg: String) -> Diagnostics {
    Diagnostic::error(codes::BAD_RANGE, msg).into()
}

impl<'a> Compiler<'a> {
    pub fn new(graph: &'a Graph, settings: &'a Settings, dialect: Dialect) -> Compiler<'a> {
        let renderer = Renderer::new(&dialect);
        Compiler {
            graph,
            settings,
            dialect,
            renderer,
            vt: minijinja::Value::from(settings.version_table.as_str()),
            owned: None,
        }
    }

    /// A compiler for one `upgrade`, given the upgrade operations taken out of
    /// `graph` (`Graph::take_upgrades`): each is used once and then dropped.
    pub fn upgrade_once(graph: &'a Graph, settings: &'a Settings, dialect: Dialect, ops: Vec<Vec<OpNode>>) -> Compiler<'a> {
        Compiler {
            owned: Some(std::sync::Mutex::new(ops)),
            ..Compiler::new(graph, settings, dialect)
        }
    }

    /// The upgrade operations of a revision: borrowed from the graph, or
    /// taken from those `upgrade_once` was given (a second call gets none).
    fn upgrade_ops(&self, r: RevIx) -> std::borrow::Cow<'a, [OpNode]> {
        match &self.owned {
            None => std::borrow::Cow::Borrowed(&self.graph.revs[r].upgrade),
            Some(owned) => {
                let mut owned = owned.lock().unwrap_or_else(|e| e.into_inner());
                std::borrow::Cow::Owned(owned.get_mut(r).map(std::mem::take).unwrap_or_default())
            }
        }
    }

    fn replayer(&self) -> Replayer<'a> {
        Replayer { naming: &self.settings.naming }
    }

    /// Replays the revisions of a closed set into a schema, in topological order.
    pub fn replay_set(&self, set: &RevSet, schema: &mut Schema, diags: &mut Vec<Diagnostic>) {
        let r = self.replayer();
        for &pos in set {
            for node in self.upgrade_ops(self.graph.topo[pos]).iter() {
                if let Err(d) = r.apply(schema, node) {
                    diags.push(d);
                }
            }
        }
    }

    /// Plans a list of operations on top of `schema`, for one revision.
    fn plan_ops(&self, ops: &[OpNode], schema: &mut Schema, diags: &mut Vec<Diagnostic>) -> Vec<Step> {
        let r = self.replayer();
        let mut p = Planner::new(&self.dialect);
        for node in ops {
            p.pre(&node.op, schema);
            match r.apply(schema, node) {
                Ok(change) => {
                    let warning = node.derived.as_ref().and_then(|d| d.warning.clone());
                    p.post(change, node.span, warning, schema);
                }
                Err(d) => diags.push(d),
            }
        }
        p.flush_all(schema);
        diags.append(&mut p.diags);
        p.steps
    }

    fn parse_range(&self, range: &str, upgrade: bool) -> Result<(Vec<RevIx>, Vec<RevIx>), Diagnostics> {
        let g = self.graph;
        let (start, end) = match range.split_once(':') {
            Some((s, e)) => (s.to_string(), e.to_string()),
            None if upgrade => ("base".to_string(), range.to_string()),
            None if range.starts_with('-') => ("head".to_string(), range.to_string()),
            None => {
                return Err(range_error(format!(
                    "`downgrade {range}` needs a start: write `downgrade START:{range}` (offline, schemac cannot read the current revision)"
                )))
            }
        };
        let start = if start.is_empty() { "base".to_string() } else { start };
        let s = g.resolve(&start, None).map_err(range_error)?;
        let e = g.resolve(&end, Some(&s)).map_err(range_error)?;
        Ok((s, e))
    }

    fn header(&self, command: &str) -> Result<String, Diagnostics> {
        let ctx = context! {
            schemac_version => VERSION,
            command,
            dialect => self.dialect.key(),
            version => self.dialect.version.to_string(),
            apply => self.dialect.apply_hint(),
            notes => Vec::<String>::new(),
        };
        self.render("header.sql", &ctx)
    }

    fn render(&self, template: &str, ctx: &minijinja::Value) -> Result<String, Diagnostics> {
        self.renderer.render(template, ctx).map_err(render_error)
    }

    fn vt(&self) -> minijinja::Value {
        self.vt.clone()
    }

    /// The version table; `if_not_exists` for stamp, which may meet it already there.
    fn version_create(&self, if_not_exists: bool) -> (&'static str, minijinja::Value) {
        let pk = crate::naming::Naming::make(&self.settings.naming.primary_key, &self.settings.version_table, &[], "");
        ("version_create.sql", context! { table => self.vt(), pk, if_not_exists })
    }

    /// SQL for `upgrade RANGE`, as text.
    pub fn upgrade(&self, range: &str) -> Result<String, Diagnostics> {
        self.script_text(|c, out| c.upgrade_into(range, out))
    }

    /// SQL for `upgrade RANGE`, written as it is planned.
    pub fn upgrade_into(&self, range: &str, out: &mut dyn Write) -> Result<(), Diagnostics> {
        let g = self.graph;
        let (s, e) = self.parse_range(range, true)?;
        let from = g.closure(&s);
        let to = g.closure(&e);
        if !from.is_subset(&to) {
            return Err(range_error(format!(
                "`{range}`: the end is not a descendant of the start; to go back, use downgrade"
            )));
        }
        let mut diags = vec![];
        let mut schema = Schema::default();
        self.replay_set(&from, &mut schema, &mut diags);
        let mut heads: Vec<RevIx> = s.clone();
        let revs = g.difference(&to, &from);
        let mut pre = vec![];
        if s.is_empty() && !revs.is_empty() {
            pre.push(self.version_create(false));
        }
        let next = |i: usize, diags: &mut Vec<Diagnostic>| {
            let r = revs[i];
            let rev = &g.revs[r];
            let steps = self.plan_ops(&self.upgrade_ops(r), &mut schema, diags);
            let parents = &g.parents[r];
            let version = self.version_up(&mut heads, r, parents);
            let mut comment = String::with_capacity(48 + rev.message.len());
            comment.push_str("Running upgrade ");
            self.push_ids(&mut comment, parents);
            comment.push_str(" -> ");
            comment.push_str(&rev.id.v);
            comment.push_str(", ");
            comment.push_str(&rev.message);
            Block {
                comment,
                steps,
                version,
                transactional: rev.transactional,
            }
        };
        self.stream(out, &format!("upgrade {range}"), &pre, &[], revs.len(), diags, next)
    }

    /// Plans blocks in chunks and writes each chunk as it is rendered. With
    /// more than one chunk, a second thread renders a chunk while this one
    /// plans the next (planning is sequential: each revision changes the
    /// schema the next is planned on); the texts are written in order.
    /// With errors, planning goes on (to report them all) but nothing more is written.
    #[allow(clippy::too_many_arguments)]
    fn stream(
        &self,
        out: &mut dyn Write,
        command: &str,
        pre: &[(&'static str, minijinja::Value)],
        post: &[(&'static str, minijinja::Value)],
        n: usize,
        mut diags: Vec<Diagnostic>,
        mut next: impl FnMut(usize, &mut Vec<Diagnostic>) -> Block,
    ) -> Result<(), Diagnostics> {
        const CHUNK: usize = 512;
        if ScriptWriter::needs_all_blocks(self) {
            let blocks: Vec<Block> = (0..n).map(|i| next(i, &mut diags)).collect();
            if !diags.is_empty() {
                return Err(Diagnostics(diags));
            }
            let any_fk_off = blocks.iter().any(|b| b.steps.iter().any(|s| s.foreign_keys_off));
            let mut w = ScriptWriter::start(self, out, command, pre, any_fk_off)?;
            w.blocks(&blocks)?;
            return w.finish(post);
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let mut w = ScriptWriter::start(self, out, command, pre, false)?;
        if n <= CHUNK {
            let blocks: Vec<Block> = (0..n).map(|i| next(i, &mut diags)).collect();
            if !diags.is_empty() {
                return Err(Diagnostics(diags));
            }
            w.blocks(&blocks)?;
            return w.finish(post);
        }
        let spelling = w.spelling.clone();
        std::thread::scope(|scope| -> Result<(), Diagnostics> {
            // At most one planned chunk waits while another is rendered; the
            // rendered texts come back in order, their buffers go back for reuse.
            let (to_render, planned) = std::sync::mpsc::sync_channel::<Vec<Block>>(1);
            // The planned blocks come back with their text, to be dropped
            // here: rendering is the longer stage, and freeing a chunk's
            // contexts is a tenth of its work.
            type Rendered = (Result<Vec<u8>, Diagnostics>, Vec<Block>);
            let (to_write, rendered) = std::sync::mpsc::channel::<Rendered>();
            let (to_reuse, spare) = std::sync::mpsc::channel::<Vec<u8>>();
            let renderer = scope.spawn(move || {
                for blocks in planned {
                    let mut buf = spare.try_recv().unwrap_or_default();
                    let text = spelling.blocks(&blocks, &mut buf).map(|()| buf);
                    if to_write.send((text, blocks)).is_err() {
                        break;
                    }
                }
            });
            let write = |(text, blocks): Rendered, w: &mut ScriptWriter| -> Result<(), Diagnostics> {
                drop(blocks);
                let mut text = text?;
                w.put(&text)?;
                text.clear();
                let _ = to_reuse.send(text);
                Ok(())
            };
            let mut start = 0;
            while start < n {
                let end = (start + CHUNK).min(n);
                let blocks: Vec<Block> = (start..end).map(|i| next(i, &mut diags)).collect();
                if diags.is_empty() && to_render.send(blocks).is_err() {
                    break;
                }
                while let Ok(text) = rendered.try_recv() {
                    write(text, &mut w)?;
                }
                start = end;
            }
            drop(to_render);
            for text in rendered {
                write(text, &mut w)?;
            }
            renderer.join().map_err(|_| {
                Diagnostics::from(
                    Diagnostic::error(codes::INTERNAL_ERROR, "internal error: the rendering thread failed").help("this is a bug in schemac; please report it"),
                )
            })
        })?;
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        w.finish(post)
    }

    fn script_text(&self, f: impl FnOnce(&Self, &mut dyn Write) -> Result<(), Diagnostics>) -> Result<String, Diagnostics> {
        let mut buf = Vec::new();
        f(self, &mut buf)?;
        String::from_utf8(buf).map_err(|_| Diagnostics::from(Diagnostic::error(codes::INTERNAL_ERROR, "internal error: the script is not UTF-8")))
    }

    /// Revision ids joined with ", ", or `base` for none.
    fn push_ids(&self, out: &mut String, revs: &[RevIx]) {
        if revs.is_empty() {
            out.push_str("base");
        }
        for (i, &r) in revs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(self.graph.id(r));
        }
    }

    /// The version statements of upgrading to `r` from the `heads` recorded so far.
    fn version_up(&self, heads: &mut Vec<RevIx>, r: RevIx, parents: &[RevIx]) -> Vec<(&'static str, minijinja::Value)> {
        let g = self.graph;
        let rev = g.id(r);
        let mut present = parents.iter().copied().filter(|p| heads.contains(p));
        let mut out = Vec::with_capacity(1);
        match present.next() {
            None => out.push(("version_insert.sql", ctx! { table => self.vt(), rev })),
            Some(first) => {
                out.push(("version_update.sql", ctx! { table => self.vt(), rev, old => g.id(first) }));
                for o in present {
                    out.push(("version_delete.sql", ctx! { table => self.vt(), rev => g.id(o) }));
                }
            }
        }
        heads.retain(|h| !parents.contains(h));
        heads.push(r);
        out
    }

    /// SQL for `downgrade RANGE`, as text.
    pub fn downgrade(&self, range: &str) -> Result<String, Diagnostics> {
        self.script_text(|c, out| c.downgrade_into(range, out))
    }

    /// SQL for `downgrade RANGE`, written as it is planned.
    pub fn downgrade_into(&self, range: &str, out: &mut dyn Write) -> Result<(), Diagnostics> {
        let g = self.graph;
        let (s, e) = self.parse_range(range, false)?;
        let from = g.closure(&s);
        let to = g.closure(&e);
        if !to.is_subset(&from) {
            return Err(range_error(format!(
                "`{range}`: the end is not an ancestor of the start; to go forward, use upgrade"
            )));
        }
        let undo = g.difference(&from, &to);
        let mut diags = vec![];
        let mut schema = Schema::default();
        self.replay_set(&to, &mut schema, &mut diags);
        // Forward over the revisions to undo, deriving the downgrades that are not written.
        let r = self.replayer();
        let mut derived: Vec<Vec<OpNode>> = vec![];
        for &rx in &undo {
            let rev = &g.revs[rx];
            let mut changes: Vec<(Change, Span)> = vec![];
            for node in &rev.upgrade {
                match r.apply(&mut schema, node) {
                    Ok(c) => changes.push((c, node.span)),
                    Err(d) => diags.push(d),
                }
            }
            if rev.downgrade.is_some() {
                derived.push(vec![]);
                continue;
            }
            // A table created here is dropped by the downgrade with all it holds:
            // the inverses of the other changes to it are not needed (and MySQL
            // may refuse them, e.g. dropping an index a foreign key uses).
            let created: Vec<String> = changes
                .iter()
                .filter_map(|(c, _)| match c {
                    Change::CreateTable { name, .. } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            // The created tables are dropped in the reverse order of their
            // creation. A foreign key (made by create_foreign_key or add_column)
            // from one of them to one created after it is dropped first, or the
            // table it refers to would go while it still refers to it.
            let mut ops = vec![];
            for (i, name) in created.iter().enumerate() {
                let Some(t) = schema.tables.get(name) else { continue };
                let span = changes
                    .iter()
                    .find(|(c, _)| matches!(c, Change::CreateTable { name: n, .. } if n == name))
                    .map(|(_, span)| *span)
                    .unwrap_or(rev.id.span);
                for k in &t.constraints {
                    if let Constraint::ForeignKey(fk) = k {
                        if created[i + 1..].contains(&fk.ref_table) {
                            ops.push(OpNode {
                                op: Op::DropConstraint {
                                    table: Sp::new(name.clone(), span),
                                    name: Sp::new(fk.name.clone(), span),
                                },
                                span,
                                derived: Some(DerivedNote { warning: None }),
                            });
                        }
                    }
                }
            }
            for (c, span) in changes.iter().rev() {
                let on_created = match c {
                    Change::CreateTable { .. } => false,
                    Change::Insert { table, .. } => created.contains(table),
                    other => other.altered_table().is_some_and(|t| created.contains(&t.to_string())),
                };
                if on_created {
                    continue;
                }
                match inverse(c, *span, &rev.id.v) {
                    Ok(mut inv) => ops.append(&mut inv),
                    Err(d) => diags.push(d),
                }
            }
            derived.push(ops);
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let mut heads: Vec<RevIx> = s.clone();
        let mut post = vec![];
        if e.is_empty() && !undo.is_empty() {
            post.push(("version_drop.sql", context! { table => self.vt() }));
        }
        let n = undo.len();
        let next = |k: usize, diags: &mut Vec<Diagnostic>| {
            let i = n - 1 - k;
            let rx = undo[i];
            let rev = &g.revs[rx];
            let ops = rev.downgrade.as_ref().unwrap_or(&derived[i]);
            let steps = self.plan_ops(ops, &mut schema, diags);
            let parents = &g.parents[rx];
            let version = self.version_down(&mut heads, rx, parents);
            let mut comment = String::with_capacity(48 + rev.message.len());
            comment.push_str("Running downgrade ");
            comment.push_str(&rev.id.v);
            comment.push_str(" -> ");
            self.push_ids(&mut comment, parents);
            comment.push_str(", ");
            comment.push_str(&rev.message);
            Block {
                comment,
                steps,
                version,
                transactional: rev.transactional,
            }
        };
        self.stream(out, &format!("downgrade {range}"), &[], &post, n, vec![], next)
    }

    /// The version statements of downgrading `rx` to its parents, from the `heads` recorded so far.
    fn version_down(&self, heads: &mut Vec<RevIx>, rx: RevIx, parents: &[RevIx]) -> Vec<(&'static str, minijinja::Value)> {
        let g = self.graph;
        let rev = g.id(rx);
        heads.retain(|&h| h != rx);
        let covered = g.closure(heads);
        let new: Vec<RevIx> = parents.iter().copied().filter(|&p| !covered.contains(&g.topo_pos[p])).collect();
        let mut out = Vec::with_capacity(1);
        match new.split_first() {
            None => out.push(("version_delete.sql", ctx! { table => self.vt(), rev })),
            Some((&first, rest)) => {
                out.push(("version_update.sql", ctx! { table => self.vt(), rev => g.id(first), old => rev }));
                for &o in rest {
                    out.push(("version_insert.sql", ctx! { table => self.vt(), rev => g.id(o) }));
                }
            }
        }
        heads.extend(new);
        out
    }

    /// SQL that creates the head schema directly and stamps the heads.
    pub fn create_schema(&self) -> Result<String, Diagnostics> {
        let g = self.graph;
        let all: RevSet = (0..g.topo.len()).collect();
        let mut diags = vec![];
        let mut schema = Schema::default();
        self.replay_set(&all, &mut schema, &mut diags);
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let mut p = Planner::new(&self.dialect);
        p.create_schema(&schema, Span::default());
        if !p.diags.is_empty() {
            return Err(Diagnostics(p.diags));
        }
        let version: Vec<_> = g
            .heads
            .iter()
            .map(|&h| ("version_insert.sql", context! { table => self.vt(), rev => g.id(h) }))
            .collect();
        let heads: Vec<&str> = g.heads.iter().map(|&h| g.id(h)).collect();
        let block = Block {
            comment: format!("Creating the schema at {} directly", heads.join(", ")),
            steps: p.steps,
            version,
            transactional: true,
        };
        self.assemble("create_schema", vec![self.version_create(false)], vec![block], vec![])
    }

    /// SQL that records REVISION as the current one(s).
    pub fn stamp(&self, spec: &str) -> Result<String, Diagnostics> {
        let tips = self.graph.resolve(spec, None).map_err(range_error)?;
        let mut version = vec![("stamp_clear.sql", context! { table => self.vt() })];
        for &t in &tips {
            version.push(("version_insert.sql", context! { table => self.vt(), rev => self.graph.id(t) }));
        }
        let block = Block {
            comment: format!("Stamping {spec}"),
            steps: vec![],
            version,
            transactional: true,
        };
        self.assemble(&format!("stamp {spec}"), vec![self.version_create(true)], vec![block], vec![])
    }

    /// The script of `populate`: the planned upserts in one transaction
    /// where the dialect has transactional DDL, and no version bookkeeping.
    pub fn populate(&self, steps: Vec<Step>, files: usize) -> Result<String, Diagnostics> {
        let block = Block {
            comment: format!("Reference data from {files} populate file{}", if files == 1 { "" } else { "s" }),
            steps,
            version: vec![],
            transactional: true,
        };
        self.assemble("populate", vec![], vec![block], vec![])
    }

    /// The query that reads the current revision(s).
    pub fn current(&self) -> Result<String, Diagnostics> {
        self.render("current.sql", &context! { table => self.vt() })
    }

    /// Assembles a whole script in memory (for the small ones: create_schema, stamp, populate).
    fn assemble(
        &self,
        command: &str,
        pre: Vec<(&'static str, minijinja::Value)>,
        blocks: Vec<Block>,
        post: Vec<(&'static str, minijinja::Value)>,
    ) -> Result<String, Diagnostics> {
        let mut buf = Vec::new();
        let any_fk_off = blocks.iter().any(|b| b.steps.iter().any(|s| s.foreign_keys_off));
        let mut w = ScriptWriter::start(self, &mut buf, command, &pre, any_fk_off)?;
        w.blocks(&blocks)?;
        w.finish(&post)?;
        String::from_utf8(buf).map_err(|_| Diagnostics::from(Diagnostic::error(codes::INTERNAL_ERROR, "internal error: the script is not UTF-8")))
    }
}

/// How revision blocks are spelled: the transaction mode and the
/// statements whose templates take no context, rendered once per script.
#[derive(Clone)]
struct Spelling<'c> {
    c: &'c Compiler<'c>,
    single: bool,
    txn_ddl: bool,
    begin: String,
    commit: String,
    fk_off: String,
    fk_on: String,
}

/// Writes a script as its blocks arrive, so that a long history is never
/// held in memory as text. Trailing blank lines are held back, so the
/// script ends with exactly one newline whatever its last block was.
pub(crate) struct ScriptWriter<'c, 'w> {
    spelling: Spelling<'c>,
    out: &'w mut dyn Write,
    any_fk_off: bool,
    /// The text being assembled, before `put`.
    buf: Vec<u8>,
    /// Newlines held back at the end of what was written.
    newlines: usize,
}

fn io_error(e: std::io::Error) -> Diagnostics {
    Diagnostic::error(codes::CANNOT_WRITE_SCRIPT, format!("cannot write the script: {e}")).into()
}

fn render_error(e: String) -> Diagnostics {
    Diagnostics::from(Diagnostic::error(codes::INTERNAL_ERROR, format!("internal error rendering SQL: {e}")).help("this is a bug in schemac; please report it"))
}

impl Spelling<'_> {
    fn render(&self, template: &str, ctx: &minijinja::Value, buf: &mut Vec<u8>) -> Result<(), Diagnostics> {
        self.c.renderer.render_into(template, ctx, buf).map_err(render_error)
    }

    /// Renders revision blocks at the end of `buf`.
    fn blocks(&self, blocks: &[Block], buf: &mut Vec<u8>) -> Result<(), Diagnostics> {
        let c = self.c;
        let single = self.single;
        for b in blocks {
            buf.extend_from_slice(b"-- ");
            // Control characters are C0, DEL and C1 (0xC2 0x80..0x9F in UTF-8):
            // a byte scan finds the rare comment that may hold one.
            let suspect = b.comment.bytes().any(|x| x < 0x20 || x == 0x7f || x == 0xc2);
            if suspect && b.comment.chars().any(char::is_control) {
                buf.extend_from_slice(c.dialect.comment(&b.comment).as_bytes());
            } else {
                buf.extend_from_slice(b.comment.as_bytes());
            }
            buf.extend_from_slice(b"\n\n");
            let txn = self.txn_ddl && !single && b.transactional;
            let fk_off = !single && b.steps.iter().any(|s| s.foreign_keys_off);
            if fk_off {
                buf.extend_from_slice(self.fk_off.as_bytes());
            }
            // A transaction is opened before the first statement that runs in one,
            // and closed before a statement that cannot.
            let mut open = false;
            for s in &b.steps {
                let outside = s.placement == Placement::OutsideTransaction;
                if outside && (open || single) {
                    buf.extend_from_slice(self.commit.as_bytes());
                    buf.extend_from_slice(b"-- Outside a transaction: this statement cannot run in one.\n");
                    open = false;
                } else if !outside && txn && !open {
                    buf.extend_from_slice(self.begin.as_bytes());
                    buf.push(b'\n');
                    open = true;
                }
                if let Some(w) = &s.warning {
                    buf.extend_from_slice(b"-- WARNING: ");
                    buf.extend_from_slice(c.dialect.comment(w).as_bytes());
                    buf.push(b'\n');
                }
                c.renderer.render_into(s.template, &s.ctx, buf).map_err(|e| {
                    Diagnostics::from(
                        Diagnostic::error(codes::INTERNAL_ERROR, format!("internal error rendering SQL: {e}"))
                            .at(s.span, "while compiling this")
                            .help("this is a bug in schemac; please report it"),
                    )
                })?;
                buf.push(b'\n');
                if outside && single {
                    buf.extend_from_slice(self.begin.as_bytes());
                    buf.push(b'\n');
                }
            }
            if txn && !open && !b.version.is_empty() {
                buf.extend_from_slice(self.begin.as_bytes());
                buf.push(b'\n');
                open = true;
            }
            for (t, ctx) in &b.version {
                self.render(t, ctx, buf)?;
            }
            if open {
                // After the last step's blank line, a version statement needs one more.
                if !b.version.is_empty() {
                    buf.push(b'\n');
                }
                buf.extend_from_slice(self.commit.as_bytes());
            }
            if fk_off {
                buf.extend_from_slice(self.fk_on.as_bytes());
            }
            buf.push(b'\n');
        }
        Ok(())
    }
}

impl<'c, 'w> ScriptWriter<'c, 'w> {
    /// The header and the statements before the revisions. `any_fk_off` matters
    /// only with `transaction = "single"`, whose one transaction it must precede.
    pub(crate) fn start(
        c: &'c Compiler<'c>,
        out: &'w mut dyn Write,
        command: &str,
        pre: &[(&'static str, minijinja::Value)],
        any_fk_off: bool,
    ) -> Result<ScriptWriter<'c, 'w>, Diagnostics> {
        let txn_ddl = c.dialect.data.transactional_ddl;
        let single = txn_ddl && c.settings.transaction == TransactionMode::Single;
        let empty = context! {};
        let spelling = Spelling {
            c,
            single,
            txn_ddl,
            begin: c.render("begin.sql", &empty)?,
            commit: c.render("commit.sql", &empty)?,
            fk_off: c.render("fk_off.sql", &empty)?,
            fk_on: c.render("fk_on.sql", &empty)?,
        };
        let mut buf = Vec::with_capacity(1 << 12);
        buf.extend_from_slice(c.header(command)?.as_bytes());
        buf.push(b'\n');
        if single {
            if any_fk_off {
                buf.extend_from_slice(spelling.fk_off.as_bytes());
            }
            buf.extend_from_slice(spelling.begin.as_bytes());
            buf.push(b'\n');
        }
        for (t, ctx) in pre {
            spelling.render(t, ctx, &mut buf)?;
            buf.push(b'\n');
        }
        let mut w = ScriptWriter {
            spelling,
            out,
            any_fk_off,
            buf,
            newlines: 0,
        };
        w.put_buf()?;
        Ok(w)
    }

    /// Whether the whole script must be planned before it is written.
    pub(crate) fn needs_all_blocks(c: &Compiler) -> bool {
        c.dialect.data.transactional_ddl && c.settings.transaction == TransactionMode::Single
    }

    /// Writes text but its trailing newlines, which are held back for what follows.
    fn put(&mut self, text: &[u8]) -> Result<(), Diagnostics> {
        let body = text.len() - text.iter().rev().take_while(|b| **b == b'\n').count();
        if body > 0 {
            for _ in 0..self.newlines {
                self.out.write_all(b"\n").map_err(io_error)?;
            }
            self.out.write_all(&text[..body]).map_err(io_error)?;
            self.newlines = 0;
        }
        self.newlines += text.len() - body;
        Ok(())
    }

    fn put_buf(&mut self) -> Result<(), Diagnostics> {
        let buf = std::mem::take(&mut self.buf);
        let written = self.put(&buf);
        self.buf = buf;
        self.buf.clear();
        written
    }

    /// Writes revision blocks.
    pub(crate) fn blocks(&mut self, blocks: &[Block]) -> Result<(), Diagnostics> {
        let mut buf = std::mem::take(&mut self.buf);
        let rendered = self.spelling.blocks(blocks, &mut buf);
        self.buf = buf;
        rendered?;
        self.put_buf()
    }

    /// The statements after the revisions and the end of the script.
    pub(crate) fn finish(mut self, post: &[(&'static str, minijinja::Value)]) -> Result<(), Diagnostics> {
        let mut buf = std::mem::take(&mut self.buf);
        for (t, ctx) in post {
            self.spelling.render(t, ctx, &mut buf)?;
            buf.push(b'\n');
        }
        if self.spelling.single {
            buf.extend_from_slice(self.spelling.commit.as_bytes());
            if self.any_fk_off {
                buf.extend_from_slice(self.spelling.fk_on.as_bytes());
            }
        }
        self.put(&buf)?;
        self.out.write_all(b"\n").map_err(io_error)?;
        Ok(())
    }
}
