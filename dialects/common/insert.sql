INSERT INTO {{ table|ident }} ({{ columns|idents }}) VALUES
{% for row in values %}
    ({{ row|join(", ") }}){% if not loop.last %},{% else %};{% endif %}

{% endfor %}
