{#- What a version guard asks (`version_guard.sql`, SPEC 10.5), as one SQL
    condition that every dialect reads alike: the version table holds every
    revision of `holds` (`count` of them), none of `lacks` and, with `only`,
    nothing else. `holds` and `lacks` are lists of literals, `'a', 'b'`. -#}
{% if holds %}(SELECT COUNT(*) FROM {{ table|ident }} WHERE version_num IN ({{ holds }})) = {{ count }}{% endif %}
{%- if only %}{% if holds %} AND {% endif %}(SELECT COUNT(*) FROM {{ table|ident }}) = {{ count }}
{%- elif lacks %}{% if holds %} AND {% endif %}NOT EXISTS (SELECT 1 FROM {{ table|ident }} WHERE version_num IN ({{ lacks }})){% endif %}
