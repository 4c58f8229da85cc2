"""Reads for orders. Every selector takes the user and starts from the scoping layer."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qorgau.accounts.scoping import visible
from qorgau.orders.models import Amendment, Notification, Order, OrderEvent, OrderItem, SchoolReport

OPEN_STATUSES = (OrderItem.Status.OPEN, OrderItem.Status.REPORTED)


def order_list(
    *, user, status: str = "", school_id: int | None = None, q: str = "", overdue_only: bool = False
) -> QuerySet[Order]:
    qs = visible(user, Order).select_related("school", "district", "inspection", "issued_by")
    if status:
        qs = qs.filter(status=status)
    if school_id:
        qs = qs.filter(school_id=school_id)
    if q:
        qs = qs.filter(
            Q(school__name_ru__icontains=q) | Q(school__name_kk__icontains=q) | Q(school__bin=q.strip())
        )
    qs = qs.annotate(
        items_total=Count("items", distinct=True),
        items_open=Count("items", filter=Q(items__status__in=OPEN_STATUSES), distinct=True),
        items_overdue=Count(
            "items",
            filter=Q(items__status__in=OPEN_STATUSES, items__overdue_since__isnull=False),
            distinct=True,
        ),
        items_reported=Count("items", filter=Q(items__status=OrderItem.Status.REPORTED), distinct=True),
    )
    if overdue_only:
        qs = qs.filter(items_overdue__gt=0)
    return qs.order_by("-issued_at", "-id")


def overdue_items(*, user) -> QuerySet[OrderItem]:
    """Open items past their deadline across the user's area, the longest overdue first."""
    return (
        visible(user, OrderItem)
        .filter(status__in=OPEN_STATUSES, overdue_since__isnull=False, order__status=Order.Status.ISSUED)
        .select_related("order__school", "order__district", "referred_by")
        .order_by("deadline", "id")
    )


def verification_queue(*, user) -> QuerySet[SchoolReport]:
    """Reports from schools waiting for the police's decision."""
    return (
        visible(user, SchoolReport)
        .filter(decision="", item__order__status=Order.Status.ISSUED)
        .select_related("item__order__school", "by")
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
        "amendments": list(Amendment.objects.filter(order=order).select_related("by", "item")),
        "events": list(
            OrderEvent.objects.filter(order=order).select_related("actor", "item").order_by("at", "id")
        ),
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
