ALTER TABLE {{ table|ident }} RENAME COLUMN {{ from|ident }} TO {{ to|ident }};
