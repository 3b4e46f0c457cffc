{# PostgreSQL 10+: https://www.postgresql.org/docs/current/sql-altertype.html #}
ALTER TYPE {{ name|ident }} RENAME VALUE {{ from|literal }} TO {{ to|literal }};
