{#- Several changes to one table in one ALTER TABLE (SPEC 11): the table is
    altered (and, for what is not instant, rebuilt) once instead of once per
    change. With [safety] online, the ALGORITHM the target version allows for
    every clause: the server refuses the statement (ERROR 1845/1846) rather
    than fall back to a table copy that blocks writes. MySQL accepts only
    LOCK=DEFAULT with INSTANT, so LOCK=NONE goes with INPLACE alone.
    MySQL 8.4 manual 17.12.1 Online DDL Operations:
    https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html,
    17.12.2 "The LOCK clause ... Only LOCK=DEFAULT is supported for operations
    that are performed instantly": https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl.html;
    MariaDB: https://mariadb.com/kb/en/innodb-online-ddl-overview/ -#}
{% if clauses|length == 1 %}
ALTER TABLE {{ table|ident }} {{ clauses[0] }}{% if algorithm == "instant" %}, ALGORITHM=INSTANT{% elif algorithm == "inplace" %}, ALGORITHM=INPLACE, LOCK=NONE{% endif %};
{% else %}
ALTER TABLE {{ table|ident }}
{% for c in clauses %}
    {{ c }}{% if not loop.last or algorithm %},{% else %};{% endif %}

{% endfor %}
{% if algorithm == "instant" %}
    ALGORITHM=INSTANT;
{% elif algorithm == "inplace" %}
    ALGORITHM=INPLACE, LOCK=NONE;
{% endif %}
{% endif %}
