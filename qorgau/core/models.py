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
