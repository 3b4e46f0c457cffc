{#- SPEC 10.5: a revision's block starts by checking the version table, and
    the script fails there, before anything changes, unless the table holds
    what the block builds on. SQLite (the common spelling): a SELECT cannot
    fail, so the condition goes through a CHECK on a temporary table, which
    stops `sqlite3 -bail` with the message as the constraint's name.
    https://www.sqlite.org/lang_createtable.html#ckconst -#}
CREATE TEMP TABLE _schemac_guard (ok INTEGER NOT NULL CONSTRAINT {{ message|ident }} CHECK (ok = 1));
INSERT INTO _schemac_guard (ok) SELECT {% include "version_guard_condition.sql" %};
DROP TABLE _schemac_guard;
