"""Writes for parents' concerns: the public report, and the district police's triage of it.

Every write is atomic and recorded as a ConcernEvent (who, when, what). The report is the one write in
Qorgau made by nobody signed in; it is throttled per sender address instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qorgau.accounts import policy
from qorgau.accounts.scoping import visible
from qorgau.core.errors import InvalidTransition, NotAllowed, QorgauError
from qorgau.inspections import services as inspection_services
from qorgau.inspections.models import Inspection
from qorgau.public.models import COMMENT_MAX_LENGTH, Concern, ConcernEvent, new_reference
from qorgau.registry.models import School

THROTTLE_WINDOW = dt.timedelta(hours=1)


class Throttled(QorgauError):
    """Too many concerns from one address within the window; nothing was written (HTTP 429)."""


def ip_fingerprint(ip: str | None) -> str:
    """A keyed hash of the address: enough to count one sender's reports, useless to find the sender."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def _event(concern: Concern, actor, action: str, comment: str = "") -> ConcernEvent:
    return ConcernEvent.objects.create(concern=concern, actor=actor, action=action, comment=comment)


def _unique_reference() -> str:
    # A collision is about one in a billion per report at the demo's size; trying again settles it.
    while True:
        reference = new_reference()
        if not Concern.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def concern_report(
    *, school: School, what: str, where: str, when: str, contact: str = "", ip: str | None
) -> Concern:
    """A concern about a school from the public page; it joins the school district's queue."""
    fingerprint = ip_fingerprint(ip)
    limit = settings.PUBLIC_CONCERNS_PER_HOUR
    if fingerprint:
        recent = Concern.objects.filter(
            ip_hash=fingerprint, created_at__gte=timezone.now() - THROTTLE_WINDOW
        ).count()
        if recent >= limit:
            raise Throttled(
                ngettext(
                    "You have sent %(n)d concern in the last hour, the most we accept from one connection. "
                    "Please try again later.",
                    "You have sent %(n)d concerns in the last hour, the most we accept from one connection. "
                    "Please try again later.",
                    recent,
                )
                % {"n": recent}
            )
    concern = Concern(
        reference=_unique_reference(),
        school=school,
        district_id=school.district_id,
        what=what.strip(),
        where=where.strip(),
        when=when.strip(),
        contact=contact.strip(),
        ip_hash=fingerprint,
    )
    concern.full_clean()
    concern.save()
    _event(concern, None, ConcernEvent.Action.RECEIVED)
    return concern


# Triage by the district police ------------------------------------------------------------------------------


def _locked(actor, concern: Concern) -> Concern:
    """The concern, locked for this transaction, once the actor may triage it."""
    if not policy.can_triage_concerns(actor):
        raise NotAllowed(_("Only the district's police may act on a concern."))
    locked = visible(actor, Concern).select_for_update().filter(pk=concern.pk).first()
    if locked is None:
        raise NotAllowed(_("This concern belongs to another district."))
    return locked


def _open(concern: Concern) -> None:
    if not concern.is_open:
        raise InvalidTransition(_("This concern is closed."))


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > COMMENT_MAX_LENGTH:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}})
    return value


def _set_status(concern: Concern, status: str, outcome: str | None = None) -> None:
    concern.status = status
    fields = ["status", "updated_at"]
    if outcome is not None:
        concern.outcome = outcome
        fields.append("outcome")
    concern.save(update_fields=fields)


@transaction.atomic
def concern_note(*, actor, concern: Concern, comment: str) -> Concern:
    """A note in the concern's history (a call made, a fact checked); a new concern is now in work."""
    comment = _text(comment, "comment", _("Write the note."))
    concern = _locked(actor, concern)
    if concern.status == Concern.Status.RECEIVED:
        _set_status(concern, Concern.Status.IN_WORK)
    _event(concern, actor, ConcernEvent.Action.NOTE, comment)
    return concern


@transaction.atomic
def concern_dismiss(*, actor, concern: Concern, reason: str) -> Concern:
    """Closed without action: not a safety matter, a duplicate, not this school. The reason is required."""
    reason = _text(reason, "reason", _("Say why the concern is dismissed."))
    concern = _locked(actor, concern)
    _open(concern)
    _set_status(concern, Concern.Status.CLOSED, Concern.Outcome.DISMISSED)
    _event(concern, actor, ConcernEvent.Action.DISMISSED, reason)
    return concern


@transaction.atomic
def concern_close(*, actor, concern: Concern, comment: str) -> Concern:
    """Closed as dealt with, saying what was done."""
    comment = _text(comment, "comment", _("Say what was done about the concern."))
    concern = _locked(actor, concern)
    _open(concern)
    _set_status(concern, Concern.Status.CLOSED, Concern.Outcome.RESOLVED)
    _event(concern, actor, ConcernEvent.Action.CLOSED, comment)
    return concern


@transaction.atomic
def concern_start_inspection(
    *, actor, concern: Concern, reason: str, planned_on: dt.date | None = None
) -> Inspection:
    """An unplanned inspection of the school, made because of the concern and linked to it."""
    reason = _text(reason, "reason", _("Say why the inspection is made."))
    concern = _locked(actor, concern)
    _open(concern)
    if concern.inspection_id is not None:
        raise InvalidTransition(_("An inspection has already been started for this concern."))
    if planned_on is not None and planned_on < timezone.localdate():
        raise ValidationError({"planned_on": _("Choose today or a later date.")})
    inspection = inspection_services.inspection_create(
        actor=actor,
        school=concern.school,
        kind=Inspection.Kind.ADHOC,
        reason=reason,
        planned_on=planned_on,
    )
    concern.inspection = inspection
    concern.status = Concern.Status.IN_WORK
    concern.save(update_fields=["inspection", "status", "updated_at"])
    _event(concern, actor, ConcernEvent.Action.INSPECTION, reason)
    return inspection
