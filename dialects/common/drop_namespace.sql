{#- Replay has checked that the schema is empty: no CASCADE. https://www.postgresql.org/docs/current/sql-dropschema.html -#}
DROP SCHEMA {{ name|ident }};
