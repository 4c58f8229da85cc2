"""The public API (a school's summary, reporting a concern, its status by reference number) and the police's
queue of concerns through the API: what the pages do, through the same selectors and services."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from qorgau.api import api
from qorgau.inspections.models import Inspection
from qorgau.public import services
from qorgau.public.models import Concern, ConcernEvent
from qorgau.public.selectors import school_year_start
from qorgau.public.tests.conftest import report
from qorgau.public.tests.test_leak import build_leak_world, forbidden
from qorgau.tests.api_client import Api
from qorgau.tests.factories import InspectionFactory, SchoolFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1"

REPORT = {
    "what": "Калитка во двор открыта во время уроков, посторонние заходят",
    "where": "Задний двор",
    "when": "Каждое утро",
    "contact": "+7 701 123 45 67",
}


def keys(value, prefix="") -> set[str]:
    """Every key of a JSON answer, nested ones as "school.name" (a list's items share their list's name)."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}{key}"
            found |= {name} | keys(item, name + ".")
    elif isinstance(value, list):
        for item in value:
            found |= keys(item, prefix)
    return found


def summary_path(school):
    return f"/public/schools/{school.bin}"


def concerns_path(school):
    return f"/public/schools/{school.bin}/concerns"


def status_path(reference):
    return f"/public/concerns/{reference}"


# Search ----------------------------------------------------------------------------------------------------


def test_a_school_is_found_by_name_in_any_case_or_by_bin_without_a_token(school_a, school_b):
    anyone = Api()
    for q in ("школа-гимназия", "ШКОЛА-ГИМНАЗИЯ", school_a.bin):
        response = anyone.get("/public/schools", {"q": q})
        assert response.status_code == 200, q
        body = response.json()
        assert [s["bin"] for s in body["items"]] == [school_a.bin]
        assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)


def test_the_results_are_paginated_as_on_the_page_at_a_fixed_number_of_queries(
    district_x, django_assert_max_num_queries
):
    for n in range(45):
        SchoolFactory(district=district_x, name_ru=f"Лицей № {n}", name_kk=f"№ {n} лицей")
    anyone = Api()
    with django_assert_max_num_queries(4):
        first = anyone.get("/public/schools", {"q": "лицей"}).json()
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (45, 1, 3, 20)
    last = anyone.get("/public/schools", {"q": "лицей", "page": 3}).json()
    assert (last["page"], len(last["items"])) == (3, 5)
    assert anyone.get("/public/schools", {"q": "лицей", "page": 99}).json()["page"] == 3


@pytest.mark.parametrize(
    "params", [{}, {"q": "ш"}, {"q": "  ш  "}, {"q": "x" * 101}, {"q": "лицей", "page": 0}]
)
def test_a_query_too_short_too_long_or_missing_is_refused_with_the_field(school_a, params):
    response = Api().get("/public/schools", params)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"page" if "page" in params else "q"}


# The school's summary --------------------------------------------------------------------------------------


def test_the_summary_holds_what_the_school_page_shows_and_nothing_else(school_a, school_b, fake_documents):
    InspectionFactory(
        school=school_a, status=Inspection.Status.APPROVED,
        approved_at=timezone.make_aware(dt.datetime.combine(school_year_start(), dt.time(10))),
    )  # fmt: skip
    body = Api(lang="en").get(summary_path(school_a)).json()
    assert body == {
        "school": {
            "bin": school_a.bin,
            "name": school_a.name_ru,
            "district": school_a.district.name_en,
            "address": school_a.address,
        },
        "inspected_this_year": True,
        "last_inspected_on": school_year_start().isoformat(),
        "had_orders": False,
        "items_in_progress": 0,
    }
    assert Api().get(summary_path(school_b)).json()["inspected_this_year"] is False


def test_an_unknown_bin_is_not_found_and_nothing_is_written(school_a):
    anyone = Api()
    assert anyone.get("/public/schools/000000000000").status_code == 404
    response = anyone.post("/public/schools/000000000000/concerns", REPORT)
    assert response.status_code == 404 and set(response.json()) == {"detail"}
    assert not Concern.objects.exists()


# Reporting a concern ---------------------------------------------------------------------------------------


