//! The spanned TOML document that the decoders read: every value and every
//! key with its byte range in the file. Two parsers produce it. `fast` reads
//! the plain TOML that revision files are made of, with no map and few
//! allocations; whatever it is not certain about (and every error) goes to
//! the `toml` crate, whose document is converted here. Both give the same
//! tree with the same spans for the same text (tested in `doc::fast`).

use std::borrow::Cow;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub mod fast;

/// A value with the bytes it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<'i> {
    pub val: Val<'i>,
    pub span: Range<usize>,
}

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'i> {
    String(Cow<'i, str>),
    /// An integer as written (no underscores removed), with its radix.
    Integer(Num<'i>),
    /// A float as written.
    Float(Num<'i>),
    Boolean(bool),
    /// A date, time or datetime, in its RFC 3339 spelling.
    Datetime(String),
    Array(Vec<Item<'i>>),
    Table(Table<'i>),
}

/// The spelling of a number, as the `toml` crate keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Num<'i> {
    pub text: Cow<'i, str>,
    pub radix: u32,
}

impl Num<'_> {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn radix(&self) -> u32 {
        self.radix
    }
}

/// A key with the bytes it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'i> {
    pub name: Cow<'i, str>,
    pub span: Range<usize>,
}

impl Key<'_> {
    pub fn get_ref(&self) -> &str {
        &self.name
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

/// A table: its entries in the order they were written. Tables are small
/// (a dozen keys at most in a revision), so lookups are linear.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table<'i> {
    pub entries: Vec<(Key<'i>, Item<'i>)>,
}

impl<'i> Table<'i> {
    pub fn get(&self, key: &str) -> Option<&Item<'i>> {
        self.entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key<'i>, &Item<'i>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'i> Item<'i> {
    pub fn get_ref(&self) -> &Val<'i> {
        &self.val
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl Val<'_> {
    pub fn type_str(&self) -> &'static str {
        match self {
            Val::String(..) => "string",
            Val::Integer(..) => "integer",
            Val::Float(..) => "float",
            Val::Boolean(..) => "boolean",
            Val::Datetime(..) => "datetime",
            Val::Array(..) => "array",
            Val::Table(..) => "table",
        }
    }
}

/// A syntax error: the `toml` crate's message and where it points.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
}

/// Parses a whole document: the fast parser when it is certain, else the
/// `toml` crate (which also reports every syntax error).
pub fn parse(text: &str) -> Result<Item<'_>, SyntaxError> {
    if let Some(doc) = fast::parse(text) {
        return Ok(doc);
    }
    parse_with_toml(text)
}

/// Parses a document with the `toml` crate alone.
pub fn parse_with_toml(text: &str) -> Result<Item<'_>, SyntaxError> {
    match DeTable::parse(text) {
        Ok(t) => {
            let span = t.span();
            Ok(Item {
                val: Val::Table(table(t.into_inner())),
                span,
            })
        }
        Err(e) => Err(SyntaxError {
            message: e.message().trim().to_string(),
            span: e.span().unwrap_or(0..0),
        }),
    }
}

fn table(t: DeTable<'_>) -> Table<'_> {
    Table {
        entries: t
            .into_iter()
            .map(|(k, v)| {
                let span = k.span();
                (Key { name: k.into_inner(), span }, item(v))
            })
            .collect(),
    }
}

fn item(v: Spanned<DeValue<'_>>) -> Item<'_> {
    let span = v.span();
    let val = match v.into_inner() {
        DeValue::String(s) => Val::String(s),
        DeValue::Integer(i) => Val::Integer(Num {
            radix: i.radix(),
            text: Cow::Owned(i.as_str().to_string()),
        }),
        DeValue::Float(f) => Val::Float(Num {
            radix: 10,
            text: Cow::Owned(f.as_str().to_string()),
        }),
        DeValue::Boolean(b) => Val::Boolean(b),
        DeValue::Datetime(d) => Val::Datetime(d.to_string()),
        DeValue::Array(a) => Val::Array(a.into_iter().map(item).collect()),
        DeValue::Table(t) => Val::Table(table(t)),
    };
    Item { val, span }
}
