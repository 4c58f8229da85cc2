"""Campaigns and inspections API: the same services and the same scoping layer as the pages.

Every endpoint under /inspections/{inspection_id} first fetches the inspection through the scoping layer, so
an inspection of another district, of another school, or of one's own school before approval is answered
404 exactly like one that does not exist. Writes go through `services` (and `photos`), which check the
role's policy (403) and the inspection's state (409).

Objects named by id in a body (`school_id`, `inspector_id`, `district_ids`, `photo_ids`) are looked up
through the scoping layer too; services name those fields by relation, so their errors are renamed to what
the client sent.
"""

# No `from __future__ import annotations`: ninja reads the annotations at runtime.
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from qorgau.accounts import policy
from qorgau.accounts.models import User
from qorgau.accounts.scoping import get_visible_or_404, visible
from qorgau.checklists.models import Item, Severity, TemplateVersion
from qorgau.core.api_schema import MAX_PAGE, STRICT, choice
from qorgau.core.errors import NotAllowed
from qorgau.inspections import photos, selectors, services
from qorgau.inspections.documents import DOCUMENT_LANGUAGES
from qorgau.inspections.models import Answer, Campaign, Finding, Inspection, InspectionEvent, Photo
from qorgau.registry.models import District, School

router = Router(tags=["inspections"])

# A campaign plans a district's schools at once; one assignment may cover all of them.
MAX_ASSIGN = 2000


class StrictSchema(Schema):
    model_config = STRICT


# Schemas: output -------------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    display_name: str
    position: str


class SchoolRefOut(Schema):
    id: int
    name: str
    name_ru: str
    name_kk: str
    bin: str


class CampaignOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    template_version_id: int
    template_version: str
    district_ids: list[int] = Field(description="The campaign's districts the caller may see.")
    inspections_total: int = Field(description="Inspections of the campaign the caller may see.")
    inspections_done: int = Field(description="Of those, the approved ones.")
    created_at: datetime

    @staticmethod
    def resolve_template_version(obj: Campaign) -> str:
        return f"{obj.template_version.template.name} v{obj.template_version.number}"

    @staticmethod
    def resolve_district_ids(obj: Campaign) -> list[int]:
        return [d.pk for d in obj.districts.all()]


class InspectionOut(Schema):
    id: int
    school: SchoolRefOut
    district_id: int
    campaign_id: int | None
    campaign_name: str | None
    kind: choice(Inspection.Kind)
    status: choice(Inspection.Status)
    planned_on: date | None
    inspector: PersonOut | None
    started_at: datetime | None
    submitted_at: datetime | None
    approved_at: datetime | None
    act_number: str = Field(description="Given when the results are approved; empty until then.")
    findings_count: int

    @staticmethod
    def resolve_campaign_name(obj: Inspection) -> str | None:
        return obj.campaign.name if obj.campaign_id else None


class ProgressOut(Schema):
    answered: int
    total: int


class InspectionDetailOut(InspectionOut):
    reason: str
    template_version_id: int
    co_inspectors: list[PersonOut]
    approved_by: PersonOut | None
    progress: ProgressOut
    act_urls: dict[str, str] = Field(description="The act of results as PDF by language, once approved.")

    @staticmethod
    def resolve_co_inspectors(obj: Inspection) -> list[User]:
        return list(obj.co_inspectors.all())

    @staticmethod
    def resolve_act_urls(obj: Inspection) -> dict[str, str]:
        if obj.status != Inspection.Status.APPROVED:
            return {}
        return {lang: reverse("inspections:act_pdf", args=[obj.pk, lang]) for lang in DOCUMENT_LANGUAGES}


class AnswerOut(Schema):
    item_id: int
    value: dict[str, Any]
    result: str = Field(description="pass, fail, na, or empty while the answer is incomplete.")
    auto_result: str
    summary: str
    comment: str
    override_reason: str
    is_overridden: bool
    version: int = Field(description="Send it back with the next change of this answer.")
    updated_at: datetime
    updated_by: str | None

    @staticmethod
    def resolve_updated_by(obj: Answer) -> str | None:
        return obj.updated_by.display_name if obj.updated_by else None


