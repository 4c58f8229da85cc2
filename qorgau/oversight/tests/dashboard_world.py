"""Test data for the dashboards, written straight to the database: approved inspections with their scores,
issued orders with items in given states. How they came to be is the services' tests' business."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from qorgau.checklists.models import Item
from qorgau.inspections.models import Finding, Inspection
from qorgau.orders.models import Order, OrderItem
from qorgau.oversight.models import InspectionScore
from qorgau.tests.factories import InspectionFactory, default_version, order_item

_seq = itertools.count(1)


def at(day: str, hour: int = 12) -> dt.datetime:
    """A local (Asia/Almaty) time on a day given as YYYY-MM-DD."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def checklist_item(code: str) -> Item:
    """The first item of a category of the default checklist."""
    return Item.objects.filter(version=default_version(), section__code=code).order_by("order").first()


def approve(school, *, on: str, campaign=None, **checks) -> Inspection:
    """An approved inspection with its score, e.g. approve(school, on="2025-10-01", pa_pass=3, pa_fail=1)."""
    approved_at = at(on)
    inspection = InspectionFactory(
        school=school, status=Inspection.Status.APPROVED, approved_at=approved_at, campaign=campaign
    )
    InspectionScore.objects.create(
        inspection=inspection, school=school, district=school.district, campaign=campaign,
        approved_at=approved_at, **checks,
    )  # fmt: skip
    return inspection


def issue(inspection, *, on: str, drafted_by, items: list[dict]) -> Order:
    """An issued order of the inspection; each item: {"code": "PA", "status": "open", "deadline": date,
    "overdue_since": date, "done_at": datetime}."""
    order = Order.objects.create(
        inspection=inspection, school=inspection.school, district=inspection.school.district,
        status=Order.Status.ISSUED, year=2025, seq=next(_seq), drafted_by=drafted_by, issued_at=at(on, 10),
    )  # fmt: skip
    for position, spec in enumerate(items, start=1):
        finding = None
        if spec.get("code"):
            finding = Finding.objects.create(
                inspection=inspection, item=checklist_item(spec["code"]), severity="S", text="Нарушение"
            )
        order_item(
            order, finding=finding, position=position, found=f"Нарушение {position}",
            remedy="Устранить", severity="S", fix_kind="organisational",
            deadline=spec.get("deadline", dt.date.fromisoformat(on) + dt.timedelta(days=30)),
            status=spec.get("status", OrderItem.Status.OPEN), overdue_since=spec.get("overdue_since"),
            done_at=spec.get("done_at"),
        )  # fmt: skip
    return order


def bulk_world(schools, *, drafted_by, per_school: int = 1) -> None:
    """A spread of inspections and items over many schools, for the query-count tests."""
    for n, school in enumerate(schools):
        for k in range(per_school):
            month = 9 + (n + k) % 4
            inspection = approve(school, on=f"2025-{month:02d}-1{k % 10}", pa_pass=2, pa_fail=1, vs_pass=1)
            issue(
                inspection,
                on=f"2025-{month:02d}-2{k % 10}",
                drafted_by=drafted_by,
                items=[
                    {"code": "PA"},
                    {"code": "VS", "status": "done", "done_at": at("2026-01-15")},
                    {"code": "AC", "overdue_since": dt.date(2026, 1, 5)},
                ],
            )


def district_x_history(school_a, inspector_x):
    """The dashboards' district X: school A inspected on 1 Oct 2025 with an order of four items (one overdue,
    one fixed, one reported, one withdrawn); school A2 inspected before the period, with an older order whose
    item is still open and overdue. Returns school A2."""
    from qorgau.tests.factories import SchoolFactory

    school_a2 = SchoolFactory(district=school_a.district, name_ru="Школа № 3 (А2)", pupils=200)
    inspection = approve(school_a, on="2025-10-01", pa_pass=3, pa_fail=1, vs_pass=2, vs_fail=2)
    issue(
        inspection,
        on="2025-10-05",
        drafted_by=inspector_x,
        items=[
            {"code": "PA", "deadline": dt.date(2025, 11, 5), "overdue_since": dt.date(2025, 11, 6)},
            {"code": "VS", "status": "done", "done_at": at("2025-10-15", 10)},
            {"code": "VS", "status": "reported"},
            {"code": "AC", "status": "withdrawn"},
        ],
    )
    old = approve(school_a2, on="2025-08-15", do_fail=1)
    issue(
        old,
        on="2025-08-20",
        drafted_by=inspector_x,
        items=[{"code": "DO", "deadline": dt.date(2025, 9, 20), "overdue_since": dt.date(2025, 9, 21)}],
    )
    return school_a2


def district_y_history(school_b, inspector_y, *, campaign=None):
    """The dashboards' district Y: school B inspected on 1 Nov 2025 (in `campaign`, if given), its one item
    fixed in four days."""
    inspection_b = approve(school_b, on="2025-11-01", campaign=campaign, pa_pass=1, pa_fail=1)
    issue(
        inspection_b,
        on="2025-11-02",
        drafted_by=inspector_y,
        items=[{"code": "DO", "status": "done", "done_at": at("2025-11-06", 10)}],
    )
