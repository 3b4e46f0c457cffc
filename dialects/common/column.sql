{#- A column definition, for CREATE TABLE, ADD COLUMN and the SQLite rebuild; `c` is the column.
    Other templates write `{{ column(c) }}`: it sees `c` (and the globals) only, and
    is rendered once per distinct column definition.
    SQLite: COLLATE is a column constraint (https://www.sqlite.org/lang_createtable.html), a
    generated column is GENERATED ALWAYS AS (expr) STORED|VIRTUAL (https://www.sqlite.org/gencol.html). -#}
{{ c.name|ident }} {{ c.type_sql }}
{%- if c.collation is not none %} COLLATE {{ c.collation|ident }}{% endif %}
{%- if c.generated_sql is not none %} GENERATED ALWAYS AS ({{ c.generated_sql }}) {% if c.stored %}STORED{% else %}VIRTUAL{% endif %}{% endif %}
{%- if c.inline_pk is not none %} NOT NULL CONSTRAINT {{ c.inline_pk|ident }} PRIMARY KEY{% elif not c.nullable %} NOT NULL{% endif %}
{%- if c.default_sql is not none %} DEFAULT {{ c.default_sql }}{% endif %}
{%- if c.check_values is not none %} CHECK ({{ c.name|ident }} IN ({% for v in c.check_values %}{{ v|literal }}{% if not loop.last %}, {% endif %}{% endfor %})){% endif %}
