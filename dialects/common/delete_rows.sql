DELETE FROM {{ table|ident }} WHERE
{% for c in conds %}
    ({{ c }}){% if not loop.last %} OR{% else %};{% endif %}

{% endfor %}
