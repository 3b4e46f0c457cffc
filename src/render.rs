//! Stage 5, render: spells planned steps with the dialect's minijinja
//! templates. Quoting and escaping happen only through the `ident`,
//! `idents`, `literal` and `comment` filters, which call `Dialect`. A
//! template is looked up in the dialect's folder, then in `dialects/common`.

use crate::dialect::Dialect;
use minijinja::{Environment, UndefinedBehavior, Value};
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A dialect's compiled templates.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    pub fn new(dialect: &Dialect) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        let folder = dialect.id.folder();
        env.set_loader(move |name: &str| {
            let (dir, file) = match name.split_once('/') {
                Some((d, f)) => (d, f),
                None => (folder, name),
            };
            let found = EMBEDDED
                .iter()
                .find(|(d, n, _)| *d == dir && *n == file)
                .or_else(|| EMBEDDED.iter().find(|(d, n, _)| *d == "common" && *n == file));
            Ok(found.map(|(_, _, t)| t.to_string()))
        });
        let d = Arc::new(dialect.clone());
        let d1 = d.clone();
        env.add_filter("ident", move |s: String| d1.ident(&s));
        let d2 = d.clone();
        env.add_filter("idents", move |v: Vec<String>| v.iter().map(|s| d2.ident(s)).collect::<Vec<_>>().join(", "));
        let d3 = d.clone();
        env.add_filter("literal", move |s: String| d3.literal(&s));
        let d4 = d.clone();
        env.add_filter("comment", move |s: String| d4.comment(&s));
        env.add_global("dialect", Value::from(dialect.key()));
        env.add_global("mariadb", Value::from(dialect.id == crate::dialect::DialectId::Mariadb));
        Renderer { env }
    }

    /// Renders a template; an error here is a bug in schemac, not in the input.
    pub fn render(&self, template: &str, ctx: &Value) -> Result<String, String> {
        let t = self.env.get_template(template).map_err(|e| format!("template {template}: {e:#}"))?;
        let out = t.render(ctx).map_err(|e| format!("template {template}: {e:#}"))?;
        // Only blank lines around the statements go; nothing inside them changes.
        let trimmed = out.trim_start_matches(['\n', ' ']).trim_end_matches(['\n', ' ']);
        let mut s = String::with_capacity(trimmed.len() + 1);
        s.push_str(trimmed);
        if !s.is_empty() {
            s.push('\n');
        }
        Ok(s)
    }
}
