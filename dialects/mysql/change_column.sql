{# Before MySQL 8.0 / MariaDB 10.5.2 a rename restates the column: CHANGE old new <definition>. #}
ALTER TABLE {{ table|ident }} CHANGE {{ from|ident }} {{ column(c) }};
