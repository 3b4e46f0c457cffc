COMMENT ON COLUMN {{ table|ident }}.{{ column|ident }} IS {% if comment is not none %}{{ comment|literal }}{% else %}NULL{% endif %};