def test_a_parent_reports_a_concern_and_gets_the_reference_number_only(school_a):
    response = Api().post(concerns_path(school_a), REPORT, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 201
    concern = Concern.objects.get()
    assert response.json() == {"reference": concern.reference}
    assert (concern.school, concern.district) == (school_a, school_a.district)
    assert (concern.what, concern.where, concern.when, concern.contact) == tuple(REPORT.values())
    assert concern.ip_hash == services.ip_fingerprint("192.0.2.44")
    assert concern.events.get().action == ConcernEvent.Action.RECEIVED


def test_bad_input_is_refused_field_by_field_with_the_pages_limits_and_nothing_is_written(school_a):
    response = Api(lang="en").post(
        concerns_path(school_a), {"what": "  короче  ", "where": "", "when": "x" * 101, "contact": "y" * 201}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"what", "where", "when", "contact"}
    assert "at least 10 characters" in errors["what"][0]
    assert Api().post(concerns_path(school_a), {**REPORT, "what": "x" * 2001}).status_code == 400
    assert not Concern.objects.exists()


def test_a_misspelt_or_unknown_field_is_refused_with_its_name(school_a):
    response = Api().post(concerns_path(school_a), {**REPORT, "website": "http://spam.example"})
    assert response.status_code == 422 and "website" in response.json()["errors"]
    assert not Concern.objects.exists()


def test_the_api_and_the_page_share_the_throttle_and_the_sixth_concern_is_refused_with_429(
    school_a, settings
):
    settings.PUBLIC_CONCERNS_PER_HOUR = 5
    anyone = Api(lang="en")
    page = reverse("public:concern_new", args=[school_a.bin])
    assert anyone.client.post(page, {**REPORT, "website": ""}, REMOTE_ADDR="192.0.2.50").status_code == 302
    for _ in range(4):
        assert anyone.post(concerns_path(school_a), REPORT, REMOTE_ADDR="192.0.2.50").status_code == 201
    refused = anyone.post(concerns_path(school_a), REPORT, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429
    assert set(refused.json()) == {"detail"} and "5 concerns in the last hour" in refused.json()["detail"]
    assert Concern.objects.count() == 5
    # A forwarded-for header from an untrusted sender does not make it someone else.
    spoofed = anyone.post(
        concerns_path(school_a), REPORT, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert spoofed.status_code == 429
    assert anyone.post(concerns_path(school_a), REPORT, REMOTE_ADDR="192.0.2.51").status_code == 201


def test_the_schema_documents_429_for_reporting_and_no_token_for_the_public_operations():
    paths = api.get_openapi_schema()["paths"]
    operation = paths[BASE + "/public/schools/{bin}/concerns"]["post"]
    assert "429" in {str(code) for code in operation["responses"]}
    public = [ops for path, ops in paths.items() if path.startswith(BASE + "/public/")]
    assert public and all("security" not in op for ops in public for op in ops.values())


# The status by reference number ----------------------------------------------------------------------------


def test_the_status_lookup_shows_the_status_and_nothing_else(concern_a, inspector_x):
    services.concern_note(actor=inspector_x, concern=concern_a, comment="Секретная заметка инспектора")
    typed = concern_a.reference.lower().replace("-", "")
    response = Api(lang="en").get(status_path(typed))
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "reference": concern_a.reference,
        "status": "in_work",
        "status_label": "In work",
        "received_on": timezone.localdate(concern_a.created_at).isoformat(),
    }
    text = json.dumps(body, ensure_ascii=False)
    for secret in (
        concern_a.school.name_ru, concern_a.school.bin, concern_a.what, concern_a.where, concern_a.when,
        concern_a.contact, "Секретная заметка", inspector_x.username, inspector_x.last_name,
        concern_a.district.name_en,
    ):  # fmt: skip
        assert secret not in text, secret


@pytest.mark.parametrize("reference", ["Q-2222-2222", "nonsense", "Q-0000-0000"])
def test_an_unknown_or_malformed_reference_is_not_found(concern_a, reference):
    response = Api(lang="en").get(status_path(reference))
    assert response.status_code == 404 and response.json() == {"detail": "Not found"}


# The police's queue ----------------------------------------------------------------------------------------


def test_the_queue_lists_the_districts_concerns_and_the_city_all(
    concern_a, concern_b, inspector_x, city_supervisor
):
    body = Api(inspector_x).get("/concerns").json()
    assert [c["reference"] for c in body["items"]] == [concern_a.reference]
    row = body["items"][0]
    assert row["school"]["name"] == concern_a.school.name_ru and row["what"] == concern_a.what
    assert "contact" not in row
    body = Api(city_supervisor).get("/concerns").json()
    assert {c["reference"] for c in body["items"]} == {concern_a.reference, concern_b.reference}


def test_the_queue_filters_by_status(school_a, inspector_x):
    new = report(school_a)
    dismissed = report(school_a)
    services.concern_dismiss(actor=inspector_x, concern=dismissed, reason="Дубликат")
    client = Api(inspector_x)
    assert [c["id"] for c in client.get("/concerns", {"status": "closed"}).json()["items"]] == [dismissed.pk]
    assert [c["id"] for c in client.get("/concerns", {"status": "received"}).json()["items"]] == [new.pk]
    response = client.get("/concerns", {"status": "nonsense"})
    assert response.status_code == 422 and "status" in response.json()["errors"]


def test_the_queue_costs_a_fixed_number_of_queries(school_a, inspector_x, django_assert_max_num_queries):
    client = Api(inspector_x)
    report(school_a, ip=None)
    with django_assert_max_num_queries(6) as small:
        assert client.get("/concerns").status_code == 200
    for n in range(20):
        concern = report(school_a, ip=None)
        if n % 3 == 0:
            services.concern_start_inspection(actor=inspector_x, concern=concern, reason="Проверка")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/concerns").json()["items"]) == 21


@pytest.mark.parametrize("persona", ["school_admin_a", "firm_user", "education_user"])
def test_the_school_its_guards_and_education_are_refused_the_queue(request, concern_a, persona):
    client = Api(request.getfixturevalue(persona))
    assert client.get("/concerns").status_code == 403
    assert client.get(f"/concerns/{concern_a.pk}").status_code == 403
    assert client.get("/concerns/987654").status_code == 403  # the same, whatever the id
    assert client.post(f"/concerns/{concern_a.pk}/note", {"comment": "Заметка"}).status_code == 403


def test_the_queue_needs_a_token(concern_a):
    assert Api().get("/concerns").status_code == 401
    assert Api().get(f"/concerns/{concern_a.pk}").status_code == 401


def test_a_concern_of_another_district_is_not_found_for_reading_or_acting(concern_a, inspector_y):
    client = Api(inspector_y)
    assert client.get(f"/concerns/{concern_a.pk}").status_code == 404
    for action, body in (
        ("note", {"comment": "Чужое"}), ("dismiss", {"reason": "Чужое"}), ("close", {"comment": "Чужое"}),
        ("inspection", {"reason": "Чужое"}),
    ):  # fmt: skip
        response = client.post(f"/concerns/{concern_a.pk}/{action}", body)
        assert response.status_code == 404 and set(response.json()) == {"detail"}, action
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.RECEIVED and concern_a.events.count() == 1
    assert not Inspection.objects.exists()


def test_an_unknown_concern_is_not_found(inspector_x):
    assert Api(inspector_x).get("/concerns/987654").status_code == 404


def test_the_reporters_contact_is_shown_to_the_districts_police_only(
    concern_a, inspector_x, chief_x, city_supervisor
):
    for user in (inspector_x, chief_x):
        assert Api(user).get(f"/concerns/{concern_a.pk}").json()["contact"] == concern_a.contact
    body = Api(city_supervisor).get(f"/concerns/{concern_a.pk}").json()
    assert body["what"] == concern_a.what and body["contact"] is None
    assert concern_a.contact not in json.dumps(body, ensure_ascii=False)


# Triage ----------------------------------------------------------------------------------------------------


def test_a_note_puts_a_new_concern_in_work_and_the_history_shows_who(concern_a, inspector_x):
    response = Api(inspector_x).post(f"/concerns/{concern_a.pk}/note", {"comment": "Позвонил директору"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_work"
    assert [(e["action"], e["actor"] and e["actor"]["id"], e["comment"]) for e in body["events"]] == [
        ("received", None, ""),
        ("note", inspector_x.pk, "Позвонил директору"),
    ]


@pytest.mark.parametrize(
    "action, field",
    [("note", "comment"), ("dismiss", "reason"), ("close", "comment"), ("inspection", "reason")],
)
def test_an_action_without_its_text_is_refused_on_the_field(concern_a, inspector_x, action, field):
    for body in ({}, {field: "   "}):
        response = Api(inspector_x).post(f"/concerns/{concern_a.pk}/{action}", body)
        assert response.status_code == 400 and set(response.json()["errors"]) == {field}, body
    response = Api(inspector_x).post(f"/concerns/{concern_a.pk}/{action}", {field: "x" * 2001})
    assert response.status_code == 400 and field in response.json()["errors"]
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.RECEIVED and not Inspection.objects.exists()


def test_dismissing_closes_the_concern_and_a_closed_concern_cannot_be_dismissed_or_closed_again(
    concern_a, chief_x
):
    client = Api(chief_x)
    response = client.post(f"/concerns/{concern_a.pk}/dismiss", {"reason": "Не относится к безопасности"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("closed", "dismissed")
    for action, body in (("dismiss", {"reason": "Ещё раз"}), ("close", {"comment": "Сделано"})):
        again = client.post(f"/concerns/{concern_a.pk}/{action}", body)
        assert again.status_code == 409 and again.json()["detail"], action
    assert client.post(f"/concerns/{concern_a.pk}/inspection", {"reason": "Проверка"}).status_code == 409
    # A closed concern still takes a note, as on the page.
    assert client.post(f"/concerns/{concern_a.pk}/note", {"comment": "Перезвонил"}).status_code == 200


def test_closing_says_what_was_done(concern_a, inspector_x):
    response = Api(inspector_x).post(f"/concerns/{concern_a.pk}/close", {"comment": "Калитку закрыли"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("closed", "resolved")
    assert concern_a.events.last().comment == "Калитку закрыли"


def test_starting_an_inspection_creates_an_adhoc_one_linked_to_the_concern_once(concern_a, inspector_x):
    client = Api(inspector_x)
    planned = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        f"/concerns/{concern_a.pk}/inspection",
        {"reason": "Жалоба родителя", "planned_on": planned.isoformat()},
    )
    assert response.status_code == 201
    inspection = Inspection.objects.get()
    assert (inspection.kind, inspection.school_id, inspection.planned_on) == (
        Inspection.Kind.ADHOC, concern_a.school_id, planned,
    )  # fmt: skip
    body = response.json()
    assert body["status"] == "in_work"
    assert body["inspection"] == {
        "id": inspection.pk, "kind": "adhoc", "status": inspection.status, "planned_on": planned.isoformat(),
    }  # fmt: skip
    again = client.post(f"/concerns/{concern_a.pk}/inspection", {"reason": "Ещё одна"})
    assert again.status_code == 409
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize("planned_on, status", [("2001-01-01", 400), ("not a date", 422)])
def test_an_inspection_in_the_past_or_on_no_date_is_refused_on_the_field(
    concern_a, chief_x, planned_on, status
):
    response = Api(chief_x).post(
        f"/concerns/{concern_a.pk}/inspection", {"reason": "Проверка", "planned_on": planned_on}
    )
    assert response.status_code == status and "planned_on" in response.json()["errors"]
    assert not Inspection.objects.exists()


def test_the_city_supervisor_reads_but_may_not_triage(concern_a, city_supervisor):
    client = Api(city_supervisor)
    assert client.get(f"/concerns/{concern_a.pk}").status_code == 200
    for action in ("note", "dismiss", "close", "inspection"):
        response = client.post(f"/concerns/{concern_a.pk}/{action}", {})
        assert response.status_code == 403 and response.json()["detail"], action
    assert client.post("/concerns/987654/note", {"comment": "Заметка"}).status_code == 403


# Nothing leaks ---------------------------------------------------------------------------------------------

# Every key a public answer may hold; a new one must be decided here.
PUBLIC_KEYS = {
    "search": {
        "count", "page", "pages", "items", "items.bin", "items.name", "items.district", "items.address",
    },
    "summary": {
        "school", "school.bin", "school.name", "school.district", "school.address", "inspected_this_year",
        "last_inspected_on", "had_orders", "items_in_progress",
    },
    "status": {"reference", "status", "status_label", "received_on"},
    "report": {"reference"},
}  # fmt: skip


def test_the_public_operations_show_nothing_but_the_summary(fake_documents, media):
    """The leak test of the public pages (test_leak.py), for the API's answers: school A has everything a
    school can have, and no value of the list of what must never be public is in any answer."""
    world = build_leak_world()
    secrets = forbidden(world)
    a = world.a
    requests = [
        ("search", "get", "/public/schools", {"q": a.school.bin}),
        ("search", "get", "/public/schools", {"q": "Школа-гимназия"}),
        ("summary", "get", summary_path(a.school), None),
        ("status", "get", status_path(a.concern_ref), None),
        ("report", "post", concerns_path(a.school), REPORT),
    ]
    for lang in ("ru", "kk", "en"):
        anyone = Api(lang=lang)
        for kind, method, path, data in requests:
            response = getattr(anyone, method)(path, data)
            assert response.status_code in (200, 201), path
            body = response.json()
            assert keys(body) == PUBLIC_KEYS[kind], path
            text = json.dumps(body, ensure_ascii=False)
            leaks = {value: source for value, source in secrets.items() if value in text}
            assert not leaks, f"{path} shows {leaks}"
            assert "/media/" not in text and "/files/" not in text
    # The world's school A has open items of an issued order and approved results: the summary says so.
    summary = Api().get(summary_path(a.school)).json()
    assert summary["inspected_this_year"] and summary["had_orders"] and summary["items_in_progress"] > 0
