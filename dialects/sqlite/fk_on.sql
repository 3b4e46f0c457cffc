{# SQLite's default cache size again (https://www.sqlite.org/pragma.html#pragma_cache_size). #}
PRAGMA cache_size=-2000;
PRAGMA foreign_keys=ON;
