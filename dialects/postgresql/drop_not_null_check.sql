ALTER TABLE {{ table|ident }} DROP CONSTRAINT IF EXISTS {{ name|ident }};
