ALTER TABLE {{ table|ident }} DROP CONSTRAINT IF EXISTS {{ k.name|ident }};
