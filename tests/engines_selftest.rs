//! Self-test of `tests/support`: proves, on each real engine, that a script
//! is applied the way a DBA applies it, that the catalog reads back what the
//! script created, that rows come back as text with NULL kept apart, and
//! that `is_empty` sees every kind of leftover object.
//!
//! The scripts are hand-written, not produced by schemac, so a failure here
//! is a problem of the support module or of the environment.

mod support;

use support::engines::{self, Catalog, Column, Engine, ForeignKey, Index, PrimaryKey, Table, TestDb};

/// Tables, constraints, an index, a view and rows that every engine accepts
/// as written: a composite primary key, a named unique constraint, a
/// composite foreign key with `ON DELETE CASCADE`, a named and an unnamed
/// check, and text with quotes, a line break and non-ASCII characters.
const SCHEMA: &str = "
CREATE TABLE teams (
  id INTEGER NOT NULL,
  region VARCHAR(20) NOT NULL,
  name VARCHAR(100) NOT NULL,
  CONSTRAINT pk_teams PRIMARY KEY (id, region),
  CONSTRAINT uq_teams_name UNIQUE (name)
);
CREATE TABLE members (
  id INTEGER NOT NULL PRIMARY KEY,
  team_id INTEGER NOT NULL,
  team_region VARCHAR(20) NOT NULL,
  nickname VARCHAR(50),
  age INTEGER DEFAULT 0 CHECK (age < 200),
  CONSTRAINT fk_members_team FOREIGN KEY (team_id, team_region)
    REFERENCES teams (id, region) ON DELETE CASCADE,
  CONSTRAINT ck_members_age CHECK (age >= 0)
);
CREATE INDEX ix_members_nickname ON members (nickname);
CREATE VIEW member_names AS
  SELECT m.nickname, t.name AS team_name
  FROM members m JOIN teams t ON t.id = m.team_id AND t.region = m.team_region;
INSERT INTO teams (id, region, name) VALUES (1, 'eu', 'O''Brien & Søn'), (2, 'us', 'Ünïcödé 東京');
INSERT INTO members (id, team_id, team_region, nickname, age) VALUES
  (10, 1, 'eu', 'it''s \"me\"', 30),
  (11, 2, 'us', NULL, NULL),
  (12, 1, 'eu', 'two
lines', 0),
  (13, 2, 'us', '', 1);
";

/// A trigger (and on PostgreSQL its function and an enum type), which each
/// engine spells its own way.
fn extras(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "CREATE TRIGGER trg_teams_name AFTER UPDATE OF name ON teams BEGIN SELECT 1; END;",
        Engine::Postgres => {
            "CREATE TYPE member_mood AS ENUM ('calm', 'busy');
             CREATE FUNCTION trim_team_name() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;
             CREATE TRIGGER trg_teams_name BEFORE UPDATE ON teams
               FOR EACH ROW EXECUTE FUNCTION trim_team_name();"
        }
        Engine::Mariadb => {
            "CREATE TRIGGER trg_teams_name BEFORE UPDATE ON teams
               FOR EACH ROW SET NEW.name = TRIM(NEW.name);"
        }
    }
}

const DROP_TABLES: &str = "DROP VIEW member_names; DROP TABLE members; DROP TABLE teams;";

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn column(name: &str, type_name: &str, nullable: bool, default: Option<&str>) -> Column {
    Column {
        name: name.to_owned(),
        type_name: type_name.to_owned(),
        nullable,
        default: default.map(str::to_owned),
        autoincrement: false,
    }
}

