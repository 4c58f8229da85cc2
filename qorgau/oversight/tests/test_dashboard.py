"""The dashboards: the figures, the lists their numbers open, scoping, exports and the cost in queries."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qorgau.oversight import selectors
from qorgau.oversight.tests.dashboard_world import (
    bulk_world,
    district_x_history,
    district_y_history,
)
from qorgau.tests.exports import column, csv_table, xlsx_table
from qorgau.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2025-09-01", "to": "2026-08-31"}
DASHBOARD = reverse("oversight:dashboard")
ITEMS = reverse("oversight:item_list")


@pytest.fixture
def world(school_a, school_b, inspector_x, inspector_y):
    """District X: school A inspected in the period with an order of four items (one withdrawn); school A2
    inspected before the period, with an older order whose item is still open and overdue. District Y: school
    B inspected, one item fixed in four days."""
    school_a2 = district_x_history(school_a, inspector_x)
    district_y_history(school_b, inspector_y)
    return school_a2


def _figures(user, **params):
    filters, _form = selectors.parse_filters(user=user, params={**PERIOD, **params})
    return selectors.dashboard(user=user, filters=filters)


# The figures ------------------------------------------------------------------------------------------------


def test_the_city_figures_count_what_the_definitions_say(world, city_supervisor):
    data = _figures(city_supervisor)
    total = data["total"]
    assert (total.schools, total.inspected, total.inspections) == (3, 2, 2)
    assert total.inspected_pct == 66.7
    # Items issued in the period (the withdrawn one left out), open and overdue now, fixed in the period.
    assert (total.issued, total.open, total.overdue, total.done, total.missed) == (4, 3, 2, 2, 2)
    assert total.days_to_fix == 7.0  # 10 days at school A, 4 at school B
    categories = {c.code: c for c in data["categories"]}
    assert categories["PA"].compliance == 66.7  # (3 + 1) / (4 + 2)
    assert categories["VS"].compliance == 50.0
    assert categories["AC"].compliance is None  # no checks in the period
    assert (categories["PA"].open, categories["PA"].overdue) == (1, 1)
    assert (categories["VS"].open, categories["VS"].done) == (1, 1)
    assert (categories["DO"].open, categories["DO"].overdue, categories["DO"].done) == (1, 1, 1)


def test_the_district_rows_add_up_to_the_total(world, city_supervisor, district_x, district_y):
    rows = {r.district_id: r for r in _figures(city_supervisor)["rows"]}
    x, y = rows[district_x.pk], rows[district_y.pk]
    assert (x.schools, x.inspected, x.open, x.overdue, x.done, x.days_to_fix) == (2, 1, 3, 2, 1, 10.0)
    assert (y.schools, y.inspected, y.open, y.overdue, y.done, y.days_to_fix) == (1, 1, 0, 0, 1, 4.0)
    assert x.inspected_pct == 50.0 and x.compliance == 5 / 8 * 100


def test_the_trend_counts_items_issued_fixed_and_missed_per_month(world, city_supervisor):
    months = {(m.start.year, m.start.month): m for m in _figures(city_supervisor)["months"]}
    assert (months[2025, 9].issued, months[2025, 9].done, months[2025, 9].missed) == (0, 0, 1)
    assert (months[2025, 10].issued, months[2025, 10].done, months[2025, 10].missed) == (3, 1, 0)
    assert (months[2025, 11].issued, months[2025, 11].done, months[2025, 11].missed) == (1, 1, 1)
    assert len(months) == 12


def test_a_district_user_gets_the_district_figures_only(world, chief_x, district_x, district_y):
    data = _figures(chief_x)
    assert [r.district_id for r in data["rows"]] == [district_x.pk]
    total = data["total"]
    assert (total.schools, total.inspected, total.open, total.overdue, total.done) == (2, 1, 3, 2, 1)
    # Asking for the other district changes nothing: the field is not there for a district office.
    assert _figures(chief_x, district=str(district_y.pk))["total"] == total


def test_the_city_can_narrow_to_a_district_campaign_and_tier(world, city_supervisor, district_y):
    total = _figures(city_supervisor, district=str(district_y.pk))["total"]
    assert (total.schools, total.inspected, total.open, total.done) == (1, 1, 0, 1)
    assert _figures(city_supervisor, tier="T1")["total"].schools == 0  # a city of republican significance


def test_the_default_period_is_the_current_school_year(city_supervisor):
    filters, _form = selectors.parse_filters(user=city_supervisor, params={})
    assert (filters.start.month, filters.start.day, filters.end.month, filters.end.day) == (9, 1, 8, 31)
    assert filters.end.year == filters.start.year + 1
    assert selectors.school_year(dt.date(2026, 3, 1)) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert selectors.school_year(dt.date(2026, 9, 1)) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))


def test_a_bad_period_is_named_and_the_default_is_used(city_supervisor, login):
    login(city_supervisor)
    response = login(city_supervisor).get(DASHBOARD, {"from": "2026-05-01", "to": "2026-01-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors
    assert response.context["filters"].explicit_period is False
    response = login(city_supervisor).get(DASHBOARD, {"from": "yesterday", "tier": "T9", "campaign": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "tier", "campaign"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"to": "9999-12-31"}, "date_to"),  # the calendar's last day: no day after it to compare with
        ({"from": "1000-01-01"}, "date_from"),
        ({"from": "2000-01-01"}, "date_from"),  # up to this school year: far more than ten years
        ({"from": "2010-01-01", "to": "2025-12-31"}, "date_to"),
    ],
)
def test_a_period_out_of_bounds_is_refused_by_its_field(login, city_supervisor, params, field):
    """Each month of the trend is a column: a century-long period must not reach the database."""
    for url in (DASHBOARD, ITEMS, reverse("oversight:dashboard_export", args=["csv"])):
        response = login(city_supervisor).get(url, params)
        assert response.status_code == 200, url
    response = login(city_supervisor).get(DASHBOARD, params)
    assert field in response.context["form"].errors
    assert response.context["filters"].explicit_period is False  # the default period instead
    ok = login(city_supervisor).get(DASHBOARD, {"from": "2016-09-01", "to": "2026-08-31"})  # ten school years
    assert not ok.context["form"].errors and len(ok.context["months"]) == 120


# Every number opens the list behind it, with the same count ----------------------------------------------

LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-count="(\d+)"')


def _list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize(
    "persona, params",
    [
        ("city_supervisor", PERIOD),
        ("city_supervisor", {**PERIOD, "tier": "T3"}),
        ("education_user", {}),  # the default period: the current school year
        ("chief_x", PERIOD),
        ("inspector_x", {**PERIOD, "tier": "T3"}),
    ],
)
def test_every_number_opens_a_list_with_the_same_count(world, login, request, persona, params):
    client = login(request.getfixturevalue(persona))
    page = client.get(DASHBOARD, params).content.decode()
    links = [(html.unescape(href), int(n)) for href, n in LINK.findall(page)]
    assert len(links) > 20
    assert any(n > 0 for _href, n in links)
    for href, expected in links:
        assert _list_count(client, href) == expected, href


@pytest.fixture
def campaign_and_equipment(world, school_a, school_b, city_supervisor):
    """School A's inspection made part of a campaign; devices in every state in both districts."""
    from qorgau.inspections.models import Campaign, Inspection
    from qorgau.oversight.models import InspectionScore
    from qorgau.registry.models import EquipmentStatus, SignalDestination
    from qorgau.tests.factories import CameraFactory, PanicButtonFactory

    inspection = Inspection.objects.get(school=school_a)
    campaign = Campaign.objects.create(
        name="Осень 2025", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2025, 12, 31),
        template_version=inspection.template_version, created_by=city_supervisor,
    )  # fmt: skip
    campaign.districts.add(school_a.district, school_b.district)
    Inspection.objects.filter(pk=inspection.pk).update(campaign=campaign)
    InspectionScore.objects.filter(inspection=inspection).update(campaign=campaign)
    for school in (school_a, world, school_b):
        PanicButtonFactory(school=school)
        PanicButtonFactory(school=school, signal_to=SignalDestination.NONE)
        PanicButtonFactory(school=school, status=EquipmentStatus.FAULTY)
        CameraFactory(school=school)
        CameraFactory(school=school, linked_to_police=False)
        CameraFactory(school=school, status=EquipmentStatus.MISSING)
    return campaign


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x"])
def test_every_number_agrees_under_a_campaign_with_equipment(campaign_and_equipment, login, request, persona):
    client = login(request.getfixturevalue(persona))
    for params in ({**PERIOD, "campaign": campaign_and_equipment.pk}, {**PERIOD, "tier": "T3"}, PERIOD):
        page = client.get(DASHBOARD, params).content.decode()
        links = [(html.unescape(href), int(n)) for href, n in LINK.findall(page)]
        equipment = [n for href, n in links if "/equipment/" in href]
        assert len(equipment) >= 5 and (params.get("tier") or any(equipment))
        for href, expected in links:
            assert _list_count(client, href) == expected, (params, href)
    figures = _figures(request.getfixturevalue(persona), campaign=campaign_and_equipment.pk)
    assert figures["total"].inspections == 1  # school A's only: school B's is outside the campaign
    assert figures["total"].issued == 3  # school A's order, the withdrawn item left out


