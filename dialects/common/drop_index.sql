DROP INDEX {% if i.concurrently %}CONCURRENTLY {% endif %}{{ i.qualified|ident }};
