COMMENT ON TABLE {{ table|ident }} IS {{ comment|literal }};
