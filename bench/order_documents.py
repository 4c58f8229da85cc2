"""Order documents benchmark: the time to make the PDF and the DOCX of an issued order with ~15 items.

Builds a throwaway SQLite database in a temporary directory with the demo generator, makes an approved
inspection with N failed items through the real services, drafts and issues an order from it in Russian and
in Kazakh (and one amendment of each), then renders each document R times and prints p50 and max.
Target: each under 2 s.

    .venv/bin/python bench/order_documents.py
    .venv/bin/python bench/order_documents.py --items 15 --runs 10 --save some/dir   # keep the samples
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0
DISTRICT = "aue"  # the demo's Ауэзовский district: its chief and inspector
REMARKS = [
    "на центральном входе",
    "со стороны спортивной площадки",
    "в корпусе начальной школы",
    "на посту охраны, 1 этаж",
    "в холле 2 этажа",
]


def _approved_inspection(*, failed: int):
    """An approved inspection of the district's demo school with `failed` items failed, via the services."""
    from django.utils import timezone

    from qorgau.accounts.models import User
    from qorgau.inspections import services

    chief = User.objects.get(username=f"chief_{DISTRICT}")
    inspector = User.objects.get(username=f"inspector_{DISTRICT}")
    school = User.objects.get(username=f"school_{DISTRICT}").organisation.school
    inspection = services.inspection_create(
        actor=chief, school=school, reason="Плановая проверка готовности к новому учебному году",
        inspector=inspector,
    )  # fmt: skip
    passing = {
        "yes_no": {"value": "yes"},
        "yes_no_na": {"value": "yes"},
        "number": {"value": "45"},
        "date": {"value": (timezone.localdate() - dt.timedelta(days=10)).isoformat()},
        "panic_test": {
            "received": "yes", "pressed_at": "10:00:00", "acknowledged_at": "10:00:20",
            "arrived_at": "10:07:00",
        },
        "camera_survey": {"total": "10", "working": "10", "zones_not_covered": []},
        "entry_test": {"stopped": "yes", "notes": ""},
        "staff_interview": {"asked": "5", "correct": "5"},
    }  # fmt: skip
    items = list(services.applicable_items(inspection))
    to_fail = [i for i in items if i.answer_kind in ("yes_no", "yes_no_na")][:failed]
    if len(to_fail) < failed:
        raise SystemExit(f"only {len(to_fail)} yes/no items can fail in the default checklist")
    for n, item in enumerate(items):
        if item in to_fail:
            raw = {"value": "no"}
            comment = f"{item.text_ru}: требование не выполнено ({REMARKS[n % len(REMARKS)]})"
        else:
            raw, comment = passing[item.answer_kind], None
        services.answer_save(
            actor=inspector, inspection=inspection, item=item, raw=raw, base_version=0, comment=comment
        )
    services.inspection_submit(actor=inspector, inspection=inspection)
    return services.inspection_approve(actor=chief, inspection=inspection), inspector, chief


def _issued_order(*, failed: int, language: str):
    from qorgau.orders import services

    inspection, inspector, chief = _approved_inspection(failed=failed)
    draft = services.order_draft(actor=inspector, inspection=inspection, language=language)
    return services.order_issue(actor=chief, order=draft)


def _time(fn, runs: int) -> tuple[float, float, float, bytes]:
    """p50 and max of the wall time, and p50 of the CPU time: on a busy machine the CPU time shows what a
    render costs when it has a core to itself."""
    data = fn()  # warm up: templates, fonts
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), max(wall), statistics.median(cpu), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=15, help="failed items, hence order items")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--save", type=Path, help="write the sample documents into this directory")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as var_dir:
        # Settings read these when Django is set up, so they must be in place before the import.
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a configured server
        os.environ["DEBUG"] = "false"
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command

        from qorgau.core import demo
        from qorgau.orders import documents, services

        call_command("migrate", verbosity=0)
        demo.demo_create(schools=demo.MIN_SCHOOLS)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
        rows = []
        for language in ("ru", "kk"):
            order = _issued_order(failed=args.items, language=language)
            items = order.items.count()
            first = order.items.order_by("position").first()
            amendment = services.amendment_create(
                actor=order.issued_by, item=first, kind="extend", reason="Поставка оборудования задержана",
                new_deadline=first.deadline + dt.timedelta(days=21),
            )  # fmt: skip
            for kind, fn, name in (
                ("PDF", lambda o=order: documents.order_pdf(order=o), f"order-{language}.pdf"),
                ("DOCX", lambda o=order: documents.order_docx(order=o), f"order-{language}.docx"),
                (
                    "amendment PDF",
                    lambda a=amendment: documents.amendment_pdf(amendment=a),
                    f"amendment-{language}.pdf",
                ),
            ):
                p50, worst, cpu, data = _time(fn, args.runs)
                rows.append((language, kind, items, p50, worst, cpu, len(data)))
                print(
                    f"  {language} {kind:<13} p50 {p50:6.3f} s  max {worst:6.3f} s  cpu {cpu:6.3f} s",
                    flush=True,
                )
                if args.save:
                    (args.save / name).write_bytes(data)

        print()
        header = (
            f"{'lang':<4}  {'document':<13}  {'items':>5}  {'p50 s':>6}  {'max s':>6}  {'cpu s':>6}  "
            f"{'size KB':>7}  target"
        )
        print(header)
        print("-" * len(header))
        for language, kind, items, p50, worst, cpu, size in rows:
            verdict = "ok" if worst < TARGET_S else "MISSED"
            print(
                f"{language:<4}  {kind:<13}  {items:>5}  {p50:>6.3f}  {worst:>6.3f}  {cpu:>6.3f}  "
                f"{size / 1024:>7.0f}  < {TARGET_S:.0f} s: {verdict}"
            )
        from django.db import connections

        connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
