{#- SPEC 10.5 on PostgreSQL: a DO block that raises, inside the revision's
    transaction, so that psql -v ON_ERROR_STOP=1 stops and nothing is kept.
    https://www.postgresql.org/docs/current/sql-do.html
    https://www.postgresql.org/docs/current/plpgsql-errors-and-messages.html
    `dollar` is a dollar quote that the body does not hold. -#}
DO {{ dollar }}
BEGIN
    IF NOT ({% include "version_guard_condition.sql" %}) THEN
        RAISE EXCEPTION USING MESSAGE = {{ message|literal }}, HINT = 'was this script applied already, or to a database at another revision?';
    END IF;
END
{{ dollar }};
