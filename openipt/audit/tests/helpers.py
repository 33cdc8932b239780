"""Tampering with the audit table the way someone with database access could."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from openipt.audit.triggers import create_sql, drop_sql

COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "organisation_id",
    "client_id",
    "object_type",
    "object_id",
    "ip_address",
    "prev_hash",
    "hash",
)


@contextmanager
def triggers_dropped() -> Iterator[None]:
    with connection.cursor() as cursor:
        for sql in drop_sql(connection.vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in create_sql(connection.vendor):
                cursor.execute(sql)


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def row(pk: int) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_auditevent WHERE id = %s", [pk])  # noqa: S608 - fixed column names
        values = cursor.fetchone()
    return dict(zip(COLUMNS, values, strict=True))


def set_row(pk: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{column} = %s" for column in values)
    assert set(values) <= set(COLUMNS)
    execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*values.values(), pk])  # noqa: S608


def insert_row(pk: int, values: dict[str, Any]) -> None:
    assert set(values) <= set(COLUMNS)
    columns = ", ".join(["id", *values])
    marks = ", ".join(["%s"] * (len(values) + 1))
    execute(f"INSERT INTO audit_auditevent ({columns}) VALUES ({marks})", [pk, *values.values()])  # noqa: S608


def swap(a: int, b: int) -> None:
    """Exchange the whole contents of two rows (they keep their ids): the entries change places."""
    first, second = row(a), row(b)
    set_row(a, {"prev_hash": "a" * 64, "hash": "b" * 64})  # clear the unique columns first
    set_row(b, first)
    set_row(a, second)
