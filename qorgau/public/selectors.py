"""Reads for the public pages and for the police's queue of concerns.

The public reads are the one place in Qorgau that starts from a bare `School.objects`: a school's public
page is for everyone. So that nothing else can leak through them, they never hand a model instance to a
template (whose attributes and relations would reach the head's phone, the equipment, the orders); they
select the few public columns with `values()` and return small frozen records holding exactly what the
public pages may show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from qorgau.accounts import policy
from qorgau.accounts.scoping import visible
from qorgau.inspections.models import Inspection
from qorgau.orders.models import Order, OrderItem
from qorgau.public.models import Concern, ConcernEvent
from qorgau.registry.models import School
from qorgau.registry.selectors import school_search

SEARCH_MIN_LENGTH = 2
PUBLIC_PAGE_SIZE = 20
_SCHOOL_FIELDS = ("bin", "name_ru", "name_kk", "address", "district__name_ru", "district__name_kk")
_DISTRICT_EN = "district__name_en"


def school_year_start(today: dt.date | None = None) -> dt.date:
    """The school year runs from 1 September to 31 August."""
    today = today or timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return dt.date(year, 9, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _localised(row: dict, prefix: str = "") -> str:
    lang = (get_language() or "ru")[:2]
    return row.get(f"{prefix}name_{lang}") or row[f"{prefix}name_ru"]


@dataclass(frozen=True)
class PublicSchool:
    bin: str
    name: str
    district: str
    address: str


@dataclass(frozen=True)
class PublicSummary:
    """What a parent may know about a school's safety checks: whether, not what."""

    school: PublicSchool
    inspected_this_year: bool
    last_inspected_on: dt.date | None
    had_orders: bool
    items_in_progress: int


@dataclass(frozen=True)
class PublicStatus:
    reference: str
    status: str
    status_label: str
    received_on: dt.date


def _public_school(row: dict) -> PublicSchool:
    return PublicSchool(
        bin=row["bin"],
        name=_localised(row),
        district=_localised(row, "district__") if "district__name_ru" in row else "",
        address=row["address"],
    )


def _rows(qs: QuerySet[School]) -> QuerySet:
    return qs.values(*_SCHOOL_FIELDS, _DISTRICT_EN)


def public_school_search(*, q: str, page_number=None) -> Page | None:
    """A page of schools whose name (Russian or Kazakh) or BIN matches; None before anything is typed."""
    q = (q or "").strip()
    if len(q) < SEARCH_MIN_LENGTH:
        return None
    qs = school_search(School.objects.all(), q).order_by("name_ru", "id")
    page = Paginator(_rows(qs), PUBLIC_PAGE_SIZE).get_page(page_number)
    page.object_list = [_public_school(row) for row in page.object_list]
    return page


def public_school_summary(*, bin: str) -> PublicSummary | None:
    """The public summary of one school, or None when no school has this BIN. A fixed four queries."""
    row = School.objects.filter(bin=bin).values("id", *_SCHOOL_FIELDS, _DISTRICT_EN).first()
    if row is None:
        return None
    last = Inspection.objects.filter(school_id=row["id"], status=Inspection.Status.APPROVED).aggregate(
        last=Max("approved_at")
    )["last"]
    # Items of issued orders still being fixed: open, or reported and awaiting the inspector's check.
    in_progress = OrderItem.objects.filter(
        order__school_id=row["id"],
        order__status=Order.Status.ISSUED,
        status__in=[OrderItem.Status.OPEN, OrderItem.Status.REPORTED],
    ).count()
    had_orders = Order.objects.filter(
        school_id=row["id"], status__in=[Order.Status.ISSUED, Order.Status.CLOSED]
    ).exists()
    return PublicSummary(
        school=_public_school(row),
        inspected_this_year=last is not None and last >= _aware(school_year_start()),
        last_inspected_on=timezone.localdate(last) if last else None,
        had_orders=had_orders,
        items_in_progress=in_progress,
    )


def public_concern_status(*, reference: str) -> PublicStatus | None:
    row = Concern.objects.filter(reference=reference).values("reference", "status", "created_at").first()
    if row is None:
        return None
    return PublicStatus(
        reference=row["reference"],
        status=row["status"],
        status_label=str(Concern.Status(row["status"]).label),
        received_on=timezone.localdate(row["created_at"]),
    )


def public_school_for_concern(*, bin: str) -> School | None:
    """The school a concern is about (for the service only; never given to a template)."""
    return School.objects.filter(bin=bin).only("id", "district_id", "bin").first()


# The police's queue -------------------------------------------------------------------------------------


def concern_list(*, user, status: str = "") -> QuerySet[Concern]:
    """The concerns the user may read, newest first; one query per page."""
    if not policy.can_read_concerns(user):
        return Concern.objects.none()
    qs = visible(user, Concern).select_related("school", "district", "inspection")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def concern_new_count(*, user) -> int:
    return concern_list(user=user, status=Concern.Status.RECEIVED).count()


def concern_events(*, user, concern: Concern) -> QuerySet[ConcernEvent]:
    return visible(user, ConcernEvent).filter(concern=concern).select_related("actor").order_by("at", "id")
