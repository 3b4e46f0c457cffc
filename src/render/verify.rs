//! Stage 6, verify: parses emitted SQL back with sqlparser in the dialect.
//! sqlparser proves grammar only; the engine tests prove meaning. Lines that
//! sqlparser does not know (PRAGMA, DELIMITER, client settings, `DO`) are skipped
//! by statement kind, never by hiding errors.

use crate::dialect::Dialect;
use sqlparser::parser::Parser;

/// Splits a script into statements (mysql client commands, `DELIMITER`
/// and `charset`, aside), keeping `DELIMITER` blocks and
/// dollar-quoted bodies (`$$ ... $$`, `$tag$ ... $tag$`) whole.
pub fn statements(script: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut delimiter = ";".to_string();
    let mut in_quote: Option<char> = None;
    // The tag of the dollar quote we are in (`$$` or `$tag$`).
    let mut in_dollar: Option<String> = None;
    for line in script.lines() {
        let t = line.trim();
        if in_quote.is_none() && in_dollar.is_none() {
            if t.starts_with("--") && cur.trim().is_empty() {
                continue;
            }
            if let Some(d) = t.strip_prefix("DELIMITER ") {
                delimiter = d.trim().to_string();
                continue;
            }
            // A mysql client command on its own line (the MySQL header's
            // `charset utf8mb4`), which ends at the line's end.
            if cur.trim().is_empty() && t.get(..8).is_some_and(|w| w.eq_ignore_ascii_case("charset ")) {
                continue;
            }
        }
        cur.push_str(line);
        cur.push('\n');
        // Track quotes so that a ';' inside a literal does not end a statement.
        let mut i = 0;
        while i < line.len() {
            let rest = &line[i..];
            let c = rest.chars().next().unwrap_or(' ');
            if let Some(tag) = &in_dollar {
                if rest.starts_with(tag.as_str()) {
                    i += tag.len();
                    in_dollar = None;
                    continue;
                }
            } else {
                match in_quote {
                    Some(q) if c == q => in_quote = None,
                    Some(_) => {}
                    None if c == '\'' || c == '"' || c == '`' => in_quote = Some(c),
                    // Not after a name's character (MySQL names may hold `$`), nor
                    // under a `DELIMITER` (MySQL, whose own delimiter may be `$$`).
                    None if c == '$' && delimiter == ";" && !line[..i].ends_with(|p: char| p.is_alphanumeric() || p == '_' || p == '$') => {
                        if let Some(tag) = dollar_tag(rest) {
                            i += tag.len();
                            in_dollar = Some(tag.to_string());
                            continue;
                        }
                    }
                    None => {}
                }
            }
            i += c.len_utf8();
        }
        if in_quote.is_none() && in_dollar.is_none() && t.ends_with(delimiter.as_str()) {
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

/// The dollar quote `text` starts with, if any: `$$` or `$tag$`, where the
/// tag is a letter or `_` and then letters, digits and `_` (PostgreSQL's rule).
fn dollar_tag(text: &str) -> Option<&str> {
    let body = text.strip_prefix('$')?;
    let end = body.find('$')?;
    let tag = &body[..end];
    let ok = tag.is_empty() || (tag.starts_with(|c: char| c.is_alphabetic() || c == '_') && tag.chars().all(|c| c.is_alphanumeric() || c == '_'));
    ok.then(|| &text[..end + 2])
}

/// Statements sqlparser does not model and that schemac emits on purpose.
fn skipped(stmt: &str) -> bool {
    let u = stmt.trim_start().to_ascii_uppercase();
    // `DO`: a PostgreSQL block in PL/pgSQL (the version guard), which sqlparser does not parse.
    u.starts_with("PRAGMA ")
        || u.starts_with("SET CLIENT_ENCODING")
        || u.starts_with("COMMENT ON")
        || u.starts_with("DO ")
        || mysql_alter_unparsed(&u)
        || sequence_unparsed(&u)
        || identity_unparsed(&u)
        || collate_unparsed(&u)
}

/// PostgreSQL's `ALTER TABLE t ALTER COLUMN c DROP IDENTITY`
/// (https://www.postgresql.org/docs/current/sql-altertable.html), which
/// sqlparser 0.64 does not parse (it knows `ADD GENERATED`).
fn identity_unparsed(upper: &str) -> bool {
    upper.starts_with("ALTER TABLE ") && upper.trim_end().trim_end_matches(';').trim_end().ends_with(" DROP IDENTITY")
}

/// PostgreSQL's `ALTER TABLE t ALTER COLUMN c TYPE ... COLLATE "x" USING ...`
/// (https://www.postgresql.org/docs/15/sql-altertable.html), a new collation
/// (SPEC 9), where sqlparser 0.64 stops at `COLLATE`.
fn collate_unparsed(upper: &str) -> bool {
    upper.starts_with("ALTER TABLE ") && upper.contains(" ALTER COLUMN ") && upper.contains(" TYPE ") && upper.contains(" COLLATE ")
}

/// SPEC 9's sequences where sqlparser 0.64 does not follow: `ALTER SEQUENCE`
/// (https://www.postgresql.org/docs/current/sql-altersequence.html,
/// https://mariadb.com/kb/en/alter-sequence/) and MariaDB's default
/// `(NEXT VALUE FOR seq)` (https://mariadb.com/kb/en/create-sequence/).
fn sequence_unparsed(upper: &str) -> bool {
    upper.starts_with("ALTER SEQUENCE ") || upper.contains("DEFAULT (NEXT VALUE FOR ")
}

/// MySQL's `ALTER TABLE t RENAME INDEX a TO b` and `ALTER TABLE t COMMENT = '...'`
/// (https://dev.mysql.com/doc/refman/8.4/en/alter-table.html), which sqlparser 0.64 does not parse.
fn mysql_alter_unparsed(upper: &str) -> bool {
    let Some(rest) = upper.strip_prefix("ALTER TABLE ") else { return false };
    // The table's name: `quoted` (a doubled backtick inside) or bare.
    let after = if let Some(q) = rest.strip_prefix('`') {
        let mut i = 0;
        let b = q.as_bytes();
        loop {
            match b.get(i) {
                None => return false,
                Some(b'`') if b.get(i + 1) == Some(&b'`') => i += 2,
                Some(b'`') => break &q[i + 1..],
                Some(_) => i += 1,
            }
        }
    } else {
        rest.find(' ').map(|i| &rest[i..]).unwrap_or("")
    };
    let after = after.trim_start();
    after.starts_with("RENAME INDEX ") || after.starts_with("COMMENT = ")
}

/// A statement as sqlparser can read it: PostgreSQL's `DROP INDEX
/// CONCURRENTLY` (https://www.postgresql.org/docs/current/sql-dropindex.html),
/// which sqlparser 0.64 does not parse, is checked without the keyword (the
/// rest of the statement still is).
fn parseable(stmt: &str) -> std::borrow::Cow<'_, str> {
    let t = stmt.trim_start();
    const PREFIX: &str = "DROP INDEX CONCURRENTLY ";
    match t.get(..PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(PREFIX) => format!("DROP INDEX {}", &t[PREFIX.len()..]).into(),
        _ => stmt.into(),
    }
}

/// The error sqlparser finds in a statement, if any. A combined MySQL
/// `ALTER TABLE` (one clause a line, `plan::combine`) that sqlparser rejects
/// as a whole is checked clause by clause, each as an `ALTER TABLE` of its
/// own, so that a clause it does not model (`RENAME INDEX`) is skipped as it
/// would be alone.
fn rejects(pd: &dyn sqlparser::dialect::Dialect, stmt: &str) -> Option<String> {
    let err = Parser::parse_sql(pd, &parseable(stmt)).err()?.to_string();
    let mut lines = stmt.trim().lines();
    let head = lines.next().unwrap_or_default();
    if !head.to_ascii_uppercase().starts_with("ALTER TABLE ") {
        return Some(err);
    }
    let clauses: Vec<&str> = lines.map(|l| l.trim().trim_end_matches([',', ';'])).collect();
    if clauses.is_empty() {
        return Some(err);
    }
    for c in clauses {
        if c.to_ascii_uppercase().starts_with("ALGORITHM=") {
            continue;
        }
        let one = format!("{} {c}", head.trim_end());
        if !skipped(&one) {
            if let Err(e) = Parser::parse_sql(pd, &one) {
                return Some(e.to_string());
            }
        }
    }
    None
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
            .filter_map(|s| rejects(pd.as_ref(), &s).map(|e| (s, e)))
            .collect(),
    }
}

/// Parses every statement; returns the ones sqlparser rejects with its message.
pub fn verify(dialect: &Dialect, script: &str) -> Vec<(String, String)> {
    let pd = crate::dialect::Parser::sqlparser(Some(dialect.data.sqlparser));
    statements(script)
        .into_iter()
        .filter(|s| !skipped(s))
        .filter_map(|s| rejects(pd.as_ref(), &s).map(|e| (s, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn drop_index_concurrently_is_verified_without_the_keyword() {
        let d = crate::dialect::Dialect::load(crate::dialect::DialectId::Postgresql, None).unwrap();
        let v = super::verify(&d, "DROP INDEX CONCURRENTLY IF EXISTS ix_a;\ndrop index concurrently ix_b;\n");
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(super::parseable("DROP INDEX ix"), "DROP INDEX ix");
        // What follows the keyword is still checked.
        assert_eq!(super::verify(&d, "DROP INDEX CONCURRENTLY IF EXISTS ;\n").len(), 1);
    }

    #[test]
    fn drop_identity_is_skipped_and_add_generated_verified() {
        let d = crate::dialect::Dialect::load(crate::dialect::DialectId::Postgresql, None).unwrap();
        let v = super::verify(
            &d,
            "ALTER TABLE t ALTER COLUMN id DROP IDENTITY;\nALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;\n",
        );
        assert!(v.is_empty(), "{v:?}");
        // Any other ALTER TABLE is still checked.
        assert_eq!(super::verify(&d, "ALTER TABLE t ALTER COLUMN id DROP IDENTITYX;\n").len(), 1);
    }

    #[test]
    fn dollar_quotes_client_commands_and_delimiters() {
        // A DO block (`$$` or tagged) is one statement, whatever `;` it holds.
        let pg = "SET a = 1;\nDO $$\nBEGIN\n    IF x THEN RAISE EXCEPTION 'a;b';\n    END IF;\nEND\n$$;\nDO $schemac$\nBEGIN\n    NULL;\nEND\n$schemac$;\nSELECT 'it''s $$';\n";
        let s = statements(pg);
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[1].starts_with("DO $$") && s[1].ends_with("$$"), "{s:#?}");
        assert!(s[2].starts_with("DO $schemac$") && s[2].ends_with("$schemac$"), "{s:#?}");
        // The mysql client's `charset` and `DELIMITER` lines are not statements;
        // `$` inside a name or a `DELIMITER $$` body is no dollar quote.
        let my = "-- header\ncharset utf8mb4\nSET SESSION sql_mode = 'x';\nSELECT a$b$ FROM t;\nDELIMITER $$\nCREATE TRIGGER t BEGIN SET @a = 1; END$$\nDELIMITER ;\nSELECT 1;\n";
        let s = statements(my);
        assert_eq!(
            s,
            vec![
                "SET SESSION sql_mode = 'x'",
                "SELECT a$b$ FROM t",
                "CREATE TRIGGER t BEGIN SET @a = 1; END",
                "SELECT 1"
            ],
            "{s:#?}"
        );
    }
}
