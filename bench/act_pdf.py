"""Act of results benchmark: how long the PDF of a full inspection takes to render, in Russian and Kazakh.

Builds a throwaway SQLite database in a temporary directory with one approved inspection of the default
checklist (every item answered, some failed, about 20 photos added through `photos.photo_add`), then
renders its act N times per language and prints p50 and max in seconds. Target: under 2 s.

    .venv/bin/python bench/act_pdf.py
    .venv/bin/python bench/act_pdf.py --renders 10 --photos 30 --out /tmp/acts   # also keep the PDFs
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0
FAILED = ("PA-3", "VS-1", "VS-2", "AC-2", "AC-6", "SR-3", "SR-5", "PE-1")


def _jpeg(seed: int) -> bytes:
    """A phone-sized photo with enough detail that JPEG cannot make it trivially small."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (2016, 1512), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(2016), rng.randrange(1512)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle([x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 300)], fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _raw(item, failed: bool) -> dict:
    from django.utils import timezone

    kind = item.answer_kind
    recent = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    old = (timezone.localdate() - dt.timedelta(days=500)).isoformat()
    if kind in ("yes_no", "yes_no_na"):
        return {"value": "no" if failed else "yes"}
    if kind == "number":
        return {"value": "14" if failed else "45"}
    if kind == "date":
        return {"value": old if failed else recent}
    if kind == "panic_test":
        arrived = "10:19:40" if failed else "10:07:00"
        return {
            "received": "yes",
            "pressed_at": "10:00:00",
            "acknowledged_at": "10:00:20",
            "arrived_at": arrived,
        }
    if kind == "camera_survey":
        if failed:
            return {"total": "24", "working": "19", "zones_not_covered": ["canteen", "perimeter"]}
        return {"total": "24", "working": "24", "zones_not_covered": []}
    if kind == "entry_test":
        return {
            "stopped": "no" if failed else "yes",
            "notes": "Охранник не спросил документы" if failed else "",
        }
    if kind == "staff_interview":
        return {"asked": "6", "correct": "3" if failed else "6"}
    raise ValueError(kind)


def _build(photo_count: int):
    """One approved inspection of a large school, as an inspector and the chief would leave it."""
    from qorgau.accounts.models import Organisation, OrgKind, Role, User
    from qorgau.inspections import photos, services
    from qorgau.inspections.models import Inspection
    from qorgau.registry.models import District, School

    district = District.objects.get(code="AUE")
    school = School.objects.create(
        district=district, name_ru="Школа-гимназия № 159 имени Абая",
        name_kk="Абай атындағы № 159 мектеп-гимназия",
        bin="990440001234", address="мкр. Аксай-4, 27", pupils=1450, shifts=2,
        head_name="Сейтказиева Гульмира Ерлановна", size_tier="T3",
    )  # fmt: skip
    office = Organisation.objects.create(
        kind=OrgKind.DISTRICT_POLICE, name=district.police_office, district=district
    )

    def person(username, role, last, first, position):
        return User.objects.create(
            username=username, role=role, organisation=office, last_name=last, first_name=first,
            position=position,
        )  # fmt: skip

    inspector = person(
        "inspector", Role.INSPECTOR, "Нурланов", "Ержан Болатович",
        f"старший инспектор отдела административной полиции {district.police_office}, капитан полиции",
    )  # fmt: skip
    colleague = person(
        "colleague", Role.INSPECTOR, "Омарова", "Айжан Маратовна", "инспектор, лейтенант полиции"
    )
    chief = person(
        "chief", Role.DISTRICT_CHIEF, "Жумабеков", "Асхат Каиртаевич",
        f"начальник отдела административной полиции {district.police_office}, подполковник полиции",
    )  # fmt: skip
    inspection = services.inspection_create(
        actor=inspector, school=school, reason="Обращение родителей о свободном проходе посторонних в здание"
    )
    inspection.co_inspectors.add(colleague)
    items = services.applicable_items(inspection)
    for item in items:
        services.answer_save(
            actor=inspector, inspection=inspection, item=item, raw=_raw(item, item.code in FAILED),
            base_version=0, comment="Проверено на месте" if item.code in FAILED else None,
        )  # fmt: skip
    # Most photos show violations; a few document what was fine.
    targets = [i for i in items if i.code in FAILED] + [i for i in items if i.code not in FAILED][:4]
    for n in range(photo_count):
        photos.photo_add(
            actor=inspector, inspection=inspection, data=_jpeg(n), item=targets[n % len(targets)],
            latitude="43.2389", longitude="76.8897", accuracy="12",
        )  # fmt: skip
    services.finding_add(
        actor=inspector, inspection=inspection, severity="M", text="Не работает домофон запасного входа",
        location="Запасной вход, торец здания", legal_ref="Практика",
    )  # fmt: skip
    services.inspection_submit(actor=inspector, inspection=inspection)
    services.inspection_approve(actor=chief, inspection=inspection, comment="Утверждаю")
    return Inspection.objects.get(pk=inspection.pk), len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--out", type=Path, help="write the last PDF of each language here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as var_dir:
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a configured server
        os.environ["DEBUG"] = "false"
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command

        from qorgau.inspections import documents

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        inspection, item_count = _build(args.photos)
        print(
            f"Built act {inspection.act_number}: {item_count} items, {inspection.photos.count()} photos, "
            f"{inspection.findings.count()} findings in {time.perf_counter() - started:.1f} s"
        )
        documents.act_pdf(inspection=inspection, lang="ru")  # warm up fonts, templates and the stylesheet
        worst = 0.0
        for lang in documents.DOCUMENT_LANGUAGES:
            timings, cpu = [], []
            for _ in range(args.renders):
                started, started_cpu = time.perf_counter(), time.process_time()
                pdf = documents.act_pdf(inspection=inspection, lang=lang)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            worst = max(worst, max(timings))
            # CPU seconds tell a busy machine from a slow render: wall time far above them means waiting.
            print(
                f"  {lang}: p50 {statistics.median(timings):.2f} s  max {max(timings):.2f} s  "
                f"(CPU p50 {statistics.median(cpu):.2f} s; {len(pdf) / 1024:.0f} KB, {args.renders} renders)"
            )
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / documents.act_filename(inspection, lang)).write_bytes(pdf)
        verdict = "ok" if worst < TARGET_SECONDS else "MISSED"
        print(f"Target: every render under {TARGET_SECONDS:.0f} s: {verdict} (slowest {worst:.2f} s)")
        from django.db import connections

        connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
