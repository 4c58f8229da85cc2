"""Public API: a school's public summary and parents' concerns, and the police's queue of concerns.

The `/public/…` operations need no token, as the public pages need no sign-in, and carry exactly what those
pages show: they serialise the small records of the public selectors, never a model instance, so nothing
else can reach the answer. A school is named by its BIN and a concern by its reference number, never by an
internal id. Sending a concern is throttled per sender address by the same service as the page (429).

The `/concerns…` operations are the police's queue: as on the pages, the role is checked before anything is
looked up (403 for the school, its guards and the education department), the concern comes through the
scoping layer (404 outside the district), and the services decide what its state allows (409).
"""

# No `from __future__ import annotations`: ninja reads the annotations at runtime.
from datetime import date, datetime

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from qorgau.accounts import policy
from qorgau.accounts.api import Message
from qorgau.accounts.scoping import get_visible_or_404
from qorgau.core.api_schema import MAX_PAGE, STRICT, choice
from qorgau.core.errors import NotAllowed
from qorgau.core.net import client_ip
from qorgau.inspections.api import SchoolRefOut
from qorgau.inspections.models import Inspection
from qorgau.public import selectors, services
from qorgau.public.models import (
    COMMENT_MAX_LENGTH,
    WHAT_MAX_LENGTH,
    WHAT_MIN_LENGTH,
    Concern,
    ConcernEvent,
    normalise_reference,
)
from qorgau.registry.api import DistrictRefOut

router = Router(tags=["public"])


# Public schemas: exactly the fields of the public selectors' records -------------------------------------


class PublicSchoolOut(Schema):
    bin: str
    name: str
    district: str
    address: str


class PublicSchoolPageOut(Schema):
    count: int = Field(description="Schools found in all.")
    page: int
    pages: int
    items: list[PublicSchoolOut]


class PublicSummaryOut(Schema):
    """Whether the school was checked and whether what the police asked for is fixed; never what."""

    school: PublicSchoolOut
    inspected_this_year: bool = Field(description="Results approved since 1 September.")
    last_inspected_on: date | None = Field(description="When the last approved results were approved.")
    had_orders: bool = Field(description="An order was ever issued to the school.")
    items_in_progress: int = Field(
        description="Items of issued orders still being fixed; 0 with had_orders: all orders fulfilled."
    )


class PublicStatusOut(Schema):
    reference: str
    status: choice(Concern.Status)
    status_label: str
    received_on: date


class ConcernReceivedOut(Schema):
    reference: str = Field(
        description="The only way to follow the concern: GET /public/concerns/{reference}."
    )


class PublicSearchIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)
    q: str = Field(
        min_length=selectors.SEARCH_MIN_LENGTH, max_length=100, description="Part of the name, or the BIN."
    )
    page: int = Field(
        1, ge=1, description=f"{selectors.PUBLIC_PAGE_SIZE} schools a page; past the last: the last."
    )


# Text fields default to "" so that a missing one reaches the service, which names it in its error.


class ConcernReportIn(Schema):
    model_config = STRICT
    what: str = Field(
        "",
        description=f"What worries you, {WHAT_MIN_LENGTH} to {WHAT_MAX_LENGTH} characters; "
        "please give no names.",
    )
    where: str = Field("", description="Where, e.g. the back gate; up to 200 characters.")
    when: str = Field("", description="When, e.g. every morning around 8:00; up to 100 characters.")
    contact: str = Field(
        "", description="Phone or e-mail, optional, up to 200 characters; only the district police see it."
    )


# Police schemas ----------------------------------------------------------------------------------------


class ConcernInspectionRef(Schema):
    id: int
    kind: choice(Inspection.Kind)
    status: choice(Inspection.Status)
    planned_on: date


class ConcernPersonOut(Schema):
    id: int
    name: str = Field(..., alias="display_name")


class ConcernEventOut(Schema):
    at: datetime
    action: choice(ConcernEvent.Action)
    actor: ConcernPersonOut | None = Field(description="null: the public reporter.")
    comment: str


class ConcernSummaryOut(Schema):
    id: int
    reference: str
    status: choice(Concern.Status)
    outcome: str = Field(description='"" while open, then "dismissed" or "resolved".')
    school: SchoolRefOut
    district: DistrictRefOut
    what: str
    created_at: datetime
    inspection: ConcernInspectionRef | None


class ConcernOut(ConcernSummaryOut):
    where: str
    when: str
    contact: str | None = Field(
        ..., alias="shown_contact", description="The reporter's contact: null unless the district's police."
    )
    updated_at: datetime
    events: list[ConcernEventOut] = Field(..., alias="event_list")


class ConcernFilters(Schema):
    status: choice(Concern.Status) | None = None


class ConcernNoteIn(Schema):
    model_config = STRICT
    comment: str = Field("", description=f"Up to {COMMENT_MAX_LENGTH} characters.")


class ConcernDismissIn(Schema):
    model_config = STRICT
    reason: str = Field("", description=f"Why, up to {COMMENT_MAX_LENGTH} characters.")


class ConcernCloseIn(Schema):
    model_config = STRICT
    comment: str = Field("", description=f"What was done, up to {COMMENT_MAX_LENGTH} characters.")


