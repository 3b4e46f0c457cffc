//! `schemac json-schema`: the printed schema validates every revision file
//! of the repository (the example's and each fixture project's), the
//! example's model, populate and configuration files, and rejects mutated
//! revisions (an unknown key, a wrong type, an unknown operation). Files are
//! read as TOML and checked as JSON, as taplo does.

mod common;
use common::*;

fn schema(file: &str) -> jsonschema::Validator {
    let out = sql(&root(), &["json-schema", "--file", file]);
    let value: serde_json::Value = serde_json::from_str(&out).expect("json-schema prints JSON");
    jsonschema::validator_for(&value).expect("a valid JSON Schema")
}

fn json_of(text: &str) -> serde_json::Value {
    let v: toml::Value = toml::from_str(text).expect("valid TOML");
    serde_json::to_value(v).expect("TOML as JSON")
}

fn revision_files() -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for (_, dir) in projects() {
        for e in std::fs::read_dir(dir.join("revisions")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_revision_file_of_the_repository_is_valid() {
    let v = schema("revision");
    let files = revision_files();
    assert!(files.len() > 5, "revision files found: {}", files.len());
    for p in files {
        let doc = json_of(&std::fs::read_to_string(&p).unwrap());
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
    }
}

#[test]
fn the_example_model_populate_and_configuration_are_valid() {
    for (file, path) in [("model", "schema.toml"), ("config", "schemac.toml")] {
        let doc = json_of(&std::fs::read_to_string(root().join(path)).unwrap());
        assert!(schema(file).is_valid(&doc), "{path} against the {file} schema");
    }
    let v = schema("populate");
    for e in std::fs::read_dir(root().join("populate")).unwrap() {
        let p = e.unwrap().path();
        let doc = json_of(&std::fs::read_to_string(&p).unwrap());
        assert!(v.is_valid(&doc), "{}", p.display());
    }
}

#[test]
fn mutated_revisions_are_rejected() {
    let v = schema("revision");
    let base = r#"
revision = "a1"
message = "m"

[[upgrade]]
op = "create_table"
table = "t"
columns = [{ name = "id", type = "integer", primary_key = true }]
"#;
    assert!(v.is_valid(&json_of(base)));
    let mutations = [
        ("an unknown top-level key", base.replace("message = \"m\"", "mesage = \"m\"")),
        ("an unknown operation key", base.replace("table = \"t\"", "table = \"t\"\ntabel = \"u\"")),
        (
            "an unknown column key",
            base.replace("primary_key = true", "primary_key = true, nulable = false"),
        ),
        ("a wrong type", base.replace("table = \"t\"", "table = 3")),
        ("a wrong boolean", base.replace("primary_key = true", "primary_key = \"yes\"")),
        ("an unknown operation", base.replace("create_table", "create_tabel")),
        ("a key of another operation", base.replace("table = \"t\"", "table = \"t\"\nnew_name = \"u\"")),
    ];
    for (what, text) in mutations {
        assert!(!v.is_valid(&json_of(&text)), "{what} is accepted:\n{text}");
    }
}
