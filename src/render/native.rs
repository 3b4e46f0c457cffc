//! Native spellings of the hottest templates (the column definition, CREATE
//! TABLE, CREATE INDEX, ADD COLUMN, the common ALTER COLUMNs and SQLite's
//! rebuild) for their plain cases: each is the template's text written in
//! Rust, through the same `Dialect` calls the filters make, and saves a
//! template render (a fixed cost of several thousand instructions).
//!
//! The templates stay the source of truth. Each native spelling was written
//! from one template text, named here by its fingerprint (FNV-1a of the
//! source): a dialect whose template differs (another dialect's override, or
//! a template edited since) gets no native spelling and the engine renders
//! it. A case a spelling does not cover (a concurrent index, an index with
//! options, a conversion with `using` on MySQL, a rebuild that guards a cast
//! or moves triggers and views) goes to the engine too. The unit tests
//! render every step both ways over many inputs, and fail when a template
//! no longer matches its fingerprint (update the spelling, then the
//! fingerprint).

use super::{statement, ColCtx, Renderer};
use crate::dialect::Dialect;
use crate::plan::step::{ColumnDef, CopiedColumn, Rebuild, StepKind, TableDef};
use crate::replay::model::{Constraint, Index};
use std::sync::Arc;

/// FNV-1a, 64 bits: a template source's fingerprint.
pub(super) fn fingerprint(source: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Which `column.sql` a dialect has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum ColumnStyle {
    /// `common/column.sql` (SQLite): an inline rowid key, enum checks.
    Common,
    /// `mysql/column.sql`: NULL or NOT NULL always, AUTO_INCREMENT, COMMENT.
    Mysql,
    /// `postgresql/column.sql`: identity columns.
    Postgresql,
}

/// Which `create_table.sql` a dialect has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum TableStyle {
    Common,
    /// `mysql/create_table.sql`: the table's comment as `COMMENT=`.
    Mysql,
}

/// Which `alter_column.sql` a dialect has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum AlterStyle {
    /// One statement per change (type, nullability, default).
    Postgresql,
    /// `MODIFY` restating the column.
    Mysql,
}

/// The template texts the spellings below were written from, by name and
/// fingerprint.
const COLUMN: [(u64, ColumnStyle); 3] = [
    (0xb779_61fb_5915_deae, ColumnStyle::Common),
    (0x6534_3892_7749_f1c9, ColumnStyle::Mysql),
    (0x37e8_7d24_1ab9_0592, ColumnStyle::Postgresql),
];
const CREATE_TABLE: [(u64, TableStyle); 2] = [(0x3d77_f08a_df15_be50, TableStyle::Common), (0x08d7_3c7a_9fd4_9d13, TableStyle::Mysql)];
const ALTER_COLUMN: [(u64, AlterStyle); 2] = [(0x4439_f0d6_8b2f_3965, AlterStyle::Postgresql), (0xe962_0553_6c18_e385, AlterStyle::Mysql)];
const TABLE_BODY: u64 = 0xf14d_0288_26ee_c1c5;
const CONSTRAINT: u64 = 0x25b9_0409_7c46_be68;
const CREATE_INDEX: u64 = 0xa81a_6487_594f_7863;
const INDEX_ELEMENTS: u64 = 0xfc79_3be2_8561_0d47;
const ADD_COLUMN: u64 = 0x9016_2503_3bda_5795;
const REBUILD: u64 = 0x8f2f_91e5_b682_4e1f;
const COPY_EXPR: u64 = 0xbacc_bc77_e517_71fd;

/// The native spellings a dialect's templates allow: each is on only when
/// every template it spells (includes too) is the one it was written from.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Natives {
    pub column: Option<ColumnStyle>,
    /// `create_table.sql` with `table_body.sql`, `constraint.sql` and the column.
    pub create_table: Option<TableStyle>,
    /// `create_index.sql` with `index_elements.sql`.
    pub create_index: bool,
    /// `add_column.sql` with the column.
    pub add_column: bool,
    /// `alter_column.sql` (MySQL's with the column).
    pub alter_column: Option<AlterStyle>,
    /// `copy_expr.sql`.
    pub copy_expr: bool,
    /// `rebuild.sql` with the body, the indexes and `copy_expr.sql`.
    pub rebuild: bool,
}

