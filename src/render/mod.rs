//! Stage 5, render: spells typed steps with the dialect's minijinja
//! templates. All spelling lives here and in `dialects/`: `Renderer::context`
//! maps each step kind to its one template and the values it sees (types,
//! defaults and values spelled by the dialect's data), and the templates
//! write the statements. Quoting and escaping happen only through the
//! `ident`, `idents`, `literal` and `comment` filters, which call `Dialect`.
//! A template is looked up in the dialect's folder, then in `dialects/common`.
//!
//! Rendering is the hot end of the pipeline (one template per step), so the
//! renderer avoids per-call work that does not change the text: every
//! template of the dialect is compiled once at `Renderer::new` under the
//! names it is looked up by (includes too), the filters borrow their
//! arguments and hand back a borrowed or small value where the text is
//! unchanged, strings are emitted without going through `Display`, and a
//! step is rendered straight into the caller's buffer. A template that is
//! only text and `{{ name }}`, `{{ name|ident }}` or `{{ name|literal }}`
//! (the version statements: one or two a revision) is spelled without the
//! engine, by the same `Dialect` calls the filters make; a unit test holds
//! the two spellings equal for every such template of every dialect. The
//! hottest templates that are not plain (the column definition, CREATE
//! TABLE, CREATE INDEX, ADD COLUMN, ALTER COLUMN, SQLite's rebuild) have
//! native spellings of their plain cases in [`native`], each on only for the
//! template text it was written from and tested against the engine.

mod native;
pub mod verify;

use crate::base::embedded::EMBEDDED;
use crate::base::fxhash::FastHash;
use crate::dialect::{Dialect, EnumStyle};
use crate::plan::step::{Algorithm, ColumnDef, StepKind, TableDef};
use crate::replay::model::{ColumnType, Constraint, Index, Value as ModelValue};
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A dialect's compiled templates.
pub struct Renderer {
    env: Environment<'static>,
    /// The templates that are plain text and fields (see [`plain`]), which
    /// are spelled here without the template engine.
    plain: HashMap<&'static str, Vec<Piece>, FastHash>,
    dialect: Arc<Dialect>,
    /// Version guards spelled once per shape (see [`Renderer::render_guard`]).
    guards: Mutex<HashMap<GuardShape, Option<GuardText>, FastHash>>,
    /// The templates spelled natively for their plain cases (see [`native`]).
    native: native::Natives,
    /// What `column.sql` spelled for each column definition met so far.
    memo: Arc<ColumnMemo>,
}

/// A version guard's text cut at its revision ids: each piece of text is
/// followed by the id of that position (`None` after the last piece).
type GuardText = Vec<(String, Option<usize>)>;

/// What a version guard's text depends on besides its revision ids: the
/// version table, how many ids it holds and lacks, and `only`.
type GuardShape = (String, usize, usize, bool);

/// The stand-in for the `i`th revision id of a guard spelled once per
/// shape, followed by `i` in three digits: like a revision id, it is
/// `[A-Za-z0-9_]`, which every filter writes as it is.
const GUARD_ID: &str = "SchemacGuardId";

/// A part of a plain template.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(&'static str),
    /// `{{ name }}`, `{{ name|ident }}` or `{{ name|literal }}`.
    Field(&'static str, Filter),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Filter {
    None,
    Ident,
    Literal,
}

/// The pieces of a template that is nothing but text and expressions of the
/// form `{{ name }}`, `{{ name|ident }}` and `{{ name|literal }}`: the version
/// statements (one or two a revision) and most drops and renames. Anything
/// else (a block, a comment, whitespace control, an attribute, another
/// filter, a keyword) makes it `None`, and the template engine renders it.
fn plain(source: &'static str) -> Option<Vec<Piece>> {
    if source.contains("{%") || source.contains("{#") {
        return None;
    }
    let mut pieces = vec![];
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let expr = after[..close].trim();
        let (name, filter) = match expr.split_once('|') {
            None => (expr, Filter::None),
            Some((name, "ident")) => (name, Filter::Ident),
            Some((name, "literal")) => (name, Filter::Literal),
            Some(_) => return None,
        };
        let word = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !word || name.is_empty() || name.as_bytes()[0].is_ascii_digit() || matches!(name, "true" | "false" | "none") {
            return None;
        }
        pieces.push(Piece::Field(name, filter));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Some(pieces)
}

/// A template's context: a few named values, found by name (what
/// `minijinja::context!` builds, without going through serde).
#[derive(Debug)]
struct Fields(Vec<(&'static str, Value)>);

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.iter().map(|(k, _)| Value::from(*k)).collect())
    }
}

/// A template context, as `minijinja::context!` writes it (`name` or
/// `name => value`); each value is converted with `Value::from`.
macro_rules! ctx {
    ($($key:ident $(=> $value:expr)?),* $(,)?) => {
        Value::from_object(Fields(vec![
            $((stringify!($key), ctx!(@value $key $(, $value)?))),*
        ]))
    };
    (@value $key:ident) => { Value::from($key) };
    (@value $key:ident, $value:expr) => { Value::from($value) };
}

/// A value a template sees: text borrowed from the step, which a plain
/// template writes without the engine, or an engine value.
enum Arg<'a> {
    Str(&'a str),
    /// Text spelled for the step (a value's literal).
    Own(String),
    Val(Value),
}

/// The values a template sees, by name, before they become an engine
/// context: a plain template (see [`plain`]) reads the text fields
/// directly, and only the engine needs them as `minijinja::Value`s.
struct Args<'a>(Vec<(&'static str, Arg<'a>)>);

impl<'a> Args<'a> {
    fn new() -> Args<'a> {
        Args(Vec::with_capacity(4))
    }

    /// A text field.
    fn s(mut self, name: &'static str, text: &'a str) -> Args<'a> {
        self.0.push((name, Arg::Str(text)));
        self
    }

    /// Any other value.
    fn v(mut self, name: &'static str, value: impl Into<Value>) -> Args<'a> {
        self.0.push((name, Arg::Val(value.into())));
        self
    }

    /// A text field spelled for the step.
    fn own(mut self, name: &'static str, text: String) -> Args<'a> {
        self.0.push((name, Arg::Own(text)));
        self
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == name).and_then(|(_, a)| match a {
            Arg::Str(s) => Some(*s),
            Arg::Own(s) => Some(s.as_str()),
            Arg::Val(_) => None,
        })
    }

    fn into_value(self) -> Value {
        Value::from_object(Fields(
            self.0
                .into_iter()
                .map(|(k, a)| {
                    (
                        k,
                        match a {
                            Arg::Str(s) => Value::from(s),
                            Arg::Own(s) => Value::from(s),
                            Arg::Val(v) => v,
                        },
                    )
                })
                .collect(),
        ))
    }
}

