CREATE TABLE IF NOT EXISTS {{ t.name|ident }} {% include "table_body.sql" %}{% if t.options is not none %} {{ t.options }}{% endif %};
