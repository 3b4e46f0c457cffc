DROP INDEX {% if i.concurrently %}CONCURRENTLY {% endif %}IF EXISTS {{ i.name|ident }};
