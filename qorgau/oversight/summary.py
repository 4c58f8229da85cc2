"""Keeping `InspectionScore` true: one inspection at a time from the services, or all at once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from qorgau.checklists.models import Severity
from qorgau.inspections.models import Answer, Inspection
from qorgau.oversight.models import CATEGORY_CODES, InspectionScore, fail_field, pass_field


def _scored(inspections):
    counts = {}
    for code in CATEGORY_CODES:
        in_section = Q(answers__item__section__code=code)
        counts[pass_field(code)] = Count("answers", filter=in_section & Q(answers__result=Answer.Result.PASS))
        counts[fail_field(code)] = Count("answers", filter=in_section & Q(answers__result=Answer.Result.FAIL))
    return inspections.filter(status=Inspection.Status.APPROVED).annotate(**counts)


def _finding_counts(inspection_ids) -> dict[int, tuple[int, int]]:
    rows = (
        Inspection.objects.filter(pk__in=inspection_ids)
        .annotate(
            n_findings=Count("findings"),
            n_gross=Count("findings", filter=Q(findings__severity=Severity.GROSS)),
        )
        .values_list("pk", "n_findings", "n_gross")
    )
    return {pk: (total, gross) for pk, total, gross in rows}


def _score_rows(inspections) -> list[InspectionScore]:
    scored = list(_scored(inspections))
    findings = _finding_counts([i.pk for i in scored])
    rows = []
    for inspection in scored:
        total, gross = findings.get(inspection.pk, (0, 0))
        values = {}
        for code in CATEGORY_CODES:
            values[pass_field(code)] = getattr(inspection, pass_field(code))
            values[fail_field(code)] = getattr(inspection, fail_field(code))
        rows.append(
            InspectionScore(
                inspection_id=inspection.pk,
                school_id=inspection.school_id,
                district_id=inspection.district_id,
                campaign_id=inspection.campaign_id,
                approved_at=inspection.approved_at,
                findings=total,
                gross_findings=gross,
                **values,
            )  # fmt: skip
        )
    return rows


@transaction.atomic
def record_inspection(inspection: Inspection) -> None:
    """Write (or drop) one inspection's score; called by the services when results are approved or amended."""
    InspectionScore.objects.filter(inspection_id=inspection.pk).delete()
    InspectionScore.objects.bulk_create(_score_rows(Inspection.objects.filter(pk=inspection.pk)))


@transaction.atomic
def rebuild_scores(*, batch: int = 5000) -> int:
    """Recompute every score from the answers; returns how many approved inspections were scored."""
    InspectionScore.objects.all().delete()
    ids = list(
        Inspection.objects.filter(status=Inspection.Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        InspectionScore.objects.bulk_create(
            _score_rows(Inspection.objects.filter(pk__in=chunk)), batch_size=1000
        )
    return len(ids)
