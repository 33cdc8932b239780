"""Scoring throughput and the core pages' time and query count on the demo clinic (SQLite).

Prints figures only. The load benchmark against a real server (gunicorn, PostgreSQL, many
concurrent users) belongs to the performance issue and will extend this script.
"""

from __future__ import annotations

import itertools
import statistics
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from openipt.accounts.models import User  # noqa: E402
from openipt.clients.models import Client as ClientRecord  # noqa: E402
from openipt.courses.models import Session  # noqa: E402
from openipt.measures.scoring import score  # noqa: E402


def bench_scoring() -> None:
    vectors = list(itertools.product(range(4), repeat=9))
    start = time.perf_counter()
    for v in vectors:
        score("phq9", v)
    elapsed = time.perf_counter() - start
    print(f"| PHQ-9 scoring (all {len(vectors):,} vectors) | {len(vectors) / elapsed:,.0f} scores/s | |")


def bench_page(client: Client, label: str, url: str, runs: int = 30) -> None:
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"| {label} | median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms | "
        f"{len(ctx.captured_queries)} queries, {len(response.content) / 1024:.1f} KiB HTML |"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    risk_client = ClientRecord.objects.get(clinic_identifier="NS-1002")
    session = (
        Session.objects.filter(course__client=risk_client, attendance="scheduled").order_by("number").first()
    )
    assert session is not None
    print("| Benchmark | Time | Notes |\n| --- | --- | --- |")
    bench_scoring()
    bench_page(client, "Caseload (alice)", "/")
    bench_page(client, "Caseload (whole team)", "/?view=team")
    bench_page(client, "Client page", f"/clients/{risk_client.pk}/")
    bench_page(client, "Session page", f"/sessions/{session.pk}/")


if __name__ == "__main__":
    main()
