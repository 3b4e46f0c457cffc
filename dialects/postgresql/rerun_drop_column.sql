ALTER TABLE {{ table|ident }} DROP COLUMN IF EXISTS {{ column|ident }};
