"""Reading an export back in tests: the CSV as parsed by `csv` (after its byte-order mark), the XLSX as opened
by openpyxl. Both give the header and the rows, so a test can compare them with what the page lists."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

BOM = "\ufeff".encode()


def body(response) -> bytes:
    """The whole body; reading a streamed one to its end also runs the queries that produce it."""
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_table(response) -> tuple[list[str], list[list[str]]]:
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    data = body(response)
    assert data.startswith(BOM), "the CSV must begin with the UTF-8 byte-order mark, for Excel"
    header, *rows = csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8")))
    return header, rows


def xlsx_table(response) -> tuple[list[str], list[tuple]]:
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    header, *rows = workbook.active.iter_rows(values_only=True)
    return list(header), [tuple(row) for row in rows]


def column(table: tuple[list[str], list], title: str) -> list:
    """One column's values, by its title."""
    header, rows = table
    index = header.index(title)
    return [row[index] for row in rows]
