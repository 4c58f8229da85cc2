"""XLSX imports are zip archives: one that would unpack to far more than a table is refused unread."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from qorgau.registry import importing
from qorgau.registry.importing import ImportRejected, import_preview
from qorgau.registry.tests.import_files import SCHOOL_HEADER, school_row, table, xlsx_file

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def bomb(*, sheet_bytes: int, extra_members: int = 0) -> bytes:
    """A workbook whose one sheet is `sheet_bytes` of spaces: packs to a tiny fraction of that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * MB
            for _ in range(sheet_bytes // MB):
                sheet.write(chunk)
        for number in range(extra_members):
            archive.writestr(f"xl/media/{number}.xml", "<x/>")
    return buffer.getvalue()


def rejection(user, data) -> str:
    with pytest.raises(ImportRejected) as caught:
        import_preview(user=user, data=data, filename="schools.xlsx")
    return str(caught.value)


def test_a_workbook_unpacking_past_the_limit_is_refused_with_the_sizes(city_supervisor, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 8 * MB
    data = bomb(sheet_bytes=9 * MB)
    assert len(data) < 100_000
    with translation.override("en"):
        message = rejection(city_supervisor, data)
    assert message.startswith("The workbook would unpack to 9.0\xa0MB, more than the 8.0\xa0MB")


def test_the_default_limit_stops_a_real_bomb(city_supervisor, settings):
    # 120 MB of sheet in a file of about 120 kB: a thousandfold, as zip bombs are built.
    data = bomb(sheet_bytes=120 * MB)
    assert len(data) < settings.IMPORT_MAX_BYTES // 100
    with translation.override("en"):
        assert "would unpack to" in rejection(city_supervisor, data)


def test_a_part_packed_hundreds_of_times_smaller_is_refused_even_under_the_limit(city_supervisor):
    assert rejection(city_supervisor, bomb(sheet_bytes=4 * MB)) == str(importing.ODD_ZIP)


def test_a_workbook_of_thousands_of_parts_is_refused(city_supervisor):
    assert rejection(city_supervisor, bomb(sheet_bytes=0, extra_members=1_001)) == str(importing.ODD_ZIP)


def test_an_ordinary_workbook_passes(city_supervisor, district_x):
    rows = [school_row(district=district_x.code) for _ in range(300)]
    data = xlsx_file(table(rows, SCHOOL_HEADER))
    result = import_preview(user=city_supervisor, data=data, filename="schools.xlsx")
    assert result.ok, result.errors[:3]


def test_openpyxl_reads_workbooks_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # no XML entity expansion bombs inside a workbook either
    assert load_workbook  # the reader the import uses


def test_the_upload_page_shows_the_message(client, city_supervisor, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 8 * MB
    city_supervisor.language = "en"
    city_supervisor.save(update_fields=["language"])
    client.force_login(city_supervisor)
    upload = io.BytesIO(bomb(sheet_bytes=9 * MB))
    upload.name = "schools.xlsx"
    response = client.post(reverse("registry:import_upload"), {"file": upload}, follow=True)
    assert "The workbook would unpack to" in response.content.decode()
