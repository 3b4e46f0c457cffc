{#- https://www.postgresql.org/docs/current/sql-altersequence.html, https://mariadb.com/kb/en/alter-sequence/ -#}
ALTER SEQUENCE {{ name|ident }}
{%- if restart is not none %} RESTART WITH {{ restart }}{% endif %}
{%- if increment is not none %} INCREMENT BY {{ increment }}{% endif %}
{%- if owned_by is not none %} OWNED BY {{ owned_by[0]|ident }}.{{ owned_by[1]|ident }}{% endif %};
