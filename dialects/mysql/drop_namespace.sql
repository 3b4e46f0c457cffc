{#- Replay has checked that the database holds nothing schemac knows of: https://dev.mysql.com/doc/refman/8.4/en/drop-database.html -#}
DROP DATABASE {{ name|ident }};