class ConflictOut(Schema):
    """A 409: the answer was saved by someone else since (`current` holds it), or the inspection's state no
    longer lets it be edited (only `detail`)."""

    detail: str
    current: AnswerOut | None = Field(
        None,
        description="The answer as it is now, saved by someone else; absent when the state refuses the edit.",
    )


class ItemOut(Schema):
    id: int
    code: str
    section_code: str
    section_title: str
    text: str
    text_ru: str
    text_kk: str
    legal_ref: str
    severity: str
    answer_kind: str
    threshold: float | None
    max_age_days: int | None
    prefill: dict[str, Any] = Field(description="What the registry says about the school for this item.")
    photo_ids: list[int]
    answer: AnswerOut | None


class PhotoUrlsOut(Schema):
    file: str
    thumbnail: str


class PhotoOut(Schema):
    id: int
    item_id: int | None
    sha256: str = Field(description="SHA-256 of the file as uploaded.")
    width: int
    height: int
    size: int
    content_type: str
    uploaded_at: datetime
    latitude: float | None
    longitude: float | None
    accuracy_m: int | None
    caption: str
    urls: PhotoUrlsOut

    @staticmethod
    def resolve_sha256(obj: Photo) -> str:
        return obj.original_sha256

    @staticmethod
    def resolve_urls(obj: Photo) -> dict[str, str]:
        args = [obj.inspection_id, obj.pk]
        return {
            "file": reverse("inspections:photo_file", args=args),
            "thumbnail": reverse("inspections:photo_thumb", args=args),
        }


class FindingOut(Schema):
    id: int
    item_id: int | None
    item_code: str | None
    severity: str
    text: str
    location: str
    legal_ref: str
    photo_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_item_code(obj: Finding) -> str | None:
        return obj.item.code if obj.item_id else None

    @staticmethod
    def resolve_photo_ids(obj: Finding) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class EventOut(Schema):
    id: int
    at: datetime
    actor: str | None
    action: str
    action_label: str
    comment: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: InspectionEvent) -> str | None:
        return obj.actor.display_name if obj.actor else None

    @staticmethod
    def resolve_action_label(obj: InspectionEvent) -> str:
        return str(obj.get_action_display())


class AssignOut(Schema):
    assigned: int


# Schemas: input --------------------------------------------------------------------------------------------


class CampaignIn(StrictSchema):
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    district_ids: list[int] = Field(min_length=1, max_length=50)
    template_version_id: int | None = Field(None, description="Default: the latest published version.")


class InspectionFilters(Schema):
    status: choice(Inspection.Status) | None = None
    campaign: int | None = None
    school: int | None = None
    mine: bool = Field(False, description="Only inspections where the caller is an inspector.")


class InspectionIn(StrictSchema):
    school_id: int
    kind: choice(Inspection.Kind) = Inspection.Kind.ADHOC
    reason: str = Field("", max_length=4000)
    planned_on: date | None = None
    inspector_id: int | None = None


class AssignIn(StrictSchema):
    ids: list[int] = Field(min_length=1, max_length=MAX_ASSIGN)
    inspector_id: int
    planned_on: date | None = None


class AnswerIn(StrictSchema):
    value: dict[str, Any] = Field(
        default_factory=dict,
        description="The answer kind's fields, e.g. {'value': 'yes'}; a panic button test: received, "
        "pressed_at, acknowledged_at, arrived_at; a camera survey: total, working, zones_not_covered; "
        "an entry test: stopped, notes; a staff interview: asked, correct.",
    )
    comment: str | None = Field(None, max_length=4000)
    override_result: Literal["", "pass", "fail", "na"] = ""
    override_reason: str = Field("", max_length=500)
    version: int = Field(ge=0, description="The answer's version the change is based on; 0 for a new answer.")


class FindingIn(StrictSchema):
    severity: Severity
    text: str = Field(max_length=4000)
    location: str = Field("", max_length=300)
    legal_ref: str = Field("", max_length=300)
    photo_ids: list[int] = Field(default_factory=list, max_length=100)


