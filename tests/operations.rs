//! Every operation reaches every stage. For each kind of
//! `schemac::vocab::ops::OpKind::ALL`, one sample operation (`sample`, which
//! matches every kind without a wildcard, so a new kind does not compile
//! until it has one) goes through the decoder, the TOML writer, replay, the
//! derived inverse and the planner of every dialect; a stage that forgets a
//! kind fails here with the kind's name. The fuzzer takes its names from
//! `OpKind::ALL`, and the generator's own test
//! (`generator_covers_every_operation` in `tests/conformance/gen.rs`) fails
//! on a kind it neither makes nor excuses.

use schemac::base::diag::{Diagnostic, FileId, Sp, Span};
use schemac::base::naming::Naming;
use schemac::compile::Compiler;
use schemac::dialect::{Dialect, DialectId};
use schemac::graph::Graph;
use schemac::language::config::Settings;
use schemac::replay::inverse::inverse;
use schemac::replay::model::{Schema, Value};
use schemac::replay::{Change, Replayer};
use schemac::vocab::ops::writer::write_op;
use schemac::vocab::ops::{Op, OpKind, OpNode, Revision};
use std::collections::BTreeSet;

/// The schema every sample runs against.
const BASE: &str = r#"revision = "r1"
message = "base"

[[upgrade]]
op = "create_table"
table = "users"
columns = [
    { name = "id", type = "integer", primary_key = true },
    { name = "email", type = "string(100)", nullable = false },
    { name = "age", type = "integer" },
    { name = "note", type = "text" },
    { name = "manager_id", type = "integer" },
]
unique_constraints = [{ name = "uq_users_email", columns = ["email"] }]
indexes = [{ name = "ix_users_age", columns = ["age"] }]

[[upgrade]]
op = "create_table"
table = "orders"
columns = [
    { name = "id", type = "integer", primary_key = true },
    { name = "user_id", type = "integer" },
    { name = "total", type = "integer" },
    { name = "state", type = { enum = ["new", "paid", "void"], name = "order_state" } },
]
foreign_keys = [{ name = "fk_orders_user", columns = ["user_id"], referred_table = "users", referred_columns = ["id"] }]
check_constraints = [{ name = "ck_orders_total", expr = "total >= 0" }]

[[upgrade]]
op = "create_table"
table = "tags"
columns = [{ name = "label", type = "string(20)", nullable = false }]

[[upgrade]]
op = "create_view"
name = "adults"
sql = "SELECT id FROM users WHERE age >= 18"

[[upgrade]]
op = "create_namespace"
name = "archive"

[[upgrade]]
op = "create_sequence"
name = "counter_seq"
start = 10
"#;

