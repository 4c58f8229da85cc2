"""Reads for core: the audit log."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from qorgau.accounts.scoping import visible
from qorgau.core.models import AuditEntry


def _day_start(day: dt.date) -> dt.datetime:
    # Days are Almaty days: "from 1 March" means from local midnight, stored in UTC.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(
    *,
    user,
    username: str = "",
    action: str = "",
    ip: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log as the user may read it, newest first; every filter is optional."""
    qs = visible(user, AuditEntry)
    if username:
        qs = qs.filter(username__icontains=username)
    if action:
        qs = qs.filter(action=action)
    if ip:
        # A whole address or its beginning ("10.2.") to see one office's network.
        qs = qs.filter(ip__startswith=ip)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")
