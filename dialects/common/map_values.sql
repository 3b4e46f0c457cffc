{# alter_enum: the rows holding a renamed or mapped value take the new one. #}
UPDATE {{ table|ident }} SET {{ column|ident }} = CASE {{ column|ident }}{% for m in map %} WHEN {{ m[0]|literal }} THEN {{ m[1]|literal }}{% endfor %} END WHERE {{ column|ident }} IN ({% for m in map %}{{ m[0]|literal }}{% if not loop.last %}, {% endif %}{% endfor %});