def test_a_district_filter_from_the_city_opens_that_districts_lists(
    world, login, city_supervisor, district_y
):
    client = login(city_supervisor)
    page = client.get(DASHBOARD, {**PERIOD, "district": district_y.pk}).content.decode()
    links = [(html.unescape(href), int(n)) for href, n in LINK.findall(page)]
    for href, expected in links:
        assert _list_count(client, href) == expected, href
    assert (
        "Школа № 3"
        not in client.get(ITEMS, {**PERIOD, "district": district_y.pk, "state": "open"}).content.decode()
    )


# Scoping and access ---------------------------------------------------------------------------------------


def test_a_district_user_never_sees_the_other_districts_items(world, login, chief_x, district_y):
    client = login(chief_x)
    for state in selectors.STATE_CODES:
        response = client.get(ITEMS, {**PERIOD, "state": state, "district": district_y.pk})
        assert response.status_code == 200
        assert "Лицей № 2 (Б)" not in response.content.decode()
        assert all(i.order.district_id != district_y.pk for i in response.context["page"].object_list)
    body = client.get(DASHBOARD, {**PERIOD, "district": district_y.pk}).content.decode()
    assert "Район Игрек" not in body and 'data-testid="district-table"' not in body


@pytest.mark.parametrize("persona", ["school_admin_a", "firm_user"])
def test_schools_and_firms_have_no_dashboard(world, login, request, persona):
    client = login(request.getfixturevalue(persona))
    for url in (DASHBOARD, ITEMS, reverse("oversight:dashboard_export", args=["csv"]),
                reverse("oversight:item_list_export", args=["csv"])):  # fmt: skip
        assert client.get(url).status_code == 403


