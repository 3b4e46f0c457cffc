CREATE TABLE {{ t.name|ident }} {% include "table_body.sql" %}{% if t.comment is not none %} COMMENT={{ t.comment|literal }}{% endif %}{% if t.options is not none %} {{ t.options }}{% endif %};
