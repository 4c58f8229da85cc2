"""Exports of the inspection list, the campaign list and a campaign's schools: the same rows as the page with
the same filters and scope, values typed for Excel, labels in the user's language, and a fixed number of
queries whatever the length of the list."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from qorgau.inspections.models import Inspection
from qorgau.inspections.tests.test_views_planning import make_campaign
from qorgau.tests.exports import body, column, csv_table, xlsx_table
from qorgau.tests.factories import InspectionFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def english(user):
    user.language = "en"  # the tests read the columns by their English titles
    user.save(update_fields=["language"])
    return user


def page_bins(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [row.school.bin for row in response.context["page"].object_list]


def export_bins(client, path: str, query: str = "") -> tuple[list[str], list[str]]:
    csv_bins = column(csv_table(client.get(f"{path}export.csv{query}")), "BIN")
    xlsx_bins = column(xlsx_table(client.get(f"{path}export.xlsx{query}")), "BIN")
    return csv_bins, xlsx_bins


@pytest.fixture
def inspections(school_a, school_b, inspector_x, inspector_y):
    """Inspections in both districts, in several states; school B's is the canary for district X."""
    gymnasium = SchoolFactory(district=school_a.district, name_ru="Гимназия № 7")
    return [
        InspectionFactory(school=school_a, inspector=inspector_x, planned_on=TODAY + dt.timedelta(days=2)),
        InspectionFactory(school=gymnasium, inspector=None, planned_on=TODAY - dt.timedelta(days=3)),
        InspectionFactory(school=school_a, inspector=inspector_x, status=Inspection.Status.SUBMITTED),
        InspectionFactory(school=school_b, inspector=inspector_y, planned_on=TODAY),
    ]


# The inspection list --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?status=planned", "?status=open", "?inspector=none", "?q=Гимназия"])
def test_the_inspection_export_has_the_rows_of_the_filtered_list(
    login, city_supervisor, inspections, district_y, query
):
    client = login(english(city_supervisor))
    expected = page_bins(client, "/inspections/" + query)
    assert expected, "each filter keeps some rows"
    assert export_bins(client, "/inspections/", query) == (expected, expected)


def test_the_city_filters_the_inspection_export_by_district(
    login, city_supervisor, inspections, district_y, school_b
):
    client = login(english(city_supervisor))
    query = f"?district={district_y.pk}"
    assert page_bins(client, "/inspections/" + query) == [school_b.bin]
    assert export_bins(client, "/inspections/", query) == ([school_b.bin], [school_b.bin])


def test_a_district_never_exports_another_districts_inspections(
    login, chief_x, inspections, district_y, school_b
):
    client = login(english(chief_x))
    for query in ("", f"?district={district_y.pk}", f"?q={school_b.bin}"):
        expected = page_bins(client, "/inspections/" + query)
        csv_bins, xlsx_bins = export_bins(client, "/inspections/", query)
        assert csv_bins == xlsx_bins == expected
        assert school_b.bin not in csv_bins
    assert school_b.name_ru.encode() not in body(client.get("/inspections/export.csv"))


def test_an_inspector_exports_their_open_inspections_grouped_as_on_the_page(login, inspector_x, inspections):
    client = login(english(inspector_x))
    response = client.get("/inspections/")
    expected = [(str(r.pk), r.school.bin) for r in response.context["page"].object_list]
    table = csv_table(client.get("/inspections/export.csv"))
    assert column(table, "BIN") == [bin_ for _pk, bin_ in expected]
    # "Mine, not approved": the group of each row, as the page heads them.
    assert column(table, "What needs doing") == ["Upcoming", "Awaiting approval"]


def test_the_xlsx_keeps_numbers_and_dates_and_the_labels_are_in_the_users_language(
    login, chief_x, inspections, school_a
):
    client = login(chief_x)  # Russian, the default
    header, rows = xlsx_table(client.get("/inspections/export.xlsx"))
    planned = inspections[0]
    row = next(r for r in rows if r[0] is not None and r[0].date() == planned.planned_on)
    with translation.override("ru"):
        assert str(Inspection.Status.PLANNED.label) in row  # the status label, in Russian
    assert 0 in row  # the findings: a number, not text
    english(chief_x)
    header, rows = xlsx_table(client.get("/inspections/export.xlsx"))
    row = next(r for r in rows if r[0] is not None and r[0].date() == planned.planned_on)
    assert row[header.index("Status")] == "Planned"
    assert row[header.index("Findings")] == 0
    assert row[header.index("School")] == school_a.name_ru
    assert header[0] == "Planned date"


def test_an_unknown_format_is_404_and_a_firm_has_no_inspection_export(login, chief_x, firm_user, inspections):
    assert login(chief_x).get("/inspections/export.pdf").status_code == 404
    assert login(chief_x).get("/inspections/export.").status_code == 404
    assert login(firm_user).get("/inspections/export.csv").status_code == 404


def test_the_export_is_a_download_and_refuses_post(login, chief_x, inspections):
    client = login(chief_x)
    response = client.get("/inspections/export.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="inspections-')
    assert client.post("/inspections/export.csv").status_code == 405


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_inspection_export_runs_a_fixed_number_of_queries(
    login, chief_x, school_a, inspector_x, fmt, django_assert_max_num_queries
):
    client = login(chief_x)
    InspectionFactory(school=school_a, inspector=inspector_x)
    body(client.get(f"/inspections/export.{fmt}"))  # the session is read and saved once
    with django_assert_max_num_queries(14) as few:
        assert len(csv_or_xlsx_rows(client, f"/inspections/export.{fmt}")) == 1
    for _n in range(30):
        InspectionFactory(school=SchoolFactory(district=school_a.district), inspector=inspector_x)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_or_xlsx_rows(client, f"/inspections/export.{fmt}")) == 31


