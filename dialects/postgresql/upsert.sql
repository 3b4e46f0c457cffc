{#- https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT -#}
{% include "common/upsert.sql" %}
{% if identity is not none %}
{# Explicit ids do not advance the identity's sequence: move it past them. #}
SELECT setval(pg_get_serial_sequence({{ (table|ident)|literal }}, {{ identity|literal }}), (SELECT MAX({{ identity|ident }}) FROM {{ table|ident }}));
{% endif %}
