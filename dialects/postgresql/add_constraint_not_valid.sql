{#- [safety] online (SPEC 11): a foreign key or a check added to a live table
    without checking the rows already there (NOT VALID takes its lock only
    for the catalog change), then VALIDATE CONSTRAINT in a transaction of its
    own, under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.
    Inside a DO block that adds it only if the table has no constraint of
    that name, so that a re-run after a failure further on gets through.
    https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-NOTES
    https://www.postgresql.org/docs/15/plpgsql-control-structures.html -#}
DO {{ dollar }}
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {{ table|ident|literal }}::regclass AND conname = {{ k.name|literal }}) THEN
        ALTER TABLE {{ table|ident }} ADD {% include "constraint.sql" %} NOT VALID;
    END IF;
END
{{ dollar }};
