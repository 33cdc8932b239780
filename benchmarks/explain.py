"""Every query of the core pages uses an index: EXPLAIN each one on PostgreSQL.

Run against a scaled database (`DATABASE_URL` pointing at PostgreSQL, `openipt demo --scale N`
loaded; `make bench` does this in its PostgreSQL step). For each core page it captures the
queries the page runs (Django's test client, the real URL and middleware), then asks PostgreSQL
for each SELECT's plan. A sequential scan of a table holding more than `BIG` rows is reported:
at programme scale it grows with the data. Each page's query count is compared with the count
tests/test_constant_queries.py pins at 100 and 1,000 clients, so the same pins are checked at the
benchmark's size (100,000 clients in the issue's run). Prints a Markdown table and exits non-zero
if any page scans a big table or runs a different number of queries, so the step is visible in
`make bench`.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from openipt.accounts.models import User  # noqa: E402
from openipt.courses.models import Attendance, CourseStatus, Session  # noqa: E402
from tests.test_constant_queries import EXPECTED as PINNED  # noqa: E402
from tests.test_constant_queries import PHQ9  # noqa: E402

# Rows. A table smaller than this is read whole in a few milliseconds, and in a small programme a
# team's rows are a large share of each table, which PostgreSQL rightly reads whole (at 2,000
# clients one team is a sixth of every table). At programme scale every core table is far larger.
BIG = 50_000


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


def core_pages() -> tuple[list[tuple[Any, str, str, str]], Any, Session]:
    """(user, label, key in the test's pins, URL) of each core page, chosen as
    tests/test_constant_queries.py chooses them: alice's client with the most sessions held, at
    that client's latest session held; also alice and that session."""
    alice = User.objects.get(username="alice")
    bob = User.objects.get(username="bob")
    active = Session.objects.filter(course__clinician=alice, course__status=CourseStatus.ACTIVE)
    busiest = max(active, key=lambda s: (s.attendance == Attendance.ATTENDED, s.number, -s.pk), default=None)
    assert busiest is not None, "alice has no active course: load `openipt demo --scale N` first"
    pages = [
        (alice, "Caseload", "caseload", "/"),
        (alice, "Team caseload", "team caseload", "/?view=team"),
        (alice, "Client list", "client list", "/clients/"),
        (alice, "Client page", "client page", f"/clients/{busiest.course.client_id}/"),
        (alice, "Session page", "session page", f"/sessions/{busiest.pk}/"),
        (bob, "Supervisor view", "supervision", "/reports/supervision/"),
    ]
    return pages, alice, busiest


def run_page(user: Any, method: str, url: str, data: dict[str, str] | None = None) -> list[str]:
    """The SQL a page runs, counted as tests/test_constant_queries.py counts it: inside a
    transaction (rolled back afterwards, so a saved PHQ-9 or the page's audit rows are not kept),
    after a first request has warmed the per-process caches."""
    http = Client()
    http.force_login(user)
    http.get("/")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            response = http.post(url, data) if method == "post" else http.get(url)
        explained = [q["sql"] for q in ctx.captured_queries]
        transaction.set_rollback(True)
    assert response.status_code in (200, 302), (url, response.status_code)
    return explained


def main() -> int:
    if connection.vendor != "postgresql":
        print("explain.py needs PostgreSQL (DATABASE_URL); skipped.")
        return 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sizes = table_sizes()
    pages, alice, busiest = core_pages()
    print(f"\nEXPLAIN of every query of the core pages ({sizes.get('clients_client', 0):,} clients)\n")
    print(
        "| Page | Queries | Pinned at 100 and 1,000 clients (tests) | SELECTs explained "
        "| Sequential scans of big tables |"
    )
    print("| --- | --- | --- | --- | --- |")
    failed = False
    for user, label, key, url in pages:
        queries = run_page(user, "get", url)
        selects = [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]
        scans = sorted({scan for sql in selects for scan in big_scans(sql, sizes)})
        same = len(queries) == PINNED[key]
        failed |= bool(scans) or not same
        print(
            f"| {label} | {len(queries)} | {PINNED[key]}: {'same' if same else 'DIFFERENT'} | "
            f"{len(selects)} | {', '.join(scans) or 'none'} |"
        )
    upcoming = busiest.course.sessions.filter(attendance=Attendance.SCHEDULED).order_by("number").first()
    if upcoming is not None:
        data = {"phq9-response_uuid": str(uuid.uuid4()), "phq9-source": "client"}
        data |= {f"phq9-phq9-{i}": str(v) for i, v in enumerate(PHQ9, start=1)}
        count = len(run_page(alice, "post", f"/measures/sessions/{upcoming.pk}/phq9/", data))
        same = count == PINNED["save a PHQ-9"]
        failed |= not same
        print(
            f"| Save a PHQ-9 (not kept) | {count} | {PINNED['save a PHQ-9']}: "
            f"{'same' if same else 'DIFFERENT'} | — | — |"
        )
    print(
        "\nEvery query uses an index, and every page runs the queries it runs at 100 and 1,000 clients."
        if not failed
        else "\nSome page scans a big table or runs a different number of queries (above)."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