/// A column as the templates see it (`c`): its definition with the type
/// and default spelled for the dialect.
#[derive(Debug)]
struct ColCtx {
    def: Arc<ColumnDef>,
    type_sql: String,
    default_sql: Option<String>,
    /// An enum held by a CHECK of its values (`enum_style = "check"`).
    check_values: Option<Vec<String>>,
    /// A generated column's expression, as the user wrote it for the dialect.
    generated_sql: Option<String>,
    /// The column's collation for the dialect.
    collation: Option<String>,
}

impl ColCtx {
    /// The column spelled for a dialect.
    fn new(d: &Dialect, def: &Arc<ColumnDef>) -> Result<ColCtx, String> {
        let c = &def.column;
        let type_sql = column_type_sql(d, def)?;
        let default_sql = c.default.as_ref().map(|v| d.default_sql(v, &c.ty, &type_sql)).transpose()?;
        let check_values = match &c.ty {
            ColumnType::Enum(e) if e.native && d.data.enum_style == EnumStyle::Check => Some(e.values.clone()),
            _ => None,
        };
        let generated_sql = c.generated.as_ref().and_then(|g| g.expr.get(d.lookup())).map(|e| statement(e).to_string());
        let collation = c.collation.as_ref().and_then(|cl| cl.get(d.lookup())).map(str::to_string);
        Ok(ColCtx {
            def: def.clone(),
            type_sql,
            default_sql,
            check_values,
            generated_sql,
            collation,
        })
    }
}

/// A column's type as declared: a rowid key takes the dialect's integer type.
fn column_type_sql(d: &Dialect, def: &ColumnDef) -> Result<String, String> {
    match def.rowid_pk {
        Some(_) => d.rowid_type(),
        None => d.type_sql(&def.column.ty),
    }
}

impl Object for ColCtx {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let c = &self.def.column;
        Some(match key {
            "name" => Value::from(c.name.as_str()),
            "type_sql" => Value::from(self.type_sql.as_str()),
            "nullable" => Value::from(c.nullable),
            "default_sql" => Value::from(self.default_sql.as_deref()),
            "autoincrement" => Value::from(c.autoincrement),
            "inline_pk" => Value::from(self.def.rowid_pk.as_deref()),
            "check_values" => Value::from(self.check_values.clone()),
            "comment" => Value::from(c.comment.as_deref()),
            "generated_sql" => Value::from(self.generated_sql.as_deref()),
            "stored" => Value::from(c.generated.as_ref().is_some_and(|g| g.stored)),
            "collation" => Value::from(self.collation.as_deref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "name",
            "type_sql",
            "nullable",
            "default_sql",
            "autoincrement",
            "inline_pk",
            "check_values",
            "comment",
            "generated_sql",
            "stored",
            "collation",
        ])
    }
}

/// A table's columns as the templates see them (`t.columns`): a sequence of
/// [`ColCtx`], spelled only when a template reads one; the `columns` filter
/// writes the definitions from the memo without spelling them again.
#[derive(Debug)]
struct Columns {
    def: Arc<TableDef>,
    dialect: Arc<Dialect>,
}

impl Object for Columns {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let c = self.def.columns.get(key.as_usize()?)?;
        ColCtx::new(&self.dialect, c).ok().map(Value::from_object)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.def.columns.len())
    }
}

/// A column of a SQLite rebuild as the templates see it: where its values
/// come from, and how they are converted (`copy_expr.sql`).
#[derive(Debug)]
struct CopyCtx {
    source: Option<String>,
    cast: bool,
    guard: bool,
    type_sql: String,
    backfill: Option<String>,
    /// The user's `using` expression.
    using: Option<String>,
    /// Enum values rewritten, as [old, new] pairs.
    map: Vec<Vec<String>>,
}

impl Object for CopyCtx {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        Some(match key {
            "source" => Value::from(self.source.as_deref()),
            "cast" => Value::from(self.cast),
            "guard" => Value::from(self.guard),
            "type_sql" => Value::from(self.type_sql.as_str()),
            "backfill" => Value::from(self.backfill.as_deref()),
            "using" => Value::from(self.using.as_deref()),
            "map" => Value::from(self.map.clone()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["source", "cast", "guard", "type_sql", "backfill", "using", "map"])
    }
}

/// A table's definition as the templates see it (`t`).
#[derive(Debug)]
struct TableCtx {
    columns: Value,
    /// Each made by `con_ctx`.
    constraints: Vec<Value>,
    def: Arc<TableDef>,
}

impl TableCtx {
    fn new(d: &Arc<Dialect>, def: &Arc<TableDef>) -> TableCtx {
        TableCtx {
            columns: Value::from_object(Columns {
                def: def.clone(),
                dialect: d.clone(),
            }),
            constraints: def.constraints.iter().map(con_ctx).collect(),
            def: def.clone(),
        }
    }
}

impl Object for TableCtx {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        Some(match key {
            "name" => Value::from(self.def.name.as_str()),
            "columns" => self.columns.clone(),
            "constraints" => Value::from(self.constraints.clone()),
            "comment" => Value::from(self.def.comment.as_deref()),
            "options" => Value::from(self.def.options.as_deref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["name", "columns", "constraints", "comment", "options"])
    }
}

/// A constraint as the templates see it (`k`).
fn con_ctx(c: &Constraint) -> Value {
    let none: Option<&str> = None;
    let (columns, ref_table, ref_columns, on_delete, on_update, expr) = match c {
        Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => (columns.clone(), "", vec![], none, none, ""),
        Constraint::ForeignKey(fk) => (
            fk.columns.clone(),
            fk.ref_table.as_str(),
            fk.ref_columns.clone(),
            fk.on_delete.map(|a| a.sql()),
            fk.on_update.map(|a| a.sql()),
            "",
        ),
        Constraint::Check { expr, .. } => (vec![], "", vec![], none, none, expr.as_str()),
    };
    ctx! { kind => c.kind(), name => c.name(), columns, ref_table, ref_columns, on_delete, on_update, expr }
}

/// An index as the templates see it (`i`).
fn idx_ctx(table: &str, i: &Index, concurrently: bool) -> Value {
    let opts = i.options.as_deref();
    let plain = crate::replay::model::IndexElement::default();
    let elements: Vec<Value> = i
        .columns
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let e: &crate::replay::model::IndexElement = opts.and_then(|o| o.elements.get(k)).unwrap_or(&plain);
            ctx! {
                name => name.as_str(),
                expr => e.expr,
                desc => e.desc,
                nulls_first => e.nulls_first,
                opclass => e.opclass.as_deref(),
                length => e.length,
            }
        })
        .collect();
    ctx! {
        name => &i.name,
        // PostgreSQL names an index of another schema by its schema (DROP INDEX, ALTER INDEX).
        qualified => crate::base::naming::qualify(crate::base::naming::schema_of(table), &i.name),
        table,
        columns => i.columns.clone(),
        elements,
        unique => i.unique,
        where_ => i.where_.as_deref(),
        concurrently,
        method => opts.and_then(|o| o.method.as_deref()),
        include => opts.map(|o| o.include.clone()).unwrap_or_default(),
        kind => opts.and_then(|o| o.kind.as_deref()),
    }
}

