DELETE FROM {{ table|ident }} WHERE
{% for row in rows %}
    ({% for v in row %}{{ key[loop.index0]|ident }} = {{ v }}{% if not loop.last %} AND {% endif %}{% endfor %}){% if not loop.last %} OR{% else %};{% endif %}

{% endfor %}