/// The catalog that `SCHEMA` and `extras` must read back as, engine by
/// engine. The differences are the engines' own, and are the point.
fn expected_catalog(engine: Engine) -> Catalog {
    let int = match engine {
        Engine::Mariadb => "int(11)",
        _ => "integer",
    };
    let varchar = |n: u32| match engine {
        Engine::Postgres => format!("character varying({n})"),
        _ => format!("varchar({n})"),
    };
    let (teams_key_name, members_key_name) = match engine {
        Engine::Sqlite => (Some("pk_teams"), None),
        Engine::Postgres => (Some("pk_teams"), Some("members_pkey")),
        // MariaDB's primary key is always called PRIMARY.
        Engine::Mariadb => (None, None),
    };
    // PostgreSQL names a column-level check after the table and column;
    // SQLite keeps no name at all, and MariaDB none that SQL can address
    // (information_schema shows the column's name when it was made).
    let unnamed_check = match engine {
        Engine::Sqlite => "(unnamed) age < 200",
        Engine::Postgres => "members_age_check",
        Engine::Mariadb => "(unnamed) `age` < 200",
    };

    let mut teams = Table {
        columns: vec![
            column("id", int, false, None),
            column("region", &varchar(20), false, None),
            column("name", &varchar(100), false, None),
        ],
        primary_key: Some(PrimaryKey {
            name: teams_key_name.map(str::to_owned),
            columns: strings(&["id", "region"]),
        }),
        ..Table::default()
    };
    let mut members = Table {
        columns: vec![
            column("id", int, false, None),
            column("team_id", int, false, None),
            column("team_region", &varchar(20), false, None),
            column("nickname", &varchar(50), true, None),
            column("age", int, true, Some("0")),
        ],
        primary_key: Some(PrimaryKey {
            name: members_key_name.map(str::to_owned),
            columns: strings(&["id"]),
        }),
        foreign_keys: vec![ForeignKey {
            name: Some("fk_members_team".to_owned()),
            columns: strings(&["team_id", "team_region"]),
            referred_table: "teams".to_owned(),
            referred_columns: strings(&["id", "region"]),
            on_delete: "cascade".to_owned(),
            // MariaDB reports an unspecified action as RESTRICT.
            on_update: match engine {
                Engine::Mariadb => "restrict",
                _ => "no action",
            }
            .to_owned(),
        }],
        checks: ["ck_members_age", unnamed_check].map(str::to_owned).into(),
        ..Table::default()
    };
    members.indexes.insert(
        "ix_members_nickname".to_owned(),
        Index {
            columns: strings(&["nickname"]),
            unique: false,
            partial: false,
        },
    );
    if engine == Engine::Mariadb {
        // A unique constraint is a unique index on MariaDB, and InnoDB
        // creates an index for a foreign key that has none, named after it.
        teams.indexes.insert(
            "uq_teams_name".to_owned(),
            Index {
                columns: strings(&["name"]),
                unique: true,
                partial: false,
            },
        );
        members.indexes.insert(
            "fk_members_team".to_owned(),
            Index {
                columns: strings(&["team_id", "team_region"]),
                unique: false,
                partial: false,
            },
        );
    } else {
        teams.unique_constraints.insert("uq_teams_name".to_owned(), strings(&["name"]));
    }

    let mut catalog = Catalog::default();
    catalog.tables.insert("teams".to_owned(), teams);
    catalog.tables.insert("members".to_owned(), members);
    catalog.views.insert("member_names".to_owned());
    catalog.triggers.insert("trg_teams_name".to_owned(), "teams".to_owned());
    if engine == Engine::Postgres {
        catalog.enums.insert("member_mood".to_owned(), strings(&["calm", "busy"]));
    }
    catalog
}

fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn round_trip(engine: Engine) {
    if !engines::require(engine) {
        return;
    }
    let db = TestDb::new(engine, "selftest").expect("a fresh database");
    assert_eq!(db.is_empty(), Ok(()), "a new database is empty");
    if let Err(error) = db.apply(SCHEMA).and_then(|()| db.apply(extras(engine))) {
        panic!("{engine} rejected the self-test script: {error}");
    }

    let catalog = db.catalog().expect("the catalog");
    assert_eq!(catalog, expected_catalog(engine), "{engine}: {catalog:#?}");
    assert_eq!(db.catalog().as_ref(), Ok(&catalog), "two reads agree");

    let rows = db.query_rows("SELECT id, name FROM teams ORDER BY id").expect("teams");
    assert_eq!(rows, vec![vec![text("1"), text("O'Brien & Søn")], vec![text("2"), text("Ünïcödé 東京")],]);
    let rows = db.query_rows("SELECT id, nickname, age FROM members ORDER BY id").expect("members");
    assert_eq!(
        rows,
        vec![
            vec![text("10"), text("it's \"me\""), text("30")],
            vec![text("11"), None, None],
            vec![text("12"), text("two\nlines"), text("0")],
            vec![text("13"), text(""), text("1")],
        ]
    );
    assert_eq!(db.query_rows("SELECT id FROM members WHERE id < 0"), Ok(vec![]));
    assert_eq!(db.query_rows("SELECT ''"), Ok(vec![vec![text("")]]));

    // The foreign key's ON DELETE CASCADE fires: on SQLite this proves that
    // `apply` turns foreign keys on, as the spec's scripts expect.
    db.apply("DELETE FROM teams WHERE id = 1;").expect("delete a team");
    assert_eq!(
        db.query_rows("SELECT id FROM members ORDER BY id"),
        Ok(vec![vec![text("11")], vec![text("13")]])
    );

    let left = db.is_empty().expect_err("the schema is still there");
    for object in ["members", "teams", "member_names"] {
        assert!(left.contains(object), "{left}");
    }
    db.apply(DROP_TABLES).expect("the drop script");
    if engine == Engine::Postgres {
        // Tables gone, a function and a type are still left.
        let left = db.is_empty().expect_err("a function and a type are left");
        assert!(left.contains("function trim_team_name") && left.contains("type member_mood"), "{left}");
        db.apply("DROP FUNCTION trim_team_name(); DROP TYPE member_mood;")
            .expect("drop the function and the type");
    }
    assert_eq!(db.is_empty(), Ok(()));
    assert_eq!(db.catalog(), Ok(Catalog::default()));
}

/// A failing statement stops the script, as `ON_ERROR_STOP`, `-bail` and
/// the MariaDB client's batch mode promise, and the error says why.
fn stops_at_first_error(engine: Engine) {
    if !engines::require(engine) {
        return;
    }
    let db = TestDb::new(engine, "stop").expect("a fresh database");
    let error = db
        .apply(
            "CREATE TABLE first_one (x INTEGER);\n\
             INSERT INTO no_such_table VALUES (1);\n\
             CREATE TABLE never_created (x INTEGER);\n",
        )
        .expect_err("the script fails");
    assert!(error.contains("no_such_table"), "{engine}: {error}");
    let catalog = db.catalog().expect("the catalog");
    let tables: Vec<&String> = catalog.tables.keys().collect();
    assert_eq!(tables, ["first_one"], "{engine}");
}

#[test]
fn sqlite_round_trip() {
    round_trip(Engine::Sqlite);
}

#[test]
fn postgres_round_trip() {
    round_trip(Engine::Postgres);
}

#[test]
fn mariadb_round_trip() {
    round_trip(Engine::Mariadb);
}

#[test]
fn sqlite_stops_at_first_error() {
    stops_at_first_error(Engine::Sqlite);
}

#[test]
fn postgres_stops_at_first_error() {
    stops_at_first_error(Engine::Postgres);
}

#[test]
fn mariadb_stops_at_first_error() {
    stops_at_first_error(Engine::Mariadb);
}

