"""Exports of lists to CSV and XLSX. The rows come from the same scoped selector as the page; large lists
stream: CSV a few hundred rows at a time, XLSX through openpyxl's write-only workbook into a spooled file."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook

# A column: its title and how to get the cell's value from a row.
Column = tuple[str, Callable[[object], object]]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
_KEPT = (int, float, Decimal, dt.date, str)
# CSV rows are sent in pieces of about this many rows: one write per row would cost more than the row.
CSV_ROWS_PER_PIECE = 200


class _Echo:
    def write(self, value):
        return value


def cell(value):
    """A value kept as it is (numbers, dates) or as text; datetimes in local time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, _KEPT):
        return value
    return str(value)


def _csv_rows(columns: Sequence[Column], rows: Iterable):
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel open the file as UTF-8, so Cyrillic and Kazakh letters show.
    yield "\ufeff" + writer.writerow([str(title) for title, _get in columns])
    piece = []
    for row in rows:
        values = []
        for _title, get in columns:
            value = cell(get(row))
            values.append(value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else value)
        piece.append(writer.writerow(values))
        if len(piece) == CSV_ROWS_PER_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def choice_labels(choices) -> dict:
    """A field's choices as {value: label} in the current language, read once for a whole export instead of
    translating the label again on every row (`get_FOO_display()` does)."""
    return {value: str(label) for value, label in choices}


def _in_request_locale(chunks):
    """The chunks made in the request's language and time zone. A streamed body is produced after the view
    has returned, when the server may have handed the thread to other work: the labels of choices and the
    local times of the rows must still be the user's."""
    # Read now, in the view: a generator's body would only run once the server reads the stream.
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def stream():
        while True:
            with translation.override(language), timezone.override(zone):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    return stream()


def export_response(
    *, rows: Iterable, columns: Sequence[Column], fmt: str, filename: str, sheet: str = ""
) -> HttpResponse:
    """The rows as a CSV (UTF-8 with BOM) or XLSX download named `<filename>-<local time>.<fmt>`.

    Pass a queryset's `.iterator(chunk_size=...)` (or any generator) as `rows` so that a large list is never
    held in memory at once. An unknown format is a 404, as for an unknown URL.
    """
    if fmt not in FORMATS:
        raise Http404
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{filename}-{stamp}.{fmt}"
    if fmt == "csv":
        content = _in_request_locale(_csv_rows(columns, rows))
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(str(sheet or filename)[:31])
    worksheet.append([str(title) for title, _get in columns])
    for row in rows:
        worksheet.append([cell(get(row)) for _title, get in columns])
    # A spooled file keeps small workbooks in memory and large ones on disk.
    buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX_TYPE)
