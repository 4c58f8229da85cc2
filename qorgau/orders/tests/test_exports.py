"""Exports of the order lists (orders, overdue items, reports to verify) and of the school's "what we must
fix": the same rows as the page with the same filters and scope, values typed for Excel, labels in the user's
language, and a fixed number of queries whatever the length of the list."""

import datetime as dt

import pytest
from django.utils import timezone

from qorgau.orders.models import OrderItem, SchoolReport
from qorgau.orders.tests.test_views_police import make_orders
from qorgau.tests.exports import body, column, csv_table, xlsx_table
from qorgau.tests.factories import InspectionFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def english(user):
    user.language = "en"  # the tests read the columns by their English titles
    user.save(update_fields=["language"])
    return user


def table(client, url: str):
    response = client.get(url)
    return csv_table(response) if url.split("?")[0].endswith(".csv") else xlsx_table(response)


@pytest.fixture
def canary(school_b, inspector_y):
    """An order with an overdue item in the other district: it must never show up for district X."""
    inspection = InspectionFactory(school=school_b, inspector=inspector_y)
    canary_school = SchoolFactory(district=school_b.district, name_ru="Канарейка № 99")
    order = make_orders(1, school=canary_school, inspection=inspection, drafted_by=inspector_y, overdue=True)[
        0
    ]
    SchoolReport.objects.create(
        item=order.items.get(position=2), kind="fix", comment="Канарейка сделала", by=inspector_y
    )
    return order


@pytest.fixture
def orders(school_a, approved_inspection, inspector_x, canary):
    """Five issued orders of school A (two with an overdue item) and the canary of district Y."""
    late = make_orders(
        2, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True
    )
    on_time = make_orders(3, school=school_a, inspection=approved_inspection, drafted_by=inspector_x)
    return late + on_time