/// One operation of the kind: the body of an `[[upgrade]]` table, or, for
/// a derived-only kind, the operation itself.
enum Sample {
    File(&'static str),
    Derived(Box<Op>),
}

fn sample(kind: OpKind) -> Sample {
    Sample::File(match kind {
        OpKind::CreateTable => {
            r#"op = "create_table"
table = "items"
columns = [
    { name = "id", type = "integer", primary_key = true, autoincrement = true },
    { name = "owner", type = "integer", references = "users.id", on_delete = "cascade" },
    { name = "title", type = "string(40)", nullable = false, default = "untitled", comment = "the \"title\"" },
    { name = "kind", type = { enum = ["a", "b"], name = "item_kind" } },
    { name = "state", type = { enum = ["new", "done"], native = false }, collation = { postgresql = "C", default = "utf8mb4_bin", sqlite = "NOCASE" } },
    { name = "double_id", type = "bigint", generated = { expr = { default = "id * 2", mysql = "`id` * 2" }, stored = true } },
]
unique_constraints = [{ name = "uq_items_title", columns = ["title"] }]
check_constraints = [{ expr = "id > 0" }, { name = "ck_items_flag", expr = { postgresql = "", default = "id >= 0" } }]
indexes = [{ columns = ["kind"], unique = false }]
comment = "things"
"#
        }
        OpKind::DropTable => "op = \"drop_table\"\ntable = \"tags\"\n",
        OpKind::RenameTable => "op = \"rename_table\"\ntable = \"tags\"\nnew_name = \"labels\"\n",
        OpKind::AddColumn => {
            "op = \"add_column\"\ntable = \"users\"\ncolumn = { name = \"nick\", type = \"string(30)\", default = \"none\", comment = \"shown\" }\n"
        }
        OpKind::DropColumn => "op = \"drop_column\"\ntable = \"users\"\ncolumn = \"note\"\n",
        OpKind::RenameColumn => "op = \"rename_column\"\ntable = \"users\"\ncolumn = \"note\"\nnew_name = \"remark\"\n",
        OpKind::AlterColumn => {
            "op = \"alter_column\"\ntable = \"orders\"\ncolumn = \"total\"\ntype = \"bigint\"\nnullable = false\ndefault = 0\nbackfill = 0\nusing = { default = \"total * 1\", mysql = \"total + 0\" }\n"
        }
        OpKind::CreateIndex => "op = \"create_index\"\ntable = \"orders\"\ncolumns = [\"total\"]\nname = \"ix_orders_total\"\nunique = true\n",
        OpKind::DropIndex => "op = \"drop_index\"\nname = \"ix_users_age\"\n",
        OpKind::CreateUniqueConstraint => {
            "op = \"create_unique_constraint\"\ntable = \"orders\"\ncolumns = [\"user_id\", \"total\"]\nname = \"uq_orders_user_total\"\n"
        }
        OpKind::CreateForeignKey => {
            "op = \"create_foreign_key\"\ntable = \"users\"\ncolumns = [\"manager_id\"]\nreferred_table = \"users\"\nreferred_columns = [\"id\"]\nname = \"fk_users_manager\"\non_delete = \"set null\"\n"
        }
        OpKind::CreateCheckConstraint => "op = \"create_check_constraint\"\ntable = \"users\"\nexpr = \"age >= 0\"\nname = \"ck_users_age\"\n",
        OpKind::CreatePrimaryKey => "op = \"create_primary_key\"\ntable = \"tags\"\ncolumns = [\"label\"]\nname = \"pk_tags\"\n",
        OpKind::DropConstraint => "op = \"drop_constraint\"\ntable = \"orders\"\nname = \"fk_orders_user\"\n",
        OpKind::CreateView => "op = \"create_view\"\nname = \"big_orders\"\nsql = \"SELECT id FROM orders WHERE total > 100\"\n",
        OpKind::DropView => "op = \"drop_view\"\nname = \"adults\"\n",
        OpKind::Execute => {
            "op = \"execute\"\nsql = { postgresql = \"UPDATE users SET age = 1 WHERE id = 0\", default = \"UPDATE users SET age = 2 WHERE id = 0\" }\n"
        }
        OpKind::BulkInsert => "op = \"bulk_insert\"\ntable = \"users\"\nrows = [{ id = 1, email = \"a@example.com\", age = 30 }, { id = 2, email = \"b@example.com\" }]\n",
        OpKind::RenameIndex => "op = \"rename_index\"\nname = \"ix_users_age\"\nnew_name = \"ix_users_years\"\n",
        OpKind::RenameConstraint => "op = \"rename_constraint\"\ntable = \"users\"\nname = \"uq_users_email\"\nnew_name = \"uq_users_mail\"\n",
        OpKind::AlterTable => "op = \"alter_table\"\ntable = \"users\"\ncomment = \"people, with their 'age'\"\n",
        OpKind::CreateNamespace => "op = \"create_namespace\"\nname = \"billing\"\n",
        OpKind::DropNamespace => "op = \"drop_namespace\"\nname = \"archive\"\n",
        OpKind::CreateSequence => {
            "op = \"create_sequence\"\nname = \"order_no_seq\"\nstart = 100\nincrement = 5\nmin = 1\nmax = 1000000\ncycle = true\nowned_by = \"orders.id\"\n"
        }
        OpKind::DropSequence => "op = \"drop_sequence\"\nname = \"counter_seq\"\n",
        OpKind::AlterSequence => "op = \"alter_sequence\"\nname = \"counter_seq\"\nincrement = 3\n",
        OpKind::AlterEnum => {
            "op = \"alter_enum\"\nname = \"order_state\"\nrename = { paid = \"settled\" }\nadd = [\"shipped\"]\nafter = \"new\"\nremove = [\"void\"]\nmap = { void = \"new\" }\n"
        }
        OpKind::DeleteRows => {
            let s = |v: &str| Sp::new(v.to_string(), Span::default());
            return Sample::Derived(Box::new(Op::DeleteRows {
                table: s("users"),
                key: vec!["id".into()],
                rows: vec![vec![Value::Int(1)]],
            }));
        }
    })
}

/// The dialects that refuse a kind by design (SPEC 9), with E0501.
fn unsupported(kind: OpKind, id: DialectId) -> bool {
    match kind {
        OpKind::CreateNamespace | OpKind::DropNamespace => id == DialectId::Sqlite,
        OpKind::CreateSequence | OpKind::DropSequence | OpKind::AlterSequence => matches!(id, DialectId::Sqlite | DialectId::Mysql),
        _ => false,
    }
}

/// The kinds whose changes cannot be undone by a derived downgrade, by
/// design, with the code that says so.
fn irreversible(kind: OpKind) -> Option<&'static str> {
    match kind {
        OpKind::Execute => Some("E0401"),
        OpKind::DeleteRows => Some("E0403"),
        _ => None,
    }
}

