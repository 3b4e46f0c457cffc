{# Before MySQL 8.0 / MariaDB 10.5.2 a rename restates the column: CHANGE old new <definition>. #}
{% import "macros.sql" as m %}
ALTER TABLE {{ table|ident }} CHANGE {{ from|ident }} {{ m.column_def(c) }};