def test_the_dashboard_is_the_home_and_in_the_menu_of_those_who_oversee(
    login, city_supervisor, chief_x, inspector_x
):
    response = login(chief_x).get("/")
    assert response.status_code == 302 and response.url == DASHBOARD
    assert login(inspector_x).get("/").url == reverse("inspections:inspection_list")
    assert DASHBOARD in login(inspector_x).get(ITEMS).content.decode()
    page = login(city_supervisor).get(DASHBOARD).content.decode()
    assert f'href="{DASHBOARD}"' in page


# Exports ----------------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    header, rows = csv_table(response)  # checks the byte-order mark
    return [header, *rows]


def test_the_district_table_exports_with_the_same_filters_and_scope(world, login, city_supervisor, chief_x):
    rows = _csv(login(city_supervisor).get(reverse("oversight:dashboard_export", args=["csv"]), PERIOD))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Район Икс"][1:3] == ["2", "1"]
    assert rows[-1][1:3] == ["3", "2"]  # the total
    rows = _csv(login(chief_x).get(reverse("oversight:dashboard_export", args=["csv"]), PERIOD))
    assert [r[0] for r in rows[1:]] == ["Район Икс", rows[-1][0]]
    response = login(city_supervisor).get(reverse("oversight:dashboard_export", args=["xlsx"]), PERIOD)
    assert response.status_code == 200
    assert login(city_supervisor).get(reverse("oversight:dashboard_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x"])
