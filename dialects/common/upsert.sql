{#- Inserts the rows whose key is missing and updates the others (SQLite 3.24+, PostgreSQL 9.5+). -#}
INSERT INTO {{ table|ident }} ({{ columns|idents }}) VALUES
{% for row in values %}
    ({{ row|join(", ") }}){% if not loop.last %},{% endif %}

{% endfor %}
{% if update %}
ON CONFLICT ({{ key|idents }}) DO UPDATE SET {% for c in update %}{{ c|ident }} = excluded.{{ c|ident }}{% if not loop.last %}, {% endif %}{% endfor %};
{% else %}
ON CONFLICT ({{ key|idents }}) DO NOTHING;
{% endif %}