/// The name of a change's kind; a match without a wildcard, so that a new
/// kind of `Change` does not compile until it is listed in `CHANGES`.
fn change_kind(c: &Change) -> &'static str {
    match c {
        Change::CreateTable { .. } => "CreateTable",
        Change::DropTable { .. } => "DropTable",
        Change::RenameTable { .. } => "RenameTable",
        Change::AddColumn { .. } => "AddColumn",
        Change::DropColumn { .. } => "DropColumn",
        Change::RenameColumn { .. } => "RenameColumn",
        Change::AlterColumn { .. } => "AlterColumn",
        Change::CreateIndex { .. } => "CreateIndex",
        Change::DropIndex { .. } => "DropIndex",
        Change::AddConstraint { .. } => "AddConstraint",
        Change::DropConstraint { .. } => "DropConstraint",
        Change::CreateView { .. } => "CreateView",
        Change::DropView { .. } => "DropView",
        Change::Execute { .. } => "Execute",
        Change::Insert { .. } => "Insert",
        Change::Delete { .. } => "Delete",
        Change::RenameIndex { .. } => "RenameIndex",
        Change::RenameConstraint { .. } => "RenameConstraint",
        Change::AlterTable { .. } => "AlterTable",
        Change::CreateNamespace { .. } => "CreateNamespace",
        Change::DropNamespace { .. } => "DropNamespace",
        Change::CreateSequence { .. } => "CreateSequence",
        Change::DropSequence { .. } => "DropSequence",
        Change::AlterSequence { .. } => "AlterSequence",
        Change::AlterEnum { .. } => "AlterEnum",
    }
}

const CHANGES: [&str; 25] = [
    "CreateTable",
    "DropTable",
    "RenameTable",
    "AddColumn",
    "DropColumn",
    "RenameColumn",
    "AlterColumn",
    "CreateIndex",
    "DropIndex",
    "AddConstraint",
    "DropConstraint",
    "CreateView",
    "DropView",
    "Execute",
    "Insert",
    "Delete",
    "RenameIndex",
    "RenameConstraint",
    "AlterTable",
    "AlterEnum",
    "CreateNamespace",
    "DropNamespace",
    "CreateSequence",
    "DropSequence",
    "AlterSequence",
];

