//! Stage 4, plan: turns resolved changes into the typed steps one dialect
//! will run (`crate::plan::step`): data whose payload is model values, never SQL
//! text. Strategy is decided here and only here: native ALTER or the SQLite
//! table rebuild, explicit drops a dialect needs first, statements that
//! must run outside a transaction, what the dialect cannot express (a
//! diagnostic at the user's key). Warnings are diagnostics with codes,
//! attached to the step that causes them. The renderer spells the steps.

pub mod combine;
pub mod lint;
pub mod step;

use crate::base::codes;
use crate::base::diag::{Diagnostic, Span};
use crate::base::naming;
use crate::dialect::{AlterColumn, Autoincrement, Capability, Comments, Dialect, EnumStyle, Online};
use crate::plan::step::{ColumnDef, CopiedColumn, Placement, Rebuild, Step, StepKind, TableDef};
use crate::replay::model::*;
use crate::replay::{Change, Dependents, Resolved};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

struct Group {
    /// The table's column names before the group's first change (all a rebuild needs of it).
    before: Vec<String>,
    changes: Vec<(Change, Span)>,
    /// How many entries of `Planner::moved` there were at the group's last change.
    since: usize,
    /// What depends on the table, as of the group's last change (no
    /// operation that changes it leaves a group pending).
    dependents: Dependents,
}

/// The steps of one revision's changes for one dialect, and what the dialect
/// cannot express as diagnostics. A function of the changes: each carries
/// the tables as it left them. `taken` says whether the schema after the
/// revision holds a table or view of a name (for a rebuild's temporary copy).
/// `online`: `[safety] online = true` (SPEC 11), plans for the tables that
/// existed before the revision as for live ones.
pub fn plan_revision(d: &Dialect, changes: Vec<Resolved>, taken: &dyn Fn(&str) -> bool, online: bool) -> (Vec<Step>, Vec<Diagnostic>) {
    let mut p = Planner::new(d);
    p.taken = taken;
    p.online = online && d.data.online != Online::None;
    for r in &changes {
        match &r.change {
            Change::CreateTable { name, .. } => {
                p.named.push(name.clone());
                p.created.push(name.clone());
            }
            Change::DropTable { table, .. } => p.named.push(table.name.clone()),
            Change::RenameTable { from, to } => {
                p.named.extend([from.clone(), to.clone()]);
                if p.created.contains(from) {
                    p.created.push(to.clone());
                }
            }
            Change::CreateView { view } | Change::DropView { view } => p.named.push(view.name.clone()),
            _ => {}
        }
    }
    for r in changes {
        p.add(r);
    }
    p.flush_all();
    p.unpark_foreign_keys();
    hoist_added_values(&mut p.steps);
    if d.data.combined_alter {
        p.steps = combine::combine_alters(d, std::mem::take(&mut p.steps), p.online, &p.created);
    }
    (p.steps, p.diags)
}

/// `alter_enum`'s `ADD VALUE`s run first, each in its own transaction before
/// the revision's, so that the revision may use the new values (PostgreSQL
/// refuses a value added in the same transaction: "unsafe use of new value",
/// https://www.postgresql.org/docs/current/sql-altertype.html#id-1.9.3.42.7);
/// unless the revision creates the type.
fn hoist_added_values(steps: &mut Vec<Step>) {
    let hoisted = |s: &Step, before: &[Step]| match &s.kind {
        StepKind::EnumAddValue { name, .. } if s.placement == Placement::OutsideTransaction => !before
            .iter()
            .any(|b| matches!(&b.kind, StepKind::CreateEnum { name: n, .. } | StepKind::EnumSwap { name: n, .. } if n == name)),
        _ => false,
    };
    let marks: Vec<bool> = (0..steps.len()).map(|i| hoisted(&steps[i], &steps[..i])).collect();
    if !marks.iter().any(|m| *m) {
        return;
    }
    let (mut first, mut rest) = (vec![], vec![]);
    for (s, m) in std::mem::take(steps).into_iter().zip(marks) {
        if m {
            first.push(s);
        } else {
            rest.push(s);
        }
    }
    first.extend(rest);
    *steps = first;
}

fn nothing_taken(_: &str) -> bool {
    false
}

/// Plans changes for one dialect, step by step.
pub struct Planner<'d> {
    pub d: &'d Dialect,
    pub steps: Vec<Step>,
    pub diags: Vec<Diagnostic>,
    groups: IndexMap<String, Group>,
    /// The tables this revision changed, as they stand after the last change planned.
    latest: HashMap<String, Arc<Table>, FastHash>,
    /// Table and view names the revision creates, drops or renames.
    named: Vec<String>,
    /// Tables dropped (None) or renamed (Some(new name)) so far in the
    /// revision, in order: a rebuild's referrers are named as they are at its flush.
    moved: Vec<(String, Option<String>)>,
    taken: &'d dyn Fn(&str) -> bool,
    /// Warnings of changes folded into a rebuild, for the rebuild's step.
    pending_warnings: Vec<Diagnostic>,
    /// Where the operation being planned wrote each column's type, for diagnostics.
    type_spans: Vec<(String, Span)>,
    /// Where it wrote each index option, for diagnostics at the key.
    key_spans: Vec<(&'static str, Span)>,
    /// `[safety] online` and the dialect has an online plan (SPEC 11).
    online: bool,
    /// The tables the revision creates (under each name they take): never live.
    created: Vec<String>,
    /// Foreign keys dropped around a type change of one of their columns
    /// (MySQL/MariaDB refuse the change while they exist, errors 1832 and
    /// 1833; SPEC 10.1), with the table holding each and `moved.len()` when
    /// parked: made again at the end of the revision, once both sides have
    /// their new types.
    parked: Vec<(String, ForeignKey, usize, Span)>,
}

/// Whether an index, unique constraint or primary key of `t` begins with
/// `columns`, in order (what MySQL needs for a foreign key on them).
fn covered(t: &Table, columns: &[String]) -> bool {
    let covers = |cols: &[String]| cols.len() >= columns.len() && cols[..columns.len()] == columns[..];
    t.indexes.iter().any(|i| covers(&i.columns))
        || t.constraints.iter().any(|c| match c {
            Constraint::Unique { columns, .. } | Constraint::PrimaryKey { columns, .. } => covers(columns),
            _ => false,
        })
}

fn column_names(t: &Table) -> Vec<String> {
    t.columns.keys().cloned().collect()
}

/// Whether two types are the same column type on every dialect: equal,
/// or non-native enums of the same length (their values are the check's).
fn same_sql_type(a: &ColumnType, b: &ColumnType) -> bool {
    match (a, b) {
        (ColumnType::Enum(x), ColumnType::Enum(y)) if !x.native && !y.native => x.longest() == y.longest(),
        _ => a == b,
    }
}

/// Whether a type change can lose data (anything but a widening).
fn narrows(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    // A non-native enum is a string as long as its longest value; only
    // another enum of the same values or more takes every value it holds.
    let plain = |t: &T| match t {
        T::Enum(e) if !e.native => T::String(Some(e.longest())),
        other => other.clone(),
    };
    if let (T::Enum(a), T::Enum(b)) = (old, new) {
        return a.values.iter().any(|v| !b.values.contains(v));
    }
    if matches!(new, T::Enum(_)) {
        return true;
    }
    let (old, new) = (&plain(old), &plain(new));
    let rank = |t: &T| match t {
        T::SmallInt => 1,
        T::Integer => 2,
        T::BigInt => 3,
        _ => 0,
    };
    match (old, new) {
        (T::String(Some(a)), T::String(Some(b))) | (T::Char(Some(a)), T::Char(Some(b))) => b < a,
        (T::String(_) | T::Char(_), T::Text) => false,
        (T::Decimal(Some((p1, s1))), T::Decimal(Some((p2, s2)))) => p2 < p1 || s2 < s1,
        (a, b) if a.is_integer() && b.is_integer() => rank(b) < rank(a),
        (a, b) if a.is_integer() && matches!(b, T::Decimal(_) | T::Float) => false,
        _ => old != new,
    }
}

