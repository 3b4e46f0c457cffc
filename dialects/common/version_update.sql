UPDATE {{ table|ident }} SET version_num = {{ rev|literal }} WHERE version_num = {{ old|literal }};
