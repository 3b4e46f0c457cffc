{# PostgreSQL cannot remove a value from an enum type (https://www.postgresql.org/docs/current/sql-altertype.html):
   the type is renamed aside, a new one made with the values kept, each column converted through text
   (its default dropped first, as the old default cannot be cast, and set again after), the old type dropped.
   A row that still holds a removed value fails the conversion. #}
ALTER TYPE {{ name|ident }} RENAME TO {{ temp|ident }};
CREATE TYPE {{ name|ident }} AS ENUM ({% for v in values %}{{ v|literal }}{% if not loop.last %}, {% endif %}{% endfor %});
{% for u in columns %}
{% if u.c.default_sql is not none %}
ALTER TABLE {{ u.table|ident }} ALTER COLUMN {{ u.c.name|ident }} DROP DEFAULT;
{% endif %}
ALTER TABLE {{ u.table|ident }} ALTER COLUMN {{ u.c.name|ident }} TYPE {{ name|ident }} USING {% if map %}(CASE {{ u.c.name|ident }}::text{% for m in map %} WHEN {{ m[0]|literal }} THEN {{ m[1]|literal }}{% endfor %} ELSE {{ u.c.name|ident }}::text END){% else %}{{ u.c.name|ident }}::text{% endif %}::{{ name|ident }};
{% if u.c.default_sql is not none %}
ALTER TABLE {{ u.table|ident }} ALTER COLUMN {{ u.c.name|ident }} SET DEFAULT {{ u.c.default_sql }};
{% endif %}
{% endfor %}
DROP TYPE {{ temp|ident }};
