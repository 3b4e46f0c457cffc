{#- DROP INDEX CONCURRENTLY (PostgreSQL) runs outside a transaction: IF EXISTS lets a re-run
    after a later failure get through. https://www.postgresql.org/docs/current/sql-dropindex.html -#}
DROP INDEX {% if i.concurrently %}CONCURRENTLY IF EXISTS {% endif %}{{ i.qualified|ident }};
