DROP VIEW {{ name|ident }};