impl<'d> Planner<'d> {
    pub fn new(d: &'d Dialect) -> Planner<'d> {
        Planner {
            d,
            steps: vec![],
            diags: vec![],
            groups: IndexMap::new(),
            latest: HashMap::default(),
            named: vec![],
            moved: vec![],
            taken: &nothing_taken,
            pending_warnings: vec![],
            type_spans: vec![],
            key_spans: vec![],
            online: false,
            created: vec![],
            parked: vec![],
        }
    }

    /// Whether a change to `table` is planned for a live table (SPEC 11):
    /// `[safety] online` and a table that existed before the revision.
    fn live(&self, table: &str) -> bool {
        self.online && !self.created.iter().any(|c| c == table)
    }

    /// PostgreSQL's online plan applies to the table.
    fn validates_later(&self, table: &str) -> bool {
        self.d.data.online == Online::Validate && self.live(table)
    }

    /// The last step starts a transaction of its own.
    fn own_transaction(&mut self) {
        if let Some(s) = self.steps.last_mut() {
            s.placement = Placement::OwnTransaction;
        }
    }

    /// A foreign key or check added to a live table: `NOT VALID`, then
    /// validated in a transaction of its own (SPEC 11).
    fn add_validated_later(&mut self, table: &str, constraint: Constraint, span: Span) {
        let name = constraint.name().to_string();
        let table = table.to_string();
        self.push(
            StepKind::AddConstraintNotValid {
                table: table.clone(),
                constraint,
            },
            span,
        );
        self.push(StepKind::ValidateConstraint { table, name }, span);
        self.own_transaction();
    }

    fn rebuilds(&self) -> bool {
        self.d.data.alter_column == AlterColumn::Rebuild
    }

    fn push(&mut self, kind: StepKind, span: Span) {
        // A check is added and dropped as the dialect has it, or not at all (SPEC 9).
        let kind = match kind {
            StepKind::AddConstraint { table, constraint } => match self.local_check(constraint, span, true) {
                Some(constraint) => StepKind::AddConstraint { table, constraint },
                None => return,
            },
            StepKind::DropConstraint {
                table,
                constraint,
                generic_drop,
            } => match self.local_check(constraint, span, false) {
                Some(constraint) => StepKind::DropConstraint {
                    table,
                    constraint,
                    generic_drop,
                },
                None => return,
            },
            other => other,
        };
        self.steps.push(Step::new(kind, span));
    }

    /// A constraint as this dialect has it: a check written per dialect
    /// takes the dialect's entry; none when that entry is `""` (SPEC 9:
    /// SQLAlchemy's `Boolean(create_constraint=True)` where the dialect has
    /// a native boolean), or when there is no entry and no `default` (a
    /// diagnostic, when the check is being made).
    fn local_check(&mut self, c: Constraint, span: Span, making: bool) -> Option<Constraint> {
        let Constraint::Check { name, dialects: Some(pd), .. } = &c else {
            return Some(c);
        };
        match pd.get(self.d.lookup()) {
            Some("") => None,
            Some(sql) => Some(Constraint::Check {
                name: name.clone(),
                expr: sql.to_string(),
                dialects: None,
            }),
            None => {
                if making {
                    self.fail(
                        span,
                        format!("check `{name}` has no SQL for {} and no `default` (use \"\" for none)", self.d.key()),
                    );
                }
                None
            }
        }
    }

    /// Whether `k` is a check whose SQL, as this dialect spells it, names `column`.
    fn check_names(&self, k: &Constraint, column: &str) -> bool {
        let Constraint::Check { expr, dialects, .. } = k else { return false };
        let sql = dialects.as_ref().and_then(|pd| pd.get(self.d.lookup())).unwrap_or(expr);
        crate::base::sqlwords::identifiers(sql).iter().any(|w| w.eq_ignore_ascii_case(column))
    }

    /// The last step runs between transactions.
    fn outside_transaction(&mut self) {
        if let Some(s) = self.steps.last_mut() {
            s.placement = Placement::OutsideTransaction;
        }
    }

    fn warn_last(&mut self, code: codes::Code, message: String) {
        if let Some(last) = self.steps.last_mut() {
            last.warnings.push(Diagnostic::warning(code, message));
        }
    }

    fn fail(&mut self, span: Span, msg: String) {
        self.diags
            .push(Diagnostic::error(codes::UNSUPPORTED_BY_DIALECT, msg).at(span, format!("cannot be compiled for {}", self.d.key())));
    }

    /// Whether the target has schemas (SPEC 9); a diagnostic at the operation if not.
    fn can_schemas(&mut self, span: Span) -> bool {
        let ok = self.d.can(Capability::Schemas);
        if !ok {
            self.fail(span, format!("{} {} has no schemas (namespaces)", self.d.key(), self.d.version));
        }
        ok
    }

    /// Whether the target has sequences (SPEC 9); a diagnostic at the operation if not.
    fn can_sequences(&mut self, span: Span) -> bool {
        let ok = self.d.can(Capability::Sequences);
        if !ok {
            self.fail(span, self.d.no_sequences());
        }
        ok
    }

    /// A value the dialect must be able to spell.
    fn check_value(&mut self, v: &Value, span: Span) -> bool {
        match self.d.check_value(v) {
            Ok(()) => true,
            Err(e) => {
                self.fail(span, e);
                false
            }
        }
    }

    /// A column as the dialect declares it; what the dialect cannot express is a diagnostic.
    fn column_def(&mut self, c: &Column, table: Option<&Table>, span: Span) -> ColumnDef {
        let rowid_pk = self.d.data.autoincrement == Autoincrement::Rowid
            && table
                .and_then(|t| t.primary_key())
                .is_some_and(|(_, cols)| cols.len() == 1 && cols[0] == c.name)
            && (c.autoincrement || c.ty == ColumnType::Integer);
        if !rowid_pk {
            if let Err(e) = self.d.check_type(&c.ty) {
                let at = self.type_spans.iter().find(|(n, _)| *n == c.name).map(|(_, s)| *s).unwrap_or(span);
                self.fail(at, format!("column `{}`: {e}", c.name));
            }
        }
        if let Some(Err(e)) = c.default.as_ref().map(|v| self.d.check_value(v)) {
            self.fail(span, format!("default of `{}`: {e}", c.name));
        }
        if let Some(g) = &c.generated {
            let at = self.key_spans.iter().find(|(k, _)| *k == "generated").map(|(_, s)| *s).unwrap_or(span);
            let (key, version) = (self.d.key(), self.d.version.clone());
            if !self.d.can(Capability::GeneratedColumns) {
                self.fail(at, format!("column `{}` is generated, which {key} {version} does not support", c.name));
            } else if !g.stored && !self.d.can(Capability::GeneratedVirtual) {
                self.fail(
                    at,
                    format!(
                        "column `{}` is generated and not stored (`stored = false`), which {key} {version} does not support",
                        c.name
                    ),
                );
            }
            match g.expr.get(self.d.lookup()) {
                None | Some("") => self.fail(at, format!("the generated column `{}` has no expression for {key} and no `default`", c.name)),
                Some(_) => {}
            }
        }
        if let Some(cl) = &c.collation {
            if cl.get(self.d.lookup()).is_none() {
                let at = self.key_spans.iter().find(|(k, _)| *k == "collation").map(|(_, s)| *s).unwrap_or(span);
                self.fail(at, format!("the collation of `{}` has no entry for {} and no `default`", c.name, self.d.key()));
            }
        }
        // MySQL before 8.0.13 refuses any default on BLOB, TEXT, GEOMETRY and
        // JSON (ERROR 1101); from 8.0.13 a literal one is written as an
        // expression: https://dev.mysql.com/doc/refman/8.4/en/data-type-defaults.html
        let literal = c.default.as_ref().is_some_and(|v| !matches!(v, Value::Null | Value::Sql(_)));
        if literal && !rowid_pk && !self.d.can(Capability::ExpressionDefaults) {
            if let Ok(ty) = self.d.type_sql(&c.ty) {
                if self.d.needs_expression_default(&ty) {
                    let at = self.type_spans.iter().find(|(n, _)| *n == c.name).map(|(_, s)| *s).unwrap_or(span);
                    self.fail(
                        at,
                        format!(
                            "column `{}`: {} {} cannot give a {ty} column a default (MySQL 8.0.13 and later can)",
                            c.name,
                            self.d.key(),
                            self.d.version
                        ),
                    );
                }
            }
        }
        ColumnDef {
            column: c.clone(),
            rowid_pk: if rowid_pk {
                table.and_then(|t| t.primary_key()).map(|(n, _)| n.to_string())
            } else {
                None
            },
        }
    }

    /// The table's definition; `keep_fk` leaves out foreign keys to tables not yet created.
    fn table_def(&mut self, t: &Table, name: &str, span: Span, keep_fk: &dyn Fn(&ForeignKey) -> bool) -> TableDef {
        let columns = t.columns.values().map(|c| Arc::new(self.column_def(c, Some(t), span))).collect::<Vec<_>>();
        let inline_pk = columns.iter().any(|c| c.rowid_pk.is_some());
        let merged = self.merged_keys(t);
        let constraints = t
            .constraints
            .iter()
            .filter(|c| !(inline_pk && matches!(c, Constraint::PrimaryKey { .. })))
            .filter(|c| !merged.contains(c))
            .filter(|c| match c {
                Constraint::ForeignKey(fk) => keep_fk(fk),
                _ => true,
            })
            .cloned()
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|c| self.local_check(c, span, true))
            .collect();
        let options = t.options.as_ref().and_then(|o| o.get(self.d.own_lookup())).map(str::to_string);
        TableDef {
            name: name.to_string(),
            columns,
            constraints,
            comment: t.comment.clone(),
            options,
        }
    }

    /// The unique constraints `CREATE TABLE` would merge into the primary key
    /// or an earlier unique constraint over the same columns, losing their
    /// names (PostgreSQL): `table_def` leaves them out, and the callers add
    /// them once the table exists.
    fn merged_keys(&self, t: &Table) -> Vec<Constraint> {
        if !self.d.data.create_table_merges_equal_keys {
            return vec![];
        }
        let mut seen: Vec<&[String]> = t.primary_key().map(|(_, cols)| vec![cols]).unwrap_or_default();
        let mut out = vec![];
        for c in &t.constraints {
            if let Constraint::Unique { columns, .. } = c {
                if seen.contains(&columns.as_slice()) {
                    out.push(c.clone());
                } else {
                    seen.push(columns.as_slice());
                }
            }
        }
        out
    }

    fn create_enums(&mut self, types: &[ColumnType], span: Span) {
        if self.d.data.enum_style != EnumStyle::Type {
            return;
        }
        for t in types {
            if let ColumnType::Enum(e) = t.clone() {
                if !e.native {
                    continue;
                }
                let (name, values) = (e.name.clone(), e.values.clone());
                self.push(StepKind::CreateEnum { name, values }, span);
            }
        }
    }

    fn drop_enums(&mut self, names: &[String], span: Span) {
        if self.d.data.enum_style != EnumStyle::Type {
            return;
        }
        for name in names {
            self.push(StepKind::DropEnum { name: name.clone() }, span);
        }
    }

    fn column_comments(&mut self, table: &str, cols: &[&Column], span: Span) {
        if self.d.data.comments != Comments::Statement {
            return;
        }
        for c in cols {
            if let Some(comment) = &c.comment {
                let (table, column, comment) = (table.to_string(), c.name.clone(), Some(comment.clone()));
                self.push(StepKind::CommentColumn { table, column, comment }, span);
            }
        }
    }

    /// Plans one change: flushes the rebuilds it must follow, then plans it.
    fn add(&mut self, mut r: Resolved) {
        self.type_spans = std::mem::take(&mut r.type_spans);
        self.key_spans = std::mem::take(&mut r.key_spans);
        if self.rebuilds() {
            match &r.change {
                Change::CreateTable { name: t, .. } | Change::Insert { table: t, .. } | Change::Delete { table: t, .. } => self.flush(t),
                Change::DropTable { table, .. } => self.flush(&table.name),
                Change::RenameTable { from, to } => {
                    self.flush(from);
                    self.flush(to);
                    self.flush_text_dependents(None);
                }
                // A pending rebuild of another table re-creates its triggers
                // and views from their text as it was when the group formed:
                // a rename rewrites that text, so those rebuilds go first
                // (conformance seed 50: a trigger on a table renamed back,
                // re-created by a later rebuild under the old name).
                Change::RenameColumn { table, .. } => self.flush_text_dependents(Some(table)),
                Change::CreateView { .. } | Change::DropView { .. } | Change::Execute { .. } => self.flush_all(),
                _ => {}
            }
        }
        match &r.change {
            Change::DropTable { table, .. } => {
                self.latest.remove(&table.name);
                self.moved.push((table.name.clone(), None));
            }
            Change::RenameTable { from, to } => {
                self.latest.remove(from);
                self.moved.push((from.clone(), Some(to.clone())));
            }
            _ => {}
        }
        for t in &r.tables {
            self.latest.insert(t.name.clone(), t.clone());
        }
        if let Change::AddColumn { backfill: Some(_), .. } = &r.change {
            self.add_with_backfill(r);
            return;
        }
        if let Change::AlterEnum { .. } = &r.change {
            self.alter_enum(r);
            return;
        }
        let n = self.steps.len();
        let notes = std::mem::take(&mut r.notes);
        self.post(r.change, r.span, r.loses, r.tables.into_iter().next(), r.dependents);
        match self.steps.get_mut(n) {
            Some(step) => step.warnings.extend(notes),
            None => self.pending_warnings.extend(notes),
        }
    }

