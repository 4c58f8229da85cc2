"""Notifications: in-app (with an unread count) and by email, each exactly once, in the recipient's language.

`key` names the event (e.g. "overdue:<item>:<deadline>"); the database refuses a second notification with
the same recipient and key, so running the deadline job twice never notifies twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, router, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qorgau.accounts.models import Role, User
from qorgau.orders.models import Notification, Order, OrderItem

logger = logging.getLogger(__name__)


def school_admins(school_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.SCHOOL_ADMIN, organisation__school_id=school_id)
    )


def district_chiefs(district_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.DISTRICT_CHIEF, organisation__district_id=district_id)
    )


def _subject(kind: str) -> str:
    if kind == "issued":
        return _("Order %(n)s issued to your school")
    if kind == "remind3":
        return _("Order %(n)s, item %(p)d: deadline in 3 days")
    if kind == "remind1":
        return _("Order %(n)s, item %(p)d: deadline tomorrow")
    if kind == "overdue":
        return _("Order %(n)s, item %(p)d is overdue")
    if kind == "reported":
        return _("Order %(n)s, item %(p)d: the school reported a fix")
    return _("Order %(n)s, item %(p)d: the report was decided")


@functools.cache
def _wording(kind: str, language: str) -> tuple[str, ...]:
    """The translated phrases of one kind of notification in one language. Looked up once: gettext for
    every notification was a third of the deadline job's time."""
    with translation.override(language):
        return (
            _subject(kind),
            _("School: %(school)s"),
            _("Order: %(n)s"),
            _("Item %(p)d: %(found)s"),
            _("Deadline: %(date)s"),
            _("Open Qorgau to see the order and answer it."),
        )


def render(kind: str, *, recipient: User, order: Order, item: OrderItem | None) -> tuple[str, str]:
    """Subject and body in the recipient's language. Plain gettext, not templates: the deadline job
    renders tens of thousands of these in one run."""
    language = recipient.language or settings.LANGUAGE_CODE
    subject, school, number, item_line, deadline, closing = _wording(kind, language)
    with translation.override(language):
        school_name = order.school.name  # in the recipient's language too
    values = {"n": order.number, "p": item.position if item else 0}
    lines = [school % {"school": school_name}, number % values]
    if item is not None:
        lines.append(item_line % {"p": item.position, "found": item.found})
        lines.append(deadline % {"date": item.deadline.strftime("%d.%m.%Y")})
    lines.append("")
    lines.append(closing)
    return (subject % values)[:300], "\n".join(lines)


