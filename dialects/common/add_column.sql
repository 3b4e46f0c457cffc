{% import "macros.sql" as m %}
ALTER TABLE {{ table|ident }} ADD COLUMN {{ m.column_def(c) }}{% for k in inline %} CONSTRAINT {{ k.name|ident }} REFERENCES {{ k.ref_table|ident }} ({{ k.ref_columns|idents }}){% if k.on_delete is not none %} ON DELETE {{ k.on_delete }}{% endif %}{% if k.on_update is not none %} ON UPDATE {{ k.on_update }}{% endif %}{% endfor %};
