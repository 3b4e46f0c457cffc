//! Stage 6, verify: parses emitted SQL back with sqlparser in the dialect.
//! sqlparser proves grammar only; the engine tests prove meaning. Lines that
//! sqlparser does not know (PRAGMA, DELIMITER, client settings) are skipped
//! by statement kind, never by hiding errors.

use crate::dialect::Dialect;
use sqlparser::parser::Parser;

/// Splits a script into statements, keeping `DELIMITER` blocks whole.
pub fn statements(script: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut delimiter = ";".to_string();
    let mut in_quote: Option<char> = None;
    let mut in_dollar = false;
    for line in script.lines() {
        let t = line.trim();
        if in_quote.is_none() && !in_dollar {
            if t.starts_with("--") && cur.trim().is_empty() {
                continue;
            }
            if let Some(d) = t.strip_prefix("DELIMITER ") {
                delimiter = d.trim().to_string();
                continue;
            }
        }
        cur.push_str(line);
        cur.push('\n');
        // Track quotes so that a ';' inside a literal does not end a statement.
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match in_quote {
                Some(q) if c == q => in_quote = None,
                Some(_) => {}
                None if c == '\'' || c == '"' || c == '`' => in_quote = Some(c),
                None if c == '$' && chars.peek() == Some(&'$') => {
                    chars.next();
                    in_dollar = !in_dollar;
                }
                None => {}
            }
        }
        if in_quote.is_none() && !in_dollar && t.ends_with(delimiter.as_str()) {
            let s = cur.trim().trim_end_matches(delimiter.as_str()).trim().to_string();
            if !s.is_empty() {
                out.push(s);
            }
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Statements sqlparser does not model and that schemac emits on purpose.
fn skipped(stmt: &str) -> bool {
    let u = stmt.trim_start().to_ascii_uppercase();
    u.starts_with("PRAGMA ") || u.starts_with("SET CLIENT_ENCODING") || u.starts_with("COMMENT ON")
}

/// What verifying one unit of a script found.
pub struct Verified {
    /// How many statements the unit holds.
    pub statements: usize,
    /// The statements sqlparser rejects, with its message.
    pub rejected: Vec<(String, String)>,
}

/// Parses the statements of one unit of a script (a step's SQL, a version
/// statement): how many there are and which sqlparser rejects.
pub fn verify_unit(dialect: &Dialect, text: &str) -> Verified {
    let pd = crate::dialect::Parser::sqlparser(Some(dialect.data.sqlparser));
    let all = statements(text);
    Verified {
        statements: all.len(),
        rejected: all
            .into_iter()
            .filter(|s| !skipped(s))
            .filter_map(|s| Parser::parse_sql(pd.as_ref(), &s).err().map(|e| (s, e.to_string())))
            .collect(),
    }
}

/// Parses every statement; returns the ones sqlparser rejects with its message.
pub fn verify(dialect: &Dialect, script: &str) -> Vec<(String, String)> {
    let pd = crate::dialect::Parser::sqlparser(Some(dialect.data.sqlparser));
    statements(script)
        .into_iter()
        .filter(|s| !skipped(s))
        .filter_map(|s| Parser::parse_sql(pd.as_ref(), &s).err().map(|e| (s, e.to_string())))
        .collect()
}
