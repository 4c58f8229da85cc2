"""Writes for campaigns and inspections. Every state change is atomic and recorded in the status history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.accounts.models import Role, User
from qorgau.accounts.scoping import visible
from qorgau.checklists.answers import evaluate
from qorgau.checklists.models import AnswerKind, Item, TemplateVersion
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.core.numbering import next_number
from qorgau.inspections.models import (
    ActCounter,
    Answer,
    AnswerRevision,
    Campaign,
    Finding,
    Inspection,
    InspectionEvent,
    Photo,
)
from qorgau.oversight import summary as oversight_summary
from qorgau.registry.models import District, School

Status = Inspection.Status


class EditConflict(InvalidTransition):
    """Someone saved the same answer since this user loaded it; nothing was overwritten."""

    def __init__(self, message: str, current: Answer):
        super().__init__(message)
        self.current = current


def _event(inspection: Inspection, actor, action: str, comment: str = "", changes: dict | None = None):
    return InspectionEvent.objects.create(
        inspection=inspection, actor=actor, action=action, comment=comment, changes=changes or {}
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _published(version: TemplateVersion) -> None:
    if version.status != TemplateVersion.Status.PUBLISHED:
        raise ValidationError({"template_version": _("Choose a published checklist version.")})


def latest_published_version(template_code: str = "atz-edu") -> TemplateVersion:
    version = (
        TemplateVersion.objects.filter(template__code=template_code, status=TemplateVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError({"template_version": _("No published checklist version exists yet.")})
    return version


def _check_inspector(actor, inspector: User | None, district_id: int) -> None:
    if inspector is None:
        return
    ok = (
        inspector.is_active
        and inspector.role in (Role.INSPECTOR, Role.DISTRICT_CHIEF)
        and inspector.organisation is not None
        and inspector.organisation.district_id == district_id
    )
    if not ok:
        raise ValidationError({"inspector": _("Choose an inspector of this district.")})


# Campaigns and planning -----------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    districts: list[District],
    template_version: TemplateVersion,
) -> Campaign:
    """A campaign with a planned inspection for every school of its districts, not yet assigned."""
    _require(policy.can_create_campaign(actor), _("You may not create campaigns."))
    if not name.strip():
        raise ValidationError({"name": _("Give the campaign a name.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})
    if not districts:
        raise ValidationError({"districts": _("Choose at least one district.")})
    _published(template_version)
    campaign = Campaign.objects.create(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        template_version=template_version,
        created_by=actor,
    )
    campaign.districts.set(districts)
    schools = School.objects.filter(district__in=districts).values_list("id", "district_id")
    _plan_inspections(campaign, actor, schools)
    return campaign


def _plan_inspections(campaign: Campaign, actor, schools, inspector: User | None = None) -> None:
    """One planned inspection per (school id, district id) of `schools`, each with its history."""
    Inspection.objects.bulk_create(
        [
            Inspection(
                school_id=school_id,
                district_id=district_id,
                campaign=campaign,
                kind=Inspection.Kind.PLANNED,
                template_version=campaign.template_version,
                inspector=inspector,
                created_by=actor,
            )  # fmt: skip
            for school_id, district_id in schools
        ],
        batch_size=1000,
    )
    created = list(Inspection.objects.filter(campaign=campaign).values_list("id", flat=True))
    events = [
        InspectionEvent(inspection_id=pk, actor=actor, action=InspectionEvent.Action.CREATED)
        for pk in created
    ]
    if inspector is not None:
        events += [
            InspectionEvent(
                inspection_id=pk,
                actor=actor,
                action=InspectionEvent.Action.ASSIGNED,
                comment=inspector.display_name,
            )
            for pk in created
        ]
    InspectionEvent.objects.bulk_create(events, batch_size=1000)


@transaction.atomic
def campaign_create_for_schools(
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    schools: list[School],
    template_version: TemplateVersion,
    inspector: User | None = None,
) -> Campaign:
    """A campaign over chosen schools (e.g. the top of the risk ranking): a planned inspection for each,
    optionally assigned to one inspector. A district chief plans in the district, the city anywhere."""
    _require(policy.can_plan_from_ranking(actor), _("You may not create campaigns."))
    if not name.strip():
        raise ValidationError({"name": _("Give the campaign a name.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})
    wanted = {school.pk for school in schools}
    if not wanted:
        raise ValidationError({"schools": _("Choose at least one school.")})
    rows = list(visible(actor, School).filter(pk__in=wanted).values_list("id", "district_id"))
    if len(rows) != len(wanted):
        raise ValidationError({"schools": _("Some of the chosen schools are not in your area.")})
    district_ids = sorted({district_id for _school_id, district_id in rows})
    for district_id in district_ids:
        _check_inspector(actor, inspector, district_id)
    _published(template_version)
    campaign = Campaign.objects.create(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        template_version=template_version,
        created_by=actor,
    )
    campaign.districts.set(district_ids)
    _plan_inspections(campaign, actor, rows, inspector=inspector)
    return campaign


@transaction.atomic
def inspections_assign(
    *, actor, inspections: list[Inspection], inspector: User, planned_on: dt.date | None = None
) -> int:
    """Assign an inspector (and a date) to several planned inspections at once."""
    _require(policy.can_assign_inspectors(actor), _("You may not assign inspectors."))
    ids = [i.pk for i in inspections]
    rows = list(visible(actor, Inspection).select_for_update().filter(pk__in=ids))
    if len(rows) != len(set(ids)):
        raise ValidationError({"inspections": _("Some of the chosen inspections are not in your area.")})
    for inspection in rows:
        if inspection.status not in (Status.PLANNED, Status.IN_PROGRESS, Status.RETURNED):
            raise InvalidTransition(_("A submitted or approved inspection cannot be reassigned."))
        _check_inspector(actor, inspector, inspection.district_id)
    if planned_on is not None and rows and rows[0].campaign_id:
        campaign = rows[0].campaign
        if not campaign.starts_on <= planned_on <= campaign.ends_on:
            raise ValidationError({"planned_on": _("The date must be within the campaign's period.")})
    updates: dict[str, Any] = {"inspector": inspector}
    if planned_on is not None:
        updates["planned_on"] = planned_on
    Inspection.objects.filter(pk__in=[r.pk for r in rows]).update(**updates, updated_at=timezone.now())
    comment = inspector.display_name + (f", {planned_on:%d.%m.%Y}" if planned_on else "")
    InspectionEvent.objects.bulk_create(
        [
            InspectionEvent(
                inspection=r, actor=actor, action=InspectionEvent.Action.ASSIGNED, comment=comment
            )
            for r in rows
        ]
    )
    return len(rows)


@transaction.atomic
def inspection_create(
    *,
    actor,
    school: School,
    kind: str = Inspection.Kind.ADHOC,
    reason: str = "",
    planned_on: dt.date | None = None,
    inspector: User | None = None,
    template_version: TemplateVersion | None = None,
) -> Inspection:
    """An unplanned or follow-up inspection of one school."""
    _require(policy.can_create_inspection(actor), _("You may not create inspections."))
    if not visible(actor, School).filter(pk=school.pk).exists():
        raise ValidationError({"school": _("Choose a school of your district.")})
    if kind not in (Inspection.Kind.ADHOC, Inspection.Kind.FOLLOW_UP):
        raise ValidationError({"kind": _("Choose an unplanned or a follow-up inspection.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the inspection is made.")})
    version = template_version or latest_published_version()
    _published(version)
    if inspector is None and actor.role == Role.INSPECTOR:
        inspector = actor
    _check_inspector(actor, inspector, school.district_id)
    inspection = Inspection.objects.create(
        school=school, district_id=school.district_id, kind=kind, reason=reason.strip(),
        planned_on=planned_on or timezone.localdate(), inspector=inspector, template_version=version,
        created_by=actor,
    )  # fmt: skip
    _event(inspection, actor, InspectionEvent.Action.CREATED, reason.strip())
    return inspection


# Answering ------------------------------------------------------------------------------------------------


def _editable(inspection: Inspection) -> None:
    if not inspection.is_editable:
        raise InvalidTransition(
            _("This inspection is %(status)s; its answers can no longer be changed.")
            % {"status": inspection.get_status_display().lower()}
        )


def _start(actor, inspection: Inspection) -> None:
    if inspection.status == Status.PLANNED:
        inspection.status = Status.IN_PROGRESS
        inspection.started_at = timezone.now()
        inspection.save(update_fields=["status", "started_at", "updated_at"])
        _event(inspection, actor, InspectionEvent.Action.STARTED)


def applicable_items(inspection: Inspection):
    """The version's items that apply to the school's size tier, in checklist order."""
    tier = inspection.school.size_tier
    items = Item.objects.filter(version_id=inspection.template_version_id).select_related("section")
    return [item for item in items.order_by("section__order", "order", "id") if item.applies_to(tier)]


@transaction.atomic
def answer_save(
    *,
    actor,
    inspection: Inspection,
    item: Item,
    raw: dict,
    base_version: int,
    comment: str | None = None,
    override_result: str = "",
    override_reason: str = "",
) -> Answer:
    """Save one answer. `base_version` is the version the user last saw (0 for a new answer); if someone
    saved since, an EditConflict is raised and nothing is overwritten."""
    _require(policy.can_conduct_inspection(actor), _("You may not answer inspections."))
    inspection = Inspection.objects.select_for_update().select_related("school").get(pk=inspection.pk)
    _editable(inspection)
    if item.version_id != inspection.template_version_id or not item.applies_to(inspection.school.size_tier):
        raise ValidationError({"item": _("This item is not part of this inspection's checklist.")})
    evaluation = evaluate(item, raw, on_date=timezone.localdate())
    if override_result:
        if evaluation.result is None:
            raise ValidationError({"override_result": _("Complete the answer before changing its result.")})
        if override_result not in Answer.Result.values:
            raise ValidationError({"override_result": _("Choose a result.")})
        if not override_reason.strip():
            raise ValidationError({"override_reason": _("Give a reason for changing the result.")})
    answer = Answer.objects.select_for_update().filter(inspection=inspection, item=item).first()
    current_version = answer.version if answer else 0
    if base_version != current_version:
        if answer is None:
            # The client thought an answer existed; it cannot have: treat as stale.
            raise EditConflict(_("This answer was removed meanwhile. Reload the page."), Answer(item=item))
        who = answer.updated_by.display_name if answer.updated_by else _("someone")
        raise EditConflict(
            _(
                "%(who)s changed this answer at %(time)s, after you opened it. Your change was not saved: "
                "check their answer and enter yours again if it is still right."
            )
            % {"who": who, "time": timezone.localtime(answer.updated_at).strftime("%H:%M")},
            answer,
        )
    if answer is None:
        answer = Answer(inspection=inspection, item=item, version=0)
    answer.value = evaluation.value
    answer.auto_result = evaluation.result or ""
    answer.summary = evaluation.summary[:500]
    answer.override_reason = override_reason.strip()[:500] if override_result else ""
    answer.result = override_result or answer.auto_result
    if comment is not None:
        answer.comment = comment[:4000]
    answer.version = current_version + 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    try:
        answer.save()
    except IntegrityError:
        # Two first saves of the same item at once: the other one won; this one must not overwrite it.
        raise EditConflict(
            _("Someone answered this item at the same moment. Reload the page."), answer
        ) from None
    AnswerRevision.objects.create(
        answer=answer, version=answer.version, value=answer.value, result=answer.result,
        override_reason=answer.override_reason, comment=answer.comment, by=actor, at=answer.updated_at,
    )  # fmt: skip
    _start(actor, inspection)
    Inspection.objects.filter(pk=inspection.pk).update(updated_at=timezone.now())
    return answer


@transaction.atomic
def finding_add(
    *, actor, inspection: Inspection, severity: str, text: str, location: str = "", legal_ref: str = "",
    photos: list[Photo] | None = None,
) -> Finding:  # fmt: skip
    """A finding not tied to a checklist item."""
    _require(policy.can_conduct_inspection(actor), _("You may not add findings."))
    # Read the status afresh: the caller's copy may predate answers that started the inspection.
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _editable(inspection)
    finding = Finding(
        inspection=inspection, item=None, severity=severity, text=text.strip(), location=location.strip(),
        legal_ref=legal_ref.strip(), created_by=actor,
    )  # fmt: skip
    finding.full_clean(exclude=["inspection", "created_by"])
    finding.save()
    if photos:
        finding.photos.set([p for p in photos if p.inspection_id == inspection.pk])
    _event(inspection, actor, InspectionEvent.Action.FINDING_ADDED, finding.text[:200])
    _start(actor, inspection)
    return finding


@transaction.atomic
def finding_delete(*, actor, finding: Finding) -> None:
    _require(policy.can_conduct_inspection(actor), _("You may not change findings."))
    _editable(Inspection.objects.select_for_update().get(pk=finding.inspection_id))
    if finding.item_id is not None:
        raise InvalidTransition(_("A finding from a checklist item changes with the item's answer."))
    finding.delete()


# Submit, approve, return, amend ---------------------------------------------------------------------------


BINARY_KINDS = (AnswerKind.YES_NO, AnswerKind.YES_NO_NA)


def finding_detail(answer: Answer) -> str:
    """What a failed answer adds to its item's requirement: the measured facts of a practical test or a
    number, and the inspector's comment. A bare "No" adds nothing: the requirement says what is missing."""
    parts = [] if answer.item.answer_kind in BINARY_KINDS else [answer.summary]
    parts.append(answer.comment)
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


