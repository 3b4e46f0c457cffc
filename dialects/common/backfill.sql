UPDATE {{ table|ident }} SET {{ column|ident }} = {{ value }} WHERE {{ column|ident }} IS NULL;
