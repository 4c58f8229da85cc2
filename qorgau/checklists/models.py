"""Checklist templates: template → versions → sections → items.

A published version never changes; every inspection keeps the version it was started with, so a new version
cannot alter old answers or reports. Changes are made in a draft copied from the latest published version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule
from qorgau.registry.models import SizeTier


def _localised(obj, prefix: str) -> str:
    lang = (get_language() or "ru")[:2]
    return getattr(obj, f"{prefix}_{lang}", "") or getattr(obj, f"{prefix}_ru")


class Severity(models.TextChoices):
    # The Kazakh three-degree scale of violations.
    GROSS = "G", _("Gross")
    SIGNIFICANT = "S", _("Significant")
    MINOR = "M", _("Minor")


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    YES_NO_NA = "yes_no_na", _("Yes / no / not applicable")
    NUMBER = "number", _("Number with a threshold")
    DATE = "date", _("Date with a maximum age")
    PANIC_TEST = "panic_test", _("Practical: panic button test")
    CAMERA_SURVEY = "camera_survey", _("Practical: camera survey")
    ENTRY_TEST = "entry_test", _("Practical: entry without a pass")
    STAFF_INTERVIEW = "staff_interview", _("Practical: staff interview")


class FixKind(models.TextChoices):
    """What fixing a violation takes; it decides the default deadline of an order item."""

    ORGANISATIONAL = "organisational", _("Organisational measure")
    EQUIPMENT = "equipment", _("Equipment purchase or repair")


class Prefill(models.TextChoices):
    NONE = "", _("Nothing")
    CAMERAS = "cameras", _("Cameras on record")
    PANIC_BUTTONS = "panic_buttons", _("Panic buttons on record")
    ARCHIVE_DAYS = "archive_days", _("Shortest archive depth on record")
    GUARD_CONTRACT = "guard_contract", _("Guard contract on record")
    TURNSTILES = "turnstiles", _("Turnstiles on record")


class ChecklistTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(special="everyone")

    class Meta:
        ordering = ["code"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class TemplateVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("what changed"), blank=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(special="everyone")

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_number_per_template_version"),
            models.UniqueConstraint(
                fields=["template"], condition=models.Q(status="draft"), name="one_draft_per_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class FrozenVersionError(ValidationError):
    pass


class _VersionPart(models.Model):
    """A part of a version. Once the version is published, it may not be saved or deleted again."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self):
        status = TemplateVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status is not None and status != TemplateVersion.Status.DRAFT:
            raise FrozenVersionError(_("A published checklist version cannot be changed; make a new draft."))


class Section(_VersionPart):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_section_code_per_version")
        ]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def title(self) -> str:
        return _localised(self, "title")


class Item(_VersionPart):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=12)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    text_ru = models.TextField(_("requirement (Russian)"))
    text_kk = models.TextField(_("requirement (Kazakh)"))
    text_en = models.TextField(_("requirement (English)"), blank=True)
    legal_ref = models.CharField(_("legal reference"), max_length=300, blank=True)
    severity = models.CharField(_("severity"), max_length=1, choices=Severity.choices)
    answer_kind = models.CharField(_("answer kind"), max_length=20, choices=AnswerKind.choices)
    # Number: the least value that passes (archive ≥ 30 days). Staff interview: the share of correct answers
    # in percent. Panic button test: the longest acceptable crew arrival in seconds (empty: no limit).
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_age_days = models.PositiveIntegerField(_("maximum age, days"), null=True, blank=True)
    tiers = models.CharField(
        _("applies to size tiers"), max_length=12, default="T1,T2,T3",
        help_text=_("Comma-separated: T1, T2, T3."),
    )  # fmt: skip
    prefill = models.CharField(
        _("prefill from the registry"), max_length=20, choices=Prefill.choices, blank=True
    )
    remedy_ru = models.TextField(_("required remedy (Russian)"), blank=True)
    remedy_kk = models.TextField(_("required remedy (Kazakh)"), blank=True)
    fix_kind = models.CharField(
        _("kind of fix"), max_length=16, choices=FixKind.choices, default=FixKind.ORGANISATIONAL
    )

    class Meta:
        ordering = ["version", "section__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="one_item_code_per_version")]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def text(self) -> str:
        return _localised(self, "text")

    @property
    def tier_list(self) -> list[str]:
        return [t.strip() for t in self.tiers.split(",") if t.strip()]

    def applies_to(self, size_tier: str) -> bool:
        return size_tier in self.tier_list

    def clean(self):
        unknown = set(self.tier_list) - set(SizeTier.values)
        if unknown or not self.tier_list:
            raise ValidationError({"tiers": _("Give one or more of T1, T2, T3.")})
        if self.answer_kind == AnswerKind.NUMBER and self.threshold is None:
            raise ValidationError({"threshold": _("A number answer needs a threshold.")})
        if self.answer_kind == AnswerKind.DATE and not self.max_age_days:
            raise ValidationError({"max_age_days": _("A date answer needs a maximum age.")})
        if self.section_id and self.version_id and self.section.version_id != self.version_id:
            raise ValidationError({"section": _("The section belongs to another version.")})
