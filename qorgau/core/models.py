"""History: who changed what, and when. Written only by `core.history.record_change`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule


class ChangeRecord(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("changed")
        DELETED = "deleted", _("deleted")
        IMPORTED = "imported", _("imported")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=50)  # "registry.camera"
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict)  # {field: [old, new]} as displayed values
    # Every record belongs to a school (or only to a district / firm) so that history is scoped like the rest.
    school = models.ForeignKey("registry.School", on_delete=models.CASCADE, null=True, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.CASCADE, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="school_id", district="district_id")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class AuditEntry(models.Model):
    """Who signed in, was refused, or took documents and data out of the system. Written by `core.audit`.

    Kept apart from ChangeRecord (what changed in the data): this is about access, so it also records
    attempts by people who are not signed in and the usernames they tried.
    """

    class Action(models.TextChoices):
        LOGIN_OK = "login_ok", _("signed in")
        LOGIN_FAILED = "login_failed", _("sign-in failed")
        LOGOUT = "logout", _("signed out")
        DENIED = "denied", _("access denied")
        NOT_FOUND = "not_found", _("denied or not found")
        EXPORT = "export", _("export")
        DOWNLOAD = "download", _("download")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)  # the name tried, also kept for failed sign-ins
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    object = models.CharField(max_length=300, blank=True)  # what was asked for: a file name, a view and ids

    objects = ScopedQuerySet.as_manager()
    # The whole city's log is one list; the policy (can_read_audit) narrows it to the city supervisor.
    scope_rule = ScopeRule(hidden_from=("district", "school", "firm", "none"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["ip", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.username} {self.path}"
