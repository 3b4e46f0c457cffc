{# MODIFY restates the whole column: https://dev.mysql.com/doc/refman/8.0/en/alter-table.html
   With `using` (SPEC 9): the new values computed into a new column beside the old one, which
   then takes the old one's place and name (CHANGE restates it in full). #}
{% if using is not none %}
{% set temp = "_schemac_using_" ~ c.name %}
ALTER TABLE {{ table|ident }} ADD COLUMN {{ temp|ident }} {{ c.type_sql }} NULL AFTER {{ c.name|ident }};
UPDATE {{ table|ident }} SET {{ temp|ident }} = {{ using }};
ALTER TABLE {{ table|ident }} DROP COLUMN {{ c.name|ident }};
ALTER TABLE {{ table|ident }} CHANGE {{ temp|ident }} {{ column(c) }};
{% else %}
ALTER TABLE {{ table|ident }} MODIFY {{ column(c) }};
{% endif %}
