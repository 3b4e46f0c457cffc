{#- An index as a clause of ALTER TABLE: https://dev.mysql.com/doc/refman/8.4/en/alter-table.html -#}
ADD {% if i.unique %}UNIQUE {% endif %}{% if i.kind is not none %}{{ i.kind|upper }} {% endif %}INDEX {{ i.name|ident }} ({% include "index_elements.sql" %})
