//! The registry of diagnostic codes: every code schemac emits is a named
//! `Code` constant here, with a one-line explanation, and `ALL` lists them
//! in order (for `schemac explain` and the tests). Invariant: no code is
//! spelled as a string literal anywhere else in `src/` (`tests/codes.rs`
//! checks it), and every code here has a fixture under
//! `tests/fixtures/codes/<CODE>/` that produces it, or a reason why none can.
//!
//! The numbering groups codes by stage: E00xx files and configuration,
//! E01xx decoding, E02xx the revision graph, E03xx replay, E04xx derived
//! downgrades, E05xx planning for a dialect, E06xx the command line, E07xx
//! (and W07xx) `check_migration`; W05xx are the warnings a plan attaches to its steps, E08xx `revision`, `merge`, `init` and `import` / `diff --against`, E09xx
//! internal errors, E10xx `populate`. A `W` code is a warning; an `S1xx`
//! code is a finding of `check`'s lint (a warning too).

/// A stable diagnostic code: a pointer to its entry in the registry (one
/// word, so that a `Diagnostic` stays small), compared by value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(&'static Entry);

/// What the registry knows of a code.
#[derive(PartialEq, Eq, Hash)]
pub struct Entry {
    id: &'static str,
    ident: &'static str,
    explain: &'static str,
}

impl Code {
    /// The id as printed in diagnostics (`E0102`).
    pub fn id(self) -> &'static str {
        self.0.id
    }

    /// The name as shown: the constant's name in lower case with dashes (`unknown-key`).
    pub fn name(self) -> String {
        self.0.ident.to_ascii_lowercase().replace('_', "-")
    }

    /// The constant's name (`UNKNOWN_KEY`).
    pub fn ident(self) -> &'static str {
        self.0.ident
    }

    /// One line saying what the code means.
    pub fn explain(self) -> &'static str {
        self.0.explain
    }

    /// Whether diagnostics with this code are warnings (a `W` code).
    pub fn is_warning(self) -> bool {
        self.0.id.starts_with('W') || self.0.id.starts_with('S')
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.id, self.0.ident)
    }
}

/// The code with this id (any case) or name (`unknown-key`, `UNKNOWN_KEY`).
pub fn find(word: &str) -> Option<Code> {
    let kebab = word.to_ascii_lowercase().replace('_', "-");
    ALL.iter().copied().find(|c| c.id().eq_ignore_ascii_case(word) || c.name() == kebab)
}

/// Defines each code as a constant (its doc comment is its explanation) and
/// `ALL`, every code in the order written.
macro_rules! codes {
    ($($id:literal $ident:ident $explain:literal,)*) => {
        $(
            #[doc = $explain]
            pub const $ident: Code = Code(&Entry { id: $id, ident: stringify!($ident), explain: $explain });
        )*
        /// Every code, in the order of their ids.
        pub const ALL: &[Code] = &[$($ident),*];
    };
}

