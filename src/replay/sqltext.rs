//! SQL text the user wrote that names schema objects (SPEC 10.2): a view's
//! `sql`, a check's `expr`, an index's `where` and expression elements, a
//! tracked trigger. The text is parsed with sqlparser to know whether
//! schemac understands it; a rename rewrites it token by token (sqlparser's
//! tokenizer, with each token's place in the text), so that everything but
//! the renamed names stays as the user wrote it.

use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Word};

/// What a text is, to parse it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A boolean or scalar expression (check, index `where`, index element).
    Expr,
    /// A query or statements (a view's `sql`, a trigger).
    Statements,
}

fn dialect(key: &str) -> Box<dyn sqlparser::dialect::Dialect> {
    crate::dialect::Parser::sqlparser(crate::dialect::Parser::for_key(key))
}

/// Whether sqlparser parses `text` (as written for the dialect `key`).
pub fn parses(key: &str, text: &str, kind: Kind) -> bool {
    let d = dialect(key);
    match kind {
        Kind::Statements => Parser::parse_sql(d.as_ref(), text).is_ok(),
        Kind::Expr => Parser::new(d.as_ref())
            .try_with_sql(text)
            .and_then(|mut p| {
                let e = p.parse_expr()?;
                p.expect_token(&Token::EOF)?;
                Ok(e)
            })
            .is_ok(),
    }
}

/// A token that is not whitespace, with its byte range in the text.
struct Tok {
    start: usize,
    end: usize,
    token: Token,
}

fn tokens(key: &str, text: &str) -> Option<Vec<Tok>> {
    let d = dialect(key);
    let toks = Tokenizer::new(d.as_ref(), text).tokenize_with_location().ok()?;
    // Byte offset of each (line, column), both from 1, columns in chars.
    let mut lines: Vec<Vec<usize>> = vec![vec![]];
    for (b, c) in text.char_indices() {
        lines.last_mut().expect("one line at least").push(b);
        if c == '\n' {
            lines.push(vec![]);
        }
    }
    let at = |line: u64, col: u64| -> Option<usize> {
        let l = lines.get((line as usize).checked_sub(1)?)?;
        Some(
            l.get((col as usize).checked_sub(1)?)
                .copied()
                .unwrap_or_else(|| l.last().map(|b| b + 1).unwrap_or(text.len()).min(text.len())),
        )
    };
    let mut out = vec![];
    for t in toks {
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            continue;
        }
        let start = at(t.span.start.line, t.span.start.column)?;
        let end = if t.span.end.line as usize > lines.len() {
            text.len()
        } else {
            at(t.span.end.line, t.span.end.column).unwrap_or(text.len())
        };
        out.push(Tok { start, end, token: t.token });
    }
    Some(out)
}

fn word(t: Option<&Tok>) -> Option<&Word> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    }
}

fn is_kw(t: Option<&Tok>, kws: &[Keyword]) -> bool {
    word(t).is_some_and(|w| w.quote_style.is_none() && kws.contains(&w.keyword))
}

/// Whether a word names `name`: quoted, exactly; unquoted, without case,
/// unless every dialect reserves the word (an unquoted `SELECT` in a text
/// that parses is the keyword, never a column `Select`).
fn names(w: &Word, name: &str) -> bool {
    match w.quote_style {
        Some(_) => w.value == name,
        None => w.value.eq_ignore_ascii_case(name) && !reserved_everywhere(&w.value.to_ascii_lowercase()),
    }
}

/// Whether every dialect reserves `word` (lower case).
fn reserved_everywhere(word: &str) -> bool {
    let all = dialects();
    !all.is_empty() && all.iter().all(|d| d.is_reserved(word))
}

/// Every dialect's data, loaded once: what each reserves and how it quotes.
fn dialects() -> &'static [crate::dialect::Dialect] {
    static ALL: std::sync::OnceLock<Vec<crate::dialect::Dialect>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        crate::dialect::DialectId::CHECKED
            .iter()
            .filter_map(|id| crate::dialect::Dialect::load(*id, None).ok())
            .collect()
    })
}

