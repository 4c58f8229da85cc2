"""Budget needs: open equipment items of issued orders, by school and district, and their export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qorgau.checklists.models import FixKind
from qorgau.orders.models import Order, OrderItem
from qorgau.oversight import budget
from qorgau.oversight.tests.test_risk import add_item, english, order_for
from qorgau.tests.exports import csv_table, xlsx_table
from qorgau.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

EQUIPMENT = FixKind.EQUIPMENT


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def needs(school_a, school_b, chief_x):
    """School A: two equipment items (one overdue), plus items that need no money or are no longer open;
    school B (the other district): one item."""
    order = order_for(school_a, drafted_by=chief_x)
    add_item(order, deadline=days(-3), overdue=True, fix_kind=EQUIPMENT, remedy="Установить тревожную кнопку")
    add_item(order, deadline=days(40), fix_kind=EQUIPMENT, status=OrderItem.Status.REPORTED, remedy="Камеры")
    add_item(order, deadline=days(5), fix_kind=FixKind.ORGANISATIONAL, remedy="Провести инструктаж")
    add_item(order, deadline=days(5), fix_kind=EQUIPMENT, status=OrderItem.Status.DONE, remedy="Турникет")
    draft = order_for(school_a, drafted_by=chief_x, status=Order.Status.DRAFT)
    add_item(draft, deadline=days(5), fix_kind=EQUIPMENT, remedy="Черновик")
    add_item(
        order_for(school_b, drafted_by=chief_x), deadline=days(200), fix_kind=EQUIPMENT, remedy="Ограждение"
    )
    return order


def rows(user, **filters):
    return budget.budget_page(user=user, page_number=1, per_page=50, **filters).object_list


def test_a_school_row_counts_its_open_equipment_items(needs, school_a, chief_x):
    [row] = rows(chief_x)
    assert row.pk == school_a.pk
    assert (row.items_count, row.overdue_count, row.earliest_deadline) == (2, 1, days(-3))


def test_the_city_sees_every_district_with_totals(needs, city_supervisor, district_x, district_y):
    districts, total = budget.district_totals(user=city_supervisor)
    assert [(d.district_id, d.schools, d.items, d.overdue) for d in districts] == [
        (district_y.pk, 1, 1, 0),  # «Район Игрек» sorts before «Район Икс»
        (district_x.pk, 1, 2, 1),
    ]
    assert (total.schools, total.items, total.overdue, total.earliest_deadline) == (2, 3, 1, days(-3))


@pytest.mark.parametrize("window", ["", "overdue", "30", "90", "365"])
@pytest.mark.parametrize("who", ["city_supervisor", "chief_x"])
def test_the_totals_agree_with_the_rows_under_every_filter(request, needs, school_b, who, window):
    """The totals are read from the districts into their items, the rows from the items: the same needs."""
    user = request.getfixturevalue(who)
    add_item(order_for(school_b, drafted_by=user), deadline=days(-1), overdue=True, fix_kind=EQUIPMENT)
    for district_id in (
        None,
        school_b.district_id if who == "city_supervisor" else user.organisation.district_id,
    ):
        listed = rows(user, district_id=district_id, window=window)
        districts, total = budget.district_totals(user=user, district_id=district_id, window=window)
        figures = (total.schools, total.items, total.overdue)
        expected = (len(listed), sum(s.items_count for s in listed), sum(s.overdue_count for s in listed))
        assert figures == expected
        assert {d.district_id for d in districts} == {s.district_id for s in listed}


def test_the_deadline_window_narrows_the_items(needs, city_supervisor):
    assert [s.items_count for s in rows(city_supervisor, window="overdue")] == [1]
    assert [s.items_count for s in rows(city_supervisor, window="30")] == [1]
    assert [s.items_count for s in rows(city_supervisor, window="90")] == [2]
    assert len(rows(city_supervisor, window="365")) == 2


def test_the_page_lists_schools_with_their_items(login, needs, education_user, school_a, school_b):
    english(education_user)
    response = login(education_user).get(reverse("oversight:budget_list"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [s.pk for s in rows] == [school_b.pk, school_a.pk]
    assert [i.remedy for i in rows[1].items] == ["Установить тревожную кнопку", "Камеры"]
    html = response.content.decode()
    assert "Провести инструктаж" not in html and "Черновик" not in html and "Турникет" not in html


def test_a_chief_sees_only_the_district(login, needs, chief_x, school_b, district_y):
    client = login(chief_x)
    response = client.get(reverse("oversight:budget_list"))
    assert response.status_code == 200
    assert school_b.name_ru not in response.content.decode()
    assert [d.district_id for d in response.context["districts"]] == [chief_x.organisation.district_id]
    assert client.get(reverse("oversight:budget_list"), {"district": district_y.pk}).status_code == 404
    assert (
        client.get(reverse("oversight:budget_export", args=["csv"]), {"district": district_y.pk}).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["inspector_x", "school_admin_a", "firm_user"])
def test_other_roles_are_refused(request, login, needs, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("oversight:budget_list")).status_code == 403
    assert client.get(reverse("oversight:budget_export", args=["xlsx"])).status_code == 403


def test_the_city_filters_by_district(login, needs, city_supervisor, district_x, school_a):
    response = login(city_supervisor).get(reverse("oversight:budget_list"), {"district": district_x.pk})
    assert [s.pk for s in response.context["page"].object_list] == [school_a.pk]
    assert len(response.context["districts"]) == 1


def test_the_school_export_has_the_rows_of_the_page(login, needs, education_user):
    english(education_user)
    client = login(education_user)
    page = client.get(reverse("oversight:budget_list")).context["page"].object_list
    response = client.get(reverse("oversight:budget_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    col = {title: header.index(title) for title in header}
    assert [r[col["School"]] for r in rows] == [s.name for s in page]
    assert [r[col["Items"]] for r in rows] == [s.items_count for s in page]
    assert [r[col["Overdue"]] for r in rows] == [s.overdue_count for s in page]
    assert [r[col["Earliest deadline"]].date() for r in rows] == [s.earliest_deadline for s in page]
    needed = rows[1][col["What is needed"]]
    assert needed.startswith("1. Установить тревожную кнопку") and "2. Камеры" in needed


def test_the_item_export_has_one_row_per_item(login, needs, chief_x, school_b):
    english(chief_x)
    response = login(chief_x).get(reverse("oversight:budget_export", args=["csv"]), {"per": "item"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Required remedy"] for r in rows] == ["Установить тревожную кнопку", "Камеры"]
    assert school_b.name_ru not in text


def test_the_district_export_has_the_totals_of_the_page(login, needs, education_user):
    english(education_user)
    client = login(education_user)
    page = client.get(reverse("oversight:budget_list")).context
    shown = [(d.name, d.schools, d.items, d.overdue) for d in [*page["districts"], page["total"]]]
    url = reverse("oversight:budget_export", args=["xlsx"])
    header, rows = xlsx_table(client.get(url, {"per": "district"}))
    assert header == ["District", "Schools", "Items", "Overdue", "Earliest deadline"]
    assert [tuple(r[:4]) for r in rows] == shown
    header, rows = csv_table(
        client.get(reverse("oversight:budget_export", args=["csv"]), {"per": "district"})
    )
    assert [r[0] for r in rows] == [name for name, *_counts in shown]


@pytest.mark.parametrize("size", [3, 60])
def test_the_page_costs_a_fixed_number_of_queries(
    login, district_x, chief_x, education_user, django_assert_max_num_queries, size
):
    for n in range(size):
        school = SchoolFactory(district=district_x, name_ru=f"Школа {n:03d}")
        order = order_for(school, drafted_by=chief_x)
        for k in range(2):
            add_item(order, deadline=days(k * 20 - 5), fix_kind=EQUIPMENT, overdue=k == 0)
    client = login(education_user)
    client.get(reverse("oversight:budget_list"))
    # Session and user (and the session saved), the district filter, the count, the page, the page's items,
    # the district totals, the notification bell.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("oversight:budget_list"))
    assert len(response.context["page"].object_list) == min(size, settings.PAGE_SIZE)


@pytest.mark.parametrize("who", ["school_admin_a", "firm_user", "inspector_x"])
def test_the_totals_are_only_for_those_who_plan_the_budget(request, needs, who):
    """Should the budget's readers ever grow, a school or a firm would still not read its district totals."""
    user = request.getfixturevalue(who)
    districts, total = budget.district_totals(user=user)
    if who == "inspector_x":  # a district office: its district's needs
        assert [d.items for d in districts] == [2]
    else:
        assert (districts, total.items) == ([], 0)
