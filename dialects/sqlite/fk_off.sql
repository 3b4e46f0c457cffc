{# Outside the transaction: inside one it does nothing. https://www.sqlite.org/pragma.html#pragma_foreign_keys #}
PRAGMA foreign_keys=OFF;
