"""Reads for campaigns and inspections. Every selector takes the user and starts from the scoping layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet

from qorgau.accounts.scoping import visible
from qorgau.checklists.models import Item, Prefill, Section
from qorgau.inspections.models import Answer, Campaign, Finding, Inspection, InspectionEvent, Photo
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    EquipmentStatus,
    GuardContract,
    PanicButton,
    SignalDestination,
)


def inspection_list(
    *,
    user,
    status: str = "",
    inspector=None,
    campaign_id: int | None = None,
    school_id: int | None = None,
    q: str = "",
) -> QuerySet[Inspection]:
    qs = visible(user, Inspection).select_related("school", "district", "inspector", "campaign")
    if status:
        qs = qs.filter(status=status)
    if inspector is not None:
        qs = qs.filter(Q(inspector=inspector) | Q(co_inspectors=inspector)).distinct()
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if school_id:
        qs = qs.filter(school_id=school_id)
    if q:
        qs = qs.filter(Q(school__name_ru__icontains=q) | Q(school__name_kk__icontains=q) | Q(school__bin=q))
    return qs.annotate(findings_count=Count("findings", distinct=True)).order_by(
        "planned_on", "school__name_ru", "id"
    )


def campaign_list(*, user) -> QuerySet[Campaign]:
    return (
        visible(user, Campaign)
        .select_related("template_version__template")
        .annotate(
            inspections_total=Count("inspections", distinct=True),
            inspections_done=Count("inspections", filter=Q(inspections__status="approved"), distinct=True),
        )
        .order_by("-starts_on", "id")
    )


@dataclass
class FormItem:
    item: Item
    answer: Answer | None
    photos: list[Photo] = field(default_factory=list)
    prefill: dict = field(default_factory=dict)


@dataclass
class FormSection:
    section: Section
    items: list[FormItem]

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.answer is not None and i.answer.result)


@dataclass
class InspectionForm:
    inspection: Inspection
    sections: list[FormSection]
    free_findings: list[Finding]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)


def registry_facts(school_id: int) -> dict[str, dict]:
    """What the registry says about the school, shown beside the items it helps to answer."""
    working = {"status": EquipmentStatus.WORKING}
    cameras = Camera.objects.filter(school_id=school_id).aggregate(
        total=Count("id"),
        working=Count("id", filter=Q(**working)),
        linked=Count("id", filter=Q(linked_to_police=True)),
        shortest_archive=Min("archive_days"),
    )
    panic = PanicButton.objects.filter(school_id=school_id).aggregate(
        total=Count("id"),
        working=Count("id", filter=Q(**working)),
        connected=Count("id", filter=Q(**working) & ~Q(signal_to=SignalDestination.NONE)),
    )
    turnstiles = AccessPoint.objects.filter(school_id=school_id).aggregate(
        controlled=Count("id", filter=Q(has_turnstile=True) | Q(has_access_control=True)),
    )
    contract = (
        GuardContract.objects.filter(school_id=school_id, is_current=True)
        .select_related("firm")
        .values("in_house", "number", "valid_until", "firm__name", "firm__licence_no", "firm__licence_expiry")
        .first()
    )
    return {
        Prefill.CAMERAS: cameras,
        Prefill.ARCHIVE_DAYS: {"shortest_archive": cameras["shortest_archive"]},
        Prefill.PANIC_BUTTONS: panic,
        Prefill.TURNSTILES: turnstiles,
        Prefill.GUARD_CONTRACT: contract or {},
    }


def inspection_form(*, inspection: Inspection) -> InspectionForm:
    """Everything the inspection form shows, in a fixed number of queries whatever the number of items or
    photos. The inspection must already have been fetched through the scoping layer."""
    tier = inspection.school.size_tier
    sections = list(Section.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"))
    items = [
        item
        for item in Item.objects.filter(version_id=inspection.template_version_id).order_by("order", "id")
        if item.applies_to(tier)
    ]
    answers = {
        a.item_id: a for a in Answer.objects.filter(inspection=inspection).select_related("updated_by")
    }
    photos: dict[int | None, list[Photo]] = {}
    for photo in Photo.objects.filter(inspection=inspection):
        photos.setdefault(photo.item_id, []).append(photo)
    facts = registry_facts(inspection.school_id)
    by_section: dict[int, list[FormItem]] = {}
    for item in items:
        by_section.setdefault(item.section_id, []).append(
            FormItem(item, answers.get(item.pk), photos.get(item.pk, []), facts.get(item.prefill, {}))
        )
    form_sections = [FormSection(s, by_section[s.pk]) for s in sections if s.pk in by_section]
    free = list(Finding.objects.filter(inspection=inspection, item__isnull=True).prefetch_related("photos"))
    return InspectionForm(inspection, form_sections, free)


def inspection_events(*, inspection: Inspection) -> list[InspectionEvent]:
    return list(inspection.events.select_related("actor").order_by("at", "id"))


def inspection_findings(*, inspection: Inspection) -> list[Finding]:
    return list(
        Finding.objects.filter(inspection=inspection)
        .select_related("item")
        .prefetch_related("photos")
        .order_by("item__section__order", "item__order", "id")
    )
