//! Stage 2, chain: the revision graph built from `down_revision` and
//! `depends_on`, and the meaning of revision specifiers and ranges (SPEC 1).
//! A revision set is always closed under ancestry, where a dependency counts
//! as an ancestor (as in Alembic: upgrading to a revision applies what it
//! depends on first, and the version table then names the dependent
//! revision alone); a range is the difference of two such sets.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::fxhash::FastHash;
use crate::base::text::{list, LIST_MAX};
use crate::vocab::ops::Revision;
use std::collections::{BTreeSet, HashMap};

pub type RevIx = usize;

/// The revisions, their parents and children, and a deterministic topological order.
pub struct Graph {
    pub revs: Vec<Revision>,
    pub by_id: HashMap<String, RevIx, FastHash>,
    /// `down_revision`s.
    pub parents: Vec<Vec<RevIx>>,
    pub children: Vec<Vec<RevIx>>,
    /// `depends_on`, resolved; and the revisions that depend on each.
    pub deps: Vec<Vec<RevIx>>,
    pub dependents: Vec<Vec<RevIx>>,
    /// Position of each revision in the topological order.
    pub topo_pos: Vec<usize>,
    pub topo: Vec<RevIx>,
    /// Revisions that are no revision's `down_revision` (Alembic's `heads`).
    pub heads: Vec<RevIx>,
    /// The heads no revision depends on: what the version table holds at
    /// the end of `upgrade heads` (the others are "effective heads").
    pub real_heads: Vec<RevIx>,
    pub bases: Vec<RevIx>,
}

/// A set of revisions closed under ancestry, in topological order.
pub type RevSet = BTreeSet<usize>; // positions in the topological order

impl Graph {
    /// Moves every revision's upgrade operations out, by revision index
    /// (for `Compiler::upgrade_once`); the graph keeps ids, parents and order.
    pub fn take_upgrades(&mut self) -> Vec<Vec<crate::vocab::ops::OpNode>> {
        self.revs.iter_mut().map(|r| std::mem::take(&mut r.upgrade)).collect()
    }

