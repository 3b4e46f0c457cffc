{#- MySQL/MariaDB: AUTO_INCREMENT, inline column comments.
    https://dev.mysql.com/doc/refman/8.0/en/create-table.html
    A generated column is `AS (expr) STORED|VIRTUAL`, with no NULL or NOT NULL, which MariaDB
    refuses there (https://mariadb.com/kb/en/generated-columns/,
    https://dev.mysql.com/doc/refman/8.4/en/create-table-generated-columns.html).
    Other templates write `{{ column(c) }}`: it sees `c` (and the globals) only, and
    is rendered once per distinct column definition. -#}
{{ c.name|ident }} {{ c.type_sql }}
{%- if c.collation is not none %} COLLATE {{ c.collation|ident }}{% endif %}
{%- if c.generated_sql is not none %} AS ({{ c.generated_sql }}) {% if c.stored %}STORED{% else %}VIRTUAL{% endif %}
{%- elif not c.nullable %} NOT NULL{% else %} NULL{% endif %}
{%- if c.autoincrement %} AUTO_INCREMENT{% endif %}
{%- if c.default_sql is not none %} DEFAULT {{ c.default_sql }}{% endif %}
{%- if c.comment is not none %} COMMENT {{ c.comment|literal }}{% endif %}
