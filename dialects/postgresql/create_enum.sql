CREATE TYPE {{ name|ident }} AS ENUM ({% for v in values %}{{ v|literal }}{% if not loop.last %}, {% endif %}{% endfor %});