/// Constraint names exist only in SQLite's `CREATE TABLE` text: quoted names
/// of every kind, column-level names, names that belong to `NOT NULL`, and
/// look-alikes in comments and string literals must all be read right.
#[test]
fn sqlite_constraint_names_come_from_the_table_text() {
    if !engines::require(Engine::Sqlite) {
        return;
    }
    let db = TestDb::new(Engine::Sqlite, "sqlite names").expect("a fresh database");
    db.apply(
        "CREATE TABLE \"Parent Table\" (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           code TEXT CONSTRAINT \"uq \"\"code\"\"\" UNIQUE
         );
         CREATE TABLE child (
           id INTEGER CONSTRAINT pk_child PRIMARY KEY, -- CONSTRAINT fake UNIQUE
           parent_id INTEGER CONSTRAINT [fk child parent] REFERENCES \"Parent Table\" (id)
             ON DELETE SET NULL,
           other_id INTEGER REFERENCES \"Parent Table\",
           note TEXT CONSTRAINT nn_note NOT NULL DEFAULT 'CONSTRAINT x CHECK (',
           /* CONSTRAINT ghost CHECK (1) */
           CONSTRAINT `ck child note` CHECK (length(note) > 0),
           UNIQUE (parent_id, note)
         );",
    )
    .expect("the script");
    let catalog = db.catalog().expect("the catalog");
    // AUTOINCREMENT makes SQLite create `sqlite_sequence`, which is not the
    // user's.
    let tables: Vec<&String> = catalog.tables.keys().collect();
    assert_eq!(tables, ["Parent Table", "child"]);

    let parent = &catalog.tables["Parent Table"];
    assert!(parent.columns[0].autoincrement);
    assert_eq!(parent.unique_constraints.get("uq \"code\""), Some(&strings(&["code"])));

    let child = &catalog.tables["child"];
    assert_eq!(
        child.primary_key,
        Some(PrimaryKey {
            name: Some("pk_child".to_owned()),
            columns: strings(&["id"]),
        })
    );
    assert!(!child.columns[0].autoincrement);
    assert_eq!(
        child.column("note").map(|note| (note.nullable, note.default.as_deref())),
        Some((false, Some("'CONSTRAINT x CHECK ('")))
    );
    let foreign_key = |name: Option<&str>, column: &str, on_delete: &str| ForeignKey {
        name: name.map(str::to_owned),
        columns: strings(&[column]),
        referred_table: "Parent Table".to_owned(),
        // The second key names no column: the parent's primary key is meant.
        referred_columns: strings(&["id"]),
        on_delete: on_delete.to_owned(),
        on_update: "no action".to_owned(),
    };
    assert_eq!(
        child.foreign_keys,
        [
            foreign_key(None, "other_id", "no action"),
            foreign_key(Some("fk child parent"), "parent_id", "set null"),
        ]
    );
    assert_eq!(child.checks, ["ck child note".to_owned()].into());
    assert_eq!(child.unique_constraints.keys().collect::<Vec<_>>(), ["(unnamed) parent_id, note"]);
}

/// MariaDB: a column-level check (a JSON column's `json_valid`) is keyed by
/// its clause, so a column renamed gives the catalog of one made under the
/// new name (conformance fixture `view_text_keyword_column`).
#[test]
fn mariadb_column_checks_are_keyed_by_their_clause() {
    if !engines::require(Engine::Mariadb) {
        return;
    }
    let renamed = TestDb::new(Engine::Mariadb, "json renamed").expect("a fresh database");
    renamed
        .apply("CREATE TABLE t (id INTEGER PRIMARY KEY, `Select` JSON); ALTER TABLE t RENAME COLUMN `Select` TO c18;")
        .unwrap();
    let made = TestDb::new(Engine::Mariadb, "json made").expect("a fresh database");
    made.apply("CREATE TABLE t (id INTEGER PRIMARY KEY, c18 JSON);").unwrap();
    let catalog = renamed.catalog().unwrap();
    assert_eq!(catalog.tables["t"].checks, ["(unnamed) json_valid(`c18`)".to_owned()].into());
    assert_eq!(catalog, made.catalog().unwrap());
}

#[test]
fn ci_variable() {
    assert!(!engines::ci_value_means_ci(None));
    for value in ["", "0", "false", "FALSE", " false "] {
        assert!(!engines::ci_value_means_ci(Some(value)), "{value:?}");
    }
    for value in ["1", "true", "yes", "woodpecker"] {
        assert!(engines::ci_value_means_ci(Some(value)), "{value:?}");
    }
}

#[test]
fn every_engine_is_reachable_or_skipped() {
    for engine in Engine::ALL {
        // Without CI this only reports; with CI set it fails the test.
        engines::require(engine);
        assert_eq!(engine.to_string(), engine.dialect());
    }
}
