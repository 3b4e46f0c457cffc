//! A single-pass parser for the plain TOML that revision files are made of.
//!
//! **Contract**: [`parse`] returns `Some(tree)` only when
//! [`super::parse_with_toml`] would return `Ok` with an equal tree (values,
//! key order and every span). Whenever the text uses something outside the
//! subset below, is malformed, or is in any way doubtful, it returns `None`
//! and the caller hands the text to the `toml` crate, which also renders
//! every syntax error. So this parser never reports errors, and it never
//! panics: it only slices at ASCII positions, through `get`, and bounds the
//! nesting depth.
//!
//! **Subset** (mirroring `toml` 1.2 / `toml_parser` 1.1, TOML 1.1):
//! - comments, blank lines, LF and CRLF line endings, a leading BOM;
//! - bare keys and quoted keys (basic or literal), at the root, in
//!   single-segment `[table]` headers and `[[array.of.tables]]` headers
//!   (one name, e.g. `[[upgrade]]`), and in inline tables;
//! - basic strings with every escape the crate accepts (`\b \t \n \f \r \e
//!   \" \\ \xHH \uXXXX \UXXXXXXXX`), literal strings, and multi-line basic
//!   and literal strings (first-newline trim, line-ending backslash);
//! - decimal, hex, octal and binary integers, floats (fraction and/or
//!   exponent, `inf`, `nan`, signed), booleans;
//! - dates, times and datetimes: the token is cut as the crate's lexer cuts
//!   it and read by `toml_datetime`, as the crate does;
//! - arrays and inline tables, nested up to [`MAX_DEPTH`], with newlines,
//!   comments and trailing commas (TOML 1.1, as the crate accepts them).
//!
//! **Not covered** (`None`): dotted keys (`a.b = 1`, `[a.b]`), any
//! duplicate key or table redefinition, and every syntax error, including
//! control characters that TOML forbids and a lone CR.
//!
//! Strings, keys and numbers borrow from the text whenever no unescaping
//! (or underscore removal) is needed.

use super::{Item, Key, Num, Table, Val};
use std::borrow::Cow;
use std::ops::Range;

/// Arrays and inline tables nested deeper than this go to the `toml` crate
/// (which stops at 80).
pub const MAX_DEPTH: u32 = 32;

/// Parses `text` if it is in the subset; `None` otherwise (see module docs).
pub fn parse(text: &str) -> Option<Item<'_>> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
    };
    // The lexer skips a BOM; spans still count its three bytes.
    if p.b.starts_with(b"\xEF\xBB\xBF") {
        p.pos = 3;
    }
    let root = p.document()?;
    Some(Item {
        val: Val::Table(root),
        span: 0..0,
    })
}

// Byte classes, from toml_parser's decoders.
const BARE: u8 = 1; // unquoted key: A-Z a-z 0-9 - _
const BASIC: u8 = 2; // basic-unescaped: tab, 0x20-0x7E but `"` and `\`, non-ASCII
const LITERAL: u8 = 4; // literal-char: tab, 0x20-0x7E but `'`, non-ASCII
const COMMENT: u8 = 8; // non-eol: tab, 0x20-0x7E, non-ASCII
const WS: u8 = 16; // space, tab
const WSNL: u8 = 32; // space, tab, LF

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut k = 0;
        if c == b' ' || c == b'\t' {
            k |= WS | WSNL;
        }
        if c == b'\n' {
            k |= WSNL;
        }
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            k |= BARE;
        }
        let printable = c == b'\t' || (c >= 0x20 && c <= 0x7E) || c >= 0x80;
        if printable {
            k |= COMMENT;
            if c != b'"' && c != b'\\' {
                k |= BASIC;
            }
            if c != b'\'' {
                k |= LITERAL;
            }
        }
        t[i] = k;
        i += 1;
    }
    t
};

#[inline]
fn is(c: u8, class: u8) -> bool {
    CLASS[c as usize] & class != 0
}

/// The first index from `i` whose byte is not in `class` (or the length).
#[inline]
fn scan(b: &[u8], i: usize, class: u8) -> usize {
    match b.get(i..) {
        Some(rest) => i + rest.iter().position(|&c| !is(c, class)).unwrap_or(rest.len()),
        None => i,
    }
}

struct Header<'i> {
    key: Key<'i>,
    span: Range<usize>,
    array: bool,
}

struct Parser<'i> {
    text: &'i str,
    b: &'i [u8],
    pos: usize,
}

