"""Registry pages: scoping by page, export and guessed id; who may change what; history."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from qorgau.core.models import ChangeRecord
from qorgau.registry.models import Camera, EquipmentStatus, GuardContract
from qorgau.tests.factories import CameraFactory, GuardContractFactory, PanicButtonFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _urls_of(school, camera):
    return [
        f"/schools/{school.pk}/",
        f"/schools/{school.pk}/edit/",
        f"/schools/{school.pk}/contract/",
        f"/schools/{school.pk}/cameras/new/",
        f"/schools/{school.pk}/cameras/{camera.pk}/edit/",
    ]


@pytest.mark.parametrize("persona", ["school_admin_a", "chief_x", "inspector_x"])
def test_outsiders_get_404_for_everything_of_another_school(request, login, persona, school_a, school_b):
    client = login(request.getfixturevalue(persona))
    camera_b = CameraFactory(school=school_b)
    for url in _urls_of(school_b, camera_b):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/schools/{school_b.pk}/cameras/{camera_b.pk}/delete/").status_code == 404
    assert Camera.objects.filter(pk=camera_b.pk).exists()


def test_a_guessed_equipment_id_of_another_school_under_my_school_is_404(
    login, school_admin_a, school_a, school_b
):
    camera_b = CameraFactory(school=school_b)
    client = login(school_admin_a)
    assert client.get(f"/schools/{school_a.pk}/cameras/{camera_b.pk}/edit/").status_code == 404
    response = client.post(f"/schools/{school_a.pk}/cameras/{camera_b.pk}/edit/", {"location": "x"})
    assert response.status_code == 404
    assert client.post(f"/schools/{school_a.pk}/cameras/{camera_b.pk}/delete/").status_code == 404


def test_unknown_ids_and_kinds_are_404(login, city_supervisor, school_a):
    client = login(city_supervisor)
    assert client.get("/schools/999999/").status_code == 404
    assert client.get(f"/schools/{school_a.pk}/rockets/new/").status_code == 404
    assert client.get("/firms/999999/").status_code == 404
    assert client.get("/schools/export.pdf").status_code == 404


def test_the_list_and_exports_never_show_another_district(login, chief_x, school_a, school_b):
    client = login(chief_x)
    page = client.get("/schools/").content.decode()
    assert school_a.name_ru in page
    assert school_b.name_ru not in page
    csv_text = b"".join(client.get("/schools/export.csv").streaming_content).decode("utf-8-sig")
    assert school_a.bin in csv_text
    assert school_b.bin not in csv_text
    workbook = load_workbook(io.BytesIO(b"".join(client.get("/schools/export.xlsx").streaming_content)))
    bins = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert bins == [school_a.bin]


def test_the_export_has_the_same_rows_as_the_filtered_list(login, city_supervisor, school_a, school_b):
    client = login(city_supervisor)
    CameraFactory(school=school_a)
    url = f"?district={school_b.district_id}"
    page = client.get("/schools/" + url)
    assert [s.pk for s in page.context["page"].object_list] == [school_b.pk]
    csv_text = b"".join(client.get("/schools/export.csv" + url).streaming_content).decode("utf-8-sig")
    assert csv_text.count("\n") == 2  # header and one school
    assert school_b.bin in csv_text


def test_the_list_filters_by_missing_equipment(login, city_supervisor, school_a, school_b):
    PanicButtonFactory(school=school_a)
    CameraFactory(school=school_a, linked_to_police=True)
    CameraFactory(school=school_b, linked_to_police=False)
    client = login(city_supervisor)

    def names(query):
        return [s.pk for s in client.get("/schools/?" + query).context["page"].object_list]

    assert names("missing=panic") == [school_b.pk]
    assert names("missing=cameras_unlinked") == [school_b.pk]
    assert names("missing=contract") == [school_b.pk]
    assert names("q=" + school_a.bin) == [school_a.pk]
    assert names("q=гимназия") == [school_a.pk]
    assert names("q=ШКОЛА-ГИМНАЗИЯ") == [school_a.pk]  # Cyrillic case folding on every database
    assert names("q=ЛИЦЕЙ") == [school_b.pk]


def test_the_list_is_paginated(login, city_supervisor, district_x, settings):
    settings.PAGE_SIZE = 5
    SchoolFactory.create_batch(12, district=district_x)
    client = login(city_supervisor)
    response = client.get("/schools/?page=3")
    assert len(response.context["page"].object_list) == 2
    assert client.get("/schools/?page=99").status_code == 200  # past the end shows the last page


def test_an_htmx_filter_returns_only_the_table(login, city_supervisor, school_a):
    response = login(city_supervisor).get("/schools/?q=x", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="school-count"' in body


def test_the_school_list_runs_a_fixed_number_of_queries(
    login, city_supervisor, district_x, django_assert_max_num_queries
):
    client = login(city_supervisor)
    SchoolFactory.create_batch(3, district=district_x)
    with django_assert_max_num_queries(10) as small:
        client.get("/schools/")
    for school in SchoolFactory.create_batch(60, district=district_x):
        CameraFactory.create_batch(2, school=school)
        GuardContractFactory(school=school)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/schools/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/schools/?missing=faulty&tier=T3")


def test_the_passport_runs_a_fixed_number_of_queries(
    login, city_supervisor, school_a, django_assert_max_num_queries
):
    client = login(city_supervisor)
    CameraFactory(school=school_a)
    with django_assert_max_num_queries(20) as small:
        client.get(f"/schools/{school_a.pk}/")
    CameraFactory.create_batch(40, school=school_a)
    PanicButtonFactory.create_batch(5, school=school_a)
    for camera in Camera.objects.filter(school=school_a)[:10]:
        ChangeRecord.objects.create(
            action="updated", object_type="registry.camera", object_id=camera.pk, object_repr="c",
            school=school_a, district=school_a.district, actor=city_supervisor,
        )  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"/schools/{school_a.pk}/")


def test_the_passport_shows_counts_and_expiry_warnings(login, inspector_x, school_a):
    CameraFactory(school=school_a)
    CameraFactory(school=school_a, status=EquipmentStatus.FAULTY)
    contract = GuardContract.objects.get(school=school_a)
    contract.valid_until = date.today() - timedelta(days=1)
    contract.save()
    contract.firm.licence_expiry = date.today() + timedelta(days=10)
    contract.firm.save()
    response = login(inspector_x).get(f"/schools/{school_a.pk}/")
    body = response.content.decode()
    assert 'data-testid="count-cameras">1/2<' in body
    warnings = [w.text for w in response.context["passport"].warnings]
    assert any("expired" in w or "истёк" in w for w in warnings)
    assert len(warnings) == 2


def test_a_school_admin_adds_and_edits_equipment_of_their_school(login, school_admin_a, school_a):
    client = login(school_admin_a)
    response = client.post(
        f"/schools/{school_a.pk}/cameras/new/",
        {
            "location": "Вход 1",
            "status": "working",
            "zone": "entrance",
            "placement": "outdoor",
            "archive_days": "30",
        },
    )
    assert response.status_code == 302
    camera = Camera.objects.get(school=school_a)
    response = client.post(
        f"/schools/{school_a.pk}/cameras/{camera.pk}/edit/",
        {
            "location": "Вход 1",
            "status": "faulty",
            "zone": "entrance",
            "placement": "outdoor",
            "archive_days": "30",
        },
    )
    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.status == "faulty"
    record = ChangeRecord.objects.filter(object_type="registry.camera", action="updated").get()
    assert record.actor == school_admin_a
    assert record.changes["status"] == ["working", "faulty"]  # values; the page shows labels
    page = client.get(f"/schools/{school_a.pk}/").content.decode()
    assert school_admin_a.display_name in page  # the history on the passport says who


def test_a_bad_value_is_shown_on_its_field_and_nothing_is_saved(login, inspector_x, school_a):
    client = login(inspector_x)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/schools/{school_a.pk}/cameras/new/",
        {
            "location": "Холл",
            "status": "working",
            "zone": "hall",
            "placement": "indoor",
            "last_checked": tomorrow,
        },
    )
    assert response.status_code == 200
    assert "last_checked" in response.context["form"].errors
    assert not Camera.objects.exists()


def test_education_may_read_but_not_change(login, education_user, school_a):
    client = login(education_user)
    assert client.get(f"/schools/{school_a.pk}/").status_code == 200
    assert client.get(f"/schools/{school_a.pk}/cameras/new/").status_code == 403
    assert client.get(f"/schools/{school_a.pk}/edit/").status_code == 403
    assert client.post(f"/schools/{school_a.pk}/cameras/new/", {"location": "x"}).status_code == 403


def test_a_school_admin_may_not_change_the_school_details_or_contract(login, school_admin_a, school_a):
    client = login(school_admin_a)
    assert client.get(f"/schools/{school_a.pk}/edit/").status_code == 403
    assert client.get(f"/schools/{school_a.pk}/contract/").status_code == 403


def test_a_security_firm_keeps_only_guard_posts(login, firm_user, school_a):
    client = login(firm_user)
    assert client.get(f"/schools/{school_a.pk}/guard-posts/new/").status_code == 200
    assert client.get(f"/schools/{school_a.pk}/cameras/new/").status_code == 403


def test_a_new_contract_keeps_the_old_one_as_history(login, inspector_x, school_a, firm):
    client = login(inspector_x)
    old = GuardContract.objects.get(school=school_a)
    response = client.post(
        f"/schools/{school_a.pk}/contract/",
        {"firm": firm.pk, "number": "Д-2027/1", "valid_from": "2026-01-01", "valid_until": "2027-12-31"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_current
    assert GuardContract.objects.get(school=school_a, is_current=True).number == "Д-2027/1"


def test_a_district_chief_cannot_move_a_school_to_another_district(login, chief_x, school_a, district_y):
    client = login(chief_x)
    response = client.post(
        f"/schools/{school_a.pk}/edit/",
        {
            "district": district_y.pk, "name_ru": school_a.name_ru, "name_kk": school_a.name_kk,
            "bin": school_a.bin, "address": school_a.address, "pupils": 900, "shifts": 1,
            "document_language": "ru",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    school_a.refresh_from_db()
    assert school_a.district_id != district_y.pk


def test_a_district_chief_adds_a_school_with_a_checked_bin(login, chief_x, district_x):
    client = login(chief_x)
    data = {
        "district": district_x.pk, "name_ru": "Школа № 999", "name_kk": "№ 999 мектеп", "bin": "123456789012",
        "address": "ул. Абая, 1", "pupils": 250, "shifts": 1, "document_language": "kk",
    }  # fmt: skip
    response = client.post("/schools/new/", data)
    assert response.status_code == 200
    assert "bin" in response.context["form"].errors
    from qorgau.tests.factories import next_bin

    data["bin"] = next_bin()
    response = client.post("/schools/new/", data)
    assert response.status_code == 302
    from qorgau.registry.models import School

    school = School.objects.get(bin=data["bin"])
    assert school.size_tier == "T3"  # a city of republican significance: the full set of measures