    /// `add_column` with a `backfill` (SPEC 10.3): the column is added
    /// nullable and without its default, then altered as `alter_column`
    /// with the same `backfill` would (the rows take the backfill, then the
    /// column becomes NOT NULL and takes its default, if it has one). On
    /// SQLite both fold into the table's one rebuild.
    fn add_with_backfill(&mut self, r: Resolved) {
        let Change::AddColumn {
            table,
            column,
            constraints,
            new_enums,
            backfill,
        } = r.change
        else {
            unreachable!("called for add_column only")
        };
        let mut interim = column.clone();
        interim.nullable = true;
        interim.default = None;
        // A primary key comes once the rows hold values (PostgreSQL refuses
        // a key over NULLs).
        let (key, constraints): (Vec<Constraint>, Vec<Constraint>) = constraints.into_iter().partition(|c| matches!(c, Constraint::PrimaryKey { .. }));
        let after = r.tables.into_iter().next();
        let interim_table = after.as_ref().map(|t| {
            let mut t = (**t).clone();
            t.columns.insert(interim.name.clone(), interim.clone());
            t.constraints.retain(|c| !key.contains(c));
            Arc::new(t)
        });
        let add = Change::AddColumn {
            table: table.clone(),
            column: interim.clone(),
            constraints,
            new_enums,
            backfill: None,
        };
        self.post(add, r.span, None, interim_table, r.dependents.clone());
        let alter = Change::AlterColumn {
            table: table.clone(),
            old: interim,
            new: column,
            backfill,
            new_enums: vec![],
            dropped_enums: vec![],
            using: None,
            drop_check: None,
            add_check: None,
        };
        if key.is_empty() {
            self.post(alter, r.span, r.loses, after, r.dependents);
            return;
        }
        let before_key = after.as_ref().map(|t| {
            let mut t = (**t).clone();
            t.constraints.retain(|c| !key.contains(c));
            Arc::new(t)
        });
        self.post(alter, r.span, r.loses, before_key, r.dependents.clone());
        for constraint in key {
            let add = Change::AddConstraint {
                table: table.clone(),
                constraint,
                made_not_null: vec![],
            };
            self.post(add, r.span, None, after.clone(), r.dependents.clone());
        }
    }

    /// `alter_enum` (SPEC 9). A named type (PostgreSQL): `RENAME VALUE` and
    /// `ADD VALUE`, or, when values go, a type swap whose conversion rewrites
    /// the renamed and mapped rows. Otherwise, per column: on SQLite its
    /// table's rebuild (the copy rewrites the rows); elsewhere the check
    /// dropped, the column widened to hold the old and new values, the rows
    /// rewritten, the column narrowed to the new values and the check added.
    fn alter_enum(&mut self, r: Resolved) {
        let Change::AlterEnum {
            name,
            native,
            old,
            new,
            renamed,
            mapped,
            uses,
        } = r.change
        else {
            unreachable!("called for alter_enum only")
        };
        let span = r.span;
        let d = self.d;
        let n0 = self.steps.len();
        let warning = r.loses.map(|w| Diagnostic::warning(codes::DERIVED_LOSES, w));
        let rewrite: Vec<(String, String)> = renamed.iter().chain(&mapped).cloned().collect();
        if native && d.data.enum_style == EnumStyle::Type {
            let kept: Vec<String> = old
                .iter()
                .map(|v| renamed.iter().fold(v.clone(), |v, (o, n)| if v == *o { n.clone() } else { v }))
                .collect();
            if kept.iter().any(|v| !new.contains(v)) {
                // https://www.postgresql.org/docs/current/sql-altertype.html: no DROP VALUE.
                let mut temp = format!("{name}__old");
                temp = crate::base::naming::shorten(&temp);
                let mut columns = vec![];
                for u in &uses {
                    let after = self.latest.get(&u.table).cloned();
                    let def = self.column_def(&u.new, after.as_deref(), span);
                    columns.push((u.table.clone(), Arc::new(def)));
                }
                // Each column's type changes: the views over its table go
                // first and come back after (conformance seed 103).
                let mut views: Vec<View> = vec![];
                if d.data.views_bind_column_types {
                    for (table, dep) in &r.enum_dependents {
                        let columns: Vec<&str> = uses.iter().filter(|u| u.table == *table).map(|u| u.new.name.as_str()).collect();
                        for v in self.views_reading(dep, &columns) {
                            if !views.iter().any(|x| x.name == v.name) {
                                views.push(v);
                            }
                        }
                    }
                }
                self.drop_views(&views, span);
                self.push(
                    StepKind::EnumSwap {
                        name: name.clone(),
                        temp,
                        values: new.clone(),
                        columns,
                        map: rewrite,
                    },
                    span,
                );
                self.make_views(&views, span);
            } else {
                for (from, to) in &renamed {
                    if !d.can(Capability::EnumRenameValue) {
                        self.fail(span, format!("renaming a value of enum `{name}` is not supported by {} {}", d.key(), d.version));
                    }
                    let (name, from, to) = (name.clone(), from.clone(), to.clone());
                    self.push(StepKind::EnumRenameValue { name, from, to }, span);
                }
                for (i, v) in new.iter().enumerate().filter(|(_, v)| !kept.contains(v)) {
                    let after = i.checked_sub(1).map(|p| new[p].clone());
                    let before = if after.is_none() { new.get(i + 1).cloned() } else { None };
                    let (name, value) = (name.clone(), v.clone());
                    self.push(StepKind::EnumAddValue { name, value, after, before }, span);
                    // In its own transaction, before the revision's (hoisted by plan_revision).
                    self.outside_transaction();
                }
            }
            if self.steps.len() > n0 {
                self.warn_last_first(n0, warning);
            }
            return;
        }
        for (i, u) in uses.into_iter().enumerate() {
            let after = self.latest.get(&u.table).cloned();
            let dependents = r
                .enum_dependents
                .iter()
                .find(|(t, _)| *t == u.table)
                .map(|(_, d)| d.clone())
                .unwrap_or_default();
            if self.rebuilds() {
                let change = Change::AlterColumn {
                    table: u.table.clone(),
                    old: u.old.clone(),
                    new: u.new.clone(),
                    backfill: None,
                    new_enums: vec![],
                    dropped_enums: vec![],
                    using: (!rewrite.is_empty()).then(|| Using::Map(rewrite.clone())),
                    drop_check: u.old_check.clone(),
                    add_check: u.new_check.clone(),
                };
                let w = if i == 0 { warning.as_ref().map(|w| w.message.clone()) } else { None };
                self.post(change, span, w, after, dependents);
                continue;
            }
            let n = self.steps.len();
            let table = u.table.clone();
            if let Some(k) = &u.old_check {
                self.drop_constraint(&table, k.clone(), span);
            }
            // The old values and the new, so that every row fits while it is rewritten.
            let ColumnType::Enum(e) = &u.new.ty else { continue };
            let mut wide = old.clone();
            wide.extend(new.iter().filter(|v| !old.contains(v)).cloned());
            let wide_col = Column {
                ty: ColumnType::Enum(Box::new(EnumType {
                    values: wide.clone(),
                    ..(**e).clone()
                })),
                ..u.old.clone()
            };
            let alter = |p: &mut Self, from: &Column, to: &Column| {
                if same_sql_type(&from.ty, &to.ty) && from.default == to.default {
                    return;
                }
                let column = Arc::new(p.column_def(to, after.as_deref(), span));
                p.push(
                    StepKind::AlterColumn {
                        table: table.clone(),
                        column,
                        type_changed: !same_sql_type(&from.ty, &to.ty),
                        nullable_changed: false,
                        default_changed: from.default != to.default,
                        comment_changed: false,
                        autoincrement_changed: false,
                        using: None,
                    },
                    span,
                );
            };
            alter(self, &u.old, &wide_col);
            if !rewrite.is_empty() {
                let map = rewrite.clone();
                self.push(
                    StepKind::MapValues {
                        table: table.clone(),
                        column: u.new.name.clone(),
                        map,
                    },
                    span,
                );
            }
            alter(self, &wide_col, &u.new);
            if let Some(k) = &u.new_check {
                self.push(
                    StepKind::AddConstraint {
                        table: table.clone(),
                        constraint: k.clone(),
                    },
                    span,
                );
            }
            if i == 0 && self.steps.len() > n {
                self.warn_last_first(n, warning.clone());
            }
        }
    }

    /// MySQL refuses a CHECK on a column that a foreign key with a
    /// referential action (CASCADE, SET NULL, SET DEFAULT) uses, and the
    /// other way round (error 3823, MariaDB 1901):
    /// https://dev.mysql.com/doc/refman/8.0/en/create-table-check-constraints.html
    /// MySQL/MariaDB look for a key's unqualified referred table in the
    /// database of the table that holds it: a key from a table in a schema
    /// to one in the default schema (whose database has no name here)
    /// cannot be written.
    fn check_fk_schemas(&mut self, t: &Table, span: Span) {
        let Some(schema) = naming::schema_of(&t.name) else { return };
        for fk in t.foreign_keys() {
            if naming::schema_of(&fk.ref_table).is_none() {
                let table = naming::split_qualified(&t.name).1;
                self.fail(
                    span,
                    format!(
                        "foreign key `{}` of `{schema}.{table}` refers to `{}` in the default schema; {} looks for it in `{schema}` (a schema is a database there) and the default database has no name in the script: put both tables in named schemas, or both in the default one",
                        fk.name,
                        fk.ref_table,
                        self.d.key()
                    ),
                );
            }
        }
    }

    fn check_against_fk_actions(&mut self, t: &Table, span: Span) {
        let acting: Vec<&String> = t
            .constraints
            .iter()
            .filter_map(|c| match c {
                Constraint::ForeignKey(fk)
                    if [fk.on_delete, fk.on_update]
                        .iter()
                        .any(|a| matches!(a, Some(FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault))) =>
                {
                    Some(&fk.columns)
                }
                _ => None,
            })
            .flatten()
            .collect();
        for c in &t.constraints {
            if let Constraint::Check { name, expr, dialects } = c {
                // The dialect's own text, if it has the check at all.
                let expr = match dialects.as_deref().map(|pd| pd.get(self.d.lookup())) {
                    Some(None | Some("")) => continue,
                    Some(Some(sql)) => sql,
                    None => expr.as_str(),
                };
                let words = crate::base::sqlwords::identifiers(expr);
                if let Some(col) = acting.iter().find(|col| words.iter().any(|w| w == **col)) {
                    self.fail(
                        span,
                        format!(
                            "check `{name}` of `{}` uses `{col}`, which a foreign key with a referential action uses; {} refuses that",
                            t.name,
                            self.d.key()
                        ),
                    );
                }
            }
        }
    }