def insert_rows(model, columns: Sequence[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    """Insert rows in one statement (executemany), optionally skipping those that break a unique constraint.

    For the deadline job's volumes: bulk_create prepares every value of every row through its model field,
    which was most of the job's time. Here values go to the database driver as they are, so they must be
    what it takes: ints, strings, None, and datetimes passed through `db_datetime`.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in columns]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = "{} {} ({}) VALUES ({}) {}".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or "",
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql.rstrip(), rows)


def db_datetime(value: dt.datetime, model=Notification):
    """A datetime as the database driver takes it (SQLite stores text in UTC)."""
    return connections[router.db_for_write(model)].ops.adapt_datetimefield_value(value)


class Draft(NamedTuple):
    """A notification to be delivered. A plain tuple rather than a model instance: the deadline job makes
    a hundred thousand of them in one run, and building model instances was a large part of its time."""

    recipient_id: int
    email: str
    kind: str
    key: str
    order_id: int
    item_id: int | None
    subject: str
    body: str


def build(kind: str, key: str, *, recipient: User, order: Order, item: OrderItem | None = None) -> Draft:
    return build_for(kind, key, recipients=[recipient], order=order, item=item)[0]


def build_for(
    kind: str, key: str, *, recipients: Iterable[User | None], order: Order, item: OrderItem | None = None
) -> list[Draft]:
    """One notification for each distinct recipient, the text rendered once per language (the deadline job
    tells three people about each of tens of thousands of items)."""
    texts: dict[str, tuple[str, str]] = {}
    notes, seen = [], set()
    key = key[:100]
    item_id = item.pk if item is not None else None
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        language = user.language or settings.LANGUAGE_CODE
        if language not in texts:
            texts[language] = render(kind, recipient=user, order=order, item=item)
        subject, body = texts[language]
        notes.append(Draft(user.pk, user.email, kind, key, order.pk, item_id, subject, body))
    return notes


def deliver(notifications: list[Draft]) -> int:
    """Save the notifications that do not exist yet and email them; return how many were new."""
    if not notifications:
        return 0
    # A key names something of one order (an item, a report, the order itself), so the order narrows the
    # search to a few rows through its index, however many notifications there are.
    orders = {n.order_id for n in notifications}
    existing = set(
        Notification.objects.filter(
            order_id__in=orders,
            recipient_id__in={n.recipient_id for n in notifications},
            key__in={n.key for n in notifications},
        )
        .order_by()
        .values_list("recipient_id", "key")
    )
    new, seen = [], set()
    for n in notifications:
        pair = (n.recipient_id, n.key)
        if pair in existing or pair in seen:
            continue
        seen.add(pair)
        new.append(n)
    # ignore_conflicts: if another run inserted the same key meanwhile, the database keeps one.
    created_at = db_datetime(timezone.now())
    insert_rows(
        Notification,
        ("recipient_id", "kind", "key", "order_id", "item_id", "subject", "body", "created_at", "emailed_at"),
        [
            (n.recipient_id, n.kind, n.key, n.order_id, n.item_id, n.subject, n.body, created_at, None)
            for n in new
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    # Emails go out only once these rows are committed: an email about a batch that then rolled back would
    # tell of something that did not happen. (Outside a transaction on_commit runs at once.)
    to_email = [n for n in new if n.email]
    if to_email:
        transaction.on_commit(functools.partial(send_emails, to_email))
    return len(new)


def send_emails(drafts: list[Draft]) -> int:
    """Email committed notifications that are not emailed yet; return how many were sent.

    Each row is claimed (its `emailed_at` set, rows another run holds skipped) before its email is sent, so
    two runs never send one twice. If sending fails, the claim is undone and `resend_unsent` (run by the
    deadline job) tries again later.
    """
    wanted = {(d.recipient_id, d.key): d for d in drafts}
    with transaction.atomic():
        rows = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                order_id__in={d.order_id for d in drafts},
                recipient_id__in={d.recipient_id for d in drafts},
                key__in={d.key for d in drafts},
                emailed_at__isnull=True,
            )
            .order_by()
            .values_list("id", "recipient_id", "key")
        )
        claimed = [(pk, wanted[(who, key)]) for pk, who, key in rows if (who, key) in wanted]
        ids = [pk for pk, _draft in claimed]
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    emails = [EmailMessage(d.subject, d.body, settings.DEFAULT_FROM_EMAIL, [d.email]) for _pk, d in claimed]
    try:
        get_connection().send_messages(emails)
    except Exception:
        Notification.objects.filter(pk__in=ids).update(emailed_at=None)
        logger.exception("Sending %d notification emails failed; they will be tried again.", len(emails))
        return 0
    return len(emails)


def resend_unsent(*, since: dt.datetime) -> int:
    """Email the notifications since `since` whose sending failed (or never ran: a crash after commit)."""
    rows = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=since)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    drafts = [
        Draft(n.recipient_id, n.recipient.email, n.kind, n.key, n.order_id, n.item_id, n.subject, n.body)
        for n in rows
    ]
    return send_emails(drafts) if drafts else 0


def notify_users(
    *, users: Iterable[User], kind: str, key: str, order: Order, item: OrderItem | None = None
) -> int:
    with transaction.atomic():
        return deliver(
            [build(kind, key, recipient=u, order=order, item=item) for u in users if u is not None]
        )
