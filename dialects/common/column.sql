{#- A column definition, for CREATE TABLE, ADD COLUMN and the SQLite rebuild; `c` is the column.
    Other templates write `{{ column(c) }}`: it sees `c` (and the globals) only, and
    is rendered once per distinct column definition. -#}
{{ c.name|ident }} {{ c.type_sql }}
{%- if c.inline_pk is not none %} NOT NULL CONSTRAINT {{ c.inline_pk|ident }} PRIMARY KEY{% elif not c.nullable %} NOT NULL{% endif %}
{%- if c.default_sql is not none %} DEFAULT {{ c.default_sql }}{% endif %}
{%- if c.check_values is not none %} CHECK ({{ c.name|ident }} IN ({% for v in c.check_values %}{{ v|literal }}{% if not loop.last %}, {% endif %}{% endfor %})){% endif %}