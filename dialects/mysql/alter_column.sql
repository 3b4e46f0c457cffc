{# MODIFY restates the whole column: https://dev.mysql.com/doc/refman/8.0/en/alter-table.html #}
{% import "macros.sql" as m %}
ALTER TABLE {{ table|ident }} MODIFY {{ m.column_def(c) }};