fn decode(text: &str) -> Result<Revision, Vec<Diagnostic>> {
    let mut diags = vec![];
    let rev = schemac::language::load::decode_revision(FileId(0), "r.toml".into(), text, &mut diags);
    match rev {
        Some(r) if diags.is_empty() => Ok(r),
        _ => Err(diags),
    }
}

fn revision_text(id: &str, down: &str, body: &str) -> String {
    format!("revision = \"{id}\"\ndown_revision = \"{down}\"\nmessage = \"sample\"\n\n[[upgrade]]\n{body}")
}

fn written(op: &Op) -> String {
    let mut out = String::new();
    write_op(op, &mut out).expect("written");
    out
}

fn base_schema(r: &Replayer) -> Schema {
    let mut schema = Schema::default();
    for node in &decode(BASE).expect("the base decodes").upgrade {
        r.apply(&mut schema, node).expect("the base replays");
    }
    schema
}

/// The tables and views, which is what an inverse must restore, each
/// list in a fixed order (an inverse may add back at the end what was in
/// the middle; the foreign-key index may keep a superset, by design).
fn shape(s: &Schema) -> (Vec<String>, String) {
    let sorted = |items: Vec<String>| {
        let mut items = items;
        items.sort();
        items
    };
    let mut tables: Vec<String> = s
        .tables
        .values()
        .map(|t| {
            let columns = sorted(t.columns.values().map(|c| format!("{c:?}")).collect());
            let constraints = sorted(t.constraints.iter().map(|c| format!("{c:?}")).collect());
            let indexes = sorted(t.indexes.iter().map(|i| format!("{i:?}")).collect());
            format!("{} {columns:?} {constraints:?} {indexes:?} {:?} {:?}", t.name, t.comment, t.options)
        })
        .collect();
    tables.sort();
    let mut views: Vec<String> = s.views.values().map(|v| format!("{v:?}")).collect();
    views.sort();
    (tables, views.join("\n"))
}

/// Upgrades and downgrades the base and the sample on every dialect.
fn plan_everywhere(kind: OpKind, body: &str, problems: &mut Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let revs = dir.path().join("revisions");
    std::fs::create_dir_all(&revs).unwrap();
    std::fs::write(revs.join("r1.toml"), BASE).unwrap();
    std::fs::write(revs.join("r2.toml"), revision_text("r2", "r1", body)).unwrap();
    let mut sources = schemac::base::diag::Sources::default();
    let loaded = schemac::language::load::load_dir(&revs, &mut sources).expect("loads");
    let graph = Graph::build(loaded).expect("a graph");
    let settings = Settings {
        directory: revs.clone(),
        ..Settings::default()
    };
    for id in [DialectId::Sqlite, DialectId::Postgresql, DialectId::Mysql, DialectId::Mariadb] {
        let compiler = Compiler::new(&graph, &settings, Dialect::load(id, None).expect("dialect"));
        if unsupported(kind, id) {
            for (what, result) in [("upgrade", compiler.upgrade("r1:r2")), ("downgrade", compiler.downgrade("r2:r1"))] {
                match result {
                    Err(d) if d.0.iter().all(|d| d.code.id() == "E0501") => {}
                    _ => problems.push(format!("{}: plan ({id:?}, {what}): expected E0501", kind.name())),
                }
            }
            continue;
        }
        if let Err(d) = compiler.upgrade("r1:r2") {
            problems.push(format!(
                "{}: plan ({id:?}, upgrade): {}",
                kind.name(),
                sources.render(&d.0, schemac::base::diag::Format::Short)
            ));
        }
        match (compiler.downgrade("r2:r1"), irreversible(kind)) {
            (Ok(_), None) => {}
            (Err(d), Some(code)) if d.0.iter().all(|d| d.code.id() == code) => {}
            (Ok(_), Some(code)) => problems.push(format!("{}: plan ({id:?}, downgrade): expected {code}", kind.name())),
            (Err(d), _) => problems.push(format!(
                "{}: plan ({id:?}, downgrade): {}",
                kind.name(),
                sources.render(&d.0, schemac::base::diag::Format::Short)
            )),
        }
    }
}

