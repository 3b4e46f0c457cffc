{% import "macros.sql" as m %}
{% import "constraints.sql" as k_ %}
ALTER TABLE {{ table|ident }} ADD {{ k_.constraint_def(k) }};
