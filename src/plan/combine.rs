//! MySQL/MariaDB (SPEC 11): consecutive changes to one table are the
//! clauses of one `ALTER TABLE`, so that the table is altered (and, for
//! what is not instant, rebuilt) once; with `[safety] online`, each ALTER
//! of a table that existed before the revision carries the `ALGORITHM=`
//! every clause of it allows on the target version (the rules and their
//! sources are in `dialects/mysql/dialect.toml`).
//!
//! Only neighbouring steps are combined, so no statement that reads or
//! writes the table (an `UPDATE` backfill, an `execute`, rows) is crossed.
//! A group ends after a rename (a later clause could name the new name)
//! and before a clause that names a column, index or constraint that an
//! earlier clause of the group already names (`ADD COLUMN c` then `MODIFY c`
//! must be two statements), and before a foreign key from the table to
//! itself whose referenced columns a key or index added earlier in the group
//! holds (MariaDB checks the foreign key before it adds the key: errno 150).

use crate::dialect::{Capability, Dialect};
use crate::plan::step::{Algorithm, Placement, Step, StepKind};
use crate::replay::model::{Constraint, Value};

/// The table a step alters, when it can be a clause of an `ALTER TABLE`.
fn clause_of(kind: &StepKind) -> Option<&str> {
    match kind {
        StepKind::AddColumn { table, inline, .. } if inline.is_empty() => Some(table),
        // `using` on MySQL is several statements (a new column, an UPDATE, a swap).
        StepKind::AlterColumn { using: Some(_), .. } => None,
        StepKind::DropColumn { table, .. }
        | StepKind::AlterColumn { table, .. }
        | StepKind::RenameColumn { table, .. }
        | StepKind::ChangeColumn { table, .. }
        | StepKind::RenameIndex { table, .. }
        | StepKind::AddConstraint { table, .. }
        | StepKind::DropConstraint { table, .. } => Some(table),
        StepKind::CreateIndex {
            table, concurrently: false, ..
        }
        | StepKind::DropIndex {
            table, concurrently: false, ..
        } => Some(table),
        _ => None,
    }
}

/// The names a clause touches: columns (`c:`), indexes and constraints
/// (`k:`), and the columns an index or constraint reads (`r:`).
fn names(kind: &StepKind) -> Vec<String> {
    let c = |n: &str| format!("c:{}", n.to_lowercase());
    let k = |n: &str| format!("k:{}", n.to_lowercase());
    // A column an index or constraint reads: a later clause that renames,
    // drops or changes it cannot join the ALTER (MySQL would apply it first).
    let r = |n: &str| format!("r:{}", n.to_lowercase());
    match kind {
        StepKind::AddColumn { column, .. } => vec![c(&column.column.name)],
        StepKind::DropColumn { column, .. } => vec![c(column)],
        StepKind::AlterColumn { column, .. } => vec![c(&column.column.name)],
        StepKind::RenameColumn { from, to, .. } => vec![c(from), c(to)],
        StepKind::ChangeColumn { from, column, .. } => vec![c(from), c(&column.column.name)],
        StepKind::RenameIndex { from, to, .. } => vec![k(from), k(to)],
        // An index or constraint names its columns too: a rename of one of
        // them in the same ALTER would be applied first.
        StepKind::CreateIndex { index, .. } | StepKind::DropIndex { index, .. } => {
            let expr = |i: usize| index.options.as_ref().and_then(|o| o.elements.get(i)).is_some_and(|e| e.expr);
            let mut v = vec![k(&index.name)];
            for (i, entry) in index.columns.iter().enumerate() {
                if expr(i) {
                    v.extend(crate::base::sqlwords::identifiers(entry).iter().map(|n| r(n)));
                } else {
                    // A column's own name, whatever characters it holds.
                    v.push(r(entry));
                }
            }
            v
        }
        StepKind::AddConstraint { constraint, .. } | StepKind::DropConstraint { constraint, .. } => {
            let mut v = vec![k(constraint.name())];
            let columns: Vec<String> = match constraint {
                Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => columns.clone(),
                Constraint::ForeignKey(fk) => fk.columns.clone(),
                Constraint::Check { expr, .. } => crate::base::sqlwords::identifiers(expr),
            };
            v.extend(columns.iter().map(|n| r(n)));
            // MySQL drops and adds foreign keys in one statement only with
            // ALGORITHM=INPLACE, which adding one (foreign_key_checks on) is
            // not (15.1.20.5 FOREIGN KEY Constraints,
            // https://dev.mysql.com/doc/refman/8.4/en/create-table-foreign-keys.html).
            if let Constraint::ForeignKey(_) = constraint {
                let adds = matches!(kind, StepKind::AddConstraint { .. });
                v.push(if adds { "fk:add" } else { "fk:drop" }.into());
            }
            if matches!(constraint, Constraint::PrimaryKey { .. }) {
                v.push("k:primary".into());
            }
            v
        }
        _ => vec![],
    }
}

