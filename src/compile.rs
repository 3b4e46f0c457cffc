//! The pipeline driver for the SQL-producing commands: resolves a range on
//! the graph, replays revisions into the model, plans each revision for the
//! dialect, renders steps, and assembles the script (header, version table,
//! per-revision comments, transactions, version bookkeeping). Nothing is
//! written here: the caller writes the returned text only on success.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics, Span};
use crate::dialect::Dialect;
use crate::graph::{Graph, RevIx, RevSet};
use crate::language::config::{Settings, TransactionMode};
use crate::plan::step::{Placement, Step, StepKind};
use crate::plan::{plan_revision, Planner};
use crate::render::{Fixed, Renderer};
use crate::replay::inverse::revision_downgrade;
use crate::replay::model::Schema;
use crate::replay::{Change, Replayer, Resolved};
use crate::vocab::ops::OpNode;
use std::io::Write;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One revision's planned SQL.
pub(crate) struct Block {
    /// The revision and the direction (true: upgrade), for `check`.
    revision: Option<(RevIx, bool)>,
    comment: String,
    steps: Vec<Step>,
    /// The check the block starts with (`VersionGuard`), before its steps:
    /// the version table holds what the block builds on (SPEC 10.5).
    guard: Option<StepKind>,
    /// The version table's statements, after the steps.
    version: Vec<StepKind>,
    transactional: bool,
}

