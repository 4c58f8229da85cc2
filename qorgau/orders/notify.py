"""Notifications: in-app (with an unread count) and by email, each exactly once, in the recipient's language.

`key` names the event (e.g. "overdue:<item>:<deadline>"); the database refuses a second notification with
the same recipient and key, so running the deadline job twice never notifies twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qorgau.accounts.models import Role, User
from qorgau.orders.models import Notification, Order, OrderItem


def school_admins(school_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.SCHOOL_ADMIN, organisation__school_id=school_id)
    )


def district_chiefs(district_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.DISTRICT_CHIEF, organisation__district_id=district_id)
    )


def _subject(kind: str, order: Order, item: OrderItem | None) -> str:
    values = {"n": order.number, "p": item.position if item else 0}
    if kind == "issued":
        return _("Order %(n)s issued to your school") % values
    if kind == "remind3":
        return _("Order %(n)s, item %(p)d: deadline in 3 days") % values
    if kind == "remind1":
        return _("Order %(n)s, item %(p)d: deadline tomorrow") % values
    if kind == "overdue":
        return _("Order %(n)s, item %(p)d is overdue") % values
    if kind == "reported":
        return _("Order %(n)s, item %(p)d: the school reported a fix") % values
    return _("Order %(n)s, item %(p)d: the report was decided") % values


def render(kind: str, *, recipient: User, order: Order, item: OrderItem | None) -> tuple[str, str]:
    """Subject and body in the recipient's language. Plain gettext, not templates: the deadline job
    renders tens of thousands of these in one run."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = _subject(kind, order, item)
        lines = [
            _("School: %(school)s") % {"school": order.school.name},
            _("Order: %(n)s") % {"n": order.number},
        ]
        if item is not None:
            lines.append(_("Item %(p)d: %(found)s") % {"p": item.position, "found": item.found})
            lines.append(_("Deadline: %(date)s") % {"date": item.deadline.strftime("%d.%m.%Y")})
        lines.append("")
        lines.append(_("Open Qorgau to see the order and answer it."))
    return subject[:300], "\n".join(lines)


def build(
    kind: str, key: str, *, recipient: User, order: Order, item: OrderItem | None = None
) -> Notification:
    subject, body = render(kind, recipient=recipient, order=order, item=item)
    return Notification(
        recipient=recipient, kind=kind, key=key[:100], order=order, item=item, subject=subject, body=body
    )


def deliver(notifications: list[Notification]) -> int:
    """Save the notifications that do not exist yet and email them; return how many were new."""
    if not notifications:
        return 0
    existing = set(
        Notification.objects.filter(
            recipient_id__in={n.recipient_id for n in notifications}, key__in={n.key for n in notifications}
        ).values_list("recipient_id", "key")
    )
    new, seen = [], set()
    for n in notifications:
        pair = (n.recipient_id, n.key)
        if pair in existing or pair in seen:
            continue
        seen.add(pair)
        new.append(n)
    # ignore_conflicts: if another run inserted the same key meanwhile, the database keeps one.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    emails = [
        EmailMessage(n.subject, n.body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        for n in new
        if n.recipient.email
    ]
    if emails:
        get_connection(fail_silently=True).send_messages(emails)
        Notification.objects.filter(
            key__in=[n.key for n in new], recipient__email__gt="", emailed_at__isnull=True
        ).update(emailed_at=timezone.now())
    return len(new)


def notify_users(
    *, users: Iterable[User], kind: str, key: str, order: Order, item: OrderItem | None = None
) -> int:
    with transaction.atomic():
        return deliver(
            [build(kind, key, recipient=u, order=order, item=item) for u in users if u is not None]
        )
