{#- A schema is a database: https://dev.mysql.com/doc/refman/8.4/en/create-database.html, https://mariadb.com/kb/en/create-database/ -#}
CREATE DATABASE {{ name|ident }};