def csv_or_xlsx_rows(client, url: str) -> list:
    response = client.get(url)
    return (csv_table(response) if url.endswith(".csv") else xlsx_table(response))[1]


# Campaigns ------------------------------------------------------------------------------------------------


def test_the_campaign_export_has_the_rows_of_the_list(
    login, city_supervisor, chief_x, district_x, district_y, school_a, school_b
):
    make_campaign(city_supervisor, district_x)
    make_campaign(city_supervisor, district_x, district_y)
    only_y = make_campaign(city_supervisor, district_y)
    for persona in (city_supervisor, chief_x):
        client = login(english(persona))
        page = client.get("/campaigns/").context["page"]
        expected = [(c.name, c.inspections_total, c.inspections_done) for c in page.object_list]
        table = xlsx_table(client.get("/campaigns/export.xlsx"))
        got = list(
            zip(
                column(table, "Campaign"),
                column(table, "Inspections"),
                column(table, "Approved"),
                strict=True,
            )
        )
        assert got == expected
        assert column(csv_table(client.get("/campaigns/export.csv")), "Inspections") == [
            str(total) for _name, total, _done in expected
        ]
    # District X's office counts its own share only, and never sees district Y's own campaign.
    assert only_y.pk not in [c.pk for c in login(chief_x).get("/campaigns/").context["page"].object_list]
    assert sorted(column(xlsx_table(login(chief_x).get("/campaigns/export.xlsx")), "Inspections")) == [1, 1]


def test_schools_and_firms_have_no_campaign_export(login, school_admin_a, firm_user):
    assert login(school_admin_a).get("/campaigns/export.csv").status_code == 404
    assert login(firm_user).get("/campaigns/export.csv").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_campaign_export_runs_a_fixed_number_of_queries(
    login, city_supervisor, district_x, district_y, school_a, fmt, django_assert_max_num_queries
):
    client = login(city_supervisor)
    make_campaign(city_supervisor, district_x)
    body(client.get(f"/campaigns/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(csv_or_xlsx_rows(client, f"/campaigns/export.{fmt}")) == 1
    for _n in range(8):
        make_campaign(city_supervisor, district_x, district_y)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_or_xlsx_rows(client, f"/campaigns/export.{fmt}")) == 9


# A campaign's schools -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?status=planned", "?unassigned=on", "?status=approved"])
def test_the_campaign_schools_export_has_the_rows_of_the_filtered_page(
    login, city_supervisor, chief_x, district_x, district_y, school_a, school_b, query
):
    SchoolFactory(district=district_x, name_ru="Гимназия № 7")
    campaign = make_campaign(city_supervisor, district_x, district_y)
    for persona in (city_supervisor, chief_x):
        client = login(english(persona))
        expected = page_bins(client, f"/campaigns/{campaign.pk}/{query}")
        assert export_bins(client, f"/campaigns/{campaign.pk}/", query) == (expected, expected)


def test_a_foreign_district_filter_exports_no_foreign_schools(
    login, city_supervisor, chief_x, district_x, district_y, school_a, school_b
):
    campaign = make_campaign(city_supervisor, district_x, district_y)
    query = f"?district={district_y.pk}"
    city = login(english(city_supervisor))
    assert export_bins(city, f"/campaigns/{campaign.pk}/", query) == ([school_b.bin], [school_b.bin])
    chief = login(english(chief_x))
    csv_bins, xlsx_bins = export_bins(chief, f"/campaigns/{campaign.pk}/", query)
    assert csv_bins == xlsx_bins == page_bins(chief, f"/campaigns/{campaign.pk}/{query}") == [school_a.bin]
    assert school_b.name_ru.encode() not in body(chief.get(f"/campaigns/{campaign.pk}/export.csv{query}"))


def test_a_foreign_campaign_export_is_404(login, city_supervisor, chief_x, district_y, school_b):
    only_y = make_campaign(city_supervisor, district_y)
    assert login(chief_x).get(f"/campaigns/{only_y.pk}/export.csv").status_code == 404
    assert login(chief_x).get("/campaigns/987654/export.csv").status_code == 404
    assert login(city_supervisor).get(f"/campaigns/{only_y.pk}/export.doc").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_campaign_schools_export_runs_a_fixed_number_of_queries(
    login, city_supervisor, chief_x, inspector_x, district_x, fmt, django_assert_max_num_queries
):
    SchoolFactory.create_batch(2, district=district_x)
    small = make_campaign(city_supervisor, district_x)
    SchoolFactory.create_batch(40, district=district_x)
    big = make_campaign(city_supervisor, district_x)
    from qorgau.inspections import services

    services.inspections_assign(actor=chief_x, inspections=list(big.inspections.all()), inspector=inspector_x)
    client = login(chief_x)
    body(client.get(f"/campaigns/{small.pk}/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert len(csv_or_xlsx_rows(client, f"/campaigns/{small.pk}/export.{fmt}")) == 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_or_xlsx_rows(client, f"/campaigns/{big.pk}/export.{fmt}")) == 42
