//! Stage 5, render: spells planned steps with the dialect's minijinja
//! templates. Quoting and escaping happen only through the `ident`,
//! `idents`, `literal` and `comment` filters, which call `Dialect`. A
//! template is looked up in the dialect's folder, then in `dialects/common`.
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
//! the two spellings equal for every such template of every dialect.

use crate::dialect::Dialect;
use crate::fxhash::FastHash;
use crate::plan::ColCtx;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A dialect's compiled templates.
pub struct Renderer {
    env: Environment<'static>,
    /// The templates that are plain text and fields (see [`plain`]), which
    /// are spelled here without the template engine.
    plain: HashMap<&'static str, Vec<Piece>, FastHash>,
    dialect: Arc<Dialect>,
}

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
pub struct Fields(pub Vec<(&'static str, Value)>);

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
        minijinja::Value::from_object($crate::render::Fields(vec![
            $((stringify!($key), $crate::render::ctx!(@value $key $(, $value)?))),*
        ]))
    };
    (@value $key:ident) => { minijinja::Value::from($key) };
    (@value $key:ident, $value:expr) => { minijinja::Value::from($value) };
}
pub(crate) use ctx;

/// What `column.sql` rendered for each column definition met so far: a
/// column's text depends on nothing but its context, and the same
/// definitions come back (a table body per SQLite rebuild, common columns).
type ColumnMemo = Mutex<HashMap<Arc<ColCtx>, Value, FastHash>>;

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
        let column = move |state: &State, c: &Value| -> Result<Value, Error> {
            let Some(col) = c.downcast_object::<ColCtx>() else {
                return state.env().get_template("column.sql")?.render(ctx! { c => c.clone() }).map(Value::from);
            };
            if let Some(text) = memo.lock().expect("not poisoned").get(&*col) {
                return Ok(text.clone());
            }
            let text = Value::from(state.env().get_template("column.sql")?.render(ctx! { c => c.clone() })?);
            memo.lock().expect("not poisoned").insert(col, text.clone());
            Ok(text)
        };
        // `{{ cols|columns(sep) }}`: the definitions of a list of columns,
        // joined; what `cols|map("column")|join(sep)` writes, without a
        // filter call and a string conversion per column.
        let each = column.clone();
        env.add_filter("columns", move |state: &State, cols: &Value, sep: &str| -> Result<Value, Error> {
            let mut out = String::new();
            for (i, c) in iter_list(cols)?.enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                let text = each(state, &c)?;
                match text.as_str() {
                    Some(t) => out.push_str(t),
                    None => out.push_str(&text.to_string()),
                }
            }
            Ok(Value::from(out))
        });
        env.add_function("column", column.clone());
        env.add_filter("column", column);
        env.add_global("dialect", Value::from(dialect.key()));
        env.add_global("mariadb", Value::from(dialect.id == crate::dialect::DialectId::Mariadb));
        Renderer {
            env,
            plain: plain_templates,
            dialect: d,
        }
    }

    /// A plain template spelled at the end of `out`, as the engine would
    /// spell it; `false` (and `out` untouched) when the context is not a
    /// [`Fields`] whose every field the template names is a string.
    fn render_plain(&self, pieces: &[Piece], ctx: &Value, out: &mut Vec<u8>) -> bool {
        let Some(fields) = ctx.downcast_object_ref::<Fields>() else {
            return false;
        };
        let mut text = String::with_capacity(128);
        for piece in pieces {
            match *piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Field(name, filter) => {
                    let Some(value) = fields.0.iter().find(|(k, _)| *k == name).and_then(|(_, v)| v.as_str()) else {
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

    /// Renders a template; an error here is a bug in schemac, not in the input.
    pub fn render(&self, template: &str, ctx: &Value) -> Result<String, String> {
        let mut out = Vec::new();
        self.render_into(template, ctx, &mut out)?;
        String::from_utf8(out).map_err(|_| format!("template {template}: not UTF-8"))
    }

    /// Renders a template at the end of `out`. Only blank lines around the
    /// statements go (leading and trailing newlines and spaces); a non-empty
    /// text ends with one newline. On error `out` is left as it was.
    pub fn render_into(&self, template: &str, ctx: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        if !self.plain.get(template).is_some_and(|pieces| self.render_plain(pieces, ctx, out)) {
            let t = self.env.get_template(template).map_err(|e| format!("template {template}: {e:#}"))?;
            #[allow(deprecated)] // the one call that writes into a borrowed buffer and keeps no state
            let rendered = t.render_to_write(ctx, &mut *out).map(drop);
            if let Err(e) = rendered {
                out.truncate(start);
                return Err(format!("template {template}: {e:#}"));
            }
        }
        let blank = |b: &u8| *b == b'\n' || *b == b' ';
        let body = &out[start..];
        let lead = body.iter().take_while(|b| blank(b)).count();
        if lead == body.len() {
            out.truncate(start);
            return Ok(());
        }
        let trail = body.iter().rev().take_while(|b| blank(b)).count();
        out.truncate(out.len() - trail);
        if lead > 0 {
            out.drain(start..start + lead);
        }
        out.push(b'\n');
        Ok(())
    }
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
                    let ctx = Value::from_object(Fields(
                        keys.iter()
                            .enumerate()
                            .map(|(j, k)| (*k, Value::from(tricky[(i + j) % tricky.len()])))
                            .collect(),
                    ));
                    let mut fast = Vec::new();
                    assert!(r.render_plain(pieces, &ctx, &mut fast), "{name}");
                    let engine = r.env.get_template(name).unwrap().render(&ctx).unwrap();
                    assert_eq!(String::from_utf8(fast).unwrap(), engine, "{id:?} {name}");
                    checked += 1;
                }
            }
            // A value that is not a string goes to the engine.
            let ctx = Value::from_object(Fields(vec![("table", Value::from("t")), ("rev", Value::from(7)), ("old", Value::from("a"))]));
            assert!(!r.render_plain(&r.plain["version_update.sql"], &ctx, &mut Vec::new()));
            let mut out = Vec::new();
            r.render_into("version_update.sql", &ctx, &mut out).unwrap();
            assert!(String::from_utf8(out).unwrap().contains("7"));
        }
        assert!(checked > 100, "{checked}");
    }
}