def test_every_dashboard_table_exports_the_rows_of_the_page(world, login, request, persona):
    """Opened with openpyxl (and read as CSV), each table's export has the page's rows and figures."""
    user = request.getfixturevalue(persona)
    user.language = "en"
    user.save(update_fields=["language"])
    client = login(user)
    page = client.get(DASHBOARD, PERIOD)
    assert page.content.decode().count('data-testid="export-xlsx"') >= 2  # a district office too
    context = page.context
    expected = {
        "districts": [
            (r.name, r.schools, r.inspected, r.inspections, r.open, r.overdue, r.done)
            for r in [*context["rows"], context["total"]]
        ],
        "categories": [
            (c.label, c.passed, c.failed, c.open, c.overdue, c.done) for c in context["categories"]
        ],
        "months": [(f"{m.start:%Y-%m}", m.issued, m.done, m.missed) for m in context["months"]],
    }
    picks = {
        "districts": ("District", "Schools", "Inspected schools", "Approved inspections", "Open items",
                      "Overdue items", "Fixed in the period"),
        "categories": ("Category", "Passed checks", "Failed checks", "Open items", "Overdue items",
                       "Fixed in the period"),
        "months": ("Month", "Issued", "Fixed", "Deadline missed"),
    }  # fmt: skip
    for table, titles in picks.items():
        params = {**PERIOD, "table": table}
        sheet = xlsx_table(client.get(reverse("oversight:dashboard_export", args=["xlsx"]), params))
        got = list(zip(*(column(sheet, title) for title in titles), strict=True))
        if table == "districts":
            got[-1] = ("Total", *got[-1][1:])
            expected[table][-1] = ("Total", *expected[table][-1][1:])
        assert got == expected[table], table
        text = csv_table(client.get(reverse("oversight:dashboard_export", args=["csv"]), params))
        assert [str(v) for v in column(text, titles[1])] == [str(row[1]) for row in expected[table]], table


def test_the_item_list_exports_what_it_shows(world, login, city_supervisor, chief_x):
    for user in (city_supervisor, chief_x):
        client = login(user)
        for state in selectors.STATE_CODES:
            params = {**PERIOD, "state": state}
            shown = client.get(ITEMS, params).context["page"].paginator.count
            rows = _csv(client.get(reverse("oversight:item_list_export", args=["csv"]), params))
            assert len(rows) - 1 == shown, (user, state)
    rows = _csv(
        login(chief_x).get(reverse("oversight:item_list_export", args=["csv"]), {**PERIOD, "state": "done"})
    )
    assert all("Лицей" not in cell for row in rows for cell in row)


# Cost ------------------------------------------------------------------------------------------------------


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x"])
def test_the_pages_cost_a_fixed_number_of_queries(
    login, request, persona, district_x, district_y, inspector_x, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(persona))
    small = [SchoolFactory(district=d) for d in (district_x, district_y)]
    bulk_world(small, drafted_by=inspector_x)
    costs = {url: _queries(client, url, {**PERIOD, "state": "open"}) for url in (DASHBOARD, ITEMS)}
    assert costs[DASHBOARD] <= 18  # session and user, menu, form choices, 11 figures
    larger = [SchoolFactory(district=(district_x, district_y)[n % 2]) for n in range(30)]
    bulk_world(larger, drafted_by=inspector_x, per_school=3)
    for url, cost in costs.items():
        with django_assert_max_num_queries(cost):
            client.get(url, {**PERIOD, "state": "open"})
