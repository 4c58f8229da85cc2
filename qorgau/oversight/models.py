"""Oversight: materialised summaries that dashboards aggregate instead of millions of answers.

`InspectionScore` holds one row per approved inspection with its passed and failed checks per category
(the checklist's section codes). It is written when results are approved or amended
(`summary.record_inspection`) and can be rebuilt in one set-based pass (`summary.rebuild_scores`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule

# The categories of the dashboards: the section codes of the default checklist, in the order shown.
CATEGORIES = (
    ("PA", _("Panic alarm")),
    ("VS", _("CCTV")),
    ("AC", _("Access control")),
    ("GU", _("Guarding")),
    ("SR", _("Staff readiness")),
    ("PE", _("Perimeter and lighting")),
    ("DO", _("Documents")),
)
CATEGORY_CODES = tuple(code for code, _label in CATEGORIES)


def pass_field(code: str) -> str:
    return f"{code.lower()}_pass"


def fail_field(code: str) -> str:
    return f"{code.lower()}_fail"


class InspectionScore(models.Model):
    inspection = models.OneToOneField(
        "inspections.Inspection", on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    school = models.ForeignKey("registry.School", on_delete=models.CASCADE, related_name="+")
    # Looked up through the (district, approved_at) index; a bare district index lured the planner into
    # reading a district's whole history to count a period's inspections.
    district = models.ForeignKey(
        "registry.District", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        "inspections.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField()
    gross_findings = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    pa_pass = models.PositiveIntegerField(default=0)
    pa_fail = models.PositiveIntegerField(default=0)
    vs_pass = models.PositiveIntegerField(default=0)
    vs_fail = models.PositiveIntegerField(default=0)
    ac_pass = models.PositiveIntegerField(default=0)
    ac_fail = models.PositiveIntegerField(default=0)
    gu_pass = models.PositiveIntegerField(default=0)
    gu_fail = models.PositiveIntegerField(default=0)
    sr_pass = models.PositiveIntegerField(default=0)
    sr_fail = models.PositiveIntegerField(default=0)
    pe_pass = models.PositiveIntegerField(default=0)
    pe_fail = models.PositiveIntegerField(default=0)
    do_pass = models.PositiveIntegerField(default=0)
    do_fail = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="school_id", district="district_id", hidden_from=("firm",))

    class Meta:
        indexes = [
            models.Index(fields=["approved_at"]),
            models.Index(fields=["district", "approved_at"]),
            models.Index(fields=["school", "approved_at"]),
            models.Index(fields=["campaign"]),
        ]

    def __str__(self) -> str:
        return f"score of inspection {self.inspection_id}"


class SchoolRisk(models.Model):
    """What the risk ranking reads of one school, gathered by `risk.refresh_risk`: on every run of the
    deadline job, when a user presses Refresh on the ranking, and for a school that has no row yet. Ranking a
    city from one row per school takes a few milliseconds; reading each reason live took eleven correlated
    lookups per school. What depends on the day (months since the inspection, an expired contract or
    licence) is worked out from the dates stored here when the ranking is read."""

    school = models.OneToOneField(
        "registry.School", on_delete=models.CASCADE, primary_key=True, related_name="risk"
    )
    district = models.ForeignKey("registry.District", on_delete=models.CASCADE, related_name="+")
    overdue_items = models.PositiveIntegerField(default=0)
    gross_last = models.PositiveIntegerField(default=0)  # gross findings at the last approved inspection
    last_approved_at = models.DateTimeField(null=True, blank=True)
    faulty_equipment = models.PositiveIntegerField(default=0)
    has_panic_button = models.BooleanField(default=False)
    has_camera = models.BooleanField(default=False)
    # The latest end of a current guard contract (an open-ended one counts as OPEN_ENDED); none: NULL.
    contract_until = models.DateField(null=True, blank=True)
    # The earliest licence expiry among the firms of the current contracts.
    licence_expiry = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(school="school_id", district="district_id", hidden_from=("school", "firm"))

    class Meta:
        # "Ranked from the data as of": the oldest refresh in the city or in a district, read from an index.
        indexes = [
            models.Index(fields=["refreshed_at"], name="risk_refreshed_at"),
            models.Index(fields=["district", "refreshed_at"], name="risk_district_refreshed_at"),
        ]

    def __str__(self) -> str:
        return f"risk facts of school {self.school_id}"
