{#- https://dev.mysql.com/doc/refman/8.4/en/insert-on-duplicate.html (15.2.7.2): from
    MySQL 8.0.19 the new row is named by a row alias (`AS new ... c = new.c`);
    VALUES(col) is deprecated from 8.0.20. MariaDB has no row alias and keeps
    VALUES(col): https://mariadb.com/kb/en/insert-on-duplicate-key-update/ -#}
INSERT INTO {{ table|ident }} ({{ columns|idents }}) VALUES
{% for row in values %}
    ({{ row|join(", ") }}){% if not loop.last %},{% endif %}

{% endfor %}
{% if update and row_alias %}
AS new ON DUPLICATE KEY UPDATE {% for c in update %}{{ c|ident }} = new.{{ c|ident }}{% if not loop.last %}, {% endif %}{% endfor %};
{% elif update %}
ON DUPLICATE KEY UPDATE {% for c in update %}{{ c|ident }} = VALUES({{ c|ident }}){% if not loop.last %}, {% endif %}{% endfor %};
{% else %}
ON DUPLICATE KEY UPDATE {{ key[0]|ident }} = {{ key[0]|ident }};
{% endif %}
