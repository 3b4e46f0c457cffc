ALTER TABLE {{ table|ident }} DROP CONSTRAINT {{ k.name|ident }};