/// Texts as a list of literals, `'a', 'b'` (what `literal` writes for
/// each), for an `IN (...)`; empty for none.
fn literals(d: &Dialect, texts: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.push_literal(t, &mut out);
    }
    out
}

/// What a version guard asks for, in words (revision ids are
/// `[A-Za-z0-9_]`): the error's text, or the comment beside the guard.
fn guard_message(holds: &[String], lacks: &[String], only: bool) -> String {
    let mut m = "schemac: the version table must".to_string();
    match (holds.is_empty(), only) {
        (true, true) => m.push_str(" hold no revision (base)"),
        (true, false) => {
            m.push_str(" not hold ");
            m.push_str(&lacks.join(", "));
        }
        (false, _) => {
            m.push_str(" hold ");
            m.push_str(&holds.join(", "));
            if only {
                m.push_str(" and nothing else");
            } else if !lacks.is_empty() {
                m.push_str(" and not ");
                m.push_str(&lacks.join(", "));
            }
        }
    }
    m
}

/// A dollar quote that `body` does not hold (for a PostgreSQL `DO` block
/// whose body names the version table): `$$`, or, when the name holds a `$`,
/// a tag that it does not hold.
fn dollar_quote(body: &str) -> String {
    if !body.contains('$') {
        return "$$".to_string();
    }
    let mut tag = "$schemac$".to_string();
    while body.contains(&tag) {
        tag.insert(tag.len() - 1, '_');
    }
    tag
}

/// User SQL as one statement: without surrounding space and final semicolons.
fn statement(sql: &str) -> &str {
    sql.trim().trim_end_matches(';')
}

/// The fixed statements of a script, which take no values.
#[derive(Clone, Copy, Debug)]
pub enum Fixed {
    Begin,
    Commit,
    /// SQLite: foreign keys off around a rebuild (outside its transaction).
    ForeignKeysOff,
    ForeignKeysOn,
}

/// What `column.sql` rendered for each column definition met so far: a
/// column's text depends on nothing but its context, and the same
/// definitions come back (a table body per SQLite rebuild, common columns).
type ColumnMemo = Mutex<HashMap<Arc<ColumnDef>, Value, FastHash>>;

/// The embedded file a template name resolves to for a dialect folder: a bare
/// name in the folder, then in `common`; `dir/name` in `dir`, then in `common`.
fn resolve(folder: &str, name: &str) -> Option<&'static str> {
    let (dir, file) = match name.split_once('/') {
        Some((d, f)) => (d, f),
        None => (folder, name),
    };
    EMBEDDED
        .iter()
        .find(|(d, n, _)| *d == dir && *n == file)
        .or_else(|| EMBEDDED.iter().find(|(d, n, _)| *d == "common" && *n == file))
        .map(|(_, _, t)| *t)
}

/// The items of a list argument (what a `Vec<String>` argument accepted).
fn iter_list(v: &Value) -> Result<impl Iterator<Item = Value>, Error> {
    v.as_object()
        .filter(|o| matches!(o.repr(), ObjectRepr::Seq | ObjectRepr::Iterable))
        .and_then(|o| o.try_iter())
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "not iterable"))
}

/// A filter's string argument, as a `String` argument converted it, but borrowed.
fn text<'a>(state: &State, v: &'a Value) -> Result<Cow<'a, str>, Error> {
    if v.is_undefined() && state.undefined_behavior() == UndefinedBehavior::Strict {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if v.is_kwargs() {
        return Err(Error::new(ErrorKind::InvalidOperation, "cannot convert kwargs to string"));
    }
    Ok(match v.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(v.to_string()),
    })
}

impl Renderer {
    pub fn new(dialect: &Dialect) -> Renderer {
        Renderer::build(dialect, true)
    }

