INSERT INTO {{ table|ident }} ({{ columns|idents }}) VALUES
{% for row in values %}
    ({{ row|join(", ") }}){% if not loop.last %},{% else %};{% endif %}

{% endfor %}
{% if identity is not none %}
{# Explicit ids do not advance the identity's sequence: move it past them. #}
SELECT setval(pg_get_serial_sequence({{ (table|ident)|literal }}, {{ identity|literal }}), (SELECT MAX({{ identity|ident }}) FROM {{ table|ident }}));
{% endif %}
