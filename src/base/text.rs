//! Text from the user on its way out: escaped for a terminal or a TOML
//! comment, lists of ids capped, and passwords of connection strings
//! redacted. Invariant: revision text reaches a terminal or a comment only
//! through `escape` (or `escape_lines` for a whole rendered report), and a
//! connection string is shown only through `redact_url`.

use std::borrow::Cow;

/// Whether a character must not reach a terminal or a TOML comment as it
/// is: C0 and C1 controls and DEL (escape sequences, carriage returns, line
/// breaks that would start a new line of TOML), and the bidirectional
/// overrides and isolates, which reorder what a reader sees.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes what `is_unsafe` names as `\u{..}`, and a backslash that
/// already starts such an escape, so that the escaped text is unambiguous.
fn escape_where(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == crate::base::naming::QUALIFIER {
            // The only NUL a name can hold: a qualified model name's dot.
            out.push('.');
        } else if is_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of user text for a terminal or a TOML comment: every control
/// character, line breaks and tabs included, is written as `\u{..}`.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_where(s, |_| false)
}

/// A whole report for a terminal: as `escape`, but line breaks and tabs
/// stay (the report's own layout); a carriage return does not.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c == '\n' || c == '\t')
}

/// A list of up to `LIST_MAX` items is shown whole; a longer one shows its
/// first `LIST_SHOWN` and "and N more".
pub const LIST_MAX: usize = 8;
const LIST_SHOWN: usize = 5;

/// Items joined with ", ", capped as `LIST_MAX` says: a message about ten
/// thousand revisions stays one short line (and is written in linear time).
pub fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut shown: Vec<S> = Vec::with_capacity(LIST_MAX + 1);
    let mut n = 0;
    for item in items {
        if n <= LIST_MAX {
            shown.push(item);
        }
        n += 1;
    }
    let keep = if n <= LIST_MAX { n } else { LIST_SHOWN };
    let mut out = shown[..keep].iter().map(AsRef::as_ref).collect::<Vec<&str>>().join(", ");
    if n > keep {
        out.push_str(&format!(" and {} more", n - keep));
    }
    out
}

/// The byte range of the password in a URL-like text starting at `from`
/// (`scheme://user:PASSWORD@host`), if it has one.
fn password_at(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let rest = &text[from..];
    let authority = rest.find("://")? + 3;
    let end = rest[authority..]
        .find(|c: char| c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c.is_whitespace())
        .map_or(rest.len(), |i| authority + i);
    let userinfo = &rest[authority..end];
    let at = userinfo.rfind('@')?;
    let colon = userinfo[..at].find(':')?;
    Some(from + authority + colon + 1..from + authority + at)
}

/// A connection string as it may be shown: the password, if any, as `***`
/// (`postgresql://user:***@host/db`).
pub fn redact_url(url: &str) -> Cow<'_, str> {
    match password_at(url, 0) {
        Some(r) => Cow::Owned(format!("{}***{}", &url[..r.start], &url[r.end..])),
        None => Cow::Borrowed(url),
    }
}

/// A configuration file's text as it may be shown in a diagnostic: the
/// password of every connection string replaced by as many `*` as it has
/// bytes, so that every span into the file still points at the same place.
pub fn redact_passwords(text: &str) -> Cow<'_, str> {
    let mut ranges = vec![];
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let line_start = text[..from + i].rfind('\n').map_or(0, |n| n + 1).max(from);
        if let Some(r) = password_at(text, line_start) {
            from = r.end;
            ranges.push(r);
        } else {
            from += i + 3;
        }
    }
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        bytes[r].fill(b'*');
    }
    // Whole characters were replaced byte for byte by ASCII: still UTF-8.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(escape("plain text"), "plain text");
        assert_eq!(escape("a\u{1b}[31mred\nb\r"), "a\\u{1b}[31mred\\u{a}b\\u{d}");
        assert_eq!(escape("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert_eq!(escape_lines("one\n\ttwo\u{7}\r"), "one\n\ttwo\\u{7}\\u{d}");
    }

    #[test]
    fn lists_are_capped() {
        assert_eq!(list(["a", "b"]), "a, b");
        assert_eq!(list((0..8).map(|i| i.to_string())), "0, 1, 2, 3, 4, 5, 6, 7");
        assert_eq!(list((0..9).map(|i| i.to_string())), "0, 1, 2, 3, 4 and 4 more");
        assert_eq!(list((0..10_000).map(|i| i.to_string())), "0, 1, 2, 3, 4 and 9995 more");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgresql://user:s3cret@host/db"), "postgresql://user:***@host/db");
        assert_eq!(redact_url("mysql+pymysql://u:p:w@h:3306/db?x=1"), "mysql+pymysql://u:***@h:3306/db?x=1");
        assert_eq!(redact_url("postgresql://user@host/db"), "postgresql://user@host/db");
        assert_eq!(redact_url("sqlite:///app.db"), "sqlite:///app.db");
        let text = "[database]\nconnection = \"oracle://scott:tiger@db/x\"\n# see http://example.com\n";
        let shown = redact_passwords(text);
        assert_eq!(shown, "[database]\nconnection = \"oracle://scott:*****@db/x\"\n# see http://example.com\n");
        assert_eq!(shown.len(), text.len());
    }
}
