{% import "table.sql" as tb %}
CREATE TABLE {{ t.name|ident }} {{ tb.table_body(t) }}{% if t.options is not none %} {{ t.options }}{% endif %};
