"""Exports of registry lists. The rows come from the same scoped selector as the page."""

import csv
import tempfile

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook


def _school_columns():
    return [
        (_("BIN"), lambda s: s.bin),
        (_("Name (Russian)"), lambda s: s.name_ru),
        (_("Name (Kazakh)"), lambda s: s.name_kk),
        (_("District"), lambda s: s.district.name),
        (_("Address"), lambda s: s.address),
        (_("Pupils"), lambda s: s.pupils),
        (_("Shifts"), lambda s: s.shifts),
        (_("Size tier"), lambda s: s.size_tier),
        (_("Cameras working"), lambda s: s.cameras_working),
        (_("Cameras total"), lambda s: s.cameras_total),
        (_("Panic buttons working"), lambda s: s.panic_working),
        (_("Panic buttons total"), lambda s: s.panic_total),
        (_("Faulty or missing items"), lambda s: s.faulty_total),
        (_("Valid guard contract"), lambda s: _("yes") if s.has_valid_contract else _("no")),
    ]


class _Echo:
    def write(self, value):
        return value


def _csv_rows(columns, rows):
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel open the file as UTF-8, so Cyrillic and Kazakh letters show.
    yield "\ufeff" + writer.writerow([title for title, _get in columns])
    for row in rows:
        yield writer.writerow([get(row) for _title, get in columns])


def school_export_response(schools, fmt: str):
    columns = _school_columns()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # iterator() streams rows from the database instead of loading the whole list into memory.
    rows = schools.iterator(chunk_size=2000)
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_rows(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="schools-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Schools"))
        sheet.append([str(title) for title, _get in columns])
        for row in rows:
            sheet.append(
                [get(row) if isinstance(get(row), int | str) else str(get(row)) for _t, get in columns]
            )
        # A spooled file keeps small workbooks in memory and large ones on disk.
        buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
        workbook.save(buffer)
        buffer.seek(0)
        return FileResponse(
            buffer,
            as_attachment=True,
            filename=f"schools-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404