impl Natives {
    /// The spellings that the templates found by `source` (a template's
    /// text by name, as the renderer resolves it) allow.
    pub fn detect(source: impl Fn(&str) -> Option<&'static str>) -> Natives {
        let fp = |name: &str| source(name).map(fingerprint);
        let is = |name: &str, known: u64| fp(name) == Some(known);
        fn pick<T: Copy>(fp: Option<u64>, known: &[(u64, T)]) -> Option<T> {
            known.iter().find(|(h, _)| Some(*h) == fp).map(|(_, s)| *s)
        }
        let column = pick(fp("column.sql"), &COLUMN);
        let body = column.is_some() && is("table_body.sql", TABLE_BODY) && is("constraint.sql", CONSTRAINT);
        let create_index = is("create_index.sql", CREATE_INDEX) && is("index_elements.sql", INDEX_ELEMENTS);
        let copy_expr = is("copy_expr.sql", COPY_EXPR);
        let alter_column = pick(fp("alter_column.sql"), &ALTER_COLUMN).filter(|s| *s == AlterStyle::Postgresql || column.is_some());
        Natives {
            column,
            create_table: pick(fp("create_table.sql"), &CREATE_TABLE).filter(|_| body),
            create_index,
            add_column: column.is_some() && is("add_column.sql", ADD_COLUMN),
            alter_column,
            copy_expr,
            rebuild: body && create_index && copy_expr && is("rebuild.sql", REBUILD),
        }
    }
}

/// A column definition as `column.sql` spells it.
pub(super) fn push_column(d: &Dialect, style: ColumnStyle, c: &ColCtx, out: &mut String) {
    let col = &c.def.column;
    d.push_ident(&col.name, out);
    out.push(' ');
    out.push_str(&c.type_sql);
    if let Some(collation) = &c.collation {
        out.push_str(" COLLATE ");
        d.push_ident(collation, out);
    }
    let stored = col.generated.as_ref().is_some_and(|g| g.stored);
    let generated = |out: &mut String, expr: &str, open: &str| {
        out.push_str(open);
        out.push_str(expr);
        out.push_str(if stored { ") STORED" } else { ") VIRTUAL" });
    };
    match style {
        ColumnStyle::Common => {
            if let Some(g) = &c.generated_sql {
                generated(out, g, " GENERATED ALWAYS AS (");
            }
            if let Some(pk) = &c.def.rowid_pk {
                out.push_str(" NOT NULL CONSTRAINT ");
                d.push_ident(pk, out);
                out.push_str(" PRIMARY KEY");
            } else if !col.nullable {
                out.push_str(" NOT NULL");
            }
            if let Some(default) = &c.default_sql {
                out.push_str(" DEFAULT ");
                out.push_str(default);
            }
            if let Some(values) = &c.check_values {
                out.push_str(" CHECK (");
                d.push_ident(&col.name, out);
                out.push_str(" IN (");
                out.push_str(&super::literals(d, values));
                out.push_str("))");
            }
        }
        ColumnStyle::Mysql => {
            if let Some(g) = &c.generated_sql {
                generated(out, g, " AS (");
            } else if !col.nullable {
                out.push_str(" NOT NULL");
            } else {
                out.push_str(" NULL");
            }
            if col.autoincrement {
                out.push_str(" AUTO_INCREMENT");
            }
            if let Some(default) = &c.default_sql {
                out.push_str(" DEFAULT ");
                out.push_str(default);
            }
            if let Some(comment) = &col.comment {
                out.push_str(" COMMENT ");
                d.push_literal(comment, out);
            }
        }
        ColumnStyle::Postgresql => {
            if let Some(g) = &c.generated_sql {
                generated(out, g, " GENERATED ALWAYS AS (");
            }
            if col.autoincrement {
                out.push_str(" GENERATED BY DEFAULT AS IDENTITY");
            }
            if !col.nullable {
                out.push_str(" NOT NULL");
            }
            if let Some(default) = c.default_sql.as_ref().filter(|_| !col.autoincrement) {
                out.push_str(" DEFAULT ");
                out.push_str(default);
            }
        }
    }
}

/// Names as `idents` writes them: `a, b`.
fn push_idents(d: &Dialect, names: &[String], out: &mut String) {
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.push_ident(n, out);
    }
}

