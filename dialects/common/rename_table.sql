{#- The new name stays in the table's schema, unqualified: https://www.postgresql.org/docs/current/sql-altertable.html -#}
ALTER TABLE {{ from|ident }} RENAME TO {{ to_bare|ident }};
