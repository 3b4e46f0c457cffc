//! Stage 2, chain: the revision graph built from `down_revision` alone, and
//! the meaning of revision specifiers and ranges (SPEC 1). A revision set is
//! always closed under ancestry; a range is the difference of two such sets.

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
    pub parents: Vec<Vec<RevIx>>,
    pub children: Vec<Vec<RevIx>>,
    /// Position of each revision in the topological order.
    pub topo_pos: Vec<usize>,
    pub topo: Vec<RevIx>,
    pub heads: Vec<RevIx>,
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
        // Kahn's algorithm, smallest id first among the ready ones.
        let mut indegree: Vec<usize> = parents.iter().map(|p| p.len()).collect();
        let mut ready: BTreeSet<usize> = (0..revs.len()).filter(|&i| indegree[i] == 0).collect();
        let mut topo = vec![];
        while let Some(i) = ready.pop_first() {
            topo.push(i);
            for &c in &children[i] {
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
                .filter(|&&i| !revs[i].down.is_empty())
                .map(|&i| {
                    Diagnostic::error(codes::REVISION_CYCLE, format!("a cycle of down_revisions: {}", names.join(" -> ")))
                        .at(revs[i].down[0].span, "this down_revision closes a circular chain")
                })
                .collect();
            return Err(Diagnostics(diags));
        }
        let mut topo_pos = vec![0; revs.len()];
        for (pos, &i) in topo.iter().enumerate() {
            topo_pos[i] = pos;
        }
        let heads = topo.iter().copied().filter(|&i| children[i].is_empty()).collect();
        let bases = topo.iter().copied().filter(|&i| parents[i].is_empty()).collect();
        Ok(Graph {
            revs,
            by_id,
            parents,
            children,
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
                stack.extend(self.parents[r].iter().copied());
            }
        }
        set
    }

    /// The heads (maximal elements) of a closed set.
    pub fn tips_of(&self, set: &RevSet) -> Vec<RevIx> {
        set.iter()
            .map(|&p| self.topo[p])
            .filter(|&r| !self.children[r].iter().any(|c| set.contains(&self.topo_pos[*c])))
            .collect()
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
            "heads" => return Ok(self.heads.clone()),
            "head" => {
                return match self.heads.as_slice() {
                    [] => Ok(vec![]),
                    [h] => Ok(vec![*h]),
                    many => {
                        let mut m = format!(
                            "`head` is ambiguous: there are {} heads ({}); name one, or use `heads`",
                            many.len(),
                            many.iter().map(|&h| self.id(h)).collect::<Vec<_>>().join(", ")
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
                                many.iter().map(|&h| self.id(h)).collect::<Vec<_>>().join(", ")
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
            // The head reachable from the labelled revision.
            let heads: Vec<RevIx> = self
                .heads
                .iter()
                .copied()
                .filter(|&h| self.closure(&[h]).contains(&self.topo_pos[start]))
                .collect();
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
