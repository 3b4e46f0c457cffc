RENAME TABLE {{ from|ident }} TO {{ to|ident }};
