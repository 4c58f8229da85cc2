"""Oversight benchmark: dashboards and list pages over a national-scale history.

Generates the national city once (`qorgau demo --schools 10000`: 10,000 schools, about 110,000 inspections,
3.4 million answers, 300,000 order items) into a named database and keeps it: SQLite in
`var/<name>/qorgau.sqlite3`, or with DATABASE_URL the PostgreSQL database `<name>` on that server (the
configured database itself is never touched). `--reuse` measures a database generated before.

Then, for the city supervisor and a district chief, it prints p50/p95 over N requests and the SQL queries per
request of the dashboards and every list page (URL names that do not exist yet are skipped with a note), and
times `oversight.selectors.dashboard()` against hand-written SQL computing the same numbers.
Targets: city dashboard p95 < 300 ms on PostgreSQL, < 1 s on SQLite; district dashboard and lists < 100 ms;
the dashboard function within 1.5 times the hand-written SQL.

    .venv/bin/python bench/oversight.py                     # SQLite, generates var/qorgau_bench/ (minutes)
    .venv/bin/python bench/oversight.py --reuse             # measure the database generated before
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qorgau .venv/bin/python bench/oversight.py --reuse
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import percentile

ROOT = Path(__file__).resolve().parent.parent
CITY, CHIEF = "city", "chief_aue"  # the city supervisor, the chief of the biggest district
CITY_TARGET_MS = {"postgresql": 300.0, "sqlite": 1000.0}
PAGE_TARGET_MS = 100.0
SQL_RATIO_TARGET = 1.5
GENERATE_TARGET_S = 600.0  # the national data set in under ten minutes

# (user, label, URL name, query string). Names missing from the URL conf are skipped with a note.
PAGES = [
    (CITY, "city dashboard", "oversight:dashboard", ""),
    (CHIEF, "district dashboard", "oversight:dashboard", ""),
    (CITY, "schools", "registry:school_list", ""),
    (CHIEF, "schools", "registry:school_list", ""),
    (CITY, "inspections", "inspections:inspection_list", ""),
    (CHIEF, "inspections", "inspections:inspection_list", ""),
    (CITY, "orders", "orders:order_list", ""),
    (CHIEF, "orders", "orders:order_list", ""),
    (CITY, "overdue items", "orders:overdue_list", ""),
    (CHIEF, "overdue items", "orders:overdue_list", ""),
    (CITY, "verification queue", "orders:verification_queue", ""),
    (CHIEF, "verification queue", "orders:verification_queue", ""),
    (CITY, "dashboard items (open)", "oversight:item_list", "state=open"),
    (CITY, "dashboard items (overdue)", "oversight:item_list", "state=overdue"),
    (CHIEF, "dashboard items (overdue)", "oversight:item_list", "state=overdue"),
    (CITY, "risk list", "oversight:risk_list", ""),
    (CHIEF, "risk list", "oversight:risk_list", ""),
    (CITY, "budget list", "oversight:budget_list", ""),
    (CHIEF, "budget list", "oversight:budget_list", ""),
    (CITY, "campaigns", "inspections:campaign_list", ""),
    (CHIEF, "campaigns", "inspections:campaign_list", ""),
    (CITY, "current campaign", "inspections:campaign_detail", ""),
    (CITY, "security firms", "registry:firm_list", ""),
    (CITY, "equipment: cameras", "registry:equipment_list", "kind=cameras"),
    (CHIEF, "equipment: faulty cameras", "registry:equipment_list", "kind=cameras&status=faulty"),
    (CITY, "equipment: connected buttons", "registry:equipment_list", "kind=panic-buttons&link=yes"),
    (CITY, "change history", "core:audit_list", ""),
    (None, "public search ?q=лицей", "public:home", "q=лицей"),
    (None, "public school page", "public:school", ""),
    (CITY, "concerns", "public:concern_list", ""),
    (CHIEF, "concerns", "public:concern_list", ""),
]


def _url_args(name: str) -> list:
    """The arguments of a page about one object: the latest campaign, the first school by name."""
    from qorgau.inspections.models import Campaign
    from qorgau.registry.models import School

    if name == "inspections:campaign_detail":
        return [Campaign.objects.order_by("-starts_on", "-id").values_list("pk", flat=True).first()]
    if name == "public:school":
        return [School.objects.order_by("name_ru", "id").values_list("bin", flat=True).first()]
    return []


# ---------------------------------------------------------------------------------------------------------
# The database: named, generated once, kept.


def _prepare_environment(name: str) -> str:
    """Point the settings at the bench database before Django is set up; returns the vendor."""
    os.environ["DEBUG"] = "false"  # time what production runs
    os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        return "postgresql"
    os.environ["QORGAU_VAR_DIR"] = str(ROOT / "var" / name)
    return "sqlite"


def _recreate(vendor: str, name: str) -> None:
    if vendor == "sqlite":
        folder = Path(os.environ["QORGAU_VAR_DIR"])
        for suffix in ("", "-wal", "-shm"):
            (folder / f"qorgau.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _exists(vendor: str, name: str) -> bool:
    if vendor == "sqlite":
        return (Path(os.environ["QORGAU_VAR_DIR"]) / "qorgau.sqlite3").exists()
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _generate(schools: int) -> float:
    from django.core.management import call_command

    from qorgau.core import demo

    call_command("migrate", verbosity=0)
    print(f"Generating the national city: {schools:,} schools with five years of history…", flush=True)
    started = time.perf_counter()
    made = demo.demo_create(schools=schools, national=True)
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds < GENERATE_TARGET_S else "OVER"
    print(f"  generated in {seconds:.0f} s ({time.process_time():.0f} s CPU in this process); "
          f"target < {GENERATE_TARGET_S:.0f} s: {verdict}")  # fmt: skip
    print("  " + made.national.line())
    return seconds


def _counts() -> list[tuple[str, int]]:
    from qorgau.inspections.models import Answer, Finding, Inspection
    from qorgau.orders.models import Order, OrderItem, SchoolReport
    from qorgau.oversight.models import InspectionScore
    from qorgau.registry.models import Camera, School

    models = [School, Camera, Inspection, Answer, Finding, InspectionScore, Order, OrderItem, SchoolReport]
    counts = [(m.__name__, m.objects.count()) for m in models]
    overdue = OrderItem.objects.filter(status__in=["open", "reported"], overdue_since__isnull=False).count()
    return [*counts, ("OrderItem overdue", overdue)]


def _settle(vendor: str) -> None:
    """Measure a settled server: the generator's garbage collected, SQLite's log folded into the file, and on
    PostgreSQL the tables vacuumed, as autovacuum leaves them on a running server. A table just written has no
    page marked all-visible yet, so every index-only count would read the rows as well: the district
    dashboard's camera count took 30 ms before the vacuum and 8.5 ms after it."""
    from django.db import connection

    gc.collect()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM (ANALYZE)")