impl<'i> Parser<'i> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// At a `q`: whether two more follow (a multi-line delimiter).
    #[inline]
    fn triple(&self, q: u8) -> bool {
        self.at(self.pos + 1) == Some(q) && self.at(self.pos + 2) == Some(q)
    }

    #[inline]
    fn starts_with(&self, pat: &[u8]) -> bool {
        self.b.get(self.pos..).is_some_and(|s| s.starts_with(pat))
    }

    #[inline]
    fn slice(&self, r: Range<usize>) -> Option<&'i str> {
        self.text.get(r)
    }

    #[inline]
    fn skip_ws(&mut self) {
        self.pos = scan(self.b, self.pos, WS);
    }

    /// At `#`: the comment up to (not including) the end of the line.
    fn comment(&mut self) -> Option<()> {
        let i = scan(self.b, self.pos + 1, COMMENT);
        self.pos = i;
        match self.at(i) {
            None | Some(b'\n' | b'\r') => Some(()),
            Some(_) => None,
        }
    }

    /// At `\n` or `\r`: one line ending (a lone CR is an error).
    #[inline]
    fn newline(&mut self) -> Option<()> {
        match self.peek() {
            Some(b'\n') => self.pos += 1,
            Some(b'\r') if self.at(self.pos + 1) == Some(b'\n') => self.pos += 2,
            _ => return None,
        }
        Some(())
    }

    /// Whitespace, comments and line endings, as allowed inside arrays and
    /// inline tables.
    fn skip_wcn(&mut self) -> Option<()> {
        loop {
            self.pos = scan(self.b, self.pos, WSNL);
            match self.peek() {
                Some(b'\r') => self.newline()?,
                Some(b'#') => self.comment()?,
                _ => return Some(()),
            }
        }
    }

    /// After a key-value pair or a header: whitespace, an optional comment,
    /// then a line ending or the end of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        match self.peek() {
            None => Some(()),
            Some(_) => self.newline(),
        }
    }

    fn document(&mut self) -> Option<Table<'i>> {
        let mut root = Table {
            entries: Vec::with_capacity(8),
        };
        // Indices of root entries made by `[[...]]` headers (which later
        // headers of the same name extend).
        let mut arrays: Vec<usize> = Vec::new();
        let mut header: Option<Header<'i>> = None;
        let mut table = Table::default();
        loop {
            self.skip_ws();
            match self.peek() {
                None => break,
                Some(b'\n' | b'\r') => self.newline()?,
                Some(b'#') => self.comment()?,
                Some(b'[') => {
                    if let Some(h) = header.take() {
                        finish(&mut root, &mut arrays, h, std::mem::take(&mut table))?;
                    }
                    header = Some(self.header()?);
                    table.entries.reserve(8);
                    self.end_of_line()?;
                }
                Some(_) => {
                    let key = self.key()?;
                    self.skip_ws();
                    if self.peek() != Some(b'=') {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let value = self.value(0)?;
                    let target = if header.is_some() { &mut table } else { &mut root };
                    insert(target, key, value)?;
                    self.end_of_line()?;
                }
            }
        }
        if let Some(h) = header {
            finish(&mut root, &mut arrays, h, table)?;
        }
        Some(root)
    }

    /// At `[`: a `[name]` or `[[name]]` header with a single-segment name.
    fn header(&mut self) -> Option<Header<'i>> {
        let start = self.pos;
        let array = self.at(start + 1) == Some(b'[');
        self.pos += if array { 2 } else { 1 };
        self.skip_ws();
        let key = self.key()?;
        self.skip_ws();
        if self.peek() != Some(b']') {
            return None;
        }
        self.pos += 1;
        if array {
            if self.peek() != Some(b']') {
                return None;
            }
            self.pos += 1;
        }
        Some(Header {
            key,
            span: start..self.pos,
            array,
        })
    }

    /// A simple key: bare, basic-quoted or literal-quoted. Whatever follows
    /// it is checked by the caller (a dot there means a dotted key: `None`).
    fn key(&mut self) -> Option<Key<'i>> {
        let start = self.pos;
        let name = match self.peek()? {
            b'"' if !self.triple(b'"') => self.basic()?,
            b'\'' if !self.triple(b'\'') => self.literal()?,
            c if is(c, BARE) => {
                let i = scan(self.b, start + 1, BARE);
                self.pos = i;
                Cow::Borrowed(self.slice(start..i)?)
            }
            _ => return None,
        };
        Some(Key { name, span: start..self.pos })
    }

    fn value(&mut self, depth: u32) -> Option<Item<'i>> {
        let start = self.pos;
        let val = match self.peek()? {
            b'"' if self.triple(b'"') => Val::String(self.ml_basic()?),
            b'"' => Val::String(self.basic()?),
            b'\'' if self.triple(b'\'') => Val::String(self.ml_literal()?),
            b'\'' => Val::String(self.literal()?),
            b'[' => Val::Array(self.array(depth + 1)?),
            b'{' => Val::Table(self.inline_table(depth + 1)?),
            b't' => self.word(b"true", Val::Boolean(true))?,
            b'f' => self.word(b"false", Val::Boolean(false))?,
            _ => self.number()?,
        };
        Some(Item { val, span: start..self.pos })
    }

    fn word(&mut self, w: &[u8], val: Val<'i>) -> Option<Val<'i>> {
        if !self.starts_with(w) {
            return None;
        }
        self.pos += w.len();
        Some(val)
    }

    /// At `[`.
    fn array(&mut self, depth: u32) -> Option<Vec<Item<'i>>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_wcn()?;
            if self.peek()? == b']' {
                break;
            }
            items.push(self.value(depth)?);
            self.skip_wcn()?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        Some(items)
    }

    /// At `{`. The crate lets newlines and comments stand between any two
    /// tokens of an inline table, and allows a trailing comma.
    fn inline_table(&mut self, depth: u32) -> Option<Table<'i>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let mut table = Table::default();
        loop {
            self.skip_wcn()?;
            if self.peek()? == b'}' {
                break;
            }
            let key = self.key()?;
            self.skip_wcn()?;
            if self.peek()? != b'=' {
                return None;
            }
            self.pos += 1;
            self.skip_wcn()?;
            let value = self.value(depth)?;
            insert(&mut table, key, value)?;
            self.skip_wcn()?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        Some(table)
    }

    /// At `"` (not `"""`): a one-line basic string.
    fn basic(&mut self) -> Option<Cow<'i, str>> {
        let b = self.b;
        let start = self.pos + 1;
        let mut i = scan(b, start, BASIC);
        if b.get(i) == Some(&b'"') {
            self.pos = i + 1;
            return Some(Cow::Borrowed(self.slice(start..i)?));
        }
        let mut seg = start;
        let mut owned: Option<String> = None;
        loop {
            i = scan(b, i, BASIC);
            match *b.get(i)? {
                b'"' => {
                    let tail = self.slice(seg..i)?;
                    self.pos = i + 1;
                    return Some(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(|| String::with_capacity(i - seg + 16));
                    s.push_str(self.slice(seg..i)?);
                    let (ch, next) = self.escape(i + 1)?;
                    s.push(ch);
                    i = next;
                    seg = i;
                }
                _ => return None,
            }
        }
    }

    /// The escape whose letter is at `i`: the character and where it ends.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let ch = match self.at(i)? {
            b'b' => '\u{8}',
            b'e' => '\u{1b}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'x' => return self.hex(i + 1, 2),
            b'u' => return self.hex(i + 1, 4),
            b'U' => return self.hex(i + 1, 8),
            _ => return None,
        };
        Some((ch, i + 1))
    }

    fn hex(&self, i: usize, digits: usize) -> Option<(char, usize)> {
        let mut v: u32 = 0;
        for j in i..i + digits {
            v = v * 16 + char::from(self.at(j)?).to_digit(16)?;
        }
        Some((char::from_u32(v)?, i + digits))
    }

    /// At `'` (not `'''`): a literal string.
    fn literal(&mut self) -> Option<Cow<'i, str>> {
        let start = self.pos + 1;
        let i = scan(self.b, start, LITERAL);
        if self.at(i)? != b'\'' {
            return None;
        }
        self.pos = i + 1;
        Some(Cow::Borrowed(self.slice(start..i)?))
    }

    /// After a multi-line opening delimiter at `self.pos`, whose closing one
    /// starts at `close`: the content's range, as toml_parser cuts it (the
    /// lexer takes up to two more quotes into the token, the decoder drops
    /// the last three and a newline right after the opening). Moves past
    /// the token.
    fn ml_content(&mut self, close: usize, quote: u8) -> Range<usize> {
        let mut end = close + 3;
        for _ in 0..2 {
            if self.at(end) == Some(quote) {
                end += 1;
            }
        }
        let mut start = self.pos + 3;
        if self.at(start) == Some(b'\n') {
            start += 1;
        } else if self.at(start) == Some(b'\r') && self.at(start + 1) == Some(b'\n') {
            start += 2;
        }
        self.pos = end;
        start..end - 3
    }

    /// At `"""`.
    fn ml_basic(&mut self) -> Option<Cow<'i, str>> {
        let b = self.b;
        // Where the lexer ends the token: the first `"""` not escaped.
        let mut i = self.pos + 3;
        let close = loop {
            match *b.get(i)? {
                b'\\' => {
                    i += 1;
                    if let Some(b'\\' | b'"') = self.at(i) {
                        i += 1;
                    }
                }
                b'"' if b.get(i..i + 3) == Some(b"\"\"\"".as_slice()) => break i,
                _ => i += 1,
            }
        };
        let Range { start, end } = self.ml_content(close, b'"');
        let mut i = start;
        let mut seg = start;
        let mut owned: Option<String> = None;
        while i < end {
            let c = *b.get(i)?;
            if is(c, BASIC) || c == b'"' || c == b'\n' {
                i += 1;
                continue;
            }
            match c {
                b'\r' => {
                    if i + 1 >= end || self.at(i + 1) != Some(b'\n') {
                        return None;
                    }
                    i += 2;
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(|| String::with_capacity(end - start));
                    s.push_str(self.slice(seg..i)?);
                    i += 1;
                    if let Some(b' ' | b'\t' | b'\r' | b'\n') = self.at(i) {
                        i = self.escaped_newline(i, end)?;
                    } else {
                        let (ch, next) = self.escape(i)?;
                        s.push(ch);
                        i = next;
                    }
                    seg = i;
                }
                _ => return None,
            }
        }
        if i != end {
            return None;
        }
        let tail = self.slice(seg..end)?;
        Some(match owned {
            None => Cow::Borrowed(tail),
            Some(mut s) => {
                s.push_str(tail);
                Cow::Owned(s)
            }
        })
    }

    /// After a line-ending backslash, at `i`: whitespace, one line ending,
    /// then every whitespace and line ending, all before `end`.
    fn escaped_newline(&self, mut i: usize, end: usize) -> Option<usize> {
        let crlf = |i: usize| i + 1 < end && self.at(i) == Some(b'\r') && self.at(i + 1) == Some(b'\n');
        while i < end && matches!(self.at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if i < end && self.at(i) == Some(b'\n') {
            i += 1;
        } else if crlf(i) {
            i += 2;
        } else {
            return None;
        }
        while i < end {
            match self.at(i) {
                Some(b' ' | b'\t' | b'\n') => i += 1,
                Some(b'\r') if crlf(i) => i += 2,
                Some(b'\r') => return None,
                _ => break,
            }
        }
        Some(i)
    }

    /// At `'''`.
    fn ml_literal(&mut self) -> Option<Cow<'i, str>> {
        let b = self.b;
        let from = self.pos + 3;
        let close = from + b.get(from..)?.windows(3).position(|w| w == b"'''")?;
        let Range { start, end } = self.ml_content(close, b'\'');
        let mut i = start;
        while i < end {
            match *b.get(i)? {
                b'\'' | b'\n' => {}
                b'\r' => {
                    if i + 1 >= end || self.at(i + 1) != Some(b'\n') {
                        return None;
                    }
                }
                c if is(c, LITERAL) => {}
                _ => return None,
            }
            i += 1;
        }
        Some(Cow::Borrowed(self.slice(start..end)?))
    }

    /// An integer, a float, `inf` or `nan`, in TOML's strict grammar. It
    /// stops at the first byte the grammar does not take; the callers accept
    /// only bytes that also end the crate's token there.
    fn number(&mut self) -> Option<Val<'i>> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        let signed = matches!(self.at(i), Some(b'+' | b'-'));
        if signed {
            i += 1;
        }
        match self.at(i)? {
            b'i' | b'n' => {
                let w = b.get(i..i + 3)?;
                if w != b"inf" && w != b"nan" {
                    return None;
                }
                self.pos = i + 3;
                return Some(Val::Float(Num {
                    text: Cow::Borrowed(self.slice(start..self.pos)?),
                    radix: 10,
                }));
            }
            b'0' if matches!(self.at(i + 1), Some(b'x' | b'o' | b'b')) => {
                if signed {
                    return None;
                }
                let radix = match self.at(i + 1)? {
                    b'x' => 16,
                    b'o' => 8,
                    _ => 2,
                };
                let (end, underscores) = digits(b, i + 2, radix)?;
                self.pos = end;
                return Some(Val::Integer(Num {
                    text: self.without_underscores(i + 2..end, underscores)?,
                    radix,
                }));
            }
            b'0'..=b'9' if !signed => {
                let mut j = i + 1;
                while self.at(j).is_some_and(|c| c.is_ascii_digit()) {
                    j += 1;
                }
                if let Some(b'-' | b':') = self.at(j) {
                    // What the crate does with such a token: hand it whole
                    // to toml_datetime.
                    let end = self.scalar_end(start);
                    let dt: toml::value::Datetime = self.slice(start..end)?.parse().ok()?;
                    self.pos = end;
                    return Some(Val::Datetime(dt.to_string()));
                }
            }
            _ => {}
        }
        let mut underscores = false;
        match self.at(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                let (end, u) = digits(b, i, 10)?;
                underscores |= u;
                i = end;
            }
            _ => return None,
        }
        let mut float = false;
        if self.at(i) == Some(b'.') {
            float = true;
            let (end, u) = digits(b, i + 1, 10)?;
            underscores |= u;
            i = end;
        }
        if let Some(b'e' | b'E') = self.at(i) {
            float = true;
            i += 1;
            if let Some(b'+' | b'-') = self.at(i) {
                i += 1;
            }
            let (end, u) = digits(b, i, 10)?;
            underscores |= u;
            i = end;
        }
        self.pos = i;
        let num = Num {
            text: self.without_underscores(start..i, underscores)?,
            radix: 10,
        };
        Some(if float { Val::Float(num) } else { Val::Integer(num) })
    }

    /// Where toml_parser's unquoted scalar token that starts at `i` ends:
    /// it joins atoms, dots, and whitespace followed by an atom (as in
    /// `1979-05-27 07:32:00.5`).
    fn scalar_end(&self, mut i: usize) -> usize {
        loop {
            while self.at(i).is_some_and(is_atom) {
                i += 1;
            }
            loop {
                match self.at(i) {
                    Some(b'.') => i += 1,
                    Some(b' ' | b'\t') => {
                        let mut j = i;
                        while let Some(b' ' | b'\t') = self.at(j) {
                            j += 1;
                        }
                        if !self.at(j).is_some_and(starts_atom) {
                            return i;
                        }
                        i = j;
                    }
                    Some(c) if starts_atom(c) => break,
                    _ => return i,
                }
            }
        }
    }

    fn without_underscores(&self, r: Range<usize>, underscores: bool) -> Option<Cow<'i, str>> {
        let s = self.slice(r)?;
        Some(if underscores { Cow::Owned(s.replace('_', "")) } else { Cow::Borrowed(s) })
    }
}

