//! Reads constraint names out of SQLite's `CREATE TABLE` text.
//!
//! SQLite's pragmas report a table's primary key, unique constraints and
//! foreign keys, but not the names given to them with `CONSTRAINT <name>`,
//! and check constraints not at all; those exist only in the statement text
//! kept in `sqlite_master`. This module tokenizes that text (quoted
//! identifiers, string literals and comments included) and lists the
//! constraints in the order written, so that `engines` can match them with
//! what the pragmas report.
//!
//! Invariant: no input makes it panic; text it does not understand yields
//! fewer constraints, never an error.

use std::collections::BTreeSet;

/// The first constraint of `kind` on exactly `columns` (and, for a foreign
/// key, referring to `referred_table`) that is not used yet, with its
/// position and name. SQLite compares identifiers without regard to ASCII
/// case, and so does this.
pub(super) fn find_constraint(
    constraints: &[Constraint],
    kind: Kind,
    columns: &[String],
    referred_table: Option<&str>,
    used: &BTreeSet<(String, usize)>,
    table_name: &str,
) -> Option<(usize, Option<String>)> {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    constraints
        .iter()
        .enumerate()
        .find(|(position, constraint)| {
            constraint.kind == kind
                && !used.contains(&(table_name.to_owned(), *position))
                && constraint.columns.len() == columns.len()
                && constraint.columns.iter().zip(columns).all(|(a, b)| same(a, b))
                && match (referred_table, &constraint.referred_table) {
                    (Some(wanted), Some(found)) => same(wanted, found),
                    (None, _) => true,
                    (Some(_), None) => false,
                }
        })
        .map(|(position, constraint)| (position, constraint.name.clone()))
}

/// The kinds of constraint whose names the SQLite reader needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

/// A constraint as written in a `CREATE TABLE` statement.
#[derive(Debug)]
pub(super) struct Constraint {
    pub(super) kind: Kind,
    pub(super) name: Option<String>,
    pub(super) columns: Vec<String>,
    pub(super) referred_table: Option<String>,
    /// A check's expression, whitespace collapsed.
    pub(super) expression: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKind {
    /// A bare word: a keyword, an identifier or a number.
    Word,
    /// A quoted identifier: `"x"`, `` `x` `` or `[x]`.
    Quoted,
    /// A string or blob literal.
    Literal,
    Punct(char),
}

#[derive(Debug)]
struct Token {
    kind: TokenKind,
    /// The identifier's value (unquoted), or the token's text.
    text: String,
    start: usize,
    end: usize,
}

impl Token {
    fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }
}

/// Splits SQL text into tokens, dropping whitespace and comments.
fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(bytes.len(), |offset| i + offset + 1);
        } else if sql[i..].starts_with("/*") {
            i = sql[i + 2..].find("*/").map_or(bytes.len(), |offset| i + 2 + offset + 2);
        } else if let Some(close) = match c {
            b'"' => Some(b'"'),
            b'`' => Some(b'`'),
            b'[' => Some(b']'),
            b'\'' => Some(b'\''),
            _ => None,
        } {
            // A doubled closing quote stands for itself, except in `[x]`.
            let mut value = Vec::new();
            i += 1;
            while i < bytes.len() {
                if bytes[i] == close {
                    if close != b']' && bytes.get(i + 1) == Some(&close) {
                        value.push(close);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                value.push(bytes[i]);
                i += 1;
            }
            let kind = if c == b'\'' { TokenKind::Literal } else { TokenKind::Quoted };
            tokens.push(Token {
                kind,
                text: String::from_utf8_lossy(&value).into_owned(),
                start,
                end: i,
            });
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || !c.is_ascii() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$' || !bytes[i].is_ascii()) {
                i += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Word,
                text: sql[start..i].to_owned(),
                start,
                end: i,
            });
        } else {
            i += 1;
            tokens.push(Token {
                kind: TokenKind::Punct(char::from(c)),
                text: char::from(c).to_string(),
                start,
                end: i,
            });
        }
    }
    tokens
}

