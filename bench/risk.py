"""Risk ranking and budget needs benchmark: "What to inspect next" and "Budget needs" on a big city.

Measures the pages against the database in DATABASE_URL, which must hold a benchmark city made with
`qorgau demo --schools 10000` (ten thousand schools with five years of inspections, scores and orders), e.g.
the one `bench/oversight.py` keeps. It first times gathering every school's risk facts (as the deadline job
does; it writes only those), then calls the views without a session. For the chief of
the biggest district and for the city supervisor it prints p50/p95 over N requests and the number of SQL
queries per request (the session's own queries not included). Target: p95 under 100 ms for a district on
PostgreSQL.

    createdb qorgau_bench && export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qorgau_bench
    .venv/bin/qorgau migrate && .venv/bin/qorgau demo --schools 10000
    .venv/bin/python bench/risk.py --requests 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from common import percentile

P95_TARGET_MS = 100.0
CHIEF = "chief_aue"  # the chief of the biggest district


def _measure(view, user, url: str, requests: int) -> tuple[float, float, int]:
    """Call the view as the server would, without a session: the benchmark database is only read."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django_htmx.middleware import HtmxDetails

    factory = RequestFactory()

    def get():
        request = factory.get(url)
        request.user = user
        request.htmx = HtmxDetails(request)
        response = view(request)
        assert response.status_code == 200, url
        return response

    for _ in range(3):
        get()
    with CaptureQueriesContext(connection) as ctx:
        get()
    queries = len(ctx.captured_queries)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        get()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 95), queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database holding `qorgau demo --schools 10000` (see the docstring).")
        return 2
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
    import django

    django.setup()
    from django.urls import resolve

    from qorgau.accounts.models import User
    from qorgau.oversight.risk import refresh_risk
    from qorgau.registry.models import School

    print(f"{School.objects.count():,} schools")
    # The deadline job gathers the ranking's facts for every school on each run.
    for run in (1, 2):
        started = time.perf_counter()
        n = refresh_risk()
        seconds = time.perf_counter() - started
        print(f"  gathering the risk facts of {n:,} schools (run {run}): {seconds:.1f} s")
    pages = [
        ("risk list", "/planning/next/"),
        ("risk list, page 5", "/planning/next/?page=5"),
        ("risk list, tier 3", "/planning/next/?tier=T3"),
        ("budget needs", "/budget/"),
        ("budget needs, overdue", "/budget/?window=overdue"),
    ]
    missed = []
    for username in (CHIEF, "city"):
        user = User.objects.select_related("organisation").get(username=username)
        for name, url in pages:
            view = resolve(url.split("?")[0]).func
            p50, p95, queries = _measure(view, user, url, args.requests)
            flag = "" if p95 < P95_TARGET_MS else "  (over target)"
            print(
                f"  {username:<10} {name:<24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries} queries{flag}"
            )
            if username == CHIEF and p95 >= P95_TARGET_MS:
                missed.append(name)
    print(
        f"Target: p95 < {P95_TARGET_MS:.0f} ms for a district: {'MISSED ' + str(missed) if missed else 'ok'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