def page_rows(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


# Orders -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?overdue=on", "?status=issued", "?q=Гимназия", "?status=closed"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_order_export_has_the_rows_of_the_filtered_list(login, chief_x, orders, query, fmt):
    client = login(english(chief_x))
    expected = [o.number for o in page_rows(client, "/orders/" + query)]
    exported = table(client, f"/orders/export.{fmt}{query}")
    assert column(exported, "Order no.") == expected
    assert "Канарейка" not in str(exported)


def test_the_order_export_keeps_numbers_and_dates(login, chief_x, orders):
    client = login(english(chief_x))
    header, rows = xlsx_table(client.get("/orders/export.xlsx?overdue=on"))
    first = dict(zip(header, rows[0], strict=True))
    assert first["Status"] == "Issued"
    assert (first["Items"], first["Open items"], first["Overdue items"], first["Items to verify"]) == (
        3,
        3,
        1,
        1,
    )
    issued = timezone.localtime(orders[0].issued_at).replace(tzinfo=None, second=0, microsecond=0)
    assert first["Issued at"].replace(second=0, microsecond=0) == issued  # a local date and time
    csv_first = dict(zip(*_first_row(csv_table(client.get("/orders/export.csv?overdue=on"))), strict=True))
    assert csv_first["Items"] == "3"
    assert csv_first["Issued at"] == issued.strftime("%Y-%m-%d %H:%M")


def _first_row(csv_result):
    header, rows = csv_result
    return header, rows[0]


def test_the_city_exports_every_district_and_the_firm_nothing(
    login, city_supervisor, firm_user, orders, canary
):
    exported = table(login(english(city_supervisor)), "/orders/export.csv")
    assert canary.number in column(exported, "Order no.")
    assert len(exported[1]) == 6
    assert table(login(firm_user), "/orders/export.csv")[1] == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_order_export_runs_a_fixed_number_of_queries(
    login, chief_x, school_a, approved_inspection, inspector_x, fmt, django_assert_max_num_queries
):
    make_orders(1, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    client = login(chief_x)
    body(client.get(f"/orders/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(table(client, f"/orders/export.{fmt}")[1]) == 1
    make_orders(25, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(table(client, f"/orders/export.{fmt}")[1]) == 26


def test_an_unknown_format_is_404(login, chief_x, school_admin_a, orders):
    client = login(chief_x)
    for path in ("/orders/export.pdf", "/orders/overdue/export.json", "/orders/verification/export.xls"):
        assert client.get(path).status_code == 404, path
    assert login(school_admin_a).get("/our-orders/export.txt").status_code == 404


# Overdue items ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_overdue_export_has_the_rows_of_the_list(login, chief_x, city_supervisor, orders, canary, fmt):
    client = login(english(chief_x))
    expected = [(i.order.number, i.position) for i in page_rows(client, "/orders/overdue/")]
    assert len(expected) == 2
    exported = table(client, f"/orders/overdue/export.{fmt}")
    positions = [int(p) for p in column(exported, "Item no.")]
    assert list(zip(column(exported, "Order no."), positions, strict=True)) == expected
    assert column(exported, "Days overdue") == (["5", "5"] if fmt == "csv" else [5, 5])
    assert column(exported, "Degree")[0] == str(OrderItem(severity="S").get_severity_display())
    assert "Канарейка" not in str(exported)
    city = table(login(english(city_supervisor)), f"/orders/overdue/export.{fmt}")
    assert canary.number in column(city, "Order no.")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_overdue_export_runs_a_fixed_number_of_queries(
    login, chief_x, school_a, approved_inspection, inspector_x, fmt, django_assert_max_num_queries
):
    make_orders(1, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    client = login(chief_x)
    body(client.get(f"/orders/overdue/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(table(client, f"/orders/overdue/export.{fmt}")[1]) == 1
    make_orders(20, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    OrderItem.objects.filter(overdue_since__isnull=False).update(
        referred_at=timezone.now(), referred_by=chief_x
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(table(client, f"/orders/overdue/export.{fmt}")[1]) == 21


# The verification queue -------------------------------------------------------------------------------------


def _reports(orders, by, n=None):
    return [
        SchoolReport.objects.create(item=o.items.get(position=2), kind="fix", comment="Сделано", by=by)
        for o in orders[:n]
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_verification_export_has_the_rows_of_the_queue(login, inspector_x, school_admin_a, orders, fmt):
    _reports(orders, school_admin_a, 3)
    client = login(english(inspector_x))
    expected = [(r.item.order.number, r.item.position) for r in page_rows(client, "/orders/verification/")]
    assert len(expected) == 3
    exported = table(client, f"/orders/verification/export.{fmt}")
    positions = [int(p) for p in column(exported, "Item no.")]
    assert list(zip(column(exported, "Order no."), positions, strict=True)) == expected
    assert set(column(exported, "Kind")) == {"Fix reported"}
    assert "Канарейка" not in str(exported)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_verification_export_runs_a_fixed_number_of_queries(
    login, inspector_x, school_admin_a, school_a, approved_inspection, fmt, django_assert_max_num_queries
):
    orders = make_orders(12, school=school_a, inspection=approved_inspection, drafted_by=inspector_x)
    _reports(orders, school_admin_a, 1)
    client = login(inspector_x)
    body(client.get(f"/orders/verification/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(table(client, f"/orders/verification/export.{fmt}")[1]) == 1
    _reports(orders[1:], school_admin_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(table(client, f"/orders/verification/export.{fmt}")[1]) == 12


# What we must fix (the school's own list) -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_school_exports_what_it_must_fix(login, school_admin_a, orders, canary, fmt):
    client = login(english(school_admin_a))
    items = client.get("/our-orders/").context["items"]
    expected = [(i.order.number, i.position) for i in items]
    assert len(expected) == 15
    exported = table(client, f"/our-orders/export.{fmt}")
    positions = [int(p) for p in column(exported, "Item no.")]
    assert list(zip(column(exported, "Order no."), positions, strict=True)) == expected
    overdue = [int(d) for d in column(exported, "Days overdue")]
    assert overdue.count(5) == 2 and overdue.count(0) == 13
    assert "Канарейка" not in str(exported)
    if fmt == "xlsx":
        assert isinstance(column(exported, "Deadline")[0], dt.datetime)  # a date cell, not text


def test_only_the_school_exports_its_list_to_fix(login, chief_x, education_user, firm_user, orders):
    for persona in (chief_x, education_user, firm_user):
        assert login(persona).get("/our-orders/export.csv").status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_to_fix_export_runs_a_fixed_number_of_queries(
    login, school_admin_a, school_a, approved_inspection, inspector_x, fmt, django_assert_max_num_queries
):
    make_orders(1, school=school_a, inspection=approved_inspection, drafted_by=inspector_x)
    client = login(school_admin_a)
    body(client.get(f"/our-orders/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(table(client, f"/our-orders/export.{fmt}")[1]) == 3
    make_orders(10, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(table(client, f"/our-orders/export.{fmt}")[1]) == 33
