"""The inspection form's views: the page, autosave of each answer kind, conflicts, findings and submit."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qorgau.checklists.models import Item
from qorgau.inspections import services
from qorgau.inspections.models import Answer, Finding, Inspection, Photo
from qorgau.inspections.tests.test_services import answer_all, passing_raw
from qorgau.registry.models import EquipmentStatus
from qorgau.tests.factories import CameraFactory, InspectionFactory, default_version

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def inspection(school_a, inspector_x):
    return InspectionFactory(school=school_a, inspector=inspector_x)


@pytest.fixture
def as_user(client):
    """A client signed in as the user, who reads English (the source language) so texts can be checked."""

    def _as(user):
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return _as


def item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


def conduct_url(inspection, **query) -> str:
    url = reverse("inspections:conduct", args=[inspection.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def save_url(inspection, code: str) -> str:
    return reverse("inspections:answer_save", args=[inspection.pk, item(code).pk])


def post_answer(client, inspection, code: str, data: dict, version: int = 0, **extra):
    return client.post(save_url(inspection, code), {**data, "version": version, **extra}, **HTMX)


# The page -------------------------------------------------------------------------------------------------


def test_the_form_shows_every_applicable_item_with_the_progress(as_user, inspector_x, inspection):
    response = as_user(inspector_x).get(conduct_url(inspection))
    assert response.status_code == 200
    html = response.content.decode()
    codes = set(re.findall(r'data-code="([A-Z]{2}-\d)"', html))
    assert len(codes) == 31  # school A is a T3 school: every item applies
    assert re.search(r'data-testid="progress"[^>]*>0/31<', html)
    assert response.context["current"] == "PA"
    assert 'capture="environment"' in html
    assert "<script>" not in html  # no inline scripts: the page passes data in data-* attributes


def test_a_small_school_gets_only_the_items_of_its_tier(as_user, inspector_x, inspection, school_a):
    school_a.size_tier = "T1"
    school_a.save()
    html = as_user(inspector_x).get(conduct_url(inspection)).content.decode()
    assert 'data-code="PA-1"' not in html
    assert 'data-code="VS-1"' in html
    assert re.search(r'data-testid="progress"[^>]*>0/(\d+)<', html).group(1) == str(
        len(services.applicable_items(Inspection.objects.get(pk=inspection.pk)))
    )


def test_the_page_opens_at_the_first_section_with_unanswered_items(as_user, inspector_x, inspection):
    for code in ("PA-1", "PA-2", "PA-4"):
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item(code), raw={"value": "yes"}, base_version=0
        )
    services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("PA-3"), raw=passing_raw(item("PA-3")),
        base_version=0,
    )  # fmt: skip
    client = as_user(inspector_x)
    response = client.get(conduct_url(inspection))
    assert response.context["current"] == "VS"
    html = response.content.decode()
    assert 'id="step-VS" data-step="VS" aria-labelledby="step-title-VS">' in html
    assert 'id="step-PA" data-step="PA" aria-labelledby="step-title-PA" hidden>' in html
    assert client.get(conduct_url(inspection, section="DO")).context["current"] == "DO"


def test_the_registry_facts_prefill_the_camera_survey(as_user, inspector_x, inspection, school_a):
    CameraFactory.create_batch(28, school=school_a, archive_days=30)
    CameraFactory(school=school_a, archive_days=14, status=EquipmentStatus.FAULTY)
    response = as_user(inspector_x).get(conduct_url(inspection, section="VS"))
    html = response.content.decode()
    assert "On record: 29 cameras, 28 working, shortest archive 14 days" in html
    assert "On record: shortest archive 14 days" in html
    survey = item("VS-1")
    assert re.search(rf'id="total-{survey.pk}"[^>]*value="29"', html)
    assert re.search(rf'id="working-{survey.pk}"[^>]*value="28"', html)
    assert 'data-testid="confirm-prefill"' in html


def test_the_page_runs_the_same_queries_whatever_the_number_of_photos(
    as_user, inspector_x, inspection, django_assert_max_num_queries
):
    client = as_user(inspector_x)
    answer_all(inspection, inspector_x)
    services.finding_add(
        actor=inspector_x, inspection=inspection, severity="M", text="Нет урны", location="Двор"
    )
    counts = []
    for photos in (2, 20):
        Photo.objects.filter(inspection=inspection).delete()
        items = services.applicable_items(inspection)
        Photo.objects.bulk_create(
            Photo(
                inspection=inspection,
                item=items[n % len(items)],
                file=f"photos/x{n}.jpg",
                thumbnail=f"photos/x{n}-t.jpg",
                width=10,
                height=10,
                size=100,
                original_sha256="0" * 64,
                original_format="JPEG",
                taken_by=inspector_x,
            )  # fmt: skip
            for n in range(photos)
        )
        client.get(conduct_url(inspection))  # warm the session and the user's language
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as ctx:
            assert client.get(conduct_url(inspection)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# Saving each kind of answer -------------------------------------------------------------------------------


def _recent(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("code", "data", "result", "summary"),
    [
        ("PA-1", {"value": "yes"}, "pass", "Yes"),
        ("VS-3", {"value": "na"}, "na", "Not applicable"),
        ("VS-2", {"value": "14"}, "fail", "14 (required at least 30)"),
        ("SR-3", {"value": "recent"}, "pass", "days ago"),
        ("SR-3", {"value": "", "none": "1"}, "fail", "Never done"),
        (
            "PA-3",
            {
                "received": "yes",
                "pressed_at": "10:00:00",
                "acknowledged_at": "10:00:20",
                "arrived_at": "10:07:00",
            },
            "pass",
            "Console acknowledged in 0:20, crew arrived in 7:00",
        ),
        (
            "VS-1",
            {"total": "29", "working": "28", "zones_not_covered": ["canteen", "yard"]},
            "fail",
            "28 of 29 cameras work; not covered: Canteen, Yard",
        ),
        ("AC-6", {"stopped": "no", "notes": "Прошёл через запасной выход"}, "fail", "succeeded"),
        ("SR-5", {"asked": "5", "correct": "4"}, "pass", "4 of 5 staff answered correctly"),
    ],
)
def test_each_kind_of_answer_saves_through_the_view(
    as_user, inspector_x, inspection, code, data, result, summary
):
    if data.get("value") == "recent":
        data = {"value": _recent(30)}
    response = post_answer(as_user(inspector_x), inspection, code, data, comment="Проверено")
    assert response.status_code == 200, response.content.decode()[:2000]
    answer = Answer.objects.get(inspection=inspection, item__code=code)
    assert (answer.result, answer.version, answer.comment) == (result, 1, "Проверено")
    html = response.content.decode()
    assert summary in answer.summary
    assert summary in html
    assert f'data-answer-for="{item(code).pk}"' in html
    assert 'name="version" value="1"' in html
    assert f'data-answer-for="{item(code).pk}" data-answered>' in html  # the page counts it as answered


def test_a_panic_test_with_only_the_press_is_kept_without_a_result(as_user, inspector_x, inspection):
    response = post_answer(as_user(inspector_x), inspection, "PA-3", {"pressed_at": "10:00:05"})
    assert response.status_code == 200
    answer = Answer.objects.get(inspection=inspection)
    assert (answer.value["pressed_at"], answer.result) == ("10:00:05", "")
    html = response.content.decode()
    assert 'value="10:00:05"' in html
    assert "Not complete" in html
    # The next button to press stands out.
    assert re.search(r'class="btn cf-big primary" data-now="acknowledged_at"', html)


def test_an_override_with_a_reason_changes_the_result(as_user, inspector_x, inspection):
    client = as_user(inspector_x)
    response = post_answer(
        client, inspection, "VS-2", {"value": "20"}, override_result="pass", override_reason="Паспорт сервера"
    )
    assert response.status_code == 200
    answer = Answer.objects.get(inspection=inspection)
    assert (answer.auto_result, answer.result, answer.override_reason) == ("fail", "pass", "Паспорт сервера")
    assert '<details class="cf-more cf-override" open>' in response.content.decode()


def test_a_bad_value_answers_422_with_the_field_marked_and_saves_nothing(as_user, inspector_x, inspection):
    response = post_answer(as_user(inspector_x), inspection, "VS-1", {"total": "5", "working": "7"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Working cameras cannot be more than cameras in total." in html
    assert re.search(r'name="working" value="7"', html)  # what was typed stays in the field
    assert 'name="version" value="0"' in html
    assert not Answer.objects.exists()


def test_an_override_without_a_reason_answers_422(as_user, inspector_x, inspection):
    response = post_answer(as_user(inspector_x), inspection, "PA-1", {"value": "no"}, override_result="pass")
    assert response.status_code == 422
    assert "Give a reason for changing the result." in response.content.decode()


def test_an_item_of_another_tier_is_refused(as_user, inspector_x, inspection, school_a):
    school_a.size_tier = "T1"
    school_a.save()
    response = post_answer(as_user(inspector_x), inspection, "PA-1", {"value": "yes"})
    assert response.status_code == 422
    assert "not part of this inspection" in response.content.decode()


def test_two_people_saving_over_the_same_version_get_a_conflict_not_an_overwrite(
    client, inspector_x, chief_x, inspection
):
    from django.test import Client

    first, second = Client(), Client()
    for c, user in ((first, inspector_x), (second, chief_x)):
        user.language = "en"
        user.save(update_fields=["language"])
        c.force_login(user)
    chief_x.first_name, chief_x.last_name = "Ерлан", "Начальников"
    chief_x.save()
    assert post_answer(second, inspection, "PA-1", {"value": "no"}, comment="Кнопки нет").status_code == 200

    response = post_answer(first, inspection, "PA-1", {"value": "yes"}, comment="Есть")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Ерлан Начальников changed this answer at" in html
    assert 'data-testid="conflict"' in html
    # The other person's saved answer is shown, on its version, and what this user tried is listed.
    assert re.search(r'value="no" checked', html)
    assert 'name="version" value="1"' in html
    assert "Answer: <strong>Yes</strong>" in html
    answer = Answer.objects.get(inspection=inspection)
    assert (answer.value, answer.comment, answer.version) == ({"value": "no"}, "Кнопки нет", 1)

    # Saved again on the version now shown, it goes through.
    assert post_answer(first, inspection, "PA-1", {"value": "yes"}, version=1).status_code == 200
    assert Answer.objects.get(inspection=inspection).version == 2


def test_without_htmx_a_save_returns_to_the_item(as_user, inspector_x, inspection):
    response = as_user(inspector_x).post(save_url(inspection, "AC-1"), {"value": "yes", "version": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?section=AC#item-{item('AC-1').pk}")
    assert Answer.objects.get(inspection=inspection).result == "pass"


# Who may do what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inspector_y", "school_admin_b", "school_admin_a", "firm_user"])
def test_outsiders_get_404_for_the_page_and_every_write(request, as_user, who, inspection):
    client = as_user(request.getfixturevalue(who))
    pk = inspection.pk
    assert client.get(conduct_url(inspection)).status_code == 404
    assert post_answer(client, inspection, "PA-1", {"value": "yes"}).status_code == 404
    assert client.post(reverse("inspections:photo_upload", args=[pk]), {}).status_code == 404
    assert client.post(reverse("inspections:finding_add", args=[pk]), {}).status_code == 404
    assert client.post(reverse("inspections:submit", args=[pk])).status_code == 404
    assert not Answer.objects.exists()


def test_education_reads_the_form_but_every_post_is_403(as_user, education_user, inspector_x, inspection):
    finding = services.finding_add(actor=inspector_x, inspection=inspection, severity="M", text="Нет урны")
    client = as_user(education_user)
    response = client.get(conduct_url(inspection))
    assert response.status_code == 200
    assert 'data-testid="readonly"' in response.content.decode()
    assert "data-answer-form" not in response.content.decode()
    pk = inspection.pk
    assert post_answer(client, inspection, "PA-1", {"value": "yes"}).status_code == 403
    assert client.post(reverse("inspections:photo_upload", args=[pk]), {}).status_code == 403
    assert client.post(reverse("inspections:finding_add", args=[pk]), {"text": "x"}).status_code == 403
    assert client.post(reverse("inspections:finding_delete", args=[pk, finding.pk])).status_code == 403
    assert client.post(reverse("inspections:submit", args=[pk])).status_code == 403
    assert not Answer.objects.exists()


def test_the_chief_of_the_district_may_conduct(as_user, chief_x, inspection):
    assert post_answer(as_user(chief_x), inspection, "PA-1", {"value": "yes"}).status_code == 200


def test_a_submitted_inspection_is_read_only(as_user, inspector_x, inspection):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = as_user(inspector_x)
    html = client.get(conduct_url(inspection)).content.decode()
    assert 'data-testid="readonly"' in html
    assert "submitted for approval; its answers can no longer be changed" in html
    assert "<input" not in html.split('id="conduct"')[1].split("</main>")[0]
    answer = Answer.objects.get(inspection=inspection, item__code="PA-1")
    response = post_answer(client, inspection, "PA-1", {"value": "no"}, version=answer.version)
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    assert Answer.objects.get(pk=answer.pk).value == {"value": "yes"}


# Findings and submit --------------------------------------------------------------------------------------


def test_a_free_finding_is_added_and_deleted(as_user, inspector_x, inspection):
    client = as_user(inspector_x)
    url = reverse("inspections:finding_add", args=[inspection.pk])
    response = client.post(
        url, {"severity": "S", "text": "Дверь подвала открыта", "location": "Подвал"}, **HTMX
    )
    assert response.status_code == 200
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.severity, finding.item) == ("S", None)
    assert "Дверь подвала открыта" in response.content.decode()

    response = client.post(url, {"severity": "S", "text": " "}, **HTMX)
    assert response.status_code == 422
    assert "This field cannot be blank." in response.content.decode()

    delete = reverse("inspections:finding_delete", args=[inspection.pk, finding.pk])
    assert client.post(delete, **HTMX).status_code == 200
    assert not Finding.objects.exists()


def test_a_finding_of_another_inspection_is_404(as_user, inspector_x, inspection, school_a):
    other = InspectionFactory(school=school_a, inspector=inspector_x)
    finding = services.finding_add(actor=inspector_x, inspection=other, severity="M", text="Чужая")
    response = as_user(inspector_x).post(
        reverse("inspections:finding_delete", args=[inspection.pk, finding.pk]), **HTMX
    )
    assert response.status_code == 404
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_submit_lists_the_unanswered_items_with_links(as_user, inspector_x, inspection):
    client = as_user(inspector_x)
    post_answer(client, inspection, "PA-1", {"value": "yes"})
    response = client.post(reverse("inspections:submit", args=[inspection.pk]))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="submit-errors"' in html
    assert "Not answered: PA-2" in html
    pa2 = item("PA-2")
    assert f'href="?section=PA#item-{pa2.pk}"' in html
    assert response.context["current"] == "finish"
    assert Inspection.objects.get(pk=inspection.pk).status == "in_progress"


def test_submit_sends_the_results_for_approval(as_user, inspector_x, inspection):
    answer_all(inspection, inspector_x, fail=("AC-2",))
    response = as_user(inspector_x).post(reverse("inspections:submit", args=[inspection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection_detail", args=[inspection.pk])
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert Finding.objects.get(inspection=inspection).item.code == "AC-2"


def test_a_returned_inspection_shows_why_and_can_be_corrected(as_user, inspector_x, chief_x, inspection):
    answer_all(inspection, inspector_x, fail=("AC-2",))
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    services.inspection_return(actor=chief_x, inspection=inspection, comment="Уточните AC-2: журнал есть")
    client = as_user(inspector_x)
    html = client.get(conduct_url(inspection)).content.decode()
    assert "Уточните AC-2: журнал есть" in html
    assert "data-answer-form" in html
    answer = Answer.objects.get(inspection=inspection, item__code="AC-2")
    assert (
        post_answer(client, inspection, "AC-2", {"value": "yes"}, version=answer.version).status_code == 200
    )
