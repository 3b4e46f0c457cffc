{#- SPEC 10.5 on MySQL and MariaDB: first in the block, since DDL commits
    implicitly. A scalar subquery that returns two rows fails its statement
    with ERROR 1242 whatever the sql_mode (MySQL 8.4 manual, 15.2.15.10
    Subquery Errors: https://dev.mysql.com/doc/refman/8.4/en/subquery-errors.html);
    it is assigned to a user variable (11.4 User-Defined Variables:
    https://dev.mysql.com/doc/refman/8.4/en/user-variables.html) so that it
    prints no result, and `mysql` stops at the error. Works on MySQL 5.7 and
    8.x and on MariaDB, with no procedure, DELIMITER or temporary table (no
    privilege to need, no name to collide). Not `DO`: DO turns errors into
    warnings (MariaDB 10.11 does), and the script would go on. -#}
-- {{ message|comment }} (else ERROR 1242 "Subquery returns more than 1 row" here, before any change).
SET @schemac_guard = (SELECT 1 UNION ALL SELECT 2 FROM DUAL WHERE NOT ({% include "version_guard_condition.sql" %}));
