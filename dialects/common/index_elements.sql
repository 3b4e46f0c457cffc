{#- The elements of an index `i`: a column (with its prefix length, operator class, order and
    NULLS order) or an expression in parentheses (raw SQL the user wrote). -#}
{%- for e in i.elements -%}
{%- if e.expr %}({{ e.name }}){% else %}{{ e.name|ident }}{% if e.length is not none %}({{ e.length }}){% endif %}{% endif -%}
{%- if e.opclass is not none %} {{ e.opclass|ident }}{% endif -%}
{%- if e.desc is true %} DESC{% elif e.desc is false %} ASC{% endif -%}
{%- if e.nulls_first is true %} NULLS FIRST{% elif e.nulls_first is false %} NULLS LAST{% endif -%}
{%- if not loop.last %}, {% endif -%}
{%- endfor -%}