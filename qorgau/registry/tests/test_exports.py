"""The security firms export: the same rows as the list with the same search, values typed for Excel, and a
fixed number of queries whatever the number of firms. (The school list's export: test_views.py.)"""

import datetime as dt

import pytest

from qorgau.tests.exports import BOM, body, column, csv_table, xlsx_table
from qorgau.tests.factories import GuardContractFactory, SchoolFactory, SecurityFirmFactory

pytestmark = pytest.mark.django_db


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def firms(firm, school_a):
    expired = SecurityFirmFactory(name="ТОО «Барс-Охрана»", licence_expiry=dt.date(2020, 1, 31))
    SecurityFirmFactory(name="ТОО «Щит»")
    return [firm, expired]


@pytest.mark.parametrize("query", ["", "?q=барс", "?q=щит", "?q=nothing-like-it"])
def test_the_firm_export_has_the_rows_of_the_list(login, chief_x, firms, query):
    client = login(english(chief_x))
    expected = [f.bin for f in client.get("/firms/" + query).context["page"].object_list]
    assert column(csv_table(client.get("/firms/export.csv" + query)), "BIN") == expected
    assert column(xlsx_table(client.get("/firms/export.xlsx" + query)), "BIN") == expected


def test_the_firm_export_keeps_numbers_and_dates(login, city_supervisor, firms, school_a):
    client = login(english(city_supervisor))
    header, rows = xlsx_table(client.get("/firms/export.xlsx?q=барс"))
    row = dict(zip(header, rows[0], strict=True))  # the expired one
    assert row["Licence valid until"] == dt.datetime(2020, 1, 31)
    assert row["Licence expired"] == "yes"
    assert row["Schools guarded"] == 0
    header, rows = xlsx_table(client.get(f"/firms/export.xlsx?q={firms[0].bin}"))
    assert rows[0][header.index("Schools guarded")] == 1


def test_the_csv_begins_with_the_byte_order_mark_and_an_unknown_format_is_404(login, firm_user, firms):
    client = login(english(firm_user))
    assert body(client.get("/firms/export.csv")).startswith(BOM)
    assert client.get("/firms/export.ods").status_code == 404
    # A firm sees itself only, in its export as on the page.
    header, rows = csv_table(client.get("/firms/export.csv"))
    assert [r[header.index("BIN")] for r in rows] == [firms[0].bin]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_firm_export_runs_a_fixed_number_of_queries(
    login, city_supervisor, firms, district_x, fmt, django_assert_max_num_queries
):
    client = login(city_supervisor)
    body(client.get(f"/firms/export.{fmt}"))
    with django_assert_max_num_queries(14) as few:
        assert body(client.get(f"/firms/export.{fmt}"))
    for firm in SecurityFirmFactory.create_batch(30):
        GuardContractFactory(firm=firm, school=SchoolFactory(district=district_x))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/firms/export.{fmt}")
        rows = (csv_table(response) if fmt == "csv" else xlsx_table(response))[1]
    assert len(rows) == 33
