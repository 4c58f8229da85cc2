import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qorgau.accounts.scoping import visible
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.inspections.models import Inspection, InspectionEvent
from qorgau.public import services
from qorgau.public.models import Concern, ConcernEvent, new_reference, normalise_reference
from qorgau.public.tests.conftest import report

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^Q-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


# Reporting ------------------------------------------------------------------------------------------------


def test_a_report_lands_in_the_schools_district_with_a_random_reference(school_a):
    concern = report(school_a)
    assert concern.district_id == school_a.district_id
    assert concern.status == Concern.Status.RECEIVED
    assert REFERENCE.match(concern.reference)
    event = concern.events.get()
    assert event.action == ConcernEvent.Action.RECEIVED and event.actor is None


def test_references_are_random_not_sequential():
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    assert all(REFERENCE.match(r) for r in references)


@pytest.mark.parametrize(
    "typed", ["Q-7K3F-9M2P", "q-7k3f-9m2p", " Q 7K3F 9M2P ", "7K3F9M2P", "q7k3f9m2p", "7k3f-9m2p"]
)
def test_a_typed_reference_is_read_in_any_case_with_or_without_dashes(typed):
    assert normalise_reference(typed) == "Q-7K3F-9M2P"


@pytest.mark.parametrize("typed", ["", "Q-7K3F", "987654321", "Q-0000-1111", "Q-7K3F-9M2P-X", "<script>"])
def test_something_that_cannot_be_a_reference_is_refused(typed):
    assert normalise_reference(typed) == ""


def test_the_address_is_kept_only_as_a_keyed_hash(school_a):
    concern = report(school_a, ip="203.0.113.7")
    assert concern.ip_hash and "203.0.113.7" not in concern.ip_hash
    assert concern.ip_hash == services.ip_fingerprint("203.0.113.7")


def test_a_sixth_report_within_the_hour_from_one_address_is_refused_and_nothing_is_written(
    school_a, school_b, settings
):
    settings.PUBLIC_CONCERNS_PER_HOUR = 5
    for _ in range(5):
        report(school_a, ip="198.51.100.1")
    with pytest.raises(services.Throttled, match="5"):
        report(school_b, ip="198.51.100.1")
    assert Concern.objects.count() == 5 and ConcernEvent.objects.count() == 5
    report(school_b, ip="198.51.100.2")  # another address is not affected


def test_reports_older_than_the_window_no_longer_count(school_a, settings):
    settings.PUBLIC_CONCERNS_PER_HOUR = 2
    for _ in range(2):
        report(school_a, ip="198.51.100.1")
    Concern.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    report(school_a, ip="198.51.100.1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("what", "короткий"), ("what", "я" * 2001), ("where", ""), ("when", ""), ("contact", "x" * 201)],
)
def test_bad_input_is_refused_field_by_field(school_a, field, value):
    with pytest.raises(ValidationError) as error:
        report(school_a, **{field: value})
    assert field in error.value.message_dict
    assert not Concern.objects.exists()


# Scoping ---------------------------------------------------------------------------------------------------


def test_district_police_see_their_districts_concerns_and_the_city_all(
    concern_a, concern_b, chief_x, inspector_x, city_supervisor
):
    assert list(visible(inspector_x, Concern)) == [concern_a]
    assert list(visible(chief_x, Concern)) == [concern_a]
    assert set(visible(city_supervisor, Concern)) == {concern_a, concern_b}


def test_the_school_and_its_guards_never_see_a_concern_about_it(concern_a, school_admin_a, firm_user):
    assert not visible(school_admin_a, Concern).exists()
    assert not visible(firm_user, Concern).exists()
    assert not visible(school_admin_a, ConcernEvent).exists()
    assert not visible(firm_user, ConcernEvent).exists()


# Triage ----------------------------------------------------------------------------------------------------


def test_a_note_puts_a_new_concern_in_work_and_is_recorded_with_who_and_when(concern_a, inspector_x):
    services.concern_note(actor=inspector_x, concern=concern_a, comment="Позвонил директору")
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.IN_WORK
    event = concern_a.events.last()
    assert (event.action, event.actor, event.comment) == ("note", inspector_x, "Позвонил директору")
    assert event.at is not None


