import re
from datetime import date, timedelta

import pytest

from qorgau.core.models import ChangeRecord
from qorgau.registry.models import Camera, GuardContract, PanicButton, School, SecurityFirm, SizeTier
from qorgau.tests.api_client import Api
from qorgau.tests.factories import (
    CameraFactory,
    GuardPostFactory,
    PanicButtonFactory,
    SchoolFactory,
    SecurityFirmFactory,
    next_bin,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
MISSING_ID = 999_999


@pytest.fixture
def api():
    return Api


@pytest.fixture
def persona(request):
    """A persona fixture by name, for tests parametrized over roles."""
    return lambda name: request.getfixturevalue(name)


def wrong_bin() -> str:
    valid = next_bin()
    return valid[:11] + str((int(valid[11]) + 1) % 10)


def school_payload(district, **overrides) -> dict:
    return {
        "district_id": district.pk,
        "name_ru": "Школа № 77",
        "name_kk": "№ 77 мектеп",
        "bin": next_bin(),
        "address": "ул. Толе би, 1",
        "pupils": 420,
        **overrides,
    }


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


# Authentication and the schema -------------------------------------------------------------------------


def test_the_openapi_schema_is_served_and_lists_the_paths(client):
    response = client.get(f"{BASE}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Qorgau API"
    for path in (
        "/auth/token",
        "/auth/me",
        "/districts",
        "/schools",
        "/schools/{school_id}",
        "/schools/{school_id}/contract",
        "/schools/{school_id}/cameras/{item_id}",
        "/schools/{school_id}/guard-posts",
        "/firms/{firm_id}",
    ):
        assert BASE + path in schema["paths"]


def test_every_endpoint_but_the_token_one_refuses_an_anonymous_caller(client, school_a):
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    checked = 0
    for path, operations in paths.items():
        url = re.sub(r"\{[a-z_]+\}", str(school_a.pk), path)
        for method, operation in operations.items():
            if "security" not in operation and not path.endswith("/auth/token"):
                continue  # public by design, as the public pages (public/tests/test_api.py)
            response = getattr(client, method)(url, {}, content_type="application/json")
            expected = 422 if path.endswith("/auth/token") else 401
            assert response.status_code == expected, f"{method.upper()} {path}"
            checked += 1
    assert checked > 20


# Districts ---------------------------------------------------------------------------------------------


def test_a_district_office_sees_only_its_district(api, inspector_x, district_x, district_y):
    client = api(inspector_x)

    assert [d["id"] for d in client.get("/districts").json()] == [district_x.pk]
    assert client.get(f"/districts/{district_x.pk}").json()["name"]
    assert client.get(f"/districts/{district_y.pk}").status_code == 404


def test_the_city_sees_every_district(api, city_supervisor, district_x, district_y):
    # Almaty's real districts are seeded by a migration; the test ones come on top.
    assert {d["id"] for d in api(city_supervisor).get("/districts").json()} >= {district_x.pk, district_y.pk}


# Schools: reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["inspector_x", "chief_x", "school_admin_a"])
def test_the_school_list_never_shows_the_canary_to_district_x(api, persona, name, school_a, school_b):
    SchoolFactory(district=school_b.district)

    response = api(persona(name)).get("/schools")

    assert response.status_code == 200
    assert ids(response) == {school_a.pk}
    assert response.json()["count"] == 1


@pytest.mark.parametrize("name", ["city_supervisor", "education_user"])
def test_the_city_sees_every_school(api, persona, name, school_a, school_b):
    assert ids(api(persona(name)).get("/schools")) == {school_a.pk, school_b.pk}


def test_a_security_firm_sees_only_the_schools_it_guards(api, firm_user, school_a, school_b):
    assert ids(api(firm_user).get("/schools")) == {school_a.pk}


def test_the_school_list_filters_like_the_page(api, city_supervisor, school_a, school_b, district_y):
    small = SchoolFactory(district=district_y, pupils=120, name_ru="Малокомплектная школа")
    small.size_tier = SizeTier.SMALL
    small.save()
    PanicButtonFactory(school=school_a)
    client = api(city_supervisor)

    assert ids(client.get("/schools", {"q": "Малокомплектная"})) == {small.pk}
    assert ids(client.get("/schools", {"q": school_a.bin})) == {school_a.pk}
    assert ids(client.get("/schools", {"district": district_y.pk})) == {school_b.pk, small.pk}
    assert ids(client.get("/schools", {"size_tier": "T1"})) == {small.pk}
    assert ids(client.get("/schools", {"missing": "panic"})) == {school_b.pk, small.pk}
    assert ids(client.get("/schools", {"missing": "contract"})) == {school_b.pk, small.pk}


def test_the_district_filter_cannot_reach_outside_the_users_scope(api, inspector_x, school_a, school_b):
    response = api(inspector_x).get("/schools", {"district": school_b.district_id})

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_a_bad_filter_value_is_answered_422_naming_the_field(api, inspector_x, school_a):
    response = api(inspector_x).get("/schools", {"size_tier": "T9", "missing": "nonsense"})

    assert response.status_code == 422
    assert {"size_tier", "missing"} <= set(response.json()["errors"])


def test_the_school_list_is_paginated_with_a_total_count(api, city_supervisor, district_x):
    created = {SchoolFactory(district=district_x).pk for _ in range(5)}
    client = api(city_supervisor)

    first = client.get("/schools", {"limit": 2})
    rest = client.get("/schools", {"limit": 2, "offset": 2})
    last = client.get("/schools", {"limit": 2, "offset": 4})

    assert first.json()["count"] == 5
    assert len(first.json()["items"]) == 2
    assert ids(first) | ids(rest) | ids(last) == created


def test_the_school_list_runs_a_fixed_number_of_queries_whatever_the_number_of_schools(
    api, inspector_x, district_x, firm, django_assert_max_num_queries
):
    client = api(inspector_x)
    client.get("/auth/me")  # the token's first use records it; later requests only read

    def add_schools(n):
        for _ in range(n):
            school = SchoolFactory(district=district_x)
            CameraFactory(school=school)
            PanicButtonFactory(school=school)
            GuardPostFactory(school=school, firm=firm)

    add_schools(2)
    with django_assert_max_num_queries(3):  # the token, the count, the page
        assert len(client.get("/schools").json()["items"]) == 2
    add_schools(30)
    with django_assert_max_num_queries(3):
        assert len(client.get("/schools").json()["items"]) == 32


def test_a_school_reads_with_its_district_and_equipment_counts(api, inspector_x, school_a):
    CameraFactory(school=school_a)
    CameraFactory(school=school_a, status="faulty")

    body = api(inspector_x).get(f"/schools/{school_a.pk}").json()

    assert body["id"] == school_a.pk
    assert body["bin"] == school_a.bin
    assert body["district"]["id"] == school_a.district_id
    assert body["district"]["name"]
    assert body["cameras_total"] == 2
    assert body["cameras_working"] == 1
    assert body["faulty_total"] == 1
    assert body["has_valid_contract"] is True


@pytest.mark.parametrize("name", ["inspector_x", "chief_x", "school_admin_a", "firm_user"])
def test_a_school_outside_the_scope_is_not_found_and_looks_like_no_school(api, persona, name, school_b):
    client = api(persona(name))

    foreign = client.get(f"/schools/{school_b.pk}")
    missing = client.get(f"/schools/{MISSING_ID}")

    assert foreign.status_code == 404
    assert foreign.content == missing.content
    assert school_b.name_ru not in foreign.content.decode()


# Schools: writing --------------------------------------------------------------------------------------


def test_a_district_chief_adds_a_school_to_the_district(api, chief_x, district_x):
    response = api(chief_x).post("/schools", school_payload(district_x))

    assert response.status_code == 201
    body = response.json()
    school = School.objects.get(pk=body["id"])
    assert school.district == district_x
    assert body["size_tier"] == school.size_tier
    assert body["district"]["id"] == district_x.pk
    assert ChangeRecord.objects.filter(school=school, action=ChangeRecord.Action.CREATED).exists()


def test_a_school_cannot_be_placed_in_a_district_the_user_cannot_see(api, chief_x, district_x, district_y):
    client = api(chief_x)

    foreign = client.post("/schools", school_payload(district_x, district_id=district_y.pk))
    missing = client.post("/schools", school_payload(district_x, district_id=MISSING_ID))

    assert foreign.status_code == 400
    assert "district_id" in foreign.json()["errors"]
    assert foreign.content == missing.content
    assert not School.objects.filter(name_ru="Школа № 77").exists()


def test_a_bad_bin_comes_back_as_a_field_error(api, chief_x, district_x):
    response = api(chief_x).post("/schools", school_payload(district_x, bin=wrong_bin()))

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == ["bin"]
    assert body["errors"]["bin"][0]


def test_a_duplicate_bin_comes_back_as_a_field_error(api, chief_x, school_a):
    response = api(chief_x).post("/schools", school_payload(school_a.district, bin=school_a.bin))

    assert response.status_code == 400
    assert "bin" in response.json()["errors"]


def test_a_missing_required_field_is_answered_422_naming_it(api, chief_x, district_x):
    payload = school_payload(district_x)
    del payload["name_ru"]

    response = api(chief_x).post("/schools", payload)

    assert response.status_code == 422
    assert "name_ru" in response.json()["errors"]


def test_an_inspector_updates_only_the_fields_sent(api, inspector_x, school_a):
    response = api(inspector_x).patch(f"/schools/{school_a.pk}", {"pupils": 120, "head_name": "Иванова А."})

    assert response.status_code == 200
    school_a.refresh_from_db()
    assert school_a.pupils == 120
    assert school_a.head_name == "Иванова А."
    assert response.json()["head_name"] == "Иванова А."
    assert school_a.name_ru == "Школа-гимназия № 1 (А)"


def test_an_unknown_field_is_refused_rather_than_ignored(api, inspector_x, school_a):
    client = api(inspector_x)

    patched = client.patch(f"/schools/{school_a.pk}", {"pupil": 5})
    created = client.post(f"/schools/{school_a.pk}/cameras", {"location": "Холл", "zone": "hall", "size": 1})

    assert patched.status_code == 422
    assert "pupil" in patched.json()["errors"]
    assert created.status_code == 422
    assert "size" in created.json()["errors"]


def test_a_patch_cannot_move_a_school_to_a_foreign_district(api, inspector_x, school_a, district_y):
    response = api(inspector_x).patch(f"/schools/{school_a.pk}", {"district_id": district_y.pk})

    assert response.status_code == 400
    assert "district_id" in response.json()["errors"]
    school_a.refresh_from_db()
    assert school_a.district_id != district_y.pk


def test_a_patch_with_an_out_of_range_value_names_the_field(api, inspector_x, school_a):
    response = api(inspector_x).patch(f"/schools/{school_a.pk}", {"latitude": "123.5"})

    assert response.status_code == 400
    assert "latitude" in response.json()["errors"]


@pytest.mark.parametrize("name", ["inspector_x", "school_admin_a"])
def test_a_foreign_school_cannot_be_patched(api, persona, name, school_b):
    response = api(persona(name)).patch(f"/schools/{school_b.pk}", {"pupils": 1})

    assert response.status_code == 404
    school_b.refresh_from_db()
    assert school_b.pupils != 1


def test_the_education_department_reads_but_may_not_write(api, education_user, school_a, firm):
    camera = CameraFactory(school=school_a)
    client = api(education_user)

    assert client.get(f"/schools/{school_a.pk}").status_code == 200
    writes = [
        client.post("/schools", school_payload(school_a.district)),
        client.patch(f"/schools/{school_a.pk}", {"pupils": 1}),
        client.post(f"/schools/{school_a.pk}/cameras", {"location": "Холл", "zone": "hall"}),
        client.patch(f"/schools/{school_a.pk}/cameras/{camera.pk}", {"location": "Холл"}),
        client.delete(f"/schools/{school_a.pk}/cameras/{camera.pk}"),
        client.put(f"/schools/{school_a.pk}/contract", {"in_house": True}),
        client.post("/firms", {"name": "ТОО «Новая»", "bin": next_bin(), "licence_no": "1"}),
        client.patch(f"/firms/{firm.pk}", {"phone": "1"}),
    ]
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert all(r.json()["detail"] for r in writes)
    assert Camera.objects.filter(pk=camera.pk).exists()


def test_a_school_head_may_not_edit_the_school_details(api, school_admin_a, school_a):
    response = api(school_admin_a).patch(f"/schools/{school_a.pk}", {"pupils": 1})

    assert response.status_code == 403


# Equipment ---------------------------------------------------------------------------------------------


def test_a_school_head_adds_lists_edits_and_deletes_a_camera(api, school_admin_a, school_a):
    client = api(school_admin_a)
    url = f"/schools/{school_a.pk}/cameras"

    created = client.post(url, {"location": "Главный вход", "zone": "entrance", "linked_to_police": True})
    assert created.status_code == 201
    camera_id = created.json()["id"]
    assert created.json()["zone"] == "entrance"

    assert [c["id"] for c in client.get(url).json()] == [camera_id]
    assert client.get(f"{url}/{camera_id}").json()["location"] == "Главный вход"

    updated = client.patch(f"{url}/{camera_id}", {"status": "faulty"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "faulty"
    assert updated.json()["location"] == "Главный вход"

    assert client.delete(f"{url}/{camera_id}").status_code == 204
    assert not Camera.objects.filter(pk=camera_id).exists()
    assert ChangeRecord.objects.filter(school=school_a, action=ChangeRecord.Action.DELETED).exists()


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("panic-buttons", {"location": "Вахта", "kind": "mobile", "signal_to": "police"}),
        ("cameras", {"location": "Двор", "zone": "yard", "placement": "outdoor"}),
        ("access-points", {"location": "Ворота", "kind": "gate", "has_turnstile": False}),
        ("guard-posts", {"location": "Пост № 2", "hours": "24/7", "has_radio": True}),
    ],
)
def test_an_inspector_adds_each_kind_of_equipment(api, inspector_x, school_a, kind, payload):
    client = api(inspector_x)

    response = client.post(f"/schools/{school_a.pk}/{kind}", payload)

    assert response.status_code == 201
    assert response.json()["location"] == payload["location"]
    assert len(client.get(f"/schools/{school_a.pk}/{kind}").json()) == 1


def test_a_guard_post_names_its_firm_by_id(api, inspector_x, school_a, firm):
    response = api(inspector_x).post(
        f"/schools/{school_a.pk}/guard-posts", {"location": "Пост № 1", "firm_id": firm.pk}
    )

    assert response.status_code == 201
    assert response.json()["firm_id"] == firm.pk


def test_a_guard_post_cannot_name_a_firm_the_user_cannot_see(api, school_admin_a, school_a):
    stranger = SecurityFirmFactory()

    response = api(school_admin_a).post(
        f"/schools/{school_a.pk}/guard-posts", {"location": "Пост № 1", "firm_id": stranger.pk}
    )

    assert response.status_code == 400
    assert "firm_id" in response.json()["errors"]


def test_equipment_validation_errors_name_the_field(api, school_admin_a, school_a):
    client = api(school_admin_a)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()

    future = client.post(
        f"/schools/{school_a.pk}/panic-buttons", {"location": "Вахта", "last_checked": tomorrow}
    )
    bad_choice = client.post(f"/schools/{school_a.pk}/cameras", {"location": "Холл", "zone": "roof"})

    assert future.status_code == 400
    assert "last_checked" in future.json()["errors"]
    assert bad_choice.status_code == 400
    assert "zone" in bad_choice.json()["errors"]


def test_school_admin_a_gets_404_for_school_bs_equipment(api, school_admin_a, school_b):
    camera = CameraFactory(school=school_b, location="Камера Б")
    client = api(school_admin_a)
    url = f"/schools/{school_b.pk}/cameras"

    responses = [
        client.get(url),
        client.post(url, {"location": "Чужая", "zone": "hall"}),
        client.get(f"{url}/{camera.pk}"),
        client.patch(f"{url}/{camera.pk}", {"location": "Взлом"}),
        client.delete(f"{url}/{camera.pk}"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert all("Камера Б" not in r.content.decode() for r in responses)
    camera.refresh_from_db()
    assert camera.location == "Камера Б"
    assert Camera.objects.filter(school=school_b).count() == 1


@pytest.mark.parametrize("name", ["school_admin_a", "inspector_x", "city_supervisor"])
def test_school_bs_equipment_ids_guessed_under_school_as_url_are_not_found(
    api, persona, name, school_a, school_b
):
    button = PanicButtonFactory(school=school_b, location="Кнопка Б")
    client = api(persona(name))
    url = f"/schools/{school_a.pk}/panic-buttons/{button.pk}"

    responses = [client.get(url), client.patch(url, {"location": "Взлом"}), client.delete(url)]

    assert [r.status_code for r in responses] == [404, 404, 404]
    button.refresh_from_db()
    assert button.location == "Кнопка Б"


def test_an_equipment_id_of_another_kind_is_not_found(api, school_admin_a, school_a):
    button = PanicButtonFactory(school=school_a)

    assert api(school_admin_a).get(f"/schools/{school_a.pk}/cameras/{button.pk}").status_code == 404


def test_inspector_x_gets_404_for_district_ys_school_and_its_equipment(api, inspector_x, school_b):
    camera = CameraFactory(school=school_b)
    client = api(inspector_x)

    assert client.get(f"/schools/{school_b.pk}").status_code == 404
    assert client.get(f"/schools/{school_b.pk}/cameras").status_code == 404
    assert client.get(f"/schools/{school_b.pk}/cameras/{camera.pk}").status_code == 404
    assert client.get(f"/schools/{school_b.pk}/contract").status_code == 404


def test_a_security_firm_keeps_only_the_guard_posts_current(api, firm_user, school_a, school_b):
    client = api(firm_user)

    post = client.post(f"/schools/{school_a.pk}/guard-posts", {"location": "КПП"})
    camera = client.post(f"/schools/{school_a.pk}/cameras", {"location": "Холл", "zone": "hall"})
    elsewhere = client.post(f"/schools/{school_b.pk}/guard-posts", {"location": "КПП"})

    assert post.status_code == 201
    assert camera.status_code == 403
    assert elsewhere.status_code == 404


def test_an_unknown_kind_of_equipment_is_not_found(api, inspector_x, school_a):
    assert api(inspector_x).get(f"/schools/{school_a.pk}/rockets").status_code == 404


# The guard contract ------------------------------------------------------------------------------------


def test_the_current_contract_reads_with_its_firm(api, school_admin_a, school_a, firm):
    body = api(school_admin_a).get(f"/schools/{school_a.pk}/contract").json()

    assert body["firm_id"] == firm.pk
    assert body["in_house"] is False
    assert body["number"]


def test_a_school_without_a_contract_reads_as_null(api, inspector_y, school_b):
    response = api(inspector_y).get(f"/schools/{school_b.pk}/contract")

    assert response.status_code == 200
    assert response.json() is None


def test_an_inspector_records_a_new_contract_and_the_old_one_stays(api, inspector_x, school_a):
    other = SecurityFirmFactory()
    payload = {
        "firm_id": other.pk,
        "number": "Д-2025/7",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
    }

    response = api(inspector_x).put(f"/schools/{school_a.pk}/contract", payload)

    assert response.status_code == 200
    assert response.json()["firm_id"] == other.pk
    assert response.json()["valid_until"] == "2026-12-31"
    contracts = GuardContract.objects.filter(school=school_a)
    assert contracts.count() == 2
    assert contracts.get(is_current=True).firm == other


def test_in_house_guards_need_no_firm(api, inspector_x, school_a):
    response = api(inspector_x).put(f"/schools/{school_a.pk}/contract", {"in_house": True})

    assert response.status_code == 200
    assert response.json()["firm_id"] is None


def test_a_contract_without_firm_or_in_house_guards_names_the_firm_field(api, inspector_x, school_a):
    response = api(inspector_x).put(f"/schools/{school_a.pk}/contract", {"number": "Д-1"})

    assert response.status_code == 400
    assert "firm_id" in response.json()["errors"]
    assert GuardContract.objects.filter(school=school_a).count() == 1


def test_a_contract_cannot_end_before_it_starts(api, inspector_x, school_a):
    response = api(inspector_x).put(
        f"/schools/{school_a.pk}/contract",
        {"in_house": True, "valid_from": "2025-06-01", "valid_until": "2025-01-01"},
    )

    assert response.status_code == 400
    assert "valid_until" in response.json()["errors"]


def test_a_school_head_may_read_but_not_change_the_contract(api, school_admin_a, school_a, school_b):
    client = api(school_admin_a)

    assert client.put(f"/schools/{school_a.pk}/contract", {"in_house": True}).status_code == 403
    assert client.put(f"/schools/{school_b.pk}/contract", {"in_house": True}).status_code == 404


# Security firms ----------------------------------------------------------------------------------------


def test_the_police_see_the_whole_firm_register_with_school_counts(api, inspector_x, school_a, firm):
    other = SecurityFirmFactory()

    response = api(inspector_x).get("/firms")

    assert response.status_code == 200
    counts = {f["id"]: f["schools_count"] for f in response.json()["items"]}
    assert counts == {firm.pk: 1, other.pk: 0}


@pytest.mark.parametrize(("name", "sees_firm"), [("school_admin_a", True), ("school_admin_b", False)])
def test_a_school_sees_only_the_firms_that_guard_it(api, persona, name, sees_firm, firm, school_a, school_b):
    client = api(persona(name))

    assert (firm.pk in ids(client.get("/firms"))) is sees_firm
    assert client.get(f"/firms/{firm.pk}").status_code == (200 if sees_firm else 404)


def test_a_firm_sees_itself_and_edits_its_own_details(api, firm_user, firm):
    other = SecurityFirmFactory()
    client = api(firm_user)

    assert ids(client.get("/firms")) == {firm.pk}
    response = client.patch(f"/firms/{firm.pk}", {"phone": "+7 727 111 22 33"})
    assert response.status_code == 200
    assert response.json()["phone"] == "+7 727 111 22 33"
    assert client.patch(f"/firms/{other.pk}", {"phone": "0"}).status_code == 404


def test_the_city_supervisor_adds_a_firm(api, city_supervisor):
    payload = {
        "name": "ТОО «Сенім»",
        "bin": next_bin(),
        "licence_no": "ЛИЦ-9",
        "licence_expiry": "2027-01-01",
    }

    response = api(city_supervisor).post("/firms", payload)

    assert response.status_code == 201
    assert response.json()["schools_count"] == 0
    assert SecurityFirm.objects.get(pk=response.json()["id"]).name == "ТОО «Сенім»"


def test_a_firm_with_a_bad_bin_comes_back_as_a_field_error(api, city_supervisor):
    response = api(city_supervisor).post("/firms", {"name": "ТОО «Х»", "bin": wrong_bin(), "licence_no": "1"})

    assert response.status_code == 400
    assert "bin" in response.json()["errors"]


def test_an_inspector_may_not_edit_a_firm(api, inspector_x, firm):
    response = api(inspector_x).patch(f"/firms/{firm.pk}", {"name": "Другое"})

    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.name == "ТОО «Бастион»"


def test_the_firm_list_filters_by_name(api, inspector_x, firm):
    SecurityFirmFactory(name="ТОО «Другая»")

    assert ids(api(inspector_x).get("/firms", {"q": "Бастион"})) == {firm.pk}


def test_panic_buttons_are_reached_only_through_their_school(api, school_admin_a, school_a):
    # A sanity check that the list endpoint does not start from every row of the table.
    PanicButtonFactory(school=school_a)
    PanicButtonFactory(school=SchoolFactory(district=school_a.district))

    assert len(api(school_admin_a).get(f"/schools/{school_a.pk}/panic-buttons").json()) == 1
    assert PanicButton.objects.count() == 2