    /// Whether SQLite's ALTER TABLE can make this change in place.
    fn native(&self, change: &Change, after: Option<&Table>, dependents: &Dependents) -> bool {
        match change {
            // SQLite adds a VIRTUAL generated column in place, never a STORED one:
            // https://www.sqlite.org/gencol.html#limitations
            Change::AddColumn { column, .. } if column.generated.as_ref().is_some_and(|g| g.stored) => false,
            Change::AddColumn { column, constraints, .. } => {
                let constant_default = !matches!(column.default, Some(Value::Current(_)) | Some(Value::Sql(_)));
                let fk_ok = constraints.iter().all(|c| matches!(c, Constraint::ForeignKey(_)))
                    && column.default.as_ref().is_none_or(|v| *v == Value::Null || constraints.is_empty());
                constant_default && fk_ok && (column.nullable || column.default.as_ref().is_some_and(|v| *v != Value::Null))
            }
            // SQLite 3.35+ drops a column in place unless another part of the
            // schema names it: a key, a constraint, a partial index, a trigger
            // or a view (indexes on it are dropped first). A view or trigger
            // that names only other columns is no obstacle.
            // https://www.sqlite.org/lang_altertable.html#altertabdropcol
            Change::DropColumn { constraints, column, .. } => {
                let names_column = |sql: &str| crate::base::sqlwords::identifiers(sql).iter().any(|w| w.eq_ignore_ascii_case(&column.name));
                self.d.can(Capability::DropColumn)
                    && constraints.is_empty()
                    && !dependents.views.iter().any(|v| v.sql.get(self.d.lookup()).is_none_or(names_column))
                    && !dependents
                        .triggers
                        .iter()
                        .any(|tr| self.d.lookup().iter().find_map(|k| tr.sql.get(*k)).is_some_and(|s| names_column(s)))
                    && !after.is_some_and(|t| {
                        t.indexes
                            .iter()
                            .any(|i| i.where_.as_ref().is_some_and(|w| crate::base::sqlwords::identifiers(w).contains(&column.name)))
                    })
            }
            Change::RenameColumn { .. } => self.d.can(Capability::RenameColumn),
            Change::AlterColumn {
                old,
                new,
                drop_check,
                add_check,
                ..
            } => {
                old.ty == new.ty
                    && old.nullable == new.nullable
                    && old.default == new.default
                    && old.autoincrement == new.autoincrement
                    && old.collation == new.collation
                    && old.generated == new.generated
                    && drop_check.is_none()
                    && add_check.is_none()
            }
            Change::AddConstraint { .. } | Change::DropConstraint { .. } => self.d.data.add_constraint,
            // A constraint's name is in the table's SQL: SQLite renames it by the rebuild.
            Change::RenameConstraint { .. } => self.d.can(Capability::RenameConstraint),
            _ => true,
        }
    }

    /// Plans a change, given the table it concerns as it left it.
    fn post(&mut self, change: Change, span: Span, loses: Option<String>, after: Option<Arc<Table>>, dependents: Dependents) {
        let warning = loses.map(|w| Diagnostic::warning(codes::DERIVED_LOSES, w));
        let grown = matches!(change, Change::CreateTable { .. } | Change::AddColumn { .. });
        let constrained = grown || matches!(change, Change::AddConstraint { .. });
        if let Some(t) = after.as_deref().filter(|_| constrained && self.d.data.check_excludes_fk_action_columns) {
            self.check_against_fk_actions(t, span);
        }
        if let Some(t) = after.as_deref().filter(|_| constrained && self.d.data.fk_refers_within_schema) {
            self.check_fk_schemas(t, span);
        }
        if let (Some(max), Some(t)) = (self.d.data.max_columns, after.as_deref().filter(|_| grown)) {
            if t.columns.len() > max {
                self.fail(
                    span,
                    format!("table `{}` would have {} columns; {} allows {max}", t.name, t.columns.len(), self.d.key()),
                );
            }
        }
        if self.rebuilds() {
            // An index that joins a rebuild is made from the model by it:
            // what the dialect cannot make is refused here (seed 17: an
            // `include` on SQLite, made by a rebuild, was not).
            if let Change::CreateIndex { index, .. } = &change {
                if !self.index_supported(index, span) {
                    return;
                }
            }
            if let (Some(t), Some(table)) = (change.altered_table().map(str::to_string), after.as_deref()) {
                let since = self.moved.len();
                if let Some(g) = self.groups.get_mut(&t) {
                    g.changes.push((change, span));
                    g.dependents = dependents;
                    g.since = since;
                    if let Some(w) = warning {
                        self.pending_warnings.push(w);
                    }
                    return;
                }
                if !self.native(&change, Some(table), &dependents) {
                    let before = names_before(&change, table);
                    self.groups.insert(
                        t,
                        Group {
                            before,
                            changes: vec![(change, span)],
                            since,
                            dependents,
                        },
                    );
                    if let Some(w) = warning {
                        self.pending_warnings.push(w);
                    }
                    return;
                }
            }
        }
        if let (Change::AlterColumn { table, old, new, .. }, Some(t)) = (&change, after.as_deref()) {
            // MySQL refuses a foreign key column's new type or collation (error 3780).
            if self.d.data.alter_column == AlterColumn::Modify
                && (!same_sql_type(&old.ty, &new.ty) || old.collation != new.collation || old.generated != new.generated)
            {
                self.park_foreign_keys(table, t, &new.name, &dependents, span);
            }
        }
        if let Change::DropConstraint {
            table,
            constraint: Constraint::ForeignKey(fk),
            ..
        } = &change
        {
            // A key parked for a type change is already gone.
            if let Some(i) = self
                .parked
                .iter()
                .position(|(holder, k, at, _)| k.name == fk.name && self.now_named(holder, *at).as_deref() == Some(table.as_str()))
            {
                self.parked.remove(i);
                return;
            }
        }
        // Where a view binds the types of the columns it reads (PostgreSQL:
        // "cannot alter type of a column used by a view or rule"), the
        // views over the table go before a new type and come back after it.
        let rebound: Vec<View> = match &change {
            Change::AlterColumn { old, new, .. }
                if self.d.data.views_bind_column_types
                    && (!same_sql_type(&old.ty, &new.ty) || old.collation != new.collation || old.generated != new.generated) =>
            {
                self.views_reading(&dependents, &[old.name.as_str()])
            }
            _ => vec![],
        };
        self.drop_views(&rebound, span);
        let n = self.steps.len();
        self.emit(&change, span, after.as_deref());
        if self.steps.len() > n {
            self.warn_last_first(n, warning);
        }
        self.make_views(&rebound, span);
        // Where the engine leaves the views over a renamed table or column as
        // they were (MariaDB, MySQL), they are made again from the model's
        // text, which the rename rewrote (SPEC 10.2).
        let renamed = match &change {
            Change::RenameColumn { to, .. } | Change::RenameTable { to, .. } if self.d.data.rename_leaves_views => Some(to.as_str()),
            _ => None,
        };
        if let Some(to) = renamed {
            // Those whose text names the new name (a view over such a view reads it by name).
            let stale: Vec<&View> = dependents
                .views
                .iter()
                .filter(|v| {
                    v.sql
                        .get(self.d.lookup())
                        .is_some_and(|sql| crate::base::sqlwords::identifiers(sql).iter().any(|w| w.eq_ignore_ascii_case(to)))
                })
                .collect();
            let stale: Vec<View> = stale.into_iter().cloned().collect();
            self.drop_views(&stale, span);
            self.make_views(&stale, span);
        }
    }

    /// The views of `dependents` this dialect has (a view skipped for it
    /// has no text) that may read one of `columns`: their text names it or
    /// has a `*`, or names such a view; in creation order.
    fn views_reading(&self, dependents: &Dependents, columns: &[&str]) -> Vec<View> {
        let mut out: Vec<View> = vec![];
        for v in &dependents.views {
            let Some(sql) = v.sql.get(self.d.lookup()) else { continue };
            let words = crate::base::sqlwords::identifiers(sql);
            let names = |n: &str| words.iter().any(|w| w.eq_ignore_ascii_case(n));
            if sql.contains('*') || columns.iter().any(|c| names(c)) || out.iter().any(|o| names(&o.name)) {
                out.push(v.clone());
            }
        }
        out
    }

    /// Drops `views` (in creation order), the last made first.
    fn drop_views(&mut self, views: &[View], span: Span) {
        for v in views.iter().rev() {
            self.push(StepKind::DropView { name: v.name.clone() }, span);
        }
    }

    /// Makes `views` again from the model's text, in creation order.
    fn make_views(&mut self, views: &[View], span: Span) {
        for v in views {
            self.emit(&Change::CreateView { view: v.clone() }, span, None);
        }
    }

    /// Drops a constraint: generically (`DROP CONSTRAINT`) where the dialect can.
    /// Drops the foreign keys that use `column` of `table` (held by it, or
    /// referring to it from another table), unless parked already; they
    /// are made again by `unpark_foreign_keys`.
    fn park_foreign_keys(&mut self, table: &str, t: &Table, column: &str, dependents: &Dependents, span: Span) {
        let own = t
            .foreign_keys()
            .filter(|fk| fk.columns.iter().any(|c| c == column) || (fk.ref_table == table && fk.ref_columns.iter().any(|c| c == column)))
            .map(|fk| (table.to_string(), fk.clone()));
        let referring = dependents
            .referring_keys
            .iter()
            .filter(|(_, fk)| fk.ref_columns.iter().any(|c| c == column))
            .cloned();
        let keys: Vec<(String, ForeignKey)> = own.chain(referring).collect();
        for (holder, fk) in keys {
            let at = self.moved.len();
            if self
                .parked
                .iter()
                .any(|(h, k, since, _)| k.name == fk.name && self.now_named(h, *since).as_deref() == Some(holder.as_str()))
            {
                continue;
            }
            self.drop_constraint(&holder, Constraint::ForeignKey(fk.clone()), span);
            self.parked.push((holder, fk, at, span));
        }
    }

    /// The parked foreign keys made again, under the names their tables
    /// have now (a key whose table went is gone with it).
    fn unpark_foreign_keys(&mut self) {
        for (holder, mut fk, since, span) in std::mem::take(&mut self.parked) {
            let (Some(table), Some(ref_table)) = (self.now_named(&holder, since), self.now_named(&fk.ref_table, since)) else {
                continue;
            };
            fk.ref_table = ref_table;
            let constraint = Constraint::ForeignKey(fk);
            self.push(StepKind::AddConstraint { table, constraint }, span);
        }
    }

    /// An `ALTER COLUMN` of the nullability or the default alone.
    fn alter_only(&mut self, table: &str, column: Arc<ColumnDef>, nullable_changed: bool, default_changed: bool, span: Span) {
        self.push(
            StepKind::AlterColumn {
                table: table.to_string(),
                column,
                type_changed: false,
                nullable_changed,
                default_changed,
                comment_changed: false,
                autoincrement_changed: false,
                using: None,
            },
            span,
        );
    }

    fn drop_constraint(&mut self, table: &str, constraint: Constraint, span: Span) {
        let generic_drop = self.d.can(Capability::DropConstraint);
        let table = table.to_string();
        self.push(
            StepKind::DropConstraint {
                table,
                constraint,
                generic_drop,
            },
            span,
        );
    }

    fn warn_last_first(&mut self, first: usize, w: Option<Diagnostic>) {
        if let Some(w) = w {
            self.steps[first].warnings.insert(0, w);
        }
    }

    /// The name a table has now, given its name `since` entries of `moved`
    /// ago; None once it was dropped.
    fn now_named(&self, table: &str, since: usize) -> Option<String> {
        let mut name = table.to_string();
        for (from, to) in &self.moved[since..] {
            if *from == name {
                name = to.clone()?;
            }
        }
        Some(name)
    }

    fn flush_all(&mut self) {
        let names: Vec<String> = self.groups.keys().cloned().collect();
        for n in names {
            self.flush(&n);
        }
    }

