//! Embeds every file under `dialects/` in the binary, so the installed tool
//! does not depend on the working directory.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=dialects");
    let mut files = vec![];
    for dir in std::fs::read_dir("dialects").expect("dialects/ exists") {
        let dir = dir.expect("readable").path();
        if !dir.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", dir.display());
        for f in std::fs::read_dir(&dir).expect("readable") {
            let f = f.expect("readable").path();
            if f.is_file() {
                files.push(f);
            }
        }
    }
    files.sort();
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let mut out = String::from("pub static EMBEDDED: &[(&str, &str, &str)] = &[\n");
    for f in files {
        let folder = f.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).expect("utf-8 name");
        let name = f.file_name().and_then(|s| s.to_str()).expect("utf-8 name");
        writeln!(out, "    ({folder:?}, {name:?}, include_str!({:?})),", format!("{root}/{}", f.display())).expect("write");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}
