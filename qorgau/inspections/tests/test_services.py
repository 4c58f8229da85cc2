"""The inspection's life: answers with version checks, findings on submit, approval with act numbers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qorgau.checklists.models import Item
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.inspections import services
from qorgau.inspections.models import Answer, Finding, Inspection, InspectionEvent
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db

PASSING = {
    "yes_no": {"value": "yes"},
    "yes_no_na": {"value": "yes"},
    "number": {"value": "45"},
    "date": {"value": None},  # filled per test: recent date
    "panic_test": {
        "received": "yes",
        "pressed_at": "10:00:00",
        "acknowledged_at": "10:00:20",
        "arrived_at": "10:07:00",
    },
    "camera_survey": {"total": "10", "working": "10", "zones_not_covered": []},
    "entry_test": {"stopped": "yes", "notes": ""},
    "staff_interview": {"asked": "5", "correct": "5"},
}


def passing_raw(item: Item) -> dict:
    raw = dict(PASSING[item.answer_kind])
    if item.answer_kind == "date":
        raw["value"] = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    return raw


def answer_all(inspection, actor, *, fail: tuple[str, ...] = ()):
    for item in services.applicable_items(inspection):
        raw = {"value": "no"} if item.code in fail else passing_raw(item)
        services.answer_save(actor=actor, inspection=inspection, item=item, raw=raw, base_version=0)


@pytest.fixture
def inspection(school_a, inspector_x):
    return InspectionFactory(school=school_a, inspector=inspector_x)


def item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


def test_a_first_answer_starts_the_inspection(inspection, inspector_x):
    answer = services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("AC-1"), raw={"value": "yes"}, base_version=0
    )
    assert answer.result == "pass"
    assert answer.version == 1
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert inspection.events.filter(action="started").exists()


def test_a_save_based_on_an_old_version_is_refused_and_overwrites_nothing(inspection, inspector_x, chief_x):
    first = services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("AC-1"), raw={"value": "yes"}, base_version=0
    )
    services.answer_save(
        actor=chief_x,
        inspection=inspection,
        item=item("AC-1"),
        raw={"value": "no"},
        base_version=first.version,
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item("AC-1"), raw={"value": "yes"},
            base_version=first.version,
        )  # fmt: skip
    assert chief_x.display_name in str(conflict.value)
    assert Answer.objects.get(inspection=inspection).value == {"value": "no"}


def test_an_item_of_another_tier_is_refused(inspection, inspector_x, school_a):
    school_a.size_tier = "T1"
    school_a.save()
    with pytest.raises(ValidationError):
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item("PA-1"), raw={"value": "yes"}, base_version=0
        )


def test_a_bad_value_names_its_field(inspection, inspector_x):
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item("VS-1"), raw={"total": "5", "working": "7"},
            base_version=0,
        )  # fmt: skip
    assert "working" in error.value.message_dict


def test_the_panic_test_computes_seconds(inspection, inspector_x):
    answer = services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("PA-3"),
        raw={
            "received": "yes", "pressed_at": "23:59:30",
            "acknowledged_at": "00:00:10", "arrived_at": "00:09:30",
        },
        base_version=0,
    )  # fmt: skip
    assert answer.value["ack_seconds"] == 40
    assert answer.value["arrival_seconds"] == 600
    assert answer.result == "pass"


def test_an_override_needs_a_reason(inspection, inspector_x):
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item("VS-2"), raw={"value": "20"}, base_version=0,
            override_result="pass",
        )  # fmt: skip
    assert "override_reason" in error.value.message_dict
    answer = services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("VS-2"), raw={"value": "20"}, base_version=0,
        override_result="pass", override_reason="Архив 20 суток допускается по техпаспорту сервера",
    )  # fmt: skip
    assert (answer.auto_result, answer.result) == ("fail", "pass")


def test_submit_needs_every_applicable_item(inspection, inspector_x):
    services.answer_save(
        actor=inspector_x, inspection=inspection, item=item("AC-1"), raw={"value": "yes"}, base_version=0
    )
    with pytest.raises(ValidationError) as error:
        services.inspection_submit(actor=inspector_x, inspection=inspection)
    assert "PA-1" in str(error.value)


def test_submit_turns_failed_items_into_findings_and_keeps_free_ones(inspection, inspector_x):
    answer_all(inspection, inspector_x, fail=("AC-2", "PE-1"))
    services.finding_add(
        actor=inspector_x, inspection=inspection, severity="M", text="Не работает домофон", location="Вход 2"
    )
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    codes = sorted(f.item.code for f in Finding.objects.filter(inspection=inspection, item__isnull=False))
    assert codes == ["AC-2", "PE-1"]
    assert Finding.objects.filter(inspection=inspection, item__isnull=True).count() == 1
    assert Finding.objects.get(item__code="AC-2", inspection=inspection).severity == "S"


def test_the_chief_approves_and_the_act_gets_the_next_number(school_a, inspector_x, chief_x):
    numbers = []
    for _ in range(2):
        inspection = InspectionFactory(school=school_a, inspector=inspector_x)
        answer_all(inspection, inspector_x)
        services.inspection_submit(actor=inspector_x, inspection=inspection)
        approved = services.inspection_approve(actor=chief_x, inspection=inspection)
        numbers.append(approved.act_number)
    year = timezone.localdate().year
    assert numbers == [f"TX-{year}-0001", f"TX-{year}-0002"]


def test_an_inspector_cannot_approve(inspection, inspector_x):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    with pytest.raises(NotAllowed):
        services.inspection_approve(actor=inspector_x, inspection=inspection)


def test_a_returned_inspection_can_be_corrected_and_submitted_again(inspection, inspector_x, chief_x):
    answer_all(inspection, inspector_x, fail=("AC-2",))
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    with pytest.raises(ValidationError):
        services.inspection_return(actor=chief_x, inspection=inspection, comment=" ")
    services.inspection_return(actor=chief_x, inspection=inspection, comment="Уточните AC-2")
    answer = Answer.objects.get(inspection=inspection, item__code="AC-2")
    services.answer_save(
        actor=inspector_x,
        inspection=inspection,
        item=answer.item,
        raw={"value": "yes"},
        base_version=answer.version,
    )
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    assert not Finding.objects.filter(inspection=inspection).exists()
    actions = list(InspectionEvent.objects.filter(inspection=inspection).values_list("action", flat=True))
    assert actions[-3:] == ["submitted", "returned", "submitted"]


def test_approved_results_change_only_by_a_recorded_amendment(inspection, inspector_x, chief_x):
    answer_all(inspection, inspector_x, fail=("AC-2",))
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    services.inspection_approve(actor=chief_x, inspection=inspection)
    answer = Answer.objects.get(inspection=inspection, item__code="AC-2")
    with pytest.raises(InvalidTransition):
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=answer.item, raw={"value": "yes"},
            base_version=answer.version,
        )  # fmt: skip
    services.answer_amend(
        actor=chief_x,
        inspection=inspection,
        item=answer.item,
        raw={"value": "yes"},
        reason="Журнал предъявлен",
    )
    event = InspectionEvent.objects.get(inspection=inspection, action="amended")
    assert event.comment == "Журнал предъявлен"
    assert event.changes["AC-2"][0]["result"] == "fail"
    assert not Finding.objects.filter(inspection=inspection, item__code="AC-2").exists()


def test_a_campaign_plans_every_school_of_its_districts(city_supervisor, school_a, school_b, district_x):
    campaign = services.campaign_create(
        actor=city_supervisor, name="Весна-2026", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 30),
        districts=[district_x], template_version=default_version(),
    )  # fmt: skip
    assert list(Inspection.objects.filter(campaign=campaign).values_list("school", flat=True)) == [
        school_a.pk
    ]


def test_the_chief_assigns_inspectors_only_of_the_district(
    city_supervisor, chief_x, inspector_x, inspector_y, school_a, district_x
):
    campaign = services.campaign_create(
        actor=city_supervisor, name="Осень", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 31),
        districts=[district_x], template_version=default_version(),
    )  # fmt: skip
    planned = list(campaign.inspections.all())
    with pytest.raises(ValidationError):
        services.inspections_assign(actor=chief_x, inspections=planned, inspector=inspector_y)
    assert (
        services.inspections_assign(
            actor=chief_x, inspections=planned, inspector=inspector_x, planned_on=dt.date(2026, 9, 15)
        )
        == 1
    )
    assert campaign.inspections.get().inspector == inspector_x


def test_a_school_sees_its_inspection_only_once_approved(inspection, inspector_x, chief_x, school_admin_a):
    from qorgau.accounts.scoping import visible

    assert not visible(school_admin_a, Inspection).exists()
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    assert not visible(school_admin_a, Inspection).exists()
    services.inspection_approve(actor=chief_x, inspection=inspection)
    assert list(visible(school_admin_a, Inspection)) == [inspection]
    assert visible(school_admin_a, Answer).count() == inspection.answers.count()


def test_an_answer_cannot_be_amended_once_an_order_was_drafted(inspection, inspector_x, chief_x):
    from qorgau.orders import services as order_services

    answer_all(inspection, inspector_x, fail=("AC-2",))
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    services.inspection_approve(actor=chief_x, inspection=inspection)
    order_services.order_draft(actor=inspector_x, inspection=inspection)
    with pytest.raises(InvalidTransition):
        services.answer_amend(
            actor=chief_x, inspection=inspection, item=item("AC-2"), raw={"value": "yes"}, reason="Предъявлен"
        )


def test_an_override_needs_a_complete_answer(inspection, inspector_x):
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            actor=inspector_x, inspection=inspection, item=item("VS-1"), raw={"total": "5"}, base_version=0,
            override_result="pass", override_reason="Камеры проверены по журналу",
        )  # fmt: skip
    assert "override_result" in error.value.message_dict