/// The columns of a key or index the clause adds, lowercased.
fn added_key(kind: &StepKind) -> Option<Vec<String>> {
    let lower = |v: &[String]| v.iter().map(|n| n.to_lowercase()).collect();
    match kind {
        StepKind::AddConstraint {
            constraint: Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. },
            ..
        } => Some(lower(columns)),
        StepKind::CreateIndex { index, .. } => Some(lower(&index.columns)),
        _ => None,
    }
}

/// Whether the clause adds a foreign key from `table` to itself that reads
/// a key or index one of `earlier` adds: InnoDB checks the foreign key
/// against the table as it was before the statement, so that key must be
/// added by a statement of its own first (MariaDB 10.11 refuses the one
/// ALTER with errno 150 "Foreign key constraint is incorrectly formed").
fn needs_earlier_key(table: &str, kind: &StepKind, earlier: &[Step]) -> bool {
    let StepKind::AddConstraint {
        constraint: Constraint::ForeignKey(fk),
        ..
    } = kind
    else {
        return false;
    };
    if fk.ref_table != table {
        return false;
    }
    let wanted: Vec<String> = fk.ref_columns.iter().map(|n| n.to_lowercase()).collect();
    earlier
        .iter()
        .filter_map(|s| added_key(&s.kind))
        .any(|key| wanted.iter().all(|c| key.contains(c)))
}

fn is_rename(kind: &StepKind) -> bool {
    matches!(
        kind,
        StepKind::RenameColumn { .. } | StepKind::ChangeColumn { .. } | StepKind::RenameIndex { .. }
    )
}

/// The algorithm a clause allows on the dialect's version; None: a table copy.
fn algorithm(d: &Dialect, kind: &StepKind) -> Option<Algorithm> {
    let instant_or_inplace = |cap| Some(if d.can(cap) { Algorithm::Instant } else { Algorithm::Inplace });
    match kind {
        StepKind::AddColumn { column, inline, .. } => {
            let c = &column.column;
            if !inline.is_empty() || c.autoincrement {
                return None;
            }
            // An expression default is not instant (MySQL refuses it with INSTANT).
            if matches!(c.default, Some(Value::Sql(_)) | Some(Value::Current(_))) {
                return Some(Algorithm::Inplace);
            }
            instant_or_inplace(Capability::InstantAddColumn)
        }
        StepKind::DropColumn { .. } => instant_or_inplace(Capability::InstantDropColumn),
        StepKind::RenameColumn { .. } => instant_or_inplace(Capability::InstantRenameColumn),
        // AUTO_INCREMENT added or removed copies the table.
        StepKind::AlterColumn {
            type_changed: false,
            autoincrement_changed: false,
            ..
        } => Some(Algorithm::Inplace),
        StepKind::CreateIndex { index, .. } => {
            let plain = index.options.as_deref().is_none_or(|o| o.kind.is_none() && !o.elements.iter().any(|e| e.expr));
            plain.then_some(Algorithm::Inplace)
        }
        StepKind::DropIndex { .. } | StepKind::RenameIndex { .. } => Some(Algorithm::Inplace),
        StepKind::AddConstraint { constraint, .. } => {
            matches!(constraint, Constraint::PrimaryKey { .. } | Constraint::Unique { .. }).then_some(Algorithm::Inplace)
        }
        StepKind::DropConstraint { constraint, .. } => {
            matches!(constraint, Constraint::ForeignKey(_) | Constraint::Unique { .. }).then_some(Algorithm::Inplace)
        }
        _ => None,
    }
}

