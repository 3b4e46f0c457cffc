{#- CREATE INDEX with its elements (SPEC 9); the planner has refused what the dialect lacks.
    CONCURRENTLY (PostgreSQL) runs outside a transaction and, when it fails, leaves an
    INVALID index that the step before it drops: IF NOT EXISTS lets a re-run build it.
    https://www.postgresql.org/docs/current/sql-createindex.html, https://www.sqlite.org/lang_createindex.html,
    https://dev.mysql.com/doc/refman/8.4/en/create-index.html -#}
CREATE {% if i.unique %}UNIQUE {% endif %}{% if i.kind is not none %}{{ i.kind|upper }} {% endif %}INDEX {% if i.concurrently %}CONCURRENTLY IF NOT EXISTS {% endif %}{{ i.name|ident }} ON {{ i.table|ident }}{% if i.method is not none %} USING {{ i.method }}{% endif %} ({% include "index_elements.sql" %}){% if i.include %} INCLUDE ({{ i.include|idents }}){% endif %}{% if i.where_ is not none %} WHERE {{ i.where_ }}{% endif %};
