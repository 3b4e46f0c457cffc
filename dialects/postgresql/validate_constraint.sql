{#- https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT:
    a constraint already valid is left as it is, so a re-run gets through. -#}
ALTER TABLE {{ table|ident }} VALIDATE CONSTRAINT {{ name|ident }};
