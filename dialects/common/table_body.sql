{#- The parenthesised body of a CREATE TABLE: columns, then constraints. -#}
(
{% if t.columns %}
    {{ t.columns|columns(",\n    ") }}{% if t.constraints %},{% endif %}

{% endif %}
{% for k in t.constraints %}
    {%+ include "constraint.sql" %}{% if not loop.last %},{% endif %}

{% endfor %}
)