{#- A schema (SPEC 9): https://www.postgresql.org/docs/current/sql-createschema.html -#}
CREATE SCHEMA {{ name|ident }};
