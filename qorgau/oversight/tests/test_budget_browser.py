"""Budget needs in a real Chromium: the education department reads the needs and narrows them by deadline."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qorgau.checklists.models import FixKind
from qorgau.oversight.tests.test_risk import add_item, order_for
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import SchoolFactory

pytestmark = pytest.mark.browser

REMEDIES = [
    "Установить стационарную тревожную кнопку с выводом сигнала на пульт ЦОУ",
    "Заменить неисправные камеры видеонаблюдения у центрального входа и в столовой",
    "Установить турникет на центральном входе",
]


@pytest.fixture
def needs(district_x, district_y, school_a, school_b, chief_x):
    today = timezone.localdate()
    for n, school in enumerate(
        [school_a, school_b, SchoolFactory(district=district_x, name_ru="Гимназия № 12")]
    ):
        order = order_for(school, drafted_by=chief_x)
        for k, remedy in enumerate(REMEDIES[: n + 1]):
            deadline = today + dt.timedelta(days=-4 + 50 * k + 7 * n)
            add_item(
                order, deadline=deadline, overdue=deadline < today, fix_kind=FixKind.EQUIPMENT, remedy=remedy
            )
    return school_a


def test_the_education_department_reads_the_budget_needs(make_page, needs, education_user):
    page = make_page("desktop")
    login(page, education_user)
    page.locator('#mainnav [data-menu="budget"]').click()
    expect(page).to_have_url(re.compile(r"/budget/$"))
    expect(page.get_by_test_id("budget-row")).to_have_count(3)
    expect(page.get_by_test_id("district-totals").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("district-totals").locator("tfoot")).to_contain_text("6")
    expect(page.get_by_test_id("export-xlsx")).to_be_visible()
    shot(page, "budget-list-1280")

    page.select_option("#id_window", "overdue")  # htmx swaps the list and pushes the filter into the URL
    expect(page).to_have_url(re.compile(r"window=overdue"))
    expect(page.get_by_test_id("budget-row")).to_have_count(1)
    expect(page.get_by_test_id("budget-row")).to_contain_text(needs.name_ru)
    expect(page.get_by_test_id("export-csv")).to_have_attribute("href", re.compile(r"window=overdue"))


def test_the_chief_reads_the_district_on_a_phone(make_page, needs, chief_x, school_b):
    page = make_page("phone")
    login(page, chief_x)
    page.goto("/budget/")
    expect(page.get_by_test_id("budget-row")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text(school_b.name_ru)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "budget-list-390")