/// A constraint as `constraint.sql` spells it.
fn push_constraint(d: &Dialect, k: &Constraint, out: &mut String) {
    out.push_str("CONSTRAINT ");
    d.push_ident(k.name(), out);
    match k {
        Constraint::PrimaryKey { columns, .. } => {
            out.push_str(" PRIMARY KEY (");
            push_idents(d, columns, out);
            out.push(')');
        }
        Constraint::Unique { columns, .. } => {
            out.push_str(" UNIQUE (");
            push_idents(d, columns, out);
            out.push(')');
        }
        Constraint::ForeignKey(fk) => {
            out.push_str(" FOREIGN KEY (");
            push_idents(d, &fk.columns, out);
            out.push_str(") REFERENCES ");
            push_references(d, &fk.ref_table, &fk.ref_columns, fk.on_delete, fk.on_update, out);
        }
        Constraint::Check { expr, .. } => {
            out.push_str(" CHECK (");
            out.push_str(expr);
            out.push(')');
        }
    }
}

/// `table (columns)` and the actions of a foreign key.
fn push_references(
    d: &Dialect,
    table: &str,
    columns: &[String],
    on_delete: Option<crate::vocab::types::FkAction>,
    on_update: Option<crate::vocab::types::FkAction>,
    out: &mut String,
) {
    d.push_ident(table, out);
    out.push_str(" (");
    push_idents(d, columns, out);
    out.push(')');
    if let Some(a) = on_delete {
        out.push_str(" ON DELETE ");
        out.push_str(a.sql());
    }
    if let Some(a) = on_update {
        out.push_str(" ON UPDATE ");
        out.push_str(a.sql());
    }
}

/// A plain index (no options, not concurrent) as `create_index.sql` spells
/// it, with its newline; `false` (nothing written) for any other.
fn push_create_index(d: &Dialect, table: &str, i: &Index, concurrently: bool, out: &mut String) -> bool {
    if concurrently || i.options.is_some() {
        return false;
    }
    out.push_str(if i.unique { "CREATE UNIQUE INDEX " } else { "CREATE INDEX " });
    d.push_ident(&i.name, out);
    out.push_str(" ON ");
    d.push_ident(table, out);
    out.push_str(" (");
    push_idents(d, &i.columns, out);
    out.push(')');
    if let Some(w) = &i.where_ {
        out.push_str(" WHERE ");
        out.push_str(w);
    }
    out.push_str(";\n");
    true
}

/// One value of a rebuild's SELECT list, with its values spelled: what
/// `copy_expr.sql` sees.
pub(super) struct CopyExpr<'a> {
    pub source: Option<&'a str>,
    pub cast: bool,
    pub type_sql: &'a str,
    pub backfill: Option<&'a str>,
    pub using: Option<&'a str>,
    /// Enum values rewritten, old to new.
    pub map: &'a [(&'a str, &'a str)],
}

/// One value of a rebuild's SELECT list as `copy_expr.sql` spells it;
/// `false` for a column with neither a source nor a backfill, which the
/// template writes as `none`.
pub(super) fn push_copy_expr(d: &Dialect, c: &CopyExpr, out: &mut String) -> bool {
    let CopyExpr {
        source,
        cast,
        type_sql,
        backfill,
        using,
        map,
    } = *c;
    let Some(source) = source else {
        match backfill {
            Some(b) => out.push_str(b),
            None => return false,
        }
        return true;
    };
    if backfill.is_some() {
        out.push_str("COALESCE(");
    }
    if let Some(u) = using {
        out.push('(');
        out.push_str(u);
        out.push(')');
    } else if !map.is_empty() {
        out.push_str("CASE ");
        d.push_ident(source, out);
        for &(old, new) in map {
            out.push_str(" WHEN ");
            d.push_literal(old, out);
            out.push_str(" THEN ");
            d.push_literal(new, out);
        }
        out.push_str(" ELSE ");
        d.push_ident(source, out);
        out.push_str(" END");
    } else if cast {
        out.push_str("CAST(");
        d.push_ident(source, out);
        out.push_str(" AS ");
        out.push_str(type_sql);
        out.push(')');
    } else {
        d.push_ident(source, out);
    }
    if let Some(b) = backfill {
        out.push_str(", ");
        out.push_str(b);
        out.push(')');
    }
    true
}

