DELETE FROM {{ table|ident }};
