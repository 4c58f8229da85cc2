"""Exports benchmark: the school list and the overdue items exported to CSV and XLSX at two sizes.

Builds a throwaway SQLite database in a temporary directory; for each size it fills it with the demo city
(`--schools`) and writes issued orders whose items are all overdue (`--items`) with bulk_create. Then, as
the city supervisor (who sees everything), it downloads each export through the real view and prints the
seconds, the rows per second, the size of the file and the peak of Python memory allocated while the export
was made and read (tracemalloc, in a separate run so that tracing does not slow the timed one). Streamed
exports should show a peak that does not grow with the number of rows: about two chunks of 2,000 rows (the
one being written and the next being fetched), so the smaller size should be past 4,000 rows already.

    .venv/bin/python bench/exports.py                                  # or: make bench
    .venv/bin/python bench/exports.py --schools 5000 10000 --items 10000 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass

from common import issued_orders

SEED = 2026


@dataclass
class Row:
    schools: int
    items: int
    export: str
    rows: int
    seconds: float
    cpu: float
    megabytes: float
    peak_mb: float


def _generate_items(*, items: int, items_per_order: int = 25) -> int:
    """Issued orders over the demo's schools whose `items` items are all open and past their deadline."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from qorgau.checklists.models import FixKind, Severity, TemplateVersion
    from qorgau.orders.models import OrderItem
    from qorgau.registry.models import School

    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    version = TemplateVersion.objects.filter(status="published").order_by("id").first()
    if version is None:  # a flush between sizes removed the checklist its data migration had loaded
        from qorgau.checklists.default_template import load_default_template
        from qorgau.checklists.models import ChecklistTemplate, Item, Section

        load_default_template(
            ChecklistTemplate=ChecklistTemplate, TemplateVersion=TemplateVersion, Section=Section, Item=Item,
            published_at=now,
        )  # fmt: skip
        version = TemplateVersion.objects.filter(status="published").order_by("id").first()
    schools = list(School.objects.order_by("id"))
    n_orders = -(-items // items_per_order)
    with transaction.atomic():
        orders = issued_orders(
            [schools[i % len(schools)] for i in range(n_orders)], version=version, days_ago=80
        )
        kinds = [(fk, sev) for fk in FixKind.values for sev in Severity.values]
        batch = []
        for i in range(items):
            fix_kind, severity = rng.choice(kinds)
            deadline = today - dt.timedelta(days=rng.randint(1, 60))
            batch.append(
                OrderItem(
                    order=orders[i // items_per_order],
                    position=i % items_per_order + 1,
                    found=f"Тревожная кнопка не проверялась (пункт {i})",
                    legal_ref="ППРК № 1217, п. 5",
                    remedy="Организовать ежемесячную проверку",
                    severity=severity,
                    fix_kind=fix_kind,
                    deadline=deadline,
                    overdue_since=deadline + dt.timedelta(days=1),
                )  # fmt: skip
            )
            if len(batch) == 5000:
                OrderItem.objects.bulk_create(batch)
                batch = []
        OrderItem.objects.bulk_create(batch)
    return items


def _download(client, url: str) -> tuple[int, int]:
    """Read the export to its end as a browser would, keeping none of it: (bytes, lines or rows)."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return size, lines


def _measure(client, url: str) -> tuple[float, float, float, float]:
    """(seconds, CPU seconds, megabytes of the file, peak megabytes allocated while making and reading it).
    CPU seconds are this process's own: on a busy machine they say more than the wall clock."""
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    size, _lines = _download(client, url)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    gc.collect()
    tracemalloc.start()
    _download(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, cpu, size / 2**20, peak / 2**20


def _run_size(schools: int, items: int) -> list[Row]:
    from django.db import connection
    from django.test import Client

    from qorgau.accounts.models import User
    from qorgau.core import demo
    from qorgau.orders.models import OrderItem
    from qorgau.registry.models import School

    started = time.perf_counter()
    demo.demo_create(schools=schools)
    _generate_items(items=items)
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {
        "schools": School.objects.count(),
        "overdue items": OrderItem.objects.filter(overdue_since__isnull=False).count(),
    }
    client = Client()
    client.force_login(User.objects.get(username="city"))
    _download(client, "/schools/export.csv")  # warm up: templates, translations, the session
    rows = []
    for name, path in (("schools", "/schools/export"), ("overdue items", "/orders/overdue/export")):
        for fmt in ("csv", "xlsx"):
            seconds, cpu, megabytes, peak = _measure(client, f"{path}.{fmt}")
            row = Row(schools, items, f"{name} {fmt}", counts[name], seconds, cpu, megabytes, peak)
            rows.append(row)
            print(
                f"  {row.export:<18} {row.rows:>7,} rows  {seconds:6.2f} s (CPU {cpu:.2f} s)  "
                f"{row.rows / cpu:>9,.0f} rows per CPU s  file {megabytes:6.1f} MB  peak {peak:6.1f} MB",
                flush=True,
            )
    return rows


def _report(rows: list[Row]) -> None:
    print()
    header = (
        f"{'export':<18}  {'rows':>8}  {'seconds':>7}  {'CPU s':>7}  {'rows/CPU s':>10}  {'file MB':>7}  "
        f"{'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.export:<18}  {r.rows:>8,}  {r.seconds:>7.2f}  {r.cpu:>7.2f}  {r.rows / r.cpu:>10,.0f}  "
            f"{r.megabytes:>7.1f}  {r.peak_mb:>7.1f}"
        )
    print()
    print("Peak memory by export, smallest size → largest (streaming: about the same):")
    by_export: dict[str, list[Row]] = {}
    for r in rows:
        by_export.setdefault(r.export, []).append(r)
    for export, group in by_export.items():
        spread = " → ".join(f"{r.peak_mb:.1f} MB at {r.rows:,} rows" for r in group)
        print(f"  {export:<18} {spread}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, nargs=2, default=[5_000, 10_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--items", type=int, nargs=2, default=[10_000, 50_000], metavar=("SMALL", "LARGE"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as var_dir:
        # Settings read these when Django is set up, so they must be in place before the import.
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a configured server
        os.environ["DEBUG"] = "false"  # production's settings; with DEBUG every query would be kept in memory
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        rows: list[Row] = []
        for i, (schools, items) in enumerate(zip(args.schools, args.items, strict=True)):
            if i:
                call_command("flush", interactive=False, verbosity=0)  # start the next size from empty
            print(f"{schools:,} schools and {items:,} overdue items:", flush=True)
            rows += _run_size(schools, items)
        _report(rows)
        from django.db import connections

        connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