class CommentIn(StrictSchema):
    comment: str = Field("", max_length=4000)


# Lookups ---------------------------------------------------------------------------------------------------


def _inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    return get_visible_or_404(
        request.user, Inspection.objects.select_related("school", "district"), pk=inspection_id
    )


def _inspection_out(request: HttpRequest, inspection_id: int) -> Inspection:
    """An inspection in the detail's shape: the list's columns plus people and progress."""
    qs = selectors.inspection_list(user=request.user).select_related("approved_by")
    inspection = get_visible_or_404(request.user, qs.prefetch_related("co_inspectors"), pk=inspection_id)
    sections = selectors.inspection_progress(inspection=inspection)
    inspection.progress = {
        "answered": sum(s.answered for s in sections),
        "total": sum(len(s.items) for s in sections),
    }
    return inspection


def _campaigns(request: HttpRequest):
    # Only the campaign's districts the caller may see: a district office sees its own among them.
    districts = Prefetch("districts", queryset=visible(request.user, District).order_by("name_ru"))
    return selectors.campaign_overview(user=request.user).prefetch_related(None).prefetch_related(districts)


def _inspector(inspector_id: int | None, field: str) -> User | None:
    """The user named as inspector; whether they may inspect there is the service's check."""
    if inspector_id is None:
        return None
    user = User.objects.select_related("organisation").filter(pk=inspector_id).first()
    if user is None:
        raise ValidationError({field: _("Choose an inspector of this district.")})
    return user


@contextmanager
def _fields(**names: str) -> Iterator[None]:
    """Service errors keyed by the names the client sent (`school` → `school_id`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(key, key): errors for key, errors in error.error_dict.items()}
        ) from None


# The answer's own fields are at the top of the body; everything else a service names is in `value`.
ANSWER_FIELDS = {"comment", "override_result", "override_reason", "item", NON_FIELD_ERRORS}


@contextmanager
def _answer_fields() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {
            key if key in ANSWER_FIELDS else f"value.{key}": errors
            for key, errors in error.error_dict.items()
        }
        raise ValidationError(renamed) from None


# Campaigns -------------------------------------------------------------------------------------------------


@router.get("/campaigns", response=list[CampaignOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def campaign_list(request: HttpRequest):
    """Campaigns over the caller's area, newest first, with progress over the inspections they may see."""
    return _campaigns(request)


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_get(request: HttpRequest, campaign_id: int):
    return get_visible_or_404(request.user, _campaigns(request), pk=campaign_id)


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request: HttpRequest, payload: CampaignIn):
    """A campaign plans an inspection for every school of its districts (the city supervisor's)."""
    ids = set(payload.district_ids)
    districts = list(visible(request.user, District).filter(pk__in=ids))
    if len(districts) != len(ids):
        raise ValidationError({"district_ids": _("There is no such district.")})
    version = None
    if payload.template_version_id is not None:
        version = visible(request.user, TemplateVersion).filter(pk=payload.template_version_id).first()
        if version is None:
            raise ValidationError({"template_version_id": _("Choose a published checklist version.")})
    with _fields(districts="district_ids", template_version="template_version_id"):
        version = version or services.latest_published_version()
        campaign = services.campaign_create(
            actor=request.user, name=payload.name, starts_on=payload.starts_on, ends_on=payload.ends_on,
            districts=districts, template_version=version,
        )  # fmt: skip
    return Status(201, get_visible_or_404(request.user, _campaigns(request), pk=campaign.pk))


# Inspections -----------------------------------------------------------------------------------------------


@router.get("/inspections", response=list[InspectionOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]):
    return selectors.inspection_list(
        user=request.user,
        status=filters.status or "",
        inspector=request.user if filters.mine else None,
        campaign_id=filters.campaign,
        school_id=filters.school,
    )


