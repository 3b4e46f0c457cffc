{#- [safety] online (SPEC 11): SET NOT NULL scans the table under ACCESS
    EXCLUSIVE unless a valid CHECK (col IS NOT NULL) proves it (PostgreSQL
    12+). The check is added NOT VALID here (only if it is not there yet, for
    a re-run), validated on its own, and dropped once the column is NOT NULL.
    https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL -#}
DO {{ dollar }}
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {{ table|ident|literal }}::regclass AND conname = {{ name|literal }}) THEN
        ALTER TABLE {{ table|ident }} ADD CONSTRAINT {{ name|ident }} CHECK ({{ column|ident }} IS NOT NULL) NOT VALID;
    END IF;
END
{{ dollar }};