    pub fn build(mut revs: Vec<Revision>) -> Result<Graph, Diagnostics> {
        // Order by id so that nothing depends on file names or read order.
        revs.sort_by(|a, b| a.id.v.cmp(&b.id.v));
        let mut diags = vec![];
        let mut by_id: HashMap<String, RevIx, FastHash> = HashMap::with_capacity_and_hasher(revs.len(), FastHash::default());
        // Ids are unique without case too (SPEC 10.1): the version table's
        // key compares them by the server's collation, case-insensitive on
        // MySQL and MariaDB, so `a` and `A` could not both be current heads.
        let mut folded: HashMap<String, RevIx, FastHash> = HashMap::with_capacity_and_hasher(revs.len(), FastHash::default());
        for (i, r) in revs.iter().enumerate() {
            if let Some(&first) = by_id.get(&r.id.v) {
                diags.push(
                    Diagnostic::error(codes::DUPLICATE_REVISION, format!("duplicate revision id `{}`", r.id.v))
                        .at(r.id.span, "this id")
                        .also(revs[first].id.span, "is also used here"),
                );
            } else if let Some(&first) = folded.get(&r.id.v.to_ascii_lowercase()) {
                diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_REVISION,
                        format!("revision ids `{}` and `{}` differ only in letter case", revs[first].id.v, r.id.v),
                    )
                    .at(r.id.span, "this id")
                    .also(revs[first].id.span, "is the same id without case")
                    .help("MySQL and MariaDB compare the version table's key without case: choose another id"),
                );
            } else {
                by_id.insert(r.id.v.clone(), i);
                folded.insert(r.id.v.to_ascii_lowercase(), i);
            }
        }
        let mut parents = vec![vec![]; revs.len()];
        let mut children = vec![vec![]; revs.len()];
        for (i, r) in revs.iter().enumerate() {
            for d in &r.down {
                match by_id.get(&d.v) {
                    Some(&p) => {
                        if !parents[i].contains(&p) {
                            parents[i].push(p);
                            children[p].push(i);
                        }
                    }
                    None => diags.push(
                        Diagnostic::error(codes::UNKNOWN_DOWN_REVISION, format!("`down_revision` names `{}`, which is no revision", d.v))
                            .at(d.span, "no revision has this id")
                            .help("check the id, or remove `down_revision` if this is the first revision"),
                    ),
                }
            }
        }
        let mut labels: HashMap<&str, usize, FastHash> = HashMap::default();
        for (i, r) in revs.iter().enumerate() {
            for l in &r.branch_labels {
                if let Some(&other) = labels.get(l.v.as_str()) {
                    diags.push(
                        Diagnostic::error(codes::DUPLICATE_BRANCH_LABEL, format!("branch label `{}` is used twice", l.v))
                            .at(l.span, "here")
                            .also(revs[other].id.span, "and on this revision"),
                    );
                }
                labels.insert(&l.v, i);
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        let (deps, dependents) = resolve_deps(&revs, &by_id, &parents, &children)?;
        // Kahn's algorithm over down_revisions and dependencies, smallest id first among the ready ones.
        let mut indegree: Vec<usize> = parents.iter().zip(&deps).map(|(p, d)| p.len() + d.len()).collect();
        let mut ready: BTreeSet<usize> = (0..revs.len()).filter(|&i| indegree[i] == 0).collect();
        let mut topo = vec![];
        while let Some(i) = ready.pop_first() {
            topo.push(i);
            for &c in children[i].iter().chain(&dependents[i]) {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.insert(c);
                }
            }
        }
        if topo.len() < revs.len() {
            let in_cycle: Vec<usize> = (0..revs.len()).filter(|&i| indegree[i] > 0).collect();
            let names = if in_cycle.len() <= LIST_MAX {
                in_cycle.iter().map(|&i| revs[i].id.v.as_str()).collect::<Vec<_>>().join(" -> ")
            } else {
                format!("{} revisions ({})", in_cycle.len(), list(in_cycle.iter().map(|&i| revs[i].id.v.as_str())))
            };
            let diags = in_cycle
                .iter()
                .filter_map(|&i| {
                    let (span, what) = match (revs[i].down.first(), revs[i].depends_on.first()) {
                        (Some(d), _) => (d.span, "this down_revision closes a circular chain"),
                        (None, Some(d)) => (d.span, "this dependency closes a circular chain"),
                        (None, None) => return None,
                    };
                    Some(Diagnostic::error(codes::REVISION_CYCLE, format!("a cycle of down_revisions and dependencies: {names}")).at(span, what))
                })
                .collect();
            return Err(Diagnostics(diags));
        }
        let mut topo_pos = vec![0; revs.len()];
        for (pos, &i) in topo.iter().enumerate() {
            topo_pos[i] = pos;
        }
        let heads: Vec<RevIx> = topo.iter().copied().filter(|&i| children[i].is_empty()).collect();
        let real_heads = heads.iter().copied().filter(|&i| dependents[i].is_empty()).collect();
        let bases = topo.iter().copied().filter(|&i| parents[i].is_empty()).collect();
        Ok(Graph {
            revs,
            by_id,
            parents,
            children,
            deps,
            dependents,
            real_heads,
            topo_pos,
            topo,
            heads,
            bases,
        })
    }

    pub fn id(&self, r: RevIx) -> &str {
        &self.revs[r].id.v
    }

    /// The ancestry closure of `tips` (the tips included), as topological positions.
    pub fn closure(&self, tips: &[RevIx]) -> RevSet {
        let mut set = RevSet::new();
        let mut stack: Vec<RevIx> = tips.to_vec();
        while let Some(r) = stack.pop() {
            if set.insert(self.topo_pos[r]) {
                stack.extend(self.parents[r].iter().chain(&self.deps[r]).copied());
            }
        }
        set
    }

    /// The heads (maximal elements) of a closed set.
    pub fn tips_of(&self, set: &RevSet) -> Vec<RevIx> {
        set.iter()
            .map(|&p| self.topo[p])
            .filter(|&r| !self.children[r].iter().chain(&self.dependents[r]).any(|c| set.contains(&self.topo_pos[*c])))
            .collect()
    }

    /// `down_revision`s and dependencies: what must be applied before `r`.
    pub fn requires(&self, r: RevIx) -> impl Iterator<Item = RevIx> + '_ {
        self.parents[r].iter().chain(&self.deps[r]).copied()
    }

    /// Resolves a specifier (without a range) to its tips. `rel` is the
    /// range start for a relative end (`+N`, `-N`).
    pub fn resolve(&self, spec: &str, rel: Option<&[RevIx]>) -> Result<Vec<RevIx>, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err("empty revision specifier".into());
        }
        if let Some(n) = spec.strip_prefix('+').or_else(|| spec.strip_prefix('-').map(|_| "")) {
            // A bare relative: `+N` / `-N` from the range start.
            let base = rel.ok_or_else(|| format!("`{spec}` needs a range start"))?.to_vec();
            let _ = n;
            return self.step(base, spec);
        }
        // `<spec>+N` / `<spec>-N`.
        if let Some(i) = spec
            .rfind(['+', '-'])
            .filter(|&i| i > 0 && spec[i + 1..].bytes().all(|b| b.is_ascii_digit()) && i + 1 < spec.len())
        {
            let base = self.resolve(&spec[..i], rel)?;
            return self.step(base, &spec[i..]);
        }
        match spec {
            "base" => return Ok(vec![]),
            "heads" => return Ok(self.real_heads.clone()),
            "head" => {
                return match self.real_heads.as_slice() {
                    [] => Ok(vec![]),
                    [h] => Ok(vec![*h]),
                    many => {
                        let mut m = format!(
                            "`head` is ambiguous: there are {} heads ({}); name one, or use `heads`",
                            many.len(),
                            list(many.iter().map(|&h| self.id(h)))
                        );
                        // The usual cause first: a revision that lacks its down_revision.
                        if let Some(st) = self.stray_bases() {
                            let ids: Vec<&str> = st.strays.iter().map(|&r| self.id(r)).collect();
                            m = format!(
                                "{} no down_revision, so there are {} heads ({}): is a down_revision missing? (`schemac check` says more)",
                                if ids.len() == 1 {
                                    format!("revision `{}` has", ids[0])
                                } else {
                                    format!("revisions `{}` have", ids.join("`, `"))
                                },
                                many.len(),
                                list(many.iter().map(|&h| self.id(h)))
                            );
                        }
                        Err(m)
                    }
                };
            }
            _ => {}
        }
        if let Some(label) = spec.strip_suffix("@head") {
            let start = self
                .revs
                .iter()
                .position(|r| r.branch_labels.iter().any(|l| l.v == label))
                .ok_or_else(|| format!("no branch is labelled `{label}`"))?;
            // The heads reachable from the labelled revision, in one walk over its descendants.
            let mut seen = vec![false; self.revs.len()];
            let mut stack = vec![start];
            let mut heads: Vec<RevIx> = vec![];
            while let Some(r) = stack.pop() {
                if !std::mem::replace(&mut seen[r], true) {
                    if self.children[r].is_empty() {
                        heads.push(r);
                    }
                    stack.extend(self.children[r].iter().copied());
                }
            }
            heads.sort_by_key(|&h| self.topo_pos[h]);
            return match heads.as_slice() {
                [h] => Ok(vec![*h]),
                [] => Err(format!("branch `{label}` has no head")),
                many => Err(format!("branch `{label}` has several heads: {}", list(many.iter().map(|&h| self.id(h))))),
            };
        }
        if let Some(&r) = self.by_id.get(spec) {
            return Ok(vec![r]);
        }
        if let Some(r) = self.revs.iter().position(|r| r.branch_labels.iter().any(|l| l.v == spec)) {
            return Ok(vec![r]);
        }
        let mut matches: Vec<&str> = self.revs.iter().map(|r| r.id.v.as_str()).filter(|id| id.starts_with(spec)).collect();
        matches.sort();
        match matches.as_slice() {
            [one] => Ok(vec![self.by_id[*one]]),
            [] => Err(format!("no revision matches `{spec}`")),
            many => Err(format!("`{spec}` is ambiguous: it could be {}", list(many))),
        }
    }

    /// `+N` / `-N` steps from a set of tips.
    fn step(&self, mut tips: Vec<RevIx>, rel: &str) -> Result<Vec<RevIx>, String> {
        let n: usize = rel[1..].parse().map_err(|_| format!("bad relative step `{rel}`"))?;
        for _ in 0..n {
            if rel.starts_with('+') {
                let mut next: Vec<RevIx> = if tips.is_empty() {
                    self.bases.clone()
                } else {
                    tips.iter().flat_map(|&t| self.children[t].iter().copied()).collect()
                };
                next.sort();
                next.dedup();
                match next.as_slice() {
                    [] => return Err(format!("`{rel}` goes past the head")),
                    [one] => tips = vec![*one],
                    many => {
                        return Err(format!(
                            "`{rel}` is ambiguous: the next revision could be {}",
                            list(many.iter().map(|&r| self.id(r)))
                        ))
                    }
                }
            } else {
                return self.step_down(&tips, n, rel);
            }
        }
        Ok(tips)
    }

    /// `-N` from a set of tips: N times, the newest tip is undone (the set
    /// loses it, and its parents may become tips). The set is built once
    /// and each step is local (a count of children in the set per
    /// revision), so that `-N` is linear in the set, not N times it.
    fn step_down(&self, tips: &[RevIx], n: usize, rel: &str) -> Result<Vec<RevIx>, String> {
        let set = self.closure(tips);
        let mut live = vec![false; self.revs.len()];
        for &p in &set {
            live[self.topo[p]] = true;
        }
        let mut children_live = vec![0u32; self.revs.len()];
        for &p in &set {
            for &q in &self.parents[self.topo[p]] {
                children_live[q] += 1;
            }
        }
        // Tips by topological position, newest last.
        let mut tips: RevSet = set.iter().copied().filter(|&p| children_live[self.topo[p]] == 0).collect();
        for _ in 0..n {
            let Some(newest) = tips.pop_last() else {
                return Err(format!("`{rel}` goes below base"));
            };
            let r = self.topo[newest];
            live[r] = false;
            for &q in &self.parents[r] {
                children_live[q] -= 1;
                if children_live[q] == 0 && live[q] {
                    tips.insert(self.topo_pos[q]);
                }
            }
        }
        Ok(tips.into_iter().map(|p| self.topo[p]).collect())
    }

    /// The version table's rows as a downgrade from `start` (whose
    /// ancestry is `from`) proceeds; see `DownHeads::undo`.
    pub fn down_heads(&self, start: &[RevIx], from: &RevSet) -> DownHeads<'_> {
        let n = self.revs.len();
        let mut applied = vec![false; n];
        for &p in from {
            applied[self.topo[p]] = true;
        }
        let mut children_applied = vec![0u32; n];
        for &p in from {
            for &q in &self.parents[self.topo[p]] {
                children_applied[q] += 1;
            }
        }
        let mut is_head = vec![false; n];
        for &h in start {
            is_head[h] = true;
        }
        DownHeads {
            g: self,
            applied,
            children_applied,
            is_head,
            witness: vec![None; n],
            seen: vec![0; n],
            epoch: 0,
            scan: self.deps.iter().any(|d| !d.is_empty()).then(|| start.to_vec()),
        }
    }

    /// The revisions in `to` and not in `from`, in topological order.
    pub fn difference(&self, to: &RevSet, from: &RevSet) -> Vec<RevIx> {
        to.difference(from).map(|&p| self.topo[p]).collect()
    }

    pub fn is_ancestor_set(&self, a: &RevSet, b: &RevSet) -> bool {
        a.is_subset(b)
    }

    /// The revisions that lack a `down_revision` by mistake: when several
    /// revisions have none and no branch label, the one that starts the
    /// longest history is the base (`main`, when one does) and the others
    /// are strays; `follow` are the heads of the base's history, which a
    /// stray most likely meant to follow. None when there is one base.
    pub fn stray_bases(&self) -> Option<StrayBases> {
        let unlabelled: Vec<RevIx> = self.bases.iter().copied().filter(|&b| self.revs[b].branch_labels.is_empty()).collect();
        if unlabelled.len() < 2 {
            return None;
        }
        // Counting descendants costs a walk per base: only for a few bases.
        const MAX_WEIGHED: usize = 16;
        let descendants = |b: RevIx| -> Vec<bool> {
            let mut seen = vec![false; self.revs.len()];
            let mut stack = vec![b];
            while let Some(r) = stack.pop() {
                if !std::mem::replace(&mut seen[r], true) {
                    stack.extend(self.children[r].iter().copied());
                }
            }
            seen
        };
        let mut main = None;
        if unlabelled.len() <= MAX_WEIGHED {
            let sizes: Vec<(usize, RevIx)> = unlabelled.iter().map(|&b| (descendants(b).iter().filter(|&&x| x).count(), b)).collect();
            let best = sizes.iter().map(|s| s.0).max().unwrap_or(0);
            if let [(_, b)] = sizes.iter().filter(|s| s.0 == best).collect::<Vec<_>>().as_slice() {
                main = Some(*b);
            }
        }
        let Some(m) = main else {
            return Some(StrayBases {
                main: None,
                strays: unlabelled,
                follow: vec![],
            });
        };
        let of_main = descendants(m);
        let strays: Vec<RevIx> = unlabelled.into_iter().filter(|&b| b != m).collect();
        let mut of_strays = vec![false; self.revs.len()];
        for &s in &strays {
            for (i, x) in descendants(s).into_iter().enumerate() {
                of_strays[i] |= x;
            }
        }
        let follow = self.heads.iter().copied().filter(|&h| of_main[h] && !of_strays[h]).collect();
        Some(StrayBases { main, strays, follow })
    }
}