/// A byte that does not end toml_parser's atom token.
fn is_atom(c: u8) -> bool {
    !matches!(c, b'.' | b'=' | b',' | b'[' | b']' | b'{' | b'}' | b' ' | b'\t' | b'#' | b'\r' | b'\n')
}

/// A byte that starts an atom token (a quote there starts a string).
fn starts_atom(c: u8) -> bool {
    is_atom(c) && c != b'"' && c != b'\''
}

/// `digit *( [ "_" ] digit )` from `i` in `radix`: where it ends and whether
/// it had underscores. `None` if it does not start with a digit or an
/// underscore is not followed by one.
fn digits(b: &[u8], mut i: usize, radix: u32) -> Option<(usize, bool)> {
    let digit = |i: usize| b.get(i).is_some_and(|&c| char::from(c).is_digit(radix));
    if !digit(i) {
        return None;
    }
    i += 1;
    let mut underscores = false;
    loop {
        if digit(i) {
            i += 1;
        } else if b.get(i) == Some(&b'_') {
            if !digit(i + 1) {
                return None;
            }
            underscores = true;
            i += 2;
        } else {
            return Some((i, underscores));
        }
    }
}

fn insert<'i>(table: &mut Table<'i>, key: Key<'i>, value: Item<'i>) -> Option<()> {
    let name = key.name.as_bytes();
    if table.entries.iter().any(|(k, _)| k.name.len() == name.len() && k.name.as_bytes() == name) {
        return None;
    }
    table.entries.push((key, value));
    Some(())
}