impl Renderer {
    /// A column definition: remembered, else spelled natively.
    fn push_column_def(&self, style: ColumnStyle, def: &Arc<ColumnDef>, out: &mut String) -> Result<(), String> {
        if let Some(text) = self.memo.lock().expect("not poisoned").get(&**def) {
            out.push_str(text.as_str().unwrap_or_default());
            return Ok(());
        }
        let mut text = String::new();
        push_column(&self.dialect, style, &ColCtx::new(&self.dialect, def)?, &mut text);
        out.push_str(&text);
        self.memo.lock().expect("not poisoned").insert(def.clone(), minijinja::Value::from(text));
        Ok(())
    }

    /// The parenthesised body of `table_body.sql`.
    fn push_table_body(&self, style: ColumnStyle, t: &TableDef, out: &mut String) -> Result<(), String> {
        let d = &*self.dialect;
        out.push_str("(\n");
        if !t.columns.is_empty() {
            out.push_str("    ");
            for (i, c) in t.columns.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n    ");
                }
                self.push_column_def(style, c, out)?;
            }
            if !t.constraints.is_empty() {
                out.push(',');
            }
            out.push('\n');
        }
        for (i, k) in t.constraints.iter().enumerate() {
            out.push_str("    ");
            push_constraint(d, k, out);
            if i + 1 < t.constraints.len() {
                out.push(',');
            }
            out.push('\n');
        }
        out.push(')');
        Ok(())
    }

    /// The step spelled natively at the end of `out` (as `render_into`
    /// leaves it), or `false` (and `out` untouched) for the engine.
    pub(super) fn render_native(&self, kind: &StepKind, out: &mut Vec<u8>) -> Result<bool, String> {
        let n = &self.native;
        let d = &*self.dialect;
        let mut s = String::new();
        match kind {
            StepKind::CreateTable(t) => {
                let (Some(style), Some(column)) = (n.create_table, n.column) else {
                    return Ok(false);
                };
                s.push_str("CREATE TABLE ");
                d.push_ident(&t.name, &mut s);
                s.push(' ');
                self.push_table_body(column, t, &mut s)?;
                if let (TableStyle::Mysql, Some(comment)) = (style, &t.comment) {
                    s.push_str(" COMMENT=");
                    d.push_literal(comment, &mut s);
                }
                if let Some(options) = &t.options {
                    s.push(' ');
                    s.push_str(options);
                }
                s.push(';');
            }
            StepKind::CreateIndex { table, index, concurrently } => {
                if !n.create_index || !push_create_index(d, table, index, *concurrently, &mut s) {
                    return Ok(false);
                }
            }
            StepKind::AddColumn { table, column, inline } => {
                let Some(style) = n.column.filter(|_| n.add_column) else {
                    return Ok(false);
                };
                if !inline.iter().all(|k| matches!(k, Constraint::ForeignKey(_))) {
                    return Ok(false);
                }
                s.push_str("ALTER TABLE ");
                d.push_ident(table, &mut s);
                s.push_str(" ADD COLUMN ");
                self.push_column_def(style, column, &mut s)?;
                for k in inline {
                    if let Constraint::ForeignKey(fk) = k {
                        s.push_str(" CONSTRAINT ");
                        d.push_ident(&fk.name, &mut s);
                        s.push_str(" REFERENCES ");
                        push_references(d, &fk.ref_table, &fk.ref_columns, fk.on_delete, fk.on_update, &mut s);
                    }
                }
                s.push(';');
            }
            StepKind::AlterColumn {
                table,
                column,
                type_changed,
                nullable_changed,
                default_changed,
                autoincrement_changed,
                using,
                ..
            } => match n.alter_column {
                // An identity added or dropped (a primary key's drop and its downgrade) is rare: the template spells it.
                None => return Ok(false),
                Some(_) if *autoincrement_changed => return Ok(false),
                Some(AlterStyle::Mysql) => {
                    let Some(style) = n.column.filter(|_| using.is_none()) else {
                        return Ok(false);
                    };
                    s.push_str("ALTER TABLE ");
                    d.push_ident(table, &mut s);
                    s.push_str(" MODIFY ");
                    self.push_column_def(style, column, &mut s)?;
                    s.push(';');
                }
                Some(AlterStyle::Postgresql) => {
                    let c = ColCtx::new(d, column)?;
                    let name = &column.column.name;
                    let head = |s: &mut String| {
                        s.push_str("ALTER TABLE ");
                        d.push_ident(table, s);
                        s.push_str(" ALTER COLUMN ");
                        d.push_ident(name, s);
                    };
                    if *type_changed {
                        head(&mut s);
                        s.push_str(" TYPE ");
                        s.push_str(&c.type_sql);
                        if let Some(collation) = &c.collation {
                            s.push_str(" COLLATE ");
                            d.push_ident(collation, &mut s);
                        }
                        s.push_str(" USING ");
                        match using {
                            Some(u) => s.push_str(statement(u)),
                            None => {
                                d.push_ident(name, &mut s);
                                s.push_str("::");
                                s.push_str(&c.type_sql);
                            }
                        }
                        s.push_str(";\n");
                    }
                    if *nullable_changed {
                        head(&mut s);
                        s.push_str(if column.column.nullable { " DROP NOT NULL;\n" } else { " SET NOT NULL;\n" });
                    }
                    if *default_changed {
                        head(&mut s);
                        match &c.default_sql {
                            Some(v) => {
                                s.push_str(" SET DEFAULT ");
                                s.push_str(v);
                                s.push_str(";\n");
                            }
                            None => s.push_str(" DROP DEFAULT;\n"),
                        }
                    }
                }
            },
            StepKind::Rebuild(r) => {
                if !n.rebuild || !self.push_rebuild(r, &mut s)? {
                    return Ok(false);
                }
            }
            _ => return Ok(false),
        }
        let start = out.len();
        out.extend_from_slice(s.as_bytes());
        super::trim_statement(out, start);
        Ok(true)
    }

    /// `rebuild.sql` without its rare parts (a guarded cast, triggers on
    /// other tables, views, an index with options): `false` for those.
    fn push_rebuild(&self, r: &Rebuild, s: &mut String) -> Result<bool, String> {
        let d = &*self.dialect;
        let Some(column) = self.native.column else {
            return Ok(false);
        };
        if !r.naming_triggers.is_empty() || !r.views.is_empty() || r.copied.iter().any(|c| c.guard) {
            return Ok(false);
        }
        if r.indexes.iter().any(|i| i.options.is_some()) {
            return Ok(false);
        }
        s.push_str("CREATE TABLE ");
        d.push_ident(&r.def.name, s);
        s.push(' ');
        self.push_table_body(column, &r.def, s)?;
        s.push_str(";\n");
        if !r.copied.is_empty() {
            s.push_str("INSERT INTO ");
            d.push_ident(&r.def.name, s);
            s.push_str(" (");
            for (i, c) in r.copied.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                d.push_ident(&c.name, s);
            }
            s.push_str(")\n    SELECT ");
            for (i, c) in r.copied.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                if !self.push_copied(r, c, s)? {
                    return Ok(false);
                }
            }
            s.push_str(" FROM ");
            d.push_ident(&r.table, s);
            s.push_str(";\n");
        }
        s.push_str("DROP TABLE ");
        d.push_ident(&r.table, s);
        s.push_str(";\nALTER TABLE ");
        d.push_ident(&r.def.name, s);
        s.push_str(" RENAME TO ");
        d.push_ident(&r.table, s);
        s.push_str(";\n");
        for i in &r.indexes {
            if !push_create_index(d, &r.table, i, false, s) {
                return Ok(false);
            }
        }
        for tr in &r.triggers {
            s.push_str(tr);
            s.push_str(";\n");
        }
        let mut violations = String::new();
        for (i, t) in r.fk_checked.iter().enumerate() {
            if i > 0 {
                violations.push_str(" UNION ALL ");
            }
            violations.push_str("SELECT * FROM pragma_foreign_key_check(");
            d.push_literal(t, &mut violations);
            violations.push(')');
        }
        s.push_str("SELECT 'foreign key violation: ' || \"table\" || ' has ' || count(*) || ' row(s) with no match in ' || parent FROM (");
        s.push_str(&violations);
        s.push_str(") GROUP BY \"table\", parent;\n");
        s.push_str(
            "CREATE TEMP TABLE _schemac_fk_check (violations INTEGER NOT NULL CONSTRAINT foreign_key_violation_after_rebuild CHECK (violations = 0));\n",
        );
        s.push_str("INSERT INTO _schemac_fk_check SELECT count(*) FROM (");
        s.push_str(&violations);
        s.push_str(");\nDROP TABLE _schemac_fk_check;\n");
        Ok(true)
    }

    /// One value of a rebuild's SELECT list, as the `copy_exprs` filter
    /// writes it; `false` for one the template writes as `none`.
    fn push_copied(&self, r: &Rebuild, c: &CopiedColumn, s: &mut String) -> Result<bool, String> {
        let d = &*self.dialect;
        let plain = c.source.is_some() && !c.cast && c.backfill.is_none() && c.using.is_none() && c.map.is_empty();
        if plain {
            d.push_ident(c.source.as_deref().unwrap_or_default(), s);
            return Ok(true);
        }
        let type_sql = match r.def.columns.iter().find(|x| x.column.name == c.name) {
            Some(x) if c.cast => super::column_type_sql(d, x)?,
            _ => String::new(),
        };
        let backfill = c.backfill.as_ref().map(|b| d.value_sql(b, Some(&c.ty))).transpose()?;
        let map: Vec<(&str, &str)> = c.map.iter().map(|(o, n)| (o.as_str(), n.as_str())).collect();
        let expr = CopyExpr {
            source: c.source.as_deref(),
            cast: c.cast,
            type_sql: &type_sql,
            backfill: backfill.as_deref(),
            using: c.using.as_deref().map(statement),
            map: &map,
        };
        Ok(push_copy_expr(d, &expr, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DialectId;
    use crate::plan::step::{CopiedColumn, Rebuild};
    use crate::replay::model::{Column, ForeignKey, Index};
    use crate::vocab::types::{parse_type, ColumnType, EnumType, FkAction, Generated, IndexElement, IndexOptions, PerDialect, Value};

    fn dialects() -> impl Iterator<Item = DialectId> {
        DialectId::ALL.into_iter().chain([DialectId::Mariadb])
    }

    /// Every dialect's templates are the ones the native spellings were
    /// written from. When this fails, a template changed: make its spelling
    /// here write what it writes now (`native_spellings_match_the_engine`
    /// shows where they differ), then put its new fingerprint in the table.
    #[test]
    fn native_spellings_cover_the_templates() {
        for id in dialects() {
            let r = Renderer::new(&Dialect::load(id, None).unwrap());
            let folder = id.folder();
            let has = |name| super::super::resolve(folder, name).is_some();
            let n = r.native;
            let fp = |name| super::super::resolve(folder, name).map(fingerprint).map(|h| format!("{name}: {h:#018x}"));
            let all = [
                "column.sql",
                "create_table.sql",
                "table_body.sql",
                "constraint.sql",
                "create_index.sql",
                "index_elements.sql",
                "add_column.sql",
                "alter_column.sql",
                "rebuild.sql",
                "copy_expr.sql",
            ];
            let prints: Vec<_> = all.iter().filter_map(|n| fp(n)).collect();
            let stale = format!("{id:?}: a template changed since its native spelling was written ({prints:?})");
            assert!(n.column.is_some() && n.create_table.is_some() && n.create_index && n.add_column, "{stale}");
            assert_eq!(n.alter_column.is_some(), has("alter_column.sql"), "{stale}");
            assert_eq!(n.rebuild, has("rebuild.sql"), "{stale}");
            assert_eq!(n.copy_expr, has("copy_expr.sql"), "{stale}");
        }
    }

    /// A small deterministic generator of choices.
    struct Pick(u64);

    impl Pick {
        fn n(&mut self, below: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % below as u64) as usize
        }
        fn one<'a, T>(&mut self, of: &'a [T]) -> &'a T {
            &of[self.n(of.len())]
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.n(100) < percent
        }
    }

    const NAMES: [&str; 10] = [
        "users",
        "id",
        "select",
        "Mixed Case",
        "a\"b`c'd",
        "it's",
        "back\\slash",
        "ünï",
        "0lead",
        "order",
    ];

    fn name(p: &mut Pick) -> String {
        p.one(&NAMES).to_string()
    }

    fn names(p: &mut Pick) -> Vec<String> {
        (0..1 + p.n(3)).map(|_| name(p)).collect()
    }

    fn per_dialect(p: &mut Pick, text: &str) -> PerDialect {
        let mut m = PerDialect::single(text);
        if p.chance(30) {
            m.0.insert(p.one(&["postgresql", "mysql", "sqlite", "mariadb"]).to_string(), format!("{text} + 1"));
        }
        m
    }

    fn column(p: &mut Pick, rowid: bool) -> Arc<ColumnDef> {
        let types = [
            "string(20)",
            "string(255)",
            "integer",
            "bigint",
            "boolean",
            "text",
            "decimal(10,2)",
            "datetime",
            "date",
            "float",
            "uuid",
            "json",
        ];
        let t: &&str = p.one(&types);
        let mut ty = parse_type(t).unwrap();
        if p.chance(8) {
            ty = ColumnType::Enum(Box::new(EnumType {
                name: name(p),
                values: names(p),
                native: p.chance(50),
            }));
        }
        let default = match p.n(8) {
            0 => Some(Value::Int(7)),
            1 => Some(Value::String(name(p))),
            2 => Some(Value::Current("current_timestamp".into())),
            3 if ty == ColumnType::Boolean => Some(Value::Bool(p.chance(50))),
            4 => Some(Value::Null),
            _ => None,
        };
        let default = match (&ty, default) {
            (ColumnType::Enum(e), Some(_)) => Some(Value::String(e.values[0].clone())),
            (ColumnType::Integer | ColumnType::BigInt, Some(Value::String(_))) => Some(Value::Int(3)),
            (_, d) => d,
        };
        let autoincrement = rowid || (matches!(ty, ColumnType::Integer | ColumnType::BigInt) && p.chance(10));
        let generated = p.chance(8).then(|| {
            Box::new(Generated {
                expr: per_dialect(p, "price * 2"),
                stored: p.chance(50),
            })
        });
        let column = Column {
            name: name(p),
            ty,
            nullable: !rowid && p.chance(60),
            default: if generated.is_some() { None } else { default },
            autoincrement,
            comment: p.chance(15).then(|| name(p)),
            generated,
            collation: p.chance(8).then(|| Box::new(per_dialect(p, "C"))),
        };
        Arc::new(ColumnDef {
            column,
            rowid_pk: (rowid && p.chance(50)).then(|| name(p)),
        })
    }

    fn fk(p: &mut Pick) -> ForeignKey {
        let actions = [
            None,
            Some(FkAction::Cascade),
            Some(FkAction::SetNull),
            Some(FkAction::Restrict),
            Some(FkAction::NoAction),
        ];
        ForeignKey {
            name: name(p),
            columns: names(p),
            ref_table: name(p),
            ref_columns: names(p),
            on_delete: *p.one(&actions),
            on_update: *p.one(&actions),
        }
    }

    fn constraint(p: &mut Pick) -> Constraint {
        match p.n(4) {
            0 => Constraint::PrimaryKey {
                name: name(p),
                columns: names(p),
            },
            1 => Constraint::Unique {
                name: name(p),
                columns: names(p),
            },
            2 => Constraint::ForeignKey(fk(p)),
            _ => Constraint::Check {
                name: name(p),
                expr: "price > 0".into(),
                dialects: None,
            },
        }
    }

    fn table(p: &mut Pick) -> Arc<TableDef> {
        let rowid = p.chance(50);
        let columns = (0..p.n(6)).map(|i| column(p, rowid && i == 0)).collect();
        Arc::new(TableDef {
            name: if p.chance(20) { format!("{}\0{}", name(p), name(p)) } else { name(p) },
            columns,
            constraints: (0..p.n(4)).map(|_| constraint(p)).collect(),
            comment: p.chance(20).then(|| name(p)),
            options: p.chance(15).then(|| "ENGINE=InnoDB".to_string()),
        })
    }

    fn index(p: &mut Pick) -> Index {
        let columns = names(p);
        let options = p.chance(15).then(|| {
            Box::new(IndexOptions {
                elements: columns
                    .iter()
                    .map(|_| IndexElement {
                        desc: p.chance(50).then(|| p.chance(50)),
                        ..IndexElement::default()
                    })
                    .collect(),
                method: None,
                include: vec![],
                kind: None,
            })
        });
        Index {
            name: name(p),
            columns,
            unique: p.chance(30),
            where_: p.chance(10).then(|| "deleted_at IS NULL".to_string()),
            options,
        }
    }

    fn step(p: &mut Pick) -> StepKind {
        let table_name = |p: &mut Pick| if p.chance(20) { format!("{}\0{}", name(p), name(p)) } else { name(p) };
        match p.n(7) {
            0 => StepKind::CreateTable(table(p)),
            1 => StepKind::CreateIndex {
                table: table_name(p),
                index: index(p),
                concurrently: p.chance(10),
            },
            2 => StepKind::AddColumn {
                table: table_name(p),
                column: column(p, false),
                inline: (0..p.n(2))
                    .map(|_| if p.chance(90) { Constraint::ForeignKey(fk(p)) } else { constraint(p) })
                    .collect(),
            },
            3 | 4 => StepKind::AlterColumn {
                table: table_name(p),
                column: column(p, false),
                type_changed: p.chance(50),
                nullable_changed: p.chance(50),
                default_changed: p.chance(50),
                comment_changed: p.chance(20),
                autoincrement_changed: p.chance(10),
                using: p.chance(15).then(|| "price::text;".to_string()),
            },
            5 => StepKind::Backfill {
                table: table_name(p),
                column: name(p),
                ty: ColumnType::String(Some(20)),
                value: Value::String(name(p)),
            },
            _ => {
                let def = table(p);
                let copied = def
                    .columns
                    .iter()
                    .map(|c| CopiedColumn {
                        name: c.column.name.clone(),
                        source: (!p.chance(10)).then(|| name(p)),
                        cast: p.chance(30),
                        guard: p.chance(5),
                        backfill: p.chance(30).then(|| Value::String(name(p))),
                        ty: c.column.ty.clone(),
                        using: p.chance(10).then(|| "upper(x);".to_string()),
                        map: if p.chance(10) { vec![(name(p), name(p))] } else { vec![] },
                    })
                    .collect();
                StepKind::Rebuild(Box::new(Rebuild {
                    table: name(p),
                    def,
                    copied,
                    indexes: (0..p.n(3)).map(|_| index(p)).collect(),
                    triggers: if p.chance(10) {
                        vec!["CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END".into()]
                    } else {
                        vec![]
                    },
                    naming_triggers: if p.chance(5) { vec![(name(p), "CREATE TRIGGER y".into())] } else { vec![] },
                    views: if p.chance(5) { vec![(name(p), "SELECT 1;".into())] } else { vec![] },
                    fk_checked: names(p),
                }))
            }
        }
    }

    /// Every step spelled natively is what the templates spell, byte for
    /// byte, on every dialect: many generated steps (names that need
    /// quoting and escaping, every column option, constraints of each kind,
    /// indexes plain and not, rebuilds with each kind of copied column),
    /// each rendered by the renderer with its native spellings and by one
    /// without any. Errors must agree too.
    #[test]
    fn native_spellings_match_the_engine() {
        for id in dialects() {
            let d = Dialect::load(id, None).unwrap();
            let fast = Renderer::new(&d);
            let engine = Renderer::build(&d, false);
            let mut p = Pick(0x9e37_79b9_7f4a_7c15 ^ id.folder().len() as u64);
            let (mut native, mut total) = (0, 0);
            for round in 0..4000 {
                let kind = step(&mut p);
                let mut probe = Vec::new();
                let spelled = fast.render_native(&kind, &mut probe);
                if matches!(spelled, Ok(true)) {
                    native += 1;
                }
                total += 1;
                let mut a = Vec::new();
                let mut b = Vec::new();
                let ra = fast.render_step(&kind, &mut a);
                let rb = engine.render_step(&kind, &mut b);
                assert_eq!(ra.is_ok(), rb.is_ok(), "{id:?} round {round}: {ra:?} / {rb:?}\n{kind:?}");
                assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b), "{id:?} round {round}\n{kind:?}");
                if let Ok(true) = spelled {
                    assert_eq!(probe, a, "{id:?} round {round}");
                }
            }
            eprintln!("{id:?}: {native} of {total} steps spelled natively");
            assert!(native * 3 > total, "{id:?}: only {native} of {total} spelled natively");
        }
    }
}