    /// The renderer, with the native spellings the dialect's templates allow
    /// (`native`) or with none (the engine renders every template).
    fn build(dialect: &Dialect, native: bool) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // SQL is never HTML-escaped (`.sql` already maps to none; this says so).
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // A string is written as it is; anything else as minijinja would.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) => out.write_str(s).map_err(Error::from),
            None => minijinja::escape_formatter(out, state, value),
        });
        let folder = dialect.id.folder();
        // Every template of this dialect under its bare name, borrowed from the
        // binary and compiled once; any other name (`common/…`) goes to the loader.
        let mut names: Vec<&'static str> = EMBEDDED
            .iter()
            .filter(|(d, n, _)| (*d == "common" || *d == folder) && n.ends_with(".sql"))
            .map(|(_, n, _)| *n)
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut plain_templates = HashMap::default();
        for name in names {
            if let Some(source) = resolve(folder, name) {
                env.add_template(name, source).expect("embedded templates compile");
                if let Some(pieces) = plain(source) {
                    plain_templates.insert(name, pieces);
                }
            }
        }
        env.set_loader(move |name: &str| Ok(resolve(folder, name).map(str::to_string)));
        let natives = if native {
            native::Natives::detect(|name| resolve(folder, name))
        } else {
            native::Natives::default()
        };
        let d = Arc::new(dialect.clone());
        let d1 = d.clone();
        env.add_filter("ident", move |state: &State, v: &Value| -> Result<Value, Error> {
            let s = text(state, v)?;
            Ok(if d1.plain_ident(&s) {
                match s {
                    Cow::Borrowed(_) => v.clone(),
                    Cow::Owned(s) => Value::from(s),
                }
            } else {
                Value::from(d1.ident(&s))
            })
        });
        let d2 = d.clone();
        env.add_filter("idents", move |v: &Value| -> Result<Value, Error> {
            let mut out = String::new();
            if let Some(list) = v.downcast_object_ref::<Vec<String>>() {
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    d2.push_ident(s, &mut out);
                }
                return Ok(Value::from(out));
            }
            for (i, item) in iter_list(v)?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match item.as_str() {
                    Some(s) => d2.push_ident(s, &mut out),
                    None => d2.push_ident(&item.to_string(), &mut out),
                }
            }
            Ok(Value::from(out))
        });
        let d3 = d.clone();
        env.add_filter("literal", move |state: &State, v: &Value| -> Result<Value, Error> {
            let mut out = String::new();
            d3.push_literal(&text(state, v)?, &mut out);
            Ok(Value::from(out))
        });
        let d4 = d.clone();
        env.add_filter("comment", move |state: &State, v: &Value| -> Result<Value, Error> {
            Ok(Value::from(d4.comment(&text(state, v)?)))
        });
        // `{{ column(c) }}` (or the `columns` filter): the column definition that
        // `column.sql` spells for `c`, the only name it sees (besides the
        // globals); rendered once per distinct definition.
        let memo = Arc::new(ColumnMemo::default());
        let seen = memo.clone();
        let dc = d.clone();
        let column = move |state: &State, c: &Value| -> Result<Value, Error> {
            let Some(col) = c.downcast_object::<ColCtx>() else {
                return state.env().get_template("column.sql")?.render(ctx! { c => c.clone() }).map(Value::from);
            };
            if let Some(text) = seen.lock().expect("not poisoned").get(&*col.def) {
                return Ok(text.clone());
            }
            let text = match natives.column {
                Some(style) => {
                    let mut text = String::new();
                    native::push_column(&dc, style, &col, &mut text);
                    Value::from(text)
                }
                None => Value::from(state.env().get_template("column.sql")?.render(ctx! { c => c.clone() })?),
            };
            seen.lock().expect("not poisoned").insert(col.def.clone(), text.clone());
            Ok(text)
        };
        // `{{ cols|columns(sep) }}`: the definitions of a list of columns,
        // joined; what `cols|map("column")|join(sep)` writes, without a
        // filter call and a string conversion per column. A table's
        // columns (`t.columns`) are spelled only when the memo lacks them.
        let each = column.clone();
        let d0 = d.clone();
        let known = memo.clone();
        env.add_filter("columns", move |state: &State, cols: &Value, sep: &str| -> Result<Value, Error> {
            let mut out = String::new();
            let push = |out: &mut String, i: usize, text: &Value| {
                if i > 0 {
                    out.push_str(sep);
                }
                match text.as_str() {
                    Some(t) => out.push_str(t),
                    None => out.push_str(&text.to_string()),
                }
            };
            if let Some(table) = cols.downcast_object_ref::<Columns>() {
                for (i, def) in table.def.columns.iter().enumerate() {
                    let seen = known.lock().expect("not poisoned").get(&**def).cloned();
                    let text = match seen {
                        Some(text) => text,
                        None => {
                            let col = ColCtx::new(&d0, def).map_err(|e| Error::new(ErrorKind::InvalidOperation, e))?;
                            each(state, &Value::from_object(col))?
                        }
                    };
                    push(&mut out, i, &text);
                }
                return Ok(Value::from(out));
            }
            for (i, c) in iter_list(cols)?.enumerate() {
                push(&mut out, i, &each(state, &c)?);
            }
            Ok(Value::from(out))
        });
        // `{{ copied|copy_exprs }}`: the SELECT list of a SQLite rebuild. A
        // column copied as it is is its source's name; one that is converted
        // or backfilled is spelled by `copy_expr.sql`.
        let d5 = d.clone();
        env.add_filter("copy_exprs", move |state: &State, cols: &Value| -> Result<Value, Error> {
            let mut out = String::new();
            for (i, c) in iter_list(cols)?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match c.downcast_object_ref::<CopyCtx>() {
                    Some(CopyCtx {
                        source: Some(source),
                        cast: false,
                        backfill: None,
                        using: None,
                        map,
                        ..
                    }) if map.is_empty() => d5.push_ident(source, &mut out),
                    Some(c)
                        if natives.copy_expr && {
                            let map: Vec<(&str, &str)> = c.map.iter().map(|m| (m[0].as_str(), m[1].as_str())).collect();
                            let expr = native::CopyExpr {
                                source: c.source.as_deref(),
                                cast: c.cast,
                                type_sql: &c.type_sql,
                                backfill: c.backfill.as_deref(),
                                using: c.using.as_deref(),
                                map: &map,
                            };
                            native::push_copy_expr(&d5, &expr, &mut out)
                        } => {}
                    _ => out.push_str(&state.env().get_template("copy_expr.sql")?.render(ctx! { c })?),
                }
            }
            Ok(Value::from(out))
        });
        env.add_function("column", column.clone());
        env.add_filter("column", column);
        env.add_global("dialect", Value::from(dialect.key()));
        Renderer {
            env,
            plain: plain_templates,
            dialect: d,
            guards: Mutex::default(),
            native: natives,
            memo,
        }
    }

    /// A plain template spelled at the end of `out`, as the engine would
    /// spell it; `false` (and `out` untouched) when a field the template
    /// names is not text.
    fn render_plain(&self, pieces: &[Piece], args: &Args, out: &mut Vec<u8>) -> bool {
        let mut text = String::with_capacity(128);
        for piece in pieces {
            match *piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Field(name, filter) => {
                    let Some(value) = args.text(name) else {
                        return false;
                    };
                    match filter {
                        Filter::None => text.push_str(value),
                        Filter::Ident => self.dialect.push_ident(value, &mut text),
                        Filter::Literal => self.dialect.push_literal(value, &mut text),
                    }
                }
            }
        }
        out.extend_from_slice(text.as_bytes());
        true
    }

    fn col_ctx(&self, def: &Arc<ColumnDef>) -> Result<Value, String> {
        ColCtx::new(&self.dialect, def).map(Value::from_object)
    }

    /// Values spelled for the columns of their rows.
    fn rows<'t>(&self, types: impl Iterator<Item = Option<&'t ColumnType>> + Clone, rows: &[Vec<ModelValue>]) -> Result<Vec<Vec<String>>, String> {
        rows.iter()
            .map(|row| row.iter().zip(types.clone()).map(|(v, ty)| self.dialect.value_sql(v, ty)).collect())
            .collect()
    }

    /// The one mapping from a step kind to its template and what the template sees.
    fn context<'a>(&self, kind: &'a StepKind) -> Result<(&'static str, Args<'a>), String> {
        let d = &*self.dialect;
        let a = Args::new();
        Ok(match kind {
            StepKind::CreateTable(def) => ("create_table.sql", a.v("t", Value::from_object(TableCtx::new(&self.dialect, def)))),
            StepKind::DropTable { table } => ("drop_table.sql", a.s("table", table)),
            StepKind::RenameTable { from, to } => ("rename_table.sql", a.s("from", from).s("to", to).s("to_bare", crate::base::naming::bare(to))),
            StepKind::CommentTable { table, comment } => ("comment_table.sql", a.s("table", table).v("comment", comment.as_deref())),
            StepKind::RenameIndex { table, from, to } => (
                "rename_index.sql",
                a.s("table", table)
                    .s("from", from)
                    .s("to", to)
                    .v("qualified_from", crate::base::naming::qualify(crate::base::naming::schema_of(table), from)),
            ),
            StepKind::RenameConstraint { table, from, to } => ("rename_constraint.sql", a.s("table", table).s("from", from).s("to", to)),
            StepKind::CommentColumn { table, column, comment } => {
                ("comment_column.sql", a.s("table", table).s("column", column).v("comment", comment.as_deref()))
            }
            StepKind::AddColumn { table, column, inline } => (
                "add_column.sql",
                a.s("table", table)
                    .v("c", self.col_ctx(column)?)
                    .v("inline", inline.iter().map(con_ctx).collect::<Vec<_>>()),
            ),
            StepKind::DropColumn { table, column } => ("drop_column.sql", a.s("table", table).s("column", column)),
            StepKind::RenameColumn { table, from, to } => ("rename_column.sql", a.s("table", table).s("from", from).s("to", to)),
            StepKind::ChangeColumn { table, from, column } => ("change_column.sql", a.s("table", table).s("from", from).v("c", self.col_ctx(column)?)),
            StepKind::AlterColumn {
                table,
                column,
                type_changed,
                nullable_changed,
                default_changed,
                comment_changed,
                autoincrement_changed,
                using,
            } => (
                "alter_column.sql",
                a.s("table", table)
                    .v("c", self.col_ctx(column)?)
                    .v("type_changed", *type_changed)
                    .v("nullable_changed", *nullable_changed)
                    .v("default_changed", *default_changed)
                    .v("comment_changed", *comment_changed)
                    .v("autoincrement_changed", *autoincrement_changed)
                    .v("using", using.as_deref().map(statement)),
            ),
            StepKind::MapValues { table, column, map } => (
                "map_values.sql",
                a.s("table", table)
                    .s("column", column)
                    .v("map", map.iter().map(|(o, n)| vec![o.clone(), n.clone()]).collect::<Vec<_>>()),
            ),
            StepKind::EnumRenameValue { name, from, to } => ("enum_rename_value.sql", a.s("name", name).s("from", from).s("to", to)),
            StepKind::EnumSwap {
                name,
                temp,
                values,
                columns,
                map,
            } => {
                let mut cols = vec![];
                for (table, def) in columns {
                    cols.push(ctx! { table => table.as_str(), c => self.col_ctx(def)? });
                }
                (
                    "enum_swap.sql",
                    a.s("name", name)
                        .s("temp", temp)
                        .v("values", values.clone())
                        .v("columns", cols)
                        .v("map", map.iter().map(|(o, n)| vec![o.clone(), n.clone()]).collect::<Vec<_>>()),
                )
            }
            StepKind::Backfill { table, column, ty, value } => (
                "backfill.sql",
                a.s("table", table).s("column", column).own("value", d.value_sql(value, Some(ty))?),
            ),
            StepKind::CreateEnum { name, values } => ("create_enum.sql", a.s("name", name).v("values", values.clone())),
            StepKind::DropEnum { name } => ("drop_enum.sql", a.s("name", name)),
            StepKind::EnumAddValue { name, value, after, before } => (
                "enum_add_value.sql",
                a.s("name", name).s("value", value).v("after", after.as_deref()).v("before", before.as_deref()),
            ),
            StepKind::CreateIndex { table, index, concurrently } => ("create_index.sql", a.v("i", idx_ctx(table, index, *concurrently))),
            StepKind::DropIndex { table, index, concurrently } => ("drop_index.sql", a.v("i", idx_ctx(table, index, *concurrently))),
            StepKind::AddConstraint { table, constraint } => (
                "add_constraint.sql",
                a.s("table", table)
                    .v("k", con_ctx(constraint))
                    .v("dollar", self.constraint_dollar(table, constraint)),
            ),
            StepKind::DropConstraint {
                table,
                constraint,
                generic_drop,
            } => (
                "drop_constraint.sql",
                a.s("table", table).v("k", con_ctx(constraint)).v("generic_drop", *generic_drop),
            ),
            StepKind::CreateView { name, sql } => ("create_view.sql", a.s("name", name).s("sql", statement(sql))),
            StepKind::DropView { name } => ("drop_view.sql", a.s("name", name)),
            StepKind::CreateNamespace { name } => ("create_namespace.sql", a.s("name", name)),
            StepKind::DropNamespace { name } => ("drop_namespace.sql", a.s("name", name)),
            StepKind::CreateSequence { seq } => (
                "create_sequence.sql",
                a.s("name", &seq.name)
                    .v("start", seq.start)
                    .v("increment", seq.increment)
                    .v("min", seq.min)
                    .v("max", seq.max)
                    .v("cycle", seq.cycle)
                    .v("owned_by", seq.owned_by.as_ref().map(|(t, c)| vec![t.clone(), c.clone()])),
            ),
            StepKind::DropSequence { name } => ("drop_sequence.sql", a.s("name", name)),
            StepKind::AlterSequence {
                name,
                restart,
                increment,
                owned_by,
            } => (
                "alter_sequence.sql",
                a.s("name", name)
                    .v("restart", *restart)
                    .v("increment", *increment)
                    .v("owned_by", owned_by.as_ref().map(|(t, c)| vec![t.clone(), c.clone()])),
            ),
            StepKind::Execute { sql, compound } => ("execute.sql", a.s("sql", statement(sql)).v("compound", *compound)),
            StepKind::Insert {
                table,
                columns,
                rows,
                identity,
            } => (
                "insert.sql",
                a.s("table", table)
                    .v("columns", columns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
                    .v("values", self.rows(columns.iter().map(|(_, t)| Some(t)), rows)?)
                    .v("identity", identity.as_deref()),
            ),
            StepKind::DeleteRows { table, key, rows } => (
                "delete_rows.sql",
                a.s("table", table)
                    .v("key", key.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
                    .v("rows", self.rows(key.iter().map(|(_, t)| t.as_ref()), rows)?),
            ),
            StepKind::Upsert {
                table,
                columns,
                key,
                update,
                rows,
                identity,
            } => (
                "upsert.sql",
                a.s("table", table)
                    .v("columns", columns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
                    .v("key", key.clone())
                    .v("update", update.clone())
                    .v("values", self.rows(columns.iter().map(|(_, t)| Some(t)), rows)?)
                    .v("identity", identity.as_deref())
                    .v("row_alias", self.dialect.can(crate::dialect::Capability::InsertRowAlias)),
            ),
            StepKind::AddConstraintNotValid { table, constraint } => (
                "add_constraint_not_valid.sql",
                a.s("table", table)
                    .v("k", con_ctx(constraint))
                    .v("dollar", self.constraint_dollar(table, constraint)),
            ),
            StepKind::AddNotNullCheck { table, column, name } => (
                "add_not_null_check.sql",
                a.s("table", table)
                    .s("column", column)
                    .s("name", name)
                    .v("dollar", dollar_quote(&format!("{} {name} {column}", d.ident(table)))),
            ),
            StepKind::AddUniqueUsingIndex { table, name } => (
                "add_unique_using_index.sql",
                a.s("table", table)
                    .s("name", name)
                    .v("dollar", dollar_quote(&format!("{} {name}", d.ident(table)))),
            ),
            StepKind::ValidateConstraint { table, name } => ("validate_constraint.sql", a.s("table", table).s("name", name)),
            StepKind::DropNotNullCheck { table, name } => ("drop_not_null_check.sql", a.s("table", table).s("name", name)),
            StepKind::DropInvalidIndex { table, name } => (
                "drop_invalid_index.sql",
                a.s("table", table)
                    .s("name", name)
                    .v("dollar", dollar_quote(&format!("{} {name}", d.ident(table)))),
            ),
            StepKind::AlterTable { table, items, algorithm } => {
                let clauses = items.iter().map(|item| self.clause(table, item)).collect::<Result<Vec<_>, _>>()?;
                let algorithm = algorithm.map(|a| match a {
                    Algorithm::Instant => "instant",
                    Algorithm::Inplace => "inplace",
                });
                ("alter_table.sql", a.s("table", table).v("clauses", clauses).v("algorithm", algorithm))
            }
            StepKind::Rebuild(r) => {
                let t = TableCtx::new(&self.dialect, &r.def);
                let mut copied = Vec::with_capacity(r.copied.len());
                for c in &r.copied {
                    let type_sql = match r.def.columns.iter().find(|x| x.column.name == c.name) {
                        Some(x) if c.cast => column_type_sql(d, x)?,
                        _ => String::new(),
                    };
                    let backfill = c.backfill.as_ref().map(|b| d.value_sql(b, Some(&c.ty))).transpose()?;
                    let source = c.source.clone();
                    copied.push(Value::from_object(CopyCtx {
                        source,
                        cast: c.cast,
                        guard: c.guard,
                        type_sql,
                        backfill,
                        using: c.using.as_deref().map(|u| statement(u).to_string()),
                        map: c.map.iter().map(|(o, n)| vec![o.clone(), n.clone()]).collect(),
                    }));
                }
                let views: Vec<Value> = r.views.iter().map(|(name, sql)| ctx! { name, sql => statement(sql) }).collect();
                (
                    "rebuild.sql",
                    a.s("table", &r.table)
                        .s("temp", &r.def.name)
                        .v("t", Value::from_object(t))
                        .v("copied", copied)
                        .v("copied_names", r.copied.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
                        .v("indexes", r.indexes.iter().map(|i| idx_ctx(&r.table, i, false)).collect::<Vec<_>>())
                        .v("triggers", r.triggers.clone())
                        .v(
                            "naming_triggers",
                            r.naming_triggers.iter().map(|(name, sql)| ctx! { name, sql }).collect::<Vec<_>>(),
                        )
                        .v("fk_checked", r.fk_checked.clone())
                        .v("views_rev", views.iter().rev().cloned().collect::<Vec<_>>())
                        .v("views", views),
                )
            }
            StepKind::VersionCreate { table, pk, if_not_exists } => ("version_create.sql", a.s("table", table).s("pk", pk).v("if_not_exists", *if_not_exists)),
            StepKind::VersionInsert { table, rev } => ("version_insert.sql", a.s("table", table).s("rev", rev)),
            StepKind::VersionUpdate { table, rev, old } => ("version_update.sql", a.s("table", table).s("rev", rev).s("old", old)),
            StepKind::VersionDelete { table, rev } => ("version_delete.sql", a.s("table", table).s("rev", rev)),
            StepKind::VersionDrop { table } => ("version_drop.sql", a.s("table", table)),
            StepKind::VersionClear { table } => ("stamp_clear.sql", a.s("table", table)),
            StepKind::VersionGuard { table, holds, lacks, only } => (
                "version_guard.sql",
                a.s("table", table)
                    .v("holds", literals(d, holds))
                    .v("count", holds.len())
                    .v("lacks", literals(d, lacks))
                    .v("only", *only)
                    .v("message", guard_message(holds, lacks, *only))
                    .v("dollar", dollar_quote(&d.ident(table))),
            ),
        })
    }

    /// Spells a step at the end of `out`; an error here is a bug in schemac
    /// (the planner has checked that the dialect can express the step).
    /// A dollar quote for a `DO` block that adds a constraint (`rerun_add_constraint.sql`).
    fn constraint_dollar(&self, table: &str, c: &Constraint) -> String {
        let mut body = format!("{} {}", self.dialect.ident(table), c.name());
        match c {
            Constraint::Check { expr, .. } => body.push_str(expr),
            Constraint::ForeignKey(fk) => {
                body.push_str(&fk.ref_table);
                body.push_str(&fk.columns.concat());
                body.push_str(&fk.ref_columns.concat());
            }
            Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => body.push_str(&columns.concat()),
        }
        dollar_quote(&body)
    }

    /// One item of a combined `ALTER TABLE` as its clause: an index by
    /// `index_clause.sql` or `drop_index_clause.sql`, any other item by its
    /// own template, whose statement is `ALTER TABLE <table> <clause>;`.
    fn clause(&self, table: &str, item: &StepKind) -> Result<String, String> {
        let mut out = Vec::new();
        match item {
            StepKind::CreateIndex { table, index, .. } => self.render_into("index_clause.sql", &ctx! { i => idx_ctx(table, index, false) }, &mut out)?,
            StepKind::DropIndex { table, index, .. } => self.render_into("drop_index_clause.sql", &ctx! { i => idx_ctx(table, index, false) }, &mut out)?,
            _ => self.render_step(item, &mut out)?,
        }
        let text = String::from_utf8(out).map_err(|_| "a clause is not UTF-8".to_string())?;
        let text = text.trim_end();
        let prefix = format!("ALTER TABLE {} ", self.dialect.ident(table));
        let clause = match text.strip_prefix(&prefix) {
            Some(rest) => rest,
            None if matches!(item, StepKind::CreateIndex { .. } | StepKind::DropIndex { .. }) => text,
            None => return Err(format!("`{text}` is not one ALTER TABLE of `{table}`")),
        };
        let clause = clause.strip_suffix(';').unwrap_or(clause);
        if clause.contains(";\n") {
            return Err(format!("`{text}` is more than one statement"));
        }
        Ok(clause.to_string())
    }

    /// A step spelt so that running it again changes nothing
    /// (`rerun_<template>` where the dialect has one): the steps of a
    /// revision split across transactions, which a re-run after a failure
    /// in a later part must get through.
    pub fn render_step_rerunnable(&self, kind: &StepKind, out: &mut Vec<u8>) -> Result<(), String> {
        let (template, args) = self.context(kind)?;
        let rerun = format!("rerun_{template}");
        if self.env.get_template(&rerun).is_ok() {
            return self.render_into(&rerun, &args.into_value(), out);
        }
        self.render_args(template, args, out)
    }

    pub fn render_step(&self, kind: &StepKind, out: &mut Vec<u8>) -> Result<(), String> {
        if let StepKind::VersionGuard { table, holds, lacks, only } = kind {
            return self.render_guard(table, holds, lacks, *only, out);
        }
        if self.render_native(kind, out)? {
            return Ok(());
        }
        let (template, args) = self.context(kind)?;
        self.render_args(template, args, out)
    }

    /// A version guard (one a revision, and as long as a template of the
    /// engine can be): spelled by `version_guard.sql` once per shape with
    /// stand-in ids, and then by putting each revision's ids in their place.
    /// Revision ids are `[A-Za-z0-9_]{1,32}`, which the filters write as they
    /// are, so the text is what the engine writes; the first use of a shape
    /// checks that against the engine, and a shape whose check fails (a
    /// version table named with the stand-in) is left to the engine.
    fn render_guard(&self, table: &str, holds: &[String], lacks: &[String], only: bool, out: &mut Vec<u8>) -> Result<(), String> {
        let direct = |holds: Vec<String>, lacks: Vec<String>, out: &mut Vec<u8>| {
            let kind = StepKind::VersionGuard {
                table: table.to_string(),
                holds,
                lacks,
                only,
            };
            let (template, args) = self.context(&kind)?;
            self.render_args(template, args, out)
        };
        let ids = || holds.iter().chain(lacks).map(String::as_str);
        if !ids().all(|id| id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
            return direct(holds.to_vec(), lacks.to_vec(), out);
        }
        let shape = (table.to_string(), holds.len(), lacks.len(), only);
        let mut guards = self.guards.lock().expect("not poisoned");
        if !guards.contains_key(&shape) {
            let stand_in = |i: usize| format!("{GUARD_ID}{i:03}");
            let mut pattern = Vec::new();
            let n = holds.len();
            direct((0..n).map(stand_in).collect(), (n..n + lacks.len()).map(stand_in).collect(), &mut pattern)?;
            let pattern = String::from_utf8(pattern).map_err(|_| "version_guard.sql: not UTF-8".to_string())?;
            let mut engine = Vec::new();
            direct(holds.to_vec(), lacks.to_vec(), &mut engine)?;
            let cut = cut_guard(&pattern).filter(|cut| {
                let mut filled = Vec::new();
                ids().count() < 1000
                    && !self.dialect.ident(table).contains(GUARD_ID)
                    && fill_guard(cut, &ids().collect::<Vec<_>>(), &mut filled).is_some()
                    && filled == engine
            });
            guards.insert(shape.clone(), cut);
        }
        match &guards[&shape] {
            Some(cut) => fill_guard(cut, &ids().collect::<Vec<_>>(), out).ok_or_else(|| "version guard: a stand-in id out of range".to_string()),
            None => {
                drop(guards);
                direct(holds.to_vec(), lacks.to_vec(), out)
            }
        }
    }

    /// A script's header: the command, the dialect and how to apply it.
    pub fn header(&self, schemac_version: &str, command: &str, safety: &crate::language::config::Safety) -> Result<String, String> {
        let d = &*self.dialect;
        let ctx = ctx! {
            schemac_version,
            command,
            dialect => d.key(),
            version => d.version.to_string(),
            apply => d.apply_hint(),
            notes => Vec::<String>::new(),
            lock_timeout_ms => safety.lock_timeout_ms,
            statement_timeout_ms => safety.statement_timeout_ms,
        };
        self.render("header.sql", &ctx)
    }

    /// The query that reads the current revision(s) from the version table.
    pub fn current(&self, table: &str) -> Result<String, String> {
        self.render("current.sql", &ctx! { table })
    }

    /// A fixed statement of the script.
    pub fn fixed(&self, which: Fixed) -> Result<String, String> {
        let template = match which {
            Fixed::Begin => "begin.sql",
            Fixed::Commit => "commit.sql",
            Fixed::ForeignKeysOff => "fk_off.sql",
            Fixed::ForeignKeysOn => "fk_on.sql",
        };
        self.render(template, &ctx! {})
    }

    /// Renders a template; an error here is a bug in schemac, not in the input.
    fn render(&self, template: &str, ctx: &Value) -> Result<String, String> {
        let mut out = Vec::new();
        self.render_into(template, ctx, &mut out)?;
        String::from_utf8(out).map_err(|_| format!("template {template}: not UTF-8"))
    }

    fn render_args(&self, template: &'static str, args: Args, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        if self.plain.get(template).is_some_and(|pieces| self.render_plain(pieces, &args, out)) {
            trim_statement(out, start);
            return Ok(());
        }
        self.render_into(template, &args.into_value(), out)
    }

    /// Renders a template at the end of `out`. Only blank lines around the
    /// statements go (leading and trailing newlines and spaces); a non-empty
    /// text ends with one newline. On error `out` is left as it was.
    fn render_into(&self, template: &str, ctx: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        let t = self.env.get_template(template).map_err(|e| format!("template {template}: {e:#}"))?;
        #[allow(deprecated)] // the one call that writes into a borrowed buffer and keeps no state
        let rendered = t.render_to_write(ctx, &mut *out).map(drop);
        if let Err(e) = rendered {
            out.truncate(start);
            return Err(format!("template {template}: {e:#}"));
        }
        trim_statement(out, start);
        Ok(())
    }
}

/// A guard spelled with stand-in ids (`GUARD_ID` and three digits), cut
/// at each stand-in; `None` when a stand-in is not followed by three digits.
fn cut_guard(pattern: &str) -> Option<GuardText> {
    let mut cut = vec![];
    let mut rest = pattern;
    while let Some(at) = rest.find(GUARD_ID) {
        let digits = rest.get(at + GUARD_ID.len()..at + GUARD_ID.len() + 3)?;
        cut.push((rest[..at].to_string(), Some(digits.parse().ok()?)));
        rest = &rest[at + GUARD_ID.len() + 3..];
    }
    cut.push((rest.to_string(), None));
    Some(cut)
}

/// A guard's text with its ids put in place, at the end of `out`; `None`
/// (and `out` as it was) when a place names no id.
fn fill_guard(cut: &GuardText, ids: &[&str], out: &mut Vec<u8>) -> Option<()> {
    if cut.iter().any(|(_, id)| id.is_some_and(|i| i >= ids.len())) {
        return None;
    }
    for (text, id) in cut {
        out.extend_from_slice(text.as_bytes());
        if let Some(i) = id {
            out.extend_from_slice(ids[*i].as_bytes());
        }
    }
    Some(())
}

/// Leaves only the statements of what was rendered after `start`: leading
/// and trailing newlines and spaces go, and a non-empty text ends with one newline.
fn trim_statement(out: &mut Vec<u8>, start: usize) {
    let blank = |b: &u8| *b == b'\n' || *b == b' ';
    let body = &out[start..];
    let lead = body.iter().take_while(|b| blank(b)).count();
    if lead == body.len() {
        out.truncate(start);
        return;
    }
    let trail = body.iter().rev().take_while(|b| blank(b)).count();
    out.truncate(out.len() - trail);
    if lead > 0 {
        out.drain(start..start + lead);
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DialectId;

    #[test]
    fn plain_templates_are_told_apart() {
        let fields = |t| plain(t).map(|p| p.iter().filter(|p| matches!(p, Piece::Field(..))).count());
        assert_eq!(fields("DROP TABLE {{ table|ident }};\n"), Some(1));
        assert_eq!(fields("UPDATE {{table|ident}} SET v = {{ rev|literal }} WHERE x = {{ sql }};"), Some(3));
        assert_eq!(plain("BEGIN;\n"), Some(vec![Piece::Text("BEGIN;\n")]));
        for engine_only in [
            "{% if a %}x{% endif %}",
            "{# note #}x",
            "{{- a }}",
            "{{ a.b|ident }}",
            "{{ a|upper }}",
            "{{ a|ident|literal }}",
            "{{ column(c) }}",
            "{{ true }}",
            "{{ Name }}",
            "{{ 1a }}",
            "{{ a ",
        ] {
            assert_eq!(plain(engine_only), None, "{engine_only}");
        }
    }

    /// Every plain template of every dialect spells what the template
    /// engine spells, for names and values that need quoting and escaping.
    #[test]
    fn plain_rendering_matches_the_engine() {
        let tricky = [
            "users",
            "select",
            "Mixed Case",
            "a\"b`c'd",
            "it's",
            "back\\slash",
            "line\r\nbreak",
            "ünï",
            "0lead",
            "",
        ];
        let mut checked = 0;
        for id in DialectId::ALL.into_iter().chain([DialectId::Mariadb]) {
            let r = Renderer::new(&Dialect::load(id, None).unwrap());
            assert!(r.plain.contains_key("version_update.sql"));
            for (name, pieces) in &r.plain {
                let keys: Vec<&'static str> = pieces
                    .iter()
                    .filter_map(|p| match p {
                        Piece::Field(k, _) => Some(*k),
                        Piece::Text(_) => None,
                    })
                    .collect();
                for (i, _) in tricky.iter().enumerate() {
                    let args = || keys.iter().enumerate().fold(Args::new(), |a, (j, k)| a.s(k, tricky[(i + j) % tricky.len()]));
                    let mut fast = Vec::new();
                    assert!(r.render_plain(pieces, &args(), &mut fast), "{name}");
                    let engine = r.env.get_template(name).unwrap().render(args().into_value()).unwrap();
                    assert_eq!(String::from_utf8(fast).unwrap(), engine, "{id:?} {name}");
                    checked += 1;
                }
            }
            // A value that is not text goes to the engine.
            let args = || Args::new().s("table", "t").v("rev", 7).s("old", "a");
            assert!(!r.render_plain(&r.plain["version_update.sql"], &args(), &mut Vec::new()));
            let mut out = Vec::new();
            r.render_args("version_update.sql", args(), &mut out).unwrap();
            assert!(String::from_utf8(out).unwrap().contains("7"));
        }
        assert!(checked > 100, "{checked}");
    }

    /// A version guard spelled once per shape and filled in is what the
    /// engine spells, for every shape, dialect and kind of version table
    /// name (one named with the stand-in, and one with a `$`, included).
    #[test]
    fn guards_filled_in_match_the_engine() {
        let shapes = [(0, 1, true), (1, 1, false), (2, 1, false), (1, 0, false), (1, 2, false), (3, 3, false)];
        let tables = ["schemac_version", "Version Table", "v$$t", "t_SchemacGuardId000"];
        for id in DialectId::ALL.into_iter().chain([DialectId::Mariadb]) {
            let r = Renderer::new(&Dialect::load(id, None).unwrap());
            for table in tables {
                for (h, l, only) in shapes {
                    // Twice with other ids: the second is filled in from the first's shape.
                    for round in ["a", "B_2"] {
                        let ids = |from: usize, n: usize| (from..from + n).map(|i| format!("{round}{i}x")).collect::<Vec<_>>();
                        let kind = StepKind::VersionGuard {
                            table: table.to_string(),
                            holds: ids(0, h),
                            lacks: ids(h, l),
                            only,
                        };
                        let mut fast = Vec::new();
                        r.render_step(&kind, &mut fast).unwrap();
                        let (template, args) = r.context(&kind).unwrap();
                        let mut engine = Vec::new();
                        r.render_args(template, args, &mut engine).unwrap();
                        assert_eq!(
                            String::from_utf8(fast).unwrap(),
                            String::from_utf8(engine).unwrap(),
                            "{id:?} {table} {h} {l} {only}"
                        );
                    }
                }
            }
            let guards = r.guards.lock().unwrap();
            assert!(guards.iter().any(|(k, v)| k.0 == "schemac_version" && v.is_some()));
            assert!(guards.iter().all(|(k, v)| k.0 != "t_SchemacGuardId000" || v.is_none()));
        }
    }
}
