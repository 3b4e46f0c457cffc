DROP TABLE {{ table|ident }};