    /// Flushes the pending rebuilds (other than `except`'s) that re-create
    /// triggers or views from their text.
    fn flush_text_dependents(&mut self, except: Option<&str>) {
        let names: Vec<String> = self
            .groups
            .iter()
            .filter(|(n, g)| {
                Some(n.as_str()) != except && !(g.dependents.views.is_empty() && g.dependents.triggers.is_empty() && g.dependents.naming_triggers.is_empty())
            })
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            self.flush(&n);
        }
    }

    fn flush(&mut self, table: &str) {
        let Some(g) = self.groups.shift_remove(table) else { return };
        let Some(after) = self.latest.get(table).cloned() else { return };
        self.rebuild(&g, &after);
    }
}

/// Whether SQLite's CAST from `old` to `new` may turn a value into another
/// (text to an integer: `'abc'` becomes 0), where PostgreSQL and MySQL
/// refuse the conversion.
fn lossy_cast(old: &ColumnType, new: &ColumnType) -> bool {
    matches!(old, ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text)
        && matches!(new, ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt)
}

fn entry_has(entry: &[(String, String)], old: &str) -> bool {
    entry.iter().any(|(o, _)| o == old)
}

/// The table's column names before a change, from the table after it.
fn names_before(change: &Change, after: &Table) -> Vec<String> {
    let mut names = column_names(after);
    match change {
        Change::AddColumn { column, .. } => names.retain(|n| *n != column.name),
        Change::DropColumn { column, .. } => names.push(column.name.clone()),
        Change::RenameColumn { from, to, .. } => names.iter_mut().filter(|n| *n == to).for_each(|n| *n = from.clone()),
        _ => {}
    }
    names
}

