"""The campaigns and inspections API: the life of an inspection, conflicts, scoping and bad input."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qorgau.checklists.models import Item
from qorgau.inspections import services
from qorgau.inspections.models import Answer, Campaign, Finding, Inspection
from qorgau.inspections.tests.test_services import answer_all, passing_raw
from qorgau.tests.api_client import Api
from qorgau.tests.factories import InspectionFactory, SchoolFactory, default_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
MISSING_ID = 999_999


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def api():
    return Api


@pytest.fixture
def persona(request):
    return lambda name: request.getfixturevalue(name)


@pytest.fixture
def inspection(school_a, inspector_x):
    return InspectionFactory(school=school_a, inspector=inspector_x)


@pytest.fixture
def canary(school_b, inspector_y, chief_y):
    """An approved inspection in district Y: it must never show up for district X's users."""
    inspection = InspectionFactory(school=school_b, inspector=inspector_y)
    answer_all(inspection, inspector_y)
    services.inspection_submit(actor=inspector_y, inspection=inspection)
    return services.inspection_approve(actor=chief_y, inspection=inspection)


@pytest.fixture
def chief_y(district_y):
    from qorgau.accounts.models import Role
    from qorgau.tests.factories import make_user

    return make_user(Role.DISTRICT_CHIEF, district=district_y, username="chief_y")


def approve(inspection, inspector, chief):
    answer_all(inspection, inspector)
    services.inspection_submit(actor=inspector, inspection=inspection)
    return services.inspection_approve(actor=chief, inspection=inspection)


def item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


def jpeg(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    return out.getvalue()


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["items"]}


# The life of an inspection ---------------------------------------------------------------------------------


