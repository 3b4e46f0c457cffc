//! The naming convention: names for indexes and constraints that a revision
//! leaves unnamed, and the deterministic shortening of over-long ones.

use sha2::{Digest, Sha256};

/// The separator of a qualified name in the model: a table, view, index,
/// sequence or version table in a schema (SPEC 9) is keyed `schema\0name`.
/// No name can hold a NUL (the decoder refuses one), so the key is
/// unambiguous; `Dialect::ident` spells it `schema.name`, and diagnostics
/// (`base::text::escape`) show it so.
pub const QUALIFIER: char = '\0';

/// `name` in `schema` (the default schema: `name` itself).
pub fn qualify(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{s}{QUALIFIER}{name}"),
        None => name.to_string(),
    }
}

/// A model name's schema (none: the default schema) and bare name.
pub fn split_qualified(name: &str) -> (Option<&str>, &str) {
    match name.split_once(QUALIFIER) {
        Some((s, n)) => (Some(s), n),
        None => (None, name),
    }
}

/// A model name without its schema.
pub fn bare(name: &str) -> &str {
    split_qualified(name).1
}

/// A model name's schema.
pub fn schema_of(name: &str) -> Option<&str> {
    split_qualified(name).0
}

/// A model name as a person writes it: `schema.name`.
pub fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains(QUALIFIER) {
        std::borrow::Cow::Owned(name.replace(QUALIFIER, "."))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Names are limited to PostgreSQL's 63 bytes on every dialect.
pub const MAX_NAME: usize = 63;

#[derive(Clone, Debug, PartialEq)]
pub struct Naming {
    pub index: String,
    pub unique: String,
    pub foreign_key: String,
    pub check: String,
    pub primary_key: String,
}

impl Default for Naming {
    fn default() -> Naming {
        Naming {
            index: "ix_{table}_{columns}".into(),
            unique: "uq_{table}_{columns}".into(),
            foreign_key: "fk_{table}_{columns}_{referred_table}".into(),
            check: "ck_{table}_{columns}".into(),
            primary_key: "pk_{table}".into(),
        }
    }
}

impl Naming {
    /// Fills a pattern and shortens the result to `MAX_NAME` bytes.
    /// The pattern is read once, left to right: a name that itself contains
    /// `{columns}` is not filled in again.
    pub fn make(pattern: &str, table: &str, columns: &[&str], referred_table: &str) -> String {
        // A table in a schema (SPEC 9) lends its bare name to the convention.
        let (table, referred_table) = (bare(table), bare(referred_table));
        let mut full = String::with_capacity(pattern.len() + table.len() + referred_table.len() + 16 * columns.len());
        fill(pattern, &mut full, |name, out| {
            match name {
                "table" => out.push_str(table),
                "columns" => {
                    for (i, c) in columns.iter().enumerate() {
                        if i > 0 {
                            out.push('_');
                        }
                        out.push_str(c);
                    }
                }
                "referred_table" => out.push_str(referred_table),
                _ => return false,
            }
            true
        });
        if full.len() <= MAX_NAME {
            return full;
        }
        shorten(&full)
    }
}

/// Appends `pattern` to `out` with each `{name}` that `value` knows
/// replaced: `value(name, out)` appends the text and returns true, or
/// returns false to leave `{name}` as written. One pass, left to right, so
/// substituted text is never read as a pattern again. Default names here
/// and the dialects' sized type spellings (`VARCHAR({n})`) use it.
pub fn fill(pattern: &str, out: &mut String, mut value: impl FnMut(&str, &mut String) -> bool) {
    // Byte scans: the patterns are a few bytes long, too short for `find`'s
    // searcher to pay off (this runs for every sized column type planned).
    // `{` and `}` are ASCII, so every cut is on a character boundary.
    let bytes = pattern.as_bytes();
    let find = |from: usize, b: u8| bytes[from..].iter().position(|&c| c == b).map(|p| p + from);
    // Everything before `at` is in `out`; the search goes on from there.
    let mut at = 0;
    while let Some(open) = find(at, b'{') {
        let Some(close) = find(open + 1, b'}') else { break };
        out.push_str(&pattern[at..open]);
        if value(&pattern[open + 1..close], out) {
            at = close + 1;
        } else {
            out.push('{');
            at = open + 1;
        }
    }
    out.push_str(&pattern[at..]);
}

/// A name over `MAX_NAME` bytes becomes its first 54 bytes (cut back to a
/// character boundary), `_`, and the first 8 hex digits of its SHA-256.
pub fn shorten(full: &str) -> String {
    if full.len() <= MAX_NAME {
        return full.to_string();
    }
    let mut cut = 54;
    while !full.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = Sha256::digest(full.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{}_{}", &full[..cut], hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept() {
        assert_eq!(Naming::make("ix_{table}_{columns}", "users", &["email"], ""), "ix_users_email");
        assert_eq!(Naming::make("fk_{table}_{columns}_{referred_table}", "a", &["b", "c"], "d"), "fk_a_b_c_d");
        assert_eq!(Naming::make("{x}_{table}{", "t{columns}", &["c"], ""), "{x}_t{columns}{");
        assert_eq!(Naming::make("pk_{table}", "t", &[], ""), "pk_t");
        assert_eq!(Naming::make("{{table}}_{", "t", &[], ""), "{t}_{");
        assert_eq!(Naming::make("{unknown{table}}", "t", &[], ""), "{unknownt}");
        assert_eq!(Naming::make("é{table}é}", "t", &[], ""), "été}");
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let long = "ix_".to_string() + &"a".repeat(70);
        let s = shorten(&long);
        assert_eq!(s.len(), 63);
        assert!(s.starts_with(&long[..54]));
        assert_eq!(s, shorten(&long));
        assert_ne!(s, shorten(&(long.clone() + "b")));
    }

    #[test]
    fn cuts_on_a_character_boundary() {
        let long = "ix_".to_string() + &"é".repeat(40);
        let s = shorten(&long);
        assert!(s.len() <= 63);
        assert!(s.is_char_boundary(s.len() - 9));
    }
}
