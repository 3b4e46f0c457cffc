{#- https://dev.mysql.com/doc/refman/8.4/en/insert-on-duplicate.html and
    https://mariadb.com/kb/en/insert-on-duplicate-key-update/ : VALUES(col) is
    understood by both (MySQL 8.0.20+ deprecates it with a warning only). -#}
INSERT INTO {{ table|ident }} ({{ columns|idents }}) VALUES
{% for row in values %}
    ({{ row|join(", ") }}){% if not loop.last %},{% endif %}

{% endfor %}
{% if update %}
ON DUPLICATE KEY UPDATE {% for c in update %}{{ c|ident }} = VALUES({{ c|ident }}){% if not loop.last %}, {% endif %}{% endfor %};
{% else %}
ON DUPLICATE KEY UPDATE {{ key[0]|ident }} = {{ key[0]|ident }};
{% endif %}