# ---------------------------------------------------------------------------------------------------------
# Pages.


def _measure(client, url: str, requests: int) -> tuple[float, float, int, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    status = response.status_code
    if status != 200:
        return 0.0, 0.0, 0, 0.0, status
    client.get(url)  # warm up template and query caches, as a running server would be
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)
    slowest = max((float(q["time"]) for q in ctx.captured_queries), default=0.0) * 1000
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 95), queries, slowest, status


def _pages(vendor: str, requests: int) -> list[tuple]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from qorgau.accounts.models import User

    clients = {}
    rows = []
    for username, label, name, query in PAGES:
        try:
            url = reverse(name, args=_url_args(name))
        except NoReverseMatch:
            print(f"  skipped {label} ({name}): no such page yet")
            continue
        url = f"{url}?{query}" if query else url
        if username not in clients:
            client = Client()
            if username:
                client.force_login(User.objects.get(username=username))
            clients[username] = client
        p50, p95, queries, slowest, status = _measure(clients[username], url, requests)
        who = username or "anonymous"
        if status != 200:
            print(f"  skipped {label} as {who}: HTTP {status}")
            continue
        target = CITY_TARGET_MS[vendor] if label == "city dashboard" else PAGE_TARGET_MS
        verdict = "ok" if p95 < target else "OVER"
        rows.append((who, label, p50, p95, queries, slowest, target, verdict))
        print(f"  {who:<10} {label:<28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries  {verdict}")
    return rows