class ConcernInspectionIn(Schema):
    model_config = STRICT
    reason: str = Field(
        "", description="The school sees it once the results are approved: no reporter's details."
    )
    planned_on: date | None = Field(None, description="Today or later; today if not given.")


# The public side ---------------------------------------------------------------------------------------


@router.get("/public/schools", response=PublicSchoolPageOut, auth=None)
def public_school_search(request: HttpRequest, filters: Query[PublicSearchIn]):
    """Find a school by name (Russian or Kazakh) or BIN, as the public search page does."""
    page = selectors.public_school_search(q=filters.q, page_number=filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": page.object_list,
    }


@router.get("/public/schools/{bin}", response=PublicSummaryOut, auth=None)
def public_school_summary(request: HttpRequest, bin: str):
    """What the school's public page shows: whether it was checked this school year, and whether all
    that the police asked to fix is done."""
    summary = selectors.public_school_summary(bin=bin)
    if summary is None:
        raise Http404
    return summary


@router.post("/public/schools/{bin}/concerns", response={201: ConcernReceivedOut, 429: Message}, auth=None)
def public_concern_report(request: HttpRequest, bin: str, payload: ConcernReportIn):
    """Report a safety concern about the school to its district's police. The answer is the reference
    number, nothing else. Too many concerns from one address within the hour: 429, nothing written."""
    school = selectors.public_school_for_concern(bin=bin)
    if school is None:
        raise Http404
    try:
        concern = services.concern_report(
            school=school, what=payload.what, where=payload.where, when=payload.when,
            contact=payload.contact, ip=client_ip(request),
        )  # fmt: skip
    except services.Throttled as error:
        return Status(429, {"detail": str(error)})
    return Status(201, {"reference": concern.reference})


@router.get("/public/concerns/{reference}", response=PublicStatusOut, auth=None)
def public_concern_status(request: HttpRequest, reference: str):
    """A concern's status (received, in work, closed) by its reference number, in any case, with or
    without dashes; nothing else about it."""
    reference = normalise_reference(reference)
    found = selectors.public_concern_status(reference=reference) if reference else None
    if found is None:
        raise Http404
    return found


# The police's queue ------------------------------------------------------------------------------------


def _allow(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("Only the police may read parents' concerns."))


def _concern(request: HttpRequest, concern_id: int) -> Concern:
    _allow(policy.can_read_concerns(request.user))
    return get_visible_or_404(
        request.user, Concern.objects.select_related("school", "district", "inspection"), pk=concern_id
    )


def _concern_out(request: HttpRequest, concern_id: int) -> Concern:
    """The concern with its history, and the reporter's contact for those who may see it."""
    concern = _concern(request, concern_id)
    may_see = policy.can_see_reporter_contact(request.user, concern)
    concern.shown_contact = concern.contact if may_see else None
    concern.event_list = list(selectors.concern_events(user=request.user, concern=concern))
    return concern


def _triage(request: HttpRequest, concern_id: int) -> Concern:
    # The role before the lookup, as on the page: a role that may not act is refused whatever the id,
    # so its answer tells nothing about which concerns exist.
    if not policy.can_triage_concerns(request.user):
        raise NotAllowed(_("Only the district's police may act on a concern."))
    return _concern(request, concern_id)


@router.get("/concerns", response={200: list[ConcernSummaryOut], 403: Message})
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def concern_list(request: HttpRequest, filters: Query[ConcernFilters]):
    """Parents' concerns of the caller's district (the city: all), the newest first."""
    _allow(policy.can_read_concerns(request.user))
    return selectors.concern_list(user=request.user, status=filters.status or "")


@router.get("/concerns/{concern_id}", response={200: ConcernOut, 403: Message})
def concern_get(request: HttpRequest, concern_id: int):
    return _concern_out(request, concern_id)


@router.post("/concerns/{concern_id}/note", response=ConcernOut)
def concern_note(request: HttpRequest, concern_id: int, payload: ConcernNoteIn):
    """A note in the concern's history; a new concern is now in work. A closed one takes notes too."""
    services.concern_note(actor=request.user, concern=_triage(request, concern_id), comment=payload.comment)
    return _concern_out(request, concern_id)


@router.post("/concerns/{concern_id}/dismiss", response=ConcernOut)
def concern_dismiss(request: HttpRequest, concern_id: int, payload: ConcernDismissIn):
    """Close without action (not a safety matter, a duplicate, not this school), saying why."""
    services.concern_dismiss(actor=request.user, concern=_triage(request, concern_id), reason=payload.reason)
    return _concern_out(request, concern_id)


@router.post("/concerns/{concern_id}/close", response=ConcernOut)
def concern_close(request: HttpRequest, concern_id: int, payload: ConcernCloseIn):
    """Close as dealt with, saying what was done."""
    services.concern_close(actor=request.user, concern=_triage(request, concern_id), comment=payload.comment)
    return _concern_out(request, concern_id)


@router.post("/concerns/{concern_id}/inspection", response={201: ConcernOut})
def concern_inspection(request: HttpRequest, concern_id: int, payload: ConcernInspectionIn):
    """Start an unplanned inspection of the school because of the concern; the concern is in work and
    links to it (`inspection`)."""
    services.concern_start_inspection(
        actor=request.user,
        concern=_triage(request, concern_id),
        reason=payload.reason,
        planned_on=payload.planned_on,
    )
    return Status(201, _concern_out(request, concern_id))
