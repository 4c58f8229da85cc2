"""The dashboard in a browser: it is the chief's home, the charts render, a figure opens its list."""

import re

import pytest
from playwright.sync_api import expect

from qorgau.oversight.tests.test_dashboard import PERIOD, world  # noqa: F401  (the fixture)
from qorgau.tests.browser_helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUERY = f"from={PERIOD['from']}&to={PERIOD['to']}"


def _opens_its_list(page, testid: str) -> None:
    figure = page.get_by_test_id(testid)
    expected = figure.get_attribute("data-count")
    figure.click()
    expect(page).to_have_url(re.compile(r"/dashboard/items/\?"))
    expect(page.get_by_test_id("item-count")).to_have_attribute("data-count", expected)
    assert page.get_by_test_id("item-row").count() == int(expected)


def test_a_chief_on_a_phone_reads_the_figures_and_opens_the_overdue_items(world, make_page, chief_x):  # noqa: F811
    page = make_page("phone")
    login(page, chief_x)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))  # the chief's home
    page.goto(f"/dashboard/?{QUERY}")
    expect(page.get_by_test_id("fig-overdue")).to_have_attribute("data-count", "2")
    for chart in ("chart-compliance", "chart-trend"):
        svg = page.locator(f"svg#{chart}[role=img]")
        expect(svg).to_be_visible()
        assert svg.locator("title").first.text_content()
        assert svg.locator("desc").first.text_content()
    # The headline figures fit the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "dashboard-district-390")
    _opens_its_list(page, "fig-overdue")
    shot(page, "dashboard-items-390")


def test_the_city_dashboard_compares_districts_and_opens_the_lists(world, make_page, city_supervisor):  # noqa: F811
    page = make_page("desktop")
    login(page, city_supervisor)
    page.goto(f"/dashboard/?{QUERY}")
    table = page.get_by_test_id("district-table")
    expect(table).to_be_visible()
    # Sorting by overdue items, most first, puts district X (2 overdue) on top.
    table.get_by_role("link", name=re.compile("Overdue|Просроч|Мерзімі")).click()
    table.get_by_role("link", name=re.compile("Overdue|Просроч|Мерзімі")).click()
    expect(page.get_by_test_id("district-row").first).to_contain_text("Район Икс")
    page.get_by_text(re.compile("Data table|Таблица|Кесте")).first.click()
    expect(page.get_by_test_id("category-table")).to_be_visible()
    shot(page, "dashboard-city-1280")
    _opens_its_list(page, "fig-open")
    shot(page, "dashboard-items-1280")
    page.goto(f"/dashboard/?{QUERY}")
    page.get_by_test_id("fig-inspected").click()
    expect(page).to_have_url(re.compile(r"/schools/\?.*inspected=yes"))
    expect(page.get_by_test_id("school-count")).to_contain_text("2")
