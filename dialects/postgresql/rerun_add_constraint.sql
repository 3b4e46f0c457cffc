DO {{ dollar }}
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {{ table|ident|literal }}::regclass AND conname = {{ k.name|literal }}) THEN
        ALTER TABLE {{ table|ident }} ADD {% include "constraint.sql" %};
    END IF;
END
{{ dollar }};
