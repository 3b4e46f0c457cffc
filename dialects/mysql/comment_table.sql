{#- https://dev.mysql.com/doc/refman/8.4/en/alter-table.html (table_options: COMMENT); an empty comment is none. -#}
ALTER TABLE {{ table|ident }} COMMENT = {% if comment is none %}''{% else %}{{ comment|literal }}{% endif %};
