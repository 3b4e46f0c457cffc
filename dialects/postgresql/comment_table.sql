{#- https://www.postgresql.org/docs/current/sql-comment.html: IS NULL drops the comment. -#}
COMMENT ON TABLE {{ table|ident }} IS {% if comment is none %}NULL{% else %}{{ comment|literal }}{% endif %};
