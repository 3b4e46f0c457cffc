DROP INDEX {{ i.name|ident }} ON {{ i.table|ident }};
