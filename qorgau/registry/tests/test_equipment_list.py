"""The equipment list: devices of one kind across the schools a user sees, filtered, paged and exported."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qorgau.registry.models import EquipmentStatus, SignalDestination
from qorgau.tests.exports import column, csv_table, xlsx_table
from qorgau.tests.factories import CameraFactory, PanicButtonFactory, SchoolFactory

pytestmark = pytest.mark.django_db

LIST = reverse("registry:equipment_list")


def export(fmt: str) -> str:
    return reverse("registry:equipment_export", args=[fmt])


@pytest.fixture
def devices(school_a, school_b):
    """School A: a connected button, one not connected, one faulty; three cameras (one unlinked and faulty,
    one linked but faulty). School B: a button and a camera."""
    PanicButtonFactory(school=school_a, location="Кабинет директора")
    PanicButtonFactory(school=school_a, location="Приёмная", signal_to=SignalDestination.NONE)
    PanicButtonFactory(school=school_a, location="Вахта", status=EquipmentStatus.FAULTY)
    CameraFactory(school=school_a, location="Главный вход")
    CameraFactory(school=school_a, location="Двор", linked_to_police=False, status=EquipmentStatus.FAULTY)
    CameraFactory(school=school_a, location="Спортзал", status=EquipmentStatus.FAULTY)  # linked, but faulty
    PanicButtonFactory(school=school_b, location="Пост охраны Б")
    CameraFactory(school=school_b, location="Вход Б")


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [e.location for e in response.context["page"].object_list]


def test_the_city_lists_each_kind_with_its_filters(login, devices, city_supervisor, district_x):
    client = login(city_supervisor)
    assert len(listed(client)) == 4  # panic buttons by default
    # School by school (school B's «Лицей» before school A's «Школа»), then by location.
    assert listed(client, kind="panic-buttons", link="yes") == ["Пост охраны Б", "Кабинет директора"]
    assert listed(client, kind="panic-buttons", link="no") == ["Вахта", "Приёмная"]
    assert listed(client, kind="cameras", status="faulty") == ["Двор", "Спортзал"]
    assert listed(client, kind="cameras", link="no") == ["Двор"]
    assert listed(client, kind="cameras", district=district_x.pk) == ["Главный вход", "Двор", "Спортзал"]
    assert listed(client, kind="access-points") == []
    assert client.get(LIST, {"kind": "rockets"}).status_code == 404
    assert client.get(export("csv"), {"kind": "rockets"}).status_code == 404


def test_the_numbers_are_those_of_the_dashboard(login, devices, city_supervisor):
    from qorgau.oversight import selectors

    filters, _form = selectors.parse_filters(user=city_supervisor, params={})
    equipment = selectors.dashboard(user=city_supervisor, filters=filters)["equipment"]
    client = login(city_supervisor)
    assert len(listed(client, kind="panic-buttons")) == equipment["panic_total"] == 4
    assert len(listed(client, kind="panic-buttons", link="yes")) == equipment["panic_connected"] == 2
    assert len(listed(client, kind="cameras", status="working")) == equipment["cameras_working"] == 2
    # Linked counts a camera whatever its state: the faulty linked one too.
    assert len(listed(client, kind="cameras", link="yes")) == equipment["cameras_linked"] == 3


@pytest.mark.parametrize("who", ["chief_x", "inspector_x", "school_admin_a", "firm_user"])
def test_others_see_only_their_area(request, login, devices, school_b, district_y, who):
    client = login(request.getfixturevalue(who))
    for kind in ("panic-buttons", "cameras"):
        assert "Вход Б" not in listed(client, kind=kind) and "Пост охраны Б" not in listed(client, kind=kind)
        # A district the user does not see narrows nothing: the list stays the user's own.
        response = client.get(LIST, {"kind": kind, "district": district_y.pk})
        assert school_b.name_ru not in response.content.decode()
        body = b"".join(client.get(export("csv"), {"kind": kind}).streaming_content).decode("utf-8-sig")
        assert school_b.name_ru not in body


def test_the_exports_have_the_rows_of_the_page(login, devices, chief_x, school_a):
    chief_x.language = "en"
    chief_x.save()
    client = login(chief_x)
    params = {"kind": "cameras"}
    shown = [(e.school.name, e.location) for e in client.get(LIST, params).context["page"].object_list]
    for table in (
        csv_table(client.get(export("csv"), params)),
        xlsx_table(client.get(export("xlsx"), params)),
    ):
        assert list(zip(column(table, "School"), column(table, "Location"), strict=True)) == shown
        assert column(table, "Linked to the police centre") == ["yes", "no", "yes"]
    table = csv_table(client.get(export("csv"), {"kind": "panic-buttons", "link": "no"}))
    assert column(table, "Location") == ["Вахта", "Приёмная"]
    assert column(table, "Signal goes to")[1] == "Not connected"


def test_the_page_costs_a_fixed_number_of_queries(
    login, devices, city_supervisor, district_x, django_assert_max_num_queries
):
    client = login(city_supervisor)
    client.get(LIST, {"kind": "cameras"})
    with django_assert_max_num_queries(8) as small:
        client.get(LIST, {"kind": "cameras"})
    for n in range(40):
        CameraFactory(school=SchoolFactory(district=district_x), location=f"Камера {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST, {"kind": "cameras"})
    assert response.context["page"].paginator.count == 44
