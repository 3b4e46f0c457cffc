{#- [safety] online (SPEC 11): a unique constraint on a live table is its unique
    index, built CONCURRENTLY just before, attached by ADD CONSTRAINT ... USING
    INDEX (a catalog change under a brief lock; the index takes the
    constraint's name). In a DO block that checks pg_constraint first, so that
    a re-run gets through.
    https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX -#}
DO {{ dollar }}
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {{ table|ident|literal }}::regclass AND conname = {{ name|literal }}) THEN
        ALTER TABLE {{ table|ident }} ADD CONSTRAINT {{ name|ident }} UNIQUE USING INDEX {{ name|ident }};
    END IF;
END
{{ dollar }};