/// The steps with neighbouring clauses on one table combined; with
/// `online`, ALTERs of tables not in `created` carry their algorithm.
pub fn combine_alters(d: &Dialect, steps: Vec<Step>, online: bool, created: &[String]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    let mut group: Vec<Step> = vec![];
    let flush = |group: &mut Vec<Step>, out: &mut Vec<Step>| {
        if group.is_empty() {
            return;
        }
        let table = clause_of(&group[0].kind).unwrap_or_default().to_string();
        let live = online && !created.contains(&table);
        let algorithm = if live {
            group
                .iter()
                .map(|s| algorithm(d, &s.kind))
                .try_fold(Algorithm::Instant, |a, b| b.map(|b| a.max(b)))
        } else {
            None
        };
        if group.len() == 1 && algorithm.is_none() {
            out.append(group);
            return;
        }
        let first = &group[0];
        let (span, placement, foreign_keys_off) = (first.span, first.placement, first.foreign_keys_off);
        let mut warnings = vec![];
        let mut items = vec![];
        for s in group.drain(..) {
            warnings.extend(s.warnings);
            items.push(s.kind);
        }
        out.push(Step {
            kind: StepKind::AlterTable { table, items, algorithm },
            warnings,
            placement,
            foreign_keys_off,
            span,
        });
    };
    let mut touched: Vec<String> = vec![];
    for step in steps {
        let Some(table) = clause_of(&step.kind).filter(|_| step.placement == Placement::InTransaction) else {
            flush(&mut group, &mut out);
            touched.clear();
            out.push(step);
            continue;
        };
        let mine = names(&step.kind);
        let moves = matches!(step.kind, StepKind::RenameColumn { .. } | StepKind::ChangeColumn { .. });
        // A name already touched, or a foreign key added where one was dropped (or the other way).
        let conflicts = |n: &String| match n.as_str() {
            "fk:add" => touched.iter().any(|t| t == "fk:drop"),
            "fk:drop" => touched.iter().any(|t| t == "fk:add"),
            // Reading a column an earlier clause added or changed is fine.
            _ if n.starts_with("r:") => false,
            // Renaming a column an earlier clause reads is not: MySQL resolves
            // the clause's names after the rename.
            _ if n.starts_with("c:") && moves => touched.contains(n) || touched.contains(&format!("r:{}", &n[2..])),
            _ => touched.contains(n),
        };
        let joins = group
            .last()
            .is_some_and(|last| clause_of(&last.kind) == Some(table) && !is_rename(&last.kind) && !mine.iter().any(conflicts))
            && !needs_earlier_key(table, &step.kind, &group);
        if !joins {
            flush(&mut group, &mut out);
            touched.clear();
        }
        touched.extend(mine);
        group.push(step);
    }
    flush(&mut group, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diag::Span;
    use crate::dialect::DialectId;
    use crate::replay::model::{ForeignKey, Index};

    fn step(kind: StepKind) -> Step {
        Step::new(kind, Span::default())
    }

    fn drop_column(table: &str, column: &str) -> Step {
        step(StepKind::DropColumn {
            table: table.into(),
            column: column.into(),
        })
    }

    fn index(table: &str, name: &str, column: &str) -> Step {
        let index = Index {
            name: name.into(),
            columns: vec![column.into()],
            unique: false,
            where_: None,
            options: None,
        };
        step(StepKind::CreateIndex {
            table: table.into(),
            index,
            concurrently: false,
        })
    }

    fn fk(table: &str, name: &str, add: bool) -> Step {
        let constraint = Constraint::ForeignKey(ForeignKey {
            name: name.into(),
            columns: vec!["a".into()],
            ref_table: "p".into(),
            ref_columns: vec!["id".into()],
            on_delete: None,
            on_update: None,
        });
        step(if add {
            StepKind::AddConstraint {
                table: table.into(),
                constraint,
            }
        } else {
            StepKind::DropConstraint {
                table: table.into(),
                constraint,
                generic_drop: true,
            }
        })
    }

    /// The number of items of each statement of the combined steps.
    fn shape(d: &Dialect, steps: Vec<Step>, online: bool) -> Vec<(usize, Option<Algorithm>)> {
        combine_alters(d, steps, online, &[])
            .iter()
            .map(|s| match &s.kind {
                StepKind::AlterTable { items, algorithm, .. } => (items.len(), *algorithm),
                _ => (1, None),
            })
            .collect()
    }

    #[test]
    fn neighbours_on_one_table_are_one_alter() {
        let d = Dialect::load(DialectId::Mysql, Some("8.4")).unwrap();
        let steps = vec![drop_column("t", "a"), index("t", "ix_b", "b"), drop_column("u", "c"), drop_column("t", "d")];
        // `u` in between: `t`'s changes are not moved across it.
        assert_eq!(shape(&d, steps, false), vec![(2, None), (1, None), (1, None)]);
    }

    #[test]
    fn a_name_named_twice_or_a_rename_ends_a_group() {
        let d = Dialect::load(DialectId::Mysql, Some("8.4")).unwrap();
        let rename = step(StepKind::RenameColumn {
            table: "t".into(),
            from: "a".into(),
            to: "b".into(),
        });
        let steps = vec![drop_column("t", "x"), rename, index("t", "ix_b", "b"), index("t", "ix_b", "c")];
        assert_eq!(shape(&d, steps, false), vec![(2, None), (1, None), (1, None)]);
    }

    #[test]
    fn a_foreign_key_dropped_and_added_are_two_statements() {
        let d = Dialect::load(DialectId::Mysql, Some("8.4")).unwrap();
        let steps = vec![fk("t", "fk_1", false), fk("t", "fk_2", true), fk("t", "fk_3", true)];
        assert_eq!(shape(&d, steps, false), vec![(1, None), (2, None)]);
    }

    #[test]
    fn a_self_reference_comes_after_the_key_it_reads() {
        let d = Dialect::load(DialectId::Mariadb, Some("10.11")).unwrap();
        let pk = || {
            step(StepKind::AddConstraint {
                table: "t".into(),
                constraint: Constraint::PrimaryKey {
                    name: "pk_t".into(),
                    columns: vec!["ID".into()],
                },
            })
        };
        let self_fk = |table: &str| {
            step(StepKind::AddConstraint {
                table: "t".into(),
                constraint: Constraint::ForeignKey(ForeignKey {
                    name: "fk_t".into(),
                    columns: vec!["parent".into()],
                    ref_table: table.into(),
                    ref_columns: vec!["id".into()],
                    on_delete: None,
                    on_update: None,
                }),
            })
        };
        // The key first, in a statement of its own; the foreign key starts the next.
        let steps = vec![drop_column("t", "x"), pk(), self_fk("t"), drop_column("t", "y")];
        assert_eq!(shape(&d, steps, false), vec![(2, None), (2, None)]);
        // An index that holds the referenced column counts too.
        assert_eq!(shape(&d, vec![index("t", "ix_id", "id"), self_fk("t")], false), vec![(1, None), (1, None)]);
        // A foreign key to another table, or a key on other columns, joins.
        assert_eq!(shape(&d, vec![pk(), self_fk("p")], false), vec![(2, None)]);
        assert_eq!(shape(&d, vec![index("t", "ix_b", "b"), self_fk("t")], false), vec![(2, None)]);
    }

    #[test]
    fn the_algorithm_is_the_weakest_clause_allows_on_the_version() {
        let d = Dialect::load(DialectId::Mysql, Some("8.4")).unwrap();
        assert_eq!(shape(&d, vec![drop_column("t", "a")], true), vec![(1, Some(Algorithm::Instant))]);
        assert_eq!(
            shape(&d, vec![drop_column("t", "a"), index("t", "ix", "b")], true),
            vec![(2, Some(Algorithm::Inplace))]
        );
        // Adding a foreign key copies the table: no clause.
        assert_eq!(shape(&d, vec![drop_column("t", "a"), fk("t", "fk", true)], true), vec![(2, None)]);
        // MySQL 8.0.28 drops a column in place, not instantly (8.0.29).
        let old = Dialect::load(DialectId::Mysql, Some("8.0.28")).unwrap();
        assert_eq!(shape(&old, vec![drop_column("t", "a")], true), vec![(1, Some(Algorithm::Inplace))]);
        // A table the revision creates gets no clause.
        let created = combine_alters(&d, vec![drop_column("t", "a")], true, &["t".to_string()]);
        assert!(matches!(created[0].kind, StepKind::DropColumn { .. }));
    }
}