/// Whether a name can be written without quotes in SQL for every engine:
/// no dialect quotes it (lower-case letters, digits and `_`, no reserved word).
pub fn simple(name: &str) -> bool {
    dialects().iter().all(|d| d.plain_ident(name))
}

/// Whether `new` would need quotes in place of a word of text written for
/// every dialect (`default`): no quote character means an identifier on
/// every engine (MySQL reads `"x"` as a string unless ANSI_QUOTES).
fn unspellable(key: &str, old: &Word, new: &str) -> bool {
    key == "default" && !simple(new) && old.quote_style.is_none_or(|q| q == '"')
}

/// How `new` is spelled in place of a word spelled like `old`: in the
/// word's own quotes, or as the dialect of the text spells it.
fn spell(key: &str, old: &Word, new: &str) -> String {
    let q = match old.quote_style {
        Some(q) => q,
        None => {
            let id = crate::dialect::DialectId::parse(key);
            return match dialects().iter().find(|d| Some(d.id) == id) {
                Some(d) => d.ident(new),
                None => new.to_string(),
            };
        }
    };
    let close = if q == '[' { ']' } else { q };
    let inner = new.replace(close, &format!("{close}{close}"));
    format!("{q}{inner}{close}")
}

/// Where a column of `table` is named, in text about `table` (or, for a
/// view, about the tables it reads). `unqualified`: a bare name may be the
/// column (false when another table the text reads has a column so named);
/// `other`: whether a qualifier that is no alias of the text names a table
/// other than `table`.
fn column_at(toks: &[Tok], table: &str, column: &str, unqualified: bool, other: &dyn Fn(&str) -> bool) -> Vec<usize> {
    let aliases = aliases(toks);
    let mut out = vec![];
    for (i, t) in toks.iter().enumerate() {
        let Token::Word(w) = &t.token else { continue };
        if !names(w, column) {
            continue;
        }
        let next = toks.get(i + 1).map(|t| &t.token);
        if matches!(next, Some(Token::LParen) | Some(Token::Period)) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        if is_kw(prev, &[Keyword::AS]) {
            continue;
        }
        if matches!(prev.map(|t| &t.token), Some(Token::Period)) {
            let Some(q) = i.checked_sub(2).and_then(|p| word(toks.get(p))) else {
                continue;
            };
            let ours = match aliases.iter().find(|(a, _)| names(q, a)) {
                Some((_, of)) => of.eq_ignore_ascii_case(table),
                None => names(q, table) || !other(&q.value),
            };
            if ours {
                out.push(i);
            }
            continue;
        }
        if unqualified {
            out.push(i);
        }
    }
    out
}

/// Where a statement reads or writes a table: the word after FROM, JOIN,
/// UPDATE, INTO, TABLE, a trigger's ON, and after a comma in a FROM list.
fn relations(toks: &[Tok]) -> Vec<usize> {
    let trigger = is_kw(toks.first(), &[Keyword::CREATE]);
    let mut out = vec![];
    let mut in_from = false;
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        match &t.token {
            Token::Word(w) if w.quote_style.is_none() && [Keyword::FROM, Keyword::JOIN].contains(&w.keyword) => in_from = true,
            Token::Word(w)
                if w.quote_style.is_none()
                    && [
                        Keyword::WHERE,
                        Keyword::GROUP,
                        Keyword::ORDER,
                        Keyword::HAVING,
                        Keyword::LIMIT,
                        Keyword::UNION,
                        Keyword::EXCEPT,
                        Keyword::INTERSECT,
                        Keyword::SELECT,
                        Keyword::ON,
                        Keyword::USING,
                        Keyword::SET,
                        Keyword::VALUES,
                        Keyword::WINDOW,
                    ]
                    .contains(&w.keyword)
                    && !(trigger && is_kw(prev, &[Keyword::ON])) =>
            {
                in_from = false
            }
            Token::SemiColon | Token::RParen => in_from = false,
            Token::Word(_) => {
                let next = toks.get(i + 1).map(|t| &t.token);
                if matches!(next, Some(Token::LParen)) || matches!(prev.map(|t| &t.token), Some(Token::Period)) || is_kw(prev, &[Keyword::AS]) {
                    continue;
                }
                let after_kw =
                    is_kw(prev, &[Keyword::FROM, Keyword::JOIN, Keyword::UPDATE, Keyword::INTO, Keyword::TABLE]) || (trigger && is_kw(prev, &[Keyword::ON]));
                let listed = in_from && matches!(prev.map(|t| &t.token), Some(Token::Comma));
                if after_kw || listed {
                    out.push(i);
                }
            }
            _ => {}
        }
    }
    out
}