#[test]
fn every_operation_reaches_every_stage() {
    let naming = Naming::default();
    let r = Replayer {
        naming: &naming,
        version_table: "schemac_version",
    };
    let base = base_schema(&r);
    let mut problems = vec![];
    let mut changes_seen = BTreeSet::new();
    for kind in OpKind::ALL {
        // Decoder and writer.
        let op = match sample(kind) {
            Sample::File(body) => {
                assert!(!kind.is_derived_only(), "{}: a derived-only kind has no file sample", kind.name());
                assert_eq!(OpKind::from_name(kind.name()), Some(kind), "{}: the decoder's name", kind.name());
                let op = match decode(&revision_text("r2", "r1", body)) {
                    Ok(rev) => rev.upgrade[0].op.clone(),
                    Err(d) => {
                        problems.push(format!("{}: decode: {d:?}", kind.name()));
                        continue;
                    }
                };
                if op.kind() != kind {
                    problems.push(format!("{}: decodes as {}", kind.name(), op.name()));
                }
                // The writer's text decodes to an operation written the same way.
                let text = written(&op);
                match decode(&revision_text("r2", "r1", &text)) {
                    Ok(rev) if written(&rev.upgrade[0].op) == text => {}
                    Ok(rev) => problems.push(format!("{}: write: {text} is read back as {:?}", kind.name(), rev.upgrade[0].op)),
                    Err(d) => problems.push(format!("{}: write: {text} does not decode: {d:?}", kind.name())),
                }
                plan_everywhere(kind, body, &mut problems);
                op
            }
            Sample::Derived(op) => {
                assert!(kind.is_derived_only(), "{}: give a file sample", kind.name());
                assert_eq!(OpKind::from_name(kind.name()), None, "{}: a file cannot name it", kind.name());
                let err = decode(&revision_text("r2", "r1", &format!("op = \"{}\"\n", kind.name()))).unwrap_err();
                assert_eq!(err[0].code.id(), "E0108", "{}: a file naming it", kind.name());
                assert_eq!(write_op(&op, &mut String::new()), Err(kind), "{}: it has no spelling", kind.name());
                *op
            }
        };
        // Replay, then the derived inverse, which must restore the schema.
        let mut schema = base.clone();
        let node = OpNode {
            op,
            span: Span::default(),
            derived: None,
        };
        let change = match r.apply(&mut schema, &node) {
            Ok(c) => c,
            Err(d) => {
                problems.push(format!("{}: replay: {} {}", kind.name(), d.code, d.message));
                continue;
            }
        };
        changes_seen.insert(change_kind(&change));
        match (inverse(&change, Span::default(), "r2"), irreversible(kind)) {
            (Ok(ops), None) => {
                for n in &ops {
                    match r.apply(&mut schema, n) {
                        Ok(c) => {
                            changes_seen.insert(change_kind(&c));
                        }
                        Err(d) => problems.push(format!("{}: inverse {} does not replay: {}", kind.name(), n.op.name(), d.message)),
                    }
                }
                if shape(&schema) != shape(&base) {
                    problems.push(format!("{}: inverse does not restore the schema", kind.name()));
                }
            }
            (Err(d), Some(code)) if d.code.id() == code => {}
            (Ok(_), Some(code)) => problems.push(format!("{}: inverse: expected {code}", kind.name())),
            (Err(d), _) => problems.push(format!("{}: inverse: {} {}", kind.name(), d.code, d.message)),
        }
    }
    // The planner saw every kind of change (through the upgrades and downgrades above).
    for c in CHANGES {
        if !changes_seen.contains(c) {
            problems.push(format!("no sample makes a `Change::{c}`"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Names are unique, and the decoder's "did you mean" knows only names a
/// file may write.
#[test]
fn names_are_unique() {
    let names: BTreeSet<&str> = OpKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names.len(), OpKind::ALL.len());
    for kind in OpKind::ALL {
        assert_eq!(kind.keys().first().copied(), (!kind.is_derived_only()).then_some("op"), "{}", kind.name());
    }
}
