"""The dashboard in a browser: it is the chief's home, the charts render, a figure opens its list."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from qorgau.oversight.charts import Series, compliance_chart, trend_chart
from qorgau.oversight.models import CATEGORIES
from qorgau.oversight.selectors import CategoryRow, Month
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


# Charts with real-sized figures: their text stays inside the drawing ---------------------------------------

CSS = (Path(settings.BASE_DIR) / "qorgau" / "static" / "qorgau" / "qorgau.css").read_text(encoding="utf-8")
OVERFLOWING_TEXT = """() => [...document.querySelectorAll("svg.chart")].flatMap((svg) => {
    const box = svg.viewBox.baseVal;
    return [...svg.querySelectorAll("text")].filter((t) => {
        const b = t.getBBox();
        return b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5;
    }).map((t) => `${svg.id}: ${t.textContent}`);
})"""


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_charts_keep_big_numbers_and_long_names_inside(make_page, language, viewport):
    """A city's figures run to thousands and the Kazakh category names are long: a label cut at the edge
    (seen with a district's three months of items on a phone) fails here."""
    with translation.override(language):
        categories = [CategoryRow(code, str(label), passed=93, failed=7) for code, label in CATEGORIES]
        months = [
            Month(start=dt.date(2026, m, 1), end=dt.date(2026, m, 28), issued=1480, done=900, missed=512)
            for m in (9, 10, 11)
        ]
        series = [
            Series("issued", "issued", "issued"),
            Series("done", "done", "done"),
            Series("missed", "m", "missed"),
        ]
        body = compliance_chart(categories) + trend_chart(months, series)
    page = make_page(viewport)
    page.set_content(f"<html><head><style>{CSS}</style></head><body><main>{body}</main></body></html>")
    assert page.evaluate(OVERFLOWING_TEXT) == []
    # However few months, the trend is drawn at no more than twice its size: its text is not blown up (three
    # months used to be scaled three times over on a phone).
    scale = page.evaluate(
        "() => { const svg = document.querySelector('#chart-trend');"
        " return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }"
    )
    assert scale <= 2
