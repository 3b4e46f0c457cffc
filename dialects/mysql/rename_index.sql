{#- MySQL 5.7+ https://dev.mysql.com/doc/refman/8.4/en/alter-table.html, MariaDB 10.5.2+ https://mariadb.com/kb/en/alter-table/#rename-indexkey -#}
ALTER TABLE {{ table|ident }} RENAME INDEX {{ from|ident }} TO {{ to|ident }};
