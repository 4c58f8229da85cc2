"""Reads for campaigns and inspections. Every selector takes the user and starts from the scoping layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from qorgau.accounts.scoping import scope_for, visible
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
from qorgau.registry.selectors import school_search


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
        qs = school_search(qs, q, prefix="school__")
    # A correlated count runs for the page's rows only; a grouped Count would group every inspection first.
    findings = (
        Finding.objects.filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(findings_count=Coalesce(Subquery(findings), 0)).order_by(
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
    free_photos: list[Photo] = field(default_factory=list)  # photos not tied to an item

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
    return InspectionForm(inspection, form_sections, free, photos.get(None, []))


def inspection_progress(*, inspection: Inspection) -> list[FormSection]:
    """Answered and total per section: three queries. The inspection (with its school) must already
    have been fetched through the scoping layer."""
    tier = inspection.school.size_tier
    sections = list(Section.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"))
    answers = {
        a.item_id: a for a in Answer.objects.filter(inspection=inspection).only("id", "item_id", "result")
    }
    by_section: dict[int, list[FormItem]] = {}
    for item in Item.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"):
        if item.applies_to(tier):
            by_section.setdefault(item.section_id, []).append(FormItem(item, answers.get(item.pk)))
    return [FormSection(s, by_section[s.pk]) for s in sections if s.pk in by_section]


def inspection_events(*, inspection: Inspection) -> list[InspectionEvent]:
    return list(inspection.events.select_related("actor").order_by("at", "id"))


def inspection_findings(*, inspection: Inspection) -> list[Finding]:
    return list(
        Finding.objects.filter(inspection=inspection)
        .select_related("item")
        .prefetch_related("photos")
        .order_by("item__section__order", "item__order", "id")
    )


# Planning and review pages --------------------------------------------------------------------------------


def district_inspectors(*, user, district_id: int | None = None) -> QuerySet:
    """Who may be assigned an inspection in a district: its inspectors and its chief, active users whose
    organisation is the district police office. A district user gets their own district whatever is asked;
    a city user names the district; anyone else gets nobody."""
    from qorgau.accounts.models import OrgKind, Role, User

    scope = scope_for(user)
    if scope.level == "district":
        district_id = scope.district_id
    elif scope.level != "city" or not district_id:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        role__in=[Role.INSPECTOR, Role.DISTRICT_CHIEF],
        organisation__kind=OrgKind.DISTRICT_POLICE,
        organisation__district_id=district_id,
    ).order_by("last_name", "first_name", "username")


# The sections of an inspector's "My inspections", in the order they are shown.
BUCKET_RETURNED, BUCKET_OVERDUE, BUCKET_TODAY, BUCKET_UPCOMING, BUCKET_SUBMITTED, BUCKET_DONE = range(6)


def _bucket(today) -> Case:
    open_statuses = [Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS]
    return Case(
        When(status=Inspection.Status.RETURNED, then=Value(BUCKET_RETURNED)),
        When(status=Inspection.Status.SUBMITTED, then=Value(BUCKET_SUBMITTED)),
        When(status=Inspection.Status.APPROVED, then=Value(BUCKET_DONE)),
        When(status__in=open_statuses, planned_on__lt=today, then=Value(BUCKET_OVERDUE)),
        When(planned_on=today, then=Value(BUCKET_TODAY)),
        default=Value(BUCKET_UPCOMING),
        output_field=IntegerField(),
    )


def inspection_rows(
    *,
    user,
    mine: bool = False,
    inspector=None,
    open_only: bool = False,
    unassigned: bool = False,
    district_id: int | None = None,
    status: str = "",
    campaign_id: int | None = None,
    q: str = "",
    approved_in=None,
) -> QuerySet[Inspection]:
    """The inspection list page. `mine`: the user's own inspections grouped by what needs doing
    (returned, overdue, today, upcoming, awaiting approval), each by date; otherwise newest dates first,
    inspections without a date last. `approved_in`: a dashboard's filters, narrowing to what it counted."""
    today = timezone.localdate()
    qs = inspection_list(
        user=user, inspector=user if mine else inspector, status=status, campaign_id=campaign_id, q=q
    )
    if open_only:
        qs = qs.exclude(status=Inspection.Status.APPROVED)
    if unassigned:
        qs = qs.filter(inspector__isnull=True)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if approved_in is not None:
        from qorgau.oversight.selectors import approved_inspections

        qs = approved_inspections(qs, approved_in)
    qs = qs.annotate(bucket=_bucket(today))
    if mine:
        return qs.order_by("bucket", F("planned_on").asc(nulls_last=True), "school__name_ru", "id")
    return qs.order_by(F("planned_on").desc(nulls_last=True), "school__name_ru", "id")