# ---------------------------------------------------------------------------------------------------------
# The dashboard's aggregate: the app's function against hand-written SQL for the same numbers.


def _hand_sql(filters, vendor: str) -> dict:
    """Every figure of the city dashboard in six statements written by hand over the tables the app reads."""
    from django.db import connection

    from qorgau.oversight.models import CATEGORY_CODES, fail_field, pass_field
    from qorgau.registry.models import EquipmentStatus, SignalDestination

    working, none = EquipmentStatus.WORKING.value, SignalDestination.NONE.value
    start_at, end_before, start, end = filters.start_at, filters.end_before, filters.start, filters.end
    out = {"districts": {}, "categories": {}, "months": {}, "equipment": {}}
    with connection.cursor() as c:
        c.execute(
            """
            SELECT s.district_id, COUNT(*),
              SUM(CASE WHEN EXISTS (SELECT 1 FROM registry_panicbutton p WHERE p.school_id = s.id
                  AND p.status = %s AND p.signal_to <> %s) THEN 0 ELSE 1 END),
              SUM(CASE WHEN EXISTS (SELECT 1 FROM registry_camera k WHERE k.school_id = s.id
                  AND k.status = %s) THEN 0 ELSE 1 END),
              SUM(CASE WHEN EXISTS (SELECT 1 FROM registry_camera k WHERE k.school_id = s.id
                  AND k.status = %s AND k.linked_to_police) THEN 0 ELSE 1 END)
            FROM registry_school s GROUP BY s.district_id
            """,
            [working, none, working, working],
        )
        without = [0, 0, 0]
        for district, n, *missing in c.fetchall():
            out["districts"].setdefault(district, {})["schools"] = n
            without = [a + b for a, b in zip(without, missing, strict=True)]
        out["equipment"]["schools_without"] = without

        sums = ", ".join(f"SUM({pass_field(code)}), SUM({fail_field(code)})" for code in CATEGORY_CODES)
        c.execute(
            f"SELECT district_id, COUNT(*), COUNT(DISTINCT school_id), {sums} FROM oversight_inspectionscore "  # noqa: S608
            "WHERE approved_at >= %s AND approved_at < %s GROUP BY district_id",
            [start_at, end_before],
        )
        for district, n, schools, *values in c.fetchall():
            d = out["districts"].setdefault(district, {})
            d["inspections"], d["inspected"] = n, schools
            d["passed"], d["failed"] = sum(values[0::2]), sum(values[1::2])
            for k, code in enumerate(CATEGORY_CODES):
                cat = out["categories"].setdefault(code, {"passed": 0, "failed": 0})
                cat["passed"] += values[2 * k]
                cat["failed"] += values[2 * k + 1]

        # The items' own columns (district, category and issue time are copied onto every item), as the app
        # reads them: a fair comparison writes the SQL over the same schema, without joins the app avoids.
        if vendor == "postgresql":
            fix = "EXTRACT(EPOCH FROM SUM(CASE WHEN {done} THEN i.done_at - i.issued_at END))"
        else:
            fix = "SUM(CASE WHEN {done} THEN (julianday(i.done_at) - julianday(i.issued_at)) * 86400 END)"
        done = "i.status = 'done' AND i.done_at >= %s AND i.done_at < %s"
        c.execute(
            f"""
            SELECT i.district_id, i.category,
              SUM(CASE WHEN i.issued_at >= %s AND i.issued_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN i.status IN ('open', 'reported') AND i.issued_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN i.status IN ('open', 'reported') AND i.overdue_since IS NOT NULL
                  AND i.issued_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN {done} THEN 1 ELSE 0 END),
              SUM(CASE WHEN i.overdue_since >= %s AND i.overdue_since <= %s THEN 1 ELSE 0 END),
              {fix.format(done=done)}
            FROM orders_orderitem i
            WHERE i.issued_at IS NOT NULL AND i.status <> 'withdrawn'
            GROUP BY i.district_id, i.category
            """,  # noqa: S608
            [
                start_at,
                end_before,
                end_before,
                end_before,
                start_at,
                end_before,
                start,
                end,
                start_at,
                end_before,
            ],
        )
        for district, code, issued, open_, overdue, done_n, missed, seconds in c.fetchall():
            d = out["districts"].setdefault(district, {})
            for key, value in (("issued", issued), ("open", open_), ("overdue", overdue), ("done", done_n),
                               ("missed", missed)):  # fmt: skip
                d[key] = d.get(key, 0) + value
            d["fix_seconds"] = d.get("fix_seconds", 0) + float(seconds or 0)
            if code:
                cat = out["categories"].setdefault(code, {"passed": 0, "failed": 0})
                for key, value in (("open", open_), ("overdue", overdue), ("done", done_n)):
                    cat[key] = cat.get(key, 0) + value

        # The trend per month (Asia/Almaty) of items issued, fixed and missing their deadline.
        if vendor == "postgresql":
            month = "to_char({col} AT TIME ZONE 'Asia/Almaty', 'YYYY-MM')"
            day_month = "to_char({col}, 'YYYY-MM')"
        else:
            month = "substr(django_datetime_cast_date({col}, 'Asia/Almaty', 'UTC'), 1, 7)"
            day_month = "substr({col}, 1, 7)"
        base = "FROM orders_orderitem i WHERE i.issued_at IS NOT NULL AND i.status <> 'withdrawn' AND "
        c.execute(
            f"""
            SELECT 'issued', {month.format(col="i.issued_at")} m, COUNT(*) {base}
              i.issued_at >= %s AND i.issued_at < %s GROUP BY m
            UNION ALL
            SELECT 'done', {month.format(col="i.done_at")} m, COUNT(*) {base} {done} GROUP BY m
            UNION ALL
            SELECT 'missed', {day_month.format(col="i.overdue_since")} m, COUNT(*) {base}
              i.overdue_since >= %s AND i.overdue_since <= %s GROUP BY m
            """,  # noqa: S608
            [start_at, end_before, start_at, end_before, start, end],
        )
        for state, key, n in c.fetchall():
            out["months"].setdefault(key, {})[state] = n

        c.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = %s AND signal_to <> %s THEN 1 ELSE 0 END) "
            "FROM registry_panicbutton",
            [working, none],
        )
        out["equipment"]["panic"] = tuple(c.fetchone())
        c.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN linked_to_police THEN 1 ELSE 0 END) FROM registry_camera",
            [working],
        )
        out["equipment"]["cameras"] = tuple(c.fetchone())
    return out


