CREATE VIEW {{ name|ident }} AS {{ sql }};
