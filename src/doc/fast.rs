//! The fast parser (to be written): `None` sends the text to the `toml` crate.

use super::Item;

pub fn parse(_text: &str) -> Option<Item<'_>> {
    None
}
