DROP TYPE {{ name|ident }};