codes! {
    // Files and configuration.
    "E0001" CANNOT_READ_REVISIONS "the revisions folder, or a revision file in it, cannot be read",
    "E0002" NOT_UTF8 "a revision file is not UTF-8 text",
    "E0003" NOT_A_REVISION_FILE "a `*.toml` entry of the revisions folder is not a regular file (a folder, a FIFO, a device, a link to one) or is larger than 64 MiB",
    "E0010" CANNOT_READ_CONFIG "a configuration file, or a folder given to `--config-dir`, cannot be read",
    "E0011" UNKNOWN_DATABASE "the scheme of `[database] connection` names no supported database (sqlite, postgresql, mysql, mariadb)",
    "E0012" UNKNOWN_DIALECT "`[database] dialect` or `[migrations] dialects` names no supported dialect (postgresql, mysql, mariadb, sqlite)",
    "E0013" UNKNOWN_TRANSACTION_MODE "`[migrations] transaction` is neither `per_revision` nor `single`",
    "E0014" BAD_SERVER_VERSION "the server version is not a version, or is older than the oldest version schemac supports",
    "E0015" BAD_DURATION "a `[safety]` timeout is not a duration (`0`, or a number with `ms`, `s`, `min` or `h`)",
    "E0020" CANNOT_WRITE_SCRIPT "the script cannot be written (to `-o FILE`, or to the temporary file beside it)",
    // Decoding revision, model, configuration and populate files.
    "E0100" INVALID_TOML "a file is not valid TOML",
    "E0101" MISSING_REVISION_ID "a revision file has no `revision = \"<id>\"` key",
    "E0102" UNKNOWN_KEY "a table holds a key that is not known there (a typo, or a key of another operation)",
    "E0103" WRONG_VALUE_KIND "a value is of the wrong TOML kind (a string where a table or an array is expected, say)",
    "E0104" INVALID_NAME "a name or comment is empty, holds a NUL, ends with a space, or holds a character beyond U+FFFF",
    "E0105" INVALID_REVISION_ID "a revision id or `down_revision` does not match [A-Za-z0-9_]{1,32}",
    "E0106" EMPTY_COLUMN_LIST "a list of columns (or a populate `key`) is empty",
    "E0107" MISSING_KEY "a required key is missing: an operation's `op`, or a key that operation needs",
    "E0108" UNKNOWN_OPERATION "`op` names no known operation",
    "E0109" UNKNOWN_REFERENTIAL_ACTION "`on_delete` or `on_update` is not cascade, set null, set default, restrict or no action",
    "E0110" INVALID_REFERENCES "a column's `references` is not of the form \"table.column\"",
    "E0111" EMPTY_ALTER "an `alter_column` gives none of `type`, `nullable`, `default` or `comment`",
    "E0112" NUMBER_OUT_OF_RANGE "an integer does not fit in 64 bits, or a float is not finite",
    "E0113" UNKNOWN_EXPRESSION "a value table is neither `{ expr = ... }` with a known expression nor `{ sql = ... }`",
    "E0120" UNKNOWN_TYPE "a column type is not a neutral type (or a per-dialect type's `default` is not one)",
    "E0121" EMPTY_ENUM "an enum type has no values",
    "E0122" BAD_INDEX_OPTION "an index element or option has a value schemac does not know (`order`, `nulls`, `length`, `method`, `kind`), or names both a column and an expression",
    "E0123" EXPRESSION_INDEX_NEEDS_NAME "an index with an expression element has no `name` (the convention names indexes after their columns)",
    "E0124" BAD_ENUM_CHANGE "an `alter_enum` places values (`before`, `after`) it does not add, gives both, or names a value its enum does not have, has already, or would lose",
    // The revision graph.
    "E0201" DUPLICATE_REVISION "two revision files have the same revision id, or ids that differ only in letter case",
    "E0202" UNKNOWN_DOWN_REVISION "a `down_revision` names no revision",
    "E0203" DUPLICATE_BRANCH_LABEL "two revisions carry the same branch label",
    "E0204" REVISION_CYCLE "the down_revisions form a cycle",
    "E0205" UNKNOWN_DEPENDENCY "a `depends_on` entry names no revision, branch label or `label@head`, or one that depends on the revision itself",
    // Replay: the semantic checks of each operation against the schema before it.
    "E0301" NO_SUCH_TABLE "an operation names a table that does not exist at its revision",
    "E0302" NO_SUCH_COLUMN "an operation names a column that its table does not have at that revision",
    "E0303" NAME_TOO_LONG "a name is longer than the 63 bytes that every dialect accepts",
    "E0304" TABLE_STILL_REFERENCED "a dropped table is still referred to by a foreign key of another table",
    "E0305" STILL_USED_BY_VIEW "a dropped table, view or column is still used by a view",
    "E0306" NAME_TAKEN "a new or renamed table or view takes a name that already exists",
    "E0307" DUPLICATE_COLUMN "a table would have two columns of the same name",
    "E0308" ADD_PRIMARY_KEY_COLUMN "`add_column` adds a primary key column to a table that already has a primary key",
    "E0309" DROP_LAST_COLUMN "`drop_column` would drop the last column of a table",
    "E0310" COLUMN_STILL_USED "a dropped column is part of a multi-column constraint or index, or is referred to by a foreign key",
    "E0311" NO_SUCH_INDEX "`drop_index` or `rename_index` names an index that does not exist",
    "E0312" NO_SUCH_CONSTRAINT "`drop_constraint` or `rename_constraint` names a constraint that the table does not have",
    "E0313" CONSTRAINT_STILL_NEEDED "a dropped primary key or unique constraint is the key that a foreign key refers to, or a dropped check is a non-native enum's",
    "E0314" NO_SUCH_VIEW "`drop_view` names a view that does not exist",
    "E0315" NAME_COLLISION "an index or constraint takes a name that another index or constraint already uses",
    "E0316" BAD_AUTOINCREMENT "autoincrement on a column that is not an integer primary key, or that stops being an integer",
    "E0317" NULLABLE_PRIMARY_KEY "a primary key column is made nullable",
    "E0318" PRIMARY_KEY_TWICE "a table's primary key is declared both inline and in `primary_key`, or inline on several columns",
    "E0319" SECOND_PRIMARY_KEY "`create_primary_key` on a table that already has a primary key",
    "E0320" UNNAMED_CHECK "a check constraint that mentions no column of its table needs an explicit `name`",
    "E0321" FOREIGN_KEY_ARITY "a foreign key has a different number of columns and referred columns",
    "E0322" FOREIGN_KEY_NOT_A_KEY "a foreign key refers to columns that carry no primary key or unique constraint",
    "E0323" SET_NULL_ON_NOT_NULL "`ON DELETE/UPDATE SET NULL` on a foreign key whose column is NOT NULL",
    "E0324" BACKFILL_WITHOUT_NOT_NULL "`backfill` on a column that does not become NOT NULL",
    "E0325" VALUE_DOES_NOT_FIT "a default, backfill or inserted value does not fit its column's type, length, range or enum",
    "E0326" NUL_IN_STRING "a string value holds a NUL character, which PostgreSQL refuses",
    "E0327" NOT_NULL_WITHOUT_VALUE "`add_column` of a NOT NULL column with no default and no `backfill` to a table that existed before the revision (it may hold rows)",
    "E0328" NAMES_DIFFER_IN_CASE "a name differs only in letter case from another in the same namespace (columns of a table, or schema-wide names), which MySQL and SQLite treat as the same",
    "E0329" SHARED_NAMESPACE "a table, view, index, constraint or enum type takes a name that another kind of object holds in an engine's shared namespace",
    "E0330" BAD_ENUM_LABEL "an enum label is longer than 63 bytes (PostgreSQL), or two labels are equal without case (MySQL, MariaDB)",
    "E0331" RESERVED_NAME "a table, view, index, constraint or enum type is named like the version table or its key",
    "E0332" RENAME_NEEDS_QUOTES "a rename gives a name that needs quotes to SQL text written for every dialect (a view, check or index predicate), and no quoting reads as a name on every engine",
    "E0340" NO_SUCH_ENUM "`alter_enum` names an enum type that no column uses at its revision",
    "E0341" GENERATED_COLUMN_MISUSE "a generated column is given a default, autoincrement or a primary key, or a row gives it a value (the engine computes it)",
    "E0360" NO_SUCH_NAMESPACE "an operation names a schema (`schema`, `drop_namespace`) that no `create_namespace` made, or makes one that exists",
    "E0361" NAMESPACE_NOT_EMPTY "`drop_namespace` of a schema that still holds tables, views or sequences",
    "E0362" NO_SUCH_SEQUENCE "an operation or a `{ next = ... }` default names a sequence that does not exist, or `create_sequence` one that does",
    "E0363" SEQUENCE_STILL_USED "a dropped sequence is still a column's default, or a dropped column owns a sequence",
    // Derived downgrades.
    "E0401" IRREVERSIBLE_EXECUTE "a revision with an `execute` and no [[downgrade]]: its downgrade cannot be derived",
    "E0402" IRREVERSIBLE_INSERT "a revision inserts rows without their primary key and has no [[downgrade]]: its downgrade cannot be derived",
    "E0403" IRREVERSIBLE_DELETE "a derived delete of inserted rows was asked for its own inverse",
    "E0460" IRREVERSIBLE_SEQUENCE_RESTART "a revision with `alter_sequence` `restart` and no [[downgrade]]: the sequence's former position is not in the model",
    // Planning for one dialect.
    "E0501" UNSUPPORTED_BY_DIALECT "an operation cannot be compiled for the target dialect or server version",
    // Warnings a plan attaches to the step that causes them: a script shows
    // them in a `-- WARNING:` line above the step, `show --format json` lists them.
    "W0502" DROPS_TABLE "the step drops a table and every row in it",
    "W0503" DROPS_COLUMN "the step drops a column and its data",
    "W0504" NARROWS_TYPE "the step changes a column to a type that not every value fits (anything but a widening)",
    "W0505" CHECK_NOT_ENFORCED "the target version parses CHECK constraints but does not enforce them",
    "W0506" REBUILDS_TABLE "SQLite cannot ALTER this in place: the table is rebuilt, its rows copied and what hangs on it re-created",
    "W0507" UNTRACKED_EXECUTE "an `execute` touched the rebuilt table in a way schemac does not track: what it made may be lost",
    "W0508" DERIVED_LOSES "a derived downgrade cannot restore everything the upgrade removed",
    "W0509" OPAQUE_SQL_TEXT "a rename or drop concerns a table or column that SQL text sqlparser cannot parse (a view, check, index predicate or expression) may name: the text is left as written",
    // The command line.
    "E0601" BAD_RANGE "a revision, specifier or range on the command line names no revision, or not the number it must",
    "E0602" UNKNOWN_CODE "`schemac explain` was given a code or name that schemac does not have",
    // check_migration.
    "E0701" MULTIPLE_HEADS "the history has several heads: merge them",
    "W0702" UNPARSABLE_STATEMENT "sqlparser cannot parse a statement of a script (often raw SQL in an `execute`)",
    "E0703" MODEL_DRIFT "the schema at head differs from the declared model",
    "E0704" STRAY_BASE "several revisions have no down_revision and no branch label: all but one are unreachable",
    "W0705" IRREVERSIBLE_REVISION "a revision's downgrade cannot be derived (E0401, E0402); the other revisions are checked alone",
    "W0706" LOSSY_UPGRADE "an upgrade script carries a `-- WARNING:` (it drops data, or the engine ignores a constraint)",
    "W0707" LOSSY_DOWNGRADE "downgrade scripts carry a `-- WARNING:`: they drop data or narrow types",
    "E0708" WARNINGS_DENIED "`check --deny-warnings` found warnings or lint findings",
    // revision and merge.
    "E0801" CANNOT_READ_MODEL "the model file named by `[migrations] model` cannot be read",
    "E0802" AMBIGUOUS_HEAD "there are several heads and `revision` was not told which to build on (`--head`)",
    "E0803" BAD_REV_ID "`--rev-id` is not a valid revision id, or is already used",
    "E0804" BAD_BRANCH_LABEL "`--branch-label` is not a valid label, or is already a label or revision id",
    "E0805" BAD_HEAD "`--head` names no head: several revisions, a revision with children, or a new base without a label",
    "E0806" NOTHING_TO_MERGE "`merge` was given fewer than two revisions, or one is an ancestor of another",
    "E0807" NO_MODEL "`revision --autogenerate` needs `[migrations] model` in the configuration",
    "E0808" REVISION_FILE_EXISTS "the new revision's file already exists",
    "E0809" CANNOT_WRITE_REVISION "the new revision's file cannot be created",
    "E0810" AUTOGENERATE_CANNOT_APPLY "the autogenerated revision cannot apply on its head (a view or trigger still uses what it drops)",
    "E0811" PROJECT_EXISTS "`init` found `schemac.toml`, or a `revisions` folder that is not empty: it never overwrites a project",
    "E0812" CANNOT_INIT "`init` cannot create the project folder or one of its files",
    // `import` and `diff --against`.
    "E0813" CANNOT_READ_DUMP "the dump given to `import` or `diff --against` cannot be read",
    "W0814" IMPORTED_AS_EXECUTE "a schema statement of the dump that the revision language cannot say is kept in the baseline as an `execute`",
    "E0815" DUMP_DIFFERS "`diff --against`: the head schema and the dump differ (one line per difference on stdout)",
    "W0816" IMPORTED_WITHOUT "a statement of the dump is imported without a part that the revision language cannot say (a column's ON UPDATE, a storage option, an index's WITH)",
    // Internal errors.
    "E0901" INTERNAL_ERROR "an internal error: a bug in schemac, please report it",
    // populate.
    "E1001" CANNOT_READ_POPULATE "the populate folder, or a file in it, cannot be read",
    "E1002" POPULATE_NO_SUCH_TABLE "a populate entry names a table that does not exist at head",
    "E1003" POPULATE_NO_SUCH_COLUMN "a populate entry names a column that its table does not have at head",
    "E1004" POPULATE_KEY_NOT_UNIQUE "a populate entry's `key` carries no primary key or unique constraint at head",
    "E1005" POPULATE_KEY_VALUE "a populate row gives no literal value for a key column",
    "E1006" POPULATE_DUPLICATE_KEY "two populate rows of one table have the same key",
    "E1007" POPULATE_MISSING_VALUE "a populate row gives no value for a NOT NULL column without a default",
    // The lint of check_migration (SPEC 11): warnings about a change to a
    // table that existed before the revision, at the operation that makes it.
    "S101" LINT_INDEX_LOCKS "an index is built without `concurrently` on a table that existed before the revision (PostgreSQL): writes wait for the whole build",
    "S102" LINT_CONSTRAINT_VALIDATES "a foreign key or check is added to an existing table and validated at once: every row is checked under the ALTER's lock (PostgreSQL)",
    "S103" LINT_SET_NOT_NULL "a column of an existing table becomes NOT NULL: a full scan under ACCESS EXCLUSIVE (PostgreSQL) or a table rebuild (MySQL, MariaDB)",
    "S104" LINT_TYPE_REWRITES "a type change rewrites an existing table under ACCESS EXCLUSIVE (PostgreSQL; a longer VARCHAR, VARCHAR to TEXT or more NUMERIC precision does not)",
    "S105" LINT_DROPPED_BUT_NAMED "a dropped table or column is still named by raw SQL of an earlier revision (an execute, a trigger, a view)",
    "S106" LINT_BACKFILL_UNDER_LOCK "a backfill UPDATE runs in the transaction that holds the ALTER's lock on the table until it commits (PostgreSQL)",
    "S107" LINT_COPIES_TABLE "a MySQL or MariaDB ALTER that cannot run INSTANT or INPLACE: ALGORITHM=COPY copies the table while writes wait",
    "S108" LINT_SQLITE_REBUILD "a SQLite rebuild copies every row of an existing table while the database is locked for writing",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_well_formed() {
        for w in ALL.windows(2) {
            assert!(w[0].id()[1..] < w[1].id()[1..], "{} then {}", w[0], w[1]);
        }
        for c in ALL {
            let b = c.id().as_bytes();
            let lint = b.len() == 4 && b[0] == b'S';
            assert!(
                (lint || b.len() == 5 && (b[0] == b'E' || b[0] == b'W')) && b[1..].iter().all(u8::is_ascii_digit),
                "{c}"
            );
            assert!(!c.explain().is_empty() && !c.explain().contains('\n'), "{c}");
        }
    }

    #[test]
    fn found_by_id_or_name() {
        assert_eq!(find("e0102"), Some(UNKNOWN_KEY));
        assert_eq!(find("unknown-key"), Some(UNKNOWN_KEY));
        assert_eq!(find("UNKNOWN_KEY"), Some(UNKNOWN_KEY));
        assert_eq!(find("E9999"), None);
    }
}
