{#- One value of a rebuild's SELECT list (`c`): a changed type is converted
    with CAST, and a backfill fills NULLs with COALESCE. Columns copied as
    they are never reach this template (the `copy_exprs` filter writes their name).
    A column the revision adds with a `backfill` has no source: every row takes the backfill. -#}
{% if c.source is none %}{{ c.backfill }}{% else %}
{%- if c.backfill is not none %}COALESCE({% endif %}
{%- if c.cast %}CAST({{ c.source|ident }} AS {{ c.type_sql }}){% else %}{{ c.source|ident }}{% endif %}
{%- if c.backfill is not none %}, {{ c.backfill }}){% endif %}
{%- endif %}