def test_dismissing_needs_a_reason(concern_a, inspector_x):
    with pytest.raises(ValidationError) as error:
        services.concern_dismiss(actor=inspector_x, concern=concern_a, reason="   ")
    assert "reason" in error.value.message_dict
    concern_a.refresh_from_db()
    assert concern_a.status == Concern.Status.RECEIVED and concern_a.events.count() == 1


def test_a_dismissed_concern_is_closed_and_cannot_be_dismissed_again(concern_a, chief_x):
    services.concern_dismiss(actor=chief_x, concern=concern_a, reason="Не относится к безопасности")
    concern_a.refresh_from_db()
    assert (concern_a.status, concern_a.outcome) == (Concern.Status.CLOSED, Concern.Outcome.DISMISSED)
    with pytest.raises(InvalidTransition):
        services.concern_dismiss(actor=chief_x, concern=concern_a, reason="Ещё раз")
    with pytest.raises(InvalidTransition):
        services.concern_start_inspection(actor=chief_x, concern=concern_a, reason="Проверка")


def test_closing_says_what_was_done(concern_a, inspector_x):
    with pytest.raises(ValidationError):
        services.concern_close(actor=inspector_x, concern=concern_a, comment="")
    services.concern_close(actor=inspector_x, concern=concern_a, comment="Калитку закрыли на замок")
    concern_a.refresh_from_db()
    assert (concern_a.status, concern_a.outcome) == (Concern.Status.CLOSED, Concern.Outcome.RESOLVED)


def test_an_adhoc_inspection_is_created_from_the_concern_and_linked_to_it(concern_a, inspector_x):
    day = timezone.localdate() + dt.timedelta(days=2)
    inspection = services.concern_start_inspection(
        actor=inspector_x, concern=concern_a, reason="Обращение родителя", planned_on=day
    )
    concern_a.refresh_from_db()
    assert concern_a.inspection == inspection and concern_a.status == Concern.Status.IN_WORK
    assert (inspection.kind, inspection.school_id, inspection.inspector) == (
        Inspection.Kind.ADHOC, concern_a.school_id, inspector_x,
    )  # fmt: skip
    assert inspection.planned_on == day and inspection.status == Inspection.Status.PLANNED
    assert InspectionEvent.objects.filter(inspection=inspection, action="created").exists()
    assert concern_a.events.filter(action=ConcernEvent.Action.INSPECTION, actor=inspector_x).exists()
    with pytest.raises(InvalidTransition):
        services.concern_start_inspection(actor=inspector_x, concern=concern_a, reason="Ещё одна")


def test_an_inspection_needs_a_reason_and_nothing_is_half_written(concern_a, chief_x):
    with pytest.raises(ValidationError) as error:
        services.concern_start_inspection(actor=chief_x, concern=concern_a, reason=" ")
    assert "reason" in error.value.message_dict
    concern_a.refresh_from_db()
    assert concern_a.inspection is None and concern_a.status == Concern.Status.RECEIVED
    assert not Inspection.objects.exists() and concern_a.events.count() == 1


def test_an_inspections_reason_is_kept_within_the_limit_of_a_note(concern_a, chief_x):
    with pytest.raises(ValidationError) as error:
        services.concern_start_inspection(actor=chief_x, concern=concern_a, reason="x" * 2001)
    assert "reason" in error.value.message_dict
    assert not Inspection.objects.exists()


def test_an_inspection_cannot_be_planned_in_the_past(concern_a, chief_x):
    with pytest.raises(ValidationError) as error:
        services.concern_start_inspection(
            actor=chief_x, concern=concern_a, reason="Проверка",
            planned_on=timezone.localdate() - dt.timedelta(days=1),
        )  # fmt: skip
    assert "planned_on" in error.value.message_dict
    assert not Inspection.objects.exists()


def test_police_of_another_district_and_other_roles_may_not_triage(
    concern_a, inspector_y, city_supervisor, education_user, school_admin_a
):
    for actor in (inspector_y, city_supervisor, education_user, school_admin_a):
        with pytest.raises(NotAllowed):
            services.concern_note(actor=actor, concern=concern_a, comment="Заметка")
        with pytest.raises(NotAllowed):
            services.concern_start_inspection(actor=actor, concern=concern_a, reason="Проверка")
    assert concern_a.events.count() == 1 and not Inspection.objects.exists()
