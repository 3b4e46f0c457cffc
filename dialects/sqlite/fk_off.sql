{# Outside the transaction: inside one it does nothing. https://www.sqlite.org/pragma.html#pragma_foreign_keys
   A rebuild copies the whole table in one transaction: a page cache that holds it
   keeps SQLite from spilling dirty pages to disk mid-transaction (memory is only
   taken as pages are used). https://www.sqlite.org/pragma.html#pragma_cache_size #}
PRAGMA foreign_keys=OFF;
PRAGMA cache_size=-262144;
