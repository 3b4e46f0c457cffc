{# SQLite's generalized ALTER TABLE procedure: https://www.sqlite.org/lang_altertable.html#otheralter #}
{#- SPEC 10.6: CAST turns text that is not a number into 0 (https://www.sqlite.org/lang_expr.html#castexpr),
    where PostgreSQL and MySQL refuse the conversion: before anything changes, the script fails (through
    the CHECK of a temporary table, which stops `sqlite3 -bail`) unless every value is an integer's text. #}
{% for c in copied if c.guard %}
CREATE TEMP TABLE _schemac_cast_check (lost INTEGER NOT NULL CONSTRAINT {{ ("a value of " ~ table ~ "." ~ c.source ~ " is not an integer") | ident }} CHECK (lost = 0));
INSERT INTO _schemac_cast_check (lost) SELECT count(*) FROM {{ table|ident }} WHERE typeof({{ c.source|ident }}) = 'text' AND (ltrim(trim({{ c.source|ident }}), '+-') = '' OR ltrim(trim({{ c.source|ident }}), '+-') GLOB '*[^0-9]*' OR length(trim({{ c.source|ident }})) - length(ltrim(trim({{ c.source|ident }}), '+-')) > 1);
DROP TABLE _schemac_cast_check;
{% endfor %}
{#- SQLite's RENAME checks the text of every trigger: one on another table that names this one is
    dropped first and made again at the end (SPEC 10.6). #}
{% for tr in naming_triggers %}
DROP TRIGGER {{ tr.name|ident }};
{% endfor %}
{% for v in views_rev %}
DROP VIEW {{ v.name|ident }};
{% endfor %}
CREATE TABLE {{ t.name|ident }} {% include "table_body.sql" %};
{% if copied %}
INSERT INTO {{ temp|ident }} ({{ copied_names|idents }})
    SELECT {{ copied|copy_exprs }} FROM {{ table|ident }};
{% endif %}
DROP TABLE {{ table|ident }};
ALTER TABLE {{ temp|ident }} RENAME TO {{ table|ident }};
{% for i in indexes %}
{% include "create_index.sql" %}
{% endfor %}
{% for tr in triggers %}
{{ tr }};
{% endfor %}
{% for v in views %}
CREATE VIEW {{ v.name|ident }} AS {{ v.sql }};
{% endfor %}
{% for tr in naming_triggers %}
{{ tr.sql }};
{% endfor %}
{# A foreign key violation fails the script (PRAGMA foreign_key_check alone only prints). Only the
   rebuilt table and the tables that refer to it can hold a new one, so only they are checked
   (not the whole database); the SELECT prints, for each, the violations found and their count,
   then the CHECK stops the script. https://www.sqlite.org/pragma.html#pragma_foreign_key_check #}
{% set violations %}{% for t in fk_checked %}{% if not loop.first %} UNION ALL {% endif %}SELECT * FROM pragma_foreign_key_check({{ t|literal }}){% endfor %}{% endset %}
SELECT 'foreign key violation: ' || "table" || ' has ' || count(*) || ' row(s) with no match in ' || parent FROM ({{ violations }}) GROUP BY "table", parent;
CREATE TEMP TABLE _schemac_fk_check (violations INTEGER NOT NULL CONSTRAINT foreign_key_violation_after_rebuild CHECK (violations = 0));
INSERT INTO _schemac_fk_check SELECT count(*) FROM ({{ violations }});
DROP TABLE _schemac_fk_check;
