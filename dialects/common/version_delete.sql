DELETE FROM {{ table|ident }} WHERE version_num = {{ rev|literal }};
