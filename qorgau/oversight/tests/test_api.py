"""The oversight API: the same figures as the pages for the same user and filters, the pages' role checks
(403), scoping (404 for a district or campaign the caller does not see), a campaign from the top of the
ranking, paging, and a fixed number of queries per request whatever the size of the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from qorgau.checklists.models import FixKind
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Campaign, Inspection
from qorgau.orders.models import Order, OrderItem
from qorgau.oversight import risk, selectors
from qorgau.oversight.api import MAX_PAGE
from qorgau.oversight.tests.dashboard_world import (
    bulk_world,
    district_x_history,
    district_y_history,
)
from qorgau.oversight.tests.test_risk import add_item, clean_school, order_for, overdue_items
from qorgau.tests.api_client import Api
from qorgau.tests.factories import SchoolFactory, default_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
PERIOD = {"from": "2025-09-01", "to": "2026-08-31"}
DASHBOARD = reverse("oversight:dashboard")
ITEMS = reverse("oversight:item_list")
RANKING = reverse("oversight:risk_list")
BUDGET = reverse("oversight:budget_list")
FIGURES = (
    "schools", "inspected", "inspected_pct", "inspections", "passed", "failed", "compliance", "issued",
    "open", "overdue", "done", "missed", "days_to_fix",
)  # fmt: skip


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world(school_a, school_b, inspector_x, inspector_y, city_supervisor):
    """As the dashboard's tests have it: district X with school A (an order of four items, one withdrawn) and
    school A2 (an older overdue item); district Y with school B (one item fixed), inspected in a campaign of
    its own."""
    district_x_history(school_a, inspector_x)
    campaign_y = inspection_services.campaign_create(
        actor=city_supervisor, name="Осень Игрек", starts_on=dt.date(2025, 10, 1),
        ends_on=dt.date(2025, 12, 1), districts=[school_b.district], template_version=default_version(),
    )  # fmt: skip
    district_y_history(school_b, inspector_y, campaign=campaign_y)
    return campaign_y


def _row(row) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


def _page_figures(context) -> dict:
    """The page's figures in the API's shape."""
    return {
        "total": _row(context["total"]),
        "districts": [{"district_id": r.district_id, **_row(r)} for r in context["rows"]],
        "categories": [
            {
                name: getattr(c, name)
                for name in ("code", "passed", "failed", "compliance", "open", "overdue", "done")
            }
            for c in context["categories"]
        ],
        "months": [
            {
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                "issued": m.issued,
                "done": m.done,
                "missed": m.missed,
            }
            for m in context["months"]
        ],
        "equipment": context["equipment"],
    }


def _api_figures(data) -> dict:
    return {
        "total": {name: data["total"][name] for name in FIGURES},
        "districts": [{name: r[name] for name in ("district_id", *FIGURES)} for r in data["districts"]],
        "categories": [{k: v for k, v in c.items() if k != "label"} for c in data["categories"]],
        "months": data["months"],
        "equipment": data["equipment"],
    }


# The dashboard ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, params",
    [
        ("city_supervisor", PERIOD),
        ("city_supervisor", {**PERIOD, "tier": "T3", "sort": "-open"}),
        ("city_supervisor", {**PERIOD, "district": "district_y"}),
        ("city_supervisor", {**PERIOD, "campaign": "campaign"}),
        ("education_user", {}),  # the default period: the current school year
        ("chief_x", PERIOD),
        ("inspector_x", {"from": "2025-10-01", "to": "2025-11-30", "tier": "T3"}),
    ],
)
def test_the_dashboard_figures_are_the_pages(world, login, request, persona, params, district_y):
    user = request.getfixturevalue(persona)
    ids = {"district_y": district_y.pk, "campaign": world.pk}
    params = {key: ids.get(value, value) for key, value in params.items()}
    page = login(user).get(DASHBOARD, params)
    assert page.status_code == 200 and not page.context["form"].errors
    response = Api(user).get("/dashboard", params)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert _api_figures(data) == _page_figures(page.context)
    assert data["total"]["schools"] > 0 and data["sort"] == params.get("sort", "name")
    filters = page.context["filters"]
    assert data["filters"] == {
        "start": filters.start.isoformat(), "end": filters.end.isoformat(),
        "campaign_id": filters.campaign_id, "district_id": filters.district_id, "tier": filters.tier,
    }  # fmt: skip


def test_the_dashboard_counts_what_the_definitions_say(world, city_supervisor, district_x, district_y):
    data = Api(city_supervisor).get("/dashboard", PERIOD).json()
    total = data["total"]
    figures = {k: total[k] for k in ("schools", "inspected", "inspections", "inspected_pct", "days_to_fix")}
    assert figures == {
        "schools": 3,
        "inspected": 2,
        "inspections": 2,
        "inspected_pct": 66.7,
        "days_to_fix": 7.0,
    }
    # Items issued in the period (the withdrawn one left out), open and overdue now, fixed and missed in it.
    assert [total[k] for k in selectors.STATE_CODES] == [4, 3, 2, 2, 2]
    rows = {r["district_id"]: r for r in data["districts"]}
    assert (rows[district_x.pk]["open"], rows[district_y.pk]["done"]) == (3, 1)
    assert data["scope"] == "city" and len(data["months"]) == 12


def test_a_district_chief_gets_the_district_figures_only(world, chief_x, district_x, district_y):
    api = Api(chief_x)
    data = api.get("/dashboard", PERIOD).json()
    assert data["scope"] == "district"
    assert [r["district_id"] for r in data["districts"]] == [district_x.pk]
    assert (data["total"]["schools"], data["total"]["open"], data["total"]["done"]) == (2, 3, 1)
    # Naming the own district changes nothing; another district, or its campaign, is not found.
    assert api.get("/dashboard", {**PERIOD, "district": district_x.pk}).json() == data
    for params in ({"district": district_y.pk}, {"campaign": world.pk}):
        for path in ("/dashboard", "/dashboard/items"):
            response = api.get(path, {**PERIOD, **params})
            assert response.status_code == 404
            assert set(response.json()) == {"detail"}  # nothing about what was asked for


def test_an_id_of_nothing_is_not_found(world, city_supervisor):
    api = Api(city_supervisor)
    for params in ({"district": 987654}, {"campaign": 987654}, {"district": -1}):
        for path in ("/dashboard", "/dashboard/items", "/planning/next", "/budget"):
            if "campaign" in params and path in ("/planning/next", "/budget"):
                continue
            assert api.get(path, params).status_code == 404, (path, params)


def test_a_bad_filter_is_refused_naming_the_parameter(city_supervisor):
    api = Api(city_supervisor)
    cases = [
        ({"from": "2026-05-01", "to": "2026-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"tier": "T9"}, "tier"),
        ({"sort": "colour"}, "sort"),
        ({"campaign": "x"}, "campaign"),
        ({"from": "1900-01-01"}, "from"),  # before any record, and the trend would have a column per month
        ({"from": "2010-01-01", "to": "2025-12-31"}, "to"),  # longer than ten years
    ]
    for params, field in cases:
        response = api.get("/dashboard", params)
        assert response.status_code == 422, params
        assert field in response.json()["errors"], response.json()
    assert api.get("/dashboard/items", {"state": "lost"}).json()["errors"].keys() == {"state"}
    assert api.get("/planning/next", {"tier": "T9"}).status_code == 422
    assert api.get("/budget", {"window": "7"}).status_code == 422


@pytest.mark.parametrize("persona", ["school_admin_a", "firm_user"])
def test_schools_and_firms_are_refused_the_dashboard(world, request, persona, district_x):
    api = Api(request.getfixturevalue(persona))
    for path in ("/dashboard", "/dashboard/items"):
        # The role is checked before the district is looked up: the same answer for any district.
        for params in ({}, {"district": district_x.pk}, {"district": 987654}):
            response = api.get(path, params)
            assert response.status_code == 403
            assert response.json()["detail"]


# The list behind each number --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x"])
def test_each_number_is_the_count_of_its_list_as_on_the_page(world, login, request, persona, settings):
    user = request.getfixturevalue(persona)
    api, client = Api(user), login(user)
    settings.PAGE_SIZE = 50  # the whole list on one page, to compare the rows too
    dashboard = api.get("/dashboard", PERIOD).json()
    for state in selectors.STATE_CODES:
        params = {**PERIOD, "state": state}
        data = api.get("/dashboard/items", params).json()
        assert data["count"] == dashboard["total"][state]
        page = client.get(ITEMS, params).context["page"]
        assert data["count"] == page.paginator.count
        assert [i["id"] for i in data["items"]] == [i.pk for i in page.object_list]
        for category in dashboard["categories"]:
            if state in ("open", "overdue", "done"):
                counted = api.get("/dashboard/items", {**params, "category": category["code"]}).json()[
                    "count"
                ]
                assert counted == category[state], (state, category["code"])


def test_an_item_row_says_what_the_page_shows(world, city_supervisor, school_a):
    data = Api(city_supervisor).get("/dashboard/items", {**PERIOD, "state": "overdue"}).json()
    row = next(i for i in data["items"] if i["school"]["id"] == school_a.pk)
    assert row["category"] == "PA" and row["status"] == "open" and row["overdue_since"] == "2025-11-06"
    assert row["order_number"] and row["district"]["code"] == "TX"
    assert set(row["school"]) == {"id", "name", "name_ru", "name_kk", "bin"}


def test_a_district_chief_never_gets_another_districts_items(world, chief_x, school_b):
    api = Api(chief_x)
    for state in selectors.STATE_CODES:
        body = api.get("/dashboard/items", {**PERIOD, "state": state}).content.decode()
        assert school_b.name_ru not in body and "Лицей" not in body


def test_the_item_list_pages_with_limit_and_offset(world, city_supervisor):
    api = Api(city_supervisor)
    whole = api.get("/dashboard/items", PERIOD).json()
    assert whole["count"] == 4
    pages = [
        api.get("/dashboard/items", {**PERIOD, "limit": 3, "offset": offset}).json() for offset in (0, 3)
    ]
    assert [len(p["items"]) for p in pages] == [3, 1]
    assert {p["count"] for p in pages} == {4}
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in whole["items"]]
    assert api.get("/dashboard/items", {**PERIOD, "offset": 10}).json() == {"count": 4, "items": []}
    assert api.get("/dashboard/items", {**PERIOD, "limit": 0}).status_code == 422


# What to inspect next ---------------------------------------------------------------------------------------


def _ranking_world(district, chief, n=7):
    for i in range(n):
        school = clean_school(district, name=f"Школа {i}", pupils=200 + 100 * i, inspected_days_ago=40 * i)
        overdue_items(school, i % 3, drafted_by=chief)


def test_the_ranking_is_the_pages(login, district_x, chief_x, school_b):
    _ranking_world(district_x, chief_x)
    page = login(chief_x).get(RANKING).context["page"]
    data = Api(chief_x).get("/planning/next").json()
    assert data["count"] == page.paginator.count == 7
    rows = data["items"]
    assert [(r["rank"], r["id"]) for r in rows] == [(s.rank, s.pk) for s in page.object_list]
    assert [round(r["score"]) for r in rows] == [s.score_shown for s in page.object_list]
    assert [[(x["text"], x["level"], x["points"]) for x in r["reasons"]] for r in rows] == [
        [(x.text, x.level, x.points) for x in s.reasons] for s in page.object_list
    ]
    assert data["facts_as_of"] is not None
    assert all(r["district"]["id"] == district_x.pk for r in rows)
    assert school_b.name_ru not in str(data)


def test_the_ranking_pages_continue_the_ranks(district_x, chief_x):
    _ranking_world(district_x, chief_x)
    api = Api(chief_x)
    first = api.get("/planning/next", {"limit": 5}).json()
    second = api.get("/planning/next", {"limit": 5, "offset": 5}).json()
    assert [r["rank"] for r in first["items"]] == [1, 2, 3, 4, 5]
    assert [r["rank"] for r in second["items"]] == [6, 7]
    ranking = risk.risk_ranking(user=chief_x).values_list("pk", flat=True)
    assert [r["id"] for r in first["items"] + second["items"]] == list(ranking)


def test_the_ranking_follows_the_filters_and_the_scope(
    school_a, school_b, district_y, city_supervisor, chief_x, inspector_x
):
    city = Api(city_supervisor)
    assert {r["id"] for r in city.get("/planning/next").json()["items"]} == {school_a.pk, school_b.pk}
    assert [r["id"] for r in city.get("/planning/next", {"district": district_y.pk}).json()["items"]] == [
        school_b.pk
    ]
    for user in (chief_x, inspector_x):
        api = Api(user)
        assert [r["id"] for r in api.get("/planning/next").json()["items"]] == [school_a.pk]
        assert api.get("/planning/next", {"district": district_y.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["education_user", "school_admin_a", "firm_user"])
def test_roles_without_the_ranking_are_refused(request, school_a, persona):
    api = Api(request.getfixturevalue(persona))
    assert api.get("/planning/next").status_code == 403
    assert api.post("/planning/next/campaign", plan()).status_code == 403


def plan(n=5, **extra) -> dict:
    return {"n": n, "name": "Весна по риску", "starts_on": days(0).isoformat(),
            "ends_on": days(30).isoformat(), **extra}  # fmt: skip


def test_the_chief_plans_a_campaign_over_the_top_n(district_x, chief_x, inspector_x, school_b):
    _ranking_world(district_x, chief_x, n=8)
    risk.refresh_risk()
    top = risk.top_school_ids(user=chief_x, n=5)
    response = Api(chief_x).post("/planning/next/campaign", plan(5, inspector_id=inspector_x.pk))
    assert response.status_code == 201, response.json()
    data = response.json()
    campaign = Campaign.objects.get()
    assert data["school_ids"] == top
    assert data["campaign"]["id"] == campaign.pk and data["campaign"]["name"] == "Весна по риску"
    assert data["campaign"]["district_ids"] == [district_x.pk] and data["campaign"]["inspections_total"] == 5
    planned = campaign.inspections.all()
    assert sorted(planned.values_list("school_id", flat=True)) == sorted(top)
    assert set(planned.values_list("inspector_id", flat=True)) == {inspector_x.pk}


def test_the_plan_follows_the_filters(
    district_x, district_y, city_supervisor, chief_x, inspector_y, school_b
):
    _ranking_world(district_x, chief_x, n=4)
    params = {"district": district_y.pk}
    response = Api(city_supervisor).post(
        "/planning/next/campaign", plan(5, inspector_id=inspector_y.pk), params
    )
    assert response.status_code == 201
    assert response.json()["school_ids"] == [school_b.pk]
    assert list(Campaign.objects.get().inspections.values_list("school_id", flat=True)) == [school_b.pk]


def test_a_bad_plan_is_refused_naming_the_fields(district_x, chief_x, inspector_y, school_a):
    api = Api(chief_x)
    response = api.post("/planning/next/campaign", plan(0, name=""))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"n", "name"}
    response = api.post("/planning/next/campaign", plan(3, inspector_id=inspector_y.pk))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"inspector_id"}
    response = api.post("/planning/next/campaign", plan(3, ends_on=days(-1).isoformat()))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ends_on"}
    response = api.post("/planning/next/campaign", {**plan(), "colour": "red"})
    assert response.status_code == 422
    assert not Campaign.objects.exists()


def test_an_empty_ranking_plans_nothing(city_supervisor, district_x):
    response = Api(city_supervisor).post("/planning/next/campaign", plan(), {"district": district_x.pk})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"n"}  # no school of the list is left to plan
    assert not Campaign.objects.exists()


def test_a_chief_cannot_plan_another_district_and_an_inspector_not_at_all(
    chief_x, inspector_x, school_a, district_y, school_b
):
    response = Api(chief_x).post("/planning/next/campaign", plan(), {"district": district_y.pk})
    assert response.status_code == 404
    assert Api(inspector_x).post("/planning/next/campaign", plan()).status_code == 403
    assert not Campaign.objects.exists()


# Budget needs -----------------------------------------------------------------------------------------------


@pytest.fixture
def needs(school_a, school_b, chief_x):
    """School A: two equipment items (one overdue) and items that need no money or are no longer open;
    school B (the other district): one item."""
    order = order_for(school_a, drafted_by=chief_x)
    add_item(order, deadline=days(-3), overdue=True, fix_kind=FixKind.EQUIPMENT, remedy="Установить кнопку")
    add_item(order, deadline=days(40), fix_kind=FixKind.EQUIPMENT, status=OrderItem.Status.REPORTED,
             remedy="Камеры")  # fmt: skip
    add_item(order, deadline=days(5), fix_kind=FixKind.ORGANISATIONAL, remedy="Провести инструктаж")
    draft = order_for(school_a, drafted_by=chief_x, status=Order.Status.DRAFT)
    add_item(draft, deadline=days(5), fix_kind=FixKind.EQUIPMENT, remedy="Черновик")
    add_item(order_for(school_b, drafted_by=chief_x), deadline=days(200), fix_kind=FixKind.EQUIPMENT,
             remedy="Ограждение")  # fmt: skip


def _budget_page(context) -> dict:
    return {
        "count": context["page"].paginator.count,
        "items": [
            {
                "id": s.pk,
                "items_count": s.items_count,
                "overdue_count": s.overdue_count,
                "earliest_deadline": s.earliest_deadline.isoformat(),
                "items": [(i.pk, i.remedy, i.deadline.isoformat(), i.is_late) for i in s.items],
            }
            for s in context["page"].object_list
        ],
        "districts": [
            (d.district_id, d.schools, d.items, d.overdue, d.earliest_deadline.isoformat())
            for d in context["districts"]
        ],
        "total": [context["total"].schools, context["total"].items, context["total"].overdue],
    }


def _budget_api(data) -> dict:
    return {
        "count": data["count"],
        "items": [
            {
                "id": s["id"],
                "items_count": s["items_count"],
                "overdue_count": s["overdue_count"],
                "earliest_deadline": s["earliest_deadline"],
                "items": [(i["id"], i["remedy"], i["deadline"], i["overdue"]) for i in s["items"]],
            }
            for s in data["items"]
        ],
        "districts": [
            (d["district_id"], d["schools"], d["items"], d["overdue"], d["earliest_deadline"])
            for d in data["districts"]
        ],
        "total": [data["total"][k] for k in ("schools", "items", "overdue")],
    }


@pytest.mark.parametrize(
    "persona, params",
    [
        ("education_user", {}),
        ("education_user", {"window": "30"}),
        ("city_supervisor", {"district": "district_y"}),
        ("chief_x", {}),
        ("chief_x", {"window": "overdue"}),
    ],
)
def test_the_budget_needs_are_the_pages(needs, login, request, persona, params, district_y):
    user = request.getfixturevalue(persona)
    params = {key: district_y.pk if value == "district_y" else value for key, value in params.items()}
    page = login(user).get(BUDGET, params)
    assert page.status_code == 200
    response = Api(user).get("/budget", params)
    assert response.status_code == 200
    assert _budget_api(response.json()) == _budget_page(page.context)
    assert response.json()["count"] > 0


def test_a_school_row_counts_its_open_equipment_items(needs, chief_x, school_a, school_b):
    data = Api(chief_x).get("/budget").json()
    [row] = data["items"]
    assert row["id"] == school_a.pk
    assert (row["items_count"], row["overdue_count"], row["earliest_deadline"]) == (
        2,
        1,
        days(-3).isoformat(),
    )
    assert [i["remedy"] for i in row["items"]] == ["Установить кнопку", "Камеры"]
    assert data["total"] == {
        "schools": 1,
        "items": 2,
        "overdue": 1,
        "earliest_deadline": days(-3).isoformat(),
    }
    assert school_b.name_ru not in str(data)


def test_a_chief_gets_404_for_another_districts_budget(needs, chief_x, district_y):
    assert Api(chief_x).get("/budget", {"district": district_y.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["inspector_x", "school_admin_a", "firm_user"])
def test_roles_without_budget_needs_are_refused(needs, request, persona, district_x):
    api = Api(request.getfixturevalue(persona))
    assert api.get("/budget").status_code == 403
    assert api.get("/budget", {"district": district_x.pk}).status_code == 403


def test_the_budget_pages_with_limit_and_offset(needs, education_user, school_a, school_b):
    api = Api(education_user)
    first = api.get("/budget", {"limit": 1}).json()
    second = api.get("/budget", {"limit": 1, "offset": 1}).json()
    assert [s["id"] for s in first["items"] + second["items"]] == [school_b.pk, school_a.pk]
    assert first["count"] == second["count"] == 2
    # The district totals are the whole filter's, on every page.
    assert first["total"] == second["total"] and first["total"]["items"] == 3


# Cost: a fixed number of queries whatever the size of the data ----------------------------------------------


# Each request: the token (with its user and organisation), then the endpoint's own queries, the same at any
# size of the data.
COSTS = {
    # The districts, the schools, the scores, the items open now, three periodic states, buttons and cameras.
    "/dashboard": 10,
    # The count and the page.
    "/dashboard/items": 3,
    # Whether any school lacks its facts, the count, the page, the page's inspections in hand, when the facts
    # were gathered.
    "/planning/next": 6,
    # The count, the page, the page's items, the district totals.
    "/budget": 5,
}


@pytest.mark.parametrize("persona", ["city_supervisor", "chief_x"])
def test_the_dashboard_endpoints_cost_a_fixed_number_of_queries(
    request, persona, district_x, district_y, inspector_x, django_assert_max_num_queries
):
    api = Api(request.getfixturevalue(persona))
    bulk_world([SchoolFactory(district=d) for d in (district_x, district_y)], drafted_by=inspector_x)
    params = {**PERIOD, "state": "open"}
    api.get("/dashboard")  # the token's first use is recorded
    for path in ("/dashboard", "/dashboard/items"):
        with django_assert_max_num_queries(COSTS[path]):
            api.get(path, params)
    larger = [SchoolFactory(district=(district_x, district_y)[n % 2]) for n in range(30)]
    bulk_world(larger, drafted_by=inspector_x, per_school=3)
    for path in ("/dashboard", "/dashboard/items"):
        with django_assert_max_num_queries(COSTS[path]):
            response = api.get(path, params)
        assert response.status_code == 200
    assert len(api.get("/dashboard/items", {**params, "limit": MAX_PAGE}).json()["items"]) > 30


@pytest.mark.parametrize("size", [5, 60])
def test_the_ranking_costs_a_fixed_number_of_queries(
    district_x, chief_x, django_assert_max_num_queries, size
):
    for n in range(size):
        school = clean_school(district_x, name=f"Школа {n:03d}")
        if n % 3 == 0:
            overdue_items(school, 1, drafted_by=chief_x)
    risk.refresh_risk()
    api = Api(chief_x)
    api.get("/planning/next", {"limit": 1})  # the token's first use is recorded
    with django_assert_max_num_queries(COSTS["/planning/next"]):
        response = api.get("/planning/next")
    assert len(response.json()["items"]) == min(size, settings.NINJA_PAGINATION_PER_PAGE)


@pytest.mark.parametrize("size", [3, 60])
def test_the_budget_costs_a_fixed_number_of_queries(
    district_x, chief_x, education_user, django_assert_max_num_queries, size
):
    for n in range(size):
        order = order_for(SchoolFactory(district=district_x, name_ru=f"Школа {n:03d}"), drafted_by=chief_x)
        for k in range(2):
            add_item(order, deadline=days(k * 20 - 5), fix_kind=FixKind.EQUIPMENT, overdue=k == 0)
    api = Api(education_user)
    api.get("/budget", {"limit": 1})  # the token's first use is recorded
    with django_assert_max_num_queries(COSTS["/budget"]):
        response = api.get("/budget")
    assert len(response.json()["items"]) == min(size, settings.NINJA_PAGINATION_PER_PAGE)


def test_a_ranked_school_with_an_inspection_in_hand_says_so(chief_x, school_a, school_b, district_x):
    from qorgau.tests.factories import InspectionFactory

    planned = InspectionFactory(school=school_a, status=Inspection.Status.PLANNED)
    rows = Api(chief_x).get("/planning/next").json()["items"]
    row = next(r for r in rows if r["id"] == school_a.pk)
    assert row["in_hand"] == {
        "id": planned.pk,
        "status": "planned",
        "planned_on": planned.planned_on.isoformat(),
    }
    assert (
        Api(chief_x).post("/planning/next/campaign", plan()).status_code == 400
    )  # its only school is planned
