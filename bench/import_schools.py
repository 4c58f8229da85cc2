"""Import benchmark: 10,000 schools from a CSV into a throwaway SQLite database.

Generates a CSV of N schools in a temporary directory, migrates a fresh SQLite database there, and times the
service the import page and `qorgau import-schools` both call: the first import (every school new), the same
file again (every school unchanged), a changed file (every school updated), the same schools as XLSX (preview
only), and an equipment file of as many cameras. Each import is checked against its expected counts.
Target: under 10 s for 10,000 new schools.

    .venv/bin/python bench/import_schools.py
    .venv/bin/python bench/import_schools.py --rows 2000
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
SCHOOL_HEADER = [
    "bin", "name_ru", "name_kk", "district", "address", "latitude", "longitude", "pupils", "shifts",
    "head_name", "head_phone",
]  # fmt: skip
CAMERA_HEADER = ["bin", "equipment", "location", "status", "zone", "linked_to_police", "archive_days"]
DISTRICTS = ["ALT", "ALM", "AUE", "BOS", "ZHE", "MED", "NAU", "TUR"]


def _bins(count: int) -> list[str]:
    from qorgau.registry.bin import make_bin

    bins, n = [], 0
    while len(bins) < count:
        n += 1
        candidate = make_bin(f"7{n:010d}")
        if candidate:
            bins.append(candidate)
    return bins


def _school_rows(bins: list[str], *, pupils_shift: int = 0) -> list[list[str]]:
    rng = random.Random(1)
    rows = []
    for i, bin_ in enumerate(bins, start=1):
        rows.append(
            [
                bin_, f"Школа-гимназия № {i}", f"№ {i} мектеп-гимназиясы", DISTRICTS[i % len(DISTRICTS)],
                f"ул. Абая, {i}", f"{43.15 + rng.random() * 0.2:.6f}", f"{76.75 + rng.random() * 0.3:.6f}",
                str(200 + (i * 37) % 1500 + pupils_shift), str(1 + i % 2), f"Директор {i}", "+7 727 000 0000",
            ]
        )  # fmt: skip
    return rows


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _time(label: str, service, data: bytes, expected: tuple[int, int, int]) -> float:
    started = time.perf_counter()
    result = service(user=None, data=data, filename=label)
    seconds = time.perf_counter() - started
    counts = (result.created, result.updated, result.unchanged)
    assert result.ok, result.errors[:5]
    assert counts == expected, (label, counts, expected)
    print(
        f"  {label:<40} {result.rows:>7,} rows  {seconds:6.2f} s  {result.rows / seconds:>9,.0f} rows/s  "
        f"(created {counts[0]:,}, updated {counts[1]:,}, unchanged {counts[2]:,})",
        flush=True,
    )
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    n = args.rows

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-import-") as var_dir:
        # Settings read these when Django is set up, so they must be in place before the import.
        os.environ["QORGAU_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a configured server
        os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory; production does not
        os.environ["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
        import django

        django.setup()
        from django.core.management import call_command

        from qorgau.core.models import ChangeRecord
        from qorgau.registry.importing import import_apply, import_preview
        from qorgau.registry.models import Camera, School

        call_command("migrate", verbosity=0)

        bins = _bins(n)
        schools = _school_rows(bins)
        path = Path(var_dir) / "schools.csv"
        path.write_bytes(_csv(SCHOOL_HEADER, schools))
        data = path.read_bytes()
        changed_rows = _school_rows(bins, pupils_shift=1)
        changed = _csv(SCHOOL_HEADER, changed_rows)
        workbook = _xlsx(SCHOOL_HEADER, changed_rows)  # what the register holds by then: all unchanged
        cameras = _csv(
            CAMERA_HEADER,
            [[bin_, "camera", "Главный вход", "working", "entrance", "да", "30"] for bin_ in bins],
        )
        megabytes = len(data) / 1024 / 1024, len(workbook) / 1024 / 1024
        print(f"{n:,} schools: CSV {megabytes[0]:.1f} MB, XLSX {megabytes[1]:.1f} MB; SQLite in {var_dir}")

        first = _time("CSV, every school new", import_apply, data, (n, 0, 0))
        _time("the same CSV again", import_apply, data, (0, 0, n))
        _time("CSV with every school's pupils changed", import_apply, changed, (0, n, 0))
        _time("XLSX preview (nothing written)", import_preview, workbook, (0, 0, n))
        _time("equipment CSV, one camera per school", import_apply, cameras, (n, 0, 0))

        assert School.objects.count() == n and Camera.objects.count() == n
        assert ChangeRecord.objects.count() == 3 * n  # created, then updated, then the cameras
        print()
        verdict = "ok" if first < TARGET_SECONDS else "MISSED"
        print(f"Target: {n:,} new schools from CSV in < {TARGET_SECONDS:.0f} s: {first:.2f} s, {verdict}.")
        from django.db import connections

        connections.close_all()  # let the temporary directory go
    return 0


if __name__ == "__main__":
    sys.exit(main())