def _findings_from_answers(actor, inspection: Inspection) -> None:
    """Replace the findings made from failed items; the inspector's own findings stay."""
    Finding.objects.filter(inspection=inspection, item__isnull=False).delete()
    failed = Answer.objects.filter(inspection=inspection, result=Answer.Result.FAIL).select_related("item")
    photos_by_item: dict[int, list[int]] = {}
    for item_id, photo_id in Photo.objects.filter(inspection=inspection, item__isnull=False).values_list(
        "item_id", "id"
    ):
        photos_by_item.setdefault(item_id, []).append(photo_id)
    for answer in failed:
        text = finding_detail(answer)
        finding = Finding.objects.create(
            inspection=inspection, item=answer.item, severity=answer.item.severity, text=text,
            legal_ref=answer.item.legal_ref, created_by=actor,
        )  # fmt: skip
        if answer.item_id in photos_by_item:
            finding.photos.set(photos_by_item[answer.item_id])


@transaction.atomic
def inspection_submit(*, actor, inspection: Inspection) -> Inspection:
    _require(policy.can_conduct_inspection(actor), _("You may not submit inspections."))
    inspection = Inspection.objects.select_for_update().select_related("school").get(pk=inspection.pk)
    if inspection.status not in (Status.IN_PROGRESS, Status.RETURNED):
        raise InvalidTransition(_("Only an inspection in progress can be submitted."))
    items = applicable_items(inspection)
    answered = set(
        Answer.objects.filter(inspection=inspection).exclude(result="").values_list("item_id", flat=True)
    )
    missing = [item.code for item in items if item.pk not in answered]
    if missing:
        raise ValidationError(
            {
                "answers": _("Answer every item before submitting. Not answered: %(codes)s.")
                % {"codes": ", ".join(missing)}
            }
        )
    _findings_from_answers(actor, inspection)
    inspection.status = Status.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(inspection, actor, InspectionEvent.Action.SUBMITTED)
    return inspection


