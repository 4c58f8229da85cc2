"""Campaigns, inspections, answers, photos, findings and the inspection's status history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule
from qorgau.checklists.models import Item, Severity, TemplateVersion

# Answers, photos and findings are scoped through their inspection: a school sees them once it is approved.
INSPECTION_CHILD_SCOPE = ScopeRule(
    school="inspection__school_id", district="inspection__district_id", hidden_from=("firm",),
    school_condition={"inspection__status": "approved"},
)  # fmt: skip


class Campaign(models.Model):
    """A round of checks over some districts and dates, all made with one checklist version."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    districts = models.ManyToManyField(
        "registry.District", related_name="campaigns", verbose_name=_("districts")
    )
    template_version = models.ForeignKey(
        TemplateVersion,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("checklist version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(district="districts", hidden_from=("school", "firm"))

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned (campaign)")
        ADHOC = "adhoc", _("Unplanned")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted for approval")
        RETURNED = "returned", _("Returned for rework")
        APPROVED = "approved", _("Approved")

    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, related_name="inspections")
    # Kept with the inspection so that district scoping and act numbering need no join, and stay right
    # for the record even if the school were ever moved to another district.
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="inspections")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections",
        verbose_name=_("campaign"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLANNED)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why an unplanned inspection is made."))
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="inspections"
    )
    planned_on = models.DateField(_("planned date"), null=True, blank=True, db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections",
        verbose_name=_("inspector"),
    )  # fmt: skip
    co_inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_inspections",
        verbose_name=_("other inspectors"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The act of results: numbered per district per year when the results are approved.
    act_year = models.PositiveSmallIntegerField(null=True, blank=True)
    act_seq = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # A school sees its inspections once the results are approved, never drafts; security firms none.
    scope_rule = ScopeRule(
        school="school_id",
        district="district_id",
        hidden_from=("firm",),
        school_condition={"status": "approved"},
    )

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["district", "status", "planned_on"]),
            models.Index(fields=["inspector", "status", "planned_on"]),
            models.Index(fields=["school", "-planned_on"]),
            # A campaign's progress, in the city or one district, counted from the index alone.
            models.Index(
                fields=["campaign", "district", "status", "inspector"], name="inspection_campaign_progress"
            ),
            # The list's order (newest dates first, undated last) has indexes of its own, made by migration
            # 0002: its "NULLS LAST" cannot be said in a SQLite index, where descending already means it.
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "act_year", "act_seq"], name="one_act_number_per_district_year",
                condition=models.Q(act_seq__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.school} · {self.planned_on or ''}"

    @property
    def act_number(self) -> str:
        if self.act_seq is None:
            return ""
        return f"{self.district.code}-{self.act_year}-{self.act_seq:04d}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS, self.Status.RETURNED)


class ActCounter(models.Model):
    """The last act number given in a district in a year. Rows are locked while a number is taken."""

    district = models.ForeignKey("registry.District", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="one_act_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.district_id}/{self.year}: {self.last}"


class Answer(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Meets the requirement")
        FAIL = "fail", _("Violation")
        NA = "na", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(default=dict)
    auto_result = models.CharField(max_length=4, choices=Result.choices, blank=True)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    override_reason = models.CharField(_("reason for overriding the result"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Each save bumps the version; a save based on an older version is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_rule = INSPECTION_CHILD_SCOPE

    class Meta:
        ordering = ["inspection", "item__section__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.result or '—'}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason) and self.result != self.auto_result


class AnswerRevision(models.Model):
    """Every saved state of an answer, so the history shows who answered what and when."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    value = models.JSONField(default=dict)
    result = models.CharField(max_length=4, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer", "version"]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.version}"


class Photo(models.Model):
    """Evidence from the phone camera, stored re-encoded without location metadata."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.CharField(max_length=200)  # path under MEDIA_ROOT, a random name
    thumbnail = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_sha256 = models.CharField(max_length=64)
    original_format = models.CharField(max_length=10)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = INSPECTION_CHILD_SCOPE

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_sha256[:12]} ({self.width}×{self.height})"


class Finding(models.Model):
    """A violation found: from a failed item on submit, or added by the inspector on its own."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    severity = models.CharField(_("severity"), max_length=1, choices=Severity.choices)
    text = models.TextField(_("what was found"))
    location = models.CharField(_("where"), max_length=300, blank=True)
    legal_ref = models.CharField(_("violated norm"), max_length=300, blank=True)
    photos = models.ManyToManyField(Photo, blank=True, related_name="findings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_rule = INSPECTION_CHILD_SCOPE

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:80]


class InspectionEvent(models.Model):
    """The status history of an inspection: who did what, when and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        ASSIGNED = "assigned", _("assigned")
        STARTED = "started", _("started")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for rework")
        APPROVED = "approved", _("approved")
        AMENDED = "amended", _("amended")
        FINDING_ADDED = "finding", _("finding added")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    comment = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
