{#- A revision split across transactions (SPEC 11) runs again after a failure
    in a later part: each of its steps is spelt so that a second run finds it
    done. https://www.postgresql.org/docs/15/sql-altertable.html -#}
ALTER TABLE {{ table|ident }} ADD COLUMN IF NOT EXISTS {{ column(c) }}{% for k in inline %} CONSTRAINT {{ k.name|ident }} REFERENCES {{ k.ref_table|ident }} ({{ k.ref_columns|idents }}){% if k.on_delete is not none %} ON DELETE {{ k.on_delete }}{% endif %}{% if k.on_update is not none %} ON UPDATE {{ k.on_update }}{% endif %}{% endfor %};
