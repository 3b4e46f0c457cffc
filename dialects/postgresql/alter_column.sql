{# https://www.postgresql.org/docs/current/sql-altertable.html #}
{% if type_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} TYPE {{ c.type_sql }} USING {{ c.name|ident }}::{{ c.type_sql }};
{% endif %}
{% if nullable_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} {% if c.nullable %}DROP{% else %}SET{% endif %} NOT NULL;
{% endif %}
{% if default_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} {% if c.default_sql is not none %}SET DEFAULT {{ c.default_sql }}{% else %}DROP DEFAULT{% endif %};
{% endif %}
