{#- A table constraint, the same on every dialect; `k` is the constraint. -#}
CONSTRAINT {{ k.name|ident }} 
{%- if k.kind == "primary_key" %} PRIMARY KEY ({{ k.columns|idents }})
{%- elif k.kind == "unique" %} UNIQUE ({{ k.columns|idents }})
{%- elif k.kind == "foreign_key" %} FOREIGN KEY ({{ k.columns|idents }}) REFERENCES {{ k.ref_table|ident }} ({{ k.ref_columns|idents }})
{%- if k.on_delete is not none %} ON DELETE {{ k.on_delete }}{% endif %}
{%- if k.on_update is not none %} ON UPDATE {{ k.on_update }}{% endif %}
{%- else %} CHECK ({{ k.expr }}){% endif %}