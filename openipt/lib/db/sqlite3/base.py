"""Django's SQLite backend, with a `flush` that works on tables guarded by triggers.

Some tables refuse DELETE with a trigger (the audit log: openipt/audit/triggers.py). Django's
`flush` (the explicit "empty every table" command, which the test suite's transactional tests
run between tests) empties SQLite tables with DELETE, which such a trigger aborts. PostgreSQL's
flush uses TRUNCATE, which fires no row triggers. Here, flush drops every trigger on the tables
it empties, deletes, and recreates the same triggers from their stored SQL, all in the one
transaction `execute_sql_flush` runs; nothing else changes.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations


class DatabaseOperations(SQLiteOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        sql: list[str] = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not sql:
            return sql
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            rows = cursor.fetchall()
        flushed = set(tables)
        if allow_cascade:  # the same widening Django's sql_flush applies
            flushed = set(chain.from_iterable(self._references_graph(t) for t in tables))  # type: ignore[attr-defined]
        triggers = [(name, text) for name, table, text in rows if table in flushed and text]
        drops = [f"DROP TRIGGER IF EXISTS {self.quote_name(name)};" for name, _ in triggers]
        creates = [f"{text};" for _, text in triggers]
        return [*drops, *sql, *creates]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