/// The aliases a text gives its tables (`FROM users u`, `JOIN orders AS o`), as (alias, table).
fn aliases(toks: &[Tok]) -> Vec<(String, String)> {
    let mut out = vec![];
    for i in relations(toks) {
        let Some(table) = word(toks.get(i)) else { continue };
        if matches!(toks.get(i + 1).map(|t| &t.token), Some(Token::Period)) {
            continue;
        }
        let explicit = is_kw(toks.get(i + 1), &[Keyword::AS]);
        let at = if explicit { i + 2 } else { i + 1 };
        if let Some(a) = word(toks.get(at)) {
            if explicit || a.quote_style.is_some() || !sqlparser::keywords::RESERVED_FOR_TABLE_ALIAS.contains(&a.keyword) {
                out.push((a.value.clone(), table.value.clone()));
            }
        }
    }
    out
}

/// Where a table is named: as a qualifier, or where a statement reads or
/// writes a table (`relations`).
fn table_at(toks: &[Tok], table: &str) -> Vec<usize> {
    let rel = relations(toks);
    let mut out = vec![];
    for (i, t) in toks.iter().enumerate() {
        let Token::Word(w) = &t.token else { continue };
        if !names(w, table) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let qualifier = matches!(toks.get(i + 1).map(|t| &t.token), Some(Token::Period))
            && !matches!(prev.map(|t| &t.token), Some(Token::Period))
            && !is_kw(prev, &[Keyword::AS]);
        if qualifier || rel.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn splice(key: &str, text: &str, toks: &[Tok], at: &[usize], new: &str) -> String {
    let mut out = String::with_capacity(text.len() + at.len() * new.len());
    let mut from = 0;
    for &i in at {
        let t = &toks[i];
        let Token::Word(w) = &t.token else { continue };
        out.push_str(&text[from..t.start]);
        out.push_str(&spell(key, w, new));
        from = t.end;
    }
    out.push_str(&text[from..]);
    out
}

/// The outcome of looking at one text for a rename or a drop.
#[derive(Debug, PartialEq)]
pub enum Found {
    /// sqlparser cannot parse the text: schemac cannot tell what it names.
    Opaque,
    /// The text names it, but is written for every dialect and the new name
    /// needs quotes, which no spelling gives on every engine.
    Unspellable,
    /// The text, with the name replaced (unchanged when it does not name it).
    Text(String),
}

/// A column as text names it (see `column_at`).
pub struct ColumnRef<'a> {
    pub table: &'a str,
    pub column: &'a str,
    /// A bare name may be the column.
    pub unqualified: bool,
    /// Whether a qualifier that is no alias names another table.
    pub other: &'a dyn Fn(&str) -> bool,
}

/// Column `c` renamed to `new` in `text`.
pub fn rename_column(key: &str, kind: Kind, text: &str, c: &ColumnRef, new: &str) -> Found {
    if !parses(key, text, kind) {
        return Found::Opaque;
    }
    let Some(toks) = tokens(key, text) else { return Found::Opaque };
    let at = column_at(&toks, c.table, c.column, c.unqualified, c.other);
    if at.iter().any(|&i| word(toks.get(i)).is_some_and(|w| unspellable(key, w, new))) {
        return Found::Unspellable;
    }
    Found::Text(splice(key, text, &toks, &at, new))
}

/// Table `table` renamed to `new` in `text`.
pub fn rename_table(key: &str, kind: Kind, text: &str, table: &str, new: &str) -> Found {
    if !parses(key, text, kind) {
        return Found::Opaque;
    }
    let Some(toks) = tokens(key, text) else { return Found::Opaque };
    let at = table_at(&toks, table);
    if at.iter().any(|&i| word(toks.get(i)).is_some_and(|w| unspellable(key, w, new))) {
        return Found::Unspellable;
    }
    Found::Text(splice(key, text, &toks, &at, new))
}

/// Whether `text` names column `column` of `table`: `None` when it cannot be parsed.
pub fn uses_column(key: &str, kind: Kind, text: &str, c: &ColumnRef) -> Option<bool> {
    if !parses(key, text, kind) {
        return None;
    }
    let toks = tokens(key, text)?;
    Some(!column_at(&toks, c.table, c.column, c.unqualified, c.other).is_empty())
}

/// Whether `text` names table `table`: `None` when it cannot be parsed.
pub fn uses_table(key: &str, kind: Kind, text: &str, table: &str) -> Option<bool> {
    if !parses(key, text, kind) {
        return None;
    }
    let toks = tokens(key, text)?;
    Some(!table_at(&toks, table).is_empty())
}

/// Whether a table is named in a trigger's text, parsed or not (a keyword
/// scan of the words where sqlparser does not know the trigger syntax).
pub fn trigger_names_table(key: &str, text: &str, table: &str) -> bool {
    match tokens(key, text) {
        Some(toks) => !table_at(&toks, table).is_empty(),
        None => crate::base::sqlwords::identifiers(text).iter().any(|w| w.eq_ignore_ascii_case(table)),
    }
}

/// A trigger's text with table `table` renamed (tokens, parsed or not:
/// sqlparser does not know every dialect's trigger syntax).
pub fn rename_table_in_trigger(key: &str, text: &str, table: &str, new: &str) -> String {
    match tokens(key, text) {
        Some(toks) => {
            let at = table_at(&toks, table);
            splice(key, text, &toks, &at, new)
        }
        None => text.to_string(),
    }
}

/// A trigger's text with column `column` of its table renamed where it is
/// qualified (`NEW.col`, `OLD.col`, `table.col`).
pub fn rename_column_in_trigger(key: &str, text: &str, table: &str, column: &str, new: &str) -> String {
    match tokens(key, text) {
        Some(toks) => {
            let own = |q: &str| !(q.eq_ignore_ascii_case("new") || q.eq_ignore_ascii_case("old"));
            let at = column_at(&toks, table, column, false, &own);
            splice(key, text, &toks, &at, new)
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    fn col<'a>(table: &'a str, column: &'a str, unqualified: bool, other: &'a dyn Fn(&str) -> bool) -> ColumnRef<'a> {
        ColumnRef {
            table,
            column,
            unqualified,
            other,
        }
    }

    #[test]
    fn a_column_rename_rewrites_only_that_name() {
        let f = rename_column(
            "sqlite",
            Kind::Expr,
            "credit_limit >= 0 AND 'credit_limit' <> x",
            &col("t", "credit_limit", true, &none),
            "credit",
        );
        assert_eq!(f, Found::Text("credit >= 0 AND 'credit_limit' <> x".into()));
        let f = rename_column(
            "postgresql",
            Kind::Statements,
            "SELECT id, full_name AS name, c.full_name FROM customers c",
            &col("customers", "full_name", true, &none),
            "display_name",
        );
        assert_eq!(f, Found::Text("SELECT id, display_name AS name, c.display_name FROM customers c".into()));
        // An alias, a function and another table's column stay.
        let other = |q: &str| q == "orders";
        let f = rename_column(
            "default",
            Kind::Statements,
            "SELECT a AS x, x(1), orders.x FROM t, orders",
            &col("t", "x", false, &other),
            "y",
        );
        assert_eq!(f, Found::Text("SELECT a AS x, x(1), orders.x FROM t, orders".into()));
        // A name that needs quotes gets the dialect's; text for every dialect has none.
        let f = rename_column("mysql", Kind::Expr, "a > 0", &col("t", "a", true, &none), "b c");
        assert_eq!(f, Found::Text("`b c` > 0".into()));
        let f = rename_column("default", Kind::Expr, "a > 0", &col("t", "a", true, &none), "b c");
        assert_eq!(f, Found::Unspellable);
        let f = rename_column("default", Kind::Expr, "a > 0", &col("t", "a", true, &none), "order");
        assert_eq!(f, Found::Unspellable);
        let f = rename_column("sqlite", Kind::Expr, "a > 0", &col("t", "a", true, &none), "order");
        assert_eq!(f, Found::Text("\"order\" > 0".into()));
        let f = rename_column("default", Kind::Expr, "`a` > 0", &col("t", "a", true, &none), "b c");
        assert_eq!(f, Found::Text("`b c` > 0".into()));
        let f = rename_column("sqlite", Kind::Expr, "\"a\" > 0", &col("t", "a", true, &none), "é");
        assert_eq!(f, Found::Text("\"é\" > 0".into()));
    }

    /// A column named like a keyword every dialect reserves (`Select`) is
    /// never the unquoted keyword of a text (conformance known/view_text_keyword_column).
    #[test]
    fn a_keyword_is_not_a_column_of_its_name() {
        let text = "SELECT id, c5 AS a16 FROM t1";
        let c = col("t1", "Select", true, &none);
        assert_eq!(rename_column("sqlite", Kind::Statements, text, &c, "c18"), Found::Text(text.into()));
        assert_eq!(uses_column("postgresql", Kind::Statements, text, &c), Some(false));
        let quoted = "SELECT id, \"Select\" FROM t1";
        assert_eq!(
            rename_column("sqlite", Kind::Statements, quoted, &c, "c18"),
            Found::Text("SELECT id, \"c18\" FROM t1".into())
        );
        // A word only some dialects reserve may be a column elsewhere.
        let c = col("t", "key", true, &none);
        assert_eq!(rename_column("postgresql", Kind::Expr, "key > 0", &c, "k"), Found::Text("k > 0".into()));
    }

    #[test]
    fn a_table_rename_rewrites_where_a_table_is_read() {
        let f = rename_table(
            "sqlite",
            Kind::Statements,
            "SELECT customers.id, customers FROM customers JOIN x ON x.a = customers.id",
            "customers",
            "clients",
        );
        assert_eq!(f, Found::Text("SELECT clients.id, customers FROM clients JOIN x ON x.a = clients.id".into()));
        let f = rename_table("sqlite", Kind::Statements, "SELECT 1 FROM a, customers c", "customers", "k");
        assert_eq!(f, Found::Text("SELECT 1 FROM a, k c".into()));
        let t = "CREATE TRIGGER trg AFTER INSERT ON orders BEGIN UPDATE customers SET score = score + 1 WHERE id = NEW.customer_id; END";
        assert!(trigger_names_table("sqlite", t, "customers"));
        assert!(!trigger_names_table("sqlite", t, "score"));
        assert_eq!(
            rename_table_in_trigger("sqlite", t, "customers", "clients"),
            t.replace("UPDATE customers", "UPDATE clients")
        );
    }

    #[test]
    fn text_sqlparser_cannot_parse_is_opaque() {
        assert_eq!(rename_column("sqlite", Kind::Expr, "a >>>= (", &col("t", "a", true, &none), "b"), Found::Opaque);
        assert_eq!(uses_column("sqlite", Kind::Statements, "SELEC a", &col("t", "a", true, &none)), None);
        assert_eq!(
            uses_column("sqlite", Kind::Statements, "SELECT b, a FROM t", &col("t", "a", true, &none)),
            Some(true)
        );
    }
}
