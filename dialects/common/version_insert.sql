INSERT INTO {{ table|ident }} (version_num) VALUES ({{ rev|literal }});
