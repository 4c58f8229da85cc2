"""Registry benchmark: the school list and the passport page at 200 and at 10,000 schools.

Builds a throwaway SQLite database in a temporary directory, fills it with the demo generator, and for each
page and each persona (the city supervisor, a district chief) prints p50/p95 over N requests and the number of
SQL queries per request. Targets: p95 under 100 ms at 10,000 schools, and the same query count at every size.

    .venv/bin/python bench/registry.py                 # or: make bench
    .venv/bin/python bench/registry.py --sizes 200 --requests 20
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass

from common import percentile

P95_TARGET_MS = 100.0
CHIEF = "chief_aue"  # the chief of the biggest district


@dataclass
class Row:
    size: int
    user: str
    page: str
    p50: float
    p95: float
    queries: int
    slowest_sql: float


def _measure(client, url: str, requests: int) -> tuple[float, float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up template and query caches, as a running server would be
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    # Read them now: every request clears the connection's query log when it starts.
    queries = len(ctx.captured_queries)
    slowest = max((float(q["time"]) for q in ctx.captured_queries), default=0.0) * 1000
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings), percentile(timings, 95), queries, slowest


def _run_size(size: int, requests: int) -> tuple[float, list[Row]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from qorgau.accounts.models import User
    from qorgau.accounts.scoping import visible
    from qorgau.core import demo
    from qorgau.registry.models import School

    started = time.perf_counter()
    demo.demo_create(schools=size)
    generated = time.perf_counter() - started
    # Measure a settled server: the generator's garbage collected, its write-ahead log folded into the file.
    gc.collect()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # The passport of the chief's demo school: visible to both personas, with a history.
    school_id = User.objects.get(username=f"school_{CHIEF.split('_')[1]}").organisation.school_id
    rows = []
    for username in ("city", CHIEF):
        user = User.objects.get(username=username)
        last_page = math.ceil(visible(user, School).count() / settings.PAGE_SIZE)
        pages = [
            ("list", "/schools/"),
            ("list ?missing=cameras_unlinked", "/schools/?missing=cameras_unlinked"),
            ("list ?missing=faulty", "/schools/?missing=faulty"),
            ("list ?q=лицей", "/schools/?q=лицей"),
            (f"list, last page ({last_page})", f"/schools/?page={last_page}"),
            ("passport", f"/schools/{school_id}/"),
        ]
        client = Client()
        client.force_login(user)
        for name, url in pages:
            p50, p95, queries, slowest = _measure(client, url, requests)
            rows.append(Row(size, username, name, p50, p95, queries, slowest))
            print(f"  {username:<10} {name:<32} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries} queries")
    return generated, rows


def _report(generated: dict[int, float], rows: list[Row]) -> None:
    print()
    print("Generation: " + ", ".join(f"{size:,} schools in {secs:.1f} s" for size, secs in generated.items()))
    print()
    header = (
        f"{'schools':>7}  {'user':<10}  {'page':<32}  {'p50 ms':>7}  {'p95 ms':>7}  {'queries':>7}  "
        f"{'slowest SQL ms':>14}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.size:>7,}  {r.user:<10}  {r.page:<32}  {r.p50:>7.1f}  {r.p95:>7.1f}  {r.queries:>7}  "
            f"{r.slowest_sql:>14.1f}"
        )
    largest = max(generated)
    print()
    print(
        f"Targets: p95 < {P95_TARGET_MS:.0f} ms at {largest:,} schools; the same query count at every size."
    )
    by_key: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        page = "list, last page" if r.page.startswith("list, last page") else r.page
        by_key.setdefault((r.user, page), []).append(r)
    for (user, page), group in by_key.items():
        big = next(r for r in group if r.size == largest)
        counts = sorted({r.queries for r in group})
        speed = "ok" if big.p95 < P95_TARGET_MS else "MISSED"
        same = "ok" if len(counts) == 1 else f"DIFFERS {counts}"
        print(f"  {user:<10} {page:<32} p95 {big.p95:7.1f} ms: {speed:<6}  queries: {same}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 10_000])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as var_dir:
        # Settings read these when Django is set up, so they must be in place before the import.
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a configured server
        os.environ["DEBUG"] = "false"  # time what production runs
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        generated: dict[int, float] = {}
        rows: list[Row] = []
        for i, size in enumerate(args.sizes):
            if i:
                call_command("flush", interactive=False, verbosity=0)  # start the next size from empty
            print(f"Generating {size:,} schools and measuring {args.requests} requests per page…", flush=True)
            generated[size], size_rows = _run_size(size, args.requests)
            rows += size_rows
        _report(generated, rows)
        from django.db import connections

        connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
