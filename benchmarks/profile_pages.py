"""Where each core page's time goes: the profile behind the load benchmark's figures.

Run against a scaled database (DATABASE_URL and OPENIPT_VAR_DIR as `make bench` sets them, with
production settings: cached templates, compressed static files). Each core page is requested in
process through the real middleware, as the people who use it, after a warm-up; for each the
median time of REPEAT requests is split into

- SQL: the time the database calls took (Django's query log; the round trip included),
- templates: time inside template rendering (less the SQL run from templates),
- Python in the view: the rest (middleware, access rules, building queries and model objects,
  the audit row).

Saving a PHQ-9 is measured as the load benchmark sends it (an extra measure, saved each time:
run it on a benchmark database, never on a clinic's).

One request's time on one core bounds the throughput: two cores serve at most 2,000 / time
requests a second, before the load tool, PostgreSQL and the other requests take their share.
`--top N` adds the N functions with the most own time per page (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.template.backends.django import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.explain import core_pages  # noqa: E402
from tests.test_constant_queries import PHQ9  # noqa: E402

REPEAT = 20


@contextmanager
def timed_rendering() -> Iterator[list[float]]:
    """Seconds spent inside each top-level template render, and the SQL run meanwhile (negative)."""
    spans: list[float] = []
    original: Callable[..., Any] = Template.render
    depth = 0

    def render(self: Template, *args: Any, **kwargs: Any) -> Any:
        nonlocal depth
        depth += 1
        queries_before = len(connection.queries_log)
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            depth -= 1
            if depth == 0:
                sql = sum(float(q["time"]) for q in list(connection.queries_log)[queries_before:])
                spans.append(time.perf_counter() - start - sql)

    Template.render = render  # type: ignore[method-assign]
    try:
        yield spans
    finally:
        Template.render = original  # type: ignore[method-assign]


def phq9_form() -> dict[str, str]:
    """A PHQ-9 without a risk answer, as the load benchmark sends it (a new response each time)."""
    data = {"phq9-response_uuid": str(uuid.uuid4()), "phq9-source": "client"}
    return data | {f"phq9-phq9-{i}": str(v) for i, v in enumerate(PHQ9, start=1)}


def request(http: Client, url: str) -> Any:
    """GET a page; POST a PHQ-9 to a measure URL (saved, as in the load benchmark)."""
    if "/measures/" in url:
        return http.post(url, phq9_form())
    return http.get(url)


def measure(http: Client, url: str) -> tuple[float, float, float, int]:
    """Median total, SQL and template milliseconds of REPEAT requests, and the query count."""
    totals, sqls, templates = [], [], []
    count = 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx, timed_rendering() as spans:
            start = time.perf_counter()
            response = request(http, url)
            totals.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (url, response.status_code)
        sqls.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        templates.append(sum(spans) * 1000)
        count = len(ctx.captured_queries)
    return statistics.median(totals), statistics.median(sqls), statistics.median(templates), count


def top_functions(http: Client, url: str, n: int) -> list[str]:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        request(http, url)
    profile.disable()
    stats = pstats.Stats(profile)
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:n]  # type: ignore[attr-defined]
    return [
        f"  - {tottime / 5 * 1000:.1f} ms/request in {fn}:{line} ({where.split('site-packages/')[-1]})"
        for (where, line, fn), (_, _, tottime, _, _) in rows
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=0, help="also list the N functions with most own time")
    args = parser.parse_args()
    pages, alice, busiest = core_pages()
    floor = Client()
    floor.force_login(alice)
    floor.get("/bench/floor/")
    floor_ms = statistics.median(measure_floor(floor) for _ in range(REPEAT))
    print(
        f"\nWhere the time goes ({connection.vendor}): median of {REPEAT} requests in one process, "
        "one at a time\n"
    )
    print(
        "| Page | Total ms | SQL ms | Templates ms | Python in the view ms | Queries | × floor "
        "| Bound on 2 cores, req/s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| Floor | {floor_ms:.1f} | | | | 3 | 1.0 | {2000 / floor_ms:,.0f} |")
    # Saving a PHQ-9 as the load benchmark does: an extra measure for a client of alice's.
    pages.append(
        (alice, "Save a PHQ-9", "save a PHQ-9", f"/measures/clients/{busiest.course.client_id}/phq9/")
    )
    tops = []
    for user, label, _, url in pages:
        http = Client()
        http.force_login(user)
        request(http, url)
        total, sql, templates, count = measure(http, url)
        rest = max(total - sql - templates, 0.0)
        print(
            f"| {label} | {total:.1f} | {sql:.1f} | {templates:.1f} | {rest:.1f} | {count} | "
            f"{total / floor_ms:.0f} | {2000 / total:,.0f} |"
        )
        if args.top:
            tops.append(f"- {label}:\n" + "\n".join(top_functions(http, url, args.top)))
    if tops:
        print("\nFunctions with the most own time (cProfile, which slows Python, not the database):\n")
        print("\n".join(tops))
    return 0


def measure_floor(http: Client) -> float:
    start = time.perf_counter()
    response = http.get("/bench/floor/")
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    sys.exit(main())