/// Puts the table under a finished header into the root, as the crate does:
/// a `[name]` must be new; a `[[name]]` starts an array of tables (spanned
/// by its first header) or extends one that `[[name]]` started.
fn finish<'i>(root: &mut Table<'i>, arrays: &mut Vec<usize>, header: Header<'i>, table: Table<'i>) -> Option<()> {
    let Header { key, span, array } = header;
    let item = Item {
        val: Val::Table(table),
        span: span.clone(),
    };
    match root.entries.iter().position(|(k, _)| k.name == key.name) {
        None if array => {
            arrays.push(root.entries.len());
            root.entries.push((
                key,
                Item {
                    val: Val::Array({
                        let mut items = Vec::with_capacity(4);
                        items.push(item);
                        items
                    }),
                    span,
                },
            ));
        }
        None => root.entries.push((key, item)),
        Some(i) if array && arrays.contains(&i) => match &mut root.entries.get_mut(i)?.1.val {
            Val::Array(items) => items.push(item),
            _ => return None,
        },
        Some(_) => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::doc::parse_with_toml;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::{Path, PathBuf};

    /// Asserts the contract on `text` (and that neither parser panics);
    /// returns whether the fast parser took it.
    fn check(text: &str) -> bool {
        let fast = catch_unwind(AssertUnwindSafe(|| parse(text))).unwrap_or_else(|_| panic!("fast parser panicked on {text:?}"));
        let slow = catch_unwind(AssertUnwindSafe(|| parse_with_toml(text))).unwrap_or_else(|_| panic!("toml panicked on {text:?}"));
        if let Some(fast) = &fast {
            match &slow {
                Ok(slow) => assert_eq!(fast, slow, "trees differ for {text:?}"),
                Err(e) => panic!("fast parser accepted {text:?}, toml says {e:?}"),
            }
        }
        fast.is_some()
    }

    /// The fast parser takes `text`, with toml's tree.
    #[track_caller]
    fn same(text: &str) -> Item<'_> {
        assert!(check(text), "fast parser declined {text:?}");
        parse(text).unwrap()
    }

    /// The fast parser declines `text`.
    #[track_caller]
    fn none(text: &str) {
        assert!(!check(text), "fast parser took {text:?}");
    }

    fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                toml_files(&path, out);
            } else if path.extension().is_some_and(|x| x == "toml") {
                out.push(path);
            }
        }
    }

    /// Every `*.toml` under `revisions/` and `tests/fixtures/`, as text
    /// (files that are not UTF-8 cannot reach the parsers).
    fn corpus() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        toml_files(&root.join("revisions"), &mut paths);
        toml_files(&root.join("tests/fixtures"), &mut paths);
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| {
                let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
                Some((p.strip_prefix(root).unwrap().to_path_buf(), text))
            })
            .collect()
    }

    /// Documents that use the parts of the subset the fixtures do not.
    const SEEDS: &[&str] = &[
        "# seed\n\"quoted key\" = 'lit'\n'lit key' = \"a\\tb\\n\\\"c\\\" \\\\ \\u00e9 \\U0001F600 \\e \\x41\"\n\
         n = [0, -1, +2, 1_000, 0xdead_BEEF, 0o755, 0b1010, 1.5, -0.25e-3, 1E6, 3_1.4_1, inf, -nan]\n\
         t = { a = true, b = false, c = [], d = {}, e = [[1], [2, 3]], }\n\
         ml = \"\"\"\nline one\\\n    continued \\\"\"\" \"quoted\"\nend\"\"\"\"\"\n\
         mll = '''\nraw \\n 'q' ''\n'''\n\n[[upgrade]]\nop = \"x\" # c\n[[upgrade]]\nop = 'y'\n\
         [migrations]\nsql = '''''a'''''\n",
        "[[upgrade]]\r\nop = \"create_table\"\r\ncolumns = [\r\n  { name = \"id\", type = \"integer\" }, # c\r\n]\r\n\
         s = \"\"\"\r\na\\\r\n  b\r\n\"\"\"\r\n",
        "d = 1979-05-27\nt = 07:32:00\ns = 07:32\nldt = 1979-05-27T07:32:00.999\nodt = 1979-05-27 07:32:00Z\n\
         o2 = 1979-05-27T00:32:00-07:00\na = [1979-05-27 07:32:00, 2000-01-01 ,01:02:03.5]\n\
         i = { d = 2014-11-19T10:22:07, e = 1 }\n",
        "rows = [\n  { id = 1,\n    v = \"x\", # comment\n  },\n  {\n    id = 2\n  }\n]\nempty = \"\"\nk = ''\n",
    ];

    #[test]
    fn agrees_with_toml_on_every_fixture() {
        let files = corpus();
        assert!(files.len() > 300, "found only {} files", files.len());
        let mut declined = Vec::new();
        for (path, text) in &files {
            let taken = check(text);
            let must = path.starts_with("revisions") || path.starts_with("tests/fixtures/projects");
            if must && !taken {
                declined.push(path.display().to_string());
            }
        }
        assert!(declined.is_empty(), "fast parser declined {declined:?}");
        for seed in SEEDS {
            same(seed);
        }
    }

    /// xorshift64*, so that the mutants are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const PALETTE: &[&str] = &[
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "\\",
        "\n",
        "\r\n",
        "\r",
        "=",
        "#",
        ",",
        ".",
        "0",
        "1",
        "7",
        "9",
        "_",
        "e",
        "E",
        "+",
        "-",
        "x",
        "o",
        "b",
        "u",
        "U",
        " ",
        "\t",
        "\"\"\"",
        "'''",
        "[[",
        "]]",
        "é",
        "日",
        "\u{feff}",
        "\0",
        "\u{7f}",
        "\u{1}",
        "\u{1b}",
        "a",
        "true",
        "inf",
        "nan",
        "\\u00",
        "\\x4",
        "\\\n",
        "\\ \n",
        ":",
        "1979-05-27",
        "{ a = 1 }",
        "a.b",
        "+0x1F",
        "-0o7",
        "\n[[upgrade]]\n",
        "\n[upgrade]\n",
        "\nupgrade = []\n",
        "\n[[columns]]\n",
    ];

    /// A char boundary of `s`, chosen at random.
    fn boundary(rng: &mut Rng, s: &str) -> usize {
        let mut i = rng.below(s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    fn mutate(rng: &mut Rng, s: &mut String) {
        let at = boundary(rng, s);
        match rng.below(6) {
            0 | 1 => {
                let n = 1 + rng.below(3);
                let end = s[at..].char_indices().nth(n).map_or(s.len(), |(i, _)| at + i);
                s.replace_range(at..end, "");
            }
            2 | 3 => s.insert_str(at, PALETTE[rng.below(PALETTE.len())]),
            4 => {
                let end = s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                s.replace_range(at..end, PALETTE[rng.below(PALETTE.len())]);
            }
            _ => {
                // Repeat the line around `at` (duplicate keys and tables).
                let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = s[at..].find('\n').map_or(s.len(), |i| at + i + 1);
                let line = s[start..end].to_string();
                let to = boundary(rng, s);
                s.insert_str(to, &line);
            }
        }
    }

    #[test]
    fn agrees_with_toml_on_mutants() {
        // Small bases keep the debug-build run short; big files add little.
        let mut bases: Vec<String> = corpus().into_iter().map(|(_, t)| t).filter(|t| t.len() <= 2500).collect();
        bases.extend(SEEDS.iter().map(|s| s.to_string()));
        let mut rng = Rng(0x5eed_f00d_cafe_b0ba);
        let (mut taken, cases) = (0, 30_000);
        for _ in 0..cases {
            let mut text = bases[rng.below(bases.len())].clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut text);
            }
            taken += usize::from(check(&text));
        }
        // Mutants that stay valid TOML must still mostly be taken.
        assert!(taken > cases / 10, "only {taken} of {cases} mutants taken");
    }
    #[test]
    fn spans_follow_the_toml_crate() {
        let doc = same("[[up]]\nop = \"x\"\n[[down]]\n[[up]]\nk = -1_000\n[t]\nv = 'q'\n");
        let Val::Table(root) = &doc.val else { panic!() };
        assert_eq!(doc.span, 0..0);
        let (key, up) = &root.entries[0];
        // The array of tables is spanned by its first header, each table
        // by its own header, the key by the first header's name.
        assert_eq!((key.name.as_ref(), key.span.clone(), up.span.clone()), ("up", 2..4, 0..6));
        let Val::Array(items) = &up.val else { panic!() };
        assert_eq!(items[1].span, 25..31);
        assert_eq!(root.entries[1].0.name, "down");
        assert_eq!(root.get("t").unwrap().span, 43..46);
        same("\"q k\" = 'v'\n'lit' = \"x\\ty\"\n[ \"t\" ]\n");
        same("a = [ 1 , [2] , ]\nb = { x = 1, y = { z = \"s\" } }\n");
        same("\u{feff}a = 1\n");
        same("a = 1\r\nb = [\r\n 2, # c\r\n]\r\n# end");
        same("");
        same("\n\n  # only a comment\n\t\n");
    }

    #[test]
    fn escapes() {
        let doc = same("s = \"\\b\\t\\n\\f\\r\\\"\\\\\\e\\x41\\u00e9\\U0001F600\"\n");
        let Val::Table(root) = &doc.val else { panic!() };
        let s = &root.get("s").unwrap().val;
        assert_eq!(s, &Val::String("\u{8}\t\n\u{c}\r\"\\\u{1b}A\u{e9}\u{1F600}".into()));
        same("\"k\\u0041\" = 1\nb = \"\\xff\"\n");
        for bad in ["\\q", "\\u12", "\\uD800", "\\U00110000", "\\x4", "\\ ", "\\\n", "\\"] {
            none(&format!("s = \"a{bad}z\"\n"));
        }
        // Plain strings and keys borrow; escaped ones are owned.
        let doc = parse("k = \"plain\"\n\"e\" = \"x\\ny\"\n").unwrap();
        let Val::Table(root) = doc.val else { panic!() };
        assert!(matches!(&root.entries[0].0.name, Cow::Borrowed(_)));
        assert!(matches!(&root.entries[0].1.val, Val::String(Cow::Borrowed(_))));
        assert!(matches!(&root.entries[1].1.val, Val::String(Cow::Owned(_))));
    }

    #[test]
    fn multi_line_strings() {
        for text in [
            "s = \"\"\"\nab\"\"\"\n",
            "s = \"\"\"\r\nab\r\ncd\"\"\"\n",
            "s = \"\"\"ab\\\n   \n\t cd\"\"\"\n",
            "s = \"\"\"ab\\  \r\n  cd\"\"\"\n",
            "s = \"\"\"a\"b\"\"c\\\"\"\"\"\n",
            "s = \"\"\"a\"\"\"\"\"\n",
            "s = \"\"\"\"\"\"\n",
            "s = \"\"\"\n\"\"\"\n",
            "s = \"\"\"\\\\\"\"\"\n",
            "s = '''\nraw \\n \"\"\" ''\n'''\n",
            "s = '''a'''''\n",
            "s = '''\r\nab\r\n'''\n",
            "s = ''''''\n",
        ] {
            same(text);
        }
        for text in [
            "s = \"\"\"a\\ b\"\"\"\n",
            "s = \"\"\"a\\\"\"\"\n",
            "s = \"\"\"a\"\"\"\"\"\"\n",
            "s = \"\"\"a\rb\"\"\"\n",
            "s = '''a\rb'''\n",
            "s = '''a\u{7f}'''\n",
            "s = \"\"\"a\u{0}\"\"\"\n",
            "\"\"\"k\"\"\" = 1\n",
            "s = \"\"\"unterminated\n",
        ] {
            none(text);
        }
    }

    #[test]
    fn numbers() {
        let doc = same(
            "a = +1_000\nb = 0xDE_ad\nc = 0o17\nd = 0b1_0\ne = +1_0.5e-0_3\nf = -inf\n\
             g = nan\nh = 0\ni = -0.0\nj = 1E6\nk = 0e1\n",
        );
        let Val::Table(root) = &doc.val else { panic!() };
        let num = |k: &str| match &root.get(k).unwrap().val {
            Val::Integer(n) | Val::Float(n) => (n.text.to_string(), n.radix),
            v => panic!("{v:?}"),
        };
        assert_eq!(num("a"), ("+1000".into(), 10));
        assert_eq!(num("b"), ("DEad".into(), 16));
        assert_eq!(num("e"), ("+10.5e-03".into(), 10));
        assert_eq!(num("f"), ("-inf".into(), 10));
        for bad in [
            "01", "1_", "1__0", "_1", "0x_1", "+0x1", "-0o7", "0X1", "1.", ".5", "1.e3", "1e", "1_.5", "+", "infinity", "-nan0", "1 2", "0_1", "1e_3", "True",
        ] {
            none(&format!("a = {bad}\n"));
        }
    }

    #[test]
    fn datetimes() {
        same("a = 1979-05-27T07:32:00.999999-07:00\nb = 1979-05-27 07:32:00 # c\nc = 07:32\n");
        same("a = [1979-05-27 , 2000-01-01 00:00:00Z]\n");
        for bad in ["1979-13-27", "07:32:61", "-1979-05-27", "1979-05-27 x", "1979-05-27 \"s\""] {
            none(&format!("a = {bad}\n"));
        }
    }

    #[test]
    fn duplicates_and_table_kinds() {
        for text in [
            "a = 1\na = 2\n",
            "a = 1\n\"a\" = 2\n",
            "b = { x = 1, 'x' = 2 }\n",
            "[t]\nx = 1\nx = 2\n",
            "[t]\n[t]\n",
            "[[t]]\n[t]\n",
            "[t]\n[[t]]\n",
            "t = 1\n[t]\n",
            "t = []\n[[t]]\n",
            "t = [{}]\n[[t]]\n",
        ] {
            none(text);
        }
        same("[[t]]\nx = 1\n[[t]]\nx = 2\n[u]\nt = 3\n");
        same("t = 1\n[[u]]\nt = 2\n");
    }

    #[test]
    fn declines_what_it_does_not_cover() {
        for text in [
            "a.b = 1\n",
            "a . b = 1\n",
            "[a.b]\n",
            "[[a.b]]\n",
            "t = { a.b = 1 }\n",
            "a = 1 b = 2\n",
            "a = \"x\" \"y\"\n",
            "a = 1\rb = 2\n",
            "# \u{7f}\n",
            "# \0\n",
            "a = 'x\u{1}'\n",
            "a = \"x\ty\u{0}\"\n",
            "= 1\n",
            "a =\n",
            "a = [1,,]\n",
            "a = [,]\n",
            "a = { , }\n",
            "a = { b = 1 c = 2 }\n",
            "[t] x = 1\n",
            "[[t] ]\n",
            "[ [t]]\n",
            "a = 1\n\u{feff}b = 2\n",
        ] {
            none(text);
        }
        // TOML 1.1 inline tables: newlines, comments, trailing commas.
        same("t = {\n  a = 1, # c\n  b\n  =\n  2,\n}\n");
        same("t = { a = [\n1,\n], }\n");
        same("t = {}\nu = {\n}\n");
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let nested = |open: &str, close: &str, n: usize| format!("a = {}1{}\n", open.repeat(n), close.repeat(n));
        same(&nested("[", "]", MAX_DEPTH as usize));
        same(&nested("{ a = ", " }", MAX_DEPTH as usize));
        none(&nested("[", "]", MAX_DEPTH as usize + 1));
        none(&nested("{ a = ", " }", MAX_DEPTH as usize + 1));
        check(&nested("[", "]", 200));
        // Far beyond any stack: the fast parser stops at MAX_DEPTH.
        assert!(parse(&nested("[", "]", 1_000_000)).is_none());
        assert!(parse(&"a = [".repeat(100_000)).is_none());
    }

    /// Times both parsers over a generated project (`python3
    /// bench/gen_project.py 1000 /tmp/fastbench`; another directory with
    /// `SCHEMAC_FAST_BENCH=dir`), checking they agree. Run with
    /// `cargo test --release --lib doc::fast::tests::bench -- --ignored --nocapture`;
    /// `SCHEMAC_FAST_BENCH_ONLY=fast|toml` runs one parser once per file, for
    /// callgrind.
    #[test]
    #[ignore]
    fn bench() {
        let dir = std::env::var("SCHEMAC_FAST_BENCH").unwrap_or_else(|_| "/tmp/fastbench/revisions".to_string());
        let mut paths = Vec::new();
        toml_files(Path::new(&dir), &mut paths);
        let texts: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        assert!(!texts.is_empty(), "no *.toml under {dir}");
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        match std::env::var("SCHEMAC_FAST_BENCH_ONLY").as_deref() {
            Ok("fast") => return texts.iter().for_each(|t| assert!(parse(t).is_some())),
            Ok("toml") => return texts.iter().for_each(|t| assert!(parse_with_toml(t).is_ok())),
            _ => {}
        }
        for t in &texts {
            assert!(check(t), "fast parser declined a bench file");
        }
        let time = |f: &dyn Fn(&str) -> bool| {
            let rounds = 20;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                for t in &texts {
                    assert!(std::hint::black_box(f(std::hint::black_box(t))));
                }
            }
            start.elapsed().as_secs_f64() / (rounds * texts.len()) as f64
        };
        let fast = time(&|t| parse(t).is_some());
        let slow = time(&|t| parse_with_toml(t).is_ok());
        eprintln!(
            "{} files, {} bytes each on average: fast {:.2} us/file, toml {:.2} us/file ({:.1}x)",
            texts.len(),
            bytes / texts.len(),
            fast * 1e6,
            slow * 1e6,
            slow / fast
        );
    }
}