/// Revisions that lack a `down_revision` (`Graph::stray_bases`).
pub struct StrayBases {
    /// The base of the longest history, when one is longest.
    pub main: Option<RevIx>,
    /// The other revisions without down_revision and branch label (all of them without a `main`).
    pub strays: Vec<RevIx>,
    /// The heads of `main`'s history that no stray leads to.
    pub follow: Vec<RevIx>,
}

/// The heads reached from `start` through `down_revision` children (a
/// branch's heads; a dependency makes no other branch's head one of them),
/// in one walk, by index.
fn branch_heads(children: &[Vec<RevIx>], start: RevIx) -> Vec<RevIx> {
    let mut seen = vec![false; children.len()];
    let mut stack = vec![start];
    let mut heads = vec![];
    while let Some(r) = stack.pop() {
        if !std::mem::replace(&mut seen[r], true) {
            if children[r].is_empty() {
                heads.push(r);
            }
            stack.extend(children[r].iter().copied());
        }
    }
    heads.sort_unstable();
    heads
}

type Edges = Vec<Vec<RevIx>>;

/// Each revision's `depends_on` entries, resolved as Alembic resolves them:
/// a revision id (or a unique prefix of one), a branch label (the labelled
/// revision), or `label@head` (the head of that branch). Also the reverse.
fn resolve_deps(
    revs: &[Revision],
    by_id: &HashMap<String, RevIx, FastHash>,
    parents: &[Vec<RevIx>],
    children: &[Vec<RevIx>],
) -> Result<(Edges, Edges), Diagnostics> {
    let mut diags = vec![];
    let mut deps = vec![vec![]; revs.len()];
    let mut dependents = vec![vec![]; revs.len()];
    if revs.iter().all(|r| r.depends_on.is_empty()) {
        return Ok((deps, dependents));
    }
    let labelled = |label: &str| revs.iter().position(|r| r.branch_labels.iter().any(|l| l.v == label));
    for (i, r) in revs.iter().enumerate() {
        for spec in &r.depends_on {
            let found: Result<RevIx, String> = if let Some(label) = spec.v.strip_suffix("@head") {
                match labelled(label) {
                    None => Err(format!("no branch is labelled `{label}`")),
                    Some(start) => match branch_heads(children, start).as_slice() {
                        [h] => Ok(*h),
                        [] => Err(format!("branch `{label}` has no head")),
                        many => Err(format!(
                            "branch `{label}` has several heads: {}",
                            many.iter().map(|&h| revs[h].id.v.as_str()).collect::<Vec<_>>().join(", ")
                        )),
                    },
                }
            } else if let Some(&d) = by_id.get(&spec.v) {
                Ok(d)
            } else if let Some(d) = labelled(&spec.v) {
                Ok(d)
            } else {
                let mut matches: Vec<RevIx> = (0..revs.len()).filter(|&d| revs[d].id.v.starts_with(spec.v.as_str())).collect();
                matches.sort_by(|a, b| revs[*a].id.v.cmp(&revs[*b].id.v));
                match matches.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(format!("no revision or branch label matches `{}`", spec.v)),
                    many => Err(format!(
                        "`{}` is ambiguous: it could be {}",
                        spec.v,
                        many.iter().map(|&d| revs[d].id.v.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                }
            };
            match found {
                Ok(d) if d == i => {
                    diags.push(Diagnostic::error(codes::UNKNOWN_DEPENDENCY, format!("`{}` depends on itself", r.id.v)).at(spec.span, "the revision itself"))
                }
                Ok(d) => {
                    if !deps[i].contains(&d) && !parents[i].contains(&d) {
                        deps[i].push(d);
                        dependents[d].push(i);
                    }
                }
                Err(msg) => {
                    let mut known: Vec<String> = revs.iter().map(|r| r.id.v.clone()).collect();
                    for l in revs.iter().flat_map(|r| &r.branch_labels) {
                        known.extend([l.v.clone(), format!("{}@head", l.v)]);
                    }
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
                    let mut d = Diagnostic::error(codes::UNKNOWN_DEPENDENCY, format!("`depends_on` of `{}`: {msg}", r.id.v)).at(spec.span, "names no revision");
                    if let Some(s) = crate::base::suggest::closest(&spec.v, &known) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
            }
        }
    }
    if diags.is_empty() {
        Ok((deps, dependents))
    } else {
        Err(Diagnostics(diags))
    }
}

/// The heads recorded in the version table during a downgrade, kept so
/// that each revision undone costs about its own edges: the set of applied
/// revisions (`applied`, always the ancestry of the heads), how many
/// children of each are applied, and whether each is a recorded head.
pub struct DownHeads<'g> {
    g: &'g Graph,
    applied: Vec<bool>,
    children_applied: Vec<u32>,
    is_head: Vec<bool>,
    /// A head once found above a revision (ancestry does not change, so it
    /// stays true while that head is recorded): repeated searches stop there.
    witness: Vec<Option<RevIx>>,
    /// Visit marks of the current search, by epoch.
    seen: Vec<u32>,
    epoch: u32,
    /// With dependencies in the graph: the recorded heads, for the plain
    /// rule (a scan of the other heads' ancestry, dependencies included).
    scan: Option<Vec<RevIx>>,
}

impl DownHeads<'_> {
    /// Undoes `rx` (the newest applied revision of the range, so no
    /// descendant of it is applied) and returns its parents that become
    /// heads, in the order of its `down_revision`: those that no other
    /// recorded head descends from (Alembic's rule, as a scan of the whole
    /// ancestry of the other heads would find them, but local).
    pub fn undo(&mut self, rx: RevIx) -> Vec<RevIx> {
        let g = self.g;
        if let Some(heads) = &mut self.scan {
            // A dependency counts as a parent; of the required revisions,
            // one that another requires in turn is no head.
            heads.retain(|&h| h != rx);
            let covered = g.closure(heads);
            let mut new: Vec<RevIx> = g.requires(rx).filter(|&p| !covered.contains(&g.topo_pos[p])).collect();
            let all = new.clone();
            new.retain(|&c| !all.iter().any(|&o| o != c && g.closure(&[o]).contains(&g.topo_pos[c])));
            heads.extend(new.iter().copied());
            return new;
        }
        self.is_head[rx] = false;
        self.applied[rx] = false;
        for &p in &g.parents[rx] {
            self.children_applied[p] -= 1;
        }
        // A parent with no other applied child that is no head: only `rx` held it.
        let fresh = |s: &Self, p: RevIx| !s.is_head[p] && s.children_applied[p] == 0;
        let any_fresh = g.parents[rx].iter().any(|&p| fresh(self, p));
        let new: Vec<RevIx> = g.parents[rx]
            .iter()
            .copied()
            .filter(|&p| {
                if self.is_head[p] {
                    return false;
                }
                if self.children_applied[p] == 0 {
                    return true;
                }
                // An applied child leads up to a head, unless every way up
                // ends at a fresh parent of `rx` (a down_revision that is an
                // ancestor of another one): only then is a search needed.
                any_fresh && !self.covered(p, rx)
            })
            .collect();
        for &p in &new {
            self.is_head[p] = true;
        }
        new
    }

    /// Whether a recorded head other than `rx` descends from `p`.
    fn covered(&mut self, p: RevIx, rx: RevIx) -> bool {
        let g = self.g;
        self.epoch += 1;
        let mut stack = vec![p];
        while let Some(r) = stack.pop() {
            for &c in &g.children[r] {
                if !self.applied[c] || self.seen[c] == self.epoch {
                    continue;
                }
                self.seen[c] = self.epoch;
                // An applied revision that is no ancestor of `rx` (it comes
                // after it) lies under some other head.
                let found = if self.is_head[c] {
                    Some(Some(c))
                } else if let Some(w) = self.witness[c].filter(|&w| self.is_head[w]) {
                    Some(Some(w))
                } else if g.topo_pos[c] > g.topo_pos[rx] {
                    Some(None)
                } else {
                    None
                };
                if let Some(w) = found {
                    if w.is_some() {
                        self.witness[p] = w;
                    }
                    return true;
                }
                stack.push(c);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diag::{FileId, Sp, Span};

    fn graph(parents: &[Vec<usize>]) -> Graph {
        let sp = |s: String| Sp::new(s, Span::default());
        let revs = parents
            .iter()
            .enumerate()
            .map(|(i, ps)| Revision {
                file: FileId(0),
                path: String::new(),
                id: sp(format!("r{i:04}")),
                down: ps.iter().map(|p| sp(format!("r{p:04}"))).collect(),
                depends_on: vec![],
                message: String::new(),
                branch_labels: vec![],
                transactional: true,
                upgrade: vec![],
                downgrade: None,
            })
            .collect();
        Graph::build(revs).unwrap_or_else(|_| panic!("a valid graph"))
    }

    /// The rule as it was first written: a parent becomes a head unless the
    /// ancestry of the other heads holds it (a scan of that ancestry per revision).
    fn undo_by_scan(g: &Graph, heads: &mut Vec<RevIx>, rx: RevIx) -> Vec<RevIx> {
        heads.retain(|&h| h != rx);
        let covered = g.closure(heads);
        let new: Vec<RevIx> = g.parents[rx].iter().copied().filter(|&p| !covered.contains(&g.topo_pos[p])).collect();
        heads.extend(new.iter().copied());
        new
    }

    /// Random histories (branches, merges, down_revisions that are
    /// ancestors of one another) downgraded from random starts to random
    /// ends: the local rule gives the new heads the scan gives.
    #[test]
    fn down_heads_agree_with_the_scan_of_the_ancestry() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..300 {
            let n = 2 + rand(40);
            let parents: Vec<Vec<usize>> = (0..n)
                .map(|i| {
                    let k = if i == 0 || rand(6) == 0 { 0 } else { 1 + rand(3).min(i - 1) };
                    let mut ps: Vec<usize> = (0..k).map(|_| i - 1 - rand(i.min(4))).collect();
                    ps.sort();
                    ps.dedup();
                    ps
                })
                .collect();
            let g = graph(&parents);
            let start: Vec<RevIx> = if rand(2) == 0 { g.heads.clone() } else { vec![rand(n)] };
            let from = g.closure(&start);
            let end: Vec<RevIx> = if rand(3) == 0 {
                vec![]
            } else {
                vec![g.topo[*from.iter().next().unwrap_or(&0)]]
            };
            let to = g.closure(&end);
            if !to.is_subset(&from) {
                continue;
            }
            let mut scan = start.clone();
            let mut local = g.down_heads(&start, &from);
            for &rx in g.difference(&from, &to).iter().rev() {
                assert_eq!(local.undo(rx), undo_by_scan(&g, &mut scan, rx), "{parents:?} from {start:?}, undoing {rx}");
            }
        }
    }

    #[test]
    fn minus_n_steps_back_from_the_newest_tip() {
        // 0 - 1 - 2 - 4, 1 - 3 - 4 (a merge), 5 on 0 (a second head).
        let g = graph(&[vec![], vec![0], vec![1], vec![1], vec![2, 3], vec![0]]);
        let ids = |v: Vec<RevIx>| v.iter().map(|&r| g.id(r).to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(ids(g.resolve("heads-1", None).unwrap()), "r0004");
        assert_eq!(ids(g.resolve("r0004-1", None).unwrap()), "r0002,r0003");
        assert_eq!(ids(g.resolve("r0004-3", None).unwrap()), "r0001");
        assert_eq!(ids(g.resolve("r0004-5", None).unwrap()), "");
        assert!(g.resolve("r0004-6", None).is_err());
    }
}
