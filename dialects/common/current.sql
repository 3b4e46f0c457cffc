SELECT version_num FROM {{ table|ident }};
