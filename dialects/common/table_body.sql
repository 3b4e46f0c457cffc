{#- The parenthesised body of a CREATE TABLE: columns, then constraints. -#}
(
{% for c in t.columns %}
    {{ column(c) }}{% if not loop.last or t.constraints %},{% endif %}

{% endfor %}
{% for k in t.constraints %}
    {%+ include "constraint.sql" %}{% if not loop.last %},{% endif %}

{% endfor %}
)