pub struct Compiler<'a> {
    pub graph: &'a Graph,
    pub settings: &'a Settings,
    pub dialect: Dialect,
    renderer: Renderer,
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
        Replayer {
            naming: &self.settings.naming,
            version_table: &self.settings.version_table,
        }
    }

    /// Replays the revisions of a closed set into a schema, in topological order.
    pub fn replay_set(&self, set: &RevSet, schema: &mut Schema, diags: &mut Vec<Diagnostic>) {
        let r = self.replayer();
        for &pos in set {
            r.begin_revision(schema);
            for node in self.upgrade_ops(self.graph.topo[pos]).iter() {
                if let Err(d) = r.apply(schema, node) {
                    diags.push(d);
                }
            }
        }
    }

    /// Replays one revision's operations on top of `schema`.
    fn resolve_ops(&self, ops: &[OpNode], schema: &mut Schema, diags: &mut Vec<Diagnostic>) -> Vec<Resolved> {
        let r = self.replayer();
        r.begin_revision(schema);
        let mut changes = Vec::with_capacity(ops.len());
        for node in ops {
            match r.resolve(schema, node) {
                Ok(c) => changes.push(c),
                Err(d) => diags.push(d),
            }
        }
        changes
    }

    /// Replays one revision's operations, then plans its changes.
    fn plan_ops(&self, ops: &[OpNode], schema: &mut Schema, diags: &mut Vec<Diagnostic>) -> Vec<Step> {
        let changes = self.resolve_ops(ops, schema, diags);
        let taken = |name: &str| schema.tables.contains_key(name) || schema.views.contains_key(name);
        let (steps, mut planned) = plan_revision(&self.dialect, changes, &taken, self.settings.safety.online);
        diags.append(&mut planned);
        steps
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
        self.renderer.header(VERSION, command, &self.settings.safety).map_err(render_error)
    }

    /// The version table's name.
    fn vt(&self) -> String {
        self.settings.version_table.clone()
    }

    /// The version table; `if_not_exists` for stamp, which may meet it already there.
    fn version_create(&self, if_not_exists: bool) -> StepKind {
        let pk = crate::base::naming::Naming::make(&self.settings.naming.primary_key, &self.settings.version_table, &[], "");
        StepKind::VersionCreate {
            table: self.vt(),
            pk,
            if_not_exists,
        }
    }

    /// The lint findings (SPEC 11) of every revision of `upgrade base:heads`
    /// for this dialect, each with its revision's index.
    pub fn lint(&self) -> Result<Vec<(RevIx, Diagnostic)>, Diagnostics> {
        let g = self.graph;
        let mut diags = vec![];
        let mut schema = Schema::default();
        let mut findings = vec![];
        for &r in &g.topo {
            let changes = self.resolve_ops(&self.upgrade_ops(r), &mut schema, &mut diags);
            let taken = |name: &str| schema.tables.contains_key(name) || schema.views.contains_key(name);
            let (steps, _) = plan_revision(&self.dialect, changes.clone(), &taken, self.settings.safety.online);
            findings.extend(crate::plan::lint::revision(&self.dialect, &changes, &steps).into_iter().map(|f| (r, f)));
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        Ok(findings)
    }

    /// SQL for `upgrade RANGE`, as text.
    pub fn upgrade(&self, range: &str) -> Result<String, Diagnostics> {
        self.script_text(|c, out| c.upgrade_into(range, out))
    }

    /// SQL for `upgrade RANGE`, written as it is planned.
    pub fn upgrade_into(&self, range: &str, out: &mut dyn Write) -> Result<(), Diagnostics> {
        self.upgrade_traced(range, out, None)
    }

    /// The statements of `upgrade RANGE` with the steps they spell, for `check`.
    pub fn upgrade_units(&self, range: &str) -> Result<Vec<Unit>, Diagnostics> {
        let mut units = vec![];
        self.upgrade_traced(range, &mut std::io::sink(), Some(&mut units))?;
        Ok(units)
    }

    fn upgrade_traced(&self, range: &str, out: &mut dyn Write, units: Option<&mut Vec<Unit>>) -> Result<(), Diagnostics> {
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
            let (guard, version) = self.version_up(&mut heads, r);
            let mut comment = String::with_capacity(48 + rev.message.len());
            comment.push_str("Running upgrade ");
            self.push_ids(&mut comment, parents);
            comment.push_str(" -> ");
            comment.push_str(&rev.id.v);
            comment.push_str(", ");
            comment.push_str(&rev.message);
            Block {
                revision: Some((r, true)),
                comment,
                steps,
                guard: Some(guard),
                version,
                transactional: rev.transactional,
            }
        };
        self.stream(out, units, &format!("upgrade {range}"), &pre, &[], revs.len(), diags, next)
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
        units: Option<&mut Vec<Unit>>,
        command: &str,
        pre: &[StepKind],
        post: &[StepKind],
        n: usize,
        mut diags: Vec<Diagnostic>,
        mut next: impl FnMut(usize, &mut Vec<Diagnostic>) -> Block,
    ) -> Result<(), Diagnostics> {
        const CHUNK: usize = 512;
        // A traced script (for `check`) is planned whole and written on this thread.
        if ScriptWriter::needs_all_blocks(self) || units.is_some() {
            let blocks: Vec<Block> = (0..n).map(|i| next(i, &mut diags)).collect();
            if !diags.is_empty() {
                return Err(Diagnostics(diags));
            }
            let any_fk_off = blocks.iter().any(|b| b.steps.iter().any(|s| s.foreign_keys_off));
            let mut w = ScriptWriter::start(self, out, command, pre, any_fk_off, units.is_some())?;
            w.blocks(&blocks)?;
            let traced = w.finish(post)?;
            if let Some(units) = units {
                *units = traced;
            }
            return Ok(());
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let mut w = ScriptWriter::start(self, out, command, pre, false, false)?;
        if n <= CHUNK {
            let blocks: Vec<Block> = (0..n).map(|i| next(i, &mut diags)).collect();
            if !diags.is_empty() {
                return Err(Diagnostics(diags));
            }
            w.blocks(&blocks)?;
            return w.finish(post).map(drop);
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
                    let text = spelling.blocks(&blocks, &mut buf, None).map(|()| buf);
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
        w.finish(post).map(drop)
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

    /// The guard and the version statements of upgrading to `r` from the
    /// `heads` recorded so far: `r` replaces the heads it requires (its
    /// down_revisions and, as in Alembic, its dependencies). The guard asks
    /// for what the script assumes there: every head recorded (the range's
    /// start, then what the blocks before wrote; among them the parents the
    /// statements update or delete) and not `r`; at base (no head recorded:
    /// the script made the table), no row. Rows of other branches, which the
    /// script does not touch, may be there.
    fn version_up(&self, heads: &mut Vec<RevIx>, r: RevIx) -> (StepKind, Vec<StepKind>) {
        let g = self.graph;
        let rev = g.id(r).to_string();
        let guard = StepKind::VersionGuard {
            table: self.vt(),
            holds: heads.iter().map(|&h| g.id(h).to_string()).collect(),
            lacks: vec![rev.clone()],
            only: heads.is_empty(),
        };
        let mut present = g.requires(r).filter(|p| heads.contains(p));
        let mut out = Vec::with_capacity(1);
        match present.next() {
            None => out.push(StepKind::VersionInsert { table: self.vt(), rev }),
            Some(first) => {
                let old = g.id(first).to_string();
                out.push(StepKind::VersionUpdate { table: self.vt(), rev, old });
                for o in present {
                    out.push(StepKind::VersionDelete {
                        table: self.vt(),
                        rev: g.id(o).to_string(),
                    });
                }
            }
        }
        heads.retain(|h| !g.requires(r).any(|p| p == *h));
        heads.push(r);
        (guard, out)
    }

    /// SQL for `downgrade RANGE`, as text.
    pub fn downgrade(&self, range: &str) -> Result<String, Diagnostics> {
        self.script_text(|c, out| c.downgrade_into(range, out))
    }

    /// SQL for `downgrade RANGE`, written as it is planned.
    pub fn downgrade_into(&self, range: &str, out: &mut dyn Write) -> Result<(), Diagnostics> {
        self.downgrade_traced(range, out, None)
    }

    /// The statements of `downgrade RANGE` with the steps they spell, for `check`.
    pub fn downgrade_units(&self, range: &str) -> Result<Vec<Unit>, Diagnostics> {
        let mut units = vec![];
        self.downgrade_traced(range, &mut std::io::sink(), Some(&mut units))?;
        Ok(units)
    }

    fn downgrade_traced(&self, range: &str, out: &mut dyn Write, units: Option<&mut Vec<Unit>>) -> Result<(), Diagnostics> {
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
            match revision_downgrade(&changes, &schema, &rev.id) {
                Ok(ops) => derived.push(ops),
                Err(mut ds) => {
                    diags.append(&mut ds);
                    derived.push(vec![]);
                }
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let mut down = g.down_heads(&s, &from);
        let mut heads: Vec<RevIx> = s.clone();
        let mut post = vec![];
        if e.is_empty() && !undo.is_empty() {
            post.push(StepKind::VersionDrop { table: self.vt() });
        }
        let n = undo.len();
        let next = |k: usize, diags: &mut Vec<Diagnostic>| {
            let i = n - 1 - k;
            let rx = undo[i];
            let rev = &g.revs[rx];
            let ops = rev.downgrade.as_ref().unwrap_or(&derived[i]);
            let steps = self.plan_ops(ops, &mut schema, diags);
            let parents = &g.parents[rx];
            let (guard, version) = self.version_down(&mut down, &mut heads, rx);
            let mut comment = String::with_capacity(48 + rev.message.len());
            comment.push_str("Running downgrade ");
            comment.push_str(&rev.id.v);
            comment.push_str(" -> ");
            self.push_ids(&mut comment, parents);
            comment.push_str(", ");
            comment.push_str(&rev.message);
            Block {
                revision: Some((rx, false)),
                comment,
                steps,
                guard: Some(guard),
                version,
                transactional: rev.transactional,
            }
        };
        self.stream(out, units, &format!("downgrade {range}"), &[], &post, n, vec![], next)
    }

    /// The guard and the version statements of downgrading `rx` to its
    /// parents, from the `heads` recorded so far (`down` keeps what finds the
    /// new heads in time linear in the range). The guard asks for every head
    /// recorded (`rx` among them) and for none of the parents the statements
    /// put back.
    fn version_down(&self, down: &mut crate::graph::DownHeads, heads: &mut Vec<RevIx>, rx: RevIx) -> (StepKind, Vec<StepKind>) {
        let g = self.graph;
        let rev = g.id(rx).to_string();
        let mut holds: Vec<String> = heads.iter().map(|&h| g.id(h).to_string()).collect();
        if !heads.contains(&rx) {
            holds.push(rev.clone());
        }
        heads.retain(|&h| h != rx);
        let new = down.undo(rx);
        let guard = StepKind::VersionGuard {
            table: self.vt(),
            holds,
            lacks: new.iter().map(|&p| g.id(p).to_string()).collect(),
            only: false,
        };
        let mut out = Vec::with_capacity(1);
        match new.split_first() {
            None => out.push(StepKind::VersionDelete { table: self.vt(), rev }),
            Some((&first, rest)) => {
                out.push(StepKind::VersionUpdate {
                    table: self.vt(),
                    rev: g.id(first).to_string(),
                    old: rev,
                });
                for &o in rest {
                    out.push(StepKind::VersionInsert {
                        table: self.vt(),
                        rev: g.id(o).to_string(),
                    });
                }
            }
        }
        heads.extend(new);
        (guard, out)
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
            .real_heads
            .iter()
            .map(|&h| StepKind::VersionInsert {
                table: self.vt(),
                rev: g.id(h).to_string(),
            })
            .collect();
        let heads: Vec<&str> = g.real_heads.iter().map(|&h| g.id(h)).collect();
        let block = Block {
            revision: None,
            comment: format!("Creating the schema at {} directly", heads.join(", ")),
            steps: p.steps,
            guard: None,
            version,
            transactional: true,
        };
        self.assemble("create_schema", vec![self.version_create(false)], vec![block], vec![])
    }

    /// SQL that records REVISION as the current one(s).
    pub fn stamp(&self, spec: &str) -> Result<String, Diagnostics> {
        let tips = self.graph.resolve(spec, None).map_err(range_error)?;
        let mut version = vec![StepKind::VersionClear { table: self.vt() }];
        for &t in &tips {
            version.push(StepKind::VersionInsert {
                table: self.vt(),
                rev: self.graph.id(t).to_string(),
            });
        }
        let block = Block {
            revision: None,
            comment: format!("Stamping {spec}"),
            steps: vec![],
            guard: None,
            version,
            transactional: true,
        };
        self.assemble(&format!("stamp {spec}"), vec![self.version_create(true)], vec![block], vec![])
    }

    /// The script of `populate`: the planned upserts in one transaction
    /// where the dialect has transactional DDL, and no version bookkeeping.
    pub fn populate(&self, steps: Vec<Step>, files: usize) -> Result<String, Diagnostics> {
        let block = Block {
            revision: None,
            comment: format!("Reference data from {files} populate file{}", if files == 1 { "" } else { "s" }),
            steps,
            guard: None,
            version: vec![],
            transactional: true,
        };
        self.assemble("populate", vec![], vec![block], vec![])
    }

    /// The query that reads the current revision(s).
    pub fn current(&self) -> Result<String, Diagnostics> {
        self.renderer.current(&self.settings.version_table).map_err(render_error)
    }

    /// Assembles a whole script in memory (for the small ones: create_schema, stamp, populate).
    fn assemble(&self, command: &str, pre: Vec<StepKind>, blocks: Vec<Block>, post: Vec<StepKind>) -> Result<String, Diagnostics> {
        let mut buf = Vec::new();
        let any_fk_off = blocks.iter().any(|b| b.steps.iter().any(|s| s.foreign_keys_off));
        let mut w = ScriptWriter::start(self, &mut buf, command, &pre, any_fk_off, false)?;
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
    /// The statements written so far, when the script is traced (`check`).
    units: Option<Vec<Unit>>,
}

fn io_error(e: std::io::Error) -> Diagnostics {
    Diagnostic::error(codes::CANNOT_WRITE_SCRIPT, format!("cannot write the script: {e}")).into()
}

fn render_error(e: String) -> Diagnostics {
    Diagnostics::from(Diagnostic::error(codes::INTERNAL_ERROR, format!("internal error rendering SQL: {e}")).help("this is a bug in schemac; please report it"))
}

/// One statement (or group of statements) of a script as it was rendered,
/// and the step it spells: what `check` verifies and counts, and where it
/// reads the warnings of each revision.
#[derive(Debug)]
pub struct Unit {
    pub text: String,
    pub step: Option<Traced>,
}

/// Where a unit of a script comes from.
#[derive(Debug)]
pub struct Traced {
    /// The revision and the direction (true: upgrade), when the unit belongs to one.
    pub revision: Option<(RevIx, bool)>,
    pub span: Span,
    pub warnings: Vec<Diagnostic>,
}

/// The comment at each split of a revision that runs in several
/// transactions (SPEC 11): what a failure from there on leaves, and what
/// running the script again does.
fn split_note(steps: &[Step]) -> String {
    // The last part commits with the version table's row: only the parts
    // before it run again.
    let last_part = steps
        .iter()
        .rposition(|s| s.placement != Placement::InTransaction)
        .map(|i| if steps[i].placement == Placement::OwnTransaction { i } else { i + 1 })
        .unwrap_or(0);
    let mut once: Vec<&str> = steps[..last_part].iter().filter(|s| !s.kind.rerunnable()).map(|s| s.kind.name()).collect();
    once.dedup();
    let mut note = String::from(
        "-- Split: part 2 of this revision; it runs in several parts, and what is above is committed. If a later\n\
         -- part fails, the version table still names the revision before this one",
    );
    if once.is_empty() {
        note.push_str(
            ", and running this\n\
             -- script again completes the revision: each of its statements finds done what is done\n\
             -- (an INVALID index that a failed CREATE INDEX CONCURRENTLY left is dropped first).\n",
        );
    } else {
        note.push_str(&format!(
            ";\n-- statements of it that would run twice ({}) must be undone by hand before running it again.\n",
            once.join(", ")
        ));
    }
    note
}

/// Appends text to a script and, when traced, records it as a unit.
fn emit(buf: &mut Vec<u8>, text: &[u8], units: &mut Option<&mut Vec<Unit>>) {
    buf.extend_from_slice(text);
    if let Some(units) = units {
        units.push(Unit {
            text: String::from_utf8_lossy(text).into_owned(),
            step: None,
        });
    }
}

/// Records what was appended to `buf` since `start` as a unit.
fn record(buf: &[u8], start: usize, step: Option<Traced>, units: &mut Option<&mut Vec<Unit>>) {
    if let Some(units) = units {
        units.push(Unit {
            text: String::from_utf8_lossy(&buf[start..]).into_owned(),
            step,
        });
    }
}

impl Spelling<'_> {
    fn render(&self, step: &StepKind, buf: &mut Vec<u8>, units: &mut Option<&mut Vec<Unit>>) -> Result<(), Diagnostics> {
        let start = buf.len();
        self.c.renderer.render_step(step, buf).map_err(render_error)?;
        record(buf, start, None, units);
        Ok(())
    }

    /// Renders revision blocks at the end of `buf`; with `units`, records each statement.
    fn blocks(&self, blocks: &[Block], buf: &mut Vec<u8>, mut units: Option<&mut Vec<Unit>>) -> Result<(), Diagnostics> {
        let c = self.c;
        let single = self.single;
        let units = &mut units;
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
                emit(buf, self.fk_off.as_bytes(), units);
            }
            // A transaction is opened before the first statement that runs in one,
            // and closed before a statement that cannot.
            let mut open = false;
            // The guard comes first, before anything changes (on MySQL, before
            // DDL commits): in the block's transaction, unless the first step
            // cannot run in one, which the guard then precedes on its own.
            if let Some(guard) = &b.guard {
                let first_outside = b.steps.first().is_some_and(|s| s.placement == Placement::OutsideTransaction);
                if txn && !first_outside {
                    emit(buf, self.begin.as_bytes(), units);
                    buf.push(b'\n');
                    open = true;
                }
                self.render(guard, buf, units)?;
                buf.push(b'\n');
            }
            // A revision split across transactions (SPEC 11): each of its steps is
            // spelt so that a re-run finds it done, and each split says so.
            let split = txn && !single && b.steps.iter().any(|s| s.placement != Placement::InTransaction);
            let long_note = if split { split_note(&b.steps) } else { String::new() };
            let mut part = 1;
            let mut note = |buf: &mut Vec<u8>| {
                part += 1;
                if part == 2 {
                    buf.extend_from_slice(long_note.as_bytes());
                } else {
                    buf.extend_from_slice(format!("-- Split: part {part} of this revision (what is above is committed; see the first split).\n").as_bytes());
                }
            };
            let mut after_outside = false;
            for s in &b.steps {
                let outside = s.placement == Placement::OutsideTransaction;
                let own = s.placement == Placement::OwnTransaction;
                if outside && (open || single) {
                    emit(buf, self.commit.as_bytes(), units);
                    if split {
                        note(buf);
                    }
                    buf.extend_from_slice(b"-- Outside a transaction: this statement cannot run in one.\n");
                    open = false;
                } else if outside && split && !after_outside {
                    note(buf);
                    buf.extend_from_slice(b"-- Outside a transaction: this statement cannot run in one.\n");
                } else if own && open {
                    emit(buf, self.commit.as_bytes(), units);
                    note(buf);
                    emit(buf, self.begin.as_bytes(), units);
                    buf.push(b'\n');
                } else if !outside && txn && !open {
                    if split && after_outside {
                        note(buf);
                    }
                    emit(buf, self.begin.as_bytes(), units);
                    buf.push(b'\n');
                    open = true;
                }
                after_outside = outside;
                if !s.warnings.is_empty() {
                    let text: Vec<&str> = s.warnings.iter().map(|w| w.message.as_str()).collect();
                    buf.extend_from_slice(b"-- WARNING: ");
                    buf.extend_from_slice(c.dialect.comment(&text.join("; ")).as_bytes());
                    buf.push(b'\n');
                }
                let start = buf.len();
                let rendered = if split {
                    c.renderer.render_step_rerunnable(&s.kind, buf)
                } else {
                    c.renderer.render_step(&s.kind, buf)
                };
                rendered.map_err(|e| {
                    Diagnostics::from(
                        Diagnostic::error(codes::INTERNAL_ERROR, format!("internal error rendering SQL: {e}"))
                            .at(s.span, "while compiling this")
                            .help("this is a bug in schemac; please report it"),
                    )
                })?;
                if units.is_some() {
                    let traced = Traced {
                        revision: b.revision,
                        span: s.span,
                        warnings: s.warnings.clone(),
                    };
                    record(buf, start, Some(traced), units);
                }
                buf.push(b'\n');
                if outside && single {
                    emit(buf, self.begin.as_bytes(), units);
                    buf.push(b'\n');
                }
            }
            if txn && !open && !b.version.is_empty() {
                if split && after_outside {
                    note(buf);
                }
                emit(buf, self.begin.as_bytes(), units);
                buf.push(b'\n');
                open = true;
            }
            for v in &b.version {
                self.render(v, buf, units)?;
            }
            if open {
                // After the last step's blank line, a version statement needs one more.
                if !b.version.is_empty() {
                    buf.push(b'\n');
                }
                emit(buf, self.commit.as_bytes(), units);
            }
            if fk_off {
                emit(buf, self.fk_on.as_bytes(), units);
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
        pre: &[StepKind],
        any_fk_off: bool,
        traced: bool,
    ) -> Result<ScriptWriter<'c, 'w>, Diagnostics> {
        let txn_ddl = c.dialect.data.transactional_ddl;
        let single = txn_ddl && c.settings.transaction == TransactionMode::Single;
        let fixed = |which| c.renderer.fixed(which).map_err(render_error);
        let spelling = Spelling {
            c,
            single,
            txn_ddl,
            begin: fixed(Fixed::Begin)?,
            commit: fixed(Fixed::Commit)?,
            fk_off: fixed(Fixed::ForeignKeysOff)?,
            fk_on: fixed(Fixed::ForeignKeysOn)?,
        };
        let mut units = traced.then(Vec::new);
        let mut buf = Vec::with_capacity(1 << 12);
        {
            let units = &mut units.as_mut();
            emit(&mut buf, c.header(command)?.as_bytes(), units);
            buf.push(b'\n');
            if single {
                if any_fk_off {
                    emit(&mut buf, spelling.fk_off.as_bytes(), units);
                }
                emit(&mut buf, spelling.begin.as_bytes(), units);
                buf.push(b'\n');
            }
            for step in pre {
                spelling.render(step, &mut buf, units)?;
                buf.push(b'\n');
            }
        }
        let mut w = ScriptWriter {
            spelling,
            out,
            any_fk_off,
            buf,
            newlines: 0,
            units,
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
        let rendered = self.spelling.blocks(blocks, &mut buf, self.units.as_mut());
        self.buf = buf;
        rendered?;
        self.put_buf()
    }

    /// The statements after the revisions and the end of the script; the
    /// statements of the whole script when it is traced (else none).
    pub(crate) fn finish(mut self, post: &[StepKind]) -> Result<Vec<Unit>, Diagnostics> {
        let mut buf = std::mem::take(&mut self.buf);
        let mut units = self.units.take();
        {
            let units = &mut units.as_mut();
            for step in post {
                self.spelling.render(step, &mut buf, units)?;
                buf.push(b'\n');
            }
            if self.spelling.single {
                emit(&mut buf, self.spelling.commit.as_bytes(), units);
                if self.any_fk_off {
                    emit(&mut buf, self.spelling.fk_on.as_bytes(), units);
                }
            }
        }
        self.put(&buf)?;
        self.out.write_all(b"\n").map_err(io_error)?;
        Ok(units.unwrap_or_default())
    }
}
