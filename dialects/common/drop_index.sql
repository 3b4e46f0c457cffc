DROP INDEX {% if i.concurrently %}CONCURRENTLY {% endif %}{{ i.name|ident }};