@transaction.atomic
def inspection_approve(*, actor, inspection: Inspection, comment: str = "") -> Inspection:
    _require(policy.can_approve_inspection(actor), _("Only the district chief approves inspection results."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Status.SUBMITTED:
        raise InvalidTransition(_("Only submitted results can be approved."))
    now = timezone.now()
    inspection.status = Status.APPROVED
    inspection.approved_at = now
    inspection.approved_by = actor
    inspection.act_year = timezone.localtime(now).year
    inspection.act_seq = next_number(ActCounter, district_id=inspection.district_id, year=inspection.act_year)
    inspection.save(
        update_fields=["status", "approved_at", "approved_by", "act_year", "act_seq", "updated_at"]
    )
    _event(inspection, actor, InspectionEvent.Action.APPROVED, comment.strip())
    oversight_summary.record_inspection(inspection)
    return inspection


@transaction.atomic
def inspection_return(*, actor, inspection: Inspection, comment: str) -> Inspection:
    _require(policy.can_approve_inspection(actor), _("Only the district chief returns inspection results."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be reworked.")})
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Status.SUBMITTED:
        raise InvalidTransition(_("Only submitted results can be returned."))
    inspection.status = Status.RETURNED
    inspection.save(update_fields=["status", "updated_at"])
    _event(inspection, actor, InspectionEvent.Action.RETURNED, comment.strip())
    return inspection


@transaction.atomic
def answer_amend(
    *, actor, inspection: Inspection, item: Item, raw: dict, reason: str, comment: str = ""
) -> Answer:
    """Approved results are final: a correction is its own recorded amendment with a reason."""
    _require(policy.can_amend_inspection(actor), _("You may not amend inspection results."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Status.APPROVED:
        raise InvalidTransition(_("Only approved results are amended; until then, edit the answers."))
    if inspection.orders.exists():
        raise InvalidTransition(
            _("An order was drafted from these results; correct it through the order (an amendment) instead.")
        )
    answer = Answer.objects.select_for_update().filter(inspection=inspection, item=item).first()
    if answer is None:
        raise ValidationError({"item": _("This item has no answer to amend.")})
    evaluation = evaluate(item, raw, on_date=timezone.localdate())
    if evaluation.result is None:
        # An approved result cannot lose an answer: every item was answered when it was submitted.
        raise ValidationError(_("Fill in the whole answer; an amendment cannot leave the item unanswered."))
    before = {"value": answer.value, "result": answer.result, "summary": answer.summary}
    answer.value = evaluation.value
    answer.auto_result = evaluation.result or ""
    answer.result = answer.auto_result
    answer.summary = evaluation.summary[:500]
    answer.override_reason = ""
    if comment:
        answer.comment = comment[:4000]
    answer.version += 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    answer.save()
    AnswerRevision.objects.create(
        answer=answer, version=answer.version, value=answer.value, result=answer.result,
        comment=answer.comment, by=actor, at=answer.updated_at,
    )  # fmt: skip
    Finding.objects.filter(inspection=inspection, item=item).delete()
    if answer.result == Answer.Result.FAIL:
        Finding.objects.create(
            inspection=inspection, item=item, severity=item.severity, text=finding_detail(answer),
            legal_ref=item.legal_ref, created_by=actor,
        )  # fmt: skip
    after = {"value": answer.value, "result": answer.result, "summary": answer.summary}
    _event(inspection, actor, InspectionEvent.Action.AMENDED, reason.strip(), {item.code: [before, after]})
    oversight_summary.record_inspection(inspection)
    return answer
