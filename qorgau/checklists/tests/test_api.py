"""The checklist API: read-only, for every signed-in caller, with every field of every item."""

import pytest
from django.test import Client

from qorgau.accounts.services import token_create
from qorgau.checklists import services
from qorgau.tests.factories import default_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1/checklists"


def api(user) -> Client:
    _token, key = token_create(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def v1():
    return default_version()


@pytest.fixture
def draft(v1, city_supervisor):
    return services.draft_create(actor=city_supervisor, template=v1.template)


def test_without_a_token_the_api_answers_401(client, v1):
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/versions/{v1.pk}").status_code == 401


@pytest.mark.parametrize(
    "persona", ["city_supervisor", "chief_x", "inspector_x", "education_user", "school_admin_a", "firm_user"]
)
def test_every_signed_in_caller_reads_the_templates(request, v1, persona):
    response = api(request.getfixturevalue(persona)).get(BASE)
    assert response.status_code == 200
    [template] = response.json()
    assert template["code"] == "atz-edu"
    assert template["name_ru"] == "АТЗ организации образования"
    assert [v["number"] for v in template["versions"]] == [1]


def test_the_list_gives_each_version_newest_first_with_its_counts(v1, draft, city_supervisor, inspector_x):
    city_supervisor.first_name, city_supervisor.last_name = "Ерлан", "Сапаров"
    city_supervisor.save()
    services.version_publish(actor=city_supervisor, version=draft, notes="PA-3: время")
    [template] = api(inspector_x).get(BASE).json()
    newest, first = template["versions"]
    assert (newest["id"], newest["number"], newest["status"], newest["based_on_id"]) == (
        draft.pk,
        2,
        "published",
        v1.pk,
    )
    assert newest["notes"] == "PA-3: время"
    assert newest["published_by"] == city_supervisor.display_name
    assert newest["published_at"] is not None
    assert newest["item_count"] == first["item_count"] == 31
    assert first["id"] == v1.pk


def test_a_version_gives_its_sections_and_items_in_order_with_every_field(v1, inspector_x):
    response = api(inspector_x).get(f"{BASE}/versions/{v1.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["number"], body["status"], body["item_count"]) == (v1.pk, 1, "published", 31)
    assert body["template"]["code"] == "atz-edu"
    assert [s["code"] for s in body["sections"]] == ["PA", "VS", "AC", "GU", "SR", "PE", "DO"]
    items = [i for s in body["sections"] for i in s["items"]]
    assert [i["code"] for i in items] == list(
        v1.items.order_by("section__order", "order", "id").values_list("code", flat=True)
    )
    archive = next(i for i in items if i["code"] == "VS-2")
    assert archive["answer_kind"] == "number"
    assert archive["threshold"] == 30
    assert set(archive) == {
        "id", "code", "order", "text_ru", "text_kk", "text_en", "legal_ref", "severity", "answer_kind",
        "threshold", "max_age_days", "tiers", "tier_list", "prefill", "remedy_ru", "remedy_kk", "fix_kind",
    }  # fmt: skip
    drill = next(i for i in items if i["code"] == "SR-3")
    assert (drill["answer_kind"], drill["max_age_days"], drill["threshold"]) == ("date", 365, None)
    pa1 = next(i for i in items if i["code"] == "PA-1")
    assert (pa1["severity"], pa1["tiers"], pa1["tier_list"]) == ("G", "T2,T3", ["T2", "T3"])


def test_a_draft_can_be_read_too(draft, chief_x):
    body = api(chief_x).get(f"{BASE}/versions/{draft.pk}").json()
    assert (body["status"], body["number"], body["item_count"]) == ("draft", 2, 31)


def test_an_unknown_version_is_404(inspector_x):
    response = api(inspector_x).get(f"{BASE}/versions/999999")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_the_api_offers_no_way_to_change_a_checklist(v1, city_supervisor):
    client = api(city_supervisor)
    assert client.post(BASE, {}, content_type="application/json").status_code == 405
    for method in (client.put, client.patch, client.delete):
        assert method(f"{BASE}/versions/{v1.pk}", {}, content_type="application/json").status_code == 405