impl Planner<'_> {
    /// Emits a change with the dialect's native statements.
    fn emit(&mut self, change: &Change, span: Span, after: Option<&Table>) {
        let d = self.d;
        match change {
            Change::CreateTable { name, new_enums } => {
                // The table as created (the change carries it).
                let Some(table) = after.filter(|t| t.name == *name) else { return };
                self.create_enums(new_enums, span);
                let t = self.table_def(table, &table.name, span, &|_| true);
                self.push(StepKind::CreateTable(Arc::new(t)), span);
                for constraint in self.merged_keys(table) {
                    let name = table.name.clone();
                    self.push(StepKind::AddConstraint { table: name, constraint }, span);
                }
                self.column_comments(&table.name, &table.columns.values().collect::<Vec<_>>(), span);
                if let (Some(c), Comments::Statement) = (&table.comment, d.data.comments) {
                    let (table, comment) = (table.name.clone(), Some(c.clone()));
                    self.push(StepKind::CommentTable { table, comment }, span);
                }
                for i in &table.indexes {
                    self.create_index(&table.name, i, false, span);
                }
            }
            Change::DropTable {
                table,
                dropped_enums,
                sequences,
            } => {
                self.push(StepKind::DropTable { table: table.name.clone() }, span);
                self.warn_last(codes::DROPS_TABLE, format!("drops table `{}` and every row in it", table.name));
                self.drop_enums(dropped_enums, span);
                // Without OWNED BY (MariaDB) the sequences its columns owned stay: dropped here (SPEC 9).
                if !d.can(Capability::SequenceOwnedBy) {
                    for q in sequences {
                        self.push(StepKind::DropSequence { name: q.name.clone() }, span);
                    }
                }
            }
            Change::RenameTable { from, to } => {
                let (from, to) = (from.clone(), to.clone());
                self.push(StepKind::RenameTable { from, to }, span)
            }
            Change::AddColumn {
                table,
                column,
                constraints,
                new_enums,
                backfill: _,
            } => {
                self.create_enums(new_enums, span);
                let c = Arc::new(self.column_def(column, after, span));
                // SQLite can only add a foreign key with the column, inline.
                let (inline, separate): (Vec<Constraint>, Vec<Constraint>) = constraints.iter().cloned().partition(|_| !d.data.add_constraint);
                self.push(
                    StepKind::AddColumn {
                        table: table.clone(),
                        column: c,
                        inline,
                    },
                    span,
                );
                for constraint in separate {
                    if self.validates_later(table) && matches!(constraint, Constraint::ForeignKey(_) | Constraint::Check { .. }) {
                        self.add_validated_later(table, constraint, span);
                        continue;
                    }
                    self.push(
                        StepKind::AddConstraint {
                            table: table.clone(),
                            constraint,
                        },
                        span,
                    );
                }
                self.column_comments(table, &[column], span);
            }
            Change::DropColumn {
                table,
                column,
                constraints,
                indexes,
                dropped_enums,
            } => {
                // Foreign keys first: MySQL refuses to drop an index that one of
                // them still uses (error 1553).
                for k in constraints {
                    let generic_drop = d.can(Capability::DropConstraint);
                    self.push(
                        StepKind::DropConstraint {
                            table: table.clone(),
                            constraint: k.clone(),
                            generic_drop,
                        },
                        span,
                    );
                }
                for i in indexes {
                    self.drop_index_now(table.clone(), i.clone(), span);
                }
                self.push(
                    StepKind::DropColumn {
                        table: table.clone(),
                        column: column.name.clone(),
                    },
                    span,
                );
                self.warn_last(
                    codes::DROPS_COLUMN,
                    format!("drops column `{}`.`{}` and its data", crate::base::naming::shown(table), column.name),
                );
                self.drop_enums(dropped_enums, span);
            }
            Change::RenameColumn { table, from, to, column } => {
                let (table, from) = (table.clone(), from.clone());
                // MySQL 8.0.16+ refuses to rename a column a CHECK uses (error
                // 3959, ER_DEPENDENT_BY_CHECK_CONSTRAINT): those checks go
                // first and come back after, in the text the rename rewrote.
                let pinned: Vec<Constraint> = match after {
                    Some(t) if d.can(Capability::CheckConstraints) && !d.can(Capability::RenameCheckedColumn) => {
                        t.constraints.iter().filter(|k| self.check_names(k, to)).cloned().collect()
                    }
                    _ => vec![],
                };
                for k in &pinned {
                    self.drop_constraint(&table, k.clone(), span);
                }
                if d.can(Capability::RenameColumn) {
                    self.push(
                        StepKind::RenameColumn {
                            table: table.clone(),
                            from,
                            to: to.clone(),
                        },
                        span,
                    );
                } else {
                    // MySQL before 8.0 / MariaDB before 10.5: CHANGE with the full definition.
                    let column = Arc::new(self.column_def(column, after, span));
                    self.push(
                        StepKind::ChangeColumn {
                            table: table.clone(),
                            from,
                            column,
                        },
                        span,
                    );
                }
                for constraint in pinned {
                    self.push(
                        StepKind::AddConstraint {
                            table: table.clone(),
                            constraint,
                        },
                        span,
                    );
                }
            }
            Change::AlterColumn {
                table,
                old,
                new,
                backfill,
                new_enums,
                dropped_enums,
                using,
                drop_check,
                add_check,
            } => {
                self.create_enums(new_enums, span);
                if old.generated != new.generated && d.data.alter_column == AlterColumn::Alter {
                    // A generated column's new expression (SPEC 9). PostgreSQL 15 has
                    // `ALTER COLUMN ... DROP EXPRESSION` but no `SET EXPRESSION` (17):
                    // the column is dropped and added again, the engine computing it
                    // for every row (it moves to the end of the table); replay made
                    // sure that nothing names it.
                    // https://www.postgresql.org/docs/15/sql-altertable.html
                    let (t, name) = (table.clone(), new.name.clone());
                    self.push(StepKind::DropColumn { table: t, column: name }, span);
                    let column = Arc::new(self.column_def(new, after, span));
                    let t = table.clone();
                    self.push(
                        StepKind::AddColumn {
                            table: t,
                            column,
                            inline: vec![],
                        },
                        span,
                    );
                    self.column_comments(table, &[new], span);
                    self.drop_enums(dropped_enums, span);
                    return;
                }
                if let Some(k) = drop_check {
                    self.drop_constraint(table, k.clone(), span);
                }
                let using = match using {
                    Some(Using::Sql(u)) => match u.get(d.lookup()) {
                        Some("") => {
                            let at = self.key_spans.iter().find(|(k, _)| *k == "using").map(|(_, s)| *s).unwrap_or(span);
                            self.fail(at, format!("`using` has no expression for {} (its entry is \"\")", d.key()));
                            None
                        }
                        other => other.map(str::to_string),
                    },
                    _ => None,
                };
                let online = self.validates_later(table);
                let set_not_null = online && old.nullable && !new.nullable;
                if backfill.is_some() && old.nullable && !new.nullable && self.live(table) && d.data.online == Online::Algorithm {
                    // Online on MySQL/MariaDB (SPEC 11): the new type and default
                    // first, so that rows written while the backfill runs take the
                    // default rather than NULL (which would fail the NOT NULL);
                    // then the backfill; then NOT NULL.
                    let interim = Column { nullable: true, ..new.clone() };
                    let type_changed = !same_sql_type(&old.ty, &new.ty) || old.collation != new.collation || old.generated != new.generated;
                    let default_changed = old.default != new.default;
                    if type_changed || default_changed || old.comment != new.comment {
                        let column = Arc::new(self.column_def(&interim, after, span));
                        let comment_changed = old.comment != new.comment;
                        self.push(
                            StepKind::AlterColumn {
                                table: table.clone(),
                                column,
                                type_changed,
                                nullable_changed: false,
                                default_changed,
                                comment_changed,
                                autoincrement_changed: false,
                                using: using.filter(|_| type_changed),
                            },
                            span,
                        );
                        if type_changed && narrows(&old.ty, &new.ty) {
                            let (o, n) = (old.ty.neutral(), new.ty.neutral());
                            let message = format!(
                                "changes `{}`.`{}` from {o} to {n}: values that do not fit are changed or refused",
                                crate::base::naming::shown(table),
                                new.name
                            );
                            self.warn_last(codes::NARROWS_TYPE, message);
                        }
                    }
                    self.backfill(table, new, backfill.as_ref(), span);
                    let column = Arc::new(self.column_def(new, after, span));
                    self.alter_only(table, column, true, false, span);
                    self.drop_enums(dropped_enums, span);
                    if let Some(k) = add_check {
                        let (table, constraint) = (table.clone(), k.clone());
                        self.push(StepKind::AddConstraint { table, constraint }, span);
                    }
                    return;
                }
                if !online {
                    self.backfill(table, new, backfill.as_ref(), span);
                }
                let column = Arc::new(self.column_def(new, after, span));
                // A new collation is spelled with the type: PostgreSQL's
                // `TYPE ... COLLATE`, MySQL's MODIFY (SPEC 9).
                let mut type_changed = !same_sql_type(&old.ty, &new.ty) || old.collation != new.collation || old.generated != new.generated;
                if let (ColumnType::Enum(e1), ColumnType::Enum(e2)) = (&old.ty, &new.ty) {
                    let (n1, v1, n2, v2) = (&e1.name, &e1.values, &e2.name, &e2.values);
                    if n1 == n2 && e1.native && e2.native && d.data.enum_style == EnumStyle::Type {
                        // The same named type with other values: ALTER TYPE, not ALTER COLUMN.
                        type_changed = false;
                        self.extend_enum(n1, v1, v2, span);
                    }
                }
                let (nullable_changed, default_changed, comment_changed, autoincrement_changed) = (
                    old.nullable != new.nullable && !set_not_null,
                    old.default != new.default,
                    old.comment != new.comment,
                    old.autoincrement != new.autoincrement,
                );
                let using = using.filter(|_| type_changed);
                // MySQL/MariaDB compute `using` into a new column that takes the
                // old one's place (alter_column.sql): what names the old column
                // is dropped first and made again on the new one.
                let swapped = match (&using, after) {
                    (Some(_), Some(t)) if d.data.alter_column == AlterColumn::Modify => self.swap_dependents(t, &new.name, add_check.as_ref(), span),
                    _ => (vec![], vec![]),
                };
                for c in swapped.1.iter().rev().filter(|c| matches!(c, Constraint::ForeignKey(_))) {
                    self.drop_constraint(table, c.clone(), span);
                }
                for c in swapped.1.iter().rev().filter(|c| !matches!(c, Constraint::ForeignKey(_))) {
                    self.drop_constraint(table, c.clone(), span);
                }
                for i in &swapped.0 {
                    let (table, index) = (table.clone(), i.clone());
                    self.drop_index_now(table, index, span);
                }
                // PostgreSQL casts a column's default with its type, and refuses
                // a default that cannot be cast (string to enum) or a type that a
                // default still names (DROP TYPE of an enum): the default goes
                // first and comes back after, as of the new type.
                let default_around = type_changed && old.default.is_some() && d.data.alter_column == AlterColumn::Alter;
                if default_around {
                    let bare = Column { default: None, ..old.clone() };
                    let column = Arc::new(self.column_def(&bare, after, span));
                    self.alter_only(table, column, false, true, span);
                }
                let default_changed = if default_around { new.default.is_some() } else { default_changed };
                if type_changed || nullable_changed || default_changed || autoincrement_changed || (comment_changed && d.data.comments == Comments::Inline) {
                    self.push(
                        StepKind::AlterColumn {
                            table: table.clone(),
                            column: column.clone(),
                            type_changed,
                            nullable_changed,
                            default_changed,
                            comment_changed,
                            autoincrement_changed,
                            using,
                        },
                        span,
                    );
                    if type_changed && narrows(&old.ty, &new.ty) {
                        self.warn_last(
                            codes::NARROWS_TYPE,
                            format!(
                                "changes `{}`.`{}` from {} to {}: values that do not fit are changed or refused",
                                crate::base::naming::shown(table),
                                new.name,
                                old.ty.neutral(),
                                new.ty.neutral()
                            ),
                        );
                    }
                }
                for i in &swapped.0 {
                    self.create_index(table, i, false, span);
                }
                for c in swapped
                    .1
                    .iter()
                    .filter(|c| !matches!(c, Constraint::ForeignKey(_)))
                    .chain(swapped.1.iter().filter(|c| matches!(c, Constraint::ForeignKey(_))))
                {
                    let (table, constraint) = (table.clone(), c.clone());
                    self.push(StepKind::AddConstraint { table, constraint }, span);
                }
                if comment_changed && d.data.comments == Comments::Statement {
                    let (table, column, comment) = (table.clone(), new.name.clone(), new.comment.clone());
                    self.push(StepKind::CommentColumn { table, column, comment }, span);
                }
                if online {
                    // Online (SPEC 11): the type and the default change first (rows
                    // written from now on take the default); a column becoming NOT
                    // NULL gets a NOT VALID check, which rows written from now on obey;
                    // the backfill, then the check's validation, each in a transaction
                    // of its own; then SET NOT NULL, which finds the validated check
                    // and skips the scan, and the check is dropped.
                    // A constraint's name is bare: it lives in its table's schema.
                    let check = crate::base::naming::shorten(&format!("{}_{}_not_null", crate::base::naming::bare(table), new.name));
                    if set_not_null {
                        let (t, column, name) = (table.clone(), new.name.clone(), check.clone());
                        self.push(StepKind::AddNotNullCheck { table: t, column, name }, span);
                    }
                    if self.backfill(table, new, backfill.as_ref(), span) {
                        self.own_transaction();
                    }
                    if set_not_null {
                        let (t, name) = (table.clone(), check.clone());
                        self.push(StepKind::ValidateConstraint { table: t, name }, span);
                        self.own_transaction();
                        self.alter_only(table, column, true, false, span);
                        self.own_transaction();
                        self.push(
                            StepKind::DropNotNullCheck {
                                table: table.clone(),
                                name: check,
                            },
                            span,
                        );
                    }
                }
                self.drop_enums(dropped_enums, span);
                if let Some(k) = add_check {
                    self.push(
                        StepKind::AddConstraint {
                            table: table.clone(),
                            constraint: k.clone(),
                        },
                        span,
                    );
                }
            }
            Change::AlterEnum { .. } => unreachable!("planned by Planner::alter_enum"),
            Change::CreateIndex { table, index, concurrently } => {
                let concurrently = *concurrently || self.validates_later(table);
                self.create_index(table, index, concurrently, span)
            }
            Change::DropIndex { table, index, concurrently } => {
                self.keep_foreign_key_index(table, &index.columns, after, span);
                let concurrently = (*concurrently || self.validates_later(table)) && self.d.data.concurrent_indexes;
                self.push(
                    StepKind::DropIndex {
                        table: table.clone(),
                        index: index.clone(),
                        concurrently,
                    },
                    span,
                );
                if concurrently {
                    self.outside_transaction();
                }
            }
            Change::AddConstraint { table, constraint, .. }
                if matches!(constraint, Constraint::ForeignKey(_) | Constraint::Check { .. }) && self.validates_later(table) =>
            {
                self.add_validated_later(table, constraint.clone(), span)
            }
            Change::AddConstraint {
                table,
                constraint: Constraint::Unique { name, columns },
                ..
            } if self.validates_later(table) => {
                // Online (SPEC 11): the unique index built CONCURRENTLY, then
                // made the constraint, which takes the lock only for the catalog.
                let index = Index {
                    name: name.clone(),
                    columns: columns.clone(),
                    unique: true,
                    where_: None,
                    options: None,
                };
                self.create_index(table, &index, true, span);
                let (table, name) = (table.clone(), name.clone());
                self.push(StepKind::AddUniqueUsingIndex { table, name }, span);
            }
            Change::AddConstraint { table, constraint, .. } => {
                let n = self.steps.len();
                self.push(
                    StepKind::AddConstraint {
                        table: table.clone(),
                        constraint: constraint.clone(),
                    },
                    span,
                );
                if self.steps.len() > n && matches!(constraint, Constraint::Check { .. }) && !d.can(Capability::CheckConstraints) {
                    self.warn_last(
                        codes::CHECK_NOT_ENFORCED,
                        format!("{} {} parses CHECK constraints but does not enforce them", d.key(), d.version),
                    );
                }
            }
            Change::DropConstraint {
                table,
                constraint,
                autoincrement,
            } => {
                if let Constraint::Unique { columns, .. } | Constraint::PrimaryKey { columns, .. } = constraint {
                    self.keep_foreign_key_index(table, columns, after, span);
                }
                // The column stops being autoincrement before its key goes
                // (MySQL: an AUTO_INCREMENT column must be a key, 1075).
                for old in autoincrement {
                    let new = Column {
                        autoincrement: false,
                        ..old.clone()
                    };
                    let column = Arc::new(self.column_def(&new, after, span));
                    self.push(
                        StepKind::AlterColumn {
                            table: table.clone(),
                            column,
                            type_changed: false,
                            nullable_changed: false,
                            default_changed: false,
                            comment_changed: false,
                            autoincrement_changed: true,
                            using: None,
                        },
                        span,
                    );
                }
                let generic_drop = d.can(Capability::DropConstraint);
                self.push(
                    StepKind::DropConstraint {
                        table: table.clone(),
                        constraint: constraint.clone(),
                        generic_drop,
                    },
                    span,
                );
                if let (Constraint::ForeignKey(fk), Some(t)) = (constraint, after) {
                    self.drop_foreign_key_index(table, fk, t, span);
                }
            }
            Change::CreateView { view } => match view.sql.get(d.lookup()) {
                Some(sql) => self.push(
                    StepKind::CreateView {
                        name: view.name.clone(),
                        sql: sql.to_string(),
                    },
                    span,
                ),
                None => self.fail(span, format!("view `{}` has no SQL for {} and no `default`", view.name, d.key())),
            },
            Change::DropView { view } => self.push(StepKind::DropView { name: view.name.clone() }, span),
            Change::Execute { sql } => match sql.get(d.lookup()) {
                Some("") => {}
                Some(text) => {
                    let compound = crate::base::sqlwords::identifiers(text).iter().any(|w| w.eq_ignore_ascii_case("BEGIN"));
                    self.push(
                        StepKind::Execute {
                            sql: text.to_string(),
                            compound,
                        },
                        span,
                    );
                }
                None => self.fail(
                    span,
                    format!("this execute has no SQL for {} and no `default` (use \"\" to skip a dialect)", d.key()),
                ),
            },
            Change::Insert { table, columns, rows, .. } => self.insert(table, columns, rows, span),
            Change::RenameIndex { table, from, index } => self.rename_index(table, from, index, span),
            Change::RenameConstraint { table, old, new } => self.rename_constraint(table, old, new, span),
            Change::AlterTable { table, new, .. } => {
                // SQLite keeps no comments: nothing to emit, as for column comments.
                if d.data.comments != Comments::None {
                    let (table, comment) = (table.clone(), new.clone());
                    self.push(StepKind::CommentTable { table, comment }, span);
                }
            }
            Change::CreateNamespace { name } => {
                if self.can_schemas(span) {
                    self.push(StepKind::CreateNamespace { name: name.clone() }, span);
                }
            }
            Change::DropNamespace { name } => {
                if self.can_schemas(span) {
                    self.push(StepKind::DropNamespace { name: name.clone() }, span);
                }
            }
            Change::CreateSequence { seq } => {
                if self.can_sequences(span) {
                    let mut seq = seq.clone();
                    if !d.can(Capability::SequenceOwnedBy) {
                        seq.owned_by = None;
                    }
                    self.push(StepKind::CreateSequence { seq }, span);
                }
            }
            Change::DropSequence { seq } => {
                if self.can_sequences(span) {
                    self.push(StepKind::DropSequence { name: seq.name.clone() }, span);
                }
            }
            Change::AlterSequence { old, restart, increment } => {
                if self.can_sequences(span) {
                    let (name, restart, increment) = (old.name.clone(), *restart, *increment);
                    self.push(
                        StepKind::AlterSequence {
                            name,
                            restart,
                            increment,
                            owned_by: None,
                        },
                        span,
                    );
                }
            }
            Change::Delete { table, key, rows } => {
                let cols = after;
                let mut ok = true;
                for v in rows.iter().flat_map(|r| r.iter().take(key.len())) {
                    ok &= self.check_value(v, span);
                }
                if ok {
                    let key = key
                        .iter()
                        .map(|k| (k.clone(), cols.and_then(|t| t.columns.get(k)).map(|c| c.ty.clone())))
                        .collect();
                    self.push(
                        StepKind::DeleteRows {
                            table: table.clone(),
                            key,
                            rows: rows.clone(),
                        },
                        span,
                    );
                }
            }
        }
    }

    /// The NULLs of a column set to the backfill value, if there is one; true when a step was pushed.
    fn backfill(&mut self, table: &str, new: &Column, backfill: Option<&Value>, span: Span) -> bool {
        let Some(b) = backfill else { return false };
        if !self.check_value(b, span) {
            return false;
        }
        let (table, column, ty, value) = (table.to_string(), new.name.clone(), new.ty.clone(), b.clone());
        self.push(StepKind::Backfill { table, column, ty, value }, span);
        true
    }

    /// An index renamed in place where the dialect can; otherwise the index
    /// under its new name, then the old one dropped (in this order, so that
    /// a foreign key that needs an index on MySQL always has one).
    fn rename_index(&mut self, table: &str, from: &str, index: &Index, span: Span) {
        if self.d.can(Capability::RenameIndex) {
            let (table, from, to) = (table.to_string(), from.to_string(), index.name.clone());
            self.push(StepKind::RenameIndex { table, from, to }, span);
            return;
        }
        self.create_index(table, index, false, span);
        let old = Index {
            name: from.to_string(),
            ..index.clone()
        };
        self.drop_index_now(table.to_string(), old, span);
    }

    /// A constraint renamed by the dialect's RENAME CONSTRAINT; otherwise
    /// (MySQL/MariaDB): a primary key is always `PRIMARY` there, so only the
    /// model changes; a unique constraint is an index, renamed as one; a
    /// foreign key or a check is dropped and added under its new name.
    /// https://dev.mysql.com/doc/refman/8.4/en/alter-table.html
    fn rename_constraint(&mut self, table: &str, old: &Constraint, new: &Constraint, span: Span) {
        let d = self.d;
        if d.can(Capability::RenameConstraint) {
            let (table, from, to) = (table.to_string(), old.name().to_string(), new.name().to_string());
            self.push(StepKind::RenameConstraint { table, from, to }, span);
            return;
        }
        match old {
            Constraint::PrimaryKey { .. } => {}
            Constraint::Unique { .. } if d.can(Capability::RenameIndex) => {
                let (table, from, to) = (table.to_string(), old.name().to_string(), new.name().to_string());
                self.push(StepKind::RenameIndex { table, from, to }, span);
            }
            Constraint::Unique { .. } => {
                // The new unique first: a foreign key that needs an index keeps one.
                let constraint = new.clone();
                self.push(
                    StepKind::AddConstraint {
                        table: table.to_string(),
                        constraint,
                    },
                    span,
                );
                self.drop_constraint(table, old.clone(), span);
            }
            Constraint::ForeignKey(_) | Constraint::Check { .. } => {
                self.drop_constraint(table, old.clone(), span);
                let constraint = new.clone();
                self.push(
                    StepKind::AddConstraint {
                        table: table.to_string(),
                        constraint,
                    },
                    span,
                );
            }
        }
    }

    /// The indexes and constraints that name `column` (other than `added`,
    /// which the change adds itself), for the `using` column swap; a primary
    /// key column cannot be swapped (a diagnostic).
    fn swap_dependents(&mut self, t: &Table, column: &str, added: Option<&Constraint>, span: Span) -> (Vec<Index>, Vec<Constraint>) {
        let names = |sql: &str| crate::base::sqlwords::identifiers(sql).iter().any(|w| w.eq_ignore_ascii_case(column));
        let indexes: Vec<Index> = t
            .indexes
            .iter()
            .filter(|i| i.columns.iter().any(|c| c == column || names(c)) || i.column_names().any(|c| c == column))
            .cloned()
            .collect();
        let mut constraints = vec![];
        for c in &t.constraints {
            if !c.columns(t).contains(&column) || added.is_some_and(|a| a.name() == c.name()) {
                continue;
            }
            if let Constraint::PrimaryKey { .. } = c {
                let at = self.key_spans.iter().find(|(k, _)| *k == "using").map(|(_, s)| *s).unwrap_or(span);
                self.fail(
                    at,
                    format!(
                        "`using` on primary key column `{column}`: {} computes it into a new column, which cannot take the key's place",
                        self.d.key()
                    ),
                );
                continue;
            }
            constraints.push(c.clone());
        }
        (indexes, constraints)
    }

    /// New values of a named enum type; PostgreSQL cannot remove one.
    /// https://www.postgresql.org/docs/current/sql-altertype.html
    fn extend_enum(&mut self, name: &str, old: &[String], new: &[String], span: Span) {
        if let Some(gone) = old.iter().find(|v| !new.contains(v)) {
            self.fail(
                span,
                format!(
                    "enum type `{name}` would lose the value `{gone}`, which {} cannot remove from a type",
                    self.d.key()
                ),
            );
            return;
        }
        for (i, v) in new.iter().enumerate().filter(|(_, v)| !old.contains(v)) {
            let after = i.checked_sub(1).map(|p| new[p].clone());
            let before = new.get(i + 1).cloned();
            let (name, value) = (name.to_string(), v.clone());
            self.push(StepKind::EnumAddValue { name, value, after, before }, span);
            if !self.d.can(Capability::EnumAddValueInTransaction) {
                self.outside_transaction();
            }
        }
    }

    /// MySQL needs an index on a foreign key's columns at every moment, and
    /// refuses to drop the last one (error 1553); the index it made for the key
    /// itself may be gone, replaced by the one being dropped. Before such a
    /// drop, an index named after the foreign key is created, as MySQL would.
    /// https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html
    /// MySQL/MariaDB: the index a foreign key needs is made by the engine
    /// (named after the key) when no index of the table begins with the
    /// key's columns, dropped by it when a later index does, and kept when
    /// the key is dropped. So when no index of the model covers the dropped
    /// key's columns, the engine's index is there and not in the model: it
    /// goes with the key.
    fn drop_foreign_key_index(&mut self, table: &str, fk: &ForeignKey, t: &Table, span: Span) {
        if !self.d.data.foreign_key_needs_index {
            return;
        }
        if self.d.id == crate::dialect::DialectId::Mariadb {
            // MariaDB keeps the index it made for a key even once another
            // index covers the columns (MySQL drops it then): whether it is
            // there is not the model's to know, so it goes if it is.
            self.drop_index_if_exists(table, &fk.name, span);
            return;
        }
        if covered(t, &fk.columns) {
            return;
        }
        let index = Index::of_foreign_key(fk);
        let table = table.to_string();
        self.drop_index_now(table, index, span);
    }

    /// A `DROP INDEX` in the revision's transaction.
    fn drop_index_now(&mut self, table: String, index: Index, span: Span) {
        self.push(
            StepKind::DropIndex {
                table,
                index,
                concurrently: false,
            },
            span,
        );
    }

    /// MariaDB's `DROP INDEX IF EXISTS` (10.1.4+:
    /// https://mariadb.com/kb/en/alter-table/#drop-index), for the index
    /// InnoDB made for a foreign key, which the model does not hold.
    fn drop_index_if_exists(&mut self, table: &str, name: &str, span: Span) {
        let sql = format!("DROP INDEX IF EXISTS {} ON {}", self.d.ident(name), self.d.ident(table));
        self.push(StepKind::Execute { sql, compound: false }, span);
    }

    fn keep_foreign_key_index(&mut self, table: &str, dropped: &[String], after: Option<&Table>, span: Span) {
        if !self.d.data.foreign_key_needs_index {
            return;
        }
        let Some(t) = after else { return };
        let covers = |cols: &[String], fk: &ForeignKey| cols.len() >= fk.columns.len() && cols[..fk.columns.len()] == fk.columns[..];
        let needed: Vec<ForeignKey> = t.foreign_keys().filter(|fk| covers(dropped, fk) && !covered(t, &fk.columns)).cloned().collect();
        for fk in needed {
            if self.d.id == crate::dialect::DialectId::Mariadb {
                // The engine's own index of that name may still be there (see drop_foreign_key_index).
                self.drop_index_if_exists(table, &fk.name, span);
            }
            let index = Index::of_foreign_key(&fk);
            self.push(
                StepKind::CreateIndex {
                    table: table.to_string(),
                    index,
                    concurrently: false,
                },
                span,
            );
        }
    }

    /// Index features the dialect lacks, refused at the key that asks for
    /// them rather than dropped (SPEC 9); true when there is none.
    fn index_features(&mut self, i: &Index, span: Span) -> bool {
        let Some(o) = i.options.as_deref() else { return true };
        let has = |f: &dyn Fn(&IndexElement) -> bool| o.elements.iter().any(f);
        let asked = [
            (has(&|e| e.expr), Capability::ExpressionIndexes, "expr", "an expression element (`expr`)"),
            (has(&|e| e.length.is_some()), Capability::IndexLength, "length", "a prefix `length`"),
            (o.method.is_some(), Capability::IndexMethod, "method", "an access `method`"),
            (!o.include.is_empty(), Capability::IndexInclude, "include", "covering columns (`include`)"),
            (has(&|e| e.nulls_first.is_some()), Capability::IndexNulls, "nulls", "a `nulls` order"),
            (
                has(&|e| e.opclass.is_some()),
                Capability::IndexOpclass,
                "opclass",
                "an operator class (`opclass`)",
            ),
            (o.kind.is_some(), Capability::IndexKind, "kind", "a `kind` (fulltext, spatial)"),
        ];
        let mut ok = true;
        for (wanted, cap, key, what) in asked {
            if wanted && !self.d.can(cap) {
                let at = self.key_spans.iter().find(|(k, _)| *k == key).map(|(_, s)| *s).unwrap_or(span);
                let dialect = self.d;
                let (d, v) = (dialect.key(), &dialect.version);
                self.fail(at, format!("index `{}` has {what}, which {d} {v} does not support", i.name));
                ok = false;
            }
        }
        ok
    }

    /// `index_features`, and a partial index where the dialect has none.
    fn index_supported(&mut self, i: &Index, span: Span) -> bool {
        if !self.index_features(i, span) {
            return false;
        }
        if i.where_.is_some() && !self.d.data.partial_indexes {
            self.fail(
                span,
                format!("index `{}` is partial (`where`), which {} does not support", i.name, self.d.key()),
            );
            return false;
        }
        true
    }

    fn create_index(&mut self, table: &str, i: &Index, concurrently: bool, span: Span) {
        if !self.index_supported(i, span) {
            return;
        }
        let concurrently = concurrently && self.d.data.concurrent_indexes;
        if concurrently {
            // What a failed build left behind goes first, so that it can run again.
            let (table, name) = (table.to_string(), i.name.clone());
            self.push(StepKind::DropInvalidIndex { table, name }, span);
            self.outside_transaction();
        }
        self.push(
            StepKind::CreateIndex {
                table: table.to_string(),
                index: i.clone(),
                concurrently,
            },
            span,
        );
        if concurrently {
            self.outside_transaction();
        }
    }

    fn insert(&mut self, table: &str, columns: &[Column], rows: &[Vec<Option<Value>>], span: Span) {
        for v in rows.iter().flatten().flatten() {
            self.check_value(v, span);
        }
        // Rows that name the same columns go in one INSERT; a column a row leaves out gets its default.
        let mut i = 0;
        while i < rows.len() {
            let shape: Vec<bool> = rows[i].iter().map(|v| v.is_some()).collect();
            let mut j = i;
            while j < rows.len() && rows[j].iter().map(|v| v.is_some()).eq(shape.iter().copied()) {
                j += 1;
            }
            let values = rows[i..j].iter().map(|r| r.iter().flatten().cloned().collect()).collect();
            let present = || columns.iter().zip(&shape).filter(|(_, s)| **s).map(|(c, _)| c);
            let cols = present().map(|c| (c.name.clone(), c.ty.clone())).collect();
            let identity = present().find(|c| c.autoincrement).map(|c| c.name.clone());
            self.push(
                StepKind::Insert {
                    table: table.to_string(),
                    columns: cols,
                    rows: values,
                    identity,
                },
                span,
            );
            i = j;
        }
    }

    /// The SQLite table rebuild: one per table per group of changes (SPEC 5).
    fn rebuild(&mut self, g: &Group, after: &Table) {
        let span = g.changes.first().map(|c| c.1).unwrap_or_default();
        let d = self.d;
        let table = after.name.clone();
        // Where each new column's value comes from.
        let mut source: IndexMap<String, Option<String>> = g.before.iter().map(|c| (c.clone(), Some(c.clone()))).collect();
        let mut cast: Vec<String> = vec![];
        let mut guard: Vec<String> = vec![];
        let mut backfill: IndexMap<String, Value> = IndexMap::new();
        // The expression (`using`) or the enum values rewritten, per column.
        let mut using: IndexMap<String, String> = IndexMap::new();
        let mut map: IndexMap<String, Vec<(String, String)>> = IndexMap::new();
        // The default each column the changes add had when it was added: the
        // value its rows take, even if a later change sets another default
        // (a derived downgrade re-adds a unique column NULL and then sets
        // its default, conformance seed 153).
        let mut added_default: IndexMap<String, Option<Value>> = IndexMap::new();
        for (c, _span) in &g.changes {
            match c {
                Change::AddColumn { column, .. } => {
                    source.insert(column.name.clone(), None);
                    cast.retain(|c| *c != column.name);
                    backfill.shift_remove(&column.name);
                    added_default.insert(column.name.clone(), column.default.clone());
                }
                Change::AlterColumn { new, backfill: Some(b), .. } if matches!(source.get(&new.name), Some(None)) => {
                    // A column this revision adds with a backfill: every row takes it.
                    backfill.insert(new.name.clone(), b.clone());
                }
                Change::DropColumn { column, .. } => {
                    source.shift_remove(&column.name);
                    cast.retain(|c| *c != column.name);
                    backfill.shift_remove(&column.name);
                    added_default.shift_remove(&column.name);
                }
                Change::RenameColumn { from, to, .. } => {
                    if let Some(d) = added_default.shift_remove(from) {
                        added_default.insert(to.clone(), d);
                    }
                    if let Some(i) = source.get_index_of(from) {
                        let (_, src) = source.shift_remove_index(i).expect("index exists");
                        source.shift_insert(i, to.clone(), src);
                    }
                    // A cast or a backfill asked for before the rename follows the column.
                    cast.iter_mut().filter(|c| *c == from).for_each(|c| *c = to.clone());
                    guard.iter_mut().filter(|c| *c == from).for_each(|c| *c = to.clone());
                    if let Some(b) = backfill.shift_remove(from) {
                        backfill.insert(to.clone(), b);
                    }
                }
                Change::AlterColumn {
                    old,
                    new,
                    backfill: b,
                    using: u,
                    ..
                } => {
                    match u {
                        Some(Using::Sql(pd)) => match pd.get(d.lookup()) {
                            Some("") => self.fail(*_span, format!("`using` has no expression for {} (its entry is \"\")", d.key())),
                            Some(e) => {
                                using.insert(new.name.clone(), e.to_string());
                            }
                            None => {}
                        },
                        Some(Using::Map(m)) => {
                            let entry = map.entry(new.name.clone()).or_default();
                            // Composed with what an earlier change of the revision mapped.
                            for (_, to) in entry.iter_mut() {
                                if let Some((_, n)) = m.iter().find(|(o, _)| o == to) {
                                    *to = n.clone();
                                }
                            }
                            let more: Vec<(String, String)> = m.iter().filter(|(o, _)| !entry_has(entry, o)).cloned().collect();
                            entry.extend(more);
                        }
                        None => {}
                    }
                    if old.ty != new.ty {
                        cast.push(new.name.clone());
                        if lossy_cast(&old.ty, &new.ty) {
                            guard.push(new.name.clone());
                        }
                    }
                    if let Some(b) = b {
                        backfill.insert(new.name.clone(), b.clone());
                    }
                }
                _ => {}
            }
        }
        let mut temp = format!("_schemac_new_{table}");
        let mut n = 2;
        // Free at this point of the revision: not in the schema after it, nor
        // named by any of its changes (which covers what it dropped or renamed).
        while (self.taken)(&temp) || self.named.contains(&temp) {
            temp = format!("_schemac_new_{table}_{n}");
            n += 1;
        }
        let temp = crate::base::naming::shorten(&temp);
        let def = self.table_def(after, &temp, span, &|_| true);
        let mut copied = vec![];
        for col in after.columns.values() {
            // The engine computes a generated column's values: none is copied.
            if col.generated.is_some() {
                continue;
            }
            let mut backfill = backfill.get(&col.name).filter(|b| self.check_value(b, span)).cloned();
            // An added column whose default changed since: its rows take the
            // first one (NULL if none) where that is a plain value.
            if let (None, Some(None), Some(first)) = (&backfill, source.get(&col.name), added_default.get(&col.name)) {
                let plain = |v: &Value| !matches!(v, Value::Current(_) | Value::Sql(_) | Value::Next(_));
                if *first != col.default && first.as_ref().is_none_or(plain) {
                    backfill = Some(first.clone().unwrap_or(Value::Null));
                }
            }
            let src = match source.get(&col.name) {
                Some(Some(src)) => Some(src.clone()),
                Some(None) if backfill.is_some() => None,
                _ => continue,
            };
            copied.push(CopiedColumn {
                name: col.name.clone(),
                source: src,
                cast: cast.contains(&col.name),
                guard: cast.contains(&col.name) && guard.contains(&col.name),
                backfill,
                ty: col.ty.clone(),
                using: using.get(&col.name).cloned(),
                map: map.get(&col.name).cloned().unwrap_or_default(),
            });
        }
        let triggers = g
            .dependents
            .triggers
            .iter()
            .filter_map(|tr| d.lookup().iter().find_map(|k| tr.sql.get(*k)).cloned())
            .collect();
        let naming_triggers = g
            .dependents
            .naming_triggers
            .iter()
            .filter_map(|tr| d.lookup().iter().find_map(|k| tr.sql.get(*k)).map(|sql| (tr.name.clone(), sql.clone())))
            .collect();
        let views = g
            .dependents
            .views
            .iter()
            .filter_map(|v| v.sql.get(d.lookup()).map(|sql| (v.name.clone(), sql.to_string())))
            .collect();
        let mut warnings = std::mem::take(&mut self.pending_warnings);
        warnings.insert(
            0,
            Diagnostic::warning(
                codes::REBUILDS_TABLE,
                format!("rebuilds table `{table}` (SQLite cannot ALTER this in place): rows are copied, indexes, triggers and views re-created"),
            ),
        );
        for o in g.dependents.opaque.iter().filter(|o| d.lookup().contains(&o.dialect.as_str())) {
            warnings.push(Diagnostic::warning(
                codes::UNTRACKED_EXECUTE,
                format!(
                    "an execute (`{}`) touched `{table}` in a way schemac does not track; what it created on the table may be lost",
                    o.sql
                ),
            ));
        }
        let rebuild = Rebuild {
            indexes: after.indexes.clone(),
            table,
            def: Arc::new(def),
            copied,
            triggers,
            naming_triggers,
            views,
            fk_checked: std::iter::once(after.name.clone())
                .chain(g.dependents.referrers.iter().filter_map(|r| self.now_named(r, g.since)))
                .collect(),
        };
        self.steps.push(Step {
            warnings,
            foreign_keys_off: true,
            ..Step::new(StepKind::Rebuild(Box::new(rebuild)), span)
        });
    }

    /// The whole schema created directly, for create_schema.
    pub fn create_schema(&mut self, schema: &Schema, span: Span) {
        let mut created: Vec<&str> = vec![];
        let mut later: Vec<(String, Constraint)> = vec![];
        let mut enums: Vec<ColumnType> = vec![];
        for t in schema.tables.values() {
            for c in t.columns.values() {
                if let ColumnType::Enum(this) = &c.ty {
                    // A non-native enum is no type (SPEC 9).
                    if this.native && !enums.iter().any(|e| matches!(e, ColumnType::Enum(e) if e.name == this.name)) {
                        enums.push(c.ty.clone());
                    }
                }
            }
        }
        self.create_enums(&enums, span);
        for name in schema.namespaces.keys() {
            self.emit(&Change::CreateNamespace { name: name.clone() }, span, None);
        }
        // Sequences before the tables whose defaults draw from them; their
        // owners (PostgreSQL's OWNED BY) once the tables exist.
        for q in schema.sequences.values() {
            let seq = Sequence { owned_by: None, ..q.clone() };
            self.emit(&Change::CreateSequence { seq }, span, None);
        }
        for t in schema.tables.values() {
            let inline_all = !self.d.data.add_constraint;
            let known: Vec<String> = created.iter().map(|s| s.to_string()).collect();
            let name = t.name.clone();
            let def = self.table_def(t, &t.name, span, &|fk| inline_all || fk.ref_table == name || known.contains(&fk.ref_table));
            for fk in t.foreign_keys() {
                if !(inline_all || fk.ref_table == t.name || created.contains(&fk.ref_table.as_str())) {
                    later.push((t.name.clone(), Constraint::ForeignKey(fk.clone())));
                }
            }
            self.push(StepKind::CreateTable(Arc::new(def)), span);
            for constraint in self.merged_keys(t) {
                let table = t.name.clone();
                self.push(StepKind::AddConstraint { table, constraint }, span);
            }
            self.column_comments(&t.name, &t.columns.values().collect::<Vec<_>>(), span);
            if let (Some(c), Comments::Statement) = (&t.comment, self.d.data.comments) {
                let (table, comment) = (t.name.clone(), Some(c.clone()));
                self.push(StepKind::CommentTable { table, comment }, span);
            }
            for i in &t.indexes {
                self.create_index(&t.name, i, false, span);
            }
            created.push(&t.name);
        }
        for (table, constraint) in later {
            self.push(StepKind::AddConstraint { table, constraint }, span);
        }
        for v in schema.views.values() {
            self.emit(&Change::CreateView { view: v.clone() }, span, None);
        }
        if self.d.can(Capability::SequenceOwnedBy) {
            for q in schema.sequences.values() {
                if let Some(owned_by) = &q.owned_by {
                    let step = StepKind::AlterSequence {
                        name: q.name.clone(),
                        restart: None,
                        increment: None,
                        owned_by: Some(owned_by.clone()),
                    };
                    self.push(step, span);
                }
            }
        }
    }
}
