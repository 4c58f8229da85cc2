"""What the bench scripts share (they run as `python bench/<name>.py`, so this module is importable beside
them): percentiles of measured times, and issued orders written in bulk for the scripts that need many."""

from __future__ import annotations

import datetime as dt


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile, interpolated between the two nearest measurements."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def issued_orders(schools: list, *, version, days_ago: int) -> list:
    """One approved ad-hoc inspection and one issued order (numbered per district) for each school given, in
    the order given, issued `days_ago` days ago by the district's chief; for filling with items in bulk.
    Run inside the caller's transaction, after Django is set up."""
    from django.utils import timezone

    from qorgau.accounts.models import Role, User
    from qorgau.inspections.models import Inspection
    from qorgau.orders.models import Order

    today, now = timezone.localdate(), timezone.now()
    police = {
        (u.organisation.district_id, u.role): u
        for u in User.objects.filter(role__in=[Role.DISTRICT_CHIEF, Role.INSPECTOR]).select_related(
            "organisation"
        )
    }
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                school=s,
                district_id=s.district_id,
                kind=Inspection.Kind.ADHOC,
                reason="bench",
                template_version=version,
                planned_on=today - dt.timedelta(days=days_ago + 10),
                inspector=police[(s.district_id, Role.INSPECTOR)],
                status=Inspection.Status.APPROVED,
                approved_at=now,
                approved_by=police[(s.district_id, Role.DISTRICT_CHIEF)],
            )  # fmt: skip
            for s in schools
        ],
        batch_size=2000,
    )
    seq: dict[int, int] = {}
    orders = []
    for s, inspection in zip(schools, inspections, strict=True):
        seq[s.district_id] = seq.get(s.district_id, 0) + 1
        orders.append(
            Order(
                inspection=inspection,
                school=s,
                district_id=s.district_id,
                status=Order.Status.ISSUED,
                year=timezone.localtime(now).year,
                seq=seq[s.district_id],
                drafted_by=inspection.inspector,
                issued_by=inspection.approved_by,
                issued_at=now - dt.timedelta(days=days_ago),
            )  # fmt: skip
        )
    return Order.objects.bulk_create(orders, batch_size=2000)
