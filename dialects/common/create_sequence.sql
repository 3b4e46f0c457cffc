{#- SPEC 9. The same clauses on PostgreSQL (https://www.postgresql.org/docs/current/sql-createsequence.html)
    and MariaDB 10.3+ (https://mariadb.com/kb/en/create-sequence/); the planner leaves OWNED BY
    out where the dialect has none. -#}
CREATE SEQUENCE {{ name|ident }}
{%- if start is not none %} START WITH {{ start }}{% endif %}
{%- if increment is not none %} INCREMENT BY {{ increment }}{% endif %}
{%- if min is not none %} MINVALUE {{ min }}{% endif %}
{%- if max is not none %} MAXVALUE {{ max }}{% endif %}
{%- if cycle %} CYCLE{% endif %}
{%- if owned_by is not none %} OWNED BY {{ owned_by[0]|ident }}.{{ owned_by[1]|ident }}{% endif %};
