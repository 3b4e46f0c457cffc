{#- https://www.postgresql.org/docs/current/sql-alterindex.html -#}
ALTER INDEX {{ from|ident }} RENAME TO {{ to|ident }};
