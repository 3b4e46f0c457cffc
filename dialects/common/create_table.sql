{% import "macros.sql" as m %}
{% import "constraints.sql" as k_ %}
CREATE TABLE {{ t.name|ident }} (
{% for c in t.columns %}
    {{ m.column_def(c) }}{% if not loop.last or t.constraints %},{% endif %}

{% endfor %}
{% for k in t.constraints %}
    {{ k_.constraint_def(k) }}{% if not loop.last %},{% endif %}

{% endfor %}
){% if t.options is not none %} {{ t.options }}{% endif %};
