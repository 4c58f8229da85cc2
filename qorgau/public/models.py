"""Parents' concerns: a safety worry about a school, reported by anyone from the school's public page.

A concern lands in its district's queue. The reporter keeps a random reference number and can look up the
concern's public status (received, in work, closed) and nothing else. The school never sees a concern:
whoever complained must not be exposed to the administration they complained about.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule

# No 0/O, 1/I/L or U: a reference read out over the phone or copied from paper survives the trip.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8  # 30**8 ≈ 6.6e11 possible references: not guessable, not sequential
WHAT_MIN_LENGTH = 10
WHAT_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 2000


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"Q-{chars[:4]}-{chars[4:]}"


def normalise_reference(raw: str) -> str:
    """The canonical "Q-XXXX-XXXX" form of what someone typed: any case, with or without dashes or spaces;
    "" if it cannot be a reference at all."""
    chars = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if chars.startswith("Q") and len(chars) == REFERENCE_LENGTH + 1:
        chars = chars[1:]
    if len(chars) != REFERENCE_LENGTH or any(ch not in REFERENCE_ALPHABET for ch in chars):
        return ""
    return f"Q-{chars[:4]}-{chars[4:]}"


class Concern(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_WORK = "in_work", _("In work")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        NONE = "", _("Not decided yet")
        DISMISSED = "dismissed", _("Dismissed")
        RESOLVED = "resolved", _("Resolved")

    reference = models.CharField(_("reference number"), max_length=11, unique=True, default=new_reference)
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, related_name="concerns")
    # Kept with the concern so that the district's queue needs no join (as inspections keep theirs).
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="concerns")
    what = models.TextField(
        _("what is the concern"),
        validators=[MinLengthValidator(WHAT_MIN_LENGTH), MaxLengthValidator(WHAT_MAX_LENGTH)],
    )
    where = models.CharField(_("where"), max_length=200)
    when = models.CharField(_("when"), max_length=100)
    contact = models.CharField(_("reporter's contact"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, null=True, blank=True, related_name="concerns",
        verbose_name=_("inspection"),
    )  # fmt: skip
    # A keyed hash of the sender's IP address, for throttling only: the address itself is not kept.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # District police see their district's concerns, the city all; a school and its guards never.
    scope_rule = ScopeRule(school="school_id", district="district_id", hidden_from=("school", "firm"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [models.Index(fields=["district", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class ConcernEvent(models.Model):
    """One step of a concern's history: who did what and when. Written only by the services."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("received")
        NOTE = "note", _("note added")
        INSPECTION = "inspection", _("inspection started")
        DISMISSED = "dismissed", _("dismissed")
        CLOSED = "closed", _("closed")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # None: the public reporter
    action = models.CharField(max_length=12, choices=Action.choices)
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)])

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(
        school="concern__school_id", district="concern__district_id", hidden_from=("school", "firm")
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
