"""Import files built in memory for the import tests."""

import csv
import io
import zipfile

from openpyxl import Workbook

from qorgau.tests.factories import next_bin

SCHOOL_HEADER = [
    "bin", "name_ru", "name_kk", "district", "address", "latitude", "longitude", "pupils", "shifts",
    "head_name", "head_phone",
]  # fmt: skip
EQUIPMENT_HEADER = [
    "bin", "equipment", "location", "status", "kind", "signal_to", "zone", "placement", "linked_to_police",
    "archive_days", "has_turnstile", "has_access_control", "hours", "last_checked",
]  # fmt: skip

# Not a table: the start of a PNG image, with the NUL bytes every binary file has.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def school_row(**values) -> dict:
    row = {
        "bin": next_bin(), "name_ru": "Школа-лицей № 5", "name_kk": "№ 5 мектеп-лицей", "district": "TX",
        "address": "ул. Абая, 5", "latitude": "43.25", "longitude": "76.9", "pupils": "640", "shifts": "2",
        "head_name": "Иванова Алия Болатовна", "head_phone": "+7 727 111 11 11",
    }  # fmt: skip
    row.update(values)
    return row


def equipment_row(bin_: str, equipment: str, location: str, **values) -> dict:
    return {"bin": bin_, "equipment": equipment, "location": location, **values}


def table(rows: list[dict], header: list[str], labels: dict[str, str] | None = None) -> list[list]:
    """The header (with some columns renamed by `labels`) and the rows in its order."""
    labels = labels or {}
    return [[labels.get(name, name) for name in header]] + [
        [row.get(name, "") for name in header] for row in rows
    ]


def csv_file(rows, *, header=SCHOOL_HEADER, labels=None, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(table(rows, header, labels))
    return buffer.getvalue().encode(encoding)


def xlsx_file(cells: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in cells:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_file(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()
