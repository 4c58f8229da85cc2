"""Exports in a real Chromium: the XLSX link of the inspection list carries the filters chosen on the page,
and the file it downloads opens in openpyxl with the rows the page shows."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import expect

from qorgau.inspections.models import Inspection
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import InspectionFactory, SchoolFactory, default_version

pytestmark = pytest.mark.browser


def test_the_xlsx_link_downloads_the_filtered_inspection_list(
    make_page, chief_x, inspector_x, school_a, school_b, tmp_path
):
    default_version()  # the browser tests' flushed database has lost the migration's checklist
    today = timezone.localdate()
    gymnasium = SchoolFactory(district=school_a.district, name_ru="Гимназия № 12")
    InspectionFactory(school=school_a, inspector=inspector_x, planned_on=today + dt.timedelta(days=1))
    InspectionFactory(school=gymnasium, inspector=None, status=Inspection.Status.SUBMITTED, planned_on=today)
    InspectionFactory(school=school_b, planned_on=today)  # district Y's: never in district X's file

    for viewport in ("phone", "desktop"):
        page = make_page(viewport)
        login(page, chief_x)
        page.goto("/inspections/")
        expect(page.get_by_test_id("inspection-row")).to_have_count(2)
        # A filter swaps the rows through htmx; the export links are swapped with them.
        page.select_option("#id_status", "submitted")
        expect(page.get_by_test_id("inspection-row")).to_have_count(1)
        link = page.get_by_test_id("export-xlsx")
        expect(link).to_have_attribute("href", re.compile(r"^/inspections/export\.xlsx\?.*status=submitted"))
        shot(page, f"exports-inspections-{viewport}")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("inspections-")
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    header, *rows = load_workbook(saved, read_only=True).active.iter_rows(values_only=True)
    assert len(header) >= 10
    with translation.override("ru"):  # the chief's language, the default
        bin_title = gettext("BIN")
    assert [row[header.index(bin_title)] for row in rows] == [gymnasium.bin]
    assert school_b.name_ru not in str(rows)
