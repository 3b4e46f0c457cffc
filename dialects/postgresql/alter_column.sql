{# https://www.postgresql.org/docs/current/sql-altertable.html: `using` is the user's conversion (SPEC 9). #}
{% if type_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} TYPE {{ c.type_sql }}{% if c.collation is not none %} COLLATE {{ c.collation|ident }}{% endif %} USING {% if using is not none %}{{ using }}{% else %}{{ c.name|ident }}::{{ c.type_sql }}{% endif %};
{% endif %}
{% if nullable_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} {% if c.nullable %}DROP{% else %}SET{% endif %} NOT NULL;
{% endif %}
{% if default_changed %}
ALTER TABLE {{ table|ident }} ALTER COLUMN {{ c.name|ident }} {% if c.default_sql is not none %}SET DEFAULT {{ c.default_sql }}{% else %}DROP DEFAULT{% endif %};
{% endif %}