def _compare(app: dict, sql: dict) -> list[str]:
    """Where the function's figures and the hand-written SQL's differ (empty: the same numbers)."""
    problems = []
    for row in app["rows"]:
        d = sql["districts"].get(row.district_id, {})
        for key in ("schools", "inspections", "inspected", "passed", "failed", "issued", "open", "overdue",
                    "done", "missed"):  # fmt: skip
            if getattr(row, key) != d.get(key, 0):
                problems.append(f"district {row.district_id} {key}: {getattr(row, key)} vs {d.get(key, 0)}")
        if abs(row.fix_time.total_seconds() - d.get("fix_seconds", 0)) > 1:
            problems.append(
                f"district {row.district_id} fix time: {row.fix_time} vs {d.get('fix_seconds')} s"
            )
    for cat in app["categories"]:
        s = sql["categories"].get(cat.code, {})
        for key in ("passed", "failed", "open", "overdue", "done"):
            if getattr(cat, key) != s.get(key, 0):
                problems.append(f"category {cat.code} {key}: {getattr(cat, key)} vs {s.get(key, 0)}")
    for m in app["months"]:
        s = sql["months"].get(f"{m.start:%Y-%m}", {})
        for key in ("issued", "done", "missed"):
            if getattr(m, key) != s.get(key, 0):
                problems.append(f"month {m.start:%Y-%m} {key}: {getattr(m, key)} vs {s.get(key, 0)}")
    e = app["equipment"]
    expected = (
        (e["panic_total"], e["panic_connected"]),
        (e["cameras_total"], e["cameras_working"], e["cameras_linked"]),
        [
            e["schools_without_connected_panic"],
            e["schools_without_working_camera"],
            e["schools_without_linked_camera"],
        ],
    )
    got = (sql["equipment"]["panic"], sql["equipment"]["cameras"], sql["equipment"]["schools_without"])
    if tuple(map(tuple, expected)) != tuple(map(tuple, got)):
        problems.append(f"equipment: {expected} vs {got}")
    return problems


