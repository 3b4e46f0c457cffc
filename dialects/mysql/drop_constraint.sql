{# https://dev.mysql.com/doc/refman/8.0/en/alter-table.html, https://mariadb.com/kb/en/alter-table/#drop-constraint #}
{% if k.kind == "foreign_key" %}
ALTER TABLE {{ table|ident }} DROP FOREIGN KEY {{ k.name|ident }};
{% elif k.kind == "unique" %}
ALTER TABLE {{ table|ident }} DROP INDEX {{ k.name|ident }};
{% elif k.kind == "primary_key" %}
ALTER TABLE {{ table|ident }} DROP PRIMARY KEY;
{% elif generic_drop %}
ALTER TABLE {{ table|ident }} DROP CONSTRAINT {{ k.name|ident }};
{% else %}
ALTER TABLE {{ table|ident }} DROP CHECK {{ k.name|ident }};
{% endif %}
