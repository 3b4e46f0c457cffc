{#- https://www.postgresql.org/docs/current/sql-alterindex.html -#}
ALTER INDEX {{ qualified_from|ident }} RENAME TO {{ to|ident }};