def _aggregate(vendor: str, requests: int) -> tuple[float, float] | None:
    try:
        from qorgau.oversight.selectors import dashboard, parse_filters
    except ImportError:
        print("  skipped: qorgau.oversight.selectors.dashboard does not exist yet")
        return None
    from qorgau.accounts.models import User

    user = User.objects.get(username=CITY)
    filters, _form = parse_filters(user=user, params={})
    app, sql = dashboard(user=user, filters=filters), _hand_sql(filters, vendor)  # warm up
    problems = _compare(app, sql)
    app_times, sql_times = [], []
    for _ in range(requests):  # interleaved, so that both see the same machine
        started = time.perf_counter()
        dashboard(user=user, filters=filters)
        app_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _hand_sql(filters, vendor)
        sql_times.append((time.perf_counter() - started) * 1000)
    app_ms, sql_ms = statistics.median(app_times), statistics.median(sql_times)
    print(f"  period {filters.start} – {filters.end}, whole city")
    print(f"  dashboard():     median {app_ms:7.1f} ms  p95 {percentile(app_times, 95):7.1f} ms")
    print(f"  hand-written SQL median {sql_ms:7.1f} ms  p95 {percentile(sql_times, 95):7.1f} ms")
    verdict = "ok" if app_ms <= SQL_RATIO_TARGET * sql_ms else "OVER"
    print(f"  ratio {app_ms / sql_ms:.2f}× (target ≤ {SQL_RATIO_TARGET}×): {verdict}")
    if problems:
        print(f"  the numbers DIFFER in {len(problems)} places, e.g.:")
        for p in problems[:8]:
            print(f"    {p}")
    else:
        print("  the same numbers: yes (every district, category, month and equipment figure)")
    return app_ms, sql_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--db", default="qorgau_bench", help="name of the bench database (default %(default)s)"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database generated before, if any")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    vendor = _prepare_environment(args.db)
    generated = None
    if not (args.reuse and _exists(vendor, args.db)):
        _recreate(vendor, args.db)
    import django

    django.setup()
    from django.core.management import call_command

    from qorgau.inspections.models import Inspection

    call_command("migrate", verbosity=0)
    if not Inspection.objects.exists():
        generated = _generate(args.schools)
    else:
        print(f"Reusing the generated database ({vendor}, {args.db}).")
    _settle(vendor)
    print()
    print(f"Database: {vendor} ({args.db})")
    for name, n in _counts():
        print(f"  {name:<20} {n:>12,}")
    if generated is not None:
        print(f"  generated in {generated:.0f} s")
    print()
    print(f"Pages, {args.requests} requests each (p95 targets: city dashboard < "
          f"{CITY_TARGET_MS[vendor]:.0f} ms, the rest < {PAGE_TARGET_MS:.0f} ms):")  # fmt: skip
    _pages(vendor, args.requests)
    print()
    print("The city dashboard's aggregate: dashboard() against hand-written SQL for the same numbers")
    _aggregate(vendor, max(5, args.requests // 3))
    print(f"\nRun at {dt.datetime.now():%Y-%m-%d %H:%M}; load average {os.getloadavg()[0]:.1f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
