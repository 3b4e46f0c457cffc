{#- MySQL/MariaDB: AUTO_INCREMENT, inline column comments.
    https://dev.mysql.com/doc/refman/8.0/en/create-table.html
    Other templates write `{{ column(c) }}`: it sees `c` (and the globals) only, and
    is rendered once per distinct column definition. -#}
{{ c.name|ident }} {{ c.type_sql }}
{%- if not c.nullable %} NOT NULL{% else %} NULL{% endif %}
{%- if c.autoincrement %} AUTO_INCREMENT{% endif %}
{%- if c.default_sql is not none %} DEFAULT {{ c.default_sql }}{% endif %}
{%- if c.comment is not none %} COMMENT {{ c.comment|literal }}{% endif %}