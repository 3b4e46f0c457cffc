{#- The parenthesised body of a CREATE TABLE: columns, then constraints. -#}
{% import "macros.sql" as m %}
{% import "constraints.sql" as k_ %}
{% macro table_body(t) %}
(
{% for c in t.columns %}
    {{ m.column_def(c) }}{% if not loop.last or t.constraints %},{% endif %}

{% endfor %}
{% for k in t.constraints %}
    {{ k_.constraint_def(k) }}{% if not loop.last %},{% endif %}

{% endfor %}
)
{%- endmacro %}
