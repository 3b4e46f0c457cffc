{#- https://www.postgresql.org/docs/current/sql-dropsequence.html, https://mariadb.com/kb/en/drop-sequence/ -#}
DROP SEQUENCE {{ name|ident }};
