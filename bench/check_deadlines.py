"""Deadline job benchmark: `check_deadlines()` over 100,000 open items on issued orders.

Builds a throwaway database, fills it with the demo city (a few hundred schools, their district chiefs and
inspectors), gives every school an administrator with an email address, and writes issued orders whose open
items have deadlines spread from 60 days ago to 60 days ahead, all with bulk_create. Then it runs the job
twice and prints, for each run: seconds, items marked overdue, notifications created, batches, and SQL
queries per batch. Targets: the first run under 10 s on SQLite, and the same number of queries in every full
batch (a batch that has nothing new to insert, as in the second run, skips its inserts: fewer queries).

    .venv/bin/python bench/check_deadlines.py                  # SQLite in a temporary directory
    .venv/bin/python bench/check_deadlines.py --items 20000 --profile first-run.prof   # cProfile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qorgau .venv/bin/python bench/check_deadlines.py

With DATABASE_URL the benchmark runs on that server in a separate, throwaway test database (Django's
`test_` prefix), created and dropped here: the configured database itself is never written to.

Emails go to Django's dummy backend: the job's own work is timed, not a mail server's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

from common import issued_orders

TARGET_SECONDS = 10.0
SEED = 2026


@dataclass
class Run:
    seconds: float
    cpu: float
    overdue: int
    reminders: int
    notifications: int
    batches: int
    queries: int
    per_pass: list[list[int]]


def _generate(*, schools: int, items: int, items_per_order: int) -> dict[str, int]:
    """The demo city, one administrator per school, and issued orders with `items` open items."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from qorgau.accounts.models import Organisation, OrgKind, Role, User
    from qorgau.checklists.models import FixKind, Severity, TemplateVersion
    from qorgau.core import demo
    from qorgau.orders.models import OrderItem

    rng = random.Random(SEED)
    demo.demo_create(schools=schools)
    today = timezone.localdate()
    version = TemplateVersion.objects.filter(status="published").order_by("id").first()
    with transaction.atomic():
        # Every school gets an administrator (the demo gives only a few schools a login), with an email.
        password = make_password(None)
        has_admin = set(
            User.objects.filter(role=Role.SCHOOL_ADMIN).values_list("organisation__school_id", flat=True)
        )
        orgs = list(Organisation.objects.filter(kind=OrgKind.SCHOOL).select_related("school"))
        User.objects.bulk_create(
            [
                User(
                    username=f"bench_head_{org.school_id}",
                    password=password,
                    role=Role.SCHOOL_ADMIN,
                    organisation=org,
                    email=f"head{org.school_id}@school.example",
                    language="kk" if org.school_id % 3 == 0 else "ru",
                )
                for org in orgs
                if org.school_id not in has_admin
            ],
            batch_size=2000,
        )
        User.objects.filter(role=Role.SCHOOL_ADMIN, email="").update(email="head@school.example")
        school_list = [org.school for org in orgs]

        # One approved inspection per order, as in life; orders spread over the schools.
        n_orders = -(-items // items_per_order)
        orders = issued_orders(
            [school_list[i % len(school_list)] for i in range(n_orders)], version=version, days_ago=65
        )
        kinds = [(fk, sev) for fk in FixKind.values for sev in Severity.values]
        rows = []
        for i in range(items):
            order = orders[i // items_per_order]
            fix_kind, severity = rng.choice(kinds)
            rows.append(
                OrderItem(
                    order=order,
                    position=i % items_per_order + 1,
                    found="Тревожная кнопка не проверялась",
                    legal_ref="ППРК № 1217, п. 5",
                    remedy="Организовать ежемесячную проверку",
                    severity=severity,
                    fix_kind=fix_kind,
                    deadline=today + dt.timedelta(days=rng.randint(-60, 60)),
                )  # fmt: skip
            )
            if len(rows) == 5000:
                OrderItem.objects.bulk_create(rows)
                rows = []
        OrderItem.objects.bulk_create(rows)
    return {
        "schools": len(school_list),
        "school admins": User.objects.filter(role=Role.SCHOOL_ADMIN).count(),
        "orders": len(orders),
        "open items": OrderItem.objects.filter(status=OrderItem.Status.OPEN).count(),
    }


def _run() -> Run:
    """One run of the job, counting the queries of each batch (from one batch's fetch to the next one's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qorgau.orders import deadlines

    passes: list[list[int]] = []  # per pass (overdue, 3-day, 1-day reminders): query count at each mark
    original = deadlines._batches

    def counted(qs):
        marks: list[int] = []
        passes.append(marks)
        for batch in original(qs):
            marks.append(len(ctx.captured_queries))  # the batch fetched, its work about to start
            yield batch
        marks.append(len(ctx.captured_queries))  # the pass's last, empty fetch done

    deadlines._batches = counted
    try:
        with CaptureQueriesContext(connection) as ctx:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = deadlines.check_deadlines()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        deadlines._batches = original
    # A batch's queries: its own work and the fetch of what comes next (the next batch, or nothing).
    per_pass = [[b - a for a, b in zip(marks, marks[1:], strict=False)] for marks in passes]
    return Run(
        seconds=seconds,
        cpu=cpu,
        overdue=result.overdue,
        reminders=result.reminders,
        notifications=result.notifications,
        batches=result.batches,
        queries=len(ctx.captured_queries),
        per_pass=per_pass,
    )


def _print_run(name: str, run: Run) -> None:
    per = run.queries / run.batches if run.batches else 0
    print(
        f"{name}: {run.seconds:6.2f} s (CPU {run.cpu:.2f} s)  overdue {run.overdue:,}  "
        f"reminders {run.reminders:,}  notifications {run.notifications:,}  batches {run.batches}  "
        f"queries {run.queries:,} ({per:.1f} per batch)"
    )
    for label, counts in zip(("overdue", "remind3", "remind1"), run.per_pass, strict=False):
        spread = dict(sorted(Counter(counts).items()))
        print(f"  {label:<8} {len(counts):>3} batches; queries per batch → batches: {spread}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--items-per-order", type=int, default=25)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first run to FILE")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as var_dir:
        # Settings read these when Django is set up, so they must be in place before the import.
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ["DEBUG"] = "false"  # time what production runs
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        on_server = connection.vendor != "sqlite"
        if on_server:
            # Never the configured database: a throwaway one beside it, dropped at the end.
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True)
        else:
            call_command("migrate", verbosity=0)
        try:
            print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
            started = time.perf_counter()
            sizes = _generate(schools=args.schools, items=args.items, items_per_order=args.items_per_order)
            print(
                "Generated in {:.1f} s: {}".format(
                    time.perf_counter() - started, ", ".join(f"{v:,} {k}" for k, v in sizes.items())
                ),
                flush=True,
            )
            if on_server:
                # A running server's autovacuum analyzes freshly loaded tables within a minute; without
                # statistics the planner takes 100,000 items for a handful and picks nested loops.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            first = _run()
            if args.profile:
                profiler.disable()
                profiler.dump_stats(args.profile)
            second = _run()
            print()
            _print_run("first run ", first)
            _print_run("second run", second)
            print()
            # Every batch but the last of each pass is full; the full ones must cost the same.
            full_counts = {c for run in (first, second) for counts in run.per_pass for c in counts[:-1]}
            if on_server:
                print(f"First run: {first.seconds:.1f} s (the {TARGET_SECONDS:.0f} s target is SQLite's)")
            else:
                print(
                    f"Target: first run < {TARGET_SECONDS:.0f} s: "
                    + ("ok" if first.seconds < TARGET_SECONDS else f"MISSED ({first.seconds:.1f} s)")
                )
            print(
                "Second run marks nothing and notifies nobody again: "
                + ("ok" if (second.overdue, second.notifications) == (0, 0) else "FAILED")
            )
            print(f"Queries per full batch, both runs: {sorted(full_counts)} (one value: constant)")
        finally:
            if on_server:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            from django.db import connections

            connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
