{#- https://www.postgresql.org/docs/current/sql-altertable.html (RENAME CONSTRAINT) -#}
ALTER TABLE {{ table|ident }} RENAME CONSTRAINT {{ from|ident }} TO {{ to|ident }};