@router.post("/inspections", response={201: InspectionDetailOut})
def inspection_create(request: HttpRequest, payload: InspectionIn):
    """An unplanned or follow-up inspection of one school."""
    # The role first: the ids of someone who may not create inspections are not looked up at all (an
    # inspector id that exists somewhere would otherwise be told apart from one that does not).
    if not policy.can_create_inspection(request.user):
        raise NotAllowed(_("You may not create inspections."))
    school = visible(request.user, School).filter(pk=payload.school_id).first()
    if school is None:
        raise ValidationError({"school_id": _("Choose a school of your district.")})
    with _fields(school="school_id", inspector="inspector_id", template_version="template_version_id"):
        inspection = services.inspection_create(
            actor=request.user, school=school, kind=payload.kind, reason=payload.reason,
            planned_on=payload.planned_on, inspector=_inspector(payload.inspector_id, "inspector_id"),
        )  # fmt: skip
    return Status(201, _inspection_out(request, inspection.pk))


@router.post("/inspections/assign", response=AssignOut)
def inspections_assign(request: HttpRequest, payload: AssignIn):
    """Assign an inspector (and a date) to several inspections at once."""
    # The role first, as in inspection_create: no lookup of the ids for someone who may not assign.
    if not policy.can_assign_inspectors(request.user):
        raise NotAllowed(_("You may not assign inspectors."))
    inspector = _inspector(payload.inspector_id, "inspector_id")
    # The service fetches them again through the scoping layer, locked, and refuses any it cannot see.
    chosen = [Inspection(pk=pk) for pk in dict.fromkeys(payload.ids)]
    with _fields(inspections="ids", inspector="inspector_id"):
        count = services.inspections_assign(
            actor=request.user, inspections=chosen, inspector=inspector, planned_on=payload.planned_on
        )
    return {"assigned": count}


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def inspection_get(request: HttpRequest, inspection_id: int):
    return _inspection_out(request, inspection_id)


# Answering -------------------------------------------------------------------------------------------------


def _item_out(entry: selectors.FormItem) -> dict[str, Any]:
    item = entry.item
    return {
        "id": item.pk,
        "code": item.code,
        "section_code": item.section.code,
        "section_title": item.section.title,
        "text": item.text,
        "text_ru": item.text_ru,
        "text_kk": item.text_kk,
        "legal_ref": item.legal_ref,
        "severity": item.severity,
        "answer_kind": item.answer_kind,
        "threshold": item.threshold,
        "max_age_days": item.max_age_days,
        "prefill": entry.prefill or {},
        "photo_ids": [p.pk for p in entry.photos],
        "answer": entry.answer,
    }


@router.get("/inspections/{inspection_id}/items", response=list[ItemOut])
def item_list(request: HttpRequest, inspection_id: int):
    """The checklist items that apply to the school, in order, each with its current answer (or null)."""
    inspection = _inspection(request, inspection_id)
    form = selectors.inspection_form(inspection=inspection)
    sections = {s.section.pk: s.section for s in form.sections}
    entries = [entry for s in form.sections for entry in s.items]
    for entry in entries:
        entry.item.section = sections[entry.item.section_id]  # already read: no query per item
    return [_item_out(entry) for entry in entries]


@router.put("/inspections/{inspection_id}/answers/{item_id}", response={200: AnswerOut, 409: ConflictOut})
def answer_save(request: HttpRequest, inspection_id: int, item_id: int, payload: AnswerIn):
    """Save one answer. `version` is the answer's version the change is based on (0 for a new answer);
    if someone saved it since, nothing is overwritten: 409 with their answer in `current`. An inspection that
    can no longer be edited (submitted, approved) answers 409 with `detail` only."""
    inspection = _inspection(request, inspection_id)
    # The item is reached through the inspection: an item of another checklist is not found here.
    item = Item.objects.filter(version_id=inspection.template_version_id, pk=item_id).first()
    if item is None:
        raise Http404
    try:
        with _answer_fields():
            answer = services.answer_save(
                actor=request.user, inspection=inspection, item=item, raw=payload.value,
                base_version=payload.version, comment=payload.comment,
                override_result=payload.override_result, override_reason=payload.override_reason,
            )  # fmt: skip
    except services.EditConflict as conflict:
        current = conflict.current if conflict.current.pk else None
        return Status(409, {"detail": str(conflict), "current": current})
    return answer


