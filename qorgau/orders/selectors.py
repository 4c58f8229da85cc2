"""Reads for orders. Every selector takes the user and starts from the scoping layer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from qorgau.accounts.scoping import visible
from qorgau.orders.models import OPEN_ISSUED_ITEM, OPEN_STATUSES, Notification, Order, OrderItem, SchoolReport
from qorgau.registry.selectors import school_search


def _items_count(condition: Q | None = None):
    """How many of the order's items meet `condition`: a correlated count, run for the page's rows only
    (a grouped Count would group every order's items first)."""
    counted = (
        OrderItem.objects.filter(condition or Q(), order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def order_list(
    *, user, status: str = "", school_id: int | None = None, q: str = "", overdue_only: bool = False
) -> QuerySet[Order]:
    qs = visible(user, Order).select_related("school", "district", "inspection", "issued_by")
    if status:
        qs = qs.filter(status=status)
    if school_id:
        qs = qs.filter(school_id=school_id)
    if q:
        qs = school_search(qs, q, prefix="school__")

    qs = qs.annotate(
        items_total=_items_count(),
        items_open=_items_count(Q(status__in=OPEN_STATUSES)),
        items_overdue=_items_count(Q(status__in=OPEN_STATUSES, overdue_since__isnull=False)),
        items_reported=_items_count(Q(status=OrderItem.Status.REPORTED)),
    )
    if overdue_only:
        qs = qs.filter(items_overdue__gt=0)
    return qs.order_by("-issued_at", "-id")


def order_counts(*, user) -> dict[str, int]:
    """Orders in the user's area: drafts, open (issued), with overdue items, with reports to decide."""
    # Drafts and issued orders through the orders' status; orders with overdue or reported items by counting
    # the distinct orders of those open items (read through the items' status index).
    counts = (
        visible(user, Order)
        .filter(status__in=[Order.Status.DRAFT, Order.Status.ISSUED])
        .aggregate(
            drafts=Count("id", filter=Q(status=Order.Status.DRAFT)),
            open=Count("id", filter=Q(status=Order.Status.ISSUED)),
        )
    )
    counts |= (
        visible(user, OrderItem)
        .filter(OPEN_ISSUED_ITEM)
        .aggregate(
            overdue=Count("order_id", distinct=True, filter=Q(overdue_since__isnull=False)),
            reported=Count("order_id", distinct=True, filter=Q(status=OrderItem.Status.REPORTED)),
        )
    )
    return counts


def overdue_items(*, user) -> QuerySet[OrderItem]:
    """Open items past their deadline across the user's area, the longest overdue first."""
    return (
        visible(user, OrderItem)
        .filter(OPEN_ISSUED_ITEM, overdue_since__isnull=False)
        .select_related("order__school", "order__district", "referred_by")
        .order_by("deadline", "id")
    )


def verification_queue(*, user) -> QuerySet[SchoolReport]:
    """Reports from schools waiting for the police's decision."""
    return (
        visible(user, SchoolReport)
        # Only open items of issued orders have reports waiting: a school reports on what it was issued,
        # and settling an item (fixed or withdrawn) settles its reports. Saying so lets the database start
        # from the district's few open items instead of every item of the district.
        .filter(decision="", item__status__in=OPEN_STATUSES)
        .select_related("item__order__school", "item__order__district", "by")
        .prefetch_related("evidence")
        .order_by("at", "id")
    )


def school_items(*, user) -> QuerySet[OrderItem]:
    """What the school must fix: open items of its issued orders, by deadline."""
    pending_extension = SchoolReport.objects.filter(
        item=OuterRef("pk"), kind=SchoolReport.Kind.EXTENSION, decision=""
    )
    return (
        visible(user, OrderItem)
        .filter(status__in=OPEN_STATUSES, order__status=Order.Status.ISSUED)
        .select_related("order__school", "order__district")
        .annotate(extension_pending=Exists(pending_extension))
        .order_by("deadline", "order_id", "position")
    )


def days_left(item: OrderItem) -> int:
    return (item.deadline - timezone.localdate()).days


def order_detail(*, order: Order) -> dict:
    """The order's items with their reports and evidence, amendments and timeline, in a fixed number of
    queries. The order must already have been fetched through the scoping layer."""
    items = list(order.items.select_related("referred_by").order_by("position"))
    reports = list(
        SchoolReport.objects.filter(item__order=order)
        .select_related("by", "decided_by")
        .prefetch_related("evidence")
    )
    by_item: dict[int, list[SchoolReport]] = {}
    for report in reports:
        by_item.setdefault(report.item_id, []).append(report)
    for item in items:
        item.report_list = by_item.get(item.pk, [])
    return {
        "items": items,
        # Through the order's own managers, so each row's `order` is this order (its number needs no query).
        "amendments": list(order.amendments.select_related("by", "item")),
        "events": list(order.events.select_related("actor", "item").order_by("at", "id")),
    }


def notifications(*, user) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("order", "item")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# The school's side (views_school) -------------------------------------------------------------------------


def school_orders_to_acknowledge(*, user) -> QuerySet[Order]:
    """Issued orders whose receipt nobody has recorded yet (online, on paper or refused)."""
    return (
        visible(user, Order)
        .filter(status=Order.Status.ISSUED, delivery="")
        .select_related("district")
        .order_by("issued_at", "id")
    )


def school_to_fix(*, user) -> list[OrderItem]:
    """The open items as the school sees them, by deadline: days left, whether it is overdue, a pending
    request for more time, and the police's last refusal (of a report or of a request) if it still stands."""
    today = timezone.localdate()
    pending = SchoolReport.objects.filter(
        item=OuterRef("pk"), kind=SchoolReport.Kind.EXTENSION, decision=""
    ).order_by("-at", "-id")
    decided = (
        SchoolReport.objects.filter(item=OuterRef("pk")).exclude(decision="").order_by("-decided_at", "-id")
    )
    items = list(
        school_items(user=user).annotate(
            extension_until=Subquery(pending.values("requested_deadline")[:1]),
            last_decision=Subquery(decided.values("decision")[:1]),
            last_decided_kind=Subquery(decided.values("kind")[:1]),
            last_decision_reason=Subquery(decided.values("decision_reason")[:1]),
        )
    )
    for item in items:
        item.days_left = (item.deadline - today).days
        item.days_overdue = max(0, -item.days_left)
        item.is_overdue = item.status == OrderItem.Status.OPEN and item.days_left < 0
        # A refusal stands until the school answers it again: a new report after a refused report, a new
        # request after a refused request.
        refused = item.last_decision == SchoolReport.Decision.REJECTED
        answered = (
            item.status == OrderItem.Status.REPORTED
            if item.last_decided_kind == SchoolReport.Kind.FIX
            else item.extension_pending
        )
        item.refusal_kind = item.last_decided_kind if refused and not answered else ""
    return items


def school_item_counts(*, user, school=None) -> dict[str, int]:
    """How many items the school has open and how many of them are overdue (for its passport page)."""
    qs = visible(user, OrderItem).filter(status__in=OPEN_STATUSES, order__status=Order.Status.ISSUED)
    if school is not None:
        qs = qs.filter(order__school=school)
    return qs.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(status=OrderItem.Status.OPEN, deadline__lt=timezone.localdate())),
    )


def school_done_recently(*, user, days: int = 90) -> QuerySet[OrderItem]:
    since = timezone.now() - dt.timedelta(days=days)
    return (
        visible(user, OrderItem)
        .filter(status=OrderItem.Status.DONE, done_at__gte=since)
        .select_related("order__district")
        .order_by("-done_at", "-id")
    )
