{#- One value of a rebuild's SELECT list (`c`): a changed type is converted
    with CAST, and a backfill fills NULLs with COALESCE. Columns copied as
    they are never reach this template (the `copy_exprs` filter writes their name).
    A column the revision adds with a `backfill` has no source: every row takes the backfill.
    `using` is the user's expression for the new value; `map` rewrites enum values (alter_enum). -#}
{% if c.source is none %}{{ c.backfill }}{% else %}
{%- if c.backfill is not none %}COALESCE({% endif %}
{%- if c.using is not none %}({{ c.using }})
{%- elif c.map %}CASE {{ c.source|ident }}{% for m in c.map %} WHEN {{ m[0]|literal }} THEN {{ m[1]|literal }}{% endfor %} ELSE {{ c.source|ident }} END
{%- elif c.cast %}CAST({{ c.source|ident }} AS {{ c.type_sql }}){% else %}{{ c.source|ident }}{% endif %}
{%- if c.backfill is not none %}, {{ c.backfill }}){% endif %}
{%- endif %}