def campaign_overview(*, user) -> QuerySet[Campaign]:
    """Campaigns with their progress counted over the inspections the user may see: a district office
    sees its own district's share of a city-wide campaign."""
    inspections = visible(user, Inspection).filter(campaign=OuterRef("pk")).order_by().values("campaign")

    # Counted by the campaign column (never empty here): the database answers from the progress index alone.
    def count(qs):
        counted = qs.annotate(c=Count("campaign")).values("c")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return (
        visible(user, Campaign)
        .select_related("template_version__template")
        .prefetch_related("districts")
        .annotate(
            inspections_total=count(inspections),
            inspections_done=count(inspections.filter(status=Inspection.Status.APPROVED)),
        )
        .order_by("-starts_on", "id")
    )


def campaign_inspections(
    *, user, campaign: Campaign, status: str = "", unassigned: bool = False, district_id: int | None = None
) -> QuerySet[Inspection]:
    """The campaign's planned inspections the user may see, school by school."""
    qs = visible(user, Inspection).filter(campaign=campaign).select_related("school", "district", "inspector")
    if status:
        qs = qs.filter(status=status)
    if unassigned:
        qs = qs.filter(inspector__isnull=True)
    if district_id:
        qs = qs.filter(district_id=district_id)
    return qs.order_by("district__name_ru", "school__name_ru", "id")


def campaign_district_counts(*, user, campaign: Campaign) -> list:
    """Per district of the campaign (those the user may see): schools, unassigned, submitted, approved.

    The campaign's inspections are counted on their own, grouped by district, from the campaign progress
    index; joined to the districts instead, every district's whole history was read to find the campaign's."""
    from qorgau.registry.models import District

    districts = list(visible(user, District).filter(campaigns=campaign).order_by("name_ru", "id"))
    counted = "campaign"  # never empty here: counts from the index alone
    counts = {
        row["district_id"]: row
        for row in visible(user, Inspection)
        .filter(campaign=campaign)
        .order_by()
        .values("district_id")
        .annotate(
            total=Count(counted),
            unassigned=Count(counted, filter=Q(inspector__isnull=True)),
            submitted=Count(counted, filter=Q(status=Inspection.Status.SUBMITTED)),
            approved=Count(counted, filter=Q(status=Inspection.Status.APPROVED)),
        )
    }
    for district in districts:
        row = counts.get(district.pk, {})
        for name in ("total", "unassigned", "submitted", "approved"):
            setattr(district, name, row.get(name, 0))
    return districts


def school_inspections(*, user, school, limit: int = 20) -> list[Inspection]:
    """The school's inspections the user may see, newest first, for the passport page. One query."""
    return list(
        visible(user, Inspection)
        .filter(school=school)
        .select_related("district")
        .annotate(findings_count=Count("findings", distinct=True))
        .order_by(F("planned_on").desc(nulls_last=True), "-id")[:limit]
    )


@dataclass
class Review:
    """What the inspection's review page shows."""

    sections: list[FormSection]
    findings: list[Finding]
    events: list[InspectionEvent]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def amendments(self) -> list[InspectionEvent]:
        return [e for e in self.events if e.action == InspectionEvent.Action.AMENDED]

    @property
    def last_return(self) -> InspectionEvent | None:
        returns = [e for e in self.events if e.action == InspectionEvent.Action.RETURNED]
        return returns[-1] if returns else None


def inspection_review(*, inspection: Inspection) -> Review:
    """Sections with their items and answers, findings with photos and the status history, in a fixed
    number of queries. The inspection must already have been fetched through the scoping layer."""
    tier = inspection.school.size_tier
    sections = list(Section.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"))
    answers = {
        a.item_id: a for a in Answer.objects.filter(inspection=inspection).select_related("updated_by")
    }
    by_section: dict[int, list[FormItem]] = {}
    for item in Item.objects.filter(version_id=inspection.template_version_id).order_by("order", "id"):
        if item.applies_to(tier):
            by_section.setdefault(item.section_id, []).append(FormItem(item, answers.get(item.pk)))
    return Review(
        sections=[FormSection(s, by_section[s.pk]) for s in sections if s.pk in by_section],
        findings=inspection_findings(inspection=inspection),
        events=inspection_events(inspection=inspection),
    )
