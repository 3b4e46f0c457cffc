{# MODIFY restates the whole column: https://dev.mysql.com/doc/refman/8.0/en/alter-table.html #}
ALTER TABLE {{ table|ident }} MODIFY {{ column(c) }};
