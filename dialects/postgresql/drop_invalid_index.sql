{#- A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind, which
    IF NOT EXISTS would then take for the index: it is dropped first (a plain
    DROP INDEX of an invalid index, whose lock lock_timeout bounds; a DO
    block cannot run DROP INDEX CONCURRENTLY). A valid index is kept.
    https://www.postgresql.org/docs/15/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY -#}
DO {{ dollar }}
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = {{ table|ident|literal }}::regclass AND c.relname = {{ name|literal }} AND NOT i.indisvalid) THEN
        DROP INDEX {{ name|ident }};
    END IF;
END
{{ dollar }};
