"""The deadline job (`qorgau check-deadlines`): overdue detection, reminders and escalation.

Safe to run every few minutes: an item becomes overdue once (its `overdue_since` is set), and every
notification has a key that the database allows once per recipient. Work is done in batches with a fixed
number of queries per batch, whatever the number of open items. Each batch is one transaction, and its
emails are sent only after it commits: a batch that rolls back has told nobody anything.

Deadlines are calendar dates in Asia/Almaty: an item is overdue from 00:00 of the day after its deadline.
Reminders go to the school 3 days and 1 day before; on the day it becomes overdue, the school, the inspector
who drafted the order and the district chiefs are told (the escalation). Last, the risk ranking's facts are
gathered anew for every school (`oversight.risk.refresh_risk`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from qorgau.accounts.models import Role, User
from qorgau.orders.models import Order, OrderEvent, OrderItem
from qorgau.orders.notify import build_for, db_datetime, deliver, insert_rows, resend_unsent
from qorgau.oversight.risk import refresh_risk

BATCH = 2000


@dataclass
class DeadlineRun:
    overdue: int = 0
    reminders: int = 0
    notifications: int = 0
    batches: int = 0
    resent: int = 0
    risk_refreshed: int = 0  # schools whose risk-ranking facts were gathered anew


def _recipients(items: list[OrderItem]) -> tuple[dict[int, list[User]], dict[int, list[User]]]:
    """School admins by school and district chiefs by district, two queries for the whole batch."""
    school_ids = {i.order.school_id for i in items}
    district_ids = {i.order.district_id for i in items}
    admins: dict[int, list[User]] = defaultdict(list)
    chiefs: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        is_active=True, role=Role.SCHOOL_ADMIN, organisation__school_id__in=school_ids
    ).select_related("organisation"):
        admins[user.organisation.school_id].append(user)
    for user in User.objects.filter(
        is_active=True, role=Role.DISTRICT_CHIEF, organisation__district_id__in=district_ids
    ).select_related("organisation"):
        chiefs[user.organisation.district_id].append(user)
    return admins, chiefs


def _open_items(**filters):
    return (
        OrderItem.objects.filter(order__status=Order.Status.ISSUED, status=OrderItem.Status.OPEN, **filters)
        .only("id", "order_id", "position", "found", "deadline")  # what the notifications say
        .order_by("id")
    )


def _batches(qs):
    last_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_id)[:BATCH])
        if not batch:
            return
        # The batch's orders in one query, each built once: its items share a few dozen orders, and joining
        # the order, school, district and inspector into every item's row built them again for each item.
        orders = {
            o.pk: o
            for o in Order.objects.select_related("school", "district", "drafted_by").filter(
                pk__in={i.order_id for i in batch}
            )
        }
        for i in batch:
            i.order = orders[i.order_id]
        yield batch
        last_id = batch[-1].id


def check_deadlines(*, now: dt.datetime | None = None) -> DeadlineRun:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    run = DeadlineRun()
    # Emails are sent after each batch commits (notify.deliver); those whose sending failed go out now.
    # (The window is in real time, as the notifications' created_at is: `now` may be given for a test.)
    run.resent = resend_unsent(since=timezone.now() - dt.timedelta(days=1))

    # 1. Items whose deadline day has ended become overdue, once; everyone concerned is told.
    for batch in _batches(_open_items(deadline__lt=today, overdue_since__isnull=True)):
        with transaction.atomic():
            admins, chiefs = _recipients(batch)
            ids = [i.id for i in batch]
            OrderItem.objects.filter(id__in=ids, overdue_since__isnull=True).update(overdue_since=today)
            events, notes, at = [], [], db_datetime(now)
            for item in batch:
                order = item.order
                events.append((order.pk, item.pk, at, OrderEvent.Action.OVERDUE, ""))
                events.append((order.pk, item.pk, at, OrderEvent.Action.ESCALATED, ""))
                key = f"overdue:{item.id}:{item.deadline.isoformat()}"
                people = [*admins[order.school_id], order.drafted_by, *chiefs[order.district_id]]
                notes += build_for("overdue", key, recipients=people, order=order, item=item)
            insert_rows(OrderEvent, ("order_id", "item_id", "at", "action", "comment"), events)
            run.notifications += deliver(notes)
            run.overdue += len(batch)
            run.batches += 1

    # 2. Reminders to the school: 3 days before and 1 day before the deadline (each once per deadline).
    for kind, low, high in (("remind3", 2, 3), ("remind1", 0, 1)):
        window = {
            "deadline__gte": today + dt.timedelta(days=low),
            "deadline__lte": today + dt.timedelta(days=high),
        }
        for batch in _batches(_open_items(**window)):
            with transaction.atomic():
                admins, _chiefs = _recipients(batch)
                notes = [
                    note
                    for item in batch
                    for note in build_for(
                        kind,
                        f"{kind}:{item.id}:{item.deadline.isoformat()}",
                        recipients=admins[item.order.school_id],
                        order=item.order,
                        item=item,
                    )
                ]
                created = deliver(notes)
                run.notifications += created
                run.reminders += created
                run.batches += 1

    # 3. The risk ranking's facts, gathered anew for every school: overdue items changed above, and
    # inspections, equipment and guard contracts may have changed since the last run.
    run.risk_refreshed = refresh_risk()
    return run