def test_an_inspection_is_answered_submitted_and_approved_through_the_api(
    api, inspection, inspector_x, chief_x
):
    client = api(inspector_x)
    url = f"/inspections/{inspection.pk}"

    items = client.get(f"{url}/items").json()
    assert [i["code"] for i in items] == [i.code for i in services.applicable_items(inspection)]
    assert all(i["answer"] is None for i in items)
    for row in items:
        raw = {"value": "no"} if row["code"] == "AC-2" else passing_raw(item(row["code"]))
        saved = client.put(f"{url}/answers/{row['id']}", {"value": raw, "version": 0})
        assert saved.status_code == 200, (row["code"], saved.json())
        assert saved.json()["version"] == 1
    assert client.get(f"{url}/items").json()[0]["answer"]["result"] == "pass"
    detail = client.get(url).json()
    assert detail["status"] == "in_progress"
    assert detail["progress"] == {"answered": len(items), "total": len(items)}

    submitted = client.post(f"{url}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["act_number"] == ""

    approved = api(chief_x).post(f"{url}/approve", {"comment": "Утверждаю"})
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved"
    assert body["act_number"] == f"TX-{timezone.localdate().year}-0001"
    assert body["approved_by"]["id"] == chief_x.pk
    assert body["act_urls"] == {
        "ru": f"/inspections/{inspection.pk}/act-ru.pdf",
        "kk": f"/inspections/{inspection.pk}/act-kk.pdf",
    }
    findings = client.get(f"{url}/findings").json()
    assert [f["item_code"] for f in findings] == ["AC-2"]
    assert findings[0]["severity"] == "S"
    events = client.get(f"{url}/events").json()
    assert [e["action"] for e in events][-2:] == ["submitted", "approved"]
    assert events[-1]["comment"] == "Утверждаю"
    assert events[-1]["actor"] == chief_x.display_name


def test_the_practical_tests_are_answered_with_their_own_fields(api, inspection, inspector_x):
    client = api(inspector_x)
    url = f"/inspections/{inspection.pk}/answers"

    panic = client.put(
        f"{url}/{item('PA-3').pk}",
        {
            "value": {
                "received": "yes", "pressed_at": "10:00:00", "acknowledged_at": "10:00:20",
                "arrived_at": "10:07:00",
            },
            "version": 0,
        },
    )  # fmt: skip
    cameras = client.put(
        f"{url}/{item('VS-1').pk}",
        {"value": {"total": 12, "working": 10, "zones_not_covered": ["canteen"]}, "version": 0},
    )

    assert panic.status_code == 200
    assert panic.json()["value"]["ack_seconds"] == 20
    assert panic.json()["value"]["arrival_seconds"] == 420
    assert panic.json()["result"] == "pass"
    assert cameras.json()["result"] == "fail"
    assert cameras.json()["summary"]


def test_an_override_keeps_the_automatic_result_and_the_reason(api, inspection, inspector_x):
    response = api(inspector_x).put(
        f"/inspections/{inspection.pk}/answers/{item('VS-2').pk}",
        {
            "value": {"value": "20"},
            "version": 0,
            "override_result": "pass",
            "override_reason": "По техпаспорту",
        },
    )

    body = response.json()
    assert (body["auto_result"], body["result"], body["is_overridden"]) == ("fail", "pass", True)
    assert body["override_reason"] == "По техпаспорту"


def test_a_stale_version_is_refused_with_409_and_the_current_answer(api, inspection, inspector_x, chief_x):
    url = f"/inspections/{inspection.pk}/answers/{item('AC-1').pk}"
    mine, theirs = api(inspector_x), api(chief_x)
    first = mine.put(url, {"value": {"value": "yes"}, "version": 0}).json()
    theirs.put(url, {"value": {"value": "no"}, "comment": "Приказа нет", "version": first["version"]})

    response = mine.put(url, {"value": {"value": "yes"}, "version": first["version"]})

    assert response.status_code == 409
    body = response.json()
    assert chief_x.display_name in body["detail"]
    assert body["current"]["version"] == 2
    assert body["current"]["value"] == {"value": "no"}
    assert body["current"]["comment"] == "Приказа нет"
    assert body["current"]["updated_by"] == chief_x.display_name
    assert Answer.objects.get(inspection=inspection).value == {"value": "no"}


def test_a_new_answer_for_an_item_already_answered_conflicts(api, inspection, inspector_x, chief_x):
    url = f"/inspections/{inspection.pk}/answers/{item('AC-1').pk}"
    api(chief_x).put(url, {"value": {"value": "no"}, "version": 0})

    response = api(inspector_x).put(url, {"value": {"value": "yes"}, "version": 0})

    assert response.status_code == 409
    assert response.json()["current"]["value"] == {"value": "no"}


def test_an_answer_to_a_submitted_inspection_is_refused_within_the_documented_409(
    api, inspection, inspector_x
):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = api(inspector_x)

    response = client.put(
        f"/inspections/{inspection.pk}/answers/{item('AC-1').pk}", {"value": {"value": "no"}, "version": 0}
    )

    assert response.status_code == 409
    assert response.json()["detail"] and "current" not in response.json()
    # Its 409 is documented for both refusals: a conflict carries `current`, a state only `detail`.
    schema = client.client.get(f"{BASE}/openapi.json").json()["components"]["schemas"]["ConflictOut"]
    assert schema["required"] == ["detail"]


def test_the_chief_returns_results_for_rework_saying_why(api, inspection, inspector_x, chief_x):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = api(chief_x)

    silent = client.post(f"/inspections/{inspection.pk}/return", {"comment": " "})
    returned = client.post(f"/inspections/{inspection.pk}/return", {"comment": "Уточните VS-2"})

    assert silent.status_code == 400
    assert "comment" in silent.json()["errors"]
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"


def test_an_approval_needs_no_comment_but_a_submitted_inspection(api, inspection, inspector_x, chief_x):
    client = api(chief_x)

    too_early = client.post(f"/inspections/{inspection.pk}/approve")
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    approved = client.client.post(
        f"{BASE}/inspections/{inspection.pk}/approve", content_type="application/json"
    )

    assert too_early.status_code == 409
    assert too_early.json()["detail"]
    assert approved.status_code == 200
    assert approved.json()["act_number"]


def test_a_submit_with_unanswered_items_names_them(api, inspection, inspector_x):
    client = api(inspector_x)
    client.put(
        f"/inspections/{inspection.pk}/answers/{item('AC-1').pk}", {"value": {"value": "yes"}, "version": 0}
    )

    response = client.post(f"/inspections/{inspection.pk}/submit")

    assert response.status_code == 400
    assert "PA-1" in response.json()["errors"]["answers"][0]


# Photos and findings ---------------------------------------------------------------------------------------


def test_a_photo_is_uploaded_with_its_hash_and_location(api, inspection, inspector_x):
    data = jpeg()

    response = api(inspector_x).upload(
        f"/inspections/{inspection.pk}/photos",
        {
            "photo": SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg"),
            "item_id": item("VS-1").pk, "latitude": "43.238949", "longitude": "76.889709", "accuracy": "8",
        },
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["item_id"] == item("VS-1").pk
    assert (body["width"], body["height"]) == (640, 480)
    assert body["latitude"] == pytest.approx(43.238949)
    assert body["accuracy_m"] == 8
    assert body["urls"]["thumbnail"] == f"/inspections/{inspection.pk}/photos/{body['id']}/thumb/"
    items = api(inspector_x).get(f"/inspections/{inspection.pk}/items").json()
    assert next(i for i in items if i["code"] == "VS-1")["photo_ids"] == [body["id"]]


def test_a_file_that_is_not_a_photo_is_refused_by_its_content(api, inspection, inspector_x):
    response = api(inspector_x).upload(
        f"/inspections/{inspection.pk}/photos",
        {"photo": SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")},
    )

    assert response.status_code == 400
    assert "photo" in response.json()["errors"]
    assert not inspection.photos.exists()


def test_a_free_finding_is_added_with_photos_of_the_inspection(api, inspection, inspector_x):
    client = api(inspector_x)
    photo = client.upload(
        f"/inspections/{inspection.pk}/photos", {"photo": SimpleUploadedFile("a.jpg", jpeg())}
    ).json()

    response = client.post(
        f"/inspections/{inspection.pk}/findings",
        {"severity": "M", "text": "Не работает домофон", "location": "Вход 2", "photo_ids": [photo["id"]]},
    )

    assert response.status_code == 201
    assert response.json()["photo_ids"] == [photo["id"]]
    assert response.json()["item_id"] is None
    listed = client.get(f"/inspections/{inspection.pk}/findings").json()
    assert [f["text"] for f in listed] == ["Не работает домофон"]


# Campaigns and planning ------------------------------------------------------------------------------------


def test_the_city_supervisor_creates_a_campaign_that_plans_every_school(
    api, city_supervisor, chief_x, school_a, school_b, district_x, district_y
):
    response = api(city_supervisor).post(
        "/campaigns",
        {
            "name": "Весна-2026", "starts_on": "2026-03-01", "ends_on": "2026-04-30",
            "district_ids": [district_x.pk, district_y.pk],
        },
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert body["inspections_total"] == 2
    assert sorted(body["district_ids"]) == sorted([district_x.pk, district_y.pk])
    assert body["template_version_id"] == default_version().pk
    # A district office sees its own share of the campaign.
    seen = api(chief_x).get(f"/campaigns/{body['id']}").json()
    assert seen["district_ids"] == [district_x.pk]
    assert seen["inspections_total"] == 1


def test_a_campaign_of_another_district_is_not_found(
    api, city_supervisor, chief_x, school_admin_a, district_y
):
    campaign = services.campaign_create(
        actor=city_supervisor, name="Игрек", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31),
        districts=[district_y], template_version=default_version(),
    )  # fmt: skip

    assert api(chief_x).get(f"/campaigns/{campaign.pk}").status_code == 404
    assert api(school_admin_a).get(f"/campaigns/{campaign.pk}").status_code == 404
    assert api(chief_x).get("/campaigns").json()["count"] == 0
    assert api(school_admin_a).get("/campaigns").json()["count"] == 0


def test_a_campaign_needs_a_published_checklist_version(api, city_supervisor, district_x):
    from qorgau.checklists.models import TemplateVersion

    draft = TemplateVersion.objects.create(template=default_version().template, number=99, status="draft")
    payload = {
        "name": "К",
        "starts_on": "2026-04-01",
        "ends_on": "2026-05-01",
        "district_ids": [district_x.pk],
    }

    response = api(city_supervisor).post("/campaigns", {**payload, "template_version_id": draft.pk})
    missing = api(city_supervisor).post("/campaigns", {**payload, "template_version_id": MISSING_ID})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["template_version_id"]
    assert list(missing.json()["errors"]) == ["template_version_id"]
    assert not Campaign.objects.exists()


def test_the_chief_assigns_the_campaign_inspections_to_an_inspector(
    api, city_supervisor, chief_x, inspector_x, school_a, district_x
):
    SchoolFactory(district=district_x)
    campaign = services.campaign_create(
        actor=city_supervisor, name="Осень", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 31),
        districts=[district_x], template_version=default_version(),
    )  # fmt: skip
    planned = list(campaign.inspections.values_list("id", flat=True))

    response = api(chief_x).post(
        "/inspections/assign", {"ids": planned, "inspector_id": inspector_x.pk, "planned_on": "2026-09-15"}
    )

    assert response.status_code == 200
    assert response.json() == {"assigned": 2}
    assert set(campaign.inspections.values_list("inspector", flat=True)) == {inspector_x.pk}
    mine = api(inspector_x).get("/inspections", {"mine": "true", "campaign": campaign.pk})
    assert ids(mine) == set(planned)


def test_an_inspector_opens_an_unplanned_inspection(api, inspector_x, school_a):
    response = api(inspector_x).post(
        "/inspections",
        {"school_id": school_a.pk, "reason": "Обращение родителей", "planned_on": "2026-05-04"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"]) == ("adhoc", "planned")
    assert body["inspector"]["id"] == inspector_x.pk
    assert body["progress"]["answered"] == 0
    assert body["progress"]["total"] == len(services.applicable_items(Inspection.objects.get(pk=body["id"])))


# Bad input -------------------------------------------------------------------------------------------------


def test_a_bad_answer_names_the_field_inside_the_value(api, inspection, inspector_x):
    client = api(inspector_x)
    url = f"/inspections/{inspection.pk}/answers"

    cameras = client.put(f"{url}/{item('VS-1').pk}", {"value": {"total": 5, "working": 7}, "version": 0})
    yes_no = client.put(f"{url}/{item('AC-1').pk}", {"value": {"value": "maybe"}, "version": 0})
    override = client.put(
        f"{url}/{item('AC-1').pk}", {"value": {"value": "no"}, "override_result": "pass", "version": 0}
    )

    assert cameras.status_code == 400
    assert list(cameras.json()["errors"]) == ["value.working"]
    assert list(yes_no.json()["errors"]) == ["value.value"]
    assert list(override.json()["errors"]) == ["override_reason"]
    assert not Answer.objects.filter(inspection=inspection).exists()


def test_an_answer_input_of_the_wrong_shape_is_answered_422(api, inspection, inspector_x):
    url = f"/inspections/{inspection.pk}/answers/{item('AC-1').pk}"
    client = api(inspector_x)

    unknown = client.put(url, {"value": {"value": "yes"}, "version": 0, "colour": "red"})
    no_version = client.put(url, {"value": {"value": "yes"}})
    bad_override = client.put(url, {"value": {"value": "yes"}, "version": 0, "override_result": "great"})

    assert unknown.status_code == 422
    assert "colour" in unknown.json()["errors"]
    assert "version" in no_version.json()["errors"]
    assert "override_result" in bad_override.json()["errors"]


def test_an_item_of_another_checklist_is_not_found_under_the_inspection(api, inspection, inspector_x):
    response = api(inspector_x).put(
        f"/inspections/{inspection.pk}/answers/{MISSING_ID}", {"value": {"value": "yes"}, "version": 0}
    )

    assert response.status_code == 404


def test_creating_and_assigning_name_the_bad_fields(
    api,
    chief_x,
    city_supervisor,
    inspector_x,
    inspector_y,
    inspection,
    canary,
    school_a,
    school_b,
    district_y,
):
    chief = api(chief_x)

    foreign_school = chief.post("/inspections", {"school_id": school_b.pk, "reason": "Жалоба"})
    no_reason = chief.post("/inspections", {"school_id": school_a.pk, "reason": " "})
    foreign_inspector = chief.post(
        "/inspections", {"school_id": school_a.pk, "reason": "Жалоба", "inspector_id": inspector_y.pk}
    )
    missing_inspector = chief.post(
        "/inspections", {"school_id": school_a.pk, "reason": "Жалоба", "inspector_id": MISSING_ID}
    )
    foreign_ids = chief.post(
        "/inspections/assign", {"ids": [inspection.pk, canary.pk], "inspector_id": inspector_x.pk}
    )
    campaign = api(city_supervisor).post(
        "/campaigns",
        {"name": "Х", "starts_on": "2026-05-01", "ends_on": "2026-04-01", "district_ids": [district_y.pk]},
    )
    no_district = api(city_supervisor).post(
        "/campaigns",
        {"name": "Х", "starts_on": "2026-04-01", "ends_on": "2026-05-01", "district_ids": [MISSING_ID]},
    )

    assert list(foreign_school.json()["errors"]) == ["school_id"]
    assert list(no_reason.json()["errors"]) == ["reason"]
    assert list(foreign_inspector.json()["errors"]) == ["inspector_id"]
    assert foreign_inspector.content == missing_inspector.content
    assert list(foreign_ids.json()["errors"]) == ["ids"]
    assert list(campaign.json()["errors"]) == ["ends_on"]
    assert list(no_district.json()["errors"]) == ["district_ids"]
    for response in (foreign_school, no_reason, foreign_inspector, foreign_ids, campaign, no_district):
        assert response.status_code == 400
        assert response.json()["detail"]
    assert not Campaign.objects.exists()
    assert Inspection.objects.get(pk=canary.pk).inspector_id == inspector_y.pk


def test_a_finding_names_its_bad_fields(api, inspection, inspector_x, canary):
    client = api(inspector_x)
    url = f"/inspections/{inspection.pk}/findings"
    foreign_photo = canary.photos.create(
        file="x.jpg", thumbnail="x.jpg", width=1, height=1, size=1, original_sha256="0" * 64,
        original_format="JPEG", taken_by=canary.inspector,
    )  # fmt: skip

    blank = client.post(url, {"severity": "M", "text": ""})
    severity = client.post(url, {"severity": "X", "text": "Текст"})
    photo = client.post(url, {"severity": "M", "text": "Текст", "photo_ids": [foreign_photo.pk]})

    assert (blank.status_code, list(blank.json()["errors"])) == (400, ["text"])
    assert (severity.status_code, list(severity.json()["errors"])) == (422, ["severity"])
    assert (photo.status_code, list(photo.json()["errors"])) == (400, ["photo_ids"])
    assert not Finding.objects.filter(inspection=inspection).exists()


# Who may do what -------------------------------------------------------------------------------------------


def id_endpoints(inspection) -> list[tuple[str, str, dict | None]]:
    """Every endpoint that names an inspection or campaign by id, with a valid body."""
    url = f"/inspections/{inspection.pk}"
    answer = {"value": {"value": "yes"}, "version": 0}
    return [
        ("get", url, None),
        ("get", f"{url}/items", None),
        ("put", f"{url}/answers/{item('AC-1').pk}", answer),
        ("upload", f"{url}/photos", None),
        ("get", f"{url}/findings", None),
        ("post", f"{url}/findings", {"severity": "M", "text": "Текст"}),
        ("post", f"{url}/submit", {}),
        ("post", f"{url}/approve", {"comment": ""}),
        ("post", f"{url}/return", {"comment": "Переделать"}),
        ("get", f"{url}/events", None),
    ]


def call(client: Api, method: str, path: str, body):
    if method == "upload":
        return client.upload(path, {"photo": SimpleUploadedFile("a.jpg", jpeg())})
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body)


def missing_twin(path: str, inspection) -> str:
    return path.replace(f"/inspections/{inspection.pk}", f"/inspections/{MISSING_ID}", 1)


@pytest.mark.parametrize("name", ["inspector_y", "school_admin_b", "firm_user"])
def test_every_endpoint_with_an_id_answers_an_outsider_404(
    api, persona, name, inspection, inspector_x, chief_x
):
    approve(inspection, inspector_x, chief_x)  # even approved, it is another school's and district's
    client = api(persona(name))

    for method, path, body in id_endpoints(inspection):
        response = call(client, method, path, body)
        missing = call(client, method, missing_twin(path, inspection), body)
        assert response.status_code == 404, (method, path)
        assert response.content == missing.content, (method, path)
    assert client.get("/inspections").json()["count"] == 0


def test_the_school_sees_nothing_of_its_inspection_before_approval(
    api, school_admin_a, inspection, inspector_x
):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = api(school_admin_a)

    for method, path, body in id_endpoints(inspection):
        assert call(client, method, path, body).status_code == 404, (method, path)
    assert client.get("/inspections").json()["count"] == 0


def test_the_school_reads_its_approved_inspection_but_writes_nothing(
    api, school_admin_a, inspection, inspector_x, chief_x
):
    approve(inspection, inspector_x, chief_x)
    client = api(school_admin_a)

    statuses = {
        (method, path): call(client, method, path, body).status_code
        for method, path, body in id_endpoints(inspection)
    }

    assert {key: code for key, code in statuses.items() if key[0] == "get"} == {
        key: 200 for key in statuses if key[0] == "get"
    }
    assert {key: code for key, code in statuses.items() if key[0] != "get"} == {
        key: 403 for key in statuses if key[0] != "get"
    }
    assert ids(client.get("/inspections")) == {inspection.pk}


def test_the_education_department_reads_everything_and_writes_nothing(
    api, education_user, inspection, inspector_x, school_a, district_x
):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = api(education_user)

    reads = [call(client, m, p, b) for m, p, b in id_endpoints(inspection) if m == "get"]
    writes = [call(client, m, p, b) for m, p, b in id_endpoints(inspection) if m != "get"]
    writes += [
        client.post(
            "/campaigns",
            {
                "name": "К",
                "starts_on": "2026-04-01",
                "ends_on": "2026-05-01",
                "district_ids": [district_x.pk],
            },
        ),
        client.post("/inspections", {"school_id": school_a.pk, "reason": "Жалоба"}),
        client.post("/inspections/assign", {"ids": [inspection.pk], "inspector_id": inspector_x.pk}),
    ]

    assert [r.status_code for r in reads] == [200] * len(reads)
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert all(r.json()["detail"] for r in writes)
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert not Campaign.objects.exists()


def test_an_inspector_may_not_approve_or_create_campaigns(api, inspector_x, inspection, chief_x, district_x):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = api(inspector_x)

    approve_response = client.post(f"/inspections/{inspection.pk}/approve", {"comment": ""})
    campaign = client.post(
        "/campaigns",
        {"name": "К", "starts_on": "2026-04-01", "ends_on": "2026-05-01", "district_ids": [district_x.pk]},
    )

    assert approve_response.status_code == 403
    assert campaign.status_code == 403


# The list --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["inspector_x", "chief_x", "school_admin_a"])
def test_the_list_never_shows_the_canary_to_district_x(
    api, persona, name, inspection, inspector_x, chief_x, canary
):
    approve(inspection, inspector_x, chief_x)  # so that the school sees its own too
    client = api(persona(name))

    everything = client.get("/inspections", {"limit": 500})
    by_school = client.get("/inspections", {"school": canary.school_id})
    approved = client.get("/inspections", {"status": "approved"})

    assert ids(everything) == {inspection.pk}
    assert everything.json()["count"] == 1
    assert by_school.json() == {"items": [], "count": 0}
    assert ids(approved) == {inspection.pk}
    assert client.get(f"/inspections/{canary.pk}").status_code == 404


def test_the_city_sees_every_district(api, city_supervisor, inspection, canary):
    assert ids(api(city_supervisor).get("/inspections")) == {inspection.pk, canary.pk}


def test_the_list_filters_by_status_and_mine(api, chief_x, inspector_x, inspection, school_a):
    other = InspectionFactory(school=school_a, inspector=chief_x)
    answer_all(other, chief_x)
    client = api(inspector_x)

    assert ids(client.get("/inspections", {"mine": "true"})) == {inspection.pk}
    assert ids(client.get("/inspections", {"status": "in_progress"})) == {other.pk}
    assert ids(client.get("/inspections", {"status": "planned"})) == {inspection.pk}
    bad = client.get("/inspections", {"status": "finished"})
    assert bad.status_code == 422
    assert "status" in bad.json()["errors"]


def test_the_list_runs_a_fixed_number_of_queries(
    api, chief_x, inspector_x, school_a, district_x, django_assert_max_num_queries
):
    client = api(chief_x)
    client.get("/inspections")  # the token's first use records it; later requests only read

    def add(n):
        for _ in range(n):
            school = SchoolFactory(district=district_x)
            planned = InspectionFactory(school=school, inspector=inspector_x)
            planned.co_inspectors.add(chief_x)
            Finding.objects.create(inspection=planned, severity="M", text="Текст")

    add(2)
    with django_assert_max_num_queries(3):  # the token, the count, the page
        assert len(client.get("/inspections").json()["items"]) == 2
    add(30)
    with django_assert_max_num_queries(3):
        response = client.get("/inspections")
    assert len(response.json()["items"]) == 32
    assert {row["findings_count"] for row in response.json()["items"]} == {1}


def test_the_list_is_paginated_with_a_total_count(api, chief_x, district_x):
    created = {InspectionFactory(school=SchoolFactory(district=district_x)).pk for _ in range(5)}
    client = api(chief_x)

    first = client.get("/inspections", {"limit": 2})
    rest = client.get("/inspections", {"limit": 3, "offset": 2})

    assert first.json()["count"] == 5
    assert ids(first) | ids(rest) == created
