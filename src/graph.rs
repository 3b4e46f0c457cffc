//! Stage 2, chain: the revision graph built from `down_revision` and
//! `depends_on`, and the meaning of revision specifiers and ranges (SPEC 1).
//! A revision set is always closed under ancestry, where a dependency counts
//! as an ancestor (as in Alembic: upgrading to a revision applies what it
//! depends on first, and the version table then names the dependent
//! revision alone); a range is the difference of two such sets.

use crate::base::codes;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::fxhash::FastHash;
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
        for (i, r) in revs.iter().enumerate() {
            if let Some(&first) = by_id.get(&r.id.v) {
                diags.push(
                    Diagnostic::error(codes::DUPLICATE_REVISION, format!("duplicate revision id `{}`", r.id.v))
                        .at(r.id.span, "this id")
                        .also(revs[first].id.span, "is also used here"),
                );
            } else {
                by_id.insert(r.id.v.clone(), i);
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
            let names: Vec<&str> = in_cycle.iter().map(|&i| revs[i].id.v.as_str()).collect();
            let diags = in_cycle
                .iter()
                .filter_map(|&i| {
                    let (span, what) = match (revs[i].down.first(), revs[i].depends_on.first()) {
                        (Some(d), _) => (d.span, "this down_revision closes a circular chain"),
                        (None, Some(d)) => (d.span, "this dependency closes a circular chain"),
                        (None, None) => return None,
                    };
                    Some(
                        Diagnostic::error(
                            codes::REVISION_CYCLE,
                            format!("a cycle of down_revisions and dependencies: {}", names.join(" -> ")),
                        )
                        .at(span, what),
                    )
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
                    many => Err(format!(
                        "`head` is ambiguous: there are {} heads ({}); name one, or use `heads`",
                        many.len(),
                        many.iter().map(|&h| self.id(h)).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            _ => {}
        }
        if let Some(label) = spec.strip_suffix("@head") {
            let start = self
                .revs
                .iter()
                .position(|r| r.branch_labels.iter().any(|l| l.v == label))
                .ok_or_else(|| format!("no branch is labelled `{label}`"))?;
            let heads = branch_heads(&self.parents, &self.heads, start);
            return match heads.as_slice() {
                [h] => Ok(vec![*h]),
                [] => Err(format!("branch `{label}` has no head")),
                many => Err(format!(
                    "branch `{label}` has several heads: {}",
                    many.iter().map(|&h| self.id(h)).collect::<Vec<_>>().join(", ")
                )),
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
            many => Err(format!("`{spec}` is ambiguous: it could be {}", many.join(", "))),
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
                            many.iter().map(|&r| self.id(r)).collect::<Vec<_>>().join(", ")
                        ))
                    }
                }
            } else {
                if tips.is_empty() {
                    return Err(format!("`{rel}` goes below base"));
                }
                // Undo the newest tip: the set loses it, and its parents may become tips.
                let mut set = self.closure(&tips);
                let newest = *tips.iter().max_by_key(|&&t| self.topo_pos[t]).unwrap_or(&tips[0]);
                set.remove(&self.topo_pos[newest]);
                tips = self.tips_of(&set);
            }
        }
        Ok(tips)
    }

    /// The revisions in `to` and not in `from`, in topological order.
    pub fn difference(&self, to: &RevSet, from: &RevSet) -> Vec<RevIx> {
        to.difference(from).map(|&p| self.topo[p]).collect()
    }

    pub fn is_ancestor_set(&self, a: &RevSet, b: &RevSet) -> bool {
        a.is_subset(b)
    }
}

/// The heads whose `down_revision` ancestry holds `start` (a branch's heads;
/// dependencies do not make another branch's head one of them).
fn branch_heads(parents: &[Vec<RevIx>], heads: &[RevIx], start: RevIx) -> Vec<RevIx> {
    heads
        .iter()
        .copied()
        .filter(|&h| {
            let mut seen = vec![false; parents.len()];
            let mut stack = vec![h];
            while let Some(r) = stack.pop() {
                if r == start {
                    return true;
                }
                if !std::mem::replace(&mut seen[r], true) {
                    stack.extend(parents[r].iter().copied());
                }
            }
            false
        })
        .collect()
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
    let heads: Vec<RevIx> = (0..revs.len()).filter(|&i| children[i].is_empty()).collect();
    let labelled = |label: &str| revs.iter().position(|r| r.branch_labels.iter().any(|l| l.v == label));
    for (i, r) in revs.iter().enumerate() {
        for spec in &r.depends_on {
            let found: Result<RevIx, String> = if let Some(label) = spec.v.strip_suffix("@head") {
                match labelled(label) {
                    None => Err(format!("no branch is labelled `{label}`")),
                    Some(start) => match branch_heads(parents, &heads, start).as_slice() {
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
