"""Every query of the core pages uses an index: EXPLAIN each one on PostgreSQL.

Run against a scaled database (`DATABASE_URL` pointing at PostgreSQL, `openipt demo --scale N`
loaded; `make bench` does this in its PostgreSQL step). For each core page it captures the
queries the page runs (Django's test client, the real URL and middleware), then asks PostgreSQL
for each SELECT's plan. A sequential scan of a table holding more than `BIG` rows is reported:
at programme scale it grows with the data. Prints a Markdown table and exits non-zero if any
page scans a big table, so the step is visible in `make bench`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from openipt.accounts.models import User  # noqa: E402
from openipt.clients.models import Client as ClientRecord  # noqa: E402
from openipt.courses.models import Session  # noqa: E402

BIG = 1000  # rows: a table smaller than this may be read whole without harm


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        return {name: int(rows) for name, rows in cursor.fetchall()}


def big_scans(sql: str, sizes: dict[str, int]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    root = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    return [
        f"{n['Relation Name']} ({sizes.get(n['Relation Name'], 0):,} rows)"
        for n in plan_nodes(root)
        if n.get("Node Type") == "Seq Scan" and sizes.get(n.get("Relation Name", ""), 0) > BIG
    ]


def main() -> int:
    if connection.vendor != "postgresql":
        print("explain.py needs PostgreSQL (DATABASE_URL); skipped.")
        return 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sizes = table_sizes()
    alice = User.objects.get(username="alice")
    bob = User.objects.get(username="bob")
    client = ClientRecord.objects.filter(clinician=alice, courses__status="active").order_by("pk").first()
    assert client is not None, "alice has no active client: load `openipt demo --scale N` first"
    session = Session.objects.filter(course__client=client).order_by("number").first()
    assert session is not None
    pages = [
        (alice, "Caseload", "/"),
        (alice, "Team caseload", "/?view=team"),
        (alice, "Client list", "/clients/"),
        (alice, "Client page", f"/clients/{client.pk}/"),
        (alice, "Session page", f"/sessions/{session.pk}/"),
        (bob, "Supervisor view", "/reports/supervision/"),
    ]
    print(f"\nEXPLAIN of every query of the core pages ({sizes.get('clients_client', 0):,} clients)\n")
    print("| Page | Queries | SELECTs explained | Sequential scans of big tables |")
    print("| --- | --- | --- | --- |")
    failed = False
    for user, label, url in pages:
        http = Client()
        http.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(url)
        assert response.status_code == 200, (url, response.status_code)
        selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        scans = sorted({scan for sql in selects for scan in big_scans(sql, sizes)})
        failed |= bool(scans)
        print(f"| {label} | {len(ctx.captured_queries)} | {len(selects)} | {', '.join(scans) or 'none'} |")
    print("\nEvery query uses an index." if not failed else "\nSome queries scan a big table (above).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