# Photos and findings ---------------------------------------------------------------------------------------


@router.post("/inspections/{inspection_id}/photos", response={201: PhotoOut})
def photo_upload(
    request: HttpRequest,
    inspection_id: int,
    photo: File[UploadedFile],
    item_id: Form[int | None] = None,
    latitude: Form[str] = "",
    longitude: Form[str] = "",
    accuracy: Form[str] = "",
    caption: Form[str] = "",
):
    """A photo (multipart) as evidence, optionally for one item, with the browser's location if known.
    Checked by content; stored re-encoded without metadata; its SHA-256 is of the file as sent."""
    inspection = _inspection(request, inspection_id)
    item = None
    if item_id is not None:
        item = Item.objects.filter(version_id=inspection.template_version_id, pk=item_id).first()
        if item is None:
            raise ValidationError({"item_id": _("This item is not part of this inspection's checklist.")})
    # One byte over the limit is enough for the service to refuse a file that is too large.
    data = photo.read(settings.PHOTO_MAX_BYTES + 1)
    with _fields(item="item_id"):
        stored = photos.photo_add(
            actor=request.user, inspection=inspection, data=data, item=item, latitude=latitude,
            longitude=longitude, accuracy=accuracy, caption=caption,
        )  # fmt: skip
    return Status(201, stored)


@router.get("/inspections/{inspection_id}/findings", response=list[FindingOut])
def finding_list(request: HttpRequest, inspection_id: int):
    """Findings in checklist order: those from failed items (made on submit) and the inspector's own."""
    return selectors.inspection_findings(inspection=_inspection(request, inspection_id))


@router.post("/inspections/{inspection_id}/findings", response={201: FindingOut})
def finding_add(request: HttpRequest, inspection_id: int, payload: FindingIn):
    """A finding not tied to a checklist item, with photos of this inspection."""
    inspection = _inspection(request, inspection_id)
    ids = set(payload.photo_ids)
    chosen = list(visible(request.user, Photo).filter(inspection=inspection, pk__in=ids))
    if len(chosen) != len(ids):
        raise ValidationError({"photo_ids": _("Choose photos of this inspection.")})
    finding = services.finding_add(
        actor=request.user, inspection=inspection, severity=payload.severity, text=payload.text,
        location=payload.location, legal_ref=payload.legal_ref, photos=chosen,
    )  # fmt: skip
    return Status(201, finding)


# Submit, approve, return, history --------------------------------------------------------------------------


@router.post("/inspections/{inspection_id}/submit", response=InspectionDetailOut)
def inspection_submit(request: HttpRequest, inspection_id: int):
    """Send the results to the district chief; failed items become findings."""
    services.inspection_submit(actor=request.user, inspection=_inspection(request, inspection_id))
    return _inspection_out(request, inspection_id)


@router.post("/inspections/{inspection_id}/approve", response=InspectionDetailOut)
def inspection_approve(request: HttpRequest, inspection_id: int, payload: Body[CommentIn | None] = None):
    """The district chief approves the results; the act gets its number."""
    inspection = _inspection(request, inspection_id)
    comment = payload.comment if payload else ""
    services.inspection_approve(actor=request.user, inspection=inspection, comment=comment)
    return _inspection_out(request, inspection_id)


@router.post("/inspections/{inspection_id}/return", response=InspectionDetailOut)
def inspection_return(request: HttpRequest, inspection_id: int, payload: CommentIn):
    """The district chief returns the results for rework, saying what to rework."""
    inspection = _inspection(request, inspection_id)
    services.inspection_return(actor=request.user, inspection=inspection, comment=payload.comment)
    return _inspection_out(request, inspection_id)


@router.get("/inspections/{inspection_id}/events", response=list[EventOut])
def event_list(request: HttpRequest, inspection_id: int):
    """The status history: who did what, when and why, oldest first."""
    return selectors.inspection_events(inspection=_inspection(request, inspection_id))