/// The index just past the parenthesis that closes the one at `open`.
fn skip_group(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return index + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Splits tokens at the commas that are outside parentheses.
fn split_top_level(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth = depth.saturating_sub(1),
            TokenKind::Punct(',') if depth == 0 => {
                parts.push(&tokens[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts.retain(|part| !part.is_empty());
    parts
}

/// The tokens inside the parenthesised group at `open`, without the
/// parentheses (up to the end of the text if the group is not closed).
fn group_inner(tokens: &[Token], open: usize) -> &[Token] {
    let end = skip_group(tokens, open);
    let inner_end = match tokens.get(end.wrapping_sub(1)) {
        Some(last) if end > open + 1 && last.kind == TokenKind::Punct(')') => end - 1,
        _ => end,
    };
    tokens.get(open + 1..inner_end).unwrap_or(&[])
}

/// The first identifier of each item of the parenthesised list at `open`.
fn group_columns(tokens: &[Token], open: usize) -> Vec<String> {
    split_top_level(group_inner(tokens, open))
        .into_iter()
        .map(|item| item[0].text.clone())
        .collect()
}

/// The text inside the parenthesised group at `open`, whitespace collapsed.
fn group_text(sql: &str, tokens: &[Token], open: usize) -> String {
    match group_inner(tokens, open) {
        [] => String::new(),
        [first, .., last] | [first @ last] => sql[first.start..last.end].split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Whether a `CREATE TABLE` statement declares an `AUTOINCREMENT` key.
pub(super) fn has_autoincrement(sql: &str) -> bool {
    tokenize(sql).iter().any(|token| token.is_keyword("AUTOINCREMENT"))
}

/// The primary key, unique, check and foreign key constraints of a
/// `CREATE TABLE` statement, at table and at column level, in the order
/// written, with their `CONSTRAINT` names where given.
pub(super) fn sqlite_constraints(sql: &str) -> Vec<Constraint> {
    let tokens = tokenize(sql);
    let Some(open) = tokens.iter().position(|t| t.kind == TokenKind::Punct('(')) else {
        return Vec::new();
    };
    let body = group_inner(&tokens, open);
    let mut constraints = Vec::new();
    for definition in split_top_level(body) {
        let starts_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|keyword| definition[0].is_keyword(keyword));
        let (column, first) = if starts_constraint {
            (None, 0)
        } else {
            (Some(definition[0].text.clone()), 1)
        };
        read_constraints(sql, definition, first, column, &mut constraints);
    }
    constraints
}

/// Reads the constraints in `tokens[first..]`: a table constraint when
/// `column` is None, else the constraints of that column's definition.
fn read_constraints(sql: &str, tokens: &[Token], first: usize, column: Option<String>, constraints: &mut Vec<Constraint>) {
    let own_columns = || column.iter().cloned().collect::<Vec<_>>();
    let next_group = |from: usize| tokens[from..].iter().position(|t| t.kind == TokenKind::Punct('(')).map(|offset| from + offset);
    let mut name = None;
    let mut i = first;
    while i < tokens.len() {
        let token = &tokens[i];
        let mut constraint = |kind, columns, referred_table, expression| {
            constraints.push(Constraint {
                kind,
                name: name.take(),
                columns,
                referred_table,
                expression,
            });
        };
        if token.is_keyword("CONSTRAINT") {
            name = tokens.get(i + 1).map(|t| t.text.clone());
            i += 2;
        } else if token.is_keyword("PRIMARY") || token.is_keyword("UNIQUE") {
            let kind = if token.is_keyword("PRIMARY") { Kind::PrimaryKey } else { Kind::Unique };
            if column.is_some() {
                constraint(kind, own_columns(), None, String::new());
                i += 1;
            } else {
                let open = next_group(i).unwrap_or(tokens.len());
                constraint(kind, group_columns(tokens, open), None, String::new());
                i = skip_group(tokens, open);
            }
        } else if token.is_keyword("CHECK") {
            let open = next_group(i).unwrap_or(tokens.len());
            constraint(Kind::Check, own_columns(), None, group_text(sql, tokens, open));
            i = skip_group(tokens, open);
        } else if token.is_keyword("FOREIGN") || token.is_keyword("REFERENCES") {
            let (columns, references) = if token.is_keyword("FOREIGN") {
                let open = next_group(i).unwrap_or(tokens.len());
                let after = skip_group(tokens, open);
                let references = tokens[after.min(tokens.len())..]
                    .iter()
                    .position(|t| t.is_keyword("REFERENCES"))
                    .map_or(tokens.len(), |offset| after + offset);
                (group_columns(tokens, open), references)
            } else {
                (own_columns(), i)
            };
            let referred_table = tokens.get(references + 1).map(|t| t.text.clone());
            constraint(Kind::ForeignKey, columns, referred_table, String::new());
            // The rest (referred columns, actions, deferral) names nothing
            // that the catalog needs; skip to the next constraint keyword.
            i = references + 2;
        } else if token.kind == TokenKind::Punct('(') {
            i = skip_group(tokens, i);
        } else {
            // `NOT NULL`, `DEFAULT`, `COLLATE` and `GENERATED` may also
            // carry a `CONSTRAINT` name, which is then theirs.
            if ["NOT", "NULL", "DEFAULT", "COLLATE", "GENERATED", "AS"]
                .iter()
                .any(|keyword| token.is_keyword(keyword))
            {
                name = None;
            }
            i += 1;
        }
    }
}